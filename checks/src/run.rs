//! Running checks in dependency order, skipping dependants of failed prerequisites,
//! and the report every renderer prints.

use crate::check::{Check, Outcome, Remediation, Severity, Status, Verdict};
use crate::ctx::Ctx;
use crate::fact::Fact;
use crate::facts::Facts;
use crate::path::AccessPath;
use crate::registry;
use crate::scope::Scope;
use crate::text::printable;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One line of the report: one check about one resource.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
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
    /// A skip because a prerequisite failed or could not be evaluated: the root
    /// cause (the first check up the chain that did).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked_by: Option<&'static str>,
    /// A skip because the run named no target of this kind: the flags that would
    /// give the check something to look at (`--user`, `--table`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<&'static str>,
    /// The outcome's scopes (`user:alice`, ...), for the access path.
    #[serde(skip)]
    pub scopes: Vec<Scope>,
    /// Set when a waiver covers this result: it keeps its status but does not fail the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Waived")]
    pub waived: Option<Waived>,
}

/// Why a result is waived (from the waiver that matched it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Waived {
    pub reason: String,
    pub expires: Option<Date>,
}

/// A calendar date (`YYYY-MM-DD`): waiver expiry and today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// A valid `YYYY-MM-DD` date (four-digit year, real month and day).
    pub fn parse(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = &text[r];
            part.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        let date = Date {
            year: num(0..4)? as i32,
            month: num(5..7)?,
            day: num(8..10)?,
        };
        let leap = date.year % 4 == 0 && (date.year % 100 != 0 || date.year % 400 == 0);
        let days = match date.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days).contains(&date.day).then_some(date)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date" })
    }
}

/// A decision to accept a known finding: it stays in the report, marked waived,
/// and no longer fails the run. Valid through its expiry date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Waiver {
    /// The check id (canonical, aliases resolved).
    pub check: String,
    /// A glob (`*`, `?`) matched against the whole result resource; none matches every resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub resource: Option<String>,
    pub reason: String,
    pub expires: Option<Date>,
    /// Also waive `error` results (the check could not be evaluated); off unless
    /// the waiver says so, so an unreadable fact is never waived by accident.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub errors: bool,
}

impl Waiver {
    fn covers(&self, r: &CheckResult) -> bool {
        self.check == r.id
            && match r.status {
                Status::Fail | Status::Warn => true,
                Status::Error => self.errors,
                Status::Pass | Status::Skip => false,
            }
            && self
                .resource
                .as_deref()
                .is_none_or(|glob| wildmatch::WildMatch::new(glob).matches(&r.resource))
    }
}

/// Waivers that did nothing: they matched no fail, warn or error result of a check
/// that ran, or their expiry date has passed (they stop waiving then).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct WaiverReport {
    pub unmatched: Vec<Waiver>,
    pub expired: Vec<Waiver>,
}

impl WaiverReport {
    pub fn is_empty(&self) -> bool {
        self.unmatched.is_empty() && self.expired.is_empty()
    }
}

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

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Summary {
    pub pass: usize,
    pub fail: usize,
    pub warn: usize,
    pub skip: usize,
    pub error: usize,
    /// Skipped results whose root cause (`blocked_by`) does not fail the run at
    /// `--fail-on` (it is waived, below `--fail-on`, or could not be evaluated):
    /// nothing was decided about them, so the run exits 3, not 0.
    pub not_evaluated: usize,
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

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ReportTarget {
    pub account_id: Option<String>,
    pub region: String,
    pub studio: Option<String>,
    pub workgroup: Option<String>,
    pub users: Vec<String>,
    pub tables: Vec<String>,
}

/// The report: the JSON output's shape (`schema_version` 1).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Report {
    #[schemars(extend("const" = SCHEMA_VERSION))]
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
    /// Waivers that matched nothing or have expired.
    #[serde(skip_serializing_if = "WaiverReport::is_empty")]
    pub waivers: WaiverReport,
    /// The `--fail-on` the run was made with (`summary.not_evaluated` follows it).
    #[serde(skip)]
    #[schemars(skip)]
    pub fail_on: FailOn,
}

/// Checks about assignments and grants: after a fix, the change can take time.
pub const ENTITLEMENT_CHECKS: &[&str] = &["ES008", "WG003", "AG005", "LF002", "LF003", "LF007"];
pub const ENTITLEMENT_NOTE: &str = "Identity Center user and group entitlement changes can take up to an hour to apply: rerun studio-doctor after that before concluding a fix did not work.";

pub const SCHEMA_VERSION: u32 = 1;

/// `--fail-on`: the lowest severity whose failure fails the run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FailOn {
    #[default]
    Error,
    Warning,
    Never,
}

impl Report {
    /// 0 clean, 1 something at or above `fail_on` failed, 3 nothing failed but
    /// some check could not be evaluated: an error result, or a skip whose root
    /// cause does not fail the run. Waived results count for nothing.
    pub fn exit_code(&self, fail_on: FailOn) -> i32 {
        if self.results.iter().any(|r| fails_run(r, fail_on)) {
            1
        } else if self
            .results
            .iter()
            .any(|r| r.status == Status::Error && r.waived.is_none())
            || not_evaluated(&self.results, fail_on) > 0
        {
            3
        } else {
            0
        }
    }
}

