//! Warning education (TRN-5; 第四篇 二(4)): the security department sends a case bulletin — written by hand, such as
//! the seed's armed-robbery bulletins, or from a closed case of its subtree — to a subtree and, optionally, some
//! posts; each person who receives it acknowledges it; every level sees who has not read it, unit by unit. Issuing
//! writes the unit's `warning_education` evidence in the same transaction, so a rule counts the year's sessions.
use crate::audit::{self, Entity};
use crate::error::invalid;
use crate::{AppError, AppResult, Ctx};
use anbao_domain::access::Role;
use anbao_domain::ids::{StaffId, UnitId};
use anbao_domain::records::{RecordDraft, RecordKind};
use anbao_domain::staff::Position;
use anbao_domain::warnings::receives;
use anbao_store::Db;
use anbao_store::staff::StaffRow;
use anbao_store::warnings::{self as store, NewWarning, WarningRow};
use std::collections::BTreeMap;

/// Who issues bulletins: the security department over the unit (第四篇 二(4): the union organises the education).
pub const ISSUERS: [Role; 1] = [Role::Security];
/// Who sees who has not read: heads, security departments and auditors over their units.
const TALLY_READERS: [Role; 3] = [Role::UnitHead, Role::Security, Role::Auditor];
/// The most names the unread list shows; the counts are whole.
pub const LIST_LIMIT: usize = 500;

pub struct WarningForm {
    pub unit_id: i64,
    pub title: String,
    pub body: String,
    pub posts: Vec<String>,
    pub case_id: Option<i64>,
}

/// Issue a bulletin. A case it is written from must be closed and within the issuer's subtree.
pub async fn issue(db: &Db, ctx: &Ctx, f: &WarningForm) -> AppResult<i64> {
    let title = anbao_domain::text::bounded("title", "通报标题", "Title", &f.title, 100)?;
    let body = anbao_domain::text::paragraphs("body", "通报内容", "Text", &f.body, 5000)?;
    let posts =
        f.posts.iter().filter(|p| !p.trim().is_empty()).map(|p| Position::parse(p)).collect::<Result<Vec<_>, _>>()?;
    let mut tx = db.begin().await?;
    let u = anbao_store::org::get(&mut tx, UnitId::new(f.unit_id)).await?.ok_or(AppError::NotFound)?;
    ctx.must_hold(&ISSUERS, &u.path)?;
    if let Some(case) = f.case_id {
        let k = anbao_store::incident::get(&mut tx, case).await?.ok_or(AppError::NotFound)?;
        ctx.must_see(&k.unit_path)?;
        if !k.unit_path.starts_with(&u.path) {
            return Err(invalid("case_id", "所选案件不在通报范围内", "the case is outside the bulletin's units"));
        }
        if k.status != "closed" {
            return Err(invalid(
                "case_id",
                "只有已结案的案件可用于警示教育",
                "only a closed case may be used for warning education",
            ));
        }
    }
    let id = store::insert(
        &mut tx,
        NewWarning {
            unit: u.id.get(),
            unit_path: &u.path,
            title: &title,
            body: &body,
            posts: &posts,
            case_id: f.case_id,
            now: ctx.now,
            by: ctx.actor.account.get(),
        },
    )
    .await?;
    let draft = RecordDraft {
        kind: RecordKind::WarningEducation,
        subkind: None,
        performer: None,
        performer_position: None,
        second_person: None,
        subject_staff: None,
        target_unit: None,
        value: None,
        data: serde_json::json!({ "checks": {}, "warning": id, "notes": format!("警示教育：{title}") }),
        breach: None,
    };
    let rec = crate::evidence::insert_at(&mut tx, ctx, &draft, u.id, None, ctx.now).await?;
    store::set_record(&mut tx, id, rec).await?;
    audit::record(&mut tx, ctx.into(), "warning.issue", Entity::Row("warnings", id), Some(u.id), None).await?;
    tx.commit().await?;
    Ok(id)
}

/// The signed-in person's bulletins (sent to a subtree they are in, for their posts), unread first.
pub async fn mine(db: &Db, ctx: &Ctx) -> AppResult<Vec<WarningRow>> {
    let Some(staff) = ctx.actor.staff_id else { return Ok(Vec::new()) };
    let mut c = db.read().await?;
    let Some(me) = anbao_store::staff::get(&mut c, staff).await? else { return Ok(Vec::new()) };
    let mut rows: Vec<WarningRow> = store::sent_to(&mut c, &me.unit_path, staff.get(), 200)
        .await?
        .into_iter()
        .filter(|w| receives(&w.posts, &me.positions))
        .collect();
    rows.sort_by_key(|w| (w.read_at.is_some(), std::cmp::Reverse(w.issued_at)));
    Ok(rows)
}

/// The bulletins issued at or below the units the reader reads.
pub async fn issued(db: &Db, ctx: &Ctx) -> AppResult<Vec<WarningRow>> {
    let paths: Vec<String> = ctx
        .actor
        .scope
        .grants
        .iter()
        .filter(|g| TALLY_READERS.contains(&g.role) || g.role == Role::Admin)
        .map(|g| g.unit_path.clone().unwrap_or_else(|| "/".into()))
        .collect();
    let mut c = db.read().await?;
    Ok(store::issued_under(&mut c, &paths, 200).await?)
}

