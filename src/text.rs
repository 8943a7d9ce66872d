//! Text from servers and files on its way to people: control characters that could move a
//! terminal's cursor, recolour it, or reorder what a reader sees (C0, DEL, C1, and the Unicode
//! bidirectional overrides and isolates) are escaped for terminals and stripped elsewhere, and
//! long server text is cut.

use std::borrow::Cow;

/// Whether `c` must never reach a reader as it is. Newlines and tabs are the caller's business.
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// `s` with every unsafe character written as a visible escape (`\u{1b}`), for a terminal.
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `s` without its unsafe characters, for files people open (CSV, Markdown, JSON).
pub fn strip_unsafe(s: &str) -> Cow<'_, str> {
    if s.chars().any(is_unsafe) {
        Cow::Owned(s.chars().filter(|&c| !is_unsafe(c)).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// `s` cut to at most `max` characters, ending in "..." when cut.
pub fn cap(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some(_) => {
            let keep: String = s.chars().take(max.saturating_sub(3)).collect();
            Cow::Owned(format!("{keep}..."))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_bidi_overrides_are_defused() {
        let evil = "ok\u{1b}[2J\u{9b}31m \u{202e}gnp.exe\u{2066}x\ty\n";
        assert_eq!(
            for_terminal(evil),
            "ok\\u{1b}[2J\\u{9b}31m \\u{202e}gnp.exe\\u{2066}x\ty\n"
        );
        assert_eq!(strip_unsafe(evil), "ok[2J31m gnp.exex\ty\n");
        assert!(matches!(for_terminal("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn caps_count_characters_not_bytes() {
        assert_eq!(cap("héllo", 5), "héllo");
        assert_eq!(cap("héllo world", 8), "héllo...");
    }
}
