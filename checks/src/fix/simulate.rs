//! The plan run on the facts instead of the account: every check, the plan,
//! its steps applied with [`super::apply::apply`], every check again. What the
//! plan claims to close and does not, and what it breaks, is the proof.

use super::apply::apply;
use super::plan::{Finding, Plan, plan};
use super::{Action, Kind};
use crate::check::{Check, Status};
use crate::facts::Facts;
use crate::registry;
use crate::report::{CheckResult, Summary};
use crate::run::{RunOptions, run_with};
use serde_json::Value;
use std::collections::BTreeMap;

/// The outcome of simulating a report's plan on its facts.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    pub plan: Plan,
    pub before: Summary,
    pub after: Summary,
    /// The indices (in `plan.steps`) of the steps applied.
    pub applied: Vec<usize>,
    /// Steps not applied: `recreates` steps, and steps waiting for a value.
    pub not_applied: Vec<NotApplied>,
    /// Steps the facts could not take (the action's target is missing, ...).
    pub failed: Vec<NotApplied>,
    /// Findings an applied step claims to close that still do not pass.
    pub unfixed: Vec<Unfixed>,
    /// Results about resources the run did not report before (a new workgroup,
    /// ...) that do not pass: what the plan leaves to do next.
    pub introduced: Vec<Finding>,
    /// Results that passed before and do not now.
    pub regressed: Vec<Finding>,
    /// The run's `--studio`/`--workgroup` moved to what the plan created.
    pub retargeted: Vec<String>,
    /// The facts after the plan.
    pub facts: Facts,
}

/// A step that was not applied, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct NotApplied {
    pub step: usize,
    pub action: String,
    pub why: String,
}

/// A claimed finding that is still open after the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Unfixed {
    pub finding: Finding,
    /// Its status after the plan (`None`: the check reports it no more, but
    /// another result of the check does not pass).
    pub now: Option<Status>,
    /// What the check says now.
    pub message: String,
    /// The applied steps that claim it, as `service:Operation`.
    pub steps: Vec<String>,
}

/// Run every check on `facts`, plan, apply the plan's steps that are not
/// `recreates` (placeholders replaced by `values`), and run every check again.
pub fn simulate(
    facts: &Facts,
    options: &RunOptions,
    values: &BTreeMap<String, String>,
) -> Simulation {
    let all: Vec<&'static Check> = registry::ALL.iter().collect();
    simulate_checks(facts, &all, options, values)
}

