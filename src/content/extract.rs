//! Turning a response body into a [`Page`]: charset decoding, the part of an HTML page that
//! matters (once [`guard`] has bounded what the page may cost), plain text, a PDF's text (read
//! by [`pdf`]), or a fingerprint of a document's bytes.

use super::guard::{self, Guarded, HiddenText};
use super::{Page, PdfRead, compare, normalize, pdf};
use crate::catalog::Watch;
use ego_tree::NodeId;
use ego_tree::iter::Edge;
use encoding_rs::Encoding;
use regex::Regex;
use regex::bytes::Regex as BytesRegex;
use scraper::{ElementRef, Html, Node, Selector};
use std::collections::HashSet;
use std::sync::LazyLock;

/// What a body is, which decides how it is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Html,
    Text,
    Pdf,
    Document,
}

/// Extracts the comparable content of a body. Never panics, whatever the bytes.
pub fn extract(body: &[u8], content_type: Option<&str>, watch: &Watch) -> Page {
    match body_kind(body, content_type) {
        BodyKind::Html => html(body, content_type, watch),
        BodyKind::Text => text(body, content_type, watch),
        BodyKind::Pdf => pdf(body, watch),
        BodyKind::Document => document(body),
    }
}

fn mime(content_type: Option<&str>) -> String {
    content_type
        .and_then(|ct| ct.split(';').next())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn body_kind(body: &[u8], content_type: Option<&str>) -> BodyKind {
    match mime(content_type).as_str() {
        "text/html" | "application/xhtml+xml" => BodyKind::Html,
        m if m.starts_with("text/") => BodyKind::Text,
        "application/pdf" | "application/x-pdf" => BodyKind::Pdf,
        "" | "application/octet-stream" => sniff(body),
        _ => BodyKind::Document,
    }
}

/// Guesses the kind of an unlabelled body from its first bytes.
fn sniff(body: &[u8]) -> BodyKind {
    let head = &body[..body.len().min(1024)];
    let lower = head.to_ascii_lowercase();
    let trimmed = lower
        .strip_prefix(b"\xef\xbb\xbf".as_slice())
        .unwrap_or(&lower)
        .trim_ascii_start();
    if head.starts_with(b"%PDF") {
        BodyKind::Pdf
    } else if trimmed.starts_with(b"<") && !trimmed.starts_with(b"<?xml") {
        BodyKind::Html
    } else if std::str::from_utf8(head).is_ok() && !head.contains(&0) {
        BodyKind::Text
    } else {
        BodyKind::Document
    }
}

static META_CHARSET: LazyLock<BytesRegex> = LazyLock::new(|| {
    BytesRegex::new(r#"(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)"#)
        .expect("meta charset pattern")
});

/// Decodes by the `Content-Type` charset, then (for HTML) `<meta charset>`, where UTF-16 means
/// UTF-8, else UTF-8; a byte-order mark wins over all three, and undecodable bytes become
/// U+FFFD. Stops after [`guard::MAX_TEXT_BYTES`] of text.
fn decode(body: &[u8], content_type: Option<&str>, look_in_meta: bool) -> String {
    let from_header = content_type.and_then(|ct| {
        ct.split(';').skip(1).find_map(|param| {
            let (name, value) = param.split_once('=')?;
            (name.trim().eq_ignore_ascii_case("charset"))
                .then(|| Encoding::for_label(value.trim().trim_matches('"').as_bytes()))
                .flatten()
        })
    });
    let from_meta = || {
        look_in_meta
            .then(|| {
                let head = &body[..body.len().min(1024)];
                let caps = META_CHARSET.captures(head)?;
                let encoding = Encoding::for_label(caps.get(1)?.as_bytes())?;
                // The WHATWG prescan: a page whose <meta> reads as ASCII bytes is not UTF-16,
                // whatever the tag says, so it means UTF-8.
                let utf16 = encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE;
                Some(if utf16 { encoding_rs::UTF_8 } else { encoding })
            })
            .flatten()
    };
    let encoding = from_header.or_else(from_meta).unwrap_or(encoding_rs::UTF_8);
    let mut decoder = encoding.new_decoder();
    let longest = decoder
        .max_utf8_buffer_length(body.len())
        .unwrap_or(usize::MAX);
    let mut text = String::with_capacity(longest.min(guard::MAX_TEXT_BYTES));
    // The decoder stops where the capacity ends: that is the cap.
    let _ = decoder.decode_to_string(body, &mut text, true);
    text
}

/// A page known only by the hash and length of its bytes.
fn bytes_only(body: &[u8], is_document: bool, unread: Option<&'static str>) -> Page {
    Page {
        title: None,
        heading: None,
        text: String::new(),
        fingerprint: blake3::hash(body).to_hex().to_string(),
        length: body.len() as u64,
        is_document,
        selector_matched: None,
        unread,
        anchors: None,
        facts: Vec::new(),
        pdf: None,
    }
}

fn document(body: &[u8]) -> Page {
    bytes_only(body, true, None)
}

/// A PDF by its text, one block per page, normalised as a page's text is; by its bytes when it
/// has no text that [`pdf::read`] could read (or that is left once `watch.ignore` has removed
/// lines).
fn pdf(body: &[u8], watch: &Watch) -> Page {
    let read = pdf::read(body).and_then(|read| {
        let lines = normalize::lines(&read.pages, &normalize::ignore_patterns(&watch.ignore));
        if lines.is_empty() {
            Err(pdf::NO_TEXT)
        } else {
            Ok((read.title, lines))
        }
    });
    match read {
        Ok((title, lines)) => Page {
            facts: facts(&lines, Vec::new()),
            pdf: Some(PdfRead::Text),
            ..Page::from_text(title, None, lines.join("\n"), None)
        },
        Err(why) => Page {
            pdf: Some(PdfRead::Bytes(why)),
            ..document(body)
        },
    }
}

fn text(body: &[u8], content_type: Option<&str>, watch: &Watch) -> Page {
    let decoded = decode(body, content_type, false);
    if guard::looks_binary(&decoded) {
        return document(body);
    }
    let decoded = if decoded.contains("\r\n") {
        decoded.replace("\r\n", "\n")
    } else {
        decoded
    };
    let paragraphs: Vec<&str> = decoded.split("\n\n").collect();
    let lines = normalize::lines(&paragraphs, &normalize::ignore_patterns(&watch.ignore));
    Page {
        facts: facts(&lines, Vec::new()),
        ..Page::from_text(None, None, lines.join("\n"), None)
    }
}

fn html(body: &[u8], content_type: Option<&str>, watch: &Watch) -> Page {
    let decoded = decode(body, content_type, true);
    if guard::looks_binary(&decoded) {
        return document(body);
    }
    // A selector may pick a script or a style itself, whose text is then read.
    let hidden = if watch.selector.is_none() {
        HiddenText::Drop
    } else {
        HiddenText::Keep
    };
    let doc = match guard::html(&decoded, hidden) {
        Guarded::Html(markup) => Html::parse_document(&markup),
        Guarded::TooComplex => return bytes_only(body, false, Some(guard::TOO_COMPLEX)),
    };
    // The tree holds its own copy of the text.
    drop(decoded);
    let anchors = anchors(&doc);
    let title = first_text(&doc, &TITLE);
    let heading = first_text(&doc, &H1);
    let (roots, chrome, selector_matched) = match &watch.selector {
        Some(selector) => match Selector::parse(selector) {
            Ok(sel) => {
                let found: Vec<ElementRef> = doc.select(&sel).collect();
                if found.is_empty() {
                    let (roots, chrome) = main_content(&doc);
                    (roots, chrome, Some(false))
                } else {
                    (outermost(&doc, found), false, Some(true))
                }
            }
            Err(_) => {
                let (roots, chrome) = main_content(&doc);
                (roots, chrome, Some(false))
            }
        },
        None => {
            let (roots, chrome) = main_content(&doc);
            (roots, chrome, None)
        }
    };
    let mut blocks = Vec::new();
    let mut links = Vec::new();
    for root in roots {
        collect_blocks(root, chrome, &mut blocks, &mut links);
    }
    // The blocks hold their own copy of the text.
    drop(doc);
    let lines = normalize::lines(&blocks, &normalize::ignore_patterns(&watch.ignore));
    Page {
        anchors,
        facts: facts(&lines, links),
        ..Page::from_text(title, heading, lines.join("\n"), selector_matched)
    }
}

/// Most contact facts kept of one page, and most link targets read from its main content.
pub const MAX_FACTS: usize = 200;
/// Longest fact kept, in bytes; a longer link is left out.
const MAX_FACT_BYTES: usize = 500;

/// A phone number written with separators, so that dates, ids and prices are not taken for
/// one: `1-800-555-0100`, `(800) 555-0100`, `800.555.0100`, `+1 800 555 0100`,
/// `+44 20 7946 0958`. Both patterns are ASCII-only (`(?-u)`), which keeps the search
/// fast on any text.
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u)(?:(?:\+|\b)\d{1,3}[ .-])?(?:\(\d{3}\) ?|\b\d{3}[ .-])\d{3}[ .-]\d{4}\b|\+\d{1,3}(?:[ .-]\d{1,4}){2,4}\b",
    )
    .expect("phone pattern")
});

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
        .expect("e-mail pattern")
});

