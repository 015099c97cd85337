//! The rule catalog and the configuration file: `salint rules`, `salint explain`,
//! `salint init` and `salint config`.

use std::path::Path;

use super::args::CheckArgs;
use super::configuration::{apply_flags, apply_rule_selection, resolve_config, select_clusters};
use super::error::CliError;
use super::{Cli, Exit};
use crate::config::{Config, CONFIG_FILE_NAME, INIT_TEMPLATE};
use crate::discover::discover;
use crate::escape;
use crate::input::{read_repository, ReadOptions};

/// `salint config`: the effective configuration with the origin of each value, and the
/// clusters.
pub(super) fn config(args: &CheckArgs) -> Result<Exit, CliError> {
    let mut effective = resolve_config(&args.config, &args.config_paths())?;
    apply_flags(&mut effective, args);
    apply_rule_selection(&mut effective, args)?;
    print!(
        "{}",
        escape::lines(&crate::rules::describe_config(&effective))
    );
    print!("{}", escape::lines(&config_clusters(&effective, args)));
    Ok(Exit::Clean)
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
            ..crate::input::RenderOptions::from_config(config)
        },
        cache: None,
    };
    let inputs = read_repository(&found, &read);
    let mut clusters = crate::cluster::decide(&inputs, config);
    let _ = select_clusters(&mut clusters, config);
    clusters.describe()
}

/// `salint init`: writes the commented configuration template.
pub(super) fn init(force: bool) -> Result<Exit, CliError> {
    let path = Path::new(CONFIG_FILE_NAME);
    // `symlink_metadata`: a dangling link exists too, and is never written through.
    if std::fs::symlink_metadata(path).is_ok() && !force {
        return Err(CliError::ConfigFileExists);
    }
    crate::output_file::write_file(path, |out| out.write_all(INIT_TEMPLATE.as_bytes()))?;
    eprintln!("salint: wrote {CONFIG_FILE_NAME}");
    Ok(Exit::Clean)
}

/// `salint rules` flags.
#[derive(clap::Args, Debug)]
pub struct RulesArgs {
    /// `text` (an aligned table, wrapped to the terminal), `json` or `markdown` (the
    /// README's table).
    #[arg(long, short = 'f', value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RulesFormat {
    Text,
    Json,
    Markdown,
}

/// `salint rules`: the catalog in the format asked for.
pub(super) fn rules(args: &RulesArgs) -> Result<Exit, CliError> {
    use std::io::IsTerminal;
    let text = match args.format {
        RulesFormat::Text => {
            rules_table_at(super::terminal::width(std::io::stdout().is_terminal()))
        }
        RulesFormat::Json => rules_json(),
        RulesFormat::Markdown => rules_markdown_table(),
    };
    super::output::write_output(None, &text)?;
    Ok(Exit::Clean)
}

/// The `salint rules` table: columns as wide as their longest entry, the summary wrapped
/// at word boundaries to `width` columns under its own column (or, when the other columns
/// leave less than 30, on lines of its own below the row).
fn rules_table_at(width: usize) -> String {
    let rules = crate::catalog::all();
    let docs: Vec<_> = rules.iter().map(|r| r.doc()).collect();
    let widest = |header: &str, column: &dyn Fn(&crate::catalog::RuleDoc) -> String| {
        docs.iter()
            .map(|d| column(d).chars().count())
            .chain([header.len()])
            .max()
            .unwrap_or(0)
    };
    let code_width = widest("CODE", &|d| d.code.clone());
    let name_width = widest("NAME", &|d| d.name.clone());
    let severity_width = widest("SEVERITY", &|d| d.severity.as_str().to_string());
    let category_width = widest("CATEGORY", &|d| d.category.clone());
    let indent = code_width + name_width + severity_width + category_width + 4;
    let summary_width = width.saturating_sub(indent);
    let (summary_width, summary_indent) = match summary_width >= 30 {
        true => (summary_width, indent),
        false => (width.saturating_sub(4).max(20), 4),
    };
    let row = |code: &str, name: &str, severity: &str, category: &str| {
        format!(
            "{code:<code_width$} {name:<name_width$} {severity:<severity_width$} {category:<category_width$} "
        )
    };
    let mut out = row("CODE", "NAME", "SEVERITY", "CATEGORY");
    out.push_str("SUMMARY\n");
    for doc in &docs {
        let head = row(&doc.code, &doc.name, doc.severity.as_str(), &doc.category);
        let options = textwrap::Options::new(summary_width)
            .break_words(false)
            .word_separator(textwrap::WordSeparator::AsciiSpace)
            .word_splitter(textwrap::WordSplitter::NoHyphenation);
        let lines = textwrap::wrap(&doc.summary, options);
        let pad = " ".repeat(summary_indent);
        if summary_indent == indent {
            for (i, line) in lines.iter().enumerate() {
                out.push_str(if i == 0 { &head } else { &pad });
                out.push_str(line);
                out.push('\n');
            }
        } else {
            out.push_str(head.trim_end());
            out.push('\n');
            for line in &lines {
                out.push_str(&pad);
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// `salint rules --format json`: every rule with its code, name, default severity,
/// category, CIS reference (null without), summary and documentation URL.
fn rules_json() -> String {
    let rules: Vec<serde_json::Value> = crate::catalog::all()
        .into_iter()
        .map(|rule| {
            let doc = rule.doc();
            serde_json::json!({
                "code": doc.code,
                "name": doc.name,
                "severity": doc.severity.as_str(),
                "category": doc.category,
                "cis": (!doc.cis.is_empty()).then_some(&doc.cis),
                "summary": doc.summary,
                "url": rule.doc_url(),
            })
        })
        .collect();
    let mut text =
        serde_json::to_string_pretty(&serde_json::json!({ "version": 1, "rules": rules }))
            .expect("the catalog serialises");
    text.push('\n');
    text
}

/// `salint explain RULE`: the rule's doc.
pub(super) fn explain(name: &str) -> Result<Exit, CliError> {
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
            Ok(Exit::Clean)
        }
        None => {
            let names: Vec<String> = crate::catalog::all()
                .iter()
                .map(|r| format!("{} ({})", r.name(), r.code()))
                .collect();
            Err(CliError::UnknownRule {
                name: name.to_string(),
                rules: names,
            })
        }
    }
}

/// `salint completions SHELL`: the completion script clap generates from [`Cli`].
pub(super) fn completions(shell: clap_complete::Shell) -> Exit {
    let mut command = <Cli as clap::CommandFactory>::command();
    clap_complete::generate(shell, &mut command, "salint", &mut std::io::stdout());
    Exit::Clean
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
