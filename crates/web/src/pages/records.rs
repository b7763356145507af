//! Evidence-record pages: quick forms fit for a phone (one per kind), the list, a record with its photos, and the
//! photo itself. A correction is a new record that names the one it corrects.
use super::{Flash, Layout, render, when};
use crate::auth::Page;
use crate::error::PageError;
use crate::form::Id;
use crate::i18n::Lang;
use crate::state::AppState;
use anbao_app::AppError;
use anbao_app::evidence::Upload;
use anbao_domain::access::Permission;
use anbao_domain::records::spec::{Photos, Unticked, Words};
use anbao_domain::records::{About, RecordInput, RecordKind, checklist};
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn opt(value: impl ToString, label: impl Into<String>, selected: bool) -> Opt {
    Opt { value: value.to_string(), label: label.into(), selected }
}

/// What the form for one kind shows; computed here so the template stays a plain view.
#[derive(Template)]
#[template(path = "records/form.html")]
struct FormPage {
    l: Layout,
    kind: &'static str,
    kind_label: &'static str,
    kinds: Vec<Opt>,
    /// The second person signs in on this form (SYS-2).
    confirm: bool,
    now_local: String,
    asset_label: &'static str,
    assets: Vec<Opt>,
    units: Vec<Opt>,
    /// The unit chosen is the one inspecting (the record is about a unit below it).
    inspecting: bool,
    subkinds: Vec<Opt>,
    performer: bool,
    positions: Vec<Opt>,
    second_label: &'static str,
    subject: bool,
    targets: Vec<Opt>,
    checks: Vec<Opt>,
    number_label: &'static str,
    people_label: &'static str,
    results: Vec<Opt>,
    text_label: &'static str,
    text2_label: &'static str,
    photos: bool,
    photos_required: bool,
    /// Video and PDF scans besides photos (a drill's image evidence).
    media: bool,
    /// For drills: the emergency plans to name, and the steps of the one named in the link (`?plan=`).
    plans: Vec<Opt>,
    plan_steps: Vec<Opt>,
    staff: Vec<Opt>,
    /// Whom the second person may be (the unit's staff, or for a kind whose second comes from above, those above).
    second_staff: Vec<Opt>,
    supersedes: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    kind: Option<String>,
    unit: Option<String>,
    asset: Option<String>,
    supersedes: Option<String>,
    /// The emergency plan a drill rehearses (from the plan's page).
    plan: Option<String>,
}

