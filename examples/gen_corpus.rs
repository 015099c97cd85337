//! Writes a deterministic synthetic manifest corpus for `scripts/bench`.
//!
//! ```sh
//! cargo run --release --example gen_corpus -- OUT_DIR DOCUMENTS   # a corpus folder
//! cargo run --release --example gen_corpus -- --small FILE        # one ~200-line file
//! ```
//!
//! The mix follows what a GitOps repository holds: per team namespace, Deployments,
//! StatefulSets and CronJobs with their ServiceAccounts, Roles and bindings, Services,
//! Secrets (some legacy token Secrets) and ConfigMaps with large data blocks; a few
//! ClusterRoles (some aggregated) and ClusterRoleBindings. Files hold several documents, and
//! about a third are `helm template` output with `# Source:` comments. Namespaces grow with
//! the corpus (one per ~100 documents), so a corpus four times larger is four times as many
//! teams, the way real repositories grow. The same arguments always give the same bytes.

use std::fmt::Write as _;
use std::path::Path;

/// splitmix64: tiny, fast and good enough for picking a mix; fixed seed, so deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Document kinds and their weight per 100 documents.
const MIX: &[(Kind, usize)] = &[
    (Kind::Deployment, 20),
    (Kind::StatefulSet, 5),
    (Kind::CronJob, 5),
    (Kind::ServiceAccount, 12),
    (Kind::Role, 6),
    (Kind::ClusterRole, 3),
    (Kind::RoleBinding, 8),
    (Kind::ClusterRoleBinding, 2),
    (Kind::Secret, 8),
    (Kind::ConfigMap, 14),
    (Kind::Service, 17),
];

#[derive(Clone, Copy)]
enum Kind {
    Deployment,
    StatefulSet,
    CronJob,
    ServiceAccount,
    Role,
    ClusterRole,
    RoleBinding,
    ClusterRoleBinding,
    Secret,
    ConfigMap,
    Service,
}

const DOCS_PER_NAMESPACE: usize = 100;
const SAS_PER_NAMESPACE: usize = 12;

struct Generator {
    rng: Rng,
    namespaces: usize,
    serial: usize,
    /// Per namespace: ServiceAccounts defined so far, and the Roles defined so far.
    defined_sas: Vec<usize>,
    roles: Vec<Vec<String>>,
}

impl Generator {
    fn new(documents: usize) -> Self {
        let namespaces = documents.div_ceil(DOCS_PER_NAMESPACE).max(1);
        Generator {
            rng: Rng(0x5A11_7000),
            namespaces,
            serial: 0,
            defined_sas: vec![0; namespaces],
            roles: vec![Vec::new(); namespaces],
        }
    }

    fn pick_kind(&mut self) -> Kind {
        let total: usize = MIX.iter().map(|(_, w)| w).sum();
        let mut roll = self.rng.below(total);
        for &(kind, weight) in MIX {
            if roll < weight {
                return kind;
            }
            roll -= weight;
        }
        unreachable!("weights add up")
    }

    fn namespace(&mut self) -> String {
        format!("team-{:04}", self.rng.below(self.namespaces))
    }

    fn namespace_index(ns: &str) -> usize {
        ns.trim_start_matches("team-").parse().unwrap_or(0)
    }

    /// A ServiceAccount name of namespace `ns`. Names carry the namespace, so the same name
    /// is not defined in hundreds of namespaces (which real repositories rarely do).
    fn sa_name(&mut self, ns: &str) -> String {
        format!("{ns}-app-{}", self.rng.below(SAS_PER_NAMESPACE))
    }

    fn name(&mut self, prefix: &str) -> String {
        self.serial += 1;
        format!("{prefix}-{}", self.serial)
    }

    fn document(&mut self, kind: Kind) -> String {
        match kind {
            Kind::Deployment => self.workload("apps/v1", "Deployment"),
            Kind::StatefulSet => self.workload("apps/v1", "StatefulSet"),
            Kind::CronJob => self.workload("batch/v1", "CronJob"),
            Kind::ServiceAccount => self.service_account(),
            Kind::Role => self.role(false),
            Kind::ClusterRole => self.role(true),
            Kind::RoleBinding => self.binding(false),
            Kind::ClusterRoleBinding => self.binding(true),
            Kind::Secret => self.secret(),
            Kind::ConfigMap => self.config_map(),
            Kind::Service => self.service(),
        }
    }

