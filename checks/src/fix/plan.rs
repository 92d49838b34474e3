//! A fix plan: the actions of every finding's fix, once each, in the order AWS
//! needs them, each naming the findings it closes.

use super::{Action, Input, Kind};
use crate::check::Status;
use crate::facts::{Facts, role_name};
use crate::report::Report;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Value, json};

/// The version of `plan.json` (`schemas/plan-v1.schema.json`).
pub const PLAN_VERSION: u32 = 1;

/// The plan for one report.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Plan {
    /// [`PLAN_VERSION`]: fields may be added within a version; existing ones keep their meaning.
    pub plan_version: u32,
    pub region: String,
    /// The account the plan is for (the script refuses to run in another).
    pub account_id: Option<String>,
    /// In the order they must run.
    pub steps: Vec<Step>,
    /// Every value a person must supply, once each.
    pub inputs: Vec<Input>,
    /// Findings without an automatic fix: what a person must do.
    pub manual: Vec<Manual>,
}

/// One AWS call of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Step {
    pub action: Action,
    /// `ready`, `needs-input`, `replaces` or `recreates` (a `recreates` step is
    /// not run by the script: it is written out commented, with `reason`).
    pub applicability: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The findings whose fix includes this step.
    pub closes: Vec<Finding>,
}

/// One result of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Finding {
    pub check: String,
    pub resource: String,
    pub status: Status,
}

/// A finding whose fix has no action.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Manual {
    pub finding: Finding,
    pub summary: String,
    pub docs: Vec<String>,
}

/// The plan for `report`: the actions of the fix of every failing or warning
/// result (not waived), once each, merged where two would overwrite each other,
/// in the order AWS needs them. `facts` are the documents the merges start from.
pub fn plan(report: &Report, facts: &Facts) -> Plan {
    let mut steps: Vec<Step> = Vec::new();
    let mut manual = Vec::new();
    for r in &report.results {
        if !matches!(r.status, Status::Fail | Status::Warn) || r.waived.is_some() {
            continue;
        }
        let Some(fix) = &r.remediation else { continue };
        let finding = Finding {
            check: r.id.to_string(),
            resource: r.resource.clone(),
            status: r.status,
        };
        if fix.actions.is_empty() {
            manual.push(Manual {
                finding,
                summary: fix.summary.clone(),
                docs: fix.docs.clone(),
            });
            continue;
        }
        let app = &fix.applicability;
        for a in &fix.actions {
            let step = Step {
                action: a.clone(),
                applicability: app.kind,
                kept: app.kept.clone(),
                reason: app.reason.clone(),
                closes: vec![finding.clone()],
            };
            match steps.iter_mut().find(|s| s.action == *a) {
                Some(s) => join(s, step),
                None => steps.push(step),
            }
        }
    }
    let mut merged: Vec<Step> = Vec::new();
    for s in steps {
        match merged.iter_mut().find(|m| conflicts(&m.action, &s.action)) {
            Some(m) => {
                m.action = merge(&m.action, &s.action, facts);
                join(m, s);
            }
            None => merged.push(s),
        }
    }
    // A stable sort: steps of one rank keep the order their fixes gave them.
    merged.sort_by_key(|s| rank(&s.action));
    let inputs = super::inputs::of_actions(merged.iter().map(|s| &s.action));
    Plan {
        plan_version: PLAN_VERSION,
        region: report.target.region.clone(),
        account_id: report.target.account_id.clone(),
        steps: merged,
        inputs,
        manual,
    }
}

/// Fold `other` (the same or a merged action) into `s`: its findings, and the
/// stronger applicability.
fn join(s: &mut Step, other: Step) {
    if strength(other.applicability) > strength(s.applicability) {
        s.applicability = other.applicability;
        s.kept = other.kept;
        s.reason = other.reason;
    } else if s.kept.is_none() {
        s.kept = other.kept;
    }
    for f in other.closes {
        if !s.closes.contains(&f) {
            s.closes.push(f);
        }
    }
}

/// How much care a step needs: a step shared by fixes of different kinds takes
/// the strongest.
fn strength(k: Kind) -> u8 {
    match k {
        Kind::Manual | Kind::Ready => 0,
        Kind::NeedsInput => 1,
        Kind::Replaces => 2,
        Kind::Recreates => 3,
    }
}

