//! `linkwatch check` end to end: the real binary against servers started on 127.0.0.1, one
//! behaviour per resource, each asserting its status and evidence in `links.csv`.

use crate::common::{Project, res, run_in, snapshot_dir, stderr, stdout};
use crate::support::{Reply, TestServer};
use std::time::Duration;

async fn check(project: &Project, args: &[&str]) -> std::process::Output {
    crate::common::check_async(project.path(), args).await
}

/// `linkwatch check <args>` without `check_async`'s `--quiet`, so the bar and `--verbose` may show.
async fn check_loud(project: &Project, args: &[&str]) -> std::process::Output {
    let mut all = vec!["check", "--timeout", "2", "--retries", "1"];
    all.extend_from_slice(args);
    let all: Vec<String> = all.iter().map(|s| s.to_string()).collect();
    let dir = project.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        run_in(&dir, &all)
    })
    .await
    .expect("linkwatch ran")
}

fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/nothing-listens")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_behaviour_gets_its_status_and_evidence() {
    let server = TestServer::start().await;
    let tls = TestServer::start_tls().await;
    server.route("/ok", Reply::html("<title>Fine</title><p>fine</p>"));
    server.route("/gone404", Reply::status(404));
    server.route("/gone410", Reply::status(410));
    server.route("/m301", Reply::redirect(301, "/ok"));
    server.route("/m308", Reply::redirect(308, "/m301b"));
    server.route("/m301b", Reply::redirect(301, "/ok"));
    server.route("/t302", Reply::redirect(302, "/ok"));
    server.route("/loop-a", Reply::redirect(302, "/loop-b"));
    server.route("/loop-b", Reply::redirect(302, "/loop-a"));
    server.route("/nohead", Reply::html("<p>no head</p>").rejecting_head());
    server.route(
        "/flaky",
        Reply::sequence([Reply::status(503), Reply::html("<p>back</p>")]),
    );
    server.route(
        "/busy-secs",
        Reply::sequence([
            Reply::status(429).header("Retry-After", "1"),
            Reply::html("<p>calm</p>"),
        ]),
    );
    // Far enough ahead that, after the binary starts on a loaded machine, the date is still
    // at least a second away when the first answer names it (HTTP dates have whole seconds).
    let soon = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(4));
    server.route(
        "/busy-date",
        Reply::sequence([
            Reply::status(503).header("Retry-After", &soon),
            Reply::html("<p>calm</p>"),
        ]),
    );
    server.route("/e401", Reply::status(401));
    server.route("/e403", Reply::status(403));
    server.route("/e403-accepted", Reply::status(403));
    server.route(
        "/challenge",
        Reply::status(403).header("cf-mitigated", "challenge"),
    );
    server.route(
        "/slow",
        Reply::html("<p>late</p>").after(Duration::from_secs(5)),
    );
    server.route("/endless", Reply::Endless);
    server.route(
        "/drip",
        Reply::Drip {
            body: vec![b'x'; 10_000],
            every: Duration::from_millis(50),
        },
    );
    server.route("/bomb", Reply::gzip_bomb(64 * 1024 * 1024));
    server.route("/reset", Reply::Reset);
    server.route(
        "/latin1",
        Reply::bytes(
            "text/html; charset=windows-1252",
            b"<title>Caf\xe9</title><p>Caf\xe9 cr\xe8me</p>",
        ),
    );
    server.route("/to-file", Reply::redirect(302, "file:///etc/passwd"));
    server.route(
        "/to-ftp",
        Reply::redirect(301, "ftp://files.example.org/pub/"),
    );
    server.route("/e500", Reply::status(500));

    let s = |p: &str| server.url(p);
    let project = Project::new(&[
        res("ok", s("/ok")),
        res("gone-404", s("/gone404")),
        res("gone-410", s("/gone410")),
        res("moved-301", s("/m301")),
        res("moved-308-chain", s("/m308")),
        res("temp-302", s("/t302")),
        res("loop", s("/loop-a")),
        res("rejects-head", s("/nohead")),
        res("flaky-5xx", s("/flaky")),
        res("busy-seconds", s("/busy-secs")),
        res("busy-date", s("/busy-date")),
        res("unauthorized", s("/e401")),
        res("forbidden", s("/e403")),
        res("forbidden-accepted", s("/e403-accepted")).with("[resource.watch]\naccept = [403]"),
        res("challenge", s("/challenge")),
        res("slow", s("/slow")),
        res("endless", s("/endless")),
        res("drip", s("/drip")),
        res("bomb", s("/bomb")),
        res("reset", s("/reset")),
        res("refused", refused_url()),
        res("no-such-host", "http://no-such-host.invalid/page"),
        res("bad-cert", tls.url("/")),
        res("latin1", s("/latin1")),
        res("to-file", s("/to-file")),
        res("to-ftp", s("/to-ftp")),
        res("server-error", s("/e500")),
        res("skipped", s("/never")).with("[resource.watch]\nskip = \"requires login\""),
    ]);

    let out = check(&project, &[]).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "broken links make check exit 1: {}",
        stderr(&out)
    );
    assert!(
        stdout(&out).starts_with("checked 28 links in "),
        "{}",
        stdout(&out)
    );

    let expect = |id: &str, status: &str, http: &str, detail_has: &str| {
        let row = project.row(id);
        assert_eq!(row["status"], status, "{id}: {row:?}");
        assert_eq!(row["http_status"], http, "{id}: {row:?}");
        assert!(
            row["detail"]
                .to_lowercase()
                .contains(&detail_has.to_lowercase()),
            "{id}: detail {:?} lacks {detail_has:?}",
            row["detail"]
        );
        assert!(row["checked_at"].ends_with('Z'), "{id}: {row:?}");
        row
    };

    let ok = expect("ok", "ok", "200", "200 OK");
    assert_eq!(ok["final_url"], s("/ok"));
    assert_eq!(ok["attempts"], "1");
    expect("gone-404", "broken", "404", "404 Not Found");
    expect("gone-410", "broken", "410", "410 Gone");
    let moved = expect("moved-301", "moved", "200", "permanent redirect (301)");
    assert_eq!(moved["final_url"], s("/ok"));
    assert_eq!(
        moved["redirects"],
        format!("301 {} -> 200 {}", s("/m301"), s("/ok"))
    );
    let chain = expect("moved-308-chain", "moved", "200", "permanent redirect");
    assert_eq!(
        chain["redirects"],
        format!(
            "308 {} -> 301 {} -> 200 {}",
            s("/m308"),
            s("/m301b"),
            s("/ok")
        )
    );
    let temp = expect("temp-302", "ok", "200", "temporary redirect (302)");
    assert_eq!(temp["final_url"], s("/ok"));
    expect("loop", "broken", "302", "loop");
    expect("rejects-head", "ok", "200", "200");
    assert!(
        server.requests().iter().all(|r| r.method == "GET"),
        "linkwatch sends GET only, never HEAD"
    );
    assert_eq!(expect("flaky-5xx", "ok", "200", "200")["attempts"], "2");
    assert_eq!(expect("busy-seconds", "ok", "200", "200")["attempts"], "2");
    assert_eq!(expect("busy-date", "ok", "200", "200")["attempts"], "2");
    let waited = server
        .requests()
        .iter()
        .filter(|r| r.path == "/busy-date")
        .map(|r| r.at)
        .collect::<Vec<_>>();
    assert_eq!(waited.len(), 2);
    assert!(
        waited[1].duration_since(waited[0]).unwrap() >= Duration::from_millis(900),
        "the retry waited for the Retry-After date"
    );
    expect("unauthorized", "blocked", "401", "401");
    expect("forbidden", "blocked", "403", "403 Forbidden");
    expect("forbidden-accepted", "ok", "403", "accepted");
    expect("challenge", "blocked", "403", "challenge");
    expect("slow", "failing", "", "timed out");
    let endless = project.row("endless");
    assert!(
        ["ok", "failing"].contains(&endless["status"].as_str()),
        "endless body ends bounded: {endless:?}"
    );
    if endless["status"] == "ok" {
        assert!(endless["bytes"].parse::<u64>().unwrap() <= linkwatch::MAX_BODY_BYTES);
        assert!(
            endless["detail"].contains("over the size cap"),
            "{endless:?}"
        );
    }
    expect(
        "drip",
        "ok",
        "200",
        "body timed out after 2 s, content not compared",
    );
    let bomb = project.row("bomb");
    assert!(
        bomb["bytes"].parse::<u64>().unwrap_or(0) <= linkwatch::MAX_BODY_BYTES,
        "decompression stops at the cap: {bomb:?}"
    );
    assert!(bomb["detail"].contains("over the size cap"), "{bomb:?}");
    expect("reset", "failing", "", "");
    expect("refused", "failing", "", "refused");
    expect("no-such-host", "broken", "", "");
    expect("bad-cert", "broken", "", "certificate");
    let latin1 = expect("latin1", "ok", "200", "200");
    assert_eq!(latin1["content_type"], "text/html; charset=windows-1252");
    expect("to-file", "broken", "302", "file:");
    expect("to-ftp", "broken", "301", "ftp:");
    let e500 = expect(
        "server-error",
        "failing",
        "500",
        "500 Internal Server Error",
    );
    assert_eq!(e500["attempts"], "2");
    expect("skipped", "skipped", "", "requires login");
    assert_eq!(server.hits("/never"), 0);

    let report = std::fs::read_to_string(project.reports().join("report.md")).unwrap();
    assert!(
        report.starts_with("# Link audit: Test toolkit\n"),
        "{report}"
    );
    assert!(report.contains("### `broken`"), "{report}");
    assert!(
        report.contains(&format!("update the URL to <{}>", s("/ok"))),
        "{report}"
    );
    let results: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(project.reports().join("results.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(results["schema_version"], 1);
    assert_eq!(results["outcomes"].as_array().unwrap().len(), 28);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_host_limit_holds_under_load() {
    let server = TestServer::start().await;
    let resources: Vec<_> = (0..12)
        .map(|i| {
            let path = format!("/p{i}");
            server.route(
                &path,
                Reply::html("<p>x</p>").after(Duration::from_millis(150)),
            );
            res(&format!("page-{i}"), server.url(&path))
        })
        .collect();
    let project = Project::new(&resources);
    let out = check(&project, &["--per-host", "2", "--concurrency", "10"]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{:?}",
        stderr(&out),
        project.links()
    );
    assert_eq!(server.requests().len(), 12, "one request per link");
    let max = server.max_concurrent();
    assert!(
        max <= 2,
        "at most 2 requests at once to one host, saw {max}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_run_exits_3_and_leaves_reports_untouched() {
    let project = Project::new(&[
        res("refused", refused_url()),
        res("no-dns", "http://nowhere.invalid/"),
    ]);
    let reports = project.reports();
    std::fs::create_dir_all(reports.join("snapshots")).unwrap();
    std::fs::write(reports.join("links.csv"), "id,status\nold,ok\n").unwrap();
    std::fs::write(
        reports.join("state.json"),
        "{\"schema_version\": 1, \"resources\": {}}\n",
    )
    .unwrap();
    std::fs::write(reports.join("snapshots").join("old.txt"), "old text\n").unwrap();
    let before = snapshot_dir(&reports);
    let out = check(&project, &[]).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the network looks unavailable"),
        "{}",
        stderr(&out)
    );
    assert_eq!(snapshot_dir(&reports), before, "nothing was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_on_decides_the_exit_code_and_settings_file_yields_to_flags() {
    let server = TestServer::start().await;
    server.route("/ok", Reply::html("<p>ok</p>"));
    server.route("/old", Reply::redirect(301, "/ok"));
    let project = Project::new(&[res("ok", server.url("/ok")), res("old", server.url("/old"))]);

    let out = check(&project, &[]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "moved is not in the default --fail-on"
    );

    let out = check(&project, &["--fail-on", "moved,broken"]).await;
    assert_eq!(out.status.code(), Some(1));

    std::fs::write(
        project.path().join("linkwatch.toml"),
        "fail-on = [\"moved\"]\nout = \"audit\"\n",
    )
    .unwrap();
    let out = check(&project, &[]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(project.path().join("audit").join("links.csv").exists());
    let out = check(&project, &["--fail-on", "broken"]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "the flag wins over linkwatch.toml"
    );

    let out = check(&project, &["--fail-on", "gone"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "invalid value 'gone' for '--fail-on <STATUSES>': unknown status `gone`: expected \
             one of: ok, hijacked, moved, changed, soft404"
        ),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_on_none_never_exits_1_for_links_from_the_flag_or_the_settings_file() {
    let server = TestServer::start().await;
    server.route("/gone", Reply::status(404));
    let project = Project::new(&[res("gone", server.url("/gone"))]);

    let out = check(&project, &["--fail-on", "none"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(project.row("gone")["status"], "broken");

    let settings = project.path().join("linkwatch.toml");
    for fail_on in ["[\"none\"]", "[]"] {
        std::fs::write(&settings, format!("fail-on = {fail_on}\n")).unwrap();
        let out = check(&project, &[]).await;
        assert_eq!(
            out.status.code(),
            Some(0),
            "fail-on = {fail_on}: {}",
            stderr(&out)
        );
    }
    let out = check(&project, &["--fail-on", "broken"]).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "the flag wins over linkwatch.toml"
    );

    let out = check(&project, &["--fail-on", "none,broken"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`none` cannot be combined with statuses"),
        "{}",
        stderr(&out)
    );
    std::fs::write(&settings, "fail-on = [\"none\", \"moved\"]\n").unwrap();
    let out = check(&project, &[]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("invalid fail-on in")
            && stderr(&out).contains("`none` cannot be combined with statuses"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn format_prints_the_report_files_to_stdout_and_output_writes_one_atomically() {
    let server = TestServer::start().await;
    server.route("/ok", Reply::html("<title>Fine</title><p>fine</p>"));
    server.route("/gone", Reply::status(404));
    let project = Project::new(&[
        res("ok", server.url("/ok")),
        res("gone", server.url("/gone")),
    ]);
    let reports = project.reports();

    for (format, file) in [
        ("json", "results.json"),
        ("markdown", "report.md"),
        ("csv", "links.csv"),
    ] {
        let out = check(&project, &["--format", format]).await;
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_eq!(
            stdout(&out),
            std::fs::read_to_string(reports.join(file)).unwrap(),
            "--format {format} prints what {file} holds"
        );
        assert!(
            stderr(&out).starts_with("checked 2 links in "),
            "the summary moves to stderr: {}",
            stderr(&out)
        );
    }
    let results: serde_json::Value =
        serde_json::from_slice(&check(&project, &["--format", "json"]).await.stdout).unwrap();
    assert_eq!(results["outcomes"].as_array().unwrap().len(), 2);

    let out = check(&project, &["--format", "csv", "-o", "audit.csv"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("checked 2 links in "),
        "with --output, stdout keeps the summary: {}",
        stdout(&out)
    );
    assert_eq!(
        std::fs::read(project.path().join("audit.csv")).unwrap(),
        std::fs::read(reports.join("links.csv")).unwrap()
    );
    let leftovers: Vec<_> = std::fs::read_dir(project.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(linkwatch::fsutil::TEMP_PREFIX))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let out = check(&project, &["--output", "audit.md"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--format <FORMAT>"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_prints_one_line_per_link_as_it_finishes() {
    let server = TestServer::start().await;
    server.route("/ok", Reply::html("<title>Fine</title><p>fine</p>"));
    server.route("/gone", Reply::status(404));
    let project = Project::new(&[
        res("ok", server.url("/ok")),
        res("gone", server.url("/gone")),
        res("skipped", server.url("/never")).with("[resource.watch]\nskip = \"requires login\""),
    ]);
    let out = check_loud(&project, &["--verbose"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let mut lines: Vec<String> = stderr(&out).lines().map(str::to_string).collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            format!("broken   gone  {}  404 Not Found", server.url("/gone")),
            format!("ok       ok  {}  200 OK", server.url("/ok")),
            format!(
                "skipped  skipped  {}  skipped: requires login",
                server.url("/never")
            ),
        ]
    );
    assert!(
        stdout(&out).starts_with("checked 3 links in "),
        "{}",
        stdout(&out)
    );

    let out = check(&project, &["-v"]).await;
    assert_eq!(out.status.code(), Some(2), "--verbose and --quiet conflict");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn color_always_colours_check_and_validate_and_never_and_no_color_do_not() {
    let server = TestServer::start().await;
    server.route("/gone", Reply::status(404));
    let project = Project::new(&[res("gone", server.url("/gone"))]);
    // `run_in` sets NO_COLOR: `always` wins over it, `auto` honours it.
    let out = check_loud(&project, &["-v", "--color", "always"]).await;
    assert!(
        stdout(&out).contains("\x1b[31m1 broken\x1b[0m; reports in "),
        "{:?}",
        stdout(&out)
    );
    assert!(
        stderr(&out).starts_with("\x1b[31mbroken  \x1b[0m gone  "),
        "{:?}",
        stderr(&out)
    );
    for color in ["auto", "never"] {
        let out = check_loud(&project, &["-v", "--color", color]).await;
        let both = stdout(&out) + &stderr(&out);
        assert!(
            both.contains("1 broken") && !both.contains('\x1b'),
            "{color}: {both:?}"
        );
    }

    let invalid = Project::new(&[res("bad", "not a url")]);
    let out = invalid.run(&["validate", "--color", "always"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("\x1b["), "{:?}", stdout(&out));
    let out = invalid.run(&["validate"]);
    assert!(!stdout(&out).contains('\x1b'), "{:?}", stdout(&out));
}

#[test]
fn help_lists_every_status_with_its_meaning() {
    let out = run_in(std::path::Path::new("."), &["check", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = stdout(&out);
    let listed: Vec<&str> = help
        .lines()
        .skip_while(|l| *l != "Statuses:")
        .skip(1)
        .collect();
    assert_eq!(listed.len(), linkwatch::status::Status::ALL.len(), "{help}");
    for (line, status) in listed.iter().zip(linkwatch::status::Status::ALL) {
        assert!(
            line.trim_start().starts_with(&format!("{status} "))
                && line.ends_with(status.meaning()),
            "{line:?}"
        );
    }
    assert!(
        help.contains(
            "  hijacked  the address now serves something else: remove or replace it now\n"
        ),
        "{help}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_selects_by_folder_id_or_tag_and_refuses_a_selector_matching_nothing() {
    let server = TestServer::start().await;
    server.route("/a", Reply::html("<p>a</p>"));
    let project = Project::new(&[
        res("alpha", server.url("/a")),
        res("beta", server.url("/a")),
        res("gamma", server.url("/a")).in_folder("docs"),
    ]);
    let ids = |p: &Project| {
        let mut ids: Vec<String> = p.links().into_iter().map(|r| r["id"].clone()).collect();
        ids.sort();
        ids
    };
    check(&project, &["--only", "docs"]).await;
    assert_eq!(ids(&project), ["gamma"]);
    check(&project, &["--only", "alpha", "--only", "tag-beta"]).await;
    assert_eq!(
        ids(&project),
        ["alpha", "beta", "gamma"],
        "a partial run keeps the rows it did not check"
    );
    let out = check(&project, &["--only", "nope"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--only \"nope\" matches no"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_catalog_stops_check_with_exit_2() {
    let project = Project::new(&[res("bad", "not a url")]);
    let out = check(&project, &[]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("web.toml"), "{}", stderr(&out));
    assert!(!project.reports().exists(), "nothing was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_rerenders_from_results_json_without_the_network() {
    let server = TestServer::start().await;
    server.route("/ok", Reply::html("<title>Fine</title><p>fine</p>"));
    server.route("/gone", Reply::status(404));
    let project = Project::new(&[
        res("ok", server.url("/ok")),
        res("gone", server.url("/gone")),
    ]);
    check(&project, &[]).await;
    drop(server);
    let reports = project.reports();
    let md = std::fs::read(reports.join("report.md")).unwrap();
    let csv = std::fs::read(reports.join("links.csv")).unwrap();
    std::fs::remove_file(reports.join("report.md")).unwrap();
    std::fs::remove_file(reports.join("links.csv")).unwrap();

    let out = project.run(&["report"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read(reports.join("report.md")).unwrap(), md);
    assert_eq!(std::fs::read(reports.join("links.csv")).unwrap(), csv);

    let out = project.run(&["report", "--format", "csv"]);
    assert_eq!(out.stdout, csv);
    let out = project.run(&["report", "--format", "md"]);
    assert_eq!(out.stdout, md);

    std::fs::write(reports.join("results.json"), "{\"schema_version\": 99}").unwrap();
    let out = project.run(&["report"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("results.json is not a linkwatch results file"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("schema_version 99 is not supported"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_since_checks_only_added_or_changed_links_and_leaves_the_baseline() {
    let server = TestServer::start().await;
    for path in ["/a", "/b", "/b2", "/c"] {
        server.route(path, Reply::html("<title>T</title><p>text</p>"));
    }
    let project = Project::new(&[res("a", server.url("/a")), res("b", server.url("/b"))]);
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@t.test"])
            .args(args)
            .current_dir(project.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    };
    git(&["init", "-q"]);
    git(&["add", "catalog"]);
    git(&["commit", "-qm", "catalog"]);

    let out = check(&project, &["--changed-since", "HEAD"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("no links added or changed since HEAD"),
        "{}",
        stdout(&out)
    );
    assert!(!project.reports().exists());

    project.write_catalog(&[
        res("a", server.url("/a")),
        res("b", server.url("/b2")),
        res("c", server.url("/c")),
    ]);
    // The pull request's author wrote these URLs: without --allow-private, a loopback one is
    // refused before any request.
    // Without --out it writes nothing: one line per checked link, and the job summary.
    let summary = project.path().join("step-summary.md");
    let out = {
        let (dir, summary) = (project.path().to_path_buf(), summary.clone());
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_linkwatch"))
                .args([
                    "check",
                    "--quiet",
                    "--no-archive",
                    "--changed-since",
                    "HEAD",
                ])
                .current_dir(dir)
                .env("GITHUB_STEP_SUMMARY", summary)
                .output()
                .unwrap()
        })
        .await
        .unwrap()
    };
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let printed = stdout(&out);
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 3, "{printed}");
    assert!(lines[1].starts_with("broken    c  "), "{printed}");
    assert!(
        lines[1].ends_with("  points to a private address, which pull-request checks do not fetch"),
        "{printed}"
    );
    assert!(
        lines[2].ends_with("; no reports written (--out DIR keeps them)"),
        "{printed}"
    );
    assert!(!project.reports().exists(), "nothing under reports/");
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.starts_with("# Link audit: Test toolkit\n"),
        "{summary}"
    );
    assert!(summary.contains("Title of c (`c`)"), "{summary}");
    assert_eq!(server.hits("/b2") + server.hits("/c"), 0);

    std::fs::write(
        project.path().join("linkwatch.toml"),
        "allow-private = true\n",
    )
    .unwrap();
    let out = check(&project, &["--changed-since", "HEAD"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    std::fs::remove_file(project.path().join("linkwatch.toml")).unwrap();

    let out = check(
        &project,
        &[
            "--changed-since",
            "HEAD",
            "--allow-private",
            "--out",
            "reports",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut ids: Vec<String> = project
        .links()
        .into_iter()
        .map(|r| r["id"].clone())
        .collect();
    ids.sort();
    assert_eq!(ids, ["b", "c"]);
    assert_eq!(server.hits("/a"), 0);
    assert!(
        !project.reports().join("state.json").exists(),
        "the baseline is not touched"
    );

    let out = check(&project, &["--changed-since", "no-such-ref"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("git ls-tree"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_page_moves_are_moved_with_the_hop_marked_in_links_csv_and_fix_rewrites_them() {
    let server = TestServer::start().await;
    server.route(
        "/old",
        Reply::html(r#"<meta http-equiv="refresh" content="0;url=/new"><p>Moved.</p>"#),
    );
    server.route(
        "/old-js",
        Reply::html(r#"<script>location.href = "/new-js";</script><p>Redirecting...</p>"#),
    );
    for path in ["/new", "/new-js"] {
        server.route(path, Reply::html("<title>Guide</title><p>the guide</p>"));
    }
    let s = |p: &str| server.url(p);
    let project = Project::new(&[res("meta", s("/old")), res("script", s("/old-js"))]);
    let out = check(&project, &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for (id, from, to) in [("meta", "/old", "/new"), ("script", "/old-js", "/new-js")] {
        let row = project.row(id);
        assert_eq!(row["status"], "moved", "{row:?}");
        assert_eq!(row["detail"], format!("in-page redirect to {}", s(to)));
        assert_eq!(row["final_url"], s(to));
        assert_eq!(
            row["redirects"],
            format!("200 {} (in-page) -> 200 {}", s(from), s(to))
        );
    }

    let out = project.run(&["fix"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let web = std::fs::read_to_string(project.catalog().join("web.toml")).unwrap();
    assert!(web.contains(&format!("url = \"{}\"", s("/new"))), "{web}");
    assert!(
        web.contains(&format!("url = \"{}\"", s("/new-js"))),
        "{web}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_text_in_outcomes_is_capped_and_stripped_of_control_characters() {
    let server = TestServer::start().await;
    server.route(
        "/page",
        Reply::html("<title>Guide for parents</title><main><p>Talk with your child.</p></main>"),
    );
    let long_title = format!("A\u{1b}[31m title {}", "very ".repeat(120));
    let project = Project::new(&[res("page", server.url("/page"))]);
    let web = project.catalog().join("web.toml");
    let text = std::fs::read_to_string(&web)
        .unwrap()
        .replace("Title of page", &long_title.replace('\u{1b}', "\\u001b"));
    std::fs::write(&web, text).unwrap();
    let out = check(&project, &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let spam = format!("\u{202e}{}", "Casino bonus ".repeat(60));
    server.route(
        "/page",
        Reply::html(&format!(
            "<title>{spam}</title><main><p>{}</p></main>",
            "Win big today ".repeat(200)
        )),
    );
    let out = check(&project, &[]).await;
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        stderr(&out)
    );
    let results: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(project.reports().join("results.json")).unwrap(),
    )
    .unwrap();
    let outcome = &results["outcomes"][0];
    let shown = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_owned();
    let title = shown(&outcome["title"]);
    assert_eq!(title.chars().count(), 300, "{title}");
    assert!(
        title.starts_with("A[31m title very ") && title.ends_with("..."),
        "{title}"
    );
    let new_title = shown(&outcome["change"]["new_title"]);
    assert_eq!(new_title.chars().count(), 300, "{outcome}");
    assert!(new_title.starts_with("Casino bonus") && new_title.ends_with("..."));
    let detail = shown(&outcome["detail"]);
    assert!(detail.chars().count() <= 1000, "{detail}");
    for text in [&title, &new_title, &detail] {
        assert!(
            !text.contains(['\u{1b}', '\u{202e}']),
            "control characters stripped: {text:?}"
        );
    }
}

#[test]
fn validate_warns_about_a_loopback_url_but_passes() {
    let project = Project::new(&[
        res("local", "http://127.0.0.1:8080/wiki"),
        res("public", "https://www.missingkids.org/"),
    ]);
    let out = project.run(&["validate"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(
            "warning: `127.0.0.1` is a loopback, private or intranet address, not a public one"
        ),
        "{text}"
    );
    assert!(text.contains("0 errors, 1 warning"), "{text}");
}
