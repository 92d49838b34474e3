//! Fixtures shared by the renderers' tests: the reports of the example accounts
//! (every check, tool version 0.1.0) and the waiver marks they put on them.

use studio_doctor_checks::Report;
use studio_doctor_checks::waivers::Waived;
use studio_doctor_checks::{Date, Facts, Status, Waiver, registry};

/// The report of a facts file's text, with every check.
pub fn report(json: &str) -> Report {
    let facts = Facts::from_json(json).unwrap();
    let all: Vec<_> = registry::ALL.iter().collect();
    studio_doctor_checks::run(&facts, &all, "0.1.0")
}

/// `examples/healthy-account.json`: every check passes.
pub fn healthy() -> Report {
    report(include_str!("../../examples/healthy-account.json"))
}

/// `examples/demo-account.json`: failures and warnings in several areas.
pub fn demo() -> Report {
    report(include_str!("../../examples/demo-account.json"))
}

/// Both examples, healthy first.
pub fn examples() -> [Report; 2] {
    [healthy(), demo()]
}

/// The index of the report's first result with `status`.
pub fn first(r: &Report, status: Status) -> usize {
    r.results
        .iter()
        .position(|x| x.status == status)
        .unwrap_or_else(|| panic!("no {} result", status.as_str()))
}

/// The mark a matching waiver puts on a result.
pub fn waived(reason: &str, expires: Option<Date>) -> Option<Waived> {
    Some(Waived {
        reason: reason.into(),
        expires,
    })
}

/// A waiver of `check` for every `arn:*` resource (for the report's waiver lists).
pub fn waiver(check: &str, expires: Option<Date>) -> Waiver {
    Waiver {
        check: check.into(),
        resource: Some("arn:*".into()),
        reason: "r".into(),
        expires,
        errors: false,
    }
}
