//! End-to-end over an organisation: the real binary against moto server plus the
//! stub in `tests/aws/`, with several accounts and regions. Run by `scripts/test`.
//!
//! The organisation: the management account M holds the Identity Center
//! organization instance (and a healthy data platform of its own); member D1 is
//! healthy, member D2 is the broken demo account, both using M's instance; member
//! D3 has no audit role; a fifth account is closed. Everything lives in R1; R2 is
//! empty in every account.

mod emulator;

use emulator::{Org, Run, Stub, results, root};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

const ROLE: &str = "StudioDoctorAudit";
const R1: &str = "ap-northeast-1";
const R2: &str = "us-east-1";

/// An example account as the audit role reads it: the tool runs as a session of
/// StudioDoctorAudit, which the example makes its Lake Formation administrator.
fn as_audit_role(name: &str) -> Value {
    let text = std::fs::read_to_string(root().join("examples").join(name))
        .unwrap()
        .replace(
            "assumed-role/studio-doctor-readonly/ci",
            &format!("assumed-role/{ROLE}/studio-doctor"),
        )
        .replace("role/studio-doctor-readonly", &format!("role/{ROLE}"));
    serde_json::from_str(&text).unwrap()
}

struct World {
    stub: Stub,
    org: Org,
    /// What a live run should find in D1 and D2 (the seeded facts, rewritten).
    d1: Value,
    d2: Value,
}

impl World {
    fn m(&self) -> &str {
        &self.org.management
    }
    fn member(&self, i: usize) -> &str {
        &self.org.members[i]
    }
}

fn organisation() -> World {
    let mut stub = Stub::start();
    stub.reset_all();
    // D1 and D2 are the data accounts: tagged team=data.
    let data = json!({"team": "data"});
    let org = stub.tagged_organization(3, 1, json!([data, data, {}]));
    let (m, d1, d2) = (&org.management, &org.members[0], &org.members[1]);
    for account in [m, d1, d2] {
        stub.role(account, ROLE);
    }
    let healthy = as_audit_role("healthy-account.json");
    stub.load_into(&healthy, m, R1, None);
    let d1_facts = stub.load_into(&healthy, d1, R1, Some(m));
    let d2_facts = stub.load_into(&as_audit_role("demo-account.json"), d2, R1, Some(m));
    World {
        stub,
        org,
        d1: d1_facts,
        d2: d2_facts,
    }
}

/// `check --format json` with `args` and the user and table the facts look at.
fn run(stub: &Stub, facts: &Value, args: &[&str]) -> Run {
    let target = emulator::target_args(facts);
    let mut all: Vec<&str> = args.to_vec();
    all.extend(target.iter().map(String::as_str));
    let run = stub.check_args(&all);
    assert!(
        !run.stderr.contains("panicked"),
        "studio-doctor panicked:\n{}",
        run.stderr
    );
    run
}

