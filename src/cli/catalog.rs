//! The rule catalog and the configuration file: `salint rules`, `salint explain`,
//! `salint init` and `salint config`.

use std::path::Path;

use super::check::CheckArgs;
use super::configuration::{apply_flags, resolve_config, select_clusters};
use super::error::CliError;
use super::{Cli, Exit};
use crate::config::{Config, CONFIG_FILE_NAME, INIT_TEMPLATE};
use crate::discover::discover;
use crate::escape;
use crate::input::{read_repository, ReadOptions};

/// `salint config`: the effective configuration with the origin of each value, and the
/// clusters.
pub(super) fn config(args: &CheckArgs) -> Result<Exit, CliError> {
    let mut effective = resolve_config(&args.config, &args.paths)?;
    apply_flags(&mut effective, args);
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
