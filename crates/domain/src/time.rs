//! Time as the system stores it (UTC epoch milliseconds) and as people read it (Asia/Shanghai).
use jiff::{Timestamp, tz::TimeZone};

/// The zone every date and time is shown in.
pub const ZONE: &str = "Asia/Shanghai";

/// Looked up once: finding a zone in the database parses it, which is far too slow to do per record.
static SHANGHAI: std::sync::LazyLock<TimeZone> = std::sync::LazyLock::new(|| {
    // The zone database is bundled into the binary, so the lookup cannot fail on a machine without tzdata;
    // UTC+8 is the documented fallback should it ever be missing.
    TimeZone::get(ZONE).unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(8)))
});

pub fn zone() -> TimeZone {
    SHANGHAI.clone()
}

/// Format stored epoch milliseconds as local date and minute, e.g. `2026-11-26 19:05`.
pub fn format_ms(ms: i64) -> String {
    match Timestamp::from_millisecond(ms) {
        Ok(ts) => ts.to_zoned(zone()).strftime("%Y-%m-%d %H:%M").to_string(),
        Err(_) => String::from("—"),
    }
}

/// Minutes after local midnight (0–1439), for business-hours checks.
pub fn minute_of_day(ms: i64) -> i64 {
    match Timestamp::from_millisecond(ms) {
        Ok(ts) => {
            let z = ts.to_zoned(zone());
            i64::from(z.hour()) * 60 + i64::from(z.minute())
        }
        Err(_) => 0,
    }
}

/// Format as an RFC 3339 timestamp with the +08:00 offset, for JSON.
pub fn rfc3339_ms(ms: i64) -> String {
    match Timestamp::from_millisecond(ms) {
        Ok(ts) => ts.to_zoned(zone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_shanghai() {
        // 2026-01-31T16:30:00Z is 2026-02-01 00:30 in Shanghai: the date changes.
        let ms = 1_769_877_000_000;
        assert_eq!(format_ms(ms), "2026-02-01 00:30");
        assert_eq!(rfc3339_ms(ms), "2026-02-01T00:30:00+08:00");
    }
}
