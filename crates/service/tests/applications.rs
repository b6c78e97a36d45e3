//! A household the registry does not hold applies: the clerk registers the application with
//! its members, and the identification (两公示一公告) runs to the registry; bad forms, members
//! already registered and villages outside the clerk's area are refused with nothing written.

mod common;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use common::{each_backend, import_generated};
use jingzhun_domain::AreaCode;
use jingzhun_domain::access::{Account, Assignment, Login, Role};
use jingzhun_domain::procedure::{CaseState, Evidence, ProcedureKind, Step};
use jingzhun_domain::registry::HouseholdId;
use jingzhun_domain::vocab::HouseholdStatus;
use jingzhun_service::ServiceError;
use jingzhun_service::demo::demo_county;
use jingzhun_service::generate::Extras;
use jingzhun_service::procedures::{Act, ApplicationForm, act, apply};

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

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn form(village: &AreaCode) -> ApplicationForm {
    ApplicationForm {
        household: map(&[
            ("village_code", village.as_str()),
            ("住房安全", "否"),
            ("water_safe", "是"),
            ("annual_net_income", "5200"),
            ("income_year", "2025"),
            ("primary_cause", "因病"),
        ]),
        members: vec![
            map(&[
                ("id_number", "510304198801280398"),
                ("name", "申请人"),
                ("relation", "户主"),
                ("gender", "男"),
                ("birth_date", "1988-01-28"),
            ]),
            map(&[
                ("id_number", "510304201501010024"),
                ("姓名", "申小妹"),
                ("relation", "子女"),
                ("gender", "女"),
                ("birth_date", "2015-01-01"),
                ("school_status", "小学"),
            ]),
        ],
    }
}

fn application() -> Evidence {
    Evidence::Application {
        by_household: true,
        reason: "因病致贫，本户申请".into(),
    }
}

#[tokio::test]
async fn an_application_runs_through_identification_into_the_registry() {
    for db in each_backend().await {
        let store = db.store.as_ref();
        let _dir = import_generated(store, 200, 2, Extras::RegistryOnly).await;
        let county = demo_county();
        let village = store.village_codes(Some(&county)).await.unwrap()[0];
        let township = AreaCode::parse_short(&village.as_str()[..9]).unwrap();
        let clerk = account("clerk", Role::VillageClerk, &village);
        let reviewer = account("reviewer", Role::TownshipReviewer, &township);
        let officer = account("officer", Role::CountyOfficer, &county);

        let rec = apply(
            store,
            &clerk,
            ProcedureKind::Identification,
            &form(&village),
            application(),
            day(0),
        )
        .await
        .unwrap();
        let hid = HouseholdId::parse(&rec.household_id).unwrap();
        assert_eq!(
            rec.household_id,
            format!("{}-20260302-1", village.as_str()),
            "the platform numbers it"
        );
        let h = store.household(&hid).await.unwrap().unwrap();
        assert_eq!(h.status, HouseholdStatus::Applicant);
        assert_eq!(h.identified_year, 2026);
        assert_eq!(
            store
                .persons_of(std::slice::from_ref(&hid))
                .await
                .unwrap()
                .len(),
            2
        );
        let import = store.household_import(&hid).await.unwrap().unwrap();
        assert_eq!(import.kind, "application");

        let decision = |approved| Evidence::Decision {
            approved,
            note: String::new(),
        };
        let steps: Vec<(&Account, Step, Evidence, u64)> = vec![
            (
                &clerk,
                Step::Deliberation,
                Evidence::Meeting {
                    attendees: 25,
                    votes_for: 22,
                    votes_against: 1,
                    record: "村民代表会议评议".into(),
                },
                1,
            ),
            (
                &clerk,
                Step::Verification,
                Evidence::Visit {
                    findings: "八看四查一研判：住房为C级危房".into(),
                    household_consents: None,
                },
                2,
            ),
            (
                &clerk,
                Step::FirstNotice,
                Evidence::Notice {
                    notice_ref: String::new(),
                },
                3,
            ),
            (&reviewer, Step::TownshipReview, decision(true), 10),
            (
                &reviewer,
                Step::SecondNotice,
                Evidence::Notice {
                    notice_ref: String::new(),
                },
                11,
            ),
            (&officer, Step::CountyApproval, decision(true), 18),
            (&officer, Step::Announcement, decision(true), 19),
        ];
        let mut v = rec.version;
        let mut last = rec;
        for (who, step, evidence, d) in steps {
            last = act(
                store,
                who,
                last.id,
                v,
                &Act::Step { step, evidence },
                day(d),
            )
            .await
            .unwrap_or_else(|e| panic!("{step:?}: {e}"));
            v = last.version;
        }
        assert_eq!(last.case.state, CaseState::Completed);
        let h = store.household(&hid).await.unwrap().unwrap();
        assert_eq!(h.status, HouseholdStatus::Registered);
        let trail = store.audit_of("household", hid.as_str()).await.unwrap();
        let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, vec!["household.application", "household.status"]);

        // The same people cannot apply again: they are in the registry now.
        let again = apply(
            store,
            &clerk,
            ProcedureKind::NewIdentification,
            &form(&village),
            application(),
            day(30),
        )
        .await;
        let Err(ServiceError::Rejected(report)) = again else {
            panic!("{again:?}")
        };
        assert_eq!(report.errors.len(), 2, "{}", report.to_text());
        assert!(
            report.errors.iter().all(|e| e.column == "id_number"
                && e.problem == jingzhun_domain::Problem::AlreadyInRegistry)
        );
    }
}

