//! Dates as offices type them (interchange.md, Values): `1986-07-15`, `1986/7/15`, `1986.7.15`,
//! `19860715`, `1986年7月15日`; a spreadsheet's midnight time after the date (`1986/7/15 0:00`)
//! is allowed, anything else is not a date.

use chrono::NaiveDate;

/// Reads a date in one of the forms offices type. `None` when the text is none of them or names
/// a day that does not exist.
pub fn parse_office_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let t = strip_midnight(t)?;
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        let y = t[..4].parse().ok()?;
        let m = t[4..6].parse().ok()?;
        let d = t[6..].parse().ok()?;
        return NaiveDate::from_ymd_opt(y, m, d);
    }
    let (y, rest, sep) = if let Some((y, rest)) = t.split_once('年') {
        let (m, rest) = rest.split_once('月')?;
        let d = rest
            .strip_suffix('日')
            .or_else(|| rest.strip_suffix('号'))?;
        return ymd(y, m, d);
    } else {
        let sep = t.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
        let (y, rest) = t.split_once(sep)?;
        (y, rest, sep)
    };
    let (m, d) = rest.split_once(sep)?;
    ymd(y, m, d)
}

/// Year of four digits, month and day of one or two.
fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    let digits = |s: &str, min: usize, max: usize| {
        (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(y, 4, 4) || !digits(m, 1, 2) || !digits(d, 1, 2) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// The date part of `date 0:00`, `date 00:00:00`; `None` if a time other than midnight follows.
fn strip_midnight(t: &str) -> Option<&str> {
    match t.split_once(' ') {
        None => Some(t),
        Some((date, time)) => {
            let time = time.trim();
            let midnight = !time.is_empty()
                && time.split(':').count() <= 3
                && time
                    .split(':')
                    .all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b == b'0'));
            midnight.then_some(date.trim_end())
        }
    }
}

/// The date of a spreadsheet's day serial number (1900 date system: 1 is 1900-01-01, with
/// Excel's phantom 1900-02-29 at 60); only whole days within 1900..=9999.
pub fn from_excel_serial(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || serial.fract() != 0.0 || !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let n = serial as i64;
    // Serials from 61 on count from 1899-12-30 (Excel treats 1900 as a leap year).
    let base = if n >= 61 {
        NaiveDate::from_ymd_opt(1899, 12, 30)?
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 31)?
    };
    base.checked_add_signed(chrono::Duration::days(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn every_form_an_office_types_reads_as_the_same_day() {
        for t in [
            "1986-07-15",
            "1986-7-15",
            "1986/7/15",
            "1986/07/15",
            "1986.7.15",
            "19860715",
            "1986年7月15日",
            "1986年07月15日",
            " 1986/7/15 ",
            "1986/7/15 0:00",
            "1986-07-15 00:00:00",
        ] {
            assert_eq!(parse_office_date(t), d(1986, 7, 15), "{t}");
        }
    }

    #[test]
    fn what_is_not_a_day_is_refused() {
        for t in [
            "",
            "1986",
            "86/7/15",
            "1986/7",
            "1986-02-30",
            "19861315",
            "1986/7/15 13:00",
            "1986-7/15",
            "1986年7月",
            "15/7/1986",
            "1986/007/15",
            "１９８６/7/15",
            "1986/7/15/1",
        ] {
            assert_eq!(parse_office_date(t), None, "{t}");
        }
    }

    #[test]
    fn excel_serial_numbers_are_days_since_1900() {
        assert_eq!(from_excel_serial(31608.0), d(1986, 7, 15));
        assert_eq!(from_excel_serial(1.0), d(1900, 1, 1));
        assert_eq!(from_excel_serial(61.0), d(1900, 3, 1));
        assert_eq!(from_excel_serial(45000.5), None);
        assert_eq!(from_excel_serial(-3.0), None);
        assert_eq!(from_excel_serial(f64::NAN), None);
    }

    proptest! {
        #[test]
        fn every_form_of_a_day_reads_back_as_that_day(days in 0i64..70_000) {
            let day = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(days);
            use chrono::Datelike;
            let (y, m, dd) = (day.year(), day.month(), day.day());
            for t in [
                day.format("%Y-%m-%d").to_string(),
                format!("{y}/{m}/{dd}"),
                format!("{y}.{m}.{dd}"),
                day.format("%Y%m%d").to_string(),
                format!("{y}年{m}月{dd}日"),
            ] {
                prop_assert_eq!(parse_office_date(&t), Some(day), "{}", t);
            }
        }

        #[test]
        fn arbitrary_text_never_panics_and_a_date_read_is_a_real_day(t in ".{0,24}") {
            if let Some(day) = parse_office_date(&t) {
                prop_assert!(t.contains(&day.format("%Y").to_string()));
            }
        }
    }
}
