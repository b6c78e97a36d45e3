//! SQL that is the same on both backends (`$N` parameters work on SQLite and PostgreSQL).
//! Backend-specific statements (pragmas, bulk loading, locking) stay in the backend crates.

use jingzhun_domain::area::{AreaCode, AreaLevel};
use jingzhun_domain::vocab::{HouseholdStatus, Vocabulary};

use crate::{ChildCounts, Result, StoreError};

pub const AREA: &str = "SELECT code, name, level, parent_code FROM areas WHERE code = $1";
pub const PROVINCES: &str =
    "SELECT code, name, level, parent_code FROM areas WHERE parent_code IS NULL ORDER BY code";
pub const CHILDREN: &str =
    "SELECT code, name, level, parent_code FROM areas WHERE parent_code = $1 ORDER BY code";
pub const AREA_COUNTS: &str = "SELECT CAST(level AS BIGINT), COUNT(*) FROM areas GROUP BY level";
pub const VILLAGES_WITHIN: &str =
    "SELECT code FROM areas WHERE level = 5 AND code BETWEEN $1 AND $2 ORDER BY code";
pub const DESIGNATIONS_WITHIN: &str = "SELECT area_code, designation, designated_year, exit_year \
     FROM area_designations WHERE area_code BETWEEN $1 AND $2 ORDER BY area_code, designation";
pub const CHILD_POPULATIONS: &str = "SELECT substr(area_code, 1, $1) AS child, CAST(SUM(rural_population) AS BIGINT) \
     FROM area_populations p JOIN areas a ON a.code = p.area_code \
     WHERE a.level = 5 AND p.year = $2 AND p.area_code BETWEEN $3 AND $4 GROUP BY 1 ORDER BY 1";

pub const CHILD_HOUSEHOLD_COUNTS: &str = "SELECT substr(village_code, 1, $1) AS child, status, COUNT(*) \
     FROM households WHERE village_code BETWEEN $2 AND $3 GROUP BY 1, 2";
pub const CHILD_PERSON_COUNTS: &str = "SELECT substr(h.village_code, 1, $1) AS child, h.status, COUNT(*) \
     FROM households h JOIN persons p ON p.household_id = h.household_id \
     WHERE h.village_code BETWEEN $2 AND $3 GROUP BY 1, 2";

/// The stored columns of a household, in the order of [`crate::rows::HouseholdRow`].
macro_rules! household_columns {
    () => {
        "household_id, village_code, group_name, status, poverty_type, identified_year, \
         exit_year, primary_cause, housing_safe, water_safe, annual_net_income_fen, income_year, \
         phone, address, other_causes, removal_reason, wage_income_fen, production_income_fen, \
         property_income_fen, transfer_income_fen, production_costs_fen"
    };
}

/// The stored columns of a person, in the order of [`crate::rows::PersonRow`].
macro_rules! person_columns {
    () => {
        "id_number, name, household_id, relation, gender, birth_date, education, school_status, \
         health, disability_grade, labour, medical_insurance, pension_insurance, dibao, \
         ethnicity, migrant_work_months, serious_illness_insurance, deceased_on"
    };
}

/// How many columns [`household_columns!`] and [`person_columns!`] list.
pub const HOUSEHOLD_COLUMN_COUNT: usize = 21;
pub const PERSON_COLUMN_COUNT: usize = 18;

pub const HOUSEHOLD_SELECT: &str = concat!("SELECT ", household_columns!(), " FROM households");
pub const HOUSEHOLD_BY_ID: &str = concat!(
    "SELECT ",
    household_columns!(),
    " FROM households WHERE household_id = $1"
);
pub const PERSON_SELECT: &str = concat!("SELECT ", person_columns!(), " FROM persons");
/// Followed by the rows (the household columns, then import_id and updated_at), then an
/// optional conflict clause.
pub const HOUSEHOLD_INSERT: &str = concat!(
    "INSERT INTO households (",
    household_columns!(),
    ", import_id, updated_at) "
);
pub const PERSON_INSERT: &str = concat!("INSERT INTO persons (", person_columns!(), ") ");

