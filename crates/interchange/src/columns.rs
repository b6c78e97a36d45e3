//! The columns of each sheet: English name, Chinese alias, whether required.

use chrono::NaiveDate;
use jingzhun_domain::area::{
    AreaDesignation, AreaPopulation, DesignationField, PopulationField, parse_designation,
    parse_population,
};
use jingzhun_domain::registry::{
    FieldProblems, Household, HouseholdField, Person, PersonField, parse_household, parse_person,
};

/// A column of an interchange sheet.
#[derive(Debug, Clone, Copy)]
pub struct Column<F> {
    pub field: F,
    pub name: &'static str,
    pub alias: &'static str,
    pub required: bool,
}

/// What a sheet holds and how a row becomes a record.
pub trait SheetSpec {
    type Field: Copy + Eq + std::hash::Hash + std::fmt::Debug + 'static;
    type Record;
    /// The file name in a folder import (`households.csv`).
    const FILE: &'static str;
    /// Sheet names accepted in a workbook, besides the position.
    const SHEET_NAMES: &'static [&'static str];
    const COLUMNS: &'static [Column<Self::Field>];
    fn parse<'a>(
        get: &'a dyn Fn(Self::Field) -> Option<&'a str>,
        today: NaiveDate,
    ) -> Result<Self::Record, FieldProblems<Self::Field>>;

    /// Whether a field holds a date (a spreadsheet may give it as a day serial number).
    fn is_date(_field: Self::Field) -> bool {
        false
    }

    fn column(field: Self::Field) -> &'static Column<Self::Field> {
        Self::COLUMNS
            .iter()
            .find(|c| c.field == field)
            .unwrap_or(&Self::COLUMNS[0])
    }
}

/// `households.csv`.
pub struct HouseholdSheet;
/// `persons.csv`.
pub struct PersonSheet;

const fn col<F>(field: F, name: &'static str, alias: &'static str, required: bool) -> Column<F> {
    Column {
        field,
        name,
        alias,
        required,
    }
}

impl SheetSpec for HouseholdSheet {
    type Field = HouseholdField;
    type Record = Household;
    const FILE: &'static str = "households.csv";
    const SHEET_NAMES: &'static [&'static str] = &["households", "户", "户信息", "家庭户"];
    const COLUMNS: &'static [Column<HouseholdField>] = {
        use HouseholdField as F;
        &[
            col(F::HouseholdId, "household_id", "户编号", true),
            col(F::VillageCode, "village_code", "村代码", true),
            col(F::GroupName, "group_name", "村民小组", false),
            col(F::Status, "status", "状态", true),
            col(F::PovertyType, "poverty_type", "贫困户属性", false),
            col(F::IdentifiedYear, "identified_year", "识别年度", true),
            col(F::ExitYear, "exit_year", "脱贫年度", false),
            col(F::PrimaryCause, "primary_cause", "主要致贫原因", false),
            col(F::HousingSafe, "housing_safe", "住房安全", true),
            col(F::WaterSafe, "water_safe", "饮水安全", true),
            col(
                F::AnnualNetIncome,
                "annual_net_income",
                "家庭年纯收入",
                true,
            ),
            col(F::IncomeYear, "income_year", "收入年度", true),
            col(F::Phone, "phone", "联系电话", false),
            col(F::Address, "address", "家庭住址", false),
            col(F::OtherCauses, "other_causes", "其他致贫原因", false),
            col(F::RemovalReason, "removal_reason", "清退原因", false),
            col(F::WageIncome, "wage_income", "工资性收入", false),
            col(
                F::ProductionIncome,
                "production_income",
                "生产经营性收入",
                false,
            ),
            col(F::PropertyIncome, "property_income", "财产性收入", false),
            col(F::TransferIncome, "transfer_income", "转移性收入", false),
            col(
                F::ProductionCosts,
                "production_costs",
                "生产经营性支出",
                false,
            ),
        ]
    };
    fn parse<'a>(
        get: &'a dyn Fn(HouseholdField) -> Option<&'a str>,
        today: NaiveDate,
    ) -> Result<Household, FieldProblems<HouseholdField>> {
        parse_household(get, today)
    }
}

