//! The officers' complaint pages: the list, registering a complaint received by phone, letter,
//! visit or transfer, one complaint with its rounds and the forms of its acts, the audited
//! reading of the complainant's identity (only with the `sealed` permission), the daily digest
//! (快报) with its CSV and XLSX, and the statistics. A refusal is shown on the page with its
//! reason; nothing here decides a rule.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jingzhun_domain::complaint::{
    Channel, ComplainantInput, ComplaintState, Complexity, Finding, NewComplaint, Round,
    Satisfaction,
};
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_service::complaints::{self as svc, ComplaintAct, ComplaintView};
use jingzhun_service::today_in_china;
use maud::{Markup, html};
use serde::Deserialize;

use super::{ListParams, download, parse_day};
use crate::AppState;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::pages::{CsrfField, Ctx, PageError, Posted, layout};

fn opt_date(l: Lang, d: Option<chrono::NaiveDate>) -> String {
    d.map_or_else(|| "—".to_string(), |d| l.date(d))
}

fn subnav(ctx: &Ctx) -> Markup {
    let l = ctx.lang;
    html! {
        p.subnav {
            a href="/complaints" { (l.t("全部", "All")) } " · "
            a href="/complaints?open=true" { (l.t("待答复", "Awaiting a reply")) } " · "
            a href="/complaints?overdue=true" { (l.t("已超期", "Overdue")) } " · "
            a href="/complaints/new" { (l.t("登记举报", "Register a complaint")) } " · "
            a href="/complaints/digest" { (l.t("每日快报", "Daily digest")) } " · "
            a href="/complaints/statistics" { (l.t("统计", "Statistics")) } " · "
            a href="/public/complaints" { (l.t("公众举报入口", "Public form")) }
        }
    }
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ListParams>,
) -> Result<Markup, PageError> {
    let l = ctx.lang;
    let items = svc::list(
        state.store.as_ref(),
        &ctx.user.account,
        &p.filter()?,
        today_in_china(),
    )
    .await?;
    Ok(layout(
        &ctx,
        l.t("信访举报", "Complaints"),
        false,
        html! {
            h1 { (l.t("信访举报", "Complaints")) }
            (subnav(&ctx))
            form.filters method="get" action="/complaints" {
                label { (l.t("状态", "State")) " "
                    select name="state" {
                        option value="" { (l.t("全部", "all")) }
                        @for s in ComplaintState::ALL {
                            option value=(s.code()) selected[p.state.as_deref() == Some(s.code())] { (l.v(*s)) }
                        }
                    }
                }
                " "
                label { (l.t("查询码或内容", "Ticket or text")) " " input type="search" name="q" maxlength="100" value=(p.q.clone().unwrap_or_default()); }
                " " button type="submit" { (l.t("筛选", "Filter")) }
            }
            table #complaints {
                tr {
                    th { (l.t("查询码", "Ticket")) } th { (l.t("登记日期", "Registered")) } th { (l.t("渠道", "Channel")) }
                    th { (l.t("状态", "State")) } th { (l.t("答复期限", "Reply due")) } th { (l.t("内容", "Content")) }
                }
                @for v in &items {
                    tr class=[v.overdue.then_some("overdue")] {
                        td { a href={ "/complaints/" (v.id) } { (v.complaint.ticket) } }
                        td { (l.date(v.complaint.registered_on)) }
                        td { (l.v(v.complaint.channel)) }
                        td { (l.v(v.complaint.state)) @if v.overdue { " " span.error { (l.t("超期", "overdue")) } } }
                        td { (opt_date(l, v.reply_due)) }
                        td { (v.complaint.content.chars().take(40).collect::<String>()) }
                    }
                }
            }
            @if items.is_empty() { p.muted { (l.t("没有符合条件的举报。", "No complaints match.")) } }
        },
    ))
}

