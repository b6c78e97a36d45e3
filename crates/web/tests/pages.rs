//! The pages and the import/export API in process: sign-in with its CSRF cookie, the
//! dashboard and drill-down, languages, area scope by page, masking, and imports and exports
//! with the attempts that must fail.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{App, PASSWORD, app, call, enc, get, login};
use serde_json::Value;

fn form(path: &str, cookie: &str, body: &str) -> Request<Body> {
    Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap()
}

#[tokio::test]
async fn pages_send_a_visitor_without_a_session_to_sign_in_and_back() {
    let app = app().await;
    let r = call(
        &app,
        Request::get("/dashboard?area=510304107")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.header(header::LOCATION).as_deref(),
        Some("/login?next=/dashboard%3Farea%3D510304107")
    );
    app.finish().await;
}

#[tokio::test]
async fn the_sign_in_form_needs_its_csrf_cookie_and_a_right_password() {
    let app = app().await;
    let page = call(
        &app,
        Request::get("/login?next=/households")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf_cookie = page
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("jz_login_csrf="))
        .unwrap();
    let token = csrf_cookie.split_once('=').unwrap().1.to_string();
    assert!(page.text().contains(&token), "the form carries the token");

    // Without the cookie (a forged cross-site form): refused, no session.
    let forged = call(
        &app,
        form(
            "/login",
            "",
            &format!("csrf={token}&login=wang.li&password={}", enc(PASSWORD)),
        ),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(
        forged
            .cookies()
            .iter()
            .all(|c| !c.starts_with("jz_session="))
    );

    let wrong = call(
        &app,
        form(
            "/login",
            &csrf_cookie,
            &format!("csrf={token}&login=wang.li&password=wrong-wrong-wrong"),
        ),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.text().contains("登录名或密码错误"));

    let ok = call(
        &app,
        form(
            "/login",
            &csrf_cookie,
            &format!(
                "csrf={token}&login=wang.li&password={}&next=%2Fhouseholds",
                enc(PASSWORD)
            ),
        ),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.header(header::LOCATION).as_deref(), Some("/households"));
    let session = ok
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("jz_session="))
        .unwrap();
    let list = call(&app, get("/households", &session)).await;
    assert_eq!(list.status, StatusCode::OK);

    // Coming back is only ever to a local path.
    let away = call(
        &app,
        form(
            "/login",
            &csrf_cookie,
            &format!(
                "csrf={token}&login=wang.li&password={}&next=https%3A%2F%2Fevil.example",
                enc(PASSWORD)
            ),
        ),
    )
    .await;
    assert_eq!(away.header(header::LOCATION).as_deref(), Some("/dashboard"));
    app.finish().await;
}

#[tokio::test]
async fn the_dashboard_shows_the_area_with_links_behind_its_numbers_in_either_language() {
    let app = app().await;
    let (cookie, _) = login(&app, "wang.li").await;
    let zh = call(&app, get("/dashboard", &cookie)).await;
    assert_eq!(zh.status, StatusCode::OK);
    let html = zh.text();
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("牛佛镇"));
    assert!(html.contains("id=\"status-table\""));
    assert!(html.contains("id=\"children-table\""));
    assert!(html.contains("href=\"/households?area=510304107&amp;status=registered\""));
    assert!(html.contains("href=\"/households?area=510304107&amp;gap=housing\""));
    assert!(html.contains("id=\"cause-chart\""));

    let en = call(
        &app,
        Request::get("/dashboard")
            .header(header::COOKIE, &cookie)
            .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(en.text().contains("<html lang=\"en\">"));
    assert!(en.text().contains("Registered households"));

    let switch = call(&app, get("/lang/en?back=%2Fhouseholds", &cookie)).await;
    assert_eq!(
        switch.header(header::LOCATION).as_deref(),
        Some("/households")
    );
    let lang = switch
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("jz_lang="))
        .unwrap();
    assert_eq!(lang, "jz_lang=en");
    let page = call(&app, get("/households", &format!("{cookie}; {lang}"))).await;
    assert!(page.text().contains("Households"));
    app.finish().await;
}

