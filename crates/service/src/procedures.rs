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
    let mut opened = start_on(
        store,
        account,
        std::slice::from_ref(household),
        kind,
        &evidence,
        today,
    )
    .await?;
    opened.pop().ok_or(ServiceError::NotFound {
        what: "household",
        key: household.as_str().to_string(),
    })
}

/// Opens the same procedure for several households at once (the pre-exit list of a village),
/// each with its own case: all or nothing, every refusal reported (409).
pub async fn start_batch(
    store: &dyn Store,
    account: &Account,
    households: &[HouseholdId],
    kind: ProcedureKind,
    evidence: &Evidence,
    today: NaiveDate,
) -> Result<Vec<CaseRecord>, ServiceError> {
    let mut sorted = households.to_vec();
    sorted.sort();
    sorted.dedup();
    if households.is_empty() || households.len() > BATCH_MAX || sorted.len() != households.len() {
        return Err(ServiceError::Invalid(format!(
            "a batch holds 1 to {BATCH_MAX} different households / 一次可办理 1 至 {BATCH_MAX} 户，不得重复"
        )));
    }
    start_on(store, account, households, kind, evidence, today).await
}

const IN_PROGRESS: &str =
    "this household already has a procedure in progress / 此户已有正在办理的程序";

async fn start_on(
    store: &dyn Store,
    account: &Account,
    households: &[HouseholdId],
    kind: ProcedureKind,
    evidence: &Evidence,
    today: NaiveDate,
) -> Result<Vec<CaseRecord>, ServiceError> {
    let single = households.len() == 1;
    let mut cases = Vec::with_capacity(households.len());
    let mut refusals: Vec<(String, String)> = Vec::new();
    for household in households {
        let not_found = || ServiceError::NotFound {
            what: "household",
            key: household.as_str().to_string(),
        };
        let h = store.household(household).await?.ok_or_else(not_found)?;
        if !account.may_reach(&h.village_code, today) {
            return Err(not_found());
        }
        // An exit or a risk elimination starts only for a household that meets the
        // indicators (the pre-exit list); anything else would be an exit on paper (数字脱贫).
        let mut refusal = None;
        if matches!(kind, ProcedureKind::Exit | ProcedureKind::RiskElimination)
            && kind.may_start_from(Some(h.status))
        {
            let e = crate::exit::household(store, household, None).await?;
            if !e.meets {
                let failing: Vec<&str> =
                    e.evaluation.blocking().map(|r| r.indicator.zh()).collect();
                refusal = Some(Refusal::NotEligible {
                    failing: failing.join("、"),
                });
            }
        }
        let started = match refusal {
            Some(r) => Err(r),
            None => Case::start(
                kind,
                Some(h.status),
                h.village_code,
                account,
                today,
                evidence.clone(),
            ),
        };
        match started {
            Ok(case) => cases.push(case),
            Err(r) if single => return Err(refused(r)),
            Err(r) => refusals.push((household.as_str().into(), format!("{} / {r}", r.zh()))),
        }
    }
    if !refusals.is_empty() {
        return Err(batch_refused(
            "no case was opened / 均未启动",
            households.len(),
            &refusals,
        ));
    }
    let mut tx = store.begin().await?;
    let mut ids = Vec::with_capacity(cases.len());
    for (household, case) in households.iter().zip(&cases) {
        let Some(id) = tx
            .insert_case(household.as_str(), case, &actor(account))
            .await?
        else {
            return Err(ServiceError::Conflict(if single {
                IN_PROGRESS.into()
            } else {
                format!("{}: {IN_PROGRESS}", household.as_str())
            }));
        };
        let mut detail =
            serde_json::json!({ "household": household.as_str(), "kind": kind.code() });
        if !single {
            detail["batch"] = serde_json::json!(households.len());
        }
        tx.append_audit(&AuditEvent {
            actor: actor(account),
            action: format!("procedure.{}.start", kind.code()),
            subject_kind: "procedure_case".into(),
            subject_id: id.to_string(),
            detail,
        })
        .await?;
        ids.push(id);
    }
    tx.commit().await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(store.case(id).await?.ok_or(ServiceError::NotFound {
            what: "procedure case",
            key: id.to_string(),
        })?);
    }
    Ok(out)
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
    let mut done = act_on(store, account, &[(id, version)], act, today).await?;
    done.pop().ok_or(ServiceError::NotFound {
        what: "procedure case",
        key: id.to_string(),
    })
}

