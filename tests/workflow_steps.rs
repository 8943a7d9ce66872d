//! The audit workflow's own shell steps (`.github/scripts/`), run here as GitHub would run them:
//! in a git clone with a bare "remote", with stand-ins for `linkwatch` and `gh` from
//! `tests/fixtures/workflow/bin/` first on PATH, so a broken step fails here, not on GitHub.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const RUN_URL: &str = "https://github.example/owner/repo/actions/runs/7";
/// GitHub refuses an issue body over this many characters.
const ISSUE_BODY_LIMIT: usize = 65_536;
/// GitHub drops a step's job summary over this many bytes.
const SUMMARY_LIMIT: usize = 1024 * 1024;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> PathBuf {
    root().join("tests/fixtures/workflow")
}

/// `git` and `bash` run every step; without them there is nothing to test.
fn tools_missing() -> bool {
    for tool in ["git", "bash"] {
        let found = Command::new(tool).arg("--version").output().is_ok();
        if !found {
            eprintln!("skipping: `{tool}` is not installed");
            return true;
        }
    }
    false
}

/// A clone of a bare remote holding one commit, plus the stand-ins' state.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let sb = Sandbox { dir };
        git(
            sb.path(),
            &[
                "init",
                "--quiet",
                "--bare",
                "--initial-branch=main",
                "remote.git",
            ],
        );
        git(sb.path(), &["clone", "--quiet", "remote.git", "work"]);
        fs::create_dir_all(sb.work().join("catalog")).unwrap();
        fs::write(
            sb.work().join("catalog/catalog.toml"),
            "title = \"Fixture\"\n",
        )
        .unwrap();
        git(&sb.work(), &["checkout", "--quiet", "-b", "main"]);
        git(&sb.work(), &["add", "."]);
        git(&sb.work(), &["commit", "--quiet", "-m", "catalog"]);
        git(&sb.work(), &["push", "--quiet", "origin", "main"]);
        fs::create_dir(sb.gh_state()).unwrap();
        fs::copy(
            fixtures().join("no-issues.json"),
            sb.gh_state().join("issues.json"),
        )
        .unwrap();
        fs::copy(
            fixtures().join("no-labels.json"),
            sb.gh_state().join("labels.json"),
        )
        .unwrap();
        sb
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn work(&self) -> PathBuf {
        self.path().join("work")
    }

    fn gh_state(&self) -> PathBuf {
        self.path().join("gh")
    }

    fn remote(&self) -> PathBuf {
        self.path().join("remote.git")
    }

    /// Runs `.github/scripts/<script>` in the clone with `env` set, as a workflow step would.
    fn step(&self, script: &str, env: &[(&str, &str)]) -> Step {
        let output_file = self.path().join("github-output");
        fs::write(&output_file, "").unwrap();
        let path = format!(
            "{}:{}",
            fixtures().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut cmd = Command::new("bash");
        cmd.arg(root().join(".github/scripts").join(script))
            .current_dir(self.work())
            .env("PATH", path)
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_STEP_SUMMARY", self.summary())
            .env("RUN_URL", RUN_URL)
            .env("GH_STATE", self.gh_state())
            .env("PUSH_BACKOFF_SECS", "0")
            .env_remove("GITHUB_TOKEN");
        isolate_git(&mut cmd);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        Step {
            outputs: fs::read_to_string(&output_file).unwrap(),
            out,
        }
    }

    fn summary(&self) -> PathBuf {
        self.path().join("step-summary.md")
    }

    /// Every `gh` call so far, one line each, arguments tab-separated.
    fn gh_calls(&self) -> Vec<String> {
        match fs::read_to_string(self.gh_state().join("calls")) {
            Ok(s) => s.lines().map(str::to_owned).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// The body file `gh` was handed on its `n`th call (1-based).
    fn gh_body(&self, n: usize) -> String {
        fs::read_to_string(self.gh_state().join(format!("body-{n}.md"))).unwrap()
    }

    /// Subjects of the remote's main branch, newest first.
    fn remote_log(&self) -> Vec<String> {
        let out = git(&self.remote(), &["log", "--format=%an|%s", "main"]);
        out.lines().map(str::to_owned).collect()
    }
}

struct Step {
    out: Output,
    outputs: String,
}

impl Step {
    fn code(&self) -> Option<i32> {
        self.out.status.code()
    }

    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }

    fn output(&self, name: &str) -> Option<String> {
        let prefix = format!("{name}=");
        self.outputs
            .lines()
            .find_map(|l| l.strip_prefix(&prefix).map(str::to_owned))
    }

    fn assert_ok(&self) {
        assert_eq!(
            self.code(),
            Some(0),
            "step failed\nstdout:\n{}\nstderr:\n{}",
            self.stdout(),
            String::from_utf8_lossy(&self.out.stderr)
        );
    }
}

/// No user or system git configuration may change what the steps do.
fn isolate_git(cmd: &mut Command) {
    cmd.env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_AUTHOR_NAME")
        .env_remove("GIT_AUTHOR_EMAIL")
        .env_remove("GIT_COMMITTER_NAME")
        .env_remove("GIT_COMMITTER_EMAIL");
}

/// Setup commits are made by a person called Test.
fn git(dir: &Path, args: &[&str]) -> String {
    let mut cmd = Command::new("git");
    cmd.args(args).current_dir(dir);
    isolate_git(&mut cmd);
    cmd.env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com");
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A report.md of at least `bytes` bytes, with multi-byte characters on every line.
fn big_report(dir: &Path, bytes: usize) -> PathBuf {
    let mut s =
        String::from("# Link audit: Fixture catalog\n\n| resource | what happened |\n|---|---|\n");
    let mut i = 0;
    while s.len() < bytes {
        s.push_str(&format!("| Ressource numéro {i} — « café » | moved |\n"));
        i += 1;
    }
    let path = dir.join("big-report.md");
    fs::write(&path, s).unwrap();
    path
}

#[test]
fn attention_opens_one_labelled_issue_a_later_audit_edits_it_and_a_healthy_one_closes_it() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();

    let check = sb.step(
        "run-check.sh",
        &[("FAKE_EXIT", "1"), ("FAKE_STATUS", "broken")],
    );
    check.assert_ok();
    assert_eq!(check.output("attention").as_deref(), Some("true"));
    assert_eq!(check.output("exit-code").as_deref(), Some("1"));
    sb.step("tracking-issue.sh", &[("ATTENTION", "true")])
        .assert_ok();
    let calls = sb.gh_calls();
    assert_eq!(
        calls[0],
        "issue\tlist\t--label\tlink-audit\t--state\topen\t--json\tnumber\t--limit\t1"
    );
    assert!(calls[1].starts_with("label\tlist\t"), "{calls:?}");
    assert!(
        calls[2].starts_with("label\tcreate\tlink-audit\t"),
        "{calls:?}"
    );
    assert!(
        calls[3].starts_with("issue\tcreate\t--title\tLink audit: links need attention\t--label\tlink-audit\t--body-file\t"),
        "{calls:?}"
    );
    assert_eq!(calls.len(), 4);
    assert!(sb.gh_body(4).starts_with("# Link audit: Fixture catalog\n"));

    sb.step(
        "run-check.sh",
        &[("FAKE_EXIT", "1"), ("FAKE_STATUS", "broken")],
    )
    .assert_ok();
    sb.step("tracking-issue.sh", &[("ATTENTION", "true")])
        .assert_ok();
    let calls = sb.gh_calls();
    assert_eq!(calls.len(), 7, "{calls:?}");
    assert!(
        calls[5].starts_with("issue\tedit\t104\t--body-file\t"),
        "{calls:?}"
    );
    assert!(
        calls[6].starts_with("issue\tcomment\t104\t--body\t"),
        "{calls:?}"
    );
    assert!(calls[6].contains(RUN_URL));
    assert_eq!(
        calls
            .iter()
            .filter(|c| c.starts_with("issue\tcreate"))
            .count(),
        1
    );

    let check = sb.step("run-check.sh", &[("FAKE_EXIT", "0"), ("FAKE_STATUS", "ok")]);
    check.assert_ok();
    assert_eq!(check.output("attention").as_deref(), Some("false"));
    sb.step("tracking-issue.sh", &[("ATTENTION", "false")])
        .assert_ok();
    let calls = sb.gh_calls();
    assert_eq!(calls.len(), 9, "{calls:?}");
    assert_eq!(
        calls[8],
        format!("issue\tclose\t104\t--comment\tEvery link is healthy again as of {RUN_URL}.")
    );

    sb.step("tracking-issue.sh", &[("ATTENTION", "false")])
        .assert_ok();
    assert_eq!(
        sb.gh_calls().len(),
        10,
        "a healthy audit with no open issue only looks"
    );
}

#[test]
fn an_existing_label_is_not_created_again() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    fs::write(
        sb.gh_state().join("labels.json"),
        r#"[{"name":"link-audit"}]"#,
    )
    .unwrap();
    sb.step(
        "run-check.sh",
        &[("FAKE_EXIT", "1"), ("FAKE_STATUS", "broken")],
    )
    .assert_ok();
    sb.step("tracking-issue.sh", &[("ATTENTION", "true")])
        .assert_ok();
    let calls = sb.gh_calls();
    assert!(
        !calls.iter().any(|c| c.starts_with("label\tcreate")),
        "{calls:?}"
    );
    assert!(calls[2].starts_with("issue\tcreate\t"), "{calls:?}");
}

