//! The API in process (`router.oneshot`): sessions, CSRF, and area scope, with the attempts
//! that must fail.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{app, get, login, send};
use jingzhun_service::users;
use serde_json::{Value, json};

#[tokio::test]
async fn health_answers_without_a_session() {
    let app = app().await;
    let (status, body, _) = send(&app, Request::get("/health").body(Body::empty()).unwrap()).await;
    assert_eq!((status, body), (StatusCode::OK, Value::String("ok".into())));
    app.finish().await;
}

#[tokio::test]
async fn a_wrong_password_is_refused_without_saying_whether_the_login_exists() {
    let app = app().await;
    for login in ["wang.li", "nobody"] {
        let req = Request::post("/api/v1/session")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({"login": login, "password": "guess-guess-guess"}).to_string(),
            ))
            .unwrap();
        let (status, body, cookie) = send(&app, req).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["code"], "bad_credentials");
        assert_eq!(body["message"], "登录名或密码错误");
        assert_eq!(body["message_en"], "wrong login or password");
        assert!(cookie.is_none());
    }
    app.finish().await;
}

#[tokio::test]
async fn a_township_reviewer_reads_its_own_households_and_not_another_townships() {
    let app = app().await;
    let (cookie, _) = login(&app, "wang.li").await;
    let (status, body, _) = send(
        &app,
        get(&format!("/api/v1/households/{}", app.own), &cookie),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["household_id"], app.own.as_str());
    assert!(
        body["history"]["import"]["digest"].is_string(),
        "the import that wrote it: {}",
        body["history"]
    );
    assert!(body["history"]["events"].is_array());
    let first_id = body["members"][0]["id_number"].as_str().unwrap();
    assert!(
        !first_id.contains('*'),
        "a reviewer of the township sees ID numbers"
    );

    let (status, body, _) = send(
        &app,
        get(&format!("/api/v1/households/{}", app.other), &cookie),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another township's household must not be readable"
    );
    let (missing_status, missing_body, _) =
        send(&app, get("/api/v1/households/NO-SUCH-HOUSEHOLD", &cookie)).await;
    assert_eq!(
        (status, &body),
        (missing_status, &missing_body),
        "indistinguishable from a missing one"
    );
    app.finish().await;
}

#[tokio::test]
async fn a_leader_reads_the_county_with_personal_data_masked() {
    let app = app().await;
    let (cookie, _) = login(&app, "zhou.leader").await;
    let (status, body, _) = send(
        &app,
        get(&format!("/api/v1/households/{}", app.other), &cookie),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body["members"][0]["id_number"]
            .as_str()
            .unwrap()
            .contains("********")
    );
    if let Some(phone) = body["phone"].as_str() {
        assert!(phone.contains("****"), "{phone}");
    }
    app.finish().await;
}

