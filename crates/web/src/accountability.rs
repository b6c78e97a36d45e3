//! Accountability cases over HTTP: the API, the pages and the public page of verified cases.
//!
//! A case exists only for discipline officers whose area contains it, and administrators
//! (404 otherwise; the list is 403 for other roles). The rules (escalated review, the four
//! forms, publication) are the domain's; names on the public page follow the platform's
//! publication policy (`AppState::publication`).

use crate::pages::shown;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jingzhun_domain::access::Role;
use jingzhun_domain::accountability::{
    CadreLevel, CaseState, DismissalGrounds, Form, Outcome, Substantiation,
};
use jingzhun_domain::area::AreaCode;
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_service::accountability::{
    self, AreaStatistics, CaseAct, CaseView, OpenRequest, PublicCase,
};
use jingzhun_service::today_in_china;
use maud::{Markup, html};
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::pages::public::public_layout;
use crate::pages::{CsrfField, Ctx, PageError, Posted, layout};

/// The API routes (nested under `/api/v1`).
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/accountability", get(list).post(open))
        .route("/accountability/statistics", get(stats))
        .route("/accountability/{id}", get(one))
        .route("/accountability/{id}/acts", post(act))
        .route("/public/cases", get(public_json))
}

/// The page routes.
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/accountability", get(list_page).post(open_page))
        .route("/accountability/{id}", get(detail_page).post(act_page))
        .route("/public/cases", get(public_page))
}

/// This part of the OpenAPI document (merged into the API's).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list, open, stats, one, act, public_json),
    components(schemas(OpenBody, ActBody))
)]
pub struct ApiDoc;

/// A case to open.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct OpenBody {
    pub name: String,
    pub post: String,
    /// `village`, `township`, `county`, `city`, `province`.
    pub level: String,
    /// The area of the person's post (a village for a village cadre...).
    pub area: String,
    /// `complaint`, `lead`, `finding`, `audit`.
    pub source: String,
    /// The complaint's or lead's id, a finding as `{inspection_id}:{number}`, or an audit
    /// report's reference.
    #[serde(default)]
    pub origin: Option<String>,
    /// A catalogue code (`S000-04`) or a corruption type (`embezzlement`).
    pub category: String,
}

/// An act on a case, with the version last seen.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ActBody {
    pub version: i64,
    /// `{"act": "investigate", "substantiation", "findings"}`, `{"act": "decide", "form",
    /// "outcomes", "mitigation", "reasons", "summary"}`, `{"act": "review", "approved",
    /// "note"}`, `{"act": "finalise"}`, `{"act": "publish"}`, `{"act": "dismiss", "grounds",
    /// "reason"}`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub act: CaseAct,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// Only cases in this state (`opened`, `investigated`, `decided`, `reviewed`, `finalised`,
    /// `published`, `dismissed`).
    #[serde(default)]
    pub state: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct StatsParams {
    /// An area within reach (default: the account's whole reach).
    #[serde(default)]
    pub area: Option<String>,
}

fn state_param(s: Option<&str>) -> Result<Option<CaseState>, WebError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => CaseState::parse(s)
            .map(Some)
            .map_err(|p| WebError::BadRequest(format!("state: {} / {p}", p.zh()))),
    }
}

/// The cases within the account's reach (discipline officers and administrators; 403 for
/// other roles).
#[utoipa::path(get, path = "/api/v1/accountability", params(ListParams), responses((status = 200, body = Object), (status = 403)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<ListParams>,
) -> Result<Json<Vec<CaseView>>, WebError> {
    let s = state_param(p.state.as_deref())?;
    Ok(Json(
        accountability::list(state.store.as_ref(), &user.account, s, today_in_china()).await?,
    ))
}

fn open_request(b: OpenBody) -> OpenRequest {
    OpenRequest {
        name: b.name,
        post: b.post,
        level: b.level,
        area: b.area,
        source: b.source,
        origin: b.origin,
        category: b.category,
    }
}

