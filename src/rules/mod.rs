//! The rule registry. A rule is its doc (`rules/<name>.md`, embedded) plus a check
//! function over the graph; adding one touches its two files and a line here.

mod capability_rules;
mod cluster_admin_binding;
mod cross_namespace_reference;
mod dangling_role_ref;
mod default_service_account;
mod deprecated_service_account_field;
mod describe;
mod duplicate_key;
mod duplicate_object;
mod group_bindings;
mod invalid_field_type;
mod legacy_token_secret;
mod long_lived_projected_token;
mod missing_service_account;
mod needless_token_automount;
mod powerful_token_mounted;
mod shared_service_account;
mod wildcard_permission;

use crate::catalog::RuleId;
use crate::config::{Config, RuleLevel};
use crate::finding::{Finding, Location, Related, Severity};
use crate::graph::Graph;
use crate::model::{Object, ObjectRef};
use crate::source::Span;

/// How a rule checks: a function over the graph.
type Check = fn(&mut Emitter<'_, '_>);

/// The registry: each rule's check.
static RULES: [(RuleId, Check); 26] = [
    (
        RuleId::DefaultServiceAccount,
        default_service_account::check,
    ),
    (RuleId::SharedServiceAccount, shared_service_account::check),
    (
        RuleId::MissingServiceAccount,
        missing_service_account::check,
    ),
    (
        RuleId::DeprecatedServiceAccountField,
        deprecated_service_account_field::check,
    ),
    (
        RuleId::NeedlessTokenAutomount,
        needless_token_automount::check,
    ),
    (RuleId::LegacyTokenSecret, legacy_token_secret::check),
    (RuleId::PowerfulTokenMounted, powerful_token_mounted::check),
    (
        RuleId::LongLivedProjectedToken,
        long_lived_projected_token::check,
    ),
    (RuleId::ClusterAdminBinding, cluster_admin_binding::check),
    (RuleId::WildcardPermission, wildcard_permission::check),
    (RuleId::SecretsAccess, capability_rules::secrets_access),
    (RuleId::PodCreation, capability_rules::pod_creation),
    (RuleId::PodExec, capability_rules::pod_exec),
    (RuleId::TokenCreation, capability_rules::token_creation),
    (
        RuleId::PrivilegeEscalation,
        capability_rules::privilege_escalation,
    ),
    (RuleId::NodeProxy, capability_rules::node_proxy),
    (
        RuleId::ControlPlaneTakeover,
        capability_rules::control_plane_takeover,
    ),
    (RuleId::AnonymousAccess, group_bindings::anonymous_access),
    (
        RuleId::BroadServiceAccountGroup,
        group_bindings::broad_service_account_group,
    ),
    (
        RuleId::CrossNamespaceReference,
        cross_namespace_reference::check,
    ),
    (RuleId::DanglingRoleRef, dangling_role_ref::check),
    (RuleId::InvalidFieldType, invalid_field_type::check),
    (RuleId::DuplicateKey, duplicate_key::check),
    (RuleId::DuplicateObject, duplicate_object::check),
    (
        RuleId::UnusedSuppression,
        emitted_by_suppression_pass::check,
    ),
    (
        RuleId::SuppressionWithoutReason,
        emitted_by_suppression_pass::check,
    ),
];

/// The suppression rules are emitted by `crate::suppress`, not by a graph check.
mod emitted_by_suppression_pass {
    pub fn check(_: &mut super::Emitter<'_, '_>) {}
}

/// Runs every rule that is not off over the graph.
pub fn check_all(graph: &Graph<'_>, config: &Config) -> Vec<Finding> {
    RULES
        .iter()
        .flat_map(|&(rule, _)| check_one(rule, graph, config))
        .collect()
}

/// Runs one rule, at its configured level (nothing when it is off). Rules are pure
/// functions of the graph, so callers may run them in any order or in parallel.
pub fn check_one(rule: RuleId, graph: &Graph<'_>, config: &Config) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let RuleLevel::On(severity) = config.rule_level(rule) {
        let mut emitter = Emitter {
            graph,
            config,
            rule,
            severity,
            findings: &mut findings,
        };
        let check = RULES[rule as usize].1;
        check(&mut emitter);
    }
    findings
}

/// What a check gets: the graph, and a way to record findings for its rule.
pub struct Emitter<'g, 'a> {
    pub graph: &'g Graph<'a>,
    /// Rule options (allow lists, system namespaces).
    pub config: &'g Config,
    rule: RuleId,
    severity: Severity,
    findings: &'g mut Vec<Finding>,
}

impl Emitter<'_, '_> {
    /// Records a finding on `object` at `span`. `field` names what in the object is at
    /// fault (see [`Finding::field`]).
    pub fn report(
        &mut self,
        object: &Object,
        span: Span,
        field: impl Into<String>,
        message: String,
    ) -> &mut Finding {
        self.findings.push(Finding {
            rule: self.rule,
            severity: self.severity,
            message: bounded_message(message),
            location: Location {
                file: object.file,
                span,
            },
            related: Vec::new(),
            object: ObjectRef::of(object, &self.graph.implicit),
            origin: object.origin.clone(),
            field: field.into(),
            object_index: object.index,
            clusters: Vec::new(),
            rendered: None,
            suppression: None,
            baseline: None,
        });
        self.findings.last_mut().expect("just pushed")
    }
}

impl Finding {
    /// Adds a related location in `object`.
    /// Built-in objects have no place in the user's files and are skipped.
    pub fn with_related(&mut self, object: &Object, span: Span, message: String) -> &mut Self {
        if object.file == crate::builtin::BUILTIN_FILE {
            return self;
        }
        self.related.push(Related {
            location: Location {
                file: object.file,
                span,
            },
            message: bounded_message(message),
        });
        self
    }
}

/// The most characters a finding's message (or a related location's) keeps. Messages name
/// objects, and one long name can be repeated by thousands of findings: a binding named
/// with 100,000 characters that grants every ServiceAccount turned a file of 400 KB into a
/// human report of 440 MB (20 s) and a JSON report of 400 MB. The longest message the
/// corpus gets has 2,916 characters.
const MAX_MESSAGE: usize = 4096;

/// `message`, or its first half and last quarter of [`MAX_MESSAGE`] characters with what
/// was left out between them. The finding's object keeps its whole name.
fn bounded_message(message: String) -> String {
    if message.len() <= MAX_MESSAGE {
        return message;
    }
    let count = message.chars().count();
    if count <= MAX_MESSAGE {
        return message;
    }
    let (head, tail) = (MAX_MESSAGE / 2, MAX_MESSAGE / 4);
    let head_end = message.char_indices().nth(head).map_or(0, |(at, _)| at);
    let tail_start = message
        .char_indices()
        .nth_back(tail - 1)
        .map_or(message.len(), |(at, _)| at);
    format!(
        "{} … ({} characters left out) … {}",
        &message[..head_end],
        count - head - tail,
        &message[tail_start..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_message_keeps_its_ends_and_says_what_was_left_out() {
        let at_limit = "é".repeat(MAX_MESSAGE);
        assert_eq!(bounded_message(at_limit.clone()), at_limit);
        let long = format!("Pod {} grants it", "é".repeat(10_000));
        let bounded = bounded_message(long);
        let marker = " … (6942 characters left out) … ";
        let (head, tail) = bounded.split_once(marker).expect(&bounded);
        assert_eq!(head.chars().count(), 2048);
        assert!(head.starts_with("Pod éé"));
        assert_eq!(tail.chars().count(), 1024);
        assert!(tail.ends_with("éé grants it"));
    }
}
