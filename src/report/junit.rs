//! `--format junit`: JUnit XML, as CI test views read it (GitLab's test report, Jenkins,
//! Azure Pipelines, the test-reporter actions), in the shape of the Apache Ant JUnit schema
//! (`testdata/junit/JUnit.xsd`): one `<testsuite>` per file with findings or input errors,
//! one `<testcase>` per finding with a `<failure>` (type: the severity), one per input
//! error with an `<error>`. A run without either is one suite with one passing case, so
//! the test view shows the check ran. The schema allows no line attributes: the place is
//! in the case's name and in the failure's text.

use super::Report;
use crate::escape;

/// Text made safe for XML 1.0 attribute values and character data: what the input wrote is
/// escaped for a terminal first (no control character survives, and XML forbids most of
/// them), then `& < > " '` as entities.
fn xml(text: &str) -> String {
    let safe = escape::text(text);
    let mut out = String::with_capacity(safe.len());
    for c in safe.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// When the report was made, in the schema's `YYYY-MM-DDTHH:MM:SS` (UTC, no zone);
/// `SOURCE_DATE_EPOCH` (seconds) fixes it, as reproducible builds do.
fn timestamp() -> String {
    let seconds = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        });
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// Howard Hinnant's `civil_from_days`: the proleptic Gregorian date of a day count from
/// 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// One `<testcase>`: its name, and its `<failure>`/`<error>` element (none: passed).
struct Case {
    name: String,
    outcome: Option<String>,
}

pub fn render(report: &Report) -> String {
    // Suites by file, in the report's order (input errors first, then findings by file).
    let mut suites: Vec<(String, Vec<Case>)> = Vec::new();
    let mut suite = |file: &str, case: Case| match suites.iter_mut().find(|(f, _)| f == file) {
        Some((_, cases)) => cases.push(case),
        None => suites.push((file.to_string(), vec![case])),
    };
    for error in report.errors {
        let place = match error.file.zip(error.span) {
            Some((file, span)) => {
                let p = report.files[file].position(span.start);
                format!("{}:{}:{}", error.path, p.line, p.column)
            }
            None => error.path.clone(),
        };
        suite(
            &error.path,
            Case {
                name: format!("input error at {place}"),
                outcome: Some(format!(
                    "<error type=\"input-error\" message=\"{}\">{}: {}</error>",
                    xml(&error.message),
                    xml(&place),
                    xml(&error.message)
                )),
            },
        );
    }
    for finding in report.shown().filter(|f| f.suppression.is_none()) {
        let file = &report.files[finding.location.file];
        let p = file.position(finding.location.span.start);
        let place = format!("{}:{}:{}", file.display, p.line, p.column);
        let mut text = format!(
            "{place}: {} [{} {}] {}",
            finding.severity,
            finding.rule.code(),
            finding.rule.name(),
            finding.message
        );
        if let Some(origin) = &finding.origin {
            text.push_str(&format!(" (Helm template: {origin})"));
        }
        for related in &finding.related {
            let other = &report.files[related.location.file];
            let q = other.position(related.location.span.start);
            text.push_str(&format!(
                "\n  {}:{}:{}: {}",
                other.display, q.line, q.column, related.message
            ));
        }
        let object = &finding.object;
        let namespace = object
            .namespace
            .as_deref()
            .map_or(String::new(), |ns| format!("{ns}/"));
        suite(
            &file.display,
            Case {
                name: format!(
                    "{} {} {} {namespace}{} at {place}",
                    finding.rule.code(),
                    finding.rule.name(),
                    object.kind,
                    object.name
                ),
                outcome: Some(format!(
                    "<failure type=\"{}\" message=\"{}\">{}</failure>",
                    finding.severity,
                    xml(&finding.message),
                    text.lines().map(xml).collect::<Vec<_>>().join("\n")
                )),
            },
        );
    }
    if suites.is_empty() {
        suites.push((
            "salint".to_string(),
            vec![Case {
                name: "salint check".to_string(),
                outcome: None,
            }],
        ));
    }
    let timestamp = timestamp();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for (id, (file, cases)) in suites.iter().enumerate() {
        let count = |prefix: &str| {
            cases
                .iter()
                .filter(|c| c.outcome.as_deref().is_some_and(|o| o.starts_with(prefix)))
                .count()
        };
        out.push_str(&format!(
            "  <testsuite name=\"{name}\" package=\"salint\" id=\"{id}\" timestamp=\"{timestamp}\" hostname=\"localhost\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"0\">\n    <properties/>\n",
            cases.len(),
            count("<failure"),
            count("<error"),
            name = xml(file),
        ));
        for case in cases {
            let head = format!(
                "    <testcase name=\"{}\" classname=\"{}\" time=\"0\"",
                xml(&case.name),
                xml(file)
            );
            match &case.outcome {
                Some(outcome) => {
                    out.push_str(&format!("{head}>\n      {outcome}\n    </testcase>\n"))
                }
                None => out.push_str(&format!("{head}/>\n")),
            }
        }
        out.push_str(
            "    <system-out></system-out>\n    <system-err></system-err>\n  </testsuite>\n",
        );
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_become_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(20_789), (2026, 12, 2));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn xml_escapes_markup_and_control_characters() {
        assert_eq!(xml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(xml("x\u{1b}[31m"), "x\\u{1b}[31m");
        assert_eq!(xml("plain"), "plain");
    }
}
