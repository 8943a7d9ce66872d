//! Format-preserving rewrites of catalog files: set a resource's URL, append, update or remove
//! a resource, and the canonical layout `fmt` writes. Every edit keeps comments, and touches
//! nothing but what it changes.

use super::model::{Catalog, Resource, ResourceFile};
use super::{CatalogError, Loaded};
use crate::check::Status;
use crate::report::AuditResults;
use std::path::{Path, PathBuf};
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, Value};

// The canonical key order of each table is the order the loader knows its fields in (the
// schema's order, checked against the serde types by tests/schema.rs).
use super::load::{
    CATALOG_FIELDS as CATALOG_KEYS, FOLDER_FIELDS as FOLDER_KEYS, RESOURCE_FIELDS as RESOURCE_KEYS,
    WATCH_FIELDS as WATCH_KEYS,
};

/// An edit could not be made.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("{path} is not valid TOML")]
    Parse {
        path: PathBuf,
        #[source]
        source: toml_edit::TomlError,
    },
    #[error("{path} has no resource with id `{id}`")]
    NoSuchResource { path: PathBuf, id: String },
    #[error("cannot turn resource `{id}` into TOML")]
    Serialize {
        id: String,
        #[source]
        source: toml::ser::Error,
    },
}

/// One catalog file, parsed for editing.
#[derive(Debug, Clone)]
pub struct CatalogDoc {
    path: PathBuf,
    doc: DocumentMut,
}

