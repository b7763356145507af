//! Demo custody: who holds each vault's and ATM's key and code, a month's duty roster at the first outlet, the
//! county union's guns and ammunition, its vans and a planned escort trip.
use crate::{AppResult, Ctx};
use anbao_domain::ids::{StaffId, UnitId};
use anbao_domain::records::{RecordDraft, RecordKind};
use anbao_domain::staff::Position;
use anbao_store::Db;

/// The people of an outlet the demo hands keys, codes and accounts to.
pub struct OutletPeople {
    pub director: StaffId,
    pub teller: StaffId,
    /// The two vault keepers (管库员); the second is also the ATM administrator.
    pub keepers: [StaffId; 2],
    pub security: StaffId,
}

pub async fn outlet_people(db: &Db, outlet: UnitId) -> AppResult<OutletPeople> {
    let mut c = db.read().await?;
    let staff = anbao_store::staff::of_unit(&mut c, outlet).await?;
    let find = |p: Position, skip: usize| staff.iter().filter(|s| s.positions.contains(&p)).nth(skip).map(|s| s.id);
    let missing = || crate::AppError::Internal("demo outlet lacks a post".into());
    Ok(OutletPeople {
        director: find(Position::Director, 0).ok_or_else(missing)?,
        teller: find(Position::CctvAdmin, 0).ok_or_else(missing)?,
        keepers: [
            find(Position::VaultKeeper, 0).ok_or_else(missing)?,
            find(Position::VaultKeeper, 1).ok_or_else(missing)?,
        ],
        security: find(Position::SecurityOfficer, 0).ok_or_else(missing)?,
    })
}

pub async fn seed(db: &Db, ctx: &Ctx, county: UnitId, first_outlet: Option<UnitId>) -> AppResult<()> {
    let outlets: Vec<(UnitId, String)> = {
        let mut c = db.read().await?;
        anbao_store::org::under(&mut c, "/")
            .await?
            .into_iter()
            .filter(|u| u.kind == anbao_domain::org::UnitKind::Outlet)
            .map(|u| (u.id, u.name))
            .collect()
    };
    let assets = {
        let mut c = db.read().await?;
        anbao_store::assets::under(&mut c, "/").await?
    };
    for (o, _) in &outlets {
        let p = outlet_people(db, *o).await?;
        for a in assets.iter().filter(|a| a.unit_id == *o) {
            let (key, code, what) = match a.kind.as_str() {
                "vault" => (p.keepers[0], p.director, "库门"),
                "atm" => (p.keepers[1], p.keepers[0], "保险柜"),
                _ => continue,
            };
            // A vault's spares are registered too (严禁使用无备用钥匙或备用密码的金库): the second keeper keeps the
            // spare key, the outlet's security officer the spare code.
            let mut held = vec![("key", key, "钥匙"), ("code", code, "密码")];
            if a.kind == "vault" {
                held.push(("spare_key", p.keepers[1], "备用钥匙"));
                held.push(("spare_code", p.security, "备用密码"));
            }
            for (kind, holder, label) in held {
                let input = crate::custody::ItemInput {
                    unit_id: None,
                    asset_id: Some(a.id),
                    kind: Some(kind.into()),
                    label: Some(format!("{what}{label}")),
                    holder_id: Some(holder.get()),
                };
                crate::custody::register(db, ctx, &input).await?;
            }
        }
        let input = crate::custody::ItemInput {
            unit_id: Some(o.get()),
            asset_id: None,
            kind: Some("weapon".into()),
            label: Some("电警棍 1号".into()),
            holder_id: Some(p.security.get()),
        };
        crate::custody::register(db, ctx, &input).await?;
    }
    if let Some(o) = first_outlet {
        roster(db, ctx, o, &assets).await?;
    }
    arms_and_vans(db, ctx, county, first_outlet).await
}

