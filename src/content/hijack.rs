//! Hijacked addresses: answers that no longer come from the resource's owner but from a domain
//! parking or for-sale page, an ad feed, or spam that replaced the content.
//!
//! [`signals`] gathers the evidence and [`Evidence::hijacked`] weighs it: one decisive signal,
//! or [`MIN_WEAK_SIGNALS`] weaker ones, because each weak one alone also happens to honest pages
//! (a site moving to a new domain's front page, a translated page, a page about gambling harms).

use super::{Accepted, Page, similarity};
use crate::url::WebUrl;
use regex::Regex;
use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

/// Weak signals that together make a hijack. Two independent ones: spam words and a new
/// language, or spam words and content unrelated to the accepted page, or a jump to another
/// domain's front page and content unrelated to the resource. One alone is a redesign, a
/// translation or a rebrand as often as a hijack.
pub const MIN_WEAK_SIGNALS: usize = 2;

/// Most words a page may have for parking and for-sale texts in it to be decisive. Parking
/// pages are a line or two and a list of ad links; a real article that quotes "buy this domain"
/// (say, a guide to domain scams) is far longer.
pub const PARKING_MAX_WORDS: usize = 300;

/// Fewest spam phrases, counted with repeats, for the spam signal: one or two are a page that
/// talks about the problem ("gambling ads offering free spins target teenagers").
pub const SPAM_MIN_HITS: usize = 3;

/// Fewest spam phrases per 100 words for the spam signal. Spam pages repeat their keywords in
/// every line (4 to 20 per 100 words); a child-safety page that explains gambling or
/// pornography harms names the bait once or twice in hundreds of words (under 1 per 100).
pub const SPAM_MIN_PER_100_WORDS: f64 = 2.0;

/// Word similarity (of the words that carry meaning, see [`content_words`]) below which a page
/// is unrelated to the accepted one. Stopwords are left out first, because two unrelated
/// English texts share a third of their words through "the", "and" and "of" alone; without
/// them, a reworded page on the same topic keeps well over 0.2 (its topic's words) and an
/// unrelated one falls under 0.05.
pub const UNRELATED_SIMILARITY: f64 = 0.10;

/// Fewest meaningful words the accepted text must have for the similarity to say anything.
pub const MIN_COMPARABLE_WORDS: usize = 20;

/// Fewest stopwords of the most likely language for a guess at a Latin-script text's
/// language; a few sentences have dozens.
pub const LANGUAGE_MIN_HITS: usize = 5;

/// How many times more stopwords the guessed language must have than the runner-up: Spanish,
/// Portuguese and Italian share some ("que", "para", "con"), and a mixed page has no one
/// language.
pub const LANGUAGE_MARGIN: f64 = 1.5;

/// Fewest letters for a guess at a text's language.
pub const LANGUAGE_MIN_LETTERS: usize = 40;

/// Share of letters in a script (kana and Han, or Cyrillic) that makes a text Japanese, Chinese
/// or Russian; brand names and numbers in Latin letters fill much of a keyword-spam page.
pub const SCRIPT_MIN_SHARE: f64 = 0.3;

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal {
    /// Enough by itself: a parking provider, a for-sale or parking text, an ad feed.
    pub decisive: bool,
    /// What was seen, for the detail: `parking page ("this domain may be for sale")`.
    pub what: String,
}

/// Every signal that fired for one answer, in a fixed order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    pub signals: Vec<Signal>,
}

impl Evidence {
    /// Whether the evidence is strong enough: one decisive signal, or [`MIN_WEAK_SIGNALS`].
    pub fn hijacked(&self) -> bool {
        self.signals.iter().any(|s| s.decisive) || self.signals.len() >= MIN_WEAK_SIGNALS
    }

    /// `hijacked: parking page ("this domain may be for sale"); redirected to another
    /// domain's home page parking.example`: every signal that fired.
    pub fn detail(&self) -> String {
        let whats: Vec<&str> = self.signals.iter().map(|s| s.what.as_str()).collect();
        format!("hijacked: {}", whats.join("; "))
    }

    fn push(&mut self, decisive: bool, what: String) {
        self.signals.push(Signal { decisive, what });
    }
}

/// The evidence that `page`, fetched from `requested` and answered at `final_url`, is no longer
/// the resource but something that took its address. `accepted` is what the baseline accepted
/// for the resource, when there is a baseline; without one only the URLs and the page itself
/// speak.
pub fn signals(
    requested: &str,
    final_url: &str,
    page: &Page,
    accepted: Option<Accepted<'_>>,
) -> Evidence {
    let mut evidence = Evidence::default();
    let (from, to) = (WebUrl::parse(requested).ok(), WebUrl::parse(final_url).ok());
    if let (Some(from), Some(to)) = (&from, &to)
        && let Some(parking) = parking_address(from, to)
    {
        evidence.push(true, parking);
    }
    let mut seen = String::new();
    for part in [page.title.as_deref(), page.heading.as_deref()]
        .into_iter()
        .flatten()
        .chain([page.text.as_str()])
    {
        seen.push_str(part);
        seen.push('\n');
    }
    if !page.is_document && !more_words_than(&page.text, PARKING_MAX_WORDS) {
        if let Some(found) = PARKING_TEXT.find(&seen) {
            evidence.push(true, format!("parking page (\"{}\")", found.as_str()));
        }
        if let Some(found) = AD_FEED_TEXT.find(&seen) {
            evidence.push(true, format!("ad-feed page (\"{}\")", found.as_str()));
        }
    }
    if let Some(spam) = spam(&seen) {
        evidence.push(false, spam);
    }
    if let Some(old) = accepted.filter(|a| !a.is_document && !page.is_document) {
        let (was, now) = (language(old.text), language(&page.text));
        match (was, now) {
            (Some(was), Some(now)) if was != now => evidence.push(
                false,
                format!("language changed from {} to {}", was.name(), now.name()),
            ),
            // A text in another language shares no words with the old one whatever it says:
            // unrelatedness is evidence only within one language.
            _ => {
                if let Some(unrelated) = unrelated(old, page) {
                    evidence.push(false, unrelated);
                }
            }
        }
    }
    if let (Some(from), Some(to)) = (&from, &to)
        && from.registrable_domain() != to.registrable_domain()
        && to.is_home_page()
    {
        evidence.push(
            false,
            format!("redirected to another domain's home page {}", to.host()),
        );
    }
    evidence
}

/// Registrable domains of domain-parking and domain-sale services.
const PARKING_PROVIDERS: [&str; 17] = [
    "sedoparking.com",
    "sedo.com",
    "bodis.com",
    "parkingcrew.net",
    "above.com",
    "dan.com",
    "afternic.com",
    "hugedomains.com",
    "undeveloped.com",
    "domainmarket.com",
    "buydomains.com",
    "parklogic.com",
    "smartname.com",
    "domainsponsor.com",
    "brandbucket.com",
    "squadhelp.com",
    "uniregistry.com",
];

/// Why `url`, reached from `requested`, is a parking or for-sale address, when it is one: a
/// parking provider's or a registrar's for-sale page (unless the catalog links that service
/// itself), or the `wwN.` host with a `subid1` that parking ad feeds send visitors to.
fn parking_address(requested: &WebUrl, url: &WebUrl) -> Option<String> {
    let domain = url.registrable_domain();
    let host = url.host();
    let elsewhere = domain != requested.registrable_domain();
    if elsewhere && (PARKING_PROVIDERS.contains(&domain) || host == "parkingpage.namecheap.com") {
        return Some(format!("redirected to the domain-parking service {domain}"));
    }
    if elsewhere && domain == "godaddy.com" && url.as_url().path().starts_with("/forsale") {
        return Some(format!("redirected to a for-sale page at {domain}"));
    }
    let ad_feed_host = host
        .strip_prefix("ww")
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    let ad_feed_query = url.as_url().query_pairs().any(|(k, _)| k == "subid1");
    (ad_feed_host && ad_feed_query)
        .then(|| format!("redirected to a domain-parking address {host}"))
}