/// check id -> status of one target's results.
fn statuses(report: &Value, account: &str, region: &str) -> BTreeMap<String, String> {
    results(report)
        .iter()
        .filter(|r| r["account_id"] == account && r["region"] == region)
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn offline_statuses(stub: &Stub, facts: &Value) -> BTreeMap<String, String> {
    let report = stub.offline(facts, &[]).json();
    results(&report)
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn targets(report: &Value) -> BTreeSet<(String, String)> {
    report["targets"]
        .as_array()
        .unwrap_or_else(|| panic!("no targets in the report: {report:#}"))
        .iter()
        .map(|t| {
            (
                t["account_id"].as_str().unwrap().to_string(),
                t["region"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn report_validator() -> jsonschema::Validator {
    let path = root().join("schemas/report-v1.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn pairs(accounts: &[&str], regions: &[&str]) -> BTreeSet<(String, String)> {
    accounts
        .iter()
        .flat_map(|a| regions.iter().map(move |r| (a.to_string(), r.to_string())))
        .collect()
}

#[test]
fn an_organisation_reads_per_account_and_region_and_replays_from_saved_facts() {
    let w = organisation();
    let (m, d1, d2, d3) = (w.m(), w.member(0), w.member(1), w.member(2));
    let accounts = format!("{d1},{d2},{d3}");
    let regions = format!("{R1},{R2}");
    let idc_role = format!("arn:aws:iam::{m}:role/{ROLE}");
    let saved = w.stub.dir.path().join("saved");
    let live = run(
        &w.stub,
        &w.d1,
        &[
            "--accounts",
            &accounts,
            "--role-name",
            ROLE,
            "--regions",
            &regions,
            "--identity-center-role-arn",
            &idc_role,
            "--save-facts",
            saved.to_str().unwrap(),
        ],
    );
    let report = live.json();
    assert_eq!(live.code, 1, "{}", live.stderr);

    // One target per (account, region); every result names one of them.
    let want = pairs(&[d1, d2, d3], &[R1, R2]);
    assert_eq!(targets(&report), want, "{report:#}");
    for r in results(&report) {
        let key = (
            r["account_id"].as_str().unwrap_or_default().to_string(),
            r["region"].as_str().unwrap_or_default().to_string(),
        );
        assert!(want.contains(&key), "a result outside the targets: {r:#}");
    }
    let errors: Vec<String> = report_validator()
        .iter_errors(&report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    // D1 reads as its facts read offline; D2 fails what the demo account fails.
    assert_eq!(
        statuses(&report, d1, R1),
        offline_statuses(&w.stub, &w.d1),
        "D1 in {R1}\nstderr: {}",
        live.stderr
    );
    assert_eq!(
        statuses(&report, d2, R1),
        offline_statuses(&w.stub, &w.d2),
        "D2 in {R1}\nstderr: {}",
        live.stderr
    );
    // D3 has no audit role: one AC001 error per region, nothing else.
    for region in [R1, R2] {
        let got = statuses(&report, d3, region);
        assert_eq!(
            got,
            BTreeMap::from([("AC001".to_string(), "error".to_string())]),
            "D3 in {region}"
        );
        let ac001 = results(&report)
            .iter()
            .find(|r| r["account_id"] == d3 && r["region"] == region)
            .unwrap();
        let message = ac001["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("arn:aws:iam::{d3}:role/{ROLE}")),
            "{message}"
        );
    }
    // R2 is empty in D1 and D2 (Identity Center's instance is in R1): the account
    // is read and the region is one where Athena supports trusted identity
    // propagation, nothing else passes; no instance, Studio, Identity Center
    // enabled workgroup or Access Grants instance is found there.
    for account in [d1, d2] {
        let got = statuses(&report, account, R2);
        let passes: Vec<&str> = got
            .iter()
            .filter(|(_, s)| *s == "pass")
            .map(|(id, _)| id.as_str())
            .collect();
        assert_eq!(passes, ["AC001", "WG009"], "{account} in {R2}: {got:?}");
        for id in ["IC001", "ES001", "WG001", "AG001"] {
            assert_eq!(got[id], "fail", "{account} in {R2}: {id}: {got:?}");
        }
    }

    // One facts file per target; replaying the directory gives the same report.
    let files = std::fs::read_dir(&saved).unwrap().count();
    assert_eq!(files, want.len(), "saved facts in {}", saved.display());
    let replay = w.stub.studio_doctor(
        &[
            "check",
            "--format",
            "json",
            "--facts",
            saved.to_str().unwrap(),
        ],
        1,
    );
    assert_eq!(replay.code, live.code, "{}", replay.stderr);
    // Live targets come in (account, region) order, the order a directory replays in.
    assert_eq!(replay.json(), report, "replayed report differs");
}

#[test]
fn organization_lists_exactly_its_active_accounts() {
    let w = organisation();
    let live = run(
        &w.stub,
        &w.d1,
        &["--organization", "--role-name", ROLE, "--regions", R1],
    );
    let report = live.json();
    let mut active = vec![w.m()];
    active.extend(w.org.members.iter().map(String::as_str));
    assert_eq!(targets(&report), pairs(&active, &[R1]), "{}", live.stderr);
    for closed in &w.org.closed {
        assert!(
            !results(&report).iter().any(|r| r["account_id"] == *closed),
            "the closed account {closed} was read"
        );
    }
    // D3 (no role) is the one target that reports only AC001.
    let d3 = statuses(&report, w.member(2), R1);
    assert_eq!(d3.len(), 1, "{d3:?}");
    assert_eq!(d3["AC001"], "error");

    // --accounts-filter keeps the accounts with the tag (organizations:ListTagsForResource).
    let tagged = run(
        &w.stub,
        &w.d1,
        &[
            "--organization",
            "--accounts-filter",
            "team=data",
            "--role-name",
            ROLE,
            "--regions",
            R1,
        ],
    );
    assert_eq!(
        targets(&tagged.json()),
        pairs(&[w.member(0), w.member(1)], &[R1]),
        "{}",
        tagged.stderr
    );
}

#[test]
fn a_member_denied_identity_store_reads_is_told_to_use_identity_center_profile() {
    // The documented "limit member account access" SCP: identitystore denied in D1.
    let w = organisation();
    let d1 = w.member(0);
    w.stub.faults(json!([
        { "op": "identitystore.*", "error": "AccessDenied", "account": d1 }
    ]));
    let live = run(
        &w.stub,
        &w.d1,
        &["--accounts", d1, "--role-name", ROLE, "--regions", R1],
    );
    let report = live.json();
    let errors: Vec<&Value> = results(&report)
        .iter()
        .filter(|r| r["status"] == "error")
        .collect();
    assert!(!errors.is_empty(), "{report:#}");
    assert!(
        errors.iter().any(|r| r["message"]
            .as_str()
            .unwrap()
            .contains("--identity-center-profile")),
        "no error says to use --identity-center-profile: {errors:#?}"
    );
    // Read Identity Center from M instead, through its role or a profile of it (the
    // emulator's default keys are M's): the same account passes.
    std::fs::write(
        w.stub.dir.path().join("config"),
        "[profile idc-admin]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .unwrap();
    let idc_role = format!("arn:aws:iam::{}:role/{ROLE}", w.m());
    for via in [
        ["--identity-center-role-arn", idc_role.as_str()],
        ["--identity-center-profile", "idc-admin"],
    ] {
        let mut args = vec!["--accounts", d1, "--role-name", ROLE, "--regions", R1];
        args.extend(via);
        let live = run(&w.stub, &w.d1, &args);
        assert_eq!(
            statuses(&live.json(), d1, R1),
            offline_statuses(&w.stub, &w.d1),
            "{via:?}: {}",
            live.stderr
        );
    }
}
