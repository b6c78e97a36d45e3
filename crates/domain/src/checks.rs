//! The cross-check rules of `cross-checks.md` (R02-R15): the registry compared with itself and
//! with other departments' data. Pure: [`run`] takes the facts and the parameters and returns the
//! findings, each naming its evidence. A finding is a lead (疑点), never a verdict.
//!
//! Terms (cross-checks.md): an *active* household is `registered`, `monitored` or `exited`;
//! removed households are never reported. The *reference date* is 1 September of the check
//! year; ages are full years at that date. A person's *home* is the household that routes a
//! lead about them: their active household with the lowest number, else (payments) any
//! household of theirs with the lowest number.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{BuildHasher, Hash};

// FxHash: the keys are ID numbers and names from our own database, not chosen by an attacker
// against this process, and SipHash would cost the rules a third of their time.
use rustc_hash::{FxBuildHasher, FxHashMap as HashMap, FxHashSet as HashSet};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::area::AreaCode;
use crate::money::Yuan;
use crate::sources::{Cell, SourceKind, SourceRecord, StudentStatus, VehicleType};
use crate::standards::Standards;
use crate::vocab::{HouseholdStatus, SchoolStatus, Vocabulary, vocabulary};

vocabulary! {
    /// A rule of `cross-checks.md`.
    Rule {
        R02 = ("R02", "重复识别", "Registered twice"),
        R03 = ("R03", "财政供养人员", "Public employee registered"),
        R04 = ("R04", "有车户", "Household owns a car"),
        R05 = ("R05", "有经营实体", "Household runs a business"),
        R06 = ("R06", "城镇购房", "Household owns urban housing"),
        R07 = ("R07", "已死亡仍在册", "Deceased still registered"),
        R08 = ("R08", "优亲厚友风险", "Cadre or cadre's relative registered"),
        R09 = ("R09", "错退", "Exited without meeting the standard"),
        R10 = ("R10", "义务教育未保障", "Compulsory education not guaranteed"),
        R11 = ("R11", "基本医疗未保障", "Not in basic medical insurance"),
        R12 = ("R12", "死亡后仍发放", "Paid after the payee's death"),
        R13 = ("R13", "重复发放", "Duplicate payment"),
        R14 = ("R14", "一卡多户", "One account for several households"),
        R15 = ("R15", "疑似重复登记", "Possible duplicate with a mistyped ID"),
    }
}

vocabulary! {
    /// What a finding is about.
    SubjectKind {
        Person = ("person", "人", "Person"),
        Household = ("household", "户", "Household"),
        Payment = ("payment", "发放记录", "Payment"),
        Account = ("account", "账户", "Account"),
        PersonPair = ("person_pair", "两人", "Pair of persons"),
    }
}

impl Rule {
    pub fn subject(self) -> SubjectKind {
        use Rule::*;
        match self {
            R02 | R03 | R07 | R08 | R10 | R11 => SubjectKind::Person,
            R04 | R05 | R06 | R09 => SubjectKind::Household,
            R12 | R13 => SubjectKind::Payment,
            R14 => SubjectKind::Account,
            R15 => SubjectKind::PersonPair,
        }
    }

    /// When the rule reports, in Chinese and English (cross-checks.md).
    pub fn description(self) -> (&'static str, &'static str) {
        use Rule::*;
        match self {
            R02 => (
                "同一身份证号是两个及以上在册户的成员",
                "The same ID number is a member of two or more active households",
            ),
            R03 => (
                "在册人员在财政供养人员名单中",
                "An active person is on the public-employee roster",
            ),
            R04 => (
                "家庭成员名下有小汽车（货车、农用车、摩托车不计）",
                "A member owns a car (trucks, farm vehicles and motorcycles are not leads)",
            ),
            R05 => (
                "家庭成员是注册资本达到门槛的企业的法定代表人",
                "A member is the legal representative of a business with registered capital at or above the threshold",
            ),
            R06 => (
                "家庭成员名下有城镇商品房",
                "A member owns urban commercial housing",
            ),
            R07 => (
                "在册人员在死亡人口名单中",
                "An active person is on the death list",
            ),
            R08 => (
                "在册人员是本村村干部或其报备的近亲属（需核实，并非必然违规）",
                "An active person is a cadre of the household's village, or a declared close relative of one (needs review, not necessarily wrong)",
            ),
            R09 => (
                "已脱贫户人均纯收入低于当年扶贫标准，或住房、饮水不安全",
                "An exited household's per-capita income is below the line of its income year, or its housing or water is not safe",
            ),
            R10 => (
                "参照日 6 至 15 周岁的在册人员不在学籍名单（在读）中，送教上门除外",
                "An active person aged 6-15 at the reference date is not enrolled on the student roll, unless taught at home",
            ),
            R11 => (
                "在册人员不在当年医保参保名单中",
                "An active person is not on the insured list for the check year",
            ),
            R12 => (
                "发放日期晚于领取人死亡日期",
                "A payment was paid after the payee's death date",
            ),
            R13 => (
                "同一领取人、同一项目、同一月份的非首笔发放",
                "A payment that is not the first of the same payee, program and calendar month",
            ),
            R14 => (
                "同一账号为三户及以上的人领取补贴",
                "One account received payments for payees of three or more households",
            ),
            R15 => (
                "两名在册人员同名，且出生日期相同或身份证号仅差一位",
                "Two active persons with the same name whose birth dates are equal or whose ID numbers differ in one character",
            ),
        }
    }
}

