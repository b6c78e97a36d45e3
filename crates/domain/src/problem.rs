//! What is wrong with a value, said in Chinese and in English.
//!
//! A [`Problem`] never carries the offending value itself (the caller knows the value and the
//! place); it says *why* the value is refused, so a clerk can fix it.

use thiserror::Error;

/// Why a value, a row or a file was refused. `Display` is the English text; [`Problem::zh`]
/// gives the Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Problem {
    #[error("required value is missing")]
    Required,
    #[error("longer than {max} characters")]
    TooLong { max: usize },
    #[error("contains a control character")]
    ControlCharacter,
    #[error("ID number must have 18 characters, found {found}")]
    IdLength { found: usize },
    #[error("ID number must be 17 digits followed by a digit or X")]
    IdCharacters,
    #[error("ID number starts with an unknown province code {code}")]
    IdProvince { code: String },
    #[error("ID number holds an impossible birth date")]
    IdBirthDate,
    #[error("ID number's birth date is in the future")]
    IdBirthInFuture,
    #[error("check character should be {expected}")]
    IdCheckCharacter { expected: char },
    #[error("does not agree with the ID number, which says {expected}")]
    DisagreesWithId { expected: String },
    #[error("not one of: {allowed}")]
    NotInList { allowed: String },
    #[error("not a yes/no value (是/否, true/false, 1/0, Y/N)")]
    NotBoolean,
    #[error("not a year (four digits)")]
    NotYear,
    #[error("year must be between {min} and {max}")]
    YearOutOfRange { min: i32, max: i32 },
    #[error("not a date (YYYY-MM-DD, YYYY/M/D, YYYY.M.D, YYYYMMDD or YYYY年M月D日)")]
    NotDate,
    #[error("date is in the future")]
    DateInFuture,
    #[error("not an amount in yuan (digits, at most 2 decimals, no separators)")]
    NotMoney,
    #[error("not a number (digits, at most 2 decimals, no separators)")]
    NotDecimal,
    #[error("this lead is {state} and cannot be verified again")]
    LeadNotOpen { state: String },
    #[error("someone else changed this record meanwhile; reload it and try again")]
    EditConflict,
    #[error("amount is out of range")]
    MoneyOutOfRange,
    #[error("not a phone number (11-digit mobile or area code and number)")]
    NotPhone,
    #[error("household number may only hold letters, digits and '-' (1 to 40 characters)")]
    BadHouseholdId,
    #[error("not a 12-digit area code")]
    NotAreaCode,
    #[error("no village with this code is known to the platform")]
    UnknownVillage,
    /// The village (or the stored household) is outside the importing account's area.
    #[error("outside the area of this account")]
    OutsideYourArea,
    #[error("this code is a {level}, not a village")]
    NotAVillage { level: String },
    #[error("this code is a {found}, the file holds {expected} codes")]
    WrongLevel { found: String, expected: String },
    #[error("the parent code should be {expected}")]
    ParentMismatch { expected: String },
    #[error("no area with this code is known to the platform")]
    UnknownArea,
    #[error("must not be negative")]
    Negative,
    #[error("not a whole number")]
    NotInteger,
    #[error("give all five income components or none")]
    IncomeComponentsIncomplete,
    #[error("the income components add up to {sum} yuan, not the net income given")]
    IncomeComponentsDisagree { sum: String },
    #[error("a removal reason is only for a removed household")]
    RemovalReasonWithoutRemoval,
    #[error("months must be a whole number from 0 to 12")]
    MonthsOutOfRange,
    #[error("date of death is before the date of birth")]
    DeathBeforeBirth,
    #[error("this role is bound to a {expected} area, not a {found} one")]
    RoleNeedsLevel { expected: String, found: String },
    #[error("the period ends before it starts")]
    PeriodReversed,
    #[error("only discipline officers may hold the sealed permission")]
    SealedOnlyForDiscipline,
    #[error("a login has 3 to 32 lower-case letters, digits, '.', '_' or '-'")]
    BadLogin,
    #[error("a password needs at least {min} characters")]
    PasswordTooShort { min: usize },
    #[error("the password must not contain the login")]
    PasswordContainsLogin,
    #[error("no household with this number in the file or the registry")]
    UnknownHousehold,
    #[error("household number already used on line {first_line}")]
    DuplicateHousehold { first_line: u64 },
    #[error("this person is already a member of this household on line {first_line}")]
    DuplicateMember { first_line: u64 },
    #[error("exit year is required for an exited household")]
    ExitYearRequired,
    #[error("exit year is before the year of identification")]
    ExitBeforeIdentified,
    #[error("status {status} cannot be imported; applications start a procedure")]
    StatusNotImportable { status: String },
    #[error("status would change from {from} to {to}: a status changes only through a procedure")]
    StatusChangeNeedsProcedure { from: String, to: String },
    #[error("disability grade given but health is not 残疾 (disabled)")]
    GradeWithoutDisability,
    #[error("Excel stored this as a number and lost digits; format the column as text")]
    NumberLostDigits,
    #[error("unknown column")]
    UnknownColumn,
    #[error("at least one member (the head of household) is required")]
    NoMembers,
    #[error("at most {max} members")]
    TooManyMembers { max: usize },
    #[error("exactly one member must be the head of household; found {found}")]
    HeadCount { found: usize },
    #[error("this person is already a member of a household in the registry")]
    AlreadyInRegistry,
    #[error(
        "the village's update of {year} was approved and its data are locked; changes go through a procedure"
    )]
    UpdateLocked { year: i32 },
    #[error("required column is missing")]
    MissingColumn,
    #[error("column appears twice")]
    DuplicateColumn,
    #[error("row has {found} fields, the header has {expected}")]
    FieldCount { found: usize, expected: usize },
    #[error("file cannot be read: {detail}")]
    Unreadable { detail: String },
    #[error("file is missing")]
    MissingFile,
    #[error("file has no header row")]
    NoHeader,
    #[error("must be between {min} and {max}")]
    OutOfRange { min: String, max: String },
    #[error("a poverty line is set for a year: give the year")]
    YearRequired,
    #[error("a region is a province (2 digits), city (4) or county (6) code prefix")]
    NotRegionPrefix,
    #[error(
        "the file is UTF-16 (\"Unicode text\"); save the sheet as \"CSV UTF-8\" or \"CSV (comma delimited)\""
    )]
    Utf16,
    #[error(
        "the file is not {encoding} text; save the sheet as \"CSV UTF-8\" or \"CSV (comma delimited)\""
    )]
    NotText { encoding: String },
    #[error("the line is longer than {max} bytes")]
    LineTooLong { max: usize },
    #[error("the workbook is too large to read: {detail}")]
    WorkbookTooLarge { detail: String },
    #[error("the household has no member in the persons file")]
    HouseholdWithoutMembers,
    #[error(
        "the file holds no rows and would replace the previous copy with nothing (use --allow-empty)"
    )]
    EmptyFile,
}

