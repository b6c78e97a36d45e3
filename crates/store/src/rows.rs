//! Rows as both backends store them, and their conversion to and from domain types.
//! Enumerations are stored by their stable code (`registered`, `illness`...).

use chrono::NaiveDate;
use jingzhun_domain::area::{Area, AreaCode, AreaLevel};
use jingzhun_domain::audit::AuditEntry;
use jingzhun_domain::id_number::IdNumber;
use jingzhun_domain::money::Yuan;
use jingzhun_domain::registry::{Household, HouseholdId, IncomeComponents, Person, Phone};
use jingzhun_domain::vocab::{Cause, Vocabulary};

use crate::{ImportRecord, StoreError};

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

fn code<V: Vocabulary>(what: &str, value: &str) -> Result<V, StoreError> {
    V::from_code(value).ok_or_else(|| corrupt(what, value))
}

fn opt_code<V: Vocabulary>(what: &str, value: Option<String>) -> Result<Option<V>, StoreError> {
    value.map(|v| code(what, &v)).transpose()
}

pub fn area_code(value: &str) -> Result<AreaCode, StoreError> {
    AreaCode::parse(value).map_err(|_| corrupt("area code", value))
}

pub fn household_id(value: &str) -> Result<HouseholdId, StoreError> {
    HouseholdId::parse(value).map_err(|_| corrupt("household number", value))
}

#[derive(Debug, sqlx::FromRow)]
pub struct AreaRow {
    pub code: String,
    pub name: String,
    pub level: i32,
    pub parent_code: Option<String>,
}

