//! `linkwatch init`: start a catalog of one's own, empty or with the links of a file, each
//! judged and titled as `add` would.

use super::Exit;
use super::add::fetch_all;
use super::config::{self, GlobalArgs};
use anyhow::{Context, bail};
use linkwatch::catalog::{Kind, Resource, doc};
use linkwatch::maintain::{self, add, init};
use linkwatch::text::for_terminal;
use linkwatch::url::{WebUrl, same_page};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Where to start it: DIR/catalog/ and DIR/linkwatch.toml [default: the current directory]
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Add the links of this file: URLs one a line, Markdown, or a browser's bookmarks (HTML)
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// Do not fetch the links: titles come from the file, else from the address
    #[arg(long, requires = "from")]
    pub offline: bool,
    /// The id of the folder the links go to
    #[arg(long, value_name = "ID", default_value = "links")]
    pub folder: String,
    /// The catalog's title
    #[arg(long, value_name = "T", default_value = "My catalog")]
    pub title: String,
    /// Who publishes the catalog
    #[arg(long, value_name = "P", default_value = "(your organization)")]
    pub publisher: String,
}

pub(crate) fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<Exit> {
    if global.catalog.is_some() || global.config.is_some() {
        bail!(
            "`linkwatch init` makes DIR/{} and DIR/{}: give DIR, not --catalog or --config",
            linkwatch::DEFAULT_CATALOG_DIR,
            linkwatch::CONFIG_FILE_NAME
        );
    }
    if add::slug(&args.folder) != args.folder {
        bail!(
            "--folder `{}` is not an id: lowercase letters, digits and hyphens, like `{}`",
            args.folder,
            add::slug(&args.folder)
        );
    }
    let root = args.dir.clone().unwrap_or_default();
    let catalog_dir = root.join(linkwatch::DEFAULT_CATALOG_DIR);
    let catalog_file = catalog_dir.join(linkwatch::catalog::load::CATALOG_FILE);
    let folder_file = doc::folder_file(&catalog_dir, &args.folder);
    let schema_file = catalog_dir.join(init::SCHEMA_FILE);
    let settings_file = root.join(linkwatch::CONFIG_FILE_NAME);
    let existing: Vec<&PathBuf> = [&catalog_file, &folder_file, &schema_file, &settings_file]
        .into_iter()
        .filter(|p| p.exists())
        .collect();
    if !existing.is_empty() {
        for path in existing {
            eprintln!("linkwatch: {} exists", path.display());
        }
        eprintln!("linkwatch: init never overwrites a catalog; nothing written");
        return Ok(Exit::Problems);
    }

    let links = match &args.from {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            init::links(&String::from_utf8_lossy(&bytes))
        }
        None => init::Links::default(),
    };
    let added = resources(&args, &links.links)?;

    let folder_title = init::folder_title(&args.folder);
    let catalog_text =
        init::catalog_toml(&args.title, &args.publisher, &args.folder, &folder_title)?;
    let folder_text = init::folder_toml(&added.resources)?;
    std::fs::create_dir_all(&catalog_dir)
        .with_context(|| format!("cannot create {}", catalog_dir.display()))?;
    let loaded = maintain::validate_edits(
        &catalog_dir,
        &[
            (catalog_file.clone(), catalog_text.clone()),
            (folder_file.clone(), folder_text.clone()),
        ],
        linkwatch::time::today(),
    )?;
    if loaded.has_errors() {
        super::print_diagnostics(&loaded)?;
        eprintln!("linkwatch: the new catalog would not be valid; nothing written");
        return Ok(Exit::Problems);
    }
    linkwatch::fsutil::write_all_atomic(&[
        (catalog_file.clone(), catalog_text.into_bytes()),
        (folder_file.clone(), folder_text.into_bytes()),
        (
            schema_file.clone(),
            linkwatch::catalog::schema::schema_json().into_bytes(),
        ),
        (settings_file.clone(), config::template().into_bytes()),
    ])?;

    let mut out = std::io::stdout().lock();
    for (from, to) in &added.moved {
        writeln!(out, "{from} moved permanently: stored as {to}")?;
    }
    if !added.refused.is_empty() {
        writeln!(
            out,
            "not added ({} link(s); `linkwatch add URL --folder {} --force` adds one anyway):",
            added.refused.len(),
            args.folder
        )?;
        for (url, why) in &added.refused {
            writeln!(out, "  {url}: {}", for_terminal(why))?;
        }
    }
    if !links.skipped.is_empty() {
        writeln!(
            out,
            "left out (not http or https): {}",
            for_terminal(&links.skipped.join(", "))
        )?;
    }
    let count = match added.resources.len() {
        1 => "1 resource".to_owned(),
        n => format!("{n} resources"),
    };
    writeln!(
        out,
        "created {}, {} ({count}), {} and {}",
        catalog_file.display(),
        folder_file.display(),
        schema_file.display(),
        settings_file.display()
    )?;
    writeln!(
        out,
        "next: set the title and publisher in {}, then run `linkwatch validate` and \
         `linkwatch check`",
        catalog_file.display()
    )?;
    Ok(Exit::Ok)
}

