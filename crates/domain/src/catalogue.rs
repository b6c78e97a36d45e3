//! The problem catalogue (问题清单) as data: what complaints, inspection findings and
//! accountability cases are classified by (domain.md §6).
//!
//! Two catalogues are shipped, each exactly as its source document lists it under
//! "治理内容":
//!
//! * [`Catalogue::National`]: the State Council Leading Group's notice of 2017-11-22 on the
//!   2018 work-style year (seed `000_747e3886b51e2ad9.txt`, "二、治理内容"): 25 problems in
//!   6 groups. This is the catalogue domain.md §6 names.
//! * [`Catalogue::CityPlan`]: a city's implementation plan of the same campaign (seed
//!   `003_abb284e8d5011e5a.txt`, "三、治理内容"): 29 problems in the same 6 groups, some
//!   reworded, some added. Each city item that repeats a national one says which
//!   ([`CatalogueItem::national`]), so a city's counts can be reported against the national list.
//!
//! Besides the work-style problems, domain.md §6 lists six corruption types
//! ([`CorruptionType`]); a complaint is classified by any mix of both ([`ProblemClass`]).
//!
//! ## Codes
//!
//! Every entry has a stable code, used in the database and the API:
//!
//! * an item: the catalogue's prefix, a hyphen and the item's two-digit number as the source
//!   numbers it: `S000-04` is national problem 4 (数字脱贫), `C003-27` is the city plan's
//!   problem 27;
//! * a group: the prefix, `-G` and the group's number: `S000-G3`, `C003-G6`;
//! * a corruption type: a lower-case word (`embezzlement`, `false_claims`...).
//!
//! The prefixes are `S` for the State Council notice and `C` for the city plan, followed by the
//! seed number they come from. Codes never change; a new catalogue gets a new prefix.
//!
//! The Chinese text of each item is the source's, character for character, including the city
//! plan's two typing errors (item 12 "应发现而去发现" for 应发现而未发现, item 29 "祖护包庇" for
//! 袒护包庇) and its placeholder "X市": the catalogue quotes its source and does not correct it.

use serde::Serialize;

use crate::vocab::{Vocabulary, vocabulary};

/// Which catalogue an entry belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Catalogue {
    /// Seed 000: the State Council Leading Group's 25 problems (the national list).
    National,
    /// Seed 003: the city implementation plan's 29 problems.
    CityPlan,
}

/// A group (方面) of a catalogue, e.g. (四) 资金管理使用不规范.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CatalogueGroup {
    /// The stable code, e.g. `S000-G4`.
    pub code: &'static str,
    #[serde(skip)]
    pub catalogue: Catalogue,
    /// The group's number as the source numbers it: (一) is 1.
    pub number: u8,
    /// The Chinese title, as the source words it.
    pub zh: &'static str,
    /// A short English title.
    pub en: &'static str,
}

/// One problem of a catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CatalogueItem {
    /// The stable code, e.g. `S000-04`.
    pub code: &'static str,
    #[serde(skip)]
    pub catalogue: Catalogue,
    /// The number of the group the item is listed under.
    pub group: u8,
    /// The item's number as the source numbers it (1-25 or 1-29).
    pub number: u8,
    /// The Chinese text, as the source words it.
    pub zh: &'static str,
    /// A short English label.
    pub en: &'static str,
    /// For a city-plan item that repeats a national problem, the national item's number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub national: Option<u8>,
}

impl CatalogueItem {
    /// The group the item is listed under.
    pub fn group(&self) -> Option<&'static CatalogueGroup> {
        self.catalogue.group(self.group)
    }

    /// For a city-plan item that repeats a national problem, that national item.
    pub fn national_item(&self) -> Option<&'static CatalogueItem> {
        match self.catalogue {
            Catalogue::National => None,
            Catalogue::CityPlan => self
                .national
                .and_then(|n| Catalogue::National.item_numbered(n)),
        }
    }
}

impl Catalogue {
    /// Both catalogues.
    pub const ALL: [Catalogue; 2] = [Catalogue::National, Catalogue::CityPlan];

