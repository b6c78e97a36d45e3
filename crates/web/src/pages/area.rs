//! The dashboard of the account's area and the drill-down from province to village: counts
//! by status, poverty incidence per child area in colour, causes, and the gaps in the "three
//! guarantees", each number a link to the households behind it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use jingzhun_domain::area::{AreaCode, AreaLevel};
use jingzhun_domain::vocab::{HouseholdStatus, Vocabulary};
use jingzhun_domain::warnings::WarningKind;
use jingzhun_service::dashboard::{Dashboard, dashboard};
use jingzhun_service::today_in_china;
use jingzhun_store::Store;
use maud::{Markup, html};
use serde::Deserialize;

use super::{Ctx, PageError, layout};
use crate::AppState;
use crate::error::WebError;
use crate::i18n::Lang;

/// An area and the year asked for (`None`: the year its figures choose).
type DashboardKey = (AreaCode, Option<i32>);

/// Dashboards by area, kept while the audit log's head stays where it was: every change to
/// the data appends an audit entry, so a moved head means the figures may have changed.
#[derive(Default)]
pub struct DashboardCache {
    done: std::sync::Mutex<HashMap<DashboardKey, (i64, Arc<Dashboard>)>>,
    /// Held while computing: under load, the first request computes and the others wait for
    /// its result instead of repeating it.
    computing: tokio::sync::Mutex<()>,
}

impl DashboardCache {
    const MAX_AREAS: usize = 2000;

    fn cached(&self, key: &DashboardKey, version: i64) -> Option<Arc<Dashboard>> {
        let done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        done.get(key)
            .filter(|(v, _)| *v == version)
            .map(|(_, d)| d.clone())
    }

    /// The dashboard of an area for a year (`None`: the year the figures choose).
    pub async fn get(
        &self,
        store: &dyn Store,
        code: &AreaCode,
        year: Option<i32>,
    ) -> Result<Arc<Dashboard>, PageError> {
        let key = (*code, year);
        let (version, _) = store.audit_head().await?;
        if let Some(d) = self.cached(&key, version) {
            return Ok(d);
        }
        let _computing = self.computing.lock().await;
        if let Some(d) = self.cached(&key, version) {
            return Ok(d);
        }
        let d = Arc::new(dashboard(store, code, year).await?);
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        if done.len() >= Self::MAX_AREAS {
            done.clear();
        }
        done.insert(key, (version, d.clone()));
        Ok(d)
    }
}

#[derive(Deserialize)]
pub struct AreaParam {
    area: Option<String>,
    year: Option<i32>,
}

/// The dashboard: of `?area=`, or of the account's (first) area.
pub async fn dashboard_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<AreaParam>,
) -> Result<Markup, PageError> {
    let code = match p.area.as_deref() {
        Some(a) => AreaCode::parse_short(a).map_err(|_| WebError::NotFound)?,
        None => ctx
            .user
            .account
            .active(today_in_china())
            .map(|a| a.area)
            .min()
            .ok_or(WebError::NotFound)?,
    };
    render(&state, &ctx, code, p.year).await
}

pub async fn area_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(p): Query<crate::figures::YearParam>,
) -> Result<Markup, PageError> {
    let code = AreaCode::parse_short(&code).map_err(|_| WebError::NotFound)?;
    render(&state, &ctx, code, p.year).await
}

/// Colour class of an incidence: below 1 %, below 3 % (the exit threshold of a county in the
/// west), below 10 %, and above.
fn incidence_class(p: Option<f64>) -> &'static str {
    match p {
        None => "inc inc-na",
        Some(p) if p < 1.0 => "inc inc-0",
        Some(p) if p < 3.0 => "inc inc-1",
        Some(p) if p < 10.0 => "inc inc-2",
        Some(_) => "inc inc-3",
    }
}

fn incidence_colour(p: Option<f64>) -> &'static str {
    match p {
        None => "#bcccdc",
        Some(p) if p < 1.0 => "#3f9c5a",
        Some(p) if p < 3.0 => "#e0b400",
        Some(p) if p < 10.0 => "#e07b00",
        Some(_) => "#c0392b",
    }
}