/// The registration form (officers).
#[derive(Debug, Default, Deserialize)]
pub struct RegisterForm {
    csrf: String,
    channel: String,
    subject_area: String,
    content: String,
    #[serde(default)]
    accused_unit: String,
    #[serde(default)]
    accused_unit_area: String,
    #[serde(default)]
    accused_person: String,
    #[serde(default)]
    accused_person_unit: String,
    #[serde(default)]
    classes: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    id_number: String,
}

impl CsrfField for RegisterForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub(crate) fn split_classes(s: &str) -> Vec<String> {
    s.split([' ', ',', '，', '、', ';'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

fn register_markup(ctx: &Ctx, error: Option<&str>) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        l.t("登记举报", "Register a complaint"),
        false,
        html! {
            h1 { (l.t("登记举报", "Register a complaint")) }
            (subnav(ctx))
            @if let Some(e) = error { p.error #refusal { (e) } }
            form.stack method="post" action="/complaints/new" {
                input type="hidden" name="csrf" value=(ctx.user.csrf);
                label { (l.t("渠道", "Channel")) " "
                    select name="channel" {
                        @for c in Channel::ALL { option value=(c.code()) { (l.v(*c)) } }
                    }
                }
                label { (l.t("被举报事项所在地（区划代码）", "Where the matter is (area code)")) " " input name="subject_area" required maxlength="12" pattern="[0-9]{2,12}"; }
                label { (l.t("举报内容", "Content")) textarea name="content" required maxlength="4000" rows="6" {} }
                label { (l.t("被举报单位", "Accused unit")) " " input name="accused_unit" maxlength="100"; }
                label { (l.t("被举报单位所在地（区划代码）", "Accused unit's area code")) " " input name="accused_unit_area" maxlength="12"; }
                label { (l.t("被举报人", "Accused person")) " " input name="accused_person" maxlength="50"; }
                label { (l.t("被举报人所在单位", "Accused person's unit")) " " input name="accused_person_unit" maxlength="100"; }
                label { (l.t("问题类别（代码，空格分隔）", "Classes (codes, space-separated)")) " " input name="classes" maxlength="200" placeholder="S000-04 favouritism"; }
                fieldset {
                    legend { (l.t("举报人（加密保存，仅有查看权限者可见；可不填）", "Complainant (sealed; only the sealed permission sees it; optional)")) }
                    label { (l.t("姓名", "Name")) " " input name="name" maxlength="50" autocomplete="off"; }
                    label { (l.t("电话", "Phone")) " " input name="phone" maxlength="20" autocomplete="off"; }
                    label { (l.t("身份证号", "ID number")) " " input name="id_number" maxlength="18" autocomplete="off"; }
                }
                button type="submit" { (l.t("登记（当日）", "Register (today)")) }
            }
        },
    )
}

pub async fn new_page(ctx: Ctx) -> Markup {
    register_markup(&ctx, None)
}

pub async fn register(
    State(state): State<AppState>,
    Posted { ctx, form }: Posted<RegisterForm>,
) -> Result<Response, PageError> {
    let result = match Channel::parse(&form.channel) {
        Err(p) => Err(WebError::BadRequest(format!("{} / {p}", p.zh()))),
        Ok(channel) => {
            let input = NewComplaint {
                channel,
                subject_area: form.subject_area.clone(),
                content: form.content.clone(),
                accused_unit: form.accused_unit.clone(),
                accused_unit_area: form.accused_unit_area.clone(),
                accused_person: form.accused_person.clone(),
                accused_person_unit: form.accused_person_unit.clone(),
                classes: split_classes(&form.classes),
                complainant: ComplainantInput {
                    name: form.name.clone(),
                    phone: form.phone.clone(),
                    id_number: form.id_number.clone(),
                },
            };
            svc::register(
                state.store.as_ref(),
                &state.sealer,
                &ctx.user.account,
                &input,
                today_in_china(),
            )
            .await
            .map_err(WebError::from)
        }
    };
    match result {
        Ok(v) => Ok(Redirect::to(&format!("/complaints/{}", v.id)).into_response()),
        Err(e @ (WebError::BadRequest(_) | WebError::Conflict(_))) => {
            let msg = e.public_detail().unwrap_or_default();
            Ok((e.parts().0, register_markup(&ctx, Some(&msg))).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn round_markup(l: Lang, r: &Round) -> Markup {
    html! {
        dl.round {
            dt { (l.t("开始", "Opened")) } dd { (l.date(r.opened_on)) }
            dt { (l.t("办理地", "Handled in")) } dd { (r.area) }
            @if let Some(u) = &r.unit { dt { (l.t("承办单位", "Unit")) } dd { (u.name) " (" (u.area) ")" } }
            @if let Some(e) = &r.verification { dt { (l.t("核查情况", "Verification")) } dd { (l.date(e.on)) " · " (e.by) ": " (e.text) } }
            @if let Some(f) = r.finding { dt { (l.t("结果", "Finding")) } dd { (l.v(f)) } }
            @if let Some(e) = &r.action { dt { (l.t("处理措施", "Action")) } dd { (l.date(e.on)) " · " (e.text) } }
            @if let Some(e) = &r.reply { dt { (l.t("答复", "Reply")) } dd { (l.date(e.on)) " · " (e.text) } }
            @if let Some((s, on)) = r.satisfaction { dt { (l.t("满意度", "Satisfaction")) } dd { (l.v(s)) " · " (l.date(on)) } }
        }
    }
}

fn act_form(ctx: &Ctx, v: &ComplaintView, act: &str, label: &str, fields: Markup) -> Markup {
    html! {
        form.act method="post" action={ "/complaints/" (v.id) } {
            input type="hidden" name="csrf" value=(ctx.user.csrf);
            input type="hidden" name="version" value=(v.version);
            input type="hidden" name="act" value=(act);
            (fields)
            button type="submit" { (label) }
        }
    }
}

fn detail_markup(
    ctx: &Ctx,
    v: &ComplaintView,
    error: Option<&str>,
    identity: Option<&svc::Identity>,
) -> Markup {
    use ComplaintState::*;
    let l = ctx.lang;
    let c = &v.complaint;
    let today = today_in_china();
    let state = c.state;
    html! {
        h1 { (l.t("举报", "Complaint")) " " (c.ticket) }
        (subnav(ctx))
        @if let Some(e) = error { p.error #refusal { (e) } }
        dl #complaint {
            dt { (l.t("状态", "State")) } dd #state { (l.v(state)) @if v.overdue { " " span.error { (l.t("超期", "overdue")) } } }
            dt { (l.t("渠道", "Channel")) } dd { (l.v(c.channel)) }
            dt { (l.t("登记日期", "Registered")) } dd { (l.date(c.registered_on)) }
            dt { (l.t("所在地", "Subject area")) } dd { (c.subject_area) }
            dt { (l.t("主办", "Owner")) } dd { (c.owner_area) }
            dt { (l.t("转办期限", "Route by")) } dd { (opt_date(l, v.route_due)) }
            dt { (l.t("答复期限", "Reply due")) } dd { (opt_date(l, v.reply_due)) }
            dt { (l.t("内容", "Content")) } dd.pre { (c.content) }
            @if let Some(u) = &c.accused.unit { dt { (l.t("被举报单位", "Accused unit")) } dd { (u) } }
            @if let Some(p) = &c.accused.person { dt { (l.t("被举报人", "Accused person")) } dd { (p) } }
            @if let Some(p) = &c.accused.person_unit { dt { (l.t("被举报人所在单位", "Accused person's unit")) } dd { (p) } }
            dt { (l.t("问题类别", "Classes")) } dd { @for k in &c.classes { span.tag title=(k.zh()) { (k.code()) } " " } }
            dt { (l.t("举报人", "Complainant")) }
            dd #identity {
                @if v.anonymous { (l.t("匿名", "anonymous")) }
                @else if let Some(i) = identity {
                    (i.name.clone().unwrap_or_default()) " · " (i.phone.clone().unwrap_or_default()) " · " (i.id_number.clone().unwrap_or_default())
                    " " span.muted { (l.t("（本次查看已记入审计日志）", "(this reading is in the audit log)")) }
                } @else {
                    (l.t("已密封", "sealed"))
                    @if ctx.user.account.may_unseal(today) {
                        form.inline method="post" action={ "/complaints/" (v.id) "/identity" } {
                            input type="hidden" name="csrf" value=(ctx.user.csrf);
                            " " button type="submit" { (l.t("查看（记入审计）", "Show (audited)")) }
                        }
                    }
                }
            }
        }
        h2 { (l.t("办理", "Handling")) }
        @for (i, r) in c.rounds().enumerate() { h3 { (l.t("第", "Round ")) (i + 1) (l.t("轮", "")) } (round_markup(l, r)) }
        @if !c.escalations.is_empty() {
            h3 { (l.t("提级", "Escalations")) }
            ul { @for e in &c.escalations { li { (l.date(e.on)) ": " (e.from) " → " (e.to) " (" (l.t("期限", "due")) " " (l.date(e.due)) ")" } } }
        }
        @if state != Closed {
            h2 { (l.t("下一步", "Next")) }
            @if matches!(state, Registered | Routed | Escalated) {
                (act_form(ctx, v, "route", l.t("转办", "Route"), html! {
                    label { (l.t("承办单位所在地（区划代码）", "Unit's area code")) " " input name="unit_area" required maxlength="12"; }
                    label { (l.t("承办单位", "Unit")) " " input name="unit_name" required maxlength="100"; }
                    label { (l.t("复杂程度", "Complexity")) " " select name="complexity" { @for k in Complexity::ALL { option value=(k.code()) { (l.v(*k)) } } } }
                }))
            }
            @if matches!(state, Routed | UnderReview) && c.round().verification.is_none() {
                (act_form(ctx, v, "verify", l.t("记录核查", "Record the verification"), html! {
                    label { (l.t("核查情况", "Verification")) textarea name="note" required maxlength="4000" {} }
                }))
            }
            @if matches!(state, Handling | UnderReview) && c.round().verification.is_some() && c.round().finding.is_none() {
                (act_form(ctx, v, "finding", l.t("记录结果", "Record the finding"), html! {
                    label { (l.t("结果", "Finding")) " " select name="finding" { @for f in Finding::ALL { option value=(f.code()) { (l.v(*f)) } } } }
                    label { (l.t("处理措施", "Action taken")) textarea name="action" required maxlength="4000" {} }
                }))
            }
            @if matches!(state, Handling | UnderReview) && c.round().finding.is_some() {
                (act_form(ctx, v, "reply", l.t("答复举报人", "Reply to the complainant"), html! {
                    label { (l.t("答复内容（持查询码者可见）", "Reply (shown to the ticket holder)")) textarea name="text" required maxlength="4000" {} }
                }))
            }
            @if state == Replied && c.round().satisfaction.is_none() {
                (act_form(ctx, v, "satisfaction", l.t("记录满意度", "Record satisfaction"), html! {
                    select name="satisfaction" { @for s in Satisfaction::ALL { option value=(s.code()) { (l.v(*s)) } } }
                }))
            }
            (act_form(ctx, v, "close", l.t("办结", "Close"), html! {}))
            (act_form(ctx, v, "classify", l.t("分类", "Classify"), html! {
                input name="classes" maxlength="200" value=(c.classes.iter().map(|k| k.code()).collect::<Vec<_>>().join(" "));
            }))
        }
        @if v.review_until.is_some_and(|u| today <= u) {
            (act_form(ctx, v, "review", l.t("代为申请复查", "Ask for review on the complainant's behalf"), html! {
                label { (l.t("复查理由", "Reason")) textarea name="reason" required maxlength="4000" {} }
            }))
        }
    }
}

pub async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let v = svc::get(
        state.store.as_ref(),
        &ctx.user.account,
        id,
        today_in_china(),
    )
    .await?;
    let title = format!("{} {}", ctx.t("举报", "Complaint"), v.complaint.ticket);
    Ok(layout(
        &ctx,
        &title,
        false,
        detail_markup(&ctx, &v, None, None),
    ))
}

/// The form of an act.
#[derive(Debug, Default, Deserialize)]
pub struct ActForm {
    csrf: String,
    version: i64,
    act: String,
    #[serde(default)]
    unit_area: String,
    #[serde(default)]
    unit_name: String,
    #[serde(default)]
    complexity: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    finding: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    satisfaction: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    classes: String,
}

impl CsrfField for ActForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

fn vocab<V: Vocabulary>(field: &str, text: &str) -> Result<V, WebError> {
    V::parse(text).map_err(|p| WebError::BadRequest(format!("{field}: {} / {p}", p.zh())))
}

impl ActForm {
    fn act(&self) -> Result<ComplaintAct, WebError> {
        Ok(match self.act.as_str() {
            "route" => ComplaintAct::Route {
                unit_area: self.unit_area.clone(),
                unit_name: self.unit_name.clone(),
                complexity: vocab("complexity", &self.complexity)?,
            },
            "verify" => ComplaintAct::Verify {
                note: self.note.clone(),
            },
            "finding" => ComplaintAct::Finding {
                finding: vocab("finding", &self.finding)?,
                action: self.action.clone(),
            },
            "reply" => ComplaintAct::Reply {
                text: self.text.clone(),
            },
            "satisfaction" => ComplaintAct::Satisfaction {
                satisfaction: vocab("satisfaction", &self.satisfaction)?,
            },
            "close" => ComplaintAct::Close,
            "review" => ComplaintAct::Review {
                reason: self.reason.clone(),
            },
            "classify" => ComplaintAct::Classify {
                classes: split_classes(&self.classes),
            },
            _ => return Err(WebError::BadRequest("act: unknown".into())),
        })
    }
}

pub async fn act(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { ctx, form }: Posted<ActForm>,
) -> Result<Response, PageError> {
    let store = state.store.as_ref();
    let today = today_in_china();
    let result = match form.act() {
        Ok(act) => svc::act(store, &ctx.user.account, id, form.version, &act, today)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/complaints/{id}")).into_response()),
        Err(e @ (WebError::BadRequest(_) | WebError::Conflict(_))) => {
            let v = svc::get(store, &ctx.user.account, id, today).await?;
            let msg = e.public_detail().unwrap_or_default();
            let title = format!("{} {}", ctx.t("举报", "Complaint"), v.complaint.ticket);
            Ok((
                e.parts().0,
                layout(
                    &ctx,
                    &title,
                    false,
                    detail_markup(&ctx, &v, Some(&msg), None),
                ),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The form that asks for the identity (CSRF only).
#[derive(Debug, Default, Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

impl CsrfField for CsrfOnly {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn identity(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { ctx, form: _ }: Posted<CsrfOnly>,
) -> Result<Markup, PageError> {
    let store = state.store.as_ref();
    let today = today_in_china();
    let i = svc::identity(store, &state.sealer, &ctx.user.account, id, today).await?;
    let v = svc::get(store, &ctx.user.account, id, today).await?;
    let title = format!("{} {}", ctx.t("举报", "Complaint"), v.complaint.ticket);
    Ok(layout(
        &ctx,
        &title,
        false,
        detail_markup(&ctx, &v, None, Some(&i)),
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct DayQuery {
    day: Option<String>,
}

pub async fn digest_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DayQuery>,
) -> Result<Markup, PageError> {
    let l = ctx.lang;
    let day = parse_day(q.day.as_deref())?;
    let d = svc::digest(
        state.store.as_ref(),
        &ctx.user.account,
        day,
        today_in_china(),
    )
    .await?;
    Ok(layout(
        &ctx,
        l.t("信访举报快报", "Complaints digest"),
        false,
        html! {
            h1 { (l.t("信访举报快报", "Complaints digest")) " " (l.date(day)) }
            (subnav(&ctx))
            form.filters method="get" action="/complaints/digest" {
                input type="date" name="day" value=(day.to_string());
                " " button type="submit" { (l.t("查看", "Show")) }
                " " a href={ "/complaints/digest.csv?day=" (day) } { "CSV" }
                " · " a href={ "/complaints/digest.xlsx?day=" (day) } { "Excel" }
            }
            table #digest-figures {
                tr { th { (l.t("当日登记", "Registered that day")) } td.num { (d.registered.len()) } }
                tr { th { (l.t("待答复", "Awaiting a reply")) } td.num { (d.open) } }
                tr { th { (l.t("超期", "Overdue")) } td.num { (d.overdue) } }
                tr { th { (l.t("当日提级", "Escalated that day")) } td.num { (d.escalated) } }
                tr { th { (l.t("当日答复", "Replied that day")) } td.num { (d.replied_today) } }
                tr { th { (l.t("当日办结", "Closed that day")) } td.num { (d.closed_today) } }
            }
            table #digest {
                tr { th { (l.t("查询码", "Ticket")) } th { (l.t("渠道", "Channel")) } th { (l.t("所在地", "Area")) } th { (l.t("问题类别", "Classes")) } th { (l.t("状态", "State")) } th { (l.t("转办期限", "Route by")) } }
                @for line in &d.registered {
                    tr {
                        td { a href={ "/complaints/" (line.id) } { (line.ticket) } }
                        td { (l.v(line.channel)) }
                        td { (line.subject_name) }
                        td { (line.classes.join(" ")) }
                        td { (l.v(line.state)) }
                        td { (opt_date(l, line.route_due)) }
                    }
                }
            }
        },
    ))
}

async fn digest_file(
    state: AppState,
    ctx: Ctx,
    q: DayQuery,
    xlsx: bool,
) -> Result<Response, PageError> {
    let day = parse_day(q.day.as_deref())?;
    let store = state.store.as_ref();
    let d = svc::digest(store, &ctx.user.account, day, today_in_china()).await?;
    let bytes = svc::digest_export(store, &ctx.user.account, &d, xlsx).await?;
    Ok(download(bytes, xlsx, day))
}

pub async fn digest_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DayQuery>,
) -> Result<Response, PageError> {
    digest_file(state, ctx, q, false).await
}

pub async fn digest_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DayQuery>,
) -> Result<Response, PageError> {
    digest_file(state, ctx, q, true).await
}

fn counts(l: Lang, id: &str, title: &str, v: &[svc::Count]) -> Markup {
    html! {
        h2 { (title) }
        table id=(id) {
            @for c in v { tr { th { (l.t(&c.zh, &c.en)) } td.num { (c.count) } } }
        }
    }
}

pub async fn statistics_page(State(state): State<AppState>, ctx: Ctx) -> Result<Markup, PageError> {
    let l = ctx.lang;
    let s = svc::statistics(state.store.as_ref(), &ctx.user.account, today_in_china()).await?;
    Ok(layout(
        &ctx,
        l.t("信访举报统计", "Complaint statistics"),
        false,
        html! {
            h1 { (l.t("信访举报统计", "Complaint statistics")) }
            (subnav(&ctx))
            p { (l.t("合计：", "Total: ")) (s.total) }
            (counts(l, "by-category", l.t("按问题类别", "By category"), &s.by_category))
            (counts(l, "by-area", l.t("按地区", "By area"), &s.by_area))
            (counts(l, "by-channel", l.t("按渠道", "By channel"), &s.by_channel))
            (counts(l, "by-result", l.t("按结果", "By result"), &s.by_result))
            (counts(l, "timeliness", l.t("按时效", "By timeliness"), &s.timeliness))
        },
    ))
}
