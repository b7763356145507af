//! Accounts and grants (系统管理员 only): who may sign in, with which role, over which part of the tree.
use super::{Flash, Layout, render};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::IdAnd;
use crate::form::{FormData, path_id};
use crate::form::{Id, PageForm};
use crate::state::AppState;
use anbao_app::AppError;
use anbao_app::accounts::AccountInput;
use anbao_domain::access::{Permission, Role};
use anbao_domain::ids::{AccountId, UnitId};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};

pub struct AccountView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// (grant id, "role @ unit")
    pub grants: Vec<(i64, String)>,
    pub disabled: bool,
    pub is_me: bool,
    /// "姓名（工号）" of the linked staff record, or empty.
    pub person: String,
}

#[derive(Template)]
#[template(path = "accounts/list.html")]
struct ListPage {
    l: Layout,
    accounts: Vec<AccountView>,
    roles: Vec<(&'static str, &'static str)>,
    units: Vec<(i64, String)>,
    error: Option<String>,
    username: String,
    display_name: String,
}

async fn page(
    s: &AppState,
    p: &Page,
    f: Option<&FormData>,
    error: Option<String>,
    ok: Option<&str>,
) -> Result<ListPage, PageError> {
    let en = p.lang.is_en();
    let list = anbao_app::accounts::list(&s.db, &p.ctx).await?;
    let rows: Vec<_> = list.iter().map(|(a, _)| a.clone()).collect();
    let people = anbao_app::accounts::people_of(&s.db, &p.ctx, &rows).await?;
    let units = anbao_app::org::list_units(&s.db, &p.ctx).await?;
    let names: std::collections::HashMap<i64, String> = units.iter().map(|u| (u.id.get(), u.name.clone())).collect();
    let accounts = list
        .into_iter()
        .map(|(a, grants)| AccountView {
            person: a.staff_id.and_then(|id| people.get(&id)).map(|(n, no)| format!("{n}（{no}）")).unwrap_or_default(),
            id: a.id.get(),
            is_me: a.id == p.ctx.actor.account,
            username: a.username,
            display_name: a.display_name,
            grants: grants
                .iter()
                .map(|g| {
                    let unit = g
                        .grant
                        .unit_id
                        .and_then(|u| names.get(&u.get()).cloned())
                        .unwrap_or_else(|| p.lang.tr("全辖", "whole tree").into());
                    (g.id, format!("{} @ {}", if en { g.grant.role.label_en() } else { g.grant.role.label_zh() }, unit))
                })
                .collect(),
            disabled: a.disabled,
        })
        .collect();
    let l = Layout::new(p, "/admin/accounts", "账号与权限", "Accounts")
        .crumb(p.lang.tr("账号与权限", "Accounts"), None)
        .flash_from(ok);
    Ok(ListPage {
        l,
        accounts,
        roles: Role::ALL.iter().map(|r| (r.code(), if en { r.label_en() } else { r.label_zh() })).collect(),
        units: units
            .iter()
            .filter(|u| p.ctx.actor.scope.allows(Permission::AccountAdmin, &u.path))
            .map(|u| (u.id.get(), u.name.clone()))
            .collect(),
        error,
        username: f.map(|f| f.text("username")).unwrap_or_default(),
        display_name: f.map(|f| f.text("display_name")).unwrap_or_default(),
    })
}

pub async fn list(State(s): State<AppState>, p: Page, Query(f): Query<Flash>) -> Result<Response, PageError> {
    Ok(render(&page(&s, &p, None, None, f.ok.as_deref()).await?)?.into_response())
}

