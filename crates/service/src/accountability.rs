//! Accountability cases (问责, domain.md §6): person, post, level, source, category, the four forms, outcomes, mitigation, escalated review, statistics by level and form, publication.
//!
//! The rules are `jingzhun_domain`'s; this module stores, scopes and audits them.
//!
//! Storage: one supervision record of kind `accountability` per case, in the area of the
//! person's post, its body the domain's [`Case`] as JSON, its origin the record it came from:
//! `("complaint", id)`, `("lead", id)` or `("finding", "{inspection_id}:{number}")` (an audit
//! is named by its report's reference only). Opening from a complaint, lead or finding checks
//! that it exists within the officer's reach (else not found).
//!
//! Who sees a case: discipline officers whose area contains the case's area, and
//! administrators; for anyone else it does not exist (404). Audit entries never hold the
//! person's name or the case's free text.

use chrono::NaiveDate;
use jingzhun_domain::access::{Account, Role};
use jingzhun_domain::accountability::{
    CadreLevel, Case, CaseDraft, CaseState, DecisionDraft, DismissalGrounds, Form, Mitigation,
    Outcome, Person, PublicationPolicy, Refusal, Source, SourceKind, Statistics, Substantiation,
    statistics,
};
use jingzhun_domain::area::AreaCode;
use jingzhun_domain::audit::AuditEvent;
use jingzhun_domain::catalogue::ProblemClass;
use jingzhun_domain::inspection::parse_finding_ref;
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_store::supervision::{
    NewRecord, RecordChange, RecordKind, RecordQuery, SupervisionRecord,
};
use jingzhun_store::{Store, StoreError};
use serde::{Deserialize, Serialize};

use crate::seal::Sealer;
use crate::{Denial, ServiceError};

/// The publication policy when none is configured: names from county level up; village and
/// township cadres appear as "张某" (the practice of many commissions).
pub const DEFAULT_POLICY: PublicationPolicy = PublicationPolicy::FromLevel(CadreLevel::County);

/// Reads a policy: `never`, `always`, or a level from which names are shown (`county`, 县级...).
pub fn parse_policy(text: &str) -> Option<PublicationPolicy> {
    match text.trim() {
        "never" | "从不" => Some(PublicationPolicy::Never),
        "always" | "全部" => Some(PublicationPolicy::Always),
        t => CadreLevel::parse(t).ok().map(PublicationPolicy::FromLevel),
    }
}

/// A stored case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    pub id: i64,
    /// Send it back with the next act (409 when the case changed meanwhile).
    pub version: i64,
    pub origin: Option<(String, String)>,
    pub case: Case,
    /// The level of the commission whose review the current decision needs, if any.
    pub required_review: Option<String>,
}

/// A case to open.
#[derive(Debug, Clone, Deserialize)]
pub struct OpenRequest {
    pub name: String,
    pub post: String,
    /// `village`, `township`, `county`, `city`, `province` (or 村级...).
    pub level: String,
    /// The area of the person's post (its level is the person's).
    pub area: String,
    /// `complaint`, `lead` (a cross-check lead), `finding` (an inspection finding), `audit`.
    pub source: String,
    /// The complaint's or lead's id, the finding as `{inspection_id}:{number}`, or the audit
    /// report's reference.
    #[serde(default)]
    pub origin: Option<String>,
    /// A catalogue item's code (`S000-04`) or a corruption type (`embezzlement`).
    pub category: String,
}

/// One act on a case.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "act", rename_all = "snake_case")]
pub enum CaseAct {
    /// `substantiation`: `substantiated`, `partly`, `unsubstantiated` (or 属实...).
    Investigate {
        substantiation: String,
        findings: String,
    },
    /// `form`: 1-4; `outcomes`: `party_discipline`, `government_sanction`, `organisational`,
    /// `admonition`, `talk`, `circulated`, `transferred` (or Chinese).
    Decide {
        form: String,
        outcomes: Vec<String>,
        #[serde(default)]
        mitigation: bool,
        #[serde(default)]
        reasons: Vec<String>,
        summary: String,
    },
    /// The escalated review (提级审核).
    Review {
        approved: bool,
        note: String,
    },
    Finalise,
    /// Publication (查实曝光) under the platform's policy.
    Publish,
    /// `grounds`: `unsubstantiated` or `tolerated` (容错免责).
    Dismiss {
        grounds: String,
        reason: String,
    },
}

