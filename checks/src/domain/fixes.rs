//! Fix commands the checks share: recreating a Studio or workgroup, creating
//! a role, the trust documents studio-doctor recommends, replacing a trust
//! policy, granting a role actions, and the Athena and S3 Access Grants updates.

use crate::check::{Remediation, remedy};
use crate::ctx::{Ctx, idc_enabled};
use crate::facts::{LfResource, Role, Studio, WorkGroup, role_name};
use crate::policy::allow_document;
use crate::roles::account_of;
use crate::s3;
use crate::trust::IDC_PROVIDER;
use serde_json::json;

/// What a new Studio's fix cites (ES001's documentation).
pub(crate) const STUDIO_DOCS: &[&str] = &[
    "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-create-studio.html",
    "https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html",
];

/// What a new workgroup's fix cites (WG001's documentation).
pub(crate) const WORKGROUP_DOCS: &[&str] = &[
    "https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html",
    "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-athena.html",
    "https://docs.aws.amazon.com/athena/latest/ug/creating-workgroups.html",
];

/// What an execution role's fix cites (WG004's documentation).
pub(crate) const EXECUTION_ROLE_DOCS: &[&str] = &[
    "https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html",
    "https://docs.aws.amazon.com/athena/latest/APIReference/API_WorkGroupConfiguration.html",
    "https://docs.aws.amazon.com/cli/latest/reference/iam/update-assume-role-policy.html",
];

/// The `create-studio` command that builds a correct Studio, filled with what the
/// old Studio and the account tell us. Used by the checks that end in "recreate".
pub(crate) fn recreate_fix(ctx: &Ctx, old: Option<&Studio>, summary: &str) -> Remediation {
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
    remedy(summary, commands, STUDIO_DOCS)
}

/// The user role trust policy studio-doctor recommends.
pub(crate) const USER_ROLE_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"elasticmapreduce.amazonaws.com"},"Action":["sts:AssumeRole","sts:SetContext"]}]}"#;

/// `aws iam create-role` for a role ARN (keeping its path) or name.
pub(crate) fn create_role_command(name_or_arn: &str, trust: &str) -> String {
    let name = role_name(name_or_arn);
    let path = name_or_arn
        .split_once(":role/")
        .and_then(|(_, rest)| rest.rsplit_once('/'))
        .map(|(path, _)| format!(" --path /{path}/"))
        .unwrap_or_default();
    format!("aws iam create-role --role-name {name}{path} --assume-role-policy-document '{trust}'")
}

/// `aws athena create-work-group` for an Identity-Center-enabled workgroup on the
/// instance the path uses, reusing what the old workgroup tells us; an execution
/// role is created first when there is none to reuse (the create-work-group
/// command is always the last one). Used by WG001, WG003, WG008 and WG009.
pub(crate) fn create_fix(
    ctx: &Ctx,
    name: &str,
    old: Option<&WorkGroup>,
    summary: &str,
) -> Remediation {
    create_fix_on(ctx, name, old, None, summary)
}

/// [`create_fix`] on a given instance (IC004 moves a workgroup to another one).
pub(crate) fn create_fix_on(
    ctx: &Ctx,
    name: &str,
    old: Option<&WorkGroup>,
    instance: Option<&str>,
    summary: &str,
) -> Remediation {
    let output = old
        .and_then(|w| w.output_location.clone())
        .unwrap_or_else(|| "s3://<RESULTS_BUCKET>/<PREFIX>/".into());
    let account = account_of(ctx, None);
    let mut commands = Vec::new();
    // An Identity Center workgroup's execution role can be reused; else create one.
    let role = match old
        .filter(|w| idc_enabled(w))
        .and_then(|w| w.execution_role.clone())
    {
        Some(r) => r,
        None => {
            let arn = format!("arn:aws:iam::{account}:role/service-role/AWSAthenaSQLRole-{name}");
            commands.push(create_role_command(&arn, &execution_trust(&account)));
            arn
        }
    };
    let instance = instance
        .or_else(|| ctx.idc_instance().map(|c| c.arn))
        .unwrap_or("<IDENTITY_CENTER_INSTANCE_ARN>");
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
    commands.push(format!(
        "aws athena create-work-group --region {} --name {name} --configuration '{config}'",
        ctx.region()
    ));
    let summary = if commands.len() > 1 {
        format!(
            "{summary}. The new workgroup needs an execution role: the first command creates one that trusts athena.amazonaws.com; give it the permissions WG005 lists"
        )
    } else {
        summary.to_string()
    };
    remedy(summary, commands, WORKGROUP_DOCS)
}