impl SheetSpec for PersonSheet {
    type Field = PersonField;
    type Record = Person;
    const FILE: &'static str = "persons.csv";
    const SHEET_NAMES: &'static [&'static str] = &["persons", "成员", "成员信息", "家庭成员"];
    const COLUMNS: &'static [Column<PersonField>] = {
        use PersonField as F;
        &[
            col(F::IdNumber, "id_number", "身份证号", true),
            col(F::Name, "name", "姓名", true),
            col(F::HouseholdId, "household_id", "户编号", true),
            col(F::Relation, "relation", "与户主关系", true),
            col(F::Gender, "gender", "性别", true),
            col(F::BirthDate, "birth_date", "出生日期", true),
            col(F::Education, "education", "文化程度", false),
            col(F::SchoolStatus, "school_status", "在校生状况", false),
            col(F::Health, "health", "健康状况", false),
            col(F::DisabilityGrade, "disability_grade", "残疾等级", false),
            col(F::Labour, "labor", "劳动技能", false),
            col(
                F::MedicalInsurance,
                "medical_insurance",
                "参加城乡居民基本医疗保险",
                false,
            ),
            col(
                F::PensionInsurance,
                "pension_insurance",
                "参加城乡居民基本养老保险",
                false,
            ),
            col(F::Dibao, "dibao", "享受低保", false),
            col(F::Ethnicity, "ethnicity", "民族", false),
            col(
                F::MigrantWorkMonths,
                "migrant_work_months",
                "务工时间（月）",
                false,
            ),
            col(
                F::SeriousIllnessInsurance,
                "serious_illness_insurance",
                "参加大病保险",
                false,
            ),
            col(F::DeceasedOn, "deceased_on", "死亡日期", false),
        ]
    };
    fn parse<'a>(
        get: &'a dyn Fn(PersonField) -> Option<&'a str>,
        today: NaiveDate,
    ) -> Result<Person, FieldProblems<PersonField>> {
        parse_person(get, today)
    }
    fn is_date(field: PersonField) -> bool {
        matches!(field, PersonField::BirthDate | PersonField::DeceasedOn)
    }
}

/// `designations.csv`: area_code, designation, designated_year, exit_year.
pub struct DesignationSheet;
/// `populations.csv`: area_code, year, rural_population.
pub struct PopulationSheet;

impl SheetSpec for DesignationSheet {
    type Field = DesignationField;
    type Record = AreaDesignation;
    const FILE: &'static str = "designations.csv";
    const SHEET_NAMES: &'static [&'static str] = &["designations", "贫困县村认定"];
    const COLUMNS: &'static [Column<DesignationField>] = {
        use DesignationField as F;
        &[
            col(F::AreaCode, "area_code", "区划代码", true),
            col(F::Designation, "designation", "认定类别", true),
            col(F::DesignatedYear, "designated_year", "认定年度", false),
            col(F::ExitYear, "exit_year", "退出年度", false),
        ]
    };
    fn parse<'a>(
        get: &'a dyn Fn(DesignationField) -> Option<&'a str>,
        today: NaiveDate,
    ) -> Result<AreaDesignation, FieldProblems<DesignationField>> {
        parse_designation(get, today)
    }
}

impl SheetSpec for PopulationSheet {
    type Field = PopulationField;
    type Record = AreaPopulation;
    const FILE: &'static str = "populations.csv";
    const SHEET_NAMES: &'static [&'static str] = &["populations", "农村人口"];
    const COLUMNS: &'static [Column<PopulationField>] = {
        use PopulationField as F;
        &[
            col(F::AreaCode, "area_code", "区划代码", true),
            col(F::Year, "year", "年度", true),
            col(F::RuralPopulation, "rural_population", "农村人口", true),
        ]
    };
    fn parse<'a>(
        get: &'a dyn Fn(PopulationField) -> Option<&'a str>,
        today: NaiveDate,
    ) -> Result<AreaPopulation, FieldProblems<PopulationField>> {
        parse_population(get, today)
    }
}
