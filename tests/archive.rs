//! Archived copies of lost links: asked of a stand-in Wayback Machine on 127.0.0.1, the
//! snapshot from before linkwatch last saw the link healthy, checked to answer 200, in
//! `links.csv`, `report.md` and the export, and kept while the link stays lost; and an archive
//! that never answers costs the audit no more than the lookup budget.

use crate::common::{Project, res, run_in, stderr};
use crate::support::{Reply, TestServer};
use linkwatch::check::archive::wayback_time;
use std::path::Path;
use std::time::{Duration, Instant};

/// `linkwatch check --quiet --timeout 2 --retries 1 <args>` in `dir`, off the async runtime.
async fn check(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut all: Vec<String> = ["check", "--quiet", "--timeout", "2", "--retries", "1"]
        .into_iter()
        .map(String::from)
        .collect();
    all.extend(args.iter().map(|s| s.to_string()));
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = all.iter().map(String::as_str).collect();
        run_in(&dir, &args)
    })
    .await
    .expect("linkwatch ran")
}

/// The availability query the archive gets for `url` at `timestamp`, as the server sees it.
fn availability_path(url: &str, timestamp: &str) -> String {
    let query = url::Url::parse_with_params(
        "http://archive.test/wayback/available",
        [("url", url), ("timestamp", timestamp)],
    )
    .unwrap();
    format!("{}?{}", query.path(), query.query().unwrap())
}

fn closest(snapshot: &str, timestamp: &str) -> Reply {
    Reply::bytes(
        "application/json",
        format!(
            r#"{{"archived_snapshots":{{"closest":{{"available":true,"url":"{snapshot}","timestamp":"{timestamp}","status":"200"}}}}}}"#
        )
        .as_bytes(),
    )
}

/// The moment the baseline in `reports` last saw `id` healthy, as the Wayback Machine writes it.
fn last_good(reports: &Path, id: &str) -> String {
    let baseline = linkwatch::state::Baseline::load(reports).unwrap();
    wayback_time(baseline.resources[id].last_good_at.expect("seen healthy"))
}

/// A timestamp one second before `t` (`YYYYMMDDhhmmss`).
fn just_before(t: &str) -> String {
    let at = jiff::civil::DateTime::strptime("%Y%m%d%H%M%S", t).unwrap();
    (at - jiff::SignedDuration::from_secs(1))
        .strftime("%Y%m%d%H%M%S")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_links_get_the_archived_copy_from_before_they_were_last_healthy() {
    let site = TestServer::start().await;
    let archive = TestServer::start().await;
    for path in ["/gone", "/late", "/dead-copy"] {
        site.route(
            path,
            Reply::html("<title>Guide</title><p>a useful guide</p>"),
        );
    }
    let project = Project::new(&[
        res("gone", site.url("/gone")),
        res("late", site.url("/late")),
        res("dead-copy", site.url("/dead-copy")),
    ]);
    let archive_flag = ["--archive-url", &archive.url("")];

    let out = check(project.path(), &archive_flag).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        archive.requests().is_empty(),
        "healthy links are not looked up"
    );

    for path in ["/gone", "/late", "/dead-copy"] {
        site.route(path, Reply::status(404));
    }
    let reports = project.reports();
    let gone_at = last_good(&reports, "gone");
    archive.route(
        &availability_path(&site.url("/gone"), &gone_at),
        closest(&archive.url("/web/gone"), &just_before(&gone_at)),
    );
    archive.route("/web/gone", Reply::html("<p>the guide as it was</p>"));
    // Closer to the moment, but after it: perhaps already the page that replaced the guide.
    let late_at = last_good(&reports, "late");
    archive.route(
        &availability_path(&site.url("/late"), &late_at),
        closest(&archive.url("/web/late"), "29991231000000"),
    );
    archive.route("/web/late", Reply::html("<p>parked</p>"));
    // The archive lists a snapshot that no longer answers 200.
    let dead_at = last_good(&reports, "dead-copy");
    archive.route(
        &availability_path(&site.url("/dead-copy"), &dead_at),
        closest(&archive.url("/web/dead-copy"), &just_before(&dead_at)),
    );

    let out = check(project.path(), &["--no-archive"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(archive.requests().is_empty(), "--no-archive asks nothing");
    assert_eq!(project.row("gone")["archived"], "");

    std::fs::write(
        project.path().join("linkwatch.toml"),
        format!("archive-url = \"{}\"\n", archive.url("")),
    )
    .unwrap();
    let out = check(project.path(), &[]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(project.row("gone")["status"], "broken");
    assert_eq!(project.row("gone")["archived"], archive.url("/web/gone"));
    assert_eq!(
        project.row("late")["archived"],
        "",
        "a copy from after is refused"
    );
    assert_eq!(archive.hits("/web/late"), 0);
    assert_eq!(
        project.row("dead-copy")["archived"],
        "",
        "a copy must answer 200"
    );
    assert_eq!(archive.hits("/web/dead-copy"), 1);

    let report = std::fs::read_to_string(reports.join("report.md")).unwrap();
    assert!(
        report.contains(&format!(
            "| find its new address, or remove it; archived copy: <{}> |",
            archive.url("/web/gone")
        )),
        "{report}"
    );
    // The next audit keeps the copy without asking again: the link stayed lost since.
    let asked = archive.requests().len();
    let out = check(project.path(), &[]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(project.row("gone")["archived"], archive.url("/web/gone"));
    let again: Vec<String> = archive.requests()[asked..]
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert!(again.iter().all(|p| !p.contains("gone")), "{again:?}");

    let export = run_in(project.path(), &["export"]);
    let text = String::from_utf8_lossy(&export.stdout);
    assert!(
        text.lines()
            .next()
            .unwrap()
            .ends_with(",failing_since,archived")
    );
    assert!(
        text.contains(&format!(",{}\n", archive.url("/web/gone"))),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archive_that_never_answers_costs_the_audit_only_the_lookup_budget() {
    let site = TestServer::start().await;
    // Connections are queued by the kernel and never accepted: no answer, ever.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let archive_url = format!("http://{}", silent.local_addr().unwrap());
    let resources: Vec<_> = (0..20)
        .map(|i| res(&format!("gone-{i}"), site.url(&format!("/gone-{i}"))))
        .collect();
    let project = Project::new(&resources);

    let started = Instant::now();
    let out = check(project.path(), &["--archive-url", &archive_url]).await;
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        project
            .links()
            .iter()
            .all(|r| r["status"] == "broken" && r["archived"].is_empty())
    );
    // 20 lookups of 3 s, 4 at a time, would take 15 s; the phase stops at 10.
    assert!(took < Duration::from_secs(14), "took {took:?}");
}
