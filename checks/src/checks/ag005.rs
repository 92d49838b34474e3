//! # AG005 access-grants-results-grant
//!
//! **What it checks.** For each target workgroup and each `--user`, an S3 Access
//! Grant gives the user READWRITE on the prefix where Athena writes the user's
//! query results: the workgroup's `OutputLocation`, plus `<user id>/` when the
//! workgroup's `QueryResultsS3AccessGrantsConfiguration.CreateUserLevelPrefix`
//! is on. The grant must name the user (`DIRECTORY_USER` = the Identity Center
//! user id) or one of the user's groups (`DIRECTORY_GROUP`), and its `GrantScope`
//! must cover every object under that prefix. Without `--user`, it checks that
//! some READWRITE grant to an Identity Center user or group covers the results
//! location (with per-user prefixes: some path under it), and says that `--user`
//! gives a precise answer. A workgroup that keeps its results in Athena-managed
//! storage (`ManagedQueryResultsConfiguration`) has no S3 results prefix to
//! grant: it passes here with that said, and WG006 warns about the setting.
//!
//! Grant scopes (documented, `AccessGrantsLocationConfiguration`): the scope is
//! the location's scope plus the grant's sub-prefix, and a sub-prefix covers the
//! keys under it only when it ends in `*` ("append the wildcard character *
//! after the prefix to indicate that you want to include all object key names
//! in the bucket that start with that prefix"). So `s3://b/results/*` covers the
//! results, `s3://b/results/` without `*` covers one key only, and a grant on a
//! whole location (no sub-prefix) covers what the location covers. The failure
//! says when a grant lacks only the `*`.
//!
//! Grants pinned to an application (`ApplicationArn`): documented, "If the grant
//! includes an application ARN, the grantee can only access the S3 data through
//! this application". Which application Athena presents to S3 Access Grants is
//! not documented. So a grant pinned to the workgroup's own Identity Center
//! application gives a warning (inferred to work), and one pinned to another
//! application gives a warning that queries most likely fail (inferred); neither
//! is a failure. Unpinned grants pass.
//!
//! **Why it matters.** Athena writes an Identity Center user's query results as
//! that user through S3 Access Grants, not through IAM: without this grant, the
//! Studio lists the workgroup and the tables, and every query fails writing its
//! results, even for an administrator. READ or WRITE alone is not enough: Athena
//! writes the results and reads them back. With per-user prefixes, a grant on
//! another user's prefix does not help.
//!
//! **How to fix.** Console: Amazon S3 → Access Grants → the region's instance →
//! **Create grant** → the location, sub-prefix `<bucket>/<prefix>/<user id>/*`
//! (for the `s3://` location), permission **Read and write**, grantee type
//! **Directory identity from IAM Identity Center**, the user (or a group) id.
//! CLI (the report fills in the covering location and the sub-prefix relative to
//! it): `aws s3control create-access-grant --region <REGION> --account-id
//! <ACCOUNT_ID> --access-grants-location-id default
//! --access-grants-location-configuration 'S3SubPrefix=<BUCKET>/<PREFIX>/<USER_ID>/*'
//! --grantee GranteeType=DIRECTORY_USER,GranteeIdentifier=<USER_ID> --permission
//! READWRITE`. Granting a group (`GranteeType=DIRECTORY_GROUP`) on
//! `<BUCKET>/<PREFIX>/*` covers every member, at the cost of letting members read
//! each other's results. Entitlement changes can take up to an hour to apply.
//!
//! **Evidence.** Documented: Athena workgroups-identity-center (the user-id
//! results prefix, and "you must configure Access Grants to allow only the user
//! permission to the location that has the user_id prefix"); S3
//! `AccessGrantsLocationConfiguration` (grant scope and the trailing `*`);
//! `ListAccessGrantEntry` (`ApplicationArn`). Observed in practice: queries fail
//! writing results until a grant covers the results prefix. READWRITE rather than
//! WRITE: the documented sample location policy (Get and Put on the user prefix)
//! and inferred (results are read back). Which application Athena presents for a
//! pinned grant: inferred (warnings only).
//!
//! **References.**
//! - https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-grant-create.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-directory-ids.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_ListAccessGrants.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_ListAccessGrantEntry.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_AccessGrantsLocationConfiguration.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/tip-tutorial-s3.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::{Ctx, Principals, workgroup_label};
use crate::each::unknown_workgroups;
use crate::facts::{AccessGrant, UserFacts, WorkGroup};
use crate::fix::Kind;
use crate::fixes::{create_grant, output_fix};
use crate::grants::{
    Pin, directory, locations, managed_pass, managed_results, per_user, pin, results_location,
    user_prefix,
};
use crate::modes::{GrantPermission, GranteeType};
use crate::s3;
use crate::scope::Scope;

