//! # IC005 identity-center-instance-account
//!
//! **What it checks.** The IAM Identity Center instance the query path uses (the
//! one IC004 settles on: the region's only ACTIVE instance, else the one most of
//! the Studios, workgroups, Lake Formation and S3 Access Grants name) can serve
//! resources in the target account. Its owner (`ListInstances` →
//! `OwnerAccountId`) is compared with the target account
//! (`sts:GetCallerIdentity`) and with the management account of the target
//! account's organization (`organizations:DescribeOrganization` →
//! `MasterAccountId`):
//! - owned by the target account: passes (an account instance of that account,
//!   or the organization instance seen from the management account);
//! - owned by the management account of the target account's organization:
//!   passes (the organization instance, used from a member account);
//! - owned by any other account, or the target account is in no organization:
//!   fails. When Identity Center was read from another account
//!   (`--identity-center-profile`, `--identity-center-role-arn`), that account's
//!   organization tells an account instance of another account from the
//!   organization instance of another organization, and the message says which.
//!
//! The organization only matters when the owner is another account; if it
//! cannot be read then, or the owner is not known, the check ends in `error`.
//!
//! **Why it matters.** An account instance is bound to one account: it manages
//! access only for applications in that account and region, so a Studio,
//! workgroup, Lake Formation configuration or S3 Access Grants instance in
//! another account cannot use it, and users cannot reach the data through
//! trusted identity propagation. Across accounts, trusted identity propagation
//! needs the accounts in the same organization, the same region and the
//! organization instance; an instance of another organization serves none of
//! this account's resources.
//!
//! **How to fix.** A resource's Identity Center instance cannot be changed in
//! place, so this is a decision for a person, not a command:
//! - use the organization instance of the target account's organization (it is
//!   enabled in the management account; `aws sso-admin list-instances` in the
//!   target account lists it) and create the Studio and the workgroup again on
//!   it, and point Lake Formation and S3 Access Grants at it (IC004 prints the
//!   commands for each component once the instances differ); or
//! - build the Studio, workgroup, Lake Formation and S3 Access Grants set-up in
//!   the account that owns the account instance; or
//! - for a single account, use an account instance of the target account itself.
//!
//! Grants made to the old instance's users and groups must be made again.
//!
//! **Evidence.** Documented: "Account instances are bound to a single AWS
//! account and are used only to manage user and group access for supported
//! applications in the same account and AWS Region" (Account instances of IAM
//! Identity Center); "If you plan to use a single account instance of IAM
//! Identity Center, all AWS services and resources that you want users to
//! access through trusted identity propagation must reside in the same
//! standalone AWS account, or in the same member account in the organization
//! where you enabled IAM Identity Center" (trusted identity propagation
//! prerequisites); cross-account trusted identity propagation with Lake
//! Formation needs the same Region, the same organization and an organization
//! instance (the Lake Formation set-up for trusted identity propagation). The
//! failures rest on these. Inferred: that an instance owned by the management
//! account is the organization instance, and that its `OwnerAccountId` stays the
//! management account when a delegated administrator manages it. The
//! documentation says the organization instance is the one "you enable in the
//! AWS Organizations management account", that `CreateInstance` (an account
//! instance) "is rejected if ... the instance is created within the
//! organization management account", and that "only the account that owns the
//! instance" can delete it while "neither the delegated administrator nor
//! member account can delete the organization instance".
//!
//! **References.**
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/account-instances-identity-center.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/trustedidentitypropagation-overall-prerequisites-considerations.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/identity-center-instances.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/tip-tutorial-lf.html
//! - https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreateInstance.html
//! - https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_DeleteInstance.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::Ctx;
use crate::fact::Fact;
use crate::facts::Organization;

