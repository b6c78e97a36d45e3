//! Cross-checks over HTTP: departmental source uploads, check runs with progress, and the leads
//! with their verification. Who may do what is decided here once:
//!
//! * a lead exists for an account only within its area (`Account::scope`); one routed nowhere
//!   (a payment to somebody outside the registry) only for administrators;
//! * ID numbers in a lead are masked for roles that do not need them;
//! * verification: the roles that keep the registry (village, township, county officers,
//!   administrators); runs: county officers (within their county) and administrators; source
//!   imports replace a whole department's copy: administrators only.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use jingzhun_domain::access::{Account, Role};
use jingzhun_domain::checks::{LeadState, Rule, SubjectKind, Verification};
use jingzhun_domain::mask::{mask_id_number, mask_id_numbers_in};
use jingzhun_domain::sources::SourceKind;
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_service::checks::{self, CheckOptions, CheckProgress};
use jingzhun_service::sources::{self, SourceImportOptions};
use jingzhun_service::{ServiceError, today_in_china};
use jingzhun_store::checks::{LeadQuery, LeadRecord};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;

/// The lead if the account reaches it; otherwise it does not exist (404).
pub async fn lead_in_reach(
    state: &AppState,
    account: &Account,
    id: i64,
) -> Result<LeadRecord, WebError> {
    let today = today_in_china();
    let lead = state.store.lead(id).await?.ok_or(WebError::NotFound)?;
    let reaches = match &lead.village {
        Some(v) => account.may_reach(v, today),
        None => account.scope(today).is_none(),
    };
    if reaches {
        Ok(lead)
    } else {
        Err(WebError::NotFound)
    }
}

/// Whether the account may see the lead's ID numbers unmasked.
pub fn sees_ids(account: &Account, lead: &LeadRecord) -> bool {
    let today = today_in_china();
    match &lead.village {
        Some(v) => account.sees_personal_data(v, today),
        None => account.has_role(Role::Admin, today),
    }
}

/// Whether the account may record verifications (in its area).
pub fn may_verify(account: &Account) -> bool {
    account.keeps_registry(today_in_china())
}

/// A lead as shown: masked where the account does not need the ID numbers.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LeadView {
    id: i64,
    rule: String,
    rule_zh: String,
    rule_en: String,
    subject_kind: String,
    subject_id: String,
    village_code: Option<String>,
    detail: String,
    /// `{file, line, text}` of each source row or registry record behind the lead.
    #[schema(value_type = Vec<Object>)]
    evidence: Value,
    state: String,
    first_run: i64,
    last_run: i64,
    action: Option<String>,
    note: Option<String>,
    verified_by: Option<String>,
    verified_at: Option<String>,
    /// Send it back with a verification: a lead changed meanwhile is not overwritten.
    version: i64,
}

impl LeadView {
    /// The subject as shown (masked where needed).
    pub fn subject_id_text(&self) -> &str {
        &self.subject_id
    }

    /// The evidence in one line, as shown.
    pub fn detail_text(&self) -> &str {
        &self.detail
    }
}

pub fn lead_view(lead: &LeadRecord, unmasked: bool) -> LeadView {
    let mask = |t: &str| {
        if unmasked {
            t.to_string()
        } else {
            mask_id_numbers_in(t)
        }
    };
    let subject_id = match (lead.subject_kind, unmasked) {
        (SubjectKind::Person, false) => mask_id_number(&lead.subject_id),
        (SubjectKind::PersonPair, false) => mask_id_numbers_in(&lead.subject_id),
        _ => lead.subject_id.clone(),
    };
    let evidence = lead
        .evidence
        .iter()
        .map(|e| serde_json::json!({ "file": e.file, "line": e.line, "text": mask(&e.text) }))
        .collect();
    LeadView {
        id: lead.id,
        rule: lead.rule.code().into(),
        rule_zh: lead.rule.zh().into(),
        rule_en: lead.rule.en().into(),
        subject_kind: lead.subject_kind.code().into(),
        subject_id,
        village_code: lead.village.map(|v| v.as_str().to_string()),
        detail: mask(&lead.detail),
        evidence: Value::Array(evidence),
        state: lead.state.code().into(),
        first_run: lead.first_run,
        last_run: lead.last_run,
        action: lead.action.map(|a| a.code().into()),
        note: lead.note.clone(),
        verified_by: lead.verified_by.clone(),
        verified_at: lead.verified_at.clone(),
        version: lead.version,
    }
}

