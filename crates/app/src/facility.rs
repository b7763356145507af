//! The security facilities ledger (FAC-1..5, CCTV-5): places and their items with a history, the gaps against the
//! standards, union-wide statistics in the regulations' form and the frozen monthly report, installation projects
//! that become payable only after acceptance, faults repaired only through the security department, and import of
//! an existing ledger from Excel, all or nothing.
use crate::audit::{self, Entity, Writer};
use crate::error::{conflict, invalid};
use crate::{AppError, AppResult, Ctx};
use anbao_domain::DomainError;
use anbao_domain::access::{Permission, Role};
use anbao_domain::facility::{Catalogue, FaultStep, Gap, PLACE_KINDS, Present, ProjectStatus, ProjectStep, gaps};
use anbao_domain::ids::UnitId;
use anbao_domain::period::{self, Day};
use anbao_domain::records::{RecordDraft, RecordKind};
use anbao_store::facility::{self as store, FaultMove, FaultRow, ItemRow, NewItem, PlaceRow, ProjectRow};
use anbao_store::{Conn, Db};
use std::collections::BTreeMap;

mod due;
mod faults;
mod import;
mod projects;
pub use due::*;
pub use faults::*;
pub use import::*;
pub use projects::*;

pub const DEFAULT_CATALOGUE: &str = include_str!("../../../rulebook/facilities.toml");

pub fn parse_catalogue(text: &str) -> AppResult<Catalogue> {
    let c: Catalogue = toml::from_str(text).map_err(|e| {
        invalid(
            "body",
            format!("设施目录格式不正确：{}", e.message()),
            format!("the catalogue is malformed: {}", e.message()),
        )
    })?;
    c.validate()?;
    Ok(c)
}

