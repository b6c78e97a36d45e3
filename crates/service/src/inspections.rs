//! Inspections (巡视巡察, 督查, 暗访...: domain.md §6): scope, team, period, findings classified by the catalogue, and verifiable random draws for unannounced visits and samples.
//!
//! The rules are `jingzhun_domain`'s; this module stores, scopes and audits them.

use jingzhun_store::Store;

use crate::ServiceError;

/// Adds this capability's part of the demo data, once (called by
/// `demo::ensure_supervision_demo` after the registry and the demo accounts exist).
pub async fn demo(_store: &dyn Store, _sealer: &crate::seal::Sealer) -> Result<(), ServiceError> {
    Ok(())
}
