//! Accountability cases: every refusal, escalated review, publication, statistics, and a
//! property test over random acts.

use super::*;
use crate::access::Login;
use proptest::prelude::*;

const VILLAGE: &str = "510304107201";
const TOWNSHIP: &str = "510304107";

fn code(s: &str) -> AreaCode {
    AreaCode::parse_short(s).unwrap()
}

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2019, 5, 6).unwrap() + chrono::Days::new(n)
}

fn account(login: &str, role: Role, area: &str) -> Account {
    Account {
        name: String::new(),
        login: Login::parse(login).unwrap(),
        disabled: false,
        assignments: vec![Assignment::new(role, code(area), None, None, false).unwrap()],
    }
}

/// The township discipline committee (乡镇纪委).
fn township_officer() -> Account {
    account("xiang.jiwei", Role::DisciplineOfficer, TOWNSHIP)
}
/// The county commission (区纪委监委).
fn county_officer() -> Account {
    account("qu.jiwei", Role::DisciplineOfficer, "510304")
}
fn other_county_officer() -> Account {
    account("other.jiwei", Role::DisciplineOfficer, "510302")
}
/// The city commission (市纪委监委).
fn city_officer() -> Account {
    account("shi.jiwei", Role::DisciplineOfficer, "5103")
}
fn province_officer() -> Account {
    account("sheng.jiwei", Role::DisciplineOfficer, "51")
}
/// Not a discipline officer, though over the area.
fn county_poverty_officer() -> Account {
    account("qu.fupin", Role::CountyOfficer, "510304")
}

fn village_cadre() -> CaseDraft {
    CaseDraft {
        person: Person {
            name: "张三".into(),
            post: "某村党支部书记".into(),
            level: CadreLevel::Village,
        },
        area: code(VILLAGE),
        source: Source {
            kind: SourceKind::Complaint,
            reference: Some("JB-2019-0012".into()),
        },
        category: "youqin_houyou".into(),
    }
}

fn township_cadre() -> CaseDraft {
    CaseDraft {
        person: Person {
            name: "李四".into(),
            post: "某镇副镇长".into(),
            level: CadreLevel::Township,
        },
        area: code(TOWNSHIP),
        source: Source {
            kind: SourceKind::CrossCheck,
            reference: None,
        },
        category: "xubao_maoling".into(),
    }
}

fn county_cadre() -> CaseDraft {
    CaseDraft {
        person: Person {
            name: "王五".into(),
            post: "区扶贫办主任".into(),
            level: CadreLevel::County,
        },
        area: code("510304"),
        source: Source {
            kind: SourceKind::Audit,
            reference: Some("审计报告 2019-3".into()),
        },
        category: "jieliu_nuoyong".into(),
    }
}

fn sanction() -> DecisionDraft {
    DecisionDraft {
        form: Form::Second,
        outcomes: vec![Outcome::PartyDiscipline, Outcome::Circulated],
        mitigation: Mitigation::default(),
        summary: "在危房改造补助发放中优亲厚友，违规为亲属申报补助 2 万元。".into(),
    }
}

fn talk() -> DecisionDraft {
    DecisionDraft {
        form: Form::First,
        outcomes: vec![Outcome::Talk],
        mitigation: Mitigation::default(),
        summary: "工作不细致，台账数据不准确".into(),
    }
}

fn decided(draft: CaseDraft, by: &Account, d: &DecisionDraft) -> Case {
    let mut c = Case::open(draft, by, day(0)).unwrap();
    c.investigate(by, day(1), Substantiation::True, "经核实，反映问题属实")
        .unwrap();
    c.decide(by, day(2), d).unwrap();
    c
}

