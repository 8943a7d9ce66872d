//! The workflows' and the action's own shell steps (`.github/scripts/`), run here as GitHub would
//! run them: in a git clone with a bare "remote", with stand-ins for `linkwatch`, `gh` and `cargo`
//! from `tests/fixtures/workflow/bin/` first on PATH; a release is packed from the real binary and
//! served from 127.0.0.1 to the action's download step, so a broken step fails here, not on GitHub.

use crate::support::{Reply, TestServer};
use std::ffi::OsStr;
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
    /// A folder for steps that need no repository: `work/` is empty.
    fn without_repo() -> Sandbox {
        let sb = Sandbox {
            dir: tempfile::tempdir().unwrap(),
        };
        fs::create_dir(sb.work()).unwrap();
        sb
    }

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
        self.bash(
            &[root().join(".github/scripts").join(script).as_os_str()],
            env,
        )
    }

    /// Runs a step's `run:` command with `env` set, in the shell GitHub gives `shell: bash`.
    fn run_step(&self, run: &str, env: &[(&str, &str)]) -> Step {
        let args = ["--noprofile", "--norc", "-eo", "pipefail", "-c", run];
        self.bash(&args.map(OsStr::new), env)
    }

    fn bash(&self, args: &[&OsStr], env: &[(&str, &str)]) -> Step {
        let output_file = self.path().join("github-output");
        fs::write(&output_file, "").unwrap();
        let path = format!(
            "{}:{}",
            fixtures().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut cmd = Command::new("bash");
        cmd.args(args)
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

    fn stderr(&self) -> String {
        crate::common::stderr(&self.out)
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
            self.stderr()
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
        "issue\tlist\t--label\tlink-audit\t--state\topen\t--json\tnumber,body\t--limit\t1"
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
    assert!(sb.gh_body(4).contains("\n# Link audit: Fixture catalog\n"));

    sb.step(
        "run-check.sh",
        &[("FAKE_EXIT", "1"), ("FAKE_STATUS", "broken")],
    )
    .assert_ok();
    sb.step("tracking-issue.sh", &[("ATTENTION", "true")])
        .assert_ok();
    let calls = sb.gh_calls();
    assert_eq!(calls.len(), 6, "{calls:?}");
    assert!(
        calls[5].starts_with("issue\tedit\t104\t--body-file\t"),
        "{calls:?}"
    );
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
    assert_eq!(calls.len(), 8, "{calls:?}");
    assert_eq!(
        calls[7],
        format!("issue\tclose\t104\t--comment\tEvery link is healthy again as of {RUN_URL}.")
    );

    sb.step("tracking-issue.sh", &[("ATTENTION", "false")])
        .assert_ok();
    assert_eq!(
        sb.gh_calls().len(),
        9,
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
        &[
            ("FAKE_EXIT", "1"),
            ("FAKE_STATUS", "broken"),
            ("FAKE_REPORT", report),
        ],
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
    let report = &body[body.find("# Link audit: Fixture catalog\n").unwrap()..];
    let (kept, pointer) = report.split_once("\n\n---\n").unwrap();
    assert!(pointer.contains("link-audit-reports"), "names the artifact");
    assert!(pointer.contains(RUN_URL), "points at the run");
    assert!(
        kept.lines().skip(4).all(|l| l.ends_with("| moved |")),
        "only whole lines are kept"
    );
    assert!(
        body.ends_with("\n<!-- linkwatch-problems\nrust-book broken\n-->\n"),
        "the list of problems is never cut: {}",
        &body[body.len() - 200..]
    );
}

#[test]
fn a_small_report_is_the_issue_body_whole_between_where_the_reports_are_and_the_problem_list() {
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
    assert_eq!(
        sb.gh_body(4),
        format!(
            "The full reports of this audit are in the `link-audit-reports` artifact of {RUN_URL}.\n\n\
             {report}\n<!-- linkwatch-problems\nrust-book soft404\n-->\n"
        )
    );
}

/// Runs an audit whose results hold `outcomes` (`id status` a line), then the tracking issue
/// step with `env`.
fn audit_and_track(sb: &Sandbox, outcomes: &str, env: &[(&str, &str)]) {
    sb.step(
        "run-check.sh",
        &[("FAKE_EXIT", "1"), ("FAKE_OUTCOMES", outcomes)],
    )
    .assert_ok();
    let mut env = env.to_vec();
    env.push(("ATTENTION", "true"));
    sb.step("tracking-issue.sh", &env).assert_ok();
}

#[test]
fn issue_body_starts_with_the_hijacked_links_then_says_how_to_accept_from_github() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    audit_and_track(
        &sb,
        "guide broken\nold-shop hijacked\nhotline changed\ncasino hijacked\nform changed",
        &[
            ("ACCEPT_WORKFLOW", "accept.yml"),
            ("GH_REPO", "owner/repo"),
            ("GITHUB_SERVER_URL", "https://github.example"),
        ],
    );
    let body = sb.gh_body(4);
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(
        lines[..7],
        [
            "⚠ **2 links now lead to something else (hijacked):** Title of old-shop (`old-shop`, \
             `https://old-shop.example/`); Title of casino (`casino`, `https://casino.example/`). \
             Remove or replace them in the catalog now.",
            "",
            &format!(
                "The full reports of this audit are in the `link-audit-reports` artifact of {RUN_URL}."
            ),
            "",
            "To accept changes once you have read their diffs below: \
             [Accept changes](https://github.example/owner/repo/actions/workflows/accept.yml) → \
             *Run workflow* with ids `hotline form`, or `all`.",
            "A hijacked link that a browser shows to be fine is accepted the same way with *force* \
             ticked: `old-shop casino`.",
            "",
        ]
    );
    assert_eq!(lines[7], "# Link audit: Fixture catalog");
}

#[test]
fn one_hijacked_link_is_named_alone_and_without_an_accept_workflow_the_issue_gives_the_command() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    audit_and_track(&sb, "old-shop hijacked\nhotline changed", &[]);
    let body = sb.gh_body(4);
    assert!(
        body.starts_with(
            "⚠ **1 link now leads to something else (hijacked):** Title of old-shop (`old-shop`, \
             `https://old-shop.example/`). Remove or replace it in the catalog now.\n\n"
        ),
        "{body}"
    );
    assert!(
        body.contains(
            "To accept changes once you have read their diffs below: `linkwatch accept hotline` \
             in a clone, then commit `reports/`.\n\
             A hijacked link that a browser shows to be fine: `linkwatch accept --force old-shop`.\n"
        ),
        "{body}"
    );
}

#[test]
fn without_hijacked_links_the_issue_body_starts_with_where_the_reports_are() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    audit_and_track(&sb, "guide broken", &[]);
    assert!(
        sb.gh_body(4)
            .starts_with("The full reports of this audit are in the `link-audit-reports` artifact")
    );
}

