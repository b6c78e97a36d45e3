//! The procedures end to end, each refusal, and a property test over random sequences of acts.

use super::*;
use crate::access::{Assignment, Login};
use proptest::prelude::*;

const VILLAGE: &str = "510304107201";

fn code(s: &str) -> AreaCode {
    AreaCode::parse_short(s).unwrap()
}

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap() + Days::new(n)
}

fn account(login: &str, role: Role, area: &str) -> Account {
    Account {
        name: String::new(),
        login: Login::parse(login).unwrap(),
        disabled: false,
        assignments: vec![Assignment::new(role, code(area), None, None, false).unwrap()],
    }
}

fn clerk() -> Account {
    account("clerk", Role::VillageClerk, VILLAGE)
}
fn other_clerk() -> Account {
    account("other.clerk", Role::VillageClerk, "510304107202")
}
fn reviewer() -> Account {
    account("reviewer", Role::TownshipReviewer, "510304107")
}
fn officer() -> Account {
    account("officer", Role::CountyOfficer, "510304")
}
fn admin() -> Account {
    account("admin", Role::Admin, "510304")
}

fn application() -> Evidence {
    Evidence::Application {
        by_household: true,
        reason: "因病致贫".into(),
    }
}
fn meeting(votes_for: u32) -> Evidence {
    Evidence::Meeting {
        attendees: 30,
        votes_for,
        votes_against: 30 - votes_for,
        record: "村民代表会议记录".into(),
    }
}
fn visit(consents: Option<bool>) -> Evidence {
    Evidence::Visit {
        findings: "八看四查一研判：住房、粮食、劳力、上学".into(),
        household_consents: consents,
    }
}
fn notice() -> Evidence {
    Evidence::Notice {
        notice_ref: "N-1".into(),
    }
}
fn yes() -> Evidence {
    Evidence::Decision {
        approved: true,
        note: String::new(),
    }
}

/// The account and evidence for each step of a smooth case.
fn smooth(step: Step, kind: ProcedureKind) -> (Account, Evidence) {
    match step {
        Step::Application => (clerk(), application()),
        Step::Deliberation => (clerk(), meeting(25)),
        Step::Verification => (
            clerk(),
            visit((kind == ProcedureKind::Exit).then_some(true)),
        ),
        Step::FirstNotice => (clerk(), notice()),
        Step::TownshipReview => (reviewer(), yes()),
        Step::SecondNotice => (reviewer(), notice()),
        Step::CountyApproval | Step::Announcement => (officer(), yes()),
    }
}

fn started(kind: ProcedureKind, status: Option<HouseholdStatus>) -> Case {
    Case::start(kind, status, code(VILLAGE), &clerk(), day(0), application()).unwrap()
}

#[test]
fn every_procedure_runs_to_its_status_through_every_step_in_order() {
    let from = |k: ProcedureKind| match k {
        ProcedureKind::Identification | ProcedureKind::NewIdentification => None,
        ProcedureKind::Return | ProcedureKind::MonitoringEntry => Some(HouseholdStatus::Exited),
        ProcedureKind::Exit | ProcedureKind::Removal => Some(HouseholdStatus::Registered),
        ProcedureKind::RiskElimination => Some(HouseholdStatus::Monitored),
    };
    for kind in ProcedureKind::ALL {
        let mut case = started(*kind, from(*kind));
        let mut d = 0;
        while let Some(step) = case.next_step() {
            assert_eq!(case.outcome(), None, "{kind:?} changed the status early");
            d += 7;
            let (who, evidence) = smooth(step, *kind);
            case.step(step, &who, day(d), evidence, 7).unwrap();
        }
        assert_eq!(case.state, CaseState::Completed);
        assert_eq!(case.outcome(), Some(kind.result()));
        let done: Vec<Step> = case.steps.iter().map(|s| s.step).collect();
        assert_eq!(done, kind.steps());
    }
}

#[test]
fn a_step_by_the_wrong_role_or_area_or_an_administrator_is_refused() {
    let mut case = started(ProcedureKind::Identification, None);
    for who in [other_clerk(), reviewer(), officer(), admin()] {
        let r = case.step(Step::Deliberation, &who, day(1), meeting(25), 7);
        assert_eq!(
            r,
            Err(Refusal::WrongRole {
                role: Role::VillageClerk.zh().into()
            }),
            "{}",
            who.login.as_str()
        );
    }
    assert_eq!(case.steps.len(), 1, "nothing recorded");
    // A role that has lapsed is no role.
    let mut lapsed = clerk();
    lapsed.assignments[0].ends_on = Some(day(0));
    assert!(matches!(
        case.step(Step::Deliberation, &lapsed, day(1), meeting(25), 7),
        Err(Refusal::WrongRole { .. })
    ));
}

