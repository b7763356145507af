//! The leadership summary of a period (INSP-4's written report).
use super::*;

/// The leadership summary of a period (INSP-4's written report): inspections and scores, the items failed most,
/// hazards raised, closed, open and overdue, and the inspectors' suggestions.
pub struct Summary {
    pub inspections: i64,
    pub average_tenths: Option<i64>,
    pub lowest: Vec<(String, i64)>,
    pub failed_items: Vec<(String, String, i64)>,
    pub raised: i64,
    pub closed: i64,
    pub open: i64,
    pub overdue: i64,
    pub repeats: Vec<(String, String, i64)>,
    pub suggestions: Vec<(String, String)>,
}

pub async fn summary(db: &Db, ctx: &Ctx, unit: UnitId, from: Day, to: Day) -> AppResult<Summary> {
    let today = period::day_of_ms(ctx.now);
    let mut c = db.read().await?;
    let u = anbao_store::org::get(&mut c, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&u.path)?;
    let rows = store::inspections_under(&mut c, &u.path, from, to, 5000).await?;
    // A corrected inspection counts once, as its correction.
    let superseded: std::collections::HashSet<i64> = rows.iter().filter_map(|r| r.supersedes_id).collect();
    let done: Vec<&InspectionRow> =
        rows.iter().filter(|r| r.status != "draft" && !superseded.contains(&r.id)).collect();
    let n = done.len() as i64;
    let average_tenths = (n > 0).then(|| done.iter().map(|r| r.score_tenths).sum::<i64>() / n);
    let mut lowest: Vec<(String, i64)> = done.iter().map(|r| (r.target_name.clone(), r.score_tenths)).collect();
    lowest.sort_by_key(|x| x.1);
    lowest.truncate(10);
    let versions = checklists(&mut c).await?;
    let mut failed: BTreeMap<String, (String, i64)> = BTreeMap::new();
    for r in &done {
        let Some(v) = versions.iter().find(|v| v.id == r.checklist_version_id) else { continue };
        for (code, res) in results_of(&r.results)? {
            if res.outcome == Outcome::Fail {
                let text = v.template.item(&code).map(|i| i.text.clone()).unwrap_or_default();
                failed.entry(code).or_insert((text, 0)).1 += 1;
            }
        }
    }
    let mut failed_items: Vec<(String, String, i64)> = failed.into_iter().map(|(k, (t, n))| (k, t, n)).collect();
    failed_items.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let hazards = store::hazards_under(&mut c, &u.path, None, 100_000).await?;
    let in_period = |ms: i64| (from..to).contains(&period::day_of_ms(ms));
    let raised = hazards.iter().filter(|h| in_period(h.raised_at)).count() as i64;
    let closed = hazards.iter().filter(|h| h.closed_at.is_some_and(in_period)).count() as i64;
    let open = hazards.iter().filter(|h| h.status != "closed").count() as i64;
    let overdue = hazards.iter().filter(|h| h.status != "closed" && h.deadline_day < today).count() as i64;
    let repeats = hazards
        .iter()
        .filter(|h| h.repeat_count > 0 && in_period(h.raised_at))
        .map(|h| (h.unit_name.clone(), h.title.clone(), h.repeat_count))
        .collect();
    let suggestions = done
        .iter()
        .filter_map(|r| r.suggestions.clone().filter(|s| !s.trim().is_empty()).map(|s| (r.target_name.clone(), s)))
        .collect();
    Ok(Summary {
        inspections: n,
        average_tenths,
        lowest,
        failed_items,
        raised,
        closed,
        open,
        overdue,
        repeats,
        suggestions,
    })
}