#[test]
fn the_issue_is_commented_only_when_the_set_of_problems_changed() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    let push = [("PUSH_OUTCOME", "success"), ("PUSH_BRANCH", "main")];
    audit_and_track(&sb, "guide broken\nhotline failing\nform changed", &push);
    assert_eq!(sb.gh_calls().len(), 4, "opened");

    audit_and_track(&sb, "guide broken\nhotline failing\nform changed", &push);
    let calls = sb.gh_calls();
    assert_eq!(calls.len(), 6, "{calls:?}");
    assert!(calls[5].starts_with("issue\tedit\t104\t"), "{calls:?}");

    audit_and_track(
        &sb,
        "guide broken\nhotline broken\nshelter moved\nold-shop hijacked",
        &push,
    );
    let calls = sb.gh_calls();
    assert_eq!(calls.len(), 9, "{calls:?}");
    assert!(calls[7].starts_with("issue\tedit\t104\t"), "{calls:?}");
    assert!(
        calls[8].starts_with("issue\tcomment\t104\t--body-file\t"),
        "{calls:?}"
    );
    assert_eq!(
        sb.gh_body(9),
        format!(
            "Since the last audit: 2 new, 1 fixed, 2 still open (1 with another status), as of {RUN_URL}.\n\
             \n\
             - New: `shelter` (moved), `old-shop` (hijacked)\n\
             - Fixed: `form` (was changed)\n\
             - Now another status: `hotline` (failing → broken)\n\
             \n\
             The full reports of this audit are in the `link-audit-reports` artifact of {RUN_URL}, \
             and in `reports/` on `main`.\n"
        )
    );

    audit_and_track(
        &sb,
        "guide broken\nhotline broken\nshelter moved\nold-shop hijacked",
        &push,
    );
    assert_eq!(sb.gh_calls().len(), 11, "the same four again: no comment");
}

#[test]
fn an_issue_without_a_list_of_problems_is_commented_once_then_only_on_changes() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    fs::write(
        sb.gh_state().join("issues.json"),
        r##"[{"number":42,"body":"# Link audit: Fixture catalog\n\nWritten before the list was kept.\n"}]"##,
    )
    .unwrap();
    audit_and_track(&sb, "guide broken\nform changed", &[]);
    let calls = sb.gh_calls();
    assert_eq!(calls.len(), 3, "{calls:?}");
    assert!(calls[2].starts_with("issue\tcomment\t42\t"), "{calls:?}");
    assert!(
        sb.gh_body(3).starts_with(&format!(
            "Links need attention as of {RUN_URL}: 2, listed in the description, which kept no \
             list from an earlier audit to compare with.\n"
        )),
        "{}",
        sb.gh_body(3)
    );

    audit_and_track(&sb, "guide broken\nform changed", &[]);
    assert_eq!(sb.gh_calls().len(), 5, "now the list is kept: no comment");
}

#[cfg(unix)]
#[test]
fn when_branch_protection_refuses_the_push_the_issue_still_says_where_the_reports_are() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    let hook = sb.remote().join("hooks/pre-receive");
    fs::write(
        &hook,
        "#!/bin/sh\necho 'GH006: Protected branch update failed for refs/heads/main.' >&2\nexit 1\n",
    )
    .unwrap();
    set_mode(&hook, 0o755);
    let report = big_report(sb.path(), 200_000);
    sb.step(
        "run-check.sh",
        &[
            ("FAKE_EXIT", "1"),
            ("FAKE_STATUS", "broken"),
            ("FAKE_REPORT", report.to_str().unwrap()),
        ],
    )
    .assert_ok();
    let push = sb.step("commit-back.sh", &[("PUSH_ATTEMPTS", "1")]);
    assert_eq!(push.code(), Some(1), "the push was refused");
    assert_eq!(sb.remote_log(), ["Test|catalog"]);

    // The workflow runs this step after a failed push (see the workflow test below), with the
    // push step's outcome.
    sb.step(
        "tracking-issue.sh",
        &[
            ("ATTENTION", "true"),
            ("PUSH_OUTCOME", "failure"),
            ("PUSH_BRANCH", "main"),
        ],
    )
    .assert_ok();
    let body = sb.gh_body(4);
    assert!(
        body.starts_with(&format!(
            "The full reports of this audit are in the `link-audit-reports` artifact of {RUN_URL}. \
             Pushing them to `main` failed (a protected branch? see the run's log), so the \
             artifact is their only copy: download it before it expires.\n\n"
        )),
        "{}",
        &body[..400]
    );
    assert!(
        !body.contains("reports/report.md"),
        "the cut report points only at the artifact"
    );
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
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

