//! CLI tests for catalog maintenance: export, import, fmt, fix and add, on fixture catalogs.

use crate::common::{Project, res, run_in, snapshot_dir, stderr, stdout};
use crate::support::{Reply, TestServer};
use linkwatch::check::Hop;
use linkwatch::report::Outcome;
use linkwatch::report::{AuditResults, CatalogInfo, FolderInfo, RESULTS_SCHEMA_VERSION};
use linkwatch::status::Status;
use std::path::{Path, PathBuf};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/maintenance");

/// A temporary project whose `catalog/` is a copy of fixture catalog `name`.
fn project(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog");
    std::fs::create_dir_all(&catalog).unwrap();
    for entry in std::fs::read_dir(Path::new(FIXTURES).join(name)).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, catalog.join(path.file_name().unwrap())).unwrap();
    }
    dir
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join("catalog").join(file)).unwrap()
}

fn code(out: &std::process::Output) -> i32 {
    out.status.code().expect("exit code")
}

fn outcome(id: &str, folder: &str, url: &str, status: Status, chain: &[(&str, u16)]) -> Outcome {
    let at: jiff::Timestamp = "2026-11-27T10:00:00Z".parse().unwrap();
    Outcome {
        id: id.into(),
        folder: folder.into(),
        title: format!("Title of {id}"),
        url: url.into(),
        status,
        http_status: chain.last().map(|h| h.1),
        final_url: chain.last().map(|h| h.0.to_owned()),
        detail: String::new(),
        checked_at: at,
        redirects: chain
            .iter()
            .map(|(url, status)| Hop::new(*url, *status))
            .collect(),
        attempts: 1,
        elapsed_ms: 5,
        content_type: Some("text/html".into()),
        bytes: Some(100),
        similarity: None,
        baseline_at: None,
        failing_since: (status == Status::Failing).then_some(at),
        change: None,
        failing_audits: u32::from(status == Status::Failing),
        archived: None,
    }
}

/// Writes `reports/results.json` with `outcomes`, as `check` would.
fn write_results(dir: &Path, outcomes: Vec<Outcome>) {
    let at: jiff::Timestamp = "2026-11-27T10:00:00Z".parse().unwrap();
    let results = AuditResults {
        schema_version: RESULTS_SCHEMA_VERSION,
        catalog: CatalogInfo {
            title: "Test toolkit".into(),
            publisher: "Tests".into(),
            folders: vec![
                FolderInfo {
                    id: "web".into(),
                    title: "Web pages".into(),
                },
                FolderInfo {
                    id: "docs".into(),
                    title: "Documents".into(),
                },
            ],
        },
        started_at: at,
        finished_at: at,
        complete: true,
        selected: outcomes.len(),
        only: Vec::new(),
        shard: None,
        confirm_after: 2,
        outcomes,
        checked_this_run: Vec::new(),
        baseline_digest: None,
        network_down: false,
    };
    linkwatch::report::write_all(
        &dir.join("reports"),
        &results,
        &linkwatch::report::history::Past::default(),
    )
    .unwrap();
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn export_csv_neutralises_formulas_and_keeps_non_ascii_text() {
    let dir = project("basic");
    let out = run_in(dir.path(), &["export"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with(
        "folder,folder_title,id,title,url,kind,organization,audience,tags,description,added,\
         reviewed,status,http_status,final_url,checked_at,failing_since,archived\n"
    ));
    let rows = csv_rows(&text);
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0][3],
        "'=HYPERLINK(\"https://evil.example/\",\"click\")"
    );
    assert_eq!(rows[0][6], "'-Org");
    assert_eq!(rows[0][8], "x, y");
    assert_eq!(
        rows[1][3],
        "Protection de l'enfance – guide « pratique » 子ども"
    );
    assert_eq!(rows[1][7], "caregiver, educator");
    assert_eq!(rows[1][9], "Ünïcödé, with a comma");
    assert!(rows.iter().all(|r| r[12].is_empty()), "no audit, no status");
}

