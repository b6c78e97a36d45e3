//! Working days (工作日): the unit every supervision deadline is counted in (domain.md §6:
//! "route within 1 working day, simple cases 15 days, complex 60 days").
//!
//! A [`Calendar`] knows the public holidays (法定节假日, days off that would otherwise be
//! working days) and the make-up working days (调休上班, weekend days that are working days),
//! as the State Council's General Office publishes them each year. Every other Monday to
//! Friday is a working day and every other Saturday and Sunday is not.
//!
//! The yearly schedule is data (as for every number in domain.md, nothing is hard-wired here):
//! the platform ships a default file, marked to be confirmed (`data/calendar/cn-holidays.txt`,
//! loaded by `jingzhun_service::complaints::calendar`), which an administrator replaces.
//! [`Calendar::parse`] reads it from a simple text form, one date a line:
//!
//! ```text
//! # 2026 国庆节
//! 2026-09-20 workday   # 周日上班
//! 2026-10-01 holiday
//! 2026-10-02 holiday
//! ```
//!
//! `holiday` (or `休`) marks a day off, `workday` (or `班`) a make-up working day; `#` starts a
//! comment; blank lines are ignored. A mistake is refused with its line number and the reason
//! ([`CalendarParseError`]), and nothing is half-read.
//!
//! Counting is arithmetic (whole weeks, then the listed exceptions), so a deadline of any length
//! costs the same; no function panics, whatever the dates.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;
use thiserror::Error;

/// Why a calendar's list of dates is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum CalendarError {
    /// A make-up working day is a weekend day worked in exchange for a holiday: one on a
    /// weekday is a mistake (it already is a working day).
    #[error("{date} is a {weekday}: a make-up working day must fall on a Saturday or Sunday")]
    WorkdayNotOnWeekend { date: NaiveDate, weekday: String },
    /// The same date cannot be both a day off and a working day.
    #[error("{date} is listed both as a holiday and as a make-up working day")]
    HolidayAndWorkday { date: NaiveDate },
}

impl CalendarError {
    pub fn zh(&self) -> String {
        match self {
            CalendarError::WorkdayNotOnWeekend { date, weekday } => {
                format!(
                    "{date} 是{}，调休上班日只能是周六或周日",
                    weekday_zh(weekday)
                )
            }
            CalendarError::HolidayAndWorkday { date } => {
                format!("{date} 既列为放假日又列为调休上班日")
            }
        }
    }
}

fn weekday_zh(en: &str) -> &'static str {
    match en {
        "Mon" => "周一",
        "Tue" => "周二",
        "Wed" => "周三",
        "Thu" => "周四",
        "Fri" => "周五",
        "Sat" => "周六",
        _ => "周日",
    }
}

/// What is wrong with one line of a calendar text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum LineProblem {
    /// The first word is not a date in the form YYYY-MM-DD.
    NotDate { text: String },
    /// A date without `holiday` or `workday` after it.
    MissingKind,
    /// The second word is neither `holiday` nor `workday`.
    UnknownKind { text: String },
    /// More than a date and a kind on the line (outside a `#` comment).
    TrailingText { text: String },
    /// The same date was already listed.
    Repeated { first_line: usize },
    /// The date is wrong for its kind (see [`CalendarError`]); `first_line` is the line that
    /// listed the same date with the other kind, if any.
    Calendar {
        error: CalendarError,
        first_line: Option<usize>,
    },
}

/// A line of a calendar text that was refused: its number (from 1) and why.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[error("line {line}: {problem}")]
pub struct CalendarParseError {
    pub line: usize,
    pub problem: LineProblem,
}

