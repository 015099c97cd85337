//! The ClusterRoles every cluster has without any manifest defining them (`cluster-admin`,
//! `admin`, `edit`, `view`, the `system:aggregate-to-*` roles, the other `system:` roles and
//! the `system:controller:*` roles), and the Roles the control plane keeps in `kube-system`
//! and `kube-public`: the whole RBAC bootstrap policy of one Kubernetes version, kept as data
//! in `data/builtin-clusterroles.yaml` (generated from Kubernetes' own code by
//! `scripts/builtin-roles`), so a binding to `edit` is understood although `edit` is not in
//! the input.
//!
//! The objects are parsed once per process and live for its lifetime. They carry
//! [`BUILTIN_FILE`] as their file: they have no place in the user's files, so nothing
//! reports on them or points into them.

use std::sync::OnceLock;

use super::document::objects_of;
use super::Object;
use crate::source::FileId;

/// The Kubernetes version the built-in roles are taken from.
pub const KUBERNETES_VERSION: &str = "v1.31";

/// The exact release the built-in roles were generated from (the data file's header says
/// it; `salint --version` prints it).
pub const KUBERNETES_RELEASE: &str = "v1.31.12";

/// The file id of built-in objects: no input file has it.
pub const BUILTIN_FILE: FileId = usize::MAX;

const SOURCE: &str = include_str!("../../data/builtin-clusterroles.yaml");

/// The built-in ClusterRole objects, in the data file's order.
pub fn builtin_objects() -> &'static [Object] {
    static OBJECTS: OnceLock<Vec<Object>> = OnceLock::new();
    OBJECTS.get_or_init(|| {
        let (objects, error) = objects_of(SOURCE);
        assert!(error.is_none(), "data/builtin-clusterroles.yaml: {error:?}");
        objects
            .into_iter()
            .map(|mut object| {
                object.file = BUILTIN_FILE;
                object.index = usize::MAX;
                object.origin = None;
                object
            })
            .collect()
    })
}

/// Whether every cluster has a ClusterRole `name`: one of the bootstrap policy's (the data
/// file holds them all, the `system:controller:*` ones included).
pub fn exists_in_every_cluster(name: &str) -> bool {
    is_builtin_cluster_role(name)
}

/// Whether `name` is a built-in ClusterRole.
pub fn is_builtin_cluster_role(name: &str) -> bool {
    builtin_objects()
        .iter()
        .any(|o| o.kind == "ClusterRole" && o.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_parses_into_cluster_roles() {
        let objects = builtin_objects();
        assert!(objects.len() >= 10);
        for object in objects {
            assert!(
                object.kind == "ClusterRole"
                    || (object.kind == "Role"
                        && matches!(
                            object.declared_namespace.as_deref(),
                            Some("kube-system" | "kube-public")
                        )),
                "{}",
                object.name
            );
        }
        for name in ["cluster-admin", "admin", "edit", "view"] {
            assert!(is_builtin_cluster_role(name), "{name}");
        }
    }
}
