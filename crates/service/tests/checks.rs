//! Departmental sources and cross-check runs end to end, on every configured backend: a
//! generated registry with its sources gives the same findings through the store as the rules
//! give on the files; refused source files change nothing.

mod common;

use common::{each_backend, import_generated, write};
use jingzhun_domain::Problem;
use jingzhun_domain::checks::{LeadState, Rule};
use jingzhun_domain::sources::SourceKind;
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_service::ServiceError;
use jingzhun_service::checks::{CheckOptions, parse_rules, run_checks};
use jingzhun_service::demo::load_bundled_areas;
use jingzhun_service::generate::Extras;
use jingzhun_service::sources::{SourceImportOptions, import_source};
use jingzhun_store::checks::LeadQuery;

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn source_opts(force: bool) -> SourceImportOptions {
    SourceImportOptions {
        actor: "test".into(),
        force,
        ignore_unknown_columns: false,
        today: today(),
        ..Default::default()
    }
}

fn every_rule() -> CheckOptions {
    CheckOptions {
        actor: "test".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_generated_registry_and_its_sources_give_leads_of_every_planted_kind() {
    for db in each_backend().await {
        let store = db.store.as_ref();
        let dir = import_generated(store, 1500, 7, Extras::WithSources).await;
        for kind in SourceKind::ALL {
            let s = import_source(
                store,
                *kind,
                &dir.path().join(kind.file()),
                &source_opts(false),
            )
            .await
            .unwrap();
            assert_eq!(s.kind, *kind);
        }
        // The same file again is refused unless forced.
        let again = import_source(
            store,
            SourceKind::Deaths,
            &dir.path().join("deaths.csv"),
            &source_opts(false),
        )
        .await;
        assert!(
            matches!(again, Err(ServiceError::DuplicateImport { .. })),
            "{}",
            db.name
        );

        let seen = std::sync::Mutex::new(Vec::new());
        let first = run_checks(store, &every_rule(), &|p| {
            seen.lock().unwrap().push(serde_json::to_value(p).unwrap())
        })
        .await
        .unwrap();
        let seen = seen.into_inner().unwrap();
        assert_eq!(seen.first().unwrap()["phase"], "loading");
        assert_eq!(seen.last().unwrap()["phase"], "saving");
        let rules_done: Vec<i64> = seen
            .iter()
            .filter(|p| p["phase"] == "rule")
            .map(|p| p["done"].as_i64().unwrap())
            .collect();
        assert_eq!(
            rules_done,
            (0..=14).collect::<Vec<_>>(),
            "progress after every rule"
        );
        assert_eq!(first.year, 2020);
        let rules: std::collections::BTreeSet<Rule> =
            first.findings.iter().map(|f| f.rule).collect();
        for planted in [
            Rule::R03,
            Rule::R04,
            Rule::R05,
            Rule::R07,
            Rule::R09,
            Rule::R11,
            Rule::R12,
            Rule::R13,
        ] {
            assert!(
                rules.contains(&planted),
                "{}: no {planted:?} in {rules:?}",
                db.name
            );
        }
        assert_eq!(first.comparison.new_leads, first.comparison.findings);
        // Nothing changed: the second run finds the same leads, still open.
        let second = run_checks(store, &every_rule(), &|_| {}).await.unwrap();
        assert_eq!(
            (
                second.comparison.new_leads,
                second.comparison.still_open,
                second.comparison.gone
            ),
            (0, first.comparison.findings, 0),
            "{}",
            db.name
        );
        // Deaths replaced by an empty list: R07 and R12 leads are gone, the others untouched.
        // An empty file would wipe the previous copy: refused unless the user says so.
        write(dir.path(), "empty-deaths.csv", "id_number,death_date\n");
        let refused = import_source(
            store,
            SourceKind::Deaths,
            &dir.path().join("empty-deaths.csv"),
            &source_opts(false),
        )
        .await
        .unwrap_err();
        match refused {
            ServiceError::Rejected(r) => {
                assert_eq!(r.errors.len(), 1);
                assert_eq!(r.errors[0].problem, jingzhun_domain::Problem::EmptyFile);
            }
            other => panic!("{other:?}"),
        }
        import_source(
            store,
            SourceKind::Deaths,
            &dir.path().join("empty-deaths.csv"),
            &SourceImportOptions {
                allow_empty: true,
                ..source_opts(false)
            },
        )
        .await
        .unwrap();
        let third = run_checks(
            store,
            &CheckOptions {
                actor: "test".into(),
                rules: Some(parse_rules("R07, r12").unwrap()),
                ..Default::default()
            },
            &|_| {},
        )
        .await
        .unwrap();
        let deaths_before = first
            .findings
            .iter()
            .filter(|f| matches!(f.rule, Rule::R07 | Rule::R12))
            .count() as i64;
        assert_eq!(
            (third.comparison.findings, third.comparison.gone),
            (0, deaths_before)
        );
        let gone = store
            .count_leads(&LeadQuery {
                state: Some(LeadState::Gone),
                limit: 1,
                ..LeadQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(gone, deaths_before);
        db.finish().await;
    }
}

#[tokio::test]
async fn a_source_file_with_bad_rows_is_refused_whole_with_every_problem() {
    for db in each_backend().await {
        let store = db.store.as_ref();
        load_bundled_areas(store).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "cadres.csv",
            "id_number,name,village_code,role\n\
             510304198801280398,张三,510304100201,主任\n\
             51030419880128039X,李四,510304100201,文书\n\
             510304198801280398,王五,999999999999,委员\n\
             510304198801280398,赵六,510304100000,委员\n",
        );
        let err = import_source(
            store,
            SourceKind::Cadres,
            &dir.path().join("cadres.csv"),
            &source_opts(false),
        )
        .await
        .unwrap_err();
        let ServiceError::Rejected(report) = err else {
            panic!("{}: not a rejection", db.name)
        };
        let lines: Vec<(u64, &str)> = report
            .errors
            .iter()
            .map(|e| (e.line, e.column.as_str()))
            .collect();
        assert!(lines.contains(&(3, "id_number")), "{lines:?}");
        assert!(
            lines.contains(&(5, "village_code")),
            "a township is not a village: {lines:?}"
        );
        assert!(
            report
                .errors
                .iter()
                .any(|e| e.line == 4 && e.problem == Problem::UnknownVillage)
                || report
                    .errors
                    .iter()
                    .any(|e| e.line == 4 && e.column == "village_code"),
            "{lines:?}"
        );
        assert!(
            store.source_imports().await.unwrap().is_empty(),
            "nothing written"
        );
        // A missing column is refused before any row.
        write(dir.path(), "deaths.csv", "id_number\n510304198801280398\n");
        let err = import_source(
            store,
            SourceKind::Deaths,
            &dir.path().join("deaths.csv"),
            &source_opts(false),
        )
        .await
        .unwrap_err();
        let ServiceError::Rejected(report) = err else {
            panic!("not a rejection")
        };
        assert_eq!(report.errors[0].problem, Problem::MissingColumn);
        assert!(matches!(parse_rules("R01"), Err(ServiceError::Invalid(_))));
        db.finish().await;
    }
}