impl fmt::Display for LineProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LineProblem::NotDate { text } => {
                write!(f, "\"{text}\" is not a date in the form YYYY-MM-DD")
            }
            LineProblem::MissingKind => {
                f.write_str("the date must be followed by holiday or workday")
            }
            LineProblem::UnknownKind { text } => {
                write!(f, "\"{text}\" is neither holiday nor workday")
            }
            LineProblem::TrailingText { text } => {
                write!(
                    f,
                    "unexpected \"{text}\" after the kind (comments start with #)"
                )
            }
            LineProblem::Repeated { first_line } => {
                write!(f, "this date is already listed on line {first_line}")
            }
            LineProblem::Calendar { error, first_line } => match first_line {
                Some(l) => write!(f, "{error} (line {l})"),
                None => write!(f, "{error}"),
            },
        }
    }
}

impl CalendarParseError {
    pub fn zh(&self) -> String {
        let why = match &self.problem {
            LineProblem::NotDate { text } => format!("“{text}”不是 YYYY-MM-DD 格式的日期"),
            LineProblem::MissingKind => "日期后须写 holiday（放假）或 workday（上班）".into(),
            LineProblem::UnknownKind { text } => {
                format!("“{text}”既不是 holiday（放假）也不是 workday（上班）")
            }
            LineProblem::TrailingText { text } => {
                format!("类型后多出“{text}”（注释请以 # 开头）")
            }
            LineProblem::Repeated { first_line } => format!("此日期已在第 {first_line} 行列出"),
            LineProblem::Calendar { error, first_line } => match first_line {
                Some(l) => format!("{}（第 {l} 行）", error.zh()),
                None => error.zh(),
            },
        };
        format!("第 {} 行：{why}", self.line)
    }
}

/// What a listed date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A day off (public holiday, or a weekday given off in a holiday week).
    Holiday,
    /// A make-up working day on a weekend.
    Workday,
}

/// Which days are working days: Monday to Friday, except the listed holidays, plus the listed
/// make-up working days. [`Calendar::default`] lists nothing (weekends only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    /// Holidays that fall on a weekday (the ones that change anything).
    holidays: BTreeSet<NaiveDate>,
    /// Holidays listed on a weekend: kept so the calendar can be written back as it was given.
    weekend_holidays: BTreeSet<NaiveDate>,
    /// Make-up working days (all on weekends).
    workdays: BTreeSet<NaiveDate>,
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Monday to Friday among the days numbered `1..=x` from the common era (day 1, 0001-01-01,
/// was a Monday). Defined for every `x` (negative too): it grows by one exactly on weekdays.
fn weekdays_through(x: i64) -> i64 {
    5 * x.div_euclid(7) + x.rem_euclid(7).min(5)
}

fn day_number(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce())
}

