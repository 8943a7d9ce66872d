//! Loading the catalog directory: each file parsed with spans and walked field by field, so one run
//! reports every problem, then the typed [`Catalog`] built from everything that is valid.

use super::diag::{Diagnostic, Severity, Source};
use super::model::{Audience, Catalog, CatalogFile, Entry, Folder, Kind, Resource, Watch};
use super::validate::{date_problem, is_slug, suggestion, url_warning};
use crate::url::WebUrl;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml_edit::{Item, TableLike, Value};

/// The file that describes the toolkit and its folders, inside the catalog directory.
pub const CATALOG_FILE: &str = "catalog.toml";

/// Fields of `catalog.toml`'s top level, as the loader knows them.
pub const CATALOG_FIELDS: &[&str] = &[
    "title",
    "publisher",
    "url",
    "description",
    "contact",
    "folder",
];
/// Fields of a `[[folder]]`.
pub const FOLDER_FIELDS: &[&str] = &["id", "title", "description"];
/// Fields of a resource file's top level.
pub const RESOURCE_FILE_FIELDS: &[&str] = &["resource"];
/// Fields of a `[[resource]]`.
pub const RESOURCE_FIELDS: &[&str] = &[
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
/// Fields of a `[resource.watch]`.
pub const WATCH_FIELDS: &[&str] = &[
    "selector",
    "ignore",
    "expect",
    "accept",
    "content",
    "skip",
    "threshold",
];

/// Why the catalog could not be read at all (as opposed to problems in what it says).
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("catalog directory {} not found", dir.display())]
    NotFound { dir: PathBuf },
    #[error("{} not found: a catalog directory needs its {CATALOG_FILE}", path.display())]
    MissingCatalogFile { path: PathBuf },
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// What loading found: the valid part of the catalog and every problem.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// Everything that parsed; resources with errors, and files of no folder, are left out.
    pub catalog: Catalog,
    pub diagnostics: Vec<Diagnostic>,
    /// How many TOML files were read.
    pub files: usize,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.errors() > 0
    }

    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    /// The closing line of a human report: "catalog OK: 57 resources in 4 folders" or
    /// "3 errors, 1 warning in 5 files".
    pub fn summary(&self) -> String {
        if self.diagnostics.is_empty() {
            return format!(
                "catalog OK: {} in {}",
                plural(self.catalog.resources.len(), "resource"),
                plural(self.catalog.meta.folders.len(), "folder")
            );
        }
        format!(
            "{}, {} in {}",
            plural(self.errors(), "error"),
            plural(self.warnings(), "warning"),
            plural(self.files, "file")
        )
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Loads and validates the catalog in `dir`; dates after `today` are errors.
pub fn load(dir: &Path, today: jiff::civil::Date) -> Result<Loaded, CatalogError> {
    if !dir.is_dir() {
        return Err(CatalogError::NotFound {
            dir: dir.to_owned(),
        });
    }
    let catalog_path = dir.join(CATALOG_FILE);
    if !catalog_path.is_file() {
        return Err(CatalogError::MissingCatalogFile { path: catalog_path });
    }
    let mut other_files = folder_file_stems(dir)?;
    let mut loader = Loader {
        today,
        diags: Vec::new(),
        ids: HashMap::new(),
        urls: HashMap::new(),
        patterns: HashMap::new(),
        file_ids: Vec::new(),
        file_urls: Vec::new(),
    };
    let catalog_src = match read_text(&catalog_path)? {
        Ok(src) => Some(src),
        Err(diag) => {
            loader.diags.push(diag);
            None
        }
    };
    let meta = catalog_src
        .as_ref()
        .and_then(|src| loader.parse(src, src.text.len()).map(|doc| (src, doc)))
        .map(|(src, doc)| loader.catalog_file(src, doc.as_table()));
    let mut files = 1;
    let mut resources = Vec::new();
    let folders = match &meta {
        Some((_, folders)) => folders.as_slice(),
        None => &[],
    };
    for (folder, id_span) in folders {
        let Some(pos) = other_files.iter().position(|f| *f == folder.id) else {
            if let Some(src) = &catalog_src {
                loader.diags.push(
                    src.warning(
                        id_span.clone(),
                        format!("folder `{}` has no file {}.toml", folder.id, folder.id),
                    )
                    .with_help(format!(
                        "create {} with its [[resource]] tables, or remove the folder",
                        dir.join(format!("{}.toml", folder.id)).display()
                    )),
                );
            }
            continue;
        };
        let stem = other_files.remove(pos);
        files += 1;
        let loaded = loader.resource_file(&dir.join(format!("{stem}.toml")), None)?;
        resources.reserve(loaded.len());
        resources.extend(loaded.into_iter().map(|resource| Entry {
            folder: folder.id.clone(),
            resource,
        }));
    }
    let folder_ids: Vec<&str> = folders.iter().map(|(f, _)| f.id.as_str()).collect();
    for stem in &other_files {
        files += 1;
        // Without a readable catalog.toml every file would look orphaned: say nothing then.
        let orphan = meta.is_some().then(|| {
            match super::validate::did_you_mean(stem, folder_ids.iter().copied()) {
                Some(id) => format!("did you mean to name it {id}.toml?"),
                None => format!("add a [[folder]] with id = \"{stem}\" to {CATALOG_FILE}"),
            }
        });
        loader.resource_file(&dir.join(format!("{stem}.toml")), orphan)?;
    }
    // Grouped by file, in source order, whatever order the checks ran in.
    loader
        .diags
        .sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    let meta = meta.map_or_else(CatalogFile::default, |(mut meta, folders)| {
        meta.folders = folders.into_iter().map(|(f, _)| f).collect();
        meta
    });
    Ok(Loaded {
        catalog: Catalog { meta, resources },
        diagnostics: loader.diags,
        files,
    })
}

/// The stems of the `.toml` files in `dir` other than `catalog.toml` and `linkwatch.toml`,
/// sorted: the folder files, and any orphans.
fn folder_file_stems(dir: &Path) -> Result<Vec<String>, CatalogError> {
    let read_err = |source| CatalogError::Read {
        path: dir.to_owned(),
        source,
    };
    let mut stems = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let name = entry.map_err(read_err)?.file_name();
        let Some(name) = name.to_str() else { continue };
        if let Some(stem) = name.strip_suffix(".toml")
            && name != CATALOG_FILE
            && name != crate::CONFIG_FILE_NAME
        {
            stems.push(stem.to_owned());
        }
    }
    stems.sort();
    Ok(stems)
}

