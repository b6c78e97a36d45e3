//! Rectification ledgers (整改台账, domain.md §6, as run in seed 001): a programme (整改方案)
//! answers one inspection's feedback; its problems are grouped by category and aspect (Gansu:
//! 4 categories, 10 aspects, 30 problems); each problem has measures (148 in Gansu), and the
//! measures together are the five lists of the seed: problem, task, responsibility (a leader
//! and a unit), deadline and requirement (问题/任务/责任/时限/要求清单).
//!
//! A measure is typed (seed 001: "能够当下改的,明确时限,按期整改到位;需要长期改的,明确阶段
//! 目标,稳步推进"): immediate (立行立改), staged (阶段性, with dated milestones) or long-term
//! (长期坚持, with the mechanism built, 健全完善长效机制). Its life:
//!
//! ```text
//! not started ──report──▶ in progress ──report (completed)──▶ awaiting verification
//!                              ▲                                   │ verify (failed): back
//!                              └───────────────────────────────────┤
//!                                                                  │ verify (passed) + close
//!                   reopened ◀──look-back (reopen)── closed (销号) ◀┘
//! ```
//!
//! The rules, each refused with a [`Refusal`] that says why:
//!
//! * Only the owner reports progress: the responsible leader, or an account of the responsible
//!   unit or of a co-operating unit (配合单位).
//! * Closing (销号) needs a passing verification by someone *other* than the owner, recorded
//!   after the latest completion report: the verifier (and the one who closes) may be neither
//!   the leader nor of the leader's unit, the responsible unit or a co-operating unit (domain.md
//!   §6: "closing only after verification by someone other than the owner").
//! * A look-back (回头看, seed 001) can reopen a closed measure with its findings; the measure
//!   then needs a new completion report and a new verification. The evidence that was enough
//!   before the reopening no longer counts (the look-back found it was not).
//! * Rectification by issuing a document (以文件代替整改, seed 001 problem 27; seed 003) is
//!   refused: a measure whose evidence in its current round is only "document issued"
//!   (印发文件) cannot be reported completed, nor closed. [`Measure::is_document_only`] flags
//!   such measures while they run, and [`progress`] lists them.
//! * A staged measure cannot be reported completed while a milestone is unmet; a long-term
//!   measure cannot be reported completed, nor closed, before its mechanism is recorded.
//! * Overdue: past the deadline and not closed ([`Measure::is_overdue`]); a milestone is overdue
//!   past its date and unmet ([`Measure::overdue_milestones`]).
//!
//! Pure: the caller passes the acting [`Actor`] (login and unit) and the day.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};

use crate::access::Login;
use crate::vocab::{Vocabulary, vocabulary};

/// The longest title, code or unit name, in characters.
pub const MAX_SHORT: usize = 200;
/// The longest free text (task, requirement, report, findings), in characters.
pub const MAX_TEXT: usize = 2000;
/// The most evidence items one report or verification holds, and the most milestones.
pub const MAX_ITEMS: usize = 50;

vocabulary! {
    /// The type of a measure (seed 001).
    MeasureKind {
        Immediate = ("immediate", "立行立改", "Immediate", ["即知即改"]),
        Staged = ("staged", "阶段性", "Staged", ["阶段性整改"]),
        LongTerm = ("long_term", "长期坚持", "Long-term", ["长期整改"]),
    }
}

vocabulary! {
    /// What a piece of evidence is. "No trace-ism" (domain.md §10): the kind says what the
    /// evidence proves, not how much paper there is.
    EvidenceKind {
        DocumentIssued = ("document_issued", "印发文件", "Document issued"),
        FieldVerification = ("field_verification", "实地核查", "Field verification"),
        SystemData = ("system_data", "系统数据", "Data from the system"),
        Photo = ("photo", "照片", "Photo"),
        Ledger = ("ledger", "台账", "Ledger"),
        FundsDisbursed = ("funds_disbursed", "资金拨付", "Funds disbursed"),
        MeetingMinutes = ("meeting_minutes", "会议纪要", "Meeting minutes"),
        Other = ("other", "其他", "Other"),
    }
}

vocabulary! {
    /// Where a measure stands.
    MeasureState {
        NotStarted = ("not_started", "未启动", "Not started"),
        InProgress = ("in_progress", "整改中", "In progress"),
        AwaitingVerification = ("awaiting_verification", "已完成待核验", "Completed, awaiting verification"),
        Closed = ("closed", "已销号", "Closed"),
        Reopened = ("reopened", "回头看重新整改", "Reopened after look-back"),
    }
}