#[tokio::test]
async fn a_township_reviewer_opens_no_page_of_another_township() {
    let app = app().await;
    let (cookie, _) = login(&app, "wang.li").await;
    let own = call(&app, get(&format!("/households/{}", app.own), &cookie)).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.text().contains("id=\"members\""));
    for path in [
        format!("/households/{}", app.other),
        "/areas/510304100".to_string(),
        "/areas/510304".to_string(),
        "/dashboard?area=510304100".to_string(),
        "/households?area=510304100".to_string(),
    ] {
        let r = call(&app, get(&path, &cookie)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!r.text().contains(&app.other), "{path} leaks nothing");
    }
    let missing = call(&app, get("/households/NO-SUCH-HOUSEHOLD", &cookie)).await;
    let other = call(&app, get(&format!("/households/{}", app.other), &cookie)).await;
    assert_eq!(
        missing.text(),
        other.text(),
        "indistinguishable from a missing one"
    );
    // The list without an area stays within the township.
    let list = call(&app, get("/households", &cookie)).await.text();
    assert!(list.contains("class=\"household-link\""));
    assert!(
        !list.contains(">51030410000"),
        "no household of 大山铺镇 listed"
    );
    app.finish().await;
}

#[tokio::test]
async fn id_numbers_are_masked_on_pages_for_a_leader_and_not_for_the_reviewer() {
    let app = app().await;
    let (leader, _) = login(&app, "zhou.leader").await;
    let page = call(&app, get(&format!("/households/{}", app.own), &leader))
        .await
        .text();
    assert!(page.contains("********"), "masked for a leader");
    let (reviewer, _) = login(&app, "wang.li").await;
    let page = call(&app, get(&format!("/households/{}", app.own), &reviewer))
        .await
        .text();
    assert!(
        !page.contains("********"),
        "the township's reviewer sees ID numbers"
    );
    app.finish().await;
}

