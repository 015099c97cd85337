//! `broad-service-account-group`: bindings to the groups of every ServiceAccount
//! (`system:serviceaccounts`, `system:serviceaccounts:<ns>`) with more than discovery.

use super::describe::{bound_role_phrase, object_phrase, scope_phrase, subject_field};
use super::select::is_bootstrap_default;
use super::RuleContext;
use crate::authz::subjects::{ALL_SERVICE_ACCOUNTS_GROUP, SERVICE_ACCOUNTS_GROUP_PREFIX};
use crate::authz::urls::is_trivial;
use crate::model::rbac::SubjectKind;

pub fn check(ctx: &mut RuleContext<'_, '_>) {
    let graph = ctx.graph;
    for binding in &graph.bindings {
        if is_bootstrap_default(binding) {
            continue;
        }
        let Some((role, rules)) = graph.binding_rules(binding) else {
            continue;
        };
        if is_trivial(rules.iter().map(|(_, policy_rule)| *policy_rule)) {
            continue;
        }
        for subject in &binding.subjects {
            if subject.kind != SubjectKind::Group {
                continue;
            }
            let who = if subject.name == ALL_SERVICE_ACCOUNTS_GROUP {
                "every ServiceAccount of every namespace".to_string()
            } else if let Some(ns) = subject.name.strip_prefix(SERVICE_ACCOUNTS_GROUP_PREFIX) {
                format!("every ServiceAccount of namespace `{ns}`, the `default` ones included")
            } else {
                continue;
            };
            ctx.report(
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
