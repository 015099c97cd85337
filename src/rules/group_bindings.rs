//! Bindings to the groups that reach identities in bulk: `anonymous-access`
//! (`system:anonymous`, `system:unauthenticated`, and `system:authenticated` with more than
//! discovery) and `broad-service-account-group` (`system:serviceaccounts`,
//! `system:serviceaccounts:<ns>` with more than discovery).

use super::capability_rules::{
    bound_role_phrase, is_bootstrap_default, scope_phrase, subject_field,
};
use super::describe::object_phrase;
use super::Emitter;
use crate::graph::{ALL_SERVICE_ACCOUNTS_GROUP, AUTHENTICATED_GROUP};
use crate::model::rbac::SubjectKind;
use crate::permissions::{binding_rules, is_trivial, only_public_urls};

pub fn anonymous_access(emit: &mut Emitter<'_, '_>) {
    let graph = emit.graph;
    for binding in &graph.bindings {
        if is_bootstrap_default(binding) {
            continue;
        }
        let resolved = binding_rules(graph, binding);
        let trivial = resolved
            .as_ref()
            .is_some_and(|(_, rules)| is_trivial(rules));
        // What Kubernetes serves everyone anyway (health, version, OIDC discovery): the
        // documented way to publish the issuer, not a hole.
        if resolved
            .as_ref()
            .is_some_and(|(_, rules)| only_public_urls(rules))
        {
            continue;
        }
        let role = match &resolved {
            Some((role, _)) => bound_role_phrase(role),
            None => super::describe::role_phrase(binding),
        };
        for subject in &binding.subjects {
            let who = match (subject.kind, subject.name) {
                (SubjectKind::User, "system:anonymous") => {
                    "the anonymous user `system:anonymous`: every request without credentials"
                }
                (SubjectKind::Group, "system:unauthenticated") => {
                    "the group `system:unauthenticated`: every request without credentials"
                }
                (SubjectKind::Group, AUTHENTICATED_GROUP) if !trivial => {
                    "the group `system:authenticated`: every user and every ServiceAccount of the cluster, and on managed clusters anyone with a cloud account"
                }
                _ => continue,
            };
            emit.report(
                binding.object,
                subject.name_span,
                subject_field(subject),
                format!(
                    "{} grants {role} {}, and its subject is {who}. Whoever reaches the API server gets it without being anyone in particular. \
                     Bind the role to the users, groups or ServiceAccounts that need it.",
                    object_phrase(graph, binding.object),
                    scope_phrase(binding),
                ),
            );
        }
    }
}

pub fn broad_service_account_group(emit: &mut Emitter<'_, '_>) {
    let graph = emit.graph;
    for binding in &graph.bindings {
        if is_bootstrap_default(binding) {
            continue;
        }
        let Some((role, rules)) = binding_rules(graph, binding) else {
            continue;
        };
        if is_trivial(&rules) {
            continue;
        }
        for subject in &binding.subjects {
            if subject.kind != SubjectKind::Group {
                continue;
            }
            let who = if subject.name == ALL_SERVICE_ACCOUNTS_GROUP {
                "every ServiceAccount of every namespace".to_string()
            } else if let Some(ns) = subject.name.strip_prefix("system:serviceaccounts:") {
                format!("every ServiceAccount of namespace `{ns}`, the `default` ones included")
            } else {
                continue;
            };
            emit.report(
                binding.object,
                subject.name_span,
                subject_field(subject),
                format!(
                    "{} grants {} {} to group `{}`, that is to {who}: any pod that mounts a token there holds it, \
                     and a compromise of one workload is a compromise of all. Bind it to the ServiceAccounts that need it.",
                    object_phrase(graph, binding.object),
                    bound_role_phrase(role),
                    scope_phrase(binding),
                    subject.name,
                ),
            );
        }
    }
}
