//! `deprecated-service-account-field`: the pod spec's `serviceAccount`, the deprecated alias
//! of `serviceAccountName`, used alone or naming a different ServiceAccount.

use super::describe::object_phrase;
use super::RuleContext;
use crate::yaml::Node;

pub fn check(ctx: &mut RuleContext<'_, '_>) {
    let graph = ctx.graph;
    for workload in &graph.workloads {
        let Some(old) = workload.pod_spec.get("serviceAccount") else {
            continue;
        };
        let Some(old_name) = old.as_str().filter(|s| !s.is_empty()) else {
            continue;
        };
        let new_name = workload
            .pod_spec
            .get("serviceAccountName")
            .and_then(Node::as_str)
            .filter(|s| !s.is_empty());
        let who = object_phrase(graph, workload.object);
        let message = match new_name {
            None => format!(
                "{who} names its ServiceAccount with `serviceAccount`, deprecated since Kubernetes 1.8: tools that read only \
                 `serviceAccountName` (and people) see the `default` ServiceAccount here. Rename the field to `serviceAccountName`."
            ),
            Some(new_name) if new_name != old_name => format!(
                "{who} sets `serviceAccount: {old_name}` and `serviceAccountName: {new_name}`: the API server uses `{new_name}`, \
                 so whoever reads `serviceAccount` is misled about the pod's identity. Remove `serviceAccount`."
            ),
            Some(_) => continue,
        };
        ctx.report(workload.object, old.span, "podSpec.serviceAccount", message);
    }
}
