//! What the storage keeps of the yearly updates (动态调整): one row per village and year.

use chrono::NaiveDate;
use jingzhun_domain::update::{UpdateState, VillageUpdate};
use serde::Serialize;

use crate::{Result, StoreError};

/// A stored update with its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdateRecord {
    pub update: VillageUpdate,
    pub version: i64,
}

#[derive(Debug, sqlx::FromRow)]
pub struct UpdateRow {
    pub village_code: String,
    pub year: i32,
    pub state: String,
    pub submitted_by: String,
    pub submitted_on: String,
    pub decided_by: Option<String>,
    pub decided_on: Option<String>,
    pub note: Option<String>,
    pub version: i64,
}

fn date(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| StoreError::Corrupt("annual update date".into()))
}

impl TryFrom<UpdateRow> for UpdateRecord {
    type Error = StoreError;
    fn try_from(r: UpdateRow) -> Result<Self> {
        Ok(UpdateRecord {
            update: VillageUpdate {
                village: crate::rows::area_code(&r.village_code)?,
                year: r.year,
                state: UpdateState::from_code(&r.state)
                    .ok_or_else(|| StoreError::Corrupt("annual update state".into()))?,
                submitted_by: r.submitted_by,
                submitted_on: date(&r.submitted_on)?,
                decided_by: r.decided_by,
                decided_on: r.decided_on.as_deref().map(date).transpose()?,
                note: r.note,
            },
            version: r.version,
        })
    }
}

pub const COLUMNS: &str =
    "village_code, year, state, submitted_by, submitted_on, decided_by, decided_on, note, version";
pub const INSERT: &str = "INSERT INTO annual_updates (village_code, year, state, submitted_by, submitted_on, \
    decided_by, decided_on, note, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1) ON CONFLICT DO NOTHING";
pub const UPDATE: &str = "UPDATE annual_updates SET state = $3, submitted_by = $4, submitted_on = $5, \
    decided_by = $6, decided_on = $7, note = $8, version = version + 1 \
    WHERE village_code = $1 AND year = $2 AND version = $9";