/// At most this many cases in one batch.
pub const BATCH_MAX: usize = 200;

/// Applies the same act to several cases at once (a village deliberates its list in one
/// meeting; one notice lists every household of the batch), each last seen at its version.
/// All or nothing: when any case refuses, nothing is written and every refusal is reported
/// (409). Each case keeps its own history and audit entries.
pub async fn act_batch(
    store: &dyn Store,
    account: &Account,
    items: &[(i64, i64)],
    act: &Act,
    today: NaiveDate,
) -> Result<Vec<CaseRecord>, ServiceError> {
    if items.is_empty() || items.len() > BATCH_MAX {
        return Err(ServiceError::Invalid(format!(
            "a batch holds 1 to {BATCH_MAX} cases / 一次可办理 1 至 {BATCH_MAX} 件"
        )));
    }
    let mut ids: Vec<i64> = items.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() != items.len() {
        return Err(ServiceError::Invalid(
            "a case appears twice in the batch / 同一案件重复出现".into(),
        ));
    }
    act_on(store, account, items, act, today).await
}

/// A batch refused whole: how many of how many, and each one's reason.
fn batch_refused(what: &str, total: usize, refusals: &[(String, String)]) -> ServiceError {
    let lines: Vec<String> = refusals
        .iter()
        .map(|(who, why)| format!("{who}: {why}"))
        .collect();
    ServiceError::Conflict(format!(
        "{what}; {} / {total} refused / 被拒绝:\n{}",
        refusals.len(),
        lines.join("\n")
    ))
}

const STALE: &str =
    "this case changed meanwhile; reload it and try again / 此案已被他人更新，请刷新后重试";

async fn act_on(
    store: &dyn Store,
    account: &Account,
    items: &[(i64, i64)],
    act: &Act,
    today: NaiveDate,
) -> Result<Vec<CaseRecord>, ServiceError> {
    let single = items.len() == 1;
    let mut recs = Vec::with_capacity(items.len());
    for (id, _) in items {
        recs.push(case_in_reach(store, account, *id, today).await?);
    }
    // Each case on its own, by the domain's rules; every refusal is collected.
    let mut cases = Vec::with_capacity(recs.len());
    let mut refusals: Vec<(i64, String)> = Vec::new();
    for (rec, (_, version)) in recs.iter().zip(items) {
        if rec.version != *version {
            if single {
                return Err(ServiceError::Conflict(STALE.into()));
            }
            refusals.push((rec.id, STALE.into()));
            continue;
        }
        match apply_act(store, account, &rec.case, act, today).await? {
            Ok(case) => cases.push(case),
            Err(r) if single => return Err(refused(r)),
            Err(r) => refusals.push((rec.id, format!("{} / {r}", r.zh()))),
        }
    }
    if !refusals.is_empty() {
        let named: Vec<(String, String)> = refusals
            .into_iter()
            .map(|(id, why)| (format!("#{id}"), why))
            .collect();
        return Err(batch_refused(
            "nothing was done / 均未办理",
            items.len(),
            &named,
        ));
    }
    // A notice step publishes one notice for the whole batch: one village, one procedure.
    let notice = match act {
        Act::Step { step, .. } if step.is_notice() => {
            let first = &cases[0];
            if cases
                .iter()
                .any(|c| c.village != first.village || c.kind != first.kind)
            {
                return Err(ServiceError::Invalid(
                    "one notice covers one village and one procedure / 一份公示只能包含同一村、同一程序的案件"
                        .into(),
                ));
            }
            Some(compose_notice(store, &recs, first, *step, today).await?)
        }
        _ => None,
    };
    let (action_of, base_detail) = describe(act);
    let mut tx = store.begin().await?;
    let notice_ref = match &notice {
        Some(content) => {
            let text = jingzhun_domain::notice::canonical(content);
            let digest = jingzhun_domain::notice::digest_of(&text);
            let nid = tx
                .insert_notice(
                    &cases[0].village,
                    &text,
                    &digest,
                    (content.period_from, content.period_to),
                    &actor(account),
                )
                .await?;
            Some((nid, digest))
        }
        None => None,
    };
    for (rec, case) in recs.iter().zip(cases.iter_mut()) {
        let mut detail = base_detail.clone();
        if let Some((nid, digest)) = &notice_ref {
            if let Some(last) = case.steps.last_mut() {
                last.evidence = Evidence::Notice {
                    notice_ref: format!("N{nid}"),
                };
            }
            detail = serde_json::json!({ "step": detail["step"], "notice": nid, "digest": digest });
        }
        if !tx.update_case(rec.id, rec.version, case).await? {
            return Err(ServiceError::Conflict(STALE.into()));
        }
        if !single {
            detail["batch"] = serde_json::json!(items.len());
        }
        tx.append_audit(&AuditEvent {
            actor: actor(account),
            action: action_of(case),
            subject_kind: "procedure_case".into(),
            subject_id: rec.id.to_string(),
            detail,
        })
        .await?;
        if let Some(status) = case.outcome() {
            change_status(tx.as_mut(), store, account, rec, case, status, today).await?;
        }
    }
    tx.commit().await?;
    let mut out = Vec::with_capacity(recs.len());
    for rec in &recs {
        out.push(store.case(rec.id).await?.ok_or(ServiceError::NotFound {
            what: "procedure case",
            key: rec.id.to_string(),
        })?);
    }
    Ok(out)
}