#[test]
fn a_village_cadres_sanction_is_finalised_after_the_county_reviews_it() {
    let mut c = decided(village_cadre(), &township_officer(), &sanction());
    assert_eq!(c.required_review(), Some(AreaLevel::County));
    assert_eq!(
        c.finalise(&township_officer(), day(3)),
        Err(Refusal::ReviewMissing {
            required: AreaLevel::County
        })
    );
    assert!(
        c.finalise(&township_officer(), day(3))
            .unwrap_err()
            .zh()
            .contains("县级")
    );
    c.review(&county_officer(), day(4), true, "同意").unwrap();
    assert_eq!(c.state, CaseState::Reviewed);
    assert_eq!(c.reviews[0].body, code("510304"));
    assert_eq!(c.reviews[0].level, AreaLevel::County);
    assert_eq!(c.reviews[0].by, "qu.jiwei");
    c.finalise(&township_officer(), day(5)).unwrap();
    assert_eq!(c.state, CaseState::Finalised);
    assert_eq!(c.finalisation.as_ref().unwrap().review, Some(0));
}

#[test]
fn a_review_by_a_lower_level_is_refused_and_a_higher_one_is_fine() {
    let mut c = decided(township_cadre(), &township_officer(), &sanction());
    assert_eq!(c.required_review(), Some(AreaLevel::City));
    assert_eq!(
        c.review(&county_officer(), day(3), true, "同意"),
        Err(Refusal::ReviewBelowRequired {
            required: AreaLevel::City,
            found: AreaLevel::County
        })
    );
    assert_eq!(
        c.review(&township_officer(), day(3), true, "同意"),
        Err(Refusal::ReviewBelowRequired {
            required: AreaLevel::City,
            found: AreaLevel::Township
        })
    );
    c.review(&province_officer(), day(3), true, "同意").unwrap();
    assert_eq!(c.reviews[0].level, AreaLevel::Province);
    c.finalise(&county_officer(), day(4)).unwrap();
}

#[test]
fn finalise_refuses_a_stored_review_below_the_required_level() {
    // A review record loaded from storage, not made by `review`, at the county level for a
    // township cadre.
    let mut c = decided(township_cadre(), &township_officer(), &sanction());
    c.reviews.push(Review {
        on: day(3),
        by: "qu.jiwei".into(),
        body: code("510304"),
        level: AreaLevel::County,
        approved: true,
        note: "同意".into(),
        decision: 0,
    });
    c.state = CaseState::Reviewed;
    assert_eq!(
        c.finalise(&township_officer(), day(4)),
        Err(Refusal::ReviewBelowRequired {
            required: AreaLevel::City,
            found: AreaLevel::County
        })
    );
    // And one whose body does not contain the case.
    c.reviews[0].body = code("5201");
    c.reviews[0].level = AreaLevel::City;
    assert_eq!(
        c.finalise(&township_officer(), day(4)),
        Err(Refusal::ReviewerNotOverCase)
    );
}

#[test]
fn reviews_are_by_discipline_officers_over_the_case_not_by_the_decider() {
    let mut c = decided(village_cadre(), &county_officer(), &sanction());
    assert_eq!(
        c.review(&county_poverty_officer(), day(3), true, "同意"),
        Err(Refusal::NotDisciplineOfficer)
    );
    assert_eq!(
        c.review(&other_county_officer(), day(3), true, "同意"),
        Err(Refusal::ReviewerNotOverCase)
    );
    assert_eq!(
        c.review(&county_officer(), day(3), true, "同意"),
        Err(Refusal::ReviewerIsDecider)
    );
    assert_eq!(
        c.review(&city_officer(), day(3), true, " "),
        Err(Refusal::Required { field: Field::Note })
    );
    assert!(c.review(&city_officer(), day(3), true, "同意").is_ok());
}

