//! Time as the API and the table write it.

/// Seconds since the Unix epoch, now.
pub fn now_epoch() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// RFC 3339 UTC timestamp, now, at millisecond precision.
pub fn now_rfc3339() -> String {
    rfc3339(time::OffsetDateTime::now_utc())
}

/// RFC 3339 UTC timestamp of `secs` since the epoch; now when that is not a time (0 or out of
/// range: a record that did not say when).
pub fn rfc3339_of_epoch(secs: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(secs) {
        Ok(at) if secs > 0 => rfc3339(at),
        _ => now_rfc3339(),
    }
}

pub fn rfc3339(at: time::OffsetDateTime) -> String {
    const FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    let at = at.to_offset(time::UtcOffset::UTC);
    at.format(FORMAT).unwrap_or_else(|_| at.unix_timestamp().to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_are_rfc3339_utc_with_milliseconds() {
        let at = time::macros::datetime!(2026-11-21 10:15:00.3 +01:00);
        assert_eq!(super::rfc3339(at), "2026-11-21T09:15:00.300Z");
    }
}
