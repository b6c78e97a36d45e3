//! Other departments' data (interchange.md, "Other departments' data"): the ten source kinds,
//! their columns, and how a row of text becomes a record (validation).
//!
//! ID numbers in these files are checked exactly as in the registry (length, province, birth
//! date, check character) and then kept as their text: the cross-checks compare them as keys.

use chrono::NaiveDate;

use crate::area::AreaCode;
use crate::id_number::IdNumber;
use crate::money::Yuan;
use crate::problem::Problem;
use crate::registry::{FieldProblems, clean_text, parse_past_date, parse_year};
use crate::vocab::{Vocabulary, vocabulary};

vocabulary! {
    /// A departmental data source, by its file.
    SourceKind {
        PublicEmployees = ("public_employees", "财政供养人员", "Public employees"),
        Vehicles = ("vehicles", "机动车登记", "Vehicles"),
        Businesses = ("businesses", "市场主体登记", "Businesses"),
        Deaths = ("deaths", "死亡人口", "Deaths"),
        UrbanHousing = ("urban_housing", "城镇商品房登记", "Urban housing"),
        Cadres = ("cadres", "村干部名册", "Village cadres"),
        CadreKin = ("cadre_kin", "村干部近亲属报备", "Cadres' close relatives"),
        Students = ("students", "学籍", "Student roll"),
        Insured = ("insured", "医保参保", "Medical insurance"),
        Payments = ("payments", "惠民惠农补贴发放", "Subsidy payments"),
    }
}

vocabulary! {
    /// `vehicles.csv` vehicle_type. Only `car` makes a lead (R04).
    VehicleType {
        Car = ("car", "小汽车", "Car", ["轿车", "小型汽车"]),
        Truck = ("truck", "货车", "Truck"),
        Farm = ("farm", "农用车", "Farm vehicle", ["拖拉机"]),
        Motorcycle = ("motorcycle", "摩托车", "Motorcycle"),
    }
}

vocabulary! {
    /// `students.csv` status.
    StudentStatus {
        Enrolled = ("enrolled", "在读", "Enrolled", ["在籍"]),
        Suspended = ("suspended", "休学", "Suspended"),
        Dropped = ("dropped", "辍学", "Dropped out"),
    }
}

/// What a column holds, which decides how its text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    IdNumber,
    /// Free text of at most this many characters.
    Text(usize),
    Date,
    Money,
    Year,
    VillageCode,
    VehicleType,
    StudentStatus,
    /// A non-negative decimal (floor area).
    Decimal,
}

/// A column of a source file.
#[derive(Debug, Clone, Copy)]
pub struct SourceColumn {
    pub name: &'static str,
    pub alias: &'static str,
    pub ty: ColumnType,
    /// Whether every row must give a value (all columns must be present in the header).
    pub required: bool,
}

const fn c(
    name: &'static str,
    alias: &'static str,
    ty: ColumnType,
    required: bool,
) -> SourceColumn {
    SourceColumn {
        name,
        alias,
        ty,
        required,
    }
}

use ColumnType as T;

pub const PUBLIC_EMPLOYEES: &[SourceColumn] = &[
    c("id_number", "身份证号", T::IdNumber, true),
    c("name", "姓名", T::Text(50), true),
    c("employer", "工作单位", T::Text(100), false),
];
pub const VEHICLES: &[SourceColumn] = &[
    c("owner_id_number", "车主身份证号", T::IdNumber, true),
    c("plate", "号牌号码", T::Text(20), true),
    c("vehicle_type", "车辆类型", T::VehicleType, true),
    c("registered_on", "登记日期", T::Date, false),
];
pub const BUSINESSES: &[SourceColumn] = &[
    c(
        "legal_rep_id_number",
        "法定代表人身份证号",
        T::IdNumber,
        true,
    ),
    c("company_name", "企业名称", T::Text(100), true),
    c("registered_capital", "注册资本", T::Money, true),
];
pub const DEATHS: &[SourceColumn] = &[
    c("id_number", "身份证号", T::IdNumber, true),
    c("death_date", "死亡日期", T::Date, true),
];
pub const URBAN_HOUSING: &[SourceColumn] = &[
    c("owner_id_number", "产权人身份证号", T::IdNumber, true),
    c("city", "所在城市", T::Text(50), true),
    c("area_m2", "建筑面积", T::Decimal, false),
    c("registered_on", "登记日期", T::Date, false),
];
pub const CADRES: &[SourceColumn] = &[
    c("id_number", "身份证号", T::IdNumber, true),
    c("name", "姓名", T::Text(50), true),
    c("village_code", "村代码", T::VillageCode, true),
    c("role", "职务", T::Text(50), false),
];
pub const CADRE_KIN: &[SourceColumn] = &[
    c("cadre_id_number", "村干部身份证号", T::IdNumber, true),
    c("relative_id_number", "亲属身份证号", T::IdNumber, true),
    c("relation", "关系", T::Text(20), false),
];
pub const STUDENTS: &[SourceColumn] = &[
    c("id_number", "身份证号", T::IdNumber, true),
    c("school_name", "学校名称", T::Text(100), false),
    c("grade", "年级", T::Text(20), false),
    c("status", "学籍状态", T::StudentStatus, true),
];
pub const INSURED: &[SourceColumn] = &[
    c("id_number", "身份证号", T::IdNumber, true),
    c("year", "参保年度", T::Year, true),
];
pub const PAYMENTS: &[SourceColumn] = &[
    c("payment_id", "发放编号", T::Text(40), true),
    c("payee_id_number", "领取人身份证号", T::IdNumber, true),
    c("program", "补贴项目", T::Text(50), true),
    c("amount", "发放金额", T::Money, true),
    c("paid_on", "发放日期", T::Date, true),
    c("account_no", "账号", T::Text(40), true),
];

