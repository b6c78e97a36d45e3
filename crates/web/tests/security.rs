//! Issue 14, security: each finding over HTTP on the demo, on SQLite or PostgreSQL
//! (`JINGZHUN_TEST_POSTGRES`). Recusal by area and by person, by page and API.

mod common;

use axum::http::StatusCode;
use common::{App, PASSWORD, app, call, enc, get, login, post_form, post_json, send};
use jingzhun_domain::access::{Assignment, Role};
use jingzhun_service::users;
use serde_json::json;

async fn add(app: &App, login: &str, name: &str, role: Role, area: &str) {
    let a = Assignment::new(role, common::code(area), None, None, false).unwrap();
    users::add_user(app.state.store.as_ref(), login, name, PASSWORD, a, "test")
        .await
        .unwrap();
}

async fn village(app: &App, township: &str) -> String {
    app.state
        .store
        .children(Some(&common::code(township)))
        .await
        .unwrap()
        .remove(0)
        .code
        .as_str()
        .to_string()
}

async fn version(app: &App, cookie: &str, id: i64) -> i64 {
    let r = call(app, get(&format!("/api/v1/complaints/{id}"), cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["version"].as_i64().unwrap()
}

/// The finding: a complaint accusing 大山铺镇人民政府 (510304100) routed to "大山铺镇纪委" of the
/// same township, read and answered by that township's reviewer. Now: routing there is refused
/// with its reason, and the township's reviewer and the accused person find nothing, by page
/// and API, before and after routing elsewhere.
#[tokio::test]
async fn the_accused_never_reads_or_handles_the_complaint() {
    let app = app().await;
    add(&app, "desk", "纪委甲", Role::DisciplineOfficer, "510304").await;
    add(
        &app,
        "dsp.review",
        "大山铺审核",
        Role::TownshipReviewer,
        "510304100",
    )
    .await;
    add(&app, "li.ming", "李明", Role::CountyOfficer, "510304").await;
    let v = village(&app, "510304100").await;
    let (dc, dt) = login(&app, "desk").await;
    let body = json!({"channel": "hotline_12317", "subject_area": v,
        "content": "镇政府截留危房改造补助", "accused_unit": "大山铺镇人民政府",
        "accused_unit_area": "510304100", "accused_person": "李 明",
        "classes": ["diversion"]});
    let (s, c, _) = send(&app, post_json("/api/v1/complaints", &dc, Some(&dt), body)).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let id = c["id"].as_i64().unwrap();
    let ticket = c["complaint"]["ticket"].as_str().unwrap().to_string();

    // Routing into the accused township is refused with the reason, by API and by page.
    let route = |area: &str, name: &str, version: i64| {
        json!({"version": version, "act": "route", "unit_area": area,
            "unit_name": name, "complexity": "simple"})
    };
    let ver = version(&app, &dc, id).await;
    let (s, e, _) = send(
        &app,
        post_json(
            &format!("/api/v1/complaints/{id}/acts"),
            &dc,
            Some(&dt),
            route("510304100", "大山铺镇纪委", ver),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let detail = e["detail"].as_str().unwrap();
    assert!(
        detail.contains("回避") && detail.contains("recusal") && detail.contains("510304100"),
        "{e}"
    );
    let page = call(
        &app,
        post_form(
            &format!("/complaints/{id}"),
            &dc,
            &format!(
                "csrf={}&version={ver}&act=route&unit_area=510304100&unit_name={}&complexity=simple",
                enc(&dt),
                enc("大山铺镇纪委")
            ),
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.text().contains("回避"), "the page says why");

    let hidden = |who: &'static str| {
        let app = &app;
        let ticket = ticket.clone();
        async move {
            let (cookie, csrf) = login(app, who).await;
            for path in [
                format!("/api/v1/complaints/{id}"),
                format!("/complaints/{id}"),
            ] {
                let r = call(app, get(&path, &cookie)).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{who} {path}");
            }
            for path in ["/api/v1/complaints", "/complaints"] {
                let r = call(app, get(path, &cookie)).await;
                assert!(!r.text().contains(&ticket), "{who} {path}");
            }
            let (s, _, _) = send(
                app,
                post_json(
                    &format!("/api/v1/complaints/{id}/acts"),
                    &cookie,
                    Some(&csrf),
                    json!({"version": 1, "act": "verify", "note": "经核查无此事"}),
                ),
            )
            .await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{who}");
            let r = call(
                app,
                post_form(
                    &format!("/complaints/{id}"),
                    &cookie,
                    &format!("csrf={}&version=1&act=verify&note=x", enc(&csrf)),
                ),
            )
            .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}");
        }
    };
    hidden("dsp.review").await;
    hidden("li.ming").await;

    // Routed to another township, which handles it; the accused still see nothing.
    let ver = version(&app, &dc, id).await;
    let (s, e, _) = send(
        &app,
        post_json(
            &format!("/api/v1/complaints/{id}/acts"),
            &dc,
            Some(&dt),
            route("510304107", "牛佛镇纪委", ver),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let (wc, _) = login(&app, "wang.li").await;
    let r = call(&app, get(&format!("/api/v1/complaints/{id}"), &wc)).await;
    assert_eq!(r.status, StatusCode::OK);
    hidden("dsp.review").await;
    hidden("li.ming").await;
    app.finish().await;
}