fn actor(account: &Account) -> String {
    format!("user:{}", account.login.as_str())
}

/// A domain refusal as a service error: 403 for who (wrong role, the wrong level of review,
/// the decider reviewing), 400 for what, 409 for when.
pub fn refused(r: Refusal) -> ServiceError {
    let kind = match &r {
        Refusal::NotDisciplineOfficer
        | Refusal::ReviewBelowRequired { .. }
        | Refusal::ReviewerNotOverCase
        | Refusal::ReviewerIsDecider => Denial::Forbidden,
        Refusal::WrongState { .. }
        | Refusal::ReviewMissing { .. }
        | Refusal::ReviewNotRequired
        | Refusal::NotSubstantiated
        | Refusal::Substantiated
        | Refusal::DateBeforeLastAct { .. } => Denial::Conflict,
        _ => Denial::Invalid,
    };
    ServiceError::denied(kind, r.zh(), &r)
}

fn invalid(field_zh: &str, field_en: &str, p: impl std::fmt::Display) -> ServiceError {
    ServiceError::denied(
        Denial::Invalid,
        format!("{field_zh}：无法识别"),
        format!("{field_en}: {p}"),
    )
}

const STALE: &str = "此案已被他人更新，请刷新后重试";
const STALE_EN: &str = "this case changed meanwhile; reload it and try again";

fn not_found(what: &'static str, id: impl ToString) -> ServiceError {
    ServiceError::NotFound {
        what,
        key: id.to_string(),
    }
}

/// Whether `account` may see cases in `area`: a discipline officer over it, or an administrator.
pub fn may_read(account: &Account, area: &AreaCode, day: NaiveDate) -> bool {
    account.active(day).any(|a| {
        a.role == Role::Admin || (a.role == Role::DisciplineOfficer && a.area.contains(area))
    })
}

fn parse_body(rec: &SupervisionRecord) -> Result<Case, ServiceError> {
    serde_json::from_str(&rec.body).map_err(|_| {
        ServiceError::Store(StoreError::Corrupt(format!(
            "accountability case {}: body is not a case",
            rec.id
        )))
    })
}

fn view_of(rec: &SupervisionRecord, case: Case) -> CaseView {
    CaseView {
        id: rec.id,
        version: rec.version,
        origin: rec.origin.clone(),
        required_review: case.required_review().map(|l| l.en().to_string()),
        case,
    }
}

/// A case within reach (else not found).
pub async fn get(
    store: &dyn Store,
    account: &Account,
    id: i64,
    today: NaiveDate,
) -> Result<CaseView, ServiceError> {
    let rec = store
        .record(RecordKind::Accountability, id)
        .await?
        .ok_or_else(|| not_found("accountability case", id))?;
    if !may_read(account, &rec.area, today) {
        return Err(not_found("accountability case", id));
    }
    let case = parse_body(&rec)?;
    Ok(view_of(&rec, case))
}

/// The cases within reach, newest first (a state, or all).
pub async fn list(
    store: &dyn Store,
    account: &Account,
    state: Option<CaseState>,
    today: NaiveDate,
) -> Result<Vec<CaseView>, ServiceError> {
    if !account
        .active(today)
        .any(|a| matches!(a.role, Role::Admin | Role::DisciplineOfficer))
    {
        return Err(ServiceError::Forbidden);
    }
    let recs = store
        .records(&RecordQuery {
            kind: Some(RecordKind::Accountability),
            within: account.scope(today),
            states: state.map(|s| vec![s.code().to_string()]),
            limit: 1000,
            ..Default::default()
        })
        .await?;
    let mut out = Vec::with_capacity(recs.len());
    for rec in recs {
        if may_read(account, &rec.area, today) {
            let case = parse_body(&rec)?;
            out.push(view_of(&rec, case));
        }
    }
    Ok(out)
}