impl SourceKind {
    /// The file name of interchange.md.
    pub fn file(self) -> &'static str {
        match self {
            SourceKind::PublicEmployees => "public_employees.csv",
            SourceKind::Vehicles => "vehicles.csv",
            SourceKind::Businesses => "businesses.csv",
            SourceKind::Deaths => "deaths.csv",
            SourceKind::UrbanHousing => "urban_housing.csv",
            SourceKind::Cadres => "cadres.csv",
            SourceKind::CadreKin => "cadre_kin.csv",
            SourceKind::Students => "students.csv",
            SourceKind::Insured => "insured.csv",
            SourceKind::Payments => "payments.csv",
        }
    }

    /// The columns, in interchange order (also the order of [`SourceRecord::cells`]).
    pub fn columns(self) -> &'static [SourceColumn] {
        match self {
            SourceKind::PublicEmployees => PUBLIC_EMPLOYEES,
            SourceKind::Vehicles => VEHICLES,
            SourceKind::Businesses => BUSINESSES,
            SourceKind::Deaths => DEATHS,
            SourceKind::UrbanHousing => URBAN_HOUSING,
            SourceKind::Cadres => CADRES,
            SourceKind::CadreKin => CADRE_KIN,
            SourceKind::Students => STUDENTS,
            SourceKind::Insured => INSURED,
            SourceKind::Payments => PAYMENTS,
        }
    }

    /// The table that holds the current copy (`source_` + code).
    pub fn table(self) -> &'static str {
        match self {
            SourceKind::PublicEmployees => "source_public_employees",
            SourceKind::Vehicles => "source_vehicles",
            SourceKind::Businesses => "source_businesses",
            SourceKind::Deaths => "source_deaths",
            SourceKind::UrbanHousing => "source_urban_housing",
            SourceKind::Cadres => "source_cadres",
            SourceKind::CadreKin => "source_cadre_kin",
            SourceKind::Students => "source_students",
            SourceKind::Insured => "source_insured",
            SourceKind::Payments => "source_payments",
        }
    }
}

/// A value of a validated cell, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Null,
    Text(String),
    /// Money in fen, years.
    Int(i64),
}

/// A validated row of a source file: one cell per column of its kind, in column order.
/// ID numbers, dates (`YYYY-MM-DD`), codes and text are `Text`; money (fen) and years `Int`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRecord {
    pub cells: Vec<Cell>,
}

fn parse_cell(ty: ColumnType, text: &str, today: NaiveDate) -> Result<Cell, Problem> {
    Ok(match ty {
        T::IdNumber => Cell::Text(IdNumber::parse(text, today)?.as_str().to_string()),
        T::Text(max) => clean_text(text, max)?.map_or(Cell::Null, Cell::Text),
        T::Date => Cell::Text(parse_past_date(text, today)?.to_string()),
        T::Money => {
            let y = Yuan::parse(text)?;
            if y.fen() < 0 {
                return Err(Problem::Negative);
            }
            Cell::Int(y.fen())
        }
        T::Year => Cell::Int(i64::from(parse_year(text, today)?)),
        T::VillageCode => {
            let code = AreaCode::parse(text)?;
            if code.level() != crate::area::AreaLevel::Village {
                return Err(Problem::NotAVillage {
                    level: code.level().zh().into(),
                });
            }
            Cell::Text(code.as_str().to_string())
        }
        T::VehicleType => Cell::Text(VehicleType::parse(text)?.code().to_string()),
        T::StudentStatus => Cell::Text(StudentStatus::parse(text)?.code().to_string()),
        T::Decimal => {
            // The same form as money: digits with at most two decimals.
            let v = Yuan::parse(text).map_err(|_| Problem::NotDecimal)?;
            if v.fen() < 0 {
                return Err(Problem::Negative);
            }
            Cell::Text(v.to_plain())
        }
    })
}

