//! Accountability cases (问责 / 执纪, domain.md §6): who (name, post, level), where the case
//! came from (a complaint, an inspection finding, a cross-check lead, an audit), the problem
//! category, the handling in the "four forms" (四种形态), the outcomes, and the facts that
//! mitigate under the error-tolerance rules (容错纠错).
//!
//! ```text
//! opened ─investigate─▶ investigated ─decide─▶ decided ─review─▶ reviewed ─finalise─▶ finalised ─publish─▶ published
//!                           │    ▲                 │  └──────finalise (no review needed)──────▲
//!                           │    └──review refuses─┘
//!                           └─dismiss─▶ dismissed
//! ```
//!
//! **Escalated review** (提级审核, seed 001 problem 23: "村干部因扶贫领域问题受到问责的,原则上采取
//! 批评教育、组织处理方式,给予党纪政务处理的,报县纪委审核把关,乡(镇)干部报市州纪委审核把关"):
//! a *disciplinary* decision against a village cadre is finalised only after a review by the
//! county commission (or one above it), against a township cadre by the city commission (or
//! above). A decision is disciplinary ([`Decision::is_disciplinary`]) when it includes a party
//! disciplinary sanction (党纪处分), a government sanction (政务处分) or a transfer to the
//! judicial organs (移送司法机关), or when its form is the third or fourth (heavy discipline, a
//! major post change, investigation: always beyond "批评教育、组织处理"). Criticism, talks,
//! admonition, circulation and organisational handling in the first two forms are the seed's
//! "原则上" handling of front-line cadres and need no escalation. Cadres at county level and above
//! are outside this rule.
//!
//! Who acts: a discipline officer ([`Role::DisciplineOfficer`]) whose area contains the case's
//! area opens, investigates, decides, finalises, publishes and dismisses. A review is by a
//! discipline officer whose area is at the required level or above *and* contains the case's
//! area, and who did not make the decision under review (a body does not review itself).
//!
//! Publication (查实曝光, domain.md §6): only a finalised case whose facts were found true (属实 or
//! 部分属实); whether the person's name is shown is the caller's [`PublicationPolicy`].
//!
//! Statistics ([`statistics`]) count cases by level and form and give the share at village and
//! township level: whether accountability lands only on the front line (问责泛化, seed 001
//! problem 23: "问责一线干部多").

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access::{Account, Assignment, Role};
use crate::area::{AreaCode, AreaLevel};
use crate::vocab::{Vocabulary, vocabulary};

/// The longest name, post, category code or reference, in characters.
pub const MAX_SHORT: usize = 100;
/// The longest free text, in characters.
pub const MAX_TEXT: usize = 2000;
/// The most mitigation reasons a decision holds.
pub const MAX_REASONS: usize = 20;

vocabulary! {
    /// The level of the person held accountable (村/乡/县/市/省), in rising order.
    CadreLevel {
        Village = ("village", "村级", "Village", ["村", "村干部"]),
        Township = ("township", "乡级", "Township", ["乡", "镇", "乡镇", "乡(镇)"]),
        County = ("county", "县级", "County", ["县", "区"]),
        City = ("city", "市级", "City", ["市", "州", "市州"]),
        Province = ("province", "省级", "Province", ["省"]),
    }
}

impl CadreLevel {
    /// The level of the area the person's post is in (and the case's area).
    pub fn area_level(self) -> AreaLevel {
        match self {
            CadreLevel::Village => AreaLevel::Village,
            CadreLevel::Township => AreaLevel::Township,
            CadreLevel::County => AreaLevel::County,
            CadreLevel::City => AreaLevel::City,
            CadreLevel::Province => AreaLevel::Province,
        }
    }

    /// The front line: village and township cadres.
    pub fn is_front_line(self) -> bool {
        matches!(self, CadreLevel::Village | CadreLevel::Township)
    }

