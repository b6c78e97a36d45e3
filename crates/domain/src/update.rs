//! The yearly dynamic adjustment (动态调整, domain.md §5 and §11.5): once a year a village's
//! clerk updates incomes and conditions (by import or forms) and submits the village's update;
//! the township reviews it and approves it or returns it with a note. Once approved, the
//! village's data of that year are locked: later changes go through a procedure. The platform
//! proposes the procedures the updated data call for.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access::{Account, Role};
use crate::area::AreaCode;
use crate::exit::Evaluation;
use crate::procedure::{ProcedureKind, acts_as};
use crate::vocab::{HouseholdStatus, Vocabulary};

/// Where a village's update for a year stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdateState {
    /// Submitted by the clerk, waiting for the township.
    Submitted,
    /// Approved by the township: the village's data of the year are locked.
    Approved,
    /// Returned by the township with a note: the clerk corrects and submits again.
    Returned,
}

impl UpdateState {
    pub fn code(self) -> &'static str {
        match self {
            UpdateState::Submitted => "submitted",
            UpdateState::Approved => "approved",
            UpdateState::Returned => "returned",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [
            UpdateState::Submitted,
            UpdateState::Approved,
            UpdateState::Returned,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            UpdateState::Submitted => "已提交，待乡镇审核",
            UpdateState::Approved => "乡镇已审核，数据已锁定",
            UpdateState::Returned => "乡镇退回修改",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            UpdateState::Submitted => "submitted, waiting for the township",
            UpdateState::Approved => "approved by the township: data locked",
            UpdateState::Returned => "returned by the township for corrections",
        }
    }
}

/// A village's update for a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VillageUpdate {
    pub village: AreaCode,
    pub year: i32,
    pub state: UpdateState,
    pub submitted_by: String,
    pub submitted_on: NaiveDate,
    pub decided_by: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub note: Option<String>,
}

/// Why an act on an update was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum UpdateRefusal {
    #[error("this is done by a {role} of the village's area")]
    WrongRole { role: String },
    #[error(
        "the update of {year} was approved: the data are locked; changes go through a procedure"
    )]
    Locked { year: i32 },
    #[error("the update is already submitted and waits for the township")]
    AlreadySubmitted,
    #[error("there is no submitted update to decide")]
    NothingSubmitted,
    #[error("returning an update needs a note saying what to correct")]
    NoteRequired,
    #[error("the note is longer than 1000 characters")]
    NoteTooLong,
}

impl UpdateRefusal {
    pub fn zh(&self) -> String {
        match self {
            UpdateRefusal::WrongRole { role } => format!("须由本村所在地区的{role}办理"),
            UpdateRefusal::Locked { year } => {
                format!("{year} 年度更新已审核，数据已锁定；如需变更，请通过程序办理")
            }
            UpdateRefusal::AlreadySubmitted => "更新已提交，等待乡镇审核".into(),
            UpdateRefusal::NothingSubmitted => "没有待审核的更新".into(),
            UpdateRefusal::NoteRequired => "退回须说明需修改的内容".into(),
            UpdateRefusal::NoteTooLong => "说明不能超过 1000 字".into(),
        }
    }
}

/// The clerk submits the village's update for `year` (first time, or again after a return).
pub fn submit(
    current: Option<&VillageUpdate>,
    account: &Account,
    village: AreaCode,
    year: i32,
    today: NaiveDate,
) -> Result<VillageUpdate, UpdateRefusal> {
    if !acts_as(account, Role::VillageClerk, &village, today) {
        return Err(UpdateRefusal::WrongRole {
            role: Role::VillageClerk.zh().into(),
        });
    }
    match current.map(|u| u.state) {
        Some(UpdateState::Approved) => Err(UpdateRefusal::Locked { year }),
        Some(UpdateState::Submitted) => Err(UpdateRefusal::AlreadySubmitted),
        None | Some(UpdateState::Returned) => Ok(VillageUpdate {
            village,
            year,
            state: UpdateState::Submitted,
            submitted_by: account.login.as_str().to_string(),
            submitted_on: today,
            decided_by: None,
            decided_on: None,
            note: None,
        }),
    }
}

