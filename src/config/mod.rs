//! Configuration: `.salint.yaml`, found next to the scanned folder or above it, overridden
//! by command-line flags. Every value remembers where it came from (`salint config`).

mod file;
mod find;
mod options;
mod render;
mod template;

use std::fmt;

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::catalog::Severity;
use crate::catalog::{self as rules, RuleId};

pub use file::{load_config_file, ConfigError};
pub use find::{context_outside_repository, find_config_file};
pub use options::{OptionText, RuleOption, ShownOption};
pub use render::{RenderMode, DEFAULT_RENDER_TIMEOUT};
pub use template::INIT_TEMPLATE;

/// The name of the configuration file salint looks for.
pub const CONFIG_FILE_NAME: &str = ".salint.yaml";

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Default,
    /// The config file, at a 1-based line and column.
    File {
        path: String,
        line: usize,
        column: usize,
    },
    /// A command-line flag.
    Flag(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::File { path, line, column } => write!(f, "{path}:{line}:{column}"),
            Origin::Flag(flag) => write!(f, "{flag}"),
        }
    }
}

/// A value with its origin.
#[derive(Debug, Clone)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Setting<T> {
    pub fn default(value: T) -> Self {
        Setting {
            value,
            origin: Origin::Default,
        }
    }
}

/// A rule's level: off, or on at a severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleLevel {
    Off,
    On(Severity),
}

impl RuleLevel {
    pub fn parse(text: &str) -> Option<RuleLevel> {
        match text {
            "off" => Some(RuleLevel::Off),
            other => Severity::parse(other).map(RuleLevel::On),
        }
    }
}

impl fmt::Display for RuleLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleLevel::Off => f.write_str("off"),
            RuleLevel::On(severity) => write!(f, "{severity}"),
        }
    }
}

/// A list of strings from the file or flags, each remembered with its origin.
pub type SettingList = Vec<Setting<String>>;

/// A cluster named in `clusters:`: the globs of the files applied together.
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    pub name: Setting<String>,
    pub globs: SettingList,
}

/// How kustomizations are rendered: `render.kustomize` (`auto`, `never` or a command) and
/// the time limit of one rendering.
#[derive(Debug, Clone)]
pub struct RenderConfig {
    pub kustomize: Setting<RenderMode>,
    /// `render.helm`: `auto` (`helm` on PATH), `never`, or a program taking `helm`'s
    /// arguments.
    pub helm: Setting<RenderMode>,
    /// `render.helm-release`: the release name (default: each chart's name).
    pub helm_release: Setting<Option<String>>,
    /// `render.helm-values`: per chart folder (relative to the configuration file), the
    /// renderings as lists of values files (relative to the chart folder).
    pub helm_values: Vec<(Setting<String>, Vec<Vec<String>>)>,
    pub timeout_seconds: Setting<u64>,
}

impl Default for RenderConfig {
    fn default() -> Self {
        RenderConfig {
            kustomize: Setting::default(RenderMode::Auto),
            helm: Setting::default(RenderMode::Auto),
            helm_release: Setting::default(None),
            helm_values: Vec::new(),
            timeout_seconds: Setting::default(DEFAULT_RENDER_TIMEOUT.as_secs()),
        }
    }
}

/// Paths matching `glob` ignore `rules` (like ruff's per-file-ignores).
#[derive(Debug, Clone)]
pub struct PathIgnore {
    pub glob: Setting<String>,
    pub rules: Vec<RuleId>,
}

/// The effective configuration of a run.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from, if any (display path).
    pub file: Option<String>,
    /// Level per rule, in `rules::all()` order.
    pub rule_levels: Vec<(RuleId, Setting<RuleLevel>)>,
    pub exclude: SettingList,
    pub include: SettingList,
    pub namespace: Setting<Option<String>>,
    pub fail_on: Setting<Severity>,
    /// Objects in these namespaces get no findings.
    pub skip_namespaces: SettingList,
    /// References into or out of these namespaces are expected (kube-system's
    /// `extension-apiserver-authentication-reader` bindings): cross-namespace-reference
    /// leaves them alone.
    pub system_namespaces: SettingList,
    /// Each rule's options as written, for the rule to read (`rules: {NAME: {KEY: VALUE}}`).
    pub rule_options: Vec<(RuleId, Vec<RuleOption>)>,
    pub per_path_ignores: Vec<PathIgnore>,
    /// A folder loaded as context (objects used by the graph, findings not reported).
    pub context: Setting<Option<String>>,
    /// The clusters, when the configuration names them (else salint decides).
    pub clusters: Vec<ClusterConfig>,
    /// `--cluster NAME`: only these clusters are checked.
    pub only_clusters: SettingList,
    pub render: RenderConfig,
    /// Whether the permission rules judge every subject (`permission-subjects: all`) or
    /// only identities whose credentials sit in pods: ServiceAccounts and the groups that
    /// contain them (`service-accounts`, the default).
    pub permission_subjects_all: Setting<bool>,
    /// The folder of the configuration file: `context` and `per-path-ignores` written in
    /// the file are relative to it, so the file means the same from any working directory.
    pub base_dir: Option<std::path::PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            file: None,
            rule_levels: rules::all()
                .into_iter()
                .map(|rule| (rule, Setting::default(RuleLevel::On(rule.doc().severity))))
                .collect(),
            exclude: Vec::new(),
            include: Vec::new(),
            namespace: Setting::default(None),
            fail_on: Setting::default(Severity::Warning),
            skip_namespaces: Vec::new(),
            system_namespaces: vec![Setting::default("kube-system".to_string())],
            rule_options: Vec::new(),
            per_path_ignores: Vec::new(),
            context: Setting::default(None),
            clusters: Vec::new(),
            only_clusters: Vec::new(),
            render: RenderConfig::default(),
            permission_subjects_all: Setting::default(false),
            base_dir: None,
        }
    }
}

