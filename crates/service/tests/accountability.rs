//! Accountability cases on every configured backend: opened from a finding, a complaint or a
//! lead only within reach; escalated review enforced (a village cadre's sanction needs the
//! county, a township cadre's the city; the wrong level, role or the decider refused);
//! publication only after finalisation, names by policy; statistics; stale versions.

mod common;

use chrono::NaiveDate;
use common::each_backend;
use jingzhun_domain::AreaCode;
use jingzhun_domain::access::{Account, Assignment, Login, Role};
use jingzhun_domain::accountability::{CadreLevel, CaseState, PublicationPolicy};
use jingzhun_service::accountability::{
    CaseAct, OpenRequest, act, area_statistics, get, list, open, parse_policy, public_cases,
};
use jingzhun_service::inspections::{InspectionAct, PlanRequest};
use jingzhun_service::seal::Sealer;
use jingzhun_service::{Denial, ServiceError, Store};
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

fn not_found(r: &Result<impl std::fmt::Debug, ServiceError>) -> bool {
    matches!(r, Err(ServiceError::NotFound { .. }))
}

const POLICY: PublicationPolicy = PublicationPolicy::FromLevel(CadreLevel::County);

fn village_cadre(area: &AreaCode, source: &str, origin: Option<String>) -> OpenRequest {
    OpenRequest {
        name: "王小明".into(),
        post: "村委会主任".into(),
        level: "village".into(),
        area: area.as_str().into(),
        source: source.into(),
        origin,
        category: "false_claims".into(),
    }
}

fn sanction() -> CaseAct {
    CaseAct::Decide {
        form: "2".into(),
        outcomes: vec!["party_discipline".into()],
        mitigation: false,
        reasons: Vec::new(),
        summary: "虚报冒领光伏收益 1.2 万元，已追回".into(),
    }
}

fn investigated() -> CaseAct {
    CaseAct::Investigate {
        substantiation: "属实".into(),
        findings: "经调查核实属实".into(),
    }
}

/// Areas, an inspection of 牛佛镇 with one finding in its first village; returns the village
/// and the inspection's id.
async fn setup(store: &dyn Store) -> (AreaCode, i64) {
    jingzhun_service::demo::load_bundled_areas(store)
        .await
        .unwrap();
    let sealer = Sealer::generate();
    let lead = account("zhao.gang", Role::Inspector, "510304");
    let v = jingzhun_service::inspections::plan(
        store,
        &sealer,
        &lead,
        &PlanRequest {
            kind: "xuncha".into(),
            title: "专项巡察".into(),
            areas: vec!["510304107".into()],
            units: Vec::new(),
            team: Vec::new(),
            starts_on: day(0),
            ends_on: day(30),
        },
        day(0),
    )
    .await
    .unwrap();
    let village = store.village_names(Some(&code("510304107"))).await.unwrap()[0].0;
    let v = jingzhun_service::inspections::act(
        store,
        &sealer,
        &lead,
        v.id,
        v.version,
        &InspectionAct::Start,
        day(0),
    )
    .await
    .unwrap();
    jingzhun_service::inspections::act(
        store,
        &sealer,
        &lead,
        v.id,
        v.version,
        &InspectionAct::Finding {
            area: village.as_str().into(),
            category: "false_claims".into(),
            text: "虚报冒领".into(),
        },
        day(1),
    )
    .await
    .unwrap();
    (village, v.id)
}

