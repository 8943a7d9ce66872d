//! The rules one catalog value must follow: slugs, URLs, dates, vocabularies, and did-you-mean.

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

/// Why `raw` is not an absolute http(s) URL a checker can fetch, if it is not.
pub fn url_problem(raw: &str) -> Option<String> {
    if raw.starts_with('#') {
        return Some(format!("`{raw}` is only a fragment, not a link to a page"));
    }
    if raw.chars().any(char::is_whitespace) {
        return Some("URL contains whitespace; encode spaces as %20".to_owned());
    }
    match url::Url::parse(raw) {
        Err(e) => Some(format!("`{raw}` is not an absolute URL ({e})")),
        Ok(u) if !matches!(u.scheme(), "http" | "https") => {
            Some(format!("URL scheme `{}` is not http or https", u.scheme()))
        }
        Ok(u) if u.host_str().is_none_or(str::is_empty) => Some(format!("`{raw}` has no host")),
        Ok(_) => None,
    }
}

/// Why a date in field `field` is wrong relative to `today`, if it is.
pub fn date_problem(field: &str, date: Date, today: Date) -> Option<String> {
    (date > today).then(|| format!("`{field}` date {date} is in the future"))
}

/// The candidate closest to `input`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(input, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// A `help` line suggesting the closest candidate, or listing them all when none is close.
pub fn suggestion(input: &str, candidates: &[&str]) -> String {
    match did_you_mean(input, candidates.iter().copied()) {
        Some(c) => format!("did you mean `{c}`?"),
        None => format!("expected one of: {}", candidates.join(", ")),
    }
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
    fn urls() {
        assert_eq!(url_problem("https://example.org/a?b=c"), None);
        assert_eq!(
            url_problem("http://www2.fbi.gov/innolost/innolost.htm"),
            None
        );
        assert_eq!(
            url_problem("#top").unwrap(),
            "`#top` is only a fragment, not a link to a page"
        );
        assert_eq!(
            url_problem("https://example.org/a b").unwrap(),
            "URL contains whitespace; encode spaces as %20"
        );
        assert_eq!(
            url_problem("ftp://example.org/").unwrap(),
            "URL scheme `ftp` is not http or https"
        );
        assert_eq!(
            url_problem("example.org/page").unwrap(),
            "`example.org/page` is not an absolute URL (relative URL without a base)"
        );
        assert_eq!(
            url_problem("mailto:a@example.org").unwrap(),
            "URL scheme `mailto` is not http or https"
        );
        assert!(url_problem("https://").is_some());
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

    #[test]
    fn did_you_mean_finds_typos_only() {
        let fields = ["id", "title", "url", "kind", "organization"];
        assert_eq!(did_you_mean("kidn", fields), Some("kind"));
        assert_eq!(did_you_mean("organisation", fields), Some("organization"));
        assert_eq!(did_you_mean("titel", fields), Some("title"));
        assert_eq!(did_you_mean("zzzzzz", fields), None);
        assert_eq!(suggestion("zz", &["a", "b"]), "expected one of: a, b");
        assert_eq!(
            suggestion("fact-shet", &["fact-sheet", "guide"]),
            "did you mean `fact-sheet`?"
        );
    }
}
