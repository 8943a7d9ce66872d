//! The project a command works on: the catalog directory (given, or found from the current
//! directory upward), the settings file `linkwatch.toml`, and the default `--out` directory.
//!
//! Every command resolves the same [`Project`] from the global `--catalog` and `--config`, so
//! `linkwatch.toml` means the same thing to all of them; flags of the command still win.

use anyhow::{Context, bail};
use linkwatch::check::CheckConfig;
use linkwatch::status::Status;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Options every command takes, before or after its name.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct GlobalArgs {
    /// The catalog directory [default: found from the current directory upward, else catalog]
    #[arg(
        long,
        value_name = "DIR",
        global = true,
        help_heading = "Global options"
    )]
    pub catalog: Option<PathBuf>,
    /// The settings file [default: linkwatch.toml beside the catalog directory]
    #[arg(
        long,
        value_name = "FILE",
        global = true,
        help_heading = "Global options"
    )]
    pub config: Option<PathBuf>,
}

/// The settings file's keys: `catalog`, and the same as `check`'s flags; flags win.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct FileConfig {
    /// Catalog directory, relative to the settings file.
    pub catalog: Option<PathBuf>,
    /// Output directory, relative to the settings file.
    pub out: Option<PathBuf>,
    pub concurrency: Option<usize>,
    pub per_host: Option<usize>,
    /// Seconds.
    pub timeout: Option<u64>,
    pub retries: Option<u32>,
    pub user_agent: Option<String>,
    pub fail_on: Option<Vec<String>>,
    pub confirm_after: Option<u32>,
    /// A duration such as `1d` (see `state::parse_span`).
    pub confirm_span: Option<String>,
    pub allow_private: Option<bool>,
    /// Look up archived copies of lost resources (`false` is `--no-archive`).
    pub archive: Option<bool>,
    /// The Wayback Machine's base URL.
    pub archive_url: Option<String>,
}

impl FileConfig {
    /// How pages are fetched outside an audit (`add`, `init`): this file over the defaults.
    pub(crate) fn check_config(&self) -> CheckConfig {
        let defaults = CheckConfig::default();
        CheckConfig {
            concurrency: self.concurrency.unwrap_or(defaults.concurrency).max(1),
            per_host: self.per_host.unwrap_or(defaults.per_host).max(1),
            timeout: self.timeout.map_or(defaults.timeout, Duration::from_secs),
            retries: self.retries.unwrap_or(defaults.retries),
            user_agent: self
                .user_agent
                .clone()
                .unwrap_or_else(|| defaults.user_agent.clone()),
            ..defaults
        }
    }
}

/// What a command works on, resolved once from the global options and the settings file.
#[derive(Debug)]
pub(crate) struct Project {
    /// `None` when no `--catalog` was given and none was found.
    catalog: Option<PathBuf>,
    /// Where the default `--out` directory goes.
    root: PathBuf,
    pub settings: FileConfig,
    /// The settings file, whether or not it exists.
    pub settings_path: PathBuf,
}

impl Project {
    /// Resolves the project: with `--config FILE`, that file (which must exist) and the catalog
    /// it names (`catalog = …`, else `catalog/` beside it); with `--catalog DIR`, that directory
    /// and the `linkwatch.toml` beside it; with neither, the nearest of the current directory
    /// and its parents that holds a `linkwatch.toml` or a `catalog/catalog.toml`.
    pub(crate) fn resolve(global: &GlobalArgs) -> anyhow::Result<Project> {
        if let Some(path) = &global.config {
            let settings = read(path)?
                .with_context(|| format!("settings file {} not found", path.display()))?;
            return Ok(Project::around(
                path.clone(),
                settings,
                global.catalog.clone(),
            ));
        }
        if let Some(catalog) = &global.catalog {
            let settings_path = path_for(catalog);
            let settings = read(&settings_path)?.unwrap_or_default();
            return Ok(Project {
                catalog: Some(catalog.clone()),
                root: PathBuf::new(),
                settings,
                settings_path,
            });
        }
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        let mut dir = PathBuf::new();
        for _ in cwd.ancestors() {
            let settings_path = dir.join(linkwatch::CONFIG_FILE_NAME);
            if let Some(settings) = read(&settings_path)? {
                return Ok(Project::around(settings_path, settings, None));
            }
            let catalog = dir.join(linkwatch::DEFAULT_CATALOG_DIR);
            if catalog
                .join(linkwatch::catalog::load::CATALOG_FILE)
                .is_file()
            {
                return Ok(Project {
                    catalog: Some(catalog),
                    root: dir,
                    settings: FileConfig::default(),
                    settings_path,
                });
            }
            dir.push("..");
        }
        Ok(Project {
            catalog: None,
            root: PathBuf::new(),
            settings: FileConfig::default(),
            settings_path: PathBuf::from(linkwatch::CONFIG_FILE_NAME),
        })
    }

