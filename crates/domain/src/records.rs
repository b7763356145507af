//! Evidence records: what people did (an ATM patrol, a CCTV check, a drill…). Each kind says what it is about and
//! which fields it needs; input is parsed here into a `RecordDraft` that the store writes as one append-only row.
use crate::ids::{StaffId, UnitId};
use crate::{DomainError, text};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    AtmPatrol,
    CctvCheck,
    CctvReview,
    CctvAccess,
    DutyLog,
    Drill,
    Meeting,
    Training,
    QualificationReview,
    InspectionVisit,
    RespLetter,
    VaultEntry,
    AtmLoading,
    CounterRoster,
    OpeningCheck,
    ClosingCheck,
    Visitor,
    LargeWithdrawal,
    InterlockOpen,
    NightCheck,
    VaultContentCheck,
    GunCheck,
    GunCleaning,
    WeaponUse,
    LiveFireTraining,
    KeyCustodyCheck,
    GunCustodyCheck,
    GunCheckout,
    PhoneCheck,
    CctvSpotCheck,
    MonthlyFacilityReport,
}

/// What a record is about, which decides which field names its subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum About {
    /// An asset of this kind at the unit (an ATM, a vault).
    Asset(&'static str),
    /// The unit itself.
    Unit,
    /// A person (the staff member reviewed).
    Person,
    /// Another unit (the one inspected).
    TargetUnit,
}

