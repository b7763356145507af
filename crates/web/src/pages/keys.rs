//! The keys-and-codes page (钥匙密码): the custody table to post on the wall (printable), handovers both people
//! confirm, loss and lock change.
use super::custody::{staff_options, unit, unit_options};
use super::{Layout, render, user_message, when};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::Id;
use crate::form::PageForm;
use crate::state::AppState;
use anbao_app::confirm::SecondSignIn;
use anbao_app::custody::{ItemInput, kind_label};
use anbao_domain::access::Permission;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(serde::Deserialize, Default)]
pub struct KeysQuery {
    unit: Option<i64>,
    ok: Option<String>,
}

pub struct ItemView {
    pub id: i64,
    pub unit: String,
    pub asset: String,
    pub kind: &'static str,
    pub label: String,
    pub holder: String,
    pub lost: bool,
    /// The holder, the unit head or the security department may report it lost.
    pub may_report_lost: bool,
    pub since: String,
}

#[derive(Template)]
#[template(path = "keys/table.html")]
struct KeysPage {
    l: Layout,
    unit_id: i64,
    unit_name: String,
    items: Vec<ItemView>,
    lock_changes: Vec<(i64, String, String, String)>,
    handovers: Vec<(String, String, String, String, String)>,
    staff: Vec<(i64, String)>,
    assets: Vec<(i64, String)>,
    units: Vec<(i64, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    can_write: bool,
    /// May register items and close lock changes (the outlet head, the security department).
    can_manage: bool,
    error: Option<String>,
    pick: Vec<(i64, String, bool)>,
    pick_action: &'static str,
}

async fn page(s: &AppState, p: &Page, q: &KeysQuery, error: Option<String>) -> Result<KeysPage, PageError> {
    let u = unit(s, p, q.unit).await?;
    let t = anbao_app::custody::table(&s.db, &p.ctx, u.id).await?;
    let labels: std::collections::HashMap<i64, String> = t.items.iter().map(|i| (i.id, i.label.clone())).collect();
    let assets = anbao_app::assets::list(&s.db, &p.ctx, None).await?;
    let en = p.lang.is_en();
    let l = Layout::new(p, "/keys", "钥匙密码", "Keys and codes")
        .crumb(p.lang.tr("钥匙密码", "Keys and codes"), None)
        .flash_from(q.ok.as_deref());
    Ok(KeysPage {
        l,
        unit_id: u.id.get(),
        unit_name: u.name.clone(),
        items: t
            .items
            .iter()
            .map(|i| ItemView {
                id: i.id,
                unit: i.unit_name.clone(),
                asset: i.asset_name.clone().unwrap_or_else(|| "—".into()),
                kind: kind_label(&i.kind),
                label: i.label.clone(),
                holder: i.holder_name.clone().unwrap_or_else(|| "—".into()),
                lost: i.status == "lost",
                may_report_lost: anbao_app::custody::may_report_lost(&p.ctx, i),
                since: when(&i.updated_at),
            })
            .collect(),
        lock_changes: t
            .lock_changes
            .iter()
            .map(|c| (c.id, labels.get(&c.item_id).cloned().unwrap_or_default(), c.reason.clone(), when(&c.opened_at)))
            .collect(),
        handovers: t
            .handovers
            .iter()
            .map(|h| {
                (
                    when(&h.at),
                    h.item_label.clone(),
                    h.from_name.clone().unwrap_or_default(),
                    h.to_name.clone(),
                    h.note.clone().unwrap_or_default(),
                )
            })
            .collect(),
        staff: staff_options(s, p, &u.path).await?,
        assets: assets
            .into_iter()
            .filter(|a| {
                a.unit_path.starts_with(&u.path) && matches!(a.kind.as_str(), "vault" | "atm" | "safe" | "cctv")
            })
            .map(|a| (a.id, format!("{} · {}", a.unit_name, a.name)))
            .collect(),
        units: unit_options(s, p, &u.path).await?,
        kinds: anbao_app::custody::ITEM_KINDS.iter().map(|k| (k.0, if en { k.2 } else { k.1 })).collect(),
        can_write: p.ctx.actor.scope.allows(Permission::RecordWrite, &u.path),
        can_manage: p.ctx.actor.scope.allows(Permission::StaffWrite, &u.path),
        error,
        pick: super::custody::picker(s, p, u.id.get()).await?,
        pick_action: "/keys",
    })
}

pub async fn table(State(s): State<AppState>, p: Page, Query(q): Query<KeysQuery>) -> Result<Response, PageError> {
    Ok(render(&page(&s, &p, &q, None).await?)?.into_response())
}

async fn done(
    s: &AppState,
    p: &Page,
    unit: Option<i64>,
    r: Result<i64, anbao_app::AppError>,
) -> Result<Response, PageError> {
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/keys?unit={}&ok=saved", unit.unwrap_or(0))).into_response()),
        Err(e) => {
            let msg = user_message(p, e)?;
            let pg = page(s, p, &KeysQuery { unit, ok: None }, Some(msg)).await?;
            super::again(&pg)
        }
    }
}

