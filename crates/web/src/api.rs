//! The JSON API under `/api/v1`.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::Cookie;
use chrono::Utc;
use jingzhun_domain::mask::{mask_id_number, mask_phone};
use jingzhun_domain::registry::HouseholdId;
use jingzhun_service::today_in_china;
use jingzhun_service::users::{LoginRefused, check_login};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::AppState;
use crate::auth::{COOKIE, CurrentUser, SESSION_HOURS, hash_token, new_token, session_cookie};
use crate::error::WebError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/session", post(login).delete(logout))
        .route("/me", get(me))
        .route("/households", get(search))
        .route("/households/{id}", get(household))
        .route("/areas", get(my_areas))
        .route("/areas/{code}", get(area))
        .route("/openapi.json", get(openapi))
}

/// The OpenAPI 3 document of this API, generated from the handlers' annotations.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Jingzhun API",
        description = "精准: registry, procedures and supervision of poverty alleviation"
    ),
    paths(login, logout, me, search, household, my_areas, area),
    components(schemas(LoginRequest, SessionInfo, RoleInfo, crate::error::ErrorBody))
)]
pub struct ApiDoc;

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(<ApiDoc as utoipa::OpenApi>::openapi())
}

/// Search parameters of `GET /api/v1/households`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Area code (2 to 12 digits); default: everything the account reaches.
    pub area: Option<String>,
    /// `registered`, `exited`, `monitored`, `removed` (or the Chinese name).
    pub status: Option<String>,
    /// A household number, a member's ID number or part of a member's name.
    pub q: Option<String>,
    /// The last household number of the previous page.
    pub after: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
}

/// Households within the account's area matching the parameters, by household number, a page
/// at a time (`next_after` names the next page). Phones are masked for roles that do not need them.
#[utoipa::path(get, path = "/api/v1/households", params(SearchParams), responses(
    (status = 200, description = "households and next_after", body = Object), (status = 401, description = "not signed in", body = crate::error::ErrorBody),
    (status = 400, description = "bad parameter", body = crate::error::ErrorBody),
    (status = 404, description = "area outside the account's reach", body = crate::error::ErrorBody)))]
async fn search(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Query(p): axum::extract::Query<SearchParams>,
) -> Result<Json<Value>, WebError> {
    use jingzhun_domain::vocab::{HouseholdStatus, Vocabulary};
    let today = today_in_china();
    let within = match p.area.as_deref() {
        Some(a) => {
            let code =
                jingzhun_domain::area::AreaCode::parse_short(a).map_err(|_| WebError::NotFound)?;
            if !user.account.may_reach(&code, today) {
                return Err(WebError::NotFound);
            }
            Some(vec![code])
        }
        None => user.account.scope(today),
    };
    let status = p
        .status
        .as_deref()
        .map(|s| {
            HouseholdStatus::parse(s)
                .map_err(|e| WebError::BadRequest(format!("status: {e} / {}", e.zh())))
        })
        .transpose()?;
    let after = p
        .after
        .as_deref()
        .map(|a| HouseholdId::parse(a).map_err(|e| WebError::BadRequest(format!("after: {e}"))))
        .transpose()?;
    let limit = p.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(WebError::BadRequest("limit: 1 to 200".into()));
    }
    if p.q.as_deref().is_some_and(|q| q.chars().count() > 50) {
        return Err(WebError::BadRequest("q: at most 50 characters".into()));
    }
    let query = jingzhun_store::HouseholdQuery {
        within,
        status,
        text: p.q.clone(),
        after,
        limit,
    };
    let found = state.store.search_households(&query).await?;
    let next_after = (found.len() as i64 == limit)
        .then(|| found.last().map(|h| h.household_id.to_string()))
        .flatten();
    let households: Vec<Value> = found
        .iter()
        .map(|h| {
            let mut v = serde_json::to_value(h).unwrap_or(Value::Null);
            if !user.account.sees_personal_data(&h.village_code, today)
                && let Some(phone) = h.phone.as_ref()
            {
                v["phone"] = Value::String(mask_phone(phone.as_str()));
            }
            v
        })
        .collect();
    Ok(Json(
        serde_json::json!({ "households": households, "next_after": next_after }),
    ))
}

/// The areas the account reaches (everything, for an administrator: the provinces).
#[utoipa::path(get, path = "/api/v1/areas", responses((status = 200, description = "areas within reach", body = Object), (status = 401, description = "not signed in", body = crate::error::ErrorBody)))]
async fn my_areas(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Value>, WebError> {
    let areas = match user.account.scope(today_in_china()) {
        None => state.store.children(None).await?,
        Some(roots) => {
            let mut v = Vec::new();
            for r in roots {
                if let Some(a) = state.store.area(&r).await? {
                    v.push(a);
                }
            }
            v
        }
    };
    Ok(Json(serde_json::json!({ "areas": areas })))
}

/// An area with each child's households and persons by status, rural population and poverty
/// incidence. Outside the account's area it does not exist (404).
#[utoipa::path(get, path = "/api/v1/areas/{code}", params(("code" = String, Path, description = "area code, 2 to 12 digits")), responses(
    (status = 200, description = "the area's children with counts and incidence", body = Object), (status = 401, description = "not signed in", body = crate::error::ErrorBody),
    (status = 404, description = "missing or outside the account's reach", body = crate::error::ErrorBody)))]
