//! Bounds what a hostile page can cost the HTML parser: a linear pre-pass over the decoded text
//! that rejects binary-looking bodies, flattens absurd nesting, cuts absurd tags and gives up on
//! pages with more markup than any real page has.
//!
//! html5ever is quadratic in the nesting depth, in the attributes of one tag and in the
//! formatting elements it must reopen at every paragraph, and scraper keeps a message for every
//! parse error, so a few megabytes can cost minutes or gigabytes. The pre-pass follows the HTML
//! tokenizer closely enough to know where every tag, comment and raw-text element starts and
//! ends, and the tree builder closely enough to know how deep each element lands (when unsure it
//! assumes deeper, never shallower). It hands the page over untouched unless a limit is crossed,
//! so a normal page parses to the same tree as it always did; asked to, it also leaves out the
//! text inside scripts, styles, `noscript` and `iframe` (often most of a page's bytes), which the
//! extraction never reads, so that the parser does not copy it into the tree only to be skipped.

use std::borrow::Cow;

/// Most bytes of decoded text read from a body; the rest is never decoded, parsed or compared.
/// Few pages are longer (those that are, such as a whole book on one page, are compared on
/// their first 2 MiB), and text this long costs at most a few copies of itself to normalise.
pub const MAX_TEXT_BYTES: usize = 2 * 1024 * 1024;

/// A body with more C0 control characters (other than tab, line feed, carriage return and form
/// feed) than this share of its characters, in percent, is binary, whatever its label says.
pub const MAX_CONTROL_PERCENT: usize = 10;

/// Deepest element nesting handed to the parser. Start tags that would land deeper are dropped,
/// with their end tags; their text is kept. Real pages nest a few dozen deep.
pub const MAX_DEPTH: usize = 512;

/// Most attributes kept on one tag; html5ever checks every attribute against all earlier ones.
pub const MAX_ATTRIBUTES: usize = 64;

/// Longest tag handed on, in bytes: attributes that end further into the tag (in practice only
/// inline `data:` images) are dropped, and a tag whose name alone is longer is dropped whole.
pub const MAX_TAG_BYTES: usize = 64 * 1024;

/// Most formatting elements (`<b>`, `<font>`, …) open at once; html5ever reopens every one of
/// them at each new paragraph, so more are dropped.
pub const MAX_FORMATTING: usize = 64;

/// Most markup items in a page before it is too complex to read. An item is what costs the
/// parser a node, an error message or a walk down a deep stack: an end tag, a start tag (two:
/// its element and the text after it; one more for every 64 elements open around either), four
/// attributes, a comment, a character reference, a stray `<` or malformed character, an element
/// the parser adds on its own. The densest real pages seen (highlighted source code) have about
/// 140,000 in their first [`MAX_TEXT_BYTES`]; at the limit, parsing and extracting take about
/// 0.1 s and 30 MiB.
pub const MAX_MARKUP: usize = 200_000;

/// Longest title (and first heading) kept, in characters, after normalisation.
pub const MAX_TITLE_CHARS: usize = 512;

/// Why a page with more than [`MAX_MARKUP`] items was not read.
pub const TOO_COMPLEX: &str = "page too complex to read; content not compared";

/// Attributes that cost the parser about as much as one tag.
const ATTRIBUTES_PER_ITEM: usize = 4;

/// Open elements the parser may walk past for one tag (looking for one in scope) at about the
/// cost of one tag.
const DEPTH_PER_ITEM: usize = 64;

/// What the pre-pass made of a page.
#[derive(Debug, PartialEq)]
pub enum Guarded<'a> {
    /// The text to parse: the page itself, unless a limit was crossed.
    Html(Cow<'a, str>),
    /// More than [`MAX_MARKUP`] items.
    TooComplex,
}

/// Whether more than [`MAX_CONTROL_PERCENT`] of the characters are control characters.
pub fn looks_binary(text: &str) -> bool {
    // Two simple counts, which the compiler vectorises, rather than one loop that it does not.
    let controls = text
        .bytes()
        .filter(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
        .count();
    // A character is at most four bytes: when the controls are few even against that many
    // characters, the characters need no counting.
    if controls * 100 <= text.len() / 4 * MAX_CONTROL_PERCENT {
        return false;
    }
    controls * 100 > text.chars().count() * MAX_CONTROL_PERCENT
}

/// What the pass does with the text inside `script`, `style`, `noscript` and `iframe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HiddenText {
    /// Hands it on.
    Keep,
    /// Leaves it out, keeping the (empty) elements, so the parser builds the same elements.
    /// Only for an extraction that skips these elements' text, which reads it only when a
    /// selector picks the element itself: elements in svg or MathML (where the name means
    /// something else) and elements with a `role` attribute (`[role=main]`) keep their text.
    Drop,
}

/// Prepares decoded HTML for the parser; see the module documentation.
pub fn html(text: &str, hidden: HiddenText) -> Guarded<'_> {
    let mut pass = Pass::new(text, hidden);
    match pass.run() {
        Ok(()) => Guarded::Html(pass.out.finish()),
        Err(OverBudget) => Guarded::TooComplex,
    }
}

/// Shortens `text` to at most `max` characters, without trailing whitespace.
pub fn truncate_chars(text: &mut String, max: usize) {
    if let Some((at, _)) = text.char_indices().nth(max) {
        text.truncate(at);
        text.truncate(text.trim_end().len());
    }
}

/// More than [`MAX_MARKUP`] items.
struct OverBudget;

/// The pre-pass's output: borrowed from the input until the first change.
struct Output<'a> {
    src: &'a str,
    /// The input before this offset is in `text` already (or unchanged, while `text` is `None`).
    copied: usize,
    text: Option<String>,
    /// Where the input stops counting.
    end: usize,
}

impl<'a> Output<'a> {
    /// Replaces `src[from..to]` with `with`; calls come in input order.
    fn replace(&mut self, from: usize, to: usize, with: &str) {
        let text = self
            .text
            .get_or_insert_with(|| String::with_capacity(self.src.len()));
        text.push_str(&self.src[self.copied..from]);
        text.push_str(with);
        self.copied = to;
    }

    /// Replaces each NUL in `src[from..to]` with U+FFFD, as the tokenizer would (with an error).
    fn nuls_to_replacement(&mut self, from: usize, to: usize) {
        let mut at = from;
        while let Some(nul) = find(self.src.as_bytes(), at, to, |b| b == 0) {
            self.replace(nul, nul + 1, "\u{FFFD}");
            at = nul + 1;
        }
    }

    /// Leaves out the input from `at` on.
    fn truncate(&mut self, at: usize) {
        self.end = at;
    }

    fn finish(self) -> Cow<'a, str> {
        match self.text {
            None => Cow::Borrowed(&self.src[..self.end]),
            Some(mut text) => {
                text.push_str(&self.src[self.copied..self.end]);
                Cow::Owned(text)
            }
        }
    }
}

/// The first offset in `bytes[from..to]` whose byte matches.
fn find(bytes: &[u8], from: usize, to: usize, matches: impl Fn(u8) -> bool) -> Option<usize> {
    bytes[from..to]
        .iter()
        .position(|&b| matches(b))
        .map(|i| from + i)
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0C | b'\r' | b' ')
}

/// An element name lowercased, when it is short enough to be one the parser knows by name.
struct Lower {
    buf: [u8; 16],
    len: usize,
}

impl Lower {
    fn new(name: &str) -> Lower {
        let mut lower = Lower {
            buf: [0; 16],
            len: 0,
        };
        if name.len() <= lower.buf.len() {
            lower.buf[..name.len()].copy_from_slice(name.as_bytes());
            lower.buf[..name.len()].make_ascii_lowercase();
            lower.len = name.len();
        }
        lower
    }

