//! The human report, flutter-doctor style: one section per area, one line per
//! result, details only under problems (all of them with `verbose`), a summary
//! table and a closing line.

use crate::collect::{AreaTiming, Timings};
use comfy_table::{Attribute, Cell, Color, Table, modifiers, presets};
use owo_colors::OwoColorize;
use std::io::IsTerminal;
use studio_doctor_checks::path::AccessPath;
use studio_doctor_checks::run::{CheckResult, Report};
use studio_doctor_checks::{Area, Status};

/// Width used when the terminal's width is unknown and `COLUMNS` is unset.
pub const DEFAULT_WIDTH: usize = 100;

/// How to print. The caller decides (see [`HumanOptions::detect`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanOptions {
    /// ANSI colours and bold/dim.
    pub color: bool,
    /// Show the message of passing results too.
    pub verbose: bool,
    /// Unicode marks (✓ ✗ ! ⊘ ☠); ASCII ([ok] [x] [!] [-] [E]) otherwise.
    pub unicode: bool,
    /// Wrap prose at this many columns; 0 never wraps.
    pub width: usize,
}

impl HumanOptions {
    /// Options for printing to this process's stdout: colour only on a TTY and
    /// without `NO_COLOR` (or `TERM=dumb`); the terminal's width, else `COLUMNS`,
    /// else 100; Unicode unless `TERM=dumb` or the locale is not UTF-8.
    pub fn detect(verbose: bool) -> HumanOptions {
        let tty = std::io::stdout().is_terminal();
        // comfy-table asks the terminal, and only when stdout is one.
        let term_width = Table::new().width().map(usize::from);
        HumanOptions::from_env(verbose, tty, term_width, |k| std::env::var(k).ok())
    }

    fn from_env(
        verbose: bool,
        tty: bool,
        term_width: Option<usize>,
        env: impl Fn(&str) -> Option<String>,
    ) -> HumanOptions {
        let set = |k: &str| env(k).filter(|v| !v.is_empty());
        let dumb = set("TERM").is_some_and(|t| t == "dumb");
        let color = tty && !dumb && set("NO_COLOR").is_none();
        let width = term_width
            .filter(|w| *w > 0)
            .or_else(|| set("COLUMNS").and_then(|c| c.trim().parse().ok()))
            .unwrap_or(DEFAULT_WIDTH);
        // The locale that decides the character set: LC_ALL, then LC_CTYPE, then LANG.
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"].into_iter().find_map(set);
        let utf8 = match locale {
            Some(l) => {
                let l = l.to_ascii_lowercase();
                l.contains("utf-8") || l.contains("utf8")
            }
            None => cfg!(windows),
        };
        HumanOptions {
            color,
            verbose,
            unicode: utf8 && !dumb,
            width,
        }
    }
}

/// The whole report as text, ending with a newline. (The app always passes its
/// timings, so only the tests call this.)
#[cfg_attr(not(test), allow(dead_code))]
pub fn render(report: &Report, opts: &HumanOptions) -> String {
    render_with_timings(report, opts, None)
}

/// [`render`]; with `verbose`, each area's title also says how long reading AWS
/// took for it (`timings`: a live run's, none offline).
pub fn render_with_timings(
    report: &Report,
    opts: &HumanOptions,
    timings: Option<&Timings>,
) -> String {
    let p = Printer { opts };
    let mut out = String::new();
    p.header(&mut out, report);
    for area in Area::ALL {
        let results: Vec<&CheckResult> = report.results.iter().filter(|r| r.area == area).collect();
        if results.is_empty() {
            continue;
        }
        out.push('\n');
        out.push_str(&p.paint(area.title(), Paint::Bold));
        if let Some(t) = timings.and_then(|t| t.get(&area))
            && opts.verbose
        {
            out.push(' ');
            out.push_str(&p.paint(&read_time(t), Paint::Dim));
        }
        out.push('\n');
        for r in results {
            p.result(&mut out, r);
        }
    }
    out.push('\n');
    for path in &report.access_path {
        p.access_path(&mut out, path);
        out.push('\n');
    }
    for note in &report.notes {
        p.wrap(
            &mut out,
            "",
            0,
            2,
            &words(&format!("note: {note}"), Paint::Plain),
        );
        out.push('\n');
    }
    for line in waiver_lines(report) {
        p.wrap(&mut out, "", 0, 2, &words(&line, Paint::Plain));
        out.push('\n');
    }
    out.push_str(&p.summary_table(report));
    out.push('\n');
    out.push_str(&p.closing_line(report));
    out.push('\n');
    out
}

