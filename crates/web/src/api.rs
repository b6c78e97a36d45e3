//! The JSON API under `/api/v1`.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::Cookie;
use jingzhun_domain::mask::{birth_year, mask_id_number, mask_phone};
use jingzhun_service::today_in_china;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::AppState;
use crate::auth::{COOKIE, CurrentUser, session_cookie, sign_in};
use crate::error::WebError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/session", post(login).delete(logout))
        .route("/me", get(me))
        .route("/households", get(search))
        .route("/households/{id}", get(household))
        .route("/areas", get(my_areas))
        .route("/areas/{code}", get(area))
        .route(
            "/imports",
            post(crate::transfer::start_import).layer(axum::extract::DefaultBodyLimit::max(
                crate::transfer::MAX_UPLOAD_BYTES,
            )),
        )
        .route("/imports/{id}", get(crate::transfer::import_job))
        .route(
            "/imports/{id}/report.csv",
            get(crate::transfer::import_report),
        )
        .route("/export", get(crate::transfer::export))
        .route("/leads", get(crate::leads::list))
        .route("/leads/{id}", get(crate::leads::one))
        .route("/leads/{id}/verification", post(crate::leads::verify))
        .route(
            "/checks",
            get(crate::leads::runs).post(crate::leads::start_check),
        )
        .route("/checks/jobs/{id}", get(crate::leads::check_job))
        .route("/sources", get(crate::leads::source_list))
        .route(
            "/sources/{kind}",
            post(crate::leads::upload_source).layer(axum::extract::DefaultBodyLimit::max(
                crate::transfer::MAX_UPLOAD_BYTES,
            )),
        )
        .route(
            "/standards",
            get(crate::exit::list).post(crate::exit::change),
        )
        .route("/standards/what-if", post(crate::exit::what_if))
        .route("/exit", get(crate::exit::area))
        .route("/exit/list", get(crate::exit::list_households))
        .route("/households/{id}/exit", get(crate::exit::household))
        .route(
            "/households/{id}/plan",
            get(crate::plans::get_plan).put(crate::plans::put_plan),
        )
        .route(
            "/households/{id}/plan/progress",
            post(crate::plans::add_progress),
        )
        .route(
            "/procedures",
            get(crate::procedures::list).post(crate::procedures::start),
        )
        .route("/procedures/applications", post(crate::procedures::apply))
        .route("/procedures/batch", post(crate::procedures::batch_start))
        .route("/procedures/batch/acts", post(crate::procedures::batch_act))
        .route("/procedures/{id}", get(crate::procedures::one))
        .route("/procedures/{id}/acts", post(crate::procedures::act))
        .route(
            "/notices/{id}/correction",
            post(crate::procedures::correct_notice),
        )
        .route(
            "/public/notices/{id}",
            get(crate::procedures::public_notice),
        )
        .route(
            "/public/notices/{id}/objections",
            post(crate::procedures::public_objection),
        )
        .route("/openapi.json", get(openapi))
        .merge(crate::updates::api_routes())
        .merge(crate::complaints::api_routes())
        .merge(crate::inspections::api_routes())
        .merge(crate::rectification::api_routes())
        .merge(crate::accountability::api_routes())
}

