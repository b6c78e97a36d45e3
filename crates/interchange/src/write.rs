//! Writing the registry back in the interchange format, as CSV files or one XLSX workbook.
//! Personal data are masked unless the caller asks (and is allowed) otherwise.

use std::io::Write;

use jingzhun_domain::mask::{birth_year, mask_id_number, mask_phone};
use jingzhun_domain::registry::{Household, Person};
use jingzhun_domain::vocab::Vocabulary;
pub use rust_xlsxwriter::XlsxError;
use rust_xlsxwriter::{Format, Workbook, Worksheet};

use crate::columns::{Column, HouseholdSheet, PersonSheet, SheetSpec};

/// Whether ID numbers and phones are written as they are or masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Masking {
    Masked,
    Unmasked,
}

fn yes_no(b: bool) -> String {
    if b { "是" } else { "否" }.to_string()
}

/// The cells of a household row, in column order.
pub fn household_cells(h: &Household, masking: Masking) -> Vec<String> {
    vec![
        h.household_id.to_string(),
        h.village_code.to_string(),
        h.group_name.clone().unwrap_or_default(),
        h.status.code().to_string(),
        h.poverty_type
            .map(|v| v.zh().to_string())
            .unwrap_or_default(),
        h.identified_year.to_string(),
        h.exit_year.map(|y| y.to_string()).unwrap_or_default(),
        h.primary_cause
            .map(|v| v.zh().to_string())
            .unwrap_or_default(),
        yes_no(h.housing_safe),
        yes_no(h.water_safe),
        h.annual_net_income.to_plain(),
        h.income_year.to_string(),
        h.phone
            .as_ref()
            .map(|p| match masking {
                Masking::Masked => mask_phone(p.as_str()),
                Masking::Unmasked => p.as_str().to_string(),
            })
            .unwrap_or_default(),
        h.address.clone().unwrap_or_default(),
        h.other_causes
            .iter()
            .map(|c| c.zh())
            .collect::<Vec<_>>()
            .join("、"),
        h.removal_reason
            .map(|v| v.zh().to_string())
            .unwrap_or_default(),
    ]
    .into_iter()
    .chain(match h.income_components {
        Some(c) => [
            c.wages,
            c.production,
            c.property,
            c.transfers,
            c.production_costs,
        ]
        .map(|y| y.to_plain()),
        None => Default::default(),
    })
    .collect()
}

/// The cells of a person row, in column order.
pub fn person_cells(p: &Person, masking: Masking) -> Vec<String> {
    let opt_bool = |b: Option<bool>| b.map(yes_no).unwrap_or_default();
    vec![
        match masking {
            Masking::Masked => mask_id_number(p.id_number.as_str()),
            Masking::Unmasked => p.id_number.to_string(),
        },
        p.name.clone(),
        p.household_id.to_string(),
        p.relation.zh().to_string(),
        p.gender.zh().to_string(),
        // A masked export shows the birth year only: with the full date the masked number
        // could be rebuilt.
        match masking {
            Masking::Masked => birth_year(p.birth_date),
            Masking::Unmasked => p.birth_date.format("%Y-%m-%d").to_string(),
        },
        p.education.clone().unwrap_or_default(),
        p.school_status
            .map(|v| v.zh().to_string())
            .unwrap_or_default(),
        p.health.map(|v| v.zh().to_string()).unwrap_or_default(),
        p.disability_grade
            .map(|v| v.zh().to_string())
            .unwrap_or_default(),
        p.labour.map(|v| v.zh().to_string()).unwrap_or_default(),
        opt_bool(p.medical_insurance),
        opt_bool(p.pension_insurance),
        opt_bool(p.dibao),
        p.ethnicity.clone().unwrap_or_default(),
        p.migrant_work_months
            .map(|m| m.to_string())
            .unwrap_or_default(),
        opt_bool(p.serious_illness_insurance),
        p.deceased_on
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
    ]
}

/// Whether a spreadsheet would run a text cell as a formula: it begins with `=`, `+`, `@`, a
/// tab, or `-` not followed by a digit (interchange.md, Exports).
fn looks_like_formula(s: &str) -> bool {
    let mut b = s.bytes();
    match b.next() {
        Some(b'=' | b'+' | b'@' | b'\t') => true,
        Some(b'-') => !b.next().is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    }
}

