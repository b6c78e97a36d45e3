//! Rectification ledgers on every configured backend: a measure from its first report to its
//! closing (销号) and back through a look-back (回头看), with every refusal the rules make
//! (the owner or the owner's unit closing, closing without verification, document-only
//! evidence, a role that may not report, a stale version, another area's programme); measures
//! from a finding; the demo (every state, idempotent) and the XLSX lists.

mod common;

use std::io::Cursor;

use calamine::{Reader, Xlsx};
use chrono::NaiveDate;
use common::each_backend;
use jingzhun_domain::AreaCode;
use jingzhun_domain::access::{Account, Assignment, Login, Role};
use jingzhun_domain::rectification::{EvidenceKind, MeasureKind, MeasureState};
use jingzhun_service::rectification::{
    self as rect, EvidenceItem, MeasureAct, NewMeasure, NewProblem, NewProgramme, ProgrammeRecord,
};
use jingzhun_service::{Denial, ServiceError, Store};
use jingzhun_store::supervision::{NewRecord, RecordKind, RecordQuery};

fn code(s: &str) -> AreaCode {
    AreaCode::parse_short(s).unwrap()
}

fn account(login: &str, role: Role, area: &str) -> Account {
    Account {
        name: String::new(),
        login: Login::parse(login).unwrap(),
        disabled: false,
        assignments: vec![Assignment::new(role, code(area), None, None, false).unwrap()],
    }
}

fn today() -> NaiveDate {
    jingzhun_service::today_in_china()
}

struct People {
    leader: Account,
    officer: Account,
    inspector: Account,
    discipline: Account,
    reviewer: Account,
    finance: Account,
}

async fn setup(store: &dyn Store) -> People {
    jingzhun_service::demo::load_bundled_areas(store)
        .await
        .unwrap();
    let people = People {
        leader: account("leader", Role::Leader, "510304"),
        officer: account("officer", Role::CountyOfficer, "510304"),
        inspector: account("inspector", Role::Inspector, "510304"),
        discipline: account("discipline", Role::DisciplineOfficer, "510304"),
        reviewer: account("reviewer", Role::TownshipReviewer, "510304107"),
        finance: account("finance", Role::FinanceOfficer, "510304"),
    };
    for a in [
        &people.leader,
        &people.officer,
        &people.inspector,
        &people.discipline,
        &people.reviewer,
        &people.finance,
    ] {
        jingzhun_service::users::add_user(
            store,
            a.login.as_str(),
            a.login.as_str(),
            "a-long-password-2026",
            a.assignments[0].clone(),
            "test",
        )
        .await
        .unwrap();
    }
    people
}

fn measure(code: &str, kind: MeasureKind) -> NewMeasure {
    NewMeasure {
        problem: 27,
        code: code.into(),
        kind,
        task: "对以文件代替整改的事项逐项核查，落实到具体行动".into(),
        requirement: "整改见人见事见效，不以印发文件作为完成标志".into(),
        leader: "leader".into(),
        leader_unit: "区委".into(),
        unit: "区扶贫开发局".into(),
        co_units: vec![],
        deadline: today() + chrono::Days::new(60),
        milestones: vec![],
        finding: None,
    }
}

/// A programme with problem 27 and measure 27-1, the officer a member of the responsible unit.
async fn programme(store: &dyn Store, p: &People) -> ProgrammeRecord {
    let rec = rect::create(
        store,
        &p.leader,
        &NewProgramme {
            area: "510304".into(),
            title: "大安区脱贫攻坚专项巡察反馈问题整改方案".into(),
            inspection: "市委第一巡察组反馈意见".into(),
            inspection_id: None,
            issued_on: None,
        },
        today(),
    )
    .await
    .unwrap();
    let rec = rect::add_problem(
        store,
        &p.leader,
        rec.id,
        rec.version,
        &NewProblem {
            number: 27,
            category: "问题整改不扎实不到位".into(),
            aspect: "对整改难度大的问题较真碰硬不够".into(),
            text: "存在以文件代替整改现象".into(),
        },
        today(),
    )
    .await
    .unwrap();
    let rec = rect::add_measure(
        store,
        &p.leader,
        rec.id,
        rec.version,
        &measure("27-1", MeasureKind::Immediate),
        today(),
    )
    .await
    .unwrap();
    rect::set_unit(
        store,
        &p.leader,
        rec.id,
        rec.version,
        "区扶贫开发局",
        &["officer".to_string()],
        today(),
    )
    .await
    .unwrap()
}

fn report(kind: EvidenceKind, completed: bool) -> MeasureAct {
    MeasureAct::Report {
        text: "已完成整改".into(),
        evidence: vec![EvidenceItem {
            kind,
            text: "佐证".into(),
        }],
        milestone: None,
        completed,
    }
}

