//! Rectification ledgers (整改, domain.md §6, seed 001): programmes, problems, measures,
//! progress with evidence, closing only after a non-owner's verification, look-back, overdue
//! warnings, dashboards and the office lists as XLSX.
//!
//! The rules are `jingzhun_domain::rectification`'s; this module stores, scopes and audits them.
//!
//! * **Storage.** One supervision record (kind `programme`) per programme: its body is a
//!   [`Ledger`] as JSON (the domain's [`Programme`] with its problems and measures, the
//!   members of its units, and the finding each measure came from); `due_on` is the earliest
//!   deadline of a measure not closed; `state` is `open` or `closed` (every measure closed);
//!   `origin` is (`inspection`, id) when the programme answers an inspection's feedback. A
//!   measure is addressed as `{programme_id}/{measure_code}`; every change names the
//!   programme's version (409 when stale) and is audited in the same transaction.
//! * **Who is which unit.** The domain decides ownership by an account's unit. A programme
//!   lists its units' members by login ([`Ledger::units`], set by the programme's owners); an
//!   account belongs to the unit that lists it, else, if it is the responsible leader of a
//!   measure, to that leader's unit, else to no unit of the programme (an actor unit
//!   `@login`, which no measure may name).
//! * **Roles.** Leaders and county officers create programmes and add problems, measures and
//!   unit members; the working roles (leader, county officer, township reviewer, village
//!   clerk, finance officer) report progress on the measures they own; inspectors, county
//!   officers and discipline officers verify and close (销号) the measures they do not own;
//!   they and leaders record look-backs (回头看). Administrators take no part (they keep the
//!   system, not the rectification). Everything exists only within the account's area (404).

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use jingzhun_domain::access::{Account, Login, Role};
use jingzhun_domain::area::AreaCode;
use jingzhun_domain::audit::AuditEvent;
use jingzhun_domain::rectification::{
    Actor, Evidence, EvidenceKind, Measure, MeasureDraft, MeasureKind, MeasureState, Programme,
    Progress, ProgressReport, Refusal, StateCounts, progress,
};
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_store::Store;
use jingzhun_store::supervision::{
    NewRecord, RecordChange, RecordKind, RecordQuery, SupervisionRecord,
};
use serde::{Deserialize, Serialize};

use crate::{Denial, ServiceError};

/// What a programme record holds: the domain's programme and what the service needs around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    pub programme: Programme,
    /// The members of the programme's units: unit name → logins.
    #[serde(default)]
    pub units: BTreeMap<String, Vec<String>>,
    /// The finding each measure came from, by measure code: `"{inspection_id}:{finding_no}"`.
    #[serde(default)]
    pub findings: BTreeMap<String, String>,
}

/// A stored programme, within the account's reach.
#[derive(Debug, Clone, Serialize)]
pub struct ProgrammeRecord {
    pub id: i64,
    pub area: AreaCode,
    /// `open` or `closed` (every measure closed).
    pub state: String,
    /// The earliest deadline of a measure not closed.
    pub due_on: Option<String>,
    /// The inspection whose feedback it answers (its record id).
    pub inspection_id: Option<i64>,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    /// Send it back with the next change.
    pub version: i64,
    pub ledger: Ledger,
}

impl ProgrammeRecord {
    fn from_record(r: SupervisionRecord) -> Result<ProgrammeRecord, ServiceError> {
        let ledger: Ledger = serde_json::from_str(&r.body).map_err(|e| {
            ServiceError::Store(jingzhun_store::StoreError::Corrupt(format!(
                "programme {}: {e}",
                r.id
            )))
        })?;
        let inspection_id = match &r.origin {
            Some((k, id)) if k == "inspection" => id.parse().ok(),
            _ => None,
        };
        Ok(ProgrammeRecord {
            id: r.id,
            area: r.area,
            state: r.state,
            due_on: r.due_on,
            inspection_id,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
            ledger,
        })
    }

    /// The measure with `code`, or not found.
    pub fn measure(&self, code: &str) -> Result<&Measure, ServiceError> {
        self.ledger
            .programme
            .measure(code)
            .ok_or_else(|| ServiceError::NotFound {
                what: "measure",
                key: format!("{}/{}", self.id, code.trim()),
            })
    }
}

/// A programme in a list, with its counts.
#[derive(Debug, Clone, Serialize)]
pub struct ProgrammeSummary {
    pub id: i64,
    pub area: AreaCode,
    pub title: String,
    pub inspection: String,
    pub inspection_id: Option<i64>,
    pub state: String,
    pub due_on: Option<String>,
    pub problems: usize,
    pub counts: StateCounts,
    pub document_only: usize,
}

fn actor_name(account: &Account) -> String {
    format!("user:{}", account.login.as_str())
}

/// How a domain refusal maps to 403 / 400 / 409.
pub fn refused(r: Refusal) -> ServiceError {
    let kind = match &r {
        Refusal::NotOwner | Refusal::VerifierIsOwner { .. } | Refusal::CloserIsOwner { .. } => {
            Denial::Forbidden
        }
        Refusal::DuplicateProblem { .. }
        | Refusal::DuplicateMeasure { .. }
        | Refusal::Closed
        | Refusal::AwaitingVerification
        | Refusal::NotAwaitingVerification { .. }
        | Refusal::NotClosed { .. }
        | Refusal::MilestoneReached { .. }
        | Refusal::MilestonesOpen { .. }
        | Refusal::MechanismMissing
        | Refusal::NotVerified => Denial::Conflict,
        _ => Denial::Invalid,
    };
    ServiceError::denied(kind, r.zh(), &r)
}

fn forbidden(zh: &str, en: &str) -> ServiceError {
    ServiceError::denied(Denial::Forbidden, zh, en)
}

fn invalid(zh: &str, en: &str) -> ServiceError {
    ServiceError::denied(Denial::Invalid, zh, en)
}

const STALE_ZH: &str = "该整改方案已被他人更新，请刷新后重试";
const STALE_EN: &str = "this programme changed meanwhile; reload it and try again";

fn has_any(account: &Account, roles: &[Role], today: NaiveDate) -> bool {
    roles.iter().any(|r| account.has_role(*r, today))
}

