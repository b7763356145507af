//! Emergency plans (EMG-1; 处置突发事件应急预案 第六–二十五条) as data: each plan is an article split into ordered steps
//! with who does what and whom to call (`rulebook/plans.toml`, versioned like the accountability rules). Code holds
//! only the plans' shape, its checks and the contacts a code may name; no plan's content.
use crate::DomainError;
use serde::{Deserialize, Serialize};

labelled_enum!(
    /// The situations a phone page groups the plans by.
    PlanGroup, "group", "预案类别", "plan group" {
        Fire => ("fire", "火灾", "Fire"),
        Counter => ("counter", "临柜", "At the counter"),
        Vault => ("vault", "守库值班", "Vault duty"),
        Escort => ("escort", "押运途中", "Escort"),
    }
);

labelled_enum!(
    /// Whom a step calls: the public numbers, and people the org data names (the unit's leaders, the county union's
    /// leaders and security department, the mutual-defence neighbours).
    Contact, "contact", "联系对象", "contact" {
        Police => ("110", "公安报警 110", "Police 110"),
        FireBrigade => ("119", "火警 119", "Fire 119"),
        Ambulance => ("120", "急救 120", "Ambulance 120"),
        TrafficPolice => ("122", "交通事故 122", "Traffic police 122"),
        UnitLeaders => ("unit_leaders", "本单位负责人", "The unit's leaders"),
        UnionLeaders => ("union_leaders", "联社领导", "The union's leaders"),
        SecurityDept => ("security_dept", "联社保卫部", "The security department"),
        Neighbours => ("neighbours", "联防单位", "Mutual-defence neighbours"),
    }
);

impl Contact {
    /// A public number to dial directly.
    pub fn number(self) -> Option<&'static str> {
        match self {
            Contact::Police | Contact::FireBrigade | Contact::Ambulance | Contact::TrafficPolice => Some(self.code()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Step {
    #[schema(max_length = 40, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub who: String,
    #[serde(default)]
    #[schema(max_length = 80)]
    pub who_en: String,
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub act: String,
    #[serde(default)]
    #[schema(max_length = 400)]
    pub act_en: String,
    /// A contact code when the step is a call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = call)]
    pub call: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Plan {
    /// Unique in the book.
    #[schema(max_length = 40, pattern = r"^[a-z0-9_]+$")]
    pub code: String,
    pub group: PlanGroup,
    #[schema(max_length = 60, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 120)]
    pub title_en: String,
    /// The article(s) it enters, e.g. `预案 第六条`.
    #[schema(max_length = 60, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub article: String,
    /// The article's text.
    #[schema(
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b-\x1f\x7f-\x9f]*$"
    )]
    pub text: String,
    /// Contact codes in order of urgency.
    #[serde(default)]
    #[schema(schema_with = contacts)]
    pub contacts: Vec<String>,
    #[schema(min_items = 1, max_items = 20)]
    pub step: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanBook {
    #[schema(min_items = 1, max_items = 60)]
    pub plan: Vec<Plan>,
}

/// The schema of a contact code, as `Contact::parse` reads it.
fn contact() -> utoipa::openapi::Object {
    use utoipa::openapi::{ObjectBuilder, Type};
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(Contact::ALL.iter().map(|c| c.code()))).build()
}

/// A step's call: a contact code, or null for a step that calls no one.
fn call() -> utoipa::openapi::Schema {
    use utoipa::openapi::{ObjectBuilder, Type, schema::OneOfBuilder};
    utoipa::openapi::Schema::OneOf(
        OneOfBuilder::new().item(contact()).item(ObjectBuilder::new().schema_type(Type::Null)).build(),
    )
}

fn contacts() -> utoipa::openapi::Array {
    utoipa::openapi::ArrayBuilder::new().items(contact()).build()
}

/// Limits, so an edited book stays a phone page.
pub const PLANS_MAX: usize = 60;
pub const STEPS_MAX: usize = 20;

fn bad(field: &'static str, zh: String, en: &str) -> DomainError {
    DomainError::new(field, zh, en)
}

/// An English rendering may be empty; it may run to twice the Chinese limit (English is longer).
fn length_en(field: &'static str, code: &str, v: &str, max: usize) -> Result<(), DomainError> {
    if v.chars().count() > max {
        return Err(bad(field, format!("预案{code}：英文译文不超过{max}字"), "a plan's English text is too long"));
    }
    Ok(())
}

fn length(field: &'static str, code: &str, what: &str, v: &str, max: usize) -> Result<(), DomainError> {
    if v.trim().is_empty() || v.chars().count() > max {
        return Err(bad(
            field,
            format!("预案{code}：{what}不能为空且不超过{max}字"),
            "a plan's text is empty or too long",
        ));
    }
    Ok(())
}

impl PlanBook {
    /// Every plan has a unique code, a title, its article, its text and 1–20 steps; each step says who and what;
    /// every contact and call is a known contact.
    pub fn check(&self) -> Result<(), DomainError> {
        if self.plan.is_empty() || self.plan.len() > PLANS_MAX {
            return Err(bad("plan", format!("预案须有1–{PLANS_MAX}条"), "a plan book has 1–60 plans"));
        }
        let mut codes = std::collections::HashSet::new();
        for p in &self.plan {
            let code = p.code.as_str();
            if code.is_empty()
                || code.len() > 40
                || !code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                return Err(bad(
                    "code",
                    format!("预案代码“{}”须为小写字母、数字或下划线", crate::text::clip(code, 40)),
                    "a plan code is lowercase letters, digits or underscores",
                ));
            }
            if !codes.insert(code) {
                return Err(bad("code", format!("预案代码{code}重复"), "a plan code appears twice"));
            }
            length("title", code, "标题", &p.title, 60)?;
            length_en("title_en", code, &p.title_en, 120)?;
            length("article", code, "条款", &p.article, 60)?;
            length("text", code, "条文", &p.text, 2000)?;
            if p.step.is_empty() || p.step.len() > STEPS_MAX {
                return Err(bad("step", format!("预案{code}须有1–{STEPS_MAX}个步骤"), "a plan has 1–20 steps"));
            }
            for s in &p.step {
                length("who", code, "执行人", &s.who, 40)?;
                length("act", code, "步骤", &s.act, 200)?;
                length_en("who_en", code, &s.who_en, 80)?;
                length_en("act_en", code, &s.act_en, 400)?;
                if let Some(c) = &s.call {
                    Contact::parse(c)?;
                }
            }
            for c in &p.contacts {
                Contact::parse(c)?;
            }
        }
        Ok(())
    }

