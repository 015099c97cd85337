//! `escalation-path` (rules/escalation-path.md): an identity that does not hold a
//! dangerous capability (or cluster-admin) but reaches it through a chain of steps: run a
//! pod as another ServiceAccount, mint or read its token, enter its pod, impersonate it,
//! bind a role to itself, go through the kubelet or an admission webhook. The closure and
//! the steps are `crate::graph::escalation`'s; this file picks what to report and words it.
//!
//! Reported once per (identity, capability), on the subject of the binding that grants the
//! first step, with the shortest path. A path to cluster-admin stands for every capability
//! (one finding, not eight), and is one severity above the rule's.

use super::describe::subject_field;
use super::select::{is_bootstrap_default, judged_subjects};
use super::RuleContext;
use crate::authz::CAPABILITIES;
use crate::finding::{Finding, Severity};
use crate::graph::escalation::{binding_label, role_label, Escalation, Node, Path, CLUSTER_ADMIN};
use crate::graph::Graph;

/// What a capability slot lets one do, for messages: "become cluster-admin", "read Secrets".
pub fn slot_what(slot: usize) -> &'static str {
    match slot {
        CLUSTER_ADMIN => "become cluster-admin",
        slot => super::capability_rule(CAPABILITIES[slot - 1]).what,
    }
}

/// The slot's name as users write it (`--to-capability`): `cluster-admin` or the rule
/// reporting the capability.
pub fn slot_name(slot: usize) -> &'static str {
    match slot {
        CLUSTER_ADMIN => "cluster-admin",
        slot => CAPABILITIES[slot - 1].rule.name(),
    }
}

/// The whole sentence of a path to capability `slot`: "it can create pods in namespace
/// platform (RoleBinding platform/deployer), and a pod there can run as ServiceAccount
/// platform/operator, which ClusterRoleBinding platform-operator binds to ClusterRole
/// cluster-admin".
pub fn capability_path_phrase(graph: &Graph, esc: &Escalation, path: &Path, slot: usize) -> String {
    let hops = esc.path_phrase(graph, path);
    let end = esc.holding_phrase(graph, path.end, slot);
    match end.is_empty() {
        true => hops,
        false => format!("{hops}, {end}"),
    }
}

/// Adds every hop of `path` as related locations: each step's binding and rule (and its
/// companion's), each ServiceAccount on the way, and the binding giving the end its power.
pub fn relate_path(
    graph: &Graph,
    esc: &Escalation,
    path: &Path,
    slot: usize,
    finding: &mut Finding,
) {
    for hop in esc.hops(path) {
        if let Some(step) = hop.step {
            for allowed in std::iter::once(&step.allowed).chain(step.companion.as_deref()) {
                if let Some(index) = allowed.binding {
                    let binding = &graph.bindings[index];
                    finding.with_related(
                        binding.object,
                        binding.object.name_span(),
                        format!(
                            "{} grants {} this step",
                            binding_label(graph, index),
                            esc.node(hop.from).label()
                        ),
                    );
                }
                let holder = &graph.roles[allowed.holder];
                finding.with_related(
                    holder.object,
                    holder.rules[allowed.rule].span(),
                    format!(
                        "{} allows {} here",
                        role_label(graph, allowed.holder),
                        crate::graph::escalation::request_words(allowed)
                    ),
                );
            }
        }
        if let Node::Identity(crate::graph::escalation::Identity::ServiceAccount {
            namespace,
            name,
        }) = esc.node(hop.to)
        {
            if let Some(sa) = graph.service_account(namespace, name) {
                finding.with_related(
                    sa.object,
                    sa.object.name_span(),
                    format!("{} is on the path", esc.node(hop.to).label()),
                );
            }
        }
    }
    if let Some(holding) = esc.holding(path.end, slot) {
        if let Some(binding) = holding.binding {
            let object = graph.bindings[binding].object;
            finding.with_related(
                object,
                object.name_span(),
                format!(
                    "{} gives {} what the path ends at",
                    binding_label(graph, binding),
                    esc.node(path.end).label()
                ),
            );
        }
    }
}

pub fn check(ctx: &mut RuleContext<'_, '_>) {
    let graph = ctx.graph;
    if !graph.may_have_escalation_paths() {
        return;
    }
    let esc = graph.escalation();
    let raised = match ctx.severity {
        Severity::Note => Severity::Warning,
        _ => Severity::Error,
    };
    for (id, node) in esc.nodes() {
        let Node::Identity(identity) = node else {
            continue;
        };
        // Cluster-admin first: when the path leads there, that one finding stands for all.
        for slot in 0..crate::graph::escalation::SLOTS {
            let Some((steps, path)) = esc.path_to_capability(id, slot) else {
                continue;
            };
            if steps == 0 {
                // Held directly (or through a group): the permission rules report it.
                if slot == CLUSTER_ADMIN {
                    break;
                }
                continue;
            }
            let Some(&(from, edge)) = path.edges.first() else {
                continue;
            };
            // A path that starts with group membership is the group's finding.
            let Some(step) = &esc.edges(from)[edge as usize].step else {
                continue;
            };
            let (Some(b), Some(s)) = (step.allowed.binding, step.allowed.subject) else {
                continue;
            };
            let binding = &graph.bindings[b];
            let subject = &binding.subjects[s];
            if is_bootstrap_default(binding)
                || !judged_subjects(binding, ctx.config).any(|j| std::ptr::eq(j, subject))
            {
                continue;
            }
            let what = slot_what(slot);
            let phrase = capability_path_phrase(graph, esc, &path, slot);
            let fix = "Remove the first step (the binding, or the rule that allows it), or take from the end of the path what makes it powerful";
            let message = format!(
                "{} can {what}, which it does not hold itself, in {steps} step{}: {phrase}. {fix}.",
                identity.label(),
                if steps == 1 { "" } else { "s" },
            );
            let finding = ctx.report(
                binding.object,
                subject.name_span,
                format!("{}:{}", subject_field(subject), slot_name(slot)),
                message,
            );
            if slot == CLUSTER_ADMIN {
                finding.severity = raised;
            }
            relate_path(graph, esc, &path, slot, finding);
            if slot == CLUSTER_ADMIN {
                break;
            }
        }
    }
}