/// Opens a case from a complaint, lead or finding within reach (404 otherwise) or an audit.
#[utoipa::path(post, path = "/api/v1/accountability", request_body = OpenBody,
    responses((status = 200, body = Object), (status = 400), (status = 403), (status = 404)))]
pub async fn open(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(b): Json<OpenBody>,
) -> Result<Json<CaseView>, WebError> {
    Ok(Json(
        accountability::open(
            state.store.as_ref(),
            &user.account,
            &open_request(b),
            today_in_china(),
        )
        .await?,
    ))
}

/// Accountability by level, form and outcome, and the share at the front line.
#[utoipa::path(get, path = "/api/v1/accountability/statistics", params(StatsParams), responses((status = 200, body = Object), (status = 403), (status = 404)))]
pub async fn stats(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<StatsParams>,
) -> Result<Json<AreaStatistics>, WebError> {
    let area = match p.area.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(a) => Some(AreaCode::parse_short(a).map_err(|_| WebError::NotFound)?),
    };
    Ok(Json(
        accountability::area_statistics(
            state.store.as_ref(),
            &user.account,
            area,
            today_in_china(),
        )
        .await?,
    ))
}

/// One case with its history.
#[utoipa::path(get, path = "/api/v1/accountability/{id}", responses((status = 200, body = Object), (status = 404)))]
pub async fn one(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<CaseView>, WebError> {
    Ok(Json(
        accountability::get(state.store.as_ref(), &user.account, id, today_in_china()).await?,
    ))
}

/// An act: 403 for the wrong role or a review by the wrong level or by the decider, 409 out of
/// order (finalising without the escalated review, publishing before finalisation) or when
/// the case changed meanwhile, 400 for bad input.
#[utoipa::path(post, path = "/api/v1/accountability/{id}/acts", request_body = ActBody,
    responses((status = 200, body = Object), (status = 400), (status = 403), (status = 404), (status = 409)))]
pub async fn act(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(b): Json<ActBody>,
) -> Result<Json<CaseView>, WebError> {
    Ok(Json(
        accountability::act(
            state.store.as_ref(),
            &user.account,
            id,
            b.version,
            &b.act,
            state.publication,
            today_in_china(),
        )
        .await?,
    ))
}

/// The published cases (查实曝光), without sign-in; names only where the policy allows.
#[utoipa::path(get, path = "/api/v1/public/cases", responses((status = 200, body = Object)))]
pub async fn public_json(State(state): State<AppState>) -> Result<Json<Vec<PublicCase>>, WebError> {
    Ok(Json(
        accountability::public_cases(state.store.as_ref(), state.publication).await?,
    ))
}

fn is_discipline(ctx: &Ctx) -> bool {
    ctx.user
        .account
        .has_role(Role::DisciplineOfficer, today_in_china())
}

fn stats_markup(l: Lang, s: &AreaStatistics) -> Markup {
    let st = &s.statistics;
    html! {
        section.panel #statistics {
            h2 { (l.t("问责统计（已作出决定）", "Accountability in force")) }
            p { (l.t("案件数 ", "Cases: ")) (st.counted) " · " (l.t("容错纠错 ", "mitigated: ")) (st.mitigated)
                " · " (l.t("村、乡两级占比 ", "village and township share: ")) span #front-line { (l.percent(st.front_line_share.map(|x| x * 100.0))) } }
            @if st.front_line_share.is_some_and(|x| x >= 0.8) && st.counted >= 5 {
                p.warn { (l.t("问责主要落在基层一线，注意防止问责泛化、层层下移。",
                    "Accountability lands mostly on the front line: beware of it being pushed down.")) }
            }
            div.scroll { table #by-level {
                tr { @for lv in CadreLevel::ALL { th { (l.t(lv.zh(), lv.en())) } } }
                tr { @for lv in CadreLevel::ALL { td.num { (st.by_level.get(lv.code()).copied().unwrap_or(0)) } } }
            } }
            div.scroll { table #by-form {
                tr { @for f in Form::ALL { th { (l.t(f.zh(), f.en())) } } }
                tr { @for f in Form::ALL { td.num { (st.by_form.get(f.code()).copied().unwrap_or(0)) } } }
            } }
        }
    }
}