fn values(list: &SettingList) -> impl Iterator<Item = &str> {
    list.iter().map(|s| s.value.as_str())
}

impl Config {
    /// The level of a rule.
    pub fn rule_level(&self, rule: RuleId) -> RuleLevel {
        self.rule_levels
            .iter()
            .find(|(r, _)| *r == rule)
            .map_or(RuleLevel::On(rule.doc().severity), |(_, s)| s.value)
    }

    pub fn set_rule_level(&mut self, rule: RuleId, level: RuleLevel, origin: Origin) {
        if let Some((_, setting)) = self.rule_levels.iter_mut().find(|(r, _)| *r == rule) {
            *setting = Setting {
                value: level,
                origin,
            };
        }
    }

    pub fn skips_namespace(&self, namespace: Option<&str>) -> bool {
        namespace.is_some_and(|ns| values(&self.skip_namespaces).any(|s| s == ns))
    }

    pub fn is_system_namespace(&self, namespace: Option<&str>) -> bool {
        namespace.is_some_and(|ns| values(&self.system_namespaces).any(|s| s == ns))
    }

    /// The options written for `rule` (none when the configuration sets none).
    pub fn rule_options(&self, rule: RuleId) -> &[RuleOption] {
        self.rule_options
            .iter()
            .find(|(r, _)| *r == rule)
            .map_or(&[], |(_, options)| options.as_slice())
    }

    /// Sets one option of `rule`, replacing an earlier value of the same key.
    pub fn set_rule_option(&mut self, rule: RuleId, option: RuleOption) {
        let index = match self.rule_options.iter().position(|(r, _)| *r == rule) {
            Some(index) => index,
            None => {
                self.rule_options.push((rule, Vec::new()));
                self.rule_options.len() - 1
            }
        };
        let options = &mut self.rule_options[index].1;
        options.retain(|o| o.key != option.key);
        options.push(option);
    }

    /// The per-path ignores as compiled globs with their rules.
    /// The namespace of objects without `metadata.namespace`: the configured one, else the
    /// unknown implicit namespace.
    pub fn implicit_namespace(&self) -> crate::model::Namespace {
        match &self.namespace.value {
            Some(ns) => crate::model::Namespace::Named(ns.clone()),
            None => crate::model::Namespace::Implicit,
        }
    }

    /// The folder-walk filter of the `include` and `exclude` globs; the error names a bad
    /// glob.
    pub fn file_filter(&self) -> Result<crate::discover::FileFilter, crate::discover::GlobError> {
        let values = |list: &SettingList| list.iter().map(|s| s.value.clone()).collect::<Vec<_>>();
        crate::discover::FileFilter::new(&values(&self.include), &values(&self.exclude))
    }

    /// The ways a file may be named in `per-path-ignores`: as shown in the output, and
    /// relative to the configuration file's folder.
    pub fn path_forms(&self, display: &str) -> Vec<String> {
        let mut forms = vec![display.to_string()];
        if let Some(base) = &self.base_dir {
            if let Ok(absolute) = std::path::absolute(display) {
                if let Ok(relative) = absolute.strip_prefix(base) {
                    let relative = relative.to_string_lossy().replace('\\', "/");
                    if relative != display {
                        forms.push(relative);
                    }
                }
            }
        }
        forms
    }

    pub fn path_ignores(&self) -> Vec<(GlobSet, Vec<RuleId>)> {
        self.per_path_ignores
            .iter()
            .filter_map(|ignore| {
                let glob = Glob::new(&ignore.glob.value).ok()?;
                let mut builder = GlobSetBuilder::new();
                builder.add(glob);
                Some((builder.build().ok()?, ignore.rules.clone()))
            })
            .collect()
    }

