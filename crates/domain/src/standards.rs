//! Standards as data (domain.md §4). Shipped values are defaults marked "to be confirmed";
//! an administrator confirms or overrides them per year and region (stored, audited).

use crate::area::AreaCode;

/// A poverty line: yuan per person per year, at current prices of the year.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PovertyLine {
    pub year: i32,
    /// `None`: the national line; otherwise the prefix of a province or county code.
    pub region: Option<String>,
    pub yuan: i64,
    pub source: &'static str,
    pub confirmed: bool,
}

/// The lines shipped with the platform. The cross-check rules of `cross-checks.md` use 2016:
/// 3100 and 2020: 4000; 2015: 2855 is the national restatement named in domain.md §4.
pub fn default_poverty_lines() -> Vec<PovertyLine> {
    [(2015, 2855), (2016, 3100), (2020, 4000)]
        .into_iter()
        .map(|(year, yuan)| PovertyLine {
            year,
            region: None,
            yuan,
            source: "domain.md §4 / cross-checks.md (to be confirmed)",
            confirmed: false,
        })
        .collect()
}

/// The monitoring line (防返贫监测线, domain.md §4): by default 1.5 times the poverty line.
pub fn monitoring_line_yuan(poverty_line_yuan: i64) -> i64 {
    poverty_line_yuan * 3 / 2
}

/// The line for `year` in `area`: the most specific region that covers the area, else the
/// national line of that year.
pub fn poverty_line_for<'a>(
    lines: &'a [PovertyLine],
    year: i32,
    area: &AreaCode,
) -> Option<&'a PovertyLine> {
    lines
        .iter()
        .filter(|l| l.year == year)
        .filter(|l| {
            l.region
                .as_deref()
                .is_none_or(|r| area.as_str().starts_with(r))
        })
        .max_by_key(|l| l.region.as_ref().map_or(0, String::len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regional_line_wins_over_the_national_one() {
        let mut lines = default_poverty_lines();
        lines.push(PovertyLine {
            year: 2020,
            region: Some("51".into()),
            yuan: 4200,
            source: "test",
            confirmed: true,
        });
        let sichuan = AreaCode::parse("510304100201").unwrap();
        let gansu = AreaCode::parse("621102100201").unwrap();
        assert_eq!(poverty_line_for(&lines, 2020, &sichuan).unwrap().yuan, 4200);
        assert_eq!(poverty_line_for(&lines, 2020, &gansu).unwrap().yuan, 4000);
        assert_eq!(poverty_line_for(&lines, 2016, &gansu).unwrap().yuan, 3100);
        assert!(poverty_line_for(&lines, 2019, &gansu).is_none());
    }
}
