//! `cross-namespace-reference`: references that reach, or silently fail to reach, into
//! another namespace. Namespaces are compared only when both are known.

use super::describe::{
    namespace_phrase, object_phrase, role_phrase, service_account_phrase, short_list,
};
use super::RuleContext;
use crate::model::rbac::SubjectKind;
use crate::model::Namespace;

/// Related locations shown per finding at most.
const RELATED_LIMIT: usize = 5;

pub fn check(ctx: &mut RuleContext<'_, '_>) {
    subjects_from_other_namespaces(ctx);
    roles_from_other_namespaces(ctx);
    service_accounts_from_other_namespaces(ctx);
    token_secrets_for_other_namespaces(ctx);
}

/// A RoleBinding whose ServiceAccount subject lives in another namespace.
fn subjects_from_other_namespaces(ctx: &mut RuleContext<'_, '_>) {
    let graph = ctx.graph;
    for binding in &graph.bindings {
        let Some(binding_ns) = &binding.namespace else {
            continue;
        };
        for subject in &binding.subjects {
            let Some(namespace_span) = subject.namespace_span else {
                continue;
            };
            if subject.kind != SubjectKind::ServiceAccount
                || !subject.namespace.differs_from(binding_ns)
                || involves_system(ctx, &[binding_ns, &subject.namespace])
            {
                continue;
            }
            let sa = service_account_phrase(&subject.namespace, subject.name);
            let finding = ctx.report(
                binding.object,
                namespace_span,
                format!("subjects[ServiceAccount:{sa}].namespace"),
                format!(
                    "{} grants {} in {} to ServiceAccount {sa} of another namespace: whoever controls a pod in {} reaches into {}. \
                     Use a ServiceAccount of the binding's own namespace, or keep this grant as a reviewed exception.",
                    object_phrase(graph, binding.object),
                    role_phrase(binding),
                    namespace_phrase(binding_ns),
                    namespace_phrase(&subject.namespace),
                    namespace_phrase(binding_ns),
                ),
            );
            if let Some(account) = graph.service_account(&subject.namespace, subject.name) {
                finding.with_related(
                    account.object,
                    account.object.name_span(),
                    format!("ServiceAccount {sa} is defined here"),
                );
            }
        }
    }
}

/// A RoleBinding whose Role exists only in another namespace: it grants nothing.
fn roles_from_other_namespaces(ctx: &mut RuleContext<'_, '_>) {
    let graph = ctx.graph;
    for binding in &graph.bindings {
        let (Some(binding_ns), Some(role_ref)) = (&binding.namespace, &binding.role_ref) else {
            continue;
        };
        if role_ref.kind != "Role" {
            continue;
        }
        let candidates: Vec<_> = graph
            .roles_named(role_ref.name)
            .filter(|role| !role.cluster)
            .collect();
        let here = candidates.iter().any(|role| {
            role.namespace
                .as_ref()
                .is_some_and(|ns| ns.may_equal(binding_ns))
        });
        let elsewhere: Vec<_> = candidates
            .iter()
            .filter(|role| {
                role.namespace
                    .as_ref()
                    .is_some_and(|ns| ns.differs_from(binding_ns))
            })
            .collect();
        if here || elsewhere.is_empty() || involves_system(ctx, &[binding_ns]) {
            continue;
        }
        let places = sorted(
            elsewhere
                .iter()
                .filter_map(|role| role.namespace.as_ref().map(namespace_phrase))
                .collect(),
        );
        let finding = ctx.report(
            binding.object,
            role_ref.name_span,
            "roleRef",
            format!(
                "{} refers to Role `{}`, which exists only in {}: a RoleBinding can use only a Role of its own namespace ({}), so it grants nothing, \
                 and copying the Role over would widen access unreviewed. Reference a Role of {} or a ClusterRole.",
                object_phrase(graph, binding.object),
                role_ref.name,
                short_list(&places, 3),
                namespace_phrase(binding_ns),
                namespace_phrase(binding_ns),
            ),
        );
        // A few places are enough to act on; a name in every namespace would flood the report.
        for role in elsewhere.into_iter().take(RELATED_LIMIT) {
            finding.with_related(
                role.object,
                role.object.name_span(),
                format!("{} is defined here", object_phrase(graph, role.object)),
            );
        }
    }
}