vocabulary! {
    /// The fields a refusal may name.
    Field {
        Title = ("title", "方案名称", "Title"),
        Inspection = ("inspection", "巡视（检查）反馈来源", "Inspection"),
        Category = ("category", "问题类别", "Category"),
        Aspect = ("aspect", "问题方面", "Aspect"),
        Problem = ("problem", "问题表述", "Problem"),
        Code = ("code", "措施编号", "Measure code"),
        Task = ("task", "整改任务", "Task"),
        Requirement = ("requirement", "整改要求", "Requirement"),
        Unit = ("unit", "责任单位", "Responsible unit"),
        CoUnit = ("co_unit", "配合单位", "Co-operating unit"),
        ActorUnit = ("actor_unit", "所在单位", "Unit of the account"),
        Milestone = ("milestone", "阶段目标", "Milestone"),
        Report = ("report", "进展情况", "Progress report"),
        Evidence = ("evidence", "佐证材料", "Evidence"),
        Findings = ("findings", "核验或回头看意见", "Findings"),
        Mechanism = ("mechanism", "长效机制", "Mechanism"),
    }
}

/// How an account is tied to a measure's ownership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "tie", content = "unit", rename_all = "snake_case")]
pub enum OwnerTie {
    /// The account is the responsible leader.
    Leader,
    /// The account belongs to a unit that owns the measure (the responsible unit, a
    /// co-operating unit, or the leader's own unit).
    Unit(String),
}

impl OwnerTie {
    fn zh(&self) -> String {
        match self {
            OwnerTie::Leader => "本人是责任领导".into(),
            OwnerTie::Unit(u) => format!("本人属于责任方单位“{u}”"),
        }
    }

    fn en(&self) -> String {
        match self {
            OwnerTie::Leader => "is the responsible leader".into(),
            OwnerTie::Unit(u) => format!("belongs to the owning unit {u:?}"),
        }
    }
}

/// Why an act or an entry was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum Refusal {
    #[error("{} is required", .field.en())]
    Required { field: Field },
    #[error("{} is longer than {max} characters", .field.en())]
    TooLong { field: Field, max: usize },
    #[error("{} holds a control character", .field.en())]
    ControlCharacter { field: Field },
    #[error("more than {max} items of {}", .field.en())]
    TooMany { field: Field, max: usize },
    #[error("problem numbers start at 1")]
    ProblemNumberZero,
    #[error("problem {number} is already in the programme")]
    DuplicateProblem { number: u32 },
    #[error("problem {number} is not in the programme")]
    UnknownProblem { number: u32 },
    #[error("measure {code} is already in the programme")]
    DuplicateMeasure { code: String },
    #[error("no measure {code} in the programme")]
    UnknownMeasure { code: String },
    #[error("the deadline {deadline} is before the programme's date {programme}")]
    DeadlineBeforeProgramme {
        deadline: NaiveDate,
        programme: NaiveDate,
    },
    #[error("a staged measure needs at least one milestone")]
    StagedNeedsMilestones,
    #[error("only a staged measure has milestones")]
    MilestonesOnlyForStaged,
    #[error("the milestone due {due_on} is outside the programme's date and the deadline")]
    MilestoneOutOfRange { due_on: NaiveDate },
    #[error("the co-operating unit {unit:?} is given twice or is the responsible unit")]
    CoUnitRepeated { unit: String },
    #[error("the date is before the measure's last act ({last})")]
    DateBeforeLastAct { last: NaiveDate },
    #[error(
        "only the owner (the responsible leader or an account of the responsible units) reports on a measure"
    )]
    NotOwner,
    #[error("the verifier {}: verification is by someone other than the owner", .tie.en())]
    VerifierIsOwner { tie: OwnerTie },
    #[error("the account {}: closing (销号) is by someone other than the owner", .tie.en())]
    CloserIsOwner { tie: OwnerTie },
    #[error("the measure is closed (销号); a look-back (回头看) reopens it")]
    Closed,
    #[error("the measure was reported completed and awaits verification")]
    AwaitingVerification,
    #[error("the measure is {}, not awaiting verification", .state.en())]
    NotAwaitingVerification { state: MeasureState },
    #[error("the measure is {}, not closed: a look-back is of closed measures", .state.en())]
    NotClosed { state: MeasureState },
    #[error("the measure has no milestone {index}")]
    NoSuchMilestone { index: usize },
    #[error("milestone {index} was already reached")]
    MilestoneReached { index: usize },
    #[error("{open} milestone(s) not yet reached: a staged measure is completed when all are")]
    MilestonesOpen { open: usize },
    #[error("only a long-term measure records a mechanism")]
    NotLongTerm,
    #[error("a long-term measure is completed once its mechanism (长效机制) is recorded")]
    MechanismMissing,
    #[error("a completed measure needs evidence")]
    NoEvidence,
    #[error(
        "the only evidence is documents issued: rectification by document (以文件代替整改) is not rectification"
    )]
    DocumentOnly,
    #[error(
        "no passing verification by someone other than the owner since the last completion report"
    )]
    NotVerified,
}

