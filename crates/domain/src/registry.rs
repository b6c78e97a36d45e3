//! The registry (建档立卡): households and persons (domain.md §3), and the rules that turn a row
//! of text into one of them. Each field rule lives here, once; the interchange layer only finds
//! the columns and the storage layer only stores what passed.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::area::AreaCode;
use crate::id_number::IdNumber;
use crate::money::Yuan;
use crate::problem::Problem;
use crate::vocab::{
    Cause, DisabilityGrade, Gender, Health, HouseholdStatus, Labour, PovertyType, Relation,
    RemovalReason, SchoolStatus, Vocabulary,
};

/// Earliest year accepted for identification, exit and income.
pub const FIRST_YEAR: i32 = 2000;

/// A household's number (户编号): 1 to 40 letters, digits or `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct HouseholdId(String);

impl HouseholdId {
    pub fn parse(text: &str) -> Result<Self, Problem> {
        let t = text.trim();
        if t.is_empty()
            || t.len() > 40
            || !t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(Problem::BadHouseholdId);
        }
        Ok(HouseholdId(t.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for HouseholdId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A phone number: an 11-digit mobile (1[3-9]...) or an area code and number (`028-12345678`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    pub fn parse(text: &str) -> Result<Self, Problem> {
        let t = text.trim();
        let b = t.as_bytes();
        let mobile = b.len() == 11
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1])
            && b.iter().all(u8::is_ascii_digit);
        let landline = match t.split_once('-') {
            Some((area, num)) => {
                area.starts_with('0')
                    && (3..=4).contains(&area.len())
                    && (7..=8).contains(&num.len())
                    && area.bytes().chain(num.bytes()).all(|c| c.is_ascii_digit())
            }
            None => false,
        };
        if mobile || landline {
            Ok(Phone(t.to_string()))
        } else {
            Err(Problem::NotPhone)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A household of the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Household {
    pub household_id: HouseholdId,
    pub village_code: AreaCode,
    pub group_name: Option<String>,
    pub status: HouseholdStatus,
    pub poverty_type: Option<PovertyType>,
    pub identified_year: i32,
    pub exit_year: Option<i32>,
    pub primary_cause: Option<Cause>,
    pub housing_safe: bool,
    pub water_safe: bool,
    /// Yearly net income of the whole household.
    pub annual_net_income: Yuan,
    pub income_year: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<Phone>,
    pub address: Option<String>,
    /// Causes besides the primary one, in the order given, without repeats.
    pub other_causes: Vec<Cause>,
    /// Why a removed household was removed.
    pub removal_reason: Option<RemovalReason>,
    /// What the net income is made of, when known.
    pub income_components: Option<IncomeComponents>,
}

impl Household {
    /// Per-capita net income (人均纯收入): the household's net income over its living members
    /// (the same division as the exit indicator of income), to the fen; `None` without any.
    pub fn per_capita_income<'a>(
        &self,
        members: impl IntoIterator<Item = &'a Person>,
    ) -> Option<Yuan> {
        let living = members
            .into_iter()
            .filter(|p| p.household_id == self.household_id && p.deceased_on.is_none())
            .count();
        self.annual_net_income.per(living)
    }
}

/// The parts of a household's yearly net income: 纯收入 = 工资性收入 + 生产经营性收入 +
/// 财产性收入 + 转移性收入 − 生产经营性支出.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IncomeComponents {
    pub wages: Yuan,
    pub production: Yuan,
    pub property: Yuan,
    pub transfers: Yuan,
    pub production_costs: Yuan,
}

impl IncomeComponents {
    /// The net income the components make.
    pub fn net(&self) -> Yuan {
        Yuan::from_fen(
            self.wages.fen() + self.production.fen() + self.property.fen() + self.transfers.fen()
                - self.production_costs.fen(),
        )
    }
}

/// Reads a list of causes separated by `、`, `,`, `，`, `;` or `；`.
pub fn parse_causes(text: &str) -> Result<Vec<Cause>, Problem> {
    let mut out: Vec<Cause> = Vec::new();
    for part in text
        .split(['、', ',', '，', ';', '；'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let c = Cause::parse(part)?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    Ok(out)
}

/// A member of a household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub id_number: IdNumber,
    pub name: String,
    pub household_id: HouseholdId,
    pub relation: Relation,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    pub education: Option<String>,
    pub school_status: Option<SchoolStatus>,
    pub health: Option<Health>,
    pub disability_grade: Option<DisabilityGrade>,
    pub labour: Option<Labour>,
    pub medical_insurance: Option<bool>,
    pub pension_insurance: Option<bool>,
    pub dibao: Option<bool>,
    pub ethnicity: Option<String>,
    /// Months of migrant work in the income year.
    pub migrant_work_months: Option<i32>,
    pub serious_illness_insurance: Option<bool>,
    pub deceased_on: Option<NaiveDate>,
}

/// The fields of a household row, in interchange order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HouseholdField {
    HouseholdId,
    VillageCode,
    GroupName,
    Status,
    PovertyType,
    IdentifiedYear,
    ExitYear,
    PrimaryCause,
    HousingSafe,
    WaterSafe,
    AnnualNetIncome,
    IncomeYear,
    Phone,
    Address,
    OtherCauses,
    RemovalReason,
    WageIncome,
    ProductionIncome,
    PropertyIncome,
    TransferIncome,
    ProductionCosts,
}

/// The fields of a person row, in interchange order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PersonField {
    IdNumber,
    Name,
    HouseholdId,
    Relation,
    Gender,
    BirthDate,
    Education,
    SchoolStatus,
    Health,
    DisabilityGrade,
    Labour,
    MedicalInsurance,
    PensionInsurance,
    Dibao,
    Ethnicity,
    MigrantWorkMonths,
    SeriousIllnessInsurance,
    DeceasedOn,
}

/// A problem with one field of a row.
pub type FieldProblems<F> = Vec<(F, Problem)>;

/// Trims a free-text value; empty is `None`; refuses control characters and over-long text.
pub fn clean_text(text: &str, max: usize) -> Result<Option<String>, Problem> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.chars().any(char::is_control) {
        return Err(Problem::ControlCharacter);
    }
    if t.chars().count() > max {
        return Err(Problem::TooLong { max });
    }
    Ok(Some(t.to_string()))
}