/// Roles that create programmes and add problems, measures and unit members.
pub const OWNING_ROLES: [Role; 2] = [Role::Leader, Role::CountyOfficer];
/// Roles that report progress (on the measures their account owns).
pub const REPORTING_ROLES: [Role; 5] = [
    Role::Leader,
    Role::CountyOfficer,
    Role::TownshipReviewer,
    Role::VillageClerk,
    Role::FinanceOfficer,
];
/// Roles that verify and close (on measures their account does not own).
pub const VERIFYING_ROLES: [Role; 3] = [
    Role::Inspector,
    Role::CountyOfficer,
    Role::DisciplineOfficer,
];
/// Roles that record a look-back.
pub const LOOK_BACK_ROLES: [Role; 4] = [
    Role::Inspector,
    Role::CountyOfficer,
    Role::DisciplineOfficer,
    Role::Leader,
];

/// Whether the account may create programmes and edit their lists.
pub fn may_own(account: &Account, today: NaiveDate) -> bool {
    has_any(account, &OWNING_ROLES, today)
}

fn check_owning(account: &Account, today: NaiveDate) -> Result<(), ServiceError> {
    if may_own(account, today) {
        Ok(())
    } else {
        Err(forbidden(
            "只有领导小组成员或县级扶贫干部才能制定和修改整改方案",
            "only leaders and county officers draw up and change a rectification programme",
        ))
    }
}

/// The unit an account acts as in a programme (see the module's documentation).
pub fn actor_of(ledger: &Ledger, account: &Account) -> Actor {
    let login = account.login.as_str();
    let unit = ledger
        .units
        .iter()
        .find(|(_, members)| members.iter().any(|m| m == login))
        .map(|(u, _)| u.clone())
        .or_else(|| {
            ledger
                .programme
                .measures
                .iter()
                .find(|m| m.leader.login.as_str() == login)
                .map(|m| m.leader.unit.clone())
        })
        .unwrap_or_else(|| format!("@{login}"));
    Actor {
        login: account.login.clone(),
        unit,
    }
}

fn check_unit_name(unit: &str) -> Result<(), ServiceError> {
    if unit.trim().starts_with('@') {
        return Err(invalid(
            "单位名称不能以 @ 开头",
            "a unit name cannot start with @",
        ));
    }
    Ok(())
}

fn not_found(id: i64) -> ServiceError {
    ServiceError::NotFound {
        what: "rectification programme",
        key: id.to_string(),
    }
}

/// The programme if the account reaches its area (else not found).
pub async fn programme_in_reach(
    store: &dyn Store,
    account: &Account,
    id: i64,
    today: NaiveDate,
) -> Result<ProgrammeRecord, ServiceError> {
    let rec = store
        .record(RecordKind::Programme, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    if !account.may_reach(&rec.area, today) {
        return Err(not_found(id));
    }
    ProgrammeRecord::from_record(rec)
}

/// The inspection record if the account reaches it (else not found).
async fn inspection_in_reach(
    store: &dyn Store,
    account: &Account,
    id: i64,
    today: NaiveDate,
) -> Result<SupervisionRecord, ServiceError> {
    let missing = || ServiceError::NotFound {
        what: "inspection",
        key: id.to_string(),
    };
    let rec = store
        .record(RecordKind::Inspection, id)
        .await?
        .ok_or_else(missing)?;
    if !account.may_reach(&rec.area, today) {
        return Err(missing());
    }
    Ok(rec)
}

/// A programme to create.
#[derive(Debug, Clone, Deserialize)]
pub struct NewProgramme {
    /// The area it covers (within the account's reach): a code, short (`510304`) or full.
    pub area: String,
    pub title: String,
    /// Which feedback it answers, in words ("县委第一巡察组反馈意见").
    pub inspection: String,
    /// The inspection record whose feedback it answers, if it is in the platform.
    #[serde(default)]
    pub inspection_id: Option<i64>,
    /// The day it was issued (default today).
    #[serde(default)]
    pub issued_on: Option<NaiveDate>,
}

fn change_of(area: AreaCode, ledger: &Ledger) -> Result<RecordChange, ServiceError> {
    Ok(RecordChange {
        area,
        state: state_of(&ledger.programme).into(),
        category: None,
        due_on: ledger.programme.next_deadline().map(|d| d.to_string()),
        body: body_of(ledger)?,
    })
}

fn state_of(p: &Programme) -> &'static str {
    if p.all_closed() { "closed" } else { "open" }
}

fn body_of(ledger: &Ledger) -> Result<String, ServiceError> {
    serde_json::to_string(ledger)
        .map_err(|e| ServiceError::Invalid(format!("programme cannot be written: {e}")))
}

/// Creates a programme (leaders and county officers, within their area).
pub async fn create(
    store: &dyn Store,
    account: &Account,
    new: &NewProgramme,
    today: NaiveDate,
) -> Result<ProgrammeRecord, ServiceError> {
    check_owning(account, today)?;
    let area = AreaCode::parse_short(new.area.trim())
        .map_err(|_| invalid("区划代码不正确", "not an area code"))?;
    if !account.may_reach(&area, today) || store.area(&area).await?.is_none() {
        return Err(ServiceError::NotFound {
            what: "area",
            key: area.to_string(),
        });
    }
    if let Some(iid) = new.inspection_id {
        inspection_in_reach(store, account, iid, today).await?;
    }
    let programme = Programme::new(&new.title, &new.inspection, new.issued_on.unwrap_or(today))
        .map_err(refused)?;
    let ledger = Ledger {
        programme,
        units: BTreeMap::new(),
        findings: BTreeMap::new(),
    };
    insert(store, account, area, new.inspection_id, &ledger).await
}

