//! The `jingzhun` command as a person uses it: exit codes, reports on disk, the demo, and an
//! import killed half-way.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn jingzhun(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jingzhun"))
        .arg("--database")
        .arg(db)
        .args(args)
        .env_remove("JINGZHUN_DATABASE_URL")
        .output()
        .expect("run jingzhun")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

async fn scalar(db: &Path, sql: &str) -> i64 {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .expect("open");
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&pool).await.expect("query");
    pool.close().await;
    n
}

#[test]
fn demo_builds_once_then_reuses_and_prints_townships() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let first = jingzhun(&db, &["demo", "--no-serve"]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let out = text(&first.stdout);
    assert!(out.contains("Demo data created"));
    assert!(
        out.contains("牛佛镇") && out.contains("合计 total"),
        "{out}"
    );
    assert_eq!(
        out.lines().filter(|l| l.starts_with("510304")).count(),
        16,
        "the county line and 15 townships"
    );
    assert!(
        out.contains("Daan-demo-2020") && out.contains("township2") && out.contains("discipline"),
        "the demo accounts are printed: {out}"
    );
    let second = jingzhun(&db, &["demo", "--no-serve"]);
    assert!(text(&second.stdout).contains("Reusing demo data"));
    let verify = jingzhun(&db, &["audit", "verify"]);
    assert!(verify.status.success());
    assert!(text(&verify.stdout).contains("intact"));
}

#[test]
fn a_rejected_import_exits_3_and_leaves_the_report_as_text_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    assert!(jingzhun(&db, &["demo", "--no-serve"]).status.success());
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(input.join("households.csv"), "household_id,village_code,status,identified_year,housing_safe,water_safe,annual_net_income,income_year\nX1,510304001011,registered,2014,是,是,12e3,2020\n").unwrap();
    std::fs::write(
        input.join("persons.csv"),
        "id_number,name,household_id,relation,gender,birth_date\n",
    )
    .unwrap();
    let out = jingzhun(&db, &["import", "registry", input.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("households.csv:2 annual_net_income 12e3"));
    let txt = std::fs::read_to_string(input.join("import-errors.txt")).unwrap();
    let csv = std::fs::read_to_string(input.join("import-errors.csv")).unwrap();
    assert!(txt.contains("不是金额"));
    // UTF-8 with a byte-order mark and Chinese headers, so that Excel opens it as is.
    assert!(
        csv.starts_with(
            "\u{feff}文件,行号,列,值,原因,原因（英文）\nhouseholds.csv,2,annual_net_income,12e3,"
        ),
        "{csv}"
    );
}

