//! Complaints end to end, each refusal, recusal, deadlines across a holiday, escalation, review,
//! the sealed identity, ticket codes, and property tests over random codes and random acts.

use super::*;
use crate::access::{Assignment, Login};
use proptest::prelude::*;

const COUNTY: &str = "510304";
const TOWNSHIP: &str = "510304107";
const VILLAGE: &str = "510304107201";

fn code(s: &str) -> AreaCode {
    AreaCode::parse_short(s).unwrap()
}

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

fn account_with(login: &str, role: Role, area: &str, sealed: bool) -> Account {
    Account {
        name: String::new(),
        login: Login::parse(login).unwrap(),
        disabled: false,
        assignments: vec![Assignment::new(role, code(area), None, None, sealed).unwrap()],
    }
}

/// The county discipline commission's officer, with the `sealed` permission.
fn discipline() -> Account {
    account_with("jiwei.county", Role::DisciplineOfficer, COUNTY, true)
}
fn discipline_unsealed() -> Account {
    account_with("jiwei.clerk", Role::DisciplineOfficer, COUNTY, false)
}
fn officer() -> Account {
    account_with("fpb.county", Role::CountyOfficer, COUNTY, false)
}
fn other_county_officer() -> Account {
    account_with("fpb.other", Role::CountyOfficer, "510311", false)
}
fn reviewer() -> Account {
    account_with("town.office", Role::TownshipReviewer, TOWNSHIP, false)
}
fn other_reviewer() -> Account {
    account_with("town.other", Role::TownshipReviewer, "510304108", false)
}
fn city() -> Account {
    account_with("jiwei.city", Role::DisciplineOfficer, "5103", true)
}
fn clerk() -> Account {
    account_with("village.clerk", Role::VillageClerk, VILLAGE, false)
}
fn admin() -> Account {
    account_with("admin", Role::Admin, "51", false)
}
fn leader() -> Account {
    account_with("leader", Role::Leader, COUNTY, false)
}

/// The 2026 National Day week: 10-01..07 off, Sunday 09-20 and Saturday 10-10 worked.
fn calendar() -> Calendar {
    Calendar::parse(
        "2026-09-20 workday\n2026-10-01 holiday\n2026-10-02 holiday\n2026-10-03 holiday\n\
         2026-10-04 holiday\n2026-10-05 holiday\n2026-10-06 holiday\n2026-10-07 holiday\n\
         2026-10-10 workday\n",
    )
    .unwrap()
}

fn rules() -> Deadlines {
    Deadlines::default()
}

fn input() -> NewComplaint {
    NewComplaint {
        accused_unit: "红旗村村民委员会".into(),
        accused_unit_area: VILLAGE.into(),
        accused_person: "王某".into(),
        accused_person_unit: "红旗村股份经济合作社".into(),
        classes: vec!["S000-15".into(), "embezzlement".into()],
        complainant: ComplainantInput {
            name: "李四".into(),
            phone: "138 0000 0000".into(),
            id_number: "51030419800101001x".into(),
        },
        ..NewComplaint::new(
            Channel::Hotline12317,
            VILLAGE,
            "村里的产业扶贫资金被挪用，\n群众没有拿到分红。",
        )
    }
}

fn county_unit() -> Unit {
    Unit::new(code(COUNTY), "大安区纪委监委第三纪检监察室").unwrap()
}
fn township_unit() -> Unit {
    Unit::new(code(TOWNSHIP), "牛佛镇纪委").unwrap()
}

fn registered() -> Complaint {
    Complaint::register(
        &input(),
        Actor::Officer(&discipline()),
        d(9, 29),
        0x0012_3456_789A,
        &rules(),
    )
    .unwrap()
}

/// A complaint routed to the county unit on 09-30, verified, with a finding.
fn found() -> Complaint {
    let cal = calendar();
    let mut c = registered();
    c.route(
        &discipline(),
        d(9, 30),
        county_unit(),
        Complexity::Simple,
        &rules(),
        &cal,
    )
    .unwrap();
    c.verify(&officer(), d(10, 8), "走访农户 12 户，核对分红台账")
        .unwrap();
    c.record_finding(
        &officer(),
        d(10, 12),
        Finding::Substantiated,
        "追回资金 3.2 万元，对责任人立案审查",
    )
    .unwrap();
    c
}

fn replied() -> Complaint {
    let mut c = found();
    c.reply(
        &officer(),
        d(10, 14),
        "经核查，反映问题属实，资金已追回并发放。",
    )
    .unwrap();
    c
}

#[test]
fn a_complaint_runs_from_registration_to_closing_with_a_reply() {
    let cal = calendar();
    let mut c = registered();
    assert_eq!(c.state, ComplaintState::Registered);
    assert_eq!(c.owner_area, code(COUNTY));
    assert_eq!(c.registered_by.as_deref(), Some("jiwei.county"));
    assert_eq!(c.ticket.year(), 2026);
    assert!(TicketCode::parse(c.ticket.as_str()).is_ok());
    assert_eq!(c.classes.len(), 2);
    assert_eq!(c.route_due(&cal), Some(d(9, 30)));
    assert_eq!(c.handling_due(&cal), Some(d(10, 26)), "15 working days");

    let late = c
        .route(
            &discipline(),
            d(9, 30),
            county_unit(),
            Complexity::Simple,
            &rules(),
            &cal,
        )
        .unwrap();
    assert!(!late);
    assert_eq!(c.state, ComplaintState::Routed);
    assert_eq!(c.route_due(&cal), None, "routed: no routing deadline runs");

    c.verify(&officer(), d(10, 8), "走访农户 12 户").unwrap();
    assert_eq!(c.state, ComplaintState::Handling);
    c.record_finding(&officer(), d(10, 12), Finding::Substantiated, "追回资金")
        .unwrap();
    assert_eq!(c.state, ComplaintState::Handling);
    c.reply(&officer(), d(10, 14), "经核查属实，资金已追回。")
        .unwrap();
    assert_eq!(c.state, ComplaintState::Replied);
    assert_eq!(c.handling_due(&cal), None);
    c.record_satisfaction(Actor::Public, d(10, 15), Satisfaction::Satisfied)
        .unwrap();
    c.close(&discipline(), d(10, 16)).unwrap();
    assert_eq!(c.state, ComplaintState::Closed);
    assert_eq!(c.closed_on, Some(d(10, 16)));
    assert_eq!(c.earlier_rounds.len(), 0);
    assert_eq!(c.rounds().count(), 1);
    assert!(!c.is_overdue(d(12, 31), &cal));

    let status = c.public_status(&cal, &rules());
    assert_eq!(status.state, ComplaintState::Closed);
    assert_eq!(status.reply, Some("经核查属实，资金已追回。"));
    assert_eq!(status.review_until, None, "satisfied");
    let public = serde_json::to_string(&status).unwrap();
    assert!(!public.contains("挪用") && !public.contains("牛佛镇") && !public.contains("李四"));
}

#[test]
fn a_complex_case_gets_60_working_days_and_the_holiday_week_does_not_count() {
    let cal = calendar();
    let mut c = registered();
    c.route(
        &discipline(),
        d(9, 30),
        county_unit(),
        Complexity::Complex,
        &rules(),
        &cal,
    )
    .unwrap();
    let due = c.handling_due(&cal).unwrap();
    assert_eq!(cal.working_days_between(d(9, 29), due), 60);
    assert!(cal.is_working_day(due));
    // Without the holidays, the same period ends earlier.
    assert!(Calendar::default().add_working_days(d(9, 29), 60).unwrap() < due);
    // The deadline is counted on the calendar given: a calendar corrected later moves it.
    assert_eq!(
        c.handling_due(&Calendar::default()),
        Calendar::default().add_working_days(d(9, 29), 60)
    );
}