#[tokio::test]
async fn without_a_session_or_with_a_forged_one_nothing_is_readable() {
    let app = app().await;
    let path = format!("/api/v1/households/{}", app.own);
    let (status, body, _) = send(&app, Request::get(&path).body(Body::empty()).unwrap()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let (status, _, _) = send(&app, get(&path, "jz_session=forged")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.finish().await;
}

#[tokio::test]
async fn signing_out_needs_the_csrf_token_and_ends_the_session() {
    let app = app().await;
    let (cookie, csrf) = login(&app, "wang.li").await;
    let logout = |token: Option<&str>| {
        let mut b = Request::delete("/api/v1/session").header(header::COOKIE, &cookie);
        if let Some(t) = token {
            b = b.header("x-csrf-token", t);
        }
        b.body(Body::empty()).unwrap()
    };
    let (status, body, _) = send(&app, logout(None)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("csrf"))
    );
    let (status, _, _) = send(&app, logout(Some("0000"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = send(&app, get("/api/v1/me", &cookie)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "refused sign-outs left the session alone"
    );
    let (status, _, _) = send(&app, logout(Some(&csrf))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = send(&app, get("/api/v1/me", &cookie)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the session is gone");
    app.finish().await;
}

#[tokio::test]
async fn a_disabled_account_loses_its_open_session() {
    let app = app().await;
    let (cookie, _) = login(&app, "wang.li").await;
    users::set_disabled(app.state.store.as_ref(), "wang.li", true, "admin")
        .await
        .unwrap();
    let (status, _, _) = send(&app, get("/api/v1/me", &cookie)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.finish().await;
}

#[tokio::test]
async fn areas_are_summarised_only_within_reach() {
    let app = app().await;
    let (cookie, _) = login(&app, "wang.li").await;
    let (status, body, _) = send(&app, get("/api/v1/areas", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["areas"][0]["code"], "510304107000");
    let (status, body, _) = send(&app, get("/api/v1/areas/510304107", &cookie)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["area"]["name"], "牛佛镇");
    let villages = body["children"].as_array().unwrap();
    assert!(!villages.is_empty());
    assert!(
        villages
            .iter()
            .all(|v| v["area"]["code"].as_str().unwrap().starts_with("510304107"))
    );
    for outside in ["510304", "510304100", "510304100201", "51", "not-a-code"] {
        let (status, _, _) = send(&app, get(&format!("/api/v1/areas/{outside}"), &cookie)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{outside}");
    }
    let (cookie, _) = login(&app, "zhou.leader").await;
    let (status, body, _) = send(&app, get("/api/v1/areas/510304", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["children"].as_array().unwrap().len(),
        15,
        "the 15 townships of the county"
    );
    app.finish().await;
}

#[tokio::test]
async fn search_stays_within_reach_and_pages() {
    let app = app().await;
    let (cookie, _) = login(&app, "wang.li").await;
    let (status, body, _) = send(
        &app,
        get("/api/v1/households?status=registered&limit=5", &cookie),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows = body["households"].as_array().unwrap();
    assert_eq!(rows.len(), 5);
    assert!(
        rows.iter()
            .all(|h| h["village_code"].as_str().unwrap().starts_with("510304107"))
    );
    assert!(rows.iter().all(|h| h["status"] == "registered"));
    let next = body["next_after"].as_str().unwrap().to_string();
    let (_, page2, _) = send(
        &app,
        get(
            &format!("/api/v1/households?status=registered&limit=5&after={next}"),
            &cookie,
        ),
    )
    .await;
    assert!(page2["households"][0]["household_id"].as_str().unwrap() > next.as_str());

    // Another township's household cannot be found by its number, nor its area searched.
    let (status, body, _) = send(
        &app,
        get(&format!("/api/v1/households?q={}", app.other), &cookie),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["households"].as_array().unwrap().len(), 0);
    let (status, _, _) = send(&app, get("/api/v1/households?area=510304100", &cookie)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = send(
        &app,
        get(&format!("/api/v1/households?q={}", app.own), &cookie),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    for bad in ["status=rich", "limit=0", "limit=1000", "after=%20"] {
        let (status, body, _) =
            send(&app, get(&format!("/api/v1/households?{bad}"), &cookie)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_eq!(body["code"], "bad_request");
    }
    app.finish().await;
}

#[tokio::test]
async fn every_api_route_is_in_the_openapi_document() {
    let app = app().await;
    let (status, doc, _) = send(
        &app,
        Request::get("/api/v1/openapi.json")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/session", "post"),
        ("/api/v1/session", "delete"),
        ("/api/v1/me", "get"),
        ("/api/v1/households", "get"),
        ("/api/v1/households/{id}", "get"),
        ("/api/v1/areas", "get"),
        ("/api/v1/areas/{code}", "get"),
        ("/api/v1/imports", "post"),
        ("/api/v1/imports/{id}", "get"),
        ("/api/v1/imports/{id}/report.csv", "get"),
        ("/api/v1/export", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is documented"
        );
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    app.finish().await;
}

#[tokio::test]
async fn error_messages_come_in_the_requested_language() {
    let app = app().await;
    let ask = |lang: &str| {
        Request::get("/api/v1/me")
            .header(header::ACCEPT_LANGUAGE, lang)
            .body(Body::empty())
            .unwrap()
    };
    let (status, body, _) = send(&app, ask("en-US,en;q=0.9")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["message"], "sign in first");
    assert_eq!(body["code"], "unauthorized");
    let (_, body, _) = send(&app, ask("zh-CN")).await;
    assert_eq!(body["message"], "请先登录");
    assert_eq!(body["message_en"], "sign in first");
    app.finish().await;
}
