//! Every RBAC fact salint knows, in one place: which requests a policy rule allows
//! ([`matching`]: `*`, subresources, `resourceNames`, non-resource URLs), where a binding
//! applies ([`scope`]: a RoleBinding never reaches cluster-scoped resources, save its own
//! namespace object), which resources are cluster-scoped ([`resources`], one table), which
//! subjects are the control plane's or contain ServiceAccounts ([`subjects`]), which URLs
//! every cluster serves to everyone ([`urls`]), the requests behind each escalation step
//! ([`steps`]), and the dangerous capabilities with the
//! requests that give them ([`capability`]). An RBAC fact lives here or nowhere: the graph,
//! the rules, `who-can`, `explain-sa`, `graph` and the language server's hover all ask this
//! module, so they cannot disagree.
//!
//! Everything here follows Kubernetes v1.31's RBAC authorizer
//! (plugin/pkg/auth/authorizer/rbac) and the API server's RequestInfo; `tests/authorizer.rs`
//! holds it to the real authorizer's recorded answers.

pub mod capability;
pub mod matching;
pub mod resources;
pub mod scope;
pub mod steps;
pub mod subjects;
pub mod urls;

pub use capability::{Capability, CAPABILITIES};
pub use matching::{is_cluster_admin_equivalent, wildcard_lists};
pub use resources::{is_cluster_scoped, Target};
pub use scope::{Reach, RoleAccess, Scope};