#[test]
fn deadlines_are_parameters() {
    let cal = calendar();
    let rules = Deadlines {
        route_days: 3,
        simple_days: 10,
        complex_days: 20,
        review_window_days: 15,
    };
    let c =
        Complaint::register(&input(), Actor::Officer(&discipline()), d(9, 29), 7, &rules).unwrap();
    assert_eq!(c.route_due(&cal), cal.add_working_days(d(9, 29), 3));
    assert_eq!(c.handling_due(&cal), cal.add_working_days(d(9, 29), 10));
    let mut r = replied();
    r.record_satisfaction(Actor::Public, d(10, 15), Satisfaction::Unsatisfied)
        .unwrap();
    assert_eq!(r.review_until(&rules), Some(d(10, 29)));
    assert_eq!(r.review_until(&Deadlines::default()), Some(d(11, 13)));
}

#[test]
fn routing_across_the_holiday_is_due_the_next_working_day_and_late_routing_is_flagged() {
    let cal = calendar();
    // Registered on the last working day before the holiday: routing is due on 10-08.
    let mut on_time = Complaint::register(
        &input(),
        Actor::Officer(&discipline()),
        d(9, 30),
        1,
        &rules(),
    )
    .unwrap();
    assert_eq!(on_time.route_due(&cal), Some(d(10, 8)));
    assert!(!on_time.is_route_overdue(d(10, 8), &cal));
    assert!(on_time.is_route_overdue(d(10, 9), &cal));
    assert_eq!(
        on_time.route(
            &discipline(),
            d(10, 8),
            county_unit(),
            Complexity::Simple,
            &rules(),
            &cal
        ),
        Ok(false)
    );
    let mut late = Complaint::register(
        &input(),
        Actor::Officer(&discipline()),
        d(9, 30),
        1,
        &rules(),
    )
    .unwrap();
    assert_eq!(
        late.route(
            &discipline(),
            d(10, 9),
            county_unit(),
            Complexity::Simple,
            &rules(),
            &cal
        ),
        Ok(true)
    );
    assert!(late.routings[0].late);
    // Routed again before the unit starts (not competent): judged by the first routing's date.
    assert_eq!(
        on_time.route(
            &discipline(),
            d(10, 12),
            township_unit(),
            Complexity::Simple,
            &rules(),
            &cal
        ),
        Ok(false)
    );
    assert_eq!(on_time.routings.len(), 2);
    assert_eq!(on_time.round().area, code(TOWNSHIP));
}

/// A complaint accusing the township government of [`TOWNSHIP`] and a person of its finance
/// office.
fn accusing_the_township() -> Complaint {
    let mut i = input();
    i.accused_unit = "牛佛镇人民政府".into();
    i.accused_unit_area = TOWNSHIP.into();
    i.accused_person = "张 三丰".into();
    i.accused_person_unit = "牛佛镇财政所".into();
    Complaint::register(&i, Actor::Officer(&discipline()), d(9, 29), 7, &rules()).unwrap()
}

#[test]
fn recusal_refuses_the_accused_unit_and_the_accused_persons_unit() {
    let cal = calendar();
    let mut c = accusing_the_township();
    let before = c.clone();
    for (name, accused) in [
        ("牛佛镇人民政府党政办", "牛佛镇人民政府"),
        (" 牛佛镇 政府 ", "牛佛镇人民政府"),
        ("（牛佛镇）财政所", "牛佛镇财政所"),
    ] {
        let unit = Unit::new(code(COUNTY), name).unwrap();
        assert_eq!(
            c.route(
                &discipline(),
                d(9, 30),
                unit,
                Complexity::Simple,
                &rules(),
                &cal
            ),
            Err(Refusal::Recusal {
                unit: name.trim().into(),
                accused: accused.into()
            }),
            "{name}"
        );
    }
    assert_eq!(c, before, "a refused routing changes nothing");
    assert!(
        Refusal::Recusal {
            unit: "a".into(),
            accused: "b".into()
        }
        .zh()
        .starts_with("回避")
    );
    // Another unit of the county is fine.
    assert!(
        c.route(
            &discipline(),
            d(9, 30),
            county_unit(),
            Complexity::Simple,
            &rules(),
            &cal
        )
        .is_ok()
    );
}

/// The finding of issue 14: a complaint accusing 大山铺镇人民政府 (510304100) routed to
/// "大山铺镇纪委" of the same township, read and answered there by the township's own reviewer.
#[test]
fn no_unit_within_the_accused_units_area_is_routed_to_whatever_its_name() {
    let cal = calendar();
    let mut i = input();
    i.accused_unit = "大山铺镇人民政府".into();
    i.accused_unit_area = "510304100".into();
    i.accused_person_unit = String::new();
    let mut c =
        Complaint::register(&i, Actor::Officer(&discipline()), d(9, 29), 9, &rules()).unwrap();
    let before = c.clone();
    for (area, name) in [
        ("510304100", "大山铺镇纪委"),
        ("510304100", "派出所"),
        ("510304100201", "某村村委"),
    ] {
        let refused = c.route(
            &discipline(),
            d(9, 30),
            Unit::new(code(area), name).unwrap(),
            Complexity::Simple,
            &rules(),
            &cal,
        );
        assert_eq!(
            refused,
            Err(Refusal::RecusalArea {
                unit: name.into(),
                unit_area: code(area),
                accused: "大山铺镇人民政府".into(),
                area: code("510304100"),
            }),
            "{area} {name}"
        );
        let r = refused.unwrap_err();
        assert!(
            r.zh().contains("回避") && r.zh().contains("510304100"),
            "{}",
            r.zh()
        );
        assert!(r.to_string().contains("recusal"));
    }
    assert_eq!(c, before, "a refused routing changes nothing");
    // The township's reviewer may neither read nor act; another township's may.
    let accused_reviewer = account_with("dsp.reviewer", Role::TownshipReviewer, "510304100", false);
    assert!(recused(&accused_reviewer, &c));
    assert!(!recused(&reviewer(), &c));
    assert!(!recused(&discipline(), &c));
    // Routed to the county, still none of the township's acts.
    c.route(
        &discipline(),
        d(9, 30),
        county_unit(),
        Complexity::Simple,
        &rules(),
        &cal,
    )
    .unwrap();
    assert_eq!(
        c.classify(&accused_reviewer, d(9, 30), &[]),
        Err(Refusal::NotAllowed { act: Act::Classify })
    );
}

