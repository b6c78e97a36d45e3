//! The procedure pages: the cases of the account's area (in progress, or waiting for it), one
//! case with its history and the form of its next step (or of an objection, or of its
//! resolution), and opening a case from a household's page. The rules are the domain's; a
//! refusal is shown on the page with its reason.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jingzhun_domain::procedure::{CaseState, Evidence, ProcedureKind, Step, acts_as};
use jingzhun_domain::registry::HouseholdId;
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_service::procedures::{self, Act};
use jingzhun_service::today_in_china;
use jingzhun_store::procedures::CaseRecord;
use maud::{Markup, html};
use serde::Deserialize;

use super::{CsrfField, Ctx, PageError, Posted, layout};
use crate::AppState;
use crate::error::WebError;
use crate::i18n::Lang;

fn state_label(l: Lang, s: CaseState) -> &'static str {
    match s {
        CaseState::Open => l.t("办理中", "open"),
        CaseState::Suspended => l.t("异议处理中", "suspended by an objection"),
        CaseState::Completed => l.t("已办结", "completed"),
        CaseState::Closed => l.t("已终止", "closed"),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    waiting: Option<String>,
    #[serde(default)]
    all: Option<String>,
    #[serde(default)]
    ending: Option<String>,
    #[serde(default)]
    overdue: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Markup, PageError> {
    let l = ctx.lang;
    let waiting = q.waiting.is_some();
    let all = q.all.is_some();
    let ending = q.ending.is_some();
    let overdue = q.overdue.is_some();
    let store = state.store.as_ref();
    let account = &ctx.user.account;
    let today = today_in_china();
    // When each case's step was due, for the overdue list.
    let mut due: std::collections::HashMap<i64, chrono::NaiveDate> = Default::default();
    let cases = if overdue {
        let list = procedures::overdue(store, account, today).await?;
        list.into_iter()
            .map(|(c, d)| {
                due.insert(c.id, d);
                c
            })
            .collect()
    } else if ending {
        procedures::notices_ending(store, account, today, 7).await?
    } else {
        procedures::list(store, account, !all, waiting, today).await?
    };
    Ok(layout(
        &ctx,
        l.t("程序办理", "Procedures"),
        false,
        html! {
            h1 { (l.t("程序办理", "Procedures")) }
            @if ctx.user.account.has_role(jingzhun_domain::access::Role::VillageClerk, today_in_china()) {
                p { a.button href="/procedures/apply" { (l.t("登记新申请户", "Register an application")) } }
            }
            nav.tabs {
                a href="/procedures?waiting=1" class=[waiting.then_some("on")] { (l.t("待我办理", "Waiting for me")) }
                a href="/procedures" class=[(!waiting && !all && !ending && !overdue).then_some("on")] { (l.t("办理中", "In progress")) }
                a href="/procedures?ending=1" class=[ending.then_some("on")] { (l.t("本周公示期满", "Notices ending this week")) }
                a href="/procedures?overdue=1" class=[overdue.then_some("on")] { (l.t("逾期未办", "Overdue steps")) }
                a href="/procedures?all=1" class=[all.then_some("on")] { (l.t("全部", "All")) }
                a href="/procedures/batch" { (l.t("按村批量办理", "Batch by village")) }
            }
            @if cases.is_empty() { p.muted { (l.t("没有案件。", "No cases.")) } }
            @else {
                div.scroll { table #cases {
                    tr { th { "#" } th { (l.t("程序", "Procedure")) } th { (l.t("户编号", "Household")) }
                        th { (l.t("状态", "State")) } th { (l.t("下一步", "Next step")) } th { (l.t("公示期至", "Notice until")) }
                        @if overdue { th { (l.t("应办日期", "Due on")) } } }
                    @for c in &cases {
                        tr {
                            td { a href={ "/procedures/" (c.id) } { (c.id) } }
                            td { (l.t(c.case.kind.zh(), c.case.kind.en())) }
                            td { a href={ "/households/" (c.household_id) } { (c.household_id) } }
                            td { (state_label(l, c.case.state)) }
                            td { (c.case.next_step().map_or("—", |s| l.t(s.zh(), s.en()))) }
                            td { (c.case.notice_until.map_or_else(|| "—".to_string(), |d| l.date(d))) }
                            @if let Some(d) = due.get(&c.id) { td.warn { (l.date(*d)) } }
                        }
                    }
                } }
            }
        },
    ))
}

