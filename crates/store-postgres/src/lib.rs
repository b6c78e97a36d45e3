//! Jingzhun's PostgreSQL backend, for scale-out. Same behaviour as SQLite (the conformance
//! suite runs on both); the queries are shared ([`jingzhun_store::sql_store!`]).

use futures_util::TryStreamExt;
use jingzhun_domain::area::AreaCode;
use jingzhun_domain::checks::{CheckData, Finding, HouseholdFacts, PersonFacts, SourceRow};
use jingzhun_domain::exit::ExitHousehold;
use jingzhun_domain::sources::{Cell, SourceKind, SourceRecord};
use jingzhun_domain::vocab::{SchoolStatus, Vocabulary};
use jingzhun_store::Backend;
use jingzhun_store::{OpenMode, PendingMigration, StoreError, checks, exit, sql};
use sqlx::Row;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool, Postgres, QueryBuilder};
use std::str::FromStr;

/// A PostgreSQL database.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

/// The schema's migrations, compiled in.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A URL without its password.
/// How long a first connection may take before the database is called unreachable.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

fn redact(url: String) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url,
            }
        }
        _ => url,
    }
}

impl PgStore {
    /// Connects to a `postgres://` URL and migrates the database.
    pub async fn open(url: &str) -> jingzhun_store::Result<Self> {
        Self::open_with(url, OpenMode::CreateAndMigrate).await
    }

    /// The migrations the database still needs; refuses one of another application or of a
    /// newer program. Reads only.
    pub async fn pending(url: &str) -> jingzhun_store::Result<Vec<PendingMigration>> {
        let mut conn = PgConnectOptions::from_str(url)?.connect().await?;
        let applied = Self::applied(&mut conn).await?;
        conn.close().await?;
        jingzhun_store::pending_migrations(&MIGRATOR, &applied.unwrap_or_default())
    }

    /// The applied migrations (`None`: an empty database); a database whose public schema
    /// holds tables but no migrations is another application's.
    async fn applied(conn: &mut PgConnection) -> jingzhun_store::Result<Option<Vec<i64>>> {
        let (ours,): (bool,) =
            sqlx::query_as("SELECT to_regclass('public._sqlx_migrations') IS NOT NULL")
                .fetch_one(&mut *conn)
                .await?;
        if ours {
            let v: Vec<(i64,)> = sqlx::query_as(
                "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version",
            )
            .fetch_all(&mut *conn)
            .await?;
            return Ok(Some(v.into_iter().map(|(v,)| v).collect()));
        }
        let (tables,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
        )
        .fetch_one(&mut *conn)
        .await?;
        if tables > 0 {
            return Err(StoreError::ForeignDatabase(
                "the PostgreSQL database".into(),
            ));
        }
        Ok(None)
    }

