//! Jingzhun's storage interface.
//!
//! [`Store`] is what the service layer needs from a database; each backend crate
//! (`jingzhun-store-sqlite`, `jingzhun-store-postgres`) implements it with its own migrations.
//! What both backends share lives here: the stored row types and their conversion to domain
//! types ([`rows`]), the SQL that is the same on both ([`sql`]), the error type, and the
//! conformance suite ([`testsuite`]) that every backend must pass.
//!
//! Architecture invariant: every multi-row change goes through one [`Tx`], so it is all or
//! nothing, and the audit entry that describes it is appended in the same transaction.

pub mod area_sql;
pub mod checks;
pub mod exit;
pub mod notices;
pub mod plans;
pub mod procedures;
pub mod rows;
pub mod sql;
mod sql_impl;
pub mod supervision;
#[cfg(feature = "testsuite")]
pub mod testsuite;
pub mod updates;

use std::collections::HashMap;

use async_trait::async_trait;
use jingzhun_domain::area::{Area, AreaCode, AreaLevel};
pub use jingzhun_domain::area::{AreaDesignation, AreaPopulation};
use jingzhun_domain::audit::{AuditEntry, AuditEvent};
use jingzhun_domain::registry::{Household, HouseholdId, Person};
use jingzhun_domain::summary::StatusCounts;
use jingzhun_domain::vocab::HouseholdStatus;

/// A storage failure. Database errors are never turned into "not found".
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed (connection, constraint, I/O).
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Migrations could not be applied.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value is not one the platform writes (the database was edited by hand).
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// A backend's own driver failed (SQLite bulk writes go through the connection sqlx lends).
    #[error("database error: {0}")]
    Backend(Box<dyn std::error::Error + Send + Sync>),
    /// A row with the same key exists (a login already taken...).
    #[error("already exists: {0}")]
    Duplicate(String),
    /// The URL names no supported backend.
    #[error("unsupported database URL (use a file path, sqlite://... or postgres://...): {0}")]
    UnsupportedUrl(String),
    /// The database server could not be reached (refused, unknown host, no answer in time).
    #[error("{0} / 无法连接数据库")]
    Unreachable(String),
    /// A command that only reads found no database where it was told to look (it never
    /// creates one: a mistyped path must not look like an empty registry).
    #[error(
        "no database at {0} (check --database; `jingzhun migrate` creates a new one) / 此处没有数据库"
    )]
    NoDatabase(String),
    /// The file is a database of another application (tables, but no Jingzhun migrations).
    #[error(
        "{0} is not a Jingzhun database (it holds tables of another application); nothing was changed / 不是精准系统的数据库"
    )]
    ForeignDatabase(String),
    /// The database was migrated by a newer version of Jingzhun than this one.
    #[error(
        "the database is at schema version {found}, newer than this program knows ({known}): use the newer program / 数据库版本较新"
    )]
    NewerDatabase { found: i64, known: i64 },
    /// The database needs migrations that a command which only reads does not apply.
    #[error("the database needs {0} migration(s): run `jingzhun migrate` first / 数据库需要先升级")]
    NeedsMigration(usize),
}

impl StoreError {
    /// The database could not take the request now because another transaction holds the
    /// lock it needs (SQLite busy or locked; PostgreSQL lock timeout, serialization failure,
    /// deadlock), or no connection was free in time: worth trying again shortly.
    pub fn is_busy(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::PoolTimedOut) => true,
            StoreError::Database(sqlx::Error::Database(e)) => {
                let code = e.code().unwrap_or_default();
                // SQLite's primary result code is the low byte of an extended code.
                let sqlite_busy = code.parse::<i64>().is_ok_and(|c| matches!(c & 0xff, 5 | 6));
                sqlite_busy || matches!(code.as_ref(), "55P03" | "40001" | "40P01")
            }
            _ => false,
        }
    }
}

/// How a store is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Create the database if missing and apply pending migrations (commands that write).
    CreateAndMigrate,
    /// The database must exist and be up to date (commands that only read).
    Existing,
}

