//! Standards as data (domain.md §4): poverty lines, the monitoring line, exit thresholds of
//! villages and counties, notice periods and step deadlines, each per year and per region.
//!
//! Shipped values are defaults marked "to be confirmed"; an administrator confirms or overrides
//! them (stored and audited by the service). Code never hard-wires a number: it asks
//! [`Standards`] for the value that applies to a year and an area.

use serde::Serialize;

use crate::area::{AreaCode, WESTERN_PROVINCES};
use crate::problem::Problem;
use crate::vocab::{Vocabulary, vocabulary};

vocabulary! {
    /// What a standard sets. Each key has one unit ([`StandardKey::unit`]).
    StandardKey {
        PovertyLine = ("poverty_line", "扶贫标准", "Poverty line"),
        MonitoringRatio = ("monitoring_ratio", "防返贫监测线（占扶贫标准）", "Monitoring line (share of the poverty line)"),
        VillageExitIncidence = ("village_exit_incidence", "贫困村退出：贫困发生率低于", "Village exit: incidence below"),
        CountyExitIncidence = ("county_exit_incidence", "贫困县退出：综合贫困发生率低于", "County exit: comprehensive incidence below"),
        CountyWrongfulExit = ("county_wrongful_exit", "贫困县退出：错退率低于", "County exit: wrongful-exit rate below"),
        CountyMissed = ("county_missed", "贫困县退出：漏评率低于", "County exit: missed-identification rate below"),
        CountyApproval = ("county_approval", "贫困县退出：群众认可度不低于", "County exit: public approval at least"),
        NoticeDays = ("notice_days", "公示期", "Notice period"),
        StepDeadlineDays = ("step_deadline_days", "程序各环节办理时限", "Deadline of a procedure step"),
        IncomeMaxAge = ("income_max_age", "收入数据有效期（距评估年度）", "Income data valid for (years before the evaluation)"),
        ComplaintRouteDays = ("complaint_route_days", "举报转办时限", "Complaints: route within"),
        ComplaintSimpleDays = ("complaint_simple_days", "简单举报办理时限", "Complaints: answer a simple case within"),
        ComplaintComplexDays = ("complaint_complex_days", "复杂举报办理时限", "Complaints: answer a complex case within"),
        ComplaintReviewDays = ("complaint_review_days", "不满意申请复查期限（答复后）", "Complaints: review may be asked within (after the reply)"),
    }
}

/// The unit of a standard's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Whole yuan per person per year.
    Yuan,
    /// Per cent (150 = 150 %).
    Percent,
    /// Hundredths of a per cent (200 = 2.00 %).
    BasisPoints,
    /// Calendar days.
    Days,
    /// Working days (工作日), counted on the holiday calendar.
    WorkingDays,
    /// Years.
    Years,
}

impl StandardKey {
    pub fn unit(self) -> Unit {
        match self {
            StandardKey::PovertyLine => Unit::Yuan,
            StandardKey::MonitoringRatio => Unit::Percent,
            StandardKey::VillageExitIncidence
            | StandardKey::CountyExitIncidence
            | StandardKey::CountyWrongfulExit
            | StandardKey::CountyMissed
            | StandardKey::CountyApproval => Unit::BasisPoints,
            StandardKey::NoticeDays
            | StandardKey::StepDeadlineDays
            | StandardKey::ComplaintReviewDays => Unit::Days,
            StandardKey::ComplaintRouteDays
            | StandardKey::ComplaintSimpleDays
            | StandardKey::ComplaintComplexDays => Unit::WorkingDays,
            StandardKey::IncomeMaxAge => Unit::Years,
        }
    }

    /// Whether a value of this key is only ever set for one year (a poverty line is at the
    /// prices of its year).
    pub fn needs_year(self) -> bool {
        self == StandardKey::PovertyLine
    }

    /// The values an administrator may set (inclusive), in the unit of the key.
    pub fn range(self) -> (i64, i64) {
        match self {
            StandardKey::PovertyLine => (1, 100_000),
            StandardKey::MonitoringRatio => (100, 500),
            StandardKey::VillageExitIncidence
            | StandardKey::CountyExitIncidence
            | StandardKey::CountyWrongfulExit
            | StandardKey::CountyMissed
            | StandardKey::CountyApproval => (0, 10_000),
            StandardKey::NoticeDays | StandardKey::StepDeadlineDays => (1, 90),
            StandardKey::ComplaintRouteDays => (1, 10),
            StandardKey::ComplaintSimpleDays | StandardKey::ComplaintComplexDays => (1, 180),
            StandardKey::ComplaintReviewDays => (1, 180),
            StandardKey::IncomeMaxAge => (0, 5),
        }
    }

