//! `linkwatch check` and the sibling probe: when a page's soft-404 signals are unclear, the
//! audit asks its host, once per host and audit, for a random address that cannot exist in the
//! same folder. A resource whose page is what the host answers there is `soft404`; an honest
//! host (404), a failing probe, or a page that did not change leave the verdict as it was.

use crate::common::{Project, check_async, res, stderr};
use crate::support::{Reply, TestServer};
use linkwatch::state::Snapshots;
use std::time::Duration;

const GUIDE: &str = "<html><head><title>Talking to children about online safety</title></head>\
<body><main><h1>Talking to children about online safety</h1>\
<p>Start the conversation early and keep it going as your child grows.</p>\
<p>Agree on family rules for devices and review them together each year.</p></main></body></html>";

const HELP: &str = "<html><head><title>Help for parents</title></head>\
<body><main><h1>Help for parents</h1>\
<p>Our advisers answer questions about sleep, school and screen time.</p>\
<p>Call the parent line on weekdays between nine and five.</p></main></body></html>";

const STABLE: &str = "<html><head><title>Our services</title></head>\
<body><main><h1>Our services</h1>\
<p>We run family centres, parenting courses and a youth club in every town.</p>\
<p>Every service is free and open to families who live in the region.</p></main></body></html>";

/// The page a catch-all host answers for every address it does not know.
const WELCOME: &str = "<html><head><title>Welcome to Example Family Services</title></head>\
<body><main><h1>Welcome</h1>\
<p>Example Family Services supports parents and carers across the region.</p>\
<p>Browse our services, read the latest news or contact our friendly team.</p></main></body></html>";

/// A catch-all page that names the address asked for, as many do.
fn echoing(path: &str) -> Reply {
    Reply::html(&format!(
        "<html><head><title>Welcome to Example Family Services</title></head>\
         <body><main><h1>Welcome</h1><p>You asked for {path}.</p>\
         <p>We have nothing at {path}, so here is our front page.</p>\
         <p>Example Family Services supports parents and carers across the region.</p>\
         </main></body></html>"
    ))
}

/// The paths of the probes `server` has seen, in order.
fn probes(server: &TestServer) -> Vec<String> {
    server
        .requests()
        .into_iter()
        .map(|seen| seen.path)
        .filter(|path| path.contains("/linkwatch-probe-"))
        .collect()
}

fn probe_detail(path: &str) -> String {
    format!(
        "soft 404: this host answers every address with the same page (probe {path} answered 200)"
    )
}

