//! The JSON report's schema is checked in at `schemas/report-v1.schema.json`,
//! the fix plan's (`plan.json`) at `schemas/plan-v1.schema.json`. These tests
//! regenerate them from the types and fail when they differ. After a deliberate
//! change, rewrite the files with
//! `STUDIO_DOCTOR_BLESS=1 cargo test -p studio-doctor-checks --test schema`.

use schemars::generate::SchemaSettings;
use std::path::Path;
use studio_doctor_checks::Report;
use studio_doctor_checks::fix::plan::Plan;

/// The schema of what is written (serialization, not deserialization:
/// `Option` fields are always present, `null` when empty, unless skipped).
fn generated<T: schemars::JsonSchema>() -> String {
    let schema = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>();
    serde_json::to_string_pretty(&schema).unwrap() + "\n"
}

#[test]
fn checked_in_schema_matches_the_report_types() {
    compare(
        "schemas/report-v1.schema.json",
        generated::<Report>(),
        "report types in checks/src (report.rs, waivers.rs, check.rs, path.rs, fix/)",
    );
}

#[test]
fn checked_in_schema_matches_the_plan_types() {
    compare(
        "schemas/plan-v1.schema.json",
        generated::<Plan>(),
        "plan types in checks/src/fix",
    );
}

fn compare(file: &str, fresh: String, types: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let path = root.join(file);
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
            "{} is missing or out of date with the {types}: first difference at line {line}.\n\
             If the change is intended, regenerate it with\n  \
             STUDIO_DOCTOR_BLESS=1 cargo test -p studio-doctor-checks --test schema\n\
             and review the diff (a breaking change needs a new schema_version).",
            path.display()
        );
    }
}
