//! Byte offsets of the parser's character indexes.

/// Converts saphyr's character indexes into byte offsets. ASCII text maps one to one;
/// otherwise a checkpoint every 64 characters keeps the walk short.
pub(super) struct OffsetMap {
    ascii: bool,
    checkpoints: Vec<usize>,
    len: usize,
}

const CHECKPOINT_EVERY: usize = 64;

impl OffsetMap {
    pub(super) fn new(text: &str) -> Self {
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

    pub(super) fn byte_in(&self, text: &str, char_index: usize) -> usize {
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