impl CatalogDoc {
    /// Parses `text`, the contents of `path`.
    pub fn parse(path: &Path, text: &str) -> Result<CatalogDoc, EditError> {
        let doc = text
            .parse::<DocumentMut>()
            .map_err(|source| EditError::Parse {
                path: path.to_owned(),
                source,
            })?;
        Ok(CatalogDoc {
            path: path.to_owned(),
            doc,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's text as it would be written.
    pub fn render(&self) -> String {
        self.doc.to_string()
    }

    /// Replaces the URL of resource `id`, keeping the value's comments and spacing.
    pub fn set_url(&mut self, id: &str, url: &str) -> Result<(), EditError> {
        let table = self.resource_mut(id)?;
        set_value(table, "url", Value::from(url));
        Ok(())
    }

    /// Sets every field of `resource` on the table with its id: changed values are replaced in
    /// place, missing ones added in canonical order, absent optional ones removed. `watch` is
    /// left alone.
    pub fn update(&mut self, resource: &Resource) -> Result<(), EditError> {
        let table = self.resource_mut(&resource.id)?;
        let fresh = resource_table(resource)?;
        let mut added = false;
        for key in RESOURCE_KEYS
            .iter()
            .filter(|k| **k != "watch" && **k != "id")
        {
            match fresh.get(key).and_then(Item::as_value) {
                Some(v) => {
                    added |= !table.contains_key(key);
                    set_value(table, key, v.clone());
                }
                None => {
                    table.remove(key);
                }
            }
        }
        if added {
            sort_keys(table, RESOURCE_KEYS);
        }
        Ok(())
    }

    /// Removes the resource `id` and its comments.
    pub fn remove(&mut self, id: &str) -> Result<(), EditError> {
        let index = self
            .resources()
            .and_then(|a| a.iter().position(|t| table_id(t) == Some(id)))
            .ok_or_else(|| self.no_such(id))?;
        if let Some(array) = self
            .doc
            .get_mut("resource")
            .and_then(Item::as_array_of_tables_mut)
        {
            // Comments right above the header go with the resource; a block set off by a blank
            // line (a file header, a section title) stays, on the next table.
            let prefix = array
                .get(index)
                .and_then(|t| t.decor().prefix())
                .and_then(|r| r.as_str())
                .unwrap_or("")
                .to_owned();
            let detached = prefix
                .rfind("\n\n")
                .map_or("", |i| &prefix[..i + 2])
                .to_owned();
            array.remove(index);
            if detached.trim().is_empty() {
                return Ok(());
            }
            match array.get_mut(index) {
                Some(next) => {
                    let own = next.decor().prefix().and_then(|r| r.as_str()).unwrap_or("");
                    let joined = format!("{detached}{}", own.trim_start_matches('\n'));
                    next.decor_mut().set_prefix(joined);
                }
                None => {
                    let trailing = self.doc.trailing().as_str().unwrap_or("").to_owned();
                    self.doc.set_trailing(format!("{trailing}{detached}"));
                }
            }
        }
        Ok(())
    }

    /// Rewrites the whole file in the canonical layout (see [`format`]).
    pub fn format(&mut self) {
        let root = self.doc.as_table_mut();
        let catalog_file = root.contains_key("folder") || root.contains_key("publisher");
        if catalog_file {
            format_table(root, CATALOG_KEYS, &[]);
            if let Some(folders) = root
                .get_mut("folder")
                .and_then(Item::as_array_of_tables_mut)
            {
                for t in folders.iter_mut() {
                    format_table(t, FOLDER_KEYS, &[]);
                }
            }
        } else {
            format_table(root, &[], &[]);
        }
        let mut first = !root.iter().any(|(_, item)| item.is_value());
        if let Some(resources) = root
            .get_mut("resource")
            .and_then(Item::as_array_of_tables_mut)
        {
            for t in resources.iter_mut() {
                format_table(t, RESOURCE_KEYS, WATCH_KEYS);
                set_table_prefix(t, first);
                first = false;
            }
        }
        if let Some(folders) = root
            .get_mut("folder")
            .and_then(Item::as_array_of_tables_mut)
        {
            for t in folders.iter_mut() {
                set_table_prefix(t, first);
                first = false;
            }
        }
        let trailing = self.doc.trailing().as_str().unwrap_or("").to_owned();
        self.doc
            .set_trailing(comment_lines(&trailing, false).trim_end_matches('\n'));
        let mut text = self.doc.to_string();
        while text.ends_with("\n\n") {
            text.pop();
        }
        if !text.ends_with('\n') {
            text.push('\n');
        }
        if let Ok(doc) = text.parse::<DocumentMut>() {
            self.doc = doc;
        }
    }

    fn resources(&self) -> Option<&ArrayOfTables> {
        self.doc.get("resource").and_then(Item::as_array_of_tables)
    }

    fn resource_mut(&mut self, id: &str) -> Result<&mut Table, EditError> {
        let err = self.no_such(id);
        self.doc
            .get_mut("resource")
            .and_then(Item::as_array_of_tables_mut)
            .and_then(|a| a.iter_mut().find(|t| table_id(t) == Some(id)))
            .ok_or(err)
    }

    fn no_such(&self, id: &str) -> EditError {
        EditError::NoSuchResource {
            path: self.path.clone(),
            id: id.to_owned(),
        }
    }
}

/// Formats `text` (the contents of `path`) in the canonical layout: keys in schema order,
/// values in TOML's plain quoting, `key = value` spacing, one blank line before each table, no
/// blank lines inside one, comments and resource order kept.
pub fn format(path: &Path, text: &str) -> Result<String, EditError> {
    let mut doc = CatalogDoc::parse(path, text)?;
    doc.format();
    Ok(doc.render())
}

/// `text` with `resource` appended as a formatted `[[resource]]` table; the existing text is
/// kept byte for byte.
pub fn append_resource(text: &str, resource: &Resource) -> Result<String, EditError> {
    let serialized = toml::to_string(&ResourceFile {
        resources: vec![resource.clone()],
    })
    .map_err(|source| EditError::Serialize {
        id: resource.id.clone(),
        source,
    })?;
    let block = format(Path::new(""), &serialized).map_err(|e| match e {
        EditError::Parse { source, .. } => EditError::Parse {
            path: PathBuf::from(format!("resource `{}`", resource.id)),
            source,
        },
        other => other,
    })?;
    let mut out = text.trim_end_matches(['\n', ' ', '\t', '\r']).to_owned();
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    out.push_str(&block);
    Ok(out)
}

fn resource_table(resource: &Resource) -> Result<Table, EditError> {
    let text = toml::to_string(&ResourceFile {
        resources: vec![resource.clone()],
    })
    .map_err(|source| EditError::Serialize {
        id: resource.id.clone(),
        source,
    })?;
    let doc = text
        .parse::<DocumentMut>()
        .map_err(|source| EditError::Parse {
            path: PathBuf::from(format!("resource `{}`", resource.id)),
            source,
        })?;
    Ok(doc
        .get("resource")
        .and_then(Item::as_array_of_tables)
        .and_then(|a| a.get(0))
        .cloned()
        .unwrap_or_default())
}

fn table_id(t: &Table) -> Option<&str> {
    t.get("id").and_then(Item::as_str)
}

/// Sets `key` to `value`, keeping the old value's comments when there was one; an equal value
/// is left as written.
fn set_value(table: &mut Table, key: &str, value: Value) {
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) if same_value(old, &value) => {}
        Some(old) => {
            let decor = old.decor().clone();
            *old = value;
            format_value(old);
            *old.decor_mut() = decor;
        }
        None => {
            let mut value = value;
            format_value(&mut value);
            table.insert(key, Item::Value(value));
        }
    }
}

fn same_value(a: &Value, b: &Value) -> bool {
    let plain = |v: &Value| {
        let mut v = v.clone();
        v.decor_mut().clear();
        if let Value::Array(a) = &mut v {
            a.fmt();
        }
        v.to_string()
    };
    plain(a) == plain(b) || a.as_str().is_some_and(|s| Some(s) == b.as_str())
}

/// Orders the values of `table` as `keys` says; unknown keys go last, in their order.
fn sort_keys(table: &mut Table, keys: &[&str]) {
    let rank = |k: &str| keys.iter().position(|x| *x == k).unwrap_or(keys.len());
    table.sort_values_by(|k1, _, k2, _| rank(k1.get()).cmp(&rank(k2.get())));
}

/// Canonical layout of one table's keys and values, and of `[x.watch]`-style subtables.
fn format_table(table: &mut Table, keys: &[&str], sub_keys: &[&str]) {
    if !keys.is_empty() {
        sort_keys(table, keys);
    }
    let mut first = true;
    for (mut key, item) in table.iter_mut() {
        match item {
            Item::Value(value) => {
                let prefix = key
                    .leaf_decor()
                    .prefix()
                    .and_then(|r| r.as_str())
                    .unwrap_or("");
                let prefix = comment_lines(prefix, first && table_is_root(keys));
                key.fmt();
                key.leaf_decor_mut().set_prefix(prefix);
                key.leaf_decor_mut().set_suffix(" ");
                format_value(value);
                first = false;
            }
            Item::Table(sub) => {
                format_table(sub, sub_keys, &[]);
                set_table_prefix(sub, false);
            }
            _ => {}
        }
    }
}

/// Keys of the document root keep a blank line after a leading comment block.
fn table_is_root(keys: &[&str]) -> bool {
    keys == CATALOG_KEYS || keys.is_empty()
}

fn format_value(value: &mut Value) {
    let suffix = value
        .decor()
        .suffix()
        .and_then(|r| r.as_str())
        .unwrap_or("");
    let suffix = if suffix.contains('#') {
        format!(" {}", suffix.trim())
    } else {
        String::new()
    };
    let has_comments = match value {
        Value::Array(a) => a.to_string().contains('#'),
        _ => false,
    };
    if !has_comments {
        let fresh = match &*value {
            Value::String(s) => basic_string(s.value()),
            Value::Integer(i) => Value::from(*i.value()),
            Value::Float(f) => Value::from(*f.value()),
            Value::Boolean(b) => Value::from(*b.value()),
            Value::Datetime(d) => Value::from(*d.value()),
            Value::Array(a) => {
                let mut a = a.clone();
                for v in a.iter_mut() {
                    format_value(v);
                }
                a.fmt();
                Value::Array(a)
            }
            Value::InlineTable(t) => {
                let mut t = t.clone();
                t.fmt();
                Value::InlineTable(t)
            }
        };
        *value = fresh;
    }
    value.decor_mut().set_prefix(" ");
    value.decor_mut().set_suffix(suffix);
}

/// `s` as a one-line TOML string: basic (`"…"`), or literal (`'…'`) when it has backslashes
/// (regexes) and a literal string can hold it.
fn basic_string(s: &str) -> Value {
    if s.contains('\\')
        && !s.contains('\'')
        && !s.chars().any(char::is_control)
        && let Ok(v) = format!("'{s}'").parse()
    {
        return v;
    }
    let mut quoted = String::with_capacity(s.len() + 2);
    quoted.push('"');
    for c in s.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            '\r' => quoted.push_str("\\r"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", c as u32)),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted.parse().unwrap_or_else(|_| Value::from(s))
}

/// The blank line before a table header (none at the top of the file), then its comments.
fn set_table_prefix(table: &mut Table, first_in_file: bool) {
    let prefix = table
        .decor()
        .prefix()
        .and_then(|r| r.as_str())
        .unwrap_or("");
    let comments = comment_lines(prefix, true);
    let prefix = if first_in_file {
        comments
    } else {
        format!("\n{comments}")
    };
    table.decor_mut().set_prefix(prefix);
    table.decor_mut().set_suffix("");
}

/// The comment lines of a decor prefix, trailing spaces trimmed; with `keep_blank`, runs of
/// blank lines between comments collapse to one, otherwise blank lines go.
fn comment_lines(raw: &str, keep_blank: bool) -> String {
    let mut out = String::new();
    let mut blank = false;
    for line in raw.lines().map(str::trim) {
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if blank && keep_blank {
            out.push('\n');
        }
        blank = false;
        out.push_str(line);
        out.push('\n');
    }
    if blank && keep_blank {
        out.push('\n');
    }
    out
}

/// A unified diff of one file's old and new text, headed with its path (empty when equal).
pub fn unified_diff(path: &Path, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let name = path.display().to_string();
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&name, &name)
        .to_string()
}

/// Loads the catalog in `dir` as it would be with `edits` applied, without touching `dir`:
/// the files are copied to a temporary directory first. Diagnostics name the real paths.
pub fn validate_edits(
    dir: &Path,
    edits: &[(PathBuf, String)],
    today: jiff::civil::Date,
) -> Result<Loaded, ValidateEditsError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| ValidateEditsError::Io { path, source }
    };
    let tmp = tempfile::tempdir().map_err(io(dir))?;
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        if path.is_file()
            && let Some(name) = path.file_name()
        {
            std::fs::copy(&path, tmp.path().join(name)).map_err(io(&path))?;
        }
    }
    for (path, text) in edits {
        if let Some(name) = path.file_name() {
            std::fs::write(tmp.path().join(name), text).map_err(io(path))?;
        }
    }
    let mut loaded = super::load(tmp.path(), today)?;
    for d in &mut loaded.diagnostics {
        if let Ok(rel) = d.file.strip_prefix(tmp.path()) {
            d.file = dir.join(rel);
        }
    }
    Ok(loaded)
}