fn list_link(area: &AreaCode, extra: &str) -> String {
    format!("/households?area={}{extra}", area.prefix())
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    code: AreaCode,
    year: Option<i32>,
) -> Result<Markup, PageError> {
    let today = today_in_china();
    if !ctx.user.account.may_reach(&code, today) {
        return Err(WebError::NotFound.into());
    }
    let year = crate::figures::checked_year(year)?;
    let store = state.store.as_ref();
    let d = state.dashboards.get(store, &code, year).await?;
    let l = ctx.lang;
    let s = &d.summary;
    // Breadcrumbs: the ancestors the account reaches are links, the others plain names.
    let crumbs: Vec<_> = d
        .ancestors
        .iter()
        .map(|a| (a.code, &a.name, ctx.user.account.may_reach(&a.code, today)))
        .collect();
    let level = s.area.code.level();
    let is_village = level == AreaLevel::Village;
    let reg = HouseholdStatus::Registered;
    let title = s.area.name.clone();
    let year = s
        .year()
        .map(|y| y.to_string())
        .unwrap_or_else(|| "—".into());
    let causes_chart = serde_json::json!({
        "kind": "bar",
        "labels": d.profile.causes.iter().map(|(c, _)| c.map_or(l.t("未填", "Not recorded"), |c| l.v(c))).collect::<Vec<_>>(),
        "values": d.profile.causes.iter().map(|(_, n)| n).collect::<Vec<_>>(),
        "links": d.profile.causes.iter().map(|(c, _)| c.map(|c| list_link(&code, &format!("&cause={}", c.code())))).collect::<Vec<_>>(),
        "unit": l.t("户", "households"),
    });
    let incidence_chart = serde_json::json!({
        "kind": "bar",
        "labels": s.children.iter().map(|c| c.area.name.as_str()).collect::<Vec<_>>(),
        "values": s.children.iter().map(|c| c.incidence.map(|p| (p * 100.0).round() / 100.0)).collect::<Vec<_>>(),
        "colors": s.children.iter().map(|c| incidence_colour(c.incidence)).collect::<Vec<_>>(),
        "links": s.children.iter().map(|c| format!("/areas/{}", c.area.code.prefix())).collect::<Vec<_>>(),
        "unit": "%",
    });
    Ok(layout(
        ctx,
        &title,
        true,
        html! {
            nav.crumbs {
                @for (a, name, reach) in &crumbs {
                    @if *reach { a href={ "/areas/" (a.prefix()) } { (name) } } @else { span { (name) } }
                }
            }
            h1 { (title) " " small.muted { (if l == Lang::Zh { level.zh() } else { level.en() }) " · " (year) (l.t(" 年度数据", " figures")) } }
            (year_switch(ctx, &format!("/areas/{}", code.prefix()), s.figures_year.as_ref()))
            div.cards {
                div.card { a href=(list_link(&code, "&status=registered")) { span.n { (l.int(s.total.households(reg))) } }
                    span.l { (l.t("在册未脱贫户", "Registered households")) } }
                div.card { span.n { (l.int(s.total.persons(reg))) } span.l { (l.t("在册未脱贫人口", "Registered persons")) } }
                div.card { span class={ "n " (incidence_class(s.total_incidence)) } { (l.percent(s.total_incidence)) }
                    span.l { (l.t("贫困发生率", "Poverty incidence")) } }
                div.card { a href=(list_link(&code, "&status=monitored")) { span.n { (l.int(s.total.households(HouseholdStatus::Monitored))) } }
                    span.l { (l.t("监测对象户", "Monitored households")) } }
            }
            div.grid2 {
                section.panel {
                    h2 { (l.t("按状态", "By status")) }
                    div.scroll { table #status-table {
                        tr { th { (l.t("状态", "Status")) } th.num { (l.t("户数", "Households")) } th.num { (l.t("人数", "Persons")) } }
                        @for st in HouseholdStatus::ALL {
                            tr {
                                td { (l.v(*st)) }
                                td.num { a href=(list_link(&code, &format!("&status={}", st.code()))) { (l.int(s.total.households(*st))) } }
                                td.num { (l.int(s.total.persons(*st))) }
                            }
                        }
                    } }
                }
                section.panel #gaps {
                    h2 { (l.t("“三保障”和饮水安全缺口（有效户）", "Gaps in the three guarantees and water (active households)")) }
                    div.cards {
                        @for (gap, n) in &d.profile.gaps {
                            div.card.warn[*n > 0] {
                                a href=(list_link(&code, &format!("&gap={}", gap.code()))) { span.n { (l.int(*n)) } }
                                span.l { (l.v(*gap)) }
                            }
                        }
                    }
                }
            }
            div.grid2 {
                section.panel {
                    h2 { (l.t("致贫原因（有效户，主要原因）", "Causes of poverty (active households, primary cause)")) }
                    div #cause-chart .chart data-chart=(causes_chart.to_string()) role="img"
                        aria-label=(l.t("致贫原因图", "Chart of causes")) {}
                    details { summary { (l.t("数据表", "Data table")) }
                        table #cause-table { @for (c, n) in &d.profile.causes { tr {
                            td { (c.map_or(l.t("未填", "Not recorded"), |c| l.v(c))) }
                            td.num { @if let Some(c) = c { a href=(list_link(&code, &format!("&cause={}", c.code()))) { (l.int(*n)) } } @else { (l.int(*n)) } }
                        } } }
                    }
                }
                @if !is_village {
                    section.panel {
                        h2 { (l.t("下级贫困发生率", "Poverty incidence of the areas below")) }
                        div #incidence-chart .chart data-chart=(incidence_chart.to_string()) role="img"
                            aria-label=(l.t("贫困发生率图", "Chart of incidence")) {}
                        p.legend {
                            span.inc.inc-0 { "< 1%" } span.inc.inc-1 { "1–3%" } span.inc.inc-2 { "3–10%" } span.inc.inc-3 { "≥ 10%" }
                        }
                    }
                }
            }
            section.panel #warnings {
                h2 { (l.t("预警", "Early warnings")) " " small.muted { (l.int(d.warnings.len() as i64)) } }
                @if d.warnings.len() > WARNINGS_SHOWN {
                    // A province or city has thousands: the counts by kind, and the first rows;
                    // each lower area's page lists its own whole.
                    p #warnings-by-kind {
                        @for (kind, n) in &warning_counts(&d.warnings) {
                            span.badge.warn { (l.v(*kind)) " " (l.int(*n)) } " "
                        }
                    }
                    p.muted #warnings-cut {
                        (l.t("以下仅列前 ", "Only the first ")) (WARNINGS_SHOWN)
                        (l.t(" 条；其余请进入下级地区查看。", " are listed; open a lower area for the rest."))
                    }
                }
                @if d.warnings.is_empty() {
                    p.muted { (l.t("本地区各村暂无预警。", "No warnings for the villages of this area.")) }
                } @else {
                    div.scroll { table #warnings-table {
                        tr { th { (l.t("村", "Village")) } th { (l.t("预警", "Warning")) } th.num { (l.t("数值", "Figure")) } }
                        @for (w, name) in d.warnings.iter().take(WARNINGS_SHOWN) {
                            tr.warn {
                                td { a href={ "/areas/" (w.village.prefix()) } { (name) } }
                                td { (l.v(w.kind)) }
                                td.num {
                                    @match w.kind {
                                        WarningKind::NotFalling => { (l.int(w.before.unwrap_or(0))) " → " a href=(list_link(&w.village, "&status=registered")) { (l.int(w.value)) } " " (l.t("人", "persons")) }
                                        WarningKind::UnmonitoredRisk => { a href=(list_link(&w.village, "&status=exited&sort=income")) { (l.int(w.value)) } " " (l.t("户", "households")) }
                                        WarningKind::LeadsAccumulating => { a href="/leads?state=open" { (l.int(w.value)) } " " (l.t("条", "leads")) }
                                        WarningKind::ProceduresOverdue => { a href="/procedures" { (l.int(w.value)) } " " (l.t("件", "cases")) }
                                        WarningKind::IdenticalPlans => { (l.int(w.value)) " / " (l.int(w.before.unwrap_or(0))) " " (l.t("户计划相同", "households share one plan")) }
                                        WarningKind::ComplaintsAccumulating => { a href="/complaints?open=true" { (l.int(w.value)) } " " (l.t("件未办结", "complaints open")) }
                                    }
                                }
                            }
                        }
                    } }
                }
            }
            @if is_village {
                p { a #village-households .button href=(list_link(&code, "")) { (l.t("查看本村户档", "Households of this village")) } }
            } @else {
                section.panel {
                    h2 { (l.t("下级地区", "Areas below")) " " a href=(list_link(&code, "")) { small { (l.t("（全部户档）", "(all households)")) } } }
                    div.scroll { table #children-table {
                        tr {
                            th { (l.t("地区", "Area")) }
                            th.num { (l.t("在册户", "Registered hh")) } th.num { (l.t("在册人口", "Registered persons")) }
                            th.num { (l.t("已脱贫户", "Exited hh")) } th.num { (l.t("监测户", "Monitored hh")) }
                            th.num { (l.t("农村人口", "Rural population")) } th.num { (l.t("贫困发生率", "Incidence")) }
                        }
                        @for c in &s.children {
                            tr {
                                td { a.area-link href={ "/areas/" (c.area.code.prefix()) } { (c.area.name) } }
                                td.num { a href=(list_link(&c.area.code, "&status=registered")) { (l.int(c.counts.households(reg))) } }
                                td.num { (l.int(c.counts.persons(reg))) }
                                td.num { a href=(list_link(&c.area.code, "&status=exited")) { (l.int(c.counts.households(HouseholdStatus::Exited))) } }
                                td.num { a href=(list_link(&c.area.code, "&status=monitored")) { (l.int(c.counts.households(HouseholdStatus::Monitored))) } }
                                td.num { (c.rural_population.map_or_else(|| "—".to_string(), |p| l.int(p))) }
                                td.num { span class=(incidence_class(c.incidence)) { (l.percent(c.incidence)) } }
                            }
                        }
                    } }
                }
            }
        },
    ))
}

