//! The shared storage conformance suite on PostgreSQL. Runs when `JINGZHUN_TEST_POSTGRES` names
//! an administrative URL (CI: `postgres://postgres@127.0.0.1:5432/postgres`); every case gets a
//! throw-away database.

use std::sync::{Arc, Mutex};

use jingzhun_store::Store;
use jingzhun_store_postgres::{PgStore, ScratchDatabase};

fn admin_url() -> Option<String> {
    std::env::var("JINGZHUN_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
}

#[tokio::test]
async fn postgres_passes_the_storage_conformance_suite() {
    let Some(admin) = admin_url() else {
        eprintln!("JINGZHUN_TEST_POSTGRES is not set: PostgreSQL conformance not run here");
        return;
    };
    let created: Arc<Mutex<Vec<ScratchDatabase>>> = Arc::default();
    let c = created.clone();
    jingzhun_store::testsuite::run(move || {
        let admin = admin.clone();
        let c = c.clone();
        async move {
            let db = ScratchDatabase::create(&admin)
                .await
                .expect("scratch database");
            let store: Arc<dyn Store> = Arc::new(PgStore::open(&db.url).await.expect("open"));
            c.lock().expect("lock").push(db);
            store
        }
    })
    .await;
    let dbs = std::mem::take(&mut *created.lock().expect("lock"));
    for db in dbs {
        db.drop_now().await.expect("drop scratch database");
    }
}
