//! Running checks in dependency order, skipping dependants of failed prerequisites,
//! and the report every renderer prints.

use crate::check::{Check, Outcome, Remediation, Severity, Status, Verdict};
use crate::ctx::Ctx;
use crate::fact::Fact;
use crate::facts::Facts;
use crate::path::AccessPath;
use crate::registry;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One line of the report: one check about one resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    pub id: &'static str,
    pub name: &'static str,
    pub area: crate::check::Area,
    pub title: &'static str,
    pub severity: Severity,
    pub status: Status,
    pub message: String,
    pub resource: String,
    pub remediation: Option<Remediation>,
    pub depends_on: Vec<&'static str>,
    /// The outcome's scopes (`user:alice`, ...), for the access path.
    #[serde(skip)]
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub pass: usize,
    pub fail: usize,
    pub warn: usize,
    pub skip: usize,
    pub error: usize,
}

impl Summary {
    pub fn of(results: &[CheckResult]) -> Summary {
        let mut s = Summary::default();
        for r in results {
            *match r.status {
                Status::Pass => &mut s.pass,
                Status::Fail => &mut s.fail,
                Status::Warn => &mut s.warn,
                Status::Skip => &mut s.skip,
                Status::Error => &mut s.error,
            } += 1;
        }
        s
    }

