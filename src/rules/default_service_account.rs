//! `default-service-account`: workloads running as, and bindings granting to, a
//! namespace's `default` ServiceAccount.

use super::describe::{namespace_phrase, object_phrase, role_phrase};
use super::RuleContext;
use crate::model::rbac::SubjectKind;

pub fn check(ctx: &mut RuleContext<'_, '_>) {
    let graph = ctx.graph;
    for workload in &graph.workloads {
        if workload.service_account != "default" {
            continue;
        }
        // A pod without any token carries no identity: nothing to flag.
        if !graph.effective_automount(workload).mounted && workload.projected_token.is_none() {
            continue;
        }
        let who = object_phrase(graph, workload.object);
        let ns = namespace_phrase(&workload.namespace);
        let (span, field, opening) = match workload.service_account_field {
            Some(field) => (
                field.span,
                "podSpec.serviceAccountName",
                format!("{who} runs as the `default` ServiceAccount of {ns}"),
            ),
            None => (
                workload.pod_spec_key,
                "podSpec",
                format!("{who} sets no serviceAccountName, so its pods run as the `default` ServiceAccount of {ns}"),
            ),
        };
        ctx.report(
            workload.object,
            span,
            field,
            format!(
                "{opening}: every pod there that names no ServiceAccount shares this identity and anything granted to it. \
                 Create a ServiceAccount for this workload and set `serviceAccountName` to it."
            ),
        );
    }
    for binding in &graph.bindings {
        for subject in &binding.subjects {
            if subject.kind != SubjectKind::ServiceAccount || subject.name != "default" {
                continue;
            }
            let ns = namespace_phrase(&subject.namespace);
            ctx.report(
                binding.object,
                subject.name_span,
                format!("subjects[ServiceAccount:{}/default]", subject.namespace),
                format!(
                    "{} grants {} to the `default` ServiceAccount of {ns}: every pod there that names no ServiceAccount inherits it. \
                     Bind the role to a dedicated ServiceAccount instead.",
                    object_phrase(graph, binding.object),
                    role_phrase(binding),
                ),
            );
        }
    }
}