pub const META: Meta = Meta {
    id: "AG005",
    name: "access-grants-results-grant",
    area: Area::S3AccessGrants,
    severity: Severity::Error,
    title: "An S3 Access Grant gives the user READWRITE on the results prefix",
    // IC003: an unknown or disabled --user is reported there, once; this check
    // skips that user.
    depends_on: &["AG002", "AG003", "IC003"],
    hop: crate::check::Hop::Write,
    entitlement: true,
    fixes: &[
        ("s3control:CreateAccessGrant", Kind::Ready),
        ("s3control:CreateAccessGrant", Kind::NeedsInput),
        ("athena:UpdateWorkGroup", Kind::NeedsInput),
    ],
    needs: &[
        Need::Caller,
        Need::Workgroups,
        Need::AccessGrants,
        Need::AccessGrantsLocations,
        Need::Users,
    ],
    docs: &[
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-grant-create.html",
        "https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html",
    ],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    let workgroups = match ctx.workgroups() {
        Ok(w) => w,
        Err(u) => return vec![unknown_workgroups(u)],
    };
    let mut out = Vec::new();
    for w in workgroups {
        let label = workgroup_label(w);
        let scoped = |o: Outcome| o.scope(Scope::workgroup(w));
        if let Some(u) = &w.unreadable {
            out.push(scoped(Outcome::unknown(&label, &label, u)));
            continue;
        }
        if managed_results(w) {
            out.push(scoped(managed_pass(w)));
            continue;
        }
        let grants = match ctx.facts.access_grants.grants.known() {
            Ok(g) => g,
            Err(u) => {
                out.push(scoped(Outcome::unknown(
                    &label,
                    "the S3 Access Grants grants",
                    u,
                )));
                continue;
            }
        };
        let dir = match results_location(w) {
            Ok(o) => s3::as_dir(o),
            Err(why) => {
                out.push(scoped(
                    Outcome::fail(
                        &label,
                        format!("{label} {why}: there is no results prefix to grant"),
                    )
                    .fix(location_and_grant_fix(ctx, w)),
                ));
                continue;
            }
        };
        if ctx.users().is_empty() {
            out.push(scoped(anyone(ctx, w, &dir, grants)));
        }
        for u in ctx.users() {
            out.push(scoped(for_user(ctx, w, &dir, grants, u)).scope(Scope::user(&u.user_name)));
        }
    }
    out
}

