//! The CLI contract: exit codes, output streams, one-line errors, snapshots of
//! both reports for both example accounts.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn bin() -> Command {
    let mut c = Command::cargo_bin("studio-doctor").unwrap();
    // Deterministic rendering: UTF-8 marks, 100 columns, whatever the CI shell has.
    c.env_remove("NO_COLOR")
        .env("COLUMNS", "100")
        .env("LC_ALL", "C.UTF-8")
        .env("TERM", "xterm");
    c
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

/// Run and return (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).output().unwrap();
    (
        out.status.code().expect("exited, not killed"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn json_report(args: &[&str]) -> (i32, Value) {
    let (code, out, _) = run(args);
    let v: Value = serde_json::from_str(&out).expect("stdout is only JSON");
    (code, v)
}

fn statuses(v: &Value) -> Vec<(String, String)> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn healthy_account_exits_0_with_all_pass() {
    let (code, v) = json_report(&[
        "check",
        "--facts",
        &example("healthy-account.json"),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    assert!(statuses(&v).iter().all(|(_, s)| s == "pass"), "{v:#}");
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["summary"]["fail"], 0);
}

#[test]
fn demo_account_exits_1() {
    let (code, v) = json_report(&[
        "check",
        "--facts",
        &example("demo-account.json"),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    assert!(v["summary"]["fail"].as_u64().unwrap() >= 3);
}

#[test]
fn fail_on_controls_the_exit_code() {
    let demo = example("demo-account.json");
    // Never exit 1; but the checks the failures kept from running were not
    // evaluated, and that is exit 3, not a pass.
    assert_eq!(run(&["check", "--facts", &demo, "--fail-on", "never"]).0, 3);
    let healthy = example("healthy-account.json");
    assert_eq!(
        run(&["check", "--facts", &healthy, "--fail-on", "never"]).0,
        0
    );
    // ES006 alone is a warning: it fails the run only with --fail-on warning.
    let es006 = example("traps/ES006.json");
    assert_eq!(run(&["check", "--facts", &es006]).0, 0);
    assert_eq!(
        run(&["check", "--facts", &es006, "--fail-on", "warning"]).0,
        1
    );
}

#[test]
fn each_trap_file_fails_or_warns_its_check_in_json() {
    for entry in std::fs::read_dir(example("traps")).unwrap() {
        let path = entry.unwrap().path();
        // `<ID>.json`, or `<ID>-<what>.json` for a further setup of the same trap.
        let stem = path.file_stem().unwrap().to_str().unwrap();
        let id = stem.split('-').next().unwrap().to_string();
        let (_, v) = json_report(&[
            "check",
            "--facts",
            path.to_str().unwrap(),
            "--format",
            "json",
        ]);
        if id == "AC001" {
            // A target that could not be reached: its one result is an error.
            assert_eq!(statuses(&v), [(id.clone(), "error".to_string())]);
            continue;
        }
        let bad: Vec<_> = statuses(&v)
            .into_iter()
            .filter(|(_, s)| s == "fail" || s == "warn")
            .collect();
        assert!(
            !bad.is_empty() && bad.iter().all(|(i, _)| *i == id),
            "{id}: {bad:?}"
        );
    }
}

#[test]
fn unreadable_fact_gives_error_status_and_exit_3() {
    let mut facts: Value =
        serde_json::from_str(&std::fs::read_to_string(example("healthy-account.json")).unwrap())
            .unwrap();
    facts["access_grants"]["grants"] = serde_json::json!({"unknown": {
        "kind": "access_denied", "action": "s3:ListAccessGrants", "message": "not authorized"}});
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("facts.json");
    std::fs::write(&path, facts.to_string()).unwrap();
    let (code, v) = json_report(&[
        "check",
        "--facts",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 3);
    let errors: Vec<_> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "error")
        .collect();
    assert!(!errors.is_empty());
    for r in errors {
        assert_eq!(r["id"], "AG005");
        assert!(
            r["message"]
                .as_str()
                .unwrap()
                .contains("AccessDenied on s3:ListAccessGrants")
        );
    }
}

#[test]
fn usage_and_input_errors_exit_2_with_one_line() {
    let healthy = example("healthy-account.json");
    let dir = tempfile::tempdir().unwrap();
    let corrupt = dir.path().join("corrupt.json");
    std::fs::write(&corrupt, "{\"facts_version\": 1, \"target\": ").unwrap();
    let wrong = dir.path().join("wrong.json");
    std::fs::write(
        &wrong,
        r#"{"facts_version": 1, "target": {"region": "x"}, "studios": 5}"#,
    )
    .unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["check", "--facts", &healthy, "--only", "ES04"],
            "did you mean",
        ),
        (
            vec!["check", "--facts", &healthy, "--skip", "nope-nope"],
            "unknown check id",
        ),
        (vec!["explain", "XX999"], "unknown check id"),
        (
            vec!["check", "--facts", "/nonexistent/facts.json"],
            "cannot read facts file",
        ),
        (
            vec!["check", "--facts", corrupt.to_str().unwrap()],
            "not a valid facts file",
        ),
        (
            vec!["check", "--facts", wrong.to_str().unwrap()],
            "not a valid facts file",
        ),
        (
            vec!["check", "--facts", &healthy, "--user", "bob"],
            "cannot be combined",
        ),
    ];
    for (args, needle) in cases {
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: stdout {out}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    let (code, _, _) = run(&["check", "--no-such-flag"]);
    assert_eq!(code, 2);
}

#[test]
fn list_and_explain_cover_every_check() {
    let (code, out, _) = run(&["list"]);
    assert_eq!(code, 0);
    let (_, v) = json_report(&["list", "--format", "json"]);
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(ids.len() >= 12);
    for id in &ids {
        assert!(out.contains(id));
        let (code, text, _) = run(&["explain", id]);
        assert_eq!(code, 0);
        for section in [
            "Why it matters",
            "How to fix",
            "Permissions needed",
            "Evidence",
            "https://",
        ] {
            assert!(text.contains(section), "explain {id} lacks {section}");
        }
    }
    let (_, text, _) = run(&["explain", "es004"]);
    assert!(text.contains("sts:SetContext"));
}

#[test]
fn demo_runs_the_embedded_demo_account() {
    let (code, out, _) = run(&["demo", "--format", "json"]);
    assert_eq!(code, 1);
    let (_, v) = json_report(&[
        "check",
        "--facts",
        &example("demo-account.json"),
        "--format",
        "json",
    ]);
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap(), v);
}

#[test]
fn saved_facts_replay_to_the_same_report() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("saved.json");
    let demo = example("demo-account.json");
    let (_, first, _) = run(&[
        "check",
        "--facts",
        &demo,
        "--format",
        "json",
        "--save-facts",
        saved.to_str().unwrap(),
    ]);
    let (_, second, _) = run(&[
        "check",
        "--facts",
        saved.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(first, second);
}

#[test]
fn only_selects_checks_and_human_output_has_no_colour_off_tty() {
    let (code, out, _) = run(&[
        "check",
        "--facts",
        &example("demo-account.json"),
        "--only",
        "ES001,WG001",
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("ES001") && out.contains("WG001"));
    assert!(!out.contains("ES006 "), "{out}");
    assert!(
        !out.contains('\u{1b}'),
        "no ANSI escapes when stdout is not a TTY"
    );
}

#[test]
fn snapshots_of_both_reports_for_both_examples() {
    for name in ["healthy-account", "demo-account"] {
        let file = example(&format!("{name}.json"));
        let (_, human, _) = run(&["check", "--facts", &file]);
        let human = human.replace(env!("CARGO_PKG_VERSION"), "[version]");
        insta::assert_snapshot!(format!("{name}-table"), human);
        let (_, json, _) = run(&["check", "--facts", &file, "--format", "json"]);
        let mut v: Value = serde_json::from_str(&json).unwrap();
        v["tool"]["version"] = "[version]".into();
        insta::assert_json_snapshot!(format!("{name}-json"), v);
    }
}

/// The published schema of the JSON report (`schemas/report-v1.schema.json`,
/// kept in step with the report types by `checks/tests/schema.rs`).
fn report_validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/report-v1.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

#[test]
fn json_reports_of_both_examples_validate_against_the_published_schema() {
    let validator = report_validator();
    for name in ["healthy-account.json", "demo-account.json"] {
        let (_, v) = json_report(&["check", "--facts", &example(name), "--format", "json"]);
        assert!(!v["access_path"].as_array().unwrap().is_empty(), "{name}");
        let errors: Vec<String> = validator
            .iter_errors(&v)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
    // The validation can fail: the schema refuses what the report never writes.
    let (_, good) = json_report(&[
        "check",
        "--facts",
        &example("demo-account.json"),
        "--format",
        "json",
    ]);
    type Breakage = fn(&mut Value);
    let broken: [(&str, Breakage); 6] = [
        ("no status", |v| {
            v["results"][0].as_object_mut().unwrap().remove("status");
        }),
        ("unknown status", |v| {
            v["results"][0]["status"] = "ok".into()
        }),
        ("unknown area", |v| v["results"][0]["area"] = "s3".into()),
        ("other schema version", |v| v["schema_version"] = 2.into()),
        ("null waiver", |v| v["results"][0]["waived"] = Value::Null),
        (
            "date not a date",
            |v| {
                v["results"][0]["waived"] =
                    serde_json::json!({"reason": "r", "expires": "31/12/2030"})
            },
        ),
    ];
    assert!(validator.is_valid(&good));
    for (what, mutate) in broken {
        let mut v = good.clone();
        mutate(&mut v);
        assert!(!validator.is_valid(&v), "{what} passed validation");
    }
}

#[test]
fn readme_lists_every_check() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let (_, v) = json_report(&["list", "--format", "json"]);
    for c in v.as_array().unwrap() {
        let row = format!(
            "| {} | {} |",
            c["id"].as_str().unwrap(),
            c["name"].as_str().unwrap()
        );
        assert!(readme.contains(&row), "README lacks {row}");
        let title = c["title"].as_str().unwrap();
        assert!(
            readme.contains(title),
            "README lacks the title of {}",
            c["id"]
        );
    }
    let rows = readme
        .lines()
        .filter(|l| {
            // `| AB012 |`: a check id in the first column.
            let b = l.as_bytes();
            l.starts_with("| ")
                && b.len() > 8
                && b[2..4].iter().all(u8::is_ascii_uppercase)
                && b[4..7].iter().all(u8::is_ascii_digit)
                && b[7] == b' '
        })
        .count();
    assert_eq!(
        rows,
        v.as_array().unwrap().len(),
        "README lists a check that does not exist"
    );
}

// ---- formats, --output, the catalog as JSON, completions, CI examples ----

const FORMATS: [&str; 7] = [
    "table",
    "json",
    "json-lines",
    "sarif",
    "junit",
    "markdown",
    "github",
];

/// The SARIF 2.1.0 schema, with the one pattern it publishes that is not a valid
/// regex (for `language`, which studio-doctor never sets) removed in memory.
fn sarif_validator() -> jsonschema::Validator {
    fn drop_pattern(v: &mut Value) {
        match v {
            Value::Object(map) => {
                if map
                    .get("pattern")
                    .and_then(Value::as_str)
                    .is_some_and(|p| p.ends_with("]?$"))
                {
                    map.remove("pattern");
                }
                map.values_mut().for_each(drop_pattern);
            }
            Value::Array(items) => items.iter_mut().for_each(drop_pattern),
            _ => {}
        }
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-2.1.0.json");
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    drop_pattern(&mut schema);
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

/// Check that `text` is a well-formed document of `format` for a report with
/// `results` results (as in the JSON report `json`).
fn assert_valid(format: &str, text: &str, json: &Value) {
    let results = json["results"].as_array().unwrap();
    let problems = results
        .iter()
        .filter(|r| r["status"] == "fail" || r["status"] == "warn")
        .count();
    match format {
        "table" => {
            assert!(text.starts_with("studio-doctor "), "{text}");
            let last = text.lines().last().unwrap();
            assert!(
                last == "No issues found" || last.ends_with(" areas") || last.ends_with(" area"),
                "{last}"
            );
        }
        "json" => assert_eq!(&serde_json::from_str::<Value>(text).unwrap(), json),
        "json-lines" => {
            let lines: Vec<Value> = text
                .lines()
                .map(|l| serde_json::from_str(l).expect("each line is JSON"))
                .collect();
            assert_eq!(lines.len(), results.len());
            for (line, r) in lines.iter().zip(results) {
                assert_eq!(line["id"], r["id"]);
                assert_eq!(line["status"], r["status"]);
                assert_eq!(line["resource"], r["resource"]);
            }
        }
        "sarif" => {
            let v: Value = serde_json::from_str(text).unwrap();
            let errors: Vec<String> = sarif_validator()
                .iter_errors(&v)
                .map(|e| format!("{e} at {}", e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{errors:#?}");
            assert_eq!(v["version"], "2.1.0");
            let run = &v["runs"][0];
            assert_eq!(run["results"].as_array().unwrap().len(), problems);
            let rules: Vec<&str> = run["tool"]["driver"]["rules"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap())
                .collect();
            for r in run["results"].as_array().unwrap() {
                assert!(rules.contains(&r["ruleId"].as_str().unwrap()), "{r}");
            }
        }
        "junit" => {
            let doc = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
            assert_eq!(doc.root_element().tag_name().name(), "testsuites");
            let cases = doc
                .descendants()
                .filter(|n| n.has_tag_name("testcase"))
                .count();
            assert_eq!(cases, results.len());
            let failures = doc
                .descendants()
                .filter(|n| n.has_tag_name("failure"))
                .count();
            assert_eq!(failures as u64, json["summary"]["fail"].as_u64().unwrap());
        }
        "markdown" => {
            assert!(text.starts_with("### studio-doctor "), "{text}");
            for r in results
                .iter()
                .filter(|r| r["status"] != "pass" && r["status"] != "skip")
            {
                assert!(text.contains(r["id"].as_str().unwrap()), "{r}");
            }
        }
        "github" => {
            let annotations = text.lines().filter(|l| l.starts_with("::")).count();
            assert!(annotations >= problems, "{text}");
            for line in text.lines() {
                assert!(
                    line.starts_with("::") || line.starts_with("studio-doctor:"),
                    "{line}"
                );
            }
        }
        other => panic!("no validation for {other}"),
    }
}

/// Text of a report that may vary between releases.
fn stable(text: &str) -> String {
    text.replace(env!("CARGO_PKG_VERSION"), "[version]")
}

#[test]
fn every_format_for_both_examples_is_well_formed_and_snapshotted() {
    for (name, code) in [("healthy-account", 0), ("demo-account", 1)] {
        let file = example(&format!("{name}.json"));
        let (_, json) = json_report(&["check", "--facts", &file, "--format", "json"]);
        for format in FORMATS {
            let (got, out, err) = run(&["check", "--facts", &file, "--format", format]);
            assert_eq!(got, code, "{name} {format}: {err}");
            assert!(err.is_empty(), "{name} {format}: {err}");
            assert_valid(format, &out, &json);
            match format {
                // Snapshotted above as the table and JSON reports; JSON lines is the JSON.
                "table" | "json" | "json-lines" => {}
                // The rules carry every check's documentation: snapshot the findings.
                "sarif" => {
                    let v: Value = serde_json::from_str(&out).unwrap();
                    let run = &v["runs"][0];
                    insta::assert_json_snapshot!(
                        format!("{name}-sarif-results"),
                        serde_json::json!({
                            "results": run["results"],
                            "invocations": run["invocations"],
                        })
                    );
                }
                _ => insta::assert_snapshot!(format!("{name}-{format}"), stable(&out)),
            }
        }
    }
}

#[test]
fn output_writes_several_formats_in_one_run_and_keeps_the_table_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let demo = example("demo-account.json");
    let path = |f: &str| dir.path().join(f).display().to_string();
    let (sarif, junit, md) = (path("r.sarif"), path("r.xml"), path("summary.md"));
    let (code, out, err) = run(&[
        "check",
        "--facts",
        &demo,
        "--output",
        &format!("sarif={sarif}"),
        "--output",
        &format!("junit={junit}"),
        "--output",
        &format!("md={md}"),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.starts_with("studio-doctor "),
        "the table on stdout: {out}"
    );
    let (_, json) = json_report(&["check", "--facts", &demo, "--format", "json"]);
    for (format, file) in [("sarif", &sarif), ("junit", &junit), ("markdown", &md)] {
        let text = std::fs::read_to_string(file).unwrap();
        assert_valid(format, &text, &json);
        let (_, direct, _) = run(&["check", "--facts", &demo, "--format", format]);
        assert_eq!(
            text, direct,
            "{format}: the file holds what --format prints"
        );
    }
}

#[test]
fn output_file_alone_replaces_stdout_and_uses_format() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.json");
    let healthy = example("healthy-account.json");
    let (code, out, _) = run(&[
        "check",
        "--facts",
        &healthy,
        "--format",
        "json",
        "--output",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(out.is_empty(), "{out}");
    let (_, json) = json_report(&["check", "--facts", &healthy, "--format", "json"]);
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(written, json);
    // A table written to a file has no colour, whatever the terminal.
    let table = dir.path().join("report.txt");
    let (code, _, _) = run(&[
        "check",
        "--facts",
        &healthy,
        "--output",
        &format!("table={}", table.display()),
    ]);
    assert_eq!(code, 0);
    let text = std::fs::read_to_string(&table).unwrap();
    assert!(
        text.ends_with("No issues found\n") && !text.contains('\u{1b}'),
        "{text}"
    );
}

#[test]
fn bad_formats_and_unwritable_outputs_are_one_line_errors() {
    let healthy = example("healthy-account.json");
    let dir = tempfile::tempdir().unwrap();
    let dir_path = dir.path().to_str().unwrap().to_string();
    let missing = dir.path().join("no/such/dir/r.sarif");
    let twice = dir.path().join("twice.json");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--format".into(), "yaml".into()],
            "invalid value 'yaml' for '--format <FORMAT>' [possible values: table, json, json-lines, sarif, junit, markdown, github]",
        ),
        (
            vec!["--output".into(), "yaml=out.yml".into()],
            "--output yaml=out.yml: unknown format \"yaml\"",
        ),
        (vec!["--output".into(), "sarif=".into()], "no file name"),
        (
            vec!["--output".into(), format!("sarif={}", missing.display())],
            "does not exist",
        ),
        (
            vec!["--output".into(), dir_path.clone()],
            "it is a directory",
        ),
        (
            vec![
                "--output".into(),
                format!("json={}", twice.display()),
                "--output".into(),
                format!("sarif={}", twice.display()),
            ],
            "is given twice",
        ),
        (
            vec!["--severity".into(), "ES006=fatal".into()],
            "unknown level \"fatal\"",
        ),
        (
            vec!["--severity".into(), "ES006".into()],
            "expected ID=LEVEL",
        ),
        (
            vec!["--severity".into(), "ES600=error".into()],
            "unknown check id \"ES600\"",
        ),
        (
            vec!["--fail-on".into(), "sometimes".into()],
            "invalid value 'sometimes'",
        ),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["check".to_string(), "--facts".into(), healthy.clone()];
        args.extend(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("studio-doctor: error: "), "{err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    assert!(!missing.exists() && !twice.exists());
}

#[test]
fn severity_override_on_the_command_line_changes_status_and_exit_code() {
    // ES006 is a warning-severity check; its trap warns and exits 0.
    let es006 = example("traps/ES006.json");
    let status = |v: &Value, id: &str| -> Vec<(String, String)> {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["id"] == id)
            .map(|r| {
                (
                    r["severity"].as_str().unwrap().to_string(),
                    r["status"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let (code, v) = json_report(&["check", "--facts", &es006, "--format", "json"]);
    assert_eq!(code, 0);
    assert!(
        status(&v, "ES006")
            .iter()
            .all(|(s, st)| s == "warning" && st == "warn")
    );
    let (code, v) = json_report(&[
        "check",
        "--facts",
        &es006,
        "--format",
        "json",
        "--severity",
        "es006=error",
    ]);
    assert_eq!(code, 1);
    let es = status(&v, "ES006");
    assert!(
        !es.is_empty() && es.iter().all(|(s, st)| s == "error" && st == "fail"),
        "{es:?}"
    );
    // Down to info: still a warning in the report, never a failure, even with --fail-on warning.
    let (code, v) = json_report(&[
        "check",
        "--facts",
        &es006,
        "--format",
        "json",
        "--fail-on",
        "warning",
        "--severity",
        "ES001=error,studio-service-role-athena=info",
    ]);
    assert_eq!(code, 0);
    assert!(
        status(&v, "ES006")
            .iter()
            .all(|(s, st)| s == "info" && st == "warn")
    );
    // An error-severity check lowered to warning: its failure warns, exit 0.
    let es004 = example("traps/ES004.json");
    assert_eq!(run(&["check", "--facts", &es004]).0, 1);
    let (code, v) = json_report(&[
        "check",
        "--facts",
        &es004,
        "--format",
        "json",
        "--severity",
        "ES004=warning",
    ]);
    assert_eq!(code, 0);
    assert!(status(&v, "ES004").iter().any(|(_, st)| st == "warn"));
}

#[test]
fn explain_and_list_give_the_catalog_as_json() {
    let (_, list) = json_report(&["list", "--format", "json"]);
    for entry in list.as_array().unwrap() {
        let id = entry["id"].as_str().unwrap();
        let (code, v) = json_report(&["explain", &id.to_lowercase(), "--format", "json"]);
        assert_eq!(code, 0);
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "id",
                "name",
                "area",
                "severity",
                "title",
                "depends_on",
                "docs",
                "explanation"
            ]
        );
        for k in [
            "id",
            "name",
            "area",
            "severity",
            "title",
            "depends_on",
            "docs",
        ] {
            assert_eq!(v[k], entry[k], "{id} {k}");
        }
        let (_, text, _) = run(&["explain", id]);
        let doc = v["explanation"].as_str().unwrap();
        assert!(doc.contains("**How to fix.**"), "{id}");
        // The text is the same documentation, rendered for the terminal.
        let flat = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        let first_para = doc.split("\n\n").nth(1).unwrap().replace("**", "");
        if !first_para.contains('`') {
            assert!(flat(&text).contains(&flat(&first_para)), "{id}: {text}");
        }
        for url in doc.split_whitespace().filter(|w| w.starts_with("https://")) {
            assert!(text.contains(url), "{id}: {url}");
        }
    }
    let (code, _, err) = run(&["explain", "ES004", "--format", "sarif"]);
    assert_eq!((code, err.lines().count()), (2, 1), "{err}");
}

#[test]
fn completions_for_each_shell_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let (code, out, err) = run(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(out.len() > 500, "{shell}: {out}");
        for word in [
            "studio-doctor",
            "check",
            "explain",
            "format",
            "json-lines",
            "severity",
        ] {
            assert!(out.contains(word), "{shell} completion lacks {word}");
        }
    }
    assert_eq!(run(&["completions", "tcsh"]).0, 2);
}

fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn steps_using<'a>(steps: &'a [Value], action: &str) -> Vec<&'a Value> {
    steps
        .iter()
        .filter(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(action)))
        .collect()
}

#[test]
fn github_actions_example_assumes_a_role_runs_uploads_sarif_and_gates() {
    let w = yaml("docs/ci/github-actions.yml");
    assert!(w["on"].is_object(), "{w:#}");
    assert_eq!(w["permissions"]["id-token"], "write");
    assert_eq!(w["permissions"]["security-events"], "write");
    let jobs = w["jobs"].as_object().unwrap();
    assert_eq!(jobs.len(), 1);
    let job = jobs.values().next().unwrap();
    let steps = job["steps"].as_array().unwrap();
    let aws = steps_using(steps, "aws-actions/configure-aws-credentials@");
    assert_eq!(aws.len(), 1);
    assert!(
        aws[0]["with"]["role-to-assume"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:iam::")
    );
    assert!(aws[0]["with"]["aws-region"].is_string());
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(
        runs.iter()
            .any(|r| r.contains("cargo") && r.contains("install"))
    );
    let doctor = steps
        .iter()
        .find(|s| {
            s["run"]
                .as_str()
                .is_some_and(|r| r.contains("studio-doctor check"))
        })
        .expect("a step runs studio-doctor check");
    let cmd = doctor["run"].as_str().unwrap();
    for flag in [
        "--output sarif=results.sarif",
        "--output markdown=summary.md",
    ] {
        assert!(cmd.contains(flag), "{cmd}");
    }
    let id = doctor["id"].as_str().unwrap();
    let upload = steps_using(steps, "github/codeql-action/upload-sarif@");
    assert_eq!(upload.len(), 1);
    assert_eq!(upload[0]["with"]["sarif_file"], "results.sarif");
    assert!(upload[0]["if"].as_str().unwrap().contains("always()"));
    assert!(
        runs.iter()
            .any(|r| r.contains("cat summary.md >> \"$GITHUB_STEP_SUMMARY\""))
    );
    let gate = steps.last().unwrap()["run"].as_str().unwrap();
    assert!(
        gate.contains(&format!("steps.{id}.outputs.exit-code")),
        "{gate}"
    );
    // The order: credentials, run, upload, summary, gate.
    let pos = |pred: &dyn Fn(&Value) -> bool| steps.iter().position(pred).unwrap();
    let at_aws = pos(&|s| {
        s["uses"]
            .as_str()
            .is_some_and(|u| u.contains("configure-aws"))
    });
    let at_run = pos(&|s| s["id"] == id);
    let at_upload = pos(&|s| {
        s["uses"]
            .as_str()
            .is_some_and(|u| u.contains("upload-sarif"))
    });
    assert!(at_aws < at_run && at_run < at_upload, "{steps:#?}");
}

#[test]
fn gitlab_example_publishes_a_junit_report() {
    let c = yaml("docs/ci/gitlab-ci.yml");
    let (name, job) = c
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, j)| j.get("script").is_some())
        .expect("a job");
    let script: Vec<&str> = job["script"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let run = script
        .iter()
        .find(|s| s.contains("studio-doctor check"))
        .unwrap_or_else(|| panic!("{name} does not run studio-doctor check"));
    let junit = job["artifacts"]["reports"]["junit"].as_str().unwrap();
    assert!(run.contains(&format!("--output junit={junit}")), "{run}");
    assert_eq!(job["artifacts"]["when"], "always");
    assert!(
        job["id_tokens"].is_object(),
        "OIDC: an ID token for AssumeRoleWithWebIdentity"
    );
    assert!(
        job["variables"]["AWS_ROLE_ARN"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:iam::")
    );
    assert!(job["variables"]["AWS_WEB_IDENTITY_TOKEN_FILE"].is_string());
}

#[test]
fn readme_links_the_ci_examples_instead_of_copying_them() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    for file in ["docs/ci/github-actions.yml", "docs/ci/gitlab-ci.yml"] {
        assert!(
            readme.contains(&format!("]({file})")),
            "README links {file}"
        );
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let first = text.lines().next().unwrap();
        assert!(!readme.contains(first), "README copies {file}");
    }
    assert!(
        !readme.contains("registry::ALIASES"),
        "internal names stay out"
    );
}

#[test]
fn readme_opens_with_a_real_report_and_says_the_example_exits_1() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let out = bin()
        .env("COLUMNS", "80")
        .args(["check", "--facts", &example("traps/AG001.json")])
        .output()
        .unwrap();
    let report = String::from_utf8(out.stdout).unwrap();
    // The first 19 lines as printed (the version line may lag behind a release).
    let head: Vec<&str> = report.lines().skip(1).take(18).collect();
    let block = format!("\n{}\n```", head.join("\n"));
    let at = readme
        .find(&block)
        .expect("README shows the report's first 19 lines as printed");
    assert!(
        readme[..at].ends_with("```\nstudio-doctor 0.1.0"),
        "the version line"
    );
    assert!(at < readme.find("## Two commands").unwrap(), "near the top");
    assert!(readme.contains("The first command **exits 1**"));
    let (code, _, _) = run(&["check", "--facts", &example("demo-account.json")]);
    assert_eq!(code, 1);
}

#[test]
fn a_run_that_would_evaluate_nothing_is_a_usage_error() {
    let healthy = example("healthy-account.json");
    let all: Vec<String> = {
        let (_, out, _) = run(&["list", "--format", "json"]);
        let rows: Value = serde_json::from_str(&out).unwrap();
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    let every = all.join(",");
    for args in [
        vec!["check", "--facts", &healthy, "--skip", &every],
        vec![
            "check", "--facts", &healthy, "--only", "ES004", "--skip", "ES004",
        ],
        vec!["check", "--facts", &healthy, "--only", ""],
        vec!["check", "--facts", &healthy, "--only", " , "],
        vec!["demo", "--only", ""],
    ] {
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
}

#[test]
fn a_plain_check_names_the_flags_that_turn_skipped_checks_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut facts: Value =
        serde_json::from_str(&std::fs::read_to_string(example("healthy-account.json")).unwrap())
            .unwrap();
    facts["target"]["users"] = serde_json::json!([]);
    facts["target"]["tables"] = serde_json::json!([]);
    facts["users"] = serde_json::json!([]);
    facts["tables"] = serde_json::json!({});
    let path = dir.path().join("plain.json");
    std::fs::write(&path, facts.to_string()).unwrap();
    let file = path.to_str().unwrap();
    let (code, out, err) = run(&["check", "--facts", file]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("No issues found"), "not a full pass: {out}");
    let last = out.trim_end().lines().last().unwrap();
    assert!(last.contains("not run"), "{out}");
    assert!(out.contains("--user") && out.contains("--table"), "{out}");
    let (_, v) = json_report(&["check", "--facts", file, "--format", "json"]);
    let ic003 = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "IC003")
        .unwrap();
    assert_eq!(ic003["needs"], serde_json::json!(["--user"]));
}

/// Lines over `width` columns that are not a command, a URL or one word that
/// cannot be broken (an ARN).
fn too_wide(text: &str, width: usize) -> Vec<String> {
    text.lines()
        .filter(|l| l.chars().count() > width)
        .filter(|l| {
            let t = l.trim_start();
            let words: Vec<&str> = t
                .split_whitespace()
                .filter(|w| *w != "—" && *w != "-")
                .collect();
            !(t.starts_with("$ ") || t.contains("https://") || words.len() == 1)
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn every_screen_fits_80_columns() {
    let narrow = |args: &[&str]| {
        let out = bin().env("COLUMNS", "80").args(args).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let mut screens = vec![
        ("demo".to_string(), narrow(&["demo"])),
        ("demo -v".to_string(), narrow(&["demo", "-v"])),
        ("list".to_string(), narrow(&["list"])),
        (
            "demo, checks left out".to_string(),
            narrow(&["demo", "--skip", "IC001,ES004,WG009,LF002,AG005"]),
        ),
    ];
    let ascii = bin()
        .env("COLUMNS", "80")
        .env("LC_ALL", "C")
        .arg("demo")
        .output()
        .unwrap();
    screens.push((
        "demo (C locale)".into(),
        String::from_utf8(ascii.stdout).unwrap(),
    ));
    let (_, v) = json_report(&["list", "--format", "json"]);
    for c in v.as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        screens.push((format!("explain {id}"), narrow(&["explain", id])));
    }
    for (what, text) in screens {
        assert!(text.contains('\n'), "{what}: empty");
        let wide = too_wide(&text, 80);
        assert!(
            wide.is_empty(),
            "{what}: lines over 80 columns:\n{}",
            wide.join("\n")
        );
    }
}

#[test]
fn explain_is_terminal_text_not_markdown() {
    let (_, text, _) = run(&["explain", "ES004"]);
    assert!(!text.contains("**"), "{text}");
    assert!(!text.contains('`'), "{text}");
    assert!(
        text.starts_with("ES004 studio-user-role-trust-set-context\n"),
        "{text}"
    );
    assert!(
        text.contains("\n  $ aws iam update-assume-role-policy --role-name"),
        "{text}"
    );
}

#[test]
fn the_ascii_summary_table_has_column_junctions() {
    let out = bin().env("LC_ALL", "C").arg("demo").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('✗') && !text.contains('╭'), "{text}");
    assert!(
        text.contains("\n+======+======+======+======+=======+\n"),
        "{text}"
    );
}

#[test]
fn access_path_hops_list_only_their_own_checks_that_did_not_pass() {
    let trap = example("traps/ES003.json");
    let (_, out, _) = run(&["check", "--facts", &trap]);
    assert!(!out.contains("skipped: see"), "{out}");
    let hop = out
        .lines()
        .find(|l| l.trim_start().starts_with("✗ assumes user role:"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        hop.contains("see ES003; not run: ES004, ES005, ES009"),
        "{hop}"
    );
    let (_, v) = json_report(&["check", "--facts", &trap, "--format", "json"]);
    let hops = v["access_path"][0]["hops"].as_array().unwrap();
    assert_eq!(hops[2]["problems"], serde_json::json!(["ES003"]));
    assert!(
        !hops[2]["checks"]
            .as_array()
            .unwrap()
            .contains(&"ES006".into())
    );
    // The service role's warning marks the Studio hop, not the user role's.
    let es006 = example("traps/ES006.json");
    let (_, v) = json_report(&["check", "--facts", &es006, "--format", "json"]);
    let hops = v["access_path"][0]["hops"].as_array().unwrap();
    assert_eq!(
        (hops[1]["status"].as_str(), hops[2]["status"].as_str()),
        (Some("warn"), Some("pass"))
    );
}

/// The binary with no AWS settings but a home holding `config` as ~/.aws/config.
fn bare_aws(config: &str) -> (tempfile::TempDir, Command) {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir(home.path().join(".aws")).unwrap();
    std::fs::write(home.path().join(".aws/config"), config).unwrap();
    let mut c = Command::cargo_bin("studio-doctor").unwrap();
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .current_dir(home.path());
    (home, c)
}

#[test]
fn a_mistyped_profile_is_named_with_the_defined_ones() {
    let (_home, mut c) =
        bare_aws("[default]\nregion = us-east-1\n[profile audit]\nregion = us-east-1\n");
    let out = c
        .args(["check", "--profile", "audti", "--timeout", "5"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("profile `audti` is not defined in the AWS config files"),
        "{err}"
    );
    assert!(
        err.contains("did you mean `audit`?") && err.contains("default"),
        "{err}"
    );
    assert!(
        !err.contains("pass --profile") && !err.contains("IMDS"),
        "{err}"
    );
}

#[test]
fn missing_credentials_and_region_are_reported_together() {
    let (_home, mut c) = bare_aws("");
    let out = c.args(["check", "--timeout", "5"]).output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("no AWS credentials") && err.contains("no AWS region"),
        "{err}"
    );
}

#[test]
fn a_facts_directory_is_one_report_over_its_targets() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(example("healthy-account.json"), dir.path().join("a.json")).unwrap();
    let mut demo: Value =
        serde_json::from_str(&std::fs::read_to_string(example("demo-account.json")).unwrap())
            .unwrap();
    demo["target"]["region"] = "eu-west-1".into();
    std::fs::write(dir.path().join("b.json"), demo.to_string()).unwrap();
    let d = dir.path().to_str().unwrap();
    let (code, v) = json_report(&["check", "--facts", d, "--format", "json"]);
    // The worst target decides the exit code: the demo account fails.
    assert_eq!(code, 1);
    let targets = v["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 2);
    assert_eq!(targets[0]["region"], "ap-northeast-1");
    assert_eq!(targets[0]["summary"]["fail"], 0);
    assert_eq!(targets[1]["region"], "eu-west-1");
    let results = v["results"].as_array().unwrap();
    let in_region = |r: &str| results.iter().filter(|x| x["region"] == r).count();
    assert!(in_region("ap-northeast-1") > 0 && in_region("eu-west-1") > 0);
    assert_eq!(
        in_region("ap-northeast-1") + in_region("eu-west-1"),
        results.len()
    );
    assert!(results.iter().all(|r| r["account_id"] == "111122223333"));
    let fails = results.iter().filter(|r| r["status"] == "fail").count();
    assert_eq!(v["summary"]["fail"], fails);
    let errors: Vec<String> = report_validator()
        .iter_errors(&v)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // People read one section per target and a line for the run.
    let (_, text, _) = run(&["check", "--facts", d]);
    assert!(text.contains("=== account 111122223333, region ap-northeast-1 ==="));
    assert!(text.contains("=== account 111122223333, region eu-west-1 ==="));
    assert!(text.contains("\n2 targets: "), "{text}");
    // The same two files given one by one make the same report.
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    let (_, v2) = json_report(&[
        "check",
        "--facts",
        a.to_str().unwrap(),
        "--facts",
        b.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(v, v2);
    // Every format names each result's target.
    let (_, sarif, _) = run(&["check", "--facts", d, "--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let regions: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["properties"]["region"].as_str().unwrap())
        .collect();
    // Only the findings are SARIF results: the healthy target has none.
    assert!(
        !regions.is_empty() && regions.iter().all(|r| *r == "eu-west-1"),
        "{regions:?}"
    );
    let (_, junit, _) = run(&["check", "--facts", d, "--format", "junit"]);
    assert!(
        junit.contains("name=\"EMR Studio (111122223333 eu-west-1)\""),
        "{junit}"
    );
    assert!(junit.contains("name=\"EMR Studio (111122223333 ap-northeast-1)\""));
    let (_, github, _) = run(&["check", "--facts", d, "--format", "github"]);
    assert!(
        github.contains("title=[111122223333 eu-west-1] "),
        "{github}"
    );
    let (_, md, _) = run(&["check", "--facts", d, "--format", "markdown"]);
    assert_eq!(md.matches("\n---\n").count(), 1, "{md}");
    // A command that takes one target says so in one line.
    let (code, _, err) = run(&["fix", "--facts", d]);
    assert_eq!(code, 2);
    assert!(
        err.contains("2 targets (account and region) given") && err.lines().count() == 1,
        "{err}"
    );
    let empty = tempfile::tempdir().unwrap();
    let (code, _, err) = run(&["check", "--facts", empty.path().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("holds no .json file"), "{err}");
}

/// `permissions` output as JSON (exit 0, only JSON on stdout, nothing on stderr).
fn permissions(args: &[&str]) -> Value {
    let mut all = vec!["permissions"];
    all.extend_from_slice(args);
    let (code, out, err) = run(&all);
    assert_eq!((code, err.as_str()), (0, ""), "{all:?}");
    serde_json::from_str(&out).expect("stdout is only JSON")
}

#[test]
fn permissions_by_default_is_the_read_only_policy() {
    let p = permissions(&[]);
    let statements = p["Statement"].as_array().unwrap();
    assert_eq!(p.as_object().unwrap().len(), 2);
    assert_eq!(p["Version"], "2012-10-17");
    assert_eq!(statements.len(), 1);
    let s = &statements[0];
    let keys: Vec<&String> = s.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["Sid", "Effect", "Action", "Resource"]);
    assert_eq!(
        (&s["Sid"], &s["Effect"], &s["Resource"]),
        (&"StudioDoctorReadOnly".into(), &"Allow".into(), &"*".into())
    );
    // The operations table makes the list (sorted, reads only: its unit tests);
    // the caller's statements stay out of it.
    let actions = s["Action"].as_array().unwrap();
    assert!(actions.contains(&"organizations:DescribeOrganization".into()));
    assert!(!actions.contains(&"sts:AssumeRole".into()));
    assert!(!actions.contains(&"organizations:ListAccounts".into()));
}

#[test]
fn permissions_for_the_caller_assume_the_audit_role_and_list_the_organization() {
    let want = |role: &str| {
        serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "StudioDoctorAssumeAuditRole", "Effect": "Allow",
                 "Action": "sts:AssumeRole", "Resource": format!("arn:aws:iam::*:role/{role}")},
                {"Sid": "StudioDoctorListAccounts", "Effect": "Allow",
                 "Action": ["organizations:ListAccounts", "organizations:ListTagsForResource"], "Resource": "*"},
                {"Sid": "StudioDoctorDescribeOrganization", "Effect": "Allow",
                 "Action": "organizations:DescribeOrganization", "Resource": "*"}
            ]
        })
    };
    assert_eq!(permissions(&["--caller"]), want("StudioDoctorAudit"));
    assert_eq!(
        permissions(&["--caller", "--role-name", "OrgAudit"]),
        want("OrgAudit")
    );
}

#[test]
fn permissions_trust_policy_lets_the_caller_assume_the_audit_role() {
    let want = |principal: &str, external_id: Option<&str>| {
        let mut s = serde_json::json!({"Sid": "StudioDoctorCaller", "Effect": "Allow",
            "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"});
        if let Some(id) = external_id {
            s["Condition"] = serde_json::json!({"StringEquals": {"sts:ExternalId": id}});
        }
        serde_json::json!({"Version": "2012-10-17", "Statement": [s]})
    };
    let role = "arn:aws:iam::111122223333:role/ci/StudioDoctorRunner";
    assert_eq!(
        permissions(&["--trust-policy", "--caller-arn", role]),
        want(role, None)
    );
    assert_eq!(
        permissions(&[
            "--trust-policy",
            "--caller-arn",
            "111122223333",
            "--external-id",
            "studio-doctor-7f3a"
        ]),
        want("arn:aws:iam::111122223333:root", Some("studio-doctor-7f3a"))
    );
    let user = "arn:aws:iam::111122223333:user/alice";
    assert_eq!(
        permissions(&["--trust-policy", "--caller-arn", user]),
        want(user, None)
    );
}

#[test]
fn permissions_flags_that_do_not_fit_are_one_line_errors() {
    for (args, says) in [
        (
            &["--caller", "--trust-policy", "--caller-arn", "111122223333"][..],
            "cannot be used with",
        ),
        (&["--role-name", "R"], "--caller"),
        (&["--trust-policy"], "--caller-arn"),
        (&["--caller-arn", "111122223333"], "--trust-policy"),
        (&["--external-id", "abc"], "--trust-policy"),
        (&["--caller", "--external-id", "abc"], "cannot be used with"),
        (
            &[
                "--trust-policy",
                "--caller-arn",
                "111122223333",
                "--role-name",
                "R",
            ],
            "cannot be used with",
        ),
        (
            &["--trust-policy", "--caller-arn", "arn:aws:iam::1111:root"],
            "--caller-arn: expected",
        ),
        (
            &[
                "--trust-policy",
                "--caller-arn",
                "arn:aws:iam::111122223333:group/g",
            ],
            "--caller-arn: expected",
        ),
        (
            &[
                "--trust-policy",
                "--caller-arn",
                "arn:aws:sts::111122223333:assumed-role/Runner/s",
            ],
            "is a role session",
        ),
        (
            &[
                "--trust-policy",
                "--caller-arn",
                "111122223333",
                "--external-id",
                "a b",
            ],
            "--external-id:",
        ),
        (&["--caller", "--role-name", "a/b"], "--role-name:"),
    ] {
        let mut all = vec!["permissions"];
        all.extend_from_slice(args);
        let (code, out, err) = run(&all);
        assert_eq!(code, 2, "{all:?}");
        assert!(out.is_empty(), "{all:?}: {out}");
        assert!(
            err.starts_with("studio-doctor: error: ") && err.lines().count() == 1,
            "{all:?}: {err}"
        );
        assert!(err.contains(says), "{all:?}: {err}");
    }
}

#[test]
fn the_audit_role_template_carries_the_permissions_policy() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("deploy/audit-role.yaml")).unwrap();
    let t: Value = serde_norway::from_str(&text).expect("plain YAML (long-form Ref, Fn::If)");
    let role = &t["Resources"]["AuditRole"];
    assert_eq!(role["Type"], "AWS::IAM::Role");
    let policy = &role["Properties"]["Policies"][0]["PolicyDocument"];
    let want = permissions(&[]);
    assert_eq!(
        *policy,
        want,
        "deploy/audit-role.yaml's policy is not `studio-doctor permissions`; its actions now are:\n{}",
        want["Statement"][0]["Action"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| format!("                  - {}", a.as_str().unwrap()))
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The trust statement is `permissions --trust-policy`'s, with the parameters.
    let params = &t["Parameters"];
    assert_eq!(params["RoleName"]["Default"], "StudioDoctorAudit");
    assert_eq!(params["ExternalId"]["Default"], "");
    assert!(params["CallerArn"].is_object());
    let trust = &role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0];
    let cli = permissions(&["--trust-policy", "--caller-arn", "111122223333"]);
    for key in ["Sid", "Effect", "Action"] {
        assert_eq!(trust[key], cli["Statement"][0][key], "{key}");
    }
    assert_eq!(trust["Principal"]["AWS"]["Ref"], "CallerArn");
    assert_eq!(
        trust["Condition"]["Fn::If"][1]["StringEquals"]["sts:ExternalId"]["Ref"],
        "ExternalId"
    );
    assert_eq!(role["Properties"]["RoleName"]["Ref"], "RoleName");
    // The Terraform snippet reads the same policy from the file `permissions` writes.
    let tf = std::fs::read_to_string(root.join("deploy/audit-role.tf")).unwrap();
    for needle in [
        "studio-doctor-policy.json",
        "sts:ExternalId",
        "variable \"caller_arn\"",
        "variable \"external_id\"",
        "\"StudioDoctorAudit\"",
    ] {
        assert!(tf.contains(needle), "deploy/audit-role.tf lacks {needle}");
    }
}

#[test]
fn readme_deploys_the_audit_role_template_with_its_parameters() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let text = std::fs::read_to_string(root.join("deploy/audit-role.yaml")).unwrap();
    let t: Value = serde_norway::from_str(&text).unwrap();
    let params = t["Parameters"].as_object().unwrap();
    let commands: Vec<&str> = readme
        .lines()
        .filter(|l| l.starts_with("aws cloudformation ") || l.contains("`aws cloudformation "))
        .collect();
    assert!(commands.len() >= 3, "{commands:?}");
    for line in commands {
        for (i, _) in line.match_indices("ParameterKey=") {
            let key: String = line[i + 13..]
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            assert!(params.contains_key(&key), "README passes {key}: {line}");
        }
        if line.contains("--template-body") {
            assert!(line.contains("--template-body file://deploy/audit-role.yaml"));
        }
    }
    for link in ["](deploy/audit-role.yaml)", "](deploy/audit-role.tf)"] {
        assert!(readme.contains(link), "README links {link}");
    }
}