pub const HOUSEHOLD_UPSERT: &str = " ON CONFLICT (household_id) DO UPDATE SET \
     village_code = excluded.village_code, group_name = excluded.group_name, \
     status = excluded.status, poverty_type = excluded.poverty_type, \
     identified_year = excluded.identified_year, exit_year = excluded.exit_year, \
     primary_cause = excluded.primary_cause, housing_safe = excluded.housing_safe, \
     water_safe = excluded.water_safe, annual_net_income_fen = excluded.annual_net_income_fen, \
     income_year = excluded.income_year, phone = excluded.phone, \
     address = excluded.address, other_causes = excluded.other_causes, \
     removal_reason = excluded.removal_reason, wage_income_fen = excluded.wage_income_fen, \
     production_income_fen = excluded.production_income_fen, \
     property_income_fen = excluded.property_income_fen, \
     transfer_income_fen = excluded.transfer_income_fen, \
     production_costs_fen = excluded.production_costs_fen, \
     import_id = excluded.import_id, updated_at = excluded.updated_at";
pub const PERSON_UPSERT: &str = " ON CONFLICT (household_id, id_number) DO UPDATE SET \
     name = excluded.name, relation = excluded.relation, gender = excluded.gender, \
     birth_date = excluded.birth_date, education = excluded.education, \
     school_status = excluded.school_status, health = excluded.health, \
     disability_grade = excluded.disability_grade, labour = excluded.labour, \
     medical_insurance = excluded.medical_insurance, \
     pension_insurance = excluded.pension_insurance, dibao = excluded.dibao, \
     ethnicity = excluded.ethnicity, migrant_work_months = excluded.migrant_work_months, \
     serious_illness_insurance = excluded.serious_illness_insurance, \
     deceased_on = excluded.deceased_on";
pub const AREA_INSERT: &str = "INSERT INTO areas (code, name, level, parent_code) ";
pub const AREA_UPSERT: &str = " ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
     level = excluded.level, parent_code = excluded.parent_code";
pub const DESIGNATION_UPSERT: &str = "INSERT INTO area_designations (area_code, designation, \
     designated_year, exit_year) VALUES ($1, $2, $3, $4) ON CONFLICT (area_code, designation) \
     DO UPDATE SET designated_year = excluded.designated_year, exit_year = excluded.exit_year";
pub const POPULATION_UPSERT: &str = "INSERT INTO area_populations (area_code, year, rural_population) \
     VALUES ($1, $2, $3) ON CONFLICT (area_code, year) DO UPDATE SET \
     rural_population = excluded.rural_population";
/// PostgreSQL: the transaction-scoped lock that serialises imports (released at commit or
/// rollback). The key is arbitrary but fixed.
pub const IMPORT_LOCK: &str = "SELECT pg_advisory_xact_lock(4948737780)";
pub const BEGIN_IMPORT: &str = "INSERT INTO imports (kind, digest, source, actor, started_at, forced) \
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";

pub const USER_SELECT: &str =
    "SELECT id, login, display_name, password_hash, disabled, failed_logins FROM users";
pub const USER_ROLES: &str = "SELECT user_id, role, area_code, starts_on, ends_on, sealed \
     FROM user_roles ORDER BY user_id, role, area_code";
pub const USER_ROLES_OF: &str = "SELECT user_id, role, area_code, starts_on, ends_on, sealed \
     FROM user_roles WHERE user_id = $1 ORDER BY role, area_code";
pub const CREATE_USER: &str = "INSERT INTO users (login, display_name, password_hash, created_at) \
     VALUES ($1, $2, $3, $4) RETURNING id";
pub const ASSIGN: &str = "INSERT INTO user_roles (user_id, role, area_code, starts_on, ends_on, \
     sealed) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, role, area_code) DO UPDATE \
     SET starts_on = excluded.starts_on, ends_on = excluded.ends_on, sealed = excluded.sealed";
pub const SET_PASSWORD_HASH: &str =
    "UPDATE users SET password_hash = $1, failed_logins = 0 WHERE id = $2";
pub const RECORD_LOGIN: &str = "UPDATE users SET failed_logins = \
     CASE WHEN $1 THEN 0 ELSE failed_logins + 1 END WHERE id = $2";
pub const SET_DISABLED: &str = "UPDATE users SET disabled = $1 WHERE id = $2";

pub const SESSION: &str = "SELECT u.login, s.csrf, s.expires_at FROM sessions s \
     JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1";
pub const SESSION_USER: &str = "SELECT u.id, u.login, u.display_name, u.password_hash, \
     u.disabled, u.failed_logins, s.csrf, s.expires_at FROM sessions s \
     JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1";
