//! The rules one catalog value must follow: slugs, URLs, dates and vocabularies.

use crate::url::WebUrl;
pub use crate::vocab::{did_you_mean, suggestion};
use jiff::civil::Date;

/// Lowercase ASCII letters and digits in hyphen-separated runs: `child-sex-trafficking`.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Why `url`, a valid catalog URL, deserves a warning: it points inside a network (loopback, a
/// private or link-local address, an intranet name; see [`WebUrl::is_internal_host`]). A
/// maintainer may mean it, for an intranet catalog, but pull-request checks refuse it.
pub fn url_warning(url: &WebUrl) -> Option<String> {
    url.is_internal_host().then(|| {
        format!(
            "`{}` is a loopback, private or intranet address, not a public one",
            url.host()
        )
    })
}

/// Why a date in field `field` is wrong relative to `today`, if it is.
pub fn date_problem(field: &str, date: Date, today: Date) -> Option<String> {
    (date > today).then(|| format!("`{field}` date {date} is in the future"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for ok in ["a", "csam", "child-sex-trafficking", "ncmec-2022", "9"] {
            assert!(is_slug(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "a--b", "A", "a_b", "a b", "é", "a.b"] {
            assert!(!is_slug(bad), "{bad}");
        }
    }

    #[test]
    fn internal_urls_are_warned_about() {
        let warning = |raw: &str| url_warning(&WebUrl::parse(raw).unwrap());
        assert_eq!(
            warning("http://169.254.169.254/latest/").unwrap(),
            "`169.254.169.254` is a loopback, private or intranet address, not a public one"
        );
        assert!(warning("http://localhost:8080/").is_some());
        assert_eq!(warning("https://www.missingkids.org/"), None);
    }

    #[test]
    fn dates() {
        let today = jiff::civil::date(2026, 11, 28);
        assert_eq!(date_problem("reviewed", today, today), None);
        assert_eq!(
            date_problem("added", jiff::civil::date(2020, 1, 1), today),
            None
        );
        assert_eq!(
            date_problem("reviewed", jiff::civil::date(2026, 11, 29), today).unwrap(),
            "`reviewed` date 2026-11-29 is in the future"
        );
    }
}
