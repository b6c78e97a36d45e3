//! The yearly update of a village on every configured backend: submitted by its clerk,
//! returned and approved by its township, after which imports of the village's data of that
//! year are refused; what the data propose; households not updated for 24 months.

mod common;

use chrono::NaiveDate;
use common::{each_backend, import_generated};
use jingzhun_domain::AreaCode;
use jingzhun_domain::access::{Account, Assignment, Login, Role};
use jingzhun_domain::procedure::ProcedureKind;
use jingzhun_domain::update::UpdateState;
use jingzhun_service::demo::demo_county;
use jingzhun_service::generate::Extras;
use jingzhun_service::registry_import::{ImportOptions, RegistrySource, import_registry};
use jingzhun_service::{ServiceError, updates};

fn account(login: &str, role: Role, area: &AreaCode) -> Account {
    Account {
        name: String::new(),
        login: Login::parse(login).unwrap(),
        disabled: false,
        assignments: vec![Assignment::new(role, *area, None, None, false).unwrap()],
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
}

#[tokio::test]
async fn an_approved_update_locks_the_villages_data_of_that_year() {
    for db in each_backend().await {
        let store = db.store.as_ref();
        let dir = import_generated(store, 300, 4, Extras::RegistryOnly).await;
        let county = demo_county();
        let village = store.households_page(&county, None, 1).await.unwrap()[0].village_code;
        let township = AreaCode::parse_short(&village.as_str()[..9]).unwrap();
        let clerk = account("clerk", Role::VillageClerk, &village);
        let reviewer = account("reviewer", Role::TownshipReviewer, &township);
        let officer = account("officer", Role::CountyOfficer, &county);
        let other = account(
            "other.reviewer",
            Role::TownshipReviewer,
            &AreaCode::parse_short("510304100").unwrap(),
        );

        // Only the village's clerk submits, only its township decides, returning needs a note.
        let r = updates::submit(store, &officer, &village, 2020, 0, today()).await;
        assert!(matches!(r, Err(ServiceError::Denied { .. })), "{r:?}");
        let u = updates::submit(store, &clerk, &village, 2020, 0, today())
            .await
            .unwrap();
        assert_eq!((u.update.state, u.version), (UpdateState::Submitted, 1));
        let stale = updates::submit(store, &clerk, &village, 2020, 0, today()).await;
        assert!(matches!(stale, Err(ServiceError::Conflict(_))), "{stale:?}");
        if !township.contains(&AreaCode::parse_short("510304100").unwrap()) {
            let r = updates::decide(store, &other, &village, 2020, true, "", 1, today()).await;
            assert!(matches!(r, Err(ServiceError::NotFound { .. })), "{r:?}");
        }
        let r = updates::decide(store, &reviewer, &village, 2020, false, "", 1, today()).await;
        assert!(matches!(r, Err(ServiceError::Denied { .. })), "{r:?}");
        let u = updates::decide(
            store,
            &reviewer,
            &village,
            2020,
            false,
            "第二组收入未更新",
            1,
            today(),
        )
        .await
        .unwrap();
        assert_eq!(u.update.state, UpdateState::Returned);
        let u = updates::submit(store, &clerk, &village, 2020, u.version, today())
            .await
            .unwrap();
        let u = updates::decide(
            store,
            &reviewer,
            &village,
            2020,
            true,
            "",
            u.version,
            today(),
        )
        .await
        .unwrap();
        assert_eq!(u.update.state, UpdateState::Approved);
        let trail = store
            .audit_of("annual_update", &format!("{}:2020", village.as_str()))
            .await
            .unwrap();
        let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            vec![
                "annual_update.submit",
                "annual_update.return",
                "annual_update.submit",
                "annual_update.approve"
            ]
        );

        // The same files again: the locked village's rows are refused, nothing is written.
        let before = store.audit_head().await.unwrap();
        let opts = ImportOptions {
            within: None,
            actor: "test".into(),
            force: true,
            ignore_unknown_columns: false,
            today: today(),
            ..Default::default()
        };
        let r = import_registry(
            store,
            &RegistrySource::from_path(dir.path()).unwrap(),
            &opts,
            &|_| {},
        )
        .await;
        let Err(ServiceError::Rejected(report)) = r else {
            panic!("{r:?}")
        };
        assert!(
            report
                .errors
                .iter()
                .all(|e| e.problem == jingzhun_domain::Problem::UpdateLocked { year: 2020 }),
            "{}",
            report.to_text()
        );
        let of_village = store
            .households_page(&village, None, 1000)
            .await
            .unwrap()
            .len();
        assert!(report.errors.len() >= of_village, "{}", report.to_text());
        assert_eq!(store.audit_head().await.unwrap(), before, "nothing written");
    }
}