/// Filters of the lead list (API and page).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct LeadParams {
    /// A rule code (R02-R15).
    pub rule: Option<String>,
    /// open, gone, confirmed, explained.
    pub state: Option<String>,
    pub offset: Option<i64>,
    /// At most 200 (default 50).
    pub limit: Option<i64>,
}

impl LeadParams {
    /// The store query within the account's reach, or what is wrong with the parameters.
    pub fn query(&self, account: &Account) -> Result<LeadQuery, WebError> {
        let blank = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(String::from)
        };
        let rule = blank(&self.rule)
            .map(|r| {
                Rule::from_code(&r.to_ascii_uppercase())
                    .ok_or_else(|| WebError::BadRequest(format!("rule: unknown rule {r:?}")))
            })
            .transpose()?;
        let state = blank(&self.state)
            .map(|s| LeadState::parse(&s).map_err(|p| WebError::BadRequest(format!("state: {p}"))))
            .transpose()?;
        let limit = self.limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(WebError::BadRequest("limit: between 1 and 200".into()));
        }
        let offset = self.offset.unwrap_or(0);
        if offset < 0 {
            return Err(WebError::BadRequest("offset: not negative".into()));
        }
        Ok(LeadQuery {
            within: account.scope(today_in_china()),
            rule,
            state,
            offset,
            limit,
        })
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LeadList {
    total: i64,
    leads: Vec<LeadView>,
}

/// Leads within the account's area, by rule then subject.
#[utoipa::path(get, path = "/api/v1/leads", params(LeadParams),
    responses((status = 200, body = LeadList), (status = 400), (status = 401)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<LeadParams>,
) -> Result<Json<LeadList>, WebError> {
    let q = params.query(&user.account)?;
    let (leads, total) = tokio::try_join!(state.store.leads(&q), state.store.count_leads(&q))?;
    Ok(Json(LeadList {
        total,
        leads: leads
            .iter()
            .map(|l| lead_view(l, sees_ids(&user.account, l)))
            .collect(),
    }))
}

/// One lead with its evidence (404 outside the account's area).
#[utoipa::path(get, path = "/api/v1/leads/{id}",
    responses((status = 200, body = LeadView), (status = 404)))]
pub async fn one(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<LeadView>, WebError> {
    let lead = lead_in_reach(&state, &user.account, id).await?;
    Ok(Json(lead_view(&lead, sees_ids(&user.account, &lead))))
}

/// A verification of a lead.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct VerificationBody {
    /// `confirmed` or `explained`.
    pub outcome: String,
    /// With `confirmed`: removal, discipline, recovery, correction, assistance.
    pub action: Option<String>,
    /// What was found; required with `explained`.
    #[serde(default)]
    pub note: String,
    /// The lead's version as last seen.
    pub version: i64,
}

/// Records the verification of an open lead: 409 when it changed meanwhile or is not open.
pub async fn record_verification(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    body: &VerificationBody,
) -> Result<LeadRecord, WebError> {
    let lead = lead_in_reach(state, &user.account, id).await?;
    if !may_verify(&user.account) {
        return Err(WebError::Forbidden);
    }
    let v = Verification::parse(&body.outcome, body.action.as_deref(), &body.note)
        .map_err(|(field, p)| WebError::BadRequest(format!("{field}: {p} / {}", p.zh())))?;
    let actor = format!("user:{}", user.account.login.as_str());
    Ok(checks::verify_lead(state.store.as_ref(), &lead, body.version, &v, &actor).await?)
}

#[utoipa::path(post, path = "/api/v1/leads/{id}/verification", request_body = VerificationBody,
    responses((status = 200, body = LeadView), (status = 400), (status = 403), (status = 404), (status = 409)))]