vocabulary! {
    /// Where a lead stands (domain.md §7): found and waiting for verification, no longer found
    /// by a later run, or verified by an officer.
    LeadState {
        Open = ("open", "待核实", "Open"),
        Gone = ("gone", "数据已消除", "No longer found"),
        Confirmed = ("confirmed", "核实属实", "Confirmed"),
        Explained = ("explained", "核实有合理解释", "Explained"),
    }
}

vocabulary! {
    /// What follows a confirmed lead. The platform records it; the action itself is a procedure
    /// of its own (nothing is removed or stopped on a lead alone).
    LeadAction {
        Removal = ("removal", "启动清退程序", "Start the removal procedure"),
        Discipline = ("discipline", "移交纪检监察", "Refer for discipline"),
        Recovery = ("recovery", "追回资金", "Recover the payment"),
        Correction = ("correction", "更正登记信息", "Correct the registry"),
        Assistance = ("assistance", "落实保障措施", "Provide the missing guarantee"),
    }
}

/// An officer's verification of a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Verification {
    /// The lead is true; `action` follows. `note`: what was found.
    Confirmed { action: LeadAction, note: String },
    /// The lead is explained (a car registered at an employer's request...).
    Explained { note: String },
}

impl Verification {
    /// Reads an officer's verification: `outcome` is `confirmed` or `explained`; a confirmed
    /// lead needs an action, an explained one an explanation; a note is at most 1000 characters.
    pub fn parse(
        outcome: &str,
        action: Option<&str>,
        note: &str,
    ) -> Result<Self, (&'static str, crate::problem::Problem)> {
        use crate::problem::Problem;
        let note = crate::registry::clean_text(note, 1000)
            .map_err(|p| ("note", p))?
            .unwrap_or_default();
        match LeadState::parse(outcome).map_err(|p| ("outcome", p))? {
            LeadState::Confirmed => {
                let action = action
                    .filter(|a| !a.trim().is_empty())
                    .ok_or(("action", Problem::Required))?;
                let action = LeadAction::parse(action).map_err(|p| ("action", p))?;
                Ok(Verification::Confirmed { action, note })
            }
            LeadState::Explained if note.is_empty() => Err(("note", Problem::Required)),
            LeadState::Explained => Ok(Verification::Explained { note }),
            _ => Err((
                "outcome",
                Problem::NotInList {
                    allowed: format!(
                        "{}、{}",
                        LeadState::Confirmed.zh(),
                        LeadState::Explained.zh()
                    ),
                },
            )),
        }
    }

    pub fn state(&self) -> LeadState {
        match self {
            Verification::Confirmed { .. } => LeadState::Confirmed,
            Verification::Explained { .. } => LeadState::Explained,
        }
    }
}

/// Whether a lead in `state` may be verified: only an open one (a lead no longer found needs
/// no verification; a verified one is final).
pub fn may_verify(state: LeadState) -> Result<(), crate::problem::Problem> {
    match state {
        LeadState::Open => Ok(()),
        other => Err(crate::problem::Problem::LeadNotOpen {
            state: other.zh().into(),
        }),
    }
}

/// The parameters of a run (cross-checks.md): the check year, the poverty lines, the business
/// capital threshold, and which rules run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckParams {
    /// Ages are taken on 1 September of this year; R11 looks for insurance of this year.
    pub year: i32,
    /// The standards in force (poverty lines of each year and region).
    pub standards: Standards,
    pub capital_threshold: Yuan,
    pub rules: BTreeSet<Rule>,
}

/// The default business capital threshold: 100,000 yuan.
pub const DEFAULT_CAPITAL_THRESHOLD: Yuan = Yuan::from_fen(10_000_000);

impl CheckParams {
    /// Every rule, the shipped lines and threshold, for `year`.
    pub fn defaults(year: i32) -> Self {
        CheckParams {
            year,
            standards: Standards::default(),
            capital_threshold: DEFAULT_CAPITAL_THRESHOLD,
            rules: Rule::ALL.iter().copied().collect(),
        }
    }

