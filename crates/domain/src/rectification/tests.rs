//! Rectification: building a programme, every refusal, every transition, the dashboard, and a
//! property test over random acts.

use super::*;
use proptest::prelude::*;

fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2019, 1, 10).unwrap() + chrono::Duration::days(n)
}

fn actor(login: &str, unit: &str) -> Actor {
    Actor::new(Login::parse(login).unwrap(), unit).unwrap()
}

/// The responsible leader (a vice-governor), of the provincial government.
fn leader() -> Actor {
    actor("vice.governor", "省政府")
}
/// A member of the responsible unit.
fn owner_staff() -> Actor {
    actor("fupin.staff", "省扶贫办")
}
/// A member of a co-operating unit.
fn co_staff() -> Actor {
    actor("caizheng.staff", "省财政厅")
}
/// A colleague of the leader's unit.
fn leader_colleague() -> Actor {
    actor("gov.office", "省政府")
}
/// The rectification office's verifier: not an owner.
fn verifier() -> Actor {
    actor("ducha.zu", "省委巡视整改督查组")
}
fn other_verifier() -> Actor {
    actor("jijian.zu", "省纪委监委")
}

fn programme() -> Programme {
    let mut p = Programme::new(
        "甘肃省中央脱贫攻坚专项巡视反馈问题整改方案",
        "中央第一巡视组专项巡视反馈意见",
        day(0),
    )
    .unwrap();
    p.add_problem(
        23,
        "全面从严治党",
        "纪检监察机关履行监督责任有欠缺",
        "问责一线干部多，个别地方问责泛化",
    )
    .unwrap();
    p.add_problem(
        27,
        "整改落实",
        "举一反三、标本兼治不够",
        "存在以文件代替整改现象",
    )
    .unwrap();
    p
}

fn draft(code: &str, kind: MeasureKind) -> MeasureDraft {
    MeasureDraft {
        problem: 23,
        code: code.into(),
        kind,
        task: "探索建立扶贫领域问责提级审核规定".into(),
        requirement: "村干部给予党纪政务处理的报县纪委审核把关".into(),
        leader: leader(),
        unit: "省扶贫办".into(),
        co_units: vec!["省财政厅".into()],
        deadline: day(90),
        milestones: if kind == MeasureKind::Staged {
            vec![(day(30), "完成摸底".into()), (day(60), "出台办法".into())]
        } else {
            vec![]
        },
    }
}

fn with(kind: MeasureKind) -> Measure {
    let mut p = programme();
    p.add_measure(draft("23-1", kind)).unwrap().clone()
}

fn field_report(completed: bool) -> ProgressReport {
    ProgressReport {
        text: "已完成实地核查".into(),
        evidence: vec![
            Evidence::new(EvidenceKind::DocumentIssued, "甘发〔2019〕12号"),
            Evidence::new(EvidenceKind::FieldVerification, "抽查 3 县 12 案"),
        ],
        milestone: None,
        completed,
    }
}

fn document_report(completed: bool) -> ProgressReport {
    ProgressReport {
        text: "已印发文件".into(),
        evidence: vec![Evidence::new(
            EvidenceKind::DocumentIssued,
            "甘发〔2019〕12号",
        )],
        milestone: None,
        completed,
    }
}

#[test]
fn an_immediate_measure_goes_from_report_to_verification_to_closing() {
    let mut m = with(MeasureKind::Immediate);
    assert_eq!(m.state, MeasureState::NotStarted);
    m.report(&owner_staff(), day(1), &field_report(false))
        .unwrap();
    assert_eq!(m.state, MeasureState::InProgress);
    m.report(&leader(), day(2), &field_report(true)).unwrap();
    assert_eq!(m.state, MeasureState::AwaitingVerification);
    assert_eq!(
        m.report(&leader(), day(3), &field_report(false)),
        Err(Refusal::AwaitingVerification)
    );
    assert_eq!(m.close(&verifier(), day(3)), Err(Refusal::NotVerified));
    m.verify(&verifier(), day(3), true, "核验属实", &[])
        .unwrap();
    m.close(&other_verifier(), day(4)).unwrap();
    assert_eq!(m.state, MeasureState::Closed);
    assert_eq!(m.closings.len(), 1);
    assert_eq!(m.close(&verifier(), day(5)), Err(Refusal::Closed));
    assert_eq!(
        m.report(&leader(), day(5), &field_report(false)),
        Err(Refusal::Closed)
    );
    assert!(!m.is_overdue(day(200)), "a closed measure is never overdue");
}

