//! SARIF 2.1.0 (`--format sarif`), for GitHub code scanning and other SARIF viewers.
//!
//! - One run. `tool.driver` names studio-doctor, its version and (when the package
//!   declares a repository) its `informationUri`, and lists one rule per check in
//!   the registry: `id` = check id (stable, never reused), `name`, `shortDescription`
//!   = title, `fullDescription`/`help` = the check's documentation (`explain`),
//!   `helpUri` = its first doc URL, `defaultConfiguration.level` from its severity
//!   (error → `error`, warning → `warning`, info → `note`).
//! - `fail` and `warn` results become SARIF results: level `error` for a failure of
//!   an error-severity check, `note` for an info-severity check, `warning` otherwise.
//!   The message holds the finding, the fix summary and the fix commands.
//! - `pass` and `skip` results are not SARIF results. `error` results (a check could
//!   not be evaluated) are `invocations[0].toolExecutionNotifications`, and then
//!   `executionSuccessful` is false.
//! - A waived finding stays a result, with an `external`, `accepted` suppression
//!   whose justification is the waiver's reason (viewers hide or dismiss it). A
//!   waived `error` is still a notification, at level `note`, and does not make
//!   the execution unsuccessful. Waivers that expired or matched nothing are
//!   `toolConfigurationNotifications` (`warning` and `note`).
//! - `partialFingerprints["studioDoctor/v1"]` is the SHA-256 (hex) of check id,
//!   account, region and resource, plus the result's `user:` and `table:` scopes
//!   (`fingerprint`): the same finding keeps its alert across runs, the same check
//!   in another account or region is another alert, and with several `--user`s
//!   each user's finding on the same Studio is its own alert instead of collapsing
//!   into one.
//!
//! Location: findings are about AWS resources, not files. Each result names its
//! resource in a `logicalLocation` of kind `resource` (SARIF 2.1.0 §3.33). When the
//! run used a config file, the result also points at line 1 of that file (its
//! path as given, relative to the working directory): the file a team commits to
//! decide the target, severities and waivers, and the place where a finding is
//! waived. GitHub code scanning accepts only results with a repository path, so
//! upload SARIF from a run that uses a committed config file. Without a config
//! file no result names a file: a location that does not exist would mislead.

use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, ReportingDescriptorReference, Result as SarifResult, ResultKind,
    ResultLevel, Run, Sarif, Suppression, Tool, ToolComponent,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use studio_doctor_checks::waivers::{NoticeKind, WaiverNotice};
use studio_doctor_checks::{Check, Scope, Severity, Status, registry};
use studio_doctor_checks::{CheckResult, Report};

/// The `partialFingerprints` key; bump the version if `fingerprint` ever changes.
const FINGERPRINT_KEY: &str = "studioDoctor/v1";

/// The `$schema` written into the log.
const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The SARIF log, pretty-printed, ending with a newline; no config file was used.
#[cfg_attr(not(test), allow(dead_code))]
pub fn render(report: &Report) -> String {
    render_with(report, None)
}

/// [`render`]; `config`: the config file the run used (as given), which each
/// result then points at.
pub fn render_with(report: &Report, config: Option<&std::path::Path>) -> String {
    let mut text =
        serde_json::to_string_pretty(&log(report, config)).expect("a SARIF log serializes");
    text.push('\n');
    text
}

/// A config file's path as a SARIF URI reference: relative with `/`, or `file://`.
fn artifact_uri(path: &std::path::Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let text = text.strip_prefix("./").unwrap_or(&text).to_string();
    if path.is_absolute() {
        format!("file://{text}")
    } else {
        text
    }
}

