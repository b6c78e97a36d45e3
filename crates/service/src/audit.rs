//! Verifying the audit chain end to end.

use jingzhun_domain::audit::{Anchor, ChainBreak, ChainVerifier};
use jingzhun_store::Store;

use crate::ServiceError;

const PAGE: i64 = 10_000;

/// Checks every entry in order and the head. `Ok(Ok(n))`: `n` entries, all intact;
/// `Ok(Err(break))`: where the chain breaks first.
pub async fn verify_audit(store: &dyn Store) -> Result<Result<i64, ChainBreak>, ServiceError> {
    verify_audit_anchored(store, None).await
}

/// [`verify_audit`], and also that the chain holds a head published earlier (kept outside the
/// database, so that a chain rewritten whole is caught).
pub async fn verify_audit_anchored(
    store: &dyn Store,
    anchor: Option<Anchor>,
) -> Result<Result<i64, ChainBreak>, ServiceError> {
    let mut v = match anchor {
        Some(a) => ChainVerifier::with_anchor(a),
        None => ChainVerifier::new(),
    };
    let mut after = 0;
    loop {
        let page = store.audit_page(after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for e in &page {
            if let Err(b) = v.push(e) {
                return Ok(Err(b));
            }
        }
    }
    let (seq, hash) = store.audit_head().await?;
    Ok(v.finish(Some((seq, &hash))))
}
