//! # IC002 identity-center-region
//!
//! **What it checks.** For each ACTIVE IAM Identity Center instance visible in the
//! target region (`sso:ListInstances`): the target region is the instance's
//! primary region (`PrimaryRegion`), or it is one of the instance's additional
//! regions (`Regions[]`) with `Status == "ACTIVE"` **and** the instance is
//! encrypted with a customer managed KMS key (`sso:DescribeInstance` →
//! `EncryptionConfigurationDetails.KeyType == "CUSTOMER_MANAGED_KEY"`). An
//! instance that reports no primary region (a single-Region instance, or an older
//! API) passes, because `ListInstances` in this region returned it; the message
//! says so.
//!
//! **Why it matters.** The Identity Center instance, the EMR Studio, the Athena
//! workgroup, Lake Formation and the S3 Access Grants instance must be in one
//! region. The only documented exception is "a multi-Region IAM Identity Center
//! instance configured with a multi-Region customer managed KMS key", replicated
//! to the region the services run in. Reads (users, groups, applications) work in
//! every enabled region, so a replica region can look fine while trusted identity
//! propagation does not work from it.
//!
//! **How to fix.** Either recreate the Studio, workgroup, Lake Formation
//! configuration and S3 Access Grants instance in the instance's primary region,
//! or replicate the instance to this region: `aws sso-admin add-region --region
//! <primary region> --instance-arn <instance ARN> --region-name <region>`. Adding
//! a region requires the multi-Region prerequisites, including a multi-Region
//! customer managed KMS key for the instance (console: IAM Identity Center →
//! Settings → Management → Encryption; CLI: `aws sso-admin update-instance
//! --encryption-configuration` with `KeyType` `CUSTOMER_MANAGED_KEY` and the key's
//! ARN, which the report asks for). A region still `ADDING`: wait for it.
//!
//! **Evidence.** Documented (trusted identity propagation prerequisites: same-Region or
//! cross-Region with a multi-Region customer managed key; S3 Access Grants: the
//! Identity Center instance must be in the Access Grants instance's region;
//! multi-Region IAM Identity Center prerequisites) and the API model (`PrimaryRegion`,
//! `Regions[].Status`, `KeyType`, `AddRegion`, `UpdateInstance` →
//! `EncryptionConfiguration`).
//!
//! **References.**
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/trustedidentitypropagation-overall-prerequisites.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/multi-region-iam-identity-center.html
//! - https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_AddRegion.html
//! - https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_UpdateInstance.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-directory-ids.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::Ctx;
use crate::facts::IdcInstance;
use crate::fix::{Action, Kind};
use crate::idc::instance_label;
use crate::modes::{InstanceStatus, KeyType, RegionStatus};
use serde_json::json;

pub const META: Meta = Meta {
    id: "IC002",
    name: "identity-center-region",
    area: Area::IdentityCenter,
    severity: Severity::Error,
    title: "Identity Center's region, or an ACTIVE replica with a customer key",
    depends_on: &["IC001"],
    hop: crate::check::Hop::Identity,
    entitlement: false,
    fixes: &[
        ("sso:AddRegion", Kind::Ready),
        ("sso:UpdateInstance", Kind::NeedsInput),
        ("sso:AddRegion", Kind::NeedsInput),
    ],
    needs: &[Need::IdcInstances, Need::IdcInstanceDetails],
    docs: &[
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/trustedidentitypropagation-overall-prerequisites.html",
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/multi-region-iam-identity-center.html",
    ],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    let list = match ctx.facts.identity_center_instances.known() {
        Ok(l) => l,
        Err(u) => {
            return vec![Outcome::unknown(
                format!("region {}", ctx.region()),
                "the IAM Identity Center instances",
                u,
            )];
        }
    };
    list.iter()
        .filter(|i| matches!(i.status, Some(InstanceStatus::Active) | None))
        .map(|i| instance(ctx, i))
        .collect()
}