/// The contact facts of the main content: phone numbers and e-mail addresses in its text
/// (`lines`), then its link targets (`links`: `tel:` and `mailto:` ones are phones and e-mails).
fn facts(lines: &[String], links: Vec<String>) -> Vec<String> {
    let text = lines.join(" ");
    let mut found = Vec::new();
    found.extend(
        PHONE
            .find_iter(&text)
            .map(|m| format!("phone {}", m.as_str())),
    );
    found.extend(
        EMAIL
            .find_iter(&text)
            .map(|m| format!("email {}", m.as_str().to_lowercase())),
    );
    for href in links {
        let href = href.trim();
        let scheme = href.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
        let fact = match scheme.as_deref() {
            Some("tel") => format!("phone {}", &href[4..]),
            Some("mailto") => {
                let to = href[7..].split('?').next().unwrap_or_default();
                format!("email {}", to.to_lowercase())
            }
            Some("javascript" | "data") => continue,
            _ if href.is_empty() || href.starts_with('#') => continue,
            _ => format!("link {}", compare::link_target(href)),
        };
        found.push(fact);
    }
    let mut seen = HashSet::new();
    found.retain(|fact| fact.len() <= MAX_FACT_BYTES && seen.insert(compare::fact_key(fact)));
    found.truncate(MAX_FACTS);
    found
}

