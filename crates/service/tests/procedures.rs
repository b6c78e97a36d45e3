//! Procedures end to end on every configured backend: an exit from the pre-exit list through
//! every step, an objection, and the status change with its audit trail; an exit on paper and
//! a second case for the same household are refused.

mod common;

use chrono::NaiveDate;
use common::{each_backend, import_generated};
use jingzhun_domain::AreaCode;
use jingzhun_domain::access::{Account, Assignment, Login, Role};
use jingzhun_domain::procedure::{CaseState, Evidence, ProcedureKind, Refusal, Step};
use jingzhun_domain::registry::HouseholdId;
use jingzhun_domain::vocab::HouseholdStatus;
use jingzhun_service::ServiceError;
use jingzhun_service::demo::demo_county;
use jingzhun_service::exit::{ListKind, list};
use jingzhun_service::generate::Extras;
use jingzhun_service::procedures::{Act, act, start};

fn account(login: &str, role: Role, area: &AreaCode) -> Account {
    Account {
        name: String::new(),
        login: Login::parse(login).unwrap(),
        disabled: false,
        assignments: vec![Assignment::new(role, *area, None, None, false).unwrap()],
    }
}

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap() + chrono::Days::new(n)
}

#[tokio::test]
async fn an_exit_runs_from_the_pre_exit_list_to_the_registry_with_its_trail() {
    for db in each_backend().await {
        let store = db.store.as_ref();
        let _dir = import_generated(store, 600, 5, Extras::RegistryOnly).await;
        let county = demo_county();
        let candidates = list(store, &county, Some(2020), ListKind::Candidates)
            .await
            .unwrap();
        let blocked = list(store, &county, Some(2020), ListKind::Blocked)
            .await
            .unwrap();
        let c = &candidates[0];
        let village = c.village;
        let township = AreaCode::parse_short(&village.as_str()[..9]).unwrap();
        let clerk = account("clerk", Role::VillageClerk, &village);
        let reviewer = account("reviewer", Role::TownshipReviewer, &township);
        let officer = account("officer", Role::CountyOfficer, &county);
        let hid = HouseholdId::parse(&c.household_id).unwrap();
        let application = || Evidence::Application {
            by_household: false,
            reason: "预退出名单".into(),
        };

        // A household that fails an indicator cannot start an exit (no exit on paper).
        let b = blocked
            .iter()
            .find(|b| b.village == village)
            .unwrap_or(&blocked[0]);
        let bclerk = account("bclerk", Role::VillageClerk, &b.village);
        let paper = start(
            store,
            &bclerk,
            &HouseholdId::parse(&b.household_id).unwrap(),
            ProcedureKind::Exit,
            application(),
            day(0),
        )
        .await;
        assert!(
            matches!(
                paper,
                Err(ServiceError::Refused(Refusal::NotEligible { .. }))
            ),
            "{paper:?}"
        );
        // A clerk of another village does not see the household.
        let stranger = account("stranger", Role::VillageClerk, &b.village);
        if b.village != village {
            let r = start(
                store,
                &stranger,
                &hid,
                ProcedureKind::Exit,
                application(),
                day(0),
            )
            .await;
            assert!(matches!(r, Err(ServiceError::NotFound { .. })), "{r:?}");
        }

        let rec = start(
            store,
            &clerk,
            &hid,
            ProcedureKind::Exit,
            application(),
            day(0),
        )
        .await
        .unwrap();
        let again = start(
            store,
            &clerk,
            &hid,
            ProcedureKind::Exit,
            application(),
            day(0),
        )
        .await;
        assert!(
            matches!(again, Err(ServiceError::Conflict(_))),
            "one case at a time"
        );

        let step = |s: Step, e: Evidence| Act::Step {
            step: s,
            evidence: e,
        };
        let mut v = rec.version;
        let go = |who: &Account, a: Act, d: u64, version: i64| {
            let who = who.clone();
            async move { act(store, &who, rec.id, version, &a, day(d)).await }
        };
        let r = go(
            &clerk,
            step(
                Step::Deliberation,
                Evidence::Meeting {
                    attendees: 31,
                    votes_for: 28,
                    votes_against: 3,
                    record: "村民代表会议".into(),
                },
            ),
            1,
            v,
        )
        .await
        .unwrap();
        v = r.version;
        // A stale version is refused.
        let stale = go(
            &clerk,
            step(
                Step::Verification,
                Evidence::Visit {
                    findings: "核实".into(),
                    household_consents: Some(true),
                },
            ),
            2,
            v - 1,
        )
        .await;
        assert!(matches!(stale, Err(ServiceError::Conflict(_))), "{stale:?}");
        let r = go(
            &clerk,
            step(
                Step::Verification,
                Evidence::Visit {
                    findings: "两不愁三保障均达标".into(),
                    household_consents: Some(true),
                },
            ),
            2,
            v,
        )
        .await
        .unwrap();
        v = r.version;
        let r = go(
            &clerk,
            step(
                Step::FirstNotice,
                Evidence::Notice {
                    notice_ref: "N-1".into(),
                },
            ),
            3,
            v,
        )
        .await
        .unwrap();
        v = r.version;
        // The notice step published the platform's notice: no ID number, its digest checks,
        // and an edit made behind the platform's back is detected.
        let Evidence::Notice { notice_ref } = &r.case.steps[3].evidence else {
            panic!("a notice step records its notice")
        };
        let nid: i64 = notice_ref.trim_start_matches('N').parse().unwrap();
        let n = jingzhun_service::notices::checked(store, nid)
            .await
            .unwrap();
        assert!(n.unchanged);
        let content = n.content.unwrap();
        assert_eq!(content.households.len(), 1);
        assert_eq!(content.period_to, day(10));
        assert!(
            !n.record.content.contains(&c.household_id),
            "no household number or ID on a notice"
        );
        db.exec(&format!(
            "UPDATE notices SET content = replace(content, '{}', '某某') WHERE id = {nid}",
            content.households[0].head
        ))
        .await;
        assert!(
            !jingzhun_service::notices::checked(store, nid)
                .await
                .unwrap()
                .unchanged
        );
        // During the notice: an objection suspends; the review waits.
        let r = go(
            &clerk,
            Act::Object {
                text: "群众反映收入不实".into(),
            },
            4,
            v,
        )
        .await
        .unwrap();
        assert_eq!(r.case.state, CaseState::Suspended);
        v = r.version;
        let early = go(
            &reviewer,
            step(
                Step::TownshipReview,
                Evidence::Decision {
                    approved: true,
                    note: String::new(),
                },
            ),
            11,
            v,
        )
        .await;
        assert!(
            matches!(early, Err(ServiceError::Refused(Refusal::ObjectionOpen))),
            "{early:?}"
        );
        let r = go(
            &clerk,
            Act::Resolve {
                upheld: false,
                note: "经核实收入属实".into(),
            },
            5,
            v,
        )
        .await
        .unwrap();
        v = r.version;
        let wrong = go(
            &clerk,
            step(
                Step::TownshipReview,
                Evidence::Decision {
                    approved: true,
                    note: String::new(),
                },
            ),
            11,
            v,
        )
        .await;
        assert!(
            matches!(wrong, Err(ServiceError::Refused(Refusal::WrongRole { .. }))),
            "{wrong:?}"
        );
        let r = go(
            &reviewer,
            step(
                Step::TownshipReview,
                Evidence::Decision {
                    approved: true,
                    note: String::new(),
                },
            ),
            11,
            v,
        )
        .await
        .unwrap();
        v = r.version;
        let r = go(
            &officer,
            step(
                Step::CountyApproval,
                Evidence::Decision {
                    approved: true,
                    note: String::new(),
                },
            ),
            12,
            v,
        )
        .await
        .unwrap();
        v = r.version;
        let h = store.household(&hid).await.unwrap().unwrap();
        assert_eq!(
            h.status,
            HouseholdStatus::Registered,
            "not before the announcement"
        );
        let r = go(
            &officer,
            step(
                Step::Announcement,
                Evidence::Decision {
                    approved: true,
                    note: "公告".into(),
                },
            ),
            13,
            v,
        )
        .await
        .unwrap();
        assert_eq!(r.case.state, CaseState::Completed);

        let h = store.household(&hid).await.unwrap().unwrap();
        assert_eq!(h.status, HouseholdStatus::Exited);
        assert_eq!(h.exit_year, Some(2026));
        // The status change names the procedure behind it; every act is audited.
        let trail = store.audit_of("household", hid.as_str()).await.unwrap();
        let change = trail
            .iter()
            .find(|e| e.action == "household.status")
            .expect("status audited");
        assert!(
            change.detail.contains("\"procedure\":\"exit\""),
            "{}",
            change.detail
        );
        let acts = store
            .audit_of("procedure_case", &rec.id.to_string())
            .await
            .unwrap();
        let actions: Vec<&str> = acts.iter().map(|a| a.action.as_str()).collect();
        // The start (its application step), the six other steps, the objection and its resolution.
        assert_eq!(actions.len(), 1 + 6 + 2, "{actions:?}");
        assert_eq!(actions[0], "procedure.exit.start");
        assert_eq!(actions[8], "procedure.exit.announcement");
        // The completed case frees the household; a second exit is not applicable.
        let after = start(
            store,
            &clerk,
            &hid,
            ProcedureKind::Exit,
            application(),
            day(20),
        )
        .await;
        assert!(
            matches!(
                after,
                Err(ServiceError::Refused(Refusal::NotApplicable { .. }))
            ),
            "{after:?}"
        );
    }
}