    fn get(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// The elements whose names the tree builder's rules single out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Other,
    /// `html`, `head`, `body`: created once, whatever the tags say.
    Root,
    P,
    Li,
    Dd,
    Dt,
    Heading,
    Button,
    Select,
    Option,
    Optgroup,
    A,
    Nobr,
    Form,
    Table,
    RowGroup,
    Tr,
    Cell,
    Caption,
    Colgroup,
    Col,
    Svg,
    Math,
    Plaintext,
}

const KINDS: usize = Kind::Plaintext as usize + 1;

/// How the tokenizer reads the content of an element: as text up to its end tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Raw {
    Script,
    Text,
    /// Text in which character references count (`title`, `textarea`).
    Rcdata,
}

const VOID: u32 = 1;
const FORMATTING: u32 = 1 << 1;
/// Bounds the formatting elements reopened inside it (a marker in the spec's words).
const MARKER: u32 = 1 << 2;
/// Bounds the default scope.
const SCOPE: u32 = 1 << 3;
const SPECIAL: u32 = 1 << 4;
const CLOSES_P: u32 = 1 << 5;
/// Closes any svg or MathML element open around it.
const BREAKOUT: u32 = 1 << 6;
/// Reopens formatting elements before it although it is special.
const REOPENS: u32 = 1 << 7;
/// An svg or MathML element.
const FOREIGN: u32 = 1 << 8;
/// A foreign element whose content is HTML again.
const INTEGRATION: u32 = 1 << 9;

fn kind_named(name: &[u8]) -> Kind {
    match name {
        b"html" | b"head" | b"body" => Kind::Root,
        b"p" => Kind::P,
        b"li" => Kind::Li,
        b"dd" => Kind::Dd,
        b"dt" => Kind::Dt,
        b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6" => Kind::Heading,
        b"button" => Kind::Button,
        b"select" => Kind::Select,
        b"option" => Kind::Option,
        b"optgroup" => Kind::Optgroup,
        b"a" => Kind::A,
        b"nobr" => Kind::Nobr,
        b"form" => Kind::Form,
        b"table" => Kind::Table,
        b"tbody" | b"thead" | b"tfoot" => Kind::RowGroup,
        b"tr" => Kind::Tr,
        b"td" | b"th" => Kind::Cell,
        b"caption" => Kind::Caption,
        b"colgroup" => Kind::Colgroup,
        b"col" => Kind::Col,
        b"svg" => Kind::Svg,
        b"math" => Kind::Math,
        b"plaintext" => Kind::Plaintext,
        _ => Kind::Other,
    }
}

fn raw(name: &[u8]) -> Option<Raw> {
    match name {
        b"script" => Some(Raw::Script),
        b"style" | b"xmp" | b"iframe" | b"noembed" | b"noframes" | b"noscript" => Some(Raw::Text),
        b"title" | b"textarea" => Some(Raw::Rcdata),
        _ => None,
    }
}

/// The tree builder's categories of an HTML element (html5ever's tag sets).
fn html_flags(name: &[u8]) -> u32 {
    let mut flags = 0;
    if matches!(
        name,
        b"area"
            | b"base"
            | b"basefont"
            | b"bgsound"
            | b"br"
            | b"col"
            | b"embed"
            | b"frame"
            | b"hr"
            | b"image"
            | b"img"
            | b"input"
            | b"keygen"
            | b"link"
            | b"meta"
            | b"param"
            | b"source"
            | b"track"
            | b"wbr"
    ) {
        flags |= VOID;
    }
    if matches!(
        name,
        b"a" | b"b"
            | b"big"
            | b"code"
            | b"em"
            | b"font"
            | b"i"
            | b"nobr"
            | b"s"
            | b"small"
            | b"strike"
            | b"strong"
            | b"tt"
            | b"u"
    ) {
        flags |= FORMATTING;
    }
    if matches!(
        name,
        b"applet" | b"caption" | b"marquee" | b"object" | b"td" | b"th" | b"template"
    ) {
        flags |= MARKER;
    }
    if matches!(
        name,
        b"applet"
            | b"caption"
            | b"html"
            | b"table"
            | b"td"
            | b"th"
            | b"marquee"
            | b"object"
            | b"select"
            | b"template"
    ) {
        flags |= SCOPE;
    }
    if matches!(
        name,
        b"address"
            | b"applet"
            | b"area"
            | b"article"
            | b"aside"
            | b"base"
            | b"basefont"
            | b"bgsound"
            | b"blockquote"
            | b"body"
            | b"br"
            | b"button"
            | b"caption"
            | b"center"
            | b"col"
            | b"colgroup"
            | b"dd"
            | b"details"
            | b"dir"
            | b"div"
            | b"dl"
            | b"dt"
            | b"embed"
            | b"fieldset"
            | b"figcaption"
            | b"figure"
            | b"footer"
            | b"form"
            | b"frame"
            | b"frameset"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"head"
            | b"header"
            | b"hgroup"
            | b"hr"
            | b"html"
            | b"iframe"
            | b"img"
            | b"input"
            | b"isindex"
            | b"li"
            | b"link"
            | b"listing"
            | b"main"
            | b"marquee"
            | b"menu"
            | b"meta"
            | b"nav"
            | b"noembed"
            | b"noframes"
            | b"noscript"
            | b"object"
            | b"ol"
            | b"p"
            | b"param"
            | b"plaintext"
            | b"pre"
            | b"script"
            | b"section"
            | b"select"
            | b"source"
            | b"style"
            | b"summary"
            | b"table"
            | b"tbody"
            | b"td"
            | b"template"
            | b"textarea"
            | b"tfoot"
            | b"th"
            | b"thead"
            | b"title"
            | b"tr"
            | b"track"
            | b"ul"
            | b"wbr"
            | b"xmp"
    ) {
        flags |= SPECIAL;
    }
    if matches!(
        name,
        b"address"
            | b"article"
            | b"aside"
            | b"blockquote"
            | b"center"
            | b"details"
            | b"dialog"
            | b"dir"
            | b"div"
            | b"dl"
            | b"fieldset"
            | b"figcaption"
            | b"figure"
            | b"footer"
            | b"header"
            | b"hgroup"
            | b"main"
            | b"menu"
            | b"nav"
            | b"ol"
            | b"p"
            | b"search"
            | b"section"
            | b"summary"
            | b"ul"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"pre"
            | b"listing"
            | b"form"
            | b"plaintext"
            | b"hr"
            | b"xmp"
            | b"li"
            | b"dd"
            | b"dt"
    ) {
        flags |= CLOSES_P;
    }
    if matches!(
        name,
        b"b" | b"big"
            | b"blockquote"
            | b"body"
            | b"br"
            | b"center"
            | b"code"
            | b"dd"
            | b"div"
            | b"dl"
            | b"dt"
            | b"em"
            | b"embed"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"head"
            | b"hr"
            | b"i"
            | b"img"
            | b"li"
            | b"listing"
            | b"menu"
            | b"meta"
            | b"nobr"
            | b"ol"
            | b"p"
            | b"pre"
            | b"ruby"
            | b"s"
            | b"small"
            | b"span"
            | b"strong"
            | b"strike"
            | b"sub"
            | b"sup"
            | b"table"
            | b"tt"
            | b"u"
            | b"ul"
            | b"var"
    ) {
        flags |= BREAKOUT;
    }
    if matches!(
        name,
        b"applet"
            | b"area"
            | b"br"
            | b"button"
            | b"embed"
            | b"img"
            | b"input"
            | b"keygen"
            | b"marquee"
            | b"object"
            | b"select"
            | b"wbr"
            | b"xmp"
    ) {
        flags |= REOPENS;
    }
    flags
}

