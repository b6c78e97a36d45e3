//! Every rule on a fixture: cases that must be reported, and look-alikes that must not.

use super::*;
use crate::id_number::IdNumber;
use proptest::prelude::*;

const V1: &str = "510304100201";
const V2: &str = "510304100202";

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A valid ID number born on `birth` with sequence `seq`.
fn id(birth: &str, seq: u16) -> String {
    IdNumber::build("510304", date(birth), seq)
        .as_str()
        .to_string()
}

fn text(s: &str) -> Cell {
    if s.is_empty() {
        Cell::Null
    } else {
        Cell::Text(s.into())
    }
}

/// A fixture: households and persons, and source rows given as cells.
#[derive(Default)]
struct Fixture {
    data: CheckData,
}

impl Fixture {
    fn household(&mut self, hid: &str, village: &str, status: HouseholdStatus) -> &mut Self {
        self.data.households.push(HouseholdFacts {
            id: hid.into(),
            village: AreaCode::parse(village).unwrap(),
            status,
            income_fen: 2_000_000,
            income_year: 2020,
            housing_safe: true,
            water_safe: true,
        });
        self
    }

    fn person(&mut self, hid: &str, id_number: &str, name: &str) -> &mut Self {
        let birth = IdNumber::parse(id_number, date("2026-01-01"))
            .unwrap()
            .birth_date();
        self.data.persons.push(PersonFacts {
            id_number: id_number.into(),
            name: name.into(),
            household_id: hid.into(),
            birth_date: birth,
            school_status: None,
        });
        self
    }

    fn row(&mut self, kind: SourceKind, cells: Vec<Cell>) -> &mut Self {
        let rows = self.data.sources.entry(kind).or_default();
        let line = rows.len() as u64 + 2;
        rows.push(SourceRow {
            line,
            record: SourceRecord { cells },
        });
        self
    }

    fn find(&self, rule: Rule) -> Vec<(String, Option<String>)> {
        let mut params = CheckParams::defaults(2020);
        params.rules = [rule].into_iter().collect();
        run(&self.data, &params, &mut |_, _, _| {})
            .findings
            .into_iter()
            .map(|f| {
                assert_eq!(f.rule, rule);
                assert_eq!(f.subject_kind, rule.subject());
                assert!(!f.evidence.is_empty(), "{rule:?} without evidence");
                (f.subject_id, f.village.map(|v| v.as_str().to_string()))
            })
            .collect()
    }
}

fn subjects(found: &[(String, Option<String>)]) -> Vec<&str> {
    found.iter().map(|(s, _)| s.as_str()).collect()
}

#[test]
fn r02_reports_a_person_in_two_active_households_but_not_with_a_removed_one() {
    let a = id("1980-01-01", 11);
    let b = id("1981-01-01", 13);
    let mut f = Fixture::default();
    f.household("H2", V2, HouseholdStatus::Registered)
        .household("H1", V1, HouseholdStatus::Exited)
        .household("H3", V1, HouseholdStatus::Removed)
        .household("H4", V1, HouseholdStatus::Registered)
        .person("H1", &a, "甲")
        .person("H2", &a, "甲")
        .person("H3", &b, "乙")
        .person("H4", &b, "乙");
    // Routed to the home: the active household with the lowest number, H1 in V1.
    assert_eq!(f.find(Rule::R02), vec![(a, Some(V1.to_string()))]);
}

#[test]
fn r03_reports_an_active_person_on_the_employee_roster_only() {
    let a = id("1980-01-01", 11);
    let removed = id("1982-01-01", 15);
    let mut f = Fixture::default();
    f.household("H1", V1, HouseholdStatus::Monitored)
        .household("H2", V1, HouseholdStatus::Removed)
        .person("H1", &a, "甲")
        .person("H2", &removed, "丙")
        .row(
            SourceKind::PublicEmployees,
            vec![text(&a), text("甲"), text("县教育局")],
        )
        .row(
            SourceKind::PublicEmployees,
            vec![text(&removed), text("丙"), text("")],
        );
    assert_eq!(subjects(&f.find(Rule::R03)), vec![a.as_str()]);
}

