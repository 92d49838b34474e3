//! # AG001 access-grants-instance
//!
//! **What it checks.** The account has an S3 Access Grants instance in the target
//! region (`s3control GetAccessGrantsInstance` answers with an instance rather than
//! "not found"). There is one instance per account per region; its id is always
//! `default`.
//!
//! **Why it matters.** An Identity-Center-enabled Athena workgroup writes query
//! results as the signed-in Identity Center user, through S3 Access Grants, not
//! through IAM. Without an S3 Access Grants instance nothing can grant that user
//! the results location, so every query fails while writing its results, even
//! when both the Studio roles and the workgroup role have AdministratorAccess.
//! Observed in practice: the workgroup and the tables show up in the Studio, and
//! then every query fails.
//!
//! **How to fix.** Create the instance and associate it with the region's IAM
//! Identity Center instance in the same step. Console: Amazon S3 → Access Grants
//! → choose the region → **Create S3 Access Grants instance** → tick **Add IAM
//! Identity Center instance** → then register a location (AG003) and create a
//! grant (AG005). CLI (the report fills in the account, region and the region's
//! Identity Center instance):
//! `aws s3control create-access-grants-instance --region <REGION> --account-id
//! <ACCOUNT_ID> --identity-center-arn arn:aws:sso:::instance/ssoins-...`.
//! Creating the instance with an Identity Center ARN also needs
//! `sso:DescribeInstance`, `sso:CreateApplication`, `sso:PutApplicationGrant` and
//! `sso:PutApplicationAuthenticationMethod`.
//!
//! **Evidence.** Documented: Athena workgroups-identity-center ("Amazon S3 Access
//! Grants must be configured to use Trusted identity propagation identities"); S3
//! access-grants-instance (one instance per region per account). Observed in
//! practice: queries fail writing results until S3 Access Grants is set up.
//!
//! **References.**
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-instance-create.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-instance.html
//! - https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_GetAccessGrantsInstance.html

use crate::check::{Area, Meta, Need, Outcome, Severity};
use crate::ctx::Ctx;
use crate::fix::Kind;
use crate::grants;

pub const META: Meta = Meta {
    id: "AG001",
    name: "access-grants-instance",
    area: Area::S3AccessGrants,
    severity: Severity::Error,
    title: "An S3 Access Grants instance exists in the region",
    depends_on: &[],
    hop: crate::check::Hop::Write,
    entitlement: false,
    fixes: &[
        ("s3control:CreateAccessGrantsInstance", Kind::Ready),
        ("s3control:CreateAccessGrantsInstance", Kind::NeedsInput),
    ],
    needs: &[Need::Caller, Need::AccessGrantsInstance, Need::IdcInstances],
    docs: grants::INSTANCE_DOCS,
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    match grants::instance(ctx) {
        Ok(i) => vec![Outcome::pass(
            &i.access_grants_instance_arn,
            format!(
                "S3 Access Grants instance {} exists in {}",
                i.access_grants_instance_arn,
                ctx.region()
            ),
        )],
        Err(o) => vec![*o],
    }
}

#[cfg(test)]
mod tests {
    use crate::check::Status;
    use crate::fact::{Fact, Unknown};
    use crate::fix::Kind;
    use crate::testkit::{denied, healthy, only};

    #[test]
    fn passes_when_the_instance_exists() {
        let r = only("AG001", &healthy());
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(r.message.contains("access-grants/default"));
    }

    #[test]
    fn fails_without_an_instance_and_fills_the_fix() {
        let mut f = healthy();
        f.access_grants.instance = Fact::Known(None);
        let r = only("AG001", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("ap-northeast-1"), "{}", r.message);
        assert!(r.message.contains("111122223333"), "{}", r.message);
        let fix = r.remediation.unwrap();
        assert_eq!(fix.applicability.kind, Kind::Ready);
        assert_eq!(
            fix.commands,
            vec![
                "aws s3control create-access-grants-instance --region ap-northeast-1 \
                 --account-id 111122223333 \
                 --identity-center-arn arn:aws:sso:::instance/ssoins-7758a1b2c3d4e5f6"
            ]
        );
    }

    #[test]
    fn fix_uses_placeholders_when_account_and_idc_are_unknown() {
        let mut f = healthy();
        f.access_grants.instance = Fact::Known(None);
        f.caller = Fact::Unknown(Unknown::not_collected());
        f.identity_center_instances = Fact::Unknown(Unknown::not_collected());
        let cmd = &only("AG001", &f).remediation.unwrap().commands[0];
        assert!(cmd.contains("--account-id '<ACCOUNT_ID>'"), "{cmd}");
        assert!(
            cmd.contains("--identity-center-arn '<IDENTITY_CENTER_INSTANCE_ARN>'"),
            "{cmd}"
        );
    }

    #[test]
    fn prefers_an_active_identity_center_instance() {
        let mut f = healthy();
        f.access_grants.instance = Fact::Known(None);
        if let Fact::Known(list) = &mut f.identity_center_instances {
            let mut other = list[0].clone();
            other.instance_arn = "arn:aws:sso:::instance/ssoins-0000000000000000".into();
            other.status = Some("CREATE_IN_PROGRESS".into());
            list.insert(0, other);
        }
        let cmd = &only("AG001", &f).remediation.unwrap().commands[0];
        assert!(cmd.ends_with("ssoins-7758a1b2c3d4e5f6"), "{cmd}");
    }

    #[test]
    fn errors_when_the_instance_cannot_be_read() {
        let mut f = healthy();
        f.access_grants.instance = Fact::Unknown(denied("s3:GetAccessGrantsInstance"));
        let r = only("AG001", &f);
        assert_eq!(r.status, Status::Error);
        assert!(
            r.message.contains("s3:GetAccessGrantsInstance"),
            "{}",
            r.message
        );
    }
}
