//! The rulebook as the union keeps it: the default file loaded on first start, edits as new versions, and the
//! version that judges each period.
use crate::audit::{self, Entity, Writer};
use crate::{AppError, AppResult, Ctx};
use anbao_domain::DomainError;
use anbao_domain::access::Permission;
use anbao_domain::records::RecordKind;
use anbao_domain::rulebook::{Rule, RulebookFile};
use anbao_store::Db;
use anbao_store::rules::{self as store, NewVersion};
use std::collections::BTreeMap;

/// The default rulebook shipped with Anbao; every rule cites its article.
pub const DEFAULT_RULEBOOK: &str = include_str!("../../../rulebook/default.toml");

pub fn parse_file(text: &str) -> AppResult<Vec<Rule>> {
    let file: RulebookFile = toml::from_str(text).map_err(|e| {
        AppError::Invalid(DomainError::new(
            "rulebook",
            format!("规则库文件格式错误：{e}"),
            format!("rulebook file: {e}"),
        ))
    })?;
    let mut seen = std::collections::HashSet::new();
    for r in &file.rule {
        r.validate().map_err(|e| {
            AppError::Invalid(DomainError::new(
                e.field,
                format!("规则 {}：{}", r.id, e.message),
                format!("rule {}: {}", r.id, e.message_en),
            ))
        })?;
        if !seen.insert(r.id.clone()) {
            return Err(AppError::Invalid(DomainError::new(
                "id",
                format!("规则编号重复：{}", r.id),
                format!("duplicate rule id {}", r.id),
            )));
        }
    }
    Ok(file.rule)
}

/// Load the default rulebook into this database (first start, or an upgrade); returns how many rules were new.
///
/// Rules the database does not have are added. A rule it has is the union's once anyone has saved a version of it:
/// that rule is left alone. A rule nobody has edited still holds what an earlier release shipped, so when this
/// release ships it differently (a corrected article, a field the engine now reads), it gets the new default as a
/// version starting today; the periods already judged keep the version that judged them.
pub async fn load_default(db: &Db, now: i64) -> AppResult<usize> {
    let rules = parse_file(DEFAULT_RULEBOOK)?;
    let mut tx = db.begin().await?;
    let stored = store::all(&mut tx).await?;
    let mut by_rule: BTreeMap<&str, Vec<&store::RuleVersionRow>> = BTreeMap::new();
    for v in &stored {
        by_rule.entry(v.rule_id.as_str()).or_default().push(v);
    }
    let w = Writer { now, actor: None };
    let mut added = 0;
    for r in &rules {
        let body = serde_json::to_string(r).map_err(|e| AppError::Internal(e.to_string()))?;
        let Some(versions) = by_rule.get(r.id.as_str()) else {
            let v = NewVersion {
                rule_id: &r.id,
                version: 1,
                body: &body,
                active: true,
                effective_from_day: 0,
                now,
                by: None,
            };
            let id = store::insert(&mut tx, v).await?;
            audit::record(&mut tx, w, "rule.load_default", Entity::RuleVersion(id), None, None).await?;
            added += 1;
            continue;
        };
        let Some(latest) = versions.last() else { continue };
        if versions.iter().any(|v| v.created_by.is_some()) || !crate::setup::shipped_differently(&latest.body, r) {
            continue;
        }
        let v = NewVersion {
            rule_id: &r.id,
            version: latest.version + 1,
            body: &body,
            active: latest.active,
            effective_from_day: anbao_domain::period::day_of_ms(now).max(latest.effective_from_day),
            now,
            by: None,
        };
        let id = store::insert(&mut tx, v).await?;
        audit::record(&mut tx, w, "rule.upgrade_default", Entity::RuleVersion(id), None, None).await?;
    }
    tx.commit().await?;
    Ok(added)
}

/// One version of a rule.
#[derive(Debug, Clone)]
pub struct Version {
    pub row_id: i64,
    pub version: i64,
    pub active: bool,
    pub effective_from_day: i64,
    pub created_at: i64,
    pub created_by: Option<String>,
    pub rule: Rule,
}

/// A rule with all its versions, newest last.
#[derive(Debug, Clone)]
pub struct RuleHistory {
    pub id: String,
    pub versions: Vec<Version>,
}

impl RuleHistory {
    /// The newest version, which may be scheduled to start later (the one an edit starts from).
    pub fn latest(&self) -> Option<&Version> {
        self.versions.last()
    }

    /// The version in force on a local day: the newest that has started by then (the first one before any).
    pub fn on(&self, day: i64) -> Option<&Version> {
        self.for_period(day)
    }

