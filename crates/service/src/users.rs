//! Accounts: creation, roles, passwords (argon2id), disabling, and checking a login.
//! Every change is audited; passwords and their hashes never appear in the audit detail.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::NaiveDate;
use jingzhun_domain::access::{Account, Assignment, Login, check_password};
use jingzhun_domain::audit::AuditEvent;
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_store::{NewUser, Store, StoreError, UserRecord};

use crate::ServiceError;

/// Every this many failed logins in a row an audit entry `user.login_failures` records them.
/// Nothing is locked: the web server makes a login and an address wait after failures
/// (`jingzhun_web::throttle`), so a stranger cannot lock anyone out.
pub const AUDITED_FAILURES: i32 = 5;

fn hash(password: &str) -> Result<String, ServiceError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Invalid(format!("cannot hash the password: {e}")))
}

fn invalid(p: jingzhun_domain::Problem) -> ServiceError {
    ServiceError::Invalid(format!("{} / {}", p.en(), p.zh()))
}

fn assignment_detail(a: &Assignment) -> serde_json::Value {
    serde_json::json!({
        "role": a.role.code(),
        "area": a.area.as_str(),
        "starts_on": a.starts_on,
        "ends_on": a.ends_on,
        "sealed": a.sealed,
    })
}

async fn existing(store: &dyn Store, login: &str) -> Result<UserRecord, ServiceError> {
    store
        .user(login)
        .await?
        .ok_or_else(|| ServiceError::NotFound {
            what: "account",
            key: login.to_string(),
        })
}

/// Creates an account with a first role. The area must be known.
pub async fn add_user(
    store: &dyn Store,
    login: &str,
    display_name: &str,
    password: &str,
    first: Assignment,
    actor: &str,
) -> Result<i64, ServiceError> {
    let login = Login::parse(login).map_err(invalid)?;
    let display_name = jingzhun_domain::registry::clean_text(display_name, 50)
        .map_err(invalid)?
        .ok_or_else(|| invalid(jingzhun_domain::Problem::Required))?;
    check_password(password, &login).map_err(invalid)?;
    if store.area(&first.area).await?.is_none() {
        return Err(ServiceError::NotFound {
            what: "area",
            key: first.area.to_string(),
        });
    }
    let password_hash = hash(password)?;
    let mut tx = store.begin().await?;
    let id = match tx
        .create_user(&NewUser {
            login: login.clone(),
            display_name,
            password_hash,
        })
        .await
    {
        Ok(id) => id,
        Err(StoreError::Duplicate(what)) => {
            return Err(ServiceError::Invalid(format!(
                "{what} is taken / 登录名已被使用"
            )));
        }
        Err(e) => return Err(e.into()),
    };
    tx.assign(id, &first).await?;
    tx.append_audit(&AuditEvent {
        actor: actor.into(),
        action: "user.add".into(),
        subject_kind: "user".into(),
        subject_id: login.as_str().into(),
        detail: serde_json::json!({ "roles": [assignment_detail(&first)] }),
    })
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Gives an account another role (or changes the period of one it has).
pub async fn grant(
    store: &dyn Store,
    login: &str,
    a: Assignment,
    actor: &str,
) -> Result<(), ServiceError> {
    let user = existing(store, login).await?;
    if store.area(&a.area).await?.is_none() {
        return Err(ServiceError::NotFound {
            what: "area",
            key: a.area.to_string(),
        });
    }
    let mut tx = store.begin().await?;
    tx.assign(user.id, &a).await?;
    tx.append_audit(&AuditEvent {
        actor: actor.into(),
        action: "user.grant".into(),
        subject_kind: "user".into(),
        subject_id: login.into(),
        detail: assignment_detail(&a),
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Disables (or enables again) an account. A disabled account reaches nothing.
pub async fn set_disabled(
    store: &dyn Store,
    login: &str,
    disabled: bool,
    actor: &str,
) -> Result<(), ServiceError> {
    let user = existing(store, login).await?;
    let mut tx = store.begin().await?;
    tx.set_disabled(user.id, disabled).await?;
    tx.append_audit(&AuditEvent {
        actor: actor.into(),
        action: if disabled {
            "user.disable"
        } else {
            "user.enable"
        }
        .into(),
        subject_kind: "user".into(),
        subject_id: login.into(),
        detail: serde_json::json!({}),
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new password (and clears failed logins).
pub async fn set_password(
    store: &dyn Store,
    login: &str,
    password: &str,
    actor: &str,
) -> Result<(), ServiceError> {
    let user = existing(store, login).await?;
    check_password(password, &user.account.login).map_err(invalid)?;
    let password_hash = hash(password)?;
    let mut tx = store.begin().await?;
    tx.set_password_hash(user.id, &password_hash).await?;
    tx.append_audit(&AuditEvent {
        actor: actor.into(),
        action: "user.passwd".into(),
        subject_kind: "user".into(),
        subject_id: login.into(),
        detail: serde_json::json!({}),
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Why a login was refused. The message never says whether the account exists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginRefused {
    #[error("wrong login or password / 登录名或密码错误")]
    Wrong,
}

/// Checks a password. `Ok(Err(_))` is a refused login (wrong, unknown or disabled: one answer);
/// failures in a row are counted, and every [`AUDITED_FAILURES`] of them is audited
/// (`user.login_failures`). Nothing locks the account.
pub async fn check_login(
    store: &dyn Store,
    login: &str,
    password: &str,
    today: NaiveDate,
) -> Result<Result<Account, LoginRefused>, ServiceError> {
    let Some(user) = store.user(login).await? else {
        spend_a_check(password);
        return Ok(Err(LoginRefused::Wrong));
    };
    let ok = PasswordHash::new(&user.password_hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false);
    let mut tx = store.begin().await?;
    tx.record_login(user.id, ok).await?;
    let in_a_row = user.failed_logins.saturating_add(1);
    if !ok && in_a_row % AUDITED_FAILURES == 0 {
        tx.append_audit(&AuditEvent {
            actor: "public".into(),
            action: "user.login_failures".into(),
            subject_kind: "user".into(),
            subject_id: user.account.login.as_str().into(),
            detail: serde_json::json!({ "failures_in_a_row": in_a_row }),
        })
        .await?;
    }
    tx.commit().await?;
    if !ok {
        return Ok(Err(LoginRefused::Wrong));
    }
    if user.account.disabled || user.account.active(today).next().is_none() {
        return Ok(Err(LoginRefused::Wrong));
    }
    Ok(Ok(user.account))
}

/// Spends the time of a real password check, so timing does not reveal which logins exist.
fn spend_a_check(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let text = DUMMY.get_or_init(|| hash("jingzhun: no such account").unwrap_or_default());
    if let Ok(h) = PasswordHash::new(text) {
        let _ = Argon2::default().verify_password(password.as_bytes(), &h);
    }
}
