//! Early warnings per village (domain.md §7, issue 5): poverty not falling or rising from last
//! year (不降反升, seed 001), exited households below the monitoring line that are not monitored,
//! leads piling up unverified, procedures past their deadlines, identical plans (seed 001
//! problem 7), and complaints accumulating about a village (domain.md §6: open complaints whose
//! subject is the village, from [`WarningThresholds::open_complaints`], 3 by default). Pure:
//! figures in, warnings out.

use serde::Serialize;

use crate::area::AreaCode;
use crate::vocab::{Vocabulary, vocabulary};

vocabulary! {
    /// What a warning is about.
    WarningKind {
        NotFalling = ("not_falling", "在册贫困人口不降反升", "Registered poor not falling"),
        UnmonitoredRisk = ("unmonitored_risk", "收入低于监测线的脱贫户未纳入监测", "Exited households below the monitoring line, not monitored"),
        LeadsAccumulating = ("leads_accumulating", "比对疑点积压未核实", "Leads piling up unverified"),
        ProceduresOverdue = ("procedures_overdue", "程序超期未办理", "Procedures past their deadlines"),
        IdenticalPlans = ("identical_plans", "帮扶措施雷同", "Identical plans"),
        ComplaintsAccumulating = ("complaints_accumulating", "信访举报集中", "Complaints accumulating"),
    }
}

/// What the warnings read of a village.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VillageFigures {
    pub village: AreaCode,
    /// Members of households registered and not exited at the end of the year (from the years
    /// of identification and exit; removed households are left out).
    pub registered_persons: i64,
    /// The same at the end of the year before.
    pub registered_persons_before: i64,
    /// Exited households whose per-capita income of the year is below the monitoring line.
    pub exited_below_monitoring: i64,
    pub open_leads: i64,
    /// Procedure cases whose next step is past its deadline.
    pub overdue_procedures: i64,
    /// Plans in the village, and the largest group of households sharing one plan.
    pub plans: i64,
    pub identical_plans: i64,
    /// Complaints about the village (its code as their subject area) not yet closed.
    pub open_complaints: i64,
}

impl VillageFigures {
    /// A village with nothing counted yet.
    pub fn empty(village: AreaCode) -> Self {
        VillageFigures {
            village,
            registered_persons: 0,
            registered_persons_before: 0,
            exited_below_monitoring: 0,
            open_leads: 0,
            overdue_procedures: 0,
            plans: 0,
            identical_plans: 0,
            open_complaints: 0,
        }
    }
}

/// Thresholds (data, not code: domain.md says every number is a default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WarningThresholds {
    /// Open leads in a village from which they count as piling up.
    pub open_leads: i64,
    /// Households sharing one plan from which (if at least half the village's plans) the plans
    /// count as identical.
    pub identical_plans: i64,
    /// Open complaints about one village from which they count as accumulating: three
    /// complaints about the same village not yet closed point at a problem there rather than at
    /// one grievance (a default, as every number here).
    pub open_complaints: i64,
}

/// The default of [`WarningThresholds::open_complaints`].
pub const OPEN_COMPLAINTS_THRESHOLD: i64 = 3;

impl Default for WarningThresholds {
    fn default() -> Self {
        WarningThresholds {
            open_leads: 10,
            identical_plans: 5,
            open_complaints: OPEN_COMPLAINTS_THRESHOLD,
        }
    }
}

/// A warning about a village, with the figure behind it (and the figure of the year before).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub village: AreaCode,
    pub kind: WarningKind,
    pub value: i64,
    pub before: Option<i64>,
}

