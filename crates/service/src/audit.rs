//! Verifying the audit chain end to end.

use jingzhun_domain::audit::{ChainBreak, ChainVerifier};
use jingzhun_store::Store;

use crate::ServiceError;

const PAGE: i64 = 10_000;

/// Checks every entry in order and the head. `Ok(Ok(n))`: `n` entries, all intact;
/// `Ok(Err(break))`: where the chain breaks first.
pub async fn verify_audit(store: &dyn Store) -> Result<Result<i64, ChainBreak>, ServiceError> {
    let mut v = ChainVerifier::new();
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
