//! Procedures over HTTP: open a case for a household, act on it, read it, and the lists an
//! officer works through ("waiting for me"). Who may do what is the domain's
//! (`jingzhun_domain::procedure`: the role of each step over the household's village); a case
//! exists for an account only within its area (404 otherwise).

use axum::Json;
use axum::extract::{Path, Query, State};
use jingzhun_domain::procedure::{Evidence, ProcedureKind};
use jingzhun_domain::registry::HouseholdId;
use jingzhun_service::procedures::{self, Act};
use jingzhun_service::today_in_china;
use jingzhun_store::procedures::CaseRecord;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;

/// A case to open.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct StartBody {
    pub household_id: String,
    /// `exit`, `removal`, `return`, `monitoring_entry`, `risk_elimination`, `identification`,
    /// `new_identification`.
    pub kind: String,
    /// `{"kind": "application", "by_household": bool, "reason": "..."}`.
    #[schema(value_type = Object)]
    pub evidence: Evidence,
}

/// An act on a case, with the version last seen.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ActBody {
    pub version: i64,
    /// `{"act": "step", "step": "deliberation", "evidence": {...}}`,
    /// `{"act": "object", "text": "..."}` or `{"act": "resolve", "upheld": bool, "note": "..."}`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub act: Act,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// Only the cases whose next step is the account's to take now.
    #[serde(default)]
    pub waiting: bool,
    /// Closed and completed cases too.
    #[serde(default)]
    pub all: bool,
    /// Only the cases whose next step is past its deadline.
    #[serde(default)]
    pub overdue: bool,
    /// Only the cases whose notice period ends within this many days (7: this week).
    #[serde(default)]
    pub ending_within: Option<u64>,
}

/// Opens a case (the first step, application or discovery, by the village clerk).
#[utoipa::path(post, path = "/api/v1/procedures", request_body = StartBody,
    responses((status = 200, body = Object), (status = 400), (status = 403), (status = 404), (status = 409)))]
pub async fn start(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<StartBody>,
) -> Result<Json<CaseRecord>, WebError> {
    use jingzhun_domain::vocab::Vocabulary;
    let kind = ProcedureKind::parse(&body.kind)
        .map_err(|p| WebError::BadRequest(format!("kind: {} / {p}", p.zh())))?;
    let id = HouseholdId::parse(&body.household_id).map_err(|_| WebError::NotFound)?;
    Ok(Json(
        procedures::start(
            state.store.as_ref(),
            &user.account,
            &id,
            kind,
            body.evidence,
            today_in_china(),
        )
        .await?,
    ))
}

/// Takes an act on a case: 403 for the wrong role, 409 out of order, during a notice, while an
/// objection is open or when the case changed meanwhile, 400 for bad evidence.
#[utoipa::path(post, path = "/api/v1/procedures/{id}/acts", request_body = ActBody,
    responses((status = 200, body = Object), (status = 400), (status = 403), (status = 404), (status = 409)))]
