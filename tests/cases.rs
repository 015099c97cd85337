//! The core behaviour, pinned on small hand-written fixtures in testdata/cases/: for each
//! case, exactly which rules fire, in which file, at which line:column span (1-based,
//! character columns, end exclusive), and by implication which must stay silent.
//!
//! The expected findings are written in the fixtures themselves, as `# expect:` markers on
//! the line where each finding starts (the grammar is at [`markers_of`] and in
//! testdata/cases/README.md). Every finding of every rule must have a marker and every
//! marker a finding; [`every_fixture_matches_its_markers`] holds every fixture to that,
//! and the tests below add what a span cannot say (objects, messages, related places).
//!
//! Fixtures are loaded the way `salint check PATH` loads them: discovered with the default
//! file filter, read and parsed by `read_inputs`, linted with the default configuration.

use std::collections::BTreeSet;
use std::path::Path;

use salint::finding::Finding;
use salint::Span;
use salint::{discover, FileFilter};
use salint::{lint, LintOptions};
use salint::{read_inputs, read_inputs_with, Inputs, ReadOptions, DEFAULT_MAX_FILE_SIZE};

const CASES: &str = "testdata/cases";

const DEFAULT_SA: &str = "default-service-account";
const SHARED_SA: &str = "shared-service-account";
const NEEDLESS_TOKEN: &str = "needless-token-automount";
const LEGACY_TOKEN: &str = "legacy-token-secret";
const CLUSTER_ADMIN: &str = "cluster-admin-binding";
const CROSS_NAMESPACE: &str = "cross-namespace-reference";

/// One finding as (rule name, display path, start line, start column, end line, end column).
type Hit = (String, String, usize, usize, usize, usize);

/// A place as (display path, start line, start column, end line, end column).
type Place = (String, usize, usize, usize, usize);

/// An input error as (display path, line and column when known, message).
type InputErr = (String, Option<(usize, usize)>, String);

/// One lint run over a fixture.
struct Run {
    inputs: Inputs,
    findings: Vec<Finding>,
    namespace: Option<String>,
}

/// Lints `testdata/cases/<fixture>` (a file or a folder) without `--namespace`, checks
/// that it read without input errors and that its findings are its markers.
fn check(fixture: &str) -> Run {
    let run = check_with(fixture, None);
    assert!(
        run.inputs.errors.is_empty(),
        "{fixture}: unexpected input errors: {:?}",
        run.errors()
    );
    run
}

/// Lints `testdata/cases/<fixture>` as `salint check [--namespace NS] PATH` does, and
/// checks that its findings are its markers. Cargo runs integration tests in the package
/// root, so display paths are `testdata/cases/...`, as the CLI shows them when run there.
fn check_with(fixture: &str, namespace: Option<&str>) -> Run {
    let path = format!("{CASES}/{fixture}");
    let filter = FileFilter::new(&[], &[]).expect("default filter");
    let found = discover(std::slice::from_ref(&path), &filter);
    assert!(found.problems.is_empty(), "{path}: {:?}", found.problems);
    assert!(!found.inputs.is_empty(), "{path}: nothing to read");
    let inputs = read_inputs(&found.inputs);
    let options = LintOptions {
        namespace: namespace.map(str::to_string),
    };
    let findings = lint(&inputs, &options);
    let run = Run {
        inputs,
        findings,
        namespace: namespace.map(str::to_string),
    };
    run.assert_markers();
    run
}

/// Where the markers of `display` are: the file itself, and `FILE.expect` beside it for a
/// file that cannot hold comments (JSON).
fn marker_texts(display: &str) -> Vec<(String, String)> {
    [display.to_string(), format!("{display}.expect")]
        .into_iter()
        .filter(|path| Path::new(path).is_file())
        .map(|path| {
            // Read as bytes: a fixture may be deliberately not UTF-8.
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            (path, text)
        })
        .collect()
}

