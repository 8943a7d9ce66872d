//! Content change: whether a page differs from the accepted one enough to report ([`compare`]),
//! and the measures it uses (word-level similarity, words added and removed, diff excerpts).

use super::{DEFAULT_SIMILARITY_THRESHOLD, Page, normalize};
use crate::catalog::Watch;
use serde::{Deserialize, Serialize};
use similar::TextDiff;
use std::collections::HashMap;
use std::time::Duration;

/// What a content change looks like, for the report (filled by the content comparison).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Change {
    /// Why it counts as changed, e.g. "title changed", "expected text \"x\" is gone".
    pub reasons: Vec<String>,
    pub old_title: Option<String>,
    pub new_title: Option<String>,
    /// Word-level similarity to the baseline, 0.0–1.0.
    pub similarity: Option<f64>,
    pub words_added: usize,
    pub words_removed: usize,
    /// A short unified-diff excerpt of the normalised text (at most about 15 lines).
    pub diff_excerpt: Vec<String>,
    /// Lines of the unified diff left out of the excerpt.
    #[serde(default)]
    pub diff_omitted: usize,
}

/// What the baseline accepted of a page, for [`compare`].
#[derive(Debug, Clone, Copy)]
pub struct Accepted<'a> {
    pub title: Option<&'a str>,
    /// The accepted snapshot's text (see [`Page::snapshot`]).
    pub text: &'a str,
    /// Bytes of text, or of the body for documents.
    pub length: u64,
    pub is_document: bool,
}

/// How `page` differs from the accepted content; no reasons means not a change. A change is a
/// new title, `watch.expect` text gone, a document whose bytes differ, or word-level similarity
/// below the threshold (`watch.threshold`, else [`DEFAULT_SIMILARITY_THRESHOLD`]).
pub fn compare(old: Accepted<'_>, page: &Page, watch: &Watch) -> Change {
    let snapshot = page.snapshot();
    let new = crate::content::snapshot_text(&snapshot);
    let mut reasons = Vec::new();
    if page.title.as_deref() != old.title {
        reasons.push("title changed".to_string());
    }
    if let Some(expect) = &watch.expect {
        let needle = normalize::inline(expect).to_lowercase();
        let has = |title: Option<&str>, text: &str| {
            format!("{} {}", title.unwrap_or(""), text.replace('\n', " "))
                .to_lowercase()
                .contains(&needle)
        };
        if has(old.title, old.text) && !has(page.title.as_deref(), new) {
            reasons.push(format!("expected text \"{expect}\" is gone"));
        }
    }
    let similarity = if page.is_document || old.is_document {
        reasons.push(format!(
            "document changed ({} → {} bytes)",
            old.length, page.length
        ));
        None
    } else {
        let similarity = similarity(old.text, new);
        let threshold = watch.threshold.unwrap_or(DEFAULT_SIMILARITY_THRESHOLD);
        if similarity < threshold {
            reasons.push(format!(
                "similarity {similarity:.2} is below {threshold:.2}"
            ));
        }
        Some(similarity)
    };
    let (words_added, words_removed) = word_delta(old.text, new);
    let (excerpt, omitted) = diff_excerpt(old.text, new);
    Change {
        reasons,
        old_title: old.title.map(str::to_owned),
        new_title: page.title.clone(),
        similarity,
        words_added,
        words_removed,
        diff_excerpt: excerpt,
        diff_omitted: omitted,
    }
}