#[tokio::test]
async fn a_case_left_past_its_step_deadline_is_a_village_warning() {
    use jingzhun_domain::warnings::WarningKind;
    for db in each_backend().await {
        let store = db.store.as_ref();
        let _dir = import_generated(store, 300, 3, Extras::RegistryOnly).await;
        let county = demo_county();
        let blocked = list(store, &county, Some(2020), ListKind::Blocked)
            .await
            .unwrap();
        let h = &blocked[0];
        let clerk = account("clerk", Role::VillageClerk, &h.village);
        let overdue_in = |ws: &[(jingzhun_domain::warnings::Warning, String)]| {
            ws.iter()
                .find(|(w, _)| w.kind == WarningKind::ProceduresOverdue && w.village == h.village)
                .map(|(w, _)| w.value)
        };
        let before = jingzhun_service::dashboard::warnings(store, &county, 2020)
            .await
            .unwrap();
        assert_eq!(overdue_in(&before), None);
        // Opened in March and left: its deliberation was due ten days later.
        start(
            store,
            &clerk,
            &HouseholdId::parse(&h.household_id).unwrap(),
            ProcedureKind::Removal,
            Evidence::Application {
                by_household: false,
                reason: "迁出".into(),
            },
            day(0),
        )
        .await
        .unwrap();
        let after = jingzhun_service::dashboard::warnings(store, &county, 2020)
            .await
            .unwrap();
        assert_eq!(overdue_in(&after), Some(1), "{after:?}");
    }
}

