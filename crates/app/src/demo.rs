//! The demo database: a province union with regional centres, county unions, cooperatives, outlets, about 300
//! staff with realistic Chinese names and posts, leadership groups, notices, and one account per role.
//! Everything is written through the same use cases as the pages, so the audit chain covers it.
use crate::accounts::{self, AccountInput};
use crate::{Actor, AppResult, Ctx, groups, notices, org, staff};
use anbao_domain::access::{Grant, Role, Scope};
use anbao_domain::ids::{StaffId, UnitId};
use anbao_store::Db;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const SURNAMES: &str = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文";
const GIVEN: &str = "建国志强秀英丽华军伟芳敏静磊洋艳勇杰娟涛明超霞平刚桂兰玉梅红春燕晓东海波鹏辉飞宇浩然婷雪琳慧娜颖凯瑞欣怡子涵思远佳琪文博俊峰晨阳淑珍凤英永福德胜宏亮振华";

/// A demo account printed after the demo starts.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub username: String,
    pub role_zh: &'static str,
    pub role_en: &'static str,
    pub unit: String,
    /// Set for accounts linked to a staff record: they confirm two-person procedures with `DEMO_PIN`.
    pub pin: bool,
}

/// The confirmation PIN of every demo account that takes part in two-person procedures (printed with the sign-ins).
pub const DEMO_PIN: &str = "202612";

struct Seeder<'a> {
    db: &'a Db,
    ctx: Ctx,
    rng: StdRng,
    next_no: u32,
    asset_no: u32,
}

impl Seeder<'_> {
    fn name(&mut self) -> String {
        let s: Vec<char> = SURNAMES.chars().collect();
        let g: Vec<char> = GIVEN.chars().collect();
        let mut n = String::new();
        n.push(s[self.rng.random_range(0..s.len())]);
        n.push(g[self.rng.random_range(0..g.len())]);
        if self.rng.random_bool(0.65) {
            n.push(g[self.rng.random_range(0..g.len())]);
        }
        n
    }

    async fn unit(&mut self, parent: Option<UnitId>, kind: &str, name: &str) -> AppResult<UnitId> {
        let phone = format!("0{}-{}", self.rng.random_range(310..999), self.rng.random_range(2_000_000..8_999_999));
        org::create_unit(
            self.db,
            &self.ctx,
            org::UnitInput { parent, kind: kind.into(), name: name.into(), address: None, phone: Some(phone) },
        )
        .await
    }

    async fn person(
        &mut self,
        unit: UnitId,
        prefix: &str,
        positions: &[&str],
        card: Option<&str>,
    ) -> AppResult<StaffId> {
        self.next_no += 1;
        let employment = match self.rng.random_range(0..100) {
            0..=84 => "formal",
            85..=94 => "approved_contract",
            _ => "trainee",
        };
        let key =
            positions.iter().any(|p| matches!(*p, "vault_keeper" | "guard" | "director" | "cctv_admin" | "atm_admin"));
        let name = self.name();
        let mobile = format!("13{}{:08}", self.rng.random_range(0..10), self.rng.random_range(0..100_000_000u32));
        staff::create_staff(
            self.db,
            &self.ctx,
            staff::StaffInput {
                unit_id: Some(unit.get()),
                name,
                staff_no: format!("{prefix}{:04}", self.next_no),
                positions: positions.iter().map(|p| (*p).to_owned()).collect(),
                // Trainees do not hold key posts alone; the demo keeps them formal where the post demands it.
                employment: if key { "formal".into() } else { employment.into() },
                key_position: key,
                card_grade: card.map(str::to_owned),
                phone: Some(mobile),
                active: None,
            },
        )
        .await
    }

    async fn lead(&mut self, unit: UnitId, head: Option<StaffId>, deputy: Option<StaffId>) -> AppResult<()> {
        let u = org::get_unit(self.db, &self.ctx, unit).await?;
        org::update_unit(
            self.db,
            &self.ctx,
            unit,
            org::UnitEdit {
                name: u.name,
                first_responsible: head,
                deputy_in_charge: deputy,
                address: u.address,
                phone: u.phone,
            },
        )
        .await
    }

    /// A union's leadership groups: chair, deputy and members from its leaders and security staff.
    async fn groups(
        &mut self,
        unit: UnitId,
        kinds: &[&str],
        chair: StaffId,
        deputy: StaffId,
        members: &[StaffId],
    ) -> AppResult<()> {
        for k in kinds {
            let g = groups::create_group(self.db, &self.ctx, unit, k).await?;
            groups::put_member(self.db, &self.ctx, g, chair, "chair").await?;
            groups::put_member(self.db, &self.ctx, g, deputy, "deputy_chair").await?;
            for m in members {
                groups::put_member(self.db, &self.ctx, g, *m, "member").await?;
            }
        }
        Ok(())
    }

    /// An outlet with its head, tellers, vault keepers, CCTV and ATM administrators.
    async fn outlet(&mut self, coop: UnitId, name: &str, prefix: &str, lead: bool) -> AppResult<UnitId> {
        let o = self.unit(Some(coop), "outlet", name).await?;
        let head = self.person(o, prefix, &["director"], Some("a")).await?;
        self.person(o, prefix, &["teller", "cctv_admin"], Some("b")).await?;
        let tellers = self.rng.random_range(2..5);
        for i in 0..tellers {
            let grade = ["cash", "cash", "ordinary"][i % 3];
            self.person(o, prefix, &["teller"], Some(grade)).await?;
        }
        self.person(o, prefix, &["vault_keeper"], None).await?;
        self.person(o, prefix, &["vault_keeper", "atm_admin"], None).await?;
        self.person(o, prefix, &["security_officer"], None).await?;
        if lead {
            self.lead(o, Some(head), None).await?;
        }
        // Every outlet has a vault and a CCTV system; most have one ATM, busy ones two.
        self.asset_no += 1;
        let n = self.asset_no;
        crate::assets::create(self.db, &self.ctx, o, "vault", &format!("VLT-{prefix}{n:03}"), &format!("{name}库房"))
            .await?;
        crate::assets::create(
            self.db,
            &self.ctx,
            o,
            "cctv",
            &format!("CCTV-{prefix}{n:03}"),
            &format!("{name}监控系统"),
        )
        .await?;
        let atms = if n % 5 == 1 { 2 } else { 1 };
        for k in 1..=atms {
            crate::assets::create(
                self.db,
                &self.ctx,
                o,
                "atm",
                &format!("ATM-{prefix}{n:03}-{k}"),
                &format!("{name}ATM{k}号"),
            )
            .await?;
        }
        Ok(o)
    }
}

