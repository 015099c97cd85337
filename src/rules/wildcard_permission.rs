//! `wildcard-permission`: a bound role rule with `*` in verbs, resources or apiGroups. A
//! wildcard grants every verb, resource or group there is, including those added later by
//! upgrades and CRDs. Roles that are cluster-admin in effect are the core rule's.

use super::capability_rules::{
    bound_role_phrase, judged_bindings, judged_subjects, scope_phrase, subject_field,
};
use super::describe::{object_phrase, subject_phrase};
use super::Emitter;
use crate::permissions::{wildcard_lists, wildcard_rules};

pub fn check(emit: &mut Emitter<'_, '_>) {
    let graph = emit.graph;
    for (binding, index, role) in judged_bindings(graph) {
        let wild = wildcard_rules(graph, index, binding.cluster);
        let Some((_, first)) = wild.first() else {
            continue;
        };
        let lists = wildcard_lists(first).join(" and ");
        for subject in judged_subjects(binding, emit.config) {
            let finding = emit.report(
                binding.object,
                subject.name_span,
                subject_field(subject),
                format!(
                    "{} grants {} {} through {}, whose rules use `*` in {lists}: a wildcard grants every verb, resource or API group, \
                     including subresources such as `pods/exec` and resources that upgrades and CRDs add later. \
                     List the verbs, resources and API groups the subject needs (CIS 5.1.3).",
                    object_phrase(graph, binding.object),
                    subject_phrase(subject),
                    scope_phrase(binding),
                    bound_role_phrase(role),
                ),
            );
            for (holder, rule) in &wild {
                finding.with_related(
                    holder.object,
                    rule.span(),
                    format!(
                        "{} `{}` uses `*` in {} here",
                        holder.kind(),
                        holder.name(),
                        wildcard_lists(rule).join(" and ")
                    ),
                );
            }
        }
    }
}
