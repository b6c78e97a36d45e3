//! Reading sheets: rows of text from CSV or XLSX, then records through the domain's rules.

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::marker::PhantomData;

use calamine::{Data, DataRef, Reader as _, Xlsx};
use chrono::NaiveDate;
use jingzhun_domain::Problem;

use crate::columns::SheetSpec;
use crate::report::ImportError;
use crate::text::{Decoded, Encoding, EncodingChoice, MAX_CELL_CHARS, text_error};

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
    /// The text encoding read (CSV), once known.
    fn encoding(&self) -> Option<Encoding> {
        None
    }
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

    fn encoding(&self) -> Option<Encoding> {
        (**self).encoding()
    }
}

/// A CSV file (UTF-8 with or without BOM, or GB18030/GBK; RFC 4180 quoting), read a row at a
/// time; line numbers are the file's physical lines, LF or CRLF.
pub struct CsvSource<R: Read> {
    name: String,
    reader: csv::Reader<Decoded<R>>,
    record: csv::ByteRecord,
    /// Set once the text itself could not be read: nothing more is read.
    stopped: bool,
}

/// Opens a CSV source over any reader, telling its encoding by itself.
pub fn open_csv<R: Read>(name: &str, reader: R) -> CsvSource<R> {
    open_csv_with(name, reader, EncodingChoice::Auto)
}

/// Opens a CSV source in a chosen encoding (or [`EncodingChoice::Auto`]).
pub fn open_csv_with<R: Read>(name: &str, reader: R, encoding: EncodingChoice) -> CsvSource<R> {
    CsvSource {
        name: name.to_string(),
        reader: csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(Decoded::new(reader, encoding)),
        record: csv::ByteRecord::new(),
        stopped: false,
    }
}

impl<R: Read> CsvSource<R> {
    fn file_error(&self, line: u64, problem: Problem) -> ImportError {
        ImportError {
            file: self.name.clone(),
            line,
            column: String::new(),
            value: String::new(),
            problem,
        }
    }
}

impl<R: Read> RowSource for CsvSource<R> {
    fn name(&self) -> &str {
        &self.name
    }

    fn strict_width(&self) -> bool {
        true
    }

    fn encoding(&self) -> Option<Encoding> {
        Some(self.reader.get_ref().encoding())
    }

    fn next_row(&mut self) -> Option<Result<RawRow, ImportError>> {
        if self.stopped {
            return None;
        }
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                let offset = self.record.position().map_or(0, |p| p.byte());
                let line = self.reader.get_mut().line_at(offset);
                let mut cells = Vec::with_capacity(self.record.len());
                let mut cell_problems = Vec::new();
                for (i, raw) in self.record.iter().enumerate() {
                    match std::str::from_utf8(raw) {
                        Ok(s) => {
                            if s.len() > MAX_CELL_CHARS && s.chars().count() > MAX_CELL_CHARS {
                                cells.push(crate::text::quote(s));
                                cell_problems.push((
                                    i,
                                    Problem::TooLong {
                                        max: MAX_CELL_CHARS,
                                    },
                                ));
                            } else {
                                cells.push(crate::write::unguard_formula(s).to_string());
                            }
                        }
                        Err(_) => {
                            cells.push(crate::text::quote(&String::from_utf8_lossy(raw)));
                            cell_problems.push((
                                i,
                                Problem::Unreadable {
                                    detail: "not UTF-8 text".into(),
                                },
                            ));
                        }
                    }
                }
                Some(Ok(RawRow {
                    line,
                    cells,
                    cell_problems,
                }))
            }
            Err(e) => {
                let text = match e.kind() {
                    csv::ErrorKind::Io(io) => text_error(io).cloned(),
                    _ => None,
                };
                Some(Err(match text {
                    Some(t) => {
                        // The text itself is unreadable: one error for the whole file.
                        self.stopped = true;
                        self.file_error(t.line, t.problem)
                    }
                    None => {
                        let line = self
                            .reader
                            .get_mut()
                            .line_at(e.position().map_or(0, |p| p.byte()));
                        if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                            self.stopped = true;
                        }
                        self.file_error(
                            line,
                            Problem::Unreadable {
                                detail: e.to_string(),
                            },
                        )
                    }
                }))
            }
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

/// How much a workbook may unpack to (interchange.md, Limits); rows and columns are fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XlsxLimits {
    /// The sum of the declared unpacked sizes of the workbook's parts.
    pub max_unpacked_bytes: u64,
}

impl Default for XlsxLimits {
    fn default() -> Self {
        XlsxLimits {
            max_unpacked_bytes: DEFAULT_XLSX_LIMIT_MIB << 20,
        }
    }
}

impl XlsxLimits {
    pub fn mib(mib: u64) -> Self {
        XlsxLimits {
            max_unpacked_bytes: mib.saturating_mul(1 << 20),
        }
    }
}