#[test]
fn the_owner_cannot_verify_or_close_in_any_guise() {
    let mut m = with(MeasureKind::Immediate);
    m.report(&owner_staff(), day(1), &field_report(true))
        .unwrap();
    assert_eq!(
        m.verify(&leader(), day(2), true, "自己核验", &[]),
        Err(Refusal::VerifierIsOwner {
            tie: OwnerTie::Leader
        })
    );
    for (who, unit) in [
        (owner_staff(), "省扶贫办"),
        (co_staff(), "省财政厅"),
        (leader_colleague(), "省政府"),
    ] {
        assert_eq!(
            m.verify(&who, day(2), true, "自己核验", &[]),
            Err(Refusal::VerifierIsOwner {
                tie: OwnerTie::Unit(unit.into())
            })
        );
    }
    // A unit name with white space around is still the unit.
    let sneaky = Actor {
        login: Login::parse("sneaky").unwrap(),
        unit: " 省扶贫办 ".into(),
    };
    assert!(matches!(
        m.verify(&sneaky, day(2), true, "核验", &[]),
        Err(Refusal::VerifierIsOwner { .. })
    ));
    m.verify(&verifier(), day(2), true, "核验属实", &[])
        .unwrap();
    assert_eq!(
        m.close(&owner_staff(), day(3)),
        Err(Refusal::CloserIsOwner {
            tie: OwnerTie::Unit("省扶贫办".into())
        })
    );
    assert!(m.close(&verifier(), day(3)).is_ok());
    for r in [
        Refusal::VerifierIsOwner {
            tie: OwnerTie::Leader,
        },
        Refusal::CloserIsOwner {
            tie: OwnerTie::Unit("省扶贫办".into()),
        },
    ] {
        assert!(r.zh().contains("责任方以外"), "{}", r.zh());
    }
}

#[test]
fn only_the_owner_reports() {
    let mut m = with(MeasureKind::Immediate);
    assert_eq!(
        m.report(&verifier(), day(1), &field_report(false)),
        Err(Refusal::NotOwner)
    );
    assert!(m.report(&co_staff(), day(1), &field_report(false)).is_ok());
}

#[test]
fn a_failed_verification_sends_the_measure_back() {
    let mut m = with(MeasureKind::Immediate);
    m.report(&owner_staff(), day(1), &field_report(true))
        .unwrap();
    m.verify(&verifier(), day(2), false, "群众反映问题仍在", &[])
        .unwrap();
    assert_eq!(m.state, MeasureState::InProgress);
    assert_eq!(
        m.close(&verifier(), day(3)),
        Err(Refusal::NotAwaitingVerification {
            state: MeasureState::InProgress
        })
    );
    assert_eq!(
        m.verify(&verifier(), day(3), true, "x", &[]),
        Err(Refusal::NotAwaitingVerification {
            state: MeasureState::InProgress
        })
    );
    // A new completion report needs a new verification: the failed one does not count, nor
    // would an old passing one.
    m.report(&owner_staff(), day(4), &field_report(true))
        .unwrap();
    assert_eq!(m.close(&verifier(), day(5)), Err(Refusal::NotVerified));
    m.verify(&verifier(), day(5), true, "已整改", &[]).unwrap();
    assert!(m.close(&verifier(), day(5)).is_ok());
}