/// Two different actions that would overwrite each other's document.
fn conflicts(a: &Action, b: &Action) -> bool {
    use Action::*;
    match (a, b) {
        (
            PutRolePolicy {
                role_name: r1,
                policy_name: p1,
                ..
            },
            PutRolePolicy {
                role_name: r2,
                policy_name: p2,
                ..
            },
        ) => role_name(r1) == role_name(r2) && p1 == p2,
        (
            UpdateAssumeRolePolicy { role_name: r1, .. },
            UpdateAssumeRolePolicy { role_name: r2, .. },
        )
        | (CreateRole { role_name: r1, .. }, CreateRole { role_name: r2, .. }) => {
            role_name(r1) == role_name(r2)
        }
        (
            UpdateWorkGroup {
                region: g1,
                work_group: w1,
                ..
            },
            UpdateWorkGroup {
                region: g2,
                work_group: w2,
                ..
            },
        ) => g1 == g2 && w1 == w2,
        _ => false,
    }
}

/// One action doing what both conflicting actions do.
fn merge(a: &Action, b: &Action, facts: &Facts) -> Action {
    use Action::*;
    match (a, b) {
        (
            PutRolePolicy {
                role_name,
                policy_name,
                policy_document: d1,
            },
            PutRolePolicy {
                policy_document: d2,
                ..
            },
        ) => {
            let current = current_role(facts, role_name)
                .and_then(|r| r.inline_policies.known().ok())
                .and_then(|l| l.iter().find(|p| &p.name == policy_name))
                .map(|p| p.document.clone());
            PutRolePolicy {
                role_name: role_name.clone(),
                policy_name: policy_name.clone(),
                policy_document: merge_documents(current.as_ref(), d1, d2),
            }
        }
        (
            UpdateAssumeRolePolicy {
                role_name,
                policy_document: d1,
            },
            UpdateAssumeRolePolicy {
                policy_document: d2,
                ..
            },
        ) => {
            let current = current_role(facts, role_name).map(|r| r.trust_policy.clone());
            UpdateAssumeRolePolicy {
                role_name: role_name.clone(),
                policy_document: merge_documents(current.as_ref(), d1, d2),
            }
        }
        (
            CreateRole {
                role_name,
                path,
                assume_role_policy_document: d1,
            },
            CreateRole {
                assume_role_policy_document: d2,
                ..
            },
        ) => CreateRole {
            role_name: role_name.clone(),
            path: path.clone(),
            assume_role_policy_document: merge_documents(None, d1, d2),
        },
        (
            UpdateWorkGroup {
                region,
                work_group,
                configuration_updates: u1,
                state: s1,
            },
            UpdateWorkGroup {
                configuration_updates: u2,
                state: s2,
                ..
            },
        ) => UpdateWorkGroup {
            region: region.clone(),
            work_group: work_group.clone(),
            configuration_updates: match (u1, u2) {
                (Some(x), Some(y)) => Some(deep_merge(x, y)),
                (x, y) => x.clone().or_else(|| y.clone()),
            },
            state: s2.clone().or_else(|| s1.clone()),
        },
        _ => b.clone(),
    }
}

fn current_role<'a>(facts: &'a Facts, name: &str) -> Option<&'a crate::facts::Role> {
    match facts.role(name) {
        Some(crate::Fact::Known(Some(r))) => Some(r),
        _ => None,
    }
}

/// Two edits of one policy document (`current`: the document both started
/// from, if any): the statements both kept, plus every statement either added.
/// A statement one edit removed from `current` stays removed.
pub fn merge_documents(current: Option<&Value>, a: &Value, b: &Value) -> Value {
    let old = statements(current);
    let (sa, sb) = (statements(Some(a)), statements(Some(b)));
    let mut out: Vec<Value> = Vec::new();
    for st in sa.iter().chain(&sb) {
        let keep = if old.contains(st) {
            sa.contains(st) && sb.contains(st)
        } else {
            true
        };
        if keep && !out.contains(st) {
            out.push(st.clone());
        }
    }
    let mut doc = a.clone();
    match doc.as_object_mut() {
        Some(m) => {
            m.insert("Statement".into(), Value::Array(out));
        }
        None => doc = json!({"Version": "2012-10-17", "Statement": out}),
    }
    doc
}

