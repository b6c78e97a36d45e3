//! Complaints over HTTP: the API under `/api/v1/complaints`, the officers' pages
//! ([`pages`]), and the public site's form and ticket lookup ([`public`]). Thin: every rule is
//! `jingzhun_domain::complaint`'s, every read and write `jingzhun_service::complaints`'; a
//! complaint outside what the account may read is 404, exactly as a missing one.

pub mod pages;
pub mod public;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use jingzhun_domain::complaint::{Channel, ComplainantInput, NewComplaint};
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_service::complaints::{
    self as svc, ComplaintAct, ComplaintView, Digest, Identity, ListFilter, PublicView, Statistics,
};
use jingzhun_service::today_in_china;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;

/// The API routes (nested under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/complaints", get(list).post(register))
        .route("/complaints/digest", get(digest))
        .route("/complaints/statistics", get(statistics))
        .route("/complaints/ticket/{code}", get(ticket))
        .route("/complaints/{id}", get(one))
        .route("/complaints/{id}/acts", post(act))
        .route("/complaints/{id}/identity", post(identity))
}

/// The page routes.
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/complaints", get(pages::list))
        .route(
            "/complaints/new",
            get(pages::new_page).post(pages::register),
        )
        .route("/complaints/digest", get(pages::digest_page))
        .route("/complaints/digest.csv", get(pages::digest_csv))
        .route("/complaints/digest.xlsx", get(pages::digest_xlsx))
        .route("/complaints/statistics", get(pages::statistics_page))
        .route("/complaints/{id}", get(pages::detail).post(pages::act))
        .route("/complaints/{id}/identity", post(pages::identity))
        .route("/public/complaints", get(public::form).post(public::file))
        .route(
            "/public/complaints/status",
            get(public::status).post(public::status_act),
        )
}

/// This part of the OpenAPI document (merged into the API's).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, register, one, act, identity, digest, statistics, ticket))]
pub struct ApiDoc;

/// The complainant as typed in (all optional: blank is anonymous).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ComplainantBody {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub id_number: String,
}

/// A complaint to register.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RegisterBody {
    /// `hotline_12317`, `hotline_12380`, `letter`, `visit`, `web`, `transfer`.
    pub channel: String,
    /// The area code of the matter (2 to 12 digits).
    pub subject_area: String,
    pub content: String,
    #[serde(default)]
    pub accused_unit: String,
    #[serde(default)]
    pub accused_unit_area: String,
    #[serde(default)]
    pub accused_person: String,
    #[serde(default)]
    pub accused_person_unit: String,
    /// Catalogue item codes (`S000-04`) or corruption types (`favouritism`...).
    #[serde(default)]
    pub classes: Vec<String>,
    /// Sealed at rest; shown only with the `sealed` permission.
    #[serde(default)]
    pub complainant: ComplainantBody,
}

impl RegisterBody {
    fn input(&self) -> Result<NewComplaint, WebError> {
        let channel = Channel::parse(&self.channel)
            .map_err(|p| WebError::BadRequest(format!("channel: {} / {p}", p.zh())))?;
        Ok(NewComplaint {
            channel,
            subject_area: self.subject_area.clone(),
            content: self.content.clone(),
            accused_unit: self.accused_unit.clone(),
            accused_unit_area: self.accused_unit_area.clone(),
            accused_person: self.accused_person.clone(),
            accused_person_unit: self.accused_person_unit.clone(),
            classes: self.classes.clone(),
            complainant: ComplainantInput {
                name: self.complainant.name.clone(),
                phone: self.complainant.phone.clone(),
                id_number: self.complainant.id_number.clone(),
            },
        })
    }
}

/// An act, with the version last seen.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ActBody {
    pub version: i64,
    /// `{"act": "route", "unit_area", "unit_name", "complexity": "simple"|"complex"}`,
    /// `{"act": "verify", "note"}`, `{"act": "finding", "finding": "substantiated"|
    /// "partly_substantiated"|"unsubstantiated", "action"}`, `{"act": "reply", "text"}`,
    /// `{"act": "satisfaction", "satisfaction"}`, `{"act": "close"}`, `{"act": "review",
    /// "reason"}`, `{"act": "classify", "classes": [...]}`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub act: ComplaintAct,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// One state: `registered`, `routed`, `handling`, `replied`, `closed`, `under_review`,
    /// `escalated`.
    pub state: Option<String>,
    /// Only cases waiting for a reply.
    #[serde(default)]
    pub open: bool,
    /// Only cases past their deadline.
    #[serde(default)]
    pub overdue: bool,
    /// Text in the ticket code or the content.
    pub q: Option<String>,
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}

impl ListParams {
    pub(crate) fn filter(&self) -> Result<ListFilter, WebError> {
        use jingzhun_domain::complaint::ComplaintState;
        let state = match self.state.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(
                ComplaintState::parse(s)
                    .map_err(|p| WebError::BadRequest(format!("state: {} / {p}", p.zh())))?,
            ),
        };
        Ok(ListFilter {
            state,
            open: self.open,
            overdue: self.overdue,
            q: self.q.clone().map(|q| q.chars().take(100).collect()),
            offset: self.offset,
            limit: self.limit,
        })
    }
}

