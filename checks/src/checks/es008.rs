//! # ES008 studio-users-assigned
//!
//! **What it checks.** Every EMR Studio in scope lets the user in. With
//! `IdcUserAssignment == "OPTIONAL"` every user of the Identity Center instance may
//! sign in: pass. Otherwise (`REQUIRED`, or not reported: treated as required) each
//! `--user` must be assigned to the Studio, directly or through a group: by a
//! session mapping (`ListStudioSessionMappings`, `IdentityType USER` with their
//! user id, or `GROUP` with one of their groups' ids), or by an assignment on the
//! Studio's Identity Center application. Without `--user`, at least one user or
//! group must be assigned; add `--user <name>` for a per-user answer.
//!
//! The Studio's application: DescribeStudio does not name it. studio-doctor lists
//! this account's applications on the Studio's instance (`sso:ListApplications`
//! with `ApplicationAccount`) and takes the one whose sign-in URL
//! (`PortalOptions.SignInOptions.ApplicationUrl`) is the Studio's URL, then reads
//! its assignments (`sso:ListApplicationAssignments`). That match is inferred (no
//! document names the Studio application's provider or URL), so:
//! - a session mapping for the user or a group: **pass**;
//! - no mapping, the application located and its assignments read, and the user
//!   in neither: **fail**;
//! - no mapping but an assignment on the application only: **warning** (how EMR
//!   Studio treats a user without a session mapping, and so without a session
//!   policy, is not documented);
//! - no mapping and the application not located or not readable: **warning**,
//!   saying that an assignment made on the application directly was not evaluated.
//!
//! **Why it matters.** A Studio created with IAM Identity Center authentication is
//! an Identity Center application ("Create a Studio" needs `sso:CreateApplication`).
//! With `REQUIRED`, "users must be explicitly assigned to the Studio application to
//! access the Studio"; an unassigned user cannot open it. This is observed in
//! practice: everything else was right, and the Studio still refused the user until
//! they were assigned.
//!
//! **How to fix.** Assign the user, or a group they belong to.
//! Console: Amazon EMR → EMR Studio → Studios → the Studio → **Assign users and
//! groups** → pick the user or group and a session policy.
//! CLI: `aws emr create-studio-session-mapping --region <region> --studio-id <id>
//! --identity-type USER --identity-id <user id> --session-policy-arn <policy ARN>`
//! (or `--identity-type GROUP --identity-id <group id>`). The report fills in the
//! ids, and reuses the session policy of an existing mapping when there is one. The
//! session policy must be attached to the Studio's user role. Assigning users
//! through a session mapping also assigns them on the Studio's application
//! ("Assign users or groups to a Studio" needs `sso:CreateApplicationAssignment`).
//!
//! **Evidence.** Documented: `IdcUserAssignment` ("If REQUIRED, users must be
//! explicitly assigned to the Studio application to access the Studio");
//! CreateStudioSessionMapping ("Use CreateStudioSessionMapping to assign users to a
//! Studio when you use IAM Identity Center authentication"); the EMR Studio
//! administrator permissions (creating a Studio calls `sso:CreateApplication`,
//! assigning users calls `sso:CreateApplicationAssignment`); DescribeStudio returns
//! no application ARN; ListApplications returns each application's sign-in URL.
//! Observed in practice: an unassigned user refused by the Studio. Inferred: that
//! the Studio's application is the one whose sign-in URL is the Studio's URL.
//!
//! **References.**
//! - https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-manage-users.html
//! - https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-admin-permissions.html
//! - https://docs.aws.amazon.com/emr/latest/APIReference/API_CreateStudioSessionMapping.html
//! - https://docs.aws.amazon.com/emr/latest/APIReference/API_CreateStudio.html
//! - https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_ListApplications.html
//! - https://docs.aws.amazon.com/cli/latest/reference/emr/create-studio-session-mapping.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::{Ctx, Principals, studio_label};
use crate::each::each_studio;
use crate::facts::{Assignment, SessionMapping, Studio};
use crate::fix::{Action, Kind};
use crate::idc::{Who, groups_note, missing_user, scoped, user_label, via, who};
use crate::modes::{AuthMode, UserAssignment};
use crate::roles::not_sso;

