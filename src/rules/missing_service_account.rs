//! `missing-service-account`: a workload names a ServiceAccount that no object of the input
//! defines, while the input does define ServiceAccounts of that namespace, so a partial
//! input (a chart without its SA) stays quiet. An SA found only in another namespace is
//! `cross-namespace-reference`'s.

use std::collections::HashMap;

use super::describe::{namespace_phrase, object_phrase};
use super::Emitter;
use crate::model::Namespace;

/// Names longer than this get no "did you mean": a ServiceAccount name is a DNS subdomain
/// of at most 253 characters, real ones are far shorter, and Jaro-Winkler costs the product
/// of the two lengths (names of 40,000 characters took minutes).
const MAX_SUGGESTED_NAME: usize = 63;

/// At most this many names of a namespace are compared, so a workload's suggestion costs
/// a bounded amount whatever the number of ServiceAccounts: the rule stays linear.
const MAX_CANDIDATES: usize = 256;

pub fn check(emit: &mut Emitter<'_, '_>) {
    let graph = emit.graph;
    // Per namespace, once: whether it defines ServiceAccounts, and the short names that a
    // suggestion may offer (sorted, so the same ones are taken whatever the input order).
    let mut candidates: HashMap<&Namespace, (bool, Vec<&str>)> = HashMap::new();
    for workload in &graph.workloads {
        let Some(field) = workload.service_account_field else {
            continue;
        };
        let name = workload.service_account.as_str();
        if name == "default"
            || graph.service_accounts_named(name).next().is_some()
            || graph.rejected_object("ServiceAccount", name, Some(&workload.namespace))
        {
            continue;
        }
        let (defines_any, short_names) =
            candidates.entry(&workload.namespace).or_insert_with(|| {
                let mut any = false;
                let mut names: Vec<&str> = graph
                    .service_accounts_in(&workload.namespace)
                    .inspect(|_| any = true)
                    .map(|sa| sa.object.name.as_str())
                    .filter(|n| n.len() <= MAX_SUGGESTED_NAME)
                    .collect();
                names.sort_unstable();
                names.dedup();
                names.truncate(MAX_CANDIDATES);
                (any, names)
            });
        if !*defines_any {
            continue;
        }
        let near = nearest(name, short_names)
            .map(|n| format!(" Did you mean `{n}`?"))
            .unwrap_or_default();
        emit.report(
            workload.object,
            field.span,
            "podSpec.serviceAccountName",
            format!(
                "{} runs as ServiceAccount `{name}`, which the manifests do not define, although they define ServiceAccounts of {}: \
                 the pods will not be created (serviceaccount not found), or will run as an SA created out of band that nobody reviews here.{near} \
                 Add the ServiceAccount to the manifests or fix the name.",
                object_phrase(graph, workload.object),
                namespace_phrase(&workload.namespace),
            ),
        );
    }
}

/// The defined name closest to `name`, when it is close enough to be a typo; none for a
/// name too long to be one.
fn nearest<'n>(name: &str, names: &[&'n str]) -> Option<&'n str> {
    if name.len() > MAX_SUGGESTED_NAME {
        return None;
    }
    names
        .iter()
        .map(|n| (strsim::jaro_winkler(name, n), *n))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, n)| n)
}