pub async fn create(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let role = Role::parse(&form.text("role"))?;
    let unit = form.id("unit_id")?.map(UnitId::new);
    let staff_no = form.text("staff_no");
    let staff_id = if staff_no.trim().is_empty() {
        Ok(None)
    } else {
        anbao_app::provision::staff_for_new_account(&s.db, Some(&p.ctx), &staff_no).await.map(Some)
    };
    let staff_id = match staff_id {
        Ok(v) => v,
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let msg = if p.lang.is_en() { e.message_en() } else { e.message_zh() };
            let pg = page(&s, &p, Some(&form), Some(msg), None).await?;
            return Ok((crate::error::status_of(&e), render(&pg)?).into_response());
        }
        Err(e) => return Err(PageError::from(e)),
    };
    let input = AccountInput {
        username: form.text("username"),
        display_name: form.text("display_name"),
        password: form.text("password"),
        staff_id,
        grants: vec![(role, unit)],
        must_change_password: true,
    };
    match anbao_app::accounts::create(&s.db, Some(&p.ctx), p.ctx.now, input).await {
        Ok(_) => Ok(Redirect::to("/admin/accounts?ok=created").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let msg = if p.lang.is_en() { e.message_en() } else { e.message_zh() };
            let pg = page(&s, &p, Some(&form), Some(msg), None).await?;
            Ok((crate::error::status_of(&e), render(&pg)?).into_response())
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// Disable an account: its sessions and tokens end at once.
pub async fn disable(State(s): State<AppState>, p: Page, Id(id): Id, _: PageForm) -> Result<Response, PageError> {
    set_disabled(&s, &p, id, true).await
}

pub async fn enable(State(s): State<AppState>, p: Page, Id(id): Id, _: PageForm) -> Result<Response, PageError> {
    set_disabled(&s, &p, id, false).await
}

async fn set_disabled(s: &AppState, p: &Page, id: i64, disabled: bool) -> Result<Response, PageError> {
    let id = AccountId::new(id);
    match anbao_app::accounts::set_disabled(&s.db, Some(&p.ctx), p.ctx.now, id, disabled).await {
        Ok(()) => Ok(Redirect::to("/admin/accounts?ok=saved").into_response()),
        Err(e @ AppError::Invalid(_)) => again(s, p, e).await,
        Err(e) => Err(PageError::from(e)),
    }
}

/// Remove one grant of an account.
pub async fn remove_grant(
    State(s): State<AppState>,
    p: Page,
    IdAnd(id, grant): IdAnd,
    _: PageForm,
) -> Result<Response, PageError> {
    let id = AccountId::new(id);
    let grant = path_id(&grant)?;
    match anbao_app::accounts::remove_grant(&s.db, &p.ctx, id, grant).await {
        Ok(()) => Ok(Redirect::to("/admin/accounts?ok=saved").into_response()),
        Err(e @ AppError::Invalid(_)) => again(&s, &p, e).await,
        Err(e) => Err(PageError::from(e)),
    }
}

async fn again(s: &AppState, p: &Page, e: AppError) -> Result<Response, PageError> {
    let msg = if p.lang.is_en() { e.message_en() } else { e.message_zh() };
    let pg = page(s, p, None, Some(msg), None).await?;
    Ok((crate::error::status_of(&e), render(&pg)?).into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct BulkQuery {
    unit: Option<i64>,
}

/// One row of the preview or the sheet: (工号, 姓名, 单位, 用户名, 角色 @ 范围, 初始密码).
type SheetRow = (String, String, String, String, String, String);

fn rows(p: &Page, made: Vec<(anbao_app::provision::Proposal, String)>) -> Vec<SheetRow> {
    made.into_iter()
        .map(|(x, pw)| {
            let role = if p.lang.is_en() { x.role.label_en() } else { x.role.label_zh() };
            (x.staff_no, x.name, x.unit_name, x.username, format!("{role} @ {}", x.grant_unit_name), pw)
        })
        .collect()
}

#[derive(Template)]
#[template(path = "accounts/bulk.html")]
struct BulkPage {
    l: Layout,
    pick: Vec<(i64, String, bool)>,
    pick_action: &'static str,
    unit_id: i64,
    unit_name: String,
    rows: Vec<SheetRow>,
}

/// Accounts for a unit's staff: the preview of what a run would make.
pub async fn bulk_preview(
    State(s): State<AppState>,
    p: Page,
    Query(q): Query<BulkQuery>,
) -> Result<Response, PageError> {
    let u = super::custody::unit(&s, &p, q.unit).await?;
    let list = anbao_app::provision::propose(&s.db, &p.ctx, u.id).await?;
    let l = Layout::new(&p, "/admin/accounts", "按员工档案批量开户", "Accounts from the staff register")
        .crumb(p.lang.tr("账号与权限", "Accounts"), Some("/admin/accounts".into()))
        .crumb(p.lang.tr("批量开户", "Accounts in bulk"), None);
    let page = BulkPage {
        l,
        pick: super::custody::picker(&s, &p, u.id.get()).await?,
        pick_action: "/admin/accounts/bulk",
        unit_id: u.id.get(),
        unit_name: u.name,
        rows: rows(&p, list.into_iter().map(|x| (x, String::new())).collect()),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "accounts/sheet.html")]
struct SheetPage {
    l: Layout,
    unit_name: String,
    issued: String,
    rows: Vec<SheetRow>,
    /// The same rows as an Excel file, inline, so the passwords never have to be fetched (or kept) a second time.
    xlsx_base64: String,
}

/// Make the accounts and hand over the one-time passwords: a printable sheet with the Excel file inside it.
pub async fn bulk_create(State(s): State<AppState>, p: Page, PageForm(form): PageForm) -> Result<Response, PageError> {
    let unit = form.id("unit_id")?.ok_or_else(|| PageError::from(AppError::NotFound))?;
    let u = super::custody::unit(&s, &p, Some(unit)).await?;
    let made = anbao_app::provision::create_all(&s.db, &p.ctx, u.id).await?;
    sheet(&p, u.name, made)
}

/// The hand-over sheet of accounts just made (201): shown once, with the Excel file inline.
fn sheet(p: &Page, unit_name: String, made: Vec<anbao_app::provision::Made>) -> Result<Response, PageError> {
    let rows = rows(p, made.into_iter().map(|m| (m.proposal, m.password)).collect());
    let headers = ["工号", "姓名", "单位", "用户名", "角色 @ 范围", "初始密码（首次登录须修改）"];
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| vec![r.0.clone(), r.1.clone(), r.2.clone(), r.3.clone(), r.4.clone(), r.5.clone()])
        .collect();
    let xlsx = anbao_app::export::xlsx("初始账号", &headers, &table)?;
    let l = Layout::new(p, "/admin/accounts", "初始账号交接单", "Initial sign-ins")
        .crumb(p.lang.tr("账号与权限", "Accounts"), Some("/admin/accounts".into()))
        .crumb(p.lang.tr("初始账号交接单", "Initial sign-ins"), None);
    let page = SheetPage { l, unit_name, issued: super::when(&p.ctx.now), rows, xlsx_base64: base64_encode(&xlsx) };
    Ok((axum::http::StatusCode::CREATED, render(&page)?).into_response())
}

#[derive(Template)]
#[template(path = "accounts/import.html")]
struct ImportPage {
    l: Layout,
    columns: &'static [&'static str],
    error: Option<String>,
    rows: usize,
    errors: Vec<(usize, String)>,
}

fn import_layout(p: &Page) -> Layout {
    Layout::new(p, "/admin/accounts", "从Excel名单开户", "Accounts from an Excel list")
        .crumb(p.lang.tr("账号与权限", "Accounts"), Some("/admin/accounts".into()))
        .crumb(p.lang.tr("从Excel名单开户", "From an Excel list"), None)
}

pub async fn import_form(p: Page) -> Result<Response, PageError> {
    anbao_app::provision::import::may_import(&p.ctx)?;
    let columns = &anbao_app::provision::import::IMPORT_COLUMNS;
    Ok(render(&ImportPage { l: import_layout(&p), columns, error: None, rows: 0, errors: Vec::new() })?.into_response())
}

/// Upload a list: every row good makes the accounts and prints the sheet; any bad row makes nothing and lists why.
pub async fn import(
    State(s): State<AppState>,
    p: Page,
    mut mp: axum::extract::Multipart,
) -> Result<Response, PageError> {
    // Who may import is settled before a byte of the upload is read.
    anbao_app::provision::import::may_import(&p.ctx)?;
    let (form, file) = crate::form::file_form(&mut mp, "file").await?;
    p.check_csrf(&form)?;
    let columns = &anbao_app::provision::import::IMPORT_COLUMNS;
    match anbao_app::provision::import::import(&s.db, &p.ctx, file).await {
        Ok(r) if r.errors.is_empty() => sheet(&p, p.lang.tr("Excel名单", "Excel list").to_owned(), r.made),
        Ok(r) => {
            super::again(&ImportPage { l: import_layout(&p), columns, error: None, rows: r.rows, errors: r.errors })
        }
        Err(e @ AppError::Invalid(_)) => {
            let error = Some(if p.lang.is_en() { e.message_en() } else { e.message_zh() });
            super::again(&ImportPage { l: import_layout(&p), columns, error, rows: 0, errors: Vec::new() })
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// Standard base64 (RFC 4648), for the inline Excel file.
fn base64_encode(b: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for chunk in b.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, x)| n | (u32::from(*x) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Link an account to a staff record by its number (the form on the accounts list).
pub async fn link_staff(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let id = AccountId::new(id);
    match anbao_app::provision::link(&s.db, Some(&p.ctx), p.ctx.now, id, &form.text("staff_no")).await {
        Ok(()) => Ok(Redirect::to("/admin/accounts?ok=saved").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => again(&s, &p, e).await,
        Err(e) => Err(PageError::from(e)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(super::base64_encode(b""), "");
        assert_eq!(super::base64_encode(b"f"), "Zg==");
        assert_eq!(super::base64_encode(b"fo"), "Zm8=");
        assert_eq!(super::base64_encode(b"foo"), "Zm9v");
        assert_eq!(super::base64_encode(b"foobar"), "Zm9vYmFy");
    }
}
