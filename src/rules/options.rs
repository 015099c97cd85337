//! Rule options: each rule that takes options owns a typed struct for them, in its own
//! file, read from what `.salint.yaml` wrote (`crate::config` keeps the raw values and
//! checks only that each key is one the rule's doc lists under `## Options`).

use crate::catalog::RuleId;
use crate::config::{Config, ConfigError, RuleOption, ShownOption};

/// A rule's typed options. `Default` is the rule's behaviour when nothing is configured.
pub trait RuleOptions: Default + Sized {
    /// Reads the options written for the rule; the error points at the bad value.
    fn read(options: &[RuleOption]) -> Result<Self, ConfigError>;
    /// The options as `salint config` shows them, defaults included.
    fn shown(&self) -> Vec<ShownOption>;
}

/// What the registry keeps of a rule's options type.
pub struct OptionsOf {
    check: fn(&[RuleOption]) -> Result<(), ConfigError>,
    shown: fn(&[RuleOption]) -> Vec<ShownOption>,
}

impl OptionsOf {
    pub const fn of<O: RuleOptions>() -> OptionsOf {
        OptionsOf {
            check: |options| O::read(options).map(drop),
            shown: |options| O::read(options).unwrap_or_default().shown(),
        }
    }
}

/// Checks every rule's options as configured: what a command runs right after loading the
/// configuration, so a bad value stops it with the value's location.
pub fn check_options(config: &Config) -> Result<(), ConfigError> {
    for &(rule, ref options) in &config.rule_options {
        if let Some(of) = &super::rule(rule).options {
            (of.check)(options)?;
        }
    }
    Ok(())
}

/// The options of `rule` as `salint config` shows them (for [`Config::describe`]).
pub fn shown_options(config: &Config, rule: RuleId) -> Vec<ShownOption> {
    match &super::rule(rule).options {
        Some(of) => (of.shown)(config.rule_options(rule)),
        None => Vec::new(),
    }
}

/// The effective configuration as `salint config` prints it, each rule's options included.
pub fn describe_config(config: &Config) -> String {
    config.describe(&|rule| shown_options(config, rule))
}