#[test]
fn steps_out_of_order_or_before_the_notice_ends_are_refused() {
    let mut case = started(ProcedureKind::Identification, None);
    let r = case.step(Step::TownshipReview, &reviewer(), day(1), yes(), 7);
    assert!(matches!(r, Err(Refusal::OutOfOrder { .. })), "{r:?}");
    case.step(Step::Deliberation, &clerk(), day(1), meeting(25), 7)
        .unwrap();
    case.step(Step::Verification, &clerk(), day(2), visit(None), 7)
        .unwrap();
    case.step(Step::FirstNotice, &clerk(), day(3), notice(), 7)
        .unwrap();
    // Seven days from day 3: the review can come on day 10, not day 9.
    let r = case.step(Step::TownshipReview, &reviewer(), day(9), yes(), 7);
    assert_eq!(r, Err(Refusal::NoticeRunning { until: day(10) }));
    case.step(Step::TownshipReview, &reviewer(), day(10), yes(), 7)
        .unwrap();
    // A date before the last step is refused.
    let r = case.step(Step::SecondNotice, &reviewer(), day(4), notice(), 7);
    assert_eq!(r, Err(Refusal::DateBeforeLastStep { last: day(10) }));
}

#[test]
fn an_objection_suspends_the_case_until_its_resolution_is_recorded() {
    let mut case = started(ProcedureKind::Identification, None);
    case.step(Step::Deliberation, &clerk(), day(1), meeting(25), 7)
        .unwrap();
    // Not while no notice runs.
    assert_eq!(
        case.object(day(1), "他家有车"),
        Err(Refusal::NoNoticeRunning)
    );
    case.step(Step::Verification, &clerk(), day(2), visit(None), 7)
        .unwrap();
    case.step(Step::FirstNotice, &clerk(), day(3), notice(), 7)
        .unwrap();
    case.object(day(5), "他家在城里有房").unwrap();
    assert_eq!(case.state, CaseState::Suspended);
    let r = case.step(Step::TownshipReview, &reviewer(), day(12), yes(), 7);
    assert_eq!(r, Err(Refusal::ObjectionOpen));
    // Resolved by the role of the notice's step, with a note.
    assert!(matches!(
        case.resolve(&reviewer(), day(6), false, "核实无房"),
        Err(Refusal::WrongRole { .. })
    ));
    assert!(matches!(
        case.resolve(&clerk(), day(6), false, " "),
        Err(Refusal::BadEvidence { .. })
    ));
    case.resolve(&clerk(), day(6), false, "经核实，房屋为亲属所有")
        .unwrap();
    assert_eq!(case.state, CaseState::Open);
    case.step(Step::TownshipReview, &reviewer(), day(12), yes(), 7)
        .unwrap();
    case.step(Step::SecondNotice, &reviewer(), day(12), notice(), 7)
        .unwrap();
    case.object(day(13), "收入不实").unwrap();
    case.resolve(&reviewer(), day(14), true, "收入核实超标")
        .unwrap();
    assert_eq!(case.state, CaseState::Closed);
    assert_eq!(case.outcome(), None, "an upheld objection changes nothing");
    assert!(matches!(
        case.step(Step::CountyApproval, &officer(), day(30), yes(), 7),
        Err(Refusal::Closed { .. })
    ));
}

#[test]
fn an_exit_needs_the_households_signed_consent() {
    let mut case = started(ProcedureKind::Exit, Some(HouseholdStatus::Registered));
    case.step(Step::Deliberation, &clerk(), day(1), meeting(16), 7)
        .unwrap();
    for consent in [None, Some(false)] {
        let r = case.step(Step::Verification, &clerk(), day(2), visit(consent), 7);
        assert!(matches!(r, Err(Refusal::BadEvidence { .. })), "{r:?}");
    }
    case.step(Step::Verification, &clerk(), day(2), visit(Some(true)), 7)
        .unwrap();
}

#[test]
fn a_failed_vote_or_a_refusal_closes_the_case_without_a_change() {
    let mut case = started(ProcedureKind::Identification, None);
    case.step(Step::Deliberation, &clerk(), day(1), meeting(15), 7)
        .unwrap(); // 15 of 30: no majority
    assert_eq!(case.state, CaseState::Closed);
    assert_eq!(case.outcome(), None);

    let mut case = started(ProcedureKind::Removal, Some(HouseholdStatus::Registered));
    case.step(Step::Deliberation, &clerk(), day(1), meeting(20), 7)
        .unwrap();
    case.step(Step::Verification, &clerk(), day(2), visit(None), 7)
        .unwrap();
    case.step(Step::FirstNotice, &clerk(), day(3), notice(), 7)
        .unwrap();
    let no_reason = Evidence::Decision {
        approved: false,
        note: String::new(),
    };
    assert!(
        case.step(Step::TownshipReview, &reviewer(), day(10), no_reason, 7)
            .is_err()
    );
    let refuse = Evidence::Decision {
        approved: false,
        note: "材料不全".into(),
    };
    case.step(Step::TownshipReview, &reviewer(), day(10), refuse, 7)
        .unwrap();
    assert_eq!(case.state, CaseState::Closed);
    assert!(case.closed_reason.as_deref().unwrap().contains("材料不全"));
}

