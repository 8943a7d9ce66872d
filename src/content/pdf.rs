//! The text of a PDF, for comparing a PDF by what it says rather than by its bytes, which change
//! whenever it is regenerated (new `/CreationDate`, `/ModDate`, `/ID`).
//!
//! [`lopdf`] parses the file and decodes the fonts; this module walks each page's text
//! operators. lopdf bounds nesting and each stream's decompressed size, but it loads every
//! object up front and trusts the file's offsets: a few cross-reference entries pointing at one
//! large object, or an object stream whose entries overlap, make it parse the same bytes again
//! and again, for minutes and gigabytes. So every object is screened as it loads ([`screen`]):
//! object streams must hold their objects one after another, and the objects loaded may weigh
//! [`MAX_LOAD_BYTES`] in all, past which the load is stopped. Reading the pages is capped too
//! (pages, fonts, forms, content, text). Whatever goes wrong (a cap, an error, a panic in the
//! parser) means the PDF is not read as text, for a reason, and it is then compared by its
//! bytes.

use super::{guard, normalize};
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Encoding, LoadOptions, Object, ObjectId, ObjectStream, Stream};
use std::cell::Cell;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

// The reader's panics are caught (see [`read`]), which a build that aborts on a panic cannot do.
#[cfg(panic = "abort")]
compile_error!("linkwatch must unwind on panic: a hostile PDF must not abort an audit");

/// Most pages read; a longer PDF is compared by its bytes. Each page costs a walk of its fonts
/// and its content, so this bounds the time more than the body's size does.
pub const MAX_PAGES: usize = 500;

/// Most bytes one stream may decompress to: one page's content, or one form's. Real pages of
/// text need well under 1 MiB; a flate stream a few kilobytes long can claim gigabytes.
pub const MAX_STREAM_BYTES: usize = 4 * 1024 * 1024;

/// Most bytes an object stream or a cross-reference stream may decompress to while the file is
/// loaded. Real ones hold a few hundred small objects, or the offsets of some 100,000 objects.
pub const MAX_OBJECT_STREAM_BYTES: usize = 1024 * 1024;

/// Most the objects loaded from a file may weigh in all: about the memory they take (each
/// object and each item in an array or dictionary as much as an [`Object`], plus the bytes of
/// strings, names and streams), with the decompressed bytes of the object streams. A real PDF
/// of 5 MiB (the body cap) weighs a few times its size; the cap bounds what lopdf is made to
/// parse, and keep, to about 0.2 s and 64 MiB.
pub const MAX_LOAD_BYTES: usize = 64 * 1024 * 1024;

/// Most bytes of page content (decompressed) read over all pages.
pub const MAX_CONTENT_BYTES: usize = 32 * 1024 * 1024;

/// Deepest nesting of forms (XObjects that draw content, text included) followed: a page
/// drawing a form that draws a form is two deep. Deeper forms are not read.
pub const MAX_FORM_DEPTH: usize = 8;

/// Most forms drawn over all pages, each time counted (a logo on every page counts once a page).
pub const MAX_FORMS: usize = 10_000;

/// Most distinct fonts whose encoding is decoded (a `/ToUnicode` map is parsed once per font).
pub const MAX_FONTS: usize = 200;

/// Most bytes one font's `/ToUnicode` map may decompress to.
pub const MAX_FONT_MAP_BYTES: usize = 1024 * 1024;

/// Most bytes of text read, before normalisation: as for a page, [`guard::MAX_TEXT_BYTES`].
pub const MAX_TEXT_BYTES: usize = guard::MAX_TEXT_BYTES;

/// A number in a `TJ` array below this (in thousandths of a text unit) moves the text far
/// enough to the right to separate two words; kerning moves it less.
const WORD_GAP: f32 = -100.0;

// Why a PDF's text was not read (it is then compared by its bytes), as the detail says it.
pub const NO_TEXT: &str = "no extractable text (scanned images?)";
pub const ENCRYPTED: &str = "encrypted";
pub const TOO_COMPLEX: &str = "too complex to read (objects over the load limit)";
pub const OVERLAPPING_OBJECTS: &str = "an object stream's objects overlap";
pub const UNREADABLE: &str = "not a readable PDF";
pub const READER_FAILED: &str = "the PDF reader failed on it";
pub const TOO_MANY_PAGES: &str = "more than 500 pages";
pub const TOO_MANY_FONTS: &str = "more than 200 fonts";
pub const TOO_MANY_FORMS: &str = "more than 10000 forms drawn";
pub const TOO_LARGE_STREAM: &str = "a stream decompresses to more than its size limit";
pub const TOO_MUCH_CONTENT: &str = "more than 32 MiB of page content";
pub const TOO_MUCH_TEXT: &str = "more than 2 MiB of text";

