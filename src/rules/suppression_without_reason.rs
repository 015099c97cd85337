//! `suppression-without-reason`: a suppression that does not say why.

use super::SuppressionContext;

pub fn check(ctx: &mut SuppressionContext<'_>) {
    for (at, used) in ctx.uses.iter().enumerate() {
        if used.reason.is_empty() {
            let written = &used.written;
            ctx.report(
                at,
                format!(
                    "`{written}` silences findings without saying why: add the reason (for an annotation, as its value; for a comment, after the rule list) \
                     so reviewers can judge later whether it still holds."
                ),
            );
        }
    }
}
