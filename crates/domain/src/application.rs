//! An application (申请) of a household that the registry does not hold yet: what the village
//! clerk enters when a household applies or cadres find it (domain.md §5, identification's
//! first step), before the identification or a monitoring entry runs. The platform gives the
//! household its number, its status (`applicant`, 申请中) and the year; the clerk gives the rest
//! of the household's fields and its members, checked like an imported row.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use crate::problem::Problem;
use crate::registry::{
    FieldProblems, Household, HouseholdField, HouseholdId, Person, PersonField, parse_household,
    parse_person,
};
use crate::vocab::{HouseholdStatus, Relation};

/// At most this many members on one application.
pub const MEMBERS_MAX: usize = 30;

/// A household with its members, ready to be written with the status `applicant`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub household: Household,
    pub members: Vec<Person>,
}

/// What is wrong with an application: the household's fields, a member's (by position, from
/// 1), or the members as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplicationProblem {
    Household(HouseholdField, Problem),
    Member(usize, PersonField, Problem),
    /// The members as a whole (none at all, too many, not exactly one head).
    Members(Problem),
}

/// Fields the platform fills in, never the form: the number, status and years.
fn platform_field(f: HouseholdField) -> bool {
    matches!(
        f,
        HouseholdField::HouseholdId
            | HouseholdField::Status
            | HouseholdField::IdentifiedYear
            | HouseholdField::ExitYear
            | HouseholdField::RemovalReason
    )
}

/// The text of each field a form filled in (a field left out or empty is absent).
pub type Fields<F> = HashMap<F, String>;

/// Reads an application: the form's household fields and each member's; the number is `id`.
/// Every problem is reported, not just the first.
pub fn parse(
    id: &HouseholdId,
    household: &Fields<HouseholdField>,
    members: &[Fields<PersonField>],
    today: NaiveDate,
) -> Result<Application, Vec<ApplicationProblem>> {
    let year = today.year().to_string();
    let fill = |f: HouseholdField| -> Option<&str> {
        match f {
            HouseholdField::HouseholdId => Some(id.as_str()),
            // The row reader refuses `applicant` from files; the status is set below.
            HouseholdField::Status => Some("registered"),
            HouseholdField::IdentifiedYear => Some(year.as_str()),
            f if platform_field(f) => None,
            f => household.get(&f).map(String::as_str),
        }
    };
    let mut problems = Vec::new();
    let parsed = parse_household(&fill, today);
    let household = match parsed {
        Ok(mut h) => {
            h.status = HouseholdStatus::Applicant;
            Some(h)
        }
        Err(ps) => {
            problems.extend(
                ps.into_iter()
                    .map(|(f, p)| ApplicationProblem::Household(f, p)),
            );
            None
        }
    };
    if members.is_empty() {
        problems.push(ApplicationProblem::Members(Problem::NoMembers));
    }
    if members.len() > MEMBERS_MAX {
        problems.push(ApplicationProblem::Members(Problem::TooManyMembers {
            max: MEMBERS_MAX,
        }));
    }
    let mut people: Vec<Person> = Vec::new();
    // The member (from 1) each of `people` was read from.
    let mut lines: Vec<usize> = Vec::new();
    for (i, fields) in members.iter().enumerate() {
        let with_id = |f: PersonField| -> Option<&str> {
            match f {
                PersonField::HouseholdId => Some(id.as_str()),
                f => fields.get(&f).map(String::as_str),
            }
        };
        let r: Result<Person, FieldProblems<PersonField>> = parse_person(&with_id, today);
        match r {
            Ok(p) => {
                if let Some(first) = people.iter().position(|q| q.id_number == p.id_number) {
                    problems.push(ApplicationProblem::Member(
                        i + 1,
                        PersonField::IdNumber,
                        Problem::DuplicateMember {
                            first_line: lines[first] as u64,
                        },
                    ));
                } else {
                    people.push(p);
                    lines.push(i + 1);
                }
            }
            Err(ps) => problems.extend(
                ps.into_iter()
                    .map(|(f, p)| ApplicationProblem::Member(i + 1, f, p)),
            ),
        }
    }
    let heads = people
        .iter()
        .filter(|p| p.relation == Relation::Head)
        .count();
    if !people.is_empty() && heads != 1 {
        problems.push(ApplicationProblem::Members(Problem::HeadCount {
            found: heads,
        }));
    }
    match household {
        Some(household) if problems.is_empty() => Ok(Application {
            household,
            members: people,
        }),
        _ => Err(problems),
    }
}

