//! # ES002 studio-trusted-identity-propagation
//!
//! **What it checks.** Every EMR Studio in scope that uses IAM Identity Center
//! authentication was created with trusted identity propagation
//! (`DescribeStudio` → `Studio.TrustedIdentityPropagationEnabled == true`; the
//! field is absent or `false` otherwise). Studios with IAM authentication are
//! ES001's failures and are skipped here.
//!
//! **Why it matters.** Trusted identity propagation is what carries the signed-in
//! Identity Center user from the Studio to Athena, Lake Formation and S3 Access
//! Grants. The setup guide for Athena from EMR Studio has you tick **Trusted
//! identity propagation** when creating the Studio, and an Identity-Center-enabled
//! Athena workgroup only runs queries from "an EMR Studio that has IAM Identity
//! Center enabled" with trusted identity propagation; "the workgroup that you use
//! must also use trusted identity propagation". The setting cannot be changed
//! after creation: `UpdateStudio` has no such parameter.
//!
//! **How to fix.** Create a new Studio with trusted identity propagation and
//! delete the old one.
//! Console: Amazon EMR → EMR Studio → Studios → Create Studio → **Custom** →
//! Authentication: **IAM Identity Center** → tick **Trusted identity
//! propagation** → Application access: **Only assigned users and groups**.
//! CLI (the report fills in the Studio's own VPC, subnets, security groups, roles,
//! S3 location and Identity Center instance): `aws emr create-studio --auth-mode
//! SSO ... --trusted-identity-propagation-enabled --idc-user-assignment REQUIRED
//! --idc-instance-arn ...`, then `aws emr delete-studio --studio-id <old>`.
//! Recreate the session mappings (ES008) on the new Studio.
//!
//! **Evidence.** Documented (setting-up-tip-emr step 2: "Trusted identity
//! propagation"; emr-studio-athena: with trusted identity propagation on the
//! Studio, the workgroup must use it too; Athena workgroups-identity-center) and
//! the API model (`TrustedIdentityPropagationEnabled` in CreateStudio, "default value is
//! false", absent from UpdateStudio).
//!
//! **References.**
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/setting-up-tip-emr.html
//! - https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-athena.html
//! - https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-create-studio.html
//! - https://docs.aws.amazon.com/emr/latest/APIReference/API_CreateStudio.html

use crate::check::{Area, Meta, Need, Outcome, Severity};
use crate::ctx::{Ctx, studio_label};
use crate::each::each_studio;
use crate::facts::Studio;
use crate::fix::Kind;
use crate::fixes::recreate_fix;
use crate::modes::AuthMode;
use crate::roles::not_sso;

pub const META: Meta = Meta {
    id: "ES002",
    name: "studio-trusted-identity-propagation",
    area: Area::EmrStudio,
    severity: Severity::Error,
    title: "EMR Studio has trusted identity propagation enabled",
    depends_on: &["ES001"],
    hop: crate::check::Hop::SignIn,
    entitlement: false,
    fixes: &[
        ("emr:CreateStudio", Kind::Recreates),
        ("emr:DeleteStudio", Kind::Recreates),
    ],
    needs: &[Need::Studios, Need::IdcInstances],
    docs: &[
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/setting-up-tip-emr.html",
        "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-athena.html",
        "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-create-studio.html",
    ],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_studio(ctx, |s| vec![one(ctx, s)])
}

fn one(ctx: &Ctx, s: &Studio) -> Outcome {
    if s.auth_mode != Some(AuthMode::Sso) {
        return not_sso(ctx, s);
    }
    let label = studio_label(s);
    match s.trusted_identity_propagation_enabled {
        Some(true) => Outcome::pass(
            &label,
            format!("{label} has trusted identity propagation enabled"),
        ),
        v => {
            let what = match v {
                Some(_) => "disabled (TrustedIdentityPropagationEnabled: false)",
                None => "not enabled (DescribeStudio reports no TrustedIdentityPropagationEnabled)",
            };
            Outcome::fail(
                &label,
                format!(
                    "{label} uses IAM Identity Center but trusted identity propagation is {what}, so the signed-in user's identity does not reach Athena, Lake Formation or S3 Access Grants"
                ),
            )
            .fix(fix(ctx, s))
        }
    }
}

fn fix(ctx: &Ctx, s: &Studio) -> crate::Remediation {
    let mut r = recreate_fix(
        ctx,
        Some(s),
        &format!(
            "Trusted identity propagation cannot be turned on for an existing Studio: create a new Studio with it (console: Create Studio → Custom → tick Trusted identity propagation), recreate its session mappings, then delete {}",
            studio_label(s)
        ),
    );
    r.docs = META.docs.iter().map(|d| d.to_string()).collect();
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Status, Verdict};
    use crate::fact::Fact;
    use crate::testkit::{denied, healthy, only, skipped, studio};

    #[test]
    fn passes_on_healthy() {
        let r = only("ES002", &healthy());
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert!(r.message.contains("es-D1A2B3C4D5E6F7A8B9C0D1E2F"));
    }

    #[test]
    fn fails_without_tip_and_recreates_with_real_values() {
        for v in [Some(false), None] {
            let mut f = healthy();
            studio(&mut f).trusted_identity_propagation_enabled = v;
            let r = only("ES002", &f);
            assert_eq!(r.status, Status::Fail, "{r:#?}");
            assert!(
                r.message
                    .contains("Studio \"analytics\" (es-D1A2B3C4D5E6F7A8B9C0D1E2F)")
            );
            let fix = r.remediation.unwrap();
            assert!(fix.summary.contains("cannot be turned on"));
            let c = &fix.commands;
            assert!(c[0].starts_with(
                "aws emr create-studio --region ap-northeast-1 --name analytics-idc --auth-mode SSO"
            ));
            assert!(c[0].contains("--trusted-identity-propagation-enabled"));
            assert!(c[0].contains("--vpc-id vpc-0a1b2c3d4e5f60718"));
            assert!(
                c[0].contains("--default-s3-location s3://analytics-studio-111122223333/studio/")
            );
            assert!(
                c[0].contains("--idc-instance-arn arn:aws:sso:::instance/ssoins-7758a1b2c3d4e5f6")
            );
            assert!(c[0].contains("--user-role arn:aws:iam::111122223333:role/EMRStudio-UserRole"));
            assert!(
                c[1].contains("delete-studio") && c[1].contains("es-D1A2B3C4D5E6F7A8B9C0D1E2F")
            );
            assert!(fix.docs.iter().any(|d| d.contains("setting-up-tip-emr")));
        }
    }

    #[test]
    fn skips_iam_studios_behind_es001() {
        let mut f = healthy();
        studio(&mut f).auth_mode = Some("IAM".into());
        skipped("ES002", &f, "ES001");
        // On its own it still fails the Studio, never passes it.
        assert_eq!(run(&Ctx::new(&f))[0].verdict, Verdict::Fail);
    }

    #[test]
    fn unknown_studios_are_an_error_not_a_pass() {
        let mut f = healthy();
        f.studios = Fact::Unknown(denied("elasticmapreduce:DescribeStudio"));
        let out = run(&Ctx::new(&f));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].verdict, Verdict::Error);
        assert!(out[0].message.contains("elasticmapreduce:DescribeStudio"));
        // Through the runner ES001 errors first, so ES002 is skipped.
        assert_eq!(only("ES002", &f).status, Status::Skip);
    }
}
