//! What the storage keeps of departmental sources, cross-check runs and leads: the row types
//! and the SQL both backends share.

use jingzhun_domain::area::AreaCode;
use jingzhun_domain::checks::{Evidence, LeadAction, LeadState, Rule, SubjectKind};
use jingzhun_domain::sources::SourceKind;
use jingzhun_domain::vocab::Vocabulary;
use serde::Serialize;

use crate::{Result, StoreError};

/// The current copy of a source: its import and size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceImport {
    pub kind: SourceKind,
    pub rows: i64,
    pub import: crate::ImportRecord,
}

/// A run being recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCheckRun {
    pub actor: String,
    /// `None`: everywhere.
    pub within: Option<Vec<AreaCode>>,
    pub rules: Vec<Rule>,
    /// JSON of the parameters (check year, lines, threshold).
    pub params: String,
    /// JSON of the sources used.
    pub sources: String,
}

/// How a run compares with what was known before it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RunComparison {
    pub findings: i64,
    /// Found now, not open before (first time, or found again after it was gone).
    pub new_leads: i64,
    /// Open before and found again.
    pub still_open: i64,
    /// Open before, not found now (within the run's rules and area).
    pub gone: i64,
}

/// A stored run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckRunRecord {
    pub id: i64,
    pub actor: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub within: Option<Vec<String>>,
    pub rules: Vec<String>,
    pub params: serde_json::Value,
    pub sources: serde_json::Value,
    pub notes: Vec<String>,
    pub comparison: RunComparison,
}

#[derive(Debug, sqlx::FromRow)]
pub struct CheckRunRow {
    pub id: i64,
    pub actor: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
    pub within_areas: Option<String>,
    pub rules: String,
    pub params: String,
    pub sources: String,
    pub notes: String,
    pub findings: i64,
    pub new_leads: i64,
    pub still_open: i64,
    pub gone: i64,
}

impl From<CheckRunRow> for CheckRunRecord {
    fn from(r: CheckRunRow) -> Self {
        let split = |s: &str| -> Vec<String> {
            s.split(',')
                .filter(|x| !x.is_empty())
                .map(String::from)
                .collect()
        };
        CheckRunRecord {
            id: r.id,
            actor: r.actor,
            started_at: jingzhun_domain::audit::format_time(r.started_at),
            finished_at: r.finished_at.map(jingzhun_domain::audit::format_time),
            within: r.within_areas.as_deref().map(split),
            rules: split(&r.rules),
            params: serde_json::from_str(&r.params).unwrap_or(serde_json::Value::Null),
            sources: serde_json::from_str(&r.sources).unwrap_or(serde_json::Value::Null),
            notes: r.notes.lines().map(String::from).collect(),
            comparison: RunComparison {
                findings: r.findings,
                new_leads: r.new_leads,
                still_open: r.still_open,
                gone: r.gone,
            },
        }
    }
}

/// A stored lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeadRecord {
    pub id: i64,
    pub rule: Rule,
    pub subject_kind: SubjectKind,
    pub subject_id: String,
    pub village: Option<AreaCode>,
    pub detail: String,
    pub evidence: Vec<Evidence>,
    pub state: LeadState,
    pub first_run: i64,
    pub opened_run: i64,
    pub last_run: i64,
    pub gone_run: Option<i64>,
    pub action: Option<LeadAction>,
    pub note: Option<String>,
    pub verified_by: Option<String>,
    pub verified_at: Option<String>,
    /// Changes with every write: a verification names the version it saw.
    pub version: i64,
}

#[derive(Debug, sqlx::FromRow)]
pub struct LeadRow {
    pub id: i64,
    pub rule: String,
    pub subject_kind: String,
    pub subject_id: String,
    pub village_code: Option<String>,
    pub detail: String,
    pub evidence: String,
    pub state: String,
    pub first_run: i64,
    pub opened_run: i64,
    pub last_run: i64,
    pub gone_run: Option<i64>,
    pub action: Option<String>,
    pub note: Option<String>,
    pub verified_by: Option<String>,
    pub verified_at: Option<chrono::DateTime<chrono::Utc>>,
    pub version: i64,
}

fn code<V: Vocabulary>(what: &str, s: &str) -> Result<V> {
    V::from_code(s).ok_or_else(|| StoreError::Corrupt(format!("{what} {s:?}")))
}

impl TryFrom<LeadRow> for LeadRecord {
    type Error = StoreError;
    fn try_from(r: LeadRow) -> Result<Self> {
        Ok(LeadRecord {
            id: r.id,
            rule: code("rule", &r.rule)?,
            subject_kind: code("subject kind", &r.subject_kind)?,
            subject_id: r.subject_id,
            village: r
                .village_code
                .as_deref()
                .map(crate::rows::area_code)
                .transpose()?,
            detail: r.detail,
            evidence: serde_json::from_str(&r.evidence)
                .map_err(|_| StoreError::Corrupt(format!("evidence of lead {}", r.id)))?,
            state: code("lead state", &r.state)?,
            first_run: r.first_run,
            opened_run: r.opened_run,
            last_run: r.last_run,
            gone_run: r.gone_run,
            action: r
                .action
                .as_deref()
                .map(|a| code("lead action", a))
                .transpose()?,
            note: r.note,
            verified_by: r.verified_by,
            verified_at: r.verified_at.map(jingzhun_domain::audit::format_time),
            version: r.version,
        })
    }
}

