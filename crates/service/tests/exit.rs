//! Standards and exit evaluation end to end, on every configured backend: the store's view of
//! a generated registry gives the same figures as evaluating the generated files; a change of
//! standard is previewed, audited, and refused when stale.

mod common;

use common::{each_backend, import_generated};
use jingzhun_domain::exit::Indicator;
use jingzhun_domain::standards::{StandardChange, StandardChangeInput, StandardKey};
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_service::ServiceError;
use jingzhun_service::areas::import_populations;
use jingzhun_service::demo::demo_county;
use jingzhun_service::exit::{ListKind, area, household, list};
use jingzhun_service::generate::Extras;
use jingzhun_service::standards::{change, in_force, list as standards_list, preview};

fn change_of(key: &str, year: &str, region: &str, value: &str) -> StandardChange {
    StandardChange::parse(&StandardChangeInput {
        key,
        year,
        region,
        value,
        reason: "测试：省定标准",
    })
    .unwrap()
}

#[tokio::test]
async fn exit_figures_add_up_and_a_raised_line_is_previewed_then_applied_once() {
    for db in each_backend().await {
        let store = db.store.as_ref();
        let dir = import_generated(store, 1200, 11, Extras::RegistryOnly).await;
        import_populations(store, &dir.path().join("populations.csv"), "test")
            .await
            .unwrap();

        let county = demo_county();
        let before = area(store, Some(&county), Some(2020)).await.unwrap();
        assert_eq!(before.households_evaluated, 1200, "{}", db.name);
        let t = &before.total;
        assert!(
            t.registered_households > 0 && t.candidate_households > 0,
            "{t:?}"
        );
        assert!(t.candidate_households < t.registered_households, "{t:?}");
        let sum: i64 = before
            .villages
            .iter()
            .map(|v| v.figures.candidate_households)
            .sum();
        assert_eq!(sum, t.candidate_households);
        assert!(before.county.is_some());
        assert!(before.villages.iter().all(|v| v.population.is_some()));

        // The lists agree with the figures, and every blocked household says why.
        let candidates = list(store, &county, Some(2020), ListKind::Candidates)
            .await
            .unwrap();
        assert_eq!(candidates.len() as i64, t.candidate_households);
        assert!(
            candidates
                .iter()
                .all(|r| r.blocking.is_empty() && !r.head.is_empty())
        );
        let blocked = list(store, &county, Some(2020), ListKind::Blocked)
            .await
            .unwrap();
        assert_eq!(
            blocked.len() as i64,
            t.registered_households - t.candidate_households
        );
        assert!(blocked.iter().all(|r| !r.blocking.is_empty()));
        let by_income = blocked
            .iter()
            .filter(|r| r.blocking.contains(&Indicator::Income))
            .count() as i64;
        assert_eq!(by_income, t.blocked_by[0]);

        // One household: the evaluation agrees with the list it is on.
        let first = &candidates[0];
        let id = jingzhun_domain::registry::HouseholdId::parse(&first.household_id).unwrap();
        let e = household(store, &id, Some(2020)).await.unwrap();
        assert!(e.meets);
        assert_eq!(e.evaluation.results.len(), Indicator::ALL.len());
        assert_eq!(e.members.len(), first.persons);

        // Raising the 2020 line for Sichuan: fewer candidates, shown before it applies.
        let raise = change_of("poverty_line", "2020", "51", "6000");
        let p = preview(store, &raise, Some(&county), None).await.unwrap();
        assert_eq!(p.before, Some(4000));
        assert_eq!(p.after, 6000);
        assert!(
            p.what_if.total.no_longer_eligible_households > 0,
            "{:?}",
            p.what_if.total
        );
        assert_eq!(p.what_if.total.newly_eligible_households, 0);
        assert_eq!(
            in_force(store).await.unwrap().poverty_line(2020, &county),
            Some(4000),
            "a preview changes nothing"
        );

        let rec = change(store, "user:admin", &raise, 0).await.unwrap();
        assert_eq!(rec.version, 1);
        let after = area(store, Some(&county), Some(2020)).await.unwrap();
        assert_eq!(
            after.total.candidate_households,
            t.candidate_households - p.what_if.total.no_longer_eligible_households
        );
        // The same change from a page loaded before it is refused, and changes nothing.
        let stale = change(
            store,
            "user:other",
            &change_of("poverty_line", "2020", "51", "4500"),
            0,
        )
        .await;
        assert!(matches!(stale, Err(ServiceError::Conflict(_))), "{stale:?}");
        assert_eq!(
            in_force(store).await.unwrap().poverty_line(2020, &county),
            Some(6000)
        );
        // Audited with the reason, before and after.
        let audit = store
            .audit_of("standard", "poverty_line/2020/51")
            .await
            .unwrap();
        assert_eq!(audit.len(), 1);
        let detail: serde_json::Value = serde_json::from_str(&audit[0].detail).unwrap();
        assert_eq!(detail["before"], 4000);
        assert_eq!(detail["after"], 6000);
        assert_eq!(detail["reason"], "测试：省定标准");
        let views = standards_list(store).await.unwrap();
        let v = views
            .iter()
            .find(|v| {
                v.entry.key == StandardKey::PovertyLine && v.entry.region.as_deref() == Some("51")
            })
            .unwrap();
        assert_eq!((v.version, v.set_by.as_deref()), (1, Some("user:admin")));

        // An unknown region is refused before anything is written.
        let nowhere = change(
            store,
            "user:admin",
            &change_of("notice_days", "", "99", "5"),
            0,
        )
        .await;
        assert!(
            matches!(nowhere, Err(ServiceError::Invalid(_))),
            "{nowhere:?}"
        );

        // A household outside the registry is not found.
        let missing = jingzhun_domain::registry::HouseholdId::parse("NOPE").unwrap();
        assert!(matches!(
            household(store, &missing, None).await,
            Err(ServiceError::NotFound { .. })
        ));
    }
}