impl RecordKind {
    pub const ALL: [RecordKind; 31] = [
        RecordKind::AtmPatrol,
        RecordKind::CctvCheck,
        RecordKind::CctvReview,
        RecordKind::CctvAccess,
        RecordKind::DutyLog,
        RecordKind::Drill,
        RecordKind::Meeting,
        RecordKind::Training,
        RecordKind::QualificationReview,
        RecordKind::InspectionVisit,
        RecordKind::RespLetter,
        RecordKind::VaultEntry,
        RecordKind::AtmLoading,
        RecordKind::CounterRoster,
        RecordKind::OpeningCheck,
        RecordKind::ClosingCheck,
        RecordKind::Visitor,
        RecordKind::LargeWithdrawal,
        RecordKind::InterlockOpen,
        RecordKind::NightCheck,
        RecordKind::VaultContentCheck,
        RecordKind::GunCheck,
        RecordKind::GunCleaning,
        RecordKind::WeaponUse,
        RecordKind::LiveFireTraining,
        RecordKind::KeyCustodyCheck,
        RecordKind::GunCustodyCheck,
        RecordKind::GunCheckout,
        RecordKind::PhoneCheck,
        RecordKind::CctvSpotCheck,
        RecordKind::MonthlyFacilityReport,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RecordKind::AtmPatrol => "atm_patrol",
            RecordKind::CctvCheck => "cctv_check",
            RecordKind::CctvReview => "cctv_review",
            RecordKind::CctvAccess => "cctv_access",
            RecordKind::DutyLog => "duty_log",
            RecordKind::Drill => "drill",
            RecordKind::Meeting => "meeting",
            RecordKind::Training => "training",
            RecordKind::QualificationReview => "qualification_review",
            RecordKind::InspectionVisit => "inspection_visit",
            RecordKind::RespLetter => "resp_letter",
            RecordKind::VaultEntry => "vault_entry",
            RecordKind::AtmLoading => "atm_loading",
            RecordKind::CounterRoster => "counter_roster",
            RecordKind::OpeningCheck => "opening_check",
            RecordKind::ClosingCheck => "closing_check",
            RecordKind::Visitor => "visitor",
            RecordKind::LargeWithdrawal => "large_withdrawal",
            RecordKind::InterlockOpen => "interlock_open",
            RecordKind::NightCheck => "night_check",
            RecordKind::VaultContentCheck => "vault_content_check",
            RecordKind::GunCheck => "gun_check",
            RecordKind::GunCleaning => "gun_cleaning",
            RecordKind::WeaponUse => "weapon_use",
            RecordKind::LiveFireTraining => "live_fire_training",
            RecordKind::KeyCustodyCheck => "vault_key_custody",
            RecordKind::GunCustodyCheck => "gun_custody",
            RecordKind::GunCheckout => "gun_checkout",
            RecordKind::PhoneCheck => "phone_check",
            RecordKind::CctvSpotCheck => "cctv_spot_check",
            RecordKind::MonthlyFacilityReport => "monthly_facility_report",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RecordKind::AtmPatrol => "ATM巡查",
            RecordKind::CctvCheck => "监控设备日常检查",
            RecordKind::CctvReview => "录像回放检查",
            RecordKind::CctvAccess => "录像调阅登记",
            RecordKind::DutyLog => "值班记录",
            RecordKind::Drill => "应急演练",
            RecordKind::Meeting => "安全会议",
            RecordKind::Training => "学习培训",
            RecordKind::QualificationReview => "重要岗位资格审查",
            RecordKind::InspectionVisit => "安全检查",
            RecordKind::RespLetter => "责任书签订",
            RecordKind::VaultEntry => "金库出入登记",
            RecordKind::AtmLoading => "ATM加钞清机",
            RecordKind::CounterRoster => "双人临柜登记",
            RecordKind::OpeningCheck => "营业前检查",
            RecordKind::ClosingCheck => "营业终了检查",
            RecordKind::Visitor => "营业室来访登记",
            RecordKind::LargeWithdrawal => "大额取款安全提示",
            RecordKind::InterlockOpen => "防尾随门双开登记",
            RecordKind::NightCheck => "夜间查库查岗登记",
            RecordKind::VaultContentCheck => "金库内务检查",
            RecordKind::GunCheck => "枪弹检查",
            RecordKind::GunCleaning => "枪支擦拭保养",
            RecordKind::WeaponUse => "自卫武器使用报告",
            RecordKind::LiveFireTraining => "射击训练",
            RecordKind::KeyCustodyCheck => "钥匙密码分管核对",
            RecordKind::GunCustodyCheck => "枪弹分管核对",
            RecordKind::GunCheckout => "枪弹领用发放",
            RecordKind::PhoneCheck => "电话查岗",
            RecordKind::CctvSpotCheck => "监控抽查员工操作",
            RecordKind::MonthlyFacilityReport => "安防设施月报",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            RecordKind::AtmPatrol => "ATM patrol",
            RecordKind::CctvCheck => "CCTV daily check",
            RecordKind::CctvReview => "CCTV playback review",
            RecordKind::CctvAccess => "CCTV playback access",
            RecordKind::DutyLog => "Duty log",
            RecordKind::Drill => "Drill",
            RecordKind::Meeting => "Security meeting",
            RecordKind::Training => "Training session",
            RecordKind::QualificationReview => "Key-position qualification review",
            RecordKind::InspectionVisit => "Inspection",
            RecordKind::RespLetter => "Responsibility letter",
            RecordKind::VaultEntry => "Vault entry",
            RecordKind::AtmLoading => "ATM cash loading",
            RecordKind::CounterRoster => "Counter staffing (two at the counter)",
            RecordKind::OpeningCheck => "Opening check",
            RecordKind::ClosingCheck => "Closing check",
            RecordKind::Visitor => "Business-room visitor",
            RecordKind::LargeWithdrawal => "Large-withdrawal safety prompt",
            RecordKind::InterlockOpen => "Interlock door dual-open",
            RecordKind::NightCheck => "Night check by superiors",
            RecordKind::VaultContentCheck => "Vault contents check",
            RecordKind::GunCheck => "Gun and ammunition check",
            RecordKind::GunCleaning => "Gun cleaning and maintenance",
            RecordKind::WeaponUse => "Use-of-weapon report",
            RecordKind::LiveFireTraining => "Live-fire training",
            RecordKind::KeyCustodyCheck => "Key and code custody check",
            RecordKind::GunCustodyCheck => "Gun and ammunition custody check",
            RecordKind::GunCheckout => "Gun issued on checkout",
            RecordKind::PhoneCheck => "Night-duty phone check",
            RecordKind::CctvSpotCheck => "CCTV spot check of staff operations",
            RecordKind::MonthlyFacilityReport => "Monthly facility report",
        }
    }

    pub fn about(self) -> About {
        match self {
            RecordKind::AtmPatrol => About::Asset("atm"),
            RecordKind::DutyLog
            | RecordKind::VaultEntry
            | RecordKind::NightCheck
            | RecordKind::VaultContentCheck
            | RecordKind::KeyCustodyCheck => About::Asset("vault"),
            RecordKind::AtmLoading => About::Asset("atm"),
            RecordKind::GunCheck | RecordKind::GunCleaning | RecordKind::GunCustodyCheck | RecordKind::GunCheckout => {
                About::Asset("gun_cabinet")
            }
            RecordKind::QualificationReview => About::Person,
            RecordKind::InspectionVisit | RecordKind::PhoneCheck | RecordKind::CctvSpotCheck => About::TargetUnit,
            _ => About::Unit,
        }
    }

    /// Sub-kinds a record of this kind may carry (drill kind, meeting kind…); empty when it has none.
    pub fn subkinds(self) -> &'static [(&'static str, &'static str)] {
        match self {
            RecordKind::Drill => {
                &[("emergency", "处置突发事件/防抢演练"), ("fire", "消防演练"), ("police_joint", "警银联合演练")]
            }
            RecordKind::Meeting => &[("monthly", "月度安全例会"), ("special", "安全保卫专题会议")],
            RecordKind::InspectionVisit => &[
                ("routine", "常规检查"),
                ("surprise", "突击检查"),
                ("night", "夜间查岗"),
                ("holiday", "节假日检查"),
                ("topic", "专项检查"),
            ],
            RecordKind::RespLetter => &[("security_target", "安全目标责任书"), ("fire_safety", "消防安全责任书")],
            RecordKind::CctvReview => &[("cctv_admin", "监控管理员回放"), ("director", "网点负责人回放")],
            RecordKind::VaultEntry => &[("routine", "营业时间内正常出入"), ("emergency", "非营业时间紧急出入")],
            // 第五篇 第10题: only cash handover and inspection justify opening both interlock doors at once.
            RecordKind::InterlockOpen => &[("cash_handover", "接送款"), ("inspection", "接受检查")],
            // 第五十四条 ㈠–㈣: the only four cases in which a self-defence weapon may be used.
            RecordKind::WeaponUse => &[
                ("case_1", "㈠遇到犯罪分子袭击，非使用自卫武器不能制止时"),
                ("case_2", "㈡国家和集体财产遭到暴力威胁，非使用自卫武器不能制止时"),
                ("case_3", "㈢为保护国家和集体财产与犯罪分子搏斗时"),
                ("case_4", "㈣依法协助公安机关抓捕或制服犯罪分子时"),
            ],
            _ => &[],
        }
    }

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Self::ALL.into_iter().find(|k| k.code() == raw.trim()).ok_or_else(|| {
            DomainError::new("kind", format!("未知的记录类型：{raw}"), format!("unknown record kind: {raw}"))
        })
    }

    /// Does this kind name a performer (whose posts decide which rule a record counts for)?
    pub fn needs_performer(self) -> bool {
        matches!(
            self,
            RecordKind::CctvReview
                | RecordKind::DutyLog
                | RecordKind::QualificationReview
                | RecordKind::InspectionVisit
                | RecordKind::CounterRoster
                | RecordKind::Visitor
                | RecordKind::GunCheck
                | RecordKind::GunCleaning
                | RecordKind::WeaponUse
                | RecordKind::PhoneCheck
                | RecordKind::CctvSpotCheck
        )
    }

    /// Kinds written only by another area's procedure, never by a form or the records API: why, in Chinese and
    /// English, as the refusal says it.
    pub fn procedure(self) -> Option<(&'static str, &'static str)> {
        match self {
            RecordKind::GunCheckout => Some((
                "枪弹领用记录由领用审批、发放流程生成，不能直接录入",
                "a gun checkout is recorded when the approved issue is made",
            )),
            RecordKind::MonthlyFacilityReport => Some((
                "安防设施月报由上报月报时生成，不能直接录入",
                "the monthly facility report is recorded when the report is made",
            )),
            // INSP-2's visits count only inspections that really happened: signed by the inspector and confirmed by
            // the head of the unit inspected (app::inspect::countersign writes them).
            RecordKind::InspectionVisit => Some((
                "检查记录须由检查人签字并经被检查单位负责人确认后自动生成，不能直接录入",
                "inspection visits come only from an inspection signed by the inspector and countersigned by the head of the unit inspected",
            )),
            _ => None,
        }
    }

    pub fn produced_by_procedure(self) -> bool {
        self.procedure().is_some()
    }

    /// Kinds whose two people both sign in on the device (SYS-2): the one entering the record is the first person and
    /// a second account confirms with its password or PIN. Neither person is chosen from a list.
    pub fn confirmed_by_two(self) -> bool {
        matches!(
            self,
            RecordKind::VaultEntry | RecordKind::AtmLoading | RecordKind::KeyCustodyCheck | RecordKind::GunCustodyCheck
        )
    }
}

