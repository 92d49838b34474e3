//! Fix commands the checks share: recreating a Studio or workgroup, creating
//! a role, the trust documents studio-doctor recommends, replacing a trust
//! policy, granting a role actions, and the Athena and S3 Access Grants updates.

use crate::check::Remediation;
use crate::ctx::{Ctx, idc_enabled};
use crate::facts::{LfResource, Role, Studio, WorkGroup, role_name};
use crate::fix::Action;
use crate::policy::allow_document;
use crate::roles::account_of;
use crate::s3;
use crate::trust::IDC_PROVIDER;
use serde_json::{Value, json};

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

/// Why a Studio is recreated rather than updated: `UpdateStudio` takes only the
/// name, description, subnets, default S3 location and encryption key.
pub(crate) const STUDIO_IMMUTABLE: &str = "UpdateStudio cannot change a Studio's authentication mode, Identity Center instance, trusted identity propagation, user assignment setting or roles: a new Studio replaces it, and the old one is deleted once users have moved";

/// The `create-studio` action that builds a correct Studio, filled with what the
/// old Studio and the account tell us, then the old Studio's deletion. Used by
/// the checks that end in "recreate".
pub(crate) fn recreate_fix(ctx: &Ctx, old: Option<&Studio>, summary: &str) -> Remediation {
    let v = |o: Option<&String>, ph: &str| o.cloned().unwrap_or_else(|| ph.to_string());
    // The instance the Studio already uses, else the one the query path uses.
    let instance = old
        .and_then(|s| s.idc_instance_arn.clone())
        .or_else(|| ctx.idc_instance().map(|c| c.arn.to_string()));
    let name = old.map(|s| format!("{}-idc", s.name));
    let subnets = old
        .filter(|s| !s.subnet_ids.is_empty())
        .map(|s| s.subnet_ids.clone())
        .unwrap_or_else(|| vec!["<SUBNET_ID_1>".into(), "<SUBNET_ID_2>".into()]);
    let user_role = old
        .and_then(|s| s.user_role.clone())
        .filter(|u| Some(u) != old.and_then(|s| s.service_role.as_ref()))
        .unwrap_or_else(|| "<USER_ROLE_NAME>".into());
    let mut actions = vec![Action::CreateStudio {
        region: ctx.region().to_string(),
        name: v(name.as_ref(), "<STUDIO_NAME>"),
        vpc_id: v(old.and_then(|s| s.vpc_id.as_ref()), "<VPC_ID>"),
        subnet_ids: subnets,
        service_role: v(
            old.and_then(|s| s.service_role.as_ref()),
            "<SERVICE_ROLE_NAME>",
        ),
        user_role,
        workspace_security_group_id: v(
            old.and_then(|s| s.workspace_security_group_id.as_ref()),
            "<WORKSPACE_SG_ID>",
        ),
        engine_security_group_id: v(
            old.and_then(|s| s.engine_security_group_id.as_ref()),
            "<ENGINE_SG_ID>",
        ),
        default_s3_location: v(
            old.and_then(|s| s.default_s3_location.as_ref()),
            "s3://<BUCKET>/<PREFIX>/",
        ),
        idc_instance_arn: v(instance.as_ref(), "<IDENTITY_CENTER_INSTANCE_ARN>"),
    }];
    match old {
        Some(s) => {
            actions.push(Action::DeleteStudio {
                region: ctx.region().to_string(),
                studio_id: s.studio_id.clone(),
            });
            Remediation::new(summary, actions, STUDIO_DOCS).recreates(STUDIO_IMMUTABLE)
        }
        None => Remediation::new(summary, actions, STUDIO_DOCS),
    }
}

/// The user role trust policy studio-doctor recommends.
pub(crate) const USER_ROLE_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"elasticmapreduce.amazonaws.com"},"Action":["sts:AssumeRole","sts:SetContext"]}]}"#;

