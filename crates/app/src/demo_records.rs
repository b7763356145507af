//! A year (or any number of days) of realistic demo records, with the gaps a real union has: an outlet that
//! skips night ATM patrols, a CCTV administrator who reviews once a week, a recorder keeping too few days, two
//! vault keepers on one night, drills without photos, late responsibility letters, lapsed qualification reviews.
use crate::AppResult;
use crate::bulk::{self, BulkRecord};
use anbao_domain::ids::{StaffId, UnitId};
use anbao_domain::org::UnitKind;
use anbao_domain::period::{self, Day};
use anbao_domain::records::{RecordDraft, RecordKind};
use anbao_domain::staff::Position;
use anbao_store::Db;
use anbao_store::blobs::BlobStore;
use anbao_store::staff::StaffRow;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;

/// The plans the county unions rehearse with their guards, two a month (codes of rulebook/plans.toml); the outlets
/// rehearse the fire in business hours and the counter threats themselves.
const COUNTY_DRILLS: [(&str, &str); 14] = [
    ("fire_nearby", "营业场所周边发生火灾"),
    ("fire_on_duty", "值班期间发生火灾"),
    ("fire_next_to_vault", "金库毗邻发生火灾"),
    ("fire_premises", "营业场所发生火灾"),
    ("escort_handover_robbery", "交接款箱时遇抢"),
    ("fire_cash_van", "运钞车起火"),
    ("escort_police_check", "途中遇假冒交警检查"),
    ("escort_roadblock", "途中遇路障"),
    ("escort_breakdown", "运钞车途中故障"),
    ("escort_accident", "押运途中交通事故"),
    ("escort_traffic_jam", "押运途中交通堵塞"),
    ("escort_traffic_violation", "运钞途中被交警处理"),
    ("vault_duty_room_hold", "守库值班遇险"),
    ("vault_lines_cut", "守库报警线路被破坏"),
];

/// A 1×1 PNG: the demo's stand-in for a site photo (real photos come from phones).
pub const DEMO_PHOTO: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// Outlets with a story (matched by name): the dashboards should show them.
const SKIPS_NIGHT_PATROLS: &str = "黄城东关分社";
const REVIEWS_ONCE_A_WEEK: &str = "石佛集贸市场分社";
const SHORT_RETENTION: &str = "李家湾分社";
const VAULT_KEEPERS_PAIRED: &str = "马庄分社";
const MISSES_CCTV_CHECKS: &str = "王村分社";

fn draft(kind: RecordKind) -> RecordDraft {
    RecordDraft {
        kind,
        subkind: None,
        performer: None,
        performer_position: None,
        second_person: None,
        subject_staff: None,
        target_unit: None,
        value: None,
        data: serde_json::json!({}),
        breach: None,
    }
}

fn checks(kind: RecordKind, ok: bool) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for (c, _) in anbao_domain::records::checklist(kind) {
        m.insert((*c).into(), ok.into());
    }
    serde_json::Value::Object(m)
}

fn at(day: Day, hour: i64, minute: i64) -> i64 {
    period::start_ms(day) + hour * 3_600_000 + minute * 60_000
}

