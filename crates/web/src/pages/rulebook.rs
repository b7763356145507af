//! The rulebook pages: every obligation with the article that creates it; a rule's versions; the editor.
use super::{Flash, Layout, render, when};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::{FormData, PageForm};
use crate::state::AppState;
use anbao_app::AppError;
use anbao_app::rulebook::{RuleHistory, tracked};
use anbao_domain::access::Permission;
use anbao_domain::rulebook::{Rule, RuleKind};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

pub fn kind_label(k: RuleKind, en: bool) -> &'static str {
    match (k, en) {
        (RuleKind::Count, false) => "次数",
        (RuleKind::Coverage, false) => "覆盖率",
        (RuleKind::Validity, false) => "有效期",
        (RuleKind::Retention, false) => "保存期限",
        (RuleKind::Deadline, false) => "截止期限",
        (RuleKind::TwoPerson, false) => "双人",
        (RuleKind::Post, false) => "岗位配备",
        (RuleKind::Post, true) => "post held",
        (RuleKind::Count, true) => "count",
        (RuleKind::Coverage, true) => "coverage",
        (RuleKind::Validity, true) => "validity",
        (RuleKind::Retention, true) => "retention",
        (RuleKind::Deadline, true) => "deadline",
        (RuleKind::TwoPerson, true) => "two-person",
        (RuleKind::Limit, false) => "限额",
        (RuleKind::Limit, true) => "limit",
    }
}

/// The rule's requirement in words, from its numbers.
pub fn requirement(r: &Rule, en: bool) -> String {
    let period = if en { r.period.label_en() } else { r.period.label_zh() };
    match (r.kind, en) {
        (RuleKind::Count, false) if r.spacing_minutes > 0 => {
            format!("{period}不少于{}次（相隔不足{}分钟的只计一次）", r.min_count, r.spacing_minutes)
        }
        (RuleKind::Count, true) if r.spacing_minutes > 0 => {
            format!("at least {} {period} (less than {} minutes apart count once)", r.min_count, r.spacing_minutes)
        }
        (RuleKind::Count, false) => format!("{period}不少于{}次", r.min_count),
        (RuleKind::Count, true) => format!("at least {} {period}", r.min_count),
        (RuleKind::Coverage, false) => format!("{period}覆盖≥{}%的下级单位", r.coverage_pct),
        (RuleKind::Coverage, true) => format!("{period}, ≥{}% of units below covered", r.coverage_pct),
        (RuleKind::Validity, false) => format!("{}个月内有效", r.validity_months),
        (RuleKind::Validity, true) => format!("valid for {} months", r.validity_months),
        (RuleKind::Retention, false) => format!("录像保存≥{}天", r.retention_days),
        (RuleKind::Retention, true) => format!("recordings kept ≥ {} days", r.retention_days),
        (RuleKind::Deadline, false) => format!("{period}，{}月底前完成", r.deadline_month),
        (RuleKind::Deadline, true) => format!("{period}, by the end of month {}", r.deadline_month),
        (RuleKind::TwoPerson, false) if r.min_count > 0 => {
            format!("{period}不少于{}次，每次须两名不同且符合条件的人员", r.min_count)
        }
        (RuleKind::TwoPerson, true) if r.min_count > 0 => {
            format!("at least {} {period}, each by two distinct eligible people", r.min_count)
        }
        (RuleKind::Post, _) => {
            let posts: Vec<&str> = r
                .positions
                .iter()
                .filter_map(|p| anbao_domain::staff::Position::parse(p).ok())
                .map(|p| if en { p.label_en() } else { p.label_zh() })
                .collect();
            if en {
                format!("{period}, someone holds: {}", posts.join(", "))
            } else {
                format!("{period}须有人担任{}", posts.join("或"))
            }
        }
        (RuleKind::TwoPerson, false) => "须两名不同且符合条件的人员".into(),
        (RuleKind::TwoPerson, true) => "two distinct eligible people".into(),
        (RuleKind::Limit, false) if r.per_person_hours > 0 => format!("{period}人均学时≥{}小时", r.per_person_hours),
        (RuleKind::Limit, true) if r.per_person_hours > 0 => {
            format!("{period}, ≥ {} hours of study per person", r.per_person_hours)
        }
        (RuleKind::Limit, false) if r.min_age > 0 => format!("年满{}周岁，{}天内参加实弹射击训练", r.min_age, r.days),
        (RuleKind::Limit, true) if r.min_age > 0 => format!("aged {}+, live fire within {} days", r.min_age, r.days),
        (RuleKind::Limit, false) if r.amount > 0 => format!("金额≥{}元", r.amount),
        (RuleKind::Limit, true) if r.amount > 0 => format!("amount ≥ ¥{}", r.amount),
        (RuleKind::Limit, false) => format!("营业时间{}", r.hours),
        (RuleKind::Limit, true) => format!("business hours {}", r.hours),
    }
}

