/// The items of an access report, keyed the same way in JSON (`key`) and HTML (`htmlID`), with the
/// provision each answers under GDPR and PIPL.
public struct AccessReportSection: Hashable, Sendable {
    /// The JSON key of the item.
    public let key: String
    /// The `id` of the HTML `<section>`.
    public let htmlID: String
    /// E.g. "GDPR art. 15(1)(a)".
    public let gdprProvision: String
    /// E.g. "PIPL art. 17(1)(2)".
    public let piplProvision: String
    /// The heading shown to the reader.
    public let title: String

    /// The provision under `jurisdiction`.
    public func provision(in jurisdiction: Jurisdiction) -> String {
        jurisdiction == .gdpr ? gdprProvision : piplProvision
    }

    /// Every item, in report order: GDPR art. 15(1)(a)-(h), 15(2) and the copy (15(3)).
    public static let all: [AccessReportSection] = [
        .init(key: "purposes", htmlID: "art15-1a-purposes", gdprProvision: "GDPR art. 15(1)(a)",
              piplProvision: "PIPL art. 17(1)(2)", title: "Why we process your data, and on what legal basis"),
        .init(key: "categories_of_personal_data", htmlID: "art15-1b-categories", gdprProvision: "GDPR art. 15(1)(b)",
              piplProvision: "PIPL art. 17(1)(2)", title: "Categories of personal data"),
        .init(key: "recipients", htmlID: "art15-1c-recipients", gdprProvision: "GDPR art. 15(1)(c)",
              piplProvision: "PIPL art. 23", title: "Who receives your data"),
        .init(key: "retention", htmlID: "art15-1d-retention", gdprProvision: "GDPR art. 15(1)(d)",
              piplProvision: "PIPL art. 17(1)(2)", title: "How long we keep your data"),
        .init(key: "rights", htmlID: "art15-1e-rights", gdprProvision: "GDPR art. 15(1)(e)",
              piplProvision: "PIPL art. 17(1)(3)", title: "Your rights"),
        .init(key: "right_to_complain", htmlID: "art15-1f-complaint", gdprProvision: "GDPR art. 15(1)(f)",
              piplProvision: "PIPL arts. 50, 65", title: "Your right to complain"),
        .init(key: "sources", htmlID: "art15-1g-sources", gdprProvision: "GDPR art. 15(1)(g)",
              piplProvision: "PIPL art. 44", title: "Where your data comes from"),
        .init(key: "automated_decision_making", htmlID: "art15-1h-automated-decisions", gdprProvision: "GDPR art. 15(1)(h)",
              piplProvision: "PIPL art. 24", title: "Automated decision-making and profiling"),
        .init(key: "international_transfers", htmlID: "art15-2-transfers", gdprProvision: "GDPR art. 15(2)",
              piplProvision: "PIPL art. 39", title: "Transfers to other countries and safeguards"),
        .init(key: "personal_data", htmlID: "art15-3-copy", gdprProvision: "GDPR art. 15(3)",
              piplProvision: "PIPL art. 45", title: "A copy of your personal data"),
    ]
}
