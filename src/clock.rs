//! Times as the readers and editors read them: calendar days and clock times in China Standard
//! Time (UTC+8, no daylight saving), from and to seconds since the Unix epoch.
//!
//! The bot counts `/stats` by these days, the misses queue is filtered by them, and the
//! comments the editors' commands write into the corpus carry these times.

/// Seconds east of UTC of China Standard Time.
pub(crate) const OFFSET_SECS: i64 = 8 * 3600;

/// Days since the epoch of the UTC+8 calendar day that holds `secs`.
pub(crate) fn day_of(secs: i64) -> i64 {
    (secs + OFFSET_SECS).div_euclid(86_400)
}

/// The first second (epoch seconds) of a UTC+8 day number.
pub(crate) fn day_start(day: i64) -> i64 {
    day * 86_400 - OFFSET_SECS
}

/// `2019-03-01` (UTC+8) as the epoch second its day begins, or `None` when it is not a valid
/// `YYYY-MM-DD` date.
pub(crate) fn parse_day(s: &str) -> Option<i64> {
    let parts: Vec<&str> = s.trim().split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(day_start(days_from_civil(y, m, d)))
}

/// `2019-03-01 16:30:00` in UTC+8.
pub(crate) fn local_time(secs: i64) -> String {
    let (date, h, min, s) = split(secs);
    format!("{date} {h:02}:{min:02}:{s:02}")
}

/// `2019-03-01T16:30:00+08:00`: RFC 3339 with the UTC+8 offset.
pub(crate) fn rfc3339(secs: i64) -> String {
    let (date, h, min, s) = split(secs);
    format!("{date}T{h:02}:{min:02}:{s:02}+08:00")
}

/// The UTC+8 date (`YYYY-MM-DD`) and time of day of an epoch second.
fn split(secs: i64) -> (String, i64, i64, i64) {
    let local = secs + OFFSET_SECS;
    let (y, m, d) = civil_from_days(local.div_euclid(86_400));
    let t = local.rem_euclid(86_400);
    (
        format!("{y:04}-{m:02}-{d:02}"),
        t / 3600,
        t % 3600 / 60,
        t % 60,
    )
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number since 1970-01-01 (the inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_times_are_read_in_utc_plus_8() {
        // 2019-03-01T00:00:00+08:00 is 2019-02-28T16:00:00Z.
        let start = parse_day("2019-03-01").expect("valid date");
        assert_eq!(start, 1_551_369_600);
        assert_eq!(rfc3339(start), "2019-03-01T00:00:00+08:00");
        assert_eq!(local_time(start + 59_400), "2019-03-01 16:30:00");
        assert_eq!(day_of(start), day_of(start + 86_399));
        assert_eq!(day_of(start) + 1, day_of(start + 86_400));
        assert_eq!(day_start(day_of(start + 5000)), start);
    }

    #[test]
    fn bad_dates_are_refused() {
        for bad in [
            "2019-02-29",
            "2019-13-01",
            "2019-3-1",
            "20190301",
            "",
            "2019-00-10",
        ] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
        assert!(parse_day("2020-02-29").is_some());
    }

    #[test]
    fn round_trip_over_many_days() {
        for day in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
    }
}