async fn insert(
    store: &dyn Store,
    account: &Account,
    area: AreaCode,
    inspection_id: Option<i64>,
    ledger: &Ledger,
) -> Result<ProgrammeRecord, ServiceError> {
    let change = change_of(area, ledger)?;
    let mut tx = store.begin().await?;
    let id = tx
        .insert_record(&NewRecord {
            kind: RecordKind::Programme,
            public_code: None,
            area,
            state: change.state.clone(),
            category: None,
            due_on: change.due_on.clone(),
            origin: inspection_id.map(|i| ("inspection".to_string(), i.to_string())),
            body: change.body,
            actor: actor_name(account),
        })
        .await?;
    tx.append_audit(&AuditEvent {
        actor: actor_name(account),
        action: "rectification.programme.create".into(),
        subject_kind: "rectification_programme".into(),
        subject_id: id.to_string(),
        detail: serde_json::json!({
            "area": area.to_string(),
            "title": ledger.programme.title,
            "inspection_id": inspection_id,
            "problems": ledger.programme.problems.len(),
            "measures": ledger.programme.measures.len(),
        }),
    })
    .await?;
    tx.commit().await?;
    let rec = store
        .record(RecordKind::Programme, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    ProgrammeRecord::from_record(rec)
}

/// Writes a changed ledger if the programme is still at `version`, with its audit entry.
async fn save(
    store: &dyn Store,
    account: &Account,
    rec: &ProgrammeRecord,
    version: i64,
    ledger: &Ledger,
    action: &str,
    detail: serde_json::Value,
) -> Result<ProgrammeRecord, ServiceError> {
    if rec.version != version {
        return Err(ServiceError::denied(Denial::Conflict, STALE_ZH, STALE_EN));
    }
    let change = change_of(rec.area, ledger)?;
    let mut tx = store.begin().await?;
    if !tx.update_record(rec.id, version, &change).await? {
        return Err(ServiceError::denied(Denial::Conflict, STALE_ZH, STALE_EN));
    }
    tx.append_audit(&AuditEvent {
        actor: actor_name(account),
        action: action.into(),
        subject_kind: "rectification_programme".into(),
        subject_id: rec.id.to_string(),
        detail,
    })
    .await?;
    tx.commit().await?;
    let stored = store
        .record(RecordKind::Programme, rec.id)
        .await?
        .ok_or_else(|| not_found(rec.id))?;
    ProgrammeRecord::from_record(stored)
}

/// A problem of the feedback.
#[derive(Debug, Clone, Deserialize)]
pub struct NewProblem {
    pub number: u32,
    pub category: String,
    pub aspect: String,
    pub text: String,
}

/// Adds a problem to a programme seen at `version`.
pub async fn add_problem(
    store: &dyn Store,
    account: &Account,
    id: i64,
    version: i64,
    p: &NewProblem,
    today: NaiveDate,
) -> Result<ProgrammeRecord, ServiceError> {
    let rec = programme_in_reach(store, account, id, today).await?;
    check_owning(account, today)?;
    let mut ledger = rec.ledger.clone();
    ledger
        .programme
        .add_problem(p.number, &p.category, &p.aspect, &p.text)
        .map_err(refused)?;
    let detail = serde_json::json!({ "problem": p.number, "category": p.category.trim(), "aspect": p.aspect.trim() });
    save(
        store,
        account,
        &rec,
        version,
        &ledger,
        "rectification.problem.add",
        detail,
    )
    .await
}

/// A milestone of a staged measure.
#[derive(Debug, Clone, Deserialize)]
pub struct NewMilestone {
    pub due_on: NaiveDate,
    pub text: String,
}

/// A measure to add.
#[derive(Debug, Clone, Deserialize)]
pub struct NewMeasure {
    pub problem: u32,
    pub code: String,
    pub kind: MeasureKind,
    pub task: String,
    pub requirement: String,
    /// The responsible leader's login (an account of the platform).
    pub leader: String,
    /// The leader's own unit (县委, 县政府...).
    pub leader_unit: String,
    pub unit: String,
    #[serde(default)]
    pub co_units: Vec<String>,
    pub deadline: NaiveDate,
    #[serde(default)]
    pub milestones: Vec<NewMilestone>,
    /// The finding it answers: `"{inspection_id}:{finding_no}"`.
    #[serde(default)]
    pub finding: Option<String>,
}

/// Parses `"{inspection_id}:{finding_no}"`.
pub fn parse_finding(s: &str) -> Option<(i64, u32)> {
    let (i, n) = s.trim().split_once(':')?;
    let i: i64 = i.parse().ok()?;
    let n: u32 = n.parse().ok()?;
    (i > 0 && n > 0).then_some((i, n))
}

/// Adds a measure to a problem of a programme seen at `version`; from a finding, the
/// finding's inspection must exist within reach.
pub async fn add_measure(
    store: &dyn Store,
    account: &Account,
    id: i64,
    version: i64,
    m: &NewMeasure,
    today: NaiveDate,
) -> Result<ProgrammeRecord, ServiceError> {
    let rec = programme_in_reach(store, account, id, today).await?;
    check_owning(account, today)?;
    let finding = match m.finding.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(f) => {
            let Some((iid, no)) = parse_finding(f) else {
                return Err(invalid(
                    "来源问题的格式为“检查编号:问题序号”",
                    "a finding is given as \"{inspection_id}:{finding_no}\"",
                ));
            };
            inspection_in_reach(store, account, iid, today).await?;
            Some(format!("{iid}:{no}"))
        }
    };
    let leader = Login::parse(&m.leader).map_err(|_| {
        invalid(
            "责任领导须是本系统的账号",
            "the responsible leader is an account of the platform",
        )
    })?;
    if store.user(leader.as_str()).await?.is_none() {
        return Err(invalid(
            "责任领导须是本系统的账号",
            "the responsible leader is an account of the platform",
        ));
    }
    if m.code.contains(['/', '?', '#', '%']) {
        return Err(invalid(
            "措施编号不能含有 / ? # %",
            "a measure code cannot hold / ? # or %",
        ));
    }
    check_unit_name(&m.unit)?;
    check_unit_name(&m.leader_unit)?;
    for c in &m.co_units {
        check_unit_name(c)?;
    }
    let leader = Actor::new(leader, &m.leader_unit).map_err(refused)?;
    let mut ledger = rec.ledger.clone();
    let draft = MeasureDraft {
        problem: m.problem,
        code: m.code.clone(),
        kind: m.kind,
        task: m.task.clone(),
        requirement: m.requirement.clone(),
        leader,
        unit: m.unit.clone(),
        co_units: m.co_units.clone(),
        deadline: m.deadline,
        milestones: m
            .milestones
            .iter()
            .map(|s| (s.due_on, s.text.clone()))
            .collect(),
    };
    let code = ledger
        .programme
        .add_measure(draft)
        .map_err(refused)?
        .code
        .clone();
    if let Some(f) = &finding {
        ledger.findings.insert(code.clone(), f.clone());
    }
    let detail = serde_json::json!({
        "measure": code, "problem": m.problem, "kind": m.kind.code(),
        "unit": m.unit.trim(), "leader": m.leader.trim(), "deadline": m.deadline, "finding": finding,
    });
    save(
        store,
        account,
        &rec,
        version,
        &ledger,
        "rectification.measure.add",
        detail,
    )
    .await
}

