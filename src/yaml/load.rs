//! Builds span trees from saphyr-parser's pull iterator.
//!
//! The builder keeps its own stack (saphyr's recursive `load` overflows a thread stack on
//! deep input), caps nesting depth, and charges every node an alias expands to against a
//! budget, so an alias bomb is an error rather than an out-of-memory.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle as ParserStyle, Span as ParserSpan};

use super::node::{Entry, Node, Scalar, ScalarStyle, Value};
use crate::source::Span;

/// Bounds the loader enforces on every file.
pub struct Limits {
    /// Deepest nesting of sequences and mappings accepted.
    pub max_depth: usize,
    /// Most nodes that alias expansion may add to one file.
    pub max_alias_nodes: usize,
}

pub const LIMITS: Limits = Limits {
    max_depth: 256,
    max_alias_nodes: 1_000_000,
};

/// One YAML document of a file.
#[derive(Debug)]
pub struct Document {
    pub root: Node,
    /// Where this document's own text starts: just after the previous document ended
    /// (so the comments ahead of it, such as Helm's `# Source:`, lie in `head..root.start`).
    pub head: usize,
}

/// A parse error at a byte offset.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadError {
    pub offset: usize,
    pub message: String,
}

/// The documents parsed before any error, and the error if there was one.
#[derive(Debug, Default)]
pub struct Loaded {
    pub documents: Vec<Document>,
    pub error: Option<LoadError>,
}

/// Parses every document of `text`. Documents complete before an error are kept.
pub fn load_documents(text: &str) -> Loaded {
    let offsets = OffsetMap::new(text);
    let mut builder = Builder {
        text,
        offsets: &offsets,
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_nodes: 0,
        documents: Vec::new(),
        head: 0,
    };
    let mut loaded = Loaded::default();
    for item in Parser::new_from_str(text) {
        let step = match item {
            Ok((event, span)) => builder.on_event(event, span),
            Err(error) => Err(LoadError {
                offset: offsets.byte_in(text, error.marker().index()),
                message: error.info().to_string(),
            }),
        };
        if let Err(error) = step {
            loaded.error = Some(error);
            break;
        }
    }
    loaded.documents = builder.documents;
    loaded
}

/// Converts saphyr's character indexes into byte offsets. ASCII text maps one to one;
/// otherwise a checkpoint every 64 characters keeps the walk short.
struct OffsetMap {
    ascii: bool,
    checkpoints: Vec<usize>,
    len: usize,
}

const CHECKPOINT_EVERY: usize = 64;

impl OffsetMap {
    fn new(text: &str) -> Self {
        let ascii = text.is_ascii();
        let checkpoints = if ascii {
            Vec::new()
        } else {
            text.char_indices()
                .step_by(CHECKPOINT_EVERY)
                .map(|(byte, _)| byte)
                .collect()
        };
        OffsetMap {
            ascii,
            checkpoints,
            len: text.len(),
        }
    }

    fn byte_in(&self, text: &str, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.len);
        }
        let Some(&base) = self.checkpoints.get(char_index / CHECKPOINT_EVERY) else {
            return self.len;
        };
        text[base..]
            .char_indices()
            .nth(char_index % CHECKPOINT_EVERY)
            .map_or(self.len, |(offset, _)| base + offset)
    }
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        anchor: usize,
        entries: Vec<Entry>,
        key: Option<Node>,
    },
}

struct Builder<'t> {
    text: &'t str,
    offsets: &'t OffsetMap,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    alias_nodes: usize,
    documents: Vec<Document>,
    head: usize,
}