    /// 1 September of the check year.
    pub fn reference_date(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, 9, 1).unwrap_or(NaiveDate::MIN)
    }
}

/// What the rules read of a household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdFacts {
    pub id: String,
    pub village: AreaCode,
    pub status: HouseholdStatus,
    pub income_fen: i64,
    pub income_year: i32,
    pub housing_safe: bool,
    pub water_safe: bool,
}

/// What the rules read of a member row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFacts {
    pub id_number: String,
    pub name: String,
    pub household_id: String,
    pub birth_date: NaiveDate,
    pub school_status: Option<SchoolStatus>,
}

/// A row of a source as imported, with its line in the imported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRow {
    pub line: u64,
    pub record: SourceRecord,
}

impl SourceRow {
    /// The text of a cell ("" for an empty one).
    pub fn text(&self, i: usize) -> &str {
        match self.record.cells.get(i) {
            Some(Cell::Text(t)) => t,
            _ => "",
        }
    }

    pub fn int(&self, i: usize) -> i64 {
        match self.record.cells.get(i) {
            Some(Cell::Int(v)) => *v,
            _ => 0,
        }
    }
}

/// Everything a run reads: the registry and the current copy of each source (a source never
/// imported is empty).
#[derive(Debug, Clone, Default)]
pub struct CheckData {
    pub households: Vec<HouseholdFacts>,
    pub persons: Vec<PersonFacts>,
    pub sources: BTreeMap<SourceKind, Vec<SourceRow>>,
}

impl CheckData {
    fn source(&self, kind: SourceKind) -> &[SourceRow] {
        self.sources.get(&kind).map_or(&[], Vec::as_slice)
    }
}

/// One row that made a finding: a source row (file and line) or a registry record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Evidence {
    /// `households.csv`, `persons.csv` (the registry) or a source's file name.
    pub file: String,
    /// The line in the imported source file; `None` for registry records.
    pub line: Option<u64>,
    pub text: String,
}

/// A lead: `(rule, subject_kind, subject_id)`, routed to a village, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: Rule,
    pub subject_kind: SubjectKind,
    pub subject_id: String,
    /// `None` only for a payment or account whose payees are not in the registry.
    pub village: Option<AreaCode>,
    pub evidence: Vec<Evidence>,
}