const ALL_GROUPS: [&str; 5] =
    ["security", "fire_safety", "comprehensive_governance", "key_position_review", "emergency_response"];

struct County {
    name: &'static str,
    prefix: &'static str,
    coops: &'static [(&'static str, &'static [&'static str])],
}

const REGIONS: [(&str, &[County]); 2] = [
    (
        "北岭区域稽核审计中心",
        &[
            County {
                name: "清河县农村信用合作联社",
                prefix: "QH",
                coops: &[
                    ("城关信用社", &["城关信用社营业部", "东街分社", "西关分社"]),
                    ("柳林信用社", &["柳林信用社营业部", "柳林北街分社", "杨家庄分社"]),
                    ("河口信用社", &["河口信用社营业部", "河口车站分社", "马庄分社"]),
                    ("石佛信用社", &["石佛信用社营业部", "石佛集贸市场分社", "南坡分社"]),
                ],
            },
            County {
                name: "安平县农村信用合作联社",
                prefix: "AP",
                coops: &[
                    ("安平城区信用社", &["安平城区信用社营业部", "文化路分社", "新华街分社"]),
                    ("黄城信用社", &["黄城信用社营业部", "黄城东关分社", "北屯分社"]),
                    ("大河信用社", &["大河信用社营业部", "大河桥头分社", "王村分社"]),
                ],
            },
        ],
    ),
    (
        "南川区域稽核审计中心",
        &[County {
            name: "石桥县农村信用合作联社",
            prefix: "SQ",
            coops: &[
                ("石桥镇信用社", &["石桥镇信用社营业部", "石桥南门分社", "工业园区分社"]),
                ("青松信用社", &["青松信用社营业部", "青松岭分社", "李家湾分社"]),
                ("云溪信用社", &["云溪信用社营业部", "云溪老街分社", "白沙分社"]),
            ],
        }],
    ),
];

