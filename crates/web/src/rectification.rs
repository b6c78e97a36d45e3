//! Rectification ledgers over HTTP: the API, the pages, dashboards and the office lists as XLSX.
//! Thin: parse, call `jingzhun_service::rectification`, shape. Who may do what is decided
//! there and in the domain; a programme exists for an account only within its area (404).

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use jingzhun_domain::access::Role;
use jingzhun_domain::rectification::{
    EvidenceKind, Measure, MeasureKind, MeasureState, Progress, StateCounts,
};
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_service::rectification::{
    self as svc, EvidenceItem, FromFinding, MeasureAct, NewMeasure, NewMilestone, NewProblem,
    NewProgramme, ProgrammeRecord, ProgrammeSummary,
};
use jingzhun_service::today_in_china;
use maud::{Markup, html};
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::pages::{CsrfField, Ctx, PageError, Posted, layout};

// ---------------------------------------------------------------------------------------
// API

/// The API routes (nested under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/rectification/programmes", get(api_list).post(api_create))
        .route("/rectification/programmes/{id}", get(api_one))
        .route(
            "/rectification/programmes/{id}/problems",
            post(api_add_problem),
        )
        .route(
            "/rectification/programmes/{id}/measures",
            post(api_add_measure),
        )
        .route("/rectification/programmes/{id}/units", post(api_set_unit))
        .route("/rectification/programmes/{id}/progress", get(api_progress))
        .route("/rectification/programmes/{id}/lists.xlsx", get(lists_xlsx))
        .route("/rectification/measures/{id}/{code}/acts", post(api_act))
        .route("/rectification/dashboard", get(api_dashboard))
        .route(
            "/rectification/findings/{inspection_id}/{finding_no}",
            get(api_from_finding),
        )
}

/// A programme to create.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateBody {
    /// The area code it covers (within the account's reach).
    pub area: String,
    pub title: String,
    /// Which feedback it answers, in words.
    pub inspection: String,
    /// The inspection record whose feedback it answers.
    #[serde(default)]
    pub inspection_id: Option<i64>,
    #[serde(default)]
    pub issued_on: Option<NaiveDate>,
}

/// A problem to add, with the version last seen.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ProblemBody {
    pub version: i64,
    pub number: u32,
    pub category: String,
    pub aspect: String,
    pub text: String,
}

/// A measure to add, with the version last seen.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MeasureBody {
    pub version: i64,
    /// `{"problem", "code", "kind": "immediate"|"staged"|"long_term", "task", "requirement",
    /// "leader" (login), "leader_unit", "unit", "co_units", "deadline",
    /// "milestones": [{"due_on","text"}], "finding": "{inspection_id}:{finding_no}"}`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub measure: NewMeasure,
}

/// A unit's members (logins), with the version last seen.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UnitBody {
    pub version: i64,
    pub unit: String,
    pub members: Vec<String>,
}

/// An act on a measure, with the programme's version last seen.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ActBody {
    pub version: i64,
    /// `{"act": "report", "text", "evidence": [{"kind","text"}], "milestone", "completed"}`,
    /// `{"act": "mechanism", "text"}`, `{"act": "verify", "passed", "findings", "evidence"}`,
    /// `{"act": "close"}` or `{"act": "look_back", "findings", "reopen"}`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub act: MeasureAct,
}

/// The programmes within the account's area, with their counts.
#[utoipa::path(get, path = "/api/v1/rectification/programmes", responses((status = 200, body = Object)))]
pub async fn api_list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<ProgrammeSummary>>, WebError> {
    Ok(Json(
        svc::list(state.store.as_ref(), &user.account, today_in_china()).await?,
    ))
}

/// Creates a programme (leaders and county officers; 403 otherwise, 404 outside the area).
#[utoipa::path(post, path = "/api/v1/rectification/programmes", request_body = CreateBody,
    responses((status = 200, body = Object), (status = 400), (status = 403), (status = 404)))]
pub async fn api_create(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(b): Json<CreateBody>,
) -> Result<Json<ProgrammeRecord>, WebError> {
    let new = NewProgramme {
        area: b.area,
        title: b.title,
        inspection: b.inspection,
        inspection_id: b.inspection_id,
        issued_on: b.issued_on,
    };
    Ok(Json(
        svc::create(state.store.as_ref(), &user.account, &new, today_in_china()).await?,
    ))
}

/// One programme with its problems, measures and their ledgers.
#[utoipa::path(get, path = "/api/v1/rectification/programmes/{id}",
    responses((status = 200, body = Object), (status = 404)))]
pub async fn api_one(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<ProgrammeRecord>, WebError> {
    Ok(Json(
        svc::programme_in_reach(state.store.as_ref(), &user.account, id, today_in_china()).await?,
    ))
}

/// Adds a problem (409 when the programme changed meanwhile).
#[utoipa::path(post, path = "/api/v1/rectification/programmes/{id}/problems", request_body = ProblemBody,
    responses((status = 200, body = Object), (status = 400), (status = 403), (status = 404), (status = 409)))]
pub async fn api_add_problem(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(b): Json<ProblemBody>,
) -> Result<Json<ProgrammeRecord>, WebError> {
    let p = NewProblem {
        number: b.number,
        category: b.category,
        aspect: b.aspect,
        text: b.text,
    };
    Ok(Json(
        svc::add_problem(
            state.store.as_ref(),
            &user.account,
            id,
            b.version,
            &p,
            today_in_china(),
        )
        .await?,
    ))
}