impl Refusal {
    /// The Chinese message.
    pub fn zh(&self) -> String {
        match self {
            Refusal::Required { field } => format!("{}为必填项", field.zh()),
            Refusal::TooLong { field, max } => format!("{}超过 {max} 个字符", field.zh()),
            Refusal::ControlCharacter { field } => format!("{}含有控制字符", field.zh()),
            Refusal::TooMany { field, max } => format!("{}超过 {max} 项", field.zh()),
            Refusal::ProblemNumberZero => "问题序号从 1 开始".into(),
            Refusal::DuplicateProblem { number } => format!("问题 {number} 已在方案中"),
            Refusal::UnknownProblem { number } => format!("方案中没有问题 {number}"),
            Refusal::DuplicateMeasure { code } => format!("措施 {code} 已在方案中"),
            Refusal::UnknownMeasure { code } => format!("方案中没有措施 {code}"),
            Refusal::DeadlineBeforeProgramme {
                deadline,
                programme,
            } => format!("整改时限 {deadline} 早于方案印发日期 {programme}"),
            Refusal::StagedNeedsMilestones => "阶段性整改措施须至少有一个阶段目标".into(),
            Refusal::MilestonesOnlyForStaged => "只有阶段性整改措施才设阶段目标".into(),
            Refusal::MilestoneOutOfRange { due_on } => {
                format!("阶段目标时限 {due_on} 不在方案印发日期与整改时限之间")
            }
            Refusal::CoUnitRepeated { unit } => {
                format!("配合单位“{unit}”重复，或与责任单位相同")
            }
            Refusal::DateBeforeLastAct { last } => {
                format!("日期早于该措施的上一次记录（{last}）")
            }
            Refusal::NotOwner => "只有责任领导或责任单位、配合单位的人员才能报送整改进展".into(),
            Refusal::VerifierIsOwner { tie } => {
                format!("核验人{}：整改核验须由责任方以外的人员进行", tie.zh())
            }
            Refusal::CloserIsOwner { tie } => {
                format!("操作人{}：销号须由责任方以外的人员办理", tie.zh())
            }
            Refusal::Closed => "该措施已销号；如需重新整改，请通过“回头看”重新打开".into(),
            Refusal::AwaitingVerification => "该措施已报完成，正在等待核验".into(),
            Refusal::NotAwaitingVerification { state } => {
                format!("该措施状态为“{}”，不是“已完成待核验”", state.zh())
            }
            Refusal::NotClosed { state } => {
                format!("该措施状态为“{}”，尚未销号，不能“回头看”", state.zh())
            }
            Refusal::NoSuchMilestone { index } => format!("该措施没有第 {index} 个阶段目标"),
            Refusal::MilestoneReached { index } => format!("第 {index} 个阶段目标已完成"),
            Refusal::MilestonesOpen { open } => {
                format!("尚有 {open} 个阶段目标未完成，阶段性措施须全部完成才能报完成")
            }
            Refusal::NotLongTerm => "只有长期坚持类措施才记录长效机制".into(),
            Refusal::MechanismMissing => "长期坚持类措施须先记录建立的长效机制".into(),
            Refusal::NoEvidence => "报完成须附佐证材料".into(),
            Refusal::DocumentOnly => {
                "佐证材料只有印发文件：不能以文件代替整改，须有落实的佐证".into()
            }
            Refusal::NotVerified => {
                "最近一次报完成后，尚无责任方以外人员核验通过的记录，不能销号".into()
            }
        }
    }
}

fn text(t: &str, field: Field, max: usize, single_line: bool) -> Result<String, Refusal> {
    use crate::text::{TextFault, bounded};
    bounded(t, max, single_line).map_err(|f| match f {
        TextFault::Required => Refusal::Required { field },
        TextFault::TooLong { max } => Refusal::TooLong { field, max },
        TextFault::ControlCharacter => Refusal::ControlCharacter { field },
    })
}

fn short(t: &str, field: Field) -> Result<String, Refusal> {
    text(t, field, MAX_SHORT, true)
}

fn long(t: &str, field: Field) -> Result<String, Refusal> {
    text(t, field, MAX_TEXT, false)
}

/// An account as rectification sees it: its login and the unit it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub login: Login,
    pub unit: String,
}

impl<'de> Deserialize<'de> for Actor {
    /// As stored: the login is checked again, so a stored programme cannot hold a bad one.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            login: String,
            unit: String,
        }
        let r = Raw::deserialize(d)?;
        let login =
            Login::parse(&r.login).map_err(|_| serde::de::Error::custom("actor: not a login"))?;
        Ok(Actor {
            login,
            unit: r.unit,
        })
    }
}

impl Actor {
    /// An actor, with the unit name checked (required, one line, at most 200 characters).
    pub fn new(login: Login, unit: &str) -> Result<Actor, Refusal> {
        Ok(Actor {
            login,
            unit: short(unit, Field::ActorUnit)?,
        })
    }
}

