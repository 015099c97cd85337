//! Flags shared by commands: where the configuration comes from, `--render`, and the flags
//! of `salint check` (which `salint config` takes too, to show what they make of the
//! configuration). Apart from the commands, so the configuration code reads them without
//! importing a command.

use std::path::PathBuf;

use clap::ValueEnum;

use super::error::CliError;
use crate::finding::Severity;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenderFlag {
    /// Render with `render.kustomize` of the configuration, else `kustomize build` or
    /// `kubectl kustomize` from PATH.
    Auto,
    /// Do not render; lint each root's resources as written.
    Never,
}

/// Where the configuration comes from.
#[derive(clap::Args, Debug, Default)]
pub struct ConfigArgs {
    /// Use this configuration file instead of looking for .salint.yaml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore any .salint.yaml.
    #[arg(long)]
    pub no_config: bool,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files, folders or `-` (stdin). Default: the current folder.
    pub paths: Vec<String>,
    /// Output format: human, json, sarif, github, compact, markdown, junit or gitlab; with
    /// `:FILE` that report goes to FILE (repeatable: `--format human --format sarif:x.sarif`).
    #[arg(long, short = 'f', value_name = "FORMAT[:FILE]", value_parser = parse_format_target)]
    pub format: Vec<FormatTarget>,
    /// Write the report (the one format without `:FILE`) to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Only these rules (names, codes, code prefixes such as SA2, or categories such as
    /// rbac; comma-separated, repeatable); the others are off.
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Also these rules, besides the configuration's or `--select`'s.
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub extend_select: Vec<String>,
    /// Not these rules (wins over `--select` and `--extend-select`).
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Exit 0 whatever the findings (input errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Print the number of findings per rule instead of the findings.
    #[arg(long)]
    pub statistics: bool,
    /// Print the findings only: no summary line, no notes.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Where the findings on standard input are located, and which configuration and
    /// per-path-ignores apply to it.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// Apply the excludes to the files named on the command line too (what pre-commit
    /// passes), not only inside folders.
    #[arg(long)]
    pub force_exclude: bool,
    /// Apply the safe fixes (the token automount off where nothing uses the token, unused
    /// suppressions removed) to plain YAML files, then report what is left.
    #[arg(long, conflicts_with = "diff")]
    pub fix: bool,
    /// Print the safe fixes as a unified diff instead of the report; nothing is written.
    #[arg(long)]
    pub diff: bool,
    /// Lowest severity that makes the exit code 1 [default: warning, or the config's].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// The namespace of objects without metadata.namespace (what `kubectl -n`/`helm -n` apply).
    #[arg(long, short = 'n', value_name = "NS")]
    pub namespace: Option<String>,
    /// Skip files and folders matching GLOB (repeatable; added to the config's).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Read only files matching GLOB inside folders (repeatable; default: *.yaml, *.yml, *.json).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// When to colour the human report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Load DIR as context for cross-object rules, and report only on PATHS (pre-commit).
    #[arg(long, value_name = "DIR")]
    pub context: Option<String>,
    /// `--context DIR` unless the configuration's `context:` names one (what the
    /// pre-commit hooks pass: `--default-context .`).
    #[arg(long, value_name = "DIR", conflicts_with = "context")]
    pub default_context: Option<String>,
    /// Read the context folder whole, without the cache of earlier runs (nor write it).
    #[arg(long)]
    pub no_cache: bool,
    /// Print suppressed findings too.
    #[arg(long)]
    pub show_suppressed: bool,
    /// Report and fail only on findings not recorded in this baseline file.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in this baseline file (and exit 0 unless input is bad).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Follow symbolic links in folders (loops are reported); by default links are skipped.
    #[arg(long)]
    pub follow: bool,
    /// Skip files larger than SIZE with a diagnostic (e.g. 64K, 100M, 1G).
    #[arg(long, value_name = "SIZE", default_value = "100M", value_parser = crate::input::parse_size)]
    pub max_file_size: u64,
    /// Check only this cluster (repeatable; names as `salint config` lists them).
    #[arg(long = "cluster", value_name = "NAME")]
    pub clusters: Vec<String>,
    /// Render Kustomize roots and Helm charts (auto, the default) or not (never).
    #[arg(long, value_enum)]
    pub render: Option<RenderFlag>,
    /// The chart Helm's output on standard input came from: findings are located in its
    /// templates (default: the chart its `# Source:` paths name under the current folder).
    #[arg(long, value_name = "DIR")]
    pub chart: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Source snippets with the span labelled, and a summary.
    Human,
    /// A stable JSON document (see README).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands (inline annotations on pull requests).
    Github,
    /// `path:line:col: severity [CODE name] message`, one line per finding.
    Compact,
    /// A Markdown table for job summaries and PR comments.
    Markdown,
    /// JUnit XML for CI test views (a suite per file, a failing case per finding).
    Junit,
    /// A GitLab Code Quality report (JSON).
    Gitlab,
}

/// One report of a run: its format, and the file it goes to (standard output, or
/// `--output`, without one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatTarget {
    pub format: Format,
    pub path: Option<PathBuf>,
}

/// `FORMAT` or `FORMAT:FILE`.
fn parse_format_target(text: &str) -> Result<FormatTarget, String> {
    let (name, path) = match text.split_once(':') {
        Some((name, path)) if !path.is_empty() => (name, Some(PathBuf::from(path))),
        Some((_, _)) => return Err(format!("`{text}`: FILE is empty")),
        None => (text, None),
    };
    let format = Format::from_str(name, true).map_err(|_| {
        let names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|f| f.to_possible_value().map(|v| v.get_name().to_string()))
            .collect();
        format!(
            "unknown format `{name}`; the formats are: {}",
            names.join(", ")
        )
    })?;
    Ok(FormatTarget { format, path })
}

impl CheckArgs {
    /// The reports to write: `--format` as given, else the human report; the one without
    /// `:FILE` goes to `--output` or standard output, and there can be only one such.
    pub(super) fn targets(&self) -> Result<Vec<FormatTarget>, CliError> {
        let mut targets = self.format.clone();
        if targets.is_empty() {
            targets.push(FormatTarget {
                format: Format::Human,
                path: None,
            });
        }
        if targets.iter().filter(|t| t.path.is_none()).count() > 1 {
            return Err(CliError::Usage(
                "--format: only one report can go to standard output (or --output); give the others a file, as in --format sarif:salint.sarif".to_string(),
            ));
        }
        for target in &mut targets {
            if target.path.is_none() {
                target.path = self.output.clone();
            }
        }
        Ok(targets)
    }

    /// The paths the configuration is searched from: standard input counts as the
    /// `--stdin-filename` path.
    pub(super) fn config_paths(&self) -> Vec<String> {
        // The name need not exist: its nearest folder that does.
        let stdin_path = self.stdin_filename.as_ref().map(|path| {
            let folder = path
                .ancestors()
                .skip(1)
                .find(|p| p.as_os_str().is_empty() || p.is_dir());
            match folder {
                Some(p) if !p.as_os_str().is_empty() => p.to_string_lossy().into_owned(),
                _ => ".".to_string(),
            }
        });
        self.paths
            .iter()
            .map(|p| match (p.as_str(), &stdin_path) {
                ("-", Some(folder)) => folder.clone(),
                _ => p.clone(),
            })
            .collect()
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Note,
}

impl FailOn {
    pub(super) fn threshold(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Note => Severity::Note,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}
