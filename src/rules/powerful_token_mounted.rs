//! `powerful-token-mounted`: a workload mounts the token of a ServiceAccount that holds a
//! dangerous permission. The other half of `needless-token-automount`: there the token is
//! useless to the pod, here it is valuable to an attacker in it.

use super::describe::{bound_role_phrase, object_phrase, service_account_phrase, short_list};
use super::select::is_bootstrap_default;
use super::RuleContext;
use foldhash::{HashMap, HashMapExt};

use super::escalation_path::{capability_path_phrase, relate_path, slot_what};
use crate::graph::escalation::{Identity, Node, Path, CLUSTER_ADMIN, SLOTS};
use crate::graph::{AutomountSource, Graph};
use crate::model::rbac::{Binding, Role};

pub fn check(ctx: &mut RuleContext<'_, '_>) {
    let graph = ctx.graph;
    let cis = ctx.cis_reference();
    let mut cache: HashMap<(usize, bool), Option<Powers>> = HashMap::new();
    for workload in &graph.workloads {
        let automount = graph.effective_automount(workload);
        // With automount off, a projected token for the API server is the same credential.
        let projected = workload.api_projected_token;
        if !automount.mounted && projected.is_none() {
            continue;
        }
        let mut powers: Vec<String> = Vec::new();
        let mut sources = Vec::new();
        // Only what certainly reaches the ServiceAccount: an unknown namespace is not
        // taken to be a known one.
        for grant in graph
            .bindings_reaching(&workload.namespace, &workload.service_account)
            .into_iter()
            .filter(|grant| grant.certain)
        {
            let binding = grant.binding;
            if is_bootstrap_default(binding) {
                continue;
            }
            let Some((role, _)) = graph.bound_role(binding) else {
                continue;
            };
            // What a binding gives depends on its role and scope alone, computed once for
            // each: many workloads share an SA or a group, many bindings a role.
            let given = cache
                .entry((role, binding.cluster))
                .or_insert_with(|| powers_of(graph, binding));
            let Some((role, found)) = given else {
                continue;
            };
            for item in found.iter() {
                if !powers.contains(item) {
                    powers.push(item.clone());
                }
            }
            sources.push((binding, *role));
        }
        // Sorted: the message must not depend on the order the files were read in.
        powers.sort();
        // What the ServiceAccount can become: a compromised pod is where a path starts.
        let become_ = becomes(graph, workload, !powers.is_empty());
        if let Some((what, _)) = &become_ {
            powers.extend(what.iter().cloned());
        }
        if powers.is_empty() {
            continue;
        }
        let sa = service_account_phrase(&workload.namespace, &workload.service_account);
        let (span, fix) = match (automount.mounted, automount.source, projected) {
            (false, _, Some(span)) => (
                span,
                "Remove this projected token, or give it an `audience` other than the API server",
            ),
            (_, AutomountSource::PodSpec(span), _) => {
                (span, "Set `automountServiceAccountToken: false` here")
            }
            (true, AutomountSource::OwnTokenVolume(span), _) => (
                span,
                "Remove this mount of the token volume, and set `automountServiceAccountToken: false` in the pod spec",
            ),
            _ => (
                workload.pod_spec_key,
                "Add `automountServiceAccountToken: false` to this pod spec",
            ),
        };
        let mut through: Vec<String> = sources
            .iter()
            .map(|(binding, role)| {
                format!(
                    "{} via {}",
                    bound_role_phrase(role),
                    object_phrase(graph, binding.object)
                )
            })
            .collect();
        through.sort();
        through.dedup();
        let finding = ctx.report(
            workload.object,
            span,
            "podSpec.automountServiceAccountToken",
            format!(
                "{} mounts the token of ServiceAccount {sa}, which can {}{}: code execution in any container of the pod \
                 hands an attacker those permissions.{} {fix} unless the pod itself calls the API; \
                 then give it a ServiceAccount with only what it calls{cis}.",
                object_phrase(graph, workload.object),
                short_list(&powers, 4),
                match through.is_empty() {
                    true => String::new(),
                    false => format!(" ({})", short_list(&through, 2)),
                },
                match &become_ {
                    Some((what, (_, path, slot))) => format!(
                        " It can {}: {}.",
                        what[0],
                        capability_path_phrase(graph, graph.escalation(), path, *slot)
                    ),
                    None => String::new(),
                },
            ),
        );
        if let Some((_, (_, path, slot))) = &become_ {
            relate_path(graph, graph.escalation(), path, *slot, finding);
        }
        for (binding, _) in sources {
            finding.with_related(
                binding.object,
                binding.object.name_span(),
                format!("{} grants it", object_phrase(graph, binding.object)),
            );
        }
    }
}
/// What the workload's ServiceAccount can become through escalation paths and does not
/// hold itself: cluster-admin alone when it gets there, else the capabilities it reaches
/// (only when it holds nothing dangerous itself, so the message stays about the token);
/// with the shortest path to the first.
fn becomes(
    graph: &Graph,
    workload: &crate::model::workload::Workload,
    holds_something: bool,
) -> Option<(Vec<String>, (u32, Path, usize))> {
    if !graph.may_have_escalation_paths() {
        return None;
    }
    let esc = graph.escalation();
    let id = esc.id(&Node::Identity(Identity::service_account(
        &workload.namespace,
        &workload.service_account,
    )))?;
    let reached = |slot: usize| {
        esc.path_to_capability(id, slot)
            .map(|(steps, path)| (steps, path, slot))
    };
    match reached(CLUSTER_ADMIN) {
        Some((0, _, _)) => return None,
        Some(found) => return Some((vec!["become cluster-admin".to_string()], found)),
        None => {}
    }
    if holds_something {
        return None;
    }
    let mut what = Vec::new();
    let mut first = None;
    for slot in 1..SLOTS {
        if let Some(found) = reached(slot).filter(|(steps, _, _)| *steps > 0) {
            what.push(format!("become able to {}", slot_what(slot)));
            first.get_or_insert(found);
        }
    }
    first.map(|found| (what, found))
}

/// The role a binding grants and the dangerous things it gives (empty: nothing to report).
type Powers<'g, 'a> = (&'g Role<'a>, Vec<String>);

/// What a binding gives, in the words of the message; `None` when it gives nothing
/// dangerous, or its role is unknown.
fn powers_of<'g, 'a>(graph: &'g Graph<'a>, binding: &Binding<'a>) -> Option<Powers<'g, 'a>> {
    let (_, role) = graph.bound_role(binding)?;
    let dangers = graph.dangers(binding);
    let mut found = Vec::new();
    if dangers.cluster_admin {
        found.push("everything (cluster-admin)".to_string());
    } else {
        for capability in dangers.capabilities {
            found.push(super::capability_rule(capability).what.to_string());
        }
        if dangers.wildcards {
            found.push("wildcard permissions".to_string());
        }
    }
    (!found.is_empty()).then_some((role, found))
}
