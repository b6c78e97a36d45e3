//! Public notices: reading them (no account needed: they are public) and checking that one is
//! unchanged since publication, by recomputing its digest.

use jingzhun_domain::notice::{NoticeContent, canonical, digest_of};
use jingzhun_store::Store;
use jingzhun_store::notices::NoticeRecord;
use serde::Serialize;

use crate::ServiceError;

/// A notice with the result of checking it.
#[derive(Debug, Clone, Serialize)]
pub struct CheckedNotice {
    pub record: NoticeRecord,
    /// `None` when the stored text no longer reads as a notice (it was altered).
    pub content: Option<NoticeContent>,
    /// The digest of the stored text, computed now.
    pub computed: String,
    /// The stored text still has the digest published with it, and reads back to the same
    /// canonical text.
    pub unchanged: bool,
}

pub async fn checked(store: &dyn Store, id: i64) -> Result<CheckedNotice, ServiceError> {
    let record = store.notice(id).await?.ok_or(ServiceError::NotFound {
        what: "notice",
        key: id.to_string(),
    })?;
    let computed = digest_of(&record.content);
    let content: Option<NoticeContent> = serde_json::from_str(&record.content).ok();
    let canonical_again = content
        .as_ref()
        .is_some_and(|c| canonical(c) == record.content);
    Ok(CheckedNotice {
        unchanged: computed == record.digest && canonical_again,
        content,
        computed,
        record,
    })
}
