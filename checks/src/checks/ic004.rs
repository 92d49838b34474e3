//! # IC004 identity-center-same-instance
//!
//! **What it checks.** The components on the query path all use one IAM Identity
//! Center instance: each Identity Center EMR Studio in scope
//! (`DescribeStudio` → `IdcInstanceArn`), each Identity Center workgroup in scope
//! (`GetWorkGroup` → `IdentityCenterConfiguration.IdentityCenterInstanceArn`),
//! Lake Formation (`DescribeLakeFormationIdentityCenterConfiguration` →
//! `InstanceArn`) and the S3 Access Grants instance (`GetAccessGrantsInstance` →
//! `IdentityCenterInstanceArn`). The reference is the region's ACTIVE instance
//! when exactly one is visible; otherwise (`ListInstances` lists organization
//! and account instances alike) the instance most components use, and the
//! per-user checks look users up in its identity store. Each
//! component on another instance is reported, by name, with the fix for that
//! component. Components that are absent (no Lake Formation configuration, an
//! Access Grants instance without Identity Center, ...) are left to their own
//! checks. A fact that cannot be read is named in the message; the check only
//! passes when every component could be read.
//!
//! **Why it matters.** Users and groups are identified by ids that belong to one
//! identity store. A Studio signing users in through one instance, and a
//! workgroup, Lake Formation grants or S3 Access Grants that know another
//! instance's ids, cannot agree on who the user is: queries are denied with
//! nothing pointing at the cause.
//!
//! **How to fix.** Move the odd one out onto the reference instance. Studio and
//! workgroup: the instance cannot be changed, create a new one (`aws emr
//! create-studio ... --idc-instance-arn <instance>`, `aws athena
//! create-work-group ... IdentityCenterInstanceArn`; the report fills in the
//! rest), reassign users, then delete the old one. Lake Formation: `aws
//! lakeformation delete-lake-formation-identity-center-configuration` then
//! `create-lake-formation-identity-center-configuration --instance-arn
//! <instance>`. S3 Access Grants: `aws s3control
//! dissociate-access-grants-identity-center` then
//! `associate-access-grants-identity-center --identity-center-arn <instance>`.
//! Grants made to the old instance's users and groups must be made again.
//!
//! **Evidence.** Inferred, by analogy with the Amazon Quick Sight documentation
//! ("IAM Identity Center instance, Athena workgroup, Lake Formation and Amazon S3
//! Access Grants must all be deployed in the same AWS Region" with one instance)
//! and documented (S3 Access Grants and Lake Formation are each associated with one
//! Identity Center instance). Because the rule is inferred, this check is a
//! **warning**: a mismatch shows as `warn`.
//!
//! **References.**
//! - https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/connect-lf-identity-center.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-directory-ids.html
//! - https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-create-studio.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::{Basis, Ctx, IdcComponent, IdcPart, Unread};
use crate::fix::{Action, Kind};
use crate::fixes::{create_fix_on, recreate_fix};
use crate::scope::Scope;

