//! `add`: judge a page about to join the catalog as `check` would, and propose its URL, title,
//! organization and id.

use crate::catalog::{Entry, Kind, Resource, Watch};
use crate::check::{Fetch, classify};
use crate::content::normalize;
use crate::state;
use crate::status::Status;
use crate::text::strip_unsafe;
use crate::url::WebUrl;
use scraper::{Html, Selector};
use std::sync::LazyLock;

/// Longest id [`slug`] proposes, in characters.
pub const MAX_SLUG_LEN: usize = 60;

/// Longest title taken from a page, in characters; a longer one is page furniture (a run of
/// keywords, a description in the `<title>`), and the maintainer gives one instead.
pub const MAX_TITLE_CHARS: usize = 300;

/// What sites put between a page's own title and their name, in the order they are tried when
/// both sides could be the name.
const SITE_SEPARATORS: [&str; 6] = [" | ", " :: ", " — ", " – ", " - ", " · "];

/// Most words a title's last part may have to be taken for the site's name when the page does
/// not declare one.
const MAX_SITE_NAME_WORDS: usize = 6;

/// Titles that name no page, only a site's front door: the site's name is the better title.
const HOME_TITLES: [&str; 5] = ["home", "homepage", "home page", "index", "welcome"];

/// How a page about to be added was judged, and what it proposes for the new resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// The status `check` would give the page on its first audit, and why.
    pub status: Status,
    pub detail: String,
    /// The URL to store: where the redirects end when one of them was permanent (`moved`), else
    /// the URL given.
    pub url: String,
    /// The page's title without the site's name; `None` when the answer has no title.
    pub title: Option<String>,
    /// The site's name: the page's `og:site_name`, else the suffix taken off its title.
    pub site_name: Option<String>,
}

impl Proposal {
    /// Whether the page may be added without `--force`: only `ok` and `moved` pages are.
    pub fn addable(&self) -> bool {
        matches!(self.status, Status::Ok | Status::Moved)
    }
}

/// Judges `fetch` (the answer for `url`) exactly as an audit judges a resource it has no
/// baseline for yet (the network verdict, then the hijack and soft-404 signals), and proposes
/// the new resource's URL, title and site name from the answer.
pub fn propose(url: &str, fetch: &Fetch, confirm_after: u32, now: jiff::Timestamp) -> Proposal {
    let entry = Entry {
        folder: String::new(),
        resource: Resource::new("", "", url, Kind::Website, ""),
    };
    let network = classify(fetch, &[]);
    let decision = state::decide(None, || None, &entry, fetch, network, confirm_after, now);
    let status = decision.assessment.status;
    let (title, site_name) = match fetch.http_status {
        Some(200..=299) => {
            let page = crate::content::extract(
                &fetch.body,
                fetch.content_type.as_deref(),
                &Watch::default(),
            );
            // Only HTML declares a site name (a PDF's bytes are not parsed as HTML).
            let declared = if page.is_document || page.pdf.is_some() {
                None
            } else {
                site_name(&fetch.body)
            };
            let title = page
                .title
                .or(page.heading)
                .map(|t| clean(&t))
                .filter(|t| !t.is_empty());
            match title {
                Some(title) => {
                    let (title, suffix) = split_site_name(&title, declared.as_deref());
                    (Some(title), declared.or(suffix))
                }
                None => (None, declared),
            }
        }
        _ => (None, None),
    };
    let moved = status == Status::Moved && !fetch.final_url.is_empty();
    Proposal {
        status,
        detail: decision.assessment.detail,
        url: if moved {
            fetch.final_url.clone()
        } else {
            url.to_owned()
        },
        title,
        site_name,
    }
}

/// Text from a page made fit for the catalog: normalised, whitespace collapsed, no control or
/// bidirectional-override characters.
fn clean(s: &str) -> String {
    normalize::inline(&strip_unsafe(s))
}