/// A text cell written so that a spreadsheet shows it instead of running it: a leading `'`
/// before what would be a formula; the import takes it off again ([`unguard_formula`]).
pub fn guard_formula(s: &str) -> std::borrow::Cow<'_, str> {
    if looks_like_formula(s) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// The text of a cell written by [`guard_formula`].
pub fn unguard_formula(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if looks_like_formula(rest) => rest,
        _ => s,
    }
}

fn header<F>(cols: &[Column<F>]) -> Vec<&'static str> {
    cols.iter().map(|c| c.name).collect()
}

/// A CSV sheet being written (UTF-8 with BOM, so Excel opens it with the right encoding).
pub struct CsvSheetWriter<W: Write> {
    w: csv::Writer<W>,
}

impl<W: Write> CsvSheetWriter<W> {
    fn new<F>(mut out: W, cols: &[Column<F>]) -> std::io::Result<Self> {
        out.write_all(b"\xEF\xBB\xBF")?;
        let mut w = csv::Writer::from_writer(out);
        w.write_record(header(cols))
            .map_err(std::io::Error::other)?;
        Ok(CsvSheetWriter { w })
    }

    pub fn households(out: W) -> std::io::Result<Self> {
        Self::new(out, HouseholdSheet::COLUMNS)
    }

    pub fn persons(out: W) -> std::io::Result<Self> {
        Self::new(out, PersonSheet::COLUMNS)
    }

    pub fn row(&mut self, cells: &[String]) -> std::io::Result<()> {
        self.w
            .write_record(
                cells
                    .iter()
                    .map(|c| guard_formula(c).into_owned().into_bytes()),
            )
            .map_err(std::io::Error::other)
    }

    pub fn finish(mut self) -> std::io::Result<()> {
        self.w.flush()
    }

    /// Flushes and returns the writer (for writing into memory).
    pub fn into_inner(self) -> std::io::Result<W> {
        self.w
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

/// An XLSX workbook with a households sheet and a persons sheet, written row by row in
/// constant memory.
pub struct XlsxRegistryWriter {
    workbook: Workbook,
    rows: [u32; 2],
}

/// Which sheet of the workbook.
#[derive(Debug, Clone, Copy)]
pub enum Sheet {
    Households = 0,
    Persons = 1,
}

/// Columns written as numbers (so people can sum them) rather than text.
const NUMERIC_HOUSEHOLD_COLUMNS: &[usize] = &[5, 6, 10, 11, 16, 17, 18, 19, 20];

impl XlsxRegistryWriter {
    pub fn new() -> Result<Self, XlsxError> {
        let mut workbook = Workbook::new();
        let bold = Format::new().set_bold();
        let sheets: [(&str, Vec<&str>); 2] = [
            ("households", header(HouseholdSheet::COLUMNS)),
            ("persons", header(PersonSheet::COLUMNS)),
        ];
        for (name, cols) in sheets {
            let ws: &mut Worksheet = workbook.add_worksheet_with_constant_memory()?;
            ws.set_name(name)?;
            for (i, c) in cols.iter().enumerate() {
                ws.write_string_with_format(0, i as u16, *c, &bold)?;
                ws.set_column_width(i as u16, 14)?;
            }
            ws.set_freeze_panes(1, 0)?;
        }
        Ok(XlsxRegistryWriter {
            workbook,
            rows: [0, 0],
        })
    }

    pub fn row(&mut self, sheet: Sheet, cells: &[String]) -> Result<(), XlsxError> {
        let i = sheet as usize;
        self.rows[i] += 1;
        let r = self.rows[i];
        let ws = self.workbook.worksheet_from_index(i)?;
        for (c, text) in cells.iter().enumerate() {
            let numeric =
                matches!(sheet, Sheet::Households) && NUMERIC_HOUSEHOLD_COLUMNS.contains(&c);
            match text.parse::<f64>() {
                Ok(n) if numeric => ws.write_number(r, c as u16, n)?,
                _ if text.is_empty() => ws,
                _ => ws.write_string(r, c as u16, text)?,
            };
        }
        Ok(())
    }

    pub fn save(mut self, path: &std::path::Path) -> Result<(), XlsxError> {
        self.workbook.save(path)
    }

    pub fn into_bytes(mut self) -> Result<Vec<u8>, XlsxError> {
        self.workbook.save_to_buffer()
    }
}
