//! One plan per household (一户一策, domain.md §5): the needs (from the failing indicators and
//! the causes), the measures chosen from the batches of assistance, the responsible contact
//! and target dates; and the finding of seed 001 problem 7, identical plans across a village
//! (帮扶措施雷同).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::exit::{Evaluation, Indicator};
use crate::problem::Problem;
use crate::vocab::{Cause, Vocabulary, vocabulary};

vocabulary! {
    /// The batches of assistance (六个一批, with ecological compensation and asset income).
    MeasureKind {
        Industry = ("industry", "产业帮扶", "Industry"),
        Employment = ("employment", "就业帮扶", "Employment"),
        Education = ("education", "教育帮扶", "Education"),
        Relocation = ("relocation", "易地扶贫搬迁", "Relocation"),
        Health = ("health", "健康帮扶", "Health"),
        SocialAssistance = ("social_assistance", "低保兜底", "Social assistance"),
        Ecological = ("ecological", "生态补偿", "Ecological compensation"),
        AssetIncome = ("asset_income", "资产收益", "Asset income"),
    }
}

/// One measure of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measure {
    pub kind: MeasureKind,
    pub description: String,
    pub target: NaiveDate,
}

/// A household's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub measures: Vec<Measure>,
    /// The responsible contact (帮扶责任人).
    pub contact: String,
}

/// What a household needs: the indicators it fails, and its causes of poverty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Needs {
    pub indicators: Vec<Indicator>,
    pub causes: Vec<Cause>,
}

pub fn needs(evaluation: &Evaluation, causes: &[Cause]) -> Needs {
    Needs {
        indicators: evaluation.blocking().map(|r| r.indicator).collect(),
        causes: causes.to_vec(),
    }
}

/// The longest description and contact kept.
pub const TEXT_MAX: usize = 500;
/// At most this many measures in a plan.
pub const MEASURES_MAX: usize = 12;

/// One measure as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MeasureInput {
    pub kind: String,
    pub description: String,
    pub target: String,
}

fn text(t: &str, field: &'static str, problems: &mut Vec<(String, Problem)>) -> String {
    let t = t.trim();
    if t.is_empty() {
        problems.push((field.into(), Problem::Required));
    } else if t.chars().count() > TEXT_MAX {
        problems.push((field.into(), Problem::TooLong { max: TEXT_MAX }));
    } else if t.chars().any(char::is_control) {
        problems.push((field.into(), Problem::ControlCharacter));
    }
    t.to_string()
}

/// Checks a plan field by field; target dates may not be before `today` (a plan is not written
/// backwards). Rows with every field empty are skipped.
pub fn parse_plan(
    measures: &[MeasureInput],
    contact: &str,
    today: NaiveDate,
) -> Result<Plan, Vec<(String, Problem)>> {
    let mut problems = Vec::new();
    let contact = text(contact, "contact", &mut problems);
    let rows: Vec<&MeasureInput> = measures
        .iter()
        .filter(|m| {
            !(m.kind.trim().is_empty()
                && m.description.trim().is_empty()
                && m.target.trim().is_empty())
        })
        .collect();
    if rows.is_empty() {
        problems.push(("measures".into(), Problem::Required));
    }
    if rows.len() > MEASURES_MAX {
        problems.push((
            "measures".into(),
            Problem::OutOfRange {
                min: "1".into(),
                max: MEASURES_MAX.to_string(),
            },
        ));
    }
    let mut out = Vec::new();
    for (i, m) in rows.iter().enumerate() {
        let at = |f: &str| format!("measures[{i}].{f}");
        let kind = MeasureKind::parse(&m.kind)
            .map_err(|p| problems.push((at("kind"), p)))
            .ok();
        let mut local = Vec::new();
        let description = text(&m.description, "description", &mut local);
        problems.extend(local.into_iter().map(|(_, p)| (at("description"), p)));
        let target = match NaiveDate::parse_from_str(m.target.trim(), "%Y-%m-%d") {
            Ok(d) if d < today => {
                problems.push((
                    at("target"),
                    Problem::OutOfRange {
                        min: today.to_string(),
                        max: "—".into(),
                    },
                ));
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                problems.push((at("target"), Problem::NotDate));
                None
            }
        };
        if let (Some(kind), Some(target)) = (kind, target) {
            out.push(Measure {
                kind,
                description,
                target,
            });
        }
    }
    if problems.is_empty() {
        Ok(Plan {
            measures: out,
            contact,
        })
    } else {
        Err(problems)
    }
}

