//! # IC003 identity-center-user
//!
//! **What it checks.** Each `--user` names a user of the region's IAM Identity
//! Center identity store (`identitystore:GetUserId` with the `userName`
//! attribute), and that user is not disabled (`identitystore:DescribeUser` →
//! `UserStatus != "DISABLED"`; a store that reports no status passes, and the
//! message says so). One result per `--user`. Without `--user` there is nothing to
//! check, and the report shows the check as skipped: pass `--user <name>`.
//!
//! **Why it matters.** Every per-user check (Studio assignment, workgroup
//! assignment, S3 Access Grants, Lake Formation grants) looks the user up first.
//! A name that does not resolve (a typo, or a user the external identity provider
//! never provisioned over SCIM) would make each of them fail for the same reason;
//! they are skipped instead and this check names the cause. A disabled user
//! cannot sign in to the access portal or the EMR Studio at all, whatever else is
//! right.
//!
//! **How to fix.** Unknown user: check the exact `userName` (users synced from
//! Entra ID usually carry their UPN): `aws identitystore list-users
//! --identity-store-id <d-...> --filters
//! AttributePath=UserName,AttributeValue=<name>`. If the user comes from an
//! external identity provider, check that they are in scope of the SCIM
//! provisioning (assigned to the Identity Center enterprise application) and that
//! the last provisioning cycle succeeded. Disabled user: enable them in the
//! identity provider (for SCIM-provisioned users), or in the console: IAM
//! Identity Center → Users → the user → **Enable user access**.
//!
//! **Permissions needed.** `sso:ListInstances`, `identitystore:GetUserId`,
//! `identitystore:DescribeUser`.
//!
//! **Evidence.** The API model (`GetUserId` with `UniqueAttribute` `userName`;
//! `DescribeUser` → `UserStatus` `ENABLED`/`DISABLED`) and documented (disabling user
//! access prevents sign-in to the access portal and "they will no longer have
//! access to their assigned AWS accounts and applications").
//!
//! **References.**
//! - https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_GetUserId.html
//! - https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_DescribeUser.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/disableuser.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/provision-automatically.html

use super::es008::identity_store;
use crate::check::{Area, Meta, Need, Outcome, Severity, remedy};
use crate::ctx::Ctx;
use crate::fact::{Unknown, UnknownKind};
use crate::facts::UserFacts;

pub const META: Meta = Meta {
    id: "IC003",
    name: "identity-center-user",
    area: Area::IdentityCenter,
    severity: Severity::Error,
    title: "Each --user exists in Identity Center and is enabled",
    depends_on: &["IC001"],
    needs: &[Need::IdcInstances, Need::Users],
    docs: &[
        "https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_GetUserId.html",
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/disableuser.html",
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/provision-automatically.html",
    ],
};

/// The scope of everything about one `--user`: `user:<name>`.
pub fn user_scope(name: &str) -> String {
    format!("user:{name}")
}

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    let mut out: Vec<Outcome> = ctx.users().iter().map(|u| user(ctx, u)).collect();
    // A `--user` whose lookup is missing from the facts must not pass silently.
    for name in &ctx.facts.target.users {
        if !ctx.users().iter().any(|u| &u.user_name == name) {
            let why = Unknown::new(
                UnknownKind::NotCollected,
                "identitystore:GetUserId",
                format!("user {name} is not in the facts"),
            );
            out.push(
                Outcome::unknown(
                    format!("user \"{name}\""),
                    &format!("Identity Center user \"{name}\""),
                    &why,
                )
                .scope(user_scope(name)),
            );
        }
    }
    out
}

fn user(ctx: &Ctx, u: &UserFacts) -> Outcome {
    let name = &u.user_name;
    let res = format!("user \"{name}\"");
    let store = identity_store(ctx, None);
    let region = ctx.region();
    let verdict = match u.user.known() {
        Err(why) => Outcome::unknown(&res, &format!("Identity Center user \"{name}\""), why),
        Ok(None) => Outcome::fail(
            &res,
            format!("no user named \"{name}\" in identity store {store}"),
        )
        .fix(remedy(
            "Check the exact userName (users synced from Entra ID usually have their UPN); if the user comes from an external identity provider, check that they are in scope of SCIM provisioning and that the last provisioning cycle succeeded",
            vec![
                format!(
                    "aws identitystore list-users --region {region} --identity-store-id {store} --filters AttributePath=UserName,AttributeValue={name}"
                ),
                format!(
                    "aws identitystore list-users --region {region} --identity-store-id {store} --query 'Users[].UserName'"
                ),
            ],
            META.docs,
        )),
        Ok(Some(user)) => {
            let who = format!("user \"{name}\" ({})", user.user_id);
            match user.status.as_deref() {
                Some("DISABLED") => Outcome::fail(
                    &res,
                    format!(
                        "{who} is DISABLED in identity store {store}: they cannot sign in to the access portal or the EMR Studio"
                    ),
                )
                .fix(remedy(
                    format!(
                        "Enable the user: in the external identity provider if it provisions users over SCIM, else in the console (IAM Identity Center → Users → {name} → Enable user access); then check"
                    ),
                    vec![format!(
                        "aws identitystore describe-user --region {region} --identity-store-id {store} --user-id {} --query UserStatus",
                        user.user_id
                    )],
                    META.docs,
                )),
                Some(s) => Outcome::pass(&res, format!("{who} exists in identity store {store} and is {s}")),
                None => Outcome::pass(
                    &res,
                    format!("{who} exists in identity store {store} (the store reported no status)"),
                ),
            }
        }
    };
    verdict.scope(user_scope(name))
}

