//! `node-proxy` (rules/node-proxy.md): a permission rule of the capability template
//! ([`super::capability`]); which requests give it is [`NODE_PROXY`].

use super::capability::CapabilityRule;
use crate::authz::capability::NODE_PROXY;

pub const RULE: CapabilityRule = CapabilityRule {
    capability: &NODE_PROXY,
    what: "reach kubelets through nodes/proxy",
    why: "the kubelet API behind nodes/proxy runs commands in any pod of the node and bypasses admission and audit of pod exec",
};