/// Sets the members (logins) of one of the programme's units; an empty list removes it.
pub async fn set_unit(
    store: &dyn Store,
    account: &Account,
    id: i64,
    version: i64,
    unit: &str,
    members: &[String],
    today: NaiveDate,
) -> Result<ProgrammeRecord, ServiceError> {
    let rec = programme_in_reach(store, account, id, today).await?;
    check_owning(account, today)?;
    check_unit_name(unit)?;
    // The domain's checks on a unit name (required, one line, 200 characters).
    let unit = Actor::new(account.login.clone(), unit)
        .map_err(refused)?
        .unit;
    if members.len() > jingzhun_domain::rectification::MAX_ITEMS {
        return Err(invalid("单位成员过多", "too many members in one unit"));
    }
    let mut logins: Vec<String> = Vec::new();
    for m in members {
        let login = Login::parse(m).map_err(|_| {
            invalid(
                "成员须是本系统的账号",
                "a member is an account of the platform",
            )
        })?;
        if store.user(login.as_str()).await?.is_none() {
            return Err(invalid(
                "成员须是本系统的账号",
                "a member is an account of the platform",
            ));
        }
        let l = login.as_str().to_string();
        if let Some((other, _)) = rec
            .ledger
            .units
            .iter()
            .find(|(u, ms)| **u != unit && ms.contains(&l))
        {
            return Err(ServiceError::denied(
                Denial::Conflict,
                format!("{l} 已是本方案“{other}”的成员"),
                format!("{l} is already a member of {other:?} in this programme"),
            ));
        }
        if !logins.contains(&l) {
            logins.push(l);
        }
    }
    let mut ledger = rec.ledger.clone();
    if logins.is_empty() {
        ledger.units.remove(&unit);
    } else {
        ledger.units.insert(unit.clone(), logins.clone());
    }
    let detail = serde_json::json!({ "unit": unit, "members": logins });
    save(
        store,
        account,
        &rec,
        version,
        &ledger,
        "rectification.units.set",
        detail,
    )
    .await
}

/// An item of evidence as submitted.
#[derive(Debug, Clone, Deserialize)]
pub struct EvidenceItem {
    pub kind: EvidenceKind,
    pub text: String,
}

fn evidence_of(items: &[EvidenceItem]) -> Vec<Evidence> {
    items
        .iter()
        .map(|e| Evidence::new(e.kind, e.text.trim()))
        .collect()
}

/// One act on a measure.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "act", rename_all = "snake_case")]
pub enum MeasureAct {
    /// The owner reports progress (possibly a milestone reached, possibly completion).
    Report {
        text: String,
        #[serde(default)]
        evidence: Vec<EvidenceItem>,
        #[serde(default)]
        milestone: Option<usize>,
        #[serde(default)]
        completed: bool,
    },
    /// The owner records the mechanism a long-term measure built.
    Mechanism { text: String },
    /// Someone other than the owner verifies the reported completion.
    Verify {
        passed: bool,
        findings: String,
        #[serde(default)]
        evidence: Vec<EvidenceItem>,
    },
    /// Someone other than the owner closes (销号) a verified measure.
    Close,
    /// A look-back (回头看) of a closed measure, possibly reopening it.
    LookBack { findings: String, reopen: bool },
}

impl MeasureAct {
    pub fn code(&self) -> &'static str {
        match self {
            MeasureAct::Report { .. } => "report",
            MeasureAct::Mechanism { .. } => "mechanism",
            MeasureAct::Verify { .. } => "verify",
            MeasureAct::Close => "close",
            MeasureAct::LookBack { .. } => "look_back",
        }
    }

    fn roles(&self) -> (&'static [Role], &'static str, &'static str) {
        match self {
            MeasureAct::Report { .. } | MeasureAct::Mechanism { .. } => (
                &REPORTING_ROLES,
                "此角色不报送整改进展",
                "this role does not report rectification progress",
            ),
            MeasureAct::Verify { .. } | MeasureAct::Close => (
                &VERIFYING_ROLES,
                "只有巡视督查人员、县级扶贫干部或纪检监察干部才能核验、销号",
                "only inspectors, county officers and discipline officers verify and close",
            ),
            MeasureAct::LookBack { .. } => (
                &LOOK_BACK_ROLES,
                "此角色不开展“回头看”",
                "this role does not record look-backs",
            ),
        }
    }
}

/// Applies one act to the measure `code` of a programme seen at `version`.
pub async fn act(
    store: &dyn Store,
    account: &Account,
    id: i64,
    code: &str,
    version: i64,
    act: &MeasureAct,
    today: NaiveDate,
) -> Result<ProgrammeRecord, ServiceError> {
    let rec = programme_in_reach(store, account, id, today).await?;
    let code = rec.measure(code)?.code.clone();
    let (roles, zh, en) = act.roles();
    if !has_any(account, roles, today) {
        return Err(forbidden(zh, en));
    }
    let mut ledger = rec.ledger.clone();
    let actor = actor_of(&ledger, account);
    let measure = ledger.programme.measure_mut(&code).map_err(refused)?;
    let before = measure.state;
    let mut detail = serde_json::json!({ "measure": code, "unit": actor.unit });
    match act {
        MeasureAct::Report {
            text,
            evidence,
            milestone,
            completed,
        } => {
            let r = ProgressReport {
                text: text.clone(),
                evidence: evidence_of(evidence),
                milestone: *milestone,
                completed: *completed,
            };
            measure.report(&actor, today, &r).map_err(refused)?;
            detail["completed"] = serde_json::json!(completed);
            detail["milestone"] = serde_json::json!(milestone);
            detail["evidence"] =
                serde_json::json!(r.evidence.iter().map(|e| e.kind.code()).collect::<Vec<_>>());
            detail["document_only"] = serde_json::json!(measure.is_document_only());
        }
        MeasureAct::Mechanism { text } => {
            measure
                .record_mechanism(&actor, today, text)
                .map_err(refused)?;
        }
        MeasureAct::Verify {
            passed,
            findings,
            evidence,
        } => {
            measure
                .verify(&actor, today, *passed, findings, &evidence_of(evidence))
                .map_err(refused)?;
            detail["passed"] = serde_json::json!(passed);
        }
        MeasureAct::Close => {
            measure.close(&actor, today).map_err(refused)?;
        }
        MeasureAct::LookBack { findings, reopen } => {
            measure
                .look_back(&actor, today, findings, *reopen)
                .map_err(refused)?;
            detail["reopened"] = serde_json::json!(reopen);
        }
    }
    detail["before"] = serde_json::json!(before.code());
    detail["after"] = serde_json::json!(measure.state.code());
    let action = format!("rectification.measure.{}", act.code());
    save(store, account, &rec, version, &ledger, &action, detail).await
}

