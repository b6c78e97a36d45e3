//! Inspections: planning, the team, findings by the catalogue, draws hidden until revealed,
//! every refusal, and a property test over random acts.

use super::*;
use crate::access::{Assignment, Login};
use crate::draw::{Candidate, Design};
use proptest::prelude::*;

fn code(s: &str) -> AreaCode {
    AreaCode::parse_short(s).unwrap()
}

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap() + chrono::Days::new(n)
}

fn account(login: &str, role: Role, area: &str) -> Account {
    Account {
        name: String::new(),
        login: Login::parse(login).unwrap(),
        disabled: false,
        assignments: vec![Assignment::new(role, code(area), None, None, false).unwrap()],
    }
}

fn lead() -> Account {
    account("zhao.gang", Role::Inspector, "510304")
}

fn member() -> Account {
    account("qian.li", Role::Inspector, "510304")
}

/// An inspector over the county, not on the team.
fn outsider() -> Account {
    account("sun.wei", Role::Inspector, "510304")
}

fn draft() -> InspectionDraft {
    InspectionDraft {
        kind: InspectionKind::Anfang,
        title: "2026年第四季度暗访".into(),
        scope: Scope {
            areas: vec![code("510304107"), code("510304100")],
            units: vec!["区扶贫办".into()],
        },
        team: vec!["qian.li".into()],
        starts_on: day(0),
        ends_on: day(30),
    }
}

fn planned() -> Inspection {
    Inspection::plan(&draft(), &lead(), day(0)).unwrap()
}

fn spec() -> DrawSpec {
    let mut frame = Vec::new();
    for t in ["510304107000", "510304100000"] {
        for v in 201..209 {
            frame.push(Candidate::in_stratum(&format!("{}{v}", &t[..9]), t));
        }
    }
    DrawSpec {
        purpose: "暗访 抽取村".into(),
        frame,
        design: Design::Stratified {
            sizes: [
                ("510304107000".to_string(), 2),
                ("510304100000".to_string(), 3),
            ]
            .into_iter()
            .collect(),
        },
    }
}

fn seed() -> Seed {
    Seed::from_bytes([42; 32])
}

#[test]
fn an_inspection_is_planned_by_an_inspector_over_its_scope_with_the_planner_leading() {
    let i = planned();
    assert_eq!(i.team, vec!["zhao.gang", "qian.li"]);
    assert_eq!(i.state, InspectionState::Planned);
    assert_eq!(
        i.area(),
        Some(code("510304")),
        "two townships: filed at the county"
    );
    assert!(i.scope.covers(&code("510304107201")));
    assert!(!i.scope.covers(&code("510304101201")));
    // Not an inspector, or not over the whole scope.
    let officer = account("wang.min", Role::CountyOfficer, "510304");
    assert_eq!(
        Inspection::plan(&draft(), &officer, day(0)),
        Err(Refusal::NotInspectorOverScope)
    );
    let township = account("zhao.gang", Role::Inspector, "510304107");
    assert_eq!(
        Inspection::plan(&draft(), &township, day(0)),
        Err(Refusal::NotInspectorOverScope)
    );
    // One township: filed there.
    let mut one = draft();
    one.scope.areas = vec![code("510304107")];
    assert_eq!(
        Inspection::plan(&one, &township, day(0)).unwrap().area(),
        Some(code("510304107"))
    );
}

