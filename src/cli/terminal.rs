//! How wide the text reports are drawn: `COLUMNS` when set (what shells export, and how a
//! user asks for another width), else the width of the terminal standard output is, else
//! [`DEFAULT_WIDTH`] (a pipe, a file, CI logs).

use crate::report::human::DEFAULT_WIDTH;

/// The columns to draw in; `on_terminal` is whether the output goes to a terminal.
pub(super) fn width(on_terminal: bool) -> usize {
    let columns = std::env::var("COLUMNS").ok();
    let terminal = on_terminal
        .then(|| terminal_size::terminal_size().map(|(width, _)| usize::from(width.0)))
        .flatten();
    choose(columns.as_deref(), terminal)
}

/// `COLUMNS` (a positive number), else the terminal's width, else the default.
fn choose(columns: Option<&str>, terminal: Option<usize>) -> usize {
    columns
        .and_then(|text| text.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .or(terminal.filter(|&n| n > 0))
        .unwrap_or(DEFAULT_WIDTH)
}

#[cfg(test)]
mod tests {
    use super::choose;

    #[test]
    fn columns_wins_then_the_terminal_then_100() {
        assert_eq!(choose(Some("80"), Some(120)), 80);
        assert_eq!(choose(None, Some(120)), 120);
        assert_eq!(choose(None, None), 100);
        assert_eq!(choose(Some("wide"), Some(132)), 132);
        assert_eq!(choose(Some("0"), None), 100);
    }
}
