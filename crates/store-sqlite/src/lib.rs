//! Jingzhun's SQLite backend, the embedded default.
//!
//! Safety settings, always on: WAL journal, `foreign_keys = ON`, `synchronous = FULL` (a
//! committed transaction survives power loss), a busy timeout, and write transactions that
//! start with `BEGIN IMMEDIATE` so two writers queue instead of failing half-way.
//! The queries themselves are shared with PostgreSQL ([`jingzhun_store::sql_store!`]).

use std::str::FromStr;
use std::time::Duration;

use jingzhun_domain::registry::{Household, Person};
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_store::rows::{causes_to_text, income_fen};
use jingzhun_store::{Backend, StoreError, WriteMode, sql};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};

/// A SQLite database.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at a path or `sqlite://` URL and migrates it.
    pub async fn open(location: &str) -> jingzhun_store::Result<Self> {
        let url = if location.starts_with("sqlite:") {
            location.to_string()
        } else {
            format!("sqlite://{location}")
        };
        let options = SqliteConnectOptions::from_str(&url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            .pragma("cache_size", "-262144")
            .pragma("temp_store", "memory")
            // Reads map the file: the four connections share the pages the OS caches instead
            // of each warming its own copy.
            .pragma("mmap_size", "1073741824");
        let pool = SqlitePoolOptions::new()
            // Readers do not block one another in WAL mode; measured under 64 concurrent
            // searches (bench/web.sh), 16 connections answered 1.6 times the requests of 4.
            .max_connections(16)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(SqliteStore { pool })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// A write transaction on SQLite.
pub struct SqliteTx {
    tx: sqlx::Transaction<'static, Sqlite>,
}

impl From<sqlx::Transaction<'static, Sqlite>> for SqliteTx {
    fn from(tx: sqlx::Transaction<'static, Sqlite>) -> Self {
        SqliteTx { tx }
    }
}

/// `?1, ?2, ... ?n`.
fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl SqliteTx {
    /// Runs `write` on the connection's own SQLite handle, borrowed from sqlx's worker for the
    /// duration (sqlx's `lock_handle`, made for direct API calls), inside the open transaction.
    /// A single-row statement prepared once and stepped per row is what `sqlite3 .import` does;
    /// through sqlx every value would be marshalled to the worker thread instead.
    async fn with_handle<T>(
        &mut self,
        write: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>,
    ) -> jingzhun_store::Result<T> {
        let mut locked = self.tx.lock_handle().await?;
        // SAFETY: the handle is valid and exclusively ours while `locked` lives (the worker
        // thread is parked); `from_handle` does not close it on drop, and the borrowed
        // connection is dropped, its statements finalized, before `locked` is released.
        let conn = unsafe { rusqlite::Connection::from_handle(locked.as_raw_handle().as_ptr()) }
            .map_err(|e| StoreError::Backend(Box::new(e)))?;
        let result = write(&conn).map_err(|e| StoreError::Backend(Box::new(e)));
        drop(conn);
        result
    }

    async fn insert_households(
        &mut self,
        rows: &[Household],
        import_id: i64,
        now: chrono::DateTime<chrono::Utc>,
        mode: WriteMode,
    ) -> jingzhun_store::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let updated_at = now.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false);
        let statement = format!(
            "{} VALUES ({}) {}",
            sql::HOUSEHOLD_INSERT,
            placeholders(sql::HOUSEHOLD_COLUMN_COUNT + 2),
            sql::on_conflict(mode, sql::HOUSEHOLD_UPSERT)
        );
        self.with_handle(|conn| {
            let mut stmt = conn.prepare(&statement)?;
            for h in rows {
                let [wages, production, property, transfers, costs] = income_fen(h);
                stmt.execute(rusqlite::params![
                    h.household_id.as_str(),
                    h.village_code.as_str(),
                    h.group_name,
                    h.status.code(),
                    h.poverty_type.map(|v| v.code()),
                    h.identified_year,
                    h.exit_year,
                    h.primary_cause.map(|v| v.code()),
                    h.housing_safe,
                    h.water_safe,
                    h.annual_net_income.fen(),
                    h.income_year,
                    h.phone.as_ref().map(|p| p.as_str()),
                    h.address,
                    causes_to_text(&h.other_causes),
                    h.removal_reason.map(|v| v.code()),
                    wages,
                    production,
                    property,
                    transfers,
                    costs,
                    import_id,
                    updated_at,
                ])?;
            }
            Ok(())
        })
        .await
    }

    async fn insert_persons(
        &mut self,
        rows: &[Person],
        mode: WriteMode,
    ) -> jingzhun_store::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let statement = format!(
            "{} VALUES ({}) {}",
            sql::PERSON_INSERT,
            placeholders(sql::PERSON_COLUMN_COUNT),
            sql::on_conflict(mode, sql::PERSON_UPSERT)
        );
        self.with_handle(|conn| {
            let mut stmt = conn.prepare(&statement)?;
            for p in rows {
                stmt.execute(rusqlite::params![
                    p.id_number.as_str(),
                    p.name,
                    p.household_id.as_str(),
                    p.relation.code(),
                    p.gender.code(),
                    p.birth_date,
                    p.education,
                    p.school_status.map(|v| v.code()),
                    p.health.map(|v| v.code()),
                    p.disability_grade.map(|v| v.code()),
                    p.labour.map(|v| v.code()),
                    p.medical_insurance,
                    p.pension_insurance,
                    p.dibao,
                    p.ethnicity,
                    p.migrant_work_months,
                    p.serious_illness_insurance,
                    p.deceased_on,
                ])?;
            }
            Ok(())
        })
        .await
    }
}

jingzhun_store::sql_store! {
    store: SqliteStore,
    tx: SqliteTx,
    db: Sqlite,
    backend: Backend::Sqlite,
    // Takes the write lock at once: nobody else can move the audit head meanwhile.
    begin: "BEGIN IMMEDIATE",
    audit_head_for_update: jingzhun_store::sql::AUDIT_HEAD,
    // Measured: SQLite picks the indexes of every query without statistics, and ANALYZE of a
    // province's registry would add seconds to each import.
    refresh_statistics: None,
}