/// Adds a measure to a problem; from a finding, its inspection must be within reach.
#[utoipa::path(post, path = "/api/v1/rectification/programmes/{id}/measures", request_body = MeasureBody,
    responses((status = 200, body = Object), (status = 400), (status = 403), (status = 404), (status = 409)))]
pub async fn api_add_measure(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(b): Json<MeasureBody>,
) -> Result<Json<ProgrammeRecord>, WebError> {
    Ok(Json(
        svc::add_measure(
            state.store.as_ref(),
            &user.account,
            id,
            b.version,
            &b.measure,
            today_in_china(),
        )
        .await?,
    ))
}

/// Sets the members of one of the programme's units (who reports for it).
#[utoipa::path(post, path = "/api/v1/rectification/programmes/{id}/units", request_body = UnitBody,
    responses((status = 200, body = Object), (status = 400), (status = 403), (status = 404), (status = 409)))]
pub async fn api_set_unit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(b): Json<UnitBody>,
) -> Result<Json<ProgrammeRecord>, WebError> {
    Ok(Json(
        svc::set_unit(
            state.store.as_ref(),
            &user.account,
            id,
            b.version,
            &b.unit,
            &b.members,
            today_in_china(),
        )
        .await?,
    ))
}

/// An act on measure `code` of programme `id`: 403 for a role or an owner that may not, 400
/// for input the rules refuse (document-only evidence), 409 when the measure's state does not
/// allow it (closing without verification) or the programme changed meanwhile.
#[utoipa::path(post, path = "/api/v1/rectification/measures/{id}/{code}/acts", request_body = ActBody,
    responses((status = 200, body = Object), (status = 400), (status = 403), (status = 404), (status = 409)))]
pub async fn api_act(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, code)): Path<(i64, String)>,
    Json(b): Json<ActBody>,
) -> Result<Json<ProgrammeRecord>, WebError> {
    Ok(Json(
        svc::act(
            state.store.as_ref(),
            &user.account,
            id,
            &code,
            b.version,
            &b.act,
            today_in_china(),
        )
        .await?,
    ))
}

/// One programme's progress: by state, kind, category, aspect, unit and leader; overdue
/// measures and milestones; measures flagged as rectification by document.
#[utoipa::path(get, path = "/api/v1/rectification/programmes/{id}/progress",
    responses((status = 200, body = Object), (status = 404)))]
pub async fn api_progress(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Progress>, WebError> {
    Ok(Json(
        svc::programme_progress(state.store.as_ref(), &user.account, id, today_in_china()).await?,
    ))
}

/// The progress of every programme within reach together.
#[utoipa::path(get, path = "/api/v1/rectification/dashboard", responses((status = 200, body = Object)))]
pub async fn api_dashboard(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Progress>, WebError> {
    Ok(Json(
        svc::dashboard(state.store.as_ref(), &user.account, today_in_china()).await?,
    ))
}

/// What came of a finding: the measures opened from it, within reach.
#[utoipa::path(get, path = "/api/v1/rectification/findings/{inspection_id}/{finding_no}",
    responses((status = 200, body = Object)))]
pub async fn api_from_finding(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((iid, no)): Path<(i64, u32)>,
) -> Result<Json<Vec<FromFinding>>, WebError> {
    Ok(Json(
        svc::measures_from_finding(
            state.store.as_ref(),
            &user.account,
            iid,
            no,
            today_in_china(),
        )
        .await?,
    ))
}

/// The problem/task/responsibility/deadline/requirement lists as one sheet (整改台账):
/// 序号, 问题类别, 方面, 问题, 整改措施（任务）, 责任领导, 责任单位, 完成时限, 整改要求, 进展, 状态.
#[utoipa::path(get, path = "/api/v1/rectification/programmes/{id}/lists.xlsx",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404)))]
pub async fn lists_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let bytes = svc::lists_xlsx(state.store.as_ref(), &user.account, id, today_in_china()).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"rectification-{id}.xlsx\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// This part of the OpenAPI document (merged into the API's).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api_list,
        api_create,
        api_one,
        api_add_problem,
        api_add_measure,
        api_set_unit,
        api_act,
        api_progress,
        api_dashboard,
        api_from_finding,
        lists_xlsx
    ),
    components(schemas(CreateBody, ProblemBody, MeasureBody, UnitBody, ActBody))
)]
pub struct ApiDoc;

// ---------------------------------------------------------------------------------------
// Pages

/// The page routes.
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/rectification", get(index_page).post(create_page))
        .route("/rectification/{id}", get(programme_page))
        .route("/rectification/{id}/problems", post(problem_page))
        .route("/rectification/{id}/measures", post(measure_add_page))
        .route("/rectification/{id}/units", post(unit_page))
        .route(
            "/rectification/{id}/measures/{code}",
            get(measure_page).post(act_page),
        )
        .route("/rectification/{id}/lists.xlsx", get(lists_xlsx))
}

fn state_badge(l: Lang, s: MeasureState) -> Markup {
    let class = match s {
        MeasureState::Closed => "badge ok",
        MeasureState::Reopened | MeasureState::AwaitingVerification => "badge warn",
        _ => "badge",
    };
    html! { span class=(class) { (l.v(s)) } }
}

fn measure_href(id: i64, code: &str) -> String {
    format!(
        "/rectification/{id}/measures/{}",
        crate::pages::urlencode(code)
    )
}

fn share_closed(c: &StateCounts) -> f64 {
    if c.total == 0 {
        0.0
    } else {
        ((c.closed as f64) * 1000.0 / (c.total as f64)).round() / 10.0
    }
}

