//! `cargo xtask new-check`: write a check from the template, register it, add its
//! trap entry, and say what is left to do. Everything is checked before anything
//! is written, so a refusal leaves the tree as it was.

use crate::template;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `--area` values: (value, id prefix, `Area` variant).
pub const AREAS: &[(&str, &str, &str)] = &[
    ("account", "AC", "Account"),
    ("identity-center", "IC", "IdentityCenter"),
    ("emr-studio", "ES", "EmrStudio"),
    ("athena-workgroup", "WG", "AthenaWorkgroup"),
    ("s3-access-grants", "AG", "S3AccessGrants"),
    ("lake-formation", "LF", "LakeFormation"),
];

/// `--hop` values: (value, `Hop` variant).
pub const HOPS: &[(&str, &str)] = &[
    ("identity", "Identity"),
    ("sign-in", "SignIn"),
    ("user-role", "UserRole"),
    ("workgroup", "Workgroup"),
    ("read", "Read"),
    ("write", "Write"),
];

/// `--severity` values: (value, `Severity` variant).
const SEVERITIES: &[(&str, &str)] = &[("error", "Error"), ("warning", "Warning")];

/// The new check, as asked for.
pub struct Spec {
    /// `ES010`.
    pub id: String,
    pub name: String,
    /// `Area` variant.
    pub area: &'static str,
    /// `Hop` variant.
    pub hop: &'static str,
    /// `Severity` variant.
    pub severity: &'static str,
    pub title: Option<String>,
}

impl Spec {
    /// The module name, `es010`.
    pub fn module(&self) -> String {
        self.id.to_ascii_lowercase()
    }
}

