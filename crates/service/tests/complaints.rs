//! Complaints end to end on every configured backend: registration with a sealed identity,
//! routing with recusal, handling to a reply and closing, review and escalation; and every
//! refusal: a discipline officer without `sealed`, the accused township, another county, a
//! stale version, a closing without reply, a wrong ticket code.

mod common;

use chrono::NaiveDate;
use common::each_backend;
use jingzhun_domain::AreaCode;
use jingzhun_domain::access::{Account, Assignment, Login, Role};
use jingzhun_domain::calendar::Calendar;
use jingzhun_domain::complaint::{
    Channel, ComplainantInput, ComplaintState, Complexity, Finding, NewComplaint, Satisfaction,
};
use jingzhun_service::complaints::{self as svc, ComplaintAct, ListFilter, PublicAct};
use jingzhun_service::seal::Sealer;
use jingzhun_service::{Denial, ServiceError};

fn code(s: &str) -> AreaCode {
    AreaCode::parse_short(s).unwrap()
}

fn account(login: &str, role: Role, area: &str, sealed: bool) -> Account {
    Account {
        name: String::new(),
        login: Login::parse(login).unwrap(),
        disabled: false,
        assignments: vec![Assignment::new(role, code(area), None, None, sealed).unwrap()],
    }
}

/// Monday 2026-03-02: no holiday near it.
fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap() + chrono::Days::new(n)
}

const NIUFO: &str = "510304107";
const OTHER_TOWNSHIP: &str = "510304100";

fn input(village: &str) -> NewComplaint {
    let mut c = NewComplaint::new(
        Channel::Hotline12317,
        village,
        "村干部在危房改造补助中优亲厚友。",
    );
    c.accused_unit = "牛佛镇人民政府".into();
    c.accused_unit_area = NIUFO.into();
    c.classes = vec!["favouritism".into()];
    c.complainant = ComplainantInput {
        name: "举报人甲".into(),
        phone: "13800001234".into(),
        id_number: String::new(),
    };
    c
}

fn kind(e: &ServiceError) -> Option<Denial> {
    match e {
        ServiceError::Denied { kind, .. } => Some(*kind),
        _ => None,
    }
}

async fn village_of(store: &dyn jingzhun_service::Store, township: &str) -> String {
    store
        .children(Some(&code(township)))
        .await
        .unwrap()
        .remove(0)
        .code
        .as_str()
        .to_string()
}

async fn version(store: &dyn jingzhun_service::Store, id: i64) -> i64 {
    store
        .record(jingzhun_store::supervision::RecordKind::Complaint, id)
        .await
        .unwrap()
        .unwrap()
        .version
}