/// The site's name as the page declares it, `<meta property="og:site_name" content="…">`.
/// Only the `<head>` is read when the page has one.
pub fn site_name(html: &[u8]) -> Option<String> {
    static META: LazyLock<Selector> =
        LazyLock::new(|| Selector::parse("meta").expect("a valid selector"));
    static HEAD_END: LazyLock<regex::bytes::Regex> =
        LazyLock::new(|| regex::bytes::Regex::new(r"(?i)</head\s*>").expect("a valid pattern"));
    let head = HEAD_END.find(html).map_or(html, |end| &html[..end.end()]);
    let doc = Html::parse_document(&String::from_utf8_lossy(head));
    doc.select(&META)
        .find(|meta| {
            ["property", "name"].iter().any(|attr| {
                meta.value()
                    .attr(attr)
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("og:site_name"))
            })
        })
        .and_then(|meta| meta.value().attr("content"))
        .map(clean)
        .filter(|name| !name.is_empty())
}

/// Splits the site's name off a page title: `("Guide", Some("Example Center"))` for
/// "Guide | Example Center". With a `declared` site name, that name is taken off the end or
/// the start of the title wherever it stands. Without one, the part after the last separator
/// (`|`, `::`, `—`, `–`, `-`, `·`, spaced) is taken for the name when it is short (at most
/// six words) and, after a dash, starts with a capital letter and holds no digit, so that
/// "Guide - Part 2" and "Safety - what parents can do" keep their titles. A title that only
/// says "Home" becomes the site's name.
pub fn split_site_name(title: &str, declared: Option<&str>) -> (String, Option<String>) {
    let title = title.trim();
    if let Some(site) = declared.map(str::trim).filter(|s| !s.is_empty()) {
        for sep in SITE_SEPARATORS {
            let rest = strip_suffix_ci(title, &format!("{sep}{site}"))
                .or_else(|| strip_prefix_ci(title, &format!("{site}{sep}")));
            if let Some(rest) = rest.map(str::trim).filter(|r| !r.is_empty()) {
                return (page_title(rest, site), Some(site.to_owned()));
            }
        }
        return (title.to_owned(), Some(site.to_owned()));
    }
    let last = SITE_SEPARATORS
        .iter()
        .filter_map(|sep| title.rfind(sep).map(|at| (at, *sep)))
        .max_by_key(|(at, _)| *at);
    let Some((at, sep)) = last else {
        return (title.to_owned(), None);
    };
    let (head, suffix) = (title[..at].trim(), title[at + sep.len()..].trim());
    let dash = matches!(sep, " — " | " – " | " - ");
    let words = suffix.split_whitespace().count();
    let name_like = (1..=MAX_SITE_NAME_WORDS).contains(&words)
        && (!dash
            || (suffix.chars().next().is_some_and(char::is_uppercase)
                && !suffix.chars().any(|c| c.is_ascii_digit())));
    if head.is_empty() || !name_like {
        return (title.to_owned(), None);
    }
    (page_title(head, suffix), Some(suffix.to_owned()))
}

/// `head`, unless it only says "Home": then the site's name.
fn page_title(head: &str, site: &str) -> String {
    if HOME_TITLES.contains(&head.to_lowercase().as_str()) {
        site.to_owned()
    } else {
        head.to_owned()
    }
}

fn strip_suffix_ci<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    (s.is_char_boundary(cut) && s[cut..].eq_ignore_ascii_case(suffix)).then(|| &s[..cut])
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let cut = prefix.len();
    (s.is_char_boundary(cut) && s.get(..cut)?.eq_ignore_ascii_case(prefix)).then(|| &s[cut..])
}

/// A title for a page known only by its address: host (without `www.`) and path, without the
/// trailing slash or the query ("example.org/guides/safety").
pub fn address_title(url: &WebUrl) -> String {
    let path = url.as_url().path().trim_end_matches('/');
    format!("{}{path}", url.site())
}

/// A resource id proposed from a title: lowercase ASCII letters and digits joined by single
/// hyphens, accents dropped, cut at a word boundary within [`MAX_SLUG_LEN`].
pub fn slug(title: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in title.nfkd() {
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        } else if !unicode_normalization::char::is_combining_mark(c) && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    let mut out = String::new();
    for w in words {
        let extra = if out.is_empty() { w.len() } else { w.len() + 1 };
        if out.len() + extra > MAX_SLUG_LEN {
            if out.is_empty() {
                out = w[..MAX_SLUG_LEN].to_owned();
            }
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&w);
    }
    out
}