/// The categories of an svg or MathML element.
fn foreign_flags(name: &[u8]) -> u32 {
    if matches!(
        name,
        b"foreignobject"
            | b"desc"
            | b"title"
            | b"mi"
            | b"mo"
            | b"mn"
            | b"ms"
            | b"mtext"
            | b"annotation-xml"
    ) {
        FOREIGN | INTEGRATION | SCOPE | SPECIAL
    } else {
        FOREIGN
    }
}

/// An element the parser has open, as far as the pass can tell.
struct Open<'a> {
    name: &'a str,
    kind: Kind,
    flags: u32,
    /// Tells apart elements of one name, for the active formatting list.
    id: u32,
}

impl Open<'_> {
    fn html(&self, kind: Kind) -> bool {
        self.kind == kind && self.flags & FOREIGN == 0
    }
}

/// An entry of the parser's list of active formatting elements.
struct Active<'a> {
    name: &'a str,
    /// The attributes as written, standing in for the parser's comparison of attribute sets.
    attributes: &'a str,
    /// The open element, or `None` once an end tag of an ancestor closed it: the parser then
    /// reopens it before the next text.
    element: Option<u32>,
}

/// A tag as the tokenizer reads it.
struct Tag<'a> {
    start: usize,
    /// Just past the closing `>`.
    end: usize,
    name: &'a str,
    attributes: usize,
    /// The attributes as written.
    attribute_text: &'a str,
    self_closing: bool,
    end_tag: bool,
    /// Items besides the tag itself: attributes, malformed characters, character references.
    items: usize,
}

struct Pass<'a> {
    src: &'a str,
    pos: usize,
    out: Output<'a>,
    items: usize,
    open: Vec<Open<'a>>,
    /// How many open elements of each kind (HTML only), to skip searches that cannot succeed.
    counts: [u32; KINDS],
    next_id: u32,
    /// Start tags dropped for depth whose end tags are still to come, innermost last, as runs
    /// of one name.
    dropped: Vec<(&'a str, usize)>,
    /// The parser's list of active formatting elements; `None` is a marker.
    active: Vec<Option<Active<'a>>>,
    /// Whether some entry of `active` is closed, to be reopened before the next text.
    detached: bool,
    /// Whether a start tag has been seen: a NUL before the first one changes how the parser
    /// starts the document, so it is left alone.
    started: bool,
    /// Whether a `<frameset>` would still replace the body: nothing but markup that belongs in
    /// the head has been seen (the parser's flag of that name, erring towards false).
    frameset_ok: bool,
    /// Whether the parser is in frameset mode, where it ignores all but framesets.
    in_frameset: bool,
    /// Attributes on `html`, `head` and `body` tags so far.
    root_attributes: usize,
    /// Where the current tag's first attributes are (scratch, reused across tags).
    spans: Vec<(usize, usize)>,
    hidden: HiddenText,
}

impl<'a> Pass<'a> {
    fn new(src: &'a str, hidden: HiddenText) -> Pass<'a> {
        Pass {
            src,
            pos: 0,
            out: Output {
                src,
                copied: 0,
                text: None,
                end: src.len(),
            },
            items: 0,
            open: Vec::new(),
            counts: [0; KINDS],
            next_id: 0,
            dropped: Vec::new(),
            active: Vec::new(),
            detached: false,
            started: false,
            frameset_ok: true,
            in_frameset: false,
            root_attributes: 0,
            spans: Vec::new(),
            hidden,
        }
    }

    fn spend(&mut self, items: usize) -> Result<(), OverBudget> {
        self.items += items;
        if self.items > MAX_MARKUP {
            Err(OverBudget)
        } else {
            Ok(())
        }
    }

    fn run(&mut self) -> Result<(), OverBudget> {
        let bytes = self.src.as_bytes();
        let len = bytes.len();
        while self.pos < len {
            let next = find(bytes, self.pos, len, |b| matches!(b, b'<' | b'&' | 0)).unwrap_or(len);
            if next > self.pos {
                if self.frameset_ok && bytes[self.pos..next].iter().any(|&b| !is_space(b)) {
                    self.frameset_ok = false;
                }
                self.text()?;
            }
            self.pos = next;
            match bytes.get(next) {
                None => break,
                Some(0) => self.nul()?,
                Some(b'&') => {
                    self.spend(1)?;
                    self.frameset_ok = false;
                    self.text()?;
                    self.pos += 1;
                }
                Some(_) => self.markup()?,
            }
        }
        Ok(())
    }

    /// Text in the data state: the parser reopens closed formatting elements around it.
    fn text(&mut self) -> Result<(), OverBudget> {
        if self.detached && !self.in_frameset {
            self.reopen()?;
        }
        Ok(())
    }

    fn in_foreign(&self) -> bool {
        self.open
            .last()
            .is_some_and(|e| e.flags & (FOREIGN | INTEGRATION) == FOREIGN)
    }

    /// A run of NULs in the data state, which the parser ignores (in svg and MathML it shows
    /// them as U+FFFD).
    fn nul(&mut self) -> Result<(), OverBudget> {
        let bytes = self.src.as_bytes();
        let end = find(bytes, self.pos, bytes.len(), |b| b != 0).unwrap_or(bytes.len());
        if self.in_foreign() {
            self.out.nuls_to_replacement(self.pos, end);
        } else if self.started {
            self.drop_text(self.pos, end);
        } else {
            self.spend(end - self.pos)?;
        }
        self.pos = end;
        Ok(())
    }

    /// Leaves `src[from..to]` out, so that what comes before and after cannot run together
    /// into a tag or a character reference that was not there.
    fn drop_text(&mut self, from: usize, to: usize) {
        let before = from
            .checked_sub(1)
            .map(|i| self.src.as_bytes()[i])
            .unwrap_or(b' ');
        let joins = matches!(before, b'<' | b'&' | b'#') || before.is_ascii_alphanumeric();
        self.out
            .replace(from, to, if joins { "<!---->" } else { "" });
    }

    /// At a `<` in the data state.
    fn markup(&mut self) -> Result<(), OverBudget> {
        let bytes = self.src.as_bytes();
        let len = bytes.len();
        let at = self.pos;
        match bytes.get(at + 1) {
            Some(b'!') => {
                self.spend(1)?;
                let rest = &bytes[at..];
                if rest.starts_with(b"<!--") {
                    self.comment()
                } else if self.open.last().is_some_and(|e| e.flags & FOREIGN != 0)
                    && rest.starts_with(b"<![CDATA[")
                {
                    let end = find_str(bytes, at + 9, b"]]>").map_or(len, |i| i + 3);
                    self.verbatim(end);
                    Ok(())
                } else {
                    self.bogus_comment();
                    Ok(())
                }
            }
            Some(b'/') => match bytes.get(at + 2) {
                Some(c) if c.is_ascii_alphabetic() => self.tag(true),
                Some(b'>') => {
                    self.spend(1)?;
                    self.pos += 3;
                    Ok(())
                }
                Some(_) => {
                    self.spend(1)?;
                    self.bogus_comment();
                    Ok(())
                }
                None => {
                    self.pos = len;
                    Ok(())
                }
            },
            Some(c) if c.is_ascii_alphabetic() => self.tag(false),
            Some(b'?') => {
                self.spend(1)?;
                self.bogus_comment();
                Ok(())
            }
            _ => {
                self.spend(1)?;
                self.frameset_ok = false;
                self.text()?;
                self.pos += 1;
                Ok(())
            }
        }
    }

    /// Keeps `src[pos..end]` as it is (NULs aside) and moves past it.
    fn verbatim(&mut self, end: usize) {
        self.out.nuls_to_replacement(self.pos, end);
        self.pos = end;
    }

    /// `<!…>`, `</…>` and `<?…>` that are not tags: a comment up to the next `>`.
    fn bogus_comment(&mut self) {
        let bytes = self.src.as_bytes();
        let end = find(bytes, self.pos, bytes.len(), |b| b == b'>').map_or(bytes.len(), |i| i + 1);
        self.verbatim(end);
    }

    /// `<!-- … -->`, which may also end at `--!>`, or at once as `<!-->` or `<!--->`.
    fn comment(&mut self) -> Result<(), OverBudget> {
        let bytes = self.src.as_bytes();
        let len = bytes.len();
        let body = self.pos + 4;
        let mut end = len;
        if bytes[body..].starts_with(b">") {
            end = body + 1;
        } else if bytes[body..].starts_with(b"->") {
            end = body + 2;
        } else {
            let mut i = body;
            let mut nested = 0;
            while let Some(at) = find(bytes, i, len, |b| b == b'-' || b == b'<') {
                if bytes[at] == b'<' {
                    if bytes[at..].starts_with(b"<!--") {
                        nested += 1;
                    }
                    i = at + 1;
                    continue;
                }
                let dashes_end = find(bytes, at, len, |b| b != b'-').unwrap_or(len);
                if dashes_end - at >= 2 {
                    if bytes[dashes_end..].starts_with(b">") {
                        end = dashes_end + 1;
                        break;
                    }
                    if bytes[dashes_end..].starts_with(b"!>") {
                        end = dashes_end + 2;
                        break;
                    }
                }
                i = dashes_end;
            }
            self.spend(nested)?;
        }
        self.verbatim(end);
        Ok(())
    }

    /// Reads the tag at `pos` as the tokenizer does; `None` when the text ends inside it.
    fn read_tag(&mut self, end_tag: bool) -> Option<Tag<'a>> {
        let src = self.src;
        let bytes = src.as_bytes();
        let len = bytes.len();
        let start = self.pos;
        let name_start = start + if end_tag { 2 } else { 1 };
        let name_end = find(bytes, name_start, len, |b| {
            is_space(b) || b == b'/' || b == b'>'
        })?;
        let mut i = name_end;
        let mut attributes = 0;
        let mut items = 0;
        let mut self_closing = false;
        let mut attribute_end = name_end;
        self.spans.clear();
        loop {
            i = find(bytes, i, len, |b| !is_space(b))?;
            match bytes[i] {
                b'>' => {
                    i += 1;
                    break;
                }
                b'/' => {
                    i += 1;
                    if bytes.get(i) == Some(&b'>') {
                        self_closing = true;
                        i += 1;
                        break;
                    }
                    if i >= len {
                        return None;
                    }
                    items += 1;
                    continue;
                }
                _ => {}
            }
            let attribute_start = i;
            if bytes[i] == b'=' {
                items += 1;
                i += 1;
            }
            i = find(bytes, i, len, |b| {
                is_space(b) || matches!(b, b'/' | b'>' | b'=')
            })?;
            items += bytes[attribute_start..i]
                .iter()
                .filter(|b| matches!(b, b'"' | b'\'' | b'<'))
                .count();
            let after_name = find(bytes, i, len, |b| !is_space(b))?;
            if bytes[after_name] == b'=' {
                i = find(bytes, after_name + 1, len, |b| !is_space(b))?;
                match bytes[i] {
                    quote @ (b'"' | b'\'') => {
                        let close = find(bytes, i + 1, len, |b| b == quote)?;
                        items += bytes[i + 1..close].iter().filter(|&&b| b == b'&').count();
                        i = close + 1;
                        if bytes
                            .get(i)
                            .is_some_and(|&b| !is_space(b) && b != b'/' && b != b'>')
                        {
                            items += 1;
                        }
                    }
                    b'>' => items += 1,
                    _ => {
                        let value_end = find(bytes, i, len, |b| is_space(b) || b == b'>')?;
                        items += bytes[i..value_end]
                            .iter()
                            .filter(|b| matches!(b, b'"' | b'\'' | b'<' | b'=' | b'`' | b'&'))
                            .count();
                        i = value_end;
                    }
                }
            }
            attributes += 1;
            attribute_end = i;
            if self.spans.len() < MAX_ATTRIBUTES {
                self.spans.push((attribute_start, i));
            }
        }
        items += attributes.min(MAX_ATTRIBUTES) / ATTRIBUTES_PER_ITEM;
        Some(Tag {
            start,
            end: i,
            name: &src[name_start..name_end],
            attributes,
            attribute_text: src[name_end..attribute_end].trim(),
            self_closing,
            end_tag,
            items,
        })
    }