/// The execution-role trust policy studio-doctor recommends.
pub(crate) fn execution_trust(account: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"athena.amazonaws.com"}},"Action":["sts:AssumeRole","sts:SetContext"],"Condition":{{"StringEquals":{{"aws:SourceAccount":"{account}"}}}}}}]}}"#
    )
}

/// Set a query result location (AG003 and WG006 report it; dependants that see
/// the gap reuse this fix).
pub(crate) fn output_fix(ctx: &Ctx, w: &WorkGroup, docs: &[&str]) -> Remediation {
    remedy(
        "Set the workgroup's query result location to an S3 prefix in this region",
        vec![update_work_group(
            ctx,
            w,
            &format!(
                r#"{{"ResultConfigurationUpdates":{{"OutputLocation":"s3://<RESULTS_BUCKET>/{}/"}}}}"#,
                w.name
            ),
        )],
        docs,
    )
}

/// `aws iam put-role-policy` with S3 read and write on the registered location.
pub(crate) fn put_policy_command(role: &str, policy: &str, r: &LfResource) -> String {
    let (bucket, objects) = location_arns(&r.resource_arn);
    let doc = allow_document(&[
        ("s3:GetObject", &objects),
        ("s3:PutObject", &objects),
        ("s3:DeleteObject", &objects),
        ("s3:ListBucket", &bucket),
    ]);
    format!(
        "aws iam put-role-policy --role-name {role} --policy-name {policy} --policy-document '{doc}'"
    )
}

/// The bucket ARN and the objects ARN (`.../*`) of a registered location.
fn location_arns(resource_arn: &str) -> (String, String) {
    let trimmed = resource_arn.trim_end_matches('/');
    let bucket = match trimmed.strip_prefix("arn:aws:s3:::") {
        Some(rest) => format!("arn:aws:s3:::{}", rest.split('/').next().unwrap_or(rest)),
        None => trimmed.to_string(),
    };
    (bucket, format!("{trimmed}/*"))
}

/// The documented EMR Studio service role trust policy, with this account's values.
pub(crate) fn service_trust(ctx: &Ctx, account: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"elasticmapreduce.amazonaws.com"}},"Action":"sts:AssumeRole","Condition":{{"StringEquals":{{"aws:SourceAccount":"{account}"}},"ArnLike":{{"aws:SourceArn":"arn:aws:elasticmapreduce:{}:{account}:*"}}}}}}]}}"#,
        ctx.region()
    )
}

/// The start of a trust fix when only a condition could not be evaluated
/// (`replace_trust_fix` goes on with " the trust policy of ..."): studio-doctor
/// never suggests dropping a condition it merely could not evaluate.
pub(crate) fn undecided_trust_verb(symptom: &str) -> String {
    format!(
        "studio-doctor could not evaluate a condition of this trust policy, which does not make it wrong: keep it if it holds for the service's call. Only if {symptom}, replace"
    )
}

/// The fix summary when only conditions of permission policies could not be
/// evaluated: keep them; the policy below adds exactly the actions, only for
/// when `symptom` happens.
pub(crate) fn undecided_grant_summary(role: &str, symptom: &str) -> String {
    format!(
        "studio-doctor could not evaluate the conditions or resource forms of {role}'s policies named above, which does not make them wrong: keep them. Only if {symptom}, add the policy below, which grants exactly these actions on these resources"
    )
}

/// Replace a role's trust policy with `trust`, which is `what` (`one that lets
/// ... call ...`).
pub(crate) fn replace_trust_fix(
    role: &Role,
    verb: &str,
    what: &str,
    trust: &str,
    docs: &[&str],
) -> Remediation {
    let name = &role.role_name;
    remedy(
        format!(
            "{verb} the trust policy of {name} with {what} (console: IAM → Roles → {name} → Trust relationships → Edit trust policy). This replaces the whole trust policy: add back any other statement the role still needs"
        ),
        vec![format!(
            "aws iam update-assume-role-policy --role-name {name} --policy-document '{trust}'"
        )],
        docs,
    )
}

