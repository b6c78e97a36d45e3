//! Opening a store: the backend is picked by the URL (`postgres://` or `postgresql://` for
//! PostgreSQL; a path or `sqlite://` for SQLite).

use std::sync::Arc;

use jingzhun_store::{Store, StoreError};
use jingzhun_store_postgres::PgStore;
use jingzhun_store_sqlite::SqliteStore;

/// The database used when none is named.
pub const DEFAULT_DATABASE: &str = "jingzhun.db";

/// Opens and migrates the store at `location`.
pub async fn connect(location: &str) -> Result<Arc<dyn Store>, StoreError> {
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::open(location).await?))
    } else if location.contains("://") && !location.starts_with("sqlite://") {
        Err(StoreError::UnsupportedUrl(
            location.split("://").next().unwrap_or("").to_string(),
        ))
    } else {
        Ok(Arc::new(SqliteStore::open(location).await?))
    }
}