    /// The level of the commission that must review a disciplinary decision (seed 001 problem
    /// 23): the county for a village cadre, the city for a township cadre; none above.
    pub fn escalated_review(self) -> Option<AreaLevel> {
        match self {
            CadreLevel::Village => Some(AreaLevel::County),
            CadreLevel::Township => Some(AreaLevel::City),
            _ => None,
        }
    }
}

vocabulary! {
    /// Where a case came from.
    SourceKind {
        Complaint = ("complaint", "信访举报", "Complaint", ["举报", "信访"]),
        InspectionFinding = ("inspection_finding", "巡视巡察发现", "Inspection finding", ["巡视", "巡察", "督查发现"]),
        CrossCheck = ("cross_check", "数据比对线索", "Cross-check lead", ["数据比对"]),
        Audit = ("audit", "审计发现", "Audit", ["审计"]),
    }
}

vocabulary! {
    /// The four forms of oversight and discipline (监督执纪“四种形态”).
    Form {
        First = ("1", "第一种形态", "First form", ["一"]),
        Second = ("2", "第二种形态", "Second form", ["二"]),
        Third = ("3", "第三种形态", "Third form", ["三"]),
        Fourth = ("4", "第四种形态", "Fourth form", ["四"]),
    }
}

impl Form {
    pub fn number(self) -> u8 {
        match self {
            Form::First => 1,
            Form::Second => 2,
            Form::Third => 3,
            Form::Fourth => 4,
        }
    }

    /// What the form is, in the words of the Party's supervision rules.
    pub fn description_zh(self) -> &'static str {
        match self {
            Form::First => "批评教育、谈话提醒、约谈函询，让“红红脸、出出汗”成为常态",
            Form::Second => "党纪轻处分、组织调整成为违纪处理的大多数",
            Form::Third => "党纪重处分、重大职务调整的成为少数",
            Form::Fourth => "严重违纪涉嫌违法立案审查的成为极少数",
        }
    }
}

vocabulary! {
    /// What was done to the person.
    Outcome {
        PartyDiscipline = ("party_discipline", "党纪处分", "Party disciplinary sanction"),
        GovernmentSanction = ("government_sanction", "政务处分", "Government sanction", ["政纪处分"]),
        Organisational = ("organisational", "组织处理", "Organisational handling"),
        Admonition = ("admonition", "诫勉", "Admonition", ["诫勉谈话"]),
        Talk = ("talk", "约谈", "Talk", ["谈话提醒"]),
        Circulated = ("circulated", "通报", "Circulated criticism", ["通报批评"]),
        Transferred = ("transferred", "移送司法机关", "Transfer to the judicial organs"),
    }
}

impl Outcome {
    /// The outcomes that make a decision disciplinary (党纪政务处理, and transfer to the courts).
    pub fn is_disciplinary(self) -> bool {
        matches!(
            self,
            Outcome::PartyDiscipline | Outcome::GovernmentSanction | Outcome::Transferred
        )
    }
}

vocabulary! {
    /// What the investigation found.
    Substantiation {
        True = ("substantiated", "属实", "Substantiated"),
        Partly = ("partly", "部分属实", "Partly substantiated"),
        False = ("unsubstantiated", "不属实", "Not substantiated"),
    }
}

impl Substantiation {
    pub fn is_substantiated(self) -> bool {
        self != Substantiation::False
    }
}

vocabulary! {
    /// Why a case ends without an outcome.
    DismissalGrounds {
        Unsubstantiated = ("unsubstantiated", "查无实据", "Not substantiated", ["澄清正名"]),
        Tolerated = ("tolerated", "容错免责", "Exempted under error tolerance"),
    }
}

vocabulary! {
    /// Where a case stands.
    CaseState {
        Opened = ("opened", "已受理", "Opened"),
        Investigated = ("investigated", "已调查核实", "Investigated"),
        Decided = ("decided", "已提出处理意见", "Decided (proposed)"),
        Reviewed = ("reviewed", "已提级审核", "Reviewed"),
        Finalised = ("finalised", "已作出决定", "Finalised"),
        Published = ("published", "已查实曝光", "Published"),
        Dismissed = ("dismissed", "已了结", "Dismissed"),
    }
}