/// Runs an audit and commits its reports, as the baseline an accept starts from.
fn audited(sb: &Sandbox) {
    sb.step("run-check.sh", &[("FAKE_STATUS", "changed")])
        .assert_ok();
    sb.step("commit-back.sh", &[]).assert_ok();
}

#[test]
fn accept_runs_linkwatch_accept_on_the_ids_and_commits_the_baseline_back() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    audited(&sb);
    let args_file = sb.path().join("args");
    let accept = sb.step(
        "accept.sh",
        &[
            ("FAKE_ARGS", args_file.to_str().unwrap()),
            ("IDS", "  rust-book   guide-2 "),
            ("FORCE", "false"),
            ("ACTOR", "octocat"),
        ],
    );
    accept.assert_ok();
    assert_eq!(
        fs::read_to_string(&args_file)
            .unwrap()
            .lines()
            .collect::<Vec<_>>(),
        ["accept", "--out", "reports", "--", "rust-book", "guide-2"]
    );
    let message = accept.output("message").unwrap();
    assert_eq!(
        message,
        "Accept rust-book guide-2, asked by @octocat [skip ci]"
    );

    sb.step("commit-back.sh", &[("COMMIT_MESSAGE", &message)])
        .assert_ok();
    let log = sb.remote_log();
    assert_eq!(
        log[0],
        "github-actions[bot]|Accept rust-book guide-2, asked by @octocat [skip ci]"
    );
    let files = git(&sb.remote(), &["show", "--name-only", "--format=", "main"]);
    assert_eq!(
        files.lines().collect::<Vec<_>>(),
        [
            "reports/snapshots/guide-2.txt",
            "reports/snapshots/rust-book.txt"
        ]
    );
}

#[test]
fn accept_all_and_force_become_linkwatchs_flags() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    audited(&sb);
    let args_file = sb.path().join("args");
    let accept = sb.step(
        "accept.sh",
        &[
            ("FAKE_ARGS", args_file.to_str().unwrap()),
            ("IDS", "all"),
            ("FORCE", "true"),
        ],
    );
    accept.assert_ok();
    assert_eq!(
        fs::read_to_string(&args_file)
            .unwrap()
            .lines()
            .collect::<Vec<_>>(),
        ["accept", "--out", "reports", "--force", "--all"]
    );
    assert_eq!(
        accept.output("message").as_deref(),
        Some("Accept every pending change (forced past hijacked) [skip ci]")
    );
}

#[test]
fn accept_refuses_hostile_or_malformed_ids_before_running_anything() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    audited(&sb);
    let args_file = sb.path().join("args");
    let before = sb.remote_log();
    for ids in [
        "a; rm -rf /",
        "$(id)",
        "`id`",
        "--all",
        "-rf",
        "rust-book --force",
        "rust-book\nguide",
        "$(touch pwned)",
        "rust-book;touch pwned",
        "../state",
        "Rust-Book",
        "guide--2",
        "all rust-book",
        "",
        "   ",
    ] {
        let accept = sb.step(
            "accept.sh",
            &[("FAKE_ARGS", args_file.to_str().unwrap()), ("IDS", ids)],
        );
        assert_eq!(accept.code(), Some(2), "{ids:?} was not refused");
        assert!(
            accept
                .stdout()
                .starts_with("::error title=Nothing accepted::"),
            "{ids:?}: {}",
            accept.stdout()
        );
        assert!(!args_file.exists(), "{ids:?} reached linkwatch");
        assert_eq!(accept.output("message"), None);
        assert!(!sb.work().join("pwned").exists(), "{ids:?} ran a command");
        assert!(!accept.stdout().contains("uid="), "{ids:?} ran `id`");
    }
    let hostile = sb.step("accept.sh", &[("IDS", "a; rm -rf /")]);
    assert_eq!(
        hostile.stdout(),
        "::error title=Nothing accepted::not a resource id: a\\; -rf / (ids are lowercase \
         letters, digits and hyphens; or type all, alone)\n",
        "the log shows what was refused, quoted"
    );
    assert!(sb.work().join("reports/state.json").exists());
    sb.step("commit-back.sh", &[]).assert_ok();
    assert_eq!(sb.remote_log(), before, "nothing to commit");
}

#[test]
fn accept_refuses_a_force_that_is_not_true_or_false() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    audited(&sb);
    let accept = sb.step("accept.sh", &[("IDS", "rust-book"), ("FORCE", "yes")]);
    assert_eq!(accept.code(), Some(2));
    assert!(accept.stdout().contains("force must be true or false"));
}

#[test]
fn a_refused_accept_fails_the_step_with_no_commit_message() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    audited(&sb);
    let accept = sb.step("accept.sh", &[("IDS", "old-shop"), ("FAKE_EXIT", "2")]);
    assert_eq!(accept.code(), Some(2));
    assert_eq!(accept.output("message"), None);
}

#[test]
fn accept_speaks_the_real_linkwatchs_arguments() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    fs::create_dir(sb.work().join("reports")).unwrap();
    // A baseline an audit left, with nothing pending.
    fs::write(
        sb.work().join("reports/state.json"),
        r#"{"schema_version": 1, "resources": {"a": {"url": "https://a.example/", "folder": "web"}}}"#,
    )
    .unwrap();
    let linkwatch = env!("CARGO_BIN_EXE_linkwatch");
    let all = sb.step("accept.sh", &[("LINKWATCH", linkwatch), ("IDS", "all")]);
    all.assert_ok();
    assert_eq!(all.stdout(), "nothing pending to accept\n");
    let unknown = sb.step(
        "accept.sh",
        &[
            ("LINKWATCH", linkwatch),
            ("IDS", "no-such-id"),
            ("FORCE", "true"),
        ],
    );
    assert_eq!(unknown.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&unknown.out.stderr),
        "linkwatch: error: not in the baseline: no-such-id\n"
    );
}

