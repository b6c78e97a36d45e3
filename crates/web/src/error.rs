//! The one error type of the web layer. Each variant names its status; the body is JSON with a
//! stable code and a message in the language asked for. Internal errors are logged and hidden.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jingzhun_service::ServiceError;
use serde::Serialize;

use crate::i18n::Lang;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// 401: not signed in, or the session expired.
    #[error("sign in first")]
    Unauthorized,
    /// 401: wrong login or password (never says which).
    #[error("wrong login or password")]
    BadCredentials,
    /// 429: too many failed sign-ins from this login or address; try again after the seconds
    /// given (also in `Retry-After`). Known and unknown logins alike.
    #[error("too many failed sign-ins; wait {0} s")]
    TooManyAttempts(u64),
    /// 403: a state-changing request without the session's CSRF token.
    #[error("missing or wrong CSRF token")]
    Csrf,
    /// 403: signed in, but the account's roles do not allow this.
    #[error("not allowed for this account")]
    Forbidden,
    /// 404: absent, or outside the account's area (the two look the same on purpose).
    #[error("not found")]
    NotFound,
    /// 409: the record changed meanwhile, is in a state that forbids this, or the file was
    /// imported before.
    #[error("{0}")]
    Conflict(String),
    /// 422: a file with bad rows, refused whole (the detail lists the problems).
    #[error("{0}")]
    Unprocessable(String),
    /// 400: a request that cannot be read.
    #[error("{0}")]
    BadRequest(String),
    /// 503 with `Retry-After`: the database is busy with another write (a long import) or
    /// unreachable; nothing was changed, try again shortly.
    #[error("busy")]
    Busy,
    /// 500: logged, never shown.
    #[error("internal error")]
    Internal(String),
}

/// Seconds a client is asked to wait after a 503.
pub const RETRY_AFTER_SECS: u64 = 5;

tokio::task_local! {
    /// The language of the request being answered, set by [`with_request_language`].
    static REQUEST_LANG: Lang;
}

/// Middleware: answers the request with its language known to error bodies.
pub async fn with_request_language(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let lang = Lang::of_request(req.headers());
    REQUEST_LANG.scope(lang, next.run(req)).await
}

/// The body of every error response.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable code: `unauthorized`, `bad_credentials`, `too_many_attempts`, `csrf`, `forbidden`,
    /// `not_found`, `bad_request`, `conflict`, `rejected`, `busy`, `internal`.
    code: &'static str,
    /// In the request's language (`Accept-Language` or the `jz_lang` cookie; Chinese by default).
    message: &'static str,
    message_zh: &'static str,
    message_en: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

impl WebError {
    pub(crate) fn parts(&self) -> (StatusCode, &'static str, &'static str, &'static str) {
        match self {
            WebError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "请先登录",
                "sign in first",
            ),
            WebError::BadCredentials => (
                StatusCode::UNAUTHORIZED,
                "bad_credentials",
                "登录名或密码错误",
                "wrong login or password",
            ),
            WebError::TooManyAttempts(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                "登录失败次数过多，请稍后再试",
                "too many failed sign-ins; try again shortly",
            ),
            WebError::Csrf => (
                StatusCode::FORBIDDEN,
                "csrf",
                "缺少或错误的防伪令牌",
                "missing or wrong CSRF token",
            ),
            WebError::Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "本账户的角色无权进行此操作",
                "your roles do not allow this",
            ),
            WebError::NotFound => (StatusCode::NOT_FOUND, "not_found", "未找到", "not found"),
            WebError::Conflict(_) => (
                StatusCode::CONFLICT,
                "conflict",
                "记录已变化或当前状态不允许此操作",
                "the record changed meanwhile or its state does not allow this",
            ),
            WebError::Unprocessable(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "rejected",
                "文件有错误，未导入任何数据",
                "the file has errors; nothing was imported",
            ),
            WebError::BadRequest(_) => (
                StatusCode::BAD_REQUEST,
                "bad_request",
                "请求有误",
                "bad request",
            ),
            WebError::Busy => (
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "系统正忙（另一项写入进行中），请稍后重试，未作任何更改",
                "busy with another write; nothing was changed, try again shortly",
            ),
            WebError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "服务器内部错误",
                "internal error",
            ),
        }
    }
}