/// One `--user` on one workgroup.
fn for_user(ctx: &Ctx, w: &WorkGroup, dir: &str, grants: &[AccessGrant], u: &UserFacts) -> Outcome {
    let resource = format!("{}, user \"{}\"", workgroup_label(w), u.user_name);
    let p = match ctx.principals(u) {
        Ok(Some(p)) => p,
        Ok(None) => return no_such_user(ctx, &resource, &u.user_name),
        Err(why) => {
            return Outcome::unknown(
                resource,
                &format!("Identity Center user \"{}\"", u.user_name),
                why,
            );
        }
    };
    let per_user = per_user(w);
    let prefix = user_prefix(dir, per_user, p.user_id);
    let where_ = if per_user {
        format!(
            "{prefix} (the workgroup writes each user's results under <results location>/<user id>/)"
        )
    } else {
        prefix.clone()
    };
    let locs = locations(ctx);
    let mine: Vec<&AccessGrant> = grants.iter().filter(|g| p.matches_grantee(g)).collect();
    let (covering, other): (Vec<&AccessGrant>, Vec<&AccessGrant>) =
        mine.iter().partition(|g| s3::covers(g, locs, &prefix));
    let rw = |want: Pin| -> Vec<&AccessGrant> {
        covering
            .iter()
            .copied()
            .filter(|g| g.permission == GrantPermission::ReadWrite && pin(g, w) == want)
            .collect()
    };
    let fix = |summary: &str| {
        grant_fix(
            ctx,
            &prefix,
            "DIRECTORY_USER",
            p.user_id,
            &format!(
                "{summary} user \"{}\" READWRITE on the results prefix",
                p.user_name
            ),
        )
    };

    if let Some(g) = rw(Pin::None).first() {
        return Outcome::pass(
            resource,
            format!(
                "user \"{}\" has READWRITE on {prefix} through grant {} to {} ({})",
                p.user_name,
                g.access_grant_id,
                grantee(&p, g),
                g.grant_scope
            ),
        );
    }
    if let Some(g) = rw(Pin::Workgroup).first() {
        return Outcome::warn(
            resource,
            format!(
                "user \"{}\" has READWRITE on {prefix} only through grant {} to {} ({}), which is pinned to {}'s own Identity Center application ({}); S3 Access Grants serves a pinned grant only through that application, and that Athena presents the workgroup's application is inferred, not documented",
                p.user_name,
                g.access_grant_id,
                grantee(&p, g),
                g.grant_scope,
                workgroup_label(w),
                g.application_arn.as_deref().unwrap_or_default()
            ),
        )
        .fix(fix("To remove the doubt, also grant (without an application)"));
    }
    let pinned_elsewhere = rw(Pin::Other);
    if !pinned_elsewhere.is_empty() {
        return Outcome::warn(
            resource,
            format!(
                "the only grants that give user \"{}\" READWRITE on {where_} are pinned to another Identity Center application: {}. S3 Access Grants serves a pinned grant only through its application, so Athena most likely cannot use them and queries fail writing results (which application Athena presents is not documented; inferred)",
                p.user_name,
                describe(&p, &pinned_elsewhere)
            ),
        )
        .fix(fix("Grant (without an application)"));
    }
    let weaker: Vec<&AccessGrant> = covering
        .iter()
        .copied()
        .filter(|g| pin(g, w) != Pin::Other)
        .collect();
    if !weaker.is_empty() {
        return Outcome::fail(
            resource,
            format!(
                "user \"{}\" has only {} on {where_}: READWRITE is needed, because Athena writes the results and reads them back",
                p.user_name,
                describe(&p, &weaker)
            ),
        )
        .fix(fix("Grant"));
    }
    let mut msg = format!(
        "no S3 Access Grant gives user \"{}\" or their groups READWRITE on {where_}, so their queries fail writing results",
        p.user_name
    );
    let pinned: Vec<&AccessGrant> = covering.clone();
    if !pinned.is_empty() {
        msg.push_str(&format!(
            "; {} pinned to another application",
            describe(&p, &pinned)
        ));
    }
    if !other.is_empty() {
        msg.push_str(&format!(
            "; their grants cover other prefixes: {}",
            describe(&p, &other)
        ));
    }
    msg.push_str(&star_hint(&other, &prefix));
    Outcome::fail(resource, msg).fix(fix("Grant"))
}

/// A note for grants whose scope lacks the trailing `*`.
fn star_hint(grants: &[&AccessGrant], prefix: &str) -> String {
    let bare: Vec<&str> = grants
        .iter()
        .filter(|g| s3::missing_star(&g.grant_scope, prefix))
        .map(|g| g.grant_scope.as_str())
        .collect();
    if bare.is_empty() {
        return String::new();
    }
    format!(
        " ({} has no trailing *, so it covers only that one key: S3 Access Grants includes the keys that start with a prefix only when the sub-prefix ends in *)",
        bare.join(", ")
    )
}