/// The demo's accounts, made as a union makes them. `admin` and `shenji` are made by hand: neither is a person of the
/// staff register. Everyone else's account comes from a bulk run over their unit — the province's and the first
/// county's security departments, and the first two outlets — so the roles are the ones their posts give; the people
/// the README names get the usernames it documents, and every demo account the demo password (hashed once) instead
/// of a one-time one. Returns the sign-ins to print, in the README's order.
async fn accounts_for(
    s: &Seeder<'_>,
    password: &str,
    province: UnitId,
    security_dept: UnitId,
    (county, county_name, county_security): (UnitId, &str, UnitId),
    outlets: &[(UnitId, &str)],
) -> AppResult<Vec<DemoLogin>> {
    let (db, now) = (s.db, s.ctx.now);
    let by_hand = |username: &str, display: &str, role: Role, unit: Option<UnitId>| AccountInput {
        username: username.into(),
        display_name: display.into(),
        password: password.into(),
        staff_id: None,
        grants: vec![(role, unit)],
        must_change_password: false,
    };
    accounts::create(db, Some(&s.ctx), now, by_hand("shenji", "稽核审计", Role::Auditor, Some(province))).await?;
    let mut named: Vec<(StaffId, &str)> = Vec::new();
    let province_head = crate::demo_custody::security_head_under(db, security_dept).await?;
    named.extend(province_head.map(|h| (h, "baowei")));
    named.extend(crate::demo_custody::security_head_under(db, county).await?.map(|h| (h, "qinghe.baowei")));
    // An escort of the county union (押运员), who hands cash boxes over at the outlets.
    let (guards, _) = crate::demo_custody::county_guards(db, county).await?;
    let escort = guards.get(2).copied();
    named.extend(escort.map(|g| (g, "qinghe.yayun")));
    if let [(o1, _), (o2, _)] = outlets[..] {
        let people = crate::demo_custody::outlet_people(db, o1).await?;
        let people2 = crate::demo_custody::outlet_people(db, o2).await?;
        named.extend([
            (people.director, "chengguan.zhuren"),
            (people.teller, "chengguan.guiyuan"),
            (people.keepers[0], "chengguan.guanku"),
            (people2.director, "dongjie.zhuren"),
        ]);
    }
    let hash = crate::auth::hash_password_blocking(password).await?;
    let mut made = Vec::new();
    let units = [security_dept, county_security].into_iter().chain(outlets.iter().map(|(o, _)| *o));
    for unit in units {
        let mut proposals = crate::provision::propose(db, &s.ctx, unit).await?;
        for p in &mut proposals {
            if let Some((_, name)) = named.iter().find(|(id, _)| *id == p.staff_id) {
                p.username = (*name).to_owned();
            }
        }
        let initial = crate::provision::Initial::Demo { password, hash: &hash };
        made.extend(crate::provision::make(db, &s.ctx, proposals, initial).await?);
    }
    // The escort rides to every outlet of the county: the union grants that by hand, beside the post's own grant.
    if let Some(account) = made.iter().find(|m| Some(m.proposal.staff_id) == escort) {
        let id = accounts::id_of(db, &account.proposal.username).await?;
        accounts::add_grant(db, &s.ctx, id, Role::Staff, county).await?;
    }
    let mut logins = vec![DemoLogin {
        username: "admin".into(),
        role_zh: Role::Admin.label_zh(),
        role_en: Role::Admin.label_en(),
        unit: "全辖".into(),
        pin: false,
    }];
    let readme_order = [
        "baowei",
        "qinghe.baowei",
        "shenji",
        "qinghe.yayun",
        "chengguan.zhuren",
        "chengguan.guiyuan",
        "chengguan.guanku",
        "dongjie.zhuren",
    ];
    for username in readme_order {
        if username == "shenji" {
            let (zh, en) = (Role::Auditor.label_zh(), Role::Auditor.label_en());
            let unit = "云岭省农村信用社联合社".into();
            logins.push(DemoLogin { username: username.into(), role_zh: zh, role_en: en, unit, pin: false });
            continue;
        }
        let Some(m) = made.iter().find(|m| m.proposal.username == username) else { continue };
        let unit = if username == "qinghe.yayun" { county_name.to_owned() } else { m.proposal.grant_unit_name.clone() };
        let id = accounts::id_of(db, username).await?;
        crate::confirm::seed_pin(db, now, id, DEMO_PIN).await?;
        let role = m.proposal.role;
        logins.push(DemoLogin {
            username: username.into(),
            role_zh: role.label_zh(),
            role_en: role.label_en(),
            unit,
            pin: true,
        });
    }
    Ok(logins)
}

