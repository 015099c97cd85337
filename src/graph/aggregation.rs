//! ClusterRole aggregation: the rules an aggregating ClusterRole holds once the
//! aggregation controller has run, found through an index of ClusterRoles by label.

use foldhash::{HashMap, HashMapExt};

use crate::model::rbac::{LabelRequirement, Role};

/// The rules a role holds.
#[derive(Debug, Clone)]
pub(super) enum RuleSet {
    /// Its own `rules`.
    Own,
    /// An aggregating ClusterRole's: what the aggregation controller writes into its
    /// `rules`, replacing its own, as (role writing the rule, index into its `rules`).
    Aggregated(Vec<(usize, usize)>),
}

/// The rules of every role after ClusterRole aggregation, as the clusterrole-aggregation
/// controller leaves them (`syncClusterRole` in pkg/controller/clusterroleaggregation/
/// clusterroleaggregation_controller.go): an aggregating ClusterRole's `rules` are replaced
/// by those of the ClusterRoles each selector matches (an empty selector matches every
/// ClusterRole), in selector order and then by role name, skipping itself and rules already
/// taken. The controller redoes a role whenever any ClusterRole changes; here every
/// aggregating role is redone in turn, in input order, until nothing changes (at most 100
/// rounds), which gives what it converges to and the same answer for cycles as the oracle.
/// A role with an invalid selector is left as it is. Candidates come from an index of
/// ClusterRoles by label, so a run with many ClusterRoles does not compare every
/// aggregating role with every role.
/// For each role, the first role whose aggregated rules are the same list (itself when
/// none is before it, and for a role with its own rules). Aggregating ClusterRoles with one
/// selector hold the same rules, and each held all of them: what those rules give was
/// worked out again for each, aggregating roles times aggregated rules, which grew with the
/// square of a repository.
pub(super) fn twins(sets: &[RuleSet]) -> Vec<usize> {
    let mut first: HashMap<&[(usize, usize)], usize> = HashMap::new();
    sets.iter()
        .enumerate()
        .map(|(role, set)| match set {
            RuleSet::Own => role,
            RuleSet::Aggregated(rules) => *first.entry(rules.as_slice()).or_insert(role),
        })
        .collect()
}

