//! The check engine against real servers on 127.0.0.1: statuses, redirects, in-page moves and
//! cookies, retries, caps, network failures, private addresses, politeness limits and
//! cancellation.

use crate::support::{Reply, TestServer};
use linkwatch::check::{
    Cancel, CheckConfig, Engine, FailureKind, Fetch, HostAnswer, PrivateAddresses, Request,
    RunStats, classify,
};
use linkwatch::status::Status;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn config() -> CheckConfig {
    CheckConfig {
        concurrency: 16,
        per_host: 4,
        timeout: Duration::from_secs(1),
        retries: 2,
        backoff_base: Duration::from_millis(5),
        ..CheckConfig::default()
    }
}

/// Runs the engine; every finished link's fetch lands at its request's index.
async fn run(config: CheckConfig, requests: Vec<Request>) -> (Vec<Option<Fetch>>, RunStats) {
    let engine = Engine::new(config).expect("client builds");
    let mut done = vec![None; requests.len()];
    let cancel = Cancel::default();
    let run = engine.run(requests, &cancel, |i, fetch| done[i] = Some(fetch));
    let stats = tokio::time::timeout(Duration::from_secs(30), run)
        .await
        .expect("the run finishes");
    (done, stats)
}

async fn fetch_with(config: CheckConfig, url: &str) -> Fetch {
    let (mut done, _) = run(config, vec![Request::new(url)]).await;
    done.remove(0).expect("the link finished")
}

async fn fetch(url: &str) -> Fetch {
    fetch_with(config(), url).await
}

fn verdict(fetch: &Fetch) -> (Status, String) {
    classify(fetch, &[])
}

fn failure_kind(fetch: &Fetch) -> Option<FailureKind> {
    fetch.failure.as_ref().map(|f| f.kind)
}

fn statuses(fetch: &Fetch) -> Vec<u16> {
    fetch.chain.iter().map(|h| h.status).collect()
}