    fn metadata(&mut self, out: &mut String, name: &str, namespace: Option<&str>) {
        out.push_str("metadata:\n");
        let _ = writeln!(out, "  name: {name}");
        if let Some(ns) = namespace {
            let _ = writeln!(out, "  namespace: {ns}");
        }
        out.push_str("  labels:\n");
        let _ = writeln!(out, "    app.kubernetes.io/name: {name}");
        out.push_str("    app.kubernetes.io/part-of: shop\n");
        out.push_str("    app.kubernetes.io/managed-by: Helm\n");
    }

    fn workload(&mut self, api_version: &str, kind: &str) -> String {
        let ns = self.namespace();
        let name = self.name(&kind.to_lowercase());
        let mut out = format!("apiVersion: {api_version}\nkind: {kind}\n");
        self.metadata(&mut out, &name, Some(&ns));
        let indent = if kind == "CronJob" {
            out.push_str("spec:\n  schedule: \"*/15 * * * *\"\n  jobTemplate:\n    spec:\n");
            "      "
        } else {
            out.push_str("spec:\n  replicas: 3\n");
            if kind == "StatefulSet" {
                let _ = writeln!(out, "  serviceName: {name}");
            }
            out.push_str("  selector:\n    matchLabels:\n");
            let _ = writeln!(out, "      app.kubernetes.io/name: {name}");
            "  "
        };
        let mut pod = String::from("template:\n  metadata:\n    labels:\n");
        let _ = writeln!(pod, "      app.kubernetes.io/name: {name}");
        pod.push_str("    annotations:\n      prometheus.io/scrape: \"true\"\n");
        if self.rng.chance(3) {
            pod.push_str("      ignore.salint.io/SA101: \"batch image, makes no API calls\"\n");
        }
        pod.push_str("  spec:\n");
        // Most charts give a workload its own ServiceAccount (written just before it, as
        // its own document); some share one of the namespace's; a few use `default`.
        let mut own_account = None;
        let roll = self.rng.below(100);
        if roll < 60 {
            let _ = writeln!(pod, "    serviceAccountName: {name}");
            own_account = Some(format!(
                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  namespace: {ns}\n---\n"
            ));
        } else if roll < 85 {
            let sa = self.sa_name(&ns);
            let _ = writeln!(pod, "    serviceAccountName: {sa}");
        }
        if self.rng.chance(30) {
            pod.push_str("    automountServiceAccountToken: false\n");
        }
        if kind == "CronJob" {
            pod.push_str("    restartPolicy: OnFailure\n");
        }
        pod.push_str("    securityContext:\n      runAsNonRoot: true\n      fsGroup: 2000\n");
        pod.push_str("    containers:\n");
        for c in 0..1 + self.rng.below(2) {
            self.container(&mut pod, &name, c);
        }
        pod.push_str("    volumes:\n      - name: config\n        configMap:\n");
        let _ = writeln!(pod, "          name: {name}-config");
        if self.rng.chance(10) {
            pod.push_str("      - name: token\n        projected:\n          sources:\n");
            pod.push_str("            - serviceAccountToken:\n                path: token\n");
            pod.push_str("                expirationSeconds: 3600\n");
        }
        for line in pod.lines() {
            let _ = writeln!(out, "{indent}{line}");
        }
        match own_account {
            Some(account) => account + &out,
            None => out,
        }
    }

    fn container(&mut self, out: &mut String, name: &str, index: usize) {
        let _ = writeln!(out, "      - name: {name}-{index}");
        let _ = writeln!(
            out,
            "        image: \"registry.example.com/shop/{name}:1.{}.{}\"",
            self.rng.below(20),
            self.rng.below(10)
        );
        out.push_str("        imagePullPolicy: IfNotPresent\n");
        out.push_str("        args: [\"--config=/etc/app/config.yaml\", \"--log-level=info\"]\n");
        out.push_str("        ports:\n          - name: http\n            containerPort: 8080\n            protocol: TCP\n");
        out.push_str("        env:\n");
        for e in 0..3 + self.rng.below(6) {
            let _ = writeln!(out, "          - name: SETTING_{e}");
            let _ = writeln!(out, "            value: \"value-{}\"", self.rng.below(1000));
        }
        out.push_str(
            "          - name: DB_PASSWORD\n            valueFrom:\n              secretKeyRef:\n",
        );
        let _ = writeln!(
            out,
            "                name: {name}-db\n                key: password"
        );
        out.push_str("        resources:\n          requests: {cpu: 100m, memory: 128Mi}\n          limits: {cpu: \"1\", memory: 512Mi}\n");
        out.push_str("        livenessProbe:\n          httpGet: {path: /healthz, port: http}\n          initialDelaySeconds: 10\n");
        out.push_str("        readinessProbe:\n          httpGet: {path: /ready, port: http}\n");
        out.push_str("        securityContext:\n          allowPrivilegeEscalation: false\n          readOnlyRootFilesystem: true\n          capabilities:\n            drop: [\"ALL\"]\n");
        out.push_str("        volumeMounts:\n          - name: config\n            mountPath: /etc/app\n            readOnly: true\n");
    }

