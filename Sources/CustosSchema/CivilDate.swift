import CustosBase

/// The calendar date of `Value.date` and every date in a schema: CustosBase's one calendar,
/// named here so that schema users need not import CustosBase.
public typealias CivilDate = CustosBase.CivilDate
