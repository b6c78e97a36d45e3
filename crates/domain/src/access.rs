//! Who may see and do what (domain.md §1): roles, each bound to an area and possibly to a
//! period, and the one rule that decides whether an account may reach an area.
//!
//! Architecture invariant: every access decision about an area goes through
//! [`Account::may_reach`] (or [`Account::scope`] for queries); nothing else decides.

use chrono::NaiveDate;
use serde::Serialize;

use crate::area::{AreaCode, AreaLevel};
use crate::problem::Problem;
use crate::vocab::Vocabulary;

crate::vocab::vocabulary! {
    /// The roles of domain.md §1.
    Role {
        VillageClerk = ("village_clerk", "村级填报员", "Village clerk"),
        TownshipReviewer = ("township_reviewer", "乡镇审核员", "Township reviewer"),
        CountyOfficer = ("county_officer", "县级扶贫干部", "County officer"),
        Leader = ("leader", "领导小组成员", "Leader"),
        Inspector = ("inspector", "巡视督查人员", "Inspector"),
        DisciplineOfficer = ("discipline_officer", "纪检监察干部", "Discipline officer"),
        FinanceOfficer = ("finance_officer", "财政审计人员", "Finance officer"),
        Admin = ("admin", "系统管理员", "Administrator"),
    }
}

impl Role {
    /// The level of area a role is bound to, where the role implies one.
    pub fn required_level(self) -> Option<AreaLevel> {
        match self {
            Role::VillageClerk => Some(AreaLevel::Village),
            Role::TownshipReviewer => Some(AreaLevel::Township),
            Role::CountyOfficer => Some(AreaLevel::County),
            _ => None,
        }
    }

    /// Whether the role needs to see ID numbers and phones unmasked in its work.
    pub fn sees_personal_data(self) -> bool {
        matches!(
            self,
            Role::VillageClerk | Role::TownshipReviewer | Role::CountyOfficer | Role::Admin
        )
    }
}

/// A role held over an area, possibly for a period (a resident team's posting, an inspection).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    pub role: Role,
    pub area: AreaCode,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    /// May see complainants' sealed identities (discipline officers only).
    pub sealed: bool,
}

impl Assignment {
    /// Checks that the role fits the area's level, the period is ordered and `sealed` is only
    /// given to discipline officers.
    pub fn new(
        role: Role,
        area: AreaCode,
        starts_on: Option<NaiveDate>,
        ends_on: Option<NaiveDate>,
        sealed: bool,
    ) -> Result<Self, Problem> {
        if let Some(level) = role.required_level()
            && area.level() != level
        {
            return Err(Problem::RoleNeedsLevel {
                expected: level.zh().into(),
                found: area.level().zh().into(),
            });
        }
        if let (Some(s), Some(e)) = (starts_on, ends_on)
            && e < s
        {
            return Err(Problem::PeriodReversed);
        }
        if sealed && role != Role::DisciplineOfficer {
            return Err(Problem::SealedOnlyForDiscipline);
        }
        Ok(Assignment {
            role,
            area,
            starts_on,
            ends_on,
            sealed,
        })
    }

    /// Whether the assignment is in force on `day` (it lapses after its end).
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.starts_on.is_none_or(|s| s <= day) && self.ends_on.is_none_or(|e| day <= e)
    }
}

/// A login name: 3 to 32 lower-case letters, digits, `.`, `_` or `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Login(String);

