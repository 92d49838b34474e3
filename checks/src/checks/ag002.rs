//! # AG002 access-grants-identity-center
//!
//! **What it checks.** The region's S3 Access Grants instance is associated with
//! IAM Identity Center (`GetAccessGrantsInstance` → `IdentityCenterInstanceArn`
//! is set), and with the same Identity Center instance that the Identity-Center
//! workgroups (`IdentityCenterConfiguration.IdentityCenterInstanceArn`) in scope
//! use: Athena writes the results as the workgroup's users. When no workgroup
//! names an instance, it compares with the region's Identity Center instance
//! (`sso:ListInstances`). A Studio on another instance is IC004's finding.
//!
//! **Why it matters.** Athena writes query results as the signed-in Identity
//! Center user. S3 Access Grants can only recognise that user, and grants can
//! only name Identity Center users and groups (`DIRECTORY_USER` /
//! `DIRECTORY_GROUP`), once the instance is associated with Identity Center.
//! An instance associated with a different Identity Center instance knows other
//! user and group ids, so the workgroup's users match no grant.
//!
//! **How to fix.** Not associated: console: Amazon S3 → Access Grants → the
//! region's instance → **Identity Center** → **Add** (choose the instance); CLI:
//! `aws s3control associate-access-grants-identity-center --region <REGION>
//! --account-id <ACCOUNT_ID> --identity-center-arn <IDC_INSTANCE_ARN>`.
//! Associated with the wrong instance: `aws s3control
//! dissociate-access-grants-identity-center --region <REGION> --account-id
//! <ACCOUNT_ID>`, then associate as above. Grants to the old instance's users and
//! groups do not carry over: recreate them with the new ids (AG005).
//! Associating needs `sso:CreateApplication`, `sso:PutApplicationGrant` and
//! `sso:PutApplicationAuthenticationMethod` besides
//! `s3:AssociateAccessGrantsIdentityCenter`.
//!
//! **Evidence.** Documented: S3 access-grants-directory-ids (grants to directory
//! identities need the Identity Center association, and the Identity Center
//! instance must be in the same region). The "same instance as the workgroups"
//! rule is inferred (no document states it for S3 Access Grants; the
//! QuickSight Athena TIP guide states the same-setup rule), so a mismatch is a
//! warning: a user id from one identity store is not expected to match a grant
//! made in another. Not associated at all, or associated with an instance outside
//! the region, are documented and fail.
//!
//! **References.**
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-directory-ids.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-instance-idc.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_AssociateAccessGrantsIdentityCenter.html
//! - https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::{Ctx, Unread, workgroup_label};
use crate::fix::{Action, Kind};
use crate::grants;
use crate::idc::region_idc_instance;
use crate::scope::Scope;

pub const META: Meta = Meta {
    id: "AG002",
    name: "access-grants-identity-center",
    area: Area::S3AccessGrants,
    severity: Severity::Error,
    title: "S3 Access Grants uses the workgroups' Identity Center instance",
    depends_on: &["AG001"],
    hop: crate::check::Hop::Write,
    entitlement: false,
    fixes: &[
        ("s3control:AssociateAccessGrantsIdentityCenter", Kind::Ready),
        (
            "s3control:AssociateAccessGrantsIdentityCenter",
            Kind::NeedsInput,
        ),
        (
            "s3control:DissociateAccessGrantsIdentityCenter",
            Kind::Replaces,
        ),
        (
            "s3control:AssociateAccessGrantsIdentityCenter",
            Kind::Replaces,
        ),
        (
            "s3control:DissociateAccessGrantsIdentityCenter",
            Kind::NeedsInput,
        ),
        ("s3control:CreateAccessGrantsInstance", Kind::Ready),
        ("s3control:CreateAccessGrantsInstance", Kind::NeedsInput),
    ],
    needs: &[
        Need::Caller,
        Need::AccessGrantsInstance,
        Need::IdcInstances,
        Need::Workgroups,
    ],
    docs: &[
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-instance-idc.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-directory-ids.html",
    ],
};