/// The resources made from a file's links, and what became of the others.
#[derive(Debug, Default)]
struct Added {
    resources: Vec<Resource>,
    /// (URL in the file, URL stored) for the links that moved permanently.
    moved: Vec<(String, String)>,
    /// (URL, why) for the links `add` would refuse without `--force`.
    refused: Vec<(String, String)>,
}

/// One resource per link, as `add` would make it: fetched and judged, titled from the page
/// (or, with `--offline`, from the file's text, else the address).
fn resources(args: &Args, links: &[init::Link]) -> anyhow::Result<Added> {
    let fetched = if args.offline || links.is_empty() {
        vec![None; links.len()]
    } else {
        let urls: Vec<String> = links.iter().map(|l| l.url.clone()).collect();
        fetch_all(&urls, config::FileConfig::default().check_config())?
    };
    let now = linkwatch::time::now();
    let mut added = Added::default();
    for (link, fetch) in links.iter().zip(fetched) {
        let address = WebUrl::parse(&link.url)
            .with_context(|| format!("`{}` is not an http or https URL", link.url))?;
        let fallback = link
            .text
            .clone()
            .filter(|t| t.chars().count() <= add::MAX_TITLE_CHARS)
            .unwrap_or_else(|| add::address_title(&address));
        let (url, title, organization) = match fetch {
            None if args.offline => (link.url.clone(), fallback, address.host().to_owned()),
            None => {
                added
                    .refused
                    .push((link.url.clone(), "not fetched".to_owned()));
                continue;
            }
            Some(fetch) => {
                let p = add::propose(&link.url, &fetch, linkwatch::DEFAULT_CONFIRM_AFTER, now);
                if !p.addable() {
                    added
                        .refused
                        .push((link.url.clone(), format!("{}: {}", p.status, p.detail)));
                    continue;
                }
                if p.url != link.url {
                    if added.resources.iter().any(|r| same_page(&r.url, &p.url)) {
                        continue;
                    }
                    added.moved.push((link.url.clone(), p.url.clone()));
                }
                let title = p
                    .title
                    .filter(|t| t.chars().count() <= add::MAX_TITLE_CHARS)
                    .unwrap_or(fallback);
                let organization = p.site_name.unwrap_or_else(|| address.host().to_owned());
                (p.url, title, organization)
            }
        };
        let id = add::free_id(&add::slug(&title), |id| {
            added.resources.iter().any(|r| r.id == id)
        });
        added.resources.push(Resource {
            added: Some(linkwatch::time::today()),
            ..Resource::new(&id, &title, &url, Kind::Website, &organization)
        });
    }
    Ok(added)
}
