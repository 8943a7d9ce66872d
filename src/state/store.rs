//! The baseline as an audit holds it: on disk, not in memory, so that a run's memory follows its
//! settings and not the catalog's size.
//!
//! [`Store::open`] reads `state.json` once, checks every entry as [`Baseline::load`] would, and
//! keeps only an index: each resource's id and where its entry lies in the file, which stays open
//! for the whole run. An entry is read again when it is needed (a resource about to be judged
//! reads its own, on the blocking pool). Each new entry the run decides is written, as it is
//! applied, to a [`Spool`] beside the baseline, and the index points there from then on. Saving
//! writes `state.json` from both files in id order, byte for byte what [`Baseline::save`] writes
//! for the same entries, and commits it with the staged snapshots as [`commit`](super::commit)
//! says.

use super::{
    Baseline, ResourceState, SCHEMA_VERSION, STATE_FILE, Seen, Snapshots, Staged, StateError,
    clean_up, find_state, read_state, save_json,
};
use crate::spool::{Span, Spool, read_span};
use serde::ser::{Error as _, SerializeStruct};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The baseline of a running audit (see the module docs).
#[derive(Debug)]
pub struct Store {
    out_dir: PathBuf,
    /// The `state.json` the run started from, when there was one. A save renames a new file
    /// over its name; this handle still reads the one the index points into.
    prior: Option<Arc<EntryFile>>,
    /// The new entries of this run.
    spool: Arc<Spool>,
    index: BTreeMap<Box<str>, Indexed>,
    /// The starting `state.json` is laid out as a save lays it out, so its entries may be
    /// copied into the next one as they are.
    laid_out: bool,
}

/// Where one resource's entry lies, and its validators until the request that sends them is
/// built.
#[derive(Debug)]
struct Indexed {
    at: Span,
    /// In the spool rather than the starting `state.json`.
    spooled: bool,
    validators: Option<Box<(Option<String>, Option<String>)>>,
}

/// A file of JSON entries, read at any offset from any thread.
#[derive(Debug)]
struct EntryFile {
    /// Named in errors.
    path: PathBuf,
    file: File,
}

impl EntryFile {
    fn read_bytes(&self, at: Span) -> Result<Vec<u8>, StateError> {
        let mut bytes = Vec::new();
        read_span(&self.file, at, &mut bytes).map_err(|source| StateError::Read {
            path: self.path.clone(),
            source,
        })?;
        Ok(bytes)
    }
}

/// Where a resource's entry is read from.
#[derive(Debug, Clone)]
enum Source {
    State(Arc<EntryFile>),
    Spool(Arc<Spool>),
}

/// A resource's entry as the run found it, to read where blocking is fine.
#[derive(Debug, Clone)]
pub struct Prior(Option<(Source, Span)>);

impl Prior {
    /// The entry, or `None` for a resource the baseline does not know.
    pub fn read(&self) -> Result<Option<ResourceState>, StateError> {
        self.read_as()
    }

    /// The entry read as a `T` (all of it, or the fields a `T` has).
    fn read_as<T: serde::de::DeserializeOwned>(&self) -> Result<Option<T>, StateError> {
        let (Some((source, _)), Some(bytes)) = (&self.0, self.read_bytes()?) else {
            return Ok(None);
        };
        let parsed = serde_json::from_slice(&bytes);
        match source {
            Source::State(file) => parsed.map_err(|source| StateError::Corrupt {
                path: file.path.clone(),
                source,
            }),
            Source::Spool(_) => parsed.map_err(|e| spool_error(e.into())),
        }
        .map(Some)
    }

    /// The entry's JSON text as it is stored.
    fn read_bytes(&self) -> Result<Option<Vec<u8>>, StateError> {
        let Some((source, at)) = &self.0 else {
            return Ok(None);
        };
        match source {
            Source::State(file) => file.read_bytes(*at),
            Source::Spool(spool) => spool.read_bytes(*at).map_err(spool_error),
        }
        .map(Some)
    }
}

/// A failure of the spool that holds the run's new entries.
fn spool_error(source: io::Error) -> StateError {
    StateError::Spool { source }
}

