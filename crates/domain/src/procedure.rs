//! Procedures (程序, domain.md §5): every status change of a household is one. Each kind is a
//! fixed sequence of named steps; each step has the role allowed to take it, the evidence it
//! records, and may open a notice period (公示) during which the case cannot go on. An
//! objection (异议) suspends the case until its resolution is recorded. A review that refuses,
//! a deliberation that does not approve, or an objection upheld closes the case without a
//! status change. Only a completed case changes the household's status.
//!
//! Pure: the caller gives the account, the case's village, the day and the notice period in
//! force; the case answers with the next state or a refusal that says why.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::access::{Account, Role};
use crate::area::AreaCode;
use crate::vocab::{HouseholdStatus, Vocabulary, vocabulary};

vocabulary! {
    /// What a procedure changes.
    ProcedureKind {
        Identification = ("identification", "精准识别", "Identification"),
        NewIdentification = ("new_identification", "新识别", "New identification"),
        Return = ("return", "返贫", "Return to poverty"),
        Exit = ("exit", "精准退出", "Exit"),
        Removal = ("removal", "清退", "Removal"),
        MonitoringEntry = ("monitoring_entry", "纳入防返贫监测", "Monitoring entry"),
        RiskElimination = ("risk_elimination", "风险消除", "Risk elimination"),
    }
}

vocabulary! {
    /// A named step.
    Step {
        Application = ("application", "申请或摸排发现", "Application or discovery"),
        Deliberation = ("deliberation", "村民代表民主评议", "Village deliberation"),
        Verification = ("verification", "入户核实", "Verification visit"),
        FirstNotice = ("first_notice", "村内公示", "Village notice"),
        TownshipReview = ("township_review", "乡镇审核", "Township review"),
        SecondNotice = ("second_notice", "乡镇审核后公示", "Notice after township review"),
        CountyApproval = ("county_approval", "县级审批", "County approval"),
        Announcement = ("announcement", "公告", "Announcement"),
    }
}

impl Step {
    /// The role that takes the step in the household's village (or above it).
    pub fn role(self) -> Role {
        match self {
            Step::Application | Step::Deliberation | Step::Verification | Step::FirstNotice => {
                Role::VillageClerk
            }
            Step::TownshipReview | Step::SecondNotice => Role::TownshipReviewer,
            Step::CountyApproval | Step::Announcement => Role::CountyOfficer,
        }
    }

    /// Whether the step publishes a notice whose period must end before the case goes on.
    pub fn is_notice(self) -> bool {
        matches!(self, Step::FirstNotice | Step::SecondNotice)
    }
}

impl ProcedureKind {
    /// The steps, in order.
    pub fn steps(self) -> &'static [Step] {
        use Step::*;
        match self {
            // 两公示一公告.
            ProcedureKind::Identification
            | ProcedureKind::NewIdentification
            | ProcedureKind::Return => &[
                Application,
                Deliberation,
                Verification,
                FirstNotice,
                TownshipReview,
                SecondNotice,
                CountyApproval,
                Announcement,
            ],
            ProcedureKind::Exit | ProcedureKind::Removal => &[
                Application,
                Deliberation,
                Verification,
                FirstNotice,
                TownshipReview,
                CountyApproval,
                Announcement,
            ],
            ProcedureKind::MonitoringEntry => {
                &[Application, Verification, TownshipReview, CountyApproval]
            }
            ProcedureKind::RiskElimination => &[
                Application,
                Verification,
                FirstNotice,
                TownshipReview,
                CountyApproval,
            ],
        }
    }

    /// The statuses a household may have when the procedure starts (`None`: not yet in the
    /// registry).
    pub fn may_start_from(self, status: Option<HouseholdStatus>) -> bool {
        use HouseholdStatus::*;
        match self {
            ProcedureKind::Identification | ProcedureKind::NewIdentification => {
                matches!(status, None | Some(Applicant))
            }
            ProcedureKind::Return => status == Some(Exited) || status == Some(Monitored),
            ProcedureKind::Exit => status == Some(Registered),
            ProcedureKind::Removal => matches!(status, Some(Registered | Exited | Monitored)),
            ProcedureKind::MonitoringEntry => matches!(status, None | Some(Exited)),
            ProcedureKind::RiskElimination => status == Some(Monitored),
        }
    }

    /// The household's status once the procedure completes.
    pub fn result(self) -> HouseholdStatus {
        match self {
            ProcedureKind::Identification
            | ProcedureKind::NewIdentification
            | ProcedureKind::Return => HouseholdStatus::Registered,
            ProcedureKind::Exit | ProcedureKind::RiskElimination => HouseholdStatus::Exited,
            ProcedureKind::Removal => HouseholdStatus::Removed,
            ProcedureKind::MonitoringEntry => HouseholdStatus::Monitored,
        }
    }
}

