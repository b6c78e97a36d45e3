//! Reading sheets: rows of text from CSV or XLSX, then records through the domain's rules.

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::marker::PhantomData;

use calamine::{Data, Reader as _, Xlsx};
use chrono::NaiveDate;
use jingzhun_domain::Problem;

use crate::columns::SheetSpec;
use crate::report::ImportError;

/// A row of cells as text, with its line (CSV) or row number (XLSX).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    pub line: u64,
    pub cells: Vec<String>,
    /// Cells that could not be turned into text faithfully.
    pub cell_problems: Vec<(usize, Problem)>,
}

/// Where rows come from.
pub trait RowSource {
    /// The name used in the report (`persons.csv`, `registry.xlsx[persons]`).
    fn name(&self) -> &str;
    /// Whether rows must have exactly as many cells as the header (CSV) or may be ragged (XLSX).
    fn strict_width(&self) -> bool;
    fn next_row(&mut self) -> Option<Result<RawRow, ImportError>>;
}

impl<R: RowSource + ?Sized> RowSource for Box<R> {
    fn name(&self) -> &str {
        (**self).name()
    }

    fn strict_width(&self) -> bool {
        (**self).strict_width()
    }

    fn next_row(&mut self) -> Option<Result<RawRow, ImportError>> {
        (**self).next_row()
    }
}

/// A CSV file (UTF-8, optional BOM, RFC 4180 quoting), read a row at a time.
pub struct CsvSource<R: Read> {
    name: String,
    reader: csv::Reader<R>,
    record: csv::ByteRecord,
    first: bool,
}

/// Opens a CSV source over any reader.
pub fn open_csv<R: Read>(name: &str, reader: R) -> CsvSource<R> {
    CsvSource {
        name: name.to_string(),
        reader: csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(reader),
        record: csv::ByteRecord::new(),
        first: true,
    }
}

impl<R: Read> RowSource for CsvSource<R> {
    fn name(&self) -> &str {
        &self.name
    }

    fn strict_width(&self) -> bool {
        true
    }

    fn next_row(&mut self) -> Option<Result<RawRow, ImportError>> {
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                let line = self.record.position().map_or(0, |p| p.line());
                let mut cells = Vec::with_capacity(self.record.len());
                let mut cell_problems = Vec::new();
                for (i, raw) in self.record.iter().enumerate() {
                    let raw = if self.first && i == 0 {
                        raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
                    } else {
                        raw
                    };
                    match std::str::from_utf8(raw) {
                        Ok(s) => cells.push(s.to_string()),
                        Err(_) => {
                            cells.push(String::from_utf8_lossy(raw).into_owned());
                            cell_problems.push((
                                i,
                                Problem::Unreadable {
                                    detail: "not UTF-8 text".into(),
                                },
                            ));
                        }
                    }
                }
                self.first = false;
                Some(Ok(RawRow {
                    line,
                    cells,
                    cell_problems,
                }))
            }
            Err(e) => Some(Err(ImportError {
                file: self.name.clone(),
                line: e.position().map_or(0, |p| p.line()),
                column: String::new(),
                value: String::new(),
                problem: Problem::Unreadable {
                    detail: e.to_string(),
                },
            })),
        }
    }
}

/// One worksheet of a workbook, read whole.
pub struct XlsxSource {
    name: String,
    rows: std::vec::IntoIter<RawRow>,
}

impl RowSource for XlsxSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn strict_width(&self) -> bool {
        false
    }

    fn next_row(&mut self) -> Option<Result<RawRow, ImportError>> {
        self.rows.next().map(Ok)
    }
}

/// The text of a cell as the interchange format reads it.
fn cell_text(cell: &Data) -> Result<String, Problem> {
    match cell {
        Data::Empty => Ok(String::new()),
        Data::String(s) => Ok(s.clone()),
        Data::Int(i) => Ok(i.to_string()),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                Ok(format!("{}", *f as i64))
            } else if f.fract() == 0.0 {
                // 18-digit ID numbers typed as numbers lose their last digits in Excel.
                Err(Problem::NumberLostDigits)
            } else {
                Ok(format!("{f}"))
            }
        }
        Data::Bool(b) => Ok(b.to_string()),
        Data::DateTime(d) => d
            .as_datetime()
            .map(|t| t.format("%Y-%m-%d").to_string())
            .ok_or(Problem::NotDate),
        Data::DateTimeIso(s) => Ok(s.chars().take(10).collect()),
        Data::DurationIso(s) => Ok(s.clone()),
        Data::Error(e) => Err(Problem::Unreadable {
            detail: format!("cell error {e:?}"),
        }),
    }
}