/// The findings the markers of `display` (and its `.expect` sidecar) announce for a run
/// with `namespace` (`None`: without `--namespace`). The grammar, one marker a line:
///
/// - `# expect: RULE COLUMNS[, RULE COLUMNS]...` on the line where each finding starts,
///   after the YAML (a trailing comment changes no value). `COLUMNS` is `C1-C2` for a span
///   from column C1 to column C2 (end exclusive) of that line, or `C1-L2:C2` for one that
///   ends at column C2 of line L2. `RULE` is the rule's name.
/// - `# expect[namespace=NS]: ...`: the same, for the run with `--namespace NS` instead of
///   the run without; each run expects exactly its own markers.
/// - `# expect-at: L1:C1-L2:C2 RULE` (or `# expect-at[namespace=NS]: ...`), anywhere,
///   for a finding whose line cannot carry a comment: a line of a block scalar, or a JSON
///   file (whose markers are in `FILE.expect`).
fn markers_of(display: &str, namespace: Option<&str>) -> Vec<Hit> {
    marker_texts(display)
        .iter()
        .flat_map(|(path, text)| markers_in(path, display, text, namespace))
        .collect()
}

/// The markers of `text` (read from `path`, about the file shown as `display`) for a run
/// with `namespace`; see [`markers_of`]. A malformed marker or an unknown rule name fails.
fn markers_in(path: &str, display: &str, text: &str, namespace: Option<&str>) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_number = index + 1;
        let bad = |why: &str| -> ! { panic!("{path}:{line_number}: {why}: {line:?}") };
        // Each marker runs to the next marker or the end of the line.
        for marker in line.split("# expect").skip(1) {
            let (at_form, marker) = match marker.strip_prefix("-at") {
                Some(rest) => (true, rest),
                None => (false, marker),
            };
            let (wanted, body) = match marker.strip_prefix("[namespace=") {
                Some(rest) => {
                    let (ns, rest) = rest.split_once(']').unwrap_or_else(|| bad("no `]`"));
                    (Some(ns), rest)
                }
                None => (None, marker),
            };
            let body = body
                .strip_prefix(": ")
                .unwrap_or_else(|| bad("a marker is `# expect: ` or `# expect-at: `"));
            if wanted != namespace {
                continue;
            }
            let number = |s: &str| -> usize { s.parse().unwrap_or_else(|_| bad("not a number")) };
            let rule_name = |name: &str| -> String {
                match salint::catalog::find(name) {
                    Some(rule) if rule.name() == name => name.to_string(),
                    _ => bad("not a rule name"),
                }
            };
            if at_form {
                let (range, rule) = body
                    .trim()
                    .split_once(' ')
                    .unwrap_or_else(|| bad("expect-at is `L1:C1-L2:C2 RULE`"));
                let (start, end) = range.split_once('-').unwrap_or_else(|| bad("no `-`"));
                let (l1, c1) = start.split_once(':').unwrap_or_else(|| bad("no `:`"));
                let (l2, c2) = end.split_once(':').unwrap_or_else(|| bad("no `:`"));
                hits.push((
                    rule_name(rule.trim()),
                    display.to_string(),
                    number(l1),
                    number(c1),
                    number(l2),
                    number(c2),
                ));
                continue;
            }
            for expectation in body.split(',') {
                let (rule, columns) = expectation
                    .trim()
                    .split_once(' ')
                    .unwrap_or_else(|| bad("an expectation is `RULE COLUMNS`"));
                let (c1, end) = columns.split_once('-').unwrap_or_else(|| bad("no `-`"));
                let (l2, c2) = match end.split_once(':') {
                    Some((l2, c2)) => (number(l2), number(c2)),
                    None => (line_number, number(end)),
                };
                hits.push((
                    rule_name(rule),
                    display.to_string(),
                    line_number,
                    number(c1),
                    l2,
                    c2,
                ));
            }
        }
    }
    hits
}

/// Sorts hits by file, position and rule.
fn sorted(mut hits: Vec<Hit>) -> Vec<Hit> {
    hits.sort_by(|a, b| (&a.1, a.2, a.3, &a.0).cmp(&(&b.1, b.2, b.3, &b.0)));
    hits
}

impl Run {
    fn place(&self, file: usize, span: Span) -> Place {
        let source = &self.inputs.files[file];
        let (start, end) = source.range(span);
        (
            source.display.clone(),
            start.line,
            start.column,
            end.line,
            end.column,
        )
    }

    fn hit(&self, finding: &Finding) -> Hit {
        let (path, l1, c1, l2, c2) = self.place(finding.location.file, finding.location.span);
        (finding.rule.name().to_string(), path, l1, c1, l2, c2)
    }