/// The year of the figures, the years one may switch to (links keeping the page), and what
/// the year lacks, said in words ("2025 年无农村人口数据") rather than left as a blank chart.
pub fn year_switch(
    ctx: &Ctx,
    path: &str,
    y: Option<&jingzhun_domain::summary::FiguresYear>,
) -> Markup {
    let l = ctx.lang;
    let Some(y) = y else {
        return html! { p.notice #figures-year { (l.t("尚无可统计的年度数据（无农村人口、扶贫标准或户档）。", "No year to show yet: no rural population, poverty line or households.")) } };
    };
    html! {
        nav.years #figures-year aria-label=(l.t("数据年度", "Year of the figures")) {
            span.muted { (l.t("数据年度：", "Year: ")) }
            @for other in &y.years {
                @if *other == y.year {
                    strong aria-current="true" { (other) }
                } @else {
                    a href={ (path) (if path.contains('?') { "year=" } else { "?year=" }) (other) } { (other) }
                }
                " "
            }
        }
        @for m in &y.missing {
            p.notice.missing-data { (if l == Lang::Zh { m.zh(y.year) } else { m.en(y.year) }) }
        }
    }
}

/// Rows of the warnings table on one page: beyond them, counts by kind and the lower areas.
const WARNINGS_SHOWN: usize = 200;

