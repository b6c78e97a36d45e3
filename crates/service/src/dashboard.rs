//! What the dashboard shows of an area: the summary by child area, and active households by
//! primary cause and by gap in the "three guarantees".

use jingzhun_domain::area::AreaCode;
use jingzhun_store::{AreaProfile, Store};
use serde::Serialize;

use crate::ServiceError;
use crate::summary::{AreaSummary, area_summary};

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    /// The areas above, from the province down.
    pub ancestors: Vec<jingzhun_domain::area::Area>,
    pub summary: AreaSummary,
    pub profile: AreaProfile,
}

pub async fn dashboard(store: &dyn Store, code: &AreaCode) -> Result<Dashboard, ServiceError> {
    let summary = area_summary(store, code).await?;
    let mut profile = store.area_profile(code).await?;
    // Largest cause first; households without a recorded cause last.
    profile
        .causes
        .sort_by_key(|(c, n)| (c.is_none(), std::cmp::Reverse(*n)));
    let mut ancestors = Vec::new();
    let mut up = code.parent();
    while let Some(a) = up {
        if let Some(area) = store.area(&a).await? {
            ancestors.push(area);
        }
        up = a.parent();
    }
    ancestors.reverse();
    Ok(Dashboard {
        ancestors,
        summary,
        profile,
    })
}
