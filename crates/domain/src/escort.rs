//! Cash-in-transit escort (ESC-1..3): the crew's kit, the cases of the emergency plan an event is recorded against
//! (with the plan's steps, to show on the phone), and when a trip may close.
use serde::{Deserialize, Serialize};

/// A crew member and the kit checked out to them (ESC-1: guns, body armour, helmets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrewMember {
    pub staff_id: i64,
    pub name: String,
    /// `escort` (押运员) or `driver`.
    pub role: String,
    pub gun: bool,
    pub armour: bool,
    pub helmet: bool,
}

/// An event on the way, each a case of the emergency plan (处置突发事件应急预案 第五章).
pub struct EventKind {
    pub code: &'static str,
    pub label: &'static str,
    pub article: &'static str,
    /// The plan's steps, in order, shown to the crew when the event is recorded.
    pub steps: &'static [&'static str],
}

pub const EVENT_KINDS: [EventKind; 6] = [
    EventKind {
        code: "jam",
        label: "交通堵塞",
        article: "预案 第十九条",
        steps: &["加强戒备", "主动向交警出示有关证件，说明情况", "请求协助，开道放行"],
    },
    EventKind {
        code: "police_check",
        label: "交警检查",
        article: "预案 第二十、二十三条",
        steps: &[
            "保持警惕：汽车不熄火，人员不下车",
            "注意检查人员身份真假；确认假冒的，拒绝检查、尽快脱离并报告",
            "一时不能确认的，停靠在无遮挡、随时能启动的位置，请对方出示证件",
            "对方无理不放行或强行登车的，可口头警告或鸣枪警告，强行驶离并立即报告",
        ],
    },
    EventKind {
        code: "breakdown",
        label: "车辆故障",
        article: "预案 第二十一条",
        steps: &[
            "留一人在车上看守",
            "其余人员下车在周围警戒，不准无关人员接近",
            "短期不能修复的，联系公安或兄弟单位协助，或通知本单位派车接替",
        ],
    },
    EventKind {
        code: "accident",
        label: "交通事故",
        article: "预案 第二十二条",
        steps: &[
            "首先保护好押运物品",
            "一般事故：向交警说明情况，争取先放行后处理",
            "严重事故：立即报告本单位领导和交警、公安",
            "有人员伤亡的，拦截过往车辆送医或拨打120",
            "现场难以控制而交警未到时，向110报警并向本单位报告",
        ],
    },
    EventKind {
        code: "roadblock",
        label: "前方路障",
        article: "预案 第二十四条",
        steps: &[
            "选择合适地点停车，汽车不熄火",
            "押运人员提高警惕、做好防范",
            "情况可疑或危险时人员不下车，迅速倒车或调头驶离，绕行或返回",
            "向有关部门报告",
        ],
    },
    EventKind {
        code: "robbery",
        label: "交接款箱时遭抢",
        article: "预案 第二十五条",
        steps: &[
            "押运人员相互配合，立即报警并奋力还击",
            "驾驶员迅速锁住车门、坚守岗位",
            "网点人员立即报警并参加护款",
            "持枪押运的先鸣枪示警，仍不能制止的可开枪射击；犯罪停止即停止射击",
        ],
    },
];

pub fn event_kind(code: &str) -> Option<&'static EventKind> {
    EVENT_KINDS.iter().find(|k| k.code == code)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TripStatus {
    Planned,
    UnderWay,
    Closed,
}

impl TripStatus {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "planned" => Self::Planned,
            "under_way" => Self::UnderWay,
            "closed" => Self::Closed,
            _ => return None,
        })
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Planned => "待出车",
            Self::UnderWay => "押运途中",
            Self::Closed => "已结束",
        }
    }
}

/// Check the crew before departure (篇五 五): escorts besides the driver, each with gun, body armour and helmet.
/// How many escorts a van needs is not in the regulations, so it is not checked here.
pub fn crew_problems(crew: &[CrewMember]) -> Vec<String> {
    let mut out = Vec::new();
    let escorts: Vec<_> = crew.iter().filter(|c| c.role == "escort").collect();
    if escorts.is_empty() {
        out.push("须有押运人员（驾驶员之外）".to_owned());
    }
    for c in &escorts {
        if !(c.gun && c.armour && c.helmet) {
            out.push(format!("{}未配齐枪支、防弹衣、防弹头盔", c.name));
        }
    }
    out
}
