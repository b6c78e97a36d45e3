//! The yearly update of a village over HTTP (API and page): its state, the clerk's submission,
//! the township's approval or return, what the data propose (each kind opens its cases in one
//! batch) and the households not updated for 24 months.

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jingzhun_domain::AreaCode;
use jingzhun_domain::update::UpdateState;
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_service::today_in_china;
use jingzhun_service::updates::{self, ProposalRow};
use jingzhun_store::updates::UpdateRecord;
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::exit::area_in_reach;
use crate::pages::{CsrfField, Ctx, PageError, Posted, layout};

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/updates", get(api_view))
        .route("/updates/{village}/{year}/submission", post(api_submit))
        .route("/updates/{village}/{year}/decision", post(api_decide))
        .route("/households/{id}/facts", axum::routing::put(api_facts))
}

pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/updates", get(page))
        .route("/updates/act", post(page_act))
        .route("/households/{id}/facts", post(facts_post))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ViewParams {
    /// An area within reach (default: the account's own); a village shows its update.
    pub area: Option<String>,
    /// The year of the update (default: the registry's latest income year).
    pub year: Option<i32>,
}

/// An area's yearly update: the villages' states, what the data propose, old records.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UpdateView {
    pub area: String,
    pub year: i32,
    /// The updates recorded within the area (a village not listed has not submitted).
    #[schema(value_type = Vec<Object>)]
    pub updates: Vec<UpdateRecord>,
    #[schema(value_type = Vec<Object>)]
    pub proposals: Vec<ProposalRow>,
    /// Households not written for 24 months: (number, village, last written).
    pub stale: Vec<(String, String, String)>,
}

async fn view(
    state: &AppState,
    account: &jingzhun_domain::access::Account,
    area: Option<&str>,
    year: Option<i32>,
) -> Result<UpdateView, WebError> {
    let store = state.store.as_ref();
    let area = area_in_reach(account, area)?
        .ok_or_else(|| WebError::BadRequest("area: required / 请指定地区".into()))?;
    let year = jingzhun_service::standards::default_year(store, Some(&area), year).await?;
    let today = today_in_china();
    let updates = store.annual_updates(&area, year).await?;
    let proposals = updates::proposals(store, account, &area, today).await?;
    let stale = updates::stale(store, account, &area, chrono::Utc::now(), 500)
        .await?
        .into_iter()
        .map(|(h, v, at)| (h.to_string(), v.as_str().to_string(), at))
        .collect();
    Ok(UpdateView {
        area: area.as_str().to_string(),
        year,
        updates,
        proposals,
        stale,
    })
}

/// The yearly update of an area within reach.
#[utoipa::path(get, path = "/api/v1/updates", params(ViewParams), responses((status = 200, body = UpdateView), (status = 404)))]
pub async fn api_view(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<ViewParams>,
) -> Result<Json<UpdateView>, WebError> {
    Ok(Json(
        view(&state, &user.account, p.area.as_deref(), p.year).await?,
    ))
}

/// The version last seen (0 when there is no update yet).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SubmitBody {
    pub version: i64,
}

fn village(code: &str) -> Result<AreaCode, WebError> {
    AreaCode::parse(code).map_err(|_| WebError::NotFound)
}

/// The village's clerk submits its update for the year (403 for another role, 409 when it is
/// submitted or approved already, or changed meanwhile).
#[utoipa::path(post, path = "/api/v1/updates/{village}/{year}/submission", request_body = SubmitBody,
    responses((status = 200, body = Object), (status = 403), (status = 404), (status = 409)))]
pub async fn api_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((code, year)): Path<(String, i32)>,
    Json(body): Json<SubmitBody>,
) -> Result<Json<UpdateRecord>, WebError> {
    Ok(Json(
        updates::submit(
            state.store.as_ref(),
            &user.account,
            &village(&code)?,
            year,
            body.version,
            today_in_china(),
        )
        .await?,
    ))
}

/// Approve (the village's data of the year are locked) or return with a note.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DecideBody {
    pub approve: bool,
    #[serde(default)]
    pub note: String,
    pub version: i64,
}

/// The township decides on a submitted update (403 for another role or township, 400 for a
/// return without a note, 409 when nothing is submitted or it changed meanwhile).
#[utoipa::path(post, path = "/api/v1/updates/{village}/{year}/decision", request_body = DecideBody,
    responses((status = 200, body = Object), (status = 400), (status = 403), (status = 404), (status = 409)))]
pub async fn api_decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((code, year)): Path<(String, i32)>,
    Json(body): Json<DecideBody>,
) -> Result<Json<UpdateRecord>, WebError> {
    Ok(Json(
        updates::decide(
            state.store.as_ref(),
            &user.account,
            &village(&code)?,
            year,
            body.approve,
            &body.note,
            body.version,
            today_in_china(),
        )
        .await?,
    ))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api_view, api_submit, api_decide, api_facts),
    components(schemas(UpdateView, SubmitBody, DecideBody, FactsBody))
)]
pub struct ApiDoc;

