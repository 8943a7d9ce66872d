//! The audits' memory: several audits against servers the test starts build `history.csv`,
//! each resource's recent checks in `state.json`, `history.svg` and the timelines of
//! `report.md`; `--only` runs and shards add no row, `merge` adds one.

use crate::common::{Project, copy_dir, res, run_in, stderr, stdout};
use crate::support::{Reply, TestServer};
use quick_xml::events::Event;
use std::collections::BTreeMap;
use std::path::Path;

use crate::common::check_async as check;

/// The rows of `<dir>/history.csv`, keyed by column name; none when it does not exist.
fn history_rows(dir: &Path) -> Vec<std::collections::HashMap<String, String>> {
    if !dir.join("history.csv").exists() {
        return Vec::new();
    }
    crate::common::read_links(&dir.join("history.csv"))
}

/// The statuses of resource `id`'s recent checks in `<dir>/state.json`, oldest first.
fn recent(dir: &Path, id: &str) -> Vec<String> {
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("state.json")).unwrap()).unwrap();
    let today = linkwatch::time::date(linkwatch::time::now());
    state["resources"][id]["recent"]
        .as_array()
        .unwrap_or_else(|| panic!("{id} has no recent checks: {state}"))
        .iter()
        .map(|v| {
            let (date, status) = v.as_str().unwrap().split_once(' ').unwrap();
            assert_eq!(date, today, "{v}");
            status.to_string()
        })
        .collect()
}