#[test]
fn plans_are_checked_field_by_field() {
    type Change = Box<dyn Fn(&mut InspectionDraft)>;
    let cases: Vec<(Change, Refusal)> = vec![
        (
            Box::new(|d| d.title = "  ".into()),
            Refusal::Required {
                field: Field::Title,
            },
        ),
        (
            Box::new(|d| d.title = "a\u{7}b".into()),
            Refusal::ControlCharacter {
                field: Field::Title,
            },
        ),
        (
            Box::new(|d| d.scope.areas.clear()),
            Refusal::Required {
                field: Field::Scope,
            },
        ),
        (
            Box::new(|d| d.scope.areas.push(code("510304107"))),
            Refusal::Duplicate {
                field: Field::Scope,
                value: "510304107000".into(),
            },
        ),
        (
            Box::new(|d| d.ends_on = day(0) - chrono::Days::new(1)),
            Refusal::BadPeriod,
        ),
        (Box::new(|d| d.ends_on = day(400)), Refusal::BadPeriod),
        (
            Box::new(|d| d.team = vec!["a".repeat(101)]),
            Refusal::TooLong {
                field: Field::Team,
                max: MAX_SHORT,
            },
        ),
        (
            Box::new(|d| d.scope.units = vec!["x".into(), "x".into()]),
            Refusal::Duplicate {
                field: Field::Unit,
                value: "x".into(),
            },
        ),
    ];
    for (change, refusal) in cases {
        let mut d = draft();
        change(&mut d);
        assert_eq!(Inspection::plan(&d, &lead(), day(0)), Err(refusal.clone()));
        assert!(!refusal.zh().is_empty());
    }
}

#[test]
fn findings_are_numbered_classified_and_within_scope() {
    let mut i = planned();
    assert!(matches!(
        i.add_finding(&lead(), day(1), code("510304107201"), "S000-04", "数字脱贫"),
        Err(Refusal::WrongState { .. })
    ));
    assert_eq!(
        i.start(&lead(), day(0) - chrono::Days::new(0)),
        Ok(()),
        "the first day of the period"
    );
    assert_eq!(
        i.add_finding(
            &member(),
            day(1),
            code("510304107201"),
            "S000-04",
            "数字脱贫"
        ),
        Ok(1)
    );
    assert_eq!(
        i.add_finding(
            &lead(),
            day(2),
            code("510304100202"),
            " embezzlement ",
            "截留资金"
        ),
        Ok(2)
    );
    assert_eq!(i.findings[1].category, "embezzlement");
    assert_eq!(
        i.add_finding(&lead(), day(2), code("510304101201"), "S000-04", "x"),
        Err(Refusal::OutsideScope {
            area: "510304101201".into()
        })
    );
    assert_eq!(
        i.add_finding(&lead(), day(2), code("510304107201"), "S999-99", "x"),
        Err(Refusal::UnknownCategory {
            code: "S999-99".into()
        })
    );
    assert_eq!(
        i.add_finding(&outsider(), day(2), code("510304107201"), "S000-04", "x"),
        Err(Refusal::NotTeamMember)
    );
    assert_eq!(
        i.add_finding(&lead(), day(1), code("510304107201"), "S000-04", "x"),
        Err(Refusal::DateBeforeLastAct { last: day(2) })
    );
    assert_eq!(
        i.add_finding(&lead(), day(3), code("510304107201"), "S000-04", " "),
        Err(Refusal::Required {
            field: Field::Finding
        })
    );
    i.finish(&member(), day(4)).unwrap();
    assert!(matches!(
        i.add_finding(&lead(), day(5), code("510304107201"), "S000-04", "x"),
        Err(Refusal::WrongState { .. })
    ));
    assert_eq!(finding_origin(12, 3), ("finding".into(), "12:3".into()));
    assert_eq!(parse_finding_ref("12:3"), Some((12, 3)));
    assert_eq!(parse_finding_ref("12:0"), None);
    assert_eq!(parse_finding_ref("x:1"), None);
}

#[test]
fn a_start_before_the_period_or_by_an_outsider_is_refused() {
    let mut d = draft();
    d.starts_on = day(5);
    let mut i = Inspection::plan(&d, &lead(), day(0)).unwrap();
    assert_eq!(
        i.start(&lead(), day(4)),
        Err(Refusal::BeforePeriod { starts: day(5) })
    );
    assert_eq!(i.start(&outsider(), day(5)), Err(Refusal::NotTeamMember));
    // On the team by login but no longer an inspector: off the team.
    let mut lapsed = member();
    lapsed.assignments[0].ends_on = Some(day(4));
    assert_eq!(i.start(&lapsed, day(5)), Err(Refusal::NotTeamMember));
    assert_eq!(i.start(&member(), day(5)), Ok(()));
    assert!(matches!(
        i.start(&member(), day(6)),
        Err(Refusal::WrongState { .. })
    ));
}

