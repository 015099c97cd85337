//! LSP positions: 0-based lines and UTF-16 code-unit columns, converted from and to the
//! byte offsets salint's spans hold.

use lsp_types::{Position, Range};

use crate::source::{SourceFile, Span};

/// The LSP position of a byte offset.
pub fn position(file: &SourceFile, offset: usize) -> Position {
    let p = file.position(offset);
    let character: usize = file
        .line_text(p.line)
        .chars()
        .take(p.column - 1)
        .map(char::len_utf16)
        .sum();
    Position::new((p.line - 1) as u32, character as u32)
}

pub fn range(file: &SourceFile, span: Span) -> Range {
    Range::new(position(file, span.start), position(file, span.end))
}

/// The byte offset of an LSP position, clamped to the line and the file.
pub fn offset(file: &SourceFile, position: Position) -> usize {
    let line = position.line as usize + 1;
    let Some(start) = file.line_start(line) else {
        return file.text.len();
    };
    let mut units = 0;
    for (index, ch) in file.line_text(line).char_indices() {
        if units >= position.character as usize {
            return start + index;
        }
        units += ch.len_utf16();
    }
    start + file.line_text(line).len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units() {
        let file = SourceFile::new("f".into(), "a: é😀x\r\nb: 1\n".into());
        // `x` is after a, :, space, é (1 unit), 😀 (2 units).
        let x = file.text.find('x').unwrap();
        assert_eq!(position(&file, x), Position::new(0, 6));
        assert_eq!(offset(&file, Position::new(0, 6)), x);
        let b = file.text.find('b').unwrap();
        assert_eq!(position(&file, b), Position::new(1, 0));
        assert_eq!(offset(&file, Position::new(1, 0)), b);
        assert_eq!(offset(&file, Position::new(9, 0)), file.text.len());
    }
}