    /// The project of a settings file at `path`: paths in it are relative to its directory.
    fn around(path: PathBuf, mut settings: FileConfig, catalog: Option<PathBuf>) -> Project {
        let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        if let Some(out) = settings.out.take() {
            settings.out = Some(root.join(out));
        }
        let catalog = catalog.unwrap_or_else(|| {
            root.join(
                settings
                    .catalog
                    .as_deref()
                    .unwrap_or(Path::new(linkwatch::DEFAULT_CATALOG_DIR)),
            )
        });
        Project {
            catalog: Some(catalog),
            root,
            settings,
            settings_path: path,
        }
    }

    /// The catalog directory; an error saying how to get one when none was given or found.
    pub(crate) fn catalog(&self) -> anyhow::Result<&Path> {
        match &self.catalog {
            Some(dir) => Ok(dir),
            None => bail!(
                "no catalog found: neither a {} nor a {}/{} in the current directory or its \
                 parents; pass --catalog DIR, or start one with `linkwatch init`",
                linkwatch::CONFIG_FILE_NAME,
                linkwatch::DEFAULT_CATALOG_DIR,
                linkwatch::catalog::load::CATALOG_FILE,
            ),
        }
    }

    /// The statuses that make the run exit 1: the flag, else the settings file's `fail-on`,
    /// else the default.
    pub(crate) fn fail_on(&self, flag: Option<Vec<Status>>) -> anyhow::Result<Vec<Status>> {
        match (flag, &self.settings.fail_on) {
            (Some(flag), _) => Ok(flag),
            (None, Some(names)) => fail_on_statuses(names.iter().map(String::as_str))
                .map_err(anyhow::Error::msg)
                .with_context(|| format!("invalid fail-on in {}", self.settings_path.display())),
            (None, None) => Ok(linkwatch::status::DEFAULT_FAIL_ON.to_vec()),
        }
    }

    /// The least time a failure's failing audits must span before it is `broken`: the settings
    /// file's `confirm-span`, else the default (the flag, when given, wins over both).
    pub(crate) fn confirm_span(&self) -> anyhow::Result<jiff::SignedDuration> {
        match &self.settings.confirm_span {
            Some(span) => linkwatch::state::parse_span(span)
                .map_err(anyhow::Error::msg)
                .with_context(|| {
                    format!("invalid confirm-span in {}", self.settings_path.display())
                }),
            None => Ok(linkwatch::state::DEFAULT_CONFIRM_SPAN),
        }
    }

    /// The `--out` directory: the flag, else the settings file's `out`, else `reports` beside
    /// the found catalog (in the current directory when `--catalog` was given).
    pub(crate) fn out(&self, flag: Option<PathBuf>) -> PathBuf {
        flag.or_else(|| self.settings.out.clone())
            .unwrap_or_else(|| self.root.join(linkwatch::DEFAULT_OUT_DIR))
    }
}

/// A `--fail-on` value: comma-separated statuses, or `none`.
#[derive(Debug, Clone)]
pub(crate) struct FailOn(pub Vec<Status>);

impl std::str::FromStr for FailOn {
    type Err = String;

    fn from_str(s: &str) -> Result<FailOn, String> {
        fail_on_statuses(s.split(',')).map(FailOn)
    }
}

/// The statuses a `--fail-on` or `fail-on` list names. `none`, alone, names none: links never
/// make the run exit 1 (the word is not a status, so it is read here, not in the vocabulary).
fn fail_on_statuses<'a>(words: impl IntoIterator<Item = &'a str>) -> Result<Vec<Status>, String> {
    let words: Vec<&str> = words.into_iter().map(str::trim).collect();
    if words.contains(&"none") {
        return match words.len() {
            1 => Ok(Vec::new()),
            _ => Err("`none` cannot be combined with statuses".to_string()),
        };
    }
    words.into_iter().map(str::parse).collect()
}

/// Where the settings file for `catalog_dir` lives: beside it, in its parent directory.
pub(crate) fn path_for(catalog_dir: &Path) -> PathBuf {
    let parent = catalog_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    parent.join(linkwatch::CONFIG_FILE_NAME)
}

