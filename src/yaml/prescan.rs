//! A pre-scan of a file's documents, so those of kinds no rule reads need not go through the
//! YAML scanner at all.
//!
//! Most bytes of a real manifest set are documents of kinds no rule reads beyond their
//! identity (CRDs above all), and scanning them was most of a run's time. [`documents`]
//! finds each document's range with memchr (`---` at column 0); [`kind_of`] takes a quick
//! look at its top-level `kind`; [`outline`] then checks, line by line, that a document lies
//! in a plain subset of block YAML: block mappings and sequences, plain keys, plain, quoted
//! and block scalars, `[]`, `{}` and flat flow lists of words; no anchor, alias, tag,
//! directive, tab, control character, nor a key set twice in any mapping. A document in that
//! subset is valid YAML for saphyr-parser too, so the caller may build what it keeps of it
//! from its top-level entries alone (see `crate::model::document`). Anything the check does
//! not know, it leaves to the loader: that document is parsed, and any error gets the
//! parser's own message, line and column.

use memchr::memchr;

/// One document of a file: `text[start..end]`, its body after its `---` line (if any).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DocumentRange {
    /// Where its text starts: its `---` line, or the end of the previous document.
    pub start: usize,
    /// Where its content starts (after its `---` line; `start` without one).
    pub body: usize,
    /// The next document's `---` line, or the end of the file.
    pub end: usize,
}

/// The documents of `text`, or `None` when the file has what the pre-scan does not read at
/// document level (`...`, a directive, text after `---` on its line): then the whole file
/// goes to the loader.
pub fn documents(text: &str) -> Option<Vec<DocumentRange>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    loop {
        let (body, end, next) = next_document(bytes, start)?;
        out.push(DocumentRange { start, body, end });
        match next {
            Some(next) => start = next,
            None => return Some(out),
        }
    }
}

/// The value of the first `kind:` at the start of a line: a quick look, so only documents
/// that may be left out are checked (the check reads the `kind` again, and decides).
pub fn kind_of(document: &str) -> Option<&str> {
    let bytes = document.as_bytes();
    let at = if bytes.starts_with(b"kind:") {
        0
    } else {
        memchr::memmem::find(bytes, b"\nkind:")? + 1
    };
    let end = memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
    let value = &document[at + "kind:".len()..end];
    Some(value.split(" #").next().unwrap_or("").trim())
}

/// Whether `bytes` holds no tab and no control character (line breaks aside), nor one of
/// the code points YAML reads apart: C1 controls and NEL (U+0080-U+009F), the line and
/// paragraph separators (U+2028, U+2029), a byte order mark, U+FFFE and U+FFFF. Each would
/// need more care than this check takes.
fn plain_characters(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c < 0x20 {
            if c != b'\n' && c != b'\r' {
                return false;
            }
        } else if c == 0x7f {
            return false;
        } else if c >= 0x80 {
            let next = bytes.get(i + 1).copied().unwrap_or(0);
            let after = bytes.get(i + 2).copied().unwrap_or(0);
            let apart = (c == 0xC2 && next < 0xA0)
                || (c == 0xE2 && next == 0x80 && matches!(after, 0xA8 | 0xA9))
                || (c == 0xEF && next == 0xBB && after == 0xBF)
                || (c == 0xEF && next == 0xBF && matches!(after, 0xBE | 0xBF));
            if apart {
                return false;
            }
        }
        i += 1;
    }
    true
}

/// The next document from `start`: where its body starts (after a `---` line), where it
/// ends (the next document marker or the end), and where the next one starts. `None` when
/// the file has what the pre-scan does not read at document level (`...`, a directive,
/// text after `---` on its line).
fn next_document(bytes: &[u8], start: usize) -> Option<(usize, usize, Option<usize>)> {
    let mut body = start;
    let mut line = start;
    let mut first = true;
    loop {
        let end = memchr(b'\n', &bytes[line..]).map_or(bytes.len(), |i| line + i);
        let text = &bytes[line..end];
        let marker = |m: &[u8]| {
            text.starts_with(m)
                && text
                    .get(3)
                    .is_none_or(|c| matches!(c, b' ' | b'\r' | b'\t'))
        };
        if text.starts_with(b"%") || marker(b"...") {
            return None;
        }
        if marker(b"---") {
            if !text[3..].iter().all(|c| matches!(c, b' ' | b'\r')) {
                return None;
            }
            if first {
                // The marker opens this document.
                body = (end + 1).min(bytes.len());
            } else {
                return Some((body, line, Some(line)));
            }
        } else if !is_blank_or_comment(text) {
            first = false;
        }
        if end >= bytes.len() {
            return Some((body, bytes.len(), None));
        }
        line = end + 1;
    }
}

