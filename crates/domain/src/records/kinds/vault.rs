//! Records of the vault: night duty, entries, night checks by superiors, the contents check and the custody check of
//! its keys and codes (安全保卫制度 第十二–十七条, 第三十八–四十一条; 第五篇 第8题).
use crate::records::spec::*;
use crate::staff::Position;

const VAULT: About =
    About::Asset { kind: "vault", label: ("金库", "Vault"), missing: ("请选择金库", "choose the vault") };

/// The two who sign in for a vault procedure are told why.
const TWO_IN_THE_VAULT: &str = "金库必须两名员工同时管理，同进、同出、同操作（第五篇 第8题）";

/// 第十二–十四条: two guards each night, the two the roster names.
pub static DUTY_LOG: KindSpec = KindSpec {
    code: "duty_log",
    label: ("值班记录", "Duty log"),
    about: About::Asset { kind: "vault", label: ("库房", "Vault"), missing: ("请选择库房", "choose the vault") },
    subkinds: Subkinds::NONE,
    checklist: &[
        ("on_time", "按时到岗"),
        ("perimeter_patrol", "进库前巡视周边"),
        ("weapons_checked", "检查自卫器械"),
        ("alarms_armed", "营业厅及库房报警设防"),
    ],
    // Each item is a duty of the guards (第十三条 按时到岗、巡视后方可进库; 第十六条 检查自卫武器、报警设防): one left
    // out is recorded as it happened and flagged, and leaves a hazard for the outlet to put right (an alarm not armed,
    // a weapon not checked is the vault's exposure until its practice is corrected), as a loading with a step missed.
    unticked: Unticked::Breach(Breach {
        violation: "vault_duty_step_missed",
        hazard: true,
        words: (
            "守库人员必须按时到岗，巡视网点内外确认无异常后方可进库值守；进入值班室后检查自卫武器，并将营业厅和金库报警设防（第十三条、第十六条）",
            "vault guards arrive on time, patrol before entering, check the weapons and arm the alarms (arts. 13, 16)",
        ),
    }),
    outcome: Outcome::None,
    performer: Need::Required(("请选择执行人", "choose who did it")),
    posts: None,
    second: Some(Second {
        label: ("同班值守人员", "Second person on duty"),
        need: Need::Required(("请选择同班值守人员", "choose the second person on duty")),
        distinct: Some(("值班须由两个不同的人担任（第十二条）", "duty needs two different people (art. 12)")),
        post: None,
        above: false,
        absent: None,
    }),
    subject: Need::Absent,
    results: Results::NONE,
    number: None,
    people: None,
    text: Text::notes(("值班期间情况", "Events during the duty")),
    text2: Text::more(("交接情况", "Handover"), "handover"),
    photos: Photos::None,
    two_person: None,
    checks: &[Check::DutyRoster, Check::DutyWithoutKey],
    procedure: None,
    hook: Hook::None,
};

/// 第四十一条: why the vault is entered; outsiders only with a letter naming the vault check.
pub static VAULT_ENTRY: KindSpec = KindSpec {
    code: "vault_entry",
    label: ("金库出入登记", "Vault entry"),
    about: VAULT,
    subkinds: Subkinds::choose(&[("routine", "营业时间内正常出入"), ("emergency", "非营业时间紧急出入")]),
    checklist: &[("letter_checked", "外来人员的查库介绍信已查验（无外来人员可不勾）")],
    unticked: Unticked::BreachWithText2(Breach {
        violation: "vault_outsider_unchecked",
        hazard: false,
        words: (
            "外来人员须凭注明查库的介绍信，经查验无误方可进入金库（第四十一条）",
            "outsiders need a letter of introduction naming the vault check (art. 41)",
        ),
    }),
    outcome: Outcome::None,
    performer: Need::Absent,
    posts: None,
    second: None,
    subject: Need::Absent,
    results: Results::NONE,
    number: None,
    people: None,
    text: Text::required(
        ("出入事由（紧急出入须写明紧急情况）", "Purpose (for an emergency, what happened)"),
        "purpose",
        ("请填写出入金库的事由", "state why the vault is entered"),
    ),
    text2: Text::more(("外来人员及介绍信（无则不填）", "Outsiders and their letter (if any)"), "visitors"),
    photos: Photos::None,
    two_person: Some(TWO_IN_THE_VAULT),
    checks: &[Check::VaultHours, Check::KeyAndCode],
    procedure: None,
    hook: Hook::None,
};