/// What was read of a PDF: its title (from the document information) and one block of text per
/// page, not yet normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub title: Option<String>,
    pub pages: Vec<String>,
}

/// Reads a PDF's title and text, or says why it could not. Never panics, whatever the bytes:
/// a panic inside the parser is caught and reported as [`READER_FAILED`].
pub fn read(body: &[u8]) -> Result<Text, &'static str> {
    let head = &body[..body.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(UNREADABLE);
    }
    if names_encrypt(body) {
        // lopdf loads an encrypted file its own way, without the screen: it is not read.
        return Err(ENCRYPTED);
    }
    match catch_unwind(AssertUnwindSafe(|| read_unguarded(body))) {
        Ok(read) => read,
        Err(payload) => Err(payload
            .downcast_ref::<Stop>()
            .map_or(READER_FAILED, |s| s.0)),
    }
}

fn read_unguarded(body: &[u8]) -> Result<Text, &'static str> {
    let options = LoadOptions {
        max_decompressed_size: Some(MAX_OBJECT_STREAM_BYTES),
        filter: Some(screen),
        ..LoadOptions::default()
    };
    LOAD_LEFT.set(MAX_LOAD_BYTES);
    let doc = Document::load_mem_with_options(body, options).map_err(|e| match e {
        lopdf::Error::Decompress(_) => TOO_LARGE_STREAM,
        _ => UNREADABLE,
    })?;
    if doc.is_encrypted() {
        // Whatever [`names_encrypt`] missed: its strings and streams are ciphertext.
        return Err(ENCRYPTED);
    }
    let mut reader = Reader {
        doc: &doc,
        fonts: HashMap::new(),
        content_left: MAX_CONTENT_BYTES,
        forms_left: MAX_FORMS,
        text_bytes: 0,
    };
    let mut pages = Vec::new();
    for (n, page) in doc.page_iter().enumerate() {
        if n == MAX_PAGES {
            return Err(TOO_MANY_PAGES);
        }
        pages.push(reader.page(page)?);
    }
    if pages.iter().all(|p| p.trim().is_empty()) {
        return Err(NO_TEXT);
    }
    Ok(Text {
        title: title(&doc),
        pages,
    })
}

/// Whether the file names `/Encrypt` anywhere (a name may spell a letter `#xx`), as the trailer
/// of an encrypted file does.
fn names_encrypt(body: &[u8]) -> bool {
    body.split(|&b| b == b'/').skip(1).any(|name| {
        let end = name
            .iter()
            .position(|b| b.is_ascii_whitespace() || b"/[]<>(){}%".contains(b))
            .unwrap_or(name.len());
        let name = &name[..end];
        if !name.contains(&b'#') {
            return name == b"Encrypt";
        }
        super::hex_unescaped(name, b'#') == b"Encrypt"
    })
}

thread_local! {
    /// What the objects of the file being loaded on this thread may still weigh. lopdf calls
    /// [`screen`] on the thread that loads (its `rayon` feature is off).
    static LOAD_LEFT: Cell<usize> = const { Cell::new(0) };
}

