//! # ES005 studio-user-role-permissions
//!
//! **What it checks.** For every EMR Studio in scope that uses IAM Identity Center
//! authentication, the user role's inline and attached policies (limited by its
//! permissions boundary, if any) allow what the Athena SQL editor needs:
//! - `athena:StartQueryExecution`, `GetQueryExecution`, `GetQueryResults`,
//!   `StopQueryExecution`, `GetWorkGroup` on each target workgroup
//!   (`arn:aws:athena:<region>:<account>:workgroup/<name>`; `workgroup/*` when no
//!   workgroup is selected), and `athena:ListWorkGroups` on `*`;
//! - `glue:GetDatabase`, `GetDatabases`, `GetTable`, `GetTables`, `GetPartitions`
//!   on `arn:aws:glue:<region>:<account>:catalog`;
//! - `lakeformation:GetDataAccess` on `*`;
//! - `secretsmanager:TagResource` on an `emr-studio-*` secret (checked on
//!   `arn:aws:secretsmanager:<region>:<account>:secret:emr-studio-example`, granted
//!   on `...:secret:emr-studio-*`);
//! - `iam:PassRole` on the Studio's service role.
//!
//! One result per Studio lists every missing action. Deny statements win.
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
//! buckets and objects); for `iam:PassRole` of the service role also
//! `iam:PassedToService` = `elasticmapreduce.amazonaws.com`, while
//! `aws:RequestedRegion` is decided only when the Studio's region and `us-east-1`
//! agree (AWS does not document which one a PassRole check sees). This is the
//! identity-policy view: service
//! control policies, session policies (the Studio's session mappings) and resource
//! policies are not included.
//!
//! **Why it matters.** With trusted identity propagation the Studio runs Athena
//! queries with the user role's session, scoped to the Identity Center user.
//! Without these permissions the Athena SQL editor cannot list workgroups, start
//! queries or read the Glue catalog. The seed's author had to add
//! `secretsmanager:TagResource` on `emr-studio-*` and `iam:PassRole` on the
//! service role before the Studio worked (trap 2-4).
//!
//! **How to fix.** Add an inline policy with exactly the missing actions.
//! Console: IAM → Roles → (the user role) → Add permissions → Create inline policy
//! → JSON, paste the document from the report.
//! CLI (the report fills in the role, the actions and the resources):
//! `aws iam put-role-policy --role-name <USER_ROLE> --policy-name StudioAthenaTip
//! --policy-document '{"Version":"2012-10-17","Statement":[...]}'`. The report
//! picks a policy name the role does not use yet (`StudioAthenaTip2`, ...), so the
//! command adds a policy and never replaces one. An explicit Deny must be removed
//! by hand; a permissions boundary must allow the actions too.
//!
//! **Permissions needed.** `elasticmapreduce:ListStudios`,
//! `elasticmapreduce:DescribeStudio`, `athena:ListWorkGroups`,
//! `athena:GetWorkGroup`, `iam:GetRole`, `iam:ListRolePolicies`,
//! `iam:GetRolePolicy`, `iam:ListAttachedRolePolicies`, `iam:GetPolicy`,
//! `iam:GetPolicyVersion`, `sts:GetCallerIdentity`.
//!
//! **Evidence.** DOC (setting-up-tip-emr: the example user-role policy for Athena
//! workgroups; emr-studio-user-permissions: "your permissions policy must include"
//! `secretsmanager:TagResource` and `iam:PassRole`, and the Athena SQL editor
//! column; emr-studio-athena) and BLOG (trap 2-4). The action list is the subset
//! both documents share; the resources are the narrowest ones the documents allow.
//!
//! **References.**
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/setting-up-tip-emr.html
//! - https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-user-permissions.html
//! - https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-athena.html
//! - https://docs.aws.amazon.com/cli/latest/reference/iam/put-role-policy.html

use crate::check::{Area, Meta, Need, Outcome, Severity};
use crate::checks::common::{
    self, IfMissing, RoleCheck, Want, account_of, role_arn, sso_user_role, workgroup_arns,
};
use crate::checks::es004;
use crate::ctx::{Ctx, studio_label};
use crate::facts::{Studio, role_name};

pub const META: Meta = Meta {
    id: "ES005",
    name: "studio-user-role-permissions",
    area: Area::EmrStudio,
    severity: Severity::Error,
    title: "Studio user role allows Athena, Glue, Lake Formation, secret tagging and PassRole",
    depends_on: &["ES003"],
    needs: &[
        Need::Caller,
        Need::Studios,
        Need::Workgroups,
        Need::UserRolePolicies,
    ],
    docs: &[
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/setting-up-tip-emr.html",
        "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-user-permissions.html",
        "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-athena.html",
    ],
};

const ATHENA_ON_WORKGROUP: [&str; 5] = [
    "athena:StartQueryExecution",
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
    "athena:StopQueryExecution",
    "athena:GetWorkGroup",
];

