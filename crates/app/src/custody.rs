//! Keys, codes and self-defence weapons (VAULT-4, VAULT-6, ARMS-4): the register of who holds what, handovers that
//! both people confirm, the rule that one person never holds both a vault's key and its code, and the lock change
//! a lost key or code opens.
use crate::audit::{self, Entity};
use crate::auth::AuthPolicy;
use crate::confirm::{self, SecondSignIn};
use crate::error::invalid;
use crate::{AppError, AppResult, Ctx};
use anbao_domain::DomainError;
use anbao_domain::access::{Permission, Role};
use anbao_domain::records::spec::Breach;
use anbao_domain::records::{RecordDraft, RecordKind};
use anbao_domain::staff::Position;
use anbao_store::custody::{self as store, ItemRow, NewHandover, NewItem};
use anbao_store::{Conn, Db};

/// What may be held: a key or code of a vault, safe or ATM, their spares, or a self-defence weapon.
pub const ITEM_KINDS: [(&str, &str, &str); 5] = [
    ("key", "钥匙", "Key"),
    ("code", "密码", "Code"),
    ("spare_key", "备用钥匙", "Spare key"),
    ("spare_code", "备用密码", "Spare code"),
    ("weapon", "自卫器械", "Self-defence weapon"),
];

pub fn kind_label(code: &str) -> &'static str {
    ITEM_KINDS.iter().find(|k| k.0 == code).map_or("—", |k| k.1)
}

const KEY_AND_CODE: &str = "钥匙和密码双人掌管（篇五《全省农村信用社2012年安全保卫工作安排意见》五）";

/// The opposite half of a key/code pair: one person never holds both for one asset.
fn other_half(kind: &str) -> &'static [&'static str] {
    match kind {
        "key" | "spare_key" => &["code", "spare_code"],
        "code" | "spare_code" => &["key", "spare_key"],
        _ => &[],
    }
}

async fn check_apart(c: &mut Conn, asset: Option<i64>, kind: &str, holder: i64, except: Option<i64>) -> AppResult<()> {
    let Some(asset) = asset else { return Ok(()) };
    // A CCTV system's password and cabinet key are both the administrator's (第四十三条): not held apart.
    if anbao_store::assets::get(c, asset).await?.is_some_and(|a| a.kind == "cctv") {
        return Ok(());
    }
    let items = store::items_of_asset(c, asset).await?;
    let clash = items.iter().any(|i| {
        Some(i.id) != except
            && i.status == "held"
            && i.holder_id == Some(holder)
            && other_half(kind).contains(&i.kind.as_str())
    });
    if clash {
        return Err(invalid(
            "holder_id",
            format!("同一人不得同时掌管同一设备的钥匙和密码：{KEY_AND_CODE}"),
            "one person may not hold both the key and the code of one asset",
        ));
    }
    Ok(())
}

/// Input for registering an item.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ItemInput {
    pub unit_id: Option<i64>,
    pub asset_id: Option<i64>,
    pub kind: Option<String>,
    pub label: Option<String>,
    pub holder_id: Option<i64>,
}

pub async fn register(db: &Db, ctx: &Ctx, input: &ItemInput) -> AppResult<i64> {
    let kind = input.kind.as_deref().unwrap_or_default();
    if !ITEM_KINDS.iter().any(|k| k.0 == kind) {
        return Err(invalid("kind", "请选择保管物品的类别", "choose what is held"));
    }
    let label = anbao_domain::text::bounded("label", "名称", "Name", input.label.as_deref().unwrap_or_default(), 60)?;
    let holder = input.holder_id.ok_or_else(|| invalid("holder_id", "请选择保管人", "choose who holds it"))?;
    let mut tx = db.begin().await?;
    let (unit_id, asset, asset_kind) = match input.asset_id {
        Some(a) => {
            let a = anbao_store::assets::get(&mut tx, a).await?.filter(|a| a.active);
            let a = a.ok_or_else(|| invalid("asset_id", "所选设备不存在", "no such asset"))?;
            (a.unit_id.get(), Some(a.id), a.kind)
        }
        None => {
            (input.unit_id.ok_or_else(|| invalid("unit_id", "请选择单位", "choose the unit"))?, None, String::new())
        }
    };
    let unit =
        anbao_store::org::get(&mut tx, anbao_domain::ids::UnitId::new(unit_id)).await?.ok_or(AppError::NotFound)?;
    // Who holds what is decided by the outlet head or the security department, not by the holders themselves.
    ctx.must(Permission::StaffWrite, &unit.path)?;
    holder_under(&mut tx, holder, &unit.path).await?;
    weapon_post(&mut tx, kind, holder).await?;
    cctv_post(&mut tx, &asset_kind, holder).await?;
    check_apart(&mut tx, asset, kind, holder, None).await?;
    let id = store::insert_item(&mut tx, NewItem { unit: unit_id, asset, kind, label: &label, holder, now: ctx.now })
        .await?;
    audit::record(&mut tx, ctx.into(), "custody.register", Entity::Row("custody_items", id), Some(unit.id), None)
        .await?;
    tx.commit().await?;
    Ok(id)
}

