//! The yearly dynamic adjustment of a village (动态调整, domain.md §5, §11.5): its submission
//! by the clerk and approval by the township (or return with a note), the lock that follows
//! (imports refuse the village's rows of that year: `registry_import`), what the updated data
//! propose (exits, returns, monitoring entries, risk eliminations, removals) and the households
//! not updated for more than 24 months (listed for review, as Brazil's Cadastro Único does).

use chrono::NaiveDate;
use jingzhun_domain::AreaCode;
use jingzhun_domain::access::Account;
use jingzhun_domain::audit::AuditEvent;
use jingzhun_domain::exit::{self, ExitParams};
use jingzhun_domain::procedure::ProcedureKind;
use jingzhun_domain::registry::HouseholdId;
use jingzhun_domain::update::{self as rules, UpdateRefusal};
use jingzhun_domain::vocab::HouseholdStatus;
use jingzhun_store::Store;
use jingzhun_store::updates::UpdateRecord;
use serde::Serialize;

use crate::{Denial, ServiceError};

/// Records not written for this many months are listed for review.
pub const STALE_MONTHS: u32 = 24;

fn denied(r: UpdateRefusal) -> ServiceError {
    let kind = match r {
        UpdateRefusal::WrongRole { .. } => Denial::Forbidden,
        UpdateRefusal::NoteRequired | UpdateRefusal::NoteTooLong => Denial::Invalid,
        _ => Denial::Conflict,
    };
    ServiceError::denied(kind, r.zh(), &r)
}

fn village_in_reach(
    account: &Account,
    village: &AreaCode,
    today: NaiveDate,
) -> Result<(), ServiceError> {
    if village.level() == jingzhun_domain::AreaLevel::Village && account.may_reach(village, today) {
        Ok(())
    } else {
        Err(ServiceError::NotFound {
            what: "village",
            key: village.as_str().to_string(),
        })
    }
}

/// A village's update for a year, if the account reaches the village.
pub async fn of_village(
    store: &dyn Store,
    account: &Account,
    village: &AreaCode,
    year: i32,
    today: NaiveDate,
) -> Result<Option<UpdateRecord>, ServiceError> {
    village_in_reach(account, village, today)?;
    Ok(store.annual_update(village, year).await?)
}

const CHANGED: &str = "this update changed meanwhile; reload it / 此更新已被他人修改，请刷新";

/// The village's update as the writer saw it at `version` (0: none yet), else 409.
async fn seen_at(
    store: &dyn Store,
    account: &Account,
    village: &AreaCode,
    year: i32,
    version: i64,
    today: NaiveDate,
) -> Result<Option<UpdateRecord>, ServiceError> {
    let current = of_village(store, account, village, year, today).await?;
    if current.as_ref().map_or(0, |c| c.version) == version {
        Ok(current)
    } else {
        Err(ServiceError::Conflict(CHANGED.into()))
    }
}

async fn write(
    store: &dyn Store,
    account: &Account,
    record: UpdateRecord,
    version: i64,
    action: &str,
) -> Result<UpdateRecord, ServiceError> {
    let mut tx = store.begin().await?;
    if !tx.put_annual_update(&record, version).await? {
        return Err(ServiceError::Conflict(CHANGED.into()));
    }
    let u = &record.update;
    tx.append_audit(&AuditEvent {
        actor: format!("user:{}", account.login.as_str()),
        action: action.into(),
        subject_kind: "annual_update".into(),
        subject_id: format!("{}:{}", u.village.as_str(), u.year),
        detail: serde_json::json!({ "state": u.state.code(), "note": u.note }),
    })
    .await?;
    tx.commit().await?;
    store
        .annual_update(&u.village, u.year)
        .await?
        .ok_or(ServiceError::NotFound {
            what: "annual update",
            key: u.village.as_str().to_string(),
        })
}

/// The clerk submits the village's update for `year` (seen at `version`; 0 when none yet).
pub async fn submit(
    store: &dyn Store,
    account: &Account,
    village: &AreaCode,
    year: i32,
    version: i64,
    today: NaiveDate,
) -> Result<UpdateRecord, ServiceError> {
    let current = seen_at(store, account, village, year, version, today).await?;
    let next = rules::submit(
        current.as_ref().map(|c| &c.update),
        account,
        *village,
        year,
        today,
    )
    .map_err(denied)?;
    let record = UpdateRecord {
        update: next,
        version,
    };
    write(store, account, record, version, "annual_update.submit").await
}

/// The township approves (locking the village's data of the year) or returns the update.
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    store: &dyn Store,
    account: &Account,
    village: &AreaCode,
    year: i32,
    approve: bool,
    note: &str,
    version: i64,
    today: NaiveDate,
) -> Result<UpdateRecord, ServiceError> {
    let current = seen_at(store, account, village, year, version, today).await?;
    let next = rules::decide(
        current.as_ref().map(|c| &c.update),
        account,
        approve,
        note,
        today,
    )
    .map_err(denied)?;
    let record = UpdateRecord {
        update: next,
        version,
    };
    let action = if approve {
        "annual_update.approve"
    } else {
        "annual_update.return"
    };
    write(store, account, record, version, action).await
}