/// Where a case comes from: checked to exist within reach.
async fn origin_of(
    store: &dyn Store,
    account: &Account,
    req: &OpenRequest,
    today: NaiveDate,
) -> Result<(Source, Option<(String, String)>), ServiceError> {
    let given = req
        .origin
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let required = || {
        ServiceError::denied(
            Denial::Invalid,
            "须注明来源记录（举报、线索或问题的编号）",
            "name the record the case comes from (complaint, lead or finding)",
        )
    };
    match req.source.trim() {
        "complaint" | "信访举报" | "举报" => {
            let text = given.ok_or_else(required)?;
            let id: i64 = text.parse().map_err(|_| not_found("complaint", "?"))?;
            let rec = store
                .record(RecordKind::Complaint, id)
                .await?
                .ok_or_else(|| not_found("complaint", id))?;
            if !account.may_reach(&rec.area, today)
                || crate::complaints::recused_from(account, &rec)?
            {
                return Err(not_found("complaint", id));
            }
            Ok((
                Source {
                    kind: SourceKind::Complaint,
                    reference: Some(rec.public_code.clone().unwrap_or_else(|| format!("#{id}"))),
                },
                Some(("complaint".into(), id.to_string())),
            ))
        }
        "lead" | "cross_check" | "数据比对线索" | "线索" => {
            let text = given.ok_or_else(required)?;
            let id: i64 = text.parse().map_err(|_| not_found("lead", "?"))?;
            let lead = store.lead(id).await?.ok_or_else(|| not_found("lead", id))?;
            if !lead.village.is_some_and(|v| account.may_reach(&v, today)) {
                return Err(not_found("lead", id));
            }
            Ok((
                Source {
                    kind: SourceKind::CrossCheck,
                    reference: Some(format!("{} #{id}", lead.rule.code())),
                },
                Some(("lead".into(), id.to_string())),
            ))
        }
        "finding" | "inspection_finding" | "巡视巡察发现" => {
            let text = given.ok_or_else(required)?;
            let (iid, n) = parse_finding_ref(text).ok_or_else(|| not_found("finding", "?"))?;
            let rec = store
                .record(RecordKind::Inspection, iid)
                .await?
                .ok_or_else(|| not_found("finding", text))?;
            let stored: crate::inspections::Stored =
                serde_json::from_str(&rec.body).map_err(|_| {
                    ServiceError::Store(StoreError::Corrupt(format!(
                        "inspection {iid}: body is not an inspection"
                    )))
                })?;
            let finding = stored
                .inspection
                .findings
                .iter()
                .find(|f| f.number == n)
                .ok_or_else(|| not_found("finding", text))?;
            if !account.may_reach(&finding.area, today) {
                return Err(not_found("finding", text));
            }
            Ok((
                Source {
                    kind: SourceKind::InspectionFinding,
                    reference: Some(format!("{iid}:{n}")),
                },
                Some(jingzhun_domain::inspection::finding_origin(iid, n)),
            ))
        }
        "audit" | "审计" | "审计发现" => Ok((
            Source {
                kind: SourceKind::Audit,
                reference: given.map(str::to_string),
            },
            None,
        )),
        other => Err(invalid(
            "来源",
            "source",
            format!(
                "{:?} is not complaint, lead, finding or audit",
                other.chars().take(30).collect::<String>()
            ),
        )),
    }
}

/// Opens a case (by a discipline officer of its area), from the record it came from.
pub async fn open(
    store: &dyn Store,
    account: &Account,
    req: &OpenRequest,
    today: NaiveDate,
) -> Result<CaseView, ServiceError> {
    let level = CadreLevel::parse(&req.level).map_err(|p| invalid("级别", "level", p))?;
    let area = AreaCode::parse_short(&req.area).map_err(|p| invalid("地区", "area", p))?;
    let category = ProblemClass::parse(req.category.trim()).ok_or_else(|| {
        ServiceError::denied(
            Denial::Invalid,
            "问题类别须为问题清单条目编号或腐败问题类型",
            "the category must be a catalogue item's code or a corruption type",
        )
    })?;
    if !account.may_reach(&area, today) {
        return Err(refused(Refusal::NotDisciplineOfficer));
    }
    let (source, origin) = origin_of(store, account, req, today).await?;
    let case = Case::open(
        CaseDraft {
            person: Person {
                name: req.name.clone(),
                post: req.post.clone(),
                level,
            },
            area,
            source,
            category: category.code().to_string(),
        },
        account,
        today,
    )
    .map_err(refused)?;
    let body = serde_json::to_string(&case).map_err(|e| ServiceError::Invalid(e.to_string()))?;
    let mut tx = store.begin().await?;
    let id = tx
        .insert_record(&NewRecord {
            kind: RecordKind::Accountability,
            public_code: None,
            area,
            state: case.state.code().into(),
            category: Some(case.category.clone()),
            due_on: None,
            origin: origin.clone(),
            body,
            actor: actor(account),
        })
        .await?;
    tx.append_audit(&AuditEvent {
        actor: actor(account),
        action: "accountability.open".into(),
        subject_kind: "accountability_case".into(),
        subject_id: id.to_string(),
        detail: serde_json::json!({
            "level": level.code(),
            "source": case.source.kind.code(),
            "origin": origin.map(|(k, v)| format!("{k}:{v}")),
            "category": case.category,
        }),
    })
    .await?;
    tx.commit().await?;
    get(store, account, id, today).await
}

