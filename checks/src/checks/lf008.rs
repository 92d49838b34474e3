//! # LF008 lakeformation-location-verified
//!
//! **What it checks.** For each `--table`, the Lake Formation registration that
//! covers the table's location (LF004) passed Lake Formation's verification
//! (`ListResources` → `VerificationStatus`): `VERIFIED` passes,
//! `VERIFICATION_FAILED` fails, `NOT_VERIFIED` (or no status reported) warns.
//!
//! **Why it matters.** Lake Formation verifies that it can use the registration's
//! role on the location. A failed verification means it cannot vend credentials
//! for the table's files: the role cannot be assumed, or lacks S3 (or KMS)
//! permissions on the location, and queries fail reading the data.
//!
//! **How to fix.** Check the role: its trust (LF005) and its permissions. It
//! needs `s3:GetObject`, `s3:PutObject`, `s3:DeleteObject` on the location's
//! objects and `s3:ListBucket` on the bucket (plus `kms:Decrypt` and
//! `kms:GenerateDataKey` for a KMS-encrypted bucket). Console: IAM → Roles → the
//! role → Add permissions → Create inline policy. CLI (the report fills in the
//! role and the location): `aws iam put-role-policy --role-name <ROLE>
//! --policy-name LakeFormationLocationAccess --policy-document '...'`, then set
//! the registration's role again so Lake Formation checks it anew (`aws
//! lakeformation update-resource --role-arn <ROLE_ARN> --resource-arn
//! arn:aws:s3:::<BUCKET>/<PREFIX>`) and read the status with `aws lakeformation
//! describe-resource --resource-arn arn:aws:s3:::<BUCKET>/<PREFIX>`. A
//! service-linked role cannot be edited: re-register with a custom role (LF005).
//!
//! **Evidence.** The API model (`VerificationStatus`: `VERIFIED`, `VERIFICATION_FAILED`,
//! `NOT_VERIFIED`; `UpdateResource` "updates the data access role used for vending
//! access to the given (registered) resource") and documented (tip-tutorial-lf: the
//! location role's S3 policy). Inferred: the causes of a failed verification listed
//! above, and that setting the role again makes Lake Formation verify it again (AWS
//! does not document when it re-verifies).
//!
//! **References.**
//! - https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_ResourceInfo.html
//! - https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_UpdateResource.html
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/registration-role.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/tip-tutorial-lf.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::Ctx;
use crate::each::each_registration;
use crate::facts::{LfResource, role_name};
use crate::fix::{Action, Kind};
use crate::fixes::put_location_policy;
use crate::lf::{LOCATION_POLICY, is_service_linked, location_policy_name};
use crate::modes::VerificationStatus;
use crate::policy::unused_policy_name;

pub const META: Meta = Meta {
    id: "LF008",
    name: "lakeformation-location-verified",
    area: Area::LakeFormation,
    severity: Severity::Error,
    title: "The Lake Formation registration of the table's location is verified",
    depends_on: &["LF004"],
    hop: crate::check::Hop::Read,
    entitlement: false,
    fixes: &[
        ("iam:PutRolePolicy", Kind::Ready),
        ("lakeformation:UpdateResource", Kind::Ready),
    ],
    needs: &[Need::Caller, Need::GlueTables, Need::LfResources],
    docs: &[
        "https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_ResourceInfo.html",
        "https://docs.aws.amazon.com/lake-formation/latest/dg/registration-role.html",
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/tip-tutorial-lf.html",
    ],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_registration(ctx, |name, r| one(ctx, name, r))
}

fn one(ctx: &Ctx, name: &str, r: &LfResource) -> Outcome {
    let reg = format!("registration {}", r.resource_arn);
    let role = r.role_arn.as_deref().unwrap_or("(no role reported)");
    match &r.verification_status {
        Some(VerificationStatus::Verified) => Outcome::pass(
            &reg,
            format!("{reg} (covering table {name}, role {role}) is VERIFIED"),
        ),
        Some(VerificationStatus::VerificationFailed) => Outcome::fail(
            &reg,
            format!(
                "Lake Formation could not verify {reg} (covering table {name}) with role {role} (VERIFICATION_FAILED): it cannot vend credentials for the table's files"
            ),
        )
        .fix(fix(ctx, r)),
        other => Outcome::warn(
            &reg,
            format!(
                "{reg} (covering table {name}, role {role}) is {}: Lake Formation has not confirmed it can use the role on the location",
                other.as_ref().map_or(
                    "not reported as verified (no VerificationStatus)",
                    VerificationStatus::as_str
                )
            ),
        )
        .fix(fix(ctx, r)),
    }
}

