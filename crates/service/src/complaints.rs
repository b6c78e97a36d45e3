//! Complaints (举报, domain.md §6): registration by officers and by the public, ticket codes,
//! sealed identities, routing with recusal, handling, reply, review, escalation, the daily
//! digest and statistics.
//!
//! The rules are `jingzhun_domain::complaint`'s; this module stores, scopes and audits them:
//!
//! * A complaint is one supervision record (kind `complaint`): its ticket code as the public
//!   code, the domain [`Complaint`] as JSON (which never holds the identity), listed under
//!   [`Complaint::listed_area`]. The identity is sealed apart (`sealed_identities`, encrypted
//!   with the platform's key, bound to `complaint:{id}`), read only by [`identity`], which
//!   audits every reading.
//! * An account reads a complaint only when [`complaint::may_view`] allows it over the listed
//!   area; anything else is "not found", exactly as for a missing one.
//! * Every act is one transaction: the record at the version the account saw (else 409) and its
//!   audit entry. Audit entries name the ticket, the act and its outcome, never the content or
//!   the identity.
//! * Deadlines are the standards' (`complaint_*_days`, domain.md §6 defaults) counted on the
//!   working-day [`calendar`]: the shipped 2025-2027 holiday file, or the file named by
//!   `JINGZHUN_CALENDAR`.
//! * Escalation (提级) of overdue cases is [`escalate_overdue`]: run before every list, digest
//!   and statistics is read (so what a reader sees is never stale), and callable by a scheduler.

use std::sync::{Arc, OnceLock};

use chrono::{Datelike, Days, NaiveDate};
use jingzhun_domain::access::{Account, Assignment, Login, Role};
use jingzhun_domain::area::AreaCode;
use jingzhun_domain::audit::AuditEvent;
use jingzhun_domain::calendar::Calendar;
use jingzhun_domain::complaint::{
    self, Actor, Channel, ComplainantInput, Complaint, ComplaintState, Complexity, Deadlines,
    Finding, NewComplaint, Refusal, Satisfaction, SealedIdentity, TicketCode, Unit,
};
use jingzhun_domain::standards::StandardKey;
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_store::supervision::{
    NewRecord, RecordChange, RecordKind, RecordQuery, SupervisionRecord,
};
use jingzhun_store::{Store, StoreError};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::seal::Sealer;
use crate::{Denial, ServiceError};

// ---------------------------------------------------------------------------------------------
// The working-day calendar.

/// The shipped calendar: 2025-2027 public holidays and make-up days, to be confirmed.
pub const DEFAULT_CALENDAR: &str = include_str!("../../../data/calendar/cn-holidays.txt");
/// The environment variable naming a calendar file that replaces the shipped one.
pub const CALENDAR_ENV: &str = "JINGZHUN_CALENDAR";

/// The calendar in force and where it came from.
#[derive(Debug, Clone)]
pub struct CalendarInForce {
    pub calendar: Arc<Calendar>,
    /// `shipped (to be confirmed)` or the file's path.
    pub source: String,
}

/// Reads a calendar: the file at `path` if given, else the shipped one. A wrong line is
/// refused with its number and reason.
pub fn load_calendar(path: Option<&str>) -> Result<CalendarInForce, ServiceError> {
    let (text, source) = match path.filter(|p| !p.trim().is_empty()) {
        Some(p) => {
            let path = std::path::Path::new(p);
            let text = std::fs::read_to_string(path).map_err(|e| ServiceError::io(path, e))?;
            (text, p.to_string())
        }
        None => (
            DEFAULT_CALENDAR.to_string(),
            "shipped (to be confirmed)".to_string(),
        ),
    };
    let calendar = Calendar::parse(&text).map_err(|e| {
        ServiceError::Invalid(format!(
            "calendar {source}: {e} / 工作日历 {source}：{}",
            e.zh()
        ))
    })?;
    Ok(CalendarInForce {
        calendar: Arc::new(calendar),
        source,
    })
}

/// The calendar in force: read once per process from `JINGZHUN_CALENDAR` or the shipped file.
pub fn calendar() -> Result<CalendarInForce, ServiceError> {
    static CAL: OnceLock<Result<CalendarInForce, String>> = OnceLock::new();
    CAL.get_or_init(|| {
        load_calendar(std::env::var(CALENDAR_ENV).ok().as_deref()).map_err(|e| e.to_string())
    })
    .clone()
    .map_err(ServiceError::Invalid)
}

/// The complaint deadlines in force for an area on a day (the standards, domain.md §6).
pub async fn deadlines(
    store: &dyn Store,
    area: &AreaCode,
    today: NaiveDate,
) -> Result<Deadlines, ServiceError> {
    let standards = crate::standards::in_force(store).await?;
    let d = Deadlines::default();
    let get = |key, default: u32| {
        standards
            .value(key, today.year(), area)
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(default)
    };
    Ok(Deadlines {
        route_days: get(StandardKey::ComplaintRouteDays, d.route_days),
        simple_days: get(StandardKey::ComplaintSimpleDays, d.simple_days),
        complex_days: get(StandardKey::ComplaintComplexDays, d.complex_days),
        review_window_days: get(StandardKey::ComplaintReviewDays, d.review_window_days),
    })
}

// ---------------------------------------------------------------------------------------------
// What callers see.

/// A stored complaint as an account sees it (the identity is never part of it).
#[derive(Debug, Clone, Serialize)]
pub struct ComplaintView {
    pub id: i64,
    /// Send it back with the next act.
    pub version: i64,
    pub complaint: Complaint,
    pub anonymous: bool,
    /// The reply is due by then (while one is awaited).
    pub reply_due: Option<NaiveDate>,
    /// Routing is due by then (while the case waits to be routed).
    pub route_due: Option<NaiveDate>,
    pub overdue: bool,
    pub route_overdue: bool,
    /// Until when the complainant may ask for review.
    pub review_until: Option<NaiveDate>,
    pub created_at: String,
    pub updated_at: String,
}

