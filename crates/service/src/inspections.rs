//! Inspections (巡视巡察, 督查, 暗访...: domain.md §6): scope, team, period, findings classified by the catalogue, and verifiable random draws for unannounced visits and samples.
//!
//! The rules are `jingzhun_domain`'s; this module stores, scopes and audits them.
//!
//! Storage: one supervision record of kind `inspection` per inspection, filed under the
//! smallest area containing its scope; its body is [`Stored`]: the domain's
//! [`Inspection`] and, for each draw not yet revealed, its seed **sealed** under the
//! platform's key (bound to `draw:{inspection_id}:{number}`). The sample of an unrevealed draw
//! is stored nowhere: the team sees it re-derived from the sealed seed, so nobody reading the
//! database learns it before the reveal.
//!
//! Who sees an inspection: its team, and inspectors, discipline officers, leaders and
//! administrators whose area contains the inspection's area (anyone else: not found). The
//! inspected (village clerks, township and county officers) do not see it: an unannounced
//! visit is not announced. A draw's sample: only the team, until the seed is revealed.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use jingzhun_domain::access::{Account, Role};
use jingzhun_domain::area::{AreaCode, AreaLevel};
use jingzhun_domain::audit::AuditEvent;
use jingzhun_domain::draw::{self, Candidate, Design, DrawSpec, Sample, Seed};
use jingzhun_domain::inspection::{
    Inspection, InspectionDraft, InspectionKind, Refusal, Scope, check_revealed, finding_origin,
};
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_store::supervision::{
    NewRecord, RecordChange, RecordKind, RecordQuery, SealedRow, SupervisionRecord,
};
use jingzhun_store::{Store, StoreError};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::seal::Sealer;
use crate::{Denial, ServiceError};

/// A sealed seed as the body keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedSeed {
    pub nonce: String,
    pub ciphertext: String,
}

/// The body of an inspection's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    pub inspection: Inspection,
    /// The sealed seed of each draw not yet revealed, by number.
    #[serde(default)]
    pub sealed_seeds: BTreeMap<u32, SealedSeed>,
}

/// An inspection as an account sees it.
#[derive(Debug, Clone, Serialize)]
pub struct InspectionView {
    pub id: i64,
    /// Send it back with the next act (409 when the inspection changed meanwhile).
    pub version: i64,
    pub area: AreaCode,
    pub inspection: Inspection,
    /// Whether the account is on the team.
    pub on_team: bool,
    /// The samples the account may see: every revealed one, and for the team the others too
    /// (re-derived from the sealed seed).
    pub samples: BTreeMap<u32, Sample>,
    /// Per finding number, the records whose origin is the finding (accountability cases...).
    pub outcomes: BTreeMap<u32, Vec<Linked>>,
    /// Per finding number, the rectification measures opened from it (within reach).
    pub measures: BTreeMap<u32, Vec<crate::rectification::FromFinding>>,
    /// The records that answer the inspection as a whole (a rectification programme for its
    /// feedback: origin `("inspection", id)`).
    pub answered_by: Vec<Linked>,
}

/// A record that came from something (its origin), in a few words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Linked {
    pub kind: &'static str,
    pub id: i64,
    pub state: String,
    pub public_code: Option<String>,
}

/// An inspection to plan.
#[derive(Debug, Clone, Deserialize)]
pub struct PlanRequest {
    /// `xunshi`, `xuncha`, `ducha`, `anfang`, `kaohe`, `shenji`, `third_party` (or Chinese).
    pub kind: String,
    pub title: String,
    /// Area codes (2 to 12 digits).
    pub areas: Vec<String>,
    #[serde(default)]
    pub units: Vec<String>,
    /// Logins of the other team members.
    #[serde(default)]
    pub team: Vec<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// A draw to make.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DrawRequest {
    pub purpose: String,
    pub visit_on: Option<NaiveDate>,
    /// The frame; default the villages of the scope (each with its township as stratum when
    /// `sizes` is given).
    #[serde(default)]
    pub candidates: Option<Vec<Candidate>>,
    /// A simple draw of this many.
    #[serde(default)]
    pub size: Option<u32>,
    /// A stratified draw: this many per stratum (township codes, 9 or 12 digits, for the
    /// villages of the scope).
    #[serde(default)]
    pub sizes: Option<BTreeMap<String, u32>>,
}