/// About how much text of a resource file is parsed at once. A parsed document takes some forty
/// times the memory of its text, and two chunks are parsed at once (see
/// [`Loader::resource_file`]).
const CHUNK_BYTES: usize = 128 * 1024;

/// The byte ranges a resource file can be parsed in, one after another, each about `size` long
/// and each after the first starting at a `[[resource]]` header. The file is cut only where a
/// lone parse would read the same: every table header is `[[resource]]` or `[resource.…]`, none
/// comes before the first `[[resource]]`, no top-level key is named `resource`, and no string
/// or array is open at a cut. Any other file is one range.
fn resource_chunks(text: &str, size: usize) -> Vec<Range<usize>> {
    let whole: Vec<Range<usize>> = std::iter::once(0..text.len()).collect();
    let Some(headers) = scan_headers(text.as_bytes()) else {
        return whole;
    };
    let mut cuts = Vec::new();
    for &(at, array) in &headers {
        let line = &text[at..];
        if array && line.starts_with("[[resource]]") {
            cuts.push(at);
        } else if array || !line.starts_with("[resource.") || cuts.is_empty() {
            return whole;
        }
    }
    let Some(&first) = cuts.first() else {
        return whole;
    };
    let preamble_names_resource = text[..first].lines().any(|l| {
        l.trim_start()
            .trim_start_matches(['"', '\''])
            .starts_with("resource")
    });
    if preamble_names_resource {
        return whole;
    }
    let mut ranges = Vec::new();
    let mut start = 0;
    for cut in cuts {
        if cut - start >= size {
            ranges.push(start..cut);
            start = cut;
        }
    }
    ranges.push(start..text.len());
    ranges
}

type Document = toml_edit::Document<String>;
type Parsed = Result<Document, toml_edit::TomlError>;

fn parse(text: &str) -> Parsed {
    toml_edit::Document::parse(text.to_owned())
}

/// `text`'s `chunks` (see [`resource_chunks`]), each with its parse, in order. When there is more
/// than one, they are parsed on a thread of `scope` one chunk ahead of the caller: at most two
/// parsed chunks are held at once, and none after a syntax error or once the caller stops.
fn parse_ahead<'s>(
    scope: &'s std::thread::Scope<'s, '_>,
    text: &'s str,
    chunks: Vec<Range<usize>>,
) -> Box<dyn Iterator<Item = (Range<usize>, Parsed)> + 's> {
    if chunks.len() < 2 {
        return Box::new(chunks.into_iter().map(|c| (c.clone(), parse(&text[c]))));
    }
    let (parsed, next) = std::sync::mpsc::sync_channel(0);
    scope.spawn(move || {
        for chunk in chunks {
            let doc = parse(&text[chunk.clone()]);
            let failed = doc.is_err();
            if parsed.send((chunk, doc)).is_err() || failed {
                return;
            }
        }
    });
    Box::new(next.into_iter())
}

/// The start of every table header line (`[…]`, or `[[…]]` when the flag is set), outside
/// strings and arrays; `None` when the text ends inside a string or an array, so its structure
/// is unclear.
fn scan_headers(text: &[u8]) -> Option<Vec<(usize, bool)>> {
    let mut headers = Vec::new();
    let mut depth = 0usize;
    let mut line_start = true;
    let mut i = 0;
    let find = |from: usize, needle: &[u8]| {
        text[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| from + p)
    };
    while i < text.len() {
        let b = text[i];
        if line_start && (b == b' ' || b == b'\t') {
            i += 1;
            continue;
        }
        let at_line_start = std::mem::replace(&mut line_start, false);
        match b {
            b'\n' => {
                line_start = true;
                i += 1;
            }
            b'#' => i = find(i, b"\n").unwrap_or(text.len()),
            b'[' if at_line_start && depth == 0 => {
                headers.push((i, text.get(i + 1) == Some(&b'[')));
                i = find(i, b"\n").unwrap_or(text.len());
            }
            b'[' | b'{' => {
                depth += 1;
                i += 1;
            }
            b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                i += 1;
            }
            b'"' | b'\'' => {
                let triple = [b; 3];
                if text[i..].starts_with(&triple) {
                    let mut j = i + 3;
                    loop {
                        let end = find(j, &triple)?;
                        let escaped = b == b'"'
                            && text[j..end]
                                .iter()
                                .rev()
                                .take_while(|c| **c == b'\\')
                                .count()
                                % 2
                                == 1;
                        j = end + 1;
                        if !escaped {
                            // Up to two quotes may end the string's content before its delimiter.
                            let mut close = end + 3;
                            while close < text.len() && text[close] == b && close < end + 5 {
                                close += 1;
                            }
                            i = close;
                            break;
                        }
                    }
                } else {
                    let mut j = i + 1;
                    loop {
                        match text.get(j) {
                            None | Some(b'\n') => return None,
                            Some(c) if *c == b => break,
                            Some(b'\\') if b == b'"' => j += 2,
                            Some(_) => j += 1,
                        }
                    }
                    i = j + 1;
                }
            }
            _ => i += 1,
        }
    }
    (depth == 0).then_some(headers)
}