/// One line per waiver that expired or matched nothing.
fn waiver_lines(report: &Report) -> Vec<String> {
    let name = |w: &studio_doctor_checks::Waiver| match &w.resource {
        Some(glob) => format!("{} (resource {glob})", w.check),
        None => w.check.clone(),
    };
    let expired = report.waivers.expired.iter().map(|w| {
        let date = w.expires.map(|d| d.to_string()).unwrap_or_default();
        format!(
            "waiver: the waiver for {} expired on {date}: it no longer waives anything",
            name(w)
        )
    });
    let unmatched = report.waivers.unmatched.iter().map(|w| {
        format!(
            "waiver: the waiver for {} matched no finding: remove it if the problem is fixed",
            name(w)
        )
    });
    expired.chain(unmatched).collect()
}

/// `fail` and `warn`: the results that carry a fix.
fn is_problem(status: Status) -> bool {
    matches!(status, Status::Fail | Status::Warn)
}

/// The results counted as issues in the closing line.
fn is_issue(status: Status) -> bool {
    matches!(status, Status::Fail | Status::Warn | Status::Error)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Paint {
    Plain,
    Bold,
    Dim,
    /// The status colour.
    Status(Status),
    /// The status colour, bold (marks).
    Mark(Status),
}

struct Printer<'a> {
    opts: &'a HumanOptions,
}