/// The audit action of an act on a case, and what its entry records (an objection's text may
/// name people: the audit keeps only that one was filed).
fn describe(act: &Act) -> (impl Fn(&Case) -> String + '_, serde_json::Value) {
    let detail = match act {
        Act::Step { step, evidence } => {
            serde_json::json!({ "step": step.code(), "evidence": evidence })
        }
        Act::Object { .. } => serde_json::json!({ "objection": true }),
        Act::Resolve { upheld, .. } => serde_json::json!({ "upheld": upheld }),
    };
    let name = move |case: &Case| match act {
        Act::Step { step, .. } => format!("procedure.{}.{}", case.kind.code(), step.code()),
        Act::Object { .. } => format!("procedure.{}.objection", case.kind.code()),
        Act::Resolve { .. } => format!("procedure.{}.resolution", case.kind.code()),
    };
    (name, detail)
}

/// One act on one case by the domain's rules: the next case, or why not. A notice step's
/// reference is filled in when the notice is stored.
async fn apply_act(
    store: &dyn Store,
    account: &Account,
    case: &Case,
    act: &Act,
    today: NaiveDate,
) -> Result<Result<Case, Refusal>, ServiceError> {
    let mut case = case.clone();
    let r = match act {
        Act::Step { step, evidence } => {
            let days = notice_days(store, &case, today).await?;
            let evidence = if step.is_notice() {
                Evidence::Notice {
                    notice_ref: "—".into(),
                }
            } else {
                evidence.clone()
            };
            case.step(*step, account, today, evidence, days)
        }
        Act::Object { text } => {
            if account.keeps_registry(today) {
                case.object(today, text)
            } else {
                Err(Refusal::WrongRole {
                    role: "村、乡、县扶贫干部".into(),
                })
            }
        }
        Act::Resolve { upheld, note } => case.resolve(account, today, *upheld, note),
    };
    Ok(r.map(|()| case))
}

/// The household's status change a completed case makes, with its audit entry naming the
/// procedure.
async fn change_status(
    tx: &mut (dyn jingzhun_store::Tx + '_),
    store: &dyn Store,
    account: &Account,
    rec: &CaseRecord,
    case: &Case,
    status: HouseholdStatus,
    today: NaiveDate,
) -> Result<(), ServiceError> {
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
            "procedure": case.kind.code(), "case": rec.id,
        }),
    })
    .await?;
    Ok(())
}

