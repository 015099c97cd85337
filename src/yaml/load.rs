//! Builds span trees from saphyr-parser's pull iterator.
//!
//! The builder keeps its own stack (saphyr's recursive `load` overflows a thread stack on
//! deep input), caps nesting depth, and charges every node an alias expands to against a
//! budget, so an alias bomb is an error rather than an out-of-memory. A caller may let it
//! leave out the parts of each document it would drop anyway (see [`Prune`] and `skip`).

mod duplicate_keys;
mod merge_keys;
mod offsets;
mod skip;

use duplicate_keys::{note_duplicate_keys, KeyView, LeftOutKey};
use merge_keys::{is_merge_key, merge_keys};
use offsets::OffsetMap;

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
    // saphyr-parser's own recursion limit stops flow collections (`[[[...]]]`) at 256
    // levels; 255 here, so every document of 255 levels is read and every deeper one gets
    // the same message.
    max_depth: 255,
    max_alias_nodes: 1_000_000,
};

/// One YAML document of a file.
#[derive(Debug)]
pub struct Document {
    pub root: Node,
    /// Where this document's own text starts: just after the previous document ended
    /// (so the comments ahead of it, such as Helm's `# Source:`, lie in `head..root.start`).
    pub head: usize,
    /// Keys set twice in one of the document's mappings, in the order the mappings end.
    /// Found while parsing, in left-out values too, so a tree that keeps only what the
    /// model reads still answers for every key the file sets.
    pub duplicate_keys: Vec<DuplicateKey>,
}

/// A key a mapping sets again later: kubectl keeps the later value and drops this one.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateKey {
    pub key: Box<str>,
    /// The dropped (earlier) key.
    pub span: Span,
    /// The value kubectl keeps, when it is a non-null scalar.
    pub kept_value: Option<Box<str>>,
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
    let mut documents = Vec::new();
    let error = for_each_document(text, |document| documents.push(document)).err();
    Loaded { documents, error }
}

/// Decides, from a document's `kind` as far as it has been read, whether the value of
/// `key` in the mapping reached from the root through the mapping keys `path` (empty for
/// the root; at most [`MAX_PRUNE_DEPTH`] keys) may be left out. A mapping that is an item of
/// a sequence, itself the value of `containers` in a mapping on the path, is on the path
/// as `containers[]`. It must only leave out what the caller drops from the whole tree
/// anyway.
pub type Prune = fn(kind: &str, path: &[&str], key: &str) -> bool;

/// The deepest mapping a [`Prune`] is asked about, counted in collections from the root: a
/// volume mount of a container of a CronJob's pod spec
/// (`spec.jobTemplate.spec.template.spec.containers[].volumeMounts[]`).
pub const MAX_PRUNE_DEPTH: usize = 9;

/// Why a pruned parse stopped early.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    Error(LoadError),
    /// Something needs a part that was left out (an alias into it, a `kind` after it, a
    /// key in it that may repeat another): parse the file again without pruning.
    NeedsWholeTrees,
}

impl From<LoadError> for Stop {
    fn from(error: LoadError) -> Self {
        Stop::Error(error)
    }
}

/// Parses `text` and hands each document to `on_document` as soon as it is complete, so a
/// caller that keeps only part of each document never holds a whole file's trees (the tree
/// of a CRD bundle is many times the file's size). Stops at the first error, after the
/// documents before it.
pub fn for_each_document(text: &str, on_document: impl FnMut(Document)) -> Result<(), LoadError> {
    match load(text, None, on_document) {
        Ok(()) => Ok(()),
        Err(Stop::Error(error)) => Err(error),
        Err(Stop::NeedsWholeTrees) => unreachable!("nothing is left out without pruning"),
    }
}

/// [`for_each_document`], leaving out what `prune` allows: those values are read as events
/// but never built, which saves most of the time and memory they would cost. Spans, alias
/// accounting and errors are the same as for whole trees.
pub fn for_each_pruned(
    text: &str,
    prune: Prune,
    on_document: impl FnMut(Document),
) -> Result<(), Stop> {
    load(text, Some(prune), on_document)
}

/// [`for_each_pruned`] (or, without `prune`, [`for_each_document`]) over one part of a file
/// that starts at a document's beginning, the file's other parts read apart: `alias_nodes`
/// carries the file's alias budget from part to part, so splitting a file never lets more
/// aliases through than reading it whole. Offsets are the part's own.
pub fn for_each_in_part(
    text: &str,
    prune: Option<Prune>,
    alias_nodes: &mut usize,
    on_document: impl FnMut(Document),
) -> Result<(), Stop> {
    load_counting(text, prune, alias_nodes, on_document)
}

