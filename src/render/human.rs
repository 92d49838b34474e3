//! The human report, flutter-doctor style: one section per area, one line per
//! result, details only under problems (all of them with `verbose`), a summary
//! table and a closing line.

use crate::timing::{AreaTiming, Timings};
use comfy_table::{Attribute, Cell, Color, Table, modifiers, presets};
use owo_colors::OwoColorize;
use std::io::IsTerminal;
use studio_doctor_checks::path::AccessPath;
use studio_doctor_checks::report::{self, CheckResult, Report};
use studio_doctor_checks::{Area, Status};

/// Width used when the terminal's width is unknown and `COLUMNS` is unset.
pub const DEFAULT_WIDTH: usize = 80;

/// `presets::ASCII_FULL_CONDENSED` with `+` where the header rule meets a column
/// line (the preset leaves `=` there, so the columns lose their junctions).
const ASCII_TABLE: &str = "||--+=++|    ++++++";

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
    /// else 80; Unicode unless `TERM=dumb` or the locale is not UTF-8.
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

/// A run over several targets: each target's report under a line naming it,
/// then one line for the whole run.
fn render_targets(report: &Report, opts: &HumanOptions) -> String {
    let mut out = String::new();
    for part in &report.parts {
        out.push_str(&format!(
            "=== account {}, region {} ===\n",
            part.target.account_id.as_deref().unwrap_or("(unknown)"),
            part.target.region
        ));
        out.push_str(&render_with_timings(part, opts, None));
        out.push('\n');
    }
    let s = &report.summary;
    out.push_str(&format!(
        "{} targets: {} pass, {} fail, {} warn, {} skip, {} error{}\n",
        report.parts.len(),
        s.pass,
        s.fail,
        s.warn,
        s.skip,
        s.error,
        report.waived_suffix()
    ));
    out
}

