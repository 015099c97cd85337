//! The command line: `salint check`, `salint rules`, `salint explain`, and the commands that
//! show the graph (`explain-sa`, `who-can`, `graph`, in `crate::inspect`).

use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::baseline::Baseline;
use crate::config::{
    find_config_file, load_config_file, Config, Origin, Setting, CONFIG_FILE_NAME, INIT_TEMPLATE,
};
use crate::discover::{discover, display_path, io_message, FileFilter, InputSource};
use crate::escape;
use crate::finding::Severity;
use crate::input::{read_repository, InputError, ReadOptions};
use crate::report::{self, Report};

/// Exit codes, as documented in the README.
pub mod exit {
    /// No finding at or above `--fail-on`, and every input read.
    pub const CLEAN: u8 = 0;
    /// Findings at or above `--fail-on`.
    pub const FINDINGS: u8 = 1;
    /// Bad input (unreadable or unparsable file) or bad usage; findings are still printed.
    pub const BAD_INPUT: u8 = 2;
}

#[derive(Parser, Debug)]
#[command(
    name = "salint",
    version,
    about = "Finds ServiceAccount, token and RBAC risks in Kubernetes manifests, across the whole manifest set",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint manifests: files, folders (recursively) or `-` for standard input.
    Check(CheckArgs),
    /// List the rules with code, severity and summary.
    Rules,
    /// Show one rule's documentation, by name or code.
    Explain {
        /// A rule name (e.g. needless-token-automount) or code (e.g. SA201).
        rule: String,
    },
    /// Write a commented .salint.yaml in the current folder.
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Print the effective configuration and where each value comes from; takes the same
    /// paths and flags as `check`, so it shows what that check would use.
    Config(CheckArgs),
    /// What a ServiceAccount can do (per binding, with the rules and where they are), its
    /// dangerous capabilities, the workloads running as it and its token Secrets.
    ExplainSa(crate::inspect::args::ExplainSaArgs),
    /// Every subject that can do VERB on RESOURCE, with the path subject ← binding → role →
    /// rule.
    WhoCan(crate::inspect::args::WhoCanArgs),
    /// The ServiceAccount / workload / binding / role graph as Mermaid, DOT or JSON, risky
    /// edges in red.
    Graph(crate::inspect::args::GraphArgs),
    /// Run the language server on stdin/stdout (editor diagnostics, quick fixes, hover).
    Lsp,
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

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
    fn threshold(self) -> Severity {
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

/// Parses the arguments and runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => check(&args),
        Command::Rules => {
            print!("{}", rules_table());
            exit::CLEAN
        }
        Command::Explain { rule } => explain(&rule),
        Command::Init { force } => init(force),
        Command::Config(args) => match resolve_config(&args.config, &args.paths) {
            Ok(mut effective) => {
                apply_flags(&mut effective, &args);
                print!("{}", escape::lines(&effective.describe()));
                print!("{}", escape::lines(&config_clusters(&effective, &args)));
                exit::CLEAN
            }
            Err(code) => code,
        },
        Command::ExplainSa(args) => {
            let output = match args.format {
                crate::inspect::args::TextFormat::Human => InspectOutput::Text,
                crate::inspect::args::TextFormat::Json => InspectOutput::Json,
            };
            inspect(
                &args.input,
                output,
                |graph| crate::inspect::explain_sa::knows(&args, graph),
                |view| crate::inspect::explain_sa::run(&args, view),
            )
        }
        Command::WhoCan(args) => {
            let output = match args.format {
                crate::inspect::args::TextFormat::Human => InspectOutput::Text,
                crate::inspect::args::TextFormat::Json => InspectOutput::Json,
            };
            inspect(
                &args.input,
                output,
                |_| true,
                |view| crate::inspect::who_can::run(&args, view),
            )
        }
        Command::Graph(args) => {
            let output = match args.format {
                crate::inspect::args::GraphFormat::Json => InspectOutput::Json,
                _ => InspectOutput::Diagram,
            };
            inspect(
                &args.input,
                output,
                |graph| {
                    !graph.service_accounts.is_empty()
                        || !graph.workloads.is_empty()
                        || !graph.bindings.is_empty()
                },
                |view| crate::inspect::graph_render::run(&args, view),
            )
        }
        Command::Lsp => match crate::lsp::run() {
            Ok(code) => code,
            Err(error) => {
                eprintln!("salint: error: language server: {error}");
                exit::BAD_INPUT
            }
        },
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "salint", &mut std::io::stdout());
            exit::CLEAN
        }
    };
    ExitCode::from(code)
}

