//! What the storage keeps of public notices: the canonical text as published and its digest.

use serde::Serialize;

/// A published notice as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct NoticeRecord {
    pub id: i64,
    pub village_code: String,
    pub content: String,
    pub digest: String,
    pub period_from: String,
    pub period_to: String,
    pub published_by: String,
    #[sqlx(try_from = "chrono::DateTime<chrono::Utc>")]
    pub published_at: TimeText,
    /// The notice this one corrects.
    pub corrects: Option<i64>,
}

/// A timestamp kept as its RFC 3339 text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct TimeText(pub String);

impl From<chrono::DateTime<chrono::Utc>> for TimeText {
    fn from(t: chrono::DateTime<chrono::Utc>) -> Self {
        TimeText(t.to_rfc3339())
    }
}

pub const COLUMNS: &str = "id, village_code, content, digest, period_from, period_to, published_by, published_at, corrects";
pub const INSERT: &str = "INSERT INTO notices (village_code, content, digest, period_from, period_to, published_by, \
    published_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
pub const INSERT_CORRECTION: &str = "INSERT INTO notices (village_code, content, digest, period_from, period_to, \
    published_by, published_at, corrects) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