#[test]
fn importing_the_same_files_twice_exits_4_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    assert!(jingzhun(&db, &["demo", "--no-serve"]).status.success());
    let gen_dir = dir.path().join("gen");
    assert!(
        jingzhun(
            &db,
            &[
                "generate",
                "--households",
                "10",
                "--area",
                "510304001",
                "--seed",
                "9",
                gen_dir.to_str().unwrap()
            ]
        )
        .status
        .success()
    );
    let other = dir.path().join("other.db");
    // Load only the areas into the other database, through the demo's shipped files.
    assert!(
        jingzhun(
            &other,
            &[
                "areas",
                "import",
                concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/areas/510304")
            ]
        )
        .status
        .success()
    );
    let first = jingzhun(&other, &["import", "registry", gen_dir.to_str().unwrap()]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let again = jingzhun(&other, &["import", "registry", gen_dir.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(4));
    assert!(text(&again.stderr).contains("--force"));
    let forced = jingzhun(
        &other,
        &["import", "registry", "--force", gen_dir.to_str().unwrap()],
    );
    assert!(forced.status.success());
    assert!(text(&forced.stdout).contains("10 replaced"));
}

#[tokio::test]
async fn audit_verify_exits_5_and_names_the_entry_deleted_from_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    assert!(jingzhun(&db, &["demo", "--no-serve"]).status.success());
    let out = dir.path().join("x");
    assert!(
        jingzhun(
            &db,
            &[
                "export",
                "registry",
                "--area",
                "510304",
                out.to_str().unwrap()
            ]
        )
        .status
        .success()
    );
    // The head printed by a good verification is checked again later with --head.
    let first = jingzhun(&db, &["audit", "verify"]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let printed = text(&first.stdout);
    let head = printed
        .split("head: ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .expect("the head is printed")
        .to_string();
    let anchored = jingzhun(&db, &["audit", "verify", "--head", &head]);
    assert!(anchored.status.success(), "{}", text(&anchored.stderr));
    let (seq, _) = head.split_once(':').unwrap();
    let forged = format!("{seq}:{}", "0".repeat(64));
    let wrong = jingzhun(&db, &["audit", "verify", "--head", &forged]);
    assert_eq!(wrong.status.code(), Some(5));
    assert!(
        text(&wrong.stderr).contains("published head"),
        "{}",
        text(&wrong.stderr)
    );
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_log WHERE seq = 2")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let v = jingzhun(&db, &["audit", "verify"]);
    assert_eq!(v.status.code(), Some(5));
    assert!(
        text(&v.stderr).contains("entries 2 to 2 are missing"),
        "{}",
        text(&v.stderr)
    );
}

#[tokio::test]
async fn killing_an_import_half_way_leaves_the_database_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let areas = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/areas/510304");
    assert!(jingzhun(&db, &["areas", "import", areas]).status.success());
    // A registry already holding something, with household numbers of its own.
    let base = dir.path().join("base");
    std::fs::create_dir(&base).unwrap();
    std::fs::write(base.join("households.csv"), "household_id,village_code,status,identified_year,housing_safe,water_safe,annual_net_income,income_year\nBASE-1,510304001011,registered,2015,是,是,9000,2020\n").unwrap();
    std::fs::write(base.join("persons.csv"), "id_number,name,household_id,relation,gender,birth_date\n11010519491231002X,王秀英,BASE-1,户主,女,1949-12-31\n").unwrap();
    let b = jingzhun(&db, &["import", "registry", base.to_str().unwrap()]);
    assert!(b.status.success(), "{}", text(&b.stderr));
    let before_households = scalar(&db, "SELECT COUNT(*) FROM households").await;
    let before_persons = scalar(&db, "SELECT COUNT(*) FROM persons").await;
    let before_audit = scalar(&db, "SELECT seq FROM audit_head").await;
    // A registry big enough that the import is still writing when it is killed.
    let gen_dir = dir.path().join("big");
    let g = jingzhun(
        &db,
        &[
            "generate",
            "--households",
            "60000",
            "--area",
            "510304",
            "--seed",
            "77",
            gen_dir.to_str().unwrap(),
        ],
    );
    assert!(g.status.success(), "{}", text(&g.stderr));
    let mut child = Command::new(env!("CARGO_BIN_EXE_jingzhun"))
        .arg("--database")
        .arg(&db)
        .args(["import", "registry", "--force", gen_dir.to_str().unwrap()])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until it has sent rows to the database (the writer stage is running), then kill -9.
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        seen.push(line.clone());
        if line.contains("persons.csv") {
            break;
        }
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the import finished before it could be killed: {seen:?}"
    );
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM households").await,
        before_households
    );
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM persons").await,
        before_persons
    );
    assert_eq!(
        scalar(&db, "SELECT seq FROM audit_head").await,
        before_audit
    );
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let (ok,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert_eq!(ok, "ok");
    let v = jingzhun(&db, &["audit", "verify"]);
    assert!(v.status.success(), "{}", text(&v.stderr));
    // And the same import, run to the end, succeeds afterwards.
    let done = jingzhun(
        &db,
        &["import", "registry", "--force", gen_dir.to_str().unwrap()],
    );
    assert!(done.status.success(), "{}", text(&done.stderr));
}