#[test]
fn r04_reports_a_car_but_not_a_farm_vehicle_truck_or_motorcycle() {
    let car_owner = id("1980-01-01", 11);
    let farmer = id("1981-01-01", 13);
    let mut f = Fixture::default();
    f.household("H1", V1, HouseholdStatus::Registered)
        .household("H2", V1, HouseholdStatus::Registered)
        .person("H1", &car_owner, "甲")
        .person("H2", &farmer, "乙");
    for (owner, ty) in [
        (&car_owner, "car"),
        (&farmer, "farm"),
        (&farmer, "truck"),
        (&farmer, "motorcycle"),
    ] {
        f.row(
            SourceKind::Vehicles,
            vec![text(owner), text("川C1"), text(ty), Cell::Null],
        );
    }
    assert_eq!(f.find(Rule::R04), vec![("H1".into(), Some(V1.into()))]);
}

#[test]
fn r05_reports_capital_at_the_threshold_but_not_a_small_cooperative() {
    let boss = id("1980-01-01", 11);
    let coop = id("1981-01-01", 13);
    let mut f = Fixture::default();
    f.household("H1", V1, HouseholdStatus::Registered)
        .household("H2", V1, HouseholdStatus::Registered)
        .person("H1", &boss, "甲")
        .person("H2", &coop, "乙")
        .row(
            SourceKind::Businesses,
            vec![text(&boss), text("某公司"), Cell::Int(10_000_000)],
        )
        .row(
            SourceKind::Businesses,
            vec![text(&coop), text("某合作社"), Cell::Int(9_999_999)],
        );
    assert_eq!(subjects(&f.find(Rule::R05)), vec!["H1"]);
}

#[test]
fn r06_reports_urban_housing_of_any_member_once_per_household() {
    let head = id("1970-01-01", 11);
    let son = id("1995-01-01", 13);
    let mut f = Fixture::default();
    f.household("H1", V1, HouseholdStatus::Exited)
        .household("H9", V1, HouseholdStatus::Removed)
        .person("H1", &head, "甲")
        .person("H1", &son, "乙")
        .person("H9", &id("1990-02-02", 17), "丁")
        .row(
            SourceKind::UrbanHousing,
            vec![text(&head), text("自贡"), text("89.5"), Cell::Null],
        )
        .row(
            SourceKind::UrbanHousing,
            vec![text(&son), text("成都"), text("60"), Cell::Null],
        )
        .row(
            SourceKind::UrbanHousing,
            vec![
                text(&id("1990-02-02", 17)),
                text("成都"),
                text("60"),
                Cell::Null,
            ],
        );
    let found = {
        let mut params = CheckParams::defaults(2020);
        params.rules = [Rule::R06].into_iter().collect();
        run(&f.data, &params, &mut |_, _, _| {}).findings
    };
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].subject_id, "H1");
    assert_eq!(
        found[0].evidence.len(),
        2,
        "both members' flats are evidence"
    );
}

#[test]
fn r07_reports_an_active_person_on_the_death_list() {
    let dead = id("1940-01-01", 11);
    let mut f = Fixture::default();
    f.household("H1", V1, HouseholdStatus::Registered)
        .person("H1", &dead, "甲")
        .row(SourceKind::Deaths, vec![text(&dead), text("2020-05-01")])
        .row(
            SourceKind::Deaths,
            vec![text(&id("1941-01-01", 13)), text("2020-05-01")],
        );
    assert_eq!(subjects(&f.find(Rule::R07)), vec![dead.as_str()]);
}