#[test]
fn a_procedure_starts_only_from_the_statuses_it_changes() {
    let start = |k, s| Case::start(k, s, code(VILLAGE), &clerk(), day(0), application());
    assert!(matches!(
        start(ProcedureKind::Exit, Some(HouseholdStatus::Exited)),
        Err(Refusal::NotApplicable { .. })
    ));
    assert!(
        start(
            ProcedureKind::Identification,
            Some(HouseholdStatus::Registered)
        )
        .is_err()
    );
    assert!(
        start(
            ProcedureKind::RiskElimination,
            Some(HouseholdStatus::Registered)
        )
        .is_err()
    );
    assert!(start(ProcedureKind::Removal, Some(HouseholdStatus::Removed)).is_err());
    assert!(start(ProcedureKind::Return, Some(HouseholdStatus::Exited)).is_ok());
    // Evidence of the wrong kind, or empty, is refused.
    let r = Case::start(
        ProcedureKind::Identification,
        None,
        code(VILLAGE),
        &clerk(),
        day(0),
        notice(),
    );
    assert!(matches!(r, Err(Refusal::BadEvidence { .. })));
}

#[test]
fn a_corrected_notice_restarts_its_period_and_only_the_notice_role_publishes_it() {
    let mut case = started(ProcedureKind::Exit, Some(HouseholdStatus::Registered));
    assert_eq!(
        case.republish(&clerk(), day(1), 7, "N-2".into()),
        Err(Refusal::NoNoticeToCorrect),
        "nothing published yet"
    );
    case.step(Step::Deliberation, &clerk(), day(1), meeting(25), 7)
        .unwrap();
    case.step(Step::Verification, &clerk(), day(2), visit(Some(true)), 7)
        .unwrap();
    case.step(Step::FirstNotice, &clerk(), day(3), notice(), 7)
        .unwrap();
    assert_eq!(case.notice_until, Some(day(10)));
    let before = case.clone();
    assert!(matches!(
        case.republish(&reviewer(), day(5), 7, "N-2".into()),
        Err(Refusal::WrongRole { .. })
    ));
    assert!(matches!(
        case.republish(&clerk(), day(2), 7, "N-2".into()),
        Err(Refusal::DateBeforeLastStep { .. })
    ));
    assert_eq!(case, before, "refusals change nothing");
    case.republish(&clerk(), day(5), 7, "N-2".into()).unwrap();
    assert_eq!(case.notice_until, Some(day(12)), "the period starts again");
    assert_eq!(case.steps.len(), 4, "no step is added");
    assert_eq!(
        case.steps[3].evidence,
        Evidence::Notice {
            notice_ref: "N-2".into()
        }
    );
    assert!(matches!(
        case.step(Step::TownshipReview, &reviewer(), day(11), yes(), 7),
        Err(Refusal::NoticeRunning { .. })
    ));
    case.step(Step::TownshipReview, &reviewer(), day(12), yes(), 7)
        .unwrap();
    assert_eq!(
        case.republish(&clerk(), day(13), 7, "N-3".into()),
        Err(Refusal::NoNoticeToCorrect),
        "the case has moved on"
    );
}

#[test]
fn the_next_step_is_due_after_the_deadline_counted_from_the_notice_end() {
    let mut case = started(ProcedureKind::Exit, Some(HouseholdStatus::Registered));
    assert_eq!(case.due_on(10), Some(day(10)));
    assert!(!case.is_overdue(day(10), 10));
    assert!(case.is_overdue(day(11), 10));
    case.step(Step::Deliberation, &clerk(), day(1), meeting(20), 7)
        .unwrap();
    case.step(Step::Verification, &clerk(), day(2), visit(Some(true)), 7)
        .unwrap();
    case.step(Step::FirstNotice, &clerk(), day(3), notice(), 7)
        .unwrap();
    // The notice runs to day 10; the review is due ten days later.
    assert_eq!(case.due_on(10), Some(day(20)));
    case.object(day(4), "异议").unwrap();
    assert_eq!(
        case.due_on(10),
        None,
        "a suspended case waits for the objection"
    );
}

