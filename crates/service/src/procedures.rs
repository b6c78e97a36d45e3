//! Procedures over the store: opening a case for a household, each act on it (a step, an
//! objection, its resolution), and the status change a completed case makes, all in one
//! transaction with their audit entries. The rules are `jingzhun_domain::procedure`'s.

use chrono::{Datelike, NaiveDate};
use jingzhun_domain::access::Account;
use jingzhun_domain::audit::AuditEvent;
use jingzhun_domain::procedure::{Case, Evidence, ProcedureKind, Refusal, Step};
use jingzhun_domain::registry::HouseholdId;
use jingzhun_domain::standards::StandardKey;
use jingzhun_domain::vocab::{HouseholdStatus, RemovalReason, Vocabulary};
use jingzhun_store::Store;
use jingzhun_store::procedures::{CaseQuery, CaseRecord};
use serde::Deserialize;

use crate::ServiceError;

/// One act on a case.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "act", rename_all = "snake_case")]
pub enum Act {
    /// The next step, with its evidence.
    Step { step: Step, evidence: Evidence },
    /// An objection filed during a notice (by an officer on behalf of a resident).
    Object { text: String },
    /// The resolution of the open objection.
    Resolve { upheld: bool, note: String },
}

fn actor(account: &Account) -> String {
    format!("user:{}", account.login.as_str())
}

fn refused(r: Refusal) -> ServiceError {
    ServiceError::Refused(r)
}

/// The notice period in force for a village on a day.
async fn notice_days(
    store: &dyn Store,
    case: &Case,
    today: NaiveDate,
) -> Result<u32, ServiceError> {
    let standards = crate::standards::in_force(store).await?;
    Ok(standards
        .value(StandardKey::NoticeDays, today.year(), &case.village)
        .and_then(|d| u32::try_from(d).ok())
        .unwrap_or(7))
}

/// Opens a case for a household the account reaches (else not found).
pub async fn start(
    store: &dyn Store,
    account: &Account,
    household: &HouseholdId,
    kind: ProcedureKind,
    evidence: Evidence,
    today: NaiveDate,
) -> Result<CaseRecord, ServiceError> {
    let not_found = || ServiceError::NotFound {
        what: "household",
        key: household.as_str().to_string(),
    };
    let h = store.household(household).await?.ok_or_else(not_found)?;
    if !account.may_reach(&h.village_code, today) {
        return Err(not_found());
    }
    // An exit or a risk elimination starts only for a household that meets the indicators
    // (the pre-exit list); anything else would be an exit on paper (数字脱贫).
    if matches!(kind, ProcedureKind::Exit | ProcedureKind::RiskElimination)
        && kind.may_start_from(Some(h.status))
    {
        let e = crate::exit::household(store, household, None).await?;
        if !e.meets {
            let failing: Vec<&str> = e.evaluation.blocking().map(|r| r.indicator.zh()).collect();
            return Err(refused(Refusal::NotEligible {
                failing: failing.join("、"),
            }));
        }
    }
    let case = Case::start(
        kind,
        Some(h.status),
        h.village_code,
        account,
        today,
        evidence,
    )
    .map_err(refused)?;
    let mut tx = store.begin().await?;
    let Some(id) = tx
        .insert_case(household.as_str(), &case, &actor(account))
        .await?
    else {
        return Err(ServiceError::Conflict(
            "this household already has a procedure in progress / 此户已有正在办理的程序".into(),
        ));
    };
    tx.append_audit(&AuditEvent {
        actor: actor(account),
        action: format!("procedure.{}.start", kind.code()),
        subject_kind: "procedure_case".into(),
        subject_id: id.to_string(),
        detail: serde_json::json!({ "household": household.as_str(), "kind": kind.code() }),
    })
    .await?;
    tx.commit().await?;
    store.case(id).await?.ok_or(ServiceError::NotFound {
        what: "procedure case",
        key: id.to_string(),
    })
}