#[tokio::test]
async fn page_answering_200_is_ok_with_its_body() {
    let server = TestServer::start().await;
    server.route("/", Reply::html("<h1>hi</h1>").header("ETag", "\"v1\""));
    let fetch = fetch(&server.url("/")).await;
    assert_eq!(verdict(&fetch), (Status::Ok, "200 OK".to_owned()));
    assert_eq!(fetch.body, b"<h1>hi</h1>");
    assert_eq!(
        fetch.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(fetch.etag.as_deref(), Some("\"v1\""));
    assert_eq!((fetch.attempts, fetch.got_http_answer), (1, true));
    let seen = server.requests();
    assert_eq!(seen[0].header("accept-encoding"), Some("gzip, deflate, br"));
    assert!(
        seen[0]
            .header("user-agent")
            .unwrap_or_default()
            .starts_with("linkwatch/")
    );
}

#[tokio::test]
async fn not_found_and_gone_are_broken_without_retry() {
    let server = TestServer::start().await;
    server.route("/gone", Reply::status(410));
    let missing = fetch(&server.url("/missing")).await;
    assert_eq!(
        verdict(&missing),
        (Status::Broken, "404 Not Found".to_owned())
    );
    let gone = fetch(&server.url("/gone")).await;
    assert_eq!(verdict(&gone), (Status::Broken, "410 Gone".to_owned()));
    assert_eq!((missing.attempts, gone.attempts), (1, 1));
    assert_eq!(server.hits("/gone"), 1);
}

#[tokio::test]
async fn permanent_redirect_chain_is_moved_and_recorded() {
    let server = TestServer::start().await;
    server.route("/old", Reply::redirect(301, "/mid"));
    server.route("/mid", Reply::redirect(308, &server.url("/new")));
    server.route("/new", Reply::html("new home"));
    let fetch = fetch(&server.url("/old")).await;
    assert_eq!(statuses(&fetch), [301, 308, 200]);
    assert_eq!(fetch.chain[1].url, server.url("/mid"));
    assert_eq!(fetch.final_url, server.url("/new"));
    assert_eq!(
        verdict(&fetch),
        (
            Status::Moved,
            format!("permanent redirect (308) to {}", server.url("/new"))
        )
    );
}

#[tokio::test]
async fn temporary_redirect_is_ok_not_moved() {
    let server = TestServer::start().await;
    server.route("/", Reply::redirect(302, "landing"));
    server.route("/landing", Reply::html("welcome"));
    let fetch = fetch(&server.url("/")).await;
    assert_eq!(statuses(&fetch), [302, 200]);
    assert_eq!(verdict(&fetch).0, Status::Ok);
}

#[tokio::test]
async fn redirect_loop_is_broken() {
    let server = TestServer::start().await;
    server.route("/a", Reply::redirect(302, "/b"));
    server.route("/b", Reply::redirect(302, "/a"));
    let fetch = fetch(&server.url("/a")).await;
    assert_eq!(failure_kind(&fetch), Some(FailureKind::RedirectLoop));
    assert_eq!(
        verdict(&fetch),
        (Status::Broken, "redirect loop after 2 hops".to_owned())
    );
    assert_eq!(fetch.attempts, 1);
}

#[tokio::test]
async fn ten_redirects_are_followed_but_eleven_are_too_many() {
    let server = TestServer::start().await;
    for i in 0..11 {
        server.route(
            &format!("/r{i}"),
            Reply::redirect(307, &format!("/r{}", i + 1)),
        );
    }
    server.route("/r11", Reply::html("end"));
    let ten = fetch(&server.url("/r1")).await;
    assert_eq!((verdict(&ten).0, ten.chain.len()), (Status::Ok, 11));
    let eleven = fetch(&server.url("/r0")).await;
    assert_eq!(failure_kind(&eleven), Some(FailureKind::RedirectLoop));
    assert_eq!(verdict(&eleven).0, Status::Broken);
}

#[tokio::test]
async fn server_rejecting_head_is_ok_because_only_get_is_sent() {
    let server = TestServer::start().await;
    server.route("/", Reply::html("fine").rejecting_head());
    let fetch = fetch(&server.url("/")).await;
    assert_eq!(verdict(&fetch).0, Status::Ok);
    let methods: Vec<String> = server.requests().into_iter().map(|s| s.method).collect();
    assert_eq!(methods, ["GET"]);
}

#[tokio::test]
async fn server_error_then_success_is_ok_after_a_retry() {
    let server = TestServer::start().await;
    server.route(
        "/",
        Reply::sequence([Reply::status(503), Reply::html("back")]),
    );
    let fetch = fetch(&server.url("/")).await;
    assert_eq!((verdict(&fetch).0, fetch.attempts), (Status::Ok, 2));
    assert_eq!(fetch.body, b"back");
}

#[tokio::test]
async fn persistent_server_error_is_failing_after_all_retries() {
    let server = TestServer::start().await;
    server.route("/", Reply::status(500));
    let fetch = fetch(&server.url("/")).await;
    assert_eq!(fetch.attempts, 3);
    assert_eq!(server.hits("/"), 3);
    assert_eq!(
        verdict(&fetch),
        (
            Status::Failing,
            "500 Internal Server Error after 3 attempts".to_owned()
        )
    );
}

#[tokio::test]
async fn retry_after_in_seconds_is_honoured() {
    let server = TestServer::start().await;
    server.route(
        "/",
        Reply::sequence([
            Reply::status(429).header("Retry-After", "1"),
            Reply::html("ok now"),
        ]),
    );
    let fetch = fetch(&server.url("/")).await;
    assert_eq!((verdict(&fetch).0, fetch.attempts), (Status::Ok, 2));
    let seen = server.requests();
    let gap = seen[1].at.duration_since(seen[0].at).expect("ordered");
    assert!(gap >= Duration::from_millis(950), "retried after {gap:?}");
}

#[tokio::test]
async fn retry_after_as_http_date_is_honoured() {
    let server = TestServer::start().await;
    let not_before = SystemTime::now() + Duration::from_secs(2);
    let date = httpdate::fmt_http_date(not_before);
    server.route(
        "/",
        Reply::sequence([
            Reply::status(503).header("Retry-After", &date),
            Reply::html("ok now"),
        ]),
    );
    let fetch = fetch(&server.url("/")).await;
    assert_eq!((verdict(&fetch).0, fetch.attempts), (Status::Ok, 2));
    let retried_at = server.requests()[1].at;
    let date = httpdate::parse_http_date(&date).expect("valid date");
    assert!(retried_at >= date, "retried before the Retry-After date");
}

#[tokio::test]
async fn retry_after_beyond_the_cap_is_not_waited_for() {
    let server = TestServer::start().await;
    server.route("/", Reply::status(429).header("Retry-After", "3600"));
    let started = Instant::now();
    let fetch = fetch(&server.url("/")).await;
    assert!(started.elapsed() < Duration::from_secs(10), "no long wait");
    assert_eq!((fetch.attempts, fetch.retry_after_refused), (1, Some(3600)));
    assert_eq!(
        verdict(&fetch),
        (
            Status::Failing,
            "429 Too Many Requests; asked to wait 3600 s (Retry-After), longer than allowed"
                .to_owned()
        )
    );
}

#[tokio::test]
async fn unauthorized_and_forbidden_are_blocked() {
    let server = TestServer::start().await;
    server.route("/private", Reply::status(401));
    server.route("/forbidden", Reply::status(403));
    let private = fetch(&server.url("/private")).await;
    assert_eq!(
        verdict(&private),
        (Status::Blocked, "401 Unauthorized".to_owned())
    );
    let forbidden = fetch(&server.url("/forbidden")).await;
    assert_eq!(
        verdict(&forbidden),
        (Status::Blocked, "403 Forbidden".to_owned())
    );
}

#[tokio::test]
async fn bot_challenge_is_blocked() {
    let server = TestServer::start().await;
    server.route("/", Reply::status(403).header("cf-mitigated", "challenge"));
    let fetch = fetch(&server.url("/")).await;
    assert_eq!(fetch.challenge, Some("Cloudflare"));
    assert_eq!(
        verdict(&fetch),
        (Status::Blocked, "bot challenge (Cloudflare)".to_owned())
    );
}

#[tokio::test]
async fn answer_slower_than_the_timeout_is_failing() {
    let server = TestServer::start().await;
    server.route("/", Reply::html("late").after(Duration::from_secs(5)));
    let config = CheckConfig {
        timeout: Duration::from_millis(300),
        retries: 0,
        ..config()
    };
    let fetch = fetch_with(config, &server.url("/")).await;
    assert_eq!(failure_kind(&fetch), Some(FailureKind::Timeout));
    assert_eq!(
        verdict(&fetch),
        (Status::Failing, "timed out after 300 ms".to_owned())
    );
}

#[tokio::test]
async fn endless_body_is_cut_at_the_cap() {
    let server = TestServer::start().await;
    server.route("/", Reply::Endless);
    let config = CheckConfig {
        max_body_bytes: 256 * 1024,
        timeout: Duration::from_secs(5),
        ..config()
    };
    let fetch = fetch_with(config, &server.url("/")).await;
    assert_eq!(verdict(&fetch).0, Status::Ok);
    assert!(fetch.truncated);
    assert_eq!(fetch.body.len(), 256 * 1024);
    assert_eq!(fetch.wire_bytes, 256 * 1024);
}

#[tokio::test]
async fn a_body_slower_than_the_timeout_leaves_the_answer_ok_without_comparing_content() {
    let server = TestServer::start().await;
    server.route(
        "/",
        Reply::Drip {
            body: vec![b'x'; 1000],
            every: Duration::from_millis(20),
        },
    );
    let config = CheckConfig {
        timeout: Duration::from_millis(500),
        retries: 0,
        ..config()
    };
    let fetch = fetch_with(config, &server.url("/")).await;
    assert_eq!(failure_kind(&fetch), None);
    assert_eq!(fetch.http_status, Some(200));
    assert_eq!(
        fetch.body_incomplete.as_deref(),
        Some("body timed out after 500 ms")
    );
    assert_eq!(
        verdict(&fetch),
        (
            Status::Ok,
            "200 OK; body timed out after 500 ms, content not compared".to_owned()
        )
    );
}

#[tokio::test]
async fn gzip_bomb_is_cut_at_the_cap() {
    let server = TestServer::start().await;
    server.route("/", Reply::gzip_bomb(64 * 1024 * 1024));
    let config = CheckConfig {
        max_body_bytes: 1024 * 1024,
        ..config()
    };
    let fetch = fetch_with(config, &server.url("/")).await;
    assert_eq!(verdict(&fetch).0, Status::Ok);
    assert!(fetch.truncated);
    assert_eq!(fetch.body.len(), 1024 * 1024);
    assert!(
        fetch.wire_bytes < 1024 * 1024,
        "compressed bytes read: {}",
        fetch.wire_bytes
    );
}

#[tokio::test]
async fn gzip_and_brotli_bodies_are_decoded() {
    let server = TestServer::start().await;
    let page = "<p>compressed page</p>".repeat(50);
    server.route("/gz", Reply::gzip(&page));
    server.route("/br", Reply::brotli(&page));
    for path in ["/gz", "/br"] {
        let fetch = fetch(&server.url(path)).await;
        assert_eq!(String::from_utf8_lossy(&fetch.body), page, "{path}");
        assert!(!fetch.truncated);
        assert!(
            fetch.wire_bytes < page.len() as u64,
            "{path} came compressed"
        );
    }
}

#[tokio::test]
async fn undecodable_gzip_keeps_what_decoded() {
    let server = TestServer::start().await;
    server.route(
        "/",
        Reply::html("not gzip at all").header("Content-Encoding", "gzip"),
    );
    let fetch = fetch(&server.url("/")).await;
    assert_eq!(verdict(&fetch).0, Status::Ok);
    assert!(fetch.body.is_empty());
}

#[tokio::test]
async fn connection_reset_is_failing() {
    let server = TestServer::start().await;
    server.route("/", Reply::Reset);
    let fetch = fetch(&server.url("/")).await;
    assert_eq!(failure_kind(&fetch), Some(FailureKind::Reset));
    assert_eq!(verdict(&fetch).0, Status::Failing);
    assert_eq!(fetch.attempts, 3);
}

#[tokio::test]
async fn connection_refused_is_failing_without_an_http_answer() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let fetch = fetch(&format!("http://127.0.0.1:{port}/")).await;
    assert_eq!(failure_kind(&fetch), Some(FailureKind::Connect));
    assert_eq!(
        verdict(&fetch),
        (Status::Failing, "connection refused".to_owned())
    );
    assert!(!fetch.got_http_answer);
    assert_eq!(fetch.attempts, 3);
}

