//! The configuration a command runs with: `--config FILE` or the `.salint.yaml` found from
//! the first path up (none with `--no-config`), then the command-line flags over it.

use std::path::Path;

use super::args::{CheckArgs, ConfigArgs, RenderFlag};
use super::error::CliError;
use crate::catalog::RuleId;
use crate::config::{find_config_file, load_config_file, Config, Origin, RuleLevel, Setting};
use crate::discover::display_path;
use crate::report;

/// Loads the configuration: `--config FILE`, else `.salint.yaml` found from the first
/// path upwards, unless `--no-config`. A file that cannot be read or is not a valid
/// configuration is an error.
pub(super) fn resolve_config(args: &ConfigArgs, paths: &[String]) -> Result<Config, CliError> {
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
    let text = std::fs::read_to_string(&path).map_err(|source| CliError::ConfigUnreadable {
        path: display.clone(),
        source,
    })?;
    // miette cannot draw a line past column 65,535 (it panics): then the message alone.
    let drawable = !report::human::has_long_line(&text);
    // The rules judge their own options; a bad value stops the command as a bad file does.
    let loaded = load_config_file(&display, text)
        .and_then(|config| crate::rules::check_options(&config).map(|()| config))
        .map_err(|error| CliError::Config { error, drawable });
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
pub(super) fn apply_flags(config: &mut Config, args: &CheckArgs) {
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
    if let (Some(context), None) = (&args.default_context, &config.context.value) {
        config.context = Setting {
            value: Some(context.clone()),
            origin: Origin::Flag("--default-context"),
        };
    }
    config
        .only_clusters
        .extend(args.clusters.iter().map(|v| flag(v, "--cluster")));
    apply_render_flag(config, args.render);
}

/// `--render never` turns Kustomize and Helm off; `--render auto` only undoes `never`
/// (a configured command stays).
pub(super) fn apply_render_flag(config: &mut Config, flag: Option<RenderFlag>) {
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

/// Keeps the clusters `--cluster` names; an unknown name is an error listing the others.
pub(super) fn select_clusters(
    clusters: &mut crate::cluster::Clusters,
    config: &Config,
) -> Result<(), CliError> {
    if config.only_clusters.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = clusters.names().iter().map(|n| n.to_string()).collect();
    for wanted in &config.only_clusters {
        if !names.contains(&wanted.value) {
            return Err(CliError::UnknownCluster {
                name: wanted.value.clone(),
                clusters: names,
            });
        }
    }
    clusters.retain(|c| config.only_clusters.iter().any(|w| w.value == c.name));
    Ok(())
}

/// `--select`, `--extend-select` and `--ignore`, as ruff reads them, over the configuration:
/// `--select` turns off every rule it does not name, `--extend-select` turns rules on
/// besides, `--ignore` turns rules off (last, so it wins over both). A rule turned on that
/// the file switched off gets its default severity; one already on keeps the file's.
pub(super) fn apply_rule_selection(config: &mut Config, args: &CheckArgs) -> Result<(), CliError> {
    let resolve = |selectors: &[String]| -> Result<Vec<RuleId>, CliError> {
        let mut rules = Vec::new();
        for selector in selectors {
            let matched = crate::catalog::select(selector.trim());
            if matched.is_empty() {
                return Err(CliError::UnknownSelector(selector.clone()));
            }
            rules.extend(matched);
        }
        Ok(rules)
    };
    let turn_on = |config: &mut Config, rule: RuleId, flag: &'static str| {
        if config.rule_level(rule) == RuleLevel::Off {
            let level = RuleLevel::On(rule.doc().severity);
            config.set_rule_level(rule, level, Origin::Flag(flag));
        }
    };
    if !args.select.is_empty() {
        let selected = resolve(&args.select)?;
        for rule in crate::catalog::all() {
            if selected.contains(&rule) {
                turn_on(config, rule, "--select");
            } else {
                config.set_rule_level(rule, RuleLevel::Off, Origin::Flag("--select"));
            }
        }
    }
    for rule in resolve(&args.extend_select)? {
        turn_on(config, rule, "--extend-select");
    }
    for rule in resolve(&args.ignore)? {
        config.set_rule_level(rule, RuleLevel::Off, Origin::Flag("--ignore"));
    }
    Ok(())
}
