//! The registry import: a folder with `households.csv` and `persons.csv`, or one `.xlsx` with
//! two sheets, validated row by row and written all or nothing.
//!
//! Two stages run side by side: a reader thread parses and validates rows (the domain rules,
//! duplicates within the file, known villages) and sends them in chunks; the writer checks what
//! needs the database (existing households and their statuses) and writes each chunk inside one
//! transaction. After the first problem nothing more is written but reading goes on, so the
//! report names every bad row; then the transaction is dropped and the database is as before.
//! The import, its audit entry and its data commit together or not at all.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use jingzhun_domain::Problem;
use jingzhun_domain::area::{AreaCode, AreaLevel};
use jingzhun_domain::audit::AuditEvent;
use jingzhun_domain::registry::{
    Household, HouseholdField, HouseholdId, Person, PersonField, import_may_set_status,
};
use jingzhun_interchange::read::{
    RowSource, SheetReader, XlsxLimits, open_csv_with, open_xlsx_sheets,
};
use jingzhun_interchange::{
    EncodingChoice, HouseholdSheet, ImportError, PersonSheet, Report, SheetSpec,
};
use jingzhun_store::{NewImport, Store, WriteMode};
use serde::Serialize;
use sha2::Digest;
use tokio::sync::mpsc;

use crate::{ServiceError, file_digest};

/// Rows per chunk sent from the reader to the writer.
const CHUNK: usize = 10_000;

/// Where a registry import reads from.
#[derive(Debug, Clone)]
pub enum RegistrySource {
    /// A folder holding `households.csv` and `persons.csv` (other files are ignored).
    Folder(PathBuf),
    /// One workbook with a households sheet and a persons sheet.
    Xlsx(PathBuf),
}

impl RegistrySource {
    /// A folder or a `.xlsx` file.
    pub fn from_path(path: &Path) -> Result<Self, ServiceError> {
        if path.is_dir() {
            Ok(RegistrySource::Folder(path.to_path_buf()))
        } else if path.is_file()
            && path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
        {
            Ok(RegistrySource::Xlsx(path.to_path_buf()))
        } else if !path.exists() {
            Err(ServiceError::NotFound {
                what: "file or folder",
                key: path.display().to_string(),
            })
        } else {
            Err(ServiceError::Invalid(format!(
                "{}: give a folder holding households.csv and persons.csv, or one .xlsx workbook",
                path.display()
            )))
        }
    }

    fn describe(&self) -> String {
        match self {
            RegistrySource::Folder(p) | RegistrySource::Xlsx(p) => p.display().to_string(),
        }
    }

    /// SHA-256 over what the import reads (both CSV files, or the workbook).
    fn digest(&self) -> Result<String, ServiceError> {
        match self {
            RegistrySource::Folder(dir) => {
                let mut missing = Report::default();
                for f in [HouseholdSheet::FILE, PersonSheet::FILE] {
                    if !dir.join(f).is_file() {
                        missing.push(ImportError {
                            file: f.into(),
                            line: 0,
                            column: String::new(),
                            value: String::new(),
                            problem: Problem::MissingFile,
                        });
                    }
                }
                if !missing.is_empty() {
                    return Err(ServiceError::Rejected(missing));
                }
                let mut h = sha2::Sha256::new();
                h.update(file_digest(&dir.join(HouseholdSheet::FILE))?.as_bytes());
                h.update(file_digest(&dir.join(PersonSheet::FILE))?.as_bytes());
                Ok(hex::encode(h.finalize()))
            }
            RegistrySource::Xlsx(p) => file_digest(p),
        }
    }
}

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Who imports (`cli:<user>`, `user:<login>`).
    pub actor: String,
    /// Import even if the same file was imported before.
    pub force: bool,
    /// Ignore columns the interchange format does not define instead of refusing them.
    pub ignore_unknown_columns: bool,
    /// The date against which "in the future" is judged.
    pub today: NaiveDate,
    /// The areas the importing account reaches (`None`: everywhere). A household whose village,
    /// or whose stored village, is outside them is a bad row.
    pub within: Option<Vec<AreaCode>>,
    /// The text encoding of CSV files (told apart by itself by default).
    pub encoding: EncodingChoice,
    /// How much a workbook may unpack to.
    pub xlsx_limits: XlsxLimits,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            actor: String::new(),
            force: false,
            ignore_unknown_columns: false,
            today: crate::today_in_china(),
            within: None,
            encoding: EncodingChoice::Auto,
            xlsx_limits: XlsxLimits::default(),
        }
    }
}