vocabulary! {
    /// The fields a refusal may name.
    Field {
        Name = ("name", "姓名", "Name"),
        Post = ("post", "职务", "Post"),
        Category = ("category", "问题类别", "Problem category"),
        Reference = ("reference", "线索编号", "Source reference"),
        Findings = ("findings", "调查核实情况", "Findings"),
        Summary = ("summary", "主要事实", "Summary of facts"),
        Reason = ("reason", "容错理由", "Mitigation reason"),
        Note = ("note", "审核意见", "Review note"),
        Dismissal = ("dismissal", "了结理由", "Grounds of dismissal"),
    }
}

/// Who is publishing names: never, always, or from a level up (e.g. county and above, the
/// practice of many commissions: front-line cadres appear as "张某").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "names", content = "from", rename_all = "snake_case")]
pub enum PublicationPolicy {
    Never,
    FromLevel(CadreLevel),
    Always,
}

impl PublicationPolicy {
    /// Whether a person of `level` is named.
    pub fn shows_name(self, level: CadreLevel) -> bool {
        match self {
            PublicationPolicy::Never => false,
            PublicationPolicy::Always => true,
            PublicationPolicy::FromLevel(from) => level >= from,
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
    #[error("a {} cadre's case is in a {} area, not a {} one", .person.en(), .person.area_level().en(), .area.en())]
    AreaDoesNotFitLevel { person: CadreLevel, area: AreaLevel },
    #[error("this is done by a discipline officer whose area contains the case's area")]
    NotDisciplineOfficer,
    #[error("the case is {}; this act needs it {}", .state.en(), .expected)]
    WrongState { state: CaseState, expected: String },
    #[error("the findings are not substantiated: no outcome can be decided; dismiss the case")]
    NotSubstantiated,
    #[error("the findings are substantiated: the case is not dismissed as unsubstantiated")]
    Substantiated,
    #[error("a decision needs at least one outcome")]
    NoOutcome,
    #[error("the outcome {} is given twice", .outcome.en())]
    DuplicateOutcome { outcome: Outcome },
    #[error("the outcome {} does not fit the {}", .outcome.en(), .form.en())]
    OutcomeBeyondForm { outcome: Outcome, form: Form },
    #[error("mitigation applied needs its reasons; reasons need mitigation applied")]
    MitigationReasons,
    #[error("more than {MAX_REASONS} mitigation reasons")]
    TooManyReasons,
    #[error("this decision needs no escalated review")]
    ReviewNotRequired,
    #[error("the escalated review is by the {} commission (or above), missing for this decision", .required.en())]
    ReviewMissing { required: AreaLevel },
    #[error("the review was by the {} level; the {} level (or above) is required", .found.en(), .required.en())]
    ReviewBelowRequired {
        required: AreaLevel,
        found: AreaLevel,
    },
    #[error("the reviewing body's area does not contain the case's area")]
    ReviewerNotOverCase,
    #[error("the one who made the decision does not review it")]
    ReviewerIsDecider,
    #[error("the date is before the case's last act ({last})")]
    DateBeforeLastAct { last: NaiveDate },
    #[error("the summary names the person, whose name the publication policy hides")]
    NameInSummary,
}

impl Refusal {
    /// The Chinese message.
    pub fn zh(&self) -> String {
        match self {
            Refusal::Required { field } => format!("{}为必填项", field.zh()),
            Refusal::TooLong { field, max } => format!("{}超过 {max} 个字符", field.zh()),
            Refusal::ControlCharacter { field } => format!("{}含有控制字符", field.zh()),
            Refusal::AreaDoesNotFitLevel { person, area } => format!(
                "{}干部的案件应在{}区划，不是{}区划",
                person.zh(),
                person.area_level().zh(),
                area.zh()
            ),
            Refusal::NotDisciplineOfficer => "须由案件所在地区的纪检监察干部办理".into(),
            Refusal::WrongState { state, expected } => {
                format!("案件状态为“{}”，此操作要求{expected}", state.zh())
            }
            Refusal::NotSubstantiated => "调查核实不属实，不能作出处理，应予了结".into(),
            Refusal::Substantiated => "调查核实属实，不能以查无实据了结".into(),
            Refusal::NoOutcome => "处理意见须至少有一项处理方式".into(),
            Refusal::DuplicateOutcome { outcome } => format!("处理方式“{}”重复", outcome.zh()),
            Refusal::OutcomeBeyondForm { outcome, form } => {
                format!("处理方式“{}”与{}不符", outcome.zh(), form.zh())
            }
            Refusal::MitigationReasons => "适用容错纠错须写明理由；未适用则不填理由".into(),
            Refusal::TooManyReasons => format!("容错理由超过 {MAX_REASONS} 条"),
            Refusal::ReviewNotRequired => "此处理意见无需提级审核".into(),
            Refusal::ReviewMissing { required } => format!(
                "给予党纪政务处理的，须报{}纪委监委（或更高一级）审核把关，尚无审核记录",
                required.zh()
            ),
            Refusal::ReviewBelowRequired { required, found } => format!(
                "审核机关为{}，须由{}（或更高一级）纪委监委审核",
                found.zh(),
                required.zh()
            ),
            Refusal::ReviewerNotOverCase => "审核机关的区划不包含案件所在地区".into(),
            Refusal::ReviewerIsDecider => "提出处理意见的人不能审核自己的意见".into(),
            Refusal::DateBeforeLastAct { last } => format!("日期早于本案上一次记录（{last}）"),
            Refusal::NameInSummary => "按曝光规定不公开姓名，但主要事实中出现了姓名".into(),
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

/// The person held accountable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    /// 职务 ("某村党支部书记").
    pub post: String,
    pub level: CadreLevel,
}

/// Where the case came from, with the source's own reference (a complaint's ticket code, a
/// finding's number, a cross-check lead, an audit report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub kind: SourceKind,
    pub reference: Option<String>,
}

/// A case as it is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseDraft {
    pub person: Person,
    /// The area of the person's post: a village for a village cadre, a township for a
    /// township cadre...
    pub area: AreaCode,
    pub source: Source,
    /// The problem category's code (the catalogue is kept elsewhere).
    pub category: String,
}

/// Mitigating facts under the error-tolerance rules (容错纠错, seed 001 problem 23).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mitigation {
    pub applied: bool,
    pub reasons: Vec<String>,
}

/// A decision as proposed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionDraft {
    pub form: Form,
    pub outcomes: Vec<Outcome>,
    pub mitigation: Mitigation,
    /// The facts, as they would be published.
    pub summary: String,
}

