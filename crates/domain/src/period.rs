//! Periods in Asia/Shanghai. Records carry their local day (days since 1970-01-01 in Shanghai), so counting a
//! day, week (Monday first), month, quarter, half-year or year is integer arithmetic on days, the same on every
//! database, and a record made at 23:30 on the last day of a month counts in that month.
use crate::rulebook::PeriodKind;
use crate::time::zone;
use jiff::Timestamp;
use jiff::civil::Date;

/// A local day number: days since 1970-01-01 in Asia/Shanghai.
pub type Day = i64;

fn epoch() -> Date {
    Date::constant(1970, 1, 1)
}

pub fn day_of_date(d: Date) -> Day {
    (d - epoch()).get_days() as i64
}

pub fn date_of_day(day: Day) -> Date {
    epoch().checked_add(jiff::Span::new().days(day)).unwrap_or(epoch())
}

/// The local day of a moment given in UTC epoch milliseconds.
pub fn day_of_ms(ms: i64) -> Day {
    match Timestamp::from_millisecond(ms) {
        Ok(ts) => day_of_date(ts.to_zoned(zone()).date()),
        Err(_) => 0,
    }
}

/// Local midnight at the start of `day`, in UTC epoch milliseconds.
pub fn start_ms(day: Day) -> i64 {
    date_of_day(day).to_zoned(zone()).map(|z| z.timestamp().as_millisecond()).unwrap_or(0)
}

/// The period of `kind` containing `day`, as [start, end) in local days.
pub fn containing(kind: PeriodKind, day: Day) -> (Day, Day) {
    let d = date_of_day(day);
    let (y, m) = (d.year(), d.month());
    let month_start = |y: i16, m: i8| day_of_date(Date::new(y, m, 1).unwrap_or(epoch()));
    let next_month = |y: i16, m: i8| if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    match kind {
        PeriodKind::Day => (day, day + 1),
        PeriodKind::Week => {
            // Monday is the first day of the week.
            let back = d.weekday().to_monday_zero_offset() as i64;
            (day - back, day - back + 7)
        }
        PeriodKind::Month => {
            let (ny, nm) = next_month(y, m);
            (month_start(y, m), month_start(ny, nm))
        }
        PeriodKind::Quarter => {
            let qm = (m - 1) / 3 * 3 + 1;
            let (ny, nm) = if qm == 10 { (y + 1, 1) } else { (y, qm + 3) };
            (month_start(y, qm), month_start(ny, nm))
        }
        PeriodKind::HalfYear => {
            if m <= 6 {
                (month_start(y, 1), month_start(y, 7))
            } else {
                (month_start(y, 7), month_start(y + 1, 1))
            }
        }
        PeriodKind::Year => (month_start(y, 1), month_start(y + 1, 1)),
        // Holidays come from the union's calendar (`calendar::Calendar::holiday_runs`); without it, the day itself.
        PeriodKind::Holiday => (day, day + 1),
    }
}

/// Every period of `kind` that overlaps the window [from, to), in order.
pub fn overlapping(kind: PeriodKind, from: Day, to: Day) -> Vec<(Day, Day)> {
    let mut out = Vec::new();
    let mut day = from;
    while day < to {
        let p = containing(kind, day);
        out.push(p);
        day = p.1;
    }
    out
}

/// A short Chinese label of a period, e.g. `11月20日`, `11月16日–22日`, `2026年11月`, `2026年第4季度`.
pub fn label(kind: PeriodKind, (start, end): (Day, Day)) -> String {
    let s = date_of_day(start);
    let e = date_of_day(end - 1);
    match kind {
        PeriodKind::Day => format!("{}年{}月{}日", s.year(), s.month(), s.day()),
        PeriodKind::Week => format!("{}月{}日–{}月{}日", s.month(), s.day(), e.month(), e.day()),
        PeriodKind::Month => format!("{}年{}月", s.year(), s.month()),
        PeriodKind::Quarter => format!("{}年第{}季度", s.year(), (s.month() - 1) / 3 + 1),
        PeriodKind::HalfYear => format!("{}年{}", s.year(), if s.month() <= 6 { "上半年" } else { "下半年" }),
        PeriodKind::Year => format!("{}年", s.year()),
        PeriodKind::Holiday => format!("{}年{}月{}日–{}月{}日节假日", s.year(), s.month(), s.day(), e.month(), e.day()),
    }
}

/// (year, month, day) of a local day.
/// The month containing `day`, as `YYYY-MM` (the form every month parameter and stored report takes).
pub fn month_code(day: Day) -> String {
    let (y, m, _) = ymd(day);
    format!("{y}-{m:02}")
}

pub fn ymd(day: Day) -> (i32, i8, i8) {
    let d = date_of_day(day);
    (d.year() as i32, d.month(), d.day())
}

