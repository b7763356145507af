//! Responsibility letters (RESP-1): the security department makes a year's signing plan for a subtree, from the org
//! tree and the staff register (`domain::letters::cascade`); each person signs their own letter with their PIN or
//! password, or the department uploads the scan of a paper one; every level sees who has not signed. When the last
//! letter of a unit is signed, the unit's `resp_letter` evidence is written, so the rulebook's RESP-1 rules are
//! judged from the letters themselves.
use crate::audit::{self, Entity};
use crate::auth::AuthPolicy;
use crate::error::{conflict, invalid};
use crate::evidence::{Upload, check_photo_or_scan};
use crate::{AppError, AppResult, Ctx};
use anbao_domain::access::Role;
use anbao_domain::ids::{StaffId, UnitId};
use anbao_domain::letters::{LetterKind, LetterStatus, SignMethod, cascade, parse_targets, parse_year};
use anbao_domain::period;
use anbao_domain::records::{RecordDraft, RecordKind};
use anbao_domain::rulebook::RuleKind;
use anbao_store::Db;
use anbao_store::blobs::BlobStore;
use anbao_store::letters::{self as store, LetterFilter, LetterRow, NewPlan, PlanRow, Signature, UnitTally};

/// Who makes the plans, uploads paper letters and sends reminders: the security department over the unit, and the
/// unit's head for their own people (篇五 一: the chairman signs with the heads, each head with every post).
pub const ORGANISERS: [Role; 2] = [Role::Security, Role::UnitHead];

/// The most names the signing view lists at once; the counts are always whole.
pub const LIST_LIMIT: i64 = 500;

/// The deadline of a kind's letters in a year, from the rulebook: the `resp_letter` deadline rule of that sub-kind
/// in force at the start of the year (RESP-1-a/b: the end of January). The day returned is the last day to sign.
pub async fn deadline_of(db: &Db, kind: LetterKind, year: i32) -> AppResult<(String, i64)> {
    let start = period::first_of_month(year, 1);
    let rules = crate::rulebook::all(db).await?;
    let rule = rules
        .iter()
        .filter_map(|h| h.for_period(start).filter(|v| v.active).map(|v| &v.rule))
        .find(|r| r.kind == RuleKind::Deadline && r.evidence == "resp_letter" && r.subkind == kind.code())
        .ok_or_else(|| {
            invalid(
                "kind",
                format!(
                    "规则库中没有{}的签订期限规则（resp_letter / {}），请先在规则库中设定",
                    kind.label_zh(),
                    kind.code()
                ),
                "the rulebook has no deadline rule for this letter kind",
            )
        })?;
    let month = rule.deadline_month.clamp(1, 12) as i8;
    let end = if month == 12 { period::first_of_month(year + 1, 1) } else { period::first_of_month(year, month + 1) };
    Ok((rule.id.clone(), end - 1))
}

/// Make (or extend) the signing plan of `unit` for a kind and year: a letter for every active person of the subtree
/// who has none of that kind and year yet. Returns the plan and how many letters were added; running it again after
/// staff join adds theirs, and nobody ever gets two.
pub async fn make_plan(
    db: &Db,
    ctx: &Ctx,
    unit: UnitId,
    kind: &str,
    year: &str,
    targets: &str,
) -> AppResult<(i64, usize)> {
    let kind = LetterKind::parse(kind)?;
    let year = parse_year(year)?;
    let targets = parse_targets(targets)?;
    let (rule_id, deadline_day) = deadline_of(db, kind, year).await?;
    let mut tx = db.begin().await?;
    let u = anbao_store::org::get(&mut tx, unit).await?.ok_or(AppError::NotFound)?;
    // 篇五 一: the level above organises the signing with the levels below.
    ctx.must_hold(&[Role::Security], &u.path)?;
    let existing = store::plans_of_unit(&mut tx, unit.get(), kind, year).await?;
    let plan_id = match existing {
        Some(p) => p.id,
        None => {
            let id = store::insert_plan(
                &mut tx,
                NewPlan {
                    unit: unit.get(),
                    kind,
                    year,
                    targets: &targets,
                    deadline_day,
                    rule_id: &rule_id,
                    now: ctx.now,
                    by: ctx.actor.account.get(),
                },
            )
            .await?;
            audit::record(&mut tx, ctx.into(), "letter.plan", Entity::Row("letter_plans", id), Some(unit), None)
                .await?;
            id
        }
    };
    let plan = store::plan(&mut tx, plan_id).await?.ok_or(AppError::NotFound)?;
    let units = store::plan_units(&mut tx, &u.path).await?;
    let people = store::plan_people(&mut tx, &u.path).await?;
    let paths = store::unit_paths(&mut tx, &u.path).await?;
    let mut added = 0;
    for l in cascade(&units, &people) {
        let path = paths.get(&l.signer_unit).map(String::as_str).unwrap_or(&u.path);
        if let Some(id) = store::insert_letter(&mut tx, &plan, &l, path, ctx.now).await? {
            audit::record(
                &mut tx,
                ctx.into(),
                "letter.add",
                Entity::Row("letters", id),
                Some(UnitId::new(l.signer_unit)),
                None,
            )
            .await?;
            added += 1;
        }
    }
    tx.commit().await?;
    Ok((plan_id, added))
}