impl Store {
    /// Indexes `<out_dir>/state.json` (missing: an empty baseline), refusing it exactly when
    /// [`Baseline::load`] would. Writes nothing.
    pub fn open(out_dir: &Path) -> Result<Store, StateError> {
        let mut store = Store {
            out_dir: out_dir.to_path_buf(),
            prior: None,
            spool: Arc::new(Spool::new(out_dir)),
            index: BTreeMap::new(),
            laid_out: false,
        };
        let Some((path, mut file)) = find_state(out_dir)? else {
            return Ok(store);
        };
        let read_error = |source| StateError::Read {
            path: path.clone(),
            source,
        };
        let indexed = index_lines(&mut BufReader::new(&file), &mut |id, at, st| {
            store.insert_prior(id, at, st);
        })
        .map_err(read_error)?;
        store.laid_out = indexed;
        if !indexed {
            store.index.clear();
            file.rewind().map_err(read_error)?;
            let bytes = read_state(&path, &mut file)?;
            store.index_whole(&path, &bytes)?;
        }
        store.prior = Some(Arc::new(EntryFile { path, file }));
        Ok(store)
    }

    /// Indexes `state.json`'s `bytes`, whatever their layout; refuses them as
    /// [`Baseline::load`] does.
    fn index_whole(&mut self, path: &Path, bytes: &[u8]) -> Result<(), StateError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw<'a> {
            #[serde(rename = "schema_version")]
            _version: serde::de::IgnoredAny,
            #[serde(default, borrow)]
            resources: BTreeMap<String, &'a RawValue>,
        }
        // Any entry that does not read: the whole file's error, as `Baseline::load` gives it.
        let refused = |entry_error: serde_json::Error| {
            let source = match serde_json::from_slice::<Baseline>(bytes) {
                Err(e) => e,
                Ok(_) => entry_error,
            };
            StateError::Corrupt {
                path: path.to_path_buf(),
                source,
            }
        };
        let raw: Raw = serde_json::from_slice(bytes).map_err(refused)?;
        for (id, value) in raw.resources {
            let text = value.get();
            let st: ResourceState = serde_json::from_str(text).map_err(refused)?;
            let offset = text.as_ptr() as usize - bytes.as_ptr() as usize;
            let at = Span {
                offset: offset as u64,
                len: text.len(),
            };
            self.insert_prior(id, at, st);
        }
        Ok(())
    }

    /// Indexes `id`'s entry `st`, found at `at` in the starting `state.json`.
    fn insert_prior(&mut self, id: String, at: Span, st: ResourceState) {
        let validators = st
            .fingerprint
            .is_some()
            .then_some((st.etag, st.last_modified))
            .filter(|(etag, modified)| etag.is_some() || modified.is_some())
            .map(Box::new);
        let indexed = Indexed {
            at,
            spooled: false,
            validators,
        };
        self.index.insert(id.into_boxed_str(), indexed);
    }

    /// The validators (ETag, Last-Modified) to send with the run's one request for `id`, when
    /// there is an accepted content that a `304 Not Modified` would confirm (see
    /// [`Baseline::conditional`]). They are handed out once.
    pub fn take_conditional(&mut self, id: &str) -> (Option<String>, Option<String>) {
        self.index
            .get_mut(id)
            .and_then(|e| e.validators.take())
            .map_or((None, None), |v| *v)
    }

    /// `id`'s entry as it stands, to read later.
    pub fn prior(&self, id: &str) -> Prior {
        Prior(self.index.get(id).and_then(|e| {
            let source = if e.spooled {
                Source::Spool(Arc::clone(&self.spool))
            } else {
                Source::State(Arc::clone(self.prior.as_ref()?))
            };
            Some((source, e.at))
        }))
    }

    /// `id`'s entry as it stands.
    pub fn get(&self, id: &str) -> Result<Option<ResourceState>, StateError> {
        self.prior(id).read()
    }

    /// Makes a staged decision's entry the resource's entry (see [`Baseline::apply`]), writing
    /// it to the spool.
    pub fn apply(&mut self, staged: Staged) -> Result<(), StateError> {
        let (id, state) = staged.applied();
        let json = entry_json(&state).map_err(|e| spool_error(e.into()))?;
        let at = self.spool.push_bytes(&json).map_err(spool_error)?;
        self.index.insert(
            id.into_boxed_str(),
            Indexed {
                at,
                spooled: true,
                validators: None,
            },
        );
        Ok(())
    }

    /// The recent checks of each resource of `ids` the baseline knows (a report shows those of
    /// the few resources that need attention, so the others' entries stay unread).
    pub fn recent<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<(String, Vec<Seen>)>, StateError> {
        /// The one field read of each entry.
        #[derive(Deserialize)]
        struct Recent {
            #[serde(default)]
            recent: Vec<Seen>,
        }
        let mut all = Vec::new();
        for id in ids {
            if let Some(r) = self.prior(id).read_as::<Recent>()? {
                all.push((id.to_owned(), r.recent));
            }
        }
        Ok(all)
    }

    /// [`Baseline::digest`] of this baseline.
    pub fn digest(&self) -> Result<String, StateError> {
        let mut hasher = blake3::Hasher::new();
        serde_json::to_writer(&mut hasher, &Whole(self)).map_err(|e| self.unreadable(e))?;
        Ok(hasher.finalize().to_hex().to_string())
    }

    /// Readies the directory the store was opened from for [`Store::save`]: finishes a save a
    /// crash interrupted and removes what aborted runs left behind, as [`Baseline::save`] does
    /// first. Files written into the directory after it are left alone by the save, so the
    /// reports can be written while it goes on.
    pub fn clean_up(&self, snapshots: &Snapshots) -> Result<(), StateError> {
        clean_up(&self.out_dir, snapshots)
    }

    /// [`Baseline::save`] of this baseline into the directory it was opened from, once
    /// [`Store::clean_up`] readied it.
    pub fn save(&self, snapshots: &Snapshots) -> Result<(), StateError> {
        save_json(&self.out_dir, snapshots, None, |w| self.write_state(w))
    }

    /// Writes `state.json` (without its final line break), byte for byte as `serde_json`'s
    /// pretty printer writes a [`Baseline`] with these entries. The entries are copied as they
    /// are stored: the spooled ones are laid out so when they are applied, and those of a
    /// starting file laid out as a save lays it out are already; those of a file in another
    /// layout are read and laid out again.
    fn write_state(&self, w: &mut dyn Write) -> io::Result<()> {
        write!(
            w,
            "{{\n  \"schema_version\": {SCHEMA_VERSION},\n  \"resources\": "
        )?;
        if self.index.is_empty() {
            w.write_all(b"{}")?;
        } else {
            for (i, (id, e)) in self.index.iter().enumerate() {
                w.write_all(if i == 0 { b"{\n    " } else { b",\n    " })?;
                serde_json::to_writer(&mut *w, &**id)?;
                w.write_all(b": ")?;
                let prior = self.prior(id);
                let stored = prior.read_bytes().map_err(io::Error::other)?;
                let stored =
                    stored.ok_or_else(|| io::Error::other("an indexed entry has no file"))?;
                if e.spooled || self.laid_out {
                    w.write_all(&stored)?;
                } else {
                    let st: ResourceState = serde_json::from_slice(&stored)?;
                    w.write_all(&entry_json(&st)?)?;
                }
            }
            w.write_all(b"\n  }")?;
        }
        w.write_all(b"\n}")
    }

    /// An entry that could not be read while the whole baseline was written out.
    fn unreadable(&self, e: serde_json::Error) -> StateError {
        StateError::Read {
            path: self.out_dir.join(STATE_FILE),
            source: e.into(),
        }
    }
}

