//! studio-doctor's pure core: the facts model, the check registry, one module per
//! check, and the IAM policy evaluation the checks need. No AWS SDK, no I/O.

pub mod checks;
mod domain;
mod engine;
pub mod fix;
mod model;
mod util;

// The modules keep their short paths (`crate::facts`, `studio_doctor_checks::policy`).
pub use domain::{ctx, lf, policy, s3, tip_regions};
pub(crate) use domain::{each, fixes, grants, idc, review, roles, trust};
pub use engine::{check, need, path, report, run, scope, waivers};
pub use model::{fact, facts, modes};
pub use util::{names, shell, text};

pub use check::{Area, Check, Meta, Need, Outcome, Remediation, Severity, Status, Verdict};
pub use fact::{Fact, Unknown, UnknownKind};
pub use facts::Facts;
pub use report::{CheckResult, FailOn, Report};
pub use run::{RunOptions, run, run_with};
pub use scope::Scope;
pub use waivers::{Date, Waiver};

pub mod registry {
    //! The catalog of checks, in report order.
    use crate::check::Check;
    pub use crate::checks::ALL;

    /// Renamed check ids: (old id, new id). An old id keeps working wherever a
    /// check id is accepted (`--only`, `--skip`, `explain`, `--severity`, waivers).
    /// Ids are never reused, so an old id never names another check.
    pub const ALIASES: &[(&str, &str)] = &[];

    /// A check by id (any case) or by a renamed id in [`ALIASES`].
    pub fn find(id: &str) -> Option<&'static Check> {
        find_in(id, ALIASES)
    }

    /// [`find`] with another alias table (for tests of the mechanism).
    pub fn find_in(id: &str, aliases: &[(&str, &str)]) -> Option<&'static Check> {
        let id = id.to_ascii_uppercase();
        ALL.iter().find(|c| c.meta.id == id).or_else(|| {
            let (_, new) = aliases
                .iter()
                .find(|(old, _)| old.eq_ignore_ascii_case(&id))?;
            ALL.iter().find(|c| c.meta.id == *new)
        })
    }

    /// The checks on one hop of the access path, in report order.
    pub fn on_hop(hop: crate::check::Hop) -> Vec<&'static str> {
        ALL.iter()
            .filter(|c| c.meta.hop == hop)
            .map(|c| c.meta.id)
            .collect()
    }

    /// Whether a check is about assignments or grants ([`crate::Meta::entitlement`]).
    pub fn is_entitlement(id: &str) -> bool {
        ALL.iter().any(|c| c.meta.id == id && c.meta.entitlement)
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

#[cfg(test)]
mod tests {
    use super::registry::{ALIASES, ALL, find, find_in};

    #[test]
    fn renamed_ids_resolve_through_the_alias_table() {
        let aliases = [("ES999", "ES004"), ("old-x1", "WG001"), ("ZZ001", "NOPE")];
        assert_eq!(find_in("es999", &aliases).unwrap().meta.id, "ES004");
        assert_eq!(find_in("OLD-X1", &aliases).unwrap().meta.id, "WG001");
        // Current ids win, unknown targets and unknown ids resolve to nothing.
        assert_eq!(find_in("ES004", &aliases).unwrap().meta.id, "ES004");
        assert!(find_in("ZZ001", &aliases).is_none());
        assert!(find_in("ES999", &[]).is_none());
        assert!(find("ES999").is_none());
    }

    #[test]
    fn aliases_name_existing_checks_and_never_shadow_a_current_id() {
        for (old, new) in ALIASES {
            assert!(ALL.iter().any(|c| c.meta.id == *new), "{old} -> {new}");
            assert!(
                !ALL.iter().any(|c| c.meta.id.eq_ignore_ascii_case(old)),
                "{old}"
            );
        }
    }
}
