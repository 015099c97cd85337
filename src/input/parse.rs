//! One file's bytes into its source text and objects, or the error that stopped it.

use super::decode::decode;
use super::InputError;
use crate::model::object::Object;
use crate::source::{SourceFile, Span};
use crate::yaml::Node;

pub(crate) struct ParsedFile {
    pub(crate) source: Option<SourceFile>,
    pub(crate) objects: Vec<Object>,
    pub(crate) error: Option<InputError>,
}

impl ParsedFile {
    /// Drops the trees of a file whose objects no rule reads beyond their identity: it
    /// parsed, holds no object a rule reads (only ConfigMaps, Services, CRDs and the like,
    /// none of them a workload) and no suppression. Such files are most of a real manifest
    /// set, and their trees most of its memory. The text stays as the run keeps texts
    /// (the caller lets go of it, keeping the line table, when no output shows source
    /// lines): a finding can still point into such a file (`duplicate-object` names any
    /// kind), and its line, column and snippet must be exact.
    pub(crate) fn without_unused_trees(mut self) -> Self {
        let Some(source) = &self.source else {
            return self;
        };
        let unused = self.error.is_none()
            && memchr::memmem::find(source.text.as_bytes(), b"salint").is_none()
            && self.objects.iter().all(|object| {
                !crate::model::object::is_modelled_kind(&object.kind)
                    && crate::model::workload::Workload::from_object(
                        object,
                        &crate::model::Namespace::Implicit,
                    )
                    .is_none()
            });
        if unused {
            // Identity is kept; no rule and no suppression reads the rest.
            for object in &mut self.objects {
                object.root = Node {
                    span: object.root.span,
                    value: crate::yaml::Value::Map(Box::new([])),
                };
            }
        }
        self
    }

    pub(crate) fn unreadable(path: String, message: String) -> Self {
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
pub(crate) fn parse_bytes(display: String, bytes: Vec<u8>) -> ParsedFile {
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
    let (objects, error) = crate::model::document::objects_of(&text);
    let error = error.map(|error| InputError {
        path: display.clone(),
        file: None,
        span: Some(Span::new(error.offset, error.offset)),
        message: format!("YAML parse error: {}", error.message),
    });
    let mut source = SourceFile::new(display, text);
    source.marked_lines = crate::source::marked_lines(&source.text);
    ParsedFile {
        source: Some(source),
        objects,
        error,
    }
}

/// A file read as text only (a chart's template): decoded, its suppression comments found,
/// never parsed.
pub(crate) fn text_only(display: String, bytes: Vec<u8>) -> ParsedFile {
    let text = match decode(bytes) {
        Ok(text) => text,
        Err((text, _, _)) => text,
    };
    let mut source = SourceFile::new(display, text);
    source.marked_lines = crate::source::marked_lines(&source.text);
    ParsedFile {
        source: Some(source),
        objects: Vec::new(),
        error: None,
    }
}
