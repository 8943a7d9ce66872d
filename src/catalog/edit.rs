//! Format-preserving rewrites of catalog files: set a resource's URL, append, update or remove
//! a resource, and the canonical layout `fmt` writes. Every edit keeps comments, and touches
//! nothing but what it changes.

use super::model::{Resource, ResourceFile};
use std::path::{Path, PathBuf};
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, Value};

/// Key order of a resource table.
const RESOURCE_KEYS: [&str; 11] = [
    "id",
    "title",
    "url",
    "kind",
    "organization",
    "description",
    "audience",
    "tags",
    "added",
    "reviewed",
    "watch",
];
/// Key order of a `[resource.watch]` table.
const WATCH_KEYS: [&str; 7] = [
    "selector", "ignore", "expect", "accept", "content", "skip", "threshold",
];
/// Key order of `catalog.toml`.
const CATALOG_KEYS: [&str; 6] = ["title", "publisher", "url", "description", "contact", "folder"];
/// Key order of a `[[folder]]` table.
const FOLDER_KEYS: [&str; 3] = ["id", "title", "description"];

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
        let doc = text.parse::<DocumentMut>().map_err(|source| EditError::Parse {
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
        for key in RESOURCE_KEYS.iter().filter(|k| **k != "watch" && **k != "id") {
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
            sort_keys(table, &RESOURCE_KEYS);
            format_table(table, &RESOURCE_KEYS, &WATCH_KEYS);
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
            array.remove(index);
        }
        Ok(())
    }

    /// The ids of the resources in this file, in order.
    pub fn ids(&self) -> Vec<String> {
        self.resources()
            .map(|a| a.iter().filter_map(table_id).map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// Rewrites the whole file in the canonical layout (see [`format`]).
    pub fn format(&mut self) {
        let root = self.doc.as_table_mut();
        let catalog_file = root.contains_key("folder") || root.contains_key("publisher");
        if catalog_file {
            format_table(root, &CATALOG_KEYS, &[]);
            if let Some(folders) = root
                .get_mut("folder")
                .and_then(Item::as_array_of_tables_mut)
            {
                for t in folders.iter_mut() {
                    format_table(t, &FOLDER_KEYS, &[]);
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
                format_table(t, &RESOURCE_KEYS, &WATCH_KEYS);
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
        self.doc.set_trailing(comment_lines(&trailing, false).trim_end_matches('\n'));
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
            *old.decor_mut() = decor;
        }
        None => {
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
                let prefix = key.leaf_decor().prefix().and_then(|r| r.as_str()).unwrap_or("");
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
    let suffix = value.decor().suffix().and_then(|r| r.as_str()).unwrap_or("");
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
            Value::String(s) => Value::from(s.value().as_str()),
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

/// The blank line before a table header (none at the top of the file), then its comments.
fn set_table_prefix(table: &mut Table, first_in_file: bool) {
    let prefix = table.decor().prefix().and_then(|r| r.as_str()).unwrap_or("");
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
}
