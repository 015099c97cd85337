//! Source files and positions: every finding points into one of these.
//!
//! Spans are byte ranges into the file's text (what miette wants); lines and columns are
//! computed from them on demand, 1-based, with columns counted in Unicode characters so a
//! tab or a non-ASCII letter is one column, the same in every output format.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// A half-open byte range `[start, end)` in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// A 1-based line and 1-based column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Index of a file in the run's file table; files are sorted by display path before
/// they get an id, so ids are deterministic.
pub type FileId = usize;

/// Files by real path. A run looks up every file's path in such maps several times (a
/// repository has tens of thousands of files), so they hash with foldhash, not SipHash:
/// the keys are the run's own paths, not input an attacker picks to collide.
pub type FileIds = foldhash::HashMap<std::path::PathBuf, FileId>;

/// What a file is to a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FileRole {
    /// A manifest: its objects are judged as written.
    #[default]
    Manifest,
    /// A file a kustomization consumes (a resource, patch or generator input): its objects
    /// reach a cluster through Kustomize's rendering, where findings on them are located.
    Consumed,
    /// A kustomization file.
    Kustomization,
    /// A Helm chart's file (a template, a values file, `Chart.yaml`): text, never YAML
    /// objects; findings on Helm's renderings are located in its templates.
    Chart,
    /// Kustomize's output for a root: judged, never shown; every location in it is moved
    /// to the repository file that wrote the field.
    Rendered,
}

/// One input: a file on disk or standard input, with its text and a table of line starts.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as shown to users: relative to the working directory when below it,
    /// forward slashes, `<stdin>` for standard input.
    pub display: String,
    pub role: FileRole,
    /// The file's absolute path, for files on disk (clusters split by folder).
    pub path: Option<PathBuf>,
    /// The text; empty once let go of (see [`SourceFile::let_go_of_text`]).
    pub text: Arc<String>,
    /// Computed on first use: most files of a large run never have a position asked for.
    line_starts: OnceLock<Vec<usize>>,
    /// The text's length in bytes, kept when the text is let go of.
    len: usize,
    /// Whether the text was let go of: positions then come from the line table alone.
    text_let_go: bool,
    /// The lines holding a `salint:` comment marker, for suppressions (see
    /// [`marked_lines`]); filled when the file is read.
    pub marked_lines: Vec<Line>,
}

/// One line of a file: its 1-based number, the byte offset it starts at, and its text
/// (line break included).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub number: usize,
    pub start: usize,
    pub text: Box<str>,
}

impl SourceFile {
    pub fn new(display: String, text: String) -> Self {
        SourceFile {
            display,
            role: FileRole::Manifest,
            path: None,
            len: text.len(),
            text: Arc::new(text),
            line_starts: OnceLock::new(),
            text_let_go: false,
            marked_lines: Vec::new(),
        }
    }

    /// Drops the text but keeps every position exact: the line table is built now, and a
    /// column is a byte count, which holds for ASCII text (other text is kept). For runs
    /// whose output shows no source line (JSON, SARIF, ...): the text of every file a
    /// finding may point into was most of such a run's memory, and each new page of it cost
    /// a page fault.
    pub fn let_go_of_text(&mut self) {
        if self.text_let_go || !self.text.is_ascii() {
            return;
        }
        self.line_starts.get_or_init(|| line_starts(&self.text));
        self.text = Arc::new(String::new());
        self.text_let_go = true;
    }

    /// What a persistent cache needs to rebuild this file as read: its length, whether
    /// the text was let go of, and then the line table (else the text has it).
    pub(crate) fn kept_parts(&self) -> (usize, bool, Option<&[usize]>) {
        let table = self.text_let_go.then(|| self.line_starts());
        (self.len, self.text_let_go, table)
    }

    /// A file as [`SourceFile::kept_parts`] described it, its text let go of when
    /// `line_starts` is given. The caller checks that the parts agree.
    pub(crate) fn from_kept_parts(
        display: String,
        text: String,
        len: usize,
        line_starts: Option<Vec<usize>>,
        marked_lines: Vec<Line>,
    ) -> Self {
        let text_let_go = line_starts.is_some();
        SourceFile {
            display,
            role: FileRole::Manifest,
            path: None,
            len,
            text: Arc::new(text),
            line_starts: line_starts.map_or_else(OnceLock::new, OnceLock::from),
            text_let_go,
            marked_lines,
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| line_starts(&self.text))
    }

