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
use super::rbac::Role;
use super::{Namespace, Object};
use crate::source::FileId;

/// The Kubernetes version the built-in roles are taken from.
pub const KUBERNETES_VERSION: &str = "v1.31";

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

/// The built-in objects as roles, in the same order (`None` for one that is no role): read
/// once for the process, as every cluster's graph adds them ([`Role::shared`]), instead of
/// reading their rules again for each of a repository's clusters.
pub fn builtin_roles() -> &'static [Option<Role<'static>>] {
    static ROLES: OnceLock<Vec<Option<Role<'static>>>> = OnceLock::new();
    ROLES.get_or_init(|| {
        builtin_objects()
            .iter()
            .map(|object| Role::from_object(object, &object.namespace(&Namespace::Implicit)))
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

    #[test]
    fn the_roles_read_once_are_the_objects_read_as_roles() {
        let objects = builtin_objects();
        let roles = builtin_roles();
        assert_eq!(roles.len(), objects.len());
        for (object, role) in objects.iter().zip(roles) {
            let role = role.as_ref().expect("every built-in object is a role");
            let fresh = Role::from_object(object, &object.namespace(&Namespace::Implicit));
            let fresh = fresh.unwrap();
            assert!(std::ptr::eq(role.object, object));
            assert_eq!(role.namespace, fresh.namespace);
            assert_eq!(format!("{:?}", role.rules), format!("{:?}", fresh.rules));
            // What a graph adds borrows the rules instead of copying them.
            let shared = role.shared();
            assert!(std::ptr::eq(shared.rules.as_ptr(), role.rules.as_ptr()));
            if !role.rules.is_empty() {
                assert!(!std::ptr::eq(fresh.rules.as_ptr(), role.rules.as_ptr()));
            }
        }
    }
}