fn statements(d: Option<&Value>) -> Vec<Value> {
    match d.and_then(|d| d.get("Statement")) {
        Some(Value::Array(a)) => a.clone(),
        Some(o @ Value::Object(_)) => vec![o.clone()],
        _ => Vec::new(),
    }
}

/// `b` merged into `a`: objects key by key, anything else taken from `b`.
pub fn deep_merge(a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut out = x.clone();
            for (k, v) in y {
                let merged = match x.get(k) {
                    Some(old) => deep_merge(old, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        _ => b.clone(),
    }
}

/// Where an action goes in the plan: what it needs exists before it runs.
fn rank(a: &Action) -> u8 {
    use Action::*;
    match a {
        CreateInstance { .. } => 0,
        AddRegion { .. } => 1,
        UpdateInstance { .. } => 2,
        CreateRole { .. } => 10,
        CreatePolicy { .. } => 11,
        UpdateAssumeRolePolicy { .. }
        | PutRolePolicy { .. }
        | CreatePolicyVersion { .. }
        | AttachRolePolicy { .. } => 12,
        CreateBucket { .. } => 20,
        CreateAccessGrantsInstance { .. } => 30,
        // Moving the instance to another Identity Center: dissociate first.
        DissociateAccessGrantsIdentityCenter { .. } => 31,
        AssociateAccessGrantsIdentityCenter { .. } => 32,
        CreateAccessGrantsLocation { .. } | UpdateAccessGrantsLocation { .. } => 40,
        CreateAccessGrant { .. } => 50,
        PutDataLakeSettings { .. } => 60,
        DeleteLakeFormationIdentityCenterConfiguration { .. } => 61,
        CreateLakeFormationIdentityCenterConfiguration { .. } => 62,
        // Re-registering a location with another role: deregister first.
        DeregisterResource { .. } => 63,
        RegisterResource { .. } | UpdateResource { .. } => 64,
        GrantPermissions { .. } => 65,
        CreateLakeFormationOptIn { .. } => 66,
        CreateWorkGroup { .. } | UpdateWorkGroup { .. } => 70,
        CreateStudio { .. } | UpdateStudio { .. } => 71,
        CreateStudioSessionMapping { .. } | UpdateStudioSessionMapping { .. } => 80,
        PutApplicationAssignmentConfiguration { .. } => 81,
        CreateApplicationAssignment { .. } => 82,
        RevokePermissions { .. } => 90,
        DeleteStudio { .. } => 91,
        DeleteInstance { .. } => 92,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Remediation;
    use crate::fix::Applicability;
    use crate::testkit::{healthy, no_access_grants, report_of};

    const R: &str = "ap-northeast-1";

    /// A report whose failing results carry these fixes (check id, resource,
    /// actions, kind).
    fn report(fixes: Vec<(&'static str, &str, Vec<Action>, Kind)>) -> Report {
        let mut r = report_of(&["AG001"], &no_access_grants());
        let template = r.results.iter().find(|x| x.id == "AG001").unwrap().clone();
        r.results = fixes
            .into_iter()
            .map(|(id, resource, actions, kind)| {
                let mut x = template.clone();
                x.id = id;
                x.resource = resource.to_string();
                let mut fix = Remediation::new(format!("fix {id}"), actions, &["https://docs"]);
                fix.applicability = Applicability {
                    kind,
                    kept: (kind == Kind::Replaces).then(|| "the rest".to_string()),
                    reason: (kind == Kind::Recreates).then(|| "immutable".to_string()),
                    ..Applicability::default()
                };
                x.remediation = Some(fix);
                x
            })
            .collect();
        r
    }

    fn bucket(b: &str) -> Action {
        Action::CreateBucket {
            region: R.into(),
            bucket: b.into(),
        }
    }

    fn put(doc: Value) -> Action {
        Action::PutRolePolicy {
            role_name: "EMRStudio-UserRole".into(),
            policy_name: "StudioDoctorFix".into(),
            policy_document: doc,
        }
    }

    fn allow(action: &str) -> Value {
        json!({"Effect": "Allow", "Action": action, "Resource": "*"})
    }

    fn doc(statements: &[Value]) -> Value {
        json!({"Version": "2012-10-17", "Statement": statements})
    }

    #[test]
    fn identical_actions_are_one_step_closing_every_finding() {
        let r = report(vec![
            ("AG001", "a", vec![bucket("b")], Kind::Ready),
            ("AG003", "c", vec![bucket("b"), bucket("d")], Kind::Replaces),
        ]);
        let p = plan(&r, &healthy());
        assert_eq!(p.steps.len(), 2);
        let closes: Vec<&str> = p.steps[0].closes.iter().map(|f| f.check.as_str()).collect();
        assert_eq!(closes, ["AG001", "AG003"]);
        // The stronger applicability wins, with what it keeps.
        assert_eq!(p.steps[0].applicability, Kind::Replaces);
        assert_eq!(p.steps[0].kept.as_deref(), Some("the rest"));
        assert_eq!(p.region, "ap-northeast-1");
    }

    #[test]
    fn fixes_without_actions_are_manual_and_passing_or_waived_results_plan_nothing() {
        let mut r = report(vec![
            ("AG001", "a", vec![], Kind::Manual),
            ("AG002", "b", vec![bucket("x")], Kind::Ready),
            ("AG003", "c", vec![bucket("y")], Kind::Ready),
        ]);
        r.results[1].status = Status::Pass;
        r.results[2].waived = Some(crate::waivers::Waived {
            reason: "accepted".into(),
            expires: None,
        });
        let p = plan(&r, &healthy());
        assert!(p.steps.is_empty());
        assert_eq!(p.manual.len(), 1);
        assert_eq!(p.manual[0].finding.check, "AG001");
        assert_eq!(p.manual[0].summary, "fix AG001");
    }

    #[test]
    fn steps_run_in_the_order_aws_needs_them() {
        let grant = Action::CreateAccessGrant {
            region: R.into(),
            account_id: "1".into(),
            access_grants_location_id: "default".into(),
            s3_sub_prefix: "b/*".into(),
            grantee_type: "IAM".into(),
            grantee_identifier: "arn:r".into(),
            permission: "READ".into(),
        };
        let location = Action::CreateAccessGrantsLocation {
            region: R.into(),
            account_id: "1".into(),
            location_scope: "s3://".into(),
            iam_role_arn: "arn:r".into(),
        };
        let instance = Action::CreateAccessGrantsInstance {
            region: R.into(),
            account_id: "1".into(),
            identity_center_arn: None,
        };
        let role = Action::CreateRole {
            role_name: "EMRStudio-UserRole".into(),
            path: None,
            assume_role_policy_document: doc(&[]),
        };
        let delete = Action::DeleteStudio {
            region: R.into(),
            studio_id: "es-1".into(),
        };
        let r = report(vec![
            (
                "AG001",
                "a",
                vec![grant.clone(), delete.clone()],
                Kind::Ready,
            ),
            (
                "AG002",
                "b",
                vec![put(doc(&[allow("s3:GetObject")])), location.clone()],
                Kind::Ready,
            ),
            (
                "AG003",
                "c",
                vec![instance.clone(), role.clone(), bucket("x")],
                Kind::Ready,
            ),
        ]);
        let steps: Vec<String> = plan(&r, &healthy())
            .steps
            .iter()
            .map(|s| s.action.name())
            .collect();
        assert_eq!(
            steps,
            [
                "iam:CreateRole",
                "iam:PutRolePolicy",
                "s3:CreateBucket",
                "s3control:CreateAccessGrantsInstance",
                "s3control:CreateAccessGrantsLocation",
                "s3control:CreateAccessGrant",
                "emr:DeleteStudio"
            ]
        );
    }

    #[test]
    fn two_policies_under_one_name_merge_their_statements() {
        let mut f = healthy();
        // The role already has the policy: a statement one fix drops stays dropped.
        let old = allow("old:Action");
        if let Some(crate::Fact::Known(Some(role))) = f.roles.get_mut("EMRStudio-UserRole")
            && let crate::Fact::Known(list) = &mut role.inline_policies
        {
            list.push(crate::facts::Policy {
                name: "StudioDoctorFix".into(),
                document: doc(&[old.clone(), allow("kept:Action")]),
            });
        }
        let a = doc(&[allow("kept:Action"), allow("a:One")]);
        let b = doc(&[old, allow("kept:Action"), allow("b:Two")]);
        let r = report(vec![
            ("AG001", "a", vec![put(a)], Kind::Ready),
            ("AG002", "b", vec![put(b)], Kind::Ready),
        ]);
        let p = plan(&r, &f);
        assert_eq!(p.steps.len(), 1);
        let Action::PutRolePolicy {
            policy_document, ..
        } = &p.steps[0].action
        else {
            panic!()
        };
        assert_eq!(
            policy_document["Statement"],
            json!([allow("kept:Action"), allow("a:One"), allow("b:Two")])
        );
        assert_eq!(p.steps[0].closes.len(), 2);
    }

    #[test]
    fn two_trust_updates_on_one_role_merge() {
        let f = healthy();
        let trust = |st: Value| Action::UpdateAssumeRolePolicy {
            role_name: "arn:aws:iam::111122223333:role/EMRStudio-UserRole".into(),
            policy_document: doc(&[st]),
        };
        let r = report(vec![
            (
                "ES004",
                "a",
                vec![trust(allow("sts:SetContext"))],
                Kind::Replaces,
            ),
            (
                "ES004",
                "b",
                vec![trust(allow("sts:AssumeRole"))],
                Kind::Replaces,
            ),
        ]);
        let p = plan(&r, &f);
        assert_eq!(p.steps.len(), 1);
        let Action::UpdateAssumeRolePolicy {
            policy_document, ..
        } = &p.steps[0].action
        else {
            panic!()
        };
        assert_eq!(
            policy_document["Statement"],
            json!([allow("sts:SetContext"), allow("sts:AssumeRole")])
        );
    }

    #[test]
    fn one_role_created_by_two_fixes_trusts_what_both_need() {
        let create = |st: Value| Action::CreateRole {
            role_name: "New".into(),
            path: None,
            assume_role_policy_document: doc(&[st]),
        };
        let r = report(vec![
            (
                "WG001",
                "a",
                vec![create(allow("sts:AssumeRole"))],
                Kind::Ready,
            ),
            (
                "WG004",
                "b",
                vec![create(allow("sts:SetContext"))],
                Kind::Ready,
            ),
        ]);
        let p = plan(&r, &healthy());
        assert_eq!(
            p.steps.iter().map(|s| &s.action).collect::<Vec<_>>(),
            [&Action::CreateRole {
                role_name: "New".into(),
                path: None,
                assume_role_policy_document: doc(&[
                    allow("sts:AssumeRole"),
                    allow("sts:SetContext")
                ]),
            }]
        );
    }

    #[test]
    fn two_workgroup_updates_deep_merge() {
        let update = |u: Value, state: Option<&str>| Action::UpdateWorkGroup {
            region: R.into(),
            work_group: "idc-wg".into(),
            configuration_updates: Some(u),
            state: state.map(String::from),
        };
        let r = report(vec![
            (
                "WG006",
                "a",
                vec![update(
                    json!({"ResultConfigurationUpdates": {"OutputLocation": "s3://b/p/"}}),
                    None,
                )],
                Kind::NeedsInput,
            ),
            (
                "AG003",
                "b",
                vec![update(
                    json!({"ResultConfigurationUpdates": {"ExpectedBucketOwner": "1"}, "EnforceWorkGroupConfiguration": true}),
                    Some("ENABLED"),
                )],
                Kind::Ready,
            ),
        ]);
        let p = plan(&r, &healthy());
        assert_eq!(p.steps.len(), 1);
        assert_eq!(p.steps[0].applicability, Kind::NeedsInput);
        assert_eq!(
            p.steps[0].action,
            update(
                json!({"ResultConfigurationUpdates": {"OutputLocation": "s3://b/p/", "ExpectedBucketOwner": "1"}, "EnforceWorkGroupConfiguration": true}),
                Some("ENABLED")
            )
        );
    }

    #[test]
    fn inputs_are_listed_once_with_what_to_put_there() {
        let r = report(vec![
            (
                "AG001",
                "a",
                vec![bucket("<RESULTS_BUCKET>")],
                Kind::NeedsInput,
            ),
            (
                "AG002",
                "b",
                vec![bucket("<RESULTS_BUCKET>-2"), bucket("<BUCKET>")],
                Kind::NeedsInput,
            ),
        ]);
        let p = plan(&r, &healthy());
        let names: Vec<&str> = p.inputs.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["RESULTS_BUCKET", "BUCKET"]);
        assert!(p.inputs.iter().all(|i| !i.what.is_empty()));
    }
}