    /// Every finding of every rule, sorted by file, position and rule.
    fn hits(&self) -> Vec<Hit> {
        sorted(self.findings.iter().map(|f| self.hit(f)).collect())
    }

    /// What the markers of the run's files announce, sorted like [`Run::hits`].
    fn marked(&self) -> Vec<Hit> {
        let files: BTreeSet<&str> = self.inputs.files.iter().map(|f| &*f.display).collect();
        sorted(
            files
                .into_iter()
                .flat_map(|display| markers_of(display, self.namespace.as_deref()))
                .collect(),
        )
    }

    /// Every finding has its marker and every marker its finding.
    fn assert_markers(&self) {
        assert_eq!(
            self.hits(),
            self.marked(),
            "findings (left) vs `# expect` markers (right), --namespace {:?}",
            self.namespace
        );
    }

    /// The one finding of `rule` starting at `line:column`.
    fn finding(&self, rule: &str, line: usize, column: usize) -> &Finding {
        let matching: Vec<&Finding> = self
            .findings
            .iter()
            .filter(|f| {
                let hit = self.hit(f);
                hit.0 == rule && (hit.2, hit.3) == (line, column)
            })
            .collect();
        assert_eq!(
            matching.len(),
            1,
            "expected one {rule} finding at {line}:{column}, got {:?}",
            self.hits()
        );
        matching[0]
    }

    /// The related places of a finding.
    fn related(&self, finding: &Finding) -> Vec<Place> {
        finding
            .related
            .iter()
            .map(|r| self.place(r.location.file, r.location.span))
            .collect()
    }

    /// The input errors, in path order.
    fn errors(&self) -> Vec<InputErr> {
        self.inputs
            .errors
            .iter()
            .map(|e| {
                let position = match (e.file, e.span) {
                    (Some(file), Some(span)) => {
                        let p = self.inputs.files[file].position(span.start);
                        Some((p.line, p.column))
                    }
                    _ => None,
                };
                (e.path.clone(), position, e.message.clone())
            })
            .collect()
    }
}

fn place(file: &str, l1: usize, c1: usize, l2: usize, c2: usize) -> Place {
    (format!("{CASES}/{file}"), l1, c1, l2, c2)
}

/// Every fixture, linted without `--namespace` and with each namespace its markers name,
/// has exactly the findings its markers announce, so a new fixture is held to its markers
/// without a test of its own.
#[test]
fn every_fixture_matches_its_markers() {
    let mut fixtures: Vec<String> = std::fs::read_dir(CASES)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "README.md" && !name.ends_with(".expect"))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 25, "{fixtures:?}");
    let mut markers = 0;
    for fixture in &fixtures {
        let run = check_with(fixture, None);
        markers += run.marked().len();
        let mut namespaces = BTreeSet::new();
        for file in &run.inputs.files {
            for (_, text) in marker_texts(&file.display) {
                for marker in text.split("[namespace=").skip(1) {
                    namespaces.insert(marker.split(']').next().unwrap().to_string());
                }
            }
        }
        for namespace in namespaces {
            markers += check_with(fixture, Some(&namespace)).marked().len();
        }
    }
    assert!(markers >= 60, "only {markers} markers");
}

/// The marker grammar reads what it says: every form, several expectations on a line, a
/// marker after another comment, and each namespace's markers apart.
#[test]
fn markers_are_read_as_written() {
    let text = "\
a: b  # expect: default-service-account 4-5
spec: {}  # note # expect: needless-token-automount 1-5, default-service-account 1-3:7
c: d  # expect[namespace=prod]: shared-service-account 4-5
# expect-at: 9:3-10:1 legacy-token-secret
# expect-at[namespace=prod]: 1:1-1:2 pod-exec
";
    let hit = |rule: &str, l1, c1, l2, c2| (rule.to_string(), "f".to_string(), l1, c1, l2, c2);
    assert_eq!(
        markers_in("f", "f", text, None),
        vec![
            hit(DEFAULT_SA, 1, 4, 1, 5),
            hit(NEEDLESS_TOKEN, 2, 1, 2, 5),
            hit(DEFAULT_SA, 2, 1, 3, 7),
            hit(LEGACY_TOKEN, 9, 3, 10, 1),
        ]
    );
    assert_eq!(
        markers_in("f", "f", text, Some("prod")),
        vec![hit(SHARED_SA, 3, 4, 3, 5), hit("pod-exec", 1, 1, 1, 2)]
    );
    for bad in [
        "a: b  # expect: SA101 4-5",
        "a: b  # expect: no-such-rule 4-5",
        "a: b  # expect: default-service-account 4",
        "a: b  # expected: default-service-account 4-5",
        "# expect-at: 9:3 legacy-token-secret",
    ] {
        let parsed = std::panic::catch_unwind(|| markers_in("f", "f", bad, None));
        assert!(parsed.is_err(), "{bad} was accepted");
    }
}

