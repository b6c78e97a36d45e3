//! Exit evaluation (精准退出, domain.md §4-5): the six indicators of a household ("两不愁三保障"
//! and safe water, income above the line), village and county exit against their thresholds,
//! and what a change of standards would do ("what-if").
//!
//! Pure: the store hands over the registry's facts, the service the standards in force.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::area::AreaCode;
use crate::checks::{HouseholdFacts, age_on};
use crate::standards::{StandardKey, Standards};
use crate::vocab::{HouseholdStatus, SchoolStatus, Vocabulary, vocabulary};

vocabulary! {
    /// The household exit indicators (seed 001: 一收入、两不愁、三保障, and safe water).
    Indicator {
        Income = ("income", "人均纯收入稳定超过扶贫标准", "Per-capita income steadily above the line"),
        Food = ("food", "不愁吃", "No worry about food"),
        Clothing = ("clothing", "不愁穿", "No worry about clothing"),
        Education = ("education", "义务教育有保障", "Compulsory education guaranteed"),
        Medical = ("medical", "基本医疗有保障", "Basic medical care guaranteed"),
        Housing = ("housing", "住房安全有保障", "Housing safe"),
        Water = ("water", "饮水安全有保障", "Drinking water safe"),
    }
}

vocabulary! {
    /// How an indicator stands for a household.
    Outcome {
        Pass = ("pass", "达标", "Met"),
        Fail = ("fail", "未达标", "Not met"),
        Missing = ("missing", "缺少数据", "No data"),
        Visit = ("visit", "待入户核实", "To confirm at the home visit"),
    }
}

impl Outcome {
    /// Whether the outcome keeps a household off the exit list.
    pub fn blocks(self) -> bool {
        matches!(self, Outcome::Fail | Outcome::Missing)
    }
}

/// What the indicators read of a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFacts {
    pub birth_date: NaiveDate,
    pub school_status: Option<SchoolStatus>,
    pub medical_insurance: Option<bool>,
    pub deceased_on: Option<NaiveDate>,
}

impl MemberFacts {
    fn living_on(&self, day: NaiveDate) -> bool {
        self.deceased_on.is_none_or(|d| d > day)
    }
}

impl From<&crate::registry::Person> for MemberFacts {
    fn from(p: &crate::registry::Person) -> Self {
        MemberFacts {
            birth_date: p.birth_date,
            school_status: p.school_status,
            medical_insurance: p.medical_insurance,
            deceased_on: p.deceased_on,
        }
    }
}

/// A household with its members, as the evaluation reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExitHousehold {
    pub facts: HouseholdFacts,
    pub members: Vec<MemberFacts>,
}

/// The data behind an indicator's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// Income of `income_year` over `members` living members, against `line_yuan` (the
    /// monitoring line for a monitored household, else the poverty line of that year).
    Income {
        per_capita_fen: i64,
        members: u32,
        income_year: i32,
        line_yuan: Option<i64>,
        monitoring_line: bool,
        /// The income is older than the standards allow.
        outdated: bool,
    },
    /// Members (indices into the household's members) who fail the indicator or whose data is
    /// missing, out of `considered` members it applies to.
    Members {
        considered: u32,
        failing: Vec<u32>,
        missing: Vec<u32>,
    },
    /// A yes/no field of the household record.
    Flag { value: bool },
    /// The registry does not record it; the home visit of the exit procedure confirms it.
    NotRecorded,
}

/// One indicator's outcome with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicatorResult {
    pub indicator: Indicator,
    pub outcome: Outcome,
    pub evidence: Evidence,
}

/// Every indicator of one household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    pub year: i32,
    pub results: Vec<IndicatorResult>,
}

impl Evaluation {
    /// Meets every indicator the data can judge (food and clothing wait for the visit).
    pub fn meets(&self) -> bool {
        self.results.iter().all(|r| !r.outcome.blocks())
    }

    /// The indicators that keep the household off the exit list.
    pub fn blocking(&self) -> impl Iterator<Item = &IndicatorResult> {
        self.results.iter().filter(|r| r.outcome.blocks())
    }
}