/// A migration that is known to the program but not yet applied to a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMigration {
    pub version: i64,
    pub description: String,
}

/// Compares the applied migrations with the known ones: the pending ones, or a refusal for a
/// database from a newer program.
pub fn pending_migrations(
    migrator: &sqlx::migrate::Migrator,
    applied: &[i64],
) -> Result<Vec<PendingMigration>> {
    let known = migrator.iter().map(|m| m.version).max().unwrap_or(0);
    if let Some(found) = applied.iter().copied().max().filter(|v| *v > known) {
        return Err(StoreError::NewerDatabase { found, known });
    }
    Ok(migrator
        .iter()
        .filter(|m| !applied.contains(&m.version))
        .map(|m| PendingMigration {
            version: m.version,
            description: m.description.to_string(),
        })
        .collect())
}

/// What [`sql_store!`] needs, re-exported so backend crates need not name the same versions.
#[doc(hidden)]
pub mod __private {
    pub use async_trait;
    pub use chrono;
    pub use jingzhun_domain;
    pub use sqlx;
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which backend a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// An import being recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewImport {
    /// `registry`, `areas`, `designations`, `populations`, later departmental sources.
    pub kind: String,
    /// SHA-256 of the imported bytes.
    pub digest: String,
    /// File names, for people.
    pub source: String,
    pub actor: String,
    pub forced: bool,
}

/// A finished import as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportRecord {
    pub id: i64,
    pub kind: String,
    pub digest: String,
    pub source: String,
    pub actor: String,
    pub started_at: String,
    pub households: i64,
    pub persons: i64,
    pub forced: bool,
}

/// A stored account with its roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: i64,
    pub display_name: String,
    /// The argon2 hash in PHC form; never shown.
    pub password_hash: String,
    pub failed_logins: i32,
    pub account: jingzhun_domain::access::Account,
}

/// An account to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub login: jingzhun_domain::access::Login,
    pub display_name: String,
    pub password_hash: String,
}

/// A search of the registry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HouseholdQuery {
    /// Only within these areas (`None`: everywhere). An empty list finds nothing.
    pub within: Option<Vec<AreaCode>>,
    pub status: Option<HouseholdStatus>,
    /// A household number, an ID number of a member, or the beginning of a member's name.
    pub text: Option<String>,
    /// Households whose primary cause is this one.
    pub cause: Option<jingzhun_domain::vocab::Cause>,
    /// Active households with this gap.
    pub gap: Option<jingzhun_domain::vocab::Gap>,
    pub sort: HouseholdSort,
    /// Keyset pagination: households after this one in the order (with a
    /// [`HouseholdSort::keyset`] order).
    pub after: Option<HouseholdId>,
    /// Rows to skip (with the other orders).
    pub offset: i64,
    pub limit: i64,
}

/// The living members of the household of the row (in a query over `households`).
macro_rules! living_members {
    () => {
        "(SELECT COUNT(*) FROM persons m WHERE m.household_id = households.household_id \
         AND m.deceased_on IS NULL)"
    };
}

/// The order of a household search (ties broken by household number).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HouseholdSort {
    /// By village, then household number: the register's order, and the index's (a search
    /// of a large area stops after one page instead of sorting the area).
    #[default]
    Village,
    Number,
    IncomeAscending,
    IncomeDescending,
}

impl HouseholdSort {
    pub const ALL: [HouseholdSort; 4] = [
        HouseholdSort::Village,
        HouseholdSort::Number,
        HouseholdSort::IncomeAscending,
        HouseholdSort::IncomeDescending,
    ];

    /// Whether pages follow by keyset (`after`) rather than by offset.
    pub fn keyset(self) -> bool {
        matches!(self, HouseholdSort::Village | HouseholdSort::Number)
    }

