//! The indicators on households built to sit on each side of every line.

use super::*;
use crate::standards::StandardEntry;
use proptest::prelude::*;

const V1: &str = "510304100201";
const V2: &str = "510304100202";

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn code(s: &str) -> AreaCode {
    AreaCode::parse(s).unwrap()
}

fn adult() -> MemberFacts {
    MemberFacts {
        birth_date: date("1970-05-01"),
        school_status: Some(SchoolStatus::NotInSchool),
        medical_insurance: Some(true),
        deceased_on: None,
    }
}

fn child(birth: &str, school: Option<SchoolStatus>) -> MemberFacts {
    MemberFacts {
        birth_date: date(birth),
        school_status: school,
        ..adult()
    }
}

/// A registered household of `n` adults in V1 with a per-capita income of `per_capita` yuan in
/// 2020, safe housing and water.
fn household(per_capita: i64, n: usize) -> ExitHousehold {
    ExitHousehold {
        facts: HouseholdFacts {
            id: "H1".into(),
            village: code(V1),
            status: HouseholdStatus::Registered,
            income_fen: per_capita * 100 * n as i64,
            income_year: 2020,
            housing_safe: true,
            water_safe: true,
        },
        members: vec![adult(); n],
    }
}

fn outcome(h: &ExitHousehold, i: Indicator, s: &Standards) -> Outcome {
    let p = ExitParams {
        year: 2020,
        standards: s,
    };
    evaluate(&h.facts, &h.members, &p)
        .results
        .into_iter()
        .find(|r| r.indicator == i)
        .unwrap()
        .outcome
}

#[test]
fn income_must_be_above_the_line_not_on_it() {
    let s = Standards::default();
    assert_eq!(
        outcome(&household(4001, 3), Indicator::Income, &s),
        Outcome::Pass
    );
    assert_eq!(
        outcome(&household(4000, 3), Indicator::Income, &s),
        Outcome::Fail
    );
    // One fen above the line for the household as a whole is above it.
    let mut h = household(4000, 3);
    h.facts.income_fen += 1;
    assert_eq!(outcome(&h, Indicator::Income, &s), Outcome::Pass);
}

#[test]
fn a_regional_line_is_the_one_applied() {
    let s = Standards::new(vec![StandardEntry {
        key: StandardKey::PovertyLine,
        year: Some(2020),
        region: Some("51".into()),
        value: 4500,
        source: "test".into(),
        confirmed: true,
    }]);
    assert_eq!(
        outcome(&household(4200, 2), Indicator::Income, &s),
        Outcome::Fail
    );
    assert_eq!(
        outcome(&household(4501, 2), Indicator::Income, &s),
        Outcome::Pass
    );
}

#[test]
fn the_dead_do_not_count_in_per_capita_income() {
    let mut h = household(2500, 2); // 5000 yuan for two
    h.members[1].deceased_on = Some(date("2020-03-01"));
    let p = ExitParams {
        year: 2020,
        standards: &Standards::default(),
    };
    let e = evaluate(&h.facts, &h.members, &p);
    assert_eq!(e.results[0].outcome, Outcome::Pass);
    assert!(matches!(
        e.results[0].evidence,
        Evidence::Income {
            members: 1,
            per_capita_fen: 500_000,
            ..
        }
    ));
}

#[test]
fn old_income_or_a_year_without_a_line_is_missing_data_not_a_pass() {
    let s = Standards::default();
    let mut h = household(9000, 2);
    h.facts.income_year = 2018; // two years before 2020, default validity one year
    assert_eq!(outcome(&h, Indicator::Income, &s), Outcome::Missing);
    h.facts.income_year = 2019; // one year: valid, but no line for 2019
    assert_eq!(outcome(&h, Indicator::Income, &s), Outcome::Missing);
    let mut empty = household(9000, 1);
    empty.members[0].deceased_on = Some(date("2019-01-01"));
    assert_eq!(outcome(&empty, Indicator::Income, &s), Outcome::Missing);
}

#[test]
fn a_monitored_household_is_judged_against_the_monitoring_line() {
    let s = Standards::default();
    let mut h = household(5000, 2);
    assert_eq!(outcome(&h, Indicator::Income, &s), Outcome::Pass);
    h.facts.status = HouseholdStatus::Monitored;
    assert_eq!(outcome(&h, Indicator::Income, &s), Outcome::Fail);
    h.facts.income_fen = 6001 * 200;
    assert_eq!(outcome(&h, Indicator::Income, &s), Outcome::Pass);
}

