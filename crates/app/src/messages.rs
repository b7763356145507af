//! The message centre (消息中心): each person's own messages — reminders, two-person confirmations in their name,
//! changes for the security department to confirm — and marking them read.
use crate::audit::{self, Writer};
use crate::{AppResult, Ctx};
use anbao_store::Db;
use anbao_store::messages::{self as store, MessageRow};

/// How many of the newest messages the centre shows.
pub const SHOWN: i64 = 200;

/// The signed-in person's newest messages.
pub async fn own(db: &Db, ctx: &Ctx) -> AppResult<Vec<MessageRow>> {
    let mut c = db.read().await?;
    Ok(store::list(&mut c, ctx.actor.account, SHOWN).await?)
}

/// Mark all of the signed-in person's messages read, with an audit event naming how many (a confirmation message
/// read is part of the two-person record: when it was seen matters).
pub async fn mark_all_read(db: &Db, ctx: &Ctx) -> AppResult<u64> {
    let mut tx = db.begin().await?;
    let n = store::mark_all_read(&mut tx, ctx.actor.account, ctx.now).await?;
    if n > 0 {
        let detail = serde_json::json!({ "messages": n });
        let me = ctx.actor.account.to_string();
        audit::record_event(&mut tx, Writer::from(ctx), "messages.read_all", "messages", &me, Some(&detail)).await?;
    }
    tx.commit().await?;
    Ok(n)
}
