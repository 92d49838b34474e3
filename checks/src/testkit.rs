//! Test helpers: the shipped example accounts and a one-check runner.

use crate::check::Status;
use crate::facts::Facts;
use crate::registry;
use crate::run::{CheckResult, run};

pub fn healthy() -> Facts {
    Facts::from_json(include_str!("../../examples/healthy-account.json")).unwrap()
}

/// Run one check (with its prerequisites evaluated, unreported) on these facts.
pub fn results(id: &str, facts: &Facts) -> Vec<CheckResult> {
    let check = registry::find(id).expect("known check id");
    let mut results = run(facts, &[check], "test").results;
    // Prerequisites that caused a skip are reported too; tests look at `id` only.
    results.retain(|r| r.id == check.meta.id);
    results
}

pub fn statuses(id: &str, facts: &Facts) -> Vec<Status> {
    results(id, facts).iter().map(|r| r.status).collect()
}

/// The single result of a check that yields one; panics otherwise.
pub fn only(id: &str, facts: &Facts) -> CheckResult {
    let mut r = results(id, facts);
    assert_eq!(r.len(), 1, "{id} gave {r:#?}");
    r.remove(0)
}