#[test]
fn r08_reports_a_cadre_and_a_declared_relative_in_the_same_village_only() {
    let cadre = id("1970-01-01", 11);
    let relative = id("1972-01-01", 13);
    let cadre_elsewhere = id("1971-01-01", 15);
    let relative_elsewhere = id("1973-01-01", 17);
    let mut f = Fixture::default();
    f.household("H1", V1, HouseholdStatus::Registered)
        .household("H2", V1, HouseholdStatus::Registered)
        .household("H3", V1, HouseholdStatus::Registered)
        .household("H4", V2, HouseholdStatus::Registered)
        .person("H1", &cadre, "甲")
        .person("H2", &relative, "乙")
        .person("H3", &cadre_elsewhere, "丙")
        .person("H4", &relative_elsewhere, "丁")
        .row(
            SourceKind::Cadres,
            vec![text(&cadre), text("甲"), text(V1), text("村主任")],
        )
        // A cadre of V2 registered in V1: not "in the same village".
        .row(
            SourceKind::Cadres,
            vec![text(&cadre_elsewhere), text("丙"), text(V2), text("文书")],
        )
        .row(
            SourceKind::CadreKin,
            vec![text(&cadre), text(&relative), text("兄弟")],
        )
        // A relative of a V1 cadre registered in V2.
        .row(
            SourceKind::CadreKin,
            vec![text(&cadre), text(&relative_elsewhere), text("姐妹")],
        );
    let mut expected = vec![cadre.as_str(), relative.as_str()];
    expected.sort();
    assert_eq!(subjects(&f.find(Rule::R08)), expected);
}

#[test]
fn r09_reports_exits_below_the_line_or_unsafe_and_not_registered_ones() {
    let mut f = Fixture::default();
    f.household("LOW", V1, HouseholdStatus::Exited)
        .household("OK", V1, HouseholdStatus::Exited)
        .household("HOUSE", V1, HouseholdStatus::Exited)
        .household("REG", V1, HouseholdStatus::Registered);
    // Two members, 7999.99 yuan: 3999.995 per person, below 4000.
    f.data.households[0].income_fen = 799_999;
    // Two members, exactly 8000: not below.
    f.data.households[1].income_fen = 800_000;
    f.data.households[2].income_fen = 800_000;
    f.data.households[2].housing_safe = false;
    f.data.households[3].income_fen = 100;
    for (i, h) in ["LOW", "OK", "HOUSE", "REG"].iter().enumerate() {
        f.person(h, &id("1970-01-01", (i * 4 + 1) as u16), "甲")
            .person(h, &id("1971-01-01", (i * 4 + 3) as u16), "乙");
    }
    let mut expected = vec!["HOUSE", "LOW"];
    expected.sort();
    assert_eq!(subjects(&f.find(Rule::R09)), expected);
}

#[test]
fn r09_uses_the_line_of_the_income_year_and_notes_a_year_without_one() {
    let mut f = Fixture::default();
    f.household("Y2016", V1, HouseholdStatus::Exited)
        .household("Y2019", V1, HouseholdStatus::Exited)
        .person("Y2016", &id("1970-01-01", 1), "甲")
        .person("Y2019", &id("1970-01-01", 3), "乙");
    // 3500 yuan: above 2016's 3100, below 2020's 4000.
    f.data.households[0].income_fen = 350_000;
    f.data.households[0].income_year = 2016;
    f.data.households[1].income_fen = 100;
    f.data.households[1].income_year = 2019;
    assert!(f.find(Rule::R09).is_empty());
    let mut params = CheckParams::defaults(2020);
    params.rules = [Rule::R09].into_iter().collect();
    let notes = run(&f.data, &params, &mut |_, _, _| {}).notes;
    assert_eq!(notes.len(), 1);
    assert!(notes[0].contains("2019"), "{notes:?}");
}

