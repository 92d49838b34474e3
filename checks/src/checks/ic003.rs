//! # IC003 identity-center-user
//!
//! **What it checks.** Each `--user` names a user of the identity store of the
//! IAM Identity Center instance the query path uses (`identitystore:GetUserId`
//! with the `userName` attribute), and that user is not disabled
//! (`identitystore:DescribeUser` → `UserStatus != "DISABLED"`; a store that
//! reports no status passes, and the message says so). One result per `--user`.
//! Without `--user` there is nothing to check, and the report shows the check as
//! skipped: pass `--user <name>`.
//!
//! Which instance: `sso:ListInstances` lists organization *and* account
//! instances visible to the caller. With one ACTIVE instance, that one; with
//! several, the one the EMR Studio (`IdcInstanceArn`), the Identity Center
//! workgroup (`IdentityCenterInstanceArn`), Lake Formation and S3 Access Grants
//! name (most of them, as IC004 decides); with several and none of them naming
//! one, the first ACTIVE instance, and a user not found there is only a warning.
//! The facts record the store the users were looked up in
//! (`users_identity_store_id`); a lookup in another store than the path's is
//! reported as not evaluated.
//!
//! **Why it matters.** Every per-user check (Studio assignment, workgroup
//! assignment, S3 Access Grants, Lake Formation grants) looks the user up first.
//! A name that does not resolve (a typo, or a user the external identity provider
//! never provisioned over SCIM) would make each of them fail for the same reason;
//! they are skipped instead and this check names the cause. User and group ids
//! belong to one identity store: a user looked up in another instance's store
//! (an account instance beside the organization instance) is a different user, or
//! none. A disabled user cannot sign in to the access portal or the EMR Studio at
//! all, whatever else is right.
//!
//! When a user is not found, the first page of the store's user names
//! (`identitystore:ListUsers`, at most 100, without the deprecated `Filters`) is
//! read, and the message suggests the closest name and lists a few of them.
//!
//! **How to fix.** Unknown user: check the exact `userName` (users synced from
//! Entra ID usually carry their UPN): `aws identitystore get-user-id
//! --identity-store-id <d-...> --alternate-identifier
//! '{"UniqueAttribute":{"AttributePath":"userName","AttributeValue":"<name>"}}'`
//! (`ListUsers` filters are deprecated: "please use GetUserId API instead"). If
//! the user comes from an external identity provider, check that they are in scope
//! of the SCIM provisioning (assigned to the Identity Center enterprise
//! application) and that the last provisioning cycle succeeded. Disabled user:
//! enable them in the identity provider (for SCIM-provisioned users), or in the
//! console: IAM Identity Center → Users → the user → **Enable user access**.
//!
//! **Evidence.** Documented: `GetUserId` with `UniqueAttribute` `userName`;
//! `ListUsers` `Filters` deprecated in favour of `GetUserId`; `DescribeUser` →
//! `UserStatus` `ENABLED`/`DISABLED`; `ListInstances` lists "organization and
//! account instances"; disabling user access prevents sign-in to the access portal
//! and "they will no longer have access to their assigned AWS accounts and
//! applications".
//!
//! **References.**
//! - https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_GetUserId.html
//! - https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_ListUsers.html
//! - https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_DescribeUser.html
//! - https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_ListInstances.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/disableuser.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/provision-automatically.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::{Basis, Ctx};
use crate::fact::{Unknown, UnknownKind};
use crate::facts::UserFacts;
use crate::idc::{self, find_user_fix, looked_up_in, single_quoted};
use crate::modes::UserStatus;
use crate::names::{closest, first_try, some};
use crate::scope::Scope;

pub const META: Meta = Meta {
    id: "IC003",
    name: "identity-center-user",
    area: Area::IdentityCenter,
    severity: Severity::Error,
    title: "Each --user exists in Identity Center and is enabled",
    depends_on: &["IC001"],
    hop: crate::check::Hop::Identity,
    entitlement: false,
    fixes: &[],
    needs: &[
        Need::Caller,
        Need::IdcInstances,
        Need::Users,
        Need::Studios,
        Need::Workgroups,
        Need::LfIdentityCenter,
        Need::AccessGrantsInstance,
    ],
    docs: idc::USER_DOCS,
};

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
                .scope(Scope::user(name)),
            );
        }
    }
    out
}

