//! Notices (通知公告): published by the security department of a unit to everyone in its subtree.
use crate::audit::{self, Entity};
use crate::{AppError, AppResult, Ctx};
use anbao_domain::access::Permission;
use anbao_domain::ids::{NoticeId, UnitId};
use anbao_domain::text;
use anbao_store::Db;
use anbao_store::notices::{self as store, NoticeRow};

pub async fn visible(db: &Db, ctx: &Ctx, limit: i64) -> AppResult<Vec<NoticeRow>> {
    let mut c = db.read().await?;
    Ok(store::visible(&mut c, ctx.actor.account, limit).await?)
}

pub async fn publish(db: &Db, ctx: &Ctx, unit: UnitId, title: &str, body: &str) -> AppResult<NoticeId> {
    let title = text::bounded("title", "标题", "Title", title, 80)?;
    // Line breaks are welcome in a body; only other control characters are refused.
    let body = text::paragraphs("body", "正文", "Body", body, 4000)?;
    let mut tx = db.begin().await?;
    let u = anbao_store::org::get(&mut tx, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must(Permission::NoticeWrite, &u.path)?;
    let id = store::insert(&mut tx, Some(unit), &title, &body, Some(ctx.actor.account), ctx.now).await?;
    audit::record(&mut tx, ctx.into(), "notice.publish", Entity::Notice(id), Some(unit), None).await?;
    tx.commit().await?;
    Ok(id)
}