/// One act on an inspection.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "act", rename_all = "snake_case")]
pub enum InspectionAct {
    Start,
    Finish,
    Finding {
        area: String,
        category: String,
        text: String,
    },
    Draw(DrawRequest),
    Reveal {
        number: u32,
    },
}

fn actor(account: &Account) -> String {
    format!("user:{}", account.login.as_str())
}

/// A domain refusal as a service error: 403 for who, 400 for what, 409 for when.
pub fn refused(r: Refusal) -> ServiceError {
    let kind = match &r {
        Refusal::NotInspectorOverScope | Refusal::NotTeamMember => Denial::Forbidden,
        Refusal::WrongState { .. }
        | Refusal::BeforePeriod { .. }
        | Refusal::AlreadyRevealed { .. }
        | Refusal::BeforeVisit { .. }
        | Refusal::DateBeforeLastAct { .. } => Denial::Conflict,
        _ => Denial::Invalid,
    };
    ServiceError::denied(kind, r.zh(), &r)
}

const STALE: &str = "此检查已被他人更新，请刷新后重试";
const STALE_EN: &str = "this inspection changed meanwhile; reload it and try again";

fn not_found(id: i64) -> ServiceError {
    ServiceError::NotFound {
        what: "inspection",
        key: id.to_string(),
    }
}

fn area_arg(text: &str) -> Result<AreaCode, ServiceError> {
    AreaCode::parse_short(text).map_err(|p| {
        ServiceError::denied(
            Denial::Invalid,
            format!(
                "区划代码“{}”：{}",
                text.chars().take(20).collect::<String>(),
                p.zh()
            ),
            format!("area code: {p}"),
        )
    })
}

/// Whether `account` may see an inspection filed under `area`.
pub fn may_read(
    account: &Account,
    inspection: &Inspection,
    area: &AreaCode,
    day: NaiveDate,
) -> bool {
    inspection.is_team(account, day)
        || account.active(day).any(|a| match a.role {
            Role::Admin => true,
            Role::Inspector | Role::DisciplineOfficer | Role::Leader => a.area.contains(area),
            _ => false,
        })
}

fn parse_body(rec: &SupervisionRecord) -> Result<Stored, ServiceError> {
    serde_json::from_str(&rec.body).map_err(|_| {
        ServiceError::Store(StoreError::Corrupt(format!(
            "inspection {}: body is not an inspection",
            rec.id
        )))
    })
}

fn seed_aad(id: i64, number: u32) -> String {
    format!("draw:{id}:{number}")
}

fn open_seed(sealer: &Sealer, stored: &Stored, id: i64, number: u32) -> Result<Seed, ServiceError> {
    let corrupt = || {
        ServiceError::Store(StoreError::Corrupt(format!(
            "inspection {id}: the sealed seed of draw {number} does not open"
        )))
    };
    let s = stored.sealed_seeds.get(&number).ok_or_else(corrupt)?;
    let bytes = sealer
        .open(
            &SealedRow {
                nonce: s.nonce.clone(),
                ciphertext: s.ciphertext.clone(),
            },
            &seed_aad(id, number),
        )
        .map_err(|_| corrupt())?;
    let bytes: [u8; draw::SEED_LEN] = bytes.try_into().map_err(|_| corrupt())?;
    Ok(Seed::from_bytes(bytes))
}

