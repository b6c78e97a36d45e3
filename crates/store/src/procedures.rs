//! What the storage keeps of procedures: a case per row, its history as JSON written by the
//! domain types, and the SQL both backends share.

use chrono::NaiveDate;
use jingzhun_domain::access::Role;
use jingzhun_domain::area::AreaCode;
use jingzhun_domain::procedure::{Case, CaseState, ProcedureKind};
use jingzhun_domain::vocab::Vocabulary;
use serde::Serialize;

use crate::{Result, StoreError};

/// A stored case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseRecord {
    pub id: i64,
    pub household_id: String,
    pub case: Case,
    pub started_by: String,
    pub started_at: String,
    pub updated_at: String,
    /// Send it back with the next act: a case changed meanwhile is not overwritten.
    pub version: i64,
}

pub fn state_code(s: CaseState) -> &'static str {
    match s {
        CaseState::Open => "open",
        CaseState::Suspended => "suspended",
        CaseState::Completed => "completed",
        CaseState::Closed => "closed",
    }
}

fn state_of(code: &str) -> Result<CaseState> {
    Ok(match code {
        "open" => CaseState::Open,
        "suspended" => CaseState::Suspended,
        "completed" => CaseState::Completed,
        "closed" => CaseState::Closed,
        other => return Err(StoreError::Corrupt(format!("case state {other:?}"))),
    })
}

#[derive(Debug, sqlx::FromRow)]
pub struct CaseRow {
    pub id: i64,
    pub kind: String,
    pub household_id: String,
    pub village_code: String,
    pub state: String,
    pub notice_until: Option<String>,
    pub closed_reason: Option<String>,
    pub steps: String,
    pub objections: String,
    pub started_by: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i64,
}

impl TryFrom<CaseRow> for CaseRecord {
    type Error = StoreError;
    fn try_from(r: CaseRow) -> Result<Self> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("case {}: {what}", r.id));
        let kind = ProcedureKind::from_code(&r.kind).ok_or_else(|| corrupt("kind"))?;
        let village = crate::rows::area_code(&r.village_code)?;
        let notice_until = r
            .notice_until
            .as_deref()
            .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| corrupt("notice date")))
            .transpose()?;
        let case = Case {
            kind,
            village,
            state: state_of(&r.state)?,
            steps: serde_json::from_str(&r.steps).map_err(|_| corrupt("steps"))?,
            notice_until,
            objections: serde_json::from_str(&r.objections).map_err(|_| corrupt("objections"))?,
            closed_reason: r.closed_reason,
        };
        Ok(CaseRecord {
            id: r.id,
            household_id: r.household_id,
            case,
            started_by: r.started_by,
            started_at: r.started_at.to_rfc3339(),
            updated_at: r.updated_at.to_rfc3339(),
            version: r.version,
        })
    }
}

/// The columns a case writes, in the order of [`INSERT_CASE`] ($3...) and [`UPDATE_CASE`].
pub struct CaseColumns {
    pub state: &'static str,
    pub next_step: Option<&'static str>,
    pub next_role: Option<&'static str>,
    pub notice_until: Option<String>,
    pub closed_reason: Option<String>,
    pub steps: String,
    pub objections: String,
}

impl CaseColumns {
    pub fn of(case: &Case) -> Result<Self> {
        let json = |e: serde_json::Error| StoreError::Corrupt(format!("case history: {e}"));
        let next = case.next_step();
        Ok(CaseColumns {
            state: state_code(case.state),
            next_step: next.map(|s| s.code()),
            next_role: next.map(|s| s.role().code()),
            notice_until: case.notice_until.map(|d| d.to_string()),
            closed_reason: case.closed_reason.clone(),
            steps: serde_json::to_string(&case.steps).map_err(json)?,
            objections: serde_json::to_string(&case.objections).map_err(json)?,
        })
    }
}

pub const CASE_COLUMNS: &str = "id, kind, household_id, village_code, state, notice_until, closed_reason, steps, \
    objections, started_by, started_at, updated_at, version";

/// Inserts a case; no row when the household already has one in progress.
pub const INSERT_CASE: &str = "INSERT INTO procedure_cases (kind, household_id, village_code, state, next_step, \
    next_role, notice_until, closed_reason, steps, objections, started_by, started_at, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) ON CONFLICT DO NOTHING RETURNING id";
/// Writes a case if it is still at the version the writer read.
pub const UPDATE_CASE: &str = "UPDATE procedure_cases SET state = $1, next_step = $2, next_role = $3, \
    notice_until = $4, closed_reason = $5, steps = $6, objections = $7, updated_at = $8, version = version + 1 \
    WHERE id = $9 AND version = $10";

/// Which cases.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    /// `None`: everywhere; `Some(areas)`: within these.
    pub within: Option<Vec<AreaCode>>,
    pub household_id: Option<String>,
    /// Only cases in progress (open or suspended).
    pub in_progress: bool,
    /// Only cases whose next step is taken by this role.
    pub next_role: Option<Role>,
    pub limit: i64,
}