#[test]
fn r10_reports_an_unenrolled_child_but_not_one_aged_5_years_364_days_or_taught_at_home() {
    // Reference date 2020-09-01.
    let six = id("2014-09-01", 11); // 6 on the day
    let almost_six = id("2014-09-02", 13); // 5 years 364 days
    let fifteen = id("2004-09-02", 15); // 15 (16 the next day)
    let sixteen = id("2004-09-01", 17); // 16 on the day
    let home_taught = id("2010-01-01", 19);
    let enrolled = id("2010-01-01", 21);
    let suspended = id("2010-01-01", 23);
    let mut f = Fixture::default();
    f.household("H1", V1, HouseholdStatus::Registered);
    for p in [
        &six,
        &almost_six,
        &fifteen,
        &sixteen,
        &home_taught,
        &enrolled,
        &suspended,
    ] {
        f.person("H1", p, "童");
    }
    f.data.persons[4].school_status = Some(SchoolStatus::HomeTaught);
    f.row(
        SourceKind::Students,
        vec![
            text(&enrolled),
            text("某小学"),
            text("四年级"),
            text("enrolled"),
        ],
    )
    .row(
        SourceKind::Students,
        vec![
            text(&suspended),
            text("某小学"),
            text("四年级"),
            text("suspended"),
        ],
    );
    let mut expected = vec![six.as_str(), fifteen.as_str(), suspended.as_str()];
    expected.sort();
    assert_eq!(subjects(&f.find(Rule::R10)), expected);
}

#[test]
fn r11_reports_active_persons_insured_for_another_year_or_not_at_all() {
    let insured = id("1980-01-01", 11);
    let last_year = id("1980-01-01", 13);
    let never = id("1980-01-01", 15);
    let mut f = Fixture::default();
    f.household("H1", V1, HouseholdStatus::Registered)
        .household("H2", V1, HouseholdStatus::Removed)
        .person("H1", &insured, "甲")
        .person("H1", &last_year, "乙")
        .person("H1", &never, "丙")
        .person("H2", &id("1980-01-01", 17), "丁")
        .row(SourceKind::Insured, vec![text(&insured), Cell::Int(2020)])
        .row(SourceKind::Insured, vec![text(&last_year), Cell::Int(2019)]);
    let mut expected = vec![last_year.as_str(), never.as_str()];
    expected.sort();
    assert_eq!(subjects(&f.find(Rule::R11)), expected);
}

fn payment(f: &mut Fixture, pid: &str, payee: &str, program: &str, paid_on: &str, account: &str) {
    f.row(
        SourceKind::Payments,
        vec![
            text(pid),
            text(payee),
            text(program),
            Cell::Int(10_000),
            text(paid_on),
            text(account),
        ],
    );
}

#[test]
fn r12_reports_a_payment_after_death_but_not_one_before_or_on_the_day() {
    let dead = id("1940-01-01", 11);
    let mut f = Fixture::default();
    f.household("H1", V1, HouseholdStatus::Removed)
        .person("H1", &dead, "甲")
        .row(SourceKind::Deaths, vec![text(&dead), text("2020-05-10")]);
    payment(&mut f, "P1", &dead, "低保", "2020-05-09", "A1");
    payment(&mut f, "P2", &dead, "低保", "2020-05-10", "A1");
    payment(&mut f, "P3", &dead, "低保", "2020-06-10", "A1");
    // A payment is reported whatever the household's status; routed to its village.
    assert_eq!(f.find(Rule::R12), vec![("P3".into(), Some(V1.into()))]);
}

#[test]
fn r13_reports_every_payment_but_the_first_of_its_payee_program_and_month() {
    let a = id("1960-01-01", 11);
    let mut f = Fixture::default();
    f.household("H1", V1, HouseholdStatus::Registered)
        .person("H1", &a, "甲");
    payment(&mut f, "P3", &a, "低保", "2020-05-01", "A1");
    payment(&mut f, "P2", &a, "低保", "2020-05-01", "A1"); // same day, lower id: first
    payment(&mut f, "P4", &a, "低保", "2020-05-31", "A1");
    payment(&mut f, "P5", &a, "低保", "2020-06-01", "A1"); // next month
    payment(&mut f, "P6", &a, "养老", "2020-05-15", "A1"); // other program
    assert_eq!(subjects(&f.find(Rule::R13)), vec!["P3", "P4"]);
}