/// The signing view of a unit for a kind and year: its plans, the counts of the unit's own people and of each unit
/// below, and the names of those who have not signed (at most `LIST_LIMIT`).
pub struct Overview {
    pub unit: anbao_store::org::UnitRow,
    pub kind: LetterKind,
    pub year: i32,
    pub deadline_day: Option<i64>,
    pub plans: Vec<PlanRow>,
    pub tallies: Vec<UnitTally>,
    pub unsigned: Vec<LetterRow>,
    pub may_organise: bool,
}

impl Overview {
    /// The whole subtree's figures: the unit's own row plus each child's.
    pub fn total(&self) -> (i64, i64, i64) {
        self.tallies.iter().fold((0, 0, 0), |(a, b, c), t| (a + t.letters, b + t.signed, c + t.late))
    }
}

pub async fn overview(db: &Db, ctx: &Ctx, unit: Option<UnitId>, kind: &str, year: Option<&str>) -> AppResult<Overview> {
    let kind = if kind.trim().is_empty() { LetterKind::SecurityTarget } else { LetterKind::parse(kind)? };
    let year = match year.map(str::trim).filter(|y| !y.is_empty()) {
        Some(y) => parse_year(y)?,
        None => period::ymd(period::day_of_ms(ctx.now)).0,
    };
    let unit = match unit {
        Some(id) => {
            let mut c = db.read().await?;
            anbao_store::org::get(&mut c, id).await?.ok_or(AppError::NotFound)?
        }
        None => crate::org::home_unit(db, ctx).await?,
    };
    ctx.must_see(&unit.path)?;
    let mut c = db.read().await?;
    let plans = store::plans(&mut c, &ctx.actor.scope, year).await?;
    let tallies = store::tallies(&mut c, unit.id.get(), year, kind).await?;
    let filter = LetterFilter { year, kind, under: &unit.path, only_unsigned: true, limit: LIST_LIMIT };
    let unsigned = store::list(&mut c, &ctx.actor.scope, &filter).await?;
    let deadline_day = plans.iter().find(|p| p.kind == kind).map(|p| p.deadline_day);
    let may_organise = ctx.actor.scope.holds(&ORGANISERS, &unit.path);
    Ok(Overview { unit, kind, year, deadline_day, plans, tallies, unsigned, may_organise })
}

