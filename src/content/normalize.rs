//! Normalisation of extracted text: NFKC, whitespace, one sentence per line, and the removal of
//! noise that changes on every visit (dates, times, copyright years, tokens and nonces).

use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Lines longer than this many characters are wrapped at a word boundary, so diffs stay short.
pub const WRAP_WIDTH: usize = 100;

/// Shortest run of letters and digits (or hex, or base64) taken for a random token.
pub const MIN_TOKEN_LEN: usize = 20;

/// Normalises one run of text: NFKC, invisible characters dropped, whitespace collapsed.
pub fn inline(s: &str) -> String {
    // Most text is ASCII or otherwise in NFKC already, which normalising would leave as it is;
    // the quick check says so (or "maybe") far faster than normalising.
    if s.is_ascii() || is_nfkc_quick(s.chars()) == IsNormalized::Yes {
        squeeze(s.chars(), s.len())
    } else {
        squeeze(s.nfkc(), s.len())
    }
}

/// Drops invisible characters and collapses whitespace.
fn squeeze(chars: impl Iterator<Item = char>, len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut space = false;
    for c in chars {
        if matches!(
            c,
            '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
        ) {
            continue;
        }
        if c.is_whitespace() {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

/// Turns blocks of text (one per block element or paragraph) into the lines of a snapshot: one
/// sentence per line, long ones wrapped, noise removed, lines matching `ignore` dropped.
pub fn lines(blocks: &[impl AsRef<str>], ignore: &[Regex]) -> Vec<String> {
    let mut out = Vec::new();
    for block in blocks {
        let block = inline(block.as_ref());
        // A sentence is a stretch of its block, words and single spaces alike, so a block
        // without a noise word or a copyright mark has no sentence with one: each pattern is
        // then searched once per block rather than once per sentence.
        let noise_words = NOISE_WORDS.is_match(&block);
        let copyright = COPYRIGHT.is_match(&block);
        for sentence in sentences(&block) {
            if (noise_words && is_noise_line(sentence))
                || ignore.iter().any(|re| re.is_match(sentence))
            {
                continue;
            }
            let cleaned = strip_noise_in(sentence, copyright);
            if cleaned.chars().any(char::is_alphanumeric) {
                out.extend(wrap(&cleaned, WRAP_WIDTH));
            }
        }
    }
    out
}

/// Compiles `watch.ignore`; a pattern that does not compile is left out (validation reports it).
pub fn ignore_patterns(patterns: &[String]) -> Vec<Regex> {
    patterns.iter().filter_map(|p| Regex::new(p).ok()).collect()
}

const ABBREVIATIONS: [&str; 12] = [
    "mr.", "mrs.", "ms.", "dr.", "st.", "e.g.", "i.e.", "etc.", "vs.", "no.", "fig.", "u.s.",
];

/// Splits normalised text after `.`, `!` or `?` when the next word starts a sentence. The text
/// is [`inline`]'s, with words one space apart, so each sentence is a stretch of it: slices, not
/// copies.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut words = text.split(' ').peekable();
    let mut end = 0;
    while let Some(word) = words.next() {
        end += word.len();
        let ends = word
            .trim_end_matches(['"', '\'', '”', '’', ')', ']'])
            .ends_with(['.', '!', '?']);
        if ends
            && words.peek().is_some_and(|next| {
                next.chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || "\"'“‘(".contains(c))
            })
            && !ABBREVIATIONS.contains(&word.to_lowercase().as_str())
        {
            out.push(&text[start..end]);
            start = end + 1;
        }
        // The space after the word.
        end += 1;
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

fn wrap(line: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = 0;
    for word in line.split(' ') {
        let word_chars = word.chars().count();
        if !current.is_empty() && chars + 1 + word_chars > width {
            out.push(std::mem::take(&mut current));
            chars = 0;
        }
        if !current.is_empty() {
            current.push(' ');
            chars += 1;
        }
        current.push_str(word);
        chars += word_chars;
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

static NOISE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:last|page|site|content)\s+(?:updated|reviewed|modified|revised|changed)\b|^(?:updated|reviewed|modified|revised|last update)\s*(?:on\b|:)",
    )
    .expect("noise-line pattern")
});

/// A word that every match of [`NOISE_LINE`] contains.
static NOISE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)updated|reviewed|modified|revised|changed|last update")
        .expect("noise-word pattern")
});