#[test]
fn a_look_back_reopens_and_a_new_verification_is_needed() {
    let mut m = with(MeasureKind::Immediate);
    m.report(&owner_staff(), day(1), &field_report(true))
        .unwrap();
    m.verify(&verifier(), day(2), true, "核验属实", &[])
        .unwrap();
    m.close(&verifier(), day(2)).unwrap();
    assert_eq!(
        m.look_back(&verifier(), day(3), " ", true),
        Err(Refusal::Required {
            field: Field::Findings
        })
    );
    m.look_back(&verifier(), day(10), "回头看：问题仍存在", false)
        .unwrap();
    assert_eq!(m.state, MeasureState::Closed, "a look-back that confirms");
    m.look_back(&verifier(), day(20), "回头看：问题反弹", true)
        .unwrap();
    assert_eq!(m.state, MeasureState::Reopened);
    assert_eq!(m.round, 1);
    assert_eq!(
        m.close(&verifier(), day(21)),
        Err(Refusal::NotAwaitingVerification {
            state: MeasureState::Reopened
        })
    );
    assert_eq!(
        m.look_back(&verifier(), day(21), "再看", true),
        Err(Refusal::NotClosed {
            state: MeasureState::Reopened
        })
    );
    // The old evidence no longer counts: a completion report needs new evidence.
    let bare = ProgressReport {
        text: "已重新整改".into(),
        evidence: vec![],
        milestone: None,
        completed: true,
    };
    assert_eq!(
        m.report(&owner_staff(), day(22), &bare),
        Err(Refusal::NoEvidence)
    );
    m.report(&owner_staff(), day(22), &field_report(true))
        .unwrap();
    assert_eq!(m.close(&verifier(), day(23)), Err(Refusal::NotVerified));
    m.verify(&verifier(), day(23), true, "复核通过", &[])
        .unwrap();
    m.close(&verifier(), day(23)).unwrap();
    assert_eq!(m.state, MeasureState::Closed);
    assert_eq!(m.closings.len(), 2);
}

#[test]
fn rectification_by_document_is_flagged_and_refused() {
    let mut m = with(MeasureKind::Immediate);
    m.report(&owner_staff(), day(1), &document_report(false))
        .unwrap();
    assert!(m.is_document_only());
    assert_eq!(
        progress(std::slice::from_ref(&m), day(2)).document_only,
        vec!["23-1".to_string()]
    );
    assert_eq!(
        m.report(&owner_staff(), day(2), &document_report(true)),
        Err(Refusal::DocumentOnly)
    );
    assert!(Refusal::DocumentOnly.zh().contains("以文件代替整改"));
    // Evidence of what was done on the ground lifts the flag.
    let mut r = document_report(true);
    r.evidence = vec![Evidence::new(EvidenceKind::FundsDisbursed, "拨付 120 万元")];
    m.report(&owner_staff(), day(3), &r).unwrap();
    assert!(!m.is_document_only());
    assert_eq!(m.state, MeasureState::AwaitingVerification);
}

#[test]
fn a_staged_measure_completes_with_its_milestones() {
    let mut m = with(MeasureKind::Staged);
    assert_eq!(m.overdue_milestones(day(31)), vec![0]);
    assert_eq!(
        m.report(&owner_staff(), day(5), &field_report(true)),
        Err(Refusal::MilestonesOpen { open: 2 })
    );
    let mut r = field_report(false);
    r.milestone = Some(0);
    m.report(&owner_staff(), day(35), &r).unwrap();
    assert_eq!(m.milestones[0].reached_on, Some(day(35)));
    assert_eq!(
        m.report(&owner_staff(), day(36), &r),
        Err(Refusal::MilestoneReached { index: 0 })
    );
    r.milestone = Some(7);
    assert_eq!(
        m.report(&owner_staff(), day(36), &r),
        Err(Refusal::NoSuchMilestone { index: 7 })
    );
    assert_eq!(m.overdue_milestones(day(61)), vec![1]);
    // Reaching the last milestone and completing in one report.
    let mut r = field_report(true);
    r.milestone = Some(1);
    m.report(&owner_staff(), day(62), &r).unwrap();
    assert_eq!(m.state, MeasureState::AwaitingVerification);
    assert!(m.overdue_milestones(day(100)).is_empty());
}