    /// A start or end tag at `pos`.
    fn tag(&mut self, end_tag: bool) -> Result<(), OverBudget> {
        let Some(tag) = self.read_tag(end_tag) else {
            // The parser drops a tag the text ends in; dropping it here spares it the work.
            self.out.truncate(self.pos);
            self.pos = self.src.len();
            return Ok(());
        };
        // A start tag makes an element and, usually, the text node after it.
        let tag_items = if end_tag { 1 } else { 2 };
        self.spend(tag_items + tag.items + self.open.len() / DEPTH_PER_ITEM)?;
        self.pos = tag.end;
        if tag.name.len() > MAX_TAG_BYTES {
            self.drop_text(tag.start, tag.end);
            return Ok(());
        }
        if end_tag {
            self.end_tag(&tag)
        } else {
            self.started = true;
            self.start_tag(&tag)
        }
    }

    /// Hands the tag on, cut down to [`MAX_ATTRIBUTES`] and [`MAX_TAG_BYTES`] if need be.
    fn emit(&mut self, tag: &Tag<'_>) {
        self.emit_with(tag, MAX_ATTRIBUTES);
    }

    /// Hands the tag on with at most `keep` attributes, cut to [`MAX_TAG_BYTES`].
    fn emit_with(&mut self, tag: &Tag<'_>, keep: usize) {
        if tag.attributes <= keep && tag.end - tag.start <= MAX_TAG_BYTES {
            self.out.nuls_to_replacement(tag.start, tag.end);
            return;
        }
        let mut cut = String::from(if tag.end_tag { "</" } else { "<" });
        cut.push_str(tag.name);
        for &(from, to) in self.spans.iter().take(keep) {
            if to - tag.start > MAX_TAG_BYTES {
                break;
            }
            cut.push(' ');
            cut.push_str(&self.src[from..to]);
        }
        cut.push_str(if tag.self_closing { " />" } else { ">" });
        self.out
            .replace(tag.start, tag.end, &cut.replace('\0', "\u{FFFD}"));
    }

