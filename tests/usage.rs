//! The README documents every command and every flag that `--help` shows.

use std::process::Command;

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_linkwatch"))
        .args(args)
        .arg("--help")
        .output()
        .expect("run linkwatch --help");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
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

#[test]
fn readme_shows_every_command_and_flag_with_an_example() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let commands = commands();
    assert!(commands.contains(&"check".to_string()), "{commands:?}");
    for command in &commands {
        let example = format!("linkwatch {command}");
        assert!(readme.contains(&example), "README never shows `{example}`");
        for flag in flags(command) {
            assert!(
                readme
                    .lines()
                    .any(|l| l.contains(&example) && l.contains(&flag))
                    || readme.contains(&format!("`{flag}")),
                "README does not document `{command} {flag}`"
            );
        }
    }
}

#[test]
fn readme_first_screen_gives_the_main_job_and_the_tests() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let first_screen: String = readme.lines().take(25).collect::<Vec<_>>().join("\n");
    assert!(
        first_screen.contains("cargo run --release -- check"),
        "{first_screen}"
    );
    assert!(
        first_screen.contains("cargo test --locked"),
        "{first_screen}"
    );
    let ci = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run")).unwrap();
    assert!(
        ci.contains("cargo test --locked"),
        "CI runs the README's test command"
    );
}
