//! # AC001 account-access
//!
//! **What it checks.** The account of the target can be read: the credentials
//! answer `sts:GetCallerIdentity`, and in a run over several accounts
//! (`--accounts`, `--organization`) the audit role of the account could be
//! assumed (`sts:AssumeRole` of `arn:aws:iam::<account>:role/<role-name>`, with
//! the caller's credentials as the source). It passes with the identity the
//! account was read as, and ends in `error` with AWS's answer when the role could
//! not be assumed. Such a target reports this one result: none of its other
//! checks can read anything. It fails when the credentials for an account read
//! another account (the facts would not be that account's).
//!
//! **Why it matters.** Every other check reads the account. When the audit role
//! is missing, its trust policy does not name the caller, or the external id
//! differs, AWS answers `AccessDenied` to `AssumeRole` and nothing in that
//! account is checked.
//!
//! **How to fix.** Deploy the audit role into the account (the CloudFormation
//! template `deploy/audit-role.yaml`, as a StackSet over the organization, or
//! `deploy/audit-role.tf`),
//! with a trust policy that allows the caller's account or role
//! `sts:AssumeRole` (and `sts:ExternalId` when `--external-id` is used), and the
//! read-only policy `studio-doctor permissions` prints. The caller needs
//! `sts:AssumeRole` on that role.
//!
//! **Evidence.** The API reference: `AssumeRole` is denied unless the role's
//! trust policy allows the caller and the caller's own policies allow
//! `sts:AssumeRole` on the role; a trust policy condition on `sts:ExternalId`
//! must match the `ExternalId` given.
//!
//! **References.**
//! - https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_aws-accounts.html
//! - https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::Ctx;
use crate::fact::Fact;

pub const META: Meta = Meta {
    id: "AC001",
    name: "account-access",
    area: Area::Account,
    severity: Severity::Error,
    title: "The account can be read (credentials, or its audit role)",
    depends_on: &[],
    hop: crate::check::Hop::Identity,
    entitlement: false,
    fixes: &[],
    needs: &[Need::Caller],
    docs: &["https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html"],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    let f = ctx.facts;
    let account = f.target.account_id.as_deref().unwrap_or("the account");
    match &f.caller {
        Fact::Known(c)
            if f.target
                .account_id
                .as_ref()
                .is_some_and(|a| *a != c.account_id) =>
        {
            vec![Outcome::fail(
                format!("account {account}"),
                format!(
                    "the credentials for account {account} read account {} as {}: its facts are not this account's",
                    c.account_id, c.arn
                ),
            ).fix(Remediation::new(
                format!("Check the audit role ARN used for account {account}: assume `arn:aws:iam::{account}:role/<role-name>`"),
                Vec::new(),
                META.docs,
            ))]
        }
        Fact::Known(c) => vec![Outcome::pass(
            format!("account {}", c.account_id),
            format!("read as {}", c.arn),
        )],
        Fact::Unknown(why) if f.unreachable() => {
            let mut out = Outcome::unknown(format!("account {account}"), "the account", why);
            out.message.push_str(
                ": the audit role could not be assumed, so nothing in this account was checked",
            );
            vec![out]
        }
        Fact::Unknown(why) => vec![Outcome::unknown(
            format!("account {account}"),
            "the caller identity",
            why,
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Verdict;
    use crate::fact::{Unknown, UnknownKind};
    use crate::facts::{Caller, Facts};

    #[test]
    fn passes_with_the_identity_and_errors_when_the_role_cannot_be_assumed() {
        let mut f = Facts {
            caller: Fact::Known(Caller {
                account_id: "111122223333".into(),
                arn: "arn:aws:sts::111122223333:assumed-role/StudioDoctorAudit/studio-doctor"
                    .into(),
            }),
            ..Facts::default()
        };
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Pass);
        assert!(out[0].message.contains("assumed-role/StudioDoctorAudit"));

        f.target.account_id = Some("444455556666".into());
        f.caller = Fact::Unknown(Unknown::new(
            UnknownKind::AccessDenied,
            "sts:AssumeRole",
            "AccessDenied: not authorized to perform sts:AssumeRole",
        ));
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Error);
        assert_eq!(out[0].resource, "account 444455556666");
        assert!(
            out[0].message.contains("could not be assumed"),
            "{}",
            out[0].message
        );

        // Asked for one account, read another.
        f.caller = Fact::Known(Caller {
            account_id: "111122223333".into(),
            arn: "arn:aws:sts::111122223333:assumed-role/StudioDoctorAudit/studio-doctor".into(),
        });
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Fail);
        assert!(out[0].message.contains("read account 111122223333"));
    }
}