fn load(text: &str, prune: Option<Prune>, on_document: impl FnMut(Document)) -> Result<(), Stop> {
    load_counting(text, prune, &mut 0, on_document)
}

fn load_counting(
    text: &str,
    prune: Option<Prune>,
    alias_nodes: &mut usize,
    mut on_document: impl FnMut(Document),
) -> Result<(), Stop> {
    let offsets = OffsetMap::new(text);
    let mut builder = Builder {
        text,
        offsets: &offsets,
        stack: Vec::new(),
        items: Vec::new(),
        entries: Vec::new(),
        anchors: HashMap::new(),
        alias_nodes: *alias_nodes,
        duplicate_keys: Vec::new(),
        left_out_keys: Vec::new(),
        document: None,
        head: 0,
        prune,
        kind: None,
        skipped_in_document: false,
        skip: skip::Skip::default(),
    };
    for item in parser(text) {
        match item {
            Ok((event, span)) => builder.on_event(event, span)?,
            Err(error) => {
                return Err(Stop::Error(LoadError {
                    offset: offsets.byte_in(text, error.marker().index()),
                    message: parser_message(error.info()),
                }))
            }
        }
        if let Some(document) = builder.document.take() {
            on_document(document);
        }
    }
    *alias_nodes = builder.alias_nodes;
    Ok(())
}

/// saphyr-parser over `text`, set to read what kubectl's go-yaml (a port of libyaml) reads:
/// quoted scalars continued at their key's indentation, as controller-gen writes CRD
/// descriptions (an option of the patched parser in `vendor/`, see `vendor/README.md`).
fn parser(text: &str) -> Parser<'_, saphyr_parser::StrInput<'_>> {
    Parser::new_from_str(text).lenient_quoted_indentation(true)
}

/// An open collection. Its children wait on the builder's shared scratch stacks from
/// `first` on, so each collection is allocated once, at its exact size, when it closes
/// (growing a `Vec` per collection cost more than the parse itself).
enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        first: usize,
    },
    Map {
        start: usize,
        anchor: usize,
        first: usize,
        key: Option<Node>,
        /// Where its left-out entries start in the builder's `left_out_keys`.
        first_left_out: usize,
        /// The end of the last entry's value, kept or left out (the mapping's span runs
        /// to it).
        last_end: Option<usize>,
        level: Level,
        /// Whether an entry was left out.
        skipped: bool,
    },
}

/// Where a mapping sits, for pruning.
#[derive(Clone, PartialEq)]
enum Level {
    /// Reached from the document's root through mappings only, at most
    /// [`MAX_PRUNE_DEPTH`] keys deep: the value of the parent's entry with this key, or the
    /// root (`None`).
    OnPath(Option<Box<str>>),
    Other,
}

impl Level {
    fn is_root(&self) -> bool {
        *self == Level::OnPath(None)
    }
}

struct Builder<'t> {
    text: &'t str,
    offsets: &'t OffsetMap,
    stack: Vec<Frame>,
    /// Finished items of the open sequences, innermost last.
    items: Vec<Node>,
    /// Finished entries of the open mappings, innermost last.
    entries: Vec<Entry>,
    anchors: HashMap<usize, Node>,
    alias_nodes: usize,
    /// Duplicate keys of the current document so far.
    duplicate_keys: Vec<DuplicateKey>,
    /// The keys of the entries the open mappings left out, innermost last.
    left_out_keys: Vec<LeftOutKey>,
    /// The document just completed, until the loop hands it on.
    document: Option<Document>,
    head: usize,
    prune: Option<Prune>,
    /// The current document's `kind`, once read.
    kind: Option<Box<str>>,
    /// Whether anything of the current document was left out.
    skipped_in_document: bool,
    skip: skip::Skip,
}

impl<'t> Builder<'t> {
    fn byte(&self, char_index: usize) -> usize {
        self.offsets.byte_in(self.text, char_index)
    }