/// Whether this result makes the run exit 1 at `fail_on`.
pub fn fails_run(r: &CheckResult, fail_on: FailOn) -> bool {
    r.waived.is_none()
        && match fail_on {
            FailOn::Never => false,
            FailOn::Error => r.status == Status::Fail,
            FailOn::Warning => {
                r.status == Status::Fail
                    || (r.status == Status::Warn && r.severity >= Severity::Warning)
            }
        }
}

/// Skips behind a root cause that does not fail the run at `fail_on`.
pub fn not_evaluated(results: &[CheckResult], fail_on: FailOn) -> usize {
    results
        .iter()
        .filter(|r| is_not_evaluated(r, results, fail_on))
        .count()
}

/// Whether `r` is a skip behind a root cause that does not fail the run.
pub fn is_not_evaluated(r: &CheckResult, results: &[CheckResult], fail_on: FailOn) -> bool {
    r.blocked_by.is_some_and(|root| {
        !results
            .iter()
            .any(|x| x.id == root && fails_run(x, fail_on))
    })
}

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
    let wanted: BTreeSet<&str> = selected.iter().map(|c| c.meta.id).collect();
    let order = registry::with_prerequisites(selected);
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
            });
        }
        seen.insert(meta.id, mine);
    }
    results.retain(|r| wanted.contains(r.id) || roots.contains(r.id));
    let waivers = apply_waivers(&mut results, &wanted, options);
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
        summary: Summary {
            not_evaluated: not_evaluated(&results, options.fail_on),
            ..Summary::of(&results)
        },
        results,
        access_path,
        notes,
        waivers,
        fail_on: options.fail_on,
    }
}

