//! Importing other departments' data (interchange.md): validated like the registry, all or
//! nothing with a report of every bad row, recorded with its digest; a new import of a kind
//! replaces the previous copy.

use std::collections::HashSet;
use std::path::Path;

use chrono::NaiveDate;
use jingzhun_domain::area::AreaCode;
use jingzhun_domain::audit::AuditEvent;
use jingzhun_domain::checks::SourceRow;
use jingzhun_domain::problem::Problem;
use jingzhun_domain::sources::{Cell, SourceKind, SourceRecord, village_column};
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_interchange::columns::SheetSpec;
use jingzhun_interchange::read::{
    RowSource, SheetReader, XlsxLimits, open_csv_with, open_xlsx_first_sheet,
};
use jingzhun_interchange::sources::{SheetVisitor, with_sheet};
use jingzhun_interchange::{EncodingChoice, ImportError, Report};
use jingzhun_store::{NewImport, Store};
use serde::Serialize;

use crate::{ServiceError, file_digest};

/// How to import a source file.
#[derive(Debug, Clone)]
pub struct SourceImportOptions {
    pub actor: String,
    /// Import even if the same file was imported before.
    pub force: bool,
    pub ignore_unknown_columns: bool,
    pub today: NaiveDate,
    /// Accept a file without rows (it replaces the previous copy with nothing).
    pub allow_empty: bool,
    /// The text encoding of a CSV file (told apart by itself by default).
    pub encoding: EncodingChoice,
    pub xlsx_limits: XlsxLimits,
}

