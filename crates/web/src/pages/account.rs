//! Signing in and out, changing one's password, and the language switch.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

use super::{CsrfField, Ctx, PageError, Posted, head_tags, layout, local_path, page, urlencode};
use crate::AppState;
use crate::auth::{COOKIE, new_token, session_cookie, sign_in};
use crate::error::WebError;
use crate::i18n::{LANG_COOKIE, Lang};

/// The cookie carrying the sign-in form's CSRF token (there is no session yet).
const LOGIN_CSRF_COOKIE: &str = "jz_login_csrf";

#[derive(Deserialize)]
pub struct NextParam {
    next: Option<String>,
}

fn login_form(lang: Lang, csrf: &str, next: &str, error: Option<&str>, login: &str) -> Markup {
    let l = lang;
    html! {
        (DOCTYPE)
        html lang=(l.html()) {
            head { (head_tags(l.t("登录", "Sign in"))) }
            body {
                main.narrow {
                    h1 { "精准 " span.muted { (l.t("扶贫信息系统", "Poverty alleviation information system")) } }
                    p.langs {
                        a #lang-zh href={ "/lang/zh?back=" (urlencode(&format!("/login?next={}", urlencode(next)))) } { "中文" }
                        " | "
                        a #lang-en href={ "/lang/en?back=" (urlencode(&format!("/login?next={}", urlencode(next)))) } { "English" }
                    }
                    @if let Some(e) = error { p.error role="alert" { (e) } }
                    form #login .stack method="post" action="/login" {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="next" value=(next);
                        label { (l.t("登录名", "Login")) input name="login" value=(login) autocomplete="username" required autofocus; }
                        label { (l.t("密码", "Password")) input name="password" type="password" autocomplete="current-password" required; }
                        button.primary type="submit" { (l.t("登录", "Sign in")) }
                    }
                }
            }
        }
    }
}

pub async fn login_page(
    headers: HeaderMap,
    jar: CookieJar,
    Query(p): Query<NextParam>,
) -> (CookieJar, Markup) {
    let lang = Lang::of_request(&headers);
    let (jar, csrf) = login_csrf(jar);
    let next = local_path(p.next.as_deref());
    (jar, login_form(lang, &csrf, &next, None, ""))
}

/// The sign-in form's CSRF token, set in its cookie if the browser has none yet.
fn login_csrf(jar: CookieJar) -> (CookieJar, String) {
    if let Some(c) = jar.get(LOGIN_CSRF_COOKIE) {
        let v = c.value().to_string();
        return (jar, v);
    }
    let token = new_token();
    let cookie = Cookie::build((LOGIN_CSRF_COOKIE, token.clone()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/login")
        .build();
    (jar.add(cookie), token)
}

#[derive(Deserialize)]
pub struct LoginForm {
    csrf: String,
    login: String,
    password: String,
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    crate::client::ClientIp(client): crate::client::ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    axum::Form(f): axum::Form<LoginForm>,
) -> Response {
    let lang = Lang::of_request(&headers);
    let next = local_path(f.next.as_deref());
    let expected = jar
        .get(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    if expected.is_empty() || !crate::auth::same(&expected, &f.csrf) {
        return PageError::Web(WebError::Csrf).into_response();
    }
    match sign_in(&state, f.login.trim(), &f.password, client).await {
        Ok(s) => {
            let jar = jar
                .remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/login"))
                .add(session_cookie(s.token, state.secure_cookies));
            (jar, Redirect::to(&next)).into_response()
        }
        Err(e @ (WebError::BadCredentials | WebError::TooManyAttempts(_))) => {
            let (status, _, zh, en) = e.parts();
            let msg = lang.t(zh, en);
            let (jar, csrf) = login_csrf(jar);
            let mut res = (
                status,
                jar,
                login_form(lang, &csrf, &next, Some(msg), f.login.trim()),
            )
                .into_response();
            if let WebError::TooManyAttempts(secs) = e {
                res.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from(secs.max(1)),
                );
            }
            res
        }
        Err(e) => PageError::Web(e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

impl CsrfField for CsrfOnly {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    posted: Posted<CsrfOnly>,
) -> Result<Response, PageError> {
    state
        .store
        .delete_session(&posted.ctx.user.token_hash)
        .await?;
    Ok((
        jar.remove(Cookie::build(COOKIE).path("/")),
        Redirect::to("/login"),
    )
        .into_response())
}

fn password_form(ctx: &Ctx, message: Option<(bool, &str)>) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        l.t("修改密码", "Change password"),
        false,
        html! {
            h1 { (l.t("修改密码", "Change password")) }
            @if let Some((ok, m)) = message { p class=(if ok { "ok" } else { "error" }) role="status" { (m) } }
            form #password .stack .panel method="post" action="/account/password" style="max-width:28rem" {
                input type="hidden" name="csrf" value=(ctx.user.csrf);
                label { (l.t("当前密码", "Current password")) input name="current" type="password" autocomplete="current-password" required; }
                label { (l.t("新密码（至少 10 个字符，不含登录名）", "New password (at least 10 characters, not containing the login)"))
                    input name="new" type="password" autocomplete="new-password" minlength="10" required; }
                label { (l.t("再输入一次新密码", "New password again")) input name="again" type="password" autocomplete="new-password" required; }
                button.primary type="submit" { (l.t("保存", "Save")) }
            }
        },
    )
}

pub async fn password_page(ctx: Ctx) -> Markup {
    password_form(&ctx, None)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
    again: String,
}

impl CsrfField for PasswordForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn change_password(
    State(state): State<AppState>,
    Posted { ctx, form }: Posted<PasswordForm>,
) -> Result<Response, PageError> {
    let l = ctx.lang;
    let login = ctx.user.account.login.as_str().to_string();
    let refuse = |msg: &str| {
        page(
            StatusCode::UNPROCESSABLE_ENTITY,
            password_form(&ctx, Some((false, msg))),
        )
    };
    if form.new != form.again {
        return Ok(refuse(
            l.t("两次输入的新密码不一致", "The two new passwords differ"),
        ));
    }
    let checked = jingzhun_service::users::check_login(
        state.store.as_ref(),
        &login,
        &form.current,
        jingzhun_service::today_in_china(),
    )
    .await?;
    if checked.is_err() {
        return Ok(refuse(l.t("当前密码错误", "The current password is wrong")));
    }
    match jingzhun_service::users::set_password(
        state.store.as_ref(),
        &login,
        &form.new,
        &format!("user:{login}"),
    )
    .await
    {
        Ok(()) => Ok(page(
            StatusCode::OK,
            password_form(&ctx, Some((true, l.t("密码已修改", "Password changed")))),
        )),
        Err(jingzhun_service::ServiceError::Invalid(m)) => Ok(refuse(&m)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct BackParam {
    back: Option<String>,
}

pub async fn switch_language(
    Path(code): Path<String>,
    Query(p): Query<BackParam>,
    jar: CookieJar,
) -> Result<(CookieJar, Redirect), PageError> {
    let lang = Lang::from_code(&code).ok_or(WebError::NotFound)?;
    let cookie = Cookie::build((LANG_COOKIE, lang.code()))
        .path("/")
        .same_site(SameSite::Lax)
        .permanent()
        .build();
    Ok((
        jar.add(cookie),
        Redirect::to(&local_path(p.back.as_deref())),
    ))
}
