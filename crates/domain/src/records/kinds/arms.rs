//! Records of guns and ammunition: checks, cleaning, use of a weapon, live-fire training, the custody check and the
//! issue on checkout (安全保卫制度 第四篇; 第五十四条).
use crate::records::spec::*;
use crate::staff::Position;

const CABINET: About = About::Asset {
    kind: "gun_cabinet",
    label: ("枪弹柜", "Gun cabinet"),
    missing: ("请选择枪弹柜", "choose the gun cabinet"),
};

/// 第四篇 一、(3): the security department checks weekly, leaders monthly.
pub static GUN_CHECK: KindSpec = KindSpec {
    code: "gun_check",
    label: ("枪弹检查", "Gun and ammunition check"),
    about: CABINET,
    subkinds: Subkinds::NONE,
    checklist: &[
        ("count_matches", "枪弹数量与登记相符"),
        ("kept_apart", "枪弹分柜分人保管"),
        ("condition_ok", "性能良好"),
        ("register_ok", "领用交接登记齐全"),
    ],
    unticked: Unticked::Explained(("有未通过的检查项时须说明情况", "describe the items that failed")),
    outcome: Outcome::Normal,
    performer: Need::Required(("请选择执行人", "choose who did it")),
    posts: Some(Posts {
        allowed: &[Position::SecurityOfficer, Position::Chairman, Position::Director, Position::DeputyInCharge],
        wrong: ("请选择检查人的身份：保卫人员或单位领导", "check as security officer or as a leader"),
        as_subkind: false,
    }),
    second: None,
    subject: Need::Absent,
    results: Results::NONE,
    number: None,
    people: None,
    text: Text::notes(("发现的问题", "Problems found")),
    text2: Text::NONE,
    photos: Photos::None,
    two_person: None,
    checks: &[],
    procedure: None,
    hook: Hook::None,
};

pub static GUN_CLEANING: KindSpec = KindSpec {
    code: "gun_cleaning",
    label: ("枪支擦拭保养", "Gun cleaning and maintenance"),
    about: CABINET,
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
    text: Text::notes(("保养情况", "What was done")),
    text2: Text::NONE,
    photos: Photos::None,
    two_person: None,
    checks: &[],
    procedure: None,
    hook: Hook::None,
};

/// 第五十四条 ㈠–㈣: the only four cases in which a self-defence weapon may be used.
pub static WEAPON_USE: KindSpec = KindSpec {
    code: "weapon_use",
    label: ("自卫武器使用报告", "Use-of-weapon report"),
    about: About::Unit,
    subkinds: Subkinds::only(
        &[
            ("case_1", "㈠遇到犯罪分子袭击，非使用自卫武器不能制止时"),
            ("case_2", "㈡国家和集体财产遭到暴力威胁，非使用自卫武器不能制止时"),
            ("case_3", "㈢为保护国家和集体财产与犯罪分子搏斗时"),
            ("case_4", "㈣依法协助公安机关抓捕或制服犯罪分子时"),
        ],
        ("须注明属于第五十四条所列四种情形中的哪一种", "name which of the four cases of art. 54 applied"),
    ),
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
    text: Text::required(("使用经过", "What happened"), "account", ("请填写使用经过", "describe what happened")),
    text2: Text::NONE,
    photos: Photos::Optional,
    two_person: None,
    checks: &[],
    procedure: None,
    hook: Hook::None,
};

/// 第五十一条 "除执行押运任务外，不准带出网点" and 第五十二条 "办理领用、交接手续": each time a self-defence weapon
/// leaves the outlet, who took it and why. Taken out for anything but an escort is recorded as it happened and
/// flagged.
pub static WEAPON_OUT: KindSpec = KindSpec {
    code: "weapon_out",
    label: ("自卫武器带出登记", "Weapon taken out of the outlet"),
    about: About::Unit,
    subkinds: Subkinds::or_breach(
        &[("escort", "执行押运任务"), ("other", "其他事由（违规带出）")],
        ("请选择带出事由", "choose why the weapon left the outlet"),
        (
            "other",
            Breach {
                violation: "weapon_taken_out",
                hazard: false,
                words: (
                    "自卫武器除执行押运任务外，不准带出网点（第五十一条）",
                    "a self-defence weapon leaves the outlet only on an escort (art. 51)",
                ),
            },
        ),
    ),
    checklist: &[("returned", "已交回并办理交接手续")],
    unticked: Unticked::Recorded,
    outcome: Outcome::None,
    performer: Need::Required(("请选择带出人", "choose who took it out")),
    posts: None,
    second: None,
    subject: Need::Absent,
    results: Results::NONE,
    number: None,
    people: None,
    text: Text::required(
        ("武器名称、去向及事由", "Weapon, destination and reason"),
        "reason",
        ("请填写武器名称、去向及事由", "name the weapon, where it went and why"),
    ),
    text2: Text::NONE,
    photos: Photos::None,
    two_person: None,
    checks: &[],
    procedure: None,
    hook: Hook::None,
};

pub static LIVE_FIRE_TRAINING: KindSpec = KindSpec {
    code: "live_fire_training",
    label: ("射击训练", "Live-fire training"),
    about: About::Unit,
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
    people: Some(People {
        label: ("参训人员", "Trainees"),
        key: "participants",
        missing: ("请选择参训人员", "choose who trained"),
    }),
    text: Text::notes(("训练情况", "Notes")),
    text2: Text::NONE,
    photos: Photos::Optional,
    two_person: None,
    checks: &[],
    procedure: None,
    hook: Hook::None,
};

/// The monthly check that guns and ammunition are held apart by the two registered key holders.
pub static GUN_CUSTODY_CHECK: KindSpec = KindSpec {
    code: "gun_custody",
    label: ("枪弹分管核对", "Gun and ammunition custody check"),
    about: CABINET,
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
    two_person: Some(
        "严格落实枪弹双人分离保管、枪弹领用和交接登记制度（篇五《全省农村信用社2012年安全保卫工作安排意见》五）",
    ),
    checks: &[Check::GunCustody],
    procedure: None,
    hook: Hook::None,
};

/// Written when an approved checkout is issued (app::arms).
pub static GUN_CHECKOUT: KindSpec = KindSpec {
    code: "gun_checkout",
    label: ("枪弹领用发放", "Gun issued on checkout"),
    about: CABINET,
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
    text: Text::NONE,
    text2: Text::NONE,
    photos: Photos::None,
    two_person: None,
    checks: &[],
    procedure: Some(Procedure {
        why: (
            "枪弹领用记录由领用审批、发放流程生成，不能直接录入",
            "a gun checkout is recorded when the approved issue is made",
        ),
        page: "/arms",
    }),
    hook: Hook::None,
};