    fn service_account(&mut self) -> String {
        let ns = self.namespace();
        // Define the namespace's accounts in turn, so most names workloads use exist.
        let defined = &mut self.defined_sas[Self::namespace_index(&ns)];
        let name = format!("{ns}-app-{}", *defined % SAS_PER_NAMESPACE);
        *defined += 1;
        let mut out = String::from("apiVersion: v1\nkind: ServiceAccount\n");
        self.metadata(&mut out, &name, Some(&ns));
        if self.rng.chance(40) {
            out.push_str("automountServiceAccountToken: false\n");
        }
        out
    }

    fn role(&mut self, cluster: bool) -> String {
        let kind = if cluster { "ClusterRole" } else { "Role" };
        let ns = (!cluster).then(|| self.namespace());
        let name = self.name(if cluster { "cluster-reader" } else { "reader" });
        let mut out = format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\n");
        self.metadata(&mut out, &name, ns.as_deref());
        if let Some(ns) = &ns {
            self.roles[Self::namespace_index(ns)].push(name.clone());
        }
        if cluster && self.rng.chance(30) {
            out.push_str("    rbac.example.com/aggregate-to-monitoring: \"true\"\n");
        }
        if cluster && self.rng.chance(3) {
            out.push_str("aggregationRule:\n  clusterRoleSelectors:\n");
            out.push_str(
                "    - matchLabels:\n        rbac.example.com/aggregate-to-monitoring: \"true\"\n",
            );
            out.push_str("rules: []\n");
            return out;
        }
        out.push_str("rules:\n");
        let resources = [
            "configmaps",
            "pods",
            "services",
            "secrets",
            "deployments",
            "pods/log",
            "events",
            "leases",
        ];
        for _ in 0..1 + self.rng.below(4) {
            let resource = resources[self.rng.below(resources.len())];
            let group = match resource {
                "deployments" => "apps",
                "leases" => "coordination.k8s.io",
                _ => "",
            };
            let verbs = if self.rng.chance(10) {
                "[\"*\"]"
            } else if self.rng.chance(30) {
                "[\"get\", \"list\", \"watch\", \"create\", \"update\", \"patch\"]"
            } else {
                "[\"get\", \"list\", \"watch\"]"
            };
            let _ = writeln!(
                out,
                "  - apiGroups: [\"{group}\"]\n    resources: [\"{resource}\"]\n    verbs: {verbs}"
            );
        }
        out
    }

    fn binding(&mut self, cluster: bool) -> String {
        let kind = if cluster {
            "ClusterRoleBinding"
        } else {
            "RoleBinding"
        };
        let ns = self.namespace();
        let name = self.name("binding");
        let mut out = format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\n");
        self.metadata(&mut out, &name, (!cluster).then_some(ns.as_str()));
        let local = &self.roles[Self::namespace_index(&ns)];
        let (role_kind, role_name) = if !cluster && !local.is_empty() && self.rng.chance(60) {
            let pick = self.rng.below(local.len());
            ("Role", self.roles[Self::namespace_index(&ns)][pick].clone())
        } else {
            let builtin = ["view", "edit", "admin", "cluster-admin"];
            let pick = self.rng.below(100);
            let role = if pick < 40 {
                format!("cluster-reader-{}", self.rng.below(self.serial.max(1)))
            } else if pick < 98 {
                builtin[self.rng.below(3)].to_string()
            } else {
                builtin[3].to_string()
            };
            ("ClusterRole", role)
        };
        let _ = writeln!(
            out,
            "roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: {role_kind}\n  name: {role_name}"
        );
        out.push_str("subjects:\n");
        for _ in 0..1 + self.rng.below(2) {
            let sa = self.sa_name(&ns);
            let _ = writeln!(
                out,
                "  - kind: ServiceAccount\n    name: {sa}\n    namespace: {ns}"
            );
        }
        if self.rng.chance(5) {
            let _ = writeln!(
                out,
                "  - kind: Group\n    apiGroup: rbac.authorization.k8s.io\n    name: system:serviceaccounts:{ns}"
            );
        }
        out
    }