pub const CREATE_SESSION: &str = "INSERT INTO sessions (token_hash, user_id, csrf, created_at, \
     expires_at) VALUES ($1, $2, $3, $4, $5)";
pub const DELETE_SESSION: &str = "DELETE FROM sessions WHERE token_hash = $1";

pub const CAUSE_COUNTS: &str = "SELECT primary_cause, COUNT(*) FROM households \
     WHERE village_code BETWEEN $1 AND $2 AND status IN ('registered', 'exited', 'monitored') \
     GROUP BY primary_cause";
pub const GAP_HOUSEHOLDS: &str = "SELECT \
     CAST(COALESCE(SUM(CASE WHEN NOT housing_safe THEN 1 ELSE 0 END), 0) AS BIGINT), \
     CAST(COALESCE(SUM(CASE WHEN NOT water_safe THEN 1 ELSE 0 END), 0) AS BIGINT) \
     FROM households WHERE village_code BETWEEN $1 AND $2 \
     AND status IN ('registered', 'exited', 'monitored')";
pub const GAP_PERSONS: &str = "SELECT \
     CAST(COUNT(DISTINCT CASE WHEN NOT p.medical_insurance THEN h.household_id END) AS BIGINT), \
     CAST(COUNT(DISTINCT CASE WHEN p.school_status = 'dropout' THEN h.household_id END) AS BIGINT) \
     FROM households h JOIN persons p ON p.household_id = h.household_id \
     WHERE h.village_code BETWEEN $1 AND $2 AND h.status IN ('registered', 'exited', 'monitored') \
     AND p.deceased_on IS NULL";
/// The condition a search adds for a gap (on `households`).
pub fn gap_condition(gap: jingzhun_domain::vocab::Gap) -> &'static str {
    use jingzhun_domain::vocab::Gap;
    match gap {
        Gap::Housing => " AND NOT housing_safe AND status IN ('registered', 'exited', 'monitored')",
        Gap::Water => " AND NOT water_safe AND status IN ('registered', 'exited', 'monitored')",
        Gap::Uninsured => {
            " AND status IN ('registered', 'exited', 'monitored') AND EXISTS (SELECT 1 FROM persons p \
             WHERE p.household_id = households.household_id AND NOT p.medical_insurance \
             AND p.deceased_on IS NULL)"
        }
        Gap::OutOfSchool => {
            " AND status IN ('registered', 'exited', 'monitored') AND EXISTS (SELECT 1 FROM persons p \
             WHERE p.household_id = households.household_id AND p.school_status = 'dropout' \
             AND p.deceased_on IS NULL)"
        }
    }
}
pub const HOUSEHOLD_IMPORT: &str = "SELECT i.id, i.kind, i.digest, i.source, i.actor, i.started_at, \
     i.households, i.persons, i.forced FROM imports i JOIN households h ON h.import_id = i.id \
     WHERE h.household_id = $1";
pub const AUDIT_OF: &str = "SELECT seq, at, actor, action, subject_kind, subject_id, detail, \
     prev_hash, hash FROM audit_log WHERE subject_kind = $1 AND subject_id = $2 ORDER BY seq";

/// The registry's secondary indexes, as the migrations create them.
pub const REGISTRY_INDEXES: [(&str, &str); 3] = [
    (
        "households_village",
        "CREATE INDEX IF NOT EXISTS households_village ON households (village_code, status)",
    ),
    (
        "persons_id_number",
        "CREATE INDEX IF NOT EXISTS persons_id_number ON persons (id_number)",
    ),
    (
        "persons_name",
        "CREATE INDEX IF NOT EXISTS persons_name ON persons (name)",
    ),
];

pub const ANY_HOUSEHOLD: &str = "SELECT household_id FROM households LIMIT 1";
pub const LATEST_INCOME_YEAR: &str = "SELECT MAX(income_year) FROM households \
     WHERE village_code BETWEEN $1 AND $2 AND status <> 'applicant'";
pub const POPULATION_YEARS: &str = "SELECT DISTINCT p.year FROM area_populations p \
     JOIN areas a ON a.code = p.area_code \
     WHERE a.level = 5 AND p.area_code BETWEEN $1 AND $2 ORDER BY 1";

pub const IMPORT_BY_DIGEST: &str = "SELECT id, kind, digest, source, actor, started_at, households, \
     persons, forced FROM imports WHERE kind = $1 AND digest = $2 ORDER BY id LIMIT 1";