fn state_label(l: crate::i18n::Lang, s: Option<UpdateState>) -> &'static str {
    match s {
        None => l.t("未提交", "not submitted"),
        Some(s) => l.t(s.zh(), s.en()),
    }
}

/// The page of an area's yearly update.
pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ViewParams>,
) -> Result<Markup, PageError> {
    page_markup(&state, &ctx, p.area.as_deref(), p.year, None).await
}

async fn page_markup(
    state: &AppState,
    ctx: &Ctx,
    area: Option<&str>,
    year: Option<i32>,
    message: Option<&str>,
) -> Result<Markup, PageError> {
    let l = ctx.lang;
    let v = view(state, &ctx.user.account, area, year).await?;
    let today = today_in_china();
    let area = AreaCode::parse(&v.area).map_err(|_| WebError::NotFound)?;
    let is_village = area.level() == jingzhun_domain::AreaLevel::Village;
    let mine = v.updates.iter().find(|u| u.update.village == area);
    let account = &ctx.user.account;
    let may_submit = is_village
        && jingzhun_domain::procedure::acts_as(
            account,
            jingzhun_domain::access::Role::VillageClerk,
            &area,
            today,
        )
        && !matches!(
            mine.map(|u| u.update.state),
            Some(UpdateState::Submitted | UpdateState::Approved)
        );
    let may_decide = is_village
        && jingzhun_domain::procedure::acts_as(
            account,
            jingzhun_domain::access::Role::TownshipReviewer,
            &area,
            today,
        )
        && mine.is_some_and(|u| u.update.state == UpdateState::Submitted);
    // Villages in code order (township by township).
    let names: std::collections::BTreeMap<AreaCode, String> = state
        .store
        .village_names(Some(&area))
        .await?
        .into_iter()
        .collect();
    let area_name = match names.get(&area) {
        Some(n) => n.clone(),
        None => state
            .store
            .area(&area)
            .await?
            .map_or_else(|| area.as_str().to_string(), |a| a.name),
    };
    let mut kinds: Vec<jingzhun_domain::procedure::ProcedureKind> =
        v.proposals.iter().map(|p| p.kind).collect();
    kinds.sort();
    kinds.dedup();
    Ok(layout(
        ctx,
        l.t("动态调整", "Yearly update"),
        false,
        html! {
            h1 { (l.t("动态调整", "Yearly update")) " · " (area_name) " · " (v.year) }
            p.muted { (l.t("每年一次：村级更新收入和情况（导入或表单），提交乡镇审核。审核通过后本村该年度数据锁定，此后的变更须通过程序办理。",
                "Once a year the village updates incomes and conditions (import or forms) and submits them; once the township approves, the village's data of the year are locked and later changes go through a procedure.")) }
            @if let Some(m) = message { p.error role="alert" #update-message { (m) } }
            @if is_village {
                section.panel #update-state {
                    h2 { (l.t("本村更新状态", "This village's update")) }
                    p { strong { (state_label(l, mine.map(|u| u.update.state))) }
                        @if let Some(u) = mine {
                            " · " (l.t("提交：", "submitted by ")) (u.update.submitted_by) " " (l.date(u.update.submitted_on))
                            @if let (Some(by), Some(on)) = (&u.update.decided_by, u.update.decided_on) { " · " (l.t("审核：", "decided by ")) (by) " " (l.date(on)) }
                            @if let Some(n) = &u.update.note { " · " (n) }
                        } }
                    @if may_submit {
                        form.inline method="post" action="/updates/act" {
                            input type="hidden" name="csrf" value=(ctx.user.csrf);
                            input type="hidden" name="village" value=(area.as_str());
                            input type="hidden" name="year" value=(v.year);
                            input type="hidden" name="version" value=(mine.map_or(0, |u| u.version));
                            input type="hidden" name="act" value="submit";
                            button.primary type="submit" #update-submit { (l.t("提交乡镇审核", "Submit to the township")) }
                        }
                    }
                    @if may_decide {
                        form.stack method="post" action="/updates/act" #update-decide {
                            input type="hidden" name="csrf" value=(ctx.user.csrf);
                            input type="hidden" name="village" value=(area.as_str());
                            input type="hidden" name="year" value=(v.year);
                            input type="hidden" name="version" value=(mine.map_or(0, |u| u.version));
                            input type="hidden" name="act" value="decide";
                            label { input type="radio" name="approve" value="true" checked; (l.t("审核通过（锁定数据）", "Approve (locks the data)")) }
                            label { input type="radio" name="approve" value="false"; (l.t("退回修改（须说明）", "Return for corrections (say what)")) }
                            label { (l.t("意见", "Note")) textarea name="note" maxlength="1000" rows="2" {} }
                            button.primary type="submit" { (l.t("保存", "Save")) }
                        }
                    }
                }
            } @else {
                div.scroll { table #update-villages {
                    tr { th { (l.t("村", "Village")) } th { (l.t("状态", "State")) } th { (l.t("提交", "Submitted")) } th { (l.t("审核", "Decided")) } }
                    @for (code, name) in &names {
                        @let u = v.updates.iter().find(|u| u.update.village == *code);
                        tr {
                            td { a href={ "/updates?area=" (code.as_str()) "&year=" (v.year) } { (name) } }
                            td { (state_label(l, u.map(|u| u.update.state))) }
                            td { (u.map_or_else(String::new, |u| l.date(u.update.submitted_on))) }
                            td { (u.and_then(|u| u.update.decided_on).map_or_else(String::new, |d| l.date(d))) }
                        }
                    }
                } }
            }
            h2 { (l.t("数据提示的程序", "Procedures the data call for")) " (" (v.proposals.len()) ")" }
            @if v.proposals.is_empty() { p.muted { (l.t("无。", "None.")) } }
            @for kind in &kinds {
                @let rows: Vec<&ProposalRow> = v.proposals.iter().filter(|p| p.kind == *kind).collect();
                @let clerk_of = |p: &ProposalRow| jingzhun_domain::procedure::acts_as(account, jingzhun_domain::access::Role::VillageClerk, &p.village, today) && !p.case_in_progress;
                @let any = rows.iter().any(|p| clerk_of(p));
                section.panel.proposals {
                    h3 { (l.t(kind.zh(), kind.en())) " · " (rows.len()) }
                    form.stack method="post" action="/procedures/batch-start" {
                        input type="hidden" name="csrf" value=(ctx.user.csrf);
                        input type="hidden" name="kind" value=(kind.code());
                        div.scroll { table {
                            tr { @if any { th {} } th { (l.t("户编号", "Household")) } th { (l.t("户主", "Head")) } th { (l.t("人均纯收入", "Income per person")) } th { (l.t("依据", "Why")) } }
                            @for p in &rows {
                                tr {
                                    @if any { td { @if clerk_of(p) { input type="checkbox" name="h" value=(p.household_id) checked; } @else if p.case_in_progress { span.muted { (l.t("办理中", "in progress")) } } } }
                                    td { a href={ "/households/" (p.household_id) } { (p.household_id) } }
                                    td { (p.head) }
                                    td.num { (l.money(jingzhun_domain::Yuan::from_fen(p.per_capita_fen))) }
                                    td { (l.t(p.why_zh, p.why_en)) }
                                }
                            }
                        } }
                        @if any {
                            label { (l.t("理由", "Reason")) input name="reason" maxlength="2000" required value=(format!("{} {}", v.year, l.t("年度动态调整", "yearly update"))); }
                            button type="submit" { (l.t("为选中的户启动程序", "Open the cases of the ticked households")) }
                        }
                    }
                }
            }
            h2 { (l.t("超过 24 个月未更新的户", "Households not updated for 24 months")) " (" (v.stale.len()) ")" }
            @if v.stale.is_empty() { p.muted { (l.t("无。", "None.")) } }
            @else {
                div.scroll { table #update-stale {
                    tr { th { (l.t("户编号", "Household")) } th { (l.t("村", "Village")) } th { (l.t("最后更新", "Last written")) } }
                    @for (h, vcode, at) in &v.stale {
                        tr { td { a href={ "/households/" (h) } { (h) } } td { (vcode) } td { (at.get(..10).unwrap_or(at)) } }
                    }
                } }
            }
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct ActForm {
    csrf: String,
    village: String,
    year: i32,
    version: i64,
    act: String,
    #[serde(default)]
    approve: Option<String>,
    #[serde(default)]
    note: String,
}

impl CsrfField for ActForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn page_act(
    State(state): State<AppState>,
    Posted { ctx, form }: Posted<ActForm>,
) -> Result<Response, PageError> {
    let store = state.store.as_ref();
    let v = village(&form.village)?;
    let today = today_in_china();
    let r = match form.act.as_str() {
        "submit" => {
            updates::submit(store, &ctx.user.account, &v, form.year, form.version, today).await
        }
        "decide" => {
            updates::decide(
                store,
                &ctx.user.account,
                &v,
                form.year,
                form.approve.as_deref() != Some("false"),
                &form.note,
                form.version,
                today,
            )
            .await
        }
        _ => return Err(WebError::BadRequest("act: unknown".into()).into()),
    };
    match r.map_err(WebError::from) {
        Ok(_) => Ok(
            Redirect::to(&format!("/updates?area={}&year={}", v.as_str(), form.year))
                .into_response(),
        ),
        Err(e @ (WebError::BadRequest(_) | WebError::Conflict(_) | WebError::Forbidden)) => {
            let msg = e.public_detail().unwrap_or_else(|| {
                ctx.lang
                    .t("本账户的角色无权进行此操作", "your roles do not allow this")
                    .into()
            });
            let page =
                page_markup(&state, &ctx, Some(v.as_str()), Some(form.year), Some(&msg)).await?;
            Ok((axum::http::StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The form on a household's page: this year's income and conditions (the yearly update of
/// one household; the bulk way is the registry import).
pub fn facts_panel(ctx: &Ctx, id: &str, h: &jingzhun_domain::registry::Household) -> Markup {
    let l = ctx.lang;
    let yes_no = |name: &str, value: bool| {
        html! { select name=(name) {
            option value="是" selected[value] { (l.t("是", "yes")) }
            option value="否" selected[!value] { (l.t("否", "no")) }
        } }
    };
    html! {
        details.panel #household-facts {
            summary { (l.t("更新本年度收入和情况", "Update this year's income and conditions")) }
            form.stack method="post" action={ "/households/" (id) "/facts" } {
                input type="hidden" name="csrf" value=(ctx.user.csrf);
                label { (l.t("家庭年纯收入（元）", "Yearly net income (yuan)")) input name="annual_net_income" inputmode="decimal" required value=(h.annual_net_income.to_string()); }
                label { (l.t("收入年度", "Income year")) input name="income_year" inputmode="numeric" required value=(h.income_year); }
                label { (l.t("住房安全", "Housing safe")) (yes_no("housing_safe", h.housing_safe)) }
                label { (l.t("饮水安全", "Water safe")) (yes_no("water_safe", h.water_safe)) }
                p.muted { (l.t("本村该年度动态调整审核通过后，数据锁定，不能再在此修改。", "Once the village's update of the year is approved, its data are locked here.")) }
                button type="submit" { (l.t("保存", "Save")) }
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct FactsPost {
    csrf: String,
    annual_net_income: String,
    income_year: String,
    housing_safe: String,
    water_safe: String,
}

impl CsrfField for FactsPost {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl FactsPost {
    fn form(&self) -> updates::FactsForm {
        updates::FactsForm {
            annual_net_income: self.annual_net_income.clone(),
            income_year: self.income_year.clone(),
            housing_safe: self.housing_safe.clone(),
            water_safe: self.water_safe.clone(),
        }
    }
}

/// The household page's facts form.
pub async fn facts_post(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { ctx, form }: Posted<FactsPost>,
) -> Result<Response, PageError> {
    let hid = jingzhun_domain::registry::HouseholdId::parse(&id).map_err(|_| WebError::NotFound)?;
    match updates::update_facts(
        state.store.as_ref(),
        &ctx.user.account,
        &hid,
        &form.form(),
        today_in_china(),
    )
    .await
    .map_err(WebError::from)
    {
        Ok(_) => Ok(Redirect::to(&format!("/households/{}", hid.as_str())).into_response()),
        Err(e @ WebError::Unprocessable(_)) => {
            let l = ctx.lang;
            let msg = e.public_detail().unwrap_or_default();
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                layout(&ctx, l.t("户档", "Household"), false, html! {
                    h1 { (l.t("未保存", "Not saved")) }
                    pre.error role="alert" #facts-problems { (msg) }
                    p { a href={ "/households/" (hid.as_str()) } { (l.t("返回户档", "Back to the household")) } }
                }),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A household's yearly facts, as typed.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct FactsBody {
    /// Yuan (up to 2 decimals), the whole household's net income of the year.
    pub annual_net_income: String,
    pub income_year: String,
    /// 是/否, true/false, 1/0, Y/N.
    pub housing_safe: String,
    pub water_safe: String,
}

/// Updates a household's yearly facts (registry keepers within their area): 422 listing every
/// bad field, or the village's year locked by an approved update.
#[utoipa::path(put, path = "/api/v1/households/{id}/facts", request_body = FactsBody,
    responses((status = 200, body = Object), (status = 403), (status = 404), (status = 422)))]
pub async fn api_facts(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Json(body): Json<FactsBody>,
) -> Result<Json<jingzhun_domain::registry::Household>, WebError> {
    let hid = jingzhun_domain::registry::HouseholdId::parse(&id).map_err(|_| WebError::NotFound)?;
    let form = updates::FactsForm {
        annual_net_income: body.annual_net_income,
        income_year: body.income_year,
        housing_safe: body.housing_safe,
        water_safe: body.water_safe,
    };
    Ok(Json(
        updates::update_facts(
            state.store.as_ref(),
            &user.account,
            &hid,
            &form,
            today_in_china(),
        )
        .await?,
    ))
}