#[test]
fn a_long_term_measure_needs_its_mechanism() {
    let mut m = with(MeasureKind::LongTerm);
    assert_eq!(
        m.report(&owner_staff(), day(1), &field_report(true)),
        Err(Refusal::MechanismMissing)
    );
    assert_eq!(
        m.record_mechanism(&verifier(), day(1), "问责提级审核制度"),
        Err(Refusal::NotOwner)
    );
    m.record_mechanism(&owner_staff(), day(2), "《扶贫领域问责提级审核规定》")
        .unwrap();
    m.report(&owner_staff(), day(3), &field_report(true))
        .unwrap();
    m.verify(&verifier(), day(4), true, "制度已运行", &[])
        .unwrap();
    m.close(&verifier(), day(4)).unwrap();
    let mut imm = with(MeasureKind::Immediate);
    assert_eq!(
        imm.record_mechanism(&owner_staff(), day(1), "x"),
        Err(Refusal::NotLongTerm)
    );
}

#[test]
fn a_long_term_measure_without_mechanism_cannot_be_closed_even_from_a_stored_ledger() {
    // A ledger loaded from storage, reported completed, verified, but the mechanism removed.
    let mut m = with(MeasureKind::LongTerm);
    m.record_mechanism(&owner_staff(), day(1), "长效机制")
        .unwrap();
    m.report(&owner_staff(), day(2), &field_report(true))
        .unwrap();
    m.verify(&verifier(), day(3), true, "通过", &[]).unwrap();
    m.mechanism = None;
    assert_eq!(m.close(&verifier(), day(3)), Err(Refusal::MechanismMissing));
}

#[test]
fn dates_go_forward() {
    let mut m = with(MeasureKind::Immediate);
    assert_eq!(
        m.report(&owner_staff(), day(-1), &field_report(false)),
        Err(Refusal::DateBeforeLastAct { last: day(0) })
    );
    m.report(&owner_staff(), day(5), &field_report(true))
        .unwrap();
    assert_eq!(
        m.verify(&verifier(), day(4), true, "x", &[]),
        Err(Refusal::DateBeforeLastAct { last: day(5) })
    );
}

#[test]
fn overdue_is_past_the_deadline_and_not_closed() {
    let mut m = with(MeasureKind::Immediate);
    assert!(!m.is_overdue(day(90)));
    assert!(m.is_overdue(day(91)));
    m.report(&owner_staff(), day(95), &field_report(true))
        .unwrap();
    assert!(m.is_overdue(day(96)), "reported but not yet closed");
    m.verify(&verifier(), day(96), true, "x", &[]).unwrap();
    m.close(&verifier(), day(96)).unwrap();
    assert!(!m.is_overdue(day(97)));
}