async fn form_page(
    s: &AppState,
    p: &Page,
    kind: RecordKind,
    q: &NewQuery,
    error: Option<String>,
) -> Result<FormPage, PageError> {
    let lang = p.lang;
    let en = lang.is_en();
    let spec_of = kind.spec();
    let (plans, plan_steps) = if spec_of.checks.contains(&anbao_domain::records::spec::Check::Plan) {
        let (_, book) = anbao_app::plans::book(&s.db).await?;
        let want = q.plan.as_deref().unwrap_or_default();
        let steps = book
            .get(want)
            .map(|pl| {
                pl.step.iter().enumerate().map(|(i, st)| opt(i + 1, format!("{}：{}", st.who, st.act), true)).collect()
            })
            .unwrap_or_default();
        (
            book.plan
                .iter()
                .map(|pl| opt(&pl.code, format!("{}（{}）", pl.title, pl.article), pl.code == want))
                .collect(),
            steps,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let units = anbao_app::org::list_units(&s.db, &p.ctx).await?;
    let writable: Vec<_> =
        units.into_iter().filter(|u| p.ctx.actor.scope.allows(Permission::RecordWrite, &u.path)).collect();
    let want_unit = q.unit.as_deref().and_then(|u| u.parse::<i64>().ok());
    let spec = kind.spec();
    let t = |w: Words| if en { w.1 } else { w.0 };
    let assets = match spec.about {
        About::Asset { kind: k, .. } => anbao_app::assets::list(&s.db, &p.ctx, Some(k))
            .await?
            .into_iter()
            .filter(|a| p.ctx.actor.scope.allows(Permission::RecordWrite, &a.unit_path))
            .map(|a| {
                let sel = q.asset.as_deref() == Some(a.id.to_string().as_str());
                opt(a.id, format!("{} · {}（{}）", a.code, a.name, a.unit_name), sel)
            })
            .collect(),
        _ => Vec::new(),
    };
    // People to choose from: staff of the units the person may record for (a bounded list for large scopes).
    let mut staff = Vec::new();
    for u in writable.iter().filter(|u| want_unit.is_none_or(|w| w == u.id.get())).take(60) {
        let d = anbao_app::org::unit_detail(&s.db, &p.ctx, u.id).await?;
        for st in d.staff {
            let pos = super::org::positions_label(&st.positions, lang);
            staff.push(opt(st.id, format!("{}（{} · {}）", st.name, u.name, pos), false));
        }
        if staff.len() > 400 {
            break;
        }
    }
    // A second person who comes from above (第十七条: the union leader or security officer accompanying a night
    // check) is chosen from the posts the kind names in the units above the one recorded for.
    let second_staff = match spec.second.filter(|x| x.above) {
        Some(sec) => {
            let posts = sec.post.map_or(&[][..], |(p, _)| p);
            let mut out: Vec<Opt> = Vec::new();
            for u in writable.iter().filter(|u| want_unit.is_none_or(|w| w == u.id.get())).take(5) {
                for st in anbao_app::org::people_above(&s.db, &u.path, posts).await? {
                    if !out.iter().any(|o| o.value == st.id.get().to_string()) {
                        let pos = super::org::positions_label(&st.positions, lang);
                        out.push(opt(st.id, format!("{}（{} · {}）", st.name, st.unit_name, pos), false));
                    }
                }
            }
            out
        }
        None => staff.iter().map(|o| Opt { value: o.value.clone(), label: o.label.clone(), selected: false }).collect(),
    };
    let inspecting = spec.about == About::TargetUnit;
    // The unit inspecting may be a department (the security department checks by phone); others are where it happened.
    let unit_opts: Vec<Opt> = writable
        .iter()
        .filter(|u| u.kind != anbao_domain::org::UnitKind::Department || inspecting)
        .map(|u| opt(u.id, u.name.clone(), want_unit == Some(u.id.get())))
        .collect();
    let positions = spec.posts.map_or_else(Vec::new, |posts| {
        posts
            .allowed
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let label = if en { format!("as {}", x.label_en()) } else { format!("以{}身份", x.label_zh()) };
                opt(x.code(), label, i == 0)
            })
            .collect()
    });
    let results = spec
        .results
        .options
        .iter()
        .enumerate()
        .map(|(i, (c, zh, e))| opt(c, if en { *e } else { *zh }, i == 0))
        .collect();
    let targets = if inspecting {
        anbao_app::org::list_units(&s.db, &p.ctx)
            .await?
            .into_iter()
            .filter(|u| u.depth > 1 && u.kind != anbao_domain::org::UnitKind::Department)
            .map(|u| opt(u.id, u.name, false))
            .collect()
    } else {
        Vec::new()
    };
    let now_local = anbao_domain::time::format_ms(p.ctx.now).replace(' ', "T");
    let title = (kind.label_zh(), kind.label_en());
    let l = Layout::new(p, "/records", title.0, title.1)
        .crumb(lang.tr("工作记录", "Records"), Some("/records".into()))
        .crumb(lang.tr(title.0, title.1), None);
    Ok(FormPage {
        l,
        kind: kind.code(),
        kind_label: if en { kind.label_en() } else { kind.label_zh() },
        kinds: RecordKind::ALL
            .iter()
            .filter(|k| !k.produced_by_procedure())
            .map(|k| opt(k.code(), if en { k.label_en() } else { k.label_zh() }, *k == kind))
            .collect(),
        confirm: kind.confirmed_by_two(),
        now_local,
        asset_label: match spec.about {
            About::Asset { label, .. } => t(label),
            _ => "",
        },
        assets,
        units: unit_opts,
        inspecting,
        subkinds: if spec.posts.is_some_and(|p| p.as_subkind) {
            Vec::new()
        } else {
            kind.subkinds().iter().map(|(c, l)| opt(c, *l, false)).collect()
        },
        performer: spec.performer.shown(),
        positions,
        second_label: spec.second.map_or("", |s| t(s.label)),
        subject: spec.subject.shown(),
        targets,
        // Everything ticked as done by default, except items that apply only sometimes (the letter for outsiders).
        checks: spec
            .checklist
            .iter()
            .map(|(c, l)| opt(c, *l, !matches!(spec.unticked, Unticked::BreachWithText2(_))))
            .collect(),
        number_label: spec.number.map_or("", |n| t(n.label)),
        people_label: spec.people.map_or("", |x| t(x.label)),
        results,
        text_label: t(spec.text.label),
        text2_label: if spec.text2.need.shown() { t(spec.text2.label) } else { "" },
        photos: spec.photos != Photos::None,
        photos_required: matches!(spec.photos, Photos::Expected | Photos::Media),
        media: spec.photos == Photos::Media,
        plans,
        plan_steps,
        staff,
        second_staff,
        supersedes: q.supersedes.clone().unwrap_or_default(),
        error,
    })
}

