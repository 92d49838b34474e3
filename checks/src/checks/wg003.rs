//! # WG003 workgroup-users-assigned
//!
//! **What it checks.** For each Identity-Center-enabled workgroup in scope (or the
//! one named by `--workgroup`), its Identity Center application
//! (`GetWorkGroup` → `WorkGroup.IdentityCenterApplicationArn`) lets the user in.
//! When the application requires assignments
//! (`sso:GetApplicationAssignmentConfiguration` → `AssignmentRequired`), each
//! `--user` or one of their groups must be among its assignments
//! (`sso:ListApplicationAssignments`). Without `--user`, at least one user or group
//! must be assigned; add `--user <name>` for a per-user answer. A regular
//! workgroup named by `--workgroup` passes: "Regular WorkGroups – No user/group
//! assignments needed" (workgroups-identity-center; WG001 warns about it).
//!
//! **Why it matters.** "To access Trusted identity propagation enabled workgroups,
//! IAM Identity Center users must be assigned to the IdentityCenterApplicationArn
//! that is returned by … GetWorkGroup." An unassigned user does not see the
//! workgroup in the EMR Studio's Athena SQL editor, or cannot run queries in it.
//!
//! **How to fix.** Assign the user, or a group they belong to, to the workgroup's
//! application. Console: Athena → Workgroups → the workgroup → IAM Identity Center
//! details → **Assign users and groups**. CLI (the report fills in the ARN and ids):
//! `aws sso-admin create-application-assignment --region <region> --application-arn
//! <workgroup application ARN> --principal-id <user id> --principal-type USER` (or
//! `--principal-id <group id> --principal-type GROUP`). Do not turn off "Require
//! assignments" instead: "Don't modify the Require assignments setting for AWS
//! managed applications". Entitlement changes can take up to an hour to apply.
//!
//! **Evidence.** Documented (workgroups-access, workgroups-identity-center: users must be
//! assigned to the workgroup's application; trustedidentitypropagation
//! considerations: do not change "Require assignments" on AWS managed
//! applications) and the API model (`AssignmentRequired`, `ListApplicationAssignments`).
//!
//! **References.**
//! - https://docs.aws.amazon.com/athena/latest/ug/workgroups-access.html
//! - https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html
//! - https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreateApplicationAssignment.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/trustedidentitypropagation-overall-prerequisites.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::{Ctx, Principals, idc_enabled, workgroup_label};
use crate::each::each_target_workgroup;
use crate::facts::WorkGroup;
use crate::fix::{Action, Kind};
use crate::idc::{self, Who, groups_note, missing_user, scoped, user_label, via, who};
use crate::roles::replace_fix;

pub const META: Meta = Meta {
    id: "WG003",
    name: "workgroup-users-assigned",
    area: Area::AthenaWorkgroup,
    severity: Severity::Error,
    title: "Users are assigned to the workgroup's Identity Center application",
    // IC003: an unknown or disabled --user is reported there, once; this check skips it.
    depends_on: &["WG001", "IC003"],
    hop: crate::check::Hop::Workgroup,
    entitlement: true,
    fixes: &[
        ("sso:CreateApplicationAssignment", Kind::Ready),
        ("sso:CreateApplicationAssignment", Kind::NeedsInput),
        ("iam:CreateRole", Kind::Recreates),
        ("athena:CreateWorkGroup", Kind::Recreates),
    ],
    needs: &[
        Need::Caller,
        Need::Workgroups,
        Need::WorkgroupAssignments,
        Need::Users,
    ],
    docs: &[
        "https://docs.aws.amazon.com/athena/latest/ug/workgroups-access.html",
        "https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html",
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/trustedidentitypropagation-overall-prerequisites.html",
    ],
};

/// Why a workgroup without an application is replaced (inferred: no update
/// operation creates a workgroup's Identity Center application).
const NO_APPLICATION: &str = "Athena creates an Identity Center workgroup's application with the workgroup, and no update operation adds one to an existing workgroup (UpdateWorkGroup takes no IdentityCenterConfiguration): a new workgroup replaces it, and the old one is deleted once its users and saved queries have moved to the new one";

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_target_workgroup(ctx, |w| workgroup(ctx, w))
}

