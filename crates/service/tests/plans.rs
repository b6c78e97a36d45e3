//! Plans end to end on every configured backend: set, refused when stale or malformed, progress
//! recorded, and identical plans across a village become a warning (seed 001 problem 7).

mod common;

use chrono::NaiveDate;
use common::{each_backend, import_generated_in};
use jingzhun_domain::AreaCode;
use jingzhun_domain::access::{Account, Assignment, Login, Role};
use jingzhun_domain::plan::MeasureInput;
use jingzhun_domain::vocab::HouseholdStatus;
use jingzhun_domain::warnings::WarningKind;
use jingzhun_service::ServiceError;
use jingzhun_service::generate::Extras;
use jingzhun_service::plans::{add_progress, put, view};

fn measure(kind: &str, what: &str) -> MeasureInput {
    MeasureInput {
        kind: kind.into(),
        description: what.into(),
        target: "2027-06-30".into(),
    }
}

#[tokio::test]
async fn identical_plans_across_a_village_are_a_warning_and_stale_plans_are_refused() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    for db in each_backend().await {
        let store = db.store.as_ref();
        let village = AreaCode::parse("510304100201").unwrap();
        let _dir = import_generated_in(store, &village, 150, 9, Extras::RegistryOnly).await;
        let clerk = Account {
            name: String::new(),
            login: Login::parse("clerk").unwrap(),
            disabled: false,
            assignments: vec![
                Assignment::new(Role::VillageClerk, village, None, None, false).unwrap(),
            ],
        };
        let mut registered = Vec::new();
        let mut other = None;
        for h in store.households_page(&village, None, 500).await.unwrap() {
            match h.status {
                HouseholdStatus::Registered | HouseholdStatus::Monitored => {
                    registered.push(h.household_id)
                }
                _ => other = Some(h.household_id),
            }
        }
        assert!(registered.len() >= 6, "{} registered", registered.len());
        let same = [
            measure("产业帮扶", "发放鸡苗 50 只"),
            measure("就业帮扶", "公益性岗位"),
        ];

        // Malformed, then for an exited household: refused, nothing stored.
        let bad = put(
            store,
            &clerk,
            &registered[0],
            &[measure("种地", "")],
            "张三",
            0,
            today,
        )
        .await;
        assert!(
            matches!(&bad, Err(ServiceError::Invalid(m)) if m.contains("measures[0].kind")),
            "{bad:?}"
        );
        if let Some(o) = &other {
            let r = put(store, &clerk, o, &same, "张三", 0, today).await;
            assert!(matches!(r, Err(ServiceError::Invalid(_))), "{r:?}");
        }
        assert!(store.plan(&registered[0]).await.unwrap().is_none());

        for id in &registered[..5] {
            let p = put(store, &clerk, id, &same, "驻村工作队", 0, today)
                .await
                .unwrap();
            assert_eq!(p.version, 1);
        }
        // The same household from a stale page: refused.
        let stale = put(
            store,
            &clerk,
            &registered[0],
            &[measure("health", "家庭医生签约")],
            "张三",
            0,
            today,
        )
        .await;
        assert!(matches!(stale, Err(ServiceError::Conflict(_))), "{stale:?}");

        let county = jingzhun_service::demo::demo_county();
        let identical = |ws: &[(jingzhun_domain::warnings::Warning, String)]| {
            ws.iter()
                .any(|(w, _)| w.kind == WarningKind::IdenticalPlans && w.village == village)
        };
        let ws = jingzhun_service::dashboard::warnings(store, &county, 2020)
            .await
            .unwrap();
        assert!(identical(&ws), "five households, one plan: {ws:?}");
        // Plans that differ by need clear it.
        for (i, id) in registered[..3].iter().enumerate() {
            let own = [measure("health", &format!("慢病签约服务 {i}"))];
            put(store, &clerk, id, &own, "驻村工作队", 1, today)
                .await
                .unwrap();
        }
        let ws = jingzhun_service::dashboard::warnings(store, &county, 2020)
            .await
            .unwrap();
        assert!(!identical(&ws), "{ws:?}");

        // Progress: not in the future, and it shows with the plan.
        let future = add_progress(
            store,
            &clerk,
            &registered[0],
            "2099-01-01",
            "鸡苗已发",
            today,
        )
        .await;
        assert!(matches!(future, Err(ServiceError::Invalid(_))));
        add_progress(
            store,
            &clerk,
            &registered[0],
            "2026-11-20",
            "签约医生已上门",
            today,
        )
        .await
        .unwrap();
        let v = view(store, &clerk, &registered[0], today).await.unwrap();
        assert_eq!(v.progress.len(), 1);
        assert_eq!(v.plan.unwrap().version, 2);
        // Another village's clerk does not find the household.
        let stranger = Account {
            name: String::new(),
            login: Login::parse("stranger").unwrap(),
            disabled: false,
            assignments: vec![
                Assignment::new(
                    Role::VillageClerk,
                    AreaCode::parse("510304100202").unwrap(),
                    None,
                    None,
                    false,
                )
                .unwrap(),
            ],
        };
        let r = view(store, &stranger, &registered[0], today).await;
        assert!(matches!(r, Err(ServiceError::NotFound { .. })));
    }
}
