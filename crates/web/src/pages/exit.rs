//! The standards page (everyone reads; administrators preview a change's consequences, then
//! confirm it with a reason) and the exit evaluation pages (an area's villages against their
//! thresholds, and the lists a clerk works through). Access is decided in `crate::exit`.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jingzhun_domain::exit::{Evidence, IncidenceJudgement, Indicator, Outcome};
use jingzhun_domain::money::Yuan;
use jingzhun_domain::standards::StandardKey;
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_service::exit::{self, ListKind};
use jingzhun_service::standards::{self, Preview};
use jingzhun_service::today_in_china;
use maud::{Markup, html};
use serde::Deserialize;

use super::{CsrfField, Ctx, PageError, Posted, layout, urlencode};
use crate::AppState;
use crate::exit::{StandardBody, area_in_reach};
use crate::i18n::Lang;

fn bp(v: Option<i64>) -> String {
    v.map_or_else(|| "—".into(), |b| format!("{}.{:02}%", b / 100, b % 100))
}

fn verdict(l: Lang, meets: Option<bool>) -> Markup {
    html! {
        @match meets {
            Some(true) => span.badge.ok { (l.t("达到", "meets")) },
            Some(false) => span.badge.warn { (l.t("未达到", "not yet")) },
            None => span.muted { (l.t("无人口数", "no population")) },
        }
    }
}

/// Prefills the change form (from a row's "change" link).
#[derive(Debug, Default, Deserialize)]
pub struct Prefill {
    key: Option<String>,
    year: Option<String>,
    region: Option<String>,
    version: Option<i64>,
}

pub async fn standards_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<Prefill>,
) -> Result<Markup, PageError> {
    let views = standards::list(state.store.as_ref()).await?;
    let admin = standards::may_change(&ctx.user.account, today_in_china());
    let form = StandardForm {
        key: p.key.unwrap_or_default(),
        year: p.year.unwrap_or_default(),
        region: p.region.unwrap_or_default(),
        version: p.version.unwrap_or(0),
        ..Default::default()
    };
    Ok(standards_markup(&ctx, &views, admin, &form, None, None))
}

