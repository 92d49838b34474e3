//! # WG005 workgroup-execution-role-permissions
//!
//! **What it checks.** For each target workgroup, the execution role's inline and
//! attached policies (limited by its permissions boundary, if any) allow what an
//! Identity Center workgroup's role uses:
//! - `lakeformation:GetDataAccess` on `*` (table data through Lake Formation);
//! - `glue:GetDatabase`, `glue:GetTable`, `glue:GetPartitions` on the Glue Data
//!   Catalog resource and all its ancestors: each on
//!   `arn:aws:glue:<region>:<account>:catalog` and `database/<db>` of each
//!   `--table db.table`, the table actions also on `table/<db>/<table>`; without
//!   `--table`, on `database/*` and `table/*/*`;
//! - `s3:GetDataAccess` and `s3:GetAccessGrantsInstanceForPrefix` on the S3
//!   Access Grants instance `arn:aws:s3:<region>:<account>:access-grants/default`
//!   (query results through S3 Access Grants);
//! - `s3:GetBucketLocation` on the query results bucket (`arn:aws:s3:::<bucket>`).
//!
//! One result per workgroup lists every missing action. Deny statements win.
//! Which policy forms make the result a warning instead of a verdict: a
//! condition on a key studio-doctor does not know, an operator it does not
//! evaluate (`IpAddress`, `Numeric*`, `Date*`, ...), a policy variable whose value
//! is not known, a wildcard in the service or resource-type part of a `Resource`
//! ARN (`arn:aws:secretsmanager:*:*:s*:name`, which the IAM documentation calls
//! incorrect usage), and a malformed statement; the fix then keeps those conditions.
//! Policy variables count only under `"Version": "2012-10-17"` and after the fifth
//! colon of an ARN (elsewhere they are literal text, as IAM treats them). Keys
//! every request carries are evaluated: `aws:PrincipalArn`,
//! `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:ResourceAccount` (not for S3
//! buckets and objects) and `aws:RequestedRegion` (the target region; not for S3
//! buckets and objects). This is the identity-policy view: service control policies and resource
//! policies are not included. It is a warning, not a failure: the list comes
//! from a console-generated role, not from an AWS document (see Evidence).
//!
//! **Why it matters.** Athena runs Identity Center queries with the execution
//! role, carrying the user's identity. Without these permissions it cannot read
//! the Glue catalog, get table data from Lake Formation, or get credentials from
//! S3 Access Grants to write the results; the query fails with an access error
//! that names the role, not the user.
//!
//! **How to fix.** Add an inline policy with exactly the missing actions.
//! Console: IAM → Roles → (the execution role) → Add permissions → Create inline
//! policy → JSON, paste the document from the report. CLI (the report fills in the
//! role, the actions and the resources): `aws iam put-role-policy --role-name
//! <EXECUTION_ROLE> --policy-name AthenaIdcExecution --policy-document
//! '{"Version":"2012-10-17","Statement":[...]}'`. The report picks a policy name
//! the role does not use yet, so the command never replaces a policy. An explicit
//! Deny must be removed by hand; a permissions boundary must allow the actions
//! too. With KMS-encrypted results or data, the role also needs `kms:Decrypt` and
//! `kms:GenerateDataKey` on the key (not checked here; see WG010).
//!
//! **Evidence.** Documented: "All operations performed on a Data Catalog
//! resource require permission on the resource and all the ancestors of that
//! resource" (AWS Glue, Specifying AWS Glue resource ARNs); Athena says the same
//! for every non-delete action (Configure access to databases and tables in the
//! AWS Glue Data Catalog). A role whose Glue statement names only the catalog
//! is denied `GetTable`. Observed in practice: the action list is the permission
//! set of a console-generated `AWSAthenaSQLRole-*` execution role; no AWS
//! document lists the execution role's permissions. Documented (workgroups-
//! identity-center: Identity Center workgroups need Lake Formation and S3 Access
//! Grants; Quick Suite's Athena trusted identity propagation page: with
//! KMS-encrypted results "the S3 Access Grant IAM role and the Athena workgroup
//! role both need permissions to AWS KMS"). Hence a warning.
//!
//! **References.**
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
//! - https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html
//! - https://docs.aws.amazon.com/athena/latest/ug/fine-grained-access-to-glue-resources.html
//! - https://docs.aws.amazon.com/glue/latest/dg/glue-specifying-resource-arns.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_GetDataAccess.html
//! - https://docs.aws.amazon.com/cli/latest/reference/iam/put-role-policy.html