#[test]
fn r14_reports_an_account_for_three_households_but_not_a_family_sharing_one() {
    let mut f = Fixture::default();
    for (h, v) in [("H1", V2), ("H2", V1), ("H3", V1), ("F", V1)] {
        f.household(h, v, HouseholdStatus::Registered);
    }
    let (a, b, c) = (
        id("1960-01-01", 11),
        id("1961-01-01", 13),
        id("1962-01-01", 15),
    );
    let (x, y, z) = (
        id("1970-01-01", 11),
        id("1971-01-01", 13),
        id("1972-01-01", 15),
    );
    f.person("H1", &a, "甲")
        .person("H2", &b, "乙")
        .person("H3", &c, "丙");
    f.person("F", &x, "父")
        .person("F", &y, "母")
        .person("F", &z, "子");
    for (i, p) in [&a, &b, &c].iter().enumerate() {
        payment(&mut f, &format!("P{i}"), p, "低保", "2020-05-01", "SHARED");
    }
    for (i, p) in [&x, &y, &z].iter().enumerate() {
        payment(&mut f, &format!("Q{i}"), p, "低保", "2020-05-01", "FAMILY");
    }
    // Routed to the lowest village among the households.
    assert_eq!(f.find(Rule::R14), vec![("SHARED".into(), Some(V1.into()))]);
}

#[test]
fn r15_reports_same_name_and_birth_date_but_not_same_name_alone() {
    let a = id("1980-03-03", 11);
    let b = id("1980-03-03", 13);
    let c = id("1980-03-04", 15);
    let mut f = Fixture::default();
    f.household("H1", V1, HouseholdStatus::Registered)
        .household("H2", V2, HouseholdStatus::Registered)
        .person("H1", &a, "王芳")
        .person("H2", &b, "王芳")
        .person("H2", &c, "王芳");
    let (lo, hi) = if a < b { (&a, &b) } else { (&b, &a) };
    assert_eq!(subjects(&f.find(Rule::R15)), vec![format!("{lo}|{hi}")]);
}

#[test]
fn r15_reports_id_numbers_one_character_apart() {
    // Stored numbers are valid, so two that differ in one character cannot both be: the rule
    // still finds them when they are (a registry loaded before validation existed).
    let mut f = Fixture::default();
    f.household("H1", V1, HouseholdStatus::Registered);
    for (n, birth) in [
        ("510304198001010011", "1980-01-01"),
        ("510304198101010011", "1981-01-01"),
        ("510304198101010022", "1981-01-01"),
    ] {
        f.data.persons.push(PersonFacts {
            id_number: n.into(),
            name: "李明".into(),
            household_id: "H1".into(),
            birth_date: date(birth),
            school_status: None,
        });
    }
    let found = f.find(Rule::R15);
    assert_eq!(
        subjects(&found),
        vec![
            "510304198001010011|510304198101010011",
            // Same birth date (and two characters apart).
            "510304198101010011|510304198101010022",
        ]
    );
}

#[test]
fn findings_are_sorted_by_rule_then_subject_and_progress_reaches_the_end() {
    let a = id("1980-01-01", 11);
    let mut f = Fixture::default();
    f.household("H1", V1, HouseholdStatus::Registered)
        .person("H1", &a, "甲")
        .row(SourceKind::Deaths, vec![text(&a), text("2020-05-10")]);
    let params = CheckParams::defaults(2020);
    let mut calls = Vec::new();
    let out = run(&f.data, &params, &mut |r, done, total| {
        calls.push((r, done, total))
    });
    let rules: Vec<Rule> = out.findings.iter().map(|f| f.rule).collect();
    assert_eq!(rules, vec![Rule::R07, Rule::R11]);
    assert_eq!(calls.first().map(|c| (c.1, c.2)), Some((0, 14)));
    assert_eq!(calls.last().map(|c| (c.1, c.2)), Some((14, 14)));
}