#[test]
fn an_account_within_the_accused_area_or_of_the_accused_person_is_recused_from_every_act() {
    let cal = calendar();
    // The county is accused: the county's own officers are recused, the case is owned by the
    // city, which routes it to a unit outside the county.
    let mut i = input();
    i.accused_unit = "大安区人民政府".into();
    i.accused_unit_area = COUNTY.into();
    i.accused_person_unit = String::new();
    let mut c =
        Complaint::register(&i, Actor::Officer(&discipline()), d(9, 29), 11, &rules()).unwrap();
    assert_eq!(
        c.owner_area,
        code("5103"),
        "owned by the level above the accused"
    );
    for a in [discipline(), officer(), reviewer(), leader()] {
        assert_eq!(
            c.accused.recuses(&a),
            Some(RecusalReason::AccusedArea { area: code(COUNTY) }),
            "{}",
            a.login.as_str()
        );
    }
    assert_eq!(
        c.clone().route(
            &discipline(),
            d(9, 30),
            county_unit(),
            Complexity::Simple,
            &rules(),
            &cal
        ),
        Err(Refusal::NotAllowed { act: Act::Route })
    );
    assert!(
        c.identity_for(&discipline(), d(9, 30)).is_err(),
        "the accused county's officer never reads the identity"
    );
    let city_unit = Unit::new(code("5103"), "自贡市纪委监委").unwrap();
    c.route(
        &city(),
        d(9, 30),
        city_unit,
        Complexity::Simple,
        &rules(),
        &cal,
    )
    .unwrap();
    let recused_act = Err(Refusal::Recused {
        reason: RecusalReason::AccusedArea { area: code(COUNTY) },
    });
    // A city account that also holds a role in the county is recused too.
    let mut both = city();
    both.assignments
        .push(Assignment::new(Role::CountyOfficer, code(COUNTY), None, None, false).unwrap());
    assert_eq!(c.clone().verify(&both, d(10, 8), "核查"), recused_act);
    assert_eq!(c.clone().classify(&both, d(10, 8), &[]), recused_act);
    c.verify(&city(), d(10, 8), "核查").unwrap();
    c.record_finding(&city(), d(10, 9), Finding::Unsubstantiated, "澄清")
        .unwrap();
    assert_eq!(c.clone().reply(&both, d(10, 9), "答复"), recused_act);
    c.reply(&city(), d(10, 9), "答复").unwrap();
    assert_eq!(c.clone().close(&both, d(10, 9)), recused_act);
    assert_eq!(
        c.clone()
            .record_satisfaction(Actor::Officer(&both), d(10, 9), Satisfaction::Unsatisfied),
        recused_act
    );
    c.record_satisfaction(Actor::Public, d(10, 9), Satisfaction::Unsatisfied)
        .unwrap();
    // The review goes to the province; the accused county's accounts stay out of it.
    c.request_review(Actor::Public, d(10, 12), "不认可", &rules(), &cal)
        .unwrap();
    assert_eq!(c.round().area, code("51"));
    let province = account_with("jiwei.sc", Role::DisciplineOfficer, "51", true);
    assert!(!recused(&province, &c));
    assert!(recused(&both, &c));
    c.verify(&province, d(10, 13), "复查").unwrap();

    // By person: the account whose name (spaces aside) or login is the accused person's.
    let mut named = account_with("zhang.sf", Role::DisciplineOfficer, "5103", false);
    named.name = "张三丰".into();
    let mut j = input();
    j.accused_person = "张 三丰".into();
    let by_name =
        Complaint::register(&j, Actor::Officer(&discipline()), d(9, 29), 12, &rules()).unwrap();
    assert_eq!(
        by_name.accused.recuses(&named),
        Some(RecusalReason::AccusedPerson)
    );
    j.accused_person = "Zhang.SF".into();
    let by_login =
        Complaint::register(&j, Actor::Officer(&discipline()), d(9, 29), 13, &rules()).unwrap();
    assert!(recused(&named, &by_login));
    assert!(!recused(&discipline(), &by_login));
    assert!(RecusalReason::AccusedPerson.zh().contains("被举报人"));
}

#[test]
fn an_escalation_never_lands_in_the_accused_area() {
    let cal = calendar();
    let mut c = accusing_the_township();
    c.route(
        &discipline(),
        d(9, 30),
        county_unit(),
        Complexity::Simple,
        &rules(),
        &cal,
    )
    .unwrap();
    c.escalate(d(10, 27), &rules(), &cal).unwrap();
    assert_eq!(c.owner_area, code("5103"));
    assert!(
        recused(&reviewer(), &c),
        "the accused township still sees nothing"
    );
    assert!(!recused(&other_reviewer(), &c));
    assert!(matches!(
        c.clone().route(
            &city(),
            d(10, 28),
            Unit::new(code(TOWNSHIP), "牛佛镇纪委").unwrap(),
            Complexity::Simple,
            &rules(),
            &cal
        ),
        Err(Refusal::RecusalArea { .. })
    ));
}

#[test]
fn a_unit_of_the_same_name_elsewhere_is_not_the_accused_unit() {
    let cal = calendar();
    let mut i = input();
    i.accused_unit = "县扶贫办".into();
    i.accused_unit_area = "510311".into();
    i.accused_person_unit = String::new();
    let mut c =
        Complaint::register(&i, Actor::Officer(&discipline()), d(9, 29), 2, &rules()).unwrap();
    // Same name, the accused's own county: refused; the city above overlaps it: refused.
    let same = Unit::new(code("510311"), "县扶贫办").unwrap();
    assert!(matches!(
        c.clone()
            .route(&city(), d(9, 30), same, Complexity::Simple, &rules(), &cal),
        Err(Refusal::RecusalArea { .. })
    ));
    // Same name in another county: a different unit.
    let elsewhere = Unit::new(code(COUNTY), "县扶贫办").unwrap();
    assert!(
        c.route(
            &discipline(),
            d(9, 30),
            elsewhere,
            Complexity::Simple,
            &rules(),
            &cal
        )
        .is_ok()
    );
    assert!(units_match("大安区扶贫开发局", "大安区　扶贫开发局"));
    assert!(units_match("ＡＢ村村民委员会", "ab村村委"));
    assert!(!units_match("牛佛镇纪委", "牛佛镇财政所"));
    assert!(!units_match("", "牛佛镇"));
    assert!(
        !units_match("镇", "牛佛镇"),
        "a single character matches nothing"
    );
}

#[test]
fn every_input_problem_is_refused_with_its_field_and_reason() {
    let cases: Vec<(NewComplaint, Field, Why)> = vec![
        (
            NewComplaint::new(Channel::Letter, VILLAGE, "  "),
            Field::Content,
            Why::Required,
        ),
        (
            NewComplaint::new(Channel::Letter, VILLAGE, &"字".repeat(4001)),
            Field::Content,
            Why::TooLong { max: 4000 },
        ),
        (
            NewComplaint::new(Channel::Letter, VILLAGE, "资金\u{7}被挪用"),
            Field::Content,
            Why::ControlCharacter,
        ),
        (
            NewComplaint::new(Channel::Letter, "", "资金被挪用"),
            Field::SubjectArea,
            Why::Required,
        ),
        (
            NewComplaint::new(Channel::Letter, "51030", "资金被挪用"),
            Field::SubjectArea,
            Why::NotAreaCode,
        ),
        (
            NewComplaint {
                accused_unit: "单".repeat(101),
                ..input()
            },
            Field::AccusedUnit,
            Why::TooLong { max: 100 },
        ),
        (
            NewComplaint {
                accused_unit_area: "牛佛镇".into(),
                ..input()
            },
            Field::AccusedUnitArea,
            Why::NotAreaCode,
        ),
        (
            NewComplaint {
                accused_person: "王\n某".into(),
                ..input()
            },
            Field::AccusedPerson,
            Why::ControlCharacter,
        ),
        (
            NewComplaint {
                accused_person_unit: "所".repeat(101),
                ..input()
            },
            Field::AccusedPersonUnit,
            Why::TooLong { max: 100 },
        ),
        (
            NewComplaint {
                classes: vec!["S000-26".into()],
                ..input()
            },
            Field::Classes,
            Why::UnknownClass {
                code: "S000-26".into(),
            },
        ),
        (
            NewComplaint {
                classes: (1..=11).map(|n| format!("S000-{n:02}")).collect(),
                ..input()
            },
            Field::Classes,
            Why::TooMany { max: 10 },
        ),
        (
            NewComplaint {
                complainant: ComplainantInput {
                    name: "李".repeat(51),
                    ..Default::default()
                },
                ..input()
            },
            Field::ComplainantName,
            Why::TooLong { max: 50 },
        ),
        (
            NewComplaint {
                complainant: ComplainantInput {
                    phone: "138-abc".into(),
                    ..Default::default()
                },
                ..input()
            },
            Field::ComplainantPhone,
            Why::Characters {
                allowed: PHONE_CHARS,
            },
        ),
        (
            NewComplaint {
                complainant: ComplainantInput {
                    phone: "1".repeat(21),
                    ..Default::default()
                },
                ..input()
            },
            Field::ComplainantPhone,
            Why::TooLong { max: 20 },
        ),
        (
            NewComplaint {
                complainant: ComplainantInput {
                    id_number: "5103-0419".into(),
                    ..Default::default()
                },
                ..input()
            },
            Field::ComplainantIdNumber,
            Why::Characters { allowed: ID_CHARS },
        ),
        (
            NewComplaint {
                complainant: ComplainantInput {
                    id_number: "5".repeat(19),
                    ..Default::default()
                },
                ..input()
            },
            Field::ComplainantIdNumber,
            Why::TooLong { max: 18 },
        ),
    ];
    for (i, field, why) in cases {
        let expected = Refusal::Invalid {
            field,
            why: why.clone(),
        };
        assert_eq!(
            Complaint::register(&i, Actor::Officer(&discipline()), d(9, 29), 3, &rules()),
            Err(expected.clone()),
            "{field:?}"
        );
        assert_eq!(i.problems(), vec![expected.clone()], "{field:?}");
        assert!(expected.zh().starts_with(field.zh()), "{}", expected.zh());
        assert!(!expected.to_string().is_empty());
    }
    // Several problems at once are all listed, in field order.
    let mut bad = NewComplaint::new(Channel::Letter, "x", "");
    bad.classes = vec!["nonsense".into()];
    let fields: Vec<Field> = bad
        .problems()
        .into_iter()
        .filter_map(|r| match r {
            Refusal::Invalid { field, .. } => Some(field),
            _ => None,
        })
        .collect();
    assert_eq!(fields, [Field::Content, Field::SubjectArea, Field::Classes]);
}