/// A household the updated data propose a procedure for.
#[derive(Debug, Clone, Serialize)]
pub struct ProposalRow {
    pub household_id: String,
    pub village: AreaCode,
    pub status: HouseholdStatus,
    pub head: String,
    pub per_capita_fen: i64,
    pub kind: ProcedureKind,
    pub why_zh: &'static str,
    pub why_en: &'static str,
    /// A case of this household is in progress already (the proposal waits for it).
    pub case_in_progress: bool,
}

/// What the data of the villages within an area propose, by household number.
pub async fn proposals(
    store: &dyn Store,
    account: &Account,
    within: &AreaCode,
    today: NaiveDate,
) -> Result<Vec<ProposalRow>, ServiceError> {
    if !account.may_reach(within, today) {
        return Err(ServiceError::NotFound {
            what: "area",
            key: within.as_str().to_string(),
        });
    }
    let standards = crate::standards::in_force(store).await?;
    let data = store.exit_data(Some(within)).await?;
    let in_progress: std::collections::HashSet<String> = store
        .cases(&jingzhun_store::procedures::CaseQuery {
            within: Some(vec![*within]),
            household_id: None,
            in_progress: true,
            next_role: None,
            limit: 5000,
        })
        .await?
        .into_iter()
        .map(|c| c.household_id)
        .collect();
    // Households named by a lead confirmed with the removal procedure to follow (a person's
    // lead names the households the person is a member of).
    let removal_leads = households_with_confirmed_removal(store, within).await?;
    let mut rows = Vec::new();
    for h in &data {
        let p = ExitParams {
            year: h.facts.income_year,
            standards: &standards,
        };
        let e = exit::evaluate(&h.facts, &h.members, &p);
        // Income per living member, as the exit indicator reads it.
        let per_capita_fen = e
            .results
            .iter()
            .find_map(|r| match r.evidence {
                exit::Evidence::Income { per_capita_fen, .. } => Some(per_capita_fen),
                _ => None,
            })
            .unwrap_or(h.facts.income_fen / h.members.len().max(1) as i64);
        let below = standards
            .monitoring_line(h.facts.income_year, &h.facts.village)
            .is_some_and(|line| per_capita_fen < line * 100);
        let all_dead = !h.members.is_empty() && h.members.iter().all(|m| m.deceased_on.is_some());
        let by_lead = removal_leads.contains(&h.facts.id);
        if let Some(prop) = rules::propose(h.facts.status, &e, below, all_dead, by_lead) {
            rows.push(ProposalRow {
                household_id: h.facts.id.clone(),
                village: h.facts.village,
                status: h.facts.status,
                head: String::new(),
                per_capita_fen,
                kind: prop.kind,
                why_zh: prop.why_zh,
                why_en: prop.why_en,
                case_in_progress: in_progress.contains(&h.facts.id),
            });
        }
    }
    let heads = crate::exit::heads_of(store, rows.iter().map(|r| r.household_id.as_str())).await?;
    for r in &mut rows {
        if let Some(name) = heads.get(&r.household_id) {
            r.head = name.clone();
        }
    }
    Ok(rows)
}

/// The households within an area that a lead confirmed with the removal action names.
async fn households_with_confirmed_removal(
    store: &dyn Store,
    within: &AreaCode,
) -> Result<std::collections::HashSet<String>, ServiceError> {
    use jingzhun_domain::checks::{LeadAction, LeadState, SubjectKind};
    let mut out = std::collections::HashSet::new();
    let mut offset = 0;
    loop {
        let page = store
            .leads(&jingzhun_store::checks::LeadQuery {
                within: Some(vec![*within]),
                rule: None,
                state: Some(LeadState::Confirmed),
                offset,
                limit: 1000,
            })
            .await?;
        let n = page.len() as i64;
        for l in page
            .into_iter()
            .filter(|l| l.action == Some(LeadAction::Removal))
        {
            match l.subject_kind {
                SubjectKind::Household => {
                    out.insert(l.subject_id);
                }
                SubjectKind::Person => {
                    let found = store
                        .search_households(&jingzhun_store::HouseholdQuery {
                            within: Some(vec![*within]),
                            text: Some(l.subject_id.clone()),
                            limit: 10,
                            ..Default::default()
                        })
                        .await?;
                    out.extend(found.into_iter().map(|h| h.household_id.to_string()));
                }
                _ => {}
            }
        }
        if n < 1000 {
            return Ok(out);
        }
        offset += n;
    }
}