pub async fn act(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<ActBody>,
) -> Result<Json<CaseRecord>, WebError> {
    Ok(Json(
        procedures::act(
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

/// One case with its history.
#[utoipa::path(get, path = "/api/v1/procedures/{id}", responses((status = 200, body = Object), (status = 404)))]
pub async fn one(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<CaseRecord>, WebError> {
    Ok(Json(
        procedures::case_in_reach(state.store.as_ref(), &user.account, id, today_in_china())
            .await?,
    ))
}

/// The cases within the account's area: in progress (default), all, or waiting for it.
#[utoipa::path(get, path = "/api/v1/procedures", params(ListParams), responses((status = 200, body = Object)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<ListParams>,
) -> Result<Json<Vec<CaseRecord>>, WebError> {
    let store = state.store.as_ref();
    let today = today_in_china();
    if p.overdue {
        let list = procedures::overdue(store, &user.account, today).await?;
        return Ok(Json(list.into_iter().map(|(c, _)| c).collect()));
    }
    if let Some(days) = p.ending_within {
        return Ok(Json(
            procedures::notices_ending(store, &user.account, today, days.min(366)).await?,
        ));
    }
    Ok(Json(
        procedures::list(store, &user.account, !p.all, p.waiting, today).await?,
    ))
}

/// An application of a household the registry does not hold yet.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ApplicationBody {
    /// `identification` (default), `new_identification` or `monitoring_entry`.
    #[serde(default)]
    pub kind: Option<String>,
    /// The household's fields by interchange column name (English or Chinese), e.g.
    /// `{"village_code": "...", "housing_safe": "否", "annual_net_income": "5200", ...}`; the
    /// platform gives the number, the status `applicant` and the year.
    #[schema(value_type = Object)]
    pub household: std::collections::BTreeMap<String, String>,
    /// Each member's fields by column name (`id_number`, `name`, `relation`, `gender`,
    /// `birth_date`, ...); exactly one is the head (户主).
    #[schema(value_type = Vec<Object>)]
    pub members: Vec<std::collections::BTreeMap<String, String>>,
    /// `{"kind": "application", "by_household": bool, "reason": "..."}`.
    #[schema(value_type = Object)]
    pub evidence: Evidence,
}

/// Registers a household's application with its members (status `applicant`) and opens its
/// identification (or monitoring entry) in one transaction: 422 listing every problem of the
/// form (nothing written), 403 for a role that does not keep the village's registry.
#[utoipa::path(post, path = "/api/v1/procedures/applications", request_body = ApplicationBody,
    responses((status = 200, body = Object), (status = 400), (status = 403), (status = 422)))]
pub async fn apply(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<ApplicationBody>,
) -> Result<Json<CaseRecord>, WebError> {
    use jingzhun_domain::vocab::Vocabulary;
    let kind = match body.kind.as_deref() {
        None | Some("") => ProcedureKind::Identification,
        Some(k) => ProcedureKind::parse(k)
            .map_err(|p| WebError::BadRequest(format!("kind: {} / {p}", p.zh())))?,
    };
    let form = procedures::ApplicationForm {
        household: body.household,
        members: body.members,
    };
    Ok(Json(
        procedures::apply(
            state.store.as_ref(),
            &user.account,
            kind,
            &form,
            body.evidence,
            today_in_china(),
        )
        .await?,
    ))
}

/// Cases to open for several households at once.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct BatchStartBody {
    pub household_ids: Vec<String>,
    pub kind: String,
    /// `{"kind": "application", "by_household": bool, "reason": "..."}`, the same for each.
    #[schema(value_type = Object)]
    pub evidence: Evidence,
}

/// Opens the same procedure for several households (at most 200), each its own case: all or
/// nothing, 409 naming every household refused.
#[utoipa::path(post, path = "/api/v1/procedures/batch", request_body = BatchStartBody,
    responses((status = 200, body = Object), (status = 400), (status = 404), (status = 409)))]
pub async fn batch_start(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<BatchStartBody>,
) -> Result<Json<Vec<CaseRecord>>, WebError> {
    use jingzhun_domain::vocab::Vocabulary;
    let kind = ProcedureKind::parse(&body.kind)
        .map_err(|p| WebError::BadRequest(format!("kind: {} / {p}", p.zh())))?;
    let mut ids = Vec::with_capacity(body.household_ids.len());
    for h in &body.household_ids {
        ids.push(HouseholdId::parse(h).map_err(|_| WebError::NotFound)?);
    }
    Ok(Json(
        procedures::start_batch(
            state.store.as_ref(),
            &user.account,
            &ids,
            kind,
            &body.evidence,
            today_in_china(),
        )
        .await?,
    ))
}

/// A case of a batch, with the version last seen.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct BatchCase {
    pub id: i64,
    pub version: i64,
}

/// The same act on several cases.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct BatchActBody {
    pub cases: Vec<BatchCase>,
    /// As for one case: `{"act": "step", "step": "deliberation", "evidence": {...}}`...
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub act: Act,
}

