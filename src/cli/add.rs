//! `linkwatch add`: fetch a page, judge it as `check` would, propose a title, organization and
//! id from it, and append the resource to its folder's file.

use super::Exit;
use super::config::Project;
use anyhow::{Context, bail};
use linkwatch::catalog::{Audience, Catalog, Kind, Resource, doc};
use linkwatch::check::{Cancel, CheckConfig, Engine, Fetch, Request};
use linkwatch::maintain::{self, add};
use linkwatch::text::for_terminal;
use std::io::Write;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The page to add (absolute http or https URL).
    #[arg(value_name = "URL")]
    pub url: String,
    /// The folder to add it to.
    #[arg(long, value_name = "F")]
    pub folder: String,
    /// The resource id (default: a slug of the title).
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// The title (default: the page's, without the site's name).
    #[arg(long, value_name = "T")]
    pub title: Option<String>,
    /// What the resource is.
    #[arg(long, value_name = "K", default_value = "website")]
    pub kind: Kind,
    /// Who publishes it (default: the page's site name, else the URL's host).
    #[arg(long, value_name = "O")]
    pub organization: Option<String>,
    /// What the resource is for, in a sentence or two.
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// Tags, comma-separated.
    #[arg(long, value_name = "TAGS", value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Who it is for, comma-separated.
    #[arg(long, value_name = "WHO", value_delimiter = ',')]
    pub audience: Vec<Audience>,
    /// Add the page even when it is broken, a soft 404, blocked or hijacked.
    #[arg(long)]
    pub force: bool,
    /// Change nothing: print the diff that would be applied.
    #[arg(long)]
    pub dry_run: bool,
}

pub(crate) fn run(args: Args, project: &Project) -> anyhow::Result<Exit> {
    let dir = project.catalog()?;
    let Some(catalog) = super::load_catalog(dir)? else {
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
    if already_in(&catalog, &args.url) {
        return Ok(Exit::Problems);
    }
    let fetched = fetch_all(
        std::slice::from_ref(&args.url),
        project.settings.check_config(),
    )?;
    let fetch = fetched
        .into_iter()
        .next()
        .flatten()
        .context("the fetch did not finish")?;
    let confirm_after = project
        .settings
        .confirm_after
        .unwrap_or(linkwatch::DEFAULT_CONFIRM_AFTER);
    let proposal = add::propose(&args.url, &fetch, confirm_after, linkwatch::time::now());
    let verdict = for_terminal(&proposal.detail);
    if !proposal.addable() {
        if !args.force {
            eprintln!(
                "linkwatch: {} is {}: {verdict}; not added (--force adds it anyway)",
                args.url, proposal.status
            );
            return Ok(Exit::Problems);
        }
        eprintln!(
            "linkwatch: warning: {} is {}: {verdict}; added anyway (--force)",
            args.url, proposal.status
        );
    }
    let mut out = std::io::stdout().lock();
    if proposal.url != args.url {
        if already_in(&catalog, &proposal.url) {
            return Ok(Exit::Problems);
        }
        writeln!(
            out,
            "{}: {verdict}; storing the address it moved to",
            args.url
        )?;
    }
    let host = url.host_str().unwrap_or_default().to_owned();
    let title = match (args.title, proposal.title) {
        (Some(title), _) => title,
        (None, Some(title)) if title.chars().count() > add::MAX_TITLE_CHARS => {
            eprintln!(
                "linkwatch: the page's title is {} characters long (at most {} are taken); \
                 give one with --title; not added",
                title.chars().count(),
                add::MAX_TITLE_CHARS
            );
            return Ok(Exit::Problems);
        }
        (None, Some(title)) => title,
        (None, None) => host.clone(),
    };
    if linkwatch::cells::starts_like_formula(&title) {
        eprintln!(
            "linkwatch: warning: the title `{}` starts like a spreadsheet formula; \
             CSV exports and links.csv will prefix it with '",
            for_terminal(&title)
        );
    }
    let id = match args.id {
        Some(id) => id,
        None => add::free_id(&add::slug(&title), |id| taken(&catalog, id)),
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
        url: proposal.url,
        kind: args.kind,
        organization: args.organization.or(proposal.site_name).unwrap_or(host),
        description: args.description,
        audience: args.audience,
        tags: args.tags,
        added: Some(linkwatch::time::today()),
        reviewed: None,
        watch: None,
    };
    let path = doc::folder_file(dir, &args.folder);
    let old = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let new = doc::append_resource(&old, &resource)?;
    let loaded = maintain::validate_edits(
        dir,
        &[(path.clone(), new.clone())],
        linkwatch::time::today(),
    )?;
    if loaded.has_errors() {
        super::print_diagnostics(&loaded)?;
        eprintln!("linkwatch: the new resource would make the catalog invalid; nothing written");
        return Ok(Exit::Problems);
    }
    if !args.dry_run {
        super::write_catalog_files(dir, &[(path.clone(), old.clone(), new.clone())])?;
    }
    write!(
        out,
        "{}",
        for_terminal(&maintain::unified_diff(&path, &old, &new))
    )?;
    let verb = if args.dry_run { "would add" } else { "added" };
    writeln!(out, "{verb} `{}` to {}", resource.id, path.display())?;
    Ok(Exit::Ok)
}

/// Whether a resource holds `id`.
pub(crate) fn taken(catalog: &Catalog, id: &str) -> bool {
    catalog.resources.iter().any(|e| e.resource.id == id)
}

/// Whether `url` is in the catalog already; says where on stderr when it is.
fn already_in(catalog: &Catalog, url: &str) -> bool {
    let Some(e) = catalog
        .resources
        .iter()
        .find(|e| linkwatch::url::same_page(&e.resource.url, url))
    else {
        return false;
    };
    eprintln!(
        "linkwatch: {url} is already in the catalog as `{}` (folder {})",
        e.resource.id, e.folder
    );
    true
}

/// Fetches every URL once, with the same client, limits and per-host politeness as `check`;
/// `None` for one the run did not finish.
pub(crate) fn fetch_all(
    urls: &[String],
    config: CheckConfig,
) -> anyhow::Result<Vec<Option<Fetch>>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let engine = Engine::new(config)?;
        let mut fetched = vec![None; urls.len()];
        let requests = urls.iter().map(|u| Request::new(u.as_str())).collect();
        engine
            .run(requests, &Cancel::default(), |i, fetch| {
                fetched[i] = Some(fetch)
            })
            .await;
        Ok(fetched)
    })
}