impl Finding {
    /// The `detail` column of `findings.csv`: the evidence, `file:line text`, joined by `; `.
    pub fn detail(&self) -> String {
        self.evidence
            .iter()
            .map(|e| match e.line {
                Some(l) => format!("{}:{l} {}", e.file, e.text),
                None => format!("{} {}", e.file, e.text),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// What a run found, and what it could not judge.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Sorted by rule, then subject id (the order of `findings.csv`).
    pub findings: Vec<Finding>,
    /// Notes for the person who ran it (an income year without a poverty line...).
    pub notes: Vec<String>,
}

// Column positions of the sources (sources.rs lists the columns in this order).
mod col {
    pub const ID: usize = 0;
    pub const EMPLOYER: usize = 2;
    pub const PLATE: usize = 1;
    pub const VEHICLE_TYPE: usize = 2;
    pub const COMPANY: usize = 1;
    pub const CAPITAL: usize = 2;
    pub const DEATH_DATE: usize = 1;
    pub const CITY: usize = 1;
    pub const AREA_M2: usize = 2;
    pub const CADRE_VILLAGE: usize = 2;
    pub const CADRE_ROLE: usize = 3;
    pub const KIN_RELATIVE: usize = 1;
    pub const KIN_RELATION: usize = 2;
    pub const STUDENT_STATUS: usize = 3;
    pub const INSURED_YEAR: usize = 1;
    pub const PAYMENT_ID: usize = 0;
    pub const PAYEE: usize = 1;
    pub const PROGRAM: usize = 2;
    pub const AMOUNT: usize = 3;
    pub const PAID_ON: usize = 4;
    pub const ACCOUNT: usize = 5;
}

/// The registry indexed for the rules.
struct Registry<'a> {
    data: &'a CheckData,
    /// Household number -> index.
    households: HashMap<&'a str, usize>,
    /// Member rows per household index.
    members: Vec<u32>,
    /// ID number -> indexes of the member rows in active households.
    active: HashMap<&'a str, Vec<usize>>,
    /// ID number -> home household index.
    home: HashMap<&'a str, usize>,
}

fn is_active(s: HouseholdStatus) -> bool {
    matches!(
        s,
        HouseholdStatus::Registered | HouseholdStatus::Monitored | HouseholdStatus::Exited
    )
}

impl<'a> Registry<'a> {
    fn new(data: &'a CheckData) -> Self {
        let households: HashMap<&str, usize> = data
            .households
            .iter()
            .enumerate()
            .map(|(i, h)| (h.id.as_str(), i))
            .collect();
        let mut members = vec![0u32; data.households.len()];
        let mut active: HashMap<&str, Vec<usize>> =
            HashMap::with_capacity_and_hasher(data.persons.len(), FxBuildHasher);
        let mut home: HashMap<&str, usize> =
            HashMap::with_capacity_and_hasher(data.persons.len(), FxBuildHasher);
        for (pi, p) in data.persons.iter().enumerate() {
            let Some(&hi) = households.get(p.household_id.as_str()) else {
                continue;
            };
            members[hi] += 1;
            let h_active = is_active(data.households[hi].status);
            if h_active {
                active.entry(p.id_number.as_str()).or_default().push(pi);
            }
            home.entry(p.id_number.as_str())
                .and_modify(|cur| {
                    let c = &data.households[*cur];
                    let better = match (h_active, is_active(c.status)) {
                        (true, false) => true,
                        (false, true) => false,
                        _ => data.households[hi].id < c.id,
                    };
                    if better {
                        *cur = hi;
                    }
                })
                .or_insert(hi);
        }
        Registry {
            data,
            households,
            members,
            active,
            home,
        }
    }

    fn household_of(&self, p: usize) -> &'a HouseholdFacts {
        let hi = self.households[self.data.persons[p].household_id.as_str()];
        &self.data.households[hi]
    }

    fn home_village(&self, id: &str) -> Option<AreaCode> {
        self.home.get(id).map(|&h| self.data.households[h].village)
    }

    /// Active households (indexes) that have a member with this ID number, deduplicated.
    fn active_households_of(&self, id: &str) -> Vec<usize> {
        let mut v: Vec<usize> = self
            .active
            .get(id)
            .into_iter()
            .flatten()
            .map(|&p| self.households[self.data.persons[p].household_id.as_str()])
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    fn person_finding(&self, rule: Rule, id: &str, evidence: Vec<Evidence>) -> Finding {
        Finding {
            rule,
            subject_kind: SubjectKind::Person,
            subject_id: id.to_string(),
            village: self.home_village(id),
            evidence,
        }
    }
}

fn source_evidence(kind: SourceKind, row: &SourceRow, text: String) -> Evidence {
    Evidence {
        file: kind.file().to_string(),
        line: Some(row.line),
        text,
    }
}

fn registry_evidence(file: &str, text: String) -> Evidence {
    Evidence {
        file: file.to_string(),
        line: None,
        text,
    }
}

/// Runs the rules of `params`, calling `progress(rule, done, total)` before each.
pub fn run(
    data: &CheckData,
    params: &CheckParams,
    progress: &mut dyn FnMut(Rule, usize, usize),
) -> Outcome {
    let reg = Registry::new(data);
    let mut rules: Vec<Rule> = params.rules.iter().copied().collect();
    // The longest first, so that the workers end together.
    rules.sort_by_key(|r| !matches!(r, Rule::R15 | Rule::R14));
    let total = rules.len();
    // The rules are independent: workers take the next rule in turn (one per core, at most
    // two: this machine's and DuckDB's yardstick's), and results come back here.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .clamp(1, 2);
    let mut by_rule: BTreeMap<Rule, (Vec<Finding>, Vec<String>)> = BTreeMap::new();
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel::<(Rule, Vec<Finding>, Vec<String>)>();
        for _ in 0..workers {
            let tx = tx.clone();
            let (reg, rules, next) = (&reg, &rules, &next);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(rule) = rules.get(i) else { break };
                    let mut notes = Vec::new();
                    let mut found = apply(reg, *rule, params, &mut notes);
                    found.sort_by(|a, b| a.subject_id.cmp(&b.subject_id));
                    if tx.send((*rule, found, notes)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        progress(rules.first().copied().unwrap_or(Rule::R02), 0, total);
        for (rule, found, notes) in rx {
            by_rule.insert(rule, (found, notes));
            progress(rule, by_rule.len(), total);
        }
    });
    let mut out = Outcome::default();
    for (_, (mut found, mut notes)) in by_rule {
        out.findings.append(&mut found);
        out.notes.append(&mut notes);
    }
    out
}

/// One rule's findings.
fn apply(
    reg: &Registry,
    rule: Rule,
    params: &CheckParams,
    notes: &mut Vec<String>,
) -> Vec<Finding> {
    match rule {
        Rule::R02 => r02(reg),
        Rule::R03 => person_on_list(reg, Rule::R03, SourceKind::PublicEmployees, |r| {
            format!("{} {}", r.text(1), r.text(col::EMPLOYER))
        }),
        Rule::R04 => household_of_owner(reg, Rule::R04, SourceKind::Vehicles, |r| {
            (r.text(col::VEHICLE_TYPE) == VehicleType::Car.code()).then(|| {
                format!(
                    "{} {} {}",
                    r.text(col::PLATE),
                    r.text(col::VEHICLE_TYPE),
                    r.text(3)
                )
            })
        }),
        Rule::R05 => household_of_owner(reg, Rule::R05, SourceKind::Businesses, |r| {
            (r.int(col::CAPITAL) >= params.capital_threshold.fen()).then(|| {
                format!(
                    "{} {}",
                    r.text(col::COMPANY),
                    Yuan::from_fen(r.int(col::CAPITAL))
                )
            })
        }),
        Rule::R06 => household_of_owner(reg, Rule::R06, SourceKind::UrbanHousing, |r| {
            Some(format!("{} {}㎡", r.text(col::CITY), r.text(col::AREA_M2)))
        }),
        Rule::R07 => person_on_list(reg, Rule::R07, SourceKind::Deaths, |r| {
            r.text(col::DEATH_DATE).to_string()
        }),
        Rule::R08 => r08(reg),
        Rule::R09 => r09(reg, params, notes),
        Rule::R10 => r10(reg, params),
        Rule::R11 => r11(reg, params),
        Rule::R12 => r12(reg),
        Rule::R13 => r13(reg),
        Rule::R14 => r14(reg),
        Rule::R15 => r15(reg),
    }
}

/// R02: an ID number in two or more active households.
fn r02(reg: &Registry) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, rows) in &reg.active {
        if rows.len() < 2 {
            continue;
        }
        let hs = reg.active_households_of(id);
        if hs.len() >= 2 {
            let evidence = hs
                .iter()
                .map(|&h| {
                    let h = &reg.data.households[h];
                    registry_evidence("households.csv", format!("{} {}", h.id, h.village))
                })
                .collect();
            out.push(reg.person_finding(Rule::R02, id, evidence));
        }
    }
    out
}