/// The investigation's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub on: NaiveDate,
    pub by: String,
    pub substantiation: Substantiation,
    pub text: String,
}

/// A decision (处理意见), as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub on: NaiveDate,
    pub by: String,
    pub form: Form,
    pub outcomes: Vec<Outcome>,
    pub mitigation: Mitigation,
    pub summary: String,
}

impl Decision {
    /// Whether the decision is disciplinary (module documentation): a 党纪处分, 政务处分 or
    /// 移送司法机关 among the outcomes, or the third or fourth form.
    pub fn is_disciplinary(&self) -> bool {
        matches!(self.form, Form::Third | Form::Fourth)
            || self.outcomes.iter().any(|o| o.is_disciplinary())
    }
}

/// An escalated review (提级审核).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub on: NaiveDate,
    pub by: String,
    /// The reviewing commission's area, and its level.
    #[serde(with = "crate::inspection::serde_area")]
    pub body: AreaCode,
    #[serde(with = "crate::inspection::serde_level")]
    pub level: AreaLevel,
    pub approved: bool,
    pub note: String,
    /// The index (in `decisions`) of the decision reviewed.
    pub decision: usize,
}

/// The finalisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finalisation {
    pub on: NaiveDate,
    pub by: String,
    pub decision: usize,
    /// The review it rests on, if one was required.
    pub review: Option<usize>,
}