impl Printer<'_> {
    fn paint(&self, text: &str, paint: Paint) -> String {
        if !self.opts.color {
            return text.to_string();
        }
        match paint {
            Paint::Plain => text.to_string(),
            Paint::Bold => text.bold().to_string(),
            Paint::Dim => text.dimmed().to_string(),
            Paint::Status(s) => status_color(text, s),
            Paint::Mark(s) => status_color(text, s).bold().to_string(),
        }
    }

    fn mark(&self, status: Status) -> &'static str {
        if self.opts.unicode {
            match status {
                Status::Pass => "✓",
                Status::Fail => "✗",
                Status::Warn => "!",
                Status::Skip => "⊘",
                Status::Error => "☠",
            }
        } else {
            match status {
                Status::Pass => "[ok]",
                Status::Fail => "[x]",
                Status::Warn => "[!]",
                Status::Skip => "[-]",
                Status::Error => "[E]",
            }
        }
    }

    /// Columns the mark takes: marks are padded to a common width.
    fn mark_width(&self) -> usize {
        if self.opts.unicode { 1 } else { 4 }
    }

    /// "Can alice query db.t?": the one-line path, then one line per hop.
    fn access_path(&self, out: &mut String, path: &AccessPath) {
        let verdict = match path.status {
            Status::Pass => "yes",
            Status::Fail => "no",
            _ => "not certain",
        };
        out.push_str(&self.paint(
            &format!(
                "Access path: can {} query {}? {verdict}",
                path.user, path.table
            ),
            Paint::Bold,
        ));
        out.push('\n');
        let arrow = if self.opts.unicode { "→" } else { "->" };
        // Keep each hop whole: wrap between hops only.
        let (mut current, mut visible) = (String::from("  "), 2);
        for (i, hop) in path.hops.iter().enumerate() {
            let mark = self.mark(hop.status);
            let lead = if i > 0 {
                format!("{arrow} ")
            } else {
                String::new()
            };
            let plain = format!("{lead}{mark} {}", hop.step).chars().count();
            let painted = format!(
                "{lead}{} {}",
                self.paint(mark, Paint::Mark(hop.status)),
                hop.step
            );
            if self.opts.width > 0 && i > 0 && visible + 1 + plain > self.opts.width {
                out.push_str(&current);
                out.push('\n');
                (current, visible) = (String::from("    "), 4);
            } else if i > 0 {
                current.push(' ');
                visible += 1;
            }
            current.push_str(&painted);
            visible += plain;
        }
        out.push_str(&current);
        out.push('\n');
        let unchecked: Vec<&str> = path
            .hops
            .iter()
            .filter(|h| h.checks.is_empty())
            .map(|h| h.step.as_str())
            .collect();
        for hop in path
            .hops
            .iter()
            .filter(|h| h.status != Status::Pass && !h.checks.is_empty())
        {
            let checks = if hop.problems.is_empty() {
                format!("skipped: see {}", hop.checks.join(", "))
            } else {
                format!("see {}", hop.problems.join(", "))
            };
            out.push_str(&format!(
                "    {} {}: {checks}\n",
                self.paint(self.mark(hop.status), Paint::Mark(hop.status)),
                hop.step
            ));
        }
        if !unchecked.is_empty() {
            out.push_str(&format!(
                "    {} not checked in this run (see --only/--skip): {}\n",
                self.paint(self.mark(Status::Skip), Paint::Mark(Status::Skip)),
                unchecked.join(", ")
            ));
        }
    }

    fn header(&self, out: &mut String, report: &Report) {
        let t = &report.target;
        let mut parts = vec![
            format!(
                "account {}",
                t.account_id
                    .as_deref()
                    .unwrap_or("unknown (could not read)")
            ),
            format!("region {}", t.region),
        ];
        if !t.users.is_empty() {
            let label = if t.users.len() == 1 { "user" } else { "users" };
            parts.push(format!("{label} {}", t.users.join(", ")));
        }
        if !t.tables.is_empty() {
            let label = if t.tables.len() == 1 {
                "table"
            } else {
                "tables"
            };
            parts.push(format!("{label} {}", t.tables.join(", ")));
        }
        if let Some(s) = &t.studio {
            parts.push(format!("studio {s}"));
        }
        if let Some(w) = &t.workgroup {
            parts.push(format!("workgroup {w}"));
        }
        let tool = format!("{} {}", report.tool.name, report.tool.version);
        let lead = format!("{} ", self.paint(&tool, Paint::Bold));
        let rest = words(&parts.join(", "), Paint::Plain);
        self.wrap(out, &lead, tool.chars().count() + 1, 2, &rest);
    }

    /// One result: its line, and the details it deserves.
    fn result(&self, out: &mut String, r: &CheckResult) {
        let mark = self.mark(r.status);
        let pad = " ".repeat(self.mark_width() - mark.chars().count());
        let lead = format!("  {}{pad} ", self.paint(mark, Paint::Mark(r.status)));
        let id_col = 2 + self.mark_width() + 1;
        let mut line = vec![(r.id.to_string(), Paint::Bold)];
        line.extend(words(r.title, Paint::Plain));
        let mut resource = words(&r.resource, Paint::Dim);
        if let Some((first, _)) = resource.first_mut() {
            // The dash stays with the resource when the line wraps.
            let dash = if self.opts.unicode { "—" } else { "-" };
            *first = format!("{dash} {first}");
        }
        line.extend(resource);
        if let Some(w) = &r.waived {
            line.extend(words(&format!("(waived: {})", w.reason), Paint::Dim));
        }
        // Continuation lines of the headline start under the title.
        self.wrap(out, &lead, id_col, id_col + r.id.len() + 1, &line);

        let details = match r.status {
            Status::Pass => self.opts.verbose,
            Status::Fail | Status::Warn | Status::Skip | Status::Error => true,
        };
        if !details {
            return;
        }
        let indent = " ".repeat(id_col);
        for para in r.message.lines().filter(|l| !l.trim().is_empty()) {
            self.wrap(out, &indent, id_col, id_col + 2, &words(para, Paint::Plain));
        }
        if !is_problem(r.status) {
            return;
        }
        let Some(fix) = &r.remediation else {
            return;
        };
        if !fix.summary.trim().is_empty() {
            let lead = format!("{indent}{} ", self.paint("fix:", Paint::Bold));
            self.wrap(
                out,
                &lead,
                id_col + 5,
                id_col + 5,
                &words(&fix.summary, Paint::Plain),
            );
        }
        // Commands are never wrapped, so they can be copied whole.
        for cmd in &fix.commands {
            let mut lines = cmd.lines();
            if let Some(first) = lines.next() {
                out.push_str(&format!(
                    "{indent}  {} {first}\n",
                    self.paint("$", Paint::Dim)
                ));
            }
            for rest in lines {
                out.push_str(rest);
                out.push('\n');
            }
        }
        for url in &fix.docs {
            out.push_str(&format!(
                "{indent}{} {url}\n",
                self.paint("docs:", Paint::Dim)
            ));
        }
    }

    fn summary_table(&self, report: &Report) -> String {
        let mut table = Table::new();
        if self.opts.unicode {
            table
                .load_preset(presets::UTF8_FULL_CONDENSED)
                .apply_modifier(modifiers::UTF8_ROUND_CORNERS);
        } else {
            table.load_preset(presets::ASCII_FULL_CONDENSED);
        }
        if self.opts.color {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        let color = self.opts.color;
        table.set_header(Status::ALL.map(|s| {
            let cell = Cell::new(s.as_str());
            if color {
                cell.fg(table_color(s)).add_attribute(Attribute::Bold)
            } else {
                cell
            }
        }));
        table.add_row(Status::ALL.map(|s| {
            let n = report.summary.get(s);
            let cell = Cell::new(n);
            if color && n > 0 && s != Status::Pass {
                cell.fg(table_color(s))
            } else {
                cell
            }
        }));
        let mut text = table.to_string();
        text.push('\n');
        text
    }

    fn closing_line(&self, report: &Report) -> String {
        let issues: Vec<&CheckResult> = report
            .results
            .iter()
            .filter(|r| is_issue(r.status) && r.waived.is_none())
            .collect();
        let waived = report.results.iter().filter(|r| r.waived.is_some()).count();
        let waived = if waived > 0 {
            format!(" ({waived} waived)")
        } else {
            String::new()
        };
        if issues.is_empty() {
            return self.paint(
                &format!("No issues found{waived}"),
                Paint::Status(Status::Pass),
            );
        }
        let mut areas: Vec<Area> = issues.iter().map(|r| r.area).collect();
        areas.sort();
        areas.dedup();
        let text = format!(
            "{} in {}{waived}",
            count(issues.len(), "issue"),
            count(areas.len(), "area")
        );
        let worst = if issues.iter().any(|r| r.status == Status::Fail) {
            Status::Fail
        } else if issues.iter().any(|r| r.status == Status::Error) {
            Status::Error
        } else {
            Status::Warn
        };
        self.paint(&text, Paint::Status(worst))
    }

    /// Lay `words` out after `lead` (already painted, `lead_width` columns wide),
    /// starting a new line indented by `indent` when the next word would pass the
    /// width. A word is never split, so a long ARN or URL may overflow.
    fn wrap(
        &self,
        out: &mut String,
        lead: &str,
        lead_width: usize,
        indent: usize,
        words: &[(String, Paint)],
    ) {
        let width = self.opts.width;
        let mut line = lead.to_string();
        let mut col = lead_width;
        let mut empty = true;
        for (word, paint) in words {
            let w = word.chars().count();
            if !empty && width > 0 && col + 1 + w > width {
                out.push_str(&line);
                out.push('\n');
                line = " ".repeat(indent);
                col = indent;
                empty = true;
            }
            if !empty {
                line.push(' ');
                col += 1;
            }
            line.push_str(&self.paint(word, *paint));
            col += w;
            empty = false;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

fn words(text: &str, paint: Paint) -> Vec<(String, Paint)> {
    text.split_whitespace()
        .map(|w| (w.to_string(), paint))
        .collect()
}

/// `(read in 1.2 s, 14 calls)`.
fn read_time(t: &AreaTiming) -> String {
    let ms = t.elapsed.as_millis();
    let time = if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{:.1} s", t.elapsed.as_secs_f64())
    };
    format!("(read in {time}, {})", count(t.calls, "call"))
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn status_color(text: &str, status: Status) -> String {
    match status {
        Status::Pass => text.green().to_string(),
        Status::Fail => text.red().to_string(),
        Status::Warn => text.yellow().to_string(),
        Status::Skip => text.blue().to_string(),
        Status::Error => text.magenta().to_string(),
    }
}

fn table_color(status: Status) -> Color {
    match status {
        Status::Pass => Color::Green,
        Status::Fail => Color::Red,
        Status::Warn => Color::Yellow,
        Status::Skip => Color::Blue,
        Status::Error => Color::Magenta,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testdata::{healthy, waived};
    use studio_doctor_checks::run::{ReportTarget, Summary, Tool};
    use studio_doctor_checks::{Remediation, Severity};

    const TRUST_CMD: &str = "aws iam update-assume-role-policy --role-name EMRStudio-UserRole --policy-document file://trust.json --region ap-northeast-1 --no-cli-pager";

    fn result(
        id: &'static str,
        area: Area,
        status: Status,
        message: &str,
        resource: &str,
    ) -> CheckResult {
        CheckResult {
            id,
            name: "some-check",
            area,
            title: "Some title",
            severity: Severity::Error,
            status,
            message: message.to_string(),
            resource: resource.to_string(),
            remediation: None,
            depends_on: vec![],
            scopes: vec![],
            waived: None,
        }
    }

    fn report(results: Vec<CheckResult>) -> Report {
        Report {
            schema_version: 1,
            tool: Tool {
                name: "studio-doctor",
                version: "0.1.0",
            },
            target: ReportTarget {
                account_id: Some("111122223333".into()),
                region: "ap-northeast-1".into(),
                studio: None,
                workgroup: None,
                users: vec!["alice".into()],
                tables: vec![],
            },
            summary: Summary::of(&results),
            notes: if results.iter().any(|r| {
                is_problem(r.status)
                    && studio_doctor_checks::run::ENTITLEMENT_CHECKS.contains(&r.id)
            }) {
                vec![studio_doctor_checks::run::ENTITLEMENT_NOTE.to_string()]
            } else {
                vec![]
            },
            results,
            access_path: vec![],
            waivers: Default::default(),
        }
    }

    /// One result of each status, over three areas.
    fn mixed() -> Report {
        let mut fail = result(
            "ES004",
            Area::EmrStudio,
            Status::Fail,
            "role EMRStudio-UserRole does not trust elasticmapreduce.amazonaws.com with sts:SetContext",
            "arn:aws:iam::111122223333:role/EMRStudio-UserRole",
        );
        fail.remediation = Some(Remediation {
            summary: "Add sts:AssumeRole and sts:SetContext for elasticmapreduce.amazonaws.com to the trust policy".into(),
            commands: vec![TRUST_CMD.into()],
            docs: vec!["https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-user-role.html".into()],
        });
        let mut warn = result(
            "ES006",
            Area::EmrStudio,
            Status::Warn,
            "service role EMRStudio-ServiceRole lacks athena:StartQueryExecution",
            "arn:aws:iam::111122223333:role/EMRStudio-ServiceRole",
        );
        warn.severity = Severity::Warning;
        warn.remediation = Some(Remediation {
            summary: "Allow the Athena query actions on the service role".into(),
            commands: vec![],
            docs: vec![],
        });
        report(vec![
            result(
                "ES001",
                Area::EmrStudio,
                Status::Pass,
                "Studio analytics uses IAM Identity Center authentication",
                "Studio analytics (es-1)",
            ),
            fail,
            warn,
            result(
                "ES005",
                Area::EmrStudio,
                Status::Skip,
                "skipped: prerequisite ES004 (studio-user-role-trust-set-context) failed for Studio analytics (es-1)",
                "Studio analytics (es-1)",
            ),
            result(
                "WG001",
                Area::AthenaWorkgroup,
                Status::Pass,
                "workgroup idc-wg is Identity Center enabled",
                "workgroup idc-wg",
            ),
            result(
                "AG001",
                Area::S3AccessGrants,
                Status::Error,
                "could not read the S3 Access Grants instance: AccessDenied on s3:GetAccessGrantsInstance",
                "region ap-northeast-1",
            ),
        ])
    }

    fn opts() -> HumanOptions {
        HumanOptions {
            color: false,
            verbose: false,
            unicode: true,
            width: 120,
        }
    }

    fn line_of<'a>(out: &'a str, needle: &str) -> &'a str {
        out.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{out}"))
    }

    #[test]
    fn each_status_gets_its_mark_before_the_id() {
        let out = render(&mixed(), &opts());
        assert!(
            line_of(&out, "ES001").starts_with("  ✓ ES001 Some title — Studio analytics (es-1)")
        );
        assert!(line_of(&out, "ES004 ").starts_with("  ✗ ES004 "));
        assert!(line_of(&out, "ES006 ").starts_with("  ! ES006 "));
        assert!(line_of(&out, "ES005 ").starts_with("  ⊘ ES005 "));
        assert!(line_of(&out, "AG001 ").starts_with("  ☠ AG001 "));
    }

    #[test]
    fn passing_results_collapse_to_one_line_unless_verbose() {
        let quiet = render(&mixed(), &opts());
        assert!(
            !quiet.contains("uses IAM Identity Center authentication"),
            "{quiet}"
        );
        assert!(!quiet.contains("is Identity Center enabled"), "{quiet}");
        let verbose = render(
            &mixed(),
            &HumanOptions {
                verbose: true,
                ..opts()
            },
        );
        assert!(
            verbose.contains("\n    Studio analytics uses IAM Identity Center authentication\n"),
            "{verbose}"
        );
        assert!(
            verbose.contains("\n    workgroup idc-wg is Identity Center enabled\n"),
            "{verbose}"
        );
    }

    #[test]
    fn failure_shows_message_fix_summary_dollar_commands_and_docs_in_order() {
        let out = render(&mixed(), &opts());
        let expected = format!(
            "  ✗ ES004 Some title — arn:aws:iam::111122223333:role/EMRStudio-UserRole\n\
             \x20   role EMRStudio-UserRole does not trust elasticmapreduce.amazonaws.com with sts:SetContext\n\
             \x20   fix: Add sts:AssumeRole and sts:SetContext for elasticmapreduce.amazonaws.com to the trust policy\n\
             \x20     $ {TRUST_CMD}\n\
             \x20   docs: https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-user-role.html\n"
        );
        assert!(out.contains(&expected), "{out}");
    }

    #[test]
    fn warning_shows_message_and_fix_without_commands() {
        let out = render(&mixed(), &opts());
        assert!(
            out.contains(
                "  ! ES006 Some title — arn:aws:iam::111122223333:role/EMRStudio-ServiceRole\n\
             \x20   service role EMRStudio-ServiceRole lacks athena:StartQueryExecution\n\
             \x20   fix: Allow the Athena query actions on the service role\n"
            ),
            "{out}"
        );
    }

    #[test]
    fn skip_and_error_show_their_reason_but_no_fix() {
        let out = render(&mixed(), &opts());
        assert!(out.contains("\n    skipped: prerequisite ES004 (studio-user-role-trust-set-context) failed for Studio analytics (es-1)\n"), "{out}");
        assert!(out.contains("\n    could not read the S3 Access Grants instance: AccessDenied on s3:GetAccessGrantsInstance\n"), "{out}");
        assert_eq!(out.matches("fix:").count(), 2, "{out}");
    }

    #[test]
    fn areas_appear_in_catalog_order_and_only_when_they_have_results() {
        let out = render(&mixed(), &opts());
        let pos = |t: &str| {
            out.find(&format!("\n{t}\n"))
                .unwrap_or_else(|| panic!("no {t} in\n{out}"))
        };
        assert!(pos("EMR Studio") < pos("Athena workgroup"));
        assert!(pos("Athena workgroup") < pos("S3 Access Grants"));
        assert!(!out.contains("IAM Identity Center\n"), "{out}");
        assert!(!out.contains("Lake Formation"), "{out}");
    }

    #[test]
    fn header_names_tool_account_region_and_targets() {
        let mut r = mixed();
        r.target.studio = Some("analytics".into());
        r.target.workgroup = Some("idc-wg".into());
        let out = render(&r, &opts());
        assert_eq!(
            out.lines().next().unwrap(),
            "studio-doctor 0.1.0 account 111122223333, region ap-northeast-1, user alice, studio analytics, workgroup idc-wg"
        );
        r.target.account_id = None;
        r.target.users.clear();
        let out = render(&r, &opts());
        assert!(out.starts_with("studio-doctor 0.1.0 account unknown (could not read), region ap-northeast-1, studio analytics"), "{out}");
    }

    #[test]
    fn closing_line_counts_fail_warn_and_error_and_their_areas() {
        let out = render(&mixed(), &opts());
        assert_eq!(out.lines().last().unwrap(), "3 issues in 2 areas");
        let one = report(vec![result(
            "WG001",
            Area::AthenaWorkgroup,
            Status::Warn,
            "m",
            "r",
        )]);
        assert_eq!(
            render(&one, &opts()).lines().last().unwrap(),
            "1 issue in 1 area"
        );
    }

    #[test]
    fn waived_results_are_marked_and_leave_the_issue_count() {
        let mut r = mixed();
        r.results[1].waived = waived("tracked in JIRA-12", None);
        r.waivers.unmatched.push(studio_doctor_checks::Waiver {
            check: "ES006".into(),
            resource: Some("arn:*".into()),
            reason: "old".into(),
            expires: None,
        });
        let out = render(&r, &opts());
        assert!(
            line_of(&out, "ES004 ").ends_with("EMRStudio-UserRole (waived: tracked in JIRA-12)"),
            "{out}"
        );
        assert!(
            out.contains("\n    fix: Add sts:AssumeRole"),
            "still shows the fix: {out}"
        );
        assert!(
            out.contains("waiver: the waiver for ES006 (resource arn:*) matched no finding"),
            "{out}"
        );
        assert_eq!(
            out.lines().last().unwrap(),
            "2 issues in 2 areas (1 waived)"
        );
    }

    #[test]
    fn closing_line_says_no_issues_when_only_passes_and_skips() {
        let r = report(vec![
            result("ES001", Area::EmrStudio, Status::Pass, "m", "r"),
            result(
                "ES005",
                Area::EmrStudio,
                Status::Skip,
                "skipped: nothing to check",
                "",
            ),
        ]);
        let out = render(&r, &opts());
        assert_eq!(out.lines().last().unwrap(), "No issues found");
        assert!(out.ends_with("No issues found\n"));
    }

    #[test]
    fn summary_table_shows_counts_per_status() {
        let out = render(
            &mixed(),
            &HumanOptions {
                unicode: false,
                ..opts()
            },
        );
        let header = line_of(&out, "pass");
        for s in ["pass", "fail", "warn", "skip", "error"] {
            assert!(header.contains(s), "{header}");
        }
        let counts: Vec<&str> = out
            .lines()
            .skip_while(|l| !l.contains("| pass"))
            .nth(2)
            .unwrap()
            .split('|')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        assert_eq!(counts, ["2", "1", "1", "1", "1"], "{out}");
    }

    #[test]
    fn entitlement_note_only_when_an_assignment_or_grant_check_fails_or_warns() {
        let note = "note: Identity Center user and group entitlement changes";
        for (status, shown) in [
            (Status::Fail, true),
            (Status::Warn, true),
            (Status::Pass, false),
            (Status::Skip, false),
            (Status::Error, false),
        ] {
            for id in studio_doctor_checks::run::ENTITLEMENT_CHECKS {
                let r = report(vec![result(id, Area::EmrStudio, status, "m", "r")]);
                assert_eq!(render(&r, &opts()).contains(note), shown, "{id} {status:?}");
            }
        }
        assert!(!render(&mixed(), &opts()).contains(note));
    }

    #[test]
    fn ascii_mode_uses_bracket_marks_and_prints_only_ascii() {
        let mut r = mixed();
        r.target.studio = Some("analytics".into());
        let out = render(
            &r,
            &HumanOptions {
                unicode: false,
                ..opts()
            },
        );
        assert!(out.is_ascii(), "{out}");
        assert!(line_of(&out, "ES001").starts_with("  [ok] ES001 Some title - Studio"));
        assert!(line_of(&out, "ES004 ").starts_with("  [x]  ES004 "));
        assert!(line_of(&out, "ES006 ").starts_with("  [!]  ES006 "));
        assert!(line_of(&out, "ES005 ").starts_with("  [-]  ES005 "));
        assert!(line_of(&out, "AG001 ").starts_with("  [E]  AG001 "));
        // Details line up under the id.
        assert!(
            out.contains(&format!("\n         $ {TRUST_CMD}\n")),
            "{out}"
        );
    }

    #[test]
    fn no_escape_codes_without_color_and_some_with_it() {
        let plain = render(
            &mixed(),
            &HumanOptions {
                verbose: true,
                ..opts()
            },
        );
        assert!(!plain.contains('\x1b'), "{plain}");
        let coloured = render(
            &mixed(),
            &HumanOptions {
                color: true,
                ..opts()
            },
        );
        assert!(coloured.contains("\x1b["), "{coloured}");
        // The mark of a failure is red (31), of a pass green (32).
        assert!(line_of(&coloured, "✗").contains("\x1b[31m"), "{coloured}");
        assert!(line_of(&coloured, "✓").contains("\x1b[32m"), "{coloured}");
    }

    #[test]
    fn colour_does_not_change_the_text_or_the_wrapping() {
        let narrow = HumanOptions {
            width: 50,
            verbose: true,
            ..opts()
        };
        let plain = render(&mixed(), &narrow);
        let coloured = render(
            &mixed(),
            &HumanOptions {
                color: true,
                ..narrow
            },
        );
        let without_table = |s: &str| {
            s.lines()
                .filter(|l| {
                    !l.contains('│') && !l.contains('─') && !l.contains('╭') && !l.contains('╰')
                })
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(without_table(&strip_ansi(&coloured)), without_table(&plain));
    }

    #[test]
    fn long_prose_wraps_to_width_with_hanging_indent_but_commands_stay_whole() {
        let out = render(
            &mixed(),
            &HumanOptions {
                width: 50,
                ..opts()
            },
        );
        for line in out.lines() {
            let long_word = line.split_whitespace().any(|w| w.chars().count() > 40);
            if !line.trim_start().starts_with('$') && !long_word {
                assert!(line.chars().count() <= 50, "too long: {line:?}\n{out}");
            }
        }
        // The command is on one line, whole.
        assert!(out.contains(&format!("      $ {TRUST_CMD}\n")), "{out}");
        // The message continues under itself, two columns in.
        assert!(out.contains(
            "    role EMRStudio-UserRole does not trust\n      elasticmapreduce.amazonaws.com with\n      sts:SetContext\n"
        ), "{out}");
        // The fix summary continues under its text, after "fix: ".
        assert!(out.contains("    fix: Add sts:AssumeRole and sts:SetContext for\n         elasticmapreduce.amazonaws.com to the\n         trust policy\n"), "{out}");
        // The headline continues under the title.
        assert!(out.contains("  ✗ ES004 Some title\n          — arn:aws:iam::111122223333:role/EMRStudio-UserRole\n"), "{out}");
    }

    #[test]
    fn zero_width_never_wraps() {
        let mut r = mixed();
        r.results[1].message = "word ".repeat(60);
        let out = render(&r, &HumanOptions { width: 0, ..opts() });
        assert!(
            out.contains(&format!("    {}\n", "word ".repeat(60).trim_end())),
            "{out}"
        );
    }

    #[test]
    fn report_from_the_healthy_example_gets_one_marked_line_per_result() {
        let r = healthy();
        assert!(!r.results.is_empty());
        let p = Printer { opts: &opts() };
        let out = render(&r, &HumanOptions { width: 0, ..opts() });
        for res in &r.results {
            let line = format!("  {} {} {}", p.mark(res.status), res.id, res.title);
            assert!(out.contains(&line), "{line:?} missing from\n{out}");
        }
        let issues = r.results.iter().filter(|x| is_issue(x.status)).count();
        assert_eq!(
            out.lines().last() == Some("No issues found"),
            issues == 0,
            "{out}"
        );
        // Every message shows in verbose mode.
        let verbose = render(
            &r,
            &HumanOptions {
                verbose: true,
                width: 0,
                ..opts()
            },
        );
        for res in &r.results {
            assert!(
                verbose.contains(res.message.trim()),
                "{}\n{verbose}",
                res.message
            );
        }
    }

    #[test]
    fn detect_turns_colour_off_without_a_tty_or_with_no_color() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let utf8 = &[("LANG", "en_US.UTF-8"), ("TERM", "xterm-256color")];
        assert!(HumanOptions::from_env(false, true, Some(120), env(utf8)).color);
        assert!(!HumanOptions::from_env(false, false, None, env(utf8)).color);
        let no_color = &[("LANG", "en_US.UTF-8"), ("NO_COLOR", "1")];
        assert!(!HumanOptions::from_env(false, true, Some(120), env(no_color)).color);
        // An empty NO_COLOR does not count (no-color.org).
        let empty = &[("LANG", "en_US.UTF-8"), ("NO_COLOR", "")];
        assert!(HumanOptions::from_env(false, true, Some(120), env(empty)).color);
    }

    #[test]
    fn detect_takes_terminal_width_then_columns_then_100() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let cols = &[("COLUMNS", "72")];
        assert_eq!(
            HumanOptions::from_env(false, true, Some(132), env(cols)).width,
            132
        );
        assert_eq!(
            HumanOptions::from_env(false, false, None, env(cols)).width,
            72
        );
        assert_eq!(
            HumanOptions::from_env(false, false, None, env(&[("COLUMNS", "wide")])).width,
            100
        );
        assert_eq!(
            HumanOptions::from_env(false, false, None, env(&[])).width,
            100
        );
    }

    #[test]
    fn detect_falls_back_to_ascii_on_dumb_terminals_and_non_utf8_locales() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(HumanOptions::from_env(false, true, None, env(&[("LANG", "ja_JP.utf8")])).unicode);
        assert!(!HumanOptions::from_env(false, true, None, env(&[("LANG", "C")])).unicode);
        // LC_ALL wins over LANG.
        assert!(
            !HumanOptions::from_env(
                false,
                true,
                None,
                env(&[("LC_ALL", "C"), ("LANG", "en_US.UTF-8")])
            )
            .unicode
        );
        let dumb = HumanOptions::from_env(
            true,
            true,
            None,
            env(&[("TERM", "dumb"), ("LANG", "en_US.UTF-8")]),
        );
        assert!(!dumb.unicode && !dumb.color && dumb.verbose);
    }

    fn strip_ansi(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }
}

