//! A write that finds the database locked by another writer is recognised as "busy" (the web
//! layer answers 503 with Retry-After), and other failures are not.

use jingzhun_store::StoreError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection};

#[tokio::test]
async fn a_write_blocked_by_another_writer_is_busy_and_a_constraint_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let options = SqliteConnectOptions::new()
        .filename(dir.path().join("b.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(std::time::Duration::from_millis(0));
    let mut holder = options.connect().await.unwrap();
    sqlx::query("CREATE TABLE t (k INTEGER PRIMARY KEY)")
        .execute(&mut holder)
        .await
        .unwrap();
    sqlx::query("INSERT INTO t VALUES (1)")
        .execute(&mut holder)
        .await
        .unwrap();
    let mut other = options.connect().await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut holder)
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
}
