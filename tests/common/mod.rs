//! Helpers for CLI tests: fixture catalogs written into temporary directories, the real
//! `linkwatch` binary run on them, and its reports read back.

// Each test crate uses part of this shared module.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A resource of a fixture catalog: id, URL, and extra TOML lines for its table (e.g. a
/// `[resource.watch]` table).
pub struct Res {
    pub id: String,
    pub url: String,
    pub extra: String,
    pub folder: &'static str,
}

pub fn res(id: &str, url: impl Into<String>) -> Res {
    Res {
        id: id.to_string(),
        url: url.into(),
        extra: String::new(),
        folder: "web",
    }
}

impl Res {
    pub fn with(mut self, extra: &str) -> Res {
        self.extra = extra.to_string();
        self
    }

    pub fn in_folder(mut self, folder: &'static str) -> Res {
        self.folder = folder;
        self
    }
}

/// A temporary project: `catalog/` and `reports/` side by side.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    /// Writes a catalog with folders `web` and `docs` holding `resources`.
    pub fn new(resources: &[Res]) -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        let project = Project { dir };
        project.write_catalog(resources);
        project
    }

    pub fn write_catalog(&self, resources: &[Res]) {
        let catalog = self.catalog();
        std::fs::create_dir_all(&catalog).unwrap();
        std::fs::write(
            catalog.join("catalog.toml"),
            "title = \"Test toolkit\"\npublisher = \"Tests\"\n\n\
             [[folder]]\nid = \"web\"\ntitle = \"Web pages\"\n\n\
             [[folder]]\nid = \"docs\"\ntitle = \"Documents\"\n",
        )
        .unwrap();
        for folder in ["web", "docs"] {
            let mut text = String::new();
            for r in resources.iter().filter(|r| r.folder == folder) {
                text.push_str(&format!(
                    "[[resource]]\nid = \"{}\"\ntitle = \"Title of {}\"\nurl = \"{}\"\n\
                     kind = \"website\"\norganization = \"Test org\"\ntags = [\"tag-{}\"]\n{}\n\n",
                    r.id, r.id, r.url, r.id, r.extra
                ));
            }
            std::fs::write(catalog.join(format!("{folder}.toml")), text).unwrap();
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn catalog(&self) -> PathBuf {
        self.dir.path().join("catalog")
    }

    pub fn reports(&self) -> PathBuf {
        self.dir.path().join("reports")
    }

    /// Runs `linkwatch <args>` in the project directory.
    pub fn run(&self, args: &[&str]) -> Output {
        run_in(self.path(), args)
    }

    /// Runs `linkwatch check --quiet` with short timeouts on this project, plus `args`.
    pub fn check(&self, args: &[&str]) -> Output {
        check_in(self.path(), args)
    }

    /// `reports/links.csv` as one map per row, keyed by column name.
    pub fn links(&self) -> Vec<HashMap<String, String>> {
        read_links(&self.reports().join("links.csv"))
    }

    /// The row of resource `id` in `<out>/links.csv`.
    pub fn row_in(&self, out: &str, id: &str) -> HashMap<String, String> {
        read_links(&self.path().join(out).join("links.csv"))
            .into_iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("no row for {id} in {out}/links.csv"))
    }

    /// The row of resource `id` in `links.csv`.
    pub fn row(&self, id: &str) -> HashMap<String, String> {
        self.links()
            .into_iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("no row for {id} in links.csv"))
    }
}

/// Runs `linkwatch <args>` in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_linkwatch"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run linkwatch")
}

/// Runs `linkwatch check --quiet --timeout 2 --retries 1 --no-archive <args>` in `dir`: no
/// test asks the real Wayback Machine.
pub fn check_in(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec![
        "check",
        "--quiet",
        "--timeout",
        "2",
        "--retries",
        "1",
        "--no-archive",
    ];
    all.extend_from_slice(args);
    run_in(dir, &all)
}

/// [`check_in`] off the async runtime, so servers started by the test keep answering meanwhile.
pub async fn check_async(dir: &Path, args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        check_in(&dir, &args)
    })
    .await
    .expect("linkwatch ran")
}

pub fn read_links(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every file under `dir`, with its bytes, for byte-for-byte comparisons.
pub fn snapshot_dir(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.push((path.strip_prefix(dir).unwrap().to_path_buf(), bytes));
            }
        }
    }
    files.sort();
    files
}

/// Copies every file under `from` into `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    for (rel, bytes) in snapshot_dir(from) {
        let path = to.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}
