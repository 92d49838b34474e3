//! Running checks in dependency order, skipping dependants of failed prerequisites,
//! and assembling the report.

use crate::check::{Check, Outcome, Remediation, Severity, Status, Verdict};
use crate::ctx::Ctx;
use crate::facts::Facts;
use crate::registry;
use crate::report::{
    CheckResult, FailOn, Report, ReportTarget, SCHEMA_VERSION, Summary, Tool, not_evaluated,
};
use crate::scope::Scope;
use crate::text::printable;
use crate::waivers::{Date, Waiver, apply_waivers};
use std::collections::{BTreeMap, BTreeSet};

/// How to run: per-check severity overrides, waivers, and today's date (for expiry).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Check id -> the severity to use instead of the check's own.
    pub severity: BTreeMap<String, Severity>,
    pub waivers: Vec<Waiver>,
    /// Today; waivers expire after their date. `None`: no waiver expires.
    pub today: Option<Date>,
    /// `--fail-on`: decides which skips count as not evaluated.
    pub fail_on: FailOn,
}

/// The check that reports a target that could not be reached.
const ACCESS: &str = crate::checks::ac001::META.id;

pub const ENTITLEMENT_NOTE: &str = "Identity Center user and group entitlement changes can take up to an hour to apply: rerun studio-doctor after that before concluding a fix did not work.";

