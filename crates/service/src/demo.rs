//! The demo: Da'an District (大安区, Zigong, Sichuan; 510304) with its real townships and
//! villages and about 3,000 synthetic households, built once and reused.

use chrono::Datelike;
use jingzhun_domain::area::AreaCode;
use jingzhun_domain::registry::HouseholdId;
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
    // The demo's data are built in steps (registry, populations, other departments' files, a
    // first cross-check run), each its own transaction; the check run is the last. A demo killed
    // half-way (households but no check run) is built again from the start: every step replaces
    // what an earlier attempt left (forced imports, upserted populations), so nothing is reused
    // half-built.
    let has_households = !store.households_page(&county, None, 1).await?.is_empty();
    let finished = has_households && !store.check_runs(1).await?.is_empty();
    let created = !finished;
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
            crate::generate::Extras::WithSources,
        )
        .await?;
        let opts = ImportOptions {
            within: None,
            actor: ACTOR.into(),
            force: true,
            ignore_unknown_columns: false,
            today: today_in_china(),
            ..ImportOptions::default()
        };
        import_registry(
            store,
            &RegistrySource::Folder(dir.path().to_path_buf()),
            &opts,
            &|_| {},
        )
        .await?;
        import_populations(store, &dir.path().join("populations.csv"), ACTOR).await?;
        // Other departments' data, and a first cross-check run, so that leads show.
        let source_opts = crate::sources::SourceImportOptions {
            actor: ACTOR.into(),
            force: true,
            ignore_unknown_columns: false,
            today: today_in_china(),
            // The demo's own generated files: a kind may have no rows in a small county.
            allow_empty: true,
            ..Default::default()
        };
        for kind in
            <jingzhun_domain::sources::SourceKind as jingzhun_domain::vocab::Vocabulary>::ALL
        {
            crate::sources::import_source(
                store,
                *kind,
                &dir.path().join(kind.file()),
                &source_opts,
            )
            .await?;
        }
        crate::checks::run_checks(
            store,
            &crate::checks::CheckOptions {
                actor: ACTOR.into(),
                ..Default::default()
            },
            &|_| {},
        )
        .await?;
    }
    Ok(Demo {
        created,
        summary: area_summary(store, &county, None).await?,
    })
}

/// The password of every demo account (printed by `jingzhun demo`; demo data only).
pub const DEMO_PASSWORD: &str = "Daan-demo-2020";

/// A demo account.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub login: &'static str,
    pub role: jingzhun_domain::access::Role,
    pub area: AreaCode,
    pub area_name: String,
}

/// One account per role, in different areas of the demo county: the county officer, leader,
/// inspector, discipline and finance officers over the county; two township reviewers over
/// two townships (to show that one cannot see the other's households); a village clerk over a
/// village of the first; the administrator. Created once (idempotent).
pub async fn ensure_demo_accounts(store: &dyn Store) -> Result<Vec<DemoAccount>, ServiceError> {
    use jingzhun_domain::access::{Assignment, Role};
    let county = demo_county();
    // The first two townships that have villages with households.
    let mut townships = Vec::new();
    let mut candidates = store.children(Some(&county)).await?;
    // Rural towns (镇, 乡) first: the registry is about villages.
    candidates.sort_by_key(|t| !(t.name.ends_with('镇') || t.name.ends_with('乡')));
    for t in candidates {
        if !store.households_page(&t.code, None, 1).await?.is_empty() {
            townships.push(t);
        }
        if townships.len() == 2 {
            break;
        }
    }
    let [first, second] = <[_; 2]>::try_from(townships).map_err(|_| {
        ServiceError::Invalid("the demo data have fewer than two townships with households".into())
    })?;
    let village = store
        .households_page(&first.code, None, 1)
        .await?
        .into_iter()
        .next()
        .map(|h| h.village_code)
        .ok_or_else(|| ServiceError::Invalid("no demo village".into()))?;
    let village_name = store
        .area(&village)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    let county_name = store
        .area(&county)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    let plan: Vec<(&'static str, &'static str, Role, AreaCode, String)> = vec![
        ("admin", "管理员", Role::Admin, county, county_name.clone()),
        (
            "county",
            "县扶贫办 王敏",
            Role::CountyOfficer,
            county,
            county_name.clone(),
        ),
        (
            "leader",
            "县领导小组 李强",
            Role::Leader,
            county,
            county_name.clone(),
        ),
        (
            "inspector",
            "督查组 赵刚",
            Role::Inspector,
            county,
            county_name.clone(),
        ),
        (
            "discipline",
            "纪委 陈洁",
            Role::DisciplineOfficer,
            county,
            county_name.clone(),
        ),
        (
            "finance",
            "财政局 周平",
            Role::FinanceOfficer,
            county,
            county_name.clone(),
        ),
        (
            "township",
            "乡镇审核 刘洋",
            Role::TownshipReviewer,
            first.code,
            first.name.clone(),
        ),
        (
            "township2",
            "乡镇审核 杨帆",
            Role::TownshipReviewer,
            second.code,
            second.name.clone(),
        ),
        (
            "clerk",
            "村填报员 张红",
            Role::VillageClerk,
            village,
            village_name,
        ),
    ];
    let mut out = Vec::new();
    for (login, name, role, area, area_name) in plan {
        if store.user(login).await?.is_none() {
            let sealed = role == Role::DisciplineOfficer;
            let a = Assignment::new(role, area, None, None, sealed)
                .map_err(|p| ServiceError::Invalid(format!("{login}: {p}")))?;
            crate::users::add_user(store, login, name, DEMO_PASSWORD, a, ACTOR).await?;
        }
        out.push(DemoAccount {
            login,
            role,
            area,
            area_name,
        });
    }
    Ok(out)
}