/// The township approves the submitted update (locking the data) or returns it with a note.
pub fn decide(
    current: Option<&VillageUpdate>,
    account: &Account,
    approve: bool,
    note: &str,
    today: NaiveDate,
) -> Result<VillageUpdate, UpdateRefusal> {
    let Some(u) = current.filter(|u| u.state == UpdateState::Submitted) else {
        return Err(match current.map(|u| u.state) {
            Some(UpdateState::Approved) => UpdateRefusal::Locked {
                year: current.map_or(0, |u| u.year),
            },
            _ => UpdateRefusal::NothingSubmitted,
        });
    };
    if !acts_as(account, Role::TownshipReviewer, &u.village, today) {
        return Err(UpdateRefusal::WrongRole {
            role: Role::TownshipReviewer.zh().into(),
        });
    }
    let note = note.trim();
    if note.chars().count() > 1000 {
        return Err(UpdateRefusal::NoteTooLong);
    }
    if !approve && note.is_empty() {
        return Err(UpdateRefusal::NoteRequired);
    }
    Ok(VillageUpdate {
        state: if approve {
            UpdateState::Approved
        } else {
            UpdateState::Returned
        },
        decided_by: Some(account.login.as_str().to_string()),
        decided_on: Some(today),
        note: (!note.is_empty()).then(|| note.to_string()),
        ..u.clone()
    })
}

/// Whether data of `year` of a village with this update are locked.
pub fn locks(update: Option<&VillageUpdate>) -> bool {
    update.is_some_and(|u| u.state == UpdateState::Approved)
}

/// What the updated data of one household call for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    pub kind: ProcedureKind,
    /// Why, in Chinese and English.
    pub why_zh: &'static str,
    pub why_en: &'static str,
}

