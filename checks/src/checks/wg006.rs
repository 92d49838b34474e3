//! # WG006 workgroup-results-access-grants
//!
//! **What it checks.** Each target workgroup (every Identity-Center-enabled one,
//! or `--workgroup`) has a query result location
//! (`Configuration.ResultConfiguration.OutputLocation`, an `s3://bucket/prefix`
//! URL) and uses S3 Access Grants for query results
//! (`Configuration.QueryResultsS3AccessGrantsConfiguration.EnableS3AccessGrants
//! == true`). One result per workgroup names everything missing.
//!
//! **Why it matters.** In an Identity Center workgroup, query results are written
//! to the result location as the Identity Center user, through S3 Access Grants:
//! "Amazon S3 Access Grants must be configured to use Trusted identity
//! propagation identities." Without a result location there is nothing to grant
//! (and Athena rejects queries with no output location); with S3 Access Grants
//! off, the user's identity is not used for the results. The console turns
//! "Enable S3 Access Grants" on by default, so this is usually a workgroup made
//! or changed through the API.
//!
//! **How to fix.** Both settings can be changed on the existing workgroup.
//! Console: Athena → Workgroups → the workgroup → Edit → Query result
//! configuration → location, **Enable S3 Access Grants** (and, optionally,
//! **Create user identity based S3 prefix**) → Save.
//! CLI (the report fills in the region, the workgroup and the parts it lacks):
//! `aws athena update-work-group --region <REGION> --work-group <WG>
//! --configuration-updates
//! '{"ResultConfigurationUpdates":{"OutputLocation":"s3://<RESULTS_BUCKET>/<WG>/"},
//! "QueryResultsS3AccessGrantsConfiguration":{"EnableS3AccessGrants":true,"CreateUserLevelPrefix":true,"AuthenticationType":"DIRECTORY_IDENTITY"},
//! "EnforceWorkGroupConfiguration":true}'`. The per-user prefix needs
//! "Override client-side settings" (`EnforceWorkGroupConfiguration`, WG007), so
//! the fix sets it whenever it turns the prefix on. Then register an S3 Access
//! Grants location over the results (AG003) and grant the users (AG005).
//!
//! A workgroup that keeps its results in Athena-managed storage
//! (`ManagedQueryResultsConfiguration.Enabled`) has no `OutputLocation` (the API
//! forbids one): the result is a warning, not a failure, and its fix turns managed
//! results off and sets an S3 location with S3 Access Grants in one call
//! (`ManagedQueryResultsConfigurationUpdates`), for those who want the documented
//! path.
//!
//! **Evidence.** Documented: workgroups-identity-center ("Considerations and
//! limitations": S3 Access Grants must be configured for trusted identity
//! propagation identities; the creation steps: "Enable S3 Access Grants" is
//! selected by default) and the API model (`QueryResultsS3AccessGrantsConfiguration`:
//! `EnableS3AccessGrants`, `CreateUserLevelPrefix`, `AuthenticationType`
//! `DIRECTORY_IDENTITY`; both settings are in `WorkGroupConfigurationUpdates`).
//! Managed query results: the API model (`ManagedQueryResultsConfiguration.Enabled`:
//! "A workgroup cannot have the ResultConfiguration$OutputLocation parameter
//! when you set this field to true") and the Athena managed-results page (results
//! in Athena-owned storage, read through `GetQueryResults`). The documentation
//! does not say whether managed results work with Identity Center workgroups, so that is a
//! warning (inferred), and the fix never adds an `OutputLocation` without turning
//! managed results off.
//! A missing result location failing is inferred from S3 Access Grants governing
//! it; AG003 reports it too.
//!
//! **References.**
//! - https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html
//! - https://docs.aws.amazon.com/athena/latest/APIReference/API_QueryResultsS3AccessGrantsConfiguration.html
//! - https://docs.aws.amazon.com/athena/latest/APIReference/API_WorkGroupConfigurationUpdates.html
//! - https://docs.aws.amazon.com/athena/latest/APIReference/API_ManagedQueryResultsConfiguration.html
//! - https://docs.aws.amazon.com/athena/latest/ug/managed-results.html
//! - https://docs.aws.amazon.com/cli/latest/reference/athena/update-work-group.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::{Ctx, workgroup_label};
use crate::each::each_workgroup;
use crate::facts::WorkGroup;
use crate::fix::Kind;
use crate::fixes::update_work_group_action;
use crate::grants::{managed_results, results_location};
use serde_json::{Map, Value, json};

pub const META: Meta = Meta {
    id: "WG006",
    name: "workgroup-results-access-grants",
    area: Area::AthenaWorkgroup,
    severity: Severity::Error,
    title: "Athena workgroup has a result location governed by S3 Access Grants",
    depends_on: &["WG001"],
    hop: crate::check::Hop::Write,
    entitlement: false,
    fixes: &[
        ("athena:UpdateWorkGroup", Kind::Ready),
        ("athena:UpdateWorkGroup", Kind::NeedsInput),
    ],
    needs: &[Need::Workgroups],
    docs: &[
        "https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html",
        "https://docs.aws.amazon.com/athena/latest/APIReference/API_QueryResultsS3AccessGrantsConfiguration.html",
    ],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_workgroup(ctx, |w| vec![one(ctx, w)])
}

