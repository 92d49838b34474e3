//! # WG001 workgroup-identity-center-enabled
//!
//! **What it checks.** With `--workgroup W`: W exists and was created with IAM
//! Identity Center authentication (`GetWorkGroup` →
//! `Configuration.IdentityCenterConfiguration.EnableIdentityCenter == true`, or a
//! non-empty `WorkGroup.IdentityCenterApplicationArn`). Without `--workgroup`: at
//! least one workgroup in the region is Identity-Center-enabled; each one passes
//! and is what the other workgroup checks look at.
//!
//! **Why it matters.** Identity Center users can query through trusted identity
//! propagation only in a workgroup created with IAM Identity Center
//! authentication; an EMR Studio with Identity Center lists only those. The
//! authentication method cannot be changed later: "You cannot change the
//! authentication method for the workgroup after the workgroup is created", and
//! `UpdateWorkGroup` has no `IdentityCenterConfiguration`. Creating such a
//! workgroup from a non-English console has been seen to fail: use the English
//! console or the CLI.
//!
//! **How to fix.** Create a new workgroup with Identity Center enabled.
//! Console (in English): Athena → Workgroups → Create workgroup → Authentication:
//! **IAM Identity Center** → Service role for IAM Identity Center access → Query
//! result location → Create user identity based S3 prefix → Override client-side
//! settings → Create. CLI (the report fills in the region, the instance ARN, the
//! account and the old workgroup's result location):
//! `aws athena create-work-group --region <region> --name <old>-idc --configuration
//! '{"ResultConfiguration":{"OutputLocation":"s3://..."},"EnforceWorkGroupConfiguration":true,
//! "EngineVersion":{"SelectedEngineVersion":"Athena engine version 3"},
//! "ExecutionRole":"arn:aws:iam::<account>:role/service-role/<ATHENA_IDC_ROLE>",
//! "IdentityCenterConfiguration":{"EnableIdentityCenter":true,"IdentityCenterInstanceArn":"arn:aws:sso:::instance/..."},
//! "QueryResultsS3AccessGrantsConfiguration":{"EnableS3AccessGrants":true,"CreateUserLevelPrefix":true,"AuthenticationType":"DIRECTORY_IDENTITY"}}'`.
//! Then assign users to its application (WG003).
//!
//! **Permissions needed.** `athena:ListWorkGroups`, `athena:GetWorkGroup`,
//! `sso:ListInstances` (for the instance ARN in the fix).
//!
//! **Evidence.** The API model (`IdentityCenterConfiguration` in CreateWorkGroup, absent
//! from `WorkGroupConfigurationUpdates`), documented (workgroups-identity-center,
//! creating-workgroups) and observed in practice.
//!
//! **References.**
//! - https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html
//! - https://docs.aws.amazon.com/athena/latest/ug/creating-workgroups.html
//! - https://docs.aws.amazon.com/athena/latest/APIReference/API_IdentityCenterConfiguration.html
//! - https://docs.aws.amazon.com/athena/latest/APIReference/API_WorkGroupConfigurationUpdates.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity, remedy};
use crate::ctx::{Ctx, idc_enabled, workgroup_label, workgroup_scope};
use crate::facts::WorkGroup;
use serde_json::json;

