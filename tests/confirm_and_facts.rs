//! Audits over time against a local server: a temporary failure is confirmed `broken` only once
//! its failing audits span `--confirm-span`; a `#fragment` whose anchor is gone is `broken`; a
//! changed phone number, e-mail address or link target of the main content is `changed`.

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

fn hotline(phone: &str, email: &str, report: &str, noise: &str) -> String {
    format!(
        "<html><head><title>Hotline</title></head><body><nav><a href=\"/?s={noise}\">Home</a></nav>\
         <main><h1>Hotline</h1>\
         <p>Call the hotline at {phone} any time, day or night, to report a concern about a child.</p>\
         <p>Trained staff answer every call and connect callers with local services and support.</p>\
         <p>You can also write to {email} or <a href=\"{report}\">report online</a>.</p>\
         <p><a href=\"/resources?utm_campaign={noise}&amp;session={noise}\">More resources</a> for \
         parents, caregivers and teachers who want to learn the warning signs.</p></main>\
         <footer>Switchboard {noise}</footer></body></html>"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_phone_email_or_link_target_is_a_change_whatever_the_similarity() {
    let server = TestServer::start().await;
    let page = |phone, email, report, noise| Reply::html(&hotline(phone, email, report, noise));
    let (phone, email, form) = ("1-800-555-0100", "help@hotline.example", "/report");
    server.route("/hotline", page(phone, email, form, "202-555-0101"));
    let project = Project::new(&[res("hotline", server.url("/hotline"))]);
    let first = check(project.path(), &[]).await;
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert_eq!(project.row("hotline")["status"], "ok");

    // Noise outside the main content and tracking parameters are not facts.
    server.route("/hotline", page(phone, email, form, "202-555-0199"));
    check(project.path(), &[]).await;
    assert_eq!(project.row("hotline")["status"], "ok", "noise is no change");

    // One digit of the number: the text is 99% the same.
    server.route("/hotline", page("1-800-555-0199", email, form, "x"));
    check(project.path(), &[]).await;
    let row = project.row("hotline");
    assert_eq!(row["status"], "changed", "{row:?}");
    assert!(
        row["detail"].contains("phone number 1-800-555-0100 became 1-800-555-0199"),
        "{row:?}"
    );
    assert!(row["similarity"].parse::<f64>().unwrap() > 0.95, "{row:?}");
    let change = &result(&project, "hotline")["change"];
    assert_eq!(
        change["reasons"][0],
        "phone number 1-800-555-0100 became 1-800-555-0199"
    );
    assert!(
        report(&project).contains("phone number 1-800-555-0100 became 1-800-555-0199"),
        "{}",
        report(&project)
    );

    let accepted = run_in(project.path(), &["accept", "hotline"]);
    assert_eq!(accepted.status.code(), Some(0), "{}", stderr(&accepted));
    check(project.path(), &[]).await;
    assert_eq!(
        project.row("hotline")["status"],
        "ok",
        "the new number is accepted"
    );

    // The same words, a link elsewhere; and an e-mail address replaced.
    server.route(
        "/hotline",
        page("1-800-555-0199", email, "https://report.example/form", "y"),
    );
    check(project.path(), &[]).await;
    let row = project.row("hotline");
    assert_eq!(row["status"], "changed", "{row:?}");
    assert!(
        row["detail"].contains("link /report became https://report.example/form"),
        "{row:?}"
    );
    assert_eq!(row["similarity"], "1.000", "{row:?}");
    run_in(project.path(), &["accept", "hotline"]);
    server.route(
        "/hotline",
        page(
            "1-800-555-0199",
            "tips@hotline.example",
            "https://report.example/form",
            "z",
        ),
    );
    check(project.path(), &[]).await;
    let row = project.row("hotline");
    assert!(
        row["detail"].contains("e-mail address help@hotline.example became tips@hotline.example"),
        "{row:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_baseline_from_before_facts_takes_them_without_reporting_a_change() {
    let server = TestServer::start().await;
    let page = hotline("1-800-555-0100", "help@hotline.example", "/report", "n");
    server.route("/hotline", Reply::html(&page));
    let project = Project::new(&[res("hotline", server.url("/hotline"))]);
    check(project.path(), &[]).await;
    let state_path = project.reports().join("state.json");
    let facts_of = |path: &std::path::Path| -> serde_json::Value {
        let state: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        state["resources"]["hotline"]["facts"].clone()
    };
    assert_eq!(
        facts_of(&state_path),
        serde_json::json!([
            "phone 1-800-555-0100",
            "email help@hotline.example",
            "link /report",
            "link /resources"
        ])
    );

    let mut state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state_path).unwrap()).unwrap();
    state["resources"]["hotline"]
        .as_object_mut()
        .unwrap()
        .remove("facts");
    std::fs::write(&state_path, serde_json::to_vec_pretty(&state).unwrap()).unwrap();

    check(project.path(), &[]).await;
    assert_eq!(project.row("hotline")["status"], "ok");
    assert_eq!(facts_of(&state_path).as_array().map(Vec::len), Some(4));
}
