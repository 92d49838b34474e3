//! # IC001 identity-center-instance
//!
//! **What it checks.** An ACTIVE IAM Identity Center instance is visible in the
//! target region (`sso:ListInstances` → `Instances[].Status == "ACTIVE"`). It fails
//! when the list is empty, or when every instance listed is in another state
//! (`CREATE_IN_PROGRESS`, `CREATE_FAILED`, `DELETE_IN_PROGRESS`). An instance
//! listed without a status (an older API) counts as active, and the message says so.
//!
//! **Why it matters.** Everything else on the path hangs off this instance: the
//! EMR Studio signs users in through it, the Athena workgroup, Lake Formation and
//! S3 Access Grants all name it. Trusted identity propagation needs Identity Center
//! "in the same AWS Region as the AWS services your users access" (or a
//! multi-Region instance replicated to that region, see IC002). An empty list in
//! this region while Identity Center works elsewhere usually means it was enabled
//! in another region.
//!
//! **How to fix.** Enable IAM Identity Center in this region. Console: IAM
//! Identity Center → **Enable**; from the AWS Organizations management account
//! this creates an organization instance, which AWS recommends. From a member or
//! standalone account the CLI can create an account instance:
//! `aws sso-admin create-instance --region <region>` (an account instance only
//! serves applications in that one account). If Identity Center already lives in
//! another region, create the Studio, workgroup, Lake Formation configuration and
//! S3 Access Grants instance there, or replicate the instance to this region
//! (`aws sso-admin add-region`, see IC002). An instance that is not ACTIVE: wait
//! for `CREATE_IN_PROGRESS` to finish; read `StatusReason` with
//! `aws sso-admin describe-instance` for `CREATE_FAILED`.
//!
//! **Evidence.** The API model (`ListInstances` → `Status`: `CREATE_IN_PROGRESS`,
//! `CREATE_FAILED`, `DELETE_IN_PROGRESS`, `ACTIVE`) and documented (trusted identity
//! propagation prerequisites: same-Region, or a multi-Region instance; EMR Studio:
//! enable Identity Center "in the AWS Region where you want to create the EMR
//! Studio"; Enable IAM Identity Center: organization instances recommended).
//!
//! **References.**
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/enable-identity-center.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/trustedidentitypropagation-overall-prerequisites.html
//! - https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_ListInstances.html
//! - https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-authentication.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::Ctx;
use crate::facts::IdcInstance;
use crate::fix::{Action, Kind};
use crate::idc::instance_label;
use crate::modes::InstanceStatus;

pub const META: Meta = Meta {
    id: "IC001",
    name: "identity-center-instance",
    area: Area::IdentityCenter,
    severity: Severity::Error,
    title: "An ACTIVE IAM Identity Center instance is visible in the region",
    depends_on: &[],
    hop: crate::check::Hop::Identity,
    entitlement: false,
    fixes: &[
        ("sso:CreateInstance", Kind::Ready),
        ("sso:DeleteInstance", Kind::Ready),
    ],
    needs: &[Need::IdcInstances],
    docs: &[
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/enable-identity-center.html",
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/trustedidentitypropagation-overall-prerequisites.html",
    ],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    let region = ctx.region();
    let res = format!("region {region}");
    let list = match ctx.facts.identity_center_instances.known() {
        Ok(l) => l,
        Err(u) => {
            return vec![Outcome::unknown(
                &res,
                "the IAM Identity Center instances",
                u,
            )];
        }
    };
    if list.is_empty() {
        return vec![
            Outcome::fail(
                &res,
                format!(
                    "no IAM Identity Center instance is visible in {region} (sso:ListInstances returned none): Identity Center is not enabled here, or it was enabled in another region"
                ),
            )
            .fix(Remediation::new(
                format!(
                    "Enable IAM Identity Center in {region} (console: IAM Identity Center → Enable; an organization instance from the management account is recommended; the CLI below creates an account instance, and `aws sso-admin list-instances --region {region}` then lists it). If it is enabled in another region, build the Studio, workgroup, Lake Formation and S3 Access Grants there, or replicate the instance to {region} (IC002)"
                ),
                vec![Action::CreateInstance {
                    region: region.to_string(),
                }],
                META.docs,
            )),
        ];
    }
    let active: Vec<&IdcInstance> = list
        .iter()
        .filter(|i| matches!(i.status, Some(InstanceStatus::Active) | None))
        .collect();
    if !active.is_empty() {
        let names: Vec<String> = active
            .iter()
            .map(|i| {
                let note = if i.status.is_none() {
                    " (ListInstances reported no status; taken as active)"
                } else {
                    ""
                };
                format!("{}{note}", instance_label(i))
            })
            .collect();
        return vec![Outcome::pass(
            &res,
            format!("ACTIVE in {region}: {}", names.join(", ")),
        )];
    }
    let states: Vec<String> = list
        .iter()
        .map(|i| {
            format!(
                "{} is {}",
                instance_label(i),
                i.status.as_ref().map_or("?", InstanceStatus::as_str)
            )
        })
        .collect();
    let first = &list[0];
    let arn = &first.instance_arn;
    let read = format!(
        "`aws sso-admin describe-instance --region {region} --instance-arn {arn} --query '[Status,StatusReason]'` shows its status and why"
    );
    let fix = match &first.status {
        Some(InstanceStatus::CreateInProgress) => Remediation::new(
            format!(
                "Wait for the instance to become ACTIVE ({read}), then run studio-doctor again"
            ),
            Vec::new(),
            META.docs,
        ),
        Some(InstanceStatus::CreateFailed) => Remediation::new(
            format!(
                "Read the StatusReason ({read}), then delete the failed instance and enable IAM Identity Center again (console: IAM Identity Center → Enable)"
            ),
            vec![
                Action::DeleteInstance {
                    region: region.to_string(),
                    instance_arn: arn.clone(),
                },
                Action::CreateInstance {
                    region: region.to_string(),
                },
            ],
            META.docs,
        ),
        _ => Remediation::new(
            format!(
                "The instance is being deleted ({read}): once it is gone, enable IAM Identity Center in {region} again (console: IAM Identity Center → Enable) and recreate the resources on the new instance"
            ),
            Vec::new(),
            META.docs,
        ),
    };
    vec![
        Outcome::fail(
            &res,
            format!(
                "no ACTIVE IAM Identity Center instance in {region}: {}",
                states.join(", ")
            ),
        )
        .fix(fix),
    ]
}