/// Applies one act to a case last seen at `version` (publication under `policy`).
pub async fn act(
    store: &dyn Store,
    account: &Account,
    id: i64,
    version: i64,
    act: &CaseAct,
    policy: PublicationPolicy,
    today: NaiveDate,
) -> Result<CaseView, ServiceError> {
    let current = get(store, account, id, today).await?;
    if current.version != version {
        return Err(ServiceError::denied(Denial::Conflict, STALE, STALE_EN));
    }
    let mut case = current.case;
    let (action, detail) = match act {
        CaseAct::Investigate {
            substantiation,
            findings,
        } => {
            let s = Substantiation::parse(substantiation)
                .map_err(|p| invalid("调查结论", "substantiation", p))?;
            case.investigate(account, today, s, findings)
                .map_err(refused)?;
            (
                "investigate",
                serde_json::json!({ "substantiation": s.code() }),
            )
        }
        CaseAct::Decide {
            form,
            outcomes,
            mitigation,
            reasons,
            summary,
        } => {
            let form = Form::parse(form).map_err(|p| invalid("形态", "form", p))?;
            let mut parsed = Vec::with_capacity(outcomes.len());
            for o in outcomes {
                parsed.push(Outcome::parse(o).map_err(|p| invalid("处理方式", "outcome", p))?);
            }
            case.decide(
                account,
                today,
                &DecisionDraft {
                    form,
                    outcomes: parsed.clone(),
                    mitigation: Mitigation {
                        applied: *mitigation,
                        reasons: reasons.clone(),
                    },
                    summary: summary.clone(),
                },
            )
            .map_err(refused)?;
            (
                "decide",
                serde_json::json!({
                    "form": form.code(),
                    "outcomes": parsed.iter().map(|o| o.code()).collect::<Vec<_>>(),
                    "mitigation": mitigation,
                    "review_required": case.required_review().map(|l| l.en()),
                }),
            )
        }
        CaseAct::Review { approved, note } => {
            case.review(account, today, *approved, note)
                .map_err(refused)?;
            let body = case.reviews.last().map(|r| r.body);
            (
                "review",
                serde_json::json!({ "approved": approved, "body": body }),
            )
        }
        CaseAct::Finalise => {
            case.finalise(account, today).map_err(refused)?;
            (
                "finalise",
                serde_json::json!({ "review": case.finalisation.as_ref().and_then(|f| f.review) }),
            )
        }
        CaseAct::Publish => {
            case.publish(account, today, policy).map_err(refused)?;
            (
                "publish",
                serde_json::json!({
                    "names_shown": case.publication.as_ref().map(|p| p.names_shown),
                }),
            )
        }
        CaseAct::Dismiss { grounds, reason } => {
            let g =
                DismissalGrounds::parse(grounds).map_err(|p| invalid("了结理由", "grounds", p))?;
            case.dismiss(account, today, g, reason).map_err(refused)?;
            ("dismiss", serde_json::json!({ "grounds": g.code() }))
        }
    };
    let rec_area = case.area;
    let body = serde_json::to_string(&case).map_err(|e| ServiceError::Invalid(e.to_string()))?;
    let mut tx = store.begin().await?;
    let written = tx
        .update_record(
            id,
            version,
            &RecordChange {
                area: rec_area,
                state: case.state.code().into(),
                category: Some(case.category.clone()),
                due_on: None,
                body,
            },
        )
        .await?;
    if !written {
        return Err(ServiceError::denied(Denial::Conflict, STALE, STALE_EN));
    }
    tx.append_audit(&AuditEvent {
        actor: actor(account),
        action: format!("accountability.{action}"),
        subject_kind: "accountability_case".into(),
        subject_id: id.to_string(),
        detail,
    })
    .await?;
    tx.commit().await?;
    get(store, account, id, today).await
}

