//! The figures of an area as the API sends them: every count named by its status, the year of
//! the figures with what it lacks, each shape described in the OpenAPI document.

use jingzhun_domain::summary::{ByStatus, FiguresYear, StatusCounts};
use jingzhun_service::summary::{AreaSummary, ChildSummary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// `?year=`: the year of the figures (default: the latest year with rural populations and a
/// poverty line for the area).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParam {
    /// Four digits.
    pub year: Option<i32>,
}

/// One number per household status.
#[derive(Debug, Serialize, ToSchema)]
pub struct ByStatusBody {
    /// 申请中
    pub applicant: i64,
    /// 在册未脱贫
    pub registered: i64,
    /// 已脱贫
    pub exited: i64,
    /// 监测对象
    pub monitored: i64,
    /// 已清退
    pub removed: i64,
}

impl From<&ByStatus> for ByStatusBody {
    fn from(b: &ByStatus) -> Self {
        ByStatusBody {
            applicant: b.applicant,
            registered: b.registered,
            exited: b.exited,
            monitored: b.monitored,
            removed: b.removed,
        }
    }
}

/// Households and persons by status.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountsBody {
    pub households: ByStatusBody,
    pub persons: ByStatusBody,
}

impl From<&StatusCounts> for CountsBody {
    fn from(c: &StatusCounts) -> Self {
        CountsBody {
            households: (&c.households).into(),
            persons: (&c.persons).into(),
        }
    }
}

/// An area.
#[derive(Debug, Serialize, ToSchema)]
pub struct AreaBody {
    /// 12 digits.
    pub code: String,
    pub name: String,
    /// province, city, county, township or village.
    pub level: String,
    pub parent: Option<String>,
}

impl From<&jingzhun_domain::area::Area> for AreaBody {
    fn from(a: &jingzhun_domain::area::Area) -> Self {
        AreaBody {
            code: a.code.as_str().to_string(),
            name: a.name.clone(),
            level: serde_json::to_value(a.level)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            parent: a.parent.map(|p| p.as_str().to_string()),
        }
    }
}

/// Something the year of the figures lacks.
#[derive(Debug, Serialize, ToSchema)]
pub struct MissingBody {
    /// `rural_population` or `poverty_line`.
    pub code: String,
    /// "2025 年无农村人口数据".
    pub zh: String,
    pub en: String,
}

/// The year of the figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct YearBody {
    pub year: i32,
    /// Whether it was asked for with `?year=`.
    pub requested: bool,
    /// What the year lacks; empty when its figures can be judged.
    pub missing: Vec<MissingBody>,
    /// Years with populations or a poverty line, newest first.
    pub years: Vec<i32>,
    /// Years with both, newest first.
    pub judgeable: Vec<i32>,
}

impl From<&FiguresYear> for YearBody {
    fn from(y: &FiguresYear) -> Self {
        YearBody {
            year: y.year,
            requested: y.requested,
            missing: y
                .missing
                .iter()
                .map(|m| MissingBody {
                    code: serde_json::to_value(m)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    zh: m.zh(y.year),
                    en: m.en(y.year),
                })
                .collect(),
            years: y.years.clone(),
            judgeable: y.judgeable.clone(),
        }
    }
}

/// A child area's line.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChildBody {
    pub area: AreaBody,
    pub counts: CountsBody,
    /// Rural population of the year of the figures; absent when not known.
    pub rural_population: Option<i64>,
    /// Poverty incidence in per cent (registered persons / rural population).
    pub incidence: Option<f64>,
}

impl From<&ChildSummary> for ChildBody {
    fn from(c: &ChildSummary) -> Self {
        ChildBody {
            area: (&c.area).into(),
            counts: (&c.counts).into(),
            rural_population: c.rural_population,
            incidence: c.incidence,
        }
    }
}

/// An area's own figures and one line per child area.
#[derive(Debug, Serialize, ToSchema)]
pub struct AreaReply {
    pub area: AreaBody,
    /// The year of the figures (the same as `figures_year.year`).
    pub year: Option<i32>,
    pub figures_year: Option<YearBody>,
    /// The area's own counts (a village's too).
    pub total: CountsBody,
    pub total_population: Option<i64>,
    pub total_incidence: Option<f64>,
    pub children: Vec<ChildBody>,
}

impl From<&AreaSummary> for AreaReply {
    fn from(s: &AreaSummary) -> Self {
        AreaReply {
            area: (&s.area).into(),
            year: s.year(),
            figures_year: s.figures_year.as_ref().map(Into::into),
            total: (&s.total).into(),
            total_population: s.total_population,
            total_incidence: s.total_incidence,
            children: s.children.iter().map(Into::into).collect(),
        }
    }
}

/// A year of figures as asked for: four digits, between 2000 and 2100.
pub fn checked_year(year: Option<i32>) -> Result<Option<i32>, crate::error::WebError> {
    match year {
        Some(y) if !(2000..=2100).contains(&y) => Err(crate::error::WebError::BadRequest(format!(
            "year {y}: not a year of the registry (2000-2100) / 年度 {y} 不在 2000-2100 之间"
        ))),
        y => Ok(y),
    }
}