/// Most anchors kept of one page; a page with more has its anchors unknown, so no fragment is
/// reported gone from it.
pub const MAX_ANCHORS: usize = 10_000;
/// Longest anchor kept, in bytes; a longer fragment is never reported gone.
pub const MAX_ANCHOR_BYTES: usize = 256;

/// Every element `id` and `<a name>` of the page, in one pass over the tree; `None` past
/// [`MAX_ANCHORS`].
fn anchors(doc: &Html) -> Option<Vec<String>> {
    let mut found = Vec::new();
    for node in doc.tree.nodes() {
        let Node::Element(element) = node.value() else {
            continue;
        };
        let name = (element.name() == "a")
            .then(|| element.attr("name"))
            .flatten();
        for anchor in [element.id(), name].into_iter().flatten() {
            if anchor.is_empty() || anchor.len() > MAX_ANCHOR_BYTES {
                continue;
            }
            if found.len() == MAX_ANCHORS {
                return None;
            }
            found.push(anchor.to_string());
        }
    }
    Some(found)
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("built-in selector")
}

static TITLE: LazyLock<Selector> = LazyLock::new(|| selector("title"));
static H1: LazyLock<Selector> = LazyLock::new(|| selector("h1"));
static MAIN: LazyLock<[Selector; 2]> =
    LazyLock::new(|| [selector("main"), selector("[role=main]")]);
static ARTICLE: LazyLock<Selector> = LazyLock::new(|| selector("article"));
static BODY: LazyLock<Selector> = LazyLock::new(|| selector("body"));

/// The normalised text of the first element matching `css`, if it has any, cut to
/// [`guard::MAX_TITLE_CHARS`].
fn first_text(doc: &Html, css: &Selector) -> Option<String> {
    let element = doc.select(css).next()?;
    let mut blocks = Vec::new();
    collect_blocks(element, false, &mut blocks, &mut Vec::new());
    let mut text = normalize::inline(&blocks.join(" "));
    guard::truncate_chars(&mut text, guard::MAX_TITLE_CHARS);
    (!text.is_empty()).then_some(text)
}