/// Raw input of any record kind, from a form or JSON. Fields a kind does not use are ignored.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RecordInput {
    pub kind: String,
    /// The unit the record belongs to (for asset records, taken from the asset).
    pub unit_id: Option<i64>,
    pub asset_id: Option<i64>,
    /// When it happened, as RFC 3339 or `YYYY-MM-DDTHH:MM` local time; defaults to now.
    pub occurred_at: Option<String>,
    pub subkind: Option<String>,
    pub performer_id: Option<i64>,
    /// The post in which the performer acted (e.g. `cctv_admin` or `director`).
    pub performer_position: Option<String>,
    pub second_person_id: Option<i64>,
    pub subject_staff_id: Option<i64>,
    pub target_unit_id: Option<i64>,
    #[serde(default)]
    pub checks: Vec<String>,
    pub number: Option<f64>,
    #[serde(default)]
    pub people: Vec<i64>,
    pub result: Option<String>,
    pub text: Option<String>,
    pub text2: Option<String>,
    pub supersedes_id: Option<i64>,
    /// For kinds confirmed by two: the second person's username and password or confirmation PIN.
    pub confirm_username: Option<String>,
    pub confirm_secret: Option<String>,
}

/// A parsed record, ready to store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordDraft {
    pub kind: RecordKind,
    pub subkind: Option<String>,
    pub performer: Option<StaffId>,
    pub performer_position: Option<String>,
    pub second_person: Option<StaffId>,
    pub subject_staff: Option<StaffId>,
    pub target_unit: Option<UnitId>,
    /// The measured number a rule may test (retention days, training hours × 10).
    pub value: Option<i64>,
    /// Kind-specific details, stored as JSON.
    pub data: serde_json::Value,
}