/// What a step records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// Who started it: the household's application, or cadres' discovery, with the reason.
    Application { by_household: bool, reason: String },
    /// The record of the meeting and its vote (民主评议).
    Meeting {
        attendees: u32,
        votes_for: u32,
        votes_against: u32,
        record: String,
    },
    /// What the visit found ("八看四查一研判"), and for an exit the household's signed consent.
    Visit {
        findings: String,
        household_consents: Option<bool>,
    },
    /// A notice published (the notice record is kept by the platform, with its digest).
    Notice { notice_ref: String },
    /// A review, approval or announcement: approved or not, with the note.
    Decision { approved: bool, note: String },
}

/// Why an act was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum Refusal {
    #[error("this case is closed ({state})")]
    Closed { state: String },
    #[error("the next step is {expected}, not {got}")]
    OutOfOrder { expected: String, got: String },
    #[error("this step is taken by a {role} of the household's area")]
    WrongRole { role: String },
    #[error("the notice period runs until {until}; the case cannot go on before")]
    NoticeRunning { until: NaiveDate },
    #[error("an objection is open: record its resolution first")]
    ObjectionOpen,
    #[error("no objection is open")]
    NoObjection,
    #[error("objections are filed while a notice runs")]
    NoNoticeRunning,
    #[error("a household that is {status} cannot start this procedure")]
    NotApplicable { status: String },
    #[error("the evidence does not fit this step: {why}")]
    BadEvidence { why: String },
    #[error("the date is before the last step ({last})")]
    DateBeforeLastStep { last: NaiveDate },
    #[error("the household does not meet the indicators ({failing}): no exit on paper")]
    NotEligible { failing: String },
    #[error("the case is not at a notice step: there is no notice to correct")]
    NoNoticeToCorrect,
}

impl Refusal {
    pub fn zh(&self) -> String {
        match self {
            Refusal::Closed { state } => format!("本案已结束（{state}）"),
            Refusal::OutOfOrder { expected, got } => {
                format!("下一步应为“{expected}”，不是“{got}”")
            }
            Refusal::WrongRole { role } => format!("此步骤须由本户所在地区的{role}办理"),
            Refusal::NoticeRunning { until } => {
                format!("公示期至 {until}，公示期满前不能进入下一步")
            }
            Refusal::ObjectionOpen => "有未处理的异议，请先记录处理结果".into(),
            Refusal::NoObjection => "没有未处理的异议".into(),
            Refusal::NoNoticeRunning => "只能在公示期内提出异议".into(),
            Refusal::NotApplicable { status } => format!("状态为“{status}”的户不能启动此程序"),
            Refusal::BadEvidence { why } => format!("材料不符合此步骤要求：{why}"),
            Refusal::DateBeforeLastStep { last } => format!("日期早于上一步（{last}）"),
            Refusal::NotEligible { failing } => {
                format!("此户未达到退出指标（{failing}），不能“数字脱贫”")
            }
            Refusal::NoNoticeToCorrect => "本案不在公示环节，没有可更正的公示".into(),
        }
    }
}

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// Waiting for its next step (or for its notice period to end).
    Open,
    /// An objection is open.
    Suspended,
    /// Every step done: the household's status changes.
    Completed,
    /// Closed without a change: not approved, or an objection upheld.
    Closed,
}

/// A step taken, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    pub step: Step,
    pub on: NaiveDate,
    pub by: String,
    pub evidence: Evidence,
}

/// An objection and its resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objection {
    pub filed_on: NaiveDate,
    pub during: Step,
    pub text: String,
    /// `Some(upheld)` once resolved.
    pub resolution: Option<(bool, String, NaiveDate)>,
}

/// One procedure of one household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    pub kind: ProcedureKind,
    pub village: AreaCode,
    pub state: CaseState,
    pub steps: Vec<StepRecord>,
    /// The notice running, and the day from which the case may go on.
    pub notice_until: Option<NaiveDate>,
    pub objections: Vec<Objection>,
    pub closed_reason: Option<String>,
}

/// Whether `account` holds `role` over `village` on `day` (an administrator does not take
/// procedure steps: separation of duties).
pub fn acts_as(account: &Account, role: Role, village: &AreaCode, day: NaiveDate) -> bool {
    account
        .active(day)
        .any(|a| a.role == role && a.area.contains(village))
}

fn bad(why: &str) -> Refusal {
    Refusal::BadEvidence { why: why.into() }
}