/// No `--user`: is anyone in Identity Center granted the results location?
fn anyone(ctx: &Ctx, w: &WorkGroup, dir: &str, grants: &[AccessGrant]) -> Outcome {
    let label = workgroup_label(w);
    let per_user = per_user(w);
    let locs = locations(ctx);
    let hits = |want: Pin| -> Vec<&AccessGrant> {
        grants
            .iter()
            .filter(|g| {
                directory(g) && g.permission == GrantPermission::ReadWrite && pin(g, w) == want
            })
            .filter(|g| {
                if per_user {
                    s3::reaches(g, locs, dir)
                } else {
                    s3::covers(g, locs, dir)
                }
            })
            .collect()
    };
    let what = if per_user {
        format!("some path under {dir} (per-user prefixes are on)")
    } else {
        dir.to_string()
    };
    let prefix = if per_user {
        format!("{dir}<IDC_USER_ID>/")
    } else {
        dir.to_string()
    };
    let fix = |summary: &str| grant_fix(ctx, &prefix, "DIRECTORY_USER", "<IDC_USER_ID>", summary);
    let example = |g: &AccessGrant| {
        format!(
            "{} ({} {}, {})",
            g.access_grant_id, g.grantee_type, g.grantee_identifier, g.grant_scope
        )
    };
    let plain = hits(Pin::None);
    if let Some(g) = plain.first() {
        return Outcome::pass(
            &label,
            format!(
                "{} READWRITE grant(s) to Identity Center users or groups cover {what}, e.g. {}; run with --user <name> for a precise answer for one user",
                plain.len(),
                example(g)
            ),
        );
    }
    let own = hits(Pin::Workgroup);
    if let Some(g) = own.first() {
        return Outcome::warn(
            &label,
            format!(
                "the READWRITE grants to Identity Center users or groups on {what} are pinned to {label}'s own Identity Center application, e.g. {}; that Athena presents the workgroup's application to S3 Access Grants is inferred, not documented (run with --user <name> to check one user)",
                example(g)
            ),
        )
        .fix(fix("To remove the doubt, also grant each user (or a group) READWRITE on the results prefix without an application"));
    }
    let elsewhere = hits(Pin::Other);
    if let Some(g) = elsewhere.first() {
        return Outcome::warn(
            &label,
            format!(
                "the only READWRITE grants to Identity Center users or groups on {what} are pinned to another Identity Center application, e.g. {}; S3 Access Grants serves them only through that application, so {label}'s queries most likely fail writing results (inferred)",
                example(g)
            ),
        )
        .fix(fix("Grant each user (or a group) READWRITE on the results prefix without an application"));
    }
    Outcome::fail(
        &label,
        format!(
            "no READWRITE S3 Access Grant to an Identity Center user or group covers {what}, so {label}'s queries fail writing results (run with --user <name> to check one user)"
        ),
    )
    .fix(fix("Grant each user (or a group) READWRITE on the results prefix"))
}

fn grantee(p: &Principals, g: &AccessGrant) -> String {
    match g.grantee_type {
        GranteeType::DirectoryGroup => format!("group \"{}\"", p.group_name(&g.grantee_identifier)),
        _ => format!("user \"{}\"", p.user_name),
    }
}

fn describe(p: &Principals, gs: &[&AccessGrant]) -> String {
    let v: Vec<String> = gs
        .iter()
        .map(|g| {
            format!(
                "grant {} ({} to {} on {})",
                g.access_grant_id,
                g.permission,
                grantee(p, g),
                g.grant_scope
            )
        })
        .collect();
    v.join(", ")
}

