//! # AG006 access-grants-location-role-permissions
//!
//! **What it checks.** For each target workgroup, the IAM role of the S3 Access
//! Grants location that serves its query results is allowed, by its inline and
//! attached policies (limited by its permissions boundary, if any):
//! - `s3:GetObject` and `s3:PutObject` on an object under the results prefix
//!   (`arn:aws:s3:::<bucket>/<prefix>/[<user id>/]studio-doctor-example.csv`; the
//!   user id level is added when the workgroup writes per-user prefixes);
//! - `s3:ListBucket` on the results bucket (`arn:aws:s3:::<bucket>`).
//!
//! The location is the one the matching grant belongs to (its
//! `AccessGrantsLocationId`, as AG004 finds it): S3 Access Grants assumes that
//! location's role. Without a matching grant yet, the most specific location
//! covering the results is judged. A workgroup with Athena-managed results has
//! no S3 results location: it passes here with that said (WG006 warns about it).
//!
//! Conditions are evaluated with what an S3 Access Grants session carries:
//! `aws:ResourceAccount` (the account; the results bucket is taken to be the
//! account's own), `s3:AccessGrantsInstanceArn` (the instance ARN from
//! `GetAccessGrantsInstance`, when known), `aws:PrincipalArn`,
//! `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:RequestedRegion` (the
//! target region: S3 Access Grants data must be in the instance's region), the
//! policy variable `${identitystore:UserId}` (the first `--user`'s id, when known)
//! and, for `s3:ListBucket`, `s3:prefix` (the results prefix). Which policy forms
//! make the result a warning instead of a verdict: a condition on any other key,
//! an operator studio-doctor does not evaluate, an unknown policy variable, a
//! wildcard in the service or resource-type part of a `Resource` ARN (incorrect
//! usage per the IAM documentation), a malformed statement; the fix then keeps
//! those conditions. Policy variables count only under `"Version": "2012-10-17"`
//! and after the fifth colon of an ARN. The documented location-role policy
//! passes.
//!
//! **Why it matters.** S3 Access Grants hands Athena credentials from a session
//! of the location role, scoped down to the grant. A grant can never give more
//! than the role itself may do: if the role cannot write the results prefix,
//! every Identity Center query fails writing its results even with the right
//! grant (AG005).
//!
//! **How to fix.** Add one inline policy granting exactly what is missing: the
//! object actions on every key under the results prefix
//! (`arn:aws:s3:::<bucket>/<prefix>/*`) and `s3:ListBucket` on the bucket.
//! Console: IAM → Roles → the location role → Add permissions → Create inline
//! policy → JSON. CLI (the report fills in the role, the name and the missing
//! actions): `aws iam put-role-policy --role-name <S3AG_LOCATION_ROLE>
//! --policy-name AccessGrantsLocation --policy-document
//! '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::<bucket>/<prefix>/*"},{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::<bucket>"}]}'`.
//! The documented location-role policy (S3 read and write on `arn:aws:s3:::*`
//! limited by `aws:ResourceAccount` and `s3:AccessGrantsInstanceArn`) passes
//! too. A missing role is created with the documented trust policy (AG004) and
//! the policy above.
//! The report picks a policy name the role does not use yet. An explicit Deny
//! must be removed by hand; a permissions boundary must allow the actions too.
//! With KMS-encrypted buckets the role also needs `kms:Decrypt` and
//! `kms:GenerateDataKey` on the key (not checked here).
//!
//! **Evidence.** Documented: tip-tutorial-s3 and S3 access-grants-location-register (the
//! location-role policy above, with its `aws:ResourceAccount` and
//! `s3:AccessGrantsInstanceArn` conditions; Athena workgroups-identity-center:
//! the sample location-role policy with Get and Put on the user prefix and
//! ListBucket); `ListAccessGrantEntry` (`AccessGrantsLocationId`, the location a
//! grant belongs to). Inferred: the three actions checked are the minimum for writing
//! and reading back results; the example object name is only a probe.
//!
//! **References.**
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/tip-tutorial-s3.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-location-register.html
//! - https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html
//! - https://docs.aws.amazon.com/cli/latest/reference/iam/put-role-policy.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::{Ctx, workgroup_label};
use crate::each::each_workgroup;
use crate::facts::{Role, WorkGroup, role_name};
use crate::fix::{Action, Kind};
use crate::fixes::{create_role, location_trust};
use crate::grants::{
    Serving, instance_arn, location_role, managed_pass, managed_results, results_location,
    serving_locations,
};
use crate::policy::{Context, allow_document, arn_account, unused_policy_name};
use crate::review::{Review, Want, review_in};
use crate::roles::account_of;
use crate::s3;