/// Who uses which Identity Center instance: (label, instance ARN).
type Users<'a> = Vec<(String, &'a str)>;

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    let inst = match grants::instance(ctx) {
        Ok(i) => i,
        Err(o) => return vec![*o],
    };
    let res = inst.access_grants_instance_arn.as_str();
    let (users, unknowns) = instance_users(ctx);
    let wanted = users
        .first()
        .map(|(_, arn)| *arn)
        .or_else(|| region_idc_instance(ctx));
    let current = inst
        .identity_center_instance_arn
        .as_deref()
        .filter(|a| !a.is_empty());
    let Some(current) = current else {
        return vec![
            Outcome::fail(
                res,
                format!(
                    "S3 Access Grants instance {res} is not associated with IAM Identity Center, so it cannot grant Identity Center users (or groups) the query results location; associate it with {}",
                    wanted.unwrap_or("the region's Identity Center instance")
                ),
            )
            .fix(associate_fix(ctx, wanted, false)),
        ];
    };

    let odd: Vec<&(String, &str)> = users.iter().filter(|(_, a)| *a != current).collect();
    if let Some((_, other)) = odd.first() {
        let who: Vec<String> = odd.iter().map(|(w, a)| format!("{w} uses {a}")).collect();
        return vec![
            Outcome::warn(
                res,
                format!(
                    "S3 Access Grants instance {res} is associated with Identity Center instance {current}, but {}: their users' ids are most likely not those its grants name (inferred: no AWS document states this rule for S3 Access Grants)",
                    who.join(", ")
                ),
            )
            .fix(associate_fix(ctx, Some(other), true)),
        ];
    }
    // An unreadable workgroup errors alone; unreadable workgroups leave nothing to pass.
    let mut out = match Unread::outcomes(unknowns, res, "") {
        Ok(items) => items,
        Err(all) => return all,
    };
    if !users.is_empty() {
        let who: Vec<&str> = users.iter().map(|(w, _)| w.as_str()).collect();
        out.push(Outcome::pass(
            res,
            format!(
                "S3 Access Grants instance {res} is associated with Identity Center instance {current}, the one used by {}",
                who.join(" and ")
            ),
        ));
        return out;
    }
    if !out.is_empty() {
        return out;
    }
    // No workgroup or Studio names an instance: compare with the region's.
    let region = match ctx.facts.identity_center_instances.known() {
        Ok(r) => r,
        Err(u) => {
            return vec![Outcome::unknown(
                res,
                "the region's Identity Center instances (to compare with)",
                u,
            )];
        }
    };
    if region.iter().any(|i| i.instance_arn == current) {
        vec![Outcome::pass(
            res,
            format!(
                "S3 Access Grants instance {res} is associated with {current}, the Identity Center instance in {}",
                ctx.region()
            ),
        )]
    } else if region.is_empty() {
        vec![Outcome::warn(
            res,
            format!(
                "S3 Access Grants instance {res} is associated with Identity Center instance {current}, but no Identity Center instance is visible in {}: check that Identity Center is enabled in this region",
                ctx.region()
            ),
        )]
    } else {
        let arns: Vec<&str> = region.iter().map(|i| i.instance_arn.as_str()).collect();
        vec![
            Outcome::fail(
                res,
                format!(
                    "S3 Access Grants instance {res} is associated with Identity Center instance {current}, which is not the one in {} ({})",
                    ctx.region(),
                    arns.join(", ")
                ),
            )
            .fix(associate_fix(ctx, wanted, true)),
        ]
    }
}

/// The Identity Center instances the target workgroups use, and the facts that
/// could not be read.
fn instance_users<'a>(ctx: &Ctx<'a>) -> (Users<'a>, Vec<Unread<'a>>) {
    let mut users = Vec::new();
    let mut unknowns = Vec::new();
    match ctx.workgroups() {
        Ok(ws) => users.extend(ws.into_iter().filter_map(|w| {
            if let Some(u) = &w.unreadable {
                let what = format!("{} (to compare with)", workgroup_label(w));
                unknowns.push(Unread::item(what, Scope::workgroup(w), u));
            }
            let arn = w.identity_center_instance_arn.as_deref()?;
            (!arn.is_empty()).then(|| (workgroup_label(w), arn))
        })),
        Err(u) => unknowns.push(Unread::fact("the Athena workgroups (to compare with)", u)),
    }
    (users, unknowns)
}

fn associate_fix(ctx: &Ctx, arn: Option<&str>, dissociate_first: bool) -> Remediation {
    let (region, account) = (ctx.region().to_string(), ctx.account().to_string());
    let mut actions = Vec::new();
    if dissociate_first {
        actions.push(Action::DissociateAccessGrantsIdentityCenter {
            region: region.clone(),
            account_id: account.clone(),
        });
    }
    actions.push(Action::AssociateAccessGrantsIdentityCenter {
        region,
        account_id: account,
        identity_center_arn: arn.unwrap_or("<IDENTITY_CENTER_INSTANCE_ARN>").to_string(),
    });
    if dissociate_first {
        Remediation::new(
            "Re-associate the S3 Access Grants instance with the Identity Center instance the workgroups use; grants to the old instance's users and groups must then be recreated",
            actions,
            META.docs,
        )
        .replaces(REASSOCIATE_KEEPS)
    } else {
        Remediation::new(
            "Associate the S3 Access Grants instance with the Identity Center instance the workgroups use",
            actions,
            META.docs,
        )
    }
}

/// What re-associating the instance keeps.
const REASSOCIATE_KEEPS: &str = "the S3 Access Grants instance keeps its locations and its grants; the grants to the old Identity Center instance's users and groups then name nobody and must be recreated for the new instance's ids";