fn instance(ctx: &Ctx, i: &IdcInstance) -> Outcome {
    let region = ctx.region();
    let res = instance_label(i);
    let Some(primary) = i.primary_region.as_deref() else {
        return Outcome::pass(
            &res,
            format!(
                "{res} reports no primary region (a single-Region instance, or an older API); sso:ListInstances in {region} returned it, so it is taken to be in {region}"
            ),
        );
    };
    if primary == region {
        return Outcome::pass(&res, format!("{res} has {region} as its primary region"));
    }
    let Some(replica) = i.regions.iter().find(|r| r.region_name == region) else {
        return Outcome::fail(
            &res,
            format!(
                "{res} lives in {primary}, and {region} is not one of its regions ({}): trusted identity propagation does not reach resources in {region}",
                regions(i)
            ),
        )
        .fix(fix(ctx, i, primary));
    };
    let status = replica.status.as_ref();
    let state = status.map_or("?", RegionStatus::as_str);
    if status != Some(&RegionStatus::Active) {
        return Outcome::fail(
            &res,
            format!(
                "{region} is an additional region of {res} (primary {primary}), but its status is {state}, not ACTIVE"
            ),
        )
        .fix(wait_fix(i, primary, region, status == Some(&RegionStatus::Adding)));
    }
    let key = match i.key_type.known() {
        Ok(k) => k.as_ref(),
        Err(u) => {
            return Outcome::unknown(&res, &format!("the encryption key type of {res}"), u);
        }
    };
    match key {
        Some(KeyType::CustomerManaged) => Outcome::pass(
            &res,
            format!(
                "{region} is an ACTIVE additional region of {res} (primary {primary}), encrypted with a customer managed key"
            ),
        ),
        other => Outcome::fail(
            &res,
            format!(
                "{region} is an additional region of {res} (primary {primary}), but the instance is encrypted with {}: cross-Region trusted identity propagation needs a multi-Region customer managed KMS key",
                other.map_or("no reported key type", KeyType::as_str)
            ),
        )
        .fix(key_fix(ctx, i, primary)),
    }
}

fn regions(i: &IdcInstance) -> String {
    if i.regions.is_empty() {
        return "no additional regions".into();
    }
    let v: Vec<String> = i
        .regions
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r.region_name,
                r.status.as_ref().map_or("?", RegionStatus::as_str)
            )
        })
        .collect();
    v.join(", ")
}

/// Replicate the instance to the target region: with a customer managed key
/// already, `AddRegion` alone; else the key first (a value a person supplies).
fn fix(ctx: &Ctx, i: &IdcInstance, primary: &str) -> Remediation {
    let region = ctx.region();
    let customer_key = matches!(i.key_type.known(), Ok(Some(KeyType::CustomerManaged)));
    let mut actions = Vec::new();
    let key = if customer_key {
        "it is encrypted with a customer managed key already, which must be a multi-Region key replicated to the region".to_string()
    } else {
        actions.push(update_key(i, primary));
        format!(
            "this needs a multi-Region customer managed KMS key, replicated to {region}, on the instance first (console: IAM Identity Center → Settings → Management → Encryption; the first command sets it)"
        )
    };
    actions.push(Action::AddRegion {
        region: primary.to_string(),
        instance_arn: i.instance_arn.clone(),
        region_name: region.to_string(),
    });
    Remediation::new(
        format!(
            "Replicate the instance to {region} ({key}; `aws sso-admin describe-instance --region {primary} --instance-arn {} --query EncryptionConfigurationDetails` shows the current key), or recreate the EMR Studio, Athena workgroup, Lake Formation configuration and S3 Access Grants instance in {primary}",
            i.instance_arn
        ),
        actions,
        META.docs,
    )
}

/// An ACTIVE replica on a key that is not customer managed: set one.
fn key_fix(ctx: &Ctx, i: &IdcInstance, primary: &str) -> Remediation {
    Remediation::new(
        format!(
            "Encrypt the instance with a multi-Region customer managed KMS key replicated to {} (console: IAM Identity Center → Settings → Management → Encryption), or recreate the EMR Studio, Athena workgroup, Lake Formation configuration and S3 Access Grants instance in {primary}",
            ctx.region()
        ),
        vec![update_key(i, primary)],
        META.docs,
    )
}

/// `sso:UpdateInstance` setting a customer managed key a person names.
fn update_key(i: &IdcInstance, primary: &str) -> Action {
    Action::UpdateInstance {
        region: primary.to_string(),
        instance_arn: i.instance_arn.clone(),
        encryption_configuration: json!({"KeyType": "CUSTOMER_MANAGED_KEY", "KmsKeyArn": "<KMS_KEY_ARN>"}),
    }
}

/// A replica that is not ACTIVE yet (or is being removed): nothing to run.
fn wait_fix(i: &IdcInstance, primary: &str, region: &str, adding: bool) -> Remediation {
    let read = format!(
        "`aws sso-admin describe-region --region {primary} --instance-arn {} --region-name {region}` shows its status",
        i.instance_arn
    );
    let summary = if adding {
        format!("Wait until {region} is ACTIVE ({read}), then run studio-doctor again")
    } else {
        format!(
            "{region} is being removed from the instance ({read}): once it is gone, add it again, or recreate the resources in {primary}"
        )
    };
    Remediation::new(summary, Vec::new(), META.docs)
}

#[cfg(test)]
mod tests {
    use super::run;
    use crate::check::{Status, Verdict};
    use crate::ctx::Ctx;
    use crate::fact::{Fact, Unknown};
    use crate::facts::{Facts, IdcRegion};
    use crate::testkit::{denied, healthy, instance, only, skipped};

    const I: &str = "arn:aws:sso:::instance/ssoins-7758a1b2c3d4e5f6";

    fn region(name: &str, status: &str) -> IdcRegion {
        IdcRegion {
            region_name: name.into(),
            status: Some(status.into()),
        }
    }

