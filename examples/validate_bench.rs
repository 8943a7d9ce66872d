//! Times loading and validating a generated 10,000-resource catalog:
//! `cargo run --release --example validate_bench`.

// An example uses only part of the dependencies; `src/lib.rs` checks them.
#![allow(unused_crate_dependencies)]

use std::fmt::Write as _;
use std::time::Instant;

const RESOURCES: usize = 10_000;
const FOLDERS: usize = 4;
const RUNS: usize = 5;

fn main() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut catalog = String::from("title = \"Bench\"\npublisher = \"linkwatch\"\n");
    for f in 0..FOLDERS {
        writeln!(
            catalog,
            "\n[[folder]]\nid = \"folder-{f}\"\ntitle = \"Folder {f}\""
        )
        .unwrap();
        let mut file = String::new();
        for i in (f..RESOURCES).step_by(FOLDERS) {
            writeln!(
                file,
                "[[resource]]\nid = \"resource-{i}\"\ntitle = \"Resource {i}\"\n\
                 url = \"https://example.org/resources/{i}?page=1\"\nkind = \"guide\"\n\
                 organization = \"Organization {}\"\ndescription = \"A generated resource for timing.\"\n\
                 audience = [\"cac\", \"mdt\"]\ntags = [\"bench\", \"tag-{}\"]\nadded = 2024-05-01\nreviewed = 2025-01-31\n\n\
                 [resource.watch]\nselector = \"main article\"\nignore = [\"Updated \\\\d+ days ago {}\"]\naccept = [403]\nthreshold = 0.8\n",
                i % 50,
                i % 20,
                i % 20
            )
            .unwrap();
        }
        std::fs::write(dir.path().join(format!("folder-{f}.toml")), file)?;
    }
    std::fs::write(dir.path().join("catalog.toml"), catalog)?;
    let today = jiff::civil::date(2026, 11, 28);
    let mut times = Vec::new();
    for run in 1..=RUNS {
        let start = Instant::now();
        let loaded =
            linkwatch::catalog::load(dir.path(), today).expect("generated catalog is readable");
        let elapsed = start.elapsed();
        assert_eq!(loaded.catalog.resources.len(), RESOURCES);
        assert!(
            loaded.diagnostics.is_empty(),
            "{:?}",
            loaded.diagnostics.first()
        );
        println!(
            "run {run}: {RESOURCES} resources loaded and validated in {:.1} ms",
            elapsed.as_secs_f64() * 1e3
        );
        times.push(elapsed);
    }
    times.sort();
    println!(
        "min {:.1} ms, median {:.1} ms, max {:.1} ms",
        times[0].as_secs_f64() * 1e3,
        times[RUNS / 2].as_secs_f64() * 1e3,
        times[RUNS - 1].as_secs_f64() * 1e3
    );
    Ok(())
}
