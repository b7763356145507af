//! The union's business-day calendar (SYS-6): which weekdays are rest days, the national holidays and the adjusted
//! working days (调休) as data (`rulebook/calendar.toml`, versioned like the plan book). Business-hours duties
//! (opening and closing checks, two at the counter) are owed on business days only; the holiday runs are the periods
//! of the holiday-duty checks (篇二 (四) 增加节假日安全值班的检查频率) and mark the roster's holiday nights.
use crate::DomainError;
use crate::period::{Day, date_of_day, day_of_date};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most days a calendar may list (some ten years of holidays and adjusted days).
pub const MAX_DAYS: usize = 1_000;
/// The longest name of a day ("春节", "国庆节调休上班").
pub const MAX_NAME_CHARS: usize = 20;

labelled_enum!(
    /// What a listed day is, against the weekly pattern.
    DayKind, "kind", "日期类型", "kind of day" {
        Holiday => ("holiday", "节假日（休息）", "Holiday (closed)"),
        Workday => ("workday", "调休上班", "Adjusted working day"),
    }
);

/// One listed day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListedDay {
    /// YYYY-MM-DD.
    pub date: String,
    pub kind: DayKind,
    pub name: String,
}

/// The calendar as the file and the editor hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarBook {
    /// Weekdays on which outlets are closed unless listed as adjusted working days: 1 = Monday … 7 = Sunday.
    pub rest_weekdays: Vec<u8>,
    #[serde(default)]
    pub day: Vec<ListedDay>,
}

fn bad(zh: String, en: String) -> DomainError {
    DomainError::new("calendar", zh, en)
}

/// A date `YYYY-MM-DD` as a local day.
pub fn parse_date(raw: &str) -> Option<Day> {
    raw.trim().parse::<jiff::civil::Date>().ok().map(day_of_date)
}

impl CalendarBook {
    /// Check a calendar before it is stored: weekdays 1–7, real dates listed once each, short names.
    pub fn check(&self) -> Result<(), DomainError> {
        if self.rest_weekdays.iter().any(|w| !(1..=7).contains(w)) {
            return Err(bad(
                "休息日须为1（周一）至7（周日）".into(),
                "rest weekdays are 1 (Monday) to 7 (Sunday)".into(),
            ));
        }
        let mut weekdays = self.rest_weekdays.clone();
        weekdays.sort_unstable();
        weekdays.dedup();
        if weekdays.len() != self.rest_weekdays.len() {
            return Err(bad("每周休息日有重复".into(), "a rest weekday is listed twice".into()));
        }
        if self.day.len() > MAX_DAYS {
            return Err(bad(format!("日历最多列{MAX_DAYS}天"), format!("at most {MAX_DAYS} days")));
        }
        let mut seen = std::collections::BTreeSet::new();
        for d in &self.day {
            let shown: String = d.date.chars().take(12).collect();
            let day = parse_date(&d.date)
                .ok_or_else(|| bad(format!("日期格式错误：{shown}"), format!("not a date: {shown}")))?;
            if !seen.insert(day) {
                return Err(bad(format!("日期重复：{}", d.date), format!("listed twice: {}", d.date)));
            }
            let n = d.name.trim().chars().count();
            if n == 0 || n > MAX_NAME_CHARS || d.name.chars().any(char::is_control) {
                return Err(bad(
                    format!("{}：名称须为1至{MAX_NAME_CHARS}个字", d.date),
                    format!("{}: a name of 1 to {MAX_NAME_CHARS} characters", d.date),
                ));
            }
        }
        Ok(())
    }

    pub fn calendar(&self) -> Calendar {
        let mut rest = [false; 7];
        for w in &self.rest_weekdays {
            if let Some(r) = rest.get_mut(usize::from(w.saturating_sub(1))) {
                *r = true;
            }
        }
        let days = self
            .day
            .iter()
            .filter_map(|d| parse_date(&d.date).map(|day| (day, (d.kind, d.name.trim().to_owned()))))
            .collect();
        Calendar { rest, days }
    }

    /// The calendar with `day` listed as `kind` under `name`, or unlisted (back to the weekly pattern) for `None`.
    pub fn with_day(&self, day: Day, listed: Option<(DayKind, &str)>) -> CalendarBook {
        let mut out = self.clone();
        out.day.retain(|d| parse_date(&d.date) != Some(day));
        if let Some((kind, name)) = listed {
            out.day.push(ListedDay { date: date_of_day(day).to_string(), kind, name: name.trim().to_owned() });
        }
        out.day.sort_by_key(|d| parse_date(&d.date));
        out
    }
}

/// The calendar as the engine asks it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Calendar {
    /// Monday first.
    rest: [bool; 7],
    days: BTreeMap<Day, (DayKind, String)>,
}

impl Calendar {
    /// Outlets are open: a listed adjusted working day, or a weekday not of the rest pattern that is no holiday.
    pub fn is_business_day(&self, day: Day) -> bool {
        match self.days.get(&day) {
            Some((DayKind::Holiday, _)) => false,
            Some((DayKind::Workday, _)) => true,
            None => !self.rest[weekday_index(day)],
        }
    }

    /// The listed day's kind and name, if listed.
    pub fn listed(&self, day: Day) -> Option<(DayKind, &str)> {
        self.days.get(&day).map(|(k, n)| (*k, n.as_str()))
    }