impl Calendar {
    /// A calendar with these holidays and make-up working days. Holidays may fall on a weekend
    /// (a holiday week is usually published as a whole); make-up working days must.
    pub fn new(
        holidays: impl IntoIterator<Item = NaiveDate>,
        workdays: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<Calendar, CalendarError> {
        let mut cal = Calendar::default();
        for d in workdays {
            cal.add(d, DayKind::Workday)?;
        }
        for d in holidays {
            cal.add(d, DayKind::Holiday)?;
        }
        Ok(cal)
    }

    fn add(&mut self, d: NaiveDate, kind: DayKind) -> Result<(), CalendarError> {
        match kind {
            DayKind::Workday => {
                if !is_weekend(d) {
                    return Err(CalendarError::WorkdayNotOnWeekend {
                        date: d,
                        weekday: d.weekday().to_string(),
                    });
                }
                if self.weekend_holidays.contains(&d) {
                    return Err(CalendarError::HolidayAndWorkday { date: d });
                }
                self.workdays.insert(d);
            }
            DayKind::Holiday => {
                if self.workdays.contains(&d) {
                    return Err(CalendarError::HolidayAndWorkday { date: d });
                }
                if is_weekend(d) {
                    self.weekend_holidays.insert(d);
                } else {
                    self.holidays.insert(d);
                }
            }
        }
        Ok(())
    }

    /// Reads the text form described in the module documentation. Refuses the first wrong line
    /// with its number and the reason; a date may be listed once only.
    pub fn parse(text: &str) -> Result<Calendar, CalendarParseError> {
        let mut cal = Calendar::default();
        let mut first_seen: std::collections::BTreeMap<NaiveDate, usize> = Default::default();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let refuse = |problem| CalendarParseError { line, problem };
            let content = raw.split('#').next().unwrap_or("");
            let mut words = content.split_whitespace();
            let Some(date_text) = words.next() else {
                continue;
            };
            let date = parse_date(date_text).ok_or_else(|| {
                refuse(LineProblem::NotDate {
                    text: date_text.to_string(),
                })
            })?;
            let kind = match words.next() {
                None => return Err(refuse(LineProblem::MissingKind)),
                Some(k) => match k.to_ascii_lowercase().as_str() {
                    "holiday" | "休" | "假" => DayKind::Holiday,
                    "workday" | "班" => DayKind::Workday,
                    _ => {
                        return Err(refuse(LineProblem::UnknownKind {
                            text: k.to_string(),
                        }));
                    }
                },
            };
            let rest: Vec<&str> = words.collect();
            if !rest.is_empty() {
                return Err(refuse(LineProblem::TrailingText {
                    text: rest.join(" "),
                }));
            }
            let before = first_seen.get(&date).copied();
            if let Some(first_line) = before {
                let same_kind = match kind {
                    DayKind::Workday => cal.workdays.contains(&date),
                    DayKind::Holiday => {
                        cal.holidays.contains(&date) || cal.weekend_holidays.contains(&date)
                    }
                };
                if same_kind {
                    return Err(refuse(LineProblem::Repeated { first_line }));
                }
            }
            cal.add(date, kind).map_err(|error| {
                refuse(LineProblem::Calendar {
                    error,
                    first_line: before,
                })
            })?;
            first_seen.insert(date, line);
        }
        Ok(cal)
    }

    /// Writes the calendar in the text form [`Calendar::parse`] reads, one date a line in date
    /// order.
    pub fn to_text(&self) -> String {
        let mut all: Vec<(NaiveDate, &str)> = self
            .holidays
            .iter()
            .chain(&self.weekend_holidays)
            .map(|d| (*d, "holiday"))
            .chain(self.workdays.iter().map(|d| (*d, "workday")))
            .collect();
        all.sort();
        all.iter().map(|(d, k)| format!("{d} {k}\n")).collect()
    }

    /// Every listed date and what it is, in date order.
    pub fn entries(&self) -> Vec<(NaiveDate, DayKind)> {
        let mut all: Vec<(NaiveDate, DayKind)> = self
            .holidays
            .iter()
            .chain(&self.weekend_holidays)
            .map(|d| (*d, DayKind::Holiday))
            .chain(self.workdays.iter().map(|d| (*d, DayKind::Workday)))
            .collect();
        all.sort_by_key(|(d, _)| *d);
        all
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if is_weekend(date) {
            self.workdays.contains(&date)
        } else {
            !self.holidays.contains(&date)
        }
    }

