import CustosSchema
import Foundation

/// Holiday lists used by the deadline tests, kept as Swift text so the test target needs no
/// resource declarations. Sources are named in each list's header.
enum HolidayFixtures {
    /// Plain-text list (one date and a name per line).
    static let englandAndWales2023to2024 = """
    # Bank holidays in England and Wales, 2023 and 2024.
    # Source: https://www.gov.uk/bank-holidays (UK Government), copied by hand.
    2023-01-02 New Year's Day (substitute day)
    2023-04-07 Good Friday
    2023-04-10 Easter Monday
    2023-05-01 Early May bank holiday
    2023-05-08 Bank holiday for the coronation of King Charles III
    2023-05-29 Spring bank holiday
    2023-08-28 Summer bank holiday
    2023-12-25 Christmas Day
    2023-12-26 Boxing Day
    2024-01-01 New Year's Day
    2024-03-29 Good Friday
    2024-04-01 Easter Monday
    2024-05-06 Early May bank holiday
    2024-05-27 Spring bank holiday
    2024-08-26 Summer bank holiday
    2024-12-25 Christmas Day
    2024-12-26 Boxing Day
    """

    /// YAML-style list with a make-up working day section.
    static let china2024 = """
    # Public holidays and make-up working days (调休) in mainland China, 2024.
    # Source: State Council General Office notice 国办发明电〔2023〕7号
    # (关于2024年部分节假日安排的通知), copied by hand.
    holidays:
      - 2024-01-01  # 元旦 New Year's Day
      - 2024-02-10  # 春节 Spring Festival
      - 2024-02-11
      - 2024-02-12
      - 2024-02-13
      - 2024-02-14
      - 2024-02-15
      - 2024-02-16
      - 2024-02-17
      - 2024-04-04  # 清明节 Qingming
      - 2024-04-05
      - 2024-04-06
      - 2024-05-01  # 劳动节 Labour Day
      - 2024-05-02
      - 2024-05-03
      - 2024-05-04
      - 2024-05-05
      - 2024-06-10  # 端午节 Dragon Boat Festival
      - 2024-09-15  # 中秋节 Mid-Autumn Festival
      - 2024-09-16
      - 2024-09-17
      - 2024-10-01  # 国庆节 National Day
      - 2024-10-02
      - 2024-10-03
      - 2024-10-04
      - 2024-10-05
      - 2024-10-06
      - 2024-10-07
    working_days:
      - 2024-02-04  # Sunday worked for the Spring Festival
      - 2024-02-18
      - 2024-04-07
      - 2024-04-28
      - 2024-05-11
      - 2024-09-14  # Saturday worked for the Mid-Autumn Festival
      - 2024-09-29  # Sunday worked for National Day
      - 2024-10-12
    """
}
