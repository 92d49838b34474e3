//! The config file (`studio-doctor.toml`), severity overrides and waivers, through
//! the real binary: defaults, flag precedence, every error with its line number,
//! and the effect of waivers on the report and the exit code.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

/// A directory holding one `studio-doctor.toml` (the binary runs in it).
struct Dir(tempfile::TempDir);

impl Dir {
    fn with_config(text: &str) -> Dir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("studio-doctor.toml"), text).unwrap();
        Dir(dir)
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    /// Run in this directory: (exit code, stdout, stderr).
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        self.run_on(None, args)
    }

    fn run_on(&self, today: Option<&str>, args: &[&str]) -> (i32, String, String) {
        let mut c = Command::cargo_bin("studio-doctor").unwrap();
        c.current_dir(self.path())
            .env_remove("NO_COLOR")
            .env_remove("STUDIO_DOCTOR_TODAY")
            .env("COLUMNS", "100")
            .env("LC_ALL", "C.UTF-8")
            .env("TERM", "xterm");
        if let Some(t) = today {
            c.env("STUDIO_DOCTOR_TODAY", t);
        }
        let out = c.args(args).output().unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }

    /// `check --facts <example> --format json ...`: (exit code, report).
    fn json(&self, today: Option<&str>, facts: &str, extra: &[&str]) -> (i32, Value) {
        let file = example(facts);
        let mut args = vec!["check", "--facts", &file, "--format", "json"];
        args.extend_from_slice(extra);
        let (code, out, err) = self.run_on(today, &args);
        let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
        (code, v)
    }
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

fn ids(v: &Value) -> Vec<String> {
    let mut ids: Vec<String> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    ids.dedup();
    ids
}

fn results<'a>(v: &'a Value, id: &str) -> Vec<&'a Value> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == id)
        .collect()
}

const ES006_ROLE: &str = "arn:aws:iam::111122223333:role/EMRStudio-ServiceRole";

#[test]
fn the_config_in_the_working_directory_sets_the_defaults() {
    let dir = Dir::with_config(
        "# team defaults\nonly = [\"ES006\", \"ES001\"]\nskip = [\"studio-auth-mode-identity-center\"]\nfail_on = \"warning\"\nformat = \"json\"\n",
    );
    let es006 = example("traps/ES006.json");
    let (code, out, err) = dir.run(&["check", "--facts", &es006]);
    assert_eq!(code, 1, "fail_on = warning fails on ES006's warning: {err}");
    let v: Value = serde_json::from_str(&out).expect("format = json");
    assert_eq!(ids(&v), ["ES006"], "only and skip");
}