fn no_such_user(ctx: &Ctx, resource: &str, name: &str) -> Outcome {
    let store = ctx
        .facts
        .identity_center_instances
        .known()
        .ok()
        .and_then(|i| i.first())
        .map(|i| i.identity_store_id.as_str())
        .unwrap_or("<IDENTITY_STORE_ID>");
    Outcome::fail(
        resource,
        format!("no Identity Center user named \"{name}\": cannot check their grants"),
    )
    .fix(Remediation::new(
        format!(
            "Pass the Identity Center user name (for users synced from Entra ID, usually the UPN); list the names with `aws identitystore list-users --region {} --identity-store-id {store} --query 'Users[].UserName'`",
            ctx.region()
        ),
        Vec::new(),
        META.docs,
    ))
}

/// `create-access-grant` of READWRITE on `prefix`.
fn grant_fix(
    ctx: &Ctx,
    prefix: &str,
    grantee_type: &str,
    grantee_id: &str,
    summary: &str,
) -> Remediation {
    Remediation::new(
        summary,
        vec![create_grant(ctx, prefix, grantee_type, grantee_id)],
        META.docs,
    )
}

/// A workgroup without a results location: set one (AG003's fix), then grant
/// a user READWRITE on it.
fn location_and_grant_fix(ctx: &Ctx, w: &WorkGroup) -> Remediation {
    let mut actions = output_fix(ctx, w, META.docs).actions;
    let dir = format!("s3://<RESULTS_BUCKET>/{}/", w.name);
    let prefix = user_prefix(&dir, per_user(w), "<IDC_USER_ID>");
    actions.push(create_grant(
        ctx,
        &prefix,
        "DIRECTORY_USER",
        "<IDC_USER_ID>",
    ));
    Remediation::new(
        "Set the workgroup's query result location (AG003), then grant a user (or a group) READWRITE on it",
        actions,
        META.docs,
    )
}

#[cfg(test)]
mod tests {
    use super::run;
    use crate::check::{Status, Verdict};
    use crate::ctx::Ctx;
    use crate::fact::{Fact, Unknown};
    use crate::facts::{AccessGrant, AccessGrantsLocation, Facts, IdcUser, UserFacts};
    use crate::scope::Scope;
    use crate::testkit::{denied, healthy, idc_wg, only, results, skipped, statuses, without_user};

    const UID: &str = "97a4f8e8-30c1-70d2-1a2b-3c4d5e6f7a8b";
    const GID: &str = "e7b4d8a8-6041-7011-9c2d-0a1b2c3d4e5f";
    const OUT: &str = "s3://athena-results-111122223333/idc-wg/";

    fn grant(f: &mut Facts) -> &mut AccessGrant {
        match &mut f.access_grants.grants {
            Fact::Known(g) => &mut g[0],
            Fact::Unknown(_) => unreachable!(),
        }
    }

    fn per_user_prefix(f: &mut Facts, on: bool) {
        idc_wg(f)
            .s3_access_grants
            .as_mut()
            .unwrap()
            .create_user_level_prefix = on;
    }

    #[test]
    fn passes_with_the_users_own_prefix_grant() {
        let r = only("AG005", &healthy());
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(
            r.message.contains("a1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"),
            "{}",
            r.message
        );
        assert!(r.message.contains(&format!("{OUT}{UID}/")), "{}", r.message);
        assert_eq!(r.resource, "workgroup \"idc-wg\", user \"alice\"");
    }

    #[test]
    fn fails_when_the_grant_is_on_another_prefix() {
        let mut f = healthy();
        grant(&mut f).grant_scope = "s3://athena-results-111122223333/primary/*".into();
        let r = only("AG005", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("user \"alice\""), "{}", r.message);
        assert!(r.message.contains(&format!("{OUT}{UID}/")), "{}", r.message);
        assert!(r.message.contains("cover other prefixes"), "{}", r.message);
        assert_eq!(
            r.remediation.unwrap().commands,
            vec![format!(
                "aws s3control create-access-grant --region ap-northeast-1 --account-id 111122223333 \
                 --access-grants-location-id default \
                 --access-grants-location-configuration 'S3SubPrefix=athena-results-111122223333/idc-wg/{UID}/*' \
                 --grantee GranteeType=DIRECTORY_USER,GranteeIdentifier={UID} --permission READWRITE"
            )]
        );
    }

