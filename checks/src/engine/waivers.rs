//! Waivers: accepted findings that stay in the report but no longer fail the
//! run, their expiry dates, and the notices about waivers that did nothing.

use crate::check::Status;
use crate::report::CheckResult;
use crate::run::RunOptions;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeSet;

/// Why a result is waived (from the waiver that matched it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Waived {
    pub reason: String,
    pub expires: Option<Date>,
}

impl Waived {
    /// How a waived result is marked after its message or resource.
    pub fn mark(&self) -> String {
        format!("(waived: {})", self.reason)
    }
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

    /// One notice per waiver that did nothing: the expired ones first.
    pub fn notices(&self) -> Vec<WaiverNotice<'_>> {
        let expired = self.expired.iter().map(|w| (NoticeKind::Expired, w));
        let unused = self.unmatched.iter().map(|w| (NoticeKind::Unused, w));
        expired
            .chain(unused)
            .map(|(kind, waiver)| WaiverNotice::new(kind, waiver))
            .collect()
    }
}

/// Why a waiver did nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// Its expiry date has passed: it no longer waives anything.
    Expired,
    /// It matched no finding of a check that ran.
    Unused,
}

/// The sentence about a waiver that did nothing; each renderer lays it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverNotice<'a> {
    pub kind: NoticeKind,
    pub waiver: &'a Waiver,
    pub text: String,
}

impl<'a> WaiverNotice<'a> {
    fn new(kind: NoticeKind, waiver: &'a Waiver) -> WaiverNotice<'a> {
        let name = match &waiver.resource {
            Some(glob) => format!("{} (resource {glob})", waiver.check),
            None => waiver.check.clone(),
        };
        let text = match kind {
            NoticeKind::Expired => {
                let date = waiver.expires.map(|d| d.to_string()).unwrap_or_default();
                format!("the waiver for {name} expired on {date}: it no longer waives anything")
            }
            NoticeKind::Unused => {
                format!(
                    "the waiver for {name} matched no finding: remove it if the problem is fixed"
                )
            }
        };
        WaiverNotice { kind, waiver, text }
    }
}

/// Mark the results the live waivers cover; report the waivers that expired or
/// matched nothing among the checks that ran. The first matching waiver wins.
pub(crate) fn apply_waivers(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fact::Fact;
    use crate::facts::Facts;
    use crate::report::FailOn;
    use crate::testkit::{date, denied, healthy, no_access_grants, report_with, waiver};

    /// AG001 cannot be evaluated (an `error` result).
    fn unreadable_access_grants() -> Facts {
        let mut f = healthy();
        f.access_grants.instance = Fact::Unknown(denied("s3:GetAccessGrantsInstance"));
        f
    }

    #[test]
    fn notices_name_each_idle_waiver_once_expired_first() {
        let report = WaiverReport {
            unmatched: vec![waiver("ES006", Some("arn:*"), None)],
            expired: vec![waiver("AG001", None, Some("2020-01-02"))],
        };
        let notices = report.notices();
        let got: Vec<_> = notices.iter().map(|n| (n.kind, n.text.as_str())).collect();
        assert_eq!(
            got,
            [
                (
                    NoticeKind::Expired,
                    "the waiver for AG001 expired on 2020-01-02: it no longer waives anything"
                ),
                (
                    NoticeKind::Unused,
                    "the waiver for ES006 (resource arn:*) matched no finding: remove it if the problem is fixed"
                ),
            ]
        );
        assert_eq!(notices[1].waiver, &report.unmatched[0]);
        assert!(WaiverReport::default().notices().is_empty());
    }

    #[test]
    fn a_waived_failure_keeps_its_status_but_not_the_exit_code() {
        let options = RunOptions {
            waivers: vec![waiver("AG001", None, Some("2030-01-01"))],
            today: Some(date("2029-12-31")),
            ..RunOptions::default()
        };
        let r = report_with(&["AG001"], &no_access_grants(), &options);
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
            report_with(
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
        let f = unreadable_access_grants();
        let plain = report_with(&["AG001"], &f, &RunOptions::default());
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
        let r = report_with(
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
        let f = unreadable_access_grants();
        let plain = waiver("AG001", None, None);
        let r = report_with(
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
