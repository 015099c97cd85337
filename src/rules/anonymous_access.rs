//! `anonymous-access`: bindings to the subjects that reach requests without credentials
//! (`system:anonymous`, `system:unauthenticated`), and to `system:authenticated` with more
//! than discovery.

use super::describe::{bound_role_phrase, object_phrase, role_phrase, scope_phrase, subject_field};
use super::select::is_bootstrap_default;
use super::RuleContext;
use crate::authz::subjects::AUTHENTICATED_GROUP;
use crate::authz::urls::{is_trivial, only_public_urls};
use crate::model::rbac::SubjectKind;

pub fn check(ctx: &mut RuleContext<'_, '_>) {
    let graph = ctx.graph;
    for binding in &graph.bindings {
        if is_bootstrap_default(binding) {
            continue;
        }
        let resolved = graph.binding_rules(binding);
        let trivial = resolved.as_ref().is_some_and(|(_, rules)| {
            is_trivial(rules.iter().map(|(_, policy_rule)| *policy_rule))
        });
        // What Kubernetes serves everyone anyway (health, version, OIDC discovery): the
        // documented way to publish the issuer, not a hole.
        if resolved.as_ref().is_some_and(|(_, rules)| {
            only_public_urls(rules.iter().map(|(_, policy_rule)| *policy_rule))
        }) {
            continue;
        }
        let role = match &resolved {
            Some((role, _)) => bound_role_phrase(role),
            None => role_phrase(binding),
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
            ctx.report(
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
