//! The files offices really make, imported end to end on every configured backend
//! (interchange.md): a GBK registry with CRLF as Excel writes it, a persons file cut short, a
//! household refused for its own fault, a platform without areas, an export imported again.

mod common;

use std::path::Path;

use common::{TestDb, each_backend, read, write};
use encoding_rs::GB18030;
use jingzhun_domain::Problem;
use jingzhun_interchange::write::Masking;
use jingzhun_service::ServiceError;
use jingzhun_service::demo::{demo_county, load_bundled_areas};
use jingzhun_service::export::{ExportFormat, export_registry};
use jingzhun_service::registry_import::{
    ImportOptions, ImportSummary, RegistrySource, import_registry,
};

fn opts() -> ImportOptions {
    ImportOptions {
        actor: "test".into(),
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        ..Default::default()
    }
}

async fn import(db: &TestDb, dir: &Path, o: &ImportOptions) -> Result<ImportSummary, ServiceError> {
    import_registry(
        db.store.as_ref(),
        &RegistrySource::from_path(dir).unwrap(),
        o,
        &|_| {},
    )
    .await
}

fn id(birth: (i32, u32, u32), seq: u16) -> String {
    jingzhun_domain::IdNumber::build(
        "510304",
        chrono::NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2).unwrap(),
        seq,
    )
    .to_string()
}

const VILLAGE: &str = "510304001011";
const H_ZH: &str = "户编号,村代码,村民小组,状态,贫困户属性,识别年度,脱贫年度,主要致贫原因,住房安全,饮水安全,家庭年纯收入,收入年度,联系电话";
const P_ZH: &str = "身份证号,姓名,户编号,与户主关系,性别,出生日期";

/// Writes a file as Excel on Chinese Windows saves "CSV (逗号分隔)": GBK with CRLF.
fn write_gbk(dir: &Path, name: &str, lines: &[String]) {
    let text: String = lines.iter().map(|l| format!("{l}\r\n")).collect();
    let (bytes, _, bad) = GB18030.encode(&text);
    assert!(!bad);
    std::fs::write(dir.join(name), bytes).unwrap();
}

/// Two households of three members each, GBK and CRLF, dates as offices type them.
fn gbk_registry(dir: &Path, persons_cut_after: Option<usize>, bad_household: bool) {
    let mut h = vec![H_ZH.to_string()];
    for (i, safe) in [(1, "是"), (2, if bad_household { "也许" } else { "否" })] {
        h.push(format!(
            "H{i},{VILLAGE},一组,在册,一般贫困户,2014,,因病,{safe},是,8000,2020,"
        ));
    }
    write_gbk(dir, "households.csv", &h);
    let mut p = vec![P_ZH.to_string()];
    let dates = ["1960/3/5", "1962.7.15", "19900101"];
    for hh in 1..=2u16 {
        for (m, rel) in ["户主", "配偶", "子女"].iter().enumerate() {
            let (birth, date) = match m {
                0 => ((1960, 3, 5), dates[0]),
                1 => ((1962, 7, 15), dates[1]),
                _ => ((1990, 1, 1), dates[2]),
            };
            let seq = hh * 10 + m as u16;
            // Odd sequence numbers are men.
            let seq = if *rel == "配偶" {
                seq * 2
            } else {
                seq * 2 + 1
            };
            let gender = if seq % 2 == 1 { "男" } else { "女" };
            let name = ["张三", "李四", "张小五"][m];
            p.push(format!(
                "{},{name},H{hh},{rel},{gender},{date}",
                id(birth, seq)
            ));
        }
    }
    if let Some(n) = persons_cut_after {
        p.truncate(n + 1);
    }
    write_gbk(dir, "persons.csv", &p);
}