/// Reads a file; `Ok(Err(diagnostic))` when it is not UTF-8 text.
fn read_text(path: &Path) -> Result<Result<Source, Diagnostic>, CatalogError> {
    let bytes = std::fs::read(path).map_err(|source| CatalogError::Read {
        path: path.to_owned(),
        source,
    })?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => Ok(Source::new(path.to_owned(), text)),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let offset = String::from_utf8_lossy(&e.as_bytes()[..valid]).len();
            Err(Source::new(path.to_owned(), lossy)
                .error(offset..offset + 1, "file is not valid UTF-8 text"))
        }
    })
}

/// The state shared across files: problems so far and the ids and URLs already seen.
struct Loader {
    today: jiff::civil::Date,
    diags: Vec<Diagnostic>,
    /// Resource id → where it was first defined.
    ids: HashMap<String, String>,
    /// Normalised URL → (resource id, where it was first used).
    urls: HashMap<String, (String, String)>,
    /// Patterns already compiled (regexes and selectors repeat across resources) → the problem.
    patterns: HashMap<(bool, String), Option<String>>,
    /// The ids and URL keys the file being read added to `ids` and `urls`.
    file_ids: Vec<String>,
    file_urls: Vec<String>,
}

/// One present, known field of a table.
struct Field<'t> {
    name: &'static str,
    item: &'t Item,
    key: Range<usize>,
    value: Range<usize>,
}

impl Loader {
    /// Parses a file, or the part of it from [`Source::offset`] to `end`, recording a syntax
    /// error as a diagnostic.
    fn parse(&mut self, src: &Source, end: usize) -> Option<Document> {
        self.parsed(src, parse(&src.text[src.offset..end]))
    }