#[test]
fn compulsory_education_covers_ages_six_to_fifteen_on_the_first_of_september() {
    let s = Standards::default();
    let with = |m: MemberFacts| {
        let mut h = household(9000, 1);
        h.members.push(m);
        outcome(&h, Indicator::Education, &s)
    };
    // 6 on 1 September 2020 and out of school: fails.
    assert_eq!(
        with(child("2014-09-01", Some(SchoolStatus::Dropout))),
        Outcome::Fail
    );
    assert_eq!(
        with(child("2014-09-01", Some(SchoolStatus::NotInSchool))),
        Outcome::Fail
    );
    // 5 years 364 days: not yet of school age.
    assert_eq!(
        with(child("2014-09-02", Some(SchoolStatus::NotInSchool))),
        Outcome::Pass
    );
    // 16 on the day: past it.
    assert_eq!(
        with(child("2004-09-01", Some(SchoolStatus::Dropout))),
        Outcome::Pass
    );
    // Taught at home for a severe disability counts as schooling.
    assert_eq!(
        with(child("2010-01-01", Some(SchoolStatus::HomeTaught))),
        Outcome::Pass
    );
    assert_eq!(
        with(child("2010-01-01", Some(SchoolStatus::Primary))),
        Outcome::Pass
    );
    assert_eq!(with(child("2010-01-01", None)), Outcome::Missing);
}

#[test]
fn every_living_member_needs_basic_medical_insurance() {
    let s = Standards::default();
    let mut h = household(9000, 3);
    h.members[2].medical_insurance = None;
    assert_eq!(outcome(&h, Indicator::Medical, &s), Outcome::Missing);
    h.members[1].medical_insurance = Some(false);
    let p = ExitParams {
        year: 2020,
        standards: &s,
    };
    let e = evaluate(&h.facts, &h.members, &p);
    let med = &e.results[4];
    assert_eq!(med.outcome, Outcome::Fail);
    assert_eq!(
        med.evidence,
        Evidence::Members {
            considered: 3,
            failing: vec![1],
            missing: vec![2]
        }
    );
    h.members[1].deceased_on = Some(date("2020-01-01"));
    h.members[2].medical_insurance = Some(true);
    assert_eq!(outcome(&h, Indicator::Medical, &s), Outcome::Pass);
}

#[test]
fn food_and_clothing_wait_for_the_visit_and_do_not_block() {
    let s = Standards::default();
    let h = household(9000, 2);
    assert_eq!(outcome(&h, Indicator::Food, &s), Outcome::Visit);
    let p = ExitParams {
        year: 2020,
        standards: &s,
    };
    assert!(evaluate(&h.facts, &h.members, &p).meets());
    let mut unsafe_house = household(9000, 2);
    unsafe_house.facts.housing_safe = false;
    let e = evaluate(&unsafe_house.facts, &unsafe_house.members, &p);
    assert!(!e.meets());
    let blocking: Vec<_> = e.blocking().map(|r| r.indicator).collect();
    assert_eq!(blocking, [Indicator::Housing]);
}

#[test]
fn village_figures_count_candidates_and_what_blocks_the_others() {
    let mut a = household(9000, 2);
    let mut b = household(3000, 3);
    b.facts.water_safe = false;
    let mut c = household(9000, 1);
    c.facts.status = HouseholdStatus::Exited;
    c.facts.housing_safe = false;
    let mut d = household(9000, 4);
    d.facts.status = HouseholdStatus::Removed;
    let mut e = household(9000, 1);
    e.facts.village = code(V2);
    a.facts.id = "A".into();
    let s = Standards::default();
    let p = ExitParams {
        year: 2020,
        standards: &s,
    };
    let f = village_figures(&[a, b, c, d, e], &p);
    let v1 = &f[&code(V1)];
    assert_eq!(v1.registered_households, 2);
    assert_eq!(v1.registered_persons, 5);
    assert_eq!(v1.candidate_households, 1);
    assert_eq!(v1.candidate_persons, 2);
    assert_eq!(v1.blocked_by[0], 1, "income");
    assert_eq!(v1.blocked_by[6], 1, "water");
    assert_eq!(v1.exited_not_meeting, 1);
    assert_eq!(v1.remaining_persons(), 3);
    assert_eq!(f[&code(V2)].candidate_households, 1);
}

#[test]
fn incidence_rounds_up_so_a_hair_over_the_threshold_does_not_pass() {
    assert_eq!(incidence_bp(20, Some(1000)), Some(200));
    assert_eq!(incidence_bp(2001, Some(100_000)), Some(201));
    assert_eq!(incidence_bp(1, None), None);
    let j = judge_incidence(30, 20, Some(1000), Some(300));
    assert_eq!(j.meets_now, Some(false)); // 3.00 % is not below 3 %
    assert_eq!(j.meets_projected, Some(true));
    assert_eq!(judge_incidence(1, 1, None, Some(300)).meets_now, None);
}

