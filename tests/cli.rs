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
fn blog_account_exits_1() {
    let (code, v) = json_report(&[
        "check",
        "--facts",
        &example("blog-account.json"),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    assert!(v["summary"]["fail"].as_u64().unwrap() >= 3);
}

#[test]
fn fail_on_controls_the_exit_code() {
    let blog = example("blog-account.json");
    assert_eq!(run(&["check", "--facts", &blog, "--fail-on", "never"]).0, 0);
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
        let id = path.file_stem().unwrap().to_str().unwrap().to_string();
        let (_, v) = json_report(&[
            "check",
            "--facts",
            path.to_str().unwrap(),
            "--format",
            "json",
        ]);
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
fn demo_runs_the_embedded_blog_account() {
    let (code, out, _) = run(&["demo", "--format", "json"]);
    assert_eq!(code, 1);
    let (_, v) = json_report(&[
        "check",
        "--facts",
        &example("blog-account.json"),
        "--format",
        "json",
    ]);
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap(), v);
}

#[test]
fn saved_facts_replay_to_the_same_report() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("saved.json");
    let blog = example("blog-account.json");
    let (_, first, _) = run(&[
        "check",
        "--facts",
        &blog,
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
        &example("blog-account.json"),
        "--only",
        "ES001,WG001",
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("ES001") && out.contains("WG001"));
    assert!(!out.contains("ES006"));
    assert!(
        !out.contains('\u{1b}'),
        "no ANSI escapes when stdout is not a TTY"
    );
}

#[test]
fn snapshots_of_both_reports_for_both_examples() {
    for name in ["healthy-account", "blog-account"] {
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
        .filter(|l| l.starts_with("| ") && l.as_bytes().get(4) == Some(&b'0'))
        .count();
    assert_eq!(
        rows,
        v.as_array().unwrap().len(),
        "README lists a check that does not exist"
    );
}
