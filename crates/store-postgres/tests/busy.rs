//! A statement that waits too long for another transaction's lock is recognised as "busy"
//! (503 with Retry-After in the web layer); other failures are not. Needs
//! JINGZHUN_TEST_POSTGRES; skipped without it.

use jingzhun_store::StoreError;
use jingzhun_store_postgres::ScratchDatabase;
use sqlx::{Connection, PgConnection};

#[tokio::test]
async fn a_lock_timeout_is_busy_and_a_constraint_is_not() {
    let Ok(admin) = std::env::var("JINGZHUN_TEST_POSTGRES") else {
        eprintln!("JINGZHUN_TEST_POSTGRES is not set: skipped");
        return;
    };
    let scratch = ScratchDatabase::create(&admin).await.unwrap();
    let mut holder = PgConnection::connect(&scratch.url).await.unwrap();
    let mut other = PgConnection::connect(&scratch.url).await.unwrap();
    sqlx::query("CREATE TABLE t (k BIGINT PRIMARY KEY)")
        .execute(&mut holder)
        .await
        .unwrap();
    sqlx::query("INSERT INTO t VALUES (1)")
        .execute(&mut holder)
        .await
        .unwrap();
    sqlx::query("BEGIN").execute(&mut holder).await.unwrap();
    sqlx::query("LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
        .execute(&mut holder)
        .await
        .unwrap();
    sqlx::query("SET lock_timeout = '50ms'")
        .execute(&mut other)
        .await
        .unwrap();
    let blocked = sqlx::query("INSERT INTO t VALUES (2)")
        .execute(&mut other)
        .await
        .unwrap_err();
    assert!(StoreError::Database(blocked).is_busy());
    sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
    let duplicate = sqlx::query("INSERT INTO t VALUES (1)")
        .execute(&mut other)
        .await
        .unwrap_err();
    assert!(!StoreError::Database(duplicate).is_busy());
    other.close().await.unwrap();
    holder.close().await.unwrap();
    scratch.drop_now().await.unwrap();
}

#[tokio::test]
async fn a_closed_port_is_named_not_left_to_a_pool_timeout() {
    let err = jingzhun_store_postgres::PgStore::open("postgres://postgres@127.0.0.1:1/none")
        .await
        .err()
        .expect("nothing listens on port 1");
    let text = err.to_string();
    assert!(matches!(err, StoreError::Unreachable(_)), "{text}");
    assert!(text.contains("127.0.0.1:1"), "{text}");
}
