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
    pub const ALL: [RecordKind; 11] = [
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
        }
    }

    pub fn about(self) -> About {
        match self {
            RecordKind::AtmPatrol => About::Asset("atm"),
            RecordKind::DutyLog => About::Asset("vault"),
            RecordKind::QualificationReview => About::Person,
            RecordKind::InspectionVisit => About::TargetUnit,
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
        _ => &[],
    }
}

/// Parse and check a record's input. People's posts and scope are checked by the app against the store.
pub fn parse(input: &RecordInput) -> Result<RecordDraft, DomainError> {
    let kind = RecordKind::parse(&input.kind)?;
    let subkind = match input.subkind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None if kind.subkinds().is_empty() || kind == RecordKind::CctvReview => None,
        None => return Err(err("subkind", "请选择类别", "choose the sub-kind")),
        Some(s) => {
            if !kind.subkinds().iter().any(|(c, _)| *c == s) {
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
        RecordKind::InspectionVisit => {
            let target = input
                .target_unit_id
                .ok_or_else(|| err("target_unit_id", "请选择被检查单位", "choose the unit inspected"))?;
            d.target_unit = Some(UnitId::new(target));
            if d.performer_position.is_none() {
                return Err(err("performer_position", "请选择检查人的身份", "choose the inspector's post"));
            }
        }
        RecordKind::RespLetter => {
            if input.performer_id.is_none() {
                return Err(err("performer_id", "请选择签订人", "choose who signed"));
            }
        }
    }
    let has_main_text = ["reason", "plan", "minutes"].iter().any(|k| d.data.get(*k).is_some());
    if let (Some(t), false) = (&text, has_main_text) {
        obj(&mut d, "notes", t.clone().into());
    }
    Ok(d)
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
    fn photos_are_recognised_by_their_bytes() {
        assert_eq!(image_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(image_type(b"%PDF-1.7"), None);
        assert_eq!(image_type(b"MZ\x90\x00"), None);
    }
}
