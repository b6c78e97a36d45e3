//! Registry import and export over HTTP. An upload is saved to a temporary folder and imported
//! in the background (all or nothing, exactly as `jingzhun import registry`, confined to the
//! account's area); the browser follows its progress and fetches the error report. Jobs live
//! in memory for an hour and are visible only to the account that started them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jingzhun_domain::area::AreaCode;
use jingzhun_interchange::report::Report;
use jingzhun_service::ServiceError;
use jingzhun_service::export::{ExportFormat, export_registry};
use jingzhun_service::registry_import::{
    ImportOptions, ImportSummary, Progress, RegistrySource, import_registry,
};
use jingzhun_service::today_in_china;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::{CurrentUser, new_token};
use crate::error::WebError;

/// How much an uploaded workbook may unpack to: `JINGZHUN_XLSX_LIMIT_MIB` (MiB) or the default,
/// checked before anything is unpacked so that no upload can exhaust the server's memory.
pub fn xlsx_limits() -> jingzhun_interchange::read::XlsxLimits {
    std::env::var("JINGZHUN_XLSX_LIMIT_MIB")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or_else(
            Default::default,
            jingzhun_interchange::read::XlsxLimits::mib,
        )
}

/// The largest upload accepted (a province's registry as CSV is about 150 MB).
pub const MAX_UPLOAD_BYTES: usize = 512 * 1024 * 1024;
/// Error rows sent to the page (the CSV report has all of them).
const ERRORS_SHOWN: usize = 500;
const JOB_LIFETIME: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Running,
    Done,
    Rejected,
    Failed,
}

struct Job {
    owner: String,
    started: Instant,
    state: JobState,
    read: Vec<(String, u64)>,
    summary: Option<ImportSummary>,
    report: Option<Report>,
    message: (String, String),
    /// Kept until the job ends: the uploaded files.
    _dir: Option<tempfile::TempDir>,
}

/// The import jobs of this server.
#[derive(Default)]
pub struct ImportJobs {
    jobs: Mutex<HashMap<String, Arc<Mutex<Job>>>>,
}

impl ImportJobs {
    fn insert(&self, job: Job) -> (String, Arc<Mutex<Job>>) {
        let id = new_token()[..16].to_string();
        let job = Arc::new(Mutex::new(job));
        let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.retain(|_, j| {
            j.lock()
                .map(|j| j.state == JobState::Running || j.started.elapsed() < JOB_LIFETIME)
                .unwrap_or(false)
        });
        jobs.insert(id.clone(), job.clone());
        (id, job)
    }

    /// The job if it exists and belongs to `login` (another account's job does not exist).
    fn get(&self, id: &str, login: &str) -> Option<Arc<Mutex<Job>>> {
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        let job = jobs.get(id)?.clone();
        let owner_matches = job.lock().map(|j| j.owner == login).unwrap_or(false);
        owner_matches.then_some(job)
    }
}

/// One error row of a rejected import, in both languages.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorRow {
    file: String,
    line: u64,
    column: String,
    value: String,
    reason_zh: String,
    reason_en: String,
}

/// An import job as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct JobView {
    id: String,
    state: JobState,
    /// Rows read so far, by file.
    read: Vec<(String, u64)>,
    households: Option<i64>,
    persons: Option<i64>,
    new_households: Option<i64>,
    replaced_households: Option<i64>,
    error_count: usize,
    /// The first 500 errors; `report.csv` has all.
    errors: Vec<ErrorRow>,
    message: String,
    message_en: String,
}