/// For-sale and parking texts, in the languages the catalog's sites use most.
static PARKING_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        \b(?:this|the)\s+domain(?:\s+name)?(?:\s+[a-z0-9-]+(?:\.[a-z0-9-]+)+)?\s+(?:may\s+be|is)\s+for\s+sale\b
        | \b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\s+(?:may\s+be|is)\s+for\s+sale\b
        | \bbuy\s+this\s+domain\b
        | \bmake\s+an\s+offer\s+on\s+this\s+domain\b
        | \bdomain(?:\s+name)?\s+(?:is|has\s+been)\s+parked\b
        | \bparked\s+(?:free|domain)\b
        | \bdomain\s+parking\b
        | \beste\s+dominio\s+(?:est[áa]\s+en\s+venta|se\s+vende|puede\s+estar\s+en\s+venta)\b
        | \bce\s+(?:nom\s+de\s+)?domaine\s+est\s+[àa]\s+vendre\b
        | \bdiese\s+domain\s+(?:steht\s+zum\s+verkauf|kaufen|ist\s+zu\s+verkaufen)\b
        | \b(?:sedoparking|parkingcrew|bodis|hugedomains|afternic)\b
        ",
    )
    .expect("parking text pattern")
});

/// The headings of pay-per-click ad feeds that parking services fill a page with.
static AD_FEED_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\brelated\s+searches\b|\bsponsored\s+listings\b").expect("ad feed pattern")
});

/// Spam phrases by kind. Only the words of the trade that sells, never those of the harm a
/// child-safety page is about: "free spins" and "casino bonus", not "online gambling"; "xxx
/// videos" and "hot singles", not "pornography", "sexual abuse material", "exploitation",
/// "sextortion", "nude images" or "escort ads", which reporting and prevention pages must name.
const SPAM_PHRASES: [(&str, &[&str]); 4] = [
    (
        "gambling",
        &[
            "casino bonus",
            "casino bonuses",
            "free spins",
            "no deposit bonus",
            "deposit bonus",
            "welcome bonus",
            "bonus code",
            "real money casino",
            "best online casinos",
            "casino online",
            "online slots",
            "play slots",
            "slot online",
            "slot gacor",
            "judi online",
            "situs judi",
            "togel",
            "maxwin",
            "sbobet",
            "sportsbook",
            "betting odds",
            "bet now",
            "poker online",
            "live casino",
            "crypto casino",
            "百家乐",
            "娱乐城",
            "博彩",
            "赌场",
            "オンラインカジノ",
        ],
    ),
    (
        "adult",
        &[
            "hot singles",
            "xxx videos",
            "xxx movies",
            "free xxx",
            "porn videos",
            "free porn",
            "porn tube",
            "sex cams",
            "live cams",
            "cam girls",
            "webcam girls",
            "adult dating",
            "horny",
            "milf",
            "アダルト動画",
            "成人视频",
            "无码",
        ],
    ),
    (
        "pharma",
        &[
            "viagra",
            "cialis",
            "levitra",
            "kamagra",
            "online pharmacy",
            "no prescription needed",
            "weight loss pills",
        ],
    ),
    (
        "SEO",
        &[
            "buy followers",
            "buy instagram followers",
            "buy tiktok followers",
            "buy likes",
            "buy backlinks",
            "cheap backlinks",
            "seo services",
            "guest post",
            "guest posting",
            "payday loans",
            "payday loan",
            "replica watches",
            "cheap jerseys",
            "essay writing service",
            "forex signals",
            "louis vuitton outlet",
            "激安",
            "通販",
            "送料無料",
            "スーパーコピー",
            "ブランドコピー",
            "コピー品",
            "偽物",
            "n級品",
            "格安",
            "代开发票",
        ],
    ),
];

/// All spam phrases in one pattern, longest first so "buy instagram followers" is not counted
/// as "buy followers"; phrases in Latin letters only as whole words, CJK ones anywhere (CJK
/// text has no spaces between words).
static SPAM_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    let mut phrases: Vec<&str> = SPAM_PHRASES
        .iter()
        .flat_map(|(_, p)| p.iter().copied())
        .collect();
    phrases.sort_by_key(|p| std::cmp::Reverse(p.chars().count()));
    let alternatives: Vec<String> = phrases
        .iter()
        .map(|p| {
            let escaped = regex::escape(p).replace(' ', r"\s+");
            if p.is_ascii() {
                format!(r"\b{escaped}\b")
            } else {
                escaped
            }
        })
        .collect();
    Regex::new(&format!("(?i){}", alternatives.join("|"))).expect("spam pattern")
});

/// The spam signal for `text`, when its spam phrases are many and dense enough.
fn spam(text: &str) -> Option<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for found in SPAM_PATTERN.find_iter(text) {
        let phrase = found
            .as_str()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        *counts.entry(phrase.to_lowercase()).or_default() += 1;
    }
    let hits: usize = counts.values().sum();
    if hits < SPAM_MIN_HITS {
        return None;
    }
    let words = word_count(text).max(1);
    let per_100 = hits as f64 * 100.0 / words as f64;
    if hits < SPAM_MIN_HITS || per_100 < SPAM_MIN_PER_100_WORDS {
        return None;
    }
    let mut kinds: Vec<&str> = Vec::new();
    for (kind, phrases) in SPAM_PHRASES {
        if phrases
            .iter()
            .any(|p| counts.contains_key(&p.to_lowercase()))
        {
            kinds.push(kind);
        }
    }
    let mut top: Vec<(&String, &usize)> = counts.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let shown: Vec<String> = top
        .iter()
        .take(3)
        .map(|(phrase, n)| format!("\"{phrase}\" ×{n}"))
        .collect();
    Some(format!(
        "{} spam vocabulary ({}; {per_100:.0} per 100 words)",
        kinds.join(" and "),
        shown.join(", ")
    ))
}

/// The unrelated-content signal: the meaningful words barely overlap with the accepted text's,
/// and the title shares no word with the accepted title.
fn unrelated(old: Accepted<'_>, page: &Page) -> Option<String> {
    let old_title = old.title?;
    let old_words = content_words(old.text);
    if old_words.split(' ').count() < MIN_COMPARABLE_WORDS {
        return None;
    }
    let score = similarity(&old_words, &content_words(&page.text));
    if score >= UNRELATED_SIMILARITY {
        return None;
    }
    let new_title = page.title.as_deref().unwrap_or("");
    let old_title_words = title_words(old_title);
    if title_words(new_title)
        .iter()
        .any(|w| old_title_words.contains(w))
    {
        return None;
    }
    Some(format!(
        "unrelated to the accepted page (similarity {score:.2}; title \"{new_title}\" shares no word with \"{old_title}\")"
    ))
}

/// Words any site's title may carry, whoever owns it: a spam page's "Best Online Casino" and a
/// guide's "Staying safe online" share nothing that says they are the same page.
const TITLE_FILLER: [&str; 14] = [
    "online", "home", "page", "site", "website", "web", "official", "welcome", "best", "free",
    "new", "top", "www", "com",
];

