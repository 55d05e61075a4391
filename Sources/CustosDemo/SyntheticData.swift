import CustosEngine
import CustosBase
import CustosCrypto
import CustosSchema
import Foundation

/// A seeded synthetic generator of realistic customers, orders with co-purchase structure, web
/// event paths, feedback and consents, for the demo, tests and benchmarks. The same seed gives the
/// same files. (Its pseudo-random stream is for data synthesis only; privacy noise always comes
/// from the CSPRNG.)
public struct SyntheticDataGenerator {
    public struct Options: Sendable {
        public var customers = 2_000
        public var meanOrdersPerCustomer = 5.0
        public var meanSessionsPerCustomer = 3.0
        public var seed: UInt64 = 42
        /// Last day of the generated history.
        public var asOf = CivilDate(year: 2026, month: 10, day: 31) ?? CivilDate(daysSinceEpoch: 20_757)
        public var products = 120
        /// Current notice version per consent purpose (must match policies/purposes.yaml for imports).
        public var noticeVersions = ["analytics.reporting": "2025-02", "marketing.segmentation": "2025-03",
                                     "marketing.advertising": "2024-11", "personalize.recommendations": "2024-06"]
        public init() {}
    }

    /// Paths and row counts of the files written.
    public struct Output: Sendable {
        public var files: [String: URL] = [:]
        public var rows: [String: Int] = [:]
        /// A value planted in one customer's record (email) that must never appear on disk in clear.
        public var markerEmail = ""
        public var markerName = ""
        public var markerCustomerID = ""
        /// A customer whose marketing consent is in force (for the withdrawal demonstration).
        public var consentingCustomer: String?
    }

    let options: Options
    public init(options: Options) { self.options = options }

    static let givenNames = ["Åsa", "Björn", "Märta", "Göran", "Linnéa", "Örjan", "Sofia", "Erik", "Ingrid", "Lars",
                             "Anna", "Jonas", "Emma", "Liam", "Olivia", "Noah", "Hannah", "Lukas", "Chloé", "Mathéo"]
    static let familyNames = ["Lindqvist", "Öberg", "Åkesson", "Sjöström", "Nyström", "Bergström", "Müller", "Schäfer",
                              "Dubois", "Smith", "Johnson", "Hansen", "Virtanen", "de Vries", "Andersson", "Karlsson"]
    static let chineseNames = ["王芳", "李伟", "张敏", "刘洋", "陈静", "杨磊", "赵丽", "黄强", "周杰", "吴婷"]
    static let countries = ["SE", "CN", "DE", "FR", "GB", "US", "NO", "DK", "FI", "NL"]
    static let countryWeights = [30.0, 15, 12, 8, 8, 8, 6, 5, 4, 4]
    static let dialCodes = ["SE": "46", "CN": "86", "DE": "49", "FR": "33", "GB": "44", "US": "1", "NO": "47", "DK": "45", "FI": "358", "NL": "31"]
    static let comments = ["Snabb leverans, tack!", "产品质量很好，会再买。", "Delivery was late by two days.", "Priset är för högt.",
                           "Great service, friendly staff.", "网站很难用。", "Produkten gick sönder efter en vecka.", "Sehr zufrieden."]

