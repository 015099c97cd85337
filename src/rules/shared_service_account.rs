//! `shared-service-account`: one ServiceAccount used by several distinct workloads.

use std::collections::BTreeMap;

use super::describe::{object_phrase, service_account_phrase, short_list};
use super::{RuleContext, RuleOptions};
use crate::config::{ConfigError, RuleOption, Setting, ShownOption};
use crate::graph::WorkloadKey;
use crate::model::Namespace;

/// `rules: {shared-service-account: {allow: [NAMESPACE/NAME | NAME, ...]}}`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// ServiceAccounts that may be shared: `namespace/name`, or a bare name for that
    /// ServiceAccount in any namespace.
    pub allow: Vec<Setting<String>>,
}

impl Options {
    /// Whether the ServiceAccount `name` of `namespace` may be shared.
    fn allows(&self, namespace: Option<&str>, name: &str) -> bool {
        self.allow
            .iter()
            .any(|allowed| match allowed.value.split_once('/') {
                Some((ns, n)) => Some(ns) == namespace && n == name,
                None => allowed.value == name,
            })
    }
}

impl RuleOptions for Options {
    fn read(options: &[RuleOption]) -> Result<Self, ConfigError> {
        let mut read = Options::default();
        for option in options {
            if option.key == "allow" {
                read.allow = option.list()?.iter().map(|t| t.setting()).collect();
            }
        }
        Ok(read)
    }

    fn shown(&self) -> Vec<ShownOption> {
        vec![ShownOption::List {
            key: "allow",
            items: self.allow.clone(),
        }]
    }
}

pub fn check(ctx: &mut RuleContext<'_, '_>) {
    let graph = ctx.graph;
    let options: Options = ctx.options();
    // (namespace, SA) -> workload indexes, in input order.
    let mut users: BTreeMap<(&Namespace, &str), Vec<usize>> = BTreeMap::new();
    for (index, workload) in graph.workloads.iter().enumerate() {
        // A PodTemplate object runs nothing by itself.
        if workload.service_account != "default" && workload.object.kind != "PodTemplate" {
            users
                .entry((&workload.namespace, workload.service_account.as_str()))
                .or_default()
                .push(index);
        }
    }
    for ((namespace, name), indexes) in users {
        let mut keys: Vec<&WorkloadKey> = indexes.iter().map(|&i| graph.workload_key(i)).collect();
        keys.sort();
        keys.dedup();
        if keys.len() < 2 || options.allows(namespace.name(), name) {
            continue;
        }
        let sa = service_account_phrase(namespace, name);
        for &index in &indexes {
            let workload = &graph.workloads[index];
            let own = graph.workload_key(index);
            let others: Vec<String> = keys
                .iter()
                .filter(|key| *key != &own)
                .map(|key| format!("{} {}", key.kind, key.name))
                .collect();
            let Some(field) = workload.service_account_field else {
                continue;
            };
            let finding = ctx.report(
                workload.object,
                field.span,
                "podSpec.serviceAccountName",
                format!(
                    "{} shares ServiceAccount {sa} with {}: whoever compromises one of them gets the permissions all of them need, \
                     and audit logs cannot tell them apart. Give each workload its own ServiceAccount with only what it needs.",
                    object_phrase(graph, workload.object),
                    short_list(&others, 5),
                ),
            );
            for &other in &indexes {
                let other_workload = &graph.workloads[other];
                if graph.workload_key(other) == own {
                    continue;
                }
                if let Some(other_field) = other_workload.service_account_field {
                    finding.with_related(
                        other_workload.object,
                        other_field.span,
                        format!(
                            "{} also runs as {sa}",
                            object_phrase(graph, other_workload.object)
                        ),
                    );
                }
            }
        }
    }
}
