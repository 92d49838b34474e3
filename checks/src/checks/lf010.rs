//! # LF010 lakeformation-application-assignment
//!
//! **What it checks.** Lake Formation's IAM Identity Center application (the
//! `ApplicationArn` of
//! `lakeformation:DescribeLakeFormationIdentityCenterConfiguration`): when its
//! assignment configuration says assignments are required
//! (`sso:GetApplicationAssignmentConfiguration` → `AssignmentRequired = true`),
//! each `--user` or one of their groups is assigned to it
//! (`sso:ListApplicationAssignments`). Without `--user`, it passes when anyone is
//! assigned. An application that does not require assignments passes. A warning.
//!
//! **Why it matters.** For an Identity Center application, "If
//! AssignmentsRequired is true (default value), users don't have access to the
//! application unless an assignment is created". The Lake Formation application
//! is created without that requirement; once someone turns it on, every user and
//! group that queries through trusted identity propagation must be assigned by
//! hand, and an unassigned user's queries can be refused even though their Lake
//! Formation grants (LF002) are in place.
//!
//! **How to fix.** Assign the user or one of their groups to the application
//! (the report's command assigns the user, and names their groups as the
//! alternative): `aws sso-admin create-application-assignment
//! --application-arn <LF_APPLICATION_ARN> --principal-id <USER_OR_GROUP_ID>
//! --principal-type USER` (or `GROUP`). Or, if the requirement was turned on by
//! mistake, turn it off again: `aws sso-admin
//! put-application-assignment-configuration --application-arn
//! <LF_APPLICATION_ARN> --no-assignment-required`.
//!
//! **Evidence.** Documented: the assignment rule of Identity Center applications
//! (GetApplicationAssignmentConfiguration / PutApplicationAssignmentConfiguration).
//! Inferred: that Lake Formation's application applies it to queries that reach it
//! through trusted identity propagation (no Lake Formation page says so); hence
//! a warning, not a failure.
//!
//! **References.**
//! - https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_GetApplicationAssignmentConfiguration.html
//! - https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_PutApplicationAssignmentConfiguration.html
//! - https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreateApplicationAssignment.html
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/connect-lf-identity-center.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::{Ctx, Principals};
use crate::facts::Assignment;
use crate::fix::{Action, Kind};
use crate::idc::{self, groups_note, user_label, via};
use crate::lf;

pub const META: Meta = Meta {
    id: "LF010",
    name: "lakeformation-application-assignment",
    area: Area::LakeFormation,
    severity: Severity::Warning,
    title: "The user is assigned to Lake Formation's application if required",
    // LF001: without the integration there is no application.
    depends_on: &["LF001", "IC003"],
    hop: crate::check::Hop::Read,
    entitlement: true,
    fixes: &[
        ("sso:CreateApplicationAssignment", Kind::Ready),
        ("sso:CreateApplicationAssignment", Kind::NeedsInput),
    ],
    needs: &[
        Need::Caller,
        Need::LfIdentityCenter,
        Need::LfApplicationAssignments,
        Need::Users,
    ],
    docs: &[
        "https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_GetApplicationAssignmentConfiguration.html",
        "https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreateApplicationAssignment.html",
        "https://docs.aws.amazon.com/lake-formation/latest/dg/connect-lf-identity-center.html",
    ],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    let resource = format!("Lake Formation in {}", ctx.region());
    let arn = match ctx.facts.lake_formation.identity_center.known() {
        Ok(Some(c)) => match c.application_arn.as_deref() {
            Some(a) => a,
            None => {
                return vec![Outcome::pass(
                    resource,
                    "the Lake Formation Identity Center configuration names no application",
                )];
            }
        },
        // No integration: LF001 fails it.
        Ok(None) => return Vec::new(),
        Err(u) => {
            return vec![Outcome::unknown(
                resource,
                "the Lake Formation Identity Center configuration",
                u,
            )];
        }
    };
    let label = format!("Lake Formation application {arn}");
    let assigned = match idc::required_assignments(ctx, &label, arn) {
        Ok(Some(a)) => a,
        Ok(None) => {
            return vec![Outcome::pass(
                &label,
                "Lake Formation's Identity Center application does not require assignments (its default)",
            )];
        }
        Err(o) => return vec![*o],
    };
    lf::per_user(ctx, &label, |p| judge(ctx, &label, arn, assigned, p))
}

fn judge(
    ctx: &Ctx,
    label: &str,
    arn: &str,
    assigned: &[Assignment],
    p: Option<&Principals>,
) -> Outcome {
    let Some(p) = p else {
        return if assigned.is_empty() {
            Outcome::fail(
                label,
                format!("Lake Formation's Identity Center application ({arn}) requires assignments and no user or group is assigned to it"),
            )
            .fix(fix(ctx, arn, None))
        } else {
            Outcome::pass(
                label,
                format!(
                    "{} principal(s) are assigned to Lake Formation's Identity Center application, which requires assignments; --user <name> gives a precise answer",
                    assigned.len()
                ),
            )
        };
    };
    match assigned
        .iter()
        .find(|a| p.matches(&a.principal_type, &a.principal_id))
    {
        Some(a) => Outcome::pass(
            label,
            format!(
                "{} is assigned to Lake Formation's Identity Center application {}",
                user_label(p),
                via(p, &a.principal_type, &a.principal_id)
            ),
        ),
        None => Outcome::fail(
            label,
            format!(
                "Lake Formation's Identity Center application ({arn}) requires assignments and {} is not assigned, directly or through a group{}, so their queries may be refused (inferred)",
                user_label(p),
                groups_note(p)
            ),
        )
        .fix(fix(ctx, arn, Some(p))),
    }
}

