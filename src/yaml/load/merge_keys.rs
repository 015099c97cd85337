//! YAML merge keys (`<<: *base`), which kubectl's YAML 1.1 reader honours.

use crate::yaml::{Entry, Node, ScalarStyle, Value};

/// `<<` written plain: a merge key, not a key of its own.
pub(super) fn is_merge_key(text: &str, style: ScalarStyle) -> bool {
    text == "<<" && style == ScalarStyle::Plain
}

/// Applies YAML merge keys (`<<: *base`), which kubectl's YAML 1.1 reader honours: the
/// merged mapping's entries are added where the mapping does not set the key itself.
pub(super) fn merge_keys(entries: Vec<Entry>) -> Vec<Entry> {
    let is_merge = |e: &Entry| {
        e.key
            .as_scalar()
            .is_some_and(|k| is_merge_key(&k.text, k.style))
    };
    if !entries.iter().any(is_merge) {
        return entries;
    }
    let (merges, mut own): (Vec<Entry>, Vec<Entry>) = entries.into_iter().partition(is_merge);
    for merge in merges {
        let sources: Vec<Node> = match merge.value.value {
            Value::Map(_) => vec![merge.value],
            Value::Seq(items) => items.into_vec(),
            Value::Scalar(_) => continue,
        };
        for source in sources {
            if let Value::Map(source_entries) = source.value {
                for entry in source_entries.into_vec() {
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