fn standards_markup(
    ctx: &Ctx,
    views: &[standards::StandardView],
    admin: bool,
    form: &StandardForm,
    preview: Option<&Preview>,
    message: Option<&str>,
) -> Markup {
    let l = ctx.lang;
    let zh = l == Lang::Zh;
    layout(
        ctx,
        l.t("标准", "Standards"),
        false,
        html! {
            h1 { (l.t("扶贫标准与退出标准", "Standards")) }
            p.muted { (l.t("标准按年度和地区设定，未经确认的为系统默认值。修改须说明依据，修改前先查看影响，修改记入审计日志。",
                "Standards are set per year and region; unconfirmed values are shipped defaults. A change states its reason, shows its consequences first, and is audited.")) }
            @if let Some(m) = message { p.error role="alert" { (m) } }
            @if let Some(p) = preview { (preview_markup(ctx, form, p)) }
            @if admin && preview.is_none() {
                section.panel #standard-form {
                    h2 { (l.t("修改标准", "Change a standard")) }
                    form.stack method="post" action="/standards" {
                        input type="hidden" name="csrf" value=(ctx.user.csrf);
                        input type="hidden" name="version" value=(form.version);
                        input type="hidden" name="step" value="preview";
                        label { (l.t("标准", "Standard")) select name="key" {
                            @for k in StandardKey::ALL {
                                option value=(k.code()) selected[form.key == k.code()] { (l.t(k.zh(), k.en())) }
                            }
                        } }
                        label { (l.t("年度（扶贫标准必填；空为各年）", "Year (required for a poverty line; empty: every year)"))
                            input name="year" value=(form.year) inputmode="numeric" maxlength="4"; }
                        label { (l.t("地区代码前缀（空为全国）", "Region code prefix (empty: the whole country)"))
                            input name="region" value=(form.region) inputmode="numeric" maxlength="6"; }
                        label { (l.t("数值（元、百分比、天或年）", "Value (yuan, per cent, days or years)"))
                            input name="value" value=(form.value) required; }
                        label { (l.t("依据（文件或决定）", "Reason (document or decision)"))
                            textarea name="reason" maxlength="500" rows="2" required { (form.reason) } }
                        button.primary type="submit" { (l.t("预览影响", "Preview the consequences")) }
                    }
                }
            }
            div.scroll { table #standards {
                tr {
                    th { (l.t("标准", "Standard")) } th { (l.t("年度", "Year")) } th { (l.t("地区", "Region")) }
                    th { (l.t("数值", "Value")) } th { (l.t("依据", "Source")) } th { (l.t("设定", "Set by")) }
                    @if admin { th {} }
                }
                @for v in views {
                    @let e = &v.entry;
                    tr {
                        td { (l.t(e.key.zh(), e.key.en())) }
                        td { (e.year.map_or_else(|| l.t("各年", "every year").to_string(), |y| y.to_string())) }
                        td { (e.region.as_deref().unwrap_or(l.t("全国", "country"))) }
                        td.num { (e.key.format(e.value, zh)) }
                        td { (e.source) @if !e.confirmed { " " span.badge.warn { (l.t("待确认", "to be confirmed")) } } }
                        td { (v.set_by.as_deref().unwrap_or("—")) @if let Some(at) = &v.set_at { br; span.muted { (at) } } }
                        @if admin {
                            td { a href={ "/standards?key=" (e.key.code()) "&year=" (e.year.map(|y| y.to_string()).unwrap_or_default())
                                "&region=" (urlencode(e.region.as_deref().unwrap_or(""))) "&version=" (v.version) "#standard-form" }
                                { (l.t("修改", "change")) } }
                        }
                    }
                }
            } }
        },
    )
}