    /// The working days `d` with `a < d <= b` when `a <= b`; when `b < a`, minus the working days
    /// with `b < d <= a`. So `working_days_between(a, a) == 0`, and from a Friday to the next
    /// Monday (no holiday) is 1.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> i64 {
        if b < a {
            return -self.working_days_between(b, a);
        }
        // Half-open (a, b] as BTreeSet ranges.
        let range = (std::ops::Bound::Excluded(a), std::ops::Bound::Included(b));
        let weekdays = weekdays_through(day_number(b)) - weekdays_through(day_number(a));
        let off = self.holidays.range(range).count() as i64;
        let on = self.workdays.range(range).count() as i64;
        weekdays - off + on
    }

    /// The day `n` working days after `from`: for `n >= 1`, the `n`-th working day strictly
    /// after `from` (whether or not `from` is itself a working day, so a Friday plus 1 is the
    /// next Monday, and a Saturday plus 1 too); for `n == 0`, `from` itself if it is a working
    /// day, else the first working day after it.
    ///
    /// A deadline "within n working days of registration" is therefore this day, inclusive.
    /// `None` only when the answer would lie beyond the dates chrono can represent.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Option<NaiveDate> {
        if n == 0 {
            return if self.is_working_day(from) {
                Some(from)
            } else {
                self.add_working_days(from, 1)
            };
        }
        let n = i64::from(n);
        // Any 7 consecutive days hold 5 weekdays, and each listed holiday removes at most one:
        // this many days after `from` surely hold `n` working days.
        let extra = self.holidays.len() as i64;
        let mut hi = (n + extra)
            .div_euclid(5)
            .saturating_add(1)
            .saturating_mul(7);
        let start = day_number(from);
        let last = start.checked_add(hi)?;
        let last_date = NaiveDate::from_num_days_from_ce_opt(i32::try_from(last).ok()?)?;
        if self.working_days_between(from, last_date) < n {
            return None;
        }
        // The smallest offset whose count reaches n is the n-th working day.
        let mut lo = 0i64;
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            let d = NaiveDate::from_num_days_from_ce_opt(i32::try_from(start + mid).ok()?)?;
            if self.working_days_between(from, d) >= n {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        NaiveDate::from_num_days_from_ce_opt(i32::try_from(start + hi).ok()?)
    }

    /// The first working day on or after `date` (the same as `add_working_days(date, 0)`).
    pub fn working_day_on_or_after(&self, date: NaiveDate) -> Option<NaiveDate> {
        self.add_working_days(date, 0)
    }
}

/// Reads exactly `YYYY-MM-DD` (four-digit year, two-digit month and day).
fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// The 2026 National Day week as published: 10-01 (Thu) to 10-07 (Wed) off; Sunday 09-20 and
    /// Saturday 10-10 worked.
    const NATIONAL_DAY_2026: &str = "\
# 2026 国庆节：10月1日至7日放假调休，共7天
2026-09-20 workday   # 周日上班
2026-10-01 holiday
2026-10-02 holiday
2026-10-03 holiday
2026-10-04 holiday
2026-10-05 holiday
2026-10-06 holiday
2026-10-07 holiday

