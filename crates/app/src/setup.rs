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
