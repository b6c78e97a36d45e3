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

/// Compares in time independent of where the strings differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The signed-in account of a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub account: Account,
    pub csrf: String,
    pub token_hash: String,
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar
            .get(COOKIE)
            .map(|c| c.value().to_string())
            .ok_or(WebError::Unauthorized)?;
        let token_hash = hash_token(&token);
        let session = state
            .store
            .session(&token_hash)
            .await?
            .ok_or(WebError::Unauthorized)?;
        if session.expires_at <= Utc::now() {
            state.store.delete_session(&token_hash).await?;
            return Err(WebError::Unauthorized);
        }
        let user = state
            .store
            .user(&session.login)
            .await?
            .ok_or(WebError::Unauthorized)?;
        let today = jingzhun_service::today_in_china();
        if user.account.disabled || user.account.active(today).next().is_none() {
            return Err(WebError::Unauthorized);
        }
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !same(sent, &session.csrf) {
                return Err(WebError::Csrf);
            }
        }
        Ok(CurrentUser {
            account: user.account,
            csrf: session.csrf,
            token_hash,
        })
    }
}
