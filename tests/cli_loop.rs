//! CLI tests for the maintainer's loop around the audits: `linkwatch.toml` read by every
//! command, `--config` and `--catalog` before or after the command, the catalog found from the
//! current directory upward, a clear word when there is no audit yet, `pending` and `diff`,
//! and `init`.

use crate::common::{Project, res, run_in, snapshot_dir, stderr, stdout};
use crate::support::{Reply, TestServer};
use std::path::Path;
use std::process::Output;

/// Runs `linkwatch <args>` in `dir` while the test's servers keep answering.
fn run_blocking(dir: &Path, args: &[&str]) -> Output {
    tokio::task::block_in_place(|| run_in(dir, args))
}

/// `check`, quiet and quick, with `before` ahead of the command name.
fn check_with(dir: &Path, before: &[&str]) -> Output {
    let mut args = before.to_vec();
    args.extend(["check", "--quiet", "--timeout", "2", "--retries", "1"]);
    run_blocking(dir, &args)
}

const GUIDE: &str = "<html><head><title>Talking to children about online safety</title></head>\
<body><main><h1>Talking to children about online safety</h1>\
<p>Start the conversation early and keep it going as your child grows.</p>\
<p>Ask open questions about the apps and games they use every day.</p></main></body></html>";

const GUIDE_REWRITTEN: &str = "<html><head><title>Online safety \u{1b}[2J talks</title></head>\
<body><main><h1>Online safety talks</h1>\
<p>Families who talk often about screens find problems sooner \u{1b}]0;pwned\u{7} than others.</p>\
<p>Set rules together and revisit them as children grow older.</p></main></body></html>";

const PARKED: &str = "<html><head><title>news.example</title></head><body>\
<h1>news.example</h1><p>This domain may be for sale. Buy this domain today.</p>\
<p>Related searches: child safety, online courses, insurance quotes</p></body></html>";

