//! # WG001 workgroup-identity-center-enabled
//!
//! **What it checks.** With `--workgroup W`: W exists and was created with IAM
//! Identity Center authentication (`GetWorkGroup` →
//! `Configuration.IdentityCenterConfiguration.EnableIdentityCenter == true`, or a
//! non-empty `WorkGroup.IdentityCenterApplicationArn`). A regular workgroup (IAM
//! authentication) named by `--workgroup` is a **warning**, not a failure: it
//! says that the Lake Formation grants to Identity Center users and groups may not
//! be what authorizes queries there, and with `--table` it names those grants.
//! Without `--workgroup`: at least one workgroup in the region is
//! Identity-Center-enabled; each one passes and is what the other workgroup checks
//! look at.
//!
//! **Why it matters.** Identity Center users query through trusted identity
//! propagation in a workgroup created with IAM Identity Center authentication: its
//! users must be assigned to its Identity Center application, and Lake Formation
//! and S3 Access Grants see the signed-in user. The authentication method cannot be
//! changed later: "You cannot change the authentication method for the workgroup
//! after the workgroup is created", and `UpdateWorkGroup` has no
//! `IdentityCenterConfiguration`. Creating such a workgroup from the console in a
//! language other than English has been observed to fail: use the English console
//! or the CLI.
//!
//! A regular workgroup: the Athena documentation lists two workgroup options for
//! Athena SQL in an EMR Studio with IAM Identity Center ("Regular WorkGroups – No
//! user/group assignments needed", and Identity Center enabled workgroups), and
//! says existing workgroups "can propagate identity to downstream services". The
//! EMR documentation says that with trusted identity propagation on the Studio "the
//! workgroup that you use must also use trusted identity propagation". Neither page
//! says whose identity Lake Formation judges in a regular workgroup. If the
//! identity does not reach it, queries are authorized as the Studio's IAM role and
//! the Lake Formation grants to Identity Center users and groups do not apply
//! (inferred). Because the documents disagree, this is a warning; the checks of an
//! Identity Center workgroup's own settings (execution role, S3 Access Grants for
//! results, ...) do not apply to a regular workgroup and skip it.
//!
//! **How to fix.** Create a new workgroup with Identity Center enabled.
//! Console (in English): Athena → Workgroups → Create workgroup → Authentication:
//! **IAM Identity Center** → Service role for IAM Identity Center access → Query
//! result location → Create user identity based S3 prefix → Override client-side
//! settings → Create. CLI (the report fills in the region, the instance the Studio
//! and the other components use, the account and the old workgroup's result
//! location): the execution role first (`ExecutionRole` "is required for IAM
//! Identity Center enabled workgroups"; WG005 lists the permissions it needs):
//! `aws iam create-role --role-name AWSAthenaSQLRole-<name> --path /service-role/
//! --assume-role-policy-document '<trust for athena.amazonaws.com>'`, then
//! `aws athena create-work-group --region <region> --name <old>-idc --configuration
//! '{"ResultConfiguration":{"OutputLocation":"s3://..."},"EnforceWorkGroupConfiguration":true,
//! "EngineVersion":{"SelectedEngineVersion":"Athena engine version 3"},
//! "ExecutionRole":"arn:aws:iam::<account>:role/service-role/AWSAthenaSQLRole-<name>",
//! "IdentityCenterConfiguration":{"EnableIdentityCenter":true,"IdentityCenterInstanceArn":"arn:aws:sso:::instance/..."},
//! "QueryResultsS3AccessGrantsConfiguration":{"EnableS3AccessGrants":true,"CreateUserLevelPrefix":true,"AuthenticationType":"DIRECTORY_IDENTITY"}}'`.
//! Then assign users to its application (WG003). The new workgroup replaces the
//! old one (the fix *recreates*): delete the old one once its users and saved
//! queries have moved. The primary workgroup cannot be deleted, so a new
//! workgroup next to it is a plain creation.
//!
//! **Evidence.** Documented: `IdentityCenterConfiguration` in CreateWorkGroup,
//! absent from `WorkGroupConfigurationUpdates`; `ExecutionRole` required for
//! Identity Center enabled workgroups (API reference); workgroups-identity-center
//! (both workgroup options, authentication cannot change); emr-studio-athena (the
//! workgroup must use trusted identity propagation); user-created-workgroups
//! ("The primary workgroup cannot be deleted"); workgroups-create-update-delete
//! (deleting a workgroup deletes its query history and saved queries, so the
//! fix leaves the deletion to a person). Observed in practice: console
//! creation failing in a non-English console language. Inferred: that Lake
//! Formation grants to Identity Center principals do not apply in a regular
//! workgroup.
//!
//! **References.**
//! - https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html
//! - https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-athena.html
//! - https://docs.aws.amazon.com/athena/latest/ug/creating-workgroups.html
//! - https://docs.aws.amazon.com/athena/latest/ug/user-created-workgroups.html
//! - https://docs.aws.amazon.com/athena/latest/ug/workgroups-create-update-delete.html
//! - https://docs.aws.amazon.com/athena/latest/APIReference/API_IdentityCenterConfiguration.html
//! - https://docs.aws.amazon.com/athena/latest/APIReference/API_WorkGroupConfiguration.html
//! - https://docs.aws.amazon.com/athena/latest/APIReference/API_WorkGroupConfigurationUpdates.html

