//! # ES003 studio-user-role-separate
//!
//! **What it checks.** Every EMR Studio in scope that uses IAM Identity Center
//! authentication has a user role (`DescribeStudio` → `Studio.UserRole`), and that
//! role is not the Studio's service role (`Studio.ServiceRole`; role names are
//! compared, so a name and an ARN of the same role match). No user role: fail.
//! The service role reused as user role: warn. Studios with IAM authentication are
//! ES001's failures and are skipped here.
//!
//! **Why it matters.** "When you use IAM Identity Center authentication, you must
//! specify a --user-role" (EMR create-studio documentation). With trusted identity
//! propagation, EMR Studio assumes the user role on behalf of the signed-in
//! Identity Center user: its trust policy must allow `sts:AssumeRole` and
//! `sts:SetContext` (ES004) and it carries the Athena, Glue and Lake Formation
//! permissions (ES005). The setup guide creates a separate service role and user
//! role; a Studio that reuses the service role as user role fails to open.
//!
//! **How to fix.** The user role is fixed when the Studio is created
//! (`UpdateStudio` cannot change it): create a separate role, then create a new
//! Studio with it and delete the old one.
//! Console: IAM → Roles → Create role → Custom trust policy (the JSON below) →
//! name it; then Amazon EMR → EMR Studio → Studios → Create Studio → **Custom** →
//! Authentication: **IAM Identity Center** → User role: the new role.
//! CLI (the report fills in the Studio's name, VPC, subnets, security groups,
//! service role and S3 location):
//! `aws iam create-role --role-name <Studio>-UserRole --assume-role-policy-document
//! '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"elasticmapreduce.amazonaws.com"},"Action":["sts:AssumeRole","sts:SetContext"]}]}'`,
//! then `aws emr create-studio ... --auth-mode SSO --user-role <Studio>-UserRole ...`
//! and `aws emr delete-studio --studio-id <old>`. Give the new role the
//! permissions ES005 lists before anyone signs in.
//!
//! **Evidence.** The API model (CreateStudio `UserRole`; not in UpdateStudio), documented
//! (emr-studio-create-studio: "you must specify a --user-role"; setting-up-tip-emr
//! step 1 creates separate roles) and observed in practice. The DescribeStudio API
//! reference says a user role is only needed for IAM authentication; CreateStudio
//! and the CLI reference say the opposite, and this check follows them.
//!
//! **References.**
//! - https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-create-studio.html
//! - https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-user-permissions.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/setting-up-tip-emr.html
//! - https://docs.aws.amazon.com/emr/latest/APIReference/API_CreateStudio.html

use crate::check::{Area, Meta, Need, Outcome, Severity};
use crate::ctx::{Ctx, studio_label};
use crate::each::each_studio;
use crate::facts::{Studio, role_name};
use crate::fix::Kind;
use crate::fixes::{USER_ROLE_TRUST, create_role, recreate_fix};
use crate::modes::AuthMode;
use crate::roles::not_sso;

pub const META: Meta = Meta {
    id: "ES003",
    name: "studio-user-role-separate",
    area: Area::EmrStudio,
    severity: Severity::Error,
    title: "EMR Studio has a user role separate from its service role",
    depends_on: &["ES001"],
    hop: crate::check::Hop::UserRole,
    entitlement: false,
    fixes: &[
        ("iam:CreateRole", Kind::Recreates),
        ("emr:CreateStudio", Kind::Recreates),
        ("emr:DeleteStudio", Kind::Recreates),
    ],
    needs: &[Need::Caller, Need::Studios, Need::IdcInstances],
    docs: &[
        "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-create-studio.html",
        "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-user-permissions.html",
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/setting-up-tip-emr.html",
    ],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_studio(ctx, |s| vec![one(ctx, s)])
}

