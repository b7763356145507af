//! Safety bulletins (安全通报, INSP-6): published from chosen inspections and hazards to the units below, with read
//! receipts.
use super::*;

/// Publish a safety bulletin (安全通报) from chosen inspections and hazards to the units under `unit`.
pub async fn publish(
    db: &Db,
    ctx: &Ctx,
    unit: UnitId,
    title: &str,
    body: &str,
    hazard_ids: &[i64],
    inspection_ids: &[i64],
) -> AppResult<i64> {
    let title = anbao_domain::text::bounded("title", "通报标题", "Title", title, 100)?;
    let body = anbao_domain::text::paragraphs("body", "通报内容", "Text", body, 5000)?;
    let mut tx = db.begin().await?;
    let u = anbao_store::org::get(&mut tx, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&u.path)?;
    ctx.must(Permission::NoticeWrite, &u.path)?;
    for h in hazard_ids {
        let ok = store::hazard_by_id(&mut tx, *h).await?.is_some_and(|h| h.unit_path.starts_with(&u.path));
        if !ok {
            return Err(invalid(
                "hazard_ids",
                "所选隐患不在通报范围内",
                "a hazard chosen is outside the bulletin's units",
            ));
        }
    }
    for i in inspection_ids {
        let ok = store::inspection_by_id(&mut tx, *i).await?.is_some_and(|i| i.target_path.starts_with(&u.path));
        if !ok {
            return Err(invalid(
                "inspection_ids",
                "所选检查不在通报范围内",
                "an inspection chosen is outside the bulletin's units",
            ));
        }
    }
    let json = |v: &[i64]| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    let (hz, ins) = (json(hazard_ids), json(inspection_ids));
    let id = store::insert_bulletin(
        &mut tx,
        store::NewBulletin {
            unit: unit.get(),
            title: &title,
            body: &body,
            hazards: &hz,
            inspections: &ins,
            by: ctx.actor.account.get(),
            now: ctx.now,
        },
    )
    .await?;
    audit::record(&mut tx, ctx.into(), "bulletin.publish", Entity::Row("bulletins", id), Some(unit), None).await?;
    tx.commit().await?;
    Ok(id)
}

/// May this person see a bulletin published at `path`? Those below it receive it; those above it see what their
/// units published.
fn sees_bulletin(ctx: &Ctx, path: &str) -> bool {
    ctx.actor.scope.grants.iter().any(|g| match g.unit_path.as_deref() {
        None => true,
        Some(p) => p.starts_with(path) || path.starts_with(p),
    })
}

pub async fn bulletins(db: &Db, ctx: &Ctx) -> AppResult<Vec<store::BulletinRow>> {
    let mut c = db.read().await?;
    let whole = ctx.actor.scope.grants.iter().any(|g| g.unit_path.is_none());
    let paths: Vec<String> = ctx.actor.scope.grants.iter().filter_map(|g| g.unit_path.clone()).collect();
    let rows = store::bulletins(&mut c, if whole { None } else { Some(&paths) }, 200).await?;
    Ok(rows.into_iter().filter(|b| sees_bulletin(ctx, &b.unit_path)).collect())
}

pub struct Bulletin {
    pub row: store::BulletinRow,
    pub hazards: Vec<HazardRow>,
    /// Who it went to and when each read it (shown to those who may publish there).
    pub readers: Vec<(String, Option<i64>)>,
}

/// Open a bulletin, which records that this person has read it — unless `receipt` is false: a page reached from
/// another site (a link in a mail, a forged image) shows the bulletin but proves nothing about reading it.
pub async fn read_bulletin(db: &Db, ctx: &Ctx, id: i64, receipt: bool) -> AppResult<Bulletin> {
    let mut tx = db.begin().await?;
    let row = store::bulletin_by_id(&mut tx, id)
        .await?
        .filter(|b| sees_bulletin(ctx, &b.unit_path))
        .ok_or(AppError::NotFound)?;
    if !receipt {
        // Nothing to write: shown as it stands.
    } else if let Some(r) = store::mark_read(&mut tx, id, ctx.actor.account.get(), ctx.now).await? {
        audit::record(
            &mut tx,
            ctx.into(),
            "bulletin.read",
            Entity::Row("bulletin_reads", r),
            Some(UnitId::new(row.unit_id)),
            None,
        )
        .await?;
    }
    let ids: Vec<i64> = serde_json::from_str(&row.hazard_ids).unwrap_or_default();
    let mut hazards = Vec::new();
    for h in ids {
        if let Some(h) = store::hazard_by_id(&mut tx, h).await? {
            hazards.push(h);
        }
    }
    let readers = if ctx.actor.scope.allows(Permission::NoticeWrite, &row.unit_path) {
        store::readers(&mut tx, id, &row.unit_path).await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    // Re-read so the count includes this reading.
    let mut c = db.read().await?;
    let row = store::bulletin_by_id(&mut c, id).await?.ok_or(AppError::NotFound)?;
    Ok(Bulletin { row, hazards, readers })
}
