//! `--format compact`: `path:line:col: severity [CODE name] message`, one line per finding,
//! for editors' problem matchers and grep.

use super::Report;
use crate::escape;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for error in report.errors {
        match error.file.zip(error.span) {
            Some((file, span)) => {
                let p = report.files[file].position(span.start);
                out.push_str(&format!(
                    "{}:{}:{}: error [input-error] {}\n",
                    escape::text(&error.path),
                    p.line,
                    p.column,
                    one_line(&error.message)
                ));
            }
            None => out.push_str(&format!(
                "{}: error [input-error] {}\n",
                escape::text(&error.path),
                one_line(&error.message)
            )),
        }
    }
    for finding in report.shown() {
        let file = &report.files[finding.location.file];
        let p = file.position(finding.location.span.start);
        out.push_str(&format!(
            "{}:{}:{}: {} [{} {}] {}\n",
            escape::text(&file.display),
            p.line,
            p.column,
            finding.severity,
            finding.rule.code(),
            finding.rule.name(),
            one_line(&finding.message)
        ));
    }
    out
}

/// Messages are one paragraph already; this guards the one-line-per-finding promise, and
/// escapes what the input put in them (see [`crate::escape`]).
pub(crate) fn one_line(text: &str) -> String {
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    escape::text(&words.join(" ")).into_owned()
}