    /// The document `parsed` from [`Source::offset`] on, its syntax error recorded as a
    /// diagnostic.
    fn parsed(&mut self, src: &Source, parsed: Parsed) -> Option<Document> {
        match parsed {
            Ok(doc) => Some(doc),
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let first = e.message().lines().next().unwrap_or("invalid TOML");
                self.diags
                    .push(src.error(span, format!("TOML syntax error: {first}")));
                None
            }
        }
    }

    /// A resource file's valid resources; `orphan` is the help for a file of no folder.
    fn resource_file(
        &mut self,
        path: &Path,
        orphan: Option<String>,
    ) -> Result<Vec<Resource>, CatalogError> {
        let mut src = match read_text(path)? {
            Ok(src) => src,
            Err(diag) => {
                self.diags.push(diag);
                return Ok(Vec::new());
            }
        };
        if let Some(help) = orphan {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            self.diags.push(
                src.warning(
                    0..0,
                    format!("{name} belongs to no folder; its resources are not loaded"),
                )
                .with_help(help),
            );
        }
        // A parsed document takes some forty times the memory of its text: a large file is
        // parsed a few hundred resources at a time, so memory follows the chunk, not the file.
        // While one chunk is checked here, the next is parsed on a thread of its own.
        // A syntax error drops what the file's earlier chunks added, as one parse would.
        let before = (self.diags.len(), self.ids.len());
        self.file_ids.clear();
        self.file_urls.clear();
        let mut out = Vec::with_capacity(src.text.matches("[[resource]]").count());
        let chunks = resource_chunks(&src.text, CHUNK_BYTES);
        std::thread::scope(|scope| {
            for (chunk, parsed) in parse_ahead(scope, &src.text, chunks) {
                src.offset = chunk.start;
                let Some(doc) = self.parsed(&src, parsed) else {
                    let error = self.diags.pop();
                    self.diags.truncate(before.0);
                    self.diags.extend(error);
                    for id in std::mem::take(&mut self.file_ids) {
                        self.ids.remove(&id);
                    }
                    for key in std::mem::take(&mut self.file_urls) {
                        self.urls.remove(&key);
                    }
                    debug_assert_eq!(self.ids.len(), before.1);
                    out.clear();
                    return;
                };
                for field in self.fields(&src, doc.as_table(), 0..0, RESOURCE_FILE_FIELDS) {
                    for (table, span) in self.tables(&src, &field, "resource", "[[resource]]") {
                        if let Some(r) = self.resource(&src, table, span) {
                            out.push(r);
                        }
                    }
                }
            }
        });
        Ok(out)
    }

    /// `catalog.toml`: the toolkit's fields (with no folders) and the folders with their id spans.
    fn catalog_file(
        &mut self,
        src: &Source,
        root: &dyn TableLike,
    ) -> (CatalogFile, Vec<(Folder, Range<usize>)>) {
        let mut title = None;
        let mut publisher = None;
        let mut url = None;
        let mut description = None;
        let mut contact = None;
        let mut folders: Vec<(Folder, Range<usize>)> = Vec::new();
        for f in self.fields(src, root, 0..0, CATALOG_FIELDS) {
            match f.name {
                "title" => title = self.nonempty(src, &f),
                "publisher" => publisher = self.nonempty(src, &f),
                "url" => url = self.url(src, &f).map(|(url, _)| url),
                "description" => description = self.string(src, &f).map(str::to_owned),
                "contact" => contact = self.string(src, &f).map(str::to_owned),
                _ => {
                    for (table, span) in self.tables(src, &f, "folder", "[[folder]]") {
                        let Some((folder, id_span)) = self.folder(src, table, span) else {
                            continue;
                        };
                        if let Some((_, first)) = folders.iter().find(|(g, _)| g.id == folder.id) {
                            let first = src.location(first.clone());
                            self.diags.push(src.error(
                                id_span,
                                format!(
                                    "duplicate folder id `{}` (first defined at {first})",
                                    folder.id
                                ),
                            ));
                        } else {
                            folders.push((folder, id_span));
                        }
                    }
                }
            }
        }
        self.require(
            src,
            root,
            0..0,
            "catalog.toml",
            &[("title", &title), ("publisher", &publisher)],
        );
        let meta = CatalogFile {
            title: title.unwrap_or_default(),
            publisher: publisher.unwrap_or_default(),
            url,
            description,
            contact,
            folders: Vec::new(),
        };
        (meta, folders)
    }

    fn folder(
        &mut self,
        src: &Source,
        table: &dyn TableLike,
        span: Range<usize>,
    ) -> Option<(Folder, Range<usize>)> {
        let mut id = None;
        let mut title = None;
        let mut description = None;
        for f in self.fields(src, table, span.clone(), FOLDER_FIELDS) {
            match f.name {
                "id" => id = self.slug(src, &f).map(|s| (s, f.value.clone())),
                "title" => title = self.nonempty(src, &f),
                _ => description = self.string(src, &f).map(str::to_owned),
            }
        }
        self.require(
            src,
            table,
            span,
            "[[folder]]",
            &[("id", &id), ("title", &title)],
        );
        // A folder with a problem elsewhere still owns its file, so its resources are checked.
        let ((id, id_span), title) = (id?, title?);
        Some((
            Folder {
                id,
                title,
                description,
            },
            id_span,
        ))
    }

    fn resource(
        &mut self,
        src: &Source,
        table: &dyn TableLike,
        span: Range<usize>,
    ) -> Option<Resource> {
        let before = self.diags.len();
        let mut id = None;
        let mut title = None;
        let mut url_key = None;
        let mut kind = None;
        let mut organization = None;
        let mut description = None;
        let mut audience = Vec::new();
        let mut tags = Vec::new();
        let mut added = None;
        let mut reviewed = None;
        let mut watch = None;
        let mut url_span = 0..0;
        for f in self.fields(src, table, span.clone(), RESOURCE_FIELDS) {
            match f.name {
                "id" => id = self.resource_id(src, &f),
                "title" => title = self.nonempty(src, &f),
                "url" => {
                    url_key = self.url(src, &f);
                    url_span = f.value.clone();
                }
                "kind" => {
                    let names = Kind::names();
                    kind = self.word(
                        src,
                        f.item.as_value(),
                        f.value.clone(),
                        "kind",
                        &names,
                        Kind::parse,
                    );
                }
                "organization" => organization = self.nonempty(src, &f),
                "description" => description = self.string(src, &f).map(str::to_owned),
                "audience" => audience = self.audience(src, &f),
                "tags" => tags = self.tags(src, &f),
                "added" => added = self.date(src, &f),
                "reviewed" => reviewed = self.date(src, &f),
                _ => match f.item.as_table_like() {
                    Some(t) => watch = self.watch(src, t, f.key.clone()),
                    None => self.wrong_type(src, &f, "a table"),
                },
            }
        }
        let what = match &id {
            Some(id) => format!("resource `{id}`"),
            None => "[[resource]]".to_owned(),
        };
        self.require(
            src,
            table,
            span,
            &what,
            &[
                ("id", &id),
                ("title", &title),
                ("url", &url_key),
                ("kind", &kind),
                ("organization", &organization),
            ],
        );
        let url = match (&id, url_key) {
            (Some(id), Some((url, key))) => {
                self.note_url(src, id, key, url_span);
                Some(url)
            }
            (_, url_key) => url_key.map(|(url, _)| url),
        };
        let resource = Resource {
            id: id?,
            title: title?,
            url: url?,
            kind: kind?,
            organization: organization?,
            description,
            audience,
            tags,
            added,
            reviewed,
            watch,
        };
        self.clean_since(before).then_some(resource)
    }

    /// The resource id, a slug not used by an earlier resource.
    fn resource_id(&mut self, src: &Source, f: &Field<'_>) -> Option<String> {
        let id = self.slug(src, f)?;
        let here = src.location(f.value.clone());
        if let Some(first) = self.ids.get(&id) {
            let msg = format!("duplicate resource id `{id}` (first defined at {first})");
            self.diags.push(src.error(f.value.clone(), msg));
        } else {
            self.ids.insert(id.clone(), here);
            self.file_ids.push(id.clone());
        }
        Some(id)
    }

    fn audience(&mut self, src: &Source, f: &Field<'_>) -> Vec<Audience> {
        let names = Audience::names();
        let mut audience = Vec::new();
        for (v, span) in self.array(src, f) {
            if let Some(a) = self.word(src, Some(v), span, "audience", &names, Audience::parse) {
                audience.push(a);
            }
        }
        audience
    }

    fn tags(&mut self, src: &Source, f: &Field<'_>) -> Vec<String> {
        let mut tags = Vec::new();
        for (v, span) in self.array(src, f) {
            match v.as_str() {
                Some(t) if is_slug(t) => tags.push(t.to_owned()),
                Some(t) => self.diags.push(src.error(
                    span,
                    format!("tag `{t}` is not a slug (lowercase letters, digits and hyphens)"),
                )),
                None => self.diags.push(src.error(
                    span,
                    format!("a tag must be a string, found {}", article(v.type_name())),
                )),
            }
        }
        tags
    }

    /// Remembers where the page of `key` (see [`WebUrl::page_key`]) was first named, and warns
    /// when another resource names it again.
    fn note_url(&mut self, src: &Source, id: &str, key: String, span: Range<usize>) {
        if let Some((first_id, first)) = self.urls.get(&key) {
            let msg = format!("resource `{id}` has the same URL as `{first_id}` (at {first})");
            self.diags.push(src.warning(span, msg));
        } else {
            let here = (id.to_owned(), src.location(span));
            self.file_urls.push(key.clone());
            self.urls.insert(key, here);
        }
    }

    fn watch(&mut self, src: &Source, table: &dyn TableLike, span: Range<usize>) -> Option<Watch> {
        let before = self.diags.len();
        let mut watch = Watch::default();
        for f in self.fields(src, table, span, WATCH_FIELDS) {
            match f.name {
                "selector" => {
                    if let Some(s) = self.string(src, &f) {
                        match self.pattern_problem(false, s) {
                            None => watch.selector = Some(s.to_owned()),
                            Some(why) => {
                                let msg = format!("invalid CSS selector `{s}`{why}");
                                self.diags.push(src.error(f.value.clone(), msg));
                            }
                        }
                    }
                }
                "ignore" => watch.ignore = self.ignore_patterns(src, &f),
                "expect" => watch.expect = self.string(src, &f).map(str::to_owned),
                "accept" => watch.accept = self.accepted_statuses(src, &f),
                "content" => match f.item.as_bool() {
                    Some(b) => watch.content = Some(b),
                    None => self.wrong_type(src, &f, "a boolean"),
                },
                "skip" => {
                    if let Some(reason) = self.string(src, &f) {
                        if reason.trim().is_empty() {
                            self.diags.push(
                                src.error(f.value.clone(), "`skip` needs a reason")
                                    .with_help("say why the link is not checked, e.g. skip = \"blocks robots\""),
                            );
                        } else {
                            watch.skip = Some(reason.to_owned());
                        }
                    }
                }
                _ => watch.threshold = self.threshold(src, &f),
            }
        }
        self.clean_since(before).then_some(watch)
    }

    fn ignore_patterns(&mut self, src: &Source, f: &Field<'_>) -> Vec<String> {
        let mut patterns = Vec::new();
        for (v, span) in self.array(src, f) {
            let Some(s) = v.as_str() else {
                let msg = format!(
                    "an ignore pattern must be a string, found {}",
                    article(v.type_name())
                );
                self.diags.push(src.error(span, msg));
                continue;
            };
            match self.pattern_problem(true, s) {
                None => patterns.push(s.to_owned()),
                Some(why) => {
                    self.diags
                        .push(src.error(span, format!("invalid regex `{s}`{why}")));
                }
            }
        }
        patterns
    }

    fn accepted_statuses(&mut self, src: &Source, f: &Field<'_>) -> Vec<u16> {
        let mut statuses = Vec::new();
        for (v, span) in self.array(src, f) {
            match v.as_integer() {
                Some(n @ 100..=599) => statuses.push(n as u16),
                Some(n) => self
                    .diags
                    .push(src.error(span, format!("HTTP status {n} is outside 100..=599"))),
                None => self.diags.push(src.error(
                    span,
                    format!(
                        "an HTTP status must be an integer, found {}",
                        article(v.type_name())
                    ),
                )),
            }
        }
        statuses
    }

    fn threshold(&mut self, src: &Source, f: &Field<'_>) -> Option<f64> {
        let value = f
            .item
            .as_float()
            .or_else(|| f.item.as_integer().map(|n| n as f64));
        match value {
            Some(t) if (0.0..=1.0).contains(&t) => Some(t),
            Some(t) => {
                let msg = format!("threshold {t} is outside 0..1");
                self.diags.push(src.error(f.value.clone(), msg));
                None
            }
            None => {
                self.wrong_type(src, f, "a number");
                None
            }
        }
    }

    /// Why `pattern` does not compile as a regex (`regex`) or a CSS selector, as ": reason" or
    /// "" when the library gives no useful reason; `None` when it compiles.
    fn pattern_problem(&mut self, regex: bool, pattern: &str) -> Option<String> {
        let key = (regex, pattern.to_owned());
        if let Some(known) = self.patterns.get(&key) {
            return known.clone();
        }
        let problem = if regex {
            regex::Regex::new(pattern).err().map(|e| {
                let text = e.to_string();
                let why = text.lines().last().unwrap_or_default();
                format!(": {}", why.strip_prefix("error: ").unwrap_or(why))
            })
        } else {
            scraper::Selector::parse(pattern).err().map(|e| {
                // scraper's text for some errors is an internal name, not advice.
                let text = e.to_string();
                match text
                    .lines()
                    .next()
                    .filter(|l| !l.starts_with("Unexpected error"))
                {
                    Some(why) => format!(": {why}"),
                    None => String::new(),
                }
            })
        };
        self.patterns.insert(key, problem.clone());
        problem
    }

    fn clean_since(&self, before: usize) -> bool {
        self.diags[before..]
            .iter()
            .all(|d| d.severity != Severity::Error)
    }

    /// The known fields of `table`; unknown ones become errors with a did-you-mean.
    fn fields<'t>(
        &mut self,
        src: &Source,
        table: &'t dyn TableLike,
        span: Range<usize>,
        known: &'static [&'static str],
    ) -> Vec<Field<'t>> {
        let mut out = Vec::new();
        for (name, item) in table.iter() {
            let key = table
                .key(name)
                .and_then(|k| k.span())
                .unwrap_or(span.clone());
            let value = item.span().unwrap_or(key.clone());
            if let Some(&name) = known.iter().find(|k| **k == name) {
                out.push(Field {
                    name,
                    item,
                    key,
                    value,
                });
            } else {
                self.diags.push(
                    src.error(key, format!("unknown field `{name}`"))
                        .with_help(suggestion(name, known)),
                );
            }
        }
        out
    }

    fn require(
        &mut self,
        src: &Source,
        table: &dyn TableLike,
        span: Range<usize>,
        what: &str,
        fields: &[(&str, &dyn IsSet)],
    ) {
        for (name, value) in fields {
            // A field that is present but invalid already has its own diagnostic.
            if !value.is_set() && !table.contains_key(name) {
                self.diags.push(src.error(
                    span.clone(),
                    format!("{what} is missing required field `{name}`"),
                ));
            }
        }
    }

    /// The tables of an array-of-tables field (`[[name]]` or `name = [{…}]`) with their spans.
    fn tables<'t>(
        &mut self,
        src: &Source,
        f: &Field<'t>,
        name: &str,
        header: &str,
    ) -> Vec<(&'t dyn TableLike, Range<usize>)> {
        match f.item {
            Item::ArrayOfTables(a) => a
                .iter()
                .map(|t| (t as &dyn TableLike, t.span().unwrap_or(f.key.clone())))
                .collect(),
            Item::Value(Value::Array(a)) => {
                let mut out = Vec::new();
                for v in a.iter() {
                    let span = v.span().unwrap_or(f.value.clone());
                    match v.as_inline_table() {
                        Some(t) => out.push((t as &dyn TableLike, span)),
                        None => self.diags.push(src.error(
                            span,
                            format!(
                                "each `{name}` must be a table, found {}",
                                article(v.type_name())
                            ),
                        )),
                    }
                }
                out
            }
            _ => {
                self.diags.push(
                    src.error(
                        f.key.clone(),
                        format!(
                            "`{name}` must be an array of tables, found {}",
                            article(f.item.type_name())
                        ),
                    )
                    .with_help(format!("write each one under a {header} header")),
                );
                Vec::new()
            }
        }
    }

    fn array<'t>(&mut self, src: &Source, f: &Field<'t>) -> Vec<(&'t Value, Range<usize>)> {
        match f.item.as_array() {
            Some(a) => a
                .iter()
                .map(|v| (v, v.span().unwrap_or(f.value.clone())))
                .collect(),
            None => {
                self.wrong_type(src, f, "an array");
                Vec::new()
            }
        }
    }

    fn wrong_type(&mut self, src: &Source, f: &Field<'_>, expected: &str) {
        let msg = format!(
            "`{}` must be {expected}, found {}",
            f.name,
            article(f.item.type_name())
        );
        self.diags.push(src.error(f.value.clone(), msg));
    }

    fn string<'t>(&mut self, src: &Source, f: &Field<'t>) -> Option<&'t str> {
        let s = f.item.as_str();
        if s.is_none() {
            self.wrong_type(src, f, "a string");
        }
        s
    }

    fn nonempty(&mut self, src: &Source, f: &Field<'_>) -> Option<String> {
        let s = self.string(src, f)?;
        if s.trim().is_empty() {
            self.diags
                .push(src.error(f.value.clone(), format!("`{}` must not be empty", f.name)));
            return None;
        }
        Some(s.to_owned())
    }

    fn slug(&mut self, src: &Source, f: &Field<'_>) -> Option<String> {
        let s = self.string(src, f)?;
        if !is_slug(s) {
            self.diags.push(
                src.error(f.value.clone(), format!("{} `{s}` is not a slug", f.name))
                    .with_help(
                        "use lowercase letters, digits and single hyphens, e.g. `cybertipline-faq`",
                    ),
            );
            return None;
        }
        Some(s.to_owned())
    }

    /// A web URL, and its page key (see [`WebUrl::page_key`]).
    fn url(&mut self, src: &Source, f: &Field<'_>) -> Option<(String, String)> {
        let s = self.string(src, f)?;
        match WebUrl::parse(s) {
            Err(problem) => {
                self.diags
                    .push(src.error(f.value.clone(), problem.to_string()));
                None
            }
            Ok(url) => {
                if let Some(warning) = url_warning(&url) {
                    self.diags.push(src.warning(f.value.clone(), warning).with_help(
                        "fine for an intranet catalog, but pull-request checks refuse it unless \
                         run with `--allow-private` (or `allow-private = true` in linkwatch.toml)",
                    ).advisory());
                }
                Some((s.to_owned(), url.page_key()))
            }
        }
    }

    /// A string from a closed vocabulary (kind, audience).
    fn word<T>(
        &mut self,
        src: &Source,
        value: Option<&Value>,
        span: Range<usize>,
        what: &str,
        names: &[&str],
        parse: fn(&str) -> Option<T>,
    ) -> Option<T> {
        let Some(s) = value.and_then(Value::as_str) else {
            let found = value.map_or("a table", |v| article(v.type_name()));
            self.diags
                .push(src.error(span, format!("{what} must be a string, found {found}")));
            return None;
        };
        let parsed = parse(s);
        if parsed.is_none() {
            self.diags.push(
                src.error(span, format!("unknown {what} `{s}`"))
                    .with_help(suggestion(s, names)),
            );
        }
        parsed
    }

    fn date(&mut self, src: &Source, f: &Field<'_>) -> Option<jiff::civil::Date> {
        let Some(dt) = f.item.as_datetime() else {
            let mut d = src.error(
                f.value.clone(),
                format!(
                    "`{}` must be a TOML date, found {}",
                    f.name,
                    article(f.item.type_name())
                ),
            );
            if f.item.is_str() {
                d = d.with_help("write the date without quotes, e.g. added = 2026-01-31");
            }
            self.diags.push(d);
            return None;
        };
        let date = match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                jiff::civil::Date::new(d.year as i16, d.month as i8, d.day as i8).ok()
            }
            _ => None,
        };
        let Some(date) = date else {
            self.diags.push(
                src.error(
                    f.value.clone(),
                    format!("`{}` is not a valid date: {dt}", f.name),
                )
                .with_help("write a calendar date without a time, e.g. 2026-01-31"),
            );
            return None;
        };
        if let Some(problem) = date_problem(f.name, date, self.today) {
            self.diags.push(src.error(f.value.clone(), problem));
            return None;
        }
        Some(date)
    }
}