/// Status and detail of `id` in the last audit.
fn verdict(project: &Project, id: &str) -> (String, String) {
    let row = project.row(id);
    (row["status"].clone(), row["detail"].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_became_the_hosts_catch_all_page_is_soft404_with_one_probe_per_audit() {
    let server = TestServer::start().await;
    server.fallback(|_| Reply::html(WELCOME));
    server.route("/docs/guide.html", Reply::html(GUIDE));
    server.route("/docs/help.html", Reply::html(HELP));
    server.route("/docs/services.html", Reply::html(STABLE));
    let project = Project::new(&[
        res("guide", server.url("/docs/guide.html")),
        res("help", server.url("/docs/help.html")),
        res("services", server.url("/docs/services.html")),
    ]);
    let out = check_async(project.path(), &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(probes(&server), Vec::<String>::new(), "nothing was unclear");
    let accepted = project.reports().join(Snapshots::accepted_path("guide"));
    let good = std::fs::read_to_string(&accepted).unwrap();

    // The two pages are gone; the host answers their addresses with its welcome page.
    server.route("/docs/guide.html", Reply::html(WELCOME));
    server.route("/docs/help.html", Reply::html(WELCOME));
    for audit in 2..=3 {
        let out = check_async(project.path(), &[]).await;
        assert_eq!(out.status.code(), Some(1), "soft404 is in --fail-on");
        let sent = probes(&server);
        assert_eq!(
            sent.len(),
            audit - 1,
            "audit {audit}: one probe per host and audit, for two unclear pages: {sent:?}"
        );
        let probe = sent.last().unwrap();
        let name = probe.strip_prefix("/docs/linkwatch-probe-").unwrap();
        let hex = name.strip_suffix(".html").unwrap();
        assert!(
            hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_hexdigit()),
            "{probe}"
        );
        for id in ["guide", "help"] {
            assert_eq!(
                verdict(&project, id),
                ("soft404".to_owned(), probe_detail(probe)),
                "audit {audit}, {id}"
            );
        }
        assert_eq!(
            verdict(&project, "services"),
            ("ok".to_owned(), "200 OK".to_owned())
        );
    }
    let sent = probes(&server);
    assert_ne!(sent[0], sent[1], "a new random name each audit");
    assert_eq!(
        std::fs::read_to_string(&accepted).unwrap(),
        good,
        "the catch-all page is never recorded"
    );
    assert!(
        !project
            .reports()
            .join(Snapshots::pending_path("guide"))
            .exists(),
        "nor does it wait to be accepted"
    );
    assert_eq!(project.links().len(), 3, "probes are no outcomes");
    for file in ["results.json", "report.md", "state.json"] {
        let text = std::fs::read_to_string(project.reports().join(file)).unwrap();
        assert_eq!(
            text.matches("linkwatch-probe-").count(),
            text.matches("(probe /docs/linkwatch-probe-").count(),
            "{file}: a probe is only named in a detail"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_an_honest_host_the_ordinary_verdicts_stay() {
    let server = TestServer::start().await;
    // Its welcome page, but with the 404 an unknown address deserves.
    server.fallback(|_| Reply::Answer {
        status: 404,
        headers: vec![("Content-Type".into(), "text/html".into())],
        body: WELCOME.into(),
    });
    server.route("/docs/guide.html", Reply::html(GUIDE));
    server.route("/docs/old.html", Reply::redirect(302, "/docs/new.html"));
    server.route("/docs/new.html", Reply::html(HELP));
    let project = Project::new(&[
        res("guide", server.url("/docs/guide.html")),
        res("old", server.url("/docs/old.html")),
    ]);
    let out = check_async(project.path(), &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        probes(&server).len(),
        1,
        "a redirect to another page of the site is unclear: the host is asked"
    );
    let redirected = (
        "ok".to_owned(),
        "200 OK after temporary redirect (302)".to_owned(),
    );
    assert_eq!(verdict(&project, "old"), redirected);

    server.route("/docs/guide.html", Reply::html(WELCOME));
    let out = check_async(project.path(), &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        probes(&server).len(),
        2,
        "one probe in the second audit too"
    );
    let (status, detail) = verdict(&project, "guide");
    assert_eq!(status, "changed");
    assert!(
        detail.starts_with("content changed (first seen "),
        "{detail}"
    );
    assert!(!detail.contains("probe"), "{detail}");
    assert_eq!(
        verdict(&project, "old"),
        redirected,
        "unchanged: not unclear"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catch_all_pages_that_echo_the_path_or_redirect_are_recognised() {
    let echo = TestServer::start().await;
    echo.fallback(echoing);
    echo.route("/guides/safety", Reply::html(GUIDE));
    let redirect = TestServer::start().await;
    redirect.fallback(|_| Reply::redirect(302, "/welcome"));
    redirect.route("/welcome", Reply::html(WELCOME));
    redirect.route("/help/parents.aspx", Reply::html(HELP));
    let project = Project::new(&[
        res("echoed", echo.url("/guides/safety")),
        res("redirected", redirect.url("/help/parents.aspx")),
    ]);
    let out = check_async(project.path(), &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    echo.route("/guides/safety", echoing("/guides/safety"));
    redirect.route("/help/parents.aspx", Reply::redirect(302, "/welcome"));
    let out = check_async(project.path(), &[]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let echo_probe = probes(&echo);
    assert_eq!(echo_probe.len(), 1, "{echo_probe:?}");
    assert!(
        echo_probe[0].starts_with("/guides/linkwatch-probe-") && !echo_probe[0].contains('.'),
        "no extension to keep: {echo_probe:?}"
    );
    assert_eq!(
        verdict(&project, "echoed"),
        ("soft404".to_owned(), probe_detail(&echo_probe[0]))
    );
    let redirect_probe = probes(&redirect);
    assert_eq!(redirect_probe.len(), 1, "{redirect_probe:?}");
    assert!(redirect_probe[0].ends_with(".aspx"), "{redirect_probe:?}");
    assert_eq!(
        verdict(&project, "redirected"),
        ("soft404".to_owned(), probe_detail(&redirect_probe[0]))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unchanged_pages_on_a_catch_all_host_send_no_probe() {
    let server = TestServer::start().await;
    server.fallback(|_| Reply::html(WELCOME));
    server.route("/docs/guide.html", Reply::html(GUIDE));
    server.route("/docs/help.html", Reply::html(HELP));
    let project = Project::new(&[
        res("guide", server.url("/docs/guide.html")),
        res("help", server.url("/docs/help.html")),
    ]);
    for audit in 1..=2 {
        let out = check_async(project.path(), &[]).await;
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        for id in ["guide", "help"] {
            assert_eq!(
                verdict(&project, id),
                ("ok".to_owned(), "200 OK".to_owned()),
                "audit {audit}, {id}"
            );
        }
        assert_eq!(
            server.requests().len(),
            2 * audit,
            "audit {audit}: one request per link, no probe"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_probe_that_fails_or_times_out_changes_no_verdict() {
    let reset = TestServer::start().await;
    reset.fallback(|_| Reply::Reset);
    reset.route("/docs/guide.html", Reply::html(GUIDE));
    let slow = TestServer::start().await;
    slow.fallback(|_| Reply::html(WELCOME).after(Duration::from_secs(5)));
    slow.route("/docs/help.html", Reply::html(HELP));
    let project = Project::new(&[
        res("reset", reset.url("/docs/guide.html")),
        res("slow", slow.url("/docs/help.html")),
    ]);
    let out = check_async(project.path(), &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    reset.route("/docs/guide.html", Reply::html(WELCOME));
    slow.route("/docs/help.html", Reply::html(WELCOME));
    let out = check_async(project.path(), &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for (id, server) in [("reset", &reset), ("slow", &slow)] {
        let mut sent = probes(server);
        assert!(!sent.is_empty(), "{id}: the probe was sent");
        sent.dedup();
        assert_eq!(
            sent.len(),
            1,
            "{id}: one probe, however often tried: {sent:?}"
        );
        let (status, detail) = verdict(&project, id);
        assert_eq!(status, "changed", "{id}: {detail}");
        assert!(
            detail.starts_with("content changed (first seen "),
            "{detail}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_probe_waits_for_its_hosts_per_host_limit_like_any_link() {
    let server = TestServer::start().await;
    let slow = Duration::from_millis(150);
    server.fallback(move |_| Reply::html(WELCOME).after(slow));
    let ids = ["a", "b", "c", "d"];
    for id in ids {
        server.route(&format!("/docs/{id}.html"), Reply::html(GUIDE).after(slow));
    }
    let project = Project::new(&ids.map(|id| res(id, server.url(&format!("/docs/{id}.html")))));
    let out = check_async(project.path(), &["--per-host", "1"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    for id in ids {
        server.route(
            &format!("/docs/{id}.html"),
            Reply::html(WELCOME).after(slow),
        );
    }
    let out = check_async(project.path(), &["--per-host", "1"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let sent = probes(&server);
    assert_eq!(sent.len(), 1, "{sent:?}");
    for id in ids {
        assert_eq!(
            verdict(&project, id),
            ("soft404".to_owned(), probe_detail(&sent[0])),
            "{id}"
        );
    }
    assert_eq!(
        server.max_concurrent(),
        1,
        "the probe took its turn within --per-host 1"
    );
}
