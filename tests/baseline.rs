//! Two-audit tests of the baseline: content changes, noise, documents, soft-404s, confirmation of
//! failures, flip-flopping pages, `accept`, and saving that never loses a good baseline.

use linkwatch::catalog::{Entry, Kind, Resource, Watch};
use linkwatch::check::{Fetch, Hop};
use linkwatch::content;
use linkwatch::state::{self, Assessment, Baseline, Selection, Snapshots, StateError};
use linkwatch::status::Status;
use std::path::Path;
use std::process::Command;

const URL: &str = "https://example.org/guides/interview";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new("tests/fixtures/pages").join(name)).unwrap()
}

fn entry(id: &str, folder: &str, watch: Option<Watch>) -> Entry {
    Entry {
        folder: folder.to_string(),
        resource: Resource {
            watch,
            ..Resource::new(
                id,
                "Forensic interview guide",
                URL,
                Kind::Guide,
                "Example Center",
            )
        },
    }
}

fn answer(final_url: &str, status: u16, content_type: &str, body: Vec<u8>) -> Fetch {
    Fetch {
        chain: vec![Hop::new(final_url, status)],
        final_url: final_url.to_string(),
        http_status: Some(status),
        content_type: Some(content_type.to_string()),
        wire_bytes: body.len() as u64,
        body,
        attempts: 1,
        got_http_answer: true,
        ..Fetch::default()
    }
}

fn html(name: &str) -> Fetch {
    answer(URL, 200, "text/html; charset=utf-8", fixture(name))
}

fn html_text(body: &str) -> Fetch {
    answer(URL, 200, "text/html", body.as_bytes().to_vec())
}

fn ok() -> (Status, String) {
    (Status::Ok, "200 OK".to_string())
}

fn day(n: u8) -> jiff::Timestamp {
    format!("2026-11-{n:02}T06:00:00Z").parse().unwrap()
}

/// One audit of one resource, as the orchestrator runs it: load, assess, save.
fn audit(out: &Path, entry: &Entry, fetch: &Fetch, network: (Status, String), n: u8) -> Assessment {
    let mut baseline = Baseline::load(out).unwrap();
    let snapshots = Snapshots::new(out);
    let a = state::assess(&mut baseline, &snapshots, entry, fetch, network, 2, day(n)).unwrap();
    baseline.save(out, &snapshots).unwrap();
    a
}

fn resource_state(out: &Path, id: &str) -> state::ResourceState {
    Baseline::load(out).unwrap().resources[id].clone()
}

fn read(out: &Path, rel: &str) -> Vec<u8> {
    std::fs::read(out.join(rel)).unwrap()
}

fn accept_ids(out: &Path, ids: &[&str]) -> Vec<state::Accepted> {
    let ids = ids.iter().map(|s| s.to_string()).collect();
    state::accept(out, &Selection::Ids(ids), false, day(28)).unwrap()
}

#[test]
fn first_audit_records_the_baseline_with_the_title_on_the_first_line() {
    let dir = tempfile::tempdir().unwrap();
    let a = audit(
        dir.path(),
        &entry("guide", "f", None),
        &html("guide.html"),
        ok(),
        1,
    );
    assert_eq!(a.status, Status::Ok);
    assert_eq!(a.baseline_at, Some(day(1)));
    let snapshot = String::from_utf8(read(dir.path(), "snapshots/guide.txt")).unwrap();
    let mut lines = snapshot.lines();
    assert_eq!(
        lines.next(),
        Some("Forensic Interview Guide | Example Center")
    );
    assert_eq!(lines.next(), Some(""));
    assert_eq!(lines.next(), Some("Forensic Interview Guide"));
    assert!(
        snapshot.contains(
            "\nBefore the interview, the team shares what is known about the allegation.\n"
        )
    );
    assert!(!snapshot.contains("Last updated"));
    assert!(!snapshot.contains("About"), "navigation is not content");
    let st = resource_state(dir.path(), "guide");
    assert_eq!(
        st.title.as_deref(),
        Some("Forensic Interview Guide | Example Center")
    );
    assert_eq!(st.last_status, Some(Status::Ok));
    assert_eq!(st.folder, "f");
}