/// A problem of the inspection's feedback, with its place in the grouping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackProblem {
    /// 问题序号 (1 to 30 in Gansu).
    pub number: u32,
    /// 类别 (Gansu: 4).
    pub category: String,
    /// 方面 (Gansu: 10).
    pub aspect: String,
    pub text: String,
}

/// An item of evidence: its kind and what it is (a file name, a reference, a description).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub kind: EvidenceKind,
    pub text: String,
}

impl Evidence {
    pub fn new(kind: EvidenceKind, text: &str) -> Evidence {
        Evidence {
            kind,
            text: text.to_string(),
        }
    }
}

fn checked_evidence(items: &[Evidence]) -> Result<Vec<Evidence>, Refusal> {
    if items.len() > MAX_ITEMS {
        return Err(Refusal::TooMany {
            field: Field::Evidence,
            max: MAX_ITEMS,
        });
    }
    items
        .iter()
        .map(|e| {
            Ok(Evidence {
                kind: e.kind,
                text: long(&e.text, Field::Evidence)?,
            })
        })
        .collect()
}

/// A measure as proposed, before it joins the programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureDraft {
    /// The number of the problem it answers.
    pub problem: u32,
    /// The measure's code in the programme ("23-2").
    pub code: String,
    pub kind: MeasureKind,
    /// 整改任务: what will be done.
    pub task: String,
    /// 整改要求: what counts as done.
    pub requirement: String,
    /// 责任领导.
    pub leader: Actor,
    /// 责任单位 (the lead unit, 牵头单位).
    pub unit: String,
    /// 配合单位.
    pub co_units: Vec<String>,
    /// 整改时限.
    pub deadline: NaiveDate,
    /// For a staged measure: each milestone's date and text.
    pub milestones: Vec<(NaiveDate, String)>,
}

/// A staged measure's milestone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub due_on: NaiveDate,
    pub text: String,
    pub reached_on: Option<NaiveDate>,
}

/// A progress report as the owner submits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressReport {
    pub text: String,
    pub evidence: Vec<Evidence>,
    /// The milestone this report says is reached (index into the measure's milestones).
    pub milestone: Option<usize>,
    /// Whether the owner reports the measure completed.
    pub completed: bool,
}

/// A report as the ledger keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRecord {
    pub on: NaiveDate,
    pub by: String,
    pub text: String,
    pub evidence: Vec<Evidence>,
    pub milestone: Option<usize>,
    pub completed: bool,
    /// The round it belongs to (0, then one more at each reopening).
    pub round: u32,
}

/// A verification (核验).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationRecord {
    pub on: NaiveDate,
    pub by: String,
    pub unit: String,
    pub passed: bool,
    pub findings: String,
    pub evidence: Vec<Evidence>,
    /// The index (in `reports`) of the completion report it verified.
    pub report: usize,
}

/// A closing (销号).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosingRecord {
    pub on: NaiveDate,
    pub by: String,
    /// The index (in `verifications`) of the verification it rests on.
    pub verification: usize,
}

/// A look-back (回头看).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookBackRecord {
    pub on: NaiveDate,
    pub by: String,
    pub unit: String,
    pub findings: String,
    pub reopened: bool,
}

/// The mechanism a long-term measure built (the rule, system or routine now in force).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MechanismRecord {
    pub on: NaiveDate,
    pub by: String,
    pub text: String,
}

/// One measure of a programme, with its ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measure {
    pub code: String,
    pub problem: u32,
    pub category: String,
    pub aspect: String,
    pub kind: MeasureKind,
    pub task: String,
    pub requirement: String,
    pub leader: Actor,
    pub unit: String,
    pub co_units: Vec<String>,
    pub deadline: NaiveDate,
    pub milestones: Vec<Milestone>,
    pub mechanism: Option<MechanismRecord>,
    pub state: MeasureState,
    /// 0, then one more at each reopening by a look-back.
    pub round: u32,
    pub reports: Vec<ReportRecord>,
    pub verifications: Vec<VerificationRecord>,
    pub closings: Vec<ClosingRecord>,
    pub look_backs: Vec<LookBackRecord>,
    /// The day of the last act (the programme's date at first): acts go forward in time.
    pub last_act_on: NaiveDate,
}

/// A programme (整改方案) for one inspection's feedback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Programme {
    pub title: String,
    /// Which inspection's feedback it answers ("中央第一巡视组专项巡视反馈意见").
    pub inspection: String,
    /// The day the programme was issued: no deadline before it.
    pub issued_on: NaiveDate,
    pub problems: Vec<FeedbackProblem>,
    pub measures: Vec<Measure>,
}

