//! Reads the discovered inputs and parses them into Kubernetes objects, in parallel.
//!
//! Each file is decoded, parsed into span trees, and split into objects (one per document,
//! one per item of a `kind: List`/`*List`). A file that cannot be read or parsed yields an
//! [`InputError`]; the documents it parsed before the error are still used.

use std::io::Read;

use rayon::prelude::*;

use crate::discover::{display_path, io_message, InputSource};
use crate::model::object::Object;
use crate::source::{FileId, SourceFile, Span};
use crate::yaml::{load_documents, Node};

/// A file that could not be read or parsed, with the place of the problem when known.
#[derive(Debug, Clone)]
pub struct InputError {
    /// Display path of the file or argument.
    pub path: String,
    /// The file, when its text could be read (then `span` points into it).
    pub file: Option<FileId>,
    pub span: Option<Span>,
    pub message: String,
}

/// Everything read in one run: the files (sorted, so `FileId`s are stable), the objects in
/// file order, and the input errors.
#[derive(Debug, Default)]
pub struct Inputs {
    pub files: Vec<SourceFile>,
    pub objects: Vec<Object>,
    pub errors: Vec<InputError>,
}

/// Reads every input. Standard input is read first, on this thread; files are read and
/// parsed on rayon's pool and gathered in input order.
pub fn read_inputs(sources: &[InputSource]) -> Inputs {
    let stdin_text = sources.contains(&InputSource::Stdin).then(read_stdin);
    let parsed: Vec<ParsedFile> = sources
        .par_iter()
        .map(|source| match source {
            InputSource::Stdin => match &stdin_text {
                Some(Ok(bytes)) => parse_bytes("<stdin>".to_string(), bytes.clone()),
                Some(Err(_)) | None => ParsedFile::unreadable(
                    "<stdin>".to_string(),
                    message_or_default(stdin_text.as_ref()),
                ),
            },
            InputSource::File(path) => {
                let display = display_path(path);
                match std::fs::read(path) {
                    Ok(bytes) => parse_bytes(display, bytes),
                    Err(error) => ParsedFile::unreadable(
                        display,
                        format!("cannot read: {}", io_message(&error)),
                    ),
                }
            }
        })
        .collect();

    let mut inputs = Inputs::default();
    for file in parsed {
        inputs.add(file);
    }
    inputs
}

impl Inputs {
    /// Adds one parsed file, numbering it and its objects.
    fn add(&mut self, file: ParsedFile) {
        let file_id = file.source.as_ref().map(|_| self.files.len());
        if let Some(error) = file.error {
            self.errors.push(InputError {
                file: file_id,
                ..error
            });
        }
        if let (Some(source), Some(id)) = (file.source, file_id) {
            self.files.push(source);
            for mut object in file.objects {
                object.file = id;
                object.index = self.objects.len();
                self.objects.push(object);
            }
        }
    }
}

/// Parses in-memory texts as if they were files named `display` (for tests, rule examples
/// and editors), in the given order.
pub fn read_texts(texts: Vec<(String, String)>) -> Inputs {
    let mut inputs = Inputs::default();
    for (display, text) in texts {
        inputs.add(parse_bytes(display, text.into_bytes()));
    }
    inputs
}

fn message_or_default(result: Option<&Result<Vec<u8>, String>>) -> String {
    match result {
        Some(Err(message)) => message.clone(),
        _ => "cannot read standard input".to_string(),
    }
}

fn read_stdin() -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut bytes)
        .map(|_| bytes)
        .map_err(|e| format!("cannot read standard input: {}", io_message(&e)))
}

struct ParsedFile {
    source: Option<SourceFile>,
    objects: Vec<Object>,
    error: Option<InputError>,
}

impl ParsedFile {
    fn unreadable(path: String, message: String) -> Self {
        ParsedFile {
            source: None,
            objects: Vec::new(),
            error: Some(InputError {
                path,
                file: None,
                span: None,
                message,
            }),
        }
    }
}