    #[test]
    fn read_or_write_alone_is_not_enough() {
        for perm in ["READ", "WRITE"] {
            let mut f = healthy();
            grant(&mut f).permission = perm.into();
            let r = only("AG005", &f);
            assert_eq!(r.status, Status::Fail, "{perm}");
            assert!(
                r.message.contains(&format!(
                    "grant a1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d ({perm} to user \"alice\""
                )),
                "{}",
                r.message
            );
            assert!(r.message.contains("READWRITE is needed"), "{}", r.message);
        }
    }

    #[test]
    fn another_users_grant_does_not_count() {
        let mut f = healthy();
        grant(&mut f).grantee_identifier = "00000000-0000-0000-0000-000000000000".into();
        assert_eq!(only("AG005", &f).status, Status::Fail);
        let mut f = healthy();
        grant(&mut f).grantee_type = "IAM".into();
        assert_eq!(only("AG005", &f).status, Status::Fail);
    }

    #[test]
    fn a_group_grant_counts() {
        let mut f = healthy();
        let g = grant(&mut f);
        g.grantee_type = "DIRECTORY_GROUP".into();
        g.grantee_identifier = GID.into();
        g.grant_scope = format!("{OUT}*");
        let r = only("AG005", &f);
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(r.message.contains("group \"analysts\""), "{}", r.message);
    }

    #[test]
    fn bucket_wide_grants_cover_and_partial_ones_do_not() {
        let mut f = healthy();
        grant(&mut f).grant_scope = "s3://athena-results-111122223333/*".into();
        assert_eq!(only("AG005", &f).status, Status::Pass);
        // Covers only objects starting with "e" under the user's prefix.
        grant(&mut f).grant_scope = format!("{OUT}{UID}/e*");
        assert_eq!(only("AG005", &f).status, Status::Fail);
    }

    const WG_APP: &str =
        "arn:aws:sso::111122223333:application/ssoins-7758a1b2c3d4e5f6/apl-3c4d5e6f7a8b9c0d";
    const OTHER_APP: &str =
        "arn:aws:sso::111122223333:application/ssoins-7758a1b2c3d4e5f6/apl-0000000000000000";

    #[test]
    fn a_grant_pinned_to_the_workgroups_application_is_a_warning() {
        let mut f = healthy();
        grant(&mut f).application_arn = Some(WG_APP.into());
        let r = only("AG005", &f);
        assert_eq!(r.status, Status::Warn, "{}", r.message);
        assert!(
            r.message.contains("own Identity Center application"),
            "{}",
            r.message
        );
        assert!(r.message.contains("inferred"), "{}", r.message);
        // The fix, an unpinned grant beside it, passes.
        let cmd = &r.remediation.unwrap().commands[0];
        assert!(
            cmd.contains(&format!(
                "'S3SubPrefix=athena-results-111122223333/idc-wg/{UID}/*'"
            )),
            "{cmd}"
        );
        let mut g = grant(&mut f).clone();
        g.application_arn = None;
        g.access_grant_id = "unpinned".into();
        if let Fact::Known(v) = &mut f.access_grants.grants {
            v.push(g);
        }
        assert_eq!(only("AG005", &f).status, Status::Pass);
        // Without --user too.
        let mut f = healthy();
        without_user(&mut f);
        grant(&mut f).application_arn = Some(WG_APP.into());
        assert_eq!(only("AG005", &f).status, Status::Warn);
    }