    /// The runs of consecutive listed holidays overlapping [from, to), as [start, end): each national holiday is
    /// one period of the holiday-duty checks. A run may begin before `from`.
    pub fn holiday_runs(&self, from: Day, to: Day) -> Vec<(Day, Day)> {
        let mut out: Vec<(Day, Day)> = Vec::new();
        for (&day, (kind, _)) in &self.days {
            if *kind != DayKind::Holiday {
                continue;
            }
            match out.last_mut() {
                Some(run) if run.1 == day => run.1 = day + 1,
                _ => out.push((day, day + 1)),
            }
        }
        out.retain(|r| r.1 > from && r.0 < to);
        out
    }
}

/// Monday = 0 … Sunday = 6.
fn weekday_index(day: Day) -> usize {
    usize::try_from(date_of_day(day).weekday().to_monday_zero_offset()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> CalendarBook {
        toml::from_str(include_str!("../../../rulebook/calendar.toml")).unwrap()
    }

    fn d(s: &str) -> Day {
        parse_date(s).unwrap()
    }

    #[test]
    fn the_default_calendar_is_valid_and_knows_the_spring_festival_and_its_adjusted_saturdays() {
        let b = book();
        b.check().unwrap();
        let c = b.calendar();
        // 2026: 春节 15–23 February closed; Saturday 14 and 28 February worked.
        assert!(!c.is_business_day(d("2026-02-16")), "a Monday of the Spring Festival");
        assert!(c.is_business_day(d("2026-02-14")) && c.is_business_day(d("2026-02-28")));
        assert!(c.is_business_day(d("2026-03-02")), "an ordinary Monday");
        assert!(!c.is_business_day(d("2026-03-07")), "an ordinary Saturday");
        assert_eq!(c.listed(d("2026-10-01")).map(|(k, _)| k), Some(DayKind::Holiday));
    }

    #[test]
    fn holiday_runs_are_the_consecutive_listed_holidays() {
        let c = book().calendar();
        let feb = c.holiday_runs(d("2026-02-01"), d("2026-03-01"));
        assert_eq!(feb, vec![(d("2026-02-15"), d("2026-02-24"))]);
        // A run reaching into the window from before it is still the whole run.
        assert_eq!(c.holiday_runs(d("2026-02-20"), d("2026-02-21")), feb);
        assert!(c.holiday_runs(d("2026-03-01"), d("2026-04-01")).is_empty());
        // The window is [from, to): a run ending the day `from` begins, or starting the day `to` is, is outside it.
        assert!(c.holiday_runs(d("2026-02-24"), d("2026-03-01")).is_empty(), "the run ends on 23 February");
        assert!(c.holiday_runs(d("2026-02-01"), d("2026-02-15")).is_empty(), "the run starts on 15 February");
        assert_eq!(c.holiday_runs(d("2026-02-23"), d("2026-02-24")), feb, "its last day");
        assert_eq!(c.holiday_runs(d("2026-02-14"), d("2026-02-16")), feb, "its first day");
    }

    #[test]
    fn a_calendar_lists_at_most_its_limit_of_days() {
        let day = |i: i64| ListedDay {
            date: date_of_day(d("2026-01-01") + i).to_string(),
            kind: DayKind::Holiday,
            name: "节".into(),
        };
        let at = CalendarBook { rest_weekdays: vec![], day: (0..MAX_DAYS as i64).map(day).collect() };
        assert!(at.check().is_ok());
        let over = CalendarBook { rest_weekdays: vec![], day: (0..=MAX_DAYS as i64).map(day).collect() };
        assert!(over.check().is_err());
    }

    #[test]
    fn a_listed_day_overrides_the_weekly_pattern_and_unlisting_restores_it() {
        let b = CalendarBook { rest_weekdays: vec![6, 7], day: vec![] };
        let sat = d("2026-03-07");
        assert!(!b.calendar().is_business_day(sat));
        let worked = b.with_day(sat, Some((DayKind::Workday, "调休上班")));
        assert!(worked.calendar().is_business_day(sat));
        let monday = d("2026-03-09");
        let closed = worked.with_day(monday, Some((DayKind::Holiday, "临时休息")));
        assert!(!closed.calendar().is_business_day(monday));
        assert!(closed.with_day(monday, None).calendar().is_business_day(monday));
        // Open seven days a week: no weekday rests.
        let open = CalendarBook { rest_weekdays: vec![], day: vec![] };
        assert!(open.calendar().is_business_day(sat));
    }

    #[test]
    fn a_bad_calendar_is_refused_with_the_reason() {
        let ok = || CalendarBook { rest_weekdays: vec![6, 7], day: vec![] };
        assert!(CalendarBook { rest_weekdays: vec![0], ..ok() }.check().is_err());
        assert!(CalendarBook { rest_weekdays: vec![8], ..ok() }.check().is_err());
        assert!(CalendarBook { rest_weekdays: vec![6, 6], ..ok() }.check().is_err());
        assert!(CalendarBook { rest_weekdays: vec![7, 6], ..ok() }.check().is_ok());
        let day = |date: &str, name: &str| ListedDay { date: date.into(), kind: DayKind::Holiday, name: name.into() };
        assert!(CalendarBook { day: vec![day("2026-02-30", "x")], ..ok() }.check().is_err());
        assert!(CalendarBook { day: vec![day("2026-02-03", "x"), day("2026-02-03", "y")], ..ok() }.check().is_err());
        assert!(CalendarBook { day: vec![day("2026-02-03", " ")], ..ok() }.check().is_err());
        assert!(CalendarBook { day: vec![day("2026-02-03", &"节".repeat(21))], ..ok() }.check().is_err());
        assert!(CalendarBook { day: vec![day("2026-02-03", &"节".repeat(20))], ..ok() }.check().is_ok());
        assert!(CalendarBook { day: vec![day("2026-02-03", "节\n日")], ..ok() }.check().is_err());
    }
}