use crate::check::{Area, Meta, Need, Outcome, Severity};
use crate::ctx::{Ctx, idc_enabled, workgroup_label};
use crate::facts::WorkGroup;
use crate::fix::Kind;
use crate::fixes::{self, create_fix};
use crate::lf;
use crate::roles::{IDC_IMMUTABLE, replace_fix};
use crate::scope::Scope;

pub const META: Meta = Meta {
    id: "WG001",
    name: "workgroup-identity-center-enabled",
    area: Area::AthenaWorkgroup,
    severity: Severity::Error,
    title: "Athena workgroup uses IAM Identity Center authentication",
    depends_on: &[],
    hop: crate::check::Hop::Workgroup,
    entitlement: false,
    fixes: &[
        ("iam:CreateRole", Kind::Ready),
        ("athena:CreateWorkGroup", Kind::Ready),
        ("iam:CreateRole", Kind::NeedsInput),
        ("athena:CreateWorkGroup", Kind::NeedsInput),
        ("iam:CreateRole", Kind::Recreates),
        ("athena:CreateWorkGroup", Kind::Recreates),
    ],
    needs: &[
        Need::Caller,
        Need::Workgroups,
        Need::IdcInstances,
        Need::LfPermissions,
    ],
    docs: fixes::WORKGROUP_DOCS,
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
    let unread: Vec<_> = all.iter().filter(|w| w.unreadable.is_some()).collect();
    if idc.is_empty() && !unread.is_empty() {
        return unread.into_iter().map(|w| judge(ctx, w)).collect();
    }
    if idc.is_empty() {
        let base = all.iter().find(|w| w.name != "primary").or(all.first());
        let name = base.map_or("<WORKGROUP_NAME>".to_string(), |w| {
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
            .fix(replace_fix(
                ctx,
                &name,
                base.copied(),
                RECREATE,
                IDC_IMMUTABLE,
            )),
        ];
    }
    idc.into_iter().map(|w| judge(ctx, w)).collect()
}

const RECREATE: &str = "IAM Identity Center cannot be switched on for an existing workgroup: create a new one with it (use the English console or the CLI; other console languages have been seen to fail)";

fn judge(ctx: &Ctx, w: &WorkGroup) -> Outcome {
    let label = workgroup_label(w);
    if let (Some(u), false) = (&w.unreadable, idc_enabled(w)) {
        return Outcome::unknown(&label, &label, u).scope(Scope::workgroup(w));
    }
    if idc_enabled(w) {
        return Outcome::pass(
            &label,
            format!("{label} uses IAM Identity Center authentication"),
        )
        .scope(Scope::workgroup(w));
    }
    let grants = idc_grants(ctx);
    let effect = if grants.is_empty() {
        "Lake Formation grants to Identity Center users and groups may not apply there".to_string()
    } else {
        format!(
            "the Lake Formation grants to Identity Center principals on {} may not apply there",
            grants.join("; ")
        )
    };
    Outcome::warn(
        &label,
        format!(
            "{label} is a regular workgroup (IAM authentication), not an Identity Center one. The Athena documentation lists regular workgroups as an option in an EMR Studio with IAM Identity Center (no user assignments needed); the EMR documentation says the workgroup must use trusted identity propagation. Unless the user's identity reaches Lake Formation, which the documentation does not settle, queries there are authorized as the Studio's IAM role and {effect} (inferred). Use an Identity Center workgroup to have them judged per user"
        ),
    )
    .fix(replace_fix(
        ctx,
        &format!("{}-idc", w.name),
        Some(w),
        RECREATE,
        IDC_IMMUTABLE,
    ))
    .scope(Scope::workgroup(w))
}

/// `db.table (group analysts, user alice)` for each `--table` with Lake Formation
/// grants to Identity Center principals; empty without `--table` or when the
/// grants could not be read.
fn idc_grants(ctx: &Ctx) -> Vec<String> {
    let Ok(perms) = ctx.facts.lake_formation.permissions.known() else {
        return Vec::new();
    };
    let names = |id: &str| {
        ctx.users()
            .iter()
            .filter_map(|u| ctx.principals(u).ok().flatten())
            .find_map(|p| {
                if p.user_id == id {
                    Some(format!("user {}", p.user_name))
                } else if p.groups.iter().any(|g| g.group_id == id) {
                    Some(format!("group {}", p.group_name(id)))
                } else {
                    None
                }
            })
    };
    let mut out = Vec::new();
    for name in &ctx.facts.target.tables {
        let Some((db, table)) = lf::split_table(name) else {
            continue;
        };
        let mut who: Vec<String> = Vec::new();
        for p in perms
            .iter()
            .filter(|p| lf::is_idc(&p.principal) && lf::reach(p, db, table).is_some())
        {
            let id = p.principal.rsplit('/').next().unwrap_or_default();
            let name = names(id).unwrap_or_else(|| p.principal.clone());
            if !who.contains(&name) {
                who.push(name);
            }
        }
        if !who.is_empty() {
            out.push(format!("{name} ({})", who.join(", ")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Remediation, Status, Verdict};
    use crate::fact::Fact;
    use crate::facts::Facts;
    use crate::testkit::{denied, healthy, json_arg, only, results, skipped};

    const I: &str = "arn:aws:sso:::instance/ssoins-7758a1b2c3d4e5f6";

    fn wgs(f: &mut Facts) -> &mut Vec<WorkGroup> {
        match &mut f.workgroups {
            Fact::Known(v) => v,
            Fact::Unknown(_) => panic!("workgroups unknown"),
        }
    }

    /// idc-wg created without Identity Center.
    fn without_idc(f: &mut Facts) {
        let w = &mut wgs(f)[0];
        w.enable_identity_center = Some(false);
        w.identity_center_application_arn = None;
        w.identity_center_instance_arn = None;
    }

    /// Run the fix's create-work-group command against the facts: the workgroup
    /// it creates, with what the command says.
    fn apply(f: &mut Facts, fix: &Remediation) -> String {
        let cmd = fix.commands.last().unwrap();
        assert!(cmd.starts_with("aws athena create-work-group"), "{cmd}");
        let name = cmd
            .split(" --name ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap();
        let c = json_arg(cmd, "--configuration");
        let idc = &c["IdentityCenterConfiguration"];
        wgs(f).push(WorkGroup {
            name: name.to_string(),
            state: Some("ENABLED".into()),
            identity_center_application_arn: None,
            enable_identity_center: idc["EnableIdentityCenter"].as_bool(),
            identity_center_instance_arn: idc["IdentityCenterInstanceArn"].as_str().map(Into::into),
            execution_role: c["ExecutionRole"].as_str().map(Into::into),
            output_location: c["ResultConfiguration"]["OutputLocation"]
                .as_str()
                .map(Into::into),
            encryption_option: None,
            enforce_workgroup_configuration: c["EnforceWorkGroupConfiguration"].as_bool(),
            s3_access_grants: None,
            effective_engine_version: None,
            expected_bucket_owner: None,
            managed_query_results: None,
            unreadable: None,
        });
        name.to_string()
    }

    #[test]
    fn passes_for_each_idc_workgroup_on_healthy() {
        let r = only("WG001", &healthy());
        assert_eq!(r.status, Status::Pass);
        assert!(r.resource.contains("idc-wg"));
    }

    #[test]
    fn fails_region_wide_when_none_is_idc_enabled_and_the_fix_creates_role_and_workgroup() {
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
        assert!(fix.summary.contains("English") && fix.summary.contains("WG005"));
        // idc-wg stays until its users have moved: the fix recreates it.
        assert_eq!(fix.applicability.kind, Kind::Recreates);
        assert_eq!(fix.applicability.reason.as_deref(), Some(IDC_IMMUTABLE));
        let role = "arn:aws:iam::111122223333:role/service-role/AWSAthenaSQLRole-idc-wg-idc";
        assert!(
            fix.commands[0].starts_with(
                "aws iam create-role --role-name AWSAthenaSQLRole-idc-wg-idc --path /service-role/"
            ),
            "{}",
            fix.commands[0]
        );
        let c = &fix.commands[1];
        assert!(c.contains("--region ap-northeast-1 --name idc-wg-idc"));
        assert!(c.contains(r#""OutputLocation":"s3://athena-results-111122223333/idc-wg/""#));
        assert!(c.contains(&format!(r#""IdentityCenterInstanceArn":"{I}""#)));
        assert!(c.contains(r#""EnableIdentityCenter":true"#));
        assert!(c.contains(r#""AuthenticationType":"DIRECTORY_IDENTITY""#));
        assert!(c.contains(&format!(r#""ExecutionRole":"{role}""#)), "{c}");

        apply(&mut f, &fix);
        assert_eq!(only("WG001", &f).status, Status::Pass);
    }

    #[test]
    fn an_idc_workgroup_keeps_its_execution_role_in_the_fix() {
        let mut f = healthy();
        let old = wgs(&mut f)[0].clone();
        let fix = create_fix(&Ctx::new(&f), "x", Some(&old), "s");
        assert_eq!(fix.actions.len(), 1);
        let c = crate::fix::render::inline(&fix.actions[0].command());
        assert!(c.contains("AWSAthenaSQLRole-idc-wg\""), "{c}");
    }

    #[test]
    fn the_fix_uses_the_instance_the_path_uses_not_the_first_listed() {
        let mut f = healthy();
        without_idc(&mut f);
        // An account instance listed first; the Studio, Lake Formation and S3
        // Access Grants use the healthy instance.
        if let Fact::Known(v) = &mut f.identity_center_instances {
            let mut other = v[0].clone();
            other.instance_arn = "arn:aws:sso:::instance/ssoins-0000111122223333".into();
            other.identity_store_id = "d-0000000000".into();
            v.insert(0, other);
        }
        let c = only("WG001", &f)
            .remediation
            .unwrap()
            .commands
            .pop()
            .unwrap();
        assert!(
            c.contains(&format!(r#""IdentityCenterInstanceArn":"{I}""#)),
            "{c}"
        );
    }

    #[test]
    fn no_workgroups_at_all() {
        let mut f = healthy();
        wgs(&mut f).clear();
        let r = only("WG001", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("no workgroups"));
        let c = r.remediation.unwrap().commands;
        assert!(
            c[0].contains("'AWSAthenaSQLRole-<WORKGROUP_NAME>'"),
            "{}",
            c[0]
        );
        assert!(c[1].contains("<WORKGROUP_NAME>"));
    }

    #[test]
    fn a_selected_regular_workgroup_is_a_warning_naming_the_grants_it_may_bypass() {
        let mut f = healthy();
        f.target.workgroup = Some("primary".into());
        let r = results("WG001", &f);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].status, Status::Warn, "{}", r[0].message);
        let m = &r[0].message;
        assert!(
            m.contains("workgroup \"primary\" is a regular workgroup"),
            "{m}"
        );
        assert!(m.contains("trusted identity propagation"), "{m}");
        assert!(
            m.contains("Lake Formation grants to Identity Center principals on flightdata_db.flightdata (group analysts) may not apply"),
            "{m}"
        );
        assert!(m.contains("(inferred)"), "{m}");
        let fix = r[0].remediation.clone().unwrap();
        assert!(fix.commands.last().unwrap().contains("--name primary-idc"));
        // The primary workgroup cannot be deleted: a plain creation.
        assert_eq!(fix.applicability.kind, Kind::Ready);
        assert_eq!(
            run(&Ctx::new(&f))[0].scope,
            [Scope::Workgroup("primary".into())]
        );
        assert_eq!(run(&Ctx::new(&f))[0].verdict, Verdict::Warn);

        // The fix: the new Identity Center workgroup, selected, passes.
        let name = apply(&mut f, &fix);
        f.target.workgroup = Some(name);
        assert_eq!(only("WG001", &f).status, Status::Pass);
    }

    #[test]
    fn a_selected_regular_workgroup_without_tables_warns_in_general_terms() {
        let mut f = healthy();
        f.target.workgroup = Some("primary".into());
        f.target.tables.clear();
        let r = only("WG001", &f);
        assert_eq!(r.status, Status::Warn);
        assert!(
            r.message.contains(
                "Lake Formation grants to Identity Center users and groups may not apply"
            ),
            "{}",
            r.message
        );
    }

    #[test]
    fn dependants_judge_a_selected_regular_workgroup_only_where_they_apply() {
        let mut f = healthy();
        f.target.workgroup = Some("primary".into());
        assert_eq!(only("WG002", &f).status, Status::Pass);
        assert_eq!(only("WG003", &f).status, Status::Pass);
        for id in ["WG004", "WG006", "WG008", "AG003"] {
            skipped(id, &f, "nothing to check");
        }
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
        assert!(
            r.remediation
                .unwrap()
                .commands
                .last()
                .unwrap()
                .contains("--name nope ")
        );
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