pub async fn new(State(s): State<AppState>, p: Page, Query(q): Query<NewQuery>) -> Result<Response, PageError> {
    if !p.ctx.actor.scope.has_anywhere(Permission::RecordWrite) {
        return Err(PageError::from(AppError::Forbidden));
    }
    let kind = RecordKind::parse(q.kind.as_deref().unwrap_or("atm_patrol"))?;
    // Kinds a procedure writes (an inspection's visit, a gun checkout) have no form.
    if let Some((zh, en)) = kind.procedure() {
        return Err(PageError::from(AppError::Invalid(anbao_domain::DomainError::new("kind", zh, en))));
    }
    Ok(render(&form_page(&s, &p, kind, &q, None).await?)?.into_response())
}

fn num(v: &str) -> Option<i64> {
    v.trim().parse().ok()
}

/// Read the multipart form into a record input and its uploads, checking the CSRF token.
async fn read_form(p: &Page, mut mp: Multipart) -> Result<(RecordInput, Vec<Upload>), PageError> {
    let bad = |e| PageError::from(crate::form::multipart_error(e));
    let mut input = RecordInput::default();
    let mut uploads = Vec::new();
    let mut csrf = String::new();
    let mut taken_at: Option<String> = None;
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "photos" {
            let file_name = field.file_name().unwrap_or("photo").to_owned();
            let bytes = field.bytes().await.map_err(bad)?.to_vec();
            uploads.push(Upload { file_name, bytes, taken_at: None });
            continue;
        }
        let v = field.text().await.map_err(bad)?;
        match name.as_str() {
            "csrf" => csrf = v,
            "kind" => input.kind = v,
            "unit_id" => input.unit_id = num(&v),
            "asset_id" => input.asset_id = num(&v),
            "occurred_at" => input.occurred_at = Some(v),
            "subkind" => input.subkind = Some(v),
            "performer_id" => input.performer_id = num(&v),
            "performer_position" => input.performer_position = Some(v),
            "second_person_id" => input.second_person_id = num(&v),
            "subject_staff_id" => input.subject_staff_id = num(&v),
            "target_unit_id" => input.target_unit_id = num(&v),
            "checks" => input.checks.push(v),
            "plan" => input.plan = Some(v),
            "plan_steps" => {
                if let Ok(n) = v.trim().parse::<usize>() {
                    input.plan_steps.push(n)
                }
            }
            "number" => {
                input.number = if v.trim().is_empty() {
                    None
                } else {
                    Some(v.trim().parse::<f64>().map_err(|_| {
                        PageError::from(AppError::Invalid(anbao_domain::DomainError::new(
                            "number",
                            "请填写数字",
                            "enter a number",
                        )))
                    })?)
                }
            }
            "people" => {
                if let Some(n) = num(&v) {
                    input.people.push(n)
                }
            }
            "result" => input.result = Some(v),
            "text" => input.text = Some(v),
            "text2" => input.text2 = Some(v),
            "supersedes_id" => input.supersedes_id = num(&v),
            "confirm_username" => input.confirm_username = Some(v),
            "confirm_secret" => input.confirm_secret = Some(v),
            "taken_at" => taken_at = Some(v),
            _ => {}
        }
    }
    if csrf != p.csrf {
        return Err(PageError::from(AppError::Invalid(anbao_domain::DomainError::new(
            "csrf",
            "表单已过期或来源不明，请刷新页面后重试",
            "the form has expired; reload and try again",
        ))));
    }
    if let Some(t) = taken_at.filter(|t| !t.trim().is_empty()) {
        let at = anbao_app::evidence::parse_time(Some(&t), p.ctx.now)?;
        for u in &mut uploads {
            u.taken_at = Some(at);
        }
    }
    Ok((input, uploads))
}

