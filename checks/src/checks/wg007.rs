//! # WG007 workgroup-enforce-configuration
//!
//! **What it checks.** Each target workgroup (every Identity-Center-enabled one,
//! or `--workgroup`) that creates a per-user result prefix
//! (`QueryResultsS3AccessGrantsConfiguration.CreateUserLevelPrefix == true`) also
//! overrides client-side settings
//! (`Configuration.EnforceWorkGroupConfiguration == true`). A workgroup without
//! the per-user prefix passes.
//!
//! **Why it matters.** The per-user prefix appends the Identity Center user id to
//! the result location, and S3 Access Grants usually grants each user only their
//! own prefix (AG005). The Athena documentation says the user identity prefix
//! "automatically enables the override client-side settings option", which is "a
//! requirement for the user identity prefix feature". A workgroup changed through
//! the API can still end up with the prefix on and enforcement off; then "Athena
//! uses the client's settings", including a client's own result location, which
//! lies outside the prefix the user was granted.
//!
//! **How to fix.** Turn on "Override client-side settings".
//! Console: Athena → Workgroups → the workgroup → Edit → Settings → **Override
//! client-side settings** → Save.
//! CLI (the report fills in the region and the workgroup):
//! `aws athena update-work-group --region <REGION> --work-group <WG>
//! --configuration-updates '{"EnforceWorkGroupConfiguration":true}'`.
//!
//! **Evidence.** Documented (workgroups-identity-center, creation steps: the user
//! identity prefix "automatically enables the override client-side settings
//! option ... a requirement for the user identity prefix feature";
//! workgroups-settings-override: without it the client's settings, result
//! location included, are used) and the API model
//! (`EnforceWorkGroupConfiguration` is in `WorkGroupConfigurationUpdates`).
//!
//! **References.**
//! - https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html
//! - https://docs.aws.amazon.com/athena/latest/ug/workgroups-settings-override.html
//! - https://docs.aws.amazon.com/cli/latest/reference/athena/update-work-group.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::{Ctx, workgroup_label};
use crate::each::each_workgroup;
use crate::facts::WorkGroup;
use crate::fix::Kind;
use crate::fixes::update_work_group_action;

pub const META: Meta = Meta {
    id: "WG007",
    name: "workgroup-enforce-configuration",
    area: Area::AthenaWorkgroup,
    severity: Severity::Error,
    title: "Workgroup with per-user result prefixes overrides client settings",
    depends_on: &["WG006"],
    hop: crate::check::Hop::Write,
    entitlement: false,
    fixes: &[("athena:UpdateWorkGroup", Kind::Ready)],
    needs: &[Need::Workgroups],
    docs: &[
        "https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html",
        "https://docs.aws.amazon.com/athena/latest/ug/workgroups-settings-override.html",
    ],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_workgroup(ctx, |w| vec![one(ctx, w)])
}

fn one(ctx: &Ctx, w: &WorkGroup) -> Outcome {
    let label = workgroup_label(w);
    let prefix = w
        .s3_access_grants
        .as_ref()
        .is_some_and(|g| g.create_user_level_prefix);
    let enforced = w.enforce_workgroup_configuration == Some(true);
    match (prefix, enforced) {
        (false, _) => Outcome::pass(
            &label,
            format!("{label} creates no per-user result prefix, so overriding client-side settings is not required"),
        ),
        (true, true) => Outcome::pass(
            &label,
            format!("{label} creates a per-user result prefix and overrides client-side settings"),
        ),
        (true, false) => Outcome::fail(
            &label,
            format!(
                "{label} creates a per-user result prefix (CreateUserLevelPrefix) but does not override client-side settings (EnforceWorkGroupConfiguration: {}), which the Athena documentation calls a requirement for the user identity prefix",
                w.enforce_workgroup_configuration
                    .map_or("not set".to_string(), |b| b.to_string())
            ),
        )
        .fix(Remediation::new(
            format!(
                "Turn on Override client-side settings for {label} (console: Athena → Workgroups → {} → Edit → Settings)",
                w.name
            ),
            vec![update_work_group_action(
                ctx,
                w,
                serde_json::json!({"EnforceWorkGroupConfiguration": true}),
            )],
            META.docs,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Status, Verdict};
    use crate::fact::Fact;
    use crate::testkit::{denied, healthy, idc_wg, only, skipped};

    #[test]
    fn passes_on_healthy() {
        let r = only("WG007", &healthy());
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert!(r.message.contains("overrides client-side settings"));
    }

    #[test]
    fn fails_with_prefix_and_no_enforcement() {
        for v in [Some(false), None] {
            let mut f = healthy();
            idc_wg(&mut f).enforce_workgroup_configuration = v;
            let r = only("WG007", &f);
            assert_eq!(r.status, Status::Fail, "{r:#?}");
            assert!(r.message.contains("workgroup \"idc-wg\""));
            let fix = r.remediation.unwrap();
            assert_eq!(
                fix.commands,
                [
                    r#"aws athena update-work-group --region ap-northeast-1 --work-group idc-wg --configuration-updates '{"EnforceWorkGroupConfiguration":true}'"#
                ]
            );
            assert_eq!(fix.applicability.kind, Kind::Ready);
        }
    }

    #[test]
    fn no_prefix_needs_no_enforcement() {
        let mut f = healthy();
        let w = idc_wg(&mut f);
        w.enforce_workgroup_configuration = Some(false);
        w.s3_access_grants
            .as_mut()
            .unwrap()
            .create_user_level_prefix = false;
        let r = only("WG007", &f);
        assert_eq!(r.status, Status::Pass);
        assert!(r.message.contains("no per-user result prefix"));
    }

    #[test]
    fn skips_when_wg006_fails() {
        let mut f = healthy();
        let w = idc_wg(&mut f);
        w.s3_access_grants.as_mut().unwrap().enable_s3_access_grants = false;
        w.enforce_workgroup_configuration = Some(false);
        skipped("WG007", &f, "WG006");
    }

    #[test]
    fn unknown_workgroups_are_an_error() {
        let mut f = healthy();
        f.workgroups = Fact::Unknown(denied("athena:ListWorkGroups"));
        let out = run(&Ctx::new(&f));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].verdict, Verdict::Error);
    }
}
