//! The 18-character resident ID number (公民身份号码, GB 11643-1999).
//!
//! Layout: 6-digit area code, 8-digit birth date (YYYYMMDD), 3-digit sequence whose parity is the
//! sex (odd: male), and an ISO 7064 MOD 11-2 check character (`0`-`9` or `X`).

use std::fmt;

use chrono::NaiveDate;

use crate::problem::Problem;
use crate::vocab::Gender;

/// Province codes (the first two digits) that an ID number may start with.
pub const PROVINCE_CODES: &[&str] = &[
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// A valid ID number. The only way to get one is [`IdNumber::parse`] (or [`IdNumber::build`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct IdNumber(String);

/// The check character for the first 17 digits.
pub fn check_character(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

impl IdNumber {
    /// Checks format, province, birth date (a real date, not after `today`) and check character.
    /// A lower-case `x` is read as `X`.
    pub fn parse(text: &str, today: NaiveDate) -> Result<Self, Problem> {
        let t = text.trim();
        let n = t.chars().count();
        if n != 18 {
            return Err(Problem::IdLength { found: n });
        }
        let upper = t.to_ascii_uppercase();
        let b = upper.as_bytes();
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(Problem::IdCharacters);
        }
        if !PROVINCE_CODES.contains(&&upper[..2]) {
            return Err(Problem::IdProvince {
                code: upper[..2].to_string(),
            });
        }
        let birth = NaiveDate::parse_from_str(&upper[6..14], "%Y%m%d")
            .ok()
            .filter(|d| d.format("%Y%m%d").to_string() == upper[6..14])
            .filter(|d| *d >= NaiveDate::from_ymd_opt(1880, 1, 1).unwrap_or(NaiveDate::MIN))
            .ok_or(Problem::IdBirthDate)?;
        if birth > today {
            return Err(Problem::IdBirthInFuture);
        }
        let expected = check_character(&b[..17]);
        if char::from(b[17]) != expected {
            return Err(Problem::IdCheckCharacter { expected });
        }
        Ok(IdNumber(upper))
    }

    /// Builds a valid ID number from its parts (used by the generator and tests).
    pub fn build(area6: &str, birth: NaiveDate, sequence: u16) -> Self {
        let mut s = format!(
            "{area6:0>6.6}{}{:03}",
            birth.format("%Y%m%d"),
            sequence % 1000
        );
        let c = check_character(s.as_bytes());
        s.push(c);
        IdNumber(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date written in the number.
    pub fn birth_date(&self) -> NaiveDate {
        // Checked in `parse`/`build`; a fallback keeps this total.
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").unwrap_or(NaiveDate::MIN)
    }

    /// The sex written in the number (odd sequence: male).
    pub fn gender(&self) -> Gender {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        }
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn a_valid_number_is_accepted_and_tells_birth_date_and_sex() {
        // The standard's own example.
        let id = IdNumber::parse("11010519491231002X", today()).unwrap();
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(id.gender(), Gender::Female);
    }

    #[test]
    fn lower_case_x_is_read_as_upper_case() {
        let id = IdNumber::parse("11010519491231002x", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn a_wrong_check_character_names_the_right_one() {
        assert_eq!(
            IdNumber::parse("110105194912310021", today()),
            Err(Problem::IdCheckCharacter { expected: 'X' })
        );
    }

    #[test]
    fn wrong_length_characters_province_and_dates_are_refused() {
        assert_eq!(
            IdNumber::parse("1101051949123100", today()),
            Err(Problem::IdLength { found: 16 })
        );
        assert_eq!(
            IdNumber::parse("11010519491231002Y", today()),
            Err(Problem::IdCharacters)
        );
        assert_eq!(
            IdNumber::parse("1101051949123A002X", today()),
            Err(Problem::IdCharacters)
        );
        assert_eq!(
            IdNumber::parse(IdNumber::build("991234", today(), 1).as_str(), today()),
            Err(Problem::IdProvince { code: "99".into() })
        );
        // 30 February.
        let mut s = String::from("51030419880230001");
        s.push(check_character(s.as_bytes()));
        assert_eq!(IdNumber::parse(&s, today()), Err(Problem::IdBirthDate));
        let future = IdNumber::build("510304", NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(), 1);
        assert_eq!(
            IdNumber::parse(future.as_str(), today()),
            Err(Problem::IdBirthInFuture)
        );
    }

    #[test]
    fn multibyte_input_is_refused_without_panicking() {
        assert!(IdNumber::parse("五一〇三〇四一九八八〇一二八〇三九X", today()).is_err());
        assert!(IdNumber::parse("51030419880128039é", today()).is_err());
    }

    proptest! {
        #[test]
        fn built_numbers_always_parse_back(
            days in 0i64..50_000, seq in 0u16..1000, area in 110000u32..660000
        ) {
            let birth = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(days);
            prop_assume!(birth <= today());
            prop_assume!(PROVINCE_CODES.contains(&&area.to_string()[..2]));
            let id = IdNumber::build(&area.to_string(), birth, seq);
            let parsed = IdNumber::parse(id.as_str(), today()).unwrap();
            prop_assert_eq!(parsed.birth_date(), birth);
            prop_assert_eq!(parsed.gender() == Gender::Male, seq % 2 == 1);
        }

        #[test]
        fn changing_any_one_digit_is_caught(pos in 0usize..17, delta in 1u8..10) {
            let id = IdNumber::build("510304", NaiveDate::from_ymd_opt(1988, 1, 28).unwrap(), 39);
            let mut b = id.as_str().as_bytes().to_vec();
            b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
            let s = String::from_utf8(b).unwrap();
            prop_assert!(IdNumber::parse(&s, today()).is_err());
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,30}") {
            let _ = IdNumber::parse(&s, today());
        }
    }
}