pub async fn verify(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<VerificationBody>,
) -> Result<Json<LeadView>, WebError> {
    let lead = record_verification(&state, &user, id, &body).await?;
    Ok(Json(lead_view(&lead, sees_ids(&user.account, &lead))))
}

/// The check runs of this server in progress or recently ended, by id.
#[derive(Default)]
pub struct CheckJobs {
    jobs: Mutex<HashMap<String, Arc<Mutex<CheckJob>>>>,
}

struct CheckJob {
    owner: String,
    started: Instant,
    view: CheckJobView,
}

/// A check run started over HTTP, as it goes.
#[derive(Clone, Serialize, utoipa::ToSchema)]
pub struct CheckJobView {
    id: String,
    /// running, done, failed.
    state: String,
    /// loading, rule, saving.
    phase: String,
    rule: Option<String>,
    done: usize,
    total: usize,
    run_id: Option<i64>,
    findings: Option<i64>,
    new_leads: Option<i64>,
    still_open: Option<i64>,
    gone: Option<i64>,
    message: Option<String>,
}

/// What to run.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct CheckBody {
    /// Comma-separated rule codes; default all.
    pub rules: Option<String>,
}

/// Starts a cross-check run over the account's area (county officers, administrators).
#[utoipa::path(post, path = "/api/v1/checks", request_body = CheckBody,
    responses((status = 202, body = CheckJobView), (status = 400), (status = 403)))]
pub async fn start_check(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<CheckBody>,
) -> Result<(StatusCode, Json<CheckJobView>), WebError> {
    let today = today_in_china();
    if !checks::may_run_checks(&user.account, today) {
        return Err(WebError::Forbidden);
    }
    let rules = body
        .rules
        .as_deref()
        .filter(|r| !r.trim().is_empty())
        .map(checks::parse_rules)
        .transpose()?;
    let login = user.account.login.as_str().to_string();
    let id = crate::auth::new_token()[..16].to_string();
    let view = CheckJobView {
        id: id.clone(),
        state: "running".into(),
        phase: "loading".into(),
        rule: None,
        done: 0,
        total: 0,
        run_id: None,
        findings: None,
        new_leads: None,
        still_open: None,
        gone: None,
        message: None,
    };
    let job = Arc::new(Mutex::new(CheckJob {
        owner: login.clone(),
        started: Instant::now(),
        view: view.clone(),
    }));
    {
        let mut jobs = state.checks.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.retain(|_, j| {
            j.lock()
                .map(|j| {
                    j.view.state == "running" || j.started.elapsed() < Duration::from_secs(3600)
                })
                .unwrap_or(false)
        });
        jobs.insert(id, job.clone());
    }
    let opts = CheckOptions {
        actor: format!("user:{login}"),
        within: user.account.scope(today),
        rules,
        ..Default::default()
    };
    let store = state.store.clone();
    tokio::spawn(async move {
        let progress_job = job.clone();
        let progress = move |p: &CheckProgress| {
            let mut j = progress_job.lock().unwrap_or_else(|e| e.into_inner());
            match p {
                CheckProgress::Loading => j.view.phase = "loading".into(),
                CheckProgress::Rule { rule, done, total } => {
                    j.view.phase = "rule".into();
                    j.view.rule = Some(rule.code().into());
                    (j.view.done, j.view.total) = (*done, *total);
                }
                CheckProgress::Saving { findings } => {
                    j.view.phase = "saving".into();
                    j.view.findings = Some(*findings as i64);
                }
            }
        };
        let result = checks::run_checks(store.as_ref(), &opts, &progress).await;
        let mut j = job.lock().unwrap_or_else(|e| e.into_inner());
        match result {
            Ok(s) => {
                j.view.state = "done".into();
                j.view.done = j.view.total;
                j.view.run_id = Some(s.run_id);
                j.view.findings = Some(s.comparison.findings);
                j.view.new_leads = Some(s.comparison.new_leads);
                j.view.still_open = Some(s.comparison.still_open);
                j.view.gone = Some(s.comparison.gone);
            }
            Err(e) => {
                tracing::error!(error = %e, "check run failed");
                j.view.state = "failed".into();
                j.view.message = Some(match e {
                    ServiceError::Invalid(m) => m,
                    _ => "internal error".into(),
                });
            }
        }
    });
    Ok((StatusCode::ACCEPTED, Json(view)))
}

