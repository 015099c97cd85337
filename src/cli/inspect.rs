//! `salint explain-sa`, `salint who-can`, `salint paths` and `salint graph`: the inputs read as `check`
//! reads them, one answer per cluster from `crate::inspect`, printed or written to
//! `--output`.
//!
//! The three commands read inputs as `check` does (paths, globs, configuration), so they
//! and `check` see the same objects. `--namespace` of `check` names the implicit
//! namespace; here it would clash with `who-can --namespace` (the namespace of the request,
//! as in `kubectl auth can-i`), so the implicit namespace is `--implicit-namespace` for all
//! three.

use std::path::PathBuf;

use clap::ValueEnum;

use super::args::{ConfigArgs, RenderFlag};
use super::configuration::{apply_render_flag, resolve_config, select_clusters};
use super::error::CliError;
use super::output::write_output;
use super::Exit;
use crate::authz::resources::Target;
use crate::config::{Origin, Setting};
use crate::discover::{discover, FileFilter};
use crate::escape;
use crate::input::{read_repository, ReadOptions};
use crate::inspect::{explain_sa, graph_render, graph_view, paths, to_json, who_can, InspectError};

/// Where the objects come from, shared by the three commands.
#[derive(clap::Args, Debug)]
pub struct InputArgs {
    /// Files, folders or `-` (stdin). Default: the current folder.
    pub paths: Vec<String>,
    /// The namespace of objects without metadata.namespace (what `check --namespace` sets).
    #[arg(long, value_name = "NS")]
    pub implicit_namespace: Option<String>,
    /// Skip files and folders matching GLOB (repeatable; added to the config's).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Read only files matching GLOB inside folders (repeatable; default: *.yaml, *.yml, *.json).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Look at this cluster only (repeatable; names as `salint config` lists them).
    #[arg(long = "cluster", value_name = "NAME")]
    pub clusters: Vec<String>,
    /// Render kustomizations with Kustomize (auto, the default) or read them as written (never).
    #[arg(long, value_enum)]
    pub render: Option<RenderFlag>,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Output of `explain-sa` and `who-can`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextFormat {
    /// Plain text for people.
    Human,
    /// One JSON document.
    Json,
}

/// Output of `graph`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    /// Graphviz (`dot -Tsvg`).
    Dot,
    /// A Mermaid flowchart (renders in GitHub Markdown).
    Mermaid,
    /// Nodes and edges as JSON.
    Json,
}

#[derive(clap::Args, Debug)]
pub struct ExplainSaArgs {
    /// The ServiceAccount, as NAMESPACE/NAME.
    #[arg(value_name = "NAMESPACE/NAME")]
    pub service_account: String,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = TextFormat::Human)]
    pub format: TextFormat,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(clap::Args, Debug)]
pub struct WhoCanArgs {
    /// The verb: get, list, create, impersonate, ...
    pub verb: String,
    /// RESOURCE[.GROUP][/SUBRESOURCE] as for `kubectl auth can-i` (pods, pods/exec,
    /// deployments.apps), or a non-resource URL (/healthz).
    pub resource: String,
    /// The namespace of the request: RoleBindings of NS and all ClusterRoleBindings.
    /// Without it, every binding, with where it applies.
    #[arg(long, short = 'n', value_name = "NS")]
    pub namespace: Option<String>,
    /// Also the subjects that reach the permission through an escalation path, with the
    /// path.
    #[arg(long)]
    pub transitive: bool,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = TextFormat::Human)]
    pub format: TextFormat,
    #[command(flatten)]
    pub input: InputArgs,
}

/// Output of `paths`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathsFormat {
    /// Plain text for people.
    Text,
    /// One JSON document.
    Json,
    /// A Mermaid flowchart of the paths.
    Mermaid,
    /// Graphviz (`dot -Tsvg`).
    Dot,
}

#[derive(clap::Args, Debug)]
pub struct PathsArgs {
    /// The identity the paths start from: NAMESPACE/NAME (a ServiceAccount),
    /// ServiceAccount:NAMESPACE/NAME, User:NAME or Group:NAME.
    #[arg(value_name = "FROM")]
    pub from: String,
    /// Only the path to this identity (same forms as FROM).
    #[arg(long, value_name = "IDENTITY", conflicts_with = "to_capability")]
    pub to: Option<String>,
    /// Only the path to this capability: cluster-admin, or a permission rule's name
    /// (secrets-access, pod-creation, pod-exec, token-creation, privilege-escalation,
    /// node-proxy, control-plane-takeover).
    #[arg(long, value_name = "NAME")]
    pub to_capability: Option<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = PathsFormat::Text)]
    pub format: PathsFormat,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(clap::Args, Debug)]
pub struct GraphArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,
    #[command(flatten)]
    pub input: InputArgs,
}