/// The year evaluated: ages are taken on 1 September of it (as the cross-checks do), and
/// income must be recent enough for it.
#[derive(Debug, Clone, Copy)]
pub struct ExitParams<'a> {
    pub year: i32,
    pub standards: &'a Standards,
}

impl ExitParams<'_> {
    pub fn reference_date(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, 9, 1).unwrap_or(NaiveDate::MIN)
    }
}

/// Compulsory-education age (6 to 15 on the reference date).
const SCHOOL_AGES: std::ops::RangeInclusive<i32> = 6..=15;

/// Evaluates every indicator of a household.
pub fn evaluate(h: &HouseholdFacts, members: &[MemberFacts], p: &ExitParams<'_>) -> Evaluation {
    let day = p.reference_date();
    let results = vec![
        income(h, members, p, day),
        IndicatorResult {
            indicator: Indicator::Food,
            outcome: Outcome::Visit,
            evidence: Evidence::NotRecorded,
        },
        IndicatorResult {
            indicator: Indicator::Clothing,
            outcome: Outcome::Visit,
            evidence: Evidence::NotRecorded,
        },
        by_member(Indicator::Education, members, |m| {
            if !m.living_on(day) || !SCHOOL_AGES.contains(&age_on(m.birth_date, day)) {
                return None;
            }
            Some(match m.school_status {
                None => Outcome::Missing,
                Some(SchoolStatus::Dropout | SchoolStatus::NotInSchool) => Outcome::Fail,
                Some(_) => Outcome::Pass,
            })
        }),
        by_member(Indicator::Medical, members, |m| {
            if !m.living_on(day) {
                return None;
            }
            Some(match m.medical_insurance {
                None => Outcome::Missing,
                Some(false) => Outcome::Fail,
                Some(true) => Outcome::Pass,
            })
        }),
        flag(Indicator::Housing, h.housing_safe),
        flag(Indicator::Water, h.water_safe),
    ];
    Evaluation {
        year: p.year,
        results,
    }
}

fn income(
    h: &HouseholdFacts,
    members: &[MemberFacts],
    p: &ExitParams<'_>,
    day: NaiveDate,
) -> IndicatorResult {
    let living = members.iter().filter(|m| m.living_on(day)).count() as u32;
    let monitoring_line = h.status == HouseholdStatus::Monitored;
    let line_yuan = if monitoring_line {
        p.standards.monitoring_line(h.income_year, &h.village)
    } else {
        p.standards.poverty_line(h.income_year, &h.village)
    };
    let max_age = p
        .standards
        .value(StandardKey::IncomeMaxAge, p.year, &h.village)
        .unwrap_or(1);
    let outdated = i64::from(p.year) - i64::from(h.income_year) > max_age;
    let outcome = match line_yuan {
        _ if outdated || living == 0 => Outcome::Missing,
        None => Outcome::Missing,
        Some(line) if h.income_fen > line * 100 * i64::from(living) => Outcome::Pass,
        Some(_) => Outcome::Fail,
    };
    IndicatorResult {
        indicator: Indicator::Income,
        outcome,
        evidence: Evidence::Income {
            per_capita_fen: h.income_fen / i64::from(living.max(1)),
            members: living,
            income_year: h.income_year,
            line_yuan,
            monitoring_line,
            outdated,
        },
    }
}

fn by_member(
    indicator: Indicator,
    members: &[MemberFacts],
    judge: impl Fn(&MemberFacts) -> Option<Outcome>,
) -> IndicatorResult {
    let (mut considered, mut failing, mut missing) = (0u32, Vec::new(), Vec::new());
    for (i, m) in members.iter().enumerate() {
        match judge(m) {
            None => {}
            Some(o) => {
                considered += 1;
                match o {
                    Outcome::Fail => failing.push(i as u32),
                    Outcome::Missing => missing.push(i as u32),
                    _ => {}
                }
            }
        }
    }
    let outcome = if !failing.is_empty() {
        Outcome::Fail
    } else if !missing.is_empty() {
        Outcome::Missing
    } else {
        Outcome::Pass
    };
    IndicatorResult {
        indicator,
        outcome,
        evidence: Evidence::Members {
            considered,
            failing,
            missing,
        },
    }
}