/// Reads 是/否, true/false, 1/0, Y/N (Latin letters in any case).
pub fn parse_bool(text: &str) -> Result<bool, Problem> {
    match text.trim().to_ascii_lowercase().as_str() {
        "是" | "true" | "1" | "y" | "yes" => Ok(true),
        "否" | "false" | "0" | "n" | "no" => Ok(false),
        _ => Err(Problem::NotBoolean),
    }
}

/// Reads a four-digit year between [`FIRST_YEAR`] and next year.
pub fn parse_year(text: &str, today: NaiveDate) -> Result<i32, Problem> {
    let t = text.trim();
    if t.len() != 4 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Problem::NotYear);
    }
    let y: i32 = t.parse().map_err(|_| Problem::NotYear)?;
    let max = today.year() + 1;
    if !(FIRST_YEAR..=max).contains(&y) {
        return Err(Problem::YearOutOfRange {
            min: FIRST_YEAR,
            max,
        });
    }
    Ok(y)
}

/// Reads a date not after `today`, in any form of [`crate::dates::parse_office_date`].
pub fn parse_past_date(text: &str, today: NaiveDate) -> Result<NaiveDate, Problem> {
    let d = crate::dates::parse_office_date(text).ok_or(Problem::NotDate)?;
    if d > today {
        return Err(Problem::DateInFuture);
    }
    Ok(d)
}

/// Collects field problems while reading a row.
struct Reader<'a, F: Copy> {
    get: &'a dyn Fn(F) -> Option<&'a str>,
    problems: FieldProblems<F>,
}

