//! The compliance dashboard: figures for a unit's subtree in a month, by unit below, by rule and by area, the
//! worst units and a 12-month trend; every figure drills down to its due items, and each item to its records.
use super::org::xlsx_response;
use super::{Layout, render};
use crate::auth::Page;
use crate::error::PageError;
use crate::state::AppState;
use anbao_app::compliance::Tally;
use anbao_app::compliance_summary::summary;
use anbao_domain::org::UnitKind;
use anbao_domain::period::{self, Day};
use anbao_store::org::UnitRow;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};

pub use crate::queries::compliance::{DashQuery, items_for, month_window, root_unit};

pub struct TallyRow {
    pub key: String,
    pub label: String,
    pub link: String,
    pub t: Tally,
    pub pct: String,
    pub bar: i64,
}

fn tally_row(key: String, label: String, link: String, t: Tally) -> TallyRow {
    TallyRow { key, label, link, pct: t.pct_text(), bar: t.permille().map_or(0, |p| p / 10), t }
}

#[derive(Template)]
#[template(path = "compliance/dashboard.html")]
struct DashPage {
    l: Layout,
    unit: UnitRow,
    unit_kind: &'static str,
    month: String,
    prev_month: String,
    next_month: String,
    total: TallyRow,
    children: Vec<TallyRow>,
    rules: Vec<TallyRow>,
    areas: Vec<TallyRow>,
    worst: Vec<TallyRow>,
    chart: String,
    months: Vec<(String, String)>,
}

fn shift_month(m: &str, by: i32) -> String {
    let (y, mm) = m
        .split_once('-')
        .and_then(|(y, mm)| Some((y.parse::<i32>().ok()?, mm.parse::<i32>().ok()?)))
        .unwrap_or((2026, 1));
    let idx = y * 12 + (mm - 1) + by;
    format!("{}-{:02}", idx.div_euclid(12), idx.rem_euclid(12) + 1)
}