fn err(field: &'static str, zh: &str, en: &str) -> DomainError {
    DomainError::new(field, zh, en)
}

/// The check boxes each kind offers, with their labels; unchecked means "no".
pub fn checklist(kind: RecordKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        RecordKind::AtmPatrol => {
            &[("appearance_ok", "外观及周边正常"), ("no_skimmer", "无加装可疑装置"), ("notice_ok", "告示及监控正常")]
        }
        RecordKind::CctvCheck => &[
            ("screens_ok", "显示屏正常"),
            ("channels_ok", "各路图像正常"),
            ("clock_ok", "系统时间准确"),
            ("audio_ok", "音频正常"),
        ],
        RecordKind::DutyLog => &[
            ("on_time", "按时到岗"),
            ("perimeter_patrol", "进库前巡视周边"),
            ("weapons_checked", "检查自卫器械"),
            ("alarms_armed", "营业厅及库房报警设防"),
        ],
        // 第五篇 第1题: record first, count together, counterfeit check, loading book, test withdrawal, under video.
        RecordKind::AtmLoading => &[
            ("booked_first", "先记账后加钞"),
            ("counted_together", "双人当场清点复核"),
            ("counterfeit_checked", "验钞无假币"),
            ("safe_together", "保险柜同开同闭同加锁"),
            ("loading_book", "已登记清机加钞登记簿"),
            ("test_withdrawal", "管理员已做取款测试交易"),
            ("under_video", "全程在录像监控下"),
        ],
        RecordKind::VaultEntry => &[("letter_checked", "外来人员的查库介绍信已查验（无外来人员可不勾）")],
        RecordKind::CounterRoster => &[("back_door_locked", "营业场所边后门随手关锁")],
        // 第五条
        RecordKind::OpeningCheck => {
            &[("on_time", "营业人员按时到岗"), ("weapons_in_place", "自卫武器到位"), ("alarm_on", "报警器已开启且正常")]
        }
        // 第十一条
        RecordKind::ClosingCheck => &[
            ("cash_in_vault", "现金、有价单证入库"),
            ("vouchers_seals_in_vault", "重要空白凭证、印章入库"),
            ("books_in_vault", "账册、传票、押数机、电脑盘片入库"),
            ("power_off", "营业室电源已切断"),
            ("doors_windows_closed", "门窗已关好"),
        ],
        // 第九条
        RecordKind::Visitor => &[("id_checked", "已查验证件")],
        // 第七条
        RecordKind::LargeWithdrawal => &[("prompt_given", "已进行安全提示")],
        // 第十七条
        RecordKind::NightCheck => &[("credential_verified", "已验明检查人员证件")],
        // 第三十八–四十条
        RecordKind::VaultContentCheck => &[
            ("no_hazards", "无易燃、易爆等危险物品"),
            ("no_private_items", "无私人物品、杂物"),
            ("tidy", "库内安全、整洁"),
            ("facilities_ok", "振动报警、监控、110报警、防潮设施正常"),
        ],
        RecordKind::GunCheck => &[
            ("count_matches", "枪弹数量与登记相符"),
            ("kept_apart", "枪弹分柜分人保管"),
            ("condition_ok", "性能良好"),
            ("register_ok", "领用交接登记齐全"),
        ],
        _ => &[],
    }
}