#[test]
fn a_refusing_review_sends_the_case_back_and_a_new_decision_needs_a_new_review() {
    let mut c = decided(village_cadre(), &township_officer(), &sanction());
    c.review(&county_officer(), day(3), false, "处理偏重，建议组织处理")
        .unwrap();
    assert_eq!(c.state, CaseState::Investigated);
    // A new disciplinary decision: the old (refusing) review does not count.
    let mut d = sanction();
    d.outcomes = vec![Outcome::GovernmentSanction];
    c.decide(&township_officer(), day(4), &d).unwrap();
    assert_eq!(
        c.finalise(&township_officer(), day(5)),
        Err(Refusal::ReviewMissing {
            required: AreaLevel::County
        })
    );
    // An approving review of a superseded decision does not count either.
    let mut stale = c.clone();
    stale.reviews[0].approved = true;
    assert!(stale.finalise(&township_officer(), day(5)).is_err());
    c.review(&county_officer(), day(5), true, "同意").unwrap();
    c.finalise(&township_officer(), day(6)).unwrap();
    assert_eq!(c.finalisation.as_ref().unwrap().decision, 1);
}

#[test]
fn which_decisions_need_escalation() {
    // Criticism, talks and organisational handling of a village cadre: no review (seed 001:
    // "原则上采取批评教育、组织处理方式").
    let mut c = decided(village_cadre(), &township_officer(), &talk());
    assert_eq!(c.required_review(), None);
    assert_eq!(
        c.review(&county_officer(), day(3), true, "同意"),
        Err(Refusal::ReviewNotRequired)
    );
    c.finalise(&township_officer(), day(3)).unwrap();
    let org = DecisionDraft {
        form: Form::Second,
        outcomes: vec![Outcome::Organisational],
        ..talk()
    };
    assert_eq!(
        decided(village_cadre(), &township_officer(), &org).required_review(),
        None
    );
    // The third form needs it even without a sanction among the outcomes.
    let heavy = DecisionDraft {
        form: Form::Third,
        outcomes: vec![Outcome::Organisational],
        ..talk()
    };
    assert_eq!(
        decided(village_cadre(), &township_officer(), &heavy).required_review(),
        Some(AreaLevel::County)
    );
    let transfer = DecisionDraft {
        form: Form::Fourth,
        outcomes: vec![Outcome::Transferred, Outcome::PartyDiscipline],
        ..talk()
    };
    assert_eq!(
        decided(township_cadre(), &county_officer(), &transfer).required_review(),
        Some(AreaLevel::City)
    );
    // A county cadre is outside the rule.
    let mut c = decided(county_cadre(), &county_officer(), &sanction());
    assert_eq!(c.required_review(), None);
    c.finalise(&county_officer(), day(3)).unwrap();
}

#[test]
fn only_discipline_officers_of_the_area_act() {
    assert_eq!(
        Case::open(village_cadre(), &county_poverty_officer(), day(0)),
        Err(Refusal::NotDisciplineOfficer)
    );
    assert_eq!(
        Case::open(village_cadre(), &other_county_officer(), day(0)),
        Err(Refusal::NotDisciplineOfficer)
    );
    let mut c = Case::open(village_cadre(), &county_officer(), day(0)).unwrap();
    assert_eq!(
        c.investigate(&other_county_officer(), day(1), Substantiation::True, "x"),
        Err(Refusal::NotDisciplineOfficer)
    );
    c.investigate(&county_officer(), day(1), Substantiation::True, "属实")
        .unwrap();
    assert_eq!(
        c.decide(&county_poverty_officer(), day(2), &talk()),
        Err(Refusal::NotDisciplineOfficer)
    );
    c.decide(&county_officer(), day(2), &talk()).unwrap();
    assert_eq!(
        c.finalise(&other_county_officer(), day(3)),
        Err(Refusal::NotDisciplineOfficer)
    );
    let mut lapsed = county_officer();
    lapsed.assignments[0].ends_on = Some(day(1));
    assert_eq!(
        c.finalise(&lapsed, day(3)),
        Err(Refusal::NotDisciplineOfficer)
    );
    let mut disabled = county_officer();
    disabled.disabled = true;
    assert_eq!(
        c.finalise(&disabled, day(3)),
        Err(Refusal::NotDisciplineOfficer)
    );
}

