//! The file of a new check: every doc section the checks have, its `META`, and a
//! `run` that judges nothing yet.

use crate::new_check::Spec;

pub fn check_file(spec: &Spec) -> String {
    let (id, name) = (&spec.id, &spec.name);
    let title = match &spec.title {
        Some(t) => format!("    title: {t:?},\n"),
        None => "    // TODO: one line, what holds when the check passes (the README table shows it).\n    \
                 title: \"TODO: what holds when the check passes\",\n"
            .to_string(),
    };
    format!(
        r#"//! # {id} {name}
//!
//! **What it checks.** TODO: the rule, in terms of what AWS returns (`Operation` →
//! `Field`): which resources in scope it looks at and what passes. A fact that
//! cannot be read gives an error naming the call, never a pass.
//!
//! **Why it matters.** TODO: what fails in the account when the rule is broken, as
//! the user meets it (for example "opening the Studio fails with ...").
//!
//! **How to fix.** TODO: the console steps, and the exact CLI command the report
//! prints (it fills in the account's names and ARNs).
//!
//! **Evidence.** TODO: documented (quote the page, link it below), observed in
//! practice, or inferred. A rule no documentation settles is inferred: say so,
//! and keep the check a warning.
//!
//! **References.**
//! - TODO: https://docs.aws.amazon.com/...

use crate::check::{{Area, Hop, Meta, Outcome, Severity}};
use crate::ctx::Ctx;

pub const META: Meta = Meta {{
    id: "{id}",
    name: "{name}",
    area: Area::{area},
    severity: Severity::{severity},
{title}    // TODO: the checks that must not have failed for this one to mean something.
    depends_on: &[],
    hop: Hop::{hop},
    // true when the check is about assignments or grants (they take up to an hour to apply).
    entitlement: false,
    fixes: &[],
    // TODO: the facts `run` reads (`Need::...`); `explain` derives the permissions from them.
    needs: &[],
    // TODO: the AWS documentation pages the fix links to.
    docs: &[],
}};

/// TODO: judge the facts (`ctx.facts`), one outcome per resource in scope:
/// `Outcome::pass`, `Outcome::fail` with `.fix(remedy(..))` (the exact fix; a unit
/// test applies it to the facts and the check passes), `Outcome::unknown` when a
/// fact it needs is unknown (never a pass), each with `.scope(Scope::..)`. Until
/// then the check reports nothing and the tests that every check reports fail.
pub fn run(_ctx: &Ctx) -> Vec<Outcome> {{
    Vec::new()
}}

#[cfg(test)]
mod tests {{
    use crate::check::Status;
    use crate::testkit::{{healthy, only}};

    // TODO: a test per rule: the healthy facts plus the one change fails; the
    // printed fix applied to those facts passes.

    #[test]
    fn passes_on_the_healthy_account() {{
        let r = only("{id}", &healthy());
        assert_eq!(r.status, Status::Pass, "{{r:#?}}");
    }}
}}
"#,
        area = spec.area,
        severity = spec.severity,
        hop = spec.hop,
    )
}