pub const META: Meta = Meta {
    id: "IC004",
    name: "identity-center-same-instance",
    area: Area::IdentityCenter,
    severity: Severity::Warning,
    title: "Studio, workgroup, Lake Formation, Access Grants share one instance",
    depends_on: &["IC001"],
    hop: crate::check::Hop::SignIn,
    entitlement: false,
    fixes: &[
        ("emr:CreateStudio", Kind::Recreates),
        ("emr:DeleteStudio", Kind::Recreates),
        ("iam:CreateRole", Kind::Ready),
        ("athena:CreateWorkGroup", Kind::Ready),
        ("iam:CreateRole", Kind::NeedsInput),
        ("athena:CreateWorkGroup", Kind::NeedsInput),
        (
            "lakeformation:DeleteLakeFormationIdentityCenterConfiguration",
            Kind::Recreates,
        ),
        (
            "lakeformation:CreateLakeFormationIdentityCenterConfiguration",
            Kind::Recreates,
        ),
        (
            "s3control:DissociateAccessGrantsIdentityCenter",
            Kind::Replaces,
        ),
        (
            "s3control:AssociateAccessGrantsIdentityCenter",
            Kind::Replaces,
        ),
    ],
    needs: &[
        Need::Caller,
        Need::IdcInstances,
        Need::Studios,
        Need::Workgroups,
        Need::LfIdentityCenter,
        Need::AccessGrantsInstance,
    ],
    docs: &[
        "https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html",
        "https://docs.aws.amazon.com/lake-formation/latest/dg/connect-lf-identity-center.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-directory-ids.html",
    ],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    let (parts, unknowns) = ctx.idc_components();
    let res = format!("Identity Center instance in {}", ctx.region());
    let choice = match ctx.idc_instance() {
        Some(c) if !parts.is_empty() => c,
        _ => {
            return unknowns
                .into_iter()
                .map(|x| Outcome::unknown(&res, &x.what, x.why))
                .collect();
        }
    };
    let reference = choice.arn;
    let from_region = choice.basis == Basis::OnlyActive;
    let agree: Vec<&str> = parts
        .iter()
        .filter(|c| c.arn == reference)
        .map(|c| c.label.as_str())
        .collect();
    let unread = if unknowns.is_empty() {
        String::new()
    } else {
        let v: Vec<String> = unknowns
            .iter()
            .map(|x| format!("{} ({})", x.what, x.why))
            .collect();
        format!("; could not read {}", v.join(", "))
    };
    let odd: Vec<Outcome> = parts
        .iter()
        .filter(|c| c.arn != reference)
        .map(|c| {
            let basis = if from_region {
                format!("the ACTIVE instance in {} is", ctx.region())
            } else {
                format!("{} of the {} components use", agree.len(), parts.len())
            };
            let users = if agree.is_empty() {
                String::new()
            } else {
                format!(" ({})", agree.join(", "))
            };
            let o = Outcome::fail(
                &c.label,
                format!(
                    "{} uses Identity Center instance {}, but {basis} {reference}{users}: user and group ids from one instance mean nothing to the other (inferred){unread}",
                    c.label, c.arn
                ),
            )
            .fix(fix(ctx, c, reference));
            match c.kind {
                IdcPart::Studio(s) => o.scope(Scope::studio(s)),
                IdcPart::Workgroup(w) => o.scope(Scope::workgroup(w)),
                _ => o,
            }
        })
        .collect();
    if !odd.is_empty() {
        return odd;
    }
    // One unreadable Studio or workgroup errors alone; an unreadable list
    // leaves nothing to pass.
    let mut out = match Unread::outcomes(unknowns, &res, &format!(" (the rest use {reference})")) {
        Ok(items) => items,
        Err(all) => return all,
    };
    let note = if from_region {
        format!(", the ACTIVE instance in {}", ctx.region())
    } else {
        let n = ctx.active_instances().len();
        if n > 1 {
            format!(
                " ({n} ACTIVE instances are visible in {}; per-user lookups use this one)",
                ctx.region()
            )
        } else {
            String::new()
        }
    };
    out.push(Outcome::pass(
        &res,
        format!("{} all use {reference}{note}", agree.join(", ")),
    ));
    out
}

fn fix(ctx: &Ctx, c: &IdcComponent, reference: &str) -> Remediation {
    let (region, acct) = (ctx.region(), ctx.account());
    match c.kind {
        IdcPart::Studio(s) => retarget(
            recreate_fix(
                ctx,
                Some(s),
                &format!(
                    "A Studio's Identity Center instance cannot be changed: create a new Studio on {reference}, assign its users and groups, then delete {}",
                    c.label
                ),
            ),
            reference,
        ),
        IdcPart::Workgroup(w) => create_fix_on(
            ctx,
            &format!("{}-new", w.name),
            Some(w),
            Some(reference),
            &format!(
                "A workgroup's Identity Center instance cannot be changed: create a new workgroup on {reference}, assign its users and groups, and use it instead of {}",
                c.label
            ),
        ),
        IdcPart::LakeFormation => Remediation::new(
            format!(
                "Recreate the Lake Formation Identity Center configuration on {reference}; Lake Formation grants to the old instance's users and groups must then be made again"
            ),
            vec![
                Action::DeleteLakeFormationIdentityCenterConfiguration {
                    region: region.to_string(),
                    catalog_id: acct.to_string(),
                },
                Action::CreateLakeFormationIdentityCenterConfiguration {
                    region: region.to_string(),
                    catalog_id: acct.to_string(),
                    instance_arn: reference.to_string(),
                },
            ],
            &[META.docs[1]],
        )
        .recreates("UpdateLakeFormationIdentityCenterConfiguration cannot change the Identity Center instance: the configuration is deleted and created again on the other instance, and queries through Identity Center fail in between"),
        IdcPart::AccessGrants => Remediation::new(
            format!(
                "Re-associate the S3 Access Grants instance with {reference}; grants to the old instance's users and groups must then be made again"
            ),
            vec![
                Action::DissociateAccessGrantsIdentityCenter {
                    region: region.to_string(),
                    account_id: acct.to_string(),
                },
                Action::AssociateAccessGrantsIdentityCenter {
                    region: region.to_string(),
                    account_id: acct.to_string(),
                    identity_center_arn: reference.to_string(),
                },
            ],
            &[META.docs[2]],
        )
        .replaces("the S3 Access Grants instance, its locations and its grants to IAM principals; grants to the old instance's users and groups no longer apply"),
    }
}