async fn holder_under(c: &mut Conn, staff: i64, path: &str) -> AppResult<()> {
    let s = anbao_store::staff::get(c, anbao_domain::ids::StaffId::new(staff)).await?;
    if !s.is_some_and(|s| s.active && s.unit_path.starts_with(path)) {
        return Err(invalid("holder_id", "保管人须是本单位在岗员工", "the holder must be active staff of this unit"));
    }
    Ok(())
}

/// The posts a self-defence weapon is for (第五十一条 "专为临柜、守库、押运时作防范之用"): at the counter, on vault duty,
/// on escort. Anyone else holding it would be a loan, which the article forbids ("无权调用、借用和移作他用").
const WEAPON_POSTS: [Position; 4] =
    [Position::Teller, Position::VaultKeeper, Position::Guard, Position::SecurityOfficer];

async fn weapon_post(c: &mut Conn, kind: &str, holder: i64) -> AppResult<()> {
    if kind != "weapon" {
        return Ok(());
    }
    let s = anbao_store::staff::get(c, anbao_domain::ids::StaffId::new(holder)).await?;
    if !s.is_some_and(|s| s.positions.iter().any(|p| WEAPON_POSTS.contains(p))) {
        return Err(invalid(
            "holder_id",
            "自卫武器专为临柜、守库、押运时作防范之用，只能由临柜、守库或押运岗位人员保管，不得借用、移作他用（第五十一条）",
            "a self-defence weapon is held only by counter, vault-duty or escort staff, never lent (art. 51)",
        ));
    }
    Ok(())
}

/// 第四十三条 "监控管理员必须设定好操作密码,保管好监控柜的钥匙": the recorder's password and the cabinet key are registered to
/// the CCTV administrator; a handover on leave (休息调班办理好交接手续) goes through `handover`, which records it.
async fn cctv_post(c: &mut Conn, asset_kind: &str, holder: i64) -> AppResult<()> {
    if asset_kind != "cctv" {
        return Ok(());
    }
    let s = anbao_store::staff::get(c, anbao_domain::ids::StaffId::new(holder)).await?;
    if !s.is_some_and(|s| s.positions.contains(&Position::CctvAdmin)) {
        return Err(invalid(
            "holder_id",
            "监控系统的操作密码和监控柜钥匙由监控管理员保管（第四十三条）",
            "the recorder's password and the cabinet key are held by the CCTV administrator (art. 43)",
        ));
    }
    Ok(())
}

async fn item_in_scope(c: &mut Conn, ctx: &Ctx, id: i64) -> AppResult<ItemRow> {
    let item = store::item(c, id).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&item.unit_path)?;
    Ok(item)
}

/// Hand an item over: the present holder is signed in, the receiver confirms on the same device (垂直交接).
pub async fn handover(
    db: &Db,
    policy: &AuthPolicy,
    ctx: &Ctx,
    item_id: i64,
    second: &SecondSignIn,
    note: Option<&str>,
) -> AppResult<i64> {
    let pair = confirm::second_person(db, policy, ctx, second, "钥匙、密码交接须交接双方当面确认（双向交接）").await?;
    let mut tx = db.begin().await?;
    let item = item_in_scope(&mut tx, ctx, item_id).await?;
    ctx.must(Permission::RecordWrite, &item.unit_path)?;
    if item.status != "held" {
        return Err(AppError::Conflict(DomainError::new(
            "status",
            "该物品已挂失或停用，不能交接",
            "the item is lost or retired",
        )));
    }
    if item.holder_id != Some(pair.first.id.get()) {
        return Err(invalid(
            "confirm_username",
            format!("须由当前保管人（{}）交出", item.holder_name.clone().unwrap_or_default()),
            "the present holder must hand it over",
        ));
    }
    let to = pair.second.id.get();
    holder_under(&mut tx, to, &item.unit_path).await?;
    weapon_post(&mut tx, &item.kind, to).await?;
    check_apart(&mut tx, item.asset_id, &item.kind, to, Some(item.id)).await?;
    let before = Entity::Row("custody_items", item.id).snapshot(&mut tx).await?;
    store::set_holder(&mut tx, item.id, Some(to), "held", ctx.now).await?;
    let unit = Some(anbao_domain::ids::UnitId::new(item.unit_id));
    audit::record(
        &mut tx,
        ctx.into(),
        "custody.handover",
        Entity::Row("custody_items", item.id),
        unit,
        before.as_ref(),
    )
    .await?;
    let note = note.map(str::trim).filter(|s| !s.is_empty()).map(|s| s.chars().take(200).collect());
    let hid = store::insert_handover(
        &mut tx,
        NewHandover {
            item: item.id,
            from_staff: Some(pair.first.id.get()),
            to_staff: to,
            from_account: Some(ctx.actor.account.get()),
            to_account: Some(pair.second_account),
            note,
            at: ctx.now,
        },
    )
    .await?;
    audit::record(&mut tx, ctx.into(), "custody.handover", Entity::Row("custody_handovers", hid), unit, None).await?;
    tx.commit().await?;
    Ok(hid)
}