#[tokio::test]
async fn a_complaint_runs_from_registration_to_closing_with_its_identity_sealed() {
    for db in each_backend().await {
        let store = db.store.as_ref();
        jingzhun_service::demo::load_bundled_areas(store)
            .await
            .unwrap();
        let sealer = Sealer::generate();
        let village = village_of(store, NIUFO).await;
        let desk = account("desk", Role::DisciplineOfficer, "510304", true);
        let unsealed = account("plain", Role::DisciplineOfficer, "510304", false);
        let accused = account("niufo", Role::TownshipReviewer, NIUFO, false);
        let other = account("other", Role::TownshipReviewer, OTHER_TOWNSHIP, false);
        let stranger = account("far", Role::DisciplineOfficer, "510302", true);
        let clerk = account("clerk", Role::VillageClerk, &village, false);

        let v = svc::register(store, &sealer, &desk, &input(&village), day(0))
            .await
            .unwrap();
        let id = v.id;
        assert_eq!(v.complaint.state, ComplaintState::Registered);
        assert!(!v.anonymous);
        // The identity is nowhere in the stored record, nor in the view.
        let rec = store
            .record(jingzhun_store::supervision::RecordKind::Complaint, id)
            .await
            .unwrap()
            .unwrap();
        assert!(
            !rec.body.contains("举报人甲") && !rec.body.contains("13800001234"),
            "{}",
            rec.body
        );
        let json = serde_json::to_string(&v).unwrap();
        assert!(!json.contains("举报人甲") && !json.contains("13800001234"));
        let sealed = store.sealed_identity(id).await.unwrap().unwrap();
        assert!(!sealed.ciphertext.contains(&hex_of("举报人甲")));

        // Who reads it: the desk yes; another county, a village clerk, the accused township
        // (the case is not routed there) no, as if it did not exist.
        for a in [&stranger, &clerk, &accused, &other] {
            let e = svc::get(store, a, id, day(0)).await.unwrap_err();
            assert!(
                matches!(e, ServiceError::NotFound { .. }),
                "{}: {e:?}",
                a.login.as_str()
            );
            let l = svc::list(store, a, &ListFilter::default(), day(0))
                .await
                .unwrap();
            assert!(l.is_empty(), "{}", a.login.as_str());
        }
        // The identity: only with `sealed`, and the reading is audited.
        let e = svc::identity(store, &sealer, &unsealed, id, day(0))
            .await
            .unwrap_err();
        assert_eq!(kind(&e), Some(Denial::Forbidden), "{e:?}");
        let i = svc::identity(store, &sealer, &desk, id, day(0))
            .await
            .unwrap();
        assert_eq!(i.name.as_deref(), Some("举报人甲"));
        assert!(!format!("{i:?}").contains("举报人甲"));
        let audit = store.audit_page(0, 10000).await.unwrap();
        let unseals: Vec<_> = audit
            .iter()
            .filter(|e| e.action == "complaint.unseal")
            .collect();
        assert_eq!(unseals.len(), 1, "one reading, one entry");
        assert_eq!(unseals[0].actor, "user:desk");
        for e in &audit {
            assert!(
                !e.detail.contains("举报人甲") && !e.detail.contains("13800001234"),
                "{}",
                e.detail
            );
        }
        // Search never finds the complainant (the name is not in what is searched).
        let by_name = svc::list(
            store,
            &desk,
            &ListFilter {
                q: Some("举报人甲".into()),
                ..Default::default()
            },
            day(0),
        )
        .await
        .unwrap();
        assert!(by_name.is_empty());
        let by_text = svc::list(
            store,
            &desk,
            &ListFilter {
                q: Some("优亲厚友".into()),
                ..Default::default()
            },
            day(0),
        )
        .await
        .unwrap();
        assert_eq!(by_text.len(), 1);

        // Recusal: not to the accused township's government (回避).
        let route = |area: &str, name: &str| ComplaintAct::Route {
            unit_area: area.into(),
            unit_name: name.into(),
            complexity: Complexity::Simple,
        };
        let e = svc::act(
            store,
            &desk,
            id,
            version(store, id).await,
            &route(NIUFO, "牛佛镇政府"),
            day(0),
        )
        .await
        .unwrap_err();
        assert_eq!(kind(&e), Some(Denial::Conflict), "{e:?}");
        assert!(e.to_string().contains("recusal"), "{e}");
        // A stale version is refused.
        let stale = version(store, id).await - 1;
        let e = svc::act(
            store,
            &desk,
            id,
            stale,
            &route("510304", "区纪委监委"),
            day(0),
        )
        .await
        .unwrap_err();
        assert_eq!(kind(&e), Some(Denial::Conflict));
        // A role that does not route (township reviewer of the area) is refused... it cannot
        // even see it; a leader sees it and may not route it.
        let leader = account("lead", Role::Leader, "510304", false);
        let e = svc::act(
            store,
            &leader,
            id,
            version(store, id).await,
            &route("510304", "区纪委监委"),
            day(0),
        )
        .await
        .unwrap_err();
        assert_eq!(kind(&e), Some(Denial::Forbidden), "{e:?}");
        // Closing without a reply is refused (事事有回音).
        let e = svc::act(
            store,
            &desk,
            id,
            version(store, id).await,
            &ComplaintAct::Close,
            day(0),
        )
        .await
        .unwrap_err();
        assert_eq!(kind(&e), Some(Denial::Conflict));
        assert!(e.to_string().contains("reply"), "{e}");

        // Routed to the other township: its reviewer handles it, without seeing the identity.
        svc::act(
            store,
            &desk,
            id,
            version(store, id).await,
            &route(OTHER_TOWNSHIP, "大山铺镇纪委"),
            day(0),
        )
        .await
        .unwrap();
        let seen = svc::get(store, &other, id, day(1)).await.unwrap();
        assert_eq!(seen.complaint.state, ComplaintState::Routed);
        let e = svc::identity(store, &sealer, &other, id, day(1))
            .await
            .unwrap_err();
        assert_eq!(kind(&e), Some(Denial::Forbidden));
        assert!(
            svc::get(store, &accused, id, day(1)).await.is_err(),
            "still not the accused's"
        );
        for a in [
            ComplaintAct::Verify {
                note: "入户核实".into(),
            },
            ComplaintAct::Finding {
                finding: Finding::Substantiated,
                action: "退回补助".into(),
            },
            ComplaintAct::Reply {
                text: "经核查属实，已退回补助。".into(),
            },
        ] {
            svc::act(store, &other, id, version(store, id).await, &a, day(2))
                .await
                .unwrap();
        }
        // The ticket holder sees the state and the reply, nothing else.
        let ticket = seen.complaint.ticket.to_string();
        let s = svc::public_status(store, &ticket.to_lowercase(), day(3))
            .await
            .unwrap();
        assert_eq!(s.state, ComplaintState::Replied);
        assert_eq!(s.reply.as_deref(), Some("经核查属实，已退回补助。"));
        let text = serde_json::to_string(&s).unwrap();
        assert!(
            !text.contains("优亲厚友") && !text.contains("牛佛镇") && !text.contains("举报人甲"),
            "{text}"
        );
        // A mistyped ticket is refused, an unknown one is not found.
        let mut wrong = ticket.clone();
        let last = wrong.pop().unwrap();
        wrong.push(if last == 'A' { 'B' } else { 'A' });
        let e = svc::public_status(store, &wrong, day(3)).await.unwrap_err();
        assert_eq!(kind(&e), Some(Denial::Invalid), "{e:?}");
        let unknown = jingzhun_domain::complaint::TicketCode::new(2026, 12345).unwrap();
        let e = svc::public_status(store, unknown.as_str(), day(3))
            .await
            .unwrap_err();
        assert!(matches!(e, ServiceError::NotFound { .. }));
        // Unsatisfied, the complainant asks for review; the county takes it.
        svc::public_act(
            store,
            &ticket,
            &PublicAct::Satisfaction {
                satisfaction: Satisfaction::Unsatisfied,
            },
            day(3),
        )
        .await
        .unwrap();
        let s = svc::public_act(
            store,
            &ticket,
            &PublicAct::Review {
                reason: "处理太轻".into(),
            },
            day(4),
        )
        .await
        .unwrap();
        assert_eq!(s.state, ComplaintState::UnderReview);
        let v = svc::get(store, &desk, id, day(4)).await.unwrap();
        assert_eq!(v.complaint.round().area, code("510304"));
        for a in [
            ComplaintAct::Verify {
                note: "复查核实".into(),
            },
            ComplaintAct::Finding {
                finding: Finding::Substantiated,
                action: "给予党内警告".into(),
            },
            ComplaintAct::Reply {
                text: "复查后已加重处理。".into(),
            },
            ComplaintAct::Close,
        ] {
            svc::act(store, &desk, id, version(store, id).await, &a, day(5))
                .await
                .unwrap();
        }
        let v = svc::get(store, &desk, id, day(5)).await.unwrap();
        assert_eq!(v.complaint.state, ComplaintState::Closed);
        // Every act is in the audit log, in order, none with the content or the identity.
        let actions: Vec<String> = store
            .audit_page(0, 10000)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.subject_kind == "complaint" && e.subject_id == id.to_string())
            .map(|e| e.action)
            .collect();
        for a in [
            "complaint.register",
            "complaint.route",
            "complaint.reply",
            "complaint.review",
            "complaint.close",
        ] {
            assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
        }
        let stats = svc::statistics(store, &desk, day(5)).await.unwrap();
        assert_eq!(stats.total, 1);
        assert!(stats.by_category.iter().any(|c| c.key == "favouritism"));
        assert!(stats.by_result.iter().any(|c| c.key == "substantiated"));
        db.finish().await;
    }
}