#[test]
fn a_real_rewrite_is_changed_and_stays_changed_until_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let e = entry("guide", "f", None);
    audit(out, &e, &html("guide.html"), ok(), 1);
    let a = audit(out, &e, &html("guide-rewritten.html"), ok(), 2);
    assert_eq!(a.status, Status::Changed, "{a:?}");
    let change = a.change.clone().unwrap();
    assert!(
        change.reasons[0].starts_with("similarity "),
        "{:?}",
        change.reasons
    );
    assert!(change.similarity.unwrap() < content::DEFAULT_SIMILARITY_THRESHOLD);
    assert!(change.words_added > 0 && change.words_removed > 0);
    assert!(!change.diff_excerpt.is_empty() && change.diff_excerpt.len() <= 15);
    assert!(
        change
            .diff_excerpt
            .iter()
            .any(|l| l.starts_with("+Our guidance"))
    );
    assert!(
        a.detail
            .starts_with("content changed (first seen 2026-11-02): similarity")
    );
    assert!(out.join("snapshots/pending/guide.txt").exists());

    let again = audit(out, &e, &html("guide-rewritten.html"), ok(), 3);
    assert_eq!(
        again.status,
        Status::Changed,
        "stays changed until accepted"
    );
    assert_eq!(again.change, a.change);

    let accepted = accept_ids(out, &["guide"]);
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].id, "guide");
    assert_eq!(accepted[0].similarity, change.similarity);
    assert!(!out.join("snapshots/pending/guide.txt").exists());
    assert_eq!(
        String::from_utf8(read(out, "snapshots/guide.txt")).unwrap(),
        content::extract(
            &fixture("guide-rewritten.html"),
            Some("text/html"),
            &Watch::default()
        )
        .snapshot()
    );
    let after = audit(out, &e, &html("guide-rewritten.html"), ok(), 4);
    assert_eq!(after.status, Status::Ok);
    assert_eq!(after.baseline_at, Some(day(28)));
}

#[test]
fn timestamps_csrf_tokens_and_nonces_are_not_a_change() {
    let dir = tempfile::tempdir().unwrap();
    let e = entry("guide", "f", None);
    audit(dir.path(), &e, &html("guide.html"), ok(), 1);
    let before = read(dir.path(), "snapshots/guide.txt");
    let a = audit(dir.path(), &e, &html("guide-noise.html"), ok(), 2);
    assert_eq!(
        (a.status, a.similarity, a.change),
        (Status::Ok, Some(1.0), None)
    );
    assert_eq!(read(dir.path(), "snapshots/guide.txt"), before);
}

#[test]
fn a_replaced_pdf_is_changed_and_304_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let e = entry("report", "f", None);
    let mut v1 = answer(
        URL,
        200,
        "application/pdf",
        b"%PDF-1.7 first edition".to_vec(),
    );
    v1.etag = Some("\"v1\"".to_string());
    v1.last_modified = Some("Mon, 02 Nov 2026 10:00:00 GMT".to_string());
    assert_eq!(audit(out, &e, &v1, ok(), 1).status, Status::Ok);
    let baseline = Baseline::load(out).unwrap();
    assert_eq!(
        baseline.conditional("report"),
        (
            Some("\"v1\"".to_string()),
            Some("Mon, 02 Nov 2026 10:00:00 GMT".to_string())
        )
    );
    assert_eq!(baseline.conditional("unknown"), (None, None));

    let not_modified = answer(URL, 304, "application/pdf", Vec::new());
    let a = audit(out, &e, &not_modified, ok(), 2);
    assert_eq!((a.status, a.change), (Status::Ok, None));
    assert_eq!(resource_state(out, "report").length, Some(22));

    let v2 = answer(
        URL,
        200,
        "application/pdf",
        b"%PDF-1.7 second edition, revised".to_vec(),
    );
    let a = audit(out, &e, &v2, ok(), 3);
    assert_eq!(a.status, Status::Changed);
    assert_eq!(
        a.change.unwrap().reasons,
        vec!["document changed (22 → 32 bytes)"]
    );
}