/// The charts of a dashboard: measures by state (pie), share closed by category, open and
/// overdue measures by responsible unit, days overdue by measure.
fn charts(l: Lang, p: &Progress, id: Option<i64>) -> Markup {
    let states: [(MeasureState, usize); 5] = [
        (MeasureState::NotStarted, p.all.not_started),
        (MeasureState::InProgress, p.all.in_progress),
        (
            MeasureState::AwaitingVerification,
            p.all.awaiting_verification,
        ),
        (MeasureState::Closed, p.all.closed),
        (MeasureState::Reopened, p.all.reopened),
    ];
    let by_state = serde_json::json!({
        "kind": "pie",
        "labels": states.iter().map(|(s, _)| l.v(*s)).collect::<Vec<_>>(),
        "values": states.iter().map(|(_, n)| n).collect::<Vec<_>>(),
    });
    let by_category = serde_json::json!({
        "kind": "bar",
        "labels": p.by_category.keys().collect::<Vec<_>>(),
        "values": p.by_category.values().map(share_closed).collect::<Vec<_>>(),
        "unit": l.t("已销号 %", "closed %"),
    });
    let by_unit = serde_json::json!({
        "kind": "bar",
        "labels": p.by_unit.keys().collect::<Vec<_>>(),
        "values": p.by_unit.values().map(|c| c.total - c.closed).collect::<Vec<_>>(),
        "colors": p.by_unit.values().map(|c| if c.overdue > 0 { "#b4232a" } else { "#5470c6" }).collect::<Vec<_>>(),
        "unit": l.t("未销号措施", "open measures"),
    });
    let overdue = serde_json::json!({
        "kind": "bar",
        "labels": p.overdue.iter().map(|o| format!("{} {}", o.code, o.unit)).collect::<Vec<_>>(),
        "values": p.overdue.iter().map(|o| o.days_overdue).collect::<Vec<_>>(),
        "links": p.overdue.iter().map(|o| id.map(|i| measure_href(i, &o.code))).collect::<Vec<_>>(),
        "unit": l.t("逾期天数", "days overdue"),
    });
    html! {
        div.cards {
            div.card { span.n { (p.all.total) } span.l { (l.t("整改措施", "Measures")) } }
            div.card { span.n { (p.all.closed) } span.l { (l.t("已销号", "Closed")) } }
            div.card { span.n { (p.all.awaiting_verification) } span.l { (l.t("待核验", "Awaiting verification")) } }
            div.card.warn[p.all.overdue > 0] { span.n { (p.all.overdue) } span.l { (l.t("逾期未完成", "Overdue")) } }
            div.card.warn[!p.document_only.is_empty()] { span.n { (p.document_only.len()) } span.l { (l.t("以文件代替整改", "Rectification by document")) } }
        }
        div.grid2 {
            section.panel {
                h2 { (l.t("按状态", "By state")) }
                div #state-chart .chart data-chart=(by_state.to_string()) role="img"
                    aria-label=(l.t("整改措施状态图", "Chart of measures by state")) {}
            }
            section.panel {
                h2 { (l.t("按问题类别：销号率", "By category: share closed")) }
                div #category-chart .chart data-chart=(by_category.to_string()) role="img"
                    aria-label=(l.t("按类别销号率图", "Chart of the share closed by category")) {}
            }
            section.panel {
                h2 { (l.t("按责任单位：未销号措施（红色：有逾期）", "By responsible unit: open measures (red: some overdue)")) }
                div #unit-chart .chart data-chart=(by_unit.to_string()) role="img"
                    aria-label=(l.t("按责任单位图", "Chart by responsible unit")) {}
            }
            section.panel #overdue {
                h2 { (l.t("逾期预警", "Overdue warnings")) " " small.muted { (p.overdue.len()) } }
                @if p.overdue.is_empty() { p.muted { (l.t("没有逾期措施。", "Nothing overdue.")) } }
                @else {
                    div #overdue-chart .chart data-chart=(overdue.to_string()) role="img"
                        aria-label=(l.t("逾期天数图", "Chart of days overdue")) {}
                }
            }
        }
        details { summary { (l.t("数据表", "Data table")) }
            div.scroll { table #by-unit {
                tr { th { (l.t("责任单位", "Responsible unit")) } th.num { (l.t("措施", "Measures")) }
                    th.num { (l.t("已销号", "Closed")) } th.num { (l.t("逾期", "Overdue")) } }
                @for (u, c) in &p.by_unit {
                    tr { td { (u) } td.num { (c.total) } td.num { (c.closed) } td.num { (c.overdue) } }
                }
            } }
            div.scroll { table #by-leader {
                tr { th { (l.t("责任领导", "Responsible leader")) } th.num { (l.t("措施", "Measures")) }
                    th.num { (l.t("已销号", "Closed")) } th.num { (l.t("逾期", "Overdue")) } }
                @for (who, c) in &p.by_leader {
                    tr { td { (who) } td.num { (c.total) } td.num { (c.closed) } td.num { (c.overdue) } }
                }
            } }
            div.scroll { table #by-category {
                tr { th { (l.t("问题类别", "Category")) } th.num { (l.t("措施", "Measures")) }
                    th.num { (l.t("已销号", "Closed")) } th.num { (l.t("逾期", "Overdue")) } }
                @for (cat, c) in &p.by_category {
                    tr { td { (cat) } td.num { (c.total) } td.num { (c.closed) } td.num { (c.overdue) } }
                }
            } }
        }
        @if !p.overdue_milestones.is_empty() {
            section.panel #overdue-milestones {
                h2 { (l.t("阶段目标逾期", "Milestones overdue")) }
                ul { @for o in &p.overdue_milestones {
                    li { (o.code) " · " (o.unit) " · " (l.t("第", "milestone ")) (o.index + 1) (l.t(" 个阶段目标，逾期 ", ", overdue by ")) (o.days_overdue) (l.t(" 天", " days")) }
                } }
            }
        }
    }
}

