//! Inspections and verifiable draws over HTTP: the API, the pages, and the public page that re-runs a revealed draw.
//!
//! Who sees what is the service's (`jingzhun_service::inspections`): an inspection exists for
//! its team and for inspectors, discipline officers, leaders and administrators over its area
//! (404 otherwise); a draw's sample is shown to the team only, until the seed is revealed.

use crate::pages::shown;
use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jingzhun_domain::access::Role;
use jingzhun_domain::draw::Sample;
use jingzhun_domain::inspection::{InspectionKind, InspectionState};
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_service::inspections::{
    self, DrawRequest, InspectionAct, InspectionLine, InspectionView, PlanRequest, PublicDraw,
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
        .route("/inspections", get(list).post(plan))
        .route("/inspections/{id}", get(one))
        .route("/inspections/{id}/acts", post(act))
        .route("/public/draws/{id}", get(public_draw_json))
}

/// The page routes.
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/inspections", get(list_page).post(plan_page))
        .route("/inspections/{id}", get(detail_page).post(act_page))
        .route("/public/draws", get(public_list_page))
        .route("/public/draws/{id}", get(public_draw_page))
        .route(
            "/public/draws/{id}/verification.json",
            get(verification_file),
        )
}

/// This part of the OpenAPI document (merged into the API's).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list, plan, one, act, public_draw_json),
    components(schemas(PlanBody, ActBody))
)]
pub struct ApiDoc;

/// An inspection to plan.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PlanBody {
    /// `xunshi` 巡视, `xuncha` 巡察, `ducha` 督查, `anfang` 暗访, `kaohe` 考核, `shenji` 审计,
    /// `third_party` 第三方评估.
    pub kind: String,
    pub title: String,
    /// Area codes of the scope (2 to 12 digits).
    pub areas: Vec<String>,
    #[serde(default)]
    pub units: Vec<String>,
    /// Logins of the other team members.
    #[serde(default)]
    pub team: Vec<String>,
    #[schema(value_type = String, format = Date)]
    pub starts_on: chrono::NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub ends_on: chrono::NaiveDate,
}

/// An act on an inspection, with the version last seen.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ActBody {
    pub version: i64,
    /// `{"act": "start"}`, `{"act": "finish"}`, `{"act": "finding", "area", "category",
    /// "text"}`, `{"act": "draw", "purpose", "visit_on", "size" | "sizes", "candidates"?}`,
    /// `{"act": "reveal", "number"}`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub act: InspectionAct,
}

/// The inspections the account may see.
#[utoipa::path(get, path = "/api/v1/inspections", responses((status = 200, body = Object)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<InspectionLine>>, WebError> {
    Ok(Json(
        inspections::list(state.store.as_ref(), &user.account, today_in_china()).await?,
    ))
}

/// Plans an inspection (an inspector over its whole scope; 403 otherwise, 400 naming a bad
/// field).
#[utoipa::path(post, path = "/api/v1/inspections", request_body = PlanBody,
    responses((status = 200, body = Object), (status = 400), (status = 403)))]
pub async fn plan(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(b): Json<PlanBody>,
) -> Result<Json<InspectionView>, WebError> {
    let req = PlanRequest {
        kind: b.kind,
        title: b.title,
        areas: b.areas,
        units: b.units,
        team: b.team,
        starts_on: b.starts_on,
        ends_on: b.ends_on,
    };
    Ok(Json(
        inspections::plan(
            state.store.as_ref(),
            &state.sealer,
            &user.account,
            &req,
            today_in_china(),
        )
        .await?,
    ))
}

/// One inspection: scope, team, findings with what came of them, draws (commitments; samples
/// for the team, or once revealed).
#[utoipa::path(get, path = "/api/v1/inspections/{id}", responses((status = 200, body = Object), (status = 404)))]
pub async fn one(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<InspectionView>, WebError> {
    Ok(Json(
        inspections::get(
            state.store.as_ref(),
            &state.sealer,
            &user.account,
            id,
            today_in_china(),
        )
        .await?,
    ))
}

/// An act: 403 for someone not on the team, 409 out of order, before the visit day or when
/// the inspection changed meanwhile, 400 for a bad finding or draw.
#[utoipa::path(post, path = "/api/v1/inspections/{id}/acts", request_body = ActBody,
    responses((status = 200, body = Object), (status = 400), (status = 403), (status = 404), (status = 409)))]