#[test]
fn entries_and_decisions_are_checked() {
    let mut d = village_cadre();
    d.area = code(TOWNSHIP);
    assert_eq!(
        Case::open(d, &county_officer(), day(0)),
        Err(Refusal::AreaDoesNotFitLevel {
            person: CadreLevel::Village,
            area: AreaLevel::Township
        })
    );
    let mut d = village_cadre();
    d.person.name = " ".into();
    assert_eq!(
        Case::open(d, &county_officer(), day(0)),
        Err(Refusal::Required { field: Field::Name })
    );
    let mut d = village_cadre();
    d.source.reference = Some("x".repeat(MAX_SHORT + 1));
    assert_eq!(
        Case::open(d, &county_officer(), day(0)),
        Err(Refusal::TooLong {
            field: Field::Reference,
            max: MAX_SHORT
        })
    );
    let mut d = village_cadre();
    d.category = "a\u{0}".into();
    assert_eq!(
        Case::open(d, &county_officer(), day(0)),
        Err(Refusal::ControlCharacter {
            field: Field::Category
        })
    );

    let o = county_officer();
    let mut c = Case::open(village_cadre(), &o, day(0)).unwrap();
    assert!(matches!(
        c.decide(&o, day(1), &talk()),
        Err(Refusal::WrongState { .. })
    ));
    c.investigate(&o, day(1), Substantiation::Partly, "部分属实")
        .unwrap();
    assert!(matches!(
        c.investigate(&o, day(1), Substantiation::True, "x"),
        Err(Refusal::WrongState { .. })
    ));
    let mut d = talk();
    d.outcomes.clear();
    assert_eq!(c.decide(&o, day(2), &d), Err(Refusal::NoOutcome));
    d.outcomes = vec![Outcome::Talk, Outcome::Talk];
    assert_eq!(
        c.decide(&o, day(2), &d),
        Err(Refusal::DuplicateOutcome {
            outcome: Outcome::Talk
        })
    );
    d.outcomes = vec![Outcome::PartyDiscipline];
    assert_eq!(
        c.decide(&o, day(2), &d),
        Err(Refusal::OutcomeBeyondForm {
            outcome: Outcome::PartyDiscipline,
            form: Form::First
        })
    );
    d.form = Form::Third;
    d.outcomes = vec![Outcome::Transferred];
    assert_eq!(
        c.decide(&o, day(2), &d),
        Err(Refusal::OutcomeBeyondForm {
            outcome: Outcome::Transferred,
            form: Form::Third
        })
    );
    let mut d = talk();
    d.mitigation.applied = true;
    assert_eq!(c.decide(&o, day(2), &d), Err(Refusal::MitigationReasons));
    d.mitigation.applied = false;
    d.mitigation.reasons = vec!["x".into()];
    assert_eq!(c.decide(&o, day(2), &d), Err(Refusal::MitigationReasons));
    d.mitigation.applied = true;
    d.mitigation.reasons = vec!["x".into(); MAX_REASONS + 1];
    assert_eq!(c.decide(&o, day(2), &d), Err(Refusal::TooManyReasons));
    d.mitigation.reasons = vec!["先行先试，未谋取私利".into()];
    assert_eq!(
        c.decide(&o, day(0), &d),
        Err(Refusal::DateBeforeLastAct { last: day(1) })
    );
    c.decide(&o, day(2), &d).unwrap();
    assert!(c.decision().unwrap().mitigation.applied);
}

