//! # ES001 studio-auth-mode-identity-center
//!
//! **What it checks.** Every EMR Studio in scope uses IAM Identity Center
//! authentication (`DescribeStudio` → `Studio.AuthMode == "SSO"`). With no Studio
//! in the region (or none matching `--studio`), it fails.
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

use crate::check::{Area, Meta, Need, Outcome, Severity, remedy};
use crate::ctx::{Ctx, studio_label, studio_scope};
use crate::facts::Studio;

pub const META: Meta = Meta {
    id: "ES001",
    name: "studio-auth-mode-identity-center",
    area: Area::EmrStudio,
    severity: Severity::Error,
    title: "EMR Studio uses IAM Identity Center authentication",
    depends_on: &[],
    hop: crate::check::Hop::SignIn,
    entitlement: false,
    needs: &[Need::Caller, Need::Studios, Need::IdcInstances],
    docs: &[
        "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-create-studio.html",
        "https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html",
    ],
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
            match s.auth_mode.as_deref() {
                None if let Some(u) = &s.unreadable => Outcome::unknown(&label, &label, u),
                Some("SSO") => Outcome::pass(&label, format!("{label} uses IAM Identity Center authentication")),
                mode => Outcome::fail(
                    &label,
                    format!(
                        "{label} uses {} authentication, so Identity-Center-enabled Athena workgroups are not visible in it",
                        mode.unwrap_or("unknown")
                    ),
                )
                .fix(recreate_fix(
                    ctx,
                    Some(s),
                    "Authentication mode cannot be changed: create a new Studio via the console's Custom setup (console in English) or the CLI, then delete the old one",
                )),
            }
            .scope(studio_scope(s))
        })
        .collect()
}

/// The `create-studio` command that builds a correct Studio, filled with what the
/// old Studio and the account tell us. Shared by the checks that end in "recreate".
pub fn recreate_fix(ctx: &Ctx, old: Option<&Studio>, summary: &str) -> crate::Remediation {
    let v = |o: Option<&String>, ph: &str| o.cloned().unwrap_or_else(|| ph.to_string());
    // The instance the Studio already uses, else the one the query path uses.
    let instance = old
        .and_then(|s| s.idc_instance_arn.clone())
        .or_else(|| ctx.idc_instance().map(|c| c.arn.to_string()));
    let name = old.map(|s| format!("{}-idc", s.name));
    let subnets = old
        .filter(|s| !s.subnet_ids.is_empty())
        .map(|s| s.subnet_ids.join(" "))
        .unwrap_or_else(|| "<SUBNET_ID_1> <SUBNET_ID_2>".into());
    let user_role = old
        .and_then(|s| s.user_role.clone())
        .filter(|u| Some(u) != old.and_then(|s| s.service_role.as_ref()))
        .unwrap_or_else(|| "<USER_ROLE_NAME>".into());
    let mut commands = vec![format!(
        "aws emr create-studio --region {region} --name {name} --auth-mode SSO \
         --vpc-id {vpc} --subnet-ids {subnets} \
         --service-role {svc} --user-role {user_role} \
         --workspace-security-group-id {ws} --engine-security-group-id {eng} \
         --default-s3-location {s3} \
         --trusted-identity-propagation-enabled --idc-user-assignment REQUIRED \
         --idc-instance-arn {inst}",
        region = ctx.region(),
        name = v(name.as_ref(), "<STUDIO_NAME>"),
        vpc = v(old.and_then(|s| s.vpc_id.as_ref()), "<VPC_ID>"),
        svc = v(
            old.and_then(|s| s.service_role.as_ref()),
            "<SERVICE_ROLE_NAME>"
        ),
        ws = v(
            old.and_then(|s| s.workspace_security_group_id.as_ref()),
            "<WORKSPACE_SG_ID>"
        ),
        eng = v(
            old.and_then(|s| s.engine_security_group_id.as_ref()),
            "<ENGINE_SG_ID>"
        ),
        s3 = v(
            old.and_then(|s| s.default_s3_location.as_ref()),
            "s3://<BUCKET>/<PREFIX>/"
        ),
        inst = v(instance.as_ref(), "<IDENTITY_CENTER_INSTANCE_ARN>"),
    )];
    if let Some(s) = old {
        commands.push(format!(
            "aws emr delete-studio --region {} --studio-id {}",
            ctx.region(),
            s.studio_id
        ));
    }
    remedy(summary, commands, META.docs)
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