/// Parse and check a record's input. People's posts and scope are checked by the app against the store.
pub fn parse(input: &RecordInput) -> Result<RecordDraft, DomainError> {
    let kind = RecordKind::parse(&input.kind)?;
    if let Some((zh, en)) = kind.procedure() {
        return Err(err("kind", zh, en));
    }
    let subkind = match input.subkind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None if kind.subkinds().is_empty() || kind == RecordKind::CctvReview => None,
        None if kind == RecordKind::InterlockOpen => return Err(interlock_reason()),
        None if kind == RecordKind::WeaponUse => return Err(weapon_case()),
        None => return Err(err("subkind", "请选择类别", "choose the sub-kind")),
        Some(s) => {
            if !kind.subkinds().iter().any(|(c, _)| *c == s) {
                match kind {
                    RecordKind::InterlockOpen => return Err(interlock_reason()),
                    RecordKind::WeaponUse => return Err(weapon_case()),
                    _ => {}
                }
                return Err(err("subkind", "类别不正确", "unknown sub-kind"));
            }
            Some(s.to_owned())
        }
    };
    let text = text::optional("text", "说明", "Notes", input.text.as_deref(), 2000)?;
    let text2 = text::optional("text2", "补充说明", "More notes", input.text2.as_deref(), 2000)?;
    let allowed: Vec<&str> = checklist(kind).iter().map(|(c, _)| *c).collect();
    let mut checks = serde_json::Map::new();
    for c in &allowed {
        checks.insert((*c).to_owned(), serde_json::Value::Bool(input.checks.iter().any(|x| x == c)));
    }
    if let Some(unknown) = input.checks.iter().find(|c| !allowed.contains(&c.as_str())) {
        return Err(DomainError::new(
            "checks",
            format!("未知的检查项：{unknown}"),
            format!("unknown check item: {unknown}"),
        ));
    }
    let all_checked = allowed.iter().all(|c| input.checks.iter().any(|x| x == c));
    if kind.needs_performer() && input.performer_id.is_none() {
        return Err(err("performer_id", "请选择执行人", "choose who did it"));
    }
    let mut people = input.people.clone();
    people.sort_unstable();
    if people.windows(2).any(|w| w[0] == w[1]) {
        return Err(err("people", "参加人员名单中有重复的人", "a person is listed twice"));
    }
    let mut d = RecordDraft {
        kind,
        subkind,
        performer: input.performer_id.map(StaffId::new),
        performer_position: input
            .performer_position
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        second_person: None,
        subject_staff: None,
        target_unit: None,
        value: None,
        data: serde_json::json!({ "checks": checks }),
    };
    let obj = |d: &mut RecordDraft, k: &str, v: serde_json::Value| {
        if let Some(m) = d.data.as_object_mut() {
            m.insert(k.to_owned(), v);
        }
    };
    match kind {
        RecordKind::AtmPatrol => {
            if input.asset_id.is_none() {
                return Err(err("asset_id", "请选择ATM", "choose the ATM"));
            }
            let normal = input.result.as_deref().unwrap_or("normal") == "normal";
            if !normal && text.is_none() {
                return Err(err("text", "发现异常时须说明情况", "describe the problem found"));
            }
            obj(&mut d, "result", (if normal && all_checked { "normal" } else { "abnormal" }).into());
        }
        RecordKind::CctvCheck => {
            let days = input.number.ok_or_else(|| err("number", "请填写录像保存天数", "enter the retention days"))?;
            if !(0.0..=3650.0).contains(&days) || days.fract() != 0.0 {
                return Err(err("number", "录像保存天数须为0–3650之间的整数", "retention days: a whole number 0–3650"));
            }
            d.value = Some(days as i64);
        }
        RecordKind::CctvReview => {
            let pos = d.performer_position.clone().unwrap_or_default();
            if pos != "cctv_admin" && pos != "director" {
                return Err(err(
                    "performer_position",
                    "请选择回放人的身份：监控管理员或网点负责人",
                    "review as CCTV administrator or outlet head",
                ));
            }
            d.subkind = Some(pos);
            if text.is_none() {
                return Err(err("text", "请填写回放检查情况", "describe what the review found"));
            }
        }
        RecordKind::CctvAccess => {
            let requester =
                text::bounded("text2", "调阅人及单位", "Requester", input.text2.as_deref().unwrap_or_default(), 100)?;
            let reason = text.clone().ok_or_else(|| err("text", "请填写调阅事由", "state the reason"))?;
            let business = input.result.as_deref() == Some("business");
            if !business && input.second_person_id.is_none() {
                return Err(err(
                    "second_person_id",
                    "与业务无关的调阅须经网点负责人同意（第四十六条）",
                    "access unrelated to business needs the outlet head's consent (art. 46)",
                ));
            }
            d.second_person = input.second_person_id.map(StaffId::new);
            obj(&mut d, "requester", requester.into());
            obj(&mut d, "reason", reason.into());
            obj(&mut d, "business_related", business.into());
        }
        RecordKind::DutyLog => {
            let second = input
                .second_person_id
                .ok_or_else(|| err("second_person_id", "请选择同班值守人员", "choose the second person on duty"))?;
            if Some(second) == input.performer_id {
                return Err(err(
                    "second_person_id",
                    "值班须由两个不同的人担任（第十二条）",
                    "duty needs two different people (art. 12)",
                ));
            }
            d.second_person = Some(StaffId::new(second));
            if input.asset_id.is_none() {
                return Err(err("asset_id", "请选择库房", "choose the vault"));
            }
        }
        RecordKind::Drill => {
            let plan = text.clone().ok_or_else(|| err("text", "请填写演练方案", "describe the drill plan"))?;
            let deployment = text2.clone().ok_or_else(|| err("text2", "请填写演练部署", "describe the deployment"))?;
            if people.is_empty() {
                return Err(err("people", "请选择参加人员", "choose the participants"));
            }
            obj(&mut d, "plan", plan.into());
            obj(&mut d, "deployment", deployment.into());
            obj(&mut d, "participants", people.clone().into());
        }
        RecordKind::Meeting => {
            let minutes = text.clone().ok_or_else(|| err("text", "请填写会议纪要", "write the minutes"))?;
            if people.is_empty() {
                return Err(err("people", "请选择参会人员", "choose the attendees"));
            }
            obj(&mut d, "minutes", minutes.into());
            obj(&mut d, "attendees", people.clone().into());
        }
        RecordKind::Training => {
            let title = text::bounded("text2", "培训内容", "Subject", input.text2.as_deref().unwrap_or_default(), 100)?;
            let hours = input.number.ok_or_else(|| err("number", "请填写学时", "enter the hours"))?;
            if !(0.5..=24.0).contains(&hours) {
                return Err(err("number", "学时须在0.5–24小时之间", "hours must be 0.5–24"));
            }
            if people.is_empty() {
                return Err(err("people", "请选择参加人员", "choose the attendees"));
            }
            d.value = Some((hours * 10.0).round() as i64);
            obj(&mut d, "title", title.into());
            obj(&mut d, "attendees", people.clone().into());
        }
        RecordKind::QualificationReview => {
            let who = input
                .subject_staff_id
                .ok_or_else(|| err("subject_staff_id", "请选择被审查人员", "choose the person reviewed"))?;
            let result = input.result.as_deref().unwrap_or_default();
            if result != "pass" && result != "fail" {
                return Err(err("result", "请选择审查结论：合格或不合格", "choose the result: pass or fail"));
            }
            d.subject_staff = Some(StaffId::new(who));
            // The result is also the sub-kind, so a rule can count only reviews that passed.
            d.subkind = Some(result.to_owned());
            obj(&mut d, "result", result.into());
        }
        RecordKind::RespLetter => {
            if input.performer_id.is_none() {
                return Err(err("performer_id", "请选择签订人", "choose who signed"));
            }
        }
        RecordKind::VaultEntry => {
            if input.asset_id.is_none() {
                return Err(err("asset_id", "请选择金库", "choose the vault"));
            }
            let purpose =
                text.clone().ok_or_else(|| err("text", "请填写出入金库的事由", "state why the vault is entered"))?;
            obj(&mut d, "purpose", purpose.into());
            if let Some(v) = &text2 {
                // 第四十一条: outsiders enter only with a letter naming the vault check (the outlet head is checked
                // by the app, which knows people's posts).
                if !all_checked {
                    return Err(err(
                        "checks",
                        "外来人员须凭注明查库的介绍信，经查验无误方可进入金库（第四十一条）",
                        "outsiders need a letter of introduction naming the vault check (art. 41)",
                    ));
                }
                obj(&mut d, "visitors", v.clone().into());
            }
        }
        RecordKind::AtmLoading => {
            if input.asset_id.is_none() {
                return Err(err("asset_id", "请选择ATM", "choose the ATM"));
            }
            d.value = Some(amount(input.number)?);
            if !all_checked && text.is_none() {
                return Err(err("text", "有未完成的加钞步骤时须说明原因", "explain the steps not done"));
            }
            obj(&mut d, "result", (if all_checked { "complete" } else { "incomplete" }).into());
        }
        RecordKind::CounterRoster => {
            let second = input.second_person_id.ok_or_else(|| {
                err(
                    "second_person_id",
                    "请选择另一名临柜人员（第四条：必须坚持双人临柜）",
                    "choose the second person at the counter (art. 4)",
                )
            })?;
            if Some(second) == input.performer_id {
                return Err(err(
                    "second_person_id",
                    "双人临柜须由两个不同的人担任（第四条）",
                    "two different people at the counter (art. 4)",
                ));
            }
            d.second_person = Some(StaffId::new(second));
            obj(&mut d, "result", (if all_checked { "normal" } else { "abnormal" }).into());
        }
        RecordKind::OpeningCheck | RecordKind::ClosingCheck | RecordKind::VaultContentCheck | RecordKind::GunCheck => {
            if !all_checked && text.is_none() {
                return Err(err("text", "有未通过的检查项时须说明情况", "describe the items that failed"));
            }
            if kind == RecordKind::VaultContentCheck && input.asset_id.is_none() {
                return Err(err("asset_id", "请选择金库", "choose the vault"));
            }
            if kind == RecordKind::GunCheck {
                if input.asset_id.is_none() {
                    return Err(err("asset_id", "请选择枪弹柜", "choose the gun cabinet"));
                }
                let pos = d.performer_position.clone().unwrap_or_default();
                if !GUN_CHECKERS.contains(&pos.as_str()) {
                    return Err(err(
                        "performer_position",
                        "请选择检查人的身份：保卫人员或单位领导",
                        "check as security officer or as a leader",
                    ));
                }
            }
            obj(&mut d, "result", (if all_checked { "normal" } else { "abnormal" }).into());
        }
        RecordKind::Visitor => {
            let who = text::bounded(
                "text2",
                "来访人员及单位",
                "Visitor and unit",
                input.text2.as_deref().unwrap_or_default(),
                100,
            )?;
            let why = text.clone().ok_or_else(|| err("text", "请填写来访事由", "state the purpose of the visit"))?;
            if !all_checked {
                return Err(err(
                    "checks",
                    "进入营业室须出示和查验证件（第九条）",
                    "visitors' identity papers must be checked (art. 9)",
                ));
            }
            let head = input.second_person_id.ok_or_else(|| {
                err(
                    "second_person_id",
                    "须由网点负责人陪同方可进入（第九条）",
                    "the outlet head must accompany the visitor (art. 9)",
                )
            })?;
            d.second_person = Some(StaffId::new(head));
            obj(&mut d, "visitor", who.into());
            obj(&mut d, "purpose", why.into());
        }
        RecordKind::LargeWithdrawal => {
            d.value = Some(amount(input.number)?);
            if !all_checked && text.is_none() {
                return Err(err(
                    "text",
                    "未进行安全提示的须说明原因（第七条）",
                    "explain why no prompt was given (art. 7)",
                ));
            }
            obj(&mut d, "prompted", all_checked.into());
        }
        RecordKind::InterlockOpen => {}
        RecordKind::NightCheck => {
            if input.asset_id.is_none() {
                return Err(err("asset_id", "请选择金库", "choose the vault"));
            }
            let who = text::bounded(
                "text2",
                "检查人员及单位",
                "Checkers and unit",
                input.text2.as_deref().unwrap_or_default(),
                100,
            )?;
            let with = text.clone().ok_or_else(|| {
                err(
                    "text",
                    "请填写陪同的联社领导或保卫部门人员（第十七条）",
                    "name the union leader or security officer accompanying (art. 17)",
                )
            })?;
            if !all_checked {
                return Err(err(
                    "checks",
                    "夜间接受检查必须验明有关证件（第十七条）",
                    "credentials must be verified before a night check (art. 17)",
                ));
            }
            obj(&mut d, "checkers", who.into());
            obj(&mut d, "companion", with.into());
        }
        RecordKind::GunCleaning => {
            if input.asset_id.is_none() {
                return Err(err("asset_id", "请选择枪弹柜", "choose the gun cabinet"));
            }
        }
        RecordKind::WeaponUse => {
            let what = text.clone().ok_or_else(|| err("text", "请填写使用经过", "describe what happened"))?;
            obj(&mut d, "account", what.into());
        }
        // Refused above: their procedures build the draft themselves.
        RecordKind::GunCheckout | RecordKind::MonthlyFacilityReport | RecordKind::InspectionVisit => {}
        // 篇二 四: the security department checks night duty by phone and staff operations by CCTV.
        RecordKind::PhoneCheck | RecordKind::CctvSpotCheck => {
            let target = input
                .target_unit_id
                .ok_or_else(|| err("target_unit_id", "请选择被检查单位", "choose the unit checked"))?;
            d.target_unit = Some(UnitId::new(target));
            if kind == RecordKind::PhoneCheck {
                let answered =
                    text::bounded("text2", "接听人", "Who answered", input.text2.as_deref().unwrap_or_default(), 40)?;
                let result = input.result.as_deref().unwrap_or_default();
                if !["on_time", "late", "no_answer"].contains(&result) {
                    return Err(err("result", "请选择查岗结果：及时接听、接听迟缓或无人接听", "choose the result"));
                }
                d.subkind = Some(result.to_owned());
                obj(&mut d, "answered_by", answered.into());
                obj(&mut d, "result", result.into());
            } else {
                let found =
                    text.clone().ok_or_else(|| err("text", "请填写抽查情况", "describe what the check found"))?;
                obj(&mut d, "found", found.into());
            }
        }
        RecordKind::KeyCustodyCheck | RecordKind::GunCustodyCheck => {
            if input.asset_id.is_none() {
                return Err(err("asset_id", "请选择金库或枪弹柜", "choose the vault or gun cabinet"));
            }
        }
        RecordKind::LiveFireTraining => {
            if people.is_empty() {
                return Err(err("people", "请选择参训人员", "choose who trained"));
            }
            obj(&mut d, "participants", people.clone().into());
        }
    }
    let has_main_text = ["reason", "plan", "minutes"].iter().any(|k| d.data.get(*k).is_some());
    if let (Some(t), false) = (&text, has_main_text) {
        obj(&mut d, "notes", t.clone().into());
    }
    Ok(d)
}

