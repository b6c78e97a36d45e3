//! The application in process (`router.oneshot`) on the demo data: on SQLite, or on a
//! throw-away PostgreSQL database when `JINGZHUN_TEST_POSTGRES` names an administrative URL
//! (CI runs the suite both ways).

#![allow(dead_code)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use jingzhun_domain::access::{Assignment, Role};
use jingzhun_domain::area::AreaCode;
use jingzhun_service::demo::ensure_demo;
use jingzhun_service::users;
use jingzhun_store_postgres::ScratchDatabase;
use jingzhun_web::{AppState, router};
use serde_json::{Value, json};
use tower::ServiceExt;

pub const PASSWORD: &str = "牛佛镇-审核-2026";

pub struct App {
    pub state: AppState,
    /// A household of 牛佛镇 (510304107) and one of another township (大山铺镇, 510304100).
    pub own: String,
    pub other: String,
    /// The village of `other` (the clerk `li.clerk` keeps it).
    pub other_village: AreaCode,
    scratch: Option<ScratchDatabase>,
    _dir: tempfile::TempDir,
}

impl App {
    /// Drops the PostgreSQL database, if any.
    pub async fn finish(self) {
        if let Some(s) = self.scratch {
            s.drop_now().await.expect("drop scratch database");
        }
    }
}

pub fn code(s: &str) -> AreaCode {
    AreaCode::parse_short(s).unwrap()
}

/// The demo data with accounts: `wang.li` reviews 牛佛镇, `zhou.leader` leads the county,
/// `li.clerk` is the clerk of a village of 大山铺镇, `an.admin` an administrator.
pub async fn app() -> App {
    let dir = tempfile::tempdir().unwrap();
    let (url, scratch) = match std::env::var("JINGZHUN_TEST_POSTGRES") {
        Ok(admin) if !admin.is_empty() => {
            let s = ScratchDatabase::create(&admin).await.expect("scratch db");
            (s.url.clone(), Some(s))
        }
        _ => (dir.path().join("t.db").to_str().unwrap().to_string(), None),
    };
    let store = jingzhun_service::connect(&url).await.unwrap();
    ensure_demo(store.as_ref()).await.unwrap();
    let reviewer =
        Assignment::new(Role::TownshipReviewer, code("510304107"), None, None, false).unwrap();
    users::add_user(
        store.as_ref(),
        "wang.li",
        "王丽",
        PASSWORD,
        reviewer,
        "test",
    )
    .await
    .unwrap();
    let leader = Assignment::new(Role::Leader, code("510304"), None, None, false).unwrap();
    users::add_user(
        store.as_ref(),
        "zhou.leader",
        "周领导",
        PASSWORD,
        leader,
        "test",
    )
    .await
    .unwrap();
    let admin = Assignment::new(Role::Admin, code("510304"), None, None, false).unwrap();
    users::add_user(
        store.as_ref(),
        "an.admin",
        "管理员",
        PASSWORD,
        admin,
        "test",
    )
    .await
    .unwrap();
    let own = store
        .households_page(&code("510304107"), None, 1)
        .await
        .unwrap()
        .remove(0);
    let other = store
        .households_page(&code("510304100"), None, 1)
        .await
        .unwrap()
        .remove(0);
    let clerk = Assignment::new(Role::VillageClerk, other.village_code, None, None, false).unwrap();
    users::add_user(
        store.as_ref(),
        "li.clerk",
        "李文书",
        PASSWORD,
        clerk,
        "test",
    )
    .await
    .unwrap();
    App {
        state: AppState::new(
            Arc::clone(&store),
            false,
            Arc::new(jingzhun_service::seal::Sealer::generate()),
        ),
        own: own.household_id.to_string(),
        other: other.household_id.to_string(),
        other_village: other.village_code,
        scratch,
        _dir: dir,
    }
}

/// The application over an empty registry (the bundled Da'an areas only) and no account:
/// for tests that bring their own data and accounts (`add_account`).
pub async fn bare_app() -> App {
    let dir = tempfile::tempdir().unwrap();
    let (url, scratch) = match std::env::var("JINGZHUN_TEST_POSTGRES") {
        Ok(admin) if !admin.is_empty() => {
            let s = ScratchDatabase::create(&admin).await.expect("scratch db");
            (s.url.clone(), Some(s))
        }
        _ => (dir.path().join("t.db").to_str().unwrap().to_string(), None),
    };
    let store = jingzhun_service::connect(&url).await.unwrap();
    jingzhun_service::demo::load_bundled_areas(store.as_ref())
        .await
        .unwrap();
    App {
        state: AppState::new(
            Arc::clone(&store),
            false,
            Arc::new(jingzhun_service::seal::Sealer::generate()),
        ),
        own: String::new(),
        other: String::new(),
        other_village: code("510304100201"),
        scratch,
        _dir: dir,
    }
}

/// Adds an account with one role over an area (password [`PASSWORD`]).
pub async fn add_account(app: &App, login: &str, role: Role, area: &str) {
    let a = Assignment::new(role, code(area), None, None, false).unwrap();
    users::add_user(app.state.store.as_ref(), login, login, PASSWORD, a, "test")
        .await
        .unwrap();
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::String(self.text()))
    }

    pub fn header(&self, name: header::HeaderName) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    }

    /// Every Set-Cookie, as `name=value` pairs.
    pub fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
            .collect()
    }
}

pub async fn call(app: &App, req: Request<Body>) -> Reply {
    let res = router(app.state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply {
        status,
        headers,
        bytes,
    }
}

pub async fn send(app: &App, req: Request<Body>) -> (StatusCode, Value, Option<String>) {
    let r = call(app, req).await;
    (r.status, r.json(), r.header(header::SET_COOKIE))
}

/// Signs in; returns the cookie header value and the CSRF token.
pub async fn login(app: &App, login: &str) -> (String, String) {
    let req = Request::post("/api/v1/session")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"login": login, "password": PASSWORD}).to_string(),
        ))
        .unwrap();
    let (status, body, cookie) = send(app, req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cookie = cookie.expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_string();
    (pair, body["csrf"].as_str().unwrap().to_string())
}

pub fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

/// A JSON POST with the session cookie and, if given, the CSRF header.
pub fn post_json(path: &str, cookie: &str, csrf: Option<&str>, body: Value) -> Request<Body> {
    let mut r = Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = csrf {
        r = r.header("x-csrf-token", t);
    }
    r.body(Body::from(body.to_string())).unwrap()
}

/// A form POST (the body already encoded) with the session cookie.
pub fn post_form(path: &str, cookie: &str, body: &str) -> Request<Body> {
    Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// Percent-encodes a form value.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
