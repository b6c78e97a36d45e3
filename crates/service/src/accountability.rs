//! Accountability cases (问责, domain.md §6): person, post, level, source, category, the four forms, outcomes, mitigation, escalated review, statistics by level and form, publication.
//!
//! The rules are `jingzhun_domain`'s; this module stores, scopes and audits them.

use jingzhun_store::Store;

use crate::ServiceError;

/// Adds this capability's part of the demo data, once (called by
/// `demo::ensure_supervision_demo` after the registry and the demo accounts exist).
pub async fn demo(_store: &dyn Store, _sealer: &crate::seal::Sealer) -> Result<(), ServiceError> {
    Ok(())
}