#[test]
fn unsubstantiated_cases_are_dismissed_not_decided() {
    let o = county_officer();
    let mut c = Case::open(village_cadre(), &o, day(0)).unwrap();
    c.investigate(&o, day(1), Substantiation::False, "查无实据")
        .unwrap();
    assert_eq!(
        c.decide(&o, day(2), &talk()),
        Err(Refusal::NotSubstantiated)
    );
    c.dismiss(&o, day(2), DismissalGrounds::Unsubstantiated, "予以澄清")
        .unwrap();
    assert_eq!(c.state, CaseState::Dismissed);
    let mut c = Case::open(village_cadre(), &o, day(0)).unwrap();
    c.investigate(&o, day(1), Substantiation::True, "属实")
        .unwrap();
    assert_eq!(
        c.dismiss(&o, day(2), DismissalGrounds::Unsubstantiated, "x"),
        Err(Refusal::Substantiated)
    );
    c.dismiss(&o, day(2), DismissalGrounds::Tolerated, "符合容错情形")
        .unwrap();
    assert_eq!(statistics(&[c]).counted, 0);
}

#[test]
fn publication_comes_after_finalisation_and_follows_the_policy() {
    let mut c = decided(village_cadre(), &township_officer(), &sanction());
    let policy = PublicationPolicy::FromLevel(CadreLevel::County);
    assert!(matches!(
        c.publish(&township_officer(), day(3), policy),
        Err(Refusal::WrongState { .. })
    ));
    c.review(&county_officer(), day(3), true, "同意").unwrap();
    assert!(matches!(
        c.publish(&township_officer(), day(4), policy),
        Err(Refusal::WrongState { .. })
    ));
    c.finalise(&township_officer(), day(4)).unwrap();
    let (shown, text) = c.publication_text(policy).unwrap();
    assert!(!shown);
    assert!(!text.contains("张三"), "{text}");
    assert!(text.contains("某村党支部书记张某"), "{text}");
    assert!(text.contains("党纪处分、通报"), "{text}");
    let (shown, text) = c.publication_text(PublicationPolicy::Always).unwrap();
    assert!(shown && text.contains("张三"));
    assert!(!c.publication_text(PublicationPolicy::Never).unwrap().0);
    assert_eq!(
        c.publish(&county_poverty_officer(), day(5), policy),
        Err(Refusal::NotDisciplineOfficer)
    );
    c.publish(&township_officer(), day(5), policy).unwrap();
    assert_eq!(c.state, CaseState::Published);
    assert!(!c.publication.as_ref().unwrap().names_shown);
    assert!(matches!(
        c.publish(&township_officer(), day(6), policy),
        Err(Refusal::WrongState { .. })
    ));

    // A county cadre is named under the same policy.
    let mut c = decided(county_cadre(), &county_officer(), &sanction());
    c.finalise(&county_officer(), day(3)).unwrap();
    assert!(c.publication_text(policy).unwrap().1.contains("王五"));

    // A summary that names the person is refused when the policy hides names.
    let mut d = sanction();
    d.summary = "张三违规为亲属申报补助".into();
    let mut c = decided(village_cadre(), &township_officer(), &d);
    c.review(&county_officer(), day(3), true, "同意").unwrap();
    c.finalise(&township_officer(), day(4)).unwrap();
    assert_eq!(
        c.publish(&township_officer(), day(5), PublicationPolicy::Never),
        Err(Refusal::NameInSummary)
    );
    assert!(
        c.publish(&township_officer(), day(5), PublicationPolicy::Always)
            .is_ok()
    );
}

#[test]
fn statistics_show_whether_accountability_lands_on_the_front_line() {
    let mut cases = Vec::new();
    for _ in 0..3 {
        let mut c = decided(village_cadre(), &township_officer(), &talk());
        c.finalise(&township_officer(), day(3)).unwrap();
        cases.push(c);
    }
    let mut c = decided(township_cadre(), &county_officer(), &sanction());
    c.review(&city_officer(), day(3), true, "同意").unwrap();
    c.finalise(&county_officer(), day(4)).unwrap();
    cases.push(c);
    let mut c = decided(county_cadre(), &county_officer(), &sanction());
    c.finalise(&county_officer(), day(3)).unwrap();
    cases.push(c);
    // Not counted: a pending decision.
    cases.push(decided(village_cadre(), &township_officer(), &sanction()));
    let s = statistics(&cases);
    assert_eq!(s.counted, 5);
    assert_eq!(s.by_level["village"], 3);
    assert_eq!(s.by_level["township"], 1);
    assert_eq!(s.by_level["county"], 1);
    assert_eq!(s.by_level["province"], 0);
    assert_eq!(s.by_form["1"], 3);
    assert_eq!(s.by_form["2"], 2);
    assert_eq!(s.by_outcome["party_discipline"], 2);
    assert_eq!(s.front_line, 4);
    assert_eq!(s.front_line_share, Some(0.8));
    assert_eq!(statistics(&[]).front_line_share, None);
    assert!(serde_json::to_string(&s).is_ok());
}

