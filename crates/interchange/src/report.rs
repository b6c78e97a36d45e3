//! The error report of a rejected import: every bad row, readable by a person and as CSV.

use std::fmt;

use jingzhun_domain::Problem;

/// One problem at one place of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// File name (`persons.csv`) or workbook and sheet (`registry.xlsx[persons]`).
    pub file: String,
    /// Line in the file (1 is the header), or the row number in the sheet.
    pub line: u64,
    /// Column name as written in the file's header; empty for a problem of the whole file.
    pub column: String,
    pub value: String,
    pub problem: Problem,
}

impl fmt::Display for ImportError {
    /// `persons.csv:118 id_number 51030419880128039X: check character should be 8 / 校验码应为 8`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if !self.column.is_empty() {
            write!(f, " {}", self.column)?;
        }
        if !self.value.is_empty() {
            write!(f, " {}", crate::text::quote(&self.value))?;
        }
        write!(f, ": {} / {}", self.problem.en(), self.problem.zh())
    }
}

/// The language of a report's or an export's headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

/// Every problem found in an import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub errors: Vec<ImportError>,
}

impl Report {
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn push(&mut self, e: ImportError) {
        self.errors.push(e);
    }

    /// Rows with at least one problem.
    pub fn bad_rows(&self) -> usize {
        let mut rows: Vec<(&str, u64)> = self
            .errors
            .iter()
            .map(|e| (e.file.as_str(), e.line))
            .collect();
        rows.sort_unstable();
        rows.dedup();
        rows.len()
    }

    /// The report as text, one problem per line, in file and line order.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for e in self.sorted() {
            out.push_str(&e.to_string());
            out.push('\n');
        }
        out
    }

    /// The report as CSV in English: `file,line,column,value,reason_zh,reason_en`, UTF-8 with
    /// a byte-order mark so that Excel opens it correctly.
    pub fn to_csv(&self) -> Vec<u8> {
        self.to_csv_in(Lang::En)
    }

    /// The report as CSV with the headers in a language (Chinese: `文件,行号,列,值,原因,原因（英文）`).
    pub fn to_csv_in(&self, lang: Lang) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        let header = match lang {
            Lang::En => ["file", "line", "column", "value", "reason_zh", "reason_en"],
            Lang::Zh => ["文件", "行号", "列", "值", "原因", "原因（英文）"],
        };
        let _ = w.write_record(header);
        for e in self.sorted() {
            let _ = w.write_record([
                e.file.as_str(),
                &e.line.to_string(),
                &e.column,
                &crate::write::guard_formula(&crate::text::quote(&e.value)),
                &e.problem.zh(),
                &e.problem.en(),
            ]);
        }
        w.into_inner().unwrap_or_default()
    }

    fn sorted(&self) -> Vec<&ImportError> {
        let mut v: Vec<&ImportError> = self.errors.iter().collect();
        v.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_reads_as_file_line_column_value_and_reason_in_both_languages() {
        let e = ImportError {
            file: "persons.csv".into(),
            line: 118,
            column: "id_number".into(),
            value: "51030419880128039X".into(),
            problem: Problem::IdCheckCharacter { expected: '8' },
        };
        assert_eq!(
            e.to_string(),
            "persons.csv:118 id_number 51030419880128039X: check character should be 8 / 校验码应为 8"
        );
        let r = Report { errors: vec![e] };
        let csv = String::from_utf8(r.to_csv()).unwrap();
        assert_eq!(
            csv,
            "\u{feff}file,line,column,value,reason_zh,reason_en\npersons.csv,118,id_number,51030419880128039X,校验码应为 8,check character should be 8\n"
        );
        let zh = String::from_utf8(r.to_csv_in(Lang::Zh)).unwrap();
        assert!(
            zh.starts_with("\u{feff}文件,行号,列,值,原因,原因（英文）\n"),
            "{zh}"
        );
    }

    #[test]
    fn a_long_value_is_quoted_to_80_characters_and_a_formula_is_not_run() {
        let e = ImportError {
            file: "persons.csv".into(),
            line: 2,
            column: "name".into(),
            value: "x".repeat(200_000),
            problem: Problem::TooLong { max: 4000 },
        };
        assert!(e.to_string().len() < 300);
        let r = Report {
            errors: vec![
                e,
                ImportError {
                    file: "persons.csv".into(),
                    line: 3,
                    column: "name".into(),
                    value: "=HYPERLINK(1)".into(),
                    problem: Problem::Required,
                },
            ],
        };
        let csv = String::from_utf8(r.to_csv()).unwrap();
        assert!(csv.len() < 600, "{}", csv.len());
        assert!(csv.contains(",'=HYPERLINK(1),"), "{csv}");
    }
}
