//! Complaints over HTTP on the demo: the sealed identity never reaches a handler without the
//! `sealed` permission, nor the accused township, by page, API, export or search; the refusals
//! (recusal, closing without reply, stale version, no CSRF token); and the public site: its
//! cookie CSRF token, escaping, the ticket lookup and the per-address limit.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{App, PASSWORD, app, call, enc, get, login, post_form, post_json, send};
use jingzhun_domain::access::{Assignment, Role};
use jingzhun_service::users;
use serde_json::json;

const NAME: &str = "举报人乙";
const PHONE: &str = "13900005678";

async fn add(app: &App, login: &str, role: Role, area: &str, sealed: bool) {
    let a = Assignment::new(role, common::code(area), None, None, sealed).unwrap();
    users::add_user(app.state.store.as_ref(), login, login, PASSWORD, a, "test")
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

#[tokio::test]
async fn the_identity_stays_sealed_from_every_handler_without_the_permission() {
    let app = app().await;
    add(&app, "chen.sealed", Role::DisciplineOfficer, "510304", true).await;
    add(&app, "he.plain", Role::DisciplineOfficer, "510304", false).await;
    let v = village(&app, "510304107").await;
    let (sc, st) = login(&app, "chen.sealed").await;
    let body = json!({"channel": "hotline_12317", "subject_area": v,
        "content": "<b>补助</b>被村干部截留", "accused_unit": "牛佛镇人民政府",
        "accused_unit_area": "510304107", "classes": ["diversion"],
        "complainant": {"name": NAME, "phone": PHONE}});
    let (s, _, _) = send(
        &app,
        post_json("/api/v1/complaints", &sc, None, body.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no CSRF token");
    let (s, c, _) = send(&app, post_json("/api/v1/complaints", &sc, Some(&st), body)).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let id = c["id"].as_i64().unwrap();
    assert!(!c.to_string().contains(NAME) && !c.to_string().contains(PHONE));

    // A discipline officer without `sealed`: sees the case, never the identity.
    let (pc, pt) = login(&app, "he.plain").await;
    let r = call(&app, get(&format!("/api/v1/complaints/{id}"), &pc)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.text().contains(NAME) && !r.text().contains(PHONE));
    let (s, _, _) = send(
        &app,
        post_json(
            &format!("/api/v1/complaints/{id}/identity"),
            &pc,
            Some(&pt),
            json!({}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let page = call(&app, get(&format!("/complaints/{id}"), &pc)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(!html.contains(NAME) && !html.contains(PHONE));
    assert!(html.contains("&lt;b&gt;补助&lt;/b&gt;"), "escaped");
    assert!(
        !html.contains("/identity\""),
        "no button without the permission"
    );
    let r = call(
        &app,
        post_form(
            &format!("/complaints/{id}/identity"),
            &pc,
            &format!("csrf={}", enc(&pt)),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for path in [
        "/api/v1/complaints",
        "/complaints",
        &format!("/api/v1/complaints?q={}", enc(NAME)),
        "/api/v1/complaints/digest?format=csv",
        "/complaints/digest.csv",
        "/api/v1/complaints/statistics",
    ] {
        let r = call(&app, get(path, &pc)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(
            !r.text().contains(NAME) && !r.text().contains(PHONE),
            "{path}"
        );
    }
    let found = call(
        &app,
        get(&format!("/api/v1/complaints?q={}", enc(NAME)), &sc),
    )
    .await;
    assert_eq!(
        found.json().as_array().unwrap().len(),
        0,
        "search never reaches the identity"
    );
    // The accused township's reviewer (wang.li, 牛佛镇) and a village clerk: not found at all
    // (another county: in the service tests, the demo holds one county only).
    for who in ["wang.li", "li.clerk"] {
        let (c, _) = login(&app, who).await;
        for path in [
            format!("/api/v1/complaints/{id}"),
            format!("/complaints/{id}"),
        ] {
            assert_eq!(
                call(&app, get(&path, &c)).await.status,
                StatusCode::NOT_FOUND,
                "{who} {path}"
            );
        }
        let l = call(&app, get("/api/v1/complaints", &c)).await;
        assert!(
            !l.text().contains(NAME) && !l.text().contains("截留"),
            "{who}"
        );
        let d = call(&app, get("/api/v1/complaints/digest?format=csv", &c)).await;
        assert!(
            !d.text().contains(NAME) && !d.text().contains(c_ticket(&app, id).await.as_str()),
            "{who}"
        );
    }

    // Refusals: recusal, closing without reply, a stale version.
    let version = c["version"].as_i64().unwrap();
    let act = |b: serde_json::Value| {
        post_json(&format!("/api/v1/complaints/{id}/acts"), &sc, Some(&st), b)
    };
    let (s, e, _) = send(
        &app,
        act(
            json!({"version": version, "act": "route", "unit_area": "510304107",
        "unit_name": "牛佛镇政府", "complexity": "simple"}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert!(e.to_string().contains("回避"), "{e}");
    let (s, e, _) = send(&app, act(json!({"version": version, "act": "close"}))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let (s, _, _) = send(
        &app,
        act(
            json!({"version": version, "act": "route", "unit_area": "510304",
        "unit_name": "区纪委监委", "complexity": "complex"}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, _) = send(
        &app,
        act(json!({"version": version, "act": "verify", "note": "x"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "stale");

    // With `sealed`: the page's button, the identity, and one audit entry per reading.
    let html = call(&app, get(&format!("/complaints/{id}"), &sc))
        .await
        .text();
    assert!(html.contains(&format!("/complaints/{id}/identity")) && !html.contains(NAME));
    let r = call(
        &app,
        post_form(
            &format!("/complaints/{id}/identity"),
            &sc,
            &format!("csrf={}", enc(&st)),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains(NAME));
    let (s, i, _) = send(
        &app,
        post_json(
            &format!("/api/v1/complaints/{id}/identity"),
            &sc,
            Some(&st),
            json!({}),
        ),
    )
    .await;
    assert_eq!((s, i["phone"].as_str()), (StatusCode::OK, Some(PHONE)));
    let audit = app
        .state
        .store
        .audit_of("complaint", &id.to_string())
        .await
        .unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "complaint.unseal")
            .count(),
        2
    );
    assert!(
        audit
            .iter()
            .all(|e| !e.detail.contains(NAME) && !e.detail.contains(PHONE))
    );
    // Digest files and statistics for a leader.
    let (lc, _) = login(&app, "zhou.leader").await;
    let x = call(&app, get("/complaints/digest.xlsx", &lc)).await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.bytes.starts_with(b"PK"));
    let page = call(&app, get("/complaints/statistics", &lc)).await;
    assert!(page.text().contains("by-channel"));
    let doc = call(&app, get("/api/v1/openapi.json", &lc)).await.text();
    assert!(doc.contains("/api/v1/complaints/{id}/acts"));
    app.finish().await;
}

async fn c_ticket(app: &App, id: i64) -> String {
    app.state
        .store
        .record(jingzhun_store::supervision::RecordKind::Complaint, id)
        .await
        .unwrap()
        .unwrap()
        .public_code
        .unwrap()
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
async fn the_public_files_with_its_cookie_token_within_its_allowance() {
    let app = app().await;
    let v = village(&app, "510304107").await;
    let form = call(
        &app,
        Request::get("/public/complaints")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.text().contains("ticket-notice"),
        "the form says the reply is shown to ticket holders"
    );
    let cookie = form
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("jz_public_csrf="))
        .unwrap();
    let token = cookie.trim_start_matches("jz_public_csrf=").to_string();
    let fields = |t: &str| {
        format!(
            "csrf={}&subject_area={v}&content={}&name={}",
            enc(t),
            enc("<script>alert(1)</script>低保优亲厚友"),
            enc(NAME)
        )
    };

    // Missing and forged tokens are refused.
    let r = call(
        &app,
        public_post("/public/complaints", None, &fields(&token)),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no cookie");
    let r = call(
        &app,
        public_post("/public/complaints", Some(&cookie), &fields("forged")),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "forged token");
    // The real one files; the ticket follows the case without its content.
    let r = call(
        &app,
        public_post("/public/complaints", Some(&cookie), &fields(&token)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    let at = html.find("JB-").unwrap();
    let ticket = html[at..at + 17].to_string();
    let s = call(
        &app,
        Request::get(format!("/public/complaints/status?ticket={ticket}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s.status, StatusCode::OK);
    assert!(!s.text().contains("优亲厚友") && !s.text().contains(NAME));
    let api = call(
        &app,
        Request::get(format!("/api/v1/complaints/ticket/{ticket}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(api.json()["state"], "registered");
    let wrong = format!(
        "{}{}",
        &ticket[..16],
        if ticket.ends_with('A') { 'B' } else { 'A' }
    );
    let w = call(
        &app,
        Request::get(format!("/api/v1/complaints/ticket/{wrong}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(w.status, StatusCode::BAD_REQUEST);
    let w = call(
        &app,
        Request::get("/public/complaints/status?ticket=JB-2026-22222222A")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(matches!(
        w.status,
        StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND
    ));
    // Officers see the text escaped; the identity stays sealed.
    let (dc, _) = login(&app, "zhou.leader").await;
    let list = call(&app, get("/complaints", &dc)).await.text();
    assert!(
        list.contains("&lt;script&gt;") && !list.contains("<script>alert"),
        "escaped"
    );
    assert!(!list.contains(NAME));
    // A rating before any reply is refused.
    let r = call(
        &app,
        public_post(
            "/public/complaints/status",
            Some(&cookie),
            &format!(
                "csrf={}&ticket={ticket}&act=satisfaction&satisfaction=satisfied",
                enc(&token)
            ),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // The allowance (10 an hour per address) runs out.
    let mut last = StatusCode::OK;
    for _ in 0..10 {
        last = call(
            &app,
            public_post("/public/complaints", Some(&cookie), &fields(&token)),
        )
        .await
        .status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    app.finish().await;
}
