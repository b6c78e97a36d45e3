//! The implementation of [`Store`](crate::Store) and [`Tx`](crate::Tx) shared by the SQL
//! backends. The backends differ only in the database type, how a write transaction begins
//! (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: `BEGIN`) and how the audit head is locked
//! (PostgreSQL: `SELECT ... FOR UPDATE`); everything else is this one text, written once.
//!
//! A backend crate declares its store (with a `pool` field) and its transaction type
//! (with a `tx` field and `From<Transaction<'static, DB>>`), gives the transaction the two
//! bulk writers `insert_households(&mut self, &[Household], import_id, now, WriteMode)` and
//! `insert_persons(&mut self, &[Person], WriteMode)` (the one place where the backends' fastest paths
//! differ), then invokes [`sql_store!`].

/// Implements `Store` and `Tx` for a backend. See the module documentation.
#[macro_export]
macro_rules! sql_store {
    (
        store: $store:ty,
        tx: $tx:ty,
        db: $db:ty,
        backend: $backend:expr,
        begin: $begin:expr,
        audit_head_for_update: $head_sql:expr,
        refresh_statistics: $analyze:expr $(,)?
    ) => {
        // A child module, so that these imports never collide with the backend's own.
        mod sql_store_impl {
        #![allow(unused_imports)]
        use super::*;
        use $crate::__private::{
            chrono::Utc, sqlx, sqlx::{QueryBuilder, Transaction},
            jingzhun_domain::area::{Area, AreaCode, AreaLevel},
            jingzhun_domain::audit::{AuditEntry, AuditEvent},
            jingzhun_domain::registry::{Household, HouseholdId, Person},
            jingzhun_domain::vocab::{HouseholdStatus, Vocabulary},
        };
        use $crate::rows::{
            AreaRow, AuditRow, HouseholdParams, HouseholdRow, ImportRow, PersonParams, PersonRow,
            area_code, household_id,
        };
        use $crate::sql::{self, code_range};
        use $crate::{AreaDesignation, AreaPopulation, ChildCounts, ImportRecord, NewImport, Result, StoreError};

        /// Rows per multi-row INSERT (15 parameters each: well under both backends' limits).
        const CHUNK: usize = 1000;


        #[$crate::__private::async_trait::async_trait]
                impl $crate::Store for $store {
            fn backend(&self) -> Backend {
                $backend
            }

            async fn begin(&self) -> Result<Box<dyn $crate::Tx + '_>> {
                let tx = self.pool.begin_with($begin).await?;
                Ok(Box::new(<$tx>::from(tx)))
            }

            async fn area(&self, code: &AreaCode) -> Result<Option<Area>> {
                let row: Option<AreaRow> = sqlx::query_as(sql::AREA).bind(code.as_str()).fetch_optional(&self.pool).await?;
                row.map(Area::try_from).transpose()
            }

            async fn children(&self, parent: Option<&AreaCode>) -> Result<Vec<Area>> {
                let rows: Vec<AreaRow> = match parent {
                    None => sqlx::query_as(sql::PROVINCES).fetch_all(&self.pool).await?,
                    Some(p) => sqlx::query_as(sql::CHILDREN).bind(p.as_str()).fetch_all(&self.pool).await?,
                };
                rows.into_iter().map(Area::try_from).collect()
            }

            async fn area_counts(&self) -> Result<std::collections::HashMap<AreaLevel, i64>> {
                let rows: Vec<(i64, i64)> = sqlx::query_as(sql::AREA_COUNTS).fetch_all(&self.pool).await?;
                Ok(rows.into_iter().filter_map(|(l, n)| AreaLevel::from_number(l).map(|l| (l, n))).collect())
            }

            async fn village_codes(&self, within: Option<&AreaCode>) -> Result<Vec<AreaCode>> {
                let (lo, hi) = within.map_or_else(|| code_range(""), |c| code_range(c.prefix()));
                let rows: Vec<(String,)> = sqlx::query_as(sql::VILLAGES_WITHIN).bind(lo).bind(hi).fetch_all(&self.pool).await?;
                rows.iter().map(|(c,)| area_code(c)).collect()
            }

            async fn designations(&self, within: &AreaCode) -> Result<Vec<AreaDesignation>> {
                let (lo, hi) = code_range(within.prefix());
                let rows: Vec<(String, String, Option<i32>, Option<i32>)> =
                    sqlx::query_as(sql::DESIGNATIONS_WITHIN).bind(lo).bind(hi).fetch_all(&self.pool).await?;
                rows.into_iter()
                    .map(|(c, d, y, e)| {
                        Ok(AreaDesignation {
                            area_code: area_code(&c)?,
                            designation: Vocabulary::from_code(&d)
                                .ok_or_else(|| StoreError::Corrupt(format!("designation {d:?}")))?,
                            designated_year: y,
                            exit_year: e,
                        })
                    })
                    .collect()
            }

            async fn child_populations(&self, parent: &AreaCode, year: i32) -> Result<Vec<(AreaCode, i64)>> {
                let digits = $crate::sql::child_digits(parent);
                let (lo, hi) = code_range(parent.prefix());
                let rows: Vec<(String, i64)> = sqlx::query_as(sql::CHILD_POPULATIONS)
                    .bind(digits)
                    .bind(year)
                    .bind(lo)
                    .bind(hi)
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map(|(c, n)| Ok(($crate::sql::short_code(&c)?, n))).collect()
            }

            async fn household(&self, id: &HouseholdId) -> Result<Option<Household>> {
                let row: Option<HouseholdRow> =
                    sqlx::query_as(sql::HOUSEHOLD_BY_ID).bind(id.as_str()).fetch_optional(&self.pool).await?;
                row.map(Household::try_from).transpose()
            }

            async fn households_page(&self, within: &AreaCode, after: Option<&HouseholdId>, limit: i64) -> Result<Vec<Household>> {
                let (lo, hi) = code_range(within.prefix());
                let q = format!(
                    "{} WHERE village_code BETWEEN $1 AND $2 AND household_id > $3 ORDER BY household_id LIMIT $4",
                    sql::HOUSEHOLD_SELECT
                );
                let rows: Vec<HouseholdRow> = sqlx::query_as(&q)
                    .bind(lo)
                    .bind(hi)
                    .bind(after.map_or("", |a| a.as_str()))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map(Household::try_from).collect()
            }

            async fn search_households(&self, q: &$crate::HouseholdQuery) -> Result<Vec<Household>> {
                let Some(mut b) = __household_search("", q) else {
                    return Ok(Vec::new());
                };
                let rows: Vec<HouseholdRow> = b.build_query_as().fetch_all(&self.pool).await?;
                rows.into_iter().map(Household::try_from).collect()
            }

            async fn persons_of(&self, households: &[HouseholdId]) -> Result<Vec<Person>> {
                let mut out = Vec::new();
                for chunk in households.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new(sql::PERSON_SELECT);
                    q.push(" WHERE household_id IN (");
                    let mut sep = q.separated(", ");
                    for h in chunk {
                        sep.push_bind(h.as_str());
                    }
                    q.push(") ORDER BY household_id, id_number");
                    let rows: Vec<PersonRow> = q.build_query_as().fetch_all(&self.pool).await?;
                    for r in rows {
                        out.push(Person::try_from(r)?);
                    }
                }
                Ok(out)
            }

            async fn child_counts(&self, parent: &AreaCode) -> Result<Vec<ChildCounts>> {
                let digits = $crate::sql::child_digits(parent);
                let (lo, hi) = code_range(parent.prefix());
                let households: Vec<(String, String, i64)> = sqlx::query_as(sql::CHILD_HOUSEHOLD_COUNTS)
                    .bind(digits)
                    .bind(&lo)
                    .bind(&hi)
                    .fetch_all(&self.pool)
                    .await?;
                let persons: Vec<(String, String, i64)> = sqlx::query_as(sql::CHILD_PERSON_COUNTS)
                    .bind(digits)
                    .bind(&lo)
                    .bind(&hi)
                    .fetch_all(&self.pool)
                    .await?;
                $crate::sql::merge_counts(households, persons)
            }

            async fn registry_is_empty(&self) -> Result<bool> {
                let row: Option<(String,)> = sqlx::query_as(sql::ANY_HOUSEHOLD).fetch_optional(&self.pool).await?;
                Ok(row.is_none())
            }

            async fn latest_income_year(&self, within: Option<&AreaCode>) -> Result<Option<i32>> {
                let (lo, hi) = code_range(within.map_or("", |c| c.prefix()));
                let (y,): (Option<i32>,) = sqlx::query_as(sql::LATEST_INCOME_YEAR)
                    .bind(lo)
                    .bind(hi)
                    .fetch_one(&self.pool)
                    .await?;
                Ok(y)
            }

            async fn population_years(&self, within: Option<&AreaCode>) -> Result<Vec<i32>> {
                let (lo, hi) = code_range(within.map_or("", |c| c.prefix()));
                let rows: Vec<(i32,)> = sqlx::query_as(sql::POPULATION_YEARS)
                    .bind(lo)
                    .bind(hi)
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows.into_iter().map(|(y,)| y).collect())
            }

            async fn status_counts(&self, code: &AreaCode) -> Result<jingzhun_domain::summary::StatusCounts> {
                // The child queries grouped by the area's own prefix: one group, the area.
                let digits = code.prefix().len() as i32;
                let (lo, hi) = code_range(code.prefix());
                let households: Vec<(String, String, i64)> = sqlx::query_as(sql::CHILD_HOUSEHOLD_COUNTS)
                    .bind(digits)
                    .bind(&lo)
                    .bind(&hi)
                    .fetch_all(&self.pool)
                    .await?;
                let persons: Vec<(String, String, i64)> = sqlx::query_as(sql::CHILD_PERSON_COUNTS)
                    .bind(digits)
                    .bind(&lo)
                    .bind(&hi)
                    .fetch_all(&self.pool)
                    .await?;
                Ok($crate::sql::merge_counts(households, persons)?
                    .into_iter()
                    .map(|c| c.counts)
                    .fold(Default::default(), |mut all, c| {
                        all.merge(&c);
                        all
                    }))
            }

            async fn user(&self, login: &str) -> Result<Option<$crate::UserRecord>> {
                let q = format!("{} WHERE login = $1", sql::USER_SELECT);
                let Some(u): Option<$crate::rows::UserRow> =
                    sqlx::query_as(&q).bind(login).fetch_optional(&self.pool).await?
                else {
                    return Ok(None);
                };
                let roles: Vec<$crate::rows::RoleRow> =
                    sqlx::query_as(sql::USER_ROLES_OF).bind(u.id).fetch_all(&self.pool).await?;
                $crate::rows::user_record(u, roles).map(Some)
            }

            async fn users(&self) -> Result<Vec<$crate::UserRecord>> {
                let q = format!("{} ORDER BY login", sql::USER_SELECT);
                let users: Vec<$crate::rows::UserRow> = sqlx::query_as(&q).fetch_all(&self.pool).await?;
                let mut roles: Vec<$crate::rows::RoleRow> = sqlx::query_as(sql::USER_ROLES).fetch_all(&self.pool).await?;
                users
                    .into_iter()
                    .map(|u| {
                        let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut roles).into_iter().partition(|r| r.user_id == u.id);
                        roles = rest;
                        $crate::rows::user_record(u, mine)
                    })
                    .collect()
            }

            async fn session(&self, token_hash: &str) -> Result<Option<$crate::SessionRecord>> {
                let row: Option<(String, String, $crate::__private::chrono::DateTime<Utc>)> =
                    sqlx::query_as(sql::SESSION).bind(token_hash).fetch_optional(&self.pool).await?;
                Ok(row.map(|(login, csrf, expires_at)| $crate::SessionRecord { login, csrf, expires_at }))
            }

            async fn session_user(
                &self,
                token_hash: &str,
            ) -> Result<Option<($crate::SessionRecord, $crate::UserRecord)>> {
                type Row = (i64, String, String, String, bool, i32, String, $crate::__private::chrono::DateTime<Utc>);
                let row: Option<Row> =
                    sqlx::query_as(sql::SESSION_USER).bind(token_hash).fetch_optional(&self.pool).await?;
                let Some((id, login, display_name, password_hash, disabled, failed_logins, csrf, expires_at)) = row else {
                    return Ok(None);
                };
                let roles: Vec<$crate::rows::RoleRow> =
                    sqlx::query_as(sql::USER_ROLES_OF).bind(id).fetch_all(&self.pool).await?;
                let session = $crate::SessionRecord { login: login.clone(), csrf, expires_at };
                let user = $crate::rows::user_record(
                    $crate::rows::UserRow { id, login, display_name, password_hash, disabled, failed_logins },
                    roles,
                )?;
                Ok(Some((session, user)))
            }

            async fn create_session(
                &self,
                token_hash: &str,
                user_id: i64,
                csrf: &str,
                expires_at: $crate::__private::chrono::DateTime<Utc>,
            ) -> Result<()> {
                sqlx::query(sql::CREATE_SESSION)
                    .bind(token_hash)
                    .bind(user_id)
                    .bind(csrf)
                    .bind(Utc::now())
                    .bind(expires_at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn delete_session(&self, token_hash: &str) -> Result<()> {
                sqlx::query(sql::DELETE_SESSION).bind(token_hash).execute(&self.pool).await?;
                Ok(())
            }

            async fn import_by_digest(&self, kind: &str, digest: &str) -> Result<Option<ImportRecord>> {
                let row: Option<ImportRow> =
                    sqlx::query_as(sql::IMPORT_BY_DIGEST).bind(kind).bind(digest).fetch_optional(&self.pool).await?;
                Ok(row.map(ImportRecord::from))
            }

            async fn audit_page(&self, after: i64, limit: i64) -> Result<Vec<AuditEntry>> {
                let rows: Vec<AuditRow> = sqlx::query_as(sql::AUDIT_PAGE).bind(after).bind(limit).fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(AuditEntry::from).collect())
            }

            async fn area_profile(&self, within: &AreaCode) -> Result<$crate::AreaProfile> {
                use $crate::__private::jingzhun_domain::vocab::{Cause, Gap};
                let (lo, hi) = code_range(within.prefix());
                let causes: Vec<(Option<String>, i64)> =
                    sqlx::query_as(sql::CAUSE_COUNTS).bind(&lo).bind(&hi).fetch_all(&self.pool).await?;
                let causes = causes
                    .into_iter()
                    .map(|(c, n)| {
                        let cause = c
                            .map(|c| Cause::from_code(&c).ok_or_else(|| StoreError::Corrupt(format!("cause {c:?}"))))
                            .transpose()?;
                        Ok((cause, n))
                    })
                    .collect::<Result<Vec<_>>>()?;
                let (housing, water): (i64, i64) =
                    sqlx::query_as(sql::GAP_HOUSEHOLDS).bind(&lo).bind(&hi).fetch_one(&self.pool).await?;
                let (uninsured, out_of_school): (i64, i64) =
                    sqlx::query_as(sql::GAP_PERSONS).bind(&lo).bind(&hi).fetch_one(&self.pool).await?;
                Ok($crate::AreaProfile {
                    causes,
                    gaps: vec![
                        (Gap::Housing, housing),
                        (Gap::Water, water),
                        (Gap::Uninsured, uninsured),
                        (Gap::OutOfSchool, out_of_school),
                    ],
                })
            }

            async fn household_import(&self, id: &HouseholdId) -> Result<Option<ImportRecord>> {
                let row: Option<ImportRow> =
                    sqlx::query_as(sql::HOUSEHOLD_IMPORT).bind(id.as_str()).fetch_optional(&self.pool).await?;
                Ok(row.map(ImportRecord::from))
            }

            async fn audit_of(&self, subject_kind: &str, subject_id: &str) -> Result<Vec<AuditEntry>> {
                let rows: Vec<AuditRow> = sqlx::query_as(sql::AUDIT_OF)
                    .bind(subject_kind)
                    .bind(subject_id)
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows.into_iter().map(AuditEntry::from).collect())
            }

            async fn refresh_statistics(&self) -> Result<()> {
                let analyze: Option<&str> = $analyze;
                if let Some(statement) = analyze {
                    sqlx::query(statement).execute(&self.pool).await?;
                }
                Ok(())
            }

            async fn source_imports(&self) -> Result<Vec<$crate::checks::SourceImport>> {
                #[derive(sqlx::FromRow)]
                struct Row {
                    kind: String,
                    rows: i64,
                    id: i64,
                    import_kind: String,
                    digest: String,
                    source: String,
                    actor: String,
                    started_at: Utc_DateTime,
                    households: i64,
                    persons: i64,
                    forced: bool,
                }
                type Utc_DateTime = $crate::__private::chrono::DateTime<Utc>;
                let rows: Vec<Row> = sqlx::query_as($crate::checks::SOURCE_IMPORTS).fetch_all(&self.pool).await?;
                rows.into_iter()
                    .map(|r| {
                        Ok($crate::checks::SourceImport {
                            kind: $crate::checks::source_kind(&r.kind)?,
                            rows: r.rows,
                            import: ImportRow {
                                id: r.id,
                                kind: r.import_kind,
                                digest: r.digest,
                                source: r.source,
                                actor: r.actor,
                                started_at: r.started_at,
                                households: r.households,
                                persons: r.persons,
                                forced: r.forced,
                            }
                            .into(),
                        })
                    })
                    .collect()
            }

            async fn check_data(&self) -> Result<$crate::__private::jingzhun_domain::checks::CheckData> {
                self.load_check_data().await
            }

            async fn check_runs(&self, limit: i64) -> Result<Vec<$crate::checks::CheckRunRecord>> {
                let rows: Vec<$crate::checks::CheckRunRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM check_runs ORDER BY id DESC LIMIT $1",
                    $crate::checks::RUN_COLUMNS
                ))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn check_run(&self, id: i64) -> Result<Option<$crate::checks::CheckRunRecord>> {
                let row: Option<$crate::checks::CheckRunRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM check_runs WHERE id = $1",
                    $crate::checks::RUN_COLUMNS
                ))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(Into::into))
            }

            async fn leads(&self, q: &$crate::checks::LeadQuery) -> Result<Vec<$crate::checks::LeadRecord>> {
                let Some(mut b) = __lead_list("", q) else {
                    return Ok(Vec::new());
                };
                let rows: Vec<$crate::checks::LeadRow> = b.build_query_as().fetch_all(&self.pool).await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn count_leads(&self, q: &$crate::checks::LeadQuery) -> Result<i64> {
                let mut b = QueryBuilder::<$db>::new("SELECT COUNT(*) FROM leads");
                if !__lead_filter(&mut b, q) {
                    return Ok(0);
                }
                let (n,): (i64,) = b.build_query_as().fetch_one(&self.pool).await?;
                Ok(n)
            }

            async fn lead(&self, id: i64) -> Result<Option<$crate::checks::LeadRecord>> {
                let row: Option<$crate::checks::LeadRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM leads WHERE id = $1",
                    $crate::checks::LEAD_COLUMNS
                ))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn leads_about(&self, subject_ids: &[String]) -> Result<Vec<$crate::checks::LeadRecord>> {
                if subject_ids.is_empty() {
                    return Ok(Vec::new());
                }
                let mut b = QueryBuilder::<$db>::new(format!(
                    "SELECT {} FROM leads WHERE subject_id IN (",
                    $crate::checks::LEAD_COLUMNS
                ));
                let mut sep = b.separated(", ");
                for id in subject_ids {
                    sep.push_bind(id.clone());
                }
                b.push(") ORDER BY rule, subject_id");
                let rows: Vec<$crate::checks::LeadRow> = b.build_query_as().fetch_all(&self.pool).await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn village_figures(
                &self,
                within: &AreaCode,
                year: i32,
                monitoring_fen: i64,
            ) -> Result<Vec<$crate::__private::jingzhun_domain::warnings::VillageFigures>> {
                let (lo, hi) = code_range(within.prefix());
                let rows: Vec<(String, Option<i64>, Option<i64>, Option<i64>, Option<i64>)> = sqlx::query_as(
                    "SELECT h.village_code, \
                       CAST(SUM(CASE WHEN h.status <> 'removed' AND h.identified_year <= $3 \
                                 AND (h.exit_year IS NULL OR h.exit_year > $3) THEN m.n ELSE 0 END) AS BIGINT), \
                       CAST(SUM(CASE WHEN h.status <> 'removed' AND h.identified_year <= $3 - 1 \
                                 AND (h.exit_year IS NULL OR h.exit_year > $3 - 1) THEN m.n ELSE 0 END) AS BIGINT), \
                       CAST(SUM(CASE WHEN h.status = 'exited' AND h.income_year = $3 \
                                 AND h.annual_net_income_fen < $4 * m.living THEN 1 ELSE 0 END) AS BIGINT), \
                       MAX(l.open_leads) \
                     FROM households h \
                     JOIN (SELECT household_id, COUNT(*) AS n, \
                                  SUM(CASE WHEN deceased_on IS NULL THEN 1 ELSE 0 END) AS living \
                           FROM persons GROUP BY household_id) m \
                       ON m.household_id = h.household_id \
                     LEFT JOIN (SELECT village_code, COUNT(*) AS open_leads FROM leads \
                                WHERE state = 'open' AND village_code BETWEEN $1 AND $2 GROUP BY village_code) l \
                       ON l.village_code = h.village_code \
                     WHERE h.village_code BETWEEN $1 AND $2 \
                     GROUP BY h.village_code ORDER BY h.village_code",
                )
                .bind(lo)
                .bind(hi)
                .bind(year)
                .bind(monitoring_fen)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(v, now, before, below, leads)| {
                        Ok($crate::__private::jingzhun_domain::warnings::VillageFigures {
                            village: area_code(&v)?,
                            registered_persons: now.unwrap_or(0),
                            registered_persons_before: before.unwrap_or(0),
                            exited_below_monitoring: below.unwrap_or(0),
                            open_leads: leads.unwrap_or(0),
                            ..$crate::__private::jingzhun_domain::warnings::VillageFigures::empty(area_code(&v)?)
                        })
                    })
                    .collect()
            }

            async fn plan(&self, household: &HouseholdId) -> Result<Option<$crate::plans::PlanRecord>> {
                let row: Option<$crate::plans::PlanRow> = sqlx::query_as($crate::plans::PLAN)
                    .bind(household.as_str())
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn plan_progress(&self, household: &HouseholdId) -> Result<Vec<$crate::plans::ProgressRecord>> {
                Ok(sqlx::query_as($crate::plans::PROGRESS)
                    .bind(household.as_str())
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn plan_groups(&self, within: &AreaCode) -> Result<Vec<(AreaCode, i64, i64)>> {
                let (lo, hi) = code_range(within.prefix());
                let rows: Vec<(String, i64, i64)> = sqlx::query_as($crate::plans::IDENTICAL)
                    .bind(lo)
                    .bind(hi)
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map(|(v, n, max)| Ok((area_code(&v)?, n, max))).collect()
            }

            async fn notice(&self, id: i64) -> Result<Option<$crate::notices::NoticeRecord>> {
                Ok(sqlx::query_as(&format!("SELECT {} FROM notices WHERE id = $1", $crate::notices::COLUMNS))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn notices(&self, within: Option<&AreaCode>, limit: i64) -> Result<Vec<$crate::notices::NoticeRecord>> {
                let (lo, hi) = code_range(within.map_or("", |c| c.prefix()));
                Ok(sqlx::query_as(&format!(
                    "SELECT {} FROM notices WHERE village_code BETWEEN $1 AND $2 ORDER BY id DESC LIMIT $3",
                    $crate::notices::COLUMNS
                ))
                .bind(lo)
                .bind(hi)
                .bind(limit.clamp(1, 500))
                .fetch_all(&self.pool)
                .await?)
            }

            async fn record(
                &self,
                kind: $crate::supervision::RecordKind,
                id: i64,
            ) -> Result<Option<$crate::supervision::SupervisionRecord>> {
                let row: Option<$crate::supervision::SupervisionRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM supervision_records WHERE kind = $1 AND id = $2",
                    $crate::supervision::COLUMNS
                ))
                .bind(kind.code())
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn record_by_code(
                &self,
                kind: $crate::supervision::RecordKind,
                code: &str,
            ) -> Result<Option<$crate::supervision::SupervisionRecord>> {
                let row: Option<$crate::supervision::SupervisionRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM supervision_records WHERE kind = $1 AND public_code = $2",
                    $crate::supervision::COLUMNS
                ))
                .bind(kind.code())
                .bind(code)
                .fetch_optional(&self.pool)
                .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn records(
                &self,
                q: &$crate::supervision::RecordQuery,
            ) -> Result<Vec<$crate::supervision::SupervisionRecord>> {
                let Some(mut b) = __record_list("", q) else {
                    return Ok(Vec::new());
                };
                let rows: Vec<$crate::supervision::SupervisionRow> =
                    b.build_query_as().fetch_all(&self.pool).await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn sealed_identity(&self, record_id: i64) -> Result<Option<$crate::supervision::SealedRow>> {
                Ok(sqlx::query_as($crate::supervision::SEALED)
                    .bind(record_id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn ping(&self) -> Result<()> {
                let _: i64 = sqlx::query_scalar("SELECT CAST(1 AS BIGINT)")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(())
            }

            async fn seal_key_fingerprint(&self) -> Result<Option<String>> {
                Ok(sqlx::query_scalar("SELECT fingerprint FROM seal_key WHERE id = 1")
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn holds_sealed_values(&self) -> Result<bool> {
                let n: i64 = sqlx::query_scalar($crate::supervision::HOLDS_SEALED)
                    .fetch_one(&self.pool)
                    .await?;
                Ok(n > 0)
            }

            async fn annual_update(
                &self,
                village: &AreaCode,
                year: i32,
            ) -> Result<Option<$crate::updates::UpdateRecord>> {
                let row: Option<$crate::updates::UpdateRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM annual_updates WHERE village_code = $1 AND year = $2",
                    $crate::updates::COLUMNS
                ))
                .bind(village.as_str())
                .bind(year)
                .fetch_optional(&self.pool)
                .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn annual_updates(
                &self,
                within: &AreaCode,
                year: i32,
            ) -> Result<Vec<$crate::updates::UpdateRecord>> {
                let (lo, hi) = code_range(within.prefix());
                let rows: Vec<$crate::updates::UpdateRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM annual_updates WHERE village_code BETWEEN $1 AND $2 AND year = $3 \
                     ORDER BY village_code",
                    $crate::updates::COLUMNS
                ))
                .bind(lo)
                .bind(hi)
                .bind(year)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn approved_updates(&self, within: Option<&AreaCode>) -> Result<Vec<(AreaCode, i32)>> {
                let (lo, hi) = code_range(within.map_or("", |c| c.prefix()));
                let rows: Vec<(String, i32)> = sqlx::query_as(
                    "SELECT village_code, MAX(year) FROM annual_updates WHERE state = 'approved' \
                     AND village_code BETWEEN $1 AND $2 GROUP BY village_code ORDER BY village_code",
                )
                .bind(lo)
                .bind(hi)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(|(v, y)| Ok((area_code(&v)?, y))).collect()
            }

            async fn stale_households(
                &self,
                within: &AreaCode,
                before: $crate::__private::chrono::DateTime<Utc>,
                limit: i64,
            ) -> Result<Vec<(HouseholdId, AreaCode, String)>> {
                let (lo, hi) = code_range(within.prefix());
                let rows: Vec<(String, String, $crate::__private::chrono::DateTime<Utc>)> = sqlx::query_as(
                    "SELECT household_id, village_code, updated_at FROM households \
                     WHERE village_code BETWEEN $1 AND $2 AND status <> 'removed' AND updated_at < $3 \
                     ORDER BY updated_at, household_id LIMIT $4",
                )
                .bind(lo)
                .bind(hi)
                .bind(before)
                .bind(limit.clamp(1, 5000))
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(h, v, at)| Ok((household_id(&h)?, area_code(&v)?, at.to_rfc3339())))
                    .collect()
            }

            async fn corrections_of(&self, id: i64) -> Result<Vec<$crate::notices::NoticeRecord>> {
                Ok(sqlx::query_as(&format!(
                    "SELECT {} FROM notices WHERE corrects = $1 ORDER BY id",
                    $crate::notices::COLUMNS
                ))
                .bind(id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn case(&self, id: i64) -> Result<Option<$crate::procedures::CaseRecord>> {
                let row: Option<$crate::procedures::CaseRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM procedure_cases WHERE id = $1",
                    $crate::procedures::CASE_COLUMNS
                ))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn cases(&self, q: &$crate::procedures::CaseQuery) -> Result<Vec<$crate::procedures::CaseRecord>> {
                let Some(mut b) = __case_list("", q) else {
                    return Ok(Vec::new());
                };
                let rows: Vec<$crate::procedures::CaseRow> = b.build_query_as().fetch_all(&self.pool).await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn standards(&self) -> Result<Vec<$crate::exit::StandardRecord>> {
                let rows: Vec<$crate::exit::StandardRow> =
                    sqlx::query_as($crate::exit::STANDARDS).fetch_all(&self.pool).await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn exit_data(
                &self,
                within: Option<&AreaCode>,
            ) -> Result<Vec<$crate::__private::jingzhun_domain::exit::ExitHousehold>> {
                self.load_exit_data(within).await
            }

            async fn village_names(&self, within: Option<&AreaCode>) -> Result<Vec<(AreaCode, String)>> {
                let (lo, hi) = code_range(within.map_or("", |c| c.prefix()));
                let rows: Vec<(String, String)> = sqlx::query_as(
                    "SELECT code, name FROM areas WHERE level = 5 AND code BETWEEN $1 AND $2 ORDER BY code",
                )
                .bind(lo)
                .bind(hi)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(|(c, n)| Ok((area_code(&c)?, n))).collect()
            }

            async fn village_populations(&self, within: Option<&AreaCode>, year: i32) -> Result<Vec<(AreaCode, i64)>> {
                let (lo, hi) = code_range(within.map_or("", |c| c.prefix()));
                let rows: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT p.area_code, CAST(p.rural_population AS BIGINT) FROM area_populations p \
                     JOIN areas a ON a.code = p.area_code \
                     WHERE a.level = 5 AND p.year = $1 AND p.area_code BETWEEN $2 AND $3 ORDER BY 1",
                )
                .bind(year)
                .bind(lo)
                .bind(hi)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(|(c, n)| Ok((area_code(c)?, *n))).collect()
            }

            async fn lead_counts(&self, within: &AreaCode) -> Result<Vec<$crate::checks::LeadCount>> {
                let (lo, hi) = code_range(within.prefix());
                let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
                    "SELECT village_code, rule, state, COUNT(*) FROM leads \
                     WHERE village_code BETWEEN $1 AND $2 GROUP BY village_code, rule, state \
                     ORDER BY village_code, rule, state",
                )
                .bind(lo)
                .bind(hi)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(v, r, st, count)| {
                        Ok($crate::checks::LeadCount {
                            village: area_code(&v)?,
                            rule: $crate::__private::jingzhun_domain::checks::Rule::from_code(&r)
                                .ok_or_else(|| StoreError::Corrupt(format!("rule {r:?}")))?,
                            state: $crate::__private::jingzhun_domain::checks::LeadState::from_code(&st)
                                .ok_or_else(|| StoreError::Corrupt(format!("lead state {st:?}")))?,
                            count,
                        })
                    })
                    .collect()
            }

            async fn audit_head(&self) -> Result<(i64, String)> {
                Ok(sqlx::query_as(sql::AUDIT_HEAD).fetch_one(&self.pool).await?)
            }

            async fn explain(&self, read: &$crate::Explained) -> Result<Vec<(String, Vec<String>)>> {
                use $crate::Explained as E;
                let sqlite = matches!($backend, Backend::Sqlite);
                let prefix = if sqlite { "EXPLAIN QUERY PLAN " } else { "EXPLAIN " };
                let mut out = Vec::new();
                let built = match read {
                    E::Households(q) => __household_search(prefix, q).map(|b| ("search_households", b)),
                    E::Leads(q) => {
                        let mut count = QueryBuilder::<$db>::new(format!("{prefix}SELECT COUNT(*) FROM leads"));
                        if __lead_filter(&mut count, q) {
                            out.push(("count_leads".to_string(), __plan(&self.pool, sqlite, count.build()).await?));
                        }
                        __lead_list(prefix, q).map(|b| ("leads", b))
                    }
                    E::Cases(q) => __case_list(prefix, q).map(|b| ("cases", b)),
                    E::Records(q) => __record_list(prefix, q).map(|b| ("records", b)),
                    E::Figures(area) => {
                        let (lo, hi) = code_range(area.prefix());
                        let digits = $crate::sql::child_digits(area);
                        for (name, text) in [
                            ("child_counts households", sql::CHILD_HOUSEHOLD_COUNTS),
                            ("child_counts persons", sql::CHILD_PERSON_COUNTS),
                        ] {
                            let q = format!("{prefix}{text}");
                            let plan = __plan(&self.pool, sqlite, sqlx::query(&q).bind(digits).bind(&lo).bind(&hi)).await?;
                            out.push((name.to_string(), plan));
                        }
                        for (name, text) in [
                            ("area_profile causes", sql::CAUSE_COUNTS),
                            ("area_profile gap households", sql::GAP_HOUSEHOLDS),
                            ("area_profile gap persons", sql::GAP_PERSONS),
                            ("latest_income_year", sql::LATEST_INCOME_YEAR),
                        ] {
                            let q = format!("{prefix}{text}");
                            let plan = __plan(&self.pool, sqlite, sqlx::query(&q).bind(&lo).bind(&hi)).await?;
                            out.push((name.to_string(), plan));
                        }
                        None
                    }
                };
                if let Some((name, mut b)) = built {
                    out.push((name.to_string(), __plan(&self.pool, sqlite, b.build()).await?));
                }
                Ok(out)
            }
        }

        #[$crate::__private::async_trait::async_trait]
        impl $crate::Tx for $tx {
            async fn put_areas(&mut self, areas: &[Area]) -> Result<()> {
                for chunk in areas.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new(sql::AREA_INSERT);
                    q.push_values(chunk, |mut b, a| {
                        b.push_bind(a.code.to_string())
                            .push_bind(a.name.clone())
                            .push_bind(a.level.number())
                            .push_bind(a.parent.map(|p| p.to_string()));
                    });
                    q.push(sql::AREA_UPSERT);
                    q.build().execute(&mut *self.tx).await?;
                }
                Ok(())
            }

            async fn put_designations(&mut self, rows: &[AreaDesignation]) -> Result<()> {
                for r in rows {
                    sqlx::query(sql::DESIGNATION_UPSERT)
                        .bind(r.area_code.as_str())
                        .bind(r.designation.code())
                        .bind(r.designated_year)
                        .bind(r.exit_year)
                        .execute(&mut *self.tx)
                        .await?;
                }
                Ok(())
            }

            async fn put_populations(&mut self, rows: &[AreaPopulation]) -> Result<()> {
                for r in rows {
                    sqlx::query(sql::POPULATION_UPSERT)
                        .bind(r.area_code.as_str())
                        .bind(r.year)
                        .bind(r.rural_population)
                        .execute(&mut *self.tx)
                        .await?;
                }
                Ok(())
            }

            async fn household_statuses(&mut self, ids: &[HouseholdId]) -> Result<Vec<(HouseholdId, HouseholdStatus, AreaCode)>> {
                let mut out = Vec::new();
                for chunk in ids.chunks(CHUNK) {
                    let mut q = QueryBuilder::<$db>::new("SELECT household_id, status, village_code FROM households WHERE household_id IN (");
                    let mut sep = q.separated(", ");
                    for h in chunk {
                        sep.push_bind(h.as_str());
                    }
                    q.push(") ORDER BY household_id");
                    let rows: Vec<(String, String, String)> = q.build_query_as().fetch_all(&mut *self.tx).await?;
                    for (h, s, v) in rows {
                        let status = HouseholdStatus::from_code(&s)
                            .ok_or_else(|| StoreError::Corrupt(format!("household status {s:?}")))?;
                        out.push((household_id(&h)?, status, area_code(&v)?));
                    }
                }
                Ok(out)
            }

            async fn put_households(&mut self, new: &[Household], replaced: &[Household], import_id: i64) -> Result<()> {
                let now = Utc::now();
                for chunk in replaced.chunks(CHUNK) {
                    let mut del = QueryBuilder::<$db>::new("DELETE FROM persons WHERE household_id IN (");
                    let mut sep = del.separated(", ");
                    for h in chunk {
                        sep.push_bind(h.household_id.as_str());
                    }
                    del.push(")");
                    del.build().execute(&mut *self.tx).await?;
                }
                self.insert_households(new, import_id, now, $crate::WriteMode::Insert).await?;
                self.insert_households(replaced, import_id, now, $crate::WriteMode::Upsert).await
            }

            async fn put_persons(&mut self, rows: &[Person], mode: $crate::WriteMode) -> Result<()> {
                self.insert_persons(rows, mode).await
            }

            async fn create_user(&mut self, user: &$crate::NewUser) -> Result<i64> {
                let r: std::result::Result<(i64,), sqlx::Error> = sqlx::query_as(sql::CREATE_USER)
                    .bind(user.login.as_str())
                    .bind(&user.display_name)
                    .bind(&user.password_hash)
                    .bind(Utc::now())
                    .fetch_one(&mut *self.tx)
                    .await;
                match r {
                    Ok((id,)) => Ok(id),
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                        Err(StoreError::Duplicate(format!("login {}", user.login.as_str())))
                    }
                    Err(e) => Err(e.into()),
                }
            }

            async fn assign(&mut self, user_id: i64, a: &$crate::__private::jingzhun_domain::access::Assignment) -> Result<()> {
                sqlx::query(sql::ASSIGN)
                    .bind(user_id)
                    .bind(a.role.code())
                    .bind(a.area.as_str())
                    .bind(a.starts_on)
                    .bind(a.ends_on)
                    .bind(a.sealed)
                    .execute(&mut *self.tx)
                    .await?;
                Ok(())
            }

            async fn set_password_hash(&mut self, user_id: i64, hash: &str) -> Result<()> {
                sqlx::query(sql::SET_PASSWORD_HASH).bind(hash).bind(user_id).execute(&mut *self.tx).await?;
                Ok(())
            }

            async fn set_disabled(&mut self, user_id: i64, disabled: bool) -> Result<()> {
                sqlx::query(sql::SET_DISABLED).bind(disabled).bind(user_id).execute(&mut *self.tx).await?;
                Ok(())
            }

            async fn record_login(&mut self, user_id: i64, succeeded: bool) -> Result<()> {
                sqlx::query(sql::RECORD_LOGIN).bind(succeeded).bind(user_id).execute(&mut *self.tx).await?;
                Ok(())
            }

            async fn begin_import(&mut self, import: &NewImport) -> Result<i64> {
                if matches!($backend, Backend::Postgres) {
                    // One import at a time, as SQLite's write lock gives: a second waits for
                    // the first to commit instead of failing on its rows half-way.
                    sqlx::query(sql::IMPORT_LOCK).execute(&mut *self.tx).await?;
                }
                let (id,): (i64,) = sqlx::query_as(sql::BEGIN_IMPORT)
                    .bind(&import.kind)
                    .bind(&import.digest)
                    .bind(&import.source)
                    .bind(&import.actor)
                    .bind(Utc::now())
                    .bind(import.forced)
                    .fetch_one(&mut *self.tx)
                    .await?;
                Ok(id)
            }

            async fn finish_import(&mut self, id: i64, households: i64, persons: i64) -> Result<()> {
                sqlx::query(sql::FINISH_IMPORT).bind(households).bind(persons).bind(id).execute(&mut *self.tx).await?;
                Ok(())
            }

            async fn replace_source(
                &mut self,
                kind: $crate::__private::jingzhun_domain::sources::SourceKind,
                rows: &[$crate::__private::jingzhun_domain::checks::SourceRow],
                import_id: i64,
            ) -> Result<()> {
                sqlx::query(&format!("DELETE FROM {}", kind.table())).execute(&mut *self.tx).await?;
                self.insert_source_rows(kind, rows).await?;
                sqlx::query($crate::checks::SOURCE_IMPORT_UPSERT)
                    .bind(kind.code())
                    .bind(import_id)
                    .bind(rows.len() as i64)
                    .execute(&mut *self.tx)
                    .await?;
                Ok(())
            }

            async fn begin_check_run(&mut self, run: &$crate::checks::NewCheckRun) -> Result<i64> {
                let within = run.within.as_ref().map(|w| w.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(","));
                let rules = run.rules.iter().map(|r| r.code()).collect::<Vec<_>>().join(",");
                let (id,): (i64,) = sqlx::query_as($crate::checks::BEGIN_RUN)
                    .bind(&run.actor)
                    .bind(Utc::now())
                    .bind(within)
                    .bind(rules)
                    .bind(&run.params)
                    .bind(&run.sources)
                    .fetch_one(&mut *self.tx)
                    .await?;
                Ok(id)
            }

            async fn record_findings(
                &mut self,
                run_id: i64,
                within: Option<&[AreaCode]>,
                rules: &[$crate::__private::jingzhun_domain::checks::Rule],
                findings: &[$crate::__private::jingzhun_domain::checks::Finding],
            ) -> Result<$crate::checks::RunComparison> {
                self.upsert_leads(run_id, findings).await?;
                // Open leads of these rules and this area that the run did not find are gone.
                if !rules.is_empty() {
                    let mut b = QueryBuilder::<$db>::new("UPDATE leads SET state = 'gone', version = version + 1, gone_run = ");
                    b.push_bind(run_id);
                    b.push(" WHERE state = 'open' AND last_run <> ").push_bind(run_id);
                    b.push(" AND rule IN (");
                    let mut sep = b.separated(", ");
                    for r in rules {
                        sep.push_bind(r.code());
                    }
                    b.push(")");
                    if let Some(within) = within {
                        __push_within(&mut b, "leads", "id", within);
                    }
                    b.build().execute(&mut *self.tx).await?;
                }
                let (new_leads, still_open, gone): (i64, i64, i64) = sqlx::query_as(
                    "SELECT \
                       (SELECT COUNT(*) FROM leads WHERE last_run = $1 AND opened_run = $1), \
                       (SELECT COUNT(*) FROM leads WHERE last_run = $1 AND opened_run <> $1 AND state = 'open'), \
                       (SELECT COUNT(*) FROM leads WHERE gone_run = $1)",
                )
                .bind(run_id)
                .fetch_one(&mut *self.tx)
                .await?;
                Ok($crate::checks::RunComparison {
                    findings: findings.len() as i64,
                    new_leads,
                    still_open,
                    gone,
                })
            }

            async fn finish_check_run(
                &mut self,
                run_id: i64,
                notes: &[String],
                c: &$crate::checks::RunComparison,
            ) -> Result<()> {
                sqlx::query($crate::checks::FINISH_RUN)
                    .bind(Utc::now())
                    .bind(notes.join("\n"))
                    .bind(c.findings)
                    .bind(c.new_leads)
                    .bind(c.still_open)
                    .bind(c.gone)
                    .bind(run_id)
                    .execute(&mut *self.tx)
                    .await?;
                Ok(())
            }

            async fn verify_lead(
                &mut self,
                id: i64,
                version: i64,
                v: &$crate::__private::jingzhun_domain::checks::Verification,
                actor: &str,
            ) -> Result<bool> {
                use $crate::__private::jingzhun_domain::checks::Verification;
                let (action, note) = match v {
                    Verification::Confirmed { action, note } => (Some(action.code()), note),
                    Verification::Explained { note } => (None, note),
                };
                let done = sqlx::query($crate::checks::VERIFY_LEAD)
                    .bind(v.state().code())
                    .bind(action)
                    .bind(note)
                    .bind(actor)
                    .bind(Utc::now())
                    .bind(id)
                    .bind(version)
                    .execute(&mut *self.tx)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn put_plan(
                &mut self,
                household: &HouseholdId,
                village: &AreaCode,
                plan: &$crate::__private::jingzhun_domain::plan::Plan,
                version: i64,
                actor: &str,
            ) -> Result<bool> {
                let measures = $crate::plans::measures_json(plan)?;
                let signature = $crate::__private::jingzhun_domain::plan::signature(plan);
                let sql = if version == 0 { $crate::plans::PLAN_INSERT } else { $crate::plans::PLAN_UPDATE };
                let mut q = sqlx::query(sql)
                    .bind(household.as_str())
                    .bind(village.as_str())
                    .bind(measures)
                    .bind(&plan.contact)
                    .bind(signature)
                    .bind(actor)
                    .bind(Utc::now());
                if version != 0 {
                    q = q.bind(version);
                }
                Ok(q.execute(&mut *self.tx).await?.rows_affected() == 1)
            }

            async fn add_plan_progress(
                &mut self,
                household: &HouseholdId,
                done_on: $crate::__private::chrono::NaiveDate,
                note: &str,
                actor: &str,
            ) -> Result<()> {
                sqlx::query($crate::plans::PROGRESS_INSERT)
                    .bind(household.as_str())
                    .bind(done_on.to_string())
                    .bind(note)
                    .bind(actor)
                    .bind(Utc::now())
                    .execute(&mut *self.tx)
                    .await?;
                Ok(())
            }

            async fn insert_notice(
                &mut self,
                village: &AreaCode,
                content: &str,
                digest: &str,
                period: ($crate::__private::chrono::NaiveDate, $crate::__private::chrono::NaiveDate),
                actor: &str,
            ) -> Result<i64> {
                let (id,): (i64,) = sqlx::query_as($crate::notices::INSERT)
                    .bind(village.as_str())
                    .bind(content)
                    .bind(digest)
                    .bind(period.0.to_string())
                    .bind(period.1.to_string())
                    .bind(actor)
                    .bind(Utc::now())
                    .fetch_one(&mut *self.tx)
                    .await?;
                Ok(id)
            }

            async fn insert_record(&mut self, r: &$crate::supervision::NewRecord) -> Result<i64> {
                let (origin_kind, origin_id) = match &r.origin {
                    Some((k, id)) => (Some(k.clone()), Some(id.clone())),
                    None => (None, None),
                };
                let done: std::result::Result<(i64,), sqlx::Error> = sqlx::query_as($crate::supervision::INSERT)
                    .bind(r.kind.code())
                    .bind(&r.public_code)
                    .bind(r.area.as_str())
                    .bind(&r.state)
                    .bind(&r.category)
                    .bind(&r.due_on)
                    .bind(origin_kind)
                    .bind(origin_id)
                    .bind(&r.body)
                    .bind(&r.actor)
                    .bind(Utc::now())
                    .fetch_one(&mut *self.tx)
                    .await;
                match done {
                    Ok((id,)) => Ok(id),
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::Duplicate(
                        format!("{} code", r.kind.code()),
                    )),
                    Err(e) => Err(e.into()),
                }
            }

            async fn update_record(
                &mut self,
                id: i64,
                version: i64,
                c: &$crate::supervision::RecordChange,
            ) -> Result<bool> {
                let done = sqlx::query($crate::supervision::UPDATE)
                    .bind(c.area.as_str())
                    .bind(&c.state)
                    .bind(&c.category)
                    .bind(&c.due_on)
                    .bind(&c.body)
                    .bind(Utc::now())
                    .bind(id)
                    .bind(version)
                    .execute(&mut *self.tx)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn record_seal_key_fingerprint(&mut self, fingerprint: &str) -> Result<String> {
                sqlx::query(
                    "INSERT INTO seal_key (id, fingerprint, recorded_at) VALUES (1, $1, $2) \
                     ON CONFLICT (id) DO NOTHING",
                )
                .bind(fingerprint)
                .bind(chrono::Utc::now().to_rfc3339())
                .execute(&mut *self.tx)
                .await?;
                Ok(sqlx::query_scalar("SELECT fingerprint FROM seal_key WHERE id = 1")
                    .fetch_one(&mut *self.tx)
                    .await?)
            }

            async fn put_sealed_identity(
                &mut self,
                record_id: i64,
                sealed: &$crate::supervision::SealedRow,
            ) -> Result<()> {
                sqlx::query($crate::supervision::SEALED_INSERT)
                    .bind(record_id)
                    .bind(&sealed.nonce)
                    .bind(&sealed.ciphertext)
                    .execute(&mut *self.tx)
                    .await?;
                Ok(())
            }

            async fn put_annual_update(
                &mut self,
                r: &$crate::updates::UpdateRecord,
                version: i64,
            ) -> Result<bool> {
                let u = &r.update;
                let sql = if version == 0 { $crate::updates::INSERT } else { $crate::updates::UPDATE };
                let mut q = sqlx::query(sql)
                    .bind(u.village.as_str())
                    .bind(u.year)
                    .bind(u.state.code())
                    .bind(&u.submitted_by)
                    .bind(u.submitted_on.to_string())
                    .bind(&u.decided_by)
                    .bind(u.decided_on.map(|d| d.to_string()))
                    .bind(&u.note);
                if version != 0 {
                    q = q.bind(version);
                }
                Ok(q.execute(&mut *self.tx).await?.rows_affected() == 1)
            }

            async fn insert_correction(
                &mut self,
                village: &AreaCode,
                content: &str,
                digest: &str,
                period: ($crate::__private::chrono::NaiveDate, $crate::__private::chrono::NaiveDate),
                actor: &str,
                corrects: i64,
            ) -> Result<i64> {
                let (id,): (i64,) = sqlx::query_as($crate::notices::INSERT_CORRECTION)
                    .bind(village.as_str())
                    .bind(content)
                    .bind(digest)
                    .bind(period.0.to_string())
                    .bind(period.1.to_string())
                    .bind(actor)
                    .bind(Utc::now())
                    .bind(corrects)
                    .fetch_one(&mut *self.tx)
                    .await?;
                Ok(id)
            }

            async fn insert_case(
                &mut self,
                household_id: &str,
                case: &$crate::__private::jingzhun_domain::procedure::Case,
                actor: &str,
            ) -> Result<Option<i64>> {
                let c = $crate::procedures::CaseColumns::of(case)?;
                let id: Option<(i64,)> = sqlx::query_as($crate::procedures::INSERT_CASE)
                    .bind(case.kind.code())
                    .bind(household_id)
                    .bind(case.village.as_str())
                    .bind(c.state)
                    .bind(c.next_step)
                    .bind(c.next_role)
                    .bind(c.notice_until)
                    .bind(c.closed_reason)
                    .bind(c.steps)
                    .bind(c.objections)
                    .bind(actor)
                    .bind(Utc::now())
                    .fetch_optional(&mut *self.tx)
                    .await?;
                Ok(id.map(|(id,)| id))
            }

            async fn update_case(
                &mut self,
                id: i64,
                version: i64,
                case: &$crate::__private::jingzhun_domain::procedure::Case,
            ) -> Result<bool> {
                let c = $crate::procedures::CaseColumns::of(case)?;
                let done = sqlx::query($crate::procedures::UPDATE_CASE)
                    .bind(c.state)
                    .bind(c.next_step)
                    .bind(c.next_role)
                    .bind(c.notice_until)
                    .bind(c.closed_reason)
                    .bind(c.steps)
                    .bind(c.objections)
                    .bind(Utc::now())
                    .bind(id)
                    .bind(version)
                    .execute(&mut *self.tx)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn set_household_status(
                &mut self,
                id: &HouseholdId,
                status: HouseholdStatus,
                exit_year: Option<i32>,
                removal_reason: Option<$crate::__private::jingzhun_domain::vocab::RemovalReason>,
            ) -> Result<()> {
                let done = sqlx::query(
                    "UPDATE households SET status = $1, exit_year = $2, removal_reason = $3, updated_at = $4 \
                     WHERE household_id = $5",
                )
                .bind(status.code())
                .bind(exit_year)
                .bind(removal_reason.map(|r| r.code()))
                .bind(Utc::now())
                .bind(id.as_str())
                .execute(&mut *self.tx)
                .await?;
                if done.rows_affected() == 1 {
                    Ok(())
                } else {
                    Err(StoreError::Corrupt(format!("household {} vanished during a procedure", id.as_str())))
                }
            }

            async fn put_standard(
                &mut self,
                e: &$crate::__private::jingzhun_domain::standards::StandardEntry,
                version: i64,
                actor: &str,
            ) -> Result<bool> {
                let sql = if version == 0 { $crate::exit::STANDARD_INSERT } else { $crate::exit::STANDARD_UPDATE };
                let mut q = sqlx::query(sql)
                    .bind(e.key.code())
                    .bind(e.year.unwrap_or(0))
                    .bind(e.region.as_deref().unwrap_or(""))
                    .bind(e.value)
                    .bind(&e.source)
                    .bind(actor)
                    .bind(Utc::now());
                if version != 0 {
                    q = q.bind(version);
                }
                Ok(q.execute(&mut *self.tx).await?.rows_affected() == 1)
            }

            async fn append_audit(&mut self, event: &AuditEvent) -> Result<AuditEntry> {
                let (seq, prev): (i64, String) = sqlx::query_as($head_sql).fetch_one(&mut *self.tx).await?;
                __append_after(&mut self.tx, event, seq, &prev).await
            }

            async fn defer_registry_indexes(&mut self) -> Result<()> {
                for (name, _) in sql::REGISTRY_INDEXES {
                    sqlx::query(&format!("DROP INDEX IF EXISTS {name}")).execute(&mut *self.tx).await?;
                }
                Ok(())
            }

            async fn rebuild_registry_indexes(&mut self) -> Result<()> {
                for (_, create) in sql::REGISTRY_INDEXES {
                    sqlx::query(create).execute(&mut *self.tx).await?;
                }
                Ok(())
            }

            async fn commit(self: Box<Self>) -> Result<()> {
                self.tx.commit().await?;
                Ok(())
            }
        }

        /// The search's statement (after `prefix`, e.g. an EXPLAIN); `None` when it can match nothing.
        fn __household_search(prefix: &str, q: &$crate::HouseholdQuery) -> Option<QueryBuilder<'static, $db>> {
                let mut b = QueryBuilder::<$db>::new(format!("{prefix}{}", sql::HOUSEHOLD_SELECT));
                b.push(" WHERE 1 = 1");
                if let Some(within) = &q.within {
                    if within.is_empty() {
                        return None;
                    }
                    __push_within(&mut b, "households", "household_id", within);
                }
                if let Some(status) = q.status {
                    b.push(" AND status = ").push_bind(status.code());
                }
                if let Some(text) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                    // Each kind of text is looked up by its own index: a household number, an
                    // ID number (18 characters), the beginning of a name (surname, full name).
                    b.push(" AND household_id IN (SELECT household_id FROM households WHERE household_id = ")
                        .push_bind(text.to_string());
                    if sql::looks_like_id_number(text) {
                        b.push(" UNION SELECT household_id FROM persons WHERE id_number = ")
                            .push_bind(text.to_ascii_uppercase());
                    }
                    if let Some((lo, hi)) = sql::name_prefix_range(text) {
                        b.push(" UNION SELECT household_id FROM persons WHERE name >= ")
                            .push_bind(lo)
                            .push(" AND name < ")
                            .push_bind(hi);
                    }
                    b.push(")");
                }
                if let Some(cause) = q.cause {
                    b.push(" AND primary_cause = ").push_bind(cause.code());
                }
                if let Some(gap) = q.gap {
                    b.push(sql::gap_condition(gap));
                }
                if let Some(after) = &q.after {
                    if q.sort == $crate::HouseholdSort::Village {
                        b.push(" AND (village_code, household_id) > (SELECT village_code, household_id FROM households WHERE household_id = ")
                            .push_bind(after.as_str().to_string())
                            .push(")");
                    } else {
                        b.push(" AND household_id > ").push_bind(after.as_str().to_string());
                    }
                }
                b.push(q.sort.order_by());
                b.push(" LIMIT ").push_bind(q.limit);
                if q.offset > 0 {
                    b.push(" OFFSET ").push_bind(q.offset);
                }
                Some(b)
        }

        /// The statement of a page of leads (after `prefix`); `None` when it can match nothing.
        fn __lead_list(prefix: &str, q: &$crate::checks::LeadQuery) -> Option<QueryBuilder<'static, $db>> {
            let mut b = QueryBuilder::<$db>::new(format!("{prefix}SELECT {} FROM leads", $crate::checks::LEAD_COLUMNS));
            if !__lead_filter(&mut b, q) {
                return None;
            }
            b.push(" ORDER BY rule, subject_id LIMIT ").push_bind(q.limit).push(" OFFSET ").push_bind(q.offset);
            Some(b)
        }

        /// The statement of a list of cases (after `prefix`); `None` when it can match nothing.
        fn __case_list(prefix: &str, q: &$crate::procedures::CaseQuery) -> Option<QueryBuilder<'static, $db>> {
                let mut b: QueryBuilder<'static, $db> = QueryBuilder::new(format!(
                    "{prefix}SELECT {} FROM procedure_cases WHERE 1 = 1",
                    $crate::procedures::CASE_COLUMNS
                ));
                if let Some(within) = &q.within {
                    if within.is_empty() {
                        return None;
                    }
                    __push_within(&mut b, "procedure_cases", "id", within);
                }
                if let Some(h) = &q.household_id {
                    b.push(" AND household_id = ").push_bind(h.clone());
                }
                if q.in_progress {
                    b.push(" AND state IN ('open', 'suspended')");
                }
                if let Some(role) = q.next_role {
                    b.push(" AND next_role = ").push_bind(role.code());
                }
                b.push(" ORDER BY id DESC LIMIT ").push_bind(q.limit.clamp(1, 1000));
                Some(b)
        }

        /// The statement of a list of supervision records (after `prefix`); `None` when it can
        /// match nothing.
        fn __record_list(prefix: &str, q: &$crate::supervision::RecordQuery) -> Option<QueryBuilder<'static, $db>> {
                let mut b: QueryBuilder<'static, $db> = QueryBuilder::new(format!(
                    "{prefix}SELECT {} FROM supervision_records WHERE 1 = 1",
                    $crate::supervision::COLUMNS
                ));
                let ranges = $crate::area_sql::AreaRanges::of(q.within.as_deref());
                if ranges.is_nowhere() {
                    return None;
                }
                match (q.kind, ranges.ranges()) {
                    // The index is (kind, area_code, state): several ranges after the kind are
                    // searched as one UNION ALL arm each (SQLite would search the kind alone).
                    (Some(kind), Some(many)) if many.len() > 1 => {
                        b.push(" AND id IN (");
                        for (i, range) in many.iter().enumerate() {
                            if i > 0 {
                                b.push(" UNION ALL ");
                            }
                            b.push("SELECT id FROM supervision_records WHERE kind = ").push_bind(kind.code());
                            b.push(" AND ");
                            __push_pieces(&mut b, $crate::area_sql::term("area_code", range));
                        }
                        b.push(")");
                    }
                    (kind, _) => {
                        if let Some(kind) = kind {
                            b.push(" AND kind = ").push_bind(kind.code());
                        }
                        __push_ranges(&mut b, "area_code", &ranges);
                    }
                }
                if let Some(states) = &q.states {
                    if states.is_empty() {
                        return None;
                    }
                    b.push(" AND state IN (");
                    let mut sep = b.separated(", ");
                    for s in states {
                        sep.push_bind(s.clone());
                    }
                    b.push(")");
                }
                if let Some(c) = &q.category {
                    b.push(" AND category = ").push_bind(c.clone());
                }
                if let Some((k, id)) = &q.origin {
                    b.push(" AND origin_kind = ").push_bind(k.clone())
                        .push(" AND origin_id = ").push_bind(id.clone());
                }
                if let Some(d) = &q.due_before {
                    b.push(" AND due_on IS NOT NULL AND due_on < ").push_bind(d.clone());
                }
                b.push(" ORDER BY id DESC LIMIT ").push_bind(q.limit.clamp(1, 5000))
                    .push(" OFFSET ").push_bind(q.offset.max(0));
                Some(b)
        }

        /// The plan lines of an EXPLAIN statement (see [`Store::explain`](crate::Store::explain)).
        async fn __plan<'q>(
            pool: &sqlx::Pool<$db>,
            sqlite: bool,
            query: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>,
        ) -> Result<Vec<String>> {
            use sqlx::Row;
            let mut tx = pool.begin().await?;
            if !sqlite {
                sqlx::query("SET LOCAL enable_seqscan = off").execute(&mut *tx).await?;
            }
            let rows = query.fetch_all(&mut *tx).await?;
            let column = if sqlite { 3 } else { 0 };
            let lines = rows.iter().map(|r| r.try_get::<String, _>(column)).collect::<std::result::Result<Vec<_>, _>>()?;
            tx.rollback().await?;
            Ok(lines)
        }

        /// The area condition on `village_code` for areas, as plain index ranges
        /// ([`AreaRanges`](crate::area_sql::AreaRanges)).
        /// Several ranges become ` AND key IN (SELECT key FROM table WHERE range UNION ALL ...)`:
        /// one index range per arm on both backends, whatever else the query filters on.
        fn __push_within(b: &mut QueryBuilder<'_, $db>, table: &str, key: &str, within: &[AreaCode]) {
            let ranges = $crate::area_sql::AreaRanges::of(Some(within));
            match ranges.ranges() {
                Some(many) if many.len() > 1 => {
                    b.push(format!(" AND {key} IN ("));
                    for (i, range) in many.iter().enumerate() {
                        if i > 0 {
                            b.push(" UNION ALL ");
                        }
                        b.push(format!("SELECT {key} FROM {table} WHERE "));
                        __push_pieces(b, $crate::area_sql::term("village_code", range));
                    }
                    b.push(")");
                }
                _ => __push_ranges(b, "village_code", &ranges),
            }
        }

        fn __push_ranges(b: &mut QueryBuilder<'_, $db>, column: &str, ranges: &$crate::area_sql::AreaRanges) {
            __push_pieces(b, ranges.condition(column));
        }

        fn __push_pieces(b: &mut QueryBuilder<'_, $db>, pieces: Vec<$crate::area_sql::Piece>) {
            for piece in pieces {
                match piece {
                    $crate::area_sql::Piece::Sql(s) => {
                        b.push(s);
                    }
                    $crate::area_sql::Piece::Bind(v) => {
                        b.push_bind(v);
                    }
                }
            }
        }

        /// Adds the WHERE clause of a lead query; `false` when it can match nothing.
        fn __lead_filter(b: &mut QueryBuilder<'_, $db>, q: &$crate::checks::LeadQuery) -> bool {
            b.push(" WHERE 1 = 1");
            if let Some(within) = &q.within {
                if within.is_empty() {
                    return false;
                }
                __push_within(b, "leads", "id", within);
            }
            if let Some(rule) = q.rule {
                b.push(" AND rule = ").push_bind(rule.code());
            }
            if let Some(state) = q.state {
                b.push(" AND state = ").push_bind(state.code());
            }
            true
        }

        async fn __append_after(tx: &mut Transaction<'static, $db>, event: &AuditEvent, seq: i64, prev: &str) -> Result<AuditEntry> {
            let e = event.seal(seq + 1, Utc::now(), prev);
            sqlx::query(sql::AUDIT_INSERT)
                .bind(e.seq)
                .bind(&e.at)
                .bind(&e.actor)
                .bind(&e.action)
                .bind(&e.subject_kind)
                .bind(&e.subject_id)
                .bind(&e.detail)
                .bind(&e.prev_hash)
                .bind(&e.hash)
                .execute(&mut **tx)
                .await?;
            let moved = sqlx::query(sql::AUDIT_MOVE_HEAD).bind(e.seq).bind(&e.hash).bind(seq).execute(&mut **tx).await?;
            if moved.rows_affected() != 1 {
                return Err(StoreError::Corrupt("the audit head moved during a transaction".into()));
            }
            Ok(e)
        }
        }
    };
}