/// Loads the configuration: `--config FILE`, else `.salint.yaml` found from the first
/// path upwards, unless `--no-config`. A bad file is printed as a diagnostic; the error is
/// the exit code.
fn resolve_config(args: &ConfigArgs, paths: &[String]) -> Result<Config, u8> {
    if args.no_config {
        return Ok(Config::default());
    }
    let path = match &args.config {
        Some(path) => Some(path.clone()),
        None => {
            let start = paths.iter().find(|p| *p != "-").map_or(".", String::as_str);
            find_config_file(Path::new(start))
        }
    };
    let Some(path) = path else {
        return Ok(Config::default());
    };
    let display = display_path(&path);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        eprintln!(
            "salint: error: cannot read config {}: {}",
            escape::text(&display),
            io_message(&e)
        );
        exit::BAD_INPUT
    })?;
    // miette cannot draw a line past column 65,535 (it panics): then the message alone.
    let drawable = !report::human::has_long_line(&text);
    let loaded = load_config_file(&display, text).map_err(|error| {
        let mut out = String::new();
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                .with_width(100);
        if !drawable || handler.render_report(&mut out, &error).is_err() {
            out = format!("salint: error: {error}\n");
        }
        eprint!("{}", escape::lines(&out));
        exit::BAD_INPUT
    });
    loaded.map(|mut config| {
        let base = std::path::absolute(&path)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf));
        // A context folder written in the file is relative to the file.
        if let (Some(base), Some(context)) = (&base, &config.context.value) {
            if config.context.origin != Origin::Default && Path::new(context).is_relative() {
                let joined: std::path::PathBuf = base.join(context).components().collect();
                config.context.value = Some(display_path(&joined));
            }
        }
        config.base_dir = base;
        config
    })
}

/// Applies the command-line flags over the configuration.
fn apply_flags(config: &mut Config, args: &CheckArgs) {
    if let Some(ns) = &args.namespace {
        config.namespace = Setting {
            value: Some(ns.clone()),
            origin: Origin::Flag("--namespace"),
        };
    }
    if let Some(fail_on) = args.fail_on {
        config.fail_on = Setting {
            value: fail_on.threshold(),
            origin: Origin::Flag("--fail-on"),
        };
    }
    let flag = |value: &String, flag| Setting {
        value: value.clone(),
        origin: Origin::Flag(flag),
    };
    config
        .exclude
        .extend(args.exclude.iter().map(|v| flag(v, "--exclude")));
    if !args.include.is_empty() {
        config.include = args.include.iter().map(|v| flag(v, "--include")).collect();
    }
    if let Some(context) = &args.context {
        config.context = Setting {
            value: Some(context.clone()),
            origin: Origin::Flag("--context"),
        };
    }
    config
        .only_clusters
        .extend(args.clusters.iter().map(|v| flag(v, "--cluster")));
    apply_render_flag(config, args.render);
}

/// `--render never` turns Kustomize and Helm off; `--render auto` only undoes `never`
/// (a configured command stays).
fn apply_render_flag(config: &mut Config, flag: Option<RenderFlag>) {
    let never = crate::kustomize::RenderMode::Never;
    for setting in [&mut config.render.kustomize, &mut config.render.helm] {
        match flag {
            Some(RenderFlag::Never) => {
                *setting = Setting {
                    value: never.clone(),
                    origin: Origin::Flag("--render"),
                }
            }
            Some(RenderFlag::Auto) if setting.value == never => {
                *setting = Setting {
                    value: crate::kustomize::RenderMode::Auto,
                    origin: Origin::Flag("--render"),
                }
            }
            _ => {}
        }
    }
}