/// Who may report an item lost: its present holder, who answers for it (谁保管谁负责: 钥匙和密码双人掌管，篇五 五;
/// 自卫武器"谁使用、谁管理"，第五十二条; 各网点岗位员工对本岗位的安全负责，责任追究办法 第九条), or the head of its
/// unit or the security department over it. A colleague, or an escort granted at the county, may not: a false
/// report would open a lock change on someone else's key.
pub fn may_report_lost(ctx: &Ctx, item: &ItemRow) -> bool {
    let holds_it = item.holder_id.is_some() && item.holder_id == ctx.actor.staff_id.map(|s| s.get());
    let may_enter = ctx.actor.scope.allows(Permission::RecordWrite, &item.unit_path);
    may_enter && (holds_it || ctx.actor.scope.holds(&[Role::UnitHead, Role::Security], &item.unit_path))
}

/// A key or code is lost: it is marked lost and a lock change opens (VAULT-6).
pub async fn report_lost(db: &Db, ctx: &Ctx, item_id: i64, reason: &str) -> AppResult<i64> {
    let reason = anbao_domain::text::bounded("reason", "挂失原因", "Reason", reason, 200)?;
    let mut tx = db.begin().await?;
    let item = item_in_scope(&mut tx, ctx, item_id).await?;
    if !may_report_lost(ctx, &item) {
        return Err(AppError::Forbidden);
    }
    if item.status != "held" {
        return Err(AppError::Conflict(DomainError::new("status", "该物品已挂失", "already reported lost")));
    }
    let unit = Some(anbao_domain::ids::UnitId::new(item.unit_id));
    let before = Entity::Row("custody_items", item.id).snapshot(&mut tx).await?;
    store::set_holder(&mut tx, item.id, None, "lost", ctx.now).await?;
    audit::record(&mut tx, ctx.into(), "custody.lost", Entity::Row("custody_items", item.id), unit, before.as_ref())
        .await?;
    let id = if item.kind == "weapon" {
        0
    } else {
        let id = store::open_lock_change(&mut tx, &item, &reason, ctx.actor.account.get(), ctx.now).await?;
        confirm::report_to_security(
            &mut tx,
            &item.unit_path,
            &format!("lock-change-{id}"),
            &format!("{}遗失，须立即更换锁具", item.label),
            &format!("{}：{reason}", item.unit_name),
            "/keys",
            ctx.now,
        )
        .await?;
        audit::record(&mut tx, ctx.into(), "custody.lock_change_open", Entity::Row("lock_changes", id), unit, None)
            .await?;
        id
    };
    tx.commit().await?;
    Ok(id)
}