/// Run the selected checks. Their prerequisites are evaluated too; one that is not
/// selected is reported only when it is the root cause of a selected check's skip,
/// so a failure or an unreadable fact is never hidden behind a skip.
pub fn run(facts: &Facts, selected: &[&'static Check], tool_version: &'static str) -> Report {
    run_with(facts, selected, tool_version, &RunOptions::default())
}

/// [`run`] with severity overrides and waivers.
pub fn run_with(
    facts: &Facts,
    selected: &[&'static Check],
    tool_version: &'static str,
    options: &RunOptions,
) -> Report {
    let ctx = Ctx::new(facts);
    let account_id = facts.account_id().map(str::to_string);
    let mut wanted: BTreeSet<&str> = selected.iter().map(|c| c.meta.id).collect();
    let mut order = registry::with_prerequisites(selected);
    // A target whose audit role could not be assumed has no facts: it reports
    // the one check that says so, whatever was selected.
    if facts.unreachable() {
        order = registry::ALL
            .iter()
            .filter(|c| c.meta.id == ACCESS)
            .collect();
        wanted = BTreeSet::from([ACCESS]);
    }
    // Per check id: (verdict-or-skip, scope) of each outcome, to judge dependants.
    let mut seen: BTreeMap<&str, Vec<(Blocker, Vec<Scope>)>> = BTreeMap::new();
    let mut results: Vec<CheckResult> = Vec::new();
    let mut roots: BTreeSet<&str> = BTreeSet::new();
    for check in order {
        let meta = check.meta;
        let severity = options
            .severity
            .get(meta.id)
            .copied()
            .unwrap_or(meta.severity);
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
                        nothing_message(&missing_flags(meta, facts)),
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
            let blocked_by = match &blocker {
                Blocker::Skipped(why) => Some(why.id),
                _ => None,
            };
            let needs = match &blocker {
                Blocker::Nothing => missing_flags(meta, facts),
                _ => Vec::new(),
            };
            let (status, remediation) = match blocker {
                Blocker::Ok(Verdict::Pass, _) => (Status::Pass, None),
                Blocker::Ok(Verdict::Fail, fix) => (
                    if severity == Severity::Error {
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
            let remediation = remediation.map(|mut r| {
                r.summary = printable(&r.summary).into_owned();
                for c in &mut r.commands {
                    *c = printable(c).into_owned();
                }
                r
            });
            results.push(CheckResult {
                id: meta.id,
                name: meta.name,
                area: meta.area,
                title: meta.title,
                severity,
                status,
                message: printable(&message).into_owned(),
                resource: printable(&resource).into_owned(),
                remediation,
                depends_on: meta.depends_on.to_vec(),
                blocked_by,
                needs,
                scopes: scope,
                waived: None,
                account_id: account_id.clone(),
                region: facts.target.region.clone(),
            });
        }
        seen.insert(meta.id, mine);
    }
    results.retain(|r| wanted.contains(r.id) || roots.contains(r.id));
    let waivers = apply_waivers(&mut results, &wanted, options);
    // An unreached target has no path to show: nothing in it was read.
    let mut access_path = match facts.unreachable() {
        true => Vec::new(),
        false => crate::path::paths(&ctx, &results),
    };
    for p in &mut access_path {
        p.account_id = account_id.clone();
        p.region = facts.target.region.clone();
    }
    let mut notes = Vec::new();
    if results.iter().any(|r| {
        crate::registry::is_entitlement(r.id) && matches!(r.status, Status::Fail | Status::Warn)
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
            account_id,
            region: target.region.clone(),
            studio: target.studio.clone(),
            workgroup: target.workgroup.clone(),
            users: target.users.clone(),
            tables: target.tables.clone(),
        },
        summary: Summary {
            not_evaluated: not_evaluated(&results, options.fail_on),
            ..Summary::of(&results)
        },
        results,
        access_path,
        notes,
        waivers,
        targets: Vec::new(),
        parts: Vec::new(),
        fail_on: options.fail_on,
    }
}

/// The target flags a check needs that the run did not give: a check that reads
/// `--user` facts needs a user, one that reads `--table` facts a table.
fn missing_flags(meta: &crate::check::Meta, facts: &Facts) -> Vec<&'static str> {
    use crate::check::Need;
    let needs = |ns: &[Need]| meta.needs.iter().any(|n| ns.contains(n));
    let mut out = Vec::new();
    if needs(&[Need::Users]) && facts.target.users.is_empty() {
        out.push("--user");
    }
    if needs(&[Need::LfPermissions, Need::GlueTables]) && facts.target.tables.is_empty() {
        out.push("--table");
    }
    out
}

/// The message of a check that had nothing to look at.
fn nothing_message(flags: &[&str]) -> String {
    if flags.is_empty() {
        "skipped: nothing to check (no matching target)".to_string()
    } else {
        format!("skipped: nothing to check (needs {})", flags.join(" and "))
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
    seen: &BTreeMap<&str, Vec<(Blocker, Vec<Scope>)>>,
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
    seen: &BTreeMap<&str, Vec<(Blocker, Vec<Scope>)>>,
) -> (Blocker, Vec<Scope>, String, String) {
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
    use crate::fact::Fact;
    use crate::testkit::{healthy, no_access_grants, report_of, report_with, waiver};

    #[test]
    fn an_unselected_prerequisite_that_blocks_is_reported() {
        let mut f = healthy();
        f.studios = Fact::Unknown(crate::Unknown::new(
            crate::UnknownKind::AccessDenied,
            "elasticmapreduce:ListStudios",
            "denied",
        ));
        let r = report_of(&["ES004"], &f);
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
        let r = report_of(&["ES004"], &healthy());
        assert_eq!(r.results.len(), 1);
        assert_eq!(r.results[0].status, Status::Pass);
    }

    #[test]
    fn entitlement_note_follows_assignment_failures() {
        assert!(report_of(&["WG003"], &healthy()).notes.is_empty());
        let mut f = healthy();
        for app in f.applications.values_mut() {
            app.assignments = Fact::Known(vec![]);
        }
        assert_eq!(report_of(&["WG003"], &f).notes, [ENTITLEMENT_NOTE]);
    }

    #[test]
    fn severity_override_changes_the_status_of_a_failure_and_the_exit_code() {
        let f = no_access_grants();
        let mut options = RunOptions::default();
        options.severity.insert("AG001".into(), Severity::Warning);
        let r = report_with(&["AG001"], &f, &options);
        assert_eq!(r.results[0].status, Status::Warn);
        assert_eq!(r.results[0].severity, Severity::Warning);
        assert_eq!(r.exit_code(FailOn::Error), 0);
        assert_eq!(r.exit_code(FailOn::Warning), 1);
        options.severity.insert("AG001".into(), Severity::Info);
        let r = report_with(&["AG001"], &f, &options);
        assert_eq!(
            (r.results[0].status, r.results[0].severity),
            (Status::Warn, Severity::Info)
        );
        assert_eq!(r.exit_code(FailOn::Warning), 0, "info never fails the run");
        // Dependants still skip: the override changes the status, not the verdict.
        let r = report_with(&["AG002"], &f, &options);
        assert!(
            r.results
                .iter()
                .any(|x| x.id == "AG002" && x.status == Status::Skip)
        );
    }

    #[test]
    fn severity_override_to_error_turns_a_warning_check_into_a_failure() {
        let mut f = healthy();
        f.lake_formation.settings = Fact::Known(crate::facts::DataLakeSettings::default());
        let plain = report_with(&["LF009"], &f, &RunOptions::default());
        assert_eq!(plain.results[0].status, Status::Warn, "{plain:?}");
        let mut options = RunOptions::default();
        options.severity.insert("LF009".into(), Severity::Error);
        let r = report_with(&["LF009"], &f, &options);
        assert_eq!(r.results[0].status, Status::Fail);
        assert_eq!(r.exit_code(FailOn::Error), 1);
    }

    #[test]
    fn skips_behind_a_waived_or_downgraded_root_cause_are_not_evaluated() {
        let f = no_access_grants();
        let waived = RunOptions {
            waivers: vec![waiver("AG001", None, None)],
            ..RunOptions::default()
        };
        let r = report_with(&["AG001", "AG002", "AG005"], &f, &waived);
        let skipped: Vec<_> = r
            .results
            .iter()
            .filter(|x| x.status == Status::Skip)
            .collect();
        assert!(!skipped.is_empty(), "{r:?}");
        assert!(skipped.iter().all(|x| x.blocked_by == Some("AG001")));
        assert_eq!(r.summary.not_evaluated, skipped.len());
        assert_eq!(r.exit_code(FailOn::Error), 3, "not a pass: AG002 never ran");
        // Downgraded below --fail-on: the same.
        let mut lower = RunOptions::default();
        lower.severity.insert("AG001".into(), Severity::Warning);
        let r = report_with(&["AG001", "AG002"], &f, &lower);
        assert_eq!(r.exit_code(FailOn::Error), 3);
        assert_eq!(r.exit_code(FailOn::Warning), 1);
        assert_eq!(r.summary.not_evaluated, 1);
        lower.fail_on = FailOn::Warning;
        assert_eq!(
            report_with(&["AG001", "AG002"], &f, &lower)
                .summary
                .not_evaluated,
            0
        );
        // A root cause that fails the run: exit 1, the skips are accounted for.
        let r = report_with(&["AG001", "AG002"], &f, &RunOptions::default());
        assert_eq!(
            (r.exit_code(FailOn::Error), r.summary.not_evaluated),
            (1, 0)
        );
        let json = serde_json::to_value(&r).unwrap();
        let ag002 = &json["results"][1];
        assert_eq!(
            (ag002["id"].as_str(), ag002["blocked_by"].as_str()),
            (Some("AG002"), Some("AG001"))
        );
    }

    #[test]
    fn a_check_with_no_target_names_the_flag_that_turns_it_on() {
        let mut f = healthy();
        crate::testkit::without_user(&mut f);
        f.target.tables.clear();
        f.tables.clear();
        let r = report_of(&["IC003", "LF002", "LF006"], &f);
        let of = |id: &str| r.results.iter().find(|x| x.id == id).unwrap();
        assert_eq!(of("IC003").needs, ["--user"]);
        assert_eq!(
            of("IC003").message,
            "skipped: nothing to check (needs --user)"
        );
        assert_eq!(of("LF002").needs, ["--user", "--table"]);
        assert!(of("LF002").message.ends_with("(needs --user and --table)"));
        assert_eq!(of("LF006").needs, ["--table"]);
        assert!(of("IC003").blocked_by.is_none());
        assert_eq!(
            r.exit_code(FailOn::Error),
            0,
            "a narrower run is not a failure"
        );
    }
}