    /// Versions saved to start after `day`.
    pub fn scheduled_after(&self, day: i64) -> impl Iterator<Item = &Version> {
        self.versions.iter().filter(move |v| v.effective_from_day > day)
    }

    /// The version that judges a period beginning on `day`: the newest one in force by then (the first one for
    /// periods before any edit).
    pub fn for_period(&self, day: i64) -> Option<&Version> {
        self.versions.iter().rev().find(|v| v.effective_from_day <= day).or(self.versions.first())
    }
}

/// Is a rule's evidence something Anbao records yet? Rules whose records arrive with a later area are listed but
/// not judged, so no unit is marked overdue for a register it cannot yet keep.
pub fn tracked(rule: &Rule) -> bool {
    use anbao_domain::rulebook::RuleKind;
    // A post rule reads the staff records, not a register.
    rule.kind == RuleKind::Post || (rule.kind != RuleKind::Limit && RecordKind::parse(&rule.evidence).is_ok())
}

pub async fn all(db: &Db) -> AppResult<Vec<RuleHistory>> {
    let mut c = db.read().await?;
    let rows = store::all(&mut c).await?;
    let mut map: BTreeMap<String, Vec<Version>> = BTreeMap::new();
    for r in rows {
        let rule: Rule =
            serde_json::from_str(&r.body).map_err(|e| AppError::Internal(format!("rule {}: {e}", r.rule_id)))?;
        map.entry(r.rule_id.clone()).or_default().push(Version {
            row_id: r.id,
            version: r.version,
            active: r.active,
            effective_from_day: r.effective_from_day,
            created_at: r.created_at,
            created_by: r.created_by,
            rule,
        });
    }
    Ok(map.into_iter().map(|(id, versions)| RuleHistory { id, versions }).collect())
}

/// The version of a rule in force at `now`, if the rule exists and that version is active — not one saved to
/// start tomorrow.
pub async fn current(db: &Db, id: &str, now: i64) -> AppResult<Option<Rule>> {
    in_force(db, id, anbao_domain::period::day_of_ms(now)).await
}

/// The version of a rule in force on a local day (a roster month is checked by the rule of that month).
pub async fn in_force(db: &Db, id: &str, day: i64) -> AppResult<Option<Rule>> {
    Ok(all(db)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .and_then(|h| h.for_period(day).filter(|v| v.active).map(|v| v.rule.clone())))
}

pub async fn get(db: &Db, id: &str) -> AppResult<RuleHistory> {
    all(db).await?.into_iter().find(|r| r.id == id).ok_or(AppError::NotFound)
}

/// Save an edited rule as a new version taking effect on `effective_from_day` (a local day, not in the past).
/// Only the security department or administrator over the whole tree may edit the union's rulebook.
pub async fn edit(db: &Db, ctx: &Ctx, rule: Rule, active: bool, effective_from_day: i64) -> AppResult<i64> {
    if !ctx.actor.scope.covers_whole_tree(Permission::RulebookWrite) {
        return Err(AppError::Forbidden);
    }
    rule.validate()?;
    let today = anbao_domain::period::day_of_ms(ctx.now);
    if effective_from_day < today {
        return Err(AppError::Invalid(DomainError::new(
            "effective_from",
            "生效日期不能早于今天：已判定的期间保留原版本",
            "a change cannot take effect in the past: judged periods keep their version",
        )));
    }
    let body = serde_json::to_string(&rule).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut tx = db.begin().await?;
    let latest = store::latest_version(&mut tx, &rule.id).await?;
    let id = store::insert(
        &mut tx,
        NewVersion {
            rule_id: &rule.id,
            version: latest + 1,
            body: &body,
            active,
            effective_from_day,
            now: ctx.now,
            by: Some(ctx.actor.account.get()),
        },
    )
    .await?;
    audit::record(&mut tx, ctx.into(), "rule.edit", Entity::RuleVersion(id), None, None).await?;
    tx.commit().await?;
    Ok(latest + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_rulebook_parses_and_every_rule_cites_its_article() {
        let rules = parse_file(DEFAULT_RULEBOOK).expect("default rulebook is valid");
        assert!(rules.len() >= 25, "only {} rules", rules.len());
        for r in &rules {
            assert!(!r.article.trim().is_empty() && !r.source.trim().is_empty(), "{} lacks its article", r.id);
        }
    }

    #[test]
    fn every_rule_kind_is_present_in_the_default_rulebook() {
        use anbao_domain::rulebook::RuleKind::*;
        let rules = parse_file(DEFAULT_RULEBOOK).expect("valid");
        for k in [Count, Coverage, Validity, Retention, Deadline, TwoPerson, Limit] {
            assert!(rules.iter().any(|r| r.kind == k), "{k:?} missing");
        }
    }
}