/// The page's main content: `main`, `[role=main]` or a single `article`; else the body, from
/// which the page chrome (navigation, header, footer, asides, forms) is left out.
fn main_content(doc: &Html) -> (Vec<ElementRef<'_>>, bool) {
    for css in &*MAIN {
        if let Some(found) = doc.select(css).next() {
            return (vec![found], false);
        }
    }
    let articles: Vec<ElementRef> = doc.select(&ARTICLE).collect();
    if articles.len() == 1 {
        return (articles, false);
    }
    let body = doc
        .select(&BODY)
        .next()
        .unwrap_or_else(|| doc.root_element());
    (vec![body], true)
}

/// Drops matches nested in other matches, so no text is counted twice; one walk over the
/// tree, however deep.
fn outermost<'a>(doc: &'a Html, found: Vec<ElementRef<'a>>) -> Vec<ElementRef<'a>> {
    let ids: HashSet<NodeId> = found.iter().map(|e| e.id()).collect();
    let mut inside: Option<NodeId> = None;
    let mut kept = Vec::new();
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(node) if inside.is_none() && ids.contains(&node.id()) => {
                inside = Some(node.id());
                kept.extend(ElementRef::wrap(node));
            }
            Edge::Close(node) if inside == Some(node.id()) => inside = None,
            _ => {}
        }
    }
    kept
}

const BLOCKS: [&str; 36] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "caption",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "td",
    "th",
    "tr",
];

const NEVER_TEXT: [&str; 9] = [
    "script", "style", "noscript", "template", "svg", "iframe", "object", "head", "title",
];

const CHROME: [&str; 5] = ["nav", "header", "footer", "aside", "form"];

fn excluded(element: ElementRef<'_>, chrome: bool) -> bool {
    let value = element.value();
    let name = value.name();
    let style_hidden = value.attr("style").is_some_and(|style| {
        let style: String = style.split_whitespace().collect();
        style.to_ascii_lowercase().contains("display:none")
    });
    NEVER_TEXT.contains(&name)
        || value.attr("hidden").is_some()
        || style_hidden
        || (name == "input"
            && value
                .attr("type")
                .is_some_and(|t| t.eq_ignore_ascii_case("hidden")))
        || (chrome && CHROME.contains(&name) && !(name == "form" && wraps_content(element)))
}

/// Some sites wrap the whole page in one `<form>`: such a form is content, not chrome.
fn wraps_content(form: ElementRef<'_>) -> bool {
    form.descendent_elements()
        .any(|e| matches!(e.value().name(), "p" | "h1" | "h2" | "article" | "section"))
}