impl Programme {
    pub fn new(title: &str, inspection: &str, issued_on: NaiveDate) -> Result<Programme, Refusal> {
        Ok(Programme {
            title: short(title, Field::Title)?,
            inspection: short(inspection, Field::Inspection)?,
            issued_on,
            problems: Vec::new(),
            measures: Vec::new(),
        })
    }

    /// Adds a problem of the feedback under its category and aspect.
    pub fn add_problem(
        &mut self,
        number: u32,
        category: &str,
        aspect: &str,
        text: &str,
    ) -> Result<(), Refusal> {
        if number == 0 {
            return Err(Refusal::ProblemNumberZero);
        }
        if self.problems.iter().any(|p| p.number == number) {
            return Err(Refusal::DuplicateProblem { number });
        }
        let p = FeedbackProblem {
            number,
            category: short(category, Field::Category)?,
            aspect: short(aspect, Field::Aspect)?,
            text: long(text, Field::Problem)?,
        };
        self.problems.push(p);
        Ok(())
    }

    /// Adds a measure to a problem of the programme, checking every field.
    pub fn add_measure(&mut self, d: MeasureDraft) -> Result<&Measure, Refusal> {
        let Some(problem) = self.problems.iter().find(|p| p.number == d.problem) else {
            return Err(Refusal::UnknownProblem { number: d.problem });
        };
        let code = short(&d.code, Field::Code)?;
        if self.measures.iter().any(|m| m.code == code) {
            return Err(Refusal::DuplicateMeasure { code });
        }
        let task = long(&d.task, Field::Task)?;
        let requirement = long(&d.requirement, Field::Requirement)?;
        let leader = Actor::new(d.leader.login.clone(), &d.leader.unit)?;
        let unit = short(&d.unit, Field::Unit)?;
        if d.co_units.len() > MAX_ITEMS {
            return Err(Refusal::TooMany {
                field: Field::CoUnit,
                max: MAX_ITEMS,
            });
        }
        let mut co_units: Vec<String> = Vec::with_capacity(d.co_units.len());
        for c in &d.co_units {
            let c = short(c, Field::CoUnit)?;
            if c == unit || co_units.contains(&c) {
                return Err(Refusal::CoUnitRepeated { unit: c });
            }
            co_units.push(c);
        }
        if d.deadline < self.issued_on {
            return Err(Refusal::DeadlineBeforeProgramme {
                deadline: d.deadline,
                programme: self.issued_on,
            });
        }
        match (d.kind, d.milestones.is_empty()) {
            (MeasureKind::Staged, true) => return Err(Refusal::StagedNeedsMilestones),
            (MeasureKind::Immediate | MeasureKind::LongTerm, false) => {
                return Err(Refusal::MilestonesOnlyForStaged);
            }
            _ => {}
        }
        if d.milestones.len() > MAX_ITEMS {
            return Err(Refusal::TooMany {
                field: Field::Milestone,
                max: MAX_ITEMS,
            });
        }
        let mut milestones = Vec::with_capacity(d.milestones.len());
        for (due_on, t) in &d.milestones {
            if *due_on < self.issued_on || *due_on > d.deadline {
                return Err(Refusal::MilestoneOutOfRange { due_on: *due_on });
            }
            milestones.push(Milestone {
                due_on: *due_on,
                text: long(t, Field::Milestone)?,
                reached_on: None,
            });
        }
        milestones.sort_by_key(|m| m.due_on);
        let measure = Measure {
            code,
            problem: problem.number,
            category: problem.category.clone(),
            aspect: problem.aspect.clone(),
            kind: d.kind,
            task,
            requirement,
            leader,
            unit,
            co_units,
            deadline: d.deadline,
            milestones,
            mechanism: None,
            state: MeasureState::NotStarted,
            round: 0,
            reports: Vec::new(),
            verifications: Vec::new(),
            closings: Vec::new(),
            look_backs: Vec::new(),
            last_act_on: self.issued_on,
        };
        self.measures.push(measure);
        Ok(&self.measures[self.measures.len() - 1])
    }

    /// The earliest deadline among the measures not closed (`None` once all are closed): the
    /// date the programme is next due, for the overdue lists.
    pub fn next_deadline(&self) -> Option<NaiveDate> {
        self.measures
            .iter()
            .filter(|m| m.state != MeasureState::Closed)
            .map(|m| m.deadline)
            .min()
    }

    /// Whether every measure is closed (and there is at least one).
    pub fn all_closed(&self) -> bool {
        !self.measures.is_empty()
            && self
                .measures
                .iter()
                .all(|m| m.state == MeasureState::Closed)
    }

    /// The measure with `code`.
    pub fn measure(&self, code: &str) -> Option<&Measure> {
        let code = code.trim();
        self.measures.iter().find(|m| m.code == code)
    }

    /// The measure with `code`, to act on.
    pub fn measure_mut(&mut self, code: &str) -> Result<&mut Measure, Refusal> {
        let code = code.trim();
        self.measures
            .iter_mut()
            .find(|m| m.code == code)
            .ok_or_else(|| Refusal::UnknownMeasure { code: code.into() })
    }
}