fn preview_markup(ctx: &Ctx, form: &StandardForm, p: &Preview) -> Markup {
    let l = ctx.lang;
    let zh = l == Lang::Zh;
    let key = StandardKey::parse(&form.key).ok();
    let fmt = |v: Option<i64>| match (key, v) {
        (Some(k), Some(v)) => k.format(v, zh),
        _ => "—".into(),
    };
    let t = &p.what_if.total;
    html! {
        section.panel #what-if {
            h2 { (l.t("修改前的影响评估", "What the change would do")) }
            p { (key.map_or("", |k| l.t(k.zh(), k.en()))) "：" (fmt(p.before)) " → " strong { (fmt(Some(p.after))) }
                " · " (p.year) (l.t(" 年，评估 ", ", ")) (l.int(p.households_evaluated as i64)) (l.t(" 户", " households evaluated")) }
            ul.figures {
                li { (l.t("在册户新增可退出", "Registered households becoming eligible to exit")) ": " strong #newly-eligible { (l.int(t.newly_eligible_households)) }
                    (l.t(" 户 ", " households, ")) (l.int(t.newly_eligible_persons)) (l.t(" 人", " persons")) }
                li { (l.t("在册户不再可退出", "Registered households no longer eligible")) ": " strong #no-longer-eligible { (l.int(t.no_longer_eligible_households)) }
                    (l.t(" 户 ", " households, ")) (l.int(t.no_longer_eligible_persons)) (l.t(" 人", " persons")) }
                li { (l.t("已脱贫户不再达标（变化）", "Exited households no longer meeting the indicators (change)")) ": " strong { (format!("{:+}", t.exited_not_meeting_change)) } }
                li { (l.t("监测户可消除风险（变化）", "Monitored households whose risk could be eliminated (change)")) ": " strong { (format!("{:+}", t.monitored_meeting_change)) } }
                li { (l.t("退出结论改变的村", "Villages whose exit verdict changes")) ": " strong #crossings { (p.what_if.crossings.len()) } }
            }
            @if !p.what_if.crossings.is_empty() {
                div.scroll { table {
                    tr { th { (l.t("村", "Village")) } th { (l.t("修改前", "Before")) } th { (l.t("修改后", "After")) } }
                    @for c in p.what_if.crossings.iter().take(200) {
                        tr { td { (p.names.get(&c.village).map_or(c.village.as_str(), String::as_str)) }
                            td { (bp(c.before.projected_bp)) " / " (bp(c.before.threshold_bp)) " " (verdict(l, c.before.meets_projected)) }
                            td { (bp(c.after.projected_bp)) " / " (bp(c.after.threshold_bp)) " " (verdict(l, c.after.meets_projected)) } }
                    }
                } }
            }
            @if !p.what_if.villages.is_empty() {
                details { summary { (l.t("按村查看", "By village")) " (" (p.what_if.villages.len()) ")" }
                    div.scroll { table {
                        tr { th { (l.t("村", "Village")) } th { (l.t("新增可退出", "Newly eligible")) } th { (l.t("不再可退出", "No longer eligible")) }
                            th { (l.t("已脱贫不再达标", "Exited not meeting")) } }
                        @for (v, s) in p.what_if.villages.iter().take(500) {
                            tr { td { (p.names.get(v).map_or(v.as_str(), String::as_str)) } td.num { (s.newly_eligible_households) }
                                td.num { (s.no_longer_eligible_households) } td.num { (format!("{:+}", s.exited_not_meeting_change)) } }
                        }
                    } }
                }
            }
            form.stack method="post" action="/standards" {
                input type="hidden" name="csrf" value=(ctx.user.csrf);
                input type="hidden" name="step" value="apply";
                input type="hidden" name="key" value=(form.key);
                input type="hidden" name="year" value=(form.year);
                input type="hidden" name="region" value=(form.region);
                input type="hidden" name="value" value=(form.value);
                input type="hidden" name="version" value=(form.version);
                label { (l.t("依据", "Reason")) textarea name="reason" maxlength="500" rows="2" required { (form.reason) } }
                div.actions {
                    button.primary type="submit" { (l.t("确认修改", "Confirm the change")) }
                    " " a href="/standards" { (l.t("取消", "Cancel")) }
                }
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct StandardForm {
    csrf: String,
    /// `preview` (show the what-if) or `apply`.
    #[serde(default)]
    step: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: i64,
}

impl CsrfField for StandardForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn standards_post(
    State(state): State<AppState>,
    Posted { ctx, form }: Posted<StandardForm>,
) -> Result<Response, PageError> {
    if !standards::may_change(&ctx.user.account, today_in_china()) {
        return Err(crate::error::WebError::Forbidden.into());
    }
    let store = state.store.as_ref();
    let body = StandardBody {
        key: form.key.clone(),
        value: form.value.clone(),
        year: form.year.clone(),
        region: form.region.clone(),
        reason: form.reason.clone(),
        version: form.version,
    };
    let (ctx, form) = (&ctx, &form);
    let refuse = |e: crate::error::WebError| async move {
        let views = standards::list(store).await?;
        let msg = e.public_detail().unwrap_or_default();
        Ok::<Response, PageError>(
            standards_markup(ctx, &views, true, form, None, Some(&msg)).into_response(),
        )
    };
    let change = match body.change(false) {
        Ok(c) => c,
        Err(e) => return refuse(e).await,
    };
    if form.step == "apply" {
        let actor = format!("user:{}", ctx.user.account.login.as_str());
        return match standards::change(store, &actor, &change, form.version).await {
            Ok(_) => Ok(Redirect::to("/standards").into_response()),
            Err(e) => refuse(e.into()).await,
        };
    }
    match standards::preview(store, &change, None, None).await {
        Ok(p) => {
            let views = standards::list(store).await?;
            Ok(standards_markup(ctx, &views, true, form, Some(&p), None).into_response())
        }
        Err(e) => refuse(e.into()).await,
    }
}

/// Which area and year.
#[derive(Debug, Default, Deserialize)]
pub struct ExitQuery {
    area: Option<String>,
    year: Option<i32>,
    kind: Option<ListKind>,
}

fn incidence_row(l: Lang, j: &IncidenceJudgement) -> Markup {
    html! {
        td.num { (bp(j.now_bp)) } td.num { (bp(j.projected_bp)) } td.num { (bp(j.threshold_bp)) }
        td { (verdict(l, j.meets_projected)) }
    }
}

pub async fn exit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ExitQuery>,
) -> Result<Markup, PageError> {
    let l = ctx.lang;
    let area = area_in_reach(&ctx.user.account, q.area.as_deref())?;
    let year = crate::figures::checked_year(q.year)?;
    let a = exit::area(state.store.as_ref(), area.as_ref(), year).await?;
    let figures_year =
        jingzhun_service::summary::figures_year(state.store.as_ref(), area.as_ref(), Some(a.year))
            .await?;
    let t = &a.total;
    let area_param = area.map(|c| c.prefix().to_string()).unwrap_or_default();
    let switch_path = if area_param.is_empty() {
        "/exit".to_string()
    } else {
        format!("/exit?area={area_param}&")
    };
    Ok(layout(
        &ctx,
        l.t("退出评估", "Exit evaluation"),
        false,
        html! {
            h1 { (l.t("退出评估", "Exit evaluation")) " · " (a.year) }
            (super::area::year_switch(&ctx, &switch_path, figures_year.as_ref()))
            p.muted { (l.t("按“两不愁三保障”及饮水安全、收入稳定超过扶贫标准逐户评估；“不愁吃、不愁穿”在入户核实时确认。",
                "Every household is evaluated on income above the line, food, clothing, education, medical care, housing and water; food and clothing are confirmed at the home visit.")) }
            form.filters method="get" action="/exit" {
                label { (l.t("地区代码", "Area code")) input name="area" value=(area_param) inputmode="numeric" maxlength="12"; }
                label { (l.t("年度", "Year")) input name="year" value=(a.year) inputmode="numeric" maxlength="4"; }
                button type="submit" { (l.t("评估", "Evaluate")) }
            }
            ul.figures #exit-totals {
                li { (l.t("在册未脱贫", "Registered")) ": " strong { (l.int(t.registered_households)) } (l.t(" 户 ", " households, ")) (l.int(t.registered_persons)) (l.t(" 人", " persons")) }
                li { (l.t("符合退出条件（预退出）", "Meeting every indicator (pre-exit)")) ": " strong #candidates { (l.int(t.candidate_households)) }
                    (l.t(" 户 ", " households, ")) (l.int(t.candidate_persons)) (l.t(" 人", " persons")) }
                li { (l.t("已脱贫户不再达标", "Exited households no longer meeting them")) ": " strong { (l.int(t.exited_not_meeting)) } }
                li { (l.t("监测户可消除风险", "Monitored households whose risk could be eliminated")) ": " strong { (l.int(t.monitored_meeting)) } }
            }
            h2 { (l.t("未达标指标（在册户）", "What keeps registered households from exiting")) }
            div.bars {
                @let max = t.blocked_by.iter().copied().max().unwrap_or(0).max(1);
                @for (i, ind) in Indicator::ALL.iter().enumerate() {
                    div.bar-row { span.bar-label { (l.t(ind.zh(), ind.en())) }
                        span.bar style={ "width:" (t.blocked_by[i] * 100 / max) "%" } {}
                        span.bar-value { (l.int(t.blocked_by[i])) } }
                }
            }
            @if let Some(c) = &a.county {
                h2 { (l.t("县（区）退出", "County exit")) }
                table #county-exit {
                    tr { th { (l.t("指标", "Indicator")) } th { (l.t("现在", "Now")) } th { (l.t("候选户退出后", "After candidates exit")) }
                        th { (l.t("门槛", "Threshold")) } th { (l.t("结论", "Verdict")) } }
                    tr { td { (l.t("综合贫困发生率", "Comprehensive incidence")) } (incidence_row(l, &c.incidence)) }
                    @for (k, v) in &c.not_measured {
                        tr { td { (l.t(k.zh(), k.en())) } td colspan="2" .muted { (l.t("评估数据尚未录入", "no assessment data yet")) }
                            td.num { (bp(*v)) } td { "—" } }
                    }
                }
            }
            h2 { (l.t("各村", "Villages")) }
            div.scroll { table #exit-villages {
                tr { th { (l.t("村", "Village")) } th { (l.t("在册户", "Registered")) } th { (l.t("可退出", "Candidates")) }
                    th { (l.t("贫困发生率", "Incidence")) } th { (l.t("候选户退出后", "After")) } th { (l.t("门槛", "Threshold")) }
                    th { (l.t("结论", "Verdict")) } th { (l.t("名单", "Lists")) } }
                @for v in &a.villages {
                    tr {
                        td { (v.name) br; span.muted { (v.village.as_str()) } }
                        td.num { (l.int(v.figures.registered_households)) }
                        td.num { (l.int(v.figures.candidate_households)) }
                        (incidence_row(l, &v.judgement))
                        td { a href={ "/exit/list?area=" (v.village.as_str()) "&kind=candidates&year=" (a.year) } { (l.t("预退出", "pre-exit")) }
                            " · " a href={ "/exit/list?area=" (v.village.as_str()) "&kind=blocked&year=" (a.year) } { (l.t("未达标", "kept off")) } }
                    }
                }
            } }
            p.muted { (l.t("读取 ", "Read ")) (a.read_ms) " ms · " (l.t("评估 ", "evaluated ")) (a.evaluate_ms) " ms · " (l.int(a.households_evaluated as i64)) (l.t(" 户", " households")) }
        },
    ))
}

