//! Plans over HTTP: a household's plan with its needs and progress, setting it and recording
//! progress. The rules are the service's (`jingzhun_service::plans`): within the account's area
//! (404 otherwise), by the roles that keep the registry (403 otherwise).

use axum::Json;
use axum::extract::{Path, State};
use jingzhun_domain::plan::MeasureInput;
use jingzhun_domain::registry::HouseholdId;
use jingzhun_service::plans::{self, PlanView};
use jingzhun_service::today_in_china;
use jingzhun_store::plans::PlanRecord;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;

/// A plan as sent.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PlanBody {
    /// `[{"kind": "industry", "description": "...", "target": "2026-12-31"}, ...]`.
    #[schema(value_type = Vec<Object>)]
    pub measures: Vec<MeasureInput>,
    pub contact: String,
    /// The plan's version as last seen (0 for the first).
    #[serde(default)]
    pub version: i64,
}

/// A progress record as sent.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ProgressBody {
    pub done_on: String,
    pub note: String,
}

fn id(text: &str) -> Result<HouseholdId, WebError> {
    HouseholdId::parse(text).map_err(|_| WebError::NotFound)
}

/// A household's plan (if any), its progress and its needs.
#[utoipa::path(get, path = "/api/v1/households/{id}/plan", responses((status = 200, body = Object), (status = 404)))]
pub async fn get_plan(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(hid): Path<String>,
) -> Result<Json<PlanView>, WebError> {
    Ok(Json(
        plans::view(
            state.store.as_ref(),
            &user.account,
            &id(&hid)?,
            today_in_china(),
        )
        .await?,
    ))
}

/// Sets a household's plan: 400 naming each bad field, 403, 404, 409 when it changed meanwhile.
#[utoipa::path(put, path = "/api/v1/households/{id}/plan", request_body = PlanBody,
    responses((status = 200, body = Object), (status = 400), (status = 403), (status = 404), (status = 409)))]
pub async fn put_plan(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(hid): Path<String>,
    Json(body): Json<PlanBody>,
) -> Result<Json<PlanRecord>, WebError> {
    Ok(Json(
        plans::put(
            state.store.as_ref(),
            &user.account,
            &id(&hid)?,
            &body.measures,
            &body.contact,
            body.version,
            today_in_china(),
        )
        .await?,
    ))
}

/// Records progress against a household's plan.
#[utoipa::path(post, path = "/api/v1/households/{id}/plan/progress", request_body = ProgressBody,
    responses((status = 204), (status = 400), (status = 403), (status = 404)))]
pub async fn add_progress(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(hid): Path<String>,
    Json(body): Json<ProgressBody>,
) -> Result<axum::http::StatusCode, WebError> {
    plans::add_progress(
        state.store.as_ref(),
        &user.account,
        &id(&hid)?,
        &body.done_on,
        &body.note,
        today_in_china(),
    )
    .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
