//! Soft-404s: pages that answer, but say (or show) that the resource is gone, and the sibling
//! probe's side of it: which pages are unclear enough to be compared with what their host
//! answers for an address that cannot exist ([`unclear`]), and that comparison
//! ([`same_as_probe`]).

use super::{Page, similarity};
use crate::url::{WebUrl, same_page};
use regex::Regex;
use std::sync::LazyLock;

/// What the baseline remembers of the accepted page, for the collapse signal.
#[derive(Debug, Clone, Copy)]
pub struct Previous<'a> {
    pub title: Option<&'a str>,
    /// Length of the accepted text, in bytes.
    pub length: u64,
}

/// A title or heading saying the page is gone. "404" is not in it: see [`says_404`].
static GONE_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\bpage not found\b|\bnot found\b|\bno longer (?:exists|available)\b|\bunavailable\b|\bnothing (?:was )?found\b|\b(?:cannot|can't|could not|couldn't) be found\b|\b(?:cannot|can't|could not|couldn't|unable to) find\b|\b(?:doesn't|does not|no longer) exist\b|\bhas been (?:re)?moved\b|\bhas been deleted\b",
    )
    .expect("soft-404 text pattern")
});

/// "404" next to "not found", "error" or "page": "404 Not Found", "Error 404", "404 - Page not
/// found", "404 page". Not "Form I-404", "Section 404" or "Resource 404: …", where it is part of
/// a name.
static NEXT_TO_404: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b404\b[\s\-–—:|.!]*(?:page\s+)?(?:not\s+found|error|page)\b|\b(?:error|page)[\s\-–—:|#]*404\b",
    )
    .expect("404 pattern")
});

/// Whether a title or heading uses "404" to say the page is gone: next to "not found", "error"
/// or "page", or standing alone as the title or one of its `|`-separated parts ("404",
/// "404 | Example"), where it names nothing.
fn says_404(text: &str) -> bool {
    NEXT_TO_404.is_match(text)
        || text
            .split(['|', '–', '—', '·', '•'])
            .flat_map(|part| part.split(" - "))
            .any(|part| part.trim() == "404")
}

/// A sentence of a page's main text saying that the page itself is gone, in English or
/// Spanish: the gone-phrase must be about a page, its content or the address ("the page you
/// requested", "this content is no longer available", "the requested URL could not be found",
/// "página no encontrada", "el contenido ya no está disponible"), not about anything a real page
/// may say is gone ("the printed booklet is no longer available").
static GONE_SENTENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        \bpage\s+(?:you\s+(?:requested|are\s+looking\s+for|were\s+looking\s+for|tried\s+to\s+(?:reach|access|visit))|(?:was\s+|is\s+)?not\s+found)\b
        | \b(?:page|content|resource|document|article|file|link|url|address|webpage)\b.{0,60}?
          (?:\bno\s+longer\s+(?:available|exists?)\b
            | \b(?:could\s+not|cannot|can\s+not|can[’']t|couldn[’']t)\s+be\s+found\b
            | \b(?:has|have)\s+been\s+(?:re)?moved\b
            | \b(?:has|have)\s+been\s+deleted\b
            | \b(?:does\s+not|doesn[’']t)\s+exist\b)
        | \b(?:could\s+not|couldn[’']t|can[’']t|cannot|were\s+unable\s+to)\s+find\s+(?:the|that|this)\s+(?:page|content)\b
        | \bp[áa]gina\s+no\s+encontrada\b
        | \bla\s+p[áa]gina\s+que\s+(?:busca|buscas|est[áa]s?\s+buscando|solicit[óo]|solicitaste|ha\s+solicitado|has\s+solicitado|intenta|intentas)\b
        | \b(?:p[áa]gina|contenido|recurso|documento|art[íi]culo|archivo|enlace|direcci[óo]n)\b.{0,60}?
          (?:\bya\s+no\s+(?:est[áa]\s+disponible|existe)\b
            | \bno\s+existe\b
            | \bno\s+se\s+(?:ha\s+)?(?:encontrado|encontr[óo]|pudo\s+encontrar|puede\s+encontrar)\b
            | \bha\s+sido\s+(?:eliminad[oa]|borrad[oa]|retirad[oa])\b)
        | \bno\s+se\s+(?:ha\s+podido\s+encontrar|encontr[óo]|pudo\s+encontrar|puede\s+encontrar)\s+(?:la|el)\s+(?:p[áa]gina|contenido|recurso|documento)\b
        ",
    )
    .expect("soft-404 sentence pattern")
});