pub const META: Meta = Meta {
    id: "AG006",
    name: "access-grants-location-role-permissions",
    area: Area::S3AccessGrants,
    severity: Severity::Error,
    title: "Access Grants location role can read and write the results prefix",
    depends_on: &["AG003"],
    hop: crate::check::Hop::Write,
    entitlement: false,
    fixes: &[
        ("iam:CreateRole", Kind::Ready),
        ("iam:PutRolePolicy", Kind::Ready),
        ("athena:UpdateWorkGroup", Kind::NeedsInput),
        ("s3control:CreateAccessGrantsLocation", Kind::NeedsInput),
        ("s3control:UpdateAccessGrantsLocation", Kind::NeedsInput),
    ],
    needs: &[
        Need::Caller,
        Need::Workgroups,
        Need::AccessGrantsInstance,
        Need::AccessGrantsLocations,
        Need::AccessGrants,
        Need::Users,
        Need::LocationRolePolicies,
    ],
    docs: &[
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/tip-tutorial-s3.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-location-register.html",
        "https://docs.aws.amazon.com/cli/latest/reference/iam/put-role-policy.html",
    ],
};

const VIEW: &str =
    "identity-policy view: SCPs, bucket policies and KMS key policies are not included";

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_workgroup(ctx, |w| one(ctx, w))
}

/// What S3 Access Grants asks of the role for one workgroup's results.
struct Probe {
    wants: Vec<Want>,
    /// The results key prefix (`prefix/[user id/]`), for `s3:prefix`.
    prefix: String,
    user_id: Option<String>,
}

fn probe(ctx: &Ctx, w: &WorkGroup, out: &str) -> Probe {
    let url = s3::parse(out).unwrap_or(s3::S3Url {
        bucket: "",
        key: "",
    });
    let per_user = w
        .s3_access_grants
        .as_ref()
        .is_some_and(|c| c.create_user_level_prefix);
    let user_id = ctx
        .users()
        .iter()
        .find_map(|u| ctx.principals(u).ok().flatten())
        .map(|p| p.user_id.to_string());
    let mut prefix = s3::as_dir(url.key).trim_start_matches('/').to_string();
    if per_user {
        prefix.push_str(user_id.as_deref().unwrap_or("<IDC_USER_ID>"));
        prefix.push('/');
    }
    let object = format!(
        "arn:aws:s3:::{}/{prefix}studio-doctor-example.csv",
        url.bucket
    );
    // A fix grants the objects on every key under the results prefix.
    let objects = format!(
        "arn:aws:s3:::{}/{}*",
        url.bucket,
        s3::as_dir(url.key).trim_start_matches('/')
    );
    Probe {
        wants: vec![
            Want::new("s3:GetObject", &object).granting(objects.clone()),
            Want::new("s3:PutObject", &object).granting(objects),
            Want::new("s3:ListBucket", &format!("arn:aws:s3:::{}", url.bucket)),
        ],
        prefix,
        user_id,
    }
}

fn one(ctx: &Ctx, w: &WorkGroup) -> Vec<Outcome> {
    if managed_results(w) {
        return vec![managed_pass(w)];
    }
    match serving_locations(ctx, w, META.docs) {
        Ok(serving) => serving.iter().map(|s| judge_location(ctx, w, s)).collect(),
        Err(o) => vec![*o],
    }
}

