//! Complaints (举报 / 信访 / 扶贫专线, domain.md §6) as a pure state machine.
//!
//! A complaint arrives by one of the [`Channel`]s and is registered the same day with a public
//! [`TicketCode`] that lets anyone follow the case without seeing its content. It is classified
//! by the problem catalogue ([`crate::catalogue`]), routed (转办) to a competent unit with a
//! deadline, handled (verification, finding, action taken), answered (答复), and closed. The rules,
//! with where they come from:
//!
//! * **Recusal (回避)**, domain.md §6: a complaint is never routed to the unit it accuses, nor to
//!   the unit of the person it accuses ([`Complaint::route`], [`units_match`]), nor to a unit
//!   whose area is the accused unit's area or inside it; and it is never read or acted on by an
//!   account whose area is the accused unit's area or inside it, nor by an account whose name or
//!   login is the accused person's ([`recused`]): for such an account the case does not exist.
//! * **The complainant's identity is sealed**, domain.md §6 and §11.3: it is kept apart in a
//!   [`SealedIdentity`] that prints as `SealedIdentity(<sealed>)` and is not serialised with the
//!   complaint; only an account holding the `sealed` permission over the complaint's area may
//!   read it ([`Complaint::identity_for`]), and the caller audits every reading.
//! * **Deadlines in working days**, domain.md §6: route within 1 working day, simple cases
//!   within 15, complex within 60; every number is a parameter ([`Deadlines`]) and the days are
//!   counted on a [`Calendar`]. Late routing is allowed and flagged ([`Routing::late`]).
//! * **"事事有回音、件件有落实"** (seeds 000 and 003, domain.md §6): no case closes without a reply
//!   to the complainant ([`Refusal::NoReply`]), and no reply without a finding and the action
//!   taken.
//! * **Review (复查)**, domain.md §6: an unsatisfied complainant may ask, within a window, for a
//!   review by the level above the one that answered; it reopens handling there. One review per
//!   complaint (the 信访 regulations' further 复核 is out of scope).
//! * **Escalation (提级)**, domain.md §6: a case past its handling deadline without a reply goes
//!   to the level above ([`Complaint::escalation_due`], [`Complaint::escalate`]), which routes it
//!   again; its deadline starts again from the day of escalation.
//!
//! Pure: the caller gives the account, the day, the calendar, the deadlines in force and, for the
//! ticket, the entropy; the complaint answers with its next state or a [`Refusal`] that says why.
//! A refused act changes nothing.
//!
//! ## States
//!
//! ```text
//! Registered ──route──▶ Routed ──verify──▶ Handling ──finding, reply──▶ Replied ──close──▶ Closed
//!     │  ▲                │  (re-route)        │                           │                │
//!     │  └────────────────┘                    │                           └──review──┬─────┘
//!     └──────── overdue, not replied: escalate ┴──▶ Escalated ──route──▶ Routed       ▼
//!                                                                       UnderReview ──reply──▶ Replied
//! ```
//!
//! Closed is final unless the complainant is unsatisfied and asks for review within the window.

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::access::{Account, Role};
use crate::area::{AreaCode, AreaLevel};
use crate::calendar::Calendar;
use crate::catalogue::ProblemClass;
use crate::vocab::{Vocabulary, vocabulary};

vocabulary! {
    /// How a complaint arrived (domain.md §6).
    Channel {
        Hotline12317 = ("hotline_12317", "12317扶贫监督举报电话", "12317 poverty-alleviation hotline", ["12317"]),
        Hotline12380 = ("hotline_12380", "12380举报", "12380 reporting line", ["12380"]),
        Letter = ("letter", "来信", "Letter"),
        Visit = ("visit", "来访", "Visit"),
        Web = ("web", "网上举报", "Web portal (public site)", ["网站", "web portal"]),
        Transfer = ("transfer", "其他机关转交", "Transferred from another body", ["转交", "上级交办"]),
    }
}

vocabulary! {
    /// What the verification found (domain.md §6: 属实, 部分属实, 不属实).
    Finding {
        Substantiated = ("substantiated", "属实", "Substantiated"),
        PartlySubstantiated = ("partly_substantiated", "部分属实", "Partly substantiated"),
        Unsubstantiated = ("unsubstantiated", "不属实", "Unsubstantiated"),
    }
}

vocabulary! {
    /// Simple or complex: decides the handling deadline ([`Deadlines`]).
    Complexity {
        Simple = ("simple", "简单", "Simple"),
        Complex = ("complex", "复杂", "Complex"),
    }
}

vocabulary! {
    /// Where a complaint stands: registered (waiting to be routed); routed to a unit whose
    /// verification has not started; being handled (verification recorded); replied (the
    /// complainant answered); closed after the reply; under review by the level above at the
    /// complainant's request; escalated (overdue, taken over by the level above, waiting to be
    /// routed again).
    ComplaintState {
        Registered = ("registered", "已登记", "Registered"),
        Routed = ("routed", "已转办", "Routed"),
        Handling = ("handling", "办理中", "Being handled"),
        Replied = ("replied", "已答复", "Replied"),
        Closed = ("closed", "已办结", "Closed"),
        UnderReview = ("under_review", "复查中", "Under review"),
        Escalated = ("escalated", "已提级", "Escalated"),
    }
}

impl ComplaintState {
    /// Whether the case still waits for a reply (the states in which a deadline runs).
    pub fn awaits_reply(self) -> bool {
        matches!(
            self,
            Self::Registered | Self::Routed | Self::Handling | Self::UnderReview | Self::Escalated
        )
    }
}

vocabulary! {
    /// The complainant's satisfaction with the reply (满意度回访).
    Satisfaction {
        Satisfied = ("satisfied", "满意", "Satisfied"),
        BasicallySatisfied = ("basically_satisfied", "基本满意", "Basically satisfied"),
        Unsatisfied = ("unsatisfied", "不满意", "Unsatisfied"),
    }
}

vocabulary! {
    /// What was attempted (named in refusals).
    Act {
        Register = ("register", "登记", "register"),
        Route = ("route", "转办", "route"),
        Verify = ("verify", "核查", "record the verification"),
        RecordFinding = ("record_finding", "认定结果和处理措施", "record the finding and action"),
        Reply = ("reply", "答复", "reply"),
        RecordSatisfaction = ("record_satisfaction", "满意度", "record satisfaction"),
        Close = ("close", "办结", "close"),
        RequestReview = ("request_review", "申请复查", "request review"),
        Escalate = ("escalate", "提级", "escalate"),
        Classify = ("classify", "问题分类", "classify"),
        Unseal = ("unseal", "查看举报人身份", "see the complainant's identity"),
    }
}

vocabulary! {
    /// The input a refusal is about.
    Field {
        Content = ("content", "举报内容", "content"),
        SubjectArea = ("subject_area", "被举报事项所在地", "subject area"),
        AccusedUnit = ("accused_unit", "被举报单位", "accused unit"),
        AccusedUnitArea = ("accused_unit_area", "被举报单位所在地", "accused unit's area"),
        AccusedPerson = ("accused_person", "被举报人", "accused person"),
        AccusedPersonUnit = ("accused_person_unit", "被举报人所在单位", "accused person's unit"),
        ComplainantName = ("complainant_name", "举报人姓名", "complainant's name"),
        ComplainantPhone = ("complainant_phone", "举报人电话", "complainant's phone"),
        ComplainantIdNumber = ("complainant_id_number", "举报人身份证号", "complainant's ID number"),
        Classes = ("classes", "问题类别", "classes"),
        UnitName = ("unit_name", "承办单位", "unit name"),
        Verification = ("verification", "核查情况", "verification"),
        Action = ("action", "处理措施", "action taken"),
        Reply = ("reply", "答复内容", "reply"),
        ReviewReason = ("review_reason", "复查理由", "reason for review"),
    }
}