use crate::check::{Area, Meta, Need, Outcome, Severity};
use crate::ctx::{Ctx, workgroup_label};
use crate::each::each_workgroup;
use crate::facts::{WorkGroup, role_name};
use crate::fix::{Action, Kind};
use crate::fixes::{self, execution_trust};
use crate::grants::results_location;
use crate::policy::allow_document;
use crate::review::{IfMissing, RoleCheck, Want, glue_wants};
use crate::roles::{account_of, execution_role_arn, no_role_then};
use crate::s3;

pub const META: Meta = Meta {
    id: "WG005",
    name: "workgroup-execution-role-permissions",
    area: Area::AthenaWorkgroup,
    severity: Severity::Warning,
    title: "Workgroup execution role allows Lake Formation, Glue and S3 access",
    depends_on: &["WG004"],
    hop: crate::check::Hop::Workgroup,
    entitlement: false,
    fixes: &[
        ("iam:CreateRole", Kind::Ready),
        ("athena:UpdateWorkGroup", Kind::Ready),
        ("iam:PutRolePolicy", Kind::Ready),
    ],
    needs: &[Need::Caller, Need::Workgroups, Need::ExecutionRolePolicies],
    docs: &[
        "https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_GetDataAccess.html",
        "https://docs.aws.amazon.com/cli/latest/reference/iam/put-role-policy.html",
    ],
};

const GLUE_READ: [&str; 3] = ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"];

const VIEW: &str = "identity-policy view: SCPs and resource policies are not included";

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_workgroup(ctx, |w| vec![one(ctx, w)])
}

/// What the execution role needs, and a note when the results bucket is unknown.
fn wants(ctx: &Ctx, w: &WorkGroup, account: &str) -> (Vec<Want>, Option<String>) {
    let region = ctx.region();
    let mut v = vec![Want::new("lakeformation:GetDataAccess", "*")];
    let (glue, glue_note) = glue_wants(ctx, account, &GLUE_READ);
    v.extend(glue);
    let instance = format!("arn:aws:s3:{region}:{account}:access-grants/default");
    v.push(Want::new("s3:GetDataAccess", &instance));
    v.push(Want::new("s3:GetAccessGrantsInstanceForPrefix", &instance));
    let bucket_note = match results_location(w) {
        Ok(out) => {
            let bucket = s3::parse(out).map(|u| u.bucket).unwrap_or_default();
            v.push(Want::new(
                "s3:GetBucketLocation",
                &format!("arn:aws:s3:::{bucket}"),
            ));
            None
        }
        Err(why) => Some(format!(
            "the workgroup {why}, so s3:GetBucketLocation on the results bucket was not checked (see WG006)"
        )),
    };
    let notes: Vec<String> = glue_note.into_iter().chain(bucket_note).collect();
    (v, (!notes.is_empty()).then(|| notes.join("; ")))
}