    fn on_event(&mut self, event: Event<'t>, span: ParserSpan) -> Result<(), Stop> {
        if self.skip.active() {
            return self.skip_event(event, span);
        }
        let start = self.byte(span.start.index());
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let style = style_of(style);
                let end = self.scalar_end(start, self.byte(span.end.index()), style);
                let node = Node {
                    span: Span::new(start, end),
                    value: Value::Scalar(Scalar {
                        text: text.into(),
                        style,
                        tag: tag.map(|t| format!("{}{}", t.handle, t.suffix).into()),
                    }),
                };
                self.complete(node, anchor)
            }
            Event::SequenceStart(anchor, _) => {
                let first = self.items.len();
                self.open(Frame::Seq {
                    start,
                    anchor,
                    first,
                })
            }
            Event::MappingStart(anchor, _) => {
                let first = self.entries.len();
                let first_left_out = self.left_out_keys.len();
                let level = self.level_of_new_mapping();
                if level.is_root() {
                    self.kind = None;
                }
                self.open(Frame::Map {
                    start,
                    anchor,
                    first,
                    key: None,
                    first_left_out,
                    last_end: None,
                    level,
                    skipped: false,
                })
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let end = self.trim_end(self.byte(span.end.index()));
                let node_and_anchor = match self.stack.pop() {
                    Some(Frame::Seq {
                        start,
                        anchor,
                        first,
                    }) => {
                        let items: Box<[Node]> = self.items.drain(first..).collect();
                        let last_end = items.last().map_or(start, |n| n.span.end);
                        (
                            Node {
                                span: Span::new(start, end.max(last_end)),
                                value: Value::Seq(items),
                            },
                            anchor,
                        )
                    }
                    Some(Frame::Map {
                        start,
                        anchor,
                        first,
                        first_left_out,
                        last_end,
                        skipped,
                        ..
                    }) => {
                        if skipped && anchor != 0 {
                            // An alias to it would copy what was left out.
                            return Err(Stop::NeedsWholeTrees);
                        }
                        let entries: Vec<Entry> = self.entries.drain(first..).collect();
                        let left_out = self.left_out_keys.split_off(first_left_out);
                        self.note_duplicates(&entries, &left_out);
                        let last_end = last_end.unwrap_or(start);
                        (
                            Node {
                                span: Span::new(start, end.max(last_end)),
                                value: Value::Map(merge_keys(entries).into_boxed_slice()),
                            },
                            anchor,
                        )
                    }
                    None => return Ok(()),
                };
                self.complete(node_and_anchor.0, node_and_anchor.1)
            }
            Event::Alias(id) => {
                self.charge_alias(id, start)?;
                let Some(target) = self.anchors.get(&id) else {
                    return Err(Stop::NeedsWholeTrees); // its anchor was left out
                };
                let mut node = target.clone();
                node.span = Span::new(start, self.trim_end(self.byte(span.end.index())));
                self.complete(node, 0)
            }
            Event::DocumentStart(_) => {
                self.duplicate_keys.clear();
                self.anchors.clear();
                self.skip.anchors.clear();
                self.kind = None;
                self.skipped_in_document = false;
                Ok(())
            }
            Event::DocumentEnd => {
                self.head = self.head.max(start);
                Ok(())
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => Ok(()),
        }
    }

    fn open(&mut self, frame: Frame) -> Result<(), Stop> {
        let start = match &frame {
            Frame::Seq { start, .. } | Frame::Map { start, .. } => *start,
        };
        self.check_depth(self.stack.len(), start)?;
        self.stack.push(frame);
        Ok(())
    }

    /// Refuses to open a collection at `depth` past the limit.
    fn check_depth(&self, depth: usize, start: usize) -> Result<(), Stop> {
        if depth >= super::LIMITS.max_depth {
            return Err(Stop::Error(LoadError {
                offset: start,
                message: format!("nesting deeper than {} levels", super::LIMITS.max_depth),
            }));
        }
        Ok(())
    }

    /// Charges the nodes an alias expands to against the budget.
    fn charge_alias(&mut self, id: usize, start: usize) -> Result<(), Stop> {
        let size = match (self.anchors.get(&id), self.skip.anchors.get(&id)) {
            (Some(target), _) => target.size(),
            (None, Some(&size)) => size,
            (None, None) => {
                return Err(Stop::Error(LoadError {
                    offset: start,
                    message: "alias to an unknown anchor".into(),
                }))
            }
        };
        self.alias_nodes += size;
        if self.alias_nodes > super::LIMITS.max_alias_nodes {
            return Err(Stop::Error(LoadError {
                offset: start,
                message: format!(
                    "aliases expand to more than {} nodes (an alias bomb?)",
                    super::LIMITS.max_alias_nodes
                ),
            }));
        }
        Ok(())
    }

    /// The level of a mapping about to open, from the frame it opens in.
    fn level_of_new_mapping(&self) -> Level {
        match self.stack.last() {
            None => Level::OnPath(None),
            Some(Frame::Map {
                level: Level::OnPath(_),
                key: Some(key),
                ..
            }) if self.prune.is_some() && self.stack.len() <= MAX_PRUNE_DEPTH => {
                match key.as_scalar() {
                    Some(key) => Level::OnPath(Some(key.text.clone())),
                    None => Level::Other,
                }
            }
            // An item of a sequence that is the value of a key on the path: `key[]`.
            Some(Frame::Seq { .. })
                if self.prune.is_some() && self.stack.len() <= MAX_PRUNE_DEPTH =>
            {
                match self.stack.get(self.stack.len().wrapping_sub(2)) {
                    Some(Frame::Map {
                        level: Level::OnPath(_),
                        key: Some(key),
                        ..
                    }) => match key.as_scalar() {
                        Some(key) => Level::OnPath(Some(format!("{}[]", key.text).into())),
                        None => Level::Other,
                    },
                    _ => Level::Other,
                }
            }
            Some(_) => Level::Other,
        }
    }

    /// Whether the value of the key just read in the innermost mapping (at `level`) may be
    /// left out.
    fn may_skip(&self, level: &Level, key: &Node) -> bool {
        let (Some(prune), Some(kind), Some(key)) = (self.prune, &self.kind, key.as_scalar()) else {
            return false;
        };
        if *level == Level::Other {
            return false;
        }
        // A mapping on the path sits in mappings on the path: its frames give the keys.
        let mut path = [""; MAX_PRUNE_DEPTH];
        let mut depth = 0;
        for frame in self.stack.iter().skip(1) {
            if let Frame::Map {
                level: Level::OnPath(Some(key)),
                ..
            } = frame
            {
                if depth == MAX_PRUNE_DEPTH {
                    return false;
                }
                path[depth] = key;
                depth += 1;
            }
        }
        prune(kind, &path[..depth], &key.text)
    }

    /// Records the keys a mapping sets twice: its `entries` (before merge keys apply) and
    /// the entries it left out.
    fn note_duplicates(&mut self, entries: &[Entry], left_out: &[LeftOutKey]) {
        fn view(entry: &Entry) -> KeyView<'_> {
            let key = entry.key.as_scalar();
            (
                key.filter(|k| !is_merge_key(&k.text, k.style))
                    .map(|k| &*k.text),
                entry.key.span,
                entry.value.as_str(),
            )
        }
        if left_out.is_empty() {
            note_duplicate_keys(
                entries.len(),
                |i| view(&entries[i]),
                &mut self.duplicate_keys,
            );
            return;
        }
        let mut keys: Vec<KeyView<'_>> = entries.iter().map(view).collect();
        keys.extend(
            left_out
                .iter()
                .map(|k| (k.key.as_deref(), k.span, k.value.as_deref())),
        );
        keys.sort_by_key(|(_, span, _)| span.start);
        note_duplicate_keys(keys.len(), |i| keys[i], &mut self.duplicate_keys);
    }

    /// Attaches a finished node to its parent, or ends the document when it is the root.
    fn complete(&mut self, node: Node, anchor: usize) -> Result<(), Stop> {
        if anchor != 0 {
            self.skip.anchors.remove(&anchor);
            self.anchors.insert(anchor, node.clone());
        }
        let skip = match self.stack.last() {
            Some(Frame::Map {
                key: None, level, ..
            }) => self.may_skip(level, &node),
            _ => false,
        };
        match self.stack.last_mut() {
            Some(Frame::Seq { .. }) => self.items.push(node),
            Some(Frame::Map {
                key,
                last_end,
                level,
                skipped,
                ..
            }) => match key.take() {
                Some(k) => {
                    *last_end = Some(node.span.end);
                    if level.is_root() && k.as_scalar().is_some_and(|s| &*s.text == "kind") {
                        if self.skipped_in_document {
                            // What was left out was chosen by an earlier `kind`.
                            return Err(Stop::NeedsWholeTrees);
                        }
                        self.kind = node.as_str().map(Box::from);
                    }
                    self.entries.push(Entry {
                        key: k,
                        value: node,
                    });
                }
                None if skip => {
                    let key = node.as_scalar();
                    self.left_out_keys.push(LeftOutKey {
                        key: key
                            .filter(|k| !is_merge_key(&k.text, k.style))
                            .map(|k| k.text.clone()),
                        span: node.span,
                        value: None,
                    });
                    *skipped = true;
                    self.skipped_in_document = true;
                    self.skip.pending = true;
                }
                None => *key = Some(node),
            },
            None => {
                let end = node.span.end;
                self.document = Some(Document {
                    root: node,
                    head: self.head,
                    duplicate_keys: std::mem::take(&mut self.duplicate_keys),
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

fn style_of(style: ParserStyle) -> ScalarStyle {
    match style {
        ParserStyle::Plain => ScalarStyle::Plain,
        ParserStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        ParserStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        ParserStyle::Literal => ScalarStyle::Literal,
        ParserStyle::Folded => ScalarStyle::Folded,
    }
}

/// The parser's message, in words a user acts on where it is terse.
fn parser_message(info: &str) -> String {
    match info {
        "recursion limit exceeded" => {
            format!("nesting deeper than {} levels", LIMITS.max_depth)
        }
        other => other.to_string(),
    }
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
    fn pruned_values_are_left_out_and_spans_kept() {
        fn prune(kind: &str, path: &[&str], key: &str) -> bool {
            kind == "X" && path.is_empty() && key == "data"
        }
        let src = "kind: X\nkeep: 1\ndata:\n  a: [1, 2]\n  b: |\n    text\n\n";
        let mut documents = Vec::new();
        for_each_pruned(src, prune, |d| documents.push(d)).unwrap();
        let whole = load_documents(src).documents;
        assert!(documents[0].root.get("data").is_none());
        assert_eq!(documents[0].root.get("keep"), whole[0].root.get("keep"));
        assert_eq!(documents[0].root.span, whole[0].root.span);
        // An alias to a left-out anchor needs the whole tree.
        let src = "kind: X\ndata: &a {k: v}\nkeep: *a\n";
        assert_eq!(
            for_each_pruned(src, prune, |_| {}),
            Err(Stop::NeedsWholeTrees)
        );
    }

    /// go-yaml (kubectl) and libyaml read these; the values are PyYAML's (`CSafeLoader`).
    #[test]
    fn quoted_scalars_continued_at_their_key_indentation_are_read_as_kubectl_reads_them() {
        let src = "spec:\n  description: 'first line\n  goes on'\n  other: \"a\n b\n\n\tc\"\nnext: 'x\nat the margin'\n";
        let loaded = load_documents(src);
        assert_eq!(loaded.error, None);
        let root = &loaded.documents[0].root;
        assert_eq!(
            root.path(&["spec", "description"]).unwrap().as_str(),
            Some("first line goes on")
        );
        assert_eq!(
            root.path(&["spec", "other"]).unwrap().as_str(),
            Some("a b\nc")
        );
        assert_eq!(root.get("next").unwrap().as_str(), Some("x at the margin"));
        assert_eq!(
            text_of(src, root.path(&["spec", "description"]).unwrap()),
            "'first line\n  goes on'"
        );
        // Still an error, as in go-yaml: a document marker inside the scalar.
        assert!(load_documents("a: 'x\n---\n'\n").error.is_some());
    }

    #[test]
    fn a_tab_after_a_key_colon_separates_as_a_space_does() {
        let src = "a:\tx\nb: {c:\ty}\nd:\t-1\n";
        let loaded = load_documents(src);
        assert_eq!(loaded.error, None);
        let root = &loaded.documents[0].root;
        assert_eq!(root.get("a").unwrap().as_str(), Some("x"));
        assert_eq!(root.path(&["b", "c"]).unwrap().as_str(), Some("y"));
        assert_eq!(root.get("d").unwrap().as_str(), Some("-1"));
        assert_eq!(text_of(src, root.get("a").unwrap()), "x");
        // A tab cannot indent a block collection that starts on the key's line, nor follow
        // a complex key's `:` (yaml-test-suite Y79Y); go-yaml rejects these too.
        for bad in ["a:\t- x\n", "? a\n:\t- b\n", "? a\n:\tb: c\n", "a:\tb: c\n"] {
            assert!(load_documents(bad).error.is_some(), "{bad:?}");
        }
    }

    #[test]
    fn error_keeps_earlier_documents() {
        let src = "a: 1\n---\nb: [\n";
        let loaded = load_documents(src);
        assert_eq!(loaded.documents.len(), 1);
        assert!(loaded.error.is_some());
    }
}