/// Lines that only say when the page was last touched.
fn is_noise_line(line: &str) -> bool {
    NOISE_LINE.is_match(line)
}

const MONTH: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

static DATES_AND_TIMES: LazyLock<Regex> = LazyLock::new(|| {
    let patterns = [
        r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b"
            .to_string(),
        r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b".to_string(),
        format!(r"\b{MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"),
        format!(r"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH}\.?,?\s+\d{{4}}\b"),
        format!(r"\b{MONTH}\.?\s+\d{{4}}\b"),
        r"\b\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\b\.?)?".to_string(),
    ];
    Regex::new(&format!("(?i){}", patterns.join("|"))).expect("date pattern")
});

static COPYRIGHT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)©|\(c\)|\bcopyright\b").expect("copyright pattern"));

static YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:19|20)\d{2}\b(?:\s*[-–—]\s*\b(?:19|20)\d{2}\b)?").expect("year pattern")
});

static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"[A-Za-z0-9_+/=-]{{{MIN_TOKEN_LEN},}}")).expect("token pattern")
});

/// Removes dates, times, copyright years and long random strings from one line.
pub fn strip_noise(line: &str) -> String {
    // Any line, not only a sentence: its spaces are collapsed whether or not anything went.
    collapse_spaces(&strip_noise_in(line, true))
}

/// [`strip_noise`] of a sentence (words one space apart, as [`sentences`] gives them), told
/// whether the text around `line` has a copyright mark (when it has none, neither has `line`,
/// unless removing a date made one, as in `(12:30c)`). A sentence with no noise comes back as it
/// is, not copied.
fn strip_noise_in(line: &str, copyright_near: bool) -> Cow<'_, str> {
    // Every date and time pattern has a digit (`\d`, a decimal digit, is numeric).
    let line = if line.contains(char::is_numeric) {
        DATES_AND_TIMES.replace_all(line, "")
    } else {
        Cow::Borrowed(line)
    };
    let copyright_possible = copyright_near || matches!(line, Cow::Owned(_));
    let line = if copyright_possible && COPYRIGHT.is_match(&line) {
        Cow::Owned(YEAR.replace_all(&line, "").into_owned())
    } else {
        line
    };
    // A token is removed only when it has both letters and (ASCII) digits.
    let tokens_out = if line.bytes().any(|b| b.is_ascii_digit()) {
        match TOKEN.replace_all(&line, |caps: &regex::Captures| {
            let token = &caps[0];
            let letters = token.chars().any(|c| c.is_ascii_alphabetic());
            let digits = token.chars().any(|c| c.is_ascii_digit());
            if letters && digits {
                String::new()
            } else {
                token.to_string()
            }
        }) {
            Cow::Owned(replaced) => Some(replaced),
            Cow::Borrowed(_) => None,
        }
    } else {
        None
    };
    match tokens_out.map_or(line, Cow::Owned) {
        // A sentence has its words one space apart already: only what a removal left needs its
        // spaces collapsed.
        Cow::Borrowed(line) => Cow::Borrowed(line),
        Cow::Owned(line) => Cow::Owned(collapse_spaces(&line)),
    }
}