fn judge_location(ctx: &Ctx, w: &WorkGroup, s: &Serving) -> Outcome {
    let (loc, arn) = match location_role(ctx, s, META.docs) {
        Ok(a) => (s.loc, a),
        Err(o) => return *o,
    };
    let account = account_of(ctx, Some(arn));
    let known_instance = match ctx.facts.access_grants.instance.known() {
        Ok(Some(i)) => Some(i.access_grants_instance_arn.clone()),
        _ => None,
    };
    let instance = known_instance
        .clone()
        .unwrap_or_else(|| instance_arn(ctx, &account));
    let what = format!(
        "location role {arn} (S3 Access Grants location {}, {}, {})",
        loc.access_grants_location_id, loc.location_scope, s.why
    );
    // AG003 passed, so the results location parses.
    let Ok(out) = results_location(w) else {
        return Outcome::fail(
            arn,
            format!("{} has no results location (see AG003)", workgroup_label(w)),
        );
    };
    let p = probe(ctx, w, out);
    let role = match ctx.role(arn) {
        Err(u) => return Outcome::unknown(arn, &format!("the policies of {what}"), &u),
        Ok(None) => {
            let name = role_name(arn);
            let wants: Vec<&Want> = p.wants.iter().collect();
            return Outcome::fail(arn, format!("{what} does not exist in IAM (NoSuchEntity)"))
                .fix(Remediation::new(
                    format!("Create the role {name} with the documented trust policy (AG004) and a policy that lets it read, write and list the results prefix"),
                    vec![
                        create_role(arn, &location_trust(&account, &instance)),
                        put_policy(name, "AccessGrantsLocation", &wants),
                    ],
                    META.docs,
                ));
        }
        Ok(Some(r)) => r,
    };
    let base = context(
        ctx.region(),
        role,
        &account,
        known_instance.as_deref(),
        p.user_id.as_deref(),
    );
    // s3:ListBucket is asked with the results prefix.
    let review = review_in(role, &p.wants, |w| {
        if w.action == "s3:ListBucket" {
            base.clone().with("s3:prefix", p.prefix.clone())
        } else {
            base.clone()
        }
    });
    let review = match review {
        Ok(r) => r,
        Err(u) => return Outcome::unknown(arn, &format!("the policies of {what}"), &u),
    };
    let mut notes = Vec::new();
    if known_instance.is_none() {
        notes.push("the S3 Access Grants instance ARN is not known, so s3:AccessGrantsInstanceArn conditions could not be evaluated".to_string());
    }
    if p.prefix.contains("<IDC_USER_ID>") && !review.is_clean() {
        notes.push("per-user prefixes are on: run with --user <name> to evaluate ${identitystore:UserId} for one user".to_string());
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!("; {}", notes.join("; "))
    };
    let pname = unused_policy_name(role, "AccessGrantsLocation");
    review.outcome(
        arn,
        || {
            format!(
                "{what} may read, write and list the results prefix s3://{}/{} ({VIEW}){notes}",
                bucket(out),
                p.prefix
            )
        },
        |r| {
            let msg = format!(
                "could not decide whether {what} allows {} ({VIEW}){notes}",
                r.undecided_list()
            );
            let verb = "If writing query results fails, add";
            (msg, policy_fix(role, r, &pname, verb))
        },
        |r| {
            let msg = format!(
                "{what} is not allowed {}, so S3 Access Grants cannot give Athena the results prefix and Identity Center queries fail writing results{} ({VIEW}){notes}",
                r.missing_list(),
                r.undecided_note()
            );
            (msg, policy_fix(role, r, &pname, "Add"))
        },
    )
}

fn bucket(out: &str) -> &str {
    s3::parse(out).map(|u| u.bucket).unwrap_or_default()
}

