//! Accounts: creation, roles, passwords and login checks, on every configured backend.

mod common;

use chrono::NaiveDate;
use common::each_backend;
use jingzhun_domain::access::{Assignment, Role};
use jingzhun_domain::area::AreaCode;
use jingzhun_service::ServiceError;
use jingzhun_service::demo::load_bundled_areas;
use jingzhun_service::users::{self, AUDITED_FAILURES, LoginRefused};

fn code(s: &str) -> AreaCode {
    AreaCode::parse_short(s).unwrap()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn reviewer(township: &str) -> Assignment {
    Assignment::new(Role::TownshipReviewer, code(township), None, None, false).unwrap()
}

const PASSWORD: &str = "牛佛镇-审核-2026";

/// The demo's areas and one township reviewer of 牛佛镇, `wang.li`.
async fn with_reviewer(s: &dyn jingzhun_service::Store) {
    load_bundled_areas(s).await.unwrap();
    users::add_user(
        s,
        "wang.li",
        "王丽",
        PASSWORD,
        reviewer("510304107"),
        "test",
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn an_account_logs_in_with_its_password_and_reaches_only_its_area() {
    for db in each_backend().await {
        let s = db.store.as_ref();
        with_reviewer(s).await;
        let account = users::check_login(s, "wang.li", PASSWORD, today())
            .await
            .unwrap()
            .unwrap();
        assert!(
            account.may_reach(&code("510304107"), today()),
            "{}",
            db.name
        );
        assert!(!account.may_reach(&code("510304100"), today()));
        let stored = s.user("wang.li").await.unwrap().unwrap();
        assert!(
            stored.password_hash.starts_with("$argon2id$"),
            "argon2id, never the password"
        );
        assert!(!stored.password_hash.contains(PASSWORD));
        let head = s.audit_head().await.unwrap().0;
        let entry = s.audit_page(head - 1, 1).await.unwrap().remove(0);
        assert_eq!(entry.action, "user.add");
        assert!(!entry.detail.contains(PASSWORD) && !entry.detail.contains("argon2"));
        db.finish().await;
    }
}

#[tokio::test]
async fn wrong_passwords_unknown_logins_and_disabled_accounts_are_refused_alike() {
    for db in each_backend().await {
        let s = db.store.as_ref();
        with_reviewer(s).await;
        assert_eq!(
            users::check_login(s, "wang.li", "not-the-password", today())
                .await
                .unwrap(),
            Err(LoginRefused::Wrong)
        );
        assert_eq!(
            users::check_login(s, "nobody", PASSWORD, today())
                .await
                .unwrap(),
            Err(LoginRefused::Wrong)
        );
        users::set_disabled(s, "wang.li", true, "test")
            .await
            .unwrap();
        assert_eq!(
            users::check_login(s, "wang.li", PASSWORD, today())
                .await
                .unwrap(),
            Err(LoginRefused::Wrong),
            "{}",
            db.name
        );
        users::set_disabled(s, "wang.li", false, "test")
            .await
            .unwrap();
        assert!(
            users::check_login(s, "wang.li", PASSWORD, today())
                .await
                .unwrap()
                .is_ok()
        );
        db.finish().await;
    }
}

/// Issue 14: five wrong passwords locked the account (the administrator's too) until someone ran
/// `user passwd`. Now nothing locks: the right password still signs in, and the repeated
/// failures are in the audit log.
#[tokio::test]
async fn repeated_failures_are_audited_and_lock_nobody_out() {
    for db in each_backend().await {
        let s = db.store.as_ref();
        with_reviewer(s).await;
        for _ in 0..AUDITED_FAILURES * 2 {
            assert_eq!(
                users::check_login(s, "wang.li", "guess-guess-guess", today())
                    .await
                    .unwrap(),
                Err(LoginRefused::Wrong)
            );
        }
        assert!(
            users::check_login(s, "wang.li", PASSWORD, today())
                .await
                .unwrap()
                .is_ok(),
            "{}: the right password still signs in",
            db.name
        );
        let audit = s.audit_page(0, 10_000).await.unwrap();
        let entries: Vec<_> = audit
            .iter()
            .filter(|e| e.action == "user.login_failures" && e.subject_id == "wang.li")
            .collect();
        assert_eq!(entries.len(), 2, "one entry per five failures in a row");
        assert!(entries[1].detail.contains("10"), "{}", entries[1].detail);
        assert!(
            !entries[0].detail.contains("guess"),
            "no password in the audit"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn bad_accounts_are_refused_with_a_reason() {
    for db in each_backend().await {
        let s = db.store.as_ref();
        load_bundled_areas(s).await.unwrap();
        let weak =
            users::add_user(s, "wang.li", "王丽", "short", reviewer("510304107"), "test").await;
        assert!(
            matches!(weak, Err(ServiceError::Invalid(ref m)) if m.contains("at least 10")),
            "{weak:?}"
        );
        let bad_login = users::add_user(
            s,
            "Wang Li",
            "王丽",
            PASSWORD,
            reviewer("510304107"),
            "test",
        )
        .await;
        assert!(matches!(bad_login, Err(ServiceError::Invalid(_))));
        let unknown_area = users::add_user(
            s,
            "wang.li",
            "王丽",
            PASSWORD,
            reviewer("510304999"),
            "test",
        )
        .await;
        assert!(matches!(
            unknown_area,
            Err(ServiceError::NotFound { what: "area", .. })
        ));
        users::add_user(
            s,
            "wang.li",
            "王丽",
            PASSWORD,
            reviewer("510304107"),
            "test",
        )
        .await
        .unwrap();
        let twice = users::add_user(
            s,
            "wang.li",
            "王丽",
            PASSWORD,
            reviewer("510304107"),
            "test",
        )
        .await;
        assert!(
            matches!(twice, Err(ServiceError::Invalid(ref m)) if m.contains("taken")),
            "{}: {twice:?}",
            db.name
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn a_granted_role_with_a_period_lapses_after_it() {
    for db in each_backend().await {
        let s = db.store.as_ref();
        load_bundled_areas(s).await.unwrap();
        users::add_user(
            s,
            "zhao.inspect",
            "赵督查",
            PASSWORD,
            reviewer("510304107"),
            "test",
        )
        .await
        .unwrap();
        let posting = Assignment::new(
            Role::Inspector,
            code("510304"),
            NaiveDate::from_ymd_opt(2026, 11, 1),
            NaiveDate::from_ymd_opt(2026, 11, 30),
            false,
        )
        .unwrap();
        users::grant(s, "zhao.inspect", posting, "admin")
            .await
            .unwrap();
        let a = users::check_login(s, "zhao.inspect", PASSWORD, today())
            .await
            .unwrap()
            .unwrap();
        assert!(a.may_reach(&code("510304100"), today()), "{}", db.name);
        assert!(!a.may_reach(
            &code("510304100"),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        ));
        db.finish().await;
    }
}