pub async fn list_page(State(state): State<AppState>, ctx: Ctx) -> Result<Markup, PageError> {
    let today = today_in_china();
    let cases = accountability::list(state.store.as_ref(), &ctx.user.account, None, today).await?;
    let stats =
        accountability::area_statistics(state.store.as_ref(), &ctx.user.account, None, today)
            .await?;
    Ok(list_markup(&ctx, &cases, &stats, None))
}

fn list_markup(
    ctx: &Ctx,
    cases: &[CaseView],
    stats: &AreaStatistics,
    message: Option<&str>,
) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        l.t("问责", "Accountability"),
        false,
        html! {
            h1 { (l.t("问责案件", "Accountability cases")) }
            p { a href="/public/cases" { (l.t("查实曝光（公开页）", "Published cases (public site)")) } }
            @if let Some(m) = message { p.error role="alert" { (m) } }
            (stats_markup(l, stats))
            @if cases.is_empty() { p.muted { (l.t("没有案件。", "No cases.")) } }
            @else {
                div.scroll { table #cases {
                    tr { th { "#" } th { (l.t("姓名", "Name")) } th { (l.t("职务", "Post")) } th { (l.t("级别", "Level")) }
                        th { (l.t("来源", "Source")) } th { (l.t("状态", "State")) } th { (l.t("待提级审核", "Review needed")) } }
                    @for c in cases {
                        tr {
                            td { a href={ "/accountability/" (c.id) } { (c.id) } }
                            td { (c.case.person.name) }
                            td { (c.case.person.post) }
                            td { (l.v(c.case.person.level)) }
                            td { (l.v(c.case.source.kind)) }
                            td { (l.v(c.case.state)) }
                            td { @if c.case.state == CaseState::Decided { @if let Some(r) = c.case.required_review() { span.badge.warn { (l.t(r.zh(), r.en())) } } } }
                        }
                    }
                } }
            }
            @if is_discipline(ctx) {
                form.stack.panel #open-form method="post" action="/accountability" {
                    h2 { (l.t("立案", "Open a case")) }
                    input type="hidden" name="csrf" value=(ctx.user.csrf);
                    label { (l.t("姓名", "Name")) input name="name" maxlength="100" required; }
                    label { (l.t("职务", "Post")) input name="post" maxlength="100" required; }
                    label { (l.t("级别", "Level")) select name="level" { @for lv in CadreLevel::ALL { option value=(lv.code()) { (l.v(*lv)) } } } }
                    label { (l.t("职务所在地区（区划代码）", "Area of the post (code)")) input name="area" required; }
                    label { (l.t("来源", "Source")) select name="source" {
                        option value="complaint" { (l.t("信访举报", "Complaint")) }
                        option value="lead" { (l.t("数据比对线索", "Cross-check lead")) }
                        option value="finding" { (l.t("巡视巡察发现", "Inspection finding")) }
                        option value="audit" { (l.t("审计发现", "Audit")) }
                    } }
                    label { (l.t("来源编号（举报或线索编号；问题写作 检查号:问题号；审计报告文号）", "Source reference (complaint or lead id; a finding as inspection:number; the audit report)")) input name="origin"; }
                    label { (l.t("问题类别（问题清单编号或腐败类型）", "Category (catalogue code or corruption type)")) input name="category" required; }
                    button.primary type="submit" { (l.t("立案", "Open")) }
                }
            }
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct OpenForm {
    csrf: String,
    name: String,
    post: String,
    level: String,
    area: String,
    source: String,
    #[serde(default)]
    origin: String,
    category: String,
}