    /// Writes customers.csv, orders.csv, events.csv, feedback.csv and consents.csv into `directory`.
    public func generate(into directory: URL) throws -> Output {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var rng = SeedableGenerator(seed: options.seed)
        var output = Output()
        let asOfDay = options.asOf.daysSinceEpoch
        let productCount = max(options.products, 20)
        // Products: popularity by a Zipf-like law; each has one or two "companions" often bought with it.
        let popularity = (0..<productCount).map { 1.0 / pow(Double($0 + 1), 0.9) }
        let companions = (0..<productCount).map { p in [(p + 1) % productCount, (p * 7 + 3) % productCount] }
        let prices = (0..<productCount).map { _ in Double(rng.int(in: 199...19_900)) / 100 }
        func productID(_ p: Int) -> String { "p\(String(format: "%03d", p + 1))" }

        var customers = CSVWriter(lineEnding: .lf, header: ["customer_id", "email", "phone", "full_name", "birth_date", "postcode", "country",
                                           "gender", "signup_date", "loyalty_tier"])
        var orders = CSVWriter(lineEnding: .lf, header: ["customer_id", "order_id", "order_time", "amount", "item_count", "items", "channel", "country"])
        var events = CSVWriter(lineEnding: .lf, header: ["customer_id", "session_id", "event_time", "event_type", "product_id", "device"])
        var feedback = CSVWriter(lineEnding: .lf, header: ["customer_id", "submitted_at", "rating", "topic", "comment"])
        var consents = CSVWriter(lineEnding: .lf, header: ["customer_id", "purpose", "purpose_version", "action", "notice_version", "notice_sha256",
                                          "language", "time", "channel", "collector"])
        let oldNoticeDigest = SHA256.hash("Our 2024 marketing notice (superseded).").hexString
        var orderNumber = 0
        var sessionNumber = 0

        for c in 0..<options.customers {
            let customerID = "C\(String(format: "%07d", c + 1))"
            let country = Self.countries[rng.weighted(Self.countryWeights)]
            let chinese = country == "CN"
            let given = Self.givenNames[rng.int(in: 0...(Self.givenNames.count - 1))]
            let family = Self.familyNames[rng.int(in: 0...(Self.familyNames.count - 1))]
            var name = chinese ? Self.chineseNames[rng.int(in: 0...(Self.chineseNames.count - 1))] : "\(given) \(family)"
            var email = "\(chinese ? "user" : ascii(given)).\(chinese ? String(c) : ascii(family)).\(c)@example.\(country.lowercased())"
            if c == 0 {
                // The marker customer: its values must never be readable anywhere on disk.
                name = "Zelda Markersson-Ångström"
                email = "zelda.marker.\(options.seed)@example.se"
                output.markerEmail = email.lowercased()
                output.markerName = name
                output.markerCustomerID = customerID
            }
            // Mixed-case emails and formatted phone numbers exercise normalisation.
            let shownEmail = rng.chance(0.2) ? email.uppercased() : email
            let dial = Self.dialCodes[country] ?? "46"
            let phone = rng.chance(0.5) ? "+\(dial) \(rng.int(in: 70...79)) \(rng.int(in: 100...999)) \(rng.int(in: 1000...9999))" : ""
            let birth = CivilDate(daysSinceEpoch: asOfDay - rng.int(in: 18 * 365...80 * 365))
            let signupDay = asOfDay - rng.int(in: 30...(3 * 365))
            let tier = ["none", "none", "silver", "gold", "platinum"][rng.weighted([50, 20, 15, 10, 5])]
            let gender = ["female", "male", "other", "undisclosed"][rng.weighted([48, 47, 2, 3])]
            customers.append([customerID, shownEmail, phone, name, birth.iso8601, String(rng.int(in: 10_000...99_999)), country,
                           gender, CivilDate(daysSinceEpoch: signupDay).iso8601, tier])

            // Orders: customer activity varies (a few heavy buyers, many occasional ones).
            let activity = rng.chance(0.1) ? 3.0 : (rng.chance(0.4) ? 1.0 : 0.4)
            let orderCount = rng.poisson(options.meanOrdersPerCustomer * activity / 1.02)
            let lastActive = signupDay + rng.int(in: 0...max(asOfDay - signupDay, 1))
            for _ in 0..<orderCount {
                orderNumber += 1
                let day = rng.int(in: signupDay...max(lastActive, signupDay))
                let time = Int64(day) * 86_400_000 + Int64(rng.int(in: 8 * 3600...22 * 3600)) * 1000
                var basket = Set<Int>()
                let anchors = 1 + rng.poisson(0.7)
                for _ in 0..<anchors {
                    let p = rng.weighted(popularity)
                    basket.insert(p)
                    for companion in companions[p] where rng.chance(0.45) { basket.insert(companion) }
                }
                let items = basket.sorted()
                let amount = items.reduce(0.0) { $0 + prices[$1] }
                orders.append([rng.chance(0.1) ? customerID.lowercased() : customerID, "O\(orderNumber)",
                            formatTime(time), String(format: "%.2f", min(amount, 4999.0)), String(items.count),
                            items.map(productID).joined(separator: ";"), ["web", "app", "store"][rng.weighted([50, 35, 15])], country])
            }

            // Sessions: search -> view -> cart -> purchase with drop-off at each step.
            let sessions = rng.poisson(options.meanSessionsPerCustomer * activity)
            for _ in 0..<sessions {
                sessionNumber += 1
                let sessionID = "S\(sessionNumber)"
                var time = Int64(rng.int(in: signupDay...asOfDay)) * 86_400_000 + Int64(rng.int(in: 0...86_000)) * 1000
                let device = ["desktop", "mobile", "tablet", "app"][rng.weighted([40, 40, 5, 15])]
                let product = productID(rng.weighted(popularity))
                var steps = ["search"]
                if rng.chance(0.8) { steps.append("view") }
                if rng.chance(0.3) { steps.append("view") }
                if steps.count > 1, rng.chance(0.45) { steps.append("cart") }
                if steps.last == "cart", rng.chance(0.55) { steps.append("purchase") }
                for step in steps {
                    events.append([customerID, sessionID, formatTime(time), step, step == "search" ? "" : product, device])
                    time += Int64(rng.int(in: 5...600)) * 1000
                }
            }

            if rng.chance(0.25) {
                let day = rng.int(in: signupDay...asOfDay)
                let comment = c == 0 ? "Zelda Markersson-Ångström complains about parcel 4711" : Self.comments[rng.int(in: 0...(Self.comments.count - 1))]
                feedback.append([customerID, formatTime(Int64(day) * 86_400_000 + 43_200_000), String(rng.int(in: 1...5)),
                              ["delivery", "product", "price", "service", "website", "other"][rng.int(in: 0...5)], comment])
            }

            // Consents: most customers agree to analytics, fewer to marketing; some later withdraw.
            let language = chinese ? "zh" : (country == "SE" ? "sv" : "en")
            let consentDay = formatTime(Int64(signupDay) * 86_400_000 + 36_000_000)
            for (purpose, probability) in [("analytics.reporting", 0.85), ("marketing.segmentation", 0.6),
                                           ("marketing.advertising", 0.45), ("personalize.recommendations", 0.7)]
            where rng.chance(probability) {
                let notice = options.noticeVersions[purpose] ?? "1"
                if purpose == "marketing.segmentation" && rng.chance(0.05) {
                    // Consent given to the purpose's previous version only: no longer counts (PIPL art. 14).
                    consents.append([customerID, purpose, "1", "granted", "2024-01", oldNoticeDigest, language, consentDay, "web", "signup-form"])
                    continue
                }
                consents.append([customerID, purpose, "", "granted", notice, "", language, consentDay, "web", "signup-form"])
                let withdraws = rng.chance(0.08)
                if purpose == "marketing.segmentation", !withdraws, c > 0, output.consentingCustomer == nil, orderCount > 0, country != "CN", country != "US" {
                    output.consentingCustomer = customerID
                }
                if withdraws {
                    let later = formatTime(Int64(rng.int(in: signupDay...asOfDay)) * 86_400_000 + 50_000_000)
                    consents.append([customerID, purpose, "", "withdrawn", notice, "", language, later, "email", "preference-center"])
                }
            }
        }
        for (name, writer) in [("customers", customers), ("orders", orders), ("events", events), ("feedback", feedback),
                               ("consents", consents)] {
            let url = directory.appendingPathComponent("\(name).csv")
            try Data(writer.text.utf8).write(to: url)
            output.files[name] = url
            output.rows[name] = writer.records - 1  // the header is not a row
        }
        return output
    }

    private func ascii(_ s: String) -> String {
        s.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).replacingOccurrences(of: " ", with: "")
    }

    private func formatTime(_ ms: Int64) -> String { Value.timestamp(ms).rendered() }
}

/// xoshiro256** seeded through SplitMix64 (CustosBase): fast and reproducible, for synthetic
/// data, k-means++ starts and silhouette sampling. Never used for privacy noise, which always comes
/// from the CSPRNG.


/// Draws for the synthetic generator and the samplers.
extension Xoshiro256StarStar {
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    mutating func chance(_ p: Double) -> Bool { unit() < p }

    mutating func weighted(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var u = unit() * total
        for (i, w) in weights.enumerated() {
            u -= w
            if u < 0 { return i }
        }
        return weights.count - 1
    }

    mutating func poisson(_ mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        let limit = exp(-mean)
        var k = 0
        var p = unit()
        while p > limit {
            k += 1
            p *= unit()
        }
        return k
    }
}
