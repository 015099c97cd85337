//! Which bindings and subjects the permission rules judge, shared by every rule of the
//! RBAC category so they report the same subjects.

use crate::authz::subjects::{is_control_plane_subject, reaches_service_accounts};
use crate::config::Config;
use crate::graph::Graph;
use crate::model::rbac::{Binding, Role, Subject};

/// Bindings the API server creates itself (label `kubernetes.io/bootstrapping:
/// rbac-defaults`), as a `kubectl get` dump shows them: defaults, not choices.
pub fn is_bootstrap_default(binding: &Binding) -> bool {
    binding
        .object
        .meta_map_value("labels", "kubernetes.io/bootstrapping")
        .and_then(crate::yaml::Node::as_str)
        == Some("rbac-defaults")
}

/// Subjects the permission rules judge: ServiceAccounts and the groups that contain them
/// (their credentials sit in pods: a pod compromise becomes their permissions), or with
/// `permission-subjects: all` users and groups of people too; never the control plane's
/// own identities, nor `system:masters` (the core rule's).
pub fn judged_subjects<'b, 'a>(
    binding: &'b Binding<'a>,
    config: &Config,
) -> impl Iterator<Item = &'b Subject<'a>> {
    let all = config.permission_subjects_all.value;
    binding.subjects.iter().filter(move |subject| {
        // `system:masters` is among the control-plane identities (the core rule's).
        !is_control_plane_subject(subject) && (all || reaches_service_accounts(subject))
    })
}

/// The bindings the finer permission rules judge, with their role: bindings with
/// subjects, not the API server's own defaults, not cluster-admin in effect (the core rule
/// `cluster-admin-binding` reports those), whose role is in the input.
pub fn judged_bindings<'g, 'a>(
    graph: &'g Graph<'a>,
) -> impl Iterator<Item = (&'g Binding<'a>, usize, &'g Role<'a>)> {
    graph.bindings.iter().filter_map(move |binding| {
        if binding.subjects.is_empty()
            || is_bootstrap_default(binding)
            || graph.is_cluster_admin_equivalent(binding)
        {
            return None;
        }
        let (index, role) = graph.bound_role(binding)?;
        Some((binding, index, role))
    })
}