impl Builder<'_> {
    fn byte(&self, char_index: usize) -> usize {
        self.offsets.byte_in(self.text, char_index)
    }

    fn on_event(&mut self, event: Event<'_>, span: ParserSpan) -> Result<(), LoadError> {
        let start = self.byte(span.start.index());
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let style = match style {
                    ParserStyle::Plain => ScalarStyle::Plain,
                    ParserStyle::SingleQuoted => ScalarStyle::SingleQuoted,
                    ParserStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
                    ParserStyle::Literal => ScalarStyle::Literal,
                    ParserStyle::Folded => ScalarStyle::Folded,
                };
                let end = self.scalar_end(start, self.byte(span.end.index()), style);
                let node = Node {
                    span: Span::new(start, end),
                    value: Value::Scalar(Scalar {
                        text: text.into_owned(),
                        style,
                        tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                    }),
                };
                self.complete(node, anchor)
            }
            Event::SequenceStart(anchor, _) => {
                self.open(Frame::Seq {
                    start,
                    anchor,
                    items: Vec::new(),
                })?;
                Ok(())
            }
            Event::MappingStart(anchor, _) => {
                self.open(Frame::Map {
                    start,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                })?;
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let end = self.trim_end(self.byte(span.end.index()));
                let node_and_anchor = match self.stack.pop() {
                    Some(Frame::Seq {
                        start,
                        anchor,
                        items,
                    }) => (
                        Node {
                            span: Span::new(
                                start,
                                end.max(items.last().map_or(start, |n| n.span.end)),
                            ),
                            value: Value::Seq(items),
                        },
                        anchor,
                    ),
                    Some(Frame::Map {
                        start,
                        anchor,
                        entries,
                        ..
                    }) => {
                        let last_end = entries.last().map_or(start, |e| e.value.span.end);
                        (
                            Node {
                                span: Span::new(start, end.max(last_end)),
                                value: Value::Map(merge_keys(entries)),
                            },
                            anchor,
                        )
                    }
                    None => return Ok(()),
                };
                self.complete(node_and_anchor.0, node_and_anchor.1)
            }
            Event::Alias(id) => {
                let Some(target) = self.anchors.get(&id) else {
                    return Err(LoadError {
                        offset: start,
                        message: "alias to an unknown anchor".into(),
                    });
                };
                self.alias_nodes += target.size();
                if self.alias_nodes > super::LIMITS.max_alias_nodes {
                    return Err(LoadError {
                        offset: start,
                        message: format!(
                            "aliases expand to more than {} nodes (an alias bomb?)",
                            super::LIMITS.max_alias_nodes
                        ),
                    });
                }
                let mut node = target.clone();
                node.span = Span::new(start, self.trim_end(self.byte(span.end.index())));
                self.complete(node, 0)
            }
            Event::DocumentStart(_) => {
                self.anchors.clear();
                Ok(())
            }
            Event::DocumentEnd => {
                self.head = self.head.max(start);
                Ok(())
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => Ok(()),
        }
    }

    fn open(&mut self, frame: Frame) -> Result<(), LoadError> {
        if self.stack.len() >= super::LIMITS.max_depth {
            let start = match &frame {
                Frame::Seq { start, .. } | Frame::Map { start, .. } => *start,
            };
            return Err(LoadError {
                offset: start,
                message: format!("nesting deeper than {} levels", super::LIMITS.max_depth),
            });
        }
        self.stack.push(frame);
        Ok(())
    }

    /// Attaches a finished node to its parent, or ends the document when it is the root.
    fn complete(&mut self, node: Node, anchor: usize) -> Result<(), LoadError> {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                Some(k) => entries.push(Entry {
                    key: k,
                    value: node,
                }),
                None => *key = Some(node),
            },
            None => {
                let end = node.span.end;
                self.documents.push(Document {
                    root: node,
                    head: self.head,
                });
                self.head = end;
            }
        }
        Ok(())
    }

    /// The true end of a scalar. For quoted scalars saphyr's span runs on to the end of the
    /// line, so the end is found from the closing quote; other scalars lose trailing blanks.
    fn scalar_end(&self, start: usize, end: usize, style: ScalarStyle) -> usize {
        let bytes = self.text.as_bytes();
        match style {
            ScalarStyle::SingleQuoted => {
                let mut i = start + 1;
                while i < bytes.len() {
                    if bytes[i] == b'\'' {
                        if bytes.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        return i + 1;
                    }
                    i += 1;
                }
                end
            }
            ScalarStyle::DoubleQuoted => {
                let mut i = start + 1;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => i += 2,
                        b'"' => return i + 1,
                        _ => i += 1,
                    }
                }
                end
            }
            _ => self.trim_end(end),
        }
    }

    /// Moves an end offset back over trailing whitespace and line breaks.
    fn trim_end(&self, end: usize) -> usize {
        let end = end.min(self.text.len());
        let trimmed = self.text[..end].trim_end_matches([' ', '\t', '\r', '\n']);
        trimmed.len()
    }
}

