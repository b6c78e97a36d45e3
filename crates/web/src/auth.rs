//! Sessions and CSRF. A session is a random token in an HttpOnly, SameSite=Strict cookie; the
//! database keeps only its SHA-256 and the session's CSRF token, which every state-changing
//! request must echo in the `x-csrf-token` header.

use axum::extract::FromRequestParts;
use axum::http::Method;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use chrono::Utc;
use jingzhun_domain::access::Account;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::WebError;

/// The session cookie's name.
pub const COOKIE: &str = "jz_session";
/// The header carrying the CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How long a session lasts.
pub const SESSION_HOURS: i64 = 8;

/// 32 random bytes, hex.
pub fn new_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The session cookie for `token`.
pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/")
        // No Max-Age: the cookie ends with the browser; the server ends the session after
        // SESSION_HOURS in any case.
        .build()
}

/// Compares in time independent of where the strings differ (`subtle`'s constant-time
/// equality).
pub fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The signed-in account of a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub account: Account,
    pub display_name: String,
    pub csrf: String,
    pub token_hash: String,
}

impl CurrentUser {
    /// Whether `sent` is this session's CSRF token.
    pub fn csrf_matches(&self, sent: &str) -> bool {
        same(sent, &self.csrf)
    }
}

/// The account of the request's session, without any CSRF check (the callers make it).
pub async fn session_user(parts: &Parts, state: &AppState) -> Result<CurrentUser, WebError> {
    let jar = CookieJar::from_headers(&parts.headers);
    let token = jar
        .get(COOKIE)
        .map(|c| c.value().to_string())
        .ok_or(WebError::Unauthorized)?;
    let token_hash = hash_token(&token);
    let (session, user) = state
        .store
        .session_user(&token_hash)
        .await?
        .ok_or(WebError::Unauthorized)?;
    if session.expires_at <= Utc::now() {
        state.store.delete_session(&token_hash).await?;
        return Err(WebError::Unauthorized);
    }
    let today = jingzhun_service::today_in_china();
    if user.account.disabled || user.account.active(today).next().is_none() {
        return Err(WebError::Unauthorized);
    }
    Ok(CurrentUser {
        account: user.account,
        display_name: user.display_name,
        csrf: session.csrf,
        token_hash,
    })
}

/// The API's extractor: the session's account; a state-changing request must also carry the
/// session's CSRF token in the `x-csrf-token` header.
impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let user = session_user(parts, state).await?;
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !user.csrf_matches(sent) {
                return Err(WebError::Csrf);
            }
        }
        Ok(user)
    }
}

/// A new session after a checked password: the cookie's token, and the session's CSRF token.
pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub account: Account,
}

/// Checks the password and opens a session. After repeated failures the login name and the
/// client address must wait ([`crate::throttle`]): 429 with the seconds to wait, before any
/// password is checked, for known and unknown logins alike.
pub async fn sign_in(
    state: &AppState,
    login: &str,
    password: &str,
    client: Option<std::net::IpAddr>,
) -> Result<NewSession, WebError> {
    use jingzhun_service::users::{LoginRefused, check_login};
    let now = std::time::Instant::now();
    let wait = state.logins.wait(login, client, now);
    if !wait.is_zero() {
        return Err(WebError::TooManyAttempts(wait.as_secs_f64().ceil() as u64));
    }
    let today = jingzhun_service::today_in_china();
    let account = match check_login(state.store.as_ref(), login, password, today).await? {
        Ok(a) => a,
        Err(LoginRefused::Wrong) => {
            state.logins.failed(login, client, now);
            return Err(WebError::BadCredentials);
        }
    };
    state.logins.succeeded(login);
    let user = state
        .store
        .user(account.login.as_str())
        .await?
        .ok_or(WebError::BadCredentials)?;
    let token = new_token();
    let csrf = new_token();
    let expires = Utc::now() + chrono::Duration::hours(SESSION_HOURS);
    state
        .store
        .create_session(&hash_token(&token), user.id, &csrf, expires)
        .await?;
    Ok(NewSession {
        token,
        csrf,
        account,
    })
}