fn check(args: &CheckArgs) -> u8 {
    let mut config = match resolve_config(&args.config, &args.paths) {
        Ok(config) => config,
        Err(code) => return code,
    };
    apply_flags(&mut config, args);
    if let Some(message) = crate::config::context_outside_repository(&config) {
        eprintln!("salint: error: {}", escape::text(&message));
        return exit::BAD_INPUT;
    }
    let filter = match config.file_filter() {
        Ok(filter) => filter.following_links(args.follow),
        Err(message) => {
            eprintln!("salint: error: {}", escape::text(&message));
            return exit::BAD_INPUT;
        }
    };
    let baseline = match &args.baseline {
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| io_message(&e))
            .and_then(|text| Baseline::from_json(&text))
        {
            Ok(baseline) => Some(baseline),
            Err(message) => {
                eprintln!(
                    "salint: error: baseline {}: {}",
                    escape::text(&path.display().to_string()),
                    escape::text(&message)
                );
                return exit::BAD_INPUT;
            }
        },
        None => None,
    };

    if let Err(message) = crate::kustomize::Renderer::find(&config.render.kustomize.value) {
        eprintln!(
            "salint: error: {message} ({})",
            config.render.kustomize.origin
        );
        return exit::BAD_INPUT;
    }
    if let Err(message) = crate::helm::HelmRenderer::find(&config.render.helm.value) {
        eprintln!("salint: error: {message} ({})", config.render.helm.origin);
        return exit::BAD_INPUT;
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
            ..config.render_options()
        },
    };
    let inputs = read_repository(&found, &read);
    // With a context folder, only the files named are reported on.
    let reported = |file: usize| !in_context || target_names.contains(&inputs.files[file].display);

    let mut clusters = crate::cluster::decide(&inputs, &config);
    if let Err(message) = select_clusters(&mut clusters, &config) {
        eprintln!("salint: error: {message}");
        return exit::BAD_INPUT;
    }
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
        if let Err(message) = write_output(Some(path), &recorded.to_json()) {
            eprintln!("salint: error: {}", escape::text(&message));
            return exit::BAD_INPUT;
        }
        eprintln!(
            "salint: wrote {} findings to baseline {}",
            recorded.findings.len(),
            escape::text(&path.display().to_string())
        );
        return if errors.is_empty() {
            exit::CLEAN
        } else {
            exit::BAD_INPUT
        };
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
    let written = match args.format {
        // Streamed, not built as one string: on a large run it is tens of MB.
        Format::Json => write_output_with(output, |out| report::json::write(&report, out)),
        Format::Human => write_output(output, &report::human::render(&report, color)),
        Format::Sarif => write_output(output, &report::sarif::render(&report)),
        Format::Github => write_output(output, &report::github::render(&report)),
        Format::Compact => write_output(output, &report::compact::render(&report)),
        Format::Markdown => write_output(output, &report::markdown::render(&report)),
    };
    if let Err(message) = written {
        eprintln!("salint: error: {}", escape::text(&message));
        return exit::BAD_INPUT;
    }
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
    let code = if !errors.is_empty() {
        exit::BAD_INPUT
    } else if findings
        .iter()
        .any(|f| f.is_active() && f.severity >= config.fail_on.value)
    {
        exit::FINDINGS
    } else {
        exit::CLEAN
    };
    // Likewise the findings, one by one with their messages and related lists.
    std::mem::forget(findings);
    code
}

/// The clusters `check` would judge for these paths, for `salint config`: decided from
/// the files as they are, without rendering (roots are known from their kustomizations).
fn config_clusters(config: &Config, args: &CheckArgs) -> String {
    let Ok(filter) = config.file_filter() else {
        return String::new();
    };
    let found = discover(&args.paths, &filter.following_links(args.follow));
    let read = ReadOptions {
        max_file_size: args.max_file_size,
        keep_text: false,
        render: crate::input::RenderOptions {
            mode: crate::kustomize::RenderMode::Never,
            helm: crate::kustomize::RenderMode::Never,
            ..config.render_options()
        },
    };
    let inputs = read_repository(&found, &read);
    let mut clusters = crate::cluster::decide(&inputs, config);
    let _ = select_clusters(&mut clusters, config);
    clusters.describe()
}