/// Applies YAML merge keys (`<<: *base`), which kubectl's YAML 1.1 reader honours: the
/// merged mapping's entries are added where the mapping does not set the key itself.
fn merge_keys(entries: Vec<Entry>) -> Vec<Entry> {
    let is_merge = |e: &Entry| {
        e.key
            .as_scalar()
            .is_some_and(|s| s.text == "<<" && s.style == ScalarStyle::Plain)
    };
    if !entries.iter().any(is_merge) {
        return entries;
    }
    let (merges, mut own): (Vec<Entry>, Vec<Entry>) = entries.into_iter().partition(is_merge);
    for merge in merges {
        let sources: Vec<Node> = match merge.value.value {
            Value::Map(_) => vec![merge.value],
            Value::Seq(items) => items,
            Value::Scalar(_) => continue,
        };
        for source in sources {
            if let Value::Map(source_entries) = source.value {
                for entry in source_entries {
                    let key = entry.key.as_scalar().map(|s| s.text.clone());
                    let present = own
                        .iter()
                        .any(|e| e.key.as_scalar().map(|s| &s.text) == key.as_ref());
                    if !present {
                        own.push(entry);
                    }
                }
            }
        }
    }
    own
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of<'a>(src: &'a str, node: &Node) -> &'a str {
        &src[node.span.start..node.span.end]
    }

    #[test]
    fn spans_cover_exact_keys_and_values() {
        let src = "a: 'x' # c\nb:\n  c: \"y\\\"z\"  \nd: [1, 2]\ne: plain value   \n";
        let loaded = load_documents(src);
        assert!(loaded.error.is_none());
        let root = &loaded.documents[0].root;
        assert_eq!(text_of(src, root.get("a").unwrap()), "'x'");
        assert_eq!(text_of(src, root.path(&["b", "c"]).unwrap()), "\"y\\\"z\"");
        assert_eq!(text_of(src, &root.entry("b").unwrap().key), "b");
        assert_eq!(text_of(src, root.get("e").unwrap()), "plain value");
    }

    #[test]
    fn multi_document_with_heads() {
        let src = "# Source: c/templates/a.yaml\na: 1\n---\n# Source: c/templates/b.yaml\nb: 2\n";
        let loaded = load_documents(src);
        assert_eq!(loaded.documents.len(), 2);
        let second = &loaded.documents[1];
        assert!(src[second.head..second.root.span.start].contains("b.yaml"));
        assert!(!src[second.head..second.root.span.start].contains("a.yaml"));
    }

    #[test]
    fn non_ascii_offsets_are_bytes() {
        let src = "é: ü\nname: \"x\"\n";
        let root = &load_documents(src).documents[0].root;
        assert_eq!(text_of(src, root.get("name").unwrap()), "\"x\"");
    }

    #[test]
    fn alias_bomb_is_an_error() {
        let mut src = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for name in 'b'..='k' {
            src.push_str(&format!(
                "{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
            prev = name;
        }
        let loaded = load_documents(&src);
        assert!(loaded.error.unwrap().message.contains("alias"));
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let src = format!("{}x{}", "[".repeat(100_000), "]".repeat(100_000));
        let loaded = load_documents(&src);
        let error = loaded.error.unwrap();
        assert!(
            error.message.contains("nesting") || error.message.contains("recursion"),
            "{}",
            error.message
        );
    }

    #[test]
    fn merge_keys_are_applied() {
        let src = "base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n";
        let root = &load_documents(src).documents[0].root;
        let m = root.get("m").unwrap();
        assert_eq!(m.get("x").unwrap().as_str(), Some("1"));
        assert_eq!(m.get("y").unwrap().as_str(), Some("3"));
    }

    #[test]
    fn error_keeps_earlier_documents() {
        let src = "a: 1\n---\nb: [\n";
        let loaded = load_documents(src);
        assert_eq!(loaded.documents.len(), 1);
        assert!(loaded.error.is_some());
    }
}