fn is_blank_or_comment(line: &[u8]) -> bool {
    match line.iter().position(|&c| c != b' ' && c != b'\r') {
        None => true,
        Some(i) => line[i] == b'#',
    }
}

/// A checked document: its top-level entries and its `kind`.
pub struct Outline<'d> {
    /// The top-level `kind` when it is a plain one-line scalar.
    pub kind: Option<&'d str>,
    /// Top-level entries, in order.
    pub entries: Vec<TopEntry<'d>>,
}

/// A top-level entry of a checked document: its lines are `start..end` (comment lines
/// after it included).
pub struct TopEntry<'d> {
    pub key: &'d str,
    pub start: usize,
    pub end: usize,
    /// When the value is a block mapping: where its first key starts, and its keys.
    pub mapping: Option<(usize, Vec<&'d str>)>,
}

/// The outline of `document`, or `None` when it is not in the subset (or not a block
/// mapping at its root).
pub fn outline(document: &str) -> Option<Outline<'_>> {
    let bytes = document.as_bytes();
    if !plain_characters(bytes) {
        return None;
    }
    let mut checker = Checker::new(document);
    let mut line = 0;
    while line < bytes.len() {
        let end = memchr(b'\n', &bytes[line..]).map_or(bytes.len(), |i| line + i);
        checker.line(line, end)?;
        line = end + 1;
    }
    checker.finish()
}

/// Where the loader ends a collection that the next token after `at` closes: that token
/// (past blank and comment lines; the end when there is none), moved back over blanks and
/// line breaks.
pub fn collection_end(text: &str, at: usize) -> usize {
    trim_end(text, next_token(text, at))
}

/// Where the loader's next token after `at` starts: past blank and comment lines (the end
/// of the document when there is none).
fn next_token(document: &str, at: usize) -> usize {
    let bytes = document.as_bytes();
    let mut line = at;
    while line < bytes.len() {
        let end = memchr(b'\n', &bytes[line..]).map_or(bytes.len(), |i| line + i);
        if !is_blank_or_comment(&bytes[line..end]) {
            return line;
        }
        line = end + 1;
    }
    bytes.len()
}

/// `at` moved back over blanks and line breaks, as the loader ends spans.
fn trim_end(document: &str, at: usize) -> usize {
    document[..at]
        .trim_end_matches([' ', '\t', '\r', '\n'])
        .len()
}

#[derive(Debug)]
enum Frame<'d> {
    Map { indent: usize, keys: Vec<&'d str> },
    Seq { indent: usize },
}

impl Frame<'_> {
    fn indent(&self) -> usize {
        match self {
            Frame::Map { indent, .. } | Frame::Seq { indent } => *indent,
        }
    }
}

/// What the previous line left open.
#[derive(Debug, Clone, Copy)]
enum Pending {
    None,
    /// `key:` with nothing after it, the key at this indentation.
    Value(usize),
    /// `-` with nothing after it, at this indentation.
    Item(usize),
    /// A plain scalar that lines indented past this may continue.
    Plain(usize),
    /// A quoted scalar not closed yet; its lines must be indented past this.
    Quoted(u8, usize),
    /// A block scalar under a node at this indentation, its content's indentation once seen.
    Block(usize, Option<usize>),
}

struct Checker<'d> {
    text: &'d str,
    stack: Vec<Frame<'d>>,
    pending: Pending,
    kind: Option<&'d str>,
    /// Whether the line just read was the top-level `kind` (a plain scalar that goes on to
    /// the next line is not the word read).
    kind_line: bool,
    entries: Vec<TopEntry<'d>>,
}

/// Deepest nesting the check follows (the loader's limit is 255).
const MAX_DEPTH: usize = 64;