impl<'a, F: Copy> Reader<'a, F> {
    /// The value of a field, `None` when absent or blank.
    fn raw(&self, f: F) -> Option<&'a str> {
        (self.get)(f).map(str::trim).filter(|s| !s.is_empty())
    }

    fn required<T>(&mut self, f: F, parse: impl FnOnce(&str) -> Result<T, Problem>) -> Option<T> {
        match self.raw(f) {
            None => {
                self.problems.push((f, Problem::Required));
                None
            }
            Some(v) => self.record(f, parse(v)),
        }
    }

    /// `Some(None)` when blank, `Some(Some(v))` when valid, `None` when invalid.
    fn optional<T>(
        &mut self,
        f: F,
        parse: impl FnOnce(&str) -> Result<T, Problem>,
    ) -> Option<Option<T>> {
        match self.raw(f) {
            None => Some(None),
            Some(v) => self.record(f, parse(v)).map(Some),
        }
    }

    fn record<T>(&mut self, f: F, r: Result<T, Problem>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(p) => {
                self.problems.push((f, p));
                None
            }
        }
    }
}

/// Reads a household from its fields. `get` gives the text of a field (or `None` when the file
/// has no such column). Every problem of the row is reported, not just the first.
pub fn parse_household<'a>(
    get: &'a dyn Fn(HouseholdField) -> Option<&'a str>,
    today: NaiveDate,
) -> Result<Household, FieldProblems<HouseholdField>> {
    use HouseholdField as F;
    let mut r = Reader {
        get,
        problems: Vec::new(),
    };
    let household_id = r.required(F::HouseholdId, HouseholdId::parse);
    let village_code = r.required(F::VillageCode, AreaCode::parse);
    let group_name = r
        .optional(F::GroupName, |v| clean_text(v, 50))
        .map(Option::flatten);
    // Every status imports, applicants included, so that an unmasked export imports again
    // unchanged (interchange.md, Exports); a stored status still changes only through a
    // procedure ([`import_may_set_status`]).
    let status = r.required(F::Status, HouseholdStatus::parse);
    let poverty_type = r.optional(F::PovertyType, PovertyType::parse);
    let identified_year = r.required(F::IdentifiedYear, |v| parse_year(v, today));
    let exit_year = r.optional(F::ExitYear, |v| parse_year(v, today));
    let primary_cause = r.optional(F::PrimaryCause, Cause::parse);
    let housing_safe = r.required(F::HousingSafe, parse_bool);
    let water_safe = r.required(F::WaterSafe, parse_bool);
    let annual_net_income = r.required(F::AnnualNetIncome, Yuan::parse);
    let income_year = r.required(F::IncomeYear, |v| parse_year(v, today));
    let phone = r.optional(F::Phone, Phone::parse);
    let address = r
        .optional(F::Address, |v| clean_text(v, 100))
        .map(Option::flatten);
    let other_causes = r
        .optional(F::OtherCauses, parse_causes)
        .map(Option::unwrap_or_default);
    let removal_reason = r.optional(F::RemovalReason, RemovalReason::parse);
    let parts = [
        F::WageIncome,
        F::ProductionIncome,
        F::PropertyIncome,
        F::TransferIncome,
        F::ProductionCosts,
    ]
    .map(|f| (f, r.optional(f, Yuan::parse)));
    let income_components = match parts.map(|(_, v)| v) {
        [Some(None), Some(None), Some(None), Some(None), Some(None)] => Some(None),
        [
            Some(Some(wages)),
            Some(Some(production)),
            Some(Some(property)),
            Some(Some(transfers)),
            Some(Some(production_costs)),
        ] => Some(Some(IncomeComponents {
            wages,
            production,
            property,
            transfers,
            production_costs,
        })),
        values => {
            for ((f, _), v) in parts.iter().zip(values) {
                if v == Some(None) {
                    r.problems.push((*f, Problem::IncomeComponentsIncomplete));
                }
            }
            None
        }
    };
    if let (Some(Some(c)), Some(net)) = (income_components, annual_net_income)
        && c.net() != net
    {
        r.problems.push((
            F::AnnualNetIncome,
            Problem::IncomeComponentsDisagree {
                sum: c.net().to_plain(),
            },
        ));
    }
    if let (Some(Some(_)), Some(s)) = (removal_reason, status)
        && s != HouseholdStatus::Removed
    {
        r.problems
            .push((F::RemovalReason, Problem::RemovalReasonWithoutRemoval));
    }

    if let (Some(HouseholdStatus::Exited), Some(None)) = (status, exit_year) {
        r.problems.push((F::ExitYear, Problem::ExitYearRequired));
    }
    if let (Some(Some(exit)), Some(ident)) = (exit_year, identified_year)
        && exit < ident
    {
        r.problems
            .push((F::ExitYear, Problem::ExitBeforeIdentified));
    }
    match (
        household_id,
        village_code,
        group_name,
        status,
        poverty_type,
        identified_year,
        exit_year,
        primary_cause,
        housing_safe,
        water_safe,
        annual_net_income,
        income_year,
        phone,
        address,
        other_causes,
        removal_reason,
        income_components,
    ) {
        (
            Some(household_id),
            Some(village_code),
            Some(group_name),
            Some(status),
            Some(poverty_type),
            Some(identified_year),
            Some(exit_year),
            Some(primary_cause),
            Some(housing_safe),
            Some(water_safe),
            Some(annual_net_income),
            Some(income_year),
            Some(phone),
            Some(address),
            Some(other_causes),
            Some(removal_reason),
            Some(income_components),
        ) if r.problems.is_empty() => Ok(Household {
            household_id,
            village_code,
            group_name,
            status,
            poverty_type,
            identified_year,
            exit_year,
            primary_cause,
            housing_safe,
            water_safe,
            annual_net_income,
            income_year,
            phone,
            address,
            other_causes,
            removal_reason,
            income_components,
        }),
        _ => Err(r.problems),
    }
}