/// Why [`screen`] stopped a load: unwound to [`read`] without the panic hook (no message).
struct Stop(&'static str);

fn stop(why: &'static str) -> ! {
    resume_unwind(Box::new(Stop(why)))
}

/// Called by lopdf on every object as the file loads: charges its weight (and an object
/// stream's, which it first checks) to [`LOAD_LEFT`], and stops the load when it is spent.
fn screen(id: ObjectId, object: &mut Object) -> Option<(ObjectId, Object)> {
    let mut charge = weight(object);
    if let Object::Stream(stream) = object
        && stream.dict.has_type(b"ObjStm")
    {
        charge += object_stream(stream).unwrap_or_else(|why| stop(why));
    }
    let left = LOAD_LEFT.get();
    if charge > left {
        stop(TOO_COMPLEX);
    }
    LOAD_LEFT.set(left - charge);
    // lopdf keeps the object it passed for a file's own objects (streams among them), and the
    // one returned for the members of an object stream (never streams).
    let kept = match object {
        Object::Stream(_) => Object::Null,
        other => other.clone(),
    };
    Some((id, kept))
}

/// About the memory an object takes (see [`MAX_LOAD_BYTES`]).
fn weight(object: &Object) -> usize {
    const ITEM: usize = std::mem::size_of::<Object>();
    let dictionary = |dict: &Dictionary| -> usize {
        dict.iter()
            .map(|(key, value)| key.len() + weight(value))
            .sum()
    };
    ITEM + match object {
        Object::String(bytes, _) | Object::Name(bytes) => bytes.len(),
        Object::Array(items) => items.iter().map(weight).sum(),
        Object::Dictionary(dict) => dictionary(dict),
        Object::Stream(stream) => dictionary(&stream.dict) + stream.content.len(),
        _ => 0,
    }
}

/// Checks that an object stream holds its objects one after another, each whole before the
/// next begins, so that lopdf, which parses each from its offset to wherever it ends, parses
/// every byte once; returns its decompressed size. The index is read as lopdf reads it.
fn object_stream(stream: &Stream) -> Result<usize, &'static str> {
    let content = stream
        .get_plain_content_with_limit(MAX_OBJECT_STREAM_BYTES)
        .map_err(|_| TOO_LARGE_STREAM)?;
    let first = stream.dict.get(b"First").and_then(Object::as_i64);
    let Some(first) = first.ok().and_then(|f| usize::try_from(f).ok()) else {
        return Ok(content.len());
    };
    let Some(index) = content
        .get(..first)
        .and_then(|i| std::str::from_utf8(i).ok())
    else {
        return Ok(content.len());
    };
    let numbers: Vec<Option<u32>> = index
        .split(['\r', '\n'])
        .flat_map(|line| {
            line.split('%')
                .next()
                .unwrap_or_default()
                .split_whitespace()
        })
        .map(|number| number.parse().ok())
        .collect();
    let entries: Vec<(u32, usize)> = numbers
        .chunks_exact(2)
        .filter_map(|pair| Some((pair[0]?, first + pair[1]? as usize)))
        .filter(|&(_, offset)| offset < content.len())
        .collect();
    for (i, &(id, offset)) in entries.iter().enumerate() {
        let end = entries.get(i + 1).map_or(content.len(), |&(_, next)| next);
        if end <= offset {
            return Err(OVERLAPPING_OBJECTS);
        }
        let header = format!("{id} 0 ");
        let mut alone = header.clone().into_bytes();
        alone.extend_from_slice(&content[offset..end]);
        let mut dict = Dictionary::new();
        dict.set("Type", Object::Name(b"ObjStm".to_vec()));
        dict.set("N", 1);
        dict.set("First", header.len() as i64);
        let parsed =
            ObjectStream::new(&Stream::new(dict, alone)).map_err(|_| OVERLAPPING_OBJECTS)?;
        if parsed.objects.len() != 1 {
            return Err(OVERLAPPING_OBJECTS);
        }
    }
    Ok(content.len())
}

/// The document information's `/Title`, normalised and cut as an HTML title is.
fn title(doc: &Document) -> Option<String> {
    let info = doc.trailer.get_deref(b"Info", doc).ok()?.as_dict().ok()?;
    let title = lopdf::decode_text_string(info.get_deref(b"Title", doc).ok()?).ok()?;
    let mut title = normalize::inline(&title);
    guard::truncate_chars(&mut title, guard::MAX_TITLE_CHARS);
    (!title.is_empty()).then_some(title)
}

/// The state of one PDF's reading, shared by its pages.
struct Reader<'a> {
    doc: &'a Document,
    /// Each font's encoding, by the font dictionary's address in `doc` (so a font that many
    /// pages share is decoded once); `None` when it could not be decoded.
    fonts: HashMap<*const Dictionary, Option<Encoding<'a>>>,
    content_left: usize,
    forms_left: usize,
    text_bytes: usize,
}

/// The resource dictionaries a content stream names its fonts and forms in, nearest first.
type Scope<'a> = Vec<&'a Dictionary>;