fn hex_of(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn an_overdue_case_goes_to_the_level_above_and_the_digest_counts_the_day() {
    for db in each_backend().await {
        let store = db.store.as_ref();
        jingzhun_service::demo::load_bundled_areas(store)
            .await
            .unwrap();
        let sealer = Sealer::generate();
        let village = village_of(store, NIUFO).await;
        let desk = account("desk", Role::DisciplineOfficer, "510304", true);
        let mut anon = input(&village);
        anon.complainant = ComplainantInput::default();
        let v = svc::register(store, &sealer, &desk, &anon, day(0))
            .await
            .unwrap();
        assert!(v.anonymous);
        // Anonymous: the identity answer says so (and is still audited).
        let i = svc::identity(store, &sealer, &desk, v.id, day(0))
            .await
            .unwrap();
        assert!(i.anonymous && i.name.is_none());
        // The digest of the day lists it; CSV and XLSX come out.
        let d = svc::digest(store, &desk, day(0), day(0)).await.unwrap();
        assert_eq!(d.registered.len(), 1);
        let csv = svc::digest_export(store, &desk, &d, false).await.unwrap();
        let text = String::from_utf8(csv).unwrap();
        assert!(
            text.contains(v.complaint.ticket.as_str()) && !text.contains("优亲厚友"),
            "{text}"
        );
        let xlsx = svc::digest_export(store, &desk, &d, true).await.unwrap();
        assert!(xlsx.starts_with(b"PK"));
        // Not overdue on the deadline itself (15 working days: 2026-03-23)...
        assert!(
            svc::escalate_overdue(store, NaiveDate::from_ymd_opt(2026, 3, 23).unwrap())
                .await
                .unwrap()
                .is_empty()
        );
        // ...the day after, the city takes it over, and the county no longer lists it.
        let late = NaiveDate::from_ymd_opt(2026, 3, 24).unwrap();
        assert_eq!(
            svc::escalate_overdue(store, late).await.unwrap(),
            vec![v.id]
        );
        assert!(
            svc::escalate_overdue(store, late).await.unwrap().is_empty(),
            "once"
        );
        let city = account("city", Role::DisciplineOfficer, "5103", false);
        let e = svc::get(store, &city, v.id, late).await.unwrap();
        assert_eq!(e.complaint.state, ComplaintState::Escalated);
        assert_eq!(e.complaint.owner_area, code("5103"));
        assert!(svc::get(store, &desk, v.id, late).await.is_err());
        db.finish().await;
    }
}

#[tokio::test]
async fn the_public_files_anonymously_and_nothing_it_sends_is_trusted() {
    for db in each_backend().await {
        let store = db.store.as_ref();
        jingzhun_service::demo::load_bundled_areas(store)
            .await
            .unwrap();
        let sealer = Sealer::generate();
        let village = village_of(store, NIUFO).await;
        let mut c = NewComplaint::new(
            Channel::Web,
            &village,
            "<script>alert(1)</script> 补助被截留",
        );
        let t = svc::register_public(store, &sealer, &c, day(0))
            .await
            .unwrap();
        let s = svc::public_status(store, t.as_str(), day(0)).await.unwrap();
        assert_eq!(s.state, ComplaintState::Registered);
        // Owned by the county of the matter.
        let desk = account("desk", Role::DisciplineOfficer, "510304", true);
        let l = svc::list(store, &desk, &ListFilter::default(), day(0))
            .await
            .unwrap();
        assert_eq!(l[0].complaint.owner_area, code("510304"));
        assert!(l[0].anonymous);
        // The public registers the web channel only, in a known area, within the limits.
        c.channel = Channel::Hotline12380;
        let e = svc::register_public(store, &sealer, &c, day(0))
            .await
            .unwrap_err();
        assert_eq!(kind(&e), Some(Denial::Forbidden));
        let unknown = NewComplaint::new(Channel::Web, "999999", "x");
        let e = svc::register_public(store, &sealer, &unknown, day(0))
            .await
            .unwrap_err();
        assert_eq!(kind(&e), Some(Denial::Invalid));
        let long = NewComplaint::new(Channel::Web, &village, &"长".repeat(4001));
        let e = svc::register_public(store, &sealer, &long, day(0))
            .await
            .unwrap_err();
        assert_eq!(kind(&e), Some(Denial::Invalid));
        let mut bad_phone = NewComplaint::new(Channel::Web, &village, "x");
        bad_phone.complainant.phone = "1380'; DROP TABLE".into();
        let e = svc::register_public(store, &sealer, &bad_phone, day(0))
            .await
            .unwrap_err();
        assert_eq!(kind(&e), Some(Denial::Invalid));
        // Review before any reply is refused.
        let e = svc::public_act(
            store,
            t.as_str(),
            &PublicAct::Review { reason: "x".into() },
            day(1),
        )
        .await
        .unwrap_err();
        assert_eq!(kind(&e), Some(Denial::Conflict));
        db.finish().await;
    }
}

#[tokio::test]
async fn the_demo_has_every_state_once_and_is_idempotent() {
    for db in each_backend().await {
        let store = db.store.as_ref();
        jingzhun_service::demo::load_bundled_areas(store)
            .await
            .unwrap();
        let sealer = Sealer::generate();
        svc::demo(store, &sealer).await.unwrap();
        svc::demo(store, &sealer).await.unwrap();
        let admin = account("admin", Role::Admin, "510304", false);
        let all = svc::list(
            store,
            &admin,
            &ListFilter::default(),
            jingzhun_service::today_in_china(),
        )
        .await
        .unwrap();
        assert_eq!(all.len(), 7);
        for s in <ComplaintState as jingzhun_domain::vocab::Vocabulary>::ALL {
            assert!(all.iter().any(|v| v.complaint.state == *s), "{s:?}");
        }
        db.finish().await;
    }
}

#[test]
fn the_shipped_calendar_reads_and_counts_around_the_holidays() {
    let cal = svc::load_calendar(None).unwrap();
    let c: &Calendar = &cal.calendar;
    let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    // National Day 2025: Oct 1-8 off, Sunday 28 Sep and Saturday 11 Oct worked.
    assert!(c.is_working_day(d(2025, 9, 28)));
    assert!(!c.is_working_day(d(2025, 10, 8)));
    assert!(c.is_working_day(d(2025, 10, 11)));
    // One working day after Tuesday 30 Sep 2025 is Thursday 9 Oct.
    assert_eq!(c.add_working_days(d(2025, 9, 30), 1), Some(d(2025, 10, 9)));
    // Spring Festival 2026: Feb 15-23 off, Saturday 14 Feb worked.
    assert!(c.is_working_day(d(2026, 2, 14)));
    assert_eq!(c.add_working_days(d(2026, 2, 13), 1), Some(d(2026, 2, 14)));
    assert_eq!(c.add_working_days(d(2026, 2, 14), 1), Some(d(2026, 2, 24)));
    // A bad override file is refused with its line.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("cal.txt");
    std::fs::write(&p, "2026-10-01 holiday\n2026-10-05 workday\n").unwrap();
    let e = svc::load_calendar(p.to_str()).unwrap_err();
    assert!(e.to_string().contains('2'), "{e}");
    std::fs::write(&p, "2026-10-01 holiday\n").unwrap();
    let own = svc::load_calendar(p.to_str()).unwrap();
    assert!(!own.calendar.is_working_day(d(2026, 10, 1)));
    assert!(
        own.calendar.is_working_day(d(2026, 10, 2)),
        "only what the file lists"
    );
}

#[tokio::test]
async fn complaints_accumulating_about_a_village_are_an_early_warning() {
    use jingzhun_domain::warnings::WarningKind;
    for db in each_backend().await {
        let store = db.store.as_ref();
        let _dir = common::import_generated(
            store,
            200,
            3,
            jingzhun_service::generate::Extras::RegistryOnly,
        )
        .await;
        let sealer = Sealer::generate();
        let village = village_of(store, NIUFO).await;
        let desk = account("desk", Role::DisciplineOfficer, "510304", true);
        let county = code("510304");
        let warned = |w: &[(jingzhun_domain::warnings::Warning, String)]| {
            w.iter().any(|(w, _)| {
                w.kind == WarningKind::ComplaintsAccumulating && w.village.as_str() == village
            })
        };
        let mut ids = Vec::new();
        for _ in 0..2 {
            ids.push(
                svc::register(store, &sealer, &desk, &input(&village), day(0))
                    .await
                    .unwrap()
                    .id,
            );
        }
        let w = jingzhun_service::dashboard::warnings(store, &county, 2020)
            .await
            .unwrap();
        assert!(!warned(&w), "two are below the threshold of three");
        svc::register(store, &sealer, &desk, &input(&village), day(0))
            .await
            .unwrap();
        let w = jingzhun_service::dashboard::warnings(store, &county, 2020)
            .await
            .unwrap();
        assert!(warned(&w), "three open complaints about one village");
        db.finish().await;
    }
}

/// Issue 14: a complaint accusing 大山铺镇人民政府 was routed to "大山铺镇纪委" of the same
/// township and read, verified and answered there by the township's own reviewer. Recusal is by
/// area and by person, on routing, reading, every act and after an escalation.
#[tokio::test]
async fn the_accused_area_and_the_accused_person_never_see_or_handle_the_case() {
    for db in each_backend().await {
        let store = db.store.as_ref();
        jingzhun_service::demo::load_bundled_areas(store)
            .await
            .unwrap();
        let sealer = Sealer::generate();
        let village = village_of(store, OTHER_TOWNSHIP).await;
        let desk = account("desk", Role::DisciplineOfficer, "510304", true);
        let accused_township = account("dsp", Role::TownshipReviewer, OTHER_TOWNSHIP, false);
        let other_township = account("niufo", Role::TownshipReviewer, NIUFO, false);
        let mut accused_person = account("liming", Role::CountyOfficer, "510304", false);
        accused_person.name = "李明".into();
        let mut i = input(&village);
        i.accused_unit = "大山铺镇人民政府".into();
        i.accused_unit_area = OTHER_TOWNSHIP.into();
        i.accused_person = "李 明".into();
        let id = svc::register(store, &sealer, &desk, &i, day(0))
            .await
            .unwrap()
            .id;
        let hidden = |a: &Account, when: NaiveDate| {
            let a = a.clone();
            async move {
                let e = svc::get(store, &a, id, when).await.unwrap_err();
                assert!(
                    matches!(e, ServiceError::NotFound { .. }),
                    "{}: {e:?}",
                    a.login.as_str()
                );
                let l = svc::list(store, &a, &ListFilter::default(), when)
                    .await
                    .unwrap();
                assert!(l.iter().all(|v| v.id != id), "{}", a.login.as_str());
                let e = svc::act(
                    store,
                    &a,
                    id,
                    version(store, id).await,
                    &ComplaintAct::Verify {
                        note: "经核查无此事".into(),
                    },
                    when,
                )
                .await
                .unwrap_err();
                assert!(matches!(e, ServiceError::NotFound { .. }), "{e:?}");
            }
        };
        hidden(&accused_township, day(0)).await;
        hidden(&accused_person, day(0)).await;
        // Routing into the accused township, whatever the unit's name, is refused with why.
        for name in ["大山铺镇纪委", "大山铺镇派出所"] {
            let e = svc::act(
                store,
                &desk,
                id,
                version(store, id).await,
                &ComplaintAct::Route {
                    unit_area: OTHER_TOWNSHIP.into(),
                    unit_name: name.into(),
                    complexity: Complexity::Simple,
                },
                day(0),
            )
            .await
            .unwrap_err();
            assert_eq!(kind(&e), Some(Denial::Conflict), "{e:?}");
            assert!(
                e.to_string().contains("recusal") && e.to_string().contains(OTHER_TOWNSHIP),
                "{e}"
            );
        }
        // Routed to another township: its reviewer handles it; the accused still see nothing.
        svc::act(
            store,
            &desk,
            id,
            version(store, id).await,
            &ComplaintAct::Route {
                unit_area: NIUFO.into(),
                unit_name: "牛佛镇纪委".into(),
                complexity: Complexity::Simple,
            },
            day(0),
        )
        .await
        .unwrap();
        assert!(svc::get(store, &other_township, id, day(1)).await.is_ok());
        hidden(&accused_township, day(1)).await;
        hidden(&accused_person, day(1)).await;
        // Overdue, the case goes up to the city; the accused still see nothing.
        let late = NaiveDate::from_ymd_opt(2026, 3, 24).unwrap();
        assert_eq!(svc::escalate_overdue(store, late).await.unwrap(), vec![id]);
        let city = account("city", Role::DisciplineOfficer, "5103", false);
        assert!(svc::get(store, &city, id, late).await.is_ok());
        hidden(&accused_township, late).await;
        hidden(&accused_person, late).await;
        db.finish().await;
    }
}

/// An office within the accused unit's area does not keep the case it registers: the level
/// above owns it.
#[tokio::test]
async fn a_complaint_registered_in_the_accused_area_is_owned_above_it() {
    for db in each_backend().await {
        let store = db.store.as_ref();
        jingzhun_service::demo::load_bundled_areas(store)
            .await
            .unwrap();
        let sealer = Sealer::generate();
        let village = village_of(store, OTHER_TOWNSHIP).await;
        let township = account("dsp", Role::TownshipReviewer, OTHER_TOWNSHIP, false);
        let desk = account("desk", Role::DisciplineOfficer, "510304", true);
        let mut i = input(&village);
        i.accused_unit = "大山铺镇人民政府".into();
        i.accused_unit_area = OTHER_TOWNSHIP.into();
        let v = svc::register(store, &sealer, &township, &i, day(0))
            .await
            .unwrap();
        assert_eq!(v.complaint.owner_area, code("510304"));
        assert!(svc::get(store, &desk, v.id, day(0)).await.is_ok());
        assert!(svc::get(store, &township, v.id, day(0)).await.is_err());
        db.finish().await;
    }
}