    /// The code used in URLs.
    pub fn code(self) -> &'static str {
        match self {
            HouseholdSort::Number => "number",
            HouseholdSort::IncomeAscending => "income",
            HouseholdSort::IncomeDescending => "-income",
            HouseholdSort::Village => "village",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The ORDER BY clause. Income orders are by per-capita income (the household's net
    /// income over its living members, as `Household::per_capita_income` divides it);
    /// households without a living member come last.
    pub fn order_by(self) -> &'static str {
        match self {
            HouseholdSort::Number => " ORDER BY household_id",
            HouseholdSort::IncomeAscending => concat!(
                " ORDER BY ",
                living_members!(),
                " = 0, annual_net_income_fen * 1.0 / NULLIF(",
                living_members!(),
                ", 0), household_id"
            ),
            HouseholdSort::IncomeDescending => concat!(
                " ORDER BY ",
                living_members!(),
                " = 0, annual_net_income_fen * 1.0 / NULLIF(",
                living_members!(),
                ", 0) DESC, household_id"
            ),
            HouseholdSort::Village => " ORDER BY village_code, household_id",
        }
    }
}

/// An area-filtered read whose plan [`Store::explain`] shows.
#[derive(Debug, Clone)]
pub enum Explained {
    /// [`Store::search_households`].
    Households(HouseholdQuery),
    /// [`Store::leads`] and [`Store::count_leads`].
    Leads(checks::LeadQuery),
    /// [`Store::cases`].
    Cases(procedures::CaseQuery),
    /// [`Store::records`].
    Records(supervision::RecordQuery),
    /// The figures of an area: counts by child area and status ([`Store::child_counts`]),
    /// the profile ([`Store::area_profile`]), the latest income year.
    Figures(AreaCode),
}

/// What the dashboard shows of an area besides the counts by status: active households by
/// primary cause, and by gap.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AreaProfile {
    /// `None`: no cause recorded.
    pub causes: Vec<(Option<jingzhun_domain::vocab::Cause>, i64)>,
    pub gaps: Vec<(jingzhun_domain::vocab::Gap, i64)>,
}

/// A web session as stored (the token itself is never stored, only its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub login: String,
    pub csrf: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Counts by status for one child area of the area asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildCounts {
    pub code: AreaCode,
    pub counts: StatusCounts,
}

/// How rows are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// The caller guarantees no such row exists (it is new, or its old version was removed in
    /// this transaction); a row that exists after all is refused by the database. The fast path.
    Insert,
    /// A row that exists is overwritten.
    Upsert,
}

