//! Counts by status and poverty incidence for an area (domain.md §4), and which year the
//! figures of an area are for.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::vocab::HouseholdStatus;

/// One number per household status, named (never a bare array whose order only the code
/// knows).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ByStatus {
    pub applicant: i64,
    pub registered: i64,
    pub exited: i64,
    pub monitored: i64,
    pub removed: i64,
}

impl ByStatus {
    pub fn get(&self, s: HouseholdStatus) -> i64 {
        match s {
            HouseholdStatus::Applicant => self.applicant,
            HouseholdStatus::Registered => self.registered,
            HouseholdStatus::Exited => self.exited,
            HouseholdStatus::Monitored => self.monitored,
            HouseholdStatus::Removed => self.removed,
        }
    }

    fn slot(&mut self, s: HouseholdStatus) -> &mut i64 {
        match s {
            HouseholdStatus::Applicant => &mut self.applicant,
            HouseholdStatus::Registered => &mut self.registered,
            HouseholdStatus::Exited => &mut self.exited,
            HouseholdStatus::Monitored => &mut self.monitored,
            HouseholdStatus::Removed => &mut self.removed,
        }
    }

    pub fn add(&mut self, s: HouseholdStatus, n: i64) {
        *self.slot(s) += n;
    }

    /// Every status together.
    pub fn total(&self) -> i64 {
        self.applicant + self.registered + self.exited + self.monitored + self.removed
    }
}

/// Households and persons of an area by status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    pub households: ByStatus,
    pub persons: ByStatus,
}

impl StatusCounts {
    pub fn add(&mut self, status: HouseholdStatus, households: i64, persons: i64) {
        self.households.add(status, households);
        self.persons.add(status, persons);
    }

    pub fn households(&self, s: HouseholdStatus) -> i64 {
        self.households.get(s)
    }

    pub fn persons(&self, s: HouseholdStatus) -> i64 {
        self.persons.get(s)
    }

    pub fn merge(&mut self, other: &StatusCounts) {
        for s in [
            HouseholdStatus::Applicant,
            HouseholdStatus::Registered,
            HouseholdStatus::Exited,
            HouseholdStatus::Monitored,
            HouseholdStatus::Removed,
        ] {
            self.add(s, other.households(s), other.persons(s));
        }
    }
}

/// Poverty incidence: registered, not-exited persons over the rural population, in per cent.
/// `None` when the population is not known.
pub fn poverty_incidence(counts: &StatusCounts, rural_population: Option<i64>) -> Option<f64> {
    let pop = rural_population.filter(|p| *p > 0)?;
    Some(counts.persons(HouseholdStatus::Registered) as f64 * 100.0 / pop as f64)
}

/// What the figures of a year lack to be judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingData {
    /// No village of the area has a rural population for the year (no incidence).
    RuralPopulation,
    /// No poverty line is set for the year in the area (no income judgement, no warnings).
    PovertyLine,
}

impl MissingData {
    /// "2025 年无农村人口数据".
    pub fn zh(self, year: i32) -> String {
        match self {
            MissingData::RuralPopulation => format!("{year} 年无农村人口数据"),
            MissingData::PovertyLine => format!("{year} 年未设扶贫标准"),
        }
    }

    pub fn en(self, year: i32) -> String {
        match self {
            MissingData::RuralPopulation => format!("no rural population data for {year}"),
            MissingData::PovertyLine => format!("no poverty line set for {year}"),
        }
    }
}

/// The year an area's figures are for, and what that year lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FiguresYear {
    pub year: i32,
    /// Whether the year was asked for (`?year=`) rather than chosen.
    pub requested: bool,
    /// What the year lacks (empty: everything needed to judge it is there).
    pub missing: Vec<MissingData>,
    /// The years a person may switch to: every year with populations or a poverty line for
    /// the area, newest first.
    pub years: Vec<i32>,
    /// The years with both, newest first: the ones whose figures can be judged.
    pub judgeable: Vec<i32>,
}