/// Maximum length of a complaint's content, in characters.
pub const MAX_CONTENT: usize = 4000;
/// Maximum length of a unit's name (accused or routed to).
pub const MAX_UNIT_NAME: usize = 100;
/// Maximum length of a person's name (accused or complainant).
pub const MAX_PERSON_NAME: usize = 50;
/// Maximum length of a phone number as given (digits, `+`, `-`, spaces, brackets).
pub const MAX_PHONE: usize = 20;
/// Maximum length of an identity document number (an 18-character resident ID, or another).
pub const MAX_ID_NUMBER: usize = 18;
/// Maximum length of a handling record (verification, action, reply, review reason).
pub const MAX_RECORD: usize = 4000;
/// Maximum number of classes on one complaint.
pub const MAX_CLASSES: usize = 10;

/// Why an input value is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum Why {
    Required,
    TooLong { max: usize },
    ControlCharacter,
    NotAreaCode,
    Characters { allowed: &'static str },
    UnknownClass { code: String },
    TooMany { max: usize },
}

impl std::fmt::Display for Why {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Why::Required => f.write_str("is required"),
            Why::TooLong { max } => write!(f, "is longer than {max} characters"),
            Why::ControlCharacter => f.write_str("contains a control character"),
            Why::NotAreaCode => f.write_str("is not an area code of 2, 4, 6, 9 or 12 digits"),
            Why::Characters { allowed } => write!(f, "may only hold {allowed}"),
            Why::UnknownClass { code } => {
                write!(
                    f,
                    "\"{code}\" is neither a catalogue item nor a corruption type"
                )
            }
            Why::TooMany { max } => write!(f, "holds more than {max} values"),
        }
    }
}

impl Why {
    pub fn zh(&self) -> String {
        match self {
            Why::Required => "不能为空".into(),
            Why::TooLong { max } => format!("超过 {max} 个字符"),
            Why::ControlCharacter => "含有控制字符".into(),
            Why::NotAreaCode => "不是 2、4、6、9 或 12 位的区划代码".into(),
            Why::Characters { allowed } => format!("只能包含{}", allowed_zh(allowed)),
            Why::UnknownClass { code } => format!("“{code}”不是问题清单条目或腐败问题类型"),
            Why::TooMany { max } => format!("不能超过 {max} 项"),
        }
    }
}

const PHONE_CHARS: &str = "digits, +, -, spaces and brackets";
const ID_CHARS: &str = "Latin letters and digits";

fn allowed_zh(allowed: &str) -> &'static str {
    if allowed == PHONE_CHARS {
        "数字、+、-、空格和括号"
    } else {
        "拉丁字母和数字"
    }
}

/// Why an act on a complaint was refused. `Display` is the English text; [`Refusal::zh`] the
/// Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum Refusal {
    #[error("{}: {why}", .field.en())]
    Invalid { field: Field, why: Why },
    #[error("a complaint that is {} cannot {}", .state.en().to_lowercase(), .act.en())]
    WrongState { state: ComplaintState, act: Act },
    #[error("this account may not {} this complaint on this day", .act.en())]
    NotAllowed { act: Act },
    #[error("the routed unit's area {area} is outside this account's reach")]
    UnitOutOfReach { area: AreaCode },
    #[error("the public site registers complaints of the web channel only")]
    PublicChannel,
    #[error("recusal (回避): the complaint accuses {accused}; it cannot be routed to {unit}")]
    Recusal { unit: String, accused: String },
    #[error(
        "recusal (回避): the complaint accuses {accused} of area {area}; it cannot be routed to {unit}, whose area {unit_area} is that area or inside it"
    )]
    RecusalArea {
        unit: String,
        unit_area: AreaCode,
        accused: String,
        area: AreaCode,
    },
    #[error("recusal (回避): this account is {}", .reason.en())]
    Recused { reason: RecusalReason },
    #[error("first {}", .needed.en())]
    MissingStep { needed: Act },
    #[error("already done for this round: {}", .what.en())]
    AlreadyRecorded { what: Act },
    #[error("no case closes without a reply to the complainant (事事有回音)")]
    NoReply,
    #[error("the case is not overdue: its deadline is {due}")]
    NotOverdue { due: NaiveDate },
    #[error("there is no level above {area}")]
    NoLevelAbove { area: AreaCode },
    #[error("only a complainant unsatisfied with the reply may ask for review")]
    NotUnsatisfied,
    #[error("the review could be asked for until {until}")]
    ReviewWindowPassed { until: NaiveDate },
    #[error("this complaint has already been reviewed once")]
    AlreadyReviewed,
    #[error("the date is before the complaint's last act ({last})")]
    DateBeforeLast { last: NaiveDate },
    #[error("the date or deadline lies outside the dates the platform can count")]
    DateOutOfRange,
}

impl Refusal {
    pub fn zh(&self) -> String {
        match self {
            Refusal::Invalid { field, why } => format!("{}{}", field.zh(), why.zh()),
            Refusal::WrongState { state, act } => {
                format!("状态为“{}”的举报不能{}", state.zh(), act.zh())
            }
            Refusal::NotAllowed { act } => format!("此账号当日无权对本件办理“{}”", act.zh()),
            Refusal::UnitOutOfReach { area } => {
                format!("承办单位所在地 {area} 不在此账号的管辖范围内")
            }
            Refusal::PublicChannel => "公开网站只能登记网上举报".into(),
            Refusal::Recusal { unit, accused } => {
                format!("回避：本件举报的是“{accused}”，不能转给“{unit}”办理")
            }
            Refusal::RecusalArea {
                unit,
                unit_area,
                accused,
                area,
            } => format!(
                "回避：本件举报的是“{accused}”（{area}），“{unit}”所在地 {unit_area} 属于被举报单位辖区，不能转给其办理"
            ),
            Refusal::Recused { reason } => format!("回避：此账号{}", reason.zh()),
            Refusal::MissingStep { needed } => format!("请先{}", needed.zh()),
            Refusal::AlreadyRecorded { what } => format!("本轮已{}，不能重复", what.zh()),
            Refusal::NoReply => "未答复举报人不能办结（事事有回音）".into(),
            Refusal::NotOverdue { due } => format!("本件未超期，办理期限为 {due}"),
            Refusal::NoLevelAbove { area } => format!("{area} 没有上一级"),
            Refusal::NotUnsatisfied => "只有对答复不满意的举报人才能申请复查".into(),
            Refusal::ReviewWindowPassed { until } => {
                format!("申请复查的期限已于 {until} 届满")
            }
            Refusal::AlreadyReviewed => "本件已复查过一次".into(),
            Refusal::DateBeforeLast { last } => format!("日期早于本件上一次办理（{last}）"),
            Refusal::DateOutOfRange => "日期或期限超出可计算的范围".into(),
        }
    }
}

fn invalid(field: Field, why: Why) -> Refusal {
    Refusal::Invalid { field, why }
}

/// Trims free text: blank is `None` (refused if `required`), control characters are refused
/// (line breaks and tabs are allowed in `multiline` text, where `\r\n` becomes `\n`), and text
/// longer than `max` characters is refused.
fn clean(
    field: Field,
    raw: &str,
    max: usize,
    multiline: bool,
    required: bool,
) -> Result<Option<String>, Refusal> {
    let t = raw.trim();
    if t.is_empty() {
        return if required {
            Err(invalid(field, Why::Required))
        } else {
            Ok(None)
        };
    }
    let t = if multiline {
        t.replace("\r\n", "\n")
    } else {
        t.to_string()
    };
    if t.chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t')))
    {
        return Err(invalid(field, Why::ControlCharacter));
    }
    if t.chars().count() > max {
        return Err(invalid(field, Why::TooLong { max }));
    }
    Ok(Some(t))
}