/// What the service layer needs from a database.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;

    /// Starts a write transaction. Dropping it without [`Tx::commit`] rolls everything back.
    async fn begin(&self) -> Result<Box<dyn Tx + '_>>;

    // Areas.
    async fn area(&self, code: &AreaCode) -> Result<Option<Area>>;
    /// Children of an area, or the provinces for `None`, by code.
    async fn children(&self, parent: Option<&AreaCode>) -> Result<Vec<Area>>;
    async fn area_counts(&self) -> Result<HashMap<AreaLevel, i64>>;
    /// Codes of all villages within an area (all villages for `None`).
    async fn village_codes(&self, within: Option<&AreaCode>) -> Result<Vec<AreaCode>>;
    async fn designations(&self, within: &AreaCode) -> Result<Vec<AreaDesignation>>;
    /// Rural population of each child area of `parent` in `year` (summed over villages).
    async fn child_populations(&self, parent: &AreaCode, year: i32)
    -> Result<Vec<(AreaCode, i64)>>;

    // Registry.
    async fn household(&self, id: &HouseholdId) -> Result<Option<Household>>;
    /// Households within an area ordered by number, after `after`, at most `limit`.
    async fn households_page(
        &self,
        within: &AreaCode,
        after: Option<&HouseholdId>,
        limit: i64,
    ) -> Result<Vec<Household>>;
    /// Households matching a query, ordered by household number.
    async fn search_households(&self, query: &HouseholdQuery) -> Result<Vec<Household>>;
    /// Members of these households, ordered by household then ID number.
    async fn persons_of(&self, households: &[HouseholdId]) -> Result<Vec<Person>>;
    /// Households and persons by status for each child area of `parent`.
    async fn child_counts(&self, parent: &AreaCode) -> Result<Vec<ChildCounts>>;
    /// Households and persons by status of the area itself (a village too, which has no
    /// children to add up).
    async fn status_counts(
        &self,
        code: &AreaCode,
    ) -> Result<jingzhun_domain::summary::StatusCounts>;
    /// The years for which some village within the area (everywhere for `None`) has a rural
    /// population, oldest first.
    async fn population_years(&self, within: Option<&AreaCode>) -> Result<Vec<i32>>;
    /// Active households of an area by primary cause and by gap.
    async fn area_profile(&self, within: &AreaCode) -> Result<AreaProfile>;
    /// The import that last wrote a household.
    async fn household_import(&self, id: &HouseholdId) -> Result<Option<ImportRecord>>;
    /// Audit entries about one subject, oldest first.
    async fn audit_of(&self, subject_kind: &str, subject_id: &str) -> Result<Vec<AuditEntry>>;
    /// Whether the registry holds no household at all.
    async fn registry_is_empty(&self) -> Result<bool>;
    /// The latest income year of the households within an area (everywhere for `None`),
    /// applicants not counted: an application's income says nothing of the registry's year.
    async fn latest_income_year(&self, within: Option<&AreaCode>) -> Result<Option<i32>>;

    // Accounts.
    async fn user(&self, login: &str) -> Result<Option<UserRecord>>;
    /// Every account, by login.
    async fn users(&self) -> Result<Vec<UserRecord>>;

    /// The session whose token hashes to `token_hash`, expired or not.
    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>>;
    /// The session whose token hashes to `token_hash`, expired or not, with its account (two
    /// queries: this runs on every signed-in request).
    async fn session_user(&self, token_hash: &str) -> Result<Option<(SessionRecord, UserRecord)>>;
    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<()>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;

    // Imports.
    async fn import_by_digest(&self, kind: &str, digest: &str) -> Result<Option<ImportRecord>>;

    /// Brings the planner's statistics up to date after a bulk change (PostgreSQL plans a
    /// search by ID number with a full scan until it has them; SQLite's plans need none).
    async fn refresh_statistics(&self) -> Result<()>;

    // Departmental sources and cross-checks.
    /// The current copy of each source imported so far, by kind.
    async fn source_imports(&self) -> Result<Vec<checks::SourceImport>>;
    /// Everything the cross-check rules read: the registry and every source's current copy.
    async fn check_data(&self) -> Result<jingzhun_domain::checks::CheckData>;
    /// The latest runs, newest first.
    async fn check_runs(&self, limit: i64) -> Result<Vec<checks::CheckRunRecord>>;
    async fn check_run(&self, id: i64) -> Result<Option<checks::CheckRunRecord>>;
    /// Leads matching a query, by rule then subject.
    async fn leads(&self, query: &checks::LeadQuery) -> Result<Vec<checks::LeadRecord>>;
    /// How many leads match a query (ignoring its offset and limit).
    async fn count_leads(&self, query: &checks::LeadQuery) -> Result<i64>;
    async fn lead(&self, id: i64) -> Result<Option<checks::LeadRecord>>;
    /// Leads whose subject is one of these (ID numbers, household numbers), by rule.
    async fn leads_about(&self, subject_ids: &[String]) -> Result<Vec<checks::LeadRecord>>;
    /// What the warnings read of each village within an area, for `year`: registered persons
    /// at its end and the year before's, exited households of that income year whose income is
    /// below `monitoring_fen` per living member (per-capita income as everywhere), and open leads.
    async fn village_figures(
        &self,
        within: &AreaCode,
        year: i32,
        monitoring_fen: i64,
    ) -> Result<Vec<jingzhun_domain::warnings::VillageFigures>>;
    /// Leads per village, rule and state within an area.
    async fn lead_counts(&self, within: &AreaCode) -> Result<Vec<checks::LeadCount>>;

    // Standards and exit evaluation.
    /// The standards administrators have set (the defaults are not stored).
    async fn standards(&self) -> Result<Vec<exit::StandardRecord>>;
    /// Households (not removed or applying are included too; the evaluation skips them) within
    /// an area, or everywhere, each with its members: what the exit indicators read.
    async fn exit_data(
        &self,
        within: Option<&AreaCode>,
    ) -> Result<Vec<jingzhun_domain::exit::ExitHousehold>>;
    /// The code and name of each village within an area (or everywhere).
    async fn village_names(&self, within: Option<&AreaCode>) -> Result<Vec<(AreaCode, String)>>;
    /// The rural population of each village within an area (or everywhere) in `year`.
    async fn village_populations(
        &self,
        within: Option<&AreaCode>,
        year: i32,
    ) -> Result<Vec<(AreaCode, i64)>>;

    // Plans.
    async fn plan(&self, household: &HouseholdId) -> Result<Option<plans::PlanRecord>>;
    async fn plan_progress(&self, household: &HouseholdId) -> Result<Vec<plans::ProgressRecord>>;
    /// Per village within an area: (village, plans, the largest group of identical plans).
    async fn plan_groups(&self, within: &AreaCode) -> Result<Vec<(AreaCode, i64, i64)>>;

    // Public notices.
    async fn notice(&self, id: i64) -> Result<Option<notices::NoticeRecord>>;
    /// The latest notices, newest first (of one area, or all).
    async fn notices(
        &self,
        within: Option<&AreaCode>,
        limit: i64,
    ) -> Result<Vec<notices::NoticeRecord>>;

    // Procedures.
    async fn case(&self, id: i64) -> Result<Option<procedures::CaseRecord>>;
    /// Cases matching a query, newest first.
    async fn cases(&self, query: &procedures::CaseQuery) -> Result<Vec<procedures::CaseRecord>>;

    // Supervision: complaints, inspections, rectification programmes, accountability cases.
    async fn record(
        &self,
        kind: supervision::RecordKind,
        id: i64,
    ) -> Result<Option<supervision::SupervisionRecord>>;
    /// The record of a kind with this public code (a complaint's ticket code).
    async fn record_by_code(
        &self,
        kind: supervision::RecordKind,
        code: &str,
    ) -> Result<Option<supervision::SupervisionRecord>>;
    /// Records matching a query, newest first.
    async fn records(
        &self,
        query: &supervision::RecordQuery,
    ) -> Result<Vec<supervision::SupervisionRecord>>;
    /// A record's sealed identity, as stored (encrypted).
    async fn sealed_identity(&self, record_id: i64) -> Result<Option<supervision::SealedRow>>;
    /// One trivial query: the database answers (for `/health`).
    async fn ping(&self) -> Result<()>;
    /// The fingerprint of the sealing key recorded for this database, if one was.
    async fn seal_key_fingerprint(&self) -> Result<Option<String>>;
    /// Whether the database holds any sealed value (an identity or a draw's seed).
    async fn holds_sealed_values(&self) -> Result<bool>;

    // Yearly updates.
    /// The update of a village for a year.
    async fn annual_update(
        &self,
        village: &AreaCode,
        year: i32,
    ) -> Result<Option<updates::UpdateRecord>>;
    /// The updates of the villages within an area for a year.
    async fn annual_updates(
        &self,
        within: &AreaCode,
        year: i32,
    ) -> Result<Vec<updates::UpdateRecord>>;
    /// Every approved update within an area (or everywhere): (village, latest approved year).
    async fn approved_updates(&self, within: Option<&AreaCode>) -> Result<Vec<(AreaCode, i32)>>;
    /// Households within an area last written before `before` (RFC 3339), oldest first.
    async fn stale_households(
        &self,
        within: &AreaCode,
        before: chrono::DateTime<chrono::Utc>,
        limit: i64,
    ) -> Result<Vec<(HouseholdId, AreaCode, String)>>;
    /// Notices that correct notice `id`, oldest first.
    async fn corrections_of(&self, id: i64) -> Result<Vec<notices::NoticeRecord>>;

    // Audit.
    /// Entries with `seq > after`, at most `limit`, in order.
    async fn audit_page(&self, after: i64, limit: i64) -> Result<Vec<AuditEntry>>;
    /// The chain head: last sequence number and hash.
    async fn audit_head(&self) -> Result<(i64, String)>;

    /// The plan the database chooses for each statement of an area-filtered read, as label
    /// and plan lines (SQLite: the details of `EXPLAIN QUERY PLAN`; PostgreSQL: `EXPLAIN` with
    /// sequential scans disabled, so that a plan on a small table shows the index it can use).
    /// For the conformance suite and diagnosis: every area condition must be an index range.
    async fn explain(&self, read: &Explained) -> Result<Vec<(String, Vec<String>)>>;
    /// Appends one event in its own transaction.
    async fn audit(&self, event: &AuditEvent) -> Result<AuditEntry> {
        let mut tx = self.begin().await?;
        let entry = tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(entry)
    }
}