/// R03, R07: an active person whose ID number is on a list.
fn person_on_list(
    reg: &Registry,
    rule: Rule,
    kind: SourceKind,
    describe: impl Fn(&SourceRow) -> String,
) -> Vec<Finding> {
    let mut hits: BTreeMap<&str, Vec<Evidence>> = BTreeMap::new();
    for row in reg.data.source(kind) {
        let id = row.text(col::ID);
        if reg.active.contains_key(id) {
            hits.entry(id)
                .or_default()
                .push(source_evidence(kind, row, describe(row)));
        }
    }
    hits.into_iter()
        .map(|(id, ev)| reg.person_finding(rule, id, ev))
        .collect()
}

/// R04, R05, R06: an active household one of whose members is named in a source row that
/// `describe` accepts (the owner's ID number is the row's first column).
fn household_of_owner(
    reg: &Registry,
    rule: Rule,
    kind: SourceKind,
    describe: impl Fn(&SourceRow) -> Option<String>,
) -> Vec<Finding> {
    let mut hits: BTreeMap<usize, Vec<Evidence>> = BTreeMap::new();
    for row in reg.data.source(kind) {
        let owner = row.text(col::ID);
        if !reg.active.contains_key(owner) {
            continue;
        }
        let Some(text) = describe(row) else { continue };
        for h in reg.active_households_of(owner) {
            hits.entry(h)
                .or_default()
                .push(source_evidence(kind, row, text.clone()));
        }
    }
    hits.into_iter()
        .map(|(h, evidence)| {
            let h = &reg.data.households[h];
            Finding {
                rule,
                subject_kind: SubjectKind::Household,
                subject_id: h.id.clone(),
                village: Some(h.village),
                evidence,
            }
        })
        .collect()
}

/// R08: an active person who is a cadre of the household's village, or a declared relative of
/// one.
fn r08(reg: &Registry) -> Vec<Finding> {
    let cadres = reg.data.source(SourceKind::Cadres);
    let mut cadre_villages: HashMap<&str, Vec<&SourceRow>> = HashMap::default();
    for row in cadres {
        cadre_villages
            .entry(row.text(col::ID))
            .or_default()
            .push(row);
    }
    let mut hits: BTreeMap<&str, Vec<Evidence>> = BTreeMap::new();
    let cadre_in = |id: &str, village: &AreaCode| -> Vec<&SourceRow> {
        cadre_villages
            .get(id)
            .into_iter()
            .flatten()
            .copied()
            .filter(|r| r.text(col::CADRE_VILLAGE) == village.as_str())
            .collect()
    };
    // The cadres themselves.
    for id in cadre_villages.keys() {
        for h in reg.active_households_of(id) {
            let village = reg.data.households[h].village;
            for row in cadre_in(id, &village) {
                hits.entry(id).or_default().push(source_evidence(
                    SourceKind::Cadres,
                    row,
                    format!(
                        "{} {}",
                        row.text(col::CADRE_VILLAGE),
                        row.text(col::CADRE_ROLE)
                    ),
                ));
            }
        }
    }
    // Their declared relatives.
    for kin in reg.data.source(SourceKind::CadreKin) {
        let relative = kin.text(col::KIN_RELATIVE);
        let cadre = kin.text(col::ID);
        for h in reg.active_households_of(relative) {
            let village = reg.data.households[h].village;
            for row in cadre_in(cadre, &village) {
                let e = hits.entry(relative).or_default();
                e.push(source_evidence(
                    SourceKind::CadreKin,
                    kin,
                    format!("{} {}", cadre, kin.text(col::KIN_RELATION)),
                ));
                e.push(source_evidence(
                    SourceKind::Cadres,
                    row,
                    format!(
                        "{} {}",
                        row.text(col::CADRE_VILLAGE),
                        row.text(col::CADRE_ROLE)
                    ),
                ));
            }
        }
    }
    hits.into_iter()
        .map(|(id, mut ev)| {
            ev.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
            ev.dedup();
            reg.person_finding(Rule::R08, id, ev)
        })
        .collect()
}