fn one(ctx: &Ctx, w: &WorkGroup) -> Outcome {
    let label = workgroup_label(w);
    if managed_results(w) {
        return Outcome::warn(
            &label,
            format!(
                "{label} keeps query results in Athena-managed storage (ManagedQueryResultsConfiguration.Enabled), so it has no S3 result location and S3 Access Grants does not govern its results. The Athena documentation for Identity Center workgroups has results written to your S3 location through S3 Access Grants and does not say that managed query results work with Identity Center users; that they do is not verified (inferred)"
            ),
        )
        .fix(fix(ctx, w, true, !grants_on(w)));
    }
    let mut problems = Vec::new();
    let location = results_location(w);
    if let Err(why) = &location {
        problems.push(why.clone());
    }
    let grants_on = grants_on(w);
    if !grants_on {
        problems.push(match &w.s3_access_grants {
            None => "has no S3 Access Grants configuration for query results (QueryResultsS3AccessGrantsConfiguration)".into(),
            Some(_) => "does not use S3 Access Grants for query results (EnableS3AccessGrants: false)".into(),
        });
    }
    match location {
        Ok(out) if problems.is_empty() => Outcome::pass(
            &label,
            format!(
                "{label} writes query results to {out} through S3 Access Grants{}",
                if w.s3_access_grants
                    .as_ref()
                    .is_some_and(|g| g.create_user_level_prefix)
                {
                    ", under a per-user prefix"
                } else {
                    ""
                }
            ),
        ),
        _ => Outcome::fail(
            &label,
            format!(
                "{label} {}, so Identity Center users cannot write query results as themselves",
                problems.join(" and ")
            ),
        )
        .fix(fix(ctx, w, location.is_err(), !grants_on)),
    }
}

fn grants_on(w: &WorkGroup) -> bool {
    w.s3_access_grants
        .as_ref()
        .is_some_and(|g| g.enable_s3_access_grants)
}