/// This month's roster for the first outlet's vault: pairs that keep the two vault keepers apart.
async fn roster(db: &Db, ctx: &Ctx, o: UnitId, assets: &[anbao_store::assets::AssetRow]) -> AppResult<()> {
    let Some(vault) = assets.iter().find(|a| a.unit_id == o && a.kind == "vault") else { return Ok(()) };
    let p = outlet_people(db, o).await?;
    let today = anbao_domain::period::day_of_ms(ctx.now);
    let ym = anbao_domain::period::month_code(today);
    let (from, to) = anbao_domain::period::month_of(&ym)?;
    let pairs = [
        (p.keepers[0], p.security),
        (p.keepers[1], p.director),
        (p.security, p.keepers[1]),
        (p.director, p.keepers[0]),
    ];
    let nights: Vec<crate::duty::NightInput> = (from..to)
        .map(|d| {
            let (a, b) = pairs[(d - from) as usize % pairs.len()];
            let wd = anbao_domain::period::date_of_day(d).weekday().to_monday_zero_offset();
            crate::duty::NightInput { day: d, a: Some(a.get()), b: Some(b.get()), holiday: wd >= 5 }
        })
        .collect();
    crate::duty::save_month(db, ctx, vault.id, &ym, &nights).await?;
    Ok(())
}

/// The head of the first security department (保卫部) under a unit: of a county union, the one who inspects its
/// outlets; of the province's department, the province's head of security.
pub async fn security_head_under(db: &Db, unit: UnitId) -> AppResult<Option<StaffId>> {
    let mut c = db.read().await?;
    let path = anbao_store::org::get(&mut c, unit).await?.map(|u| u.path).unwrap_or_default();
    let staff = anbao_store::staff::under(&mut c, &path).await?;
    Ok(staff
        .iter()
        .find(|s| s.positions.contains(&Position::SecurityOfficer) && s.positions.contains(&Position::Director))
        .map(|s| s.id))
}

/// The county union's guards (经警) and drivers, who sit in its security department. The first two keep the guns
/// and the ammunition; the next two ride as escorts.
pub async fn county_guards(db: &Db, county: UnitId) -> AppResult<(Vec<StaffId>, Vec<StaffId>)> {
    let mut c = db.read().await?;
    let path = anbao_store::org::get(&mut c, county).await?.map(|u| u.path).unwrap_or_default();
    let staff = anbao_store::staff::under(&mut c, &path).await?;
    let with =
        |p: Position| staff.iter().filter(|s| s.active && s.positions.contains(&p)).map(|s| s.id).collect::<Vec<_>>();
    Ok((with(Position::Guard), with(Position::Driver)))
}

/// Every guard's credential (ORG-5) and each county's last live-fire training, a month ago, so the escort crews and
/// gun checkouts below pass the eligibility check; one guard of the second county has let their licence lapse, as
/// happens.
async fn guard_credentials(db: &Db, ctx: &Ctx) -> AppResult<()> {
    let staff = {
        let mut c = db.read().await?;
        anbao_store::staff::under(&mut c, "/").await?
    };
    let today = anbao_domain::period::day_of_ms(ctx.now);
    let mut by_unit: std::collections::BTreeMap<UnitId, Vec<StaffId>> = std::collections::BTreeMap::new();
    for (i, s) in staff.iter().filter(|s| s.positions.contains(&Position::Guard)).enumerate() {
        let list = by_unit.entry(s.unit_id).or_default();
        list.push(s.id);
        let ymd = |d: i64| {
            let (y, m, dd) = anbao_domain::period::ymd(d);
            format!("{y:04}-{m:02}-{dd:02}")
        };
        let lapsed = i == 7;
        let f = crate::guards::CredentialForm {
            birth: ymd(today - (24 + (i as i64 % 12)) * 365 - 40 * (i as i64 % 7)),
            vetted_personnel: ymd(today - 400 - i as i64),
            vetted_security: ymd(today - 395 - i as i64),
            trained: ymd(today - 380),
            licence_no: format!("云公持证〔{}〕{:04}号", anbao_domain::period::ymd(today - 380).0, 100 + i),
            licence_expires: if lapsed { ymd(today - 12) } else { ymd(today + 600) },
        };
        crate::guards::put(db, ctx, s.id, &f).await?;
    }
    for (unit, guards) in by_unit {
        let ids: Vec<i64> = guards.iter().map(|g| g.get()).collect();
        let draft = RecordDraft {
            kind: RecordKind::LiveFireTraining,
            subkind: None,
            performer: None,
            performer_position: None,
            second_person: None,
            subject_staff: None,
            target_unit: None,
            value: None,
            data: serde_json::json!({ "checks": {}, "participants": ids, "notes": "县公安局组织实弹射击训练，全部合格" }),
            breach: None,
        };
        let mut tx = db.begin().await?;
        crate::evidence::insert_at(&mut tx, ctx, &draft, unit, None, ctx.now - 30 * 86_400_000).await?;
        tx.commit().await?;
    }
    Ok(())
}