pub async fn create(State(s): State<AppState>, p: Page, mp: Multipart) -> Result<Response, PageError> {
    let (input, uploads) = read_form(&p, mp).await?;
    match anbao_app::records::create(&s.db, &s.blobs, &s.policy, &p.ctx, &input, uploads).await {
        Ok(id) => Ok(Redirect::to(&format!("/records/{id}?ok=created")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let kind = RecordKind::parse(&input.kind)
                .ok()
                .filter(|k| !k.produced_by_procedure())
                .unwrap_or(RecordKind::AtmPatrol);
            let q = NewQuery {
                kind: None,
                unit: input.unit_id.map(|u| u.to_string()),
                asset: input.asset_id.map(|a| a.to_string()),
                supersedes: input.supersedes_id.map(|x| x.to_string()),
                plan: input.plan.clone(),
            };
            let msg = if p.lang.is_en() { e.message_en() } else { e.message_zh() };
            let page = form_page(&s, &p, kind, &q, Some(msg)).await?;
            Ok((crate::error::status_of(&e), render(&page)?).into_response())
        }
        Err(e) => Err(PageError::from(e)),
    }
}

pub struct RecordView {
    pub id: i64,
    pub kind: String,
    pub kind_label: &'static str,
    pub subkind: String,
    pub unit: String,
    pub unit_id: i64,
    pub asset: String,
    pub performer: String,
    pub second: String,
    pub subject: String,
    pub target: String,
    pub at: String,
    pub value: String,
    pub summary: String,
    pub superseded_by: Option<i64>,
    pub supersedes: Option<i64>,
    pub recorded_by: String,
    pub recorded_at: String,
    pub attachments: i64,
}

fn view(r: &anbao_store::records::RecordRow, lang: Lang) -> RecordView {
    let kind = RecordKind::parse(&r.kind).ok();
    let sub = kind
        .and_then(|k| k.subkinds().iter().find(|(c, _)| Some(*c) == r.subkind.as_deref()).map(|(_, l)| (*l).to_owned()))
        .or_else(|| {
            (r.subkind.as_deref() == Some(anbao_domain::records::REPEAT)).then(|| {
                if lang.is_en() { "Repeat (counts once)" } else { "重复巡查（间隔不足，只计一次）" }.to_owned()
            })
        })
        .or_else(|| r.subkind.clone())
        .unwrap_or_default();
    let data: serde_json::Value = serde_json::from_str(&r.data).unwrap_or_default();
    let mut summary = Vec::new();
    for key in ["result", "notes", "reason", "requester", "plan", "minutes", "title"] {
        if let Some(v) = data.get(key).and_then(|v| v.as_str()) {
            summary.push(v.to_owned());
        }
    }
    if let Some(checks) = data.get("checks").and_then(|c| c.as_object()) {
        let failed: Vec<&str> =
            checks.iter().filter(|(_, v)| v == &&serde_json::Value::Bool(false)).map(|(k, _)| k.as_str()).collect();
        if !failed.is_empty() && kind.is_some() {
            let labels: Vec<&str> = kind
                .map(|k| checklist(k).iter().filter(|(c, _)| failed.contains(c)).map(|(_, l)| *l).collect())
                .unwrap_or_default();
            summary.push(format!("{}：{}", lang.tr("未通过", "not passed"), labels.join("、")));
        }
    }
    RecordView {
        id: r.id,
        kind: r.kind.clone(),
        kind_label: kind.map_or("", |k| if lang.is_en() { k.label_en() } else { k.label_zh() }),
        subkind: sub,
        unit: r.unit_name.clone(),
        unit_id: r.unit_id,
        asset: r.asset_code.clone().unwrap_or_default(),
        performer: r.performer.clone().unwrap_or_default(),
        second: r.second_person.clone().unwrap_or_default(),
        subject: r.subject_staff.clone().unwrap_or_default(),
        target: r.target_unit.clone().unwrap_or_default(),
        at: when(&r.occurred_at),
        value: r
            .value
            .map(|v| match kind.and_then(|k| k.spec().number).filter(|n| n.scale != 1.0) {
                Some(n) => format!("{:.1}", v as f64 / n.scale),
                None => v.to_string(),
            })
            .unwrap_or_default(),
        summary: summary.join("；"),
        superseded_by: r.superseded_by,
        supersedes: r.supersedes_id,
        recorded_by: r.recorded_by.clone().unwrap_or_default(),
        recorded_at: when(&r.recorded_at),
        attachments: r.attachments,
    }
}

pub use crate::queries::records::{ListQuery, filter_of, ne};

#[derive(Template)]
#[template(path = "records/list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<RecordView>,
    /// "1,234", or "10000+" past the count's cap.
    total: String,
    page: i64,
    pages: i64,
    kinds: Vec<Opt>,
    from: String,
    to: String,
    unit: String,
    query_base: String,
    can_write: bool,
}

