//! `linkwatch add`: fetch a page, propose a title and id from it, and append the resource to
//! its folder's file.

use super::Exit;
use anyhow::{Context, bail};
use linkwatch::catalog::{Kind, Resource, Watch, doc};
use linkwatch::check::{Cancel, CheckConfig, Engine, Request};
use linkwatch::maintain::{self, add};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The page to add (absolute http or https URL).
    #[arg(value_name = "URL")]
    pub url: String,
    /// The folder to add it to.
    #[arg(long, value_name = "F")]
    pub folder: String,
    /// The resource id (default: a slug of the page's title).
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// What the resource is.
    #[arg(long, value_name = "K", default_value = "website")]
    pub kind: Kind,
    /// Who publishes it (default: the URL's host).
    #[arg(long, value_name = "O")]
    pub organization: Option<String>,
    /// The catalog directory.
    #[arg(long, value_name = "DIR", default_value = linkwatch::DEFAULT_CATALOG_DIR)]
    pub catalog: PathBuf,
}

pub(crate) fn run(args: Args) -> anyhow::Result<Exit> {
    let Some(catalog) = super::load_catalog(&args.catalog)? else {
        return Ok(Exit::Usage);
    };
    if catalog.folder(&args.folder).is_none() {
        let ids: Vec<&str> = catalog.meta.folders.iter().map(|f| f.id.as_str()).collect();
        bail!("no folder `{}` (folders: {})", args.folder, ids.join(", "));
    }
    let url = url::Url::parse(&args.url).with_context(|| format!("`{}` is not a URL", args.url))?;
    if !matches!(url.scheme(), "http" | "https") {
        bail!("`{}` is not an http or https URL", args.url);
    }
    if let Some(e) = catalog
        .resources
        .iter()
        .find(|e| linkwatch::url::same_page(&e.resource.url, url.as_str()))
    {
        eprintln!(
            "linkwatch: {} is already in the catalog as `{}` (folder {})",
            args.url, e.resource.id, e.folder
        );
        return Ok(Exit::Problems);
    }
    let fetch = fetch(&args.url)?;
    if let Some(failure) = &fetch.failure {
        eprintln!("linkwatch: cannot fetch {}: {}", args.url, failure.message);
        return Ok(Exit::Problems);
    }
    match fetch.http_status {
        Some(s) if (200..300).contains(&s) => {}
        other => {
            let status = other.map_or_else(|| "no answer".to_owned(), |s| format!("HTTP {s}"));
            eprintln!("linkwatch: {} answered {status}; not added", args.url);
            return Ok(Exit::Problems);
        }
    }
    let page = linkwatch::content::extract(
        &fetch.body,
        fetch.content_type.as_deref(),
        &Watch::default(),
    );
    let host = url.host_str().unwrap_or_default().to_owned();
    let title = page
        .title
        .or(page.heading)
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| host.clone());
    if linkwatch::cells::starts_like_formula(&title) {
        eprintln!(
            "linkwatch: warning: the title `{title}` starts like a spreadsheet formula; \
             CSV exports and links.csv will prefix it with '"
        );
    }
    let id = match args.id {
        Some(id) => id,
        None => add::free_id(&add::slug(&title), &catalog),
    };
    if let Some(e) = catalog.resources.iter().find(|e| e.resource.id == id) {
        eprintln!(
            "linkwatch: id `{id}` is taken by a resource in folder {}",
            e.folder
        );
        return Ok(Exit::Problems);
    }
    let resource = Resource {
        id,
        title,
        url: args.url.clone(),
        kind: args.kind,
        organization: args.organization.unwrap_or(host),
        description: None,
        audience: Vec::new(),
        tags: Vec::new(),
        added: Some(linkwatch::time::today()),
        reviewed: None,
        watch: None,
    };
    let path = doc::folder_file(&args.catalog, &args.folder);
    let old = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let new = doc::append_resource(&old, &resource)?;
    let loaded = maintain::validate_edits(
        &args.catalog,
        &[(path.clone(), new.clone())],
        linkwatch::time::today(),
    )?;
    if loaded.has_errors() {
        super::print_diagnostics(&loaded)?;
        eprintln!("linkwatch: the new resource would make the catalog invalid; nothing written");
        return Ok(Exit::Problems);
    }
    linkwatch::fsutil::write_atomic(&path, new.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    let mut out = std::io::stdout().lock();
    write!(out, "{}", maintain::unified_diff(&path, &old, &new))?;
    writeln!(out, "added `{}` to {}", resource.id, path.display())?;
    Ok(Exit::Ok)
}

/// Fetches `url` once with the same client and limits as `check`.
fn fetch(url: &str) -> anyhow::Result<linkwatch::check::Fetch> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let engine = Engine::new(CheckConfig::default())?;
        let mut fetched = None;
        engine
            .run(vec![Request::new(url)], &Cancel::default(), |_, fetch| {
                fetched = Some(fetch);
            })
            .await;
        fetched.context("the fetch did not finish")
    })
}