/// A write transaction.
#[async_trait]
pub trait Tx: Send {
    /// Inserts or renames areas (parents first).
    async fn put_areas(&mut self, areas: &[Area]) -> Result<()>;
    async fn put_designations(&mut self, rows: &[AreaDesignation]) -> Result<()>;
    async fn put_populations(&mut self, rows: &[AreaPopulation]) -> Result<()>;

    /// Statuses and villages of those of `ids` that the registry holds.
    async fn household_statuses(
        &mut self,
        ids: &[HouseholdId],
    ) -> Result<Vec<(HouseholdId, HouseholdStatus, AreaCode)>>;
    /// Writes households: `new` ones are inserted (one that exists already is an error);
    /// `replaced` ones overwrite the stored row and lose their stored members (the import
    /// brings the new list). The caller knows which is which from [`Tx::household_statuses`].
    async fn put_households(
        &mut self,
        new: &[Household],
        replaced: &[Household],
        import_id: i64,
    ) -> Result<()>;
    /// Writes persons (keyed by household and ID number), see [`WriteMode`].
    async fn put_persons(&mut self, rows: &[Person], mode: WriteMode) -> Result<()>;

    /// Creates an account; a login already taken is [`StoreError::Duplicate`].
    async fn create_user(&mut self, user: &NewUser) -> Result<i64>;
    /// Gives an account a role over an area (replacing the same role over the same area).
    async fn assign(
        &mut self,
        user_id: i64,
        assignment: &jingzhun_domain::access::Assignment,
    ) -> Result<()>;
    async fn set_password_hash(&mut self, user_id: i64, hash: &str) -> Result<()>;
    async fn set_disabled(&mut self, user_id: i64, disabled: bool) -> Result<()>;
    /// Counts a failed login, or clears the count after a successful one.
    async fn record_login(&mut self, user_id: i64, succeeded: bool) -> Result<()>;

