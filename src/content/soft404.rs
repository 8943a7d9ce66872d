//! Soft-404s: pages that answer, but say (or show) that the resource is gone.

use super::Page;
use regex::Regex;
use std::sync::LazyLock;
use url::Url;

/// What the baseline remembers of the accepted page, for the collapse signal.
#[derive(Debug, Clone, Copy)]
pub struct Previous<'a> {
    pub title: Option<&'a str>,
    /// Length of the accepted text, in bytes.
    pub length: u64,
}

static GONE_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b404\b|\bpage not found\b|\bnot found\b|\bno longer (?:exists|available)\b|\bunavailable\b|\bnothing (?:was )?found\b|\b(?:cannot|can't|could not|couldn't) be found\b|\b(?:cannot|can't|could not|couldn't|unable to) find\b|\b(?:doesn't|does not|no longer) exist\b|\bhas been (?:re)?moved\b|\bhas been deleted\b",
    )
    .expect("soft-404 text pattern")
});

static GONE_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:^|[/_.\-])(?:404|not[_\-]?found|page[_\-]?not[_\-]?found|error)(?:[/_.\-]|$)",
    )
    .expect("soft-404 path pattern")
});

const HOME_PATHS: [&str; 8] = [
    "",
    "/",
    "/index.html",
    "/index.htm",
    "/index.php",
    "/default.aspx",
    "/home",
    "/home/",
];

fn is_home(path: &str) -> bool {
    HOME_PATHS.contains(&path.to_ascii_lowercase().as_str())
}

/// The signals that `page`, fetched from `requested` and answered at `final_url`, is a soft-404;
/// empty when there are none.
pub fn signals(
    requested: &str,
    final_url: &str,
    page: &Page,
    previous: Option<Previous<'_>>,
) -> Vec<String> {
    let mut found = Vec::new();
    if let (Ok(from), Ok(to)) = (Url::parse(requested), Url::parse(final_url))
        && from != to
    {
        if !is_home(from.path()) && is_home(to.path()) {
            found.push(format!("deep link redirected to the home page {to}"));
        } else if GONE_PATH.is_match(to.path()) && !GONE_PATH.is_match(from.path()) {
            found.push(format!("redirected to an error page {to}"));
        }
    }
    if let Some(title) = page.title.as_deref().filter(|t| GONE_TEXT.is_match(t)) {
        found.push(format!("title says \"{title}\""));
    }
    if let Some(heading) = page.heading.as_deref().filter(|h| GONE_TEXT.is_match(h)) {
        found.push(format!("heading says \"{heading}\""));
    }
    if let Some(prev) = previous
        && !page.is_document
        && prev.length > 0
        && page.length.saturating_mul(3) < prev.length
        && page.title.is_some()
        && page.title.as_deref() != prev.title
    {
        found.push(format!(
            "text collapsed from {} to {} bytes under a new title",
            prev.length, page.length
        ));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(title: Option<&str>, heading: Option<&str>, length: u64) -> Page {
        Page {
            title: title.map(str::to_string),
            heading: heading.map(str::to_string),
            text: String::new(),
            fingerprint: String::new(),
            length,
            is_document: false,
            selector_matched: None,
            unread: None,
        }
    }

    #[test]
    fn redirect_of_a_deep_link_to_home_or_error_page() {
        let p = page(Some("Welcome"), None, 100);
        assert_eq!(
            signals("https://a.org/x/guide", "https://a.org/", &p, None).len(),
            1
        );
        assert_eq!(
            signals("https://a.org/guide", "https://a.org/404.html", &p, None).len(),
            1
        );
        assert!(signals("https://a.org/", "https://a.org/index.html", &p, None).is_empty());
        assert!(signals("https://a.org/old", "https://a.org/new", &p, None).is_empty());
        assert!(
            signals(
                "https://a.org/error-codes",
                "https://a.org/error-codes/",
                &p,
                None
            )
            .is_empty()
        );
    }

    #[test]
    fn gone_titles_and_headings() {
        for title in [
            "Page Not Found",
            "404 | Example",
            "This page no longer exists",
            "Nothing found",
        ] {
            let p = page(Some(title), None, 100);
            assert_eq!(
                signals("https://a.org/x", "https://a.org/x", &p, None).len(),
                1,
                "{title}"
            );
        }
        let p = page(
            Some("Example"),
            Some("Sorry, that page cannot be found"),
            100,
        );
        assert_eq!(
            signals("https://a.org/x", "https://a.org/x", &p, None).len(),
            1
        );
        let ok = page(Some("Finding help"), Some("Resources"), 100);
        assert!(signals("https://a.org/x", "https://a.org/x", &ok, None).is_empty());
    }

    #[test]
    fn collapsed_text_needs_a_new_title() {
        let prev = Previous {
            title: Some("Guide"),
            length: 3000,
        };
        let same_title = page(Some("Guide"), None, 100);
        assert!(
            signals(
                "https://a.org/x",
                "https://a.org/x",
                &same_title,
                Some(prev)
            )
            .is_empty()
        );
        let new_title = page(Some("Example Org"), None, 100);
        assert_eq!(
            signals("https://a.org/x", "https://a.org/x", &new_title, Some(prev)).len(),
            1
        );
    }
}