fn evidence_text(l: Lang, e: &Evidence) -> String {
    match e {
        Evidence::Application {
            by_household,
            reason,
        } => format!(
            "{}: {reason}",
            if *by_household {
                l.t("本户申请", "applied for by the household")
            } else {
                l.t("干部摸排", "found by cadres")
            }
        ),
        Evidence::Meeting {
            attendees,
            votes_for,
            votes_against,
            record,
        } => format!(
            "{} {attendees}, {} {votes_for}, {} {votes_against}; {record}",
            l.t("参会", "present"),
            l.t("同意", "for"),
            l.t("反对", "against")
        ),
        Evidence::Visit {
            findings,
            household_consents,
        } => match household_consents {
            Some(true) => format!("{findings}; {}", l.t("户主签字认可", "signed consent")),
            _ => findings.clone(),
        },
        Evidence::Notice { notice_ref } => notice_ref.clone(),
        Evidence::Decision { approved, note } => format!(
            "{}{}{note}",
            if *approved {
                l.t("同意", "approved")
            } else {
                l.t("不同意", "not approved")
            },
            if note.is_empty() { "" } else { ": " }
        ),
    }
}

pub async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let rec = procedures::case_in_reach(
        state.store.as_ref(),
        &ctx.user.account,
        id,
        today_in_china(),
    )
    .await?;
    Ok(detail_markup(&ctx, &rec, None))
}

fn detail_markup(ctx: &Ctx, rec: &CaseRecord, message: Option<&str>) -> Markup {
    let l = ctx.lang;
    let today = today_in_china();
    let case = &rec.case;
    let next = case.next_step();
    let notice_running = case.notice_until.is_some_and(|d| today < d);
    let may_step = next.is_some_and(|s| acts_as(&ctx.user.account, s.role(), &case.village, today))
        && case.state == CaseState::Open;
    let open_objection = case.objections.iter().find(|o| o.resolution.is_none());
    let may_resolve = open_objection
        .is_some_and(|o| acts_as(&ctx.user.account, o.during.role(), &case.village, today));
    let may_object = notice_running
        && matches!(case.state, CaseState::Open | CaseState::Suspended)
        && ctx.user.account.keeps_registry(today);
    layout(
        ctx,
        l.t("程序", "Procedure"),
        false,
        html! {
            nav.crumbs { a href="/procedures" { (l.t("程序办理", "Procedures")) } }
            h1 { (l.t(case.kind.zh(), case.kind.en())) " #" (rec.id) " · " a href={ "/households/" (rec.household_id) } { (rec.household_id) } }
            p #case-state { (state_label(l, case.state))
                @if let Some(r) = &case.closed_reason { " · " (r) }
                @if let Some(d) = case.notice_until { " · " (l.t("公示期至 ", "notice until ")) (l.date(d)) } }
            @if let Some(m) = message { p.error role="alert" { (m) } }
            h2 { (l.t("办理经过", "History")) }
            ol #case-steps {
                @for s in case.kind.steps() {
                    @let done = case.steps.iter().find(|r| r.step == *s);
                    li class=[done.is_none().then_some("muted")] {
                        strong { (l.t(s.zh(), s.en())) }
                        @if let Some(r) = done { " · " (l.date(r.on)) " · " (r.by) " · " (evidence_text(l, &r.evidence)) }
                        @else { " · " (l.t(s.role().zh(), s.role().en())) }
                    }
                }
            }
            @if !case.objections.is_empty() {
                h2 { (l.t("异议", "Objections")) }
                ul { @for o in &case.objections {
                    li { (l.date(o.filed_on)) " · " (o.text) " · "
                        @match &o.resolution {
                            Some((upheld, note, on)) => { (if *upheld { l.t("异议成立", "upheld") } else { l.t("异议不成立", "dismissed") }) " (" (l.date(*on)) "): " (note) },
                            None => span.badge.warn { (l.t("待处理", "open")) },
                        } }
                } }
            }
            @if may_step { @if let Some(step) = next { (step_form(ctx, rec, step, notice_running)) } }
            @if may_resolve {
                form.stack.panel method="post" action={ "/procedures/" (rec.id) } {
                    h2 { (l.t("记录异议处理结果", "Record the resolution")) }
                    input type="hidden" name="csrf" value=(ctx.user.csrf);
                    input type="hidden" name="version" value=(rec.version);
                    input type="hidden" name="act" value="resolve";
                    label { input type="radio" name="upheld" value="false" checked; (l.t("异议不成立，继续办理", "dismissed: the case goes on")) }
                    label { input type="radio" name="upheld" value="true"; (l.t("异议成立，终止程序", "upheld: the case ends")) }
                    label { (l.t("核实情况", "What was found")) textarea name="note" maxlength="2000" rows="3" required {} }
                    button.primary type="submit" { (l.t("保存", "Save")) }
                }
            }
            @if let Some(nid) = notice_to_correct(ctx, case, today) {
                form.stack.panel #correction-form method="post" action={ "/procedures/notices/" (nid) "/correction" } {
                    h2 { (l.t("更正公示", "Correct the notice")) }
                    p.muted { (l.t("已发布的公示不能修改：更正将发布一份新公示，注明所更正的公示及理由，公示期重新计算。",
                        "A published notice is never edited: the correction is a new notice naming the one it corrects and why; the period starts again.")) }
                    input type="hidden" name="csrf" value=(ctx.user.csrf);
                    input type="hidden" name="case" value=(rec.id);
                    label { (l.t("更正理由", "Reason")) textarea name="reason" maxlength="500" rows="2" required {} }
                    button type="submit" { (l.t("发布更正公示", "Publish the correction")) }
                }
            }
            @if may_object {
                form.stack.panel method="post" action={ "/procedures/" (rec.id) } {
                    h2 { (l.t("代群众登记异议", "File an objection on a resident's behalf")) }
                    input type="hidden" name="csrf" value=(ctx.user.csrf);
                    input type="hidden" name="version" value=(rec.version);
                    input type="hidden" name="act" value="object";
                    label { (l.t("异议内容", "The objection")) textarea name="text" maxlength="2000" rows="3" required {} }
                    button type="submit" { (l.t("登记异议", "File")) }
                }
            }
        },
    )
}

