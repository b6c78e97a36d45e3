//! The cross-check pages: the leads of the account's area (with filters), one lead with its
//! evidence and the verification form, the check runs (start one, follow its progress), and the
//! departmental sources (their current copies, upload). Access is decided in `crate::leads`.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jingzhun_domain::checks::{LeadAction, LeadState, Rule};
use jingzhun_domain::sources::SourceKind;
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_service::checks::may_run_checks;
use jingzhun_service::today_in_china;
use maud::{Markup, html};
use serde::Deserialize;

use super::{CsrfField, Ctx, PageError, Posted, layout, urlencode};
use crate::AppState;
use crate::leads::{LeadParams, lead_in_reach, lead_view, may_verify, sees_ids};

fn state_label(ctx: &Ctx, code: &str) -> String {
    LeadState::from_code(code).map_or_else(
        || code.to_string(),
        |s| ctx.lang.t(s.zh(), s.en()).to_string(),
    )
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<LeadParams>,
) -> Result<Markup, PageError> {
    let l = ctx.lang;
    let q = p.query(&ctx.user.account)?;
    let (leads, total) = tokio::try_join!(state.store.leads(&q), state.store.count_leads(&q))?;
    let filter = |offset: i64| {
        let mut parts = vec![format!("offset={offset}")];
        if let Some(r) = q.rule {
            parts.push(format!("rule={}", r.code()));
        }
        if let Some(s) = q.state {
            parts.push(format!("state={}", s.code()));
        }
        parts.join("&")
    };
    Ok(layout(
        &ctx,
        l.t("疑点核实", "Leads"),
        false,
        html! {
            h1 { (l.t("数据比对疑点", "Cross-check leads")) }
            p.muted { (l.t("疑点只是线索，不是结论：须经核实并记录结果，任何人不得仅凭疑点清退、停发或公开。",
                "A lead is an indication, never proof: it is verified and the result recorded; nothing is removed, stopped or published on a lead alone.")) }
            form.filters method="get" action="/leads" {
                label { (l.t("规则", "Rule")) select name="rule" {
                    option value="" { (l.t("全部", "All")) }
                    @for r in Rule::ALL {
                        option value=(r.code()) selected[q.rule == Some(*r)] { (r.code()) " " (l.t(r.zh(), r.en())) }
                    }
                } }
                label { (l.t("状态", "State")) select name="state" {
                    option value="" { (l.t("全部", "All")) }
                    @for s in LeadState::ALL {
                        option value=(s.code()) selected[q.state == Some(*s)] { (l.t(s.zh(), s.en())) }
                    }
                } }
                button type="submit" { (l.t("筛选", "Filter")) }
            }
            p { (l.t("共", "")) " " (total) " " (l.t("条", "leads")) }
            div.table-wrap { table {
                thead { tr {
                    th { (l.t("规则", "Rule")) } th { (l.t("对象", "Subject")) }
                    th { (l.t("村", "Village")) } th { (l.t("依据", "Evidence")) } th { (l.t("状态", "State")) }
                } }
                tbody {
                    @for lead in &leads {
                        @let v = lead_view(lead, sees_ids(&ctx.user.account, lead));
                        tr {
                            td { a href={"/leads/" (lead.id)} { (lead.rule.code()) " " (l.t(lead.rule.zh(), lead.rule.en())) } }
                            td { (l.t(lead.subject_kind.zh(), lead.subject_kind.en())) " " code { (v.subject_id_text()) } }
                            td { (lead.village.map(|c| c.as_str().to_string()).unwrap_or_default()) }
                            td.muted { (v.detail_text()) }
                            td { (state_label(&ctx, lead.state.code())) }
                        }
                    }
                }
            } }
            nav.pager {
                @if q.offset > 0 {
                    a href={"/leads?" (filter((q.offset - q.limit).max(0)))} { (l.t("上一页", "Previous")) }
                }
                @if q.offset + q.limit < total {
                    a href={"/leads?" (filter(q.offset + q.limit))} { (l.t("下一页", "Next")) }
                }
            }
        },
    ))
}

pub async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let lead = lead_in_reach(&state, &ctx.user.account, id).await?;
    Ok(detail_page(&ctx, &lead, None))
}

