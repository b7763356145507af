//! Records of an outlet's business day: the ATM, the counter, opening and closing, visitors, large withdrawals and
//! the interlock doors (安全保卫制度 第四–十一条; 第五篇).
use crate::records::spec::*;

const ATM: About = About::Asset { kind: "atm", label: ("ATM", "ATM"), missing: ("请选择ATM", "choose the ATM") };

pub static ATM_PATROL: KindSpec = KindSpec {
    code: "atm_patrol",
    label: ("ATM巡查", "ATM patrol"),
    about: ATM,
    subkinds: Subkinds::NONE,
    checklist: &[
        ("appearance_ok", "外观及周边正常"),
        ("no_skimmer", "无加装可疑装置"),
        ("notice_ok", "告示及监控正常"),
    ],
    unticked: Unticked::Recorded,
    outcome: Outcome::None,
    performer: Need::Optional,
    posts: None,
    second: None,
    subject: Need::Absent,
    results: Results {
        options: &[("normal", "正常", "Normal"), ("abnormal", "发现异常", "Problem found")],
        need: Need::Optional,
        as_subkind: false,
    },
    number: None,
    people: None,
    text: Text::notes(("异常情况说明", "Problem found")),
    text2: Text::NONE,
    photos: Photos::Optional,
    two_person: None,
    checks: &[Check::Spacing],
    procedure: None,
    hook: Hook::AtmPatrol,
};

/// 第五篇 第1题: record first, count together, counterfeit check, loading book, test withdrawal, under video.
pub static ATM_LOADING: KindSpec = KindSpec {
    code: "atm_loading",
    label: ("ATM加钞清机", "ATM cash loading"),
    about: ATM,
    subkinds: Subkinds::NONE,
    checklist: &[
        ("booked_first", "先记账后加钞"),
        ("counted_together", "双人当场清点复核"),
        ("counterfeit_checked", "验钞无假币"),
        ("safe_together", "保险柜同开同闭同加锁"),
        ("loading_book", "已登记清机加钞登记簿"),
        ("test_withdrawal", "管理员已做取款测试交易"),
        ("under_video", "全程在录像监控下"),
    ],
    // 第五篇 第1题 gives the loading as a procedure: a step left out is a breach, recorded as it happened; it is
    // proposed for a penalty and raises a hazard for the outlet to rectify (app::records).
    unticked: Unticked::Breach(Breach {
        violation: "atm_loading_step_missed",
        hazard: true,
        words: (
            "加钞清机须按规程逐步进行：先记账后加钞，双人当场清点复核，验钞，保险柜同开同闭，登记清机加钞登记簿，管理员做取款测试交易，全程在录像监控下（第五篇 第1题）",
            "ATM loading follows every step of the procedure (第五篇 第1题)",
        ),
    }),
    outcome: Outcome::Complete,
    performer: Need::Absent,
    posts: None,
    second: None,
    subject: Need::Absent,
    results: Results::NONE,
    number: Some(Number::amount(("加钞金额（元）", "Amount loaded (yuan)"))),
    people: None,
    text: Text::notes(("备注", "Notes")),
    text2: Text::NONE,
    photos: Photos::None,
    two_person: Some("自助机具装入或取出现钞时，必须双人（密码、钥匙掌管人员）会同（第五篇 第1题）"),
    checks: &[Check::KeyAndCode],
    procedure: None,
    hook: Hook::None,
};

/// 第四条: always two at the counter; the back doors locked behind them.
pub static COUNTER_ROSTER: KindSpec = KindSpec {
    code: "counter_roster",
    label: ("双人临柜登记", "Counter staffing (two at the counter)"),
    about: About::Unit,
    subkinds: Subkinds::NONE,
    checklist: &[("back_door_locked", "营业场所边后门随手关锁")],
    unticked: Unticked::Recorded,
    outcome: Outcome::Normal,
    performer: Need::Required(("请选择执行人", "choose who did it")),
    posts: None,
    second: Some(Second {
        label: ("另一名临柜人员", "Second person at the counter"),
        need: Need::Required((
            "请选择另一名临柜人员（第四条：必须坚持双人临柜）",
            "choose the second person at the counter (art. 4)",
        )),
        distinct: Some(("双人临柜须由两个不同的人担任（第四条）", "two different people at the counter (art. 4)")),
        post: None,
        above: false,
        absent: None,
    }),
    subject: Need::Absent,
    results: Results::NONE,
    number: None,
    people: None,
    text: Text::notes(("备注", "Notes")),
    text2: Text::NONE,
    photos: Photos::None,
    two_person: None,
    checks: &[],
    procedure: None,
    hook: Hook::None,
};

const FAILED_ITEMS: Words = ("有未通过的检查项时须说明情况", "describe the items that failed");

/// 第五条
pub static OPENING_CHECK: KindSpec = KindSpec {
    code: "opening_check",
    label: ("营业前检查", "Opening check"),
    about: About::Unit,
    subkinds: Subkinds::NONE,
    checklist: &[
        ("on_time", "营业人员按时到岗"),
        ("weapons_in_place", "自卫武器到位"),
        ("alarm_on", "报警器已开启且正常"),
    ],
    unticked: Unticked::Explained(FAILED_ITEMS),
    outcome: Outcome::Normal,
    performer: Need::Optional,
    posts: None,
    second: None,
    subject: Need::Absent,
    results: Results::NONE,
    number: None,
    people: None,
    text: Text::notes(("未通过项目说明", "Items that failed")),
    text2: Text::NONE,
    photos: Photos::None,
    two_person: None,
    checks: &[],
    procedure: None,
    hook: Hook::None,
};