async fn load(store: &dyn Store, id: i64) -> Result<(SupervisionRecord, Stored), ServiceError> {
    let rec = store
        .record(RecordKind::Inspection, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let stored = parse_body(&rec)?;
    Ok((rec, stored))
}

fn linked(recs: Vec<SupervisionRecord>) -> Vec<Linked> {
    recs.into_iter()
        .map(|r| Linked {
            kind: r.kind.code(),
            id: r.id,
            state: r.state,
            public_code: r.public_code,
        })
        .collect()
}

/// What came of an inspection: the records that name one of its findings or the whole of
/// it as their origin, and the measures opened from each finding.
struct Outcomes {
    by_finding: BTreeMap<u32, Vec<Linked>>,
    measures: BTreeMap<u32, Vec<crate::rectification::FromFinding>>,
    answered_by: Vec<Linked>,
}

async fn what_came_of(
    store: &dyn Store,
    account: &Account,
    id: i64,
    inspection: &Inspection,
    today: NaiveDate,
) -> Result<Outcomes, ServiceError> {
    let by_finding = outcomes(store, id, inspection).await?;
    let mut measures = BTreeMap::new();
    for f in &inspection.findings {
        let m = crate::rectification::measures_from_finding(store, account, id, f.number, today)
            .await?;
        measures.insert(f.number, m);
    }
    let answered_by = linked(
        store
            .records(&RecordQuery {
                origin: Some(("inspection".to_string(), id.to_string())),
                limit: 100,
                ..Default::default()
            })
            .await?,
    );
    Ok(Outcomes {
        by_finding,
        measures,
        answered_by,
    })
}

/// The records whose origin is one of this inspection's findings.
async fn outcomes(
    store: &dyn Store,
    id: i64,
    inspection: &Inspection,
) -> Result<BTreeMap<u32, Vec<Linked>>, ServiceError> {
    let mut out = BTreeMap::new();
    for f in &inspection.findings {
        let recs = store
            .records(&RecordQuery {
                origin: Some(finding_origin(id, f.number)),
                limit: 100,
                ..Default::default()
            })
            .await?;
        out.insert(f.number, linked(recs));
    }
    Ok(out)
}

fn view(
    sealer: &Sealer,
    account: &Account,
    rec: &SupervisionRecord,
    stored: Stored,
    outcomes: Outcomes,
    today: NaiveDate,
) -> Result<InspectionView, ServiceError> {
    let on_team = stored.inspection.is_team(account, today);
    let mut samples = BTreeMap::new();
    for d in &stored.inspection.draws {
        match &d.revealed {
            Some(r) => {
                samples.insert(d.number, r.sample.clone());
            }
            None if on_team => {
                let seed = open_seed(sealer, &stored, rec.id, d.number)?;
                let sample = stored
                    .inspection
                    .sample_from(d.number, &seed)
                    .map_err(|_| {
                        ServiceError::Store(StoreError::Corrupt(format!(
                            "inspection {}: the sealed seed of draw {} does not give its commitment",
                            rec.id, d.number
                        )))
                    })?;
                samples.insert(d.number, sample);
            }
            None => {}
        }
    }
    Ok(InspectionView {
        id: rec.id,
        version: rec.version,
        area: rec.area,
        inspection: stored.inspection,
        on_team,
        samples,
        outcomes: outcomes.by_finding,
        measures: outcomes.measures,
        answered_by: outcomes.answered_by,
    })
}

/// An inspection the account may see (else not found), with the samples it may see.
pub async fn get(
    store: &dyn Store,
    sealer: &Sealer,
    account: &Account,
    id: i64,
    today: NaiveDate,
) -> Result<InspectionView, ServiceError> {
    let (rec, stored) = load(store, id).await?;
    if !may_read(account, &stored.inspection, &rec.area, today) {
        return Err(not_found(id));
    }
    let links = what_came_of(store, account, id, &stored.inspection, today).await?;
    view(sealer, account, &rec, stored, links, today)
}

/// One line of the list.
#[derive(Debug, Clone, Serialize)]
pub struct InspectionLine {
    pub id: i64,
    pub version: i64,
    pub area: AreaCode,
    pub kind: InspectionKind,
    pub title: String,
    pub state: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub findings: usize,
    pub draws: usize,
    pub on_team: bool,
}

/// The inspections the account may see, newest first.
pub async fn list(
    store: &dyn Store,
    account: &Account,
    today: NaiveDate,
) -> Result<Vec<InspectionLine>, ServiceError> {
    let recs = store
        .records(&RecordQuery {
            kind: Some(RecordKind::Inspection),
            within: account.scope(today),
            limit: 500,
            ..Default::default()
        })
        .await?;
    let mut out = Vec::new();
    for rec in recs {
        let s = parse_body(&rec)?;
        let i = &s.inspection;
        if !may_read(account, i, &rec.area, today) {
            continue;
        }
        out.push(InspectionLine {
            id: rec.id,
            version: rec.version,
            area: rec.area,
            kind: i.kind,
            title: i.title.clone(),
            state: rec.state.clone(),
            starts_on: i.starts_on,
            ends_on: i.ends_on,
            findings: i.findings.len(),
            draws: i.draws.len(),
            on_team: i.is_team(account, today),
        });
    }
    Ok(out)
}

/// Plans an inspection (by an inspector over its scope; the other team members must be
/// accounts).
pub async fn plan(
    store: &dyn Store,
    sealer: &Sealer,
    account: &Account,
    req: &PlanRequest,
    today: NaiveDate,
) -> Result<InspectionView, ServiceError> {
    let kind = InspectionKind::parse(&req.kind).map_err(|p| {
        ServiceError::denied(
            Denial::Invalid,
            format!("检查类型：{}", p.zh()),
            format!("kind: {p}"),
        )
    })?;
    let mut areas = Vec::with_capacity(req.areas.len());
    for a in &req.areas {
        areas.push(area_arg(a)?);
    }
    let draft = InspectionDraft {
        kind,
        title: req.title.clone(),
        scope: Scope {
            areas,
            units: req.units.clone(),
        },
        team: req.team.clone(),
        starts_on: req.starts_on,
        ends_on: req.ends_on,
    };
    let inspection = Inspection::plan(&draft, account, today).map_err(refused)?;
    for login in inspection.team.iter().skip(1) {
        if store.user(login).await?.is_none() {
            return Err(ServiceError::denied(
                Denial::Invalid,
                "检查组成员须为本平台账户",
                "every team member must be an account of the platform",
            ));
        }
    }
    let area = inspection.area().ok_or_else(|| {
        ServiceError::denied(Denial::Invalid, "检查范围为空", "the scope is empty")
    })?;
    let body = serde_json::to_string(&Stored {
        inspection: inspection.clone(),
        sealed_seeds: BTreeMap::new(),
    })
    .map_err(|e| ServiceError::Invalid(e.to_string()))?;
    let mut tx = store.begin().await?;
    let id = tx
        .insert_record(&NewRecord {
            kind: RecordKind::Inspection,
            public_code: None,
            area,
            state: inspection.state.code().into(),
            category: None,
            due_on: Some(inspection.ends_on.to_string()),
            origin: None,
            body,
            actor: actor(account),
        })
        .await?;
    tx.append_audit(&AuditEvent {
        actor: actor(account),
        action: "inspection.plan".into(),
        subject_kind: "inspection".into(),
        subject_id: id.to_string(),
        detail: serde_json::json!({
            "kind": kind.code(),
            "areas": inspection.scope.areas,
            "team": inspection.team.len(),
            "starts_on": inspection.starts_on,
            "ends_on": inspection.ends_on,
        }),
    })
    .await?;
    tx.commit().await?;
    get(store, sealer, account, id, today).await
}

/// Builds the spec of a draw: the given frame, or the villages of the scope.
async fn draw_spec(
    store: &dyn Store,
    inspection: &Inspection,
    req: &DrawRequest,
) -> Result<DrawSpec, ServiceError> {
    let design = match (&req.size, &req.sizes) {
        (Some(size), None) => Design::Simple { size: *size },
        (None, Some(sizes)) => {
            let mut by = BTreeMap::new();
            for (k, v) in sizes {
                // Township codes are keyed in full, as the frame's strata are.
                let key = match AreaCode::parse_short(k) {
                    Ok(a) if req.candidates.is_none() => a.as_str().to_string(),
                    _ => k.clone(),
                };
                by.insert(key, *v);
            }
            Design::Stratified { sizes: by }
        }
        _ => {
            return Err(ServiceError::denied(
                Denial::Invalid,
                "须给出样本量（size）或分层样本量（sizes），二者择一",
                "give either a sample size (size) or sizes per stratum (sizes)",
            ));
        }
    };
    let frame = match &req.candidates {
        Some(c) => c.clone(),
        None => {
            let mut villages = Vec::new();
            for a in &inspection.scope.areas {
                for (v, _) in store.village_names(Some(a)).await? {
                    villages.push(v);
                }
            }
            villages.sort();
            villages.dedup();
            if matches!(design, Design::Stratified { .. }) {
                draw::candidates_by_area(&villages, AreaLevel::Township)
                    .map_err(|e| refused(Refusal::Draw(e)))?
            } else {
                villages
                    .iter()
                    .map(|v| Candidate::new(v.as_str()))
                    .collect()
            }
        }
    };
    Ok(DrawSpec {
        purpose: req.purpose.clone(),
        frame,
        design,
    })
}

/// Applies one act to an inspection last seen at `version`, in one transaction with its audit
/// entry. A draw's seed comes from the operating system and is stored only sealed.
pub async fn act(
    store: &dyn Store,
    sealer: &Sealer,
    account: &Account,
    id: i64,
    version: i64,
    act: &InspectionAct,
    today: NaiveDate,
) -> Result<InspectionView, ServiceError> {
    let (rec, mut stored) = load(store, id).await?;
    if !may_read(account, &stored.inspection, &rec.area, today) {
        return Err(not_found(id));
    }
    if rec.version != version {
        return Err(ServiceError::denied(Denial::Conflict, STALE, STALE_EN));
    }
    let insp = &mut stored.inspection;
    let (action, detail) = match act {
        InspectionAct::Start => {
            insp.start(account, today).map_err(refused)?;
            ("inspection.start", serde_json::json!({}))
        }
        InspectionAct::Finish => {
            insp.finish(account, today).map_err(refused)?;
            ("inspection.finish", serde_json::json!({}))
        }
        InspectionAct::Finding {
            area,
            category,
            text,
        } => {
            let area = area_arg(area)?;
            let n = insp
                .add_finding(account, today, area, category, text)
                .map_err(refused)?;
            let category = insp.findings.last().map(|f| f.category.clone());
            (
                "inspection.finding",
                serde_json::json!({ "number": n, "area": area, "category": category }),
            )
        }
        InspectionAct::Draw(req) => {
            if !insp.is_team(account, today) {
                return Err(refused(Refusal::NotTeamMember));
            }
            let spec = draw_spec(store, insp, req).await?;
            let mut bytes = [0u8; draw::SEED_LEN];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let seed = Seed::from_bytes(bytes);
            let visit_on = req.visit_on.unwrap_or(today);
            let (n, _) = insp
                .make_draw(account, today, &spec, &seed, visit_on)
                .map_err(refused)?;
            let sealed = sealer.seal(seed.as_bytes(), &seed_aad(id, n));
            stored.sealed_seeds.insert(
                n,
                SealedSeed {
                    nonce: sealed.nonce,
                    ciphertext: sealed.ciphertext,
                },
            );
            let d = stored.inspection.draw(n).cloned();
            (
                "inspection.draw",
                serde_json::json!({
                    "number": n,
                    "commitment": d.as_ref().map(|d| d.commitment.as_str().to_string()),
                    "spec_digest": d.as_ref().map(|d| d.spec_digest.clone()),
                    "visit_on": visit_on,
                }),
            )
        }
        InspectionAct::Reveal { number } => {
            if insp.draw(*number).is_none() {
                return Err(refused(Refusal::NoSuchDraw { number: *number }));
            }
            if !insp.is_team(account, today) {
                return Err(refused(Refusal::NotTeamMember));
            }
            let seed = match open_seed(sealer, &stored, id, *number) {
                Ok(s) => s,
                Err(_)
                    if stored
                        .inspection
                        .draw(*number)
                        .is_some_and(|d| d.revealed.is_some()) =>
                {
                    return Err(refused(Refusal::AlreadyRevealed { number: *number }));
                }
                Err(e) => return Err(e),
            };
            stored
                .inspection
                .reveal(account, today, *number, &seed)
                .map_err(refused)?;
            stored.sealed_seeds.remove(number);
            let seed_hex = seed.to_hex();
            (
                "inspection.reveal",
                serde_json::json!({ "number": number, "seed": seed_hex }),
            )
        }
    };
    let insp = &stored.inspection;
    let body = serde_json::to_string(&stored).map_err(|e| ServiceError::Invalid(e.to_string()))?;
    let mut tx = store.begin().await?;
    let written = tx
        .update_record(
            id,
            version,
            &RecordChange {
                area: rec.area,
                state: insp.state.code().into(),
                category: None,
                due_on: Some(insp.ends_on.to_string()),
                body,
            },
        )
        .await?;
    if !written {
        return Err(ServiceError::denied(Denial::Conflict, STALE, STALE_EN));
    }
    tx.append_audit(&AuditEvent {
        actor: actor(account),
        action: action.into(),
        subject_kind: "inspection".into(),
        subject_id: id.to_string(),
        detail,
    })
    .await?;
    tx.commit().await?;
    get(store, sealer, account, id, today).await
}

/// A draw as the public site shows it: the commitment always; the seed, spec and sample with
/// the re-run check once revealed.
#[derive(Debug, Clone, Serialize)]
pub struct PublicDraw {
    pub inspection_id: i64,
    pub number: u32,
    pub purpose: String,
    pub commitment: String,
    pub spec_digest: String,
    pub made_on: NaiveDate,
    pub visit_on: NaiveDate,
    pub revealed: Option<PublicReveal>,
}

/// What a reveal publishes, with the check made now.
#[derive(Debug, Clone, Serialize)]
pub struct PublicReveal {
    pub seed: String,
    /// The spec's canonical text (what `jingzhun draw verify` reads).
    pub spec: String,
    pub sample: Sample,
    pub revealed_on: NaiveDate,
    pub verification: draw::Verification,
}

/// The file `jingzhun draw verify` reads: everything needed to re-run a revealed draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationFile {
    /// `jingzhun.draw.verification.v1`.
    pub format: String,
    pub commitment: String,
    pub seed: String,
    /// The spec's canonical text.
    pub spec: String,
    pub sample: Sample,
}

