//! The report every renderer prints: its results, summary and target, and the
//! exit code the run ends with.

use crate::check::{Remediation, Severity, Status};
use crate::path::AccessPath;
use crate::waivers::{Waived, WaiverReport};
use schemars::JsonSchema;
use serde::Serialize;

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
    pub scopes: Vec<crate::scope::Scope>,
    /// Set when a waiver covers this result: it keeps its status but does not fail the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Waived")]
    pub waived: Option<Waived>,
    /// The account the result is about (`null` when the caller identity could not be read).
    pub account_id: Option<String>,
    /// The region the result is about.
    pub region: String,
}

impl CheckResult {
    /// Whether `other` is about the same target (account and region).
    pub fn same_target(&self, other: &CheckResult) -> bool {
        self.account_id == other.account_id && self.region == other.region
    }
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
    /// A run over several targets (accounts and regions): each one's summary, in
    /// report order. `target` is then the first of them; each result names its own.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<TargetSummary>,
    /// The per-target reports a combined report was made of (for renderers that
    /// group by target).
    #[serde(skip)]
    #[schemars(skip)]
    pub parts: Vec<Report>,
    /// The `--fail-on` the run was made with (`summary.not_evaluated` follows it).
    #[serde(skip)]
    #[schemars(skip)]
    pub fail_on: FailOn,
}

/// One target of a run over several.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TargetSummary {
    pub account_id: Option<String>,
    pub region: String,
    pub summary: Summary,
}

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
    /// One report of several targets' reports (in the order given): every result
    /// keeps its target, the summary counts them all, and the exit code is the
    /// worst over the targets. One report is returned as it is.
    pub fn combine(mut parts: Vec<Report>) -> Report {
        if parts.len() == 1 {
            return parts.remove(0);
        }
        let first = &parts[0];
        let mut out = Report {
            schema_version: first.schema_version,
            tool: first.tool.clone(),
            target: first.target.clone(),
            summary: Summary::default(),
            results: Vec::new(),
            access_path: Vec::new(),
            notes: Vec::new(),
            waivers: WaiverReport::default(),
            targets: Vec::new(),
            parts: Vec::new(),
            fail_on: first.fail_on,
        };
        for p in &parts {
            out.targets.push(TargetSummary {
                account_id: p.target.account_id.clone(),
                region: p.target.region.clone(),
                summary: p.summary.clone(),
            });
            out.results.extend(p.results.iter().cloned());
            out.access_path.extend(p.access_path.iter().cloned());
            for n in &p.notes {
                if !out.notes.contains(n) {
                    out.notes.push(n.clone());
                }
            }
            for w in &p.waivers.expired {
                if !out.waivers.expired.contains(w) {
                    out.waivers.expired.push(w.clone());
                }
            }
        }
        // A waiver is unmatched when it matched nothing in every target.
        out.waivers.unmatched = parts[0]
            .waivers
            .unmatched
            .iter()
            .filter(|w| parts.iter().all(|p| p.waivers.unmatched.contains(w)))
            .cloned()
            .collect();
        out.summary = Summary {
            not_evaluated: not_evaluated(&out.results, out.fail_on),
            ..Summary::of(&out.results)
        };
        out.parts = parts;
        out
    }

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

    /// " (N waived)" when some results are waived, else nothing: ends a headline.
    pub fn waived_suffix(&self) -> String {
        match self.results.iter().filter(|r| r.waived.is_some()).count() {
            0 => String::new(),
            n => format!(" ({n} waived)"),
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
            .any(|x| x.id == root && x.same_target(r) && fails_run(x, fail_on))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{healthy, no_access_grants, report_of};

    #[test]
    fn a_combined_report_keeps_each_targets_prerequisites_apart() {
        // Target A: no Access Grants instance (AG001 fails). Target B, another
        // region: AG001 could not be read, so its dependants decided nothing.
        let a = report_of(&["AG001", "AG002"], &no_access_grants());
        let mut fb = healthy();
        fb.target.region = "us-east-1".into();
        fb.access_grants.instance =
            crate::fact::Fact::Unknown(crate::testkit::denied("s3:GetAccessGrantsInstance"));
        let b = report_of(&["AG001", "AG002"], &fb);
        assert_eq!(b.exit_code(FailOn::Error), 3);
        let (na, nb) = (a.summary.not_evaluated, b.summary.not_evaluated);
        let all = Report::combine(vec![a.clone(), b.clone()]);
        assert_eq!(all.results.len(), a.results.len() + b.results.len());
        assert_eq!(all.targets.len(), 2);
        assert_eq!(all.targets[1].region, "us-east-1");
        assert_eq!(all.targets[1].summary, b.summary);
        // B's skips stay not evaluated although AG001 fails in A.
        assert_eq!(all.summary.not_evaluated, na + nb);
        assert!(nb > 0);
        assert_eq!(all.exit_code(FailOn::Error), 1);
        assert_eq!(all.exit_code(FailOn::Never), 3);
        assert!(all.results.iter().any(|r| r.region == "us-east-1"));
        // One report is returned as it is.
        assert_eq!(Report::combine(vec![a.clone()]), a);
    }

    #[test]
    fn exit_codes_follow_fail_on() {
        let r = report_of(&["AG001"], &no_access_grants());
        assert_eq!(r.exit_code(FailOn::Error), 1);
        assert_eq!(r.exit_code(FailOn::Never), 0);
        assert_eq!(
            report_of(&["AG001"], &healthy()).exit_code(FailOn::Warning),
            0
        );
    }

    #[test]
    fn the_waived_suffix_counts_waived_results() {
        let mut r = report_of(&["AG001", "ES001"], &no_access_grants());
        assert_eq!(r.waived_suffix(), "");
        for x in &mut r.results {
            x.waived = Some(Waived {
                reason: "accepted".into(),
                expires: None,
            });
        }
        assert_eq!(r.waived_suffix(), " (2 waived)");
    }
}