fn sheet_rows(file: &str, range: &calamine::Range<Data>) -> Vec<RawRow> {
    let first_row = range.start().map_or(0, |(r, _)| r);
    let first_col = range.start().map_or(0, |(_, c)| c) as usize;
    range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            let mut cells = vec![String::new(); first_col];
            let mut cell_problems = Vec::new();
            for (j, cell) in row.iter().enumerate() {
                match cell_text(cell) {
                    Ok(t) => cells.push(t),
                    Err(p) => {
                        cells.push(String::new());
                        cell_problems.push((first_col + j, p));
                    }
                }
            }
            let _ = file;
            RawRow {
                line: u64::from(first_row) + i as u64 + 1,
                cells,
                cell_problems,
            }
        })
        .collect()
}

/// Opens a workbook's first worksheet (departmental sources come one per file).
pub fn open_xlsx_first_sheet(file: &str, bytes: Vec<u8>) -> Result<XlsxSource, Box<ImportError>> {
    let unreadable = |detail: String| {
        Box::new(ImportError {
            file: file.to_string(),
            line: 0,
            column: String::new(),
            value: String::new(),
            problem: Problem::Unreadable { detail },
        })
    };
    // calamine parses untrusted bytes; a panic inside it must become a refusal, not a crash.
    let (name, range) = std::panic::catch_unwind(move || -> Result<_, String> {
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
        let first = wb
            .sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| "the workbook has no worksheet".to_string())?;
        let range = wb.worksheet_range(&first).map_err(|e| e.to_string())?;
        Ok((first, range))
    })
    .map_err(|_| unreadable("not a valid XLSX workbook".into()))?
    .map_err(unreadable)?;
    Ok(XlsxSource {
        rows: sheet_rows(&name, &range).into_iter(),
        name: format!("{file}:{name}"),
    })
}

/// Opens a workbook and picks the households and persons sheets: by name when the workbook
/// names them (`households`/`户`, `persons`/`成员`), otherwise the first two sheets in order.
pub fn open_xlsx_sheets(
    file: &str,
    bytes: Vec<u8>,
    names: [&[&str]; 2],
) -> Result<[XlsxSource; 2], Box<ImportError>> {
    let unreadable = |detail: String| {
        Box::new(ImportError {
            file: file.to_string(),
            line: 0,
            column: String::new(),
            value: String::new(),
            problem: Problem::Unreadable { detail },
        })
    };
    // calamine parses untrusted bytes; a panic inside it must become a refusal, not a crash.
    let opened = std::panic::catch_unwind(move || -> Result<_, String> {
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
        let sheet_names = wb.sheet_names();
        let pick = |wanted: &[&str], pos: usize| -> Option<String> {
            sheet_names
                .iter()
                .find(|n| wanted.iter().any(|w| n.trim().eq_ignore_ascii_case(w)))
                .cloned()
                .or_else(|| sheet_names.get(pos).cloned())
        };
        let (Some(h), Some(p)) = (pick(names[0], 0), pick(names[1], 1)) else {
            return Err("the workbook needs two sheets (households and persons)".into());
        };
        let hr = wb.worksheet_range(&h).map_err(|e| e.to_string())?;
        let pr = wb.worksheet_range(&p).map_err(|e| e.to_string())?;
        Ok(((h, hr), (p, pr)))
    })
    .map_err(|_| unreadable("not a valid XLSX workbook".into()))?
    .map_err(unreadable)?;
    let ((h, hr), (p, pr)) = opened;
    let hn = format!("{file}[{h}]");
    let pn = format!("{file}[{p}]");
    Ok([
        XlsxSource {
            rows: sheet_rows(&hn, &hr).into_iter(),
            name: hn,
        },
        XlsxSource {
            rows: sheet_rows(&pn, &pr).into_iter(),
            name: pn,
        },
    ])
}

/// Reads the records of one sheet, checking the header first.
pub struct SheetReader<S: SheetSpec, R: RowSource> {
    source: R,
    file: String,
    headers: Vec<String>,
    /// For each field present, its cell position.
    positions: HashMap<S::Field, usize>,
    today: NaiveDate,
    _spec: PhantomData<S>,
}