/// The `format` of a [`VerificationFile`].
pub const VERIFICATION_FORMAT: &str = "jingzhun.draw.verification.v1";

impl PublicDraw {
    /// The verification file of a revealed draw.
    pub fn file(&self) -> Option<VerificationFile> {
        let r = self.revealed.as_ref()?;
        Some(VerificationFile {
            format: VERIFICATION_FORMAT.into(),
            commitment: self.commitment.clone(),
            seed: r.seed.clone(),
            spec: r.spec.clone(),
            sample: r.sample.clone(),
        })
    }
}

fn public_of(id: i64, d: &jingzhun_domain::inspection::Draw) -> PublicDraw {
    PublicDraw {
        inspection_id: id,
        number: d.number,
        purpose: d.spec.purpose.clone(),
        commitment: d.commitment.as_str().to_string(),
        spec_digest: d.spec_digest.clone(),
        made_on: d.made_on,
        visit_on: d.visit_on,
        revealed: d.revealed.as_ref().and_then(|r| {
            Some(PublicReveal {
                seed: r.seed.clone(),
                spec: d.spec.canonical_text(),
                sample: r.sample.clone(),
                revealed_on: r.on,
                verification: check_revealed(d)?,
            })
        }),
    }
}

/// A draw for the public site (no account): `id` is `{inspection}-{number}`.
pub async fn public_draw(store: &dyn Store, id: &str) -> Result<PublicDraw, ServiceError> {
    let nf = || ServiceError::NotFound {
        what: "draw",
        key: id.chars().take(30).collect(),
    };
    let (i, n) = id.split_once('-').ok_or_else(nf)?;
    let i: i64 = i.parse().map_err(|_| nf())?;
    let n: u32 = n.parse().map_err(|_| nf())?;
    let Some(rec) = store.record(RecordKind::Inspection, i).await? else {
        return Err(nf());
    };
    let stored = parse_body(&rec)?;
    let d = stored.inspection.draw(n).ok_or_else(nf)?;
    Ok(public_of(rec.id, d))
}

