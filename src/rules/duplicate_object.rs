//! `duplicate-object`: one cluster's manifests define the same object twice. The graph
//! already keeps only the later definition (what `kubectl apply` leaves); this rule says
//! so, on the earlier one.

use super::describe::object_phrase;
use super::RuleContext;

pub fn check(ctx: &mut RuleContext<'_, '_>) {
    let graph = ctx.graph;
    for duplicate in &graph.duplicates {
        let (earlier, later) = (duplicate.earlier, duplicate.later);
        let finding = ctx.report(
            earlier,
            earlier.name_span(),
            "metadata.name",
            format!(
                "{} is defined twice in this cluster: `kubectl apply` keeps the later definition, so this one never takes effect \
                 and edits to it are lost. Keep one of the two.",
                object_phrase(graph, earlier),
            ),
        );
        finding.with_related(
            later,
            later.name_span(),
            format!("the later definition of {}", object_phrase(graph, later)),
        );
    }
}