/// What was published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    pub on: NaiveDate,
    pub by: String,
    pub names_shown: bool,
    pub text: String,
}

/// The end of a case without an outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dismissal {
    pub on: NaiveDate,
    pub by: String,
    pub grounds: DismissalGrounds,
    pub text: String,
}

/// One accountability case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub person: Person,
    #[serde(with = "crate::inspection::serde_area")]
    pub area: AreaCode,
    pub source: Source,
    pub category: String,
    pub opened_on: NaiveDate,
    pub opened_by: String,
    pub state: CaseState,
    pub finding: Option<Finding>,
    /// Every decision proposed; the last is the current one (a review that refuses sends the
    /// case back for a new one).
    pub decisions: Vec<Decision>,
    pub reviews: Vec<Review>,
    pub finalisation: Option<Finalisation>,
    pub publication: Option<Publication>,
    pub dismissal: Option<Dismissal>,
    pub last_act_on: NaiveDate,
}

/// The discipline-officer assignments of `account` in force on `day` that reach `area`.
fn discipline_over<'a>(
    account: &'a Account,
    area: &'a AreaCode,
    day: NaiveDate,
) -> impl Iterator<Item = &'a Assignment> {
    account
        .active(day)
        .filter(move |a| a.role == Role::DisciplineOfficer && a.area.contains(area))
}

/// The name as published when hidden: the first character (the surname, most often) and 某.
pub fn masked_name(name: &str) -> String {
    let first: String = name.trim().chars().take(1).collect();
    format!("{first}某")
}

fn wrong_state(state: CaseState, expected: &[CaseState]) -> Refusal {
    Refusal::WrongState {
        state,
        expected: expected
            .iter()
            .map(|s| s.zh())
            .collect::<Vec<_>>()
            .join("或"),
    }
}

impl Case {
    /// Opens a case, by a discipline officer of its area.
    pub fn open(draft: CaseDraft, account: &Account, on: NaiveDate) -> Result<Case, Refusal> {
        let person = Person {
            name: short(&draft.person.name, Field::Name)?,
            post: short(&draft.person.post, Field::Post)?,
            level: draft.person.level,
        };
        if draft.area.level() != person.level.area_level() {
            return Err(Refusal::AreaDoesNotFitLevel {
                person: person.level,
                area: draft.area.level(),
            });
        }
        let reference = match &draft.source.reference {
            Some(r) => Some(short(r, Field::Reference)?),
            None => None,
        };
        let category = short(&draft.category, Field::Category)?;
        if discipline_over(account, &draft.area, on).next().is_none() {
            return Err(Refusal::NotDisciplineOfficer);
        }
        Ok(Case {
            person,
            area: draft.area,
            source: Source {
                kind: draft.source.kind,
                reference,
            },
            category,
            opened_on: on,
            opened_by: account.login.as_str().to_string(),
            state: CaseState::Opened,
            finding: None,
            decisions: Vec::new(),
            reviews: Vec::new(),
            finalisation: None,
            publication: None,
            dismissal: None,
            last_act_on: on,
        })
    }

    fn officer(&self, account: &Account, on: NaiveDate) -> Result<(), Refusal> {
        if discipline_over(account, &self.area, on).next().is_none() {
            return Err(Refusal::NotDisciplineOfficer);
        }
        if on < self.last_act_on {
            return Err(Refusal::DateBeforeLastAct {
                last: self.last_act_on,
            });
        }
        Ok(())
    }

    /// The current decision.
    pub fn decision(&self) -> Option<&Decision> {
        self.decisions.last()
    }

    /// The level of commission whose review the current decision needs, if any.
    pub fn required_review(&self) -> Option<AreaLevel> {
        let d = self.decision()?;
        if d.is_disciplinary() {
            self.person.level.escalated_review()
        } else {
            None
        }
    }