    fn start_tag(&mut self, tag: &Tag<'a>) -> Result<(), OverBudget> {
        let lower = Lower::new(tag.name);
        let name = lower.get();
        let flags = html_flags(name);
        if self.in_frameset {
            return self.frameset_start_tag(tag, name);
        }
        if name == b"frameset" {
            if !self.frameset_ok {
                // After anything but head markup the parser ignores it, bar cases this pass
                // does not follow; dropping it keeps the parser in the mode the pass assumes.
                self.drop_text(tag.start, tag.end);
                return Ok(());
            }
            self.pop_to(0);
            self.in_frameset = true;
            return self.insert(tag, Kind::Other, flags, 0, &[]);
        }
        if self.in_foreign() {
            if flags & BREAKOUT == 0 {
                let flags = foreign_flags(name);
                if tag.self_closing {
                    self.emit(tag);
                    return Ok(());
                }
                return self.insert(tag, Kind::Other, flags, self.open.len(), &[]);
            }
            let outside = self
                .open
                .iter()
                .rposition(|e| e.flags & (FOREIGN | INTEGRATION) != FOREIGN)
                .map_or(0, |i| i + 1);
            self.pop_to(outside);
        }
        if !matches!(
            name,
            b"html"
                | b"head"
                | b"base"
                | b"basefont"
                | b"bgsound"
                | b"link"
                | b"meta"
                | b"noframes"
                | b"noscript"
                | b"script"
                | b"style"
                | b"template"
                | b"title"
        ) {
            self.frameset_ok = false;
        }
        let kind = kind_named(name);
        match kind {
            Kind::Root => {
                // Each repeat adds its missing attributes to the first, one sorted insert
                // at a time.
                let keep = (2 * MAX_ATTRIBUTES)
                    .saturating_sub(self.root_attributes)
                    .min(MAX_ATTRIBUTES);
                self.root_attributes += tag.attributes.min(keep);
                self.emit_with(tag, keep);
                return Ok(());
            }
            Kind::Svg | Kind::Math => {
                self.text()?;
                if tag.self_closing {
                    self.emit(tag);
                    return Ok(());
                }
                return self.insert(tag, kind, FOREIGN, self.open.len(), &[]);
            }
            _ => {}
        }
        if let Some(raw) = raw(name) {
            return self.raw_text(tag, name, raw);
        }
        let mut cut = self.open.len();
        let mut implied: &[&'static str] = &[];
        if flags & CLOSES_P != 0
            && let Some(i) = self.in_scope(Kind::P, cut, &[Kind::Button])
        {
            cut = i;
        }
        match kind {
            Kind::Heading if cut > 0 && self.open[cut - 1].html(Kind::Heading) => cut -= 1,
            Kind::Li | Kind::Dd | Kind::Dt => {
                let closes: &[Kind] = if kind == Kind::Li {
                    &[Kind::Li]
                } else {
                    &[Kind::Dd, Kind::Dt]
                };
                if closes.iter().any(|&k| self.counts[k as usize] > 0) {
                    for i in (0..self.open.len()).rev() {
                        let e = &self.open[i];
                        if e.flags & FOREIGN == 0 && closes.contains(&e.kind) {
                            cut = cut.min(i);
                            break;
                        }
                        if e.flags & SPECIAL != 0
                            && !["address", "div", "p"]
                                .iter()
                                .any(|n| n.eq_ignore_ascii_case(e.name))
                        {
                            break;
                        }
                    }
                }
            }
            Kind::Button => {
                if let Some(i) = self.in_scope(Kind::Button, cut, &[]) {
                    cut = i;
                }
            }
            Kind::Select => {
                if let Some(i) = self.in_scope(Kind::Select, self.open.len(), &[]) {
                    // A select inside a select only closes the outer one.
                    self.pop_to(i);
                    self.emit(tag);
                    return Ok(());
                }
            }
            Kind::Option | Kind::Optgroup => {
                while cut > 0
                    && (self.open[cut - 1].html(Kind::Option)
                        || (kind == Kind::Optgroup && self.open[cut - 1].html(Kind::Optgroup)))
                {
                    cut -= 1;
                }
            }
            Kind::Table => {
                if let Some(t) = self.last_open(Kind::Table)
                    && self.open[t + 1..]
                        .iter()
                        .all(|e| e.html(Kind::RowGroup) || e.html(Kind::Tr))
                {
                    // A table straight inside a table (not in a cell) closes it.
                    cut = t;
                }
            }
            Kind::RowGroup | Kind::Tr | Kind::Cell | Kind::Caption | Kind::Colgroup => {
                let Some(t) = self.last_open(Kind::Table) else {
                    // Outside a table the parser ignores it.
                    self.emit(tag);
                    return Ok(());
                };
                let mut level = t + 1;
                if matches!(kind, Kind::Tr | Kind::Cell) {
                    if self.open.get(level).is_some_and(|e| e.html(Kind::RowGroup)) {
                        level += 1;
                    } else {
                        implied = &["tbody"];
                    }
                }
                if kind == Kind::Cell {
                    if level == t + 2 && self.open.get(level).is_some_and(|e| e.html(Kind::Tr)) {
                        level += 1;
                    } else if implied.is_empty() {
                        implied = &["tr"];
                    } else {
                        implied = &["tbody", "tr"];
                    }
                }
                cut = cut.min(level);
            }
            _ => {}
        }
        if flags & VOID != 0 {
            if cut < self.open.len() {
                self.pop_to(cut);
            }
            if flags & (SPECIAL | REOPENS) != SPECIAL {
                self.text()?;
            }
            self.emit(tag);
            return Ok(());
        }
        if kind == Kind::Plaintext {
            if cut < self.open.len() {
                self.pop_to(cut);
            }
            self.emit(tag);
            self.verbatim(self.src.len());
            return Ok(());
        }
        if flags & FORMATTING != 0 && !self.too_deep(cut, implied) {
            if self.active.len() >= MAX_FORMATTING {
                self.drop_text(tag.start, tag.end);
                return Ok(());
            }
            // An open <a> (or <nobr>) is closed first, as if by its end tag.
            if kind == Kind::A
                && let Some(i) = self.active_after_marker(tag.name)
            {
                let element = self.active[i].as_ref().and_then(|a| a.element);
                self.adopt(tag.name)?;
                if let Some(id) = element {
                    self.forget(id);
                }
            } else if kind == Kind::Nobr && self.in_scope(Kind::Nobr, cut, &[]).is_some() {
                self.adopt(tag.name)?;
            }
            cut = self.open.len();
        }
        self.insert(tag, kind, flags, cut, implied)
    }

    /// Whether a start tag that closes nothing would land deeper than [`MAX_DEPTH`].
    fn too_deep(&self, cut: usize, implied: &[&str]) -> bool {
        cut == self.open.len() && (!self.dropped.is_empty() || cut + implied.len() >= MAX_DEPTH)
    }

    /// Opens the element of a start tag after closing the elements from `cut` up and adding
    /// the `implied` ones, or drops the tag if it would land too deep.
    fn insert(
        &mut self,
        tag: &Tag<'a>,
        kind: Kind,
        flags: u32,
        cut: usize,
        implied: &[&'static str],
    ) -> Result<(), OverBudget> {
        if self.too_deep(cut, implied) {
            self.drop_text(tag.start, tag.end);
            match self.dropped.last_mut() {
                Some((name, n)) if name.eq_ignore_ascii_case(tag.name) => *n += 1,
                _ => self.dropped.push((tag.name, 1)),
            }
            return Ok(());
        }
        if cut < self.open.len() {
            self.pop_to(cut);
        }
        if flags & (SPECIAL | REOPENS) != SPECIAL && flags & FOREIGN == 0 {
            self.text()?;
        }
        for &name in implied {
            self.open_element(
                name,
                kind_named(name.as_bytes()),
                html_flags(name.as_bytes()),
            )?;
        }
        if flags & MARKER != 0 {
            self.active.push(None);
        }
        let id = self.push(tag.name, kind, flags);
        if flags & FORMATTING != 0 {
            self.remember(tag.name, tag.attribute_text, id);
        }
        self.emit(tag);
        Ok(())
    }

    /// Opens an element the parser adds without a tag.
    fn open_element(&mut self, name: &'a str, kind: Kind, flags: u32) -> Result<(), OverBudget> {
        self.spend(1)?;
        self.push(name, kind, flags);
        Ok(())
    }

    fn push(&mut self, name: &'a str, kind: Kind, flags: u32) -> u32 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        if flags & FOREIGN == 0 {
            self.counts[kind as usize] += 1;
        }
        self.open.push(Open {
            name,
            kind,
            flags,
            id,
        });
        id
    }

    /// Closes the open elements from `index` up, as an end tag or an implied end does.
    fn pop_to(&mut self, index: usize) {
        self.dropped.clear();
        while self.open.len() > index {
            let Some(e) = self.open.pop() else { break };
            if e.flags & FOREIGN == 0 {
                self.counts[e.kind as usize] -= 1;
            }
            if e.flags & MARKER != 0 {
                if let Some(marker) = self.active.iter().rposition(Option::is_none) {
                    self.active.truncate(marker);
                }
                self.detached = self.active.iter().flatten().any(|a| a.element.is_none());
            } else if e.flags & FORMATTING != 0
                && let Some(entry) = self
                    .active
                    .iter_mut()
                    .flatten()
                    .rfind(|a| a.element == Some(e.id))
            {
                entry.element = None;
                self.detached = true;
            }
        }
    }

    /// The innermost open HTML element of `kind` within the default scope (plus `extra`
    /// boundaries), searching from below `from`.
    fn in_scope(&self, kind: Kind, from: usize, extra: &[Kind]) -> Option<usize> {
        if self.counts[kind as usize] == 0 {
            return None;
        }
        for i in (0..from).rev() {
            let e = &self.open[i];
            if e.html(kind) {
                return Some(i);
            }
            if e.flags & SCOPE != 0 || extra.iter().any(|&k| e.html(k)) {
                return None;
            }
        }
        None
    }

    /// The innermost open HTML element of `kind`, whatever is open inside it.
    fn last_open(&self, kind: Kind) -> Option<usize> {
        if self.counts[kind as usize] == 0 {
            return None;
        }
        self.open.iter().rposition(|e| e.html(kind))
    }

    /// The entry for `name` in the active formatting list after its last marker.
    fn active_after_marker(&self, name: &str) -> Option<usize> {
        for (i, entry) in self.active.iter().enumerate().rev() {
            match entry {
                None => return None,
                Some(a) if a.name.eq_ignore_ascii_case(name) => return Some(i),
                Some(_) => {}
            }
        }
        None
    }

    /// Adds an opened formatting element to the active list; like the parser, keeps at most
    /// three entries with the same name and attributes after the last marker.
    fn remember(&mut self, name: &'a str, attributes: &'a str, id: u32) {
        let marker = self
            .active
            .iter()
            .rposition(Option::is_none)
            .map_or(0, |m| m + 1);
        let mut same = (marker..self.active.len()).filter(|&i| {
            self.active[i]
                .as_ref()
                .is_some_and(|a| a.name.eq_ignore_ascii_case(name) && a.attributes == attributes)
        });
        let first = same.next();
        if let Some(first) = first
            && same.count() >= 2
        {
            self.active.remove(first);
        }
        self.active.push(Some(Active {
            name,
            attributes,
            element: Some(id),
        }));
    }

    /// Takes element `id` off the active list and off the stack, wherever it is (an `<a>`
    /// inside an `<a>` that the end-tag rules left open).
    fn forget(&mut self, id: u32) {
        self.active
            .retain(|entry| entry.as_ref().is_none_or(|a| a.element != Some(id)));
        if let Some(at) = self.open.iter().rposition(|e| e.id == id) {
            let e = self.open.remove(at);
            self.counts[e.kind as usize] -= 1;
        }
    }

    /// Reopens the formatting elements that end tags of their ancestors closed, as the parser
    /// does before text and most start tags.
    fn reopen(&mut self) -> Result<(), OverBudget> {
        let marker = self
            .active
            .iter()
            .rposition(Option::is_none)
            .map_or(0, |m| m + 1);
        for i in marker..self.active.len() {
            let Some(entry) = &self.active[i] else {
                continue;
            };
            if entry.element.is_some() {
                continue;
            }
            let name = entry.name;
            let lower = Lower::new(name);
            self.spend(1)?;
            let id = self.push(name, kind_named(lower.get()), html_flags(lower.get()));
            if let Some(entry) = &mut self.active[i] {
                entry.element = Some(id);
            }
        }
        self.detached = false;
        Ok(())
    }

    /// An end tag of a formatting element: the adoption agency algorithm, in outline.
    fn adopt(&mut self, name: &str) -> Result<(), OverBudget> {
        let Some(i) = self.active_after_marker(name) else {
            self.any_other_end_tag(name);
            return Ok(());
        };
        let Some(id) = self.active[i].as_ref().and_then(|a| a.element) else {
            self.active.remove(i);
            return Ok(());
        };
        let Some(at) = self.open.iter().rposition(|e| e.id == id) else {
            self.active.remove(i);
            return Ok(());
        };
        let above = &self.open[at + 1..];
        if above.iter().any(|e| e.flags & SCOPE != 0) {
            return Ok(());
        }
        let blocks = above.iter().filter(|e| e.flags & SPECIAL != 0).count();
        if blocks > 0 {
            // The parser moves the element below each block in turn (at most eight), cloning
            // it and up to three formatting elements in between each time; the depth stays.
            let between = above.iter().filter(|e| e.flags & FORMATTING != 0).count();
            return self.spend(blocks.min(8) * (1 + between.min(3)));
        }
        self.active.remove(i);
        self.pop_to(at);
        Ok(())
    }

    /// An end tag the tree builder has no rule of its own for: closes the innermost element of
    /// that name, unless a special element is open inside it.
    fn any_other_end_tag(&mut self, name: &str) {
        for i in (0..self.open.len()).rev() {
            let e = &self.open[i];
            if e.flags & FOREIGN == 0 && e.name.eq_ignore_ascii_case(name) {
                self.pop_to(i);
                return;
            }
            if e.flags & SPECIAL != 0 {
                return;
            }
        }
    }

    fn end_tag(&mut self, tag: &Tag<'a>) -> Result<(), OverBudget> {
        if self.in_frameset && !tag.name.eq_ignore_ascii_case("frameset") {
            self.emit(tag);
            return Ok(());
        }
        if let Some((name, n)) = self.dropped.last_mut() {
            if name.eq_ignore_ascii_case(tag.name) {
                *n -= 1;
                if *n == 0 {
                    self.dropped.pop();
                }
                self.drop_text(tag.start, tag.end);
                return Ok(());
            }
            self.dropped.clear();
        }
        self.emit(tag);
        if self.open.last().is_some_and(|e| e.flags & FOREIGN != 0) {
            for i in (0..self.open.len()).rev() {
                let e = &self.open[i];
                if e.flags & FOREIGN == 0 {
                    break;
                }
                if e.name.eq_ignore_ascii_case(tag.name) {
                    self.pop_to(i);
                    return Ok(());
                }
            }
        }
        let lower = Lower::new(tag.name);
        let name = lower.get();
        let kind = kind_named(name);
        let flags = html_flags(name);
        let default_scope = |e: &Open<'_>| e.flags & SCOPE != 0;
        let found = match kind {
            // The parser keeps html and body open whatever the end tags say.
            Kind::Root => None,
            _ if flags & FORMATTING != 0 => {
                self.adopt(tag.name)?;
                None
            }
            Kind::Form => {
                // The parser takes the form off the stack and leaves what is open inside it.
                if let Some(i) = self.in_scope(Kind::Form, self.open.len(), &[]) {
                    let e = self.open.remove(i);
                    self.counts[e.kind as usize] -= 1;
                }
                None
            }
            Kind::P => self.in_scope(Kind::P, self.open.len(), &[Kind::Button]),
            Kind::Li => self.innermost(
                |e| e.html(Kind::Li),
                |e| {
                    e.flags & SCOPE != 0
                        || (e.flags & FOREIGN == 0
                            && (e.name.eq_ignore_ascii_case("ol")
                                || e.name.eq_ignore_ascii_case("ul")))
                },
            ),
            Kind::Heading => self.innermost(|e| e.html(Kind::Heading), default_scope),
            Kind::Table | Kind::RowGroup | Kind::Tr | Kind::Cell | Kind::Caption => {
                self.innermost(|e| e.html(kind), |e| e.html(Kind::Table))
            }
            // `</br>` is a `<br>`.
            _ if name == b"br" => None,
            _ if flags & SPECIAL != 0 => self.innermost(
                |e| e.flags & FOREIGN == 0 && e.name.eq_ignore_ascii_case(tag.name),
                default_scope,
            ),
            _ => {
                self.any_other_end_tag(tag.name);
                None
            }
        };
        if let Some(i) = found {
            self.pop_to(i);
        }
        Ok(())
    }

    /// The innermost open element matching `pred`, unless one matching `boundary` is open
    /// inside it.
    fn innermost(
        &self,
        pred: impl Fn(&Open<'_>) -> bool,
        boundary: impl Fn(&Open<'_>) -> bool,
    ) -> Option<usize> {
        for i in (0..self.open.len()).rev() {
            let e = &self.open[i];
            if pred(e) {
                return Some(i);
            }
            if boundary(e) {
                return None;
            }
        }
        None
    }

    /// A start tag once the parser is in frameset mode, where it keeps framesets and frames
    /// and ignores everything else.
    fn frameset_start_tag(&mut self, tag: &Tag<'a>, name: &[u8]) -> Result<(), OverBudget> {
        match name {
            b"frameset" => {
                let cut = self.open.len();
                self.insert(tag, Kind::Other, SPECIAL, cut, &[])
            }
            b"noframes" => self.raw_text(tag, name, Raw::Text),
            _ => {
                self.emit(tag);
                Ok(())
            }
        }
    }

    /// A `script`, `style`, `title`… start tag: its content is text up to its end tag.
    fn raw_text(&mut self, tag: &Tag<'a>, name: &[u8], raw: Raw) -> Result<(), OverBudget> {
        if name == b"xmp"
            && let Some(i) = self.in_scope(Kind::P, self.open.len(), &[Kind::Button])
        {
            self.pop_to(i);
        }
        self.emit(tag);
        let bytes = self.src.as_bytes();
        let end = if raw == Raw::Script {
            script_end(bytes, self.pos)
        } else {
            end_tag_at_or_after(bytes, self.pos, name)
        };
        let Some(end) = end else {
            self.verbatim(bytes.len());
            return Ok(());
        };
        if raw == Raw::Rcdata {
            let references = bytes[self.pos..end].iter().filter(|&&b| b == b'&').count();
            self.spend(references)?;
        }
        if end > self.pos && self.hides_text(tag, name) {
            self.out.replace(self.pos, end, "");
            self.pos = end;
        } else {
            self.verbatim(end);
        }
        let Some(close) = self.read_tag(true) else {
            self.out.truncate(self.pos);
            self.pos = self.src.len();
            return Ok(());
        };
        self.spend(1 + close.items)?;
        self.pos = close.end;
        self.emit(&close);
        Ok(())
    }

    /// Whether the text of the raw-text element of `tag` is left out; see [`HiddenText::Drop`].
    fn hides_text(&self, tag: &Tag<'_>, name: &[u8]) -> bool {
        self.hidden == HiddenText::Drop
            && matches!(name, b"script" | b"style" | b"noscript" | b"iframe")
            && !self.open.iter().any(|e| e.flags & FOREIGN != 0)
            && !tag
                .attribute_text
                .as_bytes()
                .windows(4)
                .any(|w| w.eq_ignore_ascii_case(b"role"))
    }
}

fn find_str(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

/// Whether `bytes[at..]` is `</name` followed by what ends a tag name.
fn is_end_tag(bytes: &[u8], at: usize, name: &[u8]) -> bool {
    let Some(rest) = bytes.get(at..) else {
        return false;
    };
    rest.len() > name.len() + 2
        && rest.starts_with(b"</")
        && rest[2..2 + name.len()].eq_ignore_ascii_case(name)
        && (is_space(rest[2 + name.len()]) || matches!(rest[2 + name.len()], b'/' | b'>'))
}

/// Where the end tag of a raw-text element starts.
fn end_tag_at_or_after(bytes: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut i = from;
    while let Some(at) = find(bytes, i, bytes.len(), |b| b == b'<') {
        if is_end_tag(bytes, at, name) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// Where a script's end tag starts, past `<!--` … `-->` sections that hide `<script>` and
/// `</script>` from the tokenizer.
fn script_end(bytes: &[u8], from: usize) -> Option<usize> {
    #[derive(PartialEq)]
    enum State {
        Data,
        Escaped,
        DoubleEscaped,
    }
    let len = bytes.len();
    let mut state = State::Data;
    let mut dashes = 0;
    let mut i = from;
    while i < len {
        if state == State::Data {
            let at = find(bytes, i, len, |b| b == b'<')?;
            if is_end_tag(bytes, at, b"script") {
                return Some(at);
            }
            if bytes[at..].starts_with(b"<!--") {
                state = State::Escaped;
                dashes = 2;
                i = at + 4;
            } else {
                i = at + 1;
            }
            continue;
        }
        match bytes[i] {
            b'-' => {
                dashes += 1;
                i += 1;
                continue;
            }
            b'>' if dashes >= 2 => {
                state = State::Data;
                dashes = 0;
                i += 1;
                continue;
            }
            b'<' => {
                if is_end_tag(bytes, i, b"script") {
                    if state == State::Escaped {
                        return Some(i);
                    }
                    state = State::Escaped;
                    i += 8;
                    dashes = 0;
                    continue;
                }
                if state == State::Escaped {
                    let rest = &bytes[i + 1..];
                    if rest.len() > 6
                        && rest[..6].eq_ignore_ascii_case(b"script")
                        && (is_space(rest[6]) || matches!(rest[6], b'/' | b'>'))
                    {
                        state = State::DoubleEscaped;
                        i += 7;
                        dashes = 0;
                        continue;
                    }
                }
            }
            _ => {}
        }
        dashes = 0;
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn untouched(text: &str) -> bool {
        matches!(html(text, HiddenText::Keep), Guarded::Html(Cow::Borrowed(out)) if out == text)
    }

    fn guarded(text: &str) -> String {
        match html(text, HiddenText::Keep) {
            Guarded::Html(out) => out.into_owned(),
            Guarded::TooComplex => panic!("too complex"),
        }
    }

    #[test]
    fn fixture_pages_pass_untouched() {
        for page in [
            include_str!("../../tests/fixtures/pages/collapsed.html"),
            include_str!("../../tests/fixtures/pages/guide-noise.html"),
            include_str!("../../tests/fixtures/pages/guide-rewritten.html"),
            include_str!("../../tests/fixtures/pages/guide.html"),
            include_str!("../../tests/fixtures/pages/home.html"),
            include_str!("../../tests/fixtures/pages/not-found.html"),
        ] {
            assert!(untouched(page), "{page}");
        }
    }

    #[test]
    fn ordinary_sloppy_markup_passes_untouched() {
        let page = "<!DOCTYPE html><html><head><title>T &amp; t</title>\
            <script>if (a < b && c > d) { document.write('<div><div>'); }</script>\
            <style>p > a { color: red }</style></head><body>\
            <p>One<p>Two<ul><li>a<li>b</ul><dl><dt>t<dd>d</dl>\
            <table><tr><td>1<td>2<tr><td>3</table><select><option>x<option>y</select>\
            <b><i>misnested</b></i> <font size=2>old <a href=/x>link</a> \
            <svg viewBox=\"0 0 1 1\"><path d=\"M0 0\"/><title>icon</title></svg>\
            <!-- a comment with <div> --> <br/> 3 < 4 <textarea><p></textarea>";
        assert!(untouched(page));
    }

    #[test]
    fn implied_end_tags_do_not_count_as_nesting() {
        let page = [
            "<p>paragraph ".repeat(2 * MAX_DEPTH),
            format!("<ul>{}</ul>", "<li>item ".repeat(2 * MAX_DEPTH)),
            format!("<dl>{}</dl>", "<dt>term<dd>definition".repeat(MAX_DEPTH)),
            format!("<table>{}</table>", "<tr><td>a<td>b".repeat(2 * MAX_DEPTH)),
            format!("<select>{}</select>", "<option>o".repeat(2 * MAX_DEPTH)),
            "<h2>one<h3>two".repeat(MAX_DEPTH),
        ]
        .concat();
        assert!(untouched(&page));
    }

    #[test]
    fn tags_in_scripts_styles_comments_and_titles_are_not_nesting() {
        let inner = "<div>".repeat(MAX_DEPTH);
        let page = format!(
            "{outer}<script>{inner}</script><style>{inner}</style><!--{inner}-->\
             <title>{inner}</title><textarea>{inner}</textarea><noscript>{inner}</noscript>\
             <script><!--<script></script>{inner}</script>-->{inner_half}x",
            outer = "<div>".repeat(MAX_DEPTH / 2),
            inner_half = "<div>".repeat(MAX_DEPTH / 2 - 1),
        );
        assert!(untouched(&page));
    }

    #[test]
    fn hidden_text_is_left_out_when_asked_keeping_the_elements() {
        let page = "<head><script>if (a < b) { w('</div>'); }</script><style>p > a {}</style>\
                    <script><!--<script></script>--></script></head><body>\
                    <noscript><p>Enable scripts</p></noscript><iframe src=a>old</iframe><p>Text";
        assert_eq!(
            html(page, HiddenText::Drop),
            Guarded::Html(Cow::Owned(
                "<head><script></script><style></style><script></script></head><body>\
                 <noscript></noscript><iframe src=a></iframe><p>Text"
                    .to_string()
            ))
        );
    }

    #[test]
    fn hidden_text_is_kept_where_the_extraction_may_read_it() {
        for page in [
            "<script role=main>x</script>",
            "<svg><foreignObject><script>x</script></foreignObject></svg>",
            "<math><annotation-xml><style>x</style></annotation-xml></math>",
            "<xmp>x</xmp><noembed>x</noembed><title>x</title><textarea>x</textarea>",
            "<frameset><noframes>x</noframes></frameset>",
        ] {
            assert!(
                matches!(html(page, HiddenText::Drop), Guarded::Html(Cow::Borrowed(out)) if out == page),
                "{page}"
            );
        }
    }

    #[test]
    fn nesting_past_the_limit_is_flattened_keeping_the_text() {
        let depth = MAX_DEPTH + 1000;
        let page = format!(
            "{}deep{}after",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let out = guarded(&page);
        assert_eq!(out.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(out.matches("</div>").count(), MAX_DEPTH);
        assert!(out.contains("deep") && out.ends_with("after"));
    }

    #[test]
    fn two_hundred_thousand_nested_divs_are_too_complex() {
        assert_eq!(
            html(&"<div>".repeat(200_000), HiddenText::Keep),
            Guarded::TooComplex
        );
    }

    #[test]
    fn three_hundred_thousand_attributes_keep_the_first_64() {
        let mut page = String::from("<p");
        for i in 0..300_000 {
            page.push_str(&format!(" a{i}"));
        }
        page.push_str(">x</p>");
        let out = guarded(&page);
        let tag = &out[..out.find('>').expect("tag")];
        assert_eq!(tag.split(' ').count() - 1, MAX_ATTRIBUTES);
        assert!(tag.ends_with(&format!(" a{}", MAX_ATTRIBUTES - 1)));
        assert!(out.ends_with(">x</p>"));
    }

    #[test]
    fn attributes_past_the_tag_length_limit_are_dropped() {
        let image = format!("data:image/png;base64,{}", "A".repeat(MAX_TAG_BYTES));
        let out = guarded(&format!("<img alt=a src=\"{image}\" title=t><p>x</p>"));
        assert_eq!(out, "<img alt=a><p>x</p>");
    }

    #[test]
    fn tables_nested_thousands_deep_are_flattened() {
        let out = guarded(&format!("{}cell", "<table><tr><td>".repeat(3_000)));
        assert!(out.matches("<table>").count() <= MAX_DEPTH / 4);
        assert!(out.ends_with("cell"));
    }

    #[test]
    fn tables_nested_a_hundred_thousand_deep_are_too_complex() {
        let page = "<table><tr><td>".repeat(100_000);
        assert_eq!(html(&page, HiddenText::Keep), Guarded::TooComplex);
    }

    #[test]
    fn reopened_formatting_elements_count_towards_the_budget() {
        let bold: String = (0..MAX_FORMATTING).map(|i| format!("<b id={i}>")).collect();
        let page =
            |paragraphs: usize| format!("<div>{bold}</div>{}", "<p>x</p>".repeat(paragraphs));
        assert!(matches!(
            html(&page(100), HiddenText::Keep),
            Guarded::Html(_)
        ));
        assert_eq!(html(&page(10_000), HiddenText::Keep), Guarded::TooComplex);
    }

    #[test]
    fn formatting_elements_past_the_limit_are_dropped() {
        let page: String = (0..2 * MAX_FORMATTING)
            .map(|i| format!("<i id={i}>"))
            .collect();
        assert_eq!(guarded(&page).matches("<i ").count(), MAX_FORMATTING);
    }

    #[test]
    fn floods_of_stray_markup_are_too_complex() {
        for flood in ["<", "&#0;", "</>", "<!---->", "<p a a>"] {
            let page = flood.repeat(MAX_MARKUP + 1);
            assert_eq!(
                html(&page, HiddenText::Keep),
                Guarded::TooComplex,
                "{flood}"
            );
        }
    }

    #[test]
    fn nuls_leave_text_without_joining_markup() {
        assert_eq!(guarded("<p>one \0two</p>"), "<p>one two</p>");
        assert_eq!(
            guarded("<p>a\0b &\0amp; <\0b></p>"),
            "<p>a<!---->b &<!---->amp; <<!---->b></p>"
        );
        assert_eq!(
            guarded("<p title=\"\0\">x</p>"),
            "<p title=\"\u{FFFD}\">x</p>"
        );
        assert!(untouched("\0<!DOCTYPE html>"));
    }

    #[test]
    fn framesets_are_read_only_where_the_parser_takes_them() {
        let frames = "<html><head><title>t</title></head><frameset cols=\"1,2\">\
                      <frame src=a><frameset><frame src=b></frameset>\
                      <noframes><p>No frames</p></noframes></frameset></html>";
        assert!(untouched(frames));
        assert_eq!(
            guarded("<p>text</p><frameset><p>more"),
            "<p>text</p><p>more"
        );
    }

    #[test]
    fn repeated_html_and_body_tags_add_a_bounded_number_of_attributes() {
        let attributes = |from: usize| {
            (from..from + MAX_ATTRIBUTES)
                .map(|i| format!(" a{i}"))
                .collect::<String>()
        };
        let page: String = (0..10)
            .map(|i| format!("<body{}>", attributes(i * MAX_ATTRIBUTES)))
            .collect();
        let out = guarded(&page);
        assert_eq!(out.matches(' ').count(), 2 * MAX_ATTRIBUTES);
        assert!(out.ends_with("<body><body>"));
    }

    #[test]
    fn a_tag_cut_off_by_the_end_of_the_text_is_left_out() {
        assert!(matches!(
            html("<p>x</p><a href=\"/unterminated", HiddenText::Keep),
            Guarded::Html(Cow::Borrowed("<p>x</p>"))
        ));
    }

    #[test]
    fn control_characters_make_a_body_binary() {
        assert!(!looks_binary(
            "plain text\twith\r\ntabs\x0c and one \x01 control"
        ));
        assert!(looks_binary(
            "\x01\x02\x03 mostly controls \x1b\x1b\x1b\x1b\x1b"
        ));
        assert!(looks_binary(&"\0".repeat(1000)));
        assert!(!looks_binary(""));
    }

    #[test]
    fn truncates_on_a_character_boundary_without_trailing_space() {
        let mut text = String::from("café au lait");
        truncate_chars(&mut text, 5);
        assert_eq!(text, "café");
        let mut short = String::from("ok");
        truncate_chars(&mut short, 5);
        assert_eq!(short, "ok");
    }
}