/// Reads a row of a source file. `get` gives the text of the column at an index of
/// [`SourceKind::columns`] (`None` when the file lacks the column). Every problem of the row is
/// reported, by column index.
pub fn parse_source_row<'a>(
    kind: SourceKind,
    get: &'a dyn Fn(usize) -> Option<&'a str>,
    today: NaiveDate,
) -> Result<SourceRecord, FieldProblems<usize>> {
    let mut problems = Vec::new();
    let mut cells = Vec::with_capacity(kind.columns().len());
    for (i, col) in kind.columns().iter().enumerate() {
        let text = get(i).map(str::trim).filter(|t| !t.is_empty());
        match text {
            None if col.required => problems.push((i, Problem::Required)),
            None => cells.push(Cell::Null),
            Some(t) => match parse_cell(col.ty, t, today) {
                Ok(cell) => cells.push(cell),
                Err(p) => problems.push((i, p)),
            },
        }
    }
    if problems.is_empty() {
        Ok(SourceRecord { cells })
    } else {
        Err(problems)
    }
}

/// The position of the column that names a village, for kinds that have one (cadres).
pub fn village_column(kind: SourceKind) -> Option<usize> {
    kind.columns()
        .iter()
        .position(|c| c.ty == ColumnType::VillageCode)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn parse(kind: SourceKind, cells: &[&str]) -> Result<SourceRecord, FieldProblems<usize>> {
        let get = |i: usize| cells.get(i).copied();
        parse_source_row(kind, &get, today())
    }

    const ID: &str = "510304198801280398";

    #[test]
    fn a_valid_vehicle_row_is_read_with_its_type_code() {
        let r = parse(
            SourceKind::Vehicles,
            &[ID, "川C12345", "小汽车", "2019-03-02"],
        )
        .unwrap();
        assert_eq!(
            r.cells,
            vec![
                Cell::Text(ID.into()),
                Cell::Text("川C12345".into()),
                Cell::Text("car".into()),
                Cell::Text("2019-03-02".into()),
            ]
        );
    }

    #[test]
    fn every_problem_of_a_row_is_reported_by_column() {
        let err = parse(
            SourceKind::Payments,
            &[
                "",
                "51030419880128039X",
                "低保",
                "12.345",
                "2030-01-01",
                "6217",
            ],
        )
        .unwrap_err();
        let cols: Vec<usize> = err.iter().map(|(i, _)| *i).collect();
        assert_eq!(cols, vec![0, 1, 3, 4]);
        assert_eq!(err[1].1, Problem::IdCheckCharacter { expected: '8' });
        assert_eq!(err[3].1, Problem::DateInFuture);
    }

    #[test]
    fn money_is_kept_in_fen_and_may_not_be_negative() {
        let r = parse(SourceKind::Businesses, &[ID, "某合作社", "99999.99"]).unwrap();
        assert_eq!(r.cells[2], Cell::Int(9_999_999));
        let err = parse(SourceKind::Businesses, &[ID, "某合作社", "-1"]).unwrap_err();
        assert_eq!(err[0].0, 2);
    }

    #[test]
    fn a_cadre_must_name_a_village_not_a_township() {
        let err = parse(SourceKind::Cadres, &[ID, "张三", "510304100000", "主任"]).unwrap_err();
        assert!(matches!(err[0].1, Problem::NotAVillage { .. }));
        assert!(parse(SourceKind::Cadres, &[ID, "张三", "510304100201", ""]).is_ok());
    }

    #[test]
    fn an_unknown_vehicle_type_or_student_status_is_refused() {
        assert!(parse(SourceKind::Vehicles, &[ID, "川C1", "tank", ""]).is_err());
        assert!(parse(SourceKind::Students, &[ID, "", "", "graduated"]).is_err());
        let r = parse(SourceKind::Students, &[ID, "", "", "在籍"]).unwrap();
        assert_eq!(r.cells[3], Cell::Text("enrolled".into()));
    }

    #[test]
    fn every_kind_has_a_distinct_file_and_table() {
        let files: std::collections::HashSet<_> =
            SourceKind::ALL.iter().map(|k| k.file()).collect();
        let tables: std::collections::HashSet<_> =
            SourceKind::ALL.iter().map(|k| k.table()).collect();
        assert_eq!(files.len(), SourceKind::ALL.len());
        assert_eq!(tables.len(), SourceKind::ALL.len());
        for k in SourceKind::ALL {
            assert_eq!(k.table(), format!("source_{}", k.code()));
        }
    }

    proptest! {
        #[test]
        fn no_text_panics_the_row_reader(cells in proptest::collection::vec(".{0,30}", 0..8)) {
            for kind in SourceKind::ALL {
                let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
                let _ = parse(*kind, &refs);
            }
        }

        #[test]
        fn a_row_read_has_one_cell_per_column(n in 0u32..10_000, year in 2000i32..2026) {
            let id = IdNumber::build("510304", NaiveDate::from_ymd_opt(1980, 1, 1).unwrap(), (n % 1000) as u16);
            let y = year.to_string();
            let r = parse(SourceKind::Insured, &[id.as_str(), &y]).unwrap();
            prop_assert_eq!(r.cells.len(), INSURED.len());
            prop_assert_eq!(&r.cells[1], &Cell::Int(i64::from(year)));
        }
    }
}