    pub fn get(&self, code: &str) -> Option<&Plan> {
        self.plan.iter().find(|p| p.code == code)
    }
}

/// One step ticked while a plan is followed: its place (from 1) and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Tick {
    pub step: usize,
    /// Epoch milliseconds, as the phone's clock gave it.
    pub at: i64,
}

/// The ticks of a use of a plan as a phone sends them: each step of the plan at most once, at a time between the
/// start and now (with the phones' drift).
pub fn check_ticks(plan: &Plan, started_at: i64, ticks: &[Tick], now: i64, drift_ms: i64) -> Result<(), DomainError> {
    if started_at > now + drift_ms || started_at < now - 7 * 86_400_000 {
        return Err(bad("started_at", "处置开始时间不正确（须在最近7天内）".into(), "the start is not plausible"));
    }
    let mut seen = std::collections::HashSet::new();
    for t in ticks {
        if t.step == 0 || t.step > plan.step.len() || !seen.insert(t.step) {
            return Err(bad(
                "ticks",
                format!("步骤编号{}不在本预案中或重复", t.step),
                "a step is not in the plan or appears twice",
            ));
        }
        if t.at < started_at - drift_ms || t.at > now + drift_ms {
            return Err(bad(
                "ticks",
                format!("第{}步的时间不在处置期间内", t.step),
                "a step's time is outside the use of the plan",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        Plan {
            code: "fire_business_hours".into(),
            group: PlanGroup::Fire,
            title: "营业期间发生火灾".into(),
            title_en: String::new(),
            article: "预案 第六条".into(),
            text: "营业期间发生火灾,应及时切断电源,向119报警".into(),
            contacts: vec!["119".into(), "unit_leaders".into()],
            step: vec![
                Step {
                    who: "全体人员".into(),
                    who_en: String::new(),
                    act: "切断电源".into(),
                    act_en: String::new(),
                    call: None,
                },
                Step {
                    who: "营业人员".into(),
                    who_en: String::new(),
                    act: "向119报警".into(),
                    act_en: String::new(),
                    call: Some("119".into()),
                },
            ],
        }
    }

    #[test]
    fn a_book_is_checked_for_codes_steps_and_contacts() {
        assert!(PlanBook { plan: vec![plan()] }.check().is_ok());
        assert!(PlanBook { plan: vec![plan(), plan()] }.check().unwrap_err().message.contains("重复"));
        assert!(PlanBook { plan: vec![] }.check().is_err());
        let mut p = plan();
        p.contacts.push("999".into());
        assert!(PlanBook { plan: vec![p] }.check().is_err());
        let mut p = plan();
        p.step[0].call = Some("mayor".into());
        assert!(PlanBook { plan: vec![p] }.check().is_err());
        let mut p = plan();
        p.step.clear();
        assert!(PlanBook { plan: vec![p] }.check().is_err());
        let mut p = plan();
        p.code = "Fire Plan".into();
        assert!(PlanBook { plan: vec![p] }.check().is_err());
        let mut p = plan();
        p.step[1].act = " ".into();
        assert!(PlanBook { plan: vec![p] }.check().is_err());
    }

    #[test]
    fn ticks_are_steps_of_the_plan_once_each_within_the_use() {
        let p = plan();
        let now = 1_000_000_000;
        assert!(
            check_ticks(
                &p,
                now - 60_000,
                &[Tick { step: 1, at: now - 30_000 }, Tick { step: 2, at: now }],
                now,
                600_000
            )
            .is_ok()
        );
        assert!(check_ticks(&p, now - 60_000, &[Tick { step: 3, at: now }], now, 600_000).is_err());
        assert!(check_ticks(&p, now - 60_000, &[Tick { step: 0, at: now }], now, 600_000).is_err());
        assert!(
            check_ticks(&p, now - 60_000, &[Tick { step: 1, at: now }, Tick { step: 1, at: now }], now, 600_000)
                .is_err()
        );
        assert!(check_ticks(&p, now - 60_000, &[Tick { step: 1, at: now + 700_000 }], now, 600_000).is_err());
        assert!(check_ticks(&p, now - 60_000, &[Tick { step: 1, at: now - 700_000 }], now, 600_000).is_err());
        assert!(check_ticks(&p, now + 700_000, &[], now, 600_000).is_err());
        assert!(check_ticks(&p, now - 8 * 86_400_000, &[], now, 600_000).is_err());
    }

    #[test]
    fn the_books_limits_hold_at_their_edges() {
        let ok = |b: PlanBook| b.check().is_ok();
        let with = |f: &dyn Fn(&mut Plan)| {
            let mut p = plan();
            f(&mut p);
            PlanBook { plan: vec![p] }
        };
        assert!(ok(with(&|p| p.title = "字".repeat(60))));
        assert!(!ok(with(&|p| p.title = "字".repeat(61))));
        assert!(ok(with(&|p| p.code = "a".repeat(40))));
        assert!(!ok(with(&|p| p.code = "a".repeat(41))));
        assert!(!ok(with(&|p| p.code = String::new())));
        assert!(ok(with(&|p| p.title_en = "w".repeat(120))));
        assert!(!ok(with(&|p| p.title_en = "w".repeat(121))));
        assert!(ok(with(&|p| p.step[0].who_en = "w".repeat(80))));
        assert!(!ok(with(&|p| p.step[0].who_en = "w".repeat(81))));
        assert!(ok(with(&|p| p.step[0].act_en = "w".repeat(400))));
        assert!(!ok(with(&|p| p.step[0].act_en = "w".repeat(401))));
        assert!(ok(with(&|p| p.step = vec![p.step[0].clone(); STEPS_MAX])));
        assert!(!ok(with(&|p| p.step = vec![p.step[0].clone(); STEPS_MAX + 1])));
        let many = |n: usize| PlanBook {
            plan: (0..n)
                .map(|i| {
                    let mut p = plan();
                    p.code = format!("plan_{i}");
                    p
                })
                .collect(),
        };
        assert!(ok(many(PLANS_MAX)));
        assert!(!ok(many(PLANS_MAX + 1)));
        let b = many(3);
        assert_eq!(b.get("plan_1").map(|p| p.code.as_str()), Some("plan_1"));
        assert!(b.get("plan_9").is_none());
    }

    #[test]
    fn ticks_at_the_edges_of_the_use_are_kept() {
        let p = plan();
        let now = 1_000_000_000;
        let drift = 600_000;
        assert!(check_ticks(&p, now + drift, &[], now, drift).is_ok());
        assert!(check_ticks(&p, now - 7 * 86_400_000, &[], now, drift).is_ok());
        let start = now - 60_000;
        assert!(check_ticks(&p, start, &[Tick { step: 1, at: start - drift }], now, drift).is_ok());
        assert!(check_ticks(&p, start, &[Tick { step: 1, at: now + drift }], now, drift).is_ok());
        assert!(check_ticks(&p, start, &[Tick { step: 2, at: now }], now, drift).is_ok());
    }

    #[test]
    fn public_numbers_are_dialled_directly_and_people_are_looked_up() {
        assert_eq!(Contact::parse("119").unwrap().number(), Some("119"));
        assert_eq!(Contact::parse("security_dept").unwrap().number(), None);
    }
}