    /// Records the start of an import; returns its id.
    async fn begin_import(&mut self, import: &NewImport) -> Result<i64>;
    async fn finish_import(&mut self, id: i64, households: i64, persons: i64) -> Result<()>;

    /// Drops the registry's secondary indexes for a bulk load into an empty registry; they are
    /// built again, sorted once, by [`Tx::rebuild_registry_indexes`] in the same transaction
    /// (as `sqlite3 .import` followed by `CREATE INDEX` does).
    async fn defer_registry_indexes(&mut self) -> Result<()>;
    async fn rebuild_registry_indexes(&mut self) -> Result<()>;

    /// Replaces the current copy of a source with `rows`, recording the import they came from.
    async fn replace_source(
        &mut self,
        kind: jingzhun_domain::sources::SourceKind,
        rows: &[jingzhun_domain::checks::SourceRow],
        import_id: i64,
    ) -> Result<()>;
    /// Records the start of a cross-check run; returns its id.
    async fn begin_check_run(&mut self, run: &checks::NewCheckRun) -> Result<i64>;
    /// Records a run's findings as leads and compares them with the leads open before: those of
    /// the run's rules and area that it no longer finds are `gone`.
    async fn record_findings(
        &mut self,
        run_id: i64,
        within: Option<&[AreaCode]>,
        rules: &[jingzhun_domain::checks::Rule],
        findings: &[jingzhun_domain::checks::Finding],
    ) -> Result<checks::RunComparison>;
    async fn finish_check_run(
        &mut self,
        run_id: i64,
        notes: &[String],
        comparison: &checks::RunComparison,
    ) -> Result<()>;
    /// Records a verification of an open lead last seen at `version`; `false` when the lead
    /// has changed meanwhile or is not open.
    async fn verify_lead(
        &mut self,
        id: i64,
        version: i64,
        verification: &jingzhun_domain::checks::Verification,
        actor: &str,
    ) -> Result<bool>;

