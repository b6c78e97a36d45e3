//! The closed lists of domain.md §3: each value has a stable code, a Chinese label, an English
//! label, and the other spellings the interchange files accept.

use crate::problem::Problem;

/// A closed list of values (a vocabulary).
pub trait Vocabulary: Sized + Copy + PartialEq + std::fmt::Debug + 'static {
    /// Every value, in display order.
    const ALL: &'static [Self];
    /// The stable code used in the database and the API.
    fn code(self) -> &'static str;
    /// The Chinese label (also what most interchange columns hold).
    fn zh(self) -> &'static str;
    /// The English label.
    fn en(self) -> &'static str;
    /// Other accepted spellings.
    fn aliases(self) -> &'static [&'static str];

    /// Reads a value from its code, its Chinese or English label or an alias.
    fn parse(text: &str) -> Result<Self, Problem> {
        let t = text.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|v| {
                v.code() == t
                    || v.zh() == t
                    || v.en().eq_ignore_ascii_case(t)
                    || v.aliases().contains(&t)
            })
            .ok_or_else(|| Problem::NotInList {
                allowed: Self::ALL
                    .iter()
                    .map(|v| v.zh())
                    .collect::<Vec<_>>()
                    .join("、"),
            })
    }

    /// Reads a value from its stable code only (for data the platform wrote itself).
    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.code() == code)
    }
}

macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $variant:ident = ($code:literal, $zh:literal, $en:literal $(, [$($alias:literal),*])?) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl Vocabulary for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            fn zh(self) -> &'static str { match self { $($name::$variant => $zh),+ } }
            fn en(self) -> &'static str { match self { $($name::$variant => $en),+ } }
            fn aliases(self) -> &'static [&'static str] {
                match self { $($name::$variant => &[$($($alias),*)?]),+ }
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary! {
    /// Where a household stands in the registry (domain.md §3). Changed only by a procedure.
    HouseholdStatus {
        Applicant = ("applicant", "申请中", "Applicant"),
        Registered = ("registered", "在册未脱贫", "Registered", ["在册"]),
        Exited = ("exited", "已脱贫", "Exited"),
        Monitored = ("monitored", "监测对象", "Monitored"),
        Removed = ("removed", "已清退", "Removed"),
    }
}

impl HouseholdStatus {
    /// Active households are the ones the cross-checks and the incidence count.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Registered | Self::Monitored | Self::Exited)
    }
}

vocabulary! {
    /// The gaps in "two assurances, three guarantees" (两不愁三保障) the dashboard counts, over
    /// active households (see [`HouseholdStatus::is_active`]).
    Gap {
        Housing = ("housing", "住房不安全", "Unsafe housing"),
        Water = ("water", "饮水不安全", "Unsafe drinking water"),
        Uninsured = ("uninsured", "有成员未参加基本医保", "Members without basic medical insurance"),
        OutOfSchool = ("out_of_school", "有子女失学辍学", "Children out of school"),
    }
}

vocabulary! {
    /// Why a household was removed from the registry.
    RemovalReason {
        Misidentified = ("misidentified", "识别不准", "Wrongly identified"),
        Extinct = ("extinct", "自然消亡", "Household no longer exists"),
        MovedOut = ("moved_out", "迁出", "Moved out"),
        Other = ("other", "其他", "Other"),
    }
}

vocabulary! {
    /// 贫困户属性.
    PovertyType {
        General = ("general", "一般贫困户", "General poor household"),
        Dibao = ("dibao", "低保贫困户", "Poor household on minimum living allowance"),
        Tekun = ("tekun", "特困供养贫困户", "Poor household in extreme-poverty support"),
    }
}

vocabulary! {
    /// 致贫原因.
    Cause {
        Illness = ("illness", "因病", "Illness"),
        Disability = ("disability", "因残", "Disability"),
        Schooling = ("schooling", "因学", "Schooling costs"),
        Disaster = ("disaster", "因灾", "Disaster"),
        LackLand = ("lack_land", "缺土地", "Lack of land"),
        LackWater = ("lack_water", "缺水", "Lack of water"),
        LackSkills = ("lack_skills", "缺技术", "Lack of skills"),
        LackLabour = ("lack_labour", "缺劳力", "Lack of labour"),
        LackCapital = ("lack_capital", "缺资金", "Lack of capital"),
        PoorTransport = ("poor_transport", "交通条件落后", "Poor transport"),
        LowMotivation = ("low_motivation", "自身发展动力不足", "Low motivation"),
    }
}