pub async fn index_page(State(state): State<AppState>, ctx: Ctx) -> Result<Markup, PageError> {
    index_markup(&state, &ctx, None).await
}

async fn index_markup(
    state: &AppState,
    ctx: &Ctx,
    message: Option<&str>,
) -> Result<Markup, PageError> {
    let l = ctx.lang;
    let today = today_in_china();
    let store = state.store.as_ref();
    let account = &ctx.user.account;
    let programmes = svc::list(store, account, today).await?;
    let dash = svc::dashboard(store, account, today).await?;
    let may_own = svc::may_own(account, today);
    let default_area = account
        .scope(today)
        .and_then(|s| s.first().map(|a| a.prefix().to_string()))
        .unwrap_or_default();
    Ok(layout(
        ctx,
        l.t("整改台账", "Rectification"),
        true,
        html! {
            h1 { (l.t("整改台账", "Rectification ledgers")) }
            @if let Some(m) = message { p.error { (m) } }
            (charts(l, &dash, None))
            section.panel {
                h2 { (l.t("整改方案", "Programmes")) }
                @if programmes.is_empty() { p.muted { (l.t("没有整改方案。", "No programmes.")) } }
                @else {
                    div.scroll { table #programmes {
                        tr { th { "#" } th { (l.t("方案", "Programme")) } th { (l.t("反馈来源", "Feedback of")) }
                            th.num { (l.t("问题", "Problems")) } th.num { (l.t("措施", "Measures")) }
                            th.num { (l.t("已销号", "Closed")) } th.num { (l.t("逾期", "Overdue")) }
                            th { (l.t("最近时限", "Next deadline")) } }
                        @for p in &programmes {
                            tr {
                                td { (p.id) }
                                td { a href={ "/rectification/" (p.id) } { (p.title) } }
                                td { @if let Some(i) = p.inspection_id { a href={ "/inspections/" (i) } { (p.inspection) } } @else { (p.inspection) } }
                                td.num { (p.problems) } td.num { (p.counts.total) } td.num { (p.counts.closed) }
                                td.num { (p.counts.overdue) }
                                td { (p.due_on.as_deref().unwrap_or("—")) }
                            }
                        }
                    } }
                }
            }
            @if may_own {
                section.panel #new-programme {
                    h2 { (l.t("新建整改方案", "New programme")) }
                    form.stack method="post" action="/rectification" {
                        input type="hidden" name="csrf" value=(ctx.user.csrf);
                        label { (l.t("方案名称", "Title")) input name="title" required; }
                        label { (l.t("反馈来源（巡视巡察、督查或考核）", "Feedback of (inspection, audit or assessment)")) input name="inspection" required; }
                        label { (l.t("检查编号（可选）", "Inspection number (optional)")) input name="inspection_id" inputmode="numeric"; }
                        label { (l.t("区划代码", "Area code")) input name="area" value=(default_area) required; }
                        label { (l.t("印发日期（默认今天）", "Issued on (default today)")) input type="date" name="issued_on"; }
                        button type="submit" { (l.t("新建", "Create")) }
                    }
                }
            }
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct CreateForm {
    csrf: String,
    title: String,
    inspection: String,
    #[serde(default)]
    inspection_id: String,
    area: String,
    #[serde(default)]
    issued_on: String,
}

impl CsrfField for CreateForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

fn opt_date(field: &str, s: &str) -> Result<Option<NaiveDate>, WebError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| {
            WebError::BadRequest(format!(
                "{field}: 日期格式为 YYYY-MM-DD / a date is YYYY-MM-DD"
            ))
        })
}

fn date(field: &str, s: &str) -> Result<NaiveDate, WebError> {
    opt_date(field, s)?.ok_or_else(|| WebError::BadRequest(format!("{field}: 必填 / required")))
}

fn number<T: std::str::FromStr>(field: &str, s: &str) -> Result<T, WebError> {
    s.trim()
        .parse()
        .map_err(|_| WebError::BadRequest(format!("{field}: 不是整数 / not a whole number")))
}

fn shown(e: &WebError) -> bool {
    matches!(e, WebError::BadRequest(_) | WebError::Conflict(_))
}