    /// Stores a standard's value if the slot is still at `version` (0: never set); `false`
    /// when someone changed it meanwhile.
    async fn put_standard(
        &mut self,
        entry: &jingzhun_domain::standards::StandardEntry,
        version: i64,
        actor: &str,
    ) -> Result<bool>;

    /// Stores a household's plan if it is still at `version` (0: none yet); `false` when it
    /// changed meanwhile.
    async fn put_plan(
        &mut self,
        household: &HouseholdId,
        village: &AreaCode,
        plan: &jingzhun_domain::plan::Plan,
        version: i64,
        actor: &str,
    ) -> Result<bool>;
    async fn add_plan_progress(
        &mut self,
        household: &HouseholdId,
        done_on: chrono::NaiveDate,
        note: &str,
        actor: &str,
    ) -> Result<()>;
    /// Publishes a notice (never updated afterwards); returns its id.
    async fn insert_notice(
        &mut self,
        village: &AreaCode,
        content: &str,
        digest: &str,
        period: (chrono::NaiveDate, chrono::NaiveDate),
        actor: &str,
    ) -> Result<i64>;
    /// Records a new case; `None` when the household already has a case in progress.
    async fn insert_case(
        &mut self,
        household_id: &str,
        case: &jingzhun_domain::procedure::Case,
        actor: &str,
    ) -> Result<Option<i64>>;
    /// Writes a case if it is still at `version`; `false` when it changed meanwhile.
    async fn update_case(
        &mut self,
        id: i64,
        version: i64,
        case: &jingzhun_domain::procedure::Case,
    ) -> Result<bool>;
    /// Sets a household's status as a completed procedure says (with its exit year, or the
    /// removal reason), and stamps it updated.
    async fn set_household_status(
        &mut self,
        id: &HouseholdId,
        status: HouseholdStatus,
        exit_year: Option<i32>,
        removal_reason: Option<jingzhun_domain::vocab::RemovalReason>,
    ) -> Result<()>;

    /// Records a supervision record; a public code already taken is [`StoreError::Duplicate`].
    async fn insert_record(&mut self, record: &supervision::NewRecord) -> Result<i64>;
    /// Writes a record if it is still at `version`; `false` when it changed meanwhile.
    async fn update_record(
        &mut self,
        id: i64,
        version: i64,
        change: &supervision::RecordChange,
    ) -> Result<bool>;
    /// Stores a record's sealed identity (encrypted by the caller).
    /// Records the sealing key's fingerprint (once: an existing one is kept and returned).
    async fn record_seal_key_fingerprint(&mut self, fingerprint: &str) -> Result<String>;
    async fn put_sealed_identity(
        &mut self,
        record_id: i64,
        sealed: &supervision::SealedRow,
    ) -> Result<()>;

    /// Writes a village's yearly update if it is still at `version` (0: none yet); `false`
    /// when it changed meanwhile.
    async fn put_annual_update(
        &mut self,
        update: &updates::UpdateRecord,
        version: i64,
    ) -> Result<bool>;
    /// Publishes a notice that corrects notice `corrects`.
    async fn insert_correction(
        &mut self,
        village: &AreaCode,
        content: &str,
        digest: &str,
        period: (chrono::NaiveDate, chrono::NaiveDate),
        actor: &str,
        corrects: i64,
    ) -> Result<i64>;

    /// Seals an event into the chain, after the current head.
    async fn append_audit(&mut self, event: &AuditEvent) -> Result<AuditEntry>;

    async fn commit(self: Box<Self>) -> Result<()>;
}