/// Decodes, parses and splits one file. Objects get `file` 0 here; the caller renumbers.
fn parse_bytes(display: String, bytes: Vec<u8>) -> ParsedFile {
    let text = match decode(bytes) {
        Ok(text) => text,
        Err((text, offset, message)) => {
            // Keep the readable prefix as the file's text so the error can point into it.
            let source = SourceFile::new(display.clone(), text);
            return ParsedFile {
                source: Some(source),
                objects: Vec::new(),
                error: Some(InputError {
                    path: display,
                    file: None,
                    span: Some(Span::new(offset, offset)),
                    message,
                }),
            };
        }
    };
    let loaded = load_documents(&text);
    let mut objects = Vec::new();
    for document in loaded.documents {
        let head = Span::new(
            document.head.min(document.root.span.start),
            document.root.span.start,
        );
        let origin = template_origin(&text[head.start..head.end]);
        split_objects(document.root, head, origin, &mut objects);
    }
    let error = loaded.error.map(|error| InputError {
        path: display.clone(),
        file: None,
        span: Some(Span::new(error.offset, error.offset)),
        message: format!("YAML parse error: {}", error.message),
    });
    ParsedFile {
        source: Some(SourceFile::new(display, text)),
        objects,
        error,
    }
}

/// Decodes a file's bytes: UTF-8 (a BOM is dropped) or UTF-16 with a BOM. Invalid UTF-8
/// gives the text decoded lossily, the offset of the first bad byte and a message.
fn decode(bytes: Vec<u8>) -> Result<String, (String, usize, String)> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return decode(rest.to_vec());
    }
    let utf16 = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => Some(u16::from_le_bytes as fn([u8; 2]) -> u16),
        Some([0xFE, 0xFF]) => Some(u16::from_be_bytes as fn([u8; 2]) -> u16),
        _ => None,
    };
    if let Some(to_unit) = utf16 {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|pair| to_unit([pair[0], *pair.get(1).unwrap_or(&0)]))
            .collect();
        return String::from_utf16(&units)
            .map_err(|_| (String::new(), 0, "invalid UTF-16 text".to_string()));
    }
    String::from_utf8(bytes).map_err(|error| {
        let valid = error.utf8_error().valid_up_to();
        let bytes = error.into_bytes();
        // The whole file, lossily, so the error can be shown in context.
        let text = String::from_utf8_lossy(&bytes).into_owned();
        (
            text,
            valid,
            format!("not UTF-8 text: invalid byte 0x{:02X}", bytes[valid]),
        )
    })
}

/// The Helm template a document came from: the last `# Source: <path>` comment ahead of it.
fn template_origin(head: &str) -> Option<String> {
    head.lines()
        .filter_map(|line| line.trim().strip_prefix("# Source:"))
        .map(|path| path.trim().to_string())
        .rfind(|path| !path.is_empty())
}

/// Turns a document into objects: the document itself, or each item of a List. Documents
/// without `apiVersion` and `kind` (values files, empty documents) are skipped.
fn split_objects(root: Node, head: Span, origin: Option<String>, out: &mut Vec<Object>) {
    let kind = root.get("kind").and_then(Node::as_str).unwrap_or("");
    let is_list = kind.ends_with("List") && root.get("items").is_some_and(|n| n.as_seq().is_some());
    if is_list {
        if let crate::yaml::Value::Map(entries) = root.value {
            for entry in entries {
                let is_items = entry.key.as_str() == Some("items");
                if let (true, crate::yaml::Value::Seq(items)) = (is_items, entry.value.value) {
                    for item in items {
                        split_objects(item, head, origin.clone(), out);
                    }
                }
            }
        }
        return;
    }
    if let Some(object) = Object::from_node(root, head, origin) {
        out.push(object);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_bom_and_utf16() {
        assert_eq!(decode(b"\xEF\xBB\xBFa: 1".to_vec()).unwrap(), "a: 1");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("a: 1".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(utf16).unwrap(), "a: 1");
        let (text, offset, _) = decode(b"a: \xFF".to_vec()).unwrap_err();
        assert_eq!((text.as_str(), offset), ("a: \u{FFFD}", 3));
    }

    #[test]
    fn helm_origin_is_the_last_source_comment() {
        let head = "---\n# Source: chart/templates/a.yaml\n";
        assert_eq!(
            template_origin(head).as_deref(),
            Some("chart/templates/a.yaml")
        );
        assert_eq!(template_origin("# just a comment\n"), None);
    }
}