/// The case if the account reaches its village (else not found).
pub async fn case_in_reach(
    store: &dyn Store,
    account: &Account,
    id: i64,
    today: NaiveDate,
) -> Result<CaseRecord, ServiceError> {
    let not_found = || ServiceError::NotFound {
        what: "procedure case",
        key: id.to_string(),
    };
    let rec = store.case(id).await?.ok_or_else(not_found)?;
    if account.may_reach(&rec.case.village, today) {
        Ok(rec)
    } else {
        Err(not_found())
    }
}

/// Applies one act to a case last seen at `version`; a completed case changes the household's
/// status in the same transaction.
pub async fn act(
    store: &dyn Store,
    account: &Account,
    id: i64,
    version: i64,
    act: &Act,
    today: NaiveDate,
) -> Result<CaseRecord, ServiceError> {
    let rec = case_in_reach(store, account, id, today).await?;
    if rec.version != version {
        return Err(ServiceError::Conflict(
            "this case changed meanwhile; reload it and try again / 此案已被他人更新，请刷新后重试"
                .into(),
        ));
    }
    let mut case = rec.case.clone();
    let mut notice = None;
    let (action, mut detail) = match act {
        Act::Step { step, evidence } => {
            let days = notice_days(store, &case, today).await?;
            // A notice step publishes the platform's own notice; its reference is filled in
            // when the notice is stored, below.
            let evidence = if step.is_notice() {
                Evidence::Notice {
                    notice_ref: "—".into(),
                }
            } else {
                evidence.clone()
            };
            case.step(*step, account, today, evidence.clone(), days)
                .map_err(refused)?;
            if step.is_notice() {
                notice = Some(compose_notice(store, &rec, &case, *step, today).await?);
            }
            (
                format!("procedure.{}.{}", case.kind.code(), step.code()),
                serde_json::json!({ "step": step.code(), "evidence": evidence }),
            )
        }
        Act::Object { text } => {
            if !account.keeps_registry(today) {
                return Err(refused(Refusal::WrongRole {
                    role: "村、乡、县扶贫干部".into(),
                }));
            }
            case.object(today, text).map_err(refused)?;
            // The objection's text may name people: the audit keeps that one was filed.
            (
                format!("procedure.{}.objection", case.kind.code()),
                serde_json::json!({ "objections": case.objections.len() }),
            )
        }
        Act::Resolve { upheld, note } => {
            case.resolve(account, today, *upheld, note)
                .map_err(refused)?;
            (
                format!("procedure.{}.resolution", case.kind.code()),
                serde_json::json!({ "upheld": upheld }),
            )
        }
    };
    let mut tx = store.begin().await?;
    if let Some(content) = &notice {
        let text = jingzhun_domain::notice::canonical(content);
        let digest = jingzhun_domain::notice::digest_of(&text);
        let nid = tx
            .insert_notice(
                &case.village,
                &text,
                &digest,
                (content.period_from, content.period_to),
                &actor(account),
            )
            .await?;
        if let Some(last) = case.steps.last_mut() {
            last.evidence = Evidence::Notice {
                notice_ref: format!("N{nid}"),
            };
        }
        detail =
            serde_json::json!({ "step": content.step.code(), "notice": nid, "digest": digest });
    }
    if !tx.update_case(id, version, &case).await? {
        return Err(ServiceError::Conflict(
            "this case changed meanwhile; reload it and try again / 此案已被他人更新，请刷新后重试"
                .into(),
        ));
    }
    tx.append_audit(&AuditEvent {
        actor: actor(account),
        action,
        subject_kind: "procedure_case".into(),
        subject_id: id.to_string(),
        detail,
    })
    .await?;
    if let Some(status) = case.outcome() {
        let hid = HouseholdId::parse(&rec.household_id)
            .map_err(|_| ServiceError::Invalid("stored household number".into()))?;
        let h = store
            .household(&hid)
            .await?
            .ok_or_else(|| ServiceError::NotFound {
                what: "household",
                key: rec.household_id.clone(),
            })?;
        let exit_year = match status {
            HouseholdStatus::Exited => h
                .exit_year
                .filter(|_| case.kind == ProcedureKind::RiskElimination)
                .or(Some(today.year())),
            HouseholdStatus::Registered | HouseholdStatus::Applicant => None,
            _ => h.exit_year,
        };
        let removal = (status == HouseholdStatus::Removed).then(|| {
            case.steps
                .first()
                .and_then(|s| match &s.evidence {
                    Evidence::Application { reason, .. } => RemovalReason::parse(reason).ok(),
                    _ => None,
                })
                .unwrap_or(RemovalReason::Other)
        });
        tx.set_household_status(&hid, status, exit_year, removal)
            .await?;
        tx.append_audit(&AuditEvent {
            actor: actor(account),
            action: "household.status".into(),
            subject_kind: "household".into(),
            subject_id: rec.household_id.clone(),
            detail: serde_json::json!({
                "before": h.status.code(), "after": status.code(),
                "procedure": case.kind.code(), "case": id,
            }),
        })
        .await?;
    }
    tx.commit().await?;
    store.case(id).await?.ok_or(ServiceError::NotFound {
        what: "procedure case",
        key: id.to_string(),
    })
}