impl<'a> Reader<'a> {
    /// The text of one page.
    fn page(&mut self, page: lopdf::ObjectId) -> Result<String, &'static str> {
        let doc = self.doc;
        let (direct, ids) = doc.get_page_resources(page).unwrap_or_default();
        let scope: Scope<'a> = direct
            .into_iter()
            .chain(ids.iter().filter_map(|id| doc.get_dictionary(*id).ok()))
            .collect();
        let limit = self.content_left.min(MAX_STREAM_BYTES);
        let data = doc
            .get_page_content_with_limit(page, limit)
            .map_err(|_| over(limit))?;
        // lopdf ends each of a page's streams with a line feed, which may pass the limit.
        self.content_left = self.content_left.saturating_sub(data.len());
        let mut text = String::new();
        self.run(&data, &scope, 0, None, &mut text)?;
        self.text_bytes += text.len();
        Ok(text)
    }

    /// Appends the text that a content stream shows (`data`, naming its resources in `scope`)
    /// to `text`: its text operators' strings, decoded by their fonts, with a line break where
    /// the text moves to a new line and a space where it jumps to the right, and the text of
    /// the forms it draws (which start with the font of the stream that draws them). A stream
    /// that does not parse is read as far as it does.
    fn run(
        &mut self,
        data: &[u8],
        scope: &[&'a Dictionary],
        depth: usize,
        mut font: Option<*const Dictionary>,
        text: &mut String,
    ) -> Result<(), &'static str> {
        // What each name means here, looked up once: a stream may name a font or a form in
        // every other operation, and the scope may be a hundred dictionaries long.
        let mut fonts: HashMap<Vec<u8>, Option<*const Dictionary>> = HashMap::new();
        let mut forms: HashMap<Vec<u8>, Option<&'a Stream>> = HashMap::new();
        for op in Content::decode_iter(data).map_while(Result::ok) {
            let operands = op.operands.as_slice();
            let encoding = font
                .and_then(|key| self.fonts.get(&key))
                .and_then(Option::as_ref);
            match op.operator.as_str() {
                "Tf" => {
                    let name = name(operands);
                    font = match fonts.get(name) {
                        Some(&known) => known,
                        None => {
                            let found = self.font(scope, name)?;
                            fonts.insert(name.to_vec(), found);
                            found
                        }
                    };
                }
                "Tj" => show(text, encoding, operands),
                "TJ" => {
                    let items = match operands.first() {
                        Some(Object::Array(items)) => items.as_slice(),
                        _ => &[],
                    };
                    for item in items {
                        if let Object::String(..) = item {
                            show(text, encoding, std::slice::from_ref(item));
                        } else if item.as_float().is_ok_and(|n| n < WORD_GAP) {
                            space(text);
                        }
                    }
                }
                "'" => {
                    new_line(text);
                    show(text, encoding, operands);
                }
                "\"" => {
                    new_line(text);
                    show(text, encoding, operands.get(2..).unwrap_or_default());
                }
                "T*" | "Tm" | "ET" => new_line(text),
                "Td" | "TD" => {
                    let moves = |i: usize| {
                        operands
                            .get(i)
                            .and_then(|n| n.as_float().ok())
                            .is_some_and(|n| n != 0.0)
                    };
                    if moves(1) {
                        new_line(text);
                    } else if moves(0) {
                        space(text);
                    }
                }
                "Do" if depth < MAX_FORM_DEPTH => {
                    let name = name(operands);
                    let form = *forms
                        .entry(name.to_vec())
                        .or_insert_with(|| self.form(scope, name));
                    if let Some(form) = form {
                        if self.forms_left == 0 {
                            return Err(TOO_MANY_FORMS);
                        }
                        self.forms_left -= 1;
                        let limit = self.content_left.min(MAX_STREAM_BYTES);
                        let data = match form.decompressed_content_with_limit(limit) {
                            Ok(data) => data,
                            Err(lopdf::Error::Decompress(_)) => return Err(over(limit)),
                            // Not compressed, or in a way lopdf does not decode.
                            Err(_) if form.content.len() <= limit => form.content.clone(),
                            Err(_) => return Err(over(limit)),
                        };
                        self.content_left = self.content_left.saturating_sub(data.len());
                        // A form without resources of its own uses the page's.
                        let own = form.dict.get_deref(b"Resources", self.doc);
                        let inner: Scope<'a> = own
                            .and_then(Object::as_dict)
                            .into_iter()
                            .chain(scope.iter().copied())
                            .collect();
                        self.run(&data, &inner, depth + 1, font, text)?;
                    }
                }
                _ => {}
            }
            if self.text_bytes + text.len() > MAX_TEXT_BYTES {
                return Err(TOO_MUCH_TEXT);
            }
        }
        Ok(())
    }

    /// The font that `name` names in `scope`, its encoding decoded once; `None` when there is
    /// no such font.
    fn font(
        &mut self,
        scope: &[&'a Dictionary],
        name: &[u8],
    ) -> Result<Option<*const Dictionary>, &'static str> {
        let Some(font) = resource(self.doc, scope, b"Font", name).and_then(|f| f.as_dict().ok())
        else {
            return Ok(None);
        };
        let key: *const Dictionary = font;
        if !self.fonts.contains_key(&key) {
            if self.fonts.len() == MAX_FONTS {
                return Err(TOO_MANY_FONTS);
            }
            let encoding = match font.get_font_encoding_with_limit(self.doc, MAX_FONT_MAP_BYTES) {
                Ok(encoding) => Some(encoding),
                Err(lopdf::Error::Decompress(_)) => return Err(TOO_LARGE_STREAM),
                Err(_) => None,
            };
            self.fonts.insert(key, encoding);
        }
        Ok(Some(key))
    }

    /// The form XObject that `name` names in `scope` (images and the rest are not text).
    fn form(&self, scope: &[&'a Dictionary], name: &[u8]) -> Option<&'a Stream> {
        let stream = resource(self.doc, scope, b"XObject", name)?
            .as_stream()
            .ok()?;
        let subtype = stream.dict.get(b"Subtype").and_then(Object::as_name);
        (subtype.ok()? == b"Form").then_some(stream)
    }
}

/// The name that an operation's first operand gives (empty when it is not a name).
fn name(operands: &[Object]) -> &[u8] {
    operands
        .first()
        .and_then(|name| name.as_name().ok())
        .unwrap_or_default()
}

/// What `name` names in the `kind` (`/Font`, `/XObject`) of the nearest resources that have it.
fn resource<'a>(
    doc: &'a Document,
    scope: &[&'a Dictionary],
    kind: &[u8],
    name: &[u8],
) -> Option<&'a Object> {
    scope.iter().find_map(|resources| {
        let named = resources.get_deref(kind, doc).ok()?.as_dict().ok()?;
        named.get_deref(name, doc).ok()
    })
}

