//! Demo cases over the year, entered and worked the way people work them (signed in, at the time they happened), so
//! each path of the accountability rules shows: an attempted robbery whose protection held, decided; a theft under a
//! rectification notice, awaiting the decision; an insider fraud under investigation; a fire reported late; and an
//! interlock door opened without cause, flagged by its register.
use crate::demo_inspect::as_user;
use crate::incident::{self, CaseInput, Findings};
use crate::{AppResult, Ctx};
use anbao_domain::records::RecordInput;
use anbao_store::Db;
use anbao_store::blobs::BlobStore;

const MIN: i64 = 60_000;
const DAY: i64 = 86_400_000;

async fn unit_named(db: &Db, name: &str) -> AppResult<Option<(i64, String)>> {
    let mut c = db.read().await?;
    Ok(anbao_store::org::under(&mut c, "/").await?.into_iter().find(|u| u.name == name).map(|u| (u.id.get(), u.path)))
}

async fn staff_of(db: &Db, unit: i64) -> AppResult<Vec<i64>> {
    let mut c = db.read().await?;
    Ok(anbao_store::staff::of_unit(&mut c, anbao_domain::ids::UnitId::new(unit))
        .await?
        .iter()
        .map(|s| s.id.get())
        .collect())
}

fn at(ctx: &Ctx, now: i64) -> Ctx {
    Ctx::new(now, ctx.actor.clone())
}

fn local(ms: i64) -> String {
    anbao_domain::time::format_ms(ms).replace(' ', "T").chars().take(16).collect()
}

/// Report a case at `occurred` as `reporter`, `late` minutes after it happened, and forward it up `levels` levels
/// (the county's and then the province's security department acknowledging), each within the hour.
async fn reported(
    db: &Db,
    blobs: &BlobStore,
    (reporter, county, province): (&Ctx, &Ctx, &Ctx),
    input: CaseInput,
    occurred: i64,
    late: i64,
    levels: usize,
) -> AppResult<i64> {
    let input = CaseInput { occurred_at: Some(local(occurred)), ..input };
    let id = incident::report(db, blobs, &at(reporter, occurred + late * MIN), &input, Vec::new()).await?;
    for level in 0..levels {
        let who = if level < 2 { county } else { province };
        incident::forward(db, &at(who, occurred + late * MIN + (level as i64 + 1) * 20 * MIN), id).await?;
    }
    Ok(id)
}