/// Keeps the clusters `--cluster` names; an unknown name is an error listing the others.
fn select_clusters(clusters: &mut crate::cluster::Clusters, config: &Config) -> Result<(), String> {
    if config.only_clusters.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = clusters.names().iter().map(|n| n.to_string()).collect();
    for wanted in &config.only_clusters {
        if !names.contains(&wanted.value) {
            return Err(format!(
                "no cluster named `{}`; the clusters are: {}",
                wanted.value,
                names.join(", ")
            ));
        }
    }
    clusters.retain(|c| config.only_clusters.iter().any(|w| w.value == c.name));
    Ok(())
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

/// What an inspect command prints per cluster, to put several together.
#[derive(Clone, Copy, PartialEq, Eq)]
enum InspectOutput {
    /// Text: each cluster's answer under a heading.
    Text,
    /// JSON: `{"clusters": [{"cluster": NAME, "answer": ...}]}`.
    Json,
    /// A diagram (Mermaid, DOT): one cluster only.
    Diagram,
}

/// Runs `explain-sa`, `who-can` or `graph`: reads the inputs as `check` does (config,
/// globs, implicit namespace, Kustomize rendering), prints input problems on stderr, and
/// writes what `run` makes of each cluster's graph (only the clusters `relevant` to the
/// question, when that leaves any). Bad input still gets the output, then exit 2.
fn inspect(
    input: &crate::inspect::args::InputArgs,
    output: InspectOutput,
    relevant: impl Fn(&crate::graph::Graph) -> bool,
    run: impl Fn(&crate::inspect::View) -> Result<String, u8>,
) -> u8 {
    let mut config = match resolve_config(&input.config, &input.paths) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let mut include: Vec<String> = config.include.iter().map(|s| s.value.clone()).collect();
    if !input.include.is_empty() {
        include = input.include.clone();
    }
    let mut exclude: Vec<String> = config.exclude.iter().map(|s| s.value.clone()).collect();
    exclude.extend(input.exclude.iter().cloned());
    let filter = match FileFilter::new(&include, &exclude) {
        Ok(filter) => filter,
        Err(message) => {
            eprintln!("salint: error: {}", escape::text(&message));
            return exit::BAD_INPUT;
        }
    };
    if let Some(ns) = &input.implicit_namespace {
        config.namespace.value = Some(ns.clone());
    }
    config
        .only_clusters
        .extend(input.clusters.iter().map(|name| Setting {
            value: name.clone(),
            origin: Origin::Flag("--cluster"),
        }));
    apply_render_flag(&mut config, input.render);
    let found = discover(&input.paths, &filter);
    let read = ReadOptions {
        render: config.render_options(),
        ..ReadOptions::default()
    };
    let inputs = read_repository(&found, &read);
    let mut bad = !found.problems.is_empty() || !inputs.errors.is_empty();
    for problem in &found.problems {
        eprintln!(
            "salint: error: {}: {}",
            escape::text(&problem.path),
            escape::text(&problem.message)
        );
    }
    for error in &inputs.errors {
        match error.file.zip(error.span) {
            Some((file, span)) => {
                let p = inputs.files[file].position(span.start);
                eprintln!(
                    "salint: error: {}:{}:{}: {}",
                    escape::text(&error.path),
                    p.line,
                    p.column,
                    escape::text(&error.message)
                );
            }
            None => eprintln!(
                "salint: error: {}: {}",
                escape::text(&error.path),
                escape::text(&error.message)
            ),
        }
    }
    if inputs.objects.is_empty() && !bad {
        eprintln!(
            "salint: warning: no Kubernetes objects found in {} file(s)",
            inputs.files.len()
        );
    }
    let mut clusters = crate::cluster::decide(&inputs, &config);
    if let Err(message) = select_clusters(&mut clusters, &config) {
        eprintln!("salint: error: {message}");
        return exit::BAD_INPUT;
    }
    for note in inputs.notes.iter().chain(&clusters.decision) {
        eprintln!("salint: note: {note}");
    }
    let graphs: Vec<(String, crate::graph::Graph)> = clusters
        .list
        .iter()
        .map(|cluster| {
            let objects = cluster
                .objects
                .iter()
                .map(|&i| &inputs.objects[i])
                .collect();
            (
                cluster.name.clone(),
                crate::graph::Graph::of(objects, cluster.implicit.clone()),
            )
        })
        .collect();
    let mut chosen: Vec<&(String, crate::graph::Graph)> =
        graphs.iter().filter(|(_, graph)| relevant(graph)).collect();
    if chosen.is_empty() {
        chosen = graphs.iter().take(1).collect();
    }
    let empty = crate::graph::Graph::of(Vec::new(), config.implicit_namespace());
    let text = if chosen.len() <= 1 {
        let graph = chosen.first().map_or(&empty, |(_, graph)| graph);
        run(&crate::inspect::View {
            graph,
            inputs: &inputs,
        })
    } else if output == InspectOutput::Diagram {
        let names: Vec<&str> = chosen.iter().map(|(name, _)| name.as_str()).collect();
        eprintln!(
            "salint: error: {} clusters hold these objects; a diagram shows one: name it with --cluster ({})",
            names.len(),
            names.join(", ")
        );
        return exit::BAD_INPUT;
    } else {
        let mut answers = Vec::new();
        for (name, graph) in &chosen {
            let view = crate::inspect::View {
                graph,
                inputs: &inputs,
            };
            match run(&view) {
                Ok(text) => answers.push((name.as_str(), text)),
                Err(code) => return code,
            }
        }
        Ok(match output {
            InspectOutput::Json => {
                let clusters: Vec<serde_json::Value> = answers
                    .iter()
                    .map(|(name, text)| {
                        serde_json::json!({
                            "cluster": name,
                            "answer": serde_json::from_str::<serde_json::Value>(text)
                                .unwrap_or(serde_json::Value::Null),
                        })
                    })
                    .collect();
                crate::inspect::to_json(&serde_json::json!({ "clusters": clusters }))
            }
            _ => answers
                .iter()
                .map(|(name, text)| format!("== cluster {name} ==\n\n{text}"))
                .collect::<Vec<_>>()
                .join("\n"),
        })
    };
    match text {
        Ok(text) => {
            if let Err(message) = write_output(input.output.as_ref(), &text) {
                eprintln!("salint: error: {}", escape::text(&message));
                bad = true;
            }
        }
        Err(code) => return code,
    }
    if bad {
        exit::BAD_INPUT
    } else {
        exit::CLEAN
    }
}

fn source_display(source: &InputSource) -> String {
    match source {
        InputSource::Stdin => "<stdin>".to_string(),
        InputSource::File(path) => display_path(path),
    }
}

fn init(force: bool) -> u8 {
    let path = Path::new(CONFIG_FILE_NAME);
    // `symlink_metadata`: a dangling link exists too, and is never written through.
    if std::fs::symlink_metadata(path).is_ok() && !force {
        eprintln!("salint: error: {CONFIG_FILE_NAME} exists; use --force to overwrite it");
        return exit::BAD_INPUT;
    }
    match crate::output_file::write_file(path, |out| out.write_all(INIT_TEMPLATE.as_bytes())) {
        Ok(()) => {
            eprintln!("salint: wrote {CONFIG_FILE_NAME}");
            exit::CLEAN
        }
        Err(message) => {
            eprintln!("salint: error: {}", escape::text(&message));
            exit::BAD_INPUT
        }
    }
}

fn write_output(path: Option<&PathBuf>, text: &str) -> Result<(), String> {
    write_output_with(path, |out| out.write_all(text.as_bytes()))
}

/// Writes to FILE, or to standard output, what `write` produces.
fn write_output_with(
    path: Option<&PathBuf>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    match path {
        // A temporary file renamed into place; links refused (see `output_file`).
        Some(path) => crate::output_file::write_file(path, write),
        None => {
            // Large blocks: standard output is line-buffered underneath, and a report of
            // thousands of findings written 8 KiB at a time cost a write call per block.
            let mut stdout = std::io::BufWriter::with_capacity(1 << 18, std::io::stdout().lock());
            match write(&mut stdout).and_then(|_| stdout.flush()) {
                Ok(()) => Ok(()),
                // A closed pipe (`salint check | head`) is not an error worth reporting.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(format!("cannot write to standard output: {e}")),
            }
        }
    }
}

/// The `salint rules` table.
pub fn rules_table() -> String {
    let mut out = format!(
        "{:<6} {:<27} {:<8} {:<13} {}\n",
        "CODE", "NAME", "SEVERITY", "CATEGORY", "SUMMARY"
    );
    for rule in crate::catalog::all() {
        let doc = rule.doc();
        out.push_str(&format!(
            "{:<6} {:<27} {:<8} {:<13} {}\n",
            doc.code,
            doc.name,
            doc.severity.as_str(),
            doc.category,
            doc.summary
        ));
    }
    out
}

fn explain(name: &str) -> u8 {
    match crate::catalog::find(name) {
        Some(rule) => {
            let doc = rule.doc();
            let cis = if doc.cis.is_empty() {
                String::new()
            } else {
                format!(", CIS {}", doc.cis)
            };
            println!(
                "{} ({}): {} severity, {}{cis}\n",
                doc.name,
                doc.code,
                doc.severity.as_str(),
                doc.category
            );
            print!("{}", doc.body);
            exit::CLEAN
        }
        None => {
            let names: Vec<String> = crate::catalog::all()
                .iter()
                .map(|r| format!("{} ({})", r.name(), r.code()))
                .collect();
            eprintln!(
                "salint: error: no rule named `{}`; the rules are: {}",
                escape::text(name),
                names.join(", ")
            );
            exit::BAD_INPUT
        }
    }
}

/// The README's rule table, generated from the docs (a test keeps README in sync).
pub fn rules_markdown_table() -> String {
    let mut out = String::from(
        "| Code | Name | Severity | Category | CIS | What it flags |\n| --- | --- | --- | --- | --- | --- |\n",
    );
    for rule in crate::catalog::all() {
        let doc = rule.doc();
        out.push_str(&format!(
            "| {} | [`{}`](rules/{}.md) | {} | {} | {} | {} |\n",
            doc.code,
            doc.name,
            doc.name,
            doc.severity.as_str(),
            doc.category,
            if doc.cis.is_empty() { "–" } else { &doc.cis },
            doc.summary
        ));
    }
    out
}
