//! studio-doctor's pure core: the facts model, the check registry, one module per
//! check, and the IAM policy evaluation the checks need. No AWS SDK, no I/O.

pub mod check;
pub mod checks;
pub mod ctx;
pub mod fact;
pub mod facts;
pub mod lf;
pub mod path;
pub mod policy;
pub mod run;
pub mod s3;
pub mod tip_regions;

pub use check::{Area, Check, Meta, Need, Outcome, Remediation, Severity, Status, Verdict};
pub use fact::{Fact, Unknown, UnknownKind};
pub use facts::Facts;
pub use run::{FailOn, Report, run};

pub mod registry {
    //! The catalog of checks, in report order.
    use crate::check::Check;
    pub use crate::checks::ALL;

    pub fn find(id: &str) -> Option<&'static Check> {
        let id = id.to_ascii_uppercase();
        ALL.iter().find(|c| c.meta.id == id)
    }

    /// The selected checks plus, transitively, their prerequisites, in registry
    /// order (every prerequisite precedes its dependants in `ALL`).
    pub fn with_prerequisites(selected: &[&'static Check]) -> Vec<&'static Check> {
        let mut want: Vec<&str> = selected.iter().map(|c| c.meta.id).collect();
        let mut i = 0;
        while i < want.len() {
            if let Some(c) = find(want[i]) {
                for d in c.meta.depends_on {
                    if !want.contains(d) {
                        want.push(d);
                    }
                }
            }
            i += 1;
        }
        ALL.iter().filter(|c| want.contains(&c.meta.id)).collect()
    }
}

#[cfg(test)]
pub mod testkit;