    /// The prefix of the catalogue's codes.
    pub fn prefix(self) -> &'static str {
        match self {
            Catalogue::National => "S000",
            Catalogue::CityPlan => "C003",
        }
    }

    /// The source document, in Chinese.
    pub fn source_zh(self) -> &'static str {
        match self {
            Catalogue::National => {
                "国务院扶贫开发领导小组《关于开展扶贫领域作风问题专项治理的通知》"
            }
            Catalogue::CityPlan => "《关于开展扶贫领域作风问题专项治理的实施方案》（市级）",
        }
    }

    /// The source document, in English.
    pub fn source_en(self) -> &'static str {
        match self {
            Catalogue::National => {
                "State Council Leading Group notice on the special rectification of work-style problems (2017-11-22)"
            }
            Catalogue::CityPlan => "City implementation plan of the special rectification",
        }
    }

    /// The groups, in the source's order.
    pub fn groups(self) -> &'static [CatalogueGroup] {
        match self {
            Catalogue::National => NATIONAL_GROUPS,
            Catalogue::CityPlan => CITY_GROUPS,
        }
    }

    /// The items, in the source's order.
    pub fn items(self) -> &'static [CatalogueItem] {
        match self {
            Catalogue::National => NATIONAL_ITEMS,
            Catalogue::CityPlan => CITY_ITEMS,
        }
    }

    /// The group numbered `number`.
    pub fn group(self, number: u8) -> Option<&'static CatalogueGroup> {
        self.groups().iter().find(|g| g.number == number)
    }

    /// The items listed under group `number`, in order (none for an unknown group).
    pub fn items_in(self, group: u8) -> impl Iterator<Item = &'static CatalogueItem> {
        self.items().iter().filter(move |i| i.group == group)
    }

    /// The item numbered `number`.
    pub fn item_numbered(self, number: u8) -> Option<&'static CatalogueItem> {
        self.items().iter().find(|i| i.number == number)
    }
}

/// Every item of every catalogue.
pub fn all_items() -> impl Iterator<Item = &'static CatalogueItem> {
    Catalogue::ALL.into_iter().flat_map(|c| c.items().iter())
}

/// Every group of every catalogue.
pub fn all_groups() -> impl Iterator<Item = &'static CatalogueGroup> {
    Catalogue::ALL.into_iter().flat_map(|c| c.groups().iter())
}

/// The item with this code (surrounding blanks ignored, letters in any case: `s000-04`).
pub fn item(code: &str) -> Option<&'static CatalogueItem> {
    let c = code.trim();
    all_items().find(|i| i.code.eq_ignore_ascii_case(c))
}

/// The group with this code (`S000-G4`; blanks ignored, letters in any case).
pub fn group(code: &str) -> Option<&'static CatalogueGroup> {
    let c = code.trim();
    all_groups().find(|g| g.code.eq_ignore_ascii_case(c))
}

/// The items whose Chinese text contains `text` (e.g. "数字脱贫"), in catalogue order.
pub fn find_zh(text: &str) -> impl Iterator<Item = &'static CatalogueItem> {
    all_items().filter(move |i| !text.is_empty() && i.zh.contains(text))
}

vocabulary! {
    /// The corruption types of domain.md §6 (扶贫领域腐败问题), classified alongside the
    /// work-style catalogue.
    CorruptionType {
        Embezzlement = ("embezzlement", "贪污侵占", "Embezzlement"),
        FalseClaims = ("false_claims", "虚报冒领", "False or fraudulent claims"),
        Diversion = ("diversion", "截留挪用", "Withholding or diverting funds"),
        Favouritism = ("favouritism", "优亲厚友", "Favouring relatives and friends"),
        Extortion = ("extortion", "吃拿卡要", "Extortion and obstruction"),
        Skimming = ("skimming", "雁过拔毛", "Skimming off every payment"),
    }
}

/// What a complaint, a finding or a case is about: a catalogue item or a corruption type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemClass {
    Item(&'static CatalogueItem),
    Corruption(CorruptionType),
}

impl ProblemClass {
    /// Reads a class from an item's code, a corruption type's code, or a corruption type's
    /// Chinese or English label.
    pub fn parse(text: &str) -> Option<ProblemClass> {
        if let Some(i) = item(text) {
            return Some(ProblemClass::Item(i));
        }
        CorruptionType::parse(text)
            .ok()
            .map(ProblemClass::Corruption)
    }

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            ProblemClass::Item(i) => i.code,
            ProblemClass::Corruption(c) => c.code(),
        }
    }

    /// The Chinese label (an item's full text).
    pub fn zh(self) -> &'static str {
        match self {
            ProblemClass::Item(i) => i.zh,
            ProblemClass::Corruption(c) => c.zh(),
        }
    }

    /// The English label.
    pub fn en(self) -> &'static str {
        match self {
            ProblemClass::Item(i) => i.en,
            ProblemClass::Corruption(c) => c.en(),
        }
    }
}