#[tokio::test]
async fn unknown_host_is_broken() {
    let fetch = fetch("http://no-such-host.invalid/").await;
    assert_eq!(failure_kind(&fetch), Some(FailureKind::Dns));
    assert_eq!(verdict(&fetch).0, Status::Broken);
    assert!(!fetch.got_http_answer);
    assert_eq!(fetch.attempts, 1);
}

#[tokio::test]
async fn untrusted_certificate_is_broken() {
    let server = TestServer::start_tls().await;
    server.route("/", Reply::html("secret"));
    let fetch = fetch(&server.url("/")).await;
    assert_eq!(failure_kind(&fetch), Some(FailureKind::Tls), "{fetch:?}");
    assert_eq!(verdict(&fetch).0, Status::Broken);
    assert_eq!(server.hits("/"), 0);
}

#[tokio::test]
async fn non_utf8_page_keeps_its_bytes() {
    let server = TestServer::start().await;
    let bytes = b"<p>caf\xe9 \xff\xfe</p>";
    server.route("/", Reply::bytes("text/html; charset=iso-8859-1", bytes));
    let fetch = fetch(&server.url("/")).await;
    assert_eq!(verdict(&fetch).0, Status::Ok);
    assert_eq!(fetch.body, bytes);
}

#[tokio::test]
async fn redirect_to_file_or_ftp_is_broken() {
    let server = TestServer::start().await;
    server.route("/file", Reply::redirect(302, "file:///etc/passwd"));
    server.route("/ftp", Reply::redirect(301, "ftp://example.org/pub"));
    let file = fetch(&server.url("/file")).await;
    assert_eq!(failure_kind(&file), Some(FailureKind::BadRedirect));
    assert_eq!(
        verdict(&file),
        (
            Status::Broken,
            "redirect to non-http(s) URL file:///etc/passwd".to_owned()
        )
    );
    let ftp = fetch(&server.url("/ftp")).await;
    assert_eq!(verdict(&ftp).0, Status::Broken);
    assert_eq!(statuses(&ftp), [301]);
}