/// `base`, or `base-2`, `base-3`… when `taken`; `resource` when the title gave no slug.
pub fn free_id(base: &str, taken: impl Fn(&str) -> bool) -> String {
    let base = if base.is_empty() { "resource" } else { base };
    (1..)
        .map(|n| {
            if n == 1 {
                base.to_owned()
            } else {
                format!("{base}-{n}")
            }
        })
        .find(|id| !taken(id))
        .unwrap_or_else(|| base.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii_and_bounded() {
        assert_eq!(
            slug("CyberTipline FAQs / report"),
            "cybertipline-faqs-report"
        );
        assert_eq!(
            slug("Équipe d'aide à l'enfance"),
            "equipe-d-aide-a-l-enfance"
        );
        assert_eq!(slug("  --  "), "");
        assert!(slug(&"word ".repeat(40)).len() <= MAX_SLUG_LEN);
    }

    fn split(title: &str, declared: Option<&str>) -> (String, Option<String>) {
        split_site_name(title, declared)
    }

    fn pair(title: &str, site: &str) -> (String, Option<String>) {
        (title.to_owned(), Some(site.to_owned()))
    }

    #[test]
    fn site_name_suffixes_come_off_titles() {
        for title in [
            "Guide | Example Center",
            "Guide - Example Center",
            "Guide — Example Center",
            "Guide :: Example Center",
        ] {
            assert_eq!(
                split(title, None),
                pair("Guide", "Example Center"),
                "{title}"
            );
        }
        assert_eq!(
            split("Guide | Section | Example", None),
            pair("Guide | Section", "Example")
        );
        assert_eq!(
            split("Home | Example Center", None),
            pair("Example Center", "Example Center")
        );
    }

    #[test]
    fn titles_that_only_look_like_they_have_a_suffix_are_kept() {
        for title in [
            "Guide - Part 2",
            "Safety - what parents can do",
            "Guide | A suffix far too long to be the name of any site",
            "Guía para Cuidadores: Safety First",
            "| Example",
        ] {
            assert_eq!(split(title, None), (title.to_owned(), None), "{title}");
        }
    }

    #[test]
    fn a_declared_site_name_comes_off_either_end() {
        assert_eq!(
            split("Guide - Part 2 | example center", Some("Example Center")),
            pair("Guide - Part 2", "Example Center")
        );
        assert_eq!(
            split("Example Center: Guide", Some("Example Center")),
            pair("Example Center: Guide", "Example Center"),
            "a colon is no separator"
        );
        assert_eq!(
            split("Example Center - Guide", Some("Example Center")),
            pair("Guide", "Example Center")
        );
    }

    #[test]
    fn og_site_name_is_read_in_any_attribute_order() {
        let html = br#"<html><head><meta content="Example &amp; Co" property='og:site_name'>
            <title>x</title></head><body><meta property="og:site_name" content="Body"></body>"#;
        assert_eq!(site_name(html), Some("Example & Co".to_owned()));
        assert_eq!(site_name(b"<title>none</title>"), None);
        assert_eq!(
            site_name(b"<meta name=\"OG:SITE_NAME\" content=\"  Spaced \n Out \">"),
            Some("Spaced Out".to_owned())
        );
    }

    #[test]
    fn address_titles_are_host_and_path() {
        let url = WebUrl::parse("https://www.example.org/guides/safety/?utm=x").unwrap();
        assert_eq!(address_title(&url), "example.org/guides/safety");
        let home = WebUrl::parse("https://example.org/").unwrap();
        assert_eq!(address_title(&home), "example.org");
    }

    #[test]
    fn taken_ids_get_a_number() {
        let taken = ["guide", "guide-2"];
        assert_eq!(free_id("guide", |id| taken.contains(&id)), "guide-3");
        assert_eq!(free_id("", |_| false), "resource");
    }
}