/// The local day of the first of (year, month).
pub fn first_of_month(year: i32, month: i8) -> Day {
    day_of_date(Date::new(year as i16, month, 1).unwrap_or(epoch()))
}

/// `[first day, first day of next month)` of a month written `YYYY-MM`.
pub fn month_of(raw: &str) -> Result<(Day, Day), crate::DomainError> {
    let bad = || crate::DomainError::new("month", "月份格式应为 YYYY-MM", "month is YYYY-MM");
    let (y, m) = raw.trim().split_once('-').ok_or_else(bad)?;
    let (y, m) = (y.parse::<i32>().map_err(|_| bad())?, m.parse::<i8>().map_err(|_| bad())?);
    if !(2000..=2100).contains(&y) || !(1..=12).contains(&m) {
        return Err(bad());
    }
    let to = if m == 12 { first_of_month(y + 1, 1) } else { first_of_month(y, m + 1) };
    Ok((first_of_month(y, m), to))
}

/// The same day `months` later, or the month's last day when it is shorter (31 Jan + 1 month = 28/29 Feb).
pub fn add_months(day: Day, months: i64) -> Day {
    let (y, m, d) = ymd(day);
    let total = i64::from(y) * 12 + i64::from(m) - 1 + months;
    let (ny, nm) = ((total / 12) as i32, (total % 12 + 1) as i8);
    let first = first_of_month(ny, nm);
    let next = if nm == 12 { first_of_month(ny + 1, 1) } else { first_of_month(ny, nm + 1) };
    (first + i64::from(d) - 1).min(next - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i16, m: i8, d: i8) -> Day {
        day_of_date(Date::new(y, m, d).expect("date"))
    }

    #[test]
    fn a_month_code_is_the_year_and_the_two_digit_month_of_the_day() {
        assert_eq!(month_code(day(2026, 3, 31)), "2026-03");
        assert_eq!(month_code(day(2026, 12, 1)), "2026-12");
        assert_eq!(month_of(&month_code(day(2027, 2, 14))).expect("parses").0, day(2027, 2, 1));
    }

    #[test]
    fn late_evening_in_shanghai_is_still_the_same_local_day() {
        // 2026-01-31 23:30 in Shanghai is 15:30 UTC: it belongs to January, not February.
        let ms = 1_769_873_400_000;
        assert_eq!(day_of_ms(ms), day(2026, 1, 31));
        // Half an hour later (00:00 local on 1 February) it is February.
        assert_eq!(day_of_ms(ms + 30 * 60_000), day(2026, 2, 1));
        assert_eq!(start_ms(day(2026, 2, 1)), ms + 30 * 60_000);
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2026-11-26 is a Thursday; its week runs 23–29 November.
        assert_eq!(containing(PeriodKind::Week, day(2026, 11, 26)), (day(2026, 11, 23), day(2026, 11, 30)));
        assert_eq!(containing(PeriodKind::Week, day(2026, 11, 23)).0, day(2026, 11, 23));
    }

    #[test]
    fn months_quarters_half_years_and_years_have_their_calendar_bounds() {
        let d = day(2026, 11, 26);
        assert_eq!(containing(PeriodKind::Month, d), (day(2026, 11, 1), day(2026, 12, 1)));
        assert_eq!(containing(PeriodKind::Quarter, d), (day(2026, 10, 1), day(2027, 1, 1)));
        assert_eq!(containing(PeriodKind::HalfYear, d), (day(2026, 7, 1), day(2027, 1, 1)));
        assert_eq!(containing(PeriodKind::Year, d), (day(2026, 1, 1), day(2027, 1, 1)));
        assert_eq!(containing(PeriodKind::Month, day(2024, 2, 29)), (day(2024, 2, 1), day(2024, 3, 1)));
    }

    #[test]
    fn a_window_is_cut_into_the_periods_it_overlaps() {
        let weeks = overlapping(PeriodKind::Week, day(2026, 11, 1), day(2026, 12, 1));
        assert_eq!(weeks.first().map(|w| w.0), Some(day(2026, 10, 26)));
        assert_eq!(weeks.len(), 6);
        assert_eq!(label(PeriodKind::Quarter, containing(PeriodKind::Quarter, day(2026, 11, 1))), "2026年第4季度");
    }

    #[test]
    fn months_parse_and_add_by_the_calendar() {
        assert_eq!(month_of("2026-02"), Ok((day(2026, 2, 1), day(2026, 3, 1))));
        assert_eq!(month_of("2026-12").map(|m| m.1), Ok(day(2027, 1, 1)));
        assert!(month_of("2026-13").is_err() && month_of("March").is_err());
        assert_eq!(add_months(day(2026, 1, 31), 1), day(2026, 2, 28));
        assert_eq!(add_months(day(2026, 11, 15), 60), day(2031, 11, 15));
    }
}