/// The OpenAPI 3 document of this API, generated from the handlers' annotations.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Jingzhun API",
        description = "精准: registry, procedures and supervision of poverty alleviation"
    ),
    paths(
        login,
        logout,
        me,
        search,
        household,
        my_areas,
        area,
        crate::transfer::start_import,
        crate::transfer::import_job,
        crate::transfer::import_report,
        crate::transfer::export,
        crate::leads::list,
        crate::leads::one,
        crate::leads::verify,
        crate::leads::start_check,
        crate::leads::check_job,
        crate::leads::runs,
        crate::leads::source_list,
        crate::leads::upload_source,
        crate::exit::list,
        crate::exit::what_if,
        crate::exit::change,
        crate::exit::area,
        crate::exit::list_households,
        crate::exit::household,
        crate::procedures::start,
        crate::procedures::apply,
        crate::procedures::batch_start,
        crate::procedures::batch_act,
        crate::procedures::correct_notice,
        crate::procedures::public_notice,
        crate::procedures::public_objection,
        crate::procedures::act,
        crate::procedures::one,
        crate::procedures::list,
        crate::plans::get_plan,
        crate::plans::put_plan,
        crate::plans::add_progress
    ),
    components(schemas(
        LoginRequest,
        SessionInfo,
        RoleInfo,
        crate::error::ErrorBody,
        crate::figures::AreaReply,
        crate::figures::AreaBody,
        crate::figures::ChildBody,
        crate::figures::CountsBody,
        crate::figures::ByStatusBody,
        crate::figures::YearBody,
        crate::figures::MissingBody,
        crate::transfer::JobView,
        crate::transfer::JobState,
        crate::transfer::ErrorRow,
        crate::exit::StandardBody,
        crate::procedures::StartBody,
        crate::procedures::ApplicationBody,
        crate::procedures::BatchStartBody,
        crate::procedures::BatchCase,
        crate::procedures::BatchActBody,
        crate::procedures::CorrectionBody,
        crate::procedures::PublicNotice,
        crate::procedures::ObjectionBody,
        crate::procedures::ActBody,
        crate::plans::PlanBody,
        crate::plans::ProgressBody
    ))
)]
pub struct ApiDoc;

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    use utoipa::OpenApi;
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::updates::ApiDoc::openapi());
    doc.merge(crate::complaints::ApiDoc::openapi());
    doc.merge(crate::inspections::ApiDoc::openapi());
    doc.merge(crate::rectification::ApiDoc::openapi());
    doc.merge(crate::accountability::ApiDoc::openapi());
    Json(doc)
}

/// Households within the account's area matching the parameters, by household number, a page
/// at a time (`next_after`, or with another order `next_offset`, names the next page). Phones are masked for roles that do not need them.
#[utoipa::path(get, path = "/api/v1/households", params(crate::search::SearchParams), responses(
    (status = 200, description = "households and next_after", body = Object), (status = 401, description = "not signed in", body = crate::error::ErrorBody),
    (status = 400, description = "bad parameter", body = crate::error::ErrorBody),
    (status = 404, description = "area outside the account's reach", body = crate::error::ErrorBody)))]
async fn search(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Query(p): axum::extract::Query<crate::search::SearchParams>,
) -> Result<Json<SearchReply>, WebError> {
    let today = today_in_china();
    let query = p.to_query(&user.account, today)?;
    let limit = query.limit;
    let found = state.store.search_households(&query).await?;
    let full = found.len() as i64 == limit;
    let by_number = query.sort.keyset();
    let next_after = (full && by_number)
        .then(|| found.last().map(|h| h.household_id.to_string()))
        .flatten();
    let next_offset = (full && !by_number).then_some(query.offset + limit);
    let households: Vec<Listed> = found
        .into_iter()
        .map(|mut h| {
            let phone = h.phone.take().map(|p| {
                if user.account.sees_personal_data(&h.village_code, today) {
                    p.as_str().to_string()
                } else {
                    mask_phone(p.as_str())
                }
            });
            Listed {
                household: h,
                phone,
            }
        })
        .collect();
    Ok(Json(SearchReply {
        households,
        next_after,
        next_offset,
    }))
}

/// A household in a search result, its phone masked where the role does not need it.
#[derive(Serialize)]
struct Listed {
    #[serde(flatten)]
    household: jingzhun_domain::registry::Household,
    phone: Option<String>,
}

/// Serialised straight to the response (no intermediate JSON tree): search is the busiest call.
#[derive(Serialize)]
struct SearchReply {
    households: Vec<Listed>,
    next_after: Option<String>,
    next_offset: Option<i64>,
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

/// An area's own households and persons by status (named by status), rural population and
/// poverty incidence, and the same for each child area, for the year of the figures (`?year=`,
/// or the latest year with populations and a poverty line), with what that year lacks.
/// Outside the account's area it does not exist (404).
#[utoipa::path(get, path = "/api/v1/areas/{code}", params(("code" = String, Path, description = "area code, 2 to 12 digits"), crate::figures::YearParam), responses(
    (status = 200, description = "the area and its children with counts and incidence", body = crate::figures::AreaReply), (status = 401, description = "not signed in", body = crate::error::ErrorBody),
    (status = 400, description = "bad year", body = crate::error::ErrorBody),
    (status = 404, description = "missing or outside the account's reach", body = crate::error::ErrorBody)))]