    #[test]
    fn a_grant_pinned_to_another_application_is_a_warning_not_a_failure() {
        let mut f = healthy();
        grant(&mut f).application_arn = Some(OTHER_APP.into());
        let r = only("AG005", &f);
        assert_eq!(r.status, Status::Warn, "{}", r.message);
        assert!(
            r.message.contains("another Identity Center application"),
            "{}",
            r.message
        );
        assert!(r.message.contains("inferred"), "{}", r.message);
        let mut f = healthy();
        without_user(&mut f);
        grant(&mut f).application_arn = Some(OTHER_APP.into());
        assert_eq!(only("AG005", &f).status, Status::Warn);
        // A pinned READ grant is still a plain failure: READ is never enough.
        let mut f = healthy();
        let g = grant(&mut f);
        g.application_arn = Some(OTHER_APP.into());
        g.permission = "READ".into();
        assert_eq!(only("AG005", &f).status, Status::Fail);
    }

    #[test]
    fn a_sub_prefix_without_star_does_not_cover_the_keys_under_it() {
        let mut f = healthy();
        grant(&mut f).grant_scope = format!("{OUT}{UID}/");
        let r = only("AG005", &f);
        assert_eq!(r.status, Status::Fail, "{}", r.message);
        assert!(r.message.contains("no trailing *"), "{}", r.message);
        // The printed fix (the same prefix with `*`) passes.
        let cmd = r.remediation.unwrap().commands[0].clone();
        let sub = cmd
            .split("S3SubPrefix=")
            .nth(1)
            .unwrap()
            .split('\'')
            .next()
            .unwrap();
        grant(&mut f).grant_scope = format!("s3://{sub}");
        assert_eq!(only("AG005", &f).status, Status::Pass);
        // A grant on a whole bucket location (no sub-prefix) covers the bucket.
        let mut f = healthy();
        f.access_grants.locations = Fact::Known(vec![AccessGrantsLocation {
            access_grants_location_id: "loc-b".into(),
            location_scope: "s3://athena-results-111122223333".into(),
            iam_role_arn: None,
        }]);
        let g = grant(&mut f);
        g.access_grants_location_id = "loc-b".into();
        g.grant_scope = "s3://athena-results-111122223333".into();
        assert_eq!(only("AG005", &f).status, Status::Pass);
    }

    #[test]
    fn without_user_prefix_the_whole_location_must_be_granted() {
        let mut f = healthy();
        per_user_prefix(&mut f, false);
        let r = only("AG005", &f);
        assert_eq!(
            r.status,
            Status::Fail,
            "a user-prefix grant does not cover {OUT}"
        );
        assert!(
            r.remediation.unwrap().commands[0]
                .contains("'S3SubPrefix=athena-results-111122223333/idc-wg/*'")
        );
        grant(&mut f).grant_scope = format!("{OUT}*");
        assert_eq!(only("AG005", &f).status, Status::Pass);
    }

    #[test]
    fn fix_is_relative_to_the_covering_location() {
        let mut f = healthy();
        grant(&mut f).grant_scope = "s3://other/*".into();
        f.access_grants.locations = Fact::Known(vec![AccessGrantsLocation {
            access_grants_location_id: "loc-1".into(),
            location_scope: "s3://athena-results-111122223333".into(),
            iam_role_arn: None,
        }]);
        let cmd = &only("AG005", &f).remediation.unwrap().commands[0];
        assert!(cmd.contains("--access-grants-location-id loc-1"), "{cmd}");
        assert!(
            cmd.contains(&format!("'S3SubPrefix=idc-wg/{UID}/*'")),
            "{cmd}"
        );
    }

