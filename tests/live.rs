//! End-to-end: the real binary against moto server plus the stub in `tests/aws/`
//! (which serves what moto lacks and injects faults). Run by `scripts/test`, which
//! installs moto into a venv and sets `STUDIO_DOCTOR_TEST_PYTHON`.
//!
//! The core property: for every example account, a live run reports exactly what an
//! offline run on the same facts reports.

mod emulator;

use emulator::{Stub, read, results, root};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

fn examples() -> Vec<PathBuf> {
    let mut v = vec![
        root().join("examples/healthy-account.json"),
        root().join("examples/demo-account.json"),
    ];
    let mut traps: Vec<_> = std::fs::read_dir(root().join("examples/traps"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    traps.sort();
    v.extend(traps);
    v
}

/// The IAM action prefix of a stub operation's service.
fn action_of(op: &str) -> String {
    let (svc, name) = op.split_once('.').unwrap();
    let prefix = match svc {
        "emr" => "elasticmapreduce",
        "s3control" => "s3",
        other => other,
    };
    format!("{prefix}:{name}")
}

fn permissions() -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_studio-doctor"))
        .arg("permissions")
        .output()
        .unwrap();
    let policy: Value = serde_json::from_slice(&out.stdout).unwrap();
    policy["Statement"][0]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

/// Example accounts one emulated account cannot reproduce, and why.
const NOT_SEEDABLE: &[(&str, &str)] = &[
    (
        "AC001.json",
        "the audit role of another account cannot be refused by a single-account emulator",
    ),
    (
        "IC005.json",
        "the instance is owned by another account and read from there (identity_center_source)",
    ),
    (
        "IC005-other-organization.json",
        "the instance is another organization's, read from its account (identity_center_source)",
    ),
];

#[test]
fn every_example_account_reads_live_as_it_reads_offline() {
    let mut stub = Stub::start();
    for path in examples() {
        let name = path.file_name().unwrap().to_string_lossy();
        if NOT_SEEDABLE.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let facts = stub.load(&read(&path));
        let live = stub.check(&facts, &[], 1);
        let offline = stub.offline(&facts, &[]);
        assert_eq!(
            live.json(),
            offline.json(),
            "{}: live and offline reports differ\nstderr: {}",
            path.display(),
            live.stderr
        );
        assert_eq!(live.code, offline.code, "{}", path.display());
    }
}

#[test]
fn healthy_account_passes_live_and_demo_account_fails() {
    let mut stub = Stub::start();
    let facts = stub.load(&read(&root().join("examples/healthy-account.json")));
    let run = stub.check(&facts, &[], 1);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert!(
        results(&report).iter().all(|r| r["status"] == "pass"),
        "{report:#}"
    );
    assert_eq!(
        report["target"]["account_id"],
        facts["caller"]["account_id"]
    );

    let facts = stub.load(&read(&root().join("examples/demo-account.json")));
    let run = stub.check(&facts, &[], 1);
    assert_eq!(run.code, 1);
    let report = run.json();
    let es001 = results(&report)
        .iter()
        .find(|r| r["id"] == "ES001")
        .unwrap();
    assert_eq!(es001["status"], "fail");
    assert!(es001["resource"].as_str().unwrap().contains("analytics"));
}

#[test]
fn user_role_permission_traps_fail_live() {
    // Glue on the catalog only, a session policy without Athena, PassRole without
    // the service role's path: each read from moto + stub, each an ES005 failure.
    let mut stub = Stub::start();
    for (trap, needle) in [
        ("ES005-glue-catalog-only", "glue:GetTable on arn:aws:glue:"),
        (
            "ES005-session-policy",
            "policy/EMRStudio-SessionPolicy of the session mapping for GROUP analysts",
        ),
        ("ES005-service-role-path", "iam:PassRole on arn:aws:iam::"),
    ] {
        let facts = stub.load(&read(&root().join(format!("examples/traps/{trap}.json"))));
        let run = stub.check(&facts, &["--only", "ES005"], 1);
        let report = run.json();
        let r = results(&report)
            .iter()
            .find(|r| r["id"] == "ES005")
            .unwrap();
        let message = r["message"].as_str().unwrap();
        assert_eq!(r["status"], "fail", "{trap}: {message}");
        assert!(message.contains(needle), "{trap}: {message}");
        if trap == "ES005-service-role-path" {
            assert!(
                message.contains(":role/service-role/EMRStudio-ServiceRole"),
                "{message}"
            );
        }
    }
}

#[test]
fn users_are_looked_up_in_the_instance_the_resources_use() {
    // An account instance is listed before the organization instance that the
    // Studio, workgroup, Lake Formation and S3 Access Grants use; the users live
    // in the organization instance's identity store.
    let mut stub = Stub::start();
    let mut healthy = read(&root().join("examples/healthy-account.json"));
    let mut other = healthy["identity_center_instances"][0].clone();
    other["instance_arn"] = json!("arn:aws:sso:::instance/ssoins-0000111122223333");
    other["identity_store_id"] = json!("d-0000000000");
    other["name"] = json!("team");
    healthy["identity_center_instances"]
        .as_array_mut()
        .unwrap()
        .insert(0, other);
    let facts = stub.load(&healthy);
    assert_eq!(
        facts["identity_center_instances"][0]["identity_store_id"],
        "d-0000000000"
    );
    let live = stub.check(&facts, &[], 1);
    let offline = stub.offline(&facts, &[]);
    assert_eq!(live.json(), offline.json(), "{}", live.stderr);
    assert_eq!(live.code, 0, "{}", live.stdout);
    let report = live.json();
    assert!(
        results(&report).iter().all(|r| r["status"] == "pass"),
        "{report:#}"
    );
    let ic003 = results(&report)
        .iter()
        .find(|r| r["id"] == "IC003")
        .unwrap();
    let store = facts["users_identity_store_id"].as_str().unwrap();
    assert_ne!(store, "d-0000000000");
    assert!(
        ic003["message"].as_str().unwrap().contains(store),
        "{ic003:#}"
    );
}

#[test]
fn a_mistyped_user_or_table_suggests_the_name_that_exists() {
    let mut stub = Stub::start();
    let mut facts = stub.load(&read(&root().join("examples/healthy-account.json")));
    let message = |facts: &Value, id: &str| {
        let run = stub.check(facts, &["--only", "IC003", "--only", "LF004"], 1);
        let report = run.json();
        let r = results(&report).iter().find(|r| r["id"] == id).unwrap();
        r["message"].as_str().unwrap().to_string()
    };
    facts["target"]["users"] = json!(["alcie"]);
    facts["target"]["tables"] = json!(["flightdata_db.flightdat"]);
    let m = message(&facts, "IC003");
    assert!(
        m.ends_with("(did you mean \"alice\"?); users found: alice"),
        "{m}"
    );
    let m = message(&facts, "LF004");
    assert!(
        m.contains("(did you mean flightdata_db.flightdata?); tables in flightdata_db: flightdata"),
        "{m}"
    );
    facts["target"]["tables"] = json!(["flightdata.flightdata"]);
    let m = message(&facts, "LF004");
    assert!(m.starts_with("Glue has no database flightdata in"), "{m}");
}

#[test]
fn the_organization_is_read_live() {
    // The healthy account manages its organization: it is created in the
    // emulator, and the live run reads it as the facts record it (with the
    // emulator's organization id and account).
    let mut stub = Stub::start();
    let facts = stub.load(&read(&root().join("examples/healthy-account.json")));
    let saved = stub.dir.path().join("saved.json");
    let run = stub.check(&facts, &["--save-facts", saved.to_str().unwrap()], 1);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let org = &facts["organization"];
    assert_eq!(read(&saved)["organization"], *org);
    assert_eq!(org["management_account_id"], facts["caller"]["account_id"]);
    assert_ne!(org["id"], "o-a1b2c3d4e5");
}

#[test]
fn saved_live_facts_replay_byte_for_byte() {
    let mut stub = Stub::start();
    let facts = stub.load(&read(&root().join("examples/demo-account.json")));
    let saved = stub.dir.path().join("saved.json");
    let live = stub.check(&facts, &["--save-facts", saved.to_str().unwrap()], 1);
    let replay = stub.studio_doctor(
        &[
            "check",
            "--format",
            "json",
            "--facts",
            saved.to_str().unwrap(),
        ],
        1,
    );
    assert_eq!(live.stdout, replay.stdout);
    assert_eq!(live.code, replay.code);
}

#[test]
fn the_tool_only_reads_and_only_what_the_checks_need() {
    let mut stub = Stub::start();
    let facts = stub.load(&read(&root().join("examples/healthy-account.json")));
    stub.reset_calls();
    assert_eq!(stub.check(&facts, &[], 1).code, 0);
    let allowed = permissions();
    let calls = stub.calls();
    assert!(!calls.is_empty());
    for op in &calls {
        let action = action_of(op);
        let verb = action.split(':').nth(1).unwrap();
        assert!(
            ["Get", "List", "Describe"]
                .iter()
                .any(|p| verb.starts_with(p)),
            "{op} is not a read"
        );
        assert!(
            allowed.contains(&action),
            "{action} is not in `permissions`"
        );
    }
    // Only the Identity-Center-enabled workgroup is described; "primary" is only listed.
    assert_eq!(
        calls.iter().filter(|c| *c == "athena.GetWorkGroup").count(),
        1,
        "{calls:?}"
    );
    // Session mappings exist only for Identity Center authentication: the demo
    // account's Studio uses IAM authentication, so none are listed.
    let demo = stub.load(&read(&root().join("examples/demo-account.json")));
    stub.reset_calls();
    stub.check(&demo, &[], 1);
    let demo_calls = stub.calls();
    assert!(
        demo_calls.iter().any(|c| c == "emr.DescribeStudio"),
        "{demo_calls:?}"
    );
    assert!(
        !demo_calls
            .iter()
            .any(|c| c == "emr.ListStudioSessionMappings"),
        "{demo_calls:?}"
    );
    let facts = stub.load(&read(&root().join("examples/healthy-account.json")));
    stub.reset_calls();
    assert_eq!(stub.check(&facts, &["--only", "ES001"], 1).code, 0);
    let calls = stub.calls();
    assert!(calls.iter().any(|c| c.starts_with("emr.")));
    assert!(
        calls
            .iter()
            .all(|c| !c.starts_with("s3control.") && !c.starts_with("iam.")),
        "--only ES001 read {calls:?}"
    );
}

/// One Studio and one workgroup whose describe is denied: their results error,
/// every other Studio and workgroup is judged as on the healthy account.
#[test]
fn one_unreadable_studio_and_workgroup_error_alone() {
    let mut stub = Stub::start();
    let mut healthy = read(&root().join("examples/healthy-account.json"));
    let studio = healthy["studios"][0].clone();
    let mut second = studio.clone();
    let id = "es-SECONDSTUDIO0000000000000";
    second["studio_id"] = json!(id);
    second["name"] = json!("second");
    second["studio_arn"] = json!(
        studio["studio_arn"]
            .as_str()
            .unwrap()
            .replace(studio["studio_id"].as_str().unwrap(), id)
    );
    second["url"] = json!(format!(
        "https://{id}.emrstudio-prod.ap-northeast-1.amazonaws.com"
    ));
    second.as_object_mut().unwrap().remove("application_arn");
    healthy["studios"].as_array_mut().unwrap().push(second);
    let wgs = healthy["workgroups"].as_array_mut().unwrap();
    let mut wg = wgs
        .iter()
        .find(|w| w["identity_center_application_arn"].is_string())
        .unwrap()
        .clone();
    wg["name"] = json!("second-wg");
    wgs.push(wg);
    let facts = stub.load(&healthy);
    stub.faults(json!([
        { "op": "emr.DescribeStudio", "error": "AccessDenied", "body": id },
        { "op": "athena.GetWorkGroup", "error": "AccessDenied", "body": "second-wg" },
    ]));
    let run = stub.check(&facts, &[], 1);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let report = run.json();
    let mut errors = 0;
    for r in results(&report) {
        let m = r["message"].as_str().unwrap();
        let theirs = m.contains("\"second\"") || m.contains("second-wg");
        match r["status"].as_str().unwrap() {
            "error" => {
                errors += 1;
                assert!(theirs, "{r:#}");
                assert!(
                    m.contains("elasticmapreduce:DescribeStudio")
                        || m.contains("athena:GetWorkGroup"),
                    "{r:#}"
                );
            }
            "skip" => assert!(theirs && m.contains("could not be evaluated"), "{r:#}"),
            "pass" => {}
            other => panic!("{other}: {r:#}"),
        }
    }
    assert!(errors >= 2, "{report:#}");
    // The readable Studio and workgroup are still judged.
    let passed = |what: &str| {
        results(&report)
            .iter()
            .any(|r| r["status"] == "pass" && r["message"].as_str().unwrap().contains(what))
    };
    assert!(passed("\"analytics\""), "{report:#}");
    assert!(passed("\"idc-wg\""), "{report:#}");
}

#[test]
fn access_denied_on_one_operation_errors_only_its_dependants() {
    let mut stub = Stub::start();
    let facts = stub.load(&read(&root().join("examples/healthy-account.json")));
    for op in [
        "iam.GetRole",
        "emr.ListStudios",
        "emr.ListStudioSessionMappings",
        "athena.GetWorkGroup",
        "sso.ListApplicationAssignmentsForPrincipal",
        "identitystore.GetUserId",
        "s3control.GetAccessGrantsInstance",
        "s3control.ListAccessGrants",
        "s3.GetBucketLocation",
    ] {
        stub.faults(json!([{ "op": op, "error": "AccessDenied" }]));
        let run = stub.check(&facts, &[], 1);
        let report = run.json();
        let action = action_of(op);
        let errors: Vec<_> = results(&report)
            .iter()
            .filter(|r| r["status"] == "error")
            .collect();
        assert!(!errors.is_empty(), "{op}: nothing errored");
        for r in &errors {
            let m = r["message"].as_str().unwrap();
            assert!(
                m.contains("AccessDenied") && m.contains(&action),
                "{op}: {m}"
            );
        }
        for r in results(&report) {
            assert!(
                ["pass", "error", "skip"].contains(&r["status"].as_str().unwrap()),
                "{op}: {r:#}"
            );
            if r["status"] == "skip" {
                assert!(
                    r["message"]
                        .as_str()
                        .unwrap()
                        .contains("could not be evaluated"),
                    "{op}: {r:#}"
                );
            }
        }
        assert_eq!(run.code, 3, "{op}");
    }
}

#[test]
fn throttling_that_recovers_gives_the_right_answer() {
    let mut stub = Stub::start();
    let facts = stub.load(&read(&root().join("examples/healthy-account.json")));
    let expected = stub.offline(&facts, &[]).json();
    stub.reset_calls(); // (also clears fault rules: set them after)
    stub.faults(json!([
        { "op": "iam.GetRole", "error": "Throttling", "times": 2 },
        { "op": "emr.DescribeStudio", "error": "Throttling", "times": 1 },
        { "op": "s3control.ListAccessGrants", "error": "Throttling", "times": 1 },
    ]));
    let run = stub.check(&facts, &[], 4);
    assert_eq!(run.json(), expected, "{}", run.stderr);
    assert_eq!(run.code, 0);
    let retried = stub
        .calls()
        .iter()
        .filter(|c| *c == "emr.DescribeStudio")
        .count();
    assert_eq!(retried, 2, "one throttled try, then success");

    stub.faults(json!([{ "op": "athena.GetWorkGroup", "error": "Throttling" }]));
    let run = stub.check(&facts, &[], 2);
    let report = run.json();
    assert!(
        results(&report)
            .iter()
            .any(|r| r["status"] == "error" && r["message"].as_str().unwrap().contains("Throttled")),
        "{report:#}"
    );
    assert_eq!(run.code, 3);
}

#[test]
fn a_slow_endpoint_times_out_with_a_clear_message() {
    let mut stub = Stub::start();
    let facts = stub.load(&read(&root().join("examples/healthy-account.json")));
    stub.faults(json!([{ "op": "emr.ListStudios", "error": "Timeout", "delay": 8 }]));
    let run = stub.check(&facts, &["--timeout", "2"], 1);
    let report = run.json();
    let es001 = results(&report)
        .iter()
        .find(|r| r["id"] == "ES001")
        .unwrap();
    assert_eq!(es001["status"], "error");
    assert!(
        es001["message"].as_str().unwrap().contains("Timeout"),
        "{es001:#}"
    );
    assert_eq!(run.code, 3);
}

#[test]
fn every_list_is_read_to_the_end_across_pages() {
    let mut stub = Stub::start();
    // The healthy account, with the entries that make it pass on the last page.
    let mut facts = read(&root().join("examples/healthy-account.json"));
    let group = facts["users"][0]["groups"][0]["group_id"].clone();
    let wgs = facts["workgroups"].as_array_mut().unwrap();
    for i in 0..3 {
        wgs.insert(0, json!({"name": format!("aaa-{i}"), "state": "ENABLED", "enable_identity_center": false}));
    }
    let studio = &mut facts["studios"][0];
    let mappings = studio["session_mappings"].as_array_mut().unwrap();
    for i in 0..3 {
        mappings.insert(
            0,
            json!({"identity_id": format!("0000000{i}-0000-0000-0000-000000000000"),
            "identity_type": "GROUP", "session_policy_arn": mappings[0]["session_policy_arn"]}),
        );
    }
    for app in facts["applications"].as_object_mut().unwrap().values_mut() {
        let list = app["assignments"].as_array_mut().unwrap();
        for i in 0..3 {
            list.insert(0, json!({"principal_id": format!("1000000{i}-0000-0000-0000-000000000000"), "principal_type": "GROUP"}));
        }
    }
    let grants = facts["access_grants"]["grants"].as_array_mut().unwrap();
    for i in 0..3 {
        let mut g = grants[0].clone();
        g["access_grant_id"] = json!(format!("other-{i}"));
        g["grantee_type"] = json!("DIRECTORY_GROUP");
        g["grantee_identifier"] = json!(format!("2000000{i}-0000-0000-0000-000000000000"));
        grants.insert(0, g);
    }
    let role = &mut facts["roles"]["EMRStudio-UserRole"]["inline_policies"];
    let doc = role[0].clone();
    for i in 0..3 {
        let mut p = doc.clone();
        p["name"] = json!(format!("Extra{i}"));
        p["document"]["Statement"] =
            json!([{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]);
        role.as_array_mut().unwrap().insert(0, p);
    }
    if let Some(perms) = facts["lake_formation"]["permissions"].as_array_mut() {
        for i in 0..3 {
            perms.insert(0, json!({"principal": format!("arn:aws:identitystore:::group/3000000{i}-0000-0000-0000-000000000000"),
                "database": "flightdata_db", "table": "flightdata", "permissions": ["DESCRIBE"]}));
        }
    }
    let _ = group;
    let facts = stub.load(&facts);
    stub.page_size(1);
    let live = stub.check(&facts, &[], 1);
    assert_eq!(
        live.json(),
        stub.offline(&facts, &[]).json(),
        "{}",
        live.stderr
    );
    assert_eq!(live.code, 0, "{}", live.stderr);
}

#[test]
fn lake_formation_tag_and_filter_grants_read_live_as_offline() {
    let mut stub = Stub::start();
    // The healthy account with SELECT only through a data cells filter, and an
    // LF-Tag grant on the database's tags next to it.
    let mut facts = read(&root().join("examples/healthy-account.json"));
    let lake = &mut facts["lake_formation"];
    let group = lake["permissions"][0]["principal"].clone();
    lake["permissions"][0]["permissions"] = json!(["DESCRIBE"]);
    lake["filter_permissions"] = json!([{"principal": group, "database": "flightdata_db",
        "table": "flightdata", "filter": "domestic-only", "permissions": ["SELECT"]}]);
    lake["tag_permissions"] = json!([{"principal": group, "resource_type": "DATABASE",
        "expression": [{"key": "domain", "values": ["flights"]}], "permissions": ["DESCRIBE"]}]);
    lake["table_tags"]["flightdata_db.flightdata"]["columns"] =
        json!([{"name": "carrier", "tags": [{"key": "level", "values": ["public"]}]}]);
    let facts = stub.load(&facts);
    let saved = stub.dir.path().join("lf.json");
    let live = stub.check(&facts, &["--save-facts", saved.to_str().unwrap()], 1);
    assert_eq!(
        live.json(),
        stub.offline(&facts, &[]).json(),
        "{}",
        live.stderr
    );
    assert_eq!(live.code, 0, "{}", live.stderr);
    let lf002 = results(&live.json())
        .iter()
        .find(|r| r["id"] == "LF002")
        .cloned()
        .unwrap();
    assert!(
        lf002["message"]
            .as_str()
            .unwrap()
            .contains("data cells filter"),
        "{lf002:#}"
    );
    // What was read live is what the facts say.
    let saved = read(&saved);
    for key in ["filter_permissions", "tag_permissions", "table_tags"] {
        assert_eq!(
            saved["lake_formation"][key], facts["lake_formation"][key],
            "{key}"
        );
    }
}

/// The binary with a clean environment: no AWS settings from the host.
fn bare(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_studio-doctor"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials"));
    c
}

#[test]
fn missing_region_or_credentials_is_a_one_line_error_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let cases = [
        (
            vec![
                ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
                ("AWS_SECRET_ACCESS_KEY", "s3cr3t-value"),
            ],
            "no AWS region",
        ),
        (vec![("AWS_REGION", "ap-northeast-1")], "no AWS credentials"),
    ];
    for (env, needle) in cases {
        let out = bare(home.path())
            .args(["check", "--user", "alice"])
            .envs(env)
            .output()
            .unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(out.stdout.is_empty());
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{err}");
        assert!(!err.contains("s3cr3t-value"), "a secret leaked: {err}");
    }
    let out = bare(home.path())
        .args(["check", "--profile", "nope", "--region", "ap-northeast-1"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("nope"), "names the profile: {err}");
}

#[test]
fn secrets_never_appear_in_output_or_saved_facts() {
    let mut stub = Stub::start();
    let facts = stub.load(&read(&root().join("examples/healthy-account.json")));
    stub.faults(json!([{ "op": "iam.GetRole", "error": "AccessDenied" }]));
    let saved = stub.dir.path().join("saved.json");
    let run = stub.check(&facts, &["--save-facts", saved.to_str().unwrap()], 1);
    let text = format!(
        "{}{}{}",
        run.stdout,
        run.stderr,
        std::fs::read_to_string(&saved).unwrap()
    );
    // The stub's credentials are "testing"/"testing"; the secret must not be echoed.
    assert!(!text.contains("AWS_SECRET_ACCESS_KEY"));
    assert!(!text.to_lowercase().contains("secret_access_key"));
    assert!(
        !text.contains("Credential=testing"),
        "a signature header leaked"
    );
}

const SENTINEL_KEY: &str = "AKIASENTINEL7Q2W3E4R";
const SENTINEL_SECRET: &str = "sentinelSecret/9f8e7d6c5b4a3210zyxwvutsrqpon";
const SENTINEL_TOKEN: &str = "SENTINELsessionTOKEN0123456789abcdefABCDEF";

/// Every format, with and without -v, with a fault and an unknown profile, from
/// environment credentials and from a profile file: the sentinel secrets appear
/// in no output, log or saved facts file.
#[test]
fn sentinel_secrets_never_appear_anywhere() {
    let mut stub = Stub::start();
    stub.load(&read(&root().join("examples/healthy-account.json")));
    stub.faults(json!([{ "op": "iam.GetRole", "error": "AccessDenied" }]));
    let profile = format!(
        "[profile audit]\naws_access_key_id = {SENTINEL_KEY}\n\
         aws_secret_access_key = {SENTINEL_SECRET}\naws_session_token = {SENTINEL_TOKEN}\n"
    );
    std::fs::write(
        stub.dir.path().join("credentials"),
        profile.replace("profile ", ""),
    )
    .unwrap();
    std::fs::write(
        stub.dir.path().join("config"),
        "[profile audit]\nregion = ap-northeast-1\n",
    )
    .unwrap();
    let from_env = [
        ("AWS_ACCESS_KEY_ID", SENTINEL_KEY),
        ("AWS_SECRET_ACCESS_KEY", SENTINEL_SECRET),
        ("AWS_SESSION_TOKEN", SENTINEL_TOKEN),
    ];
    let mut seen = String::new();
    let saved = stub.dir.path().join("saved.json");
    let saved_arg = saved.to_str().unwrap().to_string();
    for format in [
        "table",
        "json",
        "json-lines",
        "sarif",
        "junit",
        "markdown",
        "github",
    ] {
        for verbose in [false, true] {
            let mut args = vec!["check", "--format", format, "--save-facts", &saved_arg];
            if verbose {
                args.push("-v");
            }
            for (env, extra) in [
                (&from_env[..], vec![]),
                (&[][..], vec!["--profile", "audit"]),
            ] {
                let mut a = args.clone();
                a.extend(extra);
                let run = stub.studio_doctor_with(&a, 1, env);
                assert_eq!(run.code, 3, "{format}: {}", run.stderr);
                seen.push_str(&run.stdout);
                seen.push_str(&run.stderr);
                seen.push_str(&std::fs::read_to_string(&saved).unwrap());
            }
        }
    }
    // A profile that does not exist and one with a broken credential source.
    for args in [
        vec!["check", "--profile", "nosuch", "-v"],
        vec![
            "check",
            "--format",
            "json",
            "--region",
            "ap-northeast-1",
            "-v",
        ],
    ] {
        let run = stub.studio_doctor_with(&args, 1, &from_env[..1]);
        seen.push_str(&run.stdout);
        seen.push_str(&run.stderr);
    }
    assert!(
        seen.len() > 10_000,
        "the runs printed too little to prove anything"
    );
    for secret in [
        SENTINEL_SECRET,
        SENTINEL_TOKEN,
        "sentinelSecret",
        "SENTINELsession",
    ] {
        assert!(!seen.contains(secret), "{secret} leaked");
    }
}

/// Operations whose answer no verdict on the healthy account depends on: a fault
/// there must leave every check passing (exit 0).
const NOT_NEEDED_ON_HEALTHY: &[(&str, &str)] = &[
    (
        "identitystore.DescribeGroup",
        "only the group's display name is lost",
    ),
    (
        "lakeformation.ListLakeFormationOptIns",
        "read only for data in hybrid access mode; the healthy account has none",
    ),
    (
        "sso.DescribeInstance",
        "the key type matters only for an instance replicated to other regions",
    ),
    (
        "lakeformation.GetResourceLFTags",
        "a direct grant on the table already gives the user SELECT and DESCRIBE",
    ),
    (
        "lakeformation.ListDataCellsFilter",
        "a direct grant on the table already gives the user SELECT and DESCRIBE",
    ),
    (
        "sso.ListApplications",
        "the user's group has a session mapping, which already assigns it to the Studio",
    ),
    (
        "organizations.DescribeOrganization",
        "the account owns its Identity Center instance, so its organization does not matter",
    ),
];

/// One fault of `kind` on every operation a healthy run makes, one at a time: no
/// panic, nothing that needed the data passes or fails (every result is pass,
/// error or a skip behind an error), each error names the operation's action and
/// the kind, and the run exits 3. The operations come from the run itself, so a
/// new operation is covered without editing this test.
fn fault_matrix(kind: &str, label: &str, extra: &[&str], max_attempts: u32) {
    // Standard retries (the default), pinned: the adaptive mode's rate limiter
    // would slow every later call of a client that keeps being throttled.
    let env = [("AWS_RETRY_MODE", "standard")];
    let mut stub = Stub::start();
    let facts = stub.load(&read(&root().join("examples/healthy-account.json")));
    stub.reset_calls();
    assert_eq!(stub.check(&facts, &[], 1).code, 0);
    let mut ops = stub.calls();
    ops.sort();
    ops.dedup();
    assert!(ops.len() > 10, "{ops:?}");
    let mut bad = Vec::new();
    for op in &ops {
        stub.reset_calls();
        let mut rule = json!({ "op": op, "error": kind });
        if kind == "Timeout" {
            rule["delay"] = json!(3);
        }
        stub.faults(json!([rule]));
        let run = stub.check_with(&facts, extra, max_attempts, &env);
        if run.stderr.contains("panicked") {
            bad.push(format!("{op}: panic: {}", run.stderr));
            continue;
        }
        let report: Value = match serde_json::from_str(&run.stdout) {
            Ok(v) => v,
            Err(e) => {
                bad.push(format!(
                    "{op}: no JSON report ({e}), exit {}: {}",
                    run.code, run.stderr
                ));
                continue;
            }
        };
        let action = action_of(op);
        let mut errors = 0;
        for r in results(&report) {
            let m = r["message"].as_str().unwrap_or_default();
            match r["status"].as_str().unwrap() {
                "pass" => {}
                "error" => {
                    errors += 1;
                    if !(m.contains(label) && m.contains(&action)) {
                        bad.push(format!(
                            "{op}: {} error does not name {label} on {action}: {m}",
                            r["id"]
                        ));
                    }
                }
                "skip" if m.contains("could not be evaluated") => {}
                s => bad.push(format!("{op}: {} is {s}: {m}", r["id"])),
            }
        }
        let needed = !NOT_NEEDED_ON_HEALTHY.iter().any(|(o, _)| o == op);
        if needed && (errors == 0 || run.code != 3) {
            bad.push(format!("{op}: {errors} error results, exit {}", run.code));
        }
        if !needed && (errors != 0 || run.code != 0) {
            bad.push(format!(
                "{op}: not needed, yet {errors} errors, exit {}",
                run.code
            ));
        }
    }
    assert!(bad.is_empty(), "{kind}:\n{}", bad.join("\n"));
}

#[test]
fn every_operation_denied() {
    fault_matrix("AccessDenied", "AccessDenied", &[], 1);
}

#[test]
fn every_operation_throttled_past_the_retries() {
    fault_matrix("Throttling", "Throttled", &[], 2);
}

#[test]
fn every_operation_failing_with_http_500() {
    fault_matrix("ServerError", "ServiceError", &[], 1);
}

#[test]
fn every_operation_answering_a_malformed_body() {
    fault_matrix("Malformed", "ServiceError", &[], 1);
}

#[test]
fn every_operation_hanging_past_the_time_limit() {
    fault_matrix("Timeout", "Timeout", &["--call-timeout", "1"], 1);
}

#[test]
fn a_run_whose_every_call_hangs_ends_at_its_time_limit() {
    let mut stub = Stub::start();
    let facts = stub.load(&read(&root().join("examples/healthy-account.json")));
    // Checks that read no fact (they pass on a facts file with nothing in it).
    let empty = json!({ "facts_version": 1, "target": facts["target"] });
    let factless: Vec<Value> = results(&stub.offline(&empty, &[]).json())
        .iter()
        .filter(|r| r["status"] == "pass")
        .map(|r| r["id"].clone())
        .collect();
    stub.faults(json!([{ "op": "*", "error": "Timeout", "delay": 60 }]));
    let started = std::time::Instant::now();
    let run = stub.check(&facts, &["--timeout", "2"], 1);
    // Not a benchmark: a hang would take the stub's full 60 s.
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
    let report = run.json();
    for r in results(&report) {
        let m = r["message"].as_str().unwrap();
        match r["status"].as_str().unwrap() {
            "error" => assert!(m.contains("Timeout"), "{r:#}"),
            "skip" => assert!(m.contains("could not be evaluated"), "{r:#}"),
            "pass" => assert!(factless.contains(&r["id"]), "{r:#}"),
            s => panic!("{s}: {r:#}"),
        }
    }
    assert_eq!(run.code, 3);
}

/// `--concurrency 1`: one call in flight per service at most, and the same answer.
#[test]
fn concurrency_bounds_the_calls_in_flight_per_service() {
    let mut stub = Stub::start();
    let facts = stub.load(&read(&root().join("examples/healthy-account.json")));
    let expected = stub.offline(&facts, &[]).json();
    stub.reset_calls();
    stub.http("POST", "/_stub/latency", &json!({ "ms": 20 }).to_string());
    let run = stub.check(&facts, &["--concurrency", "1"], 1);
    assert_eq!(run.json(), expected, "{}", run.stderr);
    let stats = stub.http("GET", "/_stub/stats", "");
    let by_service = stats["max_in_flight_by_service"].as_object().unwrap();
    assert!(by_service.len() >= 5, "{stats:#}");
    assert!(by_service.values().all(|n| n == 1), "{stats:#}");
    assert!(
        stats["max_in_flight"].as_u64().unwrap() > 1,
        "services still overlap: {stats:#}"
    );
    stub.http("POST", "/_stub/latency", &json!({ "ms": 0 }).to_string());
    assert_eq!(
        stub.studio_doctor(&["check", "--concurrency", "0"], 1).code,
        2
    );
}

#[test]
fn a_studio_or_workgroup_that_is_not_there_is_named_with_the_ones_that_are() {
    let mut stub = Stub::start();
    let facts = stub.load(&read(&root().join("examples/healthy-account.json")));
    let run = stub.check(&facts, &["--workgroup", "idc-w"], 1);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("--workgroup idc-w: no workgroup of that name in")
            && run
                .stderr
                .contains("(did you mean idc-wg?); workgroups found: ")
            && run.stderr.contains("primary"),
        "{}",
        run.stderr
    );
    let run = stub.check(&facts, &["--studio", "Analytic"], 1);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("(did you mean analytics?); studios found: analytics"),
        "{}",
        run.stderr
    );
}
