//! Exit evaluation (domain.md §5): the indicators of one household, the pre-exit list and the
//! households kept off it, and villages and counties against their thresholds.

use std::collections::BTreeMap;
use std::time::Instant;

use jingzhun_domain::area::{AreaCode, AreaLevel};
use jingzhun_domain::exit::{
    self, Evaluation, ExitParams, IncidenceJudgement, Indicator, VillageExitFigures,
};
use jingzhun_domain::registry::{HouseholdId, Person};
use jingzhun_domain::standards::StandardKey;
use jingzhun_domain::vocab::{HouseholdStatus, Relation};
use jingzhun_store::Store;
use serde::Serialize;

use crate::ServiceError;
use crate::standards::{default_year, in_force};

/// One household's evaluation with the members it speaks of (in the order the evidence
/// indices use).
#[derive(Debug, Clone, Serialize)]
pub struct HouseholdEvaluation {
    pub evaluation: Evaluation,
    pub meets: bool,
    #[serde(skip)]
    pub members: Vec<Person>,
}

/// Evaluates one household (its members in the order `persons_of` returns them).
pub async fn household(
    store: &dyn Store,
    id: &HouseholdId,
    year: Option<i32>,
) -> Result<HouseholdEvaluation, ServiceError> {
    let h = store
        .household(id)
        .await?
        .ok_or_else(|| ServiceError::NotFound {
            what: "household",
            key: id.as_str().to_string(),
        })?;
    let year = match year {
        Some(y) => y,
        None => h.income_year,
    };
    let members = store.persons_of(std::slice::from_ref(id)).await?;
    let standards = in_force(store).await?;
    let facts = jingzhun_domain::checks::HouseholdFacts {
        id: id.as_str().to_string(),
        village: h.village_code,
        status: h.status,
        income_fen: h.annual_net_income.fen(),
        income_year: h.income_year,
        housing_safe: h.housing_safe,
        water_safe: h.water_safe,
    };
    let m: Vec<exit::MemberFacts> = members.iter().map(Into::into).collect();
    let evaluation = exit::evaluate(
        &facts,
        &m,
        &ExitParams {
            year,
            standards: &standards,
        },
    );
    Ok(HouseholdEvaluation {
        meets: evaluation.meets(),
        evaluation,
        members,
    })
}

/// A village's exit figures and how it stands against its threshold.
#[derive(Debug, Clone, Serialize)]
pub struct VillageExit {
    pub village: AreaCode,
    pub name: String,
    pub population: Option<i64>,
    pub figures: VillageExitFigures,
    pub judgement: IncidenceJudgement,
}

/// A county (or any area above villages) against the county exit thresholds.
#[derive(Debug, Clone, Serialize)]
pub struct CountyExit {
    pub incidence: IncidenceJudgement,
    /// Thresholds with no data in the platform yet (wrongful exits, missed identification,
    /// public approval come from the assessment), with their value.
    pub not_measured: Vec<(StandardKey, Option<i64>)>,
}

/// The exit evaluation of an area.
#[derive(Debug, Clone, Serialize)]
pub struct AreaExit {
    /// `None`: everywhere.
    pub area: Option<AreaCode>,
    pub year: i32,
    pub villages: Vec<VillageExit>,
    pub total: VillageExitFigures,
    pub county: Option<CountyExit>,
    pub households_evaluated: usize,
    /// Reading the registry, then evaluating: milliseconds.
    pub read_ms: u128,
    pub evaluate_ms: u128,
}

fn add(total: &mut VillageExitFigures, f: &VillageExitFigures) {
    total.registered_households += f.registered_households;
    total.registered_persons += f.registered_persons;
    total.candidate_households += f.candidate_households;
    total.candidate_persons += f.candidate_persons;
    for i in 0..total.blocked_by.len() {
        total.blocked_by[i] += f.blocked_by[i];
    }
    total.exited_not_meeting += f.exited_not_meeting;
    total.monitored_meeting += f.monitored_meeting;
}