/// The edited catalog could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum ValidateEditsError {
    #[error("cannot copy the catalog to check the edit ({path})")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Load(#[from] CatalogError),
}

/// The file of folder `folder` in the catalog directory `dir`.
pub fn folder_file(dir: &Path, folder: &str) -> PathBuf {
    dir.join(format!("{folder}.toml"))
}

/// Reads and parses the file of every folder in `folders`, keyed by folder id.
pub fn read_folders<'a>(
    dir: &Path,
    folders: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<(String, String, CatalogDoc)>, ReadError> {
    folders
        .into_iter()
        .map(|folder| {
            let path = folder_file(dir, folder);
            let text = std::fs::read_to_string(&path).map_err(|source| ReadError::Io {
                path: path.clone(),
                source,
            })?;
            let doc = CatalogDoc::parse(&path, &text)?;
            Ok((folder.to_owned(), text, doc))
        })
        .collect()
}

/// A catalog file could not be read for editing.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Edit(#[from] EditError),
}

/// What `fix` would do with the last audit's `moved` resources.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FixPlan {
    /// URLs to replace with where they now permanently redirect.
    pub rewrites: Vec<Rewrite>,
    /// Moves a person should judge: they end on a soft-404 or on another host's home page.
    pub for_review: Vec<Review>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rewrite {
    pub id: String,
    pub folder: String,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub id: String,
    pub from: String,
    pub to: String,
    pub reason: &'static str,
}

