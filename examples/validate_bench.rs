//! Times the catalog commands on generated catalogs:
//! - loading and validating a 10,000-resource catalog in process, five runs;
//! - the real binary's `validate`, `fmt --check` and `import --write` of a 50,000-row edited CSV
//!   on a 100,000-resource catalog, each a child process reaped with `wait4` for its wall time,
//!   peak RSS and CPU time.
//!
//! The command is the release binary next to this example (or `--linkwatch PATH`), so build it
//! first:
//!
//! ```text
//! cargo build --release && cargo run --release --example validate_bench -- [--resources N]
//!     [--edited N] [--linkwatch PATH]
//! ```

// An example uses only part of the dependencies; `src/lib.rs` checks them.
#![allow(unused_crate_dependencies)]

use clap::Parser;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const IN_PROCESS_RESOURCES: usize = 10_000;
const FOLDERS: usize = 4;
const RUNS: usize = 5;

#[derive(Debug, Parser)]
struct Args {
    /// Resources in the catalog the commands run on.
    #[arg(long, default_value_t = 100_000)]
    resources: usize,
    /// Rows of the edited CSV `import` reads (every other resource, with a new title).
    #[arg(long, default_value_t = 50_000)]
    edited: usize,
    /// The linkwatch binary [default: target/release/linkwatch beside this example].
    #[arg(long)]
    linkwatch: Option<PathBuf>,
}

mod support;

use support::{BoxError, linkwatch_exe, run_measured};

fn main() -> Result<(), BoxError> {
    let args = Args::parse();
    in_process()?;
    let exe = match args.linkwatch {
        Some(path) => path,
        None => linkwatch_exe()?,
    };
    let dir = tempfile::tempdir()?;
    let catalog = dir.path().join("catalog");
    write_catalog(&catalog, args.resources)?;
    let csv = dir.path().join("edited.csv");
    write_edited_csv(&csv, args.resources, args.edited)?;
    println!(
        "\n{} on {} resources ({} folders), {} edited rows:",
        exe.display(),
        args.resources,
        FOLDERS,
        args.edited
    );
    let catalog_arg = catalog.to_str().ok_or("temporary path is not UTF-8")?;
    let csv_arg = csv.to_str().ok_or("temporary path is not UTF-8")?;
    for (name, command_args) in [
        ("validate", vec!["--catalog", catalog_arg, "validate"]),
        (
            "fmt --check",
            vec!["--catalog", catalog_arg, "fmt", "--check"],
        ),
        (
            "import --write",
            vec!["--catalog", catalog_arg, "import", csv_arg, "--write"],
        ),
    ] {
        let mut command = Command::new(&exe);
        command.args(&command_args);
        let m = run_measured(&mut command, dir.path(), Duration::from_secs(3600))?;
        println!(
            "{name:<15} {:<8}  wall {:>7.2} s  peak RSS {:>6.0} MB  cpu {:>7.2} s",
            m.end.to_string(),
            m.wall.as_secs_f64(),
            m.peak_mib(),
            m.cpu().as_secs_f64()
        );
    }
    Ok(())
}

/// Loads and validates a 10,000-resource catalog in this process, `RUNS` times.
fn in_process() -> Result<(), BoxError> {
    let dir = tempfile::tempdir()?;
    write_catalog(dir.path(), IN_PROCESS_RESOURCES)?;
    let today = jiff::civil::date(2026, 11, 28);
    let mut times = Vec::new();
    for run in 1..=RUNS {
        let start = Instant::now();
        let loaded =
            linkwatch::catalog::load(dir.path(), today).expect("generated catalog is readable");
        let elapsed = start.elapsed();
        assert_eq!(loaded.catalog.resources.len(), IN_PROCESS_RESOURCES);
        assert!(
            loaded.diagnostics.is_empty(),
            "{:?}",
            loaded.diagnostics.first()
        );
        println!(
            "run {run}: {IN_PROCESS_RESOURCES} resources loaded and validated in {:.1} ms",
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

/// Writes a catalog of `resources` resources spread over `FOLDERS` folder files into `dir`;
/// every tenth resource is written with irregular spacing, so `fmt --check` has a diff to show.
fn write_catalog(dir: &Path, resources: usize) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut catalog = String::from("title = \"Bench\"\npublisher = \"linkwatch\"\n");
    for f in 0..FOLDERS {
        writeln!(
            catalog,
            "\n[[folder]]\nid = \"folder-{f}\"\ntitle = \"Folder {f}\""
        )
        .unwrap();
        let mut file = String::new();
        for i in (f..resources).step_by(FOLDERS) {
            if i >= FOLDERS {
                file.push('\n');
            }
            let title = if i % 10 == 0 {
                "title  =  "
            } else {
                "title = "
            };
            writeln!(
                file,
                "[[resource]]\nid = \"resource-{i}\"\n{title}\"Resource {i}\"\n\
                 url = \"https://example.org/resources/{i}?page=1\"\nkind = \"guide\"\n\
                 organization = \"Organization {}\"\ndescription = \"A generated resource for timing.\"\n\
                 audience = [\"cac\", \"mdt\"]\ntags = [\"bench\", \"tag-{}\"]\nadded = 2024-05-01\nreviewed = 2025-01-31\n\n\
                 [resource.watch]\nselector = \"main article\"\nignore = ['Updated \\d+ days ago {}']\naccept = [403]\nthreshold = 0.8",
                i % 50,
                i % 20,
                i % 20
            )
            .unwrap();
        }
        std::fs::write(dir.join(format!("folder-{f}.toml")), file)?;
    }
    std::fs::write(dir.join("catalog.toml"), catalog)
}

/// Writes `rows` rows of the export's columns for every other resource, each with a new title.
fn write_edited_csv(path: &Path, resources: usize, rows: usize) -> std::io::Result<()> {
    let mut csv = String::from(
        "folder,id,title,url,kind,organization,description,audience,tags,added,reviewed\n",
    );
    for i in (0..resources).step_by(2).take(rows) {
        writeln!(
            csv,
            "folder-{},resource-{i},Resource {i} (edited),https://example.org/resources/{i}?page=1,\
             guide,Organization {},A generated resource for timing.,\"cac, mdt\",\"bench, tag-{}\",\
             2024-05-01,2025-01-31",
            i % FOLDERS,
            i % 50,
            i % 20
        )
        .unwrap();
    }
    std::fs::write(path, csv)
}
