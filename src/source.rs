//! Source files and positions: every finding points into one of these.
//!
//! Spans are byte ranges into the file's text (what miette wants); lines and columns are
//! computed from them on demand, 1-based, with columns counted in Unicode characters so a
//! tab or a non-ASCII letter is one column, the same in every output format.

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

/// One input: a file on disk or standard input, with its text and a table of line starts.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as shown to users: relative to the working directory when below it,
    /// forward slashes, `<stdin>` for standard input.
    pub display: String,
    pub text: Arc<String>,
    /// Computed on first use: most files of a large run never have a position asked for.
    line_starts: OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub fn new(display: String, text: String) -> Self {
        SourceFile {
            display,
            text: Arc::new(text),
            line_starts: OnceLock::new(),
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
        let offset = offset.min(self.text.len());
        match self.line_starts().binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// Line and column of a byte offset. Offsets past the end clamp to the end.
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line_starts = self.line_starts();
        let line_index = match line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let line_start = line_starts[line_index];
        let prefix = self.text.get(line_start..offset).unwrap_or("");
        Position {
            line: line_index + 1,
            column: prefix.chars().count() + 1,
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

    /// The text of one 1-based line without its line break.
    pub fn line_text(&self, line: usize) -> &str {
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
    }
}