    /// Opens the database, migrating it or only if it is up to date ([`OpenMode`]); a
    /// database of another application or of a newer program is refused untouched.
    pub async fn open_with(url: &str, mode: OpenMode) -> jingzhun_store::Result<Self> {
        let options = PgConnectOptions::from_str(url)?;
        // One direct attempt first, so that a wrong port or host is named within seconds
        // ("connection refused at 127.0.0.1:5433") instead of a pool timeout much later.
        let at = format!("{}:{}", options.get_host(), options.get_port());
        match tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options)).await {
            Err(_) => {
                return Err(StoreError::Unreachable(format!(
                    "no answer from PostgreSQL at {at} within {} s",
                    CONNECT_TIMEOUT.as_secs()
                )));
            }
            Ok(Err(e)) => {
                return Err(StoreError::Unreachable(format!(
                    "cannot connect to PostgreSQL at {at}: {e}"
                )));
            }
            Ok(Ok(conn)) => {
                let _ = conn.close().await;
            }
        }
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect_with(options)
            .await?;
        let applied = {
            let mut conn = pool.acquire().await?;
            Self::applied(&mut conn).await?
        };
        let pending =
            jingzhun_store::pending_migrations(&MIGRATOR, applied.as_deref().unwrap_or_default())?;
        match mode {
            OpenMode::CreateAndMigrate => MIGRATOR.run(&pool).await?,
            OpenMode::Existing if applied.is_none() => {
                return Err(StoreError::NoDatabase(redact(url.to_string())));
            }
            OpenMode::Existing if !pending.is_empty() => {
                return Err(StoreError::NeedsMigration(pending.len()));
            }
            OpenMode::Existing => {}
        }
        Ok(PgStore { pool })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Reads everything the cross-checks need, in one snapshot (a repeatable-read transaction),
    /// streaming the rows.
    async fn load_check_data(&self) -> jingzhun_store::Result<CheckData> {
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        let mut data = CheckData::default();
        {
            let mut rows = sqlx::query(checks::CHECK_HOUSEHOLDS).fetch(&mut *tx);
            while let Some(r) = rows.try_next().await? {
                data.households.push(household_facts(&r)?);
            }
        }
        {
            let mut rows = sqlx::query(checks::CHECK_PERSONS).fetch(&mut *tx);
            while let Some(r) = rows.try_next().await? {
                let school: Option<String> = r.try_get(4)?;
                data.persons.push(PersonFacts {
                    id_number: r.try_get(0)?,
                    name: r.try_get(1)?,
                    household_id: r.try_get(2)?,
                    birth_date: r.try_get(3)?,
                    school_status: school.as_deref().and_then(SchoolStatus::from_code),
                });
            }
        }
        for kind in SourceKind::ALL {
            let ints: Vec<bool> = checks::source_columns(*kind).map(|(_, int)| int).collect();
            let select = checks::source_select(*kind);
            let mut rows = sqlx::query(&select).fetch(&mut *tx);
            let mut out = Vec::new();
            while let Some(r) = rows.try_next().await? {
                let mut cells = Vec::with_capacity(ints.len());
                for (i, int) in ints.iter().enumerate() {
                    cells.push(if *int {
                        r.try_get::<Option<i64>, _>(i + 1)?
                            .map_or(Cell::Null, Cell::Int)
                    } else {
                        r.try_get::<Option<String>, _>(i + 1)?
                            .map_or(Cell::Null, Cell::Text)
                    });
                }
                out.push(SourceRow {
                    line: r.try_get::<i64, _>(0)? as u64,
                    record: SourceRecord { cells },
                });
            }
            drop(rows);
            data.sources.insert(*kind, out);
        }
        tx.commit().await?;
        Ok(data)
    }
}

impl PgStore {
    /// Reads what the exit indicators need in one snapshot, streaming the rows, ordered as
    /// Rust orders the numbers (`COLLATE "C"`) so that members are attached by a merge.
    async fn load_exit_data(
        &self,
        within: Option<&AreaCode>,
    ) -> jingzhun_store::Result<Vec<ExitHousehold>> {
        use jingzhun_domain::exit::MemberFacts;
        const ORDER: &str = "household_id";
        const ORDER_C: &str = "household_id COLLATE \"C\"";
        let (lo, hi) = sql::code_range(within.map_or("", |c| c.prefix()));
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        let mut households = Vec::new();
        {
            let q = exit::EXIT_HOUSEHOLDS
                .replace(&format!("ORDER BY {ORDER}"), &format!("ORDER BY {ORDER_C}"));
            let mut rows = sqlx::query(&q).bind(&lo).bind(&hi).fetch(&mut *tx);
            while let Some(r) = rows.try_next().await? {
                households.push(household_facts(&r)?);
            }
        }
        let mut attach = exit::MemberAttacher::new(households);
        {
            let whole = exit::reads_whole_tables(within);
            let sql_text = if whole {
                exit::EXIT_PERSONS_ALL
            } else {
                exit::EXIT_PERSONS_WITHIN
            };
            let q = sql_text
                .replace(
                    "ORDER BY p.household_id",
                    "ORDER BY p.household_id COLLATE \"C\"",
                )
                .replace(&format!("ORDER BY {ORDER}"), &format!("ORDER BY {ORDER_C}"));
            let query = sqlx::query(&q);
            let query = if whole {
                query
            } else {
                query.bind(&lo).bind(&hi)
            };
            let mut rows = query.fetch(&mut *tx);
            while let Some(r) = rows.try_next().await? {
                let hid: &str = r.try_get(0)?;
                let school: Option<&str> = r.try_get(2)?;
                attach.push(
                    hid,
                    MemberFacts {
                        birth_date: r.try_get(1)?,
                        school_status: school.and_then(SchoolStatus::from_code),
                        medical_insurance: r.try_get(3)?,
                        deceased_on: r.try_get(4)?,
                    },
                );
            }
        }
        tx.commit().await?;
        Ok(attach.finish())
    }
}

