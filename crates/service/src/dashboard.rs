//! What the dashboard shows of an area: the summary by child area, and active households by
//! primary cause and by gap in the "three guarantees", and the villages' early warnings
//! (including complaints accumulating about a village, from `complaints::open_by_village`).

use jingzhun_domain::area::AreaCode;
use jingzhun_store::{AreaProfile, Store};
use serde::Serialize;

use crate::ServiceError;
use crate::summary::{AreaSummary, area_summary};

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    /// The areas above, from the province down.
    pub ancestors: Vec<jingzhun_domain::area::Area>,
    pub summary: AreaSummary,
    pub profile: AreaProfile,
    /// Early warnings of the villages within the area, with the villages' names.
    pub warnings: Vec<(jingzhun_domain::warnings::Warning, String)>,
}

/// The dashboard of an area for a year (`None`: the year [`crate::summary::figures_year`]
/// chooses).
pub async fn dashboard(
    store: &dyn Store,
    code: &AreaCode,
    year: Option<i32>,
) -> Result<Dashboard, ServiceError> {
    let summary = area_summary(store, code, year).await?;
    let mut profile = store.area_profile(code).await?;
    // Largest cause first; households without a recorded cause last.
    profile
        .causes
        .sort_by_key(|(c, n)| (c.is_none(), std::cmp::Reverse(*n)));
    let mut ancestors = Vec::new();
    let mut up = code.parent();
    while let Some(a) = up {
        if let Some(area) = store.area(&a).await? {
            ancestors.push(area);
        }
        up = a.parent();
    }
    ancestors.reverse();
    let warnings = match summary.year() {
        Some(year) => warnings(store, code, year).await?,
        None => Vec::new(),
    };
    Ok(Dashboard {
        ancestors,
        summary,
        profile,
        warnings,
    })
}

/// Counts, per village, the procedure cases whose next step is past its deadline today (the
/// step deadline of the standards in force for the village), and the plans and the largest
/// group of identical ones.
async fn add_procedure_and_plan_figures(
    store: &dyn Store,
    code: &AreaCode,
    standards: &jingzhun_domain::standards::Standards,
    figures: &mut Vec<jingzhun_domain::warnings::VillageFigures>,
) -> Result<(), ServiceError> {
    use chrono::Datelike;
    use jingzhun_domain::standards::StandardKey;
    let today = crate::today_in_china();
    let cases = store
        .cases(&jingzhun_store::procedures::CaseQuery {
            within: Some(vec![*code]),
            in_progress: true,
            limit: 1000,
            ..Default::default()
        })
        .await?;
    for c in cases {
        let v = c.case.village;
        let days = standards
            .value(StandardKey::StepDeadlineDays, today.year(), &v)
            .and_then(|d| u32::try_from(d).ok())
            .unwrap_or(10);
        if !c.case.is_overdue(today, days) {
            continue;
        }
        village_entry(figures, v).overdue_procedures += 1;
    }
    for (v, plans, largest) in store.plan_groups(code).await? {
        let f = village_entry(figures, v);
        (f.plans, f.identical_plans) = (plans, largest);
    }
    Ok(())
}

fn village_entry(
    figures: &mut Vec<jingzhun_domain::warnings::VillageFigures>,
    v: AreaCode,
) -> &mut jingzhun_domain::warnings::VillageFigures {
    let i = match figures.iter().position(|f| f.village == v) {
        Some(i) => i,
        None => {
            figures.push(jingzhun_domain::warnings::VillageFigures::empty(v));
            figures.len() - 1
        }
    };
    &mut figures[i]
}

/// The early warnings of the villages within an area for an income year.
pub async fn warnings(
    store: &dyn Store,
    code: &AreaCode,
    year: i32,
) -> Result<Vec<(jingzhun_domain::warnings::Warning, String)>, ServiceError> {
    use jingzhun_domain::warnings::{WarningThresholds, village_warnings};
    let standards = crate::standards::in_force(store).await?;
    let Some(line) = standards.monitoring_line(year, code) else {
        return Ok(Vec::new());
    };
    let mut figures = store.village_figures(code, year, line * 100).await?;
    add_procedure_and_plan_figures(store, code, &standards, &mut figures).await?;
    // Complaints accumulating about a village (not yet closed, the village as their subject).
    for (v, n) in crate::complaints::open_by_village(store, code).await? {
        village_entry(&mut figures, v).open_complaints = n;
    }
    let mut out = Vec::new();
    for w in village_warnings(&figures, WarningThresholds::default()) {
        let name = store
            .area(&w.village)
            .await?
            .map_or_else(|| w.village.as_str().to_string(), |a| a.name);
        out.push((w, name));
    }
    Ok(out)
}