impl WebError {
    /// What may be shown of the error beyond its message: a bad request's detail. An internal
    /// error is logged here and its detail never shown.
    pub(crate) fn public_detail(&self) -> Option<String> {
        match self {
            WebError::BadRequest(d) | WebError::Conflict(d) | WebError::Unprocessable(d) => {
                Some(d.clone())
            }
            WebError::Internal(d) => {
                tracing::error!(error = %d, "internal error");
                None
            }
            _ => None,
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, code, message_zh, message_en) = self.parts();
        let lang = REQUEST_LANG.try_with(|l| *l).unwrap_or_default();
        let message = lang.t(message_zh, message_en);
        let detail = self.public_detail();
        let mut response = (
            status,
            Json(ErrorBody {
                code,
                message,
                message_zh,
                message_en,
                detail,
            }),
        )
            .into_response();
        let retry_after = match self {
            WebError::TooManyAttempts(secs) => Some(secs.max(1)),
            WebError::Busy => Some(RETRY_AFTER_SECS),
            _ => None,
        };
        if let Some(secs) = retry_after {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(secs),
            );
        }
        response
    }
}

impl From<ServiceError> for WebError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound { .. } => WebError::NotFound,
            ServiceError::Invalid(m) => WebError::BadRequest(m),
            ServiceError::Conflict(m) => WebError::Conflict(m),
            e @ ServiceError::DuplicateImport { .. } => WebError::Conflict(e.to_string()),
            ServiceError::Rejected(report) => WebError::Unprocessable(report.to_text()),
            ServiceError::Forbidden => WebError::Forbidden,
            ServiceError::Denied { kind, zh, en } => {
                use jingzhun_service::Denial;
                let text = format!("{zh} / {en}");
                match kind {
                    Denial::Forbidden => WebError::Forbidden,
                    Denial::Invalid => WebError::BadRequest(text),
                    Denial::Conflict => WebError::Conflict(text),
                }
            }
            ServiceError::Refused(r) => {
                use jingzhun_domain::procedure::Refusal;
                let text = format!("{} / {r}", r.zh());
                match r {
                    Refusal::WrongRole { .. } => WebError::Forbidden,
                    Refusal::BadEvidence { .. } => WebError::BadRequest(text),
                    _ => WebError::Conflict(text),
                }
            }
            ServiceError::Store(e) => e.into(),
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl From<jingzhun_store::StoreError> for WebError {
    fn from(e: jingzhun_store::StoreError) -> Self {
        if e.is_busy() || matches!(e, jingzhun_store::StoreError::Unreachable(_)) {
            tracing::warn!(error = %e, "database busy or unreachable: 503");
            WebError::Busy
        } else {
            WebError::Internal(e.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_or_unreachable_database_answers_503_with_retry_after_and_nothing_else_does() {
        let busy = WebError::from(jingzhun_store::StoreError::Unreachable(
            "cannot connect to PostgreSQL at 127.0.0.1:5433: refused".into(),
        ))
        .into_response();
        assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            busy.headers()
                .get(axum::http::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
            Some("5")
        );
        let timed_out = WebError::from(jingzhun_store::StoreError::Database(
            jingzhun_store::__private::sqlx::Error::PoolTimedOut,
        ));
        assert!(matches!(timed_out, WebError::Busy));
        let corrupt = WebError::from(jingzhun_store::StoreError::Corrupt("x".into()));
        let corrupt = corrupt.into_response();
        assert_eq!(corrupt.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            corrupt
                .headers()
                .get(axum::http::header::RETRY_AFTER)
                .is_none()
        );
    }
}