/// Most words a page's main text may have for a "this page is gone" sentence to make it a
/// soft-404. Error pages are a sentence or two plus links home; a real page that says
/// something is gone ("this program is no longer available; call …") explains what to do
/// instead and runs longer. Together with the title rule in [`signals`] this keeps a real,
/// short notice from being called gone.
const GONE_PAGE_MAX_WORDS: usize = 150;

/// Longest quote of the page's text in a signal.
const QUOTE_CHARS: usize = 80;

static GONE_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:^|[/_.\-])(?:404|not[_\-]?found|page[_\-]?not[_\-]?found|error)(?:[/_.\-]|$)",
    )
    .expect("soft-404 path pattern")
});

/// The signals that `page`, fetched from `requested` and answered at `final_url`, is a soft-404;
/// empty when there are none.
pub fn signals(
    requested: &str,
    final_url: &str,
    page: &Page,
    previous: Option<Previous<'_>>,
) -> Vec<String> {
    let mut found = Vec::new();
    // A server's error page is HTML; a PDF, however it reads, is the document someone put there.
    if page.pdf.is_some() {
        return found;
    }
    if let (Ok(from), Ok(to)) = (WebUrl::parse(requested), WebUrl::parse(final_url))
        && from != to
    {
        let (from_path, to_path) = (from.as_url().path(), to.as_url().path());
        if !from.is_home_page() && to.is_home_page() {
            found.push(format!("deep link redirected to the home page {to}"));
        } else if GONE_PATH.is_match(to_path) && !GONE_PATH.is_match(from_path) {
            found.push(format!("redirected to an error page {to}"));
        }
    }
    let says_gone = |t: &&str| GONE_TEXT.is_match(t) || says_404(t);
    if let Some(title) = page.title.as_deref().filter(says_gone) {
        found.push(format!("title says \"{title}\""));
    }
    if let Some(heading) = page.heading.as_deref().filter(says_gone) {
        found.push(format!("heading says \"{heading}\""));
    }
    // The text says the page is gone: only on a short page, and, once a title was accepted,
    // only under another title; the accepted title means the resource's own page is talking.
    let accepted_title = previous.and_then(|p| p.title);
    if !page.is_document
        && page
            .text
            .split_whitespace()
            .nth(GONE_PAGE_MAX_WORDS)
            .is_none()
        && (accepted_title.is_none() || page.title.as_deref() != accepted_title)
        && let Some(line) = page.text.lines().find(|l| GONE_SENTENCE.is_match(l))
    {
        found.push(format!("text says \"{}\"", quote(line)));
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

/// Whether `page`, fetched from `requested` and answered at `final_url` with no soft-404 signal
/// (see [`signals`]), may still be the page its host answers for any address, so that the host's
/// probe should decide: its content would be reported changed (`changed`: the resource may have
/// turned into the host's catch-all page), its main text says the page is gone where that alone
/// does not count (a long page, or one under the accepted title), or the request was sent on to
/// another page of the same site (a catch-all redirect; to the home page is a signal already).
/// Never for a site's home page, a document compared by hash, or an unread page.
pub fn unclear(requested: &str, final_url: &str, page: &Page, changed: bool) -> bool {
    let Ok(from) = WebUrl::parse(requested) else {
        return false;
    };
    if from.is_home_page() || page.is_document || page.unread.is_some() {
        return false;
    }
    // One search of the whole text first: a sentence on one line matches there too.
    if changed
        || (GONE_SENTENCE.is_match(&page.text)
            && page.text.lines().any(|l| GONE_SENTENCE.is_match(l)))
    {
        return true;
    }
    WebUrl::parse(final_url).is_ok_and(|to| {
        let path = |u: &WebUrl| u.as_url().path().trim_end_matches('/').to_ascii_lowercase();
        from.site() == to.site() && path(&from) != path(&to)
    })
}

/// Most characters of a [`Sample`]'s words kept: enough to tell two pages apart, small enough
/// that an audit can hold hundreds of samples while their hosts' probes answer.
pub const SAMPLE_CHARS: usize = 4096;

/// Fewest words a page must have for its text to say it is its host's catch-all page: a
/// script-rendered site serves one near-empty shell for every address, its real pages too.
pub const SAMPLE_MIN_WORDS: usize = 10;

/// Least word similarity (see [`similarity`]) of two samples under the same title for them to
/// be the same page.
pub const SAME_AS_PROBE_SIMILARITY: f64 = 0.9;

/// What the comparison with a host's probe needs of one page, compact enough to hold while the
/// probe is on its way: the page's fingerprint, the address asked for and the one that
/// answered, and its title and words without the words of the address asked for, since
/// catch-all pages often echo the requested address ("/docs/guide.html was not found").
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    requested: String,
    final_url: String,
    fingerprint: String,
    title: Option<String>,
    /// Lowercase words, space-separated, at most [`SAMPLE_CHARS`].
    words: String,
    /// How many words the whole text had.
    word_count: usize,
}

impl Sample {
    /// The sample of `page`, fetched from `requested` and answered at `final_url`.
    pub fn new(requested: &str, final_url: &str, page: &Page) -> Sample {
        let echoed: Vec<String> = WebUrl::parse(requested)
            .map(|u| words(u.as_str()).collect())
            .unwrap_or_default();
        let kept = |text: &str| -> Vec<String> {
            words(text)
                .filter(|w| !echoed.iter().any(|e| e == w))
                .collect()
        };
        let all = kept(&page.text);
        let mut text = String::new();
        for word in &all {
            if text.len() + word.len() + 1 > SAMPLE_CHARS {
                break;
            }
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(word);
        }
        Sample {
            requested: requested.to_owned(),
            final_url: final_url.to_owned(),
            fingerprint: page.fingerprint.clone(),
            title: page.title.as_deref().map(|t| kept(t).join(" ")),
            words: text,
            word_count: all.len(),
        }
    }

    /// Whether the request was sent on to another page.
    fn redirected(&self) -> bool {
        !same_page(&self.requested, &self.final_url)
    }
}

/// The lowercase words (runs of letters and digits) of `text`.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// Whether a resource's page (`resource`) is what its host answers for an address that cannot
/// exist (`probe`, a 2xx answer): the same fingerprint, or both sent on to the same other
/// address, or near-identical words (at least [`SAME_AS_PROBE_SIMILARITY`], about as many of
/// them) under the same title, echoed addresses left out. Pages of fewer than
/// [`SAMPLE_MIN_WORDS`] words are only compared by where they were sent. A probe that lands on
/// the resource itself says nothing against it: the host sends lost visitors to this page.
pub fn same_as_probe(resource: &Sample, probe: &Sample) -> bool {
    if same_page(&probe.final_url, &resource.requested) {
        return false;
    }
    if resource.redirected()
        && probe.redirected()
        && same_page(&resource.final_url, &probe.final_url)
    {
        return true;
    }
    if resource.word_count.min(probe.word_count) < SAMPLE_MIN_WORDS {
        return false;
    }
    if resource.fingerprint == probe.fingerprint {
        return true;
    }
    let (fewer, more) = (
        resource.word_count.min(probe.word_count),
        resource.word_count.max(probe.word_count),
    );
    resource.title == probe.title
        && fewer * 10 >= more * 9
        && similarity(&resource.words, &probe.words) >= SAME_AS_PROBE_SIMILARITY
}

/// `line`, cut at a word to at most [`QUOTE_CHARS`] characters.
fn quote(line: &str) -> String {
    if line.chars().count() <= QUOTE_CHARS {
        return line.to_owned();
    }
    let cut: String = line.chars().take(QUOTE_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
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
            pdf: None,
            selector_matched: None,
            unread: None,
            anchors: None,
            facts: Vec::new(),
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

    fn page_saying(title: Option<&str>, text: &str) -> Page {
        Page {
            text: text.to_owned(),
            length: text.len() as u64,
            ..page(title, None, 0)
        }
    }

    fn says(page: &Page, previous: Option<Previous<'_>>) -> Vec<String> {
        signals("https://a.org/x", "https://a.org/x", page, previous)
    }

    #[test]
    fn a_404_next_to_not_found_error_or_page_is_a_signal() {
        for title in [
            "404 Not Found",
            "Error 404 - Example Org",
            "404 - Page not found | Example",
            "404 error",
            "Oops! 404 page",
            "404",
            "404 | Example",
            "Example Org | 404",
            "Example Org - 404",
        ] {
            assert_eq!(
                says(&page(Some(title), None, 100), None),
                vec![format!("title says \"{title}\"")],
                "{title}"
            );
        }
        assert_eq!(
            says(&page(Some("Example"), Some("Error 404"), 100), None),
            vec!["heading says \"Error 404\"".to_owned()]
        );
    }

    #[test]
    fn a_404_that_is_part_of_a_name_is_no_signal() {
        for title in [
            "Form I-404: Notice of action | USCIS",
            "Section 404 of the Clean Water Act",
            "Resource 404: Talking to teens about sexting",
            "Room 404 - A family support centre",
            "Bill 404 passes second reading",
        ] {
            assert!(
                says(&page(Some(title), Some(title), 100), None).is_empty(),
                "{title}"
            );
        }
    }

    #[test]
    fn a_short_main_text_saying_the_page_is_gone_is_a_signal() {
        for text in [
            "Sorry, the page you requested could not be found.\nGo to the home page.",
            "This content is no longer available.",
            "The requested URL /guides/safety.html was not found on this server.\nThe requested URL /guides/safety.html could not be found on this server.",
            "The page has been removed.",
            "We can’t find that page.",
            "Página no encontrada.\nVolver al inicio.",
            "Lo sentimos, la página que busca no existe.",
            "Este contenido ya no está disponible.",
            "El documento ha sido eliminado.",
            "No se encontró la página solicitada.",
        ] {
            let found = says(&page_saying(Some("Example Org"), text), None);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert!(found[0].starts_with("text says \""), "{found:?}");
        }
    }

    #[test]
    fn gone_text_is_no_signal_on_a_long_page_or_under_the_accepted_title() {
        let notice = "This program is no longer available; call the helpline instead.";
        let long = format!(
            "The page you requested has moved into this guide.\n{}",
            "Parents can set up devices together with their children. ".repeat(20)
        );
        assert!(says(&page_saying(Some("Guide"), &long), None).is_empty());
        let prev = Previous {
            title: Some("Helpline for parents"),
            length: 70,
        };
        let same_title = page_saying(
            Some("Helpline for parents"),
            "This page is no longer available.",
        );
        assert!(says(&same_title, Some(prev)).is_empty());
        let new_title = page_saying(Some("Example Org"), "This page is no longer available.");
        assert_eq!(says(&new_title, Some(prev)).len(), 1);
        // Gone-words about something other than the page itself.
        for text in [
            notice,
            "The printed booklet is no longer available.",
            "Missing children: 12 were found this year and 3 could not be found.",
            "Our office has moved to 12 High Street.",
            "El folleto impreso ya no está disponible; descargue la versión en línea.",
        ] {
            assert!(
                says(&page_saying(Some("Example Org"), text), None).is_empty(),
                "{text}"
            );
        }
    }

    #[test]
    fn long_gone_sentences_are_quoted_short() {
        let text = format!(
            "The page you requested {}",
            "is not here any more ".repeat(10)
        );
        let found = says(&page_saying(Some("Example"), &text), None);
        assert!(found[0].ends_with("…\""), "{found:?}");
        assert!(found[0].chars().count() < QUOTE_CHARS + 20, "{found:?}");
    }

    const CATCH_ALL: &str = "Example Family Services supports parents and carers across the region.\n\
        Browse our services, read the latest news or contact our friendly team.";

    fn welcome(text: &str) -> Page {
        Page {
            fingerprint: blake3::hash(text.as_bytes()).to_hex().to_string(),
            ..page_saying(Some("Welcome to Example"), text)
        }
    }

    #[test]
    fn unclear_pages_are_changed_redirected_within_the_site_or_weakly_gone() {
        let plain = welcome(CATCH_ALL);
        let url = "https://a.org/docs/guide.html";
        assert!(!unclear(url, url, &plain, false), "a plain page is clear");
        assert!(
            unclear(url, url, &plain, true),
            "a changed page may be the catch-all"
        );
        assert!(unclear(url, "https://a.org/welcome", &plain, false));
        assert!(
            unclear(url, "https://www.a.org/start", &plain, false),
            "same site"
        );
        for clear in [
            "https://a.org/docs/guide.html/",
            "https://a.org/DOCS/guide.html",
            "http://a.org/docs/guide.html?from=old",
            "https://other.org/docs/other.html",
        ] {
            assert!(!unclear(url, clear, &plain, false), "{clear}");
        }
        let long_gone = page_saying(
            Some("Guide"),
            &format!(
                "The page you requested has moved into this guide.\n{}",
                "Parents can set up devices together with their children. ".repeat(20)
            ),
        );
        assert!(says(&long_gone, None).is_empty(), "too long to count");
        assert!(unclear(url, url, &long_gone, false), "but not clear either");

        let home = "https://a.org/";
        assert!(!unclear(home, home, &plain, true), "never the home page");
        let document = Page {
            is_document: true,
            ..plain.clone()
        };
        assert!(!unclear(url, url, &document, true), "never a document");
        let unread = Page {
            unread: Some("too complex"),
            ..plain.clone()
        };
        assert!(!unclear(url, url, &unread, true), "never an unread page");
    }

    #[test]
    fn a_page_is_the_probes_when_it_has_its_fingerprint_words_or_landing_page() {
        let url = "https://a.org/docs/guide.html";
        let probe_url = "https://a.org/docs/linkwatch-probe-0123456789abcdef.html";
        let probe = Sample::new(probe_url, probe_url, &welcome(CATCH_ALL));
        let same = Sample::new(url, url, &welcome(CATCH_ALL));
        assert!(same_as_probe(&same, &probe), "same fingerprint");

        let echo = |path: &str| welcome(&format!("You asked for {path}.\n{CATCH_ALL}"));
        let probe_echo = Sample::new(probe_url, probe_url, &echo(probe_url));
        let echoed = Sample::new(url, url, &echo("/docs/guide.html"));
        assert!(
            same_as_probe(&echoed, &probe_echo),
            "the echoed address is left out"
        );
        let elsewhere = Sample::new(
            "https://a.org/help/parents",
            "https://a.org/help/parents",
            &echo("https://a.org/help/parents"),
        );
        assert!(
            same_as_probe(&elsewhere, &probe_echo),
            "in another folder too"
        );

        let real = page_saying(
            Some("Talking to children about online safety"),
            "Start the conversation early and keep it going as your child grows.\n\
             Agree on family rules for devices and review them together each year.",
        );
        assert!(!same_as_probe(&Sample::new(url, url, &real), &probe));
        let retitled = Page {
            title: Some("Our services".into()),
            ..welcome(&format!("{CATCH_ALL}\nNew."))
        };
        assert!(
            !same_as_probe(&Sample::new(url, url, &retitled), &probe),
            "near-identical words need the same title"
        );
        let longer = welcome(&format!(
            "{CATCH_ALL}\n{}",
            "Parents and carers meet weekly. ".repeat(3)
        ));
        assert!(
            !same_as_probe(&Sample::new(url, url, &longer), &probe),
            "too many new words"
        );

        let landing = "https://a.org/welcome";
        let probe_sent = Sample::new(probe_url, landing, &welcome("Welcome."));
        let sent = Sample::new(url, landing, &welcome("Welcome!"));
        assert!(
            same_as_probe(&sent, &probe_sent),
            "both sent to the same page"
        );
        let not_sent = Sample::new(url, url, &welcome("Welcome!"));
        assert!(
            !same_as_probe(&not_sent, &probe_sent),
            "a short page at its own address"
        );
        let probe_home = Sample::new(probe_url, url, &welcome(CATCH_ALL));
        assert!(
            !same_as_probe(&same, &probe_home),
            "a host that sends lost visitors to this very page says nothing against it"
        );
    }

    #[test]
    fn near_empty_pages_prove_nothing_by_their_text() {
        // A script-rendered site answers every address with the same shell, real pages too.
        let url = "https://a.org/app/reports";
        let probe_url = "https://a.org/app/linkwatch-probe-0123456789abcdef";
        let shell = welcome("You need to enable JavaScript to run this app.");
        let probe = Sample::new(probe_url, probe_url, &shell);
        assert!(!same_as_probe(&Sample::new(url, url, &shell), &probe));
    }

    #[test]
    fn a_sample_keeps_at_most_its_cap_of_words() {
        let long = welcome(&"word ".repeat(10_000));
        let sample = Sample::new("https://a.org/x", "https://a.org/x", &long);
        assert!(sample.words.len() <= SAMPLE_CHARS);
        assert_eq!(sample.word_count, 10_000);
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