pub const META: Meta = Meta {
    id: "IC005",
    name: "identity-center-instance-account",
    area: Area::IdentityCenter,
    severity: Severity::Error,
    title: "The Identity Center instance can serve this account",
    depends_on: &["IC001"],
    hop: crate::check::Hop::SignIn,
    entitlement: false,
    fixes: &[],
    needs: &[
        Need::Caller,
        Need::IdcInstances,
        Need::Organization,
        Need::Studios,
        Need::Workgroups,
        Need::LfIdentityCenter,
        Need::AccessGrantsInstance,
    ],
    docs: &[
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/account-instances-identity-center.html",
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/trustedidentitypropagation-overall-prerequisites-considerations.html",
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/identity-center-instances.html",
    ],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    let f = ctx.facts;
    let (parts, unknowns) = ctx.idc_components();
    let res = format!("Identity Center instance in {}", ctx.region());
    let arn = match ctx.idc_instance() {
        Some(c) if !parts.is_empty() => c.arn,
        _ => {
            return unknowns
                .into_iter()
                .map(|x| Outcome::unknown(&res, &x.what, x.why))
                .collect();
        }
    };
    let res = format!("Identity Center instance {arn}");
    let account = match &f.caller {
        Fact::Known(c) => c.account_id.as_str(),
        Fact::Unknown(why) => return vec![Outcome::unknown(&res, "the caller identity", why)],
    };
    let list = match f.identity_center_instances.known() {
        Ok(l) => l,
        Err(why) => return vec![Outcome::unknown(&res, "the Identity Center instances", why)],
    };
    let listed = list.iter().find(|i| i.instance_arn == arn);
    let Some(owner) = listed.and_then(|i| i.owner_account_id.as_deref()) else {
        let why = if listed.is_some() {
            "sso:ListInstances gave no OwnerAccountId for it"
        } else {
            "it is not among the instances sso:ListInstances lists"
        };
        return vec![Outcome::error(
            &res,
            format!("could not read the account that owns {arn}: {why}"),
        )];
    };
    if owner == account {
        return vec![Outcome::pass(
            &res,
            format!("owned by account {account}, the account of the resources"),
        )];
    }
    let org = match f.organization.known() {
        Ok(o) => o.as_ref(),
        Err(why) => {
            return vec![Outcome::unknown(
                &res,
                &format!(
                    "the organization of account {account}, needed because {arn} is owned by account {owner}"
                ),
                why,
            )];
        }
    };
    if let Some(o) = org.filter(|o| o.management_account_id == owner) {
        return vec![Outcome::pass(
            &res,
            format!(
                "the organization instance of {} (owned by its management account {owner}), used from member account {account}",
                o.id
            ),
        )];
    }
    let what = kind_of(
        f.identity_center_source.as_ref().map(|s| &s.organization),
        owner,
        org,
    );
    let here = match org {
        Some(o) => format!(
            "account {account} is in organization {}, whose management account is {}",
            o.id, o.management_account_id
        ),
        None => format!("account {account} is in no organization"),
    };
    vec![
        Outcome::fail(
            &res,
            format!(
                "{arn} is {what}, and {here}: Studios, workgroups, Lake Formation and S3 Access Grants in account {account} cannot use it; trusted identity propagation across accounts needs the same organization, the same region and the organization instance"
            ),
        )
        .fix(fix(account, owner, org)),
    ]
}

/// What the instance owned by `owner` is, as far as the facts tell.
fn kind_of(
    source_org: Option<&Fact<Option<Organization>>>,
    owner: &str,
    org: Option<&Organization>,
) -> String {
    match source_org.map(Fact::known) {
        Some(Ok(Some(o))) if o.management_account_id == owner => format!(
            "the organization instance of another organization, {} (management account {owner})",
            o.id
        ),
        Some(Ok(_)) => format!("an account instance of account {owner}"),
        _ => match org {
            Some(o) => format!(
                "owned by account {owner}, which is not the management account of {}: an account instance of another account, or the instance of another organization",
                o.id
            ),
            None => format!(
                "owned by account {owner}: an account instance of another account, or the instance of an organization"
            ),
        },
    }
}

fn fix(account: &str, owner: &str, org: Option<&Organization>) -> Remediation {
    let org_instance = match org {
        Some(o) => format!(
            "create the Studio and the workgroup again on the organization instance of {} (enabled in its management account {}; `aws sso-admin list-instances` in account {account} lists it) and point Lake Formation and S3 Access Grants at it",
            o.id, o.management_account_id
        ),
        None => format!(
            "create the Studio and the workgroup again on an account instance of account {account} and point Lake Formation and S3 Access Grants at it"
        ),
    };
    Remediation::new(
        format!(
            "A resource's Identity Center instance cannot be changed in place: either {org_instance}, or build the Studio, workgroup, Lake Formation and S3 Access Grants set-up in account {owner}; grants to the old instance's users and groups must then be made again"
        ),
        Vec::new(),
        &[META.docs[0], META.docs[1]],
    )
}

#[cfg(test)]
mod tests {
    use crate::check::{Severity, Status};
    use crate::fact::Fact;
    use crate::facts::{Facts, IdcSource, Organization};
    use crate::fix::Kind;
    use crate::testkit::{denied, healthy, instance, only, skipped};

    const OTHER: &str = "444455556666";

    fn org(id: &str, management: &str) -> Fact<Option<Organization>> {
        Fact::Known(Some(Organization {
            id: id.into(),
            management_account_id: management.into(),
        }))
    }

    /// The instance is owned by account 444455556666, read from there.
    fn foreign(f: &mut Facts, source_org: Option<Fact<Option<Organization>>>) {
        instance(f).owner_account_id = Some(OTHER.into());
        f.identity_center_source = source_org.map(|organization| IdcSource {
            account_id: OTHER.into(),
            organization,
        });
    }

    #[test]
    fn is_an_error_check() {
        assert_eq!(super::META.severity, Severity::Error);
    }

    #[test]
    fn passes_for_an_instance_of_the_account_itself() {
        let r = only("IC005", &healthy());
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(r.message.contains("owned by account 111122223333"));

        // The organization is not needed then.
        let mut f = healthy();
        f.organization = Fact::Unknown(denied("organizations:DescribeOrganization"));
        assert_eq!(only("IC005", &f).status, Status::Pass);
    }