/// The refusal of an import into a platform that holds no village yet.
pub fn no_areas() -> ServiceError {
    ServiceError::Denied {
        kind: crate::error::Denial::Conflict,
        zh: "系统中还没有行政区划：请先运行 `jingzhun areas import` 导入区划".into(),
        en: "the platform holds no areas yet: run `jingzhun areas import` first".into(),
    }
}

impl ImportOptions {
    fn reaches(&self, village: &AreaCode) -> bool {
        self.within
            .as_ref()
            .is_none_or(|roots| roots.iter().any(|r| r.contains(village)))
    }
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    pub import_id: i64,
    pub digest: String,
    pub households: i64,
    pub persons: i64,
    /// Households the registry did not hold before.
    pub new_households: i64,
    /// Households the registry held, whose data (and members) were replaced.
    pub replaced_households: i64,
    pub audit_seq: i64,
    /// The text encoding of each CSV file read (`households.csv: GB18030`); empty for a workbook.
    pub encodings: Vec<String>,
}

/// Progress of a long import, for a progress bar or a log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Rows read so far from a file.
    Rows { file: String, rows: u64 },
    /// Everything was read and is being committed.
    Committing,
}

/// What the reader sends the writer.
enum Msg {
    Households {
        file: Arc<str>,
        /// Column names as the file spells them: status, village, household number.
        status_col: String,
        village_col: String,
        id_col: String,
        rows: Vec<(u64, Household)>,
    },
    /// Persons with whether their household is in the same import.
    Persons {
        file: Arc<str>,
        household_col: String,
        rows: Vec<(u64, Person, bool)>,
    },
    Errors(Vec<ImportError>),
    Progress(Progress),
    /// The encoding a CSV file was read in.
    Encoding(String),
}

