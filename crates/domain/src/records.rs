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

mod parse;
pub use parse::*;