/// The notice a notice step publishes: the household's head and size, the period.
async fn compose_notice(
    store: &dyn Store,
    rec: &CaseRecord,
    case: &Case,
    step: Step,
    today: NaiveDate,
) -> Result<jingzhun_domain::notice::NoticeContent, ServiceError> {
    let hid = HouseholdId::parse(&rec.household_id)
        .map_err(|_| ServiceError::Invalid("stored household number".into()))?;
    let members = store.persons_of(std::slice::from_ref(&hid)).await?;
    let head = members
        .iter()
        .find(|p| p.relation == jingzhun_domain::vocab::Relation::Head)
        .map_or_else(String::new, |p| p.name.clone());
    let village_name = store
        .area(&case.village)
        .await?
        .map_or_else(|| case.village.as_str().to_string(), |a| a.name);
    Ok(jingzhun_domain::notice::compose(
        case.kind,
        step,
        case.village.as_str(),
        &village_name,
        vec![(head, members.len() as u32)],
        (today, case.notice_until.unwrap_or(today)),
        vec![rec.id],
    ))
}

/// The cases within the account's reach: in progress only, or all; optionally only those
/// whose next step the account takes ("waiting for me").
pub async fn list(
    store: &dyn Store,
    account: &Account,
    in_progress: bool,
    waiting_for_me: bool,
    today: NaiveDate,
) -> Result<Vec<CaseRecord>, ServiceError> {
    let within = account.scope(today);
    let mut out = Vec::new();
    let roles: Vec<Option<jingzhun_domain::access::Role>> = if waiting_for_me {
        account.active(today).map(|a| Some(a.role)).collect()
    } else {
        vec![None]
    };
    for role in roles {
        let found = store
            .cases(&CaseQuery {
                within: within.clone(),
                household_id: None,
                in_progress: in_progress || waiting_for_me,
                next_role: role,
                limit: 500,
            })
            .await?;
        for c in found {
            // Waiting for me: my role over the case's village, and no notice still running.
            let mine = !waiting_for_me
                || c.case.next_step().is_some_and(|s| {
                    jingzhun_domain::procedure::acts_as(account, s.role(), &c.case.village, today)
                        && c.case.notice_until.is_none_or(|d| d <= today)
                        && c.case.state == jingzhun_domain::procedure::CaseState::Open
                });
            if mine && !out.iter().any(|o: &CaseRecord| o.id == c.id) {
                out.push(c);
            }
        }
    }
    out.sort_by_key(|c| std::cmp::Reverse(c.id));
    Ok(out)
}