#[test]
fn raising_the_line_shows_who_stops_being_eligible_and_which_villages_cross() {
    // V1: 100 rural people, 3 registered people: 2 can exit at a line of 4000, not at 4500.
    let a = household(4200, 2);
    let b = household(3000, 1);
    let mut exited = household(4200, 1);
    exited.facts.status = HouseholdStatus::Exited;
    let before = Standards::default();
    let after = before.with(StandardEntry {
        key: StandardKey::PovertyLine,
        year: Some(2020),
        region: None,
        value: 4500,
        source: "what if".into(),
        confirmed: true,
    });
    let pops = BTreeMap::from([(code(V1), 100)]);
    let w = what_if(&[a, b, exited], 2020, &before, &after, &pops);
    assert_eq!(w.total.no_longer_eligible_households, 1);
    assert_eq!(w.total.no_longer_eligible_persons, 2);
    assert_eq!(w.total.newly_eligible_households, 0);
    assert_eq!(w.total.exited_not_meeting_change, 1);
    // Projected incidence 1 % before (meets 3 %), 3 % after (does not).
    assert_eq!(w.crossings.len(), 1);
    assert_eq!(w.crossings[0].before.projected_bp, Some(100));
    assert_eq!(w.crossings[0].after.projected_bp, Some(300));
    // The reverse change shows the reverse.
    let back = what_if(
        &[household(4200, 2)],
        2020,
        &after,
        &before,
        &BTreeMap::new(),
    );
    assert_eq!(back.total.newly_eligible_households, 1);
    assert!(
        back.crossings.is_empty(),
        "no population, no verdict to flip"
    );
}

#[test]
fn a_threshold_change_alone_can_make_villages_cross() {
    let h = household(3000, 3); // stays registered
    let before = Standards::default(); // Sichuan: 3 %
    let after = before.with(StandardEntry {
        key: StandardKey::VillageExitIncidence,
        year: None,
        region: Some("51".into()),
        value: 400,
        source: "what if".into(),
        confirmed: true,
    });
    let pops = BTreeMap::from([(code(V1), 100)]); // 3.00 %
    let w = what_if(&[h], 2020, &before, &after, &pops);
    assert!(w.total.is_empty());
    assert_eq!(w.crossings.len(), 1);
    assert_eq!(w.crossings[0].after.meets_projected, Some(true));
}

proptest! {
    /// An unchanged standard never shifts anyone, and a household meets the indicators exactly
    /// when nothing blocks it.
    #[test]
    fn what_if_with_the_same_standards_changes_nothing(
        incomes in proptest::collection::vec((0i64..12_000, 1usize..6, any::<bool>(), any::<bool>()), 0..30),
    ) {
        let hs: Vec<ExitHousehold> = incomes
            .iter()
            .map(|(pc, n, house, water)| {
                let mut h = household(*pc, *n);
                h.facts.housing_safe = *house;
                h.facts.water_safe = *water;
                h
            })
            .collect();
        let s = Standards::default();
        let w = what_if(&hs, 2020, &s, &s, &BTreeMap::from([(code(V1), 1000)]));
        prop_assert!(w.total.is_empty());
        prop_assert!(w.crossings.is_empty());
        let p = ExitParams { year: 2020, standards: &s };
        for h in &hs {
            let e = evaluate(&h.facts, &h.members, &p);
            prop_assert_eq!(e.meets(), e.blocking().next().is_none());
            prop_assert_eq!(e.results.len(), Indicator::ALL.len());
        }
    }

    /// Raising the line never makes a registered household eligible.
    #[test]
    fn raising_the_line_only_removes_candidates(
        incomes in proptest::collection::vec((0i64..12_000, 1usize..6), 0..30),
        raise in 1i64..3000,
    ) {
        let hs: Vec<ExitHousehold> = incomes.iter().map(|(pc, n)| household(*pc, *n)).collect();
        let before = Standards::default();
        let after = before.with(StandardEntry {
            key: StandardKey::PovertyLine,
            year: Some(2020),
            region: None,
            value: 4000 + raise,
            source: "p".into(),
            confirmed: true,
        });
        let w = what_if(&hs, 2020, &before, &after, &BTreeMap::new());
        prop_assert_eq!(w.total.newly_eligible_households, 0);
    }
}
