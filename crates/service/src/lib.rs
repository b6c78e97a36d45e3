//! Jingzhun's use cases: what a person can ask the platform to do, over the domain rules,
//! the interchange files and a [`Store`]. The CLI and the web server are thin layers over this.
//!
//! * [`connect`]: open a store from a path or URL (SQLite or PostgreSQL).
//! * [`areas`]: load the national hierarchy, designations and populations.
//! * [`registry_import`]: validated, all-or-nothing registry import.
//! * [`export`]: registry export, masked unless asked and allowed.
//! * [`generate`] and [`demo`]: synthetic registries and the Da'an demo.
//! * [`summary`]: counts and incidence by area.
//! * [`audit`]: verification of the audit chain.
//! * [`users`]: accounts, roles, passwords and login checks.
//! * [`sources`]: other departments' data, imported all or nothing.
//! * [`checks`]: cross-check runs and the verification of their leads.
//! * [`standards`]: the standards in force, their audited changes and what-if.
//! * [`notices`]: public notices and their verification.
//! * [`plans`]: one plan per household, its progress.
//! * [`procedures`]: cases of the procedures, their acts and the status changes they make.
//! * [`exit`]: exit evaluation of households, villages and counties; the pre-exit list.
//! * [`updates`]: the yearly update of a village, its lock, its proposals, stale records.
//! * [`seal`]: encryption at rest of sealed values (complainants' identities, draw seeds).
//! * [`complaints`], [`inspections`], [`rectification`], [`accountability`]: supervision.

pub mod accountability;
pub mod areas;
pub mod audit;
pub mod checks;
pub mod complaints;
pub mod connect;
pub mod dashboard;
pub mod demo;
pub mod error;
pub mod exit;
pub mod export;
pub mod generate;
pub mod inspections;
pub mod notices;
pub mod plans;
pub mod procedures;
pub mod rectification;
pub mod registry_import;
pub mod seal;
pub mod sources;
pub mod standards;
pub mod summary;
pub mod updates;
pub mod users;

pub use connect::{connect, connect_with};
pub use error::{Denial, ServiceError};
pub use jingzhun_store::Store;

/// Today's date in China (UTC+8), used to refuse dates in the future.
pub fn today_in_china() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// SHA-256 of a file, read in blocks.
pub fn file_digest(path: &std::path::Path) -> Result<String, ServiceError> {
    use sha2::Digest;
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(|e| ServiceError::io(path, e))?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(|e| ServiceError::io(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}