pub fn main(root: &Path, args: &[String]) -> Result<(), String> {
    let spec = parse(args)?;
    let files = plan(root, &spec)?;
    for (path, text) in &files {
        std::fs::write(root.join(path), text)
            .map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    let rust: Vec<PathBuf> = files
        .iter()
        .map(|(p, _)| root.join(p))
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    let formatted = Command::new("rustfmt")
        .args(["--edition", "2024"])
        .args(&rust)
        .status()
        .is_ok_and(|s| s.success());
    println!("{}", todo(&spec, formatted));
    Ok(())
}

fn lookup<T: Copy>(table: &[(&str, T)], value: &str, what: &str) -> Result<T, String> {
    let names: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
    table
        .iter()
        .find(|(n, _)| *n == value)
        .map(|(_, v)| *v)
        .ok_or_else(|| format!("{what} {value:?} is none of {}", names.join(", ")))
}

/// The command line after `new-check`.
pub fn parse(args: &[String]) -> Result<Spec, String> {
    let mut positional = Vec::new();
    let (mut area, mut hop, mut severity, mut title) = (None, None, None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if !a.starts_with("--") {
            positional.push(a.clone());
            continue;
        }
        let (key, inline) = match a.split_once('=') {
            Some((k, v)) => (k, Some(v.to_string())),
            None => (a.as_str(), None),
        };
        let slot = match key {
            "--area" => &mut area,
            "--hop" => &mut hop,
            "--severity" => &mut severity,
            "--title" => &mut title,
            _ => return Err(format!("unknown option {key} (cargo xtask --help)")),
        };
        let value = match inline {
            Some(v) => v,
            None => it.next().cloned().ok_or(format!("{key} needs a value"))?,
        };
        *slot = Some(value);
    }
    let [id, name] = positional.as_slice() else {
        return Err(
            "usage: cargo xtask new-check <ID> <kebab-name> --area <area> --hop <hop> [--severity error|warning] [--title \"...\"]".into(),
        );
    };
    let areas: Vec<(&str, (&str, &'static str))> =
        AREAS.iter().map(|(v, p, a)| (*v, (*p, *a))).collect();
    let area_value = area.as_deref().ok_or("--area is required")?;
    let (prefix, area) = lookup(&areas, area_value, "area")?;
    let hop = lookup(HOPS, hop.as_deref().ok_or("--hop is required")?, "hop")?;
    let severity = lookup(
        SEVERITIES,
        severity.as_deref().unwrap_or("warning"),
        "severity",
    )?;
    let id = id.to_ascii_uppercase();
    let b = id.as_bytes();
    let well_formed = b.len() == 5
        && b[..2].iter().all(u8::is_ascii_alphabetic)
        && b[2..].iter().all(u8::is_ascii_digit);
    if !well_formed {
        return Err(format!(
            "{id:?} is not a check id: two letters and three digits, e.g. {prefix}001"
        ));
    }
    if &id[..2] != prefix {
        return Err(format!(
            "{id}: the checks of --area {area_value} have ids {prefix}nnn"
        ));
    }
    if !is_kebab(name) {
        return Err(format!(
            "{name:?} is not a kebab-case name (lowercase words joined by '-', e.g. studio-user-role-trust)"
        ));
    }
    if let Some(t) = &title
        && (t.trim().is_empty() || t.contains(['\n', '\r']))
    {
        return Err("--title is one non-empty line".into());
    }
    Ok(Spec {
        id,
        name: name.clone(),
        area,
        hop,
        severity,
        title,
    })
}

fn is_kebab(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.split('-').all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

fn read(root: &Path, path: &str) -> Result<String, String> {
    std::fs::read_to_string(root.join(path)).map_err(|e| format!("reading {path}: {e}"))
}

/// The value of the first `<field>: "<value>"` line of a check file.
fn field<'a>(text: &'a str, field: &str) -> Option<&'a str> {
    text.lines().find_map(|l| {
        let v = l.trim().strip_prefix(field)?.strip_prefix(": \"")?;
        v.split('"').next()
    })
}

/// The files to write (relative to `root`), or why not.
pub fn plan(root: &Path, spec: &Spec) -> Result<Vec<(PathBuf, String)>, String> {
    let module = spec.module();
    let dir = root.join("checks/src/checks");
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let file = path.file_name().unwrap_or_default().to_string_lossy();
        if !file.ends_with(".rs") || file == "mod.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{file}: {e}"))?;
        let id = field(&text, "id").unwrap_or_default();
        if id.eq_ignore_ascii_case(&spec.id) || file == format!("{module}.rs") {
            return Err(format!(
                "check {} exists (checks/src/checks/{file})",
                spec.id
            ));
        }
        if field(&text, "name") == Some(spec.name.as_str()) {
            return Err(format!(
                "the name {} is taken by {id} (checks/src/checks/{file})",
                spec.name
            ));
        }
    }
    let lib = read(root, "checks/src/lib.rs")?;
    if aliases(&lib)
        .iter()
        .any(|a| a.eq_ignore_ascii_case(&spec.id))
    {
        return Err(format!(
            "{} was a check's id (registry::ALIASES); ids are never reused",
            spec.id
        ));
    }
    let mod_rs = register(&read(root, "checks/src/checks/mod.rs")?, &module)?;
    let generate = add_trap(&read(root, "examples/generate.py")?, &spec.id)?;
    Ok(vec![
        (
            PathBuf::from(format!("checks/src/checks/{module}.rs")),
            template::check_file(spec),
        ),
        (PathBuf::from("checks/src/checks/mod.rs"), mod_rs),
        (PathBuf::from("examples/generate.py"), generate),
    ])
}

/// The old ids in `registry::ALIASES` (`(old, new)` pairs).
fn aliases(lib: &str) -> Vec<String> {
    let Some(start) = lib.find("ALIASES: &[(&str, &str)] = &[") else {
        return Vec::new();
    };
    let body = &lib[start..];
    let body = &body[..body.find("];").unwrap_or(body.len())];
    body.split('(')
        .skip(2)
        .filter_map(|pair| pair.split('"').nth(1).map(str::to_string))
        .collect()
}