impl Measure {
    /// How `actor` is tied to the measure's ownership, if at all: as the responsible leader,
    /// or as a member of the responsible unit, a co-operating unit or the leader's unit.
    pub fn owner_tie(&self, actor: &Actor) -> Option<OwnerTie> {
        if actor.login == self.leader.login {
            return Some(OwnerTie::Leader);
        }
        let unit = actor.unit.trim();
        let owning = std::iter::once(self.unit.as_str())
            .chain(self.co_units.iter().map(String::as_str))
            .chain(std::iter::once(self.leader.unit.as_str()));
        for u in owning {
            if u == unit {
                return Some(OwnerTie::Unit(u.to_string()));
            }
        }
        None
    }

    /// Whether the measure is past its deadline on `today` and not closed.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.state != MeasureState::Closed && today > self.deadline
    }

    /// The milestones past their date on `today` and not reached (none once closed).
    pub fn overdue_milestones(&self, today: NaiveDate) -> Vec<usize> {
        if self.state == MeasureState::Closed {
            return Vec::new();
        }
        self.milestones
            .iter()
            .enumerate()
            .filter(|(_, m)| m.reached_on.is_none() && today > m.due_on)
            .map(|(i, _)| i)
            .collect()
    }

    /// The evidence of the current round (since the last reopening).
    pub fn current_evidence(&self) -> impl Iterator<Item = &Evidence> {
        let round = self.round;
        self.reports
            .iter()
            .filter(move |r| r.round == round)
            .flat_map(|r| r.evidence.iter())
    }

    /// The flag of rectification by document (以文件代替整改): evidence in the current round,
    /// and all of it "document issued".
    pub fn is_document_only(&self) -> bool {
        let mut any = false;
        for e in self.current_evidence() {
            if e.kind != EvidenceKind::DocumentIssued {
                return false;
            }
            any = true;
        }
        any
    }

    fn check_date(&self, on: NaiveDate) -> Result<(), Refusal> {
        if on < self.last_act_on {
            return Err(Refusal::DateBeforeLastAct {
                last: self.last_act_on,
            });
        }
        Ok(())
    }

    /// What must hold for the measure to count as completed, with `extra` evidence about to
    /// be added: milestones all reached, mechanism recorded, evidence beyond documents.
    fn completion_ok(&self, extra: &[Evidence], milestone: Option<usize>) -> Result<(), Refusal> {
        let open = self
            .milestones
            .iter()
            .enumerate()
            .filter(|(i, m)| m.reached_on.is_none() && Some(*i) != milestone)
            .count();
        if open > 0 {
            return Err(Refusal::MilestonesOpen { open });
        }
        if self.kind == MeasureKind::LongTerm && self.mechanism.is_none() {
            return Err(Refusal::MechanismMissing);
        }
        let mut kinds = self.current_evidence().chain(extra.iter()).map(|e| e.kind);
        let Some(first) = kinds.next() else {
            return Err(Refusal::NoEvidence);
        };
        if first == EvidenceKind::DocumentIssued && kinds.all(|k| k == EvidenceKind::DocumentIssued)
        {
            return Err(Refusal::DocumentOnly);
        }
        Ok(())
    }

    /// The owner reports progress, possibly a milestone reached, possibly completion.
    pub fn report(
        &mut self,
        actor: &Actor,
        on: NaiveDate,
        r: &ProgressReport,
    ) -> Result<(), Refusal> {
        match self.state {
            MeasureState::Closed => return Err(Refusal::Closed),
            MeasureState::AwaitingVerification => return Err(Refusal::AwaitingVerification),
            _ => {}
        }
        if self.owner_tie(actor).is_none() {
            return Err(Refusal::NotOwner);
        }
        self.check_date(on)?;
        let text = long(&r.text, Field::Report)?;
        let evidence = checked_evidence(&r.evidence)?;
        if let Some(index) = r.milestone {
            match self.milestones.get(index) {
                None => return Err(Refusal::NoSuchMilestone { index }),
                Some(m) if m.reached_on.is_some() => {
                    return Err(Refusal::MilestoneReached { index });
                }
                Some(_) => {}
            }
        }
        if r.completed {
            self.completion_ok(&evidence, r.milestone)?;
        }
        if let Some(m) = r.milestone.and_then(|i| self.milestones.get_mut(i)) {
            m.reached_on = Some(on);
        }
        self.reports.push(ReportRecord {
            on,
            by: actor.login.as_str().to_string(),
            text,
            evidence,
            milestone: r.milestone,
            completed: r.completed,
            round: self.round,
        });
        self.state = if r.completed {
            MeasureState::AwaitingVerification
        } else {
            MeasureState::InProgress
        };
        self.last_act_on = on;
        Ok(())
    }

    /// The owner records the mechanism a long-term measure built (a later record replaces an
    /// earlier one while the measure is open).
    pub fn record_mechanism(
        &mut self,
        actor: &Actor,
        on: NaiveDate,
        mechanism: &str,
    ) -> Result<(), Refusal> {
        if self.kind != MeasureKind::LongTerm {
            return Err(Refusal::NotLongTerm);
        }
        match self.state {
            MeasureState::Closed => return Err(Refusal::Closed),
            MeasureState::AwaitingVerification => return Err(Refusal::AwaitingVerification),
            _ => {}
        }
        if self.owner_tie(actor).is_none() {
            return Err(Refusal::NotOwner);
        }
        self.check_date(on)?;
        self.mechanism = Some(MechanismRecord {
            on,
            by: actor.login.as_str().to_string(),
            text: long(mechanism, Field::Mechanism)?,
        });
        self.last_act_on = on;
        Ok(())
    }

    /// Someone other than the owner verifies the reported completion: passed, the measure may
    /// be closed; failed, it goes back to the owner (in progress).
    pub fn verify(
        &mut self,
        actor: &Actor,
        on: NaiveDate,
        passed: bool,
        findings: &str,
        evidence: &[Evidence],
    ) -> Result<(), Refusal> {
        if self.state != MeasureState::AwaitingVerification {
            return Err(Refusal::NotAwaitingVerification { state: self.state });
        }
        if let Some(tie) = self.owner_tie(actor) {
            return Err(Refusal::VerifierIsOwner { tie });
        }
        self.check_date(on)?;
        let findings = long(findings, Field::Findings)?;
        let evidence = checked_evidence(evidence)?;
        let Some(report) = self.last_completion_report() else {
            // Cannot happen in a measure built by these acts; refuse rather than panic.
            return Err(Refusal::NotAwaitingVerification { state: self.state });
        };
        self.verifications.push(VerificationRecord {
            on,
            by: actor.login.as_str().to_string(),
            unit: actor.unit.trim().to_string(),
            passed,
            findings,
            evidence,
            report,
        });
        if !passed {
            self.state = MeasureState::InProgress;
        }
        self.last_act_on = on;
        Ok(())
    }

    fn last_completion_report(&self) -> Option<usize> {
        self.reports
            .iter()
            .rposition(|r| r.completed && r.round == self.round)
    }

    /// The passing verification, by a non-owner, of the latest completion report of the
    /// current round, if there is one.
    pub fn valid_verification(&self) -> Option<usize> {
        let report = self.last_completion_report()?;
        self.verifications.iter().rposition(|v| {
            v.passed
                && v.report == report
                && v.by != self.leader.login.as_str()
                && !self.is_owning_unit(&v.unit)
        })
    }

    fn is_owning_unit(&self, unit: &str) -> bool {
        let unit = unit.trim();
        self.unit == unit || self.leader.unit == unit || self.co_units.iter().any(|c| c == unit)
    }

    /// Closes the measure (销号): by someone other than the owner, on a passing verification
    /// by someone other than the owner of the latest completion report; a long-term measure
    /// needs its mechanism, and document-only evidence is refused.
    pub fn close(&mut self, actor: &Actor, on: NaiveDate) -> Result<(), Refusal> {
        if self.state == MeasureState::Closed {
            return Err(Refusal::Closed);
        }
        if self.state != MeasureState::AwaitingVerification {
            return Err(Refusal::NotAwaitingVerification { state: self.state });
        }
        if let Some(tie) = self.owner_tie(actor) {
            return Err(Refusal::CloserIsOwner { tie });
        }
        self.check_date(on)?;
        let Some(verification) = self.valid_verification() else {
            return Err(Refusal::NotVerified);
        };
        self.completion_ok(&[], None)?;
        self.closings.push(ClosingRecord {
            on,
            by: actor.login.as_str().to_string(),
            verification,
        });
        self.state = MeasureState::Closed;
        self.last_act_on = on;
        Ok(())
    }

    /// A look-back (回头看) of a closed measure: its findings, and whether it reopens the
    /// measure (which then needs a new completion report, with new evidence, and a new
    /// verification). Anyone may record one, the owner included (自查自纠).
    pub fn look_back(
        &mut self,
        actor: &Actor,
        on: NaiveDate,
        findings: &str,
        reopen: bool,
    ) -> Result<(), Refusal> {
        if self.state != MeasureState::Closed {
            return Err(Refusal::NotClosed { state: self.state });
        }
        self.check_date(on)?;
        let findings = long(findings, Field::Findings)?;
        self.look_backs.push(LookBackRecord {
            on,
            by: actor.login.as_str().to_string(),
            unit: actor.unit.trim().to_string(),
            findings,
            reopened: reopen,
        });
        if reopen {
            self.state = MeasureState::Reopened;
            self.round = self.round.saturating_add(1);
        }
        self.last_act_on = on;
        Ok(())
    }
}