/// The statistics of an area within reach (default: the account's whole reach).
#[derive(Debug, Clone, Serialize)]
pub struct AreaStatistics {
    pub area: Option<AreaCode>,
    pub statistics: Statistics,
}

/// Accountability by level and form within an area (discipline officers and administrators).
pub async fn area_statistics(
    store: &dyn Store,
    account: &Account,
    area: Option<AreaCode>,
    today: NaiveDate,
) -> Result<AreaStatistics, ServiceError> {
    let within = match area {
        Some(a) if may_read(account, &a, today) => Some(vec![a]),
        Some(a) => return Err(not_found("area", a)),
        None => account.scope(today),
    };
    if !account
        .active(today)
        .any(|a| matches!(a.role, Role::Admin | Role::DisciplineOfficer))
    {
        return Err(ServiceError::Forbidden);
    }
    let recs = store
        .records(&RecordQuery {
            kind: Some(RecordKind::Accountability),
            within,
            limit: 100_000,
            ..Default::default()
        })
        .await?;
    let mut cases = Vec::with_capacity(recs.len());
    for rec in &recs {
        if may_read(account, &rec.area, today) {
            cases.push(parse_body(rec)?);
        }
    }
    Ok(AreaStatistics {
        area,
        statistics: statistics(&cases),
    })
}

/// A published case as the public site shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PublicCase {
    pub id: i64,
    pub area: AreaCode,
    pub published_on: NaiveDate,
    pub category: String,
    pub form: Option<Form>,
    pub names_shown: bool,
    /// The published text, under the policy in force now (a name shown at publication is
    /// hidden if the policy no longer shows it).
    pub text: String,
}

/// The published cases (查实曝光), newest first, under `policy`.
pub async fn public_cases(
    store: &dyn Store,
    policy: PublicationPolicy,
) -> Result<Vec<PublicCase>, ServiceError> {
    let recs = store
        .records(&RecordQuery {
            kind: Some(RecordKind::Accountability),
            states: Some(vec![CaseState::Published.code().to_string()]),
            limit: 500,
            ..Default::default()
        })
        .await?;
    let mut out = Vec::new();
    for rec in recs {
        let case = parse_body(&rec)?;
        let Some(p) = &case.publication else {
            continue;
        };
        let shown_now = p.names_shown && policy.shows_name(case.person.level);
        let text = if shown_now || !p.names_shown {
            p.text.clone()
        } else {
            match case.publication_text(policy) {
                Ok((_, t)) => t,
                // The summary names the person and the policy now hides names: withheld.
                Err(_) => continue,
            }
        };
        out.push(PublicCase {
            id: rec.id,
            area: rec.area,
            published_on: p.on,
            category: case.category.clone(),
            form: case.decision().map(|d| d.form),
            names_shown: shown_now,
            text,
        });
    }
    Ok(out)
}

