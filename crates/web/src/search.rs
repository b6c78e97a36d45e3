//! Household search parameters, shared by the API and the list page: read, checked, and
//! confined to the account's area (a search outside it finds nothing: 404).

use jingzhun_domain::access::Account;
use jingzhun_domain::area::AreaCode;
use jingzhun_domain::registry::HouseholdId;
use jingzhun_domain::vocab::{Cause, Gap, HouseholdStatus, Vocabulary};
use jingzhun_store::{HouseholdQuery, HouseholdSort};
use serde::Deserialize;

use crate::error::WebError;

/// Search parameters of `GET /api/v1/households` and of the household list page.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Area code (2 to 12 digits); default: everything the account reaches.
    pub area: Option<String>,
    /// `applicant`, `registered`, `exited`, `monitored`, `removed` (or the Chinese name).
    pub status: Option<String>,
    /// Primary cause: `illness`, `disability`, `schooling`... (or the Chinese name).
    pub cause: Option<String>,
    /// Active households with a gap: `housing`, `water`, `uninsured`, `out_of_school`.
    pub gap: Option<String>,
    /// A household number, a member's ID number, or the beginning of a member's name (a
    /// surname or a full name).
    pub q: Option<String>,
    /// `village` (by village, then household number; the default without `q`), `number` (the
    /// default with `q`), `income`, `-income` (highest first).
    pub sort: Option<String>,
    /// With `sort=village` or `number`: the last household number of the previous page.
    pub after: Option<String>,
    /// With the other orders: rows to skip.
    pub offset: Option<i64>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
}

fn empty_to_none(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn vocab<V: Vocabulary>(name: &str, v: &Option<String>) -> Result<Option<V>, WebError> {
    empty_to_none(v)
        .map(|s| V::parse(s).map_err(|e| WebError::BadRequest(format!("{name}: {e} / {}", e.zh()))))
        .transpose()
}

impl SearchParams {
    /// The store query, within the account's reach on `today`.
    pub fn to_query(
        &self,
        account: &Account,
        today: chrono::NaiveDate,
    ) -> Result<HouseholdQuery, WebError> {
        let within = match empty_to_none(&self.area) {
            Some(a) => {
                let code = AreaCode::parse_short(a).map_err(|_| WebError::NotFound)?;
                if !account.may_reach(&code, today) {
                    return Err(WebError::NotFound);
                }
                Some(vec![code])
            }
            None => account.scope(today),
        };
        let text = empty_to_none(&self.q).map(str::to_string);
        let sort = match empty_to_none(&self.sort) {
            // A text search finds a set of households by index; in number order the first page
            // needs only its own rows, in village order every match must be read and sorted.
            None if text.is_some() => HouseholdSort::Number,
            None => HouseholdSort::Village,
            Some(s) => HouseholdSort::from_code(s).ok_or_else(|| {
                WebError::BadRequest(format!(
                    "sort: one of village, number, income, -income, not {s:?}"
                ))
            })?,
        };
        let after = self
            .after
            .as_deref()
            .filter(|a| !a.is_empty())
            .map(|a| HouseholdId::parse(a).map_err(|e| WebError::BadRequest(format!("after: {e}"))))
            .transpose()?;
        if after.is_some() && !sort.keyset() {
            return Err(WebError::BadRequest(
                "after: only with sort=village or number; use offset".into(),
            ));
        }
        let offset = self.offset.unwrap_or(0);
        if !(0..=1_000_000).contains(&offset) {
            return Err(WebError::BadRequest("offset: 0 to 1,000,000".into()));
        }
        let limit = self.limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(WebError::BadRequest("limit: 1 to 200".into()));
        }
        if text.as_deref().is_some_and(|q| q.chars().count() > 50) {
            return Err(WebError::BadRequest("q: at most 50 characters".into()));
        }
        Ok(HouseholdQuery {
            within,
            status: vocab::<HouseholdStatus>("status", &self.status)?,
            cause: vocab::<Cause>("cause", &self.cause)?,
            gap: vocab::<Gap>("gap", &self.gap)?,
            text,
            sort,
            after,
            offset,
            limit,
        })
    }
}

/// The household numbered `id` if the account reaches its village on `today`; otherwise, as
/// for a missing one, [`WebError::NotFound`].
pub async fn household_in_reach(
    store: &dyn jingzhun_store::Store,
    account: &Account,
    id: &str,
    today: chrono::NaiveDate,
) -> Result<(HouseholdId, jingzhun_domain::registry::Household), WebError> {
    let id = HouseholdId::parse(id).map_err(|_| WebError::NotFound)?;
    let h = store.household(&id).await?.ok_or(WebError::NotFound)?;
    if !account.may_reach(&h.village_code, today) {
        return Err(WebError::NotFound);
    }
    Ok((id, h))
}