    /// Records the investigation's findings.
    pub fn investigate(
        &mut self,
        account: &Account,
        on: NaiveDate,
        substantiation: Substantiation,
        findings: &str,
    ) -> Result<(), Refusal> {
        if self.state != CaseState::Opened {
            return Err(wrong_state(self.state, &[CaseState::Opened]));
        }
        self.officer(account, on)?;
        self.finding = Some(Finding {
            on,
            by: account.login.as_str().to_string(),
            substantiation,
            text: long(findings, Field::Findings)?,
        });
        self.state = CaseState::Investigated;
        self.last_act_on = on;
        Ok(())
    }

    /// Proposes a decision: the form, the outcomes, mitigation, the facts. The outcomes must
    /// fit the form: the first form holds no sanction (党纪处分, 政务处分) and no transfer; a
    /// transfer to the judicial organs is the fourth form.
    pub fn decide(
        &mut self,
        account: &Account,
        on: NaiveDate,
        d: &DecisionDraft,
    ) -> Result<(), Refusal> {
        if self.state != CaseState::Investigated {
            return Err(wrong_state(self.state, &[CaseState::Investigated]));
        }
        self.officer(account, on)?;
        if !self
            .finding
            .as_ref()
            .is_some_and(|f| f.substantiation.is_substantiated())
        {
            return Err(Refusal::NotSubstantiated);
        }
        if d.outcomes.is_empty() {
            return Err(Refusal::NoOutcome);
        }
        let mut outcomes: Vec<Outcome> = Vec::with_capacity(d.outcomes.len());
        for o in &d.outcomes {
            if outcomes.contains(o) {
                return Err(Refusal::DuplicateOutcome { outcome: *o });
            }
            let fits = match (d.form, o) {
                (Form::First, o) if o.is_disciplinary() => false,
                (Form::Second | Form::Third, Outcome::Transferred) => false,
                _ => true,
            };
            if !fits {
                return Err(Refusal::OutcomeBeyondForm {
                    outcome: *o,
                    form: d.form,
                });
            }
            outcomes.push(*o);
        }
        outcomes.sort();
        if d.mitigation.applied == d.mitigation.reasons.is_empty() {
            return Err(Refusal::MitigationReasons);
        }
        if d.mitigation.reasons.len() > MAX_REASONS {
            return Err(Refusal::TooManyReasons);
        }
        let reasons = d
            .mitigation
            .reasons
            .iter()
            .map(|r| long(r, Field::Reason))
            .collect::<Result<Vec<_>, _>>()?;
        let summary = long(&d.summary, Field::Summary)?;
        self.decisions.push(Decision {
            on,
            by: account.login.as_str().to_string(),
            form: d.form,
            outcomes,
            mitigation: Mitigation {
                applied: d.mitigation.applied,
                reasons,
            },
            summary,
        });
        self.state = CaseState::Decided;
        self.last_act_on = on;
        Ok(())
    }

    /// The escalated review (提级审核) of the current decision, by a discipline officer of the
    /// required level or above whose area contains the case's area. Approved, the case may be
    /// finalised; refused (对下级做出的错误问责决定,及时予以纠正), it goes back for a new decision.
    pub fn review(
        &mut self,
        account: &Account,
        on: NaiveDate,
        approved: bool,
        note: &str,
    ) -> Result<(), Refusal> {
        if self.state != CaseState::Decided {
            return Err(wrong_state(self.state, &[CaseState::Decided]));
        }
        let Some(required) = self.required_review() else {
            return Err(Refusal::ReviewNotRequired);
        };
        let over: Vec<&Assignment> = discipline_over(account, &self.area, on).collect();
        if !account.has_role(Role::DisciplineOfficer, on) {
            return Err(Refusal::NotDisciplineOfficer);
        }
        // The qualifying body closest to the case: the lowest level at or above the required.
        let Some(body) = over
            .iter()
            .filter(|a| a.area.level() <= required)
            .max_by_key(|a| (a.area.level(), a.area))
        else {
            return Err(match over.iter().map(|a| a.area.level()).min() {
                Some(found) => Refusal::ReviewBelowRequired { required, found },
                None => Refusal::ReviewerNotOverCase,
            });
        };
        if on < self.last_act_on {
            return Err(Refusal::DateBeforeLastAct {
                last: self.last_act_on,
            });
        }
        let index = self.decisions.len() - 1;
        if self.decisions[index].by == account.login.as_str() {
            return Err(Refusal::ReviewerIsDecider);
        }
        let note = long(note, Field::Note)?;
        self.reviews.push(Review {
            on,
            by: account.login.as_str().to_string(),
            body: body.area,
            level: body.area.level(),
            approved,
            note,
            decision: index,
        });
        self.state = if approved {
            CaseState::Reviewed
        } else {
            CaseState::Investigated
        };
        self.last_act_on = on;
        Ok(())
    }