impl<S: SheetSpec, R: RowSource> SheetReader<S, R> {
    /// Reads and checks the header row: unknown columns (unless `ignore_unknown`), duplicated
    /// columns and missing required columns are all reported.
    pub fn open(
        mut source: R,
        today: NaiveDate,
        ignore_unknown: bool,
    ) -> Result<Self, Vec<ImportError>> {
        let file = source.name().to_string();
        let err = |line: u64, column: &str, problem: Problem| ImportError {
            file: file.clone(),
            line,
            column: column.to_string(),
            value: String::new(),
            problem,
        };
        let header = loop {
            match source.next_row() {
                None => return Err(vec![err(1, "", Problem::NoHeader)]),
                Some(Err(e)) => return Err(vec![e]),
                Some(Ok(row)) if row.cells.iter().all(|c| c.trim().is_empty()) => continue,
                Some(Ok(row)) => break row,
            }
        };
        let mut errors = Vec::new();
        let mut positions = HashMap::new();
        for (i, h) in header.cells.iter().enumerate() {
            let name = h.trim();
            let col = S::COLUMNS
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(name) || c.alias == name);
            match col {
                Some(c) => {
                    if positions.insert(c.field, i).is_some() {
                        errors.push(err(header.line, name, Problem::DuplicateColumn));
                    }
                }
                None if ignore_unknown || (name.is_empty() && !source.strict_width()) => {}
                None => errors.push(err(header.line, name, Problem::UnknownColumn)),
            }
        }
        for c in S::COLUMNS
            .iter()
            .filter(|c| c.required && !positions.contains_key(&c.field))
        {
            errors.push(err(
                header.line,
                &format!("{} ({})", c.name, c.alias),
                Problem::MissingColumn,
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(SheetReader {
            source,
            file,
            headers: header.cells.iter().map(|h| h.trim().to_string()).collect(),
            positions,
            today,
            _spec: PhantomData,
        })
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    /// The column of a field as the file's header writes it (English or Chinese).
    pub fn column_name(&self, field: S::Field) -> String {
        self.positions
            .get(&field)
            .and_then(|i| self.headers.get(*i).cloned())
            .unwrap_or_else(|| S::column(field).name.to_string())
    }

    /// An error at a row for a problem found outside the sheet's own rules (an unknown
    /// village, a duplicate household...).
    pub fn error(&self, line: u64, field: S::Field, value: &str, problem: Problem) -> ImportError {
        ImportError {
            file: self.file.clone(),
            line,
            column: self.column_name(field),
            value: value.to_string(),
            problem,
        }
    }

    /// The next row: its line and the record, or every problem of the row. Blank rows are
    /// skipped. `None` at the end of the sheet.
    #[allow(clippy::type_complexity)]
    pub fn next_record(&mut self) -> Option<(u64, Result<S::Record, Vec<ImportError>>)> {
        loop {
            let row = match self.source.next_row()? {
                Ok(r) => r,
                Err(e) => return Some((e.line, Err(vec![e]))),
            };
            if row.cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            return Some((row.line, self.record(row)));
        }
    }

    fn record(&self, row: RawRow) -> Result<S::Record, Vec<ImportError>> {
        let width = self.headers.len();
        let extra = row.cells.iter().skip(width).any(|c| !c.trim().is_empty());
        if extra || (self.source.strict_width() && row.cells.len() != width) {
            return Err(vec![ImportError {
                file: self.file.clone(),
                line: row.line,
                column: String::new(),
                value: String::new(),
                problem: Problem::FieldCount {
                    found: row.cells.len(),
                    expected: width,
                },
            }]);
        }
        let mut errors: Vec<ImportError> = row
            .cell_problems
            .iter()
            .map(|(i, p)| ImportError {
                file: self.file.clone(),
                line: row.line,
                column: self.headers.get(*i).cloned().unwrap_or_default(),
                value: row.cells.get(*i).cloned().unwrap_or_default(),
                problem: p.clone(),
            })
            .collect();
        let bad_cells: Vec<usize> = row.cell_problems.iter().map(|(i, _)| *i).collect();
        let get = |f: S::Field| -> Option<&str> {
            let i = *self.positions.get(&f)?;
            if bad_cells.contains(&i) {
                return Some("");
            }
            Some(row.cells.get(i).map_or("", String::as_str))
        };
        match S::parse(&get, self.today) {
            Ok(rec) if errors.is_empty() => Ok(rec),
            Ok(_) => Err(errors),
            Err(problems) => {
                for (f, p) in problems {
                    let i = self.positions.get(&f).copied();
                    // A cell already reported as unreadable is not reported again as missing.
                    if i.is_some_and(|i| bad_cells.contains(&i)) {
                        continue;
                    }
                    errors.push(ImportError {
                        file: self.file.clone(),
                        line: row.line,
                        column: i
                            .and_then(|i| self.headers.get(i).cloned())
                            .unwrap_or_else(|| S::column(f).name.to_string()),
                        value: i
                            .and_then(|i| row.cells.get(i).cloned())
                            .unwrap_or_default(),
                        problem: p,
                    });
                }
                Err(errors)
            }
        }
    }
}