impl CsrfField for OpenForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn open_page(
    State(state): State<AppState>,
    Posted { ctx, form }: Posted<OpenForm>,
) -> Result<Response, PageError> {
    let today = today_in_china();
    let store = state.store.as_ref();
    let req = OpenRequest {
        name: form.name,
        post: form.post,
        level: form.level,
        area: form.area,
        source: form.source,
        origin: Some(form.origin).filter(|o| !o.trim().is_empty()),
        category: form.category,
    };
    let message = match accountability::open(store, &ctx.user.account, &req, today).await {
        Ok(v) => return Ok(Redirect::to(&format!("/accountability/{}", v.id)).into_response()),
        Err(e) => shown(e)?,
    };
    let cases = accountability::list(store, &ctx.user.account, None, today).await?;
    let stats = accountability::area_statistics(store, &ctx.user.account, None, today).await?;
    Ok((
        StatusCode::BAD_REQUEST,
        list_markup(&ctx, &cases, &stats, Some(&message)),
    )
        .into_response())
}

pub async fn detail_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let v = accountability::get(
        state.store.as_ref(),
        &ctx.user.account,
        id,
        today_in_china(),
    )
    .await?;
    Ok(detail_markup(&ctx, &v, None))
}

fn origin_link(l: Lang, origin: &Option<(String, String)>) -> Markup {
    html! {
        @match origin {
            Some((k, v)) if k == "finding" => {
                @let inspection = v.split(':').next().unwrap_or("");
                a #origin href={ "/inspections/" (inspection) } { (l.t("巡视巡察发现 ", "Inspection finding ")) (v) }
            },
            Some((k, v)) if k == "lead" => { a #origin href={ "/leads/" (v) } { (l.t("数据比对线索 #", "Cross-check lead #")) (v) } },
            Some((k, v)) if k == "complaint" => { a #origin href={ "/complaints/" (v) } { (l.t("信访举报 #", "Complaint #")) (v) } },
            Some((k, v)) => { span #origin { (k) " " (v) } },
            None => { span #origin.muted { (l.t("无关联记录", "no linked record")) } },
        }
    }
}

fn detail_markup(ctx: &Ctx, v: &CaseView, message: Option<&str>) -> Markup {
    let l = ctx.lang;
    let c = &v.case;
    layout(
        ctx,
        l.t("问责案件", "Accountability case"),
        false,
        html! {
            nav.crumbs { a href="/accountability" { (l.t("问责", "Accountability")) } }
            h1 { (l.t("问责案件", "Accountability case")) " #" (v.id) " · " (c.person.name) }
            p #case-state { (l.v(c.state))
                @if c.state == CaseState::Decided { @if let Some(r) = c.required_review() {
                    " · " span.badge.warn { (l.t("须报", "needs the review of the ")) (l.t(r.zh(), r.en())) (l.t("纪委监委提级审核", " commission")) } } } }
            @if let Some(m) = message { p.error role="alert" { (m) } }
            dl.facts {
                dt { (l.t("职务", "Post")) } dd { (c.person.post) " · " (l.v(c.person.level)) }
                dt { (l.t("地区", "Area")) } dd { code { (c.area) } }
                dt { (l.t("来源", "Source")) } dd { (l.v(c.source.kind)) @if let Some(r) = &c.source.reference { " · " (r) } " · " (origin_link(l, &v.origin)) }
                dt { (l.t("问题类别", "Category")) } dd { (c.category) }
            }
            h2 { (l.t("办理经过", "History")) }
            ol #history {
                li { (l.t("立案 ", "Opened ")) (l.date(c.opened_on)) " · " (c.opened_by) }
                @if let Some(f) = &c.finding { li { (l.t("调查核实 ", "Investigated ")) (l.date(f.on)) " · " (l.v(f.substantiation)) " · " (f.text) } }
                @for d in &c.decisions { li { (l.t("处理意见 ", "Decision ")) (l.date(d.on)) " · " (l.v(d.form)) " · "
                    (d.outcomes.iter().map(|o| l.v(*o)).collect::<Vec<_>>().join("、"))
                    @if d.mitigation.applied { " · " (l.t("容错纠错：", "mitigated: ")) (d.mitigation.reasons.join("；")) }
                    " · " (d.summary) } }
                @for r in &c.reviews { li { (l.t("提级审核 ", "Review ")) (l.date(r.on)) " · " code { (r.body) } " · "
                    (if r.approved { l.t("同意", "approved") } else { l.t("不同意", "refused") }) " · " (r.note) } }
                @if let Some(f) = &c.finalisation { li { (l.t("作出决定 ", "Finalised ")) (l.date(f.on)) } }
                @if let Some(p) = &c.publication { li { (l.t("查实曝光 ", "Published ")) (l.date(p.on)) " · " (p.text) } }
                @if let Some(d) = &c.dismissal { li { (l.t("了结 ", "Dismissed ")) (l.date(d.on)) " · " (l.v(d.grounds)) " · " (d.text) } }
            }
            (act_forms(ctx, v))
        },
    )
}

fn act_forms(ctx: &Ctx, v: &CaseView) -> Markup {
    let l = ctx.lang;
    let c = &v.case;
    let hidden = html! {
        input type="hidden" name="csrf" value=(ctx.user.csrf);
        input type="hidden" name="version" value=(v.version);
    };
    let action = format!("/accountability/{}", v.id);
    html! {
        @match c.state {
            CaseState::Opened => {
                form.stack.panel #investigate-form method="post" action=(action) {
                    h2 { (l.t("调查核实", "Investigation")) } (hidden)
                    input type="hidden" name="act" value="investigate";
                    label { (l.t("结论", "Finding")) select name="substantiation" { @for s in Substantiation::ALL { option value=(s.code()) { (l.v(*s)) } } } }
                    label { (l.t("调查核实情况", "What was found")) textarea name="findings" maxlength="2000" rows="3" required {} }
                    button.primary type="submit" { (l.t("保存", "Save")) }
                }
            },
            CaseState::Investigated => {
                form.stack.panel #decide-form method="post" action=(action) {
                    h2 { (l.t("处理意见", "Decision")) } (hidden)
                    input type="hidden" name="act" value="decide";
                    label { (l.t("形态", "Form")) select name="form" { @for f in Form::ALL { option value=(f.code()) { (l.v(*f)) } } } }
                    fieldset { legend { (l.t("处理方式", "Outcomes")) }
                        @for o in Outcome::ALL { label { input type="checkbox" name="outcomes" value=(o.code()); (l.v(*o)) } } }
                    label { input type="checkbox" name="mitigation" value="true"; (l.t("适用容错纠错", "Mitigation applies (容错纠错)")) }
                    label { (l.t("容错理由（每行一条）", "Mitigation reasons (one a line)")) textarea name="reasons" rows="2" {} }
                    label { (l.t("主要事实（拟公开的文字）", "Summary of facts (as it would be published)")) textarea name="summary" maxlength="2000" rows="3" required {} }
                    button.primary type="submit" { (l.t("提出处理意见", "Propose")) }
                }
                form.stack.panel #dismiss-form method="post" action=(action) {
                    h2 { (l.t("了结", "Dismiss")) } (hidden)
                    input type="hidden" name="act" value="dismiss";
                    label { (l.t("理由", "Grounds")) select name="grounds" { @for g in DismissalGrounds::ALL { option value=(g.code()) { (l.v(*g)) } } } }
                    label { (l.t("说明", "Reason")) textarea name="reason" maxlength="2000" rows="2" required {} }
                    button type="submit" { (l.t("了结", "Dismiss")) }
                }
            },
            CaseState::Decided => {
                @if c.required_review().is_some() {
                    form.stack.panel #review-form method="post" action=(action) {
                        h2 { (l.t("提级审核", "Escalated review")) } (hidden)
                        input type="hidden" name="act" value="review";
                        label { input type="radio" name="approved" value="true" checked; (l.t("同意", "Approve")) }
                        label { input type="radio" name="approved" value="false"; (l.t("不同意，退回重新提出意见", "Refuse: back for a new decision")) }
                        label { (l.t("审核意见", "Note")) textarea name="note" maxlength="2000" rows="2" required {} }
                        button.primary type="submit" { (l.t("审核", "Review")) }
                    }
                }
                (simple_form(l, &hidden, &action, "finalise", l.t("作出决定", "Finalise")))
            },
            CaseState::Reviewed => { (simple_form(l, &hidden, &action, "finalise", l.t("作出决定", "Finalise"))) },
            CaseState::Finalised => { (simple_form(l, &hidden, &action, "publish", l.t("查实曝光（在公开网站发布）", "Publish on the public site"))) },
            _ => {},
        }
    }
}

