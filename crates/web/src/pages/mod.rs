//! The server-rendered pages (maud: every interpolation is HTML-escaped). Chinese by default,
//! English by the switch or `Accept-Language` ([`crate::i18n`]); every string is given in both.
//!
//! * [`account`]: sign in and out, password change, the language switch.
//! * [`area`]: the dashboard and the drill-down from province to village.
//! * [`households`]: the household list and a household's page.
//! * [`transfer`]: the import and export pages.
//!
//! Access: every page takes a [`Ctx`] (signed in, or redirected to the sign-in page); forms
//! are posted through [`Posted`], which refuses a form without the session's CSRF token. Area
//! scope is checked by the same `Account::may_reach` as the API.

pub mod account;
pub mod area;
pub mod exit;
pub mod households;
pub mod leads;
pub mod plans;
pub mod procedures;
pub mod public;
pub mod transfer;

use axum::Router;
use axum::extract::{Form, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{DOCTYPE, Markup, html};
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::assets;
use crate::auth::{CurrentUser, session_user};
use crate::error::WebError;
use crate::i18n::Lang;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/dashboard") }))
        .route("/login", get(account::login_page).post(account::login))
        .route("/public/notices", get(public::list))
        .route("/public/notices/{id}", get(public::notice))
        .route("/public/notices/{id}/objections", post(public::object))
        .route("/logout", post(account::logout))
        .route(
            "/account/password",
            get(account::password_page).post(account::change_password),
        )
        .route("/lang/{code}", get(account::switch_language))
        .route("/dashboard", get(area::dashboard_page))
        .route("/areas/{code}", get(area::area_page))
        .route("/households", get(households::list))
        .route("/households/{id}", get(households::detail))
        .route("/households/{id}/plan", post(plans::put))
        .route("/households/{id}/plan/progress", post(plans::progress))
        .route("/import", get(transfer::import_page))
        .route("/export", get(transfer::export_page))
        .route("/leads", get(leads::list))
        .route("/leads/{id}", get(leads::detail).post(leads::verify))
        .route("/checks", get(leads::checks_page))
        .route("/sources", get(leads::sources_page))
        .route(
            "/standards",
            get(exit::standards_page).post(exit::standards_post),
        )
        .route("/exit", get(exit::exit_page))
        .route("/procedures", get(procedures::list).post(procedures::start))
        .route(
            "/procedures/apply",
            get(procedures::apply_page).post(procedures::apply),
        )
        .route(
            "/procedures/batch",
            get(procedures::batch_page).post(procedures::batch),
        )
        .route("/procedures/batch-start", post(procedures::batch_start))
        .route(
            "/procedures/notices/{id}/correction",
            post(procedures::correct_notice),
        )
        .route(
            "/procedures/{id}",
            get(procedures::detail).post(procedures::act),
        )
        .route("/exit/list", get(exit::list_page))
        .merge(crate::updates::page_routes())
        .merge(crate::complaints::page_routes())
        .merge(crate::inspections::page_routes())
        .merge(crate::rectification::page_routes())
        .merge(crate::accountability::page_routes())
}

/// A refusal to show on the page it came from (bad input, a state that does not allow it);
/// anything else fails the page.
pub fn shown(e: jingzhun_service::ServiceError) -> Result<String, PageError> {
    use jingzhun_service::{Denial, ServiceError as E};
    match e {
        E::Denied {
            kind: Denial::Invalid | Denial::Conflict,
            zh,
            en,
        } => Ok(format!("{zh} / {en}")),
        E::Invalid(m) | E::Conflict(m) => Ok(m),
        e => Err(e.into()),
    }
}

/// What every signed-in page has: the account, the language, and where it is.
pub struct Ctx {
    pub user: CurrentUser,
    pub lang: Lang,
    pub path: String,
}

impl Ctx {
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let path = parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_string(), |p| p.as_str().to_string());
        let lang = Lang::of_request(&parts.headers);
        match session_user(parts, state).await {
            Ok(user) => Ok(Ctx { user, lang, path }),
            Err(WebError::Unauthorized) => Err(PageError::SignIn(path)),
            Err(e) => Err(PageError::Web(e)),
        }
    }
}

/// A posted form whose `csrf` field must be the session's CSRF token.
pub struct Posted<T> {
    pub ctx: Ctx,
    pub form: T,
}

/// Forms that carry the CSRF token.
pub trait CsrfField {
    fn csrf(&self) -> &str;
}

