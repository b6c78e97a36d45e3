//! Jingzhun's SQLite backend, the embedded default.
//!
//! Safety settings, always on: WAL journal, `foreign_keys = ON`, `synchronous = FULL` (a
//! committed transaction survives power loss), a busy timeout, and write transactions that
//! start with `BEGIN IMMEDIATE` so two writers queue instead of failing half-way.
//! The queries themselves are shared with PostgreSQL ([`jingzhun_store::sql_store!`]).

use std::str::FromStr;
use std::time::Duration;

use jingzhun_domain::area::AreaCode;
use jingzhun_domain::checks::{CheckData, Finding, SourceRow};
use jingzhun_domain::exit::ExitHousehold;
use jingzhun_domain::registry::{Household, Person};
use jingzhun_domain::sources::{Cell, SourceKind};
use jingzhun_domain::vocab::SchoolStatus;
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_store::rows::{causes_to_text, income_fen};
use jingzhun_store::{
    Backend, OpenMode, PendingMigration, StoreError, WriteMode, checks, exit, sql,
};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Sqlite, SqlitePool};

/// The schema's migrations, compiled in.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A SQLite database.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at a path or `sqlite://` URL and migrates it.
    pub async fn open(location: &str) -> jingzhun_store::Result<Self> {
        Self::open_with(location, OpenMode::CreateAndMigrate).await
    }

    fn url(location: &str) -> String {
        if location.starts_with("sqlite:") {
            location.to_string()
        } else {
            format!("sqlite://{location}")
        }
    }

    /// The migrations the database at `location` still needs (all of them when there is no
    /// database yet); refuses a database of another application or of a newer program. Reads
    /// only: nothing is created or changed.
    pub async fn pending(location: &str) -> jingzhun_store::Result<Vec<PendingMigration>> {
        let applied = Self::probe(location).await?.unwrap_or_default();
        jingzhun_store::pending_migrations(&MIGRATOR, &applied)
    }

    /// What the file holds, read through a read-only connection that changes nothing (not
    /// even the journal mode): `None` when there is no file or it is empty, else the applied
    /// migrations; a file with tables but no migrations is another application's.
    async fn probe(location: &str) -> jingzhun_store::Result<Option<Vec<i64>>> {
        let options = SqliteConnectOptions::from_str(&Self::url(location))?;
        let path = options.get_filename().to_path_buf();
        let in_memory = path.as_os_str().is_empty() || path.as_os_str() == ":memory:";
        if in_memory || std::fs::metadata(&path).map_or(true, |m| m.len() == 0) {
            return Ok(None);
        }
        let mut conn = options.read_only(true).connect().await?;
        let tables: Vec<(String,)> =
            sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table'")
                .fetch_all(&mut conn)
                .await?;
        let result = if tables.iter().any(|(t,)| t == "_sqlx_migrations") {
            let v: Vec<(i64,)> = sqlx::query_as(
                "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version",
            )
            .fetch_all(&mut conn)
            .await?;
            Ok(Some(v.into_iter().map(|(v,)| v).collect()))
        } else if tables.is_empty() {
            Ok(None)
        } else {
            Err(StoreError::ForeignDatabase(path.display().to_string()))
        };
        conn.close().await?;
        result
    }

    /// Opens the database: creating and migrating it, or only if it exists and is up to date
    /// ([`OpenMode`]). A database of another application, or of a newer program, is refused
    /// before anything is written to it.
    pub async fn open_with(location: &str, mode: OpenMode) -> jingzhun_store::Result<Self> {
        let applied = Self::probe(location).await?;
        let pending =
            jingzhun_store::pending_migrations(&MIGRATOR, applied.as_deref().unwrap_or_default())?;
        if mode == OpenMode::Existing {
            match &applied {
                None => return Err(StoreError::NoDatabase(location.to_string())),
                Some(_) if !pending.is_empty() => {
                    return Err(StoreError::NeedsMigration(pending.len()));
                }
                Some(_) => {}
            }
        }
        let options = SqliteConnectOptions::from_str(&Self::url(location))?
            .create_if_missing(mode == OpenMode::CreateAndMigrate)
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
        if mode == OpenMode::CreateAndMigrate {
            MIGRATOR.run(&pool).await?;
        }
        Ok(SqliteStore { pool })
    }

    /// Writes a consistent copy of the live database to `out` (`VACUUM INTO`: a snapshot read
    /// in one transaction, safe while others write; a file copy of a live database is not).
    pub async fn backup(&self, out: &std::path::Path) -> jingzhun_store::Result<()> {
        sqlx::query("VACUUM INTO $1")
            .bind(out.to_string_lossy().into_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Reads everything the cross-checks need on one connection's own SQLite handle (as the
    /// bulk writers do): a million member rows through sqlx would each be marshalled from its
    /// worker thread.
    async fn load_check_data(&self) -> jingzhun_store::Result<CheckData> {
        let mut conn = self.pool.acquire().await?;
        let mut locked = conn.lock_handle().await?;
        // SAFETY: as in `SqliteTx::with_handle`: the handle is ours while `locked` lives, and
        // the borrowed connection is dropped before it is released.
        let c = unsafe { rusqlite::Connection::from_handle(locked.as_raw_handle().as_ptr()) }
            .map_err(backend)?;
        let data = read_check_data(&c);
        drop(c);
        drop(locked);
        data
    }
}

impl SqliteStore {
    /// Reads what the exit indicators need, on the connection's own handle like the check
    /// data: a million members through sqlx would each cross a thread.
    async fn load_exit_data(
        &self,
        within: Option<&AreaCode>,
    ) -> jingzhun_store::Result<Vec<ExitHousehold>> {
        let mut conn = self.pool.acquire().await?;
        let mut locked = conn.lock_handle().await?;
        // SAFETY: as in `SqliteTx::with_handle`: the handle is ours while `locked` lives, and
        // the borrowed connection is dropped before it is released.
        let c = unsafe { rusqlite::Connection::from_handle(locked.as_raw_handle().as_ptr()) }
            .map_err(backend)?;
        c.execute_batch("BEGIN").map_err(backend)?;
        let data = read_exit_data(&c, within);
        let end = c.execute_batch("COMMIT").map_err(backend);
        drop(c);
        drop(locked);
        let data = data?;
        end?;
        Ok(data)
    }
}

fn read_exit_data(
    c: &rusqlite::Connection,
    within: Option<&AreaCode>,
) -> jingzhun_store::Result<Vec<ExitHousehold>> {
    use jingzhun_domain::exit::MemberFacts;
    let (lo, hi) = sql::code_range(within.map_or("", |c| c.prefix()));
    let mut households = Vec::new();
    let whole = exit::reads_whole_tables(within);
    let households_sql = if whole {
        exit::EXIT_HOUSEHOLDS_SCAN
    } else {
        exit::EXIT_HOUSEHOLDS
    };
    let mut stmt = c.prepare(households_sql).map_err(backend)?;
    let mut rows = stmt.query([&lo, &hi]).map_err(backend)?;
    while let Some(r) = rows.next().map_err(backend)? {
        households.push(household_facts(r)?);
    }
    drop(rows);
    let mut attach = exit::MemberAttacher::new(households);
    let mut stmt;
    let mut rows = match (whole, within) {
        (true, _) | (_, None) => {
            stmt = c.prepare(exit::EXIT_PERSONS_ALL).map_err(backend)?;
            stmt.query([]).map_err(backend)?
        }
        (false, Some(_)) => {
            stmt = c.prepare(exit::EXIT_PERSONS_WITHIN).map_err(backend)?;
            stmt.query([&lo, &hi]).map_err(backend)?
        }
    };
    while let Some(r) = rows.next().map_err(backend)? {
        let school = r
            .get_ref(2)
            .map_err(backend)?
            .as_str_or_null()
            .map_err(|e| backend(e.into()))?;
        let date = |i: usize| -> jingzhun_store::Result<Option<chrono::NaiveDate>> {
            let t = r
                .get_ref(i)
                .map_err(backend)?
                .as_str_or_null()
                .map_err(|e| backend(e.into()))?;
            t.map(|t| exit::iso_date(t).ok_or_else(|| StoreError::Corrupt(format!("date {t:?}"))))
                .transpose()
        };
        let member = MemberFacts {
            birth_date: date(1)?.ok_or_else(|| StoreError::Corrupt("birth date missing".into()))?,
            school_status: school.and_then(SchoolStatus::from_code),
            medical_insurance: r.get(3).map_err(backend)?,
            deceased_on: date(4)?,
        };
        let hid = r
            .get_ref(0)
            .map_err(backend)?
            .as_str()
            .map_err(|e| backend(e.into()))?;
        attach.push(hid, member);
    }
    Ok(attach.finish())
}

/// A household as the rules read it, from a row of `checks::CHECK_HOUSEHOLDS` (or the exit
/// queries, which select the same columns).
fn household_facts(
    r: &rusqlite::Row<'_>,
) -> jingzhun_store::Result<jingzhun_domain::checks::HouseholdFacts> {
    let village: String = r.get(1).map_err(backend)?;
    let status: String = r.get(2).map_err(backend)?;
    Ok(jingzhun_domain::checks::HouseholdFacts {
        id: r.get(0).map_err(backend)?,
        village: jingzhun_store::rows::area_code(&village)?,
        status: checks::status(&status)?,
        income_fen: r.get(3).map_err(backend)?,
        income_year: r.get(4).map_err(backend)?,
        housing_safe: r.get(5).map_err(backend)?,
        water_safe: r.get(6).map_err(backend)?,
    })
}

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(Box::new(e))
}