/// A complainant's identity, unsealed for one reading. `Debug` hides it.
#[derive(Clone, Serialize)]
pub struct Identity {
    pub anonymous: bool,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Identity(<sealed>)")
    }
}

/// What a ticket holder sees (domain `PublicStatus`, owned): the state, the dates and the
/// reply, nothing of the content or of whom it concerns.
#[derive(Debug, Clone, Serialize)]
pub struct PublicView {
    pub ticket: String,
    pub state: ComplaintState,
    pub registered_on: NaiveDate,
    pub reply_due: Option<NaiveDate>,
    pub replied_on: Option<NaiveDate>,
    pub reply: Option<String>,
    pub review_until: Option<NaiveDate>,
    /// Whether the complainant may now say how satisfied they are.
    pub may_rate: bool,
    /// Whether the complainant may now ask for review.
    pub may_ask_review: bool,
}

/// One act on a complaint, with what it records.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "act", rename_all = "snake_case")]
pub enum ComplaintAct {
    /// Route (转办) to a competent unit (its area code and name) as simple or complex.
    Route {
        unit_area: String,
        unit_name: String,
        complexity: Complexity,
    },
    Verify {
        note: String,
    },
    Finding {
        finding: Finding,
        action: String,
    },
    Reply {
        text: String,
    },
    /// The complainant's satisfaction, asked by the officer.
    Satisfaction {
        satisfaction: Satisfaction,
    },
    Close,
    /// A review asked for on the complainant's behalf.
    Review {
        reason: String,
    },
    Classify {
        classes: Vec<String>,
    },
}

impl ComplaintAct {
    fn code(&self) -> &'static str {
        match self {
            ComplaintAct::Route { .. } => "route",
            ComplaintAct::Verify { .. } => "verify",
            ComplaintAct::Finding { .. } => "finding",
            ComplaintAct::Reply { .. } => "reply",
            ComplaintAct::Satisfaction { .. } => "satisfaction",
            ComplaintAct::Close => "close",
            ComplaintAct::Review { .. } => "review",
            ComplaintAct::Classify { .. } => "classify",
        }
    }
}

/// What the complainant does with the ticket code on the public site.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "act", rename_all = "snake_case")]
pub enum PublicAct {
    Satisfaction { satisfaction: Satisfaction },
    Review { reason: String },
}

/// Which complaints a list shows.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListFilter {
    /// One state (`registered`, `routed`...).
    pub state: Option<ComplaintState>,
    /// Only cases still waiting for a reply.
    #[serde(default)]
    pub open: bool,
    /// Only cases past their deadline.
    #[serde(default)]
    pub overdue: bool,
    /// Text in the ticket code or the content (never the identity: it is not there).
    pub q: Option<String>,
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}

// ---------------------------------------------------------------------------------------------
// Helpers.

fn actor(account: &Account) -> String {
    format!("user:{}", account.login.as_str())
}

/// A domain refusal as a service refusal (403 / 400 / 409).
pub fn refused(r: Refusal) -> ServiceError {
    let kind = match &r {
        Refusal::NotAllowed { .. } | Refusal::UnitOutOfReach { .. } | Refusal::PublicChannel => {
            Denial::Forbidden
        }
        Refusal::Invalid { .. } => Denial::Invalid,
        _ => Denial::Conflict,
    };
    ServiceError::denied(kind, r.zh(), &r)
}

fn not_found(id: i64) -> ServiceError {
    ServiceError::NotFound {
        what: "complaint",
        key: id.to_string(),
    }
}

const STALE_ZH: &str = "此件已被他人更新，请刷新后重试";
const STALE_EN: &str = "this complaint changed meanwhile; reload it and try again";

fn stale() -> ServiceError {
    ServiceError::denied(Denial::Conflict, STALE_ZH, STALE_EN)
}

fn parse(rec: &SupervisionRecord) -> Result<Complaint, ServiceError> {
    serde_json::from_str(&rec.body).map_err(|_| {
        ServiceError::Store(StoreError::Corrupt(format!(
            "supervision record {}: complaint body",
            rec.id
        )))
    })
}

fn view(
    rec: &SupervisionRecord,
    c: Complaint,
    cal: &Calendar,
    d: &Deadlines,
    today: NaiveDate,
) -> ComplaintView {
    let anonymous = c.is_anonymous();
    ComplaintView {
        id: rec.id,
        version: rec.version,
        anonymous,
        reply_due: c.handling_due(cal),
        route_due: c.route_due(cal),
        overdue: c.is_overdue(today, cal),
        route_overdue: c.is_route_overdue(today, cal),
        review_until: c.review_until(d),
        created_at: rec.created_at.clone(),
        updated_at: rec.updated_at.clone(),
        complaint: c,
    }
}

fn change_of(c: &Complaint, cal: &Calendar) -> RecordChange {
    RecordChange {
        area: c.listed_area(),
        state: c.state.code().to_string(),
        category: c.classes.first().map(|k| k.code().to_string()),
        due_on: c.handling_due(cal).map(|d| d.to_string()),
        body: serde_json::to_string(c).unwrap_or_default(),
    }
}

#[derive(Serialize, Deserialize)]
struct SealedPlain {
    name: Option<String>,
    phone: Option<String>,
    id_number: Option<String>,
}

fn aad(id: i64) -> String {
    format!("complaint:{id}")
}

