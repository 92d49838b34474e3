//! The access path: "can this user run this query?", hop by hop.
//!
//! For each `--user` and `--table`, the path a query takes: the user signs in to
//! the Studio, the Studio assumes the user role, the query runs in the workgroup,
//! Lake Formation lets it read the table, S3 Access Grants lets it write the
//! results. Each hop is marked with the worst result of the checks behind it that
//! concern this user, table, Studio and workgroup.

use crate::check::{self, Status};
use crate::ctx::Ctx;
use crate::report::CheckResult;
use crate::scope::Scope;
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct AccessPath {
    /// The target the path runs in (a report may cover several).
    pub account_id: Option<String>,
    pub region: String,
    pub user: String,
    pub table: String,
    pub studio: Option<String>,
    pub workgroup: Option<String>,
    /// The worst hop's status: `pass` means every hop passed.
    pub status: Status,
    pub hops: Vec<Hop>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Hop {
    pub step: String,
    pub status: Status,
    /// The checks behind this hop that reported on it.
    pub checks: Vec<&'static str>,
    /// Those of them that failed, warned or errored: where to look first.
    pub problems: Vec<&'static str>,
    /// Those of them that did not run (a prerequisite failed, or nothing to check).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<&'static str>,
    /// Its checks that `--only`/`--skip` left out of the run: the hop is unproven.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<&'static str>,
}

/// How bad a status is for a path: fail > error > warn > skip > pass.
fn rank(s: Status) -> u8 {
    match s {
        Status::Pass => 0,
        Status::Skip => 1,
        Status::Warn => 2,
        Status::Error => 3,
        Status::Fail => 4,
    }
}

/// One path per `--user` × `--table`, through the first Studio and workgroup in scope.
pub fn paths(ctx: &Ctx, results: &[CheckResult]) -> Vec<AccessPath> {
    let t = &ctx.facts.target;
    let studio = ctx
        .sso_studios()
        .ok()
        .and_then(|s| s.first().copied())
        .or_else(|| ctx.studios().ok().and_then(|s| s.first().copied()));
    let workgroup = ctx
        .target_workgroups()
        .ok()
        .and_then(|w| w.first().copied());
    let mut out = Vec::new();
    for user in &t.users {
        for table in &t.tables {
            let mine: Vec<Scope> = [
                Some(Scope::user(user)),
                Some(Scope::table(table)),
                studio.map(Scope::studio),
                workgroup.map(Scope::workgroup),
            ]
            .into_iter()
            .flatten()
            .collect();
            let relevant = |r: &&CheckResult| {
                r.scopes
                    .iter()
                    .all(|s| mine.contains(s) || !mine.iter().any(|m| m.same_kind(s)))
            };
            let hop = |step: String, on: check::Hop| {
                let ids = crate::registry::on_hop(on);
                let rs: Vec<&CheckResult> = results
                    .iter()
                    .filter(|r| ids.contains(&r.id))
                    .filter(relevant)
                    .collect();
                let mut status = rs
                    .iter()
                    .map(|r| r.status)
                    .max_by_key(|s| rank(*s))
                    .unwrap_or(Status::Skip);
                // A check left out of the run (--only/--skip) leaves the hop unproven.
                let left_out: Vec<&'static str> = ids
                    .iter()
                    .filter(|id| !results.iter().any(|r| r.id == **id))
                    .copied()
                    .collect();
                if status == Status::Pass && !left_out.is_empty() {
                    status = Status::Skip;
                }
                let mut checks: Vec<&'static str> = rs.iter().map(|r| r.id).collect();
                checks.dedup();
                let mut problems: Vec<&'static str> = rs
                    .iter()
                    .filter(|r| matches!(r.status, Status::Fail | Status::Warn | Status::Error))
                    .map(|r| r.id)
                    .collect();
                problems.dedup();
                let mut skipped: Vec<&'static str> = rs
                    .iter()
                    .filter(|r| r.status == Status::Skip)
                    .map(|r| r.id)
                    .collect();
                skipped.dedup();
                Hop {
                    step,
                    status,
                    checks,
                    problems,
                    skipped,
                    left_out,
                }
            };
            let studio_name = studio
                .map(|s| format!("\"{}\"", s.name))
                .unwrap_or("(none found)".into());
            let wg_name = workgroup
                .map(|w| format!("\"{}\"", w.name))
                .unwrap_or("(none found)".into());
            let hops = vec![
                hop(user.clone(), check::Hop::Identity),
                hop(
                    format!("signs in to Studio {studio_name}"),
                    check::Hop::SignIn,
                ),
                hop("assumes user role".into(), check::Hop::UserRole),
                hop(format!("workgroup {wg_name}"), check::Hop::Workgroup),
                hop(format!("reads {table} (Lake Formation)"), check::Hop::Read),
                hop(
                    "writes results (S3 Access Grants)".into(),
                    check::Hop::Write,
                ),
            ];
            let status = hops
                .iter()
                .map(|h| h.status)
                .max_by_key(|s| rank(*s))
                .unwrap_or(Status::Skip);
            out.push(AccessPath {
                account_id: None,
                region: String::new(),
                user: user.clone(),
                table: table.clone(),
                studio: studio.map(|s| s.studio_id.clone()),
                workgroup: workgroup.map(|w| w.name.clone()),
                status,
                hops,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::healthy;
    use crate::{registry, run};

    fn report(f: &crate::Facts) -> crate::Report {
        let all: Vec<_> = registry::ALL.iter().collect();
        run(f, &all, "test")
    }

    #[test]
    fn healthy_account_has_a_passing_path() {
        let r = report(&healthy());
        assert_eq!(r.access_path.len(), 1);
        let p = &r.access_path[0];
        assert_eq!(
            (p.user.as_str(), p.table.as_str()),
            ("alice", "flightdata_db.flightdata")
        );
        assert_eq!(p.status, Status::Pass);
        assert_eq!(p.hops.len(), 6);
        assert_eq!(p.hops[1].step, "signs in to Studio \"analytics\"");
        assert!(
            p.hops
                .iter()
                .all(|h| h.status == Status::Pass && !h.checks.is_empty())
        );
    }

    #[test]
    fn a_broken_hop_marks_the_path() {
        let mut f = healthy();
        f.access_grants.instance = crate::Fact::Known(None);
        let p = &report(&f).access_path[0];
        assert_eq!(p.status, Status::Fail);
        let last = p.hops.last().unwrap();
        assert_eq!(last.status, Status::Fail);
        assert!(last.checks.contains(&"AG001"));
        assert_eq!(
            last.problems,
            ["AG001"],
            "the skipped dependants are not blamed"
        );
        assert_eq!(p.hops[4].status, Status::Pass, "reading is not affected");
    }

    #[test]
    fn another_users_failure_does_not_mark_this_path() {
        let mut f = healthy();
        f.target.users.push("bob".into());
        f.users.push(crate::facts::UserFacts {
            user_name: "bob".into(),
            user: crate::Fact::Known(None),
            groups: crate::Fact::default(),
        });
        let r = report(&f);
        assert_eq!(r.access_path.len(), 2);
        assert_eq!(
            r.access_path[0].status,
            Status::Pass,
            "{:#?}",
            r.access_path[0]
        );
        assert_eq!(r.access_path[1].user, "bob");
        assert_eq!(r.access_path[1].hops[0].status, Status::Fail);
    }

    #[test]
    fn a_check_left_out_of_the_run_leaves_the_path_unproven() {
        let f = healthy();
        let some: Vec<_> = registry::ALL
            .iter()
            .filter(|c| c.meta.id != "LF002")
            .collect();
        let p = &run(&f, &some, "test").access_path[0];
        assert_eq!(p.hops[4].status, Status::Skip);
        assert_eq!(p.hops[4].left_out, ["LF002"]);
        assert_ne!(p.status, Status::Pass);
    }

    #[test]
    fn a_hop_is_marked_only_by_its_own_checks() {
        // The user role is not separate (ES003 fails): every user-role check
        // after it is skipped; the service role's warning (ES006) is not the user
        // role's.
        let trap = |json: &str| crate::Facts::from_json(json).unwrap();
        let f = trap(include_str!("../../../examples/traps/ES003.json"));
        let svc = trap(include_str!("../../../examples/traps/ES006.json"));
        let p = &report(&f).access_path[0];
        let role = &p.hops[2];
        assert_eq!(role.step, "assumes user role");
        assert_eq!(role.status, Status::Fail, "{role:?}");
        assert_eq!(role.problems, ["ES003"]);
        assert!(role.skipped.contains(&"ES004"), "{role:?}");
        assert!(!role.checks.contains(&"ES006"));
        let p = &report(&svc).access_path[0];
        assert_eq!(p.hops[2].status, Status::Pass, "{:?}", p.hops[2]);
        assert!(p.hops[1].problems.contains(&"ES006"), "{:?}", p.hops[1]);
    }

    #[test]
    fn service_role_checks_prove_sign_in() {
        let signs_in = registry::on_hop(check::Hop::SignIn);
        assert!(signs_in.contains(&"ES006") && !signs_in.contains(&"ES003"));
    }

    #[test]
    fn no_path_without_user_and_table() {
        let mut f = healthy();
        f.target.tables.clear();
        assert!(report(&f).access_path.is_empty());
    }
}
