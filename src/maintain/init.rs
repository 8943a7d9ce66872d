//! `init`: the files that start a catalog, and the links held by the file it may start from (a
//! list of URLs, a Markdown file, or a browser's bookmarks).

use crate::catalog::doc::{EditError, append_resource};
use crate::catalog::{CatalogFile, Folder, Resource, fmt};
use crate::text::strip_unsafe;
use crate::url::{WebUrl, same_page};
use regex::Regex;
use scraper::{Html, Selector};
use std::path::Path;
use std::sync::LazyLock;

/// The first line of every file `init` writes into the catalog: editors that read it (Taplo,
/// Even Better TOML) check the file against the schema beside it as it is typed.
pub const SCHEMA_DIRECTIVE: &str = "#:schema ./catalog.schema.json";

/// The schema's file name in the catalog directory.
pub const SCHEMA_FILE: &str = "catalog.schema.json";

/// One link found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub url: String,
    /// The text the file gives it (a Markdown link's text, a bookmark's title); `None` for a
    /// bare URL.
    pub text: Option<String>,
}

/// The links of a file, and what looked like a link but is not one to a web page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    /// Each page once (the first time it appears), in the file's order.
    pub links: Vec<Link>,
    /// Addresses left out: not absolute http(s) URLs (`javascript:`, `place:`, relative links).
    pub skipped: Vec<String>,
}

/// An HTML link: bookmarks files are `<DT><A HREF="…">Title</A>` lists.
static HTML_LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)<a\s[^>]*href\s*=").expect("a valid pattern"));

/// A Markdown link, `[text](url)` or `[text](<url> "title")`; a URL may hold balanced
/// parentheses (`…/Foo_(bar)`). Images (`![alt](src)`) are matched to be left out.
static MARKDOWN_LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(!?)\[([^\]]*)\]\(\s*(?:<([^>]*)>|((?:[^()\s]|\([^()\s]*\))+))(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)"#,
    )
    .expect("a valid pattern")
});

/// A bare http(s) URL in running text.
static BARE_URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)\bhttps?://[^\s<>"'`\]]+"#).expect("a valid pattern"));

/// The links in `text`: a browser's bookmarks export (or any HTML) when it holds `<a href>`
/// links; otherwise Markdown links (`[text](url)`) and bare URLs, which a plain list of URLs,
/// one a line, is made of.
pub fn links(text: &str) -> Links {
    let found = if HTML_LINK.is_match(text) {
        html_links(text)
    } else {
        text_links(text)
    };
    let mut links = Links::default();
    for (raw, label) in found {
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        match WebUrl::parse(raw) {
            Ok(_) if links.links.iter().any(|l| same_page(&l.url, raw)) => {}
            Ok(_) => links.links.push(Link {
                url: raw.to_owned(),
                text: label
                    .map(|l| crate::content::normalize::inline(&strip_unsafe(&l)))
                    .filter(|l| !l.is_empty() && l != raw),
            }),
            Err(_) => links.skipped.push(raw.to_owned()),
        }
    }
    links
}

fn html_links(text: &str) -> Vec<(String, Option<String>)> {
    static A: LazyLock<Selector> =
        LazyLock::new(|| Selector::parse("a[href]").expect("a valid selector"));
    Html::parse_document(text)
        .select(&A)
        .filter_map(|a| {
            let href = a.value().attr("href")?;
            Some((href.to_owned(), Some(a.text().collect::<String>())))
        })
        .collect()
}

fn text_links(text: &str) -> Vec<(String, Option<String>)> {
    let mut found: Vec<(usize, String, Option<String>)> = Vec::new();
    let mut spans = Vec::new();
    for link in MARKDOWN_LINK.captures_iter(text) {
        let whole = link.get(0).expect("a match has a whole");
        spans.push(whole.range());
        if &link[1] == "!" {
            continue;
        }
        let url = link
            .get(3)
            .or_else(|| link.get(4))
            .map_or("", |m| m.as_str());
        // Emphasis and code marks are Markdown, not part of the title.
        let label = link[2].replace(['*', '`'], "");
        let label = label.trim_matches(|c: char| c.is_whitespace() || c == '_');
        found.push((whole.start(), url.to_owned(), Some(label.to_owned())));
    }
    for url in BARE_URL.find_iter(text) {
        if spans.iter().any(|s| s.contains(&url.start())) {
            continue;
        }
        let trimmed = url
            .as_str()
            .trim_end_matches(['.', ',', ';', ':', '!', '?', '*', '_']);
        // A closing parenthesis belongs to the URL only when it opened one too.
        let trimmed = if trimmed.ends_with(')') && !trimmed.contains('(') {
            trimmed.trim_end_matches(')')
        } else {
            trimmed
        };
        found.push((url.start(), trimmed.to_owned(), None));
    }
    found.sort_by_key(|(at, _, _)| *at);
    found
        .into_iter()
        .map(|(_, url, text)| (url, text))
        .collect()
}