pub async fn create_page(
    State(state): State<AppState>,
    Posted { ctx, form }: Posted<CreateForm>,
) -> Result<Response, PageError> {
    let today = today_in_china();
    let result: Result<ProgrammeRecord, WebError> = async {
        let inspection_id = match form.inspection_id.trim() {
            "" => None,
            s => Some(number::<i64>("inspection_id", s)?),
        };
        let new = NewProgramme {
            area: form.area.clone(),
            title: form.title.clone(),
            inspection: form.inspection.clone(),
            inspection_id,
            issued_on: opt_date("issued_on", &form.issued_on)?,
        };
        Ok(svc::create(state.store.as_ref(), &ctx.user.account, &new, today).await?)
    }
    .await;
    match result {
        Ok(p) => Ok(Redirect::to(&format!("/rectification/{}", p.id)).into_response()),
        Err(e) if shown(&e) => {
            let msg = e.public_detail().unwrap_or_default();
            Ok(index_markup(&state, &ctx, Some(&msg))
                .await?
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn programme_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    programme_markup(&state, &ctx, id, None).await
}

fn kind_options(l: Lang) -> Markup {
    html! { @for k in MeasureKind::ALL { option value=(k.code()) { (l.v(*k)) } } }
}

async fn programme_markup(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    message: Option<&str>,
) -> Result<Markup, PageError> {
    let l = ctx.lang;
    let today = today_in_china();
    let account = &ctx.user.account;
    let rec = svc::programme_in_reach(state.store.as_ref(), account, id, today).await?;
    let p = &rec.ledger.programme;
    let prog = jingzhun_domain::rectification::progress(&p.measures, today);
    let may_own = svc::may_own(account, today);
    // Categories in the order their first problem comes, aspects likewise.
    let mut problems = p.problems.clone();
    problems.sort_by_key(|q| q.number);
    let mut categories: Vec<&str> = Vec::new();
    for q in &problems {
        if !categories.contains(&q.category.as_str()) {
            categories.push(&q.category);
        }
    }
    Ok(layout(
        ctx,
        &p.title,
        true,
        html! {
            nav.crumbs { a href="/rectification" { (l.t("整改台账", "Rectification")) } }
            h1 { (p.title) }
            p {
                (l.t("反馈来源：", "Feedback of: "))
                @if let Some(i) = rec.inspection_id {
                    a #origin href={ "/inspections/" (i) } { (p.inspection) }
                } @else { (p.inspection) }
                " · " (l.t("印发", "issued")) " " (l.date(p.issued_on))
                " · " (l.t(if rec.state == "closed" { "全部销号" } else { "整改中" }, if rec.state == "closed" { "all closed" } else { "open" }))
                " · " a #export href={ "/rectification/" (id) "/lists.xlsx" } { (l.t("导出整改台账（Excel）", "Export the lists (Excel)")) }
            }
            @if let Some(m) = message { p.error { (m) } }
            (charts(l, &prog, Some(id)))
            @if !prog.document_only.is_empty() {
                section.panel #document-only {
                    h2 { (l.t("以文件代替整改（佐证只有印发文件）", "Rectification by document (the only evidence is a document issued)")) }
                    ul { @for c in &prog.document_only { li { a href=(measure_href(id, c)) { (c) } } } }
                }
            }
            section.panel #problems {
                h2 { (l.t("问题、任务、责任、时限、要求清单", "Problems, tasks, responsibilities, deadlines, requirements")) }
                @for cat in &categories {
                    h3 { (cat) }
                    @for q in problems.iter().filter(|q| q.category == *cat) {
                        p { strong { (l.t("问题", "Problem ")) (q.number) } " · " span.muted { (q.aspect) } br; (q.text) }
                        @let ms: Vec<&Measure> = p.measures.iter().filter(|m| m.problem == q.number).collect();
                        @if !ms.is_empty() {
                            div.scroll { table.measures {
                                tr { th { (l.t("措施", "Measure")) } th { (l.t("类型", "Type")) } th { (l.t("整改任务", "Task")) }
                                    th { (l.t("责任领导", "Leader")) } th { (l.t("责任单位", "Unit")) }
                                    th { (l.t("完成时限", "Deadline")) } th { (l.t("状态", "State")) } }
                                @for m in ms {
                                    tr {
                                        td { a href=(measure_href(id, &m.code)) { (m.code) } }
                                        td { (l.v(m.kind)) }
                                        td { (m.task) }
                                        td { (m.leader.login.as_str()) }
                                        td { (m.unit) }
                                        td { (l.date(m.deadline)) }
                                        td {
                                            (state_badge(l, m.state))
                                            @if m.is_overdue(today) { " " span.badge.warn { (l.t("逾期", "overdue")) } }
                                            @if m.state != MeasureState::Closed && m.is_document_only() { " " span.badge.warn { (l.t("以文件代替整改", "by document")) } }
                                        }
                                    }
                                }
                            } }
                        }
                    }
                }
            }
            @if !rec.ledger.units.is_empty() {
                section.panel #units {
                    h2 { (l.t("责任单位成员", "Members of the units")) }
                    ul { @for (u, ms) in &rec.ledger.units { li { (u) ": " (ms.join(", ")) } } }
                }
            }
            @if may_own {
                div.grid2 {
                    section.panel {
                        h2 { (l.t("添加问题", "Add a problem")) }
                        form.stack method="post" action={ "/rectification/" (id) "/problems" } {
                            input type="hidden" name="csrf" value=(ctx.user.csrf);
                            input type="hidden" name="version" value=(rec.version);
                            label { (l.t("问题序号", "Number")) input name="number" inputmode="numeric" required; }
                            label { (l.t("问题类别", "Category")) input name="category" required; }
                            label { (l.t("方面", "Aspect")) input name="aspect" required; }
                            label { (l.t("问题", "Problem")) textarea name="text" required {} }
                            button type="submit" { (l.t("添加", "Add")) }
                        }
                    }
                    section.panel {
                        h2 { (l.t("添加整改措施", "Add a measure")) }
                        form.stack method="post" action={ "/rectification/" (id) "/measures" } {
                            input type="hidden" name="csrf" value=(ctx.user.csrf);
                            input type="hidden" name="version" value=(rec.version);
                            label { (l.t("问题序号", "Problem number")) input name="problem" inputmode="numeric" required; }
                            label { (l.t("措施编号", "Code")) input name="code" required; }
                            label { (l.t("类型", "Type")) select name="kind" { (kind_options(l)) } }
                            label { (l.t("整改任务", "Task")) textarea name="task" required {} }
                            label { (l.t("整改要求", "Requirement")) textarea name="requirement" required {} }
                            label { (l.t("责任领导（账号）", "Responsible leader (login)")) input name="leader" required; }
                            label { (l.t("责任领导所在单位", "The leader's unit")) input name="leader_unit" required; }
                            label { (l.t("责任单位", "Responsible unit")) input name="unit" required; }
                            label { (l.t("配合单位（用、分隔）", "Co-operating units (separated by 、)")) input name="co_units"; }
                            label { (l.t("完成时限", "Deadline")) input type="date" name="deadline" required; }
                            label { (l.t("阶段目标（阶段性措施，每行“日期 内容”）", "Milestones (staged, one per line: date text)")) textarea name="milestones" {} }
                            label { (l.t("来源问题（检查编号:问题序号，可选）", "From finding (inspection:finding, optional)")) input name="finding"; }
                            button type="submit" { (l.t("添加", "Add")) }
                        }
                    }
                    section.panel {
                        h2 { (l.t("设置单位成员", "Set a unit's members")) }
                        form.stack method="post" action={ "/rectification/" (id) "/units" } {
                            input type="hidden" name="csrf" value=(ctx.user.csrf);
                            input type="hidden" name="version" value=(rec.version);
                            label { (l.t("单位", "Unit")) input name="unit" required; }
                            label { (l.t("成员账号（用逗号分隔；留空则移除）", "Member logins (comma-separated; empty removes)")) input name="members"; }
                            button type="submit" { (l.t("保存", "Save")) }
                        }
                    }
                }
            }
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct ProblemForm {
    csrf: String,
    version: i64,
    number: String,
    category: String,
    aspect: String,
    text: String,
}

impl CsrfField for ProblemForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

async fn after_change(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    result: Result<ProgrammeRecord, WebError>,
    back: String,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(Redirect::to(&back).into_response()),
        Err(e) if shown(&e) => {
            let msg = e.public_detail().unwrap_or_default();
            Ok(programme_markup(state, ctx, id, Some(&msg))
                .await?
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn problem_page(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { ctx, form }: Posted<ProblemForm>,
) -> Result<Response, PageError> {
    let result = async {
        let p = NewProblem {
            number: number("number", &form.number)?,
            category: form.category.clone(),
            aspect: form.aspect.clone(),
            text: form.text.clone(),
        };
        Ok(svc::add_problem(
            state.store.as_ref(),
            &ctx.user.account,
            id,
            form.version,
            &p,
            today_in_china(),
        )
        .await?)
    }
    .await;
    after_change(&state, &ctx, id, result, format!("/rectification/{id}")).await
}

#[derive(Debug, Deserialize)]
pub struct MeasureForm {
    csrf: String,
    version: i64,
    problem: String,
    code: String,
    kind: String,
    task: String,
    requirement: String,
    leader: String,
    leader_unit: String,
    unit: String,
    #[serde(default)]
    co_units: String,
    deadline: String,
    #[serde(default)]
    milestones: String,
    #[serde(default)]
    finding: String,
}

impl CsrfField for MeasureForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl MeasureForm {
    fn measure(&self) -> Result<NewMeasure, WebError> {
        let kind = MeasureKind::parse(&self.kind)
            .map_err(|p| WebError::BadRequest(format!("kind: {} / {p}", p.zh())))?;
        let mut milestones = Vec::new();
        for line in self
            .milestones
            .lines()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let (d, t) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            milestones.push(NewMilestone {
                due_on: date("milestones", d)?,
                text: t.trim().to_string(),
            });
        }
        Ok(NewMeasure {
            problem: number("problem", &self.problem)?,
            code: self.code.clone(),
            kind,
            task: self.task.clone(),
            requirement: self.requirement.clone(),
            leader: self.leader.clone(),
            leader_unit: self.leader_unit.clone(),
            unit: self.unit.clone(),
            co_units: self
                .co_units
                .split(['、', ',', '，'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            deadline: date("deadline", &self.deadline)?,
            milestones,
            finding: Some(self.finding.clone()),
        })
    }
}

pub async fn measure_add_page(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { ctx, form }: Posted<MeasureForm>,
) -> Result<Response, PageError> {
    let result = async {
        let m = form.measure()?;
        Ok(svc::add_measure(
            state.store.as_ref(),
            &ctx.user.account,
            id,
            form.version,
            &m,
            today_in_china(),
        )
        .await?)
    }
    .await;
    after_change(&state, &ctx, id, result, format!("/rectification/{id}")).await
}

#[derive(Debug, Deserialize)]
pub struct UnitForm {
    csrf: String,
    version: i64,
    unit: String,
    #[serde(default)]
    members: String,
}

impl CsrfField for UnitForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn unit_page(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { ctx, form }: Posted<UnitForm>,
) -> Result<Response, PageError> {
    let members: Vec<String> = form
        .members
        .split([',', '，', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    let result = svc::set_unit(
        state.store.as_ref(),
        &ctx.user.account,
        id,
        form.version,
        &form.unit,
        &members,
        today_in_china(),
    )
    .await
    .map_err(WebError::from);
    after_change(&state, &ctx, id, result, format!("/rectification/{id}")).await
}

pub async fn measure_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
) -> Result<Markup, PageError> {
    measure_markup(&state, &ctx, id, &code, None).await
}

fn evidence_select(l: Lang, name: &str) -> Markup {
    html! {
        select name=(name) {
            option value="" { "—" }
            @for k in EvidenceKind::ALL { option value=(k.code()) { (l.v(*k)) } }
        }
    }
}

async fn measure_markup(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    code: &str,
    message: Option<&str>,
) -> Result<Markup, PageError> {
    let l = ctx.lang;
    let today = today_in_china();
    let account = &ctx.user.account;
    let rec = svc::programme_in_reach(state.store.as_ref(), account, id, today).await?;
    let m = rec.measure(code)?;
    let p = &rec.ledger.programme;
    let problem = p.problems.iter().find(|q| q.number == m.problem);
    let actor = svc::actor_of(&rec.ledger, account);
    let owner = m.owner_tie(&actor).is_some();
    let has = |roles: &[Role]| roles.iter().any(|r| account.has_role(*r, today));
    let may_report = owner && has(&svc::REPORTING_ROLES);
    let may_verify = !owner && has(&svc::VERIFYING_ROLES);
    let may_look_back = has(&svc::LOOK_BACK_ROLES);
    let finding = rec.ledger.findings.get(&m.code);
    let action = measure_href(id, &m.code);
    Ok(layout(
        ctx,
        &m.code,
        false,
        html! {
            nav.crumbs {
                a href="/rectification" { (l.t("整改台账", "Rectification")) }
                a href={ "/rectification/" (id) } { (p.title) }
            }
            h1 { (l.t("整改措施 ", "Measure ")) (m.code) " " (state_badge(l, m.state))
                @if m.is_overdue(today) { " " span.badge.warn #overdue-flag { (l.t("逾期", "overdue")) } }
                @if m.state != MeasureState::Closed && m.is_document_only() {
                    " " span.badge.warn #document-only-flag { (l.t("以文件代替整改", "rectification by document")) }
                }
            }
            @if let Some(msg) = message { p.error #refusal { (msg) } }
            table #measure {
                @if let Some(q) = problem {
                    tr { th { (l.t("问题类别", "Category")) } td { (q.category) } }
                    tr { th { (l.t("方面", "Aspect")) } td { (q.aspect) } }
                    tr { th { (l.t("问题", "Problem")) } td { (q.number) ". " (q.text) } }
                }
                tr { th { (l.t("类型", "Type")) } td { (l.v(m.kind)) } }
                tr { th { (l.t("整改任务", "Task")) } td { (m.task) } }
                tr { th { (l.t("整改要求", "Requirement")) } td { (m.requirement) } }
                tr { th { (l.t("责任领导", "Leader")) } td { (m.leader.login.as_str()) " (" (m.leader.unit) ")" } }
                tr { th { (l.t("责任单位", "Unit")) } td { (m.unit)
                    @if !m.co_units.is_empty() { " · " (l.t("配合：", "with: ")) (m.co_units.join("、")) } } }
                tr { th { (l.t("完成时限", "Deadline")) } td { (l.date(m.deadline)) } }
                @if let Some(f) = finding {
                    tr { th { (l.t("来源", "Origin")) } td {
                        @if let Some((iid, no)) = svc::parse_finding(f) {
                            a #finding href={ "/inspections/" (iid) } { (l.t("检查 ", "inspection ")) (iid) (l.t(" 第 ", ", finding ")) (no) (l.t(" 个问题", "")) }
                        } @else { (f) }
                    } }
                }
                @if let Some(mech) = &m.mechanism {
                    tr { th { (l.t("长效机制", "Mechanism")) } td { (mech.text) " · " (l.date(mech.on)) } }
                }
            }
            @if !m.milestones.is_empty() {
                h2 { (l.t("阶段目标", "Milestones")) }
                ol { @for s in &m.milestones {
                    li { (l.date(s.due_on)) " " (s.text) " · "
                        @match s.reached_on { Some(d) => { span.badge.ok { (l.t("完成于 ", "reached ")) (l.date(d)) } }
                            None => { @if today > s.due_on { span.badge.warn { (l.t("逾期", "overdue")) } } @else { span.badge { (l.t("未完成", "open")) } } } }
                    }
                } }
            }
            h2 { (l.t("整改记录", "Ledger")) }
            ul #history {
                @for r in &m.reports {
                    li { (l.date(r.on)) " · " (r.by) " · " (l.t(if r.completed { "报完成" } else { "报进展" }, if r.completed { "reported completed" } else { "progress" }))
                        ": " (r.text)
                        @for e in &r.evidence { " [" (l.v(e.kind)) ": " (e.text) "]" } }
                }
                @for v in &m.verifications {
                    li { (l.date(v.on)) " · " (v.by) " (" (v.unit) ") · " (l.t(if v.passed { "核验通过" } else { "核验未通过" }, if v.passed { "verified" } else { "verification failed" })) ": " (v.findings) }
                }
                @for c in &m.closings { li { (l.date(c.on)) " · " (c.by) " · " (l.t("销号", "closed")) } }
                @for b in &m.look_backs {
                    li { (l.date(b.on)) " · " (b.by) " · " (l.t("回头看", "look-back")) ": " (b.findings)
                        @if b.reopened { " " span.badge.warn { (l.t("重新整改", "reopened")) } } }
                }
            }
            @if may_report && matches!(m.state, MeasureState::NotStarted | MeasureState::InProgress | MeasureState::Reopened) {
                section.panel #report-form {
                    h2 { (l.t("报送进展", "Report progress")) }
                    form.stack method="post" action=(action) {
                        input type="hidden" name="csrf" value=(ctx.user.csrf);
                        input type="hidden" name="version" value=(rec.version);
                        input type="hidden" name="act" value="report";
                        label { (l.t("进展情况", "Progress")) textarea name="text" required {} }
                        label { (l.t("佐证材料", "Evidence")) (evidence_select(l, "evidence_kind")) input name="evidence_text"; }
                        label { (l.t("佐证材料（二）", "Evidence (2)")) (evidence_select(l, "evidence_kind2")) input name="evidence_text2"; }
                        @if !m.milestones.is_empty() {
                            label { (l.t("完成阶段目标", "Milestone reached")) select name="milestone" {
                                option value="" { "—" }
                                @for (i, s) in m.milestones.iter().enumerate() { @if s.reached_on.is_none() { option value=(i) { (i + 1) ". " (s.text) } } }
                            } }
                        }
                        label { input type="checkbox" name="completed" value="true"; (l.t("整改已完成，申请核验", "Completed: ask for verification")) }
                        button type="submit" { (l.t("报送", "Report")) }
                    }
                    @if m.kind == MeasureKind::LongTerm {
                        form.stack method="post" action=(action) {
                            input type="hidden" name="csrf" value=(ctx.user.csrf);
                            input type="hidden" name="version" value=(rec.version);
                            input type="hidden" name="act" value="mechanism";
                            label { (l.t("建立的长效机制", "The mechanism built")) textarea name="text" required {} }
                            button type="submit" { (l.t("记录", "Record")) }
                        }
                    }
                }
            }
            @if may_verify && m.state == MeasureState::AwaitingVerification {
                section.panel #verify-form {
                    h2 { (l.t("核验", "Verify")) }
                    form.stack method="post" action=(action) {
                        input type="hidden" name="csrf" value=(ctx.user.csrf);
                        input type="hidden" name="version" value=(rec.version);
                        input type="hidden" name="act" value="verify";
                        label { (l.t("核验意见", "Findings")) textarea name="text" required {} }
                        label { (l.t("核验佐证", "Evidence")) (evidence_select(l, "evidence_kind")) input name="evidence_text"; }
                        label { select name="passed" { option value="true" { (l.t("核验通过", "Passed")) } option value="false" { (l.t("未通过，退回整改", "Failed: back to the owner")) } } }
                        button type="submit" { (l.t("提交核验", "Record verification")) }
                    }
                    @if m.valid_verification().is_some() {
                        form.stack method="post" action=(action) {
                            input type="hidden" name="csrf" value=(ctx.user.csrf);
                            input type="hidden" name="version" value=(rec.version);
                            input type="hidden" name="act" value="close";
                            button type="submit" { (l.t("销号", "Close (销号)")) }
                        }
                    }
                }
            }
            @if may_look_back && m.state == MeasureState::Closed {
                section.panel #look-back-form {
                    h2 { (l.t("回头看", "Look-back")) }
                    form.stack method="post" action=(action) {
                        input type="hidden" name="csrf" value=(ctx.user.csrf);
                        input type="hidden" name="version" value=(rec.version);
                        input type="hidden" name="act" value="look_back";
                        label { (l.t("回头看意见", "Findings")) textarea name="text" required {} }
                        label { input type="checkbox" name="reopen" value="true"; (l.t("发现问题，重新整改", "Problems found: reopen")) }
                        button type="submit" { (l.t("记录", "Record")) }
                    }
                }
            }
        },
    ))
}

/// Every field any act's form may send.
#[derive(Debug, Deserialize)]
pub struct ActForm {
    csrf: String,
    version: i64,
    act: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    evidence_kind: String,
    #[serde(default)]
    evidence_text: String,
    #[serde(default)]
    evidence_kind2: String,
    #[serde(default)]
    evidence_text2: String,
    #[serde(default)]
    milestone: String,
    #[serde(default)]
    completed: Option<String>,
    #[serde(default)]
    passed: Option<String>,
    #[serde(default)]
    reopen: Option<String>,
}

impl CsrfField for ActForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl ActForm {
    fn evidence(&self) -> Result<Vec<EvidenceItem>, WebError> {
        let mut out = Vec::new();
        for (k, t) in [
            (&self.evidence_kind, &self.evidence_text),
            (&self.evidence_kind2, &self.evidence_text2),
        ] {
            if k.trim().is_empty() {
                continue;
            }
            let kind = EvidenceKind::parse(k)
                .map_err(|p| WebError::BadRequest(format!("evidence: {} / {p}", p.zh())))?;
            out.push(EvidenceItem {
                kind,
                text: t.clone(),
            });
        }
        Ok(out)
    }

    fn act(&self) -> Result<MeasureAct, WebError> {
        Ok(match self.act.as_str() {
            "report" => MeasureAct::Report {
                text: self.text.clone(),
                evidence: self.evidence()?,
                milestone: match self.milestone.trim() {
                    "" => None,
                    s => Some(number("milestone", s)?),
                },
                completed: self.completed.as_deref() == Some("true"),
            },
            "mechanism" => MeasureAct::Mechanism {
                text: self.text.clone(),
            },
            "verify" => MeasureAct::Verify {
                passed: self.passed.as_deref() == Some("true"),
                findings: self.text.clone(),
                evidence: self.evidence()?,
            },
            "close" => MeasureAct::Close,
            "look_back" => MeasureAct::LookBack {
                findings: self.text.clone(),
                reopen: self.reopen.as_deref() == Some("true"),
            },
            _ => return Err(WebError::BadRequest("act: unknown".into())),
        })
    }
}

pub async fn act_page(
    State(state): State<AppState>,
    Path((id, code)): Path<(i64, String)>,
    Posted { ctx, form }: Posted<ActForm>,
) -> Result<Response, PageError> {
    let result = match form.act() {
        Ok(act) => svc::act(
            state.store.as_ref(),
            &ctx.user.account,
            id,
            &code,
            form.version,
            &act,
            today_in_china(),
        )
        .await
        .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&measure_href(id, &code)).into_response()),
        Err(e) if shown(&e) => {
            let msg = e.public_detail().unwrap_or_default();
            Ok(measure_markup(&state, &ctx, id, &code, Some(&msg))
                .await?
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}