fn read_check_data(c: &rusqlite::Connection) -> jingzhun_store::Result<CheckData> {
    // One snapshot for all the reads.
    c.execute_batch("BEGIN").map_err(backend)?;
    let data = read_check_tables(c);
    c.execute_batch("COMMIT").map_err(backend)?;
    data
}

fn read_check_tables(c: &rusqlite::Connection) -> jingzhun_store::Result<CheckData> {
    use jingzhun_domain::checks::{PersonFacts, SourceRow};
    use jingzhun_domain::sources::{Cell, SourceRecord};
    let mut data = CheckData::default();
    let mut stmt = c.prepare(checks::CHECK_HOUSEHOLDS).map_err(backend)?;
    let mut rows = stmt.query([]).map_err(backend)?;
    while let Some(r) = rows.next().map_err(backend)? {
        data.households.push(household_facts(r)?);
    }
    drop(rows);
    let mut stmt = c.prepare(checks::CHECK_PERSONS).map_err(backend)?;
    let mut rows = stmt.query([]).map_err(backend)?;
    while let Some(r) = rows.next().map_err(backend)? {
        let school: Option<String> = r.get(4).map_err(backend)?;
        data.persons.push(PersonFacts {
            id_number: r.get(0).map_err(backend)?,
            name: r.get(1).map_err(backend)?,
            household_id: r.get(2).map_err(backend)?,
            birth_date: r.get(3).map_err(backend)?,
            school_status: school.as_deref().and_then(SchoolStatus::from_code),
        });
    }
    drop(rows);
    for kind in SourceKind::ALL {
        let ints: Vec<bool> = checks::source_columns(*kind).map(|(_, int)| int).collect();
        let mut stmt = c.prepare(&checks::source_select(*kind)).map_err(backend)?;
        let mut rows = stmt.query([]).map_err(backend)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(backend)? {
            let mut cells = Vec::with_capacity(ints.len());
            for (i, int) in ints.iter().enumerate() {
                cells.push(if *int {
                    r.get::<_, Option<i64>>(i + 1)
                        .map_err(backend)?
                        .map_or(Cell::Null, Cell::Int)
                } else {
                    r.get::<_, Option<String>>(i + 1)
                        .map_err(backend)?
                        .map_or(Cell::Null, Cell::Text)
                });
            }
            out.push(SourceRow {
                line: r.get::<_, i64>(0).map_err(backend)? as u64,
                record: SourceRecord { cells },
            });
        }
        data.sources.insert(*kind, out);
    }
    Ok(data)
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

impl SqliteTx {
    async fn insert_source_rows(
        &mut self,
        kind: SourceKind,
        rows: &[SourceRow],
    ) -> jingzhun_store::Result<()> {
        let n = kind.columns().len();
        let statement = format!(
            "{} VALUES ({})",
            checks::source_insert(kind),
            placeholders(n + 1)
        );
        self.with_handle(|conn| {
            let mut stmt = conn.prepare(&statement)?;
            for r in rows {
                stmt.raw_bind_parameter(1, r.line as i64)?;
                for (i, cell) in r.record.cells.iter().enumerate() {
                    match cell {
                        Cell::Null => stmt.raw_bind_parameter(i + 2, rusqlite::types::Null)?,
                        Cell::Text(t) => stmt.raw_bind_parameter(i + 2, t.as_str())?,
                        Cell::Int(v) => stmt.raw_bind_parameter(i + 2, *v)?,
                    }
                }
                stmt.raw_execute()?;
            }
            Ok(())
        })
        .await
    }

    async fn upsert_leads(
        &mut self,
        run_id: i64,
        findings: &[Finding],
    ) -> jingzhun_store::Result<()> {
        let rows = lead_params(findings)?;
        self.with_handle(|conn| {
            let mut stmt = conn.prepare(&checks::lead_upsert_one())?;
            for (f, evidence) in findings.iter().zip(&rows) {
                stmt.execute(rusqlite::params![
                    f.rule.code(),
                    f.subject_kind.code(),
                    f.subject_id,
                    f.village.as_ref().map(|v| v.as_str()),
                    f.detail(),
                    evidence,
                    run_id,
                ])?;
            }
            Ok(())
        })
        .await
    }
}

/// The evidence of each finding as JSON.
fn lead_params(findings: &[Finding]) -> jingzhun_store::Result<Vec<String>> {
    findings
        .iter()
        .map(|f| serde_json::to_string(&f.evidence).map_err(|e| StoreError::Backend(Box::new(e))))
        .collect()
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
