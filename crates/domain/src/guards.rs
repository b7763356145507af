//! Armed guards' eligibility (ORG-5; 第四篇 三(2)(3)): 经警 are "经过人事和保卫部门的严格审核", trained by the police
//! ("专业培训 … 实弹射击等训练，全部合格上岗"), and licensed. Whether a person may ride armed or take a gun is a pure
//! function of their credential, their last live-fire training and the rulebook's limits (ORG-5: the youngest age,
//! how recent the live fire must be).
use crate::DomainError;
use crate::period;

/// What the register holds for one guard; days are local day numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credential {
    pub birth_day: Option<i64>,
    pub vetted_personnel_day: Option<i64>,
    pub vetted_security_day: Option<i64>,
    pub trained_day: Option<i64>,
    pub licence_no: String,
    pub licence_expires_day: Option<i64>,
}

/// The rulebook's limits: the youngest age, and within how many days the last live-fire training must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuardRule {
    pub min_age: i64,
    pub live_fire_days: i64,
}

/// Whole years from `birth` to `today`.
pub fn age(birth: i64, today: i64) -> i64 {
    let (by, bm, bd) = period::ymd(birth);
    let (ty, tm, td) = period::ymd(today);
    let mut years = i64::from(ty - by);
    if (tm, td) < (bm, bd) {
        years -= 1;
    }
    years
}

/// Every reason a person may not serve as an armed guard today, in words; empty when they may.
pub fn problems(c: Option<&Credential>, last_live_fire: Option<i64>, today: i64, rule: GuardRule) -> Vec<String> {
    let Some(c) = c else { return vec!["未登记经警资格档案".into()] };
    let mut out = Vec::new();
    match c.birth_day {
        None => out.push("未登记出生日期".into()),
        Some(b) if age(b, today) < rule.min_age => out.push(format!("未满{}周岁", rule.min_age)),
        Some(_) => {}
    }
    if c.vetted_personnel_day.is_none() {
        out.push("未经人事部门审核".into());
    }
    if c.vetted_security_day.is_none() {
        out.push("未经保卫部门审核".into());
    }
    if c.trained_day.is_none() {
        out.push("未参加专业培训".into());
    }
    match c.licence_expires_day {
        _ if c.licence_no.trim().is_empty() => out.push("未登记持枪证".into()),
        None => out.push("持枪证未登记有效期".into()),
        Some(e) if e < today => {
            let (y, m, d) = period::ymd(e);
            out.push(format!("持枪证已于{y}年{m}月{d}日过期"));
        }
        Some(_) => {}
    }
    match last_live_fire {
        Some(d) if today - d <= rule.live_fire_days => {}
        Some(_) => out.push(format!("近{}天内未参加实弹射击训练", rule.live_fire_days)),
        None => out.push("无实弹射击训练记录".into()),
    }
    out
}

/// Refuse an armed duty to a person who is not eligible, naming every reason and the article.
pub fn check(
    name: &str,
    c: Option<&Credential>,
    last_live_fire: Option<i64>,
    today: i64,
    rule: GuardRule,
) -> Result<(), DomainError> {
    let p = problems(c, last_live_fire, today, rule);
    if p.is_empty() {
        return Ok(());
    }
    Err(DomainError::new(
        "crew",
        format!(
            "{name}不具备经警资格：{}（第四篇 三(2)(3)：经警须经人事和保卫部门审核、专业培训和实弹射击训练合格，持证上岗）",
            p.join("；")
        ),
        format!("{name} is not eligible as an armed guard ({} problems)", p.len()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: GuardRule = GuardRule { min_age: 20, live_fire_days: 365 };

    fn ok(today: i64) -> Credential {
        Credential {
            birth_day: Some(today - 30 * 366),
            vetted_personnel_day: Some(today - 100),
            vetted_security_day: Some(today - 100),
            trained_day: Some(today - 90),
            licence_no: "云公枪证2026001".into(),
            licence_expires_day: Some(today + 200),
        }
    }

    #[test]
    fn an_eligible_guard_has_no_problems() {
        let today = period::first_of_month(2026, 12);
        assert!(problems(Some(&ok(today)), Some(today - 30), today, RULE).is_empty());
        assert!(check("张三", Some(&ok(today)), Some(today - 365), today, RULE).is_ok());
    }

    #[test]
    fn a_lapsed_licence_or_missing_training_is_named() {
        let today = period::first_of_month(2026, 12);
        let lapsed = Credential { licence_expires_day: Some(today - 1), ..ok(today) };
        let e = check("张三", Some(&lapsed), Some(today - 30), today, RULE).unwrap_err();
        assert!(e.message.contains("持枪证已于2026年11月30日过期") && e.message.contains("第四篇"), "{}", e.message);
        assert_eq!(problems(Some(&ok(today)), Some(today - 366), today, RULE), vec!["近365天内未参加实弹射击训练"]);
        assert_eq!(problems(Some(&ok(today)), None, today, RULE), vec!["无实弹射击训练记录"]);
        let untrained = Credential { trained_day: None, vetted_security_day: None, ..ok(today) };
        assert_eq!(problems(Some(&untrained), Some(today), today, RULE), vec!["未经保卫部门审核", "未参加专业培训"]);
        assert_eq!(
            problems(Some(&Credential { vetted_personnel_day: None, ..ok(today) }), Some(today), today, RULE),
            vec!["未经人事部门审核"]
        );
        assert_eq!(
            problems(Some(&Credential { licence_no: " ".into(), ..ok(today) }), Some(today), today, RULE),
            vec!["未登记持枪证"]
        );
        assert_eq!(
            problems(Some(&Credential { licence_expires_day: None, ..ok(today) }), Some(today), today, RULE),
            vec!["持枪证未登记有效期"]
        );
        assert!(
            problems(Some(&Credential { licence_expires_day: Some(today), ..ok(today) }), Some(today), today, RULE)
                .is_empty()
        );
        assert_eq!(problems(None, Some(today), today, RULE), vec!["未登记经警资格档案"]);
    }

    #[test]
    fn the_age_is_counted_in_whole_years_to_the_birthday() {
        let birth = period::first_of_month(2006, 12) + 4; // 2006-12-05
        assert_eq!(age(birth, period::first_of_month(2026, 12) + 3), 19);
        assert_eq!(age(birth, period::first_of_month(2026, 12) + 4), 20);
        let c = Credential { birth_day: Some(birth), ..ok(period::first_of_month(2026, 12)) };
        let today = period::first_of_month(2026, 12) + 3;
        assert_eq!(problems(Some(&c), Some(today), today, RULE), vec!["未满20周岁"]);
        assert!(problems(Some(&c), Some(today + 1), today + 1, RULE).is_empty());
        assert_eq!(
            problems(Some(&Credential { birth_day: None, ..c }), Some(today), today, RULE),
            vec!["未登记出生日期"]
        );
    }
}
