//! What a new or upgraded database is given before anyone signs in: the default rulebook, the inspection
//! checklist, the facility catalogue and the accountability rules. Each area loads its own defaults; this is the one place that calls them all,
//! so no area imports another just to set up.
use crate::AppResult;
use anbao_store::Db;

/// Load every area's defaults that this database does not have yet; returns how many rules were new.
pub async fn load_defaults(db: &Db, now: i64) -> AppResult<usize> {
    let rules = crate::rulebook::load_default(db, now).await?;
    crate::inspect::load_default(db, now).await?;
    crate::facility::load_default(db, now).await?;
    crate::incident::load_default(db, now).await?;
    crate::assess::load_default(db, now).await?;
    crate::exam::load_default(db, now).await?;
    crate::plans::load_default(db, now).await?;
    crate::calendar::load_default(db, now).await?;
    Ok(rules)
}

/// Whether a version stored from an earlier release's defaults differs from what this release ships, in what its
/// readers read: fields an earlier release lacked read as their defaults, so a body that only lacks them is the same.
/// A body that no longer parses is left alone (for the union to see), never replaced.
pub(crate) fn shipped_differently<T: serde::de::DeserializeOwned + serde::Serialize>(
    stored: &str,
    shipped: &T,
) -> bool {
    match serde_json::from_str::<T>(stored) {
        Ok(old) => serde_json::to_value(&old).ok() != serde_json::to_value(shipped).ok(),
        Err(_) => false,
    }
}