/// A check run's progress (only its owner sees it).
#[utoipa::path(get, path = "/api/v1/checks/jobs/{id}",
    responses((status = 200, body = CheckJobView), (status = 404)))]
pub async fn check_job(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<CheckJobView>, WebError> {
    let jobs = state.checks.jobs.lock().unwrap_or_else(|e| e.into_inner());
    let job = jobs.get(&id).ok_or(WebError::NotFound)?;
    let j = job.lock().unwrap_or_else(|e| e.into_inner());
    if j.owner != user.account.login.as_str() {
        return Err(WebError::NotFound);
    }
    Ok(Json(j.view.clone()))
}

/// The latest check runs (what each compared and found).
#[utoipa::path(get, path = "/api/v1/checks",
    responses((status = 200, body = Vec<Object>), (status = 401)))]
pub async fn runs(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> Result<Json<Value>, WebError> {
    let runs = state.store.check_runs(20).await?;
    Ok(Json(
        serde_json::to_value(runs).map_err(|e| WebError::Internal(e.to_string()))?,
    ))
}

/// The current copy of each departmental source.
#[utoipa::path(get, path = "/api/v1/sources",
    responses((status = 200, body = Vec<Object>), (status = 401)))]
pub async fn source_list(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> Result<Json<Value>, WebError> {
    let imports = state.store.source_imports().await?;
    Ok(Json(
        serde_json::to_value(imports).map_err(|e| WebError::Internal(e.to_string()))?,
    ))
}

/// Imports a departmental file (CSV or .xlsx; field `file`, optional `force=true`), replacing
/// the previous copy of the source: administrators only. A file with bad rows is refused whole
/// (422, with every problem).
#[utoipa::path(post, path = "/api/v1/sources/{kind}",
    responses((status = 200, body = Object), (status = 403), (status = 409), (status = 422)))]
pub async fn upload_source(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(kind): Path<String>,
    mut multipart: Multipart,
) -> Result<Json<Value>, WebError> {
    let today = today_in_china();
    if !user.account.has_role(Role::Admin, today) {
        return Err(WebError::Forbidden);
    }
    let kind = SourceKind::from_code(&kind).ok_or(WebError::NotFound)?;
    let dir = tempfile::tempdir().map_err(|e| WebError::Internal(e.to_string()))?;
    let mut saved = None;
    let mut force = false;
    let mut allow_empty = false;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| WebError::BadRequest(format!("upload: {e}")))?
    {
        match field.name() {
            Some("force") => force = field.text().await.is_ok_and(|t| t == "true"),
            Some("allow_empty") => allow_empty = field.text().await.is_ok_and(|t| t == "true"),
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_ascii_lowercase();
                let ext = if name.ends_with(".xlsx") {
                    "xlsx"
                } else {
                    "csv"
                };
                let path = dir.path().join(format!("{}.{ext}", kind.code()));
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| WebError::BadRequest(format!("upload: {e}")))?;
                tokio::fs::write(&path, &bytes)
                    .await
                    .map_err(|e| WebError::Internal(e.to_string()))?;
                saved = Some(path);
            }
            _ => {}
        }
    }
    let path = saved.ok_or_else(|| WebError::BadRequest("file: no file uploaded".into()))?;
    let opts = SourceImportOptions {
        actor: format!("user:{}", user.account.login.as_str()),
        force,
        ignore_unknown_columns: false,
        today,
        allow_empty,
        xlsx_limits: crate::transfer::xlsx_limits(),
        ..SourceImportOptions::default()
    };
    let s = sources::import_source(state.store.as_ref(), kind, &path, &opts).await?;
    Ok(Json(
        serde_json::to_value(s).map_err(|e| WebError::Internal(e.to_string()))?,
    ))
}