fn one(ctx: &Ctx, w: &WorkGroup) -> Outcome {
    let label = workgroup_label(w);
    let Some(arn) = execution_role_arn(ctx, w) else {
        // The new role gets what it needs in the same fix.
        return no_role_then(ctx, w, |arn| {
            let account = account_of(ctx, Some(arn));
            let (wants, _) = wants(ctx, w, &account);
            let grants: Vec<(&str, &str)> =
                wants.iter().map(|w| (w.action, w.grant.as_str())).collect();
            vec![Action::PutRolePolicy {
                role_name: role_name(arn).to_string(),
                policy_name: "AthenaIdcExecution".into(),
                policy_document: allow_document(&grants),
            }]
        });
    };
    let account = account_of(ctx, Some(&arn));
    let (wants, note) = wants(ctx, w, &account);
    let note = note.map(|n| format!("; {n}")).unwrap_or_default();
    let check = RoleCheck {
        owner: &label,
        kind: "execution role",
        name: &arn,
        arn: &arn,
        policy: "AthenaIdcExecution",
        docs: META.docs,
    };
    let missing = IfMissing {
        why: "see WG004",
        summary: format!(
            "Create the execution role {} (see WG004), then grant it these permissions",
            role_name(&arn)
        ),
        trust: execution_trust(&account),
    };
    let (role, review) = match check.review(ctx, &wants, missing) {
        Ok(x) => x,
        Err(o) => return *o,
    };
    review.outcome(
        &role.arn,
        || {
            format!(
                "{label}: execution role {} allows the {} Lake Formation, Glue, S3 Access Grants and results-bucket permissions a console-generated execution role has ({VIEW}){note}",
                role.arn,
                wants.len()
            )
        },
        |r| {
            let msg = format!(
                "{label}: could not decide whether execution role {} allows {} ({VIEW}){note}",
                role.arn,
                r.undecided_list()
            );
            let symptom = format!(
                "queries fail with an access error naming {}",
                role.role_name
            );
            let summary = fixes::undecided_grant_summary(&role.role_name, &symptom);
            (msg, check.fix(role, r, summary))
        },
        |r| {
            let msg = format!(
                "{label}: execution role {} is missing {} permission(s) a console-generated execution role has, so Identity Center queries may fail reading tables or writing results: {}{} ({VIEW}){note}",
                role.arn,
                r.missing.len(),
                r.missing_list(),
                r.undecided_note()
            );
            (msg, check.fix(role, r, r.summary(role)))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Status, Verdict};
    use crate::fact::Fact;
    use crate::facts::{Facts, Role};
    use crate::testkit::{denied, healthy, idc_wg, only, role, skipped, statements};
    use serde_json::json;

    const ARN: &str = "arn:aws:iam::111122223333:role/service-role/AWSAthenaSQLRole-idc-wg";
    const EXEC_ROLE: &str = "AWSAthenaSQLRole-idc-wg";

    fn exec_role(f: &mut Facts) -> &mut Role {
        role(f, EXEC_ROLE)
    }

    fn drop_sid(f: &mut Facts, sid: &str) {
        statements(f, EXEC_ROLE).retain(|s| s["Sid"] != sid);
    }

    #[test]
    fn passes_on_healthy() {
        let r = only("WG005", &healthy());
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert_eq!(r.resource, ARN);
        assert!(r.message.contains("allows the 12 "), "{}", r.message);
    }

    #[test]
    fn glue_needs_the_database_and_the_table_not_only_the_catalog() {
        let glue = "arn:aws:glue:ap-northeast-1:111122223333";
        let mut f = healthy();
        let catalog_only = |f: &mut Facts, resource: serde_json::Value| {
            for s in statements(f, EXEC_ROLE).iter_mut() {
                if s["Sid"] == "GlueCatalog" {
                    s["Resource"] = resource.clone();
                }
            }
        };
        catalog_only(&mut f, json!(format!("{glue}:catalog")));
        let r = only("WG005", &f);
        assert_eq!(r.status, Status::Warn, "{r:#?}");
        assert!(
            r.message.contains("missing 5 permission(s)")
                && r.message.contains(&format!(
                    "glue:GetPartitions on {glue}:table/flightdata_db/flightdata"
                )),
            "{}",
            r.message
        );
        // The fix grants on the database and the table; applied, the check passes.
        let fix = r.remediation.unwrap();
        let doc = crate::testkit::json_arg(&fix.commands[0], "--policy-document");
        assert_eq!(
            doc["Statement"][0]["Resource"],
            format!("{glue}:database/flightdata_db")
        );
        crate::testkit::inline(&mut f, EXEC_ROLE).push(crate::facts::Policy {
            name: "AthenaIdcExecution".into(),
            document: doc,
        });
        assert_eq!(only("WG005", &f).status, Status::Pass);
        // Without --table: every database and table.
        let mut f = healthy();
        f.target.tables.clear();
        catalog_only(
            &mut f,
            json!([
                format!("{glue}:catalog"),
                format!("{glue}:database/flightdata_db")
            ]),
        );
        let r = only("WG005", &f);
        assert!(
            r.message
                .contains(&format!("glue:GetDatabase on {glue}:database/*")),
            "{}",
            r.message
        );
        assert!(r.message.contains("no --table names a table"));
    }

    #[test]
    fn warns_listing_missing_access_grants_actions() {
        let mut f = healthy();
        drop_sid(&mut f, "AccessGrants");
        let r = only("WG005", &f);
        // Warning severity: Verdict::Fail shows as warn.
        assert_eq!(r.status, Status::Warn, "{r:#?}");
        assert!(
            r.message.contains("missing 2 permission(s)"),
            "{}",
            r.message
        );
        assert!(
            r.message.contains("s3:GetDataAccess on arn:aws:s3:ap-northeast-1:111122223333:access-grants/default (not allowed by any statement)"),
            "{}",
            r.message
        );
        let fix = r.remediation.unwrap();
        assert_eq!(
            fix.commands,
            vec![
                r#"aws iam put-role-policy --role-name AWSAthenaSQLRole-idc-wg --policy-name AthenaIdcExecution --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetDataAccess","s3:GetAccessGrantsInstanceForPrefix"],"Resource":"arn:aws:s3:ap-northeast-1:111122223333:access-grants/default"}]}'"#
            ]
        );
        assert!(fix.summary.contains("AWSAthenaSQLRole-idc-wg"));
        assert_eq!(fix.docs.len(), META.docs.len());
    }

    #[test]
    fn checks_the_results_bucket() {
        let mut f = healthy();
        drop_sid(&mut f, "ResultsBucket");
        let r = only("WG005", &f);
        assert_eq!(r.status, Status::Warn);
        assert!(
            r.message
                .contains("s3:GetBucketLocation on arn:aws:s3:::athena-results-111122223333"),
            "{}",
            r.message
        );
    }

    #[test]
    fn an_explicit_deny_is_named() {
        let mut f = healthy();
        statements(&mut f, EXEC_ROLE).push(
            json!({"Sid": "NoLf", "Effect": "Deny", "Action": "lakeformation:*", "Resource": "*"}),
        );
        let r = only("WG005", &f);
        assert_eq!(r.status, Status::Warn);
        assert!(r.message.contains("NoLf"), "{}", r.message);
        assert!(r.remediation.unwrap().summary.contains("Deny"));
    }

    #[test]
    fn an_undecidable_condition_is_a_warning_not_a_pass() {
        let mut f = healthy();
        statements(&mut f, EXEC_ROLE)[0]["Condition"] =
            json!({"StringEquals": {"aws:RequestTag/x": "y"}});
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Warn, "{out:#?}");
        assert!(out[0].message.contains("aws:RequestTag/x"));
    }

    #[test]
    fn skips_when_wg004_fails() {
        let mut f = healthy();
        exec_role(&mut f).trust_policy["Statement"][0]["Principal"] =
            json!({"Service": "glue.amazonaws.com"});
        skipped("WG005", &f, "WG004");
    }

    #[test]
    fn gaps_wg004_reports_still_carry_fixes() {
        // The runner skips these behind WG004; the check itself still explains them.
        let mut f = healthy();
        f.roles.insert(EXEC_ROLE.into(), Fact::Known(None));
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Fail);
        let cmds = &out[0].fix.as_ref().unwrap().commands;
        assert!(cmds[0].starts_with(
            "aws iam create-role --role-name AWSAthenaSQLRole-idc-wg --path /service-role/"
        ));
        assert!(
            cmds[1].contains("--policy-name AthenaIdcExecution")
                && cmds[1].contains("lakeformation:GetDataAccess")
        );
        assert_eq!(only("WG005", &f).status, Status::Skip);
        let mut f = healthy();
        idc_wg(&mut f).execution_role = None;
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Fail);
        let fix = out[0].fix.as_ref().unwrap();
        assert!(fix.commands[1].contains("\"ExecutionRole\""));
        // The new role gets its permissions in the same fix; applied, WG004 and
        // WG005 pass.
        let [
            Action::CreateRole {
                role_name,
                assume_role_policy_document,
                ..
            },
            Action::UpdateWorkGroup { .. },
            Action::PutRolePolicy {
                policy_name,
                policy_document,
                ..
            },
        ] = fix.actions.as_slice()
        else {
            panic!("{:?}", fix.actions);
        };
        assert_eq!(fix.applicability.kind, Kind::Ready);
        idc_wg(&mut f).execution_role = Some(ARN.into());
        f.roles.insert(
            role_name.clone(),
            Fact::Known(Some(Role {
                role_name: role_name.clone(),
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
        assert_eq!(only("WG004", &f).status, Status::Pass);
        assert_eq!(only("WG005", &f).status, Status::Pass);
    }

    #[test]
    fn unreadable_policies_are_an_error() {
        let mut f = healthy();
        exec_role(&mut f).inline_policies = Fact::Unknown(denied("iam:ListRolePolicies"));
        let r = only("WG005", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("iam:ListRolePolicies") && r.message.contains(ARN));
    }
}