#[tokio::test]
async fn per_host_limit_holds() {
    let server = TestServer::start().await;
    let requests = (0..20)
        .map(|i| {
            let path = format!("/page{i}");
            server.route(&path, Reply::html("ok").after(Duration::from_millis(50)));
            Request::new(server.url(&path))
        })
        .collect();
    let config = CheckConfig {
        per_host: 3,
        ..config()
    };
    let (done, stats) = run(config, requests).await;
    assert!(
        done.iter()
            .all(|f| f.as_ref().is_some_and(|f| f.http_status == Some(200)))
    );
    assert!(
        server.max_concurrent() <= 3,
        "saw {}",
        server.max_concurrent()
    );
    assert_eq!(stats.requests_sent, 20);
}

#[tokio::test]
async fn overall_concurrency_holds_across_hosts() {
    let servers = TestServer::start_many(2).await;
    servers[0].route("/slow", Reply::html("ok").after(Duration::from_millis(50)));
    let requests: Vec<Request> = (0..20)
        .map(|i| Request::new(servers[i % 2].url("/slow")))
        .collect();
    let config = CheckConfig {
        concurrency: 5,
        per_host: 4,
        ..config()
    };
    let (done, stats) = run(config, requests).await;
    assert!(done.iter().all(Option::is_some));
    assert!(
        servers[0].max_concurrent() <= 5,
        "saw {}",
        servers[0].max_concurrent()
    );
    assert!(stats.max_in_flight <= 5);
    assert_eq!(servers[0].hits("/slow"), 20);
}

#[tokio::test]
async fn not_modified_answer_to_a_conditional_request_is_ok() {
    let server = TestServer::start().await;
    server.route("/", Reply::status(304).with_body(Vec::new()));
    let request = Request {
        url: server.url("/"),
        etag: Some("\"v1\"".to_owned()),
        last_modified: Some("Wed, 21 Oct 2026 07:28:00 GMT".to_owned()),
    };
    let (mut done, _) = run(config(), vec![request]).await;
    let fetch = done.remove(0).expect("finished");
    assert_eq!(verdict(&fetch), (Status::Ok, "not modified".to_owned()));
    let seen = &server.requests()[0];
    assert_eq!(seen.header("if-none-match"), Some("\"v1\""));
    assert_eq!(
        seen.header("if-modified-since"),
        Some("Wed, 21 Oct 2026 07:28:00 GMT")
    );
}