fn flag(indicator: Indicator, value: bool) -> IndicatorResult {
    IndicatorResult {
        indicator,
        outcome: if value { Outcome::Pass } else { Outcome::Fail },
        evidence: Evidence::Flag { value },
    }
}

/// The exit figures of one village.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VillageExitFigures {
    /// Registered (not exited) households and their members.
    pub registered_households: i64,
    pub registered_persons: i64,
    /// Registered households that meet every indicator the data judge (预退出 candidates).
    pub candidate_households: i64,
    pub candidate_persons: i64,
    /// Registered households kept off the list, by indicator (a household may count under
    /// several), indexed like [`Indicator::ALL`]; serialised named by indicator code
    /// (`{"income": 3, "food": 0, ...}`).
    #[serde(serialize_with = "by_indicator")]
    pub blocked_by: [i64; 7],
    /// Exited households that no longer meet the indicators.
    pub exited_not_meeting: i64,
    /// Monitored households whose risk could be eliminated (income above the monitoring line
    /// and the guarantees hold).
    pub monitored_meeting: i64,
}

/// Counts indexed like [`Indicator::ALL`], as an object named by indicator code.
fn by_indicator<S: serde::Serializer>(counts: &[i64; 7], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(counts.len()))?;
    for (i, n) in Indicator::ALL.iter().zip(counts) {
        m.serialize_entry(i.code(), n)?;
    }
    m.end()
}

impl VillageExitFigures {
    /// Registered persons who would remain once every candidate exits.
    pub fn remaining_persons(&self) -> i64 {
        self.registered_persons - self.candidate_persons
    }
}

/// Evaluates every household and adds the results up per village. Removed households and
/// applicants are not evaluated.
pub fn village_figures(
    households: &[ExitHousehold],
    p: &ExitParams<'_>,
) -> BTreeMap<AreaCode, VillageExitFigures> {
    let mut out: BTreeMap<AreaCode, VillageExitFigures> = BTreeMap::new();
    for h in households {
        let status = h.facts.status;
        if matches!(
            status,
            HouseholdStatus::Removed | HouseholdStatus::Applicant
        ) {
            continue;
        }
        let e = evaluate(&h.facts, &h.members, p);
        let f = out.entry(h.facts.village).or_default();
        let persons = h.members.len() as i64;
        match status {
            HouseholdStatus::Registered => {
                f.registered_households += 1;
                f.registered_persons += persons;
                if e.meets() {
                    f.candidate_households += 1;
                    f.candidate_persons += persons;
                }
                for r in e.blocking() {
                    if let Some(i) = Indicator::ALL.iter().position(|x| *x == r.indicator) {
                        f.blocked_by[i] += 1;
                    }
                }
            }
            HouseholdStatus::Exited if !e.meets() => f.exited_not_meeting += 1,
            HouseholdStatus::Monitored if e.meets() => f.monitored_meeting += 1,
            _ => {}
        }
    }
    out
}

/// Poverty incidence in basis points (hundredths of a per cent), rounded up, so that a village
/// at 2.001 % does not pass a 2.00 % threshold. `None` without a population.
pub fn incidence_bp(persons: i64, population: Option<i64>) -> Option<i64> {
    let pop = population.filter(|p| *p > 0)?;
    Some((persons * 10_000 + pop - 1) / pop)
}

/// How a village (or county) stands against its exit threshold of incidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidenceJudgement {
    pub threshold_bp: Option<i64>,
    /// Incidence now.
    pub now_bp: Option<i64>,
    /// Incidence once every candidate has exited.
    pub projected_bp: Option<i64>,
    pub meets_now: Option<bool>,
    pub meets_projected: Option<bool>,
}

pub fn judge_incidence(
    registered_persons: i64,
    remaining_persons: i64,
    population: Option<i64>,
    threshold_bp: Option<i64>,
) -> IncidenceJudgement {
    let now_bp = incidence_bp(registered_persons, population);
    let projected_bp = incidence_bp(remaining_persons, population);
    let meets = |v: Option<i64>| Some(v? < threshold_bp?);
    IncidenceJudgement {
        threshold_bp,
        now_bp,
        projected_bp,
        meets_now: meets(now_bp),
        meets_projected: meets(projected_bp),
    }
}

