//! The per-target loops of the checks: each Studio, workgroup and table, with
//! the outcome to report when the targets could not be read.

use crate::check::Outcome;
use crate::ctx::{Ctx, studio_label, workgroup_label};
use crate::fact::Unknown;
use crate::facts::{LfPermission, LfResource, Studio, WorkGroup};
use crate::lf::{self, table_label};
use crate::scope::Scope;

/// One call per Studio in scope, its outcomes scoped `studio:<id>`; a Studio
/// that could not be described gets one `error` instead.
pub(crate) fn each_studio<'a>(
    ctx: &Ctx<'a>,
    f: impl Fn(&'a Studio) -> Vec<Outcome>,
) -> Vec<Outcome> {
    match ctx.studios() {
        Ok(studios) => studios
            .into_iter()
            .flat_map(|s| {
                let out = match &s.unreadable {
                    Some(u) => vec![unreadable(studio_label(s), u)],
                    None => f(s),
                };
                out.into_iter().map(move |o| o.scope(Scope::studio(s)))
            })
            .collect(),
        Err(u) => vec![Outcome::unknown("EMR Studios", "the EMR Studios", u)],
    }
}

/// The outcome for one Studio or workgroup that could not be described.
pub(crate) fn unreadable(label: String, u: &Unknown) -> Outcome {
    Outcome::unknown(&label, &label, u)
}

/// One call per target workgroup (`Ctx::workgroups`), its outcomes scoped
/// `workgroup:<name>`; a workgroup that could not be described gets one `error`.
pub(crate) fn each_workgroup<'a>(
    ctx: &Ctx<'a>,
    f: impl Fn(&'a WorkGroup) -> Vec<Outcome>,
) -> Vec<Outcome> {
    per_workgroup(ctx.workgroups(), f)
}

/// Like [`each_workgroup`], over `Ctx::target_workgroups`: a regular workgroup
/// named by `--workgroup` included.
pub(crate) fn each_target_workgroup<'a>(
    ctx: &Ctx<'a>,
    f: impl Fn(&'a WorkGroup) -> Vec<Outcome>,
) -> Vec<Outcome> {
    per_workgroup(ctx.target_workgroups(), f)
}

fn per_workgroup<'a>(
    workgroups: Result<Vec<&'a WorkGroup>, &'a Unknown>,
    f: impl Fn(&'a WorkGroup) -> Vec<Outcome>,
) -> Vec<Outcome> {
    match workgroups {
        Ok(workgroups) => workgroups
            .into_iter()
            .flat_map(|w| {
                let out = match &w.unreadable {
                    Some(u) => vec![unreadable(workgroup_label(w), u)],
                    None => f(w),
                };
                out.into_iter().map(move |o| o.scope(Scope::workgroup(w)))
            })
            .collect(),
        Err(u) => vec![unknown_workgroups(u)],
    }
}

/// The outcome when the workgroups could not be read.
pub(crate) fn unknown_workgroups(u: &Unknown) -> Outcome {
    Outcome::unknown("Athena workgroups", "the Athena workgroups", u)
}

/// Like [`lf::each_split_table`], with the Lake Formation permission list read
/// (an error outcome per table when it cannot be).
pub(crate) fn each_table_grants<'a>(
    ctx: &Ctx<'a>,
    f: impl Fn(&str, &str, &str, &'a [LfPermission]) -> Vec<Outcome>,
) -> Vec<Outcome> {
    lf::each_split_table(
        ctx,
        "its Lake Formation grants",
        |name, db, table| match ctx.facts.lake_formation.permissions.known() {
            Ok(perms) => f(name, db, table, perms),
            Err(u) => vec![Outcome::unknown(
                table_label(name),
                "the Lake Formation permissions",
                u,
            )],
        },
    )
}

/// One outcome per `--table`, judged on the Lake Formation registration that
/// covers its location; without one, what [`lf::registration`] reports (LF004
/// fails or errors on the same table, so the runner skips it).
pub(crate) fn each_registration<'a>(
    ctx: &Ctx<'a>,
    f: impl Fn(&str, &'a LfResource) -> Outcome,
) -> Vec<Outcome> {
    lf::each_table(ctx, |name| {
        vec![match lf::registration(ctx, name) {
            Ok((_, r)) => f(name, r),
            Err(o) => *o,
        }]
    })
}