#[test]
fn a_draw_is_hidden_from_outsiders_and_revealed_only_after_the_visit_with_its_own_seed() {
    let mut i = planned();
    let (n, sample) = i
        .make_draw(&lead(), day(1), &spec(), &seed(), day(10))
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(sample.len(), 5);
    let d = i.draw(1).unwrap();
    assert_eq!(d.commitment, draw::commit(&seed(), &spec()).unwrap());
    assert_eq!(d.spec_digest, spec().digest());
    assert!(d.revealed.is_none());
    assert!(i.sees_sample(&member(), 1, day(2)));
    assert!(!i.sees_sample(&outsider(), 1, day(2)));
    assert!(!i.sees_sample(&member(), 2, day(2)), "no such draw");
    assert_eq!(i.sample_from(1, &seed()), Ok(sample.clone()));
    assert_eq!(
        i.sample_from(1, &Seed::from_bytes([1; 32])),
        Err(Refusal::SeedDoesNotMatch { number: 1 })
    );

    // Before the visit, by an outsider, with another seed: refused.
    assert_eq!(
        i.reveal(&lead(), day(9), 1, &seed()),
        Err(Refusal::BeforeVisit {
            number: 1,
            visit_on: day(10)
        })
    );
    assert_eq!(
        i.reveal(&outsider(), day(10), 1, &seed()),
        Err(Refusal::NotTeamMember)
    );
    assert_eq!(
        i.reveal(&lead(), day(10), 1, &Seed::from_bytes([7; 32])),
        Err(Refusal::SeedDoesNotMatch { number: 1 })
    );
    assert_eq!(
        i.reveal(&lead(), day(10), 2, &seed()),
        Err(Refusal::NoSuchDraw { number: 2 })
    );
    i.reveal(&member(), day(10), 1, &seed()).unwrap();
    assert!(
        i.sees_sample(&outsider(), 1, day(10)),
        "public once revealed"
    );
    assert_eq!(
        i.reveal(&member(), day(11), 1, &seed()),
        Err(Refusal::AlreadyRevealed { number: 1 })
    );
    let d = i.draw(1).unwrap();
    assert_eq!(d.revealed.as_ref().unwrap().sample, sample);
    assert!(check_revealed(d).unwrap().is_valid());

    // A record altered behind the platform's back no longer checks.
    let mut forged = d.clone();
    if let Some(r) = forged.revealed.as_mut() {
        r.sample.groups[0].ids[0] = "510304107299".into();
    }
    assert!(!check_revealed(&forged).unwrap().sample_matches);
    let mut forged = d.clone();
    if let Some(r) = forged.revealed.as_mut() {
        r.seed = Seed::from_bytes([3; 32]).to_hex();
    }
    assert!(!check_revealed(&forged).unwrap().commitment_matches);
    let mut forged = d.clone();
    if let Some(r) = forged.revealed.as_mut() {
        r.seed = "zz".into();
    }
    assert!(!check_revealed(&forged).unwrap().is_valid());
}

#[test]
fn draws_are_refused_outside_the_period_after_the_finish_or_for_a_bad_spec() {
    let mut i = planned();
    assert_eq!(
        i.make_draw(&lead(), day(1), &spec(), &seed(), day(31)),
        Err(Refusal::BadVisitDay)
    );
    assert_eq!(
        i.make_draw(&lead(), day(5), &spec(), &seed(), day(4)),
        Err(Refusal::BadVisitDay)
    );
    let mut too_many = spec();
    too_many.design = Design::Simple { size: 3 };
    assert!(matches!(
        i.make_draw(&lead(), day(1), &too_many, &seed(), day(2)),
        Err(Refusal::Draw(DrawError::UnexpectedStratum { .. }))
    ));
    assert_eq!(
        i.make_draw(&outsider(), day(1), &spec(), &seed(), day(2)),
        Err(Refusal::NotTeamMember)
    );
    i.start(&lead(), day(1)).unwrap();
    i.finish(&lead(), day(2)).unwrap();
    assert!(matches!(
        i.make_draw(&lead(), day(2), &spec(), &seed(), day(3)),
        Err(Refusal::WrongState { .. })
    ));
}

