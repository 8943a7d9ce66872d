//! Turning a response body into a [`Page`]: charset decoding, the part of an HTML page that
//! matters, plain text, or a fingerprint of a document's bytes.

use super::{Page, normalize};
use crate::catalog::Watch;
use ego_tree::NodeId;
use ego_tree::iter::Edge;
use encoding_rs::Encoding;
use regex::bytes::Regex as BytesRegex;
use scraper::node::Element;
use scraper::{ElementRef, Html, Node, Selector};
use std::collections::HashSet;
use std::sync::LazyLock;

/// What a body is, which decides how it is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Html,
    Text,
    Document,
}

/// Extracts the comparable content of a body. Never panics, whatever the bytes.
pub fn extract(body: &[u8], content_type: Option<&str>, watch: &Watch) -> Page {
    match body_kind(body, content_type) {
        BodyKind::Html => html(body, content_type, watch),
        BodyKind::Text => text(body, content_type, watch),
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
    if trimmed.starts_with(b"<") && !trimmed.starts_with(b"<?xml") {
        BodyKind::Html
    } else if std::str::from_utf8(head).is_ok() && !head.contains(&0) && !head.starts_with(b"%PDF")
    {
        BodyKind::Text
    } else {
        BodyKind::Document
    }
}

static META_CHARSET: LazyLock<BytesRegex> = LazyLock::new(|| {
    BytesRegex::new(r#"(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)"#)
        .expect("meta charset pattern")
});

/// Decodes by the `Content-Type` charset, then (for HTML) `<meta charset>`, else UTF-8; a
/// byte-order mark wins over both, and undecodable bytes become U+FFFD.
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
                Encoding::for_label(caps.get(1)?.as_bytes())
            })
            .flatten()
    };
    let encoding = from_header
        .or_else(from_meta)
        .unwrap_or(encoding_rs::UTF_8);
    encoding.decode(body).0.into_owned()
}

fn document(body: &[u8]) -> Page {
    Page {
        title: None,
        heading: None,
        text: String::new(),
        fingerprint: blake3::hash(body).to_hex().to_string(),
        length: body.len() as u64,
        is_document: true,
        selector_matched: None,
    }
}

fn text(body: &[u8], content_type: Option<&str>, watch: &Watch) -> Page {
    let decoded = decode(body, content_type, false);
    let paragraphs: Vec<String> = decoded
        .replace("\r\n", "\n")
        .split("\n\n")
        .map(str::to_string)
        .collect();
    let lines = normalize::lines(&paragraphs, &normalize::ignore_patterns(&watch.ignore));
    Page::from_text(None, None, lines.join("\n"), None)
}

fn html(body: &[u8], content_type: Option<&str>, watch: &Watch) -> Page {
    let decoded = decode(body, content_type, true);
    let doc = Html::parse_document(&decoded);
    let title = first_text(&doc, "title");
    let heading = first_text(&doc, "h1");
    let (roots, chrome, selector_matched) = match &watch.selector {
        Some(selector) => match Selector::parse(selector) {
            Ok(sel) => {
                let found: Vec<ElementRef> = doc.select(&sel).collect();
                if found.is_empty() {
                    let (roots, chrome) = main_content(&doc);
                    (roots, chrome, Some(false))
                } else {
                    (outermost(found), false, Some(true))
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
    for root in roots {
        collect_blocks(root, chrome, &mut blocks);
    }
    let lines = normalize::lines(&blocks, &normalize::ignore_patterns(&watch.ignore));
    Page::from_text(title, heading, lines.join("\n"), selector_matched)
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("built-in selector")
}

/// The normalised text of the first element matching `css`, if it has any.
fn first_text(doc: &Html, css: &str) -> Option<String> {
    let element = doc.select(&selector(css)).next()?;
    let mut blocks = Vec::new();
    collect_blocks(element, false, &mut blocks);
    let text = normalize::inline(&blocks.join(" "));
    (!text.is_empty()).then_some(text)
}

/// The page's main content: `main`, `[role=main]` or a single `article`; else the body, from
/// which the page chrome (navigation, header, footer, asides, forms) is left out.
fn main_content(doc: &Html) -> (Vec<ElementRef<'_>>, bool) {
    for css in ["main", "[role=main]"] {
        if let Some(found) = doc.select(&selector(css)).next() {
            return (vec![found], false);
        }
    }
    let articles: Vec<ElementRef> = doc.select(&selector("article")).collect();
    if articles.len() == 1 {
        return (articles, false);
    }
    let body = doc
        .select(&selector("body"))
        .next()
        .unwrap_or_else(|| doc.root_element());
    (vec![body], true)
}

/// Drops matches nested in other matches, so no text is counted twice.
fn outermost(found: Vec<ElementRef<'_>>) -> Vec<ElementRef<'_>> {
    let ids: HashSet<NodeId> = found.iter().map(|e| e.id()).collect();
    found
        .into_iter()
        .filter(|e| !e.ancestors().any(|a| ids.contains(&a.id())))
        .collect()
}

const BLOCKS: [&str; 36] = [
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "dialog", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "td",
    "th", "tr",
];

const NEVER_TEXT: [&str; 9] = [
    "script", "style", "noscript", "template", "svg", "iframe", "object", "head", "title",
];

const CHROME: [&str; 5] = ["nav", "header", "footer", "aside", "form"];

fn excluded(element: &Element, chrome: bool) -> bool {
    let name = element.name();
    NEVER_TEXT.contains(&name)
        || element.attr("hidden").is_some()
        || (name == "input" && element.attr("type").is_some_and(|t| t.eq_ignore_ascii_case("hidden")))
        || (chrome && CHROME.contains(&name))
}

/// Appends the text under `root`, one entry per block element; walks the tree without
/// recursion so a deeply nested page cannot overflow the stack.
fn collect_blocks(root: ElementRef<'_>, chrome: bool, out: &mut Vec<String>) {
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
                        if node.id() != root.id() && excluded(element, chrome) {
                            skipping = Some(node.id());
                        } else if BLOCKS.contains(&element.name()) {
                            flush(&mut current);
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
    fn selector_reports_whether_it_matched() {
        let body = b"<body><div id=a>Alpha</div><div id=b>Beta</div></body>";
        let mut w = watch();
        w.selector = Some("#b".into());
        let page = extract(body, Some("text/html"), &w);
        assert_eq!((page.text.as_str(), page.selector_matched), ("Beta", Some(true)));
        w.selector = Some("#missing".into());
        assert_eq!(extract(body, Some("text/html"), &w).selector_matched, Some(false));
    }

    #[test]
    fn decodes_by_header_then_meta_charset() {
        let latin1 = b"<html><head><meta charset=\"iso-8859-1\"></head><body><p>caf\xe9</p></body></html>";
        assert_eq!(extract(latin1, Some("text/html"), &watch()).text, "café");
        let header = extract(b"<p>caf\xe9</p>", Some("text/html; charset=windows-1252"), &watch());
        assert_eq!(header.text, "café");
    }

    #[test]
    fn pdf_is_fingerprinted_by_bytes() {
        let page = extract(b"%PDF-1.7 binary", Some("application/pdf"), &watch());
        assert!(page.is_document);
        assert_eq!(page.length, 15);
        assert_eq!(page.fingerprint, blake3::hash(b"%PDF-1.7 binary").to_hex().to_string());
    }

    #[test]
    fn plain_text_is_split_into_sentences() {
        let page = extract(b"One line.\nSame paragraph.\n\nNext.", Some("text/plain"), &watch());
        assert_eq!(page.text, "One line.\nSame paragraph.\nNext.");
    }
}