/// The meaningful words of a title, without [`TITLE_FILLER`] and numbers (years, mostly).
fn title_words(title: &str) -> HashSet<String> {
    content_words(title)
        .split(' ')
        .filter(|w| {
            !w.is_empty() && !TITLE_FILLER.contains(w) && !w.chars().all(|c| c.is_ascii_digit())
        })
        .map(str::to_owned)
        .collect()
}

/// Every language's stopwords, for [`content_words`].
static ALL_STOPWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    STOPWORDS
        .iter()
        .flat_map(|(_, words)| words.iter().copied())
        .collect()
});

/// The words of `text` that carry meaning, lowercased and space-separated: no stopword of any
/// language [`language`] knows, nothing shorter than three letters. CJK text has no spaces, so
/// its runs become overlapping character pairs, which stand in for its (mostly two-character)
/// words.
fn content_words(text: &str) -> String {
    let mut words = Vec::new();
    for token in text
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
    {
        let chars: Vec<char> = token.chars().collect();
        if chars.iter().any(|c| is_cjk(*c)) {
            words.extend(chars.windows(2).map(|pair| pair.iter().collect::<String>()));
            if chars.len() == 1 {
                words.push(token);
            }
        } else if chars.len() >= 3 && !ALL_STOPWORDS.contains(token.as_str()) {
            words.push(token);
        }
    }
    words.join(" ")
}

/// Whether `text` has more than `max` words (as [`word_count`] counts them), counting no
/// further than that.
fn more_words_than(text: &str, max: usize) -> bool {
    let mut words = 0;
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        let cjk = word.chars().filter(|c| is_cjk(*c)).count();
        words += if cjk == 0 { 1 } else { cjk.div_ceil(2) };
        if words > max {
            return true;
        }
    }
    false
}

/// Words in `text`; a run of CJK characters counts as one word per two characters, about the
/// length of a Japanese or Chinese word.
fn word_count(text: &str) -> usize {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let cjk = w.chars().filter(|c| is_cjk(*c)).count();
            if cjk == 0 { 1 } else { cjk.div_ceil(2) }
        })
        .sum()
}

fn is_kana(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{31f0}'..='\u{31ff}' | '\u{ff66}'..='\u{ff9f}')
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

fn is_cjk(c: char) -> bool {
    is_kana(c) || is_han(c)
}

/// The languages [`language`] can tell apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Language {
    English,
    Spanish,
    French,
    German,
    Portuguese,
    Italian,
    Russian,
    Chinese,
    Japanese,
}

impl Language {
    fn name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::Spanish => "Spanish",
            Language::French => "French",
            Language::German => "German",
            Language::Portuguese => "Portuguese",
            Language::Italian => "Italian",
            Language::Russian => "Russian",
            Language::Chinese => "Chinese",
            Language::Japanese => "Japanese",
        }
    }
}

/// The most frequent function words of each Latin-script language.
const STOPWORDS: [(Language, &[&str]); 6] = [
    (
        Language::English,
        &[
            "the", "and", "of", "to", "is", "that", "with", "for", "are", "this", "you", "your",
            "have", "from", "not", "they", "their", "what", "about", "will", "can", "was", "were",
            "how", "which", "when", "been", "has", "our", "who", "it", "be", "or", "an",
        ],
    ),
    (
        Language::Spanish,
        &[
            "el", "los", "las", "del", "por", "una", "para", "con", "que", "es", "su", "sus", "al",
            "como", "más", "pero", "está", "este", "esta", "son", "hay", "puede", "también",
            "usted", "sobre", "entre", "cuando", "muy", "sin", "lo", "se", "y",
        ],
    ),
    (
        Language::French,
        &[
            "le", "les", "des", "est", "une", "et", "pour", "dans", "qui", "sur", "pas", "avec",
            "vous", "nous", "du", "au", "ce", "sont", "être", "mais", "ou", "leur", "cette", "aux",
            "votre", "plus", "peut", "il", "elle", "ne",
        ],
    ),
    (
        Language::German,
        &[
            "der", "die", "das", "und", "ist", "nicht", "mit", "ein", "eine", "den", "dem", "zu",
            "sich", "auf", "für", "werden", "sie", "ich", "auch", "von", "bei", "oder", "wenn",
            "kann", "ihr", "ihre", "wird", "sind", "nach", "über", "wie",
        ],
    ),
    (
        Language::Portuguese,
        &[
            "os", "não", "uma", "para", "com", "do", "da", "dos", "das", "em", "que", "é", "são",
            "mais", "você", "seu", "sua", "ao", "pelo", "pela", "como", "mas", "nos", "ou",
            "também", "está", "pode", "quando", "sobre", "seus", "suas",
        ],
    ),
    (
        Language::Italian,
        &[
            "il", "lo", "gli", "della", "di", "che", "è", "per", "una", "non", "sono", "con",
            "del", "nel", "alla", "questo", "anche", "più", "dei", "delle", "essere", "come", "ma",
            "può", "quando", "sul", "dal", "degli", "nella", "loro",
        ],
    ),
];