2026-10-10 workday   # 周六上班
";

    fn national_day() -> Calendar {
        Calendar::parse(NATIONAL_DAY_2026).unwrap()
    }

    #[test]
    fn the_national_day_week_is_off_and_its_make_up_days_are_worked() {
        let cal = national_day();
        assert_eq!(d(2026, 9, 20).weekday(), Weekday::Sun);
        assert_eq!(d(2026, 10, 1).weekday(), Weekday::Thu);
        assert_eq!(d(2026, 10, 10).weekday(), Weekday::Sat);
        for day in 1..=7 {
            assert!(!cal.is_working_day(d(2026, 10, day)), "10-{day:02}");
        }
        assert!(cal.is_working_day(d(2026, 9, 20)));
        assert!(cal.is_working_day(d(2026, 10, 10)));
        assert!(cal.is_working_day(d(2026, 10, 8)));
        assert!(!cal.is_working_day(d(2026, 10, 11)), "an ordinary Sunday");
        assert!(cal.is_working_day(d(2026, 9, 30)));
        assert_eq!(cal.entries().len(), 9);
    }

    #[test]
    fn a_friday_plus_one_working_day_is_the_monday() {
        let cal = Calendar::default();
        let friday = d(2026, 3, 6);
        assert_eq!(friday.weekday(), Weekday::Fri);
        assert_eq!(cal.add_working_days(friday, 1), Some(d(2026, 3, 9)));
        assert_eq!(cal.add_working_days(friday, 0), Some(friday));
        assert_eq!(cal.add_working_days(d(2026, 3, 7), 0), Some(d(2026, 3, 9)));
        assert_eq!(cal.add_working_days(d(2026, 3, 7), 1), Some(d(2026, 3, 9)));
        assert_eq!(cal.add_working_days(friday, 5), Some(d(2026, 3, 13)));
        assert_eq!(cal.working_days_between(friday, d(2026, 3, 9)), 1);
        assert_eq!(cal.working_days_between(d(2026, 3, 9), friday), -1);
        assert_eq!(cal.working_days_between(friday, friday), 0);
    }

    #[test]
    fn a_deadline_that_crosses_national_day_skips_the_week_and_counts_the_saturday() {
        let cal = national_day();
        // Registered on Tuesday 2026-09-29: 15 working days are 09-30, 10-08, 10-09, 10-10
        // (Saturday, worked), 10-12..16, 10-19..23 and 10-26.
        let registered = d(2026, 9, 29);
        assert_eq!(cal.add_working_days(registered, 1), Some(d(2026, 9, 30)));
        assert_eq!(cal.add_working_days(registered, 2), Some(d(2026, 10, 8)));
        assert_eq!(cal.add_working_days(registered, 4), Some(d(2026, 10, 10)));
        assert_eq!(cal.add_working_days(registered, 15), Some(d(2026, 10, 26)));
        // Without the holidays the same deadline is three weeks on.
        assert_eq!(
            Calendar::default().add_working_days(registered, 15),
            Some(d(2026, 10, 20))
        );
        // Registered on the holiday itself, routing within 1 working day is due on 10-08.
        assert_eq!(
            cal.add_working_days(d(2026, 10, 3), 1),
            Some(d(2026, 10, 8))
        );
        assert_eq!(cal.working_days_between(d(2026, 9, 30), d(2026, 10, 8)), 1);
        assert_eq!(cal.working_days_between(d(2026, 9, 19), d(2026, 9, 20)), 1);
    }

    #[test]
    fn dates_at_the_edge_of_the_representable_range_give_none_not_a_panic() {
        let cal = Calendar::default();
        assert_eq!(cal.add_working_days(NaiveDate::MAX, 1), None);
        assert_eq!(
            cal.add_working_days(NaiveDate::MAX - chrono::Days::new(30), u32::MAX),
            None
        );
        assert!(cal.add_working_days(NaiveDate::MIN, 10).is_some());
        let far = cal.working_days_between(NaiveDate::MIN, NaiveDate::MAX);
        assert!(far > 0);
        assert_eq!(
            cal.add_working_days(d(2026, 1, 1), 1_000_000)
                .map(|x| x.year()),
            Some(5859)
        );
    }

    #[test]
    fn each_wrong_line_is_refused_with_its_number_and_reason() {
        let cases: &[(&str, usize, LineProblem)] = &[
            (
                "2026-10-01 holiday\n2026-13-01 holiday",
                2,
                LineProblem::NotDate {
                    text: "2026-13-01".into(),
                },
            ),
            (
                "2026-1-01 holiday",
                1,
                LineProblem::NotDate {
                    text: "2026-1-01".into(),
                },
            ),
            ("# c\n\n2026-10-01", 3, LineProblem::MissingKind),
            (
                "2026-10-01 off",
                1,
                LineProblem::UnknownKind { text: "off".into() },
            ),
            (
                "2026-10-01 holiday 国庆",
                1,
                LineProblem::TrailingText {
                    text: "国庆".into(),
                },
            ),
            (
                "2026-10-01 holiday\n2026-10-01 holiday",
                2,
                LineProblem::Repeated { first_line: 1 },
            ),
            (
                "2026-10-09 workday",
                1,
                LineProblem::Calendar {
                    error: CalendarError::WorkdayNotOnWeekend {
                        date: d(2026, 10, 9),
                        weekday: "Fri".into(),
                    },
                    first_line: None,
                },
            ),
            (
                "2026-10-10 workday\n# x\n2026-10-10 holiday",
                3,
                LineProblem::Calendar {
                    error: CalendarError::HolidayAndWorkday {
                        date: d(2026, 10, 10),
                    },
                    first_line: Some(1),
                },
            ),
        ];
        for (text, line, problem) in cases {
            let err = Calendar::parse(text).unwrap_err();
            assert_eq!(err.line, *line, "{text}");
            assert_eq!(&err.problem, problem, "{text}");
            assert!(err.to_string().starts_with(&format!("line {line}: ")));
            assert!(err.zh().starts_with(&format!("第 {line} 行：")));
        }
    }

    #[test]
    fn chinese_kinds_comments_and_blank_lines_are_read() {
        let cal =
            Calendar::parse("  2026-10-01 休 # 国庆\n\n#only a comment\n2026-10-10 班").unwrap();
        assert!(!cal.is_working_day(d(2026, 10, 1)));
        assert!(cal.is_working_day(d(2026, 10, 10)));
        assert_eq!(Calendar::parse("").unwrap(), Calendar::default());
    }

    #[test]
    fn new_refuses_what_parse_refuses() {
        assert_eq!(
            Calendar::new([], [d(2026, 10, 9)]),
            Err(CalendarError::WorkdayNotOnWeekend {
                date: d(2026, 10, 9),
                weekday: "Fri".into()
            })
        );
        assert_eq!(
            Calendar::new([d(2026, 10, 10)], [d(2026, 10, 10)]),
            Err(CalendarError::HolidayAndWorkday {
                date: d(2026, 10, 10)
            })
        );
        assert!(
            CalendarError::HolidayAndWorkday {
                date: d(2026, 10, 10)
            }
            .zh()
            .contains("调休")
        );
    }

    #[test]
    fn the_text_form_round_trips() {
        let cal = national_day();
        assert_eq!(Calendar::parse(&cal.to_text()).unwrap(), cal);
    }

    fn any_calendar() -> impl Strategy<Value = Calendar> {
        // Random holidays and make-up days in 2026-2027 (conflicts dropped).
        (
            proptest::collection::vec(0u64..730, 0..40),
            proptest::collection::vec(0u64..730, 0..10),
        )
            .prop_map(|(h, w)| {
                let base = d(2026, 1, 1);
                let mut cal = Calendar::default();
                for x in w {
                    let _ = cal.add(base + chrono::Days::new(x), DayKind::Workday);
                }
                for x in h {
                    let _ = cal.add(base + chrono::Days::new(x), DayKind::Holiday);
                }
                cal
            })
    }

    proptest! {
        #[test]
        fn adding_working_days_lands_on_a_working_day_and_counts_back(
            cal in any_calendar(), start in 0u64..760, n in 0u32..120,
        ) {
            let from = d(2025, 12, 1) + chrono::Days::new(start);
            let to = cal.add_working_days(from, n).unwrap();
            prop_assert!(cal.is_working_day(to));
            prop_assert!(to >= from);
            if cal.is_working_day(from) {
                prop_assert_eq!(cal.working_days_between(from, to), i64::from(n));
            } else {
                prop_assert_eq!(cal.working_days_between(from, to), i64::from(n.max(1)));
            }
            // Nothing earlier would do: the day before has one working day fewer.
            if n >= 1 {
                let before = to.pred_opt().unwrap();
                prop_assert_eq!(cal.working_days_between(from, before), i64::from(n) - 1);
            }
        }

        #[test]
        fn counting_agrees_with_walking_day_by_day(
            cal in any_calendar(), a in 0u64..760, len in 0u64..90,
        ) {
            let from = d(2025, 12, 1) + chrono::Days::new(a);
            let to = from + chrono::Days::new(len);
            let mut walked = 0i64;
            let mut day = from;
            while day < to {
                day = day.succ_opt().unwrap();
                if cal.is_working_day(day) { walked += 1; }
            }
            prop_assert_eq!(cal.working_days_between(from, to), walked);
            prop_assert_eq!(cal.working_days_between(to, from), -walked);
        }

        #[test]
        fn parse_never_panics_and_round_trips_what_it_reads(text in "[0-9a-z# \\-\n]{0,80}") {
            if let Ok(cal) = Calendar::parse(&text) {
                prop_assert_eq!(Calendar::parse(&cal.to_text()).unwrap(), cal);
            }
        }
    }
}
