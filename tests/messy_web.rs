//! `linkwatch check` against the behaviours real sites show: bot walls from the big protection
//! vendors and sign-in walls are `blocked` over several audits (never `failing`, never
//! confirmed `broken`, never snapshotted), while ordinary pages served through the same vendors
//! and sign-in pages linked on purpose stay `ok`.

use crate::common::{Project, res, stderr};
use crate::support::{Reply, TestServer};
use linkwatch::state::Snapshots;

const LOGIN_PAGE: &str = r#"<html><head><title>Sign in</title></head><body>
<header><nav><a href="/">Home</a> <a href="/about">About</a></nav></header>
<main><h1>Sign in</h1><form method="post">
<label>Email <input type="email" name="email"></label>
<label>Password <input type="password" name="password"></label>
<button>Sign in</button> <a href="/reset">Forgot your password?</a></form></main>
<footer>Privacy · Terms · Accessibility</footer></body></html>"#;

const PAGE: &str = "<html><head><title>Talking to children about online safety</title></head>\
<body><main><h1>Talking to children about online safety</h1>\
<p>Start the conversation early and keep it going as your child grows.</p></main></body></html>";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bot_and_sign_in_walls_stay_blocked_over_audits_and_are_never_snapshotted() {
    let server = TestServer::start().await;
    server.route(
        "/cf-200",
        Reply::html(
            "<html><head><title>Just a moment...</title></head>\
             <body><noscript>Enable JavaScript and cookies to continue</noscript>\
             <script>window._cf_chl_opt={cvId:'3'};</script></body></html>",
        )
        .header("Server", "cloudflare"),
    );
    server.route(
        "/cf-503",
        Reply::status(503)
            .header("Server", "cloudflare")
            .header("cf-mitigated", "challenge"),
    );
    server.route(
        "/aws-202",
        Reply::Answer {
            status: 202,
            headers: vec![("x-amzn-waf-action".into(), "challenge".into())],
            body: Vec::new(),
        },
    );
    server.route(
        "/datadome-403",
        Reply::status(403)
            .header("x-datadome", "protected")
            .header("x-dd-b", "2"),
    );
    server.route(
        "/incapsula-200",
        Reply::html(
            "<html><body>Request unsuccessful. Incapsula incident ID: 877000120-1</body></html>",
        ),
    );
    server.route("/linkedin", Reply::status(999));
    server.route(
        "/guide",
        Reply::redirect(302, "/users/sign_in?return_to=%2Fguide"),
    );
    server.route("/users/sign_in?return_to=%2Fguide", Reply::html(LOGIN_PAGE));
    server.route("/members-guide", Reply::redirect(301, "/portal?from=guide"));
    server.route("/portal?from=guide", Reply::html(LOGIN_PAGE));
    server.route(
        "/account/login",
        Reply::redirect(302, "/account/login/form"),
    );
    server.route("/account/login/form", Reply::html(LOGIN_PAGE));
    server.route(
        "/sucuri-page",
        Reply::html(PAGE).header("x-sucuri-id", "11005"),
    );
    server.route("/cf-page", Reply::html(PAGE).header("Server", "cloudflare"));

    let s = |p: &str| server.url(p);
    let project = Project::new(&[
        res("cloudflare-200", s("/cf-200")),
        res("cloudflare-503", s("/cf-503")),
        res("aws-waf-202", s("/aws-202")),
        res("datadome-403", s("/datadome-403")),
        res("imperva-200", s("/incapsula-200")),
        res("linkedin-999", s("/linkedin")),
        res("login-redirect", s("/guide")),
        res("password-form-redirect", s("/members-guide")),
        res("login-on-purpose", s("/account/login")),
        res("behind-sucuri", s("/sucuri-page")),
        res("behind-cloudflare", s("/cf-page")),
    ]);
    let expected = [
        ("cloudflare-200", "blocked", "bot challenge (Cloudflare)"),
        ("cloudflare-503", "blocked", "bot challenge (Cloudflare)"),
        ("aws-waf-202", "blocked", "bot challenge (AWS WAF)"),
        ("datadome-403", "blocked", "bot challenge (DataDome)"),
        ("imperva-200", "blocked", "bot challenge (Imperva)"),
        (
            "linkedin-999",
            "blocked",
            "999 (the site refuses automated requests)",
        ),
        (
            "login-redirect",
            "blocked",
            &format!(
                "sign-in required: redirected to {}",
                s("/users/sign_in?return_to=%2Fguide")
            ),
        ),
        (
            "password-form-redirect",
            "blocked",
            &format!(
                "sign-in required: redirected to a password form at {}",
                s("/portal?from=guide")
            ),
        ),
        (
            "login-on-purpose",
            "ok",
            "200 OK after temporary redirect (302)",
        ),
        ("behind-sucuri", "ok", "200 OK"),
        ("behind-cloudflare", "ok", "200 OK"),
    ];

    for audit in 1..=3 {
        let out = crate::common::check_async(project.path(), &["--confirm-after", "2"]).await;
        for (id, status, detail) in &expected {
            let row = project.row(id);
            assert_eq!(
                (row["status"].as_str(), row["detail"].as_str()),
                (*status, *detail),
                "audit {audit}, {id}: {row:?}"
            );
        }
        assert_eq!(
            out.status.code(),
            Some(0),
            "audit {audit}: walls are not in --fail-on: {}",
            stderr(&out)
        );
    }
    for (id, status, _) in expected {
        let snapshot = project.reports().join(Snapshots::accepted_path(id));
        assert_eq!(
            snapshot.exists(),
            status == "ok",
            "{id}: only healthy pages are snapshotted"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soft_404s_are_found_in_the_main_text_and_404_in_a_name_is_no_signal() {
    let server = TestServer::start().await;
    let routes = [
        (
            "/form-i-404",
            "<title>Form I-404: Notice of action</title><main><h1>Form I-404</h1>\
             <p>Use this form to respond to a notice.</p></main>",
        ),
        (
            "/error-404",
            "<title>Error 404 | Example Org</title><main><p>Try the search.</p></main>",
        ),
        (
            "/gone-en",
            "<title>Example Org</title><main><p>Sorry, the page you requested could not be found.</p>\
             <p>Go to the home page.</p></main>",
        ),
        (
            "/gone-es",
            "<title>Organización Ejemplo</title><main><p>Lo sentimos, la página que busca no existe.</p></main>",
        ),
        (
            "/footer-only",
            "<title>Helplines for parents</title><main><h1>Helplines for parents</h1>\
             <p>Call 0800 000 000 for free, confidential advice about a child's safety.</p></main>\
             <footer><p>Can't find a page? The page you requested may have moved: use the search.</p></footer>",
        ),
    ];
    for (path, body) in routes {
        server.route(path, Reply::html(body));
    }
    let project = Project::new(&[
        res("form-i-404", server.url("/form-i-404")),
        res("error-404", server.url("/error-404")),
        res("gone-en", server.url("/gone-en")),
        res("gone-es", server.url("/gone-es")),
        res("footer-only", server.url("/footer-only")),
    ]);
    let out = crate::common::check_async(project.path(), &[]).await;
    assert_eq!(out.status.code(), Some(1), "soft404 is in --fail-on");
    for (id, status, detail) in [
        ("form-i-404", "ok", "200 OK"),
        (
            "error-404",
            "soft404",
            "soft 404: title says \"Error 404 | Example Org\"",
        ),
        (
            "gone-en",
            "soft404",
            "soft 404: text says \"Sorry, the page you requested could not be found.\"",
        ),
        (
            "gone-es",
            "soft404",
            "soft 404: text says \"Lo sentimos, la página que busca no existe.\"",
        ),
        ("footer-only", "ok", "200 OK"),
    ] {
        let row = project.row(id);
        assert_eq!(
            (row["status"].as_str(), row["detail"].as_str()),
            (status, detail),
            "{id}: {row:?}"
        );
    }
}

#[test]
fn hijacked_is_in_the_default_fail_on_of_check_and_merge() {
    for command in ["check", "merge"] {
        let out = crate::common::run_in(std::path::Path::new("."), &[command, "--help"]);
        let help = String::from_utf8(out.stdout).unwrap();
        let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            help.contains("[default: broken,soft404,hijacked]"),
            "{command}: {help}"
        );
    }
}

const PARKED: &str = "<html><head><title>guide.example</title></head><body>\
<h1>guide.example</h1><p>This domain may be for sale. Buy this domain today.</p>\
<p>Related searches: child safety, online courses, insurance quotes</p></body></html>";

/// Status and detail of `id` in the last audit's `links.csv`.
fn verdict(project: &Project, id: &str) -> (String, String) {
    let row = project
        .links()
        .into_iter()
        .find(|r| r["id"] == id)
        .expect("row");
    (row["status"].clone(), row["detail"].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parked_domain_is_hijacked_never_accepted_without_force_and_clears_when_it_comes_back() {
    let server = TestServer::start().await;
    server.route("/guide", Reply::html(PAGE));
    let project = Project::new(&[res("guide", server.url("/guide"))]);
    let accepted = project.reports().join(Snapshots::accepted_path("guide"));

    let out = crate::common::check_async(project.path(), &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let good = std::fs::read_to_string(&accepted).unwrap();

    server.route("/guide", Reply::html(PARKED));
    let out = crate::common::check_async(project.path(), &[]).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "hijacked is in the default --fail-on"
    );
    let (status, detail) = verdict(&project, "guide");
    assert_eq!(status, "hijacked");
    assert!(detail.starts_with("hijacked: "), "{detail}");
    assert!(detail.contains("for sale"), "{detail}");
    assert_eq!(
        std::fs::read_to_string(&accepted).unwrap(),
        good,
        "never the new baseline"
    );
    let report = std::fs::read_to_string(project.reports().join("report.md")).unwrap();
    let first_heading = report.lines().find(|l| l.starts_with("### "));
    assert_eq!(first_heading, Some("### `hijacked` (1)"), "{report}");

    let out = crate::common::run_in(project.path(), &["accept", "guide"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("looks hijacked"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&accepted).unwrap(), good);

    server.route("/guide", Reply::html(PAGE));
    let out = crate::common::check_async(project.path(), &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(verdict(&project, "guide").0, "ok", "the page came back");
    let pending = project.reports().join(Snapshots::pending_path("guide"));
    assert!(!pending.exists(), "the hijack no longer waits");

    server.route("/guide", Reply::html(PARKED));
    crate::common::check_async(project.path(), &[]).await;
    let out = crate::common::run_in(project.path(), &["accept", "guide", "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = crate::common::check_async(project.path(), &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        verdict(&project, "guide").0,
        "ok",
        "content accepted with --force is not flagged again"
    );
}