#[test]
fn an_anonymous_complaint_is_registered_and_blank_optional_fields_are_none() {
    let mut i = NewComplaint::new(Channel::Web, TOWNSHIP, "低保评定不公，优亲厚友");
    i.classes = vec!["优亲厚友".into(), " ".into()];
    let c = Complaint::register(&i, Actor::Public, d(9, 29), 4, &rules()).unwrap();
    assert!(c.is_anonymous());
    assert_eq!(c.accused, Accused::default());
    assert_eq!(c.registered_by, None);
    assert_eq!(
        c.owner_area,
        code(COUNTY),
        "the public's complaints go to the county"
    );
    assert_eq!(c.classes.len(), 1);
    assert_eq!(c.identity_for(&discipline(), d(9, 29)), Ok(None));
}

#[test]
fn who_may_register() {
    let i = input();
    let on = d(9, 29);
    for who in [
        clerk(),
        admin(),
        leader(),
        other_reviewer(),
        other_county_officer(),
    ] {
        assert_eq!(
            Complaint::register(&i, Actor::Officer(&who), on, 5, &rules()),
            Err(Refusal::NotAllowed { act: Act::Register }),
            "{}",
            who.login.as_str()
        );
    }
    let by_town = Complaint::register(&i, Actor::Officer(&reviewer()), on, 5, &rules()).unwrap();
    assert_eq!(by_town.owner_area, code(TOWNSHIP));
    assert!(Complaint::register(&i, Actor::Officer(&officer()), on, 5, &rules()).is_ok());
    assert!(Complaint::register(&i, Actor::Officer(&city()), on, 5, &rules()).is_ok());
    // The public files through the web portal only.
    assert_eq!(
        Complaint::register(&i, Actor::Public, on, 5, &rules()),
        Err(Refusal::PublicChannel)
    );
    let mut lapsed = discipline();
    lapsed.assignments[0].ends_on = Some(d(9, 1));
    assert_eq!(
        Complaint::register(&i, Actor::Officer(&lapsed), on, 5, &rules()),
        Err(Refusal::NotAllowed { act: Act::Register })
    );
    assert!(may_register(&reviewer(), &code(VILLAGE), on));
    assert!(!may_route(&reviewer(), &code(TOWNSHIP), on));
    assert!(may_handle(&reviewer(), &code(TOWNSHIP), on));
    assert!(!may_handle(&reviewer(), &code(COUNTY), on));
}

#[test]
fn who_may_route_and_handle() {
    let cal = calendar();
    let mut c = registered();
    let on = d(9, 30);
    for who in [
        reviewer(),
        clerk(),
        admin(),
        other_county_officer(),
        leader(),
    ] {
        assert_eq!(
            c.route(&who, on, county_unit(), Complexity::Simple, &rules(), &cal),
            Err(Refusal::NotAllowed { act: Act::Route }),
            "{}",
            who.login.as_str()
        );
    }
    let city_unit = Unit::new(code("5103"), "自贡市扶贫开发局").unwrap();
    assert_eq!(
        c.route(
            &discipline(),
            on,
            city_unit,
            Complexity::Simple,
            &rules(),
            &cal
        ),
        Err(Refusal::UnitOutOfReach { area: code("5103") })
    );
    c.route(
        &discipline(),
        on,
        township_unit(),
        Complexity::Simple,
        &rules(),
        &cal,
    )
    .unwrap();
    for who in [other_reviewer(), clerk(), admin(), leader()] {
        assert_eq!(
            c.verify(&who, d(10, 8), "核查"),
            Err(Refusal::NotAllowed { act: Act::Verify }),
            "{}",
            who.login.as_str()
        );
    }
    c.verify(&reviewer(), d(10, 8), "核查").unwrap();
    assert_eq!(
        c.record_finding(
            &other_reviewer(),
            d(10, 9),
            Finding::Unsubstantiated,
            "澄清"
        ),
        Err(Refusal::NotAllowed {
            act: Act::RecordFinding
        })
    );
    c.record_finding(&officer(), d(10, 9), Finding::Unsubstantiated, "予以澄清")
        .unwrap();
    assert_eq!(
        c.reply(&clerk(), d(10, 9), "答复"),
        Err(Refusal::NotAllowed { act: Act::Reply })
    );
    c.reply(&reviewer(), d(10, 9), "经核查，反映问题不属实。")
        .unwrap();
    assert_eq!(
        c.record_satisfaction(Actor::Officer(&clerk()), d(10, 9), Satisfaction::Satisfied),
        Err(Refusal::NotAllowed {
            act: Act::RecordSatisfaction
        })
    );
    assert_eq!(
        c.close(&other_reviewer(), d(10, 9)),
        Err(Refusal::NotAllowed { act: Act::Close })
    );
    c.close(&reviewer(), d(10, 9)).unwrap();
}