/// `mod.rs` with the module declared (in name order) and registered at the end
/// of its area's row of `registry!` (after the checks it may depend on).
pub fn register(mod_rs: &str, module: &str) -> Result<String, String> {
    let decl = format!("pub mod {module};");
    let mut lines: Vec<String> = mod_rs.lines().map(str::to_string).collect();
    if lines.contains(&decl) {
        return Err(format!("checks/src/checks/mod.rs already has `{decl}`"));
    }
    let mods: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with("pub mod ") && lines[i].ends_with(';'))
        .collect();
    let last = *mods
        .last()
        .ok_or("checks/src/checks/mod.rs has no `pub mod` lines")?;
    let at = mods
        .iter()
        .copied()
        .find(|&i| lines[i] > decl)
        .unwrap_or(last + 1);
    lines.insert(at, decl);
    let start = lines
        .iter()
        .position(|l| l.starts_with("registry!("))
        .ok_or("checks/src/checks/mod.rs has no `registry!(`")?;
    let prefix = &module[..2];
    let row = (start + 1..lines.len())
        .take_while(|&i| !lines[i].starts_with(");"))
        .filter(|&i| last_of(&lines[i], prefix).is_some())
        .last()
        .ok_or(format!("registry! has no row of {prefix} checks"))?;
    let after = last_of(&lines[row], prefix).unwrap_or_default();
    let entry = if lines[row][..after].ends_with(',') {
        format!(" {module},")
    } else {
        format!(", {module}")
    };
    lines[row].insert_str(after, &entry);
    Ok(lines.join("\n") + "\n")
}

/// The byte offset just after `<id>,` (or `<id>`) of the row's last check id with this prefix.
fn last_of(row: &str, prefix: &str) -> Option<usize> {
    let code = row.split("//").next().unwrap_or_default();
    let mut end = None;
    let mut at = 0;
    for token in code.split(',') {
        at += token.len() + 1;
        let t = token.trim().as_bytes();
        if t.len() == 5 && t.starts_with(prefix.as_bytes()) && t[2..].iter().all(u8::is_ascii_digit)
        {
            end = Some(at.min(code.len()));
        }
    }
    end
}

/// `generate.py` with a trap function that raises until it is written, and its
/// `TRAPS` entry. The examples are not regenerated.
pub fn add_trap(generate: &str, id: &str) -> Result<String, String> {
    let module = id.to_ascii_lowercase();
    if generate.contains(&format!("\"{id}\":")) || generate.contains(&format!("\ndef {module}(")) {
        return Err(format!("examples/generate.py already has a trap {id}"));
    }
    let traps = generate
        .find("\nTRAPS = {\n")
        .ok_or("examples/generate.py has no `TRAPS = {`")?;
    let close = traps
        + generate[traps..]
            .find("\n}\n")
            .ok_or("examples/generate.py: `TRAPS = {` is not closed by a `}` line")?;
    let function = format!(
        "\ndef {module}(f):\n    \
         # TODO(new-check): change the healthy account `f` so that {id} fails (or warns)\n    \
         # and every other check passes, or skips behind {id}; say the setup in one line.\n    \
         raise NotImplementedError(\"write the {id} trap in examples/generate.py\")\n\n"
    );
    Ok(format!(
        "{}{function}{}\n    \"{id}\": {module},  # TODO(new-check): write {module} above{}",
        &generate[..traps],
        &generate[traps..close],
        &generate[close..]
    ))
}

/// What is left to do by hand.
fn todo(spec: &Spec, formatted: bool) -> String {
    let (id, m) = (&spec.id, spec.module());
    let fmt = if formatted {
        ""
    } else {
        "\n  (rustfmt did not run: run cargo fmt --all)"
    };
    format!(
        "new check {id} {name}:
  {file:<26} doc sections, META and a run that judges nothing yet (TODO markers)
  checks/src/checks/mod.rs   module and registry entry (last of its area)
  examples/generate.py       trap {m} in TRAPS (raises until written; examples not regenerated){fmt}

Left to do by hand:
  1. The logic: `run` in checks/src/checks/{m}.rs and its unit tests (the healthy facts plus
     one change; the printed fix applied to them passes). META: title, depends_on (move the
     registry entry after any prerequisite of a later area), needs (a new fact also needs
     facts.rs, a collector, src/collect/ops.rs, tests/aws/stub.py and the healthy example),
     docs, entitlement; severity error only when the documentation settles the rule.
  2. The doc comment: replace every TODO; cite the AWS documentation under References and
     say whether the rule is documented, observed in practice or inferred.
  3. The trap: def {m} in examples/generate.py, then python3 examples/generate.py.
  4. The README table: cargo xtask readme
     (UPDATE_README=1 cargo test -p studio-doctor-checks --test readme).
  5. The snapshots: review and accept checks/tests/snapshots/outcomes__{id}.snap.new and
     examples__check_ids.snap.new (cargo insta review, or INSTA_UPDATE=always then git diff),
     then the report snapshots of the binary (cargo test: tests/snapshots, src/render/snapshots).

Until then these tests fail, which is the point:
{failing}",
        name = spec.name,
        file = format!("checks/src/checks/{m}.rs"),
        failing = FAILING.replace("{id}", id).replace("{m}", &m),
    )
}