#[tokio::test]
async fn a_village_cadres_sanction_is_finalised_only_after_the_county_reviews_it() {
    for db in each_backend().await {
        let store = db.store.as_ref();
        let (village, inspection) = setup(store).await;
        let town = account("xiang.jiwei", Role::DisciplineOfficer, "510304107");
        let other_town = account("other.jiwei", Role::DisciplineOfficer, "510304100");
        let county = account("qu.jiwei", Role::DisciplineOfficer, "510304");
        let city = account("shi.jiwei", Role::DisciplineOfficer, "5103");
        let poverty = account("qu.fupin", Role::CountyOfficer, "510304");

        // From the finding, within reach; the wrong role, another township, a missing finding.
        let from_finding = village_cadre(&village, "finding", Some(format!("{inspection}:1")));
        let r = open(store, &poverty, &from_finding, day(2)).await;
        assert_eq!(denial(&r), Some(Denial::Forbidden), "{r:?}");
        let r = open(store, &other_town, &from_finding, day(2)).await;
        assert_eq!(denial(&r), Some(Denial::Forbidden), "{r:?}");
        for origin in [format!("{inspection}:9"), "999:1".into(), "x".into()] {
            let r = open(
                store,
                &town,
                &village_cadre(&village, "finding", Some(origin)),
                day(2),
            )
            .await;
            assert!(not_found(&r), "{r:?}");
        }
        let r = open(
            store,
            &town,
            &village_cadre(&village, "finding", None),
            day(2),
        )
        .await;
        assert_eq!(denial(&r), Some(Denial::Invalid), "{r:?}");
        let mut bad = from_finding.clone();
        bad.category = "S999-99".into();
        assert_eq!(
            denial(&open(store, &town, &bad, day(2)).await),
            Some(Denial::Invalid)
        );
        let mut bad = from_finding.clone();
        bad.level = "township".into();
        assert_eq!(
            denial(&open(store, &town, &bad, day(2)).await),
            Some(Denial::Invalid)
        );

        let c = open(store, &town, &from_finding, day(2)).await.unwrap();
        assert_eq!(
            c.origin,
            Some(("finding".into(), format!("{inspection}:1")))
        );
        assert_eq!(c.case.state, CaseState::Opened);
        // The inspection shows what came of its finding.
        let iv = jingzhun_service::inspections::get(
            store,
            &Sealer::generate(),
            &account("zhao.gang", Role::Inspector, "510304"),
            inspection,
            day(2),
        )
        .await
        .unwrap();
        assert_eq!(iv.outcomes[&1][0].id, c.id);
        assert_eq!(iv.outcomes[&1][0].kind, "accountability");

        // Who sees it: discipline officers over it; nobody else (404).
        assert!(get(store, &county, c.id, day(2)).await.is_ok());
        assert!(not_found(&get(store, &other_town, c.id, day(2)).await));
        assert!(not_found(&get(store, &poverty, c.id, day(2)).await));
        assert!(matches!(
            list(store, &poverty, None, day(2)).await,
            Err(ServiceError::Forbidden)
        ));
        assert!(
            list(store, &other_town, None, day(2))
                .await
                .unwrap()
                .is_empty()
        );

        let c = act(
            store,
            &town,
            c.id,
            c.version,
            &investigated(),
            POLICY,
            day(3),
        )
        .await
        .unwrap();
        let r = act(
            store,
            &town,
            c.id,
            c.version - 1,
            &sanction(),
            POLICY,
            day(4),
        )
        .await;
        assert_eq!(denial(&r), Some(Denial::Conflict), "stale: {r:?}");
        let c = act(store, &town, c.id, c.version, &sanction(), POLICY, day(4))
            .await
            .unwrap();
        assert_eq!(c.required_review.as_deref(), Some("county"));

        // No finalisation, publication or review out of turn.
        let r = act(
            store,
            &town,
            c.id,
            c.version,
            &CaseAct::Finalise,
            POLICY,
            day(5),
        )
        .await;
        assert_eq!(denial(&r), Some(Denial::Conflict), "no review yet: {r:?}");
        let r = act(
            store,
            &town,
            c.id,
            c.version,
            &CaseAct::Publish,
            POLICY,
            day(5),
        )
        .await;
        assert_eq!(denial(&r), Some(Denial::Conflict), "not finalised: {r:?}");
        let review = CaseAct::Review {
            approved: true,
            note: "同意".into(),
        };
        let r = act(store, &town, c.id, c.version, &review, POLICY, day(5)).await;
        assert_eq!(
            denial(&r),
            Some(Denial::Forbidden),
            "a township body: {r:?}"
        );
        let r = act(store, &poverty, c.id, c.version, &review, POLICY, day(5)).await;
        assert!(
            not_found(&r),
            "not a discipline officer: the case does not exist"
        );
        let c = act(store, &county, c.id, c.version, &review, POLICY, day(5))
            .await
            .unwrap();
        assert_eq!(c.case.state, CaseState::Reviewed);
        let c = act(
            store,
            &town,
            c.id,
            c.version,
            &CaseAct::Finalise,
            POLICY,
            day(6),
        )
        .await
        .unwrap();
        assert_eq!(c.case.state, CaseState::Finalised);
        assert!(public_cases(store, POLICY).await.unwrap().is_empty());
        let c = act(
            store,
            &town,
            c.id,
            c.version,
            &CaseAct::Publish,
            POLICY,
            day(7),
        )
        .await
        .unwrap();
        assert_eq!(c.case.state, CaseState::Published);

        // Published: a village cadre's name hidden by the policy, shown under another.
        let shown = public_cases(store, POLICY).await.unwrap();
        assert_eq!(shown.len(), 1);
        assert!(
            !shown[0].text.contains("王小明") && shown[0].text.contains("王某"),
            "{}",
            shown[0].text
        );
        assert!(!shown[0].names_shown);
        let all = public_cases(store, PublicationPolicy::Always)
            .await
            .unwrap();
        assert!(
            all[0].text.contains("王某"),
            "the text fixed at publication"
        );

        // Statistics: one village cadre in the second form, all at the front line.
        let s = area_statistics(store, &county, None, day(8))
            .await
            .unwrap()
            .statistics;
        assert_eq!(s.counted, 1);
        assert_eq!(s.by_level["village"], 1);
        assert_eq!(s.by_form["2"], 1);
        assert_eq!(s.front_line_share, Some(1.0));
        assert!(matches!(
            area_statistics(store, &town, Some(code("510304100")), day(8)).await,
            Err(ServiceError::NotFound { .. })
        ));
        assert!(matches!(
            area_statistics(store, &poverty, None, day(8)).await,
            Err(ServiceError::Forbidden)
        ));

        // A township cadre's sanction needs the city: the county's review is refused.
        let c = open(
            store,
            &county,
            &OpenRequest {
                name: "赵某某".into(),
                post: "镇长".into(),
                level: "township".into(),
                area: "510304107".into(),
                source: "audit".into(),
                origin: Some("审计报告〔2026〕3号".into()),
                category: "S000-04".into(),
            },
            day(2),
        )
        .await
        .unwrap();
        let c = act(
            store,
            &county,
            c.id,
            c.version,
            &investigated(),
            POLICY,
            day(3),
        )
        .await
        .unwrap();
        let c = act(store, &county, c.id, c.version, &sanction(), POLICY, day(4))
            .await
            .unwrap();
        let other_county_reviewer = account("qu2.jiwei", Role::DisciplineOfficer, "510304");
        let r = act(
            store,
            &other_county_reviewer,
            c.id,
            c.version,
            &review,
            POLICY,
            day(5),
        )
        .await;
        assert_eq!(denial(&r), Some(Denial::Forbidden), "a county body: {r:?}");
        let c = act(store, &city, c.id, c.version, &review, POLICY, day(5))
            .await
            .unwrap();
        let c = act(
            store,
            &county,
            c.id,
            c.version,
            &CaseAct::Finalise,
            POLICY,
            day(6),
        )
        .await
        .unwrap();
        assert_eq!(c.case.state, CaseState::Finalised);

        let entries = store
            .audit_of("accountability_case", &c.id.to_string())
            .await
            .unwrap();
        assert_eq!(entries.len(), 5);
        assert!(
            entries.iter().all(|e| !e.detail.contains("赵某某")),
            "no names in the audit"
        );
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
async fn a_case_from_a_complaint_or_a_lead_needs_it_within_reach() {
    for db in each_backend().await {
        let store = db.store.as_ref();
        let (village, _) = setup(store).await;
        let town = account("xiang.jiwei", Role::DisciplineOfficer, "510304107");
        let other_village = store.village_names(Some(&code("510304100"))).await.unwrap()[0].0;
        // A real complaint's stored body (whom it accuses decides recusal), reused for the two
        // records below, which differ by area and ticket.
        let mut input = jingzhun_domain::complaint::NewComplaint::new(
            jingzhun_domain::complaint::Channel::Hotline12317,
            village.as_str(),
            "村干部在危房改造补助中优亲厚友。",
        );
        input.accused_unit = "某村民委员会".into();
        input.accused_unit_area = village.as_str().into();
        let registrar = account("xian.jiwei", Role::DisciplineOfficer, "510304");
        let sample = jingzhun_service::complaints::register(
            store,
            &Sealer::generate(),
            &registrar,
            &input,
            day(1),
        )
        .await
        .unwrap();
        let body = store
            .record(RecordKind::Complaint, sample.id)
            .await
            .unwrap()
            .unwrap()
            .body;
        let mut ids = Vec::new();
        for area in [village, other_village] {
            let mut tx = store.begin().await.unwrap();
            ids.push(
                tx.insert_record(&NewRecord {
                    kind: RecordKind::Complaint,
                    public_code: Some(format!("JB-{}", area.as_str())),
                    area,
                    state: "registered".into(),
                    category: None,
                    due_on: None,
                    origin: None,
                    body: body.clone(),
                    actor: "test".into(),
                })
                .await
                .unwrap(),
            );
            tx.commit().await.unwrap();
        }
        let c = open(
            store,
            &town,
            &village_cadre(&village, "complaint", Some(ids[0].to_string())),
            day(2),
        )
        .await
        .unwrap();
        assert_eq!(c.origin, Some(("complaint".into(), ids[0].to_string())));
        assert_eq!(
            c.case.source.reference.as_deref(),
            Some(format!("JB-{}", village.as_str()).as_str())
        );
        let r = open(
            store,
            &town,
            &village_cadre(&village, "complaint", Some(ids[1].to_string())),
            day(2),
        )
        .await;
        assert!(not_found(&r), "another township's complaint: {r:?}");
        let r = open(
            store,
            &town,
            &village_cadre(&village, "complaint", Some("12345".into())),
            day(2),
        )
        .await;
        assert!(not_found(&r));
        let r = open(
            store,
            &town,
            &village_cadre(&village, "lead", Some("12345".into())),
            day(2),
        )
        .await;
        assert!(not_found(&r), "no such lead: {r:?}");
        let r = open(
            store,
            &town,
            &village_cadre(&village, "rumour", None),
            day(2),
        )
        .await;
        assert_eq!(denial(&r), Some(Denial::Invalid));

        // Dismissed when unsubstantiated; no outcome can be decided on it.
        let c = act(
            store,
            &town,
            c.id,
            c.version,
            &CaseAct::Investigate {
                substantiation: "unsubstantiated".into(),
                findings: "查无实据".into(),
            },
            POLICY,
            day(3),
        )
        .await
        .unwrap();
        let r = act(store, &town, c.id, c.version, &sanction(), POLICY, day(4)).await;
        assert_eq!(denial(&r), Some(Denial::Conflict));
        let c = act(
            store,
            &town,
            c.id,
            c.version,
            &CaseAct::Dismiss {
                grounds: "unsubstantiated".into(),
                reason: "予以澄清".into(),
            },
            POLICY,
            day(4),
        )
        .await
        .unwrap();
        assert_eq!(c.case.state, CaseState::Dismissed);
        assert_eq!(parse_policy("never"), Some(PublicationPolicy::Never));
        assert_eq!(
            parse_policy("county"),
            Some(PublicationPolicy::FromLevel(CadreLevel::County))
        );
        assert_eq!(parse_policy("sometimes"), None);
        db.finish().await;
    }
}

#[tokio::test]
async fn the_demo_holds_cases_in_every_state_once() {
    for db in each_backend().await {
        let store = db.store.as_ref();
        let _dir = common::import_generated(
            store,
            200,
            3,
            jingzhun_service::generate::Extras::RegistryOnly,
        )
        .await;
        jingzhun_service::demo::ensure_demo_accounts(store)
            .await
            .unwrap();
        let sealer = Sealer::generate();
        jingzhun_service::demo::ensure_supervision_demo(store, &sealer)
            .await
            .unwrap();
        jingzhun_service::demo::ensure_supervision_demo(store, &sealer)
            .await
            .unwrap();
        let county = store.user("discipline").await.unwrap().unwrap().account;
        let today = jingzhun_service::today_in_china();
        let cases = list(store, &county, None, today).await.unwrap();
        let states: std::collections::BTreeSet<CaseState> =
            cases.iter().map(|c| c.case.state).collect();
        for s in [
            CaseState::Decided,
            CaseState::Published,
            CaseState::Finalised,
            CaseState::Dismissed,
        ] {
            assert!(states.contains(&s), "{s:?} in {states:?}");
        }
        assert_eq!(cases.len(), 5, "added once");
        assert!(
            cases
                .iter()
                .any(|c| c.case.state == CaseState::Decided && c.required_review.is_some())
        );
        let inspector = store.user("inspector").await.unwrap().unwrap().account;
        let lines = jingzhun_service::inspections::list(store, &inspector, today)
            .await
            .unwrap();
        assert_eq!(lines.len(), 2);
        let draws = jingzhun_service::inspections::public_draws(store)
            .await
            .unwrap();
        assert!(draws.iter().any(|d| d.revealed.is_none()));
        assert!(draws.iter().any(|d| {
            d.revealed
                .as_ref()
                .is_some_and(|r| r.verification.is_valid())
        }));
        assert!(!public_cases(store, POLICY).await.unwrap().is_empty());
        db.finish().await;
    }
}