impl Serialize for ProblemClass {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> serde::Deserialize<'de> for ProblemClass {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        ProblemClass::parse(&text).ok_or_else(|| {
            serde::de::Error::custom("neither a catalogue item nor a corruption type")
        })
    }
}

const fn g(
    code: &'static str,
    catalogue: Catalogue,
    number: u8,
    zh: &'static str,
    en: &'static str,
) -> CatalogueGroup {
    CatalogueGroup {
        code,
        catalogue,
        number,
        zh,
        en,
    }
}

const fn n(
    code: &'static str,
    group: u8,
    number: u8,
    zh: &'static str,
    en: &'static str,
) -> CatalogueItem {
    CatalogueItem {
        code,
        catalogue: Catalogue::National,
        group,
        number,
        zh,
        en,
        national: None,
    }
}

const fn c(
    code: &'static str,
    group: u8,
    number: u8,
    national: Option<u8>,
    zh: &'static str,
    en: &'static str,
) -> CatalogueItem {
    CatalogueItem {
        code,
        catalogue: Catalogue::CityPlan,
        group,
        number,
        zh,
        en,
        national,
    }
}

use Catalogue::{CityPlan, National};

const G1_ZH: &str = "“四个意识”不强";
const G1_EN: &str = "Weak political awareness (the \"four consciousnesses\")";
const G2_ZH: &str = "责任落实不到位";
const G2_EN: &str = "Responsibilities not fulfilled";
const G3_ZH: &str = "工作措施不精准";
const G3_EN: &str = "Measures not targeted";
const G4_ZH: &str = "资金管理使用不规范";
const G4_EN: &str = "Irregular management and use of funds";
const G5_ZH: &str = "工作作风不扎实";
const G5_EN: &str = "Superficial work style";
const G6_ZH: &str = "考核监督从严要求不够";
const G6_EN: &str = "Lax assessment and supervision";

/// Seed 000, "二、治理内容", (一) to (六).
static NATIONAL_GROUPS: &[CatalogueGroup] = &[
    g("S000-G1", National, 1, G1_ZH, G1_EN),
    g("S000-G2", National, 2, G2_ZH, G2_EN),
    g("S000-G3", National, 3, G3_ZH, G3_EN),
    g("S000-G4", National, 4, G4_ZH, G4_EN),
    g("S000-G5", National, 5, G5_ZH, G5_EN),
    g("S000-G6", National, 6, G6_ZH, G6_EN),
];

/// Seed 003, "三、治理内容", (一) to (六): the same six titles.
static CITY_GROUPS: &[CatalogueGroup] = &[
    g("C003-G1", CityPlan, 1, G1_ZH, G1_EN),
    g("C003-G2", CityPlan, 2, G2_ZH, G2_EN),
    g("C003-G3", CityPlan, 3, G3_ZH, G3_EN),
    g("C003-G4", CityPlan, 4, G4_ZH, G4_EN),
    g("C003-G5", CityPlan, 5, G5_ZH, G5_EN),
    g("C003-G6", CityPlan, 6, G6_ZH, G6_EN),
];

