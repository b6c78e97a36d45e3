//! What the storage keeps of supervision (domain.md §6): complaints, inspections,
//! rectification programmes and accountability cases, one row each with its domain object as
//! JSON and the columns lists search by; complainants' identities apart, sealed.

use jingzhun_domain::area::AreaCode;
use serde::Serialize;

use crate::{Result, StoreError};

/// The kinds of supervision record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Complaint,
    Inspection,
    /// A rectification programme with its problems and measures.
    Programme,
    Accountability,
}

impl RecordKind {
    pub const ALL: [RecordKind; 4] = [
        RecordKind::Complaint,
        RecordKind::Inspection,
        RecordKind::Programme,
        RecordKind::Accountability,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RecordKind::Complaint => "complaint",
            RecordKind::Inspection => "inspection",
            RecordKind::Programme => "programme",
            RecordKind::Accountability => "accountability",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// A stored record. `body` is the domain object as the service wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupervisionRecord {
    pub id: i64,
    pub kind: RecordKind,
    /// A complaint's ticket code (public), or another public reference.
    pub public_code: Option<String>,
    pub area: AreaCode,
    pub state: String,
    /// A catalogue code (`S000-04`...).
    pub category: Option<String>,
    /// The next deadline (`YYYY-MM-DD`), for the overdue lists.
    pub due_on: Option<String>,
    /// What it came from: (`complaint`, `12`), (`lead`, `7`), (`finding`, `3:2`)...
    pub origin: Option<(String, String)>,
    pub body: String,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    /// Send it back with the next change: a record changed meanwhile is not overwritten.
    pub version: i64,
}

#[derive(Debug, sqlx::FromRow)]
pub struct SupervisionRow {
    pub id: i64,
    pub kind: String,
    pub public_code: Option<String>,
    pub area_code: String,
    pub state: String,
    pub category: Option<String>,
    pub due_on: Option<String>,
    pub origin_kind: Option<String>,
    pub origin_id: Option<String>,
    pub body: String,
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i64,
}

impl TryFrom<SupervisionRow> for SupervisionRecord {
    type Error = StoreError;
    fn try_from(r: SupervisionRow) -> Result<Self> {
        let kind = RecordKind::from_code(&r.kind)
            .ok_or_else(|| StoreError::Corrupt(format!("supervision record {}: kind", r.id)))?;
        Ok(SupervisionRecord {
            id: r.id,
            kind,
            public_code: r.public_code,
            area: crate::rows::area_code(&r.area_code)?,
            state: r.state,
            category: r.category,
            due_on: r.due_on,
            origin: r.origin_kind.zip(r.origin_id),
            body: r.body,
            created_by: r.created_by,
            created_at: r.created_at.to_rfc3339(),
            updated_at: r.updated_at.to_rfc3339(),
            version: r.version,
        })
    }
}

/// A record to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecord {
    pub kind: RecordKind,
    pub public_code: Option<String>,
    pub area: AreaCode,
    pub state: String,
    pub category: Option<String>,
    pub due_on: Option<String>,
    pub origin: Option<(String, String)>,
    pub body: String,
    pub actor: String,
}

/// What a change writes (the kind, code and origin never change).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordChange {
    pub area: AreaCode,
    pub state: String,
    pub category: Option<String>,
    pub due_on: Option<String>,
    pub body: String,
}

/// Which records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordQuery {
    pub kind: Option<RecordKind>,
    /// Only within these areas (`None`: everywhere). An empty list finds nothing.
    pub within: Option<Vec<AreaCode>>,
    pub states: Option<Vec<String>>,
    pub category: Option<String>,
    /// Only records that came from this (kind, id).
    pub origin: Option<(String, String)>,
    /// Only records due before this day (`YYYY-MM-DD`), not closed.
    pub due_before: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// A sealed identity as stored: nonce and ciphertext, both hex.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SealedRow {
    pub nonce: String,
    pub ciphertext: String,
}

pub const COLUMNS: &str = "id, kind, public_code, area_code, state, category, due_on, origin_kind, origin_id, \
    body, created_by, created_at, updated_at, version";
pub const INSERT: &str = "INSERT INTO supervision_records (kind, public_code, area_code, state, category, due_on, \
    origin_kind, origin_id, body, created_by, created_at, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id";
pub const UPDATE: &str = "UPDATE supervision_records SET area_code = $1, state = $2, category = $3, due_on = $4, \
    body = $5, updated_at = $6, version = version + 1 WHERE id = $7 AND version = $8";
/// 1 when any sealed value is stored: a complainant's identity, or a draw's seed (inside an
/// inspection's JSON, as a non-empty `"sealed_seeds"` map).
pub const HOLDS_SEALED: &str = "SELECT CAST(CASE WHEN EXISTS (SELECT 1 FROM sealed_identities) \
     OR EXISTS (SELECT 1 FROM supervision_records WHERE kind = 'inspection' AND body LIKE '%\"sealed_seeds\":{\"%') \
     THEN 1 ELSE 0 END AS BIGINT)";
pub const SEALED: &str = "SELECT nonce, ciphertext FROM sealed_identities WHERE record_id = $1";
pub const SEALED_INSERT: &str =
    "INSERT INTO sealed_identities (record_id, nonce, ciphertext) VALUES ($1, $2, $3)";