#[test]
fn a_304_without_a_baseline_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let not_modified = answer(URL, 304, "text/html", Vec::new());
    let a = audit(
        dir.path(),
        &entry("guide", "f", None),
        &not_modified,
        ok(),
        1,
    );
    assert_eq!(a.status, Status::Ok);
    assert_eq!(resource_state(dir.path(), "guide").fingerprint, None);
    assert!(!dir.path().join("snapshots/guide.txt").exists());
}

#[test]
fn a_page_that_starts_answering_404_is_broken_and_keeps_its_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let e = entry("guide", "f", None);
    audit(out, &e, &html("guide.html"), ok(), 1);
    let before = (
        resource_state(out, "guide"),
        read(out, "snapshots/guide.txt"),
    );
    let gone = answer(URL, 404, "text/html", fixture("not-found.html"));
    let a = audit(
        out,
        &e,
        &gone,
        (Status::Broken, "404 Not Found".to_string()),
        2,
    );
    assert_eq!(
        (a.status, a.detail.as_str()),
        (Status::Broken, "404 Not Found")
    );
    assert_eq!(a.failing_since, Some(day(2)));
    let after = resource_state(out, "guide");
    assert_eq!(after.fingerprint, before.0.fingerprint);
    assert_eq!(after.accepted_fingerprints, before.0.accepted_fingerprints);
    assert_eq!(after.last_good_at, Some(day(1)));
    assert_eq!(read(out, "snapshots/guide.txt"), before.1);
}

#[test]
fn a_deep_link_redirected_to_the_home_page_is_a_soft_404() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let e = entry("guide", "f", None);
    audit(out, &e, &html("guide.html"), ok(), 1);
    let fingerprint = resource_state(out, "guide").fingerprint;
    let mut home = answer(
        "https://example.org/",
        200,
        "text/html",
        fixture("home.html"),
    );
    home.chain.insert(0, Hop::new(URL, 302));
    let a = audit(out, &e, &home, ok(), 2);
    assert_eq!(a.status, Status::Soft404);
    assert!(
        a.detail
            .starts_with("soft 404: deep link redirected to the home page https://example.org/"),
        "{}",
        a.detail
    );
    assert_eq!(resource_state(out, "guide").fingerprint, fingerprint);
}

#[test]
fn a_page_titled_page_not_found_is_a_soft_404_even_on_its_first_audit() {
    let dir = tempfile::tempdir().unwrap();
    let a = audit(
        dir.path(),
        &entry("guide", "f", None),
        &html("not-found.html"),
        ok(),
        1,
    );
    assert_eq!(a.status, Status::Soft404);
    assert!(
        a.detail
            .contains("title says \"Page Not Found | Example Center\""),
        "{}",
        a.detail
    );
    assert!(a.detail.contains("heading says"), "{}", a.detail);
    assert_eq!(resource_state(dir.path(), "guide").fingerprint, None);
    assert!(!dir.path().join("snapshots/guide.txt").exists());
}

#[test]
fn collapsed_text_under_a_new_title_is_a_soft_404() {
    let dir = tempfile::tempdir().unwrap();
    let e = entry("guide", "f", None);
    audit(dir.path(), &e, &html("guide.html"), ok(), 1);
    let a = audit(dir.path(), &e, &html("collapsed.html"), ok(), 2);
    assert_eq!(a.status, Status::Soft404);
    assert!(a.detail.contains("text collapsed"), "{}", a.detail);
}