#[derive(Debug, Clone)]
enum Act {
    Step {
        step: usize,
        who: usize,
        approve: bool,
    },
    /// The right next step by the right person (so that cases do complete).
    Next {
        approve: bool,
    },
    Object,
    Resolve {
        who: usize,
        upheld: bool,
    },
    Republish {
        who: usize,
    },
}

fn act() -> impl Strategy<Value = (Act, u64)> {
    let a = prop_oneof![
        3 => (0usize..8, 0usize..5, prop::bool::weighted(0.9)).prop_map(|(step, who, approve)| Act::Step { step, who, approve }),
        5 => prop::bool::weighted(0.9).prop_map(|approve| Act::Next { approve }),
        1 => Just(Act::Object),
        1 => (0usize..5, prop::bool::weighted(0.3)).prop_map(|(who, upheld)| Act::Resolve { who, upheld }),
        1 => (0usize..5).prop_map(|who| Act::Republish { who }),
    ];
    (a, 0u64..6)
}

proptest! {
    /// Whatever is tried, by whomever, in whatever order: the steps recorded are the
    /// procedure's steps in order, each by its role, none during a notice or an objection;
    /// a refused act changes nothing; the status changes only with every step done.
    #[test]
    fn no_sequence_of_acts_reaches_an_invalid_case(
        kind in 0usize..7,
        acts in proptest::collection::vec(act(), 0..60),
    ) {
        let kind = ProcedureKind::ALL[kind];
        let from = if kind.may_start_from(None) { None } else {
            [HouseholdStatus::Registered, HouseholdStatus::Exited, HouseholdStatus::Monitored]
                .into_iter().find(|s| kind.may_start_from(Some(*s)))
        };
        let people = [clerk(), other_clerk(), reviewer(), officer(), admin()];
        let mut case = started(kind, from);
        let mut today = 0u64;
        for (a, advance) in acts {
            today += advance;
            let before = case.clone();
            let r = match a {
                Act::Step { step, who, approve } => {
                    let step = Step::ALL[step];
                    let (_, mut evidence) = smooth(step, kind);
                    if let Evidence::Decision { approved, note } = &mut evidence {
                        *approved = approve || step == Step::Announcement;
                        if !*approved { *note = "不予通过".into(); }
                    }
                    case.step(step, &people[who], day(today), evidence, 7)
                }
                Act::Next { approve } => match case.next_step() {
                    None => Ok(()),
                    Some(step) => {
                        let (who, mut evidence) = smooth(step, kind);
                        if let Evidence::Decision { approved, note } = &mut evidence {
                            *approved = approve || step == Step::Announcement;
                            if !*approved { *note = "不予通过".into(); }
                        }
                        case.step(step, &who, day(today), evidence, 7)
                    }
                },
                Act::Object => case.object(day(today), "异议"),
                Act::Resolve { who, upheld } => case.resolve(&people[who], day(today), upheld, "处理结果"),
                Act::Republish { who } => case.republish(&people[who], day(today), 7, "N-2".into()),
            };
            if r.is_err() {
                prop_assert_eq!(&case, &before, "a refusal changed the case");
            }
            // Steps are a prefix of the procedure, each by its role over the village.
            let steps = kind.steps();
            prop_assert!(case.steps.len() <= steps.len());
            for (i, rec) in case.steps.iter().enumerate() {
                prop_assert_eq!(rec.step, steps[i]);
                let who = people.iter().find(|p| p.login.as_str() == rec.by).unwrap();
                prop_assert!(acts_as(who, rec.step.role(), &case.village, rec.on));
                if i > 0 {
                    let prev = &case.steps[i - 1];
                    prop_assert!(rec.on >= prev.on);
                    if prev.step.is_notice() {
                        prop_assert!(rec.on >= prev.on + Days::new(7), "a step inside a notice period");
                    }
                }
                // No step while an objection was open.
                for o in &case.objections {
                    let resolved_on = o.resolution.as_ref().map(|(_, _, d)| *d);
                    let inside = rec.on >= o.filed_on && resolved_on.is_none_or(|d| rec.on < d);
                    prop_assert!(!(inside && rec.on > o.filed_on), "step during an objection");
                }
            }
            let open_objections = case.objections.iter().filter(|o| o.resolution.is_none()).count();
            match case.state {
                CaseState::Suspended => prop_assert!(open_objections > 0),
                CaseState::Open => prop_assert_eq!(open_objections, 0),
                CaseState::Completed => prop_assert_eq!(case.steps.len(), steps.len()),
                CaseState::Closed => prop_assert!(case.closed_reason.is_some()),
            }
            prop_assert_eq!(case.outcome().is_some(), case.state == CaseState::Completed);
        }
    }
}