/// The reason for content over `limit`: the stream cap, or the cap on all content.
fn over(limit: usize) -> &'static str {
    if limit < MAX_STREAM_BYTES {
        TOO_MUCH_CONTENT
    } else {
        TOO_LARGE_STREAM
    }
}

/// Appends the strings among `operands`, decoded by `font`; nothing without a font.
fn show(text: &mut String, font: Option<&Encoding<'_>>, operands: &[Object]) {
    let Some(font) = font else { return };
    for operand in operands {
        if let Object::String(bytes, _) = operand {
            // An undecodable string is left out, the same way on every reading.
            let _ = font.write_to_string(bytes, text);
        }
    }
}

fn new_line(text: &mut String) {
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
}

fn space(text: &mut String) {
    if !text.is_empty() && !text.ends_with(char::is_whitespace) {
        text.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Watch;
    use crate::content::{Accepted, Page, PdfRead, compare, extract, fact_changes};
    use std::io::Write;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/fixtures/pdf/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn pdf(body: &[u8]) -> Page {
        extract(body, Some("application/pdf"), &Watch::default())
    }

    fn bytes_hash(body: &[u8]) -> String {
        blake3::hash(body).to_hex().to_string()
    }

    /// Asserts that `body` is compared by its bytes, for `why`.
    fn assert_bytes(body: &[u8], why: &'static str) {
        let page = pdf(body);
        assert_eq!(page.pdf, Some(PdfRead::Bytes(why)));
        assert!(page.is_document && page.text.is_empty() && page.title.is_none());
        assert_eq!(
            (page.fingerprint, page.length),
            (bytes_hash(body), body.len() as u64)
        );
    }

    /// A PDF of `objects` (numbered from 1, the first the catalog) with a correct xref table.
    fn build(objects: &[Vec<u8>]) -> Vec<u8> {
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, object) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend(object);
            out.extend(b"\nendobj\n");
        }
        let xref = out.len();
        let size = objects.len() + 1;
        out.extend(format!("xref\n0 {size}\n0000000000 65535 f \n").as_bytes());
        for offset in offsets {
            out.extend(format!("{offset:010} 00000 n \n").as_bytes());
        }
        out.extend(
            format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n")
                .as_bytes(),
        );
        out
    }

    fn stream(extra: &str, data: &[u8]) -> Vec<u8> {
        let mut out = format!("<< /Length {}{extra} >>\nstream\n", data.len()).into_bytes();
        out.extend(data);
        out.extend(b"\nendstream");
        out
    }

    fn deflated(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    /// A PDF of one page per content stream, each with `fonts` (`/F1 3 0 R` when empty).
    fn with_pages(contents: &[Vec<u8>], fonts: &str) -> Vec<u8> {
        let fonts = if fonts.is_empty() { "/F1 3 0 R" } else { fonts };
        let kids: Vec<String> = (0..contents.len())
            .map(|i| format!("{} 0 R", 4 + 2 * i))
            .collect();
        let mut objects = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            format!(
                "<< /Type /Pages /Kids [{}] /Count {} >>",
                kids.join(" "),
                contents.len()
            )
            .into_bytes(),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        ];
        for (i, content) in contents.iter().enumerate() {
            objects.push(
                format!(
                    "<< /Type /Page /Parent 2 0 R /Resources << /Font << {fonts} >> >> \
                     /Contents {} 0 R >>",
                    5 + 2 * i
                )
                .into_bytes(),
            );
            objects.push(content.clone());
        }
        build(&objects)
    }

    fn page_text(text: &str) -> Vec<u8> {
        stream(
            "",
            format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET").as_bytes(),
        )
    }

    #[test]
    fn a_pdf_regenerated_with_new_dates_and_ids_has_the_same_fingerprint() {
        let (old, new) = (fixture("guide.pdf"), fixture("guide-regenerated.pdf"));
        assert_ne!(old, new);
        let (old, new) = (pdf(&old), pdf(&new));
        assert_eq!(old.pdf, Some(PdfRead::Text));
        assert!(!old.is_document);
        assert_eq!(old.title.as_deref(), Some("Safety planning guide"));
        assert_eq!(
            old.text.lines().nth(1),
            Some("Our hotline is open day and night: call 1-800-555-0100.")
        );
        assert_eq!(
            old.facts,
            ["phone 1-800-555-0100", "email help@hotline.example"]
        );
        assert_eq!(old, new);
    }

    #[test]
    fn a_revised_pdf_differs_by_its_text() {
        let (old, new) = (
            pdf(&fixture("guide.pdf")),
            pdf(&fixture("guide-revised.pdf")),
        );
        assert_ne!(old.fingerprint, new.fingerprint);
        let accepted = Accepted {
            title: old.title.as_deref(),
            text: &old.text,
            length: old.length,
            is_document: false,
        };
        let change = compare(accepted, &new, &Watch::default());
        let similarity = change.similarity.expect("compared by text");
        assert!(similarity < 1.0, "{similarity}");
        assert!(
            change
                .diff_excerpt
                .contains(&"+Pack a bag with medicine, phone chargers and cash.".to_string()),
            "{:?}",
            change.diff_excerpt
        );
        assert!(
            change
                .diff_excerpt
                .contains(&"-Keep important papers and a spare key somewhere safe.".to_string())
        );
        assert_eq!(
            fact_changes(&old.facts, &new.facts),
            ["phone number 1-800-555-0100 became 1-800-555-0199"]
        );
    }

    #[test]
    fn watch_ignore_applies_to_a_pdf_text() {
        let watch = Watch {
            ignore: vec!["(?i)hotline is open".into()],
            ..Watch::default()
        };
        let page = extract(&fixture("guide.pdf"), Some("application/pdf"), &watch);
        assert_eq!(page.pdf, Some(PdfRead::Text));
        assert!(!page.text.contains("1-800-555-0100"), "{}", page.text);
        assert!(page.text.contains("A safety plan helps you"));
    }

    #[test]
    fn an_unlabelled_pdf_is_sniffed_and_read_as_text() {
        let body = fixture("guide.pdf");
        for content_type in [None, Some("application/octet-stream")] {
            let page = extract(&body, content_type, &Watch::default());
            assert_eq!(page.pdf, Some(PdfRead::Text), "{content_type:?}");
        }
    }

    #[test]
    fn a_pdf_without_text_is_compared_by_its_bytes() {
        let (old, new) = (fixture("scanned.pdf"), fixture("scanned-regenerated.pdf"));
        assert_bytes(&old, NO_TEXT);
        assert_bytes(&new, NO_TEXT);
        assert_ne!(pdf(&old).fingerprint, pdf(&new).fingerprint);
        let blank = with_pages(&[stream("", b"BT /F1 12 Tf ( ) Tj ET")], "");
        assert_bytes(&blank, NO_TEXT);
    }

    #[test]
    fn text_that_watch_ignore_removes_entirely_leaves_the_bytes() {
        let body = with_pages(&[page_text("Only line.")], "");
        let watch = Watch {
            ignore: vec!["Only".into()],
            ..Watch::default()
        };
        let page = extract(&body, Some("application/pdf"), &watch);
        assert_eq!(page.pdf, Some(PdfRead::Bytes(NO_TEXT)));
        assert_eq!(pdf(&body).text, "Only line.");
    }

    #[test]
    fn truncated_pdfs_never_panic_and_are_read_or_known_by_bytes() {
        let body = fixture("guide-regenerated.pdf");
        for cut in 0..body.len() {
            let part = &body[..cut];
            let page = pdf(part);
            match page.pdf {
                Some(PdfRead::Text) => assert!(!page.text.is_empty(), "{cut}"),
                Some(PdfRead::Bytes(_)) => assert_eq!(page.fingerprint, bytes_hash(part)),
                None => panic!("{cut}: not read as a PDF"),
            }
        }
        assert_bytes(&body[..40], UNREADABLE);
    }

    #[test]
    fn mangled_pdfs_never_panic_and_are_read_or_known_by_bytes() {
        let mut state = 0x5044_4621_u64;
        let mut random = move |below: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % below
        };
        let original = fixture("guide.pdf");
        let mut read = 0;
        for _ in 0..2_000 {
            let mut body = original.clone();
            for _ in 0..1 + random(8) {
                let at = random(body.len());
                match random(3) {
                    0 => body[at] = random(256) as u8,
                    1 => {
                        let delimiters = b"()[]<>/\\0R%";
                        body.insert(at, delimiters[random(delimiters.len())]);
                    }
                    _ => drop(body.remove(at)),
                }
            }
            let page = pdf(&body);
            match page.pdf {
                Some(PdfRead::Text) => read += 1,
                Some(PdfRead::Bytes(_)) => assert_eq!(page.fingerprint, bytes_hash(&body)),
                None => assert!(!body.starts_with(b"%PDF")),
            }
        }
        assert!(read > 1_000, "most small mangles still read: {read}");
    }

    #[test]
    fn garbage_after_the_header_is_unreadable() {
        let mut state = 0x2545_4446_u64;
        let mut body = b"%PDF-1.7\n".to_vec();
        body.extend((0..256 * 1024).map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 56) as u8
        }));
        assert_bytes(&body, UNREADABLE);
        assert_bytes(b"<html>not a pdf</html>", UNREADABLE);
    }

    #[test]
    fn objects_nested_a_million_deep_are_bounded() {
        for (open, close) in [("[", "]"), ("<< /A ", ">>")] {
            let deep = format!("{}{}", open.repeat(1_000_000), close.repeat(1_000_000));
            // Where the document needs it, the object is lost and the PDF has no text.
            let catalog = format!("<< /Type /Catalog /Pages 2 0 R /Deep {deep} >>");
            let pages = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec();
            let page = b"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 5 0 R >> >> \
                         /Contents 4 0 R >>"
                .to_vec();
            let content = stream("", b"BT /F1 12 Tf (Lost.) Tj ET");
            let font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec();
            let body = build(&[catalog.into_bytes(), pages, page, content, font]);
            assert_bytes(&body, NO_TEXT);
            // Elsewhere, it is skipped.
            let mut body = with_pages(&[page_text("Kept.")], "");
            body.extend(format!("9 0 obj\n{deep}\nendobj\n").as_bytes());
            let page = pdf(&body);
            assert_eq!(
                (page.pdf, page.text.as_str()),
                (Some(PdfRead::Text), "Kept.")
            );
        }
    }

    #[test]
    fn cross_reference_entries_pointing_at_one_large_object_stop_the_load() {
        // Parsed once per entry, the array would take gigabytes.
        let mut body = with_pages(&[page_text("Kept.")], "");
        let offset = body.len();
        body.extend(format!("9 0 obj\n[{}]\nendobj\n", "0 ".repeat(1_000_000)).as_bytes());
        let xref = body.len();
        let entries = 1_000;
        body.extend(format!("xref\n0 {}\n0000000000 65535 f \n", entries + 1).as_bytes());
        for _ in 0..entries {
            body.extend(format!("{offset:010} 00000 n \n").as_bytes());
        }
        body.extend(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                entries + 1
            )
            .as_bytes(),
        );
        assert_bytes(&body, TOO_COMPLEX);
    }

    /// A PDF whose one object stream (object 4) holds `members` at the offsets in `index`.
    fn with_object_stream(index: &str, members: &str) -> Vec<u8> {
        let content = format!("{index}{members}");
        let extra = format!(" /Type /ObjStm /N 1000 /First {}", index.len());
        build(&[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [] /Count 0 >>".to_vec(),
            b"null".to_vec(),
            stream(&extra, content.as_bytes()),
        ])
    }

    #[test]
    fn object_streams_with_overlapping_objects_are_not_loaded() {
        // A thousand entries inside one array of 100,000 numbers: each would be parsed from its
        // offset to the end of the array.
        let nested = format!("[{}[{}]]", "[".repeat(99), "0 ".repeat(100_000));
        let index: String = (0..100).map(|i| format!("{} {i} ", 10 + i)).collect();
        assert_bytes(&with_object_stream(&index, &nested), OVERLAPPING_OBJECTS);
        let index: String = (0..1000).map(|i| format!("{} 0 ", 10 + i)).collect();
        assert_bytes(&with_object_stream(&index, &nested), OVERLAPPING_OBJECTS);
        // One after another, they load.
        let page = pdf(&with_object_stream("10 0 11 4 ", "<<>>[1]"));
        assert_eq!(page.pdf, Some(PdfRead::Bytes(NO_TEXT)));
    }

    #[test]
    fn a_file_naming_encrypt_is_not_loaded() {
        for name in ["/Encrypt", "/Encr#79pt", "/#45ncrypt"] {
            let mut body = fixture("guide.pdf");
            let at = body.len() - 30;
            body.splice(at..at, format!("{name} 99 0 R ").bytes());
            assert_bytes(&body, ENCRYPTED);
        }
        assert_eq!(pdf(&fixture("guide.pdf")).pdf, Some(PdfRead::Text));
        assert!(!names_encrypt(b"/Encrypted /Encrypts /Encr#79pts"));
    }

    #[test]
    fn content_nested_deep_is_read_as_far_as_it_parses() {
        let mut content = b"BT /F1 12 Tf 72 720 Td (Kept.) Tj ET ".to_vec();
        content.extend("[".repeat(500_000).as_bytes());
        let page = pdf(&with_pages(&[stream("", &content)], ""));
        assert_eq!(
            (page.pdf, page.text.as_str()),
            (Some(PdfRead::Text), "Kept.")
        );
    }

    #[test]
    fn a_huge_object_is_read_within_the_caps() {
        let numbers = "1 ".repeat(1_000_000);
        let content = format!("BT /F1 12 Tf [{numbers}] TJ (After.) Tj ET");
        let page = pdf(&with_pages(&[stream("", content.as_bytes())], ""));
        assert_eq!(
            (page.pdf, page.text.as_str()),
            (Some(PdfRead::Text), "After.")
        );
        let long = "word ".repeat(MAX_TEXT_BYTES / 5 + 1);
        let body = with_pages(&[page_text(&long)], "");
        assert_bytes(&body, TOO_MUCH_TEXT);
    }

    #[test]
    fn a_decompression_bomb_is_over_the_limit() {
        let bomb = deflated(&vec![b' '; 64 * 1024 * 1024]);
        let body = with_pages(&[stream(" /Filter /FlateDecode", &bomb)], "");
        assert!(body.len() < 200 * 1024);
        assert_bytes(&body, TOO_LARGE_STREAM);
        let catalog = b"<< /Type /Catalog /Pages 2 0 R >>".to_vec();
        let pages = b"<< /Type /Pages /Kids [] /Count 0 >>".to_vec();
        let objects = stream(" /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", &bomb);
        assert_bytes(&build(&[catalog, pages, objects]), TOO_LARGE_STREAM);
    }

    #[test]
    fn page_content_is_capped_over_all_pages() {
        // Each page just under the stream limit, inflated from a few kilobytes.
        let filler = deflated(&vec![b' '; MAX_STREAM_BYTES - 1024]);
        let pages: Vec<Vec<u8>> = (0..MAX_CONTENT_BYTES / MAX_STREAM_BYTES + 1)
            .map(|_| stream(" /Filter /FlateDecode", &filler))
            .collect();
        assert_bytes(&with_pages(&pages, ""), TOO_MUCH_CONTENT);
    }

    #[test]
    fn pages_and_fonts_are_capped() {
        let pages = |n| vec![page_text("Page."); n];
        for (reason, cap) in [
            (TOO_MANY_PAGES, MAX_PAGES),
            (TOO_MANY_FONTS, MAX_FONTS),
            (TOO_MANY_FORMS, MAX_FORMS),
            (TOO_MUCH_CONTENT, MAX_CONTENT_BYTES >> 20),
            (TOO_MUCH_TEXT, MAX_TEXT_BYTES >> 20),
        ] {
            assert!(reason.contains(&format!(" {cap} ")), "{reason}");
        }
        let most = pdf(&with_pages(&pages(MAX_PAGES), ""));
        assert_eq!(most.pdf, Some(PdfRead::Text));
        assert_bytes(&with_pages(&pages(MAX_PAGES + 1), ""), TOO_MANY_PAGES);
        let font = |i| format!("/F{i} << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> ");
        let shown = |n| -> String {
            (0..n)
                .map(|i| format!("/F{i} 12 Tf (word{i} ) Tj "))
                .collect()
        };
        let fonts: String = (0..=MAX_FONTS).map(font).collect();
        let most = stream("", format!("BT {} ET", shown(MAX_FONTS)).as_bytes());
        assert_eq!(pdf(&with_pages(&[most], &fonts)).pdf, Some(PdfRead::Text));
        let more = stream("", format!("BT {} ET", shown(MAX_FONTS + 1)).as_bytes());
        assert_bytes(&with_pages(&[more], &fonts), TOO_MANY_FONTS);
    }

    /// A PDF whose one page draws form `/X` (object 6, drawing `form`, with `/F1` of its own).
    fn with_form(page: &[u8], form: &[u8]) -> Vec<u8> {
        build(&[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /Resources << /XObject << /X 6 0 R >> >> \
              /Contents 4 0 R >>"
                .to_vec(),
            stream("", page),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
            stream(
                " /Type /XObject /Subtype /Form /BBox [0 0 612 792] \
                 /Resources << /Font << /F1 5 0 R >> /XObject << /X 6 0 R >> >>",
                form,
            ),
        ])
    }

    #[test]
    fn text_drawn_in_a_form_is_read() {
        let body = with_form(b"q /X Do Q", b"BT /F1 12 Tf (Inside the form.) Tj ET");
        let page = pdf(&body);
        assert_eq!(
            (page.pdf, page.text.as_str()),
            (Some(PdfRead::Text), "Inside the form.")
        );
    }

    #[test]
    fn forms_drawing_themselves_are_bounded() {
        // Each level draws the form twice: 2 + 4 + … + 2^MAX_FORM_DEPTH forms, then no deeper.
        let twice = b"BT /F1 12 Tf (x) Tj ET /X Do /X Do";
        let page = pdf(&with_form(b"/X Do", twice));
        assert_eq!(page.pdf, Some(PdfRead::Text));
        assert_eq!(page.text.matches('x').count(), (1 << MAX_FORM_DEPTH) - 1);
        // A hundred times a level: over the count of forms drawn.
        let hundred = "/X Do ".repeat(100);
        assert_bytes(&with_form(b"/X Do", hundred.as_bytes()), TOO_MANY_FORMS);
    }
}