/// Imports a registry. On bad rows returns [`ServiceError::Rejected`] with every problem and
/// writes nothing; a file imported before is refused with [`ServiceError::DuplicateImport`]
/// unless `force`.
pub async fn import_registry(
    store: &dyn Store,
    source: &RegistrySource,
    opts: &ImportOptions,
    progress: &(dyn Fn(&Progress) + Send + Sync),
) -> Result<ImportSummary, ServiceError> {
    // Hashing the files and loading the known villages are independent: do both at once.
    let hashing = {
        let source = source.clone();
        tokio::task::spawn_blocking(move || source.digest())
    };
    let villages = store.village_codes(None).await;
    let digest = hashing
        .await
        .map_err(|e| ServiceError::Invalid(format!("hashing stopped: {e}")))??;
    let villages: Arc<HashSet<AreaCode>> = Arc::new(villages?.into_iter().collect());
    if villages.is_empty() {
        // Every row would name an unknown village: one message says what to do instead.
        return Err(no_areas());
    }
    // Villages whose yearly update was approved: their data up to that year are locked.
    let locked: HashMap<AreaCode, i32> = store.approved_updates(None).await?.into_iter().collect();
    if let Some(previous) = store.import_by_digest("registry", &digest).await?
        && !opts.force
    {
        return Err(ServiceError::DuplicateImport {
            previous: Box::new(previous),
        });
    }

    let (sender, mut receiver) = mpsc::channel::<Msg>(4);
    let reader = {
        let source = source.clone();
        let villages = villages.clone();
        let read = ReadOptions {
            today: opts.today,
            ignore_unknown: opts.ignore_unknown_columns,
            encoding: opts.encoding,
            xlsx_limits: opts.xlsx_limits,
        };
        tokio::task::spawn_blocking(move || read_registry(&source, &villages, &read, &sender))
    };

    let mut tx = store.begin().await?;
    let import_id = tx
        .begin_import(&NewImport {
            kind: "registry".into(),
            digest: digest.clone(),
            source: source.describe(),
            actor: opts.actor.clone(),
            forced: opts.force,
        })
        .await?;
    // Into an empty registry no household can exist already (duplicates within the files are
    // refused by the reader), so the per-chunk lookups of existing households are skipped.
    let registry_was_empty = store.registry_is_empty().await?;
    if registry_was_empty {
        // Indexes built once, sorted, after the load are cheaper than kept up row by row.
        tx.defer_registry_indexes().await?;
    }
    let mut report = Report::default();
    let (mut households, mut persons, mut new_households, mut replaced) = (0i64, 0i64, 0i64, 0i64);
    let mut encodings = Vec::new();
    while let Some(msg) = receiver.recv().await {
        match msg {
            Msg::Encoding(e) => encodings.push(e),
            Msg::Errors(errors) => errors.into_iter().for_each(|e| report.push(e)),
            Msg::Progress(p) => progress(&p),
            Msg::Households {
                file,
                status_col,
                village_col,
                id_col,
                rows,
            } => {
                let ids: Vec<HouseholdId> =
                    rows.iter().map(|(_, h)| h.household_id.clone()).collect();
                let existing: HashMap<HouseholdId, _> = if registry_was_empty {
                    HashMap::new()
                } else {
                    tx.household_statuses(&ids)
                        .await?
                        .into_iter()
                        .map(|(id, status, village)| (id, (status, village)))
                        .collect()
                };
                let mut replaced_now = HashSet::new();
                for (line, h) in &rows {
                    let stored_village = existing.get(&h.household_id).map(|(_, v)| v);
                    for v in std::iter::once(&h.village_code).chain(stored_village) {
                        if let Some(year) = locked.get(v).filter(|y| **y >= h.income_year) {
                            report.push(ImportError {
                                file: file.to_string(),
                                line: *line,
                                column: id_col.clone(),
                                value: h.household_id.to_string(),
                                problem: Problem::UpdateLocked { year: *year },
                            });
                            break;
                        }
                    }
                    if !opts.reaches(&h.village_code) {
                        report.push(ImportError {
                            file: file.to_string(),
                            line: *line,
                            column: village_col.clone(),
                            value: h.village_code.as_str().into(),
                            problem: Problem::OutsideYourArea,
                        });
                    }
                    match existing.get(&h.household_id) {
                        None => new_households += 1,
                        Some((current, stored_village)) => {
                            if !opts.reaches(stored_village) {
                                report.push(ImportError {
                                    file: file.to_string(),
                                    line: *line,
                                    column: id_col.clone(),
                                    value: h.household_id.to_string(),
                                    problem: Problem::OutsideYourArea,
                                });
                            }
                            replaced += 1;
                            replaced_now.insert(h.household_id.clone());
                            if let Err(p) = import_may_set_status(*current, h.status) {
                                report.push(ImportError {
                                    file: file.to_string(),
                                    line: *line,
                                    column: status_col.clone(),
                                    value: jingzhun_domain::vocab::Vocabulary::code(h.status)
                                        .into(),
                                    problem: p,
                                });
                            }
                        }
                    }
                }
                households += rows.len() as i64;
                if report.is_empty() {
                    let (old, new): (Vec<Household>, Vec<Household>) = rows
                        .into_iter()
                        .map(|(_, h)| h)
                        .partition(|h| replaced_now.contains(&h.household_id));
                    tx.put_households(&new, &old, import_id).await?;
                }
            }
            Msg::Persons {
                file,
                household_col,
                rows,
            } => {
                let outside: Vec<HouseholdId> = {
                    let set: HashSet<&HouseholdId> = rows
                        .iter()
                        .filter(|(_, _, in_file)| !in_file)
                        .map(|(_, p, _)| &p.household_id)
                        .collect();
                    set.into_iter().cloned().collect()
                };
                let known: HashMap<HouseholdId, AreaCode> = if outside.is_empty() {
                    HashMap::new()
                } else {
                    tx.household_statuses(&outside)
                        .await?
                        .into_iter()
                        .map(|(h, _, village)| (h, village))
                        .collect()
                };
                for (line, p, in_file) in &rows {
                    if *in_file {
                        continue;
                    }
                    // A member added to a stored household of a locked village goes through a
                    // procedure (or comes with its household's row of a new year).
                    let problem = match known.get(&p.household_id) {
                        None => Some(Problem::UnknownHousehold),
                        Some(v) if !opts.reaches(v) => Some(Problem::OutsideYourArea),
                        Some(v) => locked
                            .get(v)
                            .map(|year| Problem::UpdateLocked { year: *year }),
                    };
                    if let Some(problem) = problem {
                        report.push(ImportError {
                            file: file.to_string(),
                            line: *line,
                            column: household_col.clone(),
                            value: p.household_id.to_string(),
                            problem,
                        });
                    }
                }
                persons += rows.len() as i64;
                if report.is_empty() {
                    // Members of a household of this import are new (a replaced household lost
                    // its stored members); members added to a household outside it may exist.
                    let (here, elsewhere): (Vec<_>, Vec<_>) =
                        rows.into_iter().partition(|(_, _, in_file)| *in_file);
                    let here: Vec<Person> = here.into_iter().map(|(_, p, _)| p).collect();
                    let elsewhere: Vec<Person> = elsewhere.into_iter().map(|(_, p, _)| p).collect();
                    tx.put_persons(&here, WriteMode::Insert).await?;
                    tx.put_persons(&elsewhere, WriteMode::Upsert).await?;
                }
            }
        }
    }
    reader
        .await
        .map_err(|e| ServiceError::Invalid(format!("the reader stopped: {e}")))?;
    if !report.is_empty() {
        // Dropping the transaction rolls back everything written so far.
        return Err(ServiceError::Rejected(report));
    }
    progress(&Progress::Committing);
    if registry_was_empty {
        tx.rebuild_registry_indexes().await?;
    }
    tx.finish_import(import_id, households, persons).await?;
    let entry = tx
        .append_audit(&AuditEvent {
            actor: opts.actor.clone(),
            action: "registry.import".into(),
            subject_kind: "import".into(),
            subject_id: import_id.to_string(),
            detail: serde_json::json!({
                "digest": digest,
                "source": source.describe(),
                "households": households,
                "persons": persons,
                "new_households": new_households,
                "replaced_households": replaced,
                "forced": opts.force,
                "encodings": encodings,
            }),
        })
        .await?;
    tx.commit().await?;
    store.refresh_statistics().await?;
    Ok(ImportSummary {
        import_id,
        digest,
        households,
        persons,
        new_households,
        replaced_households: replaced,
        audit_seq: entry.seq,
        encodings,
    })
}