/// Decides, for every permanently redirected resource of `audit` still in `catalog` with the
/// audited URL, whether its URL can be rewritten or needs a person.
pub fn plan_fixes(catalog: &Catalog, audit: &AuditResults) -> FixPlan {
    let mut plan = FixPlan::default();
    for o in &audit.outcomes {
        let redirected = o.redirects.iter().any(|h| matches!(h.status, 301 | 308));
        let Some(to) = o.final_url.as_deref() else {
            continue;
        };
        let Some(entry) = catalog.resources.iter().find(|e| e.resource.id == o.id) else {
            continue;
        };
        if entry.resource.url != o.url || to == o.url {
            continue;
        }
        let review = |reason| Review {
            id: o.id.clone(),
            from: o.url.clone(),
            to: to.to_owned(),
            reason,
        };
        match o.status {
            Status::Moved if is_other_home_page(&o.url, to) => {
                plan.for_review
                    .push(review("ends on another host's home page"));
            }
            Status::Moved => plan.rewrites.push(Rewrite {
                id: o.id.clone(),
                folder: entry.folder.clone(),
                from: o.url.clone(),
                to: to.to_owned(),
            }),
            Status::Soft404 if redirected => {
                plan.for_review.push(review("ends on a soft-404 page"));
            }
            _ => {}
        }
    }
    plan
}