impl Default for SourceImportOptions {
    fn default() -> Self {
        SourceImportOptions {
            actor: String::new(),
            force: false,
            ignore_unknown_columns: false,
            today: crate::today_in_china(),
            allow_empty: false,
            encoding: EncodingChoice::Auto,
            xlsx_limits: XlsxLimits::default(),
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct SourceImportSummary {
    pub import_id: i64,
    pub kind: SourceKind,
    pub rows: usize,
    pub digest: String,
    /// The text encoding of a CSV file (`None` for a workbook).
    pub encoding: Option<String>,
}

/// The import kind recorded for a source (`source:vehicles`).
pub fn import_kind(kind: SourceKind) -> String {
    format!("source:{}", kind.code())
}

/// Imports one source file (CSV, or the first sheet of an `.xlsx`), replacing the previous copy
/// of its kind in one transaction.
pub async fn import_source(
    store: &dyn Store,
    kind: SourceKind,
    path: &Path,
    opts: &SourceImportOptions,
) -> Result<SourceImportSummary, ServiceError> {
    let digest = {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || file_digest(&path))
            .await
            .map_err(|e| ServiceError::Invalid(format!("hashing stopped: {e}")))??
    };
    if let Some(previous) = store.import_by_digest(&import_kind(kind), &digest).await?
        && !opts.force
    {
        return Err(ServiceError::DuplicateImport {
            previous: Box::new(previous),
        });
    }
    let rows = {
        let path = path.to_path_buf();
        let opts = opts.clone();
        tokio::task::spawn_blocking(move || read_source(kind, &path, &opts))
            .await
            .map_err(|e| ServiceError::Invalid(format!("reading stopped: {e}")))??
    };
    let (rows, mut report, encoding) = rows;
    if rows.is_empty() && report.is_empty() && !opts.allow_empty {
        report.push(ImportError {
            file: path.file_name().map_or_else(
                || kind.file().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            line: 2,
            column: String::new(),
            value: String::new(),
            problem: Problem::EmptyFile,
        });
    }
    check_villages(store, kind, path, &rows, &mut report).await?;
    if !report.is_empty() {
        report.errors.sort_by_key(|e| e.line);
        return Err(ServiceError::Rejected(report));
    }
    let mut tx = store.begin().await?;
    let import_id = tx
        .begin_import(&NewImport {
            kind: import_kind(kind),
            digest: digest.clone(),
            source: path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            actor: opts.actor.clone(),
            forced: opts.force,
        })
        .await?;
    tx.replace_source(kind, &rows, import_id).await?;
    tx.finish_import(import_id, 0, 0).await?;
    tx.append_audit(&AuditEvent {
        actor: opts.actor.clone(),
        action: "sources.import".into(),
        subject_kind: "source".into(),
        subject_id: kind.code().into(),
        detail: serde_json::json!({
            "import": import_id,
            "rows": rows.len(),
            "digest": digest,
            "encoding": encoding.map(|e| e.name()),
        }),
    })
    .await?;
    tx.commit().await?;
    tracing::info!(kind = kind.code(), rows = rows.len(), "source imported");
    Ok(SourceImportSummary {
        import_id,
        kind,
        rows: rows.len(),
        digest,
        encoding: encoding.map(|e| e.name().to_string()),
    })
}

/// Reports rows naming a village the platform does not know (cadres).
async fn check_villages(
    store: &dyn Store,
    kind: SourceKind,
    path: &Path,
    rows: &[SourceRow],
    report: &mut Report,
) -> Result<(), ServiceError> {
    let Some(col) = village_column(kind) else {
        return Ok(());
    };
    let named: HashSet<&str> = rows
        .iter()
        .filter_map(|r| match r.record.cells.get(col) {
            Some(Cell::Text(code)) => Some(code.as_str()),
            _ => None,
        })
        .collect();
    let mut unknown = HashSet::new();
    for code in named {
        let known = match AreaCode::parse(code) {
            Ok(c) => store
                .area(&c)
                .await?
                .is_some_and(|a| a.level == jingzhun_domain::area::AreaLevel::Village),
            Err(_) => false,
        };
        if !known {
            unknown.insert(code.to_string());
        }
    }
    if unknown.is_empty() {
        return Ok(());
    }
    let file = path.file_name().map_or_else(
        || kind.file().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let column = kind.columns()[col].name.to_string();
    for r in rows {
        if let Some(Cell::Text(code)) = r.record.cells.get(col)
            && unknown.contains(code)
        {
            report.push(ImportError {
                file: file.clone(),
                line: r.line,
                column: column.clone(),
                value: code.clone(),
                problem: Problem::UnknownVillage,
            });
        }
    }
    Ok(())
}

/// Reads a whole source file into its good rows and the report of every bad one (an unreadable
/// file or header is an error at once).
fn read_source(
    kind: SourceKind,
    path: &Path,
    opts: &SourceImportOptions,
) -> Result<ReadSource, ServiceError> {
    let file = path.file_name().map_or_else(
        || kind.file().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let is_xlsx = file.to_ascii_lowercase().ends_with(".xlsx");
    let source: Box<dyn RowSource> = if is_xlsx {
        let bytes = std::fs::read(path).map_err(|e| ServiceError::io(path, e))?;
        Box::new(
            open_xlsx_first_sheet(&file, bytes, &opts.xlsx_limits)
                .map_err(|e| ServiceError::Rejected(Report { errors: vec![*e] }))?,
        )
    } else {
        let f = std::fs::File::open(path).map_err(|e| ServiceError::io(path, e))?;
        Box::new(open_csv_with(
            &file,
            std::io::BufReader::with_capacity(1 << 17, f),
            opts.encoding,
        ))
    };
    with_sheet(
        kind,
        Read {
            source,
            today: opts.today,
            ignore_unknown: opts.ignore_unknown_columns,
        },
    )
}

/// The good rows of a source file, the report of its bad ones, and its text encoding.
type ReadSource = (
    Vec<SourceRow>,
    Report,
    Option<jingzhun_interchange::Encoding>,
);

struct Read {
    source: Box<dyn RowSource>,
    today: NaiveDate,
    ignore_unknown: bool,
}

impl SheetVisitor for Read {
    type Output = Result<ReadSource, ServiceError>;

    fn visit<S: SheetSpec<Field = usize, Record = SourceRecord>>(self) -> Self::Output {
        let mut reader = SheetReader::<S, _>::open(self.source, self.today, self.ignore_unknown)
            .map_err(|errors| ServiceError::Rejected(Report { errors }))?;
        let mut report = Report::default();
        let mut rows = Vec::new();
        while let Some((line, rec)) = reader.next_record() {
            match rec {
                Ok(record) => rows.push(SourceRow { line, record }),
                Err(errors) => errors.into_iter().for_each(|e: ImportError| report.push(e)),
            }
        }
        let encoding = reader.encoding();
        Ok((rows, report, encoding))
    }
}
