//! Jingzhun's PostgreSQL backend, for scale-out. Same behaviour as SQLite (the conformance
//! suite runs on both); the queries are shared ([`jingzhun_store::sql_store!`]).

use jingzhun_store::Backend;
use jingzhun_store::sql;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool, Postgres, QueryBuilder};
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

impl PgTx {
    /// Multi-row inserts of 1000 rows (23 parameters each, under PostgreSQL's 65535).
    async fn insert_households(
        &mut self,
        rows: &[jingzhun_domain::registry::Household],
        import_id: i64,
        now: chrono::DateTime<chrono::Utc>,
        mode: jingzhun_store::WriteMode,
    ) -> jingzhun_store::Result<()> {
        use jingzhun_store::rows::HouseholdParams;
        for chunk in rows.chunks(1000) {
            let mut q = QueryBuilder::<Postgres>::new(sql::HOUSEHOLD_INSERT);
            q.push_values(chunk.iter().map(HouseholdParams::from), |mut b, h| {
                b.push_bind(h.household_id)
                    .push_bind(h.village_code)
                    .push_bind(h.group_name)
                    .push_bind(h.status)
                    .push_bind(h.poverty_type)
                    .push_bind(h.identified_year)
                    .push_bind(h.exit_year)
                    .push_bind(h.primary_cause)
                    .push_bind(h.housing_safe)
                    .push_bind(h.water_safe)
                    .push_bind(h.annual_net_income_fen)
                    .push_bind(h.income_year)
                    .push_bind(h.phone)
                    .push_bind(h.address)
                    .push_bind(h.other_causes)
                    .push_bind(h.removal_reason);
                for fen in h.income_components {
                    b.push_bind(fen);
                }
                b.push_bind(import_id).push_bind(now);
            });
            q.push(sql::on_conflict(mode, sql::HOUSEHOLD_UPSERT));
            q.build().execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    async fn insert_persons(
        &mut self,
        rows: &[jingzhun_domain::registry::Person],
        mode: jingzhun_store::WriteMode,
    ) -> jingzhun_store::Result<()> {
        use jingzhun_store::rows::PersonParams;
        for chunk in rows.chunks(1000) {
            let mut q = QueryBuilder::<Postgres>::new(sql::PERSON_INSERT);
            q.push_values(chunk.iter().map(PersonParams::from), |mut b, p| {
                b.push_bind(p.id_number)
                    .push_bind(p.name)
                    .push_bind(p.household_id)
                    .push_bind(p.relation)
                    .push_bind(p.gender)
                    .push_bind(p.birth_date)
                    .push_bind(p.education)
                    .push_bind(p.school_status)
                    .push_bind(p.health)
                    .push_bind(p.disability_grade)
                    .push_bind(p.labour)
                    .push_bind(p.medical_insurance)
                    .push_bind(p.pension_insurance)
                    .push_bind(p.dibao)
                    .push_bind(p.ethnicity)
                    .push_bind(p.migrant_work_months)
                    .push_bind(p.serious_illness_insurance)
                    .push_bind(p.deceased_on);
            });
            q.push(sql::on_conflict(mode, sql::PERSON_UPSERT));
            q.build().execute(&mut *self.tx).await?;
        }
        Ok(())
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
    // Without statistics after a bulk import, a search by ID number took 31 ms (a scan)
    // instead of 0.3 ms.
    refresh_statistics: Some("ANALYZE households, persons, areas"),
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
