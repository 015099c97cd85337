//! `powerful-token-mounted`: a workload mounts the token of a ServiceAccount that holds a
//! dangerous permission. The other half of `needless-token-automount`: there the token is
//! useless to the pod, here it is valuable to an attacker in it.

use super::capability_rules::{bound_role_phrase, is_bootstrap_default};
use super::describe::{object_phrase, service_account_phrase, short_list};
use super::Emitter;
use foldhash::{HashMap, HashMapExt};

use crate::graph::{AutomountSource, Graph};
use crate::model::rbac::{Binding, Role};
use crate::permissions::{capability_matches, grants_everything, wildcard_rules, CAPABILITIES};

pub fn check(emit: &mut Emitter<'_, '_>) {
    let graph = emit.graph;
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
            .grants(&workload.namespace, &workload.service_account)
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
        if powers.is_empty() {
            continue;
        }
        // Sorted: the message must not depend on the order the files were read in.
        powers.sort();
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
        let finding = emit.report(
            workload.object,
            span,
            "podSpec.automountServiceAccountToken",
            format!(
                "{} mounts the token of ServiceAccount {sa}, which can {} ({}): code execution in any container of the pod \
                 hands an attacker those permissions. {fix} unless the pod itself calls the API; \
                 then give it a ServiceAccount with only what it calls (CIS 5.1.6).",
                object_phrase(graph, workload.object),
                short_list(&powers, 4),
                short_list(&through, 2),
            ),
        );
        for (binding, _) in sources {
            finding.with_related(
                binding.object,
                binding.object.name_span(),
                format!("{} grants it", object_phrase(graph, binding.object)),
            );
        }
    }
}
/// The role a binding grants and the dangerous things it gives (empty: nothing to report).
type Powers<'g, 'a> = (&'g Role<'a>, Vec<String>);

/// What a binding gives, in the words of the message; `None` when it gives nothing
/// dangerous, or its role is unknown.
fn powers_of<'g, 'a>(graph: &'g Graph<'a>, binding: &Binding<'a>) -> Option<Powers<'g, 'a>> {
    let (index, role) = graph.bound_role(binding)?;
    let mut found = Vec::new();
    if grants_everything(graph, binding) {
        found.push("everything (cluster-admin)".to_string());
    } else {
        for capability in CAPABILITIES {
            if !capability_matches(graph, binding, capability).is_empty() {
                found.push(capability.what.to_string());
            }
        }
        if !wildcard_rules(graph, index, binding.cluster).is_empty() {
            found.push("wildcard permissions".to_string());
        }
    }
    (!found.is_empty()).then_some((role, found))
}
