//! Network-level health: turns the evidence of a [`Fetch`] into `ok`, `moved`, `broken`,
//! `failing` or `blocked`, with a short human detail. Bot walls and sign-in walls are `blocked`.

use crate::check::fetch::{FailureKind, Fetch};
use crate::status::Status;
use crate::url::{WebUrl, same_page};
use regex::bytes::Regex as BytesRegex;
use reqwest::StatusCode;
use scraper::{Html, Node, Selector};
use std::sync::LazyLock;

/// Network-level health from the evidence: ok / moved / broken / failing / blocked, with a short
/// human `detail` ("404 Not Found", "permanent redirect (301) to https://…", "connection refused",
/// "timed out after 20 s", "redirect loop after 3 hops", "redirect to non-http(s) URL ftp://…",
/// "bot challenge (Cloudflare)", "sign-in required: redirected to https://…/login",
/// "403 Forbidden", "503 Service Unavailable after 3 attempts"). `accept` lists statuses the
/// catalog declares healthy for this link.
pub fn classify(fetch: &Fetch, accept: &[u16]) -> (Status, String) {
    if let Some(failure) = &fetch.failure {
        let status = match failure.kind {
            FailureKind::Dns
            | FailureKind::PrivateAddress
            | FailureKind::Tls
            | FailureKind::RedirectLoop
            | FailureKind::BadRedirect => Status::Broken,
            FailureKind::DnsUnavailable
            | FailureKind::Connect
            | FailureKind::Reset
            | FailureKind::Timeout
            | FailureKind::Protocol => Status::Failing,
        };
        return (status, failure.message.clone());
    }
    let Some(code) = fetch.http_status else {
        return (Status::Failing, "no answer".to_owned());
    };
    if let Some(vendor) = fetch.challenge {
        return (Status::Blocked, format!("bot challenge ({vendor})"));
    }
    if accept.contains(&code) {
        return (Status::Ok, format!("{} (accepted)", status_text(code)));
    }
    if (200..=299).contains(&code)
        && let Some(wall) = sign_in_wall(fetch)
    {
        return (Status::Blocked, format!("sign-in required: {wall}"));
    }
    match code {
        304 => (Status::Ok, "not modified".to_owned()),
        200..=299 if fetch.body_incomplete.is_some() => {
            let (status, detail) = healthy(fetch, code);
            let why = fetch.body_incomplete.as_deref().unwrap_or_default();
            (status, format!("{detail}; {why}, content not compared"))
        }
        200..=299 if fetch.truncated => {
            let (status, detail) = healthy(fetch, code);
            let read = fetch.body.len();
            (
                status,
                format!("{detail}; body over the size cap, read the first {read} bytes"),
            )
        }
        200..=299 => healthy(fetch, code),
        300..=399 => (
            Status::Broken,
            format!("{} without a Location", status_text(code)),
        ),
        401 | 403 => (Status::Blocked, status_text(code)),
        // LinkedIn and a few others answer automated requests with this made-up status.
        999 => (
            Status::Blocked,
            "999 (the site refuses automated requests)".to_owned(),
        ),
        429 | 500..=599 => {
            let mut detail = status_text(code);
            if fetch.attempts > 1 {
                detail.push_str(&format!(" after {} attempts", fetch.attempts));
            }
            if let Some(secs) = fetch.retry_after_refused {
                detail.push_str(&format!(
                    "; asked to wait {secs} s (Retry-After), longer than allowed"
                ));
            }
            (Status::Failing, detail)
        }
        _ => (Status::Broken, status_text(code)),
    }
}

/// A 2xx answer: `moved` when a permanent redirect or an in-page move led there, else `ok`.
fn healthy(fetch: &Fetch, code: u16) -> (Status, String) {
    let redirects = fetch.chain.len().saturating_sub(1);
    let last_permanent = fetch.chain[..redirects]
        .iter()
        .rposition(|hop| hop.is_permanent());
    match last_permanent {
        Some(i) => {
            // The catalog should point where the last permanent move leads.
            let target = fetch
                .chain
                .get(i + 1)
                .map_or(fetch.final_url.as_str(), |hop| hop.url.as_str());
            let hop = &fetch.chain[i];
            let how = if hop.in_page {
                "in-page redirect".to_owned()
            } else {
                format!("permanent redirect ({})", hop.status)
            };
            (Status::Moved, format!("{how} to {target}"))
        }
        None if redirects > 0 => (
            Status::Ok,
            format!(
                "{} after temporary redirect ({})",
                status_text(code),
                fetch.chain[0].status
            ),
        ),
        None => (Status::Ok, status_text(code)),
    }
}