/// Reads a person from their fields; sex and birth date must agree with the ID number.
pub fn parse_person<'a>(
    get: &'a dyn Fn(PersonField) -> Option<&'a str>,
    today: NaiveDate,
) -> Result<Person, FieldProblems<PersonField>> {
    use PersonField as F;
    let mut r = Reader {
        get,
        problems: Vec::new(),
    };
    let id_number = r.required(F::IdNumber, |v| IdNumber::parse(v, today));
    let name = r.required(F::Name, |v| {
        clean_text(v, 50).and_then(|n| n.ok_or(Problem::Required))
    });
    let household_id = r.required(F::HouseholdId, HouseholdId::parse);
    let relation = r.required(F::Relation, Relation::parse);
    let gender = r.required(F::Gender, Gender::parse);
    let birth_date = r.required(F::BirthDate, |v| parse_past_date(v, today));
    let education = r
        .optional(F::Education, |v| clean_text(v, 30))
        .map(Option::flatten);
    let school_status = r.optional(F::SchoolStatus, SchoolStatus::parse);
    let health = r.optional(F::Health, Health::parse);
    let disability_grade = r.optional(F::DisabilityGrade, DisabilityGrade::parse);
    let labour = r.optional(F::Labour, Labour::parse);
    let medical_insurance = r.optional(F::MedicalInsurance, parse_bool);
    let pension_insurance = r.optional(F::PensionInsurance, parse_bool);
    let dibao = r.optional(F::Dibao, parse_bool);
    let ethnicity = r
        .optional(F::Ethnicity, |v| clean_text(v, 20))
        .map(Option::flatten);
    let migrant_work_months = r.optional(F::MigrantWorkMonths, |v| {
        v.trim()
            .parse::<i32>()
            .ok()
            .filter(|m| (0..=12).contains(m))
            .ok_or(Problem::MonthsOutOfRange)
    });
    let serious_illness_insurance = r.optional(F::SeriousIllnessInsurance, parse_bool);
    let deceased_on = r.optional(F::DeceasedOn, |v| parse_past_date(v, today));
    if let (Some(Some(d)), Some(b)) = (deceased_on, birth_date)
        && d < b
    {
        r.problems.push((F::DeceasedOn, Problem::DeathBeforeBirth));
    }

    if let Some(id) = &id_number {
        if let Some(g) = gender
            && g != id.gender()
        {
            let expected = id.gender().zh().to_string();
            r.problems
                .push((F::Gender, Problem::DisagreesWithId { expected }));
        }
        if let Some(b) = birth_date
            && b != id.birth_date()
        {
            let expected = id.birth_date().format("%Y-%m-%d").to_string();
            r.problems
                .push((F::BirthDate, Problem::DisagreesWithId { expected }));
        }
    }
    if let (Some(Some(_)), Some(h)) = (disability_grade, health)
        && h != Some(Health::Disabled)
    {
        r.problems
            .push((F::DisabilityGrade, Problem::GradeWithoutDisability));
    }
    match (
        id_number,
        name,
        household_id,
        relation,
        gender,
        birth_date,
        education,
        school_status,
        health,
        disability_grade,
        labour,
        medical_insurance,
        pension_insurance,
        dibao,
        ethnicity,
        migrant_work_months,
        serious_illness_insurance,
        deceased_on,
    ) {
        (
            Some(id_number),
            Some(name),
            Some(household_id),
            Some(relation),
            Some(gender),
            Some(birth_date),
            Some(education),
            Some(school_status),
            Some(health),
            Some(disability_grade),
            Some(labour),
            Some(medical_insurance),
            Some(pension_insurance),
            Some(dibao),
            Some(ethnicity),
            Some(migrant_work_months),
            Some(serious_illness_insurance),
            Some(deceased_on),
        ) if r.problems.is_empty() => Ok(Person {
            id_number,
            name,
            household_id,
            relation,
            gender,
            birth_date,
            education,
            school_status,
            health,
            disability_grade,
            labour,
            medical_insurance,
            pension_insurance,
            dibao,
            ethnicity,
            migrant_work_months,
            serious_illness_insurance,
            deceased_on,
        }),
        _ => Err(r.problems),
    }
}