fn user(ctx: &Ctx, u: &UserFacts) -> Outcome {
    let name = &u.user_name;
    let res = format!("user \"{name}\"");
    let store = looked_up_in(ctx);
    let region = ctx.region();
    if let (Some(want), Some(choice)) = (ctx.identity_store(), ctx.idc_instance())
        && want != store
    {
        let why = Unknown::new(UnknownKind::NotCollected, "identitystore:GetUserId", "");
        return Outcome::unknown(
            &res,
            &format!(
                "Identity Center user \"{name}\" in identity store {want} of instance {} (the instance the path uses; the facts hold a lookup in {store})",
                choice.arn
            ),
            &why,
        )
        .scope(Scope::user(name));
    }
    let verdict = match u.user.known() {
        Err(why) => Outcome::unknown(&res, &format!("Identity Center user \"{name}\""), why),
        Ok(None) => not_found(ctx, name, store),
        Ok(Some(user)) => {
            let who = format!("user \"{name}\" ({})", user.user_id);
            match &user.status {
                Some(UserStatus::Disabled) => Outcome::fail(
                    &res,
                    format!(
                        "{who} is DISABLED in identity store {store}: they cannot sign in to the access portal or the EMR Studio"
                    ),
                )
                .fix(Remediation::new(
                    format!(
                        "Enable the user: in the external identity provider if it provisions users over SCIM, else in the console (IAM Identity Center → Users → {name} → Enable user access); then check with `aws identitystore describe-user --region {region} --identity-store-id {store} --user-id {} --query UserStatus`",
                        user.user_id
                    ),
                    Vec::new(),
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
    verdict.scope(Scope::user(name))
}

fn not_found(ctx: &Ctx, name: &str, store: &str) -> Outcome {
    let res = format!("user \"{name}\"");
    let guessed = ctx.idc_instance().filter(|c| c.basis == Basis::FirstListed);
    let (found, close) = users_found(ctx, name);
    let o = match guessed {
        Some(c) => Outcome::warn(
            &res,
            format!(
                "no user named \"{name}\" in identity store {store} of instance {}, the first of {} ACTIVE Identity Center instances; no Studio, workgroup, Lake Formation or S3 Access Grants configuration in scope names an instance, so the user may be in another one's store{found}",
                c.arn,
                ctx.active_instances().len()
            ),
        ),
        None => Outcome::fail(
            &res,
            format!("no user named \"{name}\" in identity store {store}{found}"),
        ),
    };
    let mut fix = find_user_fix(ctx, name, store);
    if let Some(close) = close {
        let word = if close
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "@._+-".contains(c))
        {
            close.to_string()
        } else {
            single_quoted(close)
        };
        let pass = format!("Did you mean \"{close}\"? Pass --user {word}");
        fix.summary = first_try(&pass, &fix.summary);
    }
    o.fix(fix)
}

/// What the store's user names (`ListUsers`, read when a user is not found) say
/// about `name`: a suffix for the message, and the closest name.
fn users_found<'a>(ctx: &Ctx<'a>, name: &str) -> (String, Option<&'a str>) {
    let Ok(names) = ctx.facts.store_user_names.known() else {
        return (String::new(), None);
    };
    if names.is_empty() {
        return ("; ListUsers lists no users in the store".into(), None);
    }
    let close = closest(name, names);
    let mean = close
        .map(|c| format!(" (did you mean \"{c}\"?)"))
        .unwrap_or_default();
    (format!("{mean}; users found: {}", some(names, 5)), close)
}

#[cfg(test)]
mod tests {
    use super::run;
    use crate::check::{Status, Verdict};
    use crate::ctx::Ctx;
    use crate::fact::Fact;
    use crate::facts::{Facts, IdcUser};
    use crate::scope::Scope;
    use crate::testkit::{denied, healthy, only, results, skipped};

    const ALICE: &str = "97a4f8e8-30c1-70d2-1a2b-3c4d5e6f7a8b";

    /// The first command in backticks in a fix summary.
    fn lookup(summary: &str) -> &str {
        summary.split('`').nth(1).unwrap()
    }

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
        assert_eq!(out[0].scope, vec![Scope::User("alice".into())]);
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
            lookup(&fix.summary),
            r#"aws identitystore get-user-id --region ap-northeast-1 --identity-store-id d-9567a1b2c3 --alternate-identifier '{"UniqueAttribute":{"AttributePath":"userName","AttributeValue":"alice"}}'"#
        );
        assert!(fix.commands.is_empty() && !fix.summary.contains("--filters"));
        assert_eq!(fix.applicability.kind, crate::fix::Kind::Manual);
        assert!(fix.summary.contains("SCIM"));
    }

    /// `--user` names `name`, which the store does not know; `listed` is what
    /// `ListUsers` returned.
    fn mistyped(name: &str, listed: Fact<Vec<String>>) -> Facts {
        let mut f = healthy();
        f.target.users = vec![name.into()];
        f.users[0].user_name = name.into();
        f.users[0].user = Fact::Known(None);
        f.store_user_names = listed;
        f
    }

    #[test]
    fn a_mistyped_user_suggests_the_closest_name_in_the_store() {
        let names = vec!["alice".to_string(), "bob".to_string()];
        let f = mistyped("alcie", Fact::Known(names));
        let r = only("IC003", &f);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            r.message,
            "no user named \"alcie\" in identity store d-9567a1b2c3 (did you mean \"alice\"?); users found: alice, bob"
        );
        let fix = r.remediation.unwrap();
        assert!(
            fix.summary
                .starts_with("Did you mean \"alice\"? Pass --user alice; otherwise, check"),
            "{}",
            fix.summary
        );
        // The fix: --user with the suggested name, which the store knows.
        let mut fixed = f.clone();
        fixed.target.users = vec!["alice".into()];
        fixed.users = healthy().users;
        assert_eq!(only("IC003", &fixed).status, Status::Pass);

        let names = vec!["carol".to_string(), "dave".to_string()];
        let r = only("IC003", &mistyped("alcie", Fact::Known(names)));
        assert_eq!(
            r.message,
            "no user named \"alcie\" in identity store d-9567a1b2c3; users found: carol, dave"
        );

        let r = only("IC003", &mistyped("alcie", Fact::Known(vec![])));
        assert!(
            r.message
                .ends_with("; ListUsers lists no users in the store"),
            "{}",
            r.message
        );

        // Not read (or denied): still a failure, without a suggestion.
        let f = mistyped("alcie", Fact::Unknown(denied("identitystore:ListUsers")));
        let r = only("IC003", &f);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            r.message,
            "no user named \"alcie\" in identity store d-9567a1b2c3"
        );
    }

    #[test]
    fn a_suggested_name_that_needs_quoting_is_one_shell_word() {
        let f = mistyped("alice smit", Fact::Known(vec!["alice smith".to_string()]));
        let fix = only("IC003", &f).remediation.unwrap();
        assert!(
            fix.summary.contains("Pass --user 'alice smith';"),
            "{}",
            fix.summary
        );
    }

    #[test]
    fn the_lookup_command_is_one_shell_word_whatever_the_name() {
        let fix = super::find_user_fix(&Ctx::new(&healthy()), "o'brien \"x\"", "d-1");
        let words = crate::shell::words(lookup(&fix.summary)).unwrap();
        let arg: serde_json::Value = serde_json::from_str(&words.last().unwrap().value).unwrap();
        assert_eq!(arg["UniqueAttribute"]["AttributeValue"], "o'brien \"x\"");
    }

    /// An account instance listed before the organization instance the Studio,
    /// workgroup, Lake Formation and S3 Access Grants use.
    fn account_instance_first(f: &mut Facts) {
        if let Fact::Known(v) = &mut f.identity_center_instances {
            let mut other = v[0].clone();
            other.instance_arn = OTHER.into();
            other.identity_store_id = OTHER_STORE.into();
            other.name = Some("team".into());
            v.insert(0, other);
        }
    }

    const OTHER: &str = "arn:aws:sso:::instance/ssoins-0000111122223333";
    const OTHER_STORE: &str = "d-0000000000";

    #[test]
    fn with_several_instances_names_the_store_of_the_instance_the_path_uses() {
        let mut f = healthy();
        account_instance_first(&mut f);
        f.users_identity_store_id = Some("d-9567a1b2c3".into());
        let r = only("IC003", &f);
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(
            r.message.contains("identity store d-9567a1b2c3"),
            "{}",
            r.message
        );

        f.users[0].user = Fact::Known(None);
        let r = only("IC003", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("d-9567a1b2c3"), "{}", r.message);
        assert!(
            lookup(&r.remediation.unwrap().summary).contains("--identity-store-id d-9567a1b2c3")
        );
    }

    #[test]
    fn a_lookup_in_another_store_than_the_paths_is_not_evaluated() {
        let mut f = healthy();
        account_instance_first(&mut f);
        f.users_identity_store_id = Some(OTHER_STORE.into());
        f.users[0].user = Fact::Known(None);
        let r = only("IC003", &f);
        assert_eq!(r.status, Status::Error, "{}", r.message);
        assert!(
            r.message.contains("identity store d-9567a1b2c3")
                && r.message.contains(&format!("lookup in {OTHER_STORE}")),
            "{}",
            r.message
        );
        // Its dependants skip for the user instead of judging the wrong user.
        skipped("ES008", &f, "IC003");
    }

    #[test]
    fn a_user_missing_from_a_guessed_instance_is_a_warning() {
        let mut f = healthy();
        account_instance_first(&mut f);
        f.studios = Fact::Known(vec![]);
        f.workgroups = Fact::Known(vec![]);
        f.lake_formation.identity_center = Fact::Known(None);
        f.access_grants.instance = Fact::Known(None);
        f.users_identity_store_id = Some(OTHER_STORE.into());
        f.users[0].user = Fact::Known(None);
        let r = only("IC003", &f);
        assert_eq!(r.status, Status::Warn, "{}", r.message);
        assert!(r.message.contains("the first of 2 ACTIVE"), "{}", r.message);
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
        assert!(fix.summary.contains(&format!("--user-id {ALICE}")));
        assert!(fix.commands.is_empty());
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
        assert_eq!(out[0].scope, vec![Scope::User("alice".into())]);
    }

    #[test]
    fn skips_when_ic001_fails() {
        let mut f = healthy();
        f.identity_center_instances = Fact::Known(vec![]);
        skipped("IC003", &f, "IC001");
    }
}