impl TryFrom<AreaRow> for Area {
    type Error = StoreError;
    fn try_from(r: AreaRow) -> Result<Area, StoreError> {
        Ok(Area {
            code: area_code(&r.code)?,
            name: r.name,
            level: AreaLevel::from_number(i64::from(r.level))
                .ok_or_else(|| corrupt("area level", &r.level.to_string()))?,
            parent: r.parent_code.as_deref().map(area_code).transpose()?,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct HouseholdRow {
    pub household_id: String,
    pub village_code: String,
    pub group_name: Option<String>,
    pub status: String,
    pub poverty_type: Option<String>,
    pub identified_year: i32,
    pub exit_year: Option<i32>,
    pub primary_cause: Option<String>,
    pub housing_safe: bool,
    pub water_safe: bool,
    pub annual_net_income_fen: i64,
    pub income_year: i32,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// Cause codes joined by commas.
    pub other_causes: Option<String>,
    pub removal_reason: Option<String>,
    pub wage_income_fen: Option<i64>,
    pub production_income_fen: Option<i64>,
    pub property_income_fen: Option<i64>,
    pub transfer_income_fen: Option<i64>,
    pub production_costs_fen: Option<i64>,
}

/// Cause codes as stored: joined by commas, `NULL` for none.
pub fn causes_to_text(causes: &[Cause]) -> Option<String> {
    (!causes.is_empty()).then(|| {
        causes
            .iter()
            .map(|c| c.code())
            .collect::<Vec<_>>()
            .join(",")
    })
}

impl TryFrom<HouseholdRow> for Household {
    type Error = StoreError;
    fn try_from(r: HouseholdRow) -> Result<Household, StoreError> {
        Ok(Household {
            household_id: household_id(&r.household_id)?,
            village_code: area_code(&r.village_code)?,
            group_name: r.group_name,
            status: code("household status", &r.status)?,
            poverty_type: opt_code("poverty type", r.poverty_type)?,
            identified_year: r.identified_year,
            exit_year: r.exit_year,
            primary_cause: opt_code("cause", r.primary_cause)?,
            housing_safe: r.housing_safe,
            water_safe: r.water_safe,
            annual_net_income: Yuan::from_fen(r.annual_net_income_fen),
            income_year: r.income_year,
            phone: r
                .phone
                .map(|p| Phone::parse(&p).map_err(|_| corrupt("phone", "(hidden)")))
                .transpose()?,
            address: r.address,
            other_causes: r
                .other_causes
                .as_deref()
                .map(|t| t.split(',').map(|c| code::<Cause>("cause", c)).collect())
                .transpose()?
                .unwrap_or_default(),
            removal_reason: opt_code("removal reason", r.removal_reason)?,
            income_components: match (
                r.wage_income_fen,
                r.production_income_fen,
                r.property_income_fen,
                r.transfer_income_fen,
                r.production_costs_fen,
            ) {
                (None, None, None, None, None) => None,
                (Some(w), Some(p), Some(pr), Some(t), Some(c)) => Some(IncomeComponents {
                    wages: Yuan::from_fen(w),
                    production: Yuan::from_fen(p),
                    property: Yuan::from_fen(pr),
                    transfers: Yuan::from_fen(t),
                    production_costs: Yuan::from_fen(c),
                }),
                _ => return Err(corrupt("income components", "partly missing")),
            },
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct PersonRow {
    pub id_number: String,
    pub name: String,
    pub household_id: String,
    pub relation: String,
    pub gender: String,
    pub birth_date: NaiveDate,
    pub education: Option<String>,
    pub school_status: Option<String>,
    pub health: Option<String>,
    pub disability_grade: Option<String>,
    pub labour: Option<String>,
    pub medical_insurance: Option<bool>,
    pub pension_insurance: Option<bool>,
    pub dibao: Option<bool>,
    pub ethnicity: Option<String>,
    pub migrant_work_months: Option<i32>,
    pub serious_illness_insurance: Option<bool>,
    pub deceased_on: Option<NaiveDate>,
}

impl TryFrom<PersonRow> for Person {
    type Error = StoreError;
    fn try_from(r: PersonRow) -> Result<Person, StoreError> {
        Ok(Person {
            // Never echo an ID number into an error message.
            id_number: IdNumber::parse(&r.id_number, NaiveDate::MAX)
                .map_err(|_| corrupt("ID number", "(hidden)"))?,
            name: r.name,
            household_id: household_id(&r.household_id)?,
            relation: code("relation", &r.relation)?,
            gender: code("gender", &r.gender)?,
            birth_date: r.birth_date,
            education: r.education,
            school_status: opt_code("school status", r.school_status)?,
            health: opt_code("health", r.health)?,
            disability_grade: opt_code("disability grade", r.disability_grade)?,
            labour: opt_code("labour", r.labour)?,
            medical_insurance: r.medical_insurance,
            pension_insurance: r.pension_insurance,
            dibao: r.dibao,
            ethnicity: r.ethnicity,
            migrant_work_months: r.migrant_work_months,
            serious_illness_insurance: r.serious_illness_insurance,
            deceased_on: r.deceased_on,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> AuditEntry {
        AuditEntry {
            seq: r.seq,
            at: r.at,
            actor: r.actor,
            action: r.action,
            subject_kind: r.subject_kind,
            subject_id: r.subject_id,
            detail: r.detail,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct ImportRow {
    pub id: i64,
    pub kind: String,
    pub digest: String,
    pub source: String,
    pub actor: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub households: i64,
    pub persons: i64,
    pub forced: bool,
}

impl From<ImportRow> for ImportRecord {
    fn from(r: ImportRow) -> ImportRecord {
        ImportRecord {
            id: r.id,
            kind: r.kind,
            digest: r.digest,
            source: r.source,
            actor: r.actor,
            started_at: jingzhun_domain::audit::format_time(r.started_at),
            households: r.households,
            persons: r.persons,
            forced: r.forced,
        }
    }
}

/// A household as bound parameters, in [`crate::sql::HOUSEHOLD_COLUMNS`] order.
pub struct HouseholdParams {
    pub household_id: String,
    pub village_code: String,
    pub group_name: Option<String>,
    pub status: &'static str,
    pub poverty_type: Option<&'static str>,
    pub identified_year: i32,
    pub exit_year: Option<i32>,
    pub primary_cause: Option<&'static str>,
    pub housing_safe: bool,
    pub water_safe: bool,
    pub annual_net_income_fen: i64,
    pub income_year: i32,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub other_causes: Option<String>,
    pub removal_reason: Option<&'static str>,
    /// Wages, production, property, transfers, production costs (fen).
    pub income_components: [Option<i64>; 5],
}

impl From<&Household> for HouseholdParams {
    fn from(h: &Household) -> Self {
        HouseholdParams {
            household_id: h.household_id.to_string(),
            village_code: h.village_code.to_string(),
            group_name: h.group_name.clone(),
            status: h.status.code(),
            poverty_type: h.poverty_type.map(|v| v.code()),
            identified_year: h.identified_year,
            exit_year: h.exit_year,
            primary_cause: h.primary_cause.map(|v| v.code()),
            housing_safe: h.housing_safe,
            water_safe: h.water_safe,
            annual_net_income_fen: h.annual_net_income.fen(),
            income_year: h.income_year,
            phone: h.phone.as_ref().map(|p| p.as_str().to_string()),
            address: h.address.clone(),
            other_causes: causes_to_text(&h.other_causes),
            removal_reason: h.removal_reason.map(|v| v.code()),
            income_components: income_fen(h),
        }
    }
}

/// The income components in fen, in column order, or all `None`.
pub fn income_fen(h: &Household) -> [Option<i64>; 5] {
    match h.income_components {
        Some(c) => [
            c.wages,
            c.production,
            c.property,
            c.transfers,
            c.production_costs,
        ]
        .map(|y| Some(y.fen())),
        None => [None; 5],
    }
}

/// A person as bound parameters, in [`crate::sql::PERSON_COLUMNS`] order.
pub struct PersonParams {
    pub id_number: String,
    pub name: String,
    pub household_id: String,
    pub relation: &'static str,
    pub gender: &'static str,
    pub birth_date: NaiveDate,
    pub education: Option<String>,
    pub school_status: Option<&'static str>,
    pub health: Option<&'static str>,
    pub disability_grade: Option<&'static str>,
    pub labour: Option<&'static str>,
    pub medical_insurance: Option<bool>,
    pub pension_insurance: Option<bool>,
    pub dibao: Option<bool>,
    pub ethnicity: Option<String>,
    pub migrant_work_months: Option<i32>,
    pub serious_illness_insurance: Option<bool>,
    pub deceased_on: Option<NaiveDate>,
}

impl From<&Person> for PersonParams {
    fn from(p: &Person) -> Self {
        PersonParams {
            id_number: p.id_number.to_string(),
            name: p.name.clone(),
            household_id: p.household_id.to_string(),
            relation: p.relation.code(),
            gender: p.gender.code(),
            birth_date: p.birth_date,
            education: p.education.clone(),
            school_status: p.school_status.map(|v| v.code()),
            health: p.health.map(|v| v.code()),
            disability_grade: p.disability_grade.map(|v| v.code()),
            labour: p.labour.map(|v| v.code()),
            medical_insurance: p.medical_insurance,
            pension_insurance: p.pension_insurance,
            dibao: p.dibao,
            ethnicity: p.ethnicity.clone(),
            migrant_work_months: p.migrant_work_months,
            serious_illness_insurance: p.serious_illness_insurance,
            deceased_on: p.deceased_on,
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub password_hash: String,
    pub disabled: bool,
    pub failed_logins: i32,
}

#[derive(Debug, sqlx::FromRow)]
pub struct RoleRow {
    pub user_id: i64,
    pub role: String,
    pub area_code: String,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub sealed: bool,
}

impl TryFrom<RoleRow> for jingzhun_domain::access::Assignment {
    type Error = StoreError;
    fn try_from(r: RoleRow) -> Result<Self, StoreError> {
        Ok(jingzhun_domain::access::Assignment {
            role: code("role", &r.role)?,
            area: area_code(&r.area_code)?,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            sealed: r.sealed,
        })
    }
}

/// An account from its row and its role rows.
pub fn user_record(u: UserRow, roles: Vec<RoleRow>) -> Result<crate::UserRecord, StoreError> {
    Ok(crate::UserRecord {
        id: u.id,
        display_name: u.display_name.clone(),
        password_hash: u.password_hash,
        failed_logins: u.failed_logins,
        account: jingzhun_domain::access::Account {
            name: u.display_name,
            login: jingzhun_domain::access::Login::parse(&u.login)
                .map_err(|_| corrupt("login", &u.login))?,
            disabled: u.disabled,
            assignments: roles
                .into_iter()
                .map(TryInto::try_into)
                .collect::<Result<_, _>>()?,
        },
    })
}