#[test]
fn steps_out_of_order_are_refused_and_change_nothing() {
    let cal = calendar();
    let mut c = registered();
    let before = c.clone();
    assert_eq!(
        c.verify(&officer(), d(9, 30), "核查"),
        Err(Refusal::MissingStep { needed: Act::Route })
    );
    assert_eq!(
        c.record_finding(&officer(), d(9, 30), Finding::Substantiated, "x"),
        Err(Refusal::MissingStep { needed: Act::Route })
    );
    assert_eq!(
        c.reply(&officer(), d(9, 30), "x"),
        Err(Refusal::MissingStep { needed: Act::Route })
    );
    assert_eq!(
        c.record_satisfaction(Actor::Public, d(9, 30), Satisfaction::Satisfied),
        Err(Refusal::MissingStep { needed: Act::Reply })
    );
    assert_eq!(c, before);

    c.route(
        &discipline(),
        d(9, 30),
        county_unit(),
        Complexity::Simple,
        &rules(),
        &cal,
    )
    .unwrap();
    assert_eq!(
        c.record_finding(&officer(), d(10, 8), Finding::Substantiated, "x"),
        Err(Refusal::MissingStep {
            needed: Act::Verify
        })
    );
    assert_eq!(
        c.reply(&officer(), d(10, 8), "x"),
        Err(Refusal::MissingStep {
            needed: Act::Verify
        })
    );
    assert_eq!(
        c.verify(&officer(), d(10, 8), " "),
        Err(Refusal::Invalid {
            field: Field::Verification,
            why: Why::Required
        })
    );
    c.verify(&officer(), d(10, 8), "核查").unwrap();
    assert_eq!(
        c.verify(&officer(), d(10, 8), "again"),
        Err(Refusal::AlreadyRecorded { what: Act::Verify })
    );
    assert_eq!(
        c.reply(&officer(), d(10, 8), "x"),
        Err(Refusal::MissingStep {
            needed: Act::RecordFinding
        })
    );
    assert_eq!(
        c.record_finding(&officer(), d(10, 8), Finding::Substantiated, ""),
        Err(Refusal::Invalid {
            field: Field::Action,
            why: Why::Required
        })
    );
    assert_eq!(
        c.route(
            &discipline(),
            d(10, 8),
            township_unit(),
            Complexity::Simple,
            &rules(),
            &cal
        ),
        Err(Refusal::WrongState {
            state: ComplaintState::Handling,
            act: Act::Route
        }),
        "no re-routing once the unit has started"
    );
    c.record_finding(&officer(), d(10, 8), Finding::PartlySubstantiated, "整改")
        .unwrap();
    assert_eq!(
        c.record_finding(&officer(), d(10, 8), Finding::Substantiated, "x"),
        Err(Refusal::AlreadyRecorded {
            what: Act::RecordFinding
        })
    );
    assert_eq!(
        c.reply(&officer(), d(10, 7), "x"),
        Err(Refusal::DateBeforeLast { last: d(10, 8) })
    );
    assert_eq!(
        c.reply(&officer(), d(10, 8), &"答".repeat(4001)),
        Err(Refusal::Invalid {
            field: Field::Reply,
            why: Why::TooLong { max: 4000 }
        })
    );
    c.reply(&officer(), d(10, 8), "答复").unwrap();
    assert_eq!(
        c.verify(&officer(), d(10, 8), "x"),
        Err(Refusal::WrongState {
            state: ComplaintState::Replied,
            act: Act::Verify
        })
    );
    c.record_satisfaction(Actor::Public, d(10, 9), Satisfaction::BasicallySatisfied)
        .unwrap();
    assert_eq!(
        c.record_satisfaction(Actor::Public, d(10, 9), Satisfaction::Unsatisfied),
        Err(Refusal::AlreadyRecorded {
            what: Act::RecordSatisfaction
        })
    );
    c.close(&discipline(), d(10, 9)).unwrap();
    assert_eq!(
        c.close(&discipline(), d(10, 9)),
        Err(Refusal::WrongState {
            state: ComplaintState::Closed,
            act: Act::Close
        })
    );
    assert_eq!(
        c.classify(&discipline(), d(10, 9), &[]),
        Err(Refusal::WrongState {
            state: ComplaintState::Closed,
            act: Act::Classify
        })
    );
}

#[test]
fn no_case_closes_without_a_reply() {
    let cal = calendar();
    let mut c = registered();
    assert_eq!(c.close(&discipline(), d(9, 29)), Err(Refusal::NoReply));
    c.route(
        &discipline(),
        d(9, 30),
        county_unit(),
        Complexity::Simple,
        &rules(),
        &cal,
    )
    .unwrap();
    assert_eq!(c.close(&discipline(), d(9, 30)), Err(Refusal::NoReply));
    let mut f = found();
    assert_eq!(f.close(&discipline(), d(10, 12)), Err(Refusal::NoReply));
    assert_eq!(Refusal::NoReply.zh(), "未答复举报人不能办结（事事有回音）");
}

#[test]
fn classes_can_be_set_later_by_the_owner_or_the_handler() {
    let mut c = registered();
    c.classify(
        &discipline(),
        d(9, 30),
        &["C003-21".into(), "雁过拔毛".into(), "C003-21".into()],
    )
    .unwrap();
    let codes: Vec<&str> = c.classes.iter().map(|k| k.code()).collect();
    assert_eq!(codes, ["C003-21", "skimming"]);
    assert_eq!(
        c.classify(&clerk(), d(9, 30), &[]),
        Err(Refusal::NotAllowed { act: Act::Classify })
    );
    assert!(matches!(
        c.classify(&discipline(), d(9, 30), &["zzz".into()]),
        Err(Refusal::Invalid {
            field: Field::Classes,
            ..
        })
    ));
    assert_eq!(
        codes.len(),
        c.classes.len(),
        "a refused classification changes nothing"
    );
}

#[test]
fn an_overdue_case_escalates_to_the_level_above_and_not_before() {
    let cal = calendar();
    let mut c = registered();
    c.route(
        &discipline(),
        d(9, 30),
        township_unit(),
        Complexity::Simple,
        &rules(),
        &cal,
    )
    .unwrap();
    let due = c.handling_due(&cal).unwrap();
    assert_eq!(due, d(10, 26));
    assert!(
        !c.escalation_due(due, &cal),
        "due on the last day, not before"
    );
    assert_eq!(
        c.escalate(due, &rules(), &cal),
        Err(Refusal::NotOverdue { due })
    );
    let next = d(10, 27);
    assert!(c.escalation_due(next, &cal));
    let e = c.escalate(next, &rules(), &cal).unwrap();
    assert_eq!(e.from, code(TOWNSHIP));
    assert_eq!(e.to, code(COUNTY));
    assert_eq!(e.level, AreaLevel::County);
    assert_eq!(e.due, due);
    assert_eq!(c.state, ComplaintState::Escalated);
    assert_eq!(c.owner_area, code(COUNTY));
    assert_eq!(c.earlier_rounds.len(), 1);
    assert_eq!(c.round().kind, RoundKind::Escalated);
    // The new deadlines run from the escalation.
    assert_eq!(c.route_due(&cal), cal.add_working_days(next, 1));
    assert_eq!(c.handling_due(&cal), cal.add_working_days(next, 15));
    assert!(!c.escalation_due(next, &cal));
    // Routed again by the county, and handled there.
    c.route(
        &officer(),
        d(10, 28),
        county_unit(),
        Complexity::Simple,
        &rules(),
        &cal,
    )
    .unwrap();
    c.verify(&officer(), d(10, 29), "重新核查").unwrap();
    c.record_finding(&officer(), d(10, 29), Finding::Substantiated, "处理")
        .unwrap();
    c.reply(&officer(), d(10, 30), "答复").unwrap();
    assert!(
        !c.escalation_due(d(12, 31), &cal),
        "a replied case does not escalate"
    );
    assert_eq!(
        c.escalate(d(12, 31), &rules(), &cal),
        Err(Refusal::WrongState {
            state: ComplaintState::Replied,
            act: Act::Escalate
        })
    );
}

#[test]
fn an_unrouted_case_escalates_from_its_owner_and_the_province_has_no_level_above() {
    let cal = calendar();
    let mut c = registered();
    assert!(!c.escalation_due(d(10, 26), &cal));
    let e = c.escalate(d(10, 27), &rules(), &cal).unwrap();
    assert_eq!(
        (e.from, e.to, e.level),
        (code(COUNTY), code("5103"), AreaLevel::City)
    );
    assert_eq!(
        c.route(
            &discipline(),
            d(10, 27),
            county_unit(),
            Complexity::Simple,
            &rules(),
            &cal
        ),
        Err(Refusal::NotAllowed { act: Act::Route }),
        "the county no longer owns it"
    );
    c.route(
        &city(),
        d(10, 27),
        county_unit(),
        Complexity::Simple,
        &rules(),
        &cal,
    )
    .unwrap();

    let province = account_with("jiwei.sc", Role::DisciplineOfficer, "51", true);
    let mut p = Complaint::register(
        &NewComplaint::new(Channel::Letter, "51", "省级部门"),
        Actor::Officer(&province),
        d(9, 29),
        9,
        &rules(),
    )
    .unwrap();
    assert!(p.is_overdue(d(11, 30), &cal));
    assert!(!p.escalation_due(d(11, 30), &cal));
    assert_eq!(
        p.escalate(d(11, 30), &rules(), &cal),
        Err(Refusal::NoLevelAbove { area: code("51") })
    );
}

