//! Standards and exit evaluation over HTTP, with the attempts that must fail: another
//! township's evaluation, list or household; a what-if or a change by a non-administrator,
//! without the CSRF token, with bad fields, or from a stale version.

mod common;

use axum::http::StatusCode;
use common::{App, app, call, get, login, post_form, post_json, send};
use serde_json::json;

async fn line_2020_sichuan(app: &App) -> Option<i64> {
    let s = jingzhun_service::standards::in_force(app.state.store.as_ref())
        .await
        .unwrap();
    s.poverty_line(2020, &common::code("510304107201"))
}

#[tokio::test]
async fn a_reviewer_evaluates_its_township_and_nothing_else() {
    let app = app().await;
    let (cookie, _) = login(&app, "wang.li").await;
    let (status, body, _) = send(&app, get("/api/v1/exit?year=2020", &cookie)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["area"], "510304107000");
    let villages = body["villages"].as_array().unwrap();
    assert!(!villages.is_empty());
    assert!(
        villages
            .iter()
            .all(|v| v["village"].as_str().unwrap().starts_with("510304107"))
    );
    // Another township, its list, its household: as if they did not exist.
    let (status, _, _) = send(&app, get("/api/v1/exit?area=510304100", &cookie)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = send(
        &app,
        get("/api/v1/exit/list?area=510304100&kind=blocked", &cookie),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = send(
        &app,
        get(&format!("/api/v1/households/{}/exit", app.other), &cookie),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let page = call(&app, get("/exit?area=510304100", &cookie)).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    // A bad area is a 400 that says which parameter.
    let (status, body, _) = send(&app, get("/api/v1/exit?area=51x", &cookie)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["detail"].as_str().unwrap().contains("area"));

    // The lists of its own township: every household kept off says why.
    let (status, blocked, _) = send(
        &app,
        get("/api/v1/exit/list?area=510304107&kind=blocked", &cookie),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let blocked = blocked.as_array().unwrap();
    assert!(!blocked.is_empty());
    assert!(
        blocked
            .iter()
            .all(|r| !r["blocking"].as_array().unwrap().is_empty())
    );
    // One household: seven indicators with their outcome.
    let (status, one, _) = send(
        &app,
        get(&format!("/api/v1/households/{}/exit", app.own), &cookie),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["indicators"].as_array().unwrap().len(), 7);
    assert_eq!(
        one["indicators"][1]["outcome"], "visit",
        "food waits for the visit"
    );

    // The pages show the same.
    let page = call(&app, get("/exit", &cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("exit-villages"));
    let page = call(
        &app,
        get("/exit/list?area=510304107&kind=candidates", &cookie),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let page = call(&app, get(&format!("/households/{}", app.own), &cookie)).await;
    assert!(page.text().contains("exit-evaluation"));
    app.finish().await;
}

#[tokio::test]
async fn only_an_administrator_changes_a_standard_and_only_from_its_current_version() {
    let app = app().await;
    let change = json!({"key": "poverty_line", "year": "2020", "region": "51", "value": "4500",
        "reason": "川府发〔2020〕测试号", "version": 0});

    // Everyone reads the standards; nobody but an administrator previews or changes them.
    let (cookie, csrf) = login(&app, "wang.li").await;
    let (status, list, _) = send(&app, get("/api/v1/standards", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|s| s["entry"]["key"] == "poverty_line")
    );
    let (status, _, _) = send(
        &app,
        post_json(
            "/api/v1/standards/what-if",
            &cookie,
            Some(&csrf),
            change.clone(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = send(
        &app,
        post_json("/api/v1/standards", &cookie, Some(&csrf), change.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let page = call(&app, post_form("/standards", &cookie, &format!("csrf={csrf}&step=apply&key=poverty_line&year=2020&region=51&value=4500&reason=x&version=0"))).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(line_2020_sichuan(&app).await, Some(4000));

    let (cookie, csrf) = login(&app, "an.admin").await;
    // Without the CSRF token.
    let (status, _, _) = send(
        &app,
        post_json("/api/v1/standards", &cookie, None, change.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Bad fields: each named.
    let (status, body, _) = send(
        &app,
        post_json(
            "/api/v1/standards",
            &cookie,
            Some(&csrf),
            json!({"key": "poverty_line", "value": "lots", "region": "5", "reason": ""}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let detail = body["detail"].as_str().unwrap();
    for field in ["year", "region", "value", "reason"] {
        assert!(detail.contains(field), "{field} in {detail}");
    }
    // The what-if changes nothing and shows who stops being eligible.
    let (status, p, _) = send(
        &app,
        post_json(
            "/api/v1/standards/what-if",
            &cookie,
            Some(&csrf),
            change.clone(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["before"], 4000);
    assert!(
        p["what_if"]["total"]["no_longer_eligible_households"]
            .as_i64()
            .unwrap()
            > 0,
        "{p}"
    );
    assert_eq!(line_2020_sichuan(&app).await, Some(4000));
    // The change, then a second one from the same stale version.
    let (status, rec, _) = send(
        &app,
        post_json("/api/v1/standards", &cookie, Some(&csrf), change.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{rec}");
    assert_eq!(rec["version"], 1);
    let mut stale = change.clone();
    stale["value"] = json!("4100");
    let (status, _, _) = send(
        &app,
        post_json("/api/v1/standards", &cookie, Some(&csrf), stale),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(line_2020_sichuan(&app).await, Some(4500));

    // The page: preview first, then apply with the version seen.
    let page = call(&app, post_form("/standards", &cookie, &format!("csrf={csrf}&step=preview&key=notice_days&year=&region=&value=5&reason=%E8%AF%95&version=0"))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("what-if"), "the preview is shown");
    let s = jingzhun_service::standards::in_force(app.state.store.as_ref())
        .await
        .unwrap();
    assert_eq!(
        s.value(
            jingzhun_domain::standards::StandardKey::NoticeDays,
            2020,
            &common::code("510304107201")
        ),
        Some(7)
    );
    let page = call(&app, post_form("/standards", &cookie, &format!("csrf={csrf}&step=apply&key=notice_days&year=&region=&value=5&reason=%E8%AF%95&version=0"))).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let s = jingzhun_service::standards::in_force(app.state.store.as_ref())
        .await
        .unwrap();
    assert_eq!(
        s.value(
            jingzhun_domain::standards::StandardKey::NoticeDays,
            2020,
            &common::code("510304107201")
        ),
        Some(5)
    );
    // A form with a wrong CSRF field, or none, is refused and changes nothing.
    let page = call(
        &app,
        post_form(
            "/standards",
            &cookie,
            "csrf=forged&step=apply&key=notice_days&value=6&reason=x&version=1",
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = call(
        &app,
        post_form(
            "/standards",
            &cookie,
            "step=apply&key=notice_days&value=6&reason=x&version=1",
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    let s = jingzhun_service::standards::in_force(app.state.store.as_ref())
        .await
        .unwrap();
    assert_eq!(
        s.value(
            jingzhun_domain::standards::StandardKey::NoticeDays,
            2020,
            &common::code("510304107201")
        ),
        Some(5)
    );
    app.finish().await;
}