/// The judgement of one village under some standards.
pub fn judge_village(
    village: &AreaCode,
    f: &VillageExitFigures,
    population: Option<i64>,
    p: &ExitParams<'_>,
) -> IncidenceJudgement {
    judge_incidence(
        f.registered_persons,
        f.remaining_persons(),
        population,
        p.standards
            .value(StandardKey::VillageExitIncidence, p.year, village),
    )
}

/// What a change of standards would do to an area's households, by village.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Shift {
    /// Registered households (persons) that become exit candidates.
    pub newly_eligible_households: i64,
    pub newly_eligible_persons: i64,
    /// Registered households (persons) that stop being candidates.
    pub no_longer_eligible_households: i64,
    pub no_longer_eligible_persons: i64,
    /// Exited households that would stop meeting the indicators (or meet them again: negative).
    pub exited_not_meeting_change: i64,
    /// Monitored households whose risk could be eliminated (change).
    pub monitored_meeting_change: i64,
}

impl Shift {
    pub fn is_empty(&self) -> bool {
        *self == Shift::default()
    }

    fn add(&mut self, o: &Shift) {
        self.newly_eligible_households += o.newly_eligible_households;
        self.newly_eligible_persons += o.newly_eligible_persons;
        self.no_longer_eligible_households += o.no_longer_eligible_households;
        self.no_longer_eligible_persons += o.no_longer_eligible_persons;
        self.exited_not_meeting_change += o.exited_not_meeting_change;
        self.monitored_meeting_change += o.monitored_meeting_change;
    }
}

/// A village whose projected exit verdict flips.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VillageCrossing {
    pub village: AreaCode,
    pub before: IncidenceJudgement,
    pub after: IncidenceJudgement,
}

/// The consequences of moving from `before` to `after` standards.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WhatIf {
    /// By village (only villages where something changes).
    pub villages: BTreeMap<AreaCode, Shift>,
    pub total: Shift,
    /// Villages whose projected verdict against their exit threshold flips.
    pub crossings: Vec<VillageCrossing>,
}

/// Evaluates the households twice and compares, household by household.
pub fn what_if(
    households: &[ExitHousehold],
    year: i32,
    before: &Standards,
    after: &Standards,
    populations: &BTreeMap<AreaCode, i64>,
) -> WhatIf {
    let pb = ExitParams {
        year,
        standards: before,
    };
    let pa = ExitParams {
        year,
        standards: after,
    };
    let mut out = WhatIf::default();
    for h in households {
        let status = h.facts.status;
        if matches!(
            status,
            HouseholdStatus::Removed | HouseholdStatus::Applicant
        ) {
            continue;
        }
        let b = evaluate(&h.facts, &h.members, &pb).meets();
        let a = evaluate(&h.facts, &h.members, &pa).meets();
        if a == b {
            continue;
        }
        let persons = h.members.len() as i64;
        let s = out.villages.entry(h.facts.village).or_default();
        match status {
            HouseholdStatus::Registered if a => {
                s.newly_eligible_households += 1;
                s.newly_eligible_persons += persons;
            }
            HouseholdStatus::Registered => {
                s.no_longer_eligible_households += 1;
                s.no_longer_eligible_persons += persons;
            }
            HouseholdStatus::Exited => s.exited_not_meeting_change += if a { -1 } else { 1 },
            HouseholdStatus::Monitored => s.monitored_meeting_change += if a { 1 } else { -1 },
            _ => {}
        }
    }
    for s in out.villages.values() {
        let mut t = out.total.clone();
        t.add(s);
        out.total = t;
    }
    // Thresholds may move without any household changing: judge every village.
    let fb = village_figures(households, &pb);
    let fa = village_figures(households, &pa);
    for (village, before_f) in &fb {
        let after_f = fa.get(village).cloned().unwrap_or_default();
        let pop = populations.get(village).copied();
        let jb = judge_village(village, before_f, pop, &pb);
        let ja = judge_village(village, &after_f, pop, &pa);
        if jb.meets_projected != ja.meets_projected {
            out.crossings.push(VillageCrossing {
                village: *village,
                before: jb,
                after: ja,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