/// `line`'s words with single spaces between them.
fn collapse_spaces(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for word in line.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Vec<String> {
        lines(&[text.to_string()], &[])
    }

    /// The sentences as they were found before they became slices: words joined again.
    fn sentences_joined(text: &str) -> Vec<String> {
        let mut words = text.split(' ').filter(|w| !w.is_empty()).peekable();
        let mut out = Vec::new();
        let mut current = String::new();
        while let Some(word) = words.next() {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
            let ends = word
                .trim_end_matches(['"', '\'', '”', '’', ')', ']'])
                .ends_with(['.', '!', '?']);
            if ends
                && words.peek().is_some_and(|next| {
                    next.chars().next().is_some_and(|c| {
                        c.is_uppercase() || c.is_ascii_digit() || "\"'“‘(".contains(c)
                    })
                })
                && !ABBREVIATIONS.contains(&word.to_lowercase().as_str())
            {
                out.push(std::mem::take(&mut current));
            }
        }
        if !current.is_empty() {
            out.push(current);
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn sentences_are_stretches_of_the_inline_text(
            text in "([A-Za-z0-9]{0,6}|[ .!?\"'()\\]\\[”’“‘\t\n\u{200B}©:/]|e\\.g\\.|Dr\\.|É|2024|12:30|a9F3kLm2Qx8ZpR4t){0,40}"
        ) {
            let block = inline(&text);
            proptest::prop_assert_eq!(sentences(&block), sentences_joined(&block));
            // What is left of a sentence is single-spaced, whether or not anything went.
            for sentence in sentences(&block) {
                for copyright_near in [false, true] {
                    let cleaned = strip_noise_in(sentence, copyright_near);
                    proptest::prop_assert_eq!(&cleaned, &collapse_spaces(&cleaned));
                }
            }
        }
    }

    #[test]
    fn splits_sentences_and_collapses_whitespace() {
        assert_eq!(
            one("  First   sentence.  Second one!\n Third? e.g. this stays"),
            vec!["First sentence.", "Second one!", "Third? e.g. this stays"]
        );
    }

    #[test]
    fn applies_nfkc_and_drops_invisible_characters() {
        assert_eq!(one("ﬁle\u{00A0}name\u{200B}s"), vec!["file names"]);
        assert_eq!(one("Café\u{00AD} déjà  vu"), vec!["Café déjà vu"]);
    }

    #[test]
    fn patterns_searched_once_per_block_give_what_each_sentence_would() {
        // No copyright mark in the block until removing a time makes one.
        assert_eq!(one("Hours (12:30c) since 2019"), ["Hours (c) since"]);
        assert_eq!(strip_noise("Hours (12:30c) since 2019"), "Hours (c) since");
        // The noise line is a later sentence of a block; the copyright mark is in another.
        assert_eq!(
            one(
                "Welcome to the site. Page last updated: May 2024. Our 2019 plan. Copyright Us 2024"
            ),
            ["Welcome to the site.", "Our 2019 plan.", "Copyright Us"]
        );
        // A token is removed only with digits in it; without digits the line only loses spaces.
        assert_eq!(one("id aB3dE5fG7hI9jK1lM3nO5 here"), ["id here"]);
        assert_eq!(
            one("Antidisestablishmentarianisms   are long"),
            ["Antidisestablishmentarianisms are long"]
        );
    }

    #[test]
    fn removes_dates_times_and_copyright_years() {
        assert_eq!(
            strip_noise("Generated 2026-11-28T10:15:00Z by us"),
            "Generated by us"
        );
        assert_eq!(strip_noise("Posted March 3, 2024 at 10:15 am"), "Posted at");
        assert_eq!(strip_noise("Posted 3 March 2024"), "Posted");
        assert_eq!(strip_noise("As of 11/28/2026"), "As of");
        assert_eq!(strip_noise("© 2019–2026 Example Org"), "© Example Org");
        assert_eq!(strip_noise("Founded in 1999"), "Founded in 1999");
    }

    #[test]
    fn removes_long_random_strings_but_keeps_long_words() {
        assert_eq!(
            strip_noise("token a9F3kLm2Qx8ZpR4tYv7WbN1c end"),
            "token end"
        );
        assert_eq!(
            strip_noise("hex 3f2a9c0d1e4b5a6f7c8d9e0f1a2b3c4d end"),
            "hex end"
        );
        assert_eq!(
            strip_noise("internationalization-and-localization"),
            "internationalization-and-localization"
        );
    }

    #[test]
    fn drops_last_updated_lines_and_ignored_lines() {
        let ignore = ignore_patterns(&["(?i)visitors today".to_string(), "(".to_string()]);
        let blocks = vec![
            "Last updated: yesterday".to_string(),
            "Page reviewed by staff".to_string(),
            "1234 visitors today".to_string(),
            "Real content.".to_string(),
        ];
        assert_eq!(lines(&blocks, &ignore), vec!["Real content."]);
    }

    #[test]
    fn wraps_long_sentences_at_word_boundaries() {
        let long = "word ".repeat(50);
        let wrapped = one(&long);
        assert!(wrapped.len() > 1);
        assert!(wrapped.iter().all(|l| l.chars().count() <= WRAP_WIDTH));
        assert_eq!(wrapped.join(" "), long.trim());
    }
}