/// A 12-month bar chart of compliance, as inline SVG drawn from numbers only.
fn chart(points: &[(String, Option<i64>)]) -> String {
    let (w, h, left, bottom) = (720, 220, 40, 30);
    let bw = (w - left - 10) / points.len().max(1) as i64;
    let mut svg = format!(r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="compliance trend">"#);
    for pct in [0, 50, 100] {
        let y = h - bottom - (h - bottom - 10) * pct / 100;
        svg.push_str(&format!(r##"<line x1="{left}" y1="{y}" x2="{w}" y2="{y}" stroke="#e5e6eb"/><text x="4" y="{}" font-size="11" fill="#646a73">{pct}%</text>"##, y + 4));
    }
    for (i, (label, p)) in points.iter().enumerate() {
        let x = left + i as i64 * bw + 4;
        if let Some(p) = p {
            let bh = (h - bottom - 10) * p / 1000;
            let color = if *p >= 950 {
                "#1f8f4e"
            } else if *p >= 800 {
                "#d97706"
            } else {
                "#c0392b"
            };
            svg.push_str(&format!(
                r#"<rect x="{x}" y="{}" width="{}" height="{bh}" fill="{color}"><title>{label}: {}.{}%</title></rect>"#,
                h - bottom - bh,
                bw - 8,
                p / 10,
                p % 10
            ));
        }
        let short = label.get(5..).unwrap_or(label);
        svg.push_str(&format!(
            r##"<text x="{}" y="{}" font-size="11" fill="#646a73" text-anchor="middle">{short}</text>"##,
            x + (bw - 8) / 2,
            h - 10
        ));
    }
    svg.push_str("</svg>");
    svg
}

fn link(unit: i64, month: &str, extra: &str) -> String {
    format!("/compliance/items?unit={unit}&month={month}{extra}")
}

pub async fn dashboard(State(s): State<AppState>, p: Page, Query(q): Query<DashQuery>) -> Result<Response, PageError> {
    let today = period::day_of_ms(p.ctx.now);
    let root = root_unit(&s, &p.ctx, &q).await?;
    let (from, to, month) = month_window(&q, today)?;
    let en = p.lang.is_en();
    let e = summary(&s.db, &root.path, from, to, today).await?;
    let per_unit = e.rollup();
    // The units below come from the summary, which has read the subtree already.
    let mut below: Vec<&UnitRow> =
        e.units.iter().filter(|u| u.parent_id == Some(root.id) && u.kind != UnitKind::Department).collect();
    below.sort_by(|a, b| a.name.cmp(&b.name));
    let children = below
        .into_iter()
        .map(|c| {
            let t = per_unit.get(&c.id.get()).copied().unwrap_or_default();
            tally_row(c.id.to_string(), c.name.clone(), format!("/compliance?unit={}&month={month}", c.id), t)
        })
        .collect();
    let rid = root.id.get();
    let titles: std::collections::HashMap<&str, &str> =
        e.rules.iter().map(|(r, _)| (r.id.as_str(), if en { r.title_en.as_str() } else { r.title.as_str() })).collect();
    let rules = e
        .by_rule()
        .into_iter()
        .map(|(k, t)| {
            let label = format!("{k} {}", titles.get(k.as_str()).copied().unwrap_or_default());
            tally_row(k.clone(), label, link(rid, &month, &format!("&rule={k}")), t)
        })
        .collect();
    let areas = e
        .by_area()
        .into_iter()
        .map(|(k, t)| tally_row(k.clone(), area_label(&k, en).to_owned(), link(rid, &month, &format!("&area={k}")), t))
        .collect();
    // Worst units: those with items of their own (outlets, mostly), by compliance.
    let own = e.own();
    // Rank outlets when there are any (they carry most obligations); otherwise whatever units have items.
    let has_outlets = own.keys().any(|u| e.units[*u].kind == UnitKind::Outlet);
    let mut leaves: Vec<(usize, Tally)> = own
        .into_iter()
        .filter(|(u, t)| {
            t.judged() > 0 && e.units[*u].id.get() != rid && (!has_outlets || e.units[*u].kind == UnitKind::Outlet)
        })
        .collect();
    leaves.sort_by_key(|(_, t)| t.permille().unwrap_or(1000));
    let worst = leaves
        .into_iter()
        .take(10)
        .map(|(u, _)| {
            let unit = &e.units[u];
            let t = per_unit.get(&unit.id.get()).copied().unwrap_or_default();
            tally_row(unit.id.to_string(), unit.name.clone(), link(unit.id.get(), &month, ""), t)
        })
        .collect();
    // Trend: items of daily, weekly and monthly periods, month by month; each month's summary is kept and judged
    // again only where its evidence, rules or org have changed since.
    let mut points: Vec<(String, Option<i64>)> = Vec::new();
    for i in 0..12 {
        let m = shift_month(&month, i - 11);
        let value = if m == month {
            e.trend().permille()
        } else {
            let q = DashQuery { month: Some(m.clone()), ..Default::default() };
            let (mf, mt, _) = month_window(&q, today)?;
            if mf > today { None } else { summary(&s.db, &root.path, mf, mt, today).await?.trend().permille() }
        };
        points.push((m, value));
    }
    let total = per_unit.get(&rid).copied().unwrap_or_default();
    let mut l = Layout::new(&p, "/compliance", "合规看板", "Compliance")
        .crumb(p.lang.tr("合规看板", "Compliance"), Some("/compliance".into()));
    l = l.crumb(root.name.clone(), None);
    let page = DashPage {
        unit_kind: if en { root.kind.label_en() } else { root.kind.label_zh() },
        prev_month: shift_month(&month, -1),
        next_month: shift_month(&month, 1),
        total: tally_row(rid.to_string(), root.name.clone(), link(rid, &month, ""), total),
        children,
        rules,
        areas,
        worst,
        chart: chart(&points),
        months: points
            .iter()
            .map(|(k, v)| (k.clone(), v.map_or("—".into(), |p| format!("{}.{}%", p / 10, p % 10))))
            .collect(),
        month,
        unit: root,
        l,
    };
    Ok(render(&page)?.into_response())
}

pub struct ItemView {
    pub status: &'static str,
    pub status_label: &'static str,
    pub rule_id: String,
    pub title: String,
    pub unit: String,
    pub period: String,
    pub reason: String,
    pub source: String,
    pub records_link: String,
    /// Who answers for it (RESP-2), or which post is vacant.
    pub accountable: String,
}

#[derive(Template)]
#[template(path = "compliance/items.html")]
struct ItemsPage {
    l: Layout,
    unit: UnitRow,
    month: String,
    rule: String,
    items: Vec<ItemView>,
    total: usize,
    tally: Tally,
    export_query: String,
}

fn day_text(d: Day) -> String {
    let (y, m, dd) = period::ymd(d);
    format!("{y}-{m:02}-{dd:02}")
}

pub async fn items(State(s): State<AppState>, p: Page, Query(q): Query<DashQuery>) -> Result<Response, PageError> {
    let (root, month, items) = items_for(&s, &p.ctx, &q).await?;
    let en = p.lang.is_en();
    let mut tally = Tally::default();
    for i in &items {
        tally.add(i.status);
    }
    let total = items.len();
    let shown = &items[..items.len().min(500)];
    let who = anbao_app::home::accountable_for(&s.db, &root.path, shown).await?;
    let views = shown
        .iter()
        .zip(who)
        .map(|(i, (who, who_en))| {
            let mut rl = format!(
                "/records?unit={}&kind={}&from={}&to={}",
                i.unit_id,
                i.evidence,
                day_text(i.period.0),
                day_text(i.period.1 - 1)
            );
            if let Some((a, _)) = &i.asset {
                rl.push_str(&format!("&asset={a}"));
            }
            ItemView {
                status: i.status.code(),
                status_label: if en { i.status.label_en() } else { i.status.label_zh() },
                rule_id: i.rule_id.clone(),
                title: if en { i.title_en.clone() } else { i.title.clone() },
                unit: i.unit_name.clone(),
                period: i.period_label.clone(),
                reason: if en { i.reason_en.clone() } else { i.reason.clone() },
                source: i.source.clone(),
                records_link: rl,
                accountable: if en { who_en } else { who },
            }
        })
        .collect();
    let keep: Vec<(&str, String)> = [
        ("unit", root.id.to_string()),
        ("month", month.clone()),
        ("rule", q.rule.clone().unwrap_or_default()),
        ("status", q.status.clone().unwrap_or_default()),
        ("area", q.area.clone().unwrap_or_default()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let l = Layout::new(&p, "/compliance", "应办事项", "Due items")
        .crumb(p.lang.tr("合规看板", "Compliance"), Some(format!("/compliance?unit={}&month={month}", root.id)))
        .crumb(p.lang.tr("应办事项", "Due items"), None);
    let page = ItemsPage {
        l,
        month,
        rule: q.rule.clone().unwrap_or_default(),
        items: views,
        total,
        tally,
        export_query: serde_urlencoded::to_string(&keep).unwrap_or_default(),
        unit: root,
    };
    Ok(render(&page)?.into_response())
}

/// Every unit of the subtree with its tally for the month, as Excel.
pub async fn export_units(
    State(s): State<AppState>,
    p: Page,
    Query(q): Query<DashQuery>,
) -> Result<Response, PageError> {
    let today = period::day_of_ms(p.ctx.now);
    let root = root_unit(&s, &p.ctx, &q).await?;
    let (from, to, month) = month_window(&q, today)?;
    let per = summary(&s.db, &root.path, from, to, today).await?.rollup();
    let units = anbao_app::org::list_units(&s.db, &p.ctx).await?;
    let rows: Vec<Vec<String>> = units
        .iter()
        .filter(|u| u.path.starts_with(&root.path) && u.kind != UnitKind::Department)
        .map(|u| {
            let t = per.get(&u.id.get()).copied().unwrap_or_default();
            vec![
                month.clone(),
                u.name.clone(),
                u.kind.label_zh().into(),
                t.pct_text(),
                t.met.to_string(),
                t.partly.to_string(),
                t.overdue.to_string(),
                t.open.to_string(),
            ]
        })
        .collect();
    let headers = ["月份", "单位", "类型", "合规率", "已完成", "部分完成", "逾期", "进行中"];
    let bytes = anbao_app::export::xlsx("合规统计", &headers, &rows)?;
    Ok(xlsx_response(bytes, "compliance.xlsx"))
}

pub async fn export_items(
    State(s): State<AppState>,
    p: Page,
    Query(q): Query<DashQuery>,
) -> Result<Response, PageError> {
    let (_, _, items) = items_for(&s, &p.ctx, &q).await?;
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|i| {
            vec![
                i.status.label_zh().into(),
                i.rule_id.clone(),
                i.title.clone(),
                i.unit_name.clone(),
                i.asset
                    .as_ref()
                    .map(|a| a.1.clone())
                    .or_else(|| i.person.as_ref().map(|p| p.1.clone()))
                    .unwrap_or_default(),
                i.period_label.clone(),
                i.have.to_string(),
                i.need.to_string(),
                i.reason.clone(),
                i.source.clone(),
            ]
        })
        .collect();
    let headers = ["状态", "规则", "名称", "单位", "设备/人员", "期间", "实际", "要求", "说明", "出处"];
    let bytes = anbao_app::export::xlsx("应办事项", &headers, &rows)?;
    Ok(xlsx_response(bytes, "due-items.xlsx"))
}

/// Chinese and English names of the areas the rulebook groups rules in.
pub fn area_label(code: &str, en: bool) -> &str {
    let (zh, e) = match code {
        "org" => ("组织与人员", "Organisation"),
        "resp" => ("责任制", "Responsibility"),
        "facility" => ("安防设施", "Facilities"),
        "inspection" => ("安全检查", "Inspections"),
        "hazard" => ("隐患整改", "Hazards"),
        "ops" => ("营业期间", "Business hours"),
        "vault" => ("金库与值守", "Vault and duty"),
        "arms" => ("枪弹管理", "Guns and ammunition"),
        "escort" => ("押运", "Escort"),
        "cctv" => ("视频监控", "CCTV"),
        "atm" => ("自助设备", "ATMs"),
        "training" => ("教育与演练", "Training and drills"),
        "emergency" => ("应急处置", "Emergency"),
        "incident" => ("案件与问责", "Incidents"),
        "assessment" => ("考核", "Assessment"),
        other => (other, other),
    };
    if en { e } else { zh }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_area_of_the_default_rulebook_has_its_names() {
        let rules = anbao_app::rulebook::parse_file(anbao_app::rulebook::DEFAULT_RULEBOOK).unwrap();
        assert!(rules.len() > 40);
        for r in &rules {
            assert_ne!(super::area_label(&r.area, false), r.area, "{}: area {}", r.id, r.area);
        }
    }
}