fn detail_page(
    ctx: &Ctx,
    lead: &jingzhun_store::checks::LeadRecord,
    problem: Option<String>,
) -> Markup {
    let l = ctx.lang;
    let v = lead_view(lead, sees_ids(&ctx.user.account, lead));
    let (desc_zh, desc_en) = lead.rule.description();
    html! {
        (layout(ctx, l.t("疑点", "Lead"), false, html! {
            p { a href="/leads" { "← " (l.t("疑点列表", "All leads")) } }
            h1 { (lead.rule.code()) " " (l.t(lead.rule.zh(), lead.rule.en())) }
            p.muted { (l.t(desc_zh, desc_en)) }
            dl.facts {
                dt { (l.t("对象", "Subject")) } dd { (l.t(lead.subject_kind.zh(), lead.subject_kind.en())) " " code { (v.subject_id_text()) } }
                dt { (l.t("村", "Village")) } dd { (lead.village.map(|c| c.as_str().to_string()).unwrap_or_else(|| l.t("（不在户档中）", "(not in the registry)").into())) }
                dt { (l.t("状态", "State")) } dd { (state_label(ctx, lead.state.code())) }
                dt { (l.t("首次发现 / 最近发现", "First found / last found")) } dd { (l.t("第", "run ")) (lead.first_run) " / " (lead.last_run) (l.t(" 次比对", "")) }
                @if let Some(a) = lead.action {
                    dt { (l.t("处理", "Action")) } dd { (l.t(a.zh(), a.en())) }
                }
                @if let Some(n) = &lead.note {
                    dt { (l.t("核实情况", "Verification")) } dd { (n) }
                }
                @if let (Some(by), Some(at)) = (&lead.verified_by, &lead.verified_at) {
                    dt { (l.t("核实人", "Verified by")) } dd { (by) " · " (at) }
                }
            }
            h2 { (l.t("依据", "Evidence")) }
            ul { @for e in &lead.evidence {
                li { code { (e.file) @if let Some(line) = e.line { ":" (line) } } " "
                    (if sees_ids(&ctx.user.account, lead) { e.text.clone() } else { jingzhun_domain::mask::mask_id_numbers_in(&e.text) }) }
            } }
            @if lead.state == LeadState::Open && may_verify(&ctx.user.account) {
                section.panel {
                    h2 { (l.t("记录核实结果", "Record the verification")) }
                    @if let Some(p) = &problem { p.error role="alert" { (p) } }
                    form.stack method="post" action={"/leads/" (lead.id)} {
                        input type="hidden" name="csrf" value=(ctx.user.csrf);
                        input type="hidden" name="version" value=(lead.version);
                        label { (l.t("结果", "Outcome")) select name="outcome" required {
                            option value="confirmed" { (l.t(LeadState::Confirmed.zh(), LeadState::Confirmed.en())) }
                            option value="explained" { (l.t(LeadState::Explained.zh(), LeadState::Explained.en())) }
                        } }
                        label { (l.t("属实时的处理", "Action when confirmed")) select name="action" {
                            option value="" { "—" }
                            @for a in LeadAction::ALL { option value=(a.code()) { (l.t(a.zh(), a.en())) } }
                        } }
                        label { (l.t("核实情况（有合理解释时必填）", "What was found (required when explained)"))
                            textarea name="note" maxlength="1000" rows="3" {} }
                        button.primary type="submit" { (l.t("保存", "Save")) }
                    }
                }
            }
        }))
    }
}

#[derive(Deserialize)]
pub struct VerifyForm {
    csrf: String,
    outcome: String,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    note: String,
    version: i64,
}

