//! JUnit XML (`--format junit`), for CI systems that show test reports (GitLab,
//! Jenkins, Buildkite, Azure Pipelines).
//!
//! One `<testsuite>` per area (in catalog order, areas without results left out),
//! one `<testcase>` per check and resource, passes included: `name` = `ID resource`
//! (plus `(user NAME)` / `(table DB.T)` when the result is about a user or table its
//! resource does not name, so that several `--user`s give distinct test cases),
//! `classname` = the check's name. `fail` → `<failure>` (the message as its
//! `message`, the message, fix summary, commands and doc links as its text),
//! `error` (could not evaluate) → `<error>`, `skip` → `<skipped>` with the reason.
//!
//! `warn` is a passing test case whose `<system-out>` holds the warning and its
//! fix: a warning is not a failure unless the run says so (`--fail-on warning`
//! changes the exit code, not this report), and test-report viewers have no
//! "warning" state, so marking it failed would make every warning red.
//!
//! A waived finding (fail, warn or error) does not fail the run either: it is a
//! passing test case whose `<system-out>` starts with `waived: <reason>`.

use quick_junit::{NonSuccessKind, Property, Report as JunitReport, TestCase, TestCaseStatus};
use quick_junit::{TestSuite, XmlString};
use studio_doctor_checks::{Area, Status};
use studio_doctor_checks::{CheckResult, Report};