fn workflow(name: &str) -> String {
    fs::read_to_string(root().join(".github/workflows").join(name)).unwrap()
}

/// A job's steps (items at the steps' indentation), each with its lines.
fn steps(workflow: &str) -> Vec<String> {
    let mut steps: Vec<String> = Vec::new();
    for line in workflow.lines() {
        if line.starts_with("      - ") {
            steps.push(String::new());
        }
        if let Some(step) = steps.last_mut() {
            step.push_str(line);
            step.push('\n');
        }
    }
    steps
}

#[test]
fn the_tracking_issue_step_runs_after_a_refused_push_and_hears_how_it_went() {
    let when_reports_exist = "if: ${{ !cancelled() && steps.check.outcome == 'success' }}";
    for name in ["link-audit.yml", "link-audit-sharded.yml"] {
        let steps = steps(&workflow(name));
        let find = |needle: &str| {
            steps
                .iter()
                .position(|s| s.contains(needle))
                .unwrap_or_else(|| panic!("{name}: no step with {needle}"))
        };
        let upload = find("name: link-audit-reports");
        let commit = find("run: .github/scripts/commit-back.sh");
        let issue = find("run: .github/scripts/tracking-issue.sh");
        assert!(upload < commit && commit < issue, "{name}");
        assert!(
            steps[upload].contains(
                "uses: actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2"
            ),
            "{name}"
        );
        assert!(steps[commit].contains("id: commit"), "{name}");
        for step in [upload, commit, issue] {
            assert!(
                steps[step].contains(when_reports_exist),
                "{name}: {}",
                steps[step]
            );
        }
        for env in [
            "PUSH_OUTCOME: ${{ steps.commit.outcome }}",
            "PUSH_BRANCH: ${{ github.ref_name }}",
            "ACCEPT_WORKFLOW: accept.yml",
        ] {
            assert!(steps[issue].contains(env), "{name}: {env}");
        }
    }
}

#[test]
fn the_accept_workflow_takes_its_form_only_through_the_environment() {
    let accept = workflow("accept.yml");
    let uses_inputs: Vec<&str> = accept
        .lines()
        .filter(|l| l.contains("inputs."))
        .map(str::trim)
        .collect();
    assert_eq!(
        uses_inputs,
        ["IDS: ${{ inputs.ids }}", "FORCE: ${{ inputs.force }}"]
    );
    assert!(accept.contains("\non:\n  workflow_dispatch:\n    inputs:\n"));
    assert!(accept.contains("\npermissions: {}\n"));
    let steps = steps(&accept);
    let accept_step = steps
        .iter()
        .find(|s| s.contains("run: .github/scripts/accept.sh"))
        .unwrap();
    assert!(accept_step.contains("IDS: ${{ inputs.ids }}"));
    let commit = steps
        .iter()
        .find(|s| s.contains("run: .github/scripts/commit-back.sh"))
        .unwrap();
    assert!(commit.contains("COMMIT_MESSAGE: ${{ steps.accept.outputs.message }}"));
    assert!(accept.contains("      contents: write # commit reports/ back\n"));
    assert!(accept.contains("persist-credentials: false"));
}

#[test]
fn no_workflow_nor_the_action_puts_an_expression_into_a_run_block() {
    let dir = root().join(".github/workflows");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.push(root().join("action.yml"));
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        let mut block: Option<usize> = None;
        for (n, line) in text.lines().enumerate() {
            let indent = line.len() - line.trim_start().len();
            let item = line.trim_start().trim_start_matches("- ");
            if let Some(run_indent) = block {
                if line.trim().is_empty() || indent > run_indent {
                    assert!(
                        !line.contains("${{"),
                        "{}:{}: {line}",
                        file.display(),
                        n + 1
                    );
                    continue;
                }
                block = None;
            }
            if let Some(script) = item.strip_prefix("run:") {
                assert!(
                    !script.contains("${{"),
                    "{}:{}: {line}",
                    file.display(),
                    n + 1
                );
                if matches!(script.trim().chars().next(), Some('|' | '>')) {
                    block = Some(indent);
                }
            }
        }
    }
}

#[cfg(unix)]
#[test]
fn every_script_a_workflow_or_the_action_runs_is_executable() {
    use std::os::unix::fs::PermissionsExt;
    let mut files: Vec<PathBuf> = fs::read_dir(root().join(".github/workflows"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.push(root().join("action.yml"));
    let mut scripts = 0;
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        for line in text.lines().filter(|l| l.trim_start().starts_with("run:")) {
            let Some(at) = line.find(".github/scripts/") else {
                continue;
            };
            let script = line[at..].split(['"', '\'', ' ']).next().unwrap();
            let mode = fs::metadata(root().join(script))
                .unwrap()
                .permissions()
                .mode();
            assert!(
                mode & 0o111 != 0,
                "{}: {script} is not executable",
                file.display()
            );
            scripts += 1;
        }
    }
    assert!(scripts >= 10, "found only {scripts} scripts");
}

#[test]
fn the_issue_shows_the_history_chart_pushed_to_the_branch_and_none_when_nothing_was_pushed() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::new();
    let report = sb.path().join("chart-report.md");
    fs::write(
        &report,
        "# Link audit: Fixture catalog\n\n![Audit history](history.svg)\n\n| status | links |\n",
    )
    .unwrap();
    let report = report.to_str().unwrap();
    sb.step(
        "run-check.sh",
        &[
            ("FAKE_EXIT", "1"),
            ("FAKE_STATUS", "broken"),
            ("FAKE_REPORT", report),
        ],
    )
    .assert_ok();
    let pushed = [
        ("ATTENTION", "true"),
        ("PUSH_OUTCOME", "success"),
        ("PUSH_BRANCH", "main"),
        ("GH_REPO", "owner/catalog"),
    ];
    sb.step("tracking-issue.sh", &pushed).assert_ok();
    let body = sb.gh_body(4);
    assert!(
        body.contains(
            "\n![Audit history](https://github.com/owner/catalog/raw/main/reports/history.svg)\n"
        ),
        "{body}"
    );

    let sb = Sandbox::new();
    sb.step(
        "run-check.sh",
        &[
            ("FAKE_EXIT", "1"),
            ("FAKE_STATUS", "broken"),
            ("FAKE_REPORT", report),
        ],
    )
    .assert_ok();
    sb.step("tracking-issue.sh", &[("ATTENTION", "true")])
        .assert_ok();
    let body = sb.gh_body(4);
    assert!(!body.contains("Audit history"), "{body}");
}

