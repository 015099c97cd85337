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
//! - [`fixes`]: `check --fix` and `--diff`: the safe fixes written or shown;
//! - [`output`]: writing to standard output or to `--output FILE`;
//! - [`staged`]: with `--context`, the findings the named files' changes create elsewhere;
//! - [`terminal`]: how wide the text reports are drawn;
//! - [`error`]: what stops a command ([`CliError`]), how it is printed, its exit code.

mod args;
mod catalog;
mod check;
mod configuration;
mod error;
mod fixes;
mod inspect;
mod output;
mod staged;
mod terminal;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use args::CheckArgs;
pub use catalog::rules_markdown_table;
pub use error::CliError;
pub use inspect::{ExplainSaArgs, GraphArgs, PathsArgs, WhoCanArgs};

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

/// `salint --version`: the release, and the Kubernetes release the built-in roles (`edit`,
/// `view`, the `system:` roles) are taken from, which decides what a binding to them grants.
/// A test keeps it equal to the release named in the data file's header.
const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\nbuilt-in roles: Kubernetes v1.31.12"
);

#[derive(Parser, Debug)]
#[command(
    name = "salint",
    version,
    long_version = LONG_VERSION,
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
    Rules(catalog::RulesArgs),
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
        Command::Rules(args) => catalog::rules(&args).map(ExitCode::from),
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_long_version_names_the_built_in_roles_release() {
        let release = super::LONG_VERSION.rsplit("Kubernetes ").next().unwrap();
        assert!(release.starts_with("v1."), "{release}");
        assert!(release.starts_with(crate::model::builtin::KUBERNETES_VERSION));
        let data = include_str!("../../data/builtin-clusterroles.yaml");
        let header = data.lines().next().unwrap();
        assert!(header.contains(&format!("({release})")), "{header}");
    }
}
