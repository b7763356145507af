//! The security facilities ledger (FAC-1..5, CCTV-5): places and their items with a history, the gaps against the
//! standards, union-wide statistics in the regulations' form and the frozen monthly report, installation projects
//! that become payable only after acceptance, faults repaired only through the security department, and import of
//! an existing ledger from Excel, all or nothing.
use crate::audit::{self, Entity, Writer};
use crate::error::{conflict, invalid};
use crate::{AppError, AppResult, Ctx};
use anbao_domain::DomainError;
use anbao_domain::access::{Permission, Role};
use anbao_domain::facility::{Catalogue, Gap, PLACE_KINDS, Present, gaps};
use anbao_domain::ids::UnitId;
use anbao_domain::period::{self, Day};
use anbao_domain::records::{RecordDraft, RecordKind};
use anbao_store::facility::{self as store, FaultMove, FaultRow, ItemRow, NewItem, PlaceRow, ProjectRow};
use anbao_store::{Conn, Db};
use std::collections::BTreeMap;

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
    if !store::catalogs(&mut tx).await?.is_empty() {
        return Ok(());
    }
    let body = serde_json::to_string(&cat).map_err(|e| AppError::Internal(e.to_string()))?;
    let id = store::insert_catalog(&mut tx, 1, &body, None, now).await?;
    audit::record(
        &mut tx,
        Writer { now, actor: None },
        "facility.catalogue_default",
        Entity::Row("facility_catalogs", id),
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
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
    let due = due_of(&cat, &places, &items, today);
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
    let prev = {
        let (y, m, _) = period::ymd(from - 1);
        format!("{y}-{m:02}")
    };
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
    };
    // Last month's report, made late, still counts for last month.
    let at = ctx.now.min(period::start_ms(to) - 1);
    crate::records::insert_evidence_at(&mut tx, ctx, &draft, unit, None, at).await?;
    tx.commit().await?;
    Ok((map.stats, previous, false))
}