pub const META: Meta = Meta {
    id: "WG001",
    name: "workgroup-identity-center-enabled",
    area: Area::AthenaWorkgroup,
    severity: Severity::Error,
    title: "Athena workgroup uses IAM Identity Center authentication",
    depends_on: &[],
    needs: &[Need::Caller, Need::Workgroups, Need::IdcInstances],
    docs: &[
        "https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html",
        "https://docs.aws.amazon.com/athena/latest/ug/creating-workgroups.html",
    ],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    let all = match ctx.all_workgroups() {
        Ok(w) => w,
        Err(u) => {
            return vec![Outcome::unknown(
                "Athena workgroups",
                "the Athena workgroups",
                u,
            )];
        }
    };
    let region = format!("region {}", ctx.region());
    let found = if all.is_empty() {
        format!("no workgroups in {}", ctx.region())
    } else {
        let names: Vec<_> = all.iter().map(|w| w.name.as_str()).collect();
        format!("workgroups found: {}", names.join(", "))
    };
    if let Some(sel) = &ctx.facts.target.workgroup {
        let Some(w) = all.iter().find(|w| &w.name == sel) else {
            return vec![
                Outcome::fail(&region, format!("no workgroup named \"{sel}\" in {}; {found}", ctx.region()))
                    .fix(create_fix(ctx, sel, None, &format!("Create the workgroup \"{sel}\" with IAM Identity Center authentication (English console or CLI)"))),
            ];
        };
        return vec![judge(ctx, w)];
    }
    let idc: Vec<_> = all.iter().filter(|w| idc_enabled(w)).collect();
    if idc.is_empty() {
        let base = all.iter().find(|w| w.name != "primary").or(all.first());
        let name = base.map_or("<NEW_WORKGROUP_NAME>".to_string(), |w| {
            format!("{}-idc", w.name)
        });
        return vec![
            Outcome::fail(
                &region,
                format!(
                    "no Athena workgroup in {} uses IAM Identity Center authentication ({found})",
                    ctx.region()
                ),
            )
            .fix(create_fix(ctx, &name, base.copied(), RECREATE)),
        ];
    }
    idc.into_iter().map(|w| judge(ctx, w)).collect()
}

const RECREATE: &str = "IAM Identity Center cannot be switched on for an existing workgroup: create a new one with it (use the English console or the CLI: creating it from a non-English console has been seen to fail)";

fn judge(ctx: &Ctx, w: &WorkGroup) -> Outcome {
    let label = workgroup_label(w);
    if idc_enabled(w) {
        Outcome::pass(&label, format!("{label} uses IAM Identity Center authentication"))
    } else {
        Outcome::fail(
            &label,
            format!("{label} was created without IAM Identity Center, so Identity Center users cannot query through it and an Identity Center EMR Studio does not list it"),
        )
        .fix(create_fix(ctx, &format!("{}-idc", w.name), Some(w), RECREATE))
    }
    .scope(workgroup_scope(w))
}

