//! Plans over the API and the household page, with the attempts that must fail: a leader
//! (reads, never writes), another township, bad fields, a stale version, no CSRF token.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{app, call, enc, get, login, post_form, send};
use jingzhun_domain::vocab::HouseholdStatus;
use serde_json::{Value, json};

fn put_json(path: &str, cookie: &str, csrf: Option<&str>, body: Value) -> Request<Body> {
    let mut r = Request::put(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = csrf {
        r = r.header("x-csrf-token", t);
    }
    r.body(Body::from(body.to_string())).unwrap()
}

#[tokio::test]
async fn only_the_registry_keepers_of_its_area_set_a_households_plan() {
    let app = app().await;
    let store = app.state.store.as_ref();
    // A registered household in li.clerk's village.
    let h = store
        .households_page(&app.other_village, None, 500)
        .await
        .unwrap()
        .into_iter()
        .find(|h| h.status == HouseholdStatus::Registered)
        .expect("the demo village has a registered household");
    let path = format!("/api/v1/households/{}/plan", h.household_id);
    let plan = json!({"measures": [{"kind": "industry", "description": "发放鸡苗", "target": "2027-06-30"}],
        "contact": "李文书", "version": 0});

    let (lcookie, lcsrf) = login(&app, "zhou.leader").await;
    let (status, body, _) = send(&app, get(&path, &lcookie)).await;
    assert_eq!(status, StatusCode::OK, "a leader reads it: {body}");
    let (status, _, _) = send(&app, put_json(&path, &lcookie, Some(&lcsrf), plan.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (rcookie, rcsrf) = login(&app, "wang.li").await;
    let (status, _, _) = send(&app, put_json(&path, &rcookie, Some(&rcsrf), plan.clone())).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another township");

    let (cookie, csrf) = login(&app, "li.clerk").await;
    let (status, _, _) = send(&app, put_json(&path, &cookie, None, plan.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no CSRF token");
    let (status, body, _) = send(&app, put_json(&path, &cookie, Some(&csrf),
        json!({"measures": [{"kind": "x", "description": "", "target": "soon"}], "contact": ""}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let detail = body["detail"].as_str().unwrap();
    for f in [
        "contact",
        "measures[0].kind",
        "measures[0].description",
        "measures[0].target",
    ] {
        assert!(detail.contains(f), "{f} in {detail}");
    }
    let (status, body, _) = send(&app, put_json(&path, &cookie, Some(&csrf), plan.clone())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], 1);
    let (status, _, _) = send(&app, put_json(&path, &cookie, Some(&csrf), plan)).await;
    assert_eq!(status, StatusCode::CONFLICT, "stale version");

    // The page shows it, and records progress through its form.
    let page = call(
        &app,
        get(&format!("/households/{}", h.household_id), &cookie),
    )
    .await;
    assert!(page.text().contains("plan-measures") && page.text().contains("发放鸡苗"));
    let r = call(
        &app,
        post_form(
            &format!("/households/{}/plan/progress", h.household_id),
            &cookie,
            &format!("csrf={csrf}&done_on=2026-11-01&note={}", enc("鸡苗已发放")),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let (_, v, _) = send(&app, get(&path, &cookie)).await;
    assert_eq!(v["progress"][0]["note"], "鸡苗已发放");
    app.finish().await;
}