    #[test]
    fn fails_naming_a_user_that_does_not_exist() {
        let mut f = healthy();
        f.users.push(UserFacts {
            user_name: "bob".into(),
            user: Fact::Known(None),
            groups: Fact::Known(vec![]),
        });
        // Through the runner, IC003 reports bob and this check skips him.
        let r = results("AG005", &f);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].status, Status::Pass);
        assert_eq!(r[1].status, Status::Skip);
        assert!(r[1].message.contains("IC003"), "{}", r[1].message);
        // Alone, it fails naming him.
        let out = run(&Ctx::new(&f));
        assert_eq!(out[1].verdict, Verdict::Fail);
        assert!(out[1].message.contains("\"bob\""), "{}", out[1].message);
        // A name to pass, not an action: the lookup is in the summary.
        let fix = out[1].fix.as_ref().unwrap();
        assert!(fix.summary.contains("--identity-store-id d-9567a1b2c3"));
        assert!(fix.commands.is_empty());
        assert_eq!(fix.applicability.kind, crate::fix::Kind::Manual);
        assert_eq!(
            out[1].scope,
            vec![Scope::Workgroup("idc-wg".into()), Scope::User("bob".into())]
        );
    }

    #[test]
    fn errors_when_the_user_or_groups_are_unknown() {
        // An unreadable user: IC003 errors, so this check skips; alone, it errors.
        let mut f = healthy();
        f.users[0].user = Fact::Unknown(denied("identitystore:GetUserId"));
        assert_eq!(only("AG005", &f).status, Status::Skip);
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Error);
        assert!(
            out[0].message.contains("identitystore:GetUserId"),
            "{}",
            out[0].message
        );

        let mut f = healthy();
        f.users[0].groups = Fact::Unknown(denied("identitystore:ListGroupMembershipsForMember"));
        assert_eq!(only("AG005", &f).status, Status::Error);
        // A user that is known not to exist: IC003 fails, this check skips;
        // alone, it is still a plain failure.
        f.users[0].user = Fact::Known(None::<IdcUser>);
        assert_eq!(only("AG005", &f).status, Status::Skip);
        assert_eq!(run(&Ctx::new(&f))[0].verdict, Verdict::Fail);
    }

    #[test]
    fn errors_when_grants_are_unknown() {
        let mut f = healthy();
        f.access_grants.grants = Fact::Unknown(denied("s3:ListAccessGrants"));
        let r = only("AG005", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("s3:ListAccessGrants"), "{}", r.message);
    }

    #[test]
    fn without_user_any_directory_grant_under_the_results_location_passes() {
        let mut f = healthy();
        without_user(&mut f);
        let r = only("AG005", &f);
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(r.message.contains("--user"), "{}", r.message);

        grant(&mut f).permission = "READ".into();
        let r = only("AG005", &f);
        assert_eq!(r.status, Status::Fail, "{}", r.message);
        assert!(
            r.remediation.unwrap().commands[0]
                .contains("'S3SubPrefix=athena-results-111122223333/idc-wg/<IDC_USER_ID>/*'")
        );

        let mut f = healthy();
        without_user(&mut f);
        grant(&mut f).grant_scope = "s3://athena-results-111122223333/primary/*".into();
        assert_eq!(only("AG005", &f).status, Status::Fail);

        // Without per-user prefixes, a grant on one user's prefix is not enough.
        let mut f = healthy();
        without_user(&mut f);
        per_user_prefix(&mut f, false);
        assert_eq!(only("AG005", &f).status, Status::Fail);
    }

    #[test]
    fn skips_when_a_prerequisite_fails() {
        // AG003: no location covers the results.
        let mut f = healthy();
        if let Fact::Known(l) = &mut f.access_grants.locations {
            l[0].location_scope = "s3://data-lake-111122223333".into();
        }
        skipped("AG005", &f, "AG003");
        // AG002: not associated with Identity Center (region-wide).
        let mut f = healthy();
        if let Fact::Known(Some(i)) = &mut f.access_grants.instance {
            i.identity_center_instance_arn = None;
        }
        assert_eq!(statuses("AG005", &f), vec![Status::Skip]);
        // AG001: no instance; the skip names the root cause.
        let mut f = healthy();
        f.access_grants.instance = Fact::Known(None);
        let r = skipped("AG005", &f, "AG001");
        assert!(r.message.contains("failed"), "{}", r.message);
    }

    #[test]
    fn errors_when_workgroups_are_unknown() {
        let mut f = healthy();
        f.workgroups = Fact::Unknown(Unknown::not_collected());
        let out = run(&Ctx::new(&f));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].verdict, Verdict::Error);
    }
}