/// Evaluates every household within `area` and judges its villages (and, for a county or
/// above, the area as a county).
pub async fn area(
    store: &dyn Store,
    area: Option<&AreaCode>,
    year: Option<i32>,
) -> Result<AreaExit, ServiceError> {
    let year = default_year(store, area, year).await?;
    let standards = in_force(store).await?;
    let started = Instant::now();
    let data = store.exit_data(area).await?;
    let read_ms = started.elapsed().as_millis();
    let started = Instant::now();
    let p = ExitParams {
        year,
        standards: &standards,
    };
    let figures = exit::village_figures(&data, &p);
    let evaluate_ms = started.elapsed().as_millis();
    let populations: BTreeMap<AreaCode, i64> = store
        .village_populations(area, year)
        .await?
        .into_iter()
        .collect();
    // Names of the villages evaluated: of the area, or (everywhere) of the smallest area that
    // holds them all, not of the whole country's 600,000 villages.
    let common = match area {
        Some(a) => Some(*a),
        None => common_area(figures.keys()),
    };
    let names: BTreeMap<AreaCode, String> = store
        .village_names(common.as_ref())
        .await?
        .into_iter()
        .collect();
    let mut villages = Vec::new();
    let mut total = VillageExitFigures::default();
    for (village, f) in &figures {
        add(&mut total, f);
        let population = populations.get(village).copied();
        let name = names
            .get(village)
            .cloned()
            .unwrap_or_else(|| village.as_str().to_string());
        villages.push(VillageExit {
            village: *village,
            name,
            population,
            judgement: exit::judge_village(village, f, population, &p),
            figures: f.clone(),
        });
    }
    // A county or above is judged as a county; everywhere, against the national values.
    let county_code = area.copied().filter(|a| a.level() <= AreaLevel::County);
    let county = county_code.map(|area| {
        let pop: i64 = populations.values().sum();
        let value = |k| standards.value(k, year, &area);
        CountyExit {
            incidence: exit::judge_incidence(
                total.registered_persons,
                total.remaining_persons(),
                (pop > 0).then_some(pop),
                value(StandardKey::CountyExitIncidence),
            ),
            not_measured: [
                StandardKey::CountyWrongfulExit,
                StandardKey::CountyMissed,
                StandardKey::CountyApproval,
            ]
            .into_iter()
            .map(|k| (k, value(k)))
            .collect(),
        }
    });
    Ok(AreaExit {
        area: area.copied(),
        year,
        villages,
        total,
        county,
        households_evaluated: data.len(),
        read_ms,
        evaluate_ms,
    })
}

/// The smallest province, city, county or township holding every code (`None`: several
/// provinces, or none).
fn common_area<'a>(codes: impl Iterator<Item = &'a AreaCode>) -> Option<AreaCode> {
    let mut prefix: Option<String> = None;
    for c in codes {
        let s = c.as_str();
        prefix = Some(match prefix {
            None => s.to_string(),
            Some(p) => p
                .chars()
                .zip(s.chars())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a)
                .collect(),
        });
    }
    let p = prefix?;
    [9, 6, 4, 2]
        .into_iter()
        .find(|n| p.len() >= *n)
        .and_then(|n| AreaCode::parse_short(&p[..n]).ok())
}

/// Which list of a village.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// Registered households meeting every indicator (预退出).
    Candidates,
    /// Registered households kept off the list, with the indicators that keep them.
    Blocked,
    /// Exited households that no longer meet the indicators (to be monitored).
    ExitedNotMeeting,
}

/// A household on a list.
#[derive(Debug, Clone, Serialize)]
pub struct ListRow {
    pub household_id: String,
    pub village: AreaCode,
    pub status: HouseholdStatus,
    /// The head's name (empty when the household has no member marked head).
    pub head: String,
    pub persons: usize,
    pub per_capita_fen: i64,
    pub blocking: Vec<Indicator>,
}

/// The households of a list within an area, by number.
pub async fn list(
    store: &dyn Store,
    within: &AreaCode,
    year: Option<i32>,
    kind: ListKind,
) -> Result<Vec<ListRow>, ServiceError> {
    let year = default_year(store, Some(within), year).await?;
    let standards = in_force(store).await?;
    let p = ExitParams {
        year,
        standards: &standards,
    };
    let data = store.exit_data(Some(within)).await?;
    let mut rows = Vec::new();
    for h in &data {
        let wanted_status = match kind {
            ListKind::Candidates | ListKind::Blocked => HouseholdStatus::Registered,
            ListKind::ExitedNotMeeting => HouseholdStatus::Exited,
        };
        if h.facts.status != wanted_status {
            continue;
        }
        let e = exit::evaluate(&h.facts, &h.members, &p);
        let keep = match kind {
            ListKind::Candidates => e.meets(),
            ListKind::Blocked | ListKind::ExitedNotMeeting => !e.meets(),
        };
        if keep {
            let living = h.members.len().max(1) as i64;
            rows.push(ListRow {
                household_id: h.facts.id.clone(),
                village: h.facts.village,
                status: h.facts.status,
                head: String::new(),
                persons: h.members.len(),
                per_capita_fen: h.facts.income_fen / living,
                blocking: e.blocking().map(|r| r.indicator).collect(),
            });
        }
    }
    let heads = heads_of(store, rows.iter().map(|r| r.household_id.as_str())).await?;
    for r in &mut rows {
        if let Some(name) = heads.get(&r.household_id) {
            r.head = name.clone();
        }
    }
    Ok(rows)
}

/// The heads' names of these households (by number), read a chunk at a time.
pub(crate) async fn heads_of<'a>(
    store: &dyn Store,
    households: impl Iterator<Item = &'a str>,
) -> Result<std::collections::HashMap<String, String>, ServiceError> {
    let ids: Vec<HouseholdId> = households
        .filter_map(|h| HouseholdId::parse(h).ok())
        .collect();
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        for p in store.persons_of(chunk).await? {
            if p.relation == Relation::Head {
                out.insert(p.household_id.as_str().to_string(), p.name);
            }
        }
    }
    Ok(out)
}