    fn secret(&mut self) -> String {
        let ns = self.namespace();
        let mut out = String::from("apiVersion: v1\nkind: Secret\n");
        if self.rng.chance(25) {
            let sa = self.sa_name(&ns);
            let name = self.name(&format!("{sa}-token"));
            self.metadata(&mut out, &name, Some(&ns));
            let _ = writeln!(
                out,
                "  annotations:\n    kubernetes.io/service-account.name: {sa}\ntype: kubernetes.io/service-account-token"
            );
            return out;
        }
        let name = self.name("db");
        self.metadata(&mut out, &name, Some(&ns));
        out.push_str("type: Opaque\ndata:\n");
        for key in ["username", "password", "host", "ca.crt"] {
            let len = 16 + self.rng.below(48);
            let value: String = (0..len)
                .map(|_| char::from(b'A' + self.rng.below(26) as u8))
                .collect();
            let _ = writeln!(out, "  {key}: {value}==");
        }
        out
    }

    fn config_map(&mut self) -> String {
        let ns = self.namespace();
        let name = self.name("config");
        let mut out = String::from("apiVersion: v1\nkind: ConfigMap\n");
        self.metadata(&mut out, &name, Some(&ns));
        out.push_str("data:\n");
        for file in 0..1 + self.rng.below(3) {
            let _ = writeln!(out, "  settings-{file}.yaml: |");
            for line in 0..20 + self.rng.below(150) {
                let _ = writeln!(
                    out,
                    "    section{}.option_{line}: \"{}\" # tuned for load {}",
                    line / 10,
                    self.rng.next() % 100_000,
                    self.rng.below(100)
                );
            }
        }
        out.push_str("  log-level: info\n  feature-flags: \"a,b,c\"\n");
        out
    }

    fn service(&mut self) -> String {
        let ns = self.namespace();
        let name = self.name("svc");
        let mut out = String::from("apiVersion: v1\nkind: Service\n");
        self.metadata(&mut out, &name, Some(&ns));
        let _ = writeln!(
            out,
            "spec:\n  type: ClusterIP\n  selector:\n    app.kubernetes.io/name: {name}\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n      protocol: TCP"
        );
        out
    }
}

/// Writes `documents` documents into `dir`, several per file, in folders of 100 files.
fn write_corpus(dir: &Path, documents: usize) -> std::io::Result<(usize, usize)> {
    let mut generator = Generator::new(documents);
    let (mut written, mut files, mut bytes) = (0, 0, 0);
    while written < documents {
        let count = (1 + generator.rng.below(8)).min(documents.saturating_sub(written).max(1));
        let helm = generator.rng.chance(35);
        let chart = format!("chart-{}", generator.rng.below(50));
        let mut text = String::new();
        for i in 0..count {
            let kind = generator.pick_kind();
            if i > 0 || helm {
                text.push_str("---\n");
            }
            if helm {
                let _ = writeln!(text, "# Source: {chart}/templates/part-{i}.yaml");
            }
            if generator.rng.chance(2) {
                text.push_str("# salint: ignore[SA102] shared on purpose, reviewed\n");
            }
            let document = generator.document(kind);
            // A workload may come with its own ServiceAccount document.
            written += document.matches("\n---\n").count();
            text.push_str(&document);
        }
        let folder = dir.join(format!("part-{:04}", files / 100));
        std::fs::create_dir_all(&folder)?;
        std::fs::write(folder.join(format!("manifests-{files:06}.yaml")), &text)?;
        written += count;
        files += 1;
        bytes += text.len();
    }
    Ok((files, bytes))
}

/// One file of about 200 lines: the pre-commit case.
fn small_file() -> String {
    let mut generator = Generator::new(1);
    let mut text = String::new();
    for kind in [
        Kind::ServiceAccount,
        Kind::Deployment,
        Kind::Role,
        Kind::RoleBinding,
        Kind::Service,
        Kind::Secret,
    ] {
        if !text.is_empty() {
            text.push_str("---\n");
        }
        text.push_str(&generator.document(kind));
    }
    text
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag, file] if flag == "--small" => {
            let text = small_file();
            std::fs::write(file, &text).expect("write the small file");
            println!("{file}: {} lines", text.lines().count());
        }
        [dir, documents] => {
            let documents: usize = documents.parse().expect("DOCUMENTS is a number");
            let dir = Path::new(dir);
            if dir.exists() {
                std::fs::remove_dir_all(dir).expect("clear the output folder");
            }
            let (files, bytes) = write_corpus(dir, documents).expect("write the corpus");
            println!(
                "{}: {documents} documents in {files} files, {bytes} bytes",
                dir.display()
            );
        }
        _ => {
            eprintln!("usage: gen_corpus OUT_DIR DOCUMENTS | gen_corpus --small FILE");
            std::process::exit(2);
        }
    }
}