/// A search of the leads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeadQuery {
    /// Only leads routed within these areas (`None`: everywhere, including leads routed
    /// nowhere). An empty list finds nothing.
    pub within: Option<Vec<AreaCode>>,
    pub rule: Option<Rule>,
    pub state: Option<LeadState>,
    pub offset: i64,
    pub limit: i64,
}

/// Open leads per village and rule (for warnings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeadCount {
    pub village: AreaCode,
    pub rule: Rule,
    pub state: LeadState,
    pub count: i64,
}

pub const LEAD_COLUMNS: &str = "id, rule, subject_kind, subject_id, village_code, detail, evidence, state, \
    first_run, opened_run, last_run, gone_run, action, note, verified_by, verified_at, version";

/// What a run writes when a lead is found again: it keeps its verification; one that was gone
/// opens again.
pub const LEAD_ON_CONFLICT: &str = " ON CONFLICT (rule, subject_kind, subject_id) DO UPDATE SET \
    village_code = excluded.village_code, detail = excluded.detail, evidence = excluded.evidence, \
    last_run = excluded.last_run, \
    opened_run = CASE WHEN leads.state = 'gone' THEN excluded.opened_run ELSE leads.opened_run END, \
    gone_run = CASE WHEN leads.state = 'gone' THEN NULL ELSE leads.gone_run END, \
    version = leads.version + 1, \
    state = CASE WHEN leads.state = 'gone' THEN 'open' ELSE leads.state END";

pub const LEAD_INSERT: &str = "INSERT INTO leads (rule, subject_kind, subject_id, village_code, detail, evidence, \
    state, first_run, opened_run, last_run) ";

/// One finding: rule, subject_kind, subject_id, village_code, detail, evidence, run.
pub fn lead_upsert_one() -> String {
    format!("{LEAD_INSERT} VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $7, $7) {LEAD_ON_CONFLICT}")
}

pub const BEGIN_RUN: &str = "INSERT INTO check_runs (actor, started_at, within_areas, rules, params, sources) \
    VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";

pub const FINISH_RUN: &str = "UPDATE check_runs SET finished_at = $1, notes = $2, findings = $3, new_leads = $4, \
    still_open = $5, gone = $6 WHERE id = $7";

pub const RUN_COLUMNS: &str = "id, actor, started_at, finished_at, within_areas, rules, params, sources, notes, \
    findings, new_leads, still_open, gone";

pub const VERIFY_LEAD: &str = "UPDATE leads SET state = $1, action = $2, note = $3, verified_by = $4, verified_at = $5, \
    version = version + 1 WHERE id = $6 AND version = $7 AND state = 'open'";

/// The columns of a source's table after `line`, and whether each holds an integer.
pub fn source_columns(kind: SourceKind) -> impl Iterator<Item = (&'static str, bool)> {
    use jingzhun_domain::sources::ColumnType;
    kind.columns()
        .iter()
        .map(|c| (c.name, matches!(c.ty, ColumnType::Money | ColumnType::Year)))
}

/// `INSERT INTO source_x (line, a, b) ` (values follow).
pub fn source_insert(kind: SourceKind) -> String {
    let cols: Vec<&str> = source_columns(kind).map(|(n, _)| n).collect();
    format!("INSERT INTO {} (line, {}) ", kind.table(), cols.join(", "))
}

/// `SELECT line, a, b FROM source_x ORDER BY line`.
pub fn source_select(kind: SourceKind) -> String {
    let cols: Vec<&str> = source_columns(kind).map(|(n, _)| n).collect();
    format!(
        "SELECT line, {} FROM {} ORDER BY line",
        cols.join(", "),
        kind.table()
    )
}

/// The registry as the rules read it.
pub const CHECK_HOUSEHOLDS: &str = "SELECT household_id, village_code, status, annual_net_income_fen, income_year, \
    housing_safe, water_safe FROM households ORDER BY household_id";
pub const CHECK_PERSONS: &str =
    "SELECT id_number, name, household_id, birth_date, school_status FROM persons";

pub const SOURCE_IMPORTS: &str = "SELECT s.kind, s.rows, i.id, i.kind AS import_kind, i.digest, i.source, i.actor, \
    i.started_at, i.households, i.persons, i.forced FROM source_imports s JOIN imports i ON i.id = s.import_id \
    ORDER BY s.kind";

pub const SOURCE_IMPORT_UPSERT: &str = "INSERT INTO source_imports (kind, import_id, rows) VALUES ($1, $2, $3) \
    ON CONFLICT (kind) DO UPDATE SET import_id = excluded.import_id, rows = excluded.rows";

/// The source kind of a stored code.
pub fn source_kind(code: &str) -> Result<SourceKind> {
    SourceKind::from_code(code).ok_or_else(|| StoreError::Corrupt(format!("source kind {code:?}")))
}

/// A household status of a stored code.
pub fn status(code: &str) -> Result<jingzhun_domain::vocab::HouseholdStatus> {
    jingzhun_domain::vocab::HouseholdStatus::from_code(code)
        .ok_or_else(|| StoreError::Corrupt(format!("household status {code:?}")))
}
