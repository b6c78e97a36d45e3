//! Counts by status and poverty incidence for an area (domain.md §4).

use serde::Serialize;

use crate::vocab::{HouseholdStatus, Vocabulary};

/// Households and persons of an area by status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    /// Indexed like [`HouseholdStatus::ALL`].
    pub households: [i64; 5],
    pub persons: [i64; 5],
}

impl StatusCounts {
    fn index(s: HouseholdStatus) -> usize {
        HouseholdStatus::ALL
            .iter()
            .position(|x| *x == s)
            .unwrap_or(0)
    }

    pub fn add(&mut self, status: HouseholdStatus, households: i64, persons: i64) {
        self.households[Self::index(status)] += households;
        self.persons[Self::index(status)] += persons;
    }

    pub fn households(&self, s: HouseholdStatus) -> i64 {
        self.households[Self::index(s)]
    }

    pub fn persons(&self, s: HouseholdStatus) -> i64 {
        self.persons[Self::index(s)]
    }

    pub fn merge(&mut self, other: &StatusCounts) {
        for i in 0..5 {
            self.households[i] += other.households[i];
            self.persons[i] += other.persons[i];
        }
    }
}

/// Poverty incidence: registered, not-exited persons over the rural population, in per cent.
/// `None` when the population is not known.
pub fn poverty_incidence(counts: &StatusCounts, rural_population: Option<i64>) -> Option<f64> {
    let pop = rural_population.filter(|p| *p > 0)?;
    Some(counts.persons(HouseholdStatus::Registered) as f64 * 100.0 / pop as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