fn one(ctx: &Ctx, s: &Studio) -> Outcome {
    let label = studio_label(s);
    if s.auth_mode != Some(AuthMode::Sso) {
        return not_sso(ctx, s);
    }
    let user = s.user_role.as_deref().filter(|r| !r.is_empty());
    let service = s.service_role.as_deref().filter(|r| !r.is_empty());
    match (user, service) {
        (None, _) => Outcome::fail(
            &label,
            format!(
                "{label} uses IAM Identity Center authentication but has no user role. When you use IAM Identity Center authentication, you must specify a --user-role"
            ),
        )
        .fix(new_role_fix(ctx, s)),
        (Some(u), Some(svc)) if role_name(u) == role_name(svc) => Outcome::warn(
            &label,
            format!(
                "{label} uses its service role {svc} as user role too; the documented setup uses a separate user role (trust: sts:AssumeRole + sts:SetContext), and reusing the service role has been observed to make opening the Studio fail"
            ),
        )
        .fix(new_role_fix(ctx, s)),
        (Some(u), Some(svc)) => Outcome::pass(
            &label,
            format!("{label} has user role {u}, separate from its service role {svc}"),
        ),
        (Some(u), None) => Outcome::pass(
            &label,
            format!("{label} has user role {u} (DescribeStudio reported no service role)"),
        ),
    }
}

/// Create a separate user role, then recreate the Studio with it.
fn new_role_fix(ctx: &Ctx, s: &Studio) -> crate::Remediation {
    let role = user_role_name(&s.name);
    let mut with_role = s.clone();
    with_role.user_role = Some(role.clone());
    let mut fix = recreate_fix(
        ctx,
        Some(&with_role),
        &format!(
            "The user role cannot be changed on an existing Studio: create a separate role {role} (give it the permissions ES005 lists), create a new Studio with it, then delete {}",
            studio_label(s)
        ),
    );
    fix.actions.insert(0, create_role(&role, USER_ROLE_TRUST));
    fix.docs = META.docs.iter().map(|d| d.to_string()).collect();
    fix
}

/// `<Studio>-UserRole`, kept to the characters and length IAM accepts.
fn user_role_name(studio: &str) -> String {
    let clean: String = studio
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "+=,.@_-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(55)
        .collect();
    format!("{clean}-UserRole")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Status, Verdict};
    use crate::fact::Fact;
    use crate::testkit::{denied, healthy, only, skipped, studio};

    #[test]
    fn passes_on_healthy() {
        let r = only("ES003", &healthy());
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert!(r.message.contains("EMRStudio-UserRole"));
    }

    #[test]
    fn fails_without_user_role_and_fixes_with_real_values() {
        let mut f = healthy();
        studio(&mut f).user_role = None;
        let r = only("ES003", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("must specify a --user-role"));
        assert!(r.message.contains("es-D1A2B3C4D5E6F7A8B9C0D1E2F"));
        let c = r.remediation.unwrap().commands;
        assert!(c[0].starts_with("aws iam create-role --role-name analytics-UserRole"));
        assert!(c[0].contains("sts:SetContext"));
        assert!(c[1].contains("--user-role analytics-UserRole"));
        assert!(c[1].contains("--vpc-id vpc-0a1b2c3d4e5f60718"));
        assert!(c[2].contains("delete-studio") && c[2].contains("es-D1A2B3C4D5E6F7A8B9C0D1E2F"));
    }

    #[test]
    fn empty_user_role_is_missing() {
        let mut f = healthy();
        studio(&mut f).user_role = Some(String::new());
        assert_eq!(only("ES003", &f).status, Status::Fail);
    }

    #[test]
    fn warns_when_service_role_is_reused_even_as_name_vs_arn() {
        let mut f = healthy();
        let s = studio(&mut f);
        s.service_role = Some("EMRStudio-ServiceRole".into());
        s.user_role = Some("arn:aws:iam::111122223333:role/EMRStudio-ServiceRole".into());
        let r = only("ES003", &f);
        assert_eq!(r.status, Status::Warn, "{r:#?}");
        assert!(r.message.contains("EMRStudio-ServiceRole"));
        let c = r.remediation.unwrap().commands;
        assert!(c[1].contains("--user-role analytics-UserRole"));
    }

    #[test]
    fn skips_iam_studios() {
        let mut f = healthy();
        studio(&mut f).auth_mode = Some("IAM".into());
        skipped("ES003", &f, "ES001");
    }

    #[test]
    fn unknown_studios_are_an_error_not_a_pass() {
        let mut f = healthy();
        f.studios = Fact::Unknown(denied("elasticmapreduce:ListStudios"));
        let out = run(&Ctx::new(&f));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].verdict, Verdict::Error);
        // Through the runner, ES001 errors first and ES003 is skipped.
        assert_eq!(only("ES003", &f).status, Status::Skip);
    }

    #[test]
    fn role_names_are_valid_iam_names() {
        assert_eq!(user_role_name("my studio/1"), "my-studio-1-UserRole");
        assert!(user_role_name(&"x".repeat(100)).len() <= 64);
    }
}
