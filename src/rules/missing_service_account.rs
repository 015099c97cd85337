//! `missing-service-account`: a workload names a ServiceAccount that no object of the input
//! defines, while the input does define ServiceAccounts of that namespace, so a partial
//! input (a chart without its SA) stays quiet. An SA found only in another namespace is
//! `cross-namespace-reference`'s.

use super::describe::{namespace_phrase, object_phrase};
use super::Emitter;

pub fn check(emit: &mut Emitter<'_, '_>) {
    let graph = emit.graph;
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
        let defined_here: Vec<&str> = graph
            .service_accounts_in(&workload.namespace)
            .map(|sa| sa.object.name.as_str())
            .collect();
        if defined_here.is_empty() {
            continue;
        }
        let near = nearest(name, &defined_here)
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

/// The defined name closest to `name`, when it is close enough to be a typo.
fn nearest<'n>(name: &str, names: &[&'n str]) -> Option<&'n str> {
    names
        .iter()
        .map(|n| (strsim::jaro_winkler(name, n), *n))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, n)| n)
}
