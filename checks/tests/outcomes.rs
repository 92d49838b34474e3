//! One snapshot per check (`snapshots/outcomes__<ID>.snap`): what the check
//! reports on the healthy account and on each of its trap files
//! (`examples/traps/<ID>.json`, `<ID>-<what>.json`): status, resource, message
//! and fix. A wording edit changes the one small snapshot of its check.
//! Review with `cargo insta review` (or `INSTA_UPDATE=always`, then `git diff`).

use std::fmt::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use studio_doctor_checks::{Facts, registry, run};

fn examples() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples"))
}

/// The healthy account, then the check's trap files.
fn accounts(id: &str) -> Vec<PathBuf> {
    let mut traps: Vec<_> = std::fs::read_dir(examples().join("traps"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy();
            p.extension().is_some_and(|x| x == "json") && stem.split('-').next() == Some(id)
        })
        .collect();
    // The main trap `<ID>.json` first, then the further ones by name.
    traps.sort_by_key(|p| (p.file_stem().unwrap() != id, p.clone()));
    let mut all = vec![examples().join("healthy-account.json")];
    all.append(&mut traps);
    all
}

/// The check's outcomes on one account, as text (multi-line values indented).
fn outcomes(id: &str, path: &Path, out: &mut String) {
    let text = std::fs::read_to_string(path).unwrap();
    let facts = Facts::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let check = registry::find(id).unwrap();
    let name = path.strip_prefix(examples()).unwrap().display();
    writeln!(out, "## {name}").unwrap();
    for r in run(&facts, &[check], "test").results {
        if r.id != id {
            continue;
        }
        writeln!(out, "{}: {}", r.status.as_str(), r.resource).unwrap();
        line(out, "  ", &r.message);
        if let Some(fix) = &r.remediation {
            line(out, "  fix: ", &fix.summary);
            for c in &fix.commands {
                line(out, "    $ ", c);
            }
            for d in &fix.docs {
                line(out, "    doc: ", d);
            }
        }
    }
    out.push('\n');
}

/// `text` after `lead`, its further lines indented to match.
fn line(out: &mut String, lead: &str, text: &str) {
    let pad = " ".repeat(lead.len());
    for (i, l) in text.lines().enumerate() {
        let l = format!("{}{l}", if i == 0 { lead } else { &pad });
        writeln!(out, "{}", l.trim_end()).unwrap();
    }
}

#[test]
fn each_checks_outcomes_on_healthy_and_its_traps() {
    let mut failed = Vec::new();
    for c in registry::ALL {
        let id = c.meta.id;
        let mut text = String::new();
        for path in accounts(id) {
            outcomes(id, &path, &mut text);
        }
        // Every mismatch is written as a .snap.new before the test fails.
        let same = catch_unwind(AssertUnwindSafe(|| insta::assert_snapshot!(id, text)));
        if same.is_err() {
            failed.push(id);
        }
    }
    assert!(failed.is_empty(), "outcomes changed for {failed:?}");
}
