//! The demo: Da'an District (大安区, Zigong, Sichuan; 510304) with its real townships and
//! villages and about 3,000 synthetic households, built once and reused.

use jingzhun_domain::area::AreaCode;
use jingzhun_store::Store;

use crate::areas::{DIVISION_FILES, import_areas, import_populations};
use crate::registry_import::{ImportOptions, RegistrySource, import_registry};
use crate::summary::{AreaSummary, area_summary};
use crate::{ServiceError, today_in_china};

/// The demo county.
pub const DEMO_COUNTY: &str = "510304";
/// Households generated for the demo.
pub const DEMO_HOUSEHOLDS: u64 = 3000;
/// The generator's seed: the same demo every time.
pub const DEMO_SEED: u64 = 20_201_231;
/// The income year of the demo data.
pub const DEMO_YEAR: i32 = 2020;
const ACTOR: &str = "system:demo";

/// The shipped part of the national division codes (see `data/areas/README.md`).
const DAAN_AREAS: [&str; 5] = [
    include_str!("../../../data/areas/510304/provinces.csv"),
    include_str!("../../../data/areas/510304/cities.csv"),
    include_str!("../../../data/areas/510304/areas.csv"),
    include_str!("../../../data/areas/510304/streets.csv"),
    include_str!("../../../data/areas/510304/villages.csv"),
];

/// The demo county's code.
pub fn demo_county() -> AreaCode {
    AreaCode::parse_short(DEMO_COUNTY)
        .unwrap_or_else(|_| unreachable!("the demo county code is valid"))
}

/// Loads the shipped Da'an areas (idempotent).
pub async fn load_bundled_areas(store: &dyn Store) -> Result<(), ServiceError> {
    let dir =
        tempfile::tempdir().map_err(|e| ServiceError::io(std::path::Path::new("(temp)"), e))?;
    for ((file, _, _), text) in DIVISION_FILES.iter().zip(DAAN_AREAS) {
        let p = dir.path().join(file);
        std::fs::write(&p, text).map_err(|e| ServiceError::io(&p, e))?;
    }
    import_areas(store, dir.path(), ACTOR).await?;
    Ok(())
}

/// What `demo` found or built.
#[derive(Debug)]
pub struct Demo {
    /// Whether the data were built now (`false`: an existing demo database was reused).
    pub created: bool,
    pub summary: AreaSummary,
}

/// Builds the demo data in `store` unless they are there already, then summarises by township.
pub async fn ensure_demo(store: &dyn Store) -> Result<Demo, ServiceError> {
    let county = demo_county();
    if store.area(&county).await?.is_none() {
        load_bundled_areas(store).await?;
    }
    let created = store.households_page(&county, None, 1).await?.is_empty();
    if created {
        let dir =
            tempfile::tempdir().map_err(|e| ServiceError::io(std::path::Path::new("(temp)"), e))?;
        crate::generate::generate(
            store,
            &county,
            DEMO_HOUSEHOLDS,
            DEMO_SEED,
            DEMO_YEAR,
            dir.path(),
        )
        .await?;
        let opts = ImportOptions {
            actor: ACTOR.into(),
            force: true,
            ignore_unknown_columns: false,
            today: today_in_china(),
        };
        import_registry(
            store,
            &RegistrySource::Folder(dir.path().to_path_buf()),
            &opts,
            &|_| {},
        )
        .await?;
        import_populations(store, &dir.path().join("populations.csv"), ACTOR).await?;
    }
    Ok(Demo {
        created,
        summary: area_summary(store, &county).await?,
    })
}