#[test]
fn vocabularies_and_messages() {
    fn unique<V: Vocabulary>() {
        for v in V::ALL {
            assert_eq!(V::from_code(v.code()), Some(*v));
            assert_eq!(V::parse(v.zh()), Ok(*v));
        }
    }
    unique::<CadreLevel>();
    unique::<SourceKind>();
    unique::<Form>();
    unique::<Outcome>();
    unique::<Substantiation>();
    unique::<DismissalGrounds>();
    unique::<CaseState>();
    unique::<Field>();
    assert_eq!(Outcome::parse("通报批评"), Ok(Outcome::Circulated));
    assert!(Form::ALL.iter().all(|f| !f.description_zh().is_empty()));
    assert_eq!(masked_name("欧阳修"), "欧某");
    assert_eq!(masked_name(""), "某");
    let r = Refusal::ReviewMissing {
        required: AreaLevel::City,
    };
    assert!(r.zh().contains("市级") && r.to_string().contains("city"));
}

#[derive(Debug, Clone)]
enum Act {
    Investigate {
        who: usize,
        substantiated: bool,
    },
    Decide {
        who: usize,
        disciplinary: bool,
    },
    Review {
        who: usize,
        approve: bool,
    },
    Finalise {
        who: usize,
    },
    Publish {
        who: usize,
    },
    Dismiss {
        who: usize,
    },
    /// The right next act by the right person (so that long sequences reach the end).
    Smooth {
        disciplinary: bool,
        approve: bool,
    },
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        (0usize..7, any::<bool>())
            .prop_map(|(who, substantiated)| Act::Investigate { who, substantiated }),
        (0usize..7, any::<bool>())
            .prop_map(|(who, disciplinary)| Act::Decide { who, disciplinary }),
        (0usize..7, any::<bool>()).prop_map(|(who, approve)| Act::Review { who, approve }),
        (0usize..7).prop_map(|who| Act::Finalise { who }),
        (0usize..7).prop_map(|who| Act::Publish { who }),
        (0usize..7).prop_map(|who| Act::Dismiss { who }),
        (any::<bool>(), any::<bool>()).prop_map(|(disciplinary, approve)| Act::Smooth {
            disciplinary,
            approve
        }),
    ]
}

