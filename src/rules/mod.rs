//! The rule registry: every rule's check, by [`RuleId`]. A rule is its doc
//! (`rules/<name>.md`, embedded by `crate::catalog`: code, severity, options, examples) and
//! its file here, `<name>.rs` (the check, its wording, its options). Rules of one template
//! say so in the registry: the permission rules are [`Check::Capability`] with their
//! capability from `crate::authz`; the suppression rules judge the suppressions after
//! `crate::suppress` has matched them with findings ([`Check::Suppressions`]). Shared
//! selection is in [`select`], shared wording in [`describe`].

mod anonymous_access;
mod broad_service_account_group;
mod capability;
mod cluster_admin_binding;
mod control_plane_takeover;
mod cross_namespace_reference;
mod dangling_role_ref;
mod default_service_account;
mod deprecated_service_account_field;
pub mod describe;
mod duplicate_key;
mod duplicate_object;
pub mod escalation_path;
mod invalid_field_type;
mod legacy_token_secret;
mod long_lived_projected_token;
mod missing_service_account;
mod needless_token_automount;
mod node_proxy;
pub mod options;
mod pod_creation;
mod pod_exec;
mod powerful_token_mounted;
mod privilege_escalation;
mod secrets_access;
pub mod select;
mod shared_service_account;
mod suppression_without_reason;
mod token_creation;
mod unused_suppression;
mod wildcard_permission;

pub use capability::CapabilityRule;
use options::OptionsOf;
pub use options::{check_options, describe_config, RuleOptions};

use crate::authz::Capability;
use crate::catalog::RuleId;
use crate::config::{Config, RuleLevel};
use crate::finding::{Finding, Location, Related, Severity};
use crate::graph::Graph;
use crate::model::{Object, ObjectRef};
use crate::source::Span;

/// How a rule checks.
pub enum Check {
    /// A function over a cluster's graph.
    Graph(fn(&mut RuleContext<'_, '_>)),
    /// The permission-rule template ([`capability::check`]) with this rule's capability.
    Capability(&'static CapabilityRule),
    /// A function over the run's suppressions once `crate::suppress` has matched them with
    /// findings, not over a graph.
    Suppressions(fn(&mut SuppressionContext<'_>)),
}

/// A registered rule.
pub struct Rule {
    pub id: RuleId,
    pub check: Check,
    /// The rule's options type, when it takes options.
    pub options: Option<OptionsOf>,
}

macro_rules! registry {
    ($($id:ident => $check:expr $(, options: $options:ty)?;)*) => {
        /// Every rule, in the catalog's order.
        static RULES: &[Rule] = &[$(Rule {
            id: RuleId::$id,
            check: $check,
            options: registry!(@options $($options)?),
        },)*];
    };
    (@options) => { None };
    (@options $options:ty) => { Some(OptionsOf::of::<$options>()) };
}

registry! {
    DefaultServiceAccount => Check::Graph(default_service_account::check);
    SharedServiceAccount => Check::Graph(shared_service_account::check), options: shared_service_account::Options;
    MissingServiceAccount => Check::Graph(missing_service_account::check);
    DeprecatedServiceAccountField => Check::Graph(deprecated_service_account_field::check);
    NeedlessTokenAutomount => Check::Graph(needless_token_automount::check);
    LegacyTokenSecret => Check::Graph(legacy_token_secret::check);
    PowerfulTokenMounted => Check::Graph(powerful_token_mounted::check);
    LongLivedProjectedToken => Check::Graph(long_lived_projected_token::check), options: long_lived_projected_token::Options;
    ClusterAdminBinding => Check::Graph(cluster_admin_binding::check), options: cluster_admin_binding::Options;
    WildcardPermission => Check::Graph(wildcard_permission::check);
    SecretsAccess => Check::Capability(&secrets_access::RULE);
    PodCreation => Check::Capability(&pod_creation::RULE);
    PodExec => Check::Capability(&pod_exec::RULE);
    TokenCreation => Check::Capability(&token_creation::RULE);
    PrivilegeEscalation => Check::Capability(&privilege_escalation::RULE);
    NodeProxy => Check::Capability(&node_proxy::RULE);
    ControlPlaneTakeover => Check::Capability(&control_plane_takeover::RULE);
    AnonymousAccess => Check::Graph(anonymous_access::check);
    BroadServiceAccountGroup => Check::Graph(broad_service_account_group::check);
    EscalationPath => Check::Graph(escalation_path::check);
    CrossNamespaceReference => Check::Graph(cross_namespace_reference::check);
    DanglingRoleRef => Check::Graph(dangling_role_ref::check);
    InvalidFieldType => Check::Graph(invalid_field_type::check);
    DuplicateKey => Check::Graph(duplicate_key::check);
    DuplicateObject => Check::Graph(duplicate_object::check);
    UnusedSuppression => Check::Suppressions(unused_suppression::check);
    SuppressionWithoutReason => Check::Suppressions(suppression_without_reason::check);
}

/// The registered rule of `id`.
pub fn rule(id: RuleId) -> &'static Rule {
    &RULES[id as usize]
}

/// The permission rule that reports `capability`, with its wording.
pub fn capability_rule(capability: &Capability) -> &'static CapabilityRule {
    match &rule(capability.rule).check {
        Check::Capability(found) => found,
        _ => unreachable!("a capability names a capability rule"),
    }
}

/// Runs one rule over a cluster's graph, at its configured level (nothing when it is off
/// or is not a check of the graph). Rules are pure functions of the graph, so callers may
/// run them in any order or in parallel.
pub fn check_one(id: RuleId, graph: &Graph<'_>, config: &Config) -> Vec<Finding> {
    let mut findings = Vec::new();
    let RuleLevel::On(severity) = config.rule_level(id) else {
        return findings;
    };
    let mut ctx = RuleContext {
        graph,
        config,
        rule: id,
        severity,
        findings: &mut findings,
    };
    match &rule(id).check {
        Check::Graph(check) => check(&mut ctx),
        Check::Capability(capability_rule) => capability::check(&mut ctx, capability_rule),
        Check::Suppressions(_) => {}
    }
    findings
}

/// One suppression as written, and whether it silenced anything: what the suppression
/// rules judge.
#[derive(Debug, Clone)]
pub struct SuppressionUse {
    /// The annotation key or the comment.
    pub location: Location,
    /// How it is written, for messages and fingerprints.
    pub written: String,
    /// The reason given; empty when none.
    pub reason: String,
    /// The rules it names; `None` for all of them.
    pub names: Option<Vec<RuleId>>,
    /// Names that are no rule.
    pub unknown: Vec<String>,
    /// Whether it silenced a finding (in any cluster).
    pub used: bool,
    /// The object it sits on or in, or the file.
    pub object: ObjectRef,
    pub origin: Option<String>,
    /// The object's index in the run's object list (`usize::MAX` for none).
    pub object_index: usize,
}

/// Runs the suppression rules that are not off over the run's suppressions.
pub fn check_suppressions(uses: &[SuppressionUse], config: &Config) -> Vec<Finding> {
    let mut findings = Vec::new();
    for registered in RULES {
        let Check::Suppressions(check) = registered.check else {
            continue;
        };
        let RuleLevel::On(severity) = config.rule_level(registered.id) else {
            continue;
        };
        check(&mut SuppressionContext {
            uses,
            config,
            rule: registered.id,
            severity,
            findings: &mut findings,
        });
    }
    findings
}

/// What a suppression rule gets: the suppressions' uses and a way to record findings.
pub struct SuppressionContext<'s> {
    pub uses: &'s [SuppressionUse],
    pub config: &'s Config,
    rule: RuleId,
    severity: Severity,
    findings: &'s mut Vec<Finding>,
}