/// The supervision part of the demo (complaints, inspections, a rectification programme
/// modelled on seed 001, accountability cases), each added once.
pub async fn ensure_supervision_demo(
    store: &dyn Store,
    sealer: &crate::seal::Sealer,
) -> Result<(), ServiceError> {
    crate::complaints::demo(store, sealer).await?;
    crate::inspections::demo(store, sealer).await?;
    crate::rectification::demo(store, sealer).await?;
    crate::accountability::demo(store, sealer).await?;
    Ok(())
}

/// Procedures in the demo, once: the demo clerk's village opens the exit of its pre-exit
/// list in one batch and takes it to its village notice today (so the public site has a
/// notice running), and registers one household's application (identification).
pub async fn ensure_procedure_demo(store: &dyn Store) -> Result<(), ServiceError> {
    use jingzhun_domain::procedure::{Evidence, ProcedureKind, Step};
    let county = demo_county();
    let any = store
        .cases(&jingzhun_store::procedures::CaseQuery {
            within: Some(vec![county]),
            limit: 1,
            ..Default::default()
        })
        .await?;
    let Some(clerk) = store.user("clerk").await? else {
        return Ok(());
    };
    if !any.is_empty() {
        return Ok(());
    }
    let clerk = clerk.account;
    let today = today_in_china();
    let Some(village) = clerk
        .active(today)
        .map(|a| a.area)
        .find(|a| a.level() == jingzhun_domain::AreaLevel::Village)
    else {
        return Ok(());
    };
    // The pre-exit list's exits, or else the returns of exited households no longer meeting
    // the indicators, or else a removal (moved out): each reaches a village notice after
    // three steps.
    let mut batch = (ProcedureKind::Exit, Vec::new(), "");
    for (kind, list, reason) in [
        (
            ProcedureKind::Exit,
            crate::exit::ListKind::Candidates,
            "达到退出标准，列入预退出名单",
        ),
        (
            ProcedureKind::Return,
            crate::exit::ListKind::ExitedNotMeeting,
            "已脱贫户不再达到退出指标，拟纳入返贫",
        ),
        (
            ProcedureKind::Removal,
            crate::exit::ListKind::Blocked,
            "迁出",
        ),
    ] {
        let rows = crate::exit::list(store, &village, None, list).await?;
        let ids: Vec<HouseholdId> = rows
            .iter()
            .take(3)
            .filter_map(|c| HouseholdId::parse(&c.household_id).ok())
            .collect();
        if !ids.is_empty() {
            batch = (kind, ids, reason);
            break;
        }
    }
    let (kind, ids, reason) = batch;
    if !ids.is_empty() {
        let opened = crate::procedures::start_batch(
            store,
            &clerk,
            &ids,
            kind,
            &Evidence::Application {
                by_household: false,
                reason: reason.into(),
            },
            today,
        )
        .await?;
        let mut items: Vec<(i64, i64)> = opened.iter().map(|c| (c.id, c.version)).collect();
        for (step, evidence) in [
            (
                Step::Deliberation,
                Evidence::Meeting {
                    attendees: 32,
                    votes_for: 29,
                    votes_against: 1,
                    record: "村民代表会议逐户评议".into(),
                },
            ),
            (
                Step::Verification,
                Evidence::Visit {
                    findings: "入户核实（八看四查一研判），户主签字认可".into(),
                    household_consents: Some(true),
                },
            ),
            (
                Step::FirstNotice,
                Evidence::Notice {
                    notice_ref: String::new(),
                },
            ),
        ] {
            let done = crate::procedures::act_batch(
                store,
                &clerk,
                &items,
                &crate::procedures::Act::Step { step, evidence },
                today,
            )
            .await?;
            items = done.iter().map(|c| (c.id, c.version)).collect();
        }
    }
    // One application of a household the registry does not hold.
    let village_code = village.as_str().to_string();
    let field = |k: &str, v: &str| (k.to_string(), v.to_string());
    let form = crate::procedures::ApplicationForm {
        household: [
            field("village_code", &village_code),
            field("housing_safe", "否"),
            field("water_safe", "是"),
            field("annual_net_income", "6800"),
            field("income_year", &(today.year() - 1).to_string()),
            field("primary_cause", "因病"),
        ]
        .into_iter()
        .collect(),
        members: vec![
            [
                field("id_number", "51030419720514001X"),
                field("name", "邓德明"),
                field("relation", "户主"),
                field("gender", "男"),
                field("birth_date", "1972-05-14"),
                field("health", "患有大病"),
                field("medical_insurance", "是"),
            ]
            .into_iter()
            .collect(),
        ],
    };
    match crate::procedures::apply(
        store,
        &clerk,
        ProcedureKind::Identification,
        &form,
        Evidence::Application {
            by_household: true,
            reason: "户主患大病，本户申请".into(),
        },
        today,
    )
    .await
    {
        // The demo's synthetic people could, by chance, hold this number: then no application.
        Ok(_) | Err(ServiceError::Rejected(_)) => Ok(()),
        Err(e) => Err(e),
    }
}
