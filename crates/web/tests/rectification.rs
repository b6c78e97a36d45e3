//! Rectification over HTTP: a programme drawn up by a leader, a measure reported by its unit,
//! verified and closed by an inspector, reopened by a look-back from the page's form; the
//! refusals (403 / 400 / 409 / 404), the dashboards with their charts, the XLSX lists and the
//! OpenAPI document.

mod common;

use axum::http::{StatusCode, header};
use common::{App, PASSWORD, app, call, code, enc, get, login, post_form, post_json};
use jingzhun_domain::access::{Assignment, Role};
use jingzhun_service::users;
use serde_json::{Value, json};

async fn add(app: &App, login: &str, role: Role, area: &str) {
    let a = Assignment::new(role, code(area), None, None, false).unwrap();
    users::add_user(app.state.store.as_ref(), login, login, PASSWORD, a, "test")
        .await
        .unwrap();
}

struct Session {
    cookie: String,
    csrf: String,
}

async fn session(app: &App, who: &str) -> Session {
    let (cookie, csrf) = login(app, who).await;
    Session { cookie, csrf }
}

async fn post(app: &App, s: &Session, path: &str, body: Value) -> (StatusCode, Value) {
    let r = call(app, post_json(path, &s.cookie, Some(&s.csrf), body)).await;
    (r.status, r.json())
}

fn deadline(days: u64) -> String {
    (jingzhun_service::today_in_china() + chrono::Days::new(days)).to_string()
}

