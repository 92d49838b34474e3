//! The flags that pick several targets: bad values are one-line errors with exit
//! code 2, before any AWS call (no credentials are set here).

use assert_cmd::Command;

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("studio-doctor")
        .unwrap()
        .args(args)
        .arg("--no-config")
        .env_clear()
        .env("HOME", "/nonexistent")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), stderr)
}

fn fails(args: &[&str], says: &str) {
    let (code, stderr) = run(args);
    assert_eq!(code, 2, "{args:?}: {stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
    assert!(stderr.contains(says), "{args:?}: {stderr}");
}

#[test]
fn target_flags_refuse_bad_values_before_reading_aws() {
    fails(
        &[
            "check",
            "--accounts-filter",
            "team=data",
            "--role-name",
            "A",
        ],
        "only with --organization",
    );
    fails(
        &[
            "check",
            "--organization",
            "--role-name",
            "A",
            "--accounts-filter",
            "team",
        ],
        "expected TAG=VALUE",
    );
    fails(
        &["check", "--accounts", "12345", "--role-name", "Audit"],
        "not a 12-digit AWS account id",
    );
    fails(
        &["check", "--accounts", "111122223333"],
        "--role-name is needed",
    );
    fails(&["check", "--organization"], "--role-name is needed");
    fails(
        &["check", "--accounts", "111122223333", "--organization"],
        "cannot be used with",
    );
    fails(
        &["check", "--regions", "us east 1"],
        "not an AWS region name",
    );
    fails(
        &["check", "--region", "us-east-1", "--regions", "eu-west-1"],
        "cannot be used with",
    );
    fails(
        &[
            "check",
            "--identity-center-role-arn",
            "arn:aws:iam::1:user/x",
        ],
        "not an IAM role ARN",
    );
    fails(
        &[
            "check",
            "--identity-center-profile",
            "a",
            "--identity-center-role-arn",
            "arn:aws:iam::111122223333:role/R",
        ],
        "cannot be used with",
    );
}

#[test]
fn facts_replay_refuses_target_flags() {
    let healthy = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/healthy-account.json");
    for flag in [
        &["--regions", "us-east-1"][..],
        &["--accounts", "111122223333"],
        &["--organization"],
        &["--role-name", "Audit"],
        &["--identity-center-profile", "idc"],
    ] {
        let mut args = vec!["check", "--facts", healthy];
        args.extend_from_slice(flag);
        fails(&args, "cannot be combined with --facts");
    }
}

#[test]
fn fix_takes_one_target() {
    fails(
        &[
            "fix",
            "--accounts",
            "111122223333,444455556666",
            "--role-name",
            "Audit",
        ],
        "one target at a time",
    );
    fails(
        &["fix", "--regions", "us-east-1,eu-west-1"],
        "one target at a time",
    );
}

#[test]
fn an_unreachable_target_is_one_error_result() {
    let trap = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/traps/AC001.json");
    let out = Command::cargo_bin("studio-doctor")
        .unwrap()
        .args(["check", "--no-config", "--facts", trap, "--only", "ES001"])
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0]["id"], "AC001");
    assert_eq!(results[0]["status"], "error");
    assert_eq!(results[0]["account_id"], "111122223333");
    // Nothing in the account was read: no access path to show.
    assert!(
        v.get("access_path")
            .is_none_or(|p| p.as_array().unwrap().is_empty()),
        "{v:#}"
    );
    assert!(
        results[0]["message"]
            .as_str()
            .unwrap()
            .contains("sts:AssumeRole")
    );
}