impl CsrfField for VerifyForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn verify(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { ctx, form }: Posted<VerifyForm>,
) -> Result<Response, PageError> {
    let body = crate::leads::VerificationBody {
        outcome: form.outcome,
        action: form.action.filter(|a| !a.is_empty()),
        note: form.note,
        version: form.version,
    };
    match crate::leads::record_verification(&state, &ctx.user, id, &body).await {
        Ok(_) => Ok(Redirect::to(&format!("/leads/{id}")).into_response()),
        Err(e @ (crate::error::WebError::BadRequest(_) | crate::error::WebError::Conflict(_))) => {
            let lead = lead_in_reach(&state, &ctx.user.account, id).await?;
            let msg = e.public_detail().unwrap_or_default();
            Ok(detail_page(&ctx, &lead, Some(msg)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn checks_page(State(state): State<AppState>, ctx: Ctx) -> Result<Markup, PageError> {
    let l = ctx.lang;
    let runs = state.store.check_runs(10).await?;
    let allowed = may_run_checks(&ctx.user.account, today_in_china());
    let i18n = serde_json::json!({
        "loading": l.t("正在读取数据…", "Reading the data…"),
        "rule": l.t("正在比对", "Checking"),
        "saving": l.t("正在记录疑点…", "Recording the leads…"),
        "done": l.t("完成：疑点 {findings} 条，新增 {new}，仍待核实 {still}，已消除 {gone}",
            "Done: {findings} findings, {new} new, {still} still open, {gone} gone"),
        "failed": l.t("比对失败", "The run failed"),
    });
    Ok(layout(
        &ctx,
        l.t("数据比对", "Cross-checks"),
        false,
        html! {
            h1 { (l.t("数据比对", "Cross-checks")) }
            @if allowed {
                section.panel {
                    form #check-form .stack data-csrf=(ctx.user.csrf) data-i18n=(i18n.to_string()) {
                        label { (l.t("规则（留空为全部，如 R03,R07）", "Rules (blank for all, e.g. R03,R07)"))
                            input name="rules" placeholder="R02,R03,…"; }
                        button.primary type="submit" { (l.t("开始比对", "Run the checks")) }
                    }
                    progress #check-progress max="100" value="0" hidden {}
                    p #check-status role="status" aria-live="polite" {}
                }
            } @else {
                p.muted { (l.t("只有县级扶贫干部和管理员可以发起比对。", "Only county officers and administrators can run the checks.")) }
            }
            h2 { (l.t("最近的比对", "Recent runs")) }
            div.table-wrap { table {
                thead { tr {
                    th { "#" } th { (l.t("时间", "When")) } th { (l.t("规则", "Rules")) }
                    th { (l.t("疑点", "Findings")) } th { (l.t("新增", "New")) } th { (l.t("仍待核实", "Still open")) } th { (l.t("已消除", "Gone")) }
                } }
                tbody { @for r in &runs {
                    tr {
                        td { (r.id) } td { (r.started_at) } td { (r.rules.join(",")) }
                        td { (r.comparison.findings) } td { (r.comparison.new_leads) }
                        td { (r.comparison.still_open) } td { (r.comparison.gone) }
                    }
                } }
            } }
            p { a href="/leads?state=open" { (l.t("查看待核实的疑点 →", "Open leads →")) } " · " a href="/sources" { (l.t("部门数据 →", "Departmental data →")) } }
        },
    ))
}

pub async fn sources_page(State(state): State<AppState>, ctx: Ctx) -> Result<Markup, PageError> {
    let l = ctx.lang;
    let imports = state.store.source_imports().await?;
    let admin = ctx
        .user
        .account
        .has_role(jingzhun_domain::access::Role::Admin, today_in_china());
    Ok(layout(
        &ctx,
        l.t("部门数据", "Departmental data"),
        false,
        html! {
            h1 { (l.t("比对用的部门数据", "Other departments' data")) }
            div.table-wrap { table {
                thead { tr { th { (l.t("数据", "Source")) } th { (l.t("文件", "File")) } th { (l.t("行数", "Rows")) } th { (l.t("导入时间", "Imported")) } th { "SHA-256" } } }
                tbody { @for k in SourceKind::ALL {
                    @let imp = imports.iter().find(|i| i.kind == *k);
                    tr {
                        td { (l.t(k.zh(), k.en())) }
                        td { code { (k.file()) } }
                        td { (imp.map_or_else(|| l.t("未导入", "not imported").to_string(), |i| i.rows.to_string())) }
                        td { (imp.map(|i| i.import.started_at.clone()).unwrap_or_default()) }
                        td.muted { (imp.map(|i| i.import.digest[..12].to_string()).unwrap_or_default()) }
                    }
                } }
            } }
            @if admin {
                section.panel {
                    h2 { (l.t("导入（替换该数据的原有副本）", "Import (replaces that source's copy)")) }
                    form #source-form .stack data-csrf=(ctx.user.csrf) {
                        label { (l.t("数据", "Source")) select name="kind" {
                            @for k in SourceKind::ALL { option value=(k.code()) { (l.t(k.zh(), k.en())) " (" (k.file()) ")" } }
                        } }
                        input type="file" name="file" accept=".csv,.xlsx" required;
                        label style="flex-direction:row;gap:.4rem;align-items:center" {
                            input type="checkbox" name="force" value="true";
                            (l.t("强制导入（同一文件此前已导入过）", "Import again (the same file was imported before)"))
                        }
                        button.primary type="submit" { (l.t("上传并导入", "Upload and import")) }
                    }
                    pre #source-result role="status" aria-live="polite" {}
                }
            }
            p.muted { "→ " a href={"/checks?from=" (urlencode("/sources"))} { (l.t("数据比对", "Cross-checks")) } }
        },
    ))
}
