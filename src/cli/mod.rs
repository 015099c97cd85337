//! The command line: `salint check`, `salint rules`, `salint explain`, and the commands that
//! show the graph (`explain-sa`, `who-can`, `graph`, whose answers come from
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
//! - [`output`]: writing to standard output or to `--output FILE`.

mod catalog;
mod check;
mod configuration;
mod inspect;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::escape;

pub use catalog::{rules_markdown_table, rules_table};
pub use check::{CheckArgs, ColorChoice, FailOn, Format};
pub use configuration::{ConfigArgs, RenderFlag};
pub use inspect::{ExplainSaArgs, GraphArgs, GraphFormat, InputArgs, TextFormat, WhoCanArgs};

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
    ExplainSa(ExplainSaArgs),
    /// Every subject that can do VERB on RESOURCE, with the path subject ← binding → role →
    /// rule.
    WhoCan(WhoCanArgs),
    /// The ServiceAccount / workload / binding / role graph as Mermaid, DOT or JSON, risky
    /// edges in red.
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
    let code = match cli.command {
        Command::Check(args) => check::check(&args),
        Command::Rules => {
            print!("{}", rules_table());
            exit::CLEAN
        }
        Command::Explain { rule } => catalog::explain(&rule),
        Command::Init { force } => catalog::init(force),
        Command::Config(args) => match configuration::resolve_config(&args.config, &args.paths) {
            Ok(mut effective) => {
                configuration::apply_flags(&mut effective, &args);
                print!("{}", escape::lines(&effective.describe()));
                print!(
                    "{}",
                    escape::lines(&catalog::config_clusters(&effective, &args))
                );
                exit::CLEAN
            }
            Err(code) => code,
        },
        Command::ExplainSa(args) => inspect::run_explain_sa(&args),
        Command::WhoCan(args) => inspect::run_who_can(&args),
        Command::Graph(args) => inspect::run_graph(&args),
        Command::Lsp => match crate::lsp::run() {
            Ok(ending) => language_server_exit(ending),
            Err(error) => {
                eprintln!("salint: error: language server: {error}");
                exit::BAD_INPUT
            }
        },
        Command::Completions { shell } => catalog::completions(shell),
    };
    ExitCode::from(code)
}

/// The exit code of a language-server session, the specification's rule: 0 when `exit`
/// came after `shutdown`, 1 when it came without, or the input ended first.
fn language_server_exit(ending: crate::lsp::Ending) -> u8 {
    match ending {
        crate::lsp::Ending::Clean => 0,
        crate::lsp::Ending::Abrupt => 1,
    }
}