fn required(field: Field, raw: &str, max: usize, multiline: bool) -> Result<String, Refusal> {
    clean(field, raw, max, multiline, true).map(Option::unwrap_or_default)
}

fn area(field: Field, raw: &str) -> Result<Option<AreaCode>, Refusal> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    AreaCode::parse_short(t)
        .map(Some)
        .map_err(|_| invalid(field, Why::NotAreaCode))
}

// ---------------------------------------------------------------------------------------------
// Ticket codes.

/// The ticket code alphabet: digits and capital letters without the look-alikes 0/O and 1/I.
const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const TICKET_PREFIX: &str = "JB-";
const TICKET_LEN: usize = 17; // "JB-" + 4 + "-" + 8 + 1

/// A public ticket code, `JB-2026-7KQ4M2ZRT`: `JB` (举报), the year of registration, eight
/// characters drawn from the caller's entropy (40 bits) and a check character.
///
/// The characters are the 32 of `23456789ABCDEFGHJKLMNPQRSTUVWXYZ` (no 0, O, 1 or I). The
/// check character is `Σ wᵢ·vᵢ mod 32` over the four year digits (their digit values) and the
/// eight characters (their alphabet positions), with the odd weights 1, 3, 5, ..., 23: since
/// every weight is odd and every difference between two values is below 32, changing any one
/// character changes the sum, so any single mistyped character is refused by
/// [`TicketCode::parse`].
///
/// The code identifies a case without revealing anything about it. It is not unique by
/// construction: the store keeps codes unique and the caller draws again on a collision.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TicketCode(String);

/// Why a text is not a ticket code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketError {
    #[error("a ticket code looks like JB-2026-7KQ4M2ZRT (no 0, O, 1 or I)")]
    Shape,
    #[error("the ticket code has a mistyped character (its check character does not match)")]
    CheckCharacter,
    #[error("ticket codes are made for four-digit years only")]
    Year,
}

impl TicketError {
    pub fn zh(&self) -> &'static str {
        match self {
            TicketError::Shape => "查询码格式应为 JB-2026-7KQ4M2ZRT（不含 0、O、1、I）",
            TicketError::CheckCharacter => "查询码有输错的字符（校验位不符）",
            TicketError::Year => "查询码只能用于四位数年份",
        }
    }
}

fn alphabet_value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|a| *a == c).map(|p| p as u32)
}

fn ticket_check(year_digits: &[u8], chars: &[u8]) -> Option<u8> {
    let mut sum = 0u32;
    for (i, c) in year_digits.iter().enumerate() {
        if !c.is_ascii_digit() {
            return None;
        }
        sum += (2 * i as u32 + 1) * u32::from(c - b'0');
    }
    for (i, c) in chars.iter().enumerate() {
        sum += (2 * (i + year_digits.len()) as u32 + 1) * alphabet_value(*c)?;
    }
    ALPHABET.get((sum % 32) as usize).copied()
}

impl TicketCode {
    /// The code for a complaint registered in `year`, from the low 40 bits of `entropy` (give
    /// fresh random bits: the code must not be guessable from the case).
    pub fn new(year: i32, entropy: u64) -> Result<TicketCode, TicketError> {
        if !(1000..=9999).contains(&year) {
            return Err(TicketError::Year);
        }
        let year = year.to_string();
        let chars: Vec<u8> = (0..8)
            .map(|i| ALPHABET[((entropy >> (5 * (7 - i))) & 31) as usize])
            .collect();
        let check = ticket_check(year.as_bytes(), &chars).ok_or(TicketError::Shape)?;
        let mut code = format!("{TICKET_PREFIX}{year}-");
        code.extend(chars.iter().map(|c| char::from(*c)));
        code.push(char::from(check));
        Ok(TicketCode(code))
    }

    /// Reads a code as a person types it: surrounding blanks ignored, letters in either case.
    /// Refuses anything not of the shape, and any code whose check character does not match.
    pub fn parse(text: &str) -> Result<TicketCode, TicketError> {
        let t = text.trim().to_ascii_uppercase();
        let b = t.as_bytes();
        if b.len() != TICKET_LEN || !t.starts_with(TICKET_PREFIX) || b[7] != b'-' {
            return Err(TicketError::Shape);
        }
        let (year, chars, check) = (&b[3..7], &b[8..16], b[16]);
        if !year.iter().all(u8::is_ascii_digit)
            || year[0] == b'0'
            || !chars
                .iter()
                .chain([&check])
                .all(|c| alphabet_value(*c).is_some())
        {
            return Err(TicketError::Shape);
        }
        if ticket_check(year, chars) != Some(check) {
            return Err(TicketError::CheckCharacter);
        }
        Ok(TicketCode(t))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The year of registration the code carries.
    pub fn year(&self) -> i32 {
        self.0.get(3..7).and_then(|y| y.parse().ok()).unwrap_or(0)
    }
}

impl std::fmt::Display for TicketCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for TicketCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for TicketCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        TicketCode::parse(&text).map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------------
// The complainant's identity.

/// The complainant's identity as typed in (name, phone, ID number; all optional). Its `Debug`
/// prints `ComplainantInput(<sealed>)`, so an input logged by mistake leaks nothing.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ComplainantInput {
    pub name: String,
    pub phone: String,
    pub id_number: String,
}

impl std::fmt::Debug for ComplainantInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ComplainantInput(<sealed>)")
    }
}

/// The complainant's identity, sealed (domain.md §6, §11.3): it has no `Serialize`, its `Debug`
/// prints `SealedIdentity(<sealed>)`, and its contents are read only through
/// [`Complaint::identity_for`] (an account with the `sealed` permission over the complaint's
/// area) or [`SealedIdentity::expose_for_storage`] (the store, which keeps it apart).
#[derive(Clone, PartialEq, Eq)]
pub struct SealedIdentity {
    name: Option<String>,
    phone: Option<String>,
    id_number: Option<String>,
}

impl std::fmt::Debug for SealedIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealedIdentity(<sealed>)")
    }
}

/// An unsealed identity, borrowed for the moment it is shown. Its `Debug` is sealed too.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct IdentityView<'a> {
    pub name: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub id_number: Option<&'a str>,
}

impl std::fmt::Debug for IdentityView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdentityView(<sealed>)")
    }
}

impl SealedIdentity {
    /// Seals what the complainant gave: `None` when everything is blank (an anonymous
    /// complaint, which is allowed). The name is at most 50 characters, the phone 20 (digits,
    /// `+`, `-`, spaces, brackets), the ID number 18 (Latin letters and digits; not checked
    /// against GB 11643, since a complaint is not refused for a mistyped ID number).
    pub fn new(input: &ComplainantInput) -> Result<Option<SealedIdentity>, Refusal> {
        let name = clean(
            Field::ComplainantName,
            &input.name,
            MAX_PERSON_NAME,
            false,
            false,
        )?;
        let phone = clean(
            Field::ComplainantPhone,
            &input.phone,
            MAX_PHONE,
            false,
            false,
        )?;
        if let Some(p) = &phone
            && !p.chars().all(|c| c.is_ascii_digit() || "+- ()".contains(c))
        {
            return Err(invalid(
                Field::ComplainantPhone,
                Why::Characters {
                    allowed: PHONE_CHARS,
                },
            ));
        }
        let id_number = clean(
            Field::ComplainantIdNumber,
            &input.id_number,
            MAX_ID_NUMBER,
            false,
            false,
        )?;
        if let Some(id) = &id_number
            && !id.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(invalid(
                Field::ComplainantIdNumber,
                Why::Characters { allowed: ID_CHARS },
            ));
        }
        if name.is_none() && phone.is_none() && id_number.is_none() {
            return Ok(None);
        }
        Ok(Some(SealedIdentity {
            name,
            phone,
            id_number: id_number.map(|s| s.to_ascii_uppercase()),
        }))
    }

    /// The contents, for the store only (which keeps them apart from the complaint and under the
    /// same rule). Anything that shows them to a person goes through [`Complaint::identity_for`].
    pub fn expose_for_storage(&self) -> IdentityView<'_> {
        IdentityView {
            name: self.name.as_deref(),
            phone: self.phone.as_deref(),
            id_number: self.id_number.as_deref(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parameters, units, the accused.

/// The deadlines in force (domain.md §6 defaults; an administrator changes them per year and
/// region). Routing and handling are counted in working days on a [`Calendar`]; the review
/// window in calendar days from the reply, as the 信访 regulations count it (信访条例 art. 35:
/// 30 days from receiving the written answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    /// Working days from registration (or escalation) within which the case is routed.
    pub route_days: u32,
    /// Working days from registration within which a simple case is answered.
    pub simple_days: u32,
    /// Working days from registration within which a complex case is answered.
    pub complex_days: u32,
    /// Calendar days after the reply within which an unsatisfied complainant may ask for review.
    pub review_window_days: u32,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines {
            route_days: 1,
            simple_days: 15,
            complex_days: 60,
            review_window_days: 30,
        }
    }
}

