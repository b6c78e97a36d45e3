//! Inspections (巡视 / 巡察 / 督查 / 暗访 / 考核 / 审计 / 第三方评估, domain.md §6): the type, the
//! scope (areas and units), the team (accounts, by login), the period, the findings classified
//! by the problem catalogue ([`crate::catalogue`]), and the verifiable random draws
//! ([`crate::draw`]) of an unannounced visit or a third-party sample.
//!
//! ```text
//! planned ─start─▶ under_way ─finish─▶ finished
//!    │ draw            │ draw, finding, reveal (after the visit day)
//! ```
//!
//! Who acts: an inspector whose area contains every area of the scope plans the inspection and
//! is on its team. Only team members (their login in the team *and* the inspector role in
//! force) start and finish it, record findings, make draws and reveal them.
//!
//! **Draws** (commit-reveal): when a draw is made, the inspection keeps its spec and the
//! commitment; the seed itself is not part of the inspection (the caller keeps it sealed) and
//! the sample is known only to the team ([`Inspection::sees_sample`]) until the seed is
//! revealed, which is refused before the visit day and for a seed that does not give the
//! commitment. After the reveal, the seed and the sample are part of the record and anyone can
//! re-run the draw ([`crate::draw::verify`]).
//!
//! **Findings** are numbered 1, 2, 3... in the order recorded; a finding is named elsewhere
//! (a rectification measure, an accountability case) by the origin `("finding",
//! "{inspection_id}:{number}")` ([`finding_origin`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access::{Account, Role};
use crate::area::AreaCode;
use crate::catalogue::ProblemClass;
use crate::draw::{self, Commitment, DrawError, DrawSpec, Sample, Seed};
use crate::vocab::{Vocabulary, vocabulary};

/// The longest title, unit name or login, in characters.
pub const MAX_SHORT: usize = 100;
/// The longest finding, in characters.
pub const MAX_TEXT: usize = 2000;
/// The most areas, units or team members.
pub const MAX_LIST: usize = 50;
/// The longest period, in days.
pub const MAX_PERIOD_DAYS: i64 = 366;
/// The most findings or draws of one inspection.
pub const MAX_ITEMS: usize = 500;

vocabulary! {
    /// The type of inspection.
    InspectionKind {
        Xunshi = ("xunshi", "巡视", "Inspection tour"),
        Xuncha = ("xuncha", "巡察", "Patrol inspection"),
        Ducha = ("ducha", "督查", "Supervision visit"),
        Anfang = ("anfang", "暗访", "Unannounced visit", ["暗访暗查"]),
        Kaohe = ("kaohe", "考核", "Assessment"),
        Shenji = ("shenji", "审计", "Audit"),
        ThirdParty = ("third_party", "第三方评估", "Third-party evaluation"),
    }
}

vocabulary! {
    /// Where an inspection stands.
    InspectionState {
        Planned = ("planned", "计划中", "Planned"),
        UnderWay = ("under_way", "进行中", "Under way"),
        Finished = ("finished", "已结束", "Finished"),
    }
}

