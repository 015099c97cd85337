//! `duplicate-key`: a mapping of an object salint reads sets the same key twice. kubectl's
//! decoder keeps the last value and drops the others (the API server warns about the
//! duplicate field); salint reads the same value, and reports the dropped one, since a
//! reviewer reading top-down sees the first.

use std::collections::HashMap;

use super::describe::object_phrase;
use super::Emitter;
use crate::model::Object;
use crate::yaml::{Node, Value};

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
                    let mut last: HashMap<&str, &Node> = HashMap::new();
                    for entry in entries.iter() {
                        if let Some(key) = entry.key.as_scalar() {
                            last.insert(&key.text, &entry.key);
                        }
                    }
                    if last.len() != entries.len() {
                        for entry in entries.iter() {
                            let Some(key) = entry.key.as_scalar() else {
                                continue;
                            };
                            let kept = last[&*key.text];
                            if std::ptr::eq(kept, &entry.key) {
                                continue;
                            }
                            let kept_value = entries
                                .iter()
                                .find(|e| std::ptr::eq(&e.key, kept))
                                .and_then(|e| e.value.as_str())
                                .map(|v| format!(" (`{v}`)"))
                                .unwrap_or_default();
                            emit.report(
                                object,
                                entry.key.span,
                                format!("duplicate:{}@{}", key.text, entry.key.span.start),
                                format!(
                                    "{} sets `{}` twice in this mapping: kubectl keeps the later value{kept_value} and drops this one, \
                                     and the API server only warns. Remove one of the two.",
                                    object_phrase(graph, object),
                                    key.text,
                                ),
                            );
                        }
                    }
                    stack.extend(entries.iter().map(|e| &e.value));
                }
            }
        }
    }
}