/// Whether `to` is the home page of a host other than `from`'s, while `from` was not a home
/// page: the usual sign of a site that redirects everything it lost to its front door.
fn is_other_home_page(from: &str, to: &str) -> bool {
    let (Ok(from), Ok(to)) = (url::Url::parse(from), url::Url::parse(to)) else {
        return false;
    };
    let home = |u: &url::Url| matches!(u.path(), "" | "/") && u.query().is_none();
    let host = |u: &url::Url| {
        u.host_str()
            .map(|h| h.trim_start_matches("www.").to_owned())
    };
    home(&to) && !home(&from) && host(&from) != host(&to)
}

/// Applies `plan.rewrites` to the folder files in `dir`; returns each changed file's old and
/// new text.
pub fn apply_fixes(
    dir: &Path,
    plan: &FixPlan,
) -> Result<Vec<(PathBuf, String, String)>, ReadError> {
    let mut folders: Vec<&str> = plan.rewrites.iter().map(|r| r.folder.as_str()).collect();
    folders.sort_unstable();
    folders.dedup();
    let mut out = Vec::new();
    for (folder, old, mut doc) in read_folders(dir, folders)? {
        for r in plan.rewrites.iter().filter(|r| r.folder == folder) {
            doc.set_url(&r.id, &r.to)?;
        }
        out.push((doc.path().to_owned(), old, doc.render()));
    }
    Ok(out)
}

/// One resource as a maintainer's spreadsheet has it.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub folder: String,
    pub resource: Resource,
}

/// One change `import` would make.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportChange {
    Add(Imported),
    /// The resource with its new fields (the catalog's `watch` kept), the folder it was in, and
    /// the names of the fields that differ.
    Change {
        new: Imported,
        old_folder: String,
        fields: Vec<&'static str>,
    },
    Remove {
        id: String,
        folder: String,
    },
}