/// The version a release of this code carries, as `Cargo.toml` declares it.
const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The targets release.yml builds; the packing job runs the first one's binary.
const TARGETS: [&str; 5] = [
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
];
/// The commands `linkwatch --help` lists besides `help`: each has its man page in the archives.
const COMMANDS: [&str; 17] = [
    "validate",
    "schema",
    "check",
    "pending",
    "diff",
    "accept",
    "report",
    "merge",
    "export",
    "import",
    "fmt",
    "fix",
    "add",
    "init",
    "history",
    "completions",
    "man",
];
/// Where the runner checks out `uses: owner/linkwatch@v1`, under the sandbox.
const ACTION_CHECKOUT: &str = "_actions/owner/linkwatch/v1";

fn tag() -> String {
    format!("v{VERSION}")
}

fn is_windows(target: &str) -> bool {
    target.contains("windows")
}

fn archive_name(tag: &str, target: &str) -> String {
    let ext = if is_windows(target) { "zip" } else { "tar.gz" };
    format!("linkwatch-{tag}-{target}.{ext}")
}

fn binary_name(target: &str) -> &'static str {
    if is_windows(target) {
        "linkwatch.exe"
    } else {
        "linkwatch"
    }
}

/// The stand-in for a binary this machine cannot run: it reports the release's version.
fn stand_in() -> String {
    format!("#!/bin/sh\necho 'linkwatch {VERSION}'\n")
}

/// Packs a release tagged `tag` as release.yml's package job does, from what its build jobs
/// hand over in `bins/`: the real binary for the first target, stand-ins for the others. Artifacts
/// lose the executable bit between jobs, so the binaries arrive without it (but for the Windows
/// stand-in, which a Windows runner would run without one and this machine cannot).
#[cfg(unix)]
fn pack(sb: &Sandbox, tag: &str) -> (Step, PathBuf) {
    let bins = sb.path().join("bins");
    for target in TARGETS {
        let dir = bins.join(format!("linkwatch-{target}"));
        fs::create_dir_all(&dir).unwrap();
        let binary = dir.join(binary_name(target));
        if target == TARGETS[0] {
            fs::copy(env!("CARGO_BIN_EXE_linkwatch"), &binary).unwrap();
        } else {
            fs::write(&binary, stand_in()).unwrap();
        }
        set_mode(&binary, if is_windows(target) { 0o755 } else { 0o644 });
    }
    let dist = sb.path().join("dist");
    let step = sb.step(
        "package-release.sh",
        &[
            ("TAG", tag),
            ("BINS", bins.to_str().unwrap()),
            ("HOST_TARGET", TARGETS[0]),
            ("DIST", dist.to_str().unwrap()),
        ],
    );
    (step, dist)
}

/// Runs `program` with `args` in `dir` and returns its stdout; it must succeed.
fn run_ok(dir: &Path, program: impl AsRef<OsStr>, args: &[&str]) -> String {
    let out = Command::new(program.as_ref())
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{:?} {args:?} failed: {}",
        program.as_ref(),
        crate::common::stderr(&out)
    );
    crate::common::stdout(&out)
}

