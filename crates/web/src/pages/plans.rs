//! The plan panel of a household page (needs, measures, progress) and its two forms: the plan
//! (three measure rows at a time) and a progress record. The rules are the service's.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jingzhun_domain::plan::{MeasureInput, MeasureKind};
use jingzhun_domain::registry::HouseholdId;
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_service::plans::{self, PlanView};
use jingzhun_service::today_in_china;
use maud::{Markup, html};
use serde::Deserialize;

use super::{CsrfField, Ctx, PageError, Posted, layout};
use crate::AppState;
use crate::error::WebError;

/// Measure rows the form shows.
const ROWS: usize = 3;

pub fn household_panel(ctx: &Ctx, household_id: &str, v: &PlanView) -> Markup {
    let l = ctx.lang;
    let may_edit = ctx.user.account.keeps_registry(today_in_china());
    let measures = v
        .plan
        .as_ref()
        .map(|p| p.plan.measures.clone())
        .unwrap_or_default();
    html! {
        section.panel #household-plan {
            h2 { (l.t("一户一策", "Household plan")) }
            p { (l.t("需求：", "Needs: "))
                @for (i, ind) in v.needs.indicators.iter().enumerate() { @if i > 0 { "、" } (l.t(ind.zh(), ind.en())) }
                @if !v.needs.indicators.is_empty() && !v.needs.causes.is_empty() { "；" }
                @for (i, c) in v.needs.causes.iter().enumerate() { @if i > 0 { "、" } (l.v(*c)) }
                @if v.needs.indicators.is_empty() && v.needs.causes.is_empty() { "—" } }
            @if let Some(p) = &v.plan {
                table #plan-measures {
                    tr { th { (l.t("措施", "Measure")) } th { (l.t("内容", "What")) } th { (l.t("目标日期", "Target")) } }
                    @for m in &p.plan.measures { tr { td { (l.t(m.kind.zh(), m.kind.en())) } td { (m.description) } td { (l.date(m.target)) } } }
                }
                p.muted { (l.t("帮扶责任人：", "Contact: ")) (p.plan.contact) " · " (p.updated_by) " · v" (p.version) }
            } @else { p.muted { (l.t("尚无帮扶计划。", "No plan yet.")) } }
            @if !v.progress.is_empty() {
                h3 { (l.t("进展", "Progress")) }
                ul #plan-progress { @for r in &v.progress { li { (r.done_on) " · " (r.note) " · " (r.recorded_by) } } }
            }
            @if may_edit {
                details { summary { (l.t("制定或修改计划", "Set or change the plan")) }
                    form.stack method="post" action={ "/households/" (household_id) "/plan" } {
                        input type="hidden" name="csrf" value=(ctx.user.csrf);
                        input type="hidden" name="version" value=(v.plan.as_ref().map_or(0, |p| p.version));
                        @for i in 0..ROWS {
                            @let m = measures.get(i);
                            fieldset {
                                label { (l.t("措施类别", "Kind")) select name={ "kind" (i) } {
                                    option value="" { "—" }
                                    @for k in MeasureKind::ALL { option value=(k.code()) selected[m.is_some_and(|m| m.kind == *k)] { (l.t(k.zh(), k.en())) } }
                                } }
                                label { (l.t("具体内容", "What")) input name={ "description" (i) } maxlength="500" value=(m.map_or("", |m| m.description.as_str())); }
                                label { (l.t("目标日期", "Target date")) input type="date" name={ "target" (i) } value=(m.map_or_else(String::new, |m| m.target.to_string())); }
                            }
                        }
                        label { (l.t("帮扶责任人", "Responsible contact")) input name="contact" maxlength="500" required value=(v.plan.as_ref().map_or("", |p| p.plan.contact.as_str())); }
                        button.primary type="submit" { (l.t("保存计划", "Save the plan")) }
                    }
                }
                @if v.plan.is_some() {
                    form.stack method="post" action={ "/households/" (household_id) "/plan/progress" } {
                        input type="hidden" name="csrf" value=(ctx.user.csrf);
                        label { (l.t("日期", "Date")) input type="date" name="done_on" required; }
                        label { (l.t("进展", "Progress")) input name="note" maxlength="500" required; }
                        button type="submit" { (l.t("记录进展", "Record progress")) }
                    }
                }
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PlanForm {
    csrf: String,
    #[serde(default)]
    version: i64,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    kind0: String,
    #[serde(default)]
    description0: String,
    #[serde(default)]
    target0: String,
    #[serde(default)]
    kind1: String,
    #[serde(default)]
    description1: String,
    #[serde(default)]
    target1: String,
    #[serde(default)]
    kind2: String,
    #[serde(default)]
    description2: String,
    #[serde(default)]
    target2: String,
}

impl CsrfField for PlanForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ProgressForm {
    csrf: String,
    #[serde(default)]
    done_on: String,
    #[serde(default)]
    note: String,
}

impl CsrfField for ProgressForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

fn refused(ctx: &Ctx, household_id: &str, e: &WebError) -> Response {
    let l = ctx.lang;
    let msg = e.public_detail().unwrap_or_default();
    layout(
        ctx,
        l.t("一户一策", "Household plan"),
        false,
        html! {
            h1 { (l.t("未能保存", "Not saved")) }
            p.error role="alert" { (msg) }
            p { a href={ "/households/" (household_id) } { (l.t("返回户档", "Back to the household")) } }
        },
    )
    .into_response()
}

async fn done(
    ctx: &Ctx,
    household_id: &str,
    r: Result<(), jingzhun_service::ServiceError>,
) -> Result<Response, PageError> {
    match r.map_err(WebError::from) {
        Ok(()) => Ok(Redirect::to(&format!("/households/{household_id}")).into_response()),
        Err(e @ (WebError::BadRequest(_) | WebError::Conflict(_))) => {
            Ok(refused(ctx, household_id, &e))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn put(
    State(state): State<AppState>,
    Path(hid): Path<String>,
    Posted { ctx, form }: Posted<PlanForm>,
) -> Result<Response, PageError> {
    let id = HouseholdId::parse(&hid).map_err(|_| WebError::NotFound)?;
    let row = |k: &str, d: &str, t: &str| MeasureInput {
        kind: k.into(),
        description: d.into(),
        target: t.into(),
    };
    let measures = [
        row(&form.kind0, &form.description0, &form.target0),
        row(&form.kind1, &form.description1, &form.target1),
        row(&form.kind2, &form.description2, &form.target2),
    ];
    let r = plans::put(
        state.store.as_ref(),
        &ctx.user.account,
        &id,
        &measures,
        &form.contact,
        form.version,
        today_in_china(),
    )
    .await
    .map(|_| ());
    done(&ctx, id.as_str(), r).await
}

pub async fn progress(
    State(state): State<AppState>,
    Path(hid): Path<String>,
    Posted { ctx, form }: Posted<ProgressForm>,
) -> Result<Response, PageError> {
    let id = HouseholdId::parse(&hid).map_err(|_| WebError::NotFound)?;
    let r = plans::add_progress(
        state.store.as_ref(),
        &ctx.user.account,
        &id,
        &form.done_on,
        &form.note,
        today_in_china(),
    )
    .await;
    done(&ctx, id.as_str(), r).await
}
