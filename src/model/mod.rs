//! Typed views of the objects salint reasons about, each pointing back into its span tree.

pub mod builtin;
pub mod document;
pub mod namespace;
pub mod object;
pub mod rbac;
pub mod secret;
pub mod service_account;
pub mod validity;
pub mod workload;

pub use namespace::Namespace;
pub use object::{Object, ObjectRef};