pub async fn act(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(b): Json<ActBody>,
) -> Result<Json<InspectionView>, WebError> {
    Ok(Json(
        inspections::act(
            state.store.as_ref(),
            &state.sealer,
            &user.account,
            id,
            b.version,
            &b.act,
            today_in_china(),
        )
        .await?,
    ))
}

/// A draw, without sign-in: its commitment; after the reveal the seed, the spec's canonical
/// text, the sample and the re-run check. `id` is `{inspection}-{number}`.
#[utoipa::path(get, path = "/api/v1/public/draws/{id}", responses((status = 200, body = Object), (status = 404)))]
pub async fn public_draw_json(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<PublicDraw>, WebError> {
    Ok(Json(
        inspections::public_draw(state.store.as_ref(), &id).await?,
    ))
}

fn kind_label(l: Lang, k: InspectionKind) -> &'static str {
    l.t(k.zh(), k.en())
}

fn state_label(l: Lang, s: &str) -> &'static str {
    match InspectionState::parse(s) {
        Ok(s) => l.t(s.zh(), s.en()),
        Err(_) => "—",
    }
}

fn may_plan(ctx: &Ctx) -> bool {
    ctx.user.account.has_role(Role::Inspector, today_in_china())
}

pub async fn list_page(State(state): State<AppState>, ctx: Ctx) -> Result<Markup, PageError> {
    let lines =
        inspections::list(state.store.as_ref(), &ctx.user.account, today_in_china()).await?;
    Ok(list_markup(&ctx, &lines, None))
}

fn list_markup(ctx: &Ctx, lines: &[InspectionLine], message: Option<&str>) -> Markup {
    let l = ctx.lang;
    let today = today_in_china();
    layout(
        ctx,
        l.t("督查巡察", "Inspections"),
        false,
        html! {
            h1 { (l.t("督查巡察", "Inspections")) }
            p { a href="/public/draws" { (l.t("随机抽取的公开承诺与核验", "Random draws: public commitments and checks")) } }
            @if let Some(m) = message { p.error role="alert" { (m) } }
            @if lines.is_empty() { p.muted #no-inspections { (l.t("没有可见的检查。", "No inspections to show.")) } }
            @else {
                div.scroll { table #inspections {
                    tr { th { "#" } th { (l.t("类型", "Type")) } th { (l.t("名称", "Title")) } th { (l.t("状态", "State")) }
                        th { (l.t("时间", "Period")) } th.num { (l.t("问题", "Findings")) } th.num { (l.t("抽取", "Draws")) } }
                    @for i in lines {
                        tr {
                            td { a href={ "/inspections/" (i.id) } { (i.id) } }
                            td { (kind_label(l, i.kind)) }
                            td { (i.title) @if i.on_team { " " span.badge { (l.t("本组", "my team")) } } }
                            td { (state_label(l, &i.state)) }
                            td { (l.date(i.starts_on)) " — " (l.date(i.ends_on)) }
                            td.num { (i.findings) }
                            td.num { (i.draws) }
                        }
                    }
                } }
            }
            @if may_plan(ctx) {
                form.stack.panel #plan-form method="post" action="/inspections" {
                    h2 { (l.t("新建检查", "Plan an inspection")) }
                    input type="hidden" name="csrf" value=(ctx.user.csrf);
                    label { (l.t("类型", "Type"))
                        select name="kind" { @for k in InspectionKind::ALL { option value=(k.code()) { (kind_label(l, *k)) } } } }
                    label { (l.t("名称", "Title")) input name="title" maxlength="100" required; }
                    label { (l.t("范围（区划代码，逗号分隔）", "Scope (area codes, comma-separated)")) input name="areas" required; }
                    label { (l.t("被检查单位（逗号分隔）", "Units (comma-separated)")) input name="units"; }
                    label { (l.t("其他组员（登录名，逗号分隔）", "Other team members (logins, comma-separated)")) input name="team"; }
                    label { (l.t("开始", "Starts")) input type="date" name="starts_on" value=(today) required; }
                    label { (l.t("结束", "Ends")) input type="date" name="ends_on" required; }
                    button.primary type="submit" { (l.t("保存", "Save")) }
                }
            }
        },
    )
}

