//! Guns and ammunition (ARMS-1, ARMS-2): the registry, kept apart by person and cabinet; checkouts requested,
//! approved by someone else, issued with keeper and receiver both signed in, and returned with the rounds counted.
use crate::audit::{self, Entity};
use crate::auth::AuthPolicy;
use crate::confirm::{self, SecondSignIn};
use crate::error::invalid;
use crate::{AppError, AppResult, Ctx};
use anbao_domain::DomainError;
use anbao_domain::access::Permission;
use anbao_domain::arms::{CheckoutStatus, Keeping, check_apart, check_approver};
use anbao_domain::ids::{StaffId, UnitId};
use anbao_domain::records::{RecordDraft, RecordKind};
use anbao_store::arms::{self as store, ArmRow, CheckoutRow, NewArm, NewCheckout};
use anbao_store::{Conn, Db};

/// The rule whose posts say who may approve a checkout.
pub const APPROVAL_RULE: &str = "ARMS-2";

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ArmInput {
    pub kind: Option<String>,
    pub label: Option<String>,
    pub serial: Option<String>,
    pub rounds: Option<i64>,
    pub cabinet_id: Option<i64>,
    pub keeper_id: Option<i64>,
    pub gun_id: Option<i64>,
}

/// Register a gun or an ammunition lot.
pub async fn register(db: &Db, ctx: &Ctx, input: &ArmInput) -> AppResult<i64> {
    let kind = input.kind.as_deref().unwrap_or_default();
    if kind != "gun" && kind != "ammo" {
        return Err(invalid("kind", "请选择枪支或弹药", "choose gun or ammunition"));
    }
    let label =
        anbao_domain::text::bounded("label", "名称型号", "Model", input.label.as_deref().unwrap_or_default(), 60)?;
    let serial =
        anbao_domain::text::bounded("serial", "编号", "Serial", input.serial.as_deref().unwrap_or_default(), 40)?;
    let rounds = if kind == "ammo" { input.rounds.unwrap_or(-1) } else { 0 };
    if !(0..=100_000).contains(&rounds) {
        return Err(invalid("rounds", "弹药数量须为0–100000的整数", "rounds: 0–100000"));
    }
    let cabinet = input.cabinet_id.ok_or_else(|| invalid("cabinet_id", "请选择枪弹柜", "choose the cabinet"))?;
    let keeper = input.keeper_id.ok_or_else(|| invalid("keeper_id", "请选择保管人", "choose the keeper"))?;
    let mut tx = db.begin().await?;
    let cab = anbao_store::assets::get(&mut tx, cabinet).await?.filter(|a| a.active && a.kind == "gun_cabinet");
    let cab = cab.ok_or_else(|| invalid("cabinet_id", "所选枪弹柜不存在", "no such gun cabinet"))?;
    // The registry is kept by the security department or the unit head, not by the keepers.
    ctx.must(Permission::StaffWrite, &cab.unit_path)?;
    let k = anbao_store::staff::get(&mut tx, StaffId::new(keeper)).await?;
    if !k.is_some_and(|s| s.active && s.unit_path.starts_with(&cab.unit_path)) {
        return Err(invalid("keeper_id", "保管人须是本单位在岗员工", "the keeper must be active staff of this unit"));
    }
    let mut gun = None;
    if kind == "ammo" {
        let g = input.gun_id.ok_or_else(|| invalid("gun_id", "请选择该弹药所配的枪支", "choose the gun it serves"))?;
        let g = store::get(&mut tx, g).await?.filter(|g| g.kind == "gun" && g.unit_id == cab.unit_id.get());
        let g = g.ok_or_else(|| invalid("gun_id", "所选枪支不存在或不属本单位", "no such gun in this unit"))?;
        check_apart(Keeping { keeper: g.keeper_id, cabinet: g.cabinet_id }, Keeping { keeper, cabinet })?;
        gun = Some(g.id);
    }
    let id = store::insert(
        &mut tx,
        NewArm {
            unit: cab.unit_id.get(),
            kind,
            label: &label,
            serial: &serial,
            rounds,
            cabinet,
            keeper,
            gun,
            now: ctx.now,
        },
    )
    .await
    .map_err(|e| {
        if anbao_store::is_unique_violation(&e) {
            AppError::Conflict(DomainError::new("serial", "该编号已登记", "that serial is already registered"))
        } else {
            e.into()
        }
    })?;
    audit::record(
        &mut tx,
        ctx.into(),
        &format!("arms.register.{kind}"),
        Entity::Row("arms", id),
        Some(cab.unit_id),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub struct Register {
    pub arms: Vec<ArmRow>,
    pub checkouts: Vec<CheckoutRow>,
}

pub async fn register_of(db: &Db, ctx: &Ctx, unit: UnitId) -> AppResult<Register> {
    let mut c = db.read().await?;
    let u = anbao_store::org::get(&mut c, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&u.path)?;
    Ok(Register {
        arms: store::under(&mut c, &u.path).await?,
        checkouts: store::checkouts_under(&mut c, &u.path, 100).await?,
    })
}

async fn checkout_in_scope(c: &mut Conn, ctx: &Ctx, id: i64) -> AppResult<CheckoutRow> {
    let k = store::checkout_by_id(c, id).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&k.unit_path)?;
    Ok(k)
}

fn status(k: &CheckoutRow) -> CheckoutStatus {
    CheckoutStatus::parse(&k.status).unwrap_or(CheckoutStatus::Returned)
}

fn wrong_state(k: &CheckoutRow) -> AppError {
    AppError::Conflict(DomainError::new(
        "status",
        format!("该领用单当前状态为“{}”，不能办理此操作", status(k).label_zh()),
        "the checkout is not in a state that allows this",
    ))
}

/// The signed-in person asks to draw a gun (and rounds of its ammunition).
pub async fn request(db: &Db, ctx: &Ctx, gun: i64, ammo: Option<i64>, rounds: i64, purpose: &str) -> AppResult<i64> {
    let me = confirm::first_person(db, ctx).await?;
    let purpose = anbao_domain::text::bounded("purpose", "领用事由", "Purpose", purpose, 200)?;
    let guard_rule = crate::guards::rule(db, ctx.now).await?;
    let mut tx = db.begin().await?;
    let g = store::get(&mut tx, gun).await?.filter(|g| g.kind == "gun").ok_or(AppError::NotFound)?;
    ctx.must(Permission::RecordWrite, &g.unit_path)?;
    // ORG-5: only an eligible armed guard takes a gun out.
    let today = anbao_domain::period::day_of_ms(ctx.now);
    crate::guards::must_be_eligible(&mut tx, guard_rule, me.id, &me.name, today).await?;
    if g.status != "in_store" {
        return Err(AppError::Conflict(DomainError::new(
            "gun_id",
            "该枪支不在库，不能领用",
            "the gun is not in store",
        )));
    }
    if let Some(a) = ammo {
        let a = store::get(&mut tx, a).await?.filter(|a| a.gun_id == Some(g.id));
        let a =
            a.ok_or_else(|| invalid("ammo_id", "所选弹药不是该枪支的配弹", "that ammunition does not serve this gun"))?;
        if !(1..=a.rounds).contains(&rounds) {
            return Err(invalid("rounds", format!("领用弹药须为1–{}发", a.rounds), "rounds out of range"));
        }
    } else if rounds != 0 {
        return Err(invalid("ammo_id", "领用弹药须选择弹药批次", "choose the ammunition lot"));
    }
    let id = store::insert_checkout(
        &mut tx,
        NewCheckout {
            unit: g.unit_id,
            gun: g.id,
            ammo,
            rounds_out: rounds,
            purpose: &purpose,
            requester: me.id.get(),
            by: ctx.actor.account.get(),
            now: ctx.now,
        },
    )
    .await?;
    let unit = Some(UnitId::new(g.unit_id));
    audit::record(&mut tx, ctx.into(), "arms.request", Entity::Row("arms_checkouts", id), unit, None).await?;
    tx.commit().await?;
    Ok(id)
}

/// Approve or refuse a checkout. The approver is the signed-in person, never the requester, and holds a post the
/// rulebook's ARMS-2 names (any post when it names none).
pub async fn decide(db: &Db, ctx: &Ctx, id: i64, approve: bool, note: Option<&str>) -> AppResult<()> {
    let me = confirm::first_person(db, ctx).await?;
    let rule = crate::rulebook::current(db, APPROVAL_RULE, ctx.now).await?;
    let mut tx = db.begin().await?;
    let k = checkout_in_scope(&mut tx, ctx, id).await?;
    ctx.must(Permission::RecordWrite, &k.unit_path)?;
    let next = if approve { CheckoutStatus::Approved } else { CheckoutStatus::Rejected };
    if !status(&k).may_become(next) {
        return Err(wrong_state(&k));
    }
    check_approver(k.requester_id, me.id.get())?;
    if k.requested_by == ctx.actor.account.get() {
        return Err(invalid("approver", "提交领用申请的账号不能审批该申请", "the account that asked may not approve"));
    }
    if let Some(r) = rule.filter(|r| !r.positions.is_empty())
        && !me.positions.iter().any(|p| r.positions.iter().any(|x| x == p.code()))
    {
        return Err(AppError::Forbidden);
    }
    let note = note.map(str::trim).filter(|s| !s.is_empty());
    if !approve && note.is_none() {
        return Err(invalid("note", "不批准时须说明理由", "give the reason for refusing"));
    }
    let before = Entity::Row("arms_checkouts", id).snapshot(&mut tx).await?;
    store::decide(&mut tx, id, next.code(), me.id.get(), ctx.actor.account.get(), note, ctx.now).await?;
    let unit = Some(UnitId::new(k.unit_id));
    audit::record(
        &mut tx,
        ctx.into(),
        &format!("arms.{}", next.code()),
        Entity::Row("arms_checkouts", id),
        unit,
        before.as_ref(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Issue an approved checkout: the gun's keeper is signed in, the requester confirms receipt on the same device.
/// Writes the ARMS-2 evidence (requester and approver).
pub async fn issue(db: &Db, policy: &AuthPolicy, ctx: &Ctx, id: i64, second: &SecondSignIn) -> AppResult<()> {
    let pair = confirm::second_person(db, policy, ctx, second, "枪弹领用须保管人与领用人当面交接登记").await?;
    let mut tx = db.begin().await?;
    let k = checkout_in_scope(&mut tx, ctx, id).await?;
    ctx.must(Permission::RecordWrite, &k.unit_path)?;
    if !status(&k).may_become(CheckoutStatus::Issued) {
        return Err(wrong_state(&k));
    }
    let g = store::get(&mut tx, k.gun_id).await?.ok_or(AppError::NotFound)?;
    if pair.first.id.get() != g.keeper_id {
        return Err(invalid(
            "confirm_username",
            format!("须由枪支保管人（{}）发放", g.keeper_name),
            "the gun's keeper must issue it",
        ));
    }
    if pair.second.id.get() != k.requester_id {
        return Err(invalid(
            "confirm_username",
            format!("须由领用人（{}）本人确认领取", k.requester_name),
            "the requester must confirm receipt",
        ));
    }
    let unit = UnitId::new(k.unit_id);
    // The gun must still be in store (a second approved checkout of it cannot be issued).
    let before_gun = Entity::Row("arms", g.id).snapshot(&mut tx).await?;
    if !store::take_out(&mut tx, g.id, ctx.now).await? {
        return Err(AppError::Conflict(DomainError::new(
            "gun_id",
            "该枪支不在库，不能发放",
            "the gun is not in store",
        )));
    }
    audit::record(&mut tx, ctx.into(), "arms.out", Entity::Row("arms", g.id), Some(unit), before_gun.as_ref()).await?;
    if let Some(a) = k.ammo_id {
        let a = store::get(&mut tx, a).await?.ok_or(AppError::NotFound)?;
        if a.rounds < k.rounds_out {
            return Err(AppError::Conflict(DomainError::new("rounds", "库存弹药不足", "not enough rounds in store")));
        }
        let before = Entity::Row("arms", a.id).snapshot(&mut tx).await?;
        store::set_state(&mut tx, a.id, "in_store", a.rounds - k.rounds_out, ctx.now).await?;
        audit::record(&mut tx, ctx.into(), "arms.out", Entity::Row("arms", a.id), Some(unit), before.as_ref()).await?;
    }
    let before_checkout = Entity::Row("arms_checkouts", id).snapshot(&mut tx).await?;
    if !store::issue(&mut tx, id, pair.first.id.get(), ctx.now).await? {
        return Err(wrong_state(&k));
    }
    audit::record(
        &mut tx,
        ctx.into(),
        "arms.issued",
        Entity::Row("arms_checkouts", id),
        Some(unit),
        before_checkout.as_ref(),
    )
    .await?;
    let draft = RecordDraft {
        kind: RecordKind::GunCheckout,
        subkind: None,
        performer: Some(StaffId::new(k.requester_id)),
        performer_position: None,
        second_person: k.approver_id.map(StaffId::new),
        subject_staff: None,
        target_unit: None,
        value: Some(k.rounds_out),
        data: serde_json::json!({ "checkout": id, "gun": g.serial, "issued_by": pair.first.id.get() }),
        breach: None,
    };
    crate::evidence::insert(&mut tx, ctx, &draft, unit, Some(g.cabinet_id)).await?;
    tx.commit().await?;
    Ok(())
}

/// Return a gun: the keeper is signed in, the person returning it confirms; rounds are counted, and a difference is
/// raised as a discrepancy that needs an explanation.
pub async fn give_back(
    db: &Db,
    policy: &AuthPolicy,
    ctx: &Ctx,
    id: i64,
    rounds_back: i64,
    note: Option<&str>,
    second: &SecondSignIn,
) -> AppResult<bool> {
    let pair = confirm::second_person(db, policy, ctx, second, "枪弹归还须保管人与归还人当面清点交接").await?;
    let mut tx = db.begin().await?;
    let k = checkout_in_scope(&mut tx, ctx, id).await?;
    ctx.must(Permission::RecordWrite, &k.unit_path)?;
    if !status(&k).may_become(CheckoutStatus::Returned) {
        return Err(wrong_state(&k));
    }
    let g = store::get(&mut tx, k.gun_id).await?.ok_or(AppError::NotFound)?;
    if pair.first.id.get() != g.keeper_id || pair.second.id.get() != k.requester_id {
        return Err(invalid(
            "confirm_username",
            format!("须由枪支保管人（{}）收回、领用人（{}）确认", g.keeper_name, k.requester_name),
            "the keeper receives and the requester confirms",
        ));
    }
    if !(0..=k.rounds_out).contains(&rounds_back) {
        return Err(invalid("rounds_back", format!("归还弹药须为0–{}发", k.rounds_out), "rounds back out of range"));
    }
    let discrepancy = rounds_back != k.rounds_out;
    let note = note.map(str::trim).filter(|s| !s.is_empty());
    if discrepancy && note.is_none() {
        return Err(invalid("note", "归还弹药数与领出数不符，须说明原因", "explain the missing rounds"));
    }
    let unit = UnitId::new(k.unit_id);
    let before = Entity::Row("arms", g.id).snapshot(&mut tx).await?;
    store::set_state(&mut tx, g.id, "in_store", 0, ctx.now).await?;
    audit::record(&mut tx, ctx.into(), "arms.in", Entity::Row("arms", g.id), Some(unit), before.as_ref()).await?;
    if let Some(a) = k.ammo_id {
        let a = store::get(&mut tx, a).await?.ok_or(AppError::NotFound)?;
        let before = Entity::Row("arms", a.id).snapshot(&mut tx).await?;
        store::set_state(&mut tx, a.id, "in_store", a.rounds + rounds_back, ctx.now).await?;
        audit::record(&mut tx, ctx.into(), "arms.in", Entity::Row("arms", a.id), Some(unit), before.as_ref()).await?;
    }
    let before_checkout = Entity::Row("arms_checkouts", id).snapshot(&mut tx).await?;
    // Conditional on the checkout still being out; a second return at the same moment rolls back here.
    if !store::give_back(&mut tx, id, rounds_back, note, discrepancy, ctx.now).await? {
        return Err(wrong_state(&k));
    }
    if discrepancy {
        crate::confirm::report_to_security(
            &mut tx,
            &k.unit_path,
            &format!("arms-discrepancy-{id}"),
            &format!("枪弹归还数量不符：{}", k.gun_label),
            &format!("领出{}发，归还{}发。说明：{}", k.rounds_out, rounds_back, note.unwrap_or_default()),
            "/arms",
            ctx.now,
        )
        .await?;
    }
    let action = if discrepancy { "arms.returned_with_discrepancy" } else { "arms.returned" };
    audit::record(&mut tx, ctx.into(), action, Entity::Row("arms_checkouts", id), Some(unit), before_checkout.as_ref())
        .await?;
    tx.commit().await?;
    Ok(discrepancy)
}

/// The monthly custody check of a gun or ammunition cabinet (ARMS-1): the two people are the keeper of a gun and
/// the keeper of its ammunition, one of which is kept in this cabinet.
pub(crate) async fn check_custody_pair(c: &mut Conn, cabinet: i64, d: &RecordDraft) -> AppResult<()> {
    let (Some(a), Some(b)) = (d.performer.map(|x| x.get()), d.second_person.map(|x| x.get())) else { return Ok(()) };
    let cab = anbao_store::assets::get(c, cabinet).await?.ok_or(AppError::NotFound)?;
    let all: Vec<ArmRow> = store::under(c, &cab.unit_path).await?;
    for g in all.iter().filter(|g| g.kind == "gun") {
        for m in all.iter().filter(|m| m.gun_id == Some(g.id)) {
            let here = g.cabinet_id == cabinet || m.cabinet_id == cabinet;
            if here && ((g.keeper_id == a && m.keeper_id == b) || (g.keeper_id == b && m.keeper_id == a)) {
                return Ok(());
            }
        }
    }
    Err(invalid(
        "confirm_username",
        "须由枪支保管人和其弹药保管人两人共同核对（枪弹双人分离保管）",
        "a gun's keeper and its ammunition's keeper must check together",
    ))
}