/// Fill an empty, migrated database with the demo; returns the sign-ins to print.
pub async fn seed(db: &Db, now: i64, password: &str) -> AppResult<Vec<DemoLogin>> {
    let admin = accounts::create(
        db,
        None,
        now,
        AccountInput {
            username: "admin".into(),
            display_name: "系统管理员".into(),
            password: password.into(),
            staff_id: None,
            grants: vec![(Role::Admin, None)],
            must_change_password: false,
        },
    )
    .await?;
    let actor = Actor {
        account: admin,
        username: "admin".into(),
        display_name: "系统管理员".into(),
        staff_id: None,
        scope: Scope { grants: vec![Grant { role: Role::Admin, unit_id: None, unit_path: None }] },
        must_change_password: false,
    };
    let mut s = Seeder { db, ctx: Ctx::new(now, actor), rng: StdRng::seed_from_u64(2026), next_no: 0, asset_no: 0 };

    let province = s.unit(None, "province", "云岭省农村信用社联合社").await?;
    let chairman = s.person(province, "YL", &["chairman"], None).await?;
    let deputy = s.person(province, "YL", &["deputy_in_charge"], None).await?;
    s.lead(province, Some(chairman), Some(deputy)).await?;
    let security_dept = s.unit(Some(province), "department", "保卫部").await?;
    let sec_head = s.person(security_dept, "YL", &["director", "security_officer"], None).await?;
    let mut sec_staff = vec![sec_head];
    for _ in 0..3 {
        sec_staff.push(s.person(security_dept, "YL", &["security_officer"], None).await?);
    }
    s.lead(security_dept, Some(sec_head), None).await?;
    for d in ["人事部", "纪检监察室", "信息科技部"] {
        let dept = s.unit(Some(province), "department", d).await?;
        let h = s.person(dept, "YL", &["director"], None).await?;
        s.person(dept, "YL", &["clerk"], None).await?;
        s.lead(dept, Some(h), None).await?;
    }
    s.groups(province, &ALL_GROUPS, chairman, deputy, &sec_staff).await?;

    let mut first_county = None;
    let mut first_outlets = Vec::new();
    let mut county_no = 0;
    for (region_name, counties) in REGIONS {
        let region = s.unit(Some(province), "regional_centre", region_name).await?;
        let rh = s.person(region, "YL", &["director"], None).await?;
        let rd = s.person(region, "YL", &["deputy_in_charge"], None).await?;
        s.person(region, "YL", &["security_officer"], None).await?;
        s.lead(region, Some(rh), Some(rd)).await?;
        for county in counties {
            county_no += 1;
            let c = s.unit(Some(region), "county", county.name).await?;
            let p = county.prefix;
            let ch = s.person(c, p, &["chairman"], None).await?;
            let dep = s.person(c, p, &["deputy_in_charge"], None).await?;
            s.lead(c, Some(ch), Some(dep)).await?;
            let sec = s.unit(Some(c), "department", "保卫部").await?;
            let sh = s.person(sec, p, &["director", "security_officer"], None).await?;
            let mut members = vec![sh];
            members.push(s.person(sec, p, &["security_officer"], None).await?);
            for _ in 0..4 {
                s.person(sec, p, &["guard"], None).await?;
            }
            s.person(sec, p, &["driver"], None).await?;
            s.lead(sec, Some(sh), None).await?;
            // The third county has not yet set up its fire-safety and governance groups: the to-do list says so.
            let kinds: &[&str] = if county_no == 3 { &ALL_GROUPS[..1] } else { &ALL_GROUPS };
            s.groups(c, kinds, ch, dep, &members).await?;
            if first_county.is_none() {
                first_county = Some((c, county.name, sec));
            }
            for (coop_no, (coop_name, outlets)) in county.coops.iter().enumerate() {
                let coop = s.unit(Some(c), "cooperative", coop_name).await?;
                let director = s.person(coop, p, &["director"], None).await?;
                let deputy = s.person(coop, p, &["deputy_in_charge", "security_officer"], None).await?;
                // One cooperative has not named its deputy in charge yet.
                let dep_named = !(county_no == 2 && coop_no == 1);
                s.lead(coop, Some(director), dep_named.then_some(deputy)).await?;
                // 预案 第四条: each cooperative's emergency group, led by its director; one has not set it up yet.
                if !(county_no == 3 && coop_no == 1) {
                    s.groups(coop, &["emergency_response"], director, deputy, &[]).await?;
                }
                for (i, o) in outlets.iter().enumerate() {
                    // One outlet's head is not yet recorded as its first responsible person.
                    let lead = !(county_no == 3 && coop_no == 2 && i == 2);
                    let outlet = s.outlet(coop, o, p, lead).await?;
                    if first_outlets.len() < 2 {
                        first_outlets.push((outlet, *o));
                    }
                }
            }
        }
    }

    notices::publish(
        db,
        &s.ctx,
        province,
        "关于做好年末岁初安全保卫工作的通知",
        "各区域稽核审计中心、各行社：年末岁初是案件高发期，请各单位严格执行双人临柜、双人守库、双人押运制度，\
         加强夜间值守和ATM巡查，落实节假日安全检查，发现隐患立即整改并上报联社保卫部。",
    )
    .await?;
    notices::publish(
        db,
        &s.ctx,
        security_dept,
        "关于开展消防安全演练的通知",
        "请各营业网点于本季度内组织一次消防演练，做到有部署、有方案、有影像资料，演练记录报送县联社保卫部。",
    )
    .await?;

    let (county, county_name, county_security) =
        first_county.unwrap_or((province, "云岭省农村信用社联合社", security_dept));
    let logins =
        accounts_for(&s, password, province, security_dept, (county, county_name, county_security), &first_outlets)
            .await?;
    crate::demo_custody::seed(db, &s.ctx, county, first_outlets.first().map(|(o, _)| *o)).await?;
    crate::demo_facility::seed(db, &s.ctx).await?;
    Ok(logins)
}
