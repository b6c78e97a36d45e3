//! Jingzhun's PostgreSQL backend, for scale-out. Same behaviour as SQLite (the conformance
//! suite runs on both); the queries are shared ([`jingzhun_store::sql_store!`]).

use jingzhun_store::Backend;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool, Postgres};
use std::str::FromStr;

/// A PostgreSQL database.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to a `postgres://` URL and migrates the database.
    pub async fn open(url: &str) -> jingzhun_store::Result<Self> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(PgStore { pool })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// A write transaction on PostgreSQL.
pub struct PgTx {
    tx: sqlx::Transaction<'static, Postgres>,
}

impl From<sqlx::Transaction<'static, Postgres>> for PgTx {
    fn from(tx: sqlx::Transaction<'static, Postgres>) -> Self {
        PgTx { tx }
    }
}

jingzhun_store::sql_store! {
    store: PgStore,
    tx: PgTx,
    db: Postgres,
    backend: Backend::Postgres,
    begin: "BEGIN",
    // The row lock queues concurrent writers of the audit chain.
    audit_head_for_update: "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
}

/// A throw-away database for tests and benchmarks: created empty on the server of
/// `admin_url`, dropped by [`ScratchDatabase::drop_now`].
pub struct ScratchDatabase {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl ScratchDatabase {
    pub async fn create(admin_url: &str) -> jingzhun_store::Result<Self> {
        use rand::Rng;
        let name = format!(
            "jingzhun_test_{}_{:08x}",
            std::process::id(),
            rand::thread_rng().r#gen::<u32>()
        );
        let mut conn = PgConnectOptions::from_str(admin_url)?.connect().await?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        let url = PgConnectOptions::from_str(admin_url)?
            .database(&name)
            .to_url_lossy()
            .to_string();
        Ok(ScratchDatabase {
            admin_url: admin_url.to_string(),
            name,
            url,
        })
    }

    pub async fn drop_now(self) -> jingzhun_store::Result<()> {
        let mut conn: PgConnection = PgConnectOptions::from_str(&self.admin_url)?
            .connect()
            .await?;
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut conn)
        .await?;
        conn.close().await?;
        Ok(())
    }
}
