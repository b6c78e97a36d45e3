//! Deterministic synthetic registries for the demo, tests and benchmarks.
//!
//! The same seed and villages give the same households, byte for byte. Distributions follow the
//! demo brief: household sizes of 1 to 7, about 40% 因病, statuses of a county after the 2020
//! exits, incomes around the 2020 line of 4000 yuan per person, valid ID numbers.

pub mod sources;

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::area::AreaCode;
use crate::id_number::IdNumber;
use crate::money::Yuan;
use crate::registry::{Household, HouseholdId, IncomeComponents, Person, Phone};
use crate::vocab::{
    Cause, DisabilityGrade, Gender, Health, HouseholdStatus, Labour, PovertyType, Relation,
    RemovalReason, SchoolStatus,
};

const SURNAMES: &[&str] = &[
    "李", "王", "张", "刘", "陈", "杨", "黄", "周", "罗", "吴", "何", "曾", "赵", "邓", "谢", "徐",
    "胡", "彭", "唐", "蒋", "郑", "冯", "廖", "钟", "杜", "林", "宋", "雷", "付", "袁",
];
const MALE: &[&str] = &[
    "建国", "建华", "国强", "志强", "明", "伟", "勇", "军", "平", "刚", "华", "强", "文", "杰",
    "德明", "永福", "光明", "世林", "正华", "成", "波", "涛", "浩", "宇", "俊杰", "子豪",
];
const FEMALE: &[&str] = &[
    "秀英", "桂英", "秀兰", "玉兰", "桂兰", "淑珍", "丽", "芳", "娟", "敏", "静", "英", "霞", "琴",
    "燕", "红", "梅", "兰", "雪梅", "春花", "欣怡", "梓涵", "雨桐", "思琪", "诗雨",
];
const GROUPS: &[&str] = &[
    "一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组",
];

/// Weighted choice from `(weight, value)` pairs.
fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[(u32, T)]) -> T {
    let total: u32 = items.iter().map(|(w, _)| w).sum();
    let mut x = rng.gen_range(0..total);
    for (w, v) in items {
        if x < *w {
            return *v;
        }
        x -= w;
    }
    items[items.len() - 1].1
}

/// A village to generate households in.
#[derive(Debug, Clone)]
pub struct VillageSpec {
    pub code: AreaCode,
}

/// A household with its members.
pub type GeneratedHousehold = (Household, Vec<Person>);

/// Generates households one by one, spread evenly over the villages.
pub struct Generator {
    rng: ChaCha8Rng,
    villages: Vec<VillageSpec>,
    per_village: Vec<u32>,
    next: usize,
    used_ids: HashSet<u64>,
    /// The income year; ages and dates are taken at the end of it.
    pub year: i32,
}