impl<'d> Checker<'d> {
    fn new(text: &'d str) -> Self {
        Checker {
            text,
            stack: Vec::new(),
            pending: Pending::None,
            kind: None,
            kind_line: false,
            entries: Vec::new(),
        }
    }

    fn line(&mut self, start: usize, end: usize) -> Option<()> {
        let text = self.text;
        let mut line = &text[start..end];
        if let Some(stripped) = line.strip_suffix('\r') {
            line = stripped;
        }
        if line.contains('\r') {
            return None;
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        let content = &line[indent..];
        let blank = content.is_empty();
        // Lines inside an open scalar.
        match self.pending {
            Pending::Block(parent, content_indent) => {
                if blank {
                    // A leading all-space line longer than the content's indentation is an
                    // error; spaces there are rare: leave them to the loader.
                    if content_indent.is_none() && !line.is_empty() {
                        return None;
                    }
                    return Some(());
                }
                if indent > parent {
                    match content_indent {
                        None => self.pending = Pending::Block(parent, Some(indent)),
                        Some(c) if indent < c => return None,
                        Some(_) => {}
                    }
                    return Some(());
                }
                // An empty block scalar: the loader's span of it starts at the next token,
                // past the end the check gives its mapping.
                content_indent?;
                self.pending = Pending::None;
            }
            Pending::Quoted(quote, min) => {
                if blank {
                    return Some(());
                }
                if indent <= min {
                    return None;
                }
                let rest = close_quoted(quote, content)?;
                if let Some(rest) = rest {
                    is_end_of_value(rest).then_some(())?;
                    self.pending = Pending::None;
                }
                return Some(());
            }
            Pending::Plain(min) => {
                if blank {
                    return Some(());
                }
                if content.starts_with('#') {
                    self.pending = Pending::None;
                    return Some(());
                }
                if indent > min {
                    if self.kind_line {
                        self.kind = None;
                    }
                    let (words, comment) = plain_line(content)?;
                    if !words || comment {
                        self.pending = Pending::None;
                    }
                    if !continuation_start(content) {
                        return None;
                    }
                    return Some(());
                }
                self.pending = Pending::None;
            }
            _ => {}
        }
        if blank || content.starts_with('#') {
            return Some(());
        }
        self.kind_line = false;
        if let Some(after_dash) = dash(content) {
            return self.item(start, indent, after_dash);
        }
        if indent == 0 && self.pending_empty_value() {
            return None;
        }
        if key_of(content).is_none() {
            // A scalar or flow value on the line after its key.
            return match self.pending {
                Pending::Value(key) if indent > key && !content.starts_with(['|', '>']) => {
                    self.pending = Pending::None;
                    self.value(content, key)
                }
                _ => None,
            };
        }
        self.key_line(start, indent, content, false)
    }

    /// Whether the last value read is empty (`key:` or `-` with nothing after it). The
    /// loader places such a null after the blanks that follow it, past the end the check
    /// gives the collections it closes, so one that a top-level key or the document's end
    /// closes is left to the loader.
    fn pending_empty_value(&self) -> bool {
        matches!(self.pending, Pending::Value(_) | Pending::Item(_))
    }

    /// A line `- ...` at `indent`.
    fn item(&mut self, start: usize, indent: usize, rest: &'d str) -> Option<()> {
        self.pop_above(indent)?;
        let opens = match self.pending {
            Pending::Value(key) => indent >= key,
            Pending::Item(dash) => indent > dash,
            _ => false,
        };
        match self.stack.last() {
            Some(Frame::Seq { indent: i }) if *i == indent && !opens => {}
            _ if opens => self.push(Frame::Seq { indent })?,
            _ => return None,
        }
        self.pending = Pending::None;
        let spaces = rest.len() - rest.trim_start_matches(' ').len();
        let after = &rest[spaces..];
        if after.is_empty() || after.starts_with('#') {
            if !after.is_empty() && spaces == 0 {
                return None;
            }
            self.pending = Pending::Item(indent);
            return Some(());
        }
        if spaces == 0 || dash(after).is_some() {
            return None;
        }
        let column = indent + 1 + spaces;
        if key_of(after).is_some() {
            self.pending = Pending::Item(indent);
            return self.key_line(start, column, after, true);
        }
        // The item's lines go on past its dash, at its text's column or deeper (stricter
        // than YAML, which is what the check can vouch for).
        self.value(after, column - 1)
    }

    /// A line `key: ...` at `indent`; `in_item` when it follows an item's `- `.
    fn key_line(
        &mut self,
        start: usize,
        indent: usize,
        content: &'d str,
        in_item: bool,
    ) -> Option<()> {
        let (key, rest) = key_of(content)?;
        if !in_item {
            self.pop_above(indent)?;
            if matches!(self.stack.last(), Some(Frame::Seq { indent: i }) if *i == indent) {
                self.stack.pop();
            }
        }
        let opens = match self.pending {
            Pending::Value(k) => indent > k,
            Pending::Item(d) => indent > d,
            Pending::None => self.stack.is_empty() && indent == 0,
            _ => false,
        };
        if opens {
            self.push(Frame::Map {
                indent,
                keys: Vec::new(),
            })?;
        }
        match self.stack.last_mut() {
            Some(Frame::Map { indent: i, keys }) if *i == indent => keys.push(key),
            _ => return None,
        }
        self.pending = Pending::None;
        let depth = self.stack.len();
        if depth == 1 {
            if let Some(last) = self.entries.last_mut() {
                last.end = start;
            }
            self.entries.push(TopEntry {
                key,
                start,
                end: self.text.len(),
                mapping: None,
            });
        } else if depth == 2 && opens && !in_item {
            // The first entry of a top-level key's block mapping.
            let key_at = start + indent;
            if let Some(top) = self.entries.last_mut() {
                top.mapping = Some((key_at, Vec::new()));
            }
        }
        if depth == 2 && !in_item {
            if let Some(Some((_, keys))) = self.entries.last_mut().map(|e| e.mapping.as_mut()) {
                keys.push(key);
            }
        }
        let spaces = rest.len() - rest.trim_start_matches(' ').len();
        let value = &rest[spaces..];
        if value.is_empty() || value.starts_with('#') {
            if !value.is_empty() && spaces == 0 {
                return None;
            }
            self.pending = Pending::Value(indent);
            return Some(());
        }
        if spaces == 0 {
            return None;
        }
        if depth == 1 && key == "kind" {
            let (words, comment) = plain_line(value)?;
            let word = if comment {
                value.split(" #").next()?
            } else {
                value
            };
            if words && plain_start(value) {
                self.kind = Some(word.trim_end());
                self.kind_line = true;
            }
        }
        self.value(value, indent)
    }

    /// A scalar or flow value written after `key: ` or `- ` (its node at `indent`).
    fn value(&mut self, value: &'d str, indent: usize) -> Option<()> {
        let first = value.as_bytes()[0];
        match first {
            b'\'' | b'"' => {
                match close_quoted(first, &value[1..])? {
                    Some(rest) => is_end_of_value(rest).then_some(())?,
                    None => self.pending = Pending::Quoted(first, indent),
                }
                Some(())
            }
            b'|' | b'>' => {
                let header = value[1..].strip_prefix(['-', '+']).unwrap_or(&value[1..]);
                is_end_of_value(header).then_some(())?;
                self.pending = Pending::Block(indent, None);
                Some(())
            }
            b'[' | b'{' => {
                let rest = flow_value(value)?;
                is_end_of_value(rest).then_some(())
            }
            _ => {
                if !plain_start(value) {
                    return None;
                }
                let (words, comment) = plain_line(value)?;
                if words && !comment {
                    self.pending = Pending::Plain(indent);
                }
                Some(())
            }
        }
    }

    /// Closes the collections indented past `indent`.
    fn pop_above(&mut self, indent: usize) -> Option<()> {
        while self.stack.last().is_some_and(|f| f.indent() > indent) {
            self.close()?;
        }
        Some(())
    }

    fn push(&mut self, frame: Frame<'d>) -> Option<()> {
        if self.stack.len() >= MAX_DEPTH {
            return None;
        }
        self.stack.push(frame);
        Some(())
    }

    /// Closes the innermost collection: a mapping must not set a key twice.
    fn close(&mut self) -> Option<()> {
        if let Some(Frame::Map { mut keys, .. }) = self.stack.pop() {
            keys.sort_unstable();
            if keys.windows(2).any(|pair| pair[0] == pair[1]) {
                return None;
            }
        }
        Some(())
    }

    fn finish(mut self) -> Option<Outline<'d>> {
        if matches!(self.pending, Pending::Quoted(..) | Pending::Block(_, None))
            || self.pending_empty_value()
        {
            return None;
        }
        if self.stack.is_empty() {
            return None;
        }
        while !self.stack.is_empty() {
            self.close()?;
        }
        Some(Outline {
            kind: self.kind,
            entries: self.entries,
        })
    }
}