#[cfg(test)]
mod tests {
    use super::run;
    use crate::check::{Status, Verdict};
    use crate::ctx::Ctx;
    use crate::fact::Fact;
    use crate::testkit::{denied, healthy, instance, only, statuses};

    const I: &str = "arn:aws:sso:::instance/ssoins-7758a1b2c3d4e5f6";

    #[test]
    fn passes_with_an_active_instance() {
        let r = only("IC001", &healthy());
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(r.message.contains(I) && r.message.contains("d-9567a1b2c3"));
        assert!(r.message.contains("\"analytics-org\""), "{}", r.message);
    }

    #[test]
    fn a_missing_status_counts_as_active_and_says_so() {
        let mut f = healthy();
        instance(&mut f).status = None;
        let r = only("IC001", &f);
        assert_eq!(r.status, Status::Pass);
        assert!(r.message.contains("no status"), "{}", r.message);
    }

    #[test]
    fn fails_without_an_instance() {
        let mut f = healthy();
        f.identity_center_instances = Fact::Known(vec![]);
        let r = only("IC001", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("ap-northeast-1"), "{}", r.message);
        let fix = r.remediation.unwrap();
        assert_eq!(
            fix.commands[0],
            "aws sso-admin create-instance --region ap-northeast-1"
        );
        assert!(fix.summary.contains("organization instance"));
        assert_eq!(fix.commands.len(), 1);
        assert_eq!(fix.applicability.kind, crate::fix::Kind::Ready);
        assert!(!fix.docs.is_empty());
    }

    #[test]
    fn fails_naming_a_status_that_is_not_active() {
        let mut f = healthy();
        instance(&mut f).status = Some("CREATE_IN_PROGRESS".into());
        let r = only("IC001", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.message.contains(&format!(
                "({I}, identity store d-9567a1b2c3) is CREATE_IN_PROGRESS"
            )),
            "{}",
            r.message
        );
        let fix = r.remediation.unwrap();
        assert!(fix.summary.starts_with("Wait"));
        assert!(fix.summary.contains(&format!("--instance-arn {I}")));
        assert!(fix.commands.is_empty());
        assert_eq!(fix.applicability.kind, crate::fix::Kind::Manual);

        instance(&mut f).status = Some("CREATE_FAILED".into());
        let fix = only("IC001", &f).remediation.unwrap();
        assert_eq!(fix.commands.len(), 2);
        assert_eq!(
            fix.commands[0],
            format!("aws sso-admin delete-instance --region ap-northeast-1 --instance-arn {I}")
        );
        assert!(fix.commands[1].starts_with("aws sso-admin create-instance"));
    }

    #[test]
    fn one_active_instance_among_others_passes() {
        let mut f = healthy();
        let mut other = instance(&mut f).clone();
        other.instance_arn = "arn:aws:sso:::instance/ssoins-0000111122223333".into();
        other.status = Some("DELETE_IN_PROGRESS".into());
        if let Fact::Known(v) = &mut f.identity_center_instances {
            v.insert(0, other);
        }
        let r = only("IC001", &f);
        assert_eq!(r.status, Status::Pass);
        assert!(r.message.contains(I) && !r.message.contains("ssoins-0000"));
    }

    #[test]
    fn a_failure_skips_its_dependants() {
        let mut f = healthy();
        f.identity_center_instances = Fact::Known(vec![]);
        for id in ["IC002", "IC003", "IC004"] {
            assert_eq!(statuses(id, &f), vec![Status::Skip], "{id}");
        }
    }

    #[test]
    fn errors_when_instances_are_unknown() {
        let mut f = healthy();
        f.identity_center_instances = Fact::Unknown(denied("sso:ListInstances"));
        let r = only("IC001", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("sso:ListInstances"), "{}", r.message);
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Error);
        assert!(out[0].scope.is_empty());
    }
}