fn text_ok(t: &str, what: &str) -> Result<(), Refusal> {
    let n = t.trim().chars().count();
    if n == 0 {
        Err(bad(&format!("{what} is required")))
    } else if n > 2000 {
        Err(bad(&format!("{what} is longer than 2000 characters")))
    } else {
        Ok(())
    }
}

impl Case {
    /// Opens a case: the first step (application or discovery) by the village clerk.
    pub fn start(
        kind: ProcedureKind,
        status: Option<HouseholdStatus>,
        village: AreaCode,
        account: &Account,
        on: NaiveDate,
        evidence: Evidence,
    ) -> Result<Case, Refusal> {
        if !kind.may_start_from(status) {
            return Err(Refusal::NotApplicable {
                status: status.map_or("未登记", |s| s.zh()).into(),
            });
        }
        let mut case = Case {
            kind,
            village,
            state: CaseState::Open,
            steps: Vec::new(),
            notice_until: None,
            objections: Vec::new(),
            closed_reason: None,
        };
        case.step(Step::Application, account, on, evidence, 0)?;
        Ok(case)
    }

    /// The step that comes next, if the case is open.
    pub fn next_step(&self) -> Option<Step> {
        match self.state {
            CaseState::Open | CaseState::Suspended => {
                self.kind.steps().get(self.steps.len()).copied()
            }
            _ => None,
        }
    }

    /// The status the household takes, once the case is completed.
    pub fn outcome(&self) -> Option<HouseholdStatus> {
        (self.state == CaseState::Completed).then(|| self.kind.result())
    }

    /// The day by which the next step is due: `deadline_days` after the last step, or after
    /// the end of the notice period. `None` when nothing is due (closed, completed, or
    /// suspended by an objection, which has its own handling).
    pub fn due_on(&self, deadline_days: u32) -> Option<NaiveDate> {
        if self.state != CaseState::Open {
            return None;
        }
        let from = match (self.last_day(), self.notice_until) {
            (Some(l), Some(n)) => l.max(n),
            (l, n) => l.or(n)?,
        };
        from.checked_add_days(Days::new(u64::from(deadline_days)))
    }

    /// Whether the next step is past its deadline on `today`.
    pub fn is_overdue(&self, today: NaiveDate, deadline_days: u32) -> bool {
        self.due_on(deadline_days).is_some_and(|d| today > d)
    }

    fn last_day(&self) -> Option<NaiveDate> {
        self.steps.last().map(|s| s.on)
    }

    /// Takes `step` with its evidence. `notice_days` is the notice period in force (used when
    /// the step publishes a notice).
    pub fn step(
        &mut self,
        step: Step,
        account: &Account,
        on: NaiveDate,
        evidence: Evidence,
        notice_days: u32,
    ) -> Result<(), Refusal> {
        match self.state {
            CaseState::Completed | CaseState::Closed => {
                return Err(Refusal::Closed {
                    state: format!("{:?}", self.state).to_lowercase(),
                });
            }
            CaseState::Suspended => return Err(Refusal::ObjectionOpen),
            CaseState::Open => {}
        }
        let expected = self.kind.steps().get(self.steps.len()).copied();
        if expected != Some(step) {
            return Err(Refusal::OutOfOrder {
                expected: expected.map_or("—", |s| s.zh()).into(),
                got: step.zh().into(),
            });
        }
        if !acts_as(account, step.role(), &self.village, on) {
            return Err(Refusal::WrongRole {
                role: step.role().zh().into(),
            });
        }
        if let Some(last) = self.last_day()
            && on < last
        {
            return Err(Refusal::DateBeforeLastStep { last });
        }
        if let Some(until) = self.notice_until
            && on < until
        {
            return Err(Refusal::NoticeRunning { until });
        }
        // What the evidence must be, and whether it ends the case.
        let mut close: Option<String> = None;
        match (step, &evidence) {
            (Step::Application, Evidence::Application { reason, .. }) => text_ok(reason, "reason")?,
            (
                Step::Deliberation,
                Evidence::Meeting {
                    attendees,
                    votes_for,
                    votes_against,
                    record,
                },
            ) => {
                text_ok(record, "the meeting record")?;
                if *attendees == 0 || votes_for + votes_against > *attendees {
                    return Err(bad("votes exceed the attendees"));
                }
                if votes_for * 2 <= *attendees {
                    close = Some("民主评议未通过 / not approved by the deliberation".into());
                }
            }
            (
                Step::Verification,
                Evidence::Visit {
                    findings,
                    household_consents,
                },
            ) => {
                text_ok(findings, "the findings")?;
                if self.kind == ProcedureKind::Exit && *household_consents != Some(true) {
                    return Err(bad(
                        "an exit needs the household's signed consent (拟退出户认可)",
                    ));
                }
            }
            (Step::FirstNotice | Step::SecondNotice, Evidence::Notice { notice_ref }) => {
                text_ok(notice_ref, "the notice")?;
            }
            (
                Step::TownshipReview | Step::CountyApproval | Step::Announcement,
                Evidence::Decision { approved, note },
            ) => {
                if !approved {
                    text_ok(note, "the reason for refusing")?;
                    close = Some(format!("{} 未通过 / not approved: {note}", step.zh()));
                }
                if step == Step::Announcement && !approved {
                    return Err(bad("an announcement is published, not refused"));
                }
            }
            _ => return Err(bad("wrong kind of evidence for this step")),
        }
        self.steps.push(StepRecord {
            step,
            on,
            by: account.login.as_str().to_string(),
            evidence,
        });
        self.notice_until = step
            .is_notice()
            .then(|| on.checked_add_days(Days::new(u64::from(notice_days))))
            .flatten();
        if let Some(reason) = close {
            self.state = CaseState::Closed;
            self.closed_reason = Some(reason);
        } else if self.steps.len() == self.kind.steps().len() {
            self.state = CaseState::Completed;
        }
        Ok(())
    }

