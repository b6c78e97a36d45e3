//! One plan per household over the store: reading it with the household's needs, setting it
//! (the officers who keep the registry, within their area, for a registered or monitored
//! household), and recording progress against it; every change audited.

use chrono::NaiveDate;
use jingzhun_domain::access::Account;
use jingzhun_domain::audit::AuditEvent;
use jingzhun_domain::plan::{self, MeasureInput, Needs};
use jingzhun_domain::registry::{Household, HouseholdId};
use jingzhun_domain::vocab::HouseholdStatus;
use jingzhun_store::Store;
use jingzhun_store::plans::{PlanRecord, ProgressRecord};
use serde::Serialize;

use crate::ServiceError;

/// A household's plan, its progress, and what it needs.
#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    pub plan: Option<PlanRecord>,
    pub progress: Vec<ProgressRecord>,
    pub needs: Needs,
}

async fn household_in_reach(
    store: &dyn Store,
    account: &Account,
    id: &HouseholdId,
    today: NaiveDate,
) -> Result<Household, ServiceError> {
    let not_found = || ServiceError::NotFound {
        what: "household",
        key: id.as_str().to_string(),
    };
    let h = store.household(id).await?.ok_or_else(not_found)?;
    if account.may_reach(&h.village_code, today) {
        Ok(h)
    } else {
        Err(not_found())
    }
}

pub async fn view(
    store: &dyn Store,
    account: &Account,
    id: &HouseholdId,
    today: NaiveDate,
) -> Result<PlanView, ServiceError> {
    let h = household_in_reach(store, account, id, today).await?;
    let e = crate::exit::household(store, id, None).await?;
    let mut causes: Vec<_> = h.primary_cause.into_iter().collect();
    causes.extend(h.other_causes.iter().copied());
    Ok(PlanView {
        plan: store.plan(id).await?,
        progress: store.plan_progress(id).await?,
        needs: plan::needs(&e.evaluation, &causes),
    })
}

fn problems_text(problems: &[(String, jingzhun_domain::Problem)]) -> String {
    problems
        .iter()
        .map(|(f, p)| format!("{f}: {} / {p}", p.zh()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Sets a household's plan if it is still at `version` (0 for the first).
pub async fn put(
    store: &dyn Store,
    account: &Account,
    id: &HouseholdId,
    measures: &[MeasureInput],
    contact: &str,
    version: i64,
    today: NaiveDate,
) -> Result<PlanRecord, ServiceError> {
    let h = household_in_reach(store, account, id, today).await?;
    if !account.keeps_registry(today) {
        return Err(ServiceError::Forbidden);
    }
    if !matches!(
        h.status,
        HouseholdStatus::Registered | HouseholdStatus::Monitored
    ) {
        return Err(ServiceError::Invalid(
            "a plan is for a registered or monitored household / 只有在册或监测户制定帮扶计划"
                .into(),
        ));
    }
    let p = plan::parse_plan(measures, contact, today)
        .map_err(|problems| ServiceError::Invalid(problems_text(&problems)))?;
    let actor = format!("user:{}", account.login.as_str());
    let mut tx = store.begin().await?;
    if !tx
        .put_plan(id, &h.village_code, &p, version, &actor)
        .await?
    {
        return Err(ServiceError::Conflict(
            "this plan was changed meanwhile; reload it and try again / 帮扶计划已被他人修改，请刷新后重试".into(),
        ));
    }
    tx.append_audit(&AuditEvent {
        actor,
        action: "plan.put".into(),
        subject_kind: "household".into(),
        subject_id: id.as_str().to_string(),
        detail: serde_json::json!({ "measures": p.measures.len(), "signature": plan::signature(&p) }),
    })
    .await?;
    tx.commit().await?;
    store.plan(id).await?.ok_or_else(|| ServiceError::NotFound {
        what: "plan",
        key: id.as_str().to_string(),
    })
}

/// Records progress against a household's plan.
pub async fn add_progress(
    store: &dyn Store,
    account: &Account,
    id: &HouseholdId,
    done_on: &str,
    note: &str,
    today: NaiveDate,
) -> Result<(), ServiceError> {
    household_in_reach(store, account, id, today).await?;
    if !account.keeps_registry(today) {
        return Err(ServiceError::Forbidden);
    }
    if store.plan(id).await?.is_none() {
        return Err(ServiceError::Invalid(
            "the household has no plan yet / 此户尚无帮扶计划".into(),
        ));
    }
    let on = NaiveDate::parse_from_str(done_on.trim(), "%Y-%m-%d").map_err(|_| {
        ServiceError::Invalid("done_on: 不是 YYYY-MM-DD 格式的日期 / not a date".into())
    })?;
    if on > today {
        return Err(ServiceError::Invalid(
            "done_on: 日期晚于今天 / date is in the future".into(),
        ));
    }
    let note = note.trim();
    if note.is_empty() || note.chars().count() > plan::TEXT_MAX {
        return Err(ServiceError::Invalid(format!(
            "note: 1 至 {} 个字符 / 1 to {} characters",
            plan::TEXT_MAX,
            plan::TEXT_MAX
        )));
    }
    let actor = format!("user:{}", account.login.as_str());
    let mut tx = store.begin().await?;
    tx.add_plan_progress(id, on, note, &actor).await?;
    tx.append_audit(&AuditEvent {
        actor,
        action: "plan.progress".into(),
        subject_kind: "household".into(),
        subject_id: id.as_str().to_string(),
        detail: serde_json::json!({ "done_on": on.to_string() }),
    })
    .await?;
    tx.commit().await?;
    Ok(())
}