/// The notice the account may correct on this case: the case waits after a notice step the
/// account takes.
fn notice_to_correct(
    ctx: &Ctx,
    case: &jingzhun_domain::procedure::Case,
    today: chrono::NaiveDate,
) -> Option<i64> {
    if !matches!(case.state, CaseState::Open | CaseState::Suspended) {
        return None;
    }
    let last = case.steps.last().filter(|s| s.step.is_notice())?;
    if !acts_as(&ctx.user.account, last.step.role(), &case.village, today) {
        return None;
    }
    match &last.evidence {
        Evidence::Notice { notice_ref } => notice_ref.strip_prefix('N')?.parse().ok(),
        _ => None,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CorrectionForm {
    csrf: String,
    case: i64,
    reason: String,
}

impl CsrfField for CorrectionForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Publishes the correction of a notice from a case's page.
pub async fn correct_notice(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { ctx, form }: Posted<CorrectionForm>,
) -> Result<Response, PageError> {
    let store = state.store.as_ref();
    let today = today_in_china();
    let rec = procedures::case_in_reach(store, &ctx.user.account, form.case, today).await?;
    match jingzhun_service::notices::correct(store, &ctx.user.account, id, &form.reason, today)
        .await
        .map_err(WebError::from)
    {
        Ok(_) => Ok(Redirect::to(&format!("/procedures/{}", rec.id)).into_response()),
        Err(e @ (WebError::BadRequest(_) | WebError::Conflict(_))) => {
            let msg = e.public_detail().unwrap_or_default();
            Ok((
                axum::http::StatusCode::CONFLICT,
                detail_markup(&ctx, &rec, Some(&msg)),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn step_form(ctx: &Ctx, rec: &CaseRecord, step: Step, notice_running: bool) -> Markup {
    let l = ctx.lang;
    html! {
        form.stack.panel #step-form method="post" action={ "/procedures/" (rec.id) } {
            h2 { (l.t("下一步：", "Next step: ")) (l.t(step.zh(), step.en())) }
            @if notice_running { p.muted { (l.t("公示期未满，期满后方可办理。", "The notice period has not ended yet.")) } }
            input type="hidden" name="csrf" value=(ctx.user.csrf);
            input type="hidden" name="version" value=(rec.version);
            input type="hidden" name="act" value="step";
            input type="hidden" name="step" value=(step.code());
            (evidence_fields(l, step, rec.case.kind))
            button.primary type="submit" { (l.t("提交", "Submit")) }
        }
    }
}

/// The evidence fields of a step's form.
fn evidence_fields(l: Lang, step: Step, kind: ProcedureKind) -> Markup {
    html! {
            @match step {
                Step::Deliberation => {
                    label { (l.t("参会人数", "Present")) input name="attendees" inputmode="numeric" required; }
                    label { (l.t("同意票", "For")) input name="votes_for" inputmode="numeric" required; }
                    label { (l.t("反对票", "Against")) input name="votes_against" inputmode="numeric" required; }
                    label { (l.t("会议记录", "Meeting record")) textarea name="record" maxlength="2000" rows="3" required {} }
                },
                Step::Verification => {
                    label { (l.t("核实情况（八看四查一研判）", "What the visit found")) textarea name="findings" maxlength="2000" rows="3" required {} }
                    @if kind == ProcedureKind::Exit {
                        label { input type="checkbox" name="consents" value="true"; (l.t("户主已签字认可退出", "The household signed its consent to exit")) }
                    }
                },
                Step::FirstNotice | Step::SecondNotice => {
                    label { (l.t("公示地点与编号", "Where and which notice")) input name="notice_ref" maxlength="200" required; }
                },
                Step::Application => {},
                _ => {
                    label { input type="radio" name="approved" value="true" checked; (l.t("同意", "Approve")) }
                    @if step != Step::Announcement {
                        label { input type="radio" name="approved" value="false"; (l.t("不同意（须说明理由）", "Refuse (give the reason)")) }
                    }
                    label { (l.t("意见", "Note")) textarea name="note" maxlength="2000" rows="2" {} }
                },
            }
    }
}

/// Every field any act's form may send.
#[derive(Debug, Default, Deserialize)]
pub struct ActForm {
    csrf: String,
    version: i64,
    act: String,
    #[serde(default)]
    step: String,
    #[serde(default)]
    attendees: String,
    #[serde(default)]
    votes_for: String,
    #[serde(default)]
    votes_against: String,
    #[serde(default)]
    record: String,
    #[serde(default)]
    findings: String,
    #[serde(default)]
    consents: Option<String>,
    #[serde(default)]
    notice_ref: String,
    #[serde(default)]
    approved: Option<String>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    upheld: Option<String>,
}

impl CsrfField for ActForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

fn count(field: &str, text: &str) -> Result<u32, WebError> {
    text.trim()
        .parse()
        .map_err(|_| WebError::BadRequest(format!("{field}: 不是整数 / not a whole number")))
}

impl ActForm {
    fn act(&self) -> Result<Act, WebError> {
        Ok(match self.act.as_str() {
            "object" => Act::Object {
                text: self.text.clone(),
            },
            "resolve" => Act::Resolve {
                upheld: self.upheld.as_deref() == Some("true"),
                note: self.note.clone(),
            },
            "step" => {
                let step = Step::from_code(&self.step)
                    .ok_or_else(|| WebError::BadRequest("step: unknown step".into()))?;
                let evidence = match step {
                    Step::Deliberation => Evidence::Meeting {
                        attendees: count("attendees", &self.attendees)?,
                        votes_for: count("votes_for", &self.votes_for)?,
                        votes_against: count("votes_against", &self.votes_against)?,
                        record: self.record.clone(),
                    },
                    Step::Verification => Evidence::Visit {
                        findings: self.findings.clone(),
                        household_consents: Some(self.consents.as_deref() == Some("true")),
                    },
                    Step::FirstNotice | Step::SecondNotice => Evidence::Notice {
                        notice_ref: self.notice_ref.clone(),
                    },
                    Step::Application => {
                        return Err(WebError::BadRequest(
                            "step: a case is opened from the household's page".into(),
                        ));
                    }
                    _ => Evidence::Decision {
                        approved: self.approved.as_deref() != Some("false"),
                        note: self.note.clone(),
                    },
                };
                Act::Step { step, evidence }
            }
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
        Ok(act) => procedures::act(store, &ctx.user.account, id, form.version, &act, today)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/procedures/{id}")).into_response()),
        Err(e @ (WebError::BadRequest(_) | WebError::Conflict(_))) => {
            let rec = procedures::case_in_reach(store, &ctx.user.account, id, today).await?;
            let msg = e.public_detail().unwrap_or_default();
            Ok(detail_markup(&ctx, &rec, Some(&msg)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Opening a case from a household's page.
#[derive(Debug, Default, Deserialize)]
pub struct StartForm {
    csrf: String,
    household_id: String,
    kind: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    by_household: Option<String>,
}

impl CsrfField for StartForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn start(
    State(state): State<AppState>,
    Posted { ctx, form }: Posted<StartForm>,
) -> Result<Response, PageError> {
    let l = ctx.lang;
    let kind = ProcedureKind::from_code(&form.kind)
        .ok_or_else(|| WebError::BadRequest("kind: unknown procedure".into()))?;
    let id = HouseholdId::parse(&form.household_id).map_err(|_| WebError::NotFound)?;
    let evidence = Evidence::Application {
        by_household: form.by_household.as_deref() == Some("true"),
        reason: form.reason.clone(),
    };
    match procedures::start(
        state.store.as_ref(),
        &ctx.user.account,
        &id,
        kind,
        evidence,
        today_in_china(),
    )
    .await
    .map_err(WebError::from)
    {
        Ok(rec) => Ok(Redirect::to(&format!("/procedures/{}", rec.id)).into_response()),
        Err(e @ (WebError::BadRequest(_) | WebError::Conflict(_) | WebError::Forbidden)) => {
            let msg = e.public_detail().unwrap_or_else(|| {
                l.t("本账户的角色无权进行此操作", "your roles do not allow this")
                    .into()
            });
            Ok(layout(
                &ctx,
                l.t("程序", "Procedure"),
                false,
                html! {
                    h1 { (l.t("未能启动程序", "The procedure was not started")) }
                    p.error role="alert" { (msg) }
                    p { a href={ "/households/" (id.as_str()) } { (l.t("返回户档", "Back to the household")) } }
                },
            )
            .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The procedures panel of a household page: its cases, and the form to open one.
pub fn household_panel(ctx: &Ctx, household_id: &str, cases: &[CaseRecord]) -> Markup {
    let l = ctx.lang;
    let may_start = ctx.user.account.has_role(
        jingzhun_domain::access::Role::VillageClerk,
        today_in_china(),
    );
    html! {
        section.panel #household-procedures {
            h2 { (l.t("程序", "Procedures")) }
            @if cases.is_empty() { p.muted { (l.t("暂无。", "None yet.")) } }
            ul { @for c in cases {
                li { a href={ "/procedures/" (c.id) } { (l.t(c.case.kind.zh(), c.case.kind.en())) " #" (c.id) } " · " (state_label(l, c.case.state)) }
            } }
            @if may_start {
                form.stack method="post" action="/procedures" {
                    input type="hidden" name="csrf" value=(ctx.user.csrf);
                    input type="hidden" name="household_id" value=(household_id);
                    label { (l.t("启动程序", "Start a procedure")) select name="kind" {
                        @for k in ProcedureKind::ALL { option value=(k.code()) { (l.t(k.zh(), k.en())) } }
                    } }
                    label { input type="checkbox" name="by_household" value="true"; (l.t("本户申请（否则为干部摸排）", "Applied for by the household (else found by cadres)")) }
                    label { (l.t("理由", "Reason")) textarea name="reason" maxlength="2000" rows="2" required {} }
                    button type="submit" { (l.t("启动", "Start")) }
                }
            }
        }
    }
}

/// Rows of members the application page offers (empty rows are ignored).
const MEMBER_ROWS: usize = 8;

/// A posted form kept as its pairs, for forms with repeated rows.
#[derive(Debug, Default, Deserialize)]
#[serde(transparent)]
pub struct PairsForm(Vec<(String, String)>);

impl CsrfField for PairsForm {
    fn csrf(&self) -> &str {
        self.get("csrf")
    }
}

impl PairsForm {
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// `h.FIELD` into the household, `mN.FIELD` into member N (a row left empty is dropped).
    fn application(&self) -> procedures::ApplicationForm {
        let mut form = procedures::ApplicationForm::default();
        let mut rows: Vec<std::collections::BTreeMap<String, String>> =
            vec![Default::default(); MEMBER_ROWS];
        for (k, v) in &self.0 {
            if let Some(f) = k.strip_prefix("h.") {
                form.household.insert(f.to_string(), v.clone());
            } else if let Some((n, f)) = k.strip_prefix('m').and_then(|r| r.split_once('.'))
                && let Ok(n) = n.parse::<usize>()
                && (1..=MEMBER_ROWS).contains(&n)
            {
                rows[n - 1].insert(f.to_string(), v.clone());
            }
        }
        form.members = rows
            .into_iter()
            .filter(|r| r.values().any(|v| !v.trim().is_empty()))
            .collect();
        form
    }
}

fn select_of<V: Vocabulary>(l: Lang, name: &str, optional: bool, chosen: &str) -> Markup {
    html! {
        select name=(name) {
            @if optional { option value="" { "—" } }
            @for v in V::ALL { option value=(v.code()) selected[v.code() == chosen] { (l.t(v.zh(), v.en())) } }
        }
    }
}

/// The application form of a household the registry does not hold (village clerks).
pub async fn apply_page(ctx: Ctx) -> Result<Markup, PageError> {
    Ok(apply_markup(&ctx, &PairsForm::default(), None))
}

fn apply_markup(ctx: &Ctx, given: &PairsForm, problems: Option<&str>) -> Markup {
    use jingzhun_domain::vocab::{Cause, Gender, Health, PovertyType, Relation, SchoolStatus};
    let l = ctx.lang;
    let today = today_in_china();
    let villages: Vec<String> = ctx
        .user
        .account
        .active(today)
        .filter(|a| a.role == jingzhun_domain::access::Role::VillageClerk)
        .map(|a| a.area.as_str().to_string())
        .collect();
    let v = |name: &str| given.get(name).to_string();
    let yes_no = |name: &str| {
        let chosen = given.get(name);
        html! { select name=(name) required {
            option value="" { "—" }
            option value="是" selected[chosen == "是"] { (l.t("是", "yes")) }
            option value="否" selected[chosen == "否"] { (l.t("否", "no")) }
        } }
    };
    layout(
        ctx,
        l.t("贫困户申请", "Application"),
        false,
        html! {
            nav.crumbs { a href="/procedures" { (l.t("程序办理", "Procedures")) } }
            h1 { (l.t("登记新申请户", "Register a household's application")) }
            p.muted { (l.t("系统中尚无此户时使用：登记后状态为“申请中”，并启动识别程序。户编号由系统生成。",
                "For a household the registry does not hold: it is registered as an applicant and its identification starts. The platform gives the number.")) }
            @if villages.is_empty() {
                p.error role="alert" { (l.t("只有村级经办人可以登记申请。", "Only village clerks register applications.")) }
            }
            @if let Some(p) = problems {
                div.error role="alert" #application-problems { p { (l.t("申请未登记，请修改以下问题：", "The application was not registered; please fix:")) } pre { (p) } }
            }
            form.stack.panel #application-form method="post" action="/procedures/apply" {
                input type="hidden" name="csrf" value=(ctx.user.csrf);
                label { (l.t("程序", "Procedure")) select name="kind" {
                    @for k in [ProcedureKind::Identification, ProcedureKind::NewIdentification, ProcedureKind::MonitoringEntry] {
                        option value=(k.code()) selected[given.get("kind") == k.code()] { (l.t(k.zh(), k.en())) }
                    }
                } }
                label { (l.t("村", "Village")) select name="h.village_code" required {
                    @for c in &villages { option value=(c) selected[given.get("h.village_code") == c] { (c) } }
                } }
                label { (l.t("村民小组", "Group")) input name="h.group_name" maxlength="50" value=(v("h.group_name")); }
                label { (l.t("住址", "Address")) input name="h.address" maxlength="200" value=(v("h.address")); }
                label { (l.t("联系电话", "Phone")) input name="h.phone" inputmode="tel" maxlength="20" value=(v("h.phone")); }
                label { (l.t("贫困户属性", "Poverty type")) (select_of::<PovertyType>(l, "h.poverty_type", true, given.get("h.poverty_type"))) }
                label { (l.t("主要致贫原因", "Main cause")) (select_of::<Cause>(l, "h.primary_cause", true, given.get("h.primary_cause"))) }
                label { (l.t("住房安全", "Housing safe")) (yes_no("h.housing_safe")) }
                label { (l.t("饮水安全", "Water safe")) (yes_no("h.water_safe")) }
                label { (l.t("家庭年纯收入（元）", "Yearly net income (yuan)")) input name="h.annual_net_income" inputmode="decimal" required value=(v("h.annual_net_income")); }
                label { (l.t("收入年度", "Income year")) input name="h.income_year" inputmode="numeric" required value=(v("h.income_year")); }
                h2 { (l.t("家庭成员", "Members")) }
                div.scroll { table #application-members {
                    tr { th { "#" } th { (l.t("姓名", "Name")) } th { (l.t("身份证号", "ID number")) } th { (l.t("与户主关系", "Relation")) }
                        th { (l.t("性别", "Sex")) } th { (l.t("出生日期", "Birth date")) } th { (l.t("在校生状况", "School")) }
                        th { (l.t("健康状况", "Health")) } th { (l.t("基本医保", "Medical insurance")) } }
                    @for n in 1..=MEMBER_ROWS {
                        @let f = |x: &str| format!("m{n}.{x}");
                        tr {
                            td { (n) }
                            td { input name=(f("name")) maxlength="50" value=(v(&f("name"))); }
                            td { input name=(f("id_number")) maxlength="18" value=(v(&f("id_number"))); }
                            td { (select_of::<Relation>(l, &f("relation"), true, given.get(&f("relation")))) }
                            td { (select_of::<Gender>(l, &f("gender"), true, given.get(&f("gender")))) }
                            td { input name=(f("birth_date")) type="date" value=(v(&f("birth_date"))); }
                            td { (select_of::<SchoolStatus>(l, &f("school_status"), true, given.get(&f("school_status")))) }
                            td { (select_of::<Health>(l, &f("health"), true, given.get(&f("health")))) }
                            td { select name=(f("medical_insurance")) {
                                option value="" { "—" }
                                option value="是" selected[given.get(&f("medical_insurance")) == "是"] { (l.t("是", "yes")) }
                                option value="否" selected[given.get(&f("medical_insurance")) == "否"] { (l.t("否", "no")) }
                            } }
                        }
                    }
                } }
                label { input type="checkbox" name="by_household" value="true" checked[given.get("by_household") == "true"]; (l.t("本户申请（否则为干部摸排发现）", "Applied for by the household (else found by cadres)")) }
                label { (l.t("申请理由", "Reason")) textarea name="reason" maxlength="2000" rows="2" required { (v("reason")) } }
                button.primary type="submit" { (l.t("登记并启动程序", "Register and start")) }
            }
        },
    )
}

pub async fn apply(
    State(state): State<AppState>,
    Posted { ctx, form }: Posted<PairsForm>,
) -> Result<Response, PageError> {
    let l = ctx.lang;
    let kind = ProcedureKind::from_code(form.get("kind"))
        .ok_or_else(|| WebError::BadRequest("kind: unknown procedure".into()))?;
    let evidence = Evidence::Application {
        by_household: form.get("by_household") == "true",
        reason: form.get("reason").to_string(),
    };
    let result = procedures::apply(
        state.store.as_ref(),
        &ctx.user.account,
        kind,
        &form.application(),
        evidence,
        today_in_china(),
    )
    .await
    .map_err(WebError::from);
    match result {
        Ok(rec) => Ok(Redirect::to(&format!("/procedures/{}", rec.id)).into_response()),
        Err(
            e @ (WebError::Unprocessable(_)
            | WebError::BadRequest(_)
            | WebError::Conflict(_)
            | WebError::Forbidden),
        ) => {
            let msg = e.public_detail().unwrap_or_else(|| {
                l.t("本账户的角色无权进行此操作", "your roles do not allow this")
                    .into()
            });
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                apply_markup(&ctx, &form, Some(&msg)),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

impl PairsForm {
    /// Every value of a repeated field.
    fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The act fields of a batch form, read as the one-case form reads them.
    fn act_form(&self) -> ActForm {
        let opt = |k: &str| Some(self.get(k).to_string()).filter(|v| !v.is_empty());
        ActForm {
            csrf: self.get("csrf").into(),
            version: 0,
            act: self.get("act").into(),
            step: self.get("step").into(),
            attendees: self.get("attendees").into(),
            votes_for: self.get("votes_for").into(),
            votes_against: self.get("votes_against").into(),
            record: self.get("record").into(),
            findings: self.get("findings").into(),
            consents: opt("consents"),
            notice_ref: self.get("notice_ref").into(),
            approved: opt("approved"),
            note: self.get("note").into(),
            text: self.get("text").into(),
            upheld: opt("upheld"),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct BatchQuery {
    #[serde(default)]
    village: Option<String>,
}

/// A village's cases in progress, grouped by procedure and next step, each group with one
/// form for the step: a village deliberates its list in one meeting, one notice lists the
/// batch, and each case keeps its own history.
pub async fn batch_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BatchQuery>,
) -> Result<Markup, PageError> {
    batch_markup(&state, &ctx, q.village.as_deref(), None).await
}

async fn batch_markup(
    state: &AppState,
    ctx: &Ctx,
    village: Option<&str>,
    message: Option<&str>,
) -> Result<Markup, PageError> {
    let l = ctx.lang;
    let today = today_in_china();
    let village = village
        .map(jingzhun_domain::AreaCode::parse)
        .transpose()
        .map_err(|_| WebError::BadRequest("village: not a village code / 不是村代码".into()))?;
    if let Some(v) = &village
        && !ctx.user.account.may_reach(v, today)
    {
        return Err(WebError::NotFound.into());
    }
    let cases =
        procedures::list(state.store.as_ref(), &ctx.user.account, true, false, today).await?;
    let mut villages: Vec<jingzhun_domain::AreaCode> =
        cases.iter().map(|c| c.case.village).collect();
    villages.sort();
    villages.dedup();
    let mut groups: std::collections::BTreeMap<(&'static str, &'static str), Vec<&CaseRecord>> =
        Default::default();
    for c in &cases {
        if Some(c.case.village) != village || c.case.state != CaseState::Open {
            continue;
        }
        if let Some(step) = c.case.next_step() {
            groups
                .entry((c.case.kind.code(), step.code()))
                .or_default()
                .push(c);
        }
    }
    Ok(layout(
        ctx,
        l.t("批量办理", "Batch"),
        false,
        html! {
            nav.crumbs { a href="/procedures" { (l.t("程序办理", "Procedures")) } }
            h1 { (l.t("按村批量办理", "A village's cases in one batch")) }
            @if let Some(m) = message { p.error role="alert" #batch-message { (m) } }
            form.filters method="get" action="/procedures/batch" {
                label { (l.t("村", "Village")) select name="village" {
                    @for v in &villages { option value=(v.as_str()) selected[Some(*v) == village] { (v.as_str()) } }
                } }
                button type="submit" { (l.t("查看", "Show")) }
            }
            @if village.is_some() && groups.is_empty() { p.muted { (l.t("此村没有可批量办理的案件。", "No open cases in this village.")) } }
            @for ((kind, step), list) in &groups {
                @let (Some(kind), Some(step)) = (ProcedureKind::from_code(kind), Step::from_code(step)) else { continue };
                @let mine = list.iter().any(|c| acts_as(&ctx.user.account, step.role(), &c.case.village, today));
                section.panel.batch {
                    h2 { (l.t(kind.zh(), kind.en())) " · " (l.t(step.zh(), step.en())) " · " (list.len()) (l.t(" 件", " cases")) }
                    form.stack method="post" action="/procedures/batch" {
                        input type="hidden" name="csrf" value=(ctx.user.csrf);
                        input type="hidden" name="village" value=(village.map_or_else(String::new, |v| v.as_str().to_string()));
                        input type="hidden" name="act" value="step";
                        input type="hidden" name="step" value=(step.code());
                        div.scroll { table {
                            tr { th { } th { "#" } th { (l.t("户编号", "Household")) } th { (l.t("公示期至", "Notice until")) } }
                            @for c in list {
                                @let waiting = c.case.notice_until.is_some_and(|d| today < d);
                                tr {
                                    td { input type="checkbox" name="c" value={ (c.id) ":" (c.version) } checked[!waiting] disabled[waiting]; }
                                    td { a href={ "/procedures/" (c.id) } { (c.id) } }
                                    td { a href={ "/households/" (c.household_id) } { (c.household_id) } }
                                    td { (c.case.notice_until.map_or_else(|| "—".to_string(), |d| l.date(d))) }
                                }
                            }
                        } }
                        @if mine {
                            (evidence_fields(l, step, kind))
                            button.primary type="submit" { (l.t("为选中的案件办理此步骤", "Take this step for the selected cases")) }
                        } @else {
                            p.muted { (l.t("此步骤由", "This step is taken by the ")) (l.t(step.role().zh(), step.role().en())) (l.t("办理。", ".")) }
                        }
                    }
                }
            }
        },
    ))
}

pub async fn batch(
    State(state): State<AppState>,
    Posted { ctx, form }: Posted<PairsForm>,
) -> Result<Response, PageError> {
    let village = form.get("village").to_string();
    let mut items = Vec::new();
    for c in form.all("c") {
        let parsed = c
            .split_once(':')
            .and_then(|(id, v)| Some((id.parse::<i64>().ok()?, v.parse::<i64>().ok()?)));
        match parsed {
            Some(item) => items.push(item),
            None => return Err(WebError::BadRequest("c: not a case and version".into()).into()),
        }
    }
    let result = match form.act_form().act() {
        Ok(act) => procedures::act_batch(
            state.store.as_ref(),
            &ctx.user.account,
            &items,
            &act,
            today_in_china(),
        )
        .await
        .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(
            Redirect::to(&format!("/procedures/batch?village={}", enc_code(&village)))
                .into_response(),
        ),
        Err(e @ (WebError::BadRequest(_) | WebError::Conflict(_))) => {
            let msg = e.public_detail().unwrap_or_default();
            let page = batch_markup(
                &state,
                &ctx,
                Some(&village).filter(|v| !v.is_empty()).map(String::as_str),
                Some(&msg),
            )
            .await?;
            Ok((axum::http::StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A village code for a URL: digits only, anything else dropped.
fn enc_code(code: &str) -> String {
    code.chars().filter(char::is_ascii_digit).collect()
}

/// Opening the same procedure for the households ticked on a list (the pre-exit list).
pub async fn batch_start(
    State(state): State<AppState>,
    Posted { ctx, form }: Posted<PairsForm>,
) -> Result<Response, PageError> {
    let l = ctx.lang;
    let kind = ProcedureKind::from_code(form.get("kind"))
        .ok_or_else(|| WebError::BadRequest("kind: unknown procedure".into()))?;
    let mut ids = Vec::new();
    for h in form.all("h") {
        ids.push(HouseholdId::parse(h).map_err(|_| WebError::NotFound)?);
    }
    let evidence = Evidence::Application {
        by_household: form.get("by_household") == "true",
        reason: form.get("reason").to_string(),
    };
    match procedures::start_batch(
        state.store.as_ref(),
        &ctx.user.account,
        &ids,
        kind,
        &evidence,
        today_in_china(),
    )
    .await
    .map_err(WebError::from)
    {
        Ok(recs) => {
            let village = recs
                .first()
                .map_or(String::new(), |r| r.case.village.as_str().to_string());
            Ok(Redirect::to(&format!("/procedures/batch?village={village}")).into_response())
        }
        Err(e @ (WebError::BadRequest(_) | WebError::Conflict(_) | WebError::Forbidden)) => {
            let msg = e.public_detail().unwrap_or_else(|| {
                l.t("本账户的角色无权进行此操作", "your roles do not allow this")
                    .into()
            });
            Ok((
                axum::http::StatusCode::CONFLICT,
                layout(
                    &ctx,
                    l.t("程序", "Procedure"),
                    false,
                    html! {
                        h1 { (l.t("未能启动程序", "The procedures were not started")) }
                        p.error role="alert" { pre { (msg) } }
                        p { a href="/procedures" { (l.t("返回", "Back")) } }
                    },
                ),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}