/// Households within an area not written for more than [`STALE_MONTHS`] months, oldest first.
pub async fn stale(
    store: &dyn Store,
    account: &Account,
    within: &AreaCode,
    now: chrono::DateTime<chrono::Utc>,
    limit: i64,
) -> Result<Vec<(HouseholdId, AreaCode, String)>, ServiceError> {
    if !account.may_reach(within, now.date_naive()) {
        return Err(ServiceError::NotFound {
            what: "area",
            key: within.as_str().to_string(),
        });
    }
    let before = now
        .checked_sub_months(chrono::Months::new(STALE_MONTHS))
        .unwrap_or(now);
    Ok(store.stale_households(within, before, limit).await?)
}

/// The yearly facts of a household a clerk updates by form (the bulk way is the registry
/// import): the year's net income, housing and water. Text as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct FactsForm {
    pub annual_net_income: String,
    pub income_year: String,
    pub housing_safe: String,
    pub water_safe: String,
}

/// Updates a household's yearly facts within the account's registry area, unless the
/// village's update of that income year is approved (locked: a procedure changes it). The
/// status never changes here. The parts of the net income, if recorded, are cleared (the form
/// gives the net only). One transaction with its audit entry (before and after).
pub async fn update_facts(
    store: &dyn Store,
    account: &Account,
    id: &HouseholdId,
    form: &FactsForm,
    today: NaiveDate,
) -> Result<jingzhun_domain::registry::Household, ServiceError> {
    use jingzhun_domain::registry::{parse_bool, parse_year};
    let not_found = || ServiceError::NotFound {
        what: "household",
        key: id.as_str().to_string(),
    };
    let mut h = store.household(id).await?.ok_or_else(not_found)?;
    if !account.may_reach(&h.village_code, today) {
        return Err(not_found());
    }
    if !account.keeps_registry(today) {
        return Err(ServiceError::Forbidden);
    }
    let mut report = jingzhun_interchange::Report::default();
    let mut bad = |column: &str, value: &str, problem| {
        report.push(jingzhun_interchange::ImportError {
            file: "form".into(),
            line: 1,
            column: column.into(),
            value: value.chars().take(40).collect(),
            problem,
        })
    };
    let income = jingzhun_domain::Yuan::parse(&form.annual_net_income)
        .map_err(|p| bad("annual_net_income", &form.annual_net_income, p))
        .ok();
    let year = parse_year(&form.income_year, today)
        .map_err(|p| bad("income_year", &form.income_year, p))
        .ok();
    let housing = parse_bool(&form.housing_safe)
        .map_err(|p| bad("housing_safe", &form.housing_safe, p))
        .ok();
    let water = parse_bool(&form.water_safe)
        .map_err(|p| bad("water_safe", &form.water_safe, p))
        .ok();
    if let Some(y) = year
        && let Some((_, locked)) = store
            .approved_updates(Some(&h.village_code))
            .await?
            .into_iter()
            .find(|(v, _)| *v == h.village_code)
        && locked >= y
    {
        bad(
            "income_year",
            &form.income_year,
            jingzhun_domain::Problem::UpdateLocked { year: locked },
        );
    }
    let (Some(income), Some(year), Some(housing), Some(water), true) =
        (income, year, housing, water, report.is_empty())
    else {
        return Err(ServiceError::Rejected(report));
    };
    let before = serde_json::json!({
        "annual_net_income_fen": h.annual_net_income.fen(), "income_year": h.income_year,
        "housing_safe": h.housing_safe, "water_safe": h.water_safe,
    });
    h.annual_net_income = income;
    h.income_year = year;
    h.housing_safe = housing;
    h.water_safe = water;
    h.income_components = None;
    let members = store.persons_of(std::slice::from_ref(id)).await?;
    let mut tx = store.begin().await?;
    let import_id = tx
        .begin_import(&jingzhun_store::NewImport {
            kind: "form".into(),
            digest: {
                use sha2::{Digest, Sha256};
                hex::encode(Sha256::digest(
                    format!(
                        "{}:{}:{}",
                        id.as_str(),
                        chrono::Utc::now().to_rfc3339(),
                        year
                    )
                    .as_bytes(),
                ))
            },
            source: "表单 / form".into(),
            actor: format!("user:{}", account.login.as_str()),
            forced: false,
        })
        .await?;
    // Replacing a household drops its members; they are written back unchanged.
    tx.put_households(&[], std::slice::from_ref(&h), import_id)
        .await?;
    tx.put_persons(&members, jingzhun_store::WriteMode::Insert)
        .await?;
    tx.finish_import(import_id, 1, members.len() as i64).await?;
    tx.append_audit(&AuditEvent {
        actor: format!("user:{}", account.login.as_str()),
        action: "household.update".into(),
        subject_kind: "household".into(),
        subject_id: id.as_str().to_string(),
        detail: serde_json::json!({
            "before": before,
            "after": {
                "annual_net_income_fen": h.annual_net_income.fen(), "income_year": h.income_year,
                "housing_safe": h.housing_safe, "water_safe": h.water_safe,
            },
        }),
    })
    .await?;
    tx.commit().await?;
    Ok(h)
}
