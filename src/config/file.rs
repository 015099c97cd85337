//! Reading and validating `.salint.yaml`. Every error points at the key or value at fault.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use super::{Config, OptionText, Origin, PathIgnore, RuleLevel, RuleOption, Setting};
use crate::catalog::Severity;
use crate::catalog::{self as rules, RuleId};
use crate::source::{SourceFile, Span};
use crate::yaml::{load_documents, Node, Value};

const TOP_KEYS: &[&str] = &[
    "rules",
    "exclude",
    "include",
    "namespace",
    "fail-on",
    "namespaces",
    "per-path-ignores",
    "context",
    "permission-subjects",
    "clusters",
    "render",
];
const RENDER_KEYS: &[&str] = &[
    "kustomize",
    "helm",
    "helm-release",
    "helm-values",
    "timeout",
];
const NAMESPACES_KEYS: &[&str] = &["skip", "system"];
const LEVELS: &[&str] = &["off", "note", "warning", "error"];

/// A configuration problem, with the place in the file when there is one.
#[derive(Debug, Clone)]
pub struct ConfigError {
    pub message: String,
    pub help: Option<String>,
    source: Option<Box<NamedSource<Arc<String>>>>,
    span: Option<Span>,
}

impl ConfigError {
    pub fn plain(message: String) -> Self {
        ConfigError {
            message,
            help: None,
            source: None,
            span: None,
        }
    }

    /// An error at a span of a configuration file (drawn on it), or a plain one.
    pub(super) fn at(message: String, site: Option<(NamedSource<Arc<String>>, Span)>) -> Self {
        let (source, span) = match site {
            Some((source, span)) => (Some(Box::new(source)), Some(span)),
            None => (None, None),
        };
        ConfigError {
            message,
            help: None,
            source,
            span,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Diagnostic for ConfigError {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_deref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some("here".to_string()), (span.start, span.len())),
        )))
    }
}

