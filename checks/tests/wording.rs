//! Product text speaks of AWS: what happens in the account, with evidence that
//! reads as documented, observed in practice or inferred. It never refers to
//! where the project learnt a rule (an origin story, its author, numbered traps,
//! internal reference files or evidence tags).

use std::path::Path;
use studio_doctor_checks::{Facts, registry, run};

/// Case-insensitive words and phrases that never appear in product text.
const WORDS: &[&str] = &[
    "seed",
    "blog",
    "the author",
    "final trap",
    "aws-domain",
    "field-report",
];

/// Evidence tags of the project's notes (matched case-sensitively, as words).
const TAGS: &[&str] = &["BLOG", "INFERRED", "DOC", "MODEL", "3P"];

fn problems(what: &str, text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    for w in WORDS {
        if lower.contains(w) {
            out.push(format!("{what}: says {w:?}"));
        }
    }
    for (i, _) in lower.match_indices("trap") {
        let rest = &lower[i..];
        let next = rest.split_whitespace().nth(1).unwrap_or("");
        if (rest.starts_with("trap ") || rest.starts_with("traps "))
            && next.starts_with(|c: char| c.is_ascii_digit())
        {
            out.push(format!(
                "{what}: numbers a trap ({})",
                &rest[..rest.len().min(12)]
            ));
        }
    }
    for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        if TAGS.contains(&word) {
            out.push(format!("{what}: evidence tag {word}"));
        }
    }
    out
}

#[test]
fn explanations_and_reports_speak_of_aws() {
    let mut bad = Vec::new();
    for c in registry::ALL {
        bad.extend(problems(
            &format!("explain {}", c.meta.id),
            &c.explanation(),
        ));
        bad.extend(problems(&format!("{} title", c.meta.id), c.meta.title));
    }
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples"));
    let mut files = vec![dir.join("healthy-account.json")];
    files.extend(
        std::fs::read_dir(dir)
            .unwrap()
            .chain(std::fs::read_dir(dir.join("traps")).unwrap())
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json")),
    );
    let all: Vec<_> = registry::ALL.iter().collect();
    for f in files {
        let facts = Facts::from_json(&std::fs::read_to_string(&f).unwrap()).unwrap();
        for r in run(&facts, &all, "test").results {
            let what = format!("{} on {}", r.id, f.file_name().unwrap().to_string_lossy());
            bad.extend(problems(&what, &r.message));
            if let Some(fix) = &r.remediation {
                bad.extend(problems(&what, &fix.summary));
            }
        }
    }
    bad.sort();
    bad.dedup();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_readme_speaks_of_aws() {
    let readme = include_str!("../../README.md");
    let bad = problems("README.md", readme);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_wording_test_finds_what_it_forbids() {
    assert!(!problems("x", "as the seed's author found (trap 2-4)").is_empty());
    assert_eq!(problems("x", "see traps 2-1, 2-2").len(), 1);
    assert_eq!(problems("x", "Evidence: BLOG and DOC").len(), 3);
    assert!(problems("x", "documented; observed in practice; inferred; a trap").is_empty());
}

/// `cargo xtask new-check` writes a check with TODO markers for its author; a
/// check ships with none left (in its doc, `META`, code or tests).
#[test]
fn no_check_keeps_a_todo_marker() {
    let left: Vec<_> = registry::ALL
        .iter()
        .filter(|c| c.source.contains("TODO"))
        .map(|c| c.meta.id)
        .collect();
    assert!(
        left.is_empty(),
        "TODO markers left in checks/src/checks/ for {left:?}"
    );
}