#[test]
fn entries_are_checked() {
    assert_eq!(
        Programme::new(" ", "x", day(0)),
        Err(Refusal::Required {
            field: Field::Title
        })
    );
    assert_eq!(
        Programme::new(&"长".repeat(201), "x", day(0)),
        Err(Refusal::TooLong {
            field: Field::Title,
            max: MAX_SHORT
        })
    );
    assert_eq!(
        Programme::new("a\u{7}b", "x", day(0)),
        Err(Refusal::ControlCharacter {
            field: Field::Title
        })
    );
    let mut p = programme();
    assert_eq!(
        p.add_problem(0, "a", "b", "c"),
        Err(Refusal::ProblemNumberZero)
    );
    assert_eq!(
        p.add_problem(23, "a", "b", "c"),
        Err(Refusal::DuplicateProblem { number: 23 })
    );
    assert_eq!(
        p.add_problem(24, "", "b", "c"),
        Err(Refusal::Required {
            field: Field::Category
        })
    );
    let mut d = draft("23-1", MeasureKind::Immediate);
    d.problem = 99;
    assert_eq!(
        p.add_measure(d),
        Err(Refusal::UnknownProblem { number: 99 })
    );
    let mut d = draft("23-1", MeasureKind::Immediate);
    d.deadline = day(-1);
    assert_eq!(
        p.add_measure(d),
        Err(Refusal::DeadlineBeforeProgramme {
            deadline: day(-1),
            programme: day(0)
        })
    );
    let mut d = draft("23-1", MeasureKind::Immediate);
    d.requirement = "x".repeat(MAX_TEXT + 1);
    assert_eq!(
        p.add_measure(d),
        Err(Refusal::TooLong {
            field: Field::Requirement,
            max: MAX_TEXT
        })
    );
    let mut d = draft("23-1", MeasureKind::Immediate);
    d.task = "\n".into();
    assert_eq!(
        p.add_measure(d),
        Err(Refusal::Required { field: Field::Task })
    );
    let mut d = draft("23-1", MeasureKind::Immediate);
    d.unit = "".into();
    assert_eq!(
        p.add_measure(d),
        Err(Refusal::Required { field: Field::Unit })
    );
    let mut d = draft("23-1", MeasureKind::Immediate);
    d.co_units = vec!["省扶贫办".into()];
    assert_eq!(
        p.add_measure(d),
        Err(Refusal::CoUnitRepeated {
            unit: "省扶贫办".into()
        })
    );
    let mut d = draft("23-1", MeasureKind::Staged);
    d.milestones.clear();
    assert_eq!(p.add_measure(d), Err(Refusal::StagedNeedsMilestones));
    let mut d = draft("23-1", MeasureKind::Immediate);
    d.milestones = vec![(day(3), "x".into())];
    assert_eq!(p.add_measure(d), Err(Refusal::MilestonesOnlyForStaged));
    let mut d = draft("23-1", MeasureKind::Staged);
    d.milestones.push((day(91), "晚于时限".into()));
    assert_eq!(
        p.add_measure(d),
        Err(Refusal::MilestoneOutOfRange { due_on: day(91) })
    );
    p.add_measure(draft("23-1", MeasureKind::Immediate))
        .unwrap();
    assert_eq!(
        p.add_measure(draft(" 23-1 ", MeasureKind::Immediate)),
        Err(Refusal::DuplicateMeasure {
            code: "23-1".into()
        })
    );
    assert!(p.measure_mut("23-1").is_ok());
    assert_eq!(
        p.measure_mut("9-9").map(|_| ()),
        Err(Refusal::UnknownMeasure { code: "9-9".into() })
    );
    let mut m = p.measure_mut("23-1").unwrap().clone();
    let mut r = field_report(false);
    r.evidence = vec![Evidence::new(EvidenceKind::Photo, ""); 2];
    assert_eq!(
        m.report(&owner_staff(), day(1), &r),
        Err(Refusal::Required {
            field: Field::Evidence
        })
    );
    r.evidence = vec![Evidence::new(EvidenceKind::Photo, "x"); MAX_ITEMS + 1];
    assert_eq!(
        m.report(&owner_staff(), day(1), &r),
        Err(Refusal::TooMany {
            field: Field::Evidence,
            max: MAX_ITEMS
        })
    );
    assert!(Actor::new(Login::parse("abc").unwrap(), " ").is_err());
}