/// Installation projects (FAC-3): only designated, police-tested products may be proposed; the union approves;
/// acceptance by the union's security department or the regional centre; payable only once accepted.
pub async fn propose(
    db: &Db,
    ctx: &Ctx,
    place: i64,
    kind: &str,
    product: &str,
    supplier: &str,
    budget: i64,
) -> AppResult<i64> {
    let supplier = anbao_domain::text::bounded("supplier", "安装单位", "Installer", supplier, 60)?;
    if !(1..=100_000_000).contains(&budget) {
        return Err(invalid("budget", "预算须为正的整数（元）", "the budget must be a positive whole number of yuan"));
    }
    let mut tx = db.begin().await?;
    let (_, cat) = catalogue(&mut tx).await?;
    let p = place_for_write(&mut tx, ctx, place).await?;
    if !cat.product.iter().any(|x| x.kind == kind && x.model == product) {
        return Err(invalid(
            "product",
            "只能选用联社定点、经公安部门检测的安防产品（篇五 三：严禁私自安装未经公安部门检测和联社定点的有关安防产品）",
            "only the union's designated, police-tested products may be proposed",
        ));
    }
    let id = store::insert_project(&mut tx, p.id, kind, product, &supplier, budget, ctx.actor.account.get(), ctx.now)
        .await?;
    audit::record(
        &mut tx,
        ctx.into(),
        "facility.propose",
        Entity::Row("facility_projects", id),
        Some(UnitId::new(p.unit_id)),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Does the person act from above the place's own unit (the union or the regional centre, not the outlet)?
fn from_above(ctx: &Ctx, place_path: &str) -> bool {
    ctx.actor.scope.grants.iter().any(|g| {
        g.role.grants(Permission::OrgWrite)
            && g.unit_path.as_deref().is_none_or(|top| place_path.starts_with(top) && place_path != top)
    })
}

/// Move a project: `approve`, `reject`, `install`, `accept` (pass), `fail` (with findings), `pay`.
pub async fn project_step(db: &Db, ctx: &Ctx, id: i64, step: &str, findings: Option<&str>) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let j = store::project_by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&j.unit_path)?;
    let (from, to) = match step {
        "approve" => ("proposed", "approved"),
        "reject" => ("proposed", "rejected"),
        "install" => ("approved", "installed"),
        "accept" => ("installed", "accepted"),
        "fail" => ("installed", "failed"),
        "pay" => ("accepted", "paid"),
        _ => return Err(invalid("step", "未知的操作", "unknown step")),
    };
    let needs_union = matches!(step, "approve" | "reject" | "accept" | "fail" | "pay");
    if needs_union && !from_above(ctx, &j.unit_path) {
        return Err(AppError::Forbidden);
    }
    ctx.must(Permission::RecordWrite, &j.unit_path)?;
    if step == "pay" && j.status != "accepted" {
        return Err(conflict(
            "status",
            "未经验收或验收不合格，不得支付工程款（篇五 三）",
            "not payable before the acceptance has passed",
        ));
    }
    let findings = findings.map(str::trim).filter(|s| !s.is_empty());
    if step == "fail" && findings.is_none() {
        return Err(invalid("findings", "验收不合格须写明问题", "a failed acceptance needs its findings"));
    }
    let before = Entity::Row("facility_projects", id).snapshot(&mut tx).await?;
    if !store::move_project(&mut tx, id, from, to, findings, ctx.actor.account.get(), ctx.now).await? {
        return Err(conflict(
            "status",
            format!("该项目当前状态不能办理此操作（{}）", j.status),
            "the project is not in a state for this",
        ));
    }
    let p = store::place_by_id(&mut tx, j.place_id).await?.ok_or(AppError::NotFound)?;
    let unit = UnitId::new(p.unit_id);
    audit::record(
        &mut tx,
        ctx.into(),
        &format!("facility.project_{step}"),
        Entity::Row("facility_projects", id),
        Some(unit),
        before.as_ref(),
    )
    .await?;
    if step == "accept" {
        // Accepted work enters the ledger (with its service life from the catalogue); a place waiting for its
        // acceptance opens only once nothing the standard requires is missing.
        let today = period::day_of_ms(ctx.now);
        let (_, cat) = catalogue(&mut tx).await?;
        let input = ItemInput {
            place_id: Some(p.id),
            kind: Some(j.kind.clone()),
            model: Some(j.product.clone()),
            count: Some(1),
            supplier: Some(j.supplier.clone()),
            installed: Some(today),
            expires: None,
        };
        let item = check_item(&cat, &input, today)?;
        insert_checked(&mut tx, ctx, &item, "installed", &format!("安装项目#{id}验收合格入账"), unit).await?;
        let items: Vec<ItemRow> =
            store::items_under(&mut tx, &p.unit_path).await?.into_iter().filter(|i| i.place_id == p.id).collect();
        let refs: Vec<&ItemRow> = items.iter().collect();
        if !p.opened && gaps(&cat, &p.kind, p.risk_level, &present(&refs), today).is_empty() {
            let before = Entity::Row("places", p.id).snapshot(&mut tx).await?;
            store::set_opened(&mut tx, p.id).await?;
            audit::record(
                &mut tx,
                ctx.into(),
                "facility.place_opened",
                Entity::Row("places", p.id),
                Some(unit),
                before.as_ref(),
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

pub async fn projects(db: &Db, ctx: &Ctx, unit: UnitId) -> AppResult<Vec<ProjectRow>> {
    let mut c = db.read().await?;
    let u = anbao_store::org::get(&mut c, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&u.path)?;
    Ok(store::projects_under(&mut c, &u.path).await?)
}

/// Faults (FAC-4, CCTV-5): reported by the outlet, dispatched by the security department to the installer or an
/// appointed person, repaired (a vault repair names who accompanied it), verified. No step skips another.
pub async fn report_fault(db: &Db, ctx: &Ctx, item: i64, description: &str) -> AppResult<i64> {
    let description = anbao_domain::text::bounded("description", "故障情况", "Fault", description, 500)?;
    let mut tx = db.begin().await?;
    let it = store::item_by_id(&mut tx, item).await?.ok_or(AppError::NotFound)?;
    let p = place_for_write(&mut tx, ctx, it.place_id).await?;
    if it.status != "working" {
        return Err(conflict("status", "该设施已报修或已报废", "the item is already faulty or retired"));
    }
    let unit = Some(UnitId::new(p.unit_id));
    let id = store::insert_fault(&mut tx, item, &description, ctx.actor.account.get(), ctx.now).await?;
    audit::record(&mut tx, ctx.into(), "facility.fault", Entity::Row("facility_faults", id), unit, None).await?;
    let before = Entity::Row("facility_items", item).snapshot(&mut tx).await?;
    store::set_item_status(&mut tx, item, "faulty", None).await?;
    audit::record(&mut tx, ctx.into(), "facility.faulty", Entity::Row("facility_items", item), unit, before.as_ref())
        .await?;
    let e = store::insert_event(&mut tx, item, "fault", &description, Some(ctx.actor.account.get()), ctx.now).await?;
    audit::record(&mut tx, ctx.into(), "facility.event", Entity::Row("facility_events", e), unit, None).await?;
    crate::confirm::report_to_security(
        &mut tx,
        &p.unit_path,
        &format!("fault-{id}"),
        &format!("安防设施故障：{}", p.name),
        &description,
        "/facilities/faults",
        ctx.now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn fault_step(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    step: &str,
    assignee: Option<&str>,
    deadline: Option<Day>,
    accompanied_by: Option<&str>,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let f: FaultRow = store::fault_by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&f.unit_path)?;
    ctx.must(Permission::RecordWrite, &f.unit_path)?;
    let (from, to) = match step {
        "dispatch" => ("reported", "dispatched"),
        "repaired" => ("dispatched", "repaired"),
        "verify" => ("repaired", "verified"),
        _ => return Err(invalid("step", "未知的操作", "unknown step")),
    };
    let assignee = assignee.map(str::trim).filter(|s| !s.is_empty());
    let accompanied = accompanied_by.map(str::trim).filter(|s| !s.is_empty());
    if step == "dispatch" {
        // 第四十七条: repairs go through the union's security department, never privately.
        if !from_above(ctx, &f.unit_path) {
            return Err(invalid(
                "step",
                "维修须由联社保卫部门联系维修单位，严禁私自维修（第四十七条）",
                "repairs are dispatched by the security department (art. 47)",
            ));
        }
        if assignee.is_none() || deadline.is_none() {
            return Err(invalid(
                "assignee",
                "派修须写明维修单位或专人及修复期限",
                "name the repairer and the deadline",
            ));
        }
    }
    if step == "repaired" && f.place_kind == "vault" && accompanied.is_none() {
        return Err(invalid(
            "accompanied_by",
            "金库设施维修须由网点负责人和管库员陪同并登记（第三十七条）",
            "a vault repair is accompanied by the outlet head and a vault keeper (art. 37)",
        ));
    }
    if step == "verify" && !from_above(ctx, &f.unit_path) {
        return Err(AppError::Forbidden);
    }
    let before = Entity::Row("facility_faults", id).snapshot(&mut tx).await?;
    let moved = store::move_fault(
        &mut tx,
        id,
        FaultMove { from, to, assignee, deadline_day: deadline, accompanied_by: accompanied, now: ctx.now },
    )
    .await?;
    if !moved {
        return Err(conflict("status", "该故障当前状态不能办理此操作", "the fault is not in a state for this"));
    }
    let p = store::place_by_id(&mut tx, f.place_id).await?.ok_or(AppError::NotFound)?;
    let unit = Some(UnitId::new(p.unit_id));
    audit::record(
        &mut tx,
        ctx.into(),
        &format!("facility.fault_{step}"),
        Entity::Row("facility_faults", id),
        unit,
        before.as_ref(),
    )
    .await?;
    let item_now = store::item_by_id(&mut tx, f.item_id).await?;
    if step == "verify" && item_now.is_some_and(|i| i.status == "faulty") {
        let b = Entity::Row("facility_items", f.item_id).snapshot(&mut tx).await?;
        store::set_item_status(&mut tx, f.item_id, "working", Some(period::day_of_ms(ctx.now))).await?;
        audit::record(
            &mut tx,
            ctx.into(),
            "facility.repaired",
            Entity::Row("facility_items", f.item_id),
            unit,
            b.as_ref(),
        )
        .await?;
        let e = store::insert_event(
            &mut tx,
            f.item_id,
            "repaired",
            "维修完毕，验证正常",
            Some(ctx.actor.account.get()),
            ctx.now,
        )
        .await?;
        audit::record(&mut tx, ctx.into(), "facility.event", Entity::Row("facility_events", e), unit, None).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Importing a ledger enters items, so the caller must be allowed to enter records somewhere; checked before the
/// upload is read, so a reader cannot make the server parse a file at all.
pub fn may_import(ctx: &Ctx) -> AppResult<()> {
    ctx.must_anywhere(Permission::RecordWrite)
}

pub async fn faults(db: &Db, ctx: &Ctx, unit: UnitId) -> AppResult<Vec<FaultRow>> {
    let mut c = db.read().await?;
    let u = anbao_store::org::get(&mut c, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&u.path)?;
    Ok(store::faults_under(&mut c, &u.path).await?)
}

/// The columns an imported ledger has, in order.
pub const IMPORT_COLUMNS: [&str; 8] = ["单位", "场所", "设施类别", "型号", "数量", "供应商", "安装日期", "有效期至"];

/// What an import found: the rows read, each bad row with its reasons, and how many were imported.
pub struct ImportReport {
    pub rows: usize,
    pub errors: Vec<(usize, String)>,
    pub imported: usize,
}

fn cell_date(v: &calamine::Data) -> Option<Day> {
    use calamine::Data;
    // Excel keeps dates as days since 1899-12-30; a text cell may hold `YYYY-MM-DD`.
    let serial = |n: f64| -> Option<Day> {
        (1.0..2_958_466.0).contains(&n).then(|| period::day_of_date(jiff::civil::date(1899, 12, 30)) + n.floor() as i64)
    };
    match v {
        Data::String(s) => s.trim().parse::<jiff::civil::Date>().ok().map(period::day_of_date),
        Data::DateTime(d) => serial(d.as_f64()),
        Data::Float(f) => serial(*f),
        Data::Int(n) => serial(*n as f64),
        _ => None,
    }
}

/// How much of an uploaded ledger is read: a union's outlets with a few dozen items each fit several times over.
pub const IMPORT_LIMITS: crate::workbook::Limits = crate::workbook::Limits {
    max_file_bytes: 4 * 1024 * 1024,
    max_unzipped_bytes: 32 * 1024 * 1024,
    max_rows: 5_001,
    max_cols: 16,
};

/// Import a ledger from an Excel workbook (first sheet, a header row of `IMPORT_COLUMNS`). Every row is checked
/// first; with any bad row nothing is imported, and with `commit` false nothing is imported either (a preview).
/// The caller must be allowed to enter records somewhere before the file is even parsed (`may_import`).
pub async fn import(db: &Db, ctx: &Ctx, bytes: Vec<u8>, commit: bool) -> AppResult<ImportReport> {
    use calamine::Data;
    may_import(ctx)?;
    let sheet = crate::workbook::read_first_sheet_blocking(bytes, IMPORT_LIMITS).await?;
    let mut rows = sheet.iter().map(|(n, cells)| (*n as usize, cells));
    let header = match rows.next() {
        Some((_, r)) => r.iter().map(|c| c.to_string().trim().to_owned()).collect::<Vec<_>>(),
        None => Vec::new(),
    };
    if header.iter().take(IMPORT_COLUMNS.len()).map(String::as_str).ne(IMPORT_COLUMNS.iter().copied()) {
        return Err(invalid(
            "file",
            format!("表头须为：{}", IMPORT_COLUMNS.join("、")),
            format!("the header row must be: {}", IMPORT_COLUMNS.join(", ")),
        ));
    }
    let today = period::day_of_ms(ctx.now);
    // Checking reads without holding the write turn; only a clean, committed import takes it.
    let home = crate::compliance::home_unit(db, ctx).await?;
    let (cat, places) = {
        let mut c = db.read().await?;
        let (_, cat) = catalogue(&mut c).await?;
        (cat, store::places_under(&mut c, &home.path).await?)
    };
    let mut report = ImportReport { rows: 0, errors: Vec::new(), imported: 0 };
    let mut good: Vec<(CheckedItem, i64)> = Vec::new();
    for (row_no, r) in rows {
        let text = |n: usize| r.get(n).map(|c| c.to_string().trim().to_owned()).unwrap_or_default();
        if (0..IMPORT_COLUMNS.len()).all(|n| text(n).is_empty()) {
            continue;
        }
        report.rows += 1;
        let mut why: Vec<String> = Vec::new();
        let matching: Vec<&PlaceRow> = places.iter().filter(|p| p.unit_name == text(0) && p.name == text(1)).collect();
        let place = if matching.len() == 1 { Some(matching[0]) } else { None };
        match matching.len() {
            0 => why.push(format!("单位“{}”下没有场所“{}”", text(0), text(1))),
            1 => {}
            n => why.push(format!("“{}·{}”对应{n}个场所，请在下级单位分别导入", text(0), text(1))),
        }
        if let Some(p) = place
            && !keeps_ledger(ctx, &p.unit_path)
        {
            why.push("无权登记该场所（设施台账由保卫部门登记）".into());
        }
        let count = match r.get(4) {
            Some(Data::Int(n)) => Some(*n),
            Some(Data::Float(f)) if f.fract() == 0.0 => Some(*f as i64),
            Some(Data::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        let installed = r.get(6).and_then(cell_date);
        if installed.is_none() {
            why.push(format!("安装日期“{}”无法识别", text(6)));
        }
        let expires = if text(7).is_empty() { None } else { r.get(7).and_then(cell_date) };
        if !text(7).is_empty() && expires.is_none() {
            why.push(format!("有效期“{}”无法识别", text(7)));
        }
        let input = ItemInput {
            place_id: place.map(|p| p.id),
            kind: Some(text(2)),
            model: Some(text(3)),
            count: Some(count.unwrap_or(0)),
            supplier: Some(text(5)),
            installed,
            expires,
        };
        // Checked even without a date (with today's standing in), so every problem of the row is reported at once.
        let probe = ItemInput { installed: input.installed.or(Some(today)), ..input.clone() };
        match check_item(&cat, &probe, today) {
            Ok(c) if why.is_empty() => good.push((c, place.map_or(0, |p| p.unit_id))),
            Ok(_) => {}
            Err(e) => why.push(e.message),
        }
        if !why.is_empty() {
            report.errors.push((row_no, why.join("；")));
        }
    }
    if !commit || !report.errors.is_empty() {
        return Ok(report);
    }
    let mut tx = db.begin().await?;
    for (item, unit) in &good {
        insert_checked(&mut tx, ctx, item, "installed", "由Excel台账导入", UnitId::new(*unit)).await?;
    }
    tx.commit().await?;
    report.imported = good.len();
    Ok(report)
}

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
fn due_of(cat: &Catalogue, places: &[PlaceRow], items: &[ItemRow], today: Day) -> Vec<DueItem> {
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