impl Generator {
    /// `year` is the income year of the data (2020 for the demo).
    pub fn new(seed: u64, villages: Vec<VillageSpec>, year: i32) -> Self {
        let n = villages.len();
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            villages,
            per_village: vec![0; n],
            next: 0,
            used_ids: HashSet::new(),
            year,
        }
    }

    fn birth_for_age(&mut self, age: i32) -> NaiveDate {
        let year = self.year - age;
        let day = self.rng.gen_range(1..=365);
        NaiveDate::from_yo_opt(year, day).unwrap_or(NaiveDate::MIN)
    }

    fn id_for(&mut self, area6: &str, birth: NaiveDate, gender: Gender) -> IdNumber {
        let area: u64 = area6.parse().unwrap_or(0);
        let days = (birth - NaiveDate::from_ymd_opt(1880, 1, 1).unwrap_or(NaiveDate::MIN))
            .num_days()
            .max(0) as u64;
        loop {
            let mut seq: u16 = self.rng.gen_range(0..1000);
            let male = gender == Gender::Male;
            if (seq % 2 == 1) != male {
                seq = if seq == 999 { 998 } else { seq + 1 };
                if (seq % 2 == 1) != male {
                    seq -= 1;
                }
            }
            let key = area * 100_000_000 + days * 1000 + u64::from(seq);
            if self.used_ids.insert(key) {
                return IdNumber::build(area6, birth, seq);
            }
        }
    }

    fn name(&mut self, surname: &str, gender: Gender) -> String {
        let list = if gender == Gender::Male { MALE } else { FEMALE };
        format!("{surname}{}", list[self.rng.gen_range(0..list.len())])
    }

    #[allow(clippy::too_many_arguments)]
    fn person(
        &mut self,
        h: &HouseholdId,
        area6: &str,
        surname: &str,
        relation: Relation,
        gender: Gender,
        age: i32,
        insured_rate: f64,
        dibao: bool,
    ) -> Person {
        let birth = self.birth_for_age(age);
        let id_number = self.id_for(area6, birth, gender);
        let own_surname = if matches!(relation, Relation::Spouse | Relation::DaughterInLaw) {
            SURNAMES[self.rng.gen_range(0..SURNAMES.len())]
        } else {
            surname
        };
        let name = self.name(own_surname, gender);
        let age_at_school_start = {
            let start = NaiveDate::from_ymd_opt(self.year, 9, 1).unwrap_or(NaiveDate::MIN);
            start.year()
                - birth.year()
                - i32::from((start.month(), start.day()) < (birth.month(), birth.day()))
        };
        let school_status = match age_at_school_start {
            a if a < 6 => SchoolStatus::Preschool,
            a @ 6..=15 => {
                let r: f64 = self.rng.r#gen();
                if r < 0.004 {
                    SchoolStatus::HomeTaught
                } else if r < 0.012 {
                    SchoolStatus::Dropout
                } else if a <= 11 {
                    SchoolStatus::Primary
                } else {
                    SchoolStatus::JuniorHigh
                }
            }
            16..=18 => {
                if self.rng.gen_bool(0.6) {
                    SchoolStatus::SeniorHigh
                } else {
                    SchoolStatus::Vocational
                }
            }
            19..=22 if self.rng.gen_bool(0.35) => {
                if self.rng.gen_bool(0.5) {
                    SchoolStatus::University
                } else {
                    SchoolStatus::HigherVocational
                }
            }
            _ => SchoolStatus::NotInSchool,
        };
        let education = match age {
            a if a < 7 => "学龄前儿童",
            a if a < 13 => "小学",
            a if a > 60 => {
                if self.rng.gen_bool(0.5) {
                    "文盲或半文盲"
                } else {
                    "小学"
                }
            }
            _ => ["小学", "初中", "初中", "高中", "大专及以上"][self.rng.gen_range(0..5)],
        };
        let health = pick(
            &mut self.rng,
            &[
                (80, Health::Healthy),
                (10, Health::Chronic),
                (4, Health::Serious),
                (6, Health::Disabled),
            ],
        );
        let disability_grade = (health == Health::Disabled).then(|| {
            pick(
                &mut self.rng,
                &[
                    (15, DisabilityGrade::One),
                    (25, DisabilityGrade::Two),
                    (30, DisabilityGrade::Three),
                    (30, DisabilityGrade::Four),
                ],
            )
        });
        let labour = match age {
            a if !(16..=64).contains(&a) => Labour::None,
            _ if matches!(health, Health::Serious) => Labour::Lost,
            _ if matches!(health, Health::Disabled | Health::Chronic) => Labour::Weak,
            _ if self.rng.gen_bool(0.2) => Labour::Skilled,
            _ => Labour::Ordinary,
        };
        let medical = self.rng.gen_bool(insured_rate);
        Person {
            id_number,
            name,
            household_id: h.clone(),
            relation,
            gender,
            birth_date: birth,
            education: Some(education.to_string()),
            school_status: Some(school_status),
            health: Some(health),
            disability_grade,
            labour: Some(labour),
            medical_insurance: Some(medical),
            pension_insurance: Some((16..60).contains(&age) && self.rng.gen_bool(0.9)),
            dibao: Some(dibao),
            ethnicity: Some(
                pick(
                    &mut self.rng,
                    &[(985, "汉族"), (8, "彝族"), (4, "苗族"), (3, "藏族")],
                )
                .to_string(),
            ),
            migrant_work_months: matches!(labour, Labour::Ordinary | Labour::Skilled).then(|| {
                if self.rng.gen_bool(0.45) {
                    self.rng.gen_range(3..=12)
                } else {
                    0
                }
            }),
            serious_illness_insurance: Some(medical),
            deceased_on: None,
        }
    }

    /// The next household and its members, in the next village in turn (round robin).
    pub fn next_household(&mut self) -> GeneratedHousehold {
        let vi = self.next % self.villages.len().max(1);
        self.next += 1;
        self.household_in(vi)
    }

    /// Which village (index) the `i`-th of `total` households belongs to when villages are
    /// filled one after the other, as registry exports list them (by village, then number).
    pub fn village_of(i: u64, total: u64, villages: usize) -> usize {
        ((i as u128 * villages as u128) / u128::from(total.max(1))) as usize
    }

    /// A household and its members in the village at `vi` (an index into the villages given).
    pub fn household_in(&mut self, vi: usize) -> GeneratedHousehold {
        let vi = vi.min(self.villages.len().saturating_sub(1));
        let village = self.villages[vi].code;
        self.per_village[vi] += 1;
        let household_id =
            HouseholdId::parse(&format!("{}{:05}", village.as_str(), self.per_village[vi]))
                .unwrap_or_else(|_| unreachable_id());
        let area6 = village.as_str()[..6].to_string();
        let year = self.year;

        let status = pick(
            &mut self.rng,
            &[
                (78, HouseholdStatus::Exited),
                (8, HouseholdStatus::Registered),
                (9, HouseholdStatus::Monitored),
                (5, HouseholdStatus::Removed),
            ],
        );
        let poverty_type = pick(
            &mut self.rng,
            &[
                (70, PovertyType::General),
                (25, PovertyType::Dibao),
                (5, PovertyType::Tekun),
            ],
        );
        let cause = pick(
            &mut self.rng,
            &[
                (40, Cause::Illness),
                (14, Cause::Disability),
                (8, Cause::Schooling),
                (9, Cause::LackLabour),
                (8, Cause::LackCapital),
                (8, Cause::LackSkills),
                (3, Cause::Disaster),
                (3, Cause::LackLand),
                (1, Cause::LackWater),
                (2, Cause::PoorTransport),
                (4, Cause::LowMotivation),
            ],
        );
        let identified_year = pick(
            &mut self.rng,
            &[
                (50, 2014),
                (15, 2015),
                (15, 2016),
                (10, 2017),
                (6, 2018),
                (4, 2019),
            ],
        )
        .min(year);
        let exit_year = match status {
            HouseholdStatus::Exited => Some(
                self.rng
                    .gen_range(identified_year.max(2016)..=year.max(identified_year)),
            ),
            HouseholdStatus::Monitored if self.rng.gen_bool(0.6) => Some(
                self.rng
                    .gen_range(identified_year..=year.max(identified_year)),
            ),
            _ => None,
        };

        // Members.
        let surname = SURNAMES[self.rng.gen_range(0..SURNAMES.len())];
        let dibao = poverty_type == PovertyType::Dibao;
        let insured = if status == HouseholdStatus::Registered {
            0.97
        } else {
            0.995
        };
        let head_age: i32 = self.rng.gen_range(24..=82);
        let head_gender = if self.rng.gen_bool(0.82) {
            Gender::Male
        } else {
            Gender::Female
        };
        let mut members = vec![self.person(
            &household_id,
            &area6,
            surname,
            Relation::Head,
            head_gender,
            head_age,
            insured,
            dibao,
        )];
        let alone = poverty_type == PovertyType::Tekun || self.rng.gen_bool(0.08);
        if !alone {
            if self.rng.gen_bool(0.85) {
                let g = if head_gender == Gender::Male {
                    Gender::Female
                } else {
                    Gender::Male
                };
                let age = (head_age + self.rng.gen_range(-4..=3)).clamp(20, 90);
                members.push(self.person(
                    &household_id,
                    &area6,
                    surname,
                    Relation::Spouse,
                    g,
                    age,
                    insured,
                    dibao,
                ));
            }
            let children = pick(&mut self.rng, &[(14, 0), (30, 1), (36, 2), (15, 3), (5, 4)]);
            for _ in 0..children {
                let age = head_age - self.rng.gen_range(22..=36);
                if age < 0 {
                    continue;
                }
                let g = if self.rng.gen_bool(0.52) {
                    Gender::Male
                } else {
                    Gender::Female
                };
                members.push(self.person(
                    &household_id,
                    &area6,
                    surname,
                    Relation::Child,
                    g,
                    age,
                    insured,
                    dibao,
                ));
            }
            if head_age < 50 && self.rng.gen_bool(0.2) {
                let age = (head_age + self.rng.gen_range(22..=32)).min(98);
                let g = if self.rng.gen_bool(0.6) {
                    Gender::Female
                } else {
                    Gender::Male
                };
                members.push(self.person(
                    &household_id,
                    &area6,
                    surname,
                    Relation::Parent,
                    g,
                    age,
                    insured,
                    dibao,
                ));
            }
            if head_age >= 52 && self.rng.gen_bool(0.35) {
                for _ in 0..self.rng.gen_range(1..=2) {
                    let age = self.rng.gen_range(0..=14);
                    let g = if self.rng.gen_bool(0.52) {
                        Gender::Male
                    } else {
                        Gender::Female
                    };
                    members.push(self.person(
                        &household_id,
                        &area6,
                        surname,
                        Relation::Grandchild,
                        g,
                        age,
                        insured,
                        dibao,
                    ));
                }
            }
        }
        // Make the cause visible in the members where it is about a person.
        if cause == Cause::Illness
            && !members
                .iter()
                .any(|p| matches!(p.health, Some(Health::Chronic | Health::Serious)))
        {
            let i = self.rng.gen_range(0..members.len());
            members[i].health = Some(if self.rng.gen_bool(0.6) {
                Health::Chronic
            } else {
                Health::Serious
            });
            members[i].disability_grade = None;
        }
        if cause == Cause::Disability && !members.iter().any(|p| p.health == Some(Health::Disabled))
        {
            let i = self.rng.gen_range(0..members.len());
            members[i].health = Some(Health::Disabled);
            members[i].disability_grade = Some(DisabilityGrade::Two);
        }

        // Income per person around the 2020 line (4000), by status.
        let line = 4000.0;
        let per_capita: f64 = match status {
            HouseholdStatus::Registered => line * self.rng.gen_range(0.55..1.05),
            HouseholdStatus::Monitored => line * self.rng.gen_range(0.95..1.5),
            HouseholdStatus::Exited if self.rng.gen_bool(0.01) => {
                line * self.rng.gen_range(0.8..1.0)
            }
            HouseholdStatus::Exited => line * self.rng.gen_range(1.1..2.6),
            _ => line * self.rng.gen_range(1.5..4.0),
        };
        let total_fen = (per_capita * members.len() as f64 * 100.0).round() as i64;
        let income = Yuan::from_fen(total_fen - total_fen % 100);
        // Split the net income into its parts (whole yuan), so that they add up exactly.
        let income_components = self.rng.gen_bool(0.9).then(|| {
            let net = income.fen() / 100;
            let costs = self.rng.gen_range(0..=net.max(1) / 5);
            let transfers = self.rng.gen_range(0..=net.max(1) / 3);
            let property = if self.rng.gen_bool(0.2) {
                self.rng.gen_range(0..=300)
            } else {
                0
            };
            let rest = net + costs - transfers - property;
            let wages = if rest > 0 {
                self.rng.gen_range(0..=rest)
            } else {
                0
            };
            IncomeComponents {
                wages: Yuan::from_yuan(wages),
                production: Yuan::from_yuan(rest - wages),
                property: Yuan::from_yuan(property),
                transfers: Yuan::from_yuan(transfers),
                production_costs: Yuan::from_yuan(costs),
            }
        });
        let other_causes = if self.rng.gen_bool(0.3) {
            let c = pick(
                &mut self.rng,
                &[
                    (3, Cause::LackSkills),
                    (3, Cause::LackCapital),
                    (2, Cause::LackLabour),
                    (2, Cause::Illness),
                    (1, Cause::PoorTransport),
                ],
            );
            if c == cause { Vec::new() } else { vec![c] }
        } else {
            Vec::new()
        };
        let removal_reason = (status == HouseholdStatus::Removed).then(|| {
            pick(
                &mut self.rng,
                &[
                    (40, RemovalReason::Misidentified),
                    (30, RemovalReason::Extinct),
                    (20, RemovalReason::MovedOut),
                    (10, RemovalReason::Other),
                ],
            )
        });
        // An extinct household: every member has died.
        if removal_reason == Some(RemovalReason::Extinct) {
            for p in &mut members {
                let day = self.rng.gen_range(1..=300);
                let died = NaiveDate::from_yo_opt(year, day).unwrap_or(p.birth_date);
                p.deceased_on = Some(died.max(p.birth_date));
            }
        }
        let group = GROUPS[self.rng.gen_range(0..GROUPS.len())];
        let address = format!("{group}{}号", self.rng.gen_range(1..=120));
        let safe = |rng: &mut ChaCha8Rng, p: f64| rng.gen_bool(p);
        let (housing_p, water_p) = if status == HouseholdStatus::Exited {
            (0.995, 0.997)
        } else {
            (0.93, 0.96)
        };
        let phone = self.rng.gen_bool(0.8).then(|| {
            let prefix =
                ["138", "139", "158", "183", "136", "177", "189"][self.rng.gen_range(0..7)];
            Phone::parse(&format!(
                "{prefix}{:08}",
                self.rng.gen_range(0..100_000_000u32)
            ))
        });
        let household = Household {
            household_id,
            village_code: village,
            group_name: Some(group.to_string()),
            status,
            poverty_type: Some(poverty_type),
            identified_year,
            exit_year,
            primary_cause: Some(cause),
            housing_safe: safe(&mut self.rng, housing_p),
            water_safe: safe(&mut self.rng, water_p),
            annual_net_income: income,
            income_year: year,
            phone: phone.and_then(Result::ok),
            address: Some(address),
            other_causes,
            removal_reason,
            income_components,
        };
        (household, members)
    }

    /// A plausible rural population for a village holding `registry_persons` registered people.
    pub fn rural_population(&mut self, registry_persons: i64) -> i64 {
        let factor = self.rng.gen_range(6.0..11.0);
        ((registry_persons as f64 * factor).round() as i64).max(300)
    }
}

