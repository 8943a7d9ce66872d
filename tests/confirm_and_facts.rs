//! Audits over time against a local server: a temporary failure is confirmed `broken` only once
//! its failing audits span `--confirm-span`; a `#fragment` whose anchor is gone is `broken`.

use crate::common::{Project, res, run_in, stderr};
use crate::support::{Reply, TestServer};

use crate::common::check_async as check;

/// The outcome of `id` in `reports/results.json`.
fn result(project: &Project, id: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(project.reports().join("results.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no outcome for {id}"))
}

fn report(project: &Project) -> String {
    std::fs::read_to_string(project.reports().join("report.md")).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_quick_failing_audits_never_confirm_an_outage() {
    let server = TestServer::start().await;
    server.route("/down", Reply::status(503));
    let project = Project::new(&[res("down", server.url("/down"))]);

    for audit in 1..=2 {
        let out = check(project.path(), &[]).await;
        assert_eq!(
            out.status.code(),
            Some(0),
            "audit {audit}: {}",
            stderr(&out)
        );
        let row = project.row("down");
        assert_eq!(row["status"], "failing", "audit {audit}: {row:?}");
        assert_eq!(row["failing_audits"], audit.to_string(), "{row:?}");
        assert!(!row["failing_since"].is_empty(), "{row:?}");
        let plural = if audit == 1 { "audit" } else { "audits" };
        let counted = format!("; failing in {audit} {plural} since ");
        assert!(row["detail"].contains(&counted), "{row:?}");
        assert_eq!(result(&project, "down")["failing_audits"], audit);
        assert!(report(&project).contains(&counted), "{}", report(&project));
    }

    server.route("/down", Reply::html("<p>Back.</p>"));
    check(project.path(), &[]).await;
    let row = project.row("down");
    assert_eq!(
        (row["status"].as_str(), row["failing_audits"].as_str()),
        ("ok", "0"),
        "{row:?}"
    );
    assert!(row["failing_since"].is_empty(), "{row:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zero_confirm_span_confirms_after_the_failing_audits() {
    let server = TestServer::start().await;
    server.route("/down", Reply::status(503));
    let project = Project::new(&[res("down", server.url("/down"))]);

    let first = check(project.path(), &["--confirm-span", "0s"]).await;
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert_eq!(project.row("down")["status"], "failing");

    let second = check(project.path(), &["--confirm-span", "0s"]).await;
    assert_eq!(second.status.code(), Some(1), "broken makes check exit 1");
    let row = project.row("down");
    assert_eq!(
        (row["status"].as_str(), row["failing_audits"].as_str()),
        ("broken", "2"),
        "{row:?}"
    );
    assert!(row["detail"].starts_with("broken since "), "{row:?}");
    assert_eq!(result(&project, "down")["failing_audits"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn linkwatch_toml_sets_the_confirm_span_and_count() {
    let server = TestServer::start().await;
    server.route("/down", Reply::status(500));
    let project = Project::new(&[res("down", server.url("/down"))]);
    std::fs::write(
        project.path().join("linkwatch.toml"),
        "confirm-after = 3\nconfirm-span = \"0s\"\n",
    )
    .unwrap();

    for expected in ["failing", "failing", "broken"] {
        check(project.path(), &[]).await;
        assert_eq!(project.row("down")["status"], expected);
    }

    // The flag wins over the file: a day has not passed since the first failure.
    std::fs::write(
        project.path().join("linkwatch.toml"),
        "confirm-after = 1\nconfirm-span = \"0s\"\n",
    )
    .unwrap();
    check(project.path(), &["--confirm-span", "12h"]).await;
    let row = project.row("down");
    assert_eq!(
        (row["status"].as_str(), row["failing_audits"].as_str()),
        ("failing", "4"),
        "{row:?}"
    );
}

#[test]
fn a_confirm_span_that_is_not_a_duration_is_refused() {
    let project = Project::new(&[res("down", "https://example.org/")]);
    let out = run_in(project.path(), &["check", "--confirm-span", "soon"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("invalid duration \"soon\" (expected e.g. 0s, 12h, 3d)"),
        "{}",
        stderr(&out)
    );

    std::fs::write(
        project.path().join("linkwatch.toml"),
        "confirm-span = \"-1d\"\n",
    )
    .unwrap();
    let out = run_in(project.path(), &["check"]);
    assert_ne!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(
        err.contains("invalid confirm-span in linkwatch.toml") && err.contains("negative"),
        "{err}"
    );
}

fn page_with(anchors: &str) -> String {
    format!(
        "<html><head><title>Reporting guide</title></head><body><main><h1>Reporting guide</h1>\
         <p>How to report suspected exploitation to the hotline.</p>{anchors}\
         <p>Section three explains what happens after a report.</p></main></body></html>"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fragment_whose_anchor_is_gone_is_broken() {
    let server = TestServer::start().await;
    let kept = page_with("<h2 id=\"section-3\">Section 3</h2><a name=\"legacy\"></a>");
    server.route("/guide", Reply::html(&kept));
    let project = Project::new(&[
        res("section", format!("{}#section-3", server.url("/guide"))),
        res("legacy", format!("{}#legacy", server.url("/guide"))),
        res("top", format!("{}#top", server.url("/guide"))),
        res("route", format!("{}#/step/2", server.url("/guide"))),
    ]);

    let first = check(project.path(), &[]).await;
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    for id in ["section", "legacy", "top", "route"] {
        assert_eq!(project.row(id)["status"], "ok", "{id}");
    }

    // The same text; only the anchors are gone.
    server.route("/guide", Reply::html(&page_with("<h2>Section 3</h2>")));
    let second = check(project.path(), &[]).await;
    assert_eq!(second.status.code(), Some(1), "broken makes check exit 1");
    for (id, anchor) in [("section", "section-3"), ("legacy", "legacy")] {
        let row = project.row(id);
        assert_eq!(
            (row["status"].as_str(), row["detail"].as_str()),
            ("broken", format!("anchor #{anchor} is gone").as_str()),
            "{row:?}"
        );
    }
    for id in ["top", "route"] {
        assert_eq!(project.row(id)["status"], "ok", "{id} names no anchor");
    }
    assert!(
        report(&project).contains("section-3 is gone"),
        "{}",
        report(&project)
    );

    server.route("/guide", Reply::html(&kept));
    check(project.path(), &[]).await;
    assert_eq!(project.row("section")["status"], "ok");
}