#[test]
fn issue_body_over_githubs_limit_is_cut_at_a_line_with_a_pointer_to_the_artifact() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    let report = big_report(sb.path(), 200_000);
    let report = report.to_str().unwrap();
    sb.step(
        "run-check.sh",
        &[("FAKE_EXIT", "1"), ("FAKE_REPORT", report)],
    )
    .assert_ok();
    sb.step("tracking-issue.sh", &[("ATTENTION", "true")])
        .assert_ok();
    let body = sb.gh_body(4);
    assert!(
        body.chars().count() <= ISSUE_BODY_LIMIT,
        "{} chars",
        body.chars().count()
    );
    assert!(body.len() > ISSUE_BODY_LIMIT / 2, "keeps most of what fits");
    assert!(body.starts_with("# Link audit: Fixture catalog\n"));
    assert!(body.contains("link-audit-reports"), "names the artifact");
    assert!(body.contains(RUN_URL), "points at the run");
    let before_pointer = body.split("\n\n---\n").next().unwrap();
    assert!(
        before_pointer
            .lines()
            .skip(4)
            .all(|l| l.ends_with("| moved |")),
        "only whole lines are kept"
    );
}

#[test]
fn a_small_report_becomes_the_issue_body_whole() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    sb.step(
        "run-check.sh",
        &[("FAKE_EXIT", "1"), ("FAKE_STATUS", "soft404")],
    )
    .assert_ok();
    sb.step("tracking-issue.sh", &[("ATTENTION", "true")])
        .assert_ok();
    let report = fs::read_to_string(sb.work().join("reports/report.md")).unwrap();
    assert_eq!(sb.gh_body(4), report);
}