/// Counts of measures by state, and how many are overdue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StateCounts {
    pub total: usize,
    pub not_started: usize,
    pub in_progress: usize,
    pub awaiting_verification: usize,
    pub closed: usize,
    pub reopened: usize,
    pub overdue: usize,
}

impl StateCounts {
    fn add(&mut self, m: &Measure, today: NaiveDate) {
        self.total += 1;
        match m.state {
            MeasureState::NotStarted => self.not_started += 1,
            MeasureState::InProgress => self.in_progress += 1,
            MeasureState::AwaitingVerification => self.awaiting_verification += 1,
            MeasureState::Closed => self.closed += 1,
            MeasureState::Reopened => self.reopened += 1,
        }
        if m.is_overdue(today) {
            self.overdue += 1;
        }
    }
}

/// The counts of one aspect of one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AspectCounts {
    pub category: String,
    pub aspect: String,
    pub counts: StateCounts,
}

/// An overdue measure, for the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverdueMeasure {
    pub code: String,
    pub problem: u32,
    pub unit: String,
    pub leader: String,
    pub deadline: NaiveDate,
    pub days_overdue: i64,
    pub state: MeasureState,
}

/// An overdue milestone of a staged measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverdueMilestone {
    pub code: String,
    pub index: usize,
    pub due_on: NaiveDate,
    pub days_overdue: i64,
    pub unit: String,
}