#[test]
fn an_inspection_survives_its_json() {
    let mut i = planned();
    i.make_draw(&lead(), day(1), &spec(), &seed(), day(2))
        .unwrap();
    i.start(&lead(), day(2)).unwrap();
    i.add_finding(&lead(), day(2), code("510304107201"), "S000-04", "数字脱贫")
        .unwrap();
    i.reveal(&lead(), day(2), 1, &seed()).unwrap();
    let json = serde_json::to_string(&i).unwrap();
    let back: Inspection = serde_json::from_str(&json).unwrap();
    assert_eq!(back, i);
    assert!(
        serde_json::from_str::<Inspection>(&json.replace("510304107201", "51030410720x")).is_err()
    );
}

#[test]
fn vocabularies_have_unique_codes_and_messages() {
    for k in InspectionKind::ALL {
        assert_eq!(InspectionKind::parse(k.code()), Ok(*k));
        assert_eq!(InspectionKind::parse(k.zh()), Ok(*k));
    }
    assert_eq!(InspectionKind::ALL.len(), 7);
    for s in InspectionState::ALL {
        assert_eq!(InspectionState::parse(s.code()), Ok(*s));
    }
}

#[derive(Debug, Clone)]
enum Act {
    Start(bool, u64),
    Finish(bool, u64),
    Finding(bool, u64, bool),
    Draw(bool, u64, u64),
    Reveal(bool, u64, u32, bool),
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        (any::<bool>(), 0u64..40).prop_map(|(t, d)| Act::Start(t, d)),
        (any::<bool>(), 0u64..40).prop_map(|(t, d)| Act::Finish(t, d)),
        (any::<bool>(), 0u64..40, any::<bool>()).prop_map(|(t, d, s)| Act::Finding(t, d, s)),
        (any::<bool>(), 0u64..40, 0u64..40).prop_map(|(t, d, v)| Act::Draw(t, d, v)),
        (any::<bool>(), 0u64..40, 1u32..4, any::<bool>())
            .prop_map(|(t, d, n, s)| Act::Reveal(t, d, n, s)),
    ]
}

proptest! {
    /// Whatever acts are tried in whatever order: an outsider never changes anything, no seed
    /// is revealed before its visit day or without matching its commitment, findings stay in
    /// scope and numbered in order, and every revealed draw verifies.
    #[test]
    fn no_sequence_of_acts_reveals_early_or_lets_an_outsider_in(acts in prop::collection::vec(act(), 0..30)) {
        let mut i = planned();
        for a in acts {
            let before = i.clone();
            let who = |team: bool| if team { member() } else { outsider() };
            let (team, result) = match a {
                Act::Start(t, d) => (t, i.start(&who(t), day(d)).map(|_| ())),
                Act::Finish(t, d) => (t, i.finish(&who(t), day(d)).map(|_| ())),
                Act::Finding(t, d, inside) => {
                    let area = if inside { code("510304107201") } else { code("510304101201") };
                    (t, i.add_finding(&who(t), day(d), area, "S000-04", "问题").map(|_| ()))
                }
                Act::Draw(t, d, v) => (t, i.make_draw(&who(t), day(d), &spec(), &seed(), day(v)).map(|_| ())),
                Act::Reveal(t, d, n, right) => {
                    let s = if right { seed() } else { Seed::from_bytes([9; 32]) };
                    (t, i.reveal(&who(t), day(d), n, &s))
                }
            };
            if !team {
                prop_assert!(result.is_err());
            }
            if result.is_err() {
                prop_assert_eq!(&i, &before);
            }
        }
        for (k, f) in i.findings.iter().enumerate() {
            prop_assert_eq!(f.number as usize, k + 1);
            prop_assert!(i.scope.covers(&f.area));
        }
        for d in &i.draws {
            if let Some(r) = &d.revealed {
                prop_assert!(r.on >= d.visit_on);
                prop_assert!(check_revealed(d).is_some_and(|v| v.is_valid()));
            }
        }
    }
}
