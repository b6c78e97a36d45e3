//! The errors of the use cases. Each variant says what a person can do about it; the web layer
//! maps each to one HTTP status in one place.

use std::path::{Path, PathBuf};

use jingzhun_interchange::Report;
use jingzhun_store::{ImportRecord, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The database failed (500).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The input had bad rows; nothing was written (422).
    #[error("import refused: {} problem(s) in {} row(s); nothing was written", .0.errors.len(), .0.bad_rows())]
    Rejected(Report),
    /// The same file was imported before (409).
    #[error("this file was already imported (import #{} on {}); use --force to import it again", .previous.id, .previous.started_at)]
    DuplicateImport { previous: Box<ImportRecord> },
    /// Something named does not exist (404).
    #[error("{what} {key} not found")]
    NotFound { what: &'static str, key: String },
    /// The record changed meanwhile, or is in a state that does not allow this (409).
    #[error("{0}")]
    Conflict(String),
    /// A procedure refused an act: wrong role (403), bad evidence (400), otherwise the case's
    /// state does not allow it (409). The refusal says why, in both languages.
    #[error("{0}")]
    Refused(jingzhun_domain::procedure::Refusal),
    /// A rule of supervision (complaints, inspections, rectification, accountability, yearly
    /// updates) refused the act, saying why in both languages: 403, 400 or 409 by `kind`.
    #[error("{en}")]
    Denied {
        kind: Denial,
        zh: String,
        en: String,
    },
    /// The account's roles do not allow this (403).
    #[error("not allowed for this account")]
    Forbidden,
    /// A request that cannot be carried out as asked (400).
    #[error("{0}")]
    Invalid(String),
    /// A file could not be read or written.
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The XLSX writer failed.
    #[error("cannot write the workbook: {0}")]
    Xlsx(String),
}

/// What kind of refusal a [`ServiceError::Denied`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// Not this account's to do (wrong role or area): 403.
    Forbidden,
    /// The input does not fit the rule: 400.
    Invalid,
    /// The record's state does not allow it now: 409.
    Conflict,
}

impl ServiceError {
    /// A refusal by a domain rule, with its Chinese and English reasons.
    pub fn denied(kind: Denial, zh: impl Into<String>, en: impl std::fmt::Display) -> Self {
        ServiceError::Denied {
            kind,
            zh: zh.into(),
            en: en.to_string(),
        }
    }

    pub fn io(path: &Path, source: std::io::Error) -> Self {
        ServiceError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
