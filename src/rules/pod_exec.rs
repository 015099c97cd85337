//! `pod-exec` (rules/pod-exec.md): a permission rule of the capability template
//! ([`super::capability`]); which requests give it is [`POD_EXEC`].

use super::capability::CapabilityRule;
use crate::authz::capability::POD_EXEC;

pub const RULE: CapabilityRule = CapabilityRule {
    capability: &POD_EXEC,
    what: "run commands in running pods",
    why: "exec and attach run code inside a pod, with its ServiceAccount token and its mounted Secrets; an ephemeral container does the same",
};