#[tokio::test]
async fn cancellation_stops_promptly() {
    let server = TestServer::start().await;
    server.route("/", Reply::html("late").after(Duration::from_secs(20)));
    let engine = Engine::new(CheckConfig {
        timeout: Duration::from_secs(30),
        ..config()
    })
    .expect("client builds");
    let cancel = Cancel::default();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        trigger.cancel();
    });
    let requests = (0..10).map(|_| Request::new(server.url("/"))).collect();
    let mut finished = 0;
    let started = Instant::now();
    let run = engine.run(requests, &cancel, |_, _| finished += 1);
    tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .expect("cancel ends the run");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(finished, 0);
    assert!(cancel.is_cancelled());
}

#[tokio::test]
async fn retry_after_pauses_only_its_host_and_frees_the_slot() {
    let paused = TestServer::start().await;
    let other = TestServer::start().await;
    paused.route(
        "/a0",
        Reply::sequence([
            Reply::status(429).header("Retry-After", "2"),
            Reply::html("a0"),
        ]),
    );
    let mut requests = vec![Request::new(paused.url("/a0"))];
    for i in 1..6 {
        paused.route(&format!("/a{i}"), Reply::html("a"));
        requests.push(Request::new(paused.url(&format!("/a{i}"))));
    }
    for i in 0..3 {
        other.route(&format!("/b{i}"), Reply::html("b"));
        requests.push(Request::new(other.url(&format!("/b{i}"))));
    }
    // One slot overall: the other host can only be served if the waiting link gives it up.
    let config = CheckConfig {
        concurrency: 1,
        per_host: 1,
        ..config()
    };
    let (done, stats) = run(config, requests).await;
    assert!(
        done.iter()
            .all(|f| f.as_ref().is_some_and(|f| f.http_status == Some(200)))
    );
    assert_eq!(stats.responses_429, 1);
    let a = paused.requests();
    let b = other.requests();
    assert_eq!((a[0].path.as_str(), a[1].path.as_str()), ("/a0", "/a0"));
    let resumed = a[1].at.duration_since(a[0].at).expect("ordered");
    assert!(
        resumed >= Duration::from_millis(1900),
        "host resumed after {resumed:?}"
    );
    assert!(
        b.iter().all(|seen| seen.at > a[0].at && seen.at < a[1].at),
        "the other host was served while this one waited"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_reads_wait_for_the_budget_without_timing_out_and_larger_bodies_still_arrive() {
    let server = TestServer::start().await;
    let body = vec![b'x'; 200 * 1024];
    let requests: Vec<Request> = (0..4)
        .map(|i| {
            server.route(&format!("/{i}"), Reply::bytes("text/plain", &body));
            Request::new(server.url(&format!("/{i}")))
        })
        .collect();
    // Each body is three times the whole budget; the first one done is held (as a slow judge
    // would hold it) for longer than the timeout, so the others must wait for budget.
    let engine = Engine::new(CheckConfig {
        body_budget: 64 * 1024,
        // Long enough that a loaded machine still reads each body well within it.
        timeout: Duration::from_secs(3),
        retries: 0,
        ..config()
    })
    .expect("client builds");
    let cancel = Cancel::default();
    let mut checks = engine.start(requests, &cancel);
    let first = checks.next().await.expect("one link finishes");
    assert_eq!(first.fetch.failure, None, "the first body was read whole");
    tokio::time::sleep(Duration::from_millis(3500)).await;
    drop(first);
    let mut rest = Vec::new();
    while let Some(finished) = tokio::time::timeout(Duration::from_secs(10), checks.next())
        .await
        .expect("the others finish once the budget frees")
    {
        rest.push(finished.fetch);
    }
    checks.finish().await;
    assert_eq!(rest.len(), 3);
    for fetch in &rest {
        assert_eq!(fetch.failure, None, "waiting for budget is not a timeout");
        assert_eq!(fetch.body_incomplete, None, "nor is it a slow body");
        assert_eq!(
            (fetch.http_status, fetch.body.len()),
            (Some(200), body.len())
        );
    }
    // One body may hold the whole budget and another the overdraft, both read at once when
    // their first chunks are large; the other two must wait for the held ones.
    let waited = rest.iter().filter(|f| f.elapsed_ms >= 3400).count();
    assert!(
        waited >= 2,
        "two bodies waited for the held ones: {:?} ms",
        rest.iter().map(|f| f.elapsed_ms).collect::<Vec<_>>()
    );
}

/// A configuration whose resolver answers `answers` itself: names given addresses count as
/// public, so a test can serve a "public" host from loopback.
fn with_hosts(answers: &[(&str, HostAnswer)]) -> CheckConfig {
    CheckConfig {
        hosts: answers
            .iter()
            .map(|(name, answer)| ((*name).to_owned(), answer.clone()))
            .collect::<BTreeMap<_, _>>(),
        ..config()
    }
}

fn loopback() -> HostAnswer {
    HostAnswer::Public(vec![IpAddr::V4(Ipv4Addr::LOCALHOST)])
}

/// `server`'s URL for `path` under the host name `name` (which the test's resolver answers).
fn named(server: &TestServer, name: &str, path: &str) -> String {
    format!("http://{name}:{}{path}", server.addr().port())
}

#[tokio::test]
async fn a_redirect_from_a_public_name_to_loopback_is_refused_before_any_request() {
    let server = TestServer::start().await;
    server.route("/", Reply::redirect(302, &server.url("/inside")));
    server.route("/inside", Reply::html("<p>internal admin</p>"));
    let fetch = fetch_with(
        with_hosts(&[("public.test", loopback())]),
        &named(&server, "public.test", "/"),
    )
    .await;
    assert_eq!(failure_kind(&fetch), Some(FailureKind::PrivateAddress));
    assert_eq!(
        verdict(&fetch),
        (Status::Broken, "redirects to a private address".to_owned())
    );
    assert_eq!(statuses(&fetch), [302]);
    assert!(fetch.body.is_empty());
    assert_eq!(server.hits("/inside"), 0);
    assert_eq!(fetch.attempts, 1);
}

#[tokio::test]
async fn a_redirect_to_a_name_resolving_inside_or_to_cloud_metadata_is_refused() {
    let server = TestServer::start().await;
    // `localhost` goes through the system resolver: the address it resolves to decides.
    server.route(
        "/rebind",
        Reply::redirect(302, &named(&server, "localhost", "/inside")),
    );
    server.route(
        "/metadata",
        Reply::redirect(301, "http://169.254.169.254/latest/meta-data/"),
    );
    server.route(
        "/mapped",
        Reply::redirect(
            307,
            &format!("http://[::ffff:127.0.0.1]:{}/inside", server.addr().port()),
        ),
    );
    for path in ["/rebind", "/metadata", "/mapped"] {
        let fetch = fetch_with(
            with_hosts(&[("public.test", loopback())]),
            &named(&server, "public.test", path),
        )
        .await;
        assert_eq!(
            verdict(&fetch),
            (Status::Broken, "redirects to a private address".to_owned()),
            "{path}: {fetch:?}"
        );
    }
    assert_eq!(server.hits("/inside"), 0);
}

#[tokio::test]
async fn an_in_page_move_from_a_public_name_to_loopback_is_refused() {
    let server = TestServer::start().await;
    server.route(
        "/",
        Reply::html(&format!(
            r#"<meta http-equiv="refresh" content="0; url={}">"#,
            server.url("/inside")
        )),
    );
    let fetch = fetch_with(
        with_hosts(&[("public.test", loopback())]),
        &named(&server, "public.test", "/"),
    )
    .await;
    assert_eq!(
        verdict(&fetch),
        (Status::Broken, "redirects to a private address".to_owned())
    );
    assert_eq!(server.hits("/inside"), 0);
}

#[tokio::test]
async fn a_catalog_url_inside_may_redirect_inside() {
    let server = TestServer::start().await;
    server.route(
        "/",
        Reply::redirect(301, &named(&server, "localhost", "/intranet")),
    );
    server.route("/intranet", Reply::html("<p>staff wiki</p>"));
    let fetch = fetch(&server.url("/")).await;
    assert_eq!(statuses(&fetch), [301, 200]);
    assert_eq!(verdict(&fetch).0, Status::Moved);
}

#[tokio::test]
async fn pull_request_checks_refuse_even_the_first_private_address_unless_allowed() {
    let server = TestServer::start().await;
    server.route("/", Reply::html("<p>local</p>"));
    server.route("/hop", Reply::redirect(302, &server.url("/")));
    let refused = CheckConfig {
        private_addresses: PrivateAddresses::Refused,
        ..with_hosts(&[("public.test", loopback())])
    };
    for url in [server.url("/"), named(&server, "localhost", "/")] {
        let fetch = fetch_with(refused.clone(), &url).await;
        assert_eq!(
            verdict(&fetch),
            (
                Status::Broken,
                "points to a private address, which pull-request checks do not fetch".to_owned()
            ),
            "{url}"
        );
    }
    assert_eq!(server.hits("/"), 0);
    let hop = fetch_with(refused, &named(&server, "public.test", "/hop")).await;
    assert_eq!(
        verdict(&hop),
        (Status::Broken, "redirects to a private address".to_owned())
    );
    assert_eq!(server.hits("/"), 0);

    let allowed = CheckConfig {
        private_addresses: PrivateAddresses::Allowed,
        ..with_hosts(&[("public.test", loopback())])
    };
    let fetch = fetch_with(allowed, &named(&server, "public.test", "/hop")).await;
    assert_eq!(statuses(&fetch), [302, 200]);
    assert_eq!(verdict(&fetch).0, Status::Ok);
}

#[tokio::test]
async fn no_such_name_is_broken_but_a_resolver_without_answer_is_failing() {
    let config = with_hosts(&[
        ("gone.test", HostAnswer::NoSuchName),
        ("flaky.test", HostAnswer::Unavailable),
    ]);
    let gone = fetch_with(config.clone(), "http://gone.test/").await;
    assert_eq!(failure_kind(&gone), Some(FailureKind::Dns));
    assert_eq!(
        verdict(&gone),
        (Status::Broken, "host name does not resolve".to_owned())
    );
    assert_eq!(gone.attempts, 1);
    let flaky = fetch_with(config, "http://flaky.test/").await;
    assert_eq!(failure_kind(&flaky), Some(FailureKind::DnsUnavailable));
    assert_eq!(
        verdict(&flaky),
        (
            Status::Failing,
            "the resolver gave no answer (no answer)".to_owned()
        )
    );
    assert_eq!(flaky.attempts, 3, "a resolver without answer is retried");
}

#[tokio::test]
async fn a_redirect_back_to_the_same_url_with_a_new_cookie_is_followed_not_a_loop() {
    let server = TestServer::start().await;
    server.route(
        "/gate",
        Reply::sequence([
            Reply::redirect(302, "/gate").header("Set-Cookie", "session=abc; Path=/"),
            Reply::html("<p>welcome back</p>"),
        ]),
    );
    let fetch = fetch(&server.url("/gate")).await;
    assert_eq!(failure_kind(&fetch), None, "{fetch:?}");
    assert_eq!(statuses(&fetch), [302, 200]);
    assert_eq!(fetch.body, b"<p>welcome back</p>");
    let seen = server.requests();
    assert_eq!(seen[0].header("cookie"), None);
    assert_eq!(seen[1].header("cookie"), Some("session=abc"));
}

#[tokio::test]
async fn an_immediate_meta_refresh_is_followed_as_a_permanent_in_page_move() {
    let server = TestServer::start().await;
    server.route(
        "/old",
        Reply::html(
            r#"<html><head><title>Moved</title><meta http-equiv="refresh" content="0; url=/new"></head><body>This page has moved.</body></html>"#,
        ),
    );
    server.route("/new", Reply::html("<title>Guide</title><p>the guide</p>"));
    let fetch = fetch(&server.url("/old")).await;
    assert_eq!(statuses(&fetch), [200, 200]);
    assert!(fetch.chain[0].in_page && !fetch.chain[1].in_page);
    assert_eq!(fetch.final_url, server.url("/new"));
    assert_eq!(fetch.body, b"<title>Guide</title><p>the guide</p>");
    assert_eq!(
        verdict(&fetch),
        (
            Status::Moved,
            format!("in-page redirect to {}", server.url("/new"))
        )
    );
}

#[tokio::test]
async fn a_tiny_page_whose_script_sets_location_is_followed_but_a_delayed_refresh_is_not() {
    let server = TestServer::start().await;
    server.route(
        "/js",
        Reply::html(
            r#"<html><head><script>window.location.replace("/new");</script></head><body>Redirecting...</body></html>"#,
        ),
    );
    server.route(
        "/later",
        Reply::html(r#"<meta http-equiv="refresh" content="5; url=/new"><p>We moved.</p>"#),
    );
    server.route("/new", Reply::html("<p>the guide</p>"));
    let js = fetch(&server.url("/js")).await;
    assert_eq!(statuses(&js), [200, 200]);
    assert_eq!(verdict(&js).0, Status::Moved);
    let later = fetch(&server.url("/later")).await;
    assert_eq!(statuses(&later), [200]);
    assert_eq!(verdict(&later), (Status::Ok, "200 OK".to_owned()));
}

#[tokio::test]
async fn hundreds_of_headers_and_a_duplicated_content_length_are_accepted() {
    let server = TestServer::start().await;
    let body = "<p>many headers</p>";
    let mut reply = Reply::html(body).header("Content-Length", &body.len().to_string());
    for i in 0..300 {
        reply = reply.header(&format!("X-Item-{i}"), "value");
    }
    server.route("/", reply);
    let fetch = fetch(&server.url("/")).await;
    assert_eq!(failure_kind(&fetch), None, "{fetch:?}");
    assert_eq!(verdict(&fetch), (Status::Ok, "200 OK".to_owned()));
    assert_eq!(fetch.body, body.as_bytes());
}

#[tokio::test]
async fn a_head_within_the_read_buffer_is_read_and_a_far_larger_one_is_named() {
    use linkwatch::check::http::READ_BUFFER_MAX;
    let server = TestServer::start().await;
    // A head of `count` headers of about `size` bytes each.
    let head_of = |count: usize, size: usize| {
        let value = "v".repeat(size - 14);
        (0..count).fold(Reply::html("<p>big head</p>"), |reply, i| {
            reply.header(&format!("X-Item-{i:03}"), &value)
        })
    };
    // About 20 KiB, then about 2.5 times the buffer: the buffer may have grown past its size
    // when the head crosses it, so only a head beyond what it can hold is sure to be refused.
    server.route("/within", head_of(200, 100));
    server.route("/over", head_of(200, READ_BUFFER_MAX * 5 / 2 / 200));
    // A body several times the buffer's size is read whole through it.
    let body = format!("<p>{}</p>", "word ".repeat(READ_BUFFER_MAX));
    server.route("/long", Reply::html(&body));

    let within = fetch(&server.url("/within")).await;
    assert_eq!(
        verdict(&within),
        (Status::Ok, "200 OK".to_owned()),
        "{within:?}"
    );
    let long = fetch(&server.url("/long")).await;
    assert_eq!(long.body, body.as_bytes());

    let over = fetch(&server.url("/over")).await;
    assert_eq!(failure_kind(&over), Some(FailureKind::Protocol), "{over:?}");
    assert_eq!(
        verdict(&over),
        (Status::Failing, "response headers over 32 KiB".to_owned())
    );
}

#[tokio::test]
async fn bodies_are_kept_in_buffers_of_their_size() {
    let server = TestServer::start().await;
    let text = format!("<p>{}</p>", "A sentence of the page. ".repeat(8_000));
    // With a Content-Length the buffer is made that size before the bytes arrive; a decoded
    // body, whose size is unknown until it ends, gives back the room its buffer grew for.
    server.route("/plain", Reply::html(&text));
    server.route("/gzip", Reply::gzip(&text));
    for path in ["/plain", "/gzip"] {
        let fetch = fetch(&server.url(path)).await;
        assert_eq!(fetch.body, text.as_bytes(), "{path}");
        let room = fetch.body.capacity() - fetch.body.len();
        assert!(room <= fetch.body.len() / 8, "{path}: {room} bytes unused");
    }
    let plain = fetch(&server.url("/plain")).await;
    assert_eq!(plain.body.capacity(), plain.body.len());
}

/// What [`raw_server`] sends for the `request`-th request (0-based) on its `connection`-th
/// connection: bytes to write and whether to keep the connection open afterwards, or `None`
/// to close it without a word.
type Script = dyn Fn(usize, usize) -> Option<(Vec<u8>, bool)> + Send + Sync;

/// A server on 127.0.0.1 for byte-level behaviours: each request is answered as `script` says.
async fn raw_server(script: Arc<Script>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let connections = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let connection = connections.fetch_add(1, Ordering::SeqCst);
            let script = Arc::clone(&script);
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                for request in 0.. {
                    while !buffer.windows(4).any(|w| w == b"\r\n\r\n") {
                        let mut chunk = [0u8; 4096];
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let end = buffer
                        .windows(4)
                        .position(|w| w == b"\r\n\r\n")
                        .unwrap_or(0);
                    buffer.drain(..end + 4);
                    let Some((bytes, keep_open)) = script(connection, request) else {
                        return;
                    };
                    if stream.write_all(&bytes).await.is_err() || !keep_open {
                        return;
                    }
                }
            });
        }
    });
    addr
}

