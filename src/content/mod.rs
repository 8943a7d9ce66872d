//! Page text: extraction, normalisation, fingerprints, similarity and diffs.
//!
//! A [`Page`] is what a body looks like to the comparison: for HTML, plain text and PDFs with
//! text the normalised text (one sentence per line) and its title; for any other document (and a
//! PDF without readable text) only a hash of its bytes.

use std::borrow::Cow;

pub mod compare;
pub mod extract;
pub mod guard;
pub mod hijack;
pub mod normalize;
pub mod pdf;
pub mod soft404;

pub use compare::{Accepted, Change, compare, diff_excerpt, fact_changes, similarity, word_delta};
pub use extract::extract;

/// Word-level similarity (see [`similarity`]) to the baseline below which a page counts as
/// changed, unless `watch.threshold` says otherwise. At 0.90 a page may lose or gain about a
/// tenth of its words (an added paragraph on a long page, a reworded sentence on a short one)
/// before it is reported.
pub const DEFAULT_SIMILARITY_THRESHOLD: f64 = 0.90;

/// How a PDF was read (see [`pdf`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PdfRead {
    /// By its text: the page is text like any other.
    Text,
    /// By its bytes, as a document, for this reason (one of [`pdf`]'s, e.g. [`pdf::NO_TEXT`]).
    Bytes(&'static str),
}

/// The comparable content of one response body.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The `<title>`, normalised; a PDF's `/Title` (from its document information).
    pub title: Option<String>,
    /// The first `<h1>`, normalised.
    pub heading: Option<String>,
    /// Normalised text, one sentence per line; empty for documents.
    pub text: String,
    /// blake3 hex: of [`Page::snapshot`] (title and text) for text (HTML, plain text, a PDF read
    /// as text), of the bytes for documents.
    pub fingerprint: String,
    /// Bytes of `text` for text; bytes of the body for documents.
    pub length: u64,
    /// A document: compared by the hash of its bytes only (office files, images, archives, and
    /// PDFs whose text could not be read: see [`Page::pdf`]). A PDF read as text is not one.
    pub is_document: bool,
    /// How a PDF was read (`None` for any other body): by its text, or by its bytes and why.
    pub pdf: Option<PdfRead>,
    /// Whether `watch.selector` matched; `None` when there is none (or for non-HTML bodies).
    pub selector_matched: Option<bool>,
    /// Why the content was not read (see [`guard::TOO_COMPLEX`]): the page is then only known
    /// by the hash and length of its bytes, and its text is empty.
    pub unread: Option<&'static str>,
    /// The page's anchors (element `id`s and `<a name>`s), for a URL's `#fragment`; `None` when
    /// they are not known: not HTML, unread, or more than [`extract::MAX_ANCHORS`].
    pub anchors: Option<Vec<String>>,
    /// The contact facts of the main content, compared exactly (see [`compare::fact_changes`]):
    /// `phone 1-800-555-0100`, `email help@example.org`, `link https://example.org/report`, in
    /// page order, each once, at most [`extract::MAX_FACTS`].
    pub facts: Vec<String>,
}

impl Page {
    fn from_text(
        title: Option<String>,
        heading: Option<String>,
        text: String,
        selector_matched: Option<bool>,
    ) -> Page {
        let mut page = Page {
            title,
            heading,
            length: text.len() as u64,
            text,
            fingerprint: String::new(),
            is_document: false,
            selector_matched,
            unread: None,
            anchors: None,
            facts: Vec::new(),
            pdf: None,
        };
        let mut hasher = blake3::Hasher::new();
        for part in page.snapshot_parts() {
            hasher.update(part.as_bytes());
        }
        page.fingerprint = hasher.finalize().to_hex().to_string();
        page
    }

    /// [`Page::snapshot`] in the pieces it is made of, so that it can be hashed without a copy
    /// of a long text.
    fn snapshot_parts(&self) -> [Cow<'_, str>; 4] {
        let body = if self.is_document {
            Cow::Owned(format!(
                "document: {} bytes, blake3 {}",
                self.length, self.fingerprint
            ))
        } else {
            Cow::Borrowed(self.text.as_str())
        };
        [
            Cow::Borrowed(self.title.as_deref().unwrap_or("")),
            Cow::Borrowed("\n\n"),
            body,
            Cow::Borrowed("\n"),
        ]
    }

    /// The snapshot file's contents: the title on the first line, a blank line, then the text
    /// (for a document, its length and hash).
    pub fn snapshot(&self) -> String {
        self.snapshot_parts().concat()
    }

    /// The anchor that `url`'s fragment names, when this page is known not to have it:
    /// `section-3` for `…#section-3`. A fragment that names no anchor (`#top`, routes such as
    /// `#!/x` or `#/x`, a text fragment `#:~:text=…`) is never missing.
    pub fn missing_anchor(&self, url: &str) -> Option<String> {
        let (_, fragment) = url.split_once('#')?;
        let anchor = fragment.split(":~:").next().unwrap_or_default();
        let names_no_anchor = anchor.is_empty()
            || anchor.eq_ignore_ascii_case("top")
            || anchor.starts_with(['!', '/'])
            || anchor.len() > extract::MAX_ANCHOR_BYTES;
        if names_no_anchor {
            return None;
        }
        let anchors = self.anchors.as_ref()?;
        let decoded = percent_decoded(anchor);
        let found = anchors.iter().any(|a| a == anchor || *a == decoded);
        (!found).then(|| anchor.to_string())
    }
}

/// `%XX` escapes decoded (as UTF-8, lossily); anything else kept as it is.
fn percent_decoded(s: &str) -> String {
    String::from_utf8_lossy(&hex_unescaped(s.as_bytes(), b'%')).into_owned()
}

/// `bytes` with each `<marker>XX` (two hex digits) made the byte it names, as URLs spell bytes
/// with `%` and PDF names with `#`; anything else is kept as it is.
fn hex_unescaped(bytes: &[u8], marker: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(byte) if bytes[i] == marker => {
                out.push(byte);
                i += 3;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    out
}

/// The text part of a snapshot (everything after the title line and the blank line).
pub fn snapshot_text(snapshot: &str) -> &str {
    snapshot
        .split_once("\n\n")
        .map_or(snapshot, |(_, text)| text)
        .trim_end_matches('\n')
}