    /// Checks that the current decision has the review it needs: approved, of this decision,
    /// by a body at the required level or above whose area contains the case's. Returns the
    /// review's index (none when no review is needed).
    pub fn review_in_order(&self) -> Result<Option<usize>, Refusal> {
        let Some(required) = self.required_review() else {
            return Ok(None);
        };
        let index = self.decisions.len().saturating_sub(1);
        let Some(i) = self
            .reviews
            .iter()
            .rposition(|r| r.decision == index && r.approved)
        else {
            return Err(Refusal::ReviewMissing { required });
        };
        let r = &self.reviews[i];
        // Checked again here: a record loaded from storage is not trusted to have been made
        // by `review`.
        if r.level > required || r.body.level() > required {
            return Err(Refusal::ReviewBelowRequired {
                required,
                found: r.level.max(r.body.level()),
            });
        }
        if !r.body.contains(&self.area) {
            return Err(Refusal::ReviewerNotOverCase);
        }
        Ok(Some(i))
    }

    /// Finalises the current decision, by a discipline officer of the case's area; refused
    /// if the escalated review it needs is missing or below the required level.
    pub fn finalise(&mut self, account: &Account, on: NaiveDate) -> Result<(), Refusal> {
        if !matches!(self.state, CaseState::Decided | CaseState::Reviewed) {
            return Err(wrong_state(
                self.state,
                &[CaseState::Decided, CaseState::Reviewed],
            ));
        }
        self.officer(account, on)?;
        let review = self.review_in_order()?;
        self.finalisation = Some(Finalisation {
            on,
            by: account.login.as_str().to_string(),
            decision: self.decisions.len().saturating_sub(1),
            review,
        });
        self.state = CaseState::Finalised;
        self.last_act_on = on;
        Ok(())
    }

    /// The text a publication would carry under `policy`, with whether the name is shown.
    /// Refused before finalisation, for facts not found true, and when the policy hides the
    /// name but the summary holds it.
    pub fn publication_text(&self, policy: PublicationPolicy) -> Result<(bool, String), Refusal> {
        if !matches!(self.state, CaseState::Finalised | CaseState::Published) {
            return Err(wrong_state(self.state, &[CaseState::Finalised]));
        }
        if !self
            .finding
            .as_ref()
            .is_some_and(|f| f.substantiation.is_substantiated())
        {
            return Err(Refusal::NotSubstantiated);
        }
        let Some(d) = self.decision() else {
            return Err(wrong_state(self.state, &[CaseState::Finalised]));
        };
        let shown = policy.shows_name(self.person.level);
        if !shown && d.summary.contains(&self.person.name) {
            return Err(Refusal::NameInSummary);
        }
        let name = if shown {
            self.person.name.clone()
        } else {
            masked_name(&self.person.name)
        };
        let outcomes = d
            .outcomes
            .iter()
            .map(|o| o.zh())
            .collect::<Vec<_>>()
            .join("、");
        let summary = d.summary.trim_end_matches(['。', '.']);
        Ok((
            shown,
            format!(
                "{}{}：{}。处理结果：{}。",
                self.person.post, name, summary, outcomes
            ),
        ))
    }