fn workgroup(ctx: &Ctx, w: &WorkGroup) -> Vec<Outcome> {
    let label = workgroup_label(w);
    if !idc_enabled(w) {
        return vec![Outcome::pass(
            &label,
            format!(
                "{label} is a regular workgroup: it has no Identity Center application, and Identity Center users need no assignment to use it from the EMR Studio (WG001 says what that means for Lake Formation grants)"
            ),
        )];
    }
    let Some(arn) = w
        .identity_center_application_arn
        .as_deref()
        .filter(|a| !a.is_empty())
    else {
        return vec![
            Outcome::fail(
                &label,
                format!("GetWorkGroup returned no IdentityCenterApplicationArn for {label}, so nobody can be assigned to it"),
            )
            .fix(replace_fix(
                ctx,
                &format!("{}-idc", w.name),
                Some(w),
                "The workgroup has no Identity Center application: create a new Identity-Center-enabled workgroup (English console or CLI), then assign users to its application",
                NO_APPLICATION,
            )),
        ];
    };
    let assigned = match idc::required_assignments(ctx, &label, arn) {
        Ok(Some(a)) => a,
        Ok(None) => {
            return vec![Outcome::pass(
                &label,
                format!(
                    "the application of {label} ({arn}) does not require assignments: every Identity Center user may use it"
                ),
            )];
        }
        Err(o) => return vec![*o],
    };
    who(ctx)
        .into_iter()
        .map(|x| (x.scope(), match x {
            Who::Anyone if assigned.is_empty() => Outcome::fail(
                &label,
                format!("no user or group is assigned to the application of {label} ({arn}), and it requires assignments"),
            )
            .fix(fix(ctx, &label, arn, None)),
            Who::Anyone => Outcome::pass(
                &label,
                format!(
                    "{} principal(s) are assigned to the application of {label}; add --user <name> to check a particular user",
                    assigned.len()
                ),
            ),
            Who::User(p) => match assigned.iter().find(|a| p.matches(&a.principal_type, &a.principal_id)) {
                Some(a) => Outcome::pass(
                    &label,
                    format!(
                        "{} is assigned to the application of {label} {}",
                        user_label(&p),
                        via(&p, &a.principal_type, &a.principal_id)
                    ),
                ),
                None => Outcome::fail(
                    &label,
                    format!(
                        "{} is not assigned to the application of {label} ({arn}), which requires assignments{}",
                        user_label(&p),
                        groups_note(&p)
                    ),
                )
                .fix(fix(ctx, &label, arn, Some(&p))),
            },
            Who::Missing(name) => missing_user(ctx, name, &label),
            Who::Unread(name, u) => Outcome::unknown(&label, &format!("Identity Center user \"{name}\""), &u),
        }))
        .map(|(scope, o)| scoped(o, scope))
        .collect()
}

