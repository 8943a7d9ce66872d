//! `linkwatch.toml`: optional settings beside the catalog directory, merged under the flags.

use anyhow::Context;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The settings file's keys: the same as `check`'s flags; flags win.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct FileConfig {
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
    pub allow_private: Option<bool>,
}

/// Where the settings file for `catalog_dir` lives: beside it, in its parent directory.
pub(crate) fn path_for(catalog_dir: &Path) -> PathBuf {
    let parent = catalog_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    parent.join(linkwatch::CONFIG_FILE_NAME)
}

/// Reads the settings file beside `catalog_dir`, if there is one; `out` comes back resolved
/// against the file's directory.
pub(crate) fn load(catalog_dir: &Path) -> anyhow::Result<FileConfig> {
    let path = path_for(catalog_dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileConfig::default()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let mut config: FileConfig =
        toml::from_str(&text).with_context(|| format!("invalid settings in {}", path.display()))?;
    if let (Some(out), Some(dir)) = (config.out.take(), path.parent()) {
        config.out = Some(dir.join(out));
    }
    Ok(config)
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
        let catalog = dir.path().join("catalog");
        std::fs::write(dir.path().join("linkwatch.toml"), "concurency = 3\n").unwrap();
        let err = load(&catalog).unwrap_err();
        let chain = format!("{err:#}");
        assert!(chain.contains("linkwatch.toml"), "{chain}");
        assert!(chain.contains("unknown field `concurency`"), "{chain}");
    }

    #[test]
    fn out_is_relative_to_the_settings_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("linkwatch.toml"),
            "out = \"audit\"\nper-host = 2\n",
        )
        .unwrap();
        let config = load(&dir.path().join("catalog")).unwrap();
        assert_eq!(config.out, Some(dir.path().join("audit")));
        assert_eq!(config.per_host, Some(2));
    }
}