pub async fn list(State(s): State<AppState>, p: Page, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let f = filter_of(&s, &p.ctx, &q).await?;
    let page = ne(&q.page).and_then(|v| v.parse::<i64>().ok()).unwrap_or(1).max(1);
    let (rows, total) = anbao_app::records::list(&s.db, &p.ctx, &f, page).await?;
    let en = p.lang.is_en();
    let mut keep: Vec<(&str, String)> = Vec::new();
    for (k, v) in [
        ("kind", &q.kind),
        ("unit", &q.unit),
        ("asset", &q.asset),
        ("from", &q.from),
        ("to", &q.to),
        ("subkind", &q.subkind),
        ("position", &q.position),
    ] {
        if let Some(v) = ne(v) {
            keep.push((k, v.to_owned()));
        }
    }
    let qs = serde_urlencoded::to_string(&keep).unwrap_or_default();
    let l = Layout::new(&p, "/records", "工作记录", "Records")
        .crumb(p.lang.tr("工作记录", "Records"), None)
        .flash_from(q.ok.as_deref());
    let page = ListPage {
        rows: rows.iter().map(|r| view(r, p.lang)).collect(),
        total: if total > anbao_store::records::COUNT_CAP {
            format!("{}+", anbao_store::records::COUNT_CAP)
        } else {
            total.to_string()
        },
        page,
        pages: ((total.min(anbao_store::records::COUNT_CAP) + anbao_app::records::PAGE_SIZE - 1)
            / anbao_app::records::PAGE_SIZE)
            .max(1),
        kinds: RecordKind::ALL
            .iter()
            .map(|k| opt(k.code(), if en { k.label_en() } else { k.label_zh() }, ne(&q.kind) == Some(k.code())))
            .collect(),
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
        unit: q.unit.clone().unwrap_or_default(),
        query_base: if qs.is_empty() { String::new() } else { format!("{qs}&") },
        can_write: p.ctx.actor.scope.has_anywhere(Permission::RecordWrite),
        l,
    };
    Ok(render(&page)?.into_response())
}

/// The filtered record list as Excel (up to 20,000 rows, newest first).
pub async fn export(State(s): State<AppState>, p: Page, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let f = filter_of(&s, &p.ctx, &q).await?;
    let rows = anbao_app::records::export_rows(&s.db, &p.ctx, &f).await?;
    let data: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let v = view(r, Lang::Zh);
            vec![
                v.id.to_string(),
                v.at,
                v.kind_label.into(),
                v.subkind,
                v.unit,
                v.asset,
                v.performer,
                v.second,
                v.value,
                v.summary,
                v.recorded_by,
            ]
        })
        .collect();
    let headers = ["编号", "时间", "类型", "类别", "单位", "设备", "执行人", "第二人", "数值", "内容", "录入人"];
    let bytes = anbao_app::export::xlsx("工作记录", &headers, &data)?;
    Ok(super::org::xlsx_response(bytes, "records.xlsx"))
}

#[derive(Template)]
#[template(path = "records/show.html")]
struct ShowPage {
    l: Layout,
    r: RecordView,
    attachments: Vec<(i64, String, String, bool)>,
    can_correct: bool,
}

pub async fn show(
    State(s): State<AppState>,
    p: Page,
    Id(id): Id,
    Query(f): Query<Flash>,
) -> Result<Response, PageError> {
    let (r, atts) = anbao_app::records::get(&s.db, &p.ctx, id).await?;
    // A record a procedure wrote is corrected through that procedure (an inspection by its correction), not here.
    let by_procedure = RecordKind::parse(&r.kind).is_ok_and(|k| k.produced_by_procedure());
    let can_correct =
        r.superseded_by.is_none() && !by_procedure && p.ctx.actor.scope.allows(Permission::RecordWrite, &r.unit_path);
    let v = view(&r, p.lang);
    let mut l = Layout::new(&p, "/records", "记录详情", "Record")
        .crumb(p.lang.tr("工作记录", "Records"), Some("/records".into()))
        .crumb(format!("{} #{}", v.kind_label, id), None)
        .flash_from(f.ok.as_deref());
    l.title = v.kind_label.to_owned();
    let attachments = atts
        .into_iter()
        .map(|a| (a.id, a.file_name, when(&a.taken_at), a.content_type.starts_with("image/")))
        .collect();
    Ok(render(&ShowPage { l, r: v, attachments, can_correct })?.into_response())
}

pub async fn attachment(State(s): State<AppState>, p: Page, Id(id): Id) -> Result<Response, PageError> {
    let (a, bytes) = anbao_app::records::attachment(&s.db, &s.blobs, &p.ctx, id).await?;
    Ok(([(header::CONTENT_TYPE, a.content_type), (header::CACHE_CONTROL, "private, max-age=86400".into())], bytes)
        .into_response())
}
