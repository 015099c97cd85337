//! What every text output does with text it did not write itself (names, keys, paths,
//! parser messages): manifests are read from repositories nobody checked, and their strings
//! reach terminals, CI logs, job summaries and pull-request comments.
//!
//! [`text`] is the one escaping function. It makes a string safe on one line of a terminal
//! or a GitHub Actions log:
//! - no control character reaches the terminal: C0 (ESC, BEL, CR, LF, TAB, ...), DEL, C1
//!   (U+0080–U+009F, which some terminals read as ESC sequences), the bidirectional controls
//!   that reorder what is shown (Trojan Source: U+061C, U+200E/F, U+202A–E, U+2066–9) and the
//!   line and paragraph separators U+2028/9. Each is written as `\u{..}` (`\n`, `\r`, `\t`
//!   as themselves), so it stays visible and nothing is lost;
//! - no line can start a GitHub workflow command: `::` becomes `:\u{3a}`. The runner reads a
//!   line as a command when it starts with `::` after leading spaces, and a long message
//!   wrapped at a space can put a name at the start of a line.
//!
//! [`markdown`] and [`source_line`] build on the same classification for Markdown cells and
//! for the source snippets of the human report, whose byte offsets must not move.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as it is.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{61c}' | '\u{200e}' | '\u{200f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        | '\u{2028}' | '\u{2029}')
}

/// `text` made safe for one line of any text output (see the module docs). Borrowed when
/// nothing needed escaping, the common case.
pub fn text(text: &str) -> Cow<'_, str> {
    if !text.contains(is_unsafe) && !text.contains("::") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut previous_colon = false;
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ':' if previous_colon => {
                out.push_str("\\u{3a}");
                previous_colon = false;
                continue;
            }
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
        previous_colon = c == ':';
    }
    Cow::Owned(out)
}

/// Text of many lines (a rule's documentation, the effective configuration): each line as
/// [`text`] makes it, the line breaks kept.
pub fn lines(text_of_lines: &str) -> Cow<'_, str> {
    if !text_of_lines.contains(|c: char| c != '\n' && is_unsafe(c)) && !text_of_lines.contains("::")
    {
        return Cow::Borrowed(text_of_lines);
    }
    let escaped: Vec<Cow<str>> = text_of_lines.split('\n').map(text).collect();
    Cow::Owned(escaped.join("\n"))
}

/// Plain text in a Markdown table cell: [`text`], then every character Markdown or
/// GitHub's HTML would act on is escaped, so a name can neither add HTML (`<img
/// onerror=…>`), an image or link (`![](http://…)`), emphasis, nor a new cell.
pub fn markdown(cell: &str) -> String {
    let safe = text(cell);
    let mut out = String::with_capacity(safe.len() + 8);
    for c in safe.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '!' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A message in a Markdown table cell: its `code` spans kept as code spans (where Markdown
/// acts on nothing), the text between them escaped as [`markdown`] does. A backtick in a
/// name only changes which parts are code; every part is escaped for where it lands, and a
/// backtick without its pair is shown as one.
pub fn markdown_message(message: &str) -> String {
    let parts: Vec<&str> = message.split('`').collect();
    let paired = parts.len() % 2 == 1;
    let mut out = String::with_capacity(message.len() + 8);
    for (index, part) in parts.iter().enumerate() {
        let last = index + 1 == parts.len();
        if index % 2 == 1 && (paired || !last) {
            out.push('`');
            out.push_str(&markdown_code(part));
            out.push('`');
        } else {
            if index % 2 == 1 {
                out.push_str("\\`");
            }
            out.push_str(&markdown(part));
        }
    }
    out
}

/// Text in a Markdown code span: shown as written, so only what could end the span (a
/// backtick) or the table cell (`|`) is changed; the rest is [`text`].
pub fn markdown_code(code: &str) -> String {
    text(code).replace('`', "'").replace('|', "\\|")
}

/// A source line for a snippet: every unsafe character replaced by characters of the same
/// byte length (`?` for each byte), so the byte offsets of spans into the original text
/// stay right and the columns shown stay where the labels point. Line breaks are kept.
pub fn source_line(line: &str) -> Cow<'_, str> {
    if !line.contains(|c: char| c != '\n' && is_unsafe(c)) {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if c != '\n' && is_unsafe(c) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_written_visibly() {
        assert_eq!(text("plain-name"), "plain-name");
        assert!(matches!(text("plain-name"), Cow::Borrowed(_)));
        assert_eq!(text("a\x1b]0;t\x07b"), "a\\u{1b}]0;t\\u{7}b");
        assert_eq!(text("a\nb\rc\td"), "a\\nb\\rc\\td");
        assert_eq!(text("\u{202e}x\u{85}"), "\\u{202e}x\\u{85}");
        assert_eq!(text("é日本"), "é日本");
    }

    #[test]
    fn no_workflow_command_survives() {
        assert_eq!(
            text("x\n::error title=pwned::injected"),
            "x\\n:\\u{3a}error title=pwned:\\u{3a}injected"
        );
        assert_eq!(
            text("system:serviceaccount:ns:a"),
            "system:serviceaccount:ns:a"
        );
        assert_eq!(text(":::"), ":\\u{3a}:");
        // Escaping twice changes nothing more.
        let once = text("a\u{1b}::b").into_owned();
        assert_eq!(text(&once), once);
    }

    #[test]
    fn markdown_cells_hold_no_html_links_or_images() {
        assert_eq!(
            markdown("<img src=x onerror=alert(1)>"),
            "&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(markdown("![](http://x/y.png)"), "\\!\\[\\](http://x/y.png)");
        assert_eq!(
            markdown_message("runs as `api`, see `x<b>` and ![a](b)"),
            "runs as `api`, see `x<b>` and \\!\\[a\\](b)"
        );
        // A backtick in a name shifts the code spans; each part stays escaped.
        assert_eq!(
            markdown_message("ServiceAccount `a`<img>` b`"),
            "ServiceAccount `a`&lt;img&gt;` b`"
        );
        assert_eq!(markdown_message("odd ` <i>"), "odd \\` &lt;i&gt;");
        assert_eq!(markdown("a|b"), "a\\|b");
        assert_eq!(markdown("shop-api"), "shop-api");
        assert_eq!(markdown_code("a`b|c"), "a'b\\|c");
    }

    #[test]
    fn source_lines_keep_their_byte_length() {
        let line = "name: \"a\u{1b}b\u{202e}c\u{85}\"\n";
        let safe = source_line(line);
        assert_eq!(safe.len(), line.len());
        assert!(!safe.contains(|c: char| c != '\n' && is_unsafe(c)));
        assert_eq!(source_line("name: api\n"), "name: api\n");
    }
}