/// How the contact facts of the accepted content (`old`) and of the page (`new`) differ, one
/// reason each, phones first, then e-mails, then links: "phone number 1-800-555-0100 became
/// 1-800-555-0199" when one of a kind replaces another, else "… is gone" or "… is new". Phone
/// numbers are compared by their digits, so `(800) 555-0100` is `1-800-555-0100`; the rest
/// exactly.
pub fn fact_changes(old: &[String], new: &[String]) -> Vec<String> {
    let keys = |facts: &[String]| -> Vec<String> { facts.iter().map(|f| fact_key(f)).collect() };
    let (old_keys, new_keys) = (keys(old), keys(new));
    let mut reasons = Vec::new();
    for (kind, noun) in [
        ("phone", "phone number"),
        ("email", "e-mail address"),
        ("link", "link"),
    ] {
        let of_kind = |facts: &[String], keys: &[String], others: &[String]| -> Vec<String> {
            facts
                .iter()
                .zip(keys)
                .filter(|(fact, key)| fact_kind(fact) == kind && !others.contains(key))
                .map(|(fact, _)| fact_value(fact).to_string())
                .collect()
        };
        let gone = of_kind(old, &old_keys, &new_keys);
        let added = of_kind(new, &new_keys, &old_keys);
        for (was, is) in gone.iter().zip(&added) {
            reasons.push(format!("{noun} {was} became {is}"));
        }
        let paired = gone.len().min(added.len());
        reasons.extend(gone[paired..].iter().map(|v| format!("{noun} {v} is gone")));
        reasons.extend(added[paired..].iter().map(|v| format!("{noun} {v} is new")));
    }
    reasons
}

/// What a fact is compared by: its kind and, for a phone number, its digits (a leading
/// country code 1 of an 11-digit number dropped), else its value.
pub fn fact_key(fact: &str) -> String {
    let (kind, value) = (fact_kind(fact), fact_value(fact));
    if kind != "phone" {
        return fact.to_string();
    }
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    let national = match digits.strip_prefix('1') {
        Some(rest) if digits.len() == 11 => rest,
        _ => &digits,
    };
    format!("phone {national}")
}

fn fact_kind(fact: &str) -> &str {
    fact.split_once(' ').map_or(fact, |(kind, _)| kind)
}

fn fact_value(fact: &str) -> &str {
    fact.split_once(' ').map_or("", |(_, value)| value)
}

/// Query parameters that change from visit to visit without changing where a link leads.
const TRACKING_PARAMS: [&str; 9] = [
    "fbclid",
    "gclid",
    "msclkid",
    "sid",
    "session",
    "sessionid",
    "token",
    "nonce",
    "csrf",
];

/// A link target without what changes on every visit: tracking parameters (`utm_*`, `fbclid`,
/// session ids, nonces) and parameters whose value is a long random token.
pub fn link_target(href: &str) -> String {
    let (before, fragment) = match href.split_once('#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (href, None),
    };
    let Some((path, query)) = before.split_once('?') else {
        return href.to_string();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|param| {
            let (name, value) = param.split_once('=').unwrap_or((param, ""));
            let name = name.to_ascii_lowercase();
            let random = value.len() >= normalize::MIN_TOKEN_LEN
                && value.chars().any(|c| c.is_ascii_alphabetic())
                && value.chars().any(|c| c.is_ascii_digit());
            !(param.is_empty()
                || name.starts_with("utm_")
                || TRACKING_PARAMS.contains(&name.as_str())
                || random)
        })
        .collect();
    let mut target = path.to_string();
    if !kept.is_empty() {
        target.push('?');
        target.push_str(&kept.join("&"));
    }
    if let Some(fragment) = fragment {
        target.push('#');
        target.push_str(fragment);
    }
    target
}

/// Most lines of unified diff kept for a report.
pub const MAX_DIFF_LINES: usize = 15;

/// The longest a diff excerpt may take; past it the excerpt is coarser, never missing.
const DIFF_TIMEOUT: Duration = Duration::from_millis(500);

fn word_counts(text: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        *counts.entry(word.to_lowercase()).or_insert(0) += 1;
    }
    counts
}

/// Word-level similarity, 0.0–1.0: the share of words (counted with repeats, case-insensitive)
/// the two texts have in common (the Dice coefficient of their word multisets). Linear in the
/// size of the texts and deterministic; moving a paragraph is not a change. Two empty texts are
/// identical (1.0).
pub fn similarity(a: &str, b: &str) -> f64 {
    let (ca, cb) = (word_counts(a), word_counts(b));
    let total: usize = ca.values().sum::<usize>() + cb.values().sum::<usize>();
    if total == 0 {
        return 1.0;
    }
    let common: usize = ca
        .iter()
        .map(|(w, n)| (*n).min(cb.get(w).copied().unwrap_or(0)))
        .sum();
    2.0 * common as f64 / total as f64
}