async fn area(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    axum::extract::Query(p): axum::extract::Query<crate::figures::YearParam>,
) -> Result<Json<crate::figures::AreaReply>, WebError> {
    let code =
        jingzhun_domain::area::AreaCode::parse_short(&code).map_err(|_| WebError::NotFound)?;
    if !user.account.may_reach(&code, today_in_china()) {
        return Err(WebError::NotFound);
    }
    let year = crate::figures::checked_year(p.year)?;
    let summary =
        jingzhun_service::summary::area_summary(state.store.as_ref(), &code, year).await?;
    Ok(Json((&summary).into()))
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
    (status = 429, description = "too many failed sign-ins from this login or address: wait the seconds of Retry-After", body = crate::error::ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    crate::client::ClientIp(client): crate::client::ClientIp,
    jar: CookieJar,
    Json(req): Json<LoginRequest>,
) -> Result<(CookieJar, Json<SessionInfo>), WebError> {
    let session = sign_in(&state, &req.login, &req.password, client).await?;
    let info = SessionInfo {
        login: session.account.login.as_str().to_string(),
        csrf: session.csrf,
        roles: roles(&session.account),
    };
    Ok((
        jar.add(session_cookie(session.token, state.secure_cookies)),
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

/// A household with its members and history (the import that last wrote it, the audited
/// events about it). Outside the account's area it does not exist (404).
/// ID numbers and phones are masked for roles that do not need them.
#[utoipa::path(get, path = "/api/v1/households/{id}", params(("id" = String, Path, description = "household number")), responses(
    (status = 200, description = "the household with its members", body = Object), (status = 401, description = "not signed in", body = crate::error::ErrorBody),
    (status = 404, description = "missing or outside the account's reach", body = crate::error::ErrorBody)))]
async fn household(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, WebError> {
    let today = today_in_china();
    let (id, h) =
        crate::search::household_in_reach(state.store.as_ref(), &user.account, &id, today).await?;
    let unmasked = user.account.sees_personal_data(&h.village_code, today);
    let members = state.store.persons_of(std::slice::from_ref(&id)).await?;
    let mut subjects: Vec<String> = members
        .iter()
        .map(|p| p.id_number.as_str().to_string())
        .collect();
    subjects.push(id.as_str().to_string());
    let mut hv = serde_json::to_value(&h).map_err(|e| WebError::Internal(e.to_string()))?;
    if !unmasked && let Some(p) = h.phone.as_ref() {
        hv["phone"] = Value::String(mask_phone(p.as_str()));
    }
    let members: Vec<Value> = members
        .iter()
        .map(|p| {
            let mut v = serde_json::to_value(p).unwrap_or(Value::Null);
            if !unmasked {
                // The masked number with the full birth date beside it would rebuild the ID:
                // only the birth year is shown where the number is masked.
                v["id_number"] = Value::String(mask_id_number(p.id_number.as_str()));
                if let Some(o) = v.as_object_mut() {
                    o.remove("birth_date");
                    o.insert("birth_year".into(), Value::String(birth_year(p.birth_date)));
                }
            }
            v
        })
        .collect();
    hv["members"] = Value::Array(members);
    // Leads about the household or its members (a death match marks a member pending).
    let leads = state.store.leads_about(&subjects).await?;
    hv["leads"] = Value::Array(
        leads
            .iter()
            .map(|l| {
                serde_json::to_value(crate::leads::lead_view(l, unmasked)).unwrap_or(Value::Null)
            })
            .collect(),
    );
    // History: the import that last wrote the household, and the audited events about it.
    let import = state.store.household_import(&id).await?;
    let events = state.store.audit_of("household", id.as_str()).await?;
    hv["history"] = serde_json::json!({
        "import": import.map(|i| serde_json::json!({
            "id": i.id, "at": i.started_at, "actor": i.actor, "digest": i.digest, "source_kind": i.kind,
        })),
        "events": events.iter().map(|e| serde_json::json!({
            "seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action,
        })).collect::<Vec<_>>(),
    });
    Ok(Json(hv))
}