/// "an integer", "a string", …
fn article(type_name: &str) -> &'static str {
    match type_name {
        "string" => "a string",
        "integer" => "an integer",
        "float" => "a float",
        "boolean" => "a boolean",
        "datetime" => "a date-time",
        "array" => "an array",
        "inline table" | "table" => "a table",
        "array of tables" => "an array of tables",
        _ => "a value of another type",
    }
}

/// Whether an optional field ended up with a value.
trait IsSet {
    fn is_set(&self) -> bool;
}

impl<T> IsSet for Option<T> {
    fn is_set(&self) -> bool {
        self.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TODAY: jiff::civil::Date = jiff::civil::date(2026, 11, 28);

    fn write_catalog(catalog: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CATALOG_FILE), catalog).unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    const CATALOG: &str = "title = \"T\"\npublisher = \"P\"\n[[folder]]\nid = \"b\"\ntitle = \"B\"\n[[folder]]\nid = \"a\"\ntitle = \"A\"\n";

    fn resource(id: &str) -> String {
        format!(
            "[[resource]]\nid = \"{id}\"\ntitle = \"T\"\nurl = \"https://example.org/{id}\"\nkind = \"guide\"\norganization = \"O\"\n"
        )
    }

    #[test]
    fn a_resource_file_is_cut_only_at_resource_headers_outside_strings_and_arrays() {
        let tricky = "# head\n\n[[resource]]\nid = \"a\"\ndescription = \"\"\"\n[[resource]]\n\\\"\"\"\"\"\n\
                      tags = [\n  \"x\",\n]\n[resource.watch]\nignore = [\n'''\n[[resource]]\n''',\n]\n\n\
                      [[resource]] # second\nid = \"b\"\nnote = 'it'\n[[resource]]\nid = \"c\"\n";
        let ranges = resource_chunks(tricky, 1);
        let parts: Vec<&str> = ranges.iter().map(|r| &tricky[r.clone()]).collect();
        assert_eq!(ranges.len(), 4, "{parts:#?}");
        assert_eq!(parts[0], "# head\n\n");
        assert!(parts[1].starts_with("[[resource]]\nid = \"a\""));
        assert!(parts[2].starts_with("[[resource]] # second"));
        assert!(parts[3].starts_with("[[resource]]\nid = \"c\""));
        assert_eq!(ranges.last().unwrap().end, tricky.len());
        let whole: toml::Table = toml::from_str(tricky).unwrap();
        let mut read = Vec::new();
        for part in parts {
            let part: toml::Table = toml::from_str(part).unwrap();
            read.extend(
                part.get("resource")
                    .into_iter()
                    .flat_map(|r| r.as_array().unwrap().clone()),
            );
        }
        assert_eq!(whole["resource"].as_array().unwrap(), &read);

        for one in [
            "[other]\nx = 1\n[[resource]]\nid = \"a\"\n[[resource]]\nid = \"b\"\n",
            "[resource.watch]\n[[resource]]\nid = \"a\"\n[[resource]]\nid = \"b\"\n",
            "resource = 1\n[[resource]]\nid = \"a\"\n[[resource]]\nid = \"b\"\n",
            "[[resource]]\nid = \"a\"\nx = \"\"\"open\n[[resource]]\nid = \"b\"\n",
            "[[resource]]\nid = \"a\"\nx = [\n[[resource]]\nid = \"b\"\n",
        ] {
            assert_eq!(resource_chunks(one, 1), vec![0..one.len()], "{one}");
        }
    }