/// Chooses the year of an area's figures. Asked for: that year, with what it lacks. Otherwise
/// the latest year for which the area has both a rural population and a poverty line; failing
/// that, the latest income year of the area's registry (applicants not counted: an application
/// of this year must not move a county's figures to a year without data), with what it lacks.
/// `None` when there is nothing to choose from at all.
pub fn figures_year(
    requested: Option<i32>,
    population_years: &BTreeSet<i32>,
    line_years: &BTreeSet<i32>,
    latest_income_year: Option<i32>,
) -> Option<FiguresYear> {
    let mut judgeable: Vec<i32> = population_years.intersection(line_years).copied().collect();
    judgeable.reverse();
    let year = requested
        .or_else(|| judgeable.first().copied())
        .or(latest_income_year)?;
    let mut missing = Vec::new();
    if !population_years.contains(&year) {
        missing.push(MissingData::RuralPopulation);
    }
    if !line_years.contains(&year) {
        missing.push(MissingData::PovertyLine);
    }
    let mut years: BTreeSet<i32> = population_years.union(line_years).copied().collect();
    years.insert(year);
    Some(FiguresYear {
        year,
        requested: requested.is_some(),
        missing,
        years: years.into_iter().rev().collect(),
        judgeable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn incidence_counts_only_registered_persons() {
        let mut c = StatusCounts::default();
        c.add(HouseholdStatus::Registered, 10, 30);
        c.add(HouseholdStatus::Exited, 100, 300);
        c.add(HouseholdStatus::Monitored, 5, 20);
        assert_eq!(poverty_incidence(&c, Some(1500)), Some(2.0));
        assert_eq!(poverty_incidence(&c, None), None);
        assert_eq!(poverty_incidence(&c, Some(0)), None);
    }

    #[test]
    fn counts_serialise_with_the_names_of_the_statuses() {
        let mut c = StatusCounts::default();
        c.add(HouseholdStatus::Registered, 34, 101);
        c.add(HouseholdStatus::Applicant, 1, 3);
        let v = serde_json::to_value(&c).expect("counts serialise");
        assert_eq!(v["households"]["registered"], 34);
        assert_eq!(v["households"]["applicant"], 1);
        assert_eq!(v["persons"]["registered"], 101);
        assert_eq!(v["persons"]["removed"], 0);
        assert!(v["households"].is_object());
    }

    fn set(years: &[i32]) -> BTreeSet<i32> {
        years.iter().copied().collect()
    }

    #[test]
    fn an_application_of_this_year_does_not_move_the_figures() {
        // Populations and lines up to 2020; one applicant's income of 2025 is the latest
        // income year of the registry, but the figures stay on 2020.
        let y = figures_year(
            None,
            &set(&[2019, 2020]),
            &set(&[2015, 2016, 2020]),
            Some(2020),
        )
        .expect("a year");
        assert_eq!(y.year, 2020);
        assert!(y.missing.is_empty());
        assert!(!y.requested);
        assert_eq!(y.judgeable, vec![2020]);
        assert_eq!(y.years, vec![2020, 2019, 2016, 2015]);
    }

    #[test]
    fn a_requested_year_says_what_it_lacks() {
        let y = figures_year(Some(2025), &set(&[2020]), &set(&[2020]), Some(2020)).expect("a year");
        assert_eq!(y.year, 2025);
        assert!(y.requested);
        assert_eq!(
            y.missing,
            vec![MissingData::RuralPopulation, MissingData::PovertyLine]
        );
        assert_eq!(y.missing[0].zh(2025), "2025 年无农村人口数据");
        assert!(y.years.contains(&2025));
    }

    #[test]
    fn without_any_judgeable_year_the_latest_income_year_is_shown_with_its_gaps() {
        let y = figures_year(None, &set(&[]), &set(&[2016, 2020]), Some(2020)).expect("a year");
        assert_eq!(y.year, 2020);
        assert_eq!(y.missing, vec![MissingData::RuralPopulation]);
        assert_eq!(figures_year(None, &set(&[]), &set(&[]), None), None);
    }

    proptest! {
        #[test]
        fn the_chosen_year_is_the_latest_judgeable_one(
            pops in proptest::collection::btree_set(2010i32..2030, 0..8),
            lines in proptest::collection::btree_set(2010i32..2030, 0..8),
            income in proptest::option::of(2010i32..2030),
        ) {
            let chosen = figures_year(None, &pops, &lines, income);
            let best = pops.intersection(&lines).max().copied();
            match (chosen, best) {
                (Some(c), Some(b)) => {
                    prop_assert_eq!(c.year, b);
                    prop_assert!(c.missing.is_empty());
                }
                (Some(c), None) => {
                    prop_assert_eq!(Some(c.year), income);
                    prop_assert!(!c.missing.is_empty());
                }
                (None, b) => {
                    prop_assert_eq!(b, None);
                    prop_assert_eq!(income, None);
                }
            }
        }
    }
}
