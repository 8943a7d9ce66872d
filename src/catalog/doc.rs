//! One catalog file parsed for editing: set a resource's URL, update, append or remove a
//! resource. Every edit keeps comments and touches nothing but what it changes.

use super::fmt::{format, format_value, sort_keys};
use super::load::RESOURCE_FIELDS as RESOURCE_KEYS;
use super::model::{Resource, ResourceFile};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, Value};

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
    pub(super) doc: DocumentMut,
    /// Each resource id's position in the `[[resource]]` array, built at the first lookup by id
    /// and dropped when the array changes, so that many edits cost one pass, not one each.
    index: Option<HashMap<String, usize>>,
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
            index: None,
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
        self.remove_all(&HashSet::from([id]))
    }

    /// Removes every resource in `ids` and its comments, in one pass over the file.
    pub fn remove_all(&mut self, ids: &HashSet<&str>) -> Result<(), EditError> {
        let index = self.index();
        if let Some(missing) = ids.iter().find(|id| !index.contains_key(**id)).copied() {
            return Err(self.no_such(missing));
        }
        let Some(array) = self
            .doc
            .get_mut("resource")
            .and_then(Item::as_array_of_tables_mut)
        else {
            return Ok(());
        };
        // Comments right above a removed header go with it; a block set off by a blank line (a
        // file header, a section title) stays, on the next table that stays.
        let mut detached = String::new();
        let mut kept = ArrayOfTables::new();
        for mut table in std::mem::take(array).into_iter() {
            let own = table
                .decor()
                .prefix()
                .and_then(|r| r.as_str())
                .unwrap_or("");
            let prefix = if detached.trim().is_empty() {
                own.to_owned()
            } else {
                format!("{detached}{}", own.trim_start_matches('\n'))
            };
            if table_id(&table).is_some_and(|id| ids.contains(id)) {
                detached = prefix
                    .rfind("\n\n")
                    .map_or("", |i| &prefix[..i + 2])
                    .to_owned();
                continue;
            }
            if !detached.trim().is_empty() {
                table.decor_mut().set_prefix(prefix);
            }
            detached.clear();
            kept.push(table);
        }
        *array = kept;
        if !detached.trim().is_empty() {
            let trailing = self.doc.trailing().as_str().unwrap_or("").to_owned();
            self.doc.set_trailing(format!("{trailing}{detached}"));
        }
        self.index = None;
        Ok(())
    }

    fn resources(&self) -> Option<&ArrayOfTables> {
        self.doc.get("resource").and_then(Item::as_array_of_tables)
    }

    /// The position of each resource id in the `[[resource]]` array (the first, for an id
    /// written twice, as a lookup by scanning would find).
    fn index(&mut self) -> &HashMap<String, usize> {
        if self.index.is_none() {
            let mut index = HashMap::new();
            for (i, t) in self
                .resources()
                .into_iter()
                .flat_map(|a| a.iter())
                .enumerate()
            {
                if let Some(id) = table_id(t) {
                    index.entry(id.to_owned()).or_insert(i);
                }
            }
            self.index = Some(index);
        }
        self.index.get_or_insert_default()
    }

    fn resource_mut(&mut self, id: &str) -> Result<&mut Table, EditError> {
        let err = self.no_such(id);
        let Some(&i) = self.index().get(id) else {
            return Err(err);
        };
        self.doc
            .get_mut("resource")
            .and_then(Item::as_array_of_tables_mut)
            .and_then(|a| a.get_mut(i))
            .ok_or(err)
    }

    fn no_such(&self, id: &str) -> EditError {
        EditError::NoSuchResource {
            path: self.path.clone(),
            id: id.to_owned(),
        }
    }
}

/// `text` with `resource` appended as a formatted `[[resource]]` table; the existing text is
/// kept byte for byte.
pub fn append_resource(text: &str, resource: &Resource) -> Result<String, EditError> {
    let mut out = text.to_owned();
    push_resource(&mut out, resource)?;
    Ok(out)
}

/// Appends `resource` to `text` in place, as [`append_resource`] does: many appends to one
/// file cost the length of what they add, not a copy of the file each.
pub fn push_resource(text: &mut String, resource: &Resource) -> Result<(), EditError> {
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
    text.truncate(text.trim_end_matches(['\n', ' ', '\t', '\r']).len());
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(&block);
    Ok(())
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in crate::catalog) const MESSY: &str = "#:schema ./catalog.schema.json\n\n\
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