/// The programmes within the account's area, newest first, with their counts.
pub async fn list(
    store: &dyn Store,
    account: &Account,
    today: NaiveDate,
) -> Result<Vec<ProgrammeSummary>, ServiceError> {
    let mut out = Vec::new();
    for rec in programmes(store, account, today).await? {
        let p = &rec.ledger.programme;
        let prog = progress(&p.measures, today);
        out.push(ProgrammeSummary {
            id: rec.id,
            area: rec.area,
            title: p.title.clone(),
            inspection: p.inspection.clone(),
            inspection_id: rec.inspection_id,
            state: rec.state.clone(),
            due_on: rec.due_on.clone(),
            problems: p.problems.len(),
            counts: prog.all,
            document_only: prog.document_only.len(),
        });
    }
    Ok(out)
}

/// Every programme within reach (at most 500, newest first).
async fn programmes(
    store: &dyn Store,
    account: &Account,
    today: NaiveDate,
) -> Result<Vec<ProgrammeRecord>, ServiceError> {
    let recs = store
        .records(&RecordQuery {
            kind: Some(RecordKind::Programme),
            within: account.scope(today),
            limit: 500,
            ..Default::default()
        })
        .await?;
    recs.into_iter()
        .filter(|r| account.may_reach(&r.area, today))
        .map(ProgrammeRecord::from_record)
        .collect()
}

/// One programme's dashboard on `today`.
pub async fn programme_progress(
    store: &dyn Store,
    account: &Account,
    id: i64,
    today: NaiveDate,
) -> Result<Progress, ServiceError> {
    let rec = programme_in_reach(store, account, id, today).await?;
    Ok(progress(&rec.ledger.programme.measures, today))
}

/// The dashboard over every programme within reach (measures of all of them together).
pub async fn dashboard(
    store: &dyn Store,
    account: &Account,
    today: NaiveDate,
) -> Result<Progress, ServiceError> {
    let mut measures = Vec::new();
    for rec in programmes(store, account, today).await? {
        measures.extend(rec.ledger.programme.measures);
    }
    Ok(progress(&measures, today))
}

/// What came of a finding: the measures opened from it, within reach.
#[derive(Debug, Clone, Serialize)]
pub struct FromFinding {
    pub programme_id: i64,
    pub programme: String,
    pub code: String,
    pub state: MeasureState,
    pub deadline: NaiveDate,
    pub overdue: bool,
}

/// The measures opened from finding `finding_no` of inspection `inspection_id`.
pub async fn measures_from_finding(
    store: &dyn Store,
    account: &Account,
    inspection_id: i64,
    finding_no: u32,
    today: NaiveDate,
) -> Result<Vec<FromFinding>, ServiceError> {
    let key = format!("{inspection_id}:{finding_no}");
    let mut out = Vec::new();
    for rec in programmes(store, account, today).await? {
        for (code, f) in &rec.ledger.findings {
            if *f != key {
                continue;
            }
            if let Some(m) = rec.ledger.programme.measure(code) {
                out.push(FromFinding {
                    programme_id: rec.id,
                    programme: rec.ledger.programme.title.clone(),
                    code: code.clone(),
                    state: m.state,
                    deadline: m.deadline,
                    overdue: m.is_overdue(today),
                });
            }
        }
    }
    Ok(out)
}

/// The columns of the ledger sheet, in the order offices use.
pub const LIST_COLUMNS: [&str; 11] = [
    "序号",
    "问题类别",
    "方面",
    "问题",
    "整改措施（任务）",
    "责任领导",
    "责任单位",
    "完成时限",
    "整改要求",
    "进展",
    "状态",
];

fn progress_cell(m: &Measure, today: NaiveDate) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !m.milestones.is_empty() {
        let reached = m
            .milestones
            .iter()
            .filter(|s| s.reached_on.is_some())
            .count();
        parts.push(format!("阶段目标 {reached}/{} 完成", m.milestones.len()));
    }
    if let Some(mech) = &m.mechanism {
        parts.push(format!("长效机制：{}", mech.text));
    }
    if let Some(r) = m.reports.last() {
        let kinds: Vec<&str> = r.evidence.iter().map(|e| e.kind.zh()).collect();
        let mut s = format!("{} {}", r.on, r.text);
        if !kinds.is_empty() {
            s.push_str(&format!("（佐证：{}）", kinds.join("、")));
        }
        parts.push(s);
    }
    if let Some(v) = m.verifications.last() {
        parts.push(format!(
            "{} 核验{}：{}",
            v.on,
            if v.passed { "通过" } else { "未通过" },
            v.findings
        ));
    }
    if let Some(lb) = m.look_backs.last() {
        parts.push(format!("{} 回头看：{}", lb.on, lb.findings));
    }
    if m.state != MeasureState::Closed && m.is_document_only() {
        parts.push("【以文件代替整改】".into());
    }
    let late = m.overdue_milestones(today);
    if !late.is_empty() {
        parts.push(format!("【{} 个阶段目标逾期】", late.len()));
    }
    if parts.is_empty() {
        "—".into()
    } else {
        parts.join("\n")
    }
}

