//! The docs (README.md and docs/*.md) document every command and every flag that `--help` shows,
//! and the completion scripts and man pages come out of the same definitions.

use std::path::Path;
use std::process::{Command, Output};

fn linkwatch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_linkwatch"))
        .args(args)
        .output()
        .expect("run linkwatch")
}

/// Standard output of a run that must succeed.
fn stdout(args: &[&str]) -> String {
    let out = linkwatch(args);
    assert!(
        out.status.success(),
        "linkwatch {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn help(args: &[&str]) -> String {
    let mut args = args.to_vec();
    args.push("--help");
    stdout(&args)
}

/// The subcommands listed under `Commands:`.
fn commands() -> Vec<String> {
    help(&[])
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect()
}

/// The long flags a command's `--help` lists.
fn flags(command: &str) -> Vec<String> {
    help(&[command])
        .split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == ']')
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(|w| w.split('=').next().unwrap().to_string())
        .filter(|f| f != "--help" && f != "--version")
        .collect()
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).unwrap()
}

/// The Markdown files of `docs/`, by file name.
fn docs() -> Vec<(String, String)> {
    let mut docs: Vec<(String, String)> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    docs.sort();
    docs
}

#[test]
fn docs_show_every_command_and_flag_with_an_example() {
    let text = std::iter::once(readme())
        .chain(docs().into_iter().map(|(_, text)| text))
        .collect::<Vec<_>>()
        .join("\n");
    let commands = commands();
    assert!(commands.contains(&"check".to_string()), "{commands:?}");
    for command in &commands {
        let example = format!("linkwatch {command}");
        assert!(
            text.contains(&example),
            "neither README.md nor docs/ ever shows `{example}`"
        );
        for flag in flags(command) {
            assert!(
                text.lines()
                    .any(|l| l.contains(&example) && l.contains(&flag))
                    || text.contains(&format!("`{flag}")),
                "neither README.md nor docs/ documents `{command} {flag}`"
            );
        }
    }
}

#[test]
fn readme_links_every_file_of_docs() {
    let readme = readme();
    let docs = docs();
    for name in ["catalog.md", "audits.md", "spreadsheets.md", "github.md"] {
        assert!(
            docs.iter().any(|(n, _)| n == name),
            "docs/{name} is missing"
        );
    }
    for (name, _) in &docs {
        assert!(
            readme.contains(&format!("](docs/{name})")),
            "README.md does not link docs/{name}"
        );
    }
}

#[test]
fn readme_first_screen_gives_the_main_job_and_the_tests() {
    let readme = readme();
    let first_screen: String = readme.lines().take(25).collect::<Vec<_>>().join("\n");
    assert!(
        first_screen.contains("cargo run --release -- check"),
        "{first_screen}"
    );
    assert!(
        first_screen.contains("cargo test --locked"),
        "{first_screen}"
    );
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    assert!(
        ci.contains("cargo test --locked"),
        "CI runs the README's test command"
    );
}

#[test]
fn bash_completion_completes_the_commands() {
    let script = stdout(&["completions", "bash"]);
    assert!(script.contains("_linkwatch()"), "{script}");
    for command in ["check", "validate", "completions", "man"] {
        assert!(script.contains(command), "no `{command}` in:\n{script}");
    }
    assert!(script.contains("--changed-since"), "{script}");
}

#[test]
fn completions_exist_for_every_listed_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout(&["completions", shell]);
        assert!(script.contains("validate"), "{shell}:\n{script}");
    }
}

#[test]
fn completions_for_an_unknown_shell_is_a_usage_error() {
    let out = linkwatch(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("[possible values: bash, elvish, fish, powershell, zsh]"),
        "{stderr}"
    );
}

/// The roff lines of a page after the two that define the apostrophe string (`\*(Aq`), which
/// roff writes before everything else.
fn after_preamble(page: &str) -> Vec<&str> {
    let mut lines = page.lines();
    assert_eq!(lines.next(), Some(r".ie \n(.g .ds Aq \(aq"), "{page}");
    assert_eq!(lines.next(), Some(".el .ds Aq '"), "{page}");
    lines.collect()
}

#[test]
fn man_page_is_roff_that_names_every_command() {
    let page = stdout(&["man"]);
    let lines = after_preamble(&page);
    assert!(
        lines[0].starts_with(".TH linkwatch 1 "),
        "the page must start with .TH:\n{page}"
    );
    assert!(lines.contains(&".SH SUBCOMMANDS"), "{page}");
    for command in commands() {
        assert!(
            lines.contains(&format!(r"linkwatch\-{command}(1)").as_str()),
            "no `linkwatch-{command}(1)` in:\n{page}"
        );
    }
}

#[test]
fn man_page_of_one_command_lists_its_flags() {
    let page = stdout(&["man", "check"]);
    let lines = after_preamble(&page);
    assert!(lines[0].starts_with(".TH linkwatch-check 1 "), "{page}");
    for flag in flags("check") {
        let roff_flag = flag.replace('-', r"\-");
        assert!(page.contains(&roff_flag), "no `{flag}` in:\n{page}");
    }
}

#[test]
fn man_page_of_an_unknown_command_names_the_commands() {
    let out = linkwatch(&["man", "chekc"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .starts_with("linkwatch: error: no command `chekc`; one of: validate, schema, check,"),
        "{stderr}"
    );
}