/// Every letter of a subtree for a kind and year, for the Excel export (scope-filtered in the query).
pub async fn export_rows(db: &Db, ctx: &Ctx, unit: UnitId, kind: &str, year: &str) -> AppResult<Vec<LetterRow>> {
    let kind = LetterKind::parse(kind)?;
    let year = parse_year(year)?;
    let mut c = db.read().await?;
    let u = anbao_store::org::get(&mut c, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must_see(&u.path)?;
    let filter = LetterFilter { year, kind, under: &u.path, only_unsigned: false, limit: 200_000 };
    Ok(store::list(&mut c, &ctx.actor.scope, &filter).await?)
}

/// What a reader may do with one letter.
pub struct LetterView {
    pub letter: LetterRow,
    /// The reader is the signer and it waits for their signature.
    pub may_sign: bool,
    /// The reader organises the signing over the signer's unit and it is unsigned (a paper letter's scan).
    pub may_upload: bool,
}

/// One letter: its signer sees it wherever they are; others within scope.
pub async fn get_letter(db: &Db, ctx: &Ctx, id: i64) -> AppResult<LetterView> {
    let mut c = db.read().await?;
    let letter = store::get(&mut c, id).await?.ok_or(AppError::NotFound)?;
    let own = ctx.actor.staff_id == Some(StaffId::new(letter.signer_id));
    if !own {
        ctx.must_see(&letter.unit_path)?;
    }
    let pending = letter.status == LetterStatus::Pending;
    let may_upload = pending && ctx.actor.scope.holds(&ORGANISERS, &letter.unit_path);
    Ok(LetterView { may_sign: own && pending, may_upload, letter })
}

/// The signed-in person's own letters, newest year first.
pub async fn my_letters(db: &Db, ctx: &Ctx) -> AppResult<Vec<LetterRow>> {
    let Some(staff) = ctx.actor.staff_id else { return Ok(Vec::new()) };
    let mut c = db.read().await?;
    Ok(store::of_signer(&mut c, staff.get()).await?)
}

/// The signer signs their own letter, confirming with their PIN or sign-in password (a signature is a deliberate act,
/// not a click anyone at an unlocked screen could make).
pub async fn sign(db: &Db, policy: &AuthPolicy, ctx: &Ctx, id: i64, secret: &str, agreed: bool) -> AppResult<()> {
    let view = get_letter(db, ctx, id).await?;
    if ctx.actor.staff_id != Some(StaffId::new(view.letter.signer_id)) {
        return Err(invalid(
            "signer",
            format!("该责任书只能由签订人{}本人签订", view.letter.signer_name),
            "only the person named on the letter may sign it",
        ));
    }
    view.letter.status.sign().map_err(AppError::Conflict)?;
    if !agreed {
        return Err(invalid(
            "agree",
            "请先阅读责任书并勾选“本人已阅读并承诺履行”",
            "read the letter and tick the pledge first",
        ));
    }
    crate::confirm::own_secret(db, policy, ctx, secret).await?;
    let mut tx = db.begin().await?;
    finish(&mut tx, ctx, &view.letter, SignMethod::InSystem, None).await?;
    tx.commit().await?;
    Ok(())
}

/// Settle who may upload a paper letter before a byte of the upload is read.
pub async fn must_upload(db: &Db, ctx: &Ctx, id: i64) -> AppResult<()> {
    let view = get_letter(db, ctx, id).await?;
    ctx.must_hold(&ORGANISERS, &view.letter.unit_path)?;
    view.letter.status.sign().map_err(AppError::Conflict)?;
    Ok(())
}

/// A letter signed on paper: its scan (a photo or PDF) is uploaded by the organiser over the signer's unit.
pub async fn upload_scan(db: &Db, blobs: &BlobStore, ctx: &Ctx, id: i64, upload: Upload) -> AppResult<()> {
    must_upload(db, ctx, id).await?;
    let file = check_photo_or_scan(upload, ctx.now)?;
    let mut tx = db.begin().await?;
    let letter = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    file.put(blobs).await?;
    let scan = (file.sha256.as_str(), file.content_type, file.upload.bytes.len() as i64);
    finish(&mut tx, ctx, &letter, SignMethod::Scan, Some(scan)).await?;
    tx.commit().await?;
    Ok(())
}

/// The signature, its audit event, and — when it was the unit's last unsigned letter of the kind and year — the
/// unit's `resp_letter` evidence, dated within the letter's year (a late year finished in the next still counts for
/// its own year, late).
async fn finish(
    c: &mut anbao_store::Conn,
    ctx: &Ctx,
    letter: &LetterRow,
    method: SignMethod,
    scan: Option<(&str, &str, i64)>,
) -> AppResult<()> {
    let unit = UnitId::new(letter.unit_id);
    let before = Entity::Row("letters", letter.id).snapshot(c).await?;
    let day = period::day_of_ms(ctx.now);
    let signed =
        store::sign(c, Signature { id: letter.id, method, at: ctx.now, day, by: ctx.actor.account.get(), scan })
            .await?;
    if !signed {
        return Err(conflict("status", "该责任书已签订，不能重复签订", "this letter is already signed"));
    }
    audit::record(c, ctx.into(), "letter.sign", Entity::Row("letters", letter.id), Some(unit), before.as_ref()).await?;
    if store::pending_in_unit(c, letter.unit_id, letter.year, letter.kind).await? == 0 {
        let draft = RecordDraft {
            kind: RecordKind::RespLetter,
            subkind: Some(letter.kind.code().into()),
            performer: Some(StaffId::new(letter.signer_id)),
            performer_position: None,
            second_person: None,
            subject_staff: None,
            target_unit: None,
            value: None,
            data: serde_json::json!({ "checks": {}, "year": letter.year, "plan": letter.plan_id,
                "notes": format!("{}年度{}本单位全部签订", letter.year, letter.kind.label_zh()) }),
            breach: None,
        };
        let year_end = period::start_ms(period::first_of_month(letter.year + 1, 1)) - 1;
        crate::evidence::insert_at(c, ctx, &draft, unit, None, ctx.now.min(year_end)).await?;
    }
    Ok(())
}

/// The scan of a paper letter, for those who may see the letter.
pub async fn scan(db: &Db, blobs: &BlobStore, ctx: &Ctx, id: i64) -> AppResult<(String, Vec<u8>)> {
    let view = get_letter(db, ctx, id).await?;
    let (Some(sha), Some(ty)) = (view.letter.scan_sha256, view.letter.scan_type) else {
        return Err(AppError::NotFound);
    };
    let bytes = blobs.get(&sha).await.map_err(|e| AppError::Internal(format!("attachment store: {e}")))?;
    Ok((ty, bytes))
}

/// Remind everyone in a subtree whose letter of a kind and year is unsigned, in their message centre (once a day
/// each). Returns how many people were reminded.
pub async fn remind(db: &Db, ctx: &Ctx, unit: UnitId, kind: &str, year: &str) -> AppResult<usize> {
    let kind = LetterKind::parse(kind)?;
    let year = parse_year(year)?;
    let mut tx = db.begin().await?;
    let u = anbao_store::org::get(&mut tx, unit).await?.ok_or(AppError::NotFound)?;
    ctx.must_hold(&ORGANISERS, &u.path)?;
    let filter = LetterFilter { year, kind, under: &u.path, only_unsigned: true, limit: 200_000 };
    let pending = store::list(&mut tx, &ctx.actor.scope, &filter).await?;
    let today = period::day_of_ms(ctx.now);
    let mut reminded = 0;
    for l in &pending {
        for a in anbao_store::accounts::by_staff(&mut tx, StaffId::new(l.signer_id)).await? {
            let deadline = period::label(anbao_domain::rulebook::PeriodKind::Day, (l.deadline_day, l.deadline_day + 1));
            let put = anbao_store::messages::put(
                &mut tx,
                a.id,
                &format!("letter:{}:{today}", l.id),
                &format!("请签订{}年度{}", l.year, l.kind.label_zh()),
                &format!(
                    "{}请您签订{}年度{}（签订期限{deadline}）。打开责任书，阅读后以本人确认PIN或登录密码签订。",
                    u.name,
                    l.year,
                    l.kind.label_zh()
                ),
                &format!("/letters/{}", l.id),
                ctx.now,
            )
            .await?;
            reminded += usize::from(put);
        }
    }
    let detail = serde_json::json!({ "unit": unit.get(), "kind": kind.code(), "year": year, "reminded": reminded });
    audit::record_event(&mut tx, ctx.into(), "letter.remind", "unit", &unit.to_string(), Some(&detail)).await?;
    tx.commit().await?;
    Ok(reminded)
}

/// The targets a new plan's form starts from, in the seed's words (第一篇 三、(二); 篇五 一、六); the organiser edits
/// them for the year before making the plan, and what they make is what every letter of the plan shows.
pub fn default_targets(kind: LetterKind) -> &'static str {
    match kind {
        LetterKind::SecurityTarget => {
            "一、坚持“谁主管、谁负责”，本单位、本岗位全年不发生“四类”案件、群体性事件和重大责任事故。\n\
             二、严格执行双人临柜、双人守库、双人押运等各项安全保卫制度，按规定做好值守、巡查、监控检查和交接登记。\n\
             三、参加安全教育培训和应急演练，熟悉“四防”应急处置预案，做到制度上墙、内容入心、操作熟练。\n\
             四、发现安全隐患立即报告并按期整改，坚持“三不放过”原则。\n\
             五、本责任书履行情况纳入每季综合考核，按季考核、按年兑现，实行安全保卫工作一票否决制。"
        }
        LetterKind::FireSafety => {
            "一、落实消防安全责任制，本单位、本岗位全年不发生火灾事故。\n\
             二、按规定配置、检查和维护消防器材，保持安全出口和疏散通道畅通。\n\
             三、参加消防安全培训和消防演练，会报警、会使用灭火器材、会组织疏散。\n\
             四、发现火灾隐患立即报告并按期整改。"
        }
    }
}