/// The notice a notice step publishes: each household's head and size, the period.
async fn compose_notice(
    store: &dyn Store,
    recs: &[CaseRecord],
    case: &Case,
    step: Step,
    today: NaiveDate,
) -> Result<jingzhun_domain::notice::NoticeContent, ServiceError> {
    let mut ids = Vec::with_capacity(recs.len());
    for rec in recs {
        ids.push(
            HouseholdId::parse(&rec.household_id)
                .map_err(|_| ServiceError::Invalid("stored household number".into()))?,
        );
    }
    let members = store.persons_of(&ids).await?;
    let households = ids
        .iter()
        .map(|hid| {
            let of: Vec<_> = members.iter().filter(|p| &p.household_id == hid).collect();
            let head = of
                .iter()
                .find(|p| p.relation == jingzhun_domain::vocab::Relation::Head)
                .map_or_else(String::new, |p| p.name.clone());
            (head, of.len() as u32)
        })
        .collect();
    let village_name = store
        .area(&case.village)
        .await?
        .map_or_else(|| case.village.as_str().to_string(), |a| a.name);
    Ok(jingzhun_domain::notice::compose(
        case.kind,
        step,
        case.village.as_str(),
        &village_name,
        households,
        (today, case.notice_until.unwrap_or(today)),
        recs.iter().map(|r| r.id).collect(),
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

/// An application form as sent: the household's fields and each member's, keyed by the
/// interchange column names (English or Chinese, `interchange.md`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ApplicationForm {
    pub household: std::collections::BTreeMap<String, String>,
    pub members: Vec<std::collections::BTreeMap<String, String>>,
}

/// The fields of a form, by the columns of a sheet; unknown names and empty values are
/// reported or dropped.
fn form_fields<S: jingzhun_interchange::SheetSpec>(
    given: &std::collections::BTreeMap<String, String>,
    place: (&str, u64),
    report: &mut jingzhun_interchange::Report,
) -> jingzhun_domain::application::Fields<S::Field> {
    let mut out = jingzhun_domain::application::Fields::new();
    for (name, value) in given {
        let name = name.trim();
        match S::COLUMNS
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name) || c.alias == name)
        {
            Some(c) if !value.trim().is_empty() => {
                out.insert(c.field, value.clone());
            }
            Some(_) => {}
            None => report.push(jingzhun_interchange::ImportError {
                file: place.0.into(),
                line: place.1,
                column: name.chars().take(40).collect(),
                value: String::new(),
                problem: jingzhun_domain::Problem::UnknownColumn,
            }),
        }
    }
    out
}

