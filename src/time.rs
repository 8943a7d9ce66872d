//! Time: the one clock every layer reads, and the one way timestamps and dates are written in
//! reports, exports and details.

/// Now. Every "checked at", "first seen" and "finished" comes from here.
pub fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

/// Today's date where the maintainer is, for catalog dates (`added`, `reviewed`) that must not
/// lie in the future.
pub fn today() -> jiff::civil::Date {
    jiff::ZonedDateTime::now().date()
}

/// A timestamp as RFC 3339 in UTC to the second (`2026-11-28T09:30:00Z`), as every report and
/// export writes it.
pub fn rfc3339(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The UTC date of a timestamp (`2026-11-28`), as details say "broken since …".
pub fn date(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_utc_to_the_second() {
        let t: jiff::Timestamp = "2026-11-28T09:30:05.123+02:00".parse().unwrap();
        assert_eq!(rfc3339(t), "2026-11-28T07:30:05Z");
        assert_eq!(date(t), "2026-11-28");
    }
}
