//! The grammar of suppressions as users write them: annotations
//! `ignore.salint.io/<rule-or-code>: "<reason>"`, and comments `# salint: ignore[<rule>, ...]
//! <reason>` and `# salint: ignore-file[...] <reason>`.

use crate::catalog::{self, RuleId};
use crate::source::DIRECTIVE_MARKER;

/// The annotation prefix of suppressions.
pub const ANNOTATION_PREFIX: &str = "ignore.salint.io/";

/// Which rules it names.
#[derive(Debug, Clone)]
pub(super) enum Targets {
    All,
    Rules(Vec<RuleId>),
}

pub(super) fn parse_targets(names: &[&str]) -> (Targets, Vec<String>) {
    if names.iter().any(|n| n.eq_ignore_ascii_case("all")) {
        return (Targets::All, Vec::new());
    }
    let mut rules = Vec::new();
    let mut unknown = Vec::new();
    for name in names {
        match catalog::find(name) {
            Some(rule) => rules.push(rule),
            None => unknown.push(name.to_string()),
        }
    }
    (Targets::Rules(rules), unknown)
}

/// A parsed `# salint: ignore[...] reason` directive.
pub(super) struct Directive<'t> {
    pub file_wide: bool,
    pub names: Vec<&'t str>,
    pub reason: &'t str,
}

pub(super) fn parse_directive(comment: &str) -> Option<Directive<'_>> {
    let rest = comment.trim_start_matches('#').trim_start();
    let rest = rest.strip_prefix(DIRECTIVE_MARKER)?.trim_start();
    let (file_wide, rest) = if let Some(r) = rest.strip_prefix("ignore-file") {
        (true, r)
    } else {
        (false, rest.strip_prefix("ignore")?)
    };
    let (names, reason) = match rest.strip_prefix('[') {
        Some(inner) => {
            let (list, reason) = inner.split_once(']')?;
            let names = list
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .collect();
            (names, reason)
        }
        None if rest.is_empty() || rest.starts_with(char::is_whitespace) => (vec!["all"], rest),
        None => return None,
    };
    Some(Directive {
        file_wide,
        names,
        reason: reason.trim(),
    })
}

/// The byte index of a YAML comment's `#` in a line: at the line start or after blank.
pub(super) fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut search = 0;
    while let Some(found) = line[search..].find('#') {
        let at = search + found;
        if at == 0 || matches!(bytes[at - 1], b' ' | b'\t') {
            return Some(at);
        }
        search = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_directives() {
        let d =
            parse_directive("# salint: ignore[SA101, shared-service-account] batch job").unwrap();
        assert!(!d.file_wide);
        assert_eq!(d.names, ["SA101", "shared-service-account"]);
        assert_eq!(d.reason, "batch job");
        let d = parse_directive("# salint: ignore-file[all]").unwrap();
        assert!(d.file_wide);
        assert_eq!(d.reason, "");
        assert!(parse_directive("# salint: ignored").is_none());
        assert!(parse_directive("# something else").is_none());
    }

    #[test]
    fn finds_comment_starts() {
        assert_eq!(comment_start("a: b # c"), Some(5));
        assert_eq!(comment_start("# c"), Some(0));
        assert_eq!(comment_start("image: x#y"), None);
    }
}
