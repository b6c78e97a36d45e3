//! Public notices over the web: anyone objects on the public site (the public forms' CSRF
//! cookie, the allowance per address), a correction is a new notice that the old one points
//! to, and the officers' lists of notices ending this week and overdue steps.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{PASSWORD, app, call, enc, get, login, post_json, send};
use jingzhun_domain::access::{Assignment, Role};
use jingzhun_domain::registry::HouseholdId;
use jingzhun_service::users;
use serde_json::{Value, json};

/// A removal case of the fixture's own household taken to its village notice by a clerk of its
/// village; returns (clerk cookie, csrf, case id, notice id).
async fn case_at_notice(app: &common::App) -> (String, String, i64, i64) {
    let store = app.state.store.as_ref();
    let h = store
        .household(&HouseholdId::parse(&app.own).unwrap())
        .await
        .unwrap()
        .unwrap();
    let clerk = Assignment::new(Role::VillageClerk, h.village_code, None, None, false).unwrap();
    users::add_user(store, "notice.clerk", "公示文书", PASSWORD, clerk, "test")
        .await
        .unwrap();
    let (cookie, csrf) = login(app, "notice.clerk").await;
    let (status, case, _) = send(
        app,
        post_json(
            "/api/v1/procedures",
            &cookie,
            Some(&csrf),
            json!({"household_id": app.own, "kind": "removal",
                "evidence": {"kind": "application", "by_household": false, "reason": "迁出"}}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{case}");
    let id = case["id"].as_i64().unwrap();
    let mut version = case["version"].as_i64().unwrap();
    for act in [
        json!({"act": "step", "step": "deliberation", "evidence": {"kind": "meeting",
            "attendees": 20, "votes_for": 18, "votes_against": 1, "record": "评议"}}),
        json!({"act": "step", "step": "verification", "evidence": {"kind": "visit",
            "findings": "已迁出", "household_consents": null}}),
        json!({"act": "step", "step": "first_notice", "evidence": {"kind": "notice", "notice_ref": ""}}),
    ] {
        let mut a = act;
        a["version"] = json!(version);
        let (status, case, _) = send(
            app,
            post_json(
                &format!("/api/v1/procedures/{id}/acts"),
                &cookie,
                Some(&csrf),
                a,
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{case}");
        version = case["version"].as_i64().unwrap();
    }
    let (_, case, _) = send(app, get(&format!("/api/v1/procedures/{id}"), &cookie)).await;
    let nref = case["case"]["steps"][3]["evidence"]["notice_ref"]
        .as_str()
        .unwrap()
        .to_string();
    (
        cookie,
        csrf,
        id,
        nref.trim_start_matches('N').parse().unwrap(),
    )
}

fn public_post(path: &str, cookie: Option<&str>, body: &str) -> Request<Body> {
    let mut r =
        Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::from(body.to_string())).unwrap()
}

#[tokio::test]
async fn anyone_objects_on_the_public_site_within_the_limits() {
    let app = app().await;
    let (cookie, _, case, nid) = case_at_notice(&app).await;
    let page = call(
        &app,
        Request::get(format!("/public/notices/{nid}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("objection-form"), "{}", page.text());
    let set = page.cookies();
    let jar = set
        .iter()
        .find(|c| c.starts_with("jz_public_csrf="))
        .expect("the form's cookie");
    let token = jar.trim_start_matches("jz_public_csrf=");
    let path = format!("/public/notices/{nid}/objections");

    // Without the cookie, or with another token: refused, nothing filed.
    let body = format!("csrf={token}&line=1&text={}", enc("此户未迁出"));
    let r = call(&app, public_post(&path, None, &body)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = call(
        &app,
        public_post(&path, Some(jar), &body.replace(token, "forged")),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Markup in the text is only ever shown escaped to officers.
    let r = call(
        &app,
        public_post(
            &path,
            Some(jar),
            &format!(
                "csrf={token}&line=1&text={}",
                enc("<script>alert(1)</script>未迁出")
            ),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("objection-filed"));
    let (_, c, _) = send(&app, get(&format!("/api/v1/procedures/{case}"), &cookie)).await;
    assert_eq!(c["case"]["state"], "suspended", "{c}");
    let officer_page = call(&app, get(&format!("/procedures/{case}"), &cookie)).await;
    assert!(officer_page.text().contains("&lt;script&gt;"));
    assert!(!officer_page.text().contains("<script>alert"));
    // A line that is not on the notice, and an over-long text.
    let r = call(
        &app,
        public_post(&path, Some(jar), &format!("csrf={token}&line=9&text=x")),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let long = "长".repeat(1001);
    let r = call(
        &app,
        public_post(
            &path,
            Some(jar),
            &format!("csrf={token}&line=1&text={}", enc(&long)),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // The JSON API counts against the same allowance: past ten an hour, 429.
    let mut statuses = Vec::new();
    for _ in 0..10 {
        let r = call(
            &app,
            Request::post(format!("/api/v1/public/notices/{nid}/objections"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json!({"line": 1, "text": "异议"}).to_string()))
                .unwrap(),
        )
        .await;
        statuses.push(r.status);
    }
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    assert!(statuses.contains(&StatusCode::OK), "{statuses:?}");
    // The public notice API shows the text and its check, never the objections.
    let (status, n, _) = send(
        &app,
        Request::get(format!("/api/v1/public/notices/{nid}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(n["notice"]["unchanged"], true);
    assert!(!n.to_string().contains("未迁出"), "{n}");
}

#[tokio::test]
async fn a_correction_is_published_as_a_new_notice_and_the_lists_show_what_is_due() {
    let app = app().await;
    let (cookie, csrf, case, nid) = case_at_notice(&app).await;
    // The officers' lists: this notice ends within the week; nothing is overdue yet.
    let ending = call(&app, get("/procedures?ending=1", &cookie)).await;
    assert!(
        ending.text().contains(&format!("/procedures/{case}\"")),
        "{}",
        ending.text()
    );
    let (_, overdue, _) = send(&app, get("/api/v1/procedures?overdue=true", &cookie)).await;
    assert_eq!(overdue, json!([]));
    let (_, within, _) = send(&app, get("/api/v1/procedures?ending_within=7", &cookie)).await;
    assert_eq!(within.as_array().unwrap().len(), 1);

    // A township reviewer does not take the village notice's correction; a reason is required.
    let (status, _, _) = send(
        &app,
        post_json(
            &format!("/api/v1/notices/{nid}/correction"),
            &cookie,
            Some(&csrf),
            json!({"reason": ""}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (rcookie, rcsrf) = login(&app, "wang.li").await;
    let (status, _, _) = send(
        &app,
        post_json(
            &format!("/api/v1/notices/{nid}/correction"),
            &rcookie,
            Some(&rcsrf),
            json!({"reason": "有误"}),
        ),
    )
    .await;
    assert!(
        matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{status}"
    );
    // From the case page's form.
    let page = call(&app, get(&format!("/procedures/{case}"), &cookie)).await;
    assert!(page.text().contains("correction-form"));
    let r = call(
        &app,
        common::post_form(
            &format!("/procedures/notices/{nid}/correction"),
            &cookie,
            &format!("csrf={csrf}&case={case}&reason={}", enc("户主姓名有误")),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let (_, c, _) = send(&app, get(&format!("/api/v1/procedures/{case}"), &cookie)).await;
    let new: i64 = c["case"]["steps"][3]["evidence"]["notice_ref"]
        .as_str()
        .unwrap()
        .trim_start_matches('N')
        .parse()
        .unwrap();
    assert_ne!(new, nid);
    let old_page = call(
        &app,
        Request::get(format!("/public/notices/{nid}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(old_page.text().contains("notice-corrected"));
    assert!(
        !old_page.text().contains("objection-form"),
        "a corrected notice takes no objections"
    );
    let new_page = call(
        &app,
        Request::get(format!("/public/notices/{new}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(
        new_page.text().contains("notice-corrects") && new_page.text().contains("户主姓名有误")
    );
    let (_, n, _) = send(
        &app,
        Request::get(format!("/api/v1/public/notices/{nid}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(n["corrected_by"], json!([new]));
    let again: Value = send(
        &app,
        post_json(
            &format!("/api/v1/notices/{nid}/correction"),
            &cookie,
            Some(&csrf),
            json!({"reason": "再改"}),
        ),
    )
    .await
    .1;
    assert_eq!(again["code"], "conflict", "{again}");
}
