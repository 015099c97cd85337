//! The template of the permission rules (`secrets-access`, `pod-creation`, `pod-exec`,
//! `token-creation`, `privilege-escalation`, `node-proxy`, `control-plane-takeover`): one
//! finding per judged subject of a binding whose role gives the rule's capability. Each
//! finding sits on the subject in the binding, names the role and the requests it allows,
//! and points at every rule line that grants them. Which requests give a capability is
//! `crate::authz::capability`'s; each rule's file holds its wording.

use super::describe::{
    bound_role_phrase, capitalised, object_phrase, requests_phrase, scope_phrase, subject_field,
    subject_phrase,
};
use super::select::{judged_bindings, judged_subjects};
use super::RuleContext;
use crate::authz::Capability;

/// A permission rule: its capability and the words of its findings.
#[derive(Debug)]
pub struct CapabilityRule {
    pub capability: &'static Capability,
    /// What it lets a subject do, as a verb phrase: "read Secrets".
    pub what: &'static str,
    /// Why that matters, one sentence.
    pub why: &'static str,
}

pub fn check(ctx: &mut RuleContext<'_, '_>, rule: &CapabilityRule) {
    let graph = ctx.graph;
    let cis = ctx.cis_reference();
    for (binding, index, role) in judged_bindings(graph) {
        let matches = graph.role_capability(index, rule.capability, binding.cluster);
        let Some(first) = matches.first() else {
            continue;
        };
        let requests = requests_phrase(&matches);
        let through = match first.holder.name() == role.name() {
            true => String::new(),
            false => format!(" (aggregated from ClusterRole `{}`)", first.holder.name()),
        };
        for subject in judged_subjects(binding, ctx.config) {
            let finding = ctx.report(
                binding.object,
                subject.name_span,
                subject_field(subject),
                format!(
                    "{} lets {} {} {} through {}{through}: it allows {requests}. {}. \
                     Grant only the verbs and resources the subject needs{cis}.",
                    object_phrase(graph, binding.object),
                    subject_phrase(subject),
                    rule.what,
                    scope_phrase(binding),
                    bound_role_phrase(role),
                    capitalised(rule.why),
                ),
            );
            for m in &matches {
                finding.with_related(
                    m.holder.object,
                    m.policy_rule.span(),
                    format!(
                        "{} `{}` allows {} here",
                        m.holder.kind(),
                        m.holder.name(),
                        super::describe::request_phrase(m)
                    ),
                );
            }
        }
    }
}