vocabulary! {
    /// 与户主关系.
    Relation {
        Head = ("head", "户主", "Head of household", ["本人"]),
        Spouse = ("spouse", "配偶", "Spouse"),
        Child = ("child", "子女", "Child", ["之子", "之女", "儿子", "女儿"]),
        DaughterInLaw = ("daughter_in_law", "儿媳", "Daughter-in-law", ["之儿媳"]),
        SonInLaw = ("son_in_law", "女婿", "Son-in-law", ["之女婿"]),
        Grandchild = ("grandchild", "孙子女", "Grandchild", ["之孙子", "之孙女", "孙子", "孙女"]),
        Parent = ("parent", "父母", "Parent", ["之父", "之母", "父亲", "母亲"]),
        Sibling = ("sibling", "兄弟姐妹", "Sibling"),
        Other = ("other", "其他", "Other"),
    }
}

vocabulary! {
    /// 性别.
    Gender {
        Male = ("male", "男", "Male", ["M"]),
        Female = ("female", "女", "Female", ["F"]),
    }
}

vocabulary! {
    /// 在校生状况.
    SchoolStatus {
        Preschool = ("preschool", "学前", "Pre-school", ["学前教育"]),
        Primary = ("primary", "小学", "Primary school"),
        JuniorHigh = ("junior_high", "初中", "Junior high school"),
        SeniorHigh = ("senior_high", "高中", "Senior high school"),
        Vocational = ("vocational", "中职", "Secondary vocational school"),
        HigherVocational = ("higher_vocational", "高职高专", "Higher vocational college"),
        University = ("university", "本科及以上", "University and above"),
        NotInSchool = ("not_in_school", "非在校生", "Not a student"),
        HomeTaught = ("home_taught", "送教上门", "Taught at home (severe disability)"),
        Dropout = ("dropout", "失学辍学", "Out of school"),
    }
}

vocabulary! {
    /// 健康状况.
    Health {
        Healthy = ("healthy", "健康", "Healthy"),
        Chronic = ("chronic", "长期慢性病", "Chronic illness"),
        Serious = ("serious", "患有大病", "Serious illness"),
        Disabled = ("disabled", "残疾", "Disabled"),
    }
}

vocabulary! {
    /// 残疾等级.
    DisabilityGrade {
        One = ("1", "一级", "Grade 1", ["1", "一级残疾"]),
        Two = ("2", "二级", "Grade 2", ["2", "二级残疾"]),
        Three = ("3", "三级", "Grade 3", ["3", "三级残疾"]),
        Four = ("4", "四级", "Grade 4", ["4", "四级残疾"]),
    }
}

vocabulary! {
    /// 劳动技能.
    Labour {
        Ordinary = ("ordinary", "普通劳动力", "Ordinary labour"),
        Skilled = ("skilled", "技能劳动力", "Skilled labour"),
        Weak = ("weak", "弱劳动力", "Weak labour", ["弱劳动力或半劳动力"]),
        Lost = ("lost", "丧失劳动力", "Lost labour capacity"),
        None = ("none", "无劳动力", "No labour capacity"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_read_from_code_chinese_english_or_alias() {
        assert_eq!(
            HouseholdStatus::parse("registered"),
            Ok(HouseholdStatus::Registered)
        );
        assert_eq!(
            HouseholdStatus::parse("在册"),
            Ok(HouseholdStatus::Registered)
        );
        assert_eq!(
            HouseholdStatus::parse("在册未脱贫"),
            Ok(HouseholdStatus::Registered)
        );
        assert_eq!(
            HouseholdStatus::parse(" 已脱贫 "),
            Ok(HouseholdStatus::Exited)
        );
        assert_eq!(Relation::parse("之子"), Ok(Relation::Child));
        assert_eq!(DisabilityGrade::parse("2"), Ok(DisabilityGrade::Two));
        assert_eq!(Cause::parse("Illness"), Ok(Cause::Illness));
    }

    #[test]
    fn an_unknown_value_is_refused_with_the_list_of_allowed_values() {
        let err = PovertyType::parse("富裕户").unwrap_err();
        assert_eq!(
            err,
            Problem::NotInList {
                allowed: "一般贫困户、低保贫困户、特困供养贫困户".into()
            }
        );
    }

    #[test]
    fn codes_are_unique_within_each_vocabulary() {
        fn unique<V: Vocabulary>() {
            let mut codes: Vec<_> = V::ALL.iter().map(|v| v.code()).collect();
            codes.sort();
            codes.dedup();
            assert_eq!(codes.len(), V::ALL.len());
            for v in V::ALL {
                assert_eq!(V::from_code(v.code()), Some(*v));
                assert_eq!(V::parse(v.zh()), Ok(*v));
            }
        }
        unique::<HouseholdStatus>();
        unique::<RemovalReason>();
        unique::<PovertyType>();
        unique::<Cause>();
        unique::<Relation>();
        unique::<Gender>();
        unique::<SchoolStatus>();
        unique::<Health>();
        unique::<Gap>();
        unique::<DisabilityGrade>();
        unique::<Labour>();
    }
}