#[test]
fn export_adds_the_last_audit_when_there_is_one() {
    let dir = project("basic");
    write_results(
        dir.path(),
        vec![
            outcome(
                "formula",
                "web",
                "https://a.example/page",
                Status::Failing,
                &[("https://a.example/page", 503)],
            ),
            outcome(
                "report",
                "docs",
                "https://c.example/report.pdf",
                Status::Ok,
                &[("https://c.example/report.pdf", 200)],
            ),
        ],
    );
    let out = run_in(dir.path(), &["export", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json[0]["status"], "failing");
    assert_eq!(json[0]["http_status"], 503);
    assert_eq!(json[0]["failing_since"], "2026-11-27T10:00:00Z");
    assert_eq!(
        json[0]["title"],
        "=HYPERLINK(\"https://evil.example/\",\"click\")"
    );
    assert_eq!(json[1]["status"], serde_json::Value::Null);
    assert_eq!(json[2]["status"], "ok");
    assert_eq!(json[2]["final_url"], "https://c.example/report.pdf");
}

#[test]
fn export_md_has_a_table_per_folder_with_escaped_text() {
    let dir = project("basic");
    let out = run_in(dir.path(), &["export", "--format", "md"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("## Web pages (`web`)"), "{text}");
    assert!(text.contains("## Documents (`docs`)"), "{text}");
    // The URL inside the title is text, not a link: GitHub must not make it clickable.
    assert!(text.contains("| formula | =HYPERLINK\\(\"https\u{200b}://evil.example/\",\"click\"\\) | <https://a.example/page> |"), "{text}");
    assert!(text.contains("子ども"));
}

#[test]
fn export_xlsx_needs_output_and_reads_back() {
    use calamine::{Data, Reader, Xlsx};
    let dir = project("basic");
    let out = run_in(dir.path(), &["export", "--format", "xlsx"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--output"), "{}", stderr(&out));

    let out = run_in(
        dir.path(),
        &["export", "--format", "xlsx", "--output", "toolkit.xlsx"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut book: Xlsx<_> = calamine::open_workbook(dir.path().join("toolkit.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), vec!["All", "web", "docs"]);
    let all = book.worksheet_range("All").unwrap();
    assert_eq!(all.height(), 4);
    assert_eq!(all.get((0, 0)), Some(&Data::String("folder".into())));
    assert_eq!(
        all.get((1, 3)),
        Some(&Data::String(
            "=HYPERLINK(\"https://evil.example/\",\"click\")".into()
        )),
        "a spreadsheet cell holds the text itself, not a formula"
    );
    assert_eq!(
        all.get((2, 3)),
        Some(&Data::String(
            "Protection de l'enfance – guide « pratique » 子ども".into()
        ))
    );
    assert_eq!(
        all.get((3, 4)),
        Some(&Data::String("https://c.example/report.pdf".into()))
    );
    let docs = book.worksheet_range("docs").unwrap();
    assert_eq!(docs.height(), 2);
    assert_eq!(docs.get((1, 2)), Some(&Data::String("report".into())));
}

#[test]
fn fmt_check_reports_a_diff_and_fmt_keeps_comments() {
    let dir = project("messy");
    let before = read(dir.path(), "web.toml");
    let out = run_in(dir.path(), &["fmt", "--check"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("-url='https://a.example/page'   # the canonical address"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("+title = \"A page\""),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        read(dir.path(), "web.toml"),
        before,
        "--check changes nothing"
    );

    let out = run_in(dir.path(), &["fmt"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        read(dir.path(), "web.toml"),
        "# Pages on the web.\n# Keep these comments.\n\n[[resource]]\nid = \"a-page\"\n\
         title = \"A page\"\nurl = \"https://a.example/page\" # the canonical address\n\
         kind = \"website\"\norganization = \"Org\"\ntags = [\"x\", \"y\"]\n\n\
         # Second one, after two blank lines.\n[[resource]]\nid = \"b-guide\"\ntitle = \"B\"\n\
         url = \"https://b.example/\"\nkind = \"guide\"\norganization = \"Org\"\n\n\
         [resource.watch]\nignore = ['\\d+ visitors']\nskip = \"login\"\n"
    );
    let out = run_in(dir.path(), &["fmt", "--check"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert_eq!(code(&run_in(dir.path(), &["validate"])), 0);
}

#[test]
fn bundled_catalog_is_formatted() {
    let bundled = concat!(env!("CARGO_MANIFEST_DIR"), "/catalog");
    let out = run_in(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["fmt", "--check", "--catalog", bundled],
    );
    assert_eq!(code(&out), 0, "{}", stdout(&out));
}

#[test]
fn fix_rewrites_permanent_redirects_and_lists_doubtful_ones() {
    let dir = project("basic");
    write_results(
        dir.path(),
        vec![
            outcome(
                "formula",
                "web",
                "https://a.example/page",
                Status::Moved,
                &[
                    ("https://a.example/page", 301),
                    ("https://a.example/new-page", 200),
                ],
            ),
            outcome(
                "unicode",
                "web",
                "https://b.example/guide",
                Status::Moved,
                &[
                    ("https://b.example/guide", 308),
                    ("https://other.example/", 200),
                ],
            ),
            outcome(
                "report",
                "docs",
                "https://c.example/report.pdf",
                Status::Soft404,
                &[
                    ("https://c.example/report.pdf", 301),
                    ("https://c.example/not-found", 200),
                ],
            ),
        ],
    );
    let before = read(dir.path(), "web.toml");
    let docs_before = read(dir.path(), "docs.toml");

    let out = run_in(dir.path(), &["fix", "--dry-run"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("-url = \"https://a.example/page\"\n+url = \"https://a.example/new-page\""),
        "{text}"
    );
    assert!(
        text.contains("would update formula: https://a.example/page -> https://a.example/new-page"),
        "{text}"
    );
    assert!(text.contains("unicode: https://b.example/guide -> https://other.example/ (ends on another host's home page)"), "{text}");
    assert!(text.contains("report: https://c.example/report.pdf -> https://c.example/not-found (ends on a soft-404 page)"), "{text}");
    assert_eq!(
        read(dir.path(), "web.toml"),
        before,
        "--dry-run changes nothing"
    );

    let out = run_in(dir.path(), &["fix"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        read(dir.path(), "web.toml"),
        before.replace(
            "url = \"https://a.example/page\"",
            "url = \"https://a.example/new-page\""
        ),
        "only the moved URL changes"
    );
    assert_eq!(read(dir.path(), "docs.toml"), docs_before);
}

/// Exports the catalog as CSV into `edited.csv`, after `edit` on its text.
fn export_and_edit(dir: &Path, edit: impl FnOnce(String) -> String) -> PathBuf {
    let out = run_in(dir, &["export"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let path = dir.join("edited.csv");
    std::fs::write(&path, edit(stdout(&out))).unwrap();
    path
}

#[test]
fn import_of_an_unchanged_export_changes_nothing() {
    let dir = project("basic");
    // As a spreadsheet saves it on Windows: a byte-order mark and CRLF line ends.
    export_and_edit(dir.path(), |t| {
        format!("\u{feff}{}", t.replace('\n', "\r\n"))
    });
    let out = run_in(dir.path(), &["import", "edited.csv", "--write"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("0 to add, 0 to change, 0 to remove"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        read(dir.path(), "web.toml"),
        std::fs::read_to_string(Path::new(FIXTURES).join("basic/web.toml")).unwrap()
    );
}

#[test]
fn import_shows_and_writes_added_changed_and_removed_resources() {
    let dir = project("basic");
    export_and_edit(dir.path(), |t| {
        let t = t.replace("Annual report", "Annual report 2026");
        let t = t.replace("Ministère,", "Ministère de la Santé,");
        let mut lines: Vec<&str> = t.lines().filter(|l| !l.contains(",formula,")).collect();
        lines.push(
            "docs,Documents,new-one,A new one,https://d.example/,website,D,,\"a, b\",,,,,,,,",
        );
        lines.join("\n") + "\n"
    });
    let web_before = read(dir.path(), "web.toml");
    // Removing one of three resources is more than a quarter of the catalog: --force.
    let out = run_in(dir.path(), &["import", "edited.csv", "--prune", "--force"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("~ unicode: organization"), "{text}");
    assert!(text.contains("~ report: title"), "{text}");
    assert!(text.contains("+ new-one (folder docs)"), "{text}");
    assert!(text.contains("- formula (folder web)"), "{text}");
    assert!(text.contains("+title = \"Annual report 2026\""), "{text}");
    assert!(
        text.contains("1 to add, 2 to change, 1 to remove"),
        "{text}"
    );
    assert_eq!(
        read(dir.path(), "web.toml"),
        web_before,
        "without --write nothing changes"
    );

    let out = run_in(
        dir.path(),
        &["import", "edited.csv", "--prune", "--force", "--write"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let web = read(dir.path(), "web.toml");
    assert!(
        web.starts_with("# Pages on the web. Keep this comment.\n"),
        "{web}"
    );
    assert!(!web.contains("id = \"formula\""));
    assert!(web.contains("organization = \"Ministère de la Santé\""));
    assert!(
        web.contains("url = \"https://b.example/guide\" # moved last year"),
        "comments kept: {web}"
    );
    assert!(
        web.contains("[resource.watch]\nskip = \"behind a login\""),
        "watch kept: {web}"
    );
    let docs = read(dir.path(), "docs.toml");
    assert!(docs.ends_with(
        "\n\n[[resource]]\nid = \"new-one\"\ntitle = \"A new one\"\nurl = \"https://d.example/\"\n\
         kind = \"website\"\norganization = \"D\"\ntags = [\"a\", \"b\"]\n"
    ), "{docs}");
    assert_eq!(code(&run_in(dir.path(), &["validate"])), 0);
}

#[test]
fn import_with_a_bad_row_names_it_and_writes_nothing() {
    let dir = project("basic");
    export_and_edit(dir.path(), |t| {
        t.replace("Annual report", "Annual report 2026")
            .replace(",guide,", ",pamphlet,")
            .replace("2024-05-01", "yesterday")
    });
    let before = snapshot_dir(&dir.path().join("catalog"));
    let out = run_in(dir.path(), &["import", "edited.csv", "--write"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("edited.csv: row 2: `added` is not a date like 2024-05-01: `yesterday`"),
        "{err}"
    );
    assert!(
        err.contains("edited.csv: row 3: unknown kind `pamphlet`"),
        "{err}"
    );
    assert!(err.contains("2 bad row(s); nothing written"), "{err}");
    assert_eq!(snapshot_dir(&dir.path().join("catalog")), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_fetches_the_title_and_appends_a_formatted_resource() {
    let server = TestServer::start().await;
    server.route(
        "/guide",
        Reply::html("<html><head><title>Guía para Cuidadores: Safety First</title></head><body><p>Hi</p></body></html>"),
    );
    let dir = project("basic");
    let url = server.url("/guide");
    let root = dir.path().to_owned();
    let args = ["add", url.as_str(), "--folder", "docs", "--kind", "guide"];
    let out = tokio::task::block_in_place(|| run_in(&root, &args));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let docs = read(dir.path(), "docs.toml");
    let host = url::Url::parse(&url)
        .unwrap()
        .host_str()
        .unwrap()
        .to_owned();
    // Loaded as of today: the resource was added today, which an earlier date would refuse.
    let added =
        linkwatch::catalog::load(&dir.path().join("catalog"), linkwatch::time::today()).unwrap();
    assert!(!added.has_errors(), "{:?}", added.diagnostics);
    let today = added
        .catalog
        .resources
        .iter()
        .find(|e| e.resource.id == "guia-para-cuidadores-safety-first")
        .and_then(|e| e.resource.added)
        .expect("the new resource, with the date it was added");
    assert!(
        docs.ends_with(&format!(
            "\n\n[[resource]]\nid = \"guia-para-cuidadores-safety-first\"\n\
         title = \"Guía para Cuidadores: Safety First\"\nurl = \"{url}\"\nkind = \"guide\"\n\
         organization = \"{host}\"\nadded = {today}\n"
        )),
        "{docs}"
    );

    let out = tokio::task::block_in_place(|| {
        run_in(&root, &["add", &format!("{url}/"), "--folder", "web"])
    });
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains(
            "is already in the catalog as `guia-para-cuidadores-safety-first` (folder docs)"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn add_refuses_a_url_already_in_the_catalog() {
    let dir = project("basic");
    let before = snapshot_dir(&dir.path().join("catalog"));
    let out = run_in(
        dir.path(),
        &["add", "https://A.example/page", "--folder", "docs"],
    );
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("already in the catalog as `formula` (folder web)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(snapshot_dir(&dir.path().join("catalog")), before);
}

/// The rows of an exported CSV whose line starts with one of `prefixes`, with the header.
fn keep_lines(text: &str, prefixes: &[&str]) -> String {
    let mut lines = text.lines();
    let mut kept = vec![lines.next().unwrap()];
    kept.extend(lines.filter(|l| prefixes.iter().any(|p| l.starts_with(p))));
    kept.join("\n") + "\n"
}

#[test]
fn import_of_one_folders_sheet_or_only_new_rows_keeps_every_other_resource() {
    let dir = project("basic");
    let catalog = dir.path().join("catalog");
    let before = snapshot_dir(&catalog);

    export_and_edit(dir.path(), |t| keep_lines(&t, &["docs,"]));
    let out = run_in(dir.path(), &["import", "edited.csv", "--write"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(
            "0 to add, 0 to change, 0 to remove\n2 resource(s) without a row kept \
             (--prune removes those in the folders edited.csv has rows for)\n"
        ),
        "{text}"
    );
    assert_eq!(
        snapshot_dir(&catalog),
        before,
        "one folder's sheet removes nothing"
    );

    export_and_edit(dir.path(), |t| {
        keep_lines(&t, &[])
            + "docs,Documents,new-one,A new one,https://d.example/,website,D,,,,,,,,,,\n"
    });
    let out = run_in(dir.path(), &["import", "edited.csv", "--write"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("+ new-one (folder docs)"), "{text}");
    assert!(
        text.contains("1 to add, 0 to change, 0 to remove\n"),
        "{text}"
    );
    assert!(!text.contains("\n- "), "{text}");
    assert_eq!(
        read(dir.path(), "web.toml"),
        std::fs::read_to_string(Path::new(FIXTURES).join("basic/web.toml")).unwrap(),
        "only new rows remove nothing"
    );
    let docs = read(dir.path(), "docs.toml");
    assert!(docs.contains("id = \"report\""), "{docs}");
    assert!(docs.contains("id = \"new-one\""), "{docs}");
}

/// A catalog of five resources in `web` and three in `docs`.
fn eight_resources() -> Project {
    let web = ["w1", "w2", "w3", "w4", "w5"].map(|id| res(id, format!("https://{id}.example/")));
    let docs =
        ["d1", "d2", "d3"].map(|id| res(id, format!("https://{id}.example/")).in_folder("docs"));
    Project::new(&web.into_iter().chain(docs).collect::<Vec<_>>())
}

#[test]
fn import_prune_removes_only_within_the_folders_the_file_covers() {
    let project = eight_resources();
    let web_before = std::fs::read_to_string(project.catalog().join("web.toml")).unwrap();
    export_and_edit(project.path(), |t| {
        keep_lines(&t, &["docs,Documents,d1,", "docs,Documents,d2,"])
    });

    let out = project.run(&["import", "edited.csv", "--prune"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("- d3 (folder docs)\n"), "{text}");
    assert!(text.contains("-id = \"d3\""), "the diff shows it: {text}");
    assert!(
        text.contains(
            "0 to add, 0 to change, 1 to remove\n5 resource(s) without a row kept: their \
             folders have no row in edited.csv\n"
        ),
        "{text}"
    );

    let out = project.run(&["import", "edited.csv", "--prune", "--write"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let docs = std::fs::read_to_string(project.catalog().join("docs.toml")).unwrap();
    assert!(!docs.contains("id = \"d3\""), "{docs}");
    assert!(docs.contains("id = \"d2\""), "{docs}");
    assert_eq!(
        std::fs::read_to_string(project.catalog().join("web.toml")).unwrap(),
        web_before
    );
}

#[test]
fn import_prune_of_more_than_a_quarter_of_the_catalog_needs_force() {
    let project = eight_resources();
    let before = snapshot_dir(&project.catalog());
    export_and_edit(project.path(), |t| keep_lines(&t, &["web,Web pages,w1,"]));

    let out = project.run(&["import", "edited.csv", "--prune", "--write"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let text = stdout(&out);
    for id in ["w2", "w3", "w4", "w5"] {
        assert!(text.contains(&format!("- {id} (folder web)\n")), "{text}");
    }
    assert!(
        text.contains("0 to add, 0 to change, 4 to remove\n"),
        "{text}"
    );
    assert_eq!(
        stderr(&out),
        "linkwatch: --prune would remove 4 of the catalog's 8 resources, more than a quarter; \
         nothing written (check the removals above, then add --force to remove them)\n"
    );
    assert_eq!(snapshot_dir(&project.catalog()), before);

    let out = project.run(&["import", "edited.csv", "--force"]);
    assert_eq!(code(&out), 2, "--force only goes with --prune");

    let out = project.run(&["import", "edited.csv", "--prune", "--force", "--write"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let web = std::fs::read_to_string(project.catalog().join("web.toml")).unwrap();
    assert!(
        web.contains("id = \"w1\"") && !web.contains("id = \"w2\""),
        "{web}"
    );
    let docs = std::fs::read_to_string(project.catalog().join("docs.toml")).unwrap();
    assert!(
        docs.contains("id = \"d3\""),
        "docs has no row, so it is kept: {docs}"
    );
}

#[test]
fn import_reads_the_xlsx_export_and_names_the_sheet_and_row_of_a_bad_date() {
    use rust_xlsxwriter::{Format, Workbook};
    let dir = project("basic");
    let before = snapshot_dir(&dir.path().join("catalog"));
    let out = run_in(
        dir.path(),
        &["export", "--format", "xlsx", "--output", "toolkit.xlsx"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = run_in(
        dir.path(),
        &["import", "toolkit.xlsx", "--prune", "--write"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "toolkit.xlsx: read sheet All\n0 to add, 0 to change, 0 to remove\nwrote 0 file(s)\n"
    );
    assert_eq!(snapshot_dir(&dir.path().join("catalog")), before);

    // A workbook without an "All" sheet, its dates as a spreadsheet keeps them: a date cell,
    // a bare serial number, and text.
    let edited = |new_added: &str| {
        let mut book = Workbook::new();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let sheet = book.add_worksheet().set_name("docs").unwrap();
        for (c, h) in [
            "folder",
            "id",
            "title",
            "url",
            "kind",
            "organization",
            "added",
        ]
        .iter()
        .enumerate()
        {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        for (c, v) in [
            "docs",
            "report",
            "Annual report",
            "https://c.example/report.pdf",
            "report",
            "C",
        ]
        .iter()
        .enumerate()
        {
            sheet.write_string(1, c as u16, *v).unwrap();
        }
        sheet
            .write_number_with_format(1, 6, 46354.0, &date)
            .unwrap();
        for (c, v) in [
            "docs",
            "new-one",
            "A new one",
            "https://d.example/",
            "website",
            "D",
        ]
        .iter()
        .enumerate()
        {
            sheet.write_string(2, c as u16, *v).unwrap();
        }
        match new_added.parse::<f64>() {
            Ok(serial) => sheet.write_number(2, 6, serial).unwrap(),
            Err(_) => sheet.write_string(2, 6, new_added).unwrap(),
        };
        book.add_worksheet().set_name("Notes").unwrap();
        book.save(dir.path().join("edited.xlsx")).unwrap();
    };

    edited("03/04/2026");
    let out = run_in(dir.path(), &["import", "edited.xlsx", "--write"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert_eq!(
        stderr(&out),
        "edited.xlsx: sheet docs, row 3: `added`: ambiguous date 03/04/2026: write it as \
         2026-03-04 or 2026-04-03\n1 bad row(s); nothing written\n"
    );
    assert_eq!(snapshot_dir(&dir.path().join("catalog")), before);

    edited("46354");
    let out = run_in(dir.path(), &["import", "edited.xlsx", "--write"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("edited.xlsx: no \"All\" sheet, read the folder sheets docs\n"),
        "{text}"
    );
    assert!(
        text.contains("~ report: added\n+ new-one (folder docs)\n"),
        "{text}"
    );
    let docs = read(dir.path(), "docs.toml");
    assert_eq!(docs.matches("added = 2026-11-28\n").count(), 2, "{docs}");
}

#[test]
fn import_reads_windows_1252_csv_and_says_so() {
    let dir = project("basic");
    let out = run_in(dir.path(), &["export"]);
    let text =
        keep_lines(&stdout(&out), &["docs,"]).replace("Annual report", "Rapport annuel – été");
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "not UTF-8");
    std::fs::write(dir.path().join("edited.csv"), &bytes).unwrap();

    let out = run_in(dir.path(), &["import", "edited.csv", "--write"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with(
            "edited.csv: not UTF-8, read as Windows-1252 (save it as \"CSV UTF-8\" to keep \
             every character)\n~ report: title\n"
        ),
        "{text}"
    );
    assert!(
        read(dir.path(), "docs.toml").contains("title = \"Rapport annuel – été\"\n"),
        "{}",
        read(dir.path(), "docs.toml")
    );
}

#[test]
fn import_accepts_dates_excel_rewrote_and_names_ambiguous_ones() {
    let dir = project("basic");
    let before = snapshot_dir(&dir.path().join("catalog"));
    let new_row = "docs,Documents,new-one,A new one,https://d.example/,website,D,,,,\
                   11/28/2026,28/11/2026,,,,,\n";
    export_and_edit(dir.path(), |t| {
        t.replace("2024-05-01", "05/01/2024")
            .replace("2025-01-02", "2025-01-02 00:00:00")
            + new_row
    });
    let out = run_in(dir.path(), &["import", "edited.csv", "--write"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert_eq!(
        stderr(&out),
        "edited.csv: row 2: `added`: ambiguous date 05/01/2024: write it as 2024-05-01 or \
         2024-01-05\n1 bad row(s); nothing written\n"
    );
    assert_eq!(snapshot_dir(&dir.path().join("catalog")), before);

    export_and_edit(dir.path(), |t| {
        t.replace("2025-01-02", "2025-01-02 00:00:00") + new_row
    });
    let out = run_in(dir.path(), &["import", "edited.csv", "--write"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("1 to add, 0 to change, 0 to remove\n"),
        "{text}"
    );
    assert!(
        read(dir.path(), "docs.toml").ends_with("added = 2026-11-28\nreviewed = 2026-11-28\n"),
        "{}",
        read(dir.path(), "docs.toml")
    );
}

#[test]
fn links_csv_neutralises_formula_titles_as_export_does() {
    let dir = project("basic");
    let mut formula = outcome(
        "formula",
        "web",
        "https://a.example/page",
        Status::Ok,
        &[("https://a.example/page", 200)],
    );
    formula.title = "=HYPERLINK(\"https://evil.example/\",\"click\")".into();
    write_results(dir.path(), vec![formula]);
    let links = dir.path().join("reports/links.csv");
    std::fs::remove_file(&links).unwrap();
    let out = run_in(dir.path(), &["report"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows = csv_rows(&std::fs::read_to_string(&links).unwrap());
    assert_eq!(
        rows[0][2],
        "'=HYPERLINK(\"https://evil.example/\",\"click\")"
    );
    let export = csv_rows(&stdout(&run_in(dir.path(), &["export"])));
    assert_eq!(rows[0][2], export[0][3], "the same cell as the export's");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_warns_when_the_title_starts_like_a_formula() {
    let server = TestServer::start().await;
    server.route(
        "/evil",
        Reply::html("<html><head><title>=HYPERLINK(\"http://evil\")</title></head><body><p>Hi</p></body></html>"),
    );
    let dir = project("basic");
    let url = server.url("/evil");
    let root = dir.path().to_owned();
    let args = ["add", url.as_str(), "--folder", "docs", "--id", "evil"];
    let out = tokio::task::block_in_place(|| run_in(&root, &args));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "linkwatch: warning: the title `=HYPERLINK(\"http://evil\")` starts like a spreadsheet \
         formula; CSV exports and links.csv will prefix it with '\n"
    );
    assert!(read(dir.path(), "docs.toml").contains("id = \"evil\""));
}