#[cfg(unix)]
#[test]
fn a_tag_packs_one_archive_per_target_with_the_docs_completions_and_man_pages_and_checksums() {
    use std::os::unix::fs::PermissionsExt;
    if tools_missing() {
        return;
    }
    let sb = Sandbox::without_repo();
    let tag = tag();
    let (pack, dist) = pack(&sb, &tag);
    pack.assert_ok();

    let archives: Vec<String> = TARGETS.iter().map(|t| archive_name(&tag, t)).collect();
    let mut expected: Vec<String> = archives
        .iter()
        .flat_map(|a| [a.clone(), format!("{a}.sha256")])
        .collect();
    expected.push("SHA256SUMS".into());
    expected.sort();
    let mut listed: Vec<String> = fs::read_dir(&dist)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    listed.sort();
    assert_eq!(listed, expected);

    run_ok(&dist, "sha256sum", &["--check", "--strict", "SHA256SUMS"]);
    // SHA256SUMS lists the archives in name order, each as its own .sha256 file has it.
    let mut by_name = archives.clone();
    by_name.sort();
    let mut sums = String::new();
    for archive in &by_name {
        let own = format!("{archive}.sha256");
        run_ok(&dist, "sha256sum", &["--check", "--strict", &own]);
        sums.push_str(&fs::read_to_string(dist.join(own)).unwrap());
    }
    assert_eq!(fs::read_to_string(dist.join("SHA256SUMS")).unwrap(), sums);

    let linkwatch = env!("CARGO_BIN_EXE_linkwatch");
    let mut shared: Vec<(String, Vec<u8>)> = Vec::new();
    for name in ["README.md", "LICENSE-MIT", "LICENSE-APACHE"] {
        shared.push((name.into(), fs::read(root().join(name)).unwrap()));
    }
    for entry in fs::read_dir(root().join("docs")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap();
        shared.push((format!("docs/{name}"), fs::read(&path).unwrap()));
    }
    for (shell, file) in [
        ("bash", "linkwatch.bash"),
        ("zsh", "_linkwatch"),
        ("fish", "linkwatch.fish"),
        ("powershell", "_linkwatch.ps1"),
        ("elvish", "linkwatch.elv"),
    ] {
        let script = run_ok(root(), linkwatch, &["completions", shell]);
        assert!(script.contains("linkwatch"), "{shell}");
        shared.push((format!("completions/{file}"), script.into_bytes()));
    }
    let page = run_ok(root(), linkwatch, &["man"]);
    shared.push(("man/linkwatch.1".into(), page.into_bytes()));
    for command in COMMANDS {
        let page = run_ok(root(), linkwatch, &["man", command]);
        assert!(
            page.contains(&format!(".TH linkwatch-{command} ")),
            "{command}"
        );
        shared.push((format!("man/linkwatch-{command}.1"), page.into_bytes()));
    }

    for (target, archive) in TARGETS.iter().zip(&archives) {
        let out = sb.path().join("unpacked").join(target);
        fs::create_dir_all(&out).unwrap();
        let path = dist.join(archive).into_os_string().into_string().unwrap();
        if is_windows(target) {
            run_ok(&out, "unzip", &["-q", &path]);
        } else {
            run_ok(&out, "tar", &["-xzf", &path]);
        }
        let top = format!("linkwatch-{tag}-{target}");
        let binary = binary_name(target);
        let bytes = if *target == TARGETS[0] {
            fs::read(linkwatch).unwrap()
        } else {
            stand_in().into_bytes()
        };
        let mut want: Vec<(PathBuf, Vec<u8>)> = shared
            .iter()
            .cloned()
            .chain([(binary.to_owned(), bytes)])
            .map(|(name, bytes)| (Path::new(&top).join(name), bytes))
            .collect();
        want.sort();
        let got = crate::common::snapshot_dir(&out);
        let names = |files: &[(PathBuf, Vec<u8>)]| -> Vec<PathBuf> {
            files.iter().map(|(n, _)| n.clone()).collect()
        };
        assert_eq!(names(&got), names(&want), "{archive}");
        for ((name, got), (_, want)) in got.iter().zip(&want) {
            assert!(got == want, "{archive}: {} differs", name.display());
        }
        let mode = fs::metadata(out.join(&top).join(binary))
            .unwrap()
            .permissions()
            .mode();
        assert!(mode & 0o111 != 0, "{archive}: {binary} is not executable");
    }
    let unpacked = sb
        .path()
        .join("unpacked")
        .join(TARGETS[0])
        .join(format!("linkwatch-{tag}-{}/linkwatch", TARGETS[0]));
    assert_eq!(
        run_ok(root(), unpacked, &["--version"]),
        format!("linkwatch {VERSION}\n")
    );
}

#[cfg(unix)]
#[test]
fn a_tag_that_is_not_the_binarys_version_stops_the_release_before_anything_is_packed() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::without_repo();
    let (pack, dist) = pack(&sb, "v0.0.0-not-this");
    assert_eq!(pack.code(), Some(1));
    assert_eq!(
        pack.stderr(),
        format!(
            "::error::tag v0.0.0-not-this does not match the binary's version (linkwatch {VERSION}): \
             set version in Cargo.toml to 0.0.0-not-this before tagging\n"
        )
    );
    assert!(!dist.exists(), "nothing is packed");
}

#[test]
fn the_action_downloads_for_every_target_the_release_builds() {
    let release = workflow("release.yml");
    let built: Vec<&str> = release
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- target: "))
        .collect();
    assert_eq!(built, TARGETS);
    assert!(release.contains(&format!("HOST_TARGET: {}\n", TARGETS[0])));
    let install = fs::read_to_string(root().join(".github/scripts/install-linkwatch.sh")).unwrap();
    for target in TARGETS {
        assert!(
            install.contains(&format!(") target={target} ;;")),
            "the action never downloads {target}"
        );
    }
}

/// The `run:` command of the action's step named `name`, as bash receives it.
fn action_step(name: &str) -> String {
    let action = fs::read_to_string(root().join("action.yml")).unwrap();
    let step = action
        .split("\n    - ")
        .find(|s| s.starts_with(&format!("name: {name}\n")))
        .unwrap_or_else(|| panic!("action.yml has no step {name:?}"));
    let run = step
        .lines()
        .find_map(|l| l.trim().strip_prefix("run: "))
        .unwrap_or_else(|| panic!("{name:?} runs nothing"));
    match run.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        Some(quoted) => quoted.replace("''", "'"),
        None => run.to_owned(),
    }
}

/// A checkout of this action at `dir` (under the sandbox), as a runner leaves it for `uses:`:
/// its Cargo.toml and its scripts.
#[cfg(unix)]
fn action_checkout(sb: &Sandbox, dir: &str) -> PathBuf {
    let action = sb.path().join(dir);
    fs::create_dir_all(&action).unwrap();
    fs::copy(root().join("Cargo.toml"), action.join("Cargo.toml")).unwrap();
    std::os::unix::fs::symlink(root().join(".github"), action.join(".github")).unwrap();
    action
}

