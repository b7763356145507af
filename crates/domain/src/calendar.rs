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
    /// YYYY-MM-DD, listed once.
    #[schema(format = Date, pattern = r"^(20[0-9]{2}|2100)-")]
    pub date: String,
    pub kind: DayKind,
    #[schema(max_length = 20, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub name: String,
}

/// The weekly rest days the calendar kept before its rest weekdays were changed: they decide the unlisted days
/// before `until`, so a change decides only the days from its own day on (judged periods stay as judged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EarlierRest {
    /// YYYY-MM-DD: the first day the next pattern decides.
    pub until: String,
    #[schema(schema_with = weekdays)]
    pub rest_weekdays: Vec<u8>,
}

/// The calendar as the file and the editor hold it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarBook {
    /// Weekdays on which outlets are closed unless listed as adjusted working days: 1 = Monday … 7 = Sunday.
    #[schema(schema_with = weekdays)]
    pub rest_weekdays: Vec<u8>,
    /// The patterns before each change of `rest_weekdays`, oldest first: kept by Anbao as the calendar is edited
    /// (what an edit sends here is ignored).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(read_only)]
    pub earlier: Vec<EarlierRest>,
    #[serde(default)]
    #[schema(max_items = 1000)]
    pub day: Vec<ListedDay>,
}

/// The schema of a set of weekdays: 1 = Monday … 7 = Sunday, each at most once (`CalendarBook::check`).
fn weekdays() -> utoipa::openapi::Array {
    use utoipa::openapi::{ArrayBuilder, ObjectBuilder, Type};
    let day = ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)).maximum(Some(7));
    ArrayBuilder::new().items(day).unique_items(true).max_items(Some(7)).build()
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
        for e in &self.earlier {
            if parse_date(&e.until).is_none() || e.rest_weekdays.iter().any(|w| !(1..=7).contains(w)) {
                return Err(bad("历史休息日记录有误".into(), "an earlier rest pattern is malformed".into()));
            }
        }
        if self.earlier.len() > MAX_DAYS {
            return Err(bad(format!("历史休息日记录最多{MAX_DAYS}条"), format!("at most {MAX_DAYS} earlier patterns")));
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
        let pattern = |weekdays: &[u8]| {
            let mut rest = [false; 7];
            for w in weekdays {
                if let Some(r) = rest.get_mut(usize::from(w.saturating_sub(1))) {
                    *r = true;
                }
            }
            rest
        };
        let rest = pattern(&self.rest_weekdays);
        let mut earlier: Vec<(Day, [bool; 7])> = self
            .earlier
            .iter()
            .filter_map(|e| parse_date(&e.until).map(|until| (until, pattern(&e.rest_weekdays))))
            .collect();
        earlier.sort_by_key(|e| e.0);
        let days = self
            .day
            .iter()
            .filter_map(|d| parse_date(&d.date).map(|day| (day, (d.kind, d.name.trim().to_owned()))))
            .collect();
        Calendar { rest, earlier, days }
    }

    /// This calendar edited into `next`: the history of rest weekdays is Anbao's, not the editor's — a change of the
    /// rest weekdays keeps the old pattern for the days before `today`.
    pub fn edited_into(&self, mut next: CalendarBook, today: Day) -> CalendarBook {
        next.earlier = self.earlier.clone();
        let sorted = |w: &[u8]| {
            let mut w = w.to_vec();
            w.sort_unstable();
            w
        };
        let today_text = date_of_day(today).to_string();
        let changed = sorted(&self.rest_weekdays) != sorted(&next.rest_weekdays);
        // A second change on one day keeps the pattern the days before it had.
        if changed && !next.earlier.iter().any(|e| e.until == today_text) {
            next.earlier.push(EarlierRest { until: today_text, rest_weekdays: self.rest_weekdays.clone() });
        }
        next
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
    /// The earlier patterns, each deciding the days before its day (sorted by that day).
    earlier: Vec<(Day, [bool; 7])>,
    days: BTreeMap<Day, (DayKind, String)>,
}