/// Registers the application of a household the registry does not hold (status `applicant`,
/// a number given by the platform) with its members, and opens its procedure
/// (identification, new identification or monitoring entry), in one transaction. Every problem
/// of the form is reported (422, nothing written); the clerk must keep the registry of the
/// village, and a member already in a household of the registry is refused.
pub async fn apply(
    store: &dyn Store,
    account: &Account,
    kind: ProcedureKind,
    form: &ApplicationForm,
    evidence: Evidence,
    today: NaiveDate,
) -> Result<CaseRecord, ServiceError> {
    use jingzhun_domain::application::{self, ApplicationProblem};
    use jingzhun_interchange::{HouseholdSheet, ImportError, PersonSheet, Report, SheetSpec};
    if !kind.may_start_from(None) {
        return Err(refused(Refusal::NotApplicable {
            status: "未登记".into(),
        }));
    }
    let mut report = Report::default();
    let household = form_fields::<HouseholdSheet>(&form.household, ("household", 1), &mut report);
    let members: Vec<_> = form
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| form_fields::<PersonSheet>(m, ("member", i as u64 + 1), &mut report))
        .collect();
    let problem = |file: &str, line: u64, column: &str, value: &str, p| ImportError {
        file: file.into(),
        line,
        column: column.into(),
        value: value.into(),
        problem: p,
    };
    // The village first: it decides the number and who may apply.
    let village_text = household
        .get(&jingzhun_domain::registry::HouseholdField::VillageCode)
        .cloned()
        .unwrap_or_default();
    let village = match jingzhun_domain::AreaCode::parse(&village_text) {
        Ok(v) if v.level() != jingzhun_domain::AreaLevel::Village => {
            report.push(problem(
                "household",
                1,
                "village_code",
                &village_text,
                jingzhun_domain::Problem::UnknownVillage,
            ));
            None
        }
        Ok(v) if store.area(&v).await?.is_none() => {
            report.push(problem(
                "household",
                1,
                "village_code",
                &village_text,
                jingzhun_domain::Problem::UnknownVillage,
            ));
            None
        }
        Ok(v) if !account.may_reach(&v, today) => {
            report.push(problem(
                "household",
                1,
                "village_code",
                &village_text,
                jingzhun_domain::Problem::OutsideYourArea,
            ));
            None
        }
        Ok(v) => Some(v),
        Err(_) => None, // reported by the household's own check below
    };
    // The next free number of the village for today.
    let placeholder =
        HouseholdId::parse("A").map_err(|_| ServiceError::Invalid("number".into()))?;
    let mut id = placeholder;
    if let Some(v) = &village {
        for n in 1..=10_000u32 {
            let candidate = application::number(v, today, n)
                .map_err(|_| ServiceError::Invalid("household number".into()))?;
            if store.household(&candidate).await?.is_none() {
                id = candidate;
                break;
            }
        }
    }
    let parsed = application::parse(&id, &household, &members, today);
    let value_of = |line: usize, f| {
        members
            .get(line.wrapping_sub(1))
            .and_then(|m| m.get(&f).cloned())
            .unwrap_or_default()
    };
    let app = match parsed {
        Ok(app) => Some(app),
        Err(problems) => {
            for p in problems {
                report.push(match p {
                    ApplicationProblem::Household(f, p) => {
                        let c = HouseholdSheet::column(f);
                        problem(
                            "household",
                            1,
                            c.name,
                            household.get(&f).map_or("", String::as_str),
                            p,
                        )
                    }
                    ApplicationProblem::Member(line, f, p) => problem(
                        "member",
                        line as u64,
                        PersonSheet::column(f).name,
                        &value_of(line, f),
                        p,
                    ),
                    ApplicationProblem::Members(p) => problem("member", 0, "", "", p),
                });
            }
            None
        }
    };
    // A person is in at most one household of the registry (domain.md §3).
    if let Some(app) = &app {
        for (i, m) in app.members.iter().enumerate() {
            let found = store
                .search_households(&jingzhun_store::HouseholdQuery {
                    text: Some(m.id_number.as_str().to_string()),
                    limit: 5,
                    ..Default::default()
                })
                .await?;
            if found.iter().any(|h| h.status != HouseholdStatus::Removed) {
                report.push(problem(
                    "member",
                    i as u64 + 1,
                    "id_number",
                    m.id_number.as_str(),
                    jingzhun_domain::Problem::AlreadyInRegistry,
                ));
            }
        }
    }
    let (Some(app), Some(village), true) = (app, village, report.is_empty()) else {
        return Err(ServiceError::Rejected(report));
    };
    let case = Case::start(kind, None, village, account, today, evidence).map_err(refused)?;
    let mut tx = store.begin().await?;
    let digest = {
        use sha2::{Digest, Sha256};
        let text = serde_json::json!({
            "household": app.household.household_id.as_str(),
            "form": form.household, "members": form.members,
        });
        hex::encode(Sha256::digest(text.to_string().as_bytes()))
    };
    let import_id = tx
        .begin_import(&jingzhun_store::NewImport {
            kind: "application".into(),
            digest,
            source: "申请表 / application form".into(),
            actor: actor(account),
            forced: false,
        })
        .await?;
    tx.put_households(std::slice::from_ref(&app.household), &[], import_id)
        .await?;
    tx.put_persons(&app.members, jingzhun_store::WriteMode::Insert)
        .await?;
    tx.finish_import(import_id, 1, app.members.len() as i64)
        .await?;
    let hid = app.household.household_id.as_str();
    let Some(case_id) = tx.insert_case(hid, &case, &actor(account)).await? else {
        return Err(ServiceError::Conflict(IN_PROGRESS.into()));
    };
    tx.append_audit(&AuditEvent {
        actor: actor(account),
        action: "household.application".into(),
        subject_kind: "household".into(),
        subject_id: hid.to_string(),
        detail: serde_json::json!({ "members": app.members.len(), "import": import_id }),
    })
    .await?;
    tx.append_audit(&AuditEvent {
        actor: actor(account),
        action: format!("procedure.{}.start", kind.code()),
        subject_kind: "procedure_case".into(),
        subject_id: case_id.to_string(),
        detail: serde_json::json!({ "household": hid, "kind": kind.code() }),
    })
    .await?;
    tx.commit().await?;
    store.case(case_id).await?.ok_or(ServiceError::NotFound {
        what: "procedure case",
        key: case_id.to_string(),
    })
}

/// The village a notice is about.
pub(crate) fn village_of(
    content: &jingzhun_domain::notice::NoticeContent,
) -> Result<jingzhun_domain::AreaCode, ServiceError> {
    jingzhun_domain::AreaCode::parse(&content.village_code)
        .map_err(|_| ServiceError::Invalid("stored notice village".into()))
}