fn ok_answer() -> Vec<u8> {
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 9\r\n\r\n<p>ok</p>".to_vec()
}

#[tokio::test]
async fn a_kept_alive_connection_closed_by_the_server_is_retried_at_once_on_a_fresh_one() {
    // The first connection answers one request, then closes as the next one arrives on it.
    let addr = raw_server(Arc::new(|connection, request| {
        match (connection, request) {
            (0, 0) => Some((
                b"HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n".to_vec(),
                true,
            )),
            (0, _) => None,
            _ => Some((ok_answer(), true)),
        }
    }))
    .await;
    let config = CheckConfig {
        retries: 0,
        ..config()
    };
    let fetch = fetch_with(config, &format!("http://{addr}/")).await;
    assert_eq!(failure_kind(&fetch), None, "{fetch:?}");
    assert_eq!(statuses(&fetch), [302, 200]);
    assert_eq!(fetch.attempts, 1, "the repeat spends no retry");
}

#[tokio::test]
async fn a_body_cut_short_after_the_headers_is_ok_without_comparing_content() {
    let addr = raw_server(Arc::new(|_, _| {
        Some((
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n<p>only the start".to_vec(),
            false,
        ))
    }))
    .await;
    let fetch = fetch(&format!("http://{addr}/")).await;
    assert_eq!(failure_kind(&fetch), None, "{fetch:?}");
    assert_eq!(fetch.attempts, 1);
    let (status, detail) = verdict(&fetch);
    assert_eq!(status, Status::Ok);
    assert!(
        detail.starts_with("200 OK; body cut short: ")
            && detail.ends_with(", content not compared"),
        "{detail}"
    );
}