#[test]
fn rule_names_are_the_six_core_rules() {
    for (name, code) in [
        (DEFAULT_SA, "SA101"),
        (SHARED_SA, "SA102"),
        (NEEDLESS_TOKEN, "SA201"),
        (LEGACY_TOKEN, "SA202"),
        (CLUSTER_ADMIN, "SA301"),
        (CROSS_NAMESPACE, "SA401"),
    ] {
        let rule = salint::catalog::find(name).unwrap_or_else(|| panic!("no rule {name}"));
        assert_eq!(rule.code(), code, "{name}");
    }
}

// 1. CronJob: the pod spec at spec.jobTemplate.spec.template.spec.
#[test]
fn cronjob_findings_point_into_the_job_template_pod_spec() {
    let f = "cronjob.yaml";
    let run = check(f);
    // `nightly` sets nothing: the innermost `spec:` key (line 13), not the
    // CronJob's (line 8) nor the Job template's (line 11).
    // `report` turns the token on in the nested pod spec: at that `true`.
    // `cleanup` turns it off: silent.
    let nightly = run.finding(DEFAULT_SA, 13, 9);
    assert_eq!(nightly.object.kind, "CronJob");
    assert_eq!(nightly.object.name, "nightly");
    assert_eq!(nightly.object.namespace.as_deref(), Some("jobs"));
    let report = run.finding(NEEDLESS_TOKEN, 32, 41);
    assert!(
        report.message.contains("jobs/reporter"),
        "{}",
        report.message
    );
}

// 2. The deprecated `serviceAccount` field.
#[test]
fn deprecated_service_account_field_names_the_service_account() {
    let f = "deprecated-service-account.yaml";
    let run = check(f);
    // All three run as app/legacy (which has a grant): no default-service-account, no
    // needless-token-automount, and all three share it, each at the field that names it.
    // serviceAccount: legacy
    // serviceAccountName: "" + serviceAccount: legacy
    // serviceAccountName: legacy
    let old_style = run.finding(SHARED_SA, 30, 23);
    assert_eq!(old_style.object.name, "old-style");
    assert!(
        old_style.message.contains("app/legacy"),
        "{}",
        old_style.message
    );
    assert_eq!(
        run.related(old_style),
        vec![place(f, 44, 23, 44, 29), place(f, 57, 27, 57, 33)]
    );
}

// 3. Automount precedence: pod spec, else the SA, else true.
#[test]
fn pod_spec_automount_wins_over_the_service_accounts() {
    let f = "automount-precedence.yaml";
    let run = check(f);
    // pod-off (pod false, SA true) and sa-off (pod unset, SA false): silent.
    // pod-on: pod true beats SA false, at the pod's `true`.
    // sa-on: pod unset, SA true: at the pod template's `spec:`.
    let pod_on = run.finding(NEEDLESS_TOKEN, 63, 37);
    assert_eq!(pod_on.object.name, "pod-on");
    assert!(
        pod_on
            .message
            .contains("Set `automountServiceAccountToken: false` here"),
        "{}",
        pod_on.message
    );
    let sa_on = run.finding(NEEDLESS_TOKEN, 83, 5);
    assert_eq!(sa_on.object.name, "sa-on");
    assert!(
        sa_on.message.contains("or to ServiceAccount auto/loud"),
        "{}",
        sa_on.message
    );
    // The SA's `automountServiceAccountToken: true` is shown as the cause.
    assert_eq!(run.related(sa_on), vec![place(f, 73, 31, 73, 35)]);
}