/// Reads the settings file at `path`; `None` when there is none.
fn read(path: &Path) -> anyhow::Result<Option<FileConfig>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let config =
        toml::from_str(&text).with_context(|| format!("invalid settings in {}", path.display()))?;
    Ok(Some(config))
}

/// The `linkwatch.toml` that `linkwatch init` writes: every key, commented out, at its default.
pub(crate) fn template() -> String {
    format!(
        r##"# linkwatch settings, read by every command run in this directory or below it.
# Flags win over these; remove the leading "# " to set one. Paths are relative to this file.

# The catalog directory.
# catalog = "{catalog}"
# Where reports and the baseline go (commit it with the catalog).
# out = "{out}"
# Requests in flight at once, over all hosts, and to one host.
# concurrency = {concurrency}
# per-host = {per_host}
# Seconds one request may take, body included, and extra attempts for temporary failures.
# timeout = {timeout}
# retries = {retries}
# Sent with every request; a way to reach you helps site owners who wonder about the visits.
# user-agent = "linkwatch (+mailto:you@example.org)"
# Statuses that make `linkwatch check` exit 1.
# fail-on = [{fail_on}]
# Consecutive failing audits before a temporary failure counts as broken.
# confirm-after = {confirm_after}
# The least time those failing audits must span ("0s", "12h", "3d"): runs minutes apart never
# confirm an outage.
# confirm-span = "1d"
"##,
        catalog = linkwatch::DEFAULT_CATALOG_DIR,
        out = linkwatch::DEFAULT_OUT_DIR,
        concurrency = linkwatch::DEFAULT_CONCURRENCY,
        per_host = linkwatch::DEFAULT_PER_HOST,
        timeout = linkwatch::DEFAULT_TIMEOUT_SECS,
        retries = linkwatch::DEFAULT_RETRIES,
        fail_on = linkwatch::status::DEFAULT_FAIL_ON
            .iter()
            .map(|s| format!("\"{s}\""))
            .collect::<Vec<_>>()
            .join(", "),
        confirm_after = linkwatch::DEFAULT_CONFIRM_AFTER,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_file_sits_beside_the_catalog_directory() {
        assert_eq!(
            path_for(Path::new("catalog")),
            Path::new("./linkwatch.toml")
        );
        assert_eq!(
            path_for(Path::new("site/catalog")),
            Path::new("site/linkwatch.toml")
        );
    }

    #[test]
    fn unknown_keys_are_refused_with_the_file_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("linkwatch.toml");
        std::fs::write(&path, "concurency = 3\n").unwrap();
        let err = read(&path).unwrap_err();
        let chain = format!("{err:#}");
        assert!(chain.contains("linkwatch.toml"), "{chain}");
        assert!(chain.contains("unknown field `concurency`"), "{chain}");
    }

    #[test]
    fn paths_are_relative_to_the_settings_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("linkwatch.toml");
        std::fs::write(
            &path,
            "out = \"audit\"\ncatalog = \"links\"\nper-host = 2\n",
        )
        .unwrap();
        let global = GlobalArgs {
            config: Some(path),
            catalog: None,
        };
        let project = Project::resolve(&global).unwrap();
        assert_eq!(project.out(None), dir.path().join("audit"));
        assert_eq!(project.catalog().unwrap(), dir.path().join("links"));
        assert_eq!(project.settings.per_host, Some(2));
        assert_eq!(
            project.out(Some("x".into())),
            Path::new("x"),
            "the flag wins"
        );
    }

    #[test]
    fn the_template_sets_every_key_at_its_default_once_uncommented() {
        let uncommented: String = template()
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| l.contains(" = "))
            .map(|l| format!("{l}\n"))
            .collect();
        let config: FileConfig = toml::from_str(&uncommented).unwrap();
        let defaults = CheckConfig::default();
        assert_eq!(config.check_config().concurrency, defaults.concurrency);
        assert_eq!(config.check_config().timeout, defaults.timeout);
        assert_eq!(config.confirm_after, Some(linkwatch::DEFAULT_CONFIRM_AFTER));
        let span = linkwatch::state::parse_span(&config.confirm_span.unwrap()).unwrap();
        assert_eq!(span, linkwatch::state::DEFAULT_CONFIRM_SPAN);
        assert_eq!(config.catalog, Some(PathBuf::from("catalog")));
        let fail_on = config.fail_on.unwrap();
        assert_eq!(fail_on.len(), linkwatch::status::DEFAULT_FAIL_ON.len());
        assert!(uncommented.contains("user-agent"), "{uncommented}");
    }
}
