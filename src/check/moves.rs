//! Moves that pages make themselves: a `<meta http-equiv="refresh">` with a delay of 0, and a
//! tiny page whose one script statement sets `location`. Found with a few patterns over the
//! raw bytes of the page's start, without parsing it: every 2xx HTML answer is looked at.

use regex::bytes::Regex;
use std::sync::LazyLock;

/// Bytes of a page looked at: a move is made in the head or at the top of the body, and a page
/// longer than this is not a tiny page.
pub(crate) const SCAN_BYTES: usize = 64 * 1024;

/// Most words of text (outside scripts, styles and tags) a page may show and still be a page
/// "whose only job" is its script's move: "Redirecting…", "If you are not redirected, click
/// here" and a title fit, an article does not.
const TINY_PAGE_WORDS: usize = 40;

/// Where the HTML page `body` sends the client at once, as written in the page (relative or
/// absolute, not yet resolved): the URL of a `<meta http-equiv="refresh">` whose delay is 0,
/// or of the one statement setting `location` (`window.location = …`, `location.href = …`,
/// `location.replace(…)`, `location.assign(…)`) in a tiny page with no timer. Comments and
/// `<noscript>` blocks are skipped: browsers with scripts ignore the latter. A refresh with a
/// delay, or without a URL (a reload), is no move: the reader sees the page first.
pub(crate) fn in_page_move(body: &[u8]) -> Option<String> {
    static HIDDEN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?is)<!--.*?-->|<noscript\b.*?</noscript\s*>").expect("hidden pattern")
    });
    let head = &body[..body.len().min(SCAN_BYTES)];
    let page = HIDDEN.replace_all(head, &b""[..]);
    if let Some(target) = meta_refresh(&page) {
        return target;
    }
    if body.len() > SCAN_BYTES || words(&page) > TINY_PAGE_WORDS {
        return None;
    }
    script_move(&page)
}

/// The first refresh `<meta>`'s move: `Some(Some(url))` for a delay of 0 with a URL,
/// `Some(None)` for any other refresh (browsers obey only the first), `None` without one.
fn meta_refresh(page: &[u8]) -> Option<Option<String>> {
    static META: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)<meta\b[^>]*>").expect("meta pattern"));
    static REFRESH: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)\bhttp-equiv\s*=\s*["']?\s*refresh\b"#).expect("refresh pattern")
    });
    static CONTENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#)
            .expect("content pattern")
    });
    let tag = META
        .find_iter(page)
        .map(|m| m.as_bytes())
        .find(|tag| REFRESH.is_match(tag))?;
    let content = CONTENT.captures(tag).and_then(|c| {
        (1..=3)
            .find_map(|i| c.get(i))
            .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
    });
    Some(content.and_then(|c| immediate_refresh_url(&c)))
}

/// The URL of a refresh `content` ("0; url='/new'", "0;URL=/new", "0, /new") when its delay is
/// 0, after the HTML spec's rules for parsing it, loosely.
fn immediate_refresh_url(content: &str) -> Option<String> {
    let rest = content.trim_start();
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let (delay, rest) = rest.split_at(digits);
    if delay.is_empty() || delay.bytes().any(|b| b != b'0') {
        return None;
    }
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    let rest = rest.trim_start();
    let rest = rest.strip_prefix([';', ',']).unwrap_or(rest).trim_start();
    let rest = match rest.get(..3) {
        Some(word) if word.eq_ignore_ascii_case("url") => {
            let after = rest[3..].trim_start();
            after.strip_prefix('=').map_or(rest, str::trim_start)
        }
        _ => rest,
    };
    let url = match rest.chars().next() {
        Some(quote @ ('"' | '\'')) => rest[1..].split(quote).next().unwrap_or_default(),
        _ => rest,
    };
    let url = url.trim().replace("&amp;", "&");
    (!url.is_empty()).then_some(url)
}