/// Whether a stored complaint is hidden from `account` by recusal (回避, [`complaint::recused`]).
pub(crate) fn recused_from(
    account: &Account,
    rec: &SupervisionRecord,
) -> Result<bool, ServiceError> {
    Ok(complaint::recused(account, &parse(rec)?))
}

/// The complaint if the account may read it (else not found).
async fn load(
    store: &dyn Store,
    account: &Account,
    id: i64,
    today: NaiveDate,
) -> Result<(SupervisionRecord, Complaint), ServiceError> {
    let rec = store
        .record(RecordKind::Complaint, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    if !complaint::may_view(account, &rec.area, today) {
        return Err(not_found(id));
    }
    let c = parse(&rec)?;
    // Recusal (回避): for the accused, the case does not exist.
    if complaint::recused(account, &c) {
        return Err(not_found(id));
    }
    Ok((rec, c))
}

// ---------------------------------------------------------------------------------------------
// Registration.

/// Registers a complaint received by an officer (hotline, letter, visit, transfer; the web
/// channel too when typed in for someone), the same day, with its identity sealed apart.
pub async fn register(
    store: &dyn Store,
    sealer: &Sealer,
    account: &Account,
    input: &NewComplaint,
    today: NaiveDate,
) -> Result<ComplaintView, ServiceError> {
    let id = insert(store, sealer, Actor::Officer(account), input, today).await?;
    // What was just typed in is shown back to its officer even when recusal (回避) keeps the
    // case from them from now on (it is then owned above the accused unit).
    let rec = store
        .record(RecordKind::Complaint, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let c = parse(&rec)?;
    let cal = calendar()?;
    let d = deadlines(store, &c.subject_area, today).await?;
    Ok(view(&rec, c, &cal.calendar, &d, today))
}

/// Registers a complaint filed on the public site (web channel, no account); returns its
/// ticket code, the complainant's only way back to it.
pub async fn register_public(
    store: &dyn Store,
    sealer: &Sealer,
    input: &NewComplaint,
    today: NaiveDate,
) -> Result<TicketCode, ServiceError> {
    let id = insert(store, sealer, Actor::Public, input, today).await?;
    let rec = store
        .record(RecordKind::Complaint, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(parse(&rec)?.ticket)
}

async fn insert(
    store: &dyn Store,
    sealer: &Sealer,
    by: Actor<'_>,
    input: &NewComplaint,
    today: NaiveDate,
) -> Result<i64, ServiceError> {
    // The subject must be an area the platform knows (the public types it in).
    if let Ok(Some(area)) =
        jingzhun_domain::area::AreaCode::parse_short(input.subject_area.trim()).map(Some)
        && store.area(&area).await?.is_none()
    {
        return Err(ServiceError::denied(
            Denial::Invalid,
            "被举报事项所在地不是本平台已知的区划",
            "subject area: not an area the platform knows",
        ));
    }
    let area_hint = AreaCode::parse_short(input.subject_area.trim()).ok();
    let d = match area_hint {
        Some(a) => deadlines(store, &a, today).await?,
        None => Deadlines::default(),
    };
    let cal = calendar()?;
    let (actor_name, by_public) = match by {
        Actor::Public => ("public".to_string(), true),
        Actor::Officer(a) => (actor(a), false),
    };
    // A ticket code already taken: draw again (40 bits; a collision is rare).
    for _ in 0..8 {
        let entropy = rand::rngs::OsRng.next_u64();
        let c = Complaint::register(input, by, today, entropy, &d).map_err(refused)?;
        let mut tx = store.begin().await?;
        let change = change_of(&c, &cal.calendar);
        let inserted = tx
            .insert_record(&NewRecord {
                kind: RecordKind::Complaint,
                public_code: Some(c.ticket.as_str().to_string()),
                area: change.area,
                state: change.state,
                category: change.category,
                due_on: change.due_on,
                origin: None,
                body: change.body,
                actor: actor_name.clone(),
            })
            .await;
        let id = match inserted {
            Ok(id) => id,
            Err(StoreError::Duplicate(_)) => continue,
            Err(e) => return Err(e.into()),
        };
        if let Some(identity) = &c.identity {
            let v = identity.expose_for_storage();
            let plain = SealedPlain {
                name: v.name.map(str::to_string),
                phone: v.phone.map(str::to_string),
                id_number: v.id_number.map(str::to_string),
            };
            let bytes = serde_json::to_vec(&plain).unwrap_or_default();
            tx.put_sealed_identity(id, &sealer.seal(&bytes, &aad(id)))
                .await?;
        }
        tx.append_audit(&AuditEvent {
            actor: actor_name.clone(),
            action: "complaint.register".into(),
            subject_kind: "complaint".into(),
            subject_id: id.to_string(),
            detail: serde_json::json!({
                "ticket": c.ticket.as_str(),
                "channel": c.channel.code(),
                "public": by_public,
                "anonymous": c.identity.is_none(),
                "owner": c.owner_area,
            }),
        })
        .await?;
        tx.commit().await?;
        return Ok(id);
    }
    Err(ServiceError::denied(
        Denial::Conflict,
        "未能生成唯一的查询码，请重试",
        "could not draw a free ticket code; try again",
    ))
}

// ---------------------------------------------------------------------------------------------
// Reading.

/// One complaint the account may read (else not found).
pub async fn get(
    store: &dyn Store,
    account: &Account,
    id: i64,
    today: NaiveDate,
) -> Result<ComplaintView, ServiceError> {
    let (rec, c) = load(store, account, id, today).await?;
    let cal = calendar()?;
    let d = deadlines(store, &c.subject_area, today).await?;
    Ok(view(&rec, c, &cal.calendar, &d, today))
}

async fn within_reach(
    store: &dyn Store,
    account: &Account,
    today: NaiveDate,
) -> Result<Vec<(SupervisionRecord, Complaint)>, ServiceError> {
    let recs = store
        .records(&RecordQuery {
            kind: Some(RecordKind::Complaint),
            within: account.scope(today),
            limit: 5000,
            ..Default::default()
        })
        .await?;
    let mut out = Vec::with_capacity(recs.len());
    for rec in recs {
        if complaint::may_view(account, &rec.area, today) {
            let c = parse(&rec)?;
            if !complaint::recused(account, &c) {
                out.push((rec, c));
            }
        }
    }
    Ok(out)
}

/// The complaints the account may read, newest first, after escalating what is overdue.
pub async fn list(
    store: &dyn Store,
    account: &Account,
    filter: &ListFilter,
    today: NaiveDate,
) -> Result<Vec<ComplaintView>, ServiceError> {
    escalate_overdue(store, today).await?;
    let cal = calendar()?;
    let q = filter
        .q
        .as_deref()
        .map(|q| q.trim().to_lowercase())
        .filter(|q| !q.is_empty());
    let mut out = Vec::new();
    for (rec, c) in within_reach(store, account, today).await? {
        if filter.state.is_some_and(|s| s != c.state)
            || (filter.open && !c.state.awaits_reply())
            || (filter.overdue && !c.is_overdue(today, &cal.calendar))
        {
            continue;
        }
        if let Some(q) = &q
            && !(c.ticket.as_str().to_lowercase().contains(q.as_str())
                || c.content.to_lowercase().contains(q.as_str()))
        {
            continue;
        }
        let d = deadlines(store, &c.subject_area, today).await?;
        out.push(view(&rec, c, &cal.calendar, &d, today));
    }
    let offset = usize::try_from(filter.offset.unwrap_or(0).max(0)).unwrap_or(0);
    let limit = usize::try_from(filter.limit.unwrap_or(200).clamp(1, 1000)).unwrap_or(200);
    Ok(out.into_iter().skip(offset).take(limit).collect())
}

/// The complainant's identity, for an account holding the `sealed` permission over the
/// complaint's subject area; the reading is audited (in its own transaction, committed before
/// the identity is returned). Anyone else: 403 (or 404 outside reach).
pub async fn identity(
    store: &dyn Store,
    sealer: &Sealer,
    account: &Account,
    id: i64,
    today: NaiveDate,
) -> Result<Identity, ServiceError> {
    let (rec, c) = load(store, account, id, today).await?;
    // The domain's rule first, on the complaint without its identity.
    c.identity_for(account, today).map_err(refused)?;
    let sealed = store.sealed_identity(rec.id).await?;
    let identity = match &sealed {
        None => None,
        Some(row) => {
            let bytes = sealer.open(row, &aad(rec.id)).map_err(|_| {
                ServiceError::Store(StoreError::Corrupt(format!(
                    "sealed identity of complaint {}",
                    rec.id
                )))
            })?;
            let plain: SealedPlain = serde_json::from_slice(&bytes).map_err(|_| {
                ServiceError::Store(StoreError::Corrupt(format!(
                    "sealed identity of complaint {}",
                    rec.id
                )))
            })?;
            SealedIdentity::new(&ComplainantInput {
                name: plain.name.unwrap_or_default(),
                phone: plain.phone.unwrap_or_default(),
                id_number: plain.id_number.unwrap_or_default(),
            })
            .map_err(refused)?
        }
    };
    let mut c = c;
    c.identity = identity;
    let shown = c.identity_for(account, today).map_err(refused)?;
    let out = Identity {
        anonymous: shown.is_none(),
        name: shown.and_then(|v| v.name.map(str::to_string)),
        phone: shown.and_then(|v| v.phone.map(str::to_string)),
        id_number: shown.and_then(|v| v.id_number.map(str::to_string)),
    };
    let mut tx = store.begin().await?;
    tx.append_audit(&AuditEvent {
        actor: actor(account),
        action: "complaint.unseal".into(),
        subject_kind: "complaint".into(),
        subject_id: rec.id.to_string(),
        detail: serde_json::json!({ "ticket": c.ticket.as_str(), "anonymous": out.anonymous }),
    })
    .await?;
    tx.commit().await?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Acts.

/// Takes one act on a complaint last seen at `version`: the domain's rule, then the record and
/// its audit entry in one transaction (409 when it changed meanwhile).
pub async fn act(
    store: &dyn Store,
    account: &Account,
    id: i64,
    version: i64,
    act: &ComplaintAct,
    today: NaiveDate,
) -> Result<ComplaintView, ServiceError> {
    let (rec, mut c) = load(store, account, id, today).await?;
    if rec.version != version {
        return Err(stale());
    }
    let cal = calendar()?;
    let d = deadlines(store, &c.subject_area, today).await?;
    let mut detail = serde_json::json!({ "ticket": c.ticket.as_str() });
    match act {
        ComplaintAct::Route {
            unit_area,
            unit_name,
            complexity,
        } => {
            let area = AreaCode::parse_short(unit_area.trim()).map_err(|_| {
                ServiceError::denied(
                    Denial::Invalid,
                    "承办单位所在地不是区划代码",
                    "unit area: not an area code",
                )
            })?;
            let unit = Unit::new(area, unit_name).map_err(refused)?;
            let late = c
                .route(account, today, unit.clone(), *complexity, &d, &cal.calendar)
                .map_err(refused)?;
            detail["unit_area"] = serde_json::json!(unit.area);
            detail["unit"] = serde_json::json!(unit.name);
            detail["complexity"] = serde_json::json!(complexity.code());
            detail["late"] = serde_json::json!(late);
        }
        ComplaintAct::Verify { note } => c.verify(account, today, note).map_err(refused)?,
        ComplaintAct::Finding { finding, action } => {
            c.record_finding(account, today, *finding, action)
                .map_err(refused)?;
            detail["finding"] = serde_json::json!(finding.code());
        }
        ComplaintAct::Reply { text } => c.reply(account, today, text).map_err(refused)?,
        ComplaintAct::Satisfaction { satisfaction } => {
            c.record_satisfaction(Actor::Officer(account), today, *satisfaction)
                .map_err(refused)?;
            detail["satisfaction"] = serde_json::json!(satisfaction.code());
        }
        ComplaintAct::Close => c.close(account, today).map_err(refused)?,
        ComplaintAct::Review { reason } => c
            .request_review(Actor::Officer(account), today, reason, &d, &cal.calendar)
            .map_err(refused)?,
        ComplaintAct::Classify { classes } => {
            c.classify(account, today, classes).map_err(refused)?;
            detail["classes"] = serde_json::json!(c.classes);
        }
    }
    detail["state"] = serde_json::json!(c.state.code());
    save(
        store,
        &rec,
        &c,
        &cal.calendar,
        &actor(account),
        act.code(),
        detail,
    )
    .await?;
    get_after_act(store, account, id, today).await
}

/// After an act the account may no longer read the case (routed below it is still within
/// reach; a review at the level above is not for a township): answer with what it may see.
async fn get_after_act(
    store: &dyn Store,
    account: &Account,
    id: i64,
    today: NaiveDate,
) -> Result<ComplaintView, ServiceError> {
    get(store, account, id, today).await
}

async fn save(
    store: &dyn Store,
    rec: &SupervisionRecord,
    c: &Complaint,
    cal: &Calendar,
    actor: &str,
    act: &str,
    detail: serde_json::Value,
) -> Result<(), ServiceError> {
    let mut tx = store.begin().await?;
    if !tx
        .update_record(rec.id, rec.version, &change_of(c, cal))
        .await?
    {
        return Err(stale());
    }
    tx.append_audit(&AuditEvent {
        actor: actor.to_string(),
        action: format!("complaint.{act}"),
        subject_kind: "complaint".into(),
        subject_id: rec.id.to_string(),
        detail,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The public side: the ticket code.

async fn by_ticket(
    store: &dyn Store,
    ticket: &str,
) -> Result<(SupervisionRecord, Complaint), ServiceError> {
    let code =
        TicketCode::parse(ticket).map_err(|e| ServiceError::denied(Denial::Invalid, e.zh(), e))?;
    let missing = || ServiceError::NotFound {
        what: "ticket",
        key: "(not shown)".into(),
    };
    let rec = store
        .record_by_code(RecordKind::Complaint, code.as_str())
        .await?
        .ok_or_else(missing)?;
    let c = parse(&rec)?;
    Ok((rec, c))
}

/// What the ticket holder sees (400 for a code that is not one, 404 for an unknown one).
pub async fn public_status(
    store: &dyn Store,
    ticket: &str,
    today: NaiveDate,
) -> Result<PublicView, ServiceError> {
    escalate_overdue(store, today).await?;
    let (_, c) = by_ticket(store, ticket).await?;
    let cal = calendar()?;
    let d = deadlines(store, &c.subject_area, today).await?;
    let s = c.public_status(&cal.calendar, &d);
    let replied = matches!(c.state, ComplaintState::Replied | ComplaintState::Closed);
    let unrated = c.round().satisfaction.is_none();
    Ok(PublicView {
        ticket: s.ticket.to_string(),
        state: s.state,
        registered_on: s.registered_on,
        reply_due: s.reply_due,
        replied_on: s.replied_on,
        reply: s.reply.map(str::to_string),
        review_until: s.review_until,
        may_rate: replied && unrated,
        may_ask_review: s.review_until.is_some_and(|u| today <= u),
    })
}

/// The complainant, with the ticket code, records their satisfaction or asks for review.
pub async fn public_act(
    store: &dyn Store,
    ticket: &str,
    act: &PublicAct,
    today: NaiveDate,
) -> Result<PublicView, ServiceError> {
    let (rec, mut c) = by_ticket(store, ticket).await?;
    let cal = calendar()?;
    let d = deadlines(store, &c.subject_area, today).await?;
    let mut detail = serde_json::json!({ "ticket": c.ticket.as_str(), "public": true });
    let code = match act {
        PublicAct::Satisfaction { satisfaction } => {
            c.record_satisfaction(Actor::Public, today, *satisfaction)
                .map_err(refused)?;
            detail["satisfaction"] = serde_json::json!(satisfaction.code());
            "satisfaction"
        }
        PublicAct::Review { reason } => {
            c.request_review(Actor::Public, today, reason, &d, &cal.calendar)
                .map_err(refused)?;
            "review"
        }
    };
    detail["state"] = serde_json::json!(c.state.code());
    save(store, &rec, &c, &cal.calendar, "public", code, detail).await?;
    public_status(store, ticket, today).await
}

// ---------------------------------------------------------------------------------------------
// Escalation.

/// Sends every overdue case without a reply to the level above (提级), each in its own
/// transaction with its audit entry (`system:escalation`). A case changed meanwhile is left for
/// the next run. Returns the ids escalated. Run before lists, digests and statistics are read;
/// a scheduler may call it too.
pub async fn escalate_overdue(
    store: &dyn Store,
    today: NaiveDate,
) -> Result<Vec<i64>, ServiceError> {
    let cal = calendar()?;
    let open: Vec<String> = ComplaintState::ALL
        .iter()
        .filter(|s| s.awaits_reply())
        .map(|s| s.code().to_string())
        .collect();
    let recs = store
        .records(&RecordQuery {
            kind: Some(RecordKind::Complaint),
            states: Some(open),
            due_before: Some(today.to_string()),
            limit: 5000,
            ..Default::default()
        })
        .await?;
    let mut done = Vec::new();
    for rec in recs {
        let mut c = parse(&rec)?;
        if !c.escalation_due(today, &cal.calendar) {
            continue;
        }
        let d = deadlines(store, &c.subject_area, today).await?;
        let Ok(e) = c.escalate(today, &d, &cal.calendar) else {
            continue;
        };
        let detail = serde_json::json!({
            "ticket": c.ticket.as_str(), "from": e.from, "to": e.to, "due": e.due,
            "state": c.state.code(),
        });
        match save(
            store,
            &rec,
            &c,
            &cal.calendar,
            "system:escalation",
            "escalate",
            detail,
        )
        .await
        {
            Ok(()) => done.push(rec.id),
            Err(ServiceError::Denied {
                kind: Denial::Conflict,
                ..
            }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

// ---------------------------------------------------------------------------------------------
// The daily digest (快报) and statistics.

/// One line of the digest: nothing of the content's details beyond its classes, and never the
/// identity.
#[derive(Debug, Clone, Serialize)]
pub struct DigestLine {
    pub id: i64,
    pub ticket: String,
    pub channel: Channel,
    pub subject_area: AreaCode,
    pub subject_name: String,
    pub classes: Vec<String>,
    pub state: ComplaintState,
    pub route_due: Option<NaiveDate>,
}

/// The daily digest of an area.
#[derive(Debug, Clone, Serialize)]
pub struct Digest {
    pub day: NaiveDate,
    /// Registered that day.
    pub registered: Vec<DigestLine>,
    /// Waiting for a reply (any day).
    pub open: usize,
    pub overdue: usize,
    pub escalated: usize,
    pub replied_today: usize,
    pub closed_today: usize,
}

/// The digest (快报) of `day` over what the account may read.
pub async fn digest(
    store: &dyn Store,
    account: &Account,
    day: NaiveDate,
    today: NaiveDate,
) -> Result<Digest, ServiceError> {
    escalate_overdue(store, today).await?;
    let cal = calendar()?;
    let mut out = Digest {
        day,
        registered: Vec::new(),
        open: 0,
        overdue: 0,
        escalated: 0,
        replied_today: 0,
        closed_today: 0,
    };
    for (rec, c) in within_reach(store, account, today).await? {
        if c.state.awaits_reply() {
            out.open += 1;
        }
        if c.is_overdue(day, &cal.calendar) {
            out.overdue += 1;
        }
        if c.escalations.iter().any(|e| e.on == day) {
            out.escalated += 1;
        }
        if c.round().reply.as_ref().is_some_and(|r| r.on == day) {
            out.replied_today += 1;
        }
        if c.closed_on == Some(day) {
            out.closed_today += 1;
        }
        if c.registered_on == day {
            let subject_name = store
                .area(&c.subject_area)
                .await?
                .map_or_else(|| c.subject_area.to_string(), |a| a.name);
            out.registered.push(DigestLine {
                id: rec.id,
                ticket: c.ticket.to_string(),
                channel: c.channel,
                subject_area: c.subject_area,
                subject_name,
                classes: c.classes.iter().map(|k| k.code().to_string()).collect(),
                state: c.state,
                route_due: c.route_due(&cal.calendar),
            });
        }
    }
    out.registered.sort_by_key(|l| l.id);
    Ok(out)
}

const DIGEST_HEADER: [&str; 7] = [
    "查询码 ticket",
    "渠道 channel",
    "所在地 area",
    "区划代码 area code",
    "问题类别 classes",
    "状态 state",
    "转办期限 route by",
];

fn digest_rows(d: &Digest) -> Vec<[String; 7]> {
    d.registered
        .iter()
        .map(|l| {
            [
                l.ticket.clone(),
                l.channel.zh().to_string(),
                l.subject_name.clone(),
                l.subject_area.to_string(),
                l.classes.join(" "),
                l.state.zh().to_string(),
                l.route_due.map(|d| d.to_string()).unwrap_or_default(),
            ]
        })
        .collect()
}

/// A cell as text that a spreadsheet will not read as a formula.
fn plain_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// The digest as CSV (UTF-8 with BOM, for Excel) or XLSX; the export is audited.
pub async fn digest_export(
    store: &dyn Store,
    account: &Account,
    d: &Digest,
    xlsx: bool,
) -> Result<Vec<u8>, ServiceError> {
    let rows = digest_rows(d);
    let bytes = if xlsx {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        let x = |e: rust_xlsxwriter::XlsxError| ServiceError::Xlsx(e.to_string());
        ws.set_name("快报").map_err(x)?;
        ws.write_string(0, 0, format!("信访举报快报 Complaints digest {}", d.day))
            .map_err(x)?;
        for (i, h) in DIGEST_HEADER.iter().enumerate() {
            ws.write_string(1, u16::try_from(i).unwrap_or(0), *h)
                .map_err(x)?;
        }
        for (r, row) in rows.iter().enumerate() {
            let r = u32::try_from(r + 2).unwrap_or(u32::MAX);
            for (i, cell) in row.iter().enumerate() {
                ws.write_string(r, u16::try_from(i).unwrap_or(0), cell)
                    .map_err(x)?;
            }
        }
        wb.save_to_buffer().map_err(x)?
    } else {
        let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
        let csv_err = |e: csv::Error| ServiceError::Invalid(e.to_string());
        w.write_record(DIGEST_HEADER).map_err(csv_err)?;
        for row in &rows {
            w.write_record(row.iter().map(|c| plain_cell(c)))
                .map_err(csv_err)?;
        }
        w.into_inner()
            .map_err(|e| ServiceError::Invalid(e.to_string()))?
    };
    let mut tx = store.begin().await?;
    tx.append_audit(&AuditEvent {
        actor: actor(account),
        action: "complaint.digest_export".into(),
        subject_kind: "complaint_digest".into(),
        subject_id: d.day.to_string(),
        detail: serde_json::json!({ "format": if xlsx { "xlsx" } else { "csv" }, "rows": rows.len() }),
    })
    .await?;
    tx.commit().await?;
    Ok(bytes)
}

/// A count under a key, with its labels.
#[derive(Debug, Clone, Serialize)]
pub struct Count {
    pub key: String,
    pub zh: String,
    pub en: String,
    pub count: usize,
}

/// Statistics of the complaints an account may read.
#[derive(Debug, Clone, Serialize)]
pub struct Statistics {
    pub total: usize,
    pub by_category: Vec<Count>,
    /// By the township (or the area itself above it) of the subject.
    pub by_area: Vec<Count>,
    pub by_channel: Vec<Count>,
    /// By the finding of the last round that recorded one (`none`: not yet).
    pub by_result: Vec<Count>,
    /// `replied_on_time`, `replied_late`, `open_on_time`, `open_overdue`.
    pub timeliness: Vec<Count>,
}

fn bump(v: &mut Vec<Count>, key: &str, zh: &str, en: &str) {
    match v.iter_mut().find(|c| c.key == key) {
        Some(c) => c.count += 1,
        None => v.push(Count {
            key: key.into(),
            zh: zh.into(),
            en: en.into(),
            count: 1,
        }),
    }
}

/// The statistics (by category, area, channel, result, timeliness), after escalating what is
/// overdue.
pub async fn statistics(
    store: &dyn Store,
    account: &Account,
    today: NaiveDate,
) -> Result<Statistics, ServiceError> {
    escalate_overdue(store, today).await?;
    let cal = calendar()?;
    let mut s = Statistics {
        total: 0,
        by_category: Vec::new(),
        by_area: Vec::new(),
        by_channel: Vec::new(),
        by_result: Vec::new(),
        timeliness: Vec::new(),
    };
    for (_, c) in within_reach(store, account, today).await? {
        s.total += 1;
        if c.classes.is_empty() {
            bump(&mut s.by_category, "none", "未分类", "Not classified");
        }
        for k in &c.classes {
            bump(&mut s.by_category, k.code(), k.zh(), k.en());
        }
        let township = c
            .subject_area
            .as_str()
            .get(..9)
            .filter(|_| c.subject_area.level() > jingzhun_domain::area::AreaLevel::County)
            .and_then(|p| AreaCode::parse_short(p).ok())
            .unwrap_or(c.subject_area);
        let name = store
            .area(&township)
            .await?
            .map_or_else(|| township.to_string(), |a| a.name);
        bump(&mut s.by_area, township.as_str(), &name, &name);
        bump(
            &mut s.by_channel,
            c.channel.code(),
            c.channel.zh(),
            c.channel.en(),
        );
        match c.rounds().filter_map(|r| r.finding).last() {
            Some(f) => bump(&mut s.by_result, f.code(), f.zh(), f.en()),
            None => bump(&mut s.by_result, "none", "尚无结果", "No finding yet"),
        }
        let round = c.round();
        let due = round.handling_clock.due(&cal.calendar);
        let (key, zh, en) = match (&round.reply, c.state.awaits_reply()) {
            (Some(r), false) if due.is_some_and(|d| r.on <= d) => {
                ("replied_on_time", "按期答复", "Replied on time")
            }
            (Some(_), false) => ("replied_late", "超期答复", "Replied late"),
            _ if c.is_overdue(today, &cal.calendar) => {
                ("open_overdue", "超期未答复", "Open, overdue")
            }
            _ => (
                "open_on_time",
                "在期限内办理中",
                "Open, within the deadline",
            ),
        };
        bump(&mut s.timeliness, key, zh, en);
    }
    for v in [
        &mut s.by_category,
        &mut s.by_area,
        &mut s.by_channel,
        &mut s.by_result,
        &mut s.timeliness,
    ] {
        v.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    }
    Ok(s)
}

/// Open complaints per village within an area (for the dashboard's early warning): complaints
/// not closed whose subject is a village.
pub async fn open_by_village(
    store: &dyn Store,
    area: &AreaCode,
) -> Result<Vec<(AreaCode, i64)>, ServiceError> {
    let recs = store
        .records(&RecordQuery {
            kind: Some(RecordKind::Complaint),
            within: Some(vec![*area]),
            limit: 5000,
            ..Default::default()
        })
        .await?;
    let mut out: Vec<(AreaCode, i64)> = Vec::new();
    for rec in recs {
        let c = parse(&rec)?;
        if c.state == ComplaintState::Closed
            || c.subject_area.level() != jingzhun_domain::area::AreaLevel::Village
            || !area.contains(&c.subject_area)
        {
            continue;
        }
        match out.iter_mut().find(|(v, _)| *v == c.subject_area) {
            Some((_, n)) => *n += 1,
            None => out.push((c.subject_area, 1)),
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// The demo.

fn demo_account(
    login: &str,
    role: Role,
    area: AreaCode,
    sealed: bool,
) -> Result<Account, ServiceError> {
    Ok(Account {
        name: String::new(),
        login: Login::parse(login).map_err(|p| ServiceError::Invalid(p.to_string()))?,
        disabled: false,
        assignments: vec![
            Assignment::new(role, area, None, None, sealed)
                .map_err(|p| ServiceError::Invalid(p.to_string()))?,
        ],
    })
}

/// Adds this capability's part of the demo data, once (called by
/// `demo::ensure_supervision_demo` after the registry and the demo accounts exist): seven
/// complaints about villages of the demo county, one in each state, registered over the last
/// weeks by the demo discipline officer (one filed on the public site, one anonymous).
pub async fn demo(store: &dyn Store, sealer: &Sealer) -> Result<(), ServiceError> {
    let existing = store
        .records(&RecordQuery {
            kind: Some(RecordKind::Complaint),
            limit: 1,
            ..Default::default()
        })
        .await?;
    if !existing.is_empty() {
        return Ok(());
    }
    let county = crate::demo::demo_county();
    // Villages of the first two townships with villages.
    let mut villages = Vec::new();
    for t in store.children(Some(&county)).await? {
        for v in store.children(Some(&t.code)).await? {
            villages.push((t.clone(), v));
            if villages.len() >= 7 {
                break;
            }
        }
        if villages.len() >= 7 {
            break;
        }
    }
    if villages.is_empty() {
        return Ok(());
    }
    let discipline = demo_account("discipline", Role::DisciplineOfficer, county, true)?;
    let today = crate::today_in_china();
    let start = today.checked_sub_days(Days::new(40)).unwrap_or(today);
    let day = |n: u64| {
        start
            .checked_add_days(Days::new(n))
            .unwrap_or(today)
            .min(today)
    };
    let texts = [
        (
            "村干部在危房改造补助发放中优亲厚友，补助给了不符合条件的亲属。",
            "favouritism",
            "村民委员会",
        ),
        (
            "产业扶持资金迟迟未发放到户，村里说已经发完了。",
            "diversion",
            "村民委员会",
        ),
        (
            "低保评定不公开，评议会没有通知村民代表参加。",
            "S000-04",
            "",
        ),
        ("帮扶干部一年没来过我家，表格上却写着每月走访。", "", ""),
        (
            "扶贫小额信贷被村干部以合作社名义借走使用。",
            "embezzlement",
            "村民委员会",
        ),
        ("易地搬迁安置房分配有人多占。", "", ""),
        ("办理贫困户证明时被要求请客送礼。", "extortion", ""),
    ];
    for (i, ((township, village), (content, class, accused))) in
        villages.iter().cycle().zip(texts).enumerate()
    {
        let mut input = NewComplaint::new(
            if i == 5 {
                Channel::Web
            } else {
                [
                    Channel::Hotline12317,
                    Channel::Hotline12380,
                    Channel::Letter,
                    Channel::Visit,
                    Channel::Transfer,
                ][i % 5]
            },
            village.code.as_str(),
            content,
        );
        if !class.is_empty() {
            input.classes = vec![class.to_string()];
        }
        if !accused.is_empty() {
            input.accused_unit = format!("{}{}", village.name, accused);
            input.accused_unit_area = village.code.as_str().to_string();
        }
        if i != 3 {
            input.complainant = ComplainantInput {
                name: ["张某某", "李某", "王某某", "", "赵某", "刘某", "陈某"][i].into(),
                phone: format!("1380000{:04}", 1000 + i),
                id_number: String::new(),
            };
        }
        let registered = if i == 6 { day(0) } else { day(25 + i as u64) };
        let id = if i == 5 {
            let t = register_public(store, sealer, &input, registered).await?;
            store
                .record_by_code(RecordKind::Complaint, t.as_str())
                .await?
                .map(|r| r.id)
                .ok_or_else(|| not_found(0))?
        } else {
            register(store, sealer, &discipline, &input, registered)
                .await?
                .id
        };
        let unit = (
            township.code.as_str().to_string(),
            format!("{}纪委", township.name),
        );
        let steps: Vec<ComplaintAct> = {
            let route = ComplaintAct::Route {
                unit_area: unit.0.clone(),
                unit_name: unit.1.clone(),
                complexity: Complexity::Simple,
            };
            let verify = ComplaintAct::Verify {
                note: "已入户走访核实，调阅了相关台账。".into(),
            };
            let finding = ComplaintAct::Finding {
                finding: if i == 4 {
                    Finding::PartlySubstantiated
                } else {
                    Finding::Substantiated
                },
                action: "责令退回资金，对相关村干部进行诫勉谈话。".into(),
            };
            let reply = ComplaintAct::Reply {
                text: "经核查，反映问题基本属实，已责令整改并追回资金，感谢您的监督。".into(),
            };
            match i {
                0 => vec![],                              // registered
                1 => vec![route],                         // routed
                2 => vec![route, verify],                 // handling
                3 => vec![route, verify, finding, reply], // replied
                4 => vec![
                    route,
                    verify,
                    finding,
                    reply,
                    ComplaintAct::Satisfaction {
                        satisfaction: Satisfaction::Unsatisfied,
                    },
                    ComplaintAct::Review {
                        reason: "资金只追回一部分，处理偏轻。".into(),
                    },
                ], // under review
                5 => vec![
                    route,
                    verify,
                    finding,
                    reply,
                    ComplaintAct::Satisfaction {
                        satisfaction: Satisfaction::Satisfied,
                    },
                    ComplaintAct::Close,
                ], // closed
                _ => vec![route],                         // escalated below
            }
        };
        let mut on = registered;
        for step in &steps {
            let version = store
                .record(RecordKind::Complaint, id)
                .await?
                .map(|r| r.version)
                .ok_or_else(|| not_found(id))?;
            act(store, &discipline, id, version, step, on).await?;
            on = on.checked_add_days(Days::new(1)).unwrap_or(on).min(today);
        }
    }
    // The one registered 40 days ago and routed is overdue: the level above takes it over.
    escalate_overdue(store, today).await?;
    Ok(())
}
