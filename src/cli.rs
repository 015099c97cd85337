//! The command line: `salint check`, `salint rules`, `salint explain`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::discover::{discover, FileFilter};
use crate::finding::Severity;
use crate::input::{read_inputs, InputError};
use crate::lint::{lint, LintOptions};
use crate::report::{self, Report};
use crate::rules;

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
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// The namespace of objects without metadata.namespace (what `kubectl -n`/`helm -n` apply).
    #[arg(long, short = 'n', value_name = "NS")]
    pub namespace: Option<String>,
    /// Skip files and folders matching GLOB (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Read only files matching GLOB inside folders (repeatable; default: *.yaml, *.yml, *.json).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// When to colour the human report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
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
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "salint", &mut std::io::stdout());
            exit::CLEAN
        }
    };
    ExitCode::from(code)
}

fn check(args: &CheckArgs) -> u8 {
    let filter = match FileFilter::new(&args.include, &args.exclude) {
        Ok(filter) => filter,
        Err(message) => {
            eprintln!("salint: error: {message}");
            return exit::BAD_INPUT;
        }
    };
    let discovered = discover(&args.paths, &filter);
    let mut inputs = read_inputs(&discovered.inputs);
    let mut errors: Vec<InputError> = discovered
        .problems
        .into_iter()
        .map(|problem| InputError {
            path: problem.path,
            file: None,
            span: None,
            message: problem.message,
        })
        .collect();
    errors.append(&mut inputs.errors);
    errors.sort_by(|a, b| (&a.path, a.span).cmp(&(&b.path, b.span)));
    let options = LintOptions {
        namespace: args.namespace.clone(),
    };
    let findings = lint(&inputs, &options);
    let report = Report {
        files: &inputs.files,
        findings: &findings,
        errors: &errors,
        object_count: inputs.objects.len(),
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
    let text = match args.format {
        Format::Human => report::human::render(&report, color),
        Format::Json => report::json::render(&report),
        Format::Sarif => report::sarif::render(&report),
        Format::Github => report::github::render(&report),
        Format::Compact => report::compact::render(&report),
        Format::Markdown => report::markdown::render(&report),
    };
    if let Err(message) = write_output(args.output.as_ref(), &text) {
        eprintln!("salint: error: {message}");
        return exit::BAD_INPUT;
    }
    let summary = report.summary();
    if args.format != Format::Human || args.output.is_some() {
        eprintln!("salint: {}", summary.line());
    }
    if inputs.objects.is_empty() && errors.is_empty() {
        eprintln!(
            "salint: warning: no Kubernetes objects found in {} file(s); nothing was checked",
            inputs.files.len()
        );
    }
    if !errors.is_empty() {
        exit::BAD_INPUT
    } else if findings
        .iter()
        .any(|f| f.severity >= args.fail_on.threshold())
    {
        exit::FINDINGS
    } else {
        exit::CLEAN
    }
}

fn write_output(path: Option<&PathBuf>, text: &str) -> Result<(), String> {
    match path {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush())
            {
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
        "{:<6} {:<27} {:<8} {:<11} {}\n",
        "CODE", "NAME", "SEVERITY", "CATEGORY", "SUMMARY"
    );
    for rule in rules::all() {
        let doc = rule.doc();
        out.push_str(&format!(
            "{:<6} {:<27} {:<8} {:<11} {}\n",
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
    match rules::find(name) {
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
            let names: Vec<String> = rules::all()
                .iter()
                .map(|r| format!("{} ({})", r.name(), r.code()))
                .collect();
            eprintln!(
                "salint: error: no rule named `{name}`; the rules are: {}",
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
    for rule in rules::all() {
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