/// Seed 000, "二、治理内容", items 1 to 25.
static NATIONAL_ITEMS: &[CatalogueItem] = &[
    n(
        "S000-01",
        1,
        1,
        "对脱贫攻坚的重要性艰巨性紧迫性认识不足,没有作为重大政治任务进行安排部署。",
        "Poverty alleviation not treated as a major political task",
    ),
    n(
        "S000-02",
        1,
        2,
        "对党中央脱贫攻坚决策部署和政策措施贯彻不力,制定配套措施、细化落实方案、推进组织实施不及时不到位。",
        "Central decisions and policies implemented poorly or late",
    ),
    n(
        "S000-03",
        1,
        3,
        "对推动落实精准扶贫精准脱贫基本方略认识不到位,行动不坚决,以农村区域发展代替精准扶贫。",
        "Regional development substituted for targeted poverty alleviation",
    ),
    n(
        "S000-04",
        1,
        4,
        "对脱贫攻坚标准把握不准,或提高标准,人为吊高胃口;或降低标准,搞数字脱贫、虚假脱贫。",
        "Standards misjudged: raised, or lowered for exit on paper (数字脱贫)",
    ),
    n(
        "S000-05",
        1,
        5,
        "对贫困退出时序谋划不科学不合理,或不顾客观条件,层层加码、急躁冒进;或不愿主动作为,消极观望、拖延等待。",
        "Exit timetable unsound: rushed, or stalled",
    ),
    n(
        "S000-06",
        2,
        6,
        "领导责任落实不到位,主要负责同志研究指导不够,履行主体责任和监督责任不力,分管负责同志工作不深入不扎实,具体负责部门责任不明确不落实。",
        "Leadership responsibility not fulfilled",
    ),
    n(
        "S000-07",
        2,
        7,
        "对已出台政策措施的实施指导督促不够,政策停留在纸面上或实施效果不明显。",
        "Policies left on paper",
    ),
    n(
        "S000-08",
        2,
        8,
        "对本地区本部门的扶贫工作指导不够,没有形成系统合力。",
        "Too little guidance; no concerted effort",
    ),
    n(
        "S000-09",
        2,
        9,
        "主动作为不够,对脱贫攻坚中出现的新问题不重视、不解决或者推诿扯皮。",
        "New problems ignored or passed around",
    ),
    n(
        "S000-10",
        2,
        10,
        "对定点扶贫、选派第一书记、驻村工作队等工作不够重视,派出的干部不得力,缺少指导、支持、关心和监督,存在“挂名走读”等问题。",
        "Paired support and resident teams neglected; cadres in name only",
    ),
    n(
        "S000-11",
        3,
        11,
        "贫困识别不精准,没有做到应扶尽扶,贫困退出没有坚持标准和程序,退出质量不高。",
        "Imprecise identification; exits without the standards and procedure",
    ),
    n(
        "S000-12",
        3,
        12,
        "行业扶贫政策措施操作性不强,无法落实落地。",
        "Sector policies not workable",
    ),
    n(
        "S000-13",
        3,
        13,
        "区域扶贫政策聚焦精准扶贫不够,到村到户政策措施针对性不强、力度不够。",
        "Regional policies not aimed at villages and households",
    ),
    n(
        "S000-14",
        3,
        14,
        "用部门一般性工作代替扶贫工作,对贫困地区和贫困人口的倾斜支持力度不够;用行业普惠性政策代替精准扶贫政策,政策措施缺乏针对性。",
        "Ordinary or universal work passed off as poverty alleviation",
    ),
    n(
        "S000-15",
        4,
        15,
        "对扶贫资金和项目监管不严,导致贪污浪费、挤占挪用等问题时有发生。",
        "Lax supervision of funds and projects: embezzlement, waste, diversion",
    ),
    n(
        "S000-16",
        4,
        16,
        "在扶贫资金管理使用过程中失职渎职,导致扶贫资金闲置滞留或造成损失。",
        "Dereliction of duty over funds: funds idle or lost",
    ),
    n(
        "S000-17",
        4,
        17,
        "对贫困县统筹整合财政涉农资金用于脱贫攻坚支持不坚决,甚至软抵制。",
        "Integration of agricultural funds in poor counties resisted",
    ),
    n(
        "S000-18",
        4,
        18,
        "未按规定执行扶贫资金公开和公示公告制度,群众和社会不知晓,难以有效监督。",
        "Fund disclosure and public notices not made",
    ),
    n(
        "S000-19",
        5,
        19,
        "调查研究不深入实际,指导工作脱离实际,遇到问题不解决。",
        "Superficial fieldwork; guidance detached from reality",
    ),
    n(
        "S000-20",
        5,
        20,
        "工作落实走形式,以会议贯彻会议,以文件贯彻文件。",
        "Formalism: meetings to implement meetings, documents to implement documents",
    ),
    n(
        "S000-21",
        5,
        21,
        "垒大户堆盆景,搞形象工程,或者强迫命令一刀切。",
        "Showcase projects, or one-size-fits-all orders",
    ),
    n(
        "S000-22",
        5,
        22,
        "简单发钱发物、送钱送物,不注重激发贫困群众内生动力,扶贫成果不可持续。",
        "Handouts without building self-reliance",
    ),
    n(
        "S000-23",
        6,
        23,
        "考核评估一团和气,不较真碰硬。",
        "Lenient assessment",
    ),
    n(
        "S000-24",
        6,
        24,
        "督查巡查避重就轻,报喜不报忧。",
        "Inspections avoid hard issues and report only good news",
    ),
    n(
        "S000-25",
        6,
        25,
        "发现问题隐瞒不报,袒护包庇。",
        "Problems concealed; wrongdoers shielded",
    ),
];