/// `iam:CreateRole` for a role ARN (keeping its path) or name.
pub(crate) fn create_role(name_or_arn: &str, trust: &str) -> Action {
    Action::CreateRole {
        role_name: role_name(name_or_arn).to_string(),
        path: name_or_arn
            .split_once(":role/")
            .and_then(|(_, rest)| rest.rsplit_once('/'))
            .map(|(path, _)| format!("/{path}/")),
        assume_role_policy_document: doc(trust),
    }
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
    let mut actions = Vec::new();
    // An Identity Center workgroup's execution role can be reused; else create one.
    let role = match old
        .filter(|w| idc_enabled(w))
        .and_then(|w| w.execution_role.clone())
    {
        Some(r) => r,
        None => {
            let arn = format!("arn:aws:iam::{account}:role/service-role/AWSAthenaSQLRole-{name}");
            actions.push(create_role(&arn, &execution_trust(&account)));
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
    actions.push(Action::CreateWorkGroup {
        region: ctx.region().to_string(),
        name: name.to_string(),
        configuration: config,
    });
    let summary = if actions.len() > 1 {
        format!(
            "{summary}. The new workgroup needs an execution role: the first command creates one that trusts athena.amazonaws.com; give it the permissions WG005 lists"
        )
    } else {
        summary.to_string()
    };
    Remediation::new(summary, actions, WORKGROUP_DOCS)
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
    Remediation::new(
        "Set the workgroup's query result location to an S3 prefix in this region",
        vec![update_work_group_action(
            ctx,
            w,
            json!({"ResultConfigurationUpdates": {"OutputLocation": format!("s3://<RESULTS_BUCKET>/{}/", w.name)}}),
        )],
        docs,
    )
}

/// `iam:PutRolePolicy` with S3 read and write on the registered location.
pub(crate) fn put_location_policy(role: &str, policy: &str, r: &LfResource) -> Action {
    let (bucket, objects) = location_arns(&r.resource_arn);
    Action::PutRolePolicy {
        role_name: role.to_string(),
        policy_name: policy.to_string(),
        policy_document: allow_document(&[
            ("s3:GetObject", &objects),
            ("s3:PutObject", &objects),
            ("s3:DeleteObject", &objects),
            ("s3:ListBucket", &bucket),
        ]),
    }
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

/// Replace a role's trust statements for the services `trust` names with
/// `trust`'s statements, which are `what` (`one that lets ... call ...`). The
/// role's statements about other principals are kept.
pub(crate) fn replace_trust_fix(
    role: &Role,
    verb: &str,
    what: &str,
    trust: &str,
    docs: &[&str],
) -> Remediation {
    let name = &role.role_name;
    let (merged, kept) = merge_trust(&role.trust_policy, &doc(trust));
    let kept = match kept {
        0 => "nothing else: the role's trust policy has no statement about another principal"
            .to_string(),
        1 => "the trust policy's one statement about another principal".to_string(),
        n => format!("the trust policy's {n} statements about other principals"),
    };
    Remediation::new(
        format!(
            "{verb} the trust policy of {name} with {what} (console: IAM → Roles → {name} → Trust relationships → Edit trust policy). The statements about other principals are kept"
        ),
        vec![Action::UpdateAssumeRolePolicy {
            role_name: name.clone(),
            policy_document: merged,
        }],
        docs,
    )
    .replaces(kept)
}

/// `wanted`'s statements plus those of `current` that are not Allow statements
/// for a service `wanted` trusts; and how many of `current`'s were kept.
fn merge_trust(current: &Value, wanted: &Value) -> (Value, usize) {
    let services = |st: &Value| -> Vec<String> {
        match st.pointer("/Principal/Service") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect(),
            _ => Vec::new(),
        }
    };
    let statements = |d: &Value| -> Vec<Value> {
        match d.get("Statement") {
            Some(Value::Array(a)) => a.clone(),
            Some(o @ Value::Object(_)) => vec![o.clone()],
            _ => Vec::new(),
        }
    };
    let replaced: Vec<String> = statements(wanted).iter().flat_map(services).collect();
    let keep: Vec<Value> = statements(current)
        .into_iter()
        .filter(|st| {
            st.get("Effect").and_then(Value::as_str) != Some("Allow")
                || !services(st).iter().any(|s| replaced.contains(s))
        })
        .collect();
    let kept = keep.len();
    if kept == 0 {
        return (wanted.clone(), 0);
    }
    let mut merged = wanted.clone();
    if let Some(Value::Array(a)) = merged.get_mut("Statement") {
        a.extend(keep);
    }
    (merged, kept)
}

/// `athena:UpdateWorkGroup` with these configuration updates.
pub(crate) fn update_work_group_action(ctx: &Ctx, w: &WorkGroup, updates: Value) -> Action {
    Action::UpdateWorkGroup {
        region: ctx.region().to_string(),
        work_group: w.name.clone(),
        configuration_updates: Some(updates),
        state: None,
    }
}

/// `s3control:CreateAccessGrantsLocation` registering the default location
/// `s3://` with a role a person names.
pub(crate) fn create_default_location(ctx: &Ctx) -> Action {
    Action::CreateAccessGrantsLocation {
        region: ctx.region().to_string(),
        account_id: ctx.account().to_string(),
        location_scope: "s3://".into(),
        iam_role_arn: format!("arn:aws:iam::{}:role/<S3AG_LOCATION_ROLE>", ctx.account()),
    }
}

/// `s3control:CreateAccessGrant` of READWRITE on everything under `prefix`,
/// inside the most specific registered location that covers it (else the default
/// location `s3://`).
pub(crate) fn create_grant(
    ctx: &Ctx,
    prefix: &str,
    grantee_type: &str,
    grantee_id: &str,
) -> Action {
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
    Action::CreateAccessGrant {
        region: ctx.region().to_string(),
        account_id: ctx.account().to_string(),
        access_grants_location_id: location.to_string(),
        s3_sub_prefix: sub,
        grantee_type: grantee_type.to_string(),
        grantee_identifier: grantee_id.to_string(),
        permission: "READWRITE".into(),
    }
}

/// A JSON document the fixes hold as text, as JSON.
pub(crate) fn doc(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
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
        let c = crate::fix::render::inline(
            &create_grant(&Ctx::new(&f), "s3://b/p", "IAM", "R").command(),
        );
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