#[test]
fn evidence_names_the_source_file_and_line() {
    let a = id("1980-01-01", 11);
    let mut f = Fixture::default();
    f.household("H1", V1, HouseholdStatus::Registered)
        .person("H1", &a, "甲")
        .row(
            SourceKind::Deaths,
            vec![text(&id("1950-01-01", 1)), text("2020-01-01")],
        )
        .row(SourceKind::Deaths, vec![text(&a), text("2020-05-10")]);
    let mut params = CheckParams::defaults(2020);
    params.rules = [Rule::R07].into_iter().collect();
    let out = run(&f.data, &params, &mut |_, _, _| {});
    assert_eq!(out.findings[0].detail(), "deaths.csv:3 2020-05-10");
}

proptest! {
    /// Whatever the registry holds, removed households and their members are never reported,
    /// and there is at most one finding per (rule, subject).
    #[test]
    fn removed_households_are_never_reported_and_subjects_are_unique(
        statuses in proptest::collection::vec(0usize..4, 1..12),
        members in proptest::collection::vec((0usize..12, 0u16..40), 0..40),
    ) {
        let all = [
            HouseholdStatus::Registered,
            HouseholdStatus::Exited,
            HouseholdStatus::Monitored,
            HouseholdStatus::Removed,
        ];
        let mut f = Fixture::default();
        for (i, s) in statuses.iter().enumerate() {
            f.household(&format!("H{i:02}"), V1, all[*s]);
        }
        let mut removed_ids = HashSet::default();
        let mut active_ids = HashSet::default();
        for (h, seq) in &members {
            let h = h % statuses.len();
            let pid = id("1980-01-01", *seq);
            if all[statuses[h]] == HouseholdStatus::Removed {
                removed_ids.insert(pid.clone());
            } else {
                active_ids.insert(pid.clone());
            }
            f.person(&format!("H{h:02}"), &pid, "同名");
            f.row(SourceKind::Deaths, vec![text(&pid), text("2020-01-01")]);
            f.row(SourceKind::Vehicles, vec![text(&pid), text("川C1"), text("car"), Cell::Null]);
        }
        let out = run(&f.data, &CheckParams::defaults(2020), &mut |_, _, _| {});
        let mut seen = HashSet::default();
        for finding in &out.findings {
            prop_assert!(seen.insert((finding.rule, finding.subject_id.clone())));
            match finding.subject_kind {
                SubjectKind::Person => prop_assert!(active_ids.contains(&finding.subject_id)),
                SubjectKind::Household => {
                    let h = f.data.households.iter().find(|h| h.id == finding.subject_id).unwrap();
                    prop_assert_ne!(h.status, HouseholdStatus::Removed);
                }
                SubjectKind::PersonPair => {
                    for p in finding.subject_id.split('|') {
                        prop_assert!(active_ids.contains(p));
                    }
                }
                _ => {}
            }
        }
        let sorted = out.findings.windows(2).all(|w| {
            (w[0].rule, &w[0].subject_id) <= (w[1].rule, &w[1].subject_id)
        });
        prop_assert!(sorted);
    }
}

#[test]
fn a_confirmed_lead_needs_an_action_and_an_explained_one_an_explanation() {
    use crate::problem::Problem;
    assert_eq!(
        Verification::parse("confirmed", None, "核实属实"),
        Err(("action", Problem::Required))
    );
    assert_eq!(
        Verification::parse("explained", None, "  "),
        Err(("note", Problem::Required))
    );
    assert!(Verification::parse("open", None, "x").is_err());
    assert!(Verification::parse("confirmed", Some("burn"), "x").is_err());
    assert_eq!(
        Verification::parse("核实属实", Some("removal"), "").unwrap(),
        Verification::Confirmed {
            action: LeadAction::Removal,
            note: String::new()
        }
    );
    assert_eq!(
        Verification::parse("explained", None, "车辆登记在雇主名下")
            .unwrap()
            .state(),
        LeadState::Explained
    );
    assert!(Verification::parse("explained", None, &"长".repeat(1001)).is_err());
}

#[test]
fn only_an_open_lead_may_be_verified() {
    assert!(may_verify(LeadState::Open).is_ok());
    for s in [LeadState::Gone, LeadState::Confirmed, LeadState::Explained] {
        assert!(may_verify(s).is_err());
    }
}