/// `update-work-group` setting exactly what is missing. A workgroup with
/// managed results gets them turned off in the same call: the API forbids an
/// `OutputLocation` while they are on.
fn fix(ctx: &Ctx, w: &WorkGroup, set_output: bool, set_grants: bool) -> Remediation {
    let mut updates = Map::new();
    let mut what = Vec::new();
    if managed_results(w) {
        updates.insert(
            "ManagedQueryResultsConfigurationUpdates".into(),
            json!({"Enabled": false}),
        );
        what.push("turn off Athena-managed query results");
    }
    if set_output {
        updates.insert(
            "ResultConfigurationUpdates".into(),
            json!({"OutputLocation": format!("s3://<RESULTS_BUCKET>/{}/", w.name)}),
        );
        what.push("set a query result location (a bucket in this region)");
    }
    if set_grants {
        // Keep an existing per-user prefix choice; the console's recommended setup turns it on.
        let prefix = w
            .s3_access_grants
            .as_ref()
            .is_none_or(|g| g.create_user_level_prefix);
        updates.insert(
            "QueryResultsS3AccessGrantsConfiguration".into(),
            json!({
                "EnableS3AccessGrants": true,
                "CreateUserLevelPrefix": prefix,
                "AuthenticationType": "DIRECTORY_IDENTITY"
            }),
        );
        what.push("enable S3 Access Grants for query results");
        if prefix && w.enforce_workgroup_configuration != Some(true) {
            updates.insert("EnforceWorkGroupConfiguration".into(), Value::Bool(true));
            what.push("override client-side settings (required by the per-user prefix)");
        }
    }
    Remediation::new(
        format!(
            "On {}: {} (console: Athena → Workgroups → {} → Edit → Query result configuration); then make sure an S3 Access Grants location covers the results (AG003) and the users have grants (AG005)",
            workgroup_label(w),
            what.join(", "),
            w.name
        ),
        vec![update_work_group_action(ctx, w, Value::Object(updates))],
        META.docs,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Status, Verdict};
    use crate::fact::{Fact, Unknown, UnknownKind};
    use crate::facts::ResultsAccessGrants;
    use crate::testkit::{healthy, idc_wg, json_arg, only, skipped};

    /// The JSON passed to `--configuration-updates`.
    fn updates_of(cmd: &str) -> Value {
        json_arg(cmd, "--configuration-updates")
    }

    #[test]
    fn passes_on_healthy() {
        let r = only("WG006", &healthy());
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert!(
            r.message
                .contains("s3://athena-results-111122223333/idc-wg/")
        );
        assert!(r.message.contains("per-user prefix"));
    }

    #[test]
    fn fails_when_access_grants_are_off_and_the_fix_turns_them_on() {
        let mut f = healthy();
        idc_wg(&mut f)
            .s3_access_grants
            .as_mut()
            .unwrap()
            .enable_s3_access_grants = false;
        let r = only("WG006", &f);
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(r.message.contains("EnableS3AccessGrants: false"));
        assert!(!r.message.contains("result location"));
        let fix = r.remediation.unwrap();
        // UpdateWorkGroup changes only the fields given: nothing else is replaced.
        assert_eq!(fix.applicability.kind, Kind::Ready);
        let cmd = &fix.commands[0];
        assert!(cmd.starts_with(
            "aws athena update-work-group --region ap-northeast-1 --work-group idc-wg --configuration-updates '"
        ));
        assert_eq!(
            updates_of(cmd),
            json!({"QueryResultsS3AccessGrantsConfiguration": {
                "EnableS3AccessGrants": true,
                "CreateUserLevelPrefix": true,
                "AuthenticationType": "DIRECTORY_IDENTITY"
            }})
        );
    }

    #[test]
    fn fails_without_configuration_and_enforces_the_prefix() {
        let mut f = healthy();
        let w = idc_wg(&mut f);
        w.s3_access_grants = None;
        w.enforce_workgroup_configuration = Some(false);
        let r = only("WG006", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("has no S3 Access Grants configuration"));
        let u = updates_of(&r.remediation.unwrap().commands[0]);
        assert_eq!(u["EnforceWorkGroupConfiguration"], true);
        assert_eq!(
            u["QueryResultsS3AccessGrantsConfiguration"]["CreateUserLevelPrefix"],
            true
        );
        // A workgroup that chose no per-user prefix keeps that choice.
        let mut f = healthy();
        idc_wg(&mut f).s3_access_grants = Some(ResultsAccessGrants {
            enable_s3_access_grants: false,
            create_user_level_prefix: false,
            authentication_type: None,
        });
        let u = updates_of(&only("WG006", &f).remediation.unwrap().commands[0]);
        assert_eq!(
            u["QueryResultsS3AccessGrantsConfiguration"]["CreateUserLevelPrefix"],
            false
        );
        assert!(u.get("EnforceWorkGroupConfiguration").is_none());
    }

    #[test]
    fn fails_without_result_location() {
        let mut f = healthy();
        idc_wg(&mut f).output_location = None;
        let r = only("WG006", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("has no query result location"));
        let fix = r.remediation.unwrap();
        assert_eq!(fix.applicability.kind, Kind::NeedsInput);
        assert_eq!(fix.applicability.inputs[0].name, "RESULTS_BUCKET");
        let u = updates_of(&fix.commands[0]);
        assert_eq!(
            u,
            json!({"ResultConfigurationUpdates": {"OutputLocation": "s3://<RESULTS_BUCKET>/idc-wg/"}})
        );
        // Both missing: one result naming both.
        idc_wg(&mut f).s3_access_grants = None;
        let r = only("WG006", &f);
        assert!(r.message.contains("result location") && r.message.contains("S3 Access Grants"));
        let u = updates_of(&r.remediation.unwrap().commands[0]);
        assert!(u.get("ResultConfigurationUpdates").is_some());
        assert!(u.get("QueryResultsS3AccessGrantsConfiguration").is_some());
    }

    #[test]
    fn managed_results_warn_and_the_fix_turns_them_off() {
        let mut f = healthy();
        let w = idc_wg(&mut f);
        w.managed_query_results = Some(true);
        w.output_location = None;
        let r = only("WG006", &f);
        assert_eq!(r.status, Status::Warn, "{r:#?}");
        assert!(
            r.message.contains("Athena-managed storage"),
            "{}",
            r.message
        );
        assert!(r.message.contains("inferred"), "{}", r.message);
        let u = updates_of(&r.remediation.unwrap().commands[0]);
        assert_eq!(
            u["ManagedQueryResultsConfigurationUpdates"],
            json!({"Enabled": false})
        );
        assert!(u["ResultConfigurationUpdates"]["OutputLocation"].is_string());
        // Applying the fix passes.
        let w = idc_wg(&mut f);
        w.managed_query_results = Some(false);
        w.output_location = Some("s3://athena-results-111122223333/idc-wg/".into());
        assert_eq!(only("WG006", &f).status, Status::Pass);
    }

    #[test]
    fn skips_when_wg001_fails() {
        let mut f = healthy();
        f.target.workgroup = Some("nope".into());
        skipped("WG006", &f, "WG001");
    }

    #[test]
    fn unknown_workgroups_are_an_error() {
        let mut f = healthy();
        f.workgroups = Fact::Unknown(Unknown::new(
            UnknownKind::Throttled,
            "athena:GetWorkGroup",
            "slow down",
        ));
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Error);
        assert!(out[0].message.contains("athena:GetWorkGroup"));
    }
}