/// Whether an import may set `new` on a household that the registry holds with `current`.
/// A status only changes through a procedure (domain.md §5), so an import may only repeat it.
pub fn import_may_set_status(
    current: HouseholdStatus,
    new: HouseholdStatus,
) -> Result<(), Problem> {
    if current == new {
        Ok(())
    } else {
        Err(Problem::StatusChangeNeedsProcedure {
            from: current.zh().into(),
            to: new.zh().into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn household(
        fields: &[(HouseholdField, &str)],
    ) -> Result<Household, FieldProblems<HouseholdField>> {
        use HouseholdField as F;
        let mut m: HashMap<HouseholdField, String> = [
            (F::HouseholdId, "5103041002010001"),
            (F::VillageCode, "510304100201"),
            (F::Status, "已脱贫"),
            (F::IdentifiedYear, "2014"),
            (F::ExitYear, "2018"),
            (F::HousingSafe, "是"),
            (F::WaterSafe, "Y"),
            (F::AnnualNetIncome, "16800.5"),
            (F::IncomeYear, "2020"),
            (F::Phone, "13800001234"),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
        for (k, v) in fields {
            m.insert(*k, v.to_string());
        }
        let get = |f: HouseholdField| m.get(&f).map(String::as_str);
        parse_household(&get, today())
    }

    #[test]
    fn a_complete_household_row_is_read() {
        let h = household(&[]).unwrap();
        assert_eq!(h.status, HouseholdStatus::Exited);
        assert_eq!(h.exit_year, Some(2018));
        assert!(h.housing_safe && h.water_safe);
        assert_eq!(h.annual_net_income, Yuan::from_fen(1_680_050));
        assert_eq!(h.group_name, None);
    }

    #[test]
    fn every_problem_of_a_household_row_is_reported() {
        use HouseholdField as F;
        let err = household(&[
            (F::VillageCode, "5103"),
            (F::HousingSafe, "maybe"),
            (F::AnnualNetIncome, "1,000"),
            (F::Phone, "12345"),
            (F::IncomeYear, "1999"),
        ])
        .unwrap_err();
        let fields: Vec<_> = err.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            vec![
                F::VillageCode,
                F::HousingSafe,
                F::AnnualNetIncome,
                F::IncomeYear,
                F::Phone
            ]
        );
    }

    #[test]
    fn an_exited_household_needs_an_exit_year_not_before_identification() {
        use HouseholdField as F;
        let err = household(&[(F::ExitYear, "")]).unwrap_err();
        assert_eq!(err, vec![(F::ExitYear, Problem::ExitYearRequired)]);
        let err = household(&[(F::ExitYear, "2013")]).unwrap_err();
        assert_eq!(err, vec![(F::ExitYear, Problem::ExitBeforeIdentified)]);
        assert!(household(&[(F::Status, "在册"), (F::ExitYear, "")]).is_ok());
    }

    #[test]
    fn every_status_imports_applicants_included() {
        for (text, status) in [
            ("applicant", HouseholdStatus::Applicant),
            ("registered", HouseholdStatus::Registered),
            ("在册", HouseholdStatus::Registered),
        ] {
            let h = household(&[(HouseholdField::Status, text)]).unwrap();
            assert_eq!(h.status, status, "{text}");
        }
    }

    fn person(fields: &[(PersonField, &str)]) -> Result<Person, FieldProblems<PersonField>> {
        use PersonField as F;
        let mut m: HashMap<PersonField, String> = [
            (F::IdNumber, "11010519491231002X"),
            (F::Name, "王秀英"),
            (F::HouseholdId, "H1"),
            (F::Relation, "户主"),
            (F::Gender, "女"),
            (F::BirthDate, "1949-12-31"),
            (F::Health, "残疾"),
            (F::DisabilityGrade, "二级"),
            (F::MedicalInsurance, "是"),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
        for (k, v) in fields {
            m.insert(*k, v.to_string());
        }
        let get = |f: PersonField| m.get(&f).map(String::as_str);
        parse_person(&get, today())
    }

    #[test]
    fn a_person_whose_sex_and_birth_date_agree_with_the_id_is_read() {
        let p = person(&[]).unwrap();
        assert_eq!(p.gender, Gender::Female);
        assert_eq!(p.disability_grade, Some(DisabilityGrade::Two));
        assert_eq!(p.medical_insurance, Some(true));
        assert_eq!(p.pension_insurance, None);
    }

    #[test]
    fn sex_or_birth_date_that_disagree_with_the_id_are_refused() {
        use PersonField as F;
        let err = person(&[(F::Gender, "男"), (F::BirthDate, "1949-12-30")]).unwrap_err();
        assert_eq!(
            err,
            vec![
                (
                    F::Gender,
                    Problem::DisagreesWithId {
                        expected: "女".into()
                    }
                ),
                (
                    F::BirthDate,
                    Problem::DisagreesWithId {
                        expected: "1949-12-31".into()
                    }
                ),
            ]
        );
    }

    #[test]
    fn a_disability_grade_needs_disabled_health() {
        let err = person(&[(PersonField::Health, "健康")]).unwrap_err();
        assert_eq!(
            err,
            vec![(
                PersonField::DisabilityGrade,
                Problem::GradeWithoutDisability
            )]
        );
    }

    #[test]
    fn names_with_control_characters_or_too_long_are_refused() {
        let err = person(&[(PersonField::Name, "王\u{7}")]).unwrap_err();
        assert_eq!(err, vec![(PersonField::Name, Problem::ControlCharacter)]);
        let long = "王".repeat(51);
        let err = person(&[(PersonField::Name, &long)]).unwrap_err();
        assert_eq!(err, vec![(PersonField::Name, Problem::TooLong { max: 50 })]);
    }

    #[test]
    fn income_components_must_all_be_given_and_add_up_to_the_net_income() {
        use HouseholdField as F;
        let parts = [
            (F::WageIncome, "12000"),
            (F::ProductionIncome, "5000.5"),
            (F::PropertyIncome, "0"),
            (F::TransferIncome, "1800"),
            (F::ProductionCosts, "2000"),
        ];
        let h = household(&parts).unwrap();
        assert_eq!(h.income_components.unwrap().net(), h.annual_net_income);
        let mut wrong = parts.to_vec();
        wrong[0] = (F::WageIncome, "13000");
        let err = household(&wrong).unwrap_err();
        assert_eq!(
            err,
            vec![(
                F::AnnualNetIncome,
                Problem::IncomeComponentsDisagree {
                    sum: "17800.5".into()
                }
            )]
        );
        let err = household(&parts[..3]).unwrap_err();
        assert_eq!(
            err,
            vec![
                (F::TransferIncome, Problem::IncomeComponentsIncomplete),
                (F::ProductionCosts, Problem::IncomeComponentsIncomplete),
            ]
        );
    }

    #[test]
    fn other_causes_are_a_list_and_a_removal_reason_needs_a_removed_household() {
        use HouseholdField as F;
        let h = household(&[(F::OtherCauses, "因残、缺技术, 因残")]).unwrap();
        assert_eq!(h.other_causes, vec![Cause::Disability, Cause::LackSkills]);
        let err = household(&[(F::OtherCauses, "因病、懒")]).unwrap_err();
        assert!(matches!(
            err[0],
            (F::OtherCauses, Problem::NotInList { .. })
        ));
        let err = household(&[(F::RemovalReason, "迁出")]).unwrap_err();
        assert_eq!(
            err,
            vec![(F::RemovalReason, Problem::RemovalReasonWithoutRemoval)]
        );
        let h = household(&[(F::Status, "已清退"), (F::RemovalReason, "迁出")]).unwrap();
        assert_eq!(h.removal_reason, Some(RemovalReason::MovedOut));
    }

    #[test]
    fn death_dates_and_months_of_migrant_work_are_checked() {
        use PersonField as F;
        let p = person(&[
            (F::DeceasedOn, "2020-03-01"),
            (F::MigrantWorkMonths, "0"),
            (F::Ethnicity, "彝族"),
        ])
        .unwrap();
        assert_eq!(p.deceased_on, NaiveDate::from_ymd_opt(2020, 3, 1));
        assert_eq!(p.ethnicity.as_deref(), Some("彝族"));
        let err = person(&[(F::DeceasedOn, "1940-01-01")]).unwrap_err();
        assert_eq!(err, vec![(F::DeceasedOn, Problem::DeathBeforeBirth)]);
        let err = person(&[(F::MigrantWorkMonths, "13")]).unwrap_err();
        assert_eq!(err, vec![(F::MigrantWorkMonths, Problem::MonthsOutOfRange)]);
    }

    #[test]
    fn status_changes_are_refused_on_import() {
        use HouseholdStatus as S;
        assert!(import_may_set_status(S::Registered, S::Registered).is_ok());
        assert!(matches!(
            import_may_set_status(S::Registered, S::Exited),
            Err(Problem::StatusChangeNeedsProcedure { .. })
        ));
    }

    #[test]
    fn phones_mobile_and_landline() {
        assert!(Phone::parse("13912345678").is_ok());
        assert!(Phone::parse("0813-2345678").is_ok());
        for bad in [
            "1391234567",
            "12912345678",
            "813-2345678",
            "0813-23456",
            "phone",
        ] {
            assert_eq!(Phone::parse(bad), Err(Problem::NotPhone), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn any_household_text_is_either_read_or_refused_with_reasons(
            values in proptest::collection::vec("\\PC{0,12}", 21)
        ) {
            use HouseholdField as F;
            let order = [F::HouseholdId, F::VillageCode, F::GroupName, F::Status, F::PovertyType,
                F::IdentifiedYear, F::ExitYear, F::PrimaryCause, F::HousingSafe, F::WaterSafe,
                F::AnnualNetIncome, F::IncomeYear, F::Phone, F::Address, F::OtherCauses,
                F::RemovalReason, F::WageIncome, F::ProductionIncome, F::PropertyIncome,
                F::TransferIncome, F::ProductionCosts];
            let get = |f: HouseholdField| {
                order.iter().position(|o| *o == f).map(|i| values[i].as_str())
            };
            match parse_household(&get, today()) {
                Ok(h) => prop_assert!(h.identified_year >= FIRST_YEAR),
                Err(problems) => prop_assert!(!problems.is_empty()),
            }
        }

        #[test]
        fn any_person_text_is_either_read_or_refused_with_reasons(
            values in proptest::collection::vec("\\PC{0,20}", 18)
        ) {
            use PersonField as F;
            let order = [F::IdNumber, F::Name, F::HouseholdId, F::Relation, F::Gender, F::BirthDate,
                F::Education, F::SchoolStatus, F::Health, F::DisabilityGrade, F::Labour,
                F::MedicalInsurance, F::PensionInsurance, F::Dibao, F::Ethnicity,
                F::MigrantWorkMonths, F::SeriousIllnessInsurance, F::DeceasedOn];
            let get = |f: PersonField| {
                order.iter().position(|o| *o == f).map(|i| values[i].as_str())
            };
            match parse_person(&get, today()) {
                Ok(p) => {
                    prop_assert_eq!(p.gender, p.id_number.gender());
                    prop_assert_eq!(p.birth_date, p.id_number.birth_date());
                }
                Err(problems) => prop_assert!(!problems.is_empty()),
            }
        }
    }
}