/// The warnings of each village, village by village.
pub fn village_warnings(figures: &[VillageFigures], t: WarningThresholds) -> Vec<Warning> {
    let mut out = Vec::new();
    for f in figures {
        if f.registered_persons > 0 && f.registered_persons >= f.registered_persons_before {
            out.push(Warning {
                village: f.village,
                kind: WarningKind::NotFalling,
                value: f.registered_persons,
                before: Some(f.registered_persons_before),
            });
        }
        if f.exited_below_monitoring > 0 {
            out.push(Warning {
                village: f.village,
                kind: WarningKind::UnmonitoredRisk,
                value: f.exited_below_monitoring,
                before: None,
            });
        }
        if crate::plan::identical(f.identical_plans, f.plans, t.identical_plans) {
            out.push(Warning {
                village: f.village,
                kind: WarningKind::IdenticalPlans,
                value: f.identical_plans,
                before: Some(f.plans),
            });
        }
        if f.overdue_procedures > 0 {
            out.push(Warning {
                village: f.village,
                kind: WarningKind::ProceduresOverdue,
                value: f.overdue_procedures,
                before: None,
            });
        }
        if f.open_leads >= t.open_leads {
            out.push(Warning {
                village: f.village,
                kind: WarningKind::LeadsAccumulating,
                value: f.open_leads,
                before: None,
            });
        }
        if f.open_complaints > 0 && f.open_complaints >= t.open_complaints {
            out.push(Warning {
                village: f.village,
                kind: WarningKind::ComplaintsAccumulating,
                value: f.open_complaints,
                before: None,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fig(reg: i64, before: i64, below: i64, leads: i64) -> VillageFigures {
        VillageFigures {
            village: AreaCode::parse("510304100201").unwrap(),
            registered_persons: reg,
            registered_persons_before: before,
            exited_below_monitoring: below,
            open_leads: leads,
            ..VillageFigures::empty(AreaCode::parse("510304100201").unwrap())
        }
    }

    fn kinds(f: VillageFigures) -> Vec<WarningKind> {
        village_warnings(&[f], WarningThresholds::default())
            .into_iter()
            .map(|w| w.kind)
            .collect()
    }

    #[test]
    fn poverty_that_stays_or_rises_is_a_warning_and_falling_or_none_is_not() {
        assert_eq!(kinds(fig(30, 30, 0, 0)), vec![WarningKind::NotFalling]);
        assert_eq!(kinds(fig(31, 30, 0, 0)), vec![WarningKind::NotFalling]);
        assert!(kinds(fig(29, 30, 0, 0)).is_empty());
        assert!(
            kinds(fig(0, 0, 0, 0)).is_empty(),
            "no poor left is no warning"
        );
    }

    #[test]
    fn unmonitored_risk_and_leads_from_their_thresholds() {
        assert_eq!(kinds(fig(0, 5, 1, 0)), vec![WarningKind::UnmonitoredRisk]);
        assert!(kinds(fig(0, 5, 0, 9)).is_empty());
        assert_eq!(
            kinds(fig(0, 5, 0, 10)),
            vec![WarningKind::LeadsAccumulating]
        );
        let w = village_warnings(
            &[fig(0, 5, 0, 3)],
            WarningThresholds {
                open_leads: 3,
                ..WarningThresholds::default()
            },
        );
        assert_eq!((w[0].kind, w[0].value), (WarningKind::LeadsAccumulating, 3));
    }

    #[test]
    fn one_overdue_procedure_is_a_warning() {
        let mut f = fig(0, 5, 0, 0);
        assert!(kinds(f.clone()).is_empty());
        f.overdue_procedures = 1;
        assert_eq!(kinds(f), vec![WarningKind::ProceduresOverdue]);
    }

    #[test]
    fn many_households_with_one_plan_are_a_warning() {
        let mut f = fig(0, 5, 0, 0);
        (f.plans, f.identical_plans) = (12, 9);
        assert_eq!(kinds(f.clone()), vec![WarningKind::IdenticalPlans]);
        (f.plans, f.identical_plans) = (30, 9);
        assert!(
            kinds(f.clone()).is_empty(),
            "a third of the village is not a pattern"
        );
        (f.plans, f.identical_plans) = (4, 4);
        assert!(kinds(f).is_empty(), "four households are too few");
    }

    #[test]
    fn open_complaints_about_a_village_warn_from_their_threshold() {
        let mut f = fig(0, 5, 0, 0);
        f.open_complaints = 2;
        assert!(
            kinds(f.clone()).is_empty(),
            "two are below the default of three"
        );
        f.open_complaints = 3;
        assert_eq!(kinds(f.clone()), vec![WarningKind::ComplaintsAccumulating]);
        let w = village_warnings(
            &[f],
            WarningThresholds {
                open_complaints: 4,
                ..WarningThresholds::default()
            },
        );
        assert!(w.is_empty(), "the threshold is a parameter");
    }
}