/// Appends the text under `root`, one entry per block element, and the first [`MAX_FACTS`]
/// link targets (`href`s) to `links`; walks the tree without recursion so a deeply nested page
/// cannot overflow the stack.
fn collect_blocks(
    root: ElementRef<'_>,
    chrome: bool,
    out: &mut Vec<String>,
    links: &mut Vec<String>,
) {
    let mut current = String::new();
    let mut skipping: Option<NodeId> = None;
    let mut flush = |current: &mut String| {
        if !current.trim().is_empty() {
            out.push(std::mem::take(current));
        }
        current.clear();
    };
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Text(text) => current.push_str(text),
                    Node::Element(element) => {
                        let skip = node.id() != root.id()
                            && ElementRef::wrap(node).is_some_and(|e| excluded(e, chrome));
                        if skip {
                            skipping = Some(node.id());
                            continue;
                        }
                        if BLOCKS.contains(&element.name()) {
                            flush(&mut current);
                        }
                        if element.name() == "a"
                            && links.len() < MAX_FACTS
                            && let Some(href) = element.attr("href")
                        {
                            links.push(href.to_string());
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if skipping == Some(node.id()) {
                    skipping = None;
                } else if skipping.is_none()
                    && let Node::Element(element) = node.value()
                    && BLOCKS.contains(&element.name())
                {
                    flush(&mut current);
                }
            }
        }
    }
    flush(&mut current);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watch() -> Watch {
        Watch::default()
    }

    #[test]
    fn prefers_main_and_leaves_out_scripts() {
        let page = extract(
            b"<html><head><title> Hello </title></head><body><nav>Menu</nav><main><h1>Head</h1>\
              <p>One. Two.</p><script>var x = 1;</script></main><footer>Foot</footer></body></html>",
            Some("text/html"),
            &watch(),
        );
        assert_eq!(page.title.as_deref(), Some("Hello"));
        assert_eq!(page.heading.as_deref(), Some("Head"));
        assert_eq!(page.text, "Head\nOne.\nTwo.");
        assert!(!page.is_document);
    }

    #[test]
    fn body_without_main_drops_page_chrome() {
        let page = extract(
            b"<body><header>Site</header><nav>Menu</nav><div>Kept <b>bold</b> text</div>\
              <aside>Side</aside><form><input type=hidden value=x>Search</form><footer>F</footer></body>",
            None,
            &watch(),
        );
        assert_eq!(page.text, "Kept bold text");
    }

    #[test]
    fn a_form_wrapping_the_page_is_content_and_hidden_styles_are_not() {
        let page = extract(
            b"<body><form id=aspnet><nav>Menu</nav><h1>Title</h1><p>Body text.</p>\
              <div style=\"display: none\">Secret</div></form></body>",
            Some("text/html"),
            &watch(),
        );
        assert_eq!(page.text, "Title\nBody text.");
    }

    #[test]
    fn selector_reports_whether_it_matched() {
        let body = b"<body><div id=a>Alpha</div><div id=b>Beta</div></body>";
        let mut w = watch();
        w.selector = Some("#b".into());
        let page = extract(body, Some("text/html"), &w);
        assert_eq!(
            (page.text.as_str(), page.selector_matched),
            ("Beta", Some(true))
        );
        w.selector = Some("#missing".into());
        assert_eq!(
            extract(body, Some("text/html"), &w).selector_matched,
            Some(false)
        );
    }

    #[test]
    fn a_script_picked_by_a_selector_or_as_main_content_is_read() {
        let body = b"<head><script type=\"application/ld+json\">{\"name\": \"Agency\"}</script>\
                     </head><body><p>Text.</p><style role=main>Styled.</style></body>";
        let mut w = watch();
        w.selector = Some("script".into());
        assert_eq!(
            extract(body, Some("text/html"), &w).text,
            "{\"name\": \"Agency\"}"
        );
        assert_eq!(extract(body, Some("text/html"), &watch()).text, "Styled.");
    }

    #[test]
    fn decodes_by_header_then_meta_charset() {
        let latin1 =
            b"<html><head><meta charset=\"iso-8859-1\"></head><body><p>caf\xe9</p></body></html>";
        assert_eq!(extract(latin1, Some("text/html"), &watch()).text, "café");
        let header = extract(
            b"<p>caf\xe9</p>",
            Some("text/html; charset=windows-1252"),
            &watch(),
        );
        assert_eq!(header.text, "café");
    }

    #[test]
    fn pdf_is_fingerprinted_by_bytes() {
        let page = extract(b"%PDF-1.7 binary", Some("application/pdf"), &watch());
        assert!(page.is_document);
        assert_eq!(page.length, 15);
        assert_eq!(
            page.fingerprint,
            blake3::hash(b"%PDF-1.7 binary").to_hex().to_string()
        );
    }

    #[test]
    fn plain_text_is_split_into_sentences() {
        let page = extract(
            b"One line.\nSame paragraph.\n\nNext.",
            Some("text/plain"),
            &watch(),
        );
        assert_eq!(page.text, "One line.\nSame paragraph.\nNext.");
    }

    /// Fingerprints and text lengths of the fixture pages as extracted before the guard.
    #[test]
    fn fixture_pages_extract_as_before_the_guard() {
        let pinned: [(&[u8], &str, u64); 6] = [
            (
                include_bytes!("../../tests/fixtures/pages/collapsed.html"),
                "2807a908a6417b1836dbbcfaf777e939c0f9b3aa77024777fe08817c214b57e7",
                21,
            ),
            (
                include_bytes!("../../tests/fixtures/pages/guide-noise.html"),
                "1611b26acac4f5aa644a05442740314ecbaf795332cbe479124c764f4b4caacf",
                782,
            ),
            (
                include_bytes!("../../tests/fixtures/pages/guide-rewritten.html"),
                "8e2ae174f05ed3429dde6de9f2bdae7f14a1878983b5cac55e611ab5263c5074",
                286,
            ),
            (
                include_bytes!("../../tests/fixtures/pages/guide.html"),
                "1611b26acac4f5aa644a05442740314ecbaf795332cbe479124c764f4b4caacf",
                782,
            ),
            (
                include_bytes!("../../tests/fixtures/pages/home.html"),
                "a680f29936a00e90c2837281f2be737d1693a802c74c14097a1de0a27ed737a7",
                59,
            ),
            (
                include_bytes!("../../tests/fixtures/pages/not-found.html"),
                "aab1d585e290095422e61236ecfef4b3563e141c38a1eca29bc6ec38e22a596c",
                53,
            ),
        ];
        for (body, fingerprint, length) in pinned {
            let page = extract(body, Some("text/html"), &watch());
            assert_eq!(
                (page.fingerprint.as_str(), page.length, page.unread),
                (fingerprint, length, None)
            );
        }
    }

    fn bytes_hash(body: &[u8]) -> String {
        blake3::hash(body).to_hex().to_string()
    }

    #[test]
    fn a_five_mib_nul_flood_is_a_binary_document() {
        let body = vec![0; 5 * 1024 * 1024];
        let page = extract(&body, Some("text/html"), &watch());
        assert!(page.is_document && page.unread.is_none());
        assert_eq!(
            (page.fingerprint, page.length),
            (bytes_hash(&body), body.len() as u64)
        );
    }

    #[test]
    fn a_control_character_flood_is_a_binary_document() {
        let body: Vec<u8> = b"\x01\x02\x1b[0m text \x7f"
            .iter()
            .copied()
            .cycle()
            .take(1024 * 1024)
            .collect();
        for content_type in ["text/html", "text/plain"] {
            let page = extract(&body, Some(content_type), &watch());
            assert!(page.is_document, "{content_type}");
            assert_eq!(page.fingerprint, bytes_hash(&body));
        }
    }

    #[test]
    fn two_hundred_thousand_nested_divs_are_unread() {
        let body = format!("{}x", "<div>".repeat(200_000));
        let page = extract(body.as_bytes(), Some("text/html"), &watch());
        assert_eq!(page.unread, Some(guard::TOO_COMPLEX));
        assert!(!page.is_document && page.text.is_empty() && page.title.is_none());
        assert_eq!(
            (page.fingerprint, page.length),
            (bytes_hash(body.as_bytes()), body.len() as u64)
        );
    }

    #[test]
    fn nested_divs_past_the_depth_limit_keep_their_text() {
        let depth = 5_000;
        let body = format!(
            "{}Deep text.{}<p>After.</p>",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let page = extract(body.as_bytes(), Some("text/html"), &watch());
        assert_eq!(page.text, "Deep text.\nAfter.");
    }

    #[test]
    fn a_tag_with_three_hundred_thousand_attributes_is_read() {
        let mut body = String::from("<p");
        for mut i in 0..300_000usize {
            // Short distinct names (a, b, …, ba, bb, …), so that the tag fits in the cap.
            body.push(' ');
            let start = body.len();
            loop {
                body.insert(start, char::from(b'a' + (i % 26) as u8));
                i /= 26;
                if i == 0 {
                    break;
                }
            }
        }
        body.push_str(">Text.</p>");
        let page = extract(body.as_bytes(), Some("text/html"), &watch());
        assert_eq!((page.text.as_str(), page.unread), ("Text.", None));
    }

    #[test]
    fn tables_nested_thousands_deep_keep_their_text() {
        let body = format!("{}Cell.", "<table><tr><td>".repeat(3_000));
        let page = extract(body.as_bytes(), Some("text/html"), &watch());
        assert_eq!((page.text.as_str(), page.unread), ("Cell.", None));
    }

    #[test]
    fn a_giant_text_node_is_read_up_to_the_cap() {
        let words = "lorem ipsum dolor sit amet consectetur ";
        let body = format!("<p>{}</p>", words.repeat(4 * 1024 * 1024 / words.len()));
        let page = extract(body.as_bytes(), Some("text/html"), &watch());
        assert!(page.unread.is_none() && !page.is_document);
        assert!(page.text.len() > guard::MAX_TEXT_BYTES / 2);
        assert!(page.text.len() <= guard::MAX_TEXT_BYTES);
        assert!(
            page.text
                .lines()
                .all(|l| l.chars().count() <= normalize::WRAP_WIDTH)
        );
    }

    #[test]
    fn a_giant_title_is_cut() {
        let body = format!("<title>{}</title><p>Body.</p>", "word ".repeat(200_000));
        let page = extract(body.as_bytes(), Some("text/html"), &watch());
        let title = page.title.expect("title");
        assert!(title.chars().count() <= guard::MAX_TITLE_CHARS);
        assert!(title.starts_with("word word"));
        assert_eq!(page.text, "Body.");
    }

    #[test]
    fn anchors_are_ids_and_a_names_and_a_fragment_names_one_or_none() {
        let page = extract(
            b"<body><h2 id=section-3>Three</h2><a name=old-anchor></a><p id=\"caf\xc3\xa9\">x</p>\
              <div name=not-an-anchor></div></body>",
            Some("text/html"),
            &watch(),
        );
        let anchors = page.anchors.clone().unwrap();
        assert_eq!(anchors, ["section-3", "old-anchor", "café"]);
        let gone = |url: &str| page.missing_anchor(url);
        assert_eq!(gone("https://a.org/x#section-3"), None);
        assert_eq!(gone("https://a.org/x#old-anchor"), None);
        assert_eq!(gone("https://a.org/x#caf%C3%A9"), None);
        assert_eq!(gone("https://a.org/x#section-4"), Some("section-4".into()));
        assert_eq!(
            gone("https://a.org/x#not-an-anchor"),
            Some("not-an-anchor".into())
        );
        for none in ["", "#", "#top", "#!/route", "#/route", "#:~:text=Three"] {
            assert_eq!(gone(&format!("https://a.org/x{none}")), None, "{none}");
        }
        assert_eq!(
            gone("https://a.org/x#section-4:~:text=Three"),
            Some("section-4".into())
        );
        let plain = extract(b"Text.", Some("text/plain"), &watch());
        assert_eq!(plain.missing_anchor("https://a.org/x#section-3"), None);
    }

    #[test]
    fn facts_are_phones_emails_and_links_of_the_main_content() {
        let page = extract(
            b"<body><nav><a href=/menu>Menu</a> Call 1-800-555-0111</nav><main>\
              <p>Call 1-800-555-0100 or (202) 555-0123, or +44 20 7946 0958, day or night.</p>\
              <p>Write to Help@Hotline.example. Updated 2026-11-28, case 123-45-6789 12.50.</p>\
              <a href=\"/report?utm_source=news\">Report</a><a href=#top>Top</a>\
              <a href=\"tel:+1-800-555-0100\">Call</a><a href=\"mailto:tips@hotline.example?subject=x\">Mail</a>\
              <a href=\"javascript:void(0)\">Menu</a></main><footer>Call 1-800-555-0122</footer></body>",
            Some("text/html"),
            &watch(),
        );
        assert_eq!(
            page.facts,
            [
                "phone 1-800-555-0100",
                "phone (202) 555-0123",
                "phone +44 20 7946 0958",
                "email help@hotline.example",
                "link /report",
                "email tips@hotline.example",
            ]
        );
        let text = extract(b"Call 800.555.0100 any time.", Some("text/plain"), &watch());
        assert_eq!(text.facts, ["phone 800.555.0100"]);
    }

    #[test]
    fn anchors_past_the_cap_are_unknown() {
        let body = "<p id=a>x</p>".repeat(MAX_ANCHORS + 1);
        let page = extract(body.as_bytes(), Some("text/html"), &watch());
        assert_eq!(page.anchors, None);
        assert_eq!(page.missing_anchor("https://a.org/x#gone"), None);
    }

    #[test]
    fn decoding_stops_at_the_cap_and_not_before() {
        let latin1 = [b"caf\xe9 ".repeat(160_000), b"END".to_vec()].concat();
        let page = extract(&latin1, Some("text/plain; charset=windows-1252"), &watch());
        assert!(page.text.starts_with("café café") && page.text.ends_with("END"));
        let long = "word ".repeat(guard::MAX_TEXT_BYTES / 4);
        let page = extract(long.as_bytes(), Some("text/plain"), &watch());
        assert!(page.length <= guard::MAX_TEXT_BYTES as u64);
        assert!(page.length > guard::MAX_TEXT_BYTES as u64 - 1000);
    }
}