pub const META: Meta = Meta {
    id: "ES008",
    name: "studio-users-assigned",
    area: Area::EmrStudio,
    severity: Severity::Error,
    title: "Users are assigned to the EMR Studio",
    // IC003: an unknown or disabled --user is reported there, once; this check skips it.
    depends_on: &["ES001", "IC003"],
    hop: crate::check::Hop::SignIn,
    entitlement: true,
    fixes: &[
        ("emr:CreateStudioSessionMapping", Kind::Ready),
        ("emr:CreateStudioSessionMapping", Kind::NeedsInput),
        ("emr:CreateStudio", Kind::Recreates),
        ("emr:DeleteStudio", Kind::Recreates),
    ],
    needs: &[
        Need::Caller,
        Need::Studios,
        Need::SessionMappings,
        Need::StudioApplications,
        Need::Users,
    ],
    docs: &[
        "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-manage-users.html",
        "https://docs.aws.amazon.com/emr/latest/APIReference/API_CreateStudioSessionMapping.html",
    ],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_studio(ctx, |s| studio(ctx, s))
}

fn studio(ctx: &Ctx, s: &Studio) -> Vec<Outcome> {
    let label = studio_label(s);
    if s.auth_mode != Some(AuthMode::Sso) {
        return vec![not_sso(ctx, s)];
    }
    let note = match s.idc_user_assignment {
        Some(UserAssignment::Optional) => {
            return vec![Outcome::pass(
                &label,
                format!(
                    "{label} has IdcUserAssignment OPTIONAL: every user of the Identity Center instance may sign in"
                ),
            )];
        }
        Some(UserAssignment::Required) => "",
        _ => " (DescribeStudio reported no IdcUserAssignment; treated as REQUIRED)",
    };
    let maps = match s.session_mappings.known() {
        Ok(m) => m,
        Err(u) => {
            return vec![Outcome::unknown(
                &label,
                &format!("the session mappings of {label}"),
                u,
            )];
        }
    };
    let app = application(ctx, s);
    who(ctx)
        .into_iter()
        .map(|w| (w.scope(), match w {
            Who::Anyone if maps.is_empty() => {
                let o = match &app {
                    App::Read { assigned: [], .. } => Outcome::fail(
                        &label,
                        format!("no user or group is assigned to {label} (no session mapping, no assignment on its Identity Center application), so nobody can sign in{note}"),
                    ),
                    App::Read { arn, assigned } => Outcome::warn(
                        &label,
                        format!(
                            "{label} has no session mappings; {} principal(s) are assigned only on its Identity Center application {arn}. {ONLY_APP}{note}",
                            assigned.len()
                        ),
                    ),
                    App::NotRead(why) => Outcome::warn(
                        &label,
                        format!("{label} has no session mappings, so nobody may be able to sign in{note}; {why}, so an assignment made on it directly was not evaluated"),
                    ),
                };
                o.fix(fix(ctx, s, maps, None))
            }
            Who::Anyone => Outcome::pass(
                &label,
                format!(
                    "{label} has {} session mapping(s): {}; add --user <name> to check a particular user",
                    maps.len(),
                    maps.iter().map(mapping_name).collect::<Vec<_>>().join(", ")
                ),
            ),
            Who::User(p) => match maps.iter().find(|m| p.matches(&m.identity_type, &m.identity_id)) {
                Some(m) => Outcome::pass(
                    &label,
                    format!("{} is assigned to {label} {}", user_label(&p), via(&p, &m.identity_type, &m.identity_id)),
                ),
                None => {
                    let mapped = if maps.is_empty() {
                        "the Studio has no session mappings at all".to_string()
                    } else {
                        format!("none of its {} session mapping(s) is for the user or their groups", maps.len())
                    };
                    let who = user_label(&p);
                    let groups = groups_note(&p);
                    let o = match &app {
                        App::Read { arn, assigned } => match assigned.iter().find(|a| p.matches(&a.principal_type, &a.principal_id)) {
                            Some(a) => Outcome::warn(
                                &label,
                                format!(
                                    "{who} has no session mapping on {label} ({mapped}) but is assigned to its Identity Center application {arn} {}. {ONLY_APP}{note}",
                                    via(&p, &a.principal_type, &a.principal_id)
                                ),
                            ),
                            None => Outcome::fail(
                                &label,
                                format!("{who} is not assigned to {label}, so they cannot open it: {mapped}, and neither they nor their groups are assigned to its Identity Center application {arn}{groups}{note}"),
                            ),
                        },
                        App::NotRead(why) => Outcome::warn(
                            &label,
                            format!("{who} has no session mapping on {label}, so they may not be able to open it: {mapped}{groups}{note}; {why}, so an assignment made on it directly was not evaluated"),
                        ),
                    };
                    o.fix(fix(ctx, s, maps, Some(&p)))
                }
            },
            Who::Missing(name) => missing_user(ctx, name, &label),
            Who::Unread(name, u) => Outcome::unknown(&label, &format!("Identity Center user \"{name}\""), &u),
        }))
        .map(|(scope, o)| scoped(o, scope))
        .collect()
}

