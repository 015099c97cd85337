//! Workload identity across controllers: a Deployment, its ReplicaSets and their Pods are
//! one workload, found by following `ownerReferences` to the top-most owner.

use foldhash::HashMap;

use crate::model::workload::Workload;
use crate::model::Namespace;

/// The identity of a workload across its controllers: the top-most owner found by following
/// `ownerReferences`, so a Deployment, its ReplicaSets and their Pods count as one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WorkloadKey {
    pub namespace: Namespace,
    pub kind: String,
    pub name: String,
}

/// Follows each workload's controller chain to the top-most owner. An owner that is not in
/// the input still names the identity (pods of one ReplicaSet are one workload); a
/// ReplicaSet missing from the input whose name is `<deployment>-<pod-template-hash>` maps
/// to that Deployment when it is in the input.
pub(super) fn workload_keys(workloads: &[Workload]) -> Vec<WorkloadKey> {
    let index: HashMap<(&Namespace, &str, &str), usize> = workloads
        .iter()
        .enumerate()
        .map(|(i, w)| {
            (
                (&w.namespace, w.object.kind.as_str(), w.object.name.as_str()),
                i,
            )
        })
        .collect();
    workloads
        .iter()
        .map(|workload| {
            let mut key = WorkloadKey {
                namespace: workload.namespace.clone(),
                kind: workload.object.kind.clone(),
                name: workload.object.name.clone(),
            };
            let mut current = workload;
            for _ in 0..8 {
                let Some((kind, name)) = &current.controller else {
                    break;
                };
                let (kind, name) = deployment_of_orphan_replica_set(current, kind, name, &index);
                key = WorkloadKey {
                    namespace: workload.namespace.clone(),
                    kind: kind.to_string(),
                    name: name.to_string(),
                };
                match index.get(&(&workload.namespace, kind, name)) {
                    Some(&owner) => current = &workloads[owner],
                    None => break,
                }
            }
            key
        })
        .collect()
}

fn deployment_of_orphan_replica_set<'k>(
    pod: &Workload,
    kind: &'k str,
    name: &'k str,
    index: &HashMap<(&Namespace, &str, &str), usize>,
) -> (&'k str, &'k str) {
    if kind != "ReplicaSet" || index.contains_key(&(&pod.namespace, kind, name)) {
        return (kind, name);
    }
    let hash = pod
        .object
        .meta_map_value("labels", "pod-template-hash")
        .and_then(crate::yaml::Node::as_str);
    let deployment = hash.and_then(|hash| name.strip_suffix(hash)?.strip_suffix('-'));
    match deployment {
        Some(deployment) if index.contains_key(&(&pod.namespace, "Deployment", deployment)) => {
            ("Deployment", deployment)
        }
        _ => (kind, name),
    }
}