fn split(t: &str) -> Vec<String> {
    t.split([',', '，', '、', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct PlanForm {
    csrf: String,
    kind: String,
    title: String,
    areas: String,
    #[serde(default)]
    units: String,
    #[serde(default)]
    team: String,
    starts_on: String,
    ends_on: String,
}

impl CsrfField for PlanForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

fn date_field(l: Lang, t: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_err(|_| {
        l.t("日期格式应为 YYYY-MM-DD", "dates are YYYY-MM-DD")
            .to_string()
    })
}

pub async fn plan_page(
    State(state): State<AppState>,
    Posted { ctx, form }: Posted<PlanForm>,
) -> Result<Response, PageError> {
    let l = ctx.lang;
    let today = today_in_china();
    let dates = date_field(l, &form.starts_on).and_then(|s| Ok((s, date_field(l, &form.ends_on)?)));
    let result: Result<(), String> = match dates {
        Err(m) => Err(m),
        Ok((starts_on, ends_on)) => {
            let req = PlanRequest {
                kind: form.kind,
                title: form.title,
                areas: split(&form.areas),
                units: split(&form.units),
                team: split(&form.team),
                starts_on,
                ends_on,
            };
            match inspections::plan(
                state.store.as_ref(),
                &state.sealer,
                &ctx.user.account,
                &req,
                today,
            )
            .await
            {
                Ok(v) => return Ok(Redirect::to(&format!("/inspections/{}", v.id)).into_response()),
                Err(e) => Err(shown(e)?),
            }
        }
    };
    let message = result.err().unwrap_or_default();
    let lines = inspections::list(state.store.as_ref(), &ctx.user.account, today).await?;
    Ok((
        StatusCode::BAD_REQUEST,
        list_markup(&ctx, &lines, Some(&message)),
    )
        .into_response())
}

pub async fn detail_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let v = inspections::get(
        state.store.as_ref(),
        &state.sealer,
        &ctx.user.account,
        id,
        today_in_china(),
    )
    .await?;
    Ok(detail_markup(&ctx, &v, None))
}

fn sample_list(sample: &Sample) -> Markup {
    html! {
        ul.sample {
            @for g in &sample.groups {
                li { @if let Some(s) = &g.stratum { (s) ": " } (g.ids.join("、")) }
            }
        }
    }
}

fn detail_markup(ctx: &Ctx, v: &InspectionView, message: Option<&str>) -> Markup {
    let l = ctx.lang;
    let i = &v.inspection;
    let today = today_in_china();
    let team = v.on_team;
    layout(
        ctx,
        &i.title,
        false,
        html! {
            nav.crumbs { a href="/inspections" { (l.t("督查巡察", "Inspections")) } }
            h1 { (kind_label(l, i.kind)) " #" (v.id) " · " (i.title) }
            p #inspection-state { (l.t(i.state.zh(), i.state.en())) " · " (l.date(i.starts_on)) " — " (l.date(i.ends_on)) }
            @if let Some(m) = message { p.error role="alert" { (m) } }
            dl.facts {
                dt { (l.t("范围", "Scope")) } dd { @for a in &i.scope.areas { code { (a) } " " } }
                @if !i.scope.units.is_empty() { dt { (l.t("被检查单位", "Units")) } dd { (i.scope.units.join("、")) } }
                dt { (l.t("检查组", "Team")) } dd { (i.team.join("、")) }
            }
            h2 { (l.t("随机抽取", "Random draws")) }
            @if i.draws.is_empty() { p.muted { (l.t("尚无抽取。", "No draws yet.")) } }
            @for d in &i.draws {
                section.panel id={ "draw-" (d.number) } {
                    h3 { (l.t("第", "Draw ")) (d.number) (l.t(" 次抽取：", ": ")) (d.spec.purpose) }
                    p { (l.t("承诺值（SHA-256）：", "Commitment (SHA-256): ")) code.digest { (d.commitment) } }
                    p { (l.t("抽取日期 ", "Made on ")) (l.date(d.made_on)) " · " (l.t("走访日期 ", "visit on ")) (l.date(d.visit_on))
                        " · " a href={ "/public/draws/" (v.id) "-" (d.number) } { (l.t("公开核验页", "public page")) } }
                    @match v.samples.get(&d.number) {
                        Some(s) => {
                            @if d.revealed.is_none() { p.warn { (l.t("样本仅检查组可见，走访后公开种子。", "The sample is visible to the team only until the seed is revealed after the visit.")) } }
                            div.drawn { (sample_list(s)) }
                        },
                        None => { p.muted.hidden-sample { (l.t("样本在走访后公开。", "The sample is published after the visit.")) } },
                    }
                    @if team && d.revealed.is_none() && today >= d.visit_on {
                        form.inline method="post" action={ "/inspections/" (v.id) } {
                            input type="hidden" name="csrf" value=(ctx.user.csrf);
                            input type="hidden" name="version" value=(v.version);
                            input type="hidden" name="act" value="reveal";
                            input type="hidden" name="number" value=(d.number);
                            button type="submit" { (l.t("公开种子", "Reveal the seed")) }
                        }
                    }
                }
            }
            @if !v.answered_by.is_empty() {
                p #answered-by { (l.t("整改落实：", "Answered by: ")) @for k in &v.answered_by { (linked(l, k)) " " } }
            }
            h2 { (l.t("发现问题", "Findings")) }
            @if i.findings.is_empty() { p.muted { (l.t("尚无问题。", "No findings yet.")) } }
            @else {
                div.scroll { table #findings {
                    tr { th { (l.t("编号", "No.")) } th { (l.t("地区", "Area")) } th { (l.t("类别", "Category")) } th { (l.t("问题", "Finding")) } th { (l.t("处理情况", "What came of it")) } }
                    @for f in &i.findings {
                        tr {
                            td { (f.number) }
                            td { code { (f.area) } }
                            td { (category_label(l, &f.category)) }
                            td { (f.text) }
                            td {
                                @let links = v.outcomes.get(&f.number).map_or(&[][..], Vec::as_slice);
                                @let measures = v.measures.get(&f.number).map_or(&[][..], Vec::as_slice);
                                @for k in links { (linked(l, k)) " " }
                                @for m in measures {
                                    a href={ "/rectification/" (m.programme_id) } { (l.t("整改措施 ", "Measure ")) (m.code) }
                                    " (" (l.v(m.state)) @if m.overdue { ", " span.warn { (l.t("逾期", "overdue")) } } ") "
                                }
                                @if links.is_empty() && measures.is_empty() { span.muted { (l.t("尚无", "nothing yet")) } }
                            }
                        }
                    }
                } }
            }
            @if team { (act_forms(ctx, v)) }
        },
    )
}

fn category_label(l: Lang, code: &str) -> String {
    match jingzhun_domain::catalogue::ProblemClass::parse(code) {
        Some(c) => format!("{} {}", c.code(), l.t(c.zh(), c.en())),
        None => code.to_string(),
    }
}

fn linked(l: Lang, k: &inspections::Linked) -> Markup {
    let (label, href) = match k.kind {
        "accountability" => (
            l.t("问责案件", "Accountability case"),
            format!("/accountability/{}", k.id),
        ),
        "programme" => (
            l.t("整改方案", "Rectification programme"),
            format!("/rectification/{}", k.id),
        ),
        "complaint" => (
            l.t("信访举报", "Complaint"),
            format!("/complaints/{}", k.id),
        ),
        _ => (l.t("记录", "Record"), format!("/inspections/{}", k.id)),
    };
    html! { a href=(href) { (label) " #" (k.id) } " (" (k.state) ")" }
}

fn act_forms(ctx: &Ctx, v: &InspectionView) -> Markup {
    let l = ctx.lang;
    let i = &v.inspection;
    let hidden = html! {
        input type="hidden" name="csrf" value=(ctx.user.csrf);
        input type="hidden" name="version" value=(v.version);
    };
    html! {
        @if i.state == InspectionState::Planned {
            form.inline method="post" action={ "/inspections/" (v.id) } {
                (hidden) input type="hidden" name="act" value="start";
                button type="submit" { (l.t("开始检查", "Start")) }
            }
        }
        @if i.state == InspectionState::UnderWay {
            form.stack.panel #finding-form method="post" action={ "/inspections/" (v.id) } {
                h2 { (l.t("记录问题", "Record a finding")) }
                (hidden) input type="hidden" name="act" value="finding";
                label { (l.t("地区（区划代码）", "Area (code)")) input name="area" required; }
                label { (l.t("类别（问题清单编号，如 S000-04，或腐败类型）", "Category (catalogue code such as S000-04, or a corruption type)")) input name="category" required; }
                label { (l.t("问题", "Finding")) textarea name="text" maxlength="2000" rows="3" required {} }
                button.primary type="submit" { (l.t("保存", "Save")) }
            }
            form.inline method="post" action={ "/inspections/" (v.id) } {
                (hidden) input type="hidden" name="act" value="finish";
                button type="submit" { (l.t("结束检查", "Finish")) }
            }
        }
        @if i.state != InspectionState::Finished {
            form.stack.panel #draw-form method="post" action={ "/inspections/" (v.id) } {
                h2 { (l.t("随机抽取村", "Draw villages at random")) }
                (hidden) input type="hidden" name="act" value="draw";
                label { (l.t("用途", "Purpose")) input name="purpose" maxlength="200" required; }
                label { (l.t("走访日期", "Visit day")) input type="date" name="visit_on" required; }
                label { (l.t("样本量（从全部范围内的村中抽取）", "Sample size (from every village of the scope)")) input name="size" inputmode="numeric"; }
                label { (l.t("或分乡镇样本量（乡镇代码=个数，逗号分隔）", "Or per township (code=count, comma-separated)")) input name="sizes"; }
                button.primary type="submit" { (l.t("抽取并公布承诺值", "Draw and publish the commitment")) }
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ActForm {
    csrf: String,
    version: i64,
    act: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    visit_on: String,
    #[serde(default)]
    size: String,
    #[serde(default)]
    sizes: String,
    #[serde(default)]
    number: String,
}

impl CsrfField for ActForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

fn form_act(l: Lang, f: &ActForm) -> Result<InspectionAct, String> {
    let number = |t: &str| {
        t.trim()
            .parse::<u32>()
            .map_err(|_| l.t("应为正整数", "must be a whole number").to_string())
    };
    Ok(match f.act.as_str() {
        "start" => InspectionAct::Start,
        "finish" => InspectionAct::Finish,
        "finding" => InspectionAct::Finding {
            area: f.area.clone(),
            category: f.category.clone(),
            text: f.text.clone(),
        },
        "reveal" => InspectionAct::Reveal {
            number: number(&f.number)?,
        },
        "draw" => {
            let visit_on = Some(date_field(l, &f.visit_on)?);
            let (size, sizes) = if f.sizes.trim().is_empty() {
                (Some(number(&f.size)?), None)
            } else {
                let mut m = BTreeMap::new();
                for part in split(&f.sizes) {
                    let (k, n) = part.split_once('=').ok_or_else(|| {
                        l.t("分层样本量写作 代码=个数", "sizes are code=count")
                            .to_string()
                    })?;
                    m.insert(k.trim().to_string(), number(n)?);
                }
                (None, Some(m))
            };
            InspectionAct::Draw(DrawRequest {
                purpose: f.purpose.clone(),
                visit_on,
                candidates: None,
                size,
                sizes,
            })
        }
        _ => return Err(l.t("未知操作", "unknown act").to_string()),
    })
}

pub async fn act_page(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { ctx, form }: Posted<ActForm>,
) -> Result<Response, PageError> {
    let l = ctx.lang;
    let today = today_in_china();
    let store = state.store.as_ref();
    let message = match form_act(l, &form) {
        Err(m) => m,
        Ok(a) => match inspections::act(
            store,
            &state.sealer,
            &ctx.user.account,
            id,
            form.version,
            &a,
            today,
        )
        .await
        {
            Ok(_) => return Ok(Redirect::to(&format!("/inspections/{id}")).into_response()),
            Err(e) => shown(e)?,
        },
    };
    let v = inspections::get(store, &state.sealer, &ctx.user.account, id, today).await?;
    Ok((
        StatusCode::CONFLICT,
        detail_markup(&ctx, &v, Some(&message)),
    )
        .into_response())
}

pub async fn public_list_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let l = Lang::of_request(&headers);
    let draws = inspections::public_draws(state.store.as_ref()).await?;
    Ok(public_layout(
        l,
        l.t("随机抽取", "Random draws"),
        html! {
            h1 { (l.t("随机抽取的承诺与核验", "Random draws: commitments and checks")) }
            p { (l.t("抽取时即公布承诺值（秘密种子与抽样方案的哈希）；走访后公开种子，任何人都可重新运行抽取，得到同样的样本。",
                "When a draw is made its commitment (a hash of the secret seed and the plan) is published; after the visit the seed is revealed and anyone can re-run the draw and get the same sample.")) }
            ul #draws {
                @for d in &draws {
                    li { a href={ "/public/draws/" (d.inspection_id) "-" (d.number) } { (d.purpose) } " · " (d.made_on) " · "
                        @if d.revealed.is_some() { (l.t("已公开种子", "seed revealed")) } @else { (l.t("待公开", "to be revealed")) } }
                }
            }
        },
    ))
}

pub async fn public_draw_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Markup, PageError> {
    let l = Lang::of_request(&headers);
    let d = inspections::public_draw(state.store.as_ref(), &id).await?;
    Ok(public_layout(
        l,
        &d.purpose,
        html! {
            nav.crumbs { a href="/public/draws" { (l.t("随机抽取", "Random draws")) } }
            h1 { (d.purpose) }
            dl.facts #draw {
                dt { (l.t("承诺值（SHA-256）", "Commitment (SHA-256)")) } dd { code #commitment { (d.commitment) } }
                dt { (l.t("抽样方案摘要", "Digest of the plan")) } dd { code { (d.spec_digest) } }
                dt { (l.t("抽取日期", "Made on")) } dd { (d.made_on) }
                dt { (l.t("走访日期", "Visit day")) } dd { (d.visit_on) }
            }
            @match &d.revealed {
                None => {
                    p #draw-pending { (l.t("种子将在走访后公开。请保存上面的承诺值，公开后可据此核验。",
                        "The seed is revealed after the visit. Keep the commitment above to check the draw then.")) }
                },
                Some(r) => {
                    h2 { (l.t("已公开", "Revealed")) " " (r.revealed_on) }
                    dl.facts {
                        dt { (l.t("种子", "Seed")) } dd { code #seed { (r.seed) } }
                    }
                    h3 { (l.t("样本", "Sample")) }
                    div #sample { (sample_list(&r.sample)) }
                    @let ok = r.verification.is_valid();
                    p #draw-check class=(if ok { "ok" } else { "error" }) {
                        @if ok { (l.t("核验：种子与方案得出公布的承诺值，重新抽取得到同样的样本。",
                            "Checked: the seed and the plan give the published commitment, and re-running the draw gives the same sample.")) }
                        @else {
                            @if !r.verification.commitment_matches { (l.t("核验失败：种子或方案与承诺值不符。", "Check failed: the seed or the plan does not give the commitment. ")) }
                            @if !r.verification.sample_matches { (l.t("核验失败：重新抽取的样本与公布的样本不同。", "Check failed: re-running the draw gives another sample.")) }
                        }
                    }
                    h3 { (l.t("抽样方案（规范文本）", "The plan (canonical text)")) }
                    pre #spec { (r.spec) }
                    p { a href={ "/public/draws/" (d.inspection_id) "-" (d.number) "/verification.json" } { (l.t("下载核验文件", "Download the verification file")) }
                        " · " code { "jingzhun draw verify verification.json --commitment " (d.commitment) } }
                },
            }
        },
    ))
}

/// The file `jingzhun draw verify` reads (a revealed draw only).
pub async fn verification_file(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let d = inspections::public_draw(state.store.as_ref(), &id).await?;
    let file = d.file().ok_or(WebError::NotFound)?;
    let body =
        serde_json::to_string_pretty(&file).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"draw-{}-{}.json\"",
                    d.inspection_id, d.number
                ),
            ),
        ],
        body,
    )
        .into_response())
}