    /// Reads a value as a person types it: yuan and days as whole numbers, shares as per cent
    /// with at most two decimals ("2", "2.5", "150").
    pub fn parse_value(self, text: &str) -> Result<i64, Problem> {
        let t = text.trim();
        if t.is_empty() {
            return Err(Problem::Required);
        }
        let value = match self.unit() {
            Unit::BasisPoints => parse_hundredths(t)?,
            _ => t.parse::<i64>().map_err(|_| Problem::NotInteger)?,
        };
        let (min, max) = self.range();
        if value < min || value > max {
            return Err(Problem::OutOfRange {
                min: self.format(min, false),
                max: self.format(max, false),
            });
        }
        Ok(value)
    }

    /// A value written for a reader, in Chinese (`zh`) or English.
    pub fn format(self, value: i64, zh: bool) -> String {
        match (self.unit(), zh) {
            (Unit::Yuan, true) => format!("{} 元/人·年", crate::money::group_thousands(value)),
            (Unit::Yuan, false) => format!(
                "{} yuan per person per year",
                crate::money::group_thousands(value)
            ),
            (Unit::Percent, _) => format!("{value}%"),
            (Unit::BasisPoints, _) => format!("{}.{:02}%", value / 100, value % 100),
            (Unit::Days, true) => format!("{value} 天"),
            (Unit::Days, false) => format!("{value} days"),
            (Unit::WorkingDays, true) => format!("{value} 个工作日"),
            (Unit::WorkingDays, false) => format!("{value} working days"),
            (Unit::Years, true) => format!("{value} 年"),
            (Unit::Years, false) => format!("{value} years"),
        }
    }
}

/// "2" → 200, "2.5" → 250, "2.05" → 205.
fn parse_hundredths(t: &str) -> Result<i64, Problem> {
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |s: &str| !s.is_empty() && s.len() <= 6 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !(frac.is_empty() || (frac.len() <= 2 && digits(frac))) {
        return Err(Problem::NotDecimal);
    }
    let w: i64 = whole.parse().map_err(|_| Problem::NotDecimal)?;
    let f: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}")
            .parse()
            .map_err(|_| Problem::NotDecimal)?
    };
    Ok(w * 100 + f)
}

/// Reads a region: a province (2 digits), city (4) or county (6) code prefix; empty for the
/// whole country.
pub fn parse_region(text: &str) -> Result<Option<String>, Problem> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let ok =
        matches!(t.len(), 2 | 4 | 6) && t.bytes().all(|b| b.is_ascii_digit()) && !t.ends_with("00");
    if ok {
        Ok(Some(t.to_string()))
    } else {
        Err(Problem::NotRegionPrefix)
    }
}

/// One value of a standard: for one year or every year, for a region or the whole country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StandardEntry {
    pub key: StandardKey,
    /// `None`: every year without a value of its own.
    pub year: Option<i32>,
    /// `None`: the whole country; otherwise a province, city or county code prefix.
    pub region: Option<String>,
    pub value: i64,
    /// Where the value comes from (a document, a decision), or why it was changed.
    pub source: String,
    /// Shipped defaults are unconfirmed until an administrator confirms them.
    pub confirmed: bool,
}

impl StandardEntry {
    /// Whether two entries set the same thing (key, year and region).
    pub fn same_slot(&self, other: &StandardEntry) -> bool {
        self.key == other.key && self.year == other.year && self.region == other.region
    }

    fn applies(&self, key: StandardKey, year: i32, area: &AreaCode) -> bool {
        self.key == key
            && self.year.is_none_or(|y| y == year)
            && self
                .region
                .as_deref()
                .is_none_or(|r| area.as_str().starts_with(r))
    }

    /// More specific entries win: a longer region first, then a value for the year itself.
    fn specificity(&self) -> (usize, bool) {
        (
            self.region.as_ref().map_or(0, String::len),
            self.year.is_some(),
        )
    }
}

