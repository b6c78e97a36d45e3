//! Running the cross-checks (cross-checks.md) and working through their leads (domain.md §7).
//!
//! A run reads the registry and every source's current copy, applies the rules (pure, in
//! `jingzhun_domain::checks`), and records the findings as leads in one transaction, compared
//! with the leads open before. A lead is an indication, never proof: nothing is removed,
//! stopped or published here; an officer records what verification found.

use std::collections::BTreeSet;

use jingzhun_domain::access::{Account, Role};
use jingzhun_domain::area::AreaCode;
use jingzhun_domain::audit::AuditEvent;
use jingzhun_domain::checks::{self, CheckParams, Finding, Rule, Verification};
use jingzhun_domain::money::Yuan;
use jingzhun_domain::standards::StandardKey;
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_store::Store;
use jingzhun_store::checks::{LeadRecord, NewCheckRun, RunComparison};
use serde::Serialize;

use crate::ServiceError;

/// What to run, for whom.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    pub actor: String,
    /// Only findings routed within these areas are recorded (`None`: everywhere).
    pub within: Option<Vec<AreaCode>>,
    /// `None`: every rule.
    pub rules: Option<BTreeSet<Rule>>,
    /// The check year; defaults to the year of the figures (`summary::figures_year`).
    pub year: Option<i32>,
    pub capital_threshold: Option<Yuan>,
}

/// Where a run is, for a progress bar.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum CheckProgress {
    Loading,
    Rule {
        rule: Rule,
        done: usize,
        total: usize,
    },
    Saving {
        findings: usize,
    },
}

/// What a run did.
#[derive(Debug, Clone, Serialize)]
pub struct CheckSummary {
    pub run_id: i64,
    pub year: i32,
    pub comparison: RunComparison,
    pub notes: Vec<String>,
    /// The findings recorded, in `findings.csv` order.
    #[serde(skip)]
    pub findings: Vec<Finding>,
    /// Seconds spent reading, applying the rules, recording.
    pub seconds: [f64; 3],
}

/// Reads a comma-separated list of rule codes (`R03,R07`).
pub fn parse_rules(text: &str) -> Result<BTreeSet<Rule>, ServiceError> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            Rule::from_code(&t.to_ascii_uppercase()).ok_or_else(|| {
                ServiceError::Invalid(format!(
                    "unknown rule {t:?}: the rules are {}",
                    Rule::ALL
                        .iter()
                        .map(|r| r.code())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })
        })
        .collect()
}