/// The procedure a household's evaluated data call for, if any:
/// - registered and meeting every indicator → exit (the pre-exit list);
/// - exited, below the poverty line or failing a guarantee → return to poverty (返贫);
/// - exited, above the line but below the monitoring line → monitoring entry;
/// - monitored, meeting every indicator above the monitoring line → risk elimination;
/// - every member deceased → removal (自然消亡);
/// - a cross-check lead about it verified as confirmed, with the removal procedure as what
///   follows → removal (the lead alone never removes anyone: the procedure does, with its
///   deliberation, visit and notice).
///
/// `evaluation` is the household's exit evaluation (a monitored household is judged against
/// the monitoring line, `below_monitoring_line` says whether its income per person is below
/// it).
pub fn propose(
    status: HouseholdStatus,
    evaluation: &Evaluation,
    below_monitoring_line: bool,
    all_members_deceased: bool,
    removal_confirmed_by_lead: bool,
) -> Option<Proposal> {
    let active = matches!(
        status,
        HouseholdStatus::Registered | HouseholdStatus::Exited | HouseholdStatus::Monitored
    );
    if removal_confirmed_by_lead && active {
        return Some(Proposal {
            kind: ProcedureKind::Removal,
            why_zh: "比对疑点经核实属实，核实结论为启动清退程序",
            why_en: "a cross-check lead was confirmed with the removal procedure to follow",
        });
    }
    if all_members_deceased
        && matches!(
            status,
            HouseholdStatus::Registered | HouseholdStatus::Exited | HouseholdStatus::Monitored
        )
    {
        return Some(Proposal {
            kind: ProcedureKind::Removal,
            why_zh: "家庭成员均已去世（自然消亡）",
            why_en: "every member has died",
        });
    }
    match status {
        HouseholdStatus::Registered if evaluation.meets() => Some(Proposal {
            kind: ProcedureKind::Exit,
            why_zh: "达到全部退出指标（预退出）",
            why_en: "meets every exit indicator (pre-exit list)",
        }),
        HouseholdStatus::Exited if !evaluation.meets() => Some(Proposal {
            kind: ProcedureKind::Return,
            why_zh: "已脱贫户不再达到退出指标",
            why_en: "an exited household no longer meets the indicators",
        }),
        HouseholdStatus::Exited if below_monitoring_line => Some(Proposal {
            kind: ProcedureKind::MonitoringEntry,
            why_zh: "人均纯收入低于防返贫监测线",
            why_en: "income per person below the monitoring line",
        }),
        HouseholdStatus::Monitored if evaluation.meets() && !below_monitoring_line => {
            Some(Proposal {
                kind: ProcedureKind::RiskElimination,
                why_zh: "收入稳定高于监测线且三保障达标",
                why_en: "income above the monitoring line and the guarantees hold",
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{Assignment, Login};
    use crate::exit::{Evidence, Indicator, IndicatorResult, Outcome};

    fn code(s: &str) -> AreaCode {
        AreaCode::parse_short(s).unwrap()
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    fn account(login: &str, role: Role, area: &str) -> Account {
        Account {
            name: String::new(),
            login: Login::parse(login).unwrap(),
            disabled: false,
            assignments: vec![Assignment::new(role, code(area), None, None, false).unwrap()],
        }
    }

    const VILLAGE: &str = "510304107201";

    #[test]
    fn an_update_is_submitted_returned_submitted_again_and_approved_then_locked() {
        let clerk = account("clerk", Role::VillageClerk, VILLAGE);
        let reviewer = account("reviewer", Role::TownshipReviewer, "510304107");
        let v = code(VILLAGE);
        let u = submit(None, &clerk, v, 2026, day()).unwrap();
        assert_eq!(u.state, UpdateState::Submitted);
        assert!(!locks(Some(&u)));
        assert_eq!(
            submit(Some(&u), &clerk, v, 2026, day()),
            Err(UpdateRefusal::AlreadySubmitted)
        );
        assert_eq!(
            decide(Some(&u), &reviewer, false, "  ", day()),
            Err(UpdateRefusal::NoteRequired)
        );
        let back = decide(Some(&u), &reviewer, false, "第3组收入未更新", day()).unwrap();
        assert_eq!(back.state, UpdateState::Returned);
        assert_eq!(
            decide(Some(&back), &reviewer, true, "", day()),
            Err(UpdateRefusal::NothingSubmitted)
        );
        let again = submit(Some(&back), &clerk, v, 2026, day()).unwrap();
        let approved = decide(Some(&again), &reviewer, true, "", day()).unwrap();
        assert!(locks(Some(&approved)));
        assert_eq!(approved.decided_by.as_deref(), Some("reviewer"));
        assert_eq!(
            submit(Some(&approved), &clerk, v, 2026, day()),
            Err(UpdateRefusal::Locked { year: 2026 })
        );
        assert_eq!(
            decide(Some(&approved), &reviewer, false, "x", day()),
            Err(UpdateRefusal::Locked { year: 2026 })
        );
    }

    #[test]
    fn only_the_villages_clerk_submits_and_only_its_township_decides() {
        let v = code(VILLAGE);
        let other_clerk = account("other", Role::VillageClerk, "510304107202");
        let officer = account("officer", Role::CountyOfficer, "510304");
        assert!(matches!(
            submit(None, &other_clerk, v, 2026, day()),
            Err(UpdateRefusal::WrongRole { .. })
        ));
        assert!(matches!(
            submit(None, &officer, v, 2026, day()),
            Err(UpdateRefusal::WrongRole { .. })
        ));
        let clerk = account("clerk", Role::VillageClerk, VILLAGE);
        let u = submit(None, &clerk, v, 2026, day()).unwrap();
        let other_township = account("other.reviewer", Role::TownshipReviewer, "510304100");
        assert!(matches!(
            decide(Some(&u), &other_township, true, "", day()),
            Err(UpdateRefusal::WrongRole { .. })
        ));
        assert!(matches!(
            decide(Some(&u), &clerk, true, "", day()),
            Err(UpdateRefusal::WrongRole { .. })
        ));
    }

    fn evaluation(meets: bool) -> Evaluation {
        Evaluation {
            year: 2026,
            results: vec![IndicatorResult {
                indicator: Indicator::Housing,
                outcome: if meets { Outcome::Pass } else { Outcome::Fail },
                evidence: Evidence::Flag { value: meets },
            }],
        }
    }

    #[test]
    fn each_status_gets_the_procedure_its_data_call_for() {
        use HouseholdStatus::*;
        let kind = |s, meets, below, dead| {
            propose(s, &evaluation(meets), below, dead, false).map(|p| p.kind)
        };
        assert_eq!(
            kind(Registered, true, false, false),
            Some(ProcedureKind::Exit)
        );
        assert_eq!(kind(Registered, false, true, false), None);
        assert_eq!(
            kind(Exited, false, true, false),
            Some(ProcedureKind::Return)
        );
        assert_eq!(
            kind(Exited, true, true, false),
            Some(ProcedureKind::MonitoringEntry)
        );
        assert_eq!(kind(Exited, true, false, false), None);
        assert_eq!(
            kind(Monitored, true, false, false),
            Some(ProcedureKind::RiskElimination)
        );
        assert_eq!(kind(Monitored, true, true, false), None);
        assert_eq!(kind(Monitored, false, false, false), None);
        assert_eq!(
            kind(Exited, true, false, true),
            Some(ProcedureKind::Removal)
        );
        assert_eq!(kind(Removed, true, false, true), None);
        assert_eq!(kind(Applicant, true, false, false), None);
        // A confirmed lead whose verification calls for removal: even a household that meets
        // every indicator is proposed the removal procedure; a removed one is not.
        let by_lead = |s| propose(s, &evaluation(true), false, false, true).map(|p| p.kind);
        assert_eq!(by_lead(Registered), Some(ProcedureKind::Removal));
        assert_eq!(by_lead(Exited), Some(ProcedureKind::Removal));
        assert_eq!(by_lead(Removed), None);
        assert_eq!(by_lead(Applicant), None);
    }
}