/// The SARIF log as a value.
fn log(report: &Report, config: Option<&std::path::Path>) -> Sarif {
    let artifact = config.map(artifact_uri);
    let results: Vec<SarifResult> = report
        .results
        .iter()
        .filter(|r| matches!(r.status, Status::Fail | Status::Warn))
        .map(|r| result(r, artifact.as_deref()))
        .collect();
    let notifications: Vec<Notification> = report
        .results
        .iter()
        .filter(|r| r.status == Status::Error)
        .map(notification)
        .collect();
    let unwaived_error = report
        .results
        .iter()
        .any(|r| r.status == Status::Error && r.waived.is_none());
    let config: Vec<Notification> = report
        .waivers
        .notices()
        .iter()
        .map(waiver_notification)
        .collect();
    let invocation = Invocation::builder()
        .execution_successful(!unwaived_error)
        .tool_execution_notifications(notifications);
    let invocation = if config.is_empty() {
        invocation.build()
    } else {
        Invocation {
            tool_configuration_notifications: Some(config),
            ..invocation.build()
        }
    };
    let run = Run::builder()
        .tool(Tool::builder().driver(driver(report)).build())
        .invocations(vec![invocation])
        .results(results)
        .build();
    Sarif::builder()
        .schema(SCHEMA_URI)
        .version(serde_json::Value::from("2.1.0"))
        .runs(vec![run])
        .build()
}

/// The stable identity of a finding: SHA-256 (lowercase hex) of check id, account,
/// region, resource and then each of `scopes` in order, separated by NUL bytes.
/// An unknown account hashes as "".
fn fingerprint(
    id: &str,
    account: Option<&str>,
    region: &str,
    resource: &str,
    scopes: &[&str],
) -> String {
    let mut h = Sha256::new();
    let parts = [id, account.unwrap_or(""), region, resource];
    for (i, part) in parts.iter().chain(scopes).enumerate() {
        if i > 0 {
            h.update([0u8]);
        }
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The result's `user:` and `table:` scopes, sorted: what tells apart the findings
/// of one check on one resource (Studio, workgroup) for several users and tables.
fn identity_scopes(r: &CheckResult) -> Vec<String> {
    let mut s: Vec<String> = r
        .scopes
        .iter()
        .filter(|s| s.identity().is_some())
        .map(Scope::to_string)
        .collect();
    s.sort_unstable();
    s.dedup();
    s
}

fn driver(report: &Report) -> ToolComponent {
    let rules: Vec<ReportingDescriptor> = registry::ALL.iter().map(rule).collect();
    let info = env!("CARGO_PKG_REPOSITORY");
    let driver = ToolComponent::builder()
        .name(report.tool.name)
        .version(report.tool.version)
        .rules(rules);
    if info.is_empty() {
        driver.build()
    } else {
        ToolComponent {
            information_uri: Some(info.to_string()),
            ..driver.build()
        }
    }
}

fn rule(check: &Check) -> ReportingDescriptor {
    let meta = check.meta;
    let doc = check.explanation();
    let level = match meta.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    };
    let tags = PropertyBag::builder()
        .tags(vec![
            serde_json::to_value(meta.area)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
        ])
        .build();
    let descriptor = ReportingDescriptor::builder()
        .id(meta.id)
        .name(meta.name)
        .short_description(text(meta.title))
        .full_description(text(&doc))
        .help(
            MultiformatMessageString::builder()
                .text(doc.clone())
                .markdown(doc)
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(serde_json::Value::from(level))
                .build(),
        )
        .properties(tags)
        .build();
    ReportingDescriptor {
        help_uri: meta.docs.first().map(|d| d.to_string()),
        ..descriptor
    }
}

fn text(s: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s).build()
}

fn rule_index(id: &str) -> Option<i64> {
    registry::ALL
        .iter()
        .position(|c| c.meta.id == id)
        .and_then(|i| i64::try_from(i).ok())
}

/// The level of a `fail` or `warn` result.
fn level(r: &CheckResult) -> ResultLevel {
    match (r.status, r.severity) {
        (_, Severity::Info) => ResultLevel::Note,
        (Status::Fail, Severity::Error) => ResultLevel::Error,
        _ => ResultLevel::Warning,
    }
}

/// The finding, then the fix summary and its commands.
fn message(r: &CheckResult) -> String {
    let mut text = r.message.trim().to_string();
    if let Some(fix) = &r.remediation {
        if !fix.summary.is_empty() {
            text.push_str(&format!("\nFix: {}", fix.summary));
        }
        for cmd in &fix.commands {
            text.push_str(&format!("\n$ {cmd}"));
        }
    }
    text
}

