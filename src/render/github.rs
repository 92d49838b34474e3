//! GitHub Actions workflow commands (`--format github`): one annotation per finding,
//! shown on the run's summary page and in the log.
//!
//! - `fail` → `::error title=ID title::message (fix: summary)`
//! - `warn` → `::warning title=ID title::message (fix: summary)`
//! - `error` → `::notice title=ID title (could not evaluate)::message`
//!
//! A waived finding is a `::notice` whose title ends in "(waived)" and whose message
//! ends with the waiver's reason. A waiver that expired is a `::warning`, one that
//! matched nothing a `::notice`. `pass` and `skip` print nothing; a last plain line
//! counts the results for the log. Values are escaped as the runner expects: `%`, CR and LF in the message,
//! and also `:` and `,` in the `title` property, so every annotation is one line and
//! report text cannot end it early or inject another command. The fix commands are
//! left out (GitHub shows at most a few lines of an annotation): the markdown job
//! summary and the SARIF alerts carry them.

use studio_doctor_checks::Status;
use studio_doctor_checks::waivers::{NoticeKind, WaiverNotice};
use studio_doctor_checks::{CheckResult, Report};

/// The annotations, one per line, then a plain summary line.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let many = report.parts.len() > 1;
    for r in &report.results {
        if let Some(line) = annotation(r, many) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    for notice in report.waivers.notices() {
        out.push_str(&waiver_annotation(&notice));
    }
    let s = &report.summary;
    let waived = report.waived_suffix();
    out.push_str(&format!(
        "studio-doctor: {} failed, {} warnings, {} could not be evaluated, {} passed, {} skipped{waived}\n",
        s.fail, s.warn, s.error, s.pass, s.skip
    ));
    out
}

/// `::warning` for an expired waiver, `::notice` for one that matched nothing.
fn waiver_annotation(notice: &WaiverNotice) -> String {
    let (command, title) = match notice.kind {
        NoticeKind::Expired => ("warning", "Expired waiver"),
        NoticeKind::Unused => ("notice", "Unused waiver"),
    };
    format!(
        "::{command} title={}::{}\n",
        escape_property(title),
        escape_data(&notice.text)
    )
}

/// The workflow command for one result, if it is a finding.
/// `many`: the run covered several targets, so the title names the result's.
fn annotation(r: &CheckResult, many: bool) -> Option<String> {
    let title = if many {
        format!(
            "[{} {}] {} {}",
            r.account_id.as_deref().unwrap_or("unknown"),
            r.region,
            r.id,
            r.title
        )
    } else {
        format!("{} {}", r.id, r.title)
    };
    let (command, title, message) = match r.status {
        Status::Pass | Status::Skip => return None,
        _ if r.waived.is_some() => {
            let mark = r.waived.as_ref().map(|w| w.mark()).unwrap_or_default();
            let body = if r.status == Status::Error {
                r.message.trim().to_string()
            } else {
                with_fix(r)
            };
            (
                "notice",
                format!("{title} (waived)"),
                format!("{body} {mark}"),
            )
        }
        Status::Fail => ("error", title, with_fix(r)),
        Status::Warn => ("warning", title, with_fix(r)),
        Status::Error => (
            "notice",
            format!("{title} (could not evaluate)"),
            r.message.trim().to_string(),
        ),
    };
    Some(format!(
        "::{command} title={}::{}",
        escape_property(&title),
        escape_data(&message)
    ))
}

fn with_fix(r: &CheckResult) -> String {
    let message = r.message.trim();
    match &r.remediation {
        Some(fix) if !fix.summary.is_empty() => format!("{message} (fix: {})", fix.summary),
        _ => message.to_string(),
    }
}

