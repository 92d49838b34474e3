//! Today's date (UTC), for waiver expiry. `STUDIO_DOCTOR_TODAY=YYYY-MM-DD` overrides it.

use std::time::{SystemTime, UNIX_EPOCH};
use studio_doctor_checks::Date;

pub const TODAY_VAR: &str = "STUDIO_DOCTOR_TODAY";

/// Today in UTC, or the date in `STUDIO_DOCTOR_TODAY`.
pub fn today() -> Result<Date, String> {
    if let Some(value) = std::env::var_os(TODAY_VAR) {
        let value = value.to_string_lossy();
        return Date::parse(value.trim())
            .ok_or_else(|| format!("{TODAY_VAR}={value} is not a date (expected YYYY-MM-DD)"));
    }
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Ok(civil_from_days(secs.div_euclid(86_400)))
}

/// The proleptic Gregorian date `days` days after 1970-01-01 (Howard Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> Date {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    Date { year, month, day }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn days_since_the_epoch_become_dates() {
        assert_eq!(civil_from_days(0), d("1970-01-01"));
        assert_eq!(civil_from_days(-1), d("1969-12-31"));
        assert_eq!(civil_from_days(59), d("1970-03-01"));
        assert_eq!(civil_from_days(11_016), d("2000-02-29"));
        assert_eq!(civil_from_days(19_782), d("2024-02-29"));
        assert_eq!(civil_from_days(19_783), d("2024-03-01"));
        assert_eq!(civil_from_days(20_453), d("2025-12-31"));
    }

    #[test]
    fn every_day_of_four_centuries_follows_the_previous_one() {
        let mut prev = civil_from_days(-1);
        for n in 0..146_097 {
            let day = civil_from_days(n);
            assert!(day > prev, "{n}: {day} after {prev}");
            assert_eq!(Date::parse(&day.to_string()), Some(day), "{n}");
            prev = day;
        }
    }
}
