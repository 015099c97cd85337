//! Leaving a value out while parsing: its events are read but no node is built. Its end,
//! its size and its anchors are tracked as building would track them, so the spans around
//! it, alias accounting, depth limits and errors do not change.

use std::collections::HashMap;

use saphyr_parser::{Event, Span as ParserSpan};

use super::{style_of, Builder, Frame, Stop};

#[derive(Default)]
pub(super) struct Skip {
    /// The next value is to be left out.
    pub(super) pending: bool,
    /// Open collections inside the value being left out.
    stack: Vec<SkipFrame>,
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
}

impl Skip {
    pub(super) fn active(&self) -> bool {
        self.pending || !self.stack.is_empty()
    }
}

impl Builder<'_> {
    /// Handles one event of a value being left out.
    pub(super) fn skip_event(&mut self, event: Event<'_>, span: ParserSpan) -> Result<(), Stop> {
        let start = self.byte(span.start.index());
        match event {
            Event::Scalar(_, style, anchor, _) => {
                let end = self.scalar_end(start, self.byte(span.end.index()), style_of(style));
                self.left_out(end.max(start), 1, anchor);
            }
            Event::Alias(id) => {
                self.charge_alias(id, start)?;
                let size = match (self.anchors.get(&id), self.skip.anchors.get(&id)) {
                    (Some(target), _) => target.size(),
                    (None, size) => size.copied().unwrap_or(1),
                };
                let end = self.trim_end(self.byte(span.end.index()));
                self.left_out(end.max(start), size, 0);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                self.check_depth(self.stack.len() + self.skip.stack.len(), start)?;
                self.skip.pending = false;
                self.skip.stack.push(SkipFrame {
                    start,
                    last_end: None,
                    size: 1,
                    anchor,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let end = self.trim_end(self.byte(span.end.index()));
                if let Some(frame) = self.skip.stack.pop() {
                    let end = end
                        .max(frame.last_end.unwrap_or(frame.start))
                        .max(frame.start);
                    self.left_out(end, frame.size, frame.anchor);
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

    /// Records a finished node that was left out: in its left-out parent, or as the value
    /// of the mapping entry being dropped.
    fn left_out(&mut self, end: usize, size: usize, anchor: usize) {
        self.skip.pending = false;
        if anchor != 0 {
            self.anchors.remove(&anchor);
            self.skip.anchors.insert(anchor, size);
        }
        match self.skip.stack.last_mut() {
            Some(parent) => {
                parent.last_end = Some(end);
                parent.size += size;
            }
            None => {
                if let Some(Frame::Map { last_end, .. }) = self.stack.last_mut() {
                    *last_end = Some(end);
                }
            }
        }
    }
}