/// Path segments (lowercase, extension dropped) that name a sign-in page.
const SIGN_IN_SEGMENTS: [&str; 12] = [
    "login",
    "log-in",
    "log_in",
    "logon",
    "signin",
    "sign-in",
    "sign_in",
    "wp-login",
    "auth",
    "authenticate",
    "sso",
    "oauth2",
];

/// Hosts (and their subdomains) that do nothing but sign people in.
const SIGN_IN_HOSTS: [&str; 4] = [
    "accounts.google.com",
    "login.microsoftonline.com",
    "login.live.com",
    "login.gov",
];

/// Most words a page may show outside its navigation, header, footer and asides and still be
/// "a password form and little else". A sign-in page has a few labels, buttons and links
/// ("Email", "Password", "Forgot your password?", "Create an account"), well under this; a
/// resource page with a login box in its corner has its own text on top, well over it.
const SIGN_IN_MAX_WORDS: usize = 80;

/// Why the answer is a sign-in wall in front of the resource, when it is one: a redirect to a
/// sign-in address, or to a page that is a password form and little else. A catalog URL that is
/// itself a sign-in address is linked on purpose and never a wall, and a page that answers at
/// its own address is judged by its content, not here.
fn sign_in_wall(fetch: &Fetch) -> Option<String> {
    let requested = WebUrl::parse(&fetch.chain.first()?.url).ok()?;
    let landed = WebUrl::parse(&fetch.final_url).ok()?;
    if is_sign_in(&requested) || same_page(requested.as_str(), landed.as_str()) {
        return None;
    }
    if is_sign_in(&landed) {
        return Some(format!("redirected to {landed}"));
    }
    password_form(&fetch.body).then(|| format!("redirected to a password form at {landed}"))
}

/// Whether `url` is a sign-in address: a sign-in host, or a path like `/login`,
/// `/account/sign-in`, `/users/sign_in`, `/auth`, `/sso`, `/Login.aspx`.
fn is_sign_in(url: &WebUrl) -> bool {
    let host = url.host();
    if SIGN_IN_HOSTS
        .iter()
        .any(|h| host == *h || host.strip_suffix(h).is_some_and(|sub| sub.ends_with('.')))
    {
        return true;
    }
    url.as_url()
        .path_segments()
        .into_iter()
        .flatten()
        .map(|segment| {
            let segment = segment.to_ascii_lowercase();
            match segment.rsplit_once('.') {
                Some((stem, _)) if !stem.is_empty() => stem.to_owned(),
                _ => segment,
            }
        })
        .any(|segment| SIGN_IN_SEGMENTS.contains(&segment.as_str()))
}

/// Elements whose text is page chrome or no text at all, for [`password_form`].
const NOT_CONTENT: [&str; 12] = [
    "nav", "header", "footer", "aside", "script", "style", "noscript", "template", "head", "title",
    "svg", "iframe",
];