/// The problem/task/responsibility/deadline/requirement lists as one XLSX sheet (整改台账):
/// a title row, the header row of [`LIST_COLUMNS`], one row per measure in problem order.
/// Audited (who exported which programme).
pub async fn lists_xlsx(
    store: &dyn Store,
    account: &Account,
    id: i64,
    today: NaiveDate,
) -> Result<Vec<u8>, ServiceError> {
    use rust_xlsxwriter::{Format, Workbook};
    let rec = programme_in_reach(store, account, id, today).await?;
    let p = &rec.ledger.programme;
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for m in &p.measures {
        let login = m.leader.login.as_str();
        if !names.contains_key(login) {
            let name = store
                .user(login)
                .await?
                .map_or_else(|| login.to_string(), |u| u.display_name);
            names.insert(login.to_string(), name);
        }
    }
    let xlsx = |e: rust_xlsxwriter::XlsxError| ServiceError::Xlsx(e.to_string());
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("整改台账").map_err(xlsx)?;
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    ws.write_string_with_format(0, 0, format!("{}（{}）", p.title, p.inspection), &bold)
        .map_err(xlsx)?;
    for (c, h) in LIST_COLUMNS.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, *h, &bold)
            .map_err(xlsx)?;
    }
    for (c, w) in [6, 14, 18, 30, 36, 10, 16, 12, 30, 40, 16]
        .iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, *w).map_err(xlsx)?;
    }
    let mut measures: Vec<&Measure> = p.measures.iter().collect();
    measures.sort_by(|a, b| a.problem.cmp(&b.problem).then(a.code.cmp(&b.code)));
    for (i, m) in measures.iter().enumerate() {
        let row = (i + 2) as u32;
        let problem = p
            .problems
            .iter()
            .find(|q| q.number == m.problem)
            .map_or_else(String::new, |q| format!("问题{}：{}", q.number, q.text));
        let mut task = format!("{}［{}］{}", m.code, m.kind.zh(), m.task);
        if let Some(f) = rec.ledger.findings.get(&m.code) {
            task.push_str(&format!("\n（来源：检查 {f}）"));
        }
        let mut unit = m.unit.clone();
        if !m.co_units.is_empty() {
            unit.push_str(&format!("\n配合：{}", m.co_units.join("、")));
        }
        let mut deadline = m.deadline.to_string();
        for s in &m.milestones {
            deadline.push_str(&format!("\n{} {}", s.due_on, s.text));
        }
        let mut state = m.state.zh().to_string();
        if m.is_overdue(today) {
            state.push_str(&format!("（逾期 {} 天）", (today - m.deadline).num_days()));
        }
        let leader = names
            .get(m.leader.login.as_str())
            .cloned()
            .unwrap_or_default();
        let cells = [
            (i + 1).to_string(),
            m.category.clone(),
            m.aspect.clone(),
            problem,
            task,
            leader,
            unit,
            deadline,
            m.requirement.clone(),
            progress_cell(m, today),
            state,
        ];
        for (c, v) in cells.iter().enumerate() {
            ws.write_string_with_format(row, c as u16, v, &wrap)
                .map_err(xlsx)?;
        }
    }
    let bytes = wb.save_to_buffer().map_err(xlsx)?;
    store
        .audit(&AuditEvent {
            actor: actor_name(account),
            action: "rectification.export".into(),
            subject_kind: "rectification_programme".into(),
            subject_id: rec.id.to_string(),
            detail: serde_json::json!({ "format": "xlsx", "measures": p.measures.len() }),
        })
        .await?;
    Ok(bytes)
}

// ---------------------------------------------------------------------------------------
// The demo: a county programme for a (fictional) city inspection's feedback, in the words of
// seed 001 (Gansu's report on the central inspection's feedback).

const DEMO_TITLE: &str = "大安区脱贫攻坚专项巡察反馈问题整改方案";
const DEMO_INSPECTION: &str = "市委第一巡察组脱贫攻坚专项巡察反馈意见";

/// (number, category, aspect, text): four categories and their aspects, as in seed 001.
const DEMO_PROBLEMS: [(u32, &str, &str, &str); 8] = [
    (
        1,
        "学习领会习近平总书记关于扶贫工作重要论述有差距，贯彻中央脱贫攻坚方针政策不精准",
        "落实脱贫攻坚精准方略不到位，基础工作不扎实",
        "贫困人口识别不够精准",
    ),
    (
        2,
        "学习领会习近平总书记关于扶贫工作重要论述有差距，贯彻中央脱贫攻坚方针政策不精准",
        "落实脱贫攻坚精准方略不到位，基础工作不扎实",
        "精准帮扶措施雷同",
    ),
    (
        3,
        "学习领会习近平总书记关于扶贫工作重要论述有差距，贯彻中央脱贫攻坚方针政策不精准",
        "执行“两不愁、三保障”政策存在偏差，工作措施落实质量不高",
        "控辍保学注水较多、义务教育降格以求",
    ),
    (
        4,
        "履行脱贫攻坚主体责任有差距",
        "脱贫攻坚责任和压力传导不到位不到底",
        "有的乡镇主体责任不到位",
    ),
    (
        5,
        "纪检监察机关监督责任与脱贫攻坚工作结合不紧，有的部门履职尽责不到位",
        "职能部门发挥作用不充分，存在作风不实问题",
        "扶贫资金监管力度不够，整合不到位、管理不规范等问题仍较突出",
    ),
    (
        6,
        "纪检监察机关监督责任与脱贫攻坚工作结合不紧，有的部门履职尽责不到位",
        "职能部门发挥作用不充分，存在作风不实问题",
        "检查多、会议多、填表多等作风不实问题依然存在",
    ),
    (
        7,
        "问题整改不扎实不到位",
        "对整改难度大的问题较真碰硬不够",
        "存在以文件代替整改现象",
    ),
    (
        8,
        "问题整改不扎实不到位",
        "对整改难度大的问题较真碰硬不够",
        "一些问题整改机械教条",
    ),
];

struct DemoMeasure {
    problem: u32,
    code: &'static str,
    kind: MeasureKind,
    task: &'static str,
    requirement: &'static str,
    leader: &'static str,
    leader_unit: &'static str,
    unit: &'static str,
    co_units: &'static [&'static str],
    /// Days after the programme's issue.
    deadline: u64,
    milestones: &'static [(u64, &'static str)],
}

