//! `salint check`: reads the paths (and the context folder) as the configuration and the
//! flags say, lints each cluster, writes the report and picks the exit code.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::ValueEnum;

use super::configuration::{
    apply_flags, apply_rule_selection, resolve_config, select_clusters, ConfigArgs, RenderFlag,
};
use super::error::CliError;
use super::fixes;
use super::output::{write_output, write_output_with};
use super::Exit;
use crate::baseline::Baseline;
use crate::discover::{discover, display_path, InputSource};
use crate::escape;
use crate::finding::Severity;
use crate::input::{read_repository, InputError, ReadOptions};
use crate::report::{self, Report};

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

/// `salint check`: the report of every cluster's findings; the status says whether any
/// is at or above `--fail-on` and whether every input was read.
pub(super) fn check(args: &CheckArgs) -> Result<Exit, CliError> {
    check_with(args, None)
}

/// [`check`]; `fixed` is how many findings a `--fix` pass fixed before this run, which
/// then reports what is left.
fn check_with(args: &CheckArgs, fixed: Option<usize>) -> Result<Exit, CliError> {
    let reports = args.targets()?;
    let mut config = resolve_config(&args.config, &args.config_paths())?;
    apply_flags(&mut config, args);
    apply_rule_selection(&mut config, args)?;
    if let Some(message) = crate::config::context_outside_repository(&config) {
        return Err(CliError::ContextOutsideRepository(message));
    }
    let filter = config.file_filter()?.following_links(args.follow);
    let baseline = match &args.baseline {
        Some(path) => Some(Baseline::read(path).map_err(|source| CliError::Baseline {
            path: path.clone(),
            source,
        })?),
        None => None,
    };

    if let Err(message) = crate::kustomize::Renderer::find(&config.render.kustomize.value) {
        return Err(CliError::Renderer {
            message,
            origin: config.render.kustomize.origin.clone(),
        });
    }
    if let Err(message) = crate::helm::HelmRenderer::find(&config.render.helm.value) {
        return Err(CliError::Renderer {
            message,
            origin: config.render.helm.origin.clone(),
        });
    }

    // What to report on, and what to read: with a context folder, more than reported.
    let mut targets = discover(&args.paths, &filter);
    if args.force_exclude {
        force_exclude(&mut targets, &filter, config.base_dir.as_deref());
    }
    let stdin_display = args.stdin_filename.as_deref().map(display_path);
    let mut found = crate::discover::Discovered {
        inputs: targets.inputs.clone(),
        kustomizations: targets.kustomizations.clone(),
        charts: targets.charts.clone(),
        problems: targets.problems.clone(),
    };
    if let Some(context) = &config.context.value {
        let context = discover(std::slice::from_ref(context), &filter);
        found.inputs.extend(context.inputs);
        found.kustomizations.extend(context.kustomizations);
        found.charts.extend(context.charts);
        found.problems.extend(context.problems);
        crate::discover::sort_inputs(&mut found.inputs);
        for list in [&mut found.kustomizations, &mut found.charts] {
            list.sort();
            list.dedup();
        }
    }
    // Without a context folder every file read is a target: no names to compare.
    let in_context = config.context.value.is_some();
    let target_names: HashSet<String> = match in_context {
        true => targets
            .inputs
            .iter()
            .map(|source| source_display(source, stdin_display.as_deref()))
            .chain(targets.kustomizations.iter().map(|p| display_path(p)))
            .collect(),
        false => HashSet::new(),
    };
    // With a context folder only the roots the named files are part of are rendered.
    let target_paths: Option<Vec<PathBuf>> = in_context.then(|| {
        targets
            .inputs
            .iter()
            .filter_map(|source| match source {
                InputSource::File(path) => Some(path.clone()),
                InputSource::Stdin => None,
            })
            .chain(targets.kustomizations.iter().cloned())
            .map(|path| crate::kustomize::plan::canonical(&path))
            .collect()
    });
    // Only the human format shows source lines; the others need positions alone.
    let read = ReadOptions {
        max_file_size: args.max_file_size,
        // The named files' changes are judged against their HEAD texts (`staged`).
        keep_text: in_context
            || args.fix
            || args.diff
            || reports.iter().any(|r| r.format == Format::Human),
        render: crate::input::RenderOptions {
            only_containing: target_paths,
            stdin_chart: args.chart.clone(),
            ..crate::input::RenderOptions::from_config(&config)
        },
    };
    let mut inputs = read_repository(&found, &read);
    // Standard input is where `--stdin-filename` says, for per-path-ignores and every
    // report (numbering by display path is done: file ids stay).
    if let Some(display) = &stdin_display {
        for file in inputs.files.iter_mut().filter(|f| f.display == "<stdin>") {
            file.display = display.clone();
        }
        for error in inputs.errors.iter_mut().filter(|e| e.path == "<stdin>") {
            error.path = display.clone();
        }
    }
    let inputs = inputs;
    // With a context folder, only the files named are reported on.
    let reported = |file: usize| !in_context || target_names.contains(&inputs.files[file].display);

    let mut clusters = crate::cluster::decide(&inputs, &config);
    select_clusters(&mut clusters, &config)?;
    if in_context {
        // The clusters the named files are part of.
        clusters.retain(|cluster| cluster.files.iter().any(|&f| reported(f)));
    }
    if !args.quiet {
        for note in inputs.notes.iter().chain(&clusters.decision) {
            eprintln!("salint: note: {note}");
        }
    }

    let mut errors: Vec<InputError> = found
        .problems
        .into_iter()
        .map(|problem| InputError {
            path: problem.path,
            file: None,
            span: None,
            message: problem.message,
        })
        .collect();
    errors.extend(
        inputs
            .errors
            .iter()
            .filter(|e| match e.file {
                // A root that did not render is the named files' loss too.
                Some(file) => {
                    reported(file)
                        || inputs.files[file].role == crate::source::FileRole::Kustomization
                }
                None => !in_context || target_names.contains(&e.path),
            })
            .cloned(),
    );
    errors.sort_by(|a, b| (&a.path, a.span).cmp(&(&b.path, b.span)));

    let mut findings = crate::lint::lint_clusters(&inputs, &config, &clusters);
    // With a context, what the named files' changes create in the other files too.
    let caused = match in_context {
        true => super::staged::caused_elsewhere(
            &inputs,
            &config,
            &findings,
            &reported,
            args.max_file_size,
        ),
        false => Vec::new(),
    };
    findings.retain(|f| reported(f.location.file));
    if !caused.is_empty() {
        findings.extend(caused);
        findings.sort_by(|a, b| {
            (a.location, a.rule.code(), &a.message).cmp(&(b.location, b.rule.code(), &b.message))
        });
    }
    let absent = match &baseline {
        Some(baseline) => baseline.compare(&mut findings),
        None => Vec::new(),
    };
    let file_count = (0..inputs.files.len())
        .filter(|&id| inputs.files[id].role != crate::source::FileRole::Rendered && reported(id))
        .count();
    let object_count = counted_objects(&inputs, &clusters, &reported);

    if (args.fix || args.diff) && fixed.is_none() {
        let planned = fixes::plan(&inputs, &config, &findings);
        if args.diff {
            let count = fixes::print_diff(&inputs, &planned)?;
            if !args.quiet {
                eprintln!("salint: {}", fixes::diff_summary(count, planned.len()));
            }
            return Ok(if !errors.is_empty() {
                Exit::BadInput
            } else if count > 0 && !args.exit_zero {
                Exit::Findings
            } else {
                Exit::Clean
            });
        }
        let count = fixes::write(&inputs, &planned)?;
        std::mem::forget(inputs);
        std::mem::forget(findings);
        return check_with(args, Some(count));
    }

    if let Some(path) = &args.write_baseline {
        let recorded = Baseline::record(&findings, &inputs.files);
        write_output(Some(path), &recorded.to_json())?;
        eprintln!(
            "salint: wrote {} findings to baseline {}",
            recorded.findings.len(),
            escape::text(&path.display().to_string())
        );
        return Ok(if errors.is_empty() {
            Exit::Clean
        } else {
            Exit::BadInput
        });
    }

    let notes: Vec<String> = inputs
        .notes
        .iter()
        .chain(&clusters.decision)
        .cloned()
        .collect();
    let report = Report {
        files: &inputs.files,
        findings: &findings,
        errors: &errors,
        notes: &notes,
        object_count,
        file_count,
        show_suppressed: args.show_suppressed,
        absent: &absent,
        baseline_used: baseline.is_some(),
    };
    let on_terminal = std::io::stdout().is_terminal();
    let mut human_on_stdout = false;
    for target in &reports {
        let to_stdout = target.path.is_none();
        let color = match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                to_stdout
                    && on_terminal
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        let path = target.path.as_ref();
        if to_stdout && args.statistics {
            write_output(path, &report::statistics(&report))?;
            continue;
        }
        human_on_stdout |= to_stdout && target.format == Format::Human;
        let human = report::human::Options {
            color,
            width: super::terminal::width(to_stdout && on_terminal),
            summary: !args.quiet,
            fixed,
        };
        match target.format {
            // Streamed, not built as one string: on a large run it is tens of MB.
            Format::Json => write_output_with(path, |out| report::json::write(&report, out)),
            Format::Human => write_output(path, &report::human::render_with(&report, &human)),
            Format::Sarif => write_output(path, &report::sarif::render(&report)),
            Format::Github => write_output(path, &report::github::render(&report)),
            Format::Compact => write_output(path, &report::compact::render(&report)),
            Format::Markdown => write_output(path, &report::markdown::render(&report)),
            Format::Junit => write_output(path, &report::junit::render(&report)),
            Format::Gitlab => write_output(path, &report::gitlab::render(&report)),
        }?;
    }
    let summary = report.summary();
    if !human_on_stdout && !args.quiet {
        eprintln!(
            "salint: {}{}",
            summary.line(),
            report::human::fixed_part(fixed)
        );
    }
    // The process ends next: freeing every tree node by node only costs time.
    std::mem::forget(inputs);
    if object_count == 0 && errors.is_empty() {
        eprintln!(
            "salint: warning: no Kubernetes objects found in {file_count} file(s); nothing was checked"
        );
    }
    let exit = if !errors.is_empty() {
        Exit::BadInput
    } else if args.exit_zero {
        Exit::Clean
    } else if findings
        .iter()
        .any(|f| f.is_active() && f.severity >= config.fail_on.value)
    {
        Exit::Findings
    } else {
        Exit::Clean
    };
    // Likewise the findings, one by one with their messages and related lists.
    std::mem::forget(findings);
    Ok(exit)
}