/// Assign the user (one action); their groups and turning the requirement off
/// are alternatives a person chooses, so the summary names them.
fn fix(ctx: &Ctx, arn: &str, p: Option<&Principals>) -> Remediation {
    let user = p.map_or("<IDC_USER_ID>", |p| p.user_id);
    let groups = match p {
        Some(p) if !p.groups.is_empty() => {
            let names: Vec<String> = p
                .groups
                .iter()
                .map(|g| match &g.display_name {
                    Some(n) => format!("{n} ({})", g.group_id),
                    None => g.group_id.clone(),
                })
                .collect();
            format!(
                "one of their groups ({}, principal type GROUP)",
                names.join(", ")
            )
        }
        Some(_) => "a group they belong to (principal type GROUP)".to_string(),
        None => "one of their groups (principal type GROUP)".to_string(),
    };
    Remediation::new(
        format!(
            "Assign the user to Lake Formation's Identity Center application (IAM Identity Center → Applications → the Lake Formation application → Assign users and groups), or assign {groups} instead; or, if \"Require assignments\" was turned on by mistake, turn it off again (then every Identity Center user may use the application)"
        ),
        vec![Action::CreateApplicationAssignment {
            region: ctx.region().to_string(),
            application_arn: arn.to_string(),
            principal_id: user.to_string(),
            principal_type: "USER".to_string(),
        }],
        META.docs,
    )
}

#[cfg(test)]
mod tests {
    use super::run;
    use crate::check::Status;
    use crate::ctx::Ctx;
    use crate::fact::Fact;
    use crate::facts::{Application, Assignment, Facts};
    use crate::fix::{Action, Kind};
    use crate::testkit::{denied, healthy, only, skipped, without_user};

    const APP: &str =
        "arn:aws:sso::111122223333:application/ssoins-7758a1b2c3d4e5f6/apl-7a8b9c0d1e2f3a4b";

    fn app(f: &mut Facts) -> &mut Application {
        f.applications.get_mut(APP).expect("the LF application")
    }

    fn required(f: &mut Facts, assignments: Vec<Assignment>) {
        *app(f) = Application {
            assignment_required: Fact::Known(true),
            assignments: Fact::Known(assignments),
            assignments_of: None,
        };
    }

    #[test]
    fn passes_when_assignments_are_not_required() {
        let r = only("LF010", &healthy());
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(r.message.contains("does not require"), "{}", r.message);
    }

    #[test]
    fn warns_when_required_and_the_user_is_not_assigned() {
        let mut f = healthy();
        required(&mut f, vec![]);
        let r = only("LF010", &f);
        assert_eq!(r.status, Status::Warn, "{}", r.message);
        assert!(r.message.contains("user \"alice\""), "{}", r.message);
        let fix = r.remediation.unwrap();
        assert_eq!(fix.applicability.kind, Kind::Ready);
        assert_eq!(fix.commands.len(), 1, "{:?}", fix.commands);
        // The group is an alternative a person chooses: named in the summary.
        assert!(
            fix.summary.contains("e7b4d8a8-6041-7011-9c2d-0a1b2c3d4e5f"),
            "{}",
            fix.summary
        );
        let Some(Action::CreateApplicationAssignment {
            principal_id,
            principal_type,
            ..
        }) = fix.actions.first()
        else {
            panic!("{:?}", fix.actions)
        };
        assert!(fix.commands[0].contains(&format!(
            "--principal-id {principal_id} --principal-type USER"
        )));
        // The fix applied: the user assigned, the check passes.
        required(
            &mut f,
            vec![Assignment {
                principal_id: principal_id.clone(),
                principal_type: principal_type.as_str().into(),
            }],
        );
        let r = only("LF010", &f);
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(r.message.contains("directly"), "{}", r.message);
        // Assigning the group instead passes too.
        required(
            &mut f,
            vec![Assignment {
                principal_id: "e7b4d8a8-6041-7011-9c2d-0a1b2c3d4e5f".into(),
                principal_type: "GROUP".into(),
            }],
        );
        let r = only("LF010", &f);
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(r.message.contains("through group"), "{}", r.message);
    }

    #[test]
    fn without_user_anyone_assigned_passes() {
        let mut f = healthy();
        without_user(&mut f);
        required(&mut f, vec![]);
        assert_eq!(only("LF010", &f).status, Status::Warn);
        required(
            &mut f,
            vec![Assignment {
                principal_id: "x".into(),
                principal_type: "USER".into(),
            }],
        );
        assert_eq!(only("LF010", &f).status, Status::Pass);
    }

    #[test]
    fn unknown_facts_are_errors_and_no_integration_skips() {
        let mut f = healthy();
        app(&mut f).assignment_required =
            Fact::Unknown(denied("sso:GetApplicationAssignmentConfiguration"));
        assert_eq!(only("LF010", &f).status, Status::Error);
        let mut f = healthy();
        f.applications.remove(APP);
        assert_eq!(only("LF010", &f).status, Status::Error);
        let mut f = healthy();
        f.lake_formation.identity_center = Fact::Known(None);
        skipped("LF010", &f, "LF001");
        assert!(run(&Ctx::new(&f)).is_empty());
    }
}
