//! The sealing key of a database (issue 14, operations): recorded by fingerprint on first use;
//! a missing or different key is refused, never replaced by a new one.

mod common;

use jingzhun_service::seal::{SealError, Sealer};

#[tokio::test]
async fn a_missing_or_wrong_key_is_refused_and_never_replaced() {
    for db in common::each_backend().await {
        let store = db.store.as_ref();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("t.sealkey");
        assert_eq!(store.seal_key_fingerprint().await.unwrap(), None);

        // First use: the key file is made and its fingerprint recorded.
        let first = Sealer::for_database(store, &file, None).await.unwrap();
        assert!(file.exists(), "{}: the key file is made", db.name);
        let fp = first.fingerprint();
        assert_eq!(fp.len(), 16);
        assert_eq!(
            store.seal_key_fingerprint().await.unwrap().as_deref(),
            Some(fp.as_str()),
            "{}",
            db.name
        );
        let row = first.seal(b"secret", "complaint:1");

        // Again with the same file: the same key.
        let again = Sealer::for_database(store, &file, None).await.unwrap();
        assert_eq!(again.open(&row, "complaint:1").unwrap(), b"secret");

        // The key file gone (a restore under another name, a server started elsewhere): refused,
        // and no new file is made.
        std::fs::remove_file(&file).unwrap();
        match Sealer::for_database(store, &file, None).await {
            Err(SealError::KeyMissing { fingerprint, path }) => {
                assert_eq!(fingerprint, fp);
                assert!(path.ends_with("t.sealkey"));
            }
            other => panic!("{}: expected KeyMissing, got {other:?}", db.name),
        }
        assert!(!file.exists(), "{}: no new key is made", db.name);

        // Another key, by file or by JINGZHUN_SEAL_KEY: refused, naming both fingerprints.
        let other = "11".repeat(32);
        match Sealer::for_database(store, &file, Some(&other)).await {
            Err(SealError::WrongKey { recorded, found }) => {
                assert_eq!(recorded, fp);
                assert_ne!(found, fp);
            }
            r => panic!("{}: expected WrongKey, got {r:?}", db.name),
        }
        std::fs::write(&file, &other).unwrap();
        assert!(matches!(
            Sealer::for_database(store, &file, None).await,
            Err(SealError::WrongKey { .. })
        ));
        // The record was kept, not overwritten by the wrong key.
        assert_eq!(
            store.seal_key_fingerprint().await.unwrap().as_deref(),
            Some(fp.as_str())
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn a_database_with_sealed_values_but_no_recorded_key_is_not_given_a_new_one() {
    for db in common::each_backend().await {
        // A database sealed before fingerprints were recorded: sealed values, no fingerprint.
        db.exec("INSERT INTO areas (code, name, level) VALUES ('510000000000', '四川省', 1)")
            .await;
        db.exec(
            "INSERT INTO supervision_records (kind, area_code, state, body, created_by, created_at, updated_at) \
             SELECT 'complaint', code, 'open', '{}', 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM areas LIMIT 1",
        )
        .await;
        db.exec(
            "INSERT INTO sealed_identities (record_id, nonce, ciphertext) \
             SELECT id, 'aa', 'bb' FROM supervision_records LIMIT 1",
        )
        .await;
        let store = db.store.as_ref();
        assert!(store.holds_sealed_values().await.unwrap(), "{}", db.name);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("none.sealkey");
        assert!(matches!(
            Sealer::for_database(store, &file, None).await,
            Err(SealError::KeyMissing { .. })
        ));
        assert!(!file.exists());
        db.finish().await;
    }
}