vocabulary! {
    /// The fields a refusal may name.
    Field {
        Title = ("title", "名称", "Title"),
        Scope = ("scope", "范围", "Scope"),
        Unit = ("unit", "被检查单位", "Unit"),
        Team = ("team", "检查组成员", "Team"),
        Period = ("period", "时间", "Period"),
        Finding = ("finding", "问题", "Finding"),
        Category = ("category", "问题类别", "Category"),
        Area = ("area", "地区", "Area"),
        VisitDay = ("visit_on", "走访日期", "Visit day"),
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
    #[error("{} holds more than {max} entries", .field.en())]
    TooMany { field: Field, max: usize },
    #[error("{} holds {value:?} twice", .field.en())]
    Duplicate { field: Field, value: String },
    #[error("the period ends before it starts, or is longer than {MAX_PERIOD_DAYS} days")]
    BadPeriod,
    #[error("this is done by an inspector whose area contains the whole scope")]
    NotInspectorOverScope,
    #[error("this is done by a member of the inspection team")]
    NotTeamMember,
    #[error("the inspection is {}; this act needs it {expected}", .state.en())]
    WrongState {
        state: InspectionState,
        expected: String,
    },
    #[error("the inspection period has not started yet ({starts})")]
    BeforePeriod { starts: NaiveDate },
    #[error("the area {area} is outside the inspection's scope")]
    OutsideScope { area: String },
    #[error("{code:?} is neither a catalogue item nor a corruption type")]
    UnknownCategory { code: String },
    #[error("the visit day must be within the period and not before today")]
    BadVisitDay,
    #[error("there is no draw numbered {number}")]
    NoSuchDraw { number: u32 },
    #[error("draw {number} was revealed already")]
    AlreadyRevealed { number: u32 },
    #[error("the seed of draw {number} is revealed only on or after the visit day ({visit_on})")]
    BeforeVisit { number: u32, visit_on: NaiveDate },
    #[error("the seed does not give the commitment published for draw {number}")]
    SeedDoesNotMatch { number: u32 },
    #[error("the draw cannot be made: {0}")]
    Draw(DrawError),
    #[error("the date is before the inspection's last act ({last})")]
    DateBeforeLastAct { last: NaiveDate },
}

impl Refusal {
    /// The Chinese message.
    pub fn zh(&self) -> String {
        match self {
            Refusal::Required { field } => format!("{}为必填项", field.zh()),
            Refusal::TooLong { field, max } => format!("{}超过 {max} 个字符", field.zh()),
            Refusal::ControlCharacter { field } => format!("{}含有控制字符", field.zh()),
            Refusal::TooMany { field, max } => format!("{}超过 {max} 项", field.zh()),
            Refusal::Duplicate { field, value } => format!("{}中“{value}”重复", field.zh()),
            Refusal::BadPeriod => format!("时间的结束早于开始，或超过 {MAX_PERIOD_DAYS} 天"),
            Refusal::NotInspectorOverScope => "须由区划包含全部检查范围的巡视督查人员办理".into(),
            Refusal::NotTeamMember => "须由检查组成员办理".into(),
            Refusal::WrongState { state, expected } => {
                format!("检查状态为“{}”，此操作要求{expected}", state.zh())
            }
            Refusal::BeforePeriod { starts } => format!("检查尚未开始（{starts} 开始）"),
            Refusal::OutsideScope { area } => format!("地区 {area} 不在检查范围内"),
            Refusal::UnknownCategory { code } => {
                format!("“{code}”既不是问题清单条目，也不是腐败问题类型")
            }
            Refusal::BadVisitDay => "走访日期须在检查时间内，且不早于今天".into(),
            Refusal::NoSuchDraw { number } => format!("没有第 {number} 次抽取"),
            Refusal::AlreadyRevealed { number } => format!("第 {number} 次抽取的种子已公开"),
            Refusal::BeforeVisit { number, visit_on } => {
                format!("第 {number} 次抽取的种子须在走访日（{visit_on}）当天或之后公开")
            }
            Refusal::SeedDoesNotMatch { number } => {
                format!("该种子与第 {number} 次抽取公布的承诺值不符")
            }
            Refusal::Draw(e) => format!("无法抽取：{}", e.zh()),
            Refusal::DateBeforeLastAct { last } => format!("日期早于本次检查上一次记录（{last}）"),
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

/// Serde for an area code as its 12 digits (areas do not deserialize by themselves).
pub mod serde_area {
    use super::AreaCode;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(a: &AreaCode, s: S) -> Result<S::Ok, S::Error> {
        a.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<AreaCode, D::Error> {
        let t = String::deserialize(d)?;
        AreaCode::parse(&t).map_err(|_| serde::de::Error::custom("not a 12-digit area code"))
    }
}

/// Serde for an area level by its code (`county`...).
pub mod serde_level {
    use crate::area::AreaLevel;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(l: &AreaLevel, s: S) -> Result<S::Ok, S::Error> {
        l.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<AreaLevel, D::Error> {
        let t = String::deserialize(d)?;
        AreaLevel::ALL
            .into_iter()
            .find(|l| l.en() == t)
            .ok_or_else(|| serde::de::Error::custom("not an area level"))
    }
}

/// Serde for a list of area codes.
pub mod serde_areas {
    use super::AreaCode;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(a: &[AreaCode], s: S) -> Result<S::Ok, S::Error> {
        a.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<AreaCode>, D::Error> {
        let v = Vec::<String>::deserialize(d)?;
        v.iter()
            .map(|t| {
                AreaCode::parse(t).map_err(|_| serde::de::Error::custom("not a 12-digit area code"))
            })
            .collect()
    }
}

/// What an inspection covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    #[serde(with = "serde_areas")]
    pub areas: Vec<AreaCode>,
    /// Units inspected (departments, the township government...), by name.
    #[serde(default)]
    pub units: Vec<String>,
}

impl Scope {
    /// Whether `area` lies within one of the scope's areas.
    pub fn covers(&self, area: &AreaCode) -> bool {
        self.areas.iter().any(|a| a.contains(area))
    }

    /// The smallest area containing the whole scope (where the inspection is filed).
    pub fn root(&self) -> Option<AreaCode> {
        let first = *self.areas.first()?;
        let mut root = first;
        while !self.areas.iter().all(|a| root.contains(a)) {
            root = root.parent()?;
        }
        Some(root)
    }
}

/// An inspection as planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionDraft {
    pub kind: InspectionKind,
    pub title: String,
    pub scope: Scope,
    /// Logins of the team besides the one planning it (who is always on it, first).
    pub team: Vec<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// A finding (发现问题), classified by the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// 1, 2, 3... in the order recorded.
    pub number: u32,
    #[serde(with = "serde_area")]
    pub area: AreaCode,
    /// A catalogue item's code (`S000-04`) or a corruption type's (`embezzlement`).
    pub category: String,
    pub text: String,
    pub on: NaiveDate,
    pub by: String,
}

/// A revealed seed with the sample it gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reveal {
    /// The seed, 64 hex digits.
    pub seed: String,
    pub sample: Sample,
    pub on: NaiveDate,
    pub by: String,
}

/// A draw: what was committed to, and after the visit the seed and the sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draw {
    /// 1, 2, 3... within the inspection.
    pub number: u32,
    pub spec: DrawSpec,
    /// The spec's digest ([`DrawSpec::digest`]), published with the commitment.
    pub spec_digest: String,
    pub commitment: Commitment,
    pub made_on: NaiveDate,
    pub made_by: String,
    /// The day of the visit: the seed is revealed on or after it.
    pub visit_on: NaiveDate,
    pub revealed: Option<Reveal>,
}

/// One inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    pub kind: InspectionKind,
    pub title: String,
    pub scope: Scope,
    /// Logins; the first planned it and leads it.
    pub team: Vec<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub state: InspectionState,
    pub findings: Vec<Finding>,
    pub draws: Vec<Draw>,
    pub planned_on: NaiveDate,
    pub last_act_on: NaiveDate,
}

/// The origin that names a finding elsewhere: `("finding", "{inspection_id}:{number}")`.
pub fn finding_origin(inspection_id: i64, number: u32) -> (String, String) {
    ("finding".to_string(), format!("{inspection_id}:{number}"))
}

/// Reads the id of a finding origin back: `"12:3"` is inspection 12, finding 3.
pub fn parse_finding_ref(text: &str) -> Option<(i64, u32)> {
    let (i, n) = text.trim().split_once(':')?;
    let i: i64 = i.parse().ok()?;
    let n: u32 = n.parse().ok()?;
    (i > 0 && n > 0).then_some((i, n))
}

fn wrong_state(state: InspectionState, expected: &[InspectionState]) -> Refusal {
    Refusal::WrongState {
        state,
        expected: expected
            .iter()
            .map(|s| s.zh())
            .collect::<Vec<_>>()
            .join("或"),
    }
}

fn list(items: &[String], field: Field) -> Result<Vec<String>, Refusal> {
    if items.len() > MAX_LIST {
        return Err(Refusal::TooMany {
            field,
            max: MAX_LIST,
        });
    }
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for i in items {
        let t = text(i, field, MAX_SHORT, true)?;
        if out.contains(&t) {
            return Err(Refusal::Duplicate { field, value: t });
        }
        out.push(t);
    }
    Ok(out)
}

impl Inspection {
    /// Plans an inspection, by an inspector whose area contains the whole scope.
    pub fn plan(
        draft: &InspectionDraft,
        account: &Account,
        on: NaiveDate,
    ) -> Result<Inspection, Refusal> {
        let title = text(&draft.title, Field::Title, MAX_SHORT, true)?;
        if draft.scope.areas.is_empty() {
            return Err(Refusal::Required {
                field: Field::Scope,
            });
        }
        if draft.scope.areas.len() > MAX_LIST {
            return Err(Refusal::TooMany {
                field: Field::Scope,
                max: MAX_LIST,
            });
        }
        let mut areas = draft.scope.areas.clone();
        areas.sort();
        if let Some(w) = areas.windows(2).find(|w| w[0] == w[1]) {
            return Err(Refusal::Duplicate {
                field: Field::Scope,
                value: w[0].as_str().to_string(),
            });
        }
        let units = list(&draft.scope.units, Field::Unit)?;
        let days = (draft.ends_on - draft.starts_on).num_days();
        if !(0..MAX_PERIOD_DAYS).contains(&days) {
            return Err(Refusal::BadPeriod);
        }
        let over_scope = areas.iter().all(|area| {
            account
                .active(on)
                .any(|a| a.role == Role::Inspector && a.area.contains(area))
        });
        if !over_scope {
            return Err(Refusal::NotInspectorOverScope);
        }
        let lead = account.login.as_str().to_string();
        let mut team = vec![lead.clone()];
        for t in list(&draft.team, Field::Team)? {
            if t != lead {
                team.push(t);
            }
        }
        if team.len() > MAX_LIST {
            return Err(Refusal::TooMany {
                field: Field::Team,
                max: MAX_LIST,
            });
        }
        Ok(Inspection {
            kind: draft.kind,
            title,
            scope: Scope { areas, units },
            team,
            starts_on: draft.starts_on,
            ends_on: draft.ends_on,
            state: InspectionState::Planned,
            findings: Vec::new(),
            draws: Vec::new(),
            planned_on: on,
            last_act_on: on,
        })
    }

    /// The area the inspection is filed under: the smallest containing its whole scope.
    pub fn area(&self) -> Option<AreaCode> {
        self.scope.root()
    }

    /// Whether `account` is on the team on `day`: its login is, and it holds the inspector
    /// role in force (a lapsed or disabled account is no longer on it).
    pub fn is_team(&self, account: &Account, day: NaiveDate) -> bool {
        self.team.iter().any(|t| t == account.login.as_str())
            && account.has_role(Role::Inspector, day)
    }

    /// Whether `account` may see the sample of draw `number` on `day`: the team always, anyone
    /// once the seed is revealed.
    pub fn sees_sample(&self, account: &Account, number: u32, day: NaiveDate) -> bool {
        self.draws
            .iter()
            .find(|d| d.number == number)
            .is_some_and(|d| d.revealed.is_some() || self.is_team(account, day))
    }

    fn member(&self, account: &Account, on: NaiveDate) -> Result<(), Refusal> {
        if !self.is_team(account, on) {
            return Err(Refusal::NotTeamMember);
        }
        if on < self.last_act_on {
            return Err(Refusal::DateBeforeLastAct {
                last: self.last_act_on,
            });
        }
        Ok(())
    }

    /// Starts the inspection (on or after the first day of its period), by a team member.
    pub fn start(&mut self, account: &Account, on: NaiveDate) -> Result<(), Refusal> {
        if self.state != InspectionState::Planned {
            return Err(wrong_state(self.state, &[InspectionState::Planned]));
        }
        self.member(account, on)?;
        if on < self.starts_on {
            return Err(Refusal::BeforePeriod {
                starts: self.starts_on,
            });
        }
        self.state = InspectionState::UnderWay;
        self.last_act_on = on;
        Ok(())
    }

    /// Finishes the inspection, by a team member; no finding is added after it.
    pub fn finish(&mut self, account: &Account, on: NaiveDate) -> Result<(), Refusal> {
        if self.state != InspectionState::UnderWay {
            return Err(wrong_state(self.state, &[InspectionState::UnderWay]));
        }
        self.member(account, on)?;
        self.state = InspectionState::Finished;
        self.last_act_on = on;
        Ok(())
    }

    /// Records a finding in an area of the scope, classified by the catalogue (an item's code
    /// or a corruption type); returns its number.
    pub fn add_finding(
        &mut self,
        account: &Account,
        on: NaiveDate,
        area: AreaCode,
        category: &str,
        finding: &str,
    ) -> Result<u32, Refusal> {
        if self.state != InspectionState::UnderWay {
            return Err(wrong_state(self.state, &[InspectionState::UnderWay]));
        }
        self.member(account, on)?;
        if !self.scope.covers(&area) {
            return Err(Refusal::OutsideScope {
                area: area.as_str().to_string(),
            });
        }
        let category = category.trim();
        let Some(class) = ProblemClass::parse(category) else {
            return Err(Refusal::UnknownCategory {
                code: category.chars().take(MAX_SHORT).collect(),
            });
        };
        let text = text(finding, Field::Finding, MAX_TEXT, false)?;
        if self.findings.len() >= MAX_ITEMS {
            return Err(Refusal::TooMany {
                field: Field::Finding,
                max: MAX_ITEMS,
            });
        }
        let number = self.findings.len() as u32 + 1;
        self.findings.push(Finding {
            number,
            area,
            category: class.code().to_string(),
            text,
            on,
            by: account.login.as_str().to_string(),
        });
        self.last_act_on = on;
        Ok(number)
    }

    /// Makes a draw for a visit on `visit_on` (within the period, not before `on`), by a team
    /// member, before the inspection finishes: records the spec and the commitment and returns
    /// the draw's number and the sample (for the team; the caller keeps the seed sealed).
    pub fn make_draw(
        &mut self,
        account: &Account,
        on: NaiveDate,
        spec: &DrawSpec,
        seed: &Seed,
        visit_on: NaiveDate,
    ) -> Result<(u32, Sample), Refusal> {
        if self.state == InspectionState::Finished {
            return Err(wrong_state(
                self.state,
                &[InspectionState::Planned, InspectionState::UnderWay],
            ));
        }
        self.member(account, on)?;
        if visit_on < on || visit_on < self.starts_on || visit_on > self.ends_on {
            return Err(Refusal::BadVisitDay);
        }
        if self.draws.len() >= MAX_ITEMS {
            return Err(Refusal::TooMany {
                field: Field::VisitDay,
                max: MAX_ITEMS,
            });
        }
        let spec = spec.normalised();
        let commitment = draw::commit(seed, &spec).map_err(Refusal::Draw)?;
        let sample = draw::draw(seed, &spec).map_err(Refusal::Draw)?;
        let number = self.draws.len() as u32 + 1;
        self.draws.push(Draw {
            number,
            spec_digest: spec.digest(),
            spec,
            commitment,
            made_on: on,
            made_by: account.login.as_str().to_string(),
            visit_on,
            revealed: None,
        });
        self.last_act_on = on;
        Ok((number, sample))
    }

    /// The draw numbered `number`.
    pub fn draw(&self, number: u32) -> Option<&Draw> {
        self.draws.iter().find(|d| d.number == number)
    }

    /// The sample of a draw not yet revealed, re-derived from its seed (refused for a seed
    /// that does not give the commitment: the sealed value was swapped).
    pub fn sample_from(&self, number: u32, seed: &Seed) -> Result<Sample, Refusal> {
        let d = self.draw(number).ok_or(Refusal::NoSuchDraw { number })?;
        if draw::commit(seed, &d.spec).map_err(Refusal::Draw)? != d.commitment {
            return Err(Refusal::SeedDoesNotMatch { number });
        }
        draw::draw(seed, &d.spec).map_err(Refusal::Draw)
    }

    /// Reveals the seed of a draw, on or after its visit day, by a team member: the seed must
    /// give the commitment; the sample it gives becomes part of the record.
    pub fn reveal(
        &mut self,
        account: &Account,
        on: NaiveDate,
        number: u32,
        seed: &Seed,
    ) -> Result<(), Refusal> {
        let Some(index) = self.draws.iter().position(|d| d.number == number) else {
            return Err(Refusal::NoSuchDraw { number });
        };
        self.member(account, on)?;
        let d = &self.draws[index];
        if d.revealed.is_some() {
            return Err(Refusal::AlreadyRevealed { number });
        }
        if on < d.visit_on {
            return Err(Refusal::BeforeVisit {
                number,
                visit_on: d.visit_on,
            });
        }
        let sample = self.sample_from(number, seed)?;
        self.draws[index].revealed = Some(Reveal {
            seed: seed.to_hex(),
            sample,
            on,
            by: account.login.as_str().to_string(),
        });
        self.last_act_on = on;
        Ok(())
    }
}

/// What anyone can check of a revealed draw: its stored seed, spec and sample against its
/// stored commitment (a record altered behind the platform's back fails).
pub fn check_revealed(d: &Draw) -> Option<draw::Verification> {
    let r = d.revealed.as_ref()?;
    Some(match Seed::from_hex(&r.seed) {
        Ok(seed) => draw::verify(&seed, &d.spec, &d.commitment, &r.sample),
        Err(e) => draw::Verification {
            commitment_matches: false,
            spec_refused: Some(e),
            sample_matches: false,
            missing: Vec::new(),
            unexpected: r.sample.drawn().collect(),
            expected: None,
        },
    })
}

#[cfg(test)]
mod tests;