#[test]
fn the_dashboard_counts_by_state_category_owner_and_lists_the_overdue() {
    let mut p = programme();
    p.add_measure(draft("23-1", MeasureKind::Immediate))
        .unwrap();
    p.add_measure(draft("23-2", MeasureKind::Staged)).unwrap();
    let mut d = draft("27-1", MeasureKind::Immediate);
    d.problem = 27;
    d.unit = "省委办公厅".into();
    d.co_units.clear();
    d.deadline = day(20);
    p.add_measure(d).unwrap();
    {
        let m = p.measure_mut("23-1").unwrap();
        m.report(&owner_staff(), day(1), &field_report(true))
            .unwrap();
        m.verify(&verifier(), day(2), true, "x", &[]).unwrap();
        m.close(&verifier(), day(2)).unwrap();
    }
    p.measure_mut("27-1")
        .unwrap()
        .report(
            &actor("office.staff", "省委办公厅"),
            day(3),
            &document_report(false),
        )
        .unwrap();
    let today = day(40);
    let g = progress(&p.measures, today);
    assert_eq!(g.all.total, 3);
    assert_eq!(g.all.closed, 1);
    assert_eq!(g.all.not_started, 1);
    assert_eq!(g.all.in_progress, 1);
    assert_eq!(g.all.overdue, 1);
    assert_eq!(g.by_category["全面从严治党"].total, 2);
    assert_eq!(g.by_category["整改落实"].overdue, 1);
    assert_eq!(g.by_aspect.len(), 2);
    assert_eq!(g.by_unit["省扶贫办"].closed, 1);
    assert_eq!(g.by_unit["省委办公厅"].in_progress, 1);
    assert_eq!(g.by_leader["vice.governor"].total, 3);
    assert_eq!(g.by_kind["staged"].total, 1);
    assert_eq!(g.overdue.len(), 1);
    assert_eq!(g.overdue[0].code, "27-1");
    assert_eq!(g.overdue[0].days_overdue, 20);
    assert_eq!(g.overdue_milestones.len(), 1);
    assert_eq!(g.overdue_milestones[0].code, "23-2");
    assert_eq!(g.document_only, vec!["27-1".to_string()]);
    assert!(serde_json::to_string(&g).is_ok());
}

#[test]
fn vocabularies_are_consistent_and_refusals_speak_chinese() {
    fn unique<V: Vocabulary>() {
        for v in V::ALL {
            assert_eq!(V::from_code(v.code()), Some(*v));
            assert_eq!(V::parse(v.zh()), Ok(*v));
        }
    }
    unique::<MeasureKind>();
    unique::<EvidenceKind>();
    unique::<MeasureState>();
    unique::<Field>();
    assert_eq!(MeasureKind::parse("立行立改"), Ok(MeasureKind::Immediate));
    assert!(Refusal::NotVerified.zh().contains("销号"));
    assert!(!Refusal::NotVerified.to_string().is_empty());
}

#[derive(Debug, Clone)]
enum Act {
    Report {
        who: usize,
        completed: bool,
        documents_only: bool,
        milestone: Option<usize>,
    },
    Mechanism {
        who: usize,
    },
    Verify {
        who: usize,
        passed: bool,
    },
    Close {
        who: usize,
    },
    LookBack {
        who: usize,
        reopen: bool,
    },
    /// The right next act by the right person (so that long sequences reach the end).
    Smooth {
        passed: bool,
        reopen: bool,
    },
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        (
            0usize..6,
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(0usize..3)
        )
            .prop_map(|(who, completed, documents_only, milestone)| Act::Report {
                who,
                completed,
                documents_only,
                milestone
            }),
        (0usize..6).prop_map(|who| Act::Mechanism { who }),
        (0usize..6, any::<bool>()).prop_map(|(who, passed)| Act::Verify { who, passed }),
        (0usize..6).prop_map(|who| Act::Close { who }),
        (0usize..6, any::<bool>()).prop_map(|(who, reopen)| Act::LookBack { who, reopen }),
        (any::<bool>(), any::<bool>()).prop_map(|(passed, reopen)| Act::Smooth { passed, reopen }),
    ]
}