/// Compares the spreadsheet's rows with the catalog: rows with a new id are added, rows whose
/// fields differ are changed, and catalog resources missing from the rows are removed.
pub fn plan_import(catalog: &Catalog, rows: &[Imported]) -> Vec<ImportChange> {
    let mut changes = Vec::new();
    for row in rows {
        let Some(old) = catalog
            .resources
            .iter()
            .find(|e| e.resource.id == row.resource.id)
        else {
            changes.push(ImportChange::Add(row.clone()));
            continue;
        };
        let mut new = row.clone();
        new.resource.watch = old.resource.watch.clone();
        let (a, b) = (&old.resource, &new.resource);
        let fields: Vec<&'static str> = [
            ("folder", old.folder != new.folder),
            ("title", a.title != b.title),
            ("url", a.url != b.url),
            ("kind", a.kind != b.kind),
            ("organization", a.organization != b.organization),
            ("description", a.description != b.description),
            ("audience", a.audience != b.audience),
            ("tags", a.tags != b.tags),
            ("added", a.added != b.added),
            ("reviewed", a.reviewed != b.reviewed),
        ]
        .into_iter()
        .filter_map(|(name, differs)| differs.then_some(name))
        .collect();
        if !fields.is_empty() {
            changes.push(ImportChange::Change {
                new,
                old_folder: old.folder.clone(),
                fields,
            });
        }
    }
    for e in &catalog.resources {
        if !rows.iter().any(|r| r.resource.id == e.resource.id) {
            changes.push(ImportChange::Remove {
                id: e.resource.id.clone(),
                folder: e.folder.clone(),
            });
        }
    }
    changes
}

/// Applies `changes` to the folder files in `dir`; returns each changed file's old and new
/// text. A resource that changes folder leaves its old file and is appended to the new one.
pub fn apply_import(
    dir: &Path,
    catalog: &Catalog,
    changes: &[ImportChange],
) -> Result<Vec<(PathBuf, String, String)>, ReadError> {
    let ids: Vec<&str> = catalog.meta.folders.iter().map(|f| f.id.as_str()).collect();
    let mut files = read_folders(
        dir,
        ids.iter()
            .copied()
            .filter(|id| folder_file(dir, id).exists()),
    )?;
    let mut appended: Vec<(String, &Resource)> = Vec::new();
    for change in changes {
        match change {
            ImportChange::Add(new) => appended.push((new.folder.clone(), &new.resource)),
            ImportChange::Change {
                new, old_folder, ..
            } => {
                if let Some((_, _, doc)) = files.iter_mut().find(|(f, _, _)| f == old_folder) {
                    if *old_folder == new.folder {
                        doc.update(&new.resource)?;
                    } else {
                        doc.remove(&new.resource.id)?;
                        appended.push((new.folder.clone(), &new.resource));
                    }
                }
            }
            ImportChange::Remove { id, folder } => {
                if let Some((_, _, doc)) = files.iter_mut().find(|(f, _, _)| f == folder) {
                    doc.remove(id)?;
                }
            }
        }
    }
    let mut out = Vec::new();
    for (folder, old, doc) in files {
        let mut text = doc.render();
        for (_, r) in appended.iter().filter(|(f, _)| *f == folder) {
            text = append_resource(&text, r)?;
        }
        if text != old {
            out.push((doc.path().to_owned(), old, text));
        }
    }
    for folder in ids.iter().filter(|id| !folder_file(dir, id).exists()) {
        let mut text = String::new();
        for (_, r) in appended.iter().filter(|(f, _)| f == folder) {
            text = append_resource(&text, r)?;
        }
        if !text.is_empty() {
            out.push((folder_file(dir, folder), String::new(), text));
        }
    }
    Ok(out)
}

/// Longest id [`slug`] proposes, in characters.
pub const MAX_SLUG_LEN: usize = 60;