pub async fn register(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let back = form.id("back_unit")?;
    let input = ItemInput {
        unit_id: form.id("unit_id")?,
        asset_id: form.id("asset_id")?,
        kind: Some(form.text("kind")),
        label: Some(form.text("label")),
        holder_id: form.id("holder_id")?,
    };
    let r = anbao_app::custody::register(&s.db, &p.ctx, &input).await;
    done(&s, &p, back, r).await
}

pub async fn handover(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let back = form.id("back_unit")?;
    let item = form.id("item_id")?.unwrap_or(0);
    let second = SecondSignIn {
        confirm_username: Some(form.text("confirm_username")),
        confirm_secret: Some(form.text("confirm_secret")),
    };
    let note = form.text("note");
    let r = anbao_app::custody::handover(&s.db, &s.policy, &p.ctx, item, &second, Some(&note)).await;
    done(&s, &p, back, r).await
}

pub async fn lost(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let back = form.id("back_unit")?;
    let r = anbao_app::custody::report_lost(&s.db, &p.ctx, id, &form.text("reason")).await;
    done(&s, &p, back, r).await
}

pub async fn lock_changed(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let back = form.id("back_unit")?;
    let holder = form.id("holder_id")?.unwrap_or(0);
    let r = anbao_app::custody::finish_lock_change(&s.db, &p.ctx, id, holder, &form.text("note")).await;
    done(&s, &p, back, r).await
}

/// The custody table as a spreadsheet.
/// The columns of the custody table's export and its PDF.
const CUSTODY_COLUMNS: [&str; 6] = ["单位", "设备", "类别", "名称", "保管人", "自"];

fn custody_rows(pg: &KeysPage) -> Vec<Vec<String>> {
    pg.items
        .iter()
        .map(|i| {
            let holder = if i.lost { "已挂失".to_owned() } else { i.holder.clone() };
            vec![i.unit.clone(), i.asset.clone(), i.kind.to_owned(), i.label.clone(), holder, i.since.clone()]
        })
        .collect()
}

pub async fn export(State(s): State<AppState>, p: Page, Query(q): Query<KeysQuery>) -> Result<Response, PageError> {
    let pg = page(&s, &p, &q, None).await?;
    let bytes = anbao_app::export::xlsx("钥匙密码保管表", &CUSTODY_COLUMNS, &custody_rows(&pg))?;
    Ok(super::org::xlsx_response(bytes, "custody.xlsx"))
}

/// The custody table (who holds each key and code since when) as an A4 PDF for the wall: the export's rows.
pub async fn table_pdf(State(s): State<AppState>, p: Page, Query(q): Query<KeysQuery>) -> Result<Response, PageError> {
    let pg = page(&s, &p, &q, None).await?;
    let date = anbao_domain::period::date_of_day(anbao_domain::period::day_of_ms(p.ctx.now)).to_string();
    let period = format!("截至{}", date);
    let doc = crate::documents::Register::new(
        &p.ctx,
        "钥匙密码保管表",
        pg.unit_name.clone(),
        period,
        &CUSTODY_COLUMNS,
        custody_rows(&pg),
    );
    let name = format!("钥匙密码保管表-{date}");
    Ok(crate::documents::pdf(&s, anbao_pdf::Document::Register, &doc, &name).await?)
}