/// The values shipped with the platform (domain.md §4), all "to be confirmed". The cross-check
/// rules of `cross-checks.md` use 2016: 3100 and 2020: 4000; 2015: 2855 is the national
/// restatement named in domain.md §4.
pub fn defaults() -> Vec<StandardEntry> {
    const SOURCE: &str = "domain.md §4 (to be confirmed)";
    let entry = |key, year, region: Option<&str>, value| StandardEntry {
        key,
        year,
        region: region.map(str::to_string),
        value,
        source: SOURCE.to_string(),
        confirmed: false,
    };
    let mut out: Vec<StandardEntry> = [(2015, 2855), (2016, 3100), (2020, 4000)]
        .into_iter()
        .map(|(y, v)| entry(StandardKey::PovertyLine, Some(y), None, v))
        .collect();
    out.push(entry(StandardKey::MonitoringRatio, None, None, 150));
    for key in [
        StandardKey::VillageExitIncidence,
        StandardKey::CountyExitIncidence,
    ] {
        out.push(entry(key, None, None, 200));
        for p in WESTERN_PROVINCES {
            out.push(entry(key, None, Some(p), 300));
        }
    }
    out.push(entry(StandardKey::CountyWrongfulExit, None, None, 200));
    out.push(entry(StandardKey::CountyMissed, None, None, 200));
    out.push(entry(StandardKey::CountyApproval, None, None, 9_000));
    out.push(entry(StandardKey::NoticeDays, None, None, 7));
    out.push(entry(StandardKey::StepDeadlineDays, None, None, 10));
    out.push(entry(StandardKey::IncomeMaxAge, None, None, 1));
    // domain.md §6: route within 1 working day, simple cases 15, complex 60; the review window
    // of the 信访条例 (art. 35: 30 days from the written answer).
    let d = crate::complaint::Deadlines::default();
    out.push(entry(
        StandardKey::ComplaintRouteDays,
        None,
        None,
        i64::from(d.route_days),
    ));
    out.push(entry(
        StandardKey::ComplaintSimpleDays,
        None,
        None,
        i64::from(d.simple_days),
    ));
    out.push(entry(
        StandardKey::ComplaintComplexDays,
        None,
        None,
        i64::from(d.complex_days),
    ));
    out.push(entry(
        StandardKey::ComplaintReviewDays,
        None,
        None,
        i64::from(d.review_window_days),
    ));
    out
}

/// The standards in force: the defaults, overridden by what administrators stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standards {
    entries: Vec<StandardEntry>,
}

impl Default for Standards {
    fn default() -> Self {
        Standards::new(Vec::new())
    }
}

impl Standards {
    /// The defaults with `stored` entries replacing those of the same key, year and region.
    pub fn new(stored: Vec<StandardEntry>) -> Standards {
        let mut s = Standards {
            entries: defaults(),
        };
        for e in stored {
            s.put(e);
        }
        s
    }

    /// Sets one entry (replacing the one of the same key, year and region).
    pub fn put(&mut self, entry: StandardEntry) {
        match self.entries.iter_mut().find(|e| e.same_slot(&entry)) {
            Some(e) => *e = entry,
            None => self.entries.push(entry),
        }
    }

    /// These standards with one entry changed (for a what-if).
    pub fn with(&self, entry: StandardEntry) -> Standards {
        let mut s = self.clone();
        s.put(entry);
        s
    }

    /// Every entry, by key, year and region.
    pub fn entries(&self) -> Vec<&StandardEntry> {
        let mut v: Vec<&StandardEntry> = self.entries.iter().collect();
        v.sort_by(|a, b| (a.key, a.year, &a.region).cmp(&(b.key, b.year, &b.region)));
        v
    }

    /// The entry that applies to `area` in `year`: the most specific region covering it, a
    /// value for the year before a value for every year.
    pub fn resolve(&self, key: StandardKey, year: i32, area: &AreaCode) -> Option<&StandardEntry> {
        self.entries
            .iter()
            .filter(|e| e.applies(key, year, area))
            .max_by_key(|e| e.specificity())
    }

    pub fn value(&self, key: StandardKey, year: i32, area: &AreaCode) -> Option<i64> {
        self.resolve(key, year, area).map(|e| e.value)
    }

    /// The years for which a value of `key` is set for one year and applies in `area` (or in
    /// part of it: a line of one province counts for the whole country; `None`: anywhere).
    pub fn years_of(
        &self,
        key: StandardKey,
        area: Option<&AreaCode>,
    ) -> std::collections::BTreeSet<i32> {
        self.entries
            .iter()
            .filter(|e| e.key == key)
            .filter(|e| match (e.region.as_deref(), area) {
                (None, _) | (_, None) => true,
                (Some(r), Some(a)) => a.as_str().starts_with(r) || r.starts_with(a.prefix()),
            })
            .filter_map(|e| e.year)
            .collect()
    }