    /// Publishes the current notice again, corrected (a published notice is never edited; the
    /// correction is a new notice that references it): the case must be waiting after a
    /// notice step, the account must hold that step's role, and the notice period starts again
    /// from `on`.
    pub fn republish(
        &mut self,
        account: &Account,
        on: NaiveDate,
        notice_days: u32,
        notice_ref: String,
    ) -> Result<(), Refusal> {
        if matches!(self.state, CaseState::Completed | CaseState::Closed) {
            return Err(Refusal::Closed {
                state: format!("{:?}", self.state).to_lowercase(),
            });
        }
        let last_day = self.last_day();
        let village = self.village;
        let Some(last) = self.steps.last_mut().filter(|s| s.step.is_notice()) else {
            return Err(Refusal::NoNoticeToCorrect);
        };
        if !acts_as(account, last.step.role(), &village, on) {
            return Err(Refusal::WrongRole {
                role: last.step.role().zh().into(),
            });
        }
        if let Some(day) = last_day
            && on < day
        {
            return Err(Refusal::DateBeforeLastStep { last: day });
        }
        text_ok(&notice_ref, "the notice")?;
        last.evidence = Evidence::Notice { notice_ref };
        self.notice_until = on.checked_add_days(Days::new(u64::from(notice_days)));
        Ok(())
    }

    /// Files an objection while a notice runs (anyone may object; the platform records who
    /// filed it elsewhere). Suspends the case.
    pub fn object(&mut self, on: NaiveDate, text: &str) -> Result<(), Refusal> {
        if matches!(self.state, CaseState::Completed | CaseState::Closed) {
            return Err(Refusal::Closed {
                state: format!("{:?}", self.state).to_lowercase(),
            });
        }
        let running = self.notice_until.is_some_and(|until| on < until);
        let during = self.steps.last().map(|s| s.step).filter(|s| s.is_notice());
        let (true, Some(during)) = (running, during) else {
            return Err(Refusal::NoNoticeRunning);
        };
        text_ok(text, "the objection")?;
        self.objections.push(Objection {
            filed_on: on,
            during,
            text: text.trim().to_string(),
            resolution: None,
        });
        self.state = CaseState::Suspended;
        Ok(())
    }

    /// Records the resolution of the open objection, by the role of the step it was filed
    /// under: upheld closes the case, dismissed lets it go on (the notice period is not
    /// extended).
    pub fn resolve(
        &mut self,
        account: &Account,
        on: NaiveDate,
        upheld: bool,
        note: &str,
    ) -> Result<(), Refusal> {
        let Some(i) = self.objections.iter().position(|o| o.resolution.is_none()) else {
            return Err(Refusal::NoObjection);
        };
        let role = self.objections[i].during.role();
        if !acts_as(account, role, &self.village, on) {
            return Err(Refusal::WrongRole {
                role: role.zh().into(),
            });
        }
        if on < self.objections[i].filed_on {
            return Err(Refusal::DateBeforeLastStep {
                last: self.objections[i].filed_on,
            });
        }
        text_ok(note, "the resolution")?;
        self.objections[i].resolution = Some((upheld, note.trim().to_string(), on));
        if upheld {
            self.state = CaseState::Closed;
            self.closed_reason = Some(format!("异议成立 / objection upheld: {}", note.trim()));
        } else if self.objections.iter().all(|o| o.resolution.is_some()) {
            self.state = CaseState::Open;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