/// R09: an exited household below the line of its income year, or with unsafe housing or water.
fn r09(reg: &Registry, params: &CheckParams, notes: &mut Vec<String>) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut no_line: BTreeMap<i32, usize> = BTreeMap::new();
    for (hi, h) in reg.data.households.iter().enumerate() {
        if h.status != HouseholdStatus::Exited {
            continue;
        }
        let members = i64::from(reg.members[hi]);
        let mut reasons = Vec::new();
        match params.standards.poverty_line(h.income_year, &h.village) {
            Some(line) => {
                if h.income_fen < line * 100 * members {
                    reasons.push(format!(
                        "per-capita {} < line {} ({})",
                        Yuan::from_fen(h.income_fen / members.max(1)),
                        Yuan::from_fen(line * 100),
                        h.income_year
                    ));
                }
            }
            None => *no_line.entry(h.income_year).or_default() += 1,
        }
        if !h.housing_safe {
            reasons.push("housing not safe".into());
        }
        if !h.water_safe {
            reasons.push("water not safe".into());
        }
        if !reasons.is_empty() {
            out.push(Finding {
                rule: Rule::R09,
                subject_kind: SubjectKind::Household,
                subject_id: h.id.clone(),
                village: Some(h.village),
                evidence: vec![registry_evidence(
                    "households.csv",
                    format!(
                        "{} exited, {} members: {}",
                        h.id,
                        members,
                        reasons.join(", ")
                    ),
                )],
            });
        }
    }
    for (year, n) in no_line {
        notes.push(format!(
            "R09: no poverty line for income year {year}; the income test was skipped for {n} households"
        ));
    }
    out
}

/// Age in full years on `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    on.year() - birth.year() - i32::from((on.month(), on.day()) < (birth.month(), birth.day()))
}

/// R10: an active child aged 6-15 not enrolled, unless taught at home.
fn r10(reg: &Registry, params: &CheckParams) -> Vec<Finding> {
    let enrolled: HashSet<&str> = reg
        .data
        .source(SourceKind::Students)
        .iter()
        .filter(|r| r.text(col::STUDENT_STATUS) == StudentStatus::Enrolled.code())
        .map(|r| r.text(col::ID))
        .collect();
    let day = params.reference_date();
    let mut out = Vec::new();
    for (id, rows) in &reg.active {
        let p = &reg.data.persons[rows[0]];
        let age = age_on(p.birth_date, day);
        if !(6..=15).contains(&age) || enrolled.contains(id) {
            continue;
        }
        if rows
            .iter()
            .any(|&r| reg.data.persons[r].school_status == Some(SchoolStatus::HomeTaught))
        {
            continue;
        }
        let h = reg.household_of(rows[0]);
        out.push(reg.person_finding(
            Rule::R10,
            id,
            vec![registry_evidence(
                "persons.csv",
                format!(
                    "{} {} age {age} on {day}, not enrolled in students.csv",
                    h.id,
                    p.school_status.map_or("", |s| s.zh())
                ),
            )],
        ));
    }
    out
}

/// R11: an active person not insured for the check year.
fn r11(reg: &Registry, params: &CheckParams) -> Vec<Finding> {
    let insured: HashSet<&str> = reg
        .data
        .source(SourceKind::Insured)
        .iter()
        .filter(|r| r.int(col::INSURED_YEAR) == i64::from(params.year))
        .map(|r| r.text(col::ID))
        .collect();
    reg.active
        .iter()
        .filter(|(id, _)| !insured.contains(*id))
        .map(|(id, rows)| {
            let h = reg.household_of(rows[0]);
            reg.person_finding(
                Rule::R11,
                id,
                vec![registry_evidence(
                    "persons.csv",
                    format!("{}: not in insured.csv for {}", h.id, params.year),
                )],
            )
        })
        .collect()
}

