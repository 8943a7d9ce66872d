//! `linkwatch import`: compare a maintainer's edited CSV or `.xlsx` export with the catalog,
//! show the difference, and with `--write` apply it to the TOML files.

use super::Exit;
use super::config::Project;
use anyhow::Context;
use linkwatch::export::sheet::{self, ReadAs};
use linkwatch::maintain;
use linkwatch::maintain::import::{self, ImportChange};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The edited export: CSV (UTF-8 or Windows-1252) or an .xlsx workbook.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Apply the changes to the catalog files (otherwise only show them).
    #[arg(long)]
    pub write: bool,
    /// Remove the resources that have no row, in the folders the file has rows for.
    #[arg(long)]
    pub prune: bool,
    /// Let --prune remove more than a quarter of the catalog.
    #[arg(long, requires = "prune")]
    pub force: bool,
}

pub(crate) fn run(args: Args, project: &Project) -> anyhow::Result<Exit> {
    let dir = project.catalog()?;
    let Some(catalog) = super::load_catalog(dir)? else {
        return Ok(Exit::Usage);
    };
    let file = args.file.display();
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {file}"))?;
    let folders: Vec<&str> = catalog.meta.folders.iter().map(|f| f.id.as_str()).collect();
    let spreadsheet = match sheet::read(&bytes, &folders) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{file}: {e}");
            eprintln!("nothing written");
            return Ok(Exit::Problems);
        }
    };
    let mut out = std::io::stdout().lock();
    let sheet_names = || {
        let names: Vec<&str> = spreadsheet
            .sheets
            .iter()
            .filter_map(|s| s.name.as_deref())
            .collect();
        names.join(", ")
    };
    match spreadsheet.read_as {
        ReadAs::Csv => {}
        ReadAs::CsvWindows1252 => writeln!(
            out,
            "{file}: not UTF-8, read as Windows-1252 (save it as \"CSV UTF-8\" to keep every character)"
        )?,
        ReadAs::XlsxAll => writeln!(out, "{file}: read sheet {}", sheet_names())?,
        ReadAs::XlsxFolders => writeln!(
            out,
            "{file}: no \"All\" sheet, read the folder sheets {}",
            sheet_names()
        )?,
    }
    out.flush()?;
    let rows = match import::read(&spreadsheet.sheets, &folders) {
        Ok(rows) => rows,
        Err(errors) => {
            for e in &errors {
                eprintln!("{file}: {e}");
            }
            eprintln!("{} bad row(s); nothing written", errors.len());
            return Ok(Exit::Problems);
        }
    };
    let plan = import::plan_import(&catalog, &rows, args.prune);
    let files = import::apply_import(dir, &catalog, &plan.changes)?;
    let edits: Vec<_> = files
        .iter()
        .map(|(p, _, new)| (p.clone(), new.clone()))
        .collect();
    let loaded = maintain::validate_edits(dir, &edits, linkwatch::time::today())?;
    let (mut added, mut changed, mut removed) = (0, 0, 0);
    for change in &plan.changes {
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
    if plan.kept > 0 {
        if args.prune {
            writeln!(
                out,
                "{} resource(s) without a row kept: their folders have no row in {file}",
                plan.kept
            )?;
        } else {
            writeln!(
                out,
                "{} resource(s) without a row kept (--prune removes those in the folders {file} has rows for)",
                plan.kept
            )?;
        }
    }
    out.flush()?;
    if loaded.has_errors() {
        super::print_diagnostics(&loaded)?;
        eprintln!("the imported catalog would not be valid; nothing written");
        return Ok(Exit::Problems);
    }
    if !args.force
        && let Err(e) = plan.check_removals(catalog.resources.len())
    {
        eprintln!(
            "linkwatch: --prune {e}; nothing written (check the removals above, then add --force to remove them)"
        );
        return Ok(Exit::Problems);
    }
    if args.write {
        super::write_catalog_files(dir, &files)?;
        writeln!(out, "wrote {} file(s)", files.len())?;
    }
    Ok(Exit::Ok)
}
