//! Markdown (`--format markdown`), for a pull-request comment or
//! `$GITHUB_STEP_SUMMARY`: a headline, a table of status counts, a table of the
//! results that did not pass, then one collapsed `<details>` block per failure,
//! warning and unevaluated check with its message, fix, commands (in a `sh` block)
//! and doc links, the access path (one line per user and table), the waivers that
//! expired or matched nothing, and the notes. A waived finding keeps its status
//! and mark, says "(waived: reason)" and leaves the headline's issue count.
//!
//! Report text is escaped: Markdown punctuation is backslash-escaped in prose and
//! table cells (so `<USER_ROLE_NAME>` shows instead of vanishing as an HTML tag and
//! a `|` does not split a cell), HTML-escaped inside `<summary>` (raw HTML, where
//! backslashes would show), and commands sit in a fence longer than any run of
//! backticks they contain.

use studio_doctor_checks::path::AccessPath;
use studio_doctor_checks::{Area, Status};
use studio_doctor_checks::{CheckResult, Report};

/// The Markdown report, ending with a newline.
pub fn render(report: &Report) -> String {
    // A run over several targets: one section per target.
    if report.parts.len() > 1 {
        return report
            .parts
            .iter()
            .map(render)
            .collect::<Vec<_>>()
            .join("\n---\n\n");
    }
    let mut out = String::new();
    out.push_str(&format!(
        "### {} {}: {}\n\n",
        report.tool.name,
        escape(report.tool.version),
        headline(report)
    ));
    out.push_str(&escape(&target_line(report)));
    out.push_str("\n\n");
    out.push_str(&counts_table(report));
    let others: Vec<&CheckResult> = report
        .results
        .iter()
        .filter(|r| r.status != Status::Pass)
        .collect();
    if !others.is_empty() {
        out.push('\n');
        out.push_str("| | Check | Title | Resource |\n| --- | --- | --- | --- |\n");
        for r in others {
            let waived = r
                .waived
                .as_ref()
                .map(|w| format!(" {}", escape(&w.mark())))
                .unwrap_or_default();
            out.push_str(&format!(
                "| {} | {} | {} | {}{waived} |\n",
                mark(r.status),
                escape(r.id),
                escape(r.title),
                escape(&r.resource)
            ));
        }
    }
    for r in report
        .results
        .iter()
        .filter(|r| matches!(r.status, Status::Fail | Status::Warn | Status::Error))
    {
        out.push('\n');
        details(&mut out, r);
    }
    for path in &report.access_path {
        out.push('\n');
        out.push_str(&access_path(path));
        out.push('\n');
    }
    for notice in report.waivers.notices() {
        out.push_str(&format!("\n> **Waiver:** {}\n", escape(&notice.text)));
    }
    for note in &report.notes {
        out.push_str(&format!("\n> **Note:** {}\n", escape(note)));
    }
    out
}

/// The mark of a status (emoji, as GitHub renders them).
fn mark(status: Status) -> &'static str {
    match status {
        Status::Pass => "✅",
        Status::Fail => "❌",
        Status::Warn => "⚠️",
        Status::Skip => "⏭️",
        Status::Error => "☠️",
    }
}

