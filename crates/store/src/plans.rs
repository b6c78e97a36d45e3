//! What the storage keeps of plans (一户一策): row types and the SQL both backends share.

use jingzhun_domain::plan::{Measure, Plan};
use serde::Serialize;

use crate::{Result, StoreError};

/// A stored plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanRecord {
    pub household_id: String,
    pub plan: Plan,
    pub updated_by: String,
    pub updated_at: String,
    pub version: i64,
}

#[derive(Debug, sqlx::FromRow)]
pub struct PlanRow {
    pub household_id: String,
    pub measures: String,
    pub contact: String,
    pub updated_by: String,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i64,
}

impl TryFrom<PlanRow> for PlanRecord {
    type Error = StoreError;
    fn try_from(r: PlanRow) -> Result<Self> {
        let measures: Vec<Measure> = serde_json::from_str(&r.measures)
            .map_err(|_| StoreError::Corrupt(format!("plan of {}", r.household_id)))?;
        Ok(PlanRecord {
            household_id: r.household_id,
            plan: Plan {
                measures,
                contact: r.contact,
            },
            updated_by: r.updated_by,
            updated_at: r.updated_at.to_rfc3339(),
            version: r.version,
        })
    }
}

/// A progress record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ProgressRecord {
    pub id: i64,
    pub done_on: String,
    pub note: String,
    pub recorded_by: String,
}

pub const PLAN: &str = "SELECT household_id, measures, contact, updated_by, updated_at, version FROM plans \
    WHERE household_id = $1";
pub const PLAN_INSERT: &str = "INSERT INTO plans (household_id, village_code, measures, contact, signature, updated_by, \
    updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, 1) ON CONFLICT (household_id) DO NOTHING";
pub const PLAN_UPDATE: &str = "UPDATE plans SET village_code = $2, measures = $3, contact = $4, signature = $5, \
    updated_by = $6, updated_at = $7, version = version + 1 WHERE household_id = $1 AND version = $8";
pub const PROGRESS: &str = "SELECT id, done_on, note, recorded_by FROM plan_progress WHERE household_id = $1 \
    ORDER BY done_on, id";
pub const PROGRESS_INSERT: &str = "INSERT INTO plan_progress (household_id, done_on, note, recorded_by, recorded_at) \
    VALUES ($1, $2, $3, $4, $5)";
/// Per village within a code range: the plans, and the largest group sharing one signature.
pub const IDENTICAL: &str = "SELECT village_code, CAST(SUM(n) AS BIGINT), CAST(MAX(n) AS BIGINT) FROM \
    (SELECT village_code, signature, COUNT(*) AS n FROM plans WHERE village_code BETWEEN $1 AND $2 \
     GROUP BY village_code, signature) g GROUP BY village_code";

/// The measures as stored.
pub fn measures_json(plan: &Plan) -> Result<String> {
    serde_json::to_string(&plan.measures).map_err(|e| StoreError::Corrupt(format!("plan: {e}")))
}