pub async fn load_default(db: &Db, now: i64) -> AppResult<()> {
    let cat = parse_catalogue(DEFAULT_CATALOGUE)?;
    let mut tx = db.begin().await?;
    let body = serde_json::to_string(&cat).map_err(|e| AppError::Internal(e.to_string()))?;
    // A catalogue the union has saved is theirs; one only ever loaded from an earlier release's defaults follows
    // this release's (the guards and mutual-defence agreements a later release added).
    let (version, action) = match store::catalogs(&mut tx).await?.last() {
        None => (1, "facility.catalogue_default"),
        Some(_) if anbao_store::edited_by_anyone(&mut tx, anbao_store::VersionTable::FacilityCatalog).await? => {
            return Ok(());
        }
        Some((_, v, old)) if crate::setup::shipped_differently(old, &cat) => {
            (v + 1, "facility.catalogue_upgrade_default")
        }
        Some(_) => return Ok(()),
    };
    let id = store::insert_catalog(&mut tx, version, &body, None, now).await?;
    audit::record(&mut tx, Writer { now, actor: None }, action, Entity::Row("facility_catalogs", id), None, None)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The catalogue in force, read on its own (for a page that shows kind names).
pub async fn current_catalogue(db: &Db) -> AppResult<Catalogue> {
    let mut c = db.read().await?;
    Ok(catalogue(&mut c).await?.1)
}

/// A unit's monthly report as it was frozen, if it was: (id, the frozen statistics as JSON, when).
pub async fn frozen_report(
    db: &Db,
    ctx: &Ctx,
    unit: &anbao_store::org::UnitRow,
    ym: &str,
) -> AppResult<Option<(i64, String, i64)>> {
    ctx.must_see(&unit.path)?;
    let mut c = db.read().await?;
    Ok(store::report(&mut c, unit.id.get(), ym).await?)
}

/// Everything the ledger export shows under a unit: the catalogue, the places and their items.
pub async fn ledger_under(
    db: &Db,
    ctx: &Ctx,
    unit: &anbao_store::org::UnitRow,
) -> AppResult<(Catalogue, Vec<PlaceRow>, Vec<ItemRow>)> {
    ctx.must_see(&unit.path)?;
    let mut c = db.read().await?;
    let (_, cat) = catalogue(&mut c).await?;
    Ok((cat, store::places_under(&mut c, &unit.path).await?, store::items_under(&mut c, &unit.path).await?))
}

/// The catalogue in force (the newest version).
pub async fn catalogue(c: &mut Conn) -> AppResult<(i64, Catalogue)> {
    let (_, v, body) =
        store::catalogs(c).await?.pop().ok_or_else(|| AppError::Internal("no facility catalogue".into()))?;
    Ok((v, serde_json::from_str(&body).map_err(|e| AppError::Internal(format!("catalogue: {e}")))?))
}

pub async fn edit_catalogue(db: &Db, ctx: &Ctx, text: &str) -> AppResult<i64> {
    if !ctx.actor.scope.covers_whole_tree(Permission::RulebookWrite) {
        return Err(AppError::Forbidden);
    }
    let cat = parse_catalogue(text)?;
    let mut tx = db.begin().await?;
    let next = catalogue(&mut tx).await?.0 + 1;
    let body = serde_json::to_string(&cat).map_err(|e| AppError::Internal(e.to_string()))?;
    let id = store::insert_catalog(&mut tx, next, &body, Some(ctx.actor.account.get()), ctx.now).await?;
    audit::record(&mut tx, ctx.into(), "facility.catalogue_edit", Entity::Row("facility_catalogs", id), None, None)
        .await?;
    tx.commit().await?;
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
/// Register a place. `opened` false marks a new or rebuilt outlet that may not open before its acceptance passes.
pub async fn add_place(
    db: &Db,
    ctx: &Ctx,
    unit: UnitId,
    kind: &str,
    name: &str,
    risk: i64,
    asset: Option<i64>,
    opened: bool,
) -> AppResult<i64> {
    if !PLACE_KINDS.iter().any(|p| p.0 == kind) {
        return Err(invalid("kind", "请选择场所类别", "choose the kind of place"));
    }
    if !(1..=3).contains(&risk) {
        return Err(invalid("risk_level", "风险等级须为1–3", "risk level 1–3"));
    }
    let name = anbao_domain::text::bounded("name", "场所名称", "Name", name, 60)?;
    let mut tx = db.begin().await?;
    let u = anbao_store::org::get(&mut tx, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must(Permission::OrgWrite, &u.path)?;
    let id =
        store::insert_place(&mut tx, unit.get(), kind, &name, risk, asset, opened, ctx.now).await.map_err(|e| {
            if anbao_store::is_unique_violation(&e) {
                conflict("name", "该单位已有同名场所", "the unit already has a place of that name")
            } else {
                e.into()
            }
        })?;
    audit::record(&mut tx, ctx.into(), "facility.place", Entity::Row("places", id), Some(unit), None).await?;
    tx.commit().await?;
    Ok(id)
}

/// Input for one ledger item (from a form, the API or an import row).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ItemInput {
    pub place_id: Option<i64>,
    pub kind: Option<String>,
    pub model: Option<String>,
    pub count: Option<i64>,
    pub supplier: Option<String>,
    pub installed: Option<Day>,
    pub expires: Option<Day>,
}

struct CheckedItem {
    place: i64,
    kind: String,
    model: String,
    count: i64,
    supplier: String,
    installed: Day,
    expires: Option<Day>,
}

fn check_item(cat: &Catalogue, input: &ItemInput, today: Day) -> Result<CheckedItem, DomainError> {
    let kind = input.kind.as_deref().map(str::trim).unwrap_or_default();
    let k = cat
        .kind
        .iter()
        .find(|k| k.code == kind || k.name == kind)
        .ok_or_else(|| DomainError::new("kind", format!("设施类别“{kind}”不在目录中"), "unknown facility kind"))?;
    let model = anbao_domain::text::bounded("model", "型号", "Model", input.model.as_deref().unwrap_or_default(), 60)?;
    let supplier = anbao_domain::text::bounded(
        "supplier",
        "供应商",
        "Supplier",
        input.supplier.as_deref().unwrap_or_default(),
        60,
    )?;
    let count = input.count.unwrap_or(0);
    if !(1..=1000).contains(&count) {
        return Err(DomainError::new("count", "数量须为1–1000的整数", "count must be 1–1000"));
    }
    let installed = input
        .installed
        .ok_or_else(|| DomainError::new("installed", "请填写安装日期", "enter the installation date"))?;
    if installed > today {
        return Err(DomainError::new("installed", "安装日期不能晚于今天", "installed in the future"));
    }
    let expires = match (input.expires, k.life_months) {
        (Some(e), _) if e < installed => {
            return Err(DomainError::new("expires", "有效期不能早于安装日期", "expires before it was installed"));
        }
        (Some(e), _) => Some(e),
        (None, 0) => None,
        (None, months) => Some(period::add_months(installed, months)),
    };
    Ok(CheckedItem {
        place: input.place_id.unwrap_or(0),
        kind: k.code.clone(),
        model,
        count,
        supplier,
        installed,
        expires,
    })
}

/// Who keeps the ledger itself: enters an item outside an accepted project, retires one, imports a ledger and
/// freezes the monthly report. That is the security department over the place (篇五 三: installations are approved
/// by the union and accepted by its security department or the regional centre; 保卫人员 keep the file of facility
/// problems and report it monthly to the union's security department). The outlet checks its items and reports
/// faults (第四十条、第四十五条、第四十七条), but does not take an item off the ledger, which would hide a gap.
pub const LEDGER_KEEPERS: [Role; 1] = [Role::Security];

/// May the actor keep the ledger of places under `path` (for showing the forms)?
pub fn keeps_ledger(ctx: &Ctx, path: &str) -> bool {
    ctx.actor.scope.holds(&LEDGER_KEEPERS, path)
}

async fn place_for_write(c: &mut Conn, ctx: &Ctx, id: i64) -> AppResult<PlaceRow> {
    let p = store::place_by_id(c, id).await?.ok_or_else(|| invalid("place_id", "场所不存在", "no such place"))?;
    ctx.must_see(&p.unit_path).map_err(|_| invalid("place_id", "场所不存在", "no such place"))?;
    ctx.must(Permission::RecordWrite, &p.unit_path)?;
    Ok(p)
}

async fn insert_checked(
    c: &mut Conn,
    ctx: &Ctx,
    i: &CheckedItem,
    action: &str,
    note: &str,
    unit: UnitId,
) -> AppResult<i64> {
    let id = store::insert_item(
        c,
        NewItem {
            place: i.place,
            kind: &i.kind,
            model: &i.model,
            count: i.count,
            supplier: &i.supplier,
            installed_day: i.installed,
            expires_day: i.expires,
            now: ctx.now,
        },
    )
    .await?;
    audit::record(c, ctx.into(), "facility.item", Entity::Row("facility_items", id), Some(unit), None).await?;
    let e = store::insert_event(c, id, action, note, Some(ctx.actor.account.get()), ctx.now).await?;
    audit::record(c, ctx.into(), "facility.event", Entity::Row("facility_events", e), Some(unit), None).await?;
    Ok(id)
}

pub async fn add_item(db: &Db, ctx: &Ctx, input: &ItemInput) -> AppResult<i64> {
    let today = period::day_of_ms(ctx.now);
    let mut tx = db.begin().await?;
    let (_, cat) = catalogue(&mut tx).await?;
    let checked = check_item(&cat, input, today)?;
    let p = place_for_write(&mut tx, ctx, checked.place).await?;
    ctx.must_hold(&LEDGER_KEEPERS, &p.unit_path)?;
    let id = insert_checked(&mut tx, ctx, &checked, "installed", "登记入账", UnitId::new(p.unit_id)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Record a check of an item (anyone who enters records there), or retire it (the ledger's keepers).
pub async fn item_action(db: &Db, ctx: &Ctx, item: i64, action: &str, note: &str) -> AppResult<()> {
    let today = period::day_of_ms(ctx.now);
    let mut tx = db.begin().await?;
    let it = store::item_by_id(&mut tx, item).await?.ok_or(AppError::NotFound)?;
    let p = place_for_write(&mut tx, ctx, it.place_id).await?;
    if action == "retired" {
        ctx.must_hold(&LEDGER_KEEPERS, &p.unit_path)?;
    }
    let before = Entity::Row("facility_items", item).snapshot(&mut tx).await?;
    match action {
        "checked" => store::set_item_status(&mut tx, item, &it.status, Some(today)).await?,
        "retired" => store::set_item_status(&mut tx, item, "retired", None).await?,
        _ => return Err(invalid("action", "未知的操作", "unknown action")),
    }
    let unit = Some(UnitId::new(p.unit_id));
    audit::record(
        &mut tx,
        ctx.into(),
        &format!("facility.{action}"),
        Entity::Row("facility_items", item),
        unit,
        before.as_ref(),
    )
    .await?;
    let note = if note.trim().is_empty() {
        if action == "checked" { "检查正常" } else { "报废停用" }
    } else {
        note.trim()
    };
    let e = store::insert_event(&mut tx, item, action, note, Some(ctx.actor.account.get()), ctx.now).await?;
    audit::record(&mut tx, ctx.into(), "facility.event", Entity::Row("facility_events", e), unit, None).await?;
    tx.commit().await?;
    Ok(())
}

fn present(items: &[&ItemRow]) -> Vec<Present> {
    items
        .iter()
        .map(|i| Present {
            kind: i.kind.clone(),
            count: i.count,
            working: i.status == "working",
            expires_day: i.expires_day,
        })
        .collect()
}

/// A place with its items, what it lacks, and its history.
pub struct Ledger {
    pub place: PlaceRow,
    pub items: Vec<ItemRow>,
    pub gaps: Vec<Gap>,
    pub events: Vec<(i64, String, String, String, i64)>,
    pub catalogue: Catalogue,
}

pub async fn ledger(db: &Db, ctx: &Ctx, place: i64) -> AppResult<Ledger> {
    let today = period::day_of_ms(ctx.now);
    let mut c = db.read().await?;
    let p = store::place_by_id(&mut c, place).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&p.unit_path)?;
    let (_, cat) = catalogue(&mut c).await?;
    let items: Vec<ItemRow> =
        store::items_under(&mut c, &p.unit_path).await?.into_iter().filter(|i| i.place_id == p.id).collect();
    let refs: Vec<&ItemRow> = items.iter().collect();
    Ok(Ledger {
        gaps: gaps(&cat, &p.kind, p.risk_level, &present(&refs), today),
        events: store::events_of_place(&mut c, p.id).await?,
        items,
        place: p,
        catalogue: cat,
    })
}

/// The gaps of every place under a unit, and the statistics in the regulations' form.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Stats {
    /// (place kind, facility kind, places lacking it).
    pub lacking: Vec<(String, String, i64)>,
    /// (place kind, places with any gap, places of that kind).
    pub substandard: Vec<(String, i64, i64)>,
    /// Places not yet opened because their acceptance has not passed.
    pub unopened: i64,
}

pub struct GapMap {
    /// Items due for their check or expiring (see `due`).
    pub due: Vec<DueItem>,
    pub unit: anbao_store::org::UnitRow,
    pub places: Vec<(PlaceRow, Vec<Gap>)>,
    pub stats: Stats,
    /// Per unit directly below: (unit, places with a gap).
    pub below: Vec<(i64, String, i64, i64)>,
    pub catalogue: Catalogue,
}

fn stats_of(places: &[(PlaceRow, Vec<Gap>)]) -> Stats {
    let mut lacking: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut sub: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for (p, g) in places {
        let e = sub.entry(p.kind.clone()).or_default();
        e.1 += 1;
        if !g.is_empty() {
            e.0 += 1;
        }
        for gap in g {
            *lacking.entry((p.kind.clone(), gap.kind.clone())).or_default() += 1;
        }
    }
    Stats {
        lacking: lacking.into_iter().map(|((a, b), n)| (a, b, n)).collect(),
        substandard: sub.into_iter().map(|(k, (a, b))| (k, a, b)).collect(),
        unopened: places.iter().filter(|(p, _)| !p.opened).count() as i64,
    }
}

pub async fn gap_map(db: &Db, ctx: &Ctx, unit: UnitId) -> AppResult<GapMap> {
    let today = period::day_of_ms(ctx.now);
    let mut c = db.read().await?;
    let u = anbao_store::org::get(&mut c, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&u.path)?;
    let (_, cat) = catalogue(&mut c).await?;
    let places = store::places_under(&mut c, &u.path).await?;
    let items = store::items_under(&mut c, &u.path).await?;
    let due = due::due_of(&cat, &places, &items, today);
    let mut by_place: BTreeMap<i64, Vec<&ItemRow>> = BTreeMap::new();
    for i in &items {
        by_place.entry(i.place_id).or_default().push(i);
    }
    let with: Vec<(PlaceRow, Vec<Gap>)> = places
        .into_iter()
        .map(|p| {
            let g = gaps(
                &cat,
                &p.kind,
                p.risk_level,
                &present(by_place.get(&p.id).map_or(&[][..], |v| v.as_slice())),
                today,
            );
            (p, g)
        })
        .collect();
    let children: Vec<anbao_store::org::UnitRow> =
        anbao_store::org::under(&mut c, &u.path).await?.into_iter().filter(|x| x.parent_id == Some(u.id)).collect();
    let below = children
        .iter()
        .map(|ch| {
            let mine: Vec<&(PlaceRow, Vec<Gap>)> =
                with.iter().filter(|(p, _)| p.unit_path.starts_with(&ch.path)).collect();
            (ch.id.get(), ch.name.clone(), mine.iter().filter(|(_, g)| !g.is_empty()).count() as i64, mine.len() as i64)
        })
        .collect();
    Ok(GapMap { stats: stats_of(&with), places: with, below, catalogue: cat, unit: u, due })
}

/// The monthly upward report (按月上报): the unit's statistics frozen as they stand now, with last month's for
/// comparison; it is also FAC-2's evidence for the unit.
pub async fn report_month(db: &Db, ctx: &Ctx, unit: UnitId, ym: &str) -> AppResult<(Stats, Option<Stats>, bool)> {
    let (from, to) = period::month_of(ym)?;
    // Only this month, or last month while its report is still due: a report freezes today's ledger, so it cannot
    // stand for a month not yet come or long gone.
    let today = period::day_of_ms(ctx.now);
    let (this_month, _) = period::containing(anbao_domain::rulebook::PeriodKind::Month, today);
    let last_month = period::containing(anbao_domain::rulebook::PeriodKind::Month, this_month - 1).0;
    if from != this_month && from != last_month {
        return Err(invalid(
            "month",
            "只能上报本月或上月的设施月报",
            "only this month's or last month's report can be made",
        ));
    }
    let map = gap_map(db, ctx, unit).await?;
    let prev = period::month_code(from - 1);
    let mut tx = db.begin().await?;
    let previous = match store::report(&mut tx, unit.get(), &prev).await? {
        Some((_, body, _)) => serde_json::from_str(&body).ok(),
        None => None,
    };
    if let Some((_, body, _)) = store::report(&mut tx, unit.get(), ym).await? {
        let frozen: Stats = serde_json::from_str(&body).map_err(|e| AppError::Internal(e.to_string()))?;
        return Ok((frozen, previous, true));
    }
    ctx.must_hold(&LEDGER_KEEPERS, &map.unit.path)?;
    let body = serde_json::to_string(&map.stats).map_err(|e| AppError::Internal(e.to_string()))?;
    let id = store::insert_report(&mut tx, unit.get(), ym, &body, ctx.actor.account.get(), ctx.now).await?;
    audit::record(&mut tx, ctx.into(), "facility.report", Entity::Row("facility_reports", id), Some(unit), None)
        .await?;
    let draft = RecordDraft {
        kind: RecordKind::MonthlyFacilityReport,
        subkind: None,
        performer: None,
        performer_position: None,
        second_person: None,
        subject_staff: None,
        target_unit: None,
        value: None,
        data: serde_json::json!({ "checks": {}, "month": ym, "report": id }),
        breach: None,
    };
    // Last month's report, made late, still counts for last month.
    let at = ctx.now.min(period::start_ms(to) - 1);
    crate::evidence::insert_at(&mut tx, ctx, &draft, unit, None, at).await?;
    tx.commit().await?;
    Ok((map.stats, previous, false))
}

/// Does the person act from above the place's own unit (the union or the regional centre, not the outlet)?
fn from_above(ctx: &Ctx, place_path: &str) -> bool {
    ctx.actor.scope.grants.iter().any(|g| {
        g.role.grants(Permission::OrgWrite)
            && g.unit_path.as_deref().is_none_or(|top| place_path.starts_with(top) && place_path != top)
    })
}