/// Serves the files of `dist` as release `tag` of owner/linkwatch, the way github.com does: each
/// download URL redirects to where the file is stored.
fn serve_release(server: &TestServer, dist: &Path, tag: &str) {
    for entry in fs::read_dir(dist).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap();
        let stored = format!("/storage/{tag}/{name}");
        server.route(
            &format!("/owner/linkwatch/releases/download/{tag}/{name}"),
            Reply::redirect(302, &server.url(&stored)),
        );
        server.route(
            &stored,
            Reply::bytes("application/octet-stream", &fs::read(&path).unwrap()),
        );
    }
}

/// Runs the action's download step, checked out at `action`, on a `os`/`arch` runner whose
/// GitHub is `server`, with `env` on top (VERSION and ACTION_REPOSITORY empty unless given).
fn install_step(
    sb: &Sandbox,
    server: &TestServer,
    action: &Path,
    (os, arch): (&str, &str),
    env: &[(&str, &str)],
) -> Step {
    let temp = sb.path().join("runner-temp");
    fs::create_dir_all(&temp).unwrap();
    let github = server.url("");
    let mut all = vec![
        ("VERSION", ""),
        ("ACTION_REPOSITORY", ""),
        ("GITHUB_ACTION_PATH", action.to_str().unwrap()),
        ("GITHUB_SERVER_URL", github.as_str()),
        ("RUNNER_OS", os),
        ("RUNNER_ARCH", arch),
        ("RUNNER_TEMP", temp.to_str().unwrap()),
    ];
    all.extend_from_slice(env);
    let run = action_step("Download linkwatch");
    tokio::task::block_in_place(|| sb.run_step(&run, &all))
}