#[test]
fn a_persistent_500_is_failing_then_broken_since_its_first_failure_and_recovery_resets() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let e = entry("guide", "f", None);
    audit(out, &e, &html("guide.html"), ok(), 1);
    let error = answer(URL, 500, "text/html", b"oops".to_vec());
    let failing = || (Status::Failing, "500 Internal Server Error".to_string());

    let a = audit(out, &e, &error, failing(), 2);
    assert_eq!((a.status, a.failing_since), (Status::Failing, Some(day(2))));
    assert_eq!(
        (a.detail.as_str(), a.failing_audits),
        (
            "500 Internal Server Error; failing in 1 audit since 2026-11-02",
            1
        )
    );
    let a = audit(out, &e, &error, failing(), 3);
    assert_eq!((a.status, a.failing_since), (Status::Broken, Some(day(2))));
    assert_eq!(
        a.detail,
        "broken since 2026-11-02: 500 Internal Server Error"
    );
    assert_eq!(resource_state(out, "guide").consecutive_failures, 2);

    let a = audit(out, &e, &html("guide.html"), ok(), 4);
    assert_eq!((a.status, a.failing_since), (Status::Ok, None));
    let st = resource_state(out, "guide");
    assert_eq!((st.consecutive_failures, st.failing_since), (0, None));

    let a = audit(out, &e, &error, failing(), 5);
    assert_eq!((a.status, a.failing_since), (Status::Failing, Some(day(5))));
}

#[test]
fn a_page_flipping_between_two_versions_alerts_once_at_most() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let e = entry("guide", "f", None);
    let (a, b) = (html("guide.html"), html("guide-rewritten.html"));
    assert_eq!(audit(out, &e, &a, ok(), 1).status, Status::Ok);
    assert_eq!(audit(out, &e, &b, ok(), 2).status, Status::Changed);
    assert_eq!(
        audit(out, &e, &a, ok(), 3).status,
        Status::Changed,
        "until accepted"
    );
    assert_eq!(accept_ids(out, &["guide"]).len(), 1);
    for (n, version) in [(4, &a), (5, &b), (6, &a), (7, &b)] {
        let result = audit(out, &e, version, ok(), n);
        assert_eq!(result.status, Status::Ok, "audit {n}: {result:?}");
    }
    assert_eq!(resource_state(out, "guide").accepted_fingerprints.len(), 2);
}

#[test]
fn a_selector_that_stops_matching_is_reported_not_taken_as_a_change() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let watch = Watch {
        selector: Some("#steps".to_string()),
        ..Watch::default()
    };
    let e = entry("guide", "f", Some(watch));
    let with = html_text("<title>Steps</title><ol id=steps><li>Plan.</li><li>Interview.</li></ol>");
    audit(out, &e, &with, ok(), 1);
    assert_eq!(
        read(out, "snapshots/guide.txt"),
        b"Steps\n\nPlan.\nInterview.\n"
    );
    let without =
        html_text("<title>Steps</title><div id=redesigned>Something else entirely.</div>");
    let a = audit(out, &e, &without, ok(), 2);
    assert_eq!(a.status, Status::Ok);
    assert_eq!(
        a.detail,
        "200 OK; selector `#steps` matches nothing, content not compared"
    );
    assert_eq!(
        read(out, "snapshots/guide.txt"),
        b"Steps\n\nPlan.\nInterview.\n"
    );
    assert!(resource_state(out, "guide").pending.is_none());
}

#[test]
fn expected_text_that_is_gone_is_a_change() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let watch = Watch {
        expect: Some("call the HOTLINE".to_string()),
        ..Watch::default()
    };
    let e = entry("guide", "f", Some(watch));
    audit(out, &e, &html("guide.html"), ok(), 1);
    let body = String::from_utf8(fixture("guide.html"))
        .unwrap()
        .replace("Call the hotline", "Phone us");
    let a = audit(out, &e, &html_text(&body), ok(), 2);
    assert_eq!(a.status, Status::Changed);
    let change = a.change.unwrap();
    assert_eq!(
        change.reasons,
        vec!["expected text \"call the HOTLINE\" is gone"]
    );
    assert!(change.similarity.unwrap() > 0.9);
}