/// How many warnings of each kind, in the vocabulary's order.
fn warning_counts(
    warnings: &[(jingzhun_domain::warnings::Warning, String)],
) -> Vec<(WarningKind, i64)> {
    WarningKind::ALL
        .iter()
        .map(|k| {
            (
                *k,
                warnings.iter().filter(|(w, _)| w.kind == *k).count() as i64,
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incidence_colours_follow_the_thresholds() {
        assert_eq!(incidence_class(None), "inc inc-na");
        assert_eq!(incidence_class(Some(0.99)), "inc inc-0");
        assert_eq!(incidence_class(Some(1.0)), "inc inc-1");
        assert_eq!(incidence_class(Some(2.99)), "inc inc-1");
        assert_eq!(incidence_class(Some(3.0)), "inc inc-2");
        assert_eq!(incidence_class(Some(10.0)), "inc inc-3");
    }

    use jingzhun_domain::warnings::Warning;

    #[test]
    fn warnings_are_counted_by_kind_in_the_vocabulary_order_without_empty_kinds() {
        let village = AreaCode::parse("510304100201").unwrap();
        let w = |kind| {
            (
                Warning {
                    village,
                    kind,
                    value: 1,
                    before: None,
                },
                "村".to_string(),
            )
        };
        let warnings = vec![
            w(WarningKind::IdenticalPlans),
            w(WarningKind::NotFalling),
            w(WarningKind::IdenticalPlans),
        ];
        assert_eq!(
            warning_counts(&warnings),
            vec![
                (WarningKind::NotFalling, 1),
                (WarningKind::IdenticalPlans, 2)
            ]
        );
        assert!(warning_counts(&[]).is_empty());
    }
}