pub(super) fn resolve_aggregation(roles: &[Role]) -> Vec<RuleSet> {
    let mut sets = vec![RuleSet::Own; roles.len()];
    let aggregating: Vec<usize> = (0..roles.len())
        .filter(|&i| {
            roles[i].cluster
                && roles[i]
                    .aggregation
                    .as_ref()
                    .is_some_and(|selectors| selectors.iter().all(|s| s.valid))
        })
        .collect();
    if aggregating.is_empty() {
        return sets;
    }
    let labels = LabelIndex::new(roles);
    let contents = RuleContents::new(roles);
    // Each aggregating role's selected roles, sorted by name per selector: labels never change.
    let selected: Vec<Vec<usize>> = aggregating
        .iter()
        .map(|&role| {
            let mut all = Vec::new();
            for selector in roles[role].aggregation.iter().flatten() {
                let mut matched: Vec<usize> = labels
                    .candidates(&selector.requirements)
                    .iter()
                    .copied()
                    .filter(|&c| {
                        roles[c].object.name != roles[role].object.name
                            && selector.matches(&roles[c].labels)
                    })
                    .collect();
                matched.sort_by(|&a, &b| roles[a].object.name.cmp(&roles[b].object.name));
                all.extend(matched);
            }
            all
        })
        .collect();
    for _round in 0..100 {
        let mut changed = false;
        for (&role, selected) in aggregating.iter().zip(&selected) {
            let mut taken = foldhash::HashSet::default();
            let mut rules = Vec::new();
            let mut take = |holder: usize, rule: usize| {
                if taken.insert(contents.id(holder, rule)) {
                    rules.push((holder, rule));
                }
            };
            for &source in selected {
                match &sets[source] {
                    RuleSet::Own => (0..roles[source].rules.len()).for_each(|r| take(source, r)),
                    RuleSet::Aggregated(held) => held.iter().for_each(|&(h, r)| take(h, r)),
                }
            }
            let same = match &sets[role] {
                RuleSet::Aggregated(current) => contents.same(current, &rules),
                RuleSet::Own => contents.same(
                    &(0..roles[role].rules.len())
                        .map(|rule| (role, rule))
                        .collect::<Vec<_>>(),
                    &rules,
                ),
            };
            if !same {
                sets[role] = RuleSet::Aggregated(rules);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    sets
}

/// Rules by content: two rules with the same lists (in the same order) are one, as
/// `equality.Semantic.DeepEqual` sees them in the aggregation controller.
struct RuleContents {
    /// For each role, the content id of each of its rules.
    ids: Vec<Vec<usize>>,
}

impl RuleContents {
    fn new(roles: &[Role]) -> Self {
        type Lists<'r> = [&'r [&'r str]; 5];
        let mut known: HashMap<Lists, usize> = HashMap::new();
        let ids = roles
            .iter()
            .map(|role| {
                role.rules
                    .iter()
                    .map(|rule| {
                        let lists: Lists = [
                            rule.verbs.as_slice(),
                            rule.api_groups.as_slice(),
                            rule.resources.as_slice(),
                            rule.resource_names.as_slice(),
                            rule.non_resource_urls.as_slice(),
                        ];
                        let next = known.len();
                        *known.entry(lists).or_insert(next)
                    })
                    .collect()
            })
            .collect();
        RuleContents { ids }
    }

    fn id(&self, role: usize, rule: usize) -> usize {
        self.ids[role][rule]
    }

    fn same(&self, a: &[(usize, usize)], b: &[(usize, usize)]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(&(r1, i1), &(r2, i2))| self.id(r1, i1) == self.id(r2, i2))
    }
}

/// ClusterRoles by label key and by key and value, for aggregation.
struct LabelIndex<'r> {
    all: Vec<usize>,
    by_key: HashMap<&'r str, Vec<usize>>,
    by_pair: HashMap<(&'r str, &'r str), Vec<usize>>,
}

impl<'r> LabelIndex<'r> {
    fn new(roles: &'r [Role]) -> Self {
        let mut index = LabelIndex {
            all: Vec::new(),
            by_key: HashMap::new(),
            by_pair: HashMap::new(),
        };
        for (i, role) in roles.iter().enumerate().filter(|(_, r)| r.cluster) {
            index.all.push(i);
            for &(key, value) in &role.labels {
                let keys = index.by_key.entry(key).or_default();
                if keys.last() != Some(&i) {
                    keys.push(i);
                }
                let pairs = index.by_pair.entry((key, value)).or_default();
                if pairs.last() != Some(&i) {
                    pairs.push(i);
                }
            }
        }
        index
    }

    /// ClusterRoles that may meet all `requirements`: those with the label the first
    /// `Equals`, `In` or `Exists` requirement needs, else every ClusterRole.
    fn candidates(&self, requirements: &[LabelRequirement<'r>]) -> &[usize] {
        let narrowed = requirements
            .iter()
            .find_map(|requirement| match requirement {
                LabelRequirement::Equals(key, value) => Some(
                    self.by_pair
                        .get(&(*key, *value))
                        .map_or(&[][..], Vec::as_slice),
                ),
                LabelRequirement::In(key, _) | LabelRequirement::Exists(key) => {
                    Some(self.by_key.get(key).map_or(&[][..], Vec::as_slice))
                }
                LabelRequirement::NotIn(..) | LabelRequirement::DoesNotExist(_) => None,
            });
        narrowed.unwrap_or(&self.all)
    }
}

#[cfg(test)]
mod tests {
    use crate::graph::Graph;
    use crate::input::read_texts;
    use crate::model::Namespace;

    fn aggregating(name: &str, label: &str) -> String {
        format!(
            "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: {name}}}
aggregationRule:
  clusterRoleSelectors: [{{matchLabels: {{{label}: \"true\"}}}}]
rules: []
"
        )
    }

    fn labelled(name: &str, label: &str) -> String {
        format!(
            "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: {name}, labels: {{{label}: \"true\"}}}}
rules: [{{apiGroups: [\"\"], resources: [secrets], verbs: [get]}}]
"
        )
    }

    #[test]
    fn roles_aggregating_the_same_rules_share_what_they_give() {
        let texts = [
            aggregating("a", "x"),
            aggregating("b", "x"),
            aggregating("c", "y"),
            labelled("secrets-x", "x"),
            labelled("secrets-y", "y"),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, text)| (format!("f{i}.yaml"), text))
        .collect();
        let inputs = read_texts(texts);
        let graph = Graph::build(&inputs.objects, Namespace::Implicit);
        let role = |name: &str| {
            graph
                .roles
                .iter()
                .position(|r| r.name() == name && !r.builtin)
                .unwrap()
        };
        let (a, b, c) = (role("a"), role("b"), role("c"));
        assert!(std::ptr::eq(
            graph.role_access(a, true),
            graph.role_access(b, true)
        ));
        assert!(!std::ptr::eq(
            graph.role_access(a, true),
            graph.role_access(c, true)
        ));
        // Each still gives what its own rules give.
        for role in [a, b, c] {
            assert_eq!(graph.wildcard_rules(role, true).len(), 0);
            assert_eq!(graph.effective_rule_indexes(role).len(), 1);
        }
        let own = role("secrets-x");
        assert!(!std::ptr::eq(
            graph.role_access(own, true),
            graph.role_access(a, true)
        ));
    }
}
