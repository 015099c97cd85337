//! The command line: `salint check`, `salint rules`, `salint explain`, and the commands that
//! show the graph (`explain-sa`, `who-can`, `paths`, `graph`, whose answers come from
//! `crate::inspect`). This is the only place that parses flags, prints to stderr and picks
//! an exit code.
//!
//! - [`check`]: the `check` command, from its flags to the report and the exit code;
//! - [`configuration`]: the configuration a command runs with (`--config`, `--no-config`,
//!   the flags that override the file, `--render`, `--cluster`);
//! - [`inspect`]: `explain-sa`, `who-can` and `graph`: their flags, reading the inputs,
//!   printing the answers;
//! - [`catalog`]: the rule catalog and the configuration file (`rules`, `explain`, `init`,
//!   `config`, `completions`);
//! - [`output`]: writing to standard output or to `--output FILE`;
//! - [`error`]: what stops a command ([`CliError`]), how it is printed, its exit code.

mod catalog;
mod check;
mod configuration;
mod error;
mod inspect;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use catalog::{rules_markdown_table, rules_table};
pub use check::{CheckArgs, ColorChoice, FailOn, Format};
pub use configuration::{ConfigArgs, RenderFlag};
pub use error::CliError;
pub use inspect::{
    ExplainSaArgs, GraphArgs, GraphFormat, InputArgs, PathsArgs, PathsFormat, TextFormat,
    WhoCanArgs,
};

/// How a command ends, as the README's exit-code table says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: no finding at or above `--fail-on`, and every input read.
    Clean,
    /// 1: findings at or above `--fail-on`.
    Findings,
    /// 2: bad input (unreadable or unparsable file) or bad usage; findings are still
    /// printed, unless a [`CliError`] stopped the command.
    BadInput,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(match exit {
            Exit::Clean => 0,
            Exit::Findings => 1,
            Exit::BadInput => 2,
        })
    }
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
    ExplainSa(ExplainSaArgs),
    /// Every subject that can do VERB on RESOURCE, with the path subject ← binding → role →
    /// rule.
    WhoCan(WhoCanArgs),
    /// Every shortest escalation path from an identity: to the identities it can become
    /// and the dangerous capabilities it reaches, hop by hop.
    Paths(PathsArgs),
    /// The ServiceAccount / workload / binding / role graph as Mermaid, DOT or JSON, risky
    /// edges in red, escalation steps as their own edges.
    Graph(GraphArgs),
    /// Run the language server on stdin/stdout (editor diagnostics, quick fixes, hover).
    Lsp,
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Parses the arguments and runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let ended = match cli.command {
        Command::Check(args) => check::check(&args).map(ExitCode::from),
        Command::Rules => {
            print!("{}", rules_table());
            Ok(Exit::Clean.into())
        }
        Command::Explain { rule } => catalog::explain(&rule).map(ExitCode::from),
        Command::Init { force } => catalog::init(force).map(ExitCode::from),
        Command::Config(args) => catalog::config(&args).map(ExitCode::from),
        Command::ExplainSa(args) => inspect::run_explain_sa(&args).map(ExitCode::from),
        Command::WhoCan(args) => inspect::run_who_can(&args).map(ExitCode::from),
        Command::Paths(args) => inspect::run_paths(&args).map(ExitCode::from),
        Command::Graph(args) => inspect::run_graph(&args).map(ExitCode::from),
        Command::Lsp => crate::lsp::run()
            .map(language_server_exit)
            .map_err(CliError::LanguageServer),
        Command::Completions { shell } => Ok(catalog::completions(shell).into()),
    };
    ended.unwrap_or_else(|error| {
        error.print();
        error.exit().into()
    })
}

/// The exit code of a language-server session, the specification's rule: 0 when `exit`
/// came after `shutdown`, 1 when it came without, or the input ended first.
fn language_server_exit(ending: crate::lsp::Ending) -> ExitCode {
    match ending {
        crate::lsp::Ending::Clean => ExitCode::SUCCESS,
        crate::lsp::Ending::Abrupt => ExitCode::FAILURE,
    }
}