#[test]
fn a_status_needing_attention_counts_even_when_check_exits_0() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    let check = sb.step(
        "run-check.sh",
        &[("FAKE_EXIT", "0"), ("FAKE_STATUS", "moved")],
    );
    check.assert_ok();
    assert_eq!(check.output("attention").as_deref(), Some("true"));
    let check = sb.step(
        "run-check.sh",
        &[("FAKE_EXIT", "0"), ("FAKE_STATUS", "skipped")],
    );
    check.assert_ok();
    assert_eq!(check.output("attention").as_deref(), Some("false"));
}

#[test]
fn network_unavailable_fails_the_step_loudly_and_commits_nothing() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    let before = sb.remote_log();
    let check = sb.step("run-check.sh", &[("FAKE_EXIT", "3")]);
    assert_eq!(check.code(), Some(3));
    assert!(
        check
            .stdout()
            .contains("::error title=Network unavailable::"),
        "{}",
        check.stdout()
    );
    assert_eq!(check.output("attention"), None);
    assert!(!sb.work().join("reports").exists());
    let commit = sb.step("commit-back.sh", &[]);
    commit.assert_ok();
    assert_eq!(commit.output("committed").as_deref(), Some("false"));
    assert_eq!(sb.remote_log(), before);
}

#[test]
fn a_usage_error_fails_the_step() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    let check = sb.step("run-check.sh", &[("FAKE_EXIT", "2")]);
    assert_eq!(check.code(), Some(2));
    assert!(check.stdout().contains("::error"), "{}", check.stdout());
}