    /// Publishes the case (查实曝光), once finalised, by a discipline officer of its area.
    pub fn publish(
        &mut self,
        account: &Account,
        on: NaiveDate,
        policy: PublicationPolicy,
    ) -> Result<(), Refusal> {
        if self.state != CaseState::Finalised {
            return Err(wrong_state(self.state, &[CaseState::Finalised]));
        }
        self.officer(account, on)?;
        let (names_shown, text) = self.publication_text(policy)?;
        self.publication = Some(Publication {
            on,
            by: account.login.as_str().to_string(),
            names_shown,
            text,
        });
        self.state = CaseState::Published;
        self.last_act_on = on;
        Ok(())
    }

    /// Ends an investigated case without an outcome: not substantiated (only when the findings
    /// say so), or exempted under error tolerance (容错免责).
    pub fn dismiss(
        &mut self,
        account: &Account,
        on: NaiveDate,
        grounds: DismissalGrounds,
        reason: &str,
    ) -> Result<(), Refusal> {
        if self.state != CaseState::Investigated {
            return Err(wrong_state(self.state, &[CaseState::Investigated]));
        }
        self.officer(account, on)?;
        if grounds == DismissalGrounds::Unsubstantiated
            && self
                .finding
                .as_ref()
                .is_some_and(|f| f.substantiation.is_substantiated())
        {
            return Err(Refusal::Substantiated);
        }
        self.dismissal = Some(Dismissal {
            on,
            by: account.login.as_str().to_string(),
            grounds,
            text: long(reason, Field::Dismissal)?,
        });
        self.state = CaseState::Dismissed;
        self.last_act_on = on;
        Ok(())
    }
}

/// Accountability by level and form, over the cases with a decision in force (finalised or
/// published; dismissed and pending cases are not counted).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statistics {
    pub counted: usize,
    /// By the person's level (every level, by code).
    pub by_level: BTreeMap<&'static str, usize>,
    /// By form (every form, by code).
    pub by_form: BTreeMap<&'static str, usize>,
    /// By outcome (a case may count under several).
    pub by_outcome: BTreeMap<&'static str, usize>,
    /// Cases where error tolerance mitigated the decision.
    pub mitigated: usize,
    /// Village and township cadres.
    pub front_line: usize,
    /// `front_line / counted` (none when nothing is counted): a share close to 1 is the
    /// pattern seed 001 problem 23 names (问责一线干部多,问责泛化).
    pub front_line_share: Option<f64>,
}

/// Counts by level and form, and the share at the front line.
pub fn statistics(cases: &[Case]) -> Statistics {
    let mut s = Statistics {
        counted: 0,
        by_level: CadreLevel::ALL.iter().map(|l| (l.code(), 0)).collect(),
        by_form: Form::ALL.iter().map(|f| (f.code(), 0)).collect(),
        by_outcome: Outcome::ALL.iter().map(|o| (o.code(), 0)).collect(),
        mitigated: 0,
        front_line: 0,
        front_line_share: None,
    };
    for c in cases {
        if !matches!(c.state, CaseState::Finalised | CaseState::Published) {
            continue;
        }
        let Some(d) = c
            .finalisation
            .as_ref()
            .and_then(|f| c.decisions.get(f.decision))
        else {
            continue;
        };
        s.counted += 1;
        *s.by_level.entry(c.person.level.code()).or_default() += 1;
        *s.by_form.entry(d.form.code()).or_default() += 1;
        for o in &d.outcomes {
            *s.by_outcome.entry(o.code()).or_default() += 1;
        }
        if d.mitigation.applied {
            s.mitigated += 1;
        }
        if c.person.level.is_front_line() {
            s.front_line += 1;
        }
    }
    if s.counted > 0 {
        s.front_line_share = Some(s.front_line as f64 / s.counted as f64);
    }
    s
}

#[cfg(test)]
mod tests;