#[tokio::test]
async fn a_village_list_moves_as_one_batch_and_each_case_keeps_its_history() {
    use jingzhun_service::procedures::{act_batch, start_batch};
    for db in each_backend().await {
        let store = db.store.as_ref();
        let _dir = common::import_generated_in(
            store,
            &AreaCode::parse_short("510304107").unwrap(),
            800,
            5,
            Extras::RegistryOnly,
        )
        .await;
        let county = demo_county();
        // The village with the most registered households, four of them.
        let blocked = list(store, &county, Some(2020), ListKind::Blocked)
            .await
            .unwrap();
        let mut per_village: std::collections::BTreeMap<AreaCode, Vec<HouseholdId>> =
            Default::default();
        for c in &blocked {
            per_village
                .entry(c.village)
                .or_default()
                .push(HouseholdId::parse(&c.household_id).unwrap());
        }
        let (village, ids) = per_village
            .into_iter()
            .max_by_key(|(_, v)| v.len())
            .unwrap();
        assert!(ids.len() >= 2, "a village with two registered households");
        let ids = &ids[..ids.len().min(4)];
        let township = AreaCode::parse_short(&village.as_str()[..9]).unwrap();
        let clerk = account("clerk", Role::VillageClerk, &village);
        let reviewer = account("reviewer", Role::TownshipReviewer, &township);
        let application = Evidence::Application {
            by_household: false,
            reason: "迁出".into(),
        };

        // Households that do not meet the indicators spoil an exit batch: nothing opens,
        // and each is named.
        let r = start_batch(
            store,
            &clerk,
            ids,
            ProcedureKind::Exit,
            &application,
            day(0),
        )
        .await;
        let Err(ServiceError::Conflict(msg)) = r else {
            panic!("{r:?}")
        };
        assert!(msg.contains(ids[0].as_str()), "{msg}");
        assert!(
            jingzhun_service::procedures::list(store, &clerk, true, false, day(0))
                .await
                .unwrap()
                .is_empty(),
            "no case was opened"
        );

        let opened = start_batch(
            store,
            &clerk,
            ids,
            ProcedureKind::Removal,
            &application,
            day(0),
        )
        .await
        .unwrap();
        assert_eq!(opened.len(), ids.len());
        let items = |recs: &[jingzhun_store::procedures::CaseRecord]| -> Vec<(i64, i64)> {
            recs.iter().map(|r| (r.id, r.version)).collect()
        };
        let meeting = Act::Step {
            step: Step::Deliberation,
            evidence: Evidence::Meeting {
                attendees: 30,
                votes_for: 27,
                votes_against: 2,
                record: "村民代表会议逐户评议".into(),
            },
        };
        // A stale version of one case: nothing is done to any.
        let mut stale = items(&opened);
        stale[0].1 -= 1;
        let r = act_batch(store, &clerk, &stale, &meeting, day(1)).await;
        assert!(matches!(r, Err(ServiceError::Conflict(_))), "{r:?}");
        assert_eq!(
            store.case(opened[1].id).await.unwrap().unwrap().version,
            opened[1].version
        );
        // The wrong hands: every case refuses.
        let r = act_batch(store, &reviewer, &items(&opened), &meeting, day(1)).await;
        let Err(ServiceError::Conflict(msg)) = r else {
            panic!("{r:?}")
        };
        assert_eq!(msg.matches('#').count(), ids.len(), "{msg}");
        // The same case twice.
        let twice = vec![items(&opened)[0], items(&opened)[0]];
        let r = act_batch(store, &clerk, &twice, &meeting, day(1)).await;
        assert!(matches!(r, Err(ServiceError::Invalid(_))), "{r:?}");

        let done = act_batch(store, &clerk, &items(&opened), &meeting, day(1))
            .await
            .unwrap();
        let visit = Act::Step {
            step: Step::Verification,
            evidence: Evidence::Visit {
                findings: "逐户核实：均已迁出".into(),
                household_consents: None,
            },
        };
        let done = act_batch(store, &clerk, &items(&done), &visit, day(2))
            .await
            .unwrap();
        let notice = Act::Step {
            step: Step::FirstNotice,
            evidence: Evidence::Notice {
                notice_ref: String::new(),
            },
        };
        let done = act_batch(store, &clerk, &items(&done), &notice, day(3))
            .await
            .unwrap();
        // One notice lists every household of the batch; each case names it.
        let refs: Vec<String> = done
            .iter()
            .map(|r| match &r.case.steps[3].evidence {
                Evidence::Notice { notice_ref } => notice_ref.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert!(refs.iter().all(|r| r == &refs[0]), "{refs:?}");
        let nid: i64 = refs[0].trim_start_matches('N').parse().unwrap();
        let n = jingzhun_service::notices::checked(store, nid)
            .await
            .unwrap();
        let content = n.content.unwrap();
        assert_eq!(content.households.len(), ids.len());
        assert_eq!(content.case_ids.len(), ids.len());
        // Each case has its own history and audit trail.
        for r in &done {
            assert_eq!(r.case.steps.len(), 4);
            let trail = store
                .audit_of("procedure_case", &r.id.to_string())
                .await
                .unwrap();
            assert_eq!(trail.len(), 4, "start and three steps");
            assert!(trail[1].detail.contains("\"batch\""), "{}", trail[1].detail);
        }
    }
}

#[tokio::test]
async fn anyone_may_object_to_a_notice_and_a_correction_is_a_new_notice_naming_the_old() {
    use jingzhun_service::notices::{checked, correct, object_publicly};
    for db in each_backend().await {
        let store = db.store.as_ref();
        let _dir = import_generated(store, 300, 3, Extras::RegistryOnly).await;
        let county = demo_county();
        let h = list(store, &county, Some(2020), ListKind::Blocked)
            .await
            .unwrap()
            .remove(0);
        let township = AreaCode::parse_short(&h.village.as_str()[..9]).unwrap();
        let clerk = account("clerk", Role::VillageClerk, &h.village);
        let reviewer = account("reviewer", Role::TownshipReviewer, &township);
        let rec = start(
            store,
            &clerk,
            &HouseholdId::parse(&h.household_id).unwrap(),
            ProcedureKind::Removal,
            Evidence::Application {
                by_household: false,
                reason: "迁出".into(),
            },
            day(0),
        )
        .await
        .unwrap();
        let mut r = rec;
        for (s, e, d) in [
            (
                Step::Deliberation,
                Evidence::Meeting {
                    attendees: 20,
                    votes_for: 18,
                    votes_against: 1,
                    record: "评议".into(),
                },
                1,
            ),
            (
                Step::Verification,
                Evidence::Visit {
                    findings: "已迁出".into(),
                    household_consents: None,
                },
                2,
            ),
            (
                Step::FirstNotice,
                Evidence::Notice {
                    notice_ref: String::new(),
                },
                3,
            ),
        ] {
            r = act(
                store,
                &clerk,
                r.id,
                r.version,
                &Act::Step {
                    step: s,
                    evidence: e,
                },
                day(d),
            )
            .await
            .unwrap();
        }
        let Evidence::Notice { notice_ref } = &r.case.steps[3].evidence else {
            panic!("a notice")
        };
        let old: i64 = notice_ref.trim_start_matches('N').parse().unwrap();

        // The public objects to line 1 (no account); a line that is not on the notice is refused.
        let bad = object_publicly(store, old, 2, "不属实", day(4)).await;
        assert!(matches!(bad, Err(ServiceError::Denied { .. })), "{bad:?}");
        let empty = object_publicly(store, old, 1, "   ", day(4)).await;
        assert!(matches!(empty, Err(ServiceError::Refused(_))), "{empty:?}");
        let id = object_publicly(store, old, 1, "此户并未迁出", day(4))
            .await
            .unwrap();
        let r = store.case(id).await.unwrap().unwrap();
        assert_eq!(r.case.state, CaseState::Suspended);
        let trail = store
            .audit_of("procedure_case", &id.to_string())
            .await
            .unwrap();
        let last = trail.last().unwrap();
        assert_eq!(last.actor, "public");
        assert!(
            !last.detail.contains("迁出"),
            "the objection's text stays out of the audit"
        );
        // After the period, objections are refused.
        let late = object_publicly(store, old, 1, "异议", day(20)).await;
        assert!(matches!(late, Err(ServiceError::Refused(_))), "{late:?}");
        let r = act(
            store,
            &clerk,
            id,
            r.version,
            &Act::Resolve {
                upheld: false,
                note: "经核实已迁出".into(),
            },
            day(5),
        )
        .await
        .unwrap();

        // A correction: not by the township, not without a reason; then a new notice.
        let wrong = correct(store, &reviewer, old, "户主姓名有误", day(6)).await;
        assert!(
            matches!(wrong, Err(ServiceError::Refused(Refusal::WrongRole { .. }))),
            "{wrong:?}"
        );
        let no_reason = correct(store, &clerk, old, " ", day(6)).await;
        assert!(matches!(no_reason, Err(ServiceError::Denied { .. })));
        let new = correct(store, &clerk, old, "户主姓名有误", day(6))
            .await
            .unwrap();
        assert_eq!(new.corrects, Some(old));
        let n = checked(store, new.id).await.unwrap();
        assert!(n.unchanged);
        let c = n.content.unwrap();
        assert_eq!(
            (c.corrects, c.correction.as_deref()),
            (Some(old), Some("户主姓名有误"))
        );
        assert!(c.title.starts_with("更正"));
        assert_eq!(c.period_from, day(6));
        let before = checked(store, old).await.unwrap();
        assert!(
            before.unchanged,
            "the corrected notice is kept as published"
        );
        let r2 = store.case(r.id).await.unwrap().unwrap();
        assert_eq!(
            r2.case.notice_until,
            Some(day(13)),
            "the period starts again"
        );
        assert_eq!(
            r2.case.steps[3].evidence,
            Evidence::Notice {
                notice_ref: format!("N{}", new.id)
            }
        );
        // The old notice takes no more objections or corrections.
        let again = correct(store, &clerk, old, "再次更正", day(7)).await;
        assert!(
            matches!(again, Err(ServiceError::Denied { .. })),
            "{again:?}"
        );
        let on_old = object_publicly(store, old, 1, "异议", day(7)).await;
        assert!(
            matches!(on_old, Err(ServiceError::Refused(_))),
            "{on_old:?}"
        );
        assert!(
            object_publicly(store, new.id, 1, "仍有异议", day(7))
                .await
                .is_ok()
        );
    }
}
