//! Public notices (公示) and announcements (公告) generated from procedures (domain.md §5):
//! what they say, and the digest that lets anyone check later that a published notice is
//! unchanged (domain.md §11.2). A notice never shows ID numbers, phones, bank accounts or
//! health details (§11.6): a household appears by its head's name and its size, with a reason
//! fixed by the procedure, not the free text of the case.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::procedure::{ProcedureKind, Step};
use crate::vocab::Vocabulary;

/// One household on a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeLine {
    pub head: String,
    pub persons: u32,
    pub reason: String,
}

/// What a notice says. Its canonical form (this struct as JSON, fields in this order) is what
/// the digest covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeContent {
    pub title: String,
    pub kind: ProcedureKind,
    pub step: Step,
    pub village_code: String,
    pub village_name: String,
    pub households: Vec<NoticeLine>,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub objections_to: String,
    pub case_ids: Vec<i64>,
    /// A correction names the notice it corrects (that one stays as it was published) and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrects: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction: Option<String>,
}

/// The reason a notice gives for a household, by procedure: no free text, no health details.
pub fn reason(kind: ProcedureKind) -> &'static str {
    match kind {
        ProcedureKind::Identification | ProcedureKind::NewIdentification => {
            "经民主评议、入户核实，拟识别为建档立卡贫困户"
        }
        ProcedureKind::Return => "经民主评议、入户核实，拟纳入返贫户",
        ProcedureKind::Exit => "经民主评议、入户核实，达到退出标准，户主签字认可，拟退出",
        ProcedureKind::Removal => "经民主评议、入户核实，拟清退",
        ProcedureKind::MonitoringEntry => "经核实，拟纳入防返贫监测",
        ProcedureKind::RiskElimination => "经核实，风险已消除",
    }
}

/// Builds a notice for the households of a procedure's notice step.
pub fn compose(
    kind: ProcedureKind,
    step: Step,
    village_code: &str,
    village_name: &str,
    households: Vec<(String, u32)>,
    (period_from, period_to): (NaiveDate, NaiveDate),
    case_ids: Vec<i64>,
) -> NoticeContent {
    let which = if step == Step::SecondNotice {
        "（第二次）"
    } else {
        ""
    };
    NoticeContent {
        title: format!("{village_name}{}对象公示{which}", kind.zh()),
        kind,
        step,
        village_code: village_code.to_string(),
        village_name: village_name.to_string(),
        households: households
            .into_iter()
            .map(|(head, persons)| NoticeLine {
                head,
                persons,
                reason: reason(kind).to_string(),
            })
            .collect(),
        period_from,
        period_to,
        objections_to: format!(
            "公示期内如有异议，请向{village_name}村民委员会或乡镇扶贫办反映，也可在本平台登记。"
        ),
        case_ids,
        corrects: None,
        correction: None,
    }
}

/// Makes `notice` a correction of notice `corrects`, for `reason` (title marked 更正).
pub fn as_correction(mut notice: NoticeContent, corrects: i64, reason: &str) -> NoticeContent {
    notice.title = format!("更正：{}", notice.title);
    notice.corrects = Some(corrects);
    notice.correction = Some(reason.trim().to_string());
    notice
}

/// The canonical text of a notice (what is stored and what the digest covers).
pub fn canonical(content: &NoticeContent) -> String {
    serde_json::to_string(content).unwrap_or_default()
}

/// SHA-256 of the canonical text, in hex.
pub fn digest_of(canonical_text: &str) -> String {
    hex::encode(Sha256::digest(canonical_text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> NoticeContent {
        compose(
            ProcedureKind::Exit,
            Step::FirstNotice,
            "510304100201",
            "一村",
            vec![("张三".into(), 3)],
            (
                NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
                NaiveDate::from_ymd_opt(2026, 11, 8).unwrap(),
            ),
            vec![7],
        )
    }

    #[test]
    fn a_notice_reads_back_and_its_digest_changes_with_any_word() {
        let n = sample();
        let text = canonical(&n);
        let back: NoticeContent = serde_json::from_str(&text).unwrap();
        assert_eq!(back, n);
        assert_eq!(canonical(&back), text, "the canonical form is stable");
        let mut altered = n.clone();
        altered.households[0].head = "李四".into();
        assert_ne!(digest_of(&canonical(&altered)), digest_of(&text));
        assert_eq!(digest_of(&text).len(), 64);
        assert!(n.title.contains("精准退出"));
    }

    #[test]
    fn a_correction_names_the_notice_it_corrects_and_older_notices_read_as_before() {
        let n = sample();
        let text = canonical(&n);
        assert!(
            !text.contains("corrects"),
            "a notice that corrects nothing keeps the canonical form notices had before"
        );
        let c = as_correction(n.clone(), 41, " 户主姓名有误 ");
        assert!(c.title.starts_with("更正："));
        assert_eq!(
            (c.corrects, c.correction.as_deref()),
            (Some(41), Some("户主姓名有误"))
        );
        let back: NoticeContent = serde_json::from_str(&canonical(&c)).unwrap();
        assert_eq!(back, c);
        assert_ne!(digest_of(&canonical(&c)), digest_of(&text));
    }

    #[test]
    fn a_notice_carries_no_free_text_from_the_case() {
        let n = sample();
        assert_eq!(n.households[0].reason, reason(ProcedureKind::Exit));
        let text = canonical(&n);
        assert!(!text.contains("id_number") && !text.contains("phone"));
    }
}
