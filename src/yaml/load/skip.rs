//! Leaving a value out while parsing: its events are read but no node is built. Its end,
//! its size and its anchors are tracked as building would track them, so the spans around
//! it, alias accounting, depth limits and errors do not change; the keys of its mappings
//! are compared as built mappings' are, so duplicate keys are found in it too.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Span as ParserSpan};

use super::{is_merge_key, note_duplicate_keys, style_of, Builder, Frame, Stop};
use crate::source::Span;
use crate::yaml::node::is_null_scalar;

#[derive(Default)]
pub(super) struct Skip<'t> {
    /// The next value is to be left out.
    pub(super) pending: bool,
    /// Open collections inside the value being left out.
    stack: Vec<SkipFrame>,
    /// The entries of the open left-out mappings, innermost last (one scratch list, not
    /// one per mapping: containers are many small mappings).
    entries: Vec<SkippedEntry<'t>>,
    /// Node counts of anchored values that were left out, for alias accounting.
    pub(super) anchors: HashMap<usize, usize>,
}

/// A collection being left out.
struct SkipFrame {
    start: usize,
    /// The end of its last child (for a mapping, the last value).
    last_end: Option<usize>,
    /// Nodes in it so far, itself included (what `Node::size` would count).
    size: usize,
    anchor: usize,
    /// For a mapping, where its entries start in `Skip::entries`; `None` for a sequence.
    first_entry: Option<usize>,
}

/// What duplicate-key detection needs of a left-out mapping entry.
struct SkippedEntry<'t> {
    /// The key's text, when it is a scalar and not a merge key.
    key: Option<Cow<'t, str>>,
    key_span: Span,
    /// The value's text, when it has been read and is a non-null scalar.
    value: Option<Cow<'t, str>>,
    /// Whether the value has been read.
    complete: bool,
}

/// A finished left-out node as its parent sees it.
struct Finished<'t> {
    start: usize,
    end: usize,
    size: usize,
    anchor: usize,
    scalar: Option<FinishedScalar<'t>>,
}

struct FinishedScalar<'t> {
    text: Cow<'t, str>,
    is_null: bool,
    is_merge_key: bool,
}

impl Skip<'_> {
    pub(super) fn active(&self) -> bool {
        self.pending || !self.stack.is_empty()
    }
}

impl<'t> Builder<'t> {
    /// Handles one event of a value being left out.
    pub(super) fn skip_event(&mut self, event: Event<'t>, span: ParserSpan) -> Result<(), Stop> {
        let start = self.byte(span.start.index());
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let style = style_of(style);
                let end = self.scalar_end(start, self.byte(span.end.index()), style);
                self.left_out(Finished {
                    start,
                    end: end.max(start),
                    size: 1,
                    anchor,
                    scalar: Some(FinishedScalar {
                        is_null: is_null_scalar(&text, style, tag.is_some()),
                        is_merge_key: is_merge_key(&text, style),
                        text,
                    }),
                });
            }
            Event::Alias(id) => {
                self.charge_alias(id, start)?;
                let size = match (self.anchors.get(&id), self.skip.anchors.get(&id)) {
                    (Some(target), _) => target.size(),
                    (None, size) => size.copied().unwrap_or(1),
                };
                let end = self.trim_end(self.byte(span.end.index()));
                self.left_out(Finished {
                    start,
                    end: end.max(start),
                    size,
                    anchor: 0,
                    scalar: None,
                });
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                self.check_depth(self.stack.len() + self.skip.stack.len(), start)?;
                self.skip.pending = false;
                let is_mapping = matches!(event, Event::MappingStart(..));
                self.skip.stack.push(SkipFrame {
                    start,
                    last_end: None,
                    size: 1,
                    anchor,
                    first_entry: is_mapping.then_some(self.skip.entries.len()),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let end = self.trim_end(self.byte(span.end.index()));
                if let Some(frame) = self.skip.stack.pop() {
                    if let Some(first) = frame.first_entry {
                        let entries = &self.skip.entries[first..];
                        let view = |i: usize| {
                            let entry: &SkippedEntry<'t> = &entries[i];
                            (entry.key.as_deref(), entry.key_span, entry.value.as_deref())
                        };
                        note_duplicate_keys(entries.len(), view, &mut self.duplicate_keys);
                        self.skip.entries.truncate(first);
                    }
                    let end = end
                        .max(frame.last_end.unwrap_or(frame.start))
                        .max(frame.start);
                    self.left_out(Finished {
                        start: frame.start,
                        end,
                        size: frame.size,
                        anchor: frame.anchor,
                        scalar: None,
                    });
                }
            }
            Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd
            | Event::Nothing => {}
        }
        Ok(())
    }

    /// Records a finished node that was left out: in its left-out parent (as a mapping's
    /// key or value, or a sequence's item), or as the value of the mapping entry being
    /// dropped.
    fn left_out(&mut self, node: Finished<'t>) {
        self.skip.pending = false;
        if node.anchor != 0 {
            self.anchors.remove(&node.anchor);
            self.skip.anchors.insert(node.anchor, node.size);
        }
        match self.skip.stack.last_mut() {
            Some(parent) => {
                parent.last_end = Some(node.end);
                parent.size += node.size;
                if let Some(first) = parent.first_entry {
                    let entries = &mut self.skip.entries;
                    let open = entries.len() > first;
                    match entries.last_mut().filter(|_| open) {
                        Some(entry) if !entry.complete => {
                            entry.value = node.scalar.filter(|s| !s.is_null).map(|s| s.text);
                            entry.complete = true;
                        }
                        _ => entries.push(SkippedEntry {
                            key: node.scalar.filter(|s| !s.is_merge_key).map(|s| s.text),
                            key_span: Span::new(node.start, node.end),
                            value: None,
                            complete: false,
                        }),
                    }
                }
            }
            None => {
                if let Some(Frame::Map { last_end, .. }) = self.stack.last_mut() {
                    *last_end = Some(node.end);
                }
                // The value of the entry its mapping left out.
                if let Some(entry) = self.left_out_keys.last_mut() {
                    entry.value = node
                        .scalar
                        .filter(|s| !s.is_null)
                        .map(|s| s.text.as_ref().into());
                }
            }
        }
    }
}
