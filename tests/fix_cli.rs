//! `studio-doctor fix` on the example accounts: the plan as text and JSON (valid
//! against its published schema), the simulation, the script directory, and
//! bad input.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

/// Run and return (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("studio-doctor")
        .unwrap()
        .env("COLUMNS", "100")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().expect("exited, not killed"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn plan_validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/plan-v1.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options().build(&schema).unwrap()
}

#[test]
fn the_demo_plan_names_its_steps_findings_and_manual_work() {
    let demo = example("demo-account.json");
    let (code, out, err) = run(&["fix", "--facts", &demo]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("Fix plan for account 111122223333, region ap-northeast-1: "),
        "{out}"
    );
    assert!(out.contains("Nothing has been changed."));
    assert!(out.contains("s3control:CreateAccessGrantsInstance\n    closes AG001"));
    assert!(
        out.contains("    $ aws s3control create-access-grants-instance --region ap-northeast-1")
    );
    assert!(out.contains("(recreates: not run by plan.sh)"));
}

#[test]
fn the_plan_json_validates_and_matches_the_report() {
    let demo = example("demo-account.json");
    let (code, out, _) = run(&["fix", "--facts", &demo, "--format", "json"]);
    assert_eq!(code, 0);
    let plan: Value = serde_json::from_str(&out).expect("stdout is only JSON");
    let errors: Vec<String> = plan_validator()
        .iter_errors(&plan)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(plan["plan_version"], 1);
    assert_eq!(plan["account_id"], "111122223333");
    // Every action of every failing result's fix is a step that names that result.
    let (_, report, _) = run(&["check", "--facts", &demo, "--format", "json"]);
    let report: Value = serde_json::from_str(&report).unwrap();
    let steps = plan["steps"].as_array().unwrap();
    for r in report["results"].as_array().unwrap() {
        let Some(actions) = r["remediation"]["actions"].as_array() else {
            continue;
        };
        for a in actions {
            let step = steps.iter().find(|s| {
                s["action"]["action"] == a["action"]
                    && s["closes"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|c| c["check"] == r["id"] && c["resource"] == r["resource"])
            });
            assert!(step.is_some(), "{} {}: {a}", r["id"], r["resource"]);
        }
    }
}

#[test]
fn simulate_shows_the_checks_before_and_after() {
    let (code, out, _) = run(&[
        "fix",
        "--facts",
        &example("demo-account.json"),
        "--simulate",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("Simulation: the plan applied to the facts read (AWS is not changed).\n  before the plan: "), "{out}");
    assert!(
        out.contains("every finding the applied steps claim passes afterwards"),
        "{out}"
    );
}

#[test]
fn the_healthy_account_has_nothing_to_fix() {
    let (code, out, _) = run(&["fix", "--facts", &example("healthy-account.json")]);
    assert_eq!(code, 0);
    assert!(
        out.contains(": 0 steps for 0 findings.\nNothing to fix"),
        "{out}"
    );
}

#[test]
fn output_dir_writes_a_script_bash_accepts_and_refuses_a_used_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("plan");
    let out_dir = out_dir.to_str().unwrap();
    let demo = example("demo-account.json");
    let (code, out, err) = run(&["fix", "--facts", &demo, "--output-dir", out_dir]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("/plan.sh, "), "{out}");
    let script = Path::new(out_dir).join("plan.sh");
    let text = std::fs::read_to_string(&script).unwrap();
    assert!(text.starts_with("#!/usr/bin/env bash\n"));
    assert!(text.contains("set -euo pipefail"));
    assert!(text.contains("ACCOUNT_ID=111122223333"));
    let syntax = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(syntax.status.success(), "{syntax:?}");
    let plan: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(out_dir).join("plan.json")).unwrap(),
    )
    .unwrap();
    // Every JSON document the script passes is a file it wrote.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        if let Some(i) = line.find("$(doc ") {
            let name = line[i + 6..].split(')').next().unwrap();
            assert!(
                Path::new(out_dir).join("policies").join(name).is_file(),
                "{name}"
            );
        }
    }
    assert!(!plan["steps"].as_array().unwrap().is_empty());
    let (code, _, err) = run(&["fix", "--facts", &demo, "--output-dir", out_dir]);
    assert_eq!(code, 2);
    assert!(
        err.contains("is not empty") && err.lines().count() == 1,
        "{err}"
    );
}

#[test]
fn bad_input_values_are_one_line_errors() {
    let demo = example("demo-account.json");
    for (args, says) in [
        (vec!["--input", "vpc=1"], "not an input name"),
        (vec!["--input", "VPC_ID"], "NAME=VALUE"),
        (vec!["--only", "XX999"], "unknown check"),
    ] {
        let mut all = vec!["fix", "--facts", demo.as_str()];
        all.extend(args);
        let (code, _, err) = run(&all);
        assert_eq!(code, 2, "{all:?}");
        assert!(err.contains(says) && err.lines().count() == 1, "{err}");
    }
}