/// Mark the results the live waivers cover; report the waivers that expired or
/// matched nothing among the checks that ran. The first matching waiver wins.
fn apply_waivers(
    results: &mut [CheckResult],
    ran: &BTreeSet<&str>,
    options: &RunOptions,
) -> WaiverReport {
    let mut report = WaiverReport::default();
    for w in &options.waivers {
        let expired = matches!((w.expires, options.today), (Some(e), Some(t)) if t > e);
        if expired {
            report.expired.push(w.clone());
            continue;
        }
        let mut matched = false;
        for r in results.iter_mut().filter(|r| w.covers(r)) {
            matched = true;
            r.waived.get_or_insert_with(|| Waived {
                reason: w.reason.clone(),
                expires: w.expires,
            });
        }
        if !matched && ran.contains(w.check.as_str()) {
            report.unmatched.push(w.clone());
        }
    }
    report
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

    fn with(ids: &[&str], f: &Facts, options: &RunOptions) -> Report {
        let sel: Vec<_> = ids.iter().map(|i| registry::find(i).unwrap()).collect();
        run_with(f, &sel, "test", options)
    }

    fn date(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn waiver(check: &str, resource: Option<&str>, expires: Option<&str>) -> Waiver {
        Waiver {
            check: check.into(),
            resource: resource.map(str::to_string),
            reason: "accepted".into(),
            expires: expires.map(date),
            errors: false,
        }
    }

    /// AG001 fails (error severity) for the whole region.
    fn no_access_grants() -> Facts {
        let mut f = healthy();
        f.access_grants.instance = Fact::Known(None);
        f
    }

    #[test]
    fn severity_override_changes_the_status_of_a_failure_and_the_exit_code() {
        let f = no_access_grants();
        let mut options = RunOptions::default();
        options.severity.insert("AG001".into(), Severity::Warning);
        let r = with(&["AG001"], &f, &options);
        assert_eq!(r.results[0].status, Status::Warn);
        assert_eq!(r.results[0].severity, Severity::Warning);
        assert_eq!(r.exit_code(FailOn::Error), 0);
        assert_eq!(r.exit_code(FailOn::Warning), 1);
        options.severity.insert("AG001".into(), Severity::Info);
        let r = with(&["AG001"], &f, &options);
        assert_eq!(
            (r.results[0].status, r.results[0].severity),
            (Status::Warn, Severity::Info)
        );
        assert_eq!(r.exit_code(FailOn::Warning), 0, "info never fails the run");
        // Dependants still skip: the override changes the status, not the verdict.
        let r = with(&["AG002"], &f, &options);
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
        let plain = with(&["LF009"], &f, &RunOptions::default());
        assert_eq!(plain.results[0].status, Status::Warn, "{plain:?}");
        let mut options = RunOptions::default();
        options.severity.insert("LF009".into(), Severity::Error);
        let r = with(&["LF009"], &f, &options);
        assert_eq!(r.results[0].status, Status::Fail);
        assert_eq!(r.exit_code(FailOn::Error), 1);
    }

    #[test]
    fn a_waived_failure_keeps_its_status_but_not_the_exit_code() {
        let options = RunOptions {
            waivers: vec![waiver("AG001", None, Some("2030-01-01"))],
            today: Some(date("2029-12-31")),
            ..RunOptions::default()
        };
        let r = with(&["AG001"], &no_access_grants(), &options);
        assert_eq!(r.results[0].status, Status::Fail);
        assert_eq!(
            r.results[0].waived,
            Some(Waived {
                reason: "accepted".into(),
                expires: Some(date("2030-01-01"))
            })
        );
        assert_eq!(r.summary.fail, 1);
        assert_eq!(r.exit_code(FailOn::Error), 0);
        assert!(r.waivers.is_empty());
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(
            json["results"][0]["waived"],
            serde_json::json!({"reason": "accepted", "expires": "2030-01-01"})
        );
        assert!(json.get("waivers").is_none());
    }

    #[test]
    fn a_waiver_is_valid_through_its_expiry_date_then_expires() {
        let f = no_access_grants();
        let w = waiver("AG001", None, Some("2030-01-01"));
        let on = |today: &str| {
            with(
                &["AG001"],
                &f,
                &RunOptions {
                    waivers: vec![w.clone()],
                    today: Some(date(today)),
                    ..RunOptions::default()
                },
            )
        };
        assert!(on("2030-01-01").results[0].waived.is_some());
        let late = on("2030-01-02");
        assert!(late.results[0].waived.is_none());
        assert_eq!(late.exit_code(FailOn::Error), 1);
        assert_eq!(late.waivers.expired, [w]);
        assert!(late.waivers.unmatched.is_empty());
    }

    #[test]
    fn resource_globs_pick_results_and_unmatched_waivers_are_reported() {
        let mut f = healthy();
        f.access_grants.instance = Fact::Unknown(crate::Unknown::new(
            crate::UnknownKind::AccessDenied,
            "s3:GetAccessGrantsInstance",
            "denied",
        ));
        let plain = with(&["AG001"], &f, &RunOptions::default());
        let resource = plain.results[0].resource.clone();
        assert!(!resource.is_empty());
        assert_eq!(plain.exit_code(FailOn::Error), 3);
        let hit = Waiver {
            errors: true,
            ..waiver("AG001", Some(&format!("{}*", &resource[..3])), None)
        };
        let miss = waiver("AG001", Some("nothing-like-?"), None);
        let elsewhere = waiver("ES001", None, None);
        let not_run = waiver("WG001", None, None);
        let r = with(
            &["AG001", "ES001"],
            &f,
            &RunOptions {
                waivers: vec![hit, miss.clone(), elsewhere.clone(), not_run],
                ..RunOptions::default()
            },
        );
        let ag = r.results.iter().find(|x| x.id == "AG001").unwrap();
        assert!(ag.waived.is_some(), "an error result can be waived");
        assert_eq!(r.exit_code(FailOn::Error), 0);
        // ES001 passes: a waiver on a passing check is stale. WG001 did not run.
        assert_eq!(r.waivers.unmatched, [miss, elsewhere]);
        assert!(
            r.results
                .iter()
                .find(|x| x.id == "ES001")
                .unwrap()
                .waived
                .is_none()
        );
    }

    #[test]
    fn an_error_result_is_waived_only_by_a_waiver_that_says_errors() {
        let mut f = healthy();
        f.access_grants.instance = Fact::Unknown(crate::Unknown::new(
            crate::UnknownKind::AccessDenied,
            "s3:GetAccessGrantsInstance",
            "denied",
        ));
        let plain = waiver("AG001", None, None);
        let r = with(
            &["AG001"],
            &f,
            &RunOptions {
                waivers: vec![plain.clone()],
                ..RunOptions::default()
            },
        );
        assert!(r.results[0].waived.is_none());
        assert_eq!(r.exit_code(FailOn::Error), 3);
        assert_eq!(r.waivers.unmatched, [plain]);
    }

    #[test]
    fn skips_behind_a_waived_or_downgraded_root_cause_are_not_evaluated() {
        let f = no_access_grants();
        let waived = RunOptions {
            waivers: vec![waiver("AG001", None, None)],
            ..RunOptions::default()
        };
        let r = with(&["AG001", "AG002", "AG005"], &f, &waived);
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
        let r = with(&["AG001", "AG002"], &f, &lower);
        assert_eq!(r.exit_code(FailOn::Error), 3);
        assert_eq!(r.exit_code(FailOn::Warning), 1);
        assert_eq!(r.summary.not_evaluated, 1);
        lower.fail_on = FailOn::Warning;
        assert_eq!(
            with(&["AG001", "AG002"], &f, &lower).summary.not_evaluated,
            0
        );
        // A root cause that fails the run: exit 1, the skips are accounted for.
        let r = with(&["AG001", "AG002"], &f, &RunOptions::default());
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
        let r = only(&["IC003", "LF002", "LF006"], &f);
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

    #[test]
    fn dates_parse_only_when_real() {
        assert_eq!(
            Date::parse("2024-02-29"),
            Some(Date {
                year: 2024,
                month: 2,
                day: 29
            })
        );
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-04-31",
            "24-01-01",
            "2024/01/01",
            "2024-1-01x",
            "+024-01-01",
            "",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert_eq!(date("2031-07-04").to_string(), "2031-07-04");
        assert!(date("2030-01-02") > date("2029-12-31"));
    }
}
