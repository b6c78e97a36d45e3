//! Jingzhun's SQLite backend, the embedded default.
//!
//! Safety settings, always on: WAL journal, `foreign_keys = ON`, `synchronous = FULL` (a
//! committed transaction survives power loss), a busy timeout, and write transactions that
//! start with `BEGIN IMMEDIATE` so two writers queue instead of failing half-way.
//! The queries themselves are shared with PostgreSQL ([`jingzhun_store::sql_store!`]).

use std::str::FromStr;
use std::time::Duration;

use jingzhun_store::Backend;
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
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
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

jingzhun_store::sql_store! {
    store: SqliteStore,
    tx: SqliteTx,
    db: Sqlite,
    backend: Backend::Sqlite,
    // Takes the write lock at once: nobody else can move the audit head meanwhile.
    begin: "BEGIN IMMEDIATE",
    audit_head_for_update: jingzhun_store::sql::AUDIT_HEAD,
}