#[test]
fn content_false_never_reports_a_change() {
    let dir = tempfile::tempdir().unwrap();
    let watch = Watch {
        content: Some(false),
        ..Watch::default()
    };
    let e = entry("guide", "f", Some(watch));
    assert_eq!(
        audit(dir.path(), &e, &html("guide.html"), ok(), 1).status,
        Status::Ok
    );
    let a = audit(dir.path(), &e, &html("guide-rewritten.html"), ok(), 2);
    assert_eq!((a.status, a.change), (Status::Ok, None));
    assert!(!dir.path().join("snapshots/guide.txt").exists());
}

#[test]
fn a_moved_page_whose_content_changed_stays_moved_with_the_change_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let e = entry("guide", "f", None);
    audit(dir.path(), &e, &html("guide.html"), ok(), 1);
    let moved = (
        Status::Moved,
        "permanent redirect (301) to https://example.org/new".to_string(),
    );
    let a = audit(dir.path(), &e, &html("guide-rewritten.html"), moved, 2);
    assert_eq!(a.status, Status::Moved);
    assert!(a.change.is_some());
}

#[test]
fn blocked_never_becomes_a_content_status_nor_replaces_the_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let e = entry("guide", "f", None);
    audit(dir.path(), &e, &html("guide.html"), ok(), 1);
    let before = resource_state(dir.path(), "guide");
    let challenge = answer(URL, 403, "text/html", fixture("not-found.html"));
    let blocked = (Status::Blocked, "403 bot challenge".to_string());
    let a = audit(dir.path(), &e, &challenge, blocked, 2);
    assert_eq!((a.status, a.change), (Status::Blocked, None));
    let after = resource_state(dir.path(), "guide");
    assert_eq!(
        (after.fingerprint, after.title),
        (before.fingerprint, before.title)
    );
}

#[test]
fn state_file_round_trips_and_refuses_other_versions_and_corrupt_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    assert_eq!(Baseline::load(out).unwrap(), Baseline::default());
    audit(
        out,
        &entry("guide", "f", None),
        &html("guide.html"),
        ok(),
        1,
    );
    audit(
        out,
        &entry("guide", "f", None),
        &html("guide-rewritten.html"),
        ok(),
        2,
    );
    let loaded = Baseline::load(out).unwrap();
    assert_eq!(loaded.schema_version, state::SCHEMA_VERSION);
    assert!(loaded.resources["guide"].pending.is_some());
    let text = std::fs::read_to_string(out.join("state.json")).unwrap();
    assert_eq!(serde_json::to_string_pretty(&loaded).unwrap() + "\n", text);

    std::fs::write(
        out.join("state.json"),
        text.replace("\"schema_version\": 1", "\"schema_version\": 99"),
    )
    .unwrap();
    let err = Baseline::load(out).unwrap_err();
    assert!(matches!(err, StateError::Version { .. }));
    assert!(
        err.to_string()
            .contains("state.json: schema_version 99 is not supported"),
        "{err}"
    );

    std::fs::write(out.join("state.json"), "{ not json").unwrap();
    let err = Baseline::load(out).unwrap_err();
    assert!(
        err.to_string()
            .contains("state.json: not a linkwatch baseline"),
        "{err}"
    );
}

