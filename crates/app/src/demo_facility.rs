//! Demo facilities: every outlet, vault and ATM is a place with its ledger, with the gaps a real union has (outlets
//! without bulletproof glass or interlock doors, a vault without its vibration alarm, expired extinguishers), a new
//! outlet waiting for its acceptance with a project under way, and a fault reported at a vault.
use crate::facility::{ItemInput, add_item, add_place, item_action, project_step, propose, report_fault};
use crate::{AppResult, Ctx};
use anbao_domain::facility::ProjectStep;
use anbao_domain::org::UnitKind;
use anbao_domain::period;
use anbao_store::Db;

async fn item(db: &Db, ctx: &Ctx, place: i64, kind: &str, model: &str, count: i64, installed: i64) -> AppResult<i64> {
    let input = ItemInput {
        place_id: Some(place),
        kind: Some(kind.into()),
        model: Some(model.into()),
        count: Some(count),
        supplier: Some("云岭数字安防科技有限公司".into()),
        installed: Some(installed),
        expires: None,
    };
    let id = add_item(db, ctx, &input).await?;
    // Most items had their regular check this month; the alarm at every fourth outlet is left unchecked, so the
    // due list has something to show.
    if !(kind == "alarm_110" && place % 4 == 0) {
        item_action(db, ctx, id, "checked", "例行检查正常").await?;
    }
    Ok(id)
}

/// A ledger item that runs out: a contract or an agreement, from `from` until `until`.
#[allow(clippy::too_many_arguments)]
async fn agreement(
    db: &Db,
    ctx: &Ctx,
    place: i64,
    kind: &str,
    (model, by): (&str, &str),
    count: i64,
    from: i64,
    until: i64,
) -> AppResult<i64> {
    let input = ItemInput {
        place_id: Some(place),
        kind: Some(kind.into()),
        model: Some(model.into()),
        count: Some(count),
        supplier: Some(by.into()),
        installed: Some(from),
        expires: Some(until),
    };
    add_item(db, ctx, &input).await
}

pub async fn seed(db: &Db, ctx: &Ctx) -> AppResult<()> {
    let today = period::day_of_ms(ctx.now);
    let (units, assets) = {
        let mut c = db.read().await?;
        (anbao_store::org::under(&mut c, "/").await?, anbao_store::assets::under(&mut c, "/").await?)
    };
    let outlets: Vec<_> = units.iter().filter(|u| u.kind == UnitKind::Outlet).collect();
    let mut vault_fault = None;
    for (n, o) in outlets.iter().enumerate() {
        let risk = if o.name.ends_with("营业部") { 3 } else { 2 };
        let p = add_place(db, ctx, o.id, "outlet", &format!("{}营业场所", o.name), risk, None, true).await?;
        let long_ago = today - 4 * 365;
        if n % 7 != 3 {
            item(db, ctx, p, "bulletproof_glass", "FD-32 防弹复合玻璃", 1, long_ago).await?;
        }
        if n % 5 != 2 {
            item(db, ctx, p, "interlock_door", "LD-200 防尾随联动门", 1, long_ago).await?;
        }
        if n % 11 != 4 {
            item(db, ctx, p, "cctv", "HV-16 网络硬盘录像机", 1, today - 2 * 365).await?;
        }
        item(db, ctx, p, "alarm_110", "BJ-110 联网报警主机", 1, long_ago).await?;
        item(db, ctx, p, "emergency_button", "脚踏式紧急报警按钮", 3, long_ago).await?;
        // Extinguishers last five years: at some outlets they were bought six years ago and are now expired.
        let bought = if n % 9 == 0 { today - 6 * 365 } else { today - 365 };
        item(db, ctx, p, "extinguisher", "MFZ/ABC4 干粉灭火器", 2, bought).await?;
        item(db, ctx, p, "baton", "高压电警棍", 2, today - 2 * 365).await?;
        if risk == 3 {
            item(db, ctx, p, "guard_rail", "不锈钢防护栏", 6, long_ago).await?;
        }
        // Guards under a yearly service contract, and the mutual-defence agreement with the neighbours; at a few
        // outlets that already lack glass or a door, the contract has run out or no agreement was signed.
        let contract_end = if n % 7 == 3 && n % 2 == 1 { today - 20 } else { today + 180 };
        agreement(db, ctx, p, "security_guard", ("保安服务合同", "县保安服务公司"), 1, today - 185, contract_end)
            .await?;
        if n % 5 != 2 {
            agreement(db, ctx, p, "mutual_defence", ("联防协议", "四邻单位及辖区派出所"), 1, today - 90, today + 275)
                .await?;
        }
        for a in assets.iter().filter(|a| a.unit_id == o.id) {
            match a.kind.as_str() {
                "vault" => {
                    let v = add_place(db, ctx, o.id, "vault", &a.name, risk, Some(a.id), true).await?;
                    item(db, ctx, v, "vault_door", "JK-A 甲级金库门", 1, long_ago).await?;
                    if n % 6 != 1 {
                        item(db, ctx, v, "vibration_alarm", "ZD-8 振动探测器", 2, long_ago).await?;
                    }
                    let cam = item(db, ctx, v, "cctv", "库房半球摄像机", 2, today - 2 * 365).await?;
                    item(db, ctx, v, "alarm_110", "BJ-110 联网报警主机", 1, long_ago).await?;
                    item(db, ctx, v, "dehumidifier", "工业除湿机", 1, long_ago).await?;
                    item(db, ctx, v, "extinguisher", "MFZ/ABC4 干粉灭火器", 1, today - 365).await?;
                    if n == 1 {
                        vault_fault = Some(cam);
                    }
                    item_action(db, ctx, cam, "checked", "月度检查正常").await?;
                }
                "atm" => {
                    let m = add_place(db, ctx, o.id, "atm", &a.name, 1, Some(a.id), true).await?;
                    item(db, ctx, m, "cctv", "ATM针孔摄像机", 1, today - 2 * 365).await?;
                    item(db, ctx, m, "alarm_110", "ATM联网报警", 1, long_ago).await?;
                }
                _ => {}
            }
        }
    }
    // A new outlet under construction: it opens only after its installations pass acceptance.
    if let Some(coop) = units.iter().find(|u| u.kind == UnitKind::Cooperative) {
        let p = add_place(db, ctx, coop.id, "outlet", "城南新区分社（筹建）", 2, None, false).await?;
        let j = propose(db, ctx, p, "bulletproof_glass", "FD-32 防弹复合玻璃", "云岭安防玻璃有限公司", 86_000).await?;
        project_step(db, ctx, j, ProjectStep::Approve, None).await?;
        project_step(db, ctx, j, ProjectStep::Install, None).await?;
        propose(db, ctx, p, "interlock_door", "LD-200 防尾随联动门", "滇中安全门业有限公司", 128_000).await?;
    }
    if let Some(cam) = vault_fault {
        report_fault(db, ctx, cam, "库房摄像机夜间画面全黑").await?;
    }
    Ok(())
}
