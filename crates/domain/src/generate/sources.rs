//! Synthetic departmental data for a generated registry: each source holds rows that must make
//! leads (a car, a death, a payment after it...) and look-alikes that must not (a farm vehicle,
//! a small cooperative, a family sharing one account...), at fixed rates, deterministically.
//! With 300,000 households this gives about 600,000 payments (the benchmark's scale).

use chrono::{Datelike, Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::id_number::IdNumber;
use crate::registry::{Household, Person};
use crate::sources::SourceKind;
use crate::vocab::{HouseholdStatus, Relation, SchoolStatus};

/// A row of a source file, as text cells in the kind's column order.
pub type SourceLine = (SourceKind, Vec<String>);

const PROGRAMS: &[&str] = &["低保", "耕地地力保护补贴", "养老金", "残疾人两项补贴"];

/// Generates source rows household by household.
pub struct SourceGenerator {
    rng: ChaCha8Rng,
    year: i32,
    payments: u64,
    /// Account numbers of earlier households, for shared accounts.
    recent_accounts: Vec<String>,
    outsiders: u64,
}

impl SourceGenerator {
    pub fn new(seed: u64, year: i32) -> Self {
        SourceGenerator {
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_5eed),
            year,
            payments: 0,
            recent_accounts: Vec::new(),
            outsiders: 0,
        }
    }

    fn date_in(&mut self, year: i32) -> NaiveDate {
        let day = self.rng.gen_range(1..=365);
        NaiveDate::from_yo_opt(year, day).unwrap_or(NaiveDate::MIN)
    }

    /// Somebody not in the registry (another county's code).
    fn outsider(&mut self) -> String {
        self.outsiders += 1;
        let year = self.rng.gen_range(1950..2000);
        let birth = self.date_in(year);
        IdNumber::build("510302", birth, (self.outsiders % 1000) as u16)
            .as_str()
            .to_string()
    }

    fn payment(
        &mut self,
        payee: &str,
        program: &str,
        paid_on: NaiveDate,
        account: &str,
    ) -> SourceLine {
        self.payments += 1;
        let amount = self.rng.gen_range(50..=900);
        (
            SourceKind::Payments,
            vec![
                format!("P{:09}", self.payments),
                payee.to_string(),
                program.to_string(),
                amount.to_string(),
                paid_on.to_string(),
                String::new() + account,
            ],
        )
    }

    /// The source rows about one household and its members.
    pub fn household(&mut self, h: &Household, members: &[Person]) -> Vec<SourceLine> {
        let mut out = Vec::new();
        let y = self.year;
        let reference = NaiveDate::from_ymd_opt(y, 9, 1).unwrap_or(NaiveDate::MIN);
        let village = h.village_code.as_str().to_string();
        let active = h.status != HouseholdStatus::Removed;
        let mut dead: Option<(String, NaiveDate)> = None;
        for p in members {
            let id = p.id_number.as_str().to_string();
            let r: f64 = self.rng.r#gen();
            // Insurance: most insured this year, some only last year, some never.
            if r < 0.975 {
                out.push((SourceKind::Insured, vec![id.clone(), y.to_string()]));
            } else if r < 0.985 {
                out.push((SourceKind::Insured, vec![id.clone(), (y - 1).to_string()]));
            }
            // Schooling of children 6-15 on the reference date.
            let age = crate::checks::age_on(p.birth_date, reference);
            if (5..=16).contains(&age) {
                let status = match p.school_status {
                    Some(SchoolStatus::Dropout) => Some("dropped"),
                    Some(SchoolStatus::HomeTaught) => None,
                    _ if self.rng.gen_bool(0.01) => Some("suspended"),
                    _ if self.rng.gen_bool(0.005) => None,
                    _ => Some("enrolled"),
                };
                if let Some(s) = status {
                    out.push((
                        SourceKind::Students,
                        vec![
                            id.clone(),
                            "某某学校".into(),
                            format!("{}年级", (age - 5).max(1)),
                            s.into(),
                        ],
                    ));
                }
            }
            let r: f64 = self.rng.r#gen();
            // Jobs, cars, companies, flats and village posts go to adults.
            let r = if age < 18 && r >= 0.004 { 1.0 } else { r };
            if r < 0.004 {
                let d = self.date_in(y);
                out.push((SourceKind::Deaths, vec![id.clone(), d.to_string()]));
                dead = Some((id.clone(), d));
            } else if r < 0.0045 {
                out.push((
                    SourceKind::PublicEmployees,
                    vec![id.clone(), p.name.clone(), "某县某局".into()],
                ));
            } else if r < 0.009 {
                out.push((
                    SourceKind::Vehicles,
                    vec![
                        id.clone(),
                        format!("川C{:05}", self.rng.gen_range(0..100_000)),
                        "car".into(),
                        self.date_in(y - 1).to_string(),
                    ],
                ));
            } else if r < 0.03 {
                let ty = ["farm", "truck", "motorcycle"][self.rng.gen_range(0..3)];
                out.push((
                    SourceKind::Vehicles,
                    vec![
                        id.clone(),
                        format!("川C{:05}", self.rng.gen_range(0..100_000)),
                        ty.into(),
                        String::new(),
                    ],
                ));
            } else if r < 0.032 {
                let capital = self.rng.gen_range(100_000..2_000_000);
                out.push((
                    SourceKind::Businesses,
                    vec![
                        id.clone(),
                        format!("{}商贸有限公司", p.name),
                        capital.to_string(),
                    ],
                ));
            } else if r < 0.04 {
                let capital = self.rng.gen_range(1_000..100_000);
                out.push((
                    SourceKind::Businesses,
                    vec![
                        id.clone(),
                        format!("{}种养殖专业合作社", p.name),
                        capital.to_string(),
                    ],
                ));
            } else if r < 0.043 {
                out.push((
                    SourceKind::UrbanHousing,
                    vec![
                        id.clone(),
                        "自贡市".into(),
                        format!("{}.5", self.rng.gen_range(40..140)),
                        self.date_in(y - 2).to_string(),
                    ],
                ));
            } else if r < 0.045 && active && p.relation == Relation::Head {
                out.push((
                    SourceKind::Cadres,
                    vec![
                        id.clone(),
                        p.name.clone(),
                        village.clone(),
                        "村民小组长".into(),
                    ],
                ));
            } else if r < 0.047 {
                // Declared as the relative of a cadre of the same village (the cadre row follows).
                let cadre = self.outsider();
                out.push((
                    SourceKind::Cadres,
                    vec![
                        cadre.clone(),
                        "村干部".into(),
                        village.clone(),
                        "村委委员".into(),
                    ],
                ));
                out.push((
                    SourceKind::CadreKin,
                    vec![cadre, id.clone(), "兄弟姐妹".into()],
                ));
            }
        }
        // Payments to the head: monthly-style subsidies, an own account per household.
        let Some(head) = members.first() else {
            return out;
        };
        let head_id = head.id_number.as_str().to_string();
        let account = format!(
            "62170{}",
            &h.household_id.as_str()[h.household_id.as_str().len().saturating_sub(11)..]
        );
        let shared = self.rng.gen_bool(0.001) && self.recent_accounts.len() >= 2;
        let account = if shared {
            // The previous household's account collecting for this one too...
            self.recent_accounts[self.recent_accounts.len() - 1].clone()
        } else {
            account
        };
        self.recent_accounts.push(account.clone());
        if self.recent_accounts.len() > 8 {
            self.recent_accounts.remove(0);
        }
        let program = PROGRAMS[self.rng.gen_range(0..PROGRAMS.len())];
        let first = self.date_in(y);
        out.push(self.payment(&head_id, program, first, &account));
        let second = NaiveDate::from_ymd_opt(y, (first.month() % 12) + 1, 10).unwrap_or(first);
        out.push(self.payment(&head_id, program, second, &account));
        if shared {
            // ...and for somebody outside the registry: three households on one account.
            let outsider = self.outsider();
            out.push(self.payment(&outsider, "低保", first, &account));
        }
        if self.rng.gen_bool(0.005) {
            // Paid twice in the same month.
            out.push(self.payment(&head_id, program, first, &account));
        }
        if let Some((id, died)) = dead {
            // One payment after the death, one before (a look-alike).
            out.push(self.payment(&id, "养老金", died + Duration::days(20), &account));
            out.push(self.payment(&id, "养老金", died - Duration::days(1), &account));
        }
        if self.rng.gen_bool(0.01) {
            // Members of one family sharing the head's account: not a lead.
            for p in members.iter().skip(1).take(2) {
                let paid = self.date_in(y);
                out.push(self.payment(p.id_number.as_str(), "耕地地力保护补贴", paid, &account));
            }
        }
        out
    }
}
