//! Counts by status and poverty incidence for an area and its children, and the year the
//! figures are for (`figures_year`: chosen from the data, never from the newest income
//! recorded).

use std::collections::BTreeSet;

use jingzhun_domain::area::{Area, AreaCode};
use jingzhun_domain::standards::StandardKey;
use jingzhun_domain::summary::{FiguresYear, StatusCounts, poverty_incidence};
use jingzhun_store::Store;
use serde::Serialize;

use crate::ServiceError;

/// One child area's line of a summary.
#[derive(Debug, Clone, Serialize)]
pub struct ChildSummary {
    pub area: Area,
    pub counts: StatusCounts,
    pub rural_population: Option<i64>,
    /// Per cent; `None` when the population is not known.
    pub incidence: Option<f64>,
}

/// A summary of an area: its own figures and one line per child area.
#[derive(Debug, Clone, Serialize)]
pub struct AreaSummary {
    pub area: Area,
    /// The year of the rural populations and the incidence, with what it lacks (`None`: the
    /// area has neither populations, poverty lines nor households).
    pub figures_year: Option<FiguresYear>,
    pub children: Vec<ChildSummary>,
    /// The area's own counts (counted over its villages, not added up from the children, so
    /// that a village, which has none, shows its households).
    pub total: StatusCounts,
    pub total_population: Option<i64>,
    pub total_incidence: Option<f64>,
}

impl AreaSummary {
    pub fn year(&self) -> Option<i32> {
        self.figures_year.as_ref().map(|y| y.year)
    }
}

/// The year of an area's figures (everywhere for `None`): the one asked for, or the latest
/// with both rural populations and a poverty line, or failing those the latest income year of
/// the area's households (applicants not counted); with what the year lacks.
pub async fn figures_year(
    store: &dyn Store,
    area: Option<&AreaCode>,
    requested: Option<i32>,
) -> Result<Option<FiguresYear>, ServiceError> {
    let populations: BTreeSet<i32> = store.population_years(area).await?.into_iter().collect();
    let standards = crate::standards::in_force(store).await?;
    let lines = standards.years_of(StandardKey::PovertyLine, area);
    let judgeable = populations.intersection(&lines).next().is_some();
    let latest_income = if requested.is_none() && !judgeable {
        store.latest_income_year(area).await?
    } else {
        None
    };
    Ok(jingzhun_domain::summary::figures_year(
        requested,
        &populations,
        &lines,
        latest_income,
    ))
}

/// Households and persons by status of an area and of each of its children (every child is
/// listed, also those with no households), with rural population and poverty incidence for
/// the year of the figures (`year`, or the one [`figures_year`] chooses).
pub async fn area_summary(
    store: &dyn Store,
    code: &AreaCode,
    year: Option<i32>,
) -> Result<AreaSummary, ServiceError> {
    let area = store
        .area(code)
        .await?
        .ok_or_else(|| ServiceError::NotFound {
            what: "area",
            key: code.to_string(),
        })?;
    let figures_year = figures_year(store, Some(code), year).await?;
    let year = figures_year.as_ref().map(|y| y.year);
    let children = store.children(Some(code)).await?;
    let counts = store.child_counts(code).await?;
    let total = store.status_counts(code).await?;
    let (pops, villages) = match year {
        Some(y) => (
            store.child_populations(code, y).await?,
            store.village_populations(Some(code), y).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let total_population =
        (!villages.is_empty()).then(|| villages.iter().map(|(_, n)| *n).sum::<i64>());
    let children: Vec<ChildSummary> = children
        .into_iter()
        .map(|a| {
            let c = counts
                .iter()
                .find(|c| c.code == a.code)
                .map(|c| c.counts.clone())
                .unwrap_or_default();
            let pop = pops.iter().find(|(p, _)| *p == a.code).map(|(_, n)| *n);
            ChildSummary {
                incidence: poverty_incidence(&c, pop),
                counts: c,
                rural_population: pop,
                area: a,
            }
        })
        .collect();
    Ok(AreaSummary {
        total_incidence: poverty_incidence(&total, total_population),
        area,
        figures_year,
        children,
        total,
        total_population,
    })
}
