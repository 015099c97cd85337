//! `wildcard-permission`: a bound role rule with `*` in verbs, resources or apiGroups. A
//! wildcard grants every verb, resource or group there is, including those added later by
//! upgrades and CRDs. Roles that are cluster-admin in effect are the core rule's.

use super::describe::{
    bound_role_phrase, object_phrase, scope_phrase, subject_field, subject_phrase,
};
use super::select::{judged_bindings, judged_subjects};
use super::RuleContext;
use crate::authz::wildcard_lists;

pub fn check(ctx: &mut RuleContext<'_, '_>) {
    let graph = ctx.graph;
    let cis = ctx.cis_reference();
    for (binding, index, role) in judged_bindings(graph) {
        let wild = graph.wildcard_rules(index, binding.cluster);
        let Some((_, first)) = wild.first() else {
            continue;
        };
        let lists = wildcard_lists(first).join(" and ");
        for subject in judged_subjects(binding, ctx.config) {
            let finding = ctx.report(
                binding.object,
                subject.name_span,
                subject_field(subject),
                format!(
                    "{} grants {} {} through {}, whose rules use `*` in {lists}: a wildcard grants every verb, resource or API group, \
                     including subresources such as `pods/exec` and resources that upgrades and CRDs add later. \
                     List the verbs, resources and API groups the subject needs{cis}.",
                    object_phrase(graph, binding.object),
                    subject_phrase(subject),
                    scope_phrase(binding),
                    bound_role_phrase(role),
                ),
            );
            for (holder, policy_rule) in &wild {
                finding.with_related(
                    holder.object,
                    policy_rule.span(),
                    format!(
                        "{} `{}` uses `*` in {} here",
                        holder.kind(),
                        holder.name(),
                        wildcard_lists(policy_rule).join(" and ")
                    ),
                );
            }
        }
    }
}