#[test]
fn an_unsatisfied_complainant_gets_one_review_by_the_level_above() {
    let cal = calendar();
    let mut c = replied();
    assert_eq!(
        c.request_review(Actor::Public, d(10, 15), "不服", &rules(), &cal),
        Err(Refusal::NotUnsatisfied),
        "no satisfaction recorded yet"
    );
    c.record_satisfaction(
        Actor::Officer(&officer()),
        d(10, 15),
        Satisfaction::Unsatisfied,
    )
    .unwrap();
    c.close(&discipline(), d(10, 16)).unwrap();
    let status = c.public_status(&cal, &rules());
    assert_eq!(status.review_until, Some(d(11, 13)));
    assert_eq!(
        c.clone()
            .request_review(Actor::Public, d(11, 14), "不服", &rules(), &cal),
        Err(Refusal::ReviewWindowPassed { until: d(11, 13) })
    );
    assert_eq!(
        c.clone()
            .request_review(Actor::Public, d(11, 13), "  ", &rules(), &cal),
        Err(Refusal::Invalid {
            field: Field::ReviewReason,
            why: Why::Required
        })
    );
    assert_eq!(
        c.clone()
            .request_review(Actor::Officer(&clerk()), d(11, 13), "不服", &rules(), &cal),
        Err(Refusal::NotAllowed {
            act: Act::RequestReview
        })
    );
    c.request_review(Actor::Public, d(11, 13), "追回金额不对", &rules(), &cal)
        .unwrap();
    assert_eq!(c.state, ComplaintState::UnderReview);
    assert_eq!(c.closed_on, None, "reopened");
    assert_eq!(c.round().kind, RoundKind::Review);
    assert_eq!(
        c.round().area,
        code("5103"),
        "the level above the county unit"
    );
    assert_eq!(c.handling_due(&cal), cal.add_working_days(d(11, 13), 15));
    assert_eq!(
        c.public_status(&cal, &rules()).reply,
        None,
        "a new reply is awaited"
    );
    // The county that answered does not review itself.
    assert_eq!(
        c.verify(&officer(), d(11, 16), "复查"),
        Err(Refusal::NotAllowed { act: Act::Verify })
    );
    assert_eq!(c.close(&discipline(), d(11, 16)), Err(Refusal::NoReply));
    assert_eq!(
        c.reply(&city(), d(11, 16), "x"),
        Err(Refusal::MissingStep {
            needed: Act::Verify
        })
    );
    c.verify(&city(), d(11, 16), "调阅台账").unwrap();
    assert_eq!(c.state, ComplaintState::UnderReview);
    assert_eq!(
        c.verify(&city(), d(11, 16), "again"),
        Err(Refusal::AlreadyRecorded { what: Act::Verify })
    );
    c.record_finding(&city(), d(11, 17), Finding::PartlySubstantiated, "补发")
        .unwrap();
    c.reply(&city(), d(11, 18), "复查意见：部分属实，差额已补发。")
        .unwrap();
    assert_eq!(c.state, ComplaintState::Replied);
    c.record_satisfaction(Actor::Public, d(11, 19), Satisfaction::Unsatisfied)
        .unwrap();
    assert_eq!(
        c.request_review(Actor::Public, d(11, 19), "仍不服", &rules(), &cal),
        Err(Refusal::AlreadyReviewed)
    );
    assert_eq!(c.review_until(&rules()), None);
    c.close(&city(), d(11, 20)).unwrap();
    assert_eq!(c.rounds().count(), 2);
    assert!(c.rounds().all(|r| r.reply.is_some()));
}

#[test]
fn review_is_asked_for_after_a_reply_only() {
    let cal = calendar();
    let mut c = found();
    assert_eq!(
        c.request_review(Actor::Public, d(10, 12), "不服", &rules(), &cal),
        Err(Refusal::WrongState {
            state: ComplaintState::Handling,
            act: Act::RequestReview
        })
    );
    // A review at the top has no level above.
    let province = account_with("jiwei.sc", Role::DisciplineOfficer, "51", true);
    let mut p = Complaint::register(
        &NewComplaint::new(Channel::Letter, "51", "省级部门"),
        Actor::Officer(&province),
        d(9, 29),
        9,
        &rules(),
    )
    .unwrap();
    let unit = Unit::new(code("51"), "省纪委监委").unwrap();
    p.route(
        &province,
        d(9, 29),
        unit,
        Complexity::Simple,
        &rules(),
        &cal,
    )
    .unwrap();
    p.verify(&province, d(9, 30), "核查").unwrap();
    p.record_finding(&province, d(9, 30), Finding::Unsubstantiated, "澄清")
        .unwrap();
    p.reply(&province, d(9, 30), "不属实").unwrap();
    p.record_satisfaction(Actor::Public, d(9, 30), Satisfaction::Unsatisfied)
        .unwrap();
    assert_eq!(
        p.request_review(Actor::Public, d(9, 30), "不服", &rules(), &cal),
        Err(Refusal::NoLevelAbove { area: code("51") })
    );
}

#[test]
fn the_identity_is_sealed_from_logs_json_and_unpermitted_accounts() {
    let c = registered();
    let debug = format!("{c:?}");
    assert!(debug.contains("SealedIdentity(<sealed>)"));
    assert!(!debug.contains("李四") && !debug.contains("138") && !debug.contains("5103041980"));
    let input_debug = format!("{:?}", input());
    assert!(input_debug.contains("ComplainantInput(<sealed>)") && !input_debug.contains("李四"));
    let json = serde_json::to_string(&c).unwrap();
    assert!(!json.contains("李四") && !json.contains("138 0000"));

    let view = c.identity_for(&discipline(), d(9, 29)).unwrap().unwrap();
    assert_eq!(view.name, Some("李四"));
    assert_eq!(view.phone, Some("138 0000 0000"));
    assert_eq!(view.id_number, Some("51030419800101001X"));
    assert_eq!(format!("{view:?}"), "IdentityView(<sealed>)");
    assert!(
        c.identity_for(&city(), d(9, 29)).is_ok(),
        "sealed over the city"
    );
    for who in [
        discipline_unsealed(),
        officer(),
        admin(),
        account_with("jiwei.other", Role::DisciplineOfficer, "510311", true),
    ] {
        assert_eq!(
            c.identity_for(&who, d(9, 29)),
            Err(Refusal::NotAllowed { act: Act::Unseal }),
            "{}",
            who.login.as_str()
        );
    }
}

#[test]
fn ticket_codes_use_an_unambiguous_alphabet_and_a_check_character() {
    let t = TicketCode::new(2026, 0).unwrap();
    assert_eq!(t.as_str().len(), 17);
    assert!(t.as_str().starts_with("JB-2026-22222222"));
    let t = TicketCode::new(2026, u64::MAX).unwrap();
    assert!(t.as_str().starts_with("JB-2026-ZZZZZZZZ"));
    for c in ['0', 'O', '1', 'I'] {
        assert!(!ALPHABET.contains(&(c as u8)));
    }
    let code = TicketCode::new(2026, 0x00DE_ADBE_EF42).unwrap();
    assert_eq!(TicketCode::parse(code.as_str()), Ok(code.clone()));
    assert_eq!(
        TicketCode::parse(&format!("  {}  ", code.as_str().to_lowercase())),
        Ok(code.clone())
    );
    assert_eq!(code.to_string(), code.as_str());
    // The example in the documentation and the refusals is a valid code.
    assert!(TicketCode::parse("JB-2026-7KQ4M2ZRT").is_ok());
    assert_eq!(
        TicketCode::parse("JB-2026-7KQ4M2ZRX"),
        Err(TicketError::CheckCharacter)
    );
    for bad in [
        "",
        "JB-2026",
        "JB-2026-22222222",
        "XX-2026-222222222",
        "JB_2026-222222222",
    ] {
        assert_eq!(TicketCode::parse(bad), Err(TicketError::Shape), "{bad}");
    }
    assert_eq!(
        TicketCode::parse("JB-0999-222222222"),
        Err(TicketError::Shape)
    );
    assert_eq!(
        TicketCode::parse("JB-2026-22222O222"),
        Err(TicketError::Shape)
    );
    assert_eq!(
        TicketCode::parse("JB-2026-2222222２2"),
        Err(TicketError::Shape)
    );
    assert_eq!(TicketCode::new(999, 0), Err(TicketError::Year));
    assert_eq!(TicketCode::new(10_000, 0), Err(TicketError::Year));
    assert!(!TicketError::CheckCharacter.zh().is_empty());
    assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{code}\""));
}