// 4. Permission through a group subject.
#[test]
fn a_namespace_group_binding_grants_the_service_accounts_of_that_namespace_only() {
    let f = "group-subject-namespace.yaml";
    let run = check(f);
    // grp/worker is reached by system:serviceaccounts:grp; lonely/worker is not.
    assert_eq!(
        run.finding(NEEDLESS_TOKEN, 49, 5)
            .object
            .namespace
            .as_deref(),
        Some("lonely")
    );
}

#[test]
fn the_all_service_accounts_group_grants_every_service_account() {
    check("group-subject-all.yaml");
}

#[test]
fn the_authenticated_group_grants_every_service_account() {
    check("group-subject-authenticated.yaml");
}

// 5. A RoleBinding's ServiceAccount subject without `namespace`.
#[test]
fn a_role_binding_subject_without_namespace_is_in_the_bindings_namespace() {
    let f = "subject-without-namespace.yaml";
    let run = check(f);
    // The subject that names another namespace, at its `namespace` value.
    // other/builder is not team/builder: the namespace-less subject grants team's.
    let cross = run.finding(CROSS_NAMESPACE, 18, 16);
    assert_eq!(cross.object.name, "builders");
    assert!(cross.message.contains("ci/deployer"), "{}", cross.message);
    // The foreign SA's definition is shown.
    assert_eq!(run.related(cross), vec![place(f, 63, 9, 63, 17)]);
    assert_eq!(
        run.finding(NEEDLESS_TOKEN, 53, 5)
            .object
            .namespace
            .as_deref(),
        Some("other")
    );
}

#[test]
fn a_cluster_role_binding_subject_without_namespace_grants_nothing() {
    let f = "cluster-binding-subject-without-namespace.yaml";
    check(f);
    // domain.md: in a ClusterRoleBinding a ServiceAccount subject must carry a namespace.
    // Without one the binding is invalid and grants a/app nothing.
    // And the binding itself is invalid (`ValidateRoleBindingSubject`,
    // pkg/apis/rbac/validation/validation.go: subjects[0].namespace: Required value).
}

/// Item 9 of issue 14: an object the API server rejects gets its validity finding and
/// nothing built on the misread value.
#[test]
fn an_object_the_api_server_rejects_gets_only_its_validity_finding() {
    let f = "rejected-objects.yaml";
    check(f);
    // Pod b/misread (`serviceAccountName: off`, the boolean false) is not judged as running
    // as `b/off`; the binding is rejected whole, so b/app is granted nothing.
}

/// Item 7 of issue 14: the ServiceAccount admission plugin's decision
/// (plugin/pkg/admission/serviceaccount/admission.go), recorded from the plugin's own code
/// (`sa-admission-check`): path-taken not mounted, init-free mounted, mirror not mounted,
/// from-cluster mounted (its own kube-api-access volume).
#[test]
fn token_mounting_is_the_admission_plugins_decision() {
    let f = "token-mount-admission.yaml";
    check(f);
}

// 6. RoleBinding (and ClusterRoleBinding) to ClusterRole cluster-admin; system:masters.
#[test]
fn bindings_to_cluster_admin_fire_at_the_role_ref_name() {
    let f = "cluster-admin.yaml";
    let run = check(f);
    // ops-configmaps (Role named cluster-admin) and ops-ns-admin (admin): silent.
    // RoleBinding ops-admin
    // ClusterRoleBinding root
    // subject Group system:masters
    let role_binding = run.finding(CLUSTER_ADMIN, 12, 9);
    assert_eq!(role_binding.object.kind, "RoleBinding");
    assert!(
        role_binding.message.contains("namespace `ops`"),
        "a RoleBinding grants cluster-admin within its namespace: {}",
        role_binding.message
    );
    let cluster_binding = run.finding(CLUSTER_ADMIN, 24, 9);
    assert!(
        cluster_binding.message.contains("whole cluster"),
        "{}",
        cluster_binding.message
    );
}