/// The objects the run judged that lie in reported files: each object of the clusters
/// once, a rendered one counted in the file it came from.
fn counted_objects(
    inputs: &crate::input::Inputs,
    clusters: &crate::cluster::Clusters,
    reported: &dyn Fn(usize) -> bool,
) -> usize {
    let mut seen = vec![false; inputs.objects.len()];
    for cluster in &clusters.list {
        for &object in &cluster.objects {
            seen[object] = true;
        }
    }
    seen.iter()
        .enumerate()
        .filter(|(object, &judged)| {
            judged && {
                let file = inputs
                    .renderings
                    .source_file(*object)
                    .unwrap_or(inputs.objects[*object].file);
                reported(file)
            }
        })
        .count()
}

/// `--force-exclude`: the files and kustomizations named on the command line that an
/// exclude glob matches (as named, or relative to the configuration's folder) are dropped,
/// as a folder walk would have skipped them.
fn force_exclude(
    found: &mut crate::discover::Discovered,
    filter: &crate::discover::FileFilter,
    base_dir: Option<&std::path::Path>,
) {
    let excluded = |path: &std::path::Path| {
        let named = path.strip_prefix(".").unwrap_or(path);
        let from_base = base_dir.and_then(|base| {
            let absolute = std::path::absolute(path).ok()?;
            Some(absolute.strip_prefix(base).ok()?.to_path_buf())
        });
        filter.excludes(named) || from_base.is_some_and(|relative| filter.excludes(&relative))
    };
    found.inputs.retain(|source| match source {
        InputSource::File(path) => !excluded(path),
        InputSource::Stdin => true,
    });
    found.kustomizations.retain(|path| !excluded(path));
    found.charts.retain(|path| !excluded(path));
}

fn source_display(source: &InputSource, stdin_display: Option<&str>) -> String {
    match source {
        InputSource::Stdin => stdin_display.unwrap_or("<stdin>").to_string(),
        InputSource::File(path) => display_path(path),
    }
}
