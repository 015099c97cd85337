//! `duplicate-key`: a mapping of an object salint reads sets the same key twice. kubectl's
//! decoder keeps the last value and drops the others (the API server warns about the
//! duplicate field); salint reads the same value, and reports the dropped one, since a
//! reviewer reading top-down sees the first. The loader finds the keys while parsing (in
//! parts of the tree it leaves out, too); this rule chooses the objects and words them.

use super::describe::object_phrase;
use super::RuleContext;
use crate::model::Object;

pub fn check(ctx: &mut RuleContext<'_, '_>) {
    let graph = ctx.graph;
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
        for duplicate in &object.duplicate_keys {
            let key = &duplicate.key;
            let kept_value = duplicate
                .kept_value
                .as_ref()
                .map(|v| format!(" (`{v}`)"))
                .unwrap_or_default();
            ctx.report(
                object,
                duplicate.span,
                format!("duplicate:{key}@{}", duplicate.span.start),
                format!(
                    "{} sets `{key}` twice in this mapping: kubectl keeps the later value{kept_value} and drops this one, \
                     and the API server only warns. Remove one of the two.",
                    object_phrase(graph, object),
                ),
            );
        }
    }
}