pub async fn list_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ExitQuery>,
) -> Result<Markup, PageError> {
    let l = ctx.lang;
    let area = area_in_reach(&ctx.user.account, q.area.as_deref())?
        .ok_or_else(|| crate::error::WebError::BadRequest("area: required / 请指定地区".into()))?;
    let kind = q.kind.unwrap_or(ListKind::Candidates);
    let rows = exit::list(state.store.as_ref(), &area, q.year, kind).await?;
    let title = match kind {
        ListKind::Candidates => l.t("预退出名单", "Pre-exit list"),
        ListKind::Blocked => l.t(
            "未达到退出条件的在册户",
            "Registered households kept off the list",
        ),
        ListKind::ExitedNotMeeting => l.t(
            "不再达标的已脱贫户",
            "Exited households no longer meeting the indicators",
        ),
    };
    Ok(layout(
        &ctx,
        title,
        false,
        html! {
            nav.crumbs { a href={ "/exit?area=" (area.prefix()) } { (l.t("退出评估", "Exit evaluation")) } }
            h1 { (title) " · " (area.as_str()) }
            p { (l.int(rows.len() as i64)) (l.t(" 户", " households")) }
            // A village clerk opens the exit cases of the ticked candidates in one batch.
            @let today = jingzhun_service::today_in_china();
            @let clerk_of = |v: &jingzhun_domain::AreaCode| kind == ListKind::Candidates
                && jingzhun_domain::procedure::acts_as(&ctx.user.account, jingzhun_domain::access::Role::VillageClerk, v, today);
            @let batch = rows.iter().any(|r| clerk_of(&r.village));
            form.stack method="post" action="/procedures/batch-start" {
                input type="hidden" name="csrf" value=(ctx.user.csrf);
                input type="hidden" name="kind" value="exit";
                div.scroll { table #exit-list {
                    tr { @if batch { th { } } th { (l.t("户编号", "Household")) } th { (l.t("户主", "Head")) } th { (l.t("人口", "Persons")) }
                        th { (l.t("人均纯收入", "Income per person")) } th { (l.t("未达标指标", "Indicators not met")) } }
                    @for r in &rows {
                        tr {
                            @if batch { td { @if clerk_of(&r.village) { input type="checkbox" name="h" value=(r.household_id) checked; } } }
                            td { a href={ "/households/" (r.household_id) } { (r.household_id) } } td { (r.head) }
                            td.num { (r.persons) } td.num { (l.money(Yuan::from_fen(r.per_capita_fen))) }
                            td { @for (i, ind) in r.blocking.iter().enumerate() { @if i > 0 { "、" } (l.t(ind.zh(), ind.en())) } } }
                    }
                } }
                @if batch {
                    label { (l.t("理由", "Reason")) textarea name="reason" maxlength="2000" rows="2" required { (l.t("达到退出标准，列入预退出名单", "Meets the exit indicators (pre-exit list)")) } }
                    button.primary type="submit" { (l.t("为选中的户启动退出程序", "Open exit cases for the ticked households")) }
                }
            }
        },
    ))
}