pub struct RuleRow {
    pub id: String,
    pub title: String,
    pub area: String,
    pub kind: &'static str,
    pub requirement: String,
    pub source: String,
    pub version: i64,
    pub active: bool,
    pub tracked: bool,
    /// A version saved to start later: (its number, the day it starts).
    pub scheduled: Option<(i64, String)>,
}

/// The rule as it stands today (not a version saved to start tomorrow), with the next scheduled version beside it.
fn row(h: &RuleHistory, en: bool, today: i64) -> Option<RuleRow> {
    let v = h.on(today)?;
    let scheduled = h.scheduled_after(today).next().map(|n| (n.version, day_text(n.effective_from_day)));
    Some(RuleRow {
        id: h.id.clone(),
        title: v.rule.label(en).to_owned(),
        area: v.rule.area.clone(),
        kind: kind_label(v.rule.kind, en),
        requirement: requirement(&v.rule, en),
        source: v.rule.source.clone(),
        version: v.version,
        active: v.active,
        tracked: tracked(&v.rule),
        scheduled,
    })
}

#[derive(Template)]
#[template(path = "rulebook/list.html")]
struct ListPage {
    l: Layout,
    rules: Vec<RuleRow>,
}

pub async fn list(State(s): State<AppState>, p: Page) -> Result<Response, PageError> {
    let all = anbao_app::rulebook::all(&s.db).await?;
    let en = p.lang.is_en();
    let l = Layout::new(&p, "/rulebook", "规则库", "Rulebook").crumb(p.lang.tr("规则库", "Rulebook"), None);
    let today = anbao_domain::period::day_of_ms(p.ctx.now);
    Ok(render(&ListPage { l, rules: all.iter().filter_map(|h| row(h, en, today)).collect() })?.into_response())
}

pub struct VersionView {
    pub version: i64,
    pub active: bool,
    pub from: String,
    pub at: String,
    pub by: String,
    pub requirement: String,
}

#[derive(Template)]
#[template(path = "rulebook/show.html")]
struct ShowPage {
    l: Layout,
    r: RuleRow,
    rule: Rule,
    /// The newest version, which an edit starts from (a version scheduled to start later, if any).
    edit: Rule,
    subject: String,
    /// The posts that owe the rule (RESP-2), or the unit's head.
    owners: String,
    versions: Vec<VersionView>,
    can_edit: bool,
    /// A count of an asset's records: the form offers the spacing (`Rule::spacing_minutes`).
    spacing_applies: bool,
    today: String,
    error: Option<String>,
}

fn day_text(d: i64) -> String {
    let (y, m, dd) = anbao_domain::period::ymd(d);
    format!("{y}-{m:02}-{dd:02}")
}