/// The dashboard of a programme's progress on `today`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub all: StateCounts,
    pub by_kind: BTreeMap<&'static str, StateCounts>,
    pub by_category: BTreeMap<String, StateCounts>,
    pub by_aspect: Vec<AspectCounts>,
    /// By responsible unit (the lead unit).
    pub by_unit: BTreeMap<String, StateCounts>,
    /// By responsible leader's login.
    pub by_leader: BTreeMap<String, StateCounts>,
    /// Most overdue first.
    pub overdue: Vec<OverdueMeasure>,
    pub overdue_milestones: Vec<OverdueMilestone>,
    /// The measures flagged as rectification by document (以文件代替整改).
    pub document_only: Vec<String>,
}

/// Counts by state, kind, category, aspect, unit and leader; the overdue measures and
/// milestones; and the measures flagged as document-only. Pure, over any slice of measures.
pub fn progress(measures: &[Measure], today: NaiveDate) -> Progress {
    let mut p = Progress {
        all: StateCounts::default(),
        by_kind: BTreeMap::new(),
        by_category: BTreeMap::new(),
        by_aspect: Vec::new(),
        by_unit: BTreeMap::new(),
        by_leader: BTreeMap::new(),
        overdue: Vec::new(),
        overdue_milestones: Vec::new(),
        document_only: Vec::new(),
    };
    let mut aspects: BTreeMap<(String, String), StateCounts> = BTreeMap::new();
    for m in measures {
        p.all.add(m, today);
        p.by_kind.entry(m.kind.code()).or_default().add(m, today);
        p.by_category
            .entry(m.category.clone())
            .or_default()
            .add(m, today);
        aspects
            .entry((m.category.clone(), m.aspect.clone()))
            .or_default()
            .add(m, today);
        p.by_unit.entry(m.unit.clone()).or_default().add(m, today);
        p.by_leader
            .entry(m.leader.login.as_str().to_string())
            .or_default()
            .add(m, today);
        if m.is_overdue(today) {
            p.overdue.push(OverdueMeasure {
                code: m.code.clone(),
                problem: m.problem,
                unit: m.unit.clone(),
                leader: m.leader.login.as_str().to_string(),
                deadline: m.deadline,
                days_overdue: (today - m.deadline).num_days(),
                state: m.state,
            });
        }
        for i in m.overdue_milestones(today) {
            if let Some(ms) = m.milestones.get(i) {
                p.overdue_milestones.push(OverdueMilestone {
                    code: m.code.clone(),
                    index: i,
                    due_on: ms.due_on,
                    days_overdue: (today - ms.due_on).num_days(),
                    unit: m.unit.clone(),
                });
            }
        }
        if m.state != MeasureState::Closed && m.is_document_only() {
            p.document_only.push(m.code.clone());
        }
    }
    p.by_aspect = aspects
        .into_iter()
        .map(|((category, aspect), counts)| AspectCounts {
            category,
            aspect,
            counts,
        })
        .collect();
    p.overdue.sort_by(|a, b| {
        b.days_overdue
            .cmp(&a.days_overdue)
            .then(a.code.cmp(&b.code))
    });
    p.overdue_milestones.sort_by(|a, b| {
        b.days_overdue
            .cmp(&a.days_overdue)
            .then(a.code.cmp(&b.code))
    });
    p
}

#[cfg(test)]
mod tests;
