//! Standards and exit evaluation over HTTP. Who may do what is decided here once:
//!
//! * standards are public within the platform: any signed-in account reads them; only
//!   administrators preview (what-if) and change them (`standards::may_change`);
//! * an exit evaluation, a list or one household's indicators exist for an account only within
//!   its area (404 otherwise, as for a missing record); "everywhere" is for accounts without a
//!   bounded scope (administrators).

use axum::Json;
use axum::extract::{Path, Query, State};
use jingzhun_domain::access::Account;
use jingzhun_domain::area::AreaCode;
use jingzhun_domain::exit::Evidence;
use jingzhun_domain::standards::{StandardChange, StandardChangeInput};
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_service::exit::{self, AreaExit, ListKind, ListRow};
use jingzhun_service::standards::{self, Preview, StandardView};
use jingzhun_service::today_in_china;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;

/// The area an evaluation is about: the one asked for if the account reaches it (else 404),
/// or the account's own area (the first, for an account with several); `None` (everywhere)
/// only for an account without a bounded scope.
pub fn area_in_reach(account: &Account, asked: Option<&str>) -> Result<Option<AreaCode>, WebError> {
    let today = today_in_china();
    match asked.map(str::trim).filter(|a| !a.is_empty()) {
        Some(code) => {
            let code = AreaCode::parse_short(code)
                .map_err(|p| WebError::BadRequest(format!("area: {p} / {}", p.zh())))?;
            if account.may_reach(&code, today) {
                Ok(Some(code))
            } else {
                Err(WebError::NotFound)
            }
        }
        None => match account.scope(today) {
            None => Ok(None),
            Some(areas) => areas.first().copied().map(Some).ok_or(WebError::NotFound),
        },
    }
}

/// A change (or a what-if) as sent.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct StandardBody {
    /// `poverty_line`, `monitoring_ratio`, `village_exit_incidence`, ... (or the Chinese name).
    pub key: String,
    /// The value: yuan, per cent (2.5 for 2.5 %), days or years by key.
    pub value: String,
    /// Four digits; empty for every year (a poverty line needs one).
    #[serde(default)]
    pub year: String,
    /// Province (2 digits), city (4) or county (6) code prefix; empty for the whole country.
    #[serde(default)]
    pub region: String,
    /// Why: the document or decision. Required to change; optional for a what-if.
    #[serde(default)]
    pub reason: String,
    /// The version of the value being replaced (0 for a default never changed).
    #[serde(default)]
    pub version: i64,
}

impl StandardBody {
    /// The change, or every field that is wrong with its reason (400).
    pub fn change(&self, preview_only: bool) -> Result<StandardChange, WebError> {
        let reason = if preview_only && self.reason.trim().is_empty() {
            "what-if"
        } else {
            &self.reason
        };
        StandardChange::parse(&StandardChangeInput {
            key: &self.key,
            year: &self.year,
            region: &self.region,
            value: &self.value,
            reason,
        })
        .map_err(|problems| {
            WebError::BadRequest(
                problems
                    .iter()
                    .map(|(f, p)| format!("{f}: {} / {p}", p.zh()))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })
    }
}

fn require_admin(user: &CurrentUser) -> Result<(), WebError> {
    if standards::may_change(&user.account, today_in_china()) {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
}

/// Every standard in force (shipped defaults have version 0 and no `set_by`).
#[utoipa::path(get, path = "/api/v1/standards", responses((status = 200, body = Object), (status = 401)))]
pub async fn list(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> Result<Json<Vec<StandardView>>, WebError> {
    Ok(Json(standards::list(state.store.as_ref()).await?))
}

/// What a change would do on the registry before it takes effect (administrators).
#[utoipa::path(post, path = "/api/v1/standards/what-if", request_body = StandardBody,
    responses((status = 200, body = Object), (status = 400), (status = 403)))]
pub async fn what_if(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<StandardBody>,
) -> Result<Json<Preview>, WebError> {
    require_admin(&user)?;
    let change = body.change(true)?;
    Ok(Json(
        standards::preview(state.store.as_ref(), &change, None, None).await?,
    ))
}

/// Changes a standard (administrators), with its reason; 409 when it changed meanwhile.
#[utoipa::path(post, path = "/api/v1/standards", request_body = StandardBody,
    responses((status = 200, body = Object), (status = 400), (status = 403), (status = 409)))]
