//! Keys a mapping sets twice: kubectl keeps the last, `duplicate-key` reports the others.

use super::DuplicateKey;
use crate::source::Span;

/// Each entry of a mapping of `len` entries whose key (`key(i)`, `None` when it is not a
/// plain key) appears again later, with the index of the last entry of that key (the one
/// kubectl keeps). Most mappings are small and have none: those are compared pairwise,
/// without allocating; larger ones are sorted.
pub(super) fn duplicates<'k>(
    len: usize,
    key: impl Fn(usize) -> Option<&'k str>,
) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    if len < 2 {
        return found;
    }
    if len <= 16 {
        for i in 0..len {
            let Some(k) = key(i) else { continue };
            if let Some(last) = (i + 1..len).rev().find(|&j| key(j) == Some(k)) {
                found.push((i, last));
            }
        }
        return found;
    }
    let mut keys: Vec<(&str, usize)> = (0..len).filter_map(|i| key(i).map(|k| (k, i))).collect();
    keys.sort_unstable();
    for group in keys.chunk_by(|a, b| a.0 == b.0) {
        if let Some((_, last)) = group.last() {
            found.extend(group[..group.len() - 1].iter().map(|(_, i)| (*i, *last)));
        }
    }
    found.sort_unstable();
    found
}

/// A mapping entry as duplicate detection sees it: the key's text (`None` for a key that is
/// not a scalar, and for a merge key), the key's span, and the value's text when it is a
/// non-null scalar.
pub(super) type KeyView<'k> = (Option<&'k str>, Span, Option<&'k str>);

/// The key of an entry a built mapping left out, and its value's text once read.
pub(super) struct LeftOutKey {
    pub(super) key: Option<Box<str>>,
    pub(super) span: Span,
    pub(super) value: Option<Box<str>>,
}

/// Adds to `out` each key of a mapping (of `len` entries, seen through `view`, in source
/// order) that a later entry sets again.
pub(super) fn note_duplicate_keys<'k>(
    len: usize,
    view: impl Fn(usize) -> KeyView<'k>,
    out: &mut Vec<DuplicateKey>,
) {
    for (dropped, kept) in duplicates(len, |i| view(i).0) {
        let (key, span, _) = view(dropped);
        out.push(DuplicateKey {
            key: key.unwrap_or_default().into(),
            span,
            kept_value: view(kept).2.map(Box::from),
        });
    }
}
