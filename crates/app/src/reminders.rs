//! Reminders: a background job turns overdue due items into messages in each person's message centre. Every
//! message has a key unique per account, so any number of instances may run the job at the same time and each
//! reminder is still made once.
use crate::AppResult;
use crate::compliance::{self, DueItem};
use anbao_domain::access::Role;
use anbao_domain::period;
use anbao_domain::rulebook::Status;
use anbao_store::Db;
use anbao_store::accounts;

/// How many days back the job looks for overdue items.
pub const LOOKBACK_DAYS: i64 = 7;

fn key(it: &DueItem) -> String {
    format!(
        "due:{}:{}:{}:{}:{}",
        it.rule_id,
        it.unit_id,
        it.asset.as_ref().map_or(0, |a| a.0),
        it.person.as_ref().map_or(0, |p| p.0),
        it.period.0
    )
}

/// Run the job once; returns how many new messages were made.
pub async fn run_once(db: &Db, now: i64) -> AppResult<usize> {
    let today = period::day_of_ms(now);
    let mut created = 0;
    let list = {
        let mut c = db.read().await?;
        let mut out = Vec::new();
        for a in accounts::list(&mut c).await?.into_iter().filter(|a| !a.disabled) {
            let grants = accounts::grants(&mut c, a.id).await?;
            out.push((a, grants));
        }
        out
    };
    // Who owes what (RESP-2): the rules' posts, read once.
    // Who owes an item is the judging version's `owners` (an edit that starts tomorrow does not move today's items).
    let owners: std::collections::HashMap<(String, i64), Vec<String>> = crate::rulebook::all(db)
        .await?
        .into_iter()
        .flat_map(|h| {
            let id = h.id;
            h.versions.into_iter().map(move |v| ((id.clone(), v.version), v.rule.owners))
        })
        .collect();
    for (account, grants) in list {
        let me = match account.staff_id {
            Some(id) => {
                let mut c = db.read().await?;
                anbao_store::staff::get(&mut c, id).await?.filter(|s| s.active)
            }
            None => None,
        };
        for g in grants {
            let Some(path) = g.unit_path.clone() else { continue };
            let items = compliance::evaluate(db, &path, today - LOOKBACK_DAYS, today + 1, today).await?;
            let overdue: Vec<&DueItem> =
                items.iter().filter(|i| matches!(i.status, Status::Overdue | Status::PartlyMet)).collect();
            let mut tx = db.begin().await?;
            match g.role {
                // People at a unit get one message per overdue item of their own unit: an employee for what their
                // posts owe, the head for all of it (谁主管、谁负责).
                Role::UnitHead | Role::Staff => {
                    let unit = match g.unit_id {
                        Some(u) => anbao_store::org::get(&mut tx, u).await?,
                        None => None,
                    };
                    let owed = |it: &&&DueItem| {
                        g.role == Role::UnitHead
                            || unit.as_ref().is_none_or(|u| {
                                crate::home::owes(
                                    owners
                                        .get(&(it.rule_id.clone(), it.version))
                                        .map(Vec::as_slice)
                                        .unwrap_or_default(),
                                    u,
                                    me.as_ref(),
                                )
                            })
                    };
                    for it in overdue.iter().filter(|i| i.unit_path == path).filter(owed) {
                        let link = format!("/compliance/items?unit={}&rule={}", it.unit_id, it.rule_id);
                        let title = format!("{}：{}", it.status.label_zh(), it.title);
                        if anbao_store::messages::put(&mut tx, account.id, &key(it), &title, &it.reason, &link, now)
                            .await?
                        {
                            created += 1;
                        }
                    }
                }
                // Those who oversee a subtree get one summary a day.
                _ => {
                    if !overdue.is_empty() {
                        let units: std::collections::HashSet<i64> = overdue.iter().map(|i| i.unit_id).collect();
                        let title = format!("辖内近{}天有{}项未完成", LOOKBACK_DAYS, overdue.len());
                        let body = format!("涉及{}个单位，请查看合规看板并督促整改。", units.len());
                        let k = format!("summary:{}:{}", path, today);
                        if anbao_store::messages::put(&mut tx, account.id, &k, &title, &body, "/compliance", now)
                            .await?
                        {
                            created += 1;
                        }
                    }
                }
            }
            tx.commit().await?;
        }
    }
    // Overdue hazards go up the line (INSP-4) with the same job.
    created += crate::inspect::escalate(db, now).await?;
    // Facilities due for their check or about to expire (FAC-5).
    created += crate::facility::remind(db, now).await?;
    Ok(created)
}