/// Escape report text for Markdown prose or a table cell: ASCII punctuation that
/// can start emphasis, code, links, HTML, entities, headings or strikethrough, or
/// end a table cell, is backslash-escaped; newlines become `<br>`, so the text
/// stays on one source line.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.trim().lines().enumerate() {
        if i > 0 {
            out.push_str("<br>");
        }
        for c in line.trim().chars() {
            if matches!(
                c,
                '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '#' | '~'
            ) {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// `escape` for text that starts a line: a leading list marker ("- x", "+ x",
/// "1. x", "1) x") or heading underline ("=") is escaped too.
fn escape_line_start(text: &str) -> String {
    let out = escape(text);
    let digits = out.chars().take_while(char::is_ascii_digit).count();
    match out[digits..].chars().next() {
        Some('-' | '+' | '=') if digits == 0 => format!("\\{out}"),
        Some('.' | ')') if digits > 0 => format!("{}\\{}", &out[..digits], &out[digits..]),
        _ => out,
    }
}

/// Escape text for raw HTML (inside `<summary>`).
fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\n', " ")
}

/// "N issues in M areas" (fail, warn and error count, waived ones left out), or
/// "No issues found" (only when every check ran; else "No issues in the N checks
/// that ran"); then "(K waived)" if any, and the checks not evaluated.
fn headline(report: &Report) -> String {
    let base = issue_line(report);
    match report.summary.not_evaluated {
        0 => base,
        1 => format!("{base}; 1 check not evaluated"),
        n => format!("{base}; {n} checks not evaluated"),
    }
}

fn issue_line(report: &Report) -> String {
    let issues: Vec<&CheckResult> = report
        .results
        .iter()
        .filter(|r| matches!(r.status, Status::Fail | Status::Warn | Status::Error))
        .filter(|r| r.waived.is_none())
        .collect();
    let waived = report.waived_suffix();
    if issues.is_empty() {
        let skipped = report.summary.skip;
        if skipped == 0 {
            return format!("No issues found{waived}");
        }
        let ran = report.results.len() - skipped;
        let checks = if ran == 1 { "check" } else { "checks" };
        return format!("No issues in the {ran} {checks} that ran{waived}");
    }
    let areas = Area::ALL
        .iter()
        .filter(|a| issues.iter().any(|r| r.area == **a))
        .count();
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "{} in {}{waived}",
        plural(issues.len(), "issue", "issues"),
        plural(areas, "area", "areas")
    )
}

/// "Account …, region …, user …, studio …": what was checked.
fn target_line(report: &Report) -> String {
    let t = &report.target;
    let mut parts = vec![
        format!(
            "Account {}",
            t.account_id
                .as_deref()
                .unwrap_or("unknown (could not read)")
        ),
        format!("region {}", t.region),
    ];
    for u in &t.users {
        parts.push(format!("user {u}"));
    }
    for tb in &t.tables {
        parts.push(format!("table {tb}"));
    }
    if let Some(s) = &t.studio {
        parts.push(format!("studio {s}"));
    }
    if let Some(w) = &t.workgroup {
        parts.push(format!("workgroup {w}"));
    }
    parts.join(", ")
}

fn counts_table(report: &Report) -> String {
    let mut head = String::from("|");
    let mut rule = String::from("|");
    let mut row = String::from("|");
    for s in Status::ALL {
        head.push_str(&format!(" {} {} |", mark(s), s.as_str()));
        rule.push_str(" ---: |");
        row.push_str(&format!(" {} |", report.summary.get(s)));
    }
    format!("{head}\n{rule}\n{row}\n")
}

/// A fence for `body`: three backticks, or more than its longest run of them.
fn fence(body: &str) -> String {
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat((longest + 1).max(3))
}

/// One collapsed block: message, fix, commands, docs.
fn details(out: &mut String, r: &CheckResult) {
    let mut what = if r.resource.is_empty() {
        String::new()
    } else {
        format!(" — {}", escape_html(&r.resource))
    };
    if let Some(w) = &r.waived {
        what.push_str(&format!(" {}", escape_html(&w.mark())));
    }
    out.push_str(&format!(
        "<details>\n<summary>{} <b>{}</b> {}{what}</summary>\n\n",
        mark(r.status),
        escape_html(r.id),
        escape_html(r.title)
    ));
    if r.status == Status::Error {
        out.push_str("Could not evaluate: ");
    }
    out.push_str(&if r.status == Status::Error {
        escape(&r.message)
    } else {
        escape_line_start(&r.message)
    });
    out.push('\n');
    if let Some(fix) = &r.remediation {
        if !fix.summary.is_empty() {
            out.push_str(&format!("\n**Fix:** {}\n", escape(&fix.summary)));
        }
        if !fix.commands.is_empty() {
            let body = fix.commands.join("\n");
            let f = fence(&body);
            out.push_str(&format!("\n{f}sh\n{body}\n{f}\n"));
        }
        if !fix.docs.is_empty() {
            let links: Vec<String> = fix.docs.iter().map(|d| format!("<{d}>")).collect();
            out.push_str(&format!("\n**Docs:** {}\n", links.join(" · ")));
        }
    }
    out.push_str("\n</details>\n");
}

