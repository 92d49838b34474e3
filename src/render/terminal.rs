//! Text for a terminal: the check documentation's Markdown as plain wrapped text
//! (`explain`), and the catalog (`list`), both within a width.

use owo_colors::OwoColorize;
use studio_doctor_checks::{Area, Check};

/// Lay out `text` in lines of at most `width` columns (0: never wrap), the first
/// after `first` (already that many columns in), the rest indented by `indent`.
/// A word longer than the line (a URL, an ARN) stays whole on its own line.
pub fn wrap(text: &str, width: usize, first: usize, indent: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut col = first;
    for word in text.split_whitespace() {
        let w = word.chars().count();
        if !line.is_empty() && width > 0 && col + 1 + w > width {
            lines.push(std::mem::take(&mut line));
            col = indent;
        }
        if !line.is_empty() {
            line.push(' ');
            col += 1;
        }
        line.push_str(word);
        col += w;
    }
    lines.push(line);
    lines
}

/// A paragraph's parts: prose, or an AWS CLI command kept whole on its own line.
enum Part {
    Prose(String),
    Command(String),
}

/// Split at `code` spans: the backticks go; a span that is an `aws` command
/// becomes its own part (never wrapped, so it can be copied whole).
fn parts(text: &str) -> Vec<Part> {
    let mut out = Vec::new();
    let mut prose = String::new();
    for (i, piece) in text.split('`').enumerate() {
        let code = i % 2 == 1;
        // The full stop after a command would be a line of its own: drop it.
        let piece = if matches!(out.last(), Some(Part::Command(_))) && prose.is_empty() {
            piece.trim_start_matches(['.', ',', ';', ':'])
        } else {
            piece
        };
        if code && piece.trim_start().starts_with("aws ") && piece.contains(" --") {
            if !prose.trim().is_empty() {
                out.push(Part::Prose(std::mem::take(&mut prose)));
            }
            prose.clear();
            out.push(Part::Command(
                piece.split_whitespace().collect::<Vec<_>>().join(" "),
            ));
        } else {
            prose.push_str(piece);
        }
    }
    if !prose.trim().is_empty() {
        out.push(Part::Prose(prose));
    }
    out
}

/// `**bold**` as bold (with colour) or plain text.
fn emphasis(text: &str, color: bool) -> String {
    let mut out = String::new();
    for (i, piece) in text.split("**").enumerate() {
        if i % 2 == 1 && color {
            out.push_str(&piece.bold().to_string());
        } else {
            out.push_str(piece);
        }
    }
    out
}

/// Markdown paragraphs, headings (`# `) and list items (`- `, `1. `) as terminal
/// text within `width`: headings bold, `code` plain, commands on their own lines.
pub fn markdown(md: &str, width: usize, color: bool) -> String {
    // Blocks: a heading, a list item, or a paragraph (lines joined); each with
    // whether a blank line came before it.
    let mut blocks: Vec<(String, String, bool)> = Vec::new(); // (marker, text, gap)
    let mut gap = true;
    for line in md.lines() {
        let t = line.trim();
        if t.is_empty() {
            gap = true;
            continue;
        }
        let item = t
            .strip_prefix("- ")
            .map(|r| ("- ".to_string(), r))
            .or_else(|| {
                let (num, rest) = t.split_once(". ")?;
                num.chars()
                    .all(|c| c.is_ascii_digit())
                    .then(|| (format!("{num}. "), rest))
            });
        if let Some(h) = t.strip_prefix("# ") {
            blocks.push(("#".into(), h.to_string(), true));
            gap = true;
        } else if let Some((marker, rest)) = item {
            blocks.push((marker, rest.to_string(), gap));
            gap = false;
        } else if gap || blocks.is_empty() {
            blocks.push((String::new(), t.to_string(), true));
            gap = false;
        } else if let Some(last) = blocks.last_mut() {
            last.1.push(' ');
            last.1.push_str(t);
        }
    }
    let mut out = String::new();
    for (marker, text, gap) in blocks {
        if !out.is_empty() && gap {
            out.push('\n');
        }
        if marker == "#" {
            let text = text.replace('`', "");
            out.push_str(&if color { text.bold().to_string() } else { text });
            out.push('\n');
            continue;
        }
        let indent = marker.chars().count();
        let mut lead = marker.clone();
        for part in parts(&text) {
            match part {
                Part::Prose(p) => {
                    for (i, line) in wrap(&p, width, indent, indent).iter().enumerate() {
                        if i == 0 {
                            out.push_str(&lead);
                        } else {
                            out.push_str(&" ".repeat(indent));
                        }
                        out.push_str(&emphasis(line, color));
                        out.push('\n');
                    }
                }
                Part::Command(c) => {
                    if !lead.is_empty() {
                        out.push_str(&lead);
                        out.push('\n');
                    }
                    out.push_str(&format!("{}  $ {c}\n", " ".repeat(indent)));
                }
            }
            lead = " ".repeat(indent);
        }
    }
    out
}

/// `list`: the checks by area, each as `ID  severity  name` and its title
/// wrapped under it, so the catalog reads at any width.
pub fn catalog(checks: &[Check], width: usize, color: bool) -> String {
    let mut out = String::new();
    for area in Area::ALL {
        let mine: Vec<&Check> = checks.iter().filter(|c| c.meta.area == area).collect();
        if mine.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        let title = area.title();
        out.push_str(&if color {
            title.bold().to_string()
        } else {
            title.to_string()
        });
        out.push('\n');
        for c in mine {
            let m = c.meta;
            let severity = m.severity.to_string();
            out.push_str(&format!("  {}  {severity:<7}  {}\n", m.id, m.name));
            for line in wrap(m.title, width, 9, 9) {
                out.push_str(&format!("         {line}\n"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_words_whole_and_lines_within_width() {
        let lines = wrap("aaa bbb ccc ddd", 8, 0, 0);
        assert_eq!(wrap("aaa bbb ccc ddd", 8, 0, 2), ["aaa bbb", "ccc", "ddd"]);
        assert_eq!(lines, ["aaa bbb", "ccc ddd"]);
        assert_eq!(
            wrap("https://example.com/a/very/long/url x", 10, 0, 0)[0],
            "https://example.com/a/very/long/url"
        );
        assert_eq!(wrap("a b", 0, 0, 0), ["a b"]);
    }

    #[test]
    fn markdown_becomes_terminal_text() {
        let md = "# ES004 name\n\n**What it checks.** The `role` is\nchecked here.\n\n**How to fix.** Run\n`aws iam get-role --role-name\nX`.\n\n**References.**\n- https://a.example\n- https://b.example";
        let out = markdown(md, 50, false);
        assert_eq!(
            out,
            "ES004 name\n\nWhat it checks. The role is checked here.\n\nHow to fix. Run\n  $ aws iam get-role --role-name X\n\nReferences.\n- https://a.example\n- https://b.example\n"
        );
        assert!(!out.contains('`') && !out.contains("**"));
        let bold = markdown(md, 40, true);
        assert!(bold.contains(&"ES004 name".bold().to_string()), "{bold}");
    }
}
