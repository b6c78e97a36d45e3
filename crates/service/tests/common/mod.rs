//! Test databases: a fresh SQLite file always, and a throw-away PostgreSQL database when
//! `JINGZHUN_TEST_POSTGRES` names an administrative URL.

#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use jingzhun_service::Store;
use jingzhun_store_postgres::ScratchDatabase;

pub struct TestDb {
    pub name: &'static str,
    pub url: String,
    pub store: Arc<dyn Store>,
    scratch: Option<ScratchDatabase>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = dir.path().join("t.db").to_str().expect("utf-8").to_string();
        let store = jingzhun_service::connect(&url).await.expect("open sqlite");
        TestDb {
            name: "sqlite",
            url,
            store,
            scratch: None,
            _dir: Some(dir),
        }
    }

    pub async fn postgres(admin: &str) -> TestDb {
        let scratch = ScratchDatabase::create(admin)
            .await
            .expect("scratch database");
        let store = jingzhun_service::connect(&scratch.url)
            .await
            .expect("open postgres");
        TestDb {
            name: "postgres",
            url: scratch.url.clone(),
            store,
            scratch: Some(scratch),
            _dir: None,
        }
    }

    /// Runs raw SQL against the database behind the store (to tamper with it, as an attacker would).
    pub async fn exec(&self, sql: &str) {
        if self.name == "sqlite" {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", self.url))
                .await
                .expect("raw sqlite");
            sqlx::query(sql).execute(&pool).await.expect("raw sql");
            pool.close().await;
        } else {
            let pool = sqlx::PgPool::connect(&self.url)
                .await
                .expect("raw postgres");
            sqlx::query(sql).execute(&pool).await.expect("raw sql");
            pool.close().await;
        }
    }

    pub async fn finish(self) {
        if let Some(s) = self.scratch {
            s.drop_now().await.expect("drop scratch database");
        }
    }
}

/// The backends to run a test on: SQLite, and PostgreSQL when configured.
pub async fn each_backend() -> Vec<TestDb> {
    let mut v = vec![TestDb::sqlite().await];
    match std::env::var("JINGZHUN_TEST_POSTGRES") {
        Ok(admin) if !admin.is_empty() => v.push(TestDb::postgres(&admin).await),
        _ => eprintln!("JINGZHUN_TEST_POSTGRES is not set: this test runs on SQLite only here"),
    }
    v
}

pub fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write fixture");
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("read")
}

/// Loads the bundled Da'an areas, generates `households` households over the demo county
/// (income year 2020) and imports them; returns the folder of the generated files (sources
/// and populations included), which lives as long as the value.
pub async fn import_generated(
    store: &dyn Store,
    households: u64,
    seed: u64,
    extras: jingzhun_service::generate::Extras,
) -> tempfile::TempDir {
    import_generated_in(
        store,
        &jingzhun_service::demo::demo_county(),
        households,
        seed,
        extras,
    )
    .await
}

/// The same over the villages of `area`.
pub async fn import_generated_in(
    store: &dyn Store,
    area: &jingzhun_domain::AreaCode,
    households: u64,
    seed: u64,
    extras: jingzhun_service::generate::Extras,
) -> tempfile::TempDir {
    use jingzhun_service::registry_import::{ImportOptions, RegistrySource, import_registry};
    jingzhun_service::demo::load_bundled_areas(store)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    jingzhun_service::generate::generate(store, area, households, seed, 2020, dir.path(), extras)
        .await
        .unwrap();
    let opts = ImportOptions {
        within: None,
        actor: "test".into(),
        force: false,
        ignore_unknown_columns: false,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        ..Default::default()
    };
    import_registry(
        store,
        &RegistrySource::from_path(dir.path()).unwrap(),
        &opts,
        &|_| {},
    )
    .await
    .unwrap();
    dir
}