/// A guess at the language of `text`: by script for Japanese (kana), Chinese (Han without
/// kana) and Russian (Cyrillic), else by counting each language's stopwords. `None` when the
/// text is too short or the count is too close to call.
fn language(text: &str) -> Option<Language> {
    let (mut letters, mut kana, mut han, mut cyrillic) = (0usize, 0usize, 0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        if is_kana(c) {
            kana += 1;
        } else if is_han(c) {
            han += 1;
        } else if matches!(c, '\u{0400}'..='\u{04ff}') {
            cyrillic += 1;
        }
    }
    if letters < LANGUAGE_MIN_LETTERS {
        return None;
    }
    let share = |n: usize| n as f64 / letters as f64;
    if share(kana + han) >= SCRIPT_MIN_SHARE {
        // Japanese writes its grammar in kana between the Han characters; Chinese has none.
        return Some(if kana * 10 >= kana + han {
            Language::Japanese
        } else {
            Language::Chinese
        });
    }
    if share(cyrillic) >= SCRIPT_MIN_SHARE {
        return Some(Language::Russian);
    }
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut scores: Vec<(usize, Language)> = STOPWORDS
        .iter()
        .map(|(lang, stop)| {
            let hits = words.iter().filter(|w| stop.contains(&w.as_str())).count();
            (hits, *lang)
        })
        .collect();
    scores.sort_by_key(|(hits, _)| std::cmp::Reverse(*hits));
    let (best, lang) = scores[0];
    let runner_up = scores[1].0;
    (best >= LANGUAGE_MIN_HITS && best as f64 >= runner_up as f64 * LANGUAGE_MARGIN).then_some(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_words_than_counts_as_word_count_does() {
        for text in [
            "",
            "one",
            "one two, three",
            "日本語のテキスト and more",
            "a-b c_d 1.2.3",
        ] {
            let n = word_count(text);
            assert!(!more_words_than(text, n), "{text:?} has {n}");
            assert_eq!(
                more_words_than(text, n.saturating_sub(1)),
                n > 0,
                "{text:?}"
            );
        }
    }

    fn page(title: &str, text: &str) -> Page {
        Page::from_text(Some(title.to_owned()), None, text.to_owned(), None)
    }

    fn accepted<'a>(title: &'a str, text: &'a str) -> Accepted<'a> {
        Accepted {
            title: Some(title),
            text,
            length: text.len() as u64,
            is_document: false,
        }
    }

    const GUIDE_URL: &str = "https://www.safekids.example.org/resources/online-safety-guide";

    const GUIDE_TITLE: &str =
        "Keeping children safe online: a guide for parents | SafeKids Network";

    const GUIDE: &str = "Children spend more time online than ever, and most of it is positive.
This guide helps parents talk with their children about what they do online.
Start the conversation early and keep it going as your child grows.
Agree on family rules for screen time, games and social media together.
Use parental controls on devices, apps and your home broadband, but do not rely on them alone.
Teach children to keep personal information private and to think before they share photos.
Explain that people online are not always who they say they are.
Make sure your child knows they can tell you if something online worries them, without fear of losing their phone.
If a child is being groomed or sexually exploited online, report it to the police and to CEOP.
You can also call our helpline for advice on 0800 000 000.";

    const GUIDE_REDESIGNED_TITLE: &str =
        "Online safety: a guide for parents and carers | SafeKids Network";

    const GUIDE_REDESIGNED: &str =
        "Most of what children do online is positive, but they need our support.
Our guide for parents and carers explains how to talk with children about their online lives.
Begin talking early, and keep talking as your child grows up.
Set family rules together for games, social media and screen time.
Parental controls on devices and broadband help, but they do not replace conversation.
Help children keep personal information private and think before sharing photos.
Remind them that people online may not be who they claim to be.
Children should know they can tell you about anything online that worries them.
Report online grooming or sexual exploitation of a child to the police or to CEOP.
Call our free helpline for advice: 0800 000 000.
New: download our checklist for setting up a child's first phone.";

    // ---- each signal on its own ----

    #[test]
    fn parking_providers_and_for_sale_addresses_are_decisive() {
        let parked = page("safekids-guide.org", "");
        for (to, what) in [
            (
                "https://www.hugedomains.com/domain_profile.cfm?d=safekids-guide.org",
                "redirected to the domain-parking service hugedomains.com",
            ),
            (
                "https://sedo.com/search/details/?domain=safekids-guide.org",
                "redirected to the domain-parking service sedo.com",
            ),
            (
                "https://www.godaddy.com/forsale/safekids-guide.org?utm_source=TDFS",
                "redirected to a for-sale page at godaddy.com",
            ),
            (
                "http://ww25.safekids-guide.org/tips?subid1=20270101-0a1b",
                "redirected to a domain-parking address ww25.safekids-guide.org",
            ),
        ] {
            let e = signals("http://safekids-guide.org/tips", to, &parked, None);
            assert_eq!(
                e.signals[0],
                Signal {
                    decisive: true,
                    what: what.to_owned()
                }
            );
            assert!(e.hijacked(), "{to}");
        }
        // The catalog may link a registrar's own pages; a `ww2.` host without the ad feed's
        // query is just a host name.
        for (from, to) in [
            (
                "https://www.godaddy.com/help",
                "https://www.godaddy.com/forsale/x.org",
            ),
            (
                "https://ww2.example.gov/guide",
                "https://ww2.example.gov/guide?subid=3",
            ),
            (
                "https://a.example.org/x",
                "https://www.godaddy.com/help/parked-domains",
            ),
        ] {
            assert!(signals(from, to, &parked, None).signals.is_empty(), "{to}");
        }
    }

    #[test]
    fn parking_and_ad_feed_texts_are_decisive_on_short_pages_only() {
        for (text, what) in [
            (
                "This domain may be for sale!",
                "parking page (\"This domain may be for sale\")",
            ),
            (
                "The domain name safekids-guide.org is for sale",
                "parking page (\"The domain name safekids-guide.org is for sale\")",
            ),
            (
                "safekids-guide.org is for sale. Make an offer.",
                "parking page (\"safekids-guide.org is for sale\")",
            ),
            ("Buy this domain", "parking page (\"Buy this domain\")"),
            (
                "This domain is parked free of charge.",
                "parking page (\"domain is parked\")",
            ),
            (
                "This webpage was generated by the domain owner using Sedo Domain Parking.",
                "parking page (\"Domain Parking\")",
            ),
            (
                "Este dominio está en venta",
                "parking page (\"Este dominio está en venta\")",
            ),
            (
                "Ce domaine est à vendre",
                "parking page (\"Ce domaine est à vendre\")",
            ),
            (
                "Diese Domain steht zum Verkauf",
                "parking page (\"Diese Domain steht zum Verkauf\")",
            ),
            (
                "Related Searches:\nParenting Tips\nChild Safety Products",
                "ad-feed page (\"Related Searches\")",
            ),
            (
                "Sponsored Listings\nOnline Courses",
                "ad-feed page (\"Sponsored Listings\")",
            ),
        ] {
            let e = signals(
                GUIDE_URL,
                GUIDE_URL,
                &page("safekids-guide.org", text),
                None,
            );
            assert_eq!(e.signals.len(), 1, "{text}: {e:?}");
            assert_eq!(
                e.signals[0],
                Signal {
                    decisive: true,
                    what: what.to_owned()
                },
                "{text}"
            );
        }
        let article = format!(
            "Scammers send fake renewal notices that say \"this domain may be for sale\" or \"buy this domain\".\n\
             Some show a list of related searches.\n{}",
            "Check the registrar and never pay an invoice you did not expect. ".repeat(30)
        );
        let e = signals(GUIDE_URL, GUIDE_URL, &page("Domain scams", &article), None);
        assert!(e.signals.is_empty(), "{e:?}");
    }

    #[test]
    fn spam_vocabulary_counts_only_when_dense() {
        let casino = "Claim the best casino bonus and 200 free spins today.\nNew players get a no deposit bonus.";
        let found = spam(casino).expect("dense casino spam");
        assert_eq!(
            found,
            "gambling spam vocabulary (\"casino bonus\" ×1, \"free spins\" ×1, \"no deposit bonus\" ×1; 18 per 100 words)"
        );
        // Two phrases are a page that talks about the bait, however short.
        assert_eq!(
            spam("Gambling ads offering free spins target teenagers; so do welcome bonus codes."),
            None
        );
        // Three in a long page are too sparse.
        let sparse = format!(
            "Watch for free spins, a welcome bonus and online slots in your child's feeds.\n{}",
            "Talk with your teenager about how gambling apps keep people playing. ".repeat(15)
        );
        assert_eq!(spam(&sparse), None);
        // Phrases count as whole words, and longer ones win.
        assert_eq!(spam("freespins casinobonus"), None);
        let kinds =
            spam("Buy Instagram followers, cheap viagra, buy tiktok followers, hot singles.")
                .unwrap();
        assert!(
            kinds.starts_with("adult and pharma and SEO spam vocabulary"),
            "{kinds}"
        );
        assert!(kinds.contains("\"buy instagram followers\" ×1"), "{kinds}");
        let japanese =
            spam("スーパーコピー時計 激安通販専門店。ブランドコピー 送料無料。").unwrap();
        assert!(japanese.starts_with("SEO spam vocabulary"), "{japanese}");
    }

    #[test]
    fn child_protection_words_are_never_spam() {
        let text = "Child sexual abuse material (CSAM), sometimes called child pornography, is evidence of a crime.
Report sexual exploitation, sextortion, nude images shared without consent, escort ads and live-streamed abuse.
Pornography, online gambling, sex, porn, nudes, webcam, adult content, grooming, trafficking, exploitation.
Pornography pornography pornography sexual abuse sexual abuse exploitation exploitation.";
        assert_eq!(spam(text), None);
    }

    #[test]
    fn languages_are_told_apart() {
        for (text, lang) in [
            (
                "Parents can help their children stay safe online. Talk with them about what they do and who they talk to, and agree on rules for the family.",
                Language::English,
            ),
            (
                "Los padres pueden ayudar a sus hijos a estar seguros en internet. Hable con ellos sobre lo que hacen y con quién hablan, y acuerden las reglas de la familia.",
                Language::Spanish,
            ),
            (
                "Les parents peuvent aider leurs enfants à rester en sécurité sur internet. Parlez avec eux de ce qu'ils font et avec qui ils parlent, et fixez ensemble les règles de la famille.",
                Language::French,
            ),
            (
                "Eltern können ihren Kindern helfen, im Internet sicher zu sein. Sprechen Sie mit ihnen darüber, was sie tun und mit wem sie sprechen, und vereinbaren Sie die Regeln der Familie.",
                Language::German,
            ),
            (
                "Os pais podem ajudar os seus filhos a ficarem seguros na internet. Converse com eles sobre o que fazem e com quem falam, e combinem as regras da família. Não é difícil e você pode começar hoje.",
                Language::Portuguese,
            ),
            (
                "I genitori possono aiutare i loro figli a restare al sicuro su internet. Parlate con loro di quello che fanno e con chi parlano, e stabilite insieme le regole della famiglia. Non è difficile ed è più facile di quanto sembri.",
                Language::Italian,
            ),
            (
                "Родители могут помочь своим детям оставаться в безопасности в интернете. Поговорите с ними о том, что они делают и с кем общаются.",
                Language::Russian,
            ),
            (
                "父母可以帮助孩子在网上保持安全。和他们谈谈他们在网上做什么以及和谁聊天，并一起商定家庭规则。",
                Language::Chinese,
            ),
            (
                "保護者は子どもがインターネットで安全に過ごせるように手助けできます。子どもが何をしているのか、誰と話しているのかについて話し合い、家族のルールを一緒に決めましょう。",
                Language::Japanese,
            ),
        ] {
            assert_eq!(language(text), Some(lang), "{text}");
        }
        assert_eq!(language("Contact us"), None, "too short to tell");
        assert_eq!(
            language(
                "Dashboard Login Register Search Menu Contact Privacy Terms Cookies Accessibility"
            ),
            None,
            "no sentences, no stopwords"
        );
    }

    #[test]
    fn a_new_language_is_a_weak_signal() {
        let spanish = "Los padres pueden ayudar a sus hijos a estar seguros en internet. Hable con ellos sobre lo que hacen y con quién hablan, y acuerden las reglas de la familia.";
        let e = signals(
            GUIDE_URL,
            GUIDE_URL,
            &page(GUIDE_TITLE, spanish),
            Some(accepted(GUIDE_TITLE, GUIDE)),
        );
        assert_eq!(
            e.signals,
            vec![Signal {
                decisive: false,
                what: "language changed from English to Spanish".to_owned()
            }]
        );
        assert!(!e.hijacked());
    }

    #[test]
    fn unrelated_content_needs_near_zero_similarity_and_a_new_title() {
        let old = accepted(GUIDE_TITLE, GUIDE);
        let weather =
            "Sunny spells this morning with scattered showers spreading from the west by afternoon.
Temperatures reach fifteen degrees, falling to eight overnight under clearing skies.
Tomorrow brings brisk northerly winds and a chance of hail along exposed coasts.";
        let e = signals(
            GUIDE_URL,
            GUIDE_URL,
            &page("Weather forecast", weather),
            Some(old),
        );
        assert_eq!(e.signals.len(), 1, "{e:?}");
        assert!(
            e.signals[0]
                .what
                .starts_with("unrelated to the accepted page (similarity 0.0"),
            "{e:?}"
        );
        assert!(!e.hijacked());
        // The same text under a title that shares a word with the accepted one.
        let e = signals(
            GUIDE_URL,
            GUIDE_URL,
            &page("SafeKids Network weather", weather),
            Some(old),
        );
        assert!(e.signals.is_empty(), "{e:?}");
        // Filler words and years are not shared meaning.
        let e = signals(
            GUIDE_URL,
            GUIDE_URL,
            &page("Best Online Weather 2027", weather),
            Some(old),
        );
        assert_eq!(e.signals.len(), 1, "{e:?}");
        // A reworded page on the same topic is related.
        let e = signals(
            GUIDE_URL,
            GUIDE_URL,
            &page("Something else entirely", GUIDE_REDESIGNED),
            Some(old),
        );
        assert!(e.signals.is_empty(), "{e:?}");
    }

    #[test]
    fn a_jump_to_another_domains_home_page_is_a_weak_signal() {
        let e = signals(
            GUIDE_URL,
            "https://parking.example/",
            &page("Welcome", ""),
            None,
        );
        assert_eq!(
            e.signals,
            vec![Signal {
                decisive: false,
                what: "redirected to another domain's home page parking.example".to_owned()
            }]
        );
        assert!(!e.hijacked());
        // Same registrable domain, or a deep page elsewhere, is no signal.
        for to in [
            "https://safekids.example.org/",
            "https://other.example/guides/online-safety",
        ] {
            assert!(
                signals(GUIDE_URL, to, &page("Welcome", ""), None)
                    .signals
                    .is_empty(),
                "{to}"
            );
        }
    }

    #[test]
    fn detail_names_every_signal() {
        let e = signals(
            GUIDE_URL,
            "https://parking.example/",
            &page("parking.example", "This domain may be for sale"),
            None,
        );
        assert!(e.hijacked());
        assert_eq!(
            e.detail(),
            "hijacked: parking page (\"This domain may be for sale\"); redirected to another domain's home page parking.example"
        );
    }

    // ---- the corpus: ordinary changes must never be hijacks, real hijacks must all be ----

    struct Case {
        name: &'static str,
        requested: &'static str,
        landed: &'static str,
        old: Option<(&'static str, &'static str)>,
        new: Page,
    }

    fn case(
        name: &'static str,
        requested: &'static str,
        landed: &'static str,
        old: Option<(&'static str, &'static str)>,
        new: Page,
    ) -> Case {
        Case {
            name,
            requested,
            landed,
            old,
            new,
        }
    }

    fn verdict(c: &Case) -> Evidence {
        signals(
            c.requested,
            c.landed,
            &c.new,
            c.old.map(|(t, x)| accepted(t, x)),
        )
    }

    const GAMBLING_HARMS_TITLE: &str =
        "Gambling and young people: advice for parents | SafeKids Network";

    const GAMBLING_HARMS_OLD: &str = "Many young people see gambling advertising every day, on television, on social media and in games.
Loot boxes and skins betting blur the line between gaming and gambling.
Talk with your child about how gambling companies make money and why the odds favour them.
Set limits on in-game spending and turn off card payments on consoles and phones.
Watch for signs of a problem: secrecy about money, borrowing, mood swings and falling grades.
If you are worried, our helpline can put you in touch with specialist support for young people.
Gambling harms are not only about money: they affect sleep, school and friendships.
Young people who gamble are more likely to be targeted by other harmful content online.
Agree family rules about gaming and spending, and review them as your child grows.
Remember that most young people who gamble do not develop problems, but early support helps.";

    const GAMBLING_HARMS_NEW: &str = "Young people see gambling advertising every day: on television, on social media, in games and on sports shirts.
Gambling ads often promise free spins or a welcome bonus, and some apps offer online slots dressed up as games.
Loot boxes and skins betting blur the line between gaming and gambling, and online gambling is only a tap away.
Talk with your child about how gambling companies make money and why the odds always favour them.
Set limits on in-game spending and turn off card payments on consoles and phones.
Watch for signs of a problem: secrecy about money, borrowing, mood swings and falling grades.
If you are worried, our helpline can put you in touch with specialist support for young people.
Gambling harms are not only about money: they affect sleep, school, friendships and mental health.
Exposure to pornography and gambling content often go together on the same unmoderated sites.
Agree family rules about gaming and spending, and review them as your child grows.
Most young people who gamble do not develop problems, but early support makes a real difference.";

    const REPORTING_TITLE: &str = "Report child sexual abuse material | Example Hotline";

    const REPORTING_OLD: &str = "If you see sexual images or videos of someone under 18 online, report them to us.
Child sexual abuse material, sometimes wrongly called child pornography, records a crime against a real child.
Reports are anonymous and are reviewed by trained analysts who work with police worldwide.
Do not download, share or screenshot the material, even to report it: send us the web address.
If a child is in immediate danger, call the police on 999.
We also take reports of online grooming, sextortion and the sexual exploitation of children.";

    const REPORTING_NEW: &str = "Seen sexual images or videos of someone under 18 online? Report them to us, anonymously.
Child sexual abuse material, sometimes wrongly called child pornography, is a record of a crime against a real child.
Our trained analysts review every report and work with police and hotlines worldwide to remove the material.
Never download, share or screenshot the material, even to report it: just send us the web address.
If a child is in immediate danger, call the police on 999.
We also take reports of online grooming, sextortion, nude images shared under threat and the sexual exploitation of children.
Young people who shared a nude image and are being blackmailed can get help to have it taken down.";

    const OJJDP_OLD_TITLE: &str =
        "Internet Crimes Against Children Task Force Program | Office of Justice Programs";

    const OJJDP_OLD: &str = "The Internet Crimes Against Children Task Force Program helps state and local law enforcement agencies respond to online child exploitation.
The program supports a national network of 61 coordinated task forces representing more than 5,400 federal, state and local agencies.
These agencies conduct proactive and reactive investigations, forensic examinations and criminal prosecutions.
The program also provides training and technical assistance, victim services, prevention and community education.";

    const OJJDP_NEW_TITLE: &str = "Internet Crimes Against Children Task Force Program | OJJDP";

    const OJJDP_NEW: &str = "The Internet Crimes Against Children (ICAC) Task Force Program helps state and local law enforcement agencies develop an effective response to technology-facilitated child sexual exploitation and Internet crimes against children.
The program encompasses forensic and investigative components, training and technical assistance, victim services, prevention and community education.
The national network of 61 coordinated task forces represents more than 5,400 federal, state, local and tribal law enforcement and prosecutorial agencies.";

    const OJJDP_HOME: &str = "The Office of Juvenile Justice and Delinquency Prevention supports states, communities and tribal jurisdictions in their efforts to develop effective juvenile justice systems.
We fund research, programs and training, and we help protect children from victimization, including through the Internet Crimes Against Children Task Force Program and the AMBER Alert program.
Explore our funding opportunities, publications and data about youth, families and juvenile justice.";

    const OLDNAME_HOME: &str = "OldName helps families keep children safe online.
We run a free helpline for parents and carers, train teachers and social workers, and campaign for safer apps and games.
Our guides cover social media, gaming, sexting, grooming and online bullying.
Call our helpline on 0800 000 000 or chat with an adviser online.";

    const NEWNAME_HOME: &str =
        "We are NewName, the new name of OldName: the same team, helpline and mission.
We help families keep children safe online, with a free helpline for parents and carers.
We train teachers and social workers, and we campaign for safer apps, games and social media.
Our guides cover gaming, sexting, grooming, online bullying and social media.
Call our helpline on 0800 000 000 or chat with an adviser online.";

    const SPANISH_GUIDE: &str =
        "Los niños pasan más tiempo en internet que nunca, y la mayor parte es positiva.
Esta guía ayuda a los padres a hablar con sus hijos sobre lo que hacen en internet.
Empiece la conversación pronto y manténgala a medida que su hijo crece.
Acuerden juntos las reglas de la familia para las pantallas, los juegos y las redes sociales.
Si un niño es víctima de grooming o explotación sexual, denúncielo a la policía.";

    const LONG_SCAM_ARTICLE_TITLE: &str =
        "Domain scams: how criminals reuse the web addresses charities drop | SafeKids Network";

    const SIMILAR_HOME_OLD_TITLE: &str = "SafeKids Network – helping families stay safe online";

    const SIMILAR_HOME_OLD: &str = "SafeKids Network helps families keep children safe online.
Find guides for parents on social media, gaming and screen time.
Call our helpline for free advice, or chat with an adviser.
Schools can book our online safety workshops for pupils and staff.";

    const CAMPAIGN_HOME: &str = "Safer Internet Day 2027: together for a better internet.
This year we are asking children and parents to talk about the apps and games they love.
Download our free activity packs for families and schools.
Our helpline is open for advice about online safety, gaming and social media.";

    const JAPANESE_RESOURCE_OLD: &str =
        "保護者は子どもがインターネットで安全に過ごせるように手助けできます。
子どもが何をしているのか、誰と話しているのかについて話し合いましょう。
家族のルールを一緒に決めて、困ったときは相談窓口に電話してください。";

    const JAPANESE_RESOURCE_NEW: &str =
        "子どもがインターネットを安全に使えるように、保護者ができることをまとめました。
子どもが何をしているのか、誰とつながっているのかを日頃から話し合いましょう。
家族のルールを一緒に決めましょう。困ったときは、いつでも相談窓口に電話してください。";

    const CASINO_TITLE: &str = "Best Online Casino Bonuses 2027 – Free Spins & No Deposit Bonus";

    const CASINO: &str =
        "Claim the best casino bonus today and get 200 free spins on your first deposit.
Our experts rank every real money casino by welcome bonus, payout speed and games.
New players get a no deposit bonus and free spins on the hottest online slots.
Use our exclusive bonus code at the top live casino sites and bet now on sports.
Compare the best online casinos, sportsbook offers and betting odds in one place.
Play slots for real money with fast withdrawals and a huge welcome bonus.";

    const CHINESE_RESOURCE_OLD: &str = "父母可以帮助孩子在网上保持安全。
和孩子谈谈他们在网上做什么，以及和谁聊天。
一起商定家庭规则，遇到问题时请拨打求助热线。";

    const CHINESE_RESOURCE_NEW: &str = "家长能做很多事情，帮助孩子安全上网。
经常和孩子聊聊他们在网上做什么、和谁聊天。
全家一起制定规则；如果遇到问题，请随时拨打我们的求助热线。";

    const MERGED_PARTNER_HOME: &str =
        "Families Online is the charity for parents and carers of children growing up online.
SafeKids Network has joined Families Online: its guides, helpline and training now live here.
Find guides for parents on social media, gaming, screen time, grooming and online bullying.
Call our helpline for free advice about keeping children safe online.";

    const BILINGUAL: &str = "Children spend more time online than ever, and most of it is positive.
This guide helps parents talk with their children about what they do online.
Agree on family rules for screen time, games and social media together.
Resumen en español: esta guía ayuda a los padres a hablar con sus hijos sobre lo que hacen en internet.
Acuerden juntos las reglas de la familia para las pantallas y los juegos.";

    const SEXTING_OLD: &str = "Sexting means sending nude or sexual images or messages.
Many teenagers are pressured to send nudes, and images can be shared far beyond the person they were sent to.
Talk with your child about consent, pressure and what to do if an image is shared.";

    const SEXTING_NEW: &str = "Sexting is sending nude or sexual images, videos or messages.
Teenagers are often pressured to send nudes, sometimes by people they met on hookup apps or in porn communities.
Images can be shared far beyond the person they were sent to, and some end up on porn sites.
Talk with your child about consent, pressure, porn and what to do if a nude is shared.
Our helpline can help get a nude image taken down.";

    const JAPANESE_SPAM_TITLE: &str = "スーパーコピー時計 激安通販専門店";

    const JAPANESE_SPAM: &str = "スーパーコピー時計 激安通販専門店。ブランドコピー 送料無料。
ロレックス スーパーコピー 激安 通販 N級品 格安 販売。
偽物 ブランド 財布 コピー品 激安 送料無料 人気 新作。
ルイヴィトン コピー 激安通販、シャネル スーパーコピー 格安。";

    const RUSSIAN_SHOP: &str =
        "Добро пожаловать на наш сайт. Мы предлагаем лучшие услуги и товары по низким ценам.
Свяжитесь с нами сегодня, чтобы узнать больше о наших предложениях и скидках.";

    const ADULT_TITLE: &str = "Hot singles near you – free xxx videos";

    const ADULT: &str = "Hot singles in your area are waiting to chat right now.
Watch free xxx videos and the best porn videos updated daily.
Join thousands of members on live cams and adult dating tonight.
Free porn, sex cams and webcam girls with no credit card needed.";

    const PHARMA: &str = "Buy cheap Viagra and Cialis online with no prescription needed.
Our online pharmacy ships generic Viagra, Levitra and Kamagra worldwide.
Discreet delivery and the lowest prices on Cialis guaranteed.";

    const FOLLOWERS: &str =
        "Buy Instagram followers and buy TikTok followers from the number one provider.
Cheap backlinks and guest post packages boost your SEO services overnight.
Buy likes, buy followers and payday loans approved in minutes.";

    const SLOT_GACOR: &str =
        "Situs slot gacor hari ini dengan maxwin terbesar dan togel online terpercaya.
Daftar judi online sekarang dan menangkan jackpot slot gacor setiap hari.
Bandar togel resmi dan situs judi dengan bonus deposit tanpa potongan.";

    fn ordinary_changes() -> Vec<Case> {
        let scam_article = format!(
            "Charities sometimes let a web address lapse after a rebrand.\n\
             Criminals buy it and put up a page saying \"this domain may be for sale\" or \"buy this domain\", with a list of related searches.\n{}",
            "Keep renewing old addresses, and check that links in your materials still lead to you. ".repeat(25)
        );
        let long_old = format!("Charities sometimes let a web address lapse after a rebrand.\n{}", "Keep renewing old addresses, and check that links in your materials still lead to you. ".repeat(25));
        vec![
            case(
                "redesign: new layout and title, reworded, same topic",
                GUIDE_URL,
                GUIDE_URL,
                Some((GUIDE_TITLE, GUIDE)),
                page(GUIDE_REDESIGNED_TITLE, GUIDE_REDESIGNED),
            ),
            case(
                "moved to a new path on the same registrable domain",
                GUIDE_URL,
                "https://safekids.example.org/help/parents/online-safety",
                Some((GUIDE_TITLE, GUIDE)),
                page(GUIDE_REDESIGNED_TITLE, GUIDE_REDESIGNED),
            ),
            case(
                ".gov programme moved to its sub-agency's domain",
                "https://www.ojp.gov/programs/internet-crimes-against-children",
                "https://ojjdp.ojp.gov/programs/internet-crimes-against-children-task-force-program",
                Some((OJJDP_OLD_TITLE, OJJDP_OLD)),
                page(OJJDP_NEW_TITLE, OJJDP_NEW),
            ),
            case(
                ".gov page sent to the sub-agency's home page",
                "https://www.ojp.gov/programs/internet-crimes-against-children",
                "https://ojjdp.ojp.gov/",
                Some((OJJDP_OLD_TITLE, OJJDP_OLD)),
                page(
                    "Office of Juvenile Justice and Delinquency Prevention",
                    OJJDP_HOME,
                ),
            ),
            case(
                "gambling-harms guide that names free spins, online slots, online gambling, pornography",
                GUIDE_URL,
                GUIDE_URL,
                Some((GAMBLING_HARMS_TITLE, GAMBLING_HARMS_OLD)),
                page(GAMBLING_HARMS_TITLE, GAMBLING_HARMS_NEW),
            ),
            case(
                "CSAM reporting page, reworded: abuse material, pornography, sextortion, nude images",
                "https://report.example-hotline.org/",
                "https://report.example-hotline.org/",
                Some((REPORTING_TITLE, REPORTING_OLD)),
                page(
                    "Report child sexual abuse material online | Example Hotline",
                    REPORTING_NEW,
                ),
            ),
            case(
                "rebrand: old domain's home page sent to the new domain's home page",
                "https://www.oldname.org/",
                "https://www.newname.org/",
                Some(("OldName – keeping children safe online", OLDNAME_HOME)),
                page(
                    "NewName (formerly OldName) – keeping children safe online",
                    NEWNAME_HOME,
                ),
            ),
            case(
                "the site now answers in English where it answered in Spanish",
                "https://www.safekids.example.org/es/guia",
                "https://www.safekids.example.org/es/guia",
                Some((
                    "Guía para padres sobre la seguridad en internet",
                    SPANISH_GUIDE,
                )),
                page(GUIDE_TITLE, GUIDE),
            ),
            case(
                "long article that quotes parking texts",
                GUIDE_URL,
                GUIDE_URL,
                Some((LONG_SCAM_ARTICLE_TITLE, long_old.leak())),
                page(LONG_SCAM_ARTICLE_TITLE, &scam_article),
            ),
            case(
                "home page turned into a campaign page",
                "https://www.safekids.example.org/",
                "https://www.safekids.example.org/",
                Some((SIMILAR_HOME_OLD_TITLE, SIMILAR_HOME_OLD)),
                page("Safer Internet Day 2027 | SafeKids Network", CAMPAIGN_HOME),
            ),
            case(
                "home page turned into a campaign page under a wholly new title",
                "https://www.safekids.example.org/",
                "https://www.safekids.example.org/",
                Some((SIMILAR_HOME_OLD_TITLE, SIMILAR_HOME_OLD)),
                page("Together for a better internet", CAMPAIGN_HOME),
            ),
            case(
                "short notice that the resources moved within the site",
                GUIDE_URL,
                GUIDE_URL,
                Some((GUIDE_TITLE, GUIDE)),
                page(
                    "Help Centre | SafeKids Network",
                    "Our resources have moved to the new Help Centre.\nFind the online safety guide there.",
                ),
            ),
            case(
                "Japanese resource, reworded",
                "https://www.example.jp/kodomo/anzen",
                "https://www.example.jp/kodomo/anzen",
                Some(("子どものインターネット安全ガイド", JAPANESE_RESOURCE_OLD)),
                page(
                    "子どものインターネット安全ガイド（改訂版）",
                    JAPANESE_RESOURCE_NEW,
                ),
            ),
            case(
                "Chinese resource, reworded",
                "https://www.example.cn/ertong/anquan",
                "https://www.example.cn/ertong/anquan",
                Some(("儿童网络安全指南", CHINESE_RESOURCE_OLD)),
                page("家长指南：帮助孩子安全上网", CHINESE_RESOURCE_NEW),
            ),
            case(
                "organisation merged: deep link sent to the partner's home page",
                GUIDE_URL,
                "https://www.familiesonline.example/",
                Some((GUIDE_TITLE, GUIDE)),
                page(
                    "Families Online – parents and carers of children growing up online",
                    MERGED_PARTNER_HOME,
                ),
            ),
            case(
                "English page adds a Spanish summary",
                GUIDE_URL,
                GUIDE_URL,
                Some((GUIDE_TITLE, GUIDE)),
                page(GUIDE_TITLE, BILINGUAL),
            ),
            case(
                "sexting advice that names nudes, porn and hookup apps",
                GUIDE_URL,
                GUIDE_URL,
                Some(("Sexting: advice for parents", SEXTING_OLD)),
                page("Sexting and nudes: advice for parents", SEXTING_NEW),
            ),
            case(
                "gambling-harms guide on its first audit",
                GUIDE_URL,
                GUIDE_URL,
                None,
                page(GAMBLING_HARMS_TITLE, GAMBLING_HARMS_NEW),
            ),
            case(
                "PDF replaced by a new edition",
                "https://www.safekids.example.org/guide.pdf",
                "https://www.safekids.example.org/guide.pdf",
                None,
                Page {
                    title: None,
                    heading: None,
                    text: String::new(),
                    fingerprint: "b".repeat(64),
                    length: 120_000,
                    is_document: true,
                    pdf: None,
                    selector_matched: None,
                    unread: None,
                    anchors: None,
                    facts: Vec::new(),
                },
            ),
        ]
    }

    fn hijacks() -> Vec<Case> {
        vec![
            case(
                "parking page with an ad feed",
                "https://safekids-guide.org/tips",
                "https://safekids-guide.org/tips",
                Some((GUIDE_TITLE, GUIDE)),
                page(
                    "safekids-guide.org",
                    "safekids-guide.org\nThis domain may be for sale!\nRelated Searches\nParenting Tips\nChild Safety Products\nOnline Courses",
                ),
            ),
            case(
                "for-sale page at a domain marketplace",
                "https://safekids-guide.org/tips",
                "https://www.hugedomains.com/domain_profile.cfm?d=safekids-guide.org",
                Some((GUIDE_TITLE, GUIDE)),
                page(
                    "SafeKids-Guide.org is for sale | HugeDomains",
                    "Buy now for $2,795 or pay over time.\nSafeKids-Guide.org is for sale.",
                ),
            ),
            case(
                "GoDaddy for-sale redirect",
                "https://safekids-guide.org/",
                "https://www.godaddy.com/forsale/safekids-guide.org?utm_source=TDFS",
                None,
                page("safekids-guide.org is for sale", ""),
            ),
            case(
                "parking ad-feed host",
                "http://safekids-guide.org/tips",
                "http://ww25.safekids-guide.org/tips?subid1=20270101-0a1b",
                Some((GUIDE_TITLE, GUIDE)),
                page("safekids-guide.org", ""),
            ),
            case(
                "Sedo parking page, first audit",
                "https://safekids-guide.org/",
                "https://safekids-guide.org/",
                None,
                page(
                    "safekids-guide.org",
                    "This webpage was generated by the domain owner using Sedo Domain Parking.\nDisclaimer: Sedo maintains no relationship with third party advertisers.",
                ),
            ),
            case(
                "Spanish for-sale page",
                "https://www.ninos-seguros.example.es/guia",
                "https://www.ninos-seguros.example.es/guia",
                Some((
                    "Guía para padres sobre la seguridad en internet",
                    SPANISH_GUIDE,
                )),
                page(
                    "ninos-seguros.example.es",
                    "Este dominio está en venta. Contacte con nosotros.",
                ),
            ),
            case(
                "casino spam in place of the guide",
                GUIDE_URL,
                GUIDE_URL,
                Some((GUIDE_TITLE, GUIDE)),
                page(CASINO_TITLE, CASINO),
            ),
            case(
                "Japanese keyword spam in place of an English guide",
                GUIDE_URL,
                GUIDE_URL,
                Some((GUIDE_TITLE, GUIDE)),
                page(JAPANESE_SPAM_TITLE, JAPANESE_SPAM),
            ),
            case(
                "redirect to another domain's home page in another language",
                GUIDE_URL,
                "https://www.tovary-skidki.example.ru/",
                Some((GUIDE_TITLE, GUIDE)),
                page("Лучшие товары и услуги", RUSSIAN_SHOP),
            ),
            case(
                "adult spam in place of the guide",
                GUIDE_URL,
                GUIDE_URL,
                Some((GUIDE_TITLE, GUIDE)),
                page(ADULT_TITLE, ADULT),
            ),
            case(
                "pharma spam in place of the guide",
                GUIDE_URL,
                GUIDE_URL,
                Some((GUIDE_TITLE, GUIDE)),
                page("Cheap Viagra Online – No Prescription Needed", PHARMA),
            ),
            case(
                "SEO spam in place of the guide",
                GUIDE_URL,
                GUIDE_URL,
                Some((GUIDE_TITLE, GUIDE)),
                page("Buy Instagram Followers Cheap", FOLLOWERS),
            ),
            case(
                "Indonesian slot spam in place of the guide",
                GUIDE_URL,
                GUIDE_URL,
                Some((GUIDE_TITLE, GUIDE)),
                page("Slot Gacor Hari Ini Maxwin", SLOT_GACOR),
            ),
        ]
    }

    #[test]
    fn ordinary_changes_are_never_hijacks() {
        let cases = ordinary_changes();
        let false_alarms: Vec<String> = cases
            .iter()
            .map(|c| (c.name, verdict(c)))
            .filter(|(_, e)| e.hijacked())
            .map(|(name, e)| format!("{name}: {}", e.detail()))
            .collect();
        assert!(
            false_alarms.is_empty(),
            "{} false alarms of {}:\n{}",
            false_alarms.len(),
            cases.len(),
            false_alarms.join("\n")
        );
    }

    #[test]
    fn real_hijacks_are_all_found() {
        let cases = hijacks();
        let missed: Vec<String> = cases
            .iter()
            .map(|c| (c.name, verdict(c)))
            .filter(|(_, e)| !e.hijacked())
            .map(|(name, e)| format!("{name}: {:?}", e.signals))
            .collect();
        assert!(
            missed.is_empty(),
            "{} missed of {}:\n{}",
            missed.len(),
            cases.len(),
            missed.join("\n")
        );
    }

    #[test]
    fn the_corpus_verdicts_name_their_signals() {
        let by_name = |name: &str| {
            hijacks()
                .into_iter()
                .chain(ordinary_changes())
                .find(|c| c.name == name)
                .map(|c| verdict(&c))
                .unwrap()
        };
        let whats =
            |e: Evidence| -> Vec<String> { e.signals.into_iter().map(|s| s.what).collect() };
        assert_eq!(
            by_name("redirect to another domain's home page in another language").detail(),
            "hijacked: language changed from English to Russian; redirected to another domain's home page www.tovary-skidki.example.ru"
        );
        let casino = by_name("casino spam in place of the guide").detail();
        assert!(
            casino.starts_with("hijacked: gambling spam vocabulary (\"free spins\" ×3"),
            "{casino}"
        );
        assert!(
            casino.contains("; unrelated to the accepted page (similarity 0.0"),
            "{casino}"
        );
        let japanese = by_name("Japanese keyword spam in place of an English guide").detail();
        assert!(japanese.contains("SEO spam vocabulary"), "{japanese}");
        assert!(
            japanese.ends_with("; language changed from English to Japanese"),
            "{japanese}"
        );
        // Weak signals that fire on ordinary changes stay alone.
        assert_eq!(
            whats(by_name(
                "rebrand: old domain's home page sent to the new domain's home page"
            )),
            ["redirected to another domain's home page www.newname.org"]
        );
        assert_eq!(
            whats(by_name(
                "organisation merged: deep link sent to the partner's home page"
            )),
            ["redirected to another domain's home page www.familiesonline.example"]
        );
        assert_eq!(
            whats(by_name(
                "the site now answers in English where it answered in Spanish"
            )),
            ["language changed from Spanish to English"]
        );
    }
}