/// A programme with problem 27 and measure 27-1 of 区扶贫开发局, whose member is `officer`.
async fn programme(app: &App, leader: &Session) -> (i64, i64) {
    let (st, p) = post(
        app,
        leader,
        "/api/v1/rectification/programmes",
        json!({"area": "510304", "title": "大安区专项巡察反馈问题整改方案", "inspection": "市委第一巡察组反馈意见"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    let id = p["id"].as_i64().unwrap();
    let (st, p) = post(
        app,
        leader,
        &format!("/api/v1/rectification/programmes/{id}/problems"),
        json!({"version": p["version"], "number": 27, "category": "问题整改不扎实不到位",
               "aspect": "对整改难度大的问题较真碰硬不够", "text": "存在以文件代替整改现象"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    let (st, p) = post(
        app,
        leader,
        &format!("/api/v1/rectification/programmes/{id}/measures"),
        json!({"version": p["version"], "problem": 27, "code": "27-1", "kind": "immediate",
               "task": "对以文件代替整改的事项逐项核查", "requirement": "不以印发文件作为完成标志",
               "leader": "zhou.leader", "leader_unit": "区委", "unit": "区扶贫开发局",
               "deadline": deadline(30)}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    let (st, p) = post(
        app,
        leader,
        &format!("/api/v1/rectification/programmes/{id}/units"),
        json!({"version": p["version"], "unit": "区扶贫开发局", "members": ["officer"]}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    (id, p["version"].as_i64().unwrap())
}

fn report(version: i64, kind: &str, completed: bool) -> Value {
    json!({"version": version, "act": "report", "text": "已完成整改",
           "evidence": [{"kind": kind, "text": "佐证"}], "completed": completed})
}

#[tokio::test]
async fn a_measure_is_reported_verified_closed_and_reopened_with_every_refusal() {
    let app = app().await;
    add(&app, "officer", Role::CountyOfficer, "510304").await;
    add(&app, "inspector", Role::Inspector, "510304").await;
    let leader = session(&app, "zhou.leader").await;
    let officer = session(&app, "officer").await;
    let inspector = session(&app, "inspector").await;
    let reviewer = session(&app, "wang.li").await;
    let (id, v) = programme(&app, &leader).await;
    let acts = format!("/api/v1/rectification/measures/{id}/27-1/acts");

    // A township reviewer may not draw up a programme; the programme is not theirs to see.
    let (st, _) = post(
        &app,
        &reviewer,
        "/api/v1/rectification/programmes",
        json!({"area": "510304107", "title": "t", "inspection": "i"}),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let r = call(
        &app,
        get(
            &format!("/api/v1/rectification/programmes/{id}"),
            &reviewer.cookie,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let (st, _) = post(
        &app,
        &reviewer,
        &acts,
        report(v, "field_verification", false),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // The inspector may not report.
    let (st, _) = post(
        &app,
        &inspector,
        &acts,
        report(v, "field_verification", false),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // Without the CSRF header: refused.
    let r = call(
        &app,
        post_json(&acts, &officer.cookie, None, report(v, "ledger", false)),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A document is not rectification.
    let (st, body) = post(&app, &officer, &acts, report(v, "document_issued", true)).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("以文件代替整改"),
        "{body}"
    );
    let (st, p) = post(&app, &officer, &acts, report(v, "field_verification", true)).await;
    assert_eq!(st, StatusCode::OK, "{p}");
    let v = p["version"].as_i64().unwrap();
    // Closing without verification: 409; the owner's unit verifying: 403.
    let (st, _) = post(
        &app,
        &inspector,
        &acts,
        json!({"version": v, "act": "close"}),
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let verify = json!({"version": v, "act": "verify", "passed": true, "findings": "抽查相符"});
    let (st, _) = post(&app, &officer, &acts, verify.clone()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, p) = post(&app, &inspector, &acts, verify).await;
    assert_eq!(st, StatusCode::OK, "{p}");
    let v2 = p["version"].as_i64().unwrap();
    // A stale version: 409.
    let (st, _) = post(
        &app,
        &inspector,
        &acts,
        json!({"version": v, "act": "close"}),
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, _) = post(
        &app,
        &officer,
        &acts,
        json!({"version": v2, "act": "close"}),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, p) = post(
        &app,
        &inspector,
        &acts,
        json!({"version": v2, "act": "close"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["state"], "closed");
    let v3 = p["version"].as_i64().unwrap();

    // The look-back from the measure page's form reopens it.
    let page = call(
        &app,
        get(
            &format!("/rectification/{id}/measures/27-1"),
            &inspector.cookie,
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text().contains("look-back-form"),
        "the form is offered"
    );
    let form = format!(
        "csrf={}&version={v3}&act=look_back&text={}&reopen=true",
        enc(&inspector.csrf),
        enc("回头看发现问题反弹")
    );
    let r = call(
        &app,
        post_form(
            &format!("/rectification/{id}/measures/27-1"),
            &inspector.cookie,
            &form,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = call(
        &app,
        get(
            &format!("/rectification/{id}/measures/27-1"),
            &officer.cookie,
        ),
    )
    .await;
    assert!(page.text().contains("回头看重新整改"), "{}", page.text());
    assert!(page.text().contains("report-form"));
    // A refused form shows its reason on the page (closing a reopened measure: 409).
    let form = format!("csrf={}&version={}&act=close", enc(&inspector.csrf), v3 + 1);
    let r = call(
        &app,
        post_form(
            &format!("/rectification/{id}/measures/27-1"),
            &inspector.cookie,
            &form,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("refusal"), "{}", r.text());
    // A form without the CSRF token is refused.
    let r = call(
        &app,
        post_form(
            &format!("/rectification/{id}/measures/27-1"),
            &inspector.cookie,
            &format!("csrf=x&version={}&act=close", v3 + 1),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    app.finish().await;
}

#[tokio::test]
async fn dashboards_show_charts_and_the_lists_download_as_a_workbook() {
    let app = app().await;
    add(&app, "officer", Role::CountyOfficer, "510304").await;
    let leader = session(&app, "zhou.leader").await;
    let officer = session(&app, "officer").await;
    let (id, v) = programme(&app, &leader).await;
    // A document-only progress report: flagged on the pages.
    let acts = format!("/api/v1/rectification/measures/{id}/27-1/acts");
    let (st, _) = post(&app, &officer, &acts, report(v, "document_issued", false)).await;
    assert_eq!(st, StatusCode::OK);

    let r = call(&app, get("/rectification", &leader.cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.text();
    assert!(t.contains("大安区专项巡察反馈问题整改方案"));
    assert!(t.contains("data-chart") && t.contains("category-chart") && t.contains("unit-chart"));
    assert!(t.contains("new-programme"), "a leader may create one");
    let r = call(&app, get(&format!("/rectification/{id}"), &leader.cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.text();
    assert!(
        t.contains("document-only") && t.contains("存在以文件代替整改现象"),
        "{t}"
    );
    let r = call(
        &app,
        get(
            &format!("/rectification/{id}"),
            &common::login(&app, "wang.li").await.0,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // In English.
    let r = call(
        &app,
        axum::http::Request::get(format!("/rectification/{id}"))
            .header(header::COOKIE, &leader.cookie)
            .header(header::ACCEPT_LANGUAGE, "en")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert!(r.text().contains("Overdue warnings"), "{}", r.text());

    let r = call(
        &app,
        get(
            &format!("/api/v1/rectification/programmes/{id}/progress"),
            &leader.cookie,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["document_only"], json!(["27-1"]));
    let r = call(&app, get("/api/v1/rectification/dashboard", &leader.cookie)).await;
    assert_eq!(r.json()["all"]["total"], 1);
    let r = call(
        &app,
        get(&format!("/rectification/{id}/lists.xlsx"), &leader.cookie),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.header(header::CONTENT_TYPE)
            .unwrap()
            .contains("spreadsheetml")
    );
    assert!(r.bytes.starts_with(b"PK"), "a zip");

    // The page form adds a problem (and a refused one shows why).
    let form = format!(
        "csrf={}&version={}&number=28&category={}&aspect={}&text={}",
        enc(&leader.csrf),
        v + 1,
        enc("问题整改不扎实不到位"),
        enc("对整改难度大的问题较真碰硬不够"),
        enc("抓整改落实不够有力"),
    );
    let r = call(
        &app,
        post_form(
            &format!("/rectification/{id}/problems"),
            &leader.cookie,
            &form,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = call(
        &app,
        post_form(
            &format!("/rectification/{id}/problems"),
            &leader.cookie,
            &form,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "stale: shown on the page");
    assert!(r.text().contains("class=\"error\""));

    let r = call(&app, get("/api/v1/openapi.json", &leader.cookie)).await;
    let doc = r.json();
    assert!(doc["paths"]["/api/v1/rectification/programmes"].is_object());
    assert!(doc["paths"]["/api/v1/rectification/measures/{id}/{code}/acts"].is_object());
    app.finish().await;
}

#[tokio::test]
async fn the_demo_programme_renders_every_state_and_its_measures() {
    let app = app().await;
    let store = app.state.store.as_ref();
    jingzhun_service::rectification::demo(store, &jingzhun_service::seal::Sealer::generate())
        .await
        .unwrap();
    let leader = session(&app, "zhou.leader").await;
    let r = call(
        &app,
        get("/api/v1/rectification/programmes", &leader.cookie),
    )
    .await;
    let id = r.json()[0]["id"].as_i64().unwrap();
    let r = call(&app, get(&format!("/rectification/{id}"), &leader.cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.text();
    for s in [
        "已销号",
        "整改中",
        "已完成待核验",
        "未启动",
        "回头看重新整改",
        "逾期",
        "以文件代替整改",
    ] {
        assert!(t.contains(s), "{s}");
    }
    for code in [
        "1-1", "2-1", "3-1", "4-1", "5-1", "6-1", "7-1", "8-1", "2-2",
    ] {
        let r = call(
            &app,
            get(
                &format!("/rectification/{id}/measures/{code}"),
                &leader.cookie,
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{code}");
    }
    let r = call(
        &app,
        get(&format!("/rectification/{id}/measures/8-1"), &leader.cookie),
    )
    .await;
    assert!(
        r.text().contains("回头看发现 3 户"),
        "the look-back is shown"
    );
    let r = call(
        &app,
        get(&format!("/rectification/{id}/measures/9-9"), &leader.cookie),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    app.finish().await;
}