fn unreachable_id() -> HouseholdId {
    // A village code plus a counter is always a valid household number.
    HouseholdId::parse("0").unwrap_or_else(|_| unreachable_id())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn villages() -> Vec<VillageSpec> {
        ["510304100201", "510304100202", "510304101203"]
            .iter()
            .map(|c| VillageSpec {
                code: AreaCode::parse(c).unwrap(),
            })
            .collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_registry() {
        let mut a = Generator::new(7, villages(), 2020);
        let mut b = Generator::new(7, villages(), 2020);
        for _ in 0..200 {
            assert_eq!(a.next_household(), b.next_household());
        }
        let mut c = Generator::new(8, villages(), 2020);
        assert_ne!(a.next_household(), c.next_household());
    }

    #[test]
    fn ids_are_unique_and_each_household_has_one_head() {
        let mut g = Generator::new(1, villages(), 2020);
        let mut ids = HashSet::new();
        for _ in 0..500 {
            let (h, members) = g.next_household();
            assert!((1..=9).contains(&members.len()));
            assert_eq!(
                members
                    .iter()
                    .filter(|p| p.relation == Relation::Head)
                    .count(),
                1
            );
            if let Some(c) = h.income_components {
                assert_eq!(c.net(), h.annual_net_income, "components add up");
            }
            for p in &members {
                assert!(
                    ids.insert(p.id_number.clone()),
                    "duplicate id {}",
                    p.id_number
                );
                assert_eq!(p.gender, p.id_number.gender());
            }
        }
    }

    #[test]
    fn about_forty_percent_of_households_are_poor_through_illness() {
        let mut g = Generator::new(3, villages(), 2020);
        let n = 3000;
        let ill = (0..n)
            .filter(|_| g.next_household().0.primary_cause == Some(Cause::Illness))
            .count();
        let share = ill as f64 / n as f64;
        assert!((0.36..0.44).contains(&share), "{share}");
    }
}