#[test]
fn flags_win_over_the_config_file() {
    let dir = Dir::with_config(
        "only = [\"ES006\"]\nfail_on = \"warning\"\nformat = \"json\"\n[severity]\nES006 = \"error\"\n",
    );
    let es006 = example("traps/ES006.json");
    let (code, out, _) = dir.run(&[
        "check",
        "--facts",
        &es006,
        "--format",
        "table",
        "--fail-on",
        "never",
        "--only",
        "ES001,ES006",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("studio-doctor ") && out.contains("ES001"),
        "{out}"
    );
    // The file's severity override applies; --severity replaces it for that check.
    let (code, v) = dir.json(None, "traps/ES006.json", &["--fail-on", "error"]);
    assert_eq!(code, 1);
    assert!(results(&v, "ES006").iter().all(|r| r["status"] == "fail"));
    let (code, v) = dir.json(
        None,
        "traps/ES006.json",
        &["--fail-on", "error", "--severity", "ES006=warning"],
    );
    assert_eq!(code, 0);
    assert!(results(&v, "ES006").iter().all(|r| r["status"] == "warn"));
}

#[test]
fn no_config_ignores_the_file_and_config_names_another() {
    let dir = Dir::with_config("only = [\"ES006\"]\n");
    std::fs::write(dir.path().join("other.toml"), "only = [\"WG001\"]\n").unwrap();
    let (_, v) = dir.json(None, "healthy-account.json", &[]);
    assert_eq!(ids(&v), ["ES006"]);
    let (_, v) = dir.json(None, "healthy-account.json", &["--no-config"]);
    assert!(ids(&v).len() > 30);
    let (_, v) = dir.json(None, "healthy-account.json", &["--config", "other.toml"]);
    assert_eq!(ids(&v), ["WG001"]);
    let healthy = example("healthy-account.json");
    let (code, out, err) = dir.run(&["check", "--facts", &healthy, "--config", "missing.toml"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.contains("cannot read config file missing.toml"),
        "{err}"
    );
    // A broken file is an error even when flags give every value it holds.
    std::fs::write(dir.path().join("studio-doctor.toml"), "only = 5\n").unwrap();
    let (code, _, err) = dir.run(&["check", "--facts", &healthy, "--only", "ES001"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(run_ok_without_config(&dir, &healthy), 0);
}

fn run_ok_without_config(dir: &Dir, facts: &str) -> i32 {
    dir.run(&["check", "--facts", facts, "--no-config"]).0
}

#[test]
fn config_mistakes_are_one_line_errors_with_file_and_line() {
    let cases = [
        (
            "region = \"ap-northeast-1\"\n\nregoin = \"x\"\n",
            "studio-doctor.toml:3:1: unknown field `regoin`, expected one of",
        ),
        (
            "users = \"alice\"\n",
            "studio-doctor.toml:1:9: invalid type: string \"alice\", expected a sequence",
        ),
        (
            "fail_on = \"sometimes\"\n",
            "studio-doctor.toml:1:11: unknown variant `sometimes`",
        ),
        (
            "only = [\"ES001\",\n  \"ES04\"]\n",
            "studio-doctor.toml:2:3: unknown check id \"ES04\" (did you mean",
        ),
        (
            "[severity]\nES006 = \"fatal\"\n",
            "studio-doctor.toml:2:9: unknown variant `fatal`",
        ),
        (
            "[[waiver]]\ncheck = \"ES006\"\nresource = \"arn:*\"\n",
            "studio-doctor.toml:1:1: missing field `reason`",
        ),
        (
            "[[waiver]]\ncheck = \"ES006\"\nreason = \"r\"\nexpires = \"31/12/2030\"\n",
            "studio-doctor.toml:4:11: waiver: expires = \"31/12/2030\" is not a date (expected YYYY-MM-DD)",
        ),
        (
            "[[waiver]]\ncheck = \"ES006\"\nreason = \"r\"\nticket = 5\n",
            "studio-doctor.toml:4:1: unknown field `ticket`",
        ),
        ("region = [\n", "studio-doctor.toml:1:11: unclosed array"),
    ];
    let healthy = example("healthy-account.json");
    for (text, want) in cases {
        let dir = Dir::with_config(text);
        let (code, out, err) = dir.run(&["check", "--facts", &healthy]);
        assert_eq!(code, 2, "{text:?}: {err}");
        assert!(out.is_empty());
        assert_eq!(err.lines().count(), 1, "{err}");
        let want = format!("studio-doctor: error: {want}");
        assert!(
            err.starts_with(&want),
            "{text:?}\n  got  {err}  want {want}"
        );
    }
}

#[test]
fn with_facts_the_config_target_must_match_the_saved_target() {
    let demo = example("demo-account.json");
    // The demo account was saved for ap-northeast-1 and user alice; profile is ignored.
    let dir = Dir::with_config(
        "region = \"ap-northeast-1\"\nprofile = \"audit\"\nusers = [\"alice\"]\nfail_on = \"never\"\n",
    );
    // fail_on = never applies: no exit 1 (3: the failures' dependants never ran).
    assert_eq!(dir.run(&["check", "--facts", &demo]).0, 3);
    let dir = Dir::with_config("region = \"us-east-1\"\n");
    let (code, _, err) = dir.run(&["check", "--facts", &demo]);
    assert_eq!(code, 2);
    assert!(
        err.contains("studio-doctor.toml sets region = \"us-east-1\", but facts file")
            && err.contains("was saved with region \"ap-northeast-1\""),
        "{err}"
    );
    let dir = Dir::with_config("users = [\"bob\"]\n");
    let (code, _, err) = dir.run(&["check", "--facts", &demo]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("sets users = [\"bob\"]"), "{err}");
}

#[test]
fn a_waiver_keeps_the_status_marks_the_result_and_frees_the_exit_code() {
    let dir = Dir::with_config(
        "[[waiver]]\ncheck = \"studio-service-role-athena\"\nresource = \"arn:aws:iam::*:role/EMRStudio-Service?ole\"\nreason = \"Athena runs through the user role here\"\nexpires = \"2030-06-30\"\n",
    );
    let (code, v) = dir.json(
        Some("2030-06-30"),
        "traps/ES006.json",
        &["--fail-on", "warning"],
    );
    assert_eq!(code, 0, "the only warning is waived");
    let es = results(&v, "ES006");
    assert!(!es.is_empty());
    for r in es {
        assert_eq!(r["status"], "warn", "a waived result keeps its status");
        assert_eq!(r["resource"], ES006_ROLE);
        assert_eq!(
            r["waived"],
            serde_json::json!({"reason": "Athena runs through the user role here", "expires": "2030-06-30"})
        );
    }
    assert_eq!(v["summary"]["warn"], 1);
    assert!(v.get("waivers").is_none(), "no waiver problem: {v:#}");
    // Results without a waiver carry no `waived` key.
    assert!(results(&v, "ES001")[0].get("waived").is_none());
    // The table marks it.
    let es006 = example("traps/ES006.json");
    let (_, table, _) = dir.run_on(Some("2030-01-01"), &["check", "--facts", &es006]);
    let flat = table.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(
            "ES006 Studio service role allows the Athena workgroup actions — arn:aws:iam::111122223333:role/EMRStudio-ServiceRole (waived: Athena runs through the user role here)"
        ),
        "{table}"
    );
    assert!(table.ends_with("No issues found (1 waived)\n"), "{table}");
}

#[test]
fn an_expired_waiver_stops_waiving_and_is_reported() {
    let dir = Dir::with_config(
        "[[waiver]]\ncheck = \"ES004\"\nreason = \"migration in progress\"\nexpires = 2030-06-30\n",
    );
    let (code, v) = dir.json(Some("2030-06-30"), "traps/ES004.json", &[]);
    assert_eq!(code, 0, "waived through its expiry date: {v:#}");
    assert!(
        results(&v, "ES004")
            .iter()
            .any(|r| r["status"] == "fail" && r["waived"].is_object())
    );
    let (code, v) = dir.json(Some("2030-07-01"), "traps/ES004.json", &[]);
    assert_eq!(code, 1, "expired");
    assert!(
        results(&v, "ES004")
            .iter()
            .all(|r| r.get("waived").is_none())
    );
    assert_eq!(
        v["waivers"],
        serde_json::json!({"unmatched": [], "expired": [
            {"check": "ES004", "reason": "migration in progress", "expires": "2030-06-30"}
        ]})
    );
    let es004 = example("traps/ES004.json");
    let (_, table, _) = dir.run_on(Some("2031-01-01"), &["check", "--facts", &es004]);
    assert!(
        table.contains(
            "waiver: the waiver for ES004 expired on 2030-06-30: it no longer waives anything"
        ),
        "{table}"
    );
}

#[test]
fn waivers_that_match_nothing_are_reported_and_waive_nothing() {
    let dir = Dir::with_config(
        "[[waiver]]\ncheck = \"ES006\"\nresource = \"arn:aws:iam::*:role/Other*\"\nreason = \"another role\"\n\n\
         [[waiver]]\ncheck = \"ES001\"\nreason = \"fixed long ago\"\n\n\
         [[waiver]]\ncheck = \"WG001\"\nreason = \"not selected, not reported\"\n",
    );
    let (code, v) = dir.json(
        Some("2030-01-01"),
        "traps/ES006.json",
        &["--fail-on", "warning", "--only", "ES001,ES006"],
    );
    assert_eq!(code, 1, "the glob does not cover ES006's role");
    assert!(
        results(&v, "ES006")
            .iter()
            .all(|r| r.get("waived").is_none())
    );
    assert_eq!(
        v["waivers"],
        serde_json::json!({"unmatched": [
            {"check": "ES006", "resource": "arn:aws:iam::*:role/Other*", "reason": "another role", "expires": null},
            {"check": "ES001", "reason": "fixed long ago", "expires": null}
        ], "expired": []})
    );
}

#[test]
fn a_waiver_never_hides_other_failures_and_today_must_be_a_date() {
    let dir = Dir::with_config("[[waiver]]\ncheck = \"ES006\"\nreason = \"known\"\n");
    let (code, v) = dir.json(None, "demo-account.json", &[]);
    assert_eq!(
        code, 1,
        "the demo account's other failures still fail the run"
    );
    assert!(
        results(&v, "ES006")
            .iter()
            .all(|r| r["waived"]["reason"] == "known")
    );
    let demo = example("demo-account.json");
    let (code, _, err) = dir.run_on(Some("next tuesday"), &["check", "--facts", &demo]);
    assert_eq!(code, 2);
    assert!(
        err.contains("STUDIO_DOCTOR_TODAY=next tuesday is not a date"),
        "{err}"
    );
}

#[test]
fn a_waived_prerequisite_leaves_its_dependants_not_evaluated_exit_3() {
    let dir = Dir::with_config(
        "[[waiver]]\ncheck = \"AG001\"\nreason = \"Access Grants come next quarter\"\n",
    );
    let (code, v) = dir.json(None, "traps/AG001.json", &[]);
    assert_eq!(code, 3, "AG002..AG006 never ran: {v:#}");
    assert!(v["summary"]["not_evaluated"].as_u64().unwrap() > 0, "{v:#}");
    let ag002 = results(&v, "AG002");
    assert_eq!(ag002[0]["status"], "skip");
    assert_eq!(ag002[0]["blocked_by"], "AG001");
    let file = example("traps/AG001.json");
    let (code, table, _) = dir.run(&["check", "--facts", &file]);
    assert_eq!(code, 3);
    let last = table.trim_end().lines().last().unwrap();
    assert!(last.contains("not evaluated"), "{table}");
    assert!(!table.contains("No issues found"), "{table}");
    // Below --fail-on: the same.
    let plain = Dir::with_config("");
    let (code, _) = plain.json(None, "traps/AG001.json", &["--severity", "AG001=warning"]);
    assert_eq!(code, 3);
}

#[test]
fn a_waiver_covers_error_results_only_when_it_says_errors() {
    let healthy = example("healthy-account.json");
    let mut facts: Value =
        serde_json::from_str(&std::fs::read_to_string(healthy).unwrap()).unwrap();
    // ES009 has no dependants: its error, once waived, leaves nothing unevaluated.
    facts["managed_policies"]["arn:aws:iam::111122223333:policy/EMRStudio-SessionPolicy"] = serde_json::json!({"unknown": {"kind": "access_denied", "action": "iam:GetPolicy", "message": "denied"}});
    for (text, want) in [
        ("[[waiver]]\ncheck = \"ES009\"\nreason = \"r\"\n", 3),
        (
            "[[waiver]]\ncheck = \"ES009\"\nreason = \"r\"\nerrors = true\n",
            0,
        ),
    ] {
        let dir = Dir::with_config(text);
        let path = dir.path().join("f.json");
        std::fs::write(&path, facts.to_string()).unwrap();
        let (code, out, err) = dir.run(&[
            "check",
            "--facts",
            path.to_str().unwrap(),
            "--format",
            "json",
        ]);
        assert_eq!(code, want, "{text}: {out}{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(results(&v, "ES009")[0]["status"], "error", "{v:#}");
    }
}

#[test]
fn sarif_results_point_at_the_config_file_only_when_one_was_used() {
    let demo = example("demo-account.json");
    let dir = Dir::with_config("fail_on = \"error\"\n");
    let (_, out, err) = dir.run(&["check", "--facts", &demo, "--format", "sarif"]);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    let loc = &v["runs"][0]["results"][0]["locations"][0];
    assert_eq!(
        loc["physicalLocation"]["artifactLocation"]["uri"],
        "studio-doctor.toml"
    );
    let (_, out, _) = dir.run(&[
        "check",
        "--facts",
        &demo,
        "--format",
        "sarif",
        "--no-config",
    ]);
    assert!(!out.contains("studio-doctor.toml"), "no such file was used");
    let v: Value = serde_json::from_str(&out).unwrap();
    let loc = &v["runs"][0]["results"][0]["locations"][0];
    assert_eq!(loc["logicalLocations"][0]["kind"], "resource");
}
