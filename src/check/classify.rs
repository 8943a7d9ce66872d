//! Network-level health: turns the evidence of a [`Fetch`] into `ok`, `moved`, `broken`,
//! `failing` or `blocked`, with a short human detail.

use crate::check::fetch::{FailureKind, Fetch};
use crate::status::Status;
use reqwest::StatusCode;

/// Network-level health from the evidence: ok / moved / broken / failing / blocked, with a short
/// human `detail` ("404 Not Found", "permanent redirect (301) to https://…", "connection refused",
/// "timed out after 20 s", "redirect loop after 3 hops", "redirect to non-http(s) URL ftp://…",
/// "bot challenge (cf-mitigated: challenge)", "403 Forbidden",
/// "503 Service Unavailable after 3 attempts"). `accept` lists statuses the catalog declares
/// healthy for this link.
pub fn classify(fetch: &Fetch, accept: &[u16]) -> (Status, String) {
    if let Some(failure) = &fetch.failure {
        let status = match failure.kind {
            FailureKind::Dns
            | FailureKind::Tls
            | FailureKind::RedirectLoop
            | FailureKind::BadRedirect => Status::Broken,
            FailureKind::Connect
            | FailureKind::Reset
            | FailureKind::Timeout
            | FailureKind::Protocol => Status::Failing,
        };
        return (status, failure.message.clone());
    }
    let Some(code) = fetch.http_status else {
        return (Status::Failing, "no answer".to_owned());
    };
    if fetch.challenge {
        return (
            Status::Blocked,
            "bot challenge (cf-mitigated: challenge)".to_owned(),
        );
    }
    if accept.contains(&code) {
        return (Status::Ok, format!("{} (accepted)", status_text(code)));
    }
    match code {
        304 => (Status::Ok, "not modified".to_owned()),
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

/// A 2xx answer: `moved` when a permanent redirect led there, else `ok`.
fn healthy(fetch: &Fetch, code: u16) -> (Status, String) {
    let redirects = fetch.chain.len().saturating_sub(1);
    let last_permanent = fetch.chain[..redirects]
        .iter()
        .rposition(|hop| matches!(hop.status, 301 | 308));
    match last_permanent {
        Some(i) => {
            // The catalog should point where the last permanent redirect leads.
            let target = fetch
                .chain
                .get(i + 1)
                .map_or(fetch.final_url.as_str(), |hop| hop.url.as_str());
            let hop_status = fetch.chain[i].status;
            (
                Status::Moved,
                format!("permanent redirect ({hop_status}) to {target}"),
            )
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
                .map(|&(url, status)| Hop {
                    url: url.to_owned(),
                    status,
                })
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
        let fetch = answered(&[("https://a.test/", 302), ("https://a.test/login", 200)]);
        assert_eq!(
            classify(&fetch, &[]),
            (
                Status::Ok,
                "200 OK after temporary redirect (302)".to_owned()
            )
        );
    }

    #[test]
    fn challenge_is_blocked_whatever_the_status() {
        let mut fetch = answered(&[("https://a.test/", 503)]);
        fetch.challenge = true;
        assert_eq!(
            classify(&fetch, &[]),
            (
                Status::Blocked,
                "bot challenge (cf-mitigated: challenge)".to_owned()
            )
        );
    }

    #[test]
    fn failures_split_into_broken_and_failing() {
        let cases = [
            (FailureKind::Dns, Status::Broken),
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