pub const FINISH_IMPORT: &str = "UPDATE imports SET households = $1, persons = $2 WHERE id = $3";

pub const AUDIT_PAGE: &str = "SELECT seq, at, actor, action, subject_kind, subject_id, detail, \
     prev_hash, hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2";
pub const AUDIT_HEAD: &str = "SELECT seq, hash FROM audit_head WHERE id = 1";
pub const AUDIT_INSERT: &str = "INSERT INTO audit_log (seq, at, actor, action, subject_kind, \
     subject_id, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
pub const AUDIT_MOVE_HEAD: &str =
    "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1 AND seq = $3";

/// The conflict clause for a write mode: none for a plain insert, the upsert otherwise.
pub fn on_conflict(mode: crate::WriteMode, upsert: &'static str) -> &'static str {
    match mode {
        crate::WriteMode::Insert => "",
        crate::WriteMode::Upsert => upsert,
    }
}

/// Whether a search text may be an ID number (18 characters: 17 digits, then a digit or X).
pub fn looks_like_id_number(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 18
        && b[..17].iter().all(u8::is_ascii_digit)
        && (b[17].is_ascii_digit() || b[17] == b'x' || b[17] == b'X')
}

/// The range of names beginning with `text` (`lo <= name < hi`, by code point: SQLite's
/// binary collation and the "C" collation of `persons.name` on PostgreSQL), for a text that can
/// begin a name: one with a character that is not an ASCII digit.
pub fn name_prefix_range(text: &str) -> Option<(String, String)> {
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut hi = text.to_string();
    hi.push(char::MAX);
    Some((text.to_string(), hi))
}

/// The inclusive code range of an area's descendants: `5103040` .. `510304999999`.
pub fn code_range(prefix: &str) -> (String, String) {
    (format!("{prefix:0<12}"), format!("{prefix:9<12}"))
}

/// How many digits identify the children of an area (a county's children are townships: 9).
pub fn child_digits(parent: &AreaCode) -> i32 {
    match parent.level() {
        AreaLevel::Province => 4,
        AreaLevel::City => 6,
        AreaLevel::County => 9,
        AreaLevel::Township | AreaLevel::Village => 12,
    }
}

pub fn short_code(prefix: &str) -> Result<AreaCode> {
    AreaCode::parse_short(prefix).map_err(|_| StoreError::Corrupt(format!("area code {prefix:?}")))
}

pub fn merge_counts(
    households: Vec<(String, String, i64)>,
    persons: Vec<(String, String, i64)>,
) -> Result<Vec<ChildCounts>> {
    let mut by: std::collections::BTreeMap<String, ChildCounts> = Default::default();
    let status = |s: &str| {
        HouseholdStatus::from_code(s)
            .ok_or_else(|| StoreError::Corrupt(format!("household status {s:?}")))
    };
    for (c, s, n) in households {
        let entry = by.entry(c.clone()).or_insert(ChildCounts {
            code: short_code(&c)?,
            counts: Default::default(),
        });
        entry.counts.add(status(&s)?, n, 0);
    }
    for (c, s, n) in persons {
        let entry = by.entry(c.clone()).or_insert(ChildCounts {
            code: short_code(&c)?,
            counts: Default::default(),
        });
        entry.counts.add(status(&s)?, 0, n);
    }
    Ok(by.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_are_recognised_by_shape() {
        assert!(looks_like_id_number("51030419800101002X"));
        assert!(looks_like_id_number("510304198001010021"));
        assert!(looks_like_id_number("51030419800101002x"));
        assert!(!looks_like_id_number("5103041980010100"));
        assert!(!looks_like_id_number("51030419800101002Y"));
        assert!(!looks_like_id_number("张三"));
    }

    #[test]
    fn name_ranges_cover_exactly_the_names_that_begin_with_the_text() {
        let (lo, hi) = name_prefix_range("王").unwrap();
        for name in ["王", "王小明", "王𠀀"] {
            assert!(lo.as_str() <= name && name < hi.as_str(), "{name}");
        }
        for name in ["汪洋", "玉", "张王"] {
            assert!(!(lo.as_str() <= name && name < hi.as_str()), "{name}");
        }
        assert_eq!(name_prefix_range("5103"), None, "digits never begin a name");
    }
}
