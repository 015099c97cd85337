//! `duplicate-key`: a mapping of an object salint reads sets the same key twice. kubectl's
//! decoder keeps the last value and drops the others (the API server warns about the
//! duplicate field); salint reads the same value, and reports the dropped one, since a
//! reviewer reading top-down sees the first.

use super::describe::object_phrase;
use super::Emitter;
use crate::model::Object;
use crate::yaml::{Entry, Node, Value};

pub fn check(emit: &mut Emitter<'_, '_>) {
    let graph = emit.graph;
    let mut objects: Vec<&Object> = graph
        .workloads
        .iter()
        .map(|w| w.object)
        .chain(graph.service_accounts.iter().map(|s| s.object))
        .chain(graph.roles.iter().filter(|r| !r.builtin).map(|r| r.object))
        .chain(graph.bindings.iter().map(|b| b.object))
        .chain(graph.token_secrets.iter().map(|s| s.object))
        .collect();
    objects.sort_by_key(|o| o.index);
    objects.dedup_by_key(|o| o.index);
    for object in objects {
        let mut stack: Vec<&Node> = vec![&object.root];
        while let Some(node) = stack.pop() {
            match &node.value {
                Value::Scalar(_) => {}
                Value::Seq(items) => stack.extend(items.iter()),
                Value::Map(entries) => {
                    for (dropped, kept) in duplicates(entries) {
                        let key = &*entries[dropped].key.as_scalar().expect("scalar key").text;
                        let kept_value = entries[kept]
                            .value
                            .as_str()
                            .map(|v| format!(" (`{v}`)"))
                            .unwrap_or_default();
                        let span = entries[dropped].key.span;
                        emit.report(
                            object,
                            span,
                            format!("duplicate:{key}@{}", span.start),
                            format!(
                                "{} sets `{key}` twice in this mapping: kubectl keeps the later value{kept_value} and drops this one, \
                                 and the API server only warns. Remove one of the two.",
                                object_phrase(graph, object),
                            ),
                        );
                    }
                    stack.extend(entries.iter().map(|e| &e.value));
                }
            }
        }
    }
}

/// Each entry whose scalar key appears again later, with the index of the last entry of
/// that key (the one kubectl keeps). Sorting the keys finds them without hashing: most
/// mappings are small and have none.
fn duplicates(entries: &[Entry]) -> Vec<(usize, usize)> {
    if entries.len() < 2 {
        return Vec::new();
    }
    let mut keys: Vec<(&str, usize)> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.key.as_scalar().map(|k| (&*k.text, i)))
        .collect();
    keys.sort_unstable();
    let mut found = Vec::new();
    for group in keys.chunk_by(|a, b| a.0 == b.0) {
        if let Some((_, last)) = group.last() {
            found.extend(group[..group.len() - 1].iter().map(|(_, i)| (*i, *last)));
        }
    }
    found.sort_unstable();
    found
}
