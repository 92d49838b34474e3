//! `cargo xtask new-check` on a copy of the checks crate and the trap generator:
//! the scaffold builds, has every doc section the checks have, is registered and
//! has its trap entry; bad input is refused in one line, with exit 2, and
//! changes nothing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository, from the manifest directory cargo gives the test process (a
/// path compiled in would be stale when the same target directory serves
/// another clone).
fn repo() -> PathBuf {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or(env!("CARGO_MANIFEST_DIR").into());
    Path::new(&dir).parent().unwrap().to_path_buf()
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let dest = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &dest);
        } else {
            fs::copy(&path, &dest).unwrap();
        }
    }
}

/// A fresh copy of what the generator reads and writes, as a workspace of its
/// own with the repository's lock file and build profiles (so the dependencies
/// already built in the target directory are reused).
fn copy(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    copy_dir(&repo().join("checks/src"), &dir.join("checks/src"));
    fs::copy(
        repo().join("checks/Cargo.toml"),
        dir.join("checks/Cargo.toml"),
    )
    .unwrap();
    fs::create_dir_all(dir.join("examples")).unwrap();
    for f in [
        "examples/generate.py",
        "examples/healthy-account.json",
        "Cargo.lock",
    ] {
        fs::copy(repo().join(f), dir.join(f)).unwrap();
    }
    let root = fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    let mut manifest = String::from("[workspace]\nmembers = [\"checks\"]\nresolver = \"1\"\n");
    let mut profile = false;
    for line in root.lines() {
        if line.starts_with('[') {
            profile = line.starts_with("[profile.");
        }
        if profile {
            manifest.push_str(line);
            manifest.push('\n');
        }
    }
    fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    dir
}

fn xtask(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn text(dir: &Path, path: &str) -> String {
    fs::read_to_string(dir.join(path)).unwrap()
}

/// The `**Section.**` headings of a check's doc comment, in order.
fn sections(source: &str) -> Vec<String> {
    source
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .filter_map(|l| l.strip_prefix("//! **"))
        .filter_map(|l| l.split_once("**").map(|(s, _)| s.to_string()))
        .collect()
}

/// The headings every existing check's doc has, in the order of the first check.
fn sections_of_every_check() -> Vec<String> {
    let mut all: Option<Vec<String>> = None;
    for entry in fs::read_dir(repo().join("checks/src/checks")).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap() == "mod.rs" {
            continue;
        }
        let have = sections(&fs::read_to_string(&path).unwrap());
        all = Some(match all {
            None => have,
            Some(keep) => keep.into_iter().filter(|s| have.contains(s)).collect(),
        });
    }
    all.unwrap()
}

