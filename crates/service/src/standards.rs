//! Standards as data (domain.md §4): what is in force, who may change it, what a change would
//! do before it takes effect (what-if), and the audited change itself.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use jingzhun_domain::access::{Account, Role};
use jingzhun_domain::area::AreaCode;
use jingzhun_domain::audit::AuditEvent;
use jingzhun_domain::exit::{self, WhatIf};
use jingzhun_domain::standards::{StandardChange, StandardEntry, Standards};
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_store::Store;
use jingzhun_store::exit::StandardRecord;
use serde::Serialize;

use crate::ServiceError;

/// The standards in force: the shipped defaults overridden by what administrators stored.
pub async fn in_force(store: &dyn Store) -> Result<Standards, ServiceError> {
    let stored = store.standards().await?;
    Ok(Standards::new(
        stored.into_iter().map(|r| r.entry).collect(),
    ))
}

/// One line of the standards table: the entry and, when an administrator set it, who and when.
#[derive(Debug, Clone, Serialize)]
pub struct StandardView {
    pub entry: StandardEntry,
    /// 0 for a shipped default never stored; give it back when changing the slot.
    pub version: i64,
    pub set_by: Option<String>,
    pub set_at: Option<String>,
}

/// Every standard in force, by key, year and region.
pub async fn list(store: &dyn Store) -> Result<Vec<StandardView>, ServiceError> {
    let stored = store.standards().await?;
    let standards = Standards::new(stored.iter().map(|r| r.entry.clone()).collect());
    Ok(standards
        .entries()
        .into_iter()
        .map(|e| {
            let rec = stored.iter().find(|r| r.entry.same_slot(e));
            StandardView {
                entry: e.clone(),
                version: rec.map_or(0, |r| r.version),
                set_by: rec.map(|r| r.set_by.clone()),
                set_at: rec.map(|r| r.set_at.clone()),
            }
        })
        .collect())
}

/// Only administrators change standards (domain.md §1).
pub fn may_change(account: &Account, day: NaiveDate) -> bool {
    account.has_role(Role::Admin, day)
}

/// The year a what-if or an exit evaluation of an area (everywhere for `None`) looks at when
/// none is given: the year of its figures ([`crate::summary::figures_year`]).
pub async fn default_year(
    store: &dyn Store,
    area: Option<&AreaCode>,
    year: Option<i32>,
) -> Result<i32, ServiceError> {
    if let Some(y) = year {
        return Ok(y);
    }
    crate::summary::figures_year(store, area, None)
        .await?
        .map(|y| y.year)
        .ok_or_else(|| ServiceError::Invalid("the registry is empty: import it first".into()))
}

/// Refuses a region no area of the platform has.
async fn check_region(store: &dyn Store, entry: &StandardEntry) -> Result<(), ServiceError> {
    let Some(region) = &entry.region else {
        return Ok(());
    };
    let padded = format!("{region:0<12}");
    let known = match AreaCode::parse(&padded) {
        Ok(code) => store.area(&code).await?.is_some(),
        Err(_) => false,
    };
    if known {
        Ok(())
    } else {
        Err(ServiceError::Invalid(format!(
            "region {region}: no area with this code is known to the platform / 平台中没有此区划代码"
        )))
    }
}

/// What a change would do, and to which year it was applied.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub year: i32,
    pub before: Option<i64>,
    pub after: i64,
    pub what_if: WhatIf,
    /// Village names of the villages in the result.
    pub names: BTreeMap<AreaCode, String>,
    pub households_evaluated: usize,
}

/// Evaluates the registry (within `within`, or everywhere) under the standards in force and
/// under the change, and compares.
pub async fn preview(
    store: &dyn Store,
    change: &StandardChange,
    within: Option<&AreaCode>,
    year: Option<i32>,
) -> Result<Preview, ServiceError> {
    check_region(store, &change.entry).await?;
    let year = default_year(store, within, year).await?;
    let before = in_force(store).await?;
    let after = before.with(change.entry.clone());
    let data = store.exit_data(within).await?;
    let populations: BTreeMap<AreaCode, i64> = store
        .village_populations(within, year)
        .await?
        .into_iter()
        .collect();
    let what_if = exit::what_if(&data, year, &before, &after, &populations);
    let previous = value_in_force(&before, &change.entry, year);
    let mut names = BTreeMap::new();
    let villages = what_if
        .villages
        .keys()
        .chain(what_if.crossings.iter().map(|c| &c.village));
    for v in villages {
        if !names.contains_key(v) {
            let name = store
                .area(v)
                .await?
                .map_or_else(|| v.as_str().to_string(), |a| a.name);
            names.insert(*v, name);
        }
    }
    Ok(Preview {
        year,
        before: previous,
        after: change.entry.value,
        what_if,
        names,
        households_evaluated: data.len(),
    })
}

/// The value in force where a change would apply: the slot's own, else what the region
/// (or the country) gets today for that year.
fn value_in_force(standards: &Standards, e: &StandardEntry, year: i32) -> Option<i64> {
    if let Some(own) = standards.entries().into_iter().find(|x| x.same_slot(e)) {
        return Some(own.value);
    }
    let year = e.year.unwrap_or(year);
    match &e.region {
        Some(r) => {
            let code = AreaCode::parse(&format!("{r:0<12}")).ok()?;
            standards.value(e.key, year, &code)
        }
        None => standards
            .entries()
            .into_iter()
            .filter(|x| x.key == e.key && x.region.is_none())
            .find(|x| x.year.is_none_or(|y| y == year))
            .map(|x| x.value),
    }
}

/// Stores a change if the slot is still at `version` (0 for a default never stored), with an
/// audit entry holding the reason, before and after.
pub async fn change(
    store: &dyn Store,
    actor: &str,
    change: &StandardChange,
    version: i64,
) -> Result<StandardRecord, ServiceError> {
    check_region(store, &change.entry).await?;
    let before = in_force(store).await?;
    let e = &change.entry;
    let year = chrono::Datelike::year(&crate::today_in_china());
    let previous = value_in_force(&before, e, year);
    let previous_source = before
        .entries()
        .into_iter()
        .find(|x| x.same_slot(e))
        .map(|x| x.source.clone());
    let mut tx = store.begin().await?;
    if !tx.put_standard(e, version, actor).await? {
        return Err(ServiceError::Conflict(
            "this standard was changed meanwhile; reload it and try again / 此标准已被他人修改，请刷新后重试"
                .into(),
        ));
    }
    tx.append_audit(&AuditEvent {
        actor: actor.into(),
        action: "standards.change".into(),
        subject_kind: "standard".into(),
        subject_id: slot_id(e),
        detail: serde_json::json!({
            "key": e.key.code(),
            "year": e.year,
            "region": e.region,
            "before": previous,
            "before_source": previous_source,
            "after": e.value,
            "reason": e.source,
        }),
    })
    .await?;
    tx.commit().await?;
    let stored = store.standards().await?;
    stored
        .into_iter()
        .find(|r| r.entry.same_slot(e))
        .ok_or_else(|| ServiceError::NotFound {
            what: "standard",
            key: slot_id(e),
        })
}

/// The audit subject of a slot: `key/year/region` ("*" for every year, "" for the country).
pub fn slot_id(e: &StandardEntry) -> String {
    format!(
        "{}/{}/{}",
        e.key.code(),
        e.year.map_or_else(|| "*".to_string(), |y| y.to_string()),
        e.region.as_deref().unwrap_or("")
    )
}
