//! `--format compact`: `path:line:col: severity [CODE name] message`, one line per finding,
//! for editors' problem matchers and grep.

use super::Report;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for error in report.errors {
        match error.file.zip(error.span) {
            Some((file, span)) => {
                let p = report.files[file].position(span.start);
                out.push_str(&format!(
                    "{}:{}:{}: error [input-error] {}\n",
                    error.path, p.line, p.column, error.message
                ));
            }
            None => out.push_str(&format!(
                "{}: error [input-error] {}\n",
                error.path, error.message
            )),
        }
    }
    for finding in report.shown() {
        let file = &report.files[finding.location.file];
        let p = file.position(finding.location.span.start);
        out.push_str(&format!(
            "{}:{}:{}: {} [{} {}] {}\n",
            file.display,
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

/// Messages are one paragraph already; this guards the one-line-per-finding promise.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