// 7. Aggregated ClusterRoles.
#[test]
fn a_clusterrole_aggregating_a_wildcard_role_is_cluster_admin() {
    let f = "aggregated-clusterrole.yaml";
    let run = check(f);
    // platform-team binds platform-super, which aggregates platform-everything.
    // tools-everything binds the `*`/`*`/`*` Role directly.
    // The readers binding stays silent: a namespaced Role is never aggregated,
    // and a wildcard narrowed by resourceNames is not everything.
    let aggregated = run.finding(CLUSTER_ADMIN, 35, 9);
    assert_eq!(aggregated.object.name, "platform-team");
    assert!(
        aggregated
            .message
            .contains("aggregated from ClusterRole `platform-everything`"),
        "{}",
        aggregated.message
    );
    // Related: the wildcard rule of the aggregated role.
    assert_eq!(run.related(aggregated), vec![place(f, 24, 5, 26, 17)]);

    let direct = run.finding(CLUSTER_ADMIN, 96, 9);
    assert_eq!(direct.object.name, "tools-everything");
    assert!(
        direct.message.contains("namespace `tools`") && !direct.message.contains("aggregated"),
        "{}",
        direct.message
    );
    assert_eq!(run.related(direct), vec![place(f, 60, 5, 62, 17)]);
}

// 8. Helm output.
#[test]
fn helm_source_comments_are_the_findings_template_origin() {
    let f = "helm-output.yaml";
    let run = check(f);
    let origin = |rule, line, column| run.finding(rule, line, column).origin.clone();
    assert_eq!(
        origin(LEGACY_TOKEN, 17, 7).as_deref(),
        Some("shop/templates/token.yaml")
    );
    for rule in [DEFAULT_SA, NEEDLESS_TOKEN] {
        assert_eq!(
            origin(rule, 26, 5).as_deref(),
            Some("shop/templates/deployment.yaml")
        );
        // The Pod after the chart has no Source comment: no origin leaks from before.
        assert_eq!(origin(rule, 36, 1), None);
    }
    // Helm output carries no namespace: the implicit one, unnamed.
    assert!(run.findings.iter().all(|f| f.object.namespace.is_none()));
}

// 9. `kind: List` in JSON and a typed `*List` in YAML.
#[test]
fn kubectl_json_list_items_are_linted_each_at_its_place() {
    let f = "kubectl-list.json";
    let run = check(f);
    assert_eq!(
        run.inputs.objects.len(),
        4,
        "the List's items, not the List"
    );
    // Each Pod at its own `"spec"` key; the two are replicas of one ReplicaSet,
    // so they do not share `api`.
    assert_eq!(
        run.finding(NEEDLESS_TOKEN, 62, 13).object.name,
        "api-7d9f8-fghij"
    );
    let secret = run.finding(LEGACY_TOKEN, 83, 21);
    assert_eq!(secret.object.name, "api-token");
    assert!(secret.message.contains("live/api"), "{}", secret.message);
}

#[test]
fn typed_list_items_are_linted_each_at_its_place() {
    let f = "typed-list.yaml";
    let run = check(f);
    assert_eq!(run.inputs.objects.len(), 2);
    // b names `default` and turns automount off, but a projected
    // serviceAccountToken volume still gives it the default SA's token.
    assert_eq!(run.finding(DEFAULT_SA, 13, 9).object.name, "a");
    assert_eq!(run.finding(DEFAULT_SA, 23, 31).object.name, "b");
}

/// A live dump: the `kube-api-access-*` volume the API server writes into every Pod is
/// not a long-lived projected token (it was, before: every Pod of a dump got SA204 at its
/// `expirationSeconds: 3607`); a token volume the team wrote still is.
#[test]
fn the_api_servers_token_volume_in_a_pod_dump_is_not_a_long_lived_token() {
    let f = "kubectl-pods.yaml";
    let run = check(f);
    // A Pod read back from a cluster mounts the token volume itself: the finding is
    // on that mount.
    // The one long-lived token is the team's own volume, not the API server's.
    let long_lived = run.finding("long-lived-projected-token", 64, 38);
    assert_eq!(long_lived.object.name, "agent-0");
}

// 10. YAML 1.1 booleans.
#[test]
fn yaml_1_1_booleans_are_read_the_way_kubectl_reads_them() {
    let f = "yaml11-booleans.yaml";
    check(f);
    // says-no (pod `no`) and sa-says-off (SA `Off`) mount no token: silent, including
    // default-service-account for says-no (no token, no identity). says-yes: pod `yes`
    // beats the SA's `NO`.
}