    pub fn get(&self, st: Status) -> usize {
        match st {
            Status::Pass => self.pass,
            Status::Fail => self.fail,
            Status::Warn => self.warn,
            Status::Skip => self.skip,
            Status::Error => self.error,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportTarget {
    pub account_id: Option<String>,
    pub region: String,
    pub studio: Option<String>,
    pub workgroup: Option<String>,
    pub users: Vec<String>,
    pub tables: Vec<String>,
}

/// The report: the JSON output's shape (`schema_version` 1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub target: ReportTarget,
    pub summary: Summary,
    pub results: Vec<CheckResult>,
    /// With `--user` and `--table`: the path each user's query takes, hop by hop.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub access_path: Vec<AccessPath>,
    /// Advice that applies to the whole report.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Checks about assignments and grants: after a fix, the change can take time.
pub const ENTITLEMENT_CHECKS: &[&str] = &["ES008", "WG003", "AG005", "LF002", "LF003", "LF007"];
pub const ENTITLEMENT_NOTE: &str = "Identity Center user and group entitlement changes can take up to an hour to apply: rerun studio-doctor after that before concluding a fix did not work.";

pub const SCHEMA_VERSION: u32 = 1;

/// `--fail-on`: the lowest severity whose failure fails the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Never,
}

impl Report {
    /// 0 clean, 1 something at or above `fail_on` failed, 3 nothing failed but
    /// some check could not be evaluated.
    pub fn exit_code(&self, fail_on: FailOn) -> i32 {
        let failed = self.results.iter().any(|r| match fail_on {
            FailOn::Never => false,
            FailOn::Error => r.status == Status::Fail,
            FailOn::Warning => {
                r.status == Status::Fail
                    || (r.status == Status::Warn && r.severity >= Severity::Warning)
            }
        });
        if failed {
            1
        } else if self.summary.error > 0 {
            3
        } else {
            0
        }
    }
}

/// Run the selected checks. Their prerequisites are evaluated too; one that is not
/// selected is reported only when it is the root cause of a selected check's skip,
/// so a failure or an unreadable fact is never hidden behind a skip.
pub fn run(facts: &Facts, selected: &[&'static Check], tool_version: &'static str) -> Report {
    let ctx = Ctx::new(facts);
    let wanted: BTreeSet<&str> = selected.iter().map(|c| c.meta.id).collect();
    let order = registry::with_prerequisites(selected);
    // Per check id: (verdict-or-skip, scope) of each outcome, to judge dependants.
    let mut seen: BTreeMap<&str, Vec<(Blocker, Vec<String>)>> = BTreeMap::new();
    let mut results: Vec<CheckResult> = Vec::new();
    let mut roots: BTreeSet<&str> = BTreeSet::new();
    for check in order {
        let meta = check.meta;
        let outcomes = match region_blocker(meta.depends_on, &seen) {
            Some((why, message)) => {
                vec![(Blocker::Skipped(why), Vec::new(), message, String::new())]
            }
            None => {
                let outs = run_guarded(check, &ctx);
                if outs.is_empty() {
                    vec![(
                        Blocker::Nothing,
                        Vec::new(),
                        "skipped: nothing to check (no matching target)".to_string(),
                        String::new(),
                    )]
                } else {
                    outs.into_iter()
                        .map(|o| judge(o, meta.depends_on, &seen))
                        .collect()
                }
            }
        };
        let mut mine = Vec::new();
        for (blocker, scope, message, resource) in outcomes {
            mine.push((blocker.clone(), scope.clone()));
            if let Blocker::Skipped(why) = &blocker
                && wanted.contains(meta.id)
            {
                roots.insert(why.id);
            }
            let (status, remediation) = match blocker {
                Blocker::Ok(Verdict::Pass, _) => (Status::Pass, None),
                Blocker::Ok(Verdict::Fail, fix) => (
                    if meta.severity == Severity::Error {
                        Status::Fail
                    } else {
                        Status::Warn
                    },
                    fix,
                ),
                Blocker::Ok(Verdict::Warn, fix) => (Status::Warn, fix),
                Blocker::Ok(Verdict::Error, _) => (Status::Error, None),
                Blocker::Skipped(_) => (Status::Skip, None),
                Blocker::Nothing => (Status::Skip, None),
            };
            results.push(CheckResult {
                id: meta.id,
                name: meta.name,
                area: meta.area,
                title: meta.title,
                severity: meta.severity,
                status,
                message,
                resource,
                remediation,
                depends_on: meta.depends_on.to_vec(),
                scopes: scope,
            });
        }
        seen.insert(meta.id, mine);
    }
    results.retain(|r| wanted.contains(r.id) || roots.contains(r.id));
    let access_path = crate::path::paths(&ctx, &results);
    let mut notes = Vec::new();
    if results.iter().any(|r| {
        ENTITLEMENT_CHECKS.contains(&r.id) && matches!(r.status, Status::Fail | Status::Warn)
    }) {
        notes.push(ENTITLEMENT_NOTE.to_string());
    }
    let target = &facts.target;
    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "studio-doctor",
            version: tool_version,
        },
        target: ReportTarget {
            account_id: match &facts.caller {
                Fact::Known(c) => Some(c.account_id.clone()),
                Fact::Unknown(_) => None,
            },
            region: target.region.clone(),
            studio: target.studio.clone(),
            workgroup: target.workgroup.clone(),
            users: target.users.clone(),
            tables: target.tables.clone(),
        },
        summary: Summary::of(&results),
        results,
        access_path,
        notes,
    }
}

/// Run one check; a panic in it becomes an `error` outcome, never a missing result.
fn run_guarded(check: &Check, ctx: &Ctx) -> Vec<Outcome> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (check.run)(ctx))) {
        Ok(outs) => outs,
        Err(panic) => {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            vec![Outcome {
                verdict: Verdict::Error,
                resource: String::new(),
                scope: Vec::new(),
                message: format!(
                    "internal error in check {}: {why} (please report it)",
                    check.meta.id
                ),
                fix: None,
            }]
        }
    }
}

#[derive(Debug, Clone)]
enum Blocker {
    Ok(Verdict, Option<Remediation>),
    /// Skipped because of this root cause (a check that failed or errored).
    Skipped(Why),
    /// The check had nothing to look at.
    Nothing,
}

impl Blocker {
    /// Whether a dependant must skip because of this outcome.
    fn blocks(&self) -> bool {
        matches!(
            self,
            Blocker::Ok(Verdict::Fail, _) | Blocker::Ok(Verdict::Error, _) | Blocker::Skipped(_)
        )
    }
}

/// The root cause of a skip: the first check up the chain that failed or errored.
#[derive(Debug, Clone)]
struct Why {
    id: &'static str,
    errored: bool,
}

fn name_of(id: &str) -> &'static str {
    registry::find(id).map(|c| c.meta.name).unwrap_or("")
}