#[test]
fn export_to_xlsx_writes_a_workbook_with_two_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    assert!(jingzhun(&db, &["demo", "--no-serve"]).status.success());
    let book = dir.path().join("r.xlsx");
    let out = jingzhun(
        &db,
        &[
            "export",
            "registry",
            "--area",
            "510304100",
            "--format",
            "xlsx",
            book.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&book).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec!["households".to_string(), "persons".to_string()]
    );
    let persons = wb.worksheet_range("persons").unwrap();
    let first_id = persons.get((1, 0)).unwrap().to_string();
    assert!(
        first_id.contains("********"),
        "masked by default: {first_id}"
    );
}

#[test]
fn an_unknown_database_scheme_is_refused_clearly() {
    let out = Command::new(env!("CARGO_BIN_EXE_jingzhun"))
        .args(["--database", "mysql://x/y", "summary"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("unsupported database URL"),
        "{}",
        text(&out.stderr)
    );
}

fn jingzhun_with_stdin(db: &Path, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_jingzhun"))
        .arg("--database")
        .arg(db)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run jingzhun");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn accounts_are_managed_from_the_command_line_with_passwords_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    assert!(jingzhun(&db, &["demo", "--no-serve"]).status.success());
    let add = jingzhun_with_stdin(
        &db,
        &[
            "user",
            "add",
            "wang.li",
            "--name",
            "王丽",
            "--role",
            "township_reviewer",
            "--area",
            "510304107",
        ],
        "牛佛镇-审核-2026\n",
    );
    assert!(add.status.success(), "{}", text(&add.stderr));
    let clerk_on_township = jingzhun_with_stdin(
        &db,
        &[
            "user",
            "add",
            "li.si",
            "--name",
            "李四",
            "--role",
            "village_clerk",
            "--area",
            "510304107",
        ],
        "long-enough-password\n",
    );
    assert_eq!(clerk_on_township.status.code(), Some(1));
    assert!(
        text(&clerk_on_township.stderr).contains("bound to a 村级 area"),
        "{}",
        text(&clerk_on_township.stderr)
    );
    let sealed_inspector = jingzhun_with_stdin(
        &db,
        &[
            "user",
            "add",
            "li.si",
            "--name",
            "李四",
            "--role",
            "inspector",
            "--area",
            "510304",
            "--sealed",
        ],
        "long-enough-password\n",
    );
    assert!(text(&sealed_inspector.stderr).contains("only discipline officers"));
    assert!(
        jingzhun(&db, &["user", "disable", "wang.li"])
            .status
            .success()
    );
    let list = text(&jingzhun(&db, &["user", "list"]).stdout);
    assert!(
        list.lines()
            .any(|l| l == "wang.li  王丽 [停用 disabled]  township_reviewer@510304107"),
        "{list}"
    );
    let pw = jingzhun_with_stdin(&db, &["user", "passwd", "wang.li"], "short\n");
    assert!(text(&pw.stderr).contains("at least 10"));
    assert!(jingzhun(&db, &["user", "passwd", "nobody"]).status.code() == Some(1));
    assert!(jingzhun(&db, &["audit", "verify"]).status.success());
}

#[test]
fn sources_import_all_or_nothing_and_check_writes_findings_csv() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    assert!(jingzhun(&db, &["demo", "--no-serve"]).status.success());
    // A bad row: exit 3, the report next to the input, nothing replaced.
    let bad = dir.path().join("deaths.csv");
    std::fs::write(
        &bad,
        "id_number,death_date\n51030419880128039X,2020-01-01\n",
    )
    .unwrap();
    let out = jingzhun(&db, &["import", "source", "deaths", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("deaths.csv:2"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        dir.path().join("deaths.csv.txt").exists(),
        "the report as text"
    );
    assert!(
        dir.path().join("deaths.csv.csv").exists(),
        "the report as CSV"
    );
    let out = jingzhun(&db, &["import", "source", "weather", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("unknown source"),
        "{}",
        text(&out.stderr)
    );
    // A good file replaces the copy; the same file again exits 4.
    std::fs::write(
        &bad,
        "id_number,death_date\n510304198801280398,2020-01-01\n",
    )
    .unwrap();
    let out = jingzhun(
        &db,
        &["import", "source", "死亡人口", bad.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("imported 1 rows of deaths"),
        "{}",
        text(&out.stdout)
    );
    let out = jingzhun(&db, &["import", "source", "deaths", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4));
    // The check writes findings.csv in the interchange format.
    let findings = dir.path().join("findings.csv");
    let out = jingzhun(
        &db,
        &[
            "check",
            "--rules",
            "R11,R04",
            "--out",
            findings.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("R11"), "{}", text(&out.stdout));
    let csv = std::fs::read_to_string(&findings).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("rule,subject_kind,subject_id,village_code,detail")
    );
    let rules: Vec<&str> = lines.map(|l| &l[..3]).collect();
    assert!(!rules.is_empty());
    assert!(rules.windows(2).all(|w| w[0] <= w[1]), "sorted by rule");
    assert!(rules.iter().all(|r| *r == "R04" || *r == "R11"));
    let out = jingzhun(&db, &["check", "--rules", "R01"]);
    assert!(!out.status.success());
    let out = jingzhun(
        &db,
        &["check", "--rules", "R05", "--capital-threshold", "lots"],
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("capital-threshold"));
}

#[test]
fn standards_are_previewed_refused_field_by_field_and_changed_once_with_their_version() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    assert!(jingzhun(&db, &["demo", "--no-serve"]).status.success());

    let exit = jingzhun(&db, &["exit", "--area", "510304"]);
    assert!(exit.status.success(), "{}", text(&exit.stderr));
    let out = text(&exit.stdout);
    // The 3,000 generated households and the one application the demo registers.
    assert!(out.contains("3001 households evaluated"), "{out}");
    assert!(out.contains("incidence"), "{out}");

    let bad = jingzhun(
        &db,
        &[
            "standards",
            "set",
            "--key",
            "poverty_line",
            "--value=-1",
            "--reason",
            " ",
        ],
    );
    assert!(!bad.status.success());
    let err = text(&bad.stderr);
    for field in ["--year", "--value", "--reason"] {
        assert!(err.contains(field), "{field} in {err}");
    }

    let set = |value: &str, version: &str| {
        jingzhun(
            &db,
            &[
                "standards",
                "set",
                "--key",
                "poverty_line",
                "--year",
                "2020",
                "--region",
                "51",
                "--value",
                value,
                "--reason",
                "测试",
                "--version",
                version,
            ],
        )
    };
    let dry = jingzhun(
        &db,
        &[
            "standards",
            "set",
            "--key",
            "notice_days",
            "--value",
            "5",
            "--reason",
            "试",
            "--dry-run",
        ],
    );
    assert!(text(&dry.stdout).contains("--dry-run"));
    let first = set("4300", "0");
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(
        text(&first.stdout).contains("不再可退出"),
        "the what-if is shown"
    );
    assert!(text(&first.stdout).contains("(v1)"));
    // A second writer who loaded version 0 is refused.
    let stale = set("4400", "0");
    assert!(!stale.status.success());
    assert!(
        text(&stale.stderr).contains("changed meanwhile"),
        "{}",
        text(&stale.stderr)
    );
    let list = text(&jingzhun(&db, &["standards", "list"]).stdout);
    assert!(list.contains("4,300 元/人·年"), "{list}");
    assert!(!list.contains("4,400"));
    // Notice periods were not stored by the dry run.
    assert!(
        list.lines()
            .any(|l| l.starts_with("notice_days") && l.contains("7 天")),
        "{list}"
    );
}

/// Writes the verification file of a draw made here, as the public draw page offers it.
fn verification_file(
    dir: &Path,
    name: &str,
    tamper: impl Fn(&mut serde_json::Value),
) -> std::path::PathBuf {
    use jingzhun_domain::draw::{Candidate, Design, DrawSpec, Seed, commit, draw};
    let spec = DrawSpec {
        purpose: "暗访 分乡镇抽取村".into(),
        frame: (0..12)
            .map(|i| {
                Candidate::in_stratum(&format!("V{i:02}"), if i % 2 == 0 { "T1" } else { "T2" })
            })
            .collect(),
        design: Design::Stratified {
            sizes: [("T1".to_string(), 2), ("T2".to_string(), 3)]
                .into_iter()
                .collect(),
        },
    };
    let seed = Seed::from_bytes([7; 32]);
    let mut file = serde_json::json!({
        "format": "jingzhun.draw.verification.v1",
        "commitment": commit(&seed, &spec).unwrap().as_str(),
        "seed": seed.to_hex(),
        "spec": spec.canonical_text(),
        "sample": draw(&seed, &spec).unwrap(),
    });
    tamper(&mut file);
    let path = dir.join(name);
    std::fs::write(&path, file.to_string()).unwrap();
    path
}

#[test]
fn draw_verify_re_runs_a_revealed_draw_offline_and_exits_6_on_a_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    // No database is opened (nor created): the file alone is enough.
    let db = dir.path().join("never-created.db");
    let good = verification_file(dir.path(), "good.json", |_| {});
    let out = jingzhun(&db, &["draw", "verify", good.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("verified"),
        "{}",
        text(&out.stdout)
    );
    assert!(!db.exists(), "draw verify opens no database");

    // The commitment copied before the reveal is another: the seed was swapped.
    let other = "ab".repeat(32);
    let out = jingzhun(
        &db,
        &[
            "draw",
            "verify",
            good.to_str().unwrap(),
            "--commitment",
            &other,
        ],
    );
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("commitment: 不符 DOES NOT MATCH"));

    // A village swapped in the claimed sample.
    let swapped = verification_file(dir.path(), "swapped.json", |f| {
        f["sample"]["groups"][0]["ids"][0] = serde_json::json!("V99");
    });
    let out = jingzhun(&db, &["draw", "verify", swapped.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(6));
    let s = text(&out.stdout);
    assert!(
        s.contains("sample: 不符") && s.contains("unexpected: V99"),
        "{s}"
    );

    // Another seed revealed than the one committed to.
    let reseeded = verification_file(dir.path(), "reseeded.json", |f| {
        f["seed"] = serde_json::json!("11".repeat(32));
    });
    assert_eq!(
        jingzhun(&db, &["draw", "verify", reseeded.to_str().unwrap()])
            .status
            .code(),
        Some(6)
    );

    // Not a verification file, or a bad seed: an error (1) with the reason.
    std::fs::write(dir.path().join("junk.json"), "{\"x\": 1}").unwrap();
    let out = jingzhun(
        &db,
        &[
            "draw",
            "verify",
            dir.path().join("junk.json").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("not a draw verification file"));
    let bad = verification_file(dir.path(), "bad.json", |f| {
        f["seed"] = serde_json::json!("zz")
    });
    let out = jingzhun(&db, &["draw", "verify", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(!db.exists());
}

#[test]
fn commands_that_only_read_never_create_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mistyped.db");
    for args in [
        &["summary"][..],
        &["audit", "verify"],
        &["areas", "list"],
        &["standards", "list"],
        &["user", "list"],
        &["exit"],
    ] {
        let out = jingzhun(&db, args);
        assert!(!out.status.success(), "{args:?} on a missing database");
        assert!(
            text(&out.stderr).contains("no database at"),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(!db.exists(), "{args:?} created the database");
    }
    // A database with nothing in its audit log is not "intact: 0 entries".
    let made = jingzhun(&db, &["migrate"]);
    assert!(made.status.success(), "{}", text(&made.stderr));
    let verify = jingzhun(&db, &["audit", "verify"]);
    assert!(!verify.status.success());
    assert!(
        text(&verify.stderr).contains("empty"),
        "{}",
        text(&verify.stderr)
    );
}

#[tokio::test]
async fn a_database_of_another_application_or_a_newer_version_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let foreign = dir.path().join("other.db");
    {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=rwc", foreign.display()))
            .await
            .unwrap();
        sqlx::query("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
    let before = std::fs::read(&foreign).unwrap();
    for args in [&["areas", "import", "data"][..], &["migrate"], &["summary"]] {
        let out = jingzhun(&foreign, args);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            text(&out.stderr).contains("not a Jingzhun database"),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    assert_eq!(
        std::fs::read(&foreign).unwrap(),
        before,
        "the file is untouched"
    );
    assert_eq!(
        scalar(&foreign, "SELECT COUNT(*) FROM sqlite_master").await,
        1,
        "no table was added"
    );

    // A database migrated by a newer program.
    let db = dir.path().join("newer.db");
    assert!(jingzhun(&db, &["migrate"]).status.success());
    {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (99991231000001, 'from the future', 1, x'00', 0)",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }
    for args in [
        &["summary"][..],
        &["migrate", "--dry-run"],
        &["demo", "--no-serve"],
    ] {
        let out = jingzhun(&db, args);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            text(&out.stderr).contains("newer than this program"),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn migrate_dry_run_lists_the_migrations_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    let dry = jingzhun(&db, &["migrate", "--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    assert!(text(&dry.stdout).contains("pending: 20261123000001 initial"));
    assert!(text(&dry.stdout).contains("nothing changed"));
    assert!(!db.exists());
    let real = jingzhun(&db, &["migrate"]);
    assert!(real.status.success());
    assert!(text(&real.stdout).contains("applied"));
    let again = jingzhun(&db, &["migrate", "--dry-run"]);
    assert!(text(&again.stdout).contains("up to date"));
}

#[tokio::test]
async fn a_backup_taken_while_the_database_is_in_use_restores_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    assert!(jingzhun(&db, &["demo", "--no-serve"]).status.success());
    // Another connection holds the database open with an uncommitted write while the backup
    // runs (as a server would): the backup is the committed state, whole.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let households = scalar(&db, "SELECT COUNT(*) FROM households").await;
    let entries = scalar(&db, "SELECT COUNT(*) FROM audit_log").await;
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("DELETE FROM persons")
        .execute(&mut *tx)
        .await
        .unwrap();
    let backup = dir.path().join("backup.db");
    let out = jingzhun(&db, &["backup", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    tx.rollback().await.unwrap();
    pool.close().await;
    // Never over an existing file.
    let again = jingzhun(&db, &["backup", backup.to_str().unwrap()]);
    assert!(!again.status.success());

    let restored = dir.path().join("restored.db");
    let out = jingzhun(&restored, &["restore", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("sealing key"),
        "the key is mentioned"
    );
    assert_eq!(
        scalar(&restored, "SELECT COUNT(*) FROM households").await,
        households
    );
    assert_eq!(
        scalar(&restored, "SELECT COUNT(*) FROM audit_log").await,
        entries
    );
    assert!(scalar(&restored, "SELECT COUNT(*) FROM persons").await > 0);
    let verify = jingzhun(&restored, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify.stderr));
    // Without its sealing key the restored database refuses to start, and no new key is made;
    // with the key put back, it starts.
    let no_key = jingzhun(&restored, &["demo", "--no-serve"]);
    assert!(!no_key.status.success());
    assert!(
        text(&no_key.stderr).contains("there is no sealing key"),
        "{}",
        text(&no_key.stderr)
    );
    let key = dir.path().join("restored.db.sealkey");
    assert!(!key.exists(), "no new key is made");
    std::fs::copy(dir.path().join("live.db.sealkey"), &key).unwrap();
    let with_key = jingzhun(&restored, &["demo", "--no-serve"]);
    assert!(with_key.status.success(), "{}", text(&with_key.stderr));
    // Never over an existing database, and never from something that is not a backup.
    let over = jingzhun(&restored, &["restore", backup.to_str().unwrap()]);
    assert!(!over.status.success());
    assert!(text(&over.stderr).contains("never overwrites"));
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all").unwrap();
    let bad = jingzhun(
        &dir.path().join("x.db"),
        &["restore", junk.to_str().unwrap()],
    );
    assert!(!bad.status.success());
    assert!(!dir.path().join("x.db").exists());
}