fn simple_form(_l: Lang, hidden: &Markup, action: &str, act: &str, label: &str) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (hidden.clone())
            input type="hidden" name="act" value=(act);
            button.primary type="submit" { (label) }
        }
    }
}

/// Every field any act's form may send (`outcomes` may repeat).
#[derive(Debug, Default)]
pub struct ActForm {
    csrf: String,
    version: i64,
    act: String,
    fields: Vec<(String, String)>,
}

impl<'de> Deserialize<'de> for ActForm {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let pairs: Vec<(String, String)> = Vec::deserialize(d)?;
        let mut f = ActForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "csrf" => f.csrf = v,
                "version" => {
                    f.version = v
                        .trim()
                        .parse()
                        .map_err(|_| serde::de::Error::custom("version: not a number"))?
                }
                "act" => f.act = v,
                _ => f.fields.push((k, v)),
            }
        }
        Ok(f)
    }
}

impl CsrfField for ActForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl ActForm {
    fn one(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn to_act(&self) -> Option<CaseAct> {
        Some(match self.act.as_str() {
            "investigate" => CaseAct::Investigate {
                substantiation: self.one("substantiation"),
                findings: self.one("findings"),
            },
            "decide" => CaseAct::Decide {
                form: self.one("form"),
                outcomes: self.all("outcomes"),
                mitigation: self.one("mitigation") == "true",
                reasons: self
                    .one("reasons")
                    .lines()
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .map(str::to_string)
                    .collect(),
                summary: self.one("summary"),
            },
            "review" => CaseAct::Review {
                approved: self.one("approved") == "true",
                note: self.one("note"),
            },
            "finalise" => CaseAct::Finalise,
            "publish" => CaseAct::Publish,
            "dismiss" => CaseAct::Dismiss {
                grounds: self.one("grounds"),
                reason: self.one("reason"),
            },
            _ => return None,
        })
    }
}

pub async fn act_page(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { ctx, form }: Posted<ActForm>,
) -> Result<Response, PageError> {
    let l = ctx.lang;
    let today = today_in_china();
    let store = state.store.as_ref();
    let message = match form.to_act() {
        None => l.t("未知操作", "unknown act").to_string(),
        Some(a) => match accountability::act(
            store,
            &ctx.user.account,
            id,
            form.version,
            &a,
            state.publication,
            today,
        )
        .await
        {
            Ok(_) => return Ok(Redirect::to(&format!("/accountability/{id}")).into_response()),
            Err(e) => shown(e)?,
        },
    };
    let v = accountability::get(store, &ctx.user.account, id, today).await?;
    Ok((
        StatusCode::CONFLICT,
        detail_markup(&ctx, &v, Some(&message)),
    )
        .into_response())
}

pub async fn public_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let l = Lang::of_request(&headers);
    let cases = accountability::public_cases(state.store.as_ref(), state.publication).await?;
    Ok(public_layout(
        l,
        l.t("查实曝光", "Published cases"),
        html! {
            h1 { (l.t("扶贫领域问题查实曝光", "Verified cases of the poverty-alleviation field")) }
            @if cases.is_empty() { p.muted { (l.t("暂无公开案件。", "No published cases.")) } }
            ol #public-cases {
                @for c in &cases {
                    li { (c.text) " " span.muted { "(" (c.published_on) ")" } }
                }
            }
        },
    ))
}