proptest! {
    /// Whatever is tried, by whomever: a measure is closed only by a non-owner, on a passing
    /// verification by a non-owner recorded since the last completion report and since the
    /// last reopening; a refused act changes nothing; document-only evidence never closes.
    #[test]
    fn no_sequence_of_acts_closes_without_a_verification_by_a_non_owner(
        kind in 0usize..3,
        acts in proptest::collection::vec((act(), 0i64..3), 0..60),
    ) {
        let kind = MeasureKind::ALL[kind];
        let people = [leader(), owner_staff(), co_staff(), leader_colleague(), verifier(), other_verifier()];
        let owners = [true, true, true, true, false, false];
        let mut m = with(kind);
        let mut today = 0i64;
        // The model: whether a passing verification by a non-owner was recorded since the
        // last completion report (reset by each completion report and each reopening).
        let mut verified = false;
        for (a, advance) in acts {
            today += advance;
            let before = m.clone();
            // A smooth act is the right next act by the right person.
            let a = match a {
                Act::Smooth { passed, reopen } => match m.state {
                    MeasureState::NotStarted | MeasureState::InProgress | MeasureState::Reopened => {
                        let next = m.milestones.iter().position(|x| x.reached_on.is_none());
                        if kind == MeasureKind::LongTerm && m.mechanism.is_none() {
                            Act::Mechanism { who: 1 }
                        } else {
                            let open = m.milestones.iter().filter(|x| x.reached_on.is_none()).count();
                            Act::Report { who: 1, completed: open <= 1, documents_only: false, milestone: next }
                        }
                    }
                    MeasureState::AwaitingVerification if m.valid_verification().is_some() => Act::Close { who: 5 },
                    MeasureState::AwaitingVerification => Act::Verify { who: 4, passed },
                    MeasureState::Closed => Act::LookBack { who: 4, reopen },
                },
                a => a,
            };
            let r = match &a {
                Act::Report { who, completed, documents_only, milestone } => {
                    let mut r = if *documents_only { document_report(*completed) } else { field_report(*completed) };
                    r.milestone = *milestone;
                    m.report(&people[*who], day(today), &r)
                }
                Act::Mechanism { who } => m.record_mechanism(&people[*who], day(today), "长效机制"),
                Act::Verify { who, passed } => m.verify(&people[*who], day(today), *passed, "核验", &[]),
                Act::Close { who } => m.close(&people[*who], day(today)),
                Act::LookBack { who, reopen } => m.look_back(&people[*who], day(today), "回头看", *reopen),
                Act::Smooth { .. } => Ok(()),
            };
            match (&a, &r) {
                (_, Err(_)) => prop_assert_eq!(&m, &before, "a refused act changes nothing"),
                (Act::Report { who, completed, .. }, Ok(())) => {
                    prop_assert!(owners[*who]);
                    if *completed { verified = false; }
                }
                (Act::Mechanism { who }, Ok(())) => prop_assert!(owners[*who]),
                (Act::Verify { who, passed }, Ok(())) => {
                    prop_assert!(!owners[*who]);
                    verified = *passed;
                }
                (Act::Close { who }, Ok(())) => {
                    prop_assert!(!owners[*who], "closed by an owner");
                    prop_assert!(verified, "closed without a verification since the last report or reopening");
                    prop_assert!(!m.is_document_only());
                    if kind == MeasureKind::LongTerm { prop_assert!(m.mechanism.is_some()); }
                    prop_assert!(m.milestones.iter().all(|x| x.reached_on.is_some()));
                }
                (Act::LookBack { reopen, .. }, Ok(())) => {
                    if *reopen { verified = false; }
                }
                (Act::Smooth { .. }, Ok(())) => {}
            }
            if m.state == MeasureState::Closed {
                let v = m.valid_verification();
                prop_assert!(v.is_some());
                let v = &m.verifications[v.unwrap_or_default()];
                prop_assert!(v.passed && !owners[people.iter().position(|p| p.login.as_str() == v.by).unwrap_or(0)]);
            }
        }
    }
}

#[test]
fn a_programme_survives_json_and_knows_its_next_deadline() {
    let mut p = programme();
    p.add_measure(draft("23-1", MeasureKind::Immediate))
        .unwrap();
    let mut later = draft("23-2", MeasureKind::Immediate);
    later.deadline = day(120);
    p.add_measure(later).unwrap();
    p.measure_mut("23-1")
        .unwrap()
        .report(&owner_staff(), day(5), &field_report(false))
        .unwrap();
    let json = serde_json::to_string(&p).unwrap();
    let back: Programme = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p);
    assert_eq!(p.next_deadline(), Some(day(90)));
    assert!(!p.all_closed());
    assert!(p.measure("23-2").is_some());
    // A stored actor with a bad login is refused, not trusted.
    let bad = json.replace("\"vice.governor\"", "\"Vice Governor\"");
    assert!(serde_json::from_str::<Programme>(&bad).is_err());
}