// 11. A broken file among good ones.
#[test]
fn a_broken_file_does_not_stop_the_others() {
    let dir = "broken-among-good";
    let run = check_with(dir, None);
    let b = "broken-among-good/b-broken.yaml";
    assert_eq!(run.inputs.files.len(), 4);
    // The document before the break is still linted.
    let errors = run.errors();
    assert_eq!(errors.len(), 2, "{errors:?}");
    // The unclosed `{` of line 17 is detected at line 18's `:`.
    let (path, position, message) = &errors[0];
    assert_eq!(path, &format!("{CASES}/{b}"));
    assert_eq!(*position, Some((18, 12)), "{message}");
    assert!(message.starts_with("YAML parse error"), "{message}");
    let (path, position, message) = &errors[1];
    assert_eq!(path, &format!("{CASES}/broken-among-good/d-latin1.yaml"));
    assert_eq!(*position, Some((5, 12)));
    assert_eq!(message, "not UTF-8 text: invalid byte 0xE9");
}

#[test]
fn a_parse_error_after_non_ascii_text_keeps_its_line_and_column() {
    let run = check_with("broken-non-ascii.yaml", None);
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let (path, position, message) = &errors[0];
    assert_eq!(path, &format!("{CASES}/broken-non-ascii.yaml"));
    assert!(message.starts_with("YAML parse error"), "{message}");
    // The same place as in an ASCII file with the same layout (line 9's `:`, after the
    // unclosed `{` of line 8), not line 7 column 3 (the checkpoint before it).
    assert_eq!(*position, Some((9, 12)), "{message}");
}

// 12. The same SA name in two namespaces.
#[test]
fn the_same_service_account_name_in_two_namespaces_is_two_identities() {
    let f = "same-name-two-namespaces.yaml";
    let run = check(f);
    // red/app is granted; blue/app is not (red's binding does not reach it).
    // green has no `app`: it cannot borrow red's or blue's.
    // No shared-service-account: red/app and blue/app are different SAs.
    assert_eq!(
        run.finding(NEEDLESS_TOKEN, 50, 5)
            .object
            .namespace
            .as_deref(),
        Some("blue")
    );
    let green = run.finding(CROSS_NAMESPACE, 64, 27);
    assert_eq!(green.object.namespace.as_deref(), Some("green"));
    assert_eq!(
        run.related(green),
        vec![place(f, 7, 9, 7, 12), place(f, 13, 9, 13, 12)]
    );
}

// 13. CRLF and non-ASCII text.
#[test]
fn columns_are_characters_in_crlf_files_with_non_ascii_text() {
    let f = "crlf-unicode.yaml";
    let raw = std::fs::read(format!("{CASES}/{f}")).unwrap();
    assert!(
        raw.windows(2).any(|w| w == b"\r\n") && !raw.is_ascii(),
        "{f} must keep its CRLF line endings and non-ASCII text"
    );
    let run = check(f);
    // Line 8 holds `zürich-🚀` ahead of `default`: 61 characters before it
    // (66 bytes, 62 UTF-16 units).
    // `default` is named: default-service-account points at it, and
    // needless-token-automount at the pod's `spec` key.
    // Second document, after lines of emoji: `yes` with a trailing `# ✓`.
    let source = &run.inputs.files[0];
    let default = run.finding(DEFAULT_SA, 8, 62);
    assert_eq!(
        &source.text[default.location.span.start..default.location.span.end],
        "default"
    );
    let yes = run.finding(NEEDLESS_TOKEN, 20, 33);
    assert_eq!(
        &source.text[yes.location.span.start..yes.location.span.end],
        "yes"
    );
    assert_eq!(yes.object.name, "naïve");
    assert_eq!(yes.object.namespace.as_deref(), Some("zürich"));
}

// 14. The implicit namespace.
#[test]
fn objects_without_namespace_share_the_unknown_implicit_namespace() {
    // Without --namespace, the implicit namespace may be `prod`: `batch` may use the
    // implicit `api` and its grant. Nothing is certain enough to report.
    check("implicit-namespace.yaml");
}

#[test]
fn the_namespace_option_names_the_implicit_namespace() {
    let f = "implicit-namespace.yaml";
    // --namespace prod: everything is in prod, and `api` runs two workloads.
    let run = check_with(f, Some("prod"));
    assert!(run
        .findings
        .iter()
        .all(|f| f.object.namespace.as_deref() == Some("prod")));
    assert!(run.findings[0].message.contains("prod/api"));

    // --namespace staging: `api`, its binding and its Deployment are in staging; `batch`
    // in prod names an SA that exists only in staging, and nothing grants prod/api.
    let run = check_with(f, Some("staging"));
    let cross = run.finding(CROSS_NAMESPACE, 40, 27);
    assert!(
        cross.message.contains("namespace `staging`"),
        "{}",
        cross.message
    );
    assert_eq!(run.related(cross), vec![place(f, 6, 9, 6, 12)]);
}

