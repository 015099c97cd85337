//! `legacy-token-secret`: Secrets of type `kubernetes.io/service-account-token`.

use super::describe::{grants_phrase, object_phrase, service_account_phrase};
use super::RuleContext;
use crate::model::secret::SA_NAME_ANNOTATION;

pub fn check(ctx: &mut RuleContext<'_, '_>) {
    let graph = ctx.graph;
    for secret in &graph.token_secrets {
        let who = object_phrase(graph, secret.object);
        let holds = match secret.service_account {
            Some((name, _)) => {
                // What certainly reaches it: an unknown namespace is not taken to be known.
                let grants: Vec<_> = graph
                    .bindings_reaching(&secret.namespace, name)
                    .into_iter()
                    .filter(|grant| grant.certain)
                    .collect();
                format!(
                    "a never-expiring token for ServiceAccount {}, which {}",
                    service_account_phrase(&secret.namespace, name),
                    grants_phrase(&grants)
                )
            }
            None => format!(
                "a legacy token Secret without the `{SA_NAME_ANNOTATION}` annotation (the control plane will not fill it, but anything that does gets a never-expiring token)"
            ),
        };
        let finding = ctx.report(
            secret.object,
            secret.type_span,
            "type",
            format!(
                "{who} is {holds}. Such a token survives the pods that use it and stays valid until the Secret is deleted. \
                 Use short-lived tokens instead: the automounted projected token, a projected `serviceAccountToken` volume with `expirationSeconds`, or `kubectl create token`."
            ),
        );
        if let Some((name, _)) = secret.service_account {
            for grant in graph
                .bindings_reaching(&secret.namespace, name)
                .into_iter()
                .filter(|grant| grant.certain)
            {
                finding.with_related(
                    grant.binding.object,
                    grant.subject.name_span,
                    format!(
                        "{} grants it here",
                        object_phrase(graph, grant.binding.object)
                    ),
                );
            }
        }
    }
}