/// The text after `-` when `content` is a sequence item.
fn dash(content: &str) -> Option<&str> {
    let rest = content.strip_prefix('-')?;
    (rest.is_empty() || rest.starts_with(' ')).then_some(rest)
}

/// A key at the start of `content` — a plain `word:`, or a quoted one without escapes —
/// with its text (what duplicate keys are compared by) and what follows the colon.
fn key_of(content: &str) -> Option<(&str, &str)> {
    let bytes = content.as_bytes();
    if let Some(&quote @ (b'"' | b'\'')) = bytes.first() {
        let close = memchr(quote, &bytes[1..])? + 1;
        let text = &content[1..close];
        if text.contains(['\\', '\'', '"']) || bytes.get(close + 1) != Some(&b':') {
            return None;
        }
        let rest = &content[close + 2..];
        return (rest.is_empty() || rest.starts_with(' ')).then_some((text, rest));
    }
    let len = bytes
        .iter()
        .position(|&c| {
            !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'/' | b'$'))
        })
        .unwrap_or(bytes.len());
    if len == 0 || bytes[0] == b'-' || bytes.get(len) != Some(&b':') {
        return None;
    }
    let rest = &content[len + 1..];
    (rest.is_empty() || rest.starts_with(' ')).then_some((&content[..len], rest))
}