/// Posts that may check guns and ammunition: the security department weekly, leaders monthly (第四篇 一、(3)).
pub const GUN_CHECKERS: [&str; 4] = ["security_officer", "chairman", "director", "deputy_in_charge"];

fn interlock_reason() -> DomainError {
    err(
        "subkind",
        "防尾随门双开程序仅限接送款、接受检查时使用（第五篇 第10题）",
        "both interlock doors may open only for a cash handover or an inspection",
    )
}

fn weapon_case() -> DomainError {
    err("subkind", "须注明属于第五十四条所列四种情形中的哪一种", "name which of the four cases of art. 54 applied")
}

/// An amount of money in whole yuan.
fn amount(n: Option<f64>) -> Result<i64, DomainError> {
    let n = n.ok_or_else(|| err("number", "请填写金额（元）", "enter the amount in yuan"))?;
    if !(1.0..=1.0e12).contains(&n) || n.fract() != 0.0 {
        return Err(err("number", "金额须为正的整数（元）", "the amount must be a positive whole number of yuan"));
    }
    Ok(n as i64)
}

/// Is this a photo we accept (JPEG, PNG, GIF, WebP or HEIC), judged by its first bytes, not its name?
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.len() > 12
        && &bytes[4..8] == b"ftyp"
        && matches!(&bytes[8..12], b"heic" | b"heix" | b"mif1" | b"heif")
    {
        Some("image/heic")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: &str) -> RecordInput {
        RecordInput { kind: kind.into(), ..Default::default() }
    }

    #[test]
    fn an_atm_patrol_needs_its_atm_and_an_abnormal_one_needs_words() {
        assert_eq!(parse(&input("atm_patrol")).map_err(|e| e.field), Err("asset_id"));
        let ok = RecordInput {
            asset_id: Some(1),
            checks: vec!["appearance_ok".into(), "no_skimmer".into(), "notice_ok".into()],
            ..input("atm_patrol")
        };
        assert_eq!(parse(&ok).map(|d| d.data["result"].clone()), Ok("normal".into()));
        let bad = RecordInput { result: Some("abnormal".into()), ..ok };
        assert_eq!(parse(&bad).map_err(|e| e.field), Err("text"));
    }

    #[test]
    fn a_duty_log_needs_two_different_people() {
        let one =
            RecordInput { asset_id: Some(1), performer_id: Some(5), second_person_id: Some(5), ..input("duty_log") };
        assert_eq!(parse(&one).map_err(|e| e.field), Err("second_person_id"));
        let two = RecordInput { second_person_id: Some(6), ..one };
        assert!(parse(&two).is_ok());
    }

    #[test]
    fn playback_access_unrelated_to_business_needs_the_heads_consent() {
        let r = RecordInput {
            unit_id: Some(1),
            text: Some("查看纠纷".into()),
            text2: Some("派出所 李警官".into()),
            result: Some("other".into()),
            ..input("cctv_access")
        };
        assert_eq!(parse(&r).map_err(|e| e.field), Err("second_person_id"));
        let business = RecordInput { result: Some("business".into()), ..r.clone() };
        assert!(parse(&business).is_ok());
        let consented = RecordInput { second_person_id: Some(3), ..r };
        assert!(parse(&consented).is_ok());
    }

    #[test]
    fn a_person_listed_twice_is_refused() {
        let r = RecordInput {
            unit_id: Some(1),
            subkind: Some("fire".into()),
            text: Some("方案".into()),
            text2: Some("部署".into()),
            people: vec![3, 4, 3],
            ..input("drill")
        };
        assert_eq!(parse(&r).map_err(|e| e.field), Err("people"));
    }

    #[test]
    fn retention_days_must_be_a_plausible_whole_number() {
        let r = RecordInput { unit_id: Some(1), number: Some(-3.0), ..input("cctv_check") };
        assert!(parse(&r).is_err());
        let r = RecordInput { number: Some(30.0), ..r };
        assert_eq!(parse(&r).map(|d| d.value), Ok(Some(30)));
    }

    #[test]
    fn an_inspection_visit_cannot_be_typed_in_and_says_where_it_comes_from() {
        let e = parse(&input("inspection_visit")).unwrap_err();
        assert_eq!(e.field, "kind");
        assert!(e.message.contains("检查人签字并经被检查单位负责人确认后自动生成"), "{}", e.message);
        assert!(parse(&input("gun_checkout")).is_err());
    }

    #[test]
    fn photos_are_recognised_by_their_bytes() {
        assert_eq!(image_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(image_type(b"%PDF-1.7"), None);
        assert_eq!(image_type(b"MZ\x90\x00"), None);
    }
}