    /// The effective configuration as commented YAML: each value with its origin; each
    /// rule's options as `rule_options` shows them (the rules own their options and their
    /// defaults).
    pub fn describe(&self, rule_options: &dyn Fn(RuleId) -> Vec<ShownOption>) -> String {
        let mut out = String::new();
        match &self.file {
            Some(file) => out.push_str(&format!("# configuration file: {file}\n")),
            None => out.push_str("# no configuration file\n"),
        }
        let line = |out: &mut String, text: String, origin: &Origin| {
            out.push_str(&format!("{text:<50} # {origin}\n"));
        };
        line(
            &mut out,
            format!(
                "namespace: {}",
                self.namespace.value.as_deref().unwrap_or("null")
            ),
            &self.namespace.origin,
        );
        line(
            &mut out,
            format!("fail-on: {}", self.fail_on.value),
            &self.fail_on.origin,
        );
        line(
            &mut out,
            format!(
                "context: {}",
                self.context.value.as_deref().unwrap_or("null")
            ),
            &self.context.origin,
        );
        line(
            &mut out,
            format!(
                "permission-subjects: {}",
                if self.permission_subjects_all.value {
                    "all"
                } else {
                    "service-accounts"
                }
            ),
            &self.permission_subjects_all.origin,
        );
        let list = |out: &mut String, key: &str, items: &SettingList, indent: &str| {
            if items.is_empty() {
                out.push_str(&format!("{indent}{key}: []\n"));
                return;
            }
            out.push_str(&format!("{indent}{key}:\n"));
            for item in items {
                out.push_str(&format!(
                    "{:<50} # {}\n",
                    format!("{indent}  - {:?}", item.value),
                    item.origin
                ));
            }
        };
        list(&mut out, "exclude", &self.exclude, "");
        list(&mut out, "include", &self.include, "");
        out.push_str("namespaces:\n");
        list(&mut out, "skip", &self.skip_namespaces, "  ");
        list(&mut out, "system", &self.system_namespaces, "  ");
        out.push_str("rules:\n");
        for (rule, level) in &self.rule_levels {
            line(
                &mut out,
                format!("  {}: {}  # {}", rule.name(), level.value, rule.code()),
                &level.origin,
            );
            for option in rule_options(*rule) {
                match option {
                    ShownOption::One { key, value, origin } => {
                        line(&mut out, format!("    {key}: {value}"), &origin);
                    }
                    ShownOption::List { key, items } => list(&mut out, key, &items, "    "),
                }
            }
        }
        let mode = |mode: &RenderMode| match mode {
            RenderMode::Auto => "auto".to_string(),
            RenderMode::Never => "never".to_string(),
            RenderMode::Command(argv) => format!("{:?}", argv.join(" ")),
        };
        out.push_str("render:\n");
        line(
            &mut out,
            format!("  kustomize: {}", mode(&self.render.kustomize.value)),
            &self.render.kustomize.origin,
        );
        line(
            &mut out,
            format!("  helm: {}", mode(&self.render.helm.value)),
            &self.render.helm.origin,
        );
        line(
            &mut out,
            format!(
                "  helm-release: {}",
                self.render.helm_release.value.as_deref().unwrap_or("null")
            ),
            &self.render.helm_release.origin,
        );
        if self.render.helm_values.is_empty() {
            out.push_str("  helm-values: {}\n");
        } else {
            out.push_str("  helm-values:\n");
            for (chart, renderings) in &self.render.helm_values {
                line(
                    &mut out,
                    format!("    {:?}: {:?}", chart.value, renderings),
                    &chart.origin,
                );
            }
        }
        line(
            &mut out,
            format!("  timeout: {}", self.render.timeout_seconds.value),
            &self.render.timeout_seconds.origin,
        );
        if self.clusters.is_empty() {
            out.push_str("clusters: {}                                       # default: decided by salint (below)\n");
        } else {
            out.push_str("clusters:\n");
            for cluster in &self.clusters {
                line(
                    &mut out,
                    format!("  {:?}:", cluster.name.value),
                    &cluster.name.origin,
                );
                for glob in &cluster.globs {
                    line(&mut out, format!("    - {:?}", glob.value), &glob.origin);
                }
            }
        }
        if !self.only_clusters.is_empty() {
            list(&mut out, "only-clusters", &self.only_clusters, "");
        }
        if self.per_path_ignores.is_empty() {
            out.push_str("per-path-ignores: {}\n");
        } else {
            out.push_str("per-path-ignores:\n");
            for ignore in &self.per_path_ignores {
                let names: Vec<&str> = ignore.rules.iter().map(|r| r.name()).collect();
                line(
                    &mut out,
                    format!("  {:?}: [{}]", ignore.glob.value, names.join(", ")),
                    &ignore.glob.origin,
                );
            }
        }
        out
    }
}