/// Whether a plain scalar may start with this text (no indicator character first).
fn plain_start(value: &str) -> bool {
    let bytes = value.as_bytes();
    match bytes[0] {
        c if c.is_ascii_alphanumeric() => true,
        b'_' | b'/' | b'.' | b'$' | b'~' | b'+' | b'(' | b'=' | b'^' | b'<' | b';' | b')' => true,
        b'-' => bytes
            .get(1)
            .is_some_and(|&c| c != b' ' && c.is_ascii_graphic()),
        _ => false,
    }
}

/// Whether a continuation line of a plain scalar starts with text the scanner reads as more
/// of the scalar: not a comment, nor `-`, `?` or `:` followed by a blank (the check does not
/// follow those).
fn continuation_start(content: &str) -> bool {
    let bytes = content.as_bytes();
    match bytes[0] {
        b'#' => false,
        b'-' | b'?' | b':' => bytes.get(1).is_some_and(|&c| c != b' '),
        _ => true,
    }
}

/// Reads one line of a plain scalar: `None` when it holds `: ` or ends with `:` (the loader
/// would read a key or reject it); else whether it holds text before any comment, and
/// whether a comment ends it.
fn plain_line(text: &str) -> Option<(bool, bool)> {
    let (words, comment) = match text.find(" #") {
        Some(at) => (&text[..at], true),
        None => (text, false),
    };
    let words = words.trim_end();
    if words.contains(": ") || words.ends_with(':') {
        return None;
    }
    Some((!words.is_empty(), comment))
}

/// Whether what follows a value on its line is nothing or a comment.
fn is_end_of_value(rest: &str) -> bool {
    let trimmed = rest.trim_start_matches(' ');
    trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < rest.len())
}

/// Reads a quoted scalar's text on one line (after its opening quote, or a continuation
/// line): `Some(Some(rest))` after the closing quote, `Some(None)` when it goes on to the
/// next line, `None` for an escape the check does not know.
fn close_quoted(quote: u8, text: &str) -> Option<Option<&str>> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if quote == b'\'' && c == b'\'' {
            if bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(Some(&text[i + 1..]));
        }
        if quote == b'"' {
            match c {
                b'"' => return Some(Some(&text[i + 1..])),
                b'\\' => match bytes.get(i + 1) {
                    None => return Some(None), // an escaped line break
                    Some(b'\\' | b'"' | b'n' | b't' | b'/' | b'r' | b'0' | b' ') => {
                        i += 2;
                        continue;
                    }
                    Some(_) => return None,
                },
                _ => {}
            }
        }
        i += 1;
    }
    Some(None)
}