pub async fn seed(db: &Db, blobs: &BlobStore, now: i64, password: &str) -> AppResult<usize> {
    let (Some((dongjie, _)), Some((chengguan, _)), Some((xiguan, _)), Some((liulin, _))) = (
        unit_named(db, "东街分社").await?,
        unit_named(db, "城关信用社营业部").await?,
        unit_named(db, "西关分社").await?,
        unit_named(db, "柳林北街分社").await?,
    ) else {
        return Ok(0);
    };
    let county = as_user(db, "qinghe.baowei", password, now).await?;
    let province = as_user(db, "baowei", password, now).await?;
    let dongjie_head = as_user(db, "dongjie.zhuren", password, now).await?;
    let chengguan_head = as_user(db, "chengguan.zhuren", password, now).await?;
    let trio = |r: &Ctx| (r.clone(), county.clone(), province.clone());

    // 1. An attempted robbery at 东街分社: reported at once, climbed to the province, the protection held (第十二条㈠
    //    where the ledger shows no gap), decided.
    let occurred = now - 150 * DAY + 10 * 60 * MIN;
    let (r, c, p) = trio(&dongjie_head);
    let robbery = reported(
        db,
        blobs,
        (&r, &c, &p),
        CaseInput {
            kind: "attempted_robbery".into(),
            unit_id: Some(dongjie),
            place: "outlet".into(),
            description: "一名男子持刀冲击柜台索要现金，临柜人员按预案按下报警按钮并退入安全区，歹徒被防弹玻璃阻隔，三分钟后逃离，公安机关已立案。".into(),
            ..CaseInput::default()
        },
        occurred,
        15,
        4,
    )
    .await?;
    let photo = crate::evidence::Upload {
        file_name: "现场照片.png".into(),
        bytes: crate::demo_records::DEMO_PHOTO.to_vec(),
        taken_at: None,
    };
    let note = "公安机关已出具受案回执，附现场照片";
    incident::add_note(db, blobs, &at(&r, occurred + 3 * 60 * MIN), robbery, note, vec![photo]).await?;
    let f = Findings {
        causes: vec!["c5".into()],
        beyond_limits: true,
        notes: "调阅录像，员工处置得当".into(),
        ..Findings::default()
    };
    incident::save_findings(
        db,
        &at(&county, occurred + 2 * DAY),
        robbery,
        &f,
        "歹徒持械抢劫，手段超出营业网点防范能力",
    )
    .await?;
    incident::propose(db, &at(&county, occurred + 3 * DAY), robbery).await?;
    incident::decide(db, &at(&county, occurred + 5 * DAY), robbery, &[]).await?;

    // 2. A theft at 城关信用社营业部 while the outlet's hazards were open: proposed, awaiting the union's decision.
    let occurred = now - 12 * DAY + 17 * 60 * MIN;
    let (r, c, p) = trio(&chengguan_head);
    let staff = staff_of(db, chengguan).await?;
    let theft = reported(
        db,
        blobs,
        (&r, &c, &p),
        CaseInput {
            kind: "theft".into(),
            unit_id: Some(chengguan),
            place: "vault".into(),
            loss: Some("38000".into()),
            description: "日终轧账发现库房尾箱短款三万八千元，库房门锁有撬痕，当晚守库人员未按时巡视。".into(),
            people: staff.iter().rev().take(1).copied().collect(),
            ..CaseInput::default()
        },
        occurred,
        40,
        4,
    )
    .await?;
    let f = Findings {
        causes: vec!["c1".into(), "c2".into()],
        violators: staff.iter().rev().take(1).copied().collect(),
        notes: "检查发现的隐患未在期限内整改，守库人员未按第十三条巡视".into(),
        ..Findings::default()
    };
    incident::save_findings(db, &at(&county, occurred + DAY), theft, &f, "库房门锁老化未更换，守库人员未按时巡视")
        .await?;
    incident::propose(db, &at(&county, occurred + 2 * DAY), theft).await?;

    // 3. An insider fraud at 西关分社: under investigation, the person's education and supervision listed.
    let occurred = now - 5 * DAY + 11 * 60 * MIN;
    let suspect = staff_of(db, xiguan).await?.into_iter().last();
    let fraud = reported(
        db,
        blobs,
        (&county, &county, &province),
        CaseInput {
            kind: "fraud".into(),
            unit_id: Some(xiguan),
            place: "outlet".into(),
            loss: Some("126500".into()),
            description: "柜员冒用客户身份办理挂失并支取存款，客户来行查询时发现。".into(),
            people: suspect.into_iter().collect(),
            insider: true,
            ..CaseInput::default()
        },
        occurred,
        30,
        3,
    )
    .await?;
    let f = Findings {
        causes: vec!["c4".into()], notes: "调取该柜员近三个月业务流水".into(), ..Findings::default()
    };
    incident::save_findings(db, &at(&county, occurred + DAY), fraud, &f, "").await?;

    // 4. A fire at 柳林北街分社, entered five hours after it broke out: the late report is a violation of its own.
    let occurred = now - 2 * DAY + 20 * 60 * MIN;
    reported(
        db,
        blobs,
        (&county, &county, &province),
        CaseInput {
            kind: "fire".into(),
            unit_id: Some(liulin),
            place: "outlet".into(),
            loss: Some("4200".into()),
            description: "夜间营业室配电箱线路老化起火，守库人员使用灭火器扑灭，烧毁部分线路和一台打印机。".into(),
            ..CaseInput::default()
        },
        occurred,
        5 * 60,
        0,
    )
    .await?;

    // 5. Both interlock doors opened for no allowed reason: the register keeps it and proposes 第10题's fine.
    let policy = crate::auth::AuthPolicy::default();
    let input = RecordInput {
        kind: "interlock_open".into(),
        unit_id: Some(chengguan),
        subkind: Some("other".into()),
        occurred_at: Some(local(now - 3 * DAY + 15 * 60 * MIN)),
        text: Some("为搬运办公用品同时打开两道门".into()),
        ..RecordInput::default()
    };
    crate::records::create(
        db,
        blobs,
        &policy,
        &at(&chengguan_head, now - 3 * DAY + 15 * 60 * MIN + 5 * MIN),
        &input,
        Vec::new(),
    )
    .await?;
    Ok(4)
}
