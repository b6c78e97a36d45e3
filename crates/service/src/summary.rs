//! Counts by status and poverty incidence for the children of an area.

use jingzhun_domain::area::{Area, AreaCode};
use jingzhun_domain::summary::{StatusCounts, poverty_incidence};
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

/// A summary of an area by its children, with a total line.
#[derive(Debug, Clone, Serialize)]
pub struct AreaSummary {
    pub area: Area,
    pub year: Option<i32>,
    pub children: Vec<ChildSummary>,
    pub total: StatusCounts,
    pub total_population: Option<i64>,
    pub total_incidence: Option<f64>,
}

/// Households and persons by status, and poverty incidence, for each child of `code` (every
/// child is listed, also those with no households), for the latest income year.
pub async fn area_summary(store: &dyn Store, code: &AreaCode) -> Result<AreaSummary, ServiceError> {
    let area = store
        .area(code)
        .await?
        .ok_or_else(|| ServiceError::NotFound {
            what: "area",
            key: code.to_string(),
        })?;
    let year = store.latest_income_year().await?;
    let children = store.children(Some(code)).await?;
    let counts = store.child_counts(code).await?;
    let pops = match year {
        Some(y) => store.child_populations(code, y).await?,
        None => Vec::new(),
    };
    let mut total = StatusCounts::default();
    let mut total_pop: Option<i64> = None;
    let children: Vec<ChildSummary> = children
        .into_iter()
        .map(|a| {
            let c = counts
                .iter()
                .find(|c| c.code == a.code)
                .map(|c| c.counts.clone())
                .unwrap_or_default();
            let pop = pops.iter().find(|(p, _)| *p == a.code).map(|(_, n)| *n);
            total.merge(&c);
            if let Some(p) = pop {
                total_pop = Some(total_pop.unwrap_or(0) + p);
            }
            ChildSummary {
                incidence: poverty_incidence(&c, pop),
                counts: c,
                rural_population: pop,
                area: a,
            }
        })
        .collect();
    Ok(AreaSummary {
        total_incidence: poverty_incidence(&total, total_pop),
        area,
        year,
        children,
        total,
        total_population: total_pop,
    })
}
