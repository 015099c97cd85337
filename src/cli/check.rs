//! `salint check`: reads the paths (and the context folder) as the configuration and the
//! flags say, lints each cluster, writes the report and picks the exit code.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::ValueEnum;

use super::configuration::{apply_flags, resolve_config, select_clusters, ConfigArgs, RenderFlag};
use super::error::CliError;
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
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
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
    let mut config = resolve_config(&args.config, &args.paths)?;
    apply_flags(&mut config, args);
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
    let targets = discover(&args.paths, &filter);
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
            .map(source_display)
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
        keep_text: args.format == Format::Human,
        render: crate::input::RenderOptions {
            only_containing: target_paths,
            stdin_chart: args.chart.clone(),
            ..crate::input::RenderOptions::from_config(&config)
        },
    };
    let inputs = read_repository(&found, &read);
    // With a context folder, only the files named are reported on.
    let reported = |file: usize| !in_context || target_names.contains(&inputs.files[file].display);

    let mut clusters = crate::cluster::decide(&inputs, &config);
    select_clusters(&mut clusters, &config)?;
    if in_context {
        // The clusters the named files are part of.
        clusters.retain(|cluster| cluster.files.iter().any(|&f| reported(f)));
    }
    for note in inputs.notes.iter().chain(&clusters.decision) {
        eprintln!("salint: note: {note}");
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
    findings.retain(|f| reported(f.location.file));
    let absent = match &baseline {
        Some(baseline) => baseline.compare(&mut findings),
        None => Vec::new(),
    };
    let file_count = (0..inputs.files.len())
        .filter(|&id| inputs.files[id].role != crate::source::FileRole::Rendered && reported(id))
        .count();
    let object_count = counted_objects(&inputs, &clusters, &reported);

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
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let output = args.output.as_ref();
    match args.format {
        // Streamed, not built as one string: on a large run it is tens of MB.
        Format::Json => write_output_with(output, |out| report::json::write(&report, out)),
        Format::Human => write_output(output, &report::human::render(&report, color)),
        Format::Sarif => write_output(output, &report::sarif::render(&report)),
        Format::Github => write_output(output, &report::github::render(&report)),
        Format::Compact => write_output(output, &report::compact::render(&report)),
        Format::Markdown => write_output(output, &report::markdown::render(&report)),
    }?;
    let summary = report.summary();
    if args.format != Format::Human || args.output.is_some() {
        eprintln!("salint: {}", summary.line());
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

fn source_display(source: &InputSource) -> String {
    match source {
        InputSource::Stdin => "<stdin>".to_string(),
        InputSource::File(path) => display_path(path),
    }
}