async fn show_page(s: &AppState, p: &Page, id: &str, error: Option<String>) -> Result<ShowPage, PageError> {
    let h = anbao_app::rulebook::get(&s.db, id).await?;
    let en = p.lang.is_en();
    let today = anbao_domain::period::day_of_ms(p.ctx.now);
    let r = row(&h, en, today).ok_or_else(|| PageError::from(AppError::NotFound))?;
    let rule = h.on(today).map(|v| v.rule.clone()).ok_or_else(|| PageError::from(AppError::NotFound))?;
    let edit = h.latest().map_or_else(|| rule.clone(), |v| v.rule.clone());
    let subject = format!(
        "{} {} {} {}",
        rule.unit_kinds
            .iter()
            .filter_map(|k| anbao_domain::org::UnitKind::parse(k).ok())
            .map(|k| if en { k.label_en() } else { k.label_zh() })
            .collect::<Vec<_>>()
            .join("、"),
        if rule.asset_kind.is_empty() {
            String::new()
        } else {
            anbao_app::assets::kind_label(&rule.asset_kind, en).to_owned()
        },
        rule.positions
            .iter()
            .filter_map(|x| anbao_domain::staff::Position::parse(x).ok())
            .map(|x| if en { x.label_en() } else { x.label_zh() })
            .collect::<Vec<_>>()
            .join("、"),
        if rule.key_position_only { p.lang.tr("（要害岗位）", "(key posts)") } else { "" }
    );
    let owners = if rule.owners.is_empty() {
        p.lang.tr("单位第一责任人", "the unit's first responsible person").to_owned()
    } else {
        rule.owners
            .iter()
            .filter_map(|x| anbao_domain::staff::Position::parse(x).ok())
            .map(|x| if en { x.label_en() } else { x.label_zh() })
            .collect::<Vec<_>>()
            .join("、")
    };
    let versions = h
        .versions
        .iter()
        .rev()
        .map(|v| VersionView {
            version: v.version,
            active: v.active,
            from: if v.effective_from_day == 0 {
                p.lang.tr("始终", "always").into()
            } else {
                day_text(v.effective_from_day)
            },
            at: when(&v.created_at),
            by: v
                .created_by
                .clone()
                .unwrap_or_else(|| p.lang.tr("系统（默认规则库）", "system (default rulebook)").into()),
            requirement: requirement(&v.rule, en),
        })
        .collect();
    let mut l = Layout::new(p, "/rulebook", "规则", "Rule")
        .crumb(p.lang.tr("规则库", "Rulebook"), Some("/rulebook".into()))
        .crumb(h.id.clone(), None);
    l.title = r.title.clone();
    let spacing_applies = edit.kind == RuleKind::Count && edit.subject == anbao_domain::rulebook::Subject::Asset;
    Ok(ShowPage {
        l,
        r,
        rule,
        edit,
        subject,
        owners,
        versions,
        can_edit: p.ctx.actor.scope.covers_whole_tree(Permission::RulebookWrite),
        spacing_applies,
        today: day_text(anbao_domain::period::day_of_ms(p.ctx.now)),
        error,
    })
}

pub async fn show(
    State(s): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    Query(f): Query<Flash>,
) -> Result<Response, PageError> {
    let mut page = show_page(&s, &p, &id, None).await?;
    page.l = page.l.flash_from(f.ok.as_deref());
    Ok(render(&page)?.into_response())
}

fn int(f: &FormData, key: &'static str) -> Result<i64, AppError> {
    let v = f.text(key);
    v.trim().parse::<i64>().map_err(|_| {
        AppError::Invalid(anbao_domain::DomainError::new(
            key,
            format!("“{key}”须为整数"),
            format!("{key} must be a whole number"),
        ))
    })
}

/// Save an edit: the numbers of the rule change from the chosen day; earlier periods keep the old version.
pub async fn update(
    State(s): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let h = anbao_app::rulebook::get(&s.db, &id).await?;
    let mut rule = h.latest().map(|v| v.rule.clone()).ok_or_else(|| PageError::from(AppError::NotFound))?;
    let result: Result<i64, AppError> = async {
        rule.title = form.text("title");
        rule.min_count = int(&form, "min_count")?;
        if !form.text("spacing_minutes").is_empty() {
            rule.spacing_minutes = int(&form, "spacing_minutes")?;
        }
        rule.coverage_pct = int(&form, "coverage_pct")?;
        rule.validity_months = int(&form, "validity_months")?;
        rule.retention_days = int(&form, "retention_days")?;
        rule.deadline_month = int(&form, "deadline_month")?;
        let from = crate::form::parse_day(&form.text("effective_from"))?;
        anbao_app::rulebook::edit(&s.db, &p.ctx, rule, form.flag("active"), from).await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/rulebook/{id}?ok=saved")).into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let msg = if p.lang.is_en() { e.message_en() } else { e.message_zh() };
            let page = show_page(&s, &p, &id, Some(msg)).await?;
            Ok((crate::error::status_of(&e), render(&page)?).into_response())
        }
        Err(e) => Err(PageError::from(e)),
    }
}
