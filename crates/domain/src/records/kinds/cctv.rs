//! Records of the CCTV: the daily check, playback reviews, playback access and the security department's spot checks
//! (安全保卫制度 第四十三–四十六条; 篇二 四).
use crate::records::spec::*;
use crate::staff::Position;

/// 第四十四条 "监控录像每天必须提前开机、延迟关机".
const NOT_RECORDING: Breach = Breach {
    violation: "cctv_not_recording",
    hazard: false,
    words: (
        "监控录像每天必须提前开机、延迟关机（第四十四条）",
        "the CCTV records from before opening until after closing every day (art. 44)",
    ),
};

pub static CCTV_CHECK: KindSpec = KindSpec {
    code: "cctv_check",
    label: ("监控设备日常检查", "CCTV daily check"),
    about: About::Unit,
    subkinds: Subkinds::NONE,
    checklist: &[
        ("screens_ok", "显示屏正常"),
        ("channels_ok", "各路图像正常"),
        ("clock_ok", "系统时间准确"),
        ("audio_ok", "音频正常"),
        // 第四十四条 "监控录像每天必须提前开机、延迟关机".
        ("started_before_opening", "营业前已提前开机录像"),
        ("stopped_after_closing", "营业终了后延迟关机"),
    ],
    // The equipment items are findings (a faulty screen is recorded as such); starting before opening and stopping
    // after closing are duties of 第四十四条, so leaving them out is a breach recorded with the check.
    unticked: Unticked::PerItem {
        explain: None,
        breaches: &[("started_before_opening", NOT_RECORDING), ("stopped_after_closing", NOT_RECORDING)],
    },
    outcome: Outcome::None,
    performer: Need::Optional,
    posts: None,
    second: None,
    subject: Need::Absent,
    results: Results::NONE,
    // The retention a rule tests against the rulebook's minimum.
    number: Some(Number {
        label: ("录像保存天数", "Days of recordings kept"),
        missing: ("请填写录像保存天数", "enter the retention days"),
        min: 0.0,
        max: 3650.0,
        whole: true,
        scale: 1.0,
        out_of_range: ("录像保存天数须为0–3650之间的整数", "retention days: a whole number 0–3650"),
    }),
    people: None,
    text: Text::notes(("备注", "Notes")),
    text2: Text::NONE,
    photos: Photos::None,
    two_person: None,
    checks: &[],
    procedure: None,
    hook: Hook::None,
};

/// Playback is reviewed by the CCTV administrator and by the outlet head, each counting for their own rule: the post
/// the reviewer acts in is the record's sub-kind.
pub static CCTV_REVIEW: KindSpec = KindSpec {
    code: "cctv_review",
    label: ("录像回放检查", "CCTV playback review"),
    about: About::Unit,
    subkinds: Subkinds::choose(&[("cctv_admin", "监控管理员回放"), ("director", "网点负责人回放")]),
    checklist: &[],
    unticked: Unticked::Recorded,
    outcome: Outcome::None,
    performer: Need::Required(("请选择执行人", "choose who did it")),
    posts: Some(Posts {
        allowed: &[Position::CctvAdmin, Position::Director],
        wrong: ("请选择回放人的身份：监控管理员或网点负责人", "review as CCTV administrator or outlet head"),
        as_subkind: true,
    }),
    second: None,
    subject: Need::Absent,
    results: Results::NONE,
    number: None,
    people: None,
    text: Text::required(
        ("回放检查情况（查看时段、发现的问题）", "What the review covered and found"),
        "notes",
        ("请填写回放检查情况", "describe what the review found"),
    ),
    text2: Text::NONE,
    photos: Photos::None,
    two_person: None,
    checks: &[],
    procedure: None,
    hook: Hook::None,
};

/// 第四十六条: who asked to see recordings and why; access unrelated to business needs the outlet head's consent.
pub static CCTV_ACCESS: KindSpec = KindSpec {
    code: "cctv_access",
    label: ("录像调阅登记", "CCTV playback access"),
    about: About::Unit,
    subkinds: Subkinds::NONE,
    checklist: &[],
    unticked: Unticked::Recorded,
    outcome: Outcome::None,
    performer: Need::Absent,
    posts: None,
    second: Some(Second {
        label: (
            "同意调阅的网点负责人（与业务无关时必填）",
            "Outlet head consenting (required when unrelated to business)",
        ),
        // Required unless the access is business-related: the hook says so.
        need: Need::Optional,
        distinct: None,
        above: false,
        post: Some((
            &[Position::Director],
            ("同意调阅的须为网点负责人（第四十六条）", "consent must come from the outlet head (art. 46)"),
        )),
        absent: None,
    }),
    subject: Need::Absent,
    results: Results {
        options: &[("business", "因业务调阅", "Business-related"), ("other", "与业务无关", "Not business-related")],
        need: Need::Optional,
        as_subkind: false,
    },
    number: None,
    people: None,
    text: Text::required(("调阅事由", "Reason"), "reason", ("请填写调阅事由", "state the reason")),
    text2: Text::line(
        ("调阅人及单位", "Requester and unit"),
        ("调阅人及单位", "Requester"),
        "requester",
        100,
        ("调阅人及单位不能为空", "Requester is required"),
    ),
    photos: Photos::None,
    two_person: None,
    checks: &[],
    procedure: None,
    hook: Hook::PlaybackAccess,
};

/// 篇二 四: the security department checks staff operations on the CCTV of the units below it.
pub static CCTV_SPOT_CHECK: KindSpec = KindSpec {
    code: "cctv_spot_check",
    label: ("监控抽查员工操作", "CCTV spot check of staff operations"),
    about: About::TargetUnit,
    subkinds: Subkinds::NONE,
    checklist: &[],
    unticked: Unticked::Recorded,
    outcome: Outcome::None,
    performer: Need::Required(("请选择执行人", "choose who did it")),
    posts: None,
    second: None,
    subject: Need::Absent,
    results: Results::NONE,
    number: None,
    people: None,
    text: Text::required(
        ("抽查情况（时段、员工操作是否规范）", "What the check found"),
        "found",
        ("请填写抽查情况", "describe what the check found"),
    ),
    text2: Text::NONE,
    photos: Photos::None,
    two_person: None,
    checks: &[],
    procedure: None,
    hook: Hook::None,
};