impl SuppressionContext<'_> {
    /// Records a finding on the suppression `uses[at]`.
    pub fn report(&mut self, at: usize, message: String) {
        let used = &self.uses[at];
        self.findings.push(Finding {
            rule: self.rule,
            severity: self.severity,
            message: bounded_message(message),
            location: used.location,
            related: Vec::new(),
            object: used.object.clone(),
            origin: used.origin.clone(),
            field: format!("suppression:{}", used.written),
            object_index: used.object_index,
            clusters: Vec::new(),
            rendered: None,
            suppression: None,
            baseline: None,
        });
    }
}

/// What a check gets: the graph, its options, and a way to record findings for its rule.
pub struct RuleContext<'g, 'a> {
    pub graph: &'g Graph<'a>,
    /// Rule options (allow lists, system namespaces).
    pub config: &'g Config,
    rule: RuleId,
    severity: Severity,
    findings: &'g mut Vec<Finding>,
}

impl RuleContext<'_, '_> {
    /// The rule's typed options as configured (commands check them when they load the
    /// configuration: [`check_options`]; a value that does not read gives the defaults).
    pub fn options<O: RuleOptions>(&self) -> O {
        O::read(self.config.rule_options(self.rule)).unwrap_or_default()
    }

    /// The rule's CIS Benchmark reference for a message, from its doc: " (CIS 5.1.2)", or
    /// nothing.
    pub fn cis_reference(&self) -> String {
        self.cis_reference_with(&[])
    }

    /// As [`RuleContext::cis_reference`], with more recommendations the finding is about.
    pub fn cis_reference_with(&self, more: &[&str]) -> String {
        let mut references: Vec<&str> = Vec::new();
        let own = &self.rule.doc().cis;
        if !own.is_empty() {
            references.push(own);
        }
        references.extend(more);
        match references.is_empty() {
            true => String::new(),
            false => format!(" (CIS {})", references.join(", ")),
        }
    }

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
        if object.file == crate::model::builtin::BUILTIN_FILE {
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
