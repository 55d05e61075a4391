import CustosBase

/// The seeded generator for public, non-secret randomness (k-means starting centres drawn from a
/// seed the analyst gives; the synthetic data generator). Never used for noise or keys.
package typealias SeedableGenerator = Xoshiro256StarStar
