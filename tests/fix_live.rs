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

/// Loads `example` into the emulator, writes its plan with `fix --output-dir`,
/// runs plan.sh with the AWS CLI and checks again: the findings the plan claims
/// (of the steps the script runs), and what is wrong, each as a line.
fn prove(stub: &mut Stub, example: &Path) -> (usize, Vec<String>) {
    let name = example.file_stem().unwrap().to_string_lossy().to_string();
    let facts = stub.load(&read(example));
    let before = stub.check(&facts, &[], 1).json();

    let dir = stub.dir.path().join(format!("plan-{name}"));
    let mut args = vec![
        "fix".to_string(),
        "--output-dir".into(),
        dir.to_str().unwrap().into(),
    ];
    args.extend(target_args(&facts));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let fix = stub.studio_doctor(&args, 1);
    let Ok(text) = std::fs::read_to_string(dir.join("plan.json")) else {
        let why = format!(
            "{name}: fix --output-dir wrote no plan.json: exit {}\n{}\n{}",
            fix.code, fix.stdout, fix.stderr
        );
        return (0, vec![why]);
    };
    let plan: Value = serde_json::from_str(&text).unwrap();
    let mut problems = Vec::new();
    if plan["account_id"] != facts["caller"]["account_id"] {
        problems.push(format!(
            "{name}: the plan is for account {}",
            plan["account_id"]
        ));
    }

    let mut inputs = Vec::new();
    for i in plan["inputs"].as_array().unwrap() {
        let input = i["name"].as_str().unwrap();
        match input_value(input, &facts) {
            Some(v) => inputs.push((input.to_string(), v)),
            None => problems.push(format!(
                "{name}: no test value for the plan input {input}: add one to input_value"
            )),
        }
    }

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
    if claims.is_empty() || !problems.is_empty() {
        return (claims.len(), problems);
    }

    let out = run_plan(stub, &dir, &inputs);
    let output = String::from_utf8_lossy(&out.stdout).to_string();
    if !out.status.success() {
        problems.push(format!(
            "{name}: plan.sh failed ({}):\n{output}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
        return (claims.len(), problems);
    }

    // As a person would rerun it: on the workgroup or Studio the plan created
    // when the run named another one.
    let mut after_facts = facts.clone();
    for s in &run {
        let a = &s["action"];
        for (action, flag) in [
            ("athena:CreateWorkGroup", "workgroup"),
            ("emr:CreateStudio", "studio"),
        ] {
            if a["action"] == action && facts["target"][flag].is_string() {
                after_facts["target"][flag] = a["name"].clone();
            }
        }
    }
    let after = stub.check(&after_facts, &[], 1).json();
    let was = |r: &Value| {
        results(&before)
            .iter()
            .any(|b| b["id"] == r["id"] && b["resource"] == r["resource"])
    };
    for &(check, resource) in &claims {
        let same = results(&after)
            .iter()
            .find(|r| r["id"] == check && r["resource"] == resource);
        match same {
            Some(r) if r["status"] != "pass" => problems.push(format!(
                "{name}: {check} on {resource} is still {} after plan.sh: {}",
                r["status"], r["message"]
            )),
            Some(_) => {}
            // The resource is gone or renamed (a new workgroup, ...): the check
            // must pass on the resources it did not report before.
            None => problems.extend(
                results(&after)
                    .iter()
                    .filter(|r| r["id"] == check && r["status"] != "pass" && !was(r))
                    .map(|r| {
                        format!(
                            "{name}: {check} (claimed on {resource}) is {} on {} after plan.sh: {}",
                            r["status"], r["resource"], r["message"]
                        )
                    }),
            ),
        }
    }
    if !problems.is_empty() {
        problems.push(format!("{name}: plan.sh output:\n{output}"));
    }
    (claims.len(), problems)
}

#[test]
fn the_demo_plan_run_with_the_aws_cli_closes_what_it_claims() {
    let mut stub = Stub::start();
    let (claims, problems) = prove(&mut stub, &root().join("examples/demo-account.json"));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        claims > 0,
        "the demo plan runs no step that closes a finding"
    );
}

#[test]
fn every_trap_plan_run_with_the_aws_cli_closes_what_it_claims() {
    let mut stub = Stub::start();
    // AC001: an unreachable account has no facts to seed, and no fix to run.
    let mut traps: Vec<PathBuf> = std::fs::read_dir(root().join("examples/traps"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.ends_with("AC001.json"))
        .collect();
    traps.sort();
    let (mut claims, mut problems) = (0, Vec::new());
    for trap in &traps {
        let (n, p) = prove(&mut stub, trap);
        claims += n;
        problems.extend(p);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        claims >= traps.len() / 2,
        "only {claims} findings claimed over {} traps",
        traps.len()
    );
}