/// The default unpacked size limit of a workbook, in MiB.
pub const DEFAULT_XLSX_LIMIT_MIB: u64 = 512;
/// The most rows and columns a sheet may declare or use.
pub const MAX_SHEET_ROWS: u32 = 1_000_000;
pub const MAX_SHEET_COLUMNS: u32 = 200;

/// Checks the sizes the zip directory declares before anything is unpacked.
fn check_unpacked_size(bytes: &[u8], limits: &XlsxLimits) -> Result<(), Problem> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| Problem::Unreadable {
        detail: format!("not a valid XLSX workbook ({e})"),
    })?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|e| Problem::Unreadable {
            detail: format!("not a valid XLSX workbook ({e})"),
        })?;
        total = total.saturating_add(f.size());
    }
    if total > limits.max_unpacked_bytes {
        return Err(Problem::WorkbookTooLarge {
            detail: format!(
                "it unpacks to {} MiB, the limit is {} MiB",
                total >> 20,
                limits.max_unpacked_bytes >> 20
            ),
        });
    }
    Ok(())
}

fn too_large(what: &str, cell: (u32, u32)) -> Problem {
    Problem::WorkbookTooLarge {
        detail: format!(
            "{what} reaches row {} column {} (at most {MAX_SHEET_ROWS} rows and {MAX_SHEET_COLUMNS} columns)",
            u64::from(cell.0) + 1,
            u64::from(cell.1) + 1
        ),
    }
}

/// The text of a streamed cell as the interchange format reads it.
fn cell_ref_text(cell: &DataRef<'_>) -> Result<String, Problem> {
    match cell {
        DataRef::SharedString(s) => Ok((*s).to_string()),
        DataRef::String(s) => Ok(s.clone()),
        DataRef::Empty => Ok(String::new()),
        DataRef::Int(i) => cell_text(&Data::Int(*i)),
        DataRef::Float(f) => cell_text(&Data::Float(*f)),
        DataRef::Bool(b) => cell_text(&Data::Bool(*b)),
        DataRef::DateTime(d) => cell_text(&Data::DateTime(*d)),
        DataRef::DateTimeIso(s) => cell_text(&Data::DateTimeIso(s.clone())),
        DataRef::DurationIso(s) => cell_text(&Data::DurationIso(s.clone())),
        DataRef::Error(e) => cell_text(&Data::Error(e.clone())),
    }
}

/// Reads a worksheet cell by cell, refusing a sheet that declares or uses cells beyond the
/// limits before holding them: only the cells present are kept, row by row.
fn sheet_rows<RS: std::io::Read + std::io::Seek>(
    wb: &mut Xlsx<RS>,
    name: &str,
) -> Result<Vec<RawRow>, Problem> {
    let unreadable = |e: calamine::XlsxError| Problem::Unreadable {
        detail: e.to_string(),
    };
    let mut cells = wb.worksheet_cells_reader(name).map_err(unreadable)?;
    let dim = cells.dimensions();
    if dim.end.0 >= MAX_SHEET_ROWS || dim.end.1 >= MAX_SHEET_COLUMNS {
        return Err(too_large("the sheet's declared size", dim.end));
    }
    let mut rows: Vec<RawRow> = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let (r, c) = cell.get_position();
        if r >= MAX_SHEET_ROWS || c >= MAX_SHEET_COLUMNS {
            return Err(too_large("a cell", (r, c)));
        }
        let (text, problem) = match cell_ref_text(cell.get_value()) {
            Ok(t) if t.chars().count() > MAX_CELL_CHARS => (
                crate::text::quote(&t),
                Some(Problem::TooLong {
                    max: MAX_CELL_CHARS,
                }),
            ),
            Ok(t) => (t, None),
            Err(p) => (String::new(), Some(p)),
        };
        if text.is_empty() && problem.is_none() {
            continue;
        }
        let line = u64::from(r) + 1;
        if rows.last().is_none_or(|row| row.line != line) {
            // Cells come row by row; a workbook that goes back is read in its own order.
            rows.push(RawRow {
                line,
                cells: Vec::new(),
                cell_problems: Vec::new(),
            });
        }
        let row = rows.last_mut().expect("a row was just pushed");
        let c = c as usize;
        if row.cells.len() <= c {
            row.cells.resize(c + 1, String::new());
        }
        row.cells[c] = text;
        if let Some(p) = problem {
            row.cell_problems.push((c, p));
        }
    }
    rows.sort_by_key(|r| r.line);
    Ok(rows)
}

