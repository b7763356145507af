//! Demo inspections: three months of the county security department's monthly inspections of two outlets, made the
//! way people make them (signed in, item by item, countersigned by the outlet head on the inspector's device), with
//! the hazards they raise: some closed, one sent back, one left overdue so the register shows an escalation.
use crate::auth::{Attempt, AuthPolicy, login, resolve};
use crate::confirm::SecondSignIn;
use crate::{AppResult, Ctx};
use anbao_domain::inspect::{ItemResult, Outcome};
use anbao_domain::period;
use anbao_store::Db;
use anbao_store::blobs::BlobStore;
use std::collections::BTreeMap;

/// Sign in as a demo account at a given moment.
pub(crate) async fn as_user(db: &Db, username: &str, password: &str, now: i64) -> AppResult<Ctx> {
    let policy = AuthPolicy::default();
    let attempt = Attempt { username, password, kind: "api", client_ip: "demo" };
    let issued = login(db, &policy, now, attempt).await?;
    let (actor, _, _) = resolve(db, now, &issued.token).await?.ok_or(crate::AppError::Unauthenticated)?;
    Ok(Ctx::new(now, actor))
}

/// Failed items per visit (item, deduction, what was found), varied so the report and the repeats tell a story.
const FINDINGS: [&[(&str, i64, &str)]; 6] = [
    &[("K2", 5, "金库内堆放纸箱等杂物")],
    &[("M2", 3, "网点负责人本月只回放录像一次"), ("R3", 2, "来访登记漏登一人")],
    &[],
    &[("K2", 5, "金库内仍有私人物品"), ("F2", 2, "一具灭火器压力不足")],
    &[("R1", 3, "营业期间后门未随手关锁")],
    &[("C2", 3, "数据备份记录不全")],
];

pub async fn seed(db: &Db, blobs: &BlobStore, now: i64, password: &str) -> AppResult<usize> {
    let policy = AuthPolicy::default();
    let targets: Vec<(i64, &str)> = {
        let mut c = db.read().await?;
        let mut out = Vec::new();
        for (name, head) in [("城关信用社营业部", "chengguan.zhuren"), ("东街分社", "dongjie.zhuren")] {
            if let Some(u) = anbao_store::org::under(&mut c, "/").await?.into_iter().find(|u| u.name == name) {
                out.push((u.id.get(), head));
            }
        }
        out
    };
    if targets.is_empty() {
        return Ok(0);
    }
    let today = period::day_of_ms(now);
    let mut made = 0;
    for (month_back, findings) in [(3_i64, 0_usize), (2, 2), (1, 3)] {
        for (k, (target, head)) in targets.iter().enumerate() {
            // Mid-month, at ten in the morning local time.
            let day = today - month_back * 30 + 5 + k as i64;
            let at = period::start_ms(day) + 10 * 3_600_000;
            let ctx = as_user(db, "qinghe.baowei", password, at).await?;
            let id = crate::inspect::start(db, &ctx, *target, "routine", "security_officer").await?;
            let mut results: BTreeMap<String, ItemResult> = BTreeMap::new();
            let template = {
                let mut c = db.read().await?;
                crate::inspect::checklist_for_day(&mut c, day).await?.template
            };
            let fails = FINDINGS[(findings + k) % FINDINGS.len()];
            for item in &template.item {
                let f = fails.iter().find(|f| f.0 == item.code);
                results.insert(
                    item.code.clone(),
                    match f {
                        Some((_, d, note)) => ItemResult { outcome: Outcome::Fail, deduct: *d, note: (*note).into() },
                        None => ItemResult { outcome: Outcome::Pass, deduct: 0, note: String::new() },
                    },
                );
            }
            let suggestions = if fails.is_empty() {
                None
            } else {
                Some("请网点负责人督促整改，保卫部将于下月复查。")
            };
            crate::inspect::save(db, blobs, &ctx, id, results, suggestions, Vec::new()).await?;
            let hazards = crate::inspect::sign(db, &ctx, id).await?;
            let second = SecondSignIn {
                confirm_username: Some((*head).into()),
                confirm_secret: Some(crate::demo::DEMO_PIN.into()),
            };
            crate::inspect::countersign(db, &policy, &ctx, id, &second).await?;
            made += 1;
            // The older findings are rectified; the outlet of the first month's second visit is sent back once;
            // last month's are left open, the oldest of them past its deadline.
            for (n, h) in hazards.iter().enumerate() {
                if month_back == 1 {
                    continue;
                }
                let outlet = as_user(db, head, password, at + 7 * 86_400_000).await?;
                crate::inspect::rectify(db, &outlet, *h, "已清理整改，建立每日检查制度").await?;
                let check = as_user(db, "qinghe.baowei", password, at + 9 * 86_400_000).await?;
                let pass = !(month_back == 2 && n == 0);
                let note = if pass { "复查合格" } else { "复查仍发现问题，退回重新整改" };
                crate::inspect::verify(db, &check, *h, pass, note, None, None).await?;
            }
        }
    }
    crate::inspect::escalate(db, now).await?;
    Ok(made)
}