/// Reads a config file into `base` (usually `Config::default()`).
pub fn load_config_file(path: &str, text: String) -> Result<Config, ConfigError> {
    let file = SourceFile::new(path.to_string(), text);
    let reader = Reader { file: &file };
    let loaded = load_documents(&file.text);
    if let Some(error) = loaded.error {
        return Err(reader.error(
            Span::new(error.offset, error.offset),
            format!("{path}: YAML parse error: {}", error.message),
            None,
        ));
    }
    let mut config = Config {
        file: Some(path.to_string()),
        ..Config::default()
    };
    let Some(document) = loaded.documents.into_iter().next() else {
        return Ok(config); // an empty file is a valid, empty configuration
    };
    let root = &document.root;
    if root.is_null() {
        return Ok(config);
    }
    let entries = reader.map(root, "the configuration")?;
    for entry in entries {
        let key = reader.key(entry)?;
        let value = &entry.value;
        match key {
            "rules" => reader.rules(value, &mut config)?,
            "exclude" => config.exclude = reader.globs(value)?,
            "include" => config.include = reader.globs(value)?,
            "namespace" => {
                config.namespace = Setting {
                    value: reader.optional_string(value)?,
                    origin: reader.origin(value.span),
                }
            }
            "permission-subjects" => {
                let text = reader.string(value)?;
                let all = match text {
                    "service-accounts" => false,
                    "all" => true,
                    other => {
                        return Err(reader.unknown(
                            value.span,
                            "permission-subjects value",
                            other,
                            &["service-accounts", "all"],
                        ))
                    }
                };
                config.permission_subjects_all = Setting {
                    value: all,
                    origin: reader.origin(value.span),
                };
            }
            "clusters" => {
                for entry in reader.map(value, "`clusters`")? {
                    let name = reader.key(entry)?;
                    if name.is_empty() {
                        return Err(reader.wrong_type(&entry.key, "a cluster name"));
                    }
                    let globs = reader.globs(&entry.value)?;
                    config.clusters.push(super::ClusterConfig {
                        name: Setting {
                            value: name.to_string(),
                            origin: reader.origin(entry.key.span),
                        },
                        globs,
                    });
                }
            }
            "render" => {
                for entry in reader.map(value, "`render`")? {
                    match reader.key(entry)? {
                        key @ ("kustomize" | "helm") => {
                            let text = reader.string(&entry.value)?;
                            let mode = match text {
                                "auto" => super::RenderMode::Auto,
                                "never" | "false" | "off" => super::RenderMode::Never,
                                command => {
                                    let argv = shlex::split(command).filter(|a| !a.is_empty()).ok_or_else(|| {
                                        reader.error(
                                            entry.value.span,
                                            format!("{}: `render.{key}` must be auto, never or a command line, not `{command}`", reader.where_(entry.value.span)),
                                            None,
                                        )
                                    })?;
                                    super::RenderMode::Command(argv)
                                }
                            };
                            let setting = Setting {
                                value: mode,
                                origin: reader.origin(entry.value.span),
                            };
                            if key == "helm" {
                                config.render.helm = setting;
                            } else {
                                config.render.kustomize = setting;
                            }
                        }
                        "helm-release" => {
                            config.render.helm_release = Setting {
                                value: reader.optional_string(&entry.value)?,
                                origin: reader.origin(entry.value.span),
                            };
                        }
                        "helm-values" => {
                            for chart in reader.map(&entry.value, "`render.helm-values`")? {
                                let name = reader.key(chart)?.to_string();
                                let renderings = chart
                                    .value
                                    .as_seq()
                                    .ok_or_else(|| {
                                        reader.wrong_type(
                                            &chart.value,
                                            "a list of lists of values files",
                                        )
                                    })?
                                    .iter()
                                    .map(|files| {
                                        if files.as_seq().is_none() && !files.is_null() {
                                            return Err(
                                                reader.wrong_type(files, "a list of values files")
                                            );
                                        }
                                        Ok(reader
                                            .string_nodes(files)?
                                            .into_iter()
                                            .map(|(file, _)| file.to_string())
                                            .collect())
                                    })
                                    .collect::<Result<Vec<Vec<String>>, _>>()?;
                                config.render.helm_values.push((
                                    Setting {
                                        value: name,
                                        origin: reader.origin(chart.key.span),
                                    },
                                    renderings,
                                ));
                            }
                        }
                        "timeout" => {
                            let text = reader.string(&entry.value)?;
                            let seconds = text.parse::<u64>().ok().filter(|s| *s > 0).ok_or_else(|| {
                                reader.error(
                                    entry.value.span,
                                    format!("{}: `render.timeout` must be a whole number of seconds, not `{text}`", reader.where_(entry.value.span)),
                                    None,
                                )
                            })?;
                            config.render.timeout_seconds = Setting {
                                value: seconds,
                                origin: reader.origin(entry.value.span),
                            };
                        }
                        other => {
                            return Err(reader.unknown(
                                entry.key.span,
                                "key in `render`",
                                other,
                                RENDER_KEYS,
                            ))
                        }
                    }
                }
            }
            "context" => {
                config.context = Setting {
                    value: reader.optional_string(value)?,
                    origin: reader.origin(value.span),
                }
            }
            "fail-on" => {
                let text = reader.string(value)?;
                let severity = Severity::parse(text).ok_or_else(|| {
                    reader.unknown(
                        value.span,
                        "fail-on value",
                        text,
                        &["error", "warning", "note"],
                    )
                })?;
                config.fail_on = Setting {
                    value: severity,
                    origin: reader.origin(value.span),
                };
            }
            "namespaces" => {
                for entry in reader.map(value, "`namespaces`")? {
                    match reader.key(entry)? {
                        "skip" => config.skip_namespaces = reader.strings(&entry.value)?,
                        "system" => config.system_namespaces = reader.strings(&entry.value)?,
                        other => {
                            return Err(reader.unknown(
                                entry.key.span,
                                "key in `namespaces`",
                                other,
                                NAMESPACES_KEYS,
                            ))
                        }
                    }
                }
            }
            "per-path-ignores" => {
                for entry in reader.map(value, "`per-path-ignores`")? {
                    let glob = reader.key(entry)?;
                    reader.check_glob(glob, entry.key.span)?;
                    let rules = reader
                        .string_nodes(&entry.value)?
                        .into_iter()
                        .map(|(name, span)| reader.rule(name, span))
                        .collect::<Result<Vec<_>, _>>()?;
                    config.per_path_ignores.push(PathIgnore {
                        glob: Setting {
                            value: glob.to_string(),
                            origin: reader.origin(entry.key.span),
                        },
                        rules,
                    });
                }
            }
            other => {
                return Err(reader.unknown(entry.key.span, "configuration key", other, TOP_KEYS))
            }
        }
    }
    Ok(config)
}

