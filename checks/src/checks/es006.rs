//! # ES006 studio-service-role-athena
//!
//! **What it checks.** For every EMR Studio in scope (any authentication mode),
//! the Studio's service role (`DescribeStudio` → `Studio.ServiceRole`) is allowed
//! `athena:GetWorkGroup` and `athena:StartQueryExecution` on each target workgroup
//! (`arn:aws:athena:<region>:<account>:workgroup/<name>`; `workgroup/*` when no
//! workgroup is selected) and `athena:ListWorkGroups` on `*`, by its inline and
//! attached policies within its permissions boundary. Missing actions are a
//! warning.
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
//! buckets and objects).
//! This is the identity-policy view (no SCPs, no resource policies).
//!
//! **Why it matters.** The AWS documentation puts the Athena permissions on the
//! Studio's *user* role (ES005), not on the service role. In practice
//! `athena:*` has been needed on the console's sample service role, which has S3
//! permissions only, before the Athena SQL editor worked. The documents and that
//! experience disagree, so this check warns instead of failing.
//!
//! **How to fix.** Add an inline policy with the Athena actions.
//! Console: IAM → Roles → (the service role) → Add permissions → Create inline
//! policy → JSON, paste the document from the report.
//! CLI (the report fills in the role, the workgroups and a policy name the role
//! does not use yet): `aws iam put-role-policy --role-name <SERVICE_ROLE>
//! --policy-name StudioServiceAthena --policy-document
//! '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["athena:GetWorkGroup","athena:StartQueryExecution"],"Resource":"arn:aws:athena:<region>:<account>:workgroup/<name>"},{"Effect":"Allow","Action":"athena:ListWorkGroups","Resource":"*"}]}'`.
//!
//! **Evidence.** Observed in practice (the console's sample service role lacked Athena
//! permissions and `athena:*` was added). No AWS document found puts Athena on the
//! service role (documented emr-studio-service-role, setting-up-tip-emr put it on the user
//! role): a documented conflict, hence a warning.
//!
//! **References.**
//! - https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-service-role.html
//! - https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-athena.html
//! - https://docs.aws.amazon.com/cli/latest/reference/iam/put-role-policy.html

use crate::check::{Area, Meta, Need, Outcome, Severity};
use crate::ctx::{Ctx, studio_label};
use crate::each::each_studio;
use crate::facts::{Studio, role_name};
use crate::fix::Kind;
use crate::fixes::{service_trust, undecided_grant_summary};
use crate::review::{IfMissing, RoleCheck, Want, workgroup_arns};
use crate::roles::{account_of, role_arn, service_role};

pub const META: Meta = Meta {
    id: "ES006",
    name: "studio-service-role-athena",
    area: Area::EmrStudio,
    severity: Severity::Warning,
    title: "Studio service role allows the Athena workgroup actions",
    depends_on: &[],
    hop: crate::check::Hop::SignIn,
    entitlement: false,
    fixes: &[
        ("iam:CreateRole", Kind::Ready),
        ("iam:PutRolePolicy", Kind::Ready),
    ],
    needs: &[
        Need::Caller,
        Need::Studios,
        Need::Workgroups,
        Need::ServiceRolePolicies,
    ],
    docs: &[
        "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-service-role.html",
        "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-athena.html",
    ],
};

const WHY: &str = "the AWS documentation puts the Athena permissions on the user role, but they have been seen to be needed on the service role too before the Athena SQL editor worked";

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_studio(ctx, |s| vec![one(ctx, s)])
}