/// Whether an HTML body is essentially a password form: a password field outside the page
/// chrome, and at most [`SIGN_IN_MAX_WORDS`] words of text outside the chrome.
fn password_form(body: &[u8]) -> bool {
    // Most pages have no password field: only those are parsed.
    static PASSWORD_FIELD: LazyLock<BytesRegex> = LazyLock::new(|| {
        BytesRegex::new(r#"(?i)<input\b[^>]*\btype\s*=\s*["']?password\b"#)
            .expect("password field pattern")
    });
    if !PASSWORD_FIELD.is_match(body) {
        return false;
    }
    let doc = Html::parse_document(&String::from_utf8_lossy(body));
    let in_chrome = |node: ego_tree::NodeRef<'_, Node>| {
        node.ancestors().any(|a| {
            a.value()
                .as_element()
                .is_some_and(|e| NOT_CONTENT.contains(&e.name()))
        })
    };
    let field = Selector::parse(r#"input[type="password" i]"#).expect("built-in selector");
    if !doc.select(&field).any(|input| !in_chrome(*input)) {
        return false;
    }
    let words: usize = doc
        .root_element()
        .descendants()
        .filter(|node| !in_chrome(*node))
        .filter_map(|node| node.value().as_text().map(|t| t.to_string()))
        .map(|text| {
            text.split_whitespace()
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .count()
        })
        .sum();
    words <= SIGN_IN_MAX_WORDS
}

/// "404 Not Found", or just the number for codes without a standard reason.
fn status_text(code: u16) -> String {
    match StatusCode::from_u16(code)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        Some(reason) => format!("{code} {reason}"),
        None => code.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::fetch::{Failure, Hop};

    fn answered(chain: &[(&str, u16)]) -> Fetch {
        let (url, status) = *chain.last().expect("a final answer");
        Fetch {
            chain: chain
                .iter()
                .map(|&(url, status)| Hop::new(url, status))
                .collect(),
            final_url: url.to_owned(),
            http_status: Some(status),
            attempts: 1,
            got_http_answer: true,
            ..Fetch::default()
        }
    }

    #[test]
    fn statuses_map_to_the_contract_words() {
        let cases = [
            (200, Status::Ok, "200 OK"),
            (204, Status::Ok, "204 No Content"),
            (304, Status::Ok, "not modified"),
            (404, Status::Broken, "404 Not Found"),
            (410, Status::Broken, "410 Gone"),
            (400, Status::Broken, "400 Bad Request"),
            (405, Status::Broken, "405 Method Not Allowed"),
            (451, Status::Broken, "451 Unavailable For Legal Reasons"),
            (401, Status::Blocked, "401 Unauthorized"),
            (403, Status::Blocked, "403 Forbidden"),
            (500, Status::Failing, "500 Internal Server Error"),
            (429, Status::Failing, "429 Too Many Requests"),
            (302, Status::Broken, "302 Found without a Location"),
        ];
        for (code, status, detail) in cases {
            let got = classify(&answered(&[("https://a.test/", code)]), &[]);
            assert_eq!(got, (status, detail.to_owned()), "status {code}");
        }
    }

    #[test]
    fn accepted_status_is_ok() {
        let fetch = answered(&[("https://a.test/", 418)]);
        assert_eq!(classify(&fetch, &[418]).0, Status::Ok);
        assert_eq!(classify(&fetch, &[]).0, Status::Broken);
    }

    #[test]
    fn a_body_cut_at_the_cap_is_still_healthy_and_says_so() {
        let mut fetch = answered(&[("https://a.test/", 200)]);
        fetch.body = vec![b'x'; 10];
        fetch.truncated = true;
        assert_eq!(
            classify(&fetch, &[]),
            (
                Status::Ok,
                "200 OK; body over the size cap, read the first 10 bytes".to_owned()
            )
        );
    }

    #[test]
    fn an_answer_whose_body_stopped_short_is_healthy_but_not_compared() {
        let mut fetch = answered(&[("https://a.test/", 301), ("https://a.test/new", 200)]);
        fetch.body_incomplete = Some("body timed out after 20 s".to_owned());
        assert_eq!(
            classify(&fetch, &[]),
            (
                Status::Moved,
                "permanent redirect (301) to https://a.test/new; body timed out after 20 s, \
                 content not compared"
                    .to_owned()
            )
        );
    }

    #[test]
    fn an_immediate_in_page_move_is_permanent() {
        let mut fetch = answered(&[
            ("https://a.test/old", 302),
            ("https://a.test/old/", 200),
            ("https://b.test/new", 200),
        ]);
        fetch.chain[1].in_page = true;
        assert_eq!(
            classify(&fetch, &[]),
            (
                Status::Moved,
                "in-page redirect to https://b.test/new".to_owned()
            )
        );
    }

    #[test]
    fn permanent_redirect_is_moved_to_its_target() {
        let fetch = answered(&[
            ("http://a.test/", 301),
            ("https://a.test/", 308),
            ("https://a.test/new", 200),
        ]);
        assert_eq!(
            classify(&fetch, &[]),
            (
                Status::Moved,
                "permanent redirect (308) to https://a.test/new".to_owned()
            )
        );
    }

    #[test]
    fn temporary_redirect_is_ok() {
        let fetch = answered(&[("https://a.test/", 302), ("https://a.test/en/guide", 200)]);
        assert_eq!(
            classify(&fetch, &[]),
            (
                Status::Ok,
                "200 OK after temporary redirect (302)".to_owned()
            )
        );
    }

    #[test]
    fn challenge_is_blocked_whatever_the_status_and_names_the_vendor() {
        for code in [503, 403, 429, 202, 200] {
            let mut fetch = answered(&[("https://a.test/", code)]);
            fetch.challenge = Some("Cloudflare");
            assert_eq!(
                classify(&fetch, &[]),
                (Status::Blocked, "bot challenge (Cloudflare)".to_owned()),
                "{code}"
            );
        }
    }

    #[test]
    fn linkedin_999_is_blocked() {
        assert_eq!(
            classify(
                &answered(&[("https://www.linkedin.test/company/x", 999)]),
                &[]
            ),
            (
                Status::Blocked,
                "999 (the site refuses automated requests)".to_owned()
            )
        );
    }

    const LOGIN_FORM: &str = r#"<html><head><title>Sign in</title></head><body>
        <header><nav><a href="/">Home</a> <a href="/about">About us</a></nav></header>
        <main><h1>Sign in to your account</h1>
        <form method="post"><label>Email <input type="email" name="email"></label>
        <label>Password <input type="PASSWORD" name="pw"></label>
        <button>Sign in</button> <a href="/reset">Forgot your password?</a></form></main>
        <footer>Privacy · Terms · Contact · Accessibility · Careers</footer></body></html>"#;

    fn redirected_to(target: &str, body: &str) -> Fetch {
        let mut fetch = answered(&[("https://a.test/guide", 302), (target, 200)]);
        fetch.body = body.as_bytes().to_vec();
        fetch
    }

    #[test]
    fn a_redirect_to_a_sign_in_address_is_blocked() {
        for target in [
            "https://a.test/login?next=%2Fguide",
            "https://a.test/account/login",
            "https://a.test/users/sign_in",
            "https://a.test/Sign-In/",
            "https://a.test/auth",
            "https://a.test/sso/start",
            "https://a.test/Login.aspx?ReturnUrl=%2fguide",
            "https://accounts.google.com/v3/signin/identifier?continue=x",
            "https://login.microsoftonline.com/common/oauth2/authorize",
        ] {
            assert_eq!(
                classify(&redirected_to(target, "<p>Welcome</p>"), &[]),
                (
                    Status::Blocked,
                    format!("sign-in required: redirected to {target}")
                ),
            );
        }
        // A permanent redirect to a sign-in page is not a move to update the catalog to.
        let mut moved = answered(&[("https://a.test/guide", 301), ("https://a.test/login", 200)]);
        moved.body = b"<p>x</p>".to_vec();
        assert_eq!(classify(&moved, &[]).0, Status::Blocked);
    }

    #[test]
    fn a_redirect_to_a_password_form_is_blocked() {
        assert_eq!(
            classify(&redirected_to("https://a.test/portal?from=guide", LOGIN_FORM), &[]),
            (
                Status::Blocked,
                "sign-in required: redirected to a password form at https://a.test/portal?from=guide"
                    .to_owned()
            )
        );
    }

    #[test]
    fn sign_in_pages_linked_on_purpose_and_lookalikes_stay_ok() {
        // The catalog links the sign-in page itself, which adds a session to its address.
        let mut own = answered(&[
            ("https://a.test/login", 302),
            ("https://a.test/login?session=1", 200),
        ]);
        own.body = LOGIN_FORM.as_bytes().to_vec();
        assert_eq!(classify(&own, &[]).0, Status::Ok);
        // A page that answers at its own address is judged by its content, not here.
        let mut in_place = answered(&[("https://a.test/portal", 200)]);
        in_place.body = LOGIN_FORM.as_bytes().to_vec();
        assert_eq!(classify(&in_place, &[]).0, Status::Ok);
        // Paths that only contain the words are not sign-in pages.
        for target in [
            "https://a.test/help/login-problems",
            "https://a.test/authors/smith",
            "https://a.test/blog/signing-in-safely",
        ] {
            assert_eq!(
                classify(&redirected_to(target, "<p>x</p>"), &[]).0,
                Status::Ok,
                "{target}"
            );
        }
        // A resource page with a login box in its header, or with plenty of its own text.
        let header_box = format!(
            "<header><form><input type=password></form></header><main><p>{}</p></main>",
            "Short guide. ".repeat(5)
        );
        let long_page = format!(
            "<main><p>{}</p><form><input type=password></form></main>",
            "Talk to your children about online safety. ".repeat(15)
        );
        for body in [header_box, long_page] {
            assert_eq!(
                classify(&redirected_to("https://a.test/new-guide", &body), &[]).0,
                Status::Ok,
                "{body}"
            );
        }
    }

    #[test]
    fn failures_split_into_broken_and_failing() {
        let cases = [
            (FailureKind::Dns, Status::Broken),
            (FailureKind::PrivateAddress, Status::Broken),
            (FailureKind::DnsUnavailable, Status::Failing),
            (FailureKind::Tls, Status::Broken),
            (FailureKind::RedirectLoop, Status::Broken),
            (FailureKind::BadRedirect, Status::Broken),
            (FailureKind::Connect, Status::Failing),
            (FailureKind::Reset, Status::Failing),
            (FailureKind::Timeout, Status::Failing),
            (FailureKind::Protocol, Status::Failing),
        ];
        for (kind, status) in cases {
            let fetch = Fetch {
                failure: Some(Failure {
                    kind,
                    message: "why".to_owned(),
                }),
                ..Fetch::default()
            };
            assert_eq!(
                classify(&fetch, &[]),
                (status, "why".to_owned()),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn retries_and_refused_waits_are_explained() {
        let mut fetch = answered(&[("https://a.test/", 503)]);
        fetch.attempts = 3;
        assert_eq!(
            classify(&fetch, &[]).1,
            "503 Service Unavailable after 3 attempts"
        );
        fetch.attempts = 1;
        fetch.http_status = Some(429);
        fetch.retry_after_refused = Some(3600);
        assert_eq!(
            classify(&fetch, &[]).1,
            "429 Too Many Requests; asked to wait 3600 s (Retry-After), longer than allowed"
        );
    }
}
