//! Complaints (举报, domain.md §6): registration by officers and by the public, ticket codes, sealed identities, routing with recusal, handling, reply, review, escalation, the daily digest and statistics.
//!
//! The rules are `jingzhun_domain`'s; this module stores, scopes and audits them.

use jingzhun_store::Store;

use crate::ServiceError;

/// Adds this capability's part of the demo data, once (called by
/// `demo::ensure_supervision_demo` after the registry and the demo accounts exist).
pub async fn demo(_store: &dyn Store, _sealer: &crate::seal::Sealer) -> Result<(), ServiceError> {
    Ok(())
}
