//! `pod-creation` (rules/pod-creation.md): a permission rule of the capability template
//! ([`super::capability`]); which requests give it is [`POD_CREATION`].

use super::capability::CapabilityRule;
use crate::authz::capability::POD_CREATION;

pub const RULE: CapabilityRule = CapabilityRule {
    capability: &POD_CREATION,
    what: "create pods or change pod templates",
    why: "whoever can run a pod can run it as any ServiceAccount of the namespace, mount that ServiceAccount's token and so hold every permission it has",
};
