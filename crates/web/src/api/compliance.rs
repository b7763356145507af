//! `/api/v1/rules` and `/api/v1/compliance`: the rulebook, due items and the roll-up over the tree.
use crate::auth::{Api, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::queries::compliance::{DashQuery, items_for, month_window, root_unit};
use crate::state::AppState;
use anbao_app::compliance_summary::summary;
use anbao_domain::rulebook::{Rule, Status};
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct RuleBody {
    pub version: i64,
    pub active: bool,
    /// The local date from which this version judges periods (`null` = always).
    pub effective_from: Option<String>,
    /// Whether Anbao records this rule's evidence yet (untracked rules are listed, not judged).
    pub tracked: bool,
    pub rule: Rule,
    /// Versions saved to take effect after today, oldest first (today's is the one above).
    pub scheduled: Vec<ScheduledRuleBody>,
}

/// A version of a rule saved to start on a later day.
#[derive(Serialize, ToSchema)]
pub struct ScheduledRuleBody {
    pub version: i64,
    pub active: bool,
    /// The local date it takes effect.
    pub effective_from: String,
    pub rule: Rule,
}

fn day_text(d: i64) -> String {
    let (y, m, dd) = anbao_domain::period::ymd(d);
    format!("{y}-{m:02}-{dd:02}")
}

/// The version in force today (a version that starts tomorrow is listed under `scheduled`, not in its place).
fn rule_body(h: &anbao_app::rulebook::RuleHistory, today: i64) -> Option<RuleBody> {
    let v = h.on(today)?;
    let scheduled = h
        .scheduled_after(today)
        .map(|n| ScheduledRuleBody {
            version: n.version,
            active: n.active,
            effective_from: day_text(n.effective_from_day),
            rule: n.rule.clone(),
        })
        .collect();
    Some(RuleBody {
        version: v.version,
        active: v.active,
        effective_from: (v.effective_from_day > 0).then(|| day_text(v.effective_from_day)),
        tracked: anbao_app::rulebook::tracked(&v.rule),
        rule: v.rule.clone(),
        scheduled,
    })
}

/// The current rulebook: every rule with the article it cites.
#[utoipa::path(get, path = "/api/v1/rules", tag = "compliance", responses((status = 200, body = Vec<RuleBody>)))]
pub async fn rules(State(s): State<AppState>, a: Api) -> Result<Json<Vec<RuleBody>>, ApiError> {
    let today = anbao_domain::period::day_of_ms(a.ctx.now);
    Ok(Json(anbao_app::rulebook::all(&s.db).await?.iter().filter_map(|h| rule_body(h, today)).collect()))
}

/// One rule: the version in force today, and any saved to start later.
#[utoipa::path(get, path = "/api/v1/rules/{id}", tag = "compliance", params(("id" = String, Path)), responses((status = 200, body = RuleBody), (status = 404, body = ErrorBody)))]
pub async fn rule(State(s): State<AppState>, a: Api, Path(id): Path<String>) -> Result<Json<RuleBody>, ApiError> {
    let h = anbao_app::rulebook::get(&s.db, &id).await?;
    let today = anbao_domain::period::day_of_ms(a.ctx.now);
    Ok(Json(rule_body(&h, today).ok_or(anbao_app::AppError::NotFound)?))
}

#[derive(Deserialize, ToSchema)]
pub struct RuleEdit {
    pub rule: Rule,
    #[serde(default = "yes")]
    pub active: bool,
    /// YYYY-MM-DD, today or later.
    pub effective_from: String,
}

fn yes() -> bool {
    true
}

/// Edit a rule: a new version from `effective_from`; judged periods keep their version.
#[utoipa::path(put, path = "/api/v1/rules/{id}", tag = "compliance", params(("id" = String, Path)), request_body = RuleEdit,
    responses((status = 200, body = RuleBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn edit_rule(
    State(s): State<AppState>,
    a: Api,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RuleEdit>,
) -> Result<Json<RuleBody>, ApiError> {
    anbao_app::rulebook::get(&s.db, &id).await?;
    if b.rule.id != id {
        return Err(anbao_app::AppError::Invalid(anbao_domain::DomainError::new(
            "id",
            "规则编号与地址不一致",
            "the rule id differs from the path",
        ))
        .into());
    }
    let from = crate::form::parse_day(&b.effective_from)?;
    anbao_app::rulebook::edit(&s.db, &a.ctx, b.rule, b.active, from).await?;
    let h = anbao_app::rulebook::get(&s.db, &id).await?;
    let today = anbao_domain::period::day_of_ms(a.ctx.now);
    Ok(Json(rule_body(&h, today).ok_or(anbao_app::AppError::NotFound)?))
}

#[derive(Serialize, ToSchema)]
#[schema(as = ComplianceTally)]
pub struct TallyBody {
    pub met: i64,
    pub partly_met: i64,
    pub overdue: i64,
    pub not_yet_due: i64,
    /// Met share of judged items, in percent with one decimal (null when nothing was judged).
    pub compliance_pct: Option<f64>,
}

fn tally(t: anbao_app::compliance::Tally) -> TallyBody {
    TallyBody {
        met: t.met,
        partly_met: t.partly,
        overdue: t.overdue,
        not_yet_due: t.open,
        compliance_pct: t.permille().map(|p| p as f64 / 10.0),
    }
}

#[derive(Serialize, ToSchema)]
pub struct UnitTally {
    pub unit_id: i64,
    pub name: String,
    pub kind: String,
    pub tally: TallyBody,
}

#[derive(Serialize, ToSchema)]
pub struct RollupBody {
    pub unit: UnitTally,
    pub month: String,
    /// Every unit below (the whole subtree), each counting its own subtree.
    pub units: Vec<UnitTally>,
    pub rules: Vec<RuleTally>,
}

/// One rule's tally over the subtree and month.
#[derive(Serialize, ToSchema)]
pub struct RuleTally {
    pub rule_id: String,
    pub tally: TallyBody,
}

/// Compliance of a unit's subtree for a month, rolled up the tree.
#[utoipa::path(get, path = "/api/v1/compliance", tag = "compliance",
    params(("unit" = Option<i64>, Query), ("month" = Option<String>, Query, description = "YYYY-MM; empty for this month", pattern = r"^$|^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$")),
    responses((status = 200, body = RollupBody), (status = 404, body = ErrorBody)))]
pub async fn rollup_of(
    State(s): State<AppState>,
    a: Api,
    Query(q): Query<DashQuery>,
) -> Result<Json<RollupBody>, ApiError> {
    let today = anbao_domain::period::day_of_ms(a.ctx.now);
    let root = root_unit(&s, &a.ctx, &q).await?;
    let (from, to, month) = month_window(&q, today)?;
    let e = summary(&s.db, &root.path, from, to, today).await?;
    let per = e.rollup();
    let rules = e.by_rule();
    let units = anbao_app::org::list_units(&s.db, &a.ctx).await?;
    let ut = |u: &anbao_store::org::UnitRow| UnitTally {
        unit_id: u.id.get(),
        name: u.name.clone(),
        kind: u.kind.code().into(),
        tally: tally(per.get(&u.id.get()).copied().unwrap_or_default()),
    };
    Ok(Json(RollupBody {
        unit: ut(&root),
        month,
        units: units.iter().filter(|u| u.path.starts_with(&root.path) && u.id != root.id).map(ut).collect(),
        rules: rules.into_iter().map(|(rule_id, t)| RuleTally { rule_id, tally: tally(t) }).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
#[schema(as = DueItemBody)]
pub struct ItemBody {
    pub rule_id: String,
    pub version: i64,
    pub status: Status,
    pub unit_id: i64,
    pub unit_name: String,
    pub asset: Option<String>,
    pub person: Option<String>,
    pub period_start: String,
    pub period_end: String,
    pub have: i64,
    pub need: i64,
    pub reason: String,
    pub reason_en: String,
    pub source: String,
    /// Who answers for it: the holders of the rule's posts at the unit, its first responsible person, or the post
    /// named vacant (RESP-2).
    pub accountable: String,
    pub accountable_en: String,
}

/// Due items of a unit's subtree in a month, with the reason in words; filter by rule, status or area.
#[utoipa::path(get, path = "/api/v1/compliance/items", tag = "compliance",
    params(("unit" = Option<i64>, Query), ("month" = Option<String>, Query, description = "YYYY-MM; empty for this month", pattern = r"^$|^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"), ("rule" = Option<String>, Query),
           ("status" = Option<String>, Query, description = "met, partly_met, overdue, not_yet_due"), ("area" = Option<String>, Query)),
    responses((status = 200, body = Vec<ItemBody>)))]
pub async fn items(
    State(s): State<AppState>,
    a: Api,
    Query(q): Query<DashQuery>,
) -> Result<Json<Vec<ItemBody>>, ApiError> {
    let (root, _, items) = items_for(&s, &a.ctx, &q).await?;
    let who = anbao_app::home::accountable_for(&s.db, &root.path, &items).await?;
    Ok(Json(
        items
            .into_iter()
            .zip(who)
            .map(|(i, (accountable, accountable_en))| ItemBody {
                rule_id: i.rule_id,
                version: i.version,
                status: i.status,
                unit_id: i.unit_id,
                unit_name: i.unit_name,
                asset: i.asset.map(|a| a.1),
                person: i.person.map(|p| p.1),
                period_start: day_text(i.period.0),
                period_end: day_text(i.period.1 - 1),
                have: i.have,
                need: i.need,
                reason: i.reason,
                reason_en: i.reason_en,
                source: i.source,
                accountable,
                accountable_en,
            })
            .collect(),
    ))
}
