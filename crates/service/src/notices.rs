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

/// The objection window of a notice line: the case it names, if that case's current notice is
/// this one.
async fn case_on_notice(
    store: &dyn Store,
    notice_id: i64,
    line: usize,
) -> Result<(NoticeContent, jingzhun_store::procedures::CaseRecord), ServiceError> {
    let n = checked(store, notice_id).await?;
    let (true, Some(content)) = (n.unchanged, n.content) else {
        return Err(ServiceError::denied(
            crate::Denial::Conflict,
            "此公示的存档内容已被改动，不能受理",
            "the stored text of this notice was altered; it cannot take objections",
        ));
    };
    let case_id = line
        .checked_sub(1)
        .and_then(|i| content.case_ids.get(i))
        .copied()
        .ok_or_else(|| {
            ServiceError::denied(
                crate::Denial::Invalid,
                "请选择公示中的一户",
                "choose a household of the notice",
            )
        })?;
    let rec = store.case(case_id).await?.ok_or(ServiceError::NotFound {
        what: "procedure case",
        key: case_id.to_string(),
    })?;
    let current = rec.case.steps.last().is_some_and(|s| {
        matches!(&s.evidence, jingzhun_domain::procedure::Evidence::Notice { notice_ref }
            if *notice_ref == format!("N{notice_id}"))
    });
    if !current {
        return Err(ServiceError::Refused(
            jingzhun_domain::procedure::Refusal::NoNoticeRunning,
        ));
    }
    Ok((content, rec))
}

/// An objection filed by anyone on the public site against one household of a notice (line
/// from 1), while the notice runs: the case is suspended until an officer records the
/// resolution. The objection is kept with the case (officers see it); the public never sees
/// it. Returns the case's number.
pub async fn object_publicly(
    store: &dyn Store,
    notice_id: i64,
    line: usize,
    text: &str,
    today: chrono::NaiveDate,
) -> Result<i64, ServiceError> {
    use jingzhun_domain::audit::AuditEvent;
    use jingzhun_domain::vocab::Vocabulary;
    // A stale read of the case (another objection at the same moment) is tried once more.
    for _ in 0..2 {
        let (_, rec) = case_on_notice(store, notice_id, line).await?;
        let mut case = rec.case.clone();
        case.object(today, text).map_err(ServiceError::Refused)?;
        let mut tx = store.begin().await?;
        if !tx.update_case(rec.id, rec.version, &case).await? {
            continue;
        }
        tx.append_audit(&AuditEvent {
            actor: "public".into(),
            action: format!("procedure.{}.objection", case.kind.code()),
            subject_kind: "procedure_case".into(),
            subject_id: rec.id.to_string(),
            // The text may name people: the audit keeps that one was filed, and where.
            detail: serde_json::json!({ "objection": true, "channel": "public", "notice": notice_id }),
        })
        .await?;
        tx.commit().await?;
        return Ok(rec.id);
    }
    Err(ServiceError::Conflict(
        "the case changed meanwhile; try again / 此案刚被更新，请重试".into(),
    ))
}

/// A correction of a published notice (the published one is never edited): a new notice,
/// composed again from the registry for the same households, naming the one it corrects and
/// why, with its own period; each case of the notice that still waits after it names the new
/// notice and its period starts again. By the role of the notice's step, in one transaction.
pub async fn correct(
    store: &dyn Store,
    account: &jingzhun_domain::access::Account,
    notice_id: i64,
    reason: &str,
    today: chrono::NaiveDate,
) -> Result<NoticeRecord, ServiceError> {
    let n = checked(store, notice_id).await?;
    let Some(content) = n.content else {
        return Err(ServiceError::denied(
            crate::Denial::Conflict,
            "此公示的存档内容已被改动",
            "the stored text of this notice was altered",
        ));
    };
    if !account.may_reach(&crate::procedures::village_of(&content)?, today) {
        return Err(ServiceError::NotFound {
            what: "notice",
            key: notice_id.to_string(),
        });
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ServiceError::denied(
            crate::Denial::Invalid,
            "请写明更正理由（500 字以内）",
            "give the reason for the correction (at most 500 characters)",
        ));
    }
    if !store.corrections_of(notice_id).await?.is_empty() {
        return Err(ServiceError::denied(
            crate::Denial::Conflict,
            "此公示已被更正，请更正最新的一份",
            "this notice was corrected already; correct the latest one",
        ));
    }
    let mut recs = Vec::new();
    for id in &content.case_ids {
        let rec = store.case(*id).await?.ok_or(ServiceError::NotFound {
            what: "procedure case",
            key: id.to_string(),
        })?;
        recs.push(rec);
    }
    crate::procedures::republish(store, account, notice_id, &recs, reason, today).await
}