/// `aws athena create-work-group` for an Identity-Center-enabled workgroup,
/// reusing what the old workgroup tells us. Shared with WG003.
pub(crate) fn create_fix(
    ctx: &Ctx,
    name: &str,
    old: Option<&WorkGroup>,
    summary: &str,
) -> Remediation {
    let output = old
        .and_then(|w| w.output_location.clone())
        .unwrap_or_else(|| "s3://<RESULTS_BUCKET>/<PREFIX>/".into());
    // An Identity Center workgroup's execution role can be reused; others have none to reuse.
    let role = old
        .filter(|w| idc_enabled(w))
        .and_then(|w| w.execution_role.clone())
        .unwrap_or_else(|| {
            format!(
                "arn:aws:iam::{}:role/service-role/<ATHENA_IDC_ROLE>",
                ctx.account()
            )
        });
    let instance = ctx
        .facts
        .identity_center_instances
        .known()
        .ok()
        .and_then(|l| l.first())
        .map_or("<IDENTITY_CENTER_INSTANCE_ARN>".to_string(), |i| {
            i.instance_arn.clone()
        });
    let config = json!({
        "ResultConfiguration": {"OutputLocation": output},
        "EnforceWorkGroupConfiguration": true,
        "EngineVersion": {"SelectedEngineVersion": "Athena engine version 3"},
        "ExecutionRole": role,
        "IdentityCenterConfiguration": {"EnableIdentityCenter": true, "IdentityCenterInstanceArn": instance},
        "QueryResultsS3AccessGrantsConfiguration": {
            "EnableS3AccessGrants": true,
            "CreateUserLevelPrefix": true,
            "AuthenticationType": "DIRECTORY_IDENTITY"
        }
    });
    remedy(
        summary,
        vec![format!(
            "aws athena create-work-group --region {} --name {name} --configuration '{config}'",
            ctx.region()
        )],
        META.docs,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;
    use crate::fact::Fact;
    use crate::facts::Facts;
    use crate::testkit::{denied, healthy, only, results, skipped};

    fn wgs(f: &mut Facts) -> &mut Vec<WorkGroup> {
        match &mut f.workgroups {
            Fact::Known(v) => v,
            Fact::Unknown(_) => panic!("workgroups unknown"),
        }
    }

    /// The seed's trap 1: idc-wg created without Identity Center.
    fn without_idc(f: &mut Facts) {
        let w = &mut wgs(f)[0];
        w.enable_identity_center = Some(false);
        w.identity_center_application_arn = None;
        w.identity_center_instance_arn = None;
    }

    #[test]
    fn passes_for_each_idc_workgroup_on_healthy() {
        let r = only("WG001", &healthy());
        assert_eq!(r.status, Status::Pass);
        assert!(r.resource.contains("idc-wg"));
    }

    #[test]
    fn fails_region_wide_when_none_is_idc_enabled() {
        let mut f = healthy();
        without_idc(&mut f);
        let r = only("WG001", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.message.contains("workgroups found: idc-wg, primary"),
            "{}",
            r.message
        );
        let fix = r.remediation.unwrap();
        assert!(fix.summary.contains("English"));
        let c = &fix.commands[0];
        assert!(c.contains("--region ap-northeast-1 --name idc-wg-idc"));
        assert!(c.contains(r#""OutputLocation":"s3://athena-results-111122223333/idc-wg/""#));
        assert!(c.contains(
            r#""IdentityCenterInstanceArn":"arn:aws:sso:::instance/ssoins-7758a1b2c3d4e5f6""#
        ));
        assert!(c.contains(r#""EnableIdentityCenter":true"#));
        assert!(c.contains(r#""AuthenticationType":"DIRECTORY_IDENTITY""#));
        assert!(c.contains("arn:aws:iam::111122223333:role/service-role/<ATHENA_IDC_ROLE>"));
    }

    #[test]
    fn no_workgroups_at_all() {
        let mut f = healthy();
        wgs(&mut f).clear();
        let r = only("WG001", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("no workgroups"));
        let c = &r.remediation.unwrap().commands[0];
        assert!(
            c.contains("<NEW_WORKGROUP_NAME>")
                && c.contains("arn:aws:iam::111122223333:role/service-role/<ATHENA_IDC_ROLE>")
        );
    }

    #[test]
    fn selected_workgroup_without_idc_fails_scoped() {
        let mut f = healthy();
        f.target.workgroup = Some("primary".into());
        let r = results("WG001", &f);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].status, Status::Fail);
        assert!(r[0].message.contains("workgroup \"primary\""));
        assert!(r[0].remediation.as_ref().unwrap().commands[0].contains("--name primary-idc"));
        let outs = run(&Ctx::new(&f));
        assert_eq!(outs[0].scope, ["workgroup:primary"]);
    }

    #[test]
    fn selected_workgroup_with_idc_passes() {
        let mut f = healthy();
        f.target.workgroup = Some("idc-wg".into());
        assert_eq!(only("WG001", &f).status, Status::Pass);
    }

    #[test]
    fn selected_workgroup_missing_fails_region_wide() {
        let mut f = healthy();
        f.target.workgroup = Some("nope".into());
        let r = only("WG001", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("no workgroup named \"nope\""));
        assert!(r.message.contains("idc-wg, primary"));
        assert!(r.remediation.unwrap().commands[0].contains("--name nope"));
        assert!(run(&Ctx::new(&f))[0].scope.is_empty());
    }

    #[test]
    fn application_arn_alone_counts_as_enabled() {
        let mut f = healthy();
        wgs(&mut f)[0].enable_identity_center = None;
        assert_eq!(only("WG001", &f).status, Status::Pass);
    }

    #[test]
    fn unknown_workgroups_are_an_error() {
        let mut f = healthy();
        f.workgroups = Fact::Unknown(denied("athena:ListWorkGroups"));
        let r = only("WG001", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("athena:ListWorkGroups"));
    }

    #[test]
    fn dependants_skip_when_it_fails_region_wide() {
        let mut f = healthy();
        without_idc(&mut f);
        skipped("WG003", &f, "WG001");
    }
}