#[test]
fn every_refusal_reads_in_both_languages() {
    let all = [
        Refusal::Invalid {
            field: Field::Content,
            why: Why::Required,
        },
        Refusal::WrongState {
            state: ComplaintState::UnderReview,
            act: Act::Route,
        },
        Refusal::NotAllowed { act: Act::Unseal },
        Refusal::UnitOutOfReach { area: code(COUNTY) },
        Refusal::PublicChannel,
        Refusal::Recusal {
            unit: "u".into(),
            accused: "a".into(),
        },
        Refusal::RecusalArea {
            unit: "u".into(),
            unit_area: code(TOWNSHIP),
            accused: "a".into(),
            area: code(TOWNSHIP),
        },
        Refusal::Recused {
            reason: RecusalReason::AccusedPerson,
        },
        Refusal::MissingStep { needed: Act::Reply },
        Refusal::AlreadyRecorded { what: Act::Verify },
        Refusal::NoReply,
        Refusal::NotOverdue { due: d(10, 26) },
        Refusal::NoLevelAbove { area: code("51") },
        Refusal::NotUnsatisfied,
        Refusal::ReviewWindowPassed { until: d(11, 13) },
        Refusal::AlreadyReviewed,
        Refusal::DateBeforeLast { last: d(10, 1) },
        Refusal::DateOutOfRange,
    ];
    for r in all {
        assert!(!r.to_string().is_empty() && !r.zh().is_empty(), "{r:?}");
        assert!(serde_json::to_value(&r).unwrap()["refusal"].is_string());
    }
    assert_eq!(
        Refusal::WrongState {
            state: ComplaintState::Closed,
            act: Act::Verify
        }
        .to_string(),
        "a complaint that is closed cannot record the verification"
    );
    for why in [
        Why::Characters {
            allowed: PHONE_CHARS,
        },
        Why::Characters { allowed: ID_CHARS },
        Why::UnknownClass { code: "x".into() },
        Why::TooMany { max: 10 },
        Why::NotAreaCode,
        Why::ControlCharacter,
        Why::TooLong { max: 4 },
    ] {
        assert!(!why.zh().is_empty() && !why.to_string().is_empty());
    }
}

#[test]
fn a_registration_date_outside_four_digit_years_is_refused_not_a_panic() {
    let far = NaiveDate::from_ymd_opt(12_000, 1, 1).unwrap();
    assert_eq!(
        Complaint::register(&input(), Actor::Officer(&discipline()), far, 1, &rules()),
        Err(Refusal::DateOutOfRange)
    );
    // Deadlines at the end of time are refused too.
    let huge = Deadlines {
        simple_days: u32::MAX,
        complex_days: u32::MAX,
        ..Deadlines::default()
    };
    let mut c = registered();
    let before = c.clone();
    assert_eq!(
        c.route(
            &discipline(),
            d(9, 30),
            county_unit(),
            Complexity::Simple,
            &huge,
            &Calendar::default()
        ),
        Err(Refusal::DateOutOfRange),
        "u32::MAX working days lie beyond chrono's dates"
    );
    assert_eq!(c, before);
}

// ---------------------------------------------------------------------------------------------
// Property tests.

/// The ticket code's characters, for mutations.
const TICKET_CHARS: &str = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ0O1I-JBabcz ";

proptest! {
    #[test]
    fn any_generated_ticket_parses(year in 1000i32..=9999, entropy in any::<u64>()) {
        let t = TicketCode::new(year, entropy).unwrap();
        prop_assert_eq!(TicketCode::parse(t.as_str()), Ok(t.clone()));
        prop_assert_eq!(t.year(), year);
    }

    #[test]
    fn any_single_character_change_is_refused(
        year in 1000i32..=9999,
        entropy in any::<u64>(),
        position in 0usize..17,
        replacement in proptest::sample::select(TICKET_CHARS.chars().collect::<Vec<_>>()),
    ) {
        let t = TicketCode::new(year, entropy).unwrap();
        let mut chars: Vec<char> = t.as_str().chars().collect();
        // Letter case does not count as a change: codes are read case-insensitively.
        prop_assume!(chars[position] != replacement.to_ascii_uppercase());
        chars[position] = replacement;
        let changed: String = chars.into_iter().collect();
        prop_assert!(TicketCode::parse(&changed).is_err(), "{} accepted", changed);
    }

    #[test]
    fn parsing_any_text_never_panics(text in "\\PC{0,24}") {
        let _ = TicketCode::parse(&text);
        let _ = SealedIdentity::new(&ComplainantInput {
            name: text.clone(), phone: text.clone(), id_number: text.clone(),
        });
        let i = NewComplaint {
            accused_unit: text.clone(),
            accused_unit_area: text.clone(),
            classes: vec![text.clone()],
            ..NewComplaint::new(Channel::Web, &text, &text)
        };
        let _ = Complaint::register(&i, Actor::Public, d(9, 29), 0, &rules());
        let _ = normalise_unit_name(&text);
    }
}

#[derive(Debug, Clone)]
enum Try {
    Route {
        who: usize,
        unit: usize,
        complex: bool,
    },
    Verify {
        who: usize,
    },
    Finding {
        who: usize,
        finding: usize,
    },
    Reply {
        who: usize,
    },
    Satisfaction {
        who: Option<usize>,
        level: usize,
    },
    Close {
        who: usize,
    },
    Review {
        who: Option<usize>,
    },
    Escalate,
    Classify {
        who: usize,
    },
    /// The act the case waits for, by an account allowed to take it (drives cases forward).
    Next {
        choice: usize,
    },
}

/// Takes the act the case waits for, by the first account allowed to take it.
fn next(
    c: &mut Complaint,
    people: &[Account],
    today: NaiveDate,
    choice: usize,
) -> Result<(), Refusal> {
    use ComplaintState::*;
    let cal = calendar();
    let rules = rules();
    let area = c.round().area;
    let handler = people.iter().find(|p| may_handle(p, &area, today));
    let router = people.iter().find(|p| may_route(p, &c.owner_area, today));
    match (c.state, handler, router) {
        (Registered | Escalated, _, Some(router)) => {
            let unit = if choice.is_multiple_of(2) {
                county_unit()
            } else {
                township_unit()
            };
            let unit = if router.may_reach(&unit.area, today) {
                unit
            } else {
                county_unit()
            };
            c.route(
                router,
                today,
                unit,
                Complexity::ALL[choice % 2],
                &rules,
                &cal,
            )
            .map(drop)
        }
        (Routed, Some(h), _) => c.verify(h, today, "核查"),
        (Handling | UnderReview, Some(h), _) => {
            let r = c.round();
            if r.verification.is_none() {
                c.verify(h, today, "核查")
            } else if r.finding.is_none() {
                c.record_finding(h, today, Finding::ALL[choice % 3], "处理")
            } else {
                c.reply(h, today, "答复")
            }
        }
        (Replied | Closed, _, _) if c.round().satisfaction.is_none() => {
            c.record_satisfaction(Actor::Public, today, Satisfaction::ALL[choice % 3])
        }
        (Replied, Some(h), _) if choice.is_multiple_of(2) => c.close(h, today),
        (Replied | Closed, _, _) => c.request_review(Actor::Public, today, "不服", &rules, &cal),
        _ => Ok(()),
    }
}