fn fix(ctx: &Ctx, r: &LfResource) -> Remediation {
    let describe = format!(
        "`aws lakeformation describe-resource --region {} --resource-arn {} --query ResourceInfo.VerificationStatus`",
        ctx.region(),
        r.resource_arn
    );
    let arn = match r.role_arn.as_deref() {
        Some(a) if !is_service_linked(a) => a,
        _ => {
            return Remediation::new(
                format!(
                    "{} is registered with the service-linked role (or none), which cannot be edited: re-register it with a custom role that can read and write the location (see LF005), then read the status again: {describe}",
                    r.resource_arn
                ),
                Vec::new(),
                META.docs,
            );
        }
    };
    let name = role_name(arn);
    let policy = match ctx.role(arn) {
        Ok(Some(role)) => unused_policy_name(role, LOCATION_POLICY),
        // A role IAM was not asked about: a name that replaces none of its policies.
        _ => location_policy_name(&r.resource_arn),
    };
    Remediation::new(
        format!(
            "Check that {name} trusts lakeformation.amazonaws.com (LF005) and give it S3 read and write on {} (plus kms:Decrypt and kms:GenerateDataKey if the bucket uses a KMS key), then set the registration's role again so Lake Formation checks it anew (AWS does not document when it re-checks a role on its own), and read the status: {describe}",
            r.resource_arn
        ),
        vec![
            put_location_policy(name, &policy, r),
            Action::UpdateResource {
                region: ctx.region().to_string(),
                resource_arn: r.resource_arn.clone(),
                role_arn: arn.to_string(),
                hybrid_access_enabled: r.hybrid_access_enabled,
            },
        ],
        META.docs,
    )
}

#[cfg(test)]
mod tests {
    use super::run;
    use crate::check::Status;
    use crate::ctx::Ctx;
    use crate::fact::Fact;
    use crate::facts::{Facts, LfResource};
    use crate::testkit::{denied, healthy, lf_resources, only, skipped};

    fn reg(f: &mut Facts) -> &mut LfResource {
        &mut lf_resources(f)[0]
    }

    #[test]
    fn passes_when_verified() {
        let r = only("LF008", &healthy());
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(r.message.contains("VERIFIED"));
    }

    #[test]
    fn fails_when_verification_failed() {
        let mut f = healthy();
        reg(&mut f).verification_status = Some("VERIFICATION_FAILED".into());
        let r = only("LF008", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("LakeFormationTipRole"), "{}", r.message);
        let fix = r.remediation.unwrap();
        assert_eq!(fix.applicability.kind, crate::fix::Kind::Ready);
        let c = fix.commands;
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(
            c[1],
            "aws lakeformation update-resource --region ap-northeast-1 --role-arn arn:aws:iam::111122223333:role/LakeFormationTipRole --resource-arn arn:aws:s3:::data-lake-111122223333/flightdata"
        );
        // The role already has an inline policy: a new name, not a replacement.
        assert!(
            c[0].starts_with("aws iam put-role-policy --role-name LakeFormationTipRole --policy-name LakeFormationLocationAccess --policy-document"),
            "{}",
            c[0]
        );
        assert!(c[0].contains("arn:aws:s3:::data-lake-111122223333/flightdata/*"));
        // Reading the status again is a lookup, named in the summary.
        assert!(fix.summary.contains("`aws lakeformation describe-resource --region ap-northeast-1 --resource-arn arn:aws:s3:::data-lake-111122223333/flightdata"), "{}", fix.summary);
    }

    #[test]
    fn warns_when_not_verified() {
        let mut f = healthy();
        reg(&mut f).verification_status = Some("NOT_VERIFIED".into());
        let r = only("LF008", &f);
        assert_eq!(r.status, Status::Warn);
        assert!(r.remediation.is_some());
        reg(&mut f).verification_status = None;
        assert_eq!(only("LF008", &f).status, Status::Warn);
    }

    #[test]
    fn the_service_linked_role_is_not_edited() {
        let mut f = healthy();
        let r = reg(&mut f);
        r.verification_status = Some("VERIFICATION_FAILED".into());
        r.role_arn = Some("arn:aws:iam::111122223333:role/aws-service-role/lakeformation.amazonaws.com/AWSServiceRoleForLakeFormationDataAccess".into());
        let r = only("LF008", &f);
        let fix = r.remediation.unwrap();
        assert!(fix.summary.contains("LF005"));
        assert!(fix.actions.is_empty() && fix.commands.is_empty());
        assert_eq!(fix.applicability.kind, crate::fix::Kind::Manual);
    }

    #[test]
    fn skips_when_lf004_warns() {
        let mut f = healthy();
        reg(&mut f).resource_arn = "arn:aws:s3:::another-bucket".into();
        skipped("LF008", &f, "LF004");
    }

    #[test]
    fn errors_when_resources_are_unreadable() {
        let mut f = healthy();
        f.lake_formation.resources = Fact::Unknown(denied("lakeformation:ListResources"));
        // LF004 errors on the same table, so LF008 is skipped behind it.
        let r = only("LF008", &f);
        assert_eq!(r.status, Status::Skip);
        assert!(
            r.message.contains("could not be evaluated"),
            "{}",
            r.message
        );
        // Judged alone, it is an error, never a pass.
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, crate::check::Verdict::Error);
    }
}