fn view(id: &str, j: &Job) -> JobView {
    let errors = j.report.as_ref().map_or_else(Vec::new, |r| {
        r.errors
            .iter()
            .take(ERRORS_SHOWN)
            .map(|e| ErrorRow {
                file: e.file.clone(),
                line: e.line,
                column: e.column.clone(),
                value: jingzhun_interchange::text::quote(&e.value),
                reason_zh: e.problem.zh(),
                reason_en: e.problem.to_string(),
            })
            .collect()
    });
    JobView {
        id: id.to_string(),
        state: j.state,
        read: j.read.clone(),
        households: j.summary.as_ref().map(|s| s.households),
        persons: j.summary.as_ref().map(|s| s.persons),
        new_households: j.summary.as_ref().map(|s| s.new_households),
        replaced_households: j.summary.as_ref().map(|s| s.replaced_households),
        error_count: j.report.as_ref().map_or(0, |r| r.errors.len()),
        errors,
        message: j.message.0.clone(),
        message_en: j.message.1.clone(),
    }
}

/// Saves the uploaded files: one `.xlsx` workbook, or `households.csv` and `persons.csv`.
async fn save_upload(
    mut multipart: Multipart,
) -> Result<(tempfile::TempDir, RegistrySource, bool), WebError> {
    let dir = tempfile::tempdir().map_err(|e| WebError::Internal(e.to_string()))?;
    let mut names = Vec::new();
    let mut force = false;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| WebError::BadRequest(format!("upload: {e}")))?
    {
        match field.name() {
            Some("force") => {
                let v = field
                    .text()
                    .await
                    .map_err(|e| WebError::BadRequest(format!("force: {e}")))?;
                force = v == "true" || v == "on" || v == "1";
            }
            Some("file") => {
                let name = field
                    .file_name()
                    .map(|n| {
                        n.rsplit(['/', '\\'])
                            .next()
                            .unwrap_or(n)
                            .to_ascii_lowercase()
                    })
                    .unwrap_or_default();
                let allowed = ["households.csv", "persons.csv"].contains(&name.as_str())
                    || (name.ends_with(".xlsx") && name.len() > 5);
                if !allowed {
                    return Err(WebError::BadRequest(format!(
                        "file {name:?}: upload households.csv and persons.csv, or one .xlsx workbook \
                         / 请上传 households.csv 和 persons.csv，或一个 .xlsx 工作簿"
                    )));
                }
                if names.contains(&name) {
                    return Err(WebError::BadRequest(format!("file {name:?} twice")));
                }
                let path = dir.path().join(&name);
                let mut out = tokio::fs::File::create(&path)
                    .await
                    .map_err(|e| WebError::Internal(e.to_string()))?;
                while let Some(chunk) = field
                    .chunk()
                    .await
                    .map_err(|e| WebError::BadRequest(format!("upload: {e}")))?
                {
                    tokio::io::AsyncWriteExt::write_all(&mut out, &chunk)
                        .await
                        .map_err(|e| WebError::Internal(e.to_string()))?;
                }
                tokio::io::AsyncWriteExt::flush(&mut out)
                    .await
                    .map_err(|e| WebError::Internal(e.to_string()))?;
                names.push(name);
            }
            _ => {}
        }
    }
    let xlsx: Vec<&String> = names.iter().filter(|n| n.ends_with(".xlsx")).collect();
    let source = match (xlsx.as_slice(), names.len()) {
        ([one], 1) => RegistrySource::Xlsx(dir.path().join(one.as_str())),
        ([], 2) => RegistrySource::Folder(dir.path().to_path_buf()),
        _ => {
            return Err(WebError::BadRequest(
                "upload households.csv and persons.csv together, or one .xlsx workbook \
                 / 请同时上传 households.csv 和 persons.csv，或一个 .xlsx 工作簿"
                    .into(),
            ));
        }
    };
    Ok((dir, source, force))
}

/// Starts an import of the uploaded registry (multipart: `file` fields, optional `force`).
/// Only the roles that keep the registry may import, and only within their area.
#[utoipa::path(post, path = "/api/v1/imports", responses(
    (status = 202, description = "the import runs; follow it at /api/v1/imports/{id}", body = JobView),
    (status = 400, description = "not households.csv + persons.csv or one .xlsx", body = crate::error::ErrorBody),
    (status = 401, description = "not signed in", body = crate::error::ErrorBody),
    (status = 403, description = "the account does not keep the registry, or no CSRF token", body = crate::error::ErrorBody)))]