impl Calendar {
    /// Outlets are open: a listed adjusted working day, or a weekday not of the rest pattern that is no holiday.
    pub fn is_business_day(&self, day: Day) -> bool {
        match self.days.get(&day) {
            Some((DayKind::Holiday, _)) => false,
            Some((DayKind::Workday, _)) => true,
            None => {
                let rest = self.earlier.iter().find(|e| day < e.0).map_or(&self.rest, |e| &e.1);
                !rest[weekday_index(day)]
            }
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
        let at = CalendarBook { rest_weekdays: vec![], earlier: vec![], day: (0..MAX_DAYS as i64).map(day).collect() };
        assert!(at.check().is_ok());
        let over =
            CalendarBook { rest_weekdays: vec![], earlier: vec![], day: (0..=MAX_DAYS as i64).map(day).collect() };
        assert!(over.check().is_err());
    }

    #[test]
    fn a_listed_day_overrides_the_weekly_pattern_and_unlisting_restores_it() {
        let b = CalendarBook { rest_weekdays: vec![6, 7], earlier: vec![], day: vec![] };
        let sat = d("2026-03-07");
        assert!(!b.calendar().is_business_day(sat));
        let worked = b.with_day(sat, Some((DayKind::Workday, "调休上班")));
        assert!(worked.calendar().is_business_day(sat));
        let monday = d("2026-03-09");
        let closed = worked.with_day(monday, Some((DayKind::Holiday, "临时休息")));
        assert!(!closed.calendar().is_business_day(monday));
        assert!(closed.with_day(monday, None).calendar().is_business_day(monday));
        // Open seven days a week: no weekday rests.
        let open = CalendarBook { rest_weekdays: vec![], earlier: vec![], day: vec![] };
        assert!(open.calendar().is_business_day(sat));
    }

    #[test]
    fn a_bad_calendar_is_refused_with_the_reason() {
        let ok = || CalendarBook { rest_weekdays: vec![6, 7], earlier: vec![], day: vec![] };
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

    #[test]
    fn a_change_of_the_rest_weekdays_decides_only_the_days_from_its_day_on() {
        let old = CalendarBook { rest_weekdays: vec![6, 7], earlier: vec![], day: vec![] };
        // From Monday 2 March the outlets also open on Saturdays.
        let new = old.edited_into(CalendarBook { rest_weekdays: vec![7], ..old.clone() }, d("2026-03-02"));
        assert_eq!(new.earlier, vec![EarlierRest { until: "2026-03-02".into(), rest_weekdays: vec![6, 7] }]);
        let c = new.calendar();
        assert!(!c.is_business_day(d("2026-02-28")), "a Saturday before the change stays a rest day");
        assert!(!c.is_business_day(d("2026-03-01")), "the Sunday before it");
        assert!(c.is_business_day(d("2026-03-07")), "a Saturday after it is worked");
        assert!(!c.is_business_day(d("2026-03-08")));
        // The editor cannot rewrite the history; a second change that day keeps the pattern before the day.
        let forged = CalendarBook { rest_weekdays: vec![], earlier: vec![], day: vec![] };
        let again = new.edited_into(forged, d("2026-03-02"));
        assert_eq!(again.earlier, new.earlier);
        assert!(!again.calendar().is_business_day(d("2026-02-28")));
        // No change of the weekdays (in another order): no history.
        let same = old.edited_into(CalendarBook { rest_weekdays: vec![7, 6], ..old.clone() }, d("2026-03-02"));
        assert!(same.earlier.is_empty());
        // Two changes: each pattern decides the days before its own day.
        let later = new.edited_into(CalendarBook { rest_weekdays: vec![], ..new.clone() }, d("2026-04-01"));
        let c = later.calendar();
        assert!(!c.is_business_day(d("2026-02-28")) && !c.is_business_day(d("2026-03-29")));
        assert!(c.is_business_day(d("2026-03-28")) && c.is_business_day(d("2026-04-05")));
        assert!(later.check().is_ok());
        // The day a change takes effect is the new pattern's: a change on Saturday 7 March opens that Saturday.
        let on_saturday = old.edited_into(CalendarBook { rest_weekdays: vec![7], ..old.clone() }, d("2026-03-07"));
        assert!(on_saturday.calendar().is_business_day(d("2026-03-07")));
        assert!(!on_saturday.calendar().is_business_day(d("2026-02-28")));
        // As many earlier patterns as days a calendar may list, and no more.
        let pattern = |i: usize| EarlierRest { until: format!("2026-01-{:02}", i % 28 + 1), rest_weekdays: vec![7] };
        let full = CalendarBook { earlier: (0..MAX_DAYS).map(pattern).collect(), ..old.clone() };
        assert!(full.check().is_ok());
        let over = CalendarBook { earlier: (0..=MAX_DAYS).map(pattern).collect(), ..old.clone() };
        assert!(over.check().is_err());
        let bad = CalendarBook {
            earlier: vec![EarlierRest { until: "2026-13-01".into(), rest_weekdays: vec![6] }],
            ..later.clone()
        };
        assert!(bad.check().is_err());
        let bad =
            CalendarBook { earlier: vec![EarlierRest { until: "2026-03-01".into(), rest_weekdays: vec![8] }], ..later };
        assert!(bad.check().is_err());
    }
}
