//! The library's layers import only downwards: a module may name modules of lower layers (and
//! items of the crate root), never one of its own layer or above. The table is the one in
//! `src/lib.rs`'s docs; a new module must be added here to be allowed at all.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Each top-level module of `src/` and its layer, lowest first.
const LAYERS: &[(&str, u8)] = &[
    ("url", 0),
    ("status", 0),
    ("time", 0),
    ("vocab", 0),
    ("text", 0),
    ("fsutil", 0),
    ("spool", 0),
    ("cells", 0),
    ("catalog", 1),
    ("content", 2),
    ("check", 2),
    ("state", 3),
    ("report", 4),
    ("audit", 5),
    ("export", 5),
    ("maintain", 6),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a source text names through `crate::`, with the line of each.
fn crate_references(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or("");
                for part in inner.split(',') {
                    let name = part.trim().split("::").next().unwrap_or("").trim();
                    found.push((n + 1, name.to_owned()));
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                found.push((n + 1, name));
            }
        }
    }
    found
}

#[test]
fn library_modules_import_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut violations = Vec::new();
    let mut unknown = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_owned();
        if module == "lib" || module == "main" || module == "cli" {
            continue;
        }
        let Some(own) = layer(&module) else {
            unknown.insert(module, rel.display().to_string());
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for (line, name) in crate_references(&text) {
            if name == module {
                continue;
            }
            if let Some(theirs) = layer(&name)
                && theirs >= own
            {
                violations.push(format!(
                    "src/{}:{line}: `{module}` (layer {own}) imports `{name}` (layer {theirs})",
                    rel.display()
                ));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "modules missing from the layer table in tests/layers.rs: {unknown:?}"
    );
    assert!(
        violations.is_empty(),
        "imports that point up or sideways:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_reference_scanner_sees_grouped_and_plain_paths() {
    let text =
        "use crate::report::Outcome;\nuse crate::{state, status::Status};\n// crate::audit\n";
    let names: Vec<String> = crate_references(text).into_iter().map(|(_, n)| n).collect();
    assert_eq!(names, ["report", "state", "status"]);
}