/// `[]`, `{}` or a flat list of words `[a, b-c, d.e]` on one line: what follows it.
fn flow_value(value: &str) -> Option<&str> {
    if let Some(rest) = value.strip_prefix('{') {
        let inner = rest.trim_start_matches(' ');
        return inner.strip_prefix('}');
    }
    let inner_end = value.find(']')?;
    let inner = &value[1..inner_end];
    if !inner.trim().is_empty() {
        for word in inner.split(',') {
            let word = word.trim_matches(' ');
            let quoted = |q: char| {
                word.len() >= 2
                    && word.starts_with(q)
                    && word.ends_with(q)
                    && !word[1..word.len() - 1].contains(['\\', '\'', '"'])
            };
            let plain = !word.is_empty()
                && word
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'/'))
                && plain_start(word);
            if !(plain || quoted('"') || quoted('\'')) {
                return None;
            }
        }
    }
    value.starts_with('[').then_some(&value[inner_end + 1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_found_at_their_markers() {
        let text = "# head\n---\na: 1\n---\n---\nb: 2\n";
        let ranges = documents(text).unwrap();
        let starts: Vec<_> = ranges.iter().map(|r| (r.start, r.body, r.end)).collect();
        // The first runs to the second `---`; an empty document joins the one after it.
        assert_eq!(starts, [(0, 11, 16), (16, 24, text.len())]);
        assert_eq!(&text[ranges[1].body..], "b: 2\n");
        // What the pre-scan does not read at document level: the file goes to the parser.
        for text in [
            "a: 1\n...\n",
            "%YAML 1.2\n---\na: 1\n",
            "--- {a: 1}\n",
            "---\ta\n",
        ] {
            assert_eq!(documents(text), None, "{text:?}");
        }
    }

    #[test]
    fn the_kind_is_read_at_the_top_level_only() {
        assert_eq!(
            kind_of("apiVersion: v1\nkind: ConfigMap # c\n"),
            Some("ConfigMap")
        );
        assert_eq!(kind_of("spec:\n  kind: Widget\n"), None);
        let read = outline("apiVersion: v1\nkind: Widget\nspec:\n  kind: Other\n").unwrap();
        assert_eq!(read.kind, Some("Widget"));
        let keys: Vec<_> = read.entries.iter().map(|e| e.key).collect();
        assert_eq!(keys, ["apiVersion", "kind", "spec"]);
        assert_eq!(read.entries[2].mapping.as_ref().unwrap().1, ["kind"]);
        // A plain `kind` that goes on to the next line is not the word read.
        let continued = outline("kind: Widget\n  more\n").unwrap();
        assert_eq!(continued.kind, None);
    }

    #[test]
    fn the_subset_is_vouched_for_and_anything_else_is_not() {
        let good = [
            "a: 1\nb:\n  c: 'x\n    y'\n  d: \"p \\\"q\\\"\"\n  e: |\n    text\n  f: >-\n    folded\n",
            "a:\n- x\n- y: 1\n  z: [p, q]\nb: {}\nc: []\n# trailing\n",
            "a: plain text\n  that goes on\nb: x日本\n",
        ];
        for text in good {
            assert!(outline(text).is_some(), "{text:?}");
        }
        let bad = [
            "a: 1\na: 2\n",         // a key set twice
            "a:\n  b: 1\n  b: 2\n", // ... in a nested mapping
            "a:\n- b: 1\n  b: 2\n", // ... in a sequence item
            "a:\tb\n",              // a tab
            "a: &x 1\n",            // an anchor
            "a: *x\n",              // an alias
            "a: !!str 1\n",         // a tag
            "a: {b: c}\n",          // a flow mapping with content
            "? a\n: b\n",           // a complex key
            "a:\n  b: 1\n c: 2\n",  // odd indentation
            "a: 'unclosed\n",       // an unclosed quote
            "a: b: c\n",            // a syntax error
            "a: |\nb: 1\n",         // an empty block scalar
            "a:\n",                 // an empty value the document's end closes
            "a: \"\\x41\"\n",       // an escape the check does not know
        ];
        for text in bad {
            assert!(outline(text).is_none(), "{text:?}");
        }
    }
}