/// Seed 003, "三、治理内容", items 1 to 29.
static CITY_ITEMS: &[CatalogueItem] = &[
    c(
        "C003-01",
        1,
        1,
        Some(1),
        "对脱贫攻坚的重要性艰巨性紧迫性认识不足,没有作为重大政治任务进行安排部署。",
        "Poverty alleviation not treated as a major political task",
    ),
    c(
        "C003-02",
        1,
        2,
        Some(2),
        "对中央、省、X市脱贫攻坚决策部署、政策措施、工作要求贯彻不力,制定配套措施、细化落实方案、推动组织实施不及时不到位。",
        "Central, provincial and city decisions implemented poorly or late",
    ),
    c(
        "C003-03",
        1,
        3,
        Some(3),
        "对推动落实精准扶贫精准脱贫基本方略认识不到位,行动不坚决,以农村区域发展代替精准扶贫。",
        "Regional development substituted for targeted poverty alleviation",
    ),
    c(
        "C003-04",
        1,
        4,
        Some(4),
        "对脱贫攻坚标准把握不准,或提高标准,人为吊高胃口;或降低标准,搞数字脱贫、虚假脱贫。",
        "Standards misjudged: raised, or lowered for exit on paper (数字脱贫)",
    ),
    c(
        "C003-05",
        1,
        5,
        Some(5),
        "对贫困退出时序谋划不科学不合理,或不顾客观条件,层层加码、急躁冒进;或不愿主动作为,消极观望、拖延等待。",
        "Exit timetable unsound: rushed, or stalled",
    ),
    c(
        "C003-06",
        2,
        6,
        Some(6),
        "领导责任落实不到位,主要负责同志研究指导不够,履行主体责任和监督责任不力,分管负责同志工作不深入不扎实,具体负责部门责任不明确不落实。",
        "Leadership responsibility not fulfilled",
    ),
    c(
        "C003-07",
        2,
        7,
        Some(7),
        "对已出台政策措施的实施指导督促不够,政策停留在纸面上或实施效果不明显。",
        "Policies left on paper",
    ),
    c(
        "C003-08",
        2,
        8,
        Some(8),
        "对本地本部门的扶贫工作指导不够,没有形成系统合力。",
        "Too little guidance; no concerted effort",
    ),
    c(
        "C003-09",
        2,
        9,
        Some(9),
        "主动作为不够,对脱贫攻坚中出现的新问题不重视、不解决或推诿扯皮。",
        "New problems ignored or passed around",
    ),
    c(
        "C003-10",
        2,
        10,
        Some(10),
        "对挂钩帮扶贫困户、选派第一书记、驻村工作队等工作不够重视,派出的干部不得力,缺少指导、支持、关心和监督,存在“挂名走读”等问题。对党组织联系帮扶建档立卡贫困户普通高中学生制度不落实,没有实质性开展帮扶工作。",
        "Paired support and resident teams neglected; student support not carried out",
    ),
    c(
        "C003-11",
        2,
        11,
        None,
        "扶贫主管部门及发展改革、财政等相关职能部门扶贫政策、项目、资金等信息不公开、不透明,扶贫工作领导小组成员单位,在脱贫攻坚工作中履责不力、监管不严、推诿扯皮,不作为、慢作为、乱作为等问题。",
        "Information withheld; member units failing their duties (inaction, slow or wrong action)",
    ),
    c(
        "C003-12",
        2,
        12,
        None,
        "纪检监察机关履行监督责任不力,对存在的问题应发现而去发现,以及发现后不处置不报告,查处腐败和作风问题宽松软等。",
        "Discipline bodies failing their duty of supervision",
    ),
    c(
        "C003-13",
        3,
        13,
        Some(11),
        "贫困识别不精准,没有做到应扶尽扶,或导致不该帮扶的帮扶了,贫困退出没有坚持标准和程序,退出质量不高。",
        "Imprecise identification, wrongful inclusion; exits without the standards and procedure",
    ),
    c(
        "C003-14",
        3,
        14,
        Some(12),
        "行业扶贫政策措施操作性不强,无法落实落地。",
        "Sector policies not workable",
    ),
    c(
        "C003-15",
        3,
        15,
        None,
        "山海协作精准扶贫对接不到位。",
        "Coast-mountain cooperation (山海协作) not matched to targets",
    ),
    c(
        "C003-16",
        3,
        16,
        Some(14),
        "用部门一般性工作代替扶贫工作,对贫困地区和贫困人口倾斜支持力度不够;用行业普惠性政策代替精准扶贫政策,政策措施缺乏针对性。",
        "Ordinary or universal work passed off as poverty alleviation",
    ),
    c(
        "C003-17",
        4,
        17,
        Some(15),
        "对扶贫资金和项目监管不严,导致贪污浪费、挤占挪用、虚报冒领、吃拿卡要、优亲厚友等问题时有发生。",
        "Lax supervision of funds and projects: embezzlement, false claims, extortion, favouritism",
    ),
    c(
        "C003-18",
        4,
        18,
        Some(16),
        "在扶贫资金管理使用过程中失职渎职,导致扶贫资金闲置滞留或造成损失。",
        "Dereliction of duty over funds: funds idle or lost",
    ),
    c(
        "C003-19",
        4,
        19,
        None,
        "对使用扶贫资金绩效工作不重视,效果不好的。",
        "Performance of fund use neglected",
    ),
    c(
        "C003-20",
        4,
        20,
        Some(18),
        "未按规定执行扶贫资金公开和公示公告制度,群众和社会不知晓,难以有效监督。",
        "Fund disclosure and public notices not made",
    ),
    c(
        "C003-21",
        4,
        21,
        None,
        "扶贫项目分配、审批、招投标、验收等环节违规操作、滥用职权、以权谋私的。",
        "Irregular project allocation, approval, tendering or acceptance; abuse of power",
    ),
    c(
        "C003-22",
        5,
        22,
        Some(19),
        "调查研究不深入实际,指导工作脱离实际,遇到问题不解决。",
        "Superficial fieldwork; guidance detached from reality",
    ),
    c(
        "C003-23",
        5,
        23,
        Some(20),
        "工作落实走形式,以会议贯彻会议,以文件贯彻文件。",
        "Formalism: meetings to implement meetings, documents to implement documents",
    ),
    c(
        "C003-24",
        5,
        24,
        Some(21),
        "垒大户堆盆景,搞形象工程,或者强迫命令一刀切。",
        "Showcase projects, or one-size-fits-all orders",
    ),
    c(
        "C003-25",
        5,
        25,
        Some(22),
        "简单发钱发物、送钱送物,不注重激发贫困群众内生动力,扶贫成果不可持续。",
        "Handouts without building self-reliance",
    ),
    c(
        "C003-26",
        5,
        26,
        None,
        "在脱贫攻坚工作中搞形式主义、官僚主义,表态多调门高,行动少落实差,盲目决策、弄虚作假、数字脱贫,扶持对象、措施到户不精准、脱贫成效不明显,以及扶贫开发工作重点县、贫困村、贫困户虚假“摘帽”脱贫。",
        "Formalism and bureaucratism: fabrication, exit on paper, false exits",
    ),
    c(
        "C003-27",
        6,
        27,
        Some(23),
        "考核评估一团和气,不较真碰硬。",
        "Lenient assessment",
    ),
    c(
        "C003-28",
        6,
        28,
        Some(24),
        "督查巡查避重就轻,报喜不报忧。",
        "Inspections avoid hard issues and report only good news",
    ),
    c(
        "C003-29",
        6,
        29,
        Some(25),
        "发现问题隐瞒不报,祖护包庇。",
        "Problems concealed; wrongdoers shielded",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_national_catalogue_has_25_problems_in_6_groups() {
        assert_eq!(Catalogue::National.groups().len(), 6);
        assert_eq!(Catalogue::National.items().len(), 25);
        let per_group: Vec<usize> = (1..=6)
            .map(|g| Catalogue::National.items_in(g).count())
            .collect();
        assert_eq!(per_group, [5, 5, 4, 4, 4, 3]);
    }

    #[test]
    fn the_city_plan_has_29_problems_in_6_groups() {
        assert_eq!(Catalogue::CityPlan.groups().len(), 6);
        assert_eq!(Catalogue::CityPlan.items().len(), 29);
        let per_group: Vec<usize> = (1..=6)
            .map(|g| Catalogue::CityPlan.items_in(g).count())
            .collect();
        assert_eq!(per_group, [5, 7, 4, 5, 5, 3]);
    }

    #[test]
    fn items_are_numbered_in_order_and_their_codes_say_so() {
        for cat in Catalogue::ALL {
            for (i, item) in cat.items().iter().enumerate() {
                assert_eq!(usize::from(item.number), i + 1, "{}", item.code);
                assert_eq!(item.catalogue, cat);
                assert_eq!(item.code, format!("{}-{:02}", cat.prefix(), item.number));
                assert!(!item.zh.is_empty() && !item.en.is_empty());
            }
            for (i, group) in cat.groups().iter().enumerate() {
                assert_eq!(usize::from(group.number), i + 1);
                assert_eq!(group.catalogue, cat);
                assert_eq!(group.code, format!("{}-G{}", cat.prefix(), group.number));
            }
            // Groups come in order: an item's group never decreases.
            assert!(cat.items().windows(2).all(|w| w[0].group <= w[1].group));
        }
    }

    #[test]
    fn codes_are_unique_across_catalogues_groups_and_corruption_types() {
        let mut seen = HashSet::new();
        let codes = all_items()
            .map(|i| i.code)
            .chain(all_groups().map(|g| g.code))
            .chain(CorruptionType::ALL.iter().map(|c| c.code()));
        for code in codes {
            assert!(seen.insert(code.to_ascii_lowercase()), "{code} twice");
        }
        assert_eq!(seen.len(), 25 + 29 + 12 + 6);
    }

    #[test]
    fn every_item_belongs_to_a_group_of_its_catalogue() {
        for item in all_items() {
            let group = item.group().expect("a group");
            assert_eq!(group.catalogue, item.catalogue, "{}", item.code);
            assert_eq!(group.number, item.group);
        }
    }

    #[test]
    fn lookup_by_code_round_trips() {
        for item in all_items() {
            assert_eq!(super::item(item.code), Some(item));
            assert_eq!(super::item(&item.code.to_lowercase()), Some(item));
            assert_eq!(
                ProblemClass::parse(item.code),
                Some(ProblemClass::Item(item))
            );
        }
        for group in all_groups() {
            assert_eq!(super::group(group.code), Some(group));
        }
        for c in CorruptionType::ALL {
            assert_eq!(
                ProblemClass::parse(c.code()).map(|p| p.code()),
                Some(c.code())
            );
            assert_eq!(
                ProblemClass::parse(c.zh()),
                Some(ProblemClass::Corruption(*c))
            );
        }
        for unknown in [
            "", "S000-00", "S000-26", "C003-30", "S000-4", "X000-01", "G1",
        ] {
            assert_eq!(super::item(unknown), None, "{unknown}");
            assert_eq!(ProblemClass::parse(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn exit_on_paper_is_national_item_4_and_city_items_4_and_26() {
        let found: Vec<&str> = find_zh("数字脱贫").map(|i| i.code).collect();
        assert_eq!(found, ["S000-04", "C003-04", "C003-26"]);
        let four = super::item("S000-04").unwrap();
        assert_eq!(four.number, 4);
        assert_eq!(four.group().unwrap().zh, "“四个意识”不强");
        assert!(four.zh.contains("虚假脱贫"));
        assert_eq!(find_zh("").count(), 0);
    }

    #[test]
    fn city_items_that_repeat_a_national_problem_point_to_it_in_the_same_group() {
        let mut pointed = HashSet::new();
        for item in Catalogue::CityPlan.items() {
            if let Some(national) = item.national_item() {
                assert_eq!(national.group, item.group, "{}", item.code);
                assert!(pointed.insert(national.number), "{} twice", national.code);
            }
        }
        assert_eq!(pointed.len(), 23);
        // The city plan dropped national 13 (regional policies) and 17 (fund integration).
        assert!(!pointed.contains(&13) && !pointed.contains(&17));
        assert_eq!(
            super::item("C003-27")
                .unwrap()
                .national_item()
                .unwrap()
                .code,
            "S000-23"
        );
    }

    #[test]
    fn corruption_types_are_the_six_of_domain_md() {
        let zh: Vec<&str> = CorruptionType::ALL.iter().map(|c| c.zh()).collect();
        assert_eq!(
            zh,
            [
                "贪污侵占",
                "虚报冒领",
                "截留挪用",
                "优亲厚友",
                "吃拿卡要",
                "雁过拔毛"
            ]
        );
        assert_eq!(
            serde_json::to_string(&ProblemClass::Corruption(CorruptionType::Skimming)).unwrap(),
            "\"skimming\""
        );
    }
}