fn verify(passed: bool) -> MeasureAct {
    MeasureAct::Verify {
        passed,
        findings: "实地抽查 10 户，与报告相符".into(),
        evidence: vec![EvidenceItem {
            kind: EvidenceKind::FieldVerification,
            text: "抽查记录".into(),
        }],
    }
}

fn denial(r: Result<ProgrammeRecord, ServiceError>) -> (Denial, String) {
    match r {
        Err(ServiceError::Denied { kind, zh, .. }) => (kind, zh),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn state_of(rec: &ProgrammeRecord, code: &str) -> MeasureState {
    rec.measure(code).unwrap().state
}

#[tokio::test]
async fn a_measure_closes_only_on_a_non_owners_verification_and_a_look_back_reopens_it() {
    for db in each_backend().await {
        let store = db.store.as_ref();
        let p = setup(store).await;
        let rec = programme(store, &p).await;
        let id = rec.id;
        let act = |who: &Account, a: MeasureAct, version: i64| {
            let who = who.clone();
            async move { rect::act(store, &who, id, "27-1", version, &a, today()).await }
        };
        // A role that may not report: the inspector.
        let (kind, _) = denial(
            act(
                &p.inspector,
                report(EvidenceKind::FieldVerification, false),
                rec.version,
            )
            .await,
        );
        assert_eq!(kind, Denial::Forbidden, "{}", db.name);
        // A finance officer is a reporting role, but not of the owning unit.
        let (kind, zh) = denial(
            act(
                &p.finance,
                report(EvidenceKind::FieldVerification, false),
                rec.version,
            )
            .await,
        );
        assert_eq!(kind, Denial::Forbidden);
        assert!(zh.contains("责任单位"), "{zh}");
        // Completion on a document alone is refused (以文件代替整改).
        let (kind, zh) = denial(
            act(
                &p.officer,
                report(EvidenceKind::DocumentIssued, true),
                rec.version,
            )
            .await,
        );
        assert_eq!(kind, Denial::Invalid);
        assert!(zh.contains("以文件代替整改"), "{zh}");
        // A progress report with only a document is kept, and flagged.
        let rec = act(
            &p.officer,
            report(EvidenceKind::DocumentIssued, false),
            rec.version,
        )
        .await
        .unwrap();
        let prog = rect::programme_progress(store, &p.leader, id, today())
            .await
            .unwrap();
        assert_eq!(prog.document_only, vec!["27-1".to_string()]);
        // Completion with field evidence.
        let rec = act(
            &p.officer,
            report(EvidenceKind::FieldVerification, true),
            rec.version,
        )
        .await
        .unwrap();
        assert_eq!(state_of(&rec, "27-1"), MeasureState::AwaitingVerification);
        // Closing without verification: 409.
        let (kind, _) = denial(act(&p.inspector, MeasureAct::Close, rec.version).await);
        assert_eq!(kind, Denial::Conflict);
        // The owner's unit may not verify (the county officer is a verifying role).
        let (kind, zh) = denial(act(&p.officer, verify(true), rec.version).await);
        assert_eq!(kind, Denial::Forbidden);
        assert!(zh.contains("责任方以外"), "{zh}");
        // The leader may neither verify nor close (not a verifying role; the owner anyway).
        let (kind, _) = denial(act(&p.leader, verify(true), rec.version).await);
        assert_eq!(kind, Denial::Forbidden);
        // The inspector verifies.
        let rec = act(&p.inspector, verify(true), rec.version).await.unwrap();
        // A stale version: 409.
        let (kind, _) = denial(act(&p.discipline, MeasureAct::Close, rec.version - 1).await);
        assert_eq!(kind, Denial::Conflict);
        // The owner's unit may not close.
        let (kind, zh) = denial(act(&p.officer, MeasureAct::Close, rec.version).await);
        assert_eq!(kind, Denial::Forbidden);
        assert!(zh.contains("销号"), "{zh}");
        let rec = act(&p.discipline, MeasureAct::Close, rec.version)
            .await
            .unwrap();
        assert_eq!(state_of(&rec, "27-1"), MeasureState::Closed);
        assert_eq!(rec.state, "closed");
        assert_eq!(rec.due_on, None);
        // Reporting on a closed measure: 409.
        let (kind, _) = denial(
            act(
                &p.officer,
                report(EvidenceKind::FieldVerification, false),
                rec.version,
            )
            .await,
        );
        assert_eq!(kind, Denial::Conflict);
        // A look-back reopens it.
        let rec = act(
            &p.discipline,
            MeasureAct::LookBack {
                findings: "回头看发现 3 户问题反弹".into(),
                reopen: true,
            },
            rec.version,
        )
        .await
        .unwrap();
        assert_eq!(state_of(&rec, "27-1"), MeasureState::Reopened);
        assert_eq!(rec.state, "open");
        assert!(rec.due_on.is_some());
        // The old verification no longer counts: a new report, then closing is refused.
        let rec = act(
            &p.officer,
            report(EvidenceKind::FieldVerification, true),
            rec.version,
        )
        .await
        .unwrap();
        let (kind, _) = denial(act(&p.inspector, MeasureAct::Close, rec.version).await);
        assert_eq!(kind, Denial::Conflict);
        let rec = act(&p.inspector, verify(true), rec.version).await.unwrap();
        let rec = act(&p.inspector, MeasureAct::Close, rec.version)
            .await
            .unwrap();
        assert_eq!(state_of(&rec, "27-1"), MeasureState::Closed);
        // Every change is in the audit log, refusals none.
        let audit = store
            .audit_of("rectification_programme", &id.to_string())
            .await
            .unwrap();
        let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            vec![
                "rectification.programme.create",
                "rectification.problem.add",
                "rectification.measure.add",
                "rectification.units.set",
                "rectification.measure.report",
                "rectification.measure.report",
                "rectification.measure.verify",
                "rectification.measure.close",
                "rectification.measure.look_back",
                "rectification.measure.report",
                "rectification.measure.verify",
                "rectification.measure.close",
            ],
            "{}",
            db.name
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn outside_the_area_a_programme_does_not_exist_and_only_owners_draw_it_up() {
    for db in each_backend().await {
        let store = db.store.as_ref();
        let p = setup(store).await;
        let rec = programme(store, &p).await;
        let other_county = account("other", Role::Leader, "510303");
        for who in [&other_county, &p.reviewer] {
            let r = rect::programme_in_reach(store, who, rec.id, today()).await;
            assert!(matches!(r, Err(ServiceError::NotFound { .. })), "{r:?}");
            let r = rect::act(
                store,
                who,
                rec.id,
                "27-1",
                rec.version,
                &report(EvidenceKind::FieldVerification, false),
                today(),
            )
            .await;
            assert!(matches!(r, Err(ServiceError::NotFound { .. })), "{r:?}");
            assert!(rect::list(store, who, today()).await.unwrap().is_empty());
        }
        // A programme over another county: not found (not within reach).
        let r = rect::create(
            store,
            &p.leader,
            &NewProgramme {
                area: "510303".into(),
                title: "另一区整改方案".into(),
                inspection: "反馈意见".into(),
                inspection_id: None,
                issued_on: None,
            },
            today(),
        )
        .await;
        assert!(matches!(r, Err(ServiceError::NotFound { .. })), "{r:?}");
        // Only leaders and county officers draw up a programme.
        let (kind, _) = denial(
            rect::add_problem(
                store,
                &p.inspector,
                rec.id,
                rec.version,
                &NewProblem {
                    number: 1,
                    category: "类别".into(),
                    aspect: "方面".into(),
                    text: "问题".into(),
                },
                today(),
            )
            .await,
        );
        assert_eq!(kind, Denial::Forbidden);
        // An unknown measure is not found; a leader who is not an account is refused.
        let r = rect::act(
            store,
            &p.officer,
            rec.id,
            "99-9",
            rec.version,
            &MeasureAct::Close,
            today(),
        )
        .await;
        assert!(matches!(r, Err(ServiceError::NotFound { .. })), "{r:?}");
        let mut m = measure("27-2", MeasureKind::Immediate);
        m.leader = "nobody".into();
        let (kind, _) =
            denial(rect::add_measure(store, &p.leader, rec.id, rec.version, &m, today()).await);
        assert_eq!(kind, Denial::Invalid);
        // A code that could not be addressed in a path.
        let (kind, _) = denial(
            rect::add_measure(
                store,
                &p.leader,
                rec.id,
                rec.version,
                &measure("27/4", MeasureKind::Immediate),
                today(),
            )
            .await,
        );
        assert_eq!(kind, Denial::Invalid);
        // A staged measure without milestones: the domain's refusal, 400.
        let (kind, _) = denial(
            rect::add_measure(
                store,
                &p.leader,
                rec.id,
                rec.version,
                &measure("27-3", MeasureKind::Staged),
                today(),
            )
            .await,
        );
        assert_eq!(kind, Denial::Invalid);
        db.finish().await;
    }
}

#[tokio::test]
async fn a_finding_opens_a_measure_and_shows_what_came_of_it() {
    for db in each_backend().await {
        let store = db.store.as_ref();
        let p = setup(store).await;
        let mut tx = store.begin().await.unwrap();
        let iid = tx
            .insert_record(&NewRecord {
                kind: RecordKind::Inspection,
                public_code: None,
                area: code("510304"),
                state: "reported".into(),
                category: None,
                due_on: None,
                origin: None,
                body: "{}".into(),
                actor: "test".into(),
            })
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let rec = rect::create(
            store,
            &p.officer,
            &NewProgramme {
                area: "510304".into(),
                title: "专项督查反馈问题整改方案".into(),
                inspection: "县督查组反馈意见".into(),
                inspection_id: Some(iid),
                issued_on: None,
            },
            today(),
        )
        .await
        .unwrap();
        assert_eq!(rec.inspection_id, Some(iid));
        let found = store
            .records(&RecordQuery {
                kind: Some(RecordKind::Programme),
                origin: Some(("inspection".into(), iid.to_string())),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        // An inspection that does not exist: not found.
        let missing = rect::create(
            store,
            &p.officer,
            &NewProgramme {
                area: "510304".into(),
                title: "t".into(),
                inspection: "i".into(),
                inspection_id: Some(iid + 1000),
                issued_on: None,
            },
            today(),
        )
        .await;
        assert!(matches!(missing, Err(ServiceError::NotFound { .. })));
        let rec = rect::add_problem(
            store,
            &p.officer,
            rec.id,
            rec.version,
            &NewProblem {
                number: 27,
                category: "问题整改不扎实不到位".into(),
                aspect: "对整改难度大的问题较真碰硬不够".into(),
                text: "存在以文件代替整改现象".into(),
            },
            today(),
        )
        .await
        .unwrap();
        let mut m = measure("27-1", MeasureKind::Immediate);
        m.finding = Some(format!("{iid}:2"));
        let rec = rect::add_measure(store, &p.officer, rec.id, rec.version, &m, today())
            .await
            .unwrap();
        assert_eq!(rec.ledger.findings.get("27-1"), Some(&format!("{iid}:2")));
        let came = rect::measures_from_finding(store, &p.inspector, iid, 2, today())
            .await
            .unwrap();
        assert_eq!(came.len(), 1);
        assert_eq!(came[0].code, "27-1");
        assert_eq!(came[0].state, MeasureState::NotStarted);
        // A finding of an inspection that does not exist, or a malformed one.
        let mut m = measure("27-2", MeasureKind::Immediate);
        m.finding = Some(format!("{}:1", iid + 1000));
        let r = rect::add_measure(store, &p.officer, rec.id, rec.version, &m, today()).await;
        assert!(matches!(r, Err(ServiceError::NotFound { .. })), "{r:?}");
        m.finding = Some("finding two".into());
        let (kind, _) =
            denial(rect::add_measure(store, &p.officer, rec.id, rec.version, &m, today()).await);
        assert_eq!(kind, Denial::Invalid);
        db.finish().await;
    }
}

#[tokio::test]
async fn the_demo_has_every_state_once_and_its_lists_export_in_the_offices_layout() {
    for db in each_backend().await {
        let store = db.store.as_ref();
        let p = setup(store).await;
        let sealer = jingzhun_service::seal::Sealer::generate();
        rect::demo(store, &sealer).await.unwrap();
        rect::demo(store, &sealer).await.unwrap();
        let list = rect::list(store, &p.leader, today()).await.unwrap();
        assert_eq!(list.len(), 1, "{}: idempotent", db.name);
        let rec = rect::programme_in_reach(store, &p.leader, list[0].id, today())
            .await
            .unwrap();
        let prog = rect::programme_progress(store, &p.leader, rec.id, today())
            .await
            .unwrap();
        assert!(prog.all.not_started > 0);
        assert!(prog.all.in_progress > 0);
        assert!(prog.all.awaiting_verification > 0);
        assert!(prog.all.closed > 0);
        assert!(prog.all.reopened > 0);
        assert!(prog.all.overdue > 0);
        assert_eq!(prog.document_only, vec!["7-1".to_string()]);
        assert_eq!(prog.by_kind.len(), 3);
        assert_eq!(prog.by_category.len(), 4);
        let bytes = rect::lists_xlsx(store, &p.leader, rec.id, today())
            .await
            .unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let range = wb.worksheet_range("整改台账").unwrap();
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(rows[1], rect::LIST_COLUMNS.map(String::from).to_vec());
        assert_eq!(rows.len(), 2 + rec.ledger.programme.measures.len());
        assert!(rows.iter().any(|r| r[9].contains("以文件代替整改")));
        assert!(rows.iter().any(|r| r[10].contains("逾期")));
        let exported = store
            .audit_of("rectification_programme", &rec.id.to_string())
            .await
            .unwrap();
        assert!(exported.iter().any(|e| e.action == "rectification.export"));
        // Another county sees nothing of it.
        let other = account("other", Role::Leader, "510303");
        let r = rect::lists_xlsx(store, &other, rec.id, today()).await;
        assert!(matches!(r, Err(ServiceError::NotFound { .. })));
        db.finish().await;
    }
}