    /// Computes the line table now rather than on first use, so callers can do it for many
    /// files in parallel before a serial pass asks for positions.
    pub fn prepare_positions(&self) {
        self.line_starts();
    }

    /// The 1-based line of a byte offset: [`SourceFile::position`] without counting the
    /// characters of the column.
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        match self.line_starts().binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// Line and column of a byte offset. Offsets past the end clamp to the end.
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.len);
        let line_starts = self.line_starts();
        let line_index = match line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let line_start = line_starts[line_index];
        let column = if self.text_let_go {
            offset - line_start // ASCII: a character per byte
        } else {
            let prefix = self.text.get(line_start..offset).unwrap_or("");
            prefix.chars().count()
        };
        Position {
            line: line_index + 1,
            column: column + 1,
        }
    }

    /// Start and end positions of a span; the end is exclusive (the column after the last
    /// character), as SARIF's `endColumn` and LSP's ranges expect.
    pub fn range(&self, span: Span) -> (Position, Position) {
        (self.position(span.start), self.position(span.end))
    }

    /// The byte offset where a 1-based line starts, if the file has that line.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts().get(line.wrapping_sub(1)).copied()
    }

    /// The text of one 1-based line without its line break (empty once the text is let go
    /// of).
    pub fn line_text(&self, line: usize) -> &str {
        if self.text_let_go {
            return "";
        }
        let line_starts = self.line_starts();
        let Some(&start) = line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = line_starts.get(line).copied().unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }
}

/// Byte offsets where each line starts. A line ends at `\n`, `\r\n` or a lone `\r`,
/// the line breaks YAML itself recognises, so our lines agree with the parser's.
fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    if memchr::memchr(b'\r', bytes).is_none() {
        // The common case, with a vectorised byte search, counted first so the table is
        // allocated once at its size.
        let mut starts = Vec::with_capacity(1 + memchr::memchr_iter(b'\n', bytes).count());
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        return starts;
    }
    let mut starts = vec![0];
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => starts.push(i + 1),
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
            _ => {}
        }
        i += 1;
    }
    starts
}

/// The marker of salint's comment directives (`# salint: ignore[...]`).
pub const DIRECTIVE_MARKER: &str = "salint:";

/// The lines of `text` that hold [`DIRECTIVE_MARKER`], read while a file's text is at hand
/// ([`SourceFile::marked_lines`]): the text may be let go of before suppressions are
/// collected. Only these lines are looked at, found with a vectorised search.
pub fn marked_lines(text: &str) -> Vec<Line> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut number = 1;
    let mut counted_to = 0;
    for marker in memchr::memmem::find_iter(bytes, DIRECTIVE_MARKER) {
        let start = memchr::memrchr(b'\n', &bytes[..marker]).map_or(0, |i| i + 1);
        if lines.last().is_some_and(|line: &Line| line.start == start) {
            continue;
        }
        number += memchr::memchr_iter(b'\n', &bytes[counted_to..start]).count();
        counted_to = start;
        let end = memchr::memchr(b'\n', &bytes[marker..]).map_or(text.len(), |i| marker + i + 1);
        lines.push(Line {
            number,
            start,
            text: text[start..end].into(),
        });
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_and_handle_crlf() {
        let file = SourceFile::new("x".into(), "a: 1\r\nbé: \"ü\"\r\n".into());
        assert_eq!(file.position(0), Position { line: 1, column: 1 });
        let quote = file.text.find('"').unwrap();
        assert_eq!(file.position(quote), Position { line: 2, column: 5 });
        assert_eq!(file.line_text(2), "bé: \"ü\"");
        assert_eq!(file.line_count(), 3);
        // Not ASCII: the text stays.
        let mut kept = SourceFile::new("x".into(), file.text.to_string());
        kept.let_go_of_text();
        assert_eq!(kept.position(quote), Position { line: 2, column: 5 });
    }

    #[test]
    fn positions_are_the_same_after_letting_go_of_ascii_text() {
        let text = "a: 1\r\nb:\r  c: \"x\"\n\nlast";
        let whole = SourceFile::new("x".into(), text.into());
        let mut light = SourceFile::new("x".into(), text.into());
        light.let_go_of_text();
        assert!(light.text.is_empty());
        for offset in 0..text.len() + 3 {
            assert_eq!(light.position(offset), whole.position(offset), "{offset}");
            assert_eq!(light.line_of(offset), whole.line_of(offset), "{offset}");
        }
        assert_eq!(light.line_count(), whole.line_count());
    }
}