async fn arms_and_vans(db: &Db, ctx: &Ctx, county: UnitId, first_outlet: Option<UnitId>) -> AppResult<()> {
    guard_credentials(db, ctx).await?;
    let (guards, drivers) = county_guards(db, county).await?;
    let [g1, g2, g3, g4, ..] = guards[..] else { return Ok(()) };
    let gun_cab = crate::assets::create(db, ctx, county, "gun_cabinet", "GUN-QH-01", "县联社枪柜").await?;
    let ammo_cab = crate::assets::create(db, ctx, county, "gun_cabinet", "AMMO-QH-01", "县联社弹柜").await?;
    for (i, serial) in ["QH97-0131", "QH97-0132"].iter().enumerate() {
        let gun = crate::arms::register(
            db,
            ctx,
            &crate::arms::ArmInput {
                kind: Some("gun".into()),
                label: Some("97式防暴枪".into()),
                serial: Some((*serial).into()),
                rounds: None,
                cabinet_id: Some(gun_cab),
                keeper_id: Some(g1.get()),
                gun_id: None,
            },
        )
        .await?;
        crate::arms::register(
            db,
            ctx,
            &crate::arms::ArmInput {
                kind: Some("ammo".into()),
                label: Some("18.4mm防暴弹".into()),
                serial: Some(format!("QH-AM-{:02}", i + 1)),
                rounds: Some(20),
                cabinet_id: Some(ammo_cab),
                keeper_id: Some(g2.get()),
                gun_id: Some(gun),
            },
        )
        .await?;
    }
    crate::escort::register_van(db, ctx, county.get(), "云A·J3857", "金杯防弹运钞车", true).await?;
    crate::escort::register_van(db, ctx, county.get(), "云A·G1023", "公务轿车", false).await?;
    if let (Some(o), Some(driver)) = (first_outlet, drivers.first()) {
        let crew_people: Vec<(StaffId, &str)> = vec![(g3, "escort"), (g4, "escort"), (*driver, "driver")];
        {
            let input = crate::escort::TripInput {
                unit_id: Some(county.get()),
                plate: Some("云A·J3857".into()),
                day: Some(anbao_domain::period::day_of_ms(ctx.now)),
                route: Some("县联社金库—城关信用社营业部—县联社金库".into()),
                crew: crew_people
                    .iter()
                    .map(|(id, role)| crate::escort::CrewInput {
                        staff_id: id.get(),
                        role: (*role).into(),
                        gun: *role == "escort",
                        armour: *role == "escort",
                        helmet: *role == "escort",
                    })
                    .collect(),
                stops: vec![crate::escort::StopInput {
                    unit_id: o.get(),
                    deliver: vec!["QH-B-0101".into(), "QH-B-0102".into()],
                    collect: vec!["QH-B-0201".into()],
                }],
            };
            crate::escort::plan_trip(db, ctx, &input).await?;
        }
    }
    Ok(())
}
