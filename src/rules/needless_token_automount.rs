//! `needless-token-automount`: a token is mounted for a ServiceAccount that nothing grants
//! any permission.

use super::describe::{object_phrase, service_account_phrase};
use super::Emitter;
use crate::graph::AutomountSource;

pub fn check(emit: &mut Emitter<'_, '_>) {
    let graph = emit.graph;
    for workload in &graph.workloads {
        let automount = graph.effective_automount(workload);
        if !automount.mounted {
            continue;
        }
        if !graph
            .grants(&workload.namespace, &workload.service_account)
            .is_empty()
        {
            continue;
        }
        let sa = service_account_phrase(&workload.namespace, &workload.service_account);
        let service_account = graph.service_account(&workload.namespace, &workload.service_account);
        let (span, fix) = match automount.source {
            AutomountSource::PodSpec(span) => (
                span,
                "Set `automountServiceAccountToken: false` here".to_string(),
            ),
            AutomountSource::OwnTokenVolume(span) => (
                span,
                "Remove this mount of the token volume, and set `automountServiceAccountToken: false` in the pod spec".to_string(),
            ),
            AutomountSource::ServiceAccount(_)
            | AutomountSource::Default
            | AutomountSource::MirrorPod(_)
            | AutomountSource::PathTaken(_) => (
                workload.pod_spec_key,
                match service_account {
                    Some(_) => format!(
                        "Add `automountServiceAccountToken: false` to this pod spec, or to ServiceAccount {sa} to cover all its pods"
                    ),
                    None => "Add `automountServiceAccountToken: false` to this pod spec".to_string(),
                },
            ),
        };
        let finding = emit.report(
            workload.object,
            span,
            "podSpec.automountServiceAccountToken",
            format!(
                "{} mounts a token for ServiceAccount {sa}, which no binding in the scanned manifests grants anything: \
                 the token gives an attacker in the pod an API credential and the pod nothing. {fix}.",
                object_phrase(graph, workload.object),
            ),
        );
        if let (AutomountSource::ServiceAccount(sa_span), Some(account)) =
            (automount.source, service_account)
        {
            finding.with_related(
                account.object,
                sa_span,
                format!("ServiceAccount {sa} turns automount on"),
            );
        }
    }
}