const GLUE_READ: [&str; 5] = [
    "glue:GetDatabase",
    "glue:GetDatabases",
    "glue:GetTable",
    "glue:GetTables",
    "glue:GetPartitions",
];

const POLICY: &str = "StudioAthenaTip";
const VIEW: &str =
    "identity-policy view: SCPs, session policies and resource policies are not included";

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    common::each_studio(ctx, |s| vec![one(ctx, s)])
}

fn one(ctx: &Ctx, s: &Studio) -> Outcome {
    let user = match sso_user_role(ctx, s) {
        Ok(u) => u,
        Err(o) => return *o,
    };
    let label = studio_label(s);
    let account = account_of(ctx, s.studio_arn.as_deref());
    let arn = role_arn(&account, user);
    let (wants, note) = wants(ctx, s, &account);
    let check = RoleCheck {
        owner: &label,
        kind: "user role",
        name: user,
        arn: &arn,
        policy: POLICY,
        docs: META.docs,
    };
    let missing = IfMissing {
        why: "NoSuchEntity",
        summary: format!(
            "Create the user role {} (see ES004), then grant it what the Athena SQL editor needs",
            role_name(user)
        ),
        trust: es004::TRUST.to_string(),
    };
    let (role, review) = match check.review(ctx, &wants, missing) {
        Ok(x) => x,
        Err(o) => return *o,
    };
    let note = note.map(|n| format!(" ({n})")).unwrap_or_default();
    if review.is_clean() {
        return Outcome::pass(
            &role.arn,
            format!(
                "{label}: user role {} allows the {} Athena, Glue, Lake Formation, Secrets Manager and iam:PassRole permissions the Athena SQL editor needs{note} ({VIEW})",
                role.arn,
                wants.len()
            ),
        );
    }
    if review.missing.is_empty() {
        return Outcome::warn(
            &role.arn,
            format!(
                "{label}: could not decide whether user role {} allows {}{note} ({VIEW})",
                role.arn,
                review.undecided_list()
            ),
        )
        .fix(check.fix(
            role,
            &review,
            common::undecided_grant_summary(
                &role.role_name,
                "the Athena SQL editor fails with an access error naming these actions",
            ),
        ));
    }
    Outcome::fail(
        &role.arn,
        format!(
            "{label}: user role {} is missing {} permission(s) the Athena SQL editor needs: {}{note}{} ({VIEW})",
            role.arn,
            review.missing.len(),
            review.missing_list(),
            review.undecided_note()
        ),
    )
    .fix(check.fix(role, &review, review.summary(role)))
}

