//! Every fix proven on the facts: for each shipped example account, the plan's
//! steps are applied to the facts (the values a person must supply taken from a
//! table of realistic ones) and every check runs again. Each finding a step
//! claims to close must pass, nothing that passed may fail, and every step the
//! plan runs must be one the facts can take.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use studio_doctor_checks::fix::Kind;
use studio_doctor_checks::fix::inputs::KNOWN;
use studio_doctor_checks::fix::simulate::{Simulation, simulate};
use studio_doctor_checks::{Facts, RunOptions, registry, run};

fn examples() -> Vec<PathBuf> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples"));
    let mut v = vec![
        dir.join("healthy-account.json"),
        dir.join("demo-account.json"),
    ];
    let mut traps: Vec<_> = std::fs::read_dir(dir.join("traps"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    traps.sort();
    v.extend(traps);
    v
}

fn load(path: &Path) -> Facts {
    Facts::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// What a person would type for each placeholder (the example accounts are in
/// ap-northeast-1, account 111122223333).
const VALUES: &[(&str, &str)] = &[
    ("VPC_ID", "vpc-0a1b2c3d4e5f60718"),
    ("SUBNET_ID_1", "subnet-0a1b2c3d4e5f60001"),
    ("SUBNET_ID_2", "subnet-0a1b2c3d4e5f60002"),
    ("WORKSPACE_SG_ID", "sg-0a1b2c3d4e5f60aaa"),
    ("ENGINE_SG_ID", "sg-0a1b2c3d4e5f60bbb"),
    ("STUDIO_NAME", "analytics-idc"),
    ("SERVICE_ROLE_NAME", "EMRStudio-ServiceRole"),
    ("USER_ROLE_NAME", "EMRStudio-UserRole"),
    ("BUCKET", "analytics-studio-111122223333"),
    ("PREFIX", "studio"),
    ("RESULTS_BUCKET", "athena-results-111122223333"),
    (
        "IDENTITY_CENTER_INSTANCE_ARN",
        "arn:aws:sso:::instance/ssoins-7758a1b2c3d4e5f6",
    ),
    ("WORKGROUP_NAME", "idc-wg"),
    ("S3AG_LOCATION_ROLE", "S3AccessGrantsLocationRole"),
    (
        "KMS_KEY_ARN",
        "arn:aws:kms:ap-northeast-1:111122223333:key/mrk-1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6",
    ),
    ("IDC_USER_ID", "97a4f8e8-30c1-70d2-1a2b-3c4d5e6f7a8b"),
    ("SESSION_POLICY", "EMRStudio-SessionPolicy"),
    (
        "EXECUTION_ROLE_ARN",
        "arn:aws:iam::111122223333:role/service-role/AWSAthenaSQLRole-idc-wg",
    ),
    ("ACCOUNT_ID", "111122223333"),
];

/// Where a person would choose otherwise, by example: the results bucket is
/// in another region, so the fix makes a new one.
const OVERRIDES: &[(&str, &str, &str)] = &[(
    "AG003-bucket-region.json",
    "RESULTS_BUCKET",
    "athena-results-111122223333-ap-northeast-1",
)];

fn values() -> BTreeMap<String, String> {
    VALUES
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn sim(path: &Path) -> Simulation {
    let mut v = values();
    for (example, k, value) in OVERRIDES {
        if name(path) == *example {
            v.insert(k.to_string(), value.to_string());
        }
    }
    simulate(&load(path), &RunOptions::default(), &v)
}

/// Why the simulation of one example does not prove its plan, if it does not.
fn problems(example: &str, s: &Simulation) -> Vec<String> {
    let mut out = Vec::new();
    for u in &s.unfixed {
        out.push(format!(
            "{example}: {} on {} is not fixed by {} (now {}: {})",
            u.finding.check,
            u.finding.resource,
            u.steps.join(" + "),
            u.now.map_or("still failing elsewhere", |st| st.as_str()),
            u.message
        ));
    }
    for r in &s.regressed {
        out.push(format!(
            "{example}: the plan breaks {} on {} (passed before, {} after)",
            r.check,
            r.resource,
            r.status.as_str()
        ));
    }
    for f in &s.failed {
        let claims: Vec<String> = s.plan.steps[f.step]
            .closes
            .iter()
            .map(|c| c.check.clone())
            .collect();
        out.push(format!(
            "{example}: step {} {} (fix of {}) cannot be applied: {}",
            f.step,
            f.action,
            claims.join(", "),
            f.why
        ));
    }
    for n in &s.not_applied {
        if s.plan.steps[n.step].applicability != Kind::Recreates {
            out.push(format!(
                "{example}: step {} {} was not applied: {}",
                n.step, n.action, n.why
            ));
        }
    }
    out
}

#[test]
fn every_plan_closes_what_it_claims_and_breaks_nothing() {
    let mut all = Vec::new();
    for path in examples() {
        let s = sim(&path);
        println!(
            "{}: {} steps, {} applied, {} manual; before {:?} after {:?}; introduced {:?}; retargeted {:?}",
            name(&path),
            s.plan.steps.len(),
            s.applied.len(),
            s.plan.manual.len(),
            (s.before.pass, s.before.fail, s.before.warn),
            (s.after.pass, s.after.fail, s.after.warn),
            s.introduced
                .iter()
                .map(|f| format!("{} {}", f.check, f.resource))
                .collect::<Vec<_>>(),
            s.retargeted
        );
        all.extend(problems(&name(&path), &s));
    }
    assert!(all.is_empty(), "\n{}", all.join("\n"));
}

#[test]
fn the_healthy_account_has_an_empty_plan() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples"));
    let s = sim(&dir.join("healthy-account.json"));
    assert!(s.plan.steps.is_empty() && s.plan.manual.is_empty());
    assert_eq!(s.before, s.after);
}

#[test]
fn the_value_table_covers_every_known_placeholder() {
    let v = values();
    for (n, _) in KNOWN {
        assert!(v.contains_key(*n), "no example value for <{n}>");
    }
}

#[test]
fn every_typed_action_of_the_examples_is_listed_in_its_check_meta() {
    let mut missing = Vec::new();
    for path in examples() {
        let facts = load(&path);
        let all: Vec<_> = registry::ALL.iter().collect();
        for r in run(&facts, &all, "test").results {
            let Some(fix) = &r.remediation else { continue };
            let meta = registry::find(r.id).unwrap().meta;
            for a in &fix.actions {
                let pair = (a.name(), fix.applicability.kind);
                if !meta.fixes.iter().any(|(n, k)| *n == pair.0 && *k == pair.1) {
                    missing.push(format!(
                        "{}: {} fix has ({}, {:?}), not in its Meta.fixes",
                        name(&path),
                        r.id,
                        pair.0,
                        pair.1
                    ));
                }
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "\n{}", missing.join("\n"));
}