fn payment_finding(reg: &Registry, rule: Rule, p: &SourceRow, text: String) -> Finding {
    Finding {
        rule,
        subject_kind: SubjectKind::Payment,
        subject_id: p.text(col::PAYMENT_ID).to_string(),
        village: reg.home_village(p.text(col::PAYEE)),
        evidence: vec![source_evidence(SourceKind::Payments, p, text)],
    }
}

fn describe_payment(p: &SourceRow) -> String {
    format!(
        "{} {} {} {}",
        p.text(col::PAYMENT_ID),
        p.text(col::PROGRAM),
        Yuan::from_fen(p.int(col::AMOUNT)),
        p.text(col::PAID_ON)
    )
}

/// R12: paid after the payee's (earliest recorded) death date.
fn r12(reg: &Registry) -> Vec<Finding> {
    let mut deaths: HashMap<&str, &SourceRow> = HashMap::default();
    for d in reg.data.source(SourceKind::Deaths) {
        deaths
            .entry(d.text(col::ID))
            .and_modify(|cur| {
                if d.text(col::DEATH_DATE) < cur.text(col::DEATH_DATE) {
                    *cur = d;
                }
            })
            .or_insert(d);
    }
    let mut out = Vec::new();
    for p in reg.data.source(SourceKind::Payments) {
        let Some(d) = deaths.get(p.text(col::PAYEE)) else {
            continue;
        };
        // ISO dates compare as text.
        if p.text(col::PAID_ON) > d.text(col::DEATH_DATE) {
            let mut f = payment_finding(reg, Rule::R12, p, describe_payment(p));
            f.evidence.push(source_evidence(
                SourceKind::Deaths,
                d,
                format!("died {}", d.text(col::DEATH_DATE)),
            ));
            out.push(f);
        }
    }
    out
}

/// R13: every payment but the first of its (payee, program, calendar month).
fn r13(reg: &Registry) -> Vec<Finding> {
    let mut groups: HashMap<(&str, &str, &str), Vec<&SourceRow>> = HashMap::default();
    for p in reg.data.source(SourceKind::Payments) {
        let month = p.text(col::PAID_ON).get(..7).unwrap_or("");
        groups
            .entry((p.text(col::PAYEE), p.text(col::PROGRAM), month))
            .or_default()
            .push(p);
    }
    let mut out = Vec::new();
    for (_, mut ps) in groups {
        if ps.len() < 2 {
            continue;
        }
        ps.sort_by(|a, b| {
            (a.text(col::PAID_ON), a.text(col::PAYMENT_ID))
                .cmp(&(b.text(col::PAID_ON), b.text(col::PAYMENT_ID)))
        });
        let first = ps[0];
        for p in &ps[1..] {
            let mut f = payment_finding(reg, Rule::R13, p, describe_payment(p));
            f.evidence.push(source_evidence(
                SourceKind::Payments,
                first,
                format!("first: {}", describe_payment(first)),
            ));
            out.push(f);
        }
    }
    out
}

/// R14: one account paying payees of three or more households (a payee outside the registry
/// counts as a household of their own).
fn r14(reg: &Registry) -> Vec<Finding> {
    #[derive(PartialEq, Eq, Hash, Clone, Copy, PartialOrd, Ord)]
    enum Home<'a> {
        Household(usize),
        Outside(&'a str),
    }
    // Accounts have a handful of payees: a short list beats a set each.
    let mut accounts: HashMap<&str, (Vec<Home>, Vec<&SourceRow>)> = HashMap::default();
    for p in reg.data.source(SourceKind::Payments) {
        let payee = p.text(col::PAYEE);
        let home = reg
            .home
            .get(payee)
            .map_or(Home::Outside(payee), |&h| Home::Household(h));
        let e = accounts.entry(p.text(col::ACCOUNT)).or_default();
        if !e.0.contains(&home) {
            e.0.push(home);
            e.1.push(p);
        }
    }
    let mut out = Vec::new();
    for (account, (homes, rows)) in accounts {
        if homes.len() < 3 {
            continue;
        }
        let village = homes
            .iter()
            .filter_map(|h| match h {
                Home::Household(h) => Some(reg.data.households[*h].village),
                Home::Outside(_) => None,
            })
            .min();
        let evidence = rows
            .iter()
            .map(|p| {
                let household = reg
                    .home
                    .get(p.text(col::PAYEE))
                    .map_or("-", |&h| reg.data.households[h].id.as_str());
                source_evidence(
                    SourceKind::Payments,
                    p,
                    format!("{} household {household}", p.text(col::PAYMENT_ID)),
                )
            })
            .collect();
        out.push(Finding {
            rule: Rule::R14,
            subject_kind: SubjectKind::Account,
            subject_id: account.to_string(),
            village,
            evidence,
        });
    }
    out
}

