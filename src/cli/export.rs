//! `linkwatch export`: the catalog, with the last audit's findings, as CSV, a spreadsheet,
//! JSON or Markdown.

use super::Exit;
use super::config::Project;
use anyhow::{Context, bail};

use linkwatch::export;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// What to write.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Where to write it (required for xlsx); stdout when not given.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Where the last audit's results.json is; its findings are added when it exists
    /// [default: reports, or `out` in linkwatch.toml]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// RFC 4180 CSV, UTF-8, formula-like cells prefixed with `'`.
    Csv,
    /// An Excel workbook: an "All" sheet and one sheet per folder.
    Xlsx,
    /// A JSON array of row objects.
    Json,
    /// A Markdown table per folder.
    Md,
}

pub(crate) fn run(args: Args, project: &Project) -> anyhow::Result<Exit> {
    if args.format == Format::Xlsx && args.output.is_none() {
        bail!("--format xlsx needs --output FILE");
    }
    let Some(catalog) = super::load_catalog(project.catalog()?)? else {
        return Ok(Exit::Usage);
    };
    let out = project.out(args.out);
    let audit = if out.join(linkwatch::report::RESULTS_JSON).exists() {
        Some(linkwatch::report::read_results(&out)?)
    } else {
        // The catalog alone is still worth exporting (to edit it in a spreadsheet), but an
        // empty status column must not pass for "nothing checked yet found nothing".
        eprintln!(
            "linkwatch: {}; the status columns are empty",
            super::no_audit(&out)
        );
        None
    };
    let rows = export::rows(&catalog, audit.as_ref());
    let write = |w: &mut dyn Write| match args.format {
        Format::Csv => export::csv::write(&rows, w),
        Format::Json => export::json::write(&rows, w),
        Format::Md => export::md::write(&rows, w),
        Format::Xlsx => {
            let bytes = export::xlsx::to_buffer(&rows).map_err(std::io::Error::other)?;
            w.write_all(&bytes)
        }
    };
    match &args.output {
        Some(path) => linkwatch::fsutil::write_atomic_with(path, write)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            write(&mut out)?;
            out.flush()?;
        }
    }
    Ok(Exit::Ok)
}
