//! Rule options as `.salint.yaml` writes them (`rules: {NAME: {KEY: VALUE}}`).
//!
//! Configuration knows no option of any rule: it checks only that a key is one the rule's
//! doc lists under `## Options`, and keeps each value with where it was written. The rule
//! that owns an option reads it into its own typed struct and judges the value
//! (`rules/*.rs`, as oxc's rules own their configuration), so adding an option touches the
//! rule and its doc, nothing here.

use std::fmt;
use std::sync::Arc;

use miette::NamedSource;

use super::{ConfigError, Origin, Setting};
use crate::source::Span;

/// One option of a rule, as written.
#[derive(Debug, Clone)]
pub struct RuleOption {
    pub key: String,
    /// The value read as one string, or why it is not one.
    pub(super) text: Result<OptionText, ConfigError>,
    /// The value read as a list of strings (`null` is the empty list), or why it is not one.
    pub(super) list: Result<Vec<OptionText>, ConfigError>,
}

impl RuleOption {
    /// The value as one string; the error points at the value.
    pub fn text(&self) -> Result<&OptionText, ConfigError> {
        self.text.as_ref().map_err(Clone::clone)
    }

    /// The value as a list of strings; the error points at the value.
    pub fn list(&self) -> Result<&[OptionText], ConfigError> {
        self.list.as_deref().map_err(Clone::clone)
    }
}

/// A string of an option's value, with where it was written.
#[derive(Debug, Clone)]
pub struct OptionText {
    pub value: String,
    pub origin: Origin,
    /// The configuration file and the value's span in it, for errors drawn on the source.
    pub(super) site: Option<(NamedSource<Arc<String>>, Span)>,
}

impl OptionText {
    /// The value as a setting, for `salint config`.
    pub fn setting(&self) -> Setting<String> {
        Setting {
            value: self.value.clone(),
            origin: self.origin.clone(),
        }
    }

    /// An error about this value: `FILE:LINE:COLUMN: MESSAGE`, drawn on the file.
    pub fn error(&self, message: impl fmt::Display) -> ConfigError {
        ConfigError::at(
            format!("{}: {message}", self.origin),
            self.site
                .as_ref()
                .map(|(source, span)| (source.clone(), *span)),
        )
    }
}

/// An option as `salint config` shows it: the rule's typed value (its default when unset),
/// with where it came from.
#[derive(Debug, Clone)]
pub enum ShownOption {
    One {
        key: &'static str,
        value: String,
        origin: Origin,
    },
    List {
        key: &'static str,
        items: Vec<Setting<String>>,
    },
}