#[tokio::test]
async fn a_gbk_registry_with_crlf_and_office_dates_imports_and_says_its_encoding() {
    for db in each_backend().await {
        load_bundled_areas(db.store.as_ref()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        gbk_registry(dir.path(), None, false);
        let s = import(&db, dir.path(), &opts()).await.unwrap();
        assert_eq!((s.households, s.persons), (2, 6), "{}", db.name);
        assert_eq!(
            s.encodings,
            ["households.csv: GB18030", "persons.csv: GB18030"],
            "{}",
            db.name
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn a_persons_file_cut_short_leaves_a_household_without_members_and_is_refused() {
    for db in each_backend().await {
        load_bundled_areas(db.store.as_ref()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        gbk_registry(dir.path(), Some(3), false);
        let err = import(&db, dir.path(), &opts()).await.unwrap_err();
        let ServiceError::Rejected(r) = err else {
            panic!("{err:?}")
        };
        assert_eq!(r.errors.len(), 1, "{:?}", r.errors);
        let e = &r.errors[0];
        assert_eq!(
            (e.file.as_str(), e.line, e.value.as_str(), &e.problem),
            ("households.csv", 3, "H2", &Problem::HouseholdWithoutMembers)
        );
        assert!(db.store.registry_is_empty().await.unwrap(), "{}", db.name);
        db.finish().await;
    }
}

#[tokio::test]
async fn a_household_refused_for_its_own_fault_is_one_error_not_one_per_member() {
    for db in each_backend().await {
        load_bundled_areas(db.store.as_ref()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        gbk_registry(dir.path(), None, true);
        let ServiceError::Rejected(r) = import(&db, dir.path(), &opts()).await.unwrap_err() else {
            panic!()
        };
        assert_eq!(r.errors.len(), 1, "{:?}", r.errors);
        // Line 3 as Excel shows it (header = 1), CRLF and all.
        assert_eq!(
            (r.errors[0].line, r.errors[0].column.as_str()),
            (3, "住房安全")
        );
        // The report CSV opens in Excel: BOM and Chinese headers.
        let csv = r.to_csv_in(jingzhun_interchange::Lang::Zh);
        assert!(csv.starts_with("\u{feff}文件,行号".as_bytes()));
        db.finish().await;
    }
}

#[tokio::test]
async fn a_platform_without_areas_says_to_import_them_first() {
    for db in each_backend().await {
        let dir = tempfile::tempdir().unwrap();
        gbk_registry(dir.path(), None, false);
        let err = import(&db, dir.path(), &opts()).await.unwrap_err();
        assert!(err.to_string().contains("jingzhun areas import"), "{err}");
        db.finish().await;
    }
}

#[tokio::test]
async fn an_unmasked_export_with_every_status_imports_again_unchanged() {
    for db in each_backend().await {
        load_bundled_areas(db.store.as_ref()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let statuses = ["applicant", "registered", "exited", "monitored", "removed"];
        let mut h = vec![
            "household_id,village_code,group_name,status,poverty_type,identified_year,exit_year,primary_cause,housing_safe,water_safe,annual_net_income,income_year,phone,removal_reason".to_string(),
        ];
        let mut p = vec!["id_number,name,household_id,relation,gender,birth_date".to_string()];
        for (i, s) in statuses.iter().enumerate() {
            let exit = if *s == "exited" { "2019" } else { "" };
            let reason = if *s == "removed" { "识别不准" } else { "" };
            h.push(format!(
                "H{i},{VILLAGE},一组,{s},一般贫困户,2014,{exit},因病,是,是,8000,2020,,{reason}"
            ));
            p.push(format!(
                "{},=张三,H{i},户主,男,1960-03-05",
                id((1960, 3, 5), 2 * i as u16 + 1)
            ));
        }
        write(dir.path(), "households.csv", &(h.join("\n") + "\n"));
        write(dir.path(), "persons.csv", &(p.join("\n") + "\n"));
        if let Err(e) = import(&db, dir.path(), &opts()).await {
            panic!("{}: {e:?}", db.name);
        }
        let export = |n: &'static str| {
            let db = &db;
            async move {
                let out = tempfile::tempdir().unwrap();
                export_registry(
                    db.store.as_ref(),
                    &demo_county(),
                    ExportFormat::Csv,
                    out.path(),
                    Masking::Unmasked,
                    n,
                )
                .await
                .unwrap();
                out
            }
        };
        let first = export("test").await;
        let hs = read(&first.path().join("households.csv"));
        assert!(hs.starts_with('\u{feff}'), "BOM");
        assert!(hs.contains(",applicant,"), "{hs}");
        // A name that a spreadsheet would run as a formula is written guarded.
        assert!(read(&first.path().join("persons.csv")).contains(",'=张三,"));
        let again = import(
            &db,
            first.path(),
            &ImportOptions {
                force: true,
                ..opts()
            },
        )
        .await;
        let s = again.unwrap_or_else(|e| panic!("{}: {e:?}", db.name));
        assert_eq!((s.households, s.replaced_households), (5, 5));
        let second = export("test").await;
        for f in ["households.csv", "persons.csv"] {
            assert_eq!(
                read(&first.path().join(f)),
                read(&second.path().join(f)),
                "{f}"
            );
        }
        db.finish().await;
    }
}