/// Everything the user role needs, and a note when no target workgroup is known.
fn wants(ctx: &Ctx, s: &Studio, account: &str) -> (Vec<Want>, Option<String>) {
    let region = ctx.region();
    let (workgroups, note) = workgroup_arns(ctx, account);
    let mut v = Vec::new();
    for wg in &workgroups {
        for a in ATHENA_ON_WORKGROUP {
            v.push(Want::new(a, wg));
        }
    }
    v.push(Want::new("athena:ListWorkGroups", "*"));
    for a in GLUE_READ {
        v.push(Want::new(
            a,
            &format!("arn:aws:glue:{region}:{account}:catalog"),
        ));
    }
    v.push(Want::new("lakeformation:GetDataAccess", "*"));
    let secrets = format!("arn:aws:secretsmanager:{region}:{account}:secret:emr-studio-");
    v.push(
        Want::new("secretsmanager:TagResource", &format!("{secrets}example"))
            .granting(format!("{secrets}*")),
    );
    if let Some(svc) = s.service_role.as_deref().filter(|r| !r.is_empty()) {
        v.push(Want::new("iam:PassRole", &role_arn(account, svc)));
    }
    (v, note)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Status, Verdict};
    use crate::fact::Fact;
    use crate::facts::{Facts, Policy, Role};
    use crate::testkit::{
        denied, healthy, inline, json_arg, only, role, skipped, statements, studio,
    };
    use serde_json::{Value, json};

    const ARN: &str = "arn:aws:iam::111122223333:role/EMRStudio-UserRole";
    const USER_ROLE: &str = "EMRStudio-UserRole";

    fn user_role(f: &mut Facts) -> &mut Role {
        role(f, USER_ROLE)
    }

    fn drop_sids(f: &mut Facts, sids: &[&str]) {
        statements(f, USER_ROLE).retain(|s| !sids.contains(&s["Sid"].as_str().unwrap_or("")));
    }

    fn tag_statement(f: &mut Facts) -> &mut Value {
        statements(f, USER_ROLE)
            .iter_mut()
            .find(|s| s["Sid"] == "TagStudioSecrets")
            .unwrap()
    }

    #[test]
    fn passes_on_healthy() {
        let r = only("ES005", &healthy());
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert!(r.message.contains(ARN) && r.message.contains("identity-policy view"));
    }

    #[test]
    fn fails_like_the_seed_and_the_fix_grants_exactly_what_is_missing() {
        let mut f = healthy();
        drop_sids(&mut f, &["TagStudioSecrets", "PassServiceRole"]);
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(
            r.message.contains("missing 2 permission(s)"),
            "{}",
            r.message
        );
        assert!(r.message.contains(
            "secretsmanager:TagResource on arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:emr-studio-example"
        ));
        assert!(
            r.message
                .contains("iam:PassRole on arn:aws:iam::111122223333:role/EMRStudio-ServiceRole")
        );
        let fix = r.remediation.unwrap();
        let cmd = &fix.commands[0];
        // StudioAthenaTip is taken: a new name, so nothing is replaced.
        assert!(cmd.starts_with(
            "aws iam put-role-policy --role-name EMRStudio-UserRole --policy-name StudioAthenaTip2 "
        ), "{cmd}");
        let doc = json_arg(cmd, "--policy-document");
        assert_eq!(doc["Statement"].as_array().unwrap().len(), 2);
        assert_eq!(
            doc["Statement"][0]["Resource"],
            "arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:emr-studio-*"
        );
        // Applying the fix makes the check pass.
        inline(&mut f, USER_ROLE).push(Policy {
            name: "StudioAthenaTip2".into(),
            document: doc,
        });
        assert_eq!(only("ES005", &f).status, Status::Pass);
    }

    #[test]
    fn athena_is_checked_on_the_target_workgroup() {
        let mut f = healthy();
        match &mut user_role(&mut f).attached_policies {
            Fact::Known(p) => p.clear(),
            Fact::Unknown(_) => panic!(),
        }
        statements(&mut f, USER_ROLE)[0]["Resource"] =
            json!("arn:aws:athena:ap-northeast-1:111122223333:workgroup/primary");
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains(
            "athena:StartQueryExecution on arn:aws:athena:ap-northeast-1:111122223333:workgroup/idc-wg"
        ), "{}", r.message);
        assert!(r.message.contains("athena:ListWorkGroups on *"));
        assert!(!r.message.contains("glue:"));
    }

    #[test]
    fn names_an_explicit_deny_and_a_boundary() {
        let mut f = healthy();
        statements(&mut f, USER_ROLE).push(json!({"Sid": "NoPassRole", "Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}));
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.message.contains(
                "explicitly denied by statement \"NoPassRole\" in policy StudioAthenaTip"
            )
        );
        assert!(
            r.remediation
                .unwrap()
                .summary
                .contains("remove or narrow statement \"NoPassRole\"")
        );

        let mut f = healthy();
        user_role(&mut f).permissions_boundary = Some(Fact::Known(Policy {
            name: "arn:aws:iam::111122223333:policy/DataBoundary".into(),
            document: json!({"Statement": [{"Effect": "Allow", "Action": ["athena:*", "glue:*"], "Resource": "*"}]}),
        }));
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("lakeformation:GetDataAccess on * (allowed by the role's policies but not by its permissions boundary"));
        assert!(
            r.remediation
                .unwrap()
                .summary
                .contains("DataBoundary must allow")
        );
    }

    #[test]
    fn warns_on_conditions_it_cannot_evaluate() {
        let mut f = healthy();
        tag_statement(&mut f)["Condition"] = json!({"StringEquals": {"aws:RequestTag/for-use-with-amazon-emr-managed-policies": "true"}});
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Warn, "{r:#?}");
        assert!(r.message.contains("secretsmanager:TagResource"));
        assert!(
            r.message.contains("\"TagStudioSecrets\"") && r.message.contains("aws:RequestTag/")
        );
        assert!(r.remediation.is_some());
        // A condition on a key studio-doctor knows is decided.
        let mut f = healthy();
        tag_statement(&mut f)["Condition"] =
            json!({"StringEquals": {"aws:ResourceAccount": "111122223333"}});
        assert_eq!(only("ES005", &f).status, Status::Pass);
    }

    #[test]
    fn a_missing_role_fails_with_create_and_grant() {
        let mut f = healthy();
        f.roles.insert(USER_ROLE.into(), Fact::Known(None));
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Fail);
        let c = r.remediation.unwrap().commands;
        assert!(c[0].starts_with("aws iam create-role --role-name EMRStudio-UserRole"));
        assert!(c[1].contains("--policy-name StudioAthenaTip ") && c[1].contains("iam:PassRole"));
    }

    #[test]
    fn skips_when_es003_fails() {
        let mut f = healthy();
        studio(&mut f).user_role = None;
        skipped("ES005", &f, "ES003");
    }

    #[test]
    fn unreadable_policies_are_an_error() {
        let u = denied("iam:ListAttachedRolePolicies");
        let mut f = healthy();
        user_role(&mut f).attached_policies = Fact::Unknown(u.clone());
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("iam:ListAttachedRolePolicies") && r.message.contains(ARN));
        let mut f = healthy();
        user_role(&mut f).permissions_boundary = Some(Fact::Unknown(u));
        assert_eq!(run(&Ctx::new(&f))[0].verdict, Verdict::Error);
    }
}