#[tokio::test]
async fn sign_out_and_password_change_forms_need_the_session_csrf_token() {
    let app = app().await;
    let (cookie, csrf) = login(&app, "wang.li").await;
    let refused = call(&app, form("/logout", &cookie, "csrf=forged")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let body = format!(
        "csrf=forged&current={}&new=another-password-1&again=another-password-1",
        enc(PASSWORD)
    );
    assert_eq!(
        call(&app, form("/account/password", &cookie, &body))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let body = format!(
        "csrf={csrf}&current=not-the-password&new=another-password-1&again=another-password-1"
    );
    assert_eq!(
        call(&app, form("/account/password", &cookie, &body))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let body = format!(
        "csrf={csrf}&current={}&new=short&again=short",
        enc(PASSWORD)
    );
    assert_eq!(
        call(&app, form("/account/password", &cookie, &body))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let body = format!(
        "csrf={csrf}&current={}&new=another-password-1&again=another-password-1",
        enc(PASSWORD)
    );
    let changed = call(&app, form("/account/password", &cookie, &body)).await;
    assert_eq!(changed.status, StatusCode::OK);
    assert!(changed.text().contains("密码已修改"));
    let check = jingzhun_service::users::check_login(
        app.state.store.as_ref(),
        "wang.li",
        "another-password-1",
        jingzhun_service::today_in_china(),
    )
    .await
    .unwrap();
    assert!(check.is_ok());

    let out = call(&app, form("/logout", &cookie, &format!("csrf={csrf}"))).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        call(&app, get("/api/v1/me", &cookie)).await.status,
        StatusCode::UNAUTHORIZED
    );
    app.finish().await;
}

const HOUSEHOLDS_HEADER: &str = "household_id,village_code,group_name,status,poverty_type,identified_year,exit_year,primary_cause,housing_safe,water_safe,annual_net_income,income_year,phone";
const PERSONS_HEADER: &str = "id_number,name,household_id,relation,gender,birth_date";

fn upload(cookie: &str, csrf: Option<&str>, files: &[(&str, String)]) -> Request<Body> {
    let boundary = "jzboundary7MA4YWxk";
    let mut body = String::new();
    for (name, text) in files {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n{text}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let mut b = Request::post("/api/v1/imports")
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        );
    if let Some(t) = csrf {
        b = b.header("x-csrf-token", t);
    }
    b.body(Body::from(body)).unwrap()
}

/// Follows a job until it ends.
async fn job(app: &App, cookie: &str, id: &str) -> Value {
    for _ in 0..300 {
        let v = call(app, get(&format!("/api/v1/imports/{id}"), cookie))
            .await
            .json();
        if v["state"] != "running" {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import did not end");
}

fn registry(village: &str, id: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "households.csv",
            format!(
                "{HOUSEHOLDS_HEADER}\n{id},{village},一组,registered,general,2016,,illness,yes,yes,3200.00,2020,\n"
            ),
        ),
        (
            "persons.csv",
            format!("{PERSONS_HEADER}\n510304198001010031,王新,{id},head,male,1980-01-01\n"),
        ),
    ]
}

#[tokio::test]
async fn imports_run_in_the_background_and_stay_within_the_accounts_area() {
    let app = app().await;
    let (cookie, csrf) = login(&app, "li.clerk").await;
    let village = app.other_village;
    let before = app.state.store.audit_head().await.unwrap();

    // Without the CSRF header: refused.
    let r = call(
        &app,
        upload(&cookie, None, &registry(village.as_str(), "NEW-1")),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // A household in another township: every such row is reported, nothing is written.
    let r = call(
        &app,
        upload(&cookie, Some(&csrf), &registry("510304107001", "NEW-2")),
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    let done = job(&app, &cookie, &id).await;
    assert_eq!(done["state"], "rejected", "{done}");
    assert_eq!(done["errors"][0]["value"], "510304107001");
    assert_eq!(
        done["errors"][0]["reason_en"],
        "outside the area of this account"
    );
    assert_eq!(
        app.state.store.audit_head().await.unwrap(),
        before,
        "nothing changed"
    );
    let csv = call(
        &app,
        get(&format!("/api/v1/imports/{id}/report.csv"), &cookie),
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.text().contains("510304107001"));

    // Another account cannot see the job.
    let (leader, _) = login(&app, "zhou.leader").await;
    assert_eq!(
        call(&app, get(&format!("/api/v1/imports/{id}"), &leader))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(
            &app,
            get(&format!("/api/v1/imports/{id}/report.csv"), &leader)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    // A household number of another township, moved into the clerk's village: refused.
    let (reviewer, reviewer_csrf) = login(&app, "wang.li").await;
    let r = call(
        &app,
        upload(
            &reviewer,
            Some(&reviewer_csrf),
            &registry("510304107001", &app.other),
        ),
    )
    .await;
    let id = r.json()["id"].as_str().unwrap().to_string();
    let done = job(&app, &reviewer, &id).await;
    assert_eq!(done["state"], "rejected", "{done}");
    assert_eq!(done["errors"][0]["value"], app.other.as_str());
    assert_eq!(
        done["errors"][0]["reason_en"],
        "outside the area of this account"
    );
    assert_eq!(
        app.state.store.audit_head().await.unwrap(),
        before,
        "nothing changed"
    );

    // Within the clerk's village: imported.
    let r = call(
        &app,
        upload(&cookie, Some(&csrf), &registry(village.as_str(), "NEW-3")),
    )
    .await;
    let id = r.json()["id"].as_str().unwrap().to_string();
    let done = job(&app, &cookie, &id).await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(
        (done["households"].as_i64(), done["persons"].as_i64()),
        (Some(1), Some(1))
    );
    let h = app
        .state
        .store
        .household(&jingzhun_domain::registry::HouseholdId::parse("NEW-3").unwrap())
        .await
        .unwrap();
    assert!(h.is_some());

    // Files that are not the registry: refused at once.
    let r = call(
        &app,
        upload(&cookie, Some(&csrf), &[("notes.txt", "x".into())]),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = call(
        &app,
        upload(&cookie, Some(&csrf), &[("households.csv", "x".into())]),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "persons.csv is missing");
    app.finish().await;
}

#[tokio::test]
async fn a_leader_may_not_import_and_exports_only_masked_data_within_reach() {
    let app = app().await;
    let (cookie, csrf) = login(&app, "zhou.leader").await;
    let r = call(
        &app,
        upload(&cookie, Some(&csrf), &registry("510304107001", "NEW-4")),
    )
    .await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );

    let r = call(
        &app,
        get("/api/v1/export?area=510304107&format=xlsx", &cookie),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.bytes.starts_with(b"PK"), "an xlsx (zip) workbook");
    let r = call(
        &app,
        get(
            "/api/v1/export?area=510304107&format=csv&sheet=persons",
            &cookie,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("********"), "ID numbers masked");
    let r = call(
        &app,
        get("/api/v1/export?area=510304107&unmasked=true", &cookie),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a leader does not see personal data"
    );
    let r = call(&app, get("/api/v1/export?area=51", &cookie)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "outside reach");
    let r = call(
        &app,
        get("/api/v1/export?area=510304107&format=pdf", &cookie),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    let (reviewer, _) = login(&app, "wang.li").await;
    let r = call(
        &app,
        get(
            "/api/v1/export?area=510304107&format=csv&sheet=persons&unmasked=true",
            &reviewer,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        !r.text().contains("********"),
        "unmasked for the township's reviewer"
    );
    let audit = app.state.store.audit_page(0, 100_000).await.unwrap();
    let exports: Vec<_> = audit
        .iter()
        .filter(|e| e.action.starts_with("registry.export"))
        .collect();
    assert!(
        exports
            .iter()
            .any(|e| e.actor == "user:wang.li" && e.detail.contains("\"masked\":false")),
        "the unmasked export is audited"
    );
    assert!(exports.iter().any(|e| e.actor == "user:zhou.leader"));
    app.finish().await;
}
