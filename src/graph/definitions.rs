//! Objects defined twice in one cluster: `kubectl apply` keeps the later definition.

use foldhash::{HashMap, HashMapExt};

use crate::model::{Namespace, Object};

/// One object defined twice in a cluster: `kubectl apply` keeps the later definition, so
/// the graph holds only that one.
#[derive(Debug, Clone, Copy)]
pub struct Duplicate<'a> {
    pub earlier: &'a Object,
    pub later: &'a Object,
}

/// The objects without the earlier definitions of an object defined twice (same kind,
/// namespace and name), and those pairs. Unnamed objects (`generateName`) are never the
/// same object.
pub(super) fn latest_definitions<'a>(
    objects: Vec<&'a Object>,
    implicit: &Namespace,
) -> (Vec<&'a Object>, Vec<Duplicate<'a>>) {
    let mut latest: HashMap<(&str, Option<Namespace>, &str), usize> =
        HashMap::with_capacity(objects.len());
    let mut dropped = vec![false; objects.len()];
    let mut duplicates = Vec::new();
    for (position, object) in objects.iter().enumerate() {
        if object.name.is_empty() {
            continue;
        }
        let namespace = (!object.is_cluster_scoped()).then(|| object.namespace(implicit));
        let key = (object.kind.as_str(), namespace, object.name.as_str());
        if let Some(earlier) = latest.insert(key, position) {
            dropped[earlier] = true;
            duplicates.push(Duplicate {
                earlier: objects[earlier],
                later: object,
            });
        }
    }
    if duplicates.is_empty() {
        return (objects, duplicates);
    }
    let kept = objects
        .into_iter()
        .zip(dropped)
        .filter(|(_, dropped)| !dropped)
        .map(|(object, _)| object)
        .collect();
    (kept, duplicates)
}