impl Login {
    pub fn parse(text: &str) -> Result<Self, Problem> {
        let t = text.trim();
        let ok = (3..=32).contains(&t.len())
            && t.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        if ok {
            Ok(Login(t.to_string()))
        } else {
            Err(Problem::BadLogin)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Passwords: at least 10 characters, at most 128, not containing the login.
pub fn check_password(password: &str, login: &Login) -> Result<(), Problem> {
    let n = password.chars().count();
    if n < 10 {
        return Err(Problem::PasswordTooShort { min: 10 });
    }
    if n > 128 {
        return Err(Problem::TooLong { max: 128 });
    }
    if password.to_lowercase().contains(login.as_str()) {
        return Err(Problem::PasswordContainsLogin);
    }
    Ok(())
}

/// An account as access control sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    /// The person's name as the account shows it (for recusal: an account never handles a
    /// complaint accusing its holder). Empty when not known.
    pub name: String,
    pub login: Login,
    pub disabled: bool,
    pub assignments: Vec<Assignment>,
}

impl Account {
    /// The assignments in force on `day` (none for a disabled account).
    pub fn active(&self, day: NaiveDate) -> impl Iterator<Item = &Assignment> {
        let enabled = !self.disabled;
        self.assignments
            .iter()
            .filter(move |a| enabled && a.active_on(day))
    }

    /// Whether the account holds `role` in force on `day`.
    pub fn has_role(&self, role: Role, day: NaiveDate) -> bool {
        self.active(day).any(|a| a.role == role)
    }

    /// Whether the account may reach `area` on `day`: an administrator everywhere, anyone else
    /// within the area of one of their assignments in force.
    pub fn may_reach(&self, area: &AreaCode, day: NaiveDate) -> bool {
        self.active(day)
            .any(|a| a.role == Role::Admin || a.area.contains(area))
    }

    /// The areas the account can reach on `day`, for filtering queries: `None` for everywhere
    /// (an administrator), otherwise the roots of its reach (possibly empty: nothing).
    pub fn scope(&self, day: NaiveDate) -> Option<Vec<AreaCode>> {
        if self.has_role(Role::Admin, day) {
            return None;
        }
        let mut roots: Vec<AreaCode> = Vec::new();
        for a in self.active(day) {
            if !roots.iter().any(|r| r.contains(&a.area)) {
                roots.retain(|r| !a.area.contains(r));
                roots.push(a.area);
            }
        }
        roots.sort();
        Some(roots)
    }

    /// Whether personal data may be shown unmasked to this account for `area` on `day`.
    pub fn sees_personal_data(&self, area: &AreaCode, day: NaiveDate) -> bool {
        self.active(day).any(|a| {
            a.role.sees_personal_data() && (a.role == Role::Admin || a.area.contains(area))
        })
    }

    /// Whether the account keeps the registry on `day` (may import it, within its area): the
    /// roles that also see personal data (village clerk, township reviewer, county officer,
    /// administrator). Leaders, inspectors and the others read it, masked.
    pub fn keeps_registry(&self, day: NaiveDate) -> bool {
        self.active(day).any(|a| a.role.sees_personal_data())
    }

    /// Whether the account may see complainants' sealed identities on `day`.
    pub fn may_unseal(&self, day: NaiveDate) -> bool {
        self.active(day).any(|a| a.sealed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse_short(s).unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn account(assignments: Vec<Assignment>) -> Account {
        Account {
            name: String::new(),
            login: Login::parse("wang.li").unwrap(),
            disabled: false,
            assignments,
        }
    }

    #[test]
    fn a_township_reviewer_reaches_its_township_and_nothing_beside_it() {
        let a = account(vec![
            Assignment::new(Role::TownshipReviewer, code("510304100"), None, None, false).unwrap(),
        ]);
        let today = day(2026, 11, 23);
        assert!(a.may_reach(&code("510304100"), today));
        assert!(a.may_reach(&code("510304100201"), today));
        assert!(!a.may_reach(&code("510304101"), today), "the next township");
        assert!(!a.may_reach(&code("510304101201"), today));
        assert!(!a.may_reach(&code("510304"), today), "not the county above");
        assert_eq!(a.scope(today), Some(vec![code("510304100")]));
    }

    #[test]
    fn only_the_roles_that_keep_the_registry_may_import_it() {
        let today = day(2026, 11, 23);
        let with = |role, area| {
            account(vec![
                Assignment::new(role, code(area), None, None, false).unwrap(),
            ])
        };
        assert!(with(Role::VillageClerk, "510304100201").keeps_registry(today));
        assert!(with(Role::TownshipReviewer, "510304100").keeps_registry(today));
        assert!(with(Role::CountyOfficer, "510304").keeps_registry(today));
        assert!(with(Role::Admin, "51").keeps_registry(today));
        for role in [Role::Leader, Role::Inspector, Role::FinanceOfficer] {
            assert!(!with(role, "510304").keeps_registry(today), "{role:?}");
        }
        let lapsed = account(vec![
            Assignment::new(
                Role::CountyOfficer,
                code("510304"),
                None,
                Some(day(2026, 1, 1)),
                false,
            )
            .unwrap(),
        ]);
        assert!(!lapsed.keeps_registry(today), "a role that has lapsed");
    }

    #[test]
    fn roles_fit_their_levels_and_sealed_is_for_discipline_officers() {
        assert!(matches!(
            Assignment::new(Role::VillageClerk, code("510304100"), None, None, false),
            Err(Problem::RoleNeedsLevel { .. })
        ));
        assert!(Assignment::new(Role::Leader, code("51"), None, None, false).is_ok());
        assert_eq!(
            Assignment::new(Role::Inspector, code("510304"), None, None, true),
            Err(Problem::SealedOnlyForDiscipline)
        );
        assert_eq!(
            Assignment::new(
                Role::Inspector,
                code("510304"),
                Some(day(2026, 5, 1)),
                Some(day(2026, 4, 1)),
                false
            ),
            Err(Problem::PeriodReversed)
        );
    }

    #[test]
    fn a_time_limited_assignment_lapses_after_its_end() {
        let a = account(vec![
            Assignment::new(
                Role::Inspector,
                code("510304"),
                Some(day(2026, 3, 1)),
                Some(day(2026, 6, 30)),
                false,
            )
            .unwrap(),
        ]);
        assert!(!a.may_reach(&code("510304100201"), day(2026, 2, 28)));
        assert!(a.may_reach(&code("510304100201"), day(2026, 6, 30)));
        assert!(!a.may_reach(&code("510304100201"), day(2026, 7, 1)));
    }

    #[test]
    fn a_disabled_account_reaches_nothing_and_an_admin_everything() {
        let mut a = account(vec![
            Assignment::new(Role::Admin, code("51"), None, None, false).unwrap(),
        ]);
        let today = day(2026, 11, 23);
        assert!(a.may_reach(&code("110101001001"), today));
        assert_eq!(a.scope(today), None);
        a.disabled = true;
        assert!(!a.may_reach(&code("510304"), today));
        assert_eq!(a.scope(today), Some(vec![]));
    }

    #[test]
    fn personal_data_and_sealed_identities_follow_the_role() {
        let today = day(2026, 11, 23);
        let leader = account(vec![
            Assignment::new(Role::Leader, code("510304"), None, None, false).unwrap(),
        ]);
        assert!(leader.may_reach(&code("510304100201"), today));
        assert!(!leader.sees_personal_data(&code("510304100201"), today));
        let clerk = account(vec![
            Assignment::new(Role::VillageClerk, code("510304100201"), None, None, false).unwrap(),
        ]);
        assert!(clerk.sees_personal_data(&code("510304100201"), today));
        assert!(!clerk.sees_personal_data(&code("510304100202"), today));
        let discipline = account(vec![
            Assignment::new(Role::DisciplineOfficer, code("510304"), None, None, true).unwrap(),
        ]);
        assert!(discipline.may_unseal(today));
        assert!(!clerk.may_unseal(today));
    }

    #[test]
    fn logins_and_passwords_are_checked() {
        assert!(Login::parse("wang.li").is_ok());
        for bad in ["ab", "Wang", "王丽", "a b c", &"x".repeat(33)] {
            assert_eq!(Login::parse(bad), Err(Problem::BadLogin), "{bad}");
        }
        let l = Login::parse("wang.li").unwrap();
        assert_eq!(
            check_password("short", &l),
            Err(Problem::PasswordTooShort { min: 10 })
        );
        assert_eq!(
            check_password("xxWANG.LIxxxx", &l),
            Err(Problem::PasswordContainsLogin)
        );
        assert!(check_password("牛佛镇-correct-horse", &l).is_ok());
    }

    proptest! {
        #[test]
        fn scope_and_may_reach_agree(
            roots in proptest::collection::vec(0usize..6, 0..4), target in 0usize..9
        ) {
            let areas = ["51", "5103", "510304", "510304100", "510304101", "510304100201",
                "510304100202", "510304101201", "52"];
            let assignments = roots
                .iter()
                .map(|i| Assignment::new(Role::Leader, code(areas[*i]), None, None, false).unwrap())
                .collect();
            let a = account(assignments);
            let today = day(2026, 11, 23);
            let t = code(areas[target]);
            let by_scope = a.scope(today).unwrap().iter().any(|r| r.contains(&t));
            prop_assert_eq!(by_scope, a.may_reach(&t, today));
        }
    }
}