/// A household as the rules read it, from a row of `checks::CHECK_HOUSEHOLDS` (or the exit
/// queries, which select the same columns).
fn household_facts(r: &sqlx::postgres::PgRow) -> jingzhun_store::Result<HouseholdFacts> {
    let village: String = r.try_get(1)?;
    let status: String = r.try_get(2)?;
    Ok(HouseholdFacts {
        id: r.try_get(0)?,
        village: jingzhun_store::rows::area_code(&village)?,
        status: checks::status(&status)?,
        income_fen: r.try_get(3)?,
        income_year: r.try_get(4)?,
        housing_safe: r.try_get(5)?,
        water_safe: r.try_get(6)?,
    })
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

/// Rows per `UNNEST` insert of source rows and leads.
const ARRAY_CHUNK: usize = 20_000;

impl PgTx {
    /// Source rows go in as one array per column (`UNNEST`): one statement per 20,000 rows.
    async fn insert_source_rows(
        &mut self,
        kind: SourceKind,
        rows: &[SourceRow],
    ) -> jingzhun_store::Result<()> {
        let columns: Vec<(&str, bool)> = checks::source_columns(kind).collect();
        let types: Vec<String> = std::iter::once("$1::bigint[]".to_string())
            .chain(columns.iter().enumerate().map(|(i, (_, int))| {
                format!("${}::{}[]", i + 2, if *int { "bigint" } else { "text" })
            }))
            .collect();
        let statement = format!(
            "{} SELECT * FROM UNNEST({})",
            checks::source_insert(kind),
            types.join(", ")
        );
        for chunk in rows.chunks(ARRAY_CHUNK) {
            let lines: Vec<i64> = chunk.iter().map(|r| r.line as i64).collect();
            let mut q = sqlx::query(&statement).bind(lines);
            for (i, (_, int)) in columns.iter().enumerate() {
                if *int {
                    let v: Vec<Option<i64>> = chunk
                        .iter()
                        .map(|r| match r.record.cells.get(i) {
                            Some(Cell::Int(v)) => Some(*v),
                            _ => None,
                        })
                        .collect();
                    q = q.bind(v);
                } else {
                    let v: Vec<Option<String>> = chunk
                        .iter()
                        .map(|r| match r.record.cells.get(i) {
                            Some(Cell::Text(t)) => Some(t.clone()),
                            _ => None,
                        })
                        .collect();
                    q = q.bind(v);
                }
            }
            q.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    async fn upsert_leads(
        &mut self,
        run_id: i64,
        findings: &[Finding],
    ) -> jingzhun_store::Result<()> {
        let statement = format!(
            "{} SELECT r, k, s, v, d, e, 'open', $7, $7, $7 FROM UNNEST($1::text[], $2::text[], $3::text[], \
             $4::text[], $5::text[], $6::text[]) AS t (r, k, s, v, d, e) {}",
            checks::LEAD_INSERT,
            checks::LEAD_ON_CONFLICT
        );
        for chunk in findings.chunks(ARRAY_CHUNK) {
            let evidence = chunk
                .iter()
                .map(|f| serde_json::to_string(&f.evidence))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| StoreError::Backend(Box::new(e)))?;
            sqlx::query(&statement)
                .bind(chunk.iter().map(|f| f.rule.code()).collect::<Vec<_>>())
                .bind(
                    chunk
                        .iter()
                        .map(|f| f.subject_kind.code())
                        .collect::<Vec<_>>(),
                )
                .bind(
                    chunk
                        .iter()
                        .map(|f| f.subject_id.as_str())
                        .collect::<Vec<_>>(),
                )
                .bind(
                    chunk
                        .iter()
                        .map(|f| f.village.map(|v| v.as_str().to_string()))
                        .collect::<Vec<_>>(),
                )
                .bind(chunk.iter().map(Finding::detail).collect::<Vec<_>>())
                .bind(evidence)
                .bind(run_id)
                .execute(&mut *self.tx)
                .await?;
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