/// `st` as a save writes it inside `state.json`: pretty-printed and indented for its depth
/// (two levels in). Every line break of pretty-printed JSON is layout, never inside a string.
fn entry_json(st: &ResourceState) -> serde_json::Result<Vec<u8>> {
    let flat = serde_json::to_vec_pretty(st)?;
    let mut json = Vec::with_capacity(flat.len() + flat.len() / 8);
    for (i, line) in flat.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            json.extend_from_slice(b"\n    ");
        }
        json.extend_from_slice(line);
    }
    Ok(json)
}

/// Indexes a `state.json` laid out as [`Baseline::save`] writes it (pretty-printed: each
/// resource's key on a line of its own, four spaces in, its entry closed by a line of four
/// spaces and `}`), a line at a time, so that only one entry is in memory at once. Calls
/// `insert` for each entry, checked as a load checks it. Returns `false` at the first line that
/// differs from that layout, or the first entry that does not read: the caller then reads the
/// file whole, which gives the error a load gives.
fn index_lines(
    reader: &mut impl BufRead,
    insert: &mut dyn FnMut(String, Span, ResourceState),
) -> io::Result<bool> {
    let mut line = Vec::new();
    let mut offset = 0;
    // Reads the next line into `line`; returns where it starts.
    let mut next = |line: &mut Vec<u8>| -> io::Result<u64> {
        line.clear();
        let start = offset;
        offset += reader.read_until(b'\n', line)? as u64;
        Ok(start)
    };
    let head = format!("{{\n  \"schema_version\": {SCHEMA_VERSION},\n");
    next(&mut line)?;
    let mut got = std::mem::take(&mut line);
    next(&mut line)?;
    got.extend_from_slice(&line);
    if got != head.as_bytes() {
        return Ok(false);
    }
    next(&mut line)?;
    if line == b"  \"resources\": {}\n" {
        next(&mut line)?;
        return Ok(line == b"}\n" && next(&mut line).map(|_| line.is_empty())?);
    }
    if line != b"  \"resources\": {\n" {
        return Ok(false);
    }
    let mut entry = Vec::new();
    loop {
        let start = next(&mut line)?;
        let Some(key) = line
            .strip_prefix(b"    ")
            .and_then(|l| l.strip_suffix(b": {\n"))
        else {
            return Ok(false);
        };
        let Ok(id) = serde_json::from_slice::<String>(key) else {
            return Ok(false);
        };
        // The entry starts at the `{` ending its key's line.
        let at = start + line.len() as u64 - 2;
        entry.clear();
        entry.extend_from_slice(b"{\n");
        let more = loop {
            next(&mut line)?;
            match line.as_slice() {
                b"    }\n" => break false,
                b"    },\n" => break true,
                inner if inner.starts_with(b"      ") && inner.ends_with(b"\n") => {
                    entry.extend_from_slice(inner);
                }
                _ => return Ok(false),
            }
        };
        entry.extend_from_slice(b"    }");
        let Ok(st) = serde_json::from_slice::<ResourceState>(&entry) else {
            return Ok(false);
        };
        let len = entry.len();
        insert(id, Span { offset: at, len }, st);
        if !more {
            break;
        }
    }
    for end in [&b"  }\n"[..], b"}\n", b""] {
        next(&mut line)?;
        if line != end {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The whole baseline as `state.json` holds it: the same fields, in the same order, as
/// [`Baseline`]'s own serialization, each entry read as it is written.
struct Whole<'a>(&'a Store);

impl Serialize for Whole<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Baseline", 2)?;
        s.serialize_field("schema_version", &SCHEMA_VERSION)?;
        s.serialize_field("resources", &Entries(self.0))?;
        s.end()
    }
}