#[tokio::test]
async fn the_data_propose_procedures_and_old_records_are_listed_for_review() {
    for db in each_backend().await {
        let store = db.store.as_ref();
        let _dir = import_generated(store, 400, 6, Extras::RegistryOnly).await;
        let county = demo_county();
        let officer = account("officer", Role::CountyOfficer, &county);
        let rows = updates::proposals(store, &officer, &county, today())
            .await
            .unwrap();
        let exits = jingzhun_service::exit::list(
            store,
            &county,
            None,
            jingzhun_service::exit::ListKind::Candidates,
        )
        .await
        .unwrap();
        let proposed_exits: Vec<&str> = rows
            .iter()
            .filter(|r| r.kind == ProcedureKind::Exit)
            .map(|r| r.household_id.as_str())
            .collect();
        assert_eq!(
            proposed_exits,
            exits
                .iter()
                .map(|e| e.household_id.as_str())
                .collect::<Vec<_>>(),
            "the exits proposed are the pre-exit list"
        );
        assert!(
            rows.iter().any(|r| r.kind == ProcedureKind::Return),
            "exited households below the line are proposed a return"
        );
        assert!(
            rows.iter()
                .all(|r| !r.head.is_empty() || r.kind == ProcedureKind::Removal)
        );
        // A clerk of one village sees only its village's proposals; outside the area is 404.
        let village = rows[0].village;
        let clerk = account("clerk", Role::VillageClerk, &village);
        let mine = updates::proposals(store, &clerk, &village, today())
            .await
            .unwrap();
        assert!(mine.iter().all(|r| r.village == village));
        let r = updates::proposals(store, &clerk, &county, today()).await;
        assert!(matches!(r, Err(ServiceError::NotFound { .. })), "{r:?}");

        // Households last written more than 24 months ago.
        let now = chrono::Utc::now();
        assert!(
            updates::stale(store, &officer, &county, now, 10)
                .await
                .unwrap()
                .is_empty()
        );
        let old = store.households_page(&county, None, 2).await.unwrap();
        let when = if db.name == "sqlite" {
            "'2023-01-05T00:00:00+00:00'"
        } else {
            "TIMESTAMPTZ '2023-01-05 00:00:00+00'"
        };
        db.exec(&format!(
            "UPDATE households SET updated_at = {when} WHERE household_id IN ('{}', '{}')",
            old[0].household_id, old[1].household_id
        ))
        .await;
        let stale = updates::stale(store, &officer, &county, now, 10)
            .await
            .unwrap();
        let ids: Vec<&str> = stale.iter().map(|(h, _, _)| h.as_str()).collect();
        assert_eq!(ids.len(), 2, "{stale:?}");
        assert!(ids.contains(&old[0].household_id.as_str()));
    }
}