/// Assign the user (their groups are named as the alternative), or, without
/// `--user`, a user a person names.
fn fix(ctx: &Ctx, label: &str, arn: &str, p: Option<&Principals>) -> Remediation {
    let (who, id, or) = match p {
        Some(p) => {
            let groups: Vec<String> = p
                .groups
                .iter()
                .map(|g| format!("{} ({})", p.group_name(&g.group_id), g.group_id))
                .collect();
            let or = if groups.is_empty() {
                String::new()
            } else {
                format!(
                    "; or assign one of their groups instead (principal type GROUP): {}",
                    groups.join(", ")
                )
            };
            (user_label(p), p.user_id.to_string(), or)
        }
        None => (
            "a user".to_string(),
            "<IDC_USER_ID>".to_string(),
            "; or assign a group instead (principal type GROUP, the group's id)".to_string(),
        ),
    };
    Remediation::new(
        format!(
            "Assign {who} to the application of {label} (console: Athena → Workgroups → Assign users and groups){or}; do not turn off \"Require assignments\" on this AWS managed application"
        ),
        vec![Action::CreateApplicationAssignment {
            region: ctx.region().to_string(),
            application_arn: arn.to_string(),
            principal_id: id,
            principal_type: "USER".into(),
        }],
        META.docs,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Status, Verdict};
    use crate::fact::Fact;
    use crate::facts::{Application, Assignment, Facts};
    use crate::scope::Scope;
    use crate::testkit::{denied, healthy, idc_wg, only, skipped, without_user};

    const APP: &str =
        "arn:aws:sso::111122223333:application/ssoins-7758a1b2c3d4e5f6/apl-3c4d5e6f7a8b9c0d";
    const ALICE: &str = "97a4f8e8-30c1-70d2-1a2b-3c4d5e6f7a8b";

    fn app(f: &mut Facts) -> &mut Application {
        f.applications.get_mut(APP).unwrap()
    }

    fn assigned(f: &mut Facts) -> &mut Vec<Assignment> {
        match &mut app(f).assignments {
            Fact::Known(v) => v,
            Fact::Unknown(_) => panic!("assignments unknown"),
        }
    }

    #[test]
    fn passes_on_healthy_through_group() {
        let r = only("WG003", &healthy());
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert!(r.message.contains("alice") && r.message.contains("through group analysts"));
    }

    #[test]
    fn passes_on_direct_assignment() {
        let mut f = healthy();
        assigned(&mut f)[0] = Assignment {
            principal_id: ALICE.into(),
            principal_type: "USER".into(),
        };
        assert!(only("WG003", &f).message.contains("directly"));
    }

    #[test]
    fn fails_when_unassigned_with_filled_commands() {
        let mut f = healthy();
        assigned(&mut f).clear();
        let r = only("WG003", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("alice") && r.message.contains(APP));
        let fix = r.remediation.unwrap();
        assert!(fix.summary.contains("Require assignments"));
        assert_eq!(
            fix.commands[0],
            format!(
                "aws sso-admin create-application-assignment --region ap-northeast-1 --application-arn {APP} --principal-id {ALICE} --principal-type USER"
            )
        );
        // One assignment; the user's group is named as the alternative.
        assert_eq!(fix.commands.len(), 1);
        assert!(
            fix.summary
                .contains("analysts (e7b4d8a8-6041-7011-9c2d-0a1b2c3d4e5f)"),
            "{}",
            fix.summary
        );
        assert_eq!(fix.applicability.kind, Kind::Ready);
    }

    #[test]
    fn assignment_not_required_passes() {
        let mut f = healthy();
        app(&mut f).assignment_required = Fact::Known(false);
        assigned(&mut f).clear();
        let r = only("WG003", &f);
        assert_eq!(r.status, Status::Pass);
        assert!(r.message.contains("does not require assignments"));
    }

    #[test]
    fn without_user_checks_anyone() {
        let mut f = healthy();
        without_user(&mut f);
        let r = only("WG003", &f);
        assert_eq!(r.status, Status::Pass);
        assert!(r.message.contains("--user"));
        assigned(&mut f).clear();
        let r = only("WG003", &f);
        assert_eq!(r.status, Status::Fail);
        let fix = r.remediation.unwrap();
        assert!(fix.commands[0].contains("<IDC_USER_ID>"));
        assert_eq!(fix.applicability.kind, Kind::NeedsInput);
        assert_eq!(fix.applicability.inputs[0].name, "IDC_USER_ID");
    }

    #[test]
    fn missing_user_skips_behind_ic003_and_fails_alone() {
        let mut f = healthy();
        f.users[0].user = Fact::Known(None);
        skipped("WG003", &f, "IC003");
        // Without the runner (IC003 not evaluated) the check still fails on its own.
        let out = run(&Ctx::new(&f));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].verdict, Verdict::Fail);
        assert!(
            out[0]
                .message
                .contains("no Identity Center user named \"alice\"")
        );
        assert_eq!(
            out[0].scope,
            vec![
                Scope::User("alice".into()),
                Scope::Workgroup("idc-wg".into())
            ]
        );
    }

    #[test]
    fn missing_application_arn_fails_with_recreate_fix() {
        let mut f = healthy();
        idc_wg(&mut f).identity_center_application_arn = None;
        let r = only("WG003", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("no IdentityCenterApplicationArn"));
        let fix = r.remediation.unwrap();
        let c = &fix.commands[0];
        assert!(c.contains("--name idc-wg-idc") && c.contains("AWSAthenaSQLRole-idc-wg"));
        assert_eq!(fix.applicability.kind, Kind::Recreates);
    }

    #[test]
    fn unknown_facts_are_errors() {
        let mut f = healthy();
        app(&mut f).assignment_required =
            Fact::Unknown(denied("sso:GetApplicationAssignmentConfiguration"));
        assert_eq!(only("WG003", &f).status, Status::Error);

        let mut f = healthy();
        app(&mut f).assignments = Fact::Unknown(denied("sso:ListApplicationAssignments"));
        let r = only("WG003", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("sso:ListApplicationAssignments"));

        let mut f = healthy();
        f.applications.clear();
        assert_eq!(only("WG003", &f).status, Status::Error);

        // An unreadable user: IC003 errors, so this check skips; alone, it errors.
        let mut f = healthy();
        f.users[0].user = Fact::Unknown(denied("identitystore:GetUserId"));
        assert_eq!(only("WG003", &f).status, Status::Skip);
        assert_eq!(run(&Ctx::new(&f))[0].verdict, Verdict::Error);

        let mut f = healthy();
        f.users[0].groups = Fact::Unknown(denied("identitystore:ListGroupMembershipsForMember"));
        assert_eq!(only("WG003", &f).status, Status::Error);
    }

    #[test]
    fn a_selected_regular_workgroup_needs_no_assignment() {
        let mut f = healthy();
        f.target.workgroup = Some("primary".into());
        let r = only("WG003", &f);
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(r.message.contains("regular workgroup"), "{}", r.message);

        f.target.workgroup = Some("nope".into());
        skipped("WG003", &f, "WG001");
    }
}