async fn area(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Json<Value>, WebError> {
    let code =
        jingzhun_domain::area::AreaCode::parse_short(&code).map_err(|_| WebError::NotFound)?;
    if !user.account.may_reach(&code, today_in_china()) {
        return Err(WebError::NotFound);
    }
    let summary = jingzhun_service::summary::area_summary(state.store.as_ref(), &code).await?;
    serde_json::to_value(&summary)
        .map(Json)
        .map_err(|e| WebError::Internal(e.to_string()))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    pub login: String,
    /// Echo this in the `x-csrf-token` header of every state-changing request.
    pub csrf: String,
    pub roles: Vec<RoleInfo>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RoleInfo {
    pub role: &'static str,
    pub area: String,
}

fn roles(account: &jingzhun_domain::access::Account) -> Vec<RoleInfo> {
    use jingzhun_domain::vocab::Vocabulary;
    account
        .active(today_in_china())
        .map(|a| RoleInfo {
            role: a.role.code(),
            area: a.area.to_string(),
        })
        .collect()
}

/// Signs in: sets the session cookie and returns the CSRF token.
#[utoipa::path(post, path = "/api/v1/session", request_body = LoginRequest, responses(
    (status = 200, description = "signed in; the session cookie is set", body = SessionInfo),
    (status = 401, description = "wrong login or password", body = crate::error::ErrorBody),
    (status = 423, description = "locked after repeated failures", body = crate::error::ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    Json(req): Json<LoginRequest>,
) -> Result<(CookieJar, Json<SessionInfo>), WebError> {
    let account = match check_login(
        state.store.as_ref(),
        &req.login,
        &req.password,
        today_in_china(),
    )
    .await?
    {
        Ok(a) => a,
        Err(LoginRefused::Wrong) => return Err(WebError::BadCredentials),
        Err(LoginRefused::Locked) => return Err(WebError::Locked),
    };
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
    let info = SessionInfo {
        login: account.login.as_str().to_string(),
        csrf,
        roles: roles(&account),
    };
    Ok((
        jar.add(session_cookie(token, state.secure_cookies)),
        Json(info),
    ))
}

/// Signs out (a state-changing request: needs the CSRF token).
#[utoipa::path(delete, path = "/api/v1/session", responses(
    (status = 200, description = "signed out"), (status = 401, description = "not signed in", body = crate::error::ErrorBody),
    (status = 403, description = "missing or wrong x-csrf-token", body = crate::error::ErrorBody)))]
async fn logout(
    State(state): State<AppState>,
    user: CurrentUser,
    jar: CookieJar,
) -> Result<CookieJar, WebError> {
    state.store.delete_session(&user.token_hash).await?;
    Ok(jar.remove(Cookie::from(COOKIE)))
}

#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = SessionInfo), (status = 401, description = "not signed in", body = crate::error::ErrorBody)))]
async fn me(user: CurrentUser) -> Json<SessionInfo> {
    Json(SessionInfo {
        login: user.account.login.as_str().to_string(),
        csrf: user.csrf.clone(),
        roles: roles(&user.account),
    })
}

/// A household with its members. Outside the account's area it does not exist (404).
/// ID numbers and phones are masked for roles that do not need them.
#[utoipa::path(get, path = "/api/v1/households/{id}", params(("id" = String, Path, description = "household number")), responses(
    (status = 200, description = "the household with its members", body = Object), (status = 401, description = "not signed in", body = crate::error::ErrorBody),
    (status = 404, description = "missing or outside the account's reach", body = crate::error::ErrorBody)))]
async fn household(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, WebError> {
    let id = HouseholdId::parse(&id).map_err(|_| WebError::NotFound)?;
    let h = state
        .store
        .household(&id)
        .await?
        .ok_or(WebError::NotFound)?;
    let today = today_in_china();
    if !user.account.may_reach(&h.village_code, today) {
        return Err(WebError::NotFound);
    }
    let unmasked = user.account.sees_personal_data(&h.village_code, today);
    let members = state.store.persons_of(std::slice::from_ref(&id)).await?;
    let mut hv = serde_json::to_value(&h).map_err(|e| WebError::Internal(e.to_string()))?;
    if !unmasked && let Some(p) = h.phone.as_ref() {
        hv["phone"] = Value::String(mask_phone(p.as_str()));
    }
    let members: Vec<Value> = members
        .iter()
        .map(|p| {
            let mut v = serde_json::to_value(p).unwrap_or(Value::Null);
            if !unmasked {
                v["id_number"] = Value::String(mask_id_number(p.id_number.as_str()));
            }
            v
        })
        .collect();
    hv["members"] = Value::Array(members);
    Ok(Json(hv))
}