/// "**Access path:** can alice query db.t? **no** — ✅ alice → ❌ …".
fn access_path(path: &AccessPath) -> String {
    let verdict = match path.status {
        Status::Pass => "yes",
        Status::Fail => "no",
        _ => "not certain",
    };
    let hops: Vec<String> = path
        .hops
        .iter()
        .map(|h| format!("{} {}", mark(h.status), escape(&h.step)))
        .collect();
    format!(
        "**Access path:** can {} query {}? **{verdict}** — {}",
        escape(&path.user),
        escape(&path.table),
        hops.join(" → ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testdata::{demo, first, healthy, waived, waiver};

    #[test]
    fn demo_account_snapshot() {
        let text = render(&demo()).replace("studio-doctor 0.1.0", "studio-doctor [version]");
        insta::assert_snapshot!("demo-account-markdown", text);
    }

    #[test]
    fn healthy_account_says_no_issues_and_lists_no_findings() {
        let r = healthy();
        let text = render(&r);
        assert!(
            text.starts_with("### studio-doctor 0.1.0: No issues found\n\n"),
            "{text}"
        );
        assert!(!text.contains("<details>"), "{text}");
        assert!(text.contains(&format!(
            "| {} |",
            [r.summary.pass, 0, 0, r.summary.skip, 0]
                .map(|n| n.to_string())
                .join(" | ")
        )));
        assert!(text.contains("**Access path:** can alice query flightdata\\_db.flightdata? **yes** — ✅ alice → ✅ signs in to Studio \"analytics\""), "{text}");
    }

    #[test]
    fn every_finding_has_a_row_and_a_details_block_with_its_fix() {
        let r = demo();
        let text = render(&r);
        assert_eq!(
            text.matches("<details>").count(),
            r.summary.fail + r.summary.warn + r.summary.error
        );
        assert_eq!(
            text.matches("\n| ").count(),
            3 + 2 + r.results.len() - r.summary.pass,
            "counts: header, rule, row; others: header, rule, one row each\n{text}"
        );
        for x in r
            .results
            .iter()
            .filter(|x| matches!(x.status, Status::Fail | Status::Warn))
        {
            let summary = format!(
                "<summary>{} <b>{}</b> {} — {}</summary>",
                mark(x.status),
                x.id,
                escape_html(x.title),
                escape_html(&x.resource)
            );
            let start = text
                .find(&summary)
                .unwrap_or_else(|| panic!("{summary}\n{text}"));
            let block = &text[start..start + text[start..].find("</details>").unwrap()];
            assert!(block.contains(&escape_line_start(&x.message)), "{block}");
            let fix = x.remediation.as_ref().unwrap();
            assert!(
                block.contains(&format!("**Fix:** {}", escape(&fix.summary))),
                "{block}"
            );
            for cmd in &fix.commands {
                assert!(block.contains(&format!("\n{cmd}\n")), "{block}");
            }
            for d in &fix.docs {
                assert!(block.contains(&format!("<{d}>")), "{block}");
            }
        }
    }

    #[test]
    fn escape_neutralizes_markdown_and_html() {
        assert_eq!(
            escape("plain text, ARN arn:aws:iam::1:role/R"),
            "plain text, ARN arn:aws:iam::1:role/R"
        );
        assert_eq!(escape("a | b"), "a \\| b");
        assert_eq!(escape("<USER_ROLE_NAME>"), "\\<USER\\_ROLE\\_NAME\\>");
        assert_eq!(
            escape("*x* `y` [z](u) ~~s~~ & #1 ![i]"),
            "\\*x\\* \\`y\\` \\[z\\](u) \\~\\~s\\~\\~ \\& \\#1 !\\[i\\]"
        );
        assert_eq!(escape("back\\slash"), "back\\\\slash");
        assert_eq!(escape("line one\nline two"), "line one<br>line two");
        assert_eq!(escape("- inline"), "- inline");
        assert_eq!(escape_line_start("- not a list"), "\\- not a list");
        assert_eq!(escape_line_start("+ not a list"), "\\+ not a list");
        assert_eq!(escape_line_start("12. not a list"), "12\\. not a list");
        assert_eq!(escape_line_start("3) not a list"), "3\\) not a list");
        assert_eq!(escape_line_start("0.1.0 a - b 1. c"), "0\\.1.0 a - b 1. c");
        assert_eq!(escape_line_start("a - b 1. c"), "a - b 1. c");
        assert_eq!(escape_html("<b> & \"q\""), "&lt;b&gt; &amp; &quot;q&quot;");
    }

    #[test]
    fn hostile_text_stays_in_its_cell_block_and_fence() {
        let mut r = demo();
        let i = first(&r, Status::Fail);
        r.results[i].resource = "role | <script>".into();
        r.results[i].message = "line\n# heading\n</details>".into();
        let fix = r.results[i].remediation.as_mut().unwrap();
        fix.commands = vec!["echo '```'".into()];
        let text = render(&r);
        assert!(text.contains("| role \\| \\<script\\> |"), "{text}");
        assert!(text.contains("— role | &lt;script&gt;</summary>"), "{text}");
        assert!(
            text.contains("\nline<br>\\# heading<br>\\</details\\>\n"),
            "{text}"
        );
        assert!(text.contains("\n````sh\necho '```'\n````\n"), "{text}");
        assert_eq!(
            text.matches("</details>").count(),
            text.matches("<details>").count()
        );
    }

    #[test]
    fn unknown_account_and_notes_are_shown() {
        let mut r = healthy();
        r.target.account_id = None;
        r.notes.push("changes take time".into());
        let text = render(&r);
        assert!(
            text.contains("\nAccount unknown (could not read), region ap-northeast-1"),
            "{text}"
        );
        assert!(
            text.ends_with("\n> **Note:** changes take time\n"),
            "{text}"
        );
    }

    #[test]
    fn waived_findings_are_marked_and_waiver_problems_listed() {
        let mut r = demo();
        let i = first(&r, Status::Fail);
        r.results[i].waived = waived("see <TICKET-1>", None);
        let expired = studio_doctor_checks::Date::parse("2020-01-02");
        r.waivers.expired.push(waiver("ES006", expired));
        r.waivers.unmatched.push(waiver("ES006", None));
        let text = render(&r);
        let x = &r.results[i];
        assert!(
            text.contains(&format!(
                "| ❌ | {} | {} | {} (waived: see \\<TICKET-1\\>) |",
                x.id,
                escape(x.title),
                escape(&x.resource)
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                " — {} (waived: see &lt;TICKET-1&gt;)</summary>",
                escape_html(&x.resource)
            )),
            "{text}"
        );
        assert!(text.contains("\n> **Waiver:** the waiver for ES006 (resource arn:\\*) expired on 2020-01-02: it no longer waives anything\n"), "{text}");
        assert!(text.contains("\n> **Waiver:** the waiver for ES006 (resource arn:\\*) matched no finding: remove it if the problem is fixed\n"), "{text}");
        assert!(
            text.starts_with("### studio-doctor 0.1.0: 5 issues in 4 areas (1 waived)\n"),
            "{text}"
        );
    }

    #[test]
    fn headline_counts_issues_and_areas() {
        let mut r = healthy();
        assert_eq!(headline(&r), "No issues found");
        r.results[0].status = Status::Warn;
        assert_eq!(headline(&r), "1 issue in 1 area");
        let last = r.results.len() - 1;
        r.results[last].status = Status::Error;
        assert!(r.results[0].area != r.results[last].area);
        assert_eq!(headline(&r), "2 issues in 2 areas");
    }

    #[test]
    fn headline_is_no_full_pass_when_checks_did_not_run() {
        let mut r = healthy();
        r.results[0].status = Status::Skip;
        r.summary = studio_doctor_checks::report::Summary::of(&r.results);
        let ran = r.results.len() - 1;
        assert_eq!(
            headline(&r),
            format!("No issues in the {ran} checks that ran")
        );
        r.summary.not_evaluated = 1;
        assert!(headline(&r).ends_with("; 1 check not evaluated"));
    }
}