const ONLY_APP: &str = "EMR Studio assigns users through session mappings, which carry their session policy; whether it lets in a user assigned only on the application is not documented (inferred)";

/// The Studio's Identity Center application, as far as it could be read.
enum App<'a> {
    Read {
        arn: &'a str,
        assigned: &'a [Assignment],
    },
    /// Why its assignments are unknown.
    NotRead(String),
}

fn application<'a>(ctx: &Ctx<'a>, s: &'a Studio) -> App<'a> {
    let arn = match s.application_arn.known() {
        Ok(Some(arn)) => arn,
        Ok(None) => {
            return App::NotRead(
                "DescribeStudio names no Identity Center application and none of this account's applications on the Studio's instance has the Studio's URL as its sign-in URL, so the Studio's application could not be located".into(),
            );
        }
        Err(u) => {
            return App::NotRead(format!(
                "the Studio's Identity Center application could not be located ({u})"
            ));
        }
    };
    match ctx.facts.applications.get(arn).map(|a| ctx.assignments(a)) {
        Some(Ok(assigned)) => App::Read { arn, assigned },
        Some(Err(u)) => App::NotRead(format!(
            "the assignments of its Identity Center application {arn} could not be read ({u})"
        )),
        None => App::NotRead(format!(
            "its Identity Center application {arn} is not in the facts"
        )),
    }
}

/// Map the user to the Studio directly (a group of theirs would do too: the
/// summary names them), with the session policy an existing mapping uses.
fn fix(ctx: &Ctx, s: &Studio, maps: &[SessionMapping], p: Option<&Principals>) -> Remediation {
    let policy = maps
        .iter()
        .find_map(|m| m.session_policy_arn.clone())
        .unwrap_or_else(|| format!("arn:aws:iam::{}:policy/<SESSION_POLICY>", ctx.account()));
    let (who, id, groups) = match p {
        Some(p) => {
            let groups: Vec<String> = p
                .groups
                .iter()
                .map(|g| match p.group_name(&g.group_id) {
                    n if n == g.group_id => n.to_string(),
                    n => format!("{n} ({})", g.group_id),
                })
                .collect();
            let groups = if groups.is_empty() {
                String::new()
            } else {
                format!(
                    "; mapping one of their groups instead (--identity-type GROUP --identity-id with the group's id) works too: {}",
                    groups.join(", ")
                )
            };
            (user_label(p), p.user_id.to_string(), groups)
        }
        None => (
            "a user or group".to_string(),
            "<IDC_USER_ID>".to_string(),
            "; to assign a group instead, use --identity-type GROUP and the group's id".to_string(),
        ),
    };
    Remediation::new(
        format!(
            "Assign {who} to {} (console: EMR Studio → Studios → {} → Assign users and groups){groups}",
            studio_label(s),
            s.name
        ),
        vec![Action::CreateStudioSessionMapping {
            region: ctx.region().to_string(),
            studio_id: s.studio_id.clone(),
            identity_type: "USER".into(),
            identity_id: id,
            session_policy_arn: policy,
        }],
        META.docs,
    )
}