fn holder<'a>(staff: &'a [&'a StaffRow], p: Position) -> Option<&'a StaffRow> {
    staff.iter().copied().find(|s| s.positions.contains(&p))
}

/// Generate `days` days of records ending yesterday (today is left for people to fill in) and import them.
pub async fn seed(db: &Db, blobs: &BlobStore, now: i64, days: i64) -> AppResult<usize> {
    let today = period::day_of_ms(now);
    let first = today - days;
    // The business-day calendar the union starts with: the holidays of the demo's year.
    let holidays = crate::calendar::parse_file(crate::calendar::DEFAULT_CALENDAR)?.calendar();
    let mut rng = StdRng::seed_from_u64(20_26);
    let mut c = db.read().await?;
    let units = anbao_store::org::under(&mut c, "/").await?;
    let assets = anbao_store::assets::under(&mut c, "/").await?;
    let staff = anbao_store::staff::under(&mut c, "/").await?;
    // Who holds each asset's key and code, and who keeps each gun and its ammunition (from the custody registers):
    // the two-person records name exactly those people, as the software demands at entry.
    let mut key_code: HashMap<i64, (Option<StaffId>, Option<StaffId>)> = HashMap::new();
    for i in anbao_store::custody::items_under(&mut c, "/").await? {
        let (Some(a), Some(h)) = (i.asset_id, i.holder_id) else { continue };
        let e = key_code.entry(a).or_default();
        match i.kind.as_str() {
            "key" => e.0 = Some(StaffId::new(h)),
            "code" => e.1 = Some(StaffId::new(h)),
            _ => {}
        }
    }
    let arms = anbao_store::arms::under(&mut c, "/").await?;
    drop(c);
    let by_unit: HashMap<i64, Vec<&StaffRow>> = staff.iter().fold(HashMap::new(), |mut m, s| {
        m.entry(s.unit_id.get()).or_default().push(s);
        m
    });
    let children = |id: i64| units.iter().filter(move |u| u.parent_id.map(|p| p.get()) == Some(id));
    let under = |path: &str, kind: UnitKind| {
        units.iter().filter(move |u| u.kind == kind && u.path.starts_with(path)).collect::<Vec<_>>()
    };
    let mut out: Vec<BulkRecord> = Vec::new();
    let push = |out: &mut Vec<BulkRecord>, d: RecordDraft, unit: i64, asset: Option<i64>, t: i64, photo: bool| {
        out.push(BulkRecord {
            draft: d,
            unit: UnitId::new(unit),
            asset,
            occurred_at: t,
            photo: photo.then_some(DEMO_PHOTO),
        });
    };
    let none: Vec<&StaffRow> = Vec::new();

    for o in units.iter().filter(|u| u.kind == UnitKind::Outlet) {
        let people = by_unit.get(&o.id.get()).unwrap_or(&none);
        let head = holder(people, Position::Director);
        let cctv = holder(people, Position::CctvAdmin);
        let guard = holder(people, Position::SecurityOfficer);
        let atm_admin = holder(people, Position::AtmAdmin);
        let keepers: Vec<&StaffRow> =
            people.iter().copied().filter(|s| s.positions.contains(&Position::VaultKeeper)).collect();
        let tellers: Vec<&StaffRow> =
            people.iter().copied().filter(|s| s.positions == vec![Position::Teller]).collect();
        let name = o.name.as_str();
        let mut drilled_fire = 0;
        for day in first..today {
            let dow = period::date_of_day(day).weekday().to_monday_zero_offset();
            // ATM patrols: six or more a day, spread from morning to night.
            for a in assets.iter().filter(|a| a.unit_id == o.id && a.kind == "atm") {
                let n = if name == SKIPS_NIGHT_PATROLS && rng.random_bool(0.85) {
                    4
                } else {
                    match rng.random_range(0..100) {
                        0..=3 => 5,
                        4..=18 => 7,
                        _ => 6,
                    }
                };
                for k in 0..n {
                    let mut d = draft(RecordKind::AtmPatrol);
                    d.performer = atm_admin.or(guard).map(|s| s.id);
                    let ok = rng.random_bool(0.99);
                    d.data = serde_json::json!({ "checks": checks(RecordKind::AtmPatrol, ok), "result": if ok { "normal" } else { "abnormal" } });
                    if !ok {
                        d.data["notes"] = "发现ATM出钞口周边有可疑胶痕，已清理并报告网点负责人".into();
                    }
                    push(
                        &mut out,
                        d,
                        o.id.get(),
                        Some(a.id),
                        at(day, 8 + k * 14 / n.max(1), rng.random_range(0..50)),
                        false,
                    );
                }
            }
            let has_cctv = assets.iter().any(|a| a.unit_id == o.id && a.kind == "cctv");
            if has_cctv {
                // Daily CCTV check by the administrator.
                if !(name == MISSES_CCTV_CHECKS && rng.random_bool(0.3)) && rng.random_bool(0.98) {
                    let mut d = draft(RecordKind::CctvCheck);
                    d.performer = cctv.map(|s| s.id);
                    let short = name == SHORT_RETENTION && day >= today - 40;
                    d.value = Some(if short { 21 } else { [30, 35, 45, 45, 60][rng.random_range(0..5)] });
                    d.data = serde_json::json!({ "checks": checks(RecordKind::CctvCheck, true) });
                    push(&mut out, d, o.id.get(), None, at(day, 8, rng.random_range(0..30)), false);
                }
                // Playback reviews: the administrator on Tuesday and Friday, the outlet head on Monday.
                let admin_days: &[i8] = if name == REVIEWS_ONCE_A_WEEK { &[4] } else { &[1, 4] };
                if admin_days.contains(&dow) && rng.random_bool(0.95) {
                    let mut d = draft(RecordKind::CctvReview);
                    d.performer = cctv.map(|s| s.id);
                    d.performer_position = Some("cctv_admin".into());
                    d.subkind = Some("cctv_admin".into());
                    d.data =
                        serde_json::json!({ "checks": {}, "notes": "回放检查营业期间录像，柜面操作规范，未见异常" });
                    push(&mut out, d, o.id.get(), None, at(day, 17, 30), false);
                }
                if dow == 0 && rng.random_bool(0.9) {
                    let mut d = draft(RecordKind::CctvReview);
                    d.performer = head.map(|s| s.id);
                    d.performer_position = Some("director".into());
                    d.subkind = Some("director".into());
                    d.data = serde_json::json!({ "checks": {}, "notes": "抽查上周录像，临柜人员双人临柜执行到位" });
                    push(&mut out, d, o.id.get(), None, at(day, 18, 0), false);
                }
            }
            // Night duty: two people, never two vault keepers (except at one outlet now and then).
            if let Some(v) = assets.iter().find(|a| a.unit_id == o.id && a.kind == "vault") {
                let (a, b) = if name == VAULT_KEEPERS_PAIRED && rng.random_bool(0.07) && keepers.len() >= 2 {
                    (Some(keepers[0]), Some(keepers[1]))
                } else {
                    let t = tellers.get((day as usize) % tellers.len().max(1)).copied();
                    (guard.or(keepers.first().copied()), t)
                };
                if let (Some(a), Some(b)) = (a, b) {
                    let mut d = draft(RecordKind::DutyLog);
                    d.performer = Some(a.id);
                    d.second_person = Some(b.id);
                    d.data = serde_json::json!({ "checks": checks(RecordKind::DutyLog, true), "notes": "夜间值守正常，报警设备工作正常" });
                    push(&mut out, d, o.id.get(), Some(v.id), at(day, 19, 30), false);
                }
            }
            business_day(&mut BusinessDay {
                out: &mut out,
                rng: &mut rng,
                unit: o.id.get(),
                name,
                day,
                head,
                tellers: &tellers,
                assets: &assets,
                key_code: &key_code,
            });
            // Drills: emergency in April and October, fire in March and September, with photos.
            let (_, m, dd) = period::ymd(day);
            let participants: Vec<i64> = people.iter().map(|s| s.id.get()).collect();
            if dd == 15 && matches!(m, 3 | 4 | 9 | 10) && !participants.is_empty() {
                let fire = matches!(m, 3 | 9);
                // A few outlets hold only one fire drill a year; one drill has no photos.
                if !(fire && m == 9 && o.id.get() % 6 == 0) {
                    let mut d = draft(RecordKind::Drill);
                    d.subkind = Some(if fire { "fire" } else { "emergency" }.into());
                    d.data = serde_json::json!({
                        "checks": {},
                        "plan": if fire { "营业厅初起火灾扑救及人员疏散演练方案" } else { "持械抢劫处置演练方案：报警、防护、固守待援" },
                        "deployment": "网点负责人任现场指挥，临柜人员分组处置，保卫人员负责报警与警戒",
                        "participants": participants,
                        // The plan rehearsed (rulebook/plans.toml) and its steps.
                        "plan_code": if fire { "fire_business_hours" } else { "counter_threat" },
                        "plan_steps": if fire { vec![1, 2, 3, 4, 5] } else { vec![1, 2, 3, 4] },
                    });
                    let photo = !(o.id.get() % 7 == 0 && m == 10);
                    push(&mut out, d, o.id.get(), None, at(day, 16, 0), photo);
                    if fire {
                        drilled_fire += 1;
                    }
                }
            }
        }
        let _ = drilled_fire;
    }

    // Guns and ammunition at the county unions: weekly checks by the security department, monthly by the chairman,
    // monthly cleaning and custody check by the two keepers, quarterly live-fire training of the guards.
    for county in units.iter().filter(|u| u.kind == UnitKind::County) {
        let cabinets: Vec<i64> =
            assets.iter().filter(|a| a.unit_id == county.id && a.kind == "gun_cabinet").map(|a| a.id).collect();
        let in_county: Vec<&StaffRow> = staff.iter().filter(|s| s.unit_path.starts_with(&county.path)).collect();
        let officer = in_county.iter().copied().find(|s| s.positions.contains(&Position::SecurityOfficer));
        let chairman =
            in_county.iter().copied().find(|s| s.positions.contains(&Position::Chairman) && s.unit_id == county.id);
        let guards: Vec<i64> =
            in_county.iter().filter(|s| s.positions.contains(&Position::Guard)).map(|s| s.id.get()).collect();
        let gun = arms.iter().find(|g| g.kind == "gun" && g.unit_id == county.id.get());
        let ammo = gun.and_then(|g| arms.iter().find(|m| m.gun_id == Some(g.id)));
        for day in first..today {
            let dow = period::date_of_day(day).weekday().to_monday_zero_offset();
            let (_, m, dd) = period::ymd(day);
            for &cab in &cabinets {
                let mut check = |who: Option<&StaffRow>, pos: &str, hour: i64| {
                    let mut d = draft(RecordKind::GunCheck);
                    d.performer = who.map(|s| s.id);
                    d.performer_position = Some(pos.into());
                    d.data = serde_json::json!({ "checks": checks(RecordKind::GunCheck, true), "result": "normal" });
                    push(&mut out, d, county.id.get(), Some(cab), at(day, hour, 0), false);
                };
                if dow == 0 && rng.random_bool(0.95) {
                    check(officer, "security_officer", 10);
                }
                if dd == 10 && rng.random_bool(0.9) {
                    check(chairman, "chairman", 15);
                }
                if let (Some(g), Some(a)) = (gun, ammo)
                    && dd == 1
                {
                    let mut d = draft(RecordKind::GunCustodyCheck);
                    d.performer = Some(StaffId::new(g.keeper_id));
                    d.second_person = Some(StaffId::new(a.keeper_id));
                    d.data = serde_json::json!({ "checks": {}, "notes": "枪弹分柜分人保管，数量与登记相符" });
                    push(&mut out, d, county.id.get(), Some(cab), at(day, 9, 30), false);
                }
                if let Some(g) = gun
                    && dd == 25
                    && g.cabinet_id == cab
                {
                    let mut d = draft(RecordKind::GunCleaning);
                    d.performer = Some(StaffId::new(g.keeper_id));
                    d.data = serde_json::json!({ "checks": {}, "notes": "擦拭保养，性能良好" });
                    push(&mut out, d, county.id.get(), Some(cab), at(day, 16, 0), false);
                }
            }
            // A drill of each of these plans over the year, by the guards (预案 第七–十一、十七–二十五条).
            if matches!(dd, 12 | 26) && !guards.is_empty() {
                let slot = (m as usize - 1) * 2 + usize::from(dd == 26);
                let (code, title) = COUNTY_DRILLS[slot % COUNTY_DRILLS.len()];
                let mut d = draft(RecordKind::Drill);
                d.subkind = Some("emergency".into());
                d.data = serde_json::json!({
                    "checks": {},
                    "plan": format!("{title}处置演练方案"),
                    "deployment": "保卫部经理现场指挥，押运人员按预案分工处置，驾驶员配合",
                    "participants": guards,
                    "plan_code": code,
                    "plan_steps": [1, 2, 3],
                });
                push(&mut out, d, county.id.get(), None, at(day, 10, 0), true);
            }
            if dd == 20 && matches!(m, 3 | 6 | 9 | 12) && !guards.is_empty() {
                let mut d = draft(RecordKind::LiveFireTraining);
                d.data = serde_json::json!({ "checks": {}, "participants": guards, "notes": "防暴枪单发射击训练" });
                push(&mut out, d, county.id.get(), None, at(day, 9, 0), true);
            }
        }
    }

    for county in units.iter().filter(|u| u.kind == UnitKind::County) {
        let cpeople: Vec<&StaffRow> = staff
            .iter()
            .filter(|s| {
                s.unit_path.starts_with(&county.path)
                    && s.unit_path.matches('/').count() <= county.path.matches('/').count() + 1
            })
            .collect();
        let chairman =
            cpeople.iter().copied().find(|s| s.positions.contains(&Position::Chairman) && s.unit_id == county.id);
        let deputy =
            cpeople.iter().copied().find(|s| s.positions.contains(&Position::DeputyInCharge) && s.unit_id == county.id);
        let officer = cpeople.iter().copied().find(|s| s.positions.contains(&Position::SecurityOfficer));
        let outlets = under(&county.path, UnitKind::Outlet);
        let attendees: Vec<i64> = cpeople.iter().take(8).map(|s| s.id.get()).collect();
        let mut month_start = first;
        while month_start < today {
            let (ms, me) = period::containing(anbao_domain::rulebook::PeriodKind::Month, month_start);
            let day_in = |off: i64| (ms + off).min(me - 1).min(today - 1);
            // Monthly security meeting (one county forgets now and then).
            if rng.random_bool(if county.name.contains("石桥") { 0.75 } else { 0.97 }) && day_in(8) >= first {
                let mut d = draft(RecordKind::Meeting);
                d.subkind = Some("monthly".into());
                d.data = serde_json::json!({ "checks": {}, "minutes": "通报上月安全检查情况，部署本月安全保卫工作，强调节假日值守与ATM巡查", "attendees": attendees });
                push(&mut out, d, county.id.get(), None, at(day_in(8), 9, 0), false);
            }
            let (_, m, _) = period::ymd(ms);
            if matches!(m, 3 | 9) && day_in(20) >= first {
                let mut d = draft(RecordKind::Meeting);
                d.subkind = Some("special".into());
                d.data = serde_json::json!({ "checks": {}, "minutes": "安全保卫专题会议：分析案件风险，研究整改措施", "attendees": attendees });
                push(&mut out, d, county.id.get(), None, at(day_in(20), 14, 0), false);
            }
            if m == 6 && day_in(10) >= first {
                let mut d = draft(RecordKind::Drill);
                d.subkind = Some("police_joint".into());
                d.data = serde_json::json!({ "checks": {}, "plan": "警银联合防抢演练", "deployment": "公安派出所指导，县联社保卫部组织", "participants": attendees });
                push(&mut out, d, county.id.get(), None, at(day_in(10), 10, 0), true);
            }
            // Inspections of outlets: the chairman, the deputy (twice), the security officer (routine and night).
            for (i, o) in outlets.iter().enumerate() {
                let visits: [(Option<&StaffRow>, &str, &str, f64, i64); 5] = [
                    (chairman, "chairman", "routine", 0.8, 3),
                    (deputy, "deputy_in_charge", "surprise", 0.7, 6),
                    (deputy, "deputy_in_charge", "routine", 0.6, 18),
                    (officer, "security_officer", "routine", 0.95, 12),
                    (officer, "security_officer", "night", 0.3, 22),
                ];
                for (who, pos, sub, p, off) in visits {
                    let Some(who) = who else { continue };
                    let day = day_in(off + (i as i64 % 5));
                    if day < first || !rng.random_bool(p) {
                        continue;
                    }
                    let mut d = draft(RecordKind::InspectionVisit);
                    d.performer = Some(who.id);
                    d.performer_position = Some(pos.into());
                    d.subkind = Some(sub.into());
                    d.target_unit = Some(o.id);
                    d.data = serde_json::json!({ "checks": {}, "notes": "检查规章制度执行、要害部位、防范措施和安全设施，未发现重大隐患" });
                    push(&mut out, d, who.unit_id.get(), None, at(day, if sub == "night" { 22 } else { 10 }, 0), false);
                }
                // The security department's night phone check of the outlet's duty (INSP-3, 篇二 (四)).
                if let Some(who) = officer {
                    let day = day_in(24 + (i as i64 % 4));
                    if day >= first && rng.random_bool(0.9) {
                        let result = match rng.random_range(0..100) {
                            0..4 => "no_answer",
                            4..10 => "late",
                            _ => "on_time",
                        };
                        let mut d = draft(RecordKind::PhoneCheck);
                        d.performer = Some(who.id);
                        d.performer_position = Some("security_officer".into());
                        d.subkind = Some(result.into());
                        d.target_unit = Some(o.id);
                        d.data = serde_json::json!({ "checks": {}, "result": result, "answered_by": if result == "no_answer" { "" } else { "值班员" }, "notes": "" });
                        push(&mut out, d, who.unit_id.get(), None, at(day, 23, 10), false);
                    }
                }
            }
            month_start = me;
        }
        // Holiday duty: on the second day of each holiday the security department phones every outlet's duty
        // (INSP-3-b; 篇二 (四) 增加节假日安全值班的检查频率).
        if let Some(who) = officer {
            for (hs, he) in holidays.holiday_runs(first, today) {
                let day = (hs + 1).min(he - 1);
                if day < first || day >= today {
                    continue;
                }
                for o in &outlets {
                    if !rng.random_bool(0.93) {
                        continue;
                    }
                    let mut d = draft(RecordKind::PhoneCheck);
                    d.performer = Some(who.id);
                    d.performer_position = Some("security_officer".into());
                    d.subkind = Some("on_time".into());
                    d.target_unit = Some(o.id);
                    d.data = serde_json::json!({ "checks": {}, "result": "on_time", "answered_by": "值班员", "notes": "节假日值班查岗" });
                    push(&mut out, d, who.unit_id.get(), None, at(day, 21, 30), false);
                }
            }
        }
    }

    // Regional centres: quarterly inspections of counties, a yearly training course.
    for region in units.iter().filter(|u| u.kind == UnitKind::RegionalCentre) {
        let rp: Vec<&StaffRow> = by_unit.get(&region.id.get()).cloned().unwrap_or_default();
        let director = holder(&rp, Position::Director);
        for county in children(region.id.get()).filter(|u| u.kind == UnitKind::County) {
            let mut q = first;
            while q < today {
                let (qs, qe) = period::containing(anbao_domain::rulebook::PeriodKind::Quarter, q);
                let day = (qs + 40).min(today - 1);
                if day >= first
                    && rng.random_bool(0.7)
                    && let Some(dir) = director
                {
                    let mut d = draft(RecordKind::InspectionVisit);
                    d.performer = Some(dir.id);
                    d.performer_position = Some("director".into());
                    d.subkind = Some("routine".into());
                    d.target_unit = Some(county.id);
                    d.data = serde_json::json!({ "checks": {}, "notes": "季度安全检查" });
                    push(&mut out, d, region.id.get(), None, at(day, 10, 0), false);
                }
                q = qe;
            }
        }
    }

    // Cooperatives: monthly study sessions and a quarterly emergency drill.
    for coop in units.iter().filter(|u| u.kind == UnitKind::Cooperative) {
        let people: Vec<i64> =
            staff.iter().filter(|s| s.unit_path.starts_with(&coop.path)).take(12).map(|s| s.id.get()).collect();
        let mut m = first;
        while m < today {
            let (ms, me) = period::containing(anbao_domain::rulebook::PeriodKind::Month, m);
            let day = (ms + 24).min(today - 1);
            if day >= first && rng.random_bool(0.92) && !people.is_empty() {
                let mut d = draft(RecordKind::Training);
                d.value = Some(20);
                d.data =
                    serde_json::json!({ "checks": {}, "title": "安全保卫制度及案例警示学习", "attendees": people });
                push(&mut out, d, coop.id.get(), None, at(day, 15, 0), false);
            }
            let (_, mm, _) = period::ymd(ms);
            if matches!(mm, 2 | 5 | 8 | 11) && day >= first && rng.random_bool(0.85) && !people.is_empty() {
                let mut d = draft(RecordKind::Drill);
                d.subkind = Some("emergency".into());
                d.data = serde_json::json!({ "checks": {}, "plan": "信用社季度防抢应急演练", "deployment": "信用社主任组织", "participants": people });
                push(&mut out, d, coop.id.get(), None, at(day, 16, 30), true);
            }
            m = me;
        }
    }

    // Last year's responsibility letters, signed on paper before the letters were kept here (a few late, a few
    // missing: this year's come from the letters themselves, `demo_letters`), and yearly qualification reviews.
    let (ty, _, _) = period::ymd(today);
    {
        let year = ty - 1;
        let jan = period::first_of_month(year, 1);
        for u in units.iter().filter(|u| matches!(u.kind, UnitKind::County | UnitKind::Cooperative | UnitKind::Outlet))
        {
            let signer = by_unit.get(&u.id.get()).and_then(|p| p.first()).map(|s| s.id);
            for sub in ["security_target", "fire_safety"] {
                let roll = rng.random_range(0..100);
                let day = if roll < 88 {
                    jan + rng.random_range(3..28)
                } else if roll < 95 {
                    jan + 40
                } else {
                    continue;
                };
                if day < first || day >= today {
                    continue;
                }
                let mut d = draft(RecordKind::RespLetter);
                d.subkind = Some(sub.into());
                d.performer = signer;
                d.data = serde_json::json!({ "checks": {} });
                push(&mut out, d, u.id.get(), None, at(day, 10, 0), false);
            }
        }
    }
    // Each leadership group confirmed in place in January (ORG-4); 安平's governance group was not.
    {
        let everyone = anbao_domain::access::Scope {
            grants: vec![anbao_domain::access::Grant {
                role: anbao_domain::access::Role::Admin,
                unit_id: None,
                unit_path: None,
            }],
        };
        let mut c = db.read().await?;
        let groups =
            anbao_store::groups::list_in_scope(&mut c, &everyone, anbao_domain::access::Permission::OrgRead).await?;
        drop(c);
        let jan = period::first_of_month(ty, 1);
        for g in groups {
            let skipped =
                g.unit_name.starts_with("安平") && g.kind == anbao_domain::groups::GroupKind::ComprehensiveGovernance;
            let day = jan + rng.random_range(3..25);
            if skipped || day < first || day >= today {
                continue;
            }
            let mut d = draft(RecordKind::LeadershipGroup);
            d.subkind = Some(g.kind.code().into());
            // The chair confirms in their post: the union's chairman, the cooperative's director (预案 第四条).
            let unit = units.iter().find(|u| u.id == g.unit_id);
            d.performer = unit.and_then(|u| u.first_responsible_id);
            d.performer_position =
                unit.map(|u| if u.kind == UnitKind::Cooperative { "director" } else { "chairman" }.into());
            d.value = Some(g.member_count);
            d.data = serde_json::json!({ "checks": {}, "group": g.id.get(), "members": g.member_count });
            push(&mut out, d, g.unit_id.get(), None, at(day, 9, 30), false);
        }
    }
    // A computer security check at each outlet each quarter (ASSESS-2), by its security officer: most pass, some
    // find a lapse and say what was done, a few outlets skip a quarter.
    for o in units.iter().filter(|u| u.kind == UnitKind::Outlet) {
        let people = by_unit.get(&o.id.get()).unwrap_or(&none);
        let Some(checker) = holder(people, Position::SecurityOfficer).or(holder(people, Position::Director)) else {
            continue;
        };
        let mut q = period::containing(anbao_domain::rulebook::PeriodKind::Quarter, first).0;
        while q < today {
            let day = q + rng.random_range(20..70);
            let skip = rng.random_range(0..100) < 8;
            if !skip && day >= first && day < today {
                let mut d = draft(RecordKind::ComputerCheck);
                d.performer = Some(checker.id);
                d.data = if rng.random_range(0..100) < 15 {
                    let mut c = checks(RecordKind::ComputerCheck, true);
                    c["antivirus"] = false.into();
                    serde_json::json!({ "checks": c, "result": "abnormal", "notes": "一台柜员终端病毒库未更新，已当场升级" })
                } else {
                    serde_json::json!({ "checks": checks(RecordKind::ComputerCheck, true), "result": "normal" })
                };
                push(&mut out, d, o.id.get(), None, at(day, 15, 0), false);
            }
            q = period::add_months(q, 3);
        }
    }
    for s in staff.iter().filter(|s| s.key_position) {
        let back = match rng.random_range(0..100) {
            0..=5 => days + 30, // lapsed
            _ => rng.random_range(10..days.max(11)),
        };
        let day = today - back.min(days);
        let mut d = draft(RecordKind::QualificationReview);
        d.subject_staff = Some(StaffId::new(s.id.get()));
        d.subkind = Some("pass".into());
        d.data = serde_json::json!({ "checks": {}, "result": "pass", "notes": "政治表现、业务能力、遵章守纪情况良好" });
        // The lapsed ones were reviewed more than a year before the window's end.
        let when = if back > days { at(today - 400, 10, 0) } else { at(day, 10, 0) };
        push(&mut out, d, s.unit_id.get(), None, when, false);
    }
    out.sort_by_key(|r| r.occurred_at);
    bulk::import(db, blobs, None, now, out).await
}

/// What one outlet does on one business day besides patrols and duty: opening and closing checks, two at the
/// counter, the vault opened by its key and code holders, ATM loading every few days, large withdrawals, the
/// monthly custody and vault-contents checks.
struct BusinessDay<'a> {
    out: &'a mut Vec<BulkRecord>,
    rng: &'a mut StdRng,
    unit: i64,
    name: &'a str,
    day: Day,
    head: Option<&'a StaffRow>,
    tellers: &'a [&'a StaffRow],
    assets: &'a [anbao_store::assets::AssetRow],
    key_code: &'a HashMap<i64, (Option<StaffId>, Option<StaffId>)>,
}