/// Publishes the correction of notice `old` for its cases (see `notices::correct`).
pub(crate) async fn republish(
    store: &dyn Store,
    account: &Account,
    old: i64,
    recs: &[CaseRecord],
    reason: &str,
    today: NaiveDate,
) -> Result<jingzhun_store::notices::NoticeRecord, ServiceError> {
    let Some(first) = recs.first() else {
        return Err(ServiceError::Invalid("a notice without cases".into()));
    };
    let waiting = |r: &CaseRecord| {
        r.case.steps.last().is_some_and(|s| {
            matches!(&s.evidence, Evidence::Notice { notice_ref } if *notice_ref == format!("N{old}"))
        })
    };
    let Some(step) = first
        .case
        .steps
        .last()
        .map(|s| s.step)
        .filter(|s| s.is_notice())
    else {
        return Err(refused(Refusal::NoNoticeToCorrect));
    };
    // Each case still at this notice takes the correction; the domain checks role and state.
    let days = notice_days(store, &first.case, today).await?;
    let mut cases = Vec::new();
    for r in recs.iter().filter(|r| waiting(r)) {
        let mut c = r.case.clone();
        c.republish(account, today, days, "—".into())
            .map_err(refused)?;
        cases.push((r, c));
    }
    let Some((_, sample)) = cases.first() else {
        return Err(refused(Refusal::NoNoticeToCorrect));
    };
    let content = compose_notice(store, recs, sample, step, today).await?;
    let content = jingzhun_domain::notice::as_correction(content, old, reason);
    let text = jingzhun_domain::notice::canonical(&content);
    let digest = jingzhun_domain::notice::digest_of(&text);
    let mut tx = store.begin().await?;
    let nid = tx
        .insert_correction(
            &sample.village,
            &text,
            &digest,
            (content.period_from, content.period_to),
            &actor(account),
            old,
        )
        .await?;
    for (r, c) in &mut cases {
        if let Some(last) = c.steps.last_mut() {
            last.evidence = Evidence::Notice {
                notice_ref: format!("N{nid}"),
            };
        }
        if !tx.update_case(r.id, r.version, c).await? {
            return Err(ServiceError::Conflict(STALE.into()));
        }
        tx.append_audit(&AuditEvent {
            actor: actor(account),
            action: format!("procedure.{}.notice_correction", c.kind.code()),
            subject_kind: "procedure_case".into(),
            subject_id: r.id.to_string(),
            detail: serde_json::json!({ "corrects": old, "notice": nid, "digest": digest }),
        })
        .await?;
    }
    tx.append_audit(&AuditEvent {
        actor: actor(account),
        action: "notice.correction".into(),
        subject_kind: "notice".into(),
        subject_id: old.to_string(),
        detail: serde_json::json!({ "by": nid, "reason": reason }),
    })
    .await?;
    tx.commit().await?;
    store.notice(nid).await?.ok_or(ServiceError::NotFound {
        what: "notice",
        key: nid.to_string(),
    })
}

/// The cases within reach whose next step is past its deadline on `today` (the step deadline
/// of the standards for the case's village), with the day it was due; most overdue first.
pub async fn overdue(
    store: &dyn Store,
    account: &Account,
    today: NaiveDate,
) -> Result<Vec<(CaseRecord, NaiveDate)>, ServiceError> {
    let standards = crate::standards::in_force(store).await?;
    let mut out: Vec<(CaseRecord, NaiveDate)> = list(store, account, true, false, today)
        .await?
        .into_iter()
        .filter_map(|c| {
            let days = standards
                .value(StandardKey::StepDeadlineDays, today.year(), &c.case.village)
                .and_then(|d| u32::try_from(d).ok())
                .unwrap_or(10);
            let due = c.case.due_on(days)?;
            (today > due).then_some((c, due))
        })
        .collect();
    out.sort_by_key(|(c, due)| (*due, c.id));
    Ok(out)
}

/// The cases within reach whose notice period ends between `today` and `today + days`.
pub async fn notices_ending(
    store: &dyn Store,
    account: &Account,
    today: NaiveDate,
    days: u64,
) -> Result<Vec<CaseRecord>, ServiceError> {
    let until = today + chrono::Days::new(days);
    let mut out: Vec<CaseRecord> = list(store, account, true, false, today)
        .await?
        .into_iter()
        .filter(|c| {
            c.case
                .notice_until
                .is_some_and(|d| d >= today && d <= until)
        })
        .collect();
    out.sort_by_key(|c| (c.case.notice_until, c.id));
    Ok(out)
}