/// The tests a fresh scaffold fails (found by running the suite on one).
const FAILING: &str = "  studio-doctor-checks: checks::{m}::tests::passes_on_the_healthy_account;
    examples: healthy_account_passes_every_check, every_check_has_a_trap_file,
      each_trap_file_trips_exactly_its_check, demo_account_trips_or_skips_every_other_check,
      check_ids_are_unique_and_stable, generated_examples_are_current;
    outcomes (no snapshot of {id}), readme, wording::no_check_keeps_a_todo_marker,
    path::tests (every hop passes on the healthy account), items
  studio-doctor: the report snapshots and counts (tests/cli.rs, render::*::tests),
    readme_lists_every_check, the SARIF rule of {id}";

#[cfg(test)]
mod tests {
    use super::*;

    /// The variants of `pub enum <name>` in checks/src/engine/check.rs.
    fn variants(name: &str) -> Vec<String> {
        let src = include_str!("../../checks/src/engine/check.rs");
        let body = src.split(&format!("pub enum {name} {{")).nth(1).unwrap();
        body[..body.find('}').unwrap()]
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("//"))
            .map(|l| l.trim_end_matches(',').to_string())
            .collect()
    }

    #[test]
    fn the_option_values_are_the_enums_of_check_rs() {
        let areas: Vec<_> = AREAS.iter().map(|(_, _, a)| a.to_string()).collect();
        assert_eq!(areas, variants("Area"));
        let hops: Vec<_> = HOPS.iter().map(|(_, h)| h.to_string()).collect();
        assert_eq!(hops, variants("Hop"));
    }

    #[test]
    fn registers_at_the_end_of_its_area_row() {
        let mod_rs = "pub mod lf001;\npub mod lf009;\npub mod wg001;\n\nregistry!(\n    wg001, //\n    // LF009 before LF006.\n    lf001, lf009,\n);\n";
        let out = register(mod_rs, "lf011").unwrap();
        assert_eq!(
            out,
            "pub mod lf001;\npub mod lf009;\npub mod lf011;\npub mod wg001;\n\nregistry!(\n    wg001, //\n    // LF009 before LF006.\n    lf001, lf009, lf011,\n);\n"
        );
        let out = register(mod_rs, "wg002").unwrap();
        assert!(
            out.contains("pub mod lf009;\npub mod wg001;\npub mod wg002;\n\n"),
            "{out}"
        );
        assert!(out.contains("    wg001, wg002, //\n"), "{out}");
        assert!(
            register(mod_rs, "ag001")
                .unwrap_err()
                .contains("no row of ag")
        );
        assert!(
            register(mod_rs, "lf009")
                .unwrap_err()
                .contains("already has")
        );
        let no_comma = register("pub mod lf001;\nregistry!(\n    lf001\n);\n", "lf002").unwrap();
        assert!(no_comma.contains("    lf001, lf002\n);"), "{no_comma}");
    }

    #[test]
    fn reads_the_old_ids_of_the_alias_table() {
        let lib = "pub const ALIASES: &[(&str, &str)] = &[(\"ES999\", \"ES004\"), (\"WG100\", \"WG001\")];";
        assert_eq!(aliases(lib), ["ES999", "WG100"]);
        assert!(aliases("pub const ALIASES: &[(&str, &str)] = &[];").is_empty());
    }
}