    /// The poverty line (yuan per person) of `year` in `area`, if one is set.
    pub fn poverty_line(&self, year: i32, area: &AreaCode) -> Option<i64> {
        self.value(StandardKey::PovertyLine, year, area)
    }

    /// The monitoring line (防返贫监测线): the poverty line times the monitoring ratio.
    pub fn monitoring_line(&self, year: i32, area: &AreaCode) -> Option<i64> {
        let line = self.poverty_line(year, area)?;
        let ratio = self
            .value(StandardKey::MonitoringRatio, year, area)
            .unwrap_or(150);
        Some(line * ratio / 100)
    }
}

/// The monitoring line at the default ratio (1.5 × the poverty line).
pub fn monitoring_line_yuan(poverty_line_yuan: i64) -> i64 {
    poverty_line_yuan * 3 / 2
}

/// A change an administrator asks for, checked field by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandardChange {
    pub entry: StandardEntry,
}

/// The fields of a change as typed, for [`StandardChange::parse`].
#[derive(Debug, Clone, Default)]
pub struct StandardChangeInput<'a> {
    pub key: &'a str,
    pub year: &'a str,
    pub region: &'a str,
    pub value: &'a str,
    pub reason: &'a str,
}

/// The longest reason kept.
pub const REASON_MAX: usize = 500;

