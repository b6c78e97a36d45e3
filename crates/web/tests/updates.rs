//! The yearly update over the web: the village's clerk submits, the township returns and
//! approves; other roles and townships are refused; proposals open their cases in a batch.

mod common;

use axum::http::StatusCode;
use common::{PASSWORD, app, call, enc, get, login, post_form, post_json, send};
use jingzhun_domain::access::{Assignment, Role};
use jingzhun_domain::registry::HouseholdId;
use jingzhun_service::users;
use serde_json::json;

#[tokio::test]
async fn a_villages_update_is_submitted_and_approved_by_the_right_hands_only() {
    let app = app().await;
    let store = app.state.store.as_ref();
    let h = store
        .household(&HouseholdId::parse(&app.own).unwrap())
        .await
        .unwrap()
        .unwrap();
    let village = h.village_code.as_str().to_string();
    let clerk = Assignment::new(Role::VillageClerk, h.village_code, None, None, false).unwrap();
    users::add_user(store, "update.clerk", "更新文书", PASSWORD, clerk, "test")
        .await
        .unwrap();
    let (cookie, csrf) = login(&app, "update.clerk").await;
    let (rcookie, rcsrf) = login(&app, "wang.li").await; // the township of the village
    let (ocookie, ocsrf) = login(&app, "li.clerk").await; // another township's village

    let page = call(&app, get(&format!("/updates?area={village}"), &cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("update-submit"), "{}", page.text());
    let (status, view, _) = send(
        &app,
        get(&format!("/api/v1/updates?area={village}"), &cookie),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let year = view["year"].as_i64().unwrap();
    assert!(view["updates"].as_array().unwrap().is_empty());

    // Another village's clerk does not see it at all.
    let (status, _, _) = send(
        &app,
        get(&format!("/api/v1/updates?area={village}"), &ocookie),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = send(
        &app,
        post_json(
            &format!("/api/v1/updates/{village}/{year}/submission"),
            &ocookie,
            Some(&ocsrf),
            json!({"version": 0}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The reviewer cannot submit for the village; the clerk can, once.
    let (status, _, _) = send(
        &app,
        post_json(
            &format!("/api/v1/updates/{village}/{year}/submission"),
            &rcookie,
            Some(&rcsrf),
            json!({"version": 0}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let r = call(
        &app,
        post_form(
            "/updates/act",
            &cookie,
            &format!("csrf={csrf}&village={village}&year={year}&version=0&act=submit"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let (status, _, _) = send(
        &app,
        post_json(
            &format!("/api/v1/updates/{village}/{year}/submission"),
            &cookie,
            Some(&csrf),
            json!({"version": 1}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "already submitted");
    // The clerk cannot approve their own submission; the township returns it without a note: 400.
    let (status, _, _) = send(
        &app,
        post_json(
            &format!("/api/v1/updates/{village}/{year}/decision"),
            &cookie,
            Some(&csrf),
            json!({"approve": true, "version": 1}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = send(
        &app,
        post_json(
            &format!("/api/v1/updates/{village}/{year}/decision"),
            &rcookie,
            Some(&rcsrf),
            json!({"approve": false, "note": "", "version": 1}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let page = call(&app, get(&format!("/updates?area={village}"), &rcookie)).await;
    assert!(page.text().contains("update-decide"));
    let r = call(
        &app,
        post_form(
            "/updates/act",
            &rcookie,
            &format!("csrf={rcsrf}&village={village}&year={year}&version=1&act=decide&approve=true&note={}", enc("同意")),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let (_, view, _) = send(
        &app,
        get(&format!("/api/v1/updates?area={village}"), &cookie),
    )
    .await;
    assert_eq!(view["updates"][0]["update"]["state"], "approved", "{view}");
    // A stale form is refused with its reason on the page.
    let r = call(
        &app,
        post_form(
            "/updates/act",
            &rcookie,
            &format!("csrf={rcsrf}&village={village}&year={year}&version=1&act=decide&approve=false&note=x"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("update-message"));
}

#[tokio::test]
async fn a_households_facts_are_updated_by_form_by_its_clerk_only() {
    let app = app().await;
    let store = app.state.store.as_ref();
    let h = store
        .household(&HouseholdId::parse(&app.own).unwrap())
        .await
        .unwrap()
        .unwrap();
    let clerk = Assignment::new(Role::VillageClerk, h.village_code, None, None, false).unwrap();
    users::add_user(store, "facts.clerk", "情况文书", PASSWORD, clerk, "test")
        .await
        .unwrap();
    let (cookie, csrf) = login(&app, "facts.clerk").await;
    let own = &app.own;
    let page = call(&app, get(&format!("/households/{own}"), &cookie)).await;
    assert!(page.text().contains("household-facts"));
    let form = |income: &str| {
        format!(
            "csrf={csrf}&annual_net_income={income}&income_year=2025&housing_safe={y}&water_safe={y}",
            y = enc("是")
        )
    };
    let r = call(
        &app,
        post_form(&format!("/households/{own}/facts"), &cookie, &form("abc")),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("facts-problems"));
    let r = call(
        &app,
        post_form(
            &format!("/households/{own}/facts"),
            &cookie,
            &form("12345.60"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let (_, household, _) = send(&app, get(&format!("/api/v1/households/{own}"), &cookie)).await;
    assert_eq!(
        household["annual_net_income"]["fen"], 1_234_560,
        "{household}"
    );
    assert_eq!(household["income_year"], 2025);
    // A leader reads but does not write; another township's clerk does not see it.
    let (lcookie, lcsrf) = login(&app, "zhou.leader").await;
    let body = json!({"annual_net_income": "1", "income_year": "2025", "housing_safe": "是", "water_safe": "是"});
    let put = |cookie: &str, csrf: &str| {
        axum::http::Request::put(format!("/api/v1/households/{own}/facts"))
            .header(axum::http::header::COOKIE, cookie)
            .header(axum::http::header::CONTENT_TYPE, "application/json")
            .header("x-csrf-token", csrf)
            .body(axum::body::Body::from(body.to_string()))
            .unwrap()
    };
    let (status, _, _) = send(&app, put(&lcookie, &lcsrf)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (ocookie, ocsrf) = login(&app, "li.clerk").await;
    let (status, _, _) = send(&app, put(&ocookie, &ocsrf)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, h, _) = send(&app, put(&cookie, &csrf)).await;
    assert_eq!(status, StatusCode::OK, "{h}");
}