// More cases from the domain brief.

#[test]
fn replicas_of_one_workload_do_not_share_their_service_account() {
    check("replicas-only.yaml");
}

#[test]
fn a_second_workload_shares_and_every_user_is_reported() {
    let f = "replicas-not-sharing.yaml";
    let run = check(f);
    // Deployment web
    // a Pod of web's ReplicaSet
    // StatefulSet worker
    // The pod counts as web: its message names only the StatefulSet, and the
    // StatefulSet's names web once.
    let pod = run.finding(SHARED_SA, 50, 23);
    assert!(
        pod.message.contains("StatefulSet worker"),
        "{}",
        pod.message
    );
    assert!(!pod.message.contains("Deployment web"), "{}", pod.message);
    let worker = run.finding(SHARED_SA, 63, 27);
    assert_eq!(
        worker.message.matches("Deployment web").count(),
        1,
        "{}",
        worker.message
    );
    assert!(!worker.message.contains("Pod"), "{}", worker.message);
}

#[test]
fn custom_kinds_with_a_pod_template_are_workloads() {
    let f = "custom-workloads.yaml";
    let run = check(f);
    // The Rollout, at its template's `spec:`; the ReportTemplate has no containers.
    assert_eq!(run.finding(DEFAULT_SA, 12, 5).object.kind, "Rollout");
}

#[test]
fn references_into_other_namespaces() {
    let f = "references-across-namespaces.yaml";
    let run = check(f);
    // The token Secret's SA exists only in factory: at the annotation value.
    // The RoleBinding's Role exists only in factory: at roleRef.name.
    // It grants to office's `default` SA: at the subject's name.
    let secret = run.finding(LEGACY_TOKEN, 17, 7);
    assert!(
        secret.message.contains("office/robot") && secret.message.contains("has no permission"),
        "{}",
        secret.message
    );
    let role_ref = run.finding(CROSS_NAMESPACE, 37, 9);
    assert_eq!(run.related(role_ref), vec![place(f, 22, 9, 22, 22)]);
}

/// Output without source lines lets go of each file's text after parsing; every finding,
/// related location, suppression and input error must sit where it sits with the text kept
/// (CRLF and lone-CR line breaks, BOMs, non-ASCII text, broken files: all of testdata).
#[test]
fn positions_are_the_same_without_the_text() {
    let filter = FileFilter::new(&[], &[]).expect("default filter");
    let found = discover(&["testdata".to_string()], &filter);
    let read = |keep_text| {
        let inputs = read_inputs_with(
            &found.inputs,
            &ReadOptions {
                max_file_size: DEFAULT_MAX_FILE_SIZE,
                keep_text,
                ..ReadOptions::default()
            },
        );
        let findings = lint(&inputs, &LintOptions::default());
        let files = &inputs.files;
        let places: Vec<String> = findings
            .iter()
            .flat_map(|f| {
                let related = f.related.iter().map(|r| r.location);
                std::iter::once(f.location)
                    .chain(related)
                    .map(move |location| {
                        let file = &files[location.file];
                        let suppressed = f.suppression.is_some();
                        format!(
                            "{} {} {:?} {suppressed}",
                            f.rule.name(),
                            file.display,
                            file.range(location.span)
                        )
                    })
            })
            .chain(inputs.errors.iter().map(|e| {
                let at = e.file.zip(e.span).map(|(f, s)| files[f].position(s.start));
                format!("{} {at:?} {}", e.path, e.message)
            }))
            .collect();
        let let_go = inputs.files.iter().filter(|f| f.text.is_empty()).count();
        (places, let_go)
    };
    let (with_text, _) = read(true);
    let (without_text, let_go) = read(false);
    assert!(with_text.len() > 100, "{}", with_text.len());
    assert!(let_go > 20, "{let_go} files let go of their text");
    assert_eq!(without_text, with_text);
}