fn one(ctx: &Ctx, s: &Studio) -> Outcome {
    let label = studio_label(s);
    let svc = match service_role(s) {
        Ok(r) => r,
        Err(o) => return *o,
    };
    let account = account_of(ctx, s.studio_arn.as_deref());
    let arn = role_arn(&account, svc);
    let (workgroups, note) = workgroup_arns(ctx, &account);
    let mut wants = Vec::new();
    for wg in &workgroups {
        wants.push(Want::new("athena:GetWorkGroup", wg));
        wants.push(Want::new("athena:StartQueryExecution", wg));
    }
    wants.push(Want::new("athena:ListWorkGroups", "*"));
    let note = note.map(|n| format!(" ({n})")).unwrap_or_default();
    let check = RoleCheck {
        owner: &label,
        kind: "service role",
        name: svc,
        arn: &arn,
        policy: "StudioServiceAthena",
        docs: META.docs,
    };
    let missing = IfMissing {
        why: "NoSuchEntity",
        summary: format!(
            "Create the service role {} (trusted by elasticmapreduce.amazonaws.com), give it the S3 permissions of the EMR Studio service role, and the Athena actions",
            role_name(svc)
        ),
        trust: service_trust(ctx, &account),
    };
    let (role, review) = match check.review(ctx, &wants, missing) {
        Ok(x) => x,
        Err(o) => return *o,
    };
    review.outcome(
        &role.arn,
        || {
            format!(
                "{label}: service role {} allows athena:GetWorkGroup, athena:ListWorkGroups and athena:StartQueryExecution{note} (identity-policy view)",
                role.arn
            )
        },
        |r| {
            let msg = format!(
                "{label}: could not decide whether service role {} allows {}{note}; {WHY}",
                role.arn,
                r.undecided_list()
            );
            let summary = undecided_grant_summary(
                &role.role_name,
                "the Athena SQL editor fails with an access error naming these actions",
            );
            (msg, check.fix(role, r, summary))
        },
        |r| {
            let mut msg = format!(
                "{label}: service role {} lacks {}{note}; {WHY}",
                role.arn,
                r.missing_list()
            );
            if !r.undecided.is_empty() {
                msg.push_str(&format!(" (undecided: {})", r.undecided_list()));
            }
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
    use crate::testkit::{denied, healthy, inline, only, role, skipped, studio};
    use serde_json::json;

    const ARN: &str = "arn:aws:iam::111122223333:role/EMRStudio-ServiceRole";
    const SERVICE_ROLE: &str = "EMRStudio-ServiceRole";

    fn service_role(f: &mut Facts) -> &mut Role {
        role(f, SERVICE_ROLE)
    }

    fn drop_athena(f: &mut Facts) {
        inline(f, SERVICE_ROLE).retain(|p| p.name != "StudioServiceAthena");
    }

    #[test]
    fn passes_on_healthy() {
        let r = only("ES006", &healthy());
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert!(r.message.contains(ARN));
    }

    #[test]
    fn warns_without_athena_and_the_fix_grants_it() {
        let mut f = healthy();
        drop_athena(&mut f);
        let r = only("ES006", &f);
        // Severity warning: a failure shows as warn.
        assert_eq!(r.status, Status::Warn, "{r:#?}");
        assert!(r.message.contains(
            "athena:GetWorkGroup on arn:aws:athena:ap-northeast-1:111122223333:workgroup/idc-wg"
        ));
        assert!(
            r.message
                .contains("documentation puts the Athena permissions on the user role")
        );
        let cmd = &r.remediation.unwrap().commands[0];
        assert!(cmd.starts_with(
            "aws iam put-role-policy --role-name EMRStudio-ServiceRole --policy-name StudioServiceAthena --policy-document '"
        ), "{cmd}");
        assert!(cmd.contains(r#""Action":["athena:GetWorkGroup","athena:StartQueryExecution"],"Resource":"arn:aws:athena:ap-northeast-1:111122223333:workgroup/idc-wg""#), "{cmd}");
        assert!(
            cmd.contains(r#"{"Effect":"Allow","Action":"athena:ListWorkGroups","Resource":"*"}"#)
        );
    }

    #[test]
    fn checks_iam_studios_too() {
        let mut f = healthy();
        studio(&mut f).auth_mode = Some("IAM".into());
        assert_eq!(only("ES006", &f).status, Status::Pass);
        drop_athena(&mut f);
        assert_eq!(only("ES006", &f).status, Status::Warn);
    }

    #[test]
    fn undecided_is_a_warning_naming_the_condition() {
        let mut f = healthy();
        inline(&mut f, SERVICE_ROLE)[1].document["Statement"][0]["Condition"] =
            json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}});
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Warn, "{out:#?}");
        assert!(out[0].message.contains("IpAddress on aws:SourceIp"));
    }

    #[test]
    fn a_missing_role_is_reported_with_create_role() {
        let mut f = healthy();
        f.roles.insert(SERVICE_ROLE.into(), Fact::Known(None));
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Fail);
        let c = &out[0].fix.as_ref().unwrap().commands;
        assert!(c[0].starts_with("aws iam create-role --role-name EMRStudio-ServiceRole"));
        assert!(c[0].contains("arn:aws:elasticmapreduce:ap-northeast-1:111122223333:*"));
    }

    #[test]
    fn skips_when_there_is_no_studio() {
        let mut f = healthy();
        f.studios = Fact::Known(vec![]);
        skipped("ES006", &f, "nothing to check");
    }

    #[test]
    fn unreadable_policies_are_an_error() {
        let mut f = healthy();
        service_role(&mut f).inline_policies = Fact::Unknown(denied("iam:ListRolePolicies"));
        let r = only("ES006", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("iam:ListRolePolicies") && r.message.contains(ARN));
        let mut f = healthy();
        studio(&mut f).service_role = None;
        assert_eq!(only("ES006", &f).status, Status::Error);
    }
}