/// What makes two plans "the same" for the finding: the same kinds of measure with the same
/// wording (spaces and order ignored). Target dates and the contact do not make a plan differ.
pub fn signature(plan: &Plan) -> String {
    let mut parts: Vec<String> = plan
        .measures
        .iter()
        .map(|m| {
            let words: String = m
                .description
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            format!("{}:{words}", m.kind.code())
        })
        .collect();
    parts.sort();
    parts.dedup();
    parts.join("|")
}

/// Whether a village's plans are identical enough to be a finding: the largest group of
/// households sharing one signature has at least `min_households` and is at least half of the
/// village's plans.
pub fn identical(largest_group: i64, plans: i64, min_households: i64) -> bool {
    largest_group >= min_households && largest_group * 2 >= plans
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn m(kind: &str, d: &str, t: &str) -> MeasureInput {
        MeasureInput {
            kind: kind.into(),
            description: d.into(),
            target: t.into(),
        }
    }

    #[test]
    fn a_plan_is_checked_field_by_field_and_empty_rows_are_skipped() {
        let today = day("2026-03-01");
        let ok = parse_plan(
            &[m("产业帮扶", "养殖生猪 10 头", "2026-12-31"), m("", "", "")],
            "张三（驻村工作队）",
            today,
        )
        .unwrap();
        assert_eq!(ok.measures.len(), 1);
        assert_eq!(ok.measures[0].kind, MeasureKind::Industry);
        let bad = parse_plan(
            &[m("种地", "x", "2026-12-31"), m("health", "", "2025-01-01")],
            " ",
            today,
        )
        .unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            [
                "contact",
                "measures[0].kind",
                "measures[1].description",
                "measures[1].target"
            ]
        );
        assert!(
            parse_plan(&[], "张三", today).is_err(),
            "a plan has a measure"
        );
    }

    #[test]
    fn plans_with_the_same_measures_in_another_order_or_spacing_are_the_same() {
        let today = day("2026-03-01");
        let a = parse_plan(
            &[
                m("industry", "发放鸡苗", "2026-06-01"),
                m("employment", "公益岗位", "2026-09-01"),
            ],
            "甲",
            today,
        )
        .unwrap();
        let b = parse_plan(
            &[
                m("就业帮扶", "公益 岗位", "2026-10-01"),
                m("产业帮扶", "发放鸡苗", "2026-07-01"),
            ],
            "乙",
            today,
        )
        .unwrap();
        let c = parse_plan(&[m("industry", "发放羊苗", "2026-06-01")], "甲", today).unwrap();
        assert_eq!(signature(&a), signature(&b));
        assert_ne!(signature(&a), signature(&c));
    }

    #[test]
    fn identical_plans_need_a_large_group_and_most_of_the_village() {
        assert!(identical(10, 12, 5));
        assert!(identical(5, 10, 5));
        assert!(!identical(4, 4, 5), "too few to be a pattern");
        assert!(!identical(6, 13, 5), "less than half of the plans");
    }

    proptest! {
        #[test]
        fn parsing_never_panics(kind in "\\PC{0,8}", d in "\\PC{0,20}", t in "\\PC{0,12}", c in "\\PC{0,10}") {
            let _ = parse_plan(&[m(&kind, &d, &t)], &c, day("2026-01-01"));
        }
    }
}