struct Entries<'a>(&'a Store);

impl Serialize for Entries<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let store = self.0;
        serializer.collect_map(store.index.keys().map(|id| (id, Lazy(store.prior(id)))))
    }
}

/// One entry, read when it is written.
struct Lazy(Prior);

impl Serialize for Lazy {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.read() {
            Ok(Some(st)) => st.serialize(serializer),
            Ok(None) => Err(S::Error::custom("an indexed entry has no file")),
            Err(e) => Err(S::Error::custom(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Entry, Kind, Resource};
    use crate::check::Fetch;
    use crate::state::{assess, decide};
    use crate::status::Status;

    fn entry(id: &str) -> Entry {
        Entry {
            folder: "web".into(),
            resource: Resource::new(id, "A guide", &url(id), Kind::Guide, "Example"),
        }
    }

    fn url(id: &str) -> String {
        format!("https://a.test/{id}.html")
    }

    fn page(id: &str, text: &str) -> Fetch {
        Fetch {
            final_url: url(id),
            http_status: Some(200),
            content_type: Some("text/html".into()),
            etag: Some(format!("\"{id}-1\"")),
            body: format!("<title>{id}</title><main><p>{text}</p></main>").into_bytes(),
            attempts: 1,
            got_http_answer: true,
            ..Fetch::default()
        }
    }

    fn ok() -> (Status, String) {
        (Status::Ok, "200 OK".into())
    }

    fn day(n: i64) -> jiff::Timestamp {
        jiff::Timestamp::UNIX_EPOCH + jiff::SignedDuration::from_hours(24 * (20_000 + n))
    }

    const FIRST: &str = "Start the conversation early and keep it going as your child grows.";
    const SECOND: &str = "Agree on the rules for every device in the house together, in writing.";

    #[test]
    fn a_store_reads_saves_and_digests_what_a_baseline_would() {
        let dirs = [(); 2].map(|()| tempfile::tempdir().unwrap());
        let (held, streamed) = (dirs[0].path(), dirs[1].path());
        // A first audit of three resources, saved as a whole baseline.
        let mut first = Baseline::default();
        let snapshots = Snapshots::new(streamed);
        for id in ["a", "b", "c"] {
            let fetch = page(id, FIRST);
            assess(&mut first, &snapshots, &entry(id), &fetch, ok(), 2, day(0)).unwrap();
        }
        first.save(streamed, &snapshots).unwrap();
        drop(snapshots);

        let mut store = Store::open(streamed).unwrap();
        for (id, st) in &first.resources {
            assert_eq!(store.get(id).unwrap().as_ref(), Some(st), "{id}");
        }
        assert_eq!(store.get("z").unwrap(), None);
        assert_eq!(store.digest().unwrap(), first.digest());
        assert_eq!(
            store.take_conditional("b"),
            (Some("\"b-1\"".to_string()), None)
        );
        assert_eq!(store.take_conditional("b"), (None, None), "handed out once");

        // A second audit: "b" changed, "d" is new, "a" and "c" are not checked.
        let mut second = first.clone();
        let held_snapshots = Snapshots::new(held);
        let snapshots = Snapshots::new(streamed);
        for (id, text) in [("b", SECOND), ("d", FIRST)] {
            let fetch = page(id, text);
            let old = first.resources.get(id).cloned();
            let (_, staged) = decide(old.as_ref(), || None, &entry(id), &fetch, ok(), 2, day(7))
                .stage(&held_snapshots)
                .unwrap();
            second.apply(staged);
            let prior = store.prior(id).read().unwrap();
            assert_eq!(prior, old);
            let (_, staged) = decide(prior.as_ref(), || None, &entry(id), &fetch, ok(), 2, day(7))
                .stage(&snapshots)
                .unwrap();
            store.apply(staged).unwrap();
        }
        assert_ne!(second, first);
        assert_eq!(store.get("b").unwrap().as_ref(), second.resources.get("b"));
        assert_eq!(store.digest().unwrap(), second.digest());
        second.save(held, &held_snapshots).unwrap();
        store.clean_up(&snapshots).unwrap();
        store.save(&snapshots).unwrap();
        let state = |dir: &Path| std::fs::read_to_string(dir.join(STATE_FILE)).unwrap();
        assert_eq!(state(streamed), state(held));
        // The file the store opened is replaced; its entries still read.
        assert_eq!(store.get("a").unwrap().as_ref(), second.resources.get("a"));
        let ids = ["a", "b", "unknown"];
        assert_eq!(
            store.recent(ids).unwrap(),
            second
                .recent()
                .filter(|(id, _)| ids.contains(&id.as_str()))
                .collect::<Vec<_>>()
        );
        assert_eq!(Baseline::load(streamed).unwrap(), second);
    }

    #[test]
    fn a_store_refuses_a_baseline_with_the_error_a_load_gives() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(STATE_FILE);
        for (json, names) in [
            (
                r#"{"schema_version": 1, "resources": {"a": {"url": "x", "folder": "w", "colour": 1}}}"#,
                "unknown field `colour`",
            ),
            (
                r#"{"schema_version": 1, "resources": {"a": {"url": "x"}}}"#,
                "missing field `folder`",
            ),
            (
                r#"{"schema_version": 1, "extra": 2}"#,
                "unknown field `extra`",
            ),
            (r#"{"schema_version": 7}"#, "schema_version 7"),
            (r#"{"schema_version": 1, "resources": ["#, "EOF"),
        ] {
            std::fs::write(&path, json).unwrap();
            let loaded = Baseline::load(dir.path()).unwrap_err().to_string();
            let opened = Store::open(dir.path()).unwrap_err().to_string();
            assert_eq!(opened, loaded, "{json}");
            assert!(opened.contains(names), "{opened}");
        }
        // Laid out as a save lays it out, with one entry that does not read: the same error.
        let mut baseline = Baseline::default();
        baseline
            .resources
            .insert("a".into(), ResourceState::new("https://a.test/", "web"));
        let mut pretty = serde_json::to_string_pretty(&baseline).unwrap() + "\n";
        assert!(index(&pretty).is_some(), "{pretty}");
        pretty = pretty.replace("\"folder\": \"web\"", "\"folder\": 7");
        std::fs::write(&path, &pretty).unwrap();
        let loaded = Baseline::load(dir.path()).unwrap_err().to_string();
        assert_eq!(Store::open(dir.path()).unwrap_err().to_string(), loaded);
        assert!(loaded.contains("line 6 column 17"), "{loaded}");

        std::fs::remove_file(&path).unwrap();
        let empty = Store::open(dir.path()).unwrap();
        assert_eq!(empty.get("a").unwrap(), None);
        assert_eq!(empty.digest().unwrap(), Baseline::default().digest());
    }

    /// What [`index_lines`] finds in `text`: each id and the text of its entry; `None` when it
    /// leaves the file to be read whole.
    fn index(text: &str) -> Option<Vec<(String, String)>> {
        let mut found = Vec::new();
        let indexed = index_lines(&mut text.as_bytes(), &mut |id, at, _| {
            let start = usize::try_from(at.offset).unwrap();
            found.push((id, text[start..start + at.len].to_string()));
        })
        .unwrap();
        indexed.then_some(found)
    }

    #[test]
    fn a_saved_baseline_is_indexed_a_line_at_a_time_and_any_other_layout_whole() {
        let mut baseline = Baseline::default();
        let mut odd = ResourceState::new("https://a.test/\"x\"", "web");
        odd.title = Some("A \"quoted\" title: {\n    }".into());
        odd.recent = vec![Seen {
            date: "2026-11-28".parse().unwrap(),
            status: Status::Ok,
        }];
        baseline.resources.insert("b\"odd\": {".into(), odd);
        baseline
            .resources
            .insert("a".into(), ResourceState::new("https://a.test/", "web"));
        let pretty = serde_json::to_string_pretty(&baseline).unwrap() + "\n";
        let found = index(&pretty).expect("a saved layout is indexed a line at a time");
        let ids: Vec<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["a", "b\"odd\": {"]);
        for (id, entry) in &found {
            let st: ResourceState = serde_json::from_str(entry).unwrap();
            assert_eq!(Some(&st), baseline.resources.get(id), "{id}");
        }
        let empty = serde_json::to_string_pretty(&Baseline::default()).unwrap() + "\n";
        assert_eq!(index(&empty), Some(Vec::new()));
        // An id twice (hand-edited): the later entry counts, as in a load.
        let twice = pretty.replacen("\"a\": {", "\"b\\\"odd\\\": {\": {", 1);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(STATE_FILE), &twice).unwrap();
        let loaded = Baseline::load(dir.path()).unwrap();
        assert_eq!(loaded.resources.len(), 1);
        let store = Store::open(dir.path()).unwrap();
        let (id, st) = loaded.resources.iter().next().unwrap();
        assert_eq!(store.get(id).unwrap().as_ref(), Some(st));
        assert_eq!(store.get("a").unwrap(), None);
        assert_eq!(index(&twice).map(|found| found.len()), Some(2));

        // Another layout is read whole, with the same result.
        let compact = serde_json::to_string(&baseline).unwrap();
        let crlf = pretty.replace('\n', "\r\n");
        let extra_field = pretty.replacen("{\n", "{\n  \"note\": 1,\n", 1);
        for other in [&compact, &crlf, &pretty[..pretty.len() - 1], &empty[..8]] {
            assert_eq!(index(other), None, "{other}");
        }
        assert!(index(&extra_field).is_none());
        for text in [&pretty, &compact, &crlf] {
            std::fs::write(dir.path().join(STATE_FILE), text).unwrap();
            let store = Store::open(dir.path()).unwrap();
            for (id, st) in &baseline.resources {
                assert_eq!(store.get(id).unwrap().as_ref(), Some(st), "{id}");
            }
            assert_eq!(store.digest().unwrap(), baseline.digest());
            // Saved, any layout becomes the one a save writes.
            store.save(&Snapshots::new(dir.path())).unwrap();
            let saved = std::fs::read_to_string(dir.path().join(STATE_FILE)).unwrap();
            assert_eq!(saved, pretty);
        }
        std::fs::write(dir.path().join(STATE_FILE), &extra_field).unwrap();
        assert_eq!(
            Store::open(dir.path()).unwrap_err().to_string(),
            Baseline::load(dir.path()).unwrap_err().to_string()
        );
    }
}