const DEMO_MEASURES: [DemoMeasure; 9] = [
    DemoMeasure {
        problem: 1,
        code: "1-1",
        kind: MeasureKind::Immediate,
        task: "对建档立卡贫困户开展全面排查，对不符合条件的按程序清退，对符合条件未纳入的及时纳入",
        requirement: "做到应纳尽纳、应退尽退，排查台账到村到户",
        leader: "leader",
        leader_unit: "区委",
        unit: "区扶贫开发局",
        co_units: &["区民政局"],
        deadline: 60,
        milestones: &[],
    },
    DemoMeasure {
        problem: 2,
        code: "2-1",
        kind: MeasureKind::Staged,
        task: "按照“一户一策”要求，逐户核实帮扶措施，纠正帮扶措施雷同问题",
        requirement: "每户帮扶措施与致贫原因对应，不再出现整村措施雷同",
        leader: "leader",
        leader_unit: "区委",
        unit: "区扶贫开发局",
        co_units: &[],
        deadline: 150,
        milestones: &[(40, "完成逐户核实"), (100, "完成帮扶措施调整")],
    },
    DemoMeasure {
        problem: 3,
        code: "3-1",
        kind: MeasureKind::Immediate,
        task: "全面摸排失学辍学学生，逐一劝返复学，对残疾学生采取送教上门",
        requirement: "控辍保学不注水，劝返学生有学籍、有课表、有人教",
        leader: "leader",
        leader_unit: "区委",
        unit: "区教育和体育局",
        co_units: &[],
        deadline: 45,
        milestones: &[],
    },
    DemoMeasure {
        problem: 4,
        code: "4-1",
        kind: MeasureKind::LongTerm,
        task: "健全“五级书记一起抓”责任体系，各乡镇对落实主体责任情况开展自查自纠",
        requirement: "建立长效工作机制，层层传导压力",
        leader: "leader",
        leader_unit: "区委",
        unit: "区委办公室",
        co_units: &[],
        deadline: 200,
        milestones: &[],
    },
    DemoMeasure {
        problem: 5,
        code: "5-1",
        kind: MeasureKind::Immediate,
        task: "对近三年扶贫资金使用情况开展专项检查，整改资金闲置、挪用问题",
        requirement: "问题资金全部追回或纠正，账实相符",
        leader: "leader",
        leader_unit: "区委",
        unit: "区财政局",
        co_units: &["区审计局"],
        deadline: 30,
        milestones: &[],
    },
    DemoMeasure {
        problem: 6,
        code: "6-1",
        kind: MeasureKind::Immediate,
        task: "清理扶贫领域统计报表，取消一切不必要的填表报数",
        requirement: "凡能从系统获取的数据，不再让基层另行填报",
        leader: "leader",
        leader_unit: "区委",
        unit: "区扶贫开发局",
        co_units: &[],
        deadline: 50,
        milestones: &[],
    },
    DemoMeasure {
        problem: 7,
        code: "7-1",
        kind: MeasureKind::Immediate,
        task: "对以文件代替整改的事项逐项核查，落实到具体行动",
        requirement: "整改见人见事见效，不以印发文件作为完成标志",
        leader: "leader",
        leader_unit: "区委",
        unit: "区委办公室",
        co_units: &[],
        deadline: 90,
        milestones: &[],
    },
    DemoMeasure {
        problem: 8,
        code: "8-1",
        kind: MeasureKind::Immediate,
        task: "对易地扶贫搬迁安置住房面积不达标、设计不合理问题开展“回头看”，因户施策解决",
        requirement: "坚决杜绝机械教条整改，问题户逐户销号",
        leader: "leader",
        leader_unit: "区委",
        unit: "区发展和改革局",
        co_units: &[],
        deadline: 40,
        milestones: &[],
    },
    DemoMeasure {
        problem: 2,
        code: "2-2",
        kind: MeasureKind::Immediate,
        task: "对帮扶责任人开展“一户一策”专题培训",
        requirement: "帮扶责任人全部参训",
        leader: "leader",
        leader_unit: "区委",
        unit: "区扶贫开发局",
        co_units: &[],
        deadline: 200,
        milestones: &[],
    },
];

fn demo_err(r: Refusal) -> ServiceError {
    ServiceError::Invalid(format!("rectification demo: {r}"))
}

fn demo_actor(login: &str, unit: &str) -> Result<Actor, ServiceError> {
    let login = Login::parse(login)
        .map_err(|_| ServiceError::Invalid(format!("rectification demo: login {login}")))?;
    Actor::new(login, unit).map_err(demo_err)
}

fn field(text: &str) -> Vec<Evidence> {
    vec![Evidence::new(EvidenceKind::FieldVerification, text)]
}

