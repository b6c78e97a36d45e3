//! Writing a synthetic registry in the interchange format, for the demo, tests and benchmarks.

use std::path::Path;

use jingzhun_domain::area::AreaCode;
use jingzhun_domain::generate::sources::SourceGenerator;
use jingzhun_domain::generate::{Generator, VillageSpec};
use jingzhun_domain::sources::SourceKind;
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_interchange::write::{CsvSheetWriter, Masking, household_cells, person_cells};
use jingzhun_interchange::{HouseholdSheet, PersonSheet, PopulationSheet, SheetSpec};
use jingzhun_store::Store;
use serde::Serialize;

use crate::ServiceError;

/// What was generated.
#[derive(Debug, Clone, Serialize)]
pub struct GenerateSummary {
    pub households: u64,
    pub persons: u64,
    pub villages: usize,
    /// Rows of departmental data written, when asked for.
    pub source_rows: u64,
}

/// What to generate besides the registry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Extras {
    #[default]
    RegistryOnly,
    /// Also every departmental source file of interchange.md, with rows that make leads and
    /// look-alikes that must not.
    WithSources,
}

/// Writes `households.csv`, `persons.csv` and `populations.csv` for `n` households spread evenly
/// over the villages within `area`, village by village, deterministically from `seed` (and the
/// departmental files with [`Extras::WithSources`]).
pub async fn generate(
    store: &dyn Store,
    area: &AreaCode,
    n: u64,
    seed: u64,
    year: i32,
    out: &Path,
    extras: Extras,
) -> Result<GenerateSummary, ServiceError> {
    let villages = store.village_codes(Some(area)).await?;
    if villages.is_empty() {
        return Err(ServiceError::Invalid(format!(
            "no villages are known within {area}: load the areas first (jingzhun areas import)"
        )));
    }
    let out = out.to_path_buf();
    tokio::task::spawn_blocking(move || write_files(villages, n, seed, year, &out, extras))
        .await
        .map_err(|e| ServiceError::Invalid(format!("generator stopped: {e}")))?
}

fn write_files(
    villages: Vec<AreaCode>,
    n: u64,
    seed: u64,
    year: i32,
    out: &Path,
    extras: Extras,
) -> Result<GenerateSummary, ServiceError> {
    let io = |e: std::io::Error| ServiceError::io(out, e);
    std::fs::create_dir_all(out).map_err(io)?;
    let create = |name: &str| -> Result<_, ServiceError> {
        let f = std::fs::File::create(out.join(name)).map_err(io)?;
        Ok(std::io::BufWriter::with_capacity(1 << 17, f))
    };
    let mut hw = CsvSheetWriter::households(create(HouseholdSheet::FILE)?).map_err(io)?;
    let mut pw = CsvSheetWriter::persons(create(PersonSheet::FILE)?).map_err(io)?;
    let nv = villages.len();
    let mut g = Generator::new(
        seed,
        villages.iter().map(|c| VillageSpec { code: *c }).collect(),
        year,
    );
    let mut sources = match extras {
        Extras::RegistryOnly => None,
        Extras::WithSources => {
            let mut writers = std::collections::BTreeMap::new();
            for kind in SourceKind::ALL {
                let mut w = csv::Writer::from_writer(create(kind.file())?);
                w.write_record(kind.columns().iter().map(|c| c.name))
                    .map_err(|e| io(e.into()))?;
                writers.insert(*kind, w);
            }
            Some((SourceGenerator::new(seed, year), writers))
        }
    };
    let mut source_rows = 0u64;
    let mut per_village = vec![0i64; nv];
    let mut persons = 0u64;
    // Village by village, in code order: the order registry exports come in.
    for i in 0..n {
        let vi = Generator::village_of(i, n, nv);
        let (h, members) = g.household_in(vi);
        hw.row(&household_cells(&h, Masking::Unmasked))
            .map_err(io)?;
        for p in &members {
            pw.row(&person_cells(p, Masking::Unmasked)).map_err(io)?;
        }
        if let Some((gen_sources, writers)) = &mut sources {
            for (kind, cells) in gen_sources.household(&h, &members) {
                if let Some(w) = writers.get_mut(&kind) {
                    w.write_record(&cells).map_err(|e| io(e.into()))?;
                    source_rows += 1;
                }
            }
        }
        per_village[vi] += members.len() as i64;
        persons += members.len() as u64;
    }
    if let Some((_, writers)) = sources {
        for (_, mut w) in writers {
            w.flush().map_err(io)?;
        }
    }
    hw.finish().map_err(io)?;
    pw.finish().map_err(io)?;
    let mut w = csv::Writer::from_writer(create(PopulationSheet::FILE)?);
    w.write_record(["area_code", "year", "rural_population"])
        .map_err(|e| io(e.into()))?;
    for (code, registered) in villages.iter().zip(per_village) {
        let pop = g.rural_population(registered);
        w.write_record([code.as_str(), &year.to_string(), &pop.to_string()])
            .map_err(|e| io(e.into()))?;
    }
    w.flush().map_err(io)?;
    Ok(GenerateSummary {
        households: n,
        persons,
        villages: nv,
        source_rows,
    })
}
