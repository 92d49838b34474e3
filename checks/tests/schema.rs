//! The JSON report's schema is checked in at `schemas/report-v1.schema.json`.
//! This test regenerates it from the report types and fails when the two differ.
//! After a deliberate change to the report, rewrite the file with
//! `STUDIO_DOCTOR_BLESS=1 cargo test -p studio-doctor-checks --test schema`.

use schemars::generate::SchemaSettings;
use std::path::Path;
use studio_doctor_checks::Report;

/// The schema of what `--format json` writes (serialization, not deserialization:
/// `Option` fields are always present, `null` when empty, unless skipped).
fn generated() -> String {
    let schema = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<Report>();
    serde_json::to_string_pretty(&schema).unwrap() + "\n"
}

#[test]
fn checked_in_schema_matches_the_report_types() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let path = root.join("schemas/report-v1.schema.json");
    let fresh = generated();
    if std::env::var_os("STUDIO_DOCTOR_BLESS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    if checked_in != fresh {
        let line = checked_in
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(checked_in.lines().count().min(fresh.lines().count()))
            + 1;
        panic!(
            "{} is missing or out of date with the report types in checks/src \
             (report.rs, waivers.rs, check.rs, path.rs): first difference at line {line}.\n\
             If the change is intended, regenerate it with\n  \
             STUDIO_DOCTOR_BLESS=1 cargo test -p studio-doctor-checks --test schema\n\
             and review the diff (a breaking change needs a new schema_version).",
            path.display()
        );
    }
}