/// Takes the same act on several cases (at most 200) in one transaction: all or nothing, 409
/// naming every case refused; a notice step publishes one notice listing every household
/// (the cases must be of one village and one procedure).
#[utoipa::path(post, path = "/api/v1/procedures/batch/acts", request_body = BatchActBody,
    responses((status = 200, body = Object), (status = 400), (status = 404), (status = 409)))]
pub async fn batch_act(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<BatchActBody>,
) -> Result<Json<Vec<CaseRecord>>, WebError> {
    let items: Vec<(i64, i64)> = body.cases.iter().map(|c| (c.id, c.version)).collect();
    Ok(Json(
        procedures::act_batch(
            state.store.as_ref(),
            &user.account,
            &items,
            &body.act,
            today_in_china(),
        )
        .await?,
    ))
}

/// A correction of a published notice.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CorrectionBody {
    /// Why the notice is corrected (printed on the correction).
    pub reason: String,
}

/// Publishes a correction of a notice: a new notice naming the old one, composed again for its
/// households, with a new period; the old notice is never edited. By the role of the notice's
/// step over its village: 403 otherwise, 409 when the cases moved on or it was corrected.
#[utoipa::path(post, path = "/api/v1/notices/{id}/correction", request_body = CorrectionBody,
    responses((status = 200, body = Object), (status = 400), (status = 403), (status = 404), (status = 409)))]
pub async fn correct_notice(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<CorrectionBody>,
) -> Result<Json<jingzhun_store::notices::NoticeRecord>, WebError> {
    Ok(Json(
        jingzhun_service::notices::correct(
            state.store.as_ref(),
            &user.account,
            id,
            &body.reason,
            today_in_china(),
        )
        .await?,
    ))
}

/// A notice as published, with the check that it is unchanged and the notices correcting it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PublicNotice {
    #[schema(value_type = Object)]
    pub notice: jingzhun_service::notices::CheckedNotice,
    /// Ids of the notices that correct this one.
    pub corrected_by: Vec<i64>,
}

/// A published notice (no sign-in): its text, digest, whether it is unchanged since
/// publication, and its corrections.
#[utoipa::path(get, path = "/api/v1/public/notices/{id}", responses((status = 200, body = PublicNotice), (status = 404)))]
pub async fn public_notice(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<PublicNotice>, WebError> {
    let store = state.store.as_ref();
    let notice = jingzhun_service::notices::checked(store, id).await?;
    let corrected_by = store
        .corrections_of(id)
        .await?
        .iter()
        .map(|n| n.id)
        .collect();
    Ok(Json(PublicNotice {
        notice,
        corrected_by,
    }))
}

/// An objection from the public.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ObjectionBody {
    /// The household's line on the notice, from 1.
    pub line: usize,
    /// At most 1,000 characters; seen by the verifying officers only.
    pub text: String,
}

/// Files an objection against one household of a notice while it runs (no sign-in; at most
/// ten submissions per address and hour, 429 beyond): the case is suspended until an officer
/// records the resolution.
#[utoipa::path(post, path = "/api/v1/public/notices/{id}/objections", request_body = ObjectionBody,
    responses((status = 200, body = Object), (status = 400), (status = 404), (status = 409), (status = 429)))]
pub async fn public_objection(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    crate::pages::public::OptionalConnectInfo(addr): crate::pages::public::OptionalConnectInfo,
    Json(body): Json<ObjectionBody>,
) -> Result<axum::response::Response, WebError> {
    use axum::response::IntoResponse;
    if !state.public_forms.allow(addr, std::time::Instant::now()) {
        return Ok((
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            Json(serde_json::json!({"code": "too_many", "message": "提交过于频繁，请稍后再试 / too many submissions; try again later"})),
        )
            .into_response());
    }
    if body.text.chars().count() > crate::pages::public::OBJECTION_MAX {
        return Err(WebError::BadRequest(format!(
            "text: 不能超过 {0} 字 / longer than {0} characters",
            crate::pages::public::OBJECTION_MAX
        )));
    }
    jingzhun_service::notices::object_publicly(
        state.store.as_ref(),
        id,
        body.line,
        &body.text,
        today_in_china(),
    )
    .await?;
    Ok(Json(serde_json::json!({"filed": true})).into_response())
}