#[cfg(test)]
mod tests {
    use super::run;
    use crate::check::{Status, Verdict};
    use crate::ctx::Ctx;
    use crate::fact::Fact;
    use crate::facts::Facts;
    use crate::testkit::{denied, healthy, only, skipped};

    const I: &str = "arn:aws:sso:::instance/ssoins-7758a1b2c3d4e5f6";
    const OTHER: &str = "arn:aws:sso:::instance/ssoins-0000111122223333";

    fn set_s3ag_idc(f: &mut Facts, arn: Option<&str>) {
        if let Fact::Known(Some(i)) = &mut f.access_grants.instance {
            i.identity_center_instance_arn = arn.map(String::from);
        }
    }

    #[test]
    fn passes_when_associated_with_the_workgroups_instance() {
        let r = only("AG002", &healthy());
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(r.message.contains("workgroup \"idc-wg\""), "{}", r.message);
    }

    #[test]
    fn fails_when_not_associated() {
        for arn in [None, Some("")] {
            let mut f = healthy();
            set_s3ag_idc(&mut f, arn);
            let r = only("AG002", &f);
            assert_eq!(r.status, Status::Fail);
            assert!(r.message.contains("not associated"), "{}", r.message);
            assert_eq!(
                r.remediation.unwrap().commands,
                vec![format!(
                    "aws s3control associate-access-grants-identity-center --region ap-northeast-1 --account-id 111122223333 --identity-center-arn {I}"
                )]
            );
        }
    }

    #[test]
    fn warns_on_another_instance_and_names_both() {
        // The same-instance rule is inferred: a warning, never a failure.
        let mut f = healthy();
        set_s3ag_idc(&mut f, Some(OTHER));
        let r = only("AG002", &f);
        assert_eq!(r.status, Status::Warn);
        assert!(r.message.contains("inferred"), "{}", r.message);
        assert!(r.message.contains(OTHER), "{}", r.message);
        assert!(
            r.message
                .contains(&format!("workgroup \"idc-wg\" uses {I}")),
            "{}",
            r.message
        );
        let fix = r.remediation.unwrap();
        assert_eq!(fix.commands.len(), 2);
        assert!(
            fix.commands[0].starts_with("aws s3control dissociate-access-grants-identity-center")
        );
        assert!(fix.commands[1].ends_with(&format!("--identity-center-arn {I}")));
        assert!(fix.summary.contains("recreated"));
        assert_eq!(fix.applicability.kind, crate::fix::Kind::Replaces);
        assert!(
            fix.applicability
                .kept
                .unwrap()
                .contains("keeps its locations")
        );
    }

    #[test]
    fn a_studio_on_another_instance_is_left_to_ic004() {
        let mut f = healthy();
        if let Fact::Known(ss) = &mut f.studios {
            ss[0].idc_instance_arn = Some(OTHER.into());
        }
        assert_eq!(only("AG002", &f).status, Status::Pass);
    }

    #[test]
    fn falls_back_to_the_region_instance() {
        let mut f = healthy();
        f.workgroups = Fact::Known(vec![]);
        f.studios = Fact::Known(vec![]);
        let r = only("AG002", &f);
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(
            r.message
                .contains("the Identity Center instance in ap-northeast-1")
        );

        set_s3ag_idc(&mut f, Some(OTHER));
        let r = only("AG002", &f);
        assert_eq!(r.status, Status::Fail, "{}", r.message);
        assert!(r.remediation.unwrap().commands[1].ends_with(I));

        f.identity_center_instances = Fact::Known(vec![]);
        assert_eq!(only("AG002", &f).status, Status::Warn);

        f.identity_center_instances = Fact::Unknown(denied("sso:ListInstances"));
        assert_eq!(only("AG002", &f).status, Status::Error);
    }

    #[test]
    fn skips_when_there_is_no_instance() {
        let mut f = healthy();
        f.access_grants.instance = Fact::Known(None);
        skipped("AG002", &f, "AG001");
    }

    #[test]
    fn errors_when_workgroups_are_unknown() {
        let mut f = healthy();
        f.workgroups = Fact::Unknown(denied("athena:ListWorkGroups"));
        let r = only("AG002", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("athena:ListWorkGroups"), "{}", r.message);
    }

    #[test]
    fn a_known_mismatch_fails_with_no_workgroup_to_compare() {
        let mut f = healthy();
        f.workgroups = Fact::Known(vec![]);
        set_s3ag_idc(&mut f, Some(OTHER));
        assert_eq!(only("AG002", &f).status, Status::Fail);
    }

    #[test]
    fn errors_when_the_instance_is_unknown() {
        let mut f = healthy();
        f.access_grants.instance = Fact::Unknown(denied("s3:GetAccessGrantsInstance"));
        let out = run(&Ctx::new(&f));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].verdict, Verdict::Error);
    }
}