impl Deadlines {
    /// The handling period for a case of this complexity.
    pub fn handling_days(&self, complexity: Complexity) -> u32 {
        match complexity {
            Complexity::Simple => self.simple_days,
            Complexity::Complex => self.complex_days,
        }
    }
}

/// A deadline: `working_days` working days after `from` ([`Calendar::add_working_days`]).
/// Kept as the period rather than the date, so a calendar corrected later (next year's holidays
/// are published in November) moves the date; the number of days is the one in force when the
/// clock started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    pub from: NaiveDate,
    pub working_days: u32,
}

impl Clock {
    /// The last day within the deadline (`None` beyond the representable dates).
    pub fn due(&self, calendar: &Calendar) -> Option<NaiveDate> {
        calendar.add_working_days(self.from, self.working_days)
    }

    /// Whether `today` is past the deadline.
    pub fn is_past(&self, today: NaiveDate, calendar: &Calendar) -> bool {
        self.due(calendar).is_some_and(|d| today > d)
    }
}

/// A competent unit (承办单位): its area and its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub area: AreaCode,
    pub name: String,
}

impl Unit {
    /// A unit with a name of at most 100 characters, without control characters.
    pub fn new(area: AreaCode, name: &str) -> Result<Unit, Refusal> {
        Ok(Unit {
            area,
            name: required(Field::UnitName, name, MAX_UNIT_NAME, false)?,
        })
    }
}

/// Whom the complaint accuses (all optional: a complaint may be about a matter).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accused {
    pub unit: Option<String>,
    /// The accused unit's area, when known: two units of the same name in areas that do not
    /// overlap are different units.
    pub unit_area: Option<AreaCode>,
    pub person: Option<String>,
    /// The unit the accused person works in.
    pub person_unit: Option<String>,
}

/// A unit's name reduced for comparison: full-width Latin letters, digits and signs made
/// half-width, letters lower-cased, blanks and punctuation removed, and the usual short forms
/// taken (人民政府 → 政府, 委员会 → 委, 村民委 → 村委). `（县）扶贫办 ` and `(县)扶贫办` compare
/// equal, and so do `牛佛镇人民政府` and `牛佛镇政府`.
pub fn normalise_unit_name(name: &str) -> String {
    let plain: String = name
        .chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| {
            !(c.is_whitespace()
                || c.is_ascii_punctuation()
                || "·、。，．“”‘’《》〈〉【】「」—–－…".contains(*c))
        })
        .map(|c| c.to_ascii_lowercase())
        .collect();
    plain
        .replace("人民政府", "政府")
        .replace("委员会", "委")
        .replace("村民委", "村委")
}