/// A workload whose ServiceAccount is missing from its namespace but defined in another.
fn service_accounts_from_other_namespaces(ctx: &mut RuleContext<'_, '_>) {
    let graph = ctx.graph;
    for workload in &graph.workloads {
        let Some(field) = workload.service_account_field else {
            continue;
        };
        let name = workload.service_account.as_str();
        if name == "default" {
            continue; // every namespace has one
        }
        let Some(elsewhere) = only_elsewhere(graph, &workload.namespace, name) else {
            continue;
        };
        let places = sorted(
            elsewhere
                .iter()
                .map(|sa| namespace_phrase(&sa.namespace))
                .collect(),
        );
        let finding = ctx.report(
            workload.object,
            field.span,
            "podSpec.serviceAccountName",
            format!(
                "{} runs as ServiceAccount `{name}`, which is not defined in {} but only in {}: a pod can use only a ServiceAccount of its own namespace, \
                 so it will not start (serviceaccount not found). Create the ServiceAccount in {} or fix the name.",
                object_phrase(graph, workload.object),
                namespace_phrase(&workload.namespace),
                short_list(&places, 3),
                namespace_phrase(&workload.namespace),
            ),
        );
        for sa in elsewhere.into_iter().take(RELATED_LIMIT) {
            finding.with_related(
                sa.object,
                sa.object.name_span(),
                format!("{} is defined here", object_phrase(graph, sa.object)),
            );
        }
    }
}

/// A token Secret whose ServiceAccount exists only in another namespace.
fn token_secrets_for_other_namespaces(ctx: &mut RuleContext<'_, '_>) {
    let graph = ctx.graph;
    for secret in &graph.token_secrets {
        let Some((name, span)) = secret.service_account else {
            continue;
        };
        if name == "default" {
            continue;
        }
        let Some(elsewhere) = only_elsewhere(graph, &secret.namespace, name) else {
            continue;
        };
        let places = sorted(
            elsewhere
                .iter()
                .map(|sa| namespace_phrase(&sa.namespace))
                .collect(),
        );
        let finding = ctx.report(
            secret.object,
            span,
            "metadata.annotations",
            format!(
                "{} is a token for ServiceAccount `{name}`, which is not in {} but only in {}: a token Secret belongs to a ServiceAccount of its own namespace, \
                 so the control plane will not fill it or will delete it. Move the Secret to the ServiceAccount's namespace, or better, drop it for short-lived tokens.",
                object_phrase(graph, secret.object),
                namespace_phrase(&secret.namespace),
                short_list(&places, 3),
            ),
        );
        for sa in elsewhere.into_iter().take(RELATED_LIMIT) {
            finding.with_related(
                sa.object,
                sa.object.name_span(),
                format!("{} is defined here", object_phrase(graph, sa.object)),
            );
        }
    }
}

/// Whether any of the namespaces is configured as a system namespace.
fn involves_system(ctx: &RuleContext<'_, '_>, namespaces: &[&Namespace]) -> bool {
    namespaces
        .iter()
        .any(|ns| ctx.config.is_system_namespace(ns.name()))
}

/// The ServiceAccounts called `name` when none may be in `namespace` and at least one is
/// certainly elsewhere.
fn only_elsewhere<'g, 'a>(
    graph: &'g crate::graph::Graph<'a>,
    namespace: &Namespace,
    name: &str,
) -> Option<Vec<&'g crate::model::service_account::ServiceAccount<'a>>> {
    let all: Vec<_> = graph.service_accounts_named(name).collect();
    if all.is_empty() || all.iter().any(|sa| sa.namespace.may_equal(namespace)) {
        return None;
    }
    Some(all)
}

/// Names in a message sorted and without repeats, so the message does not depend on the
/// order the files were read in.
fn sorted(mut items: Vec<String>) -> Vec<String> {
    items.sort();
    items.dedup();
    items
}