    /// Primary us-east-1, replicated to the target region.
    fn replica(f: &mut Facts, status: &str, key: &str) {
        let i = instance(f);
        i.primary_region = Some("us-east-1".into());
        i.regions = vec![
            region("us-east-1", "ACTIVE"),
            region("ap-northeast-1", status),
        ];
        i.key_type = Fact::Known(Some(key.into()));
    }

    #[test]
    fn passes_in_the_primary_region() {
        let r = only("IC002", &healthy());
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(r.message.contains("primary region"), "{}", r.message);
    }

    #[test]
    fn passes_in_an_active_replica_with_a_customer_managed_key() {
        let mut f = healthy();
        replica(&mut f, "ACTIVE", "CUSTOMER_MANAGED_KEY");
        let r = only("IC002", &f);
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(r.message.contains("customer managed key"));
    }

    #[test]
    fn passes_with_a_note_without_a_primary_region() {
        let mut f = healthy();
        instance(&mut f).primary_region = None;
        instance(&mut f).key_type = Fact::Unknown(Unknown::not_collected());
        let r = only("IC002", &f);
        assert_eq!(r.status, Status::Pass);
        assert!(r.message.contains("no primary region"), "{}", r.message);
    }

    #[test]
    fn fails_in_a_replica_without_a_customer_managed_key() {
        let mut f = healthy();
        replica(&mut f, "ACTIVE", "AWS_OWNED_KMS_KEY");
        let r = only("IC002", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.message.contains("AWS_OWNED_KMS_KEY") && r.message.contains("us-east-1"),
            "{}",
            r.message
        );
        let fix = r.remediation.unwrap();
        assert_eq!(
            fix.commands,
            vec![format!(
                "aws sso-admin update-instance --region us-east-1 --instance-arn {I} --encryption-configuration '{{\"KeyType\":\"CUSTOMER_MANAGED_KEY\",\"KmsKeyArn\":\"<KMS_KEY_ARN>\"}}'"
            )]
        );
        assert_eq!(fix.applicability.kind, crate::fix::Kind::NeedsInput);
        assert!(fix.summary.contains("customer managed KMS key"));
    }

    #[test]
    fn fails_when_the_region_is_not_one_of_the_instance() {
        let mut f = healthy();
        let i = instance(&mut f);
        i.primary_region = Some("eu-west-1".into());
        i.regions = vec![region("eu-west-1", "ACTIVE")];
        let r = only("IC002", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.message.contains("lives in eu-west-1") && r.message.contains("(eu-west-1 ACTIVE)"),
            "{}",
            r.message
        );
        // A customer managed key already: adding the region is all it takes.
        instance(&mut f).key_type = Fact::Known(Some("CUSTOMER_MANAGED_KEY".into()));
        let fix = only("IC002", &f).remediation.unwrap();
        assert_eq!(
            fix.commands,
            vec![format!(
                "aws sso-admin add-region --region eu-west-1 --instance-arn {I} --region-name ap-northeast-1"
            )]
        );
        assert_eq!(fix.applicability.kind, crate::fix::Kind::Ready);
        // Another key: set a customer managed one first.
        instance(&mut f).key_type = Fact::Known(Some("AWS_OWNED_KMS_KEY".into()));
        let fix = only("IC002", &f).remediation.unwrap();
        assert!(fix.commands[0].starts_with("aws sso-admin update-instance --region eu-west-1"));
        assert!(fix.commands[1].starts_with("aws sso-admin add-region"));
        assert_eq!(fix.applicability.kind, crate::fix::Kind::NeedsInput);
    }

    #[test]
    fn fails_while_the_replica_is_still_adding() {
        let mut f = healthy();
        replica(&mut f, "ADDING", "CUSTOMER_MANAGED_KEY");
        let r = only("IC002", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("ADDING"));
        assert!(r.remediation.unwrap().summary.starts_with("Wait"));
    }

    #[test]
    fn errors_when_the_key_type_is_needed_and_unknown() {
        let mut f = healthy();
        replica(&mut f, "ACTIVE", "CUSTOMER_MANAGED_KEY");
        instance(&mut f).key_type = Fact::Unknown(denied("sso:DescribeInstance"));
        let r = only("IC002", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("sso:DescribeInstance"), "{}", r.message);
        // Not needed in the primary region.
        let mut f = healthy();
        instance(&mut f).key_type = Fact::Unknown(Unknown::not_collected());
        assert_eq!(only("IC002", &f).status, Status::Pass);
    }

    #[test]
    fn skips_when_ic001_fails() {
        let mut f = healthy();
        instance(&mut f).status = Some("CREATE_IN_PROGRESS".into());
        skipped("IC002", &f, "IC001");
    }

    #[test]
    fn errors_when_instances_are_unknown() {
        let mut f = healthy();
        f.identity_center_instances = Fact::Unknown(Unknown::not_collected());
        let out = run(&Ctx::new(&f));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].verdict, Verdict::Error);
    }
}