/// `aws athena update-work-group` with these `--configuration-updates` (JSON).
pub(crate) fn update_work_group(ctx: &Ctx, w: &WorkGroup, updates: &str) -> String {
    format!(
        "aws athena update-work-group --region {} --work-group {} --configuration-updates '{updates}'",
        ctx.region(),
        w.name
    )
}

/// `aws s3control create-access-grants-location` registering the default
/// location `s3://` with a placeholder role.
pub(crate) fn create_default_location_command(ctx: &Ctx) -> String {
    format!(
        "aws s3control create-access-grants-location --region {} --account-id {acct} --location-scope s3:// --iam-role-arn arn:aws:iam::{acct}:role/<S3AG_LOCATION_ROLE>",
        ctx.region(),
        acct = ctx.account()
    )
}

/// `aws s3control create-access-grant` of READWRITE on everything under `prefix`,
/// inside the most specific registered location that covers it (else the default
/// location `s3://`).
pub(crate) fn create_grant_command(
    ctx: &Ctx,
    prefix: &str,
    grantee_type: &str,
    grantee_id: &str,
) -> String {
    let locations = ctx.facts.access_grants.locations.known().ok();
    let located = locations
        .and_then(|l| s3::covering_location(l, prefix))
        .and_then(|l| {
            s3::sub_prefix(&l.location_scope, prefix)
                .map(|sub| (l.access_grants_location_id.as_str(), sub))
        });
    let (location, sub) = located.unwrap_or_else(|| {
        (
            "default",
            format!("{}*", s3::as_dir(s3::strip_scheme(prefix))),
        )
    });
    format!(
        "aws s3control create-access-grant --region {} --account-id {} --access-grants-location-id {location} --access-grants-location-configuration 'S3SubPrefix={sub}' --grantee GranteeType={grantee_type},GranteeIdentifier={grantee_id} --permission READWRITE",
        ctx.region(),
        ctx.account()
    )
}

/// The documented S3 Access Grants location-role trust policy, filled in.
pub(crate) fn location_trust(account: &str, instance: &str) -> String {
    let cond = format!(
        r#""StringEquals":{{"aws:SourceAccount":"{account}","aws:SourceArn":"{instance}"}}"#
    );
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"AccessGrantsTrustPolicy","Effect":"Allow","Principal":{{"Service":"access-grants.s3.amazonaws.com"}},"Action":["sts:AssumeRole","sts:SetSourceIdentity"],"Condition":{{{cond}}}}},{{"Sid":"AccessGrantsTrustPolicyWithIDCContext","Effect":"Allow","Principal":{{"Service":"access-grants.s3.amazonaws.com"}},"Action":"sts:SetContext","Condition":{{{cond},"ForAllValues:ArnEquals":{{"sts:RequestContextProviders":"{IDC_PROVIDER}"}}}}}}]}}"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fact::Fact;
    use crate::testkit::healthy;

    #[test]
    fn grants_fall_back_to_the_default_location() {
        let mut f = healthy();
        f.access_grants.locations = Fact::Known(vec![]);
        let c = create_grant_command(&Ctx::new(&f), "s3://b/p", "IAM", "R");
        assert!(
            c.contains("--access-grants-location-id default --access-grants-location-configuration 'S3SubPrefix=b/p/*'"),
            "{c}"
        );
    }

    #[test]
    fn location_arns_split_bucket_and_objects() {
        assert_eq!(
            location_arns("arn:aws:s3:::b/p/"),
            (
                "arn:aws:s3:::b".to_string(),
                "arn:aws:s3:::b/p/*".to_string()
            )
        );
        assert_eq!(
            location_arns("arn:aws:s3:::b"),
            ("arn:aws:s3:::b".to_string(), "arn:aws:s3:::b/*".to_string())
        );
    }

    #[test]
    fn recreate_fixes_cite_their_own_docs() {
        let f = healthy();
        let ctx = Ctx::new(&f);
        let studio = recreate_fix(&ctx, None, "s");
        assert_eq!(studio.docs, STUDIO_DOCS);
        let workgroup = create_fix(&ctx, "wg", None, "s");
        assert_eq!(workgroup.docs, WORKGROUP_DOCS);
    }
}
