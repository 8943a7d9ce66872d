//! `linkwatch import`: compare a maintainer's edited CSV export with the catalog, show the
//! difference, and with `--write` apply it to the TOML files.

use super::Exit;
use anyhow::Context;
use linkwatch::maintain;
use linkwatch::maintain::import::{self, ImportChange};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The edited CSV, in the columns of `linkwatch export --format csv`.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Apply the changes to the catalog files (otherwise only show them).
    #[arg(long)]
    pub write: bool,
    /// The catalog directory.
    #[arg(long, value_name = "DIR", default_value = linkwatch::DEFAULT_CATALOG_DIR)]
    pub catalog: PathBuf,
}

pub(crate) fn run(args: Args) -> anyhow::Result<Exit> {
    let Some(catalog) = super::load_catalog(&args.catalog)? else {
        return Ok(Exit::Usage);
    };
    let input = std::fs::File::open(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let folders: Vec<&str> = catalog.meta.folders.iter().map(|f| f.id.as_str()).collect();
    let rows = match import::read(input, &folders) {
        Ok(rows) => rows,
        Err(errors) => {
            for e in &errors {
                eprintln!("{}: {e}", args.file.display());
            }
            eprintln!("{} bad row(s); nothing written", errors.len());
            return Ok(Exit::Problems);
        }
    };
    let changes = import::plan_import(&catalog, &rows);
    let files = import::apply_import(&args.catalog, &catalog, &changes)?;
    let edits: Vec<_> = files
        .iter()
        .map(|(p, _, new)| (p.clone(), new.clone()))
        .collect();
    let loaded = maintain::validate_edits(&args.catalog, &edits, linkwatch::time::today())?;
    let mut out = std::io::stdout().lock();
    let (mut added, mut changed, mut removed) = (0, 0, 0);
    for change in &changes {
        match change {
            ImportChange::Add(new) => {
                added += 1;
                writeln!(out, "+ {} (folder {})", new.resource.id, new.folder)?;
            }
            ImportChange::Change { new, fields, .. } => {
                changed += 1;
                writeln!(out, "~ {}: {}", new.resource.id, fields.join(", "))?;
            }
            ImportChange::Remove { id, folder } => {
                removed += 1;
                writeln!(out, "- {id} (folder {folder})")?;
            }
        }
    }
    for (path, old, new) in &files {
        write!(out, "{}", maintain::unified_diff(path, old, new))?;
    }
    writeln!(
        out,
        "{added} to add, {changed} to change, {removed} to remove"
    )?;
    out.flush()?;
    if loaded.has_errors() {
        super::print_diagnostics(&loaded)?;
        eprintln!("the imported catalog would not be valid; nothing written");
        return Ok(Exit::Problems);
    }
    if args.write {
        for (path, _, new) in &files {
            linkwatch::fsutil::write_atomic(path, new.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        writeln!(std::io::stdout(), "wrote {} file(s)", files.len())?;
    }
    Ok(Exit::Ok)
}