    /// `resources` resources, each about 150 bytes, then `tail`.
    fn long_file(resources: usize, tail: &str) -> String {
        let mut text = String::new();
        for i in 0..resources {
            text.push_str(&resource(&format!("r{i}")));
            text.push_str("description = \"Long enough to fill the chunks quickly.\"\n\n");
        }
        text.push_str(tail);
        text
    }

    #[test]
    fn a_long_file_is_read_in_chunks_with_the_same_result_as_a_short_one() {
        let n = 3 * CHUNK_BYTES / 150;
        let text = long_file(n, &resource("r1"));
        assert!(resource_chunks(&text, CHUNK_BYTES).len() >= 3);
        let dir = write_catalog(CATALOG, &[("a.toml", &text), ("b.toml", "")]);
        let loaded = load(dir.path(), TODAY).unwrap();
        assert_eq!(loaded.catalog.resources.len(), n);
        let last = text.lines().count() - 6;
        let path = dir.path().join("a.toml");
        let messages: Vec<String> = loaded
            .diagnostics
            .iter()
            .map(|d| format!("{}:{}: {}", d.line, d.column, d.message))
            .collect();
        assert_eq!(
            messages,
            [
                format!(
                    "{}:6: duplicate resource id `r1` (first defined at {}:10:6)",
                    last + 2,
                    path.display()
                ),
                format!(
                    "{}:7: resource `r1` has the same URL as `r1` (at {}:12:7)",
                    last + 4,
                    path.display()
                ),
            ]
        );

        let broken = long_file(n, "[[resource]]\nid = \"oops\n");
        let dir = write_catalog(CATALOG, &[("a.toml", &broken), ("b.toml", &resource("r5"))]);
        let loaded = load(dir.path(), TODAY).unwrap();
        assert_eq!(loaded.diagnostics.len(), 1, "{:?}", loaded.diagnostics);
        assert!(
            loaded.diagnostics[0]
                .message
                .starts_with("TOML syntax error")
        );
        assert_eq!(loaded.diagnostics[0].line, broken.lines().count());
        let ids: Vec<&str> = loaded
            .catalog
            .resources
            .iter()
            .map(|e| e.resource.id.as_str())
            .collect();
        assert_eq!(ids, ["r5"], "the broken file adds nothing, and takes no id");
    }

