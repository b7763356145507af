//! What is due on the ledger (FAC-5): regular checks and expiries, and the reminders to the security department.
use super::*;

/// An item due for attention: its regular check is overdue, or it expires before its next check would come round.
pub struct DueItem {
    pub item: ItemRow,
    pub place: PlaceRow,
    /// `check` or `expiry`.
    pub reason: &'static str,
    /// The day the check was due, or the day it expires.
    pub day: Day,
}

/// Items under `path` whose check is overdue by the catalogue's `check_months`, or which expire (or have expired)
/// within one check interval: both numbers are the catalogue's, so a union that edits it changes what is due.
pub async fn due(c: &mut Conn, path: &str, today: Day) -> AppResult<Vec<DueItem>> {
    let (_, cat) = catalogue(c).await?;
    let places = store::places_under(c, path).await?;
    let items = store::items_under(c, path).await?;
    Ok(due_of(&cat, &places, &items, today))
}

/// `due` over rows already read (the gap map has them).
pub(super) fn due_of(cat: &Catalogue, places: &[PlaceRow], items: &[ItemRow], today: Day) -> Vec<DueItem> {
    let by_id: std::collections::HashMap<i64, &PlaceRow> = places.iter().map(|p| (p.id, p)).collect();
    let mut out = Vec::new();
    for i in items.iter().filter(|i| i.status == "working") {
        let (Some(k), Some(p)) = (cat.kind(&i.kind), by_id.get(&i.place_id)) else { continue };
        if k.check_months > 0 {
            let due_day = period::add_months(i.last_check_day.unwrap_or(i.installed_day), k.check_months);
            if due_day < today {
                out.push(DueItem { item: i.clone(), place: (*p).clone(), reason: "check", day: due_day });
                continue;
            }
        }
        if let Some(e) = i.expires_day
            && e <= period::add_months(today, k.check_months.max(1))
        {
            out.push(DueItem { item: i.clone(), place: (*p).clone(), reason: "expiry", day: e });
        }
    }
    out
}

/// Tell the security department over each place of what is due there (FAC-5: expired items replaced at once,
/// regular checks kept). One message per item and due day.
pub async fn remind(db: &Db, now: i64) -> AppResult<usize> {
    let today = period::day_of_ms(now);
    let mut tx = db.begin().await?;
    let due = due(&mut tx, "/", today).await?;
    let (_, cat) = catalogue(&mut tx).await?;
    let mut sent = 0;
    let mut security: std::collections::HashMap<String, Vec<anbao_domain::ids::AccountId>> = Default::default();
    for d in due {
        let name = cat.kind(&d.item.kind).map_or(d.item.kind.clone(), |k| k.name.clone());
        let (title, key) = match d.reason {
            "check" => (
                format!("安防设施待检查：{}·{}", d.place.name, name),
                format!("facility-check-{}-{}", d.item.id, d.day),
            ),
            _ => (
                format!("安防设施到期须更换：{}·{}", d.place.name, name),
                format!("facility-expiry-{}-{}", d.item.id, d.day),
            ),
        };
        let body = format!("{}：{} {}（{}）", d.place.unit_name, name, d.item.model, period::date_of_day(d.day));
        let link = format!("/facilities/places/{}", d.place.id);
        // Many items share a unit: its security accounts are looked up once.
        if !security.contains_key(&d.place.unit_path) {
            let found = anbao_store::messages::security_over(&mut tx, &d.place.unit_path).await?;
            security.insert(d.place.unit_path.clone(), found);
        }
        for a in security.get(&d.place.unit_path).cloned().unwrap_or_default() {
            if anbao_store::messages::put(&mut tx, a, &key, &title, &body, &link, now).await? {
                sent += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(sent)
}