/// [`simulate`] with only `checks` (and their prerequisites) run, before and after.
pub fn simulate_checks(
    facts: &Facts,
    checks: &[&'static Check],
    options: &RunOptions,
    values: &BTreeMap<String, String>,
) -> Simulation {
    let report = |facts: &Facts| run_with(facts, checks, "simulate", options);
    let before = report(facts);
    let plan = plan(&before, facts);
    let mut after_facts = facts.clone();
    let (mut applied, mut not_applied, mut failed) = (Vec::new(), Vec::new(), Vec::new());
    for (i, step) in plan.steps.iter().enumerate() {
        let skip = |why: String| NotApplied {
            step: i,
            action: step.action.name(),
            why,
        };
        if step.applicability == Kind::Recreates {
            not_applied.push(skip(format!(
                "recreates: {}",
                step.reason.as_deref().unwrap_or("an immutable setting")
            )));
            continue;
        }
        let action = match fill(&step.action, values) {
            Ok(a) => a,
            Err(missing) => {
                not_applied.push(skip(format!("needs a value for <{missing}>")));
                continue;
            }
        };
        match apply(&mut after_facts, &action) {
            Ok(()) => applied.push(i),
            Err(e) => failed.push(skip(e)),
        }
    }
    let retargeted = retarget(&mut after_facts, &plan, &applied);
    let after = report(&after_facts);
    let unfixed = unfixed(&plan, &applied, &before.results, &after.results);
    let regressed = before
        .results
        .iter()
        .filter(|r| r.status == Status::Pass)
        .filter_map(|r| {
            let now = after
                .results
                .iter()
                .find(|x| x.id == r.id && x.resource == r.resource)?;
            (now.status != Status::Pass).then(|| Finding {
                check: now.id.to_string(),
                resource: now.resource.clone(),
                status: now.status,
            })
        })
        .collect();
    let introduced = after
        .results
        .iter()
        .filter(|r| matches!(r.status, Status::Fail | Status::Warn | Status::Error))
        .filter(|r| {
            !before
                .results
                .iter()
                .any(|b| b.id == r.id && b.resource == r.resource)
        })
        .map(|r| Finding {
            check: r.id.to_string(),
            resource: r.resource.clone(),
            status: r.status,
        })
        .collect();
    Simulation {
        plan,
        introduced,
        before: before.summary,
        after: after.summary,
        applied,
        not_applied,
        failed,
        unfixed,
        regressed,
        retargeted,
        facts: after_facts,
    }
}

/// A run that names a Studio or workgroup (`--studio`, `--workgroup`) for which
/// the plan builds a new one is judged again on the new one, as a person
/// would rerun it. The new names, as `--flag value`.
fn retarget(f: &mut Facts, plan: &Plan, applied: &[usize]) -> Vec<String> {
    let mut out = Vec::new();
    for &i in applied {
        match &plan.steps[i].action {
            Action::CreateWorkGroup { name, .. }
                if f.target.workgroup.as_ref().is_some_and(|w| w != name) =>
            {
                f.target.workgroup = Some(name.clone());
                out.push(format!("--workgroup {name}"));
            }
            Action::CreateStudio { name, .. }
                if f.target.studio.as_ref().is_some_and(|s| s != name) =>
            {
                f.target.studio = Some(name.clone());
                out.push(format!("--studio {name}"));
            }
            _ => {}
        }
    }
    out
}

/// The claimed findings of the applied steps that do not pass after the plan.
fn unfixed(
    plan: &Plan,
    applied: &[usize],
    before: &[CheckResult],
    after: &[CheckResult],
) -> Vec<Unfixed> {
    let was = |r: &CheckResult| {
        before
            .iter()
            .any(|b| b.id == r.id && b.resource == r.resource)
    };
    let mut out: Vec<Unfixed> = Vec::new();
    for &i in applied {
        let step = &plan.steps[i];
        for f in &step.closes {
            if let Some(u) = out.iter_mut().find(|u| u.finding == *f) {
                if !u.steps.contains(&step.action.name()) {
                    u.steps.push(step.action.name());
                }
                continue;
            }
            let same = after
                .iter()
                .find(|r| r.id == f.check && r.resource == f.resource);
            let open = match same {
                Some(r) => (r.status != Status::Pass).then(|| (Some(r.status), r.message.clone())),
                // The resource is gone (a Studio replaced, ...): still open if
                // the check does not pass on a resource it did not report before.
                None => after
                    .iter()
                    .find(|r| r.id == f.check && r.status != Status::Pass && !was(r))
                    .map(|r| (None, format!("{}: {}", r.resource, r.message))),
            };
            if let Some((now, message)) = open {
                out.push(Unfixed {
                    finding: f.clone(),
                    now,
                    message,
                    steps: vec![step.action.name()],
                });
            }
        }
    }
    out
}

/// `a` with every `<NAME>` replaced by its value; Err: the first name without one.
pub fn fill(a: &Action, values: &BTreeMap<String, String>) -> Result<Action, String> {
    let mut v = serde_json::to_value(a).map_err(|e| e.to_string())?;
    replace(&mut v, values)?;
    serde_json::from_value(v).map_err(|e| e.to_string())
}

fn replace(v: &mut Value, values: &BTreeMap<String, String>) -> Result<(), String> {
    match v {
        Value::String(s) => {
            for name in super::inputs::placeholders(s) {
                let value = values.get(&name).ok_or_else(|| name.clone())?;
                *s = s.replace(&format!("<{name}>"), value);
            }
        }
        Value::Array(a) => {
            for x in a {
                replace(x, values)?;
            }
        }
        Value::Object(m) => {
            for x in m.values_mut() {
                replace(x, values)?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::plan::Step;

    fn example(name: &str) -> Facts {
        let path = format!("{}/../examples/{name}", env!("CARGO_MANIFEST_DIR"));
        Facts::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn no_values() -> BTreeMap<String, String> {
        BTreeMap::new()
    }

    #[test]
    fn a_trust_fix_closes_its_finding() {
        let s = simulate(
            &example("traps/ES004.json"),
            &RunOptions::default(),
            &no_values(),
        );
        assert_eq!((s.before.fail, s.after.fail), (1, 0));
        assert_eq!(s.applied, [0]);
        assert!(s.unfixed.is_empty() && s.regressed.is_empty() && s.failed.is_empty());
    }

    #[test]
    fn recreating_steps_are_not_applied() {
        let s = simulate(
            &example("traps/ES003.json"),
            &RunOptions::default(),
            &no_values(),
        );
        assert!(!s.plan.steps.is_empty());
        assert!(s.applied.is_empty());
        assert!(s.not_applied.iter().all(|n| n.why.starts_with("recreates")));
        assert_eq!(s.before, s.after);
    }

    #[test]
    fn a_step_waiting_for_a_value_is_not_applied_and_says_which() {
        let mut f = example("healthy-account.json");
        // No query result location: the fix needs the results bucket.
        if let crate::Fact::Known(w) = &mut f.workgroups {
            w[0].output_location = None;
        }
        let s = simulate(&f, &RunOptions::default(), &no_values());
        let n = s
            .not_applied
            .iter()
            .find(|n| n.action == "athena:UpdateWorkGroup")
            .expect("the update waits for a value");
        assert_eq!(n.why, "needs a value for <RESULTS_BUCKET>");
        let values = BTreeMap::from([(
            "RESULTS_BUCKET".to_string(),
            "athena-results-111122223333".to_string(),
        )]);
        let s = simulate(&f, &RunOptions::default(), &values);
        assert!(
            s.applied
                .iter()
                .any(|&i| s.plan.steps[i].action.name() == "athena:UpdateWorkGroup")
        );
        assert!(s.unfixed.is_empty(), "{:?}", s.unfixed);
    }

    #[test]
    fn a_claimed_finding_that_still_fails_is_unfixed() {
        let f = example("traps/ES004.json");
        let before = report(&f, &RunOptions::default());
        let failing = before
            .results
            .iter()
            .find(|r| r.status == Status::Fail)
            .unwrap();
        let finding = Finding {
            check: failing.id.to_string(),
            resource: failing.resource.clone(),
            status: failing.status,
        };
        // A plan whose only step does nothing for the finding.
        let plan = Plan {
            plan_version: 1,
            region: f.target.region.clone(),
            account_id: None,
            steps: vec![Step {
                action: Action::CreateBucket {
                    region: f.target.region.clone(),
                    bucket: "unrelated".into(),
                },
                applicability: Kind::Ready,
                kept: None,
                reason: None,
                closes: vec![finding.clone()],
            }],
            inputs: vec![],
            manual: vec![],
        };
        let u = unfixed(&plan, &[0], &before.results, &before.results);
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].finding, finding);
        assert_eq!(u[0].now, Some(Status::Fail));
        assert_eq!(u[0].steps, ["s3:CreateBucket"]);
    }

    #[test]
    fn placeholders_are_filled_inside_documents_too() {
        let a = Action::UpdateWorkGroup {
            region: "r".into(),
            work_group: "w".into(),
            configuration_updates: Some(
                serde_json::json!({"ResultConfigurationUpdates": {"OutputLocation": "s3://<RESULTS_BUCKET>/<PREFIX>/"}}),
            ),
            state: None,
        };
        let values = BTreeMap::from([
            ("RESULTS_BUCKET".to_string(), "b".to_string()),
            ("PREFIX".to_string(), "p".to_string()),
        ]);
        let Action::UpdateWorkGroup {
            configuration_updates: Some(u),
            ..
        } = fill(&a, &values).unwrap()
        else {
            panic!()
        };
        assert_eq!(
            u["ResultConfigurationUpdates"]["OutputLocation"],
            "s3://b/p/"
        );
        assert_eq!(fill(&a, &no_values()).unwrap_err(), "RESULTS_BUCKET");
    }
}