/// The JUnit XML document, ending with a newline.
pub fn render(report: &Report) -> String {
    let mut junit = JunitReport::new("studio-doctor");
    // A run over several targets: one suite per target and area.
    let parts: Vec<&Report> = if report.parts.len() > 1 {
        report.parts.iter().collect()
    } else {
        vec![report]
    };
    let many = parts.len() > 1;
    for (part, area) in parts
        .iter()
        .flat_map(|p| Area::ALL.into_iter().map(move |a| (*p, a)))
    {
        let results: Vec<&CheckResult> = part.results.iter().filter(|r| r.area == area).collect();
        if results.is_empty() {
            continue;
        }
        let t = &part.target;
        let mut suite = TestSuite::new(if many {
            format!(
                "{} ({} {})",
                area.title(),
                t.account_id.as_deref().unwrap_or("unknown"),
                t.region
            )
        } else {
            area.title().to_string()
        });
        suite.add_property(Property::new(
            "account",
            t.account_id.as_deref().unwrap_or("unknown"),
        ));
        suite.add_property(Property::new("region", t.region.as_str()));
        suite.add_property(Property::new("tool_version", report.tool.version));
        suite.add_test_cases(results.into_iter().map(test_case));
        junit.add_test_suite(suite);
    }
    // Writing XML into a String cannot fail.
    let mut text = junit.to_string().expect("a JUnit report serializes");
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// `ID resource` (just `ID` when the result names no resource), then the users and
/// tables the result is about that the resource does not name.
fn case_name(r: &CheckResult) -> String {
    let mut name = r.id.to_string();
    if !r.resource.is_empty() {
        name.push(' ');
        name.push_str(&r.resource);
    }
    for scope in &r.scopes {
        if let Some((kind, value)) = scope.identity()
            && !r.resource.contains(value)
        {
            name.push_str(&format!(" ({kind} {value})"));
        }
    }
    name
}

/// Message, fix summary, commands and docs, one per line.
fn details(r: &CheckResult) -> String {
    let mut text = r.message.trim().to_string();
    if let Some(fix) = &r.remediation {
        if !fix.summary.is_empty() {
            text.push_str(&format!("\nfix: {}", fix.summary));
        }
        for cmd in &fix.commands {
            text.push_str(&format!("\n  $ {cmd}"));
        }
        for doc in &fix.docs {
            text.push_str(&format!("\ndocs: {doc}"));
        }
    }
    text
}

fn test_case(r: &CheckResult) -> TestCase {
    let message = XmlString::new(r.message.trim());
    let status = match r.status {
        _ if r.waived.is_some() => TestCaseStatus::success(),
        Status::Pass | Status::Warn => TestCaseStatus::success(),
        Status::Fail => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(message)
                .set_type(r.severity.to_string())
                .set_description(details(r));
            s
        }
        Status::Error => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            s.set_message(message)
                .set_type("could not evaluate")
                .set_description(r.message.trim());
            s
        }
        Status::Skip => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(message);
            s
        }
    };
    let mut case = TestCase::new(case_name(r), status);
    case.set_classname(r.name);
    let label = match r.status {
        Status::Fail => "failure",
        Status::Warn => "warning",
        Status::Error => "could not evaluate",
        Status::Pass | Status::Skip => "",
    };
    match &r.waived {
        Some(w) if !label.is_empty() => {
            case.set_system_out(format!("waived: {}\n{label}: {}", w.reason, details(r)));
        }
        _ if r.status == Status::Warn => {
            case.set_system_out(format!("warning: {}", details(r)));
        }
        _ => {}
    }
    case
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testdata::{examples, waived};
    use studio_doctor_checks::Scope;

    fn attr(node: roxmltree::Node, name: &str) -> usize {
        node.attribute(name)
            .unwrap_or_else(|| panic!("no {name} on {node:?}"))
            .parse()
            .unwrap()
    }

    #[test]
    fn both_examples_parse_as_xml_with_counts_matching_the_report() {
        for r in examples() {
            let xml = render(&r);
            let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
            let root = doc.root_element();
            assert_eq!(root.tag_name().name(), "testsuites");
            assert_eq!(root.attribute("name"), Some("studio-doctor"));
            let s = &r.summary;
            assert_eq!(attr(root, "tests"), r.results.len());
            assert_eq!(attr(root, "failures"), s.fail);
            assert_eq!(attr(root, "errors"), s.error);
            assert_eq!(attr(root, "skipped"), s.skip);
            let count = |tag: &str| {
                doc.descendants()
                    .filter(|n| n.tag_name().name() == tag)
                    .count()
            };
            assert_eq!(count("testcase"), r.results.len());
            assert_eq!(count("failure"), s.fail);
            assert_eq!(count("error"), s.error);
            assert_eq!(count("skipped"), s.skip);
            // Passes and warnings pass; only warnings print.
            assert_eq!(count("system-out"), s.warn);
            // One suite per area with results, in catalog order.
            let suites: Vec<&str> = root
                .children()
                .filter(|n| n.is_element())
                .map(|n| n.attribute("name").unwrap())
                .collect();
            let areas: Vec<&str> = Area::ALL
                .iter()
                .filter(|a| r.results.iter().any(|x| x.area == **a))
                .map(|a| a.title())
                .collect();
            assert_eq!(suites, areas);
            for suite in root.children().filter(|n| n.is_element()) {
                let cases = suite.children().filter(|n| n.has_tag_name("testcase"));
                assert_eq!(attr(suite, "tests"), cases.count());
            }
        }
    }

    #[test]
    fn test_cases_are_named_id_and_resource_with_the_check_name_as_class() {
        let r = &examples()[1];
        let xml = render(r);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let cases: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        // Results are grouped by area; find each by name.
        for res in &r.results {
            let name = case_name(res);
            assert!(name.starts_with(format!("{} {}", res.id, res.resource).trim_end()));
            let case = cases
                .iter()
                .find(|c| c.attribute("name") == Some(name.as_str()))
                .unwrap_or_else(|| panic!("no test case {name}"));
            assert_eq!(case.attribute("classname"), Some(res.name));
        }
        let names: std::collections::BTreeSet<_> = cases
            .iter()
            .map(|c| (c.attribute("classname"), c.attribute("name")))
            .collect();
        assert_eq!(names.len(), cases.len(), "test case names are unique");
    }

    #[test]
    fn a_user_or_table_the_resource_does_not_name_joins_the_name() {
        let mut r = examples()[0].results[0].clone();
        r.resource = "Studio \"analytics\" (es-1)".into();
        r.scopes = vec![
            Scope::Studio("es-1".into()),
            Scope::user("bob"),
            Scope::table("db.t"),
        ];
        assert_eq!(
            case_name(&r),
            format!(
                "{} Studio \"analytics\" (es-1) (user bob) (table db.t)",
                r.id
            )
        );
        r.resource = "table db.t".into();
        assert_eq!(case_name(&r), format!("{} table db.t (user bob)", r.id));
    }

    #[test]
    fn a_failure_carries_message_fix_and_commands() {
        let r = &examples()[1];
        let fail = r.results.iter().find(|x| x.status == Status::Fail).unwrap();
        let xml = render(r);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let case = doc
            .descendants()
            .find(|n| {
                n.has_tag_name("testcase") && n.attribute("name") == Some(case_name(fail).as_str())
            })
            .unwrap();
        let failure = case.children().find(|n| n.has_tag_name("failure")).unwrap();
        assert_eq!(failure.attribute("message"), Some(fail.message.trim()));
        assert_eq!(failure.attribute("type"), Some("error"));
        let text = failure.text().unwrap();
        let fix = fail.remediation.as_ref().unwrap();
        assert!(text.contains(&format!("fix: {}", fix.summary)), "{text}");
        for cmd in &fix.commands {
            assert!(text.contains(&format!("  $ {cmd}")), "{text}");
        }
    }

    #[test]
    fn warnings_pass_with_the_warning_in_system_out() {
        let r = &examples()[1];
        let warn = r.results.iter().find(|x| x.status == Status::Warn).unwrap();
        let xml = render(r);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let case = doc
            .descendants()
            .find(|n| {
                n.has_tag_name("testcase") && n.attribute("name") == Some(case_name(warn).as_str())
            })
            .unwrap();
        let kids: Vec<&str> = case
            .children()
            .filter(|n| n.is_element())
            .map(|n| n.tag_name().name())
            .collect();
        assert_eq!(kids, ["system-out"]);
        let out = case.children().find(|n| n.is_element()).unwrap();
        assert!(
            out.text()
                .unwrap()
                .starts_with(&format!("warning: {}", warn.message.trim()))
        );
    }

    #[test]
    fn waived_findings_pass_with_the_reason_in_system_out() {
        let mut r = examples()[1].clone();
        for x in r.results.iter_mut().filter(|x| x.status != Status::Pass) {
            if x.status != Status::Skip {
                x.waived = waived("accepted risk", None);
            }
        }
        let xml = render(&r);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let root = doc.root_element();
        assert_eq!(attr(root, "failures"), 0);
        assert_eq!(attr(root, "errors"), 0);
        assert_eq!(attr(root, "skipped"), r.summary.skip);
        let outs: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("system-out"))
            .map(|n| n.text().unwrap())
            .collect();
        assert_eq!(outs.len(), r.summary.fail + r.summary.warn);
        assert!(
            outs.iter()
                .all(|o| o.starts_with("waived: accepted risk\n")),
            "{outs:?}"
        );
        assert!(outs.iter().any(|o| o.contains("\nfailure: ")), "{outs:?}");
    }

    #[test]
    fn errors_and_skips_carry_their_reason_and_xml_specials_survive() {
        let mut r = examples()[0].clone();
        r.results[0].status = Status::Error;
        r.results[0].message = "could not read <role> & \"policy\": AccessDenied".into();
        r.results[1].status = Status::Skip;
        r.results[1].message = "skipped: prerequisite <X> failed".into();
        r.results[2].resource = String::new();
        r.results[2].scopes.clear();
        r.summary = studio_doctor_checks::report::Summary::of(&r.results);
        let xml = render(&r);
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
        let err = doc.descendants().find(|n| n.has_tag_name("error")).unwrap();
        assert_eq!(
            err.attribute("message"),
            Some("could not read <role> & \"policy\": AccessDenied")
        );
        let skip = doc
            .descendants()
            .find(|n| n.has_tag_name("skipped"))
            .unwrap();
        assert_eq!(
            skip.attribute("message"),
            Some("skipped: prerequisite <X> failed")
        );
        assert!(
            doc.descendants()
                .any(|n| n.attribute("name") == Some(r.results[2].id)),
            "no resource: the name is the id alone"
        );
    }
}
