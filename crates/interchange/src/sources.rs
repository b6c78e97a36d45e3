//! Departmental source sheets (one per [`SourceKind`]) and the findings file of a cross-check
//! run (interchange.md).

use std::io::Write;

use chrono::NaiveDate;
use jingzhun_domain::checks::Finding;
use jingzhun_domain::registry::FieldProblems;
use jingzhun_domain::sources::{SourceColumn, SourceKind, SourceRecord, parse_source_row};

use crate::columns::{Column, SheetSpec};

/// The interchange columns of a source kind, made at compile time from the domain's list.
const fn columns<const N: usize>(src: &[SourceColumn]) -> [Column<usize>; N] {
    let mut out = [Column {
        field: 0,
        name: "",
        alias: "",
        required: false,
    }; N];
    let mut i = 0;
    while i < N {
        out[i] = Column {
            field: i,
            name: src[i].name,
            alias: src[i].alias,
            // Every column of interchange.md must be in the header; blank values are checked
            // per column by the domain.
            required: true,
        };
        i += 1;
    }
    out
}

macro_rules! source_sheets {
    ($($sheet:ident = ($kind:ident, $cols:ident, $file:literal, $zh:literal)),+ $(,)?) => {
        $(
            #[doc = concat!("`", $file, "`.")]
            pub struct $sheet;
            impl SheetSpec for $sheet {
                type Field = usize;
                type Record = SourceRecord;
                const FILE: &'static str = $file;
                const SHEET_NAMES: &'static [&'static str] = &[$zh];
                const COLUMNS: &'static [Column<usize>] =
                    &columns::<{ jingzhun_domain::sources::$cols.len() }>(jingzhun_domain::sources::$cols);
                fn parse<'a>(
                    get: &'a dyn Fn(usize) -> Option<&'a str>,
                    today: NaiveDate,
                ) -> Result<SourceRecord, FieldProblems<usize>> {
                    parse_source_row(SourceKind::$kind, get, today)
                }
                fn is_date(f: usize) -> bool {
                    matches!(
                        jingzhun_domain::sources::$cols.get(f).map(|c| c.ty),
                        Some(jingzhun_domain::sources::ColumnType::Date)
                    )
                }
            }
        )+

        /// Calls the visitor with the sheet of a kind.
        pub fn with_sheet<V: SheetVisitor>(kind: SourceKind, visitor: V) -> V::Output {
            match kind {
                $(SourceKind::$kind => visitor.visit::<$sheet>(),)+
            }
        }
    };
}

source_sheets! {
    PublicEmployeeSheet = (PublicEmployees, PUBLIC_EMPLOYEES, "public_employees.csv", "财政供养人员"),
    VehicleSheet = (Vehicles, VEHICLES, "vehicles.csv", "机动车登记"),
    BusinessSheet = (Businesses, BUSINESSES, "businesses.csv", "市场主体登记"),
    DeathSheet = (Deaths, DEATHS, "deaths.csv", "死亡人口"),
    UrbanHousingSheet = (UrbanHousing, URBAN_HOUSING, "urban_housing.csv", "城镇商品房登记"),
    CadreSheet = (Cadres, CADRES, "cadres.csv", "村干部名册"),
    CadreKinSheet = (CadreKin, CADRE_KIN, "cadre_kin.csv", "村干部近亲属报备"),
    StudentSheet = (Students, STUDENTS, "students.csv", "学籍"),
    InsuredSheet = (Insured, INSURED, "insured.csv", "医保参保"),
    PaymentSheet = (Payments, PAYMENTS, "payments.csv", "惠民惠农补贴发放"),
}

/// Something done with the sheet of a source kind, chosen at run time ([`with_sheet`]).
pub trait SheetVisitor {
    type Output;
    fn visit<S: SheetSpec<Field = usize, Record = SourceRecord>>(self) -> Self::Output;
}

/// The header of `findings.csv`.
pub const FINDINGS_HEADER: [&str; 5] = [
    "rule",
    "subject_kind",
    "subject_id",
    "village_code",
    "detail",
];

/// Writes `findings.csv`: one row per finding, in the order given (the rules' order: by rule,
/// then subject id).
pub fn write_findings<W: Write>(out: W, findings: &[Finding]) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(FINDINGS_HEADER)?;
    for f in findings {
        w.write_record([
            f.rule.code_str(),
            f.subject_kind.code_str(),
            f.subject_id.as_str(),
            f.village.as_ref().map_or("", |v| v.as_str()),
            f.detail().as_str(),
        ])?;
    }
    w.flush()
}

trait CodeStr {
    fn code_str(self) -> &'static str;
}
impl<V: jingzhun_domain::vocab::Vocabulary> CodeStr for V {
    fn code_str(self) -> &'static str {
        self.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jingzhun_domain::vocab::Vocabulary;

    #[test]
    fn every_source_sheet_has_the_columns_of_its_kind() {
        struct Names;
        impl SheetVisitor for Names {
            type Output = (Vec<&'static str>, &'static str);
            fn visit<S: SheetSpec<Field = usize, Record = SourceRecord>>(self) -> Self::Output {
                (S::COLUMNS.iter().map(|c| c.name).collect(), S::FILE)
            }
        }
        for kind in SourceKind::ALL {
            let expected: Vec<&str> = kind.columns().iter().map(|c| c.name).collect();
            assert_eq!(
                with_sheet(*kind, Names),
                (expected, kind.file()),
                "{kind:?}"
            );
        }
        assert_eq!(VehicleSheet::FILE, SourceKind::Vehicles.file());
    }
}