#[test]
fn fail_on_problems_fails_a_pull_requests_check_on_exit_1() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    let check = sb.step(
        "run-check.sh",
        &[
            ("FAKE_EXIT", "1"),
            ("FAKE_STATUS", "broken"),
            ("FAIL_ON_PROBLEMS", "true"),
        ],
    );
    assert_eq!(check.code(), Some(1));
    assert_eq!(check.output("attention").as_deref(), Some("true"));
}

#[test]
fn run_check_hands_every_option_to_linkwatch() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    let args_file = sb.path().join("args");
    let check = sb.step(
        "run-check.sh",
        &[
            ("FAKE_ARGS", args_file.to_str().unwrap()),
            ("CATALOG", "links"),
            ("OUT", "audit"),
            ("CONCURRENCY", "8"),
            ("PER_HOST", "2"),
            ("TIMEOUT", "5"),
            ("RETRIES", "1"),
            ("USER_AGENT", "bot (+https://example.org)"),
            ("ONLY", "rust\ntag:docs"),
            ("FAIL_ON", "broken,moved"),
            ("CONFIRM_AFTER", "3"),
            ("CHANGED_SINCE", "origin/main"),
            ("SHARD", "2/4"),
        ],
    );
    check.assert_ok();
    let args = fs::read_to_string(args_file).unwrap();
    let expected = [
        "check",
        "--catalog",
        "links",
        "--out",
        "audit",
        "--quiet",
        "--concurrency",
        "8",
        "--per-host",
        "2",
        "--timeout",
        "5",
        "--retries",
        "1",
        "--user-agent",
        "bot (+https://example.org)",
        "--fail-on",
        "broken,moved",
        "--confirm-after",
        "3",
        "--changed-since",
        "origin/main",
        "--shard",
        "2/4",
        "--only",
        "rust",
        "--only",
        "tag:docs",
    ];
    assert_eq!(args.lines().collect::<Vec<_>>(), expected);
    assert_eq!(check.output("report").as_deref(), Some("audit/report.md"));
}

#[test]
fn run_check_merges_shards_when_given_their_directories() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    let args_file = sb.path().join("args");
    sb.step(
        "run-check.sh",
        &[
            ("FAKE_ARGS", args_file.to_str().unwrap()),
            ("MERGE_FROM", "shards/one shards/two"),
            ("FAIL_ON", "broken"),
        ],
    )
    .assert_ok();
    let args = fs::read_to_string(args_file).unwrap();
    assert_eq!(
        args.lines().collect::<Vec<_>>(),
        [
            "merge",
            "--catalog",
            "catalog",
            "--out",
            "reports",
            "--fail-on",
            "broken",
            "shards/one",
            "shards/two"
        ]
    );
}

#[test]
fn run_check_leaves_linkwatchs_defaults_alone_when_options_are_empty() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    let args_file = sb.path().join("args");
    sb.step(
        "run-check.sh",
        &[("FAKE_ARGS", args_file.to_str().unwrap())],
    )
    .assert_ok();
    let args = fs::read_to_string(args_file).unwrap();
    assert_eq!(
        args.lines().collect::<Vec<_>>(),
        [
            "check",
            "--catalog",
            "catalog",
            "--out",
            "reports",
            "--quiet"
        ]
    );
}

