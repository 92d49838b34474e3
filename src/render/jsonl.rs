//! JSON Lines (`--format json-lines`): one JSON object per result, one result per
//! line, nothing else. Each object holds the result's fields (as in the JSON
//! report's `results`, which name their `account_id` and `region`) plus
//! `schema_version`, so every line stands alone (for `jq`, log shippers, `grep`).

use serde::Serialize;
use studio_doctor_checks::{CheckResult, Report};

#[derive(Serialize)]
struct Line<'a> {
    schema_version: u32,
    /// With `account_id` and `region`, the result's own target.
    #[serde(flatten)]
    result: &'a CheckResult,
}

/// One compact JSON object per result, each ending with a newline; empty for no results.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for result in &report.results {
        let line = Line {
            schema_version: report.schema_version,
            result,
        };
        // Strings, numbers, enums and lists only: serializing cannot fail.
        out.push_str(&serde_json::to_string(&line).expect("a result always serializes"));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testdata::examples;
    use serde_json::Value;

    #[test]
    fn one_object_per_result_with_the_report_context() {
        for r in examples() {
            let text = render(&r);
            assert!(text.ends_with('\n') && !text.ends_with("\n\n"));
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines.len(), r.results.len());
            for (line, res) in lines.iter().zip(&r.results) {
                let v: Value = serde_json::from_str(line).unwrap();
                assert_eq!(v["schema_version"], 1);
                assert_eq!(v["account_id"], "111122223333");
                assert_eq!(v["region"], "ap-northeast-1");
                assert_eq!(v["id"], res.id);
                assert_eq!(v["status"], res.status.as_str());
                assert_eq!(v["resource"], res.resource);
                assert_eq!(v["message"], res.message);
            }
        }
    }

    #[test]
    fn each_line_has_the_result_fields_of_the_json_report() {
        let r = &examples()[1];
        let full: Value = serde_json::from_str(&super::super::json::render(r)).unwrap();
        for (line, expected) in render(r).lines().zip(full["results"].as_array().unwrap()) {
            let mut v: Value = serde_json::from_str(line).unwrap();
            let obj = v.as_object_mut().unwrap();
            assert!(obj.remove("schema_version").is_some());
            assert_eq!(&v, expected);
        }
    }

    #[test]
    fn unknown_account_is_null_and_no_results_is_empty() {
        let mut r = examples()[0].clone();
        r.results[0].account_id = None;
        let first: Value = serde_json::from_str(render(&r).lines().next().unwrap()).unwrap();
        assert!(first["account_id"].is_null());
        r.results.clear();
        assert_eq!(render(&r), "");
    }

    #[test]
    fn newlines_in_messages_stay_inside_their_line() {
        let mut r = examples()[0].clone();
        r.results[0].message = "two\nlines".into();
        let text = render(&r);
        assert_eq!(text.lines().count(), r.results.len());
        let v: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(v["message"], "two\nlines");
    }
}