/// One unit's figures for a bulletin: who received it and who has read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitTally {
    pub unit_id: i64,
    pub unit_name: String,
    pub recipients: i64,
    pub read: i64,
}

pub struct WarningView {
    pub warning: WarningRow,
    /// The reader received it and has not yet acknowledged it.
    pub may_acknowledge: bool,
    pub read_at: Option<i64>,
    /// Per unit under the reader's view (empty for a reader who only received it).
    pub tallies: Vec<UnitTally>,
    /// Those who have not read it, at most `LIST_LIMIT`.
    pub unread: Vec<StaffRow>,
    pub unread_total: usize,
}

/// A bulletin: a recipient sees it and whether they have read it; heads and security departments also see, for
/// their units within its subtree, who has not read it.
pub async fn view(db: &Db, ctx: &Ctx, id: i64) -> AppResult<WarningView> {
    view_listing(db, ctx, id, LIST_LIMIT).await
}

/// As `view`, listing up to `limit` of those who have not read it (the Excel export lists them all).
pub async fn view_listing(db: &Db, ctx: &Ctx, id: i64, limit: usize) -> AppResult<WarningView> {
    let mut c = db.read().await?;
    let w = store::get(&mut c, id).await?.ok_or(AppError::NotFound)?;
    let reads = store::reads(&mut c, id).await?;
    let me = match ctx.actor.staff_id {
        Some(s) => anbao_store::staff::get(&mut c, s).await?,
        None => None,
    };
    let received =
        me.as_ref().is_some_and(|m| m.unit_path.starts_with(&w.unit_path) && receives(&w.posts, &m.positions));
    // The widest unit the reader answers for inside the bulletin's subtree: its own unit if they read it, else the
    // unit of a head's or department's grant below it.
    let over = if ctx.actor.scope.holds(&TALLY_READERS, &w.unit_path) {
        Some(w.unit_path.clone())
    } else {
        ctx.actor
            .scope
            .grants
            .iter()
            .filter(|g| TALLY_READERS.contains(&g.role))
            .filter_map(|g| g.unit_path.clone())
            .filter(|p| p.starts_with(&w.unit_path))
            .min_by_key(|p| p.len())
    };
    if !received && over.is_none() {
        return Err(AppError::NotFound);
    }
    let read_at = me.as_ref().and_then(|m| reads.get(&m.id.get()).copied());
    let (mut tallies, mut unread, mut unread_total) = (Vec::new(), Vec::new(), 0);
    if let Some(path) = over {
        let people: Vec<StaffRow> = anbao_store::staff::under(&mut c, &path)
            .await?
            .into_iter()
            .filter(|s| receives(&w.posts, &s.positions))
            .collect();
        let mut by_unit: BTreeMap<(String, i64), UnitTally> = BTreeMap::new();
        for s in &people {
            let t = by_unit.entry((s.unit_path.clone(), s.unit_id.get())).or_insert_with(|| UnitTally {
                unit_id: s.unit_id.get(),
                unit_name: s.unit_name.clone(),
                recipients: 0,
                read: 0,
            });
            t.recipients += 1;
            if reads.contains_key(&s.id.get()) {
                t.read += 1;
            } else {
                unread_total += 1;
                if unread.len() < limit {
                    unread.push(s.clone());
                }
            }
        }
        tallies = by_unit.into_values().collect();
    }
    Ok(WarningView {
        may_acknowledge: received && read_at.is_none(),
        read_at,
        warning: w,
        tallies,
        unread,
        unread_total,
    })
}

/// The signed-in person acknowledges a bulletin they received; a second time changes nothing.
pub async fn acknowledge(db: &Db, ctx: &Ctx, id: i64) -> AppResult<()> {
    let staff = ctx.actor.staff_id.ok_or(AppError::NotFound)?;
    let mut tx = db.begin().await?;
    let w = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let me = anbao_store::staff::get(&mut tx, StaffId::new(staff.get())).await?.ok_or(AppError::NotFound)?;
    if !me.unit_path.starts_with(&w.unit_path) || !receives(&w.posts, &me.positions) {
        return Err(AppError::NotFound);
    }
    if let Some(read) = store::acknowledge(&mut tx, id, staff.get(), ctx.now, ctx.actor.account.get()).await? {
        audit::record(&mut tx, ctx.into(), "warning.read", Entity::Row("warning_reads", read), Some(me.unit_id), None)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Closed cases of a subtree a bulletin may be written from: (id, case number, kind, description).
pub async fn closed_cases(db: &Db, ctx: &Ctx) -> AppResult<Vec<(i64, String, String)>> {
    let mut c = db.read().await?;
    let f = anbao_store::incident::CaseFilter {
        under_path: "/".into(),
        kind: None,
        status: Some("closed".into()),
        from_day: None,
        to_day: None,
    };
    let rows = anbao_store::incident::list(&mut c, &ctx.actor.scope, &f, 100).await?;
    Ok(rows.into_iter().map(|k| (k.id, k.case_no, anbao_domain::text::clip(&k.description, 40))).collect())
}
