//! Inspections on every configured backend: a draw committed, its sample hidden from anyone
//! off the team (and stored nowhere in the clear), revealed only after the visit by the team,
//! re-run by anyone; a record altered behind the platform's back fails the check; findings
//! with what came of them; stale versions refused.

mod common;

use chrono::NaiveDate;
use common::each_backend;
use jingzhun_domain::AreaCode;
use jingzhun_domain::access::{Account, Assignment, Login, Role};
use jingzhun_service::inspections::{
    DrawRequest, InspectionAct, PlanRequest, act, get, list, plan, public_draw, public_draws,
    verify_file,
};
use jingzhun_service::seal::Sealer;
use jingzhun_service::{Denial, ServiceError};
use jingzhun_store::supervision::{NewRecord, RecordKind};

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

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap() + chrono::Days::new(n)
}

fn denial(r: &Result<impl std::fmt::Debug, ServiceError>) -> Option<Denial> {
    match r {
        Err(ServiceError::Denied { kind, .. }) => Some(*kind),
        _ => None,
    }
}

fn request() -> PlanRequest {
    PlanRequest {
        kind: "anfang".into(),
        title: "第四季度暗访".into(),
        areas: vec!["510304107".into(), "510304100".into()],
        units: vec!["区扶贫开发局".into()],
        team: vec!["qian.li".into()],
        starts_on: day(0),
        ends_on: day(30),
    }
}

async fn setup(store: &dyn jingzhun_service::Store) {
    jingzhun_service::demo::load_bundled_areas(store)
        .await
        .unwrap();
    let a = Assignment::new(Role::Inspector, code("510304"), None, None, false).unwrap();
    jingzhun_service::users::add_user(store, "qian.li", "钱力", "a-long-password-1", a, "test")
        .await
        .unwrap();
}

