//! `add`: propose an id for a new resource from its page's title.

use crate::catalog::Catalog;

/// Longest id [`slug`] proposes, in characters.
pub const MAX_SLUG_LEN: usize = 60;

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

/// `base`, or `base-2`, `base-3`… when taken; `resource` when the title gave no slug.
pub fn free_id(base: &str, catalog: &Catalog) -> String {
    let base = if base.is_empty() { "resource" } else { base };
    let taken = |id: &str| catalog.resources.iter().any(|e| e.resource.id == id);
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
}