/// Every draw, newest first, for the public list (commitments, and reveals).
pub async fn public_draws(store: &dyn Store) -> Result<Vec<PublicDraw>, ServiceError> {
    let recs = store
        .records(&RecordQuery {
            kind: Some(RecordKind::Inspection),
            limit: 200,
            ..Default::default()
        })
        .await?;
    let mut out = Vec::new();
    for rec in recs {
        let stored = parse_body(&rec)?;
        for d in stored.inspection.draws.iter().rev() {
            out.push(public_of(rec.id, d));
        }
    }
    Ok(out)
}

/// Checks a verification file (the CLI's `draw verify`): the seed and spec give the
/// commitment, and the draw gives the sample. `commitment` overrides the file's (the one
/// published before the reveal, copied then).
pub fn verify_file(
    file: &VerificationFile,
    commitment: Option<&str>,
) -> Result<draw::Verification, ServiceError> {
    let bad = |e: draw::DrawError| ServiceError::denied(Denial::Invalid, e.zh(), &e);
    if file.format != VERIFICATION_FORMAT {
        return Err(ServiceError::denied(
            Denial::Invalid,
            format!("文件格式应为 {VERIFICATION_FORMAT}"),
            format!("the file's format must be {VERIFICATION_FORMAT}"),
        ));
    }
    let spec = DrawSpec::parse(&file.spec).map_err(bad)?;
    let seed = Seed::from_hex(&file.seed).map_err(bad)?;
    let c = draw::Commitment::parse(commitment.unwrap_or(&file.commitment)).map_err(bad)?;
    Ok(draw::verify(&seed, &spec, &c, &file.sample))
}