/// The lock is changed: the lost item is replaced by a new one held by `holder`, and the task closes.
pub async fn finish_lock_change(db: &Db, ctx: &Ctx, id: i64, holder: i64, note: &str) -> AppResult<i64> {
    let note = anbao_domain::text::bounded("note", "换锁情况", "What was done", note, 200)?;
    let mut tx = db.begin().await?;
    let lc = store::lock_change(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let old = item_in_scope(&mut tx, ctx, lc.item_id).await?;
    ctx.must(Permission::StaffWrite, &old.unit_path)?;
    if lc.done_at.is_some() {
        return Err(AppError::Conflict(DomainError::new("status", "该换锁任务已完成", "already done")));
    }
    holder_under(&mut tx, holder, &old.unit_path).await?;
    check_apart(&mut tx, old.asset_id, &old.kind, holder, Some(old.id)).await?;
    let unit = Some(anbao_domain::ids::UnitId::new(old.unit_id));
    store::finish_lock_change(&mut tx, id, ctx.actor.account.get(), &note, ctx.now).await?;
    audit::record(&mut tx, ctx.into(), "custody.lock_changed", Entity::Row("lock_changes", id), unit, None).await?;
    let before = Entity::Row("custody_items", old.id).snapshot(&mut tx).await?;
    store::set_holder(&mut tx, old.id, None, "retired", ctx.now).await?;
    audit::record(&mut tx, ctx.into(), "custody.retire", Entity::Row("custody_items", old.id), unit, before.as_ref())
        .await?;
    let new_id = store::insert_item(
        &mut tx,
        NewItem { unit: old.unit_id, asset: old.asset_id, kind: &old.kind, label: &old.label, holder, now: ctx.now },
    )
    .await?;
    audit::record(&mut tx, ctx.into(), "custody.register", Entity::Row("custody_items", new_id), unit, None).await?;
    tx.commit().await?;
    Ok(new_id)
}

/// The custody table of the units under a unit: items, open lock changes, recent handovers.
pub struct Table {
    pub items: Vec<ItemRow>,
    pub lock_changes: Vec<store::LockChangeRow>,
    pub handovers: Vec<store::HandoverRow>,
}

pub async fn table(db: &Db, ctx: &Ctx, unit: anbao_domain::ids::UnitId) -> AppResult<Table> {
    let mut c = db.read().await?;
    let u = anbao_store::org::get(&mut c, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&u.path)?;
    Ok(Table {
        items: store::items_under(&mut c, &u.path).await?.into_iter().filter(|i| i.status != "retired").collect(),
        lock_changes: store::open_lock_changes_under(&mut c, &u.path).await?,
        handovers: store::handovers_under(&mut c, &u.path, 30).await?,
    })
}

/// For a two-person procedure on an asset (vault entry, ATM loading, the monthly key check): the two people
/// must be its key holder and its code holder; a vault with an open lock change fails its custody check.
pub async fn check_key_and_code(c: &mut Conn, asset: i64, d: &RecordDraft) -> AppResult<()> {
    let vault_use = matches!(d.kind, RecordKind::KeyCustodyCheck | RecordKind::VaultEntry);
    if vault_use && store::lock_change_open_for(c, asset).await? {
        return Err(invalid(
            "asset_id",
            "该金库有遗失的钥匙或密码尚未换锁，须先更换锁具（严禁使用无备用钥匙或备用密码的金库）",
            "a lost key or code of this vault awaits a lock change",
        ));
    }
    let (Some(a), Some(b)) = (d.performer.map(|x| x.get()), d.second_person.map(|x| x.get())) else { return Ok(()) };
    let items = store::items_of_asset(c, asset).await?;
    let holders = |kinds: &[&str]| -> Vec<i64> {
        items
            .iter()
            .filter(|i| i.status == "held" && kinds.contains(&i.kind.as_str()))
            .filter_map(|i| i.holder_id)
            .collect()
    };
    let (keys, codes) = (holders(&["key"]), holders(&["code"]));
    // The article before 第三十七条: "严禁使用无备用钥匙(或备用密码)的金库" — a vault is entered only with both spares
    // registered in the custody register.
    if d.kind == RecordKind::VaultEntry && (holders(&["spare_key"]).is_empty() || holders(&["spare_code"]).is_empty()) {
        return Err(invalid(
            "asset_id",
            "该金库未登记备用钥匙或备用密码：严禁使用无备用钥匙（或备用密码）的金库，请先在“钥匙密码”中登记",
            "register this vault's spare key and spare code first: a vault without them is not used",
        ));
    }
    if keys.is_empty() || codes.is_empty() {
        return Err(invalid(
            "asset_id",
            "该设备尚未登记钥匙和密码的掌管人，请先在“钥匙密码”中登记",
            "register who holds this asset's key and code first",
        ));
    }
    let ok = (keys.contains(&a) && codes.contains(&b)) || (codes.contains(&a) && keys.contains(&b));
    if !ok {
        return Err(invalid(
            "confirm_username",
            format!("须由该设备的钥匙掌管人和密码掌管人两人共同办理：{KEY_AND_CODE}"),
            "the key holder and the code holder of this asset must act together",
        ));
    }
    Ok(())
}

/// 第十八条 "严禁携带金库钥匙值班": a duty log naming, as one of the guards, the person the custody register shows holding
/// the vault's key is a breach, recorded with the log.
pub async fn duty_with_key(c: &mut Conn, asset: i64, d: &RecordDraft) -> AppResult<Option<Breach>> {
    let guards: Vec<i64> = [d.performer, d.second_person].into_iter().flatten().map(|x| x.get()).collect();
    let items = store::items_of_asset(c, asset).await?;
    let carries =
        items.iter().any(|i| i.status == "held" && i.kind == "key" && i.holder_id.is_some_and(|h| guards.contains(&h)));
    Ok(carries.then_some(DUTY_WITH_KEY))
}

const DUTY_WITH_KEY: Breach = Breach {
    violation: "duty_with_vault_key",
    hazard: false,
    words: (
        "严禁携带金库钥匙值班（第十八条）：值班人员登记为该金库钥匙的掌管人",
        "no one on duty carries the vault key (art. 18): a guard is the key's registered holder",
    ),
};