    #[test]
    fn resources_come_in_folder_order_then_file_order() {
        let a = resource("a1") + &resource("a2");
        let b = resource("b1");
        let dir = write_catalog(CATALOG, &[("a.toml", &a), ("b.toml", &b)]);
        let loaded = load(dir.path(), TODAY).unwrap();
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let order: Vec<(&str, &str)> = loaded
            .catalog
            .resources
            .iter()
            .map(|e| (e.folder.as_str(), e.resource.id.as_str()))
            .collect();
        assert_eq!(order, [("b", "b1"), ("a", "a1"), ("a", "a2")]);
        assert_eq!(loaded.files, 3);
        assert_eq!(loaded.summary(), "catalog OK: 3 resources in 2 folders");
    }

    #[test]
    fn resources_with_errors_are_left_out_and_the_rest_kept() {
        let a = resource("good") + &resource("bad").replace("guide", "gide");
        let dir = write_catalog(CATALOG, &[("a.toml", &a), ("b.toml", "")]);
        let loaded = load(dir.path(), TODAY).unwrap();
        assert_eq!((loaded.errors(), loaded.warnings()), (1, 0));
        assert!(loaded.has_errors());
        let ids: Vec<&str> = loaded
            .catalog
            .resources
            .iter()
            .map(|e| e.resource.id.as_str())
            .collect();
        assert_eq!(ids, ["good"]);
        assert_eq!(loaded.summary(), "1 error, 0 warnings in 3 files");
    }