fn python() -> String {
    std::env::var("STUDIO_DOCTOR_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

#[test]
fn scaffolds_a_check_that_builds_and_has_every_doc_section() {
    let dir = copy("new-check-ok");
    let out = xtask(
        &dir,
        &[
            "new-check",
            "ES010",
            "studio-example-rule",
            "--area",
            "emr-studio",
            "--hop=sign-in",
            "--title",
            "The \"example\" holds",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for step in [
        "examples/generate.py",
        "UPDATE_README=1",
        "outcomes__ES010.snap",
    ] {
        assert!(stdout.contains(step), "the to-do lacks {step}:\n{stdout}");
    }

    let check = text(&dir, "checks/src/checks/es010.rs");
    assert!(
        check.starts_with("//! # ES010 studio-example-rule\n"),
        "{check}"
    );
    let have = sections(&check);
    let want = sections_of_every_check();
    assert!(want.len() >= 5, "{want:?}");
    let ordered: Vec<_> = have.iter().filter(|s| want.contains(s)).collect();
    assert_eq!(ordered, want.iter().collect::<Vec<_>>(), "{check}");
    assert!(!check.contains("**Permissions needed.**"));
    for field in [
        "id: \"ES010\",",
        "name: \"studio-example-rule\",",
        "area: Area::EmrStudio,",
        "severity: Severity::Warning,",
        "title: \"The \\\"example\\\" holds\",",
        "depends_on: &[],",
        "hop: Hop::SignIn,",
        "entitlement: false,",
        "needs: &[],",
        "docs: &[],",
    ] {
        assert!(check.contains(field), "the META lacks {field}:\n{check}");
    }

    let mod_rs = text(&dir, "checks/src/checks/mod.rs");
    assert!(mod_rs.contains("pub mod es009;\npub mod es010;\npub mod ic001;"));
    assert!(mod_rs.contains(" es009, es010, //\n"), "{mod_rs}");
    let generate = text(&dir, "examples/generate.py");
    assert!(generate.contains("\ndef es010(f):\n") && generate.contains("\"ES010\": es010,"));
    let py = Command::new(python())
        .args(["-m", "py_compile", "examples/generate.py"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    assert!(
        !dir.join("examples/traps").exists(),
        "the examples are not regenerated"
    );

    // A second run refuses: the check exists now.
    assert_eq!(
        xtask(
            &dir,
            &[
                "new-check",
                "ES010",
                "other",
                "--area",
                "emr-studio",
                "--hop",
                "read"
            ]
        )
        .status
        .code(),
        Some(2)
    );

    // The copied crate, with the new check, is formatted and builds.
    let fmt = Command::new("rustfmt")
        .args(["--check", "--edition", "2024"])
        .args(["checks/src/checks/es010.rs", "checks/src/checks/mod.rs"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        fmt.status.success(),
        "{}",
        String::from_utf8_lossy(&fmt.stdout)
    );
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let build = Command::new(cargo)
        .args([
            "check",
            "--offline",
            "--quiet",
            "--lib",
            "-p",
            "studio-doctor-checks",
        ])
        .env("CARGO_TARGET_DIR", target)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn refuses_bad_input_in_one_line_with_exit_2_and_writes_nothing() {
    let dir = copy("new-check-refused");
    let before = [
        text(&dir, "checks/src/checks/mod.rs"),
        text(&dir, "examples/generate.py"),
    ];
    let files = fs::read_dir(dir.join("checks/src/checks")).unwrap().count();
    let ok = ["--area", "emr-studio", "--hop", "sign-in"];
    let cases: &[(&[&str], &str)] = &[
        (&["ES001", "fresh-name"], "check ES001 exists"),
        (&["es004", "fresh-name"], "check ES004 exists"),
        (
            &["ES010", "studio-user-role-trust-set-context"],
            "is taken by ES004",
        ),
        (&["E0010", "fresh-name"], "is not a check id"),
        (&["ES01", "fresh-name"], "is not a check id"),
        (&["ES0100", "fresh-name"], "is not a check id"),
        (&["WG011", "fresh-name"], "have ids ESnnn"),
        (&["ES010", "Fresh_Name"], "not a kebab-case name"),
        (&["ES010", "fresh--name"], "not a kebab-case name"),
        (&["ES010", "-fresh"], "not a kebab-case name"),
        (
            &["ES010", "fresh", "--colour", "red"],
            "unknown option --colour",
        ),
        (&["ES010"], "usage"),
    ];
    for (args, says) in cases {
        let mut all = vec!["new-check"];
        all.extend_from_slice(args);
        all.extend_from_slice(&ok);
        let out = xtask(&dir, &all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{all:?}: {err}");
        assert!(out.stdout.is_empty(), "{all:?}");
        assert_eq!(err.lines().count(), 1, "{all:?}: {err}");
        assert!(
            err.starts_with("error: ") && err.contains(says),
            "{all:?}: {err}"
        );
    }
    for (args, says) in [
        (
            vec!["--area", "emr", "--hop", "read"],
            "area \"emr\" is none of",
        ),
        (vec!["--hop", "read"], "--area is required"),
        (vec!["--area", "emr-studio"], "--hop is required"),
        (
            vec![
                "--area",
                "emr-studio",
                "--hop",
                "read",
                "--severity",
                "info",
            ],
            "severity",
        ),
        (
            vec!["--area", "emr-studio", "--hop", "read", "--title", " "],
            "--title",
        ),
        (vec!["--area", "emr-studio", "--hop"], "--hop needs a value"),
    ] {
        let mut all = vec!["new-check", "ES010", "fresh-name"];
        all.extend(args);
        let out = xtask(&dir, &all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{all:?}: {err}");
        assert!(
            err.lines().count() == 1 && err.contains(says),
            "{all:?}: {err}"
        );
    }
    let out = xtask(&dir, &["no-such-command"]);
    assert_eq!(out.status.code(), Some(2));
    // An id that a renamed check had is never reused.
    let lib = text(&dir, "checks/src/lib.rs").replace(
        "ALIASES: &[(&str, &str)] = &[]",
        "ALIASES: &[(&str, &str)] = &[(\"ES011\", \"ES004\")]",
    );
    fs::write(dir.join("checks/src/lib.rs"), lib).unwrap();
    let out = xtask(
        &dir,
        &[
            "new-check",
            "ES011",
            "fresh-name",
            "--area",
            "emr-studio",
            "--hop",
            "read",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("never reused"));
    let after = [
        text(&dir, "checks/src/checks/mod.rs"),
        text(&dir, "examples/generate.py"),
    ];
    assert_eq!(before, after);
    assert_eq!(
        fs::read_dir(dir.join("checks/src/checks")).unwrap().count(),
        files
    );
    let _ = fs::remove_dir_all(&dir);
}