/// Words in `new` and not in `old`, and the reverse (counted with repeats): (added, removed).
pub fn word_delta(old: &str, new: &str) -> (usize, usize) {
    let (co, cn) = (word_counts(old), word_counts(new));
    let surplus = |a: &HashMap<String, usize>, b: &HashMap<String, usize>| -> usize {
        a.iter()
            .map(|(w, n)| n.saturating_sub(b.get(w).copied().unwrap_or(0)))
            .sum()
    };
    (surplus(&cn, &co), surplus(&co, &cn))
}

/// The first [`MAX_DIFF_LINES`] lines of a unified diff (one line of context) from `old` to
/// `new`, without trailing newlines, and how many lines of it were left out; empty when they
/// are equal.
pub fn diff_excerpt(old: &str, new: &str) -> (Vec<String>, usize) {
    let diff = TextDiff::configure()
        .timeout(DIFF_TIMEOUT)
        .diff_lines(old, new);
    let text = diff.unified_diff().context_radius(1).to_string();
    let mut lines = text.lines().filter(|l| !l.starts_with("\\ No newline"));
    let excerpt = lines
        .by_ref()
        .take(MAX_DIFF_LINES)
        .map(str::to_string)
        .collect();
    (excerpt, lines.count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similarity_of_equal_disjoint_and_partial_texts() {
        assert_eq!(similarity("a b c", "A  b\nc"), 1.0);
        assert_eq!(similarity("", ""), 1.0);
        assert_eq!(similarity("a b", ""), 0.0);
        assert_eq!(similarity("a b", "c d"), 0.0);
        assert!((similarity("a b c d", "a b c e") - 0.75).abs() < 1e-9);
    }

    #[test]
    fn counts_words_added_and_removed() {
        assert_eq!(word_delta("a b c c", "a c d e"), (2, 2));
    }

    fn facts(list: &[&str]) -> Vec<String> {
        list.iter().map(|f| f.to_string()).collect()
    }

    #[test]
    fn fact_changes_name_what_became_what() {
        let old = facts(&[
            "phone 1-800-555-0100",
            "email help@hotline.example",
            "link /report",
            "link /about",
        ]);
        let new = facts(&[
            "phone (800) 555-0100",
            "phone 1-800-555-0199",
            "email tips@hotline.example",
            "link /about",
        ]);
        assert_eq!(
            fact_changes(&old, &new),
            [
                "phone number 1-800-555-0199 is new",
                "e-mail address help@hotline.example became tips@hotline.example",
                "link /report is gone",
            ]
        );
        assert!(fact_changes(&old, &old).is_empty());
        let swapped = facts(&["phone 1-800-555-0199"]);
        assert_eq!(
            fact_changes(&old[..1], &swapped),
            ["phone number 1-800-555-0100 became 1-800-555-0199"]
        );
    }

    #[test]
    fn link_targets_drop_tracking_and_random_parameters() {
        assert_eq!(
            link_target("/r?id=7&utm_source=x&sid=abc&t=a8f9c0d1e2b3a4f5c6d7e8f9#top"),
            "/r?id=7#top"
        );
        assert_eq!(
            link_target("https://a.org/x?utm_medium=y"),
            "https://a.org/x"
        );
        assert_eq!(link_target("https://a.org/x"), "https://a.org/x");
    }

    #[test]
    fn diff_excerpt_is_a_short_unified_diff() {
        let old = (0..40)
            .map(|i| format!("line {i}"))
            .collect::<Vec<_>>()
            .join("\n");
        let new = old
            .replace("line 5", "line five")
            .replace("line 30", "gone");
        let (excerpt, omitted) = diff_excerpt(&old, &new);
        assert_eq!(excerpt[0], "@@ -5,3 +5,3 @@");
        assert_eq!(excerpt.len() + omitted, 10);
        assert!(excerpt.contains(&"-line 5".to_string()));
        assert!(excerpt.contains(&"+line five".to_string()));
        assert!(excerpt.len() <= MAX_DIFF_LINES);
        assert_eq!(diff_excerpt("same", "same"), (Vec::new(), 0));
    }
}