impl<T> FromRequest<AppState> for Posted<T>
where
    T: DeserializeOwned + CsrfField + Send,
{
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PageError> {
        let (mut parts, body) = req.into_parts();
        let ctx = Ctx::from_request_parts(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let Form(form) = Form::<T>::from_request(req, state)
            .await
            .map_err(|e| PageError::Web(WebError::BadRequest(e.body_text())))?;
        if !ctx.user.csrf_matches(form.csrf()) {
            return Err(PageError::Web(WebError::Csrf));
        }
        Ok(Posted { ctx, form })
    }
}

/// What a page handler can fail with: not signed in (to the sign-in page, coming back after),
/// or an error shown as a page in both languages with its status.
#[derive(Debug)]
pub enum PageError {
    SignIn(String),
    Web(WebError),
}

impl From<WebError> for PageError {
    fn from(e: WebError) -> Self {
        PageError::Web(e)
    }
}

impl From<jingzhun_store::StoreError> for PageError {
    fn from(e: jingzhun_store::StoreError) -> Self {
        PageError::Web(e.into())
    }
}

impl From<jingzhun_service::ServiceError> for PageError {
    fn from(e: jingzhun_service::ServiceError) -> Self {
        PageError::Web(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::SignIn(next) => {
                let target = format!("/login?next={}", urlencode(&next));
                Redirect::to(&target).into_response()
            }
            PageError::Web(e) => {
                let (status, _, zh, en) = e.parts();
                let detail = e.public_detail();
                let body = html! {
                    (DOCTYPE)
                    html lang="zh-CN" {
                        head { (head_tags(zh)) }
                        body {
                            main.narrow {
                                h1 { (zh) " / " (en) }
                                @if let Some(d) = detail { p.error { (d) } }
                                p { a href="/dashboard" { "返回总览 / Back to the dashboard" } }
                            }
                        }
                    }
                };
                (status, body).into_response()
            }
        }
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Only a path of this site may be a place to come back to (no open redirect): it starts with
/// one `/` followed by something other than `/` or `\`, and holds no backslash, whitespace or
/// control character anywhere — browsers drop tabs and newlines from a URL, so `/\t/evil` would
/// become `//evil`, another site. Anything else sends to the dashboard.
pub fn local_path(p: Option<&str>) -> String {
    let same_site = |p: &str| {
        let mut chars = p.chars();
        chars.next() == Some('/')
            && !matches!(chars.next(), Some('/') | Some('\\'))
            && !p
                .chars()
                .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
    };
    match p {
        Some(p) if same_site(p) => p.into(),
        _ => "/dashboard".into(),
    }
}

pub(crate) fn head_tags(title: &str) -> Markup {
    html! {
        meta charset="utf-8";
        meta name="viewport" content="width=device-width, initial-scale=1";
        title { (title) " · 精准 Jingzhun" }
        link rel="stylesheet" href=(assets::CSS_PATH);
    }
}

/// The frame of every signed-in page: header, navigation, language switch, account menu.
pub fn layout(ctx: &Ctx, title: &str, scripts: bool, content: Markup) -> Markup {
    let l = ctx.lang;
    let back = urlencode(&ctx.path);
    let nav = [
        ("/dashboard", l.t("总览", "Dashboard")),
        ("/households", l.t("户档", "Households")),
        ("/import", l.t("导入", "Import")),
        ("/export", l.t("导出", "Export")),
        ("/leads", l.t("疑点", "Leads")),
        ("/checks", l.t("比对", "Checks")),
        ("/procedures", l.t("程序", "Procedures")),
        ("/updates", l.t("动态调整", "Yearly update")),
        ("/exit", l.t("退出", "Exit")),
        ("/standards", l.t("标准", "Standards")),
        ("/complaints", l.t("信访举报", "Complaints")),
        ("/inspections", l.t("督查巡察", "Inspections")),
        ("/rectification", l.t("整改", "Rectification")),
        ("/accountability", l.t("问责", "Accountability")),
    ];
    html! {
        (DOCTYPE)
        html lang=(l.html()) {
            head {
                (head_tags(title))
                @if scripts {
                    script src=(assets::ECHARTS_PATH) defer {}
                }
                script src=(assets::JS_PATH) defer {}
            }
            body {
                header.top {
                    a.brand href="/dashboard" { "精准" span.sub { (l.t("扶贫信息系统", "Poverty alleviation")) } }
                    nav.main {
                        @for (href, label) in nav {
                            a href=(href) class=[ctx.path.starts_with(href).then_some("on")] { (label) }
                        }
                    }
                    div.tools {
                        span.langs {
                            a #lang-zh href={ "/lang/zh?back=" (back) } class=[(l == Lang::Zh).then_some("on")] { "中文" }
                            " | "
                            a #lang-en href={ "/lang/en?back=" (back) } class=[(l == Lang::En).then_some("on")] { "English" }
                        }
                        a.who href="/account/password" title=(l.t("修改密码", "Change password")) { (ctx.user.display_name) }
                        form.inline method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(ctx.user.csrf);
                            button.link type="submit" { (l.t("退出", "Sign out")) }
                        }
                    }
                }
                main { (content) }
                footer { (l.t("精准 · 数据可追溯，整改看实效", "Jingzhun · figures you can trace")) }
            }
        }
    }
}

/// A page response with its status.
pub fn page(status: StatusCode, markup: Markup) -> Response {
    (status, markup).into_response()
}

/// The path and query of a URI, for coming back.
pub fn here(uri: &Uri) -> String {
    uri.path_and_query()
        .map_or_else(|| "/".to_string(), |p| p.as_str().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_places_to_come_back_to() {
        assert_eq!(local_path(Some("/households?q=1")), "/households?q=1");
        assert_eq!(local_path(Some("//evil.example/x")), "/dashboard");
        assert_eq!(local_path(Some("https://evil.example")), "/dashboard");
        assert_eq!(local_path(Some("/\\evil.example")), "/dashboard");
        assert_eq!(local_path(None), "/dashboard");
        assert_eq!(local_path(Some("/")), "/");
        assert_eq!(local_path(Some("/households?q=张三")), "/households?q=张三");
        // Known bypasses, as the query extractor hands them over (already percent-decoded once).
        for bad in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/ /evil.example",
            "/\u{0}/evil.example",
            "\t//evil.example",
            "///evil.example",
            "/\\/evil.example",
            "\\\\evil.example",
            "/\u{3000}/evil.example",
            "javascript:alert(1)",
            "evil.example",
            "",
            "/a\u{7f}b",
        ] {
            assert_eq!(local_path(Some(bad)), "/dashboard", "{bad:?}");
        }
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(urlencode("/a?b=c&d"), "/a%3Fb%3Dc%26d");
        assert_eq!(urlencode("张"), "%E5%BC%A0");
    }
}
