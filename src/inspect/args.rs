//! Command-line arguments of `explain-sa`, `who-can` and `graph`. They read inputs as
//! `check` does (paths, globs, configuration), so the three commands and `check` see the
//! same objects. `--namespace` of `check` names the implicit namespace; here it would clash
//! with `who-can --namespace` (the namespace of the request, as in `kubectl auth can-i`),
//! so the implicit namespace is `--implicit-namespace` for all three.

use std::path::PathBuf;

use clap::ValueEnum;

use crate::cli::ConfigArgs;

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
    pub render: Option<crate::cli::RenderFlag>,
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
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = TextFormat::Human)]
    pub format: TextFormat,
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
