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

/// Load the default rulebook's rules new to this database (first start, or an upgrade); returns how many.
pub async fn load_default(db: &Db, now: i64) -> AppResult<usize> {
    let rules = parse_file(DEFAULT_RULEBOOK)?;
    let mut tx = db.begin().await?;
    // Rules the database already has are the union's (perhaps edited); only rules new to this release are added,
    // so an upgrade brings the rules of new areas without touching the old ones.
    let have: std::collections::HashSet<String> = store::all(&mut tx).await?.into_iter().map(|r| r.rule_id).collect();
    let new: Vec<&Rule> = rules.iter().filter(|r| !have.contains(&r.id)).collect();
    for r in &new {
        let body = serde_json::to_string(r).map_err(|e| AppError::Internal(e.to_string()))?;
        let id = store::insert(
            &mut tx,
            NewVersion { rule_id: &r.id, version: 1, body: &body, active: true, effective_from_day: 0, now, by: None },
        )
        .await?;
        audit::record(&mut tx, Writer { now, actor: None }, "rule.load_default", Entity::RuleVersion(id), None, None)
            .await?;
    }
    tx.commit().await?;
    Ok(new.len())
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