/// The exit panel of a household page.
pub fn household_panel(ctx: &Ctx, v: &crate::exit::HouseholdExitView) -> Markup {
    let l = ctx.lang;
    html! {
        section.panel #exit-evaluation {
            h2 { (l.t("退出指标", "Exit indicators")) " · " (v.year) " "
                @if v.meets { span.badge.ok { (l.t("符合退出条件", "meets every indicator")) } }
                @else { span.badge.warn { (l.t("未达到退出条件", "does not meet them yet")) } } }
            table {
                @for i in &v.indicators {
                    tr {
                        td { (l.t(i.indicator_zh, i.indicator_en)) }
                        td { @let o = Outcome::from_code(&i.outcome);
                            span class={ "badge " (match o { Some(Outcome::Pass) => "ok", Some(Outcome::Visit) => "", _ => "warn" }) }
                            { (l.t(i.outcome_zh, i.outcome_en)) } }
                        td.muted { (evidence_text(l, i)) }
                    }
                }
            }
        }
    }
}

fn evidence_text(l: Lang, i: &crate::exit::IndicatorView) -> String {
    match &i.evidence {
        Evidence::Income {
            per_capita_fen,
            members,
            income_year,
            line_yuan,
            monitoring_line,
            outdated,
        } => {
            let line = line_yuan.map_or_else(
                || l.t("该年度无标准", "no line for that year").to_string(),
                |y| l.money(Yuan::from_yuan(y)),
            );
            let which = if *monitoring_line {
                l.t("监测线", "monitoring line")
            } else {
                l.t("扶贫标准", "poverty line")
            };
            let old = if *outdated {
                l.t("（收入数据过旧）", " (income data too old)")
            } else {
                ""
            };
            format!(
                "{} {} × {} {}; {which} {line} ({income_year}){old}",
                l.t("人均", "per person"),
                l.money(Yuan::from_fen(*per_capita_fen)),
                members,
                l.t("人", "persons"),
            )
        }
        Evidence::Members { considered, .. } => {
            let mut parts = vec![format!(
                "{} {considered}",
                l.t("涉及人数", "members concerned")
            )];
            if !i.failing.is_empty() {
                parts.push(format!(
                    "{}: {}",
                    l.t("未达标", "not met"),
                    i.failing.join("、")
                ));
            }
            if !i.missing.is_empty() {
                parts.push(format!(
                    "{}: {}",
                    l.t("缺少数据", "no data"),
                    i.missing.join("、")
                ));
            }
            parts.join("; ")
        }
        Evidence::Flag { value } => if *value {
            l.t("户档记为是", "recorded yes")
        } else {
            l.t("户档记为否", "recorded no")
        }
        .to_string(),
        Evidence::NotRecorded => l
            .t(
                "户档不记录，入户核实时确认",
                "not in the registry; confirmed at the home visit",
            )
            .to_string(),
    }
}