/// The skip message: names the prerequisite and, if it was itself skipped, the root cause.
fn skip_message(prereq: &'static str, b: &Blocker) -> String {
    let root = |w: &Why| {
        let what = if w.errored {
            "could not be evaluated"
        } else {
            "failed"
        };
        format!("{} ({}) {what}", w.id, name_of(w.id))
    };
    match b {
        Blocker::Skipped(w) => format!(
            "skipped: prerequisite {prereq} ({}) was skipped because {}",
            name_of(prereq),
            root(w)
        ),
        _ => format!(
            "skipped: prerequisite {}",
            root(&Why {
                id: prereq,
                errored: matches!(b, Blocker::Ok(Verdict::Error, _)),
            })
        ),
    }
}

/// The root cause behind a blocking prerequisite outcome.
fn root_of(prereq: &'static str, b: &Blocker) -> Why {
    match b {
        Blocker::Skipped(w) => w.clone(),
        _ => Why {
            id: prereq,
            errored: matches!(b, Blocker::Ok(Verdict::Error, _)),
        },
    }
}

/// A prerequisite that failed for the whole region (no scope) blocks everything.
fn region_blocker(
    deps: &'static [&'static str],
    seen: &BTreeMap<&str, Vec<(Blocker, Vec<String>)>>,
) -> Option<(Why, String)> {
    for id in deps {
        for (b, scope) in seen.get(id).into_iter().flatten() {
            if b.blocks() && scope.is_empty() {
                return Some((root_of(id, b), skip_message(id, b)));
            }
        }
    }
    None
}

/// Turn one outcome into (blocker, scope, message, resource), skipping it if a
/// prerequisite failed for the same scope.
fn judge(
    o: Outcome,
    deps: &'static [&'static str],
    seen: &BTreeMap<&str, Vec<(Blocker, Vec<String>)>>,
) -> (Blocker, Vec<String>, String, String) {
    {
        for id in deps {
            for (b, s) in seen.get(id).into_iter().flatten() {
                if b.blocks() && s.iter().any(|x| o.scope.contains(x)) {
                    return (
                        Blocker::Skipped(root_of(id, b)),
                        o.scope.clone(),
                        format!("{} for {}", skip_message(id, b), o.resource),
                        o.resource,
                    );
                }
            }
        }
    }
    (
        Blocker::Ok(o.verdict, o.fix),
        o.scope,
        o.message,
        o.resource,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::healthy;

    fn only(ids: &[&str], f: &Facts) -> Report {
        let sel: Vec<_> = ids.iter().map(|i| registry::find(i).unwrap()).collect();
        run(f, &sel, "test")
    }

    #[test]
    fn an_unselected_prerequisite_that_blocks_is_reported() {
        let mut f = healthy();
        f.studios = Fact::Unknown(crate::Unknown::new(
            crate::UnknownKind::AccessDenied,
            "elasticmapreduce:ListStudios",
            "denied",
        ));
        let r = only(&["ES004"], &f);
        let ids: Vec<_> = r.results.iter().map(|x| (x.id, x.status)).collect();
        assert!(ids.contains(&("ES004", Status::Skip)), "{ids:?}");
        assert!(
            ids.contains(&("ES001", Status::Error)),
            "the root cause is shown: {ids:?}"
        );
        assert_eq!(
            r.exit_code(FailOn::Error),
            3,
            "an unreadable fact is never hidden"
        );
    }

    #[test]
    fn unselected_prerequisites_that_pass_stay_unreported() {
        let r = only(&["ES004"], &healthy());
        assert_eq!(r.results.len(), 1);
        assert_eq!(r.results[0].status, Status::Pass);
    }

    #[test]
    fn entitlement_note_follows_assignment_failures() {
        assert!(only(&["WG003"], &healthy()).notes.is_empty());
        let mut f = healthy();
        for app in f.applications.values_mut() {
            app.assignments = Fact::Known(vec![]);
        }
        assert_eq!(only(&["WG003"], &f).notes, [ENTITLEMENT_NOTE]);
    }

    #[test]
    fn exit_codes_follow_fail_on() {
        let mut f = healthy();
        f.access_grants.instance = Fact::Known(None);
        let r = only(&["AG001"], &f);
        assert_eq!(r.exit_code(FailOn::Error), 1);
        assert_eq!(r.exit_code(FailOn::Never), 0);
        assert_eq!(only(&["AG001"], &healthy()).exit_code(FailOn::Warning), 0);
    }
}