#[tokio::test]
async fn a_bad_application_is_refused_with_every_problem_and_writes_nothing() {
    for db in each_backend().await {
        let store = db.store.as_ref();
        let _dir = import_generated(store, 100, 1, Extras::RegistryOnly).await;
        let county = demo_county();
        let villages = store.village_codes(Some(&county)).await.unwrap();
        let (village, other) = (villages[0], villages[villages.len() - 1]);
        let clerk = account("clerk", Role::VillageClerk, &village);
        let before = store.audit_head().await.unwrap();

        let mut bad = form(&village);
        bad.household.remove("住房安全");
        bad.household.insert("colour".into(), "red".into());
        bad.members[0].insert("id_number".into(), "51030419880128039X".into());
        bad.members[1].insert("relation".into(), "户主".into());
        let r = apply(
            store,
            &clerk,
            ProcedureKind::Identification,
            &bad,
            application(),
            day(0),
        )
        .await;
        let Err(ServiceError::Rejected(report)) = r else {
            panic!("{r:?}")
        };
        let places: Vec<(String, u64, String)> = report
            .errors
            .iter()
            .map(|e| (e.file.clone(), e.line, e.column.clone()))
            .collect();
        assert!(
            places.contains(&("household".into(), 1, "colour".into())),
            "{places:?}"
        );
        assert!(
            places.contains(&("household".into(), 1, "housing_safe".into())),
            "{places:?}"
        );
        assert!(
            places.contains(&("member".into(), 1, "id_number".into())),
            "{places:?}"
        );

        // Another village, and a role that does not keep the village's registry.
        let r = apply(
            store,
            &clerk,
            ProcedureKind::Identification,
            &form(&other),
            application(),
            day(0),
        )
        .await;
        let Err(ServiceError::Rejected(report)) = r else {
            panic!("{r:?}")
        };
        assert_eq!(
            report.errors[0].problem,
            jingzhun_domain::Problem::OutsideYourArea
        );
        let officer = account("officer", Role::CountyOfficer, &county);
        let r = apply(
            store,
            &officer,
            ProcedureKind::Identification,
            &form(&village),
            application(),
            day(0),
        )
        .await;
        assert!(
            matches!(
                r,
                Err(ServiceError::Refused(
                    jingzhun_domain::procedure::Refusal::WrongRole { .. }
                ))
            ),
            "{r:?}"
        );
        // An exit cannot start from an application.
        let r = apply(
            store,
            &clerk,
            ProcedureKind::Exit,
            &form(&village),
            application(),
            day(0),
        )
        .await;
        assert!(matches!(r, Err(ServiceError::Refused(_))), "{r:?}");
        assert_eq!(store.audit_head().await.unwrap(), before, "nothing written");
    }
}