/// Whether two strings of equal length differ in exactly one character.
fn differ_in_one(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).filter(|(x, y)| x != y).count() == 1
}

/// Adds the pairs of a bucket of same-name persons that R15 reports.
fn consider_pairs<'a>(
    pairs: &mut BTreeSet<(&'a str, &'a str)>,
    bucket: &[&'a PersonFacts],
    same_birth: bool,
) {
    for (i, a) in bucket.iter().enumerate() {
        for b in &bucket[i + 1..] {
            if a.id_number == b.id_number {
                continue;
            }
            if same_birth || differ_in_one(&a.id_number, &b.id_number) {
                let (x, y) = if a.id_number < b.id_number {
                    (a, b)
                } else {
                    (b, a)
                };
                pairs.insert((x.id_number.as_str(), y.id_number.as_str()));
            }
        }
    }
}

/// R15: two active persons, different ID numbers, same name, and equal birth dates or ID
/// numbers one character apart. Two 18-character numbers one character apart agree on two of
/// the three blocks of six, so candidates are found by the name with each block left out.
fn r15(reg: &Registry) -> Vec<Finding> {
    // One row per active ID number: its row in the lowest-numbered household.
    let persons: Vec<&crate::checks::PersonFacts> = reg
        .active
        .values()
        .filter_map(|rows| {
            rows.iter()
                .map(|&r| &reg.data.persons[r])
                .min_by(|a, b| a.household_id.cmp(&b.household_id))
        })
        .collect();
    let mut pairs: BTreeSet<(&str, &str)> = BTreeSet::new();
    // Four bucketings: (name, birth date), and (name, two blocks of the ID number) for each
    // block left out. Each is a sort of (hash of the key, person), then runs of equal keys.
    let hasher = FxBuildHasher;
    let key = |p: &PersonFacts, pass: usize| -> Option<u64> {
        let id = p.id_number.as_str();
        if pass > 0 && (id.len() != 18 || !id.is_ascii()) {
            return None;
        }
        Some(match pass {
            0 => hasher.hash_one((&p.name, p.birth_date)),
            1 => hasher.hash_one((&p.name, &id[6..12], &id[12..18])),
            2 => hasher.hash_one((&p.name, &id[0..6], &id[12..18])),
            _ => hasher.hash_one((&p.name, &id[0..6], &id[6..12])),
        })
    };
    let same = |a: &PersonFacts, b: &PersonFacts, pass: usize| -> bool {
        let (x, y) = (a.id_number.as_str(), b.id_number.as_str());
        a.name == b.name
            && match pass {
                0 => a.birth_date == b.birth_date,
                1 => x[6..] == y[6..],
                2 => x[..6] == y[..6] && x[12..] == y[12..],
                _ => x[..12] == y[..12],
            }
    };
    let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(persons.len());
    for pass in 0..4 {
        keyed.clear();
        keyed.extend(
            persons
                .iter()
                .enumerate()
                .filter_map(|(i, p)| key(p, pass).map(|k| (k, i as u32))),
        );
        keyed.sort_unstable();
        let mut start = 0;
        while start < keyed.len() {
            let mut end = start + 1;
            while end < keyed.len() && keyed[end].0 == keyed[start].0 {
                end += 1;
            }
            if end - start > 1 {
                // Equal hashes: group by the key itself (a collision splits into groups).
                let run: Vec<&PersonFacts> = keyed[start..end]
                    .iter()
                    .map(|&(_, i)| persons[i as usize])
                    .collect();
                let mut groups: Vec<Vec<&PersonFacts>> = Vec::new();
                for p in run {
                    match groups.iter_mut().find(|g| same(g[0], p, pass)) {
                        Some(g) => g.push(p),
                        None => groups.push(vec![p]),
                    }
                }
                for g in groups.iter().filter(|g| g.len() > 1) {
                    consider_pairs(&mut pairs, g, pass == 0);
                }
            }
            start = end;
        }
    }
    let by_id: HashMap<&str, &PersonFacts> =
        persons.iter().map(|p| (p.id_number.as_str(), *p)).collect();
    pairs
        .into_iter()
        .map(|(a, b)| {
            let evidence = [a, b]
                .iter()
                .map(|id| {
                    let p = by_id[id];
                    registry_evidence(
                        "persons.csv",
                        format!("{} {} {} {}", p.household_id, p.name, id, p.birth_date),
                    )
                })
                .collect();
            Finding {
                rule: Rule::R15,
                subject_kind: SubjectKind::PersonPair,
                subject_id: format!("{a}|{b}"),
                village: reg.home_village(a),
                evidence,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