/// Runs the cross-checks and records their leads.
pub async fn run_checks(
    store: &dyn Store,
    opts: &CheckOptions,
    progress: &(dyn Fn(&CheckProgress) + Send + Sync),
) -> Result<CheckSummary, ServiceError> {
    let started = std::time::Instant::now();
    let year = match opts.year {
        Some(y) => y,
        // The year of the figures of the run's area (one area) or of everywhere.
        None => {
            let area = match opts.within.as_deref() {
                Some([one]) => Some(one),
                _ => None,
            };
            crate::summary::figures_year(store, area, None)
                .await?
                .map(|y| y.year)
                .ok_or_else(|| {
                    ServiceError::Invalid(
                        "the registry is empty: import it before running checks".into(),
                    )
                })?
        }
    };
    let mut params = CheckParams::defaults(year);
    params.standards = crate::standards::in_force(store).await?;
    if let Some(rules) = &opts.rules {
        if rules.is_empty() {
            return Err(ServiceError::Invalid("no rule to run".into()));
        }
        params.rules = rules.clone();
    }
    if let Some(t) = opts.capital_threshold {
        params.capital_threshold = t;
    }
    progress(&CheckProgress::Loading);
    let (data, sources) = tokio::try_join!(store.check_data(), store.source_imports())?;
    let loaded = started.elapsed();

    let (outcome, params) = {
        // Progress reaches the caller as each rule ends, while the rules run.
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<CheckProgress>();
        let work = tokio::task::spawn_blocking(move || {
            let out = checks::run(&data, &params, &mut |rule, done, total| {
                let _ = tx.send(CheckProgress::Rule { rule, done, total });
            });
            // A province's data take a while to free: let another thread do it.
            std::thread::spawn(move || drop(data));
            (out, params)
        });
        tokio::pin!(work);
        let result = loop {
            tokio::select! {
                Some(p) = rx.recv() => progress(&p),
                r = &mut work => break r,
            }
        };
        while let Ok(p) = rx.try_recv() {
            progress(&p);
        }
        result.map_err(|e| ServiceError::Invalid(format!("the checks stopped: {e}")))?
    };
    let ruled = started.elapsed();
    let mut findings = outcome.findings;
    if let Some(within) = &opts.within {
        findings.retain(|f| {
            f.village
                .is_some_and(|v| within.iter().any(|a| a.contains(&v)))
        });
    }
    progress(&CheckProgress::Saving {
        findings: findings.len(),
    });

    let rules: Vec<Rule> = params.rules.iter().copied().collect();
    let sources_json = serde_json::to_string(
        &sources
            .iter()
            .map(|s| {
                serde_json::json!({
                    "kind": s.kind.code(), "rows": s.rows, "import": s.import.id,
                    "digest": s.import.digest, "file": s.import.source,
                    "imported_at": s.import.started_at,
                })
            })
            .collect::<Vec<_>>(),
    )
    .map_err(|e| ServiceError::Invalid(e.to_string()))?;
    let params_json = serde_json::json!({
        "year": params.year,
        "reference_date": params.reference_date().to_string(),
        "capital_threshold_fen": params.capital_threshold.fen(),
        "poverty_lines": params
            .standards
            .entries()
            .into_iter()
            .filter(|e| e.key == StandardKey::PovertyLine)
            .map(|e| (e.year, e.region.clone(), e.value))
            .collect::<Vec<_>>(),
    })
    .to_string();
    let mut tx = store.begin().await?;
    let run_id = tx
        .begin_check_run(&NewCheckRun {
            actor: opts.actor.clone(),
            within: opts.within.clone(),
            rules: rules.clone(),
            params: params_json,
            sources: sources_json,
        })
        .await?;
    let comparison = tx
        .record_findings(run_id, opts.within.as_deref(), &rules, &findings)
        .await?;
    tx.finish_check_run(run_id, &outcome.notes, &comparison)
        .await?;
    tx.append_audit(&AuditEvent {
        actor: opts.actor.clone(),
        action: "checks.run".into(),
        subject_kind: "check_run".into(),
        subject_id: run_id.to_string(),
        detail: serde_json::json!({
            "rules": rules.iter().map(|r| r.code()).collect::<Vec<_>>(),
            "within": opts.within.as_ref().map(|w| w.iter().map(|a| a.as_str().to_string()).collect::<Vec<_>>()),
            "findings": comparison.findings, "new": comparison.new_leads,
            "still_open": comparison.still_open, "gone": comparison.gone,
        }),
    })
    .await?;
    tx.commit().await?;
    let done = started.elapsed();
    tracing::info!(
        run = run_id,
        findings = findings.len(),
        "cross-checks recorded"
    );
    Ok(CheckSummary {
        run_id,
        year,
        comparison,
        notes: outcome.notes,
        findings,
        seconds: [
            loaded.as_secs_f64(),
            (ruled - loaded).as_secs_f64(),
            (done - ruled).as_secs_f64(),
        ],
    })
}

/// Whether an account may run the cross-checks: county officers (within their county) and
/// administrators.
pub fn may_run_checks(account: &Account, day: chrono::NaiveDate) -> bool {
    account.has_role(Role::CountyOfficer, day) || account.has_role(Role::Admin, day)
}

/// Records an officer's verification of a lead they reach, refused when the lead is not open or
/// has changed since the officer saw it (`version`).
pub async fn verify_lead(
    store: &dyn Store,
    lead: &LeadRecord,
    version: i64,
    verification: &Verification,
    actor: &str,
) -> Result<LeadRecord, ServiceError> {
    checks::may_verify(lead.state).map_err(|p| ServiceError::Conflict(p.to_string()))?;
    let mut tx = store.begin().await?;
    if !tx
        .verify_lead(lead.id, version, verification, actor)
        .await?
    {
        return Err(ServiceError::Conflict(
            jingzhun_domain::problem::Problem::EditConflict.to_string(),
        ));
    }
    tx.append_audit(&AuditEvent {
        actor: actor.into(),
        action: "leads.verify".into(),
        subject_kind: "lead".into(),
        subject_id: lead.id.to_string(),
        detail: serde_json::json!({
            "rule": lead.rule.code(),
            "before": lead.state.code(),
            "after": verification,
        }),
    })
    .await?;
    tx.commit().await?;
    store.lead(lead.id).await?.ok_or(ServiceError::NotFound {
        what: "lead",
        key: lead.id.to_string(),
    })
}
