//! Opening a store: the backend is picked by the URL (`postgres://` or `postgresql://` for
//! PostgreSQL; a path or `sqlite://` for SQLite).

use std::sync::Arc;

use jingzhun_store::{OpenMode, PendingMigration, Store, StoreError};
use jingzhun_store_postgres::PgStore;
use jingzhun_store_sqlite::SqliteStore;

/// The database used when none is named.
pub const DEFAULT_DATABASE: &str = "jingzhun.db";

/// Opens and migrates the store at `location` (creating a SQLite file if there is none).
pub async fn connect(location: &str) -> Result<Arc<dyn Store>, StoreError> {
    connect_with(location, OpenMode::CreateAndMigrate).await
}

fn is_postgres(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

fn check_scheme(location: &str) -> Result<(), StoreError> {
    if location.contains("://") && !location.starts_with("sqlite://") && !is_postgres(location) {
        return Err(StoreError::UnsupportedUrl(
            location.split("://").next().unwrap_or("").to_string(),
        ));
    }
    Ok(())
}

/// Opens the store at `location`: with [`OpenMode::Existing`] (commands that only read) a
/// missing or out-of-date database is an error and nothing is created. Either way a database
/// of another application or of a newer program is refused untouched.
pub async fn connect_with(location: &str, mode: OpenMode) -> Result<Arc<dyn Store>, StoreError> {
    check_scheme(location)?;
    if is_postgres(location) {
        Ok(Arc::new(PgStore::open_with(location, mode).await?))
    } else {
        Ok(Arc::new(SqliteStore::open_with(location, mode).await?))
    }
}

/// The migrations the database at `location` still needs (every one where there is none
/// yet), without changing anything.
pub async fn pending_migrations(location: &str) -> Result<Vec<PendingMigration>, StoreError> {
    check_scheme(location)?;
    if is_postgres(location) {
        PgStore::pending(location).await
    } else {
        SqliteStore::pending(location).await
    }
}

/// Writes a consistent copy of a live SQLite database to `out` (which must not exist). For
/// PostgreSQL the server's own tools do it (`pg_dump`): refused here with that advice.
/// Returns the fingerprint of the database's sealing key, if it recorded one (the key itself
/// is not in the backup: it is kept apart).
pub async fn backup(
    location: &str,
    out: &std::path::Path,
) -> Result<Option<String>, crate::ServiceError> {
    check_scheme(location)?;
    if is_postgres(location) {
        return Err(crate::ServiceError::Invalid(
            "a PostgreSQL database is backed up with pg_dump -Fc (see README, Backup) / PostgreSQL 数据库请用 pg_dump 备份".into(),
        ));
    }
    if out.exists() {
        return Err(crate::ServiceError::Invalid(format!(
            "{} exists already: a backup never overwrites a file / 备份文件已存在",
            out.display()
        )));
    }
    let store = SqliteStore::open_with(location, OpenMode::Existing).await?;
    store.backup(out).await?;
    Ok(store.seal_key_fingerprint().await?)
}