/// A resource id proposed from a title: lowercase ASCII letters and digits joined by single
/// hyphens, accents dropped, cut at a word boundary within [`MAX_SLUG_LEN`].
pub fn slug(title: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in title.nfkd() {
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        } else if !unicode_normalization::char::is_combining_mark(c) && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    let mut out = String::new();
    for w in words {
        let extra = if out.is_empty() { w.len() } else { w.len() + 1 };
        if out.len() + extra > MAX_SLUG_LEN {
            if out.is_empty() {
                out = w[..MAX_SLUG_LEN].to_owned();
            }
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSY: &str = "#:schema ./catalog.schema.json\n\n\
# First one.\n\
[[resource]]\n\
url='https://a.example/'   # the home page\n\
id = \"a\"\n\
\n\
tags = [ 'x','y' ]\n\
kind=\"website\"\n\
title = \"A\"\n\
organization = \"Org\"\n\
[resource.watch]\n\
skip   = \"gone\"\n\
\n\n\n\
# Second one.\n\
\n\
[[resource]]\n\
id = \"b\"\n\
title = \"B\"\n\
url = \"https://b.example/\"\n\
kind = \"guide\"\n\
organization = \"Org\"\n\n\n";

    const CANONICAL: &str = "#:schema ./catalog.schema.json\n\n\
# First one.\n\
[[resource]]\n\
id = \"a\"\n\
title = \"A\"\n\
url = \"https://a.example/\" # the home page\n\
kind = \"website\"\n\
organization = \"Org\"\n\
tags = [\"x\", \"y\"]\n\
\n\
[resource.watch]\n\
skip = \"gone\"\n\
\n\
# Second one.\n\
\n\
[[resource]]\n\
id = \"b\"\n\
title = \"B\"\n\
url = \"https://b.example/\"\n\
kind = \"guide\"\n\
organization = \"Org\"\n";

    #[test]
    fn format_orders_keys_and_keeps_comments() {
        let formatted = format(Path::new("x.toml"), MESSY).unwrap();
        assert_eq!(formatted, CANONICAL);
        assert_eq!(format(Path::new("x.toml"), &formatted).unwrap(), formatted);
    }

    #[test]
    fn set_url_touches_only_the_url() {
        let mut doc = CatalogDoc::parse(Path::new("x.toml"), MESSY).unwrap();
        doc.set_url("a", "https://a.example/new").unwrap();
        assert_eq!(
            doc.render(),
            MESSY.replace("'https://a.example/'", "\"https://a.example/new\"")
        );
        assert!(matches!(
            doc.set_url("zzz", "https://x.example/"),
            Err(EditError::NoSuchResource { .. })
        ));
    }

    #[test]
    fn slugs_are_ascii_and_bounded() {
        assert_eq!(
            slug("CyberTipline FAQs / report"),
            "cybertipline-faqs-report"
        );
        assert_eq!(
            slug("Équipe d'aide à l'enfance"),
            "equipe-d-aide-a-l-enfance"
        );
        assert_eq!(slug("  --  "), "");
        assert!(slug(&"word ".repeat(40)).len() <= MAX_SLUG_LEN);
    }

    #[test]
    fn update_changes_values_in_place_and_inserts_missing_keys_in_order() {
        let text = "[[resource]]\nid = \"a\" # keep\ntitle = 'Old'\nurl = \"https://a.example/\"\n\
                    kind = \"website\"\norganization = \"Org\"\ntags = [\"x\"]\n\n\
                    [resource.watch]\nskip = \"why\"\n";
        let mut doc = CatalogDoc::parse(Path::new("x.toml"), text).unwrap();
        let mut r: Resource = toml::from_str::<ResourceFile>(text)
            .unwrap()
            .resources
            .remove(0);
        r.title = "New \"quoted\"".into();
        r.description = Some("Now described.".into());
        r.tags.clear();
        r.watch = None;
        doc.update(&r).unwrap();
        assert_eq!(
            doc.render(),
            "[[resource]]\nid = \"a\" # keep\ntitle = \"New \\\"quoted\\\"\"\nurl = \"https://a.example/\"\n\
             kind = \"website\"\norganization = \"Org\"\ndescription = \"Now described.\"\n\n\
             [resource.watch]\nskip = \"why\"\n"
        );
    }
}