/// The number the platform gives the `n`-th application of a village on a day:
/// `{village}-{YYYYMMDD}-{n}` (letters, digits and `-`, as every household number).
pub fn number(
    village: &crate::area::AreaCode,
    today: NaiveDate,
    n: u32,
) -> Result<HouseholdId, Problem> {
    HouseholdId::parse(&format!(
        "{}-{}-{n}",
        village.as_str(),
        today.format("%Y%m%d")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::area::AreaCode;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn household_fields() -> HashMap<HouseholdField, &'static str> {
        use HouseholdField as F;
        HashMap::from([
            (F::VillageCode, "510304100201"),
            (F::HousingSafe, "否"),
            (F::WaterSafe, "是"),
            (F::AnnualNetIncome, "6000"),
            (F::IncomeYear, "2026"),
            (F::PrimaryCause, "因病"),
        ])
    }

    fn head() -> HashMap<PersonField, &'static str> {
        use PersonField as F;
        HashMap::from([
            (F::IdNumber, "510304198801280398"),
            (F::Name, "张三"),
            (F::Relation, "户主"),
            (F::Gender, "男"),
            (F::BirthDate, "1988-01-28"),
        ])
    }

    fn owned<F: Copy + std::hash::Hash + Eq>(m: &HashMap<F, &str>) -> Fields<F> {
        m.iter().map(|(k, v)| (*k, v.to_string())).collect()
    }

    fn run(
        h: &HashMap<HouseholdField, &'static str>,
        ms: &[HashMap<PersonField, &'static str>],
    ) -> Result<Application, Vec<ApplicationProblem>> {
        let id = HouseholdId::parse("510304100201-20261123-1").unwrap();
        let members: Vec<Fields<PersonField>> = ms.iter().map(owned).collect();
        parse(&id, &owned(h), &members, today())
    }

    #[test]
    fn an_application_becomes_an_applicant_household_of_this_year_with_its_members() {
        let a = run(&household_fields(), &[head()]).unwrap();
        assert_eq!(a.household.status, HouseholdStatus::Applicant);
        assert_eq!(a.household.identified_year, 2026);
        assert_eq!(a.household.exit_year, None);
        assert_eq!(a.household.household_id.as_str(), "510304100201-20261123-1");
        assert_eq!(a.members.len(), 1);
        assert_eq!(a.members[0].household_id, a.household.household_id);
    }

    #[test]
    fn the_form_cannot_set_the_number_status_or_years() {
        let mut h = household_fields();
        h.insert(HouseholdField::HouseholdId, "X1");
        h.insert(HouseholdField::Status, "exited");
        h.insert(HouseholdField::ExitYear, "2020");
        h.insert(HouseholdField::IdentifiedYear, "2014");
        let a = run(&h, &[head()]).unwrap();
        assert_eq!(a.household.household_id.as_str(), "510304100201-20261123-1");
        assert_eq!(a.household.status, HouseholdStatus::Applicant);
        assert_eq!(
            (a.household.identified_year, a.household.exit_year),
            (2026, None)
        );
    }

    #[test]
    fn every_problem_is_reported_with_its_place() {
        let mut h = household_fields();
        h.remove(&HouseholdField::HousingSafe);
        let mut bad = head();
        bad.insert(PersonField::IdNumber, "51030419880128039X");
        let mut child = head();
        child.insert(PersonField::Relation, "子女");
        let errs = run(&h, &[bad, child.clone(), child]).unwrap_err();
        assert!(errs.contains(&ApplicationProblem::Household(
            HouseholdField::HousingSafe,
            Problem::Required
        )));
        assert!(errs.iter().any(|e| matches!(
            e,
            ApplicationProblem::Member(1, PersonField::IdNumber, Problem::IdCheckCharacter { .. })
        )));
        assert!(errs.contains(&ApplicationProblem::Member(
            3,
            PersonField::IdNumber,
            Problem::DuplicateMember { first_line: 2 }
        )));
        assert!(
            errs.contains(&ApplicationProblem::Members(Problem::HeadCount {
                found: 0
            })),
            "no head among the valid members: {errs:?}"
        );
    }

    #[test]
    fn an_application_needs_members_and_exactly_one_head() {
        let errs = run(&household_fields(), &[]).unwrap_err();
        assert_eq!(errs, vec![ApplicationProblem::Members(Problem::NoMembers)]);
        let mut second = head();
        second.insert(PersonField::IdNumber, "51030419900101001X");
        second.insert(PersonField::BirthDate, "1990-01-01");
        let errs = run(&household_fields(), &[head(), second]).unwrap_err();
        assert_eq!(
            errs,
            vec![ApplicationProblem::Members(Problem::HeadCount { found: 2 })]
        );
    }

    #[test]
    fn numbers_are_valid_household_numbers() {
        let v = AreaCode::parse("510304100201").unwrap();
        assert_eq!(
            number(&v, today(), 12).unwrap().as_str(),
            "510304100201-20261123-12"
        );
    }
}
