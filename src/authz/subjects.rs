//! Who binding subjects are: the groups Kubernetes puts identities in, and the control
//! plane's own identities.

use crate::model::rbac::{Subject, SubjectKind};

/// The group every ServiceAccount belongs to, besides its namespace's group.
pub const ALL_SERVICE_ACCOUNTS_GROUP: &str = "system:serviceaccounts";
/// The prefix of the group of one namespace's ServiceAccounts.
pub const SERVICE_ACCOUNTS_GROUP_PREFIX: &str = "system:serviceaccounts:";
/// The group of every authenticated identity.
pub const AUTHENTICATED_GROUP: &str = "system:authenticated";
/// The group that bypasses RBAC altogether.
pub const MASTERS_GROUP: &str = "system:masters";

/// Subjects that are the control plane's own identities (`system:kube-scheduler`,
/// `system:nodes`, ...): their bootstrap permissions are by design. The groups that reach
/// ordinary identities (`system:authenticated`, `system:unauthenticated`,
/// `system:serviceaccounts[:ns]`) and the anonymous user are not among them.
pub fn is_control_plane_subject(subject: &Subject) -> bool {
    match subject.kind {
        SubjectKind::ServiceAccount => false,
        SubjectKind::User => {
            subject.name.starts_with("system:") && subject.name != "system:anonymous"
        }
        SubjectKind::Group => {
            subject.name.starts_with("system:")
                && !matches!(
                    subject.name,
                    "system:authenticated" | "system:unauthenticated" | "system:serviceaccounts"
                )
                && !subject.name.starts_with(SERVICE_ACCOUNTS_GROUP_PREFIX)
        }
    }
}

/// A ServiceAccount, or a group every ServiceAccount (of a namespace) is in.
pub fn reaches_service_accounts(subject: &Subject) -> bool {
    match subject.kind {
        SubjectKind::ServiceAccount => true,
        SubjectKind::User => false,
        SubjectKind::Group => {
            matches!(
                subject.name,
                ALL_SERVICE_ACCOUNTS_GROUP | AUTHENTICATED_GROUP
            ) || subject.name.starts_with(SERVICE_ACCOUNTS_GROUP_PREFIX)
        }
    }
}