/// Whether two unit names designate the same unit for recusal: after normalisation, equal, or
/// one contains the other and the shorter has at least two characters ("牛佛镇" and
/// "牛佛镇人民政府"). Recusal errs on the side of refusing: the router picks another unit.
pub fn units_match(a: &str, b: &str) -> bool {
    let (a, b) = (normalise_unit_name(a), normalise_unit_name(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let (short, long) = if a.chars().count() <= b.chars().count() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    short == long || (short.chars().count() >= 2 && long.contains(short.as_str()))
}

impl Accused {
    /// The accused unit (or accused person's unit) that `unit` would be, if any: recusal
    /// (回避, domain.md §6). The accused unit matches by name unless its area is known and does
    /// not overlap the unit's area; the person's unit matches by name.
    pub fn conflicts_with(&self, unit: &Unit) -> Option<&str> {
        if let Some(accused) = &self.unit {
            let areas_overlap = self
                .unit_area
                .is_none_or(|a| a.contains(&unit.area) || unit.area.contains(&a));
            if areas_overlap && units_match(accused, &unit.name) {
                return Some(accused);
            }
        }
        self.person_unit
            .as_deref()
            .filter(|p| units_match(p, &unit.name))
    }
}

/// Why an account must keep away from a complaint (回避).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum RecusalReason {
    /// One of the account's areas is the accused unit's area or inside it.
    AccusedArea { area: AreaCode },
    /// The account's holder is the accused person (by name or login).
    AccusedPerson,
}

impl RecusalReason {
    pub fn en(&self) -> String {
        match self {
            RecusalReason::AccusedArea { area } => {
                format!("within the accused unit's area {area}")
            }
            RecusalReason::AccusedPerson => "the accused person's".into(),
        }
    }

    pub fn zh(&self) -> String {
        match self {
            RecusalReason::AccusedArea { area } => format!("属于被举报单位辖区 {area}"),
            RecusalReason::AccusedPerson => "为被举报人本人".into(),
        }
    }
}

/// A person's name reduced for comparison: blanks (also full-width) and the middle dot removed,
/// Latin letters lower-cased. "张 三丰" and "张三丰" are one name.
pub fn normalise_person_name(name: &str) -> String {
    name.chars()
        .filter(|c| !(c.is_whitespace() || "·•・.".contains(*c)))
        .flat_map(char::to_lowercase)
        .collect()
}

impl Accused {
    /// Why `account` must keep away from a complaint with this accused, if it must: one of its
    /// areas (in force or not: recusal errs on the side of refusing) is the accused unit's area
    /// or inside it, or its name or login is the accused person's.
    pub fn recuses(&self, account: &Account) -> Option<RecusalReason> {
        if let Some(area) = self.unit_area
            && account.assignments.iter().any(|a| area.contains(&a.area))
        {
            return Some(RecusalReason::AccusedArea { area });
        }
        let person = normalise_person_name(self.person.as_deref().unwrap_or(""));
        if !person.is_empty()
            && (normalise_person_name(&account.name) == person
                || normalise_person_name(account.login.as_str()) == person)
        {
            return Some(RecusalReason::AccusedPerson);
        }
        None
    }
}

/// Whether `account` must keep away from `complaint` (回避): it may not read it (the case does
/// not exist for it), route it, handle it or take any other act on it. See
/// [`Accused::recuses`].
pub fn recused(account: &Account, complaint: &Complaint) -> bool {
    complaint.accused.recuses(account).is_some()
}

// ---------------------------------------------------------------------------------------------
// Roles (domain.md §1).

/// The roles that register complaints received by an office: discipline officers (纪委监委),
/// county poverty offices and township offices. The public files through the web portal
/// without an account ([`Actor::Public`]). An administrator does not take case steps
/// (separation of duties, as in [`crate::procedure`]).
pub const REGISTER_ROLES: &[Role] = &[
    Role::DisciplineOfficer,
    Role::CountyOfficer,
    Role::TownshipReviewer,
];

/// The roles that route (转办) and close: discipline officers and county offices, the bodies
/// that run the complaint desks (12317, 12380).
pub const ROUTE_ROLES: &[Role] = &[Role::DisciplineOfficer, Role::CountyOfficer];

/// The roles that record the handling (verification, finding, action, reply) for a unit within
/// their area.
pub const HANDLE_ROLES: &[Role] = &[
    Role::DisciplineOfficer,
    Role::CountyOfficer,
    Role::TownshipReviewer,
];

fn holds(account: &Account, roles: &[Role], area: &AreaCode, day: NaiveDate) -> bool {
    account
        .active(day)
        .any(|a| roles.contains(&a.role) && a.area.contains(area))
}

/// Whether `account` may register a complaint about `area` on `day`.
pub fn may_register(account: &Account, area: &AreaCode, day: NaiveDate) -> bool {
    holds(account, REGISTER_ROLES, area, day)
}

/// Whether `account` may route (and close) a complaint owned by `area` on `day`.
pub fn may_route(account: &Account, area: &AreaCode, day: NaiveDate) -> bool {
    holds(account, ROUTE_ROLES, area, day)
}

/// Whether `account` may record the handling of a complaint handled in `area` on `day`.
pub fn may_handle(account: &Account, area: &AreaCode, day: NaiveDate) -> bool {
    holds(account, HANDLE_ROLES, area, day)
}

/// The roles that read complaints (never their complainants' identities, which need the
/// `sealed` permission as well, [`Complaint::identity_for`]): those that register, route or
/// handle them, leaders (the daily digest and the statistics) and administrators. Village
/// clerks, inspectors and finance officers do not: a village committee is often what a
/// complaint accuses.
pub const VIEW_ROLES: &[Role] = &[
    Role::DisciplineOfficer,
    Role::CountyOfficer,
    Role::TownshipReviewer,
    Role::Leader,
    Role::Admin,
];

/// Whether `account` may read a complaint listed under `area` on `day` (see
/// [`Complaint::listed_area`]).
pub fn may_view(account: &Account, area: &AreaCode, day: NaiveDate) -> bool {
    account
        .active(day)
        .any(|a| VIEW_ROLES.contains(&a.role) && (a.role == Role::Admin || a.area.contains(area)))
}

/// Who acts: the public (the complainant on the public site or with the ticket code, no
/// account), or an officer.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    Public,
    Officer(&'a Account),
}

impl Actor<'_> {
    fn login(&self) -> String {
        match self {
            Actor::Public => "public".into(),
            Actor::Officer(a) => a.login.as_str().to_string(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The complaint.

/// A new complaint as typed in (text fields; blank means not given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComplaint {
    pub channel: Channel,
    /// Where the matter is (an area code of 2, 4, 6, 9 or 12 digits). Required.
    pub subject_area: String,
    /// What is complained of. Required, at most 4000 characters.
    pub content: String,
    pub accused_unit: String,
    pub accused_unit_area: String,
    pub accused_person: String,
    pub accused_person_unit: String,
    /// Catalogue item codes or corruption types (may be given later, see
    /// [`Complaint::classify`]).
    pub classes: Vec<String>,
    pub complainant: ComplainantInput,
}

impl NewComplaint {
    /// A complaint with only the required fields filled in.
    pub fn new(channel: Channel, subject_area: &str, content: &str) -> NewComplaint {
        NewComplaint {
            channel,
            subject_area: subject_area.into(),
            content: content.into(),
            accused_unit: String::new(),
            accused_unit_area: String::new(),
            accused_person: String::new(),
            accused_person_unit: String::new(),
            classes: Vec::new(),
            complainant: ComplainantInput::default(),
        }
    }

    /// Every problem with the input, in field order (empty when it can be registered).
    pub fn problems(&self) -> Vec<Refusal> {
        let mut out = Vec::new();
        let mut note = |r: Result<(), Refusal>| {
            if let Err(e) = r {
                out.push(e);
            }
        };
        note(required(Field::Content, &self.content, MAX_CONTENT, true).map(drop));
        note(match area(Field::SubjectArea, &self.subject_area) {
            Ok(None) => Err(invalid(Field::SubjectArea, Why::Required)),
            r => r.map(drop),
        });
        note(self.accused().map(drop));
        note(parse_classes(&self.classes).map(drop));
        note(SealedIdentity::new(&self.complainant).map(drop));
        out
    }

    fn accused(&self) -> Result<Accused, Refusal> {
        Ok(Accused {
            unit: clean(
                Field::AccusedUnit,
                &self.accused_unit,
                MAX_UNIT_NAME,
                false,
                false,
            )?,
            unit_area: area(Field::AccusedUnitArea, &self.accused_unit_area)?,
            person: clean(
                Field::AccusedPerson,
                &self.accused_person,
                MAX_PERSON_NAME,
                false,
                false,
            )?,
            person_unit: clean(
                Field::AccusedPersonUnit,
                &self.accused_person_unit,
                MAX_UNIT_NAME,
                false,
                false,
            )?,
        })
    }
}

fn parse_classes(codes: &[String]) -> Result<Vec<ProblemClass>, Refusal> {
    let codes: Vec<&str> = codes
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    if codes.len() > MAX_CLASSES {
        return Err(invalid(Field::Classes, Why::TooMany { max: MAX_CLASSES }));
    }
    let mut out: Vec<ProblemClass> = Vec::new();
    for code in codes {
        let class = ProblemClass::parse(code).ok_or_else(|| {
            invalid(
                Field::Classes,
                Why::UnknownClass {
                    code: code.chars().take(40).collect(),
                },
            )
        })?;
        if !out.contains(&class) {
            out.push(class);
        }
    }
    Ok(out)
}

/// A record of the handling: when, by whom, what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub on: NaiveDate,
    pub by: String,
    pub text: String,
}

/// A routing (转办), kept in the complaint's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Routing {
    pub on: NaiveDate,
    pub by: String,
    pub unit: Unit,
    pub complexity: Complexity,
    /// Routed after the routing deadline (allowed, and shown as overdue).
    pub late: bool,
}

/// An escalation to the level above.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalation {
    pub on: NaiveDate,
    /// The area that let the deadline pass.
    pub from: AreaCode,
    /// The area above it, which takes the case over.
    pub to: AreaCode,
    pub level: AreaLevel,
    /// The deadline that passed.
    pub due: NaiveDate,
}

/// How a round of handling began.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundKind {
    /// From registration.
    Original,
    /// Taken over by the level above after a deadline passed.
    Escalated,
    /// Reviewed by the level above at the complainant's request (复查).
    Review,
}

/// One round of handling: where, by which unit, and what it recorded. A complaint has one round,
/// plus one per escalation and one for a review; only the last is open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Round {
    pub kind: RoundKind,
    pub opened_on: NaiveDate,
    /// Where the round is handled: the owner's area until routed, then the unit's; for a
    /// review, the level above the one that answered.
    pub area: AreaCode,
    /// The unit it was routed to (none until routed, and none for a review, which the level
    /// above handles itself).
    pub unit: Option<Unit>,
    /// The routing deadline (none for a review).
    pub route_clock: Option<Clock>,
    /// The handling deadline: the reply is due by then.
    pub handling_clock: Clock,
    pub verification: Option<Entry>,
    pub finding: Option<Finding>,
    pub action: Option<Entry>,
    pub reply: Option<Entry>,
    pub satisfaction: Option<(Satisfaction, NaiveDate)>,
}

