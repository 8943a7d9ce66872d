//! The canonical layout `linkwatch fmt` writes: keys in schema order, plain quoting, one blank
//! line before each table, comments and resource order kept.

use super::doc::{CatalogDoc, EditError};
use std::path::Path;
use toml_edit::{Item, Table, Value};

// The canonical key order of each table is the order the loader knows its fields in (the
// schema's order, checked against the serde types by tests/schema.rs).
use super::load::{
    CATALOG_FIELDS as CATALOG_KEYS, FOLDER_FIELDS as FOLDER_KEYS, RESOURCE_FIELDS as RESOURCE_KEYS,
    WATCH_FIELDS as WATCH_KEYS,
};

/// Formats `text` (the contents of `path`) in the canonical layout: keys in schema order,
/// values in TOML's plain quoting, `key = value` spacing, one blank line before each table, no
/// blank lines inside one, comments and resource order kept.
pub fn format(path: &Path, text: &str) -> Result<String, EditError> {
    Ok(CatalogDoc::parse(path, text)?.into_formatted())
}

impl CatalogDoc {
    /// The whole file in the canonical layout (see [`format`]).
    pub fn into_formatted(mut self) -> String {
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
        text
    }
}

/// Orders the values of `table` as `keys` says; unknown keys go last, in their order.
pub(super) fn sort_keys(table: &mut Table, keys: &[&str]) {
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

/// A decor suffix reduced to its end-of-line comment (` # note`), or nothing.
fn trailing_comment(suffix: Option<&toml_edit::RawString>) -> String {
    let suffix = suffix.and_then(|r| r.as_str()).unwrap_or("");
    if suffix.contains('#') {
        format!(" {}", suffix.trim())
    } else {
        String::new()
    }
}

pub(super) fn format_value(value: &mut Value) {
    let suffix = trailing_comment(value.decor().suffix());
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

/// The blank line before a table header (none at the top of the file), then its comments; a
/// comment after the header (`[[resource]] # note`) stays there.
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
    let comment = trailing_comment(table.decor().suffix());
    table.decor_mut().set_prefix(prefix);
    table.decor_mut().set_suffix(comment);
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
    use crate::catalog::doc::tests::MESSY;

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
    fn a_comment_after_a_table_header_stays_there() {
        let text = "[[resource]]   # header note\nid = \"a\"\ntitle = \"A\"\n\
                    url = \"https://a.example/\"\nkind = \"guide\"\norganization = \"Org\"\n\
                    [resource.watch]  # watch note\nskip = \"why\"\n";
        let formatted = format(Path::new("x.toml"), text).unwrap();
        assert!(
            formatted.starts_with("[[resource]] # header note\n"),
            "{formatted}"
        );
        assert!(
            formatted.contains("\n[resource.watch] # watch note\n"),
            "{formatted}"
        );
    }

    mod property {
        use super::*;
        use crate::catalog::ResourceFile;
        use proptest::prelude::*;

        /// Where a comment may sit around one resource.
        #[derive(Debug, Clone, Copy)]
        enum Spot {
            Above,
            AfterHeader,
            AfterValue,
            BetweenKeys,
            AboveWatch,
            AfterWatchHeader,
        }

        fn spot() -> impl Strategy<Value = Spot> {
            prop_oneof![
                Just(Spot::Above),
                Just(Spot::AfterHeader),
                Just(Spot::AfterValue),
                Just(Spot::BetweenKeys),
                Just(Spot::AboveWatch),
                Just(Spot::AfterWatchHeader),
            ]
        }

        /// A valid resource file with a uniquely numbered comment at each chosen spot; the
        /// keys come in a shuffled order with irregular spacing.
        fn file(resources: &[(Vec<Spot>, bool, usize)]) -> (String, Vec<String>) {
            let mut text = String::new();
            let mut comments = Vec::new();
            let note = |spot: Spot, comments: &mut Vec<String>| {
                let c = format!("# note {} at {spot:?}", comments.len());
                comments.push(c.clone());
                c
            };
            for (i, (spots, watch, rotate)) in resources.iter().enumerate() {
                let has = |s: &dyn Fn(&Spot) -> bool| spots.iter().filter(|x| s(x)).count();
                for _ in 0..has(&|s| matches!(s, Spot::Above)) {
                    text.push_str(&format!("{}\n", note(Spot::Above, &mut comments)));
                }
                text.push_str("[[resource]]");
                if has(&|s| matches!(s, Spot::AfterHeader)) > 0 {
                    text.push_str(&format!("  {}", note(Spot::AfterHeader, &mut comments)));
                }
                text.push('\n');
                let mut keys = [
                    format!("id = 'r{i}'"),
                    format!("title   =   \"Title {i}\""),
                    format!("url='https://r{i}.example/page'"),
                    "kind = \"guide\"".to_owned(),
                    "organization = 'Org'".to_owned(),
                ];
                let n = rotate % keys.len();
                keys.rotate_left(n);
                for (k, key) in keys.iter().enumerate() {
                    if k == 1 && has(&|s| matches!(s, Spot::BetweenKeys)) > 0 {
                        text.push_str(&format!("{}\n", note(Spot::BetweenKeys, &mut comments)));
                    }
                    text.push_str(key);
                    if k == 0 && has(&|s| matches!(s, Spot::AfterValue)) > 0 {
                        text.push_str(&format!(" {}", note(Spot::AfterValue, &mut comments)));
                    }
                    text.push('\n');
                }
                if *watch {
                    if has(&|s| matches!(s, Spot::AboveWatch)) > 0 {
                        text.push_str(&format!("\n{}\n", note(Spot::AboveWatch, &mut comments)));
                    }
                    text.push_str("[resource.watch]");
                    if has(&|s| matches!(s, Spot::AfterWatchHeader)) > 0 {
                        text.push_str(&format!(" {}", note(Spot::AfterWatchHeader, &mut comments)));
                    }
                    text.push_str("\nskip =  'reason'\n\n\n");
                }
            }
            (text, comments)
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]

            #[test]
            fn fmt_keeps_every_value_and_comment_and_is_idempotent(
                resources in prop::collection::vec(
                    (prop::collection::vec(spot(), 0..4), any::<bool>(), 0usize..5),
                    1..5,
                )
            ) {
                let (text, comments) = file(&resources);
                let formatted = format(Path::new("x.toml"), &text).unwrap();
                for c in &comments {
                    prop_assert!(formatted.contains(c.as_str()), "lost {c:?} in:\n{formatted}");
                }
                let before: ResourceFile = toml::from_str(&text).unwrap();
                let after: ResourceFile = toml::from_str(&formatted).unwrap();
                prop_assert_eq!(before, after);
                prop_assert_eq!(format(Path::new("x.toml"), &formatted).unwrap(), formatted);
            }
        }
    }
}