#[cfg(test)]
mod timing_tests {
    use super::*;
    use std::time::Duration;
    use studio_doctor_checks::{Facts, registry};

    fn healthy_report() -> Report {
        let facts = Facts::from_json(include_str!("../../examples/healthy-account.json")).unwrap();
        let all: Vec<_> = registry::ALL.iter().collect();
        studio_doctor_checks::run(&facts, &all, "0.1.0")
    }

    fn options(verbose: bool, color: bool) -> HumanOptions {
        HumanOptions {
            color,
            verbose,
            unicode: true,
            width: 0,
        }
    }

    #[test]
    fn area_titles_show_read_times_only_in_verbose_live_runs() {
        let r = healthy_report();
        let timings = Timings::from([
            (
                Area::EmrStudio,
                AreaTiming {
                    elapsed: Duration::from_millis(1234),
                    calls: 14,
                },
            ),
            (
                Area::LakeFormation,
                AreaTiming {
                    elapsed: Duration::from_millis(340),
                    calls: 1,
                },
            ),
        ]);
        let verbose = render_with_timings(&r, &options(true, false), Some(&timings));
        assert!(
            verbose.contains("\nEMR Studio (read in 1.2 s, 14 calls)\n"),
            "{verbose}"
        );
        assert!(
            verbose.contains("\nLake Formation (read in 340 ms, 1 call)\n"),
            "{verbose}"
        );
        // An area that sent no call says nothing.
        assert!(verbose.contains("\nIAM Identity Center\n"), "{verbose}");
        assert_eq!(verbose.matches("(read in").count(), 2, "{verbose}");
        // Without -v, or offline (no timings): the report as before, byte for byte.
        for (verbose, timings) in [(false, Some(&timings)), (true, None), (false, None)] {
            let opts = options(verbose, false);
            let out = render_with_timings(&r, &opts, timings);
            assert!(!out.contains("read in"), "{out}");
            assert_eq!(out, render(&r, &opts));
        }
        // The suffix is dim, apart from the bold title.
        let coloured = render_with_timings(&r, &options(true, true), Some(&timings));
        assert!(
            coloured.contains(&format!(" {}\n", "(read in 1.2 s, 14 calls)".dimmed())),
            "{coloured}"
        );
    }
}
