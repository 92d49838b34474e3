//! # ES001 studio-auth-mode-identity-center
//!
//! **What it checks.** Every EMR Studio in scope uses IAM Identity Center
//! authentication (`ListStudios`/`DescribeStudio` → `AuthMode == "SSO"`). With no
//! Studio in the region (or none matching `--studio`), it fails. In scope: the
//! Studio `--studio` names; else, when the region has a Studio with Identity
//! Center authentication, those Studios (the others are not on the path and are
//! only listed); else every Studio.
//!
//! **Why it matters.** Queries against an Identity-Center-enabled Athena workgroup
//! can only be run from the Athena SQL editor of an EMR Studio that has IAM Identity
//! Center enabled. A Studio created with IAM authentication simply does not list the
//! Identity Center workgroup: there is no error, the workgroup is just invisible.
//! The authentication choice only appears in the console's **Custom** setup, not
//! in "Interactive workloads" or "Batch jobs", and creating the Studio from a
//! non-English console has been seen to fail: switch the console to English or
//! use the CLI.
//!
//! **How to fix.** `AuthMode` cannot be changed after creation: create a new Studio.
//! Console: Amazon EMR → EMR Studio → Studios → Create Studio → **Custom** →
//! Authentication: **IAM Identity Center** → choose a separate user role → tick
//! **Trusted identity propagation** → Application access: **Only assigned users and
//! groups**. CLI: `aws emr create-studio --auth-mode SSO --user-role ...
//! --trusted-identity-propagation-enabled --idc-user-assignment REQUIRED
//! --idc-instance-arn ...` (the report fills in the Studio's own VPC, subnets,
//! security groups, roles and S3 location), then delete the old Studio.
//!
//! **Evidence.** Documented (Athena workgroups-identity-center; EMR emr-studio-create-studio)
//! and observed in practice.
//!
//! **References.**
//! - https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html
//! - https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-create-studio.html
//! - https://docs.aws.amazon.com/emr/latest/APIReference/API_DescribeStudio.html

use crate::check::{Area, Meta, Need, Outcome, Severity};
use crate::ctx::{Ctx, studio_label};
use crate::fix::Kind;
use crate::fixes::{self, recreate_fix};
use crate::modes::AuthMode;
use crate::scope::Scope;

pub const META: Meta = Meta {
    id: "ES001",
    name: "studio-auth-mode-identity-center",
    area: Area::EmrStudio,
    severity: Severity::Error,
    title: "EMR Studio uses IAM Identity Center authentication",
    depends_on: &[],
    hop: crate::check::Hop::SignIn,
    entitlement: false,
    fixes: &[
        ("emr:CreateStudio", Kind::NeedsInput),
        ("emr:CreateStudio", Kind::Recreates),
        ("emr:DeleteStudio", Kind::Recreates),
    ],
    needs: &[Need::Caller, Need::Studios, Need::IdcInstances],
    docs: fixes::STUDIO_DOCS,
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    let studios = match ctx.studios() {
        Ok(s) => s,
        Err(u) => return vec![Outcome::unknown("EMR Studios", "the EMR Studios", u)],
    };
    if studios.is_empty() {
        let what = match &ctx.facts.target.studio {
            Some(sel) => format!(
                "no EMR Studio with id or name \"{sel}\" in {}",
                ctx.region()
            ),
            None => format!("no EMR Studio in {}", ctx.region()),
        };
        return vec![
            Outcome::fail(format!("region {}", ctx.region()), what)
                .fix(recreate_fix(ctx, None, "Create an EMR Studio with IAM Identity Center authentication (console: Create Studio → Custom)")),
        ];
    }
    studios
        .into_iter()
        .map(|s| {
            let label = studio_label(s);
            match &s.auth_mode {
                None if let Some(u) = &s.unreadable => Outcome::unknown(&label, &label, u),
                Some(AuthMode::Sso) => Outcome::pass(&label, format!("{label} uses IAM Identity Center authentication")),
                mode => Outcome::fail(
                    &label,
                    format!(
                        "{label} uses {} authentication, so Identity-Center-enabled Athena workgroups are not visible in it",
                        mode.as_ref().map_or("unknown", AuthMode::as_str)
                    ),
                )
                .fix(recreate_fix(
                    ctx,
                    Some(s),
                    "Authentication mode cannot be changed: create a new Studio via the console's Custom setup (console in English) or the CLI, then delete the old one",
                )),
            }
            .scope(Scope::studio(s))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::check::Status;
    use crate::fact::Fact;
    use crate::testkit::{denied, healthy, instance, only, studio};

    #[test]
    fn passes_on_a_studio_with_identity_center_authentication() {
        let r = only("ES001", &healthy());
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert!(r.message.contains("analytics"), "{}", r.message);
    }

    #[test]
    fn unreadable_studios_are_an_error_not_a_pass() {
        let mut f = healthy();
        f.studios = Fact::Unknown(denied("elasticmapreduce:ListStudios"));
        let r = only("ES001", &f);
        assert_eq!(r.status, Status::Error, "{r:#?}");
        assert!(
            r.message.contains("elasticmapreduce:ListStudios"),
            "{}",
            r.message
        );
    }

    /// An account instance listed before the organization instance the Studio
    /// uses: the new Studio keeps the Studio's instance.
    #[test]
    fn the_recreate_command_names_the_studios_instance_not_the_first_listed() {
        let mut f = healthy();
        let mut other = instance(&mut f).clone();
        other.instance_arn = "arn:aws:sso:::instance/ssoins-0000111122223333".into();
        if let Fact::Known(all) = &mut f.identity_center_instances {
            all.insert(0, other);
        }
        studio(&mut f).auth_mode = Some("IAM".into());
        let r = only("ES001", &f);
        assert_eq!(r.status, Status::Fail);
        let cmd = &r.remediation.unwrap().commands[0];
        assert!(
            cmd.contains("--idc-instance-arn arn:aws:sso:::instance/ssoins-7758a1b2c3d4e5f6"),
            "{cmd}"
        );
    }
}
