//! Text from the account (user and group display names, descriptions, tags) can
//! hold terminal escape sequences, carriage returns or bidirectional controls
//! that would let a name repaint or reorder what a person reads. Every message,
//! resource and fix in a report goes through [`printable`]: such characters are
//! shown as visible `\u{..}` escapes instead.

use std::borrow::Cow;

/// A character that must not reach a terminal, a Markdown page or an annotation
/// as itself: C0 and C1 controls (tab and newline kept), DEL, and the Unicode
/// bidirectional and invisible formatting controls.
fn hidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// `s` with every hidden character written as `\u{XXXX}`.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if hidden(c) {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn escapes_terminal_and_bidi_controls_only() {
        assert_eq!(
            printable("\x1b[2J\x1b[32m✓ all good"),
            "\\u{001B}[2J\\u{001B}[32m✓ all good"
        );
        assert_eq!(
            printable("a\rb\u{202E}c\u{200F}"),
            "a\\u{000D}b\\u{202E}c\\u{200F}"
        );
        assert_eq!(
            printable("ünïcode — ok\tand\nlines"),
            "ünïcode — ok\tand\nlines"
        );
        assert!(matches!(printable("plain"), std::borrow::Cow::Borrowed(_)));
    }
}