fn mapping_name(m: &SessionMapping) -> String {
    format!(
        "{} {}",
        m.identity_type,
        m.identity_name.as_deref().unwrap_or(&m.identity_id)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Status, Verdict};
    use crate::fact::Fact;
    use crate::facts::{Facts, IdcGroup, UserFacts};
    use crate::scope::Scope;
    use crate::testkit::{denied, healthy, only, results, skipped, studio, without_user};

    const ALICE: &str = "97a4f8e8-30c1-70d2-1a2b-3c4d5e6f7a8b";

    fn maps(f: &mut Facts) -> &mut Vec<SessionMapping> {
        match &mut studio(f).session_mappings {
            Fact::Known(v) => v,
            Fact::Unknown(_) => panic!("mappings unknown"),
        }
    }

    const APP: &str =
        "arn:aws:sso::111122223333:application/ssoins-7758a1b2c3d4e5f6/apl-5e6f7a8b9c0d1e2f";

    /// The assignments on the Studio's Identity Center application.
    fn app_assignments(f: &mut Facts) -> &mut Vec<crate::facts::Assignment> {
        match &mut f.applications.get_mut(APP).unwrap().assignments {
            Fact::Known(v) => v,
            Fact::Unknown(_) => panic!("assignments unknown"),
        }
    }

    /// Nobody assigned: no session mapping, nothing on the application.
    fn unassign(f: &mut Facts) {
        maps(f).clear();
        app_assignments(f).clear();
    }

    #[test]
    fn passes_on_healthy_through_group() {
        let r = only("ES008", &healthy());
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert!(r.message.contains("alice") && r.message.contains("through group analysts"));
    }

    #[test]
    fn passes_on_direct_user_mapping() {
        let mut f = healthy();
        let m = &mut maps(&mut f)[0];
        m.identity_type = "USER".into();
        m.identity_id = ALICE.into();
        assert!(only("ES008", &f).message.contains("directly"));
    }

    #[test]
    fn fails_without_mappings_with_a_filled_fix() {
        let mut f = healthy();
        unassign(&mut f);
        let r = only("ES008", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("alice") && r.message.contains("analysts"));
        let c = r.remediation.unwrap().commands;
        assert!(c[0].contains("--studio-id es-D1A2B3C4D5E6F7A8B9C0D1E2F"));
        assert!(c[0].contains(&format!("--identity-type USER --identity-id {ALICE}")));
        assert!(c[0].contains("arn:aws:iam::111122223333:policy/<SESSION_POLICY>"));
        assert_eq!(c.len(), 1);
        let fix = only("ES008", &f).remediation.unwrap();
        assert!(
            fix.summary
                .contains("analysts (e7b4d8a8-6041-7011-9c2d-0a1b2c3d4e5f)"),
            "{}",
            fix.summary
        );
        assert_eq!(fix.applicability.kind, crate::fix::Kind::NeedsInput);
    }

    #[test]
    fn fails_when_only_another_group_is_mapped_and_reuses_its_policy() {
        let mut f = healthy();
        maps(&mut f)[0].identity_id = "other-group".into();
        app_assignments(&mut f)[0].principal_id = "other-group".into();
        let r = only("ES008", &f);
        assert_eq!(r.status, Status::Fail);
        let fix = r.remediation.unwrap();
        assert!(
            fix.commands[0].contains("arn:aws:iam::111122223333:policy/EMRStudio-SessionPolicy")
        );
        assert_eq!(fix.applicability.kind, crate::fix::Kind::Ready);
    }

    #[test]
    fn the_fix_really_fixes() {
        let mut f = healthy();
        unassign(&mut f);
        let c = only("ES008", &f).remediation.unwrap().commands;
        // Run the first command: a USER mapping for alice.
        assert!(c[0].contains(&format!("--identity-type USER --identity-id {ALICE}")));
        maps(&mut f).push(SessionMapping {
            identity_id: ALICE.into(),
            identity_name: None,
            identity_type: "USER".into(),
            session_policy_arn: Some("arn:aws:iam::111122223333:policy/P".into()),
        });
        assert_eq!(only("ES008", &f).status, Status::Pass);
    }

    #[test]
    fn without_a_mapping_an_assignment_on_the_application_only_is_a_warning() {
        let mut f = healthy();
        maps(&mut f).clear();
        let r = only("ES008", &f);
        assert_eq!(r.status, Status::Warn, "{}", r.message);
        assert!(
            r.message.contains(&format!(
                "assigned to its Identity Center application {APP} through group analysts"
            )),
            "{}",
            r.message
        );
        assert!(r.message.contains("(inferred)"));
        without_user(&mut f);
        assert_eq!(only("ES008", &f).status, Status::Warn);
    }

    #[test]
    fn without_a_mapping_and_without_the_application_it_is_a_warning_naming_what_was_not_evaluated()
    {
        let mut f = healthy();
        unassign(&mut f);
        studio(&mut f).application_arn = Fact::Known(None);
        let r = only("ES008", &f);
        assert_eq!(r.status, Status::Warn, "{}", r.message);
        assert!(
            r.message.contains("could not be located") && r.message.contains("was not evaluated"),
            "{}",
            r.message
        );
        assert!(r.remediation.is_some());

        studio(&mut f).application_arn = Fact::Unknown(denied("sso:ListApplications"));
        let r = only("ES008", &f);
        assert_eq!(r.status, Status::Warn);
        assert!(r.message.contains("sso:ListApplications"), "{}", r.message);

        // Located, but its assignments unreadable.
        studio(&mut f).application_arn = Fact::Known(Some(APP.into()));
        f.applications.get_mut(APP).unwrap().assignments =
            Fact::Unknown(denied("sso:ListApplicationAssignments"));
        let r = only("ES008", &f);
        assert_eq!(r.status, Status::Warn);
        assert!(
            r.message.contains("sso:ListApplicationAssignments"),
            "{}",
            r.message
        );

        without_user(&mut f);
        assert_eq!(only("ES008", &f).status, Status::Warn);
    }

    #[test]
    fn optional_assignment_passes_without_mappings() {
        let mut f = healthy();
        studio(&mut f).idc_user_assignment = Some("OPTIONAL".into());
        maps(&mut f).clear();
        assert_eq!(only("ES008", &f).status, Status::Pass);
    }

    #[test]
    fn absent_assignment_mode_is_treated_as_required() {
        let mut f = healthy();
        studio(&mut f).idc_user_assignment = None;
        unassign(&mut f);
        let r = only("ES008", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("treated as REQUIRED"));
    }

    #[test]
    fn without_user_anyone_mapped_passes_and_mentions_user_flag() {
        let mut f = healthy();
        without_user(&mut f);
        let r = only("ES008", &f);
        assert_eq!(r.status, Status::Pass);
        assert!(r.message.contains("--user"));
        unassign(&mut f);
        let r = only("ES008", &f);
        assert_eq!(r.status, Status::Fail);
        let fix = r.remediation.unwrap();
        assert!(fix.commands[0].contains("--identity-type USER --identity-id '<IDC_USER_ID>'"));
        let inputs: Vec<&str> = fix
            .applicability
            .inputs
            .iter()
            .map(|i| i.name.as_str())
            .collect();
        assert_eq!(inputs, ["IDC_USER_ID", "SESSION_POLICY"]);
    }

    #[test]
    fn unknown_user_name_skips_behind_ic003_and_fails_alone() {
        let mut f = healthy();
        f.users[0].user = Fact::Known(None);
        skipped("ES008", &f, "IC003");
        // Without the runner (IC003 not evaluated) the check still fails on its own.
        let out = run(&Ctx::new(&f));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].verdict, Verdict::Fail);
        assert!(
            out[0]
                .message
                .contains("no Identity Center user named \"alice\" in identity store d-9567a1b2c3")
        );
        assert_eq!(
            out[0].scope,
            vec![
                Scope::User("alice".into()),
                Scope::Studio("es-D1A2B3C4D5E6F7A8B9C0D1E2F".into())
            ]
        );
    }

    #[test]
    fn without_user_the_outcome_has_no_user_scope() {
        let mut f = healthy();
        without_user(&mut f);
        let out = run(&Ctx::new(&f));
        assert_eq!(
            out[0].scope,
            vec![Scope::Studio("es-D1A2B3C4D5E6F7A8B9C0D1E2F".into())]
        );
    }

    #[test]
    fn unreadable_user_or_mappings_are_errors() {
        let mut f = healthy();
        f.users[0].groups = Fact::Unknown(denied("identitystore:ListGroupMembershipsForMember"));
        assert_eq!(only("ES008", &f).status, Status::Error);

        let mut f = healthy();
        studio(&mut f).session_mappings =
            Fact::Unknown(denied("elasticmapreduce:ListStudioSessionMappings"));
        let r = only("ES008", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("ListStudioSessionMappings"));

        // --user alice asked, but its lookup is not in the facts: IC003 errors,
        // so this check skips; alone, it errors.
        let mut f = healthy();
        f.users.clear();
        skipped("ES008", &f, "IC003");
        assert_eq!(run(&Ctx::new(&f))[0].verdict, Verdict::Error);
    }

    #[test]
    fn one_outcome_per_user() {
        let mut f = healthy();
        f.target.users.push("bob".into());
        f.users.push(UserFacts {
            user_name: "bob".into(),
            user: Fact::Known(Some(crate::facts::IdcUser {
                user_id: "bob-id".into(),
                display_name: None,
                status: None,
            })),
            groups: Fact::Known(vec![IdcGroup {
                group_id: "g2".into(),
                display_name: None,
            }]),
        });
        let r = results("ES008", &f);
        let s: Vec<_> = r.iter().map(|r| r.status).collect();
        assert_eq!(s, vec![Status::Pass, Status::Fail], "{r:#?}");
        assert!(r[1].message.contains("bob"));
    }

    #[test]
    fn skips_iam_studios() {
        let mut f = healthy();
        studio(&mut f).auth_mode = Some("IAM".into());
        assert_eq!(only("ES008", &f).status, Status::Skip);
    }
}
