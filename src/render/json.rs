//! The JSON report: the serialized [`Report`] (schema_version 1), pretty-printed.

use studio_doctor_checks::Report;

/// The report as pretty JSON, ending with a newline.
pub fn render(report: &Report) -> String {
    // A Report holds only strings, numbers, enums and lists: serializing cannot fail.
    let mut text = serde_json::to_string_pretty(report).expect("a Report always serializes");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testdata::healthy;
    use serde_json::Value;

    #[test]
    fn output_is_pretty_json_ending_in_one_newline() {
        let text = render(&healthy());
        assert!(text.ends_with("}\n") && !text.ends_with("\n\n"));
        assert!(text.starts_with("{\n  \"schema_version\": 1,\n"), "{text}");
        serde_json::from_str::<Value>(&text).unwrap();
    }

    #[test]
    fn output_follows_the_report_contract() {
        let report = healthy();
        let v: Value = serde_json::from_str(&render(&report)).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "schema_version",
                "tool",
                "target",
                "summary",
                "results",
                "access_path"
            ]
        );
        assert_eq!(v["tool"]["name"], "studio-doctor");
        assert_eq!(v["target"]["account_id"], "111122223333");
        assert_eq!(v["target"]["region"], "ap-northeast-1");
        assert_eq!(v["summary"]["pass"], report.summary.pass);
        assert_eq!(v["results"].as_array().unwrap().len(), report.results.len());
        let first = &v["results"][0];
        for k in [
            "id",
            "name",
            "area",
            "title",
            "severity",
            "status",
            "message",
            "resource",
            "remediation",
            "depends_on",
        ] {
            assert!(first.get(k).is_some(), "missing {k} in {first}");
        }
        assert_eq!(first["status"], report.results[0].status.as_str());
        let areas = [
            "account",
            "identity-center",
            "emr-studio",
            "athena-workgroup",
            "s3-access-grants",
            "lake-formation",
        ];
        for r in v["results"].as_array().unwrap() {
            assert!(areas.contains(&r["area"].as_str().unwrap()), "{r}");
            if r["status"] == "pass" {
                assert!(r["remediation"].is_null(), "{r}");
            }
        }
    }
}