proptest! {
    /// Whatever is tried, by whomever: a refused act changes nothing; a finalised disciplinary
    /// decision against a front-line cadre always rests on an approving review of *that*
    /// decision by a body at the required level or above, over the case, not its decider;
    /// only discipline officers over the case finalise; a published case was finalised.
    #[test]
    fn no_sequence_of_acts_finalises_without_the_escalated_review(
        township in any::<bool>(),
        acts in proptest::collection::vec((act(), 0u64..3), 0..40),
    ) {
        let people = [
            township_officer(), county_officer(), other_county_officer(), city_officer(),
            province_officer(), county_poverty_officer(),
            account("xiang.jiwei2", Role::DisciplineOfficer, TOWNSHIP),
        ];
        let draft = if township { township_cadre() } else { village_cadre() };
        let required = if township { AreaLevel::City } else { AreaLevel::County };
        let mut c = Case::open(draft, &county_officer(), day(0)).unwrap();
        let mut today = 0u64;
        for (a, advance) in acts {
            today += advance;
            let before = c.clone();
            let r = match &a {
                Act::Investigate { who, substantiated } => c.investigate(
                    &people[*who], day(today),
                    if *substantiated { Substantiation::True } else { Substantiation::False },
                    "核实情况"),
                Act::Decide { who, disciplinary } => c.decide(
                    &people[*who], day(today), &if *disciplinary { sanction() } else { talk() }),
                Act::Review { who, approve } => c.review(&people[*who], day(today), *approve, "意见"),
                Act::Finalise { who } => c.finalise(&people[*who], day(today)),
                Act::Publish { who } => c.publish(
                    &people[*who], day(today), PublicationPolicy::FromLevel(CadreLevel::County)),
                Act::Dismiss { who } => c.dismiss(
                    &people[*who], day(today), DismissalGrounds::Unsubstantiated, "查无实据"),
                Act::Smooth { disciplinary, approve } => match c.state {
                    CaseState::Opened => c.investigate(
                        &people[1], day(today), Substantiation::True, "核实情况"),
                    CaseState::Investigated => c.decide(
                        &people[0], day(today), &if *disciplinary { sanction() } else { talk() }),
                    CaseState::Decided => match c.required_review() {
                        Some(_) => c.review(&people[if township { 3 } else { 1 }], day(today), *approve, "意见"),
                        None => c.finalise(&people[0], day(today)),
                    },
                    CaseState::Reviewed => c.finalise(&people[0], day(today)),
                    CaseState::Finalised => c.publish(
                        &people[0], day(today), PublicationPolicy::FromLevel(CadreLevel::County)),
                    _ => Ok(()),
                },
            };
            // What a smooth act did, for the checks below.
            let a = match a {
                Act::Smooth { .. } => match before.state {
                    CaseState::Decided if before.required_review().is_none() => Act::Finalise { who: 0 },
                    CaseState::Reviewed => Act::Finalise { who: 0 },
                    _ => a,
                },
                a => a,
            };
            if r.is_err() {
                prop_assert_eq!(&c, &before, "a refused act changes nothing");
                continue;
            }
            if let Act::Finalise { who } = &a {
                prop_assert!(![2usize, 5].contains(who), "finalised by {:?}", who);
                let f = c.finalisation.clone().unwrap();
                let d = &c.decisions[f.decision];
                prop_assert_eq!(f.decision, c.decisions.len() - 1);
                if d.is_disciplinary() {
                    let rv = &c.reviews[f.review.unwrap()];
                    prop_assert!(rv.approved);
                    prop_assert_eq!(rv.decision, f.decision);
                    prop_assert!(rv.level <= required);
                    prop_assert!(rv.body.contains(&c.area));
                    prop_assert!(rv.by != d.by);
                } else {
                    prop_assert!(f.review.is_none());
                }
            }
            if c.state == CaseState::Published {
                prop_assert!(c.finalisation.is_some());
                let text = &c.publication.as_ref().unwrap().text;
                prop_assert!(!text.contains(&c.person.name), "front-line names hidden");
            }
        }
    }
}

#[test]
fn a_case_survives_its_json_and_a_stored_area_is_checked() {
    let mut c = decided(village_cadre(), &township_officer(), &sanction());
    c.review(&county_officer(), day(4), true, "同意").unwrap();
    c.finalise(&township_officer(), day(5)).unwrap();
    let json = serde_json::to_string(&c).unwrap();
    let back: Case = serde_json::from_str(&json).unwrap();
    assert_eq!(back, c);
    assert!(serde_json::from_str::<Case>(&json.replace("\"county\"", "\"shire\"")).is_err());
    let policy: PublicationPolicy = serde_json::from_str(
        &serde_json::to_string(&PublicationPolicy::FromLevel(CadreLevel::County)).unwrap(),
    )
    .unwrap();
    assert_eq!(policy, PublicationPolicy::FromLevel(CadreLevel::County));
}