    #[test]
    fn watch_table_becomes_typed() {
        let a =
            resource("w") + "[resource.watch]\naccept = [403]\nthreshold = 1\ncontent = false\n";
        let dir = write_catalog(CATALOG, &[("a.toml", &a), ("b.toml", "")]);
        let loaded = load(dir.path(), TODAY).unwrap();
        let watch = loaded.catalog.resources[0].resource.watch.clone().unwrap();
        assert_eq!(watch.accept, [403]);
        assert_eq!(watch.threshold, Some(1.0));
        assert!(!watch.tracks_content());
    }

    #[test]
    fn unreadable_catalogs_are_errors_not_diagnostics() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        assert!(matches!(
            load(&missing, TODAY),
            Err(CatalogError::NotFound { .. })
        ));
        assert!(matches!(
            load(dir.path(), TODAY),
            Err(CatalogError::MissingCatalogFile { .. })
        ));
    }

    /// Every field name the loader knows, plus one it does not.
    fn names() -> Vec<&'static str> {
        [
            CATALOG_FIELDS,
            FOLDER_FIELDS,
            RESOURCE_FILE_FIELDS,
            RESOURCE_FIELDS,
            WATCH_FIELDS,
            &["x"],
        ]
        .concat()
    }

    fn leaf() -> impl Strategy<Value = toml::Value> {
        prop_oneof![
            prop::sample::select(vec![
                "",
                "a",
                "guide",
                "cac",
                "https://example.org/",
                "#x",
                "a b",
                "(",
                "div >>",
                "Bad_Id",
            ])
            .prop_map(|s| toml::Value::String(s.to_owned())),
            ".{0,8}".prop_map(toml::Value::String),
            any::<i64>().prop_map(toml::Value::Integer),
            any::<f64>().prop_map(toml::Value::Float),
            any::<bool>().prop_map(toml::Value::Boolean),
            prop::sample::select(vec![
                "2024-01-01",
                "2999-12-31",
                "2024-01-01T10:00:00",
                "10:00:00"
            ])
            .prop_map(|d| toml::Value::Datetime(d.parse().unwrap())),
        ]
    }

    fn value() -> impl Strategy<Value = toml::Value> {
        leaf().prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(toml::Value::Array),
                prop::collection::btree_map(prop::sample::select(names()), inner, 0..6).prop_map(
                    |m| {
                        toml::Value::Table(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                    }
                ),
            ]
        })
    }

    fn document() -> impl Strategy<Value = String> {
        prop::collection::btree_map(prop::sample::select(names()), value(), 0..6).prop_map(|m| {
            let table: toml::Table = m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            toml::to_string(&table).unwrap_or_default()
        })
    }

    /// Every diagnostic points at a real line of one of `texts`, at a column on that line.
    fn assert_positions_inside(loaded: &Loaded, texts: &[&str]) {
        let longest = texts
            .iter()
            .map(|t| t.split('\n').count())
            .max()
            .unwrap_or(1);
        for d in &loaded.diagnostics {
            assert!(d.line >= 1 && d.line <= longest, "{d:?}");
            assert!(
                d.column >= 1 && d.column <= d.source_line.chars().count() + 1,
                "{d:?}"
            );
            assert!(d.width >= 1, "{d:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn arbitrary_text_never_panics(catalog in "\\PC{0,200}", file in "(\\PC|\\n){0,200}") {
            let dir = write_catalog(&catalog, &[("a.toml", &file)]);
            let loaded = load(dir.path(), TODAY).unwrap();
            prop_assert_eq!(loaded.files, 2);
            assert_positions_inside(&loaded, &[&catalog, &file]);
        }

        #[test]
        fn wrong_shaped_toml_never_panics(catalog in document(), file in document()) {
            let dir = write_catalog(&catalog, &[("a.toml", &file), ("b.toml", &file)]);
            let loaded = load(dir.path(), TODAY).unwrap();
            prop_assert_eq!(loaded.files, 3);
            assert_positions_inside(&loaded, &[&catalog, &file]);
        }
    }
}