/// One complaint. Build it with [`Complaint::register`]; every other change goes through its
/// transitions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Complaint {
    pub ticket: TicketCode,
    pub channel: Channel,
    pub registered_on: NaiveDate,
    /// The login of the officer who registered it (`None`: the public site).
    pub registered_by: Option<String>,
    pub subject_area: AreaCode,
    pub content: String,
    pub accused: Accused,
    /// The complainant's identity, sealed (`None`: anonymous). Never serialised with the
    /// complaint.
    #[serde(skip)]
    pub identity: Option<SealedIdentity>,
    /// Whether an identity was given (it stays sealed apart): kept with the complaint so a
    /// complaint read back from storage, without its identity, still knows it is not
    /// anonymous.
    #[serde(default)]
    pub identified: bool,
    pub classes: Vec<ProblemClass>,
    pub state: ComplaintState,
    pub complexity: Complexity,
    /// The body in charge of the case, which routes and closes it: the registering office, or
    /// after an escalation the level above.
    pub owner_area: AreaCode,
    pub routings: Vec<Routing>,
    /// The current round of handling.
    pub round: Round,
    /// The rounds before it (overdue rounds that were escalated, the round that was reviewed),
    /// oldest first.
    pub earlier_rounds: Vec<Round>,
    pub escalations: Vec<Escalation>,
    /// The complainant's request for review, with its reason.
    pub review_request: Option<Entry>,
    pub closed_on: Option<NaiveDate>,
    /// The day of the last act: no act may be dated before it.
    pub last_on: NaiveDate,
}

/// What a ticket holder sees on the public site: where the case stands and the reply, nothing
/// of its content or of whom it concerns. The reply is written to the complainant, who may be
/// anonymous and then reads it here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicStatus<'a> {
    pub ticket: &'a str,
    pub state: ComplaintState,
    pub registered_on: NaiveDate,
    /// The day the reply is due, while one is awaited.
    pub reply_due: Option<NaiveDate>,
    pub replied_on: Option<NaiveDate>,
    pub reply: Option<&'a str>,
    /// Until when a review may be asked for, when the complainant was unsatisfied.
    pub review_until: Option<NaiveDate>,
}

/// The county an area belongs to (the area itself at county level or above).
fn county_of(area: &AreaCode) -> AreaCode {
    if area.level() > AreaLevel::County {
        area.as_str()
            .get(..6)
            .and_then(|p| AreaCode::parse_short(p).ok())
            .unwrap_or(*area)
    } else {
        *area
    }
}

impl Complaint {
    /// Registers a complaint on `on` (the day it is received: "registered the same day").
    ///
    /// An officer registers for an area within one of their assignments in force with a role of
    /// [`REGISTER_ROLES`], and the case is owned by that assignment's area (the deepest, if
    /// several). The public registers through the web channel only, and the case is owned by
    /// the county of the subject area. The ticket is made from `entropy`; the handling deadline
    /// starts as a simple case's and is set by the routing.
    pub fn register(
        input: &NewComplaint,
        by: Actor<'_>,
        on: NaiveDate,
        entropy: u64,
        deadlines: &Deadlines,
    ) -> Result<Complaint, Refusal> {
        if let Some(first) = input.problems().into_iter().next() {
            return Err(first);
        }
        let content = required(Field::Content, &input.content, MAX_CONTENT, true)?;
        let subject_area = area(Field::SubjectArea, &input.subject_area)?
            .ok_or(invalid(Field::SubjectArea, Why::Required))?;
        let accused = input.accused()?;
        let classes = parse_classes(&input.classes)?;
        let identity = SealedIdentity::new(&input.complainant)?;
        let owner_area = match by {
            Actor::Public => {
                if input.channel != Channel::Web {
                    return Err(Refusal::PublicChannel);
                }
                county_of(&subject_area)
            }
            Actor::Officer(account) => account
                .active(on)
                .filter(|a| REGISTER_ROLES.contains(&a.role) && a.area.contains(&subject_area))
                .map(|a| a.area)
                .max_by_key(|a| a.level())
                .ok_or(Refusal::NotAllowed { act: Act::Register })?,
        };
        // Recusal: an office within the accused unit's area does not keep the case; the level
        // above the accused unit does.
        let owner_area = match accused.unit_area {
            Some(a) if a.contains(&owner_area) => a.parent().unwrap_or(a),
            _ => owner_area,
        };
        let ticket = TicketCode::new(on.year(), entropy).map_err(|_| Refusal::DateOutOfRange)?;
        Ok(Complaint {
            ticket,
            channel: input.channel,
            registered_on: on,
            registered_by: match by {
                Actor::Public => None,
                Actor::Officer(a) => Some(a.login.as_str().to_string()),
            },
            subject_area,
            content,
            accused,
            identified: identity.is_some(),
            identity,
            classes,
            state: ComplaintState::Registered,
            complexity: Complexity::Simple,
            owner_area,
            routings: Vec::new(),
            round: Round {
                kind: RoundKind::Original,
                opened_on: on,
                area: owner_area,
                unit: None,
                route_clock: Some(Clock {
                    from: on,
                    working_days: deadlines.route_days,
                }),
                handling_clock: Clock {
                    from: on,
                    working_days: deadlines.simple_days,
                },
                verification: None,
                finding: None,
                action: None,
                reply: None,
                satisfaction: None,
            },
            earlier_rounds: Vec::new(),
            escalations: Vec::new(),
            review_request: None,
            closed_on: None,
            last_on: on,
        })
    }

    /// The current round of handling.
    pub fn round(&self) -> &Round {
        &self.round
    }

    fn round_mut(&mut self) -> &mut Round {
        &mut self.round
    }

    /// Every round, oldest first, the current one last.
    pub fn rounds(&self) -> impl Iterator<Item = &Round> {
        self.earlier_rounds
            .iter()
            .chain(std::iter::once(&self.round))
    }

    fn open_round(&mut self, round: Round) {
        let done = std::mem::replace(&mut self.round, round);
        self.earlier_rounds.push(done);
    }

    /// Whether the complaint is anonymous (no identity given).
    pub fn is_anonymous(&self) -> bool {
        self.identity.is_none() && !self.identified
    }