/// Sends what a chunk found: its problems first, then its rows, then how far the file is read.
fn flush(send: &impl Fn(Msg), errors: &mut Vec<ImportError>, chunk: Msg, file: &str, rows: u64) {
    if !errors.is_empty() {
        send(Msg::Errors(std::mem::take(errors)));
    }
    send(chunk);
    send(Msg::Progress(Progress::Rows {
        file: file.to_string(),
        rows,
    }));
}

/// What the reader stage needs of the options.
struct ReadOptions {
    today: NaiveDate,
    ignore_unknown: bool,
    encoding: EncodingChoice,
    xlsx_limits: XlsxLimits,
}

/// The reader stage: opens the sources, reads both sheets and sends chunks and problems.
fn read_registry(
    source: &RegistrySource,
    villages: &HashSet<AreaCode>,
    ro: &ReadOptions,
    out: &mpsc::Sender<Msg>,
) {
    let (today, ignore_unknown) = (ro.today, ro.ignore_unknown);
    let send = |m: Msg| {
        // The writer only stops listening when it failed itself; its error is reported.
        let _ = out.blocking_send(m);
    };
    let (hs, ps): (Box<dyn RowSource + Send>, Box<dyn RowSource + Send>) = match source {
        RegistrySource::Folder(dir) => {
            let open = |f: &str| -> Result<Box<dyn RowSource + Send>, Box<ImportError>> {
                let path = dir.join(f);
                let file = std::fs::File::open(&path).map_err(|e| {
                    Box::new(ImportError {
                        file: f.into(),
                        line: 0,
                        column: String::new(),
                        value: String::new(),
                        problem: Problem::Unreadable {
                            detail: e.to_string(),
                        },
                    })
                })?;
                Ok(Box::new(open_csv_with(
                    f,
                    std::io::BufReader::with_capacity(1 << 17, file),
                    ro.encoding,
                )))
            };
            match (open(HouseholdSheet::FILE), open(PersonSheet::FILE)) {
                (Ok(h), Ok(p)) => (h, p),
                (h, p) => {
                    send(Msg::Errors(
                        h.err().into_iter().chain(p.err()).map(|e| *e).collect(),
                    ));
                    return;
                }
            }
        }
        RegistrySource::Xlsx(path) => {
            let name = path.file_name().map_or_else(
                || "registry.xlsx".into(),
                |n| n.to_string_lossy().into_owned(),
            );
            let bytes = match std::fs::read(path) {
                Ok(b) => b,
                Err(e) => {
                    send(Msg::Errors(vec![ImportError {
                        file: name,
                        line: 0,
                        column: String::new(),
                        value: String::new(),
                        problem: Problem::Unreadable {
                            detail: e.to_string(),
                        },
                    }]));
                    return;
                }
            };
            match open_xlsx_sheets(
                &name,
                bytes,
                [HouseholdSheet::SHEET_NAMES, PersonSheet::SHEET_NAMES],
                &ro.xlsx_limits,
            ) {
                Ok([h, p]) => (Box::new(h), Box::new(p)),
                Err(e) => {
                    send(Msg::Errors(vec![*e]));
                    return;
                }
            }
        }
    };

    // Households: line and index of each household in the file.
    let mut in_file: HashMap<HouseholdId, (u64, u32)> = HashMap::new();
    // When the households sheet cannot be read at all, persons' references cannot be judged.
    let mut households_unreadable = false;
    // Households refused for their own fault: their members are not reported again.
    let mut refused: HashSet<String> = HashSet::new();
    let mut household_file: Option<String> = None;
    // Lines of households already reported (an unknown village): not reported again as memberless.
    let mut faulty_lines: HashSet<u64> = HashSet::new();
    let mut household_id_col = HouseholdSheet::column(HouseholdField::HouseholdId)
        .name
        .to_string();
    match SheetReader::<HouseholdSheet, _>::open(hs, today, ignore_unknown) {
        Err(errors) => {
            households_unreadable = true;
            send(Msg::Errors(errors));
        }
        Ok(mut r) => {
            let file: Arc<str> = r.file().into();
            household_file = Some(file.to_string());
            household_id_col = r.column_name(HouseholdField::HouseholdId);
            let status_col = r.column_name(HouseholdField::Status);
            let village_col = r.column_name(HouseholdField::VillageCode);
            let id_col = r.column_name(HouseholdField::HouseholdId);
            let mut rows = Vec::with_capacity(CHUNK);
            let mut errors = Vec::new();
            let mut n = 0u64;
            while let Some((line, rec)) = r.next_record() {
                n += 1;
                match rec {
                    Err(e) => {
                        errors.extend(e);
                        if let Some(id) = r.refused_value(HouseholdField::HouseholdId) {
                            refused.insert(id.trim().to_string());
                        }
                    }
                    Ok(h) => {
                        let village = h.village_code;
                        if village.level() != AreaLevel::Village || !villages.contains(&village) {
                            faulty_lines.insert(line);
                        }
                        if village.level() != AreaLevel::Village {
                            let level = village.level().zh().to_string();
                            errors.push(r.error(
                                line,
                                HouseholdField::VillageCode,
                                village.as_str(),
                                Problem::NotAVillage { level },
                            ));
                        } else if !villages.contains(&village) {
                            errors.push(r.error(
                                line,
                                HouseholdField::VillageCode,
                                village.as_str(),
                                Problem::UnknownVillage,
                            ));
                        }
                        let idx = in_file.len() as u32;
                        match in_file.get(&h.household_id) {
                            Some((first_line, _)) => errors.push(r.error(
                                line,
                                HouseholdField::HouseholdId,
                                h.household_id.as_str(),
                                Problem::DuplicateHousehold {
                                    first_line: *first_line,
                                },
                            )),
                            None => {
                                in_file.insert(h.household_id.clone(), (line, idx));
                                rows.push((line, h));
                            }
                        }
                    }
                }
                if rows.len() == CHUNK {
                    let chunk = Msg::Households {
                        file: file.clone(),
                        status_col: status_col.clone(),
                        village_col: village_col.clone(),
                        id_col: id_col.clone(),
                        rows: std::mem::take(&mut rows),
                    };
                    flush(&send, &mut errors, chunk, &file, n);
                }
            }
            let chunk = Msg::Households {
                file: file.clone(),
                status_col,
                village_col,
                id_col,
                rows,
            };
            flush(&send, &mut errors, chunk, &file, n);
            if let Some(e) = r.encoding() {
                send(Msg::Encoding(format!("{file}: {e}")));
            }
        }
    }
    // Lines of the households of the file, by index, to report those without members.
    let mut household_lines: Vec<Option<(u64, HouseholdId)>> = vec![None; in_file.len()];
    for (id, (line, idx)) in &in_file {
        household_lines[*idx as usize] = Some((*line, id.clone()));
    }
    let mut has_member = vec![false; in_file.len()];

    // Persons: a person may be in two households, but only once in each.
    let mut members: HashMap<(u32, u64), u64> = HashMap::new();
    let mut outside: HashMap<HouseholdId, u32> = HashMap::new();
    match SheetReader::<PersonSheet, _>::open(ps, today, ignore_unknown) {
        Err(errors) => send(Msg::Errors(errors)),
        Ok(mut r) => {
            let file: Arc<str> = r.file().into();
            let household_col = r.column_name(PersonField::HouseholdId);
            let mut rows = Vec::with_capacity(CHUNK);
            let mut errors = Vec::new();
            let mut n = 0u64;
            while let Some((line, rec)) = r.next_record() {
                n += 1;
                match rec {
                    Err(e) => errors.extend(e),
                    Ok(p) => {
                        let (idx, here) = match in_file.get(&p.household_id) {
                            Some((_, idx)) => {
                                has_member[*idx as usize] = true;
                                (*idx, true)
                            }
                            // The household's own row was refused and reported.
                            None if refused.contains(p.household_id.as_str()) => continue,
                            None => {
                                let next = (in_file.len() + outside.len()) as u32;
                                (
                                    *outside.entry(p.household_id.clone()).or_insert(next),
                                    households_unreadable,
                                )
                            }
                        };
                        // The first 17 digits determine an ID number (the 18th is their check).
                        let id17: u64 = p.id_number.as_str()[..17].parse().unwrap_or(0);
                        match members.get(&(idx, id17)) {
                            Some(first_line) => errors.push(r.error(
                                line,
                                PersonField::IdNumber,
                                p.id_number.as_str(),
                                Problem::DuplicateMember {
                                    first_line: *first_line,
                                },
                            )),
                            None => {
                                members.insert((idx, id17), line);
                                rows.push((line, p, here));
                            }
                        }
                    }
                }
                if rows.len() == CHUNK {
                    let chunk = Msg::Persons {
                        file: file.clone(),
                        household_col: household_col.clone(),
                        rows: std::mem::take(&mut rows),
                    };
                    flush(&send, &mut errors, chunk, &file, n);
                }
            }
            let chunk = Msg::Persons {
                file: file.clone(),
                household_col,
                rows,
            };
            flush(&send, &mut errors, chunk, &file, n);
            if let Some(e) = r.encoding() {
                send(Msg::Encoding(format!("{file}: {e}")));
            }
            // A household without any member (a persons file cut short, say) is refused.
            let hfile = match source {
                RegistrySource::Folder(_) => HouseholdSheet::FILE.to_string(),
                RegistrySource::Xlsx(_) => String::new(),
            };
            let alone: Vec<ImportError> = household_lines
                .iter()
                .zip(&has_member)
                .filter(|(_, has)| !**has)
                .filter_map(|(h, _)| h.as_ref())
                .filter(|(line, _)| !faulty_lines.contains(line))
                .map(|(line, id)| ImportError {
                    file: household_file.clone().unwrap_or_else(|| hfile.clone()),
                    line: *line,
                    column: household_id_col.clone(),
                    value: id.to_string(),
                    problem: Problem::HouseholdWithoutMembers,
                })
                .collect();
            if !alone.is_empty() {
                send(Msg::Errors(alone));
            }
        }
    }
}