/// `catalog.toml` of a new catalog with one folder, in the canonical layout.
pub fn catalog_toml(
    title: &str,
    publisher: &str,
    folder: &str,
    folder_title: &str,
) -> Result<String, EditError> {
    let meta = CatalogFile {
        title: title.to_owned(),
        publisher: publisher.to_owned(),
        folders: vec![Folder {
            id: folder.to_owned(),
            title: folder_title.to_owned(),
            description: None,
        }],
        ..CatalogFile::default()
    };
    let body = toml::to_string(&meta).expect("a catalog file of strings always serializes");
    let text = format!(
        "{SCHEMA_DIRECTIVE}\n\n\
         # The catalog: its title, who publishes it, and its folders. Each folder's resources\n\
         # are in <folder-id>.toml beside this file; add a [[folder]] table for another folder.\n\
         {body}"
    );
    fmt::format(Path::new(crate::catalog::load::CATALOG_FILE), &text)
}

/// A folder file holding `resources`, in the canonical layout.
pub fn folder_toml(resources: &[Resource]) -> Result<String, EditError> {
    let mut text = format!("{SCHEMA_DIRECTIVE}\n");
    for resource in resources {
        text = append_resource(&text, resource)?;
    }
    if resources.is_empty() {
        text.push_str(
            "\n# Resources go here as [[resource]] tables; `linkwatch add URL --folder <id>` \
             appends one.\n",
        );
    }
    Ok(text)
}

/// A folder's title from its id: "my-links" → "My links".
pub fn folder_title(id: &str) -> String {
    let words = id.replace('-', " ");
    let mut chars = words.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(links: &Links) -> Vec<(&str, Option<&str>)> {
        links
            .links
            .iter()
            .map(|l| (l.url.as_str(), l.text.as_deref()))
            .collect()
    }

    #[test]
    fn a_plain_list_is_one_url_a_line() {
        let found =
            links("https://a.example/one\n\nhttps://b.example/two/\nhttps://A.example/one\n");
        assert_eq!(
            urls(&found),
            [
                ("https://a.example/one", None),
                ("https://b.example/two/", None)
            ]
        );
    }

    #[test]
    fn markdown_links_and_bare_urls_in_their_order() {
        let text = "# Reading\n\n- [The **Rust** book](https://doc.rust-lang.org/book/) is good.\n\
                    - See https://example.org/guide. Also ![logo](https://example.org/logo.png)\n\
                    - [Wiki](https://en.wikipedia.org/wiki/Foo_(bar) \"title\") and [local](./notes.md)\n\
                    - (see https://example.org/paren)\n";
        let found = links(text);
        assert_eq!(
            urls(&found),
            [
                ("https://doc.rust-lang.org/book/", Some("The Rust book")),
                ("https://example.org/guide", None),
                ("https://en.wikipedia.org/wiki/Foo_(bar)", Some("Wiki")),
                ("https://example.org/paren", None),
            ]
        );
        assert_eq!(found.skipped, ["./notes.md"]);
    }

    #[test]
    fn bookmarks_html_gives_titles_and_leaves_out_other_schemes() {
        let text = "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<META HTTP-EQUIV=\"Content-Type\" \
                    CONTENT=\"text/html; charset=UTF-8\">\n<TITLE>Bookmarks</TITLE>\n<H1>Bookmarks</H1>\n\
                    <DL><p>\n<DT><H3>Folder</H3>\n<DL><p>\n\
                    <DT><A HREF=\"https://example.org/a\" ADD_DATE=\"1\">Guide &amp; more</A>\n\
                    <DT><A HREF=\"javascript:alert(1)\">Bookmarklet</A>\n\
                    <DT><A HREF=\"place:sort=8\">Recent</A>\n\
                    </DL><p>\n</DL><p>\n";
        let found = links(text);
        assert_eq!(
            urls(&found),
            [("https://example.org/a", Some("Guide & more"))]
        );
        assert_eq!(found.skipped, ["javascript:alert(1)", "place:sort=8"]);
    }

    #[test]
    fn folder_titles_come_from_ids() {
        assert_eq!(folder_title("links"), "Links");
        assert_eq!(folder_title("my-reading-list"), "My reading list");
    }
}