/// Adds this capability's part of the demo data, once (called by
/// `demo::ensure_supervision_demo` after the registry and the demo accounts exist): a
/// township discipline committee and the city commission besides the county's `discipline`
/// account, and cases in several states: one awaiting escalated review, one reviewed,
/// finalised and published, one finalised without review (first form), one dismissed.
pub async fn demo(store: &dyn Store, _sealer: &Sealer) -> Result<(), ServiceError> {
    use jingzhun_domain::access::Assignment;
    let existing = store
        .records(&RecordQuery {
            kind: Some(RecordKind::Accountability),
            limit: 1,
            ..Default::default()
        })
        .await?;
    if !existing.is_empty() {
        return Ok(());
    }
    let Some(county_user) = store.user("discipline").await? else {
        return Ok(());
    };
    let county = crate::demo::demo_county();
    let mut townships = store.children(Some(&county)).await?;
    townships.sort_by_key(|t| !(t.name.ends_with('镇') || t.name.ends_with('乡')));
    let Some(township) = townships.first().map(|t| t.code) else {
        return Ok(());
    };
    let Some(village) = store
        .village_names(Some(&township))
        .await?
        .first()
        .map(|v| v.0)
    else {
        return Ok(());
    };
    let city = county.parent().unwrap_or(county);
    for (login, name, area) in [
        ("discipline.town", "乡镇纪委 黄敏", township),
        ("discipline.city", "市纪委监委 吴刚", city),
    ] {
        if store.user(login).await?.is_none() {
            let a = Assignment::new(Role::DisciplineOfficer, area, None, None, false)
                .map_err(|p| ServiceError::Invalid(format!("{login}: {p}")))?;
            crate::users::add_user(store, login, name, crate::demo::DEMO_PASSWORD, a, "demo")
                .await?;
        }
    }
    let account_of = |u: Option<jingzhun_store::UserRecord>| {
        u.map(|u| u.account)
            .ok_or_else(|| ServiceError::Invalid("demo discipline accounts".into()))
    };
    let town = account_of(store.user("discipline.town").await?)?;
    let cityo = account_of(store.user("discipline.city").await?)?;
    let countyo = county_user.account;
    let today = crate::today_in_china();
    let day = |n: i64| today + chrono::Duration::days(n);
    let policy = DEFAULT_POLICY;

    // From the finished inspection's third finding (虚报冒领), if there is one in reach.
    let finding = store
        .records(&RecordQuery {
            kind: Some(RecordKind::Inspection),
            states: Some(vec!["finished".into()]),
            limit: 1,
            ..Default::default()
        })
        .await?
        .into_iter()
        .next()
        .and_then(|r| {
            let s: crate::inspections::Stored = serde_json::from_str(&r.body).ok()?;
            let f = s
                .inspection
                .findings
                .iter()
                .find(|f| f.category == "false_claims")?;
            Some((r.id, f.number, f.area))
        });
    let village_case = |name: &str,
                        post: &str,
                        area: AreaCode,
                        source: &str,
                        origin: Option<String>,
                        category: &str| OpenRequest {
        name: name.into(),
        post: post.into(),
        level: "village".into(),
        area: area.as_str().into(),
        source: source.into(),
        origin,
        category: category.into(),
    };
    let sanction = CaseAct::Decide {
        form: "2".into(),
        outcomes: vec!["party_discipline".into()],
        mitigation: false,
        reasons: Vec::new(),
        summary: "在光伏收益分配中虚报冒领扶贫资金 1.2 万元，已全额追回".into(),
    };
    let investigated = CaseAct::Investigate {
        substantiation: "substantiated".into(),
        findings: "经调查核实，反映问题属实".into(),
    };

    // 1. Awaiting escalated review by the county commission.
    let (area1, source1, origin1) = match finding {
        Some((i, n, area)) => (area, "finding", Some(format!("{i}:{n}"))),
        None => (
            village,
            "audit",
            Some("区审计局 审计报告〔2026〕12号".into()),
        ),
    };
    let town_reach = |a: &AreaCode| town.may_reach(a, today);
    let decider1 = if town_reach(&area1) { &town } else { &countyo };
    let c = open(
        store,
        decider1,
        &village_case(
            "王某某",
            "村委会主任",
            area1,
            source1,
            origin1,
            "false_claims",
        ),
        day(-20),
    )
    .await?;
    let c = act(
        store,
        decider1,
        c.id,
        c.version,
        &investigated,
        policy,
        day(-15),
    )
    .await?;
    act(
        store,
        decider1,
        c.id,
        c.version,
        &sanction,
        policy,
        day(-10),
    )
    .await?;

    // 2. Reviewed by the county, finalised and published (name hidden: a village cadre).
    let c = open(
        store,
        &town,
        &village_case(
            "李某某",
            "村党支部书记",
            village,
            "audit",
            Some("区审计局 审计报告〔2026〕9号".into()),
            "S000-01",
        ),
        day(-60),
    )
    .await?;
    let mut v = act(
        store,
        &town,
        c.id,
        c.version,
        &investigated,
        policy,
        day(-55),
    )
    .await?;
    v = act(
        store,
        &town,
        v.id,
        v.version,
        &CaseAct::Decide {
            form: "2".into(),
            outcomes: vec!["party_discipline".into(), "organisational".into()],
            mitigation: false,
            reasons: Vec::new(),
            summary: "履行脱贫攻坚主体责任不力，贫困户识别不精准问题突出".into(),
        },
        policy,
        day(-50),
    )
    .await?;
    v = act(
        store,
        &countyo,
        v.id,
        v.version,
        &CaseAct::Review {
            approved: true,
            note: "经区纪委监委审核，同意处理意见".into(),
        },
        policy,
        day(-45),
    )
    .await?;
    v = act(
        store,
        &town,
        v.id,
        v.version,
        &CaseAct::Finalise,
        policy,
        day(-40),
    )
    .await?;
    act(
        store,
        &town,
        v.id,
        v.version,
        &CaseAct::Publish,
        policy,
        day(-35),
    )
    .await?;

    // 3. A township cadre, first form (a talk): finalised without escalation.
    let c = open(
        store,
        &countyo,
        &OpenRequest {
            name: "赵某".into(),
            post: "镇扶贫办主任".into(),
            level: "township".into(),
            area: township.as_str().into(),
            source: "audit".into(),
            origin: None,
            category: "S000-07".into(),
        },
        day(-30),
    )
    .await?;
    let mut v = act(
        store,
        &countyo,
        c.id,
        c.version,
        &CaseAct::Investigate {
            substantiation: "partly".into(),
            findings: "帮扶措施雷同问题部分属实".into(),
        },
        policy,
        day(-28),
    )
    .await?;
    v = act(
        store,
        &countyo,
        v.id,
        v.version,
        &CaseAct::Decide {
            form: "1".into(),
            outcomes: vec!["talk".into()],
            mitigation: true,
            reasons: vec!["主动发现并纠正，未造成损失（容错纠错）".into()],
            summary: "帮扶措施制定不够精准".into(),
        },
        policy,
        day(-25),
    )
    .await?;
    act(
        store,
        &countyo,
        v.id,
        v.version,
        &CaseAct::Finalise,
        policy,
        day(-24),
    )
    .await?;

    // 4. A township cadre's case dismissed as unsubstantiated; 5. one reviewed by the city and
    // finalised.
    let c = open(
        store,
        &countyo,
        &OpenRequest {
            name: "钱某".into(),
            post: "镇党委副书记".into(),
            level: "township".into(),
            area: township.as_str().into(),
            source: "audit".into(),
            origin: None,
            category: "favouritism".into(),
        },
        day(-20),
    )
    .await?;
    let v = act(
        store,
        &countyo,
        c.id,
        c.version,
        &CaseAct::Investigate {
            substantiation: "unsubstantiated".into(),
            findings: "经核查，反映问题不属实".into(),
        },
        policy,
        day(-18),
    )
    .await?;
    act(
        store,
        &countyo,
        v.id,
        v.version,
        &CaseAct::Dismiss {
            grounds: "unsubstantiated".into(),
            reason: "查无实据，予以澄清".into(),
        },
        policy,
        day(-17),
    )
    .await?;

    let c = open(
        store,
        &countyo,
        &OpenRequest {
            name: "孙某".into(),
            post: "镇长".into(),
            level: "township".into(),
            area: township.as_str().into(),
            source: "audit".into(),
            origin: None,
            category: "S000-04".into(),
        },
        day(-16),
    )
    .await?;
    let mut v = act(
        store,
        &countyo,
        c.id,
        c.version,
        &investigated,
        policy,
        day(-15),
    )
    .await?;
    v = act(
        store,
        &countyo,
        v.id,
        v.version,
        &CaseAct::Decide {
            form: "2".into(),
            outcomes: vec!["government_sanction".into()],
            mitigation: false,
            reasons: Vec::new(),
            summary: "脱贫退出把关不严，存在“数字脱贫”问题".into(),
        },
        policy,
        day(-14),
    )
    .await?;
    v = act(
        store,
        &cityo,
        v.id,
        v.version,
        &CaseAct::Review {
            approved: true,
            note: "经市纪委监委审核，同意".into(),
        },
        policy,
        day(-12),
    )
    .await?;
    act(
        store,
        &countyo,
        v.id,
        v.version,
        &CaseAct::Finalise,
        policy,
        day(-11),
    )
    .await?;
    Ok(())
}
