//! `control-plane-takeover` (rules/control-plane-takeover.md): a permission rule of the capability template
//! ([`super::capability`]); which requests give it is [`CONTROL_PLANE_TAKEOVER`].

use super::capability::CapabilityRule;
use crate::authz::capability::CONTROL_PLANE_TAKEOVER;

pub const RULE: CapabilityRule = CapabilityRule {
    capability: &CONTROL_PLANE_TAKEOVER,
    what: "change how the cluster admits, schedules or routes",
    why: "admission webhooks see and rewrite every object, approved client certificates are new identities, hostPath PersistentVolumes expose nodes, namespace labels switch Pod Security off, CRDs and node objects steer workloads, and services/status intercepts traffic (CVE-2020-8554)",
};