fn result(r: &CheckResult, artifact: Option<&str>) -> SarifResult {
    let name = if r.resource.is_empty() {
        format!("region {}", r.region)
    } else {
        r.resource.clone()
    };
    let mut location = Location::builder()
        .logical_locations(vec![
            LogicalLocation::builder()
                .name(name)
                .kind("resource")
                .build(),
        ])
        .build();
    if let Some(uri) = artifact {
        location.physical_location = Some(
            PhysicalLocation::builder()
                .artifact_location(ArtifactLocation::builder().uri(uri).build())
                .region(Region::builder().start_line(1).build())
                .build(),
        );
    }
    let fp = fingerprint(
        r.id,
        r.account_id.as_deref(),
        &r.region,
        &r.resource,
        &identity_scopes(r)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    let mut props = BTreeMap::new();
    props.insert("status".to_string(), r.status.as_str().into());
    props.insert("severity".to_string(), r.severity.to_string().into());
    props.insert("resource".to_string(), r.resource.clone().into());
    props.insert("account_id".to_string(), r.account_id.clone().into());
    props.insert("region".to_string(), r.region.clone().into());
    let res = SarifResult::builder()
        .rule_id(r.id)
        .kind(ResultKind::Fail)
        .level(level(r))
        .message(Message::builder().text(message(r)).build())
        .locations(vec![location])
        .partial_fingerprints(BTreeMap::from([(FINGERPRINT_KEY.to_string(), fp)]))
        .properties(PropertyBag::builder().additional_properties(props).build())
        .build();
    let suppressions = r.waived.as_ref().map(|w| {
        let why = match w.expires {
            Some(d) => format!("{} (waived until {d})", w.reason),
            None => w.reason.clone(),
        };
        vec![
            Suppression::builder()
                .kind(serde_json::Value::from("external"))
                .status(serde_json::Value::from("accepted"))
                .justification(why)
                .build(),
        ]
    });
    SarifResult {
        rule_index: rule_index(r.id),
        suppressions,
        ..res
    }
}

/// A check that could not be evaluated: a tool execution notification.
fn notification(r: &CheckResult) -> Notification {
    let what = if r.resource.is_empty() {
        String::new()
    } else {
        format!(" for {}", r.resource)
    };
    let (level, waived) = match &r.waived {
        Some(w) => ("note", format!(" {}", w.mark())),
        None => ("error", String::new()),
    };
    Notification::builder()
        .level(serde_json::Value::from(level))
        .message(
            Message::builder()
                .text(format!(
                    "{} could not be evaluated{what}: {}{waived}",
                    r.id,
                    r.message.trim()
                ))
                .build(),
        )
        .associated_rule(rule_ref(r.id))
        .build()
}

fn rule_ref(id: &str) -> ReportingDescriptorReference {
    let rule = ReportingDescriptorReference::builder().id(id).build();
    ReportingDescriptorReference {
        index: rule_index(id),
        ..rule
    }
}

/// A waiver that expired (`warning`) or matched nothing (`note`).
fn waiver_notification(notice: &WaiverNotice) -> Notification {
    let level = match notice.kind {
        NoticeKind::Expired => "warning",
        NoticeKind::Unused => "note",
    };
    let n = Notification::builder()
        .level(serde_json::Value::from(level))
        .message(Message::builder().text(notice.text.as_str()).build())
        .build();
    let check = &notice.waiver.check;
    if rule_index(check).is_some() {
        Notification {
            associated_rule: Some(rule_ref(check)),
            ..n
        }
    } else {
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testdata::{demo, first, healthy, waived, waiver};
    use serde_json::{Value, json};
    use std::collections::BTreeSet;

    const SCHEMA: &str = include_str!("../../tests/schemas/sarif-2.1.0.json");

    fn parse(r: &Report) -> Value {
        serde_json::from_str(&render(r)).unwrap()
    }

    /// The official schema's pattern for `language` (which this log never sets) has a
    /// stray `]` that fails the draft-07 meta-schema's `regex` format; drop it from
    /// the in-memory copy so the validator compiles. The file stays as published.
    const BROKEN_PATTERN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";

    fn drop_broken_pattern(v: &mut Value) -> usize {
        match v {
            Value::Object(map) => {
                let mut n = 0;
                if map.get("pattern").and_then(Value::as_str) == Some(BROKEN_PATTERN) {
                    map.remove("pattern");
                    n += 1;
                }
                n + map.values_mut().map(drop_broken_pattern).sum::<usize>()
            }
            Value::Array(items) => items.iter_mut().map(drop_broken_pattern).sum(),
            _ => 0,
        }
    }

    fn validator() -> jsonschema::Validator {
        let mut schema: Value = serde_json::from_str(SCHEMA).unwrap();
        assert_eq!(
            schema["title"],
            "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
        );
        assert_eq!(
            drop_broken_pattern(&mut schema),
            2,
            "the two `language` patterns"
        );
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap()
    }

    fn validate(v: &Value) {
        let validator = validator();
        let errors: Vec<String> = validator
            .iter_errors(v)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }

    #[test]
    fn both_examples_validate_against_the_sarif_schema() {
        for r in [healthy(), demo()] {
            validate(&parse(&r));
        }
    }

    #[test]
    fn the_schema_rejects_a_broken_log() {
        // The validation above can fail: a log without a driver name is refused.
        let mut v = parse(&demo());
        v["runs"][0]["tool"]["driver"]
            .as_object_mut()
            .unwrap()
            .remove("name");
        let validator = validator();
        assert!(!validator.is_valid(&v));
        let mut v = parse(&demo());
        v["runs"][0]["results"][0]["level"] = json!("fatal");
        assert!(!validator.is_valid(&v));
        let mut v = parse(&demo());
        v["runs"][0]["results"][0]["partialFingerprints"][FINGERPRINT_KEY] = json!(1);
        assert!(!validator.is_valid(&v));
        // Formats are checked too: `$schema` must be a URI.
        let mut v = parse(&demo());
        v["$schema"] = json!("not a uri");
        assert!(!validator.is_valid(&v));
        assert!(validator.is_valid(&parse(&demo())));
    }

    #[test]
    fn driver_has_one_rule_per_check_with_its_documentation() {
        let v = parse(&healthy());
        assert_eq!(v["version"], "2.1.0");
        assert_eq!(v["runs"].as_array().unwrap().len(), 1);
        let driver = &v["runs"][0]["tool"]["driver"];
        assert_eq!(driver["name"], "studio-doctor");
        assert_eq!(driver["version"], "0.1.0");
        let repo = env!("CARGO_PKG_REPOSITORY");
        assert_eq!(
            driver.get("informationUri").and_then(Value::as_str),
            (!repo.is_empty()).then_some(repo),
            "informationUri is the package's repository, when it declares one"
        );
        let rules = driver["rules"].as_array().unwrap();
        assert_eq!(rules.len(), registry::ALL.len());
        for (rule, check) in rules.iter().zip(registry::ALL) {
            let m = check.meta;
            assert_eq!(rule["id"], m.id);
            assert_eq!(rule["name"], m.name);
            assert_eq!(rule["shortDescription"]["text"], m.title);
            assert_eq!(rule["fullDescription"]["text"], check.explanation());
            assert_eq!(rule["help"]["text"], check.explanation());
            assert!(
                rule["help"]["text"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("# {}", m.id)),
                "{rule}"
            );
            assert_eq!(rule["helpUri"], m.docs[0]);
            let level = match m.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            assert_eq!(rule["defaultConfiguration"]["level"], level);
        }
    }

    #[test]
    fn healthy_account_has_no_results_and_a_successful_invocation() {
        let v = parse(&healthy());
        assert_eq!(v["runs"][0]["results"], json!([]));
        let inv = &v["runs"][0]["invocations"][0];
        assert_eq!(inv["executionSuccessful"], true);
        assert_eq!(inv["toolExecutionNotifications"], json!([]));
    }

    #[test]
    fn failures_and_warnings_are_results_with_levels_rules_and_locations() {
        let r = demo();
        let v = parse(&r);
        let problems: Vec<&CheckResult> = r
            .results
            .iter()
            .filter(|x| matches!(x.status, Status::Fail | Status::Warn))
            .collect();
        assert!(r.summary.fail > 0 && r.summary.warn > 0, "{:?}", r.summary);
        let results = v["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), problems.len());
        let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        for (res, p) in results.iter().zip(problems) {
            assert_eq!(res["ruleId"], p.id);
            let idx = res["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[idx]["id"], p.id);
            let level = match (p.status, p.severity) {
                (_, Severity::Info) => "note",
                (Status::Fail, _) => "error",
                _ => "warning",
            };
            assert_eq!(res["level"], level, "{res}");
            // No config file: the resource is the only location, no file is named.
            let loc = &res["locations"][0];
            assert!(loc.get("physicalLocation").is_none(), "{loc}");
            assert_eq!(loc["logicalLocations"][0]["name"], p.resource);
            assert_eq!(loc["logicalLocations"][0]["kind"], "resource");
            let text = res["message"]["text"].as_str().unwrap();
            assert!(text.starts_with(p.message.trim()), "{text}");
            let fix = p.remediation.as_ref().unwrap();
            assert!(text.contains(&format!("\nFix: {}", fix.summary)), "{text}");
            for cmd in &fix.commands {
                assert!(text.contains(&format!("\n$ {cmd}")), "{text}");
            }
        }
        let levels: BTreeSet<&str> = results
            .iter()
            .map(|x| x["level"].as_str().unwrap())
            .collect();
        assert!(levels.contains("error") && levels.contains("warning"));
    }

    #[test]
    fn results_point_at_the_config_file_only_when_one_was_used() {
        let r = demo();
        let with = |path: &str| -> Value {
            serde_json::from_str(&render_with(&r, Some(std::path::Path::new(path)))).unwrap()
        };
        for (given, uri) in [
            ("studio-doctor.toml", "studio-doctor.toml"),
            ("./ci/studio-doctor.toml", "ci/studio-doctor.toml"),
        ] {
            let v = with(given);
            validate(&v);
            let loc = &v["runs"][0]["results"][0]["locations"][0];
            assert_eq!(loc["physicalLocation"]["artifactLocation"]["uri"], uri);
            assert_eq!(loc["physicalLocation"]["region"]["startLine"], 1);
            assert_eq!(loc["logicalLocations"][0]["kind"], "resource");
        }
        assert!(!render(&r).contains("studio-doctor.toml"));
    }

    #[test]
    fn fingerprints_are_deterministic_and_distinct_per_resource() {
        let acct = Some("111122223333");
        let region = "ap-northeast-1";
        assert_eq!(
            fingerprint("ES001", acct, region, "Studio x", &[]),
            fingerprint("ES001", acct, region, "Studio x", &[])
        );
        // Pinned (computed with Python's hashlib): changing the recipe would reopen
        // every alert, so it needs a new FINGERPRINT_KEY.
        assert_eq!(
            fingerprint("ES001", acct, region, "Studio x", &[]),
            "70abc2f4e24082d580597398d69425617115e04e30bf39730683ad0341e937fc"
        );
        assert_eq!(
            fingerprint("ES001", acct, region, "Studio x", &["user:alice"]),
            "eefdb261115be5d0a0099343344581c87e9908d006ec01f9e41b82825338eeab"
        );
        let base = fingerprint("ES001", Some("1"), "r", "x", &[]);
        for other in [
            fingerprint("ES002", Some("1"), "r", "x", &[]),
            fingerprint("ES001", Some("2"), "r", "x", &[]),
            fingerprint("ES001", None, "r", "x", &[]),
            fingerprint("ES001", Some("1"), "s", "x", &[]),
            fingerprint("ES001", Some("1"), "r", "y", &[]),
            fingerprint("ES001", Some("1"), "r", "x", &["user:bob"]),
            // The separator keeps field boundaries apart.
            fingerprint("ES001", Some("1r"), "", "x", &[]),
        ] {
            assert_ne!(base, other);
        }
        let r = demo();
        let a = parse(&r);
        assert_eq!(a, parse(&r), "same report, same log");
        let fps: Vec<&str> = a["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["partialFingerprints"][FINGERPRINT_KEY].as_str().unwrap())
            .collect();
        let distinct: BTreeSet<&str> = fps.iter().copied().collect();
        assert_eq!(distinct.len(), fps.len(), "{fps:?}");
        assert!(fps.iter().all(|f| f.len() == 64));
    }

    #[test]
    fn one_resource_failing_for_two_users_gives_two_alerts() {
        let mut r = demo();
        let i = first(&r, Status::Fail);
        let mut bob = r.results[i].clone();
        r.results[i].scopes = vec![Scope::Studio("es-1".into()), Scope::user("alice")];
        bob.scopes = vec![Scope::user("bob"), Scope::Studio("es-1".into())];
        r.results.insert(i + 1, bob);
        let v = parse(&r);
        let id = r.results[i].id;
        let fps: BTreeSet<&str> = v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["ruleId"] == id)
            .map(|x| x["partialFingerprints"][FINGERPRINT_KEY].as_str().unwrap())
            .collect();
        assert_eq!(fps.len(), 2, "{fps:?}");
        // Other scopes (studio, workgroup) and their order do not matter.
        let mut x = r.results[i].clone();
        x.scopes = vec![Scope::user("alice")];
        assert_eq!(identity_scopes(&x), identity_scopes(&r.results[i]));
    }

    #[test]
    fn waived_findings_are_suppressed_and_waiver_problems_are_configuration_notes() {
        let mut r = demo();
        let i = first(&r, Status::Fail);
        let until = studio_doctor_checks::Date::parse("2031-01-31");
        r.results[i].waived = waived("accepted until the migration", until);
        let j = first(&r, Status::Pass);
        r.results[j].status = Status::Error;
        r.results[j].waived = waived("no read access yet", until);
        let expired = studio_doctor_checks::Date::parse("2020-02-29");
        r.waivers.expired.push(waiver("ES006", expired));
        r.waivers.unmatched.push(waiver("ZZ999", expired));
        let v = parse(&r);
        validate(&v);
        let results = v["runs"][0]["results"].as_array().unwrap();
        let id = r.results[i].id;
        let res = results.iter().find(|x| x["ruleId"] == id).unwrap();
        assert_eq!(
            res["suppressions"],
            json!([{
                "justification": "accepted until the migration (waived until 2031-01-31)",
                "kind": "external",
                "status": "accepted"
            }])
        );
        assert_eq!(
            results
                .iter()
                .filter(|x| x.get("suppressions").is_some())
                .count(),
            1
        );
        let inv = &v["runs"][0]["invocations"][0];
        assert_eq!(inv["executionSuccessful"], true, "the only error is waived");
        let note = &inv["toolExecutionNotifications"][0];
        assert_eq!(note["level"], "note");
        assert!(
            note["message"]["text"]
                .as_str()
                .unwrap()
                .ends_with(" (waived: no read access yet)")
        );
        let config = inv["toolConfigurationNotifications"].as_array().unwrap();
        assert_eq!(config.len(), 2);
        assert_eq!(config[0]["level"], "warning");
        assert_eq!(
            config[0]["message"]["text"],
            "the waiver for ES006 (resource arn:*) expired on 2020-02-29: it no longer waives anything"
        );
        assert_eq!(config[0]["associatedRule"]["id"], "ES006");
        assert_eq!(config[1]["level"], "note");
        assert!(
            config[1].get("associatedRule").is_none(),
            "unknown check id"
        );
    }

    #[test]
    fn errors_become_notifications_and_an_unsuccessful_execution() {
        let mut r = demo();
        let i = first(&r, Status::Pass);
        r.results[i].status = Status::Error;
        r.results[i].message = "could not read the thing: AccessDenied".into();
        let v = parse(&r);
        validate(&v);
        let inv = &v["runs"][0]["invocations"][0];
        assert_eq!(inv["executionSuccessful"], false);
        let notes = inv["toolExecutionNotifications"].as_array().unwrap();
        assert_eq!(notes.len(), 1);
        let id = r.results[i].id;
        assert_eq!(notes[0]["associatedRule"]["id"], id);
        assert_eq!(notes[0]["level"], "error");
        assert_eq!(
            notes[0]["message"]["text"],
            format!(
                "{id} could not be evaluated for {}: could not read the thing: AccessDenied",
                r.results[i].resource
            )
        );
        // Not a result.
        let results = v["runs"][0]["results"].as_array().unwrap();
        assert_eq!(
            results.len(),
            r.summary.fail + r.summary.warn,
            "pass/skip/error are not results"
        );
    }
}