/// [`render`]; with `verbose`, each area's title also says how long reading AWS
/// took for it (`timings`: a live run's, none offline).
///
/// The order is what a person needs first: the problems, worst first (failed,
/// could not be evaluated, warnings), each with its fix and, in one line, the
/// checks it kept from running; then one line per passing check by area; the
/// checks that had nothing to look at; the access path; the summary.
pub fn render_with_timings(
    report: &Report,
    opts: &HumanOptions,
    timings: Option<&Timings>,
) -> String {
    if report.parts.len() > 1 {
        return render_targets(report, opts);
    }
    let p = Printer { opts };
    let mut out = String::new();
    p.header(&mut out, report);
    let results = &report.results;
    let problems: Vec<&CheckResult> = [Status::Fail, Status::Error, Status::Warn]
        .into_iter()
        .flat_map(|st| {
            let unwaived = results
                .iter()
                .filter(move |r| r.status == st && r.waived.is_none());
            let waived = results
                .iter()
                .filter(move |r| r.status == st && r.waived.is_some());
            unwaived.chain(waived)
        })
        .collect();
    // Each root cause's dependants go under its first result.
    let mut placed: Vec<&str> = Vec::new();
    for (heading, st) in [
        ("Failed", Status::Fail),
        ("Could not be evaluated", Status::Error),
        ("Warnings", Status::Warn),
    ] {
        let mine: Vec<&&CheckResult> = problems.iter().filter(|r| r.status == st).collect();
        if mine.is_empty() {
            continue;
        }
        out.push('\n');
        out.push_str(&p.paint(&format!("{heading} ({})", mine.len()), Paint::Bold));
        out.push('\n');
        for r in mine {
            p.result(&mut out, r);
            if placed.contains(&r.id) {
                continue;
            }
            placed.push(r.id);
            let dependants: Vec<&CheckResult> = results
                .iter()
                .filter(|d| d.status == Status::Skip && d.blocked_by == Some(r.id))
                .collect();
            p.dependants(&mut out, &dependants);
        }
    }
    for area in Area::ALL {
        let passes: Vec<&CheckResult> = results
            .iter()
            .filter(|r| r.area == area && r.status == Status::Pass)
            .collect();
        let timing = timings.and_then(|t| t.get(&area)).filter(|_| opts.verbose);
        if passes.is_empty() && timing.is_none() {
            continue;
        }
        out.push('\n');
        let heading = if passes.is_empty() {
            area.title().to_string()
        } else {
            format!("{} passed", area.title())
        };
        out.push_str(&p.paint(&heading, Paint::Bold));
        if let Some(t) = timing {
            out.push(' ');
            out.push_str(&p.paint(&read_time(t), Paint::Dim));
        }
        out.push('\n');
        for r in passes {
            p.pass_line(&mut out, r);
        }
    }
    let not_run: Vec<&CheckResult> = results
        .iter()
        .filter(|r| {
            r.status == Status::Skip && r.blocked_by.is_none_or(|root| !placed.contains(&root))
        })
        .collect();
    if !not_run.is_empty() {
        out.push('\n');
        out.push_str(&p.paint("Not run", Paint::Bold));
        out.push('\n');
        p.not_run(&mut out, &not_run);
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
    for notice in report.waivers.notices() {
        let line = format!("waiver: {}", notice.text);
        p.wrap(&mut out, "", 0, 2, &words(&line, Paint::Plain));
        out.push('\n');
    }
    out.push_str(&p.summary_table(report));
    out.push('\n');
    out.push_str(&p.closing_line(report));
    out.push('\n');
    if let Some(line) = did_not_run_line(report) {
        p.wrap(&mut out, "", 0, 0, &words(&line, Paint::Plain));
    }
    out
}

/// Why the skipped checks did not run, for the last line of the report: those
/// behind a root cause that does not fail the run (waived, below `--fail-on`,
/// or not evaluable) and those that had nothing to look at.
fn did_not_run_line(report: &Report) -> Option<String> {
    let mut parts = Vec::new();
    let n = report.summary.not_evaluated;
    if n > 0 {
        let mut roots: Vec<String> = Vec::new();
        let not_evaluated = report
            .results
            .iter()
            .filter(|r| report::is_not_evaluated(r, &report.results, report.fail_on));
        for r in not_evaluated {
            let Some(root) = r.blocked_by else { continue };
            let of_root: Vec<&CheckResult> =
                report.results.iter().filter(|x| x.id == root).collect();
            let why = if of_root.iter().any(|x| x.waived.is_some()) {
                "waived"
            } else if of_root.iter().any(|x| x.status == Status::Error) {
                "could not be evaluated"
            } else {
                "below --fail-on"
            };
            let text = format!("{root} {why}");
            if !roots.contains(&text) {
                roots.push(text);
            }
        }
        parts.push(format!(
            "{} not evaluated because a prerequisite failed and does not fail the run ({})",
            count(n, "check"),
            roots.join(", ")
        ));
    }
    let mut flags: Vec<&str> = Vec::new();
    let mut nothing = 0;
    for r in &report.results {
        if r.status == Status::Skip && r.blocked_by.is_none() {
            nothing += 1;
            for f in &r.needs {
                if !flags.contains(f) {
                    flags.push(f);
                }
            }
        }
    }
    if nothing > 0 {
        let why = if flags.is_empty() {
            "nothing to check".to_string()
        } else {
            format!("nothing to check without {}", flags.join(" and "))
        };
        parts.push(format!("{} not run: {why}", count(nothing, "check")));
    }
    (!parts.is_empty()).then(|| format!("{}.", parts.join("; ")))
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
        // Under each hop that is not proven: only the checks that failed, warned,
        // errored or did not run.
        for hop in path
            .hops
            .iter()
            .filter(|h| h.status != Status::Pass && !h.checks.is_empty())
        {
            let mut why = Vec::new();
            if !hop.problems.is_empty() {
                why.push(format!("see {}", hop.problems.join(", ")));
            }
            if !hop.skipped.is_empty() {
                why.push(format!("not run: {}", hop.skipped.join(", ")));
            }
            if !hop.left_out.is_empty() {
                why.push(format!(
                    "not in this run (--only/--skip): {}",
                    hop.left_out.join(", ")
                ));
            }
            let lead = format!(
                "    {} ",
                self.paint(self.mark(hop.status), Paint::Mark(hop.status))
            );
            let col = 5 + self.mark(hop.status).chars().count();
            let text = format!("{}: {}", hop.step, why.join("; "));
            self.wrap(out, &lead, col, col + 2, &words(&text, Paint::Plain));
        }
        if !unchecked.is_empty() {
            let lead = format!(
                "    {} ",
                self.paint(self.mark(Status::Skip), Paint::Mark(Status::Skip))
            );
            let col = 5 + self.mark(Status::Skip).chars().count();
            let text = format!(
                "not checked in this run (see --only/--skip): {}",
                unchecked.join(", ")
            );
            self.wrap(out, &lead, col, col + 2, &words(&text, Paint::Plain));
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
        // The version on its own line: "0.1.0 account 1111..." reads as one thing.
        let tool = format!("{} {}", report.tool.name, report.tool.version);
        out.push_str(&self.paint(&tool, Paint::Bold));
        out.push('\n');
        let rest = words(&parts.join(", "), Paint::Plain);
        self.wrap(out, "", 0, 2, &rest);
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
            line.extend(words(&w.mark(), Paint::Dim));
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
            table.load_preset(ASCII_TABLE);
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
        let waived = report.waived_suffix();
        if issues.is_empty() {
            let skipped = report.summary.skip;
            let text = if skipped == 0 {
                format!("No issues found{waived}")
            } else {
                let ran = report.results.len() - skipped;
                format!("No issues in the {} that ran{waived}", count(ran, "check"))
            };
            return self.paint(&text, Paint::Status(Status::Pass));
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

    /// The checks a problem kept from running: one line (`-v`: one per check).
    fn dependants(&self, out: &mut String, deps: &[&CheckResult]) {
        if deps.is_empty() {
            return;
        }
        let id_col = 2 + self.mark_width() + 1;
        let indent = " ".repeat(id_col);
        let mark = self.paint(self.mark(Status::Skip), Paint::Mark(Status::Skip));
        if self.opts.verbose {
            let col = id_col + self.mark_width() + 1;
            for d in deps {
                let lead = format!("{indent}{mark} ");
                let mut line = vec![(d.id.to_string(), Paint::Bold)];
                line.extend(words(d.title, Paint::Plain));
                self.wrap(out, &lead, col, col + d.id.len() + 1, &line);
                let why = d.message.strip_prefix("skipped: ").unwrap_or(&d.message);
                let inner = " ".repeat(col);
                self.wrap(out, &inner, col, col + 2, &words(why, Paint::Dim));
            }
            return;
        }
        let mut ids: Vec<&str> = deps.iter().map(|d| d.id).collect();
        ids.dedup();
        let n = ids.len();
        let text = format!(
            "{} not run because of this: {} (-v for details)",
            count(n, "dependent check"),
            ids.join(" ")
        );
        let lead = format!("{indent}{mark} ");
        let col = id_col + self.mark_width() + 1;
        self.wrap(out, &lead, col, col, &words(&text, Paint::Dim));
    }

    /// A passing check: one line; the resource is shortened to fit, never the
    /// title (a title too long for the width wraps). `-v` adds the message.
    fn pass_line(&self, out: &mut String, r: &CheckResult) {
        let mark = self.mark(r.status);
        let pad = " ".repeat(self.mark_width() - mark.chars().count());
        let lead = format!("  {}{pad} ", self.paint(mark, Paint::Mark(r.status)));
        let id_col = 2 + self.mark_width() + 1;
        let mut line = vec![(r.id.to_string(), Paint::Bold)];
        line.extend(words(r.title, Paint::Plain));
        let used = id_col + r.id.len() + 1 + r.title.chars().count();
        let dash = if self.opts.unicode { "—" } else { "-" };
        let room = if self.opts.width == 0 {
            usize::MAX
        } else {
            self.opts.width.saturating_sub(used + 3)
        };
        if !r.resource.is_empty()
            && let Some(short) = shorten(&r.resource, room, self.opts.unicode)
        {
            line.push((dash.to_string(), Paint::Dim));
            line.push((short, Paint::Dim));
        }
        self.wrap(out, &lead, id_col, id_col + r.id.len() + 1, &line);
        if self.opts.verbose {
            let indent = " ".repeat(id_col);
            for para in r.message.lines().filter(|l| !l.trim().is_empty()) {
                self.wrap(out, &indent, id_col, id_col + 2, &words(para, Paint::Plain));
            }
        }
    }

    /// Checks that did not run for want of a target (or a root cause shown
    /// elsewhere): grouped by reason, one line each (`-v`: one per check).
    fn not_run(&self, out: &mut String, skips: &[&CheckResult]) {
        let mut groups: Vec<(String, Vec<&CheckResult>)> = Vec::new();
        for r in skips {
            let why = if !r.needs.is_empty() {
                format!("needs {}", r.needs.join(" and "))
            } else if let Some(root) = r.blocked_by {
                format!("prerequisite {root} did not pass")
            } else {
                "nothing to check".to_string()
            };
            match groups.iter_mut().find(|(w, _)| *w == why) {
                Some((_, list)) => list.push(r),
                None => groups.push((why, vec![r])),
            }
        }
        let mark = self.paint(self.mark(Status::Skip), Paint::Mark(Status::Skip));
        let col = 2 + self.mark_width() + 1;
        for (why, list) in groups {
            let lead = format!("  {mark}{} ", " ".repeat(self.mark_width() - 1));
            if self.opts.verbose {
                self.wrap(
                    out,
                    &lead,
                    col,
                    col,
                    &words(&format!("{why}:"), Paint::Plain),
                );
                for r in list {
                    let mut line = vec![(r.id.to_string(), Paint::Bold)];
                    line.extend(words(r.title, Paint::Plain));
                    let indent = " ".repeat(col);
                    self.wrap(out, &indent, col, col + r.id.len() + 1, &line);
                }
                continue;
            }
            let mut ids: Vec<&str> = list.iter().map(|r| r.id).collect();
            ids.dedup();
            self.wrap(
                out,
                &lead,
                col,
                col,
                &words(&format!("{why}: {}", ids.join(" ")), Paint::Plain),
            );
        }
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

/// `text` in at most `room` columns, or none when no useful part fits: an ARN
/// keeps its name (after the last `/`), a label drops its parenthesis
/// (`Studio "analytics" (es-...)`) or keeps its start.
fn shorten(text: &str, room: usize, unicode: bool) -> Option<String> {
    let fits = |t: &str| t.chars().count() <= room;
    if fits(text) {
        return Some(text.to_string());
    }
    let ellipsis = if unicode { "…" } else { "..." };
    if text.starts_with("arn:") {
        let name = text.rsplit(['/', ':']).next().unwrap_or("");
        let short = format!("{ellipsis}/{name}");
        return (!name.is_empty() && fits(&short)).then_some(short);
    }
    if let Some((label, _)) = text.split_once(" (")
        && fits(label)
    {
        return Some(label.to_string());
    }
    let keep = room.checked_sub(ellipsis.chars().count())?;
    (keep >= 16).then(|| format!("{}{ellipsis}", text.chars().take(keep).collect::<String>()))
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
    use studio_doctor_checks::report::{ReportTarget, Summary, Tool};
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
            blocked_by: None,
            needs: vec![],
            scopes: vec![],
            waived: None,
            account_id: Some("111122223333".into()),
            region: "ap-northeast-1".into(),
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
                is_problem(r.status) && studio_doctor_checks::registry::is_entitlement(r.id)
            }) {
                vec![studio_doctor_checks::run::ENTITLEMENT_NOTE.to_string()]
            } else {
                vec![]
            },
            results,
            targets: vec![],
            parts: vec![],
            access_path: vec![],
            waivers: Default::default(),
            fail_on: Default::default(),
        }
    }

    #[test]
    fn the_last_line_names_only_the_root_causes_that_leave_checks_not_evaluated() {
        let dep = |id, root| CheckResult {
            blocked_by: Some(root),
            ..result(id, Area::EmrStudio, Status::Skip, "skipped", "")
        };
        let mut waived_root = result("AG001", Area::S3AccessGrants, Status::Fail, "m", "r");
        waived_root.waived = waived("later", None);
        let mut r = report(vec![
            result("ES001", Area::EmrStudio, Status::Fail, "m", "r"),
            dep("ES002", "ES001"),
            waived_root,
            dep("AG002", "AG001"),
        ]);
        r.summary.not_evaluated = 1;
        let out = render(&r, &opts());
        let last = out.lines().last().unwrap();
        assert!(
            last.starts_with("1 check not evaluated") && last.contains("AG001 waived"),
            "{last}"
        );
        assert!(!last.contains("ES001"), "{last}");
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
            ..Remediation::default()
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
            ..Remediation::default()
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
            CheckResult {
                blocked_by: Some("ES004"),
                ..result(
                    "ES005",
                    Area::EmrStudio,
                    Status::Skip,
                    "skipped: prerequisite ES004 (studio-user-role-trust-set-context) failed for Studio analytics (es-1)",
                    "Studio analytics (es-1)",
                )
            },
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
        assert!(line_of(&out, "AG001 ").starts_with("  ☠ AG001 "));
        // A dependant that did not run sits under its root cause, one line.
        assert_eq!(
            line_of(&out, "ES005"),
            "    ⊘ 1 dependent check not run because of this: ES005 (-v for details)"
        );
        let verbose = render(
            &mixed(),
            &HumanOptions {
                verbose: true,
                ..opts()
            },
        );
        assert_eq!(line_of(&verbose, "ES005 "), "    ⊘ ES005 Some title");
    }

    #[test]
    fn dependants_group_under_their_root_cause_in_one_line() {
        let mut results = mixed().results;
        for id in ["ES002", "ES003", "ES008", "ES009"] {
            results.push(CheckResult {
                blocked_by: Some("ES004"),
                ..result(
                    id,
                    Area::EmrStudio,
                    Status::Skip,
                    "skipped: prerequisite",
                    "",
                )
            });
        }
        let out = render(&report(results), &opts());
        assert_eq!(out.matches('⊘').count(), 1, "{out}");
        assert!(
            out.contains(
                "5 dependent checks not run because of this: ES005 ES002 ES003 ES008 ES009"
            ),
            "{out}"
        );
        assert!(!out.contains("skipped: prerequisite"), "{out}");
    }

    #[test]
    fn worst_findings_come_first_then_passes_by_area() {
        let out = render(&mixed(), &opts());
        let pos = |t: &str| out.find(t).unwrap_or_else(|| panic!("no {t} in\n{out}"));
        assert!(pos("\nFailed (1)\n") < pos("\nCould not be evaluated (1)\n"));
        assert!(pos("\nCould not be evaluated (1)\n") < pos("\nWarnings (1)\n"));
        assert!(pos("\nWarnings (1)\n") < pos("\nEMR Studio passed\n"));
        assert!(pos("\nEMR Studio passed\n") < pos("\nAthena workgroup passed\n"));
        assert!(pos("Athena workgroup passed") < pos("╭"), "summary last");
    }

    #[test]
    fn passing_lines_fit_the_width_by_shortening_the_resource_not_the_title() {
        let mut pass = result(
            "LF005",
            Area::LakeFormation,
            Status::Pass,
            "m",
            "arn:aws:iam::111122223333:role/aws-service-role/lakeformation.amazonaws.com/AWSServiceRoleForLakeFormationDataAccess",
        );
        pass.title = "The Lake Formation location role is a custom role";
        let at = |width| {
            render(
                &report(vec![pass.clone()]),
                &HumanOptions { width, ..opts() },
            )
        };
        let out = at(80);
        let line = line_of(&out, "LF005");
        assert_eq!(
            line, "  ✓ LF005 The Lake Formation location role is a custom role",
            "no room: no resource"
        );
        let out = at(110);
        let line = line_of(&out, "LF005");
        assert!(line.chars().count() <= 110, "{line}");
        assert!(
            line.ends_with("The Lake Formation location role is a custom role — …/AWSServiceRoleForLakeFormationDataAccess"),
            "{line}"
        );
        assert_eq!(
            shorten("Studio \"analytics\" (es-1234567890)", 20, true).unwrap(),
            "Studio \"analytics\""
        );
        assert_eq!(shorten("workgroup \"idc-wg\"", 10, true), None);
        assert_eq!(
            shorten("a long label without parts", 20, false).unwrap(),
            "a long label with..."
        );
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
        let out = render(
            &mixed(),
            &HumanOptions {
                verbose: true,
                ..opts()
            },
        );
        assert!(out.contains("\n      prerequisite ES004 (studio-user-role-trust-set-context) failed for Studio analytics (es-1)\n"), "{out}");
        assert!(out.contains("\n    could not read the S3 Access Grants instance: AccessDenied on s3:GetAccessGrantsInstance\n"), "{out}");
        assert_eq!(out.matches("fix:").count(), 2, "{out}");
    }

    #[test]
    fn areas_of_passes_appear_in_catalog_order_and_only_when_they_have_passes() {
        let out = render(&mixed(), &opts());
        assert!(!out.contains("IAM Identity Center"), "{out}");
        assert!(!out.contains("Lake Formation"), "{out}");
        assert!(!out.contains("S3 Access Grants passed"), "{out}");
    }

    #[test]
    fn header_names_tool_account_region_and_targets() {
        let mut r = mixed();
        r.target.studio = Some("analytics".into());
        r.target.workgroup = Some("idc-wg".into());
        let out = render(&r, &opts());
        assert!(
            out.starts_with("studio-doctor 0.1.0\naccount 111122223333, region ap-northeast-1, user alice, studio analytics, workgroup idc-wg\n"),
            "{out}"
        );
        r.target.account_id = None;
        r.target.users.clear();
        let out = render(&r, &opts());
        assert!(out.starts_with("studio-doctor 0.1.0\naccount unknown (could not read), region ap-northeast-1, studio analytics"), "{out}");
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
            errors: false,
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
        assert_eq!(
            out.lines().last().unwrap(),
            "1 check not run: nothing to check."
        );
        assert!(
            out.contains("\nNo issues in the 1 check that ran\n"),
            "{out}"
        );
        let all = report(vec![result(
            "ES001",
            Area::EmrStudio,
            Status::Pass,
            "m",
            "r",
        )]);
        assert!(render(&all, &opts()).ends_with("\nNo issues found\n"));
    }

    #[test]
    fn the_last_line_names_the_flags_skipped_checks_need() {
        let mut r = report(vec![
            result("ES001", Area::EmrStudio, Status::Pass, "m", "r"),
            CheckResult {
                needs: vec!["--user"],
                ..result(
                    "IC003",
                    Area::IdentityCenter,
                    Status::Skip,
                    "skipped: nothing to check (needs --user)",
                    "",
                )
            },
            CheckResult {
                needs: vec!["--user", "--table"],
                ..result(
                    "LF002",
                    Area::LakeFormation,
                    Status::Skip,
                    "skipped: nothing to check (needs --user and --table)",
                    "",
                )
            },
        ]);
        r.summary = Summary::of(&r.results);
        let out = render(&r, &opts());
        assert!(
            out.contains(
                "\nNot run\n  ⊘ needs --user: IC003\n  ⊘ needs --user and --table: LF002\n"
            ),
            "{out}"
        );
        assert_eq!(
            out.lines().last().unwrap(),
            "2 checks not run: nothing to check without --user and --table."
        );
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
        let header = line_of(&out, "| pass");
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
            let entitlement = studio_doctor_checks::registry::ALL
                .iter()
                .filter(|c| c.meta.entitlement);
            for id in entitlement.map(|c| c.meta.id) {
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
        assert!(line_of(&out, "ES005").starts_with("       [-] 1 dependent check"));
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
    fn detect_takes_terminal_width_then_columns_then_80() {
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
            80
        );
        assert_eq!(
            HumanOptions::from_env(false, false, None, env(&[])).width,
            80
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
    fn an_area_without_passes_shows_its_read_time_without_saying_passed() {
        let mut r = healthy_report();
        for x in r.results.iter_mut().filter(|x| x.area == Area::EmrStudio) {
            x.status = Status::Fail;
        }
        let timings = Timings::from([(
            Area::EmrStudio,
            AreaTiming {
                elapsed: Duration::from_millis(20),
                calls: 2,
            },
        )]);
        let out = render_with_timings(&r, &options(true, false), Some(&timings));
        assert!(
            out.contains("\nEMR Studio (read in 20 ms, 2 calls)\n"),
            "{out}"
        );
        assert!(!out.contains("EMR Studio passed"), "{out}");
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
            verbose.contains("\nEMR Studio passed (read in 1.2 s, 14 calls)\n"),
            "{verbose}"
        );
        assert!(
            verbose.contains("\nLake Formation passed (read in 340 ms, 1 call)\n"),
            "{verbose}"
        );
        // An area that sent no call says nothing.
        assert!(
            verbose.contains("\nIAM Identity Center passed\n"),
            "{verbose}"
        );
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