/// Opens a workbook after checking its declared size; calamine parses untrusted bytes, so a
/// panic inside it becomes a refusal, not a crash.
fn with_workbook<T>(
    file: &str,
    bytes: Vec<u8>,
    limits: &XlsxLimits,
    f: impl FnOnce(&mut Xlsx<Cursor<Vec<u8>>>) -> Result<T, Problem> + std::panic::UnwindSafe,
) -> Result<T, Box<ImportError>> {
    let refuse = |problem: Problem| {
        Box::new(ImportError {
            file: file.to_string(),
            line: 0,
            column: String::new(),
            value: String::new(),
            problem,
        })
    };
    check_unpacked_size(&bytes, limits).map_err(refuse)?;
    std::panic::catch_unwind(move || -> Result<T, Problem> {
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| Problem::Unreadable {
            detail: e.to_string(),
        })?;
        f(&mut wb)
    })
    .map_err(|_| {
        refuse(Problem::Unreadable {
            detail: "not a valid XLSX workbook".into(),
        })
    })?
    .map_err(refuse)
}

/// Opens a workbook's first worksheet (departmental sources come one per file).
pub fn open_xlsx_first_sheet(
    file: &str,
    bytes: Vec<u8>,
    limits: &XlsxLimits,
) -> Result<XlsxSource, Box<ImportError>> {
    let (name, rows) = with_workbook(file, bytes, limits, |wb| {
        let first = wb
            .sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| Problem::Unreadable {
                detail: "the workbook has no worksheet".into(),
            })?;
        let rows = sheet_rows(wb, &first)?;
        Ok((first, rows))
    })?;
    Ok(XlsxSource {
        rows: rows.into_iter(),
        name: format!("{file}:{name}"),
    })
}

/// Opens a workbook and picks the households and persons sheets: by name when the workbook
/// names them (`households`/`户`, `persons`/`成员`), otherwise the first two sheets in order.
pub fn open_xlsx_sheets(
    file: &str,
    bytes: Vec<u8>,
    names: [&[&str]; 2],
    limits: &XlsxLimits,
) -> Result<[XlsxSource; 2], Box<ImportError>> {
    let names: [Vec<String>; 2] = names.map(|n| n.iter().map(|s| s.to_string()).collect());
    let ((h, hr), (p, pr)) = with_workbook(file, bytes, limits, move |wb| {
        let sheet_names = wb.sheet_names();
        let pick = |wanted: &[String], pos: usize| -> Option<String> {
            sheet_names
                .iter()
                .find(|n| wanted.iter().any(|w| n.trim().eq_ignore_ascii_case(w)))
                .cloned()
                .or_else(|| sheet_names.get(pos).cloned())
        };
        let (Some(h), Some(p)) = (pick(&names[0], 0), pick(&names[1], 1)) else {
            return Err(Problem::Unreadable {
                detail: "the workbook needs two sheets (households and persons)".into(),
            });
        };
        let hr = sheet_rows(wb, &h)?;
        let pr = sheet_rows(wb, &p)?;
        Ok(((h, hr), (p, pr)))
    })?;
    let hn = format!("{file}[{h}]");
    let pn = format!("{file}[{p}]");
    Ok([
        XlsxSource {
            rows: hr.into_iter(),
            name: hn,
        },
        XlsxSource {
            rows: pr.into_iter(),
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
    /// The cells of the last row refused, for what the caller needs to know of it.
    refused: Option<RawRow>,
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
            refused: None,
            _spec: PhantomData,
        })
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    /// The text encoding of a CSV file, as far as it is read.
    pub fn encoding(&self) -> Option<Encoding> {
        self.source.encoding()
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
            let line = row.line;
            let rec = self.record(row);
            return Some((line, rec));
        }
    }

    /// A field's text in the row [`Self::next_record`] just refused (`None` after a good row).
    pub fn refused_value(&self, field: S::Field) -> Option<&str> {
        let i = *self.positions.get(&field)?;
        self.refused.as_ref()?.cells.get(i).map(String::as_str)
    }

    fn record(&mut self, row: RawRow) -> Result<S::Record, Vec<ImportError>> {
        self.refused = None;
        let result = self.check(&row);
        if result.is_err() {
            self.refused = Some(row);
        }
        result
    }

    fn check(&self, row: &RawRow) -> Result<S::Record, Vec<ImportError>> {
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
        // A workbook may hold a date as a day serial number (a number cell not formatted as a
        // date): read it as the day it counts.
        let serials: Vec<(usize, String)> = if self.source.strict_width() {
            Vec::new()
        } else {
            self.positions
                .iter()
                .filter(|(f, _)| S::is_date(**f))
                .filter_map(|(_, &i)| {
                    let t = row.cells.get(i)?.trim();
                    if t.is_empty() || t.len() > 7 || !t.bytes().all(|b| b.is_ascii_digit()) {
                        return None;
                    }
                    let day = jingzhun_domain::dates::from_excel_serial(t.parse().ok()?)?;
                    Some((i, day.format("%Y-%m-%d").to_string()))
                })
                .collect()
        };
        let get = |f: S::Field| -> Option<&str> {
            let i = *self.positions.get(&f)?;
            if bad_cells.contains(&i) {
                return Some("");
            }
            if let Some((_, day)) = serials.iter().find(|(j, _)| *j == i) {
                return Some(day.as_str());
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