/// Escape a command's message (after `::`): `%`, CR, LF.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value (`title=...`): as data, plus `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testdata::{demo, first, healthy, waived, waiver};

    /// Undo the runner's escaping (for checking round trips).
    fn unescape(s: &str) -> String {
        s.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    }

    #[test]
    fn demo_account_snapshot() {
        let text = render(&demo()).replace("0.1.0", "[version]");
        insta::assert_snapshot!("demo-account-github", text);
    }

    #[test]
    fn one_annotation_per_finding_with_the_right_command() {
        let r = demo();
        let text = render(&r);
        let lines: Vec<&str> = text.lines().collect();
        let s = &r.summary;
        assert_eq!(lines.len(), s.fail + s.warn + s.error + 1);
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("::error ")).count(),
            s.fail
        );
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("::warning ")).count(),
            s.warn
        );
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("::notice ")).count(),
            s.error
        );
        let fail = r.results.iter().find(|x| x.status == Status::Fail).unwrap();
        let line = annotation(fail, false).unwrap();
        let (head, data) = line.split_once("::").unwrap().1.split_once("::").unwrap();
        assert_eq!(
            unescape(head.strip_prefix("error title=").unwrap()),
            format!("{} {}", fail.id, fail.title)
        );
        let fix = fail.remediation.as_ref().unwrap();
        assert_eq!(
            unescape(data),
            format!("{} (fix: {})", fail.message.trim(), fix.summary)
        );
    }

    #[test]
    fn healthy_account_prints_only_the_count_line() {
        let r = healthy();
        assert_eq!(
            render(&r),
            format!(
                "studio-doctor: 0 failed, 0 warnings, 0 could not be evaluated, {} passed, {} skipped\n",
                r.summary.pass, r.summary.skip
            )
        );
    }

    #[test]
    fn errors_are_notices_that_say_could_not_evaluate() {
        let mut r = healthy();
        r.results[0].status = Status::Error;
        r.results[0].message = "could not read the Studios: AccessDenied".into();
        let line = annotation(&r.results[0], false).unwrap();
        assert_eq!(
            line,
            format!(
                "::notice title={}::could not read the Studios: AccessDenied",
                escape_property(&format!(
                    "{} {} (could not evaluate)",
                    r.results[0].id, r.results[0].title
                ))
            )
        );
    }

    #[test]
    fn waived_findings_are_notices_and_waiver_problems_are_reported() {
        let mut r = demo();
        let i = first(&r, Status::Fail);
        r.results[i].waived = waived("accepted, see TICKET-1", None);
        let line = annotation(&r.results[i], false).unwrap();
        let title = format!("{} {} (waived)", r.results[i].id, r.results[i].title);
        assert!(
            line.starts_with(&format!("::notice title={}::", escape_property(&title))),
            "{line}"
        );
        assert!(
            line.ends_with(" (waived: accepted, see TICKET-1)"),
            "{line}"
        );
        let expired = studio_doctor_checks::Date::parse("2020-01-02");
        r.waivers.expired.push(waiver("ES006", expired));
        r.waivers.unmatched.push(waiver("ES006", None));
        let text = render(&r);
        assert!(text.contains("\n::warning title=Expired waiver::the waiver for ES006 (resource arn:*) expired on 2020-01-02: it no longer waives anything\n"), "{text}");
        assert!(text.contains("\n::notice title=Unused waiver::the waiver for ES006 (resource arn:*) matched no finding: remove it if the problem is fixed\n"), "{text}");
        assert!(text.ends_with(" skipped (1 waived)\n"), "{text}");
    }

    #[test]
    fn escaping_follows_the_runner_rules() {
        assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
        assert_eq!(escape_data("a:b,c"), "a:b,c", "data keeps : and ,");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        // %3A in the input must not read back as ':'.
        assert_eq!(unescape(&escape_property("%3A")), "%3A");
    }

    #[test]
    fn hostile_text_cannot_start_another_command() {
        let mut r = demo();
        let i = first(&r, Status::Fail);
        r.results[i].message = "bad\n::error title=x::injected\r\n::stop-commands::t".into();
        r.results[i].title = "title, with: punctuation";
        let line = annotation(&r.results[i], false).unwrap();
        assert!(!line.contains('\n') && !line.contains('\r'));
        assert!(
            line.starts_with(&format!(
                "::error title={} title%2C with%3A punctuation::bad%0A::error",
                r.results[i].id
            )),
            "{line}"
        );
        assert_eq!(
            render(&r).lines().filter(|l| l.starts_with("::")).count(),
            {
                let s = &r.summary;
                s.fail + s.warn + s.error
            }
        );
    }
}