    /// The complainant's identity, for an account holding the `sealed` permission over the
    /// complaint's subject area on `day` (domain.md §6). `Ok(None)` for an anonymous complaint.
    /// The caller records the reading in the audit log.
    pub fn identity_for(
        &self,
        account: &Account,
        day: NaiveDate,
    ) -> Result<Option<IdentityView<'_>>, Refusal> {
        let allowed = account.may_unseal(day)
            && account
                .active(day)
                .any(|a| a.sealed && a.area.contains(&self.subject_area));
        if !allowed {
            return Err(Refusal::NotAllowed { act: Act::Unseal });
        }
        self.not_recused(account)?;
        Ok(self
            .identity
            .as_ref()
            .map(SealedIdentity::expose_for_storage))
    }

    /// The day the current round must be routed by, while it waits to be routed.
    pub fn route_due(&self, calendar: &Calendar) -> Option<NaiveDate> {
        if !matches!(
            self.state,
            ComplaintState::Registered | ComplaintState::Escalated
        ) {
            return None;
        }
        self.round().route_clock?.due(calendar)
    }

    /// Whether routing is late on `today` (the case waits to be routed past its deadline).
    pub fn is_route_overdue(&self, today: NaiveDate, calendar: &Calendar) -> bool {
        self.route_due(calendar).is_some_and(|d| today > d)
    }

    /// The day the reply is due, while one is awaited.
    pub fn handling_due(&self, calendar: &Calendar) -> Option<NaiveDate> {
        if !self.state.awaits_reply() {
            return None;
        }
        self.round().handling_clock.due(calendar)
    }

    /// Whether the case is past its handling deadline on `today` without a reply.
    pub fn is_overdue(&self, today: NaiveDate, calendar: &Calendar) -> bool {
        self.handling_due(calendar).is_some_and(|d| today > d)
    }

    /// Whether the case must go to the level above on `today`: overdue, not replied, and there
    /// is a level above the area handling it (a province-level case stays overdue).
    pub fn escalation_due(&self, today: NaiveDate, calendar: &Calendar) -> bool {
        self.is_overdue(today, calendar) && self.round().area.parent().is_some()
    }

    /// Where the case is listed for reading ([`may_view`]): the deeper of the owner's area and
    /// the area of the current round. Before routing that is the office in charge; once routed,
    /// the competent unit's area (the office above it still reaches it); after an escalation
    /// the level above. An account below it (another township, the accused township when the
    /// case went elsewhere) does not see the case at all.
    pub fn listed_area(&self) -> AreaCode {
        let (owner, round) = (self.owner_area, self.round().area);
        if owner.contains(&round) { round } else { owner }
    }

    /// What a ticket holder sees.
    pub fn public_status(&self, calendar: &Calendar, deadlines: &Deadlines) -> PublicStatus<'_> {
        let reply = self
            .round()
            .reply
            .as_ref()
            .filter(|_| !self.state.awaits_reply());
        PublicStatus {
            ticket: self.ticket.as_str(),
            state: self.state,
            registered_on: self.registered_on,
            reply_due: self.handling_due(calendar),
            replied_on: reply.map(|r| r.on),
            reply: reply.map(|r| r.text.as_str()),
            review_until: self.review_until(deadlines),
        }
    }

    /// Refuses an account that must keep away from this complaint ([`recused`]).
    fn not_recused(&self, account: &Account) -> Result<(), Refusal> {
        match self.accused.recuses(account) {
            Some(reason) => Err(Refusal::Recused { reason }),
            None => Ok(()),
        }
    }

    fn was_reviewed(&self) -> bool {
        self.review_request.is_some()
    }

    fn check_date(&self, on: NaiveDate) -> Result<(), Refusal> {
        if on < self.last_on {
            return Err(Refusal::DateBeforeLast { last: self.last_on });
        }
        Ok(())
    }

    fn wrong_state(&self, act: Act) -> Refusal {
        Refusal::WrongState {
            state: self.state,
            act,
        }
    }

    /// Routes (转办) the case to a competent unit, as simple or complex (which sets the handling
    /// deadline: registration, or escalation, plus the days of [`Deadlines`]).
    ///
    /// Allowed while the case waits to be routed, and to route it again while the unit has not
    /// started (it may answer that it is not competent). By a [`ROUTE_ROLES`] account over the
    /// case's owner, to a unit within its reach. Refused for the accused unit or the accused
    /// person's unit ([`Refusal::Recusal`], domain.md §6). Routing after the routing deadline is
    /// allowed and recorded as late. Returns whether it was late.
    pub fn route(
        &mut self,
        account: &Account,
        on: NaiveDate,
        unit: Unit,
        complexity: Complexity,
        deadlines: &Deadlines,
        calendar: &Calendar,
    ) -> Result<bool, Refusal> {
        use ComplaintState::*;
        if !matches!(self.state, Registered | Routed | Escalated) {
            return Err(self.wrong_state(Act::Route));
        }
        self.check_date(on)?;
        if !may_route(account, &self.owner_area, on) {
            return Err(Refusal::NotAllowed { act: Act::Route });
        }
        self.not_recused(account)?;
        if !account.may_reach(&unit.area, on) {
            return Err(Refusal::UnitOutOfReach { area: unit.area });
        }
        if let Some(area) = self.accused.unit_area
            && area.contains(&unit.area)
        {
            return Err(Refusal::RecusalArea {
                unit: unit.name.clone(),
                unit_area: unit.area,
                accused: self.accused.unit.clone().unwrap_or_default(),
                area,
            });
        }
        if let Some(accused) = self.accused.conflicts_with(&unit) {
            return Err(Refusal::Recusal {
                unit: unit.name.clone(),
                accused: accused.to_string(),
            });
        }
        let round = self.round();
        let route_due = match round.route_clock {
            Some(c) => Some(c.due(calendar).ok_or(Refusal::DateOutOfRange)?),
            None => None,
        };
        let handling_clock = Clock {
            from: round.handling_clock.from,
            working_days: deadlines.handling_days(complexity),
        };
        handling_clock
            .due(calendar)
            .ok_or(Refusal::DateOutOfRange)?;
        // A re-routing keeps the first routing's verdict: the deadline was met or not by then.
        let late = match (self.state, self.routings.last()) {
            (Routed, Some(previous)) => previous.late,
            _ => route_due.is_some_and(|d| on > d),
        };
        self.routings.push(Routing {
            on,
            by: account.login.as_str().to_string(),
            unit: unit.clone(),
            complexity,
            late,
        });
        self.complexity = complexity;
        let round = self.round_mut();
        round.area = unit.area;
        round.unit = Some(unit);
        round.handling_clock = handling_clock;
        self.state = Routed;
        self.last_on = on;
        Ok(late)
    }

    /// Checks the date and that `account` may record `act` for the area handling the round.
    fn handling_account(&self, account: &Account, on: NaiveDate, act: Act) -> Result<(), Refusal> {
        self.check_date(on)?;
        if !may_handle(account, &self.round().area, on) {
            return Err(Refusal::NotAllowed { act });
        }
        self.not_recused(account)
    }

    /// Records the verification (核查情况) by the unit: the case is then being handled. Once per
    /// round.
    pub fn verify(&mut self, account: &Account, on: NaiveDate, note: &str) -> Result<(), Refusal> {
        use ComplaintState::*;
        match self.state {
            Routed | UnderReview if self.round().verification.is_none() => {}
            Routed | Handling | UnderReview => {
                return Err(Refusal::AlreadyRecorded { what: Act::Verify });
            }
            Registered | Escalated => return Err(Refusal::MissingStep { needed: Act::Route }),
            Replied | Closed => return Err(self.wrong_state(Act::Verify)),
        }
        self.handling_account(account, on, Act::Verify)?;
        let text = required(Field::Verification, note, MAX_RECORD, true)?;
        let by = account.login.as_str().to_string();
        self.round_mut().verification = Some(Entry { on, by, text });
        if self.state == Routed {
            self.state = Handling;
        }
        self.last_on = on;
        Ok(())
    }

    /// Records the finding (属实, 部分属实, 不属实) and the action taken (处理措施: for an
    /// unsubstantiated complaint, the clarification). After the verification; once per round.
    pub fn record_finding(
        &mut self,
        account: &Account,
        on: NaiveDate,
        finding: Finding,
        action: &str,
    ) -> Result<(), Refusal> {
        self.require_verified(Act::RecordFinding)?;
        if self.round().finding.is_some() {
            return Err(Refusal::AlreadyRecorded {
                what: Act::RecordFinding,
            });
        }
        self.handling_account(account, on, Act::RecordFinding)?;
        let text = required(Field::Action, action, MAX_RECORD, true)?;
        let by = account.login.as_str().to_string();
        let round = self.round_mut();
        round.finding = Some(finding);
        round.action = Some(Entry { on, by, text });
        self.last_on = on;
        Ok(())
    }

    fn require_verified(&self, act: Act) -> Result<(), Refusal> {
        use ComplaintState::*;
        match self.state {
            Registered | Escalated => Err(Refusal::MissingStep { needed: Act::Route }),
            Routed => Err(Refusal::MissingStep {
                needed: Act::Verify,
            }),
            UnderReview if self.round().verification.is_none() => Err(Refusal::MissingStep {
                needed: Act::Verify,
            }),
            Handling | UnderReview => Ok(()),
            Replied | Closed => Err(self.wrong_state(act)),
        }
    }

    /// Answers the complainant (答复): after the finding and action. The case is then replied.
    pub fn reply(&mut self, account: &Account, on: NaiveDate, text: &str) -> Result<(), Refusal> {
        self.require_verified(Act::Reply)?;
        if self.round().finding.is_none() {
            return Err(Refusal::MissingStep {
                needed: Act::RecordFinding,
            });
        }
        self.handling_account(account, on, Act::Reply)?;
        let text = required(Field::Reply, text, MAX_RECORD, true)?;
        let by = account.login.as_str().to_string();
        self.round_mut().reply = Some(Entry { on, by, text });
        self.state = ComplaintState::Replied;
        self.last_on = on;
        Ok(())
    }

    /// Records the complainant's satisfaction with the reply, once per reply: by the complainant
    /// (the public, with the ticket code) or by an officer handling the case who asked them.
    pub fn record_satisfaction(
        &mut self,
        by: Actor<'_>,
        on: NaiveDate,
        satisfaction: Satisfaction,
    ) -> Result<(), Refusal> {
        if !matches!(self.state, ComplaintState::Replied | ComplaintState::Closed) {
            return Err(Refusal::MissingStep { needed: Act::Reply });
        }
        if self.round().satisfaction.is_some() {
            return Err(Refusal::AlreadyRecorded {
                what: Act::RecordSatisfaction,
            });
        }
        self.check_date(on)?;
        if let Actor::Officer(account) = by {
            if !may_handle(account, &self.round().area, on)
                && !may_route(account, &self.owner_area, on)
            {
                return Err(Refusal::NotAllowed {
                    act: Act::RecordSatisfaction,
                });
            }
            self.not_recused(account)?;
        }
        self.round_mut().satisfaction = Some((satisfaction, on));
        self.last_on = on;
        Ok(())
    }

    /// Closes (办结) a replied case, by its owner or its handler. Refused without a reply:
    /// "事事有回音" ([`Refusal::NoReply`]).
    pub fn close(&mut self, account: &Account, on: NaiveDate) -> Result<(), Refusal> {
        match self.state {
            ComplaintState::Replied => {}
            ComplaintState::Closed => return Err(self.wrong_state(Act::Close)),
            _ => return Err(Refusal::NoReply),
        }
        self.check_date(on)?;
        if !may_route(account, &self.owner_area, on) && !may_handle(account, &self.round().area, on)
        {
            return Err(Refusal::NotAllowed { act: Act::Close });
        }
        self.not_recused(account)?;
        self.state = ComplaintState::Closed;
        self.closed_on = Some(on);
        self.last_on = on;
        Ok(())
    }

    /// The last day a review may be asked for, when the complainant is unsatisfied with the
    /// reply and no review was held.
    pub fn review_until(&self, deadlines: &Deadlines) -> Option<NaiveDate> {
        let round = self.round();
        if self.was_reviewed()
            || !matches!(round.satisfaction, Some((Satisfaction::Unsatisfied, _)))
        {
            return None;
        }
        round
            .reply
            .as_ref()?
            .on
            .checked_add_days(Days::new(u64::from(deadlines.review_window_days)))
    }

    /// The complainant, unsatisfied with the reply, asks for review (复查) within the window:
    /// handling reopens at the level above the area that answered, with a new handling deadline
    /// from today. By the complainant (the public, with the ticket) or an officer recording the
    /// request for them. Once per complaint.
    pub fn request_review(
        &mut self,
        by: Actor<'_>,
        on: NaiveDate,
        reason: &str,
        deadlines: &Deadlines,
        calendar: &Calendar,
    ) -> Result<(), Refusal> {
        if !matches!(self.state, ComplaintState::Replied | ComplaintState::Closed) {
            return Err(self.wrong_state(Act::RequestReview));
        }
        if self.was_reviewed() {
            return Err(Refusal::AlreadyReviewed);
        }
        if !matches!(
            self.round().satisfaction,
            Some((Satisfaction::Unsatisfied, _))
        ) {
            return Err(Refusal::NotUnsatisfied);
        }
        self.check_date(on)?;
        let until = self
            .review_until(deadlines)
            .ok_or(Refusal::DateOutOfRange)?;
        if on > until {
            return Err(Refusal::ReviewWindowPassed { until });
        }
        if let Actor::Officer(account) = by {
            if !may_register(account, &self.subject_area, on) {
                return Err(Refusal::NotAllowed {
                    act: Act::RequestReview,
                });
            }
            self.not_recused(account)?;
        }
        let area = self.round().area;
        let above = area.parent().ok_or(Refusal::NoLevelAbove { area })?;
        let text = required(Field::ReviewReason, reason, MAX_RECORD, true)?;
        let handling_clock = Clock {
            from: on,
            working_days: deadlines.handling_days(self.complexity),
        };
        handling_clock
            .due(calendar)
            .ok_or(Refusal::DateOutOfRange)?;
        self.open_round(Round {
            kind: RoundKind::Review,
            opened_on: on,
            area: above,
            unit: None,
            route_clock: None,
            handling_clock,
            verification: None,
            finding: None,
            action: None,
            reply: None,
            satisfaction: None,
        });
        self.review_request = Some(Entry {
            on,
            by: by.login(),
            text,
        });
        self.state = ComplaintState::UnderReview;
        self.closed_on = None;
        self.last_on = on;
        Ok(())
    }

    /// Sends an overdue case to the level above (提级, domain.md §6): allowed when
    /// [`Complaint::escalation_due`] holds on `on`. The area above the one handling the case
    /// takes it over as its owner and routes it again; a new round begins with the routing and
    /// handling deadlines counted from `on`. What the overdue round recorded stays in its
    /// history. Returns the escalation, which names the area and level above.
    ///
    /// Not an account's act: the platform's daily run calls it for every case that is due.
    pub fn escalate(
        &mut self,
        on: NaiveDate,
        deadlines: &Deadlines,
        calendar: &Calendar,
    ) -> Result<Escalation, Refusal> {
        if !self.state.awaits_reply() {
            return Err(self.wrong_state(Act::Escalate));
        }
        self.check_date(on)?;
        let from = self.round().area;
        let due = self
            .round()
            .handling_clock
            .due(calendar)
            .ok_or(Refusal::DateOutOfRange)?;
        if on <= due {
            return Err(Refusal::NotOverdue { due });
        }
        let to = from.parent().ok_or(Refusal::NoLevelAbove { area: from })?;
        let route_clock = Clock {
            from: on,
            working_days: deadlines.route_days,
        };
        let handling_clock = Clock {
            from: on,
            working_days: deadlines.handling_days(self.complexity),
        };
        route_clock.due(calendar).ok_or(Refusal::DateOutOfRange)?;
        handling_clock
            .due(calendar)
            .ok_or(Refusal::DateOutOfRange)?;
        self.open_round(Round {
            kind: RoundKind::Escalated,
            opened_on: on,
            area: to,
            unit: None,
            route_clock: Some(route_clock),
            handling_clock,
            verification: None,
            finding: None,
            action: None,
            reply: None,
            satisfaction: None,
        });
        self.owner_area = to;
        self.state = ComplaintState::Escalated;
        self.last_on = on;
        let escalation = Escalation {
            on,
            from,
            to,
            level: to.level(),
            due,
        };
        self.escalations.push(escalation.clone());
        Ok(escalation)
    }

    /// Sets the classes (catalogue items, corruption types), replacing those given before. By
    /// the owner or the handler, until the case is closed.
    pub fn classify(
        &mut self,
        account: &Account,
        on: NaiveDate,
        codes: &[String],
    ) -> Result<(), Refusal> {
        if self.state == ComplaintState::Closed {
            return Err(self.wrong_state(Act::Classify));
        }
        self.check_date(on)?;
        if !may_route(account, &self.owner_area, on) && !may_handle(account, &self.round().area, on)
        {
            return Err(Refusal::NotAllowed { act: Act::Classify });
        }
        self.not_recused(account)?;
        self.classes = parse_classes(codes)?;
        self.last_on = on;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