pub async fn start_import(
    State(state): State<AppState>,
    user: CurrentUser,
    multipart: Multipart,
) -> Result<(StatusCode, Json<JobView>), WebError> {
    let today = today_in_china();
    if !user.account.keeps_registry(today) {
        return Err(WebError::Forbidden);
    }
    let (dir, source, force) = save_upload(multipart).await?;
    let login = user.account.login.as_str().to_string();
    let (id, job) = state.imports.insert(Job {
        owner: login.clone(),
        started: Instant::now(),
        state: JobState::Running,
        read: Vec::new(),
        summary: None,
        report: None,
        message: ("正在导入".into(), "importing".into()),
        _dir: Some(dir),
    });
    let opts = ImportOptions {
        actor: format!("user:{login}"),
        force,
        ignore_unknown_columns: false,
        today,
        within: user.account.scope(today),
        xlsx_limits: xlsx_limits(),
        ..ImportOptions::default()
    };
    let first = view(&id, &job.lock().unwrap_or_else(|e| e.into_inner()));
    let store = state.store.clone();
    tokio::spawn(async move {
        let progress_job = job.clone();
        let progress = move |p: &Progress| {
            if let Progress::Rows { file, rows } = p
                && let Ok(mut j) = progress_job.lock()
            {
                match j.read.iter_mut().find(|(f, _)| f == file) {
                    Some(e) => e.1 = *rows,
                    None => j.read.push((file.clone(), *rows)),
                }
            }
        };
        let result = import_registry(store.as_ref(), &source, &opts, &progress).await;
        let mut j = job.lock().unwrap_or_else(|e| e.into_inner());
        j._dir = None;
        match result {
            Ok(summary) => {
                j.message = (
                    format!(
                        "导入完成：{} 户，{} 人",
                        summary.households, summary.persons
                    ),
                    format!(
                        "imported: {} households, {} persons",
                        summary.households, summary.persons
                    ),
                );
                j.summary = Some(summary);
                j.state = JobState::Done;
            }
            Err(ServiceError::Rejected(report)) => {
                j.message = (
                    format!(
                        "文件有 {} 处错误，未导入任何数据；请改正后重新上传",
                        report.errors.len()
                    ),
                    format!(
                        "{} problems: nothing was imported; correct them and upload again",
                        report.errors.len()
                    ),
                );
                j.report = Some(report);
                j.state = JobState::Rejected;
            }
            Err(ServiceError::DuplicateImport { previous }) => {
                j.message = (
                    format!(
                        "此文件已于 {} 导入（第 {} 次导入）；如确需重新导入，请勾选“强制导入”",
                        previous.started_at, previous.id
                    ),
                    format!(
                        "this file was imported on {} (import #{}); tick “import again” to force it",
                        previous.started_at, previous.id
                    ),
                );
                j.state = JobState::Rejected;
            }
            Err(e) => {
                tracing::error!(error = %e, "web import failed");
                j.message = (
                    "导入失败（服务器错误），未导入任何数据".into(),
                    "the import failed (server error); nothing was imported".into(),
                );
                j.state = JobState::Failed;
            }
        }
    });
    Ok((StatusCode::ACCEPTED, Json(first)))
}

/// An import job: its state, rows read so far, and when rejected the errors.
#[utoipa::path(get, path = "/api/v1/imports/{id}", params(("id" = String, Path, description = "job id")), responses(
    (status = 200, description = "the job", body = JobView),
    (status = 401, description = "not signed in", body = crate::error::ErrorBody),
    (status = 404, description = "no such job of this account", body = crate::error::ErrorBody)))]