/// `salint explain-sa`.
pub(super) fn run_explain_sa(args: &ExplainSaArgs) -> Result<Exit, CliError> {
    let output = match args.format {
        TextFormat::Human => InspectOutput::Text,
        TextFormat::Json => InspectOutput::Json,
    };
    let service_account = explain_sa::parse_name(&args.service_account);
    inspect(
        &args.input,
        output,
        |graph| {
            service_account
                .as_ref()
                .is_ok_and(|(namespace, name)| explain_sa::knows(graph, namespace, name))
        },
        |view| {
            let (namespace, name) = explain_sa::parse_name(&args.service_account)?;
            let explanation = explain_sa::explain(view, &namespace, &name)?;
            Ok(match args.format {
                TextFormat::Human => explain_sa::render_human(&explanation),
                TextFormat::Json => to_json(&explanation),
            })
        },
    )
}

/// `salint who-can`.
pub(super) fn run_who_can(args: &WhoCanArgs) -> Result<Exit, CliError> {
    let output = match args.format {
        TextFormat::Human => InspectOutput::Text,
        TextFormat::Json => InspectOutput::Json,
    };
    inspect(
        &args.input,
        output,
        |_| true,
        |view| {
            let target = Target::parse(&args.resource).map_err(InspectError::Resource)?;
            let mut answer = who_can::who_can(view, &args.verb, &target, args.namespace.as_deref());
            if args.transitive {
                who_can::add_transitive(view, &mut answer);
            }
            Ok(match args.format {
                TextFormat::Human => who_can::render_human(&answer),
                TextFormat::Json => to_json(&answer),
            })
        },
    )
}

/// `salint paths`.
pub(super) fn run_paths(args: &PathsArgs) -> Result<Exit, CliError> {
    let output = match args.format {
        PathsFormat::Text => InspectOutput::Text,
        PathsFormat::Json => InspectOutput::Json,
        _ => InspectOutput::Diagram,
    };
    let from = paths::parse_identity(&args.from)?;
    let wanted = match (&args.to, &args.to_capability) {
        (Some(to), _) => paths::Wanted::Identity(paths::parse_identity(to)?),
        (None, Some(name)) => paths::Wanted::Capability(paths::parse_capability(name)?),
        (None, None) => paths::Wanted::All,
    };
    inspect(
        &args.input,
        output,
        |graph| paths::knows(graph, &from),
        |view| {
            let answer = paths::paths(view, &from, &wanted)?;
            Ok(match args.format {
                PathsFormat::Text => paths::render_human(&answer),
                PathsFormat::Json => to_json(&answer),
                PathsFormat::Mermaid => paths::mermaid(&answer),
                PathsFormat::Dot => paths::dot(&answer),
            })
        },
    )
}

/// `salint graph`.
pub(super) fn run_graph(args: &GraphArgs) -> Result<Exit, CliError> {
    let output = match args.format {
        GraphFormat::Json => InspectOutput::Json,
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
        |view| {
            let picture = graph_view::picture(view);
            Ok(match args.format {
                GraphFormat::Dot => graph_render::dot(&picture),
                GraphFormat::Mermaid => graph_render::mermaid(&picture),
                GraphFormat::Json => graph_render::json(&picture),
            })
        },
    )
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
    input: &InputArgs,
    output: InspectOutput,
    relevant: impl Fn(&crate::graph::Graph) -> bool,
    run: impl Fn(&crate::inspect::View) -> Result<String, InspectError>,
) -> Result<Exit, CliError> {
    let mut config = resolve_config(&input.config, &input.paths)?;
    let mut include: Vec<String> = config.include.iter().map(|s| s.value.clone()).collect();
    if !input.include.is_empty() {
        include = input.include.clone();
    }
    let mut exclude: Vec<String> = config.exclude.iter().map(|s| s.value.clone()).collect();
    exclude.extend(input.exclude.iter().cloned());
    let filter = FileFilter::new(&include, &exclude)?;
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
        render: crate::input::RenderOptions::from_config(&config),
        ..ReadOptions::default()
    };
    let inputs = read_repository(&found, &read);
    let bad = !found.problems.is_empty() || !inputs.errors.is_empty();
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
    select_clusters(&mut clusters, &config)?;
    for note in inputs.notes.iter().chain(&clusters.decision) {
        eprintln!("salint: note: {note}");
    }
    let graphs: Vec<(String, crate::graph::Graph)> = clusters
        .list
        .iter()
        .map(|cluster| {
            (
                cluster.name.clone(),
                crate::graph::Graph::of_cluster(cluster, &inputs.objects),
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
        })?
    } else if output == InspectOutput::Diagram {
        return Err(CliError::DiagramOfSeveralClusters {
            clusters: chosen.iter().map(|(name, _)| name.clone()).collect(),
        });
    } else {
        let mut answers = Vec::new();
        for (name, graph) in &chosen {
            let view = crate::inspect::View {
                graph,
                inputs: &inputs,
            };
            answers.push((name.as_str(), run(&view)?));
        }
        match output {
            InspectOutput::Json => crate::inspect::clusters_json(&answers),
            _ => crate::inspect::clusters_text(&answers),
        }
    };
    write_output(input.output.as_ref(), &text)?;
    Ok(if bad { Exit::BadInput } else { Exit::Clean })
}