/// The target of the page's one `location`-setting statement, when it has exactly one and no
/// timer delays it.
fn script_move(page: &[u8]) -> Option<String> {
    static SETS_LOCATION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"(?m)(?:\b(?:window|document|self|top)\s*\.\s*)?\blocation\s*(?:(?:\.\s*href\s*)?=\s*|\.\s*(?:replace|assign)\s*\(\s*)(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\)?\s*(?:;|\}|<|$)"#,
        )
        .expect("location pattern")
    });
    static TIMER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\bset(?:Timeout|Interval)\s*\(").expect("timer pattern"));
    if TIMER.is_match(page) {
        return None;
    }
    let mut moves = SETS_LOCATION.captures_iter(page);
    let first = moves.next()?;
    if moves.next().is_some() {
        return None;
    }
    let target = first.get(1).or_else(|| first.get(2))?;
    let url = String::from_utf8_lossy(target.as_bytes()).replace("\\/", "/");
    let url = url.trim();
    (!url.is_empty()).then(|| url.to_owned())
}

/// Words of text a reader would see: outside scripts, styles and tags.
fn words(page: &[u8]) -> usize {
    static NOT_TEXT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?is)<script\b.*?</script\s*>|<style\b.*?</style\s*>|<[^>]*>")
            .expect("markup pattern")
    });
    let text = NOT_TEXT.replace_all(page, &b" "[..]);
    String::from_utf8_lossy(&text)
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(page: &str) -> Option<String> {
        in_page_move(page.as_bytes())
    }

    #[test]
    fn immediate_meta_refreshes_are_moves() {
        for (page, url) in [
            (
                r#"<meta http-equiv="refresh" content="0; url=https://b.test/new">"#,
                "https://b.test/new",
            ),
            (
                r#"<META HTTP-EQUIV=Refresh CONTENT="0;URL='/new?a=1&amp;b=2'">"#,
                "/new?a=1&b=2",
            ),
            (
                r#"<meta content='0, /elsewhere' http-equiv='refresh' />"#,
                "/elsewhere",
            ),
            (
                r#"<meta http-equiv="refresh" content="0;url = new.html">"#,
                "new.html",
            ),
        ] {
            assert_eq!(target(page).as_deref(), Some(url), "{page}");
        }
    }

    #[test]
    fn delayed_refreshes_reloads_and_hidden_refreshes_are_not() {
        for page in [
            r#"<meta http-equiv="refresh" content="5; url=/new"><p>Moved</p>"#,
            r#"<meta http-equiv="refresh" content="1200;url=/logout">"#,
            r#"<meta http-equiv="refresh" content="300">"#,
            r#"<noscript><meta http-equiv="refresh" content="0;url=/no-js"></noscript>"#,
            r#"<!-- <meta http-equiv="refresh" content="0;url=/old"> -->"#,
            // The first refresh is the one browsers obey.
            r#"<meta http-equiv="refresh" content="600"><meta http-equiv="refresh" content="0;url=/x">"#,
        ] {
            assert_eq!(target(page), None, "{page}");
        }
    }

    #[test]
    fn a_tiny_page_setting_location_once_is_a_move() {
        for (page, url) in [
            (
                r#"<html><head><script>window.location = "https://b.test/new";</script></head><body>Redirecting…</body></html>"#,
                "https://b.test/new",
            ),
            (r#"<script>location.replace('/new')</script>"#, "/new"),
            (
                r#"<script type="text/javascript">
                   window.location.href = 'https:\/\/b.test\/x';
                 </script><p>If you are not redirected, <a href="/x">click here</a>.</p>"#,
                "https://b.test/x",
            ),
            (r#"<script>top.location.assign("/y")</script>"#, "/y"),
        ] {
            assert_eq!(target(page).as_deref(), Some(url), "{page}");
        }
    }

    #[test]
    fn scripts_on_real_pages_or_with_timers_or_choices_are_not() {
        let article = format!(
            "<script>location.href = '/app';</script><main><p>{}</p></main>",
            "Talk with your children about what they do online. ".repeat(10)
        );
        for page in [
            article.as_str(),
            r#"<script>setTimeout(function () { location.href = "/next"; }, 3000)</script>"#,
            r#"<script>if (a) { location.href = "/a"; } else { location.href = "/b"; }</script>"#,
            r#"<script>if (location.href == "/x") { go(); }</script>"#,
            r#"<script>location.href = base + "/x";</script>"#,
            r#"<script>var here = location.href;</script>"#,
        ] {
            assert_eq!(target(page), None, "{page}");
        }
    }
}