/// Adds this capability's part of the demo data, once (called by
/// `demo::ensure_supervision_demo` after the registry and the demo accounts exist): an
/// unannounced visit with a committed draw (its visit still to come), and a finished
/// inspection with findings and a revealed draw.
pub async fn demo(store: &dyn Store, sealer: &Sealer) -> Result<(), ServiceError> {
    let existing = store
        .records(&RecordQuery {
            kind: Some(RecordKind::Inspection),
            limit: 1,
            ..Default::default()
        })
        .await?;
    if !existing.is_empty() {
        return Ok(());
    }
    let Some(user) = store.user("inspector").await? else {
        return Ok(());
    };
    let inspector = user.account;
    let county = crate::demo::demo_county();
    let townships = store.children(Some(&county)).await?;
    let rural: Vec<AreaCode> = townships
        .iter()
        .filter(|t| t.name.ends_with('镇') || t.name.ends_with('乡'))
        .map(|t| t.code)
        .take(3)
        .collect();
    if rural.len() < 2 {
        return Ok(());
    }
    let today = crate::today_in_china();
    let day = |n: i64| today + chrono::Duration::days(n);

    // An unannounced visit (暗访) to come: the draw is committed, its villages known only to
    // the team until the visit.
    let req = PlanRequest {
        kind: "anfang".into(),
        title: "“四不两直”暗访 第四季度".into(),
        areas: vec![county.as_str().to_string()],
        units: Vec::new(),
        team: Vec::new(),
        starts_on: today,
        ends_on: day(30),
    };
    let v = plan(store, sealer, &inspector, &req, today).await?;
    act(
        store,
        sealer,
        &inspector,
        v.id,
        v.version,
        &InspectionAct::Draw(DrawRequest {
            purpose: "暗访 全区随机抽取 5 个村".into(),
            visit_on: Some(day(10)),
            size: Some(5),
            ..Default::default()
        }),
        today,
    )
    .await?;
    // A finished inspection (巡察) of two townships, with findings and a revealed draw (made
    // last: the newest, which the rectification demo's programme answers).
    let req = PlanRequest {
        kind: "xuncha".into(),
        title: "区委第二巡察组 脱贫攻坚专项巡察".into(),
        areas: rural[..2].iter().map(|a| a.as_str().to_string()).collect(),
        units: vec!["区扶贫开发局".into()],
        team: Vec::new(),
        starts_on: day(-40),
        ends_on: day(-5),
    };
    // Demo history: the acts are dated in the past, as they happened.
    let v = plan(store, sealer, &inspector, &req, day(-45)).await?;
    let mut version = v.version;
    let steps: Vec<(i64, InspectionAct)> = vec![
        (
            -44,
            InspectionAct::Draw(DrawRequest {
                purpose: "专项巡察 分乡镇抽取村（每镇 2 个）".into(),
                visit_on: Some(day(-30)),
                sizes: Some(
                    rural[..2]
                        .iter()
                        .map(|a| (a.as_str().to_string(), 2))
                        .collect(),
                ),
                ..Default::default()
            }),
        ),
        (-40, InspectionAct::Start),
        (-30, InspectionAct::Reveal { number: 1 }),
    ];
    for (d, a) in steps {
        version = act(store, sealer, &inspector, v.id, version, &a, day(d))
            .await?
            .version;
    }
    // Findings in the villages drawn.
    let drawn = get(store, sealer, &inspector, v.id, day(-30)).await?;
    let villages: Vec<String> = drawn
        .samples
        .get(&1)
        .map(|s| s.drawn().map(|d| d.id).collect())
        .unwrap_or_default();
    let findings = [
        (
            "S000-04",
            "部分脱贫户收入测算只算收入不算支出，存在“算账脱贫”现象",
        ),
        ("S000-07", "帮扶措施雷同，一户一策流于形式"),
        (
            "false_claims",
            "村级光伏收益分配名单与实际不符，涉嫌虚报冒领",
        ),
    ];
    for (k, (category, text)) in findings.iter().enumerate() {
        let Some(area) = villages.get(k % villages.len().max(1)) else {
            break;
        };
        version = act(
            store,
            sealer,
            &inspector,
            v.id,
            version,
            &InspectionAct::Finding {
                area: area.clone(),
                category: (*category).into(),
                text: (*text).into(),
            },
            day(-29 + k as i64),
        )
        .await?
        .version;
    }
    act(
        store,
        sealer,
        &inspector,
        v.id,
        version,
        &InspectionAct::Finish,
        day(-5),
    )
    .await?;

    Ok(())
}