fn a_try() -> impl Strategy<Value = (Try, u64)> {
    let who = 0usize..8;
    let act = prop_oneof![
        (who.clone(), 0usize..6, any::<bool>()).prop_map(|(who, unit, complex)| Try::Route {
            who,
            unit,
            complex
        }),
        who.clone().prop_map(|who| Try::Verify { who }),
        (who.clone(), 0usize..3).prop_map(|(who, finding)| Try::Finding { who, finding }),
        who.clone().prop_map(|who| Try::Reply { who }),
        (proptest::option::of(who.clone()), 0usize..3)
            .prop_map(|(who, level)| Try::Satisfaction { who, level }),
        who.clone().prop_map(|who| Try::Close { who }),
        proptest::option::of(who.clone()).prop_map(|who| Try::Review { who }),
        Just(Try::Escalate),
        who.prop_map(|who| Try::Classify { who }),
        (0usize..6).prop_map(|choice| Try::Next { choice }),
        (0usize..6).prop_map(|choice| Try::Next { choice }),
        (0usize..6).prop_map(|choice| Try::Next { choice }),
    ];
    // Mostly the same day or the next few, sometimes a jump past a deadline.
    let advance = prop_oneof![4 => 0u64..3, 1 => 10u64..40];
    (act, advance)
}

fn people() -> Vec<Account> {
    vec![
        discipline(),
        officer(),
        reviewer(),
        other_reviewer(),
        city(),
        clerk(),
        admin(),
        other_county_officer(),
    ]
}

fn units() -> Vec<Unit> {
    vec![
        county_unit(),
        township_unit(),
        Unit::new(code(TOWNSHIP), "牛佛镇人民政府").unwrap(), // accused
        Unit::new(code(COUNTY), "牛佛镇财政所").unwrap(),     // the accused person's unit
        Unit::new(code("5103"), "自贡市扶贫开发局").unwrap(),
        Unit::new(code("510311"), "沿滩区扶贫开发局").unwrap(),
    ]
}

/// What must hold of every complaint, whatever was done to it.
fn invariants(c: &Complaint) -> Result<(), String> {
    use ComplaintState::*;
    let r = c.round();
    let fail = |what: &str| Err(format!("{what}: {:?}", c.state));
    if !ComplaintState::ALL.contains(&c.state) {
        return fail("state outside the vocabulary");
    }
    if c.state == Closed && (r.reply.is_none() || c.closed_on.is_none()) {
        return fail("closed without a reply");
    }
    if c.state.awaits_reply() == r.reply.is_some() {
        return fail("a reply is awaited exactly until one is given");
    }
    if r.reply.is_some() && (r.finding.is_none() || r.verification.is_none()) {
        return fail("a reply without a finding or a verification");
    }
    if r.finding.is_some() != r.action.is_some() {
        return fail("a finding without the action, or the reverse");
    }
    if r.finding.is_some() && r.verification.is_none() {
        return fail("a finding without a verification");
    }
    let ok = match c.state {
        Registered => c.earlier_rounds.is_empty() && r.unit.is_none() && c.routings.is_empty(),
        Routed => r.unit.is_some() && r.verification.is_none(),
        Handling => r.unit.is_some() && r.verification.is_some(),
        Escalated => r.kind == RoundKind::Escalated && r.unit.is_none(),
        UnderReview => r.kind == RoundKind::Review,
        Replied | Closed => true,
    };
    if !ok {
        return fail("state and round disagree");
    }
    let reviews = c.rounds().filter(|r| r.kind == RoundKind::Review).count();
    if reviews > 1 || (reviews == 1) != c.review_request.is_some() {
        return fail("more than one review, or a review without a request");
    }
    let escalated = c
        .rounds()
        .filter(|r| r.kind == RoundKind::Escalated)
        .count();
    if escalated != c.escalations.len() {
        return fail("escalations and rounds disagree");
    }
    if c.routings
        .iter()
        .any(|r| c.accused.conflicts_with(&r.unit).is_some())
    {
        return fail("routed to the accused");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Whatever is tried, by whomever, in whatever order: no complaint is ever closed without a
    /// reply, the state always agrees with what was recorded, nothing is routed to the accused,
    /// a refused act changes nothing, and dates never go backwards.
    #[test]
    fn no_sequence_of_acts_reaches_an_invalid_complaint(
        tries in proptest::collection::vec(a_try(), 0..50),
    ) {
        let cal = calendar();
        let rules = rules();
        let people = people();
        let units = units();
        let mut c = registered();
        let mut today = d(9, 29);
        for (t, advance) in tries {
            today = today.checked_add_days(Days::new(advance)).unwrap();
            let before = c.clone();
            let result = match &t {
                Try::Route { who, unit, complex } => {
                    let complexity = if *complex { Complexity::Complex } else { Complexity::Simple };
                    c.route(&people[*who], today, units[*unit].clone(), complexity, &rules, &cal)
                        .map(drop)
                }
                Try::Verify { who } => c.verify(&people[*who], today, "核查"),
                Try::Finding { who, finding } => {
                    c.record_finding(&people[*who], today, Finding::ALL[*finding], "处理")
                }
                Try::Reply { who } => c.reply(&people[*who], today, "答复"),
                Try::Satisfaction { who, level } => {
                    let by = who.map_or(Actor::Public, |w| Actor::Officer(&people[w]));
                    c.record_satisfaction(by, today, Satisfaction::ALL[*level])
                }
                Try::Close { who } => c.close(&people[*who], today),
                Try::Review { who } => {
                    let by = who.map_or(Actor::Public, |w| Actor::Officer(&people[w]));
                    c.request_review(by, today, "不服", &rules, &cal)
                }
                Try::Escalate => {
                    let due = c.escalation_due(today, &cal);
                    let r = c.escalate(today, &rules, &cal).map(drop);
                    prop_assert_eq!(due, r.is_ok(), "escalation_due agrees with escalate");
                    r
                }
                Try::Classify { who } => c.classify(&people[*who], today, &["S000-04".into()]),
                Try::Next { choice } => next(&mut c, &people, today, *choice),
            };
            match result {
                Err(refusal) => {
                    prop_assert_eq!(&c, &before, "{:?} refused ({}) but changed the complaint", t, refusal);
                    prop_assert!(!refusal.zh().is_empty());
                }
                Ok(()) => prop_assert!(c.last_on >= before.last_on),
            }
            if let Err(e) = invariants(&c) {
                prop_assert!(false, "after {:?}: {}", t, e);
            }
        }
    }
}

#[test]
fn a_complaint_stored_as_json_comes_back_whole_but_without_its_identity() {
    let c = found();
    let json = serde_json::to_string(&c).unwrap();
    for secret in ["李四", "138 0000 0000", "51030419800101001X"] {
        assert!(!json.contains(secret), "{secret} in {json}");
    }
    let back: Complaint = serde_json::from_str(&json).unwrap();
    assert!(back.identity.is_none(), "the identity stays apart");
    assert!(!back.is_anonymous(), "but it is known that one was given");
    let mut expected = c.clone();
    expected.identity = None;
    assert_eq!(back, expected);
    // An anonymous one reads back anonymous.
    let mut anon = input();
    anon.complainant = ComplainantInput::default();
    let a = Complaint::register(&anon, Actor::Public, d(9, 29), 7, &rules());
    // The public registers the web channel only.
    assert!(a.is_err());
    anon.channel = Channel::Web;
    let a = Complaint::register(&anon, Actor::Public, d(9, 29), 7, &rules()).unwrap();
    let back: Complaint = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
    assert!(back.is_anonymous());
}

#[test]
fn the_listed_area_follows_the_case_and_only_viewing_roles_see_it() {
    let cal = calendar();
    let mut c = registered();
    assert_eq!(c.listed_area(), c.owner_area);
    c.route(
        &discipline(),
        d(9, 30),
        township_unit(),
        Complexity::Simple,
        &rules(),
        &cal,
    )
    .unwrap();
    assert_eq!(c.listed_area(), code(TOWNSHIP));
    let clerk = Account {
        name: String::new(),
        login: crate::access::Login::parse("clerk").unwrap(),
        disabled: false,
        assignments: vec![
            crate::access::Assignment::new(Role::VillageClerk, code(VILLAGE), None, None, false)
                .unwrap(),
        ],
    };
    assert!(
        !may_view(&clerk, &code(VILLAGE), d(9, 30)),
        "a village clerk never reads complaints"
    );
    assert!(may_view(&discipline(), &c.listed_area(), d(9, 30)));
}