#[test]
fn commit_back_pushes_one_bot_commit_then_none_when_nothing_changed() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    sb.step("run-check.sh", &[("FAKE_STATUS", "ok")])
        .assert_ok();
    let commit = sb.step(
        "commit-back.sh",
        &[("COMMIT_MESSAGE", "Link audit [skip ci]")],
    );
    commit.assert_ok();
    assert_eq!(commit.output("committed").as_deref(), Some("true"));
    assert_eq!(
        sb.remote_log(),
        ["github-actions[bot]|Link audit [skip ci]", "Test|catalog"]
    );
    let files = git(&sb.remote(), &["show", "--name-only", "--format=", "main"]);
    let mut files: Vec<&str> = files.lines().collect();
    files.sort_unstable();
    assert_eq!(
        files,
        [
            "reports/links.csv",
            "reports/report.md",
            "reports/results.json",
            "reports/snapshots/rust-book.txt",
            "reports/state.json"
        ]
    );

    sb.step("run-check.sh", &[("FAKE_STATUS", "ok")])
        .assert_ok();
    let again = sb.step("commit-back.sh", &[]);
    again.assert_ok();
    assert_eq!(again.output("committed").as_deref(), Some("false"));
    assert_eq!(sb.remote_log().len(), 2);
}

#[test]
fn commit_back_rebases_onto_a_push_that_landed_during_the_audit() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    git(sb.path(), &["clone", "--quiet", "remote.git", "other"]);
    let other = sb.path().join("other");
    fs::write(other.join("catalog/extra.toml"), "# added meanwhile\n").unwrap();
    git(&other, &["add", "."]);
    git(&other, &["commit", "--quiet", "-m", "meanwhile"]);
    git(&other, &["push", "--quiet", "origin", "main"]);

    sb.step("run-check.sh", &[]).assert_ok();
    let commit = sb.step("commit-back.sh", &[]);
    commit.assert_ok();
    assert!(
        commit
            .stdout()
            .contains("::warning::push 1 of 5 was rejected")
    );
    let log = sb.remote_log();
    assert_eq!(log.len(), 3, "{log:?}");
    assert!(
        log[0].starts_with("github-actions[bot]|Link audit "),
        "{log:?}"
    );
    assert!(log[0].ends_with(" [skip ci]"), "{log:?}");
    assert_eq!(log[1], "Test|meanwhile");
}

#[test]
fn summary_gets_a_small_report_whole() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    sb.step("run-check.sh", &[]).assert_ok();
    fs::write(sb.summary(), "").unwrap();
    sb.step("summary.sh", &[]).assert_ok();
    let report = fs::read_to_string(sb.work().join("reports/report.md")).unwrap();
    assert_eq!(fs::read_to_string(sb.summary()).unwrap(), report);
}

#[test]
fn summary_over_one_mib_is_cut_with_a_pointer_to_the_artifact() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    let report = big_report(sb.path(), 2 * SUMMARY_LIMIT);
    sb.step("run-check.sh", &[("FAKE_REPORT", report.to_str().unwrap())])
        .assert_ok();
    fs::write(sb.summary(), "").unwrap();
    sb.step("summary.sh", &[]).assert_ok();
    let summary = fs::read_to_string(sb.summary()).unwrap();
    assert!(summary.len() < SUMMARY_LIMIT, "{} bytes", summary.len());
    assert!(summary.len() > SUMMARY_LIMIT / 2, "keeps most of what fits");
    assert!(summary.starts_with("# Link audit: Fixture catalog\n"));
    let pointer = summary.rsplit("\n---\n").next().unwrap();
    assert!(pointer.contains("link-audit-reports"), "{pointer}");
    assert!(pointer.contains(RUN_URL), "{pointer}");
}