struct Reader<'f> {
    file: &'f SourceFile,
}

impl Reader<'_> {
    fn error(&self, span: Span, message: String, help: Option<String>) -> ConfigError {
        ConfigError {
            message,
            help,
            source: Some(Box::new(NamedSource::new(
                self.file.display.clone(),
                self.file.text.clone(),
            ))),
            span: Some(span),
        }
    }

    fn origin(&self, span: Span) -> Origin {
        let p = self.file.position(span.start);
        Origin::File {
            path: self.file.display.clone(),
            line: p.line,
            column: p.column,
        }
    }

    fn where_(&self, span: Span) -> String {
        let p = self.file.position(span.start);
        format!("{}:{}:{}", self.file.display, p.line, p.column)
    }

    /// "unknown X `y`" with the nearest valid names.
    fn unknown(&self, span: Span, what: &str, found: &str, valid: &[&str]) -> ConfigError {
        // Jaro-Winkler costs the product of the lengths: a key of megabytes gets no guess.
        let comparable = found.len() <= 64;
        let mut scored: Vec<(f64, &str)> = valid
            .iter()
            .filter(|_| comparable)
            .map(|v| (strsim::jaro_winkler(found, v), *v))
            .filter(|(score, _)| *score > 0.7)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        // A long list (the rules) helps nobody: name the nearest, point at `salint rules`.
        let listed = if valid.len() > 10 {
            "see `salint rules` for all".to_string()
        } else {
            format!("valid: {}", valid.join(", "))
        };
        let help = match scored.first() {
            Some((_, best)) => format!("did you mean `{best}`? {listed}"),
            None => listed,
        };
        self.error(
            span,
            format!("{}: unknown {what} `{found}`", self.where_(span)),
            Some(help),
        )
    }

    fn wrong_type(&self, node: &Node, expected: &str) -> ConfigError {
        self.error(
            node.span,
            format!("{}: expected {expected}", self.where_(node.span)),
            None,
        )
    }

    fn map<'n>(&self, node: &'n Node, what: &str) -> Result<&'n [crate::yaml::Entry], ConfigError> {
        if node.is_null() {
            return Ok(&[]);
        }
        node.as_map()
            .ok_or_else(|| self.wrong_type(node, &format!("a mapping for {what}")))
    }

    fn key<'n>(&self, entry: &'n crate::yaml::Entry) -> Result<&'n str, ConfigError> {
        entry
            .key
            .as_str()
            .ok_or_else(|| self.wrong_type(&entry.key, "a string key"))
    }

    fn string<'n>(&self, node: &'n Node) -> Result<&'n str, ConfigError> {
        match &node.value {
            Value::Scalar(s) if !s.is_null() => Ok(&s.text),
            _ => Err(self.wrong_type(node, "a string")),
        }
    }

    fn optional_string(&self, node: &Node) -> Result<Option<String>, ConfigError> {
        if node.is_null() {
            Ok(None)
        } else {
            self.string(node).map(|s| Some(s.to_string()))
        }
    }

    fn string_nodes<'n>(&self, node: &'n Node) -> Result<Vec<(&'n str, Span)>, ConfigError> {
        if node.is_null() {
            return Ok(Vec::new());
        }
        let items = node
            .as_seq()
            .ok_or_else(|| self.wrong_type(node, "a list of strings"))?;
        items
            .iter()
            .map(|item| self.string(item).map(|s| (s, item.span)))
            .collect()
    }

    /// An option's value kept both ways (one string, a list of strings) for the rule that
    /// owns it to read as it expects.
    fn rule_option(&self, key: &str, node: &Node) -> RuleOption {
        let text_at = |text: &str, span: Span| OptionText {
            value: text.to_string(),
            origin: self.origin(span),
            site: Some((
                NamedSource::new(self.file.display.clone(), self.file.text.clone()),
                span,
            )),
        };
        RuleOption {
            key: key.to_string(),
            text: self.string(node).map(|text| text_at(text, node.span)),
            list: self.string_nodes(node).map(|items| {
                items
                    .into_iter()
                    .map(|(text, span)| text_at(text, span))
                    .collect()
            }),
        }
    }

    fn strings(&self, node: &Node) -> Result<Vec<Setting<String>>, ConfigError> {
        Ok(self
            .string_nodes(node)?
            .into_iter()
            .map(|(s, span)| Setting {
                value: s.to_string(),
                origin: self.origin(span),
            })
            .collect())
    }

    fn check_glob(&self, glob: &str, span: Span) -> Result<(), ConfigError> {
        globset::Glob::new(glob).map(|_| ()).map_err(|e| {
            self.error(
                span,
                format!("{}: invalid glob `{glob}`: {e}", self.where_(span)),
                None,
            )
        })
    }

    fn globs(&self, node: &Node) -> Result<Vec<Setting<String>>, ConfigError> {
        for (glob, span) in self.string_nodes(node)? {
            self.check_glob(glob, span)?;
        }
        self.strings(node)
    }

    fn rule(&self, name: &str, span: Span) -> Result<RuleId, ConfigError> {
        rules::find(name).ok_or_else(|| {
            let names: Vec<&str> = rules::all().iter().map(|r| r.name()).collect();
            self.unknown(span, "rule", name, &names)
        })
    }

    fn level(&self, node: &Node) -> Result<RuleLevel, ConfigError> {
        // `off` and friends may be read as YAML 1.1 booleans by habit: accept `false`.
        let text = self.string(node)?;
        match text {
            "false" | "no" => Ok(RuleLevel::Off),
            _ => RuleLevel::parse(text)
                .ok_or_else(|| self.unknown(node.span, "rule level", text, LEVELS)),
        }
    }

    fn rules(&self, node: &Node, config: &mut Config) -> Result<(), ConfigError> {
        for entry in self.map(node, "`rules`")? {
            let rule = self.rule(self.key(entry)?, entry.key.span)?;
            let value = &entry.value;
            if value.as_map().is_none() {
                let level = self.level(value)?;
                config.set_rule_level(rule, level, self.origin(value.span));
                continue;
            }
            for option in self.map(value, "a rule")? {
                let key = self.key(option)?;
                match (rule.name(), key) {
                    (_, "severity") => {
                        let level = self.level(&option.value)?;
                        config.set_rule_level(rule, level, self.origin(option.value.span));
                    }
                    // The rule's own options (its doc's `## Options`): the rule reads them.
                    (_, key) if rule.doc().option_keys.iter().any(|k| k == key) => {
                        let option = self.rule_option(key, &option.value);
                        config.set_rule_option(rule, option);
                    }
                    (name, other) => {
                        let mut valid = vec!["severity"];
                        valid.extend(rule.doc().option_keys.iter().map(String::as_str));
                        return Err(self.unknown(
                            option.key.span,
                            &format!("option of rule `{name}`"),
                            other,
                            &valid,
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}