/// What an SVG document holds: every `data-status` of a `<g class="series">`, and the text of
/// every `<text class="date">`. Panics when it is not well-formed XML.
fn parse_svg(svg: &str) -> (Vec<String>, Vec<String>) {
    let mut reader = quick_xml::Reader::from_str(svg);
    reader.config_mut().check_end_names = true;
    let (mut series, mut dates) = (Vec::new(), Vec::new());
    let mut in_date = false;
    let mut depth = 0usize;
    let mut roots = 0;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                let name = e.name();
                let name: &str = name.as_ref();
                if depth == 0 {
                    assert_eq!(name, "svg");
                    roots += 1;
                }
                depth += 1;
                let attr = |key: &str| {
                    e.try_get_attribute(key)
                        .unwrap()
                        .map(|a| a.value.into_owned())
                };
                if name == "g" && attr("class").as_deref() == Some("series") {
                    series.push(attr("data-status").expect("a series names its status"));
                }
                in_date = name == "text" && attr("class").as_deref() == Some("date");
            }
            Event::End(_) => {
                depth -= 1;
                in_date = false;
            }
            Event::Text(t) if in_date => dates.push(t.xml10_content().into_owned()),
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(
        (roots, depth),
        (1, 0),
        "one <svg> root, every element closed"
    );
    (series, dates)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audits_build_the_csv_the_timelines_the_chart_and_the_report() {
    let server = TestServer::start().await;
    server.route(
        "/steady",
        Reply::html("<title>Steady</title><p>always here</p>"),
    );
    server.route(
        "/flaky",
        Reply::html("<title>Flaky</title><p>sometimes here</p>"),
    );
    let project = Project::new(&[
        res("steady", server.url("/steady")),
        res("flaky", server.url("/flaky")),
    ]);
    let reports = project.reports();

    let out = check(project.path(), &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(history_rows(&reports).len(), 1);
    assert!(
        !reports.join("history.svg").exists(),
        "one audit is no chart"
    );
    let report = std::fs::read_to_string(reports.join("report.md")).unwrap();
    assert!(
        report.contains(
            "The chart of statuses per audit appears once there are 2 complete audits (1 so far)."
        ),
        "{report}"
    );
    assert!(!report.contains("history.svg"), "{report}");

    server.route("/flaky", Reply::status(503));
    check(project.path(), &[]).await;
    server.route(
        "/flaky",
        Reply::html("<title>Flaky</title><p>sometimes here</p>"),
    );
    check(project.path(), &[]).await;
    server.route("/flaky", Reply::status(503));
    // A partial run checks its resources but is no audit of the catalog.
    check(project.path(), &["--only", "flaky"]).await;
    assert_eq!(history_rows(&reports).len(), 3, "--only adds no row");
    server.route("/flaky", Reply::status(404));
    let out = check(project.path(), &[]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    let rows = history_rows(&reports);
    let column = |name: &str| -> Vec<&str> { rows.iter().map(|r| r[name].as_str()).collect() };
    assert_eq!(column("ok"), ["2", "1", "2", "1"]);
    assert_eq!(column("failing"), ["0", "1", "0", "0"]);
    assert_eq!(column("broken"), ["0", "0", "0", "1"]);
    assert_eq!(column("checked"), ["2", "2", "2", "2"]);
    for row in &rows {
        assert!(row["finished_at"].ends_with('Z'), "{row:?}");
        assert!(row["duration_s"].parse::<f64>().unwrap() >= 0.0, "{row:?}");
    }
    let header = std::fs::read_to_string(reports.join("history.csv")).unwrap();
    assert!(
        header.starts_with(
            "finished_at,ok,hijacked,moved,changed,soft404,broken,failing,blocked,skipped,checked,duration_s\n"
        ),
        "{header}"
    );

    assert_eq!(recent(&reports, "steady"), ["ok"; 4]);
    assert_eq!(
        recent(&reports, "flaky"),
        ["ok", "failing", "ok", "failing", "broken"],
        "the partial run's check is in the timeline too"
    );

    let svg = std::fs::read_to_string(reports.join("history.svg")).unwrap();
    let (series, dates) = parse_svg(&svg);
    let every: Vec<String> = linkwatch::status::Status::ALL
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(series, every, "one series per status");
    let today = linkwatch::time::date(linkwatch::time::now());
    assert_eq!(dates, vec![today.clone(); 4], "a date under each audit");
    assert!(svg.contains(r##"fill="#ffffff""##), "its own background");

    let report = std::fs::read_to_string(reports.join("report.md")).unwrap();
    let chart = report.find("![Audit history](history.svg)").expect("chart");
    assert!(
        chart < report.find("| status | links |").unwrap(),
        "above the tables"
    );
    assert!(
        report.contains("\nBetween the last two complete audits: `ok` -1, `broken` +1.\n"),
        "{report}"
    );
    assert!(
        report.contains("Recent checks, oldest first: ✅ `ok` · "),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "| ✅⚠️✅⚠️❌ broken in 1 of the last 5 checks, since {today} | find its new address, or remove it |"
        )),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_prints_the_trend_and_one_resource_timeline() {
    let server = TestServer::start().await;
    server.route("/a", Reply::html("<title>A</title><p>a</p>"));
    server.route("/b", Reply::html("<title>B</title><p>b</p>"));
    let project = Project::new(&[
        res("alpha", server.url("/a")),
        res("beta", server.url("/b")),
    ]);
    check(project.path(), &[]).await;
    server.route("/b", Reply::status(404));
    check(project.path(), &[]).await;
    server.route("/b", Reply::html("<title>B</title><p>b</p>"));
    check(project.path(), &[]).await;
    let today = linkwatch::time::date(linkwatch::time::now());

    let md = project.run(&["history"]);
    assert_eq!(md.status.code(), Some(0), "{}", stderr(&md));
    let md = stdout(&md);
    assert!(
        md.starts_with("# Audit history\n\n| finished | `ok` | `broken` | checked | seconds |\n"),
        "{md}"
    );
    assert!(
        md.contains("\nSince the previous audit: `ok` +1, `broken` -1.\n"),
        "{md}"
    );
    assert!(
        md.contains(&format!(
            "| `beta` | 2 | ✅❌✅ ok in 2 of the last 3 checks, since {today} |"
        )),
        "{md}"
    );
    assert!(!md.contains("`alpha`"), "alpha never changed: {md}");

    let csv = project.run(&["history", "--format", "csv"]);
    assert_eq!(
        stdout(&csv),
        std::fs::read_to_string(project.reports().join("history.csv")).unwrap()
    );

    let json = project.run(&["history", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(json["audits"].as_array().unwrap().len(), 3);
    assert_eq!(json["audits"][1]["counts"]["broken"], 1);
    assert_eq!(json["most_changed"][0]["id"], "beta");
    assert_eq!(json["most_changed"][0]["changes"], 2);

    let one = project.run(&["history", "--id", "beta", "--format", "csv"]);
    assert_eq!(
        stdout(&one),
        format!("date,status\n{today},ok\n{today},broken\n{today},ok\n")
    );
    let one = project.run(&["history", "--id", "beta"]);
    assert!(
        stdout(&one).starts_with(&format!(
            "# `beta`: recent checks\n\n✅❌✅ ok in 2 of the last 3 checks, since {today}\n"
        )),
        "{}",
        stdout(&one)
    );
    let unknown = project.run(&["history", "--id", "gamma"]);
    assert_eq!(unknown.status.code(), Some(2), "{}", stderr(&unknown));
    assert!(
        stderr(&unknown).contains("not in the baseline: gamma"),
        "{}",
        stderr(&unknown)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shards_add_no_row_and_merge_adds_one() {
    let servers = TestServer::start_many(4).await;
    let mut resources = Vec::new();
    for (h, server) in servers.iter().enumerate() {
        server.route(
            "/",
            Reply::html(&format!("<title>Host {h}</title><p>host {h}</p>")),
        );
        resources.push(res(&format!("page-{h}"), server.url("/")));
    }
    let project = Project::new(&resources);
    let root = project.path();
    check(root, &["--out", "base"]).await;
    for k in 1..=2 {
        let dir = format!("s{k}");
        copy_dir(&root.join("base"), &root.join(&dir));
        check(root, &["--out", &dir, "--shard", &format!("{k}/2")]).await;
        assert_eq!(
            history_rows(&root.join(&dir)).len(),
            1,
            "a shard adds no row"
        );
    }
    let merge = run_in(root, &["merge", "s1", "s2", "--out", "base"]);
    assert_eq!(merge.status.code(), Some(0), "{}", stderr(&merge));
    let rows = history_rows(&root.join("base"));
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1]["ok"], "4");
    let counts: BTreeMap<String, usize> = (0..4)
        .map(|h| {
            let id = format!("page-{h}");
            let n = recent(&root.join("base"), &id).len();
            (id, n)
        })
        .collect();
    assert!(
        counts.values().all(|&n| n == 2),
        "one check per audit: {counts:?}"
    );
    assert!(root.join("base").join("history.svg").exists());
}