/// An outlet that sometimes skips its closing check: the dashboard should show it.
const SKIPS_CLOSING_CHECKS: &str = "王村分社";

fn business_day(b: &mut BusinessDay<'_>) {
    let mut push = |d: RecordDraft, asset: Option<i64>, t: i64| {
        b.out.push(BulkRecord { draft: d, unit: UnitId::new(b.unit), asset, occurred_at: t, photo: None });
    };
    let day = b.day;
    let (_, _, dd) = period::ymd(day);
    let teller = b.tellers.get(day as usize % b.tellers.len().max(1)).copied();
    if b.rng.random_bool(0.99) {
        let mut d = draft(RecordKind::OpeningCheck);
        d.performer = b.head.or(teller).map(|s| s.id);
        d.data = serde_json::json!({ "checks": checks(RecordKind::OpeningCheck, true), "result": "normal" });
        push(d, None, at(day, 7, 50));
    }
    if !(b.name == SKIPS_CLOSING_CHECKS && b.rng.random_bool(0.2)) && b.rng.random_bool(0.99) {
        let mut d = draft(RecordKind::ClosingCheck);
        d.performer = b.head.or(teller).map(|s| s.id);
        d.data = serde_json::json!({ "checks": checks(RecordKind::ClosingCheck, true), "result": "normal" });
        push(d, None, at(day, 17, 40));
    }
    if let [t1, t2, ..] = b.tellers {
        let mut d = draft(RecordKind::CounterRoster);
        d.performer = Some(t1.id);
        d.second_person = Some(t2.id);
        d.data = serde_json::json!({ "checks": checks(RecordKind::CounterRoster, true), "result": "normal" });
        push(d, None, at(day, 8, 0));
    }
    for a in b.assets.iter().filter(|a| a.unit_id.get() == b.unit) {
        let Some((Some(key), Some(code))) = b.key_code.get(&a.id).copied() else { continue };
        match a.kind.as_str() {
            "vault" => {
                let mut d = draft(RecordKind::VaultEntry);
                d.subkind = Some("routine".into());
                d.performer = Some(key);
                d.second_person = Some(code);
                d.data = serde_json::json!({ "checks": checks(RecordKind::VaultEntry, false), "purpose": "营业前出库领取尾箱" });
                push(d, Some(a.id), at(day, 8, 5));
                if dd == 1 {
                    let mut d = draft(RecordKind::KeyCustodyCheck);
                    d.performer = Some(key);
                    d.second_person = Some(code);
                    d.data = serde_json::json!({ "checks": {}, "notes": "核对钥匙、密码分人掌管，交接表已上墙" });
                    push(d, Some(a.id), at(day, 9, 0));
                }
                if dd == 5 {
                    let mut d = draft(RecordKind::VaultContentCheck);
                    d.performer = b.head.map(|s| s.id);
                    d.data = serde_json::json!({ "checks": checks(RecordKind::VaultContentCheck, true), "result": "normal" });
                    push(d, Some(a.id), at(day, 16, 30));
                }
            }
            "atm" if day % 3 == 0 => {
                let mut d = draft(RecordKind::AtmLoading);
                d.performer = Some(key);
                d.second_person = Some(code);
                d.value = Some([150_000, 200_000, 250_000][b.rng.random_range(0..3)]);
                d.data = serde_json::json!({ "checks": checks(RecordKind::AtmLoading, true), "result": "complete" });
                push(d, Some(a.id), at(day, 9, 30));
            }
            _ => {}
        }
    }
    if b.rng.random_bool(0.35) {
        let mut d = draft(RecordKind::LargeWithdrawal);
        d.performer = teller.map(|s| s.id);
        d.value = Some(b.rng.random_range(1..9) * 10_000);
        d.data = serde_json::json!({ "checks": checks(RecordKind::LargeWithdrawal, true), "prompted": true });
        push(d, None, at(day, 10, b.rng.random_range(0..59)));
    }
}