const NO_AUDIT: &str =
    "linkwatch: error: no audit found in reports/: run `linkwatch check` first\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_reads_out_from_linkwatch_toml() {
    let server = TestServer::start().await;
    server.route("/guide", Reply::html(GUIDE));
    let project = Project::new(&[res("guide", server.url("/guide"))]);
    std::fs::write(project.path().join("linkwatch.toml"), "out = \"audit\"\n").unwrap();

    let out = check_with(project.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(project.path().join("audit/results.json").exists());
    assert!(!project.reports().exists());

    let out = project.run(&["report"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "rewrote links.csv, report.md and results.json in audit from 1 outcomes\n"
    );
    let out = project.run(&["export", "--format", "json"]);
    assert_eq!((out.status.code(), stderr(&out).as_str()), (Some(0), ""));
    let rows: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(rows[0]["status"], "ok");
    let out = project.run(&["pending"]);
    assert_eq!(stdout(&out), "nothing pending\n", "{}", stderr(&out));
    let out = project.run(&["accept", "--all"]);
    assert_eq!(
        stdout(&out),
        "nothing pending to accept\n",
        "{}",
        stderr(&out)
    );
    let out = project.run(&["fix"]);
    assert_eq!(
        stdout(&out),
        "nothing to fix: the last audit found no moved resources\n",
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_and_catalog_go_before_or_after_the_command() {
    let server = TestServer::start().await;
    server.route("/guide", Reply::html(GUIDE));
    let project = Project::new(&[res("guide", server.url("/guide"))]);
    std::fs::create_dir(project.path().join("settings")).unwrap();
    std::fs::write(
        project.path().join("settings/lw.toml"),
        "catalog = \"../catalog\"\nout = \"../elsewhere\"\n",
    )
    .unwrap();

    let out = check_with(project.path(), &["--config", "settings/lw.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(project.path().join("elsewhere/links.csv").exists());
    let out = project.run(&["report", "--config", "settings/lw.toml"]);
    assert_eq!(
        stdout(&out),
        "rewrote links.csv, report.md and results.json in settings/../elsewhere from 1 outcomes\n",
        "{}",
        stderr(&out)
    );

    let out = project.run(&["--catalog", "catalog", "validate"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = project.run(&["validate", "--catalog", "nowhere"]);
    assert_eq!(
        stderr(&out),
        "linkwatch: error: catalog directory nowhere not found\n"
    );
    let out = project.run(&["--config", "missing.toml", "validate"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "linkwatch: error: settings file missing.toml not found\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalog_is_found_from_a_subdirectory() {
    let server = TestServer::start().await;
    server.route("/guide", Reply::html(GUIDE));
    let project = Project::new(&[res("guide", server.url("/guide"))]);
    let deep = project.path().join("notes/deep");
    std::fs::create_dir_all(&deep).unwrap();

    let out = run_blocking(&deep, &["validate"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The test server is on loopback, which validate (only validate) warns about.
    assert!(
        stdout(&out).contains("--> ../../catalog/web.toml:4:7"),
        "{}",
        stdout(&out)
    );
    let out = check_with(&deep, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).ends_with("; reports in ../../reports\n"),
        "{}",
        stdout(&out)
    );
    assert!(project.reports().join("links.csv").exists());
    let out = run_blocking(&project.catalog(), &["report"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn without_a_catalog_commands_say_how_to_start_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["validate"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "linkwatch: error: no catalog found: neither a linkwatch.toml nor a catalog/catalog.toml \
         in the current directory or its parents; pass --catalog DIR, or start one with \
         `linkwatch init`\n"
    );
}

#[test]
fn commands_that_read_an_audit_say_when_there_is_none() {
    let project = Project::new(&[res("guide", "https://example.org/guide")]);
    for args in [
        &["report"][..],
        &["fix"],
        &["accept", "--all"],
        &["accept", "guide"],
        &["pending"],
        &["diff", "guide"],
    ] {
        let out = project.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&out), NO_AUDIT, "{args:?}");
        assert_eq!(stdout(&out), "", "{args:?}");
    }
    let out = project.run(&["report", "--out", "audits"]);
    assert_eq!(
        stderr(&out),
        "linkwatch: error: no audit found in audits/: run `linkwatch check` first\n"
    );
    let out = project.run(&["merge", "shard-1"]);
    assert_eq!(
        stderr(&out),
        "linkwatch: error: no audit found in shard-1/: run `linkwatch check` first \
         (with --shard K/N --out shard-1)\n"
    );
    let out = project.run(&["export"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stderr(&out),
        "linkwatch: no audit found in reports/: run `linkwatch check` first; the status \
         columns are empty\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_lists_changes_and_diff_shows_them_escaped_and_coloured_on_request() {
    let server = TestServer::start().await;
    server.route("/guide", Reply::html(GUIDE));
    server.route("/news", Reply::html(GUIDE));
    let project = Project::new(&[
        res("guide", server.url("/guide")),
        res("news", server.url("/news")).in_folder("docs"),
    ]);
    let out = check_with(project.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    server.route("/guide", Reply::html(GUIDE_REWRITTEN));
    server.route("/news", Reply::html(PARKED));
    let out = check_with(project.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    let today = linkwatch::time::date(linkwatch::time::now());
    let out = project.run(&["pending"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert_eq!(lines[0], "id     folder  first seen  reasons");
    assert!(
        lines[1].starts_with(&format!("guide  web     {today}  title changed")),
        "{text}"
    );
    assert!(
        lines[2].starts_with(&format!("news   docs    {today}  HIJACKED: parking page")),
        "{text}"
    );
    assert_eq!(
        lines[3],
        "2 changes pending (1 HIJACKED: check it in a browser; accept takes it only with \
         --force); see one with `linkwatch diff <id>`, accept it with `linkwatch accept <id>`"
    );
    assert!(!text.contains('\u{1b}'), "{text:?}");
    let out = project.run(&["pending", "--folder", "docs"]);
    assert_eq!(stdout(&out).lines().count(), 3, "{}", stdout(&out));

    let out = project.run(&["diff", "guide"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        !text.contains('\u{1b}'),
        "no colour and no raw escape: {text:?}"
    );
    assert!(
        text.starts_with(&format!(
            "guide (folder web): changed, first seen {today}: title changed"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "\n--- reports/snapshots/guide.txt (accepted {today})\n\
             +++ reports/snapshots/pending/guide.txt (seen {today})\n@@ "
        )),
        "{text}"
    );
    assert!(
        text.contains("\n-Talking to children about online safety\n"),
        "{text}"
    );
    assert!(
        text.contains("\n+Online safety \\u{1b}[2J talks\n"),
        "{text}"
    );
    assert!(text.contains("\\u{1b}]0;pwned\\u{7}"), "{text}");

    let out = project.run(&["diff", "guide", "--color", "always"]);
    let text = stdout(&out);
    assert!(
        text.contains("\u{1b}[31m-Talking to children about online safety\u{1b}[0m\n"),
        "{text:?}"
    );
    assert!(
        text.contains("\u{1b}[32m+Online safety \\u{1b}[2J talks\u{1b}[0m\n"),
        "{text:?}"
    );
    let out = project.run(&["diff", "guide", "--color", "never"]);
    assert!(!stdout(&out).contains('\u{1b}'));

    let out = project.run(&["diff", "news"]);
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!(
            "news (folder docs): HIJACKED, first seen {today}: parking page"
        )),
        "{text}"
    );
    assert!(
        text.ends_with("check the address in a browser before `linkwatch accept news --force`\n"),
        "{text}"
    );
    let out = project.run(&["diff", "nope"]);
    assert_eq!(
        stderr(&out),
        "linkwatch: error: not in the baseline: nope\n"
    );

    let out = project.run(&["accept", "guide"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with(
            "accepted guide: \"Talking to children about online safety\" → \"Online safety \
             \\u{1b}[2J talks\""
        ),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "{text:?}");
    let out = project.run(&["diff", "guide"]);
    assert_eq!(stdout(&out), "guide: nothing pending\n");
    let out = project.run(&["pending"]);
    assert_eq!(stdout(&out).lines().count(), 3, "{}", stdout(&out));
}

/// A temporary project with an empty `docs` folder, and the text of its `docs.toml`.
fn docs(project: &Project) -> String {
    std::fs::read_to_string(project.catalog().join("docs.toml")).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_refuses_what_check_would_flag_unless_forced() {
    let server = TestServer::start().await;
    server.route("/gone", Reply::status(404));
    server.route(
        "/soft",
        Reply::html(
            "<html><head><title>Page not found</title></head><body><p>Sorry.</p></body></html>",
        ),
    );
    server.route("/wall", Reply::status(403));
    server.route("/parked", Reply::html(PARKED));
    let project = Project::new(&[]);
    let before = snapshot_dir(&project.catalog());
    for (path, status, detail) in [
        ("/gone", "broken", "404 Not Found"),
        (
            "/soft",
            "soft404",
            "soft 404: title says \"Page not found\"",
        ),
        ("/wall", "blocked", "403 Forbidden"),
        ("/parked", "hijacked", "hijacked: parking page"),
    ] {
        let url = server.url(path);
        let out = run_blocking(project.path(), &["add", &url, "--folder", "docs"]);
        assert_eq!(out.status.code(), Some(1), "{path}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.starts_with(&format!("linkwatch: {url} is {status}: {detail}")),
            "{err}"
        );
        assert!(
            err.ends_with("; not added (--force adds it anyway)\n"),
            "{err}"
        );
    }
    assert_eq!(snapshot_dir(&project.catalog()), before);

    let url = server.url("/gone");
    let args = [
        "add",
        &url,
        "--folder",
        "docs",
        "--force",
        "--title",
        "Old guide",
    ];
    let out = run_blocking(project.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!("linkwatch: warning: {url} is broken: 404 Not Found; added anyway (--force)\n")
    );
    assert!(docs(&project).contains("title = \"Old guide\"\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_stores_where_a_permanent_redirect_leads_and_drops_the_site_name() {
    let server = TestServer::start().await;
    server.route("/old", Reply::redirect(301, "/new"));
    server.route(
        "/new",
        Reply::html(
            "<html><head><title>Guide | Example Center</title></head><body><p>Hi</p></body></html>",
        ),
    );
    let project = Project::new(&[]);
    let (old, new) = (server.url("/old"), server.url("/new"));
    let out = run_blocking(project.path(), &["add", &old, "--folder", "docs"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with(&format!(
            "{old}: permanent redirect (301) to {new}; storing the address it moved to\n"
        )),
        "{}",
        stdout(&out)
    );
    let today = linkwatch::time::today();
    assert_eq!(
        docs(&project),
        format!(
            "[[resource]]\nid = \"guide\"\ntitle = \"Guide\"\nurl = \"{new}\"\nkind = \"website\"\n\
             organization = \"Example Center\"\nadded = {today}\n"
        )
    );
    let out = run_blocking(project.path(), &["add", &old, "--folder", "web"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("linkwatch: {new} is already in the catalog as `guide` (folder docs)\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_takes_the_organization_from_og_site_name_and_every_field_from_flags() {
    let server = TestServer::start().await;
    server.route(
        "/plan",
        Reply::html(
            "<html><head><meta property=\"og:site_name\" content=\"Kids &amp; Screens\">\
             <title>Kids &amp; Screens - Safety planning</title></head><body><p>Plan.</p></body></html>",
        ),
    );
    let project = Project::new(&[]);
    let url = server.url("/plan");
    let args = [
        "add",
        &url,
        "--folder",
        "docs",
        "--kind",
        "guide",
        "--description",
        "How families plan screen time.",
        "--tags",
        "screens,planning",
        "--audience",
        "caregiver,educator",
        "--dry-run",
    ];
    let out = run_blocking(project.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(docs(&project), "", "--dry-run writes nothing");
    let today = linkwatch::time::today();
    let added = format!(
        "+[[resource]]\n+id = \"safety-planning\"\n+title = \"Safety planning\"\n+url = \"{url}\"\n\
         +kind = \"guide\"\n+organization = \"Kids & Screens\"\n\
         +description = \"How families plan screen time.\"\n\
         +audience = [\"caregiver\", \"educator\"]\n+tags = [\"screens\", \"planning\"]\n\
         +added = {today}\n"
    );
    let text = stdout(&out);
    assert!(text.contains(&added), "{text}");
    assert!(
        text.ends_with("would add `safety-planning` to catalog/docs.toml\n"),
        "{text}"
    );

    let out = run_blocking(project.path(), &args[..args.len() - 1]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).ends_with("added `safety-planning` to catalog/docs.toml\n"),
        "{}",
        stdout(&out)
    );
    assert!(docs(&project).contains("organization = \"Kids & Screens\"\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_refuses_a_title_over_300_characters_unless_given_one() {
    let server = TestServer::start().await;
    let long = "keyword ".repeat(50);
    server.route(
        "/long",
        Reply::html(&format!(
            "<html><head><title>{long}</title></head><body><p>Hi</p></body></html>"
        )),
    );
    let project = Project::new(&[]);
    let url = server.url("/long");
    let out = run_blocking(project.path(), &["add", &url, "--folder", "docs"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "linkwatch: the page's title is 399 characters long (at most 300 are taken); give one \
         with --title; not added\n"
    );
    assert_eq!(docs(&project), "");
    let args = ["add", &url, "--folder", "docs", "--title", "Keywords"];
    let out = run_blocking(project.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(docs(&project).contains("id = \"keywords\"\ntitle = \"Keywords\"\n"));
}

const BOOKMARKS: &str = "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n\
<META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=UTF-8\">\n\
<TITLE>Bookmarks</TITLE>\n<H1>Bookmarks</H1>\n<DL><p>\n\
    <DT><H3 ADD_DATE=\"1700000000\">Safety</H3>\n    <DL><p>\n\
        <DT><A HREF=\"https://www.example.org/guides/talking\" ADD_DATE=\"1700000000\">Talking to kids &amp; teens</A>\n\
        <DT><A HREF=\"https://example.net/\">Example Net</A>\n\
        <DT><A HREF=\"javascript:void(0)\">Bookmarklet</A>\n\
        <DT><A HREF=\"https://WWW.example.org/guides/talking#top\">Same page again</A>\n\
    </DL><p>\n</DL><p>\n";

#[test]
fn init_from_bookmarks_offline_makes_a_catalog_that_validates_and_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bookmarks.html"), BOOKMARKS).unwrap();
    let out = run_in(
        dir.path(),
        &["init", "--from", "bookmarks.html", "--offline"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "left out (not http or https): javascript:void(0)\n\
         created catalog/catalog.toml, catalog/links.toml (2 resources), \
         catalog/catalog.schema.json and linkwatch.toml\n\
         next: set the title and publisher in catalog/catalog.toml, then run `linkwatch \
         validate` and `linkwatch check`\n"
    );
    let today = linkwatch::time::today();
    let links = std::fs::read_to_string(dir.path().join("catalog/links.toml")).unwrap();
    assert_eq!(
        links,
        format!(
            "#:schema ./catalog.schema.json\n\n\
             [[resource]]\nid = \"talking-to-kids-teens\"\ntitle = \"Talking to kids & teens\"\n\
             url = \"https://www.example.org/guides/talking\"\nkind = \"website\"\n\
             organization = \"www.example.org\"\nadded = {today}\n\n\
             [[resource]]\nid = \"example-net\"\ntitle = \"Example Net\"\n\
             url = \"https://example.net/\"\nkind = \"website\"\norganization = \"example.net\"\n\
             added = {today}\n"
        )
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("catalog/catalog.schema.json")).unwrap(),
        linkwatch::catalog::schema::schema_json()
    );
    let settings = std::fs::read_to_string(dir.path().join("linkwatch.toml")).unwrap();
    assert!(settings.starts_with("# linkwatch settings"), "{settings}");

    let out = run_in(dir.path(), &["validate"]);
    assert_eq!(
        stdout(&out),
        "catalog OK: 2 resources in 1 folder\n",
        "{}",
        stderr(&out)
    );
    let out = run_in(dir.path(), &["fmt", "--check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    let before = snapshot_dir(dir.path());
    let out = run_in(dir.path(), &["init"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "linkwatch: catalog/catalog.toml exists\nlinkwatch: catalog/links.toml exists\n\
         linkwatch: catalog/catalog.schema.json exists\nlinkwatch: linkwatch.toml exists\n\
         linkwatch: init never overwrites a catalog; nothing written\n"
    );
    assert_eq!(snapshot_dir(dir.path()), before);
}

#[test]
fn init_from_markdown_offline_titles_links_by_their_text_or_address() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("links.md"),
        "# Reading\n\n- [The *Rust* book](https://doc.rust-lang.org/book/)\n\
         - Also https://example.org/guides/safety/.\n",
    )
    .unwrap();
    let args = [
        "init",
        "toolkit",
        "--from",
        "links.md",
        "--offline",
        "--folder",
        "reading",
    ];
    let out = run_in(dir.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let root = dir.path().join("toolkit");
    let reading = std::fs::read_to_string(root.join("catalog/reading.toml")).unwrap();
    assert!(
        reading.contains("id = \"the-rust-book\"\ntitle = \"The Rust book\"\n"),
        "{reading}"
    );
    assert!(
        reading.contains(
            "id = \"example-org-guides-safety\"\ntitle = \"example.org/guides/safety\"\n\
             url = \"https://example.org/guides/safety/\"\n"
        ),
        "{reading}"
    );
    let catalog = std::fs::read_to_string(root.join("catalog/catalog.toml")).unwrap();
    assert!(
        catalog.contains("[[folder]]\nid = \"reading\"\ntitle = \"Reading\"\n"),
        "{catalog}"
    );
    let out = run_in(&root, &["validate"]);
    assert_eq!(
        stdout(&out),
        "catalog OK: 2 resources in 1 folder\n",
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_from_a_list_fetches_and_judges_each_link_as_add_does() {
    let server = TestServer::start().await;
    server.route(
        "/a",
        Reply::html(
            "<html><head><title>Guide | Example Center</title></head><body><p>Hi</p></body></html>",
        ),
    );
    server.route("/gone", Reply::status(404));
    server.route("/old", Reply::redirect(301, "/b"));
    server.route(
        "/b",
        Reply::html("<html><head><title>Second guide</title></head><body><p>Hi</p></body></html>"),
    );
    let dir = tempfile::tempdir().unwrap();
    let (a, gone, old, b) = (
        server.url("/a"),
        server.url("/gone"),
        server.url("/old"),
        server.url("/b"),
    );
    std::fs::write(dir.path().join("urls.txt"), format!("{a}\n{gone}\n{old}\n")).unwrap();
    let out = run_blocking(dir.path(), &["init", "--from", "urls.txt"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with(&format!(
            "{old} moved permanently: stored as {b}\n\
             not added (1 link(s); `linkwatch add URL --folder links --force` adds one anyway):\n  \
             {gone}: broken: 404 Not Found\n\
             created catalog/catalog.toml, catalog/links.toml (2 resources), "
        )),
        "{}",
        stdout(&out)
    );
    let links = std::fs::read_to_string(dir.path().join("catalog/links.toml")).unwrap();
    assert!(
        links.contains(&format!(
            "id = \"guide\"\ntitle = \"Guide\"\nurl = \"{a}\"\nkind = \"website\"\n\
             organization = \"Example Center\"\n"
        )),
        "{links}"
    );
    assert!(
        links.contains(&format!(
            "id = \"second-guide\"\ntitle = \"Second guide\"\nurl = \"{b}\"\n"
        )),
        "{links}"
    );
    let out = run_in(dir.path(), &["validate"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}
