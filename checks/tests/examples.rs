//! The shipped example accounts are the checks' contract:
//! healthy passes everything, each trap file trips exactly its check, the demo
//! account trips every check or skips it behind a failed prerequisite.

use std::collections::BTreeSet;
use std::path::Path;
use studio_doctor_checks::CheckResult;
use studio_doctor_checks::{Facts, Status, registry, run};

fn load(path: &Path) -> Facts {
    let text = std::fs::read_to_string(path).unwrap();
    Facts::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn results(path: &Path) -> Vec<CheckResult> {
    let all: Vec<_> = registry::ALL.iter().collect();
    run(&load(path), &all, "test").results
}

fn examples() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples"))
}

/// Every check that depends on `id`, directly or not.
fn dependants(id: &str) -> BTreeSet<&'static str> {
    let mut out = BTreeSet::new();
    let mut grew = true;
    while grew {
        grew = false;
        for c in registry::ALL {
            if !out.contains(c.meta.id)
                && c.meta
                    .depends_on
                    .iter()
                    .any(|d| *d == id || out.contains(d))
            {
                out.insert(c.meta.id);
                grew = true;
            }
        }
    }
    out
}

#[test]
fn healthy_account_passes_every_check() {
    let r = results(&examples().join("healthy-account.json"));
    let bad: Vec<_> = r.iter().filter(|r| r.status != Status::Pass).collect();
    assert!(bad.is_empty(), "{bad:#?}");
    let ids: BTreeSet<_> = r.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), registry::ALL.len(), "every check reports");
}

/// Every trap file: `(check id, path)`. A check's main trap is `<ID>.json`; a
/// further setup that trips the same check is `<ID>-<what>.json`.
fn trap_files() -> Vec<(String, std::path::PathBuf)> {
    let mut v: Vec<_> = std::fs::read_dir(examples().join("traps"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let stem = p.file_stem().unwrap().to_str().unwrap();
            let id = stem.split('-').next().unwrap().to_string();
            (id, p)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn every_check_has_a_trap_file() {
    for c in registry::ALL {
        let p = examples().join("traps").join(format!("{}.json", c.meta.id));
        assert!(p.exists(), "missing {}", p.display());
    }
    for (id, p) in trap_files() {
        assert!(
            registry::find(&id).is_some(),
            "{}: no check {id}",
            p.display()
        );
    }
}

/// Checks that only ever end in `error` (a target that could not be read): their
/// trap reports that one result and nothing else.
const ERROR_ONLY: &[&str] = &["AC001"];

#[test]
fn each_trap_file_trips_exactly_its_check() {
    for (id, path) in trap_files() {
        let id = id.as_str();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if ERROR_ONLY.contains(&id) {
            let r = results(&path);
            assert!(
                matches!(&r[..], [only] if only.id == id && only.status == Status::Error),
                "trap {name}: {r:#?}"
            );
            continue;
        }
        let deps = dependants(id);
        let r = results(&path);
        for res in &r {
            let expected: &[Status] = if res.id == id {
                &[Status::Fail, Status::Warn, Status::Pass]
            } else if deps.contains(res.id) {
                &[Status::Skip, Status::Pass]
            } else {
                &[Status::Pass]
            };
            assert!(
                expected.contains(&res.status),
                "trap {name}: {} is {:?}: {}",
                res.id,
                res.status,
                res.message
            );
        }
        assert!(
            r.iter()
                .any(|res| res.id == id && res.status != Status::Pass),
            "trap {name} does not trip {id}"
        );
        let own = r
            .iter()
            .find(|res| res.id == id && res.status != Status::Pass)
            .unwrap();
        let fix = own.remediation.as_ref().expect("a failure carries a fix");
        assert!(!fix.summary.is_empty() && !fix.docs.is_empty());
        // A manual fix (a lookup, a human decision) says what to do in its summary.
        let manual = fix.applicability.kind == studio_doctor_checks::fix::Kind::Manual;
        assert_eq!(fix.commands.is_empty(), manual, "trap {name}: {fix:?}");
    }
}

/// What the seed's author had set up right: these pass on the demo account.
const DEMO_RIGHT: &[&str] = &[
    "AC001", "IC001", "IC002", "IC003", "IC004", "IC005", "ES007", "WG009", "LF001", "LF002",
    "LF003", "LF004", "LF007", "LF008", "LF009", "LF010",
];

#[test]
fn demo_account_trips_or_skips_every_other_check() {
    let r = results(&examples().join("demo-account.json"));
    for res in &r {
        match res.status {
            Status::Fail | Status::Warn => assert!(res.remediation.is_some(), "{res:#?}"),
            Status::Skip => assert!(
                res.message.contains("prerequisite") && res.message.contains("failed"),
                "{res:#?}"
            ),
            Status::Pass => assert!(
                DEMO_RIGHT.contains(&res.id),
                "demo account: {} passes",
                res.id
            ),
            Status::Error => panic!("demo account: {} errors: {}", res.id, res.message),
        }
    }
    for id in ["ES001", "WG001", "AG001", "LF005"] {
        assert!(
            r.iter().any(|x| x.id == id && x.status == Status::Fail),
            "{id}"
        );
    }
    for id in ["ES006", "LF006"] {
        assert!(
            r.iter().any(|x| x.id == id && x.status == Status::Warn),
            "{id}"
        );
    }
}

#[test]
fn check_ids_are_unique_and_stable() {
    let ids: Vec<_> = registry::ALL
        .iter()
        .map(|c| (c.meta.id, c.meta.name))
        .collect();
    let unique: BTreeSet<_> = ids.iter().map(|(id, _)| id).collect();
    assert_eq!(unique.len(), ids.len(), "duplicate id");
    insta::assert_json_snapshot!("check_ids", ids);
}

#[test]
fn prerequisites_come_before_dependants() {
    for (i, c) in registry::ALL.iter().enumerate() {
        for d in c.meta.depends_on {
            let j = registry::ALL.iter().position(|x| x.meta.id == *d);
            assert!(
                matches!(j, Some(j) if j < i),
                "{} depends on {d}",
                c.meta.id
            );
        }
    }
}

/// The trap files and the demo account are what `examples/generate.py` writes
/// from the healthy account today (python3 runs it in `--check` mode).
#[test]
fn generated_examples_are_current() {
    let python = std::env::var("STUDIO_DOCTOR_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(python)
        .arg(examples().join("generate.py"))
        .arg("--check")
        .output()
        .expect("python3 runs examples/generate.py");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