#[tokio::test]
async fn a_clerk_updates_a_households_yearly_facts_by_form_until_the_year_is_locked() {
    use jingzhun_domain::registry::HouseholdId;
    use jingzhun_service::updates::{FactsForm, update_facts};
    for db in each_backend().await {
        let store = db.store.as_ref();
        let _dir = import_generated(store, 100, 2, Extras::RegistryOnly).await;
        let county = demo_county();
        let h = store
            .households_page(&county, None, 1)
            .await
            .unwrap()
            .remove(0);
        let id = h.household_id.clone();
        let village = h.village_code;
        let township = AreaCode::parse_short(&village.as_str()[..9]).unwrap();
        let clerk = account("clerk", Role::VillageClerk, &village);
        let leader = account("leader", Role::Leader, &county);
        let elsewhere = account(
            "elsewhere",
            Role::VillageClerk,
            &store
                .village_codes(Some(&county))
                .await
                .unwrap()
                .into_iter()
                .find(|v| *v != village)
                .unwrap(),
        );
        let members = store.persons_of(std::slice::from_ref(&id)).await.unwrap();
        let form = |income: &str, year: &str| FactsForm {
            annual_net_income: income.into(),
            income_year: year.into(),
            housing_safe: "是".into(),
            water_safe: "是".into(),
        };
        let r = update_facts(store, &leader, &id, &form("9000", "2021"), today()).await;
        assert!(matches!(r, Err(ServiceError::Forbidden)), "{r:?}");
        let r = update_facts(store, &elsewhere, &id, &form("9000", "2021"), today()).await;
        assert!(matches!(r, Err(ServiceError::NotFound { .. })), "{r:?}");
        let r = update_facts(store, &clerk, &id, &form("九千", "21"), today()).await;
        let Err(ServiceError::Rejected(report)) = r else {
            panic!("{r:?}")
        };
        let cols: Vec<&str> = report.errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(cols, vec!["annual_net_income", "income_year"]);

        let after = update_facts(store, &clerk, &id, &form("9000.50", "2021"), today())
            .await
            .unwrap();
        let stored = store.household(&id).await.unwrap().unwrap();
        assert_eq!(stored, after);
        assert_eq!(
            (stored.annual_net_income.fen(), stored.income_year),
            (900_050, 2021)
        );
        assert_eq!(stored.status, h.status, "a form never changes the status");
        assert_eq!(
            store.persons_of(std::slice::from_ref(&id)).await.unwrap(),
            members
        );
        let trail = store.audit_of("household", id.as_str()).await.unwrap();
        assert_eq!(trail.last().unwrap().action, "household.update");

        // Approved for 2021: the form refuses 2021 and earlier; 2022 is the next update.
        let reviewer = account("reviewer", Role::TownshipReviewer, &township);
        let u = updates::submit(store, &clerk, &village, 2021, 0, today())
            .await
            .unwrap();
        updates::decide(
            store,
            &reviewer,
            &village,
            2021,
            true,
            "",
            u.version,
            today(),
        )
        .await
        .unwrap();
        let r = update_facts(store, &clerk, &id, &form("9100", "2021"), today()).await;
        let Err(ServiceError::Rejected(report)) = r else {
            panic!("{r:?}")
        };
        assert_eq!(
            report.errors[0].problem,
            jingzhun_domain::Problem::UpdateLocked { year: 2021 }
        );
        let _ = HouseholdId::parse(id.as_str()).unwrap();
        update_facts(store, &clerk, &id, &form("9100", "2022"), today())
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_lead_confirmed_with_the_removal_action_proposes_the_removal_procedure() {
    use jingzhun_domain::checks::{LeadAction, LeadState, SubjectKind, Verification};
    for db in each_backend().await {
        let store = db.store.as_ref();
        jingzhun_service::demo::ensure_demo(store).await.unwrap();
        let county = demo_county();
        let officer = account("officer", Role::CountyOfficer, &county);
        let leads = store
            .leads(&jingzhun_store::checks::LeadQuery {
                within: Some(vec![county]),
                rule: None,
                state: Some(LeadState::Open),
                offset: 0,
                limit: 5000,
            })
            .await
            .unwrap();
        let lead = leads
            .iter()
            .find(|l| l.subject_kind == SubjectKind::Household && l.village.is_some())
            .expect("the demo has a lead about a household");
        let village = lead.village.unwrap();
        let before = updates::proposals(store, &officer, &village, today())
            .await
            .unwrap();
        let removal_of = |rows: &[updates::ProposalRow]| {
            rows.iter()
                .find(|r| r.household_id == lead.subject_id && r.kind == ProcedureKind::Removal)
                .cloned()
        };
        assert!(
            removal_of(&before).is_none(),
            "an open lead proposes nothing"
        );
        jingzhun_service::checks::verify_lead(
            store,
            lead,
            lead.version,
            &Verification::Confirmed {
                action: LeadAction::Removal,
                note: "核实属实".into(),
            },
            "user:officer",
        )
        .await
        .unwrap();
        let after = updates::proposals(store, &officer, &village, today())
            .await
            .unwrap();
        let row = removal_of(&after).expect("the removal is proposed");
        assert!(row.why_zh.contains("比对疑点"), "{}", row.why_zh);
    }
}