impl StandardChange {
    /// Checks every field; on refusal, every field that is wrong with its reason.
    pub fn parse(
        input: &StandardChangeInput<'_>,
    ) -> Result<StandardChange, Vec<(&'static str, Problem)>> {
        let mut problems = Vec::new();
        let key = StandardKey::parse(input.key)
            .map_err(|p| problems.push(("key", p)))
            .ok();
        let year = match input.year.trim() {
            "" => None,
            t => match t.parse::<i32>() {
                Ok(y) if (2000..=2100).contains(&y) => Some(y),
                Ok(_) => {
                    problems.push((
                        "year",
                        Problem::YearOutOfRange {
                            min: 2000,
                            max: 2100,
                        },
                    ));
                    None
                }
                Err(_) => {
                    problems.push(("year", Problem::NotYear));
                    None
                }
            },
        };
        if key.is_some_and(StandardKey::needs_year) && input.year.trim().is_empty() {
            problems.push(("year", Problem::YearRequired));
        }
        let region = parse_region(input.region)
            .map_err(|p| problems.push(("region", p)))
            .ok()
            .flatten();
        let value = key.and_then(|k| {
            k.parse_value(input.value)
                .map_err(|p| problems.push(("value", p)))
                .ok()
        });
        let reason = input.reason.trim();
        if reason.is_empty() {
            problems.push(("reason", Problem::Required));
        } else if reason.chars().count() > REASON_MAX {
            problems.push(("reason", Problem::TooLong { max: REASON_MAX }));
        } else if reason.chars().any(|c| c.is_control() && c != '\n') {
            problems.push(("reason", Problem::ControlCharacter));
        }
        match (key, value) {
            (Some(key), Some(value)) if problems.is_empty() => Ok(StandardChange {
                entry: StandardEntry {
                    key,
                    year,
                    region,
                    value,
                    source: reason.to_string(),
                    confirmed: true,
                },
            }),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap()
    }

    fn entry(
        key: StandardKey,
        year: Option<i32>,
        region: Option<&str>,
        value: i64,
    ) -> StandardEntry {
        StandardEntry {
            key,
            year,
            region: region.map(str::to_string),
            value,
            source: "test".into(),
            confirmed: true,
        }
    }

    #[test]
    fn a_regional_line_wins_over_the_national_one() {
        let s = Standards::new(vec![entry(
            StandardKey::PovertyLine,
            Some(2020),
            Some("51"),
            4200,
        )]);
        let sichuan = code("510304100201");
        let gansu = code("621102100201");
        assert_eq!(s.poverty_line(2020, &sichuan), Some(4200));
        assert_eq!(s.poverty_line(2020, &gansu), Some(4000));
        assert_eq!(s.poverty_line(2016, &gansu), Some(3100));
        assert_eq!(s.poverty_line(2019, &gansu), None);
    }

    #[test]
    fn a_county_value_wins_over_its_province_and_a_year_over_every_year() {
        let s = Standards::new(vec![
            entry(StandardKey::NoticeDays, None, Some("51"), 5),
            entry(StandardKey::NoticeDays, None, Some("510304"), 10),
            entry(StandardKey::NoticeDays, Some(2020), Some("510304"), 12),
        ]);
        assert_eq!(
            s.value(StandardKey::NoticeDays, 2019, &code("510304100201")),
            Some(10)
        );
        assert_eq!(
            s.value(StandardKey::NoticeDays, 2020, &code("510304100201")),
            Some(12)
        );
        assert_eq!(
            s.value(StandardKey::NoticeDays, 2020, &code("510303100201")),
            Some(5)
        );
        assert_eq!(
            s.value(StandardKey::NoticeDays, 2020, &code("110101001001")),
            Some(7)
        );
    }

    #[test]
    fn western_provinces_have_the_higher_exit_thresholds_by_default() {
        let s = Standards::default();
        let sichuan = code("510304100201");
        let jiangsu = code("320102001001");
        assert_eq!(
            s.value(StandardKey::VillageExitIncidence, 2020, &sichuan),
            Some(300)
        );
        assert_eq!(
            s.value(StandardKey::VillageExitIncidence, 2020, &jiangsu),
            Some(200)
        );
        assert_eq!(
            s.value(StandardKey::CountyApproval, 2020, &jiangsu),
            Some(9_000)
        );
    }

    #[test]
    fn a_stored_entry_replaces_the_default_of_its_slot() {
        let s = Standards::new(vec![entry(
            StandardKey::PovertyLine,
            Some(2020),
            None,
            4100,
        )]);
        let lines: Vec<_> = s
            .entries()
            .into_iter()
            .filter(|e| e.key == StandardKey::PovertyLine && e.year == Some(2020))
            .collect();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].value, 4100);
        assert!(lines[0].confirmed);
    }

    #[test]
    fn the_monitoring_line_follows_its_ratio() {
        let sichuan = code("510304100201");
        assert_eq!(
            Standards::default().monitoring_line(2020, &sichuan),
            Some(6000)
        );
        let s = Standards::default().with(entry(StandardKey::MonitoringRatio, None, None, 120));
        assert_eq!(s.monitoring_line(2020, &sichuan), Some(4800));
    }

    #[test]
    fn a_change_is_refused_field_by_field() {
        let bad = StandardChange::parse(&StandardChangeInput {
            key: "poverty_line",
            year: "",
            region: "5103041",
            value: "-3",
            reason: " ",
        })
        .unwrap_err();
        let fields: Vec<_> = bad.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["year", "region", "value", "reason"]);
        assert_eq!(bad[0].1, Problem::YearRequired);
        assert!(matches!(bad[2].1, Problem::OutOfRange { .. }));

        let unknown = StandardChange::parse(&StandardChangeInput {
            key: "nothing",
            value: "1",
            reason: "r",
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(unknown[0].0, "key");
    }

    #[test]
    fn a_change_reads_shares_as_per_cent() {
        let c = StandardChange::parse(&StandardChangeInput {
            key: "village_exit_incidence",
            region: "62",
            value: "2.5",
            reason: "省定标准",
            ..Default::default()
        })
        .unwrap();
        assert_eq!(c.entry.value, 250);
        assert_eq!(c.entry.region.as_deref(), Some("62"));
        assert_eq!(StandardKey::VillageExitIncidence.format(250, true), "2.50%");
        assert_eq!(
            StandardKey::PovertyLine.format(4000, true),
            "4,000 元/人·年"
        );
        assert_eq!(
            StandardKey::VillageExitIncidence.parse_value("2.005"),
            Err(Problem::NotDecimal)
        );
        assert_eq!(parse_region("51"), Ok(Some("51".into())));
        assert_eq!(parse_region("5100"), Err(Problem::NotRegionPrefix));
    }

    proptest! {
        #[test]
        fn parsing_a_value_never_panics_and_stays_in_range(text in "\\PC{0,12}", k in 0usize..10) {
            let key = StandardKey::ALL[k];
            if let Ok(v) = key.parse_value(&text) {
                let (min, max) = key.range();
                prop_assert!(v >= min && v <= max);
            }
        }

        #[test]
        fn a_formatted_share_reads_back_the_same(v in 0i64..=10_000) {
            let key = StandardKey::CountyApproval;
            let shown = key.format(v, true);
            prop_assert_eq!(key.parse_value(shown.trim_end_matches('%')), Ok(v));
        }
    }
}
