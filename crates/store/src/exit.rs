//! What the storage keeps of standards, and how it hands the registry to the exit evaluation:
//! row types and the SQL both backends share.

use jingzhun_domain::checks::HouseholdFacts;
use jingzhun_domain::exit::{ExitHousehold, MemberFacts};
use jingzhun_domain::standards::{StandardEntry, StandardKey};
use jingzhun_domain::vocab::Vocabulary;
use serde::Serialize;

use crate::{Result, StoreError};

/// A standard an administrator set, with who set it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StandardRecord {
    pub entry: StandardEntry,
    /// Starts at 1; each change adds one (optimistic concurrency).
    pub version: i64,
    pub set_by: String,
    pub set_at: String,
}

#[derive(Debug, sqlx::FromRow)]
pub struct StandardRow {
    pub key: String,
    pub year: i32,
    pub region: String,
    pub value: i64,
    pub source: String,
    pub set_by: String,
    pub set_at: chrono::DateTime<chrono::Utc>,
    pub version: i64,
}

impl TryFrom<StandardRow> for StandardRecord {
    type Error = StoreError;
    fn try_from(r: StandardRow) -> Result<Self> {
        let key = StandardKey::from_code(&r.key)
            .ok_or_else(|| StoreError::Corrupt(format!("standard key {:?}", r.key)))?;
        Ok(StandardRecord {
            entry: StandardEntry {
                key,
                year: (r.year != 0).then_some(r.year),
                region: (!r.region.is_empty()).then_some(r.region),
                value: r.value,
                source: r.source,
                confirmed: true,
            },
            version: r.version,
            set_by: r.set_by,
            set_at: r.set_at.to_rfc3339(),
        })
    }
}

pub const STANDARDS: &str = "SELECT key, year, region, value, source, set_by, set_at, version \
    FROM standards ORDER BY key, year, region";
/// Inserts the first value of a slot; affects no row if someone stored one meanwhile.
pub const STANDARD_INSERT: &str = "INSERT INTO standards (key, year, region, value, source, set_by, set_at, version) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, 1) ON CONFLICT (key, year, region) DO NOTHING";
/// Replaces a value if it is still the version the writer saw.
pub const STANDARD_UPDATE: &str = "UPDATE standards SET value = $4, source = $5, set_by = $6, set_at = $7, \
    version = version + 1 WHERE key = $1 AND year = $2 AND region = $3 AND version = $8";

/// The households the exit evaluation reads, within a village code range, in the order of
/// their number (PostgreSQL's backend adds `COLLATE "C"`, so that both read in Rust's order).
pub const EXIT_HOUSEHOLDS: &str = "SELECT household_id, village_code, status, annual_net_income_fen, income_year, \
    housing_safe, water_safe FROM households WHERE village_code BETWEEN $1 AND $2 ORDER BY household_id";
pub const EXIT_PERSONS_ALL: &str = "SELECT household_id, birth_date, school_status, medical_insurance, deceased_on \
    FROM persons ORDER BY household_id";
/// Members of the households of a village code range. (Measured on SQLite with a million
/// members: the `IN` form reads in key order, a join sorts; for a county or more, reading every
/// member and skipping the others is faster still, which the backends do.)
pub const EXIT_PERSONS_WITHIN: &str = "SELECT p.household_id, p.birth_date, p.school_status, p.medical_insurance, \
    p.deceased_on FROM persons p WHERE p.household_id IN \
    (SELECT household_id FROM households WHERE village_code BETWEEN $1 AND $2) ORDER BY p.household_id";
/// The same households read in key order without the village index (SQLite): for a large
/// area, scanning the table in order beats the index and a sort.
pub const EXIT_HOUSEHOLDS_SCAN: &str = "SELECT household_id, village_code, status, annual_net_income_fen, income_year, \
    housing_safe, water_safe FROM households NOT INDEXED WHERE village_code BETWEEN $1 AND $2 ORDER BY household_id";

/// Whether an area is large enough (everywhere, or a province) to read whole tables rather
/// than seek its households.
pub fn reads_whole_tables(within: Option<&jingzhun_domain::area::AreaCode>) -> bool {
    within.is_none_or(|c| c.level() == jingzhun_domain::area::AreaLevel::Province)
}

/// Reads `YYYY-MM-DD` without the general date parser (a million birth dates per read).
pub fn iso_date(text: &str) -> Option<chrono::NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// Adds each member to its household while both lists are read in the same order (a merge,
/// no hashing of a million numbers). A member whose household is not in the list (outside the
/// range) is skipped.
#[derive(Debug, Default)]
pub struct MemberAttacher {
    households: Vec<ExitHousehold>,
    cursor: usize,
}

impl MemberAttacher {
    /// Sorts the households by number (a no-op on a list read in that order).
    pub fn new(mut households: Vec<HouseholdFacts>) -> Self {
        households.sort_by(|a, b| a.id.cmp(&b.id));
        MemberAttacher {
            households: households
                .into_iter()
                .map(|facts| ExitHousehold {
                    facts,
                    members: Vec::new(),
                })
                .collect(),
            cursor: 0,
        }
    }

    pub fn push(&mut self, household_id: &str, member: MemberFacts) {
        while let Some(h) = self.households.get(self.cursor) {
            match h.facts.id.as_str().cmp(household_id) {
                std::cmp::Ordering::Less => self.cursor += 1,
                std::cmp::Ordering::Equal => {
                    self.households[self.cursor].members.push(member);
                    return;
                }
                std::cmp::Ordering::Greater => break,
            }
        }
        // Not in order (should not happen) or not in the list: look it up.
        if let Ok(i) = self
            .households
            .binary_search_by(|h| h.facts.id.as_str().cmp(household_id))
        {
            self.households[i].members.push(member);
        }
    }

    pub fn finish(self) -> Vec<ExitHousehold> {
        self.households
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jingzhun_domain::area::AreaCode;
    use jingzhun_domain::vocab::HouseholdStatus;

    fn facts(id: &str) -> HouseholdFacts {
        HouseholdFacts {
            id: id.into(),
            village: AreaCode::parse("510304100201").unwrap(),
            status: HouseholdStatus::Registered,
            income_fen: 0,
            income_year: 2020,
            housing_safe: true,
            water_safe: true,
        }
    }

    fn member(year: i32) -> MemberFacts {
        MemberFacts {
            birth_date: chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap(),
            school_status: None,
            medical_insurance: None,
            deceased_on: None,
        }
    }

    #[test]
    fn iso_dates_are_read_fast_and_anything_else_carefully() {
        let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(iso_date("2014-09-01"), d(2014, 9, 1));
        assert_eq!(iso_date("2014-02-30"), None);
        assert_eq!(iso_date("2014-0a-01"), None);
        assert_eq!(iso_date("2014-9-1"), d(2014, 9, 1));
        assert_eq!(iso_date(""), None);
    }

    #[test]
    fn members_reach_their_household_in_order_out_of_order_or_not_at_all() {
        let mut a = MemberAttacher::new(vec![facts("A"), facts("B"), facts("D")]);
        a.push("A", member(1990));
        a.push("B", member(1991));
        a.push("C", member(1992)); // no such household: skipped
        a.push("D", member(1993));
        a.push("A", member(1994)); // out of order: still found
        let hs = a.finish();
        let years: Vec<Vec<i32>> = hs
            .iter()
            .map(|h| {
                h.members
                    .iter()
                    .map(|m| chrono::Datelike::year(&m.birth_date))
                    .collect()
            })
            .collect();
        assert_eq!(years, [vec![1990, 1994], vec![1991], vec![1993]]);
    }
}
