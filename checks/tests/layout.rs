//! Check files are leaves: each one uses the core modules (`crate::check`,
//! `crate::ctx`, `crate::facts`, `crate::policy`, `crate::idc`, ...), never
//! another check. Shared logic lives in a core module both checks call.

use std::path::Path;

/// The places in `text` that reach another check: `crate::checks::...`, or
/// `super::<id>` / `super::super::...` (a check's own tests use `super::run`).
fn reaches_another_check(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut bad = code.contains("crate::checks::") || code.contains("super::super::");
        for (i, _) in code.match_indices("super::") {
            let rest = &code.as_bytes()[i + "super::".len()..];
            let id = rest.len() >= 5
                && rest[..2].iter().all(u8::is_ascii_lowercase)
                && rest[2..5].iter().all(u8::is_ascii_digit);
            bad |= id;
        }
        if bad {
            found.push((n + 1, line.trim().to_string()));
        }
    }
    found
}

#[test]
fn no_check_file_uses_another_check() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src/checks"));
    let mut bad = Vec::new();
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".rs") || name == "mod.rs" {
            continue;
        }
        files += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        for (line, code) in reaches_another_check(&text) {
            bad.push(format!("checks/src/checks/{name}:{line}: {code}"));
        }
    }
    assert!(files >= 39, "only {files} check files found in {dir:?}");
    assert!(
        bad.is_empty(),
        "check files must not use another check; move the shared logic into a core module:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_detector_sees_imports_of_other_checks() {
    let text = "use crate::check::Outcome;\nuse crate::checks::es004::create_role_command;\nuse super::ag001::region_idc_instance;\n    Ok(None) => return super::ag001::run(ctx),\n    use super::run;\n    let m = super::META;\n// see crate::checks::es001\n";
    let lines: Vec<usize> = reaches_another_check(text)
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(lines, vec![2, 3, 4]);
}
