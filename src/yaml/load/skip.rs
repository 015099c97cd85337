//! Leaving a value out while parsing: its events are read but no node is built. Its end,
//! its size and its anchors are tracked as building would track them, so the spans around
//! it, alias accounting, depth limits and errors do not change.
//!
//! Duplicate keys must be found in it too. Each mapping's keys are compared by hash alone
//! (a left-out value is mostly containers: many small mappings, and keeping their keys'
//! text, spans and values cost more than the rest of leaving them out); a key whose hash
//! was seen before in the same mapping asks for the file to be parsed again whole, where
//! the built mappings report it with every detail. Real duplicates are rare, a hash
//! collision only costs that second parse.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::BuildHasher;

use saphyr_parser::{Event, Span as ParserSpan};

use super::{is_merge_key, style_of, Builder, Frame, Stop};
use crate::yaml::node::is_null_scalar;

#[derive(Default)]
pub(super) struct Skip {
    /// The next value is to be left out.
    pub(super) pending: bool,
    /// Open collections inside the value being left out.
    stack: Vec<SkipFrame>,
    /// The key hashes of the open left-out mappings, innermost last (one scratch list, not
    /// one per mapping).
    key_hashes: Vec<u64>,
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
    /// For a mapping, where its key hashes start in `Skip::key_hashes`; `None` for a
    /// sequence.
    first_key: Option<usize>,
    /// For a mapping, whether the next child is a key.
    expect_key: bool,
}

/// A finished left-out node as its parent sees it.
struct Finished<'t> {
    end: usize,
    size: usize,
    anchor: usize,
    /// A scalar's text and style, when it is one.
    scalar: Option<(Cow<'t, str>, super::ScalarStyle, bool)>,
}

impl Skip {
    pub(super) fn active(&self) -> bool {
        self.pending || !self.stack.is_empty()
    }
}

/// The hash keys are compared by: fixed, so a run is repeatable.
fn key_hash(key: &str) -> u64 {
    foldhash::fast::FixedState::with_seed(0).hash_one(key)
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
                    end: end.max(start),
                    size: 1,
                    anchor,
                    scalar: Some((text, style, tag.is_some())),
                })?;
            }
            Event::Alias(id) => {
                self.charge_alias(id, start)?;
                let size = match (self.anchors.get(&id), self.skip.anchors.get(&id)) {
                    (Some(target), _) => target.size(),
                    (None, size) => size.copied().unwrap_or(1),
                };
                let end = self.trim_end(self.byte(span.end.index()));
                self.left_out(Finished {
                    end: end.max(start),
                    size,
                    anchor: 0,
                    scalar: None,
                })?;
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
                    first_key: is_mapping.then_some(self.skip.key_hashes.len()),
                    expect_key: true,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let end = self.trim_end(self.byte(span.end.index()));
                if let Some(frame) = self.skip.stack.pop() {
                    if let Some(first) = frame.first_key {
                        self.skip.key_hashes.truncate(first);
                    }
                    let end = end
                        .max(frame.last_end.unwrap_or(frame.start))
                        .max(frame.start);
                    self.left_out(Finished {
                        end,
                        size: frame.size,
                        anchor: frame.anchor,
                        scalar: None,
                    })?;
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
    fn left_out(&mut self, node: Finished<'t>) -> Result<(), Stop> {
        self.skip.pending = false;
        if node.anchor != 0 {
            self.anchors.remove(&node.anchor);
            self.skip.anchors.insert(node.anchor, node.size);
        }
        match self.skip.stack.last_mut() {
            Some(parent) => {
                parent.last_end = Some(node.end);
                parent.size += node.size;
                if let Some(first) = parent.first_key {
                    let is_key = parent.expect_key;
                    parent.expect_key = !is_key;
                    match node.scalar {
                        Some((text, style, _)) if is_key && !is_merge_key(&text, style) => {
                            let hash = key_hash(&text);
                            let keys = &mut self.skip.key_hashes;
                            if keys[first..].contains(&hash) {
                                // Perhaps a duplicate: the whole tree reports it exactly.
                                return Err(Stop::NeedsWholeTrees);
                            }
                            keys.push(hash);
                        }
                        _ => {}
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
                        .filter(|(text, style, tagged)| !is_null_scalar(text, *style, *tagged))
                        .map(|(text, _, _)| text.as_ref().into());
                }
            }
        }
        Ok(())
    }
}