pub async fn import_job(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<JobView>, WebError> {
    let job = state
        .imports
        .get(&id, user.account.login.as_str())
        .ok_or(WebError::NotFound)?;
    let j = job.lock().unwrap_or_else(|e| e.into_inner());
    Ok(Json(view(&id, &j)))
}

/// The error report of a rejected import as CSV (file, line, column, value, reasons).
#[utoipa::path(get, path = "/api/v1/imports/{id}/report.csv", params(("id" = String, Path, description = "job id")), responses(
    (status = 200, description = "the report", content_type = "text/csv"),
    (status = 404, description = "no such job of this account, or no report", body = crate::error::ErrorBody)))]
pub async fn import_report(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Result<Response, WebError> {
    let lang = match crate::i18n::Lang::of_request(&headers) {
        crate::i18n::Lang::Zh => jingzhun_interchange::Lang::Zh,
        crate::i18n::Lang::En => jingzhun_interchange::Lang::En,
    };
    let job = state
        .imports
        .get(&id, user.account.login.as_str())
        .ok_or(WebError::NotFound)?;
    let csv = {
        let j = job.lock().unwrap_or_else(|e| e.into_inner());
        j.report.as_ref().ok_or(WebError::NotFound)?.to_csv_in(lang)
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"import-errors.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}

/// Parameters of `GET /api/v1/export`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// Area code (2 to 12 digits) within the account's reach.
    pub area: String,
    /// `xlsx` (one workbook, default) or `csv` (with `sheet`).
    pub format: Option<String>,
    /// With `csv`: `households` or `persons`.
    pub sheet: Option<String>,
    /// ID numbers and phones unmasked: only for the roles that see them; audited as such.
    pub unmasked: Option<bool>,
}

/// The registry of an area in the interchange format (masked unless asked and allowed).
/// Every export is audited.
#[utoipa::path(get, path = "/api/v1/export", params(ExportParams), responses(
    (status = 200, description = "the workbook or CSV file"),
    (status = 400, description = "bad parameter", body = crate::error::ErrorBody),
    (status = 403, description = "unmasked data asked by a role that does not see them", body = crate::error::ErrorBody),
    (status = 404, description = "area outside the account's reach", body = crate::error::ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<ExportParams>,
) -> Result<Response, WebError> {
    let today = today_in_china();
    let area = AreaCode::parse_short(&p.area).map_err(|_| WebError::NotFound)?;
    if !user.account.may_reach(&area, today) {
        return Err(WebError::NotFound);
    }
    let unmasked = p.unmasked.unwrap_or(false);
    if unmasked && !user.account.sees_personal_data(&area, today) {
        return Err(WebError::Forbidden);
    }
    let masking = if unmasked {
        jingzhun_interchange::write::Masking::Unmasked
    } else {
        jingzhun_interchange::write::Masking::Masked
    };
    let dir = tempfile::tempdir().map_err(|e| WebError::Internal(e.to_string()))?;
    let actor = format!("user:{}", user.account.login.as_str());
    let (format, out, file_name, mime) = match p.format.as_deref().unwrap_or("xlsx") {
        "xlsx" => (
            ExportFormat::Xlsx,
            dir.path().join("registry.xlsx"),
            format!("registry-{}.xlsx", area.prefix()),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "csv" => {
            let sheet = match p.sheet.as_deref() {
                Some(s @ ("households" | "persons")) => s,
                _ => {
                    return Err(WebError::BadRequest(
                        "sheet: households or persons (with format=csv)".into(),
                    ));
                }
            };
            (
                ExportFormat::Csv,
                dir.path().join(sheet),
                format!("{sheet}-{}.csv", area.prefix()),
                "text/csv; charset=utf-8",
            )
        }
        other => {
            return Err(WebError::BadRequest(format!(
                "format: xlsx or csv, not {other:?}"
            )));
        }
    };
    export_registry(state.store.as_ref(), &area, format, &out, masking, &actor).await?;
    let path = match format {
        ExportFormat::Xlsx => out,
        ExportFormat::Csv => out.join(format!("{}.csv", p.sheet.as_deref().unwrap_or(""))),
    };
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
