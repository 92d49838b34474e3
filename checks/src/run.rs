//! Running checks in dependency order, skipping dependants of failed prerequisites,
//! and the report every renderer prints.

use crate::check::{Check, Outcome, Remediation, Severity, Status, Verdict};
use crate::ctx::Ctx;
use crate::fact::Fact;
use crate::facts::Facts;
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
}

/// The report: the JSON output's shape (`schema_version` 1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub target: ReportTarget,
    pub summary: Summary,
    pub results: Vec<CheckResult>,
}

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

/// Run the selected checks (and, unreported, the prerequisites they depend on).
pub fn run(facts: &Facts, selected: &[&'static Check], tool_version: &'static str) -> Report {
    let ctx = Ctx::new(facts);
    let wanted: BTreeSet<&str> = selected.iter().map(|c| c.meta.id).collect();
    let order = registry::with_prerequisites(selected);
    // Per check id: (verdict-or-skip, scope) of each outcome, to judge dependants.
    let mut seen: BTreeMap<&str, Vec<(Blocker, Option<String>)>> = BTreeMap::new();
    let mut results = Vec::new();
    for check in order {
        let meta = check.meta;
        let outcomes = match region_blocker(meta.depends_on, &seen) {
            Some((why, message)) => vec![(Blocker::Skipped(why), None, message, String::new())],
            None => {
                let outs = run_guarded(check, &ctx);
                if outs.is_empty() {
                    vec![(
                        Blocker::Nothing,
                        None,
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
            if !wanted.contains(meta.id) {
                continue;
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
            });
        }
        seen.insert(meta.id, mine);
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
        },
        summary: Summary::of(&results),
        results,
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
                scope: None,
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
    seen: &BTreeMap<&str, Vec<(Blocker, Option<String>)>>,
) -> Option<(Why, String)> {
    for id in deps {
        for (b, scope) in seen.get(id).into_iter().flatten() {
            if b.blocks() && scope.is_none() {
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
    seen: &BTreeMap<&str, Vec<(Blocker, Option<String>)>>,
) -> (Blocker, Option<String>, String, String) {
    if let Some(scope) = &o.scope {
        for id in deps {
            for (b, s) in seen.get(id).into_iter().flatten() {
                if b.blocks() && s.as_ref() == Some(scope) {
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