pub async fn change(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<StandardBody>,
) -> Result<Json<jingzhun_store::exit::StandardRecord>, WebError> {
    require_admin(&user)?;
    let change = body.change(false)?;
    let actor = format!("user:{}", user.account.login.as_str());
    Ok(Json(
        standards::change(state.store.as_ref(), &actor, &change, body.version).await?,
    ))
}

/// Which area, year and list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ExitParams {
    /// Area code (2 to 12 digits); default the account's area.
    pub area: Option<String>,
    /// The year evaluated; default the year of the area's figures (the latest with rural
    /// populations and a poverty line).
    pub year: Option<i32>,
    /// For lists: `candidates` (default), `blocked`, `exited_not_meeting`.
    #[param(value_type = Option<String>)]
    pub kind: Option<ListKind>,
}

/// The exit evaluation of an area: every village's figures and verdict, and the county's.
#[utoipa::path(get, path = "/api/v1/exit", params(ExitParams),
    responses((status = 200, body = Object), (status = 400), (status = 401), (status = 404)))]
pub async fn area(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<ExitParams>,
) -> Result<Json<AreaExit>, WebError> {
    let area = area_in_reach(&user.account, p.area.as_deref())?;
    Ok(Json(
        exit::area(state.store.as_ref(), area.as_ref(), p.year).await?,
    ))
}

/// A list of an area: the pre-exit candidates, the households kept off (with the indicators
/// that keep them), or exited households no longer meeting the indicators.
#[utoipa::path(get, path = "/api/v1/exit/list", params(ExitParams),
    responses((status = 200, body = Object), (status = 400), (status = 401), (status = 404)))]
pub async fn list_households(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<ExitParams>,
) -> Result<Json<Vec<ListRow>>, WebError> {
    let area = area_in_reach(&user.account, p.area.as_deref())?
        .ok_or_else(|| WebError::BadRequest("area: required for a list / 请指定地区".into()))?;
    Ok(Json(
        exit::list(
            state.store.as_ref(),
            &area,
            p.year,
            p.kind.unwrap_or(ListKind::Candidates),
        )
        .await?,
    ))
}

/// One indicator as shown, with the members it names.
#[derive(Serialize)]
pub struct IndicatorView {
    pub indicator: String,
    pub indicator_zh: &'static str,
    pub indicator_en: &'static str,
    pub outcome: String,
    pub outcome_zh: &'static str,
    pub outcome_en: &'static str,
    pub evidence: Evidence,
    /// Names of the members who fail it, and of those whose data is missing.
    pub failing: Vec<String>,
    pub missing: Vec<String>,
}

/// One household's indicators.
#[derive(Serialize)]
pub struct HouseholdExitView {
    pub year: i32,
    pub meets: bool,
    pub indicators: Vec<IndicatorView>,
}

pub async fn household_view(
    state: &AppState,
    account: &Account,
    id: &str,
    year: Option<i32>,
) -> Result<HouseholdExitView, WebError> {
    let (id, _) =
        crate::search::household_in_reach(state.store.as_ref(), account, id, today_in_china())
            .await?;
    let e = exit::household(state.store.as_ref(), &id, year).await?;
    let name = |i: &u32| {
        e.members
            .get(*i as usize)
            .map_or_else(String::new, |p| p.name.clone())
    };
    let indicators = e
        .evaluation
        .results
        .iter()
        .map(|r| {
            let (failing, missing) = match &r.evidence {
                Evidence::Members {
                    failing, missing, ..
                } => (
                    failing.iter().map(name).collect(),
                    missing.iter().map(name).collect(),
                ),
                _ => (Vec::new(), Vec::new()),
            };
            IndicatorView {
                indicator: r.indicator.code().into(),
                indicator_zh: r.indicator.zh(),
                indicator_en: r.indicator.en(),
                outcome: r.outcome.code().into(),
                outcome_zh: r.outcome.zh(),
                outcome_en: r.outcome.en(),
                evidence: r.evidence.clone(),
                failing,
                missing,
            }
        })
        .collect();
    Ok(HouseholdExitView {
        year: e.evaluation.year,
        meets: e.meets,
        indicators,
    })
}

/// One household's exit indicators, each with its outcome and the data behind it.
#[utoipa::path(get, path = "/api/v1/households/{id}/exit", params(("id" = String, Path), ("year" = Option<i32>, Query)),
    responses((status = 200, body = Object), (status = 401), (status = 404)))]
pub async fn household(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(p): Query<ExitParams>,
) -> Result<Json<HouseholdExitView>, WebError> {
    Ok(Json(
        household_view(&state, &user.account, &id, p.year).await?,
    ))
}