impl Problem {
    /// The reason in Chinese, for the clerks who read the report.
    pub fn zh(&self) -> String {
        match self {
            Problem::Required => "必填项为空".into(),
            Problem::TooLong { max } => format!("超过 {max} 个字符"),
            Problem::ControlCharacter => "含有控制字符".into(),
            Problem::IdLength { found } => format!("身份证号应为 18 位，实为 {found} 位"),
            Problem::IdCharacters => "身份证号应为 17 位数字加 1 位数字或 X".into(),
            Problem::IdProvince { code } => format!("身份证号的省份代码 {code} 不存在"),
            Problem::IdBirthDate => "身份证号中的出生日期不存在".into(),
            Problem::IdBirthInFuture => "身份证号中的出生日期晚于今天".into(),
            Problem::IdCheckCharacter { expected } => format!("校验码应为 {expected}"),
            Problem::DisagreesWithId { expected } => {
                format!("与身份证号不符，身份证号为 {expected}")
            }
            Problem::NotInList { allowed } => format!("不在取值范围内：{allowed}"),
            Problem::NotBoolean => "不是是/否值（是/否、true/false、1/0、Y/N）".into(),
            Problem::NotYear => "不是年份（四位数字）".into(),
            Problem::YearOutOfRange { min, max } => format!("年份应在 {min} 至 {max} 之间"),
            Problem::NotDate => {
                "不是日期（YYYY-MM-DD、YYYY/M/D、YYYY.M.D、YYYYMMDD 或 YYYY年M月D日）".into()
            },
            Problem::DateInFuture => "日期晚于今天".into(),
            Problem::NotMoney => "不是金额（元，最多两位小数，不含分隔符）".into(),
            Problem::LeadNotOpen { state } => format!("该疑点状态为“{state}”，不能再核实"),
            Problem::EditConflict => "此记录已被他人修改，请刷新后重试".into(),
            Problem::NotDecimal => "不是数字（最多两位小数，不含分隔符）".into(),
            Problem::MoneyOutOfRange => "金额超出范围".into(),
            Problem::NotPhone => "不是电话号码（11 位手机号或区号加号码）".into(),
            Problem::BadHouseholdId => "户编号只能包含字母、数字和“-”（1 至 40 个字符）".into(),
            Problem::NotAreaCode => "不是 12 位区划代码".into(),
            Problem::UnknownVillage => "平台中没有此代码的村".into(),
            Problem::OutsideYourArea => "不在本账户负责的地区内".into(),
            Problem::NotAVillage { level } => format!("此代码是{level}，不是村"),
            Problem::WrongLevel { found, expected } => {
                format!("此代码为{found}代码，本文件应为{expected}代码")
            }
            Problem::ParentMismatch { expected } => format!("上级代码应为 {expected}"),
            Problem::UnknownArea => "平台中没有此区划代码".into(),
            Problem::Negative => "不能为负数".into(),
            Problem::NotInteger => "不是整数".into(),
            Problem::IncomeComponentsIncomplete => "收入构成五项须全部填写或全部不填".into(),
            Problem::IncomeComponentsDisagree { sum } => {
                format!("收入构成合计为 {sum} 元，与家庭年纯收入不符")
            }
            Problem::RemovalReasonWithoutRemoval => "只有已清退户才填写清退原因".into(),
            Problem::MonthsOutOfRange => "月数应为 0 至 12 的整数".into(),
            Problem::DeathBeforeBirth => "死亡日期早于出生日期".into(),
            Problem::RoleNeedsLevel { expected, found } => {
                format!("该角色须绑定到{expected}区划，不能绑定到{found}区划")
            }
            Problem::PeriodReversed => "结束日期早于开始日期".into(),
            Problem::SealedOnlyForDiscipline => {
                "只有纪检监察干部可以获得查看举报人身份的权限".into()
            }
            Problem::BadLogin => "登录名应为 3 至 32 个小写字母、数字、“.”、“_”或“-”".into(),
            Problem::PasswordTooShort { min } => format!("密码至少 {min} 个字符"),
            Problem::PasswordContainsLogin => "密码不能包含登录名".into(),
            Problem::UnknownHousehold => "文件和系统中都没有此户编号".into(),
            Problem::DuplicateHousehold { first_line } => format!("户编号与第 {first_line} 行重复"),
            Problem::DuplicateMember { first_line } => {
                format!("此人已在第 {first_line} 行列为本户成员")
            }
            Problem::ExitYearRequired => "已脱贫户必须填写脱贫年度".into(),
            Problem::ExitBeforeIdentified => "脱贫年度早于识别年度".into(),
            Problem::StatusNotImportable { status } => {
                format!("状态“{status}”不能导入，申请须走识别程序")
            }
            Problem::StatusChangeNeedsProcedure { from, to } => {
                format!("状态将由“{from}”变为“{to}”：状态只能通过程序变更")
            }
            Problem::GradeWithoutDisability => "填写了残疾等级，但健康状况不是残疾".into(),
            Problem::NumberLostDigits => {
                "Excel 将其存为数字并丢失了位数，请将该列设为文本格式".into()
            }
            Problem::UnknownColumn => "未知的列".into(),
            Problem::NoMembers => "至少登记一名家庭成员（户主）".into(),
            Problem::TooManyMembers { max } => format!("家庭成员不能超过 {max} 人"),
            Problem::HeadCount { found } => format!("应有且只有一名户主，现有 {found} 名"),
            Problem::AlreadyInRegistry => "此人已是系统中某户的成员".into(),
            Problem::UpdateLocked { year } => {
                format!("本村 {year} 年度动态调整已审核，数据已锁定；如需变更，请通过程序办理")
            }
            Problem::MissingColumn => "缺少必需的列".into(),
            Problem::DuplicateColumn => "列重复".into(),
            Problem::FieldCount { found, expected } => {
                format!("该行有 {found} 个字段，表头有 {expected} 个")
            }
            Problem::Unreadable { detail } => format!("文件无法读取：{detail}"),
            Problem::MissingFile => "缺少文件".into(),
            Problem::NoHeader => "文件没有表头行".into(),
            Problem::OutOfRange { min, max } => format!("应在 {min} 至 {max} 之间"),
            Problem::YearRequired => "扶贫标准按年度设定，请填写年度".into(),
            Problem::Utf16 => {
                "文件是 UTF-16（Unicode 文本）编码；请另存为“CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）”"
                    .into()
            }
            Problem::NotText { encoding } => format!(
                "文件不是 {encoding} 文本；请另存为“CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）”"
            ),
            Problem::LineTooLong { max } => format!("该行超过 {max} 字节"),
            Problem::WorkbookTooLarge { detail } => format!("工作簿过大，无法读取：{detail}"),
            Problem::HouseholdWithoutMembers => "此户在成员表中没有任何成员".into(),
            Problem::EmptyFile => {
                "文件没有数据行，导入会以空表替换上一份数据（如确需清空，请使用 --allow-empty）".into()
            }
            Problem::NotRegionPrefix => {
                "地区应为省（2 位）、市（4 位）或县（6 位）区划代码前缀".into()
            }
        }
    }

    /// The reason in English (the same as `Display`).
    pub fn en(&self) -> String {
        self.to_string()
    }
}