fn download_path(tag: &str, target: &str) -> String {
    format!(
        "/owner/linkwatch/releases/download/{tag}/{}",
        archive_name(tag, target)
    )
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_action_downloads_the_release_for_its_runner_verifies_it_and_runs_it() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::without_repo();
    let tag = tag();
    let (pack, dist) = pack(&sb, &tag);
    pack.assert_ok();
    let server = TestServer::start().await;
    serve_release(&server, &dist, &tag);
    let action = action_checkout(&sb, ACTION_CHECKOUT);

    let install = install_step(&sb, &server, &action, ("Linux", "X64"), &[]);
    install.assert_ok();
    assert_eq!(install.output("build").as_deref(), Some("false"));
    let linkwatch = install.output("linkwatch").unwrap();
    let unpacked = sb.path().join(format!(
        "runner-temp/linkwatch-release/linkwatch-{tag}-{}/linkwatch",
        TARGETS[0]
    ));
    assert_eq!(Path::new(&linkwatch), unpacked);
    assert!(fs::read(&linkwatch).unwrap() == fs::read(env!("CARGO_BIN_EXE_linkwatch")).unwrap());
    assert_eq!(
        run_ok(root(), &linkwatch, &["--version"]),
        format!("linkwatch {VERSION}\n")
    );
    let archive = download_path(&tag, TARGETS[0]);
    let sum = fs::read_to_string(dist.join(format!("{}.sha256", archive_name(&tag, TARGETS[0]))))
        .unwrap();
    assert_eq!(
        install.stdout(),
        format!(
            "Using linkwatch {VERSION} from {} (SHA-256 {}).\n",
            server.url(&archive),
            &sum[..64]
        )
    );
    assert_eq!(server.hits(&format!("{archive}.sha256")), 1);
    assert_eq!(server.hits(&archive), 1);

    // A pinned version, with or without its `v`, on other runners: the Windows one gets the zip.
    for (runner, version, target) in [
        (("macOS", "ARM64"), tag.as_str(), TARGETS[3]),
        (("Windows", "X64"), VERSION, TARGETS[4]),
    ] {
        let install = install_step(
            &sb,
            &server,
            &action,
            runner,
            &[
                ("VERSION", version),
                ("ACTION_REPOSITORY", "owner/linkwatch"),
            ],
        );
        install.assert_ok();
        assert_eq!(install.output("build").as_deref(), Some("false"));
        let linkwatch = install.output("linkwatch").unwrap();
        assert!(
            linkwatch.ends_with(&format!(
                "/linkwatch-release/linkwatch-{tag}-{target}/{}",
                binary_name(target)
            )),
            "{linkwatch}"
        );
        assert_eq!(
            run_ok(root(), &linkwatch, &["--version"]),
            format!("linkwatch {VERSION}\n")
        );
        assert_eq!(server.hits(&download_path(&tag, target)), 1);
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_windows_runner_temp_with_backslashes_still_verifies_the_checksum() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::without_repo();
    let tag = tag();
    let (pack, dist) = pack(&sb, &tag);
    pack.assert_ok();
    let server = TestServer::start().await;
    serve_release(&server, &dist, &tag);
    let action = action_checkout(&sb, ACTION_CHECKOUT);
    // As a Windows runner gives it; here, one folder whose name holds backslashes.
    let temp = sb.path().join("D:\\a\\_temp");
    let install = install_step(
        &sb,
        &server,
        &action,
        ("Windows", "X64"),
        &[("RUNNER_TEMP", temp.to_str().unwrap())],
    );
    install.assert_ok();
    let linkwatch = install.output("linkwatch").unwrap();
    assert_eq!(
        Path::new(&linkwatch),
        temp.join(format!(
            "linkwatch-release/linkwatch-{tag}-{}/linkwatch.exe",
            TARGETS[4]
        ))
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_release_for_the_runner_the_action_builds_its_own_source() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::without_repo();
    let tag = tag();
    // No release at all: every path answers 404.
    let server = TestServer::start().await;
    let action = action_checkout(&sb, ACTION_CHECKOUT);

    let install = install_step(&sb, &server, &action, ("Linux", "X64"), &[]);
    install.assert_ok();
    assert_eq!(
        install.stdout(),
        format!(
            "no release {tag} of owner/linkwatch has a build for {}; building linkwatch from the \
             action's source.\n",
            TARGETS[0]
        )
    );
    assert_eq!(install.output("build").as_deref(), Some("true"));
    let linkwatch = install.output("linkwatch").unwrap();
    assert_eq!(
        Path::new(&linkwatch),
        action.join("target/release/linkwatch")
    );
    assert_eq!(
        server.requests().len(),
        1,
        "only the checksum was asked for"
    );

    let action_yml = fs::read_to_string(root().join("action.yml")).unwrap();
    assert!(action_yml.contains(
        "    - name: Build linkwatch from source\n      if: ${{ steps.install.outputs.build == 'true' }}\n"
    ));
    let cargo_calls = sb.path().join("cargo-calls");
    sb.run_step(
        &action_step("Build linkwatch from source"),
        &[
            ("GITHUB_ACTION_PATH", action.to_str().unwrap()),
            ("FAKE_CARGO_ARGS", cargo_calls.to_str().unwrap()),
        ],
    )
    .assert_ok();
    assert_eq!(
        fs::read_to_string(&cargo_calls).unwrap(),
        format!(
            "build\t--release\t--locked\t--manifest-path\t{}/Cargo.toml\n",
            action.display()
        )
    );
    assert_eq!(
        run_ok(root(), &linkwatch, &["--version"]),
        format!("linkwatch {VERSION}\n")
    );

    // Where no release can exist, the action builds without asking.
    let local = action_checkout(&sb, "local");
    for (action, runner, version, why) in [
        (&action, ("Linux", "X64"), "source", "version: source"),
        (
            &action,
            ("Windows", "ARM64"),
            "",
            "no linkwatch release is built for Windows on ARM64",
        ),
        (
            &local,
            ("Linux", "X64"),
            "",
            "the action's repository is unknown (a local `uses: ./`?), so is its release",
        ),
    ] {
        let install = install_step(&sb, &server, action, runner, &[("VERSION", version)]);
        install.assert_ok();
        assert_eq!(
            install.stdout(),
            format!("{why}; building linkwatch from the action's source.\n")
        );
        assert_eq!(install.output("build").as_deref(), Some("true"), "{why}");
        let built = if runner.0 == "Windows" {
            "target/release/linkwatch.exe"
        } else {
            "target/release/linkwatch"
        };
        assert_eq!(
            install.output("linkwatch").map(PathBuf::from),
            Some(action.join(built))
        );
    }
    assert_eq!(server.requests().len(), 1, "no further request");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archive_that_does_not_match_its_checksum_fails_the_step_and_is_not_built_instead() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::without_repo();
    let tag = tag();
    let (pack, dist) = pack(&sb, &tag);
    pack.assert_ok();
    let server = TestServer::start().await;
    serve_release(&server, &dist, &tag);
    let name = archive_name(&tag, TARGETS[0]);
    let mut tampered = fs::read(dist.join(&name)).unwrap();
    tampered.push(0);
    server.route(
        &format!("/storage/{tag}/{name}"),
        Reply::bytes("application/octet-stream", &tampered),
    );
    let action = action_checkout(&sb, ACTION_CHECKOUT);

    let install = install_step(&sb, &server, &action, ("Linux", "X64"), &[]);
    assert_eq!(install.code(), Some(1));
    let sum = fs::read_to_string(dist.join(format!("{name}.sha256"))).unwrap();
    assert!(
        install.stderr().starts_with(&format!(
            "::error::{name} does not match its published SHA-256 checksum (expected {}, got ",
            &sum[..64]
        )),
        "{}",
        install.stderr()
    );
    assert_eq!(install.outputs, "", "neither a binary nor a build");
    assert!(
        !sb.path()
            .join(format!(
                "runner-temp/linkwatch-release/linkwatch-{tag}-{}",
                TARGETS[0]
            ))
            .exists(),
        "nothing was unpacked"
    );

    // A release that cannot be fetched (a rate limit's 403) is no reason to build either.
    let checksum = format!("{}.sha256", download_path(&tag, TARGETS[0]));
    server.route(&checksum, Reply::status(403));
    let install = install_step(&sb, &server, &action, ("Linux", "X64"), &[]);
    assert_eq!(install.code(), Some(1));
    assert_eq!(
        install.stderr(),
        format!("::error::{} answered HTTP 403\n", server.url(&checksum))
    );
    assert_eq!(install.outputs, "");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinned_version_without_a_release_fails_the_step_instead_of_building_other_code() {
    if tools_missing() {
        return;
    }
    let sb = Sandbox::without_repo();
    let server = TestServer::start().await;
    let action = action_checkout(&sb, ACTION_CHECKOUT);
    for (runner, why) in [
        (
            ("Linux", "X64"),
            format!(
                "no release v9.9.9 of owner/linkwatch has a build for {}",
                TARGETS[0]
            ),
        ),
        (
            ("Windows", "ARM64"),
            "no linkwatch release is built for Windows on ARM64".to_owned(),
        ),
    ] {
        let install = install_step(&sb, &server, &action, runner, &[("VERSION", "9.9.9")]);
        assert_eq!(install.code(), Some(1), "{why}");
        assert_eq!(install.stderr(), format!("::error::{why}\n"));
        assert_eq!(install.stdout(), "");
        assert_eq!(install.outputs, "", "{why}: no build of other code");
    }
    assert_eq!(
        server.hits("/owner/linkwatch/releases/download/v9.9.9/linkwatch-v9.9.9-x86_64-unknown-linux-musl.tar.gz.sha256"),
        1
    );
}