#[test]
fn saving_a_partial_run_leaves_unassessed_resources_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let (one, two) = (entry("one", "a", None), entry("two", "b", None));
    let mut baseline = Baseline::load(out).unwrap();
    let snapshots = Snapshots::new(out);
    for e in [&one, &two] {
        state::assess(
            &mut baseline,
            &snapshots,
            e,
            &html("guide.html"),
            ok(),
            2,
            day(1),
        )
        .unwrap();
    }
    baseline.save(out, &snapshots).unwrap();
    let two_before = (resource_state(out, "two"), read(out, "snapshots/two.txt"));

    // The next run is interrupted after checking only `one`, which changed.
    audit(out, &one, &html("guide-rewritten.html"), ok(), 2);
    assert!(resource_state(out, "one").pending.is_some());
    assert_eq!(resource_state(out, "two"), two_before.0);
    assert_eq!(read(out, "snapshots/two.txt"), two_before.1);
    let leftovers: Vec<_> = std::fs::read_dir(out.join("snapshots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".linkwatch-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A save with nothing assessed rewrites nothing.
    let modified = std::fs::metadata(out.join("state.json"))
        .unwrap()
        .modified()
        .unwrap();
    Baseline::load(out)
        .unwrap()
        .save(out, &Snapshots::new(out))
        .unwrap();
    assert_eq!(
        std::fs::metadata(out.join("state.json"))
            .unwrap()
            .modified()
            .unwrap(),
        modified
    );
}

#[test]
fn accept_all_of_a_folder_and_unknown_ids() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    for (id, folder) in [("one", "a"), ("two", "b")] {
        audit(out, &entry(id, folder, None), &html("guide.html"), ok(), 1);
        audit(
            out,
            &entry(id, folder, None),
            &html("guide-rewritten.html"),
            ok(),
            2,
        );
    }
    let only_a = Selection::All {
        folder: Some("a".to_string()),
    };
    let accepted = state::accept(out, &only_a, false, day(3)).unwrap();
    assert_eq!(
        accepted.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["one"]
    );
    assert!(resource_state(out, "two").pending.is_some());
    assert!(
        state::accept(out, &only_a, false, day(3))
            .unwrap()
            .is_empty()
    );

    let err = state::accept(
        out,
        &Selection::Ids(vec!["two".into(), "nope".into()]),
        false,
        day(3),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "not in the baseline: nope");
    assert!(
        resource_state(out, "two").pending.is_some(),
        "nothing accepted on error"
    );
    let err = state::accept(
        out,
        &Selection::All {
            folder: Some("zzz".into()),
        },
        false,
        day(3),
    )
    .unwrap_err();
    assert!(matches!(err, StateError::UnknownFolder { .. }));
}

fn linkwatch(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_linkwatch"))
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn accept_command_says_what_it_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let e = entry("guide", "f", None);
    audit(out, &e, &html("guide.html"), ok(), 1);
    let mut renamed = String::from_utf8(fixture("guide-rewritten.html")).unwrap();
    renamed = renamed.replace(
        "<title>Forensic Interview Guide",
        "<title>Interview Training",
    );
    audit(out, &e, &html_text(&renamed), ok(), 2);
    let out_arg = out.to_str().unwrap();

    let (code, stdout, stderr) = linkwatch(&["accept", "nope", "--out", out_arg]);
    assert_eq!(code, 2);
    assert_eq!(stderr, "linkwatch: error: not in the baseline: nope\n");
    assert!(stdout.is_empty());

    let (code, stdout, _) = linkwatch(&["accept", "guide", "--out", out_arg]);
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        "accepted guide: \"Forensic Interview Guide | Example Center\" → \"Interview Training | \
         Example Center\", similarity 0.32 (title changed; similarity 0.32 is below 0.90)\n"
    );
    assert_eq!(resource_state(out, "guide").accepted_fingerprints.len(), 2);

    let (code, stdout, _) = linkwatch(&["accept", "guide", "--out", out_arg]);
    assert_eq!((code, stdout.as_str()), (0, "guide: nothing pending\n"));
    let (code, stdout, _) = linkwatch(&["accept", "--all", "--out", out_arg]);
    assert_eq!((code, stdout.as_str()), (0, "nothing pending to accept\n"));
}

mod extraction_never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn on_any_bytes(body in proptest::collection::vec(any::<u8>(), 0..2048),
                        ct in prop::sample::select(vec!["text/html; charset=shift_jis", "text/plain", "application/pdf", ""])) {
            let ct = (!ct.is_empty()).then_some(ct);
            let page = content::extract(&body, ct, &Watch::default());
            prop_assert!(page.fingerprint.len() == 64);
        }
    }
}