#[cfg(test)]
mod tests {
    use super::run;
    use crate::check::{Status, Verdict};
    use crate::ctx::Ctx;
    use crate::fact::Fact;
    use crate::facts::{Facts, IdcUser};
    use crate::testkit::{denied, healthy, only, results, skipped};

    const ALICE: &str = "97a4f8e8-30c1-70d2-1a2b-3c4d5e6f7a8b";

    fn alice(f: &mut Facts) -> &mut IdcUser {
        match &mut f.users[0].user {
            Fact::Known(Some(u)) => u,
            _ => panic!("alice unknown"),
        }
    }

    #[test]
    fn passes_for_an_enabled_user() {
        let r = only("IC003", &healthy());
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(
            r.message.contains(ALICE) && r.message.contains("ENABLED"),
            "{}",
            r.message
        );
        let out = run(&Ctx::new(&healthy()));
        assert_eq!(out[0].scope, vec!["user:alice".to_string()]);
    }

    #[test]
    fn passes_with_a_note_without_a_status() {
        let mut f = healthy();
        alice(&mut f).status = None;
        let r = only("IC003", &f);
        assert_eq!(r.status, Status::Pass);
        assert!(r.message.contains("no status"), "{}", r.message);
    }

    #[test]
    fn fails_for_an_unknown_user_naming_the_store() {
        let mut f = healthy();
        f.users[0].user = Fact::Known(None);
        let r = only("IC003", &f);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            r.message,
            "no user named \"alice\" in identity store d-9567a1b2c3"
        );
        let fix = r.remediation.unwrap();
        assert_eq!(
            fix.commands[0],
            "aws identitystore list-users --region ap-northeast-1 --identity-store-id d-9567a1b2c3 --filters AttributePath=UserName,AttributeValue=alice"
        );
        assert!(fix.summary.contains("SCIM"));
    }

    #[test]
    fn fails_for_a_disabled_user() {
        let mut f = healthy();
        alice(&mut f).status = Some("DISABLED".into());
        let r = only("IC003", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("DISABLED"), "{}", r.message);
        let fix = r.remediation.unwrap();
        assert!(fix.summary.contains("Enable user access"));
        assert!(fix.commands[0].contains(&format!("--user-id {ALICE}")));
    }

    #[test]
    fn nothing_to_check_without_user() {
        let mut f = healthy();
        f.users.clear();
        f.target.users.clear();
        assert!(run(&Ctx::new(&f)).is_empty());
        skipped("IC003", &f, "nothing to check");
    }

    #[test]
    fn one_result_per_user() {
        let mut f = healthy();
        let mut bob = f.users[0].clone();
        bob.user_name = "bob".into();
        bob.user = Fact::Known(None);
        f.users.push(bob);
        f.target.users.push("bob".into());
        let r = results("IC003", &f);
        let s: Vec<_> = r.iter().map(|r| r.status).collect();
        assert_eq!(s, vec![Status::Pass, Status::Fail]);
        assert!(r[1].message.contains("\"bob\""));
    }

    #[test]
    fn errors_when_the_user_is_unknown_or_not_collected() {
        let mut f = healthy();
        f.users[0].user = Fact::Unknown(denied("identitystore:GetUserId"));
        let r = only("IC003", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("identitystore:GetUserId"));

        let mut f = healthy();
        f.users.clear(); // --user alice asked, its lookup missing
        let out = run(&Ctx::new(&f));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].verdict, Verdict::Error);
        assert_eq!(out[0].scope, vec!["user:alice".to_string()]);
    }

    #[test]
    fn skips_when_ic001_fails() {
        let mut f = healthy();
        f.identity_center_instances = Fact::Known(vec![]);
        skipped("IC003", &f, "IC001");
    }
}
