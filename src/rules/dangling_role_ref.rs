//! `dangling-role-ref`: a binding whose `roleRef` names a role that neither the input nor
//! the built-in ClusterRoles define. The binding grants nothing until such a role appears,
//! and then it grants whatever that role says, unreviewed. A Role found only in another
//! namespace is `cross-namespace-reference`'s.

use super::describe::{namespace_phrase, object_phrase};
use super::RuleContext;

pub fn check(ctx: &mut RuleContext<'_, '_>) {
    let graph = ctx.graph;
    for binding in &graph.bindings {
        let Some(role_ref) = &binding.role_ref else {
            continue;
        };
        if !matches!(role_ref.kind, "Role" | "ClusterRole") || graph.bound_role(binding).is_some() {
            continue;
        }
        if role_ref.kind == "Role" && graph.roles_named(role_ref.name).any(|r| !r.cluster) {
            continue;
        }
        if role_ref.kind == "ClusterRole"
            && crate::model::builtin::exists_in_every_cluster(role_ref.name)
        {
            continue;
        }
        // The role is there but invalid: `invalid-field-type` reports it.
        let namespace = binding
            .namespace
            .as_ref()
            .filter(|_| role_ref.kind == "Role");
        if graph.rejected_object(role_ref.kind, role_ref.name, namespace) {
            continue;
        }
        let place = match (&binding.namespace, role_ref.kind) {
            (Some(ns), "Role") => format!("a Role of {}", namespace_phrase(ns)),
            _ => format!(
                "a ClusterRole in the manifests or among the built-in ClusterRoles of Kubernetes {}",
                crate::model::builtin::KUBERNETES_VERSION
            ),
        };
        ctx.report(
            binding.object,
            role_ref.name_span,
            "roleRef",
            format!(
                "{} refers to {} `{}`, which is not {place}: the binding grants nothing until a role of that name appears, \
                 and then grants whatever it says without review here. Add the role to the manifests, fix the name, or remove the binding.",
                object_phrase(graph, binding.object),
                role_ref.kind,
                role_ref.name,
            ),
        );
    }
}