#[tokio::test]
async fn a_draw_is_hidden_until_the_visit_then_anyone_re_runs_it() {
    for db in each_backend().await {
        let store = db.store.as_ref();
        setup(store).await;
        let sealer = Sealer::generate();
        let lead = account("zhao.gang", Role::Inspector, "510304");
        let member = account("qian.li", Role::Inspector, "510304");
        let outsider = account("sun.wei", Role::Inspector, "510304");
        let officer = account("wang.min", Role::CountyOfficer, "510304");
        let township = account("liu.yang", Role::TownshipReviewer, "510304107");

        // A team member who is not an account; an officer who is not an inspector.
        let mut bad = request();
        bad.team = vec!["nobody.here".into()];
        let r = plan(store, &sealer, &lead, &bad, day(0)).await;
        assert_eq!(denial(&r), Some(Denial::Invalid), "{r:?}");
        let r = plan(store, &sealer, &officer, &request(), day(0)).await;
        assert_eq!(denial(&r), Some(Denial::Forbidden), "{r:?}");

        let v = plan(store, &sealer, &lead, &request(), day(0))
            .await
            .unwrap();
        assert_eq!(v.area, code("510304"));
        assert_eq!(v.inspection.team, vec!["zhao.gang", "qian.li"]);
        // The inspected do not see an unannounced visit.
        for who in [&officer, &township] {
            let r = get(store, &sealer, who, v.id, day(0)).await;
            assert!(matches!(r, Err(ServiceError::NotFound { .. })), "{r:?}");
            assert!(list(store, who, day(0)).await.unwrap().is_empty());
        }
        assert_eq!(list(store, &outsider, day(0)).await.unwrap().len(), 1);

        // The draw: two villages of 牛佛镇, three of 大山铺镇.
        let draw = InspectionAct::Draw(DrawRequest {
            purpose: "暗访 分乡镇抽取村".into(),
            visit_on: Some(day(10)),
            sizes: Some(
                [("510304107".to_string(), 2), ("510304100".to_string(), 3)]
                    .into_iter()
                    .collect(),
            ),
            ..Default::default()
        });
        let r = act(store, &sealer, &outsider, v.id, v.version, &draw, day(1)).await;
        assert_eq!(denial(&r), Some(Denial::Forbidden), "only the team draws");
        let drawn = act(store, &sealer, &member, v.id, v.version, &draw, day(1))
            .await
            .unwrap();
        let sample = drawn
            .samples
            .get(&1)
            .expect("the team sees the sample")
            .clone();
        assert_eq!(sample.len(), 5);
        assert!(sample.groups.iter().all(|g| {
            g.ids
                .iter()
                .all(|id| id.starts_with(&g.stratum.as_ref().unwrap()[..9]))
        }));
        let seen = get(store, &sealer, &outsider, v.id, day(2)).await.unwrap();
        assert!(seen.samples.is_empty(), "not on the team: no sample");
        assert_eq!(
            seen.inspection.draws[0].commitment,
            drawn.inspection.draws[0].commitment
        );
        // Stored nowhere in the clear: no sample in the body, the seed sealed.
        let rec = store
            .record(RecordKind::Inspection, v.id)
            .await
            .unwrap()
            .unwrap();
        assert!(!rec.body.contains("\"sample\""), "{}", rec.body);
        assert!(rec.body.contains("sealed_seeds"));
        // The public page before the reveal: the commitment only.
        let p = public_draw(store, &format!("{}-1", v.id)).await.unwrap();
        assert!(p.revealed.is_none());
        assert_eq!(p.commitment, drawn.inspection.draws[0].commitment.as_str());
        assert!(p.file().is_none());
        assert!(matches!(
            public_draw(store, &format!("{}-2", v.id)).await,
            Err(ServiceError::NotFound { .. })
        ));
        assert!(matches!(
            public_draw(store, "x-1").await,
            Err(ServiceError::NotFound { .. })
        ));
        assert_eq!(public_draws(store).await.unwrap().len(), 1);

        // Reveal: before the visit (409), by an outsider (403), with a stale version (409).
        let reveal = InspectionAct::Reveal { number: 1 };
        let r = act(
            store,
            &sealer,
            &member,
            v.id,
            drawn.version,
            &reveal,
            day(9),
        )
        .await;
        assert_eq!(denial(&r), Some(Denial::Conflict), "{r:?}");
        let r = act(
            store,
            &sealer,
            &outsider,
            v.id,
            drawn.version,
            &reveal,
            day(10),
        )
        .await;
        assert_eq!(denial(&r), Some(Denial::Forbidden), "{r:?}");
        let r = act(store, &sealer, &member, v.id, v.version, &reveal, day(10)).await;
        assert_eq!(denial(&r), Some(Denial::Conflict), "stale: {r:?}");
        // The key of another platform does not open the seed: nothing is revealed.
        let r = act(
            store,
            &Sealer::generate(),
            &member,
            v.id,
            drawn.version,
            &reveal,
            day(10),
        )
        .await;
        assert!(matches!(r, Err(ServiceError::Store(_))), "{r:?}");
        let revealed = act(
            store,
            &sealer,
            &member,
            v.id,
            drawn.version,
            &reveal,
            day(10),
        )
        .await
        .unwrap();
        let r = act(
            store,
            &sealer,
            &member,
            v.id,
            revealed.version,
            &reveal,
            day(11),
        )
        .await;
        assert_eq!(denial(&r), Some(Denial::Conflict), "once only: {r:?}");
        let after = get(store, &sealer, &outsider, v.id, day(10)).await.unwrap();
        assert_eq!(after.samples.get(&1), Some(&sample), "public once revealed");

        // Anyone re-runs it and gets the same sample.
        let p = public_draw(store, &format!("{}-1", v.id)).await.unwrap();
        let r = p.revealed.as_ref().unwrap();
        assert!(r.verification.is_valid());
        assert_eq!(r.sample, sample);
        let file = p.file().unwrap();
        assert!(verify_file(&file, None).unwrap().is_valid());
        assert!(verify_file(&file, Some(&p.commitment)).unwrap().is_valid());
        let other = "0".repeat(64);
        assert!(!verify_file(&file, Some(&other)).unwrap().commitment_matches);
        let mut forged = file.clone();
        forged.sample.groups[0].ids.reverse();
        assert!(
            verify_file(&forged, None).unwrap().is_valid(),
            "order within a stratum is free"
        );
        forged.sample.groups[0].ids[0] = "510304107999".into();
        let check = verify_file(&forged, None).unwrap();
        assert!(!check.sample_matches && check.commitment_matches);
        let mut forged = file.clone();
        forged.seed = "1".repeat(64);
        assert!(!verify_file(&forged, None).unwrap().commitment_matches);

        // A record altered in the database no longer checks on the public page.
        let rec = store
            .record(RecordKind::Inspection, v.id)
            .await
            .unwrap()
            .unwrap();
        assert!(
            !rec.body.contains("sealed_seeds\":{\"1\""),
            "the sealed seed is dropped once public"
        );
        let first = &sample.groups[0].ids[0];
        let seed = &r.seed;
        db.exec(&format!(
            "UPDATE supervision_records SET body = replace(body, '{seed}', '{}') WHERE id = {}",
            "2".repeat(64),
            v.id
        ))
        .await;
        let p = public_draw(store, &format!("{}-1", v.id)).await.unwrap();
        assert!(
            !p.revealed.unwrap().verification.commitment_matches,
            "{first}"
        );

        // Every act is audited, the chain intact; the audit never holds the sample.
        let entries = store
            .audit_of("inspection", &v.id.to_string())
            .await
            .unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            ["inspection.plan", "inspection.draw", "inspection.reveal"]
        );
        assert!(!entries[1].detail.contains(first.as_str()));
        assert!(
            jingzhun_service::audit::verify_audit(store)
                .await
                .unwrap()
                .is_ok()
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn findings_are_classified_within_scope_and_show_what_came_of_them() {
    for db in each_backend().await {
        let store = db.store.as_ref();
        setup(store).await;
        let sealer = Sealer::generate();
        let lead = account("zhao.gang", Role::Inspector, "510304");
        let mut req = request();
        req.kind = "巡察".into();
        let v = plan(store, &sealer, &lead, &req, day(0)).await.unwrap();
        let r = act(
            store,
            &sealer,
            &lead,
            v.id,
            v.version,
            &InspectionAct::Finding {
                area: "510304107201".into(),
                category: "S000-04".into(),
                text: "算账脱贫".into(),
            },
            day(1),
        )
        .await;
        assert_eq!(denial(&r), Some(Denial::Conflict), "not started: {r:?}");
        let v = act(
            store,
            &sealer,
            &lead,
            v.id,
            v.version,
            &InspectionAct::Start,
            day(1),
        )
        .await
        .unwrap();
        let village = store.village_names(Some(&code("510304107"))).await.unwrap()[0].0;
        for (area, category, expect) in [
            ("510304101", "S000-04", Denial::Invalid),
            (village.as_str(), "S999-01", Denial::Invalid),
            ("12x", "S000-04", Denial::Invalid),
        ] {
            let r = act(
                store,
                &sealer,
                &lead,
                v.id,
                v.version,
                &InspectionAct::Finding {
                    area: area.into(),
                    category: category.into(),
                    text: "问题".into(),
                },
                day(2),
            )
            .await;
            assert_eq!(denial(&r), Some(expect), "{area} {category}: {r:?}");
        }
        let v = act(
            store,
            &sealer,
            &lead,
            v.id,
            v.version,
            &InspectionAct::Finding {
                area: village.as_str().into(),
                category: "S000-04".into(),
                text: "只算收入不算支出".into(),
            },
            day(2),
        )
        .await
        .unwrap();
        assert_eq!(v.inspection.findings[0].number, 1);
        assert_eq!(v.outcomes.get(&1).map(Vec::len), Some(0));
        // Another record names the finding as its origin (a complaint it led to, say).
        let mut tx = store.begin().await.unwrap();
        let pid = tx
            .insert_record(&NewRecord {
                kind: RecordKind::Complaint,
                public_code: None,
                area: village,
                state: "open".into(),
                category: Some("S000-04".into()),
                due_on: None,
                origin: Some(("finding".into(), format!("{}:1", v.id))),
                body: "{}".into(),
                actor: "test".into(),
            })
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let v = get(store, &sealer, &lead, v.id, day(3)).await.unwrap();
        let links = &v.outcomes[&1];
        assert_eq!(links.len(), 1);
        assert_eq!((links[0].kind, links[0].id), ("complaint", pid));
        let done = act(
            store,
            &sealer,
            &lead,
            v.id,
            v.version,
            &InspectionAct::Finish,
            day(4),
        )
        .await
        .unwrap();
        assert_eq!(
            jingzhun_domain::vocab::Vocabulary::code(done.inspection.state),
            "finished"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn a_measure_opened_from_a_finding_and_the_programme_answering_the_inspection_show_on_it() {
    use jingzhun_domain::rectification::MeasureKind;
    use jingzhun_service::rectification::{self as rect, NewMeasure, NewProblem, NewProgramme};
    for db in each_backend().await {
        let store = db.store.as_ref();
        setup(store).await;
        let sealer = Sealer::generate();
        let today = jingzhun_service::today_in_china();
        let lead = account("zhao.gang", Role::Inspector, "510304");
        let leader = account("leader", Role::Leader, "510304");
        jingzhun_service::users::add_user(
            store,
            "leader",
            "县领导",
            "a-long-password-2026",
            leader.assignments[0].clone(),
            "test",
        )
        .await
        .unwrap();
        let mut req = request();
        req.starts_on = today;
        req.ends_on = today + chrono::Days::new(10);
        let v = plan(store, &sealer, &lead, &req, today).await.unwrap();
        let v = act(
            store,
            &sealer,
            &lead,
            v.id,
            v.version,
            &InspectionAct::Start,
            today,
        )
        .await
        .unwrap();
        let village = store.village_names(Some(&code("510304107"))).await.unwrap()[0].0;
        let v = act(
            store,
            &sealer,
            &lead,
            v.id,
            v.version,
            &InspectionAct::Finding {
                area: village.as_str().into(),
                category: "C003-27".into(),
                text: "以文件代替整改".into(),
            },
            today,
        )
        .await
        .unwrap();
        let p = rect::create(
            store,
            &leader,
            &NewProgramme {
                area: "510304".into(),
                title: "暗访反馈问题整改方案".into(),
                inspection: "暗访组反馈意见".into(),
                inspection_id: Some(v.id),
                issued_on: None,
            },
            today,
        )
        .await
        .unwrap();
        let p = rect::add_problem(
            store,
            &leader,
            p.id,
            p.version,
            &NewProblem {
                number: 27,
                category: "问题整改不扎实不到位".into(),
                aspect: "以文件代替整改".into(),
                text: "存在以文件代替整改现象".into(),
            },
            today,
        )
        .await
        .unwrap();
        rect::add_measure(
            store,
            &leader,
            p.id,
            p.version,
            &NewMeasure {
                problem: 27,
                code: "27-1".into(),
                kind: MeasureKind::Immediate,
                task: "逐项核查，落实到具体行动".into(),
                requirement: "不以印发文件作为完成标志".into(),
                leader: "leader".into(),
                leader_unit: "区委".into(),
                unit: "区扶贫开发局".into(),
                co_units: vec![],
                deadline: today + chrono::Days::new(30),
                milestones: vec![],
                finding: Some(format!("{}:1", v.id)),
            },
            today,
        )
        .await
        .unwrap();
        let seen = get(store, &sealer, &lead, v.id, today).await.unwrap();
        let measures = &seen.measures[&1];
        assert_eq!(measures.len(), 1);
        assert_eq!(
            (measures[0].programme_id, measures[0].code.as_str()),
            (p.id, "27-1")
        );
        assert_eq!(seen.answered_by.len(), 1);
        assert_eq!(
            (seen.answered_by[0].kind, seen.answered_by[0].id),
            ("programme", p.id)
        );
        db.finish().await;
    }
}