/// The complaints the account may read, newest first (overdue cases are escalated first).
#[utoipa::path(get, path = "/api/v1/complaints", params(ListParams), responses((status = 200, body = Object)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<ListParams>,
) -> Result<Json<Vec<ComplaintView>>, WebError> {
    Ok(Json(
        svc::list(
            state.store.as_ref(),
            &user.account,
            &p.filter()?,
            today_in_china(),
        )
        .await?,
    ))
}

/// Registers a complaint received today (403 for a role that does not register complaints or
/// an area outside the account's, 400 naming a bad field).
#[utoipa::path(post, path = "/api/v1/complaints", request_body = RegisterBody,
    responses((status = 200, body = Object), (status = 400), (status = 403)))]
pub async fn register(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<RegisterBody>,
) -> Result<Json<ComplaintView>, WebError> {
    Ok(Json(
        svc::register(
            state.store.as_ref(),
            &state.sealer,
            &user.account,
            &body.input()?,
            today_in_china(),
        )
        .await?,
    ))
}

/// One complaint with its history (never its complainant's identity).
#[utoipa::path(get, path = "/api/v1/complaints/{id}", responses((status = 200, body = Object), (status = 404)))]
pub async fn one(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<ComplaintView>, WebError> {
    Ok(Json(
        svc::get(state.store.as_ref(), &user.account, id, today_in_china()).await?,
    ))
}

/// An act on a complaint: 403 for the wrong role or area, 400 for bad input, 409 out of order,
/// for a recusal (回避), a closing without a reply, or when the complaint changed meanwhile.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/acts", request_body = ActBody,
    responses((status = 200, body = Object), (status = 400), (status = 403), (status = 404), (status = 409)))]
pub async fn act(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<ActBody>,
) -> Result<Json<ComplaintView>, WebError> {
    Ok(Json(
        svc::act(
            state.store.as_ref(),
            &user.account,
            id,
            body.version,
            &body.act,
            today_in_china(),
        )
        .await?,
    ))
}

/// The complainant's identity: only with the `sealed` permission over the complaint's area
/// (403 otherwise); every reading is audited. A POST, since reading it is an audited act.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/identity",
    responses((status = 200, body = Object), (status = 403), (status = 404)))]
pub async fn identity(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Identity>, WebError> {
    Ok(Json(
        svc::identity(
            state.store.as_ref(),
            &state.sealer,
            &user.account,
            id,
            today_in_china(),
        )
        .await?,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct DigestParams {
    /// `YYYY-MM-DD` (default today).
    pub day: Option<String>,
    /// `json` (default), `csv` or `xlsx`.
    pub format: Option<String>,
}

pub(crate) fn parse_day(day: Option<&str>) -> Result<NaiveDate, WebError> {
    match day.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(today_in_china()),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
            WebError::BadRequest("day: 日期格式应为 YYYY-MM-DD / not YYYY-MM-DD".into())
        }),
    }
}

pub(crate) fn download(bytes: Vec<u8>, xlsx: bool, day: NaiveDate) -> Response {
    let (mime, ext) = if xlsx {
        (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )
    } else {
        ("text/csv; charset=utf-8", "csv")
    };
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"complaints-digest-{day}.{ext}\""),
            ),
        ],
        Body::from(bytes),
    )
        .into_response()
}

/// The daily digest (快报) of a day over the account's area: registered that day, open,
/// overdue, escalated, replied and closed; as JSON, CSV or XLSX (exports are audited).
#[utoipa::path(get, path = "/api/v1/complaints/digest", params(DigestParams),
    responses((status = 200, body = Object), (status = 400)))]
pub async fn digest(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<DigestParams>,
) -> Result<Response, WebError> {
    let day = parse_day(p.day.as_deref())?;
    let d: Digest = svc::digest(state.store.as_ref(), &user.account, day, today_in_china()).await?;
    match p.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(d).into_response()),
        f @ ("csv" | "xlsx") => {
            let xlsx = f == "xlsx";
            let bytes = svc::digest_export(state.store.as_ref(), &user.account, &d, xlsx).await?;
            Ok(download(bytes, xlsx, day))
        }
        _ => Err(WebError::BadRequest(
            "format: 只能是 json、csv 或 xlsx / json, csv or xlsx".into(),
        )),
    }
}

/// Statistics by category, area, channel, result and timeliness.
#[utoipa::path(get, path = "/api/v1/complaints/statistics", responses((status = 200, body = Object)))]
pub async fn statistics(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Statistics>, WebError> {
    Ok(Json(
        svc::statistics(state.store.as_ref(), &user.account, today_in_china()).await?,
    ))
}

/// Without sign-in: where a case stands by its ticket code, and the reply (never the content
/// or whom it concerns). 400 for a text that is not a ticket code, 404 for an unknown one.
#[utoipa::path(get, path = "/api/v1/complaints/ticket/{code}",
    responses((status = 200, body = Object), (status = 400), (status = 404)))]
pub async fn ticket(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<PublicView>, WebError> {
    Ok(Json(
        svc::public_status(state.store.as_ref(), &code, today_in_china()).await?,
    ))
}
