//! Demo assessment: the quarters of the year that have ended are made final by the province's security department,
//! for the province (the regional centres and county unions) and for each county (its cooperatives and outlets); the
//! running quarter stays provisional. 清河's attempted robbery (a 四类 case, from `demo_incident`) vetoes it from the
//! quarter it happened in.
use crate::demo_inspect::as_user;
use crate::{AppResult, Ctx};
use anbao_domain::org::UnitKind;
use anbao_domain::period;
use anbao_store::Db;

pub async fn seed(db: &Db, now: i64, password: &str) -> AppResult<usize> {
    let office = as_user(db, "baowei", password, now).await?;
    let (year, current) = crate::assess::quarter_of(period::day_of_ms(now));
    let assessors: Vec<_> = {
        let mut c = db.read().await?;
        anbao_store::org::under(&mut c, "/")
            .await?
            .into_iter()
            .filter(|u| matches!(u.kind, UnitKind::Province | UnitKind::County))
            .collect()
    };
    let mut made = 0;
    for q in 1..current {
        // Each quarter made final a few days after it ended.
        let (_, to) = crate::assess::quarter_days(year, q);
        let at = (period::start_ms(to + 5) + 10 * 3_600_000).min(now);
        let ctx = Ctx::new(at, office.actor.clone());
        for a in &assessors {
            made += crate::assess::freeze(db, &ctx, a.id, &year.to_string(), &q.to_string()).await?;
        }
    }
    Ok(made)
}
