//! Registry export in the interchange format: a folder of CSV files or one XLSX workbook.
//! Masked unless asked otherwise; every export is audited (who, what area, masked or not).

use std::path::{Path, PathBuf};

use jingzhun_domain::area::AreaCode;
use jingzhun_domain::audit::AuditEvent;
use jingzhun_domain::registry::HouseholdId;
use jingzhun_interchange::write::{
    CsvSheetWriter, Masking, Sheet, XlsxRegistryWriter, household_cells, person_cells,
};
use jingzhun_interchange::{HouseholdSheet, PersonSheet, SheetSpec};
use jingzhun_store::Store;
use serde::Serialize;

use crate::ServiceError;

const PAGE: i64 = 2000;

/// The two formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// `OUT` is a folder that receives `households.csv` and `persons.csv`.
    Csv,
    /// `OUT` is the workbook.
    Xlsx,
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ExportSummary {
    pub households: i64,
    pub persons: i64,
    pub masked: bool,
}

type CsvFile = CsvSheetWriter<std::io::BufWriter<std::fs::File>>;

enum Sink {
    Csv {
        dir: PathBuf,
        households: Box<CsvFile>,
        persons: Box<CsvFile>,
    },
    Xlsx(Box<XlsxRegistryWriter>),
}

fn io(p: &Path) -> impl Fn(std::io::Error) -> ServiceError + '_ {
    move |e| ServiceError::io(p, e)
}

fn tmp_name(name: &str) -> String {
    format!(".{name}.partial")
}

/// Exports the households (and their members) within `area` to `out`.
pub async fn export_registry(
    store: &dyn Store,
    area: &AreaCode,
    format: ExportFormat,
    out: &Path,
    masking: Masking,
    actor: &str,
) -> Result<ExportSummary, ServiceError> {
    if store.area(area).await?.is_none() {
        return Err(ServiceError::NotFound {
            what: "area",
            key: area.to_string(),
        });
    }
    let xlsx = |e: jingzhun_interchange::write::XlsxError| ServiceError::Xlsx(e.to_string());
    let mut sink = match format {
        ExportFormat::Csv => {
            std::fs::create_dir_all(out).map_err(io(out))?;
            let open = |name: &str| -> Result<std::io::BufWriter<std::fs::File>, ServiceError> {
                let p = out.join(tmp_name(name));
                Ok(std::io::BufWriter::new(
                    std::fs::File::create(&p).map_err(io(&p))?,
                ))
            };
            Sink::Csv {
                dir: out.to_path_buf(),
                households: Box::new(
                    CsvSheetWriter::households(open(HouseholdSheet::FILE)?).map_err(io(out))?,
                ),
                persons: Box::new(
                    CsvSheetWriter::persons(open(PersonSheet::FILE)?).map_err(io(out))?,
                ),
            }
        }
        ExportFormat::Xlsx => Sink::Xlsx(Box::new(XlsxRegistryWriter::new().map_err(xlsx)?)),
    };
    let (mut households, mut persons) = (0i64, 0i64);
    let mut after: Option<HouseholdId> = None;
    loop {
        let page = store.households_page(area, after.as_ref(), PAGE).await?;
        if page.is_empty() {
            break;
        }
        let ids: Vec<HouseholdId> = page.iter().map(|h| h.household_id.clone()).collect();
        let members = store.persons_of(&ids).await?;
        for h in &page {
            let cells = household_cells(h, masking);
            match &mut sink {
                Sink::Csv { households, .. } => households.row(&cells).map_err(io(out))?,
                Sink::Xlsx(w) => w.row(Sheet::Households, &cells).map_err(xlsx)?,
            }
        }
        for p in &members {
            let cells = person_cells(p, masking);
            match &mut sink {
                Sink::Csv { persons, .. } => persons.row(&cells).map_err(io(out))?,
                Sink::Xlsx(w) => w.row(Sheet::Persons, &cells).map_err(xlsx)?,
            }
        }
        households += page.len() as i64;
        persons += members.len() as i64;
        after = page.last().map(|h| h.household_id.clone());
    }
    match sink {
        Sink::Csv {
            dir,
            households: h,
            persons: p,
        } => {
            h.finish().map_err(io(&dir))?;
            p.finish().map_err(io(&dir))?;
            for name in [HouseholdSheet::FILE, PersonSheet::FILE] {
                let from = dir.join(tmp_name(name));
                std::fs::rename(&from, dir.join(name)).map_err(io(&from))?;
            }
        }
        Sink::Xlsx(w) => {
            let bytes = w.into_bytes().map_err(xlsx)?;
            let tmp = out.with_extension("xlsx.partial");
            std::fs::write(&tmp, bytes).map_err(io(&tmp))?;
            std::fs::rename(&tmp, out).map_err(io(out))?;
        }
    }
    let masked = masking == Masking::Masked;
    store
        .audit(&AuditEvent {
            actor: actor.into(),
            action: if masked {
                "registry.export"
            } else {
                "registry.export_unmasked"
            }
            .into(),
            subject_kind: "area".into(),
            subject_id: area.to_string(),
            detail: serde_json::json!({
                "format": match format { ExportFormat::Csv => "csv", ExportFormat::Xlsx => "xlsx" },
                "households": households,
                "persons": persons,
                "masked": masked,
            }),
        })
        .await?;
    Ok(ExportSummary {
        households,
        persons,
        masked,
    })
}