/// The shared create-Studio fix fills in an instance of its own choosing: point
/// its `--idc-instance-arn` at the reference instead.
fn retarget(mut r: Remediation, reference: &str) -> Remediation {
    for a in &mut r.actions {
        if let Action::CreateStudio {
            idc_instance_arn, ..
        } = a
        {
            *idc_instance_arn = reference.to_string();
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::run;
    use crate::check::{Severity, Status, Verdict};
    use crate::ctx::Ctx;
    use crate::fact::Fact;
    use crate::facts::{Facts, LfIdentityCenter};
    use crate::scope::Scope;
    use crate::testkit::{denied, healthy, only, results, skipped};

    const I: &str = "arn:aws:sso:::instance/ssoins-7758a1b2c3d4e5f6";
    const OTHER: &str = "arn:aws:sso:::instance/ssoins-0000111122223333";

    fn lf_on(f: &mut Facts, arn: &str) {
        f.lake_formation.identity_center = Fact::Known(Some(LfIdentityCenter {
            instance_arn: arn.into(),
            application_arn: None,
        }));
    }

    #[test]
    fn is_a_warning_check() {
        assert_eq!(super::META.severity, Severity::Warning);
    }

    #[test]
    fn passes_when_all_use_one_instance() {
        let r = only("IC004", &healthy());
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        for part in [
            "Studio \"analytics\"",
            "workgroup \"idc-wg\"",
            "Lake Formation",
            "S3 Access Grants instance",
        ] {
            assert!(r.message.contains(part), "{part}: {}", r.message);
        }
        assert!(r.message.contains(I));
    }

    #[test]
    fn warns_naming_lake_formation_on_another_instance() {
        let mut f = healthy();
        lf_on(&mut f, OTHER);
        let r = only("IC004", &f);
        assert_eq!(r.status, Status::Warn);
        assert!(
            r.message
                .starts_with(&format!("the Lake Formation Identity Center configuration uses Identity Center instance {OTHER}")),
            "{}",
            r.message
        );
        assert!(r.message.contains("Studio \"analytics\""), "{}", r.message);
        let fix = r.remediation.unwrap();
        assert_eq!(
            fix.commands,
            vec![
                "aws lakeformation delete-lake-formation-identity-center-configuration --region ap-northeast-1 --catalog-id 111122223333".to_string(),
                format!("aws lakeformation create-lake-formation-identity-center-configuration --region ap-northeast-1 --catalog-id 111122223333 --instance-arn {I}"),
            ]
        );
        assert_eq!(fix.applicability.kind, crate::fix::Kind::Recreates);
    }

    #[test]
    fn warns_for_a_studio_or_workgroup_with_a_recreate_fix() {
        let mut f = healthy();
        if let Fact::Known(ss) = &mut f.studios {
            ss[0].idc_instance_arn = Some(OTHER.into());
        }
        let out = run(&Ctx::new(&f));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].verdict, Verdict::Fail);
        assert_eq!(
            out[0].scope,
            vec![Scope::Studio("es-D1A2B3C4D5E6F7A8B9C0D1E2F".into())]
        );
        let c = &out[0].fix.as_ref().unwrap().commands[0];
        assert!(
            c.starts_with("aws emr create-studio")
                && c.ends_with(&format!("--idc-instance-arn {I}")),
            "{c}"
        );

        let mut f = healthy();
        if let Fact::Known(ws) = &mut f.workgroups {
            ws[0].identity_center_instance_arn = Some(OTHER.into());
        }
        let r = only("IC004", &f);
        assert_eq!(r.status, Status::Warn);
        let c = &r.remediation.unwrap().commands[0];
        assert!(c.contains("--name idc-wg-new"), "{c}");
        assert!(
            c.contains(&format!("\"IdentityCenterInstanceArn\":\"{I}\"")),
            "{c}"
        );
    }

    #[test]
    fn warns_for_access_grants_with_reassociate_fix() {
        let mut f = healthy();
        if let Fact::Known(Some(i)) = &mut f.access_grants.instance {
            i.identity_center_instance_arn = Some(OTHER.into());
        }
        let r = only("IC004", &f);
        assert_eq!(r.status, Status::Warn);
        let fix = r.remediation.unwrap();
        let c = &fix.commands;
        assert!(c[0].starts_with("aws s3control dissociate-access-grants-identity-center"));
        assert!(c[1].ends_with(&format!("--identity-center-arn {I}")));
        assert_eq!(fix.applicability.kind, crate::fix::Kind::Replaces);
    }

    /// An account instance listed before the instance the components use.
    fn account_instance_first(f: &mut Facts) {
        if let Fact::Known(v) = &mut f.identity_center_instances {
            let mut other = v[0].clone();
            other.instance_arn = OTHER.into();
            other.identity_store_id = "d-0000000000".into();
            v.insert(0, other);
        }
    }

    #[test]
    fn with_several_instances_the_components_decide_and_the_pass_says_so() {
        let mut f = healthy();
        account_instance_first(&mut f);
        let r = only("IC004", &f);
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(
            r.message
                .contains(&format!("all use {I} (2 ACTIVE instances")),
            "{}",
            r.message
        );
    }

    #[test]
    fn with_several_instances_the_odd_studio_is_recreated_on_the_majority_instance() {
        let mut f = healthy();
        account_instance_first(&mut f);
        if let Fact::Known(ss) = &mut f.studios {
            ss[0].idc_instance_arn = Some(OTHER.into());
        }
        let r = only("IC004", &f);
        assert_eq!(r.status, Status::Warn);
        assert!(
            r.message.contains("3 of the 4 components use"),
            "{}",
            r.message
        );
        let c = &r.remediation.unwrap().commands[0];
        assert!(c.ends_with(&format!("--idc-instance-arn {I}")), "{c}");
    }

    #[test]
    fn majority_decides_without_a_single_region_instance() {
        let mut f = healthy();
        f.identity_center_instances = Fact::Known(vec![]);
        lf_on(&mut f, OTHER);
        let out = run(&Ctx::new(&f));
        assert_eq!(out.len(), 1);
        assert!(
            out[0].message.contains("3 of the 4 components use"),
            "{}",
            out[0].message
        );
        assert!(out[0].resource.contains("Lake Formation"));
    }

    #[test]
    fn absent_components_are_ignored() {
        let mut f = healthy();
        f.lake_formation.identity_center = Fact::Known(None);
        f.access_grants.instance = Fact::Known(None);
        let r = only("IC004", &f);
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(!r.message.contains("Lake Formation"));

        let mut f = healthy();
        f.studios = Fact::Known(vec![]);
        f.workgroups = Fact::Known(vec![]);
        f.lake_formation.identity_center = Fact::Known(None);
        f.access_grants.instance = Fact::Known(None);
        let r = only("IC004", &f);
        assert_eq!(r.status, Status::Skip, "{}", r.message);
    }

    #[test]
    fn unknown_facts_error_unless_a_mismatch_is_known() {
        let mut f = healthy();
        f.lake_formation.identity_center = Fact::Unknown(denied(
            "lakeformation:DescribeLakeFormationIdentityCenterConfiguration",
        ));
        let r = only("IC004", &f);
        assert_eq!(r.status, Status::Error);
        assert!(
            r.message
                .contains("DescribeLakeFormationIdentityCenterConfiguration")
        );

        if let Fact::Known(Some(i)) = &mut f.access_grants.instance {
            i.identity_center_instance_arn = Some(OTHER.into());
        }
        let r = only("IC004", &f);
        assert_eq!(r.status, Status::Warn);
        assert!(
            r.message.contains("could not read the Lake Formation"),
            "{}",
            r.message
        );

        let mut f = healthy();
        f.studios = Fact::Unknown(denied("elasticmapreduce:ListStudios"));
        f.workgroups = Fact::Unknown(denied("athena:ListWorkGroups"));
        f.lake_formation.identity_center = Fact::Known(None);
        f.access_grants.instance = Fact::Known(None);
        let s: Vec<_> = results("IC004", &f).iter().map(|r| r.status).collect();
        assert_eq!(s, vec![Status::Error, Status::Error]);
    }

    #[test]
    fn skips_when_ic001_fails() {
        let mut f = healthy();
        f.identity_center_instances = Fact::Known(vec![]);
        skipped("IC004", &f, "IC001");
    }
}