    #[test]
    fn passes_for_the_organization_instance_seen_from_a_member() {
        let mut f = healthy();
        instance(&mut f).owner_account_id = Some("999988887777".into());
        f.organization = org("o-a1b2c3d4e5", "999988887777");
        let r = only("IC005", &f);
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(
            r.message.contains("organization instance of o-a1b2c3d4e5")
                && r.message.contains("member account 111122223333"),
            "{}",
            r.message
        );
    }

    #[test]
    fn fails_for_an_account_instance_of_another_account() {
        let mut f = healthy();
        foreign(&mut f, Some(org("o-a1b2c3d4e5", "111122223333")));
        let r = only("IC005", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.message
                .contains("is an account instance of account 444455556666"),
            "{}",
            r.message
        );
        let fix = r.remediation.unwrap();
        assert_eq!(fix.applicability.kind, Kind::Manual);
        assert!(fix.commands.is_empty());
        assert!(
            fix.summary
                .contains("organization instance of o-a1b2c3d4e5 (enabled in its management account 111122223333"),
            "{}",
            fix.summary
        );
        assert!(fix.summary.contains("in account 444455556666"));
    }

    #[test]
    fn fails_for_the_organization_instance_of_another_organization() {
        let mut f = healthy();
        foreign(&mut f, Some(org("o-f6e5d4c3b2", OTHER)));
        let r = only("IC005", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.message.contains(
                "the organization instance of another organization, o-f6e5d4c3b2 (management account 444455556666)"
            ),
            "{}",
            r.message
        );
        assert!(r.message.contains("in organization o-a1b2c3d4e5"));
    }

    #[test]
    fn without_the_source_organization_the_message_says_both_are_possible() {
        let mut f = healthy();
        foreign(&mut f, None);
        let r = only("IC005", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.message
                .contains("not the management account of o-a1b2c3d4e5: an account instance of another account, or the instance of another organization"),
            "{}",
            r.message
        );
        foreign(
            &mut f,
            Some(Fact::Unknown(denied("organizations:DescribeOrganization"))),
        );
        assert!(only("IC005", &f).message.contains("or the instance of"));
    }

    #[test]
    fn fails_for_a_foreign_owner_outside_any_organization() {
        let mut f = healthy();
        foreign(&mut f, Some(Fact::Known(None)));
        f.organization = Fact::Known(None);
        let r = only("IC005", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.message
                .contains("account 111122223333 is in no organization"),
            "{}",
            r.message
        );
        let fix = r.remediation.unwrap();
        assert!(
            fix.summary
                .contains("an account instance of account 111122223333"),
            "{}",
            fix.summary
        );
    }

    #[test]
    fn an_unknown_organization_is_an_error_for_a_foreign_owner() {
        let mut f = healthy();
        foreign(&mut f, None);
        f.organization = Fact::Unknown(denied("organizations:DescribeOrganization"));
        let r = only("IC005", &f);
        assert_eq!(r.status, Status::Error);
        assert!(
            r.message.contains("organizations:DescribeOrganization")
                && r.message.contains("owned by account 444455556666"),
            "{}",
            r.message
        );
    }

    #[test]
    fn an_unknown_owner_is_an_error() {
        let mut f = healthy();
        instance(&mut f).owner_account_id = None;
        let r = only("IC005", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("no OwnerAccountId"), "{}", r.message);

        // The components name an instance that is not listed.
        let mut f = healthy();
        let other = "arn:aws:sso:::instance/ssoins-0000111122223333";
        let mut second = instance(&mut f).clone();
        second.instance_arn = "arn:aws:sso:::instance/ssoins-9999888877776666".into();
        if let Fact::Known(v) = &mut f.identity_center_instances {
            v.push(second);
        }
        if let Fact::Known(ss) = &mut f.studios {
            ss[0].idc_instance_arn = Some(other.into());
        }
        f.lake_formation.identity_center = Fact::Known(None);
        f.access_grants.instance = Fact::Known(None);
        if let Fact::Known(ws) = &mut f.workgroups {
            for w in ws {
                if w.identity_center_instance_arn.is_some() {
                    w.identity_center_instance_arn = Some(other.into());
                }
            }
        }
        let r = only("IC005", &f);
        assert_eq!(r.status, Status::Error, "{}", r.message);
        assert!(
            r.message.contains("not among the instances"),
            "{}",
            r.message
        );
    }

    #[test]
    fn nothing_to_judge_without_components() {
        let mut f = healthy();
        f.studios = Fact::Known(vec![]);
        f.workgroups = Fact::Known(vec![]);
        f.lake_formation.identity_center = Fact::Known(None);
        f.access_grants.instance = Fact::Known(None);
        assert_eq!(only("IC005", &f).status, Status::Skip);
    }

    #[test]
    fn skips_when_ic001_fails() {
        let mut f = healthy();
        f.identity_center_instances = Fact::Known(vec![]);
        skipped("IC005", &f, "IC001");
    }
}
