//! End-to-end proof of `studio-doctor fix`: the example account with the common
//! traps is loaded into the emulator (moto + the stub in `tests/aws/`), the plan
//! is written with `fix --output-dir`, its `plan.sh` is run with the real AWS CLI
//! (awscli from the test venv) against the emulator, and `check` is run again:
//! every finding the plan claims to close must now pass.

mod emulator;

use emulator::{Stub, python, read, results, root, target_args};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The AWS CLI of the test venv (scripts/test installs it from
/// tests/aws/requirements.txt).
fn aws_cli() -> PathBuf {
    let aws = python().with_file_name("aws");
    assert!(
        aws.exists(),
        "{} is missing: run the tests with scripts/test (it installs awscli into the test venv)",
        aws.display()
    );
    aws
}

/// A value for each input a plan can ask for, as a person would fill it in
/// for the emulated account (`facts`: the facts as loaded, ids rewritten).
fn input_value(name: &str, facts: &Value) -> Option<String> {
    let account = facts["caller"]["account_id"].as_str()?;
    let studio = &facts["studios"][0];
    let text = |v: &Value| v.as_str().map(str::to_string);
    let role_name = |v: &Value| {
        v.as_str()
            .map(|a| a.rsplit('/').next().unwrap().to_string())
    };
    Some(match name {
        "VPC_ID" => text(&studio["vpc_id"])?,
        "SUBNET_ID_1" => text(&studio["subnet_ids"][0])?,
        "SUBNET_ID_2" => text(&studio["subnet_ids"][1])?,
        "WORKSPACE_SG_ID" => text(&studio["workspace_security_group_id"])?,
        "ENGINE_SG_ID" => text(&studio["engine_security_group_id"])?,
        "STUDIO_NAME" => "analytics-idc".into(),
        "SERVICE_ROLE_NAME" => role_name(&studio["service_role"])?,
        "USER_ROLE_NAME" => "EMRStudio-UserRole".into(),
        "BUCKET" => format!("analytics-studio-{account}"),
        "PREFIX" => "studio".into(),
        "RESULTS_BUCKET" => format!("athena-results-idc-{account}"),
        "IDENTITY_CENTER_INSTANCE_ARN" => {
            text(&facts["identity_center_instances"][0]["instance_arn"])?
        }
        "WORKGROUP_NAME" => "analytics-idc-wg".into(),
        "S3AG_LOCATION_ROLE" => "S3AccessGrantsLocationRole".into(),
        "IDC_USER_ID" => text(&facts["users"][0]["user"]["user_id"])?,
        "SESSION_POLICY" => "EMRStudio-SessionPolicy".into(),
        "ACCOUNT_ID" => account.into(),
        "EXECUTION_ROLE_ARN" => {
            format!("arn:aws:iam::{account}:role/service-role/AWSAthenaSQLRole-idc-wg")
        }
        "KMS_KEY_ARN" => format!(
            "arn:aws:kms:{}:{account}:key/mrk-1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6",
            facts["target"]["region"].as_str()?
        ),
        _ => return None,
    })
}

/// `bash plan.sh` with the venv's `aws` first on PATH, the emulator's endpoint
/// and credentials, and `inputs` in the environment.
fn run_plan(stub: &Stub, dir: &Path, inputs: &[(String, String)]) -> std::process::Output {
    let aws = aws_cli();
    let bin = aws.parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let endpoint = format!("http://127.0.0.1:{}", stub.port);
    // AWS CLI v1 sends `aws emr` to EMR's public endpoint whatever the endpoint
    // variables say; tests/aws/cli/awscli_emulator.py makes it follow them (as v2 does).
    let config = stub.dir.path().join("aws-cli-config");
    std::fs::write(&config, "[plugins]\nemulator = awscli_emulator\n").unwrap();
    Command::new("bash")
        .arg(dir.join("plan.sh"))
        .env_clear()
        .env("PATH", path)
        .env("HOME", stub.dir.path())
        .env("PYTHONPATH", root().join("tests/aws/cli"))
        .env("AWS_CONFIG_FILE", &config)
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            stub.dir.path().join("credentials"),
        )
        .env("AWS_ENDPOINT_URL", &endpoint)
        // S3 Control's endpoint rules put the account id in front of the host
        // (123456789012.127.0.0.1 does not resolve): the stub takes the requests
        // as their HTTP proxy.
        .env("HTTP_PROXY", &endpoint)
        // AWS CLI v1 reads the region from AWS_DEFAULT_REGION only (v2 also from AWS_REGION).
        .env("AWS_REGION", &stub.region)
        .env("AWS_DEFAULT_REGION", &stub.region)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("AWS_PAGER", "")
        .envs(inputs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .expect("run bash")
}

/// The applicability kind of a plan step (`"recreates"`, ...).
fn kind(step: &Value) -> &str {
    let a = &step["applicability"];
    a.as_str()
        .or_else(|| a["kind"].as_str())
        .unwrap_or_default()
}

#[test]
fn the_plan_run_with_the_aws_cli_closes_what_it_claims() {
    let mut stub = Stub::start();
    let facts = stub.load(&read(&root().join("examples/demo-account.json")));
    let before = stub.check(&facts, &[], 1).json();

    let dir = stub.dir.path().join("plan");
    let mut args = vec![
        "fix".to_string(),
        "--output-dir".into(),
        dir.to_str().unwrap().into(),
    ];
    args.extend(target_args(&facts));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let fix = stub.studio_doctor(&args, 1);
    let plan: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("plan.json")).unwrap_or_else(|e| {
            panic!(
                "fix --output-dir wrote no plan.json ({e}): exit {}\n{}\n{}",
                fix.code, fix.stdout, fix.stderr
            )
        }),
    )
    .unwrap();
    assert_eq!(
        plan["account_id"], facts["caller"]["account_id"],
        "{plan:#}"
    );

    let inputs: Vec<(String, String)> = plan["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let name = i["name"].as_str().unwrap();
            let value = input_value(name, &facts).unwrap_or_else(|| {
                panic!("no test value for the plan input {name}: add one to input_value")
            });
            (name.to_string(), value)
        })
        .collect();

    // The claims: the findings of every step the script runs.
    let run: Vec<&Value> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| kind(s) != "recreates")
        .collect();
    let mut claims: Vec<(&str, &str)> = run
        .iter()
        .flat_map(|s| s["closes"].as_array().unwrap())
        .map(|f| {
            (
                f["check"].as_str().unwrap(),
                f["resource"].as_str().unwrap(),
            )
        })
        .collect();
    claims.sort();
    claims.dedup();
    assert!(
        !claims.is_empty(),
        "the plan runs no step that closes a finding: {plan:#}"
    );

    let out = run_plan(&stub, &dir, &inputs);
    assert!(
        out.status.success(),
        "plan.sh failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // As a person would rerun it: on the workgroup or Studio the plan created
    // when the run named another one.
    let mut extra: Vec<String> = Vec::new();
    for s in &run {
        let a = &s["action"];
        for (action, flag) in [
            ("athena:CreateWorkGroup", "workgroup"),
            ("emr:CreateStudio", "studio"),
        ] {
            if a["action"] == action
                && facts["target"][flag]
                    .as_str()
                    .is_some_and(|t| Some(t) != a["name"].as_str())
            {
                extra.extend([format!("--{flag}"), a["name"].as_str().unwrap().into()]);
            }
        }
    }
    let mut after_facts = facts.clone();
    for pair in extra.chunks(2) {
        after_facts["target"][pair[0].trim_start_matches("--")] = Value::from(pair[1].clone());
    }
    let after = stub.check(&after_facts, &[], 1);
    let after = after.json();
    let was = |r: &Value| {
        results(&before)
            .iter()
            .any(|b| b["id"] == r["id"] && b["resource"] == r["resource"])
    };
    let mut open = Vec::new();
    for (check, resource) in claims {
        let same = results(&after)
            .iter()
            .find(|r| r["id"] == check && r["resource"] == resource);
        match same {
            Some(r) if r["status"] != "pass" => open.push(format!(
                "{check} on {resource}: {} ({})",
                r["status"], r["message"]
            )),
            Some(_) => {}
            // The resource is gone or renamed (a new workgroup, ...): the check
            // must pass on the resources it did not report before.
            None => open.extend(
                results(&after)
                    .iter()
                    .filter(|r| r["id"] == check && r["status"] != "pass" && !was(r))
                    .map(|r| {
                        format!(
                            "{check} (claimed on {resource}) on {}: {} ({})",
                            r["resource"], r["status"], r["message"]
                        )
                    }),
            ),
        }
    }
    assert!(
        open.is_empty(),
        "findings the plan claims to close are still open after plan.sh ran:\n{}\nplan.sh output:\n{}",
        open.join("\n"),
        String::from_utf8_lossy(&out.stdout)
    );
}
