//! The shared storage conformance suite on SQLite, plus SQLite's own safety settings.

use std::sync::Arc;

use jingzhun_store::Store;
use jingzhun_store_sqlite::SqliteStore;

async fn fresh() -> Arc<dyn Store> {
    // Each store gets its own file; the directory is leaked for the test's lifetime.
    let dir = tempfile::tempdir().expect("tempdir").keep();
    Arc::new(
        SqliteStore::open(dir.join("t.db").to_str().expect("utf-8 path"))
            .await
            .expect("open"),
    )
}

#[tokio::test]
async fn sqlite_passes_the_storage_conformance_suite() {
    jingzhun_store::testsuite::run(fresh).await;
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys_and_full_sync() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("t.db").to_str().unwrap())
        .await
        .unwrap();
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let (fk,): (i64,) = sqlx::query_as("PRAGMA foreign_keys")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let (sync,): (i64,) = sqlx::query_as("PRAGMA synchronous")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(fk, 1);
    assert_eq!(sync, 2, "synchronous must be FULL");
}

#[tokio::test]
async fn opening_twice_migrates_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let a = SqliteStore::open(path.to_str().unwrap()).await.unwrap();
    a.audit(&jingzhun_domain::audit::AuditEvent {
        actor: "t".into(),
        action: "x".into(),
        subject_kind: "k".into(),
        subject_id: "1".into(),
        detail: serde_json::json!({}),
    })
    .await
    .unwrap();
    drop(a);
    let b = SqliteStore::open(path.to_str().unwrap()).await.unwrap();
    assert_eq!(b.audit_head().await.unwrap().0, 1);
}