/// 第十七条: superiors checking the vault at night show their papers, come with a union leader or security officer
/// of the staff records (a person of the units above), and only in a special case, which is stated.
pub static NIGHT_CHECK: KindSpec = KindSpec {
    code: "night_check",
    label: ("夜间查库查岗登记", "Night check by superiors"),
    about: VAULT,
    subkinds: Subkinds::NONE,
    checklist: &[("credential_verified", "已验明检查人员证件")],
    unticked: Unticked::Breach(Breach {
        violation: "night_check_unverified",
        hazard: false,
        words: (
            "夜间接受检查必须验明有关证件（第十七条）",
            "credentials must be verified before a night check (art. 17)",
        ),
    }),
    outcome: Outcome::None,
    performer: Need::Absent,
    posts: None,
    second: Some(Second {
        label: ("陪同的联社领导或保卫部门人员", "Union leader or security officer accompanying"),
        need: Need::Required((
            "请选择陪同的联社领导或保卫部门人员（第十七条）",
            "choose the union leader or security officer accompanying (art. 17)",
        )),
        distinct: None,
        post: Some((
            &[Position::Chairman, Position::Director, Position::DeputyInCharge, Position::SecurityOfficer],
            (
                "陪同夜间检查的须为联社领导或保卫部门人员（第十七条）",
                "a night check is accompanied by a union leader or security officer (art. 17)",
            ),
        )),
        above: true,
        absent: None,
    }),
    subject: Need::Absent,
    results: Results::NONE,
    number: None,
    people: None,
    // 第十七条 "非特殊情况夜间一律不查库": the special case is stated, or there is no night check.
    text: Text::required(
        ("夜间查库的特殊情况（非特殊情况夜间一律不查库）", "The special case for a night check"),
        "special_case",
        (
            "请写明夜间查库的特殊情况（第十七条：非特殊情况夜间一律不查库）",
            "state the special case: no night check of the vault without one (art. 17)",
        ),
    ),
    text2: Text::line(
        ("检查人员及单位", "Checkers and unit"),
        ("检查人员及单位", "Checkers and unit"),
        "checkers",
        100,
        ("检查人员及单位不能为空", "Checkers and unit is required"),
    ),
    photos: Photos::None,
    two_person: None,
    checks: &[],
    procedure: None,
    hook: Hook::None,
};

/// 第三十八–四十条
pub static VAULT_CONTENT_CHECK: KindSpec = KindSpec {
    code: "vault_content_check",
    label: ("金库内务检查", "Vault contents check"),
    about: VAULT,
    subkinds: Subkinds::NONE,
    checklist: &[
        ("no_hazards", "无易燃、易爆等危险物品"),
        ("no_private_items", "无私人物品、杂物"),
        ("tidy", "库内安全、整洁"),
        ("facilities_ok", "振动报警、监控、110报警、防潮设施正常"),
    ],
    unticked: Unticked::Explained(("有未通过的检查项时须说明情况", "describe the items that failed")),
    outcome: Outcome::Normal,
    performer: Need::Optional,
    posts: None,
    second: None,
    subject: Need::Absent,
    results: Results::NONE,
    number: None,
    people: None,
    text: Text::notes(("发现的问题", "Problems found")),
    text2: Text::NONE,
    photos: Photos::Optional,
    two_person: None,
    checks: &[],
    procedure: None,
    hook: Hook::None,
};

/// The monthly check that the vault's key and code are held apart by the two registered holders.
pub static KEY_CUSTODY_CHECK: KindSpec = KindSpec {
    code: "vault_key_custody",
    label: ("钥匙密码分管核对", "Key and code custody check"),
    about: VAULT,
    subkinds: Subkinds::NONE,
    checklist: &[],
    unticked: Unticked::Recorded,
    outcome: Outcome::None,
    performer: Need::Absent,
    posts: None,
    second: None,
    subject: Need::Absent,
    results: Results::NONE,
    number: None,
    people: None,
    text: Text::notes(("核对情况", "Notes")),
    text2: Text::NONE,
    photos: Photos::None,
    two_person: Some(TWO_IN_THE_VAULT),
    checks: &[Check::KeyAndCode],
    procedure: None,
    hook: Hook::None,
};
