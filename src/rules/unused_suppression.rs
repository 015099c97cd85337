//! `unused-suppression`: a suppression that names no rule, or silences nothing any more
//! (unless every rule it names is turned off: then its silence is expected, not stale).

use super::SuppressionContext;
use crate::config::RuleLevel;

pub fn check(ctx: &mut SuppressionContext<'_>) {
    for (at, used) in ctx.uses.iter().enumerate() {
        let written = &used.written;
        if !used.unknown.is_empty() {
            ctx.report(
                at,
                format!(
                    "`{written}` names no rule ({}): it silences nothing. Use a rule name or code from `salint rules`.",
                    used.unknown.join(", ")
                ),
            );
            continue;
        }
        let all_off = used.names.as_ref().is_some_and(|names| {
            names
                .iter()
                .all(|&rule| ctx.config.rule_level(rule) == RuleLevel::Off)
        });
        if !used.used && !all_off {
            ctx.report(
                at,
                format!(
                    "`{written}` silences nothing: no finding of the rules it names is here any more. Remove it, so it cannot hide a future problem."
                ),
            );
        }
    }
}