/// Builds the demo ledger as of `today`: issued 120 days ago, measures in every state.
pub fn demo_ledger(today: NaiveDate) -> Result<Ledger, ServiceError> {
    let issued = today
        .checked_sub_days(Days::new(120))
        .ok_or_else(|| ServiceError::Invalid("rectification demo: date".into()))?;
    let on = |d: u64| issued.checked_add_days(Days::new(d)).unwrap_or(issued);
    let mut p = Programme::new(DEMO_TITLE, DEMO_INSPECTION, issued).map_err(demo_err)?;
    for (n, c, a, t) in DEMO_PROBLEMS {
        p.add_problem(n, c, a, t).map_err(demo_err)?;
    }
    for m in &DEMO_MEASURES {
        p.add_measure(MeasureDraft {
            problem: m.problem,
            code: m.code.into(),
            kind: m.kind,
            task: m.task.into(),
            requirement: m.requirement.into(),
            leader: demo_actor(m.leader, m.leader_unit)?,
            unit: m.unit.into(),
            co_units: m.co_units.iter().map(|s| s.to_string()).collect(),
            deadline: on(m.deadline),
            milestones: m
                .milestones
                .iter()
                .map(|(d, t)| (on(*d), t.to_string()))
                .collect(),
        })
        .map_err(demo_err)?;
    }
    // Who is which unit: the county officer works in the poverty office (and so owns its
    // measures); the finance officer is of the finance bureau. The inspector and the
    // discipline officer belong to none: they verify. (The township accounts do not reach a
    // county programme.)
    let mut units = BTreeMap::new();
    units.insert("区扶贫开发局".to_string(), vec!["county".to_string()]);
    units.insert("区财政局".to_string(), vec!["finance".to_string()]);
    let ledger = Ledger {
        programme: p,
        units,
        findings: BTreeMap::new(),
    };
    let officer = demo_actor("county", "区扶贫开发局")?;
    let finance = demo_actor("finance", "区财政局")?;
    let leader = demo_actor("leader", "区委")?;
    let inspector = demo_actor("inspector", "区委巡察整改督查组")?;
    let discipline = demo_actor("discipline", "区纪委监委")?;
    let mut ledger = ledger;
    let p = &mut ledger.programme;
    let report = |text: &str, evidence: Vec<Evidence>, completed: bool| ProgressReport {
        text: text.into(),
        evidence,
        milestone: None,
        completed,
    };
    // 1-1: closed (reported, verified by the inspector, closed by the discipline officer).
    {
        let m = p.measure_mut("1-1").map_err(demo_err)?;
        m.report(
            &officer,
            on(20),
            &report(
                "已完成全区建档立卡户全面排查，清退 12 户，新纳入 5 户",
                vec![
                    Evidence::new(EvidenceKind::Ledger, "排查台账（到村到户）"),
                    Evidence::new(EvidenceKind::SystemData, "系统比对结果"),
                ],
                true,
            ),
        )
        .map_err(demo_err)?;
        m.verify(
            &inspector,
            on(30),
            true,
            "抽查 3 个村 40 户，排查台账与实际相符",
            &field("入户抽查记录"),
        )
        .map_err(demo_err)?;
        m.close(&discipline, on(32)).map_err(demo_err)?;
    }
    // 2-1: staged, first milestone reached, in progress.
    {
        let m = p.measure_mut("2-1").map_err(demo_err)?;
        m.report(
            &officer,
            on(38),
            &ProgressReport {
                text: "已完成逐户核实，发现雷同措施 320 户".into(),
                evidence: vec![Evidence::new(EvidenceKind::Ledger, "逐户核实台账")],
                milestone: Some(0),
                completed: false,
            },
        )
        .map_err(demo_err)?;
    }
    // 3-1: reported completed, awaiting verification.
    {
        let m = p.measure_mut("3-1").map_err(demo_err)?;
        m.report(
            &leader,
            on(40),
            &report(
                "劝返复学 17 人，送教上门 4 人",
                vec![
                    Evidence::new(EvidenceKind::SystemData, "学籍系统在校记录"),
                    Evidence::new(EvidenceKind::Photo, "送教上门照片"),
                ],
                true,
            ),
        )
        .map_err(demo_err)?;
    }
    // 4-1: long-term, mechanism recorded, in progress.
    {
        let m = p.measure_mut("4-1").map_err(demo_err)?;
        m.record_mechanism(
            &leader,
            on(25),
            "建立乡镇党委书记脱贫攻坚月报告、季述职制度",
        )
        .map_err(demo_err)?;
        m.report(
            &leader,
            on(60),
            &report(
                "15 个乡镇（街道）完成自查自纠",
                vec![Evidence::new(
                    EvidenceKind::MeetingMinutes,
                    "自查自纠专题会议纪要",
                )],
                false,
            ),
        )
        .map_err(demo_err)?;
    }
    // 5-1: overdue (deadline day 30), in progress.
    {
        let m = p.measure_mut("5-1").map_err(demo_err)?;
        m.report(
            &finance,
            on(20),
            &report(
                "已完成 2017、2018 年资金检查，2019 年正在进行",
                vec![Evidence::new(EvidenceKind::Ledger, "资金检查台账")],
                false,
            ),
        )
        .map_err(demo_err)?;
    }
    // 6-1: not started and overdue (deadline day 50).
    // 7-1: flagged: its only evidence is a document issued (以文件代替整改).
    {
        let m = p.measure_mut("7-1").map_err(demo_err)?;
        m.report(
            &leader,
            on(15),
            &report(
                "已印发《关于进一步做好整改落实工作的通知》",
                vec![Evidence::new(
                    EvidenceKind::DocumentIssued,
                    "区委办〔2019〕12号",
                )],
                false,
            ),
        )
        .map_err(demo_err)?;
    }
    // 8-1: closed, then reopened by a look-back (回头看).
    {
        let m = p.measure_mut("8-1").map_err(demo_err)?;
        m.report(
            &leader,
            on(20),
            &report(
                "已对 36 户面积不达标住房完成补建",
                vec![Evidence::new(
                    EvidenceKind::FundsDisbursed,
                    "补建资金拨付凭证",
                )],
                true,
            ),
        )
        .map_err(demo_err)?;
        m.verify(
            &inspector,
            on(25),
            true,
            "现场查看 10 户，已补建",
            &field("现场核查记录"),
        )
        .map_err(demo_err)?;
        m.close(&inspector, on(26)).map_err(demo_err)?;
        m.look_back(
            &discipline,
            on(70),
            "回头看发现 3 户补建房屋设计不合理，群众无法入住",
            true,
        )
        .map_err(demo_err)?;
    }
    // 2-2: not started, deadline ahead.
    Ok(ledger)
}

/// Adds this capability's part of the demo data, once (called by
/// `demo::ensure_supervision_demo` after the registry and the demo accounts exist): one
/// programme in the demo county, skipped if a programme exists there.
pub async fn demo(store: &dyn Store, _sealer: &crate::seal::Sealer) -> Result<(), ServiceError> {
    let county = crate::demo::demo_county();
    let existing = store
        .records(&RecordQuery {
            kind: Some(RecordKind::Programme),
            within: Some(vec![county]),
            limit: 1,
            ..Default::default()
        })
        .await?;
    if !existing.is_empty() {
        return Ok(());
    }
    let today = crate::today_in_china();
    let ledger = demo_ledger(today)?;
    // The programme answers the demo's inspection, when there is one in the county.
    let inspection = store
        .records(&RecordQuery {
            kind: Some(RecordKind::Inspection),
            within: Some(vec![county]),
            limit: 1,
            ..Default::default()
        })
        .await?
        .into_iter()
        .next()
        .map(|r| r.id);
    let change = change_of(county, &ledger)?;
    let mut tx = store.begin().await?;
    let id = tx
        .insert_record(&NewRecord {
            kind: RecordKind::Programme,
            public_code: None,
            area: county,
            state: change.state,
            category: None,
            due_on: change.due_on,
            origin: inspection.map(|i| ("inspection".to_string(), i.to_string())),
            body: change.body,
            actor: "system:demo".into(),
        })
        .await?;
    tx.append_audit(&AuditEvent {
        actor: "system:demo".into(),
        action: "rectification.programme.create".into(),
        subject_kind: "rectification_programme".into(),
        subject_id: id.to_string(),
        detail: serde_json::json!({
            "area": county.to_string(),
            "demo": true,
            "problems": ledger.programme.problems.len(),
            "measures": ledger.programme.measures.len(),
        }),
    })
    .await?;
    tx.commit().await?;
    Ok(())
}