/// 第十一条
pub static CLOSING_CHECK: KindSpec = KindSpec {
    code: "closing_check",
    label: ("营业终了检查", "Closing check"),
    about: About::Unit,
    subkinds: Subkinds::NONE,
    checklist: &[
        ("cash_in_vault", "现金、有价单证入库"),
        ("vouchers_seals_in_vault", "重要空白凭证、印章入库"),
        ("books_in_vault", "账册、传票、押数机、电脑盘片入库"),
        ("power_off", "营业室电源已切断"),
        ("doors_windows_closed", "门窗已关好"),
        // 第五十三条 "寄库的网点，班后必须妥善保管好自卫武器": asked of every outlet at closing, as the weapons stay.
        ("weapons_secured", "自卫武器已妥善保管"),
    ],
    // 第十一条's items left undone are explained; an unsecured weapon after hours is a breach of 第五十三条.
    unticked: Unticked::PerItem {
        explain: Some(FAILED_ITEMS),
        breaches: &[(
            "weapons_secured",
            Breach {
                violation: "weapon_unsecured",
                hazard: false,
                words: (
                    "班后必须妥善保管好自卫武器，防止丢失、被盗（第五十三条）",
                    "self-defence weapons are secured after hours (art. 53)",
                ),
            },
        )],
    },
    outcome: Outcome::Normal,
    performer: Need::Optional,
    posts: None,
    second: None,
    subject: Need::Absent,
    results: Results::NONE,
    number: None,
    people: None,
    text: Text::notes(("未通过项目说明", "Items that failed")),
    text2: Text::NONE,
    photos: Photos::None,
    two_person: None,
    checks: &[],
    procedure: None,
    hook: Hook::None,
};

/// 第九条: papers checked, and the outlet head accompanies.
pub static VISITOR: KindSpec = KindSpec {
    code: "visitor",
    label: ("营业室来访登记", "Business-room visitor"),
    about: About::Unit,
    subkinds: Subkinds::NONE,
    checklist: &[("id_checked", "已查验证件")],
    unticked: Unticked::Breach(Breach {
        violation: "visitor_unchecked",
        hazard: false,
        words: ("进入营业室须出示和查验证件（第九条）", "visitors' identity papers must be checked (art. 9)"),
    }),
    outcome: Outcome::None,
    performer: Need::Required(("请选择执行人", "choose who did it")),
    posts: None,
    second: Some(Second {
        label: ("陪同的网点负责人", "Outlet head accompanying"),
        need: Need::Optional,
        distinct: None,
        above: false,
        post: Some((
            &[crate::staff::Position::Director],
            ("陪同来访人员的须为网点负责人（第九条）", "the visitor must be accompanied by the outlet head (art. 9)"),
        )),
        absent: Some(Breach {
            violation: "visitor_unchecked",
            hazard: false,
            words: ("须由网点负责人陪同方可进入（第九条）", "the outlet head must accompany the visitor (art. 9)"),
        }),
    }),
    subject: Need::Absent,
    results: Results::NONE,
    number: None,
    people: None,
    text: Text::required(("来访事由", "Purpose"), "purpose", ("请填写来访事由", "state the purpose of the visit")),
    text2: Text::line(
        ("来访人员及单位、证件", "Visitor, unit and papers"),
        ("来访人员及单位", "Visitor and unit"),
        "visitor",
        100,
        ("来访人员及单位不能为空", "Visitor and unit is required"),
    ),
    photos: Photos::None,
    two_person: None,
    checks: &[],
    procedure: None,
    hook: Hook::None,
};

/// 第七条: a safety prompt for every withdrawal at or above the rulebook's amount.
pub static LARGE_WITHDRAWAL: KindSpec = KindSpec {
    code: "large_withdrawal",
    label: ("大额取款安全提示", "Large-withdrawal safety prompt"),
    about: About::Unit,
    subkinds: Subkinds::NONE,
    checklist: &[("prompt_given", "已进行安全提示")],
    unticked: Unticked::Explained(("未进行安全提示的须说明原因（第七条）", "explain why no prompt was given (art. 7)")),
    outcome: Outcome::Prompted,
    performer: Need::Optional,
    posts: None,
    second: None,
    subject: Need::Absent,
    results: Results::NONE,
    number: Some(Number::amount(("取款金额（元）", "Amount (yuan)"))),
    people: None,
    text: Text::notes(("备注", "Notes")),
    text2: Text::NONE,
    photos: Photos::None,
    two_person: None,
    checks: &[Check::LargeWithdrawal],
    procedure: None,
    hook: Hook::None,
};

/// 第五篇 第10题: only cash handover and inspection justify opening both interlock doors at once.
pub static INTERLOCK_OPEN: KindSpec = KindSpec {
    code: "interlock_open",
    label: ("防尾随门双开登记", "Interlock door dual-open"),
    about: About::Unit,
    subkinds: Subkinds::or_breach(
        &[("cash_handover", "接送款"), ("inspection", "接受检查"), ("other", "其他情况（违规双开）")],
        ("请选择双开事由", "choose why both doors were opened"),
        (
            "other",
            Breach {
                violation: "interlock_misuse",
                hazard: false,
                words: (
                    "防尾随门双开程序仅限接送款、接受检查时使用（第五篇 第10题）",
                    "both interlock doors may open only for a cash handover or an inspection",
                ),
            },
        ),
    ),
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
    text: Text::notes(("情况说明", "Notes")),
    text2: Text::NONE,
    photos: Photos::None,
    two_person: None,
    checks: &[],
    procedure: None,
    hook: Hook::None,
};
