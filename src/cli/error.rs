//! What stops a command before it is done, one variant per kind of error a user sees, and
//! how each is printed and which exit code it gives. The text of every variant is what
//! salint prints after `salint: error: `, with what comes from the input or the
//! configuration escaped (`crate::escape`) as everywhere else.

use std::path::PathBuf;

use crate::baseline::BaselineError;
use crate::config::{ConfigError, Origin, CONFIG_FILE_NAME};
use crate::discover::{io_message, GlobError};
use crate::escape;
use crate::inspect::InspectError;
use crate::output_file::OutputError;

use super::Exit;

/// An error that ends a command: printed on standard error, then exit 2 (bad input or bad
/// usage). Problems with single input files are not among them: those are reported with
/// the findings of every other file.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CliError {
    /// `--config FILE`, or the `.salint.yaml` found, cannot be read.
    #[error("cannot read config {}: {}", escape::text(.path), io_message(.source))]
    ConfigUnreadable {
        path: String,
        source: std::io::Error,
    },
    /// The configuration file is not a valid configuration; printed with miette's drawing
    /// of the place when it can be drawn.
    #[error("{error}")]
    Config {
        error: ConfigError,
        /// Whether miette can draw the file's lines (it cannot past column 65,535).
        drawable: bool,
    },
    /// The configuration's `context` lies outside its repository (the text is
    /// `config::context_outside_repository`'s).
    #[error("{}", escape::text(.0))]
    ContextOutsideRepository(String),
    /// An `--include`/`--exclude` glob, or one of the configuration's, does not compile.
    #[error("{}", escape::text(&.0.to_string()))]
    Glob(#[from] GlobError),
    /// The `--baseline` file cannot be used.
    #[error("baseline {}: {}", escape::text(&.path.display().to_string()), escape::text(&.source.to_string()))]
    Baseline {
        path: PathBuf,
        source: BaselineError,
    },
    /// `render.kustomize` or `render.helm` names a renderer that is not there (the text is
    /// the renderer's), with where the setting comes from.
    #[error("{message} ({origin})")]
    Renderer { message: String, origin: Origin },
    /// `--cluster` names a cluster the run does not have.
    #[error("no cluster named `{name}`; the clusters are: {}", .clusters.join(", "))]
    UnknownCluster {
        name: String,
        /// The clusters there are.
        clusters: Vec<String>,
    },
    /// `graph` draws one cluster, and the objects are in several.
    #[error("{} clusters hold these objects; a diagram shows one: name it with --cluster ({})", .clusters.len(), .clusters.join(", "))]
    DiagramOfSeveralClusters { clusters: Vec<String> },
    /// `--output`, `--write-baseline` or `init`'s file was not written.
    #[error("{}", escape::text(&.0.to_string()))]
    Output(#[from] OutputError),
    /// Standard output refused the output (a closed pipe is not an error).
    #[error("{}", escape::text(&format!("cannot write to standard output: {}", .0)))]
    Stdout(#[source] std::io::Error),
    /// `explain-sa` or `who-can` cannot answer the question.
    #[error("{}", escape::text(&.0.to_string()))]
    Inspect(#[from] InspectError),
    /// `init` without `--force` where a configuration file is.
    #[error("{CONFIG_FILE_NAME} exists; use --force to overwrite it")]
    ConfigFileExists,
    /// `explain` names no rule.
    #[error("no rule named `{}`; the rules are: {}", escape::text(.name), .rules.join(", "))]
    UnknownRule {
        name: String,
        /// Every rule, as `name (CODE)`.
        rules: Vec<String>,
    },
    /// `--select`, `--extend-select` or `--ignore` names no rule, code or category.
    #[error("`{}` names no rule, code (SA201, SA2) or category (identity, tokens, rbac, references, validity, suppressions)", escape::text(.0))]
    UnknownSelector(String),
    /// Flags that cannot go together (two reports on standard output).
    #[error("{0}")]
    Usage(String),
    /// The language server's connection failed.
    #[error("language server: {0}")]
    LanguageServer(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl CliError {
    /// The exit status each kind of error gives: bad input or bad usage, as the README's
    /// exit-code table says.
    pub fn exit(&self) -> Exit {
        match self {
            CliError::ConfigUnreadable { .. }
            | CliError::Config { .. }
            | CliError::ContextOutsideRepository(_)
            | CliError::Glob(_)
            | CliError::Baseline { .. }
            | CliError::Renderer { .. }
            | CliError::UnknownCluster { .. }
            | CliError::DiagramOfSeveralClusters { .. }
            | CliError::Output(_)
            | CliError::Stdout(_)
            | CliError::Inspect(_)
            | CliError::ConfigFileExists
            | CliError::UnknownRule { .. }
            | CliError::UnknownSelector(_)
            | CliError::Usage(_)
            | CliError::LanguageServer(_) => Exit::BadInput,
        }
    }

    /// Prints the error on standard error: `salint: error: ` and the text, or, for a bad
    /// configuration file, miette's drawing of the place.
    pub fn print(&self) {
        match self {
            CliError::Config { error, drawable } => {
                let mut out = String::new();
                let handler = miette::GraphicalReportHandler::new_themed(
                    miette::GraphicalTheme::unicode_nocolor(),
                )
                .with_width(100);
                if !drawable || handler.render_report(&mut out, error).is_err() {
                    out = format!("salint: error: {error}\n");
                }
                eprint!("{}", escape::lines(&out));
            }
            other => eprintln!("salint: error: {other}"),
        }
    }
}