/// The request context of an S3 Access Grants session of the role, writing the
/// results bucket: the keys of every request (`aws:PrincipalArn`, the role's ARN
/// for a role session; `aws:PrincipalAccount`; `aws:PrincipalType`;
/// `aws:RequestedRegion`, the target region, since "Your S3 data must be in the
/// same Region as your S3 Access Grants instance"), `aws:ResourceAccount` (the
/// account: the results bucket is taken to be the account's own, which the facts
/// do not show), and the S3 Access Grants keys.
fn context(
    region: &str,
    role: &Role,
    account: &str,
    instance: Option<&str>,
    user: Option<&str>,
) -> Context {
    let mut c = Context::new()
        .with("aws:PrincipalArn", role.arn.clone())
        .with("aws:PrincipalType", "AssumedRole")
        .with("aws:RequestedRegion", region);
    if let Some(a) = arn_account(&role.arn) {
        c = c.with("aws:PrincipalAccount", a);
    }
    if !account.starts_with('<') {
        c = c.with("aws:ResourceAccount", account);
    }
    if let Some(i) = instance {
        c = c.with("s3:AccessGrantsInstanceArn", i);
    }
    if let Some(u) = user {
        c = c.with("identitystore:UserId", u);
    }
    c
}

/// The documented location-role policy, filled in (the tests prove it passes).
#[cfg(test)]
pub(crate) fn location_policy(account: &str, instance: &str) -> String {
    let cond = serde_json::json!({
        "StringEquals": {"aws:ResourceAccount": account},
        "ArnEquals": {"s3:AccessGrantsInstanceArn": [instance]}
    });
    let st = |sid: &str, actions: &[&str]| serde_json::json!({"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": "arn:aws:s3:::*", "Condition": cond});
    serde_json::json!({"Version": "2012-10-17", "Statement": [
        st("ObjectLevelReadPermissions", &["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAcl", "s3:GetObjectVersionAcl", "s3:ListMultipartUploadParts"]),
        st("ObjectLevelWritePermissions", &["s3:PutObject", "s3:PutObjectAcl", "s3:PutObjectVersionAcl", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:AbortMultipartUpload"]),
        st("BucketLevelReadPermissions", &["s3:ListBucket"]),
    ]})
    .to_string()
}

/// `iam:PutRolePolicy` granting exactly `wants` (on their grant patterns).
fn put_policy(role: &str, pname: &str, wants: &[&Want]) -> Action {
    let grants: Vec<(&str, &str)> = wants.iter().map(|w| (w.action, w.grant.as_str())).collect();
    Action::PutRolePolicy {
        role_name: role.to_string(),
        policy_name: pname.to_string(),
        policy_document: allow_document(&grants),
    }
}

fn policy_fix(role: &Role, review: &Review, pname: &str, verb: &str) -> Remediation {
    let name = &role.role_name;
    let mut summary = format!(
        "{verb} an inline policy to {name} granting exactly what is missing on the results prefix (console: IAM → Roles → {name} → Add permissions → Create inline policy → JSON)"
    );
    summary.push_str(&review.deny_note());
    if let Some(crate::Fact::Known(b)) = &role.permissions_boundary {
        summary.push_str(&format!(
            "; the permissions boundary {} must allow these actions too",
            b.name
        ));
    }
    Remediation::new(
        summary,
        vec![put_policy(name, pname, &review.all())],
        META.docs,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Status, Verdict};
    use crate::fact::{Fact, Unknown};
    use crate::facts::Facts;
    use crate::testkit::{denied, healthy, inline, only, role, skipped, statements, two_locations};
    use serde_json::{Value, json};

    const ARN: &str = "arn:aws:iam::111122223333:role/S3AccessGrantsLocationRole";
    const INSTANCE: &str = "arn:aws:s3:ap-northeast-1:111122223333:access-grants/default";
    const UID: &str = "97a4f8e8-30c1-70d2-1a2b-3c4d5e6f7a8b";
    const LOCATION_ROLE: &str = "S3AccessGrantsLocationRole";

    fn location_statements(f: &mut Facts) -> &mut Vec<Value> {
        statements(f, LOCATION_ROLE)
    }

    fn drop_sid(f: &mut Facts, sid: &str) {
        location_statements(f).retain(|s| s["Sid"] != sid);
    }

    #[test]
    fn judges_the_location_of_the_matching_grant() {
        let mut f = healthy();
        two_locations(&mut f, "BrokenRole", "S3AccessGrantsLocationRole");
        let r = only("AG006", &f);
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(r.message.contains("role/BrokenRole"), "{}", r.message);
        assert!(r.message.contains("the location of grant"), "{}", r.message);
        // The fix (the documented policy on BrokenRole) passes.
        let cmd = r.remediation.unwrap().commands[0].clone();
        assert!(cmd.contains("--role-name BrokenRole"), "{cmd}");
        let doc = crate::testkit::json_arg(&cmd, "--policy-document");
        inline(&mut f, "BrokenRole").push(crate::facts::Policy {
            name: "AccessGrantsLocation".into(),
            document: doc,
        });
        assert_eq!(only("AG006", &f).status, Status::Pass);
        // The reverse passes.
        let mut f = healthy();
        two_locations(&mut f, "S3AccessGrantsLocationRole", "BrokenRole");
        assert_eq!(only("AG006", &f).status, Status::Pass);
    }

    #[test]
    fn passes_on_healthy_with_the_documented_policy() {
        let r = only("AG006", &healthy());
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert_eq!(r.resource, ARN);
        assert!(
            r.message
                .contains(&format!("s3://athena-results-111122223333/idc-wg/{UID}/")),
            "{}",
            r.message
        );
        let mut f = healthy();
        *inline(&mut f, LOCATION_ROLE) = vec![crate::facts::Policy {
            name: "P".into(),
            document: serde_json::from_str(&location_policy("111122223333", INSTANCE)).unwrap(),
        }];
        assert_eq!(only("AG006", &f).status, Status::Pass);
    }

    #[test]
    fn fails_without_write() {
        let mut f = healthy();
        drop_sid(&mut f, "ObjectLevelWritePermissions");
        let r = only("AG006", &f);
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(
            r.message.contains(&format!(
                "s3:PutObject on arn:aws:s3:::athena-results-111122223333/idc-wg/{UID}/studio-doctor-example.csv (not allowed by any statement)"
            )),
            "{}",
            r.message
        );
        assert!(!r.message.contains("s3:GetObject on"), "{}", r.message);
        // One new inline policy with exactly what is missing, on the results prefix.
        let fix = r.remediation.unwrap();
        assert_eq!(
            fix.commands,
            vec![
                r#"aws iam put-role-policy --role-name S3AccessGrantsLocationRole --policy-name AccessGrantsLocation2 --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::athena-results-111122223333/idc-wg/*"}]}'"#
            ]
        );
        assert_eq!(fix.applicability.kind, Kind::Ready);
        // Applied, the check passes.
        let Action::PutRolePolicy {
            policy_name,
            policy_document,
            ..
        } = fix.actions[0].clone()
        else {
            panic!("{:?}", fix.actions);
        };
        inline(&mut f, LOCATION_ROLE).push(crate::facts::Policy {
            name: policy_name,
            document: policy_document,
        });
        assert_eq!(only("AG006", &f).status, Status::Pass);
    }

    #[test]
    fn a_policy_for_another_bucket_fails() {
        let mut f = healthy();
        for s in location_statements(&mut f) {
            s["Resource"] = json!("arn:aws:s3:::data-lake-111122223333*");
        }
        let r = only("AG006", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.message
                .contains("s3:ListBucket on arn:aws:s3:::athena-results-111122223333"),
            "{}",
            r.message
        );
    }

    #[test]
    fn the_athena_sample_with_user_id_variable_is_evaluated() {
        let mut f = healthy();
        *location_statements(&mut f) = vec![
            json!({"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                   "Resource": "arn:aws:s3:::athena-results-111122223333/idc-wg/${identitystore:UserId}/*"}),
            json!({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::athena-results-111122223333",
                   "Condition": {"StringLike": {"s3:prefix": ["idc-wg/${identitystore:UserId}", "idc-wg/${identitystore:UserId}/*"]}}}),
        ];
        assert_eq!(only("AG006", &f).status, Status::Pass);
        // Without --user the variable is unknown: a warning, never a pass.
        f.users.clear();
        let r = only("AG006", &f);
        assert_eq!(r.status, Status::Warn, "{r:#?}");
        assert!(r.message.contains("--user"), "{}", r.message);
    }

    #[test]
    fn a_region_condition_is_decided() {
        // aws:RequestedRegion: "This key is always included in the request
        // context" (IAM User Guide); S3 Access Grants data "must be in the same
        // Region as your S3 Access Grants instance", the target region.
        let mut f = healthy();
        for s in location_statements(&mut f) {
            s["Condition"]["StringEquals"]["aws:RequestedRegion"] = json!("ap-northeast-1");
            s["Condition"]["StringEquals"]["aws:PrincipalType"] = json!("AssumedRole");
        }
        assert_eq!(only("AG006", &f).status, Status::Pass);
        for s in location_statements(&mut f) {
            s["Condition"]["StringEquals"]["aws:RequestedRegion"] = json!("us-east-1");
        }
        assert_eq!(only("AG006", &f).status, Status::Fail);
    }

    #[test]
    fn an_unknown_instance_arn_is_undecided() {
        let mut f = healthy();
        f.access_grants.instance = Fact::Unknown(Unknown::not_collected());
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Warn, "{out:#?}");
        assert!(out[0].message.contains("s3:AccessGrantsInstanceArn"));
    }

    #[test]
    fn fails_when_the_role_does_not_exist() {
        let mut f = healthy();
        f.roles.insert(LOCATION_ROLE.into(), Fact::Known(None));
        let r = only("AG006", &f);
        assert_eq!(r.status, Status::Fail);
        let fix = r.remediation.unwrap();
        let cmds = &fix.commands;
        assert!(cmds[0].starts_with("aws iam create-role --role-name S3AccessGrantsLocationRole"));
        assert!(cmds[1].contains("--policy-name AccessGrantsLocation "));
        assert_eq!(fix.applicability.kind, Kind::Ready);
        // Applied: the new role is trusted by S3 Access Grants and may use the results.
        let [
            Action::CreateRole {
                assume_role_policy_document,
                ..
            },
            Action::PutRolePolicy {
                policy_name,
                policy_document,
                ..
            },
        ] = fix.actions.as_slice()
        else {
            panic!("{:?}", fix.actions);
        };
        f.roles.insert(
            LOCATION_ROLE.into(),
            Fact::Known(Some(Role {
                role_name: LOCATION_ROLE.into(),
                arn: ARN.into(),
                trust_policy: assume_role_policy_document.clone(),
                inline_policies: Fact::Known(vec![crate::facts::Policy {
                    name: policy_name.clone(),
                    document: policy_document.clone(),
                }]),
                attached_policies: Fact::Known(vec![]),
                permissions_boundary: None,
            })),
        );
        assert_eq!(only("AG004", &f).status, Status::Pass);
        assert_eq!(only("AG006", &f).status, Status::Pass);
    }

    #[test]
    fn skips_when_ag003_fails() {
        let mut f = healthy();
        match &mut f.access_grants.locations {
            Fact::Known(l) => l[0].location_scope = "s3://data-lake-111122223333".into(),
            Fact::Unknown(_) => unreachable!(),
        }
        skipped("AG006", &f, "AG003");
    }

    #[test]
    fn unreadable_policies_are_an_error() {
        let mut f = healthy();
        role(&mut f, LOCATION_ROLE).attached_policies =
            Fact::Unknown(denied("iam:ListAttachedRolePolicies"));
        let r = only("AG006", &f);
        assert_eq!(r.status, Status::Error);
        assert!(
            r.message.contains("iam:ListAttachedRolePolicies") && r.message.contains(ARN),
            "{}",
            r.message
        );
    }
}
