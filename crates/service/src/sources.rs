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
use jingzhun_interchange::read::{RowSource, SheetReader, open_csv, open_xlsx_first_sheet};
use jingzhun_interchange::sources::{SheetVisitor, with_sheet};
use jingzhun_interchange::{ImportError, Report};
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
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct SourceImportSummary {
    pub import_id: i64,
    pub kind: SourceKind,
    pub rows: usize,
    pub digest: String,
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
    let villages: Option<HashSet<AreaCode>> = match village_column(kind) {
        Some(_) => Some(store.village_codes(None).await?.into_iter().collect()),
        None => None,
    };
    let rows = {
        let path = path.to_path_buf();
        let opts = opts.clone();
        tokio::task::spawn_blocking(move || read_source(kind, &path, &opts, villages.as_ref()))
            .await
            .map_err(|e| ServiceError::Invalid(format!("reading stopped: {e}")))??
    };
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
        detail: serde_json::json!({ "import": import_id, "rows": rows.len(), "digest": digest }),
    })
    .await?;
    tx.commit().await?;
    tracing::info!(kind = kind.code(), rows = rows.len(), "source imported");
    Ok(SourceImportSummary {
        import_id,
        kind,
        rows: rows.len(),
        digest,
    })
}

/// Reads a whole source file into rows, or the report of every bad row.
fn read_source(
    kind: SourceKind,
    path: &Path,
    opts: &SourceImportOptions,
    villages: Option<&HashSet<AreaCode>>,
) -> Result<Vec<SourceRow>, ServiceError> {
    let file = path.file_name().map_or_else(
        || kind.file().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let is_xlsx = file.to_ascii_lowercase().ends_with(".xlsx");
    let source: Box<dyn RowSource> = if is_xlsx {
        let bytes = std::fs::read(path).map_err(|e| ServiceError::io(path, e))?;
        Box::new(
            open_xlsx_first_sheet(&file, bytes)
                .map_err(|e| ServiceError::Rejected(Report { errors: vec![*e] }))?,
        )
    } else {
        let f = std::fs::File::open(path).map_err(|e| ServiceError::io(path, e))?;
        Box::new(open_csv(
            &file,
            std::io::BufReader::with_capacity(1 << 17, f),
        ))
    };
    with_sheet(
        kind,
        Read {
            kind,
            source,
            today: opts.today,
            ignore_unknown: opts.ignore_unknown_columns,
            villages,
        },
    )
}

struct Read<'a> {
    kind: SourceKind,
    source: Box<dyn RowSource>,
    today: NaiveDate,
    ignore_unknown: bool,
    villages: Option<&'a HashSet<AreaCode>>,
}

impl SheetVisitor for Read<'_> {
    type Output = Result<Vec<SourceRow>, ServiceError>;

    fn visit<S: SheetSpec<Field = usize, Record = SourceRecord>>(self) -> Self::Output {
        let mut reader = SheetReader::<S, _>::open(self.source, self.today, self.ignore_unknown)
            .map_err(|errors| ServiceError::Rejected(Report { errors }))?;
        let village_col = village_column(self.kind);
        let mut report = Report::default();
        let mut rows = Vec::new();
        while let Some((line, rec)) = reader.next_record() {
            match rec {
                Ok(record) => {
                    if let (Some(i), Some(known)) = (village_col, self.villages)
                        && let Some(Cell::Text(code)) = record.cells.get(i)
                        && !AreaCode::parse(code).is_ok_and(|c| known.contains(&c))
                    {
                        report.push(reader.error(line, i, code, Problem::UnknownVillage));
                        continue;
                    }
                    rows.push(SourceRow { line, record });
                }
                Err(errors) => errors.into_iter().for_each(|e: ImportError| report.push(e)),
            }
        }
        if report.is_empty() {
            Ok(rows)
        } else {
            Err(ServiceError::Rejected(report))
        }
    }
}
