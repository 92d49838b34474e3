//! IAM roles: trust policy, inline and attached policies, permissions boundary.

use super::error::has_code;
use super::ops::{
    GET_POLICY, GET_POLICY_VERSION, GET_ROLE, GET_ROLE_POLICY, LIST_ATTACHED_ROLE_POLICIES,
    LIST_ROLE_POLICIES,
};
use super::run::{Run, all, by_key, collect_all};
use super::timing::in_area;
use percent_encoding::percent_decode_str;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use studio_doctor_checks::facts::{Policy, Role};
use studio_doctor_checks::{Area, Fact, Unknown, UnknownKind};

/// How to read one role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Its policies are needed too.
    pub policies: bool,
    /// The area its reads count for.
    pub area: Area,
}

/// Read each role once. `plan`: role name -> how to read it.
pub async fn roles(
    run: &Arc<Run>,
    plan: BTreeMap<String, Plan>,
) -> BTreeMap<String, Fact<Option<Role>>> {
    by_key(plan.keys().cloned(), |name| {
        let (run, plan) = (run.clone(), plan[&name]);
        in_area(Some(plan.area), async move {
            role(&run, &name, plan.policies).await
        })
    })
    .await
}

async fn role(run: &Arc<Run>, name: &str, with_policies: bool) -> Fact<Option<Role>> {
    let got = run
        .call_or_missing(
            &GET_ROLE,
            run.c.iam.get_role().role_name(name).send(),
            |e| {
                has_code(e, &["NoSuchEntity", "NoSuchEntityException"])
                    || e.as_service_error()
                        .is_some_and(|s| s.is_no_such_entity_exception())
            },
        )
        .await;
    let out = match got {
        Err(u) => return Fact::Unknown(u),
        Ok(None) => return Fact::Known(None),
        Ok(Some(out)) => out,
    };
    let Some(r) = out.role() else {
        return Fact::Unknown(bad(
            GET_ROLE.action,
            format!("GetRole returned no role for {name}"),
        ));
    };
    let trust = match r.assume_role_policy_document() {
        Some(doc) => match parse_policy(doc) {
            Ok(v) => v,
            Err(e) => {
                return Fact::Unknown(bad(GET_ROLE.action, format!("trust policy of {name}: {e}")));
            }
        },
        None => Value::Null,
    };
    let boundary = r
        .permissions_boundary()
        .and_then(|b| b.permissions_boundary_arn())
        .map(str::to_string);
    let mut role = Role {
        role_name: r.role_name().to_string(),
        arn: r.arn().to_string(),
        trust_policy: trust,
        inline_policies: Fact::default(),
        attached_policies: Fact::default(),
        permissions_boundary: boundary.as_ref().map(|_| Fact::default()),
    };
    if with_policies {
        let boundary_doc = async {
            match &boundary {
                Some(arn) => Some(managed_policy(run, arn).await),
                None => None,
            }
        };
        let (inline, attached, boundary_doc) = tokio::join!(
            inline_policies(run, name),
            attached_policies(run, name),
            boundary_doc
        );
        role.inline_policies = inline.into();
        role.attached_policies = attached.into();
        role.permissions_boundary = boundary_doc.map(Fact::from);
    }
    Fact::Known(Some(role))
}

async fn inline_policies(run: &Arc<Run>, role: &str) -> Result<Vec<Policy>, Unknown> {
    let names: Vec<String> = run
        .call(
            &LIST_ROLE_POLICIES,
            run.c
                .iam
                .list_role_policies()
                .role_name(role)
                .max_items(1000)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )
        .await?;
    let read = all(names.into_iter().map(|policy| {
        let (run, role) = (run.clone(), role.to_string());
        async move {
            let out = run
                .call(
                    &GET_ROLE_POLICY,
                    run.c
                        .iam
                        .get_role_policy()
                        .role_name(&role)
                        .policy_name(&policy)
                        .send(),
                )
                .await?;
            let document = parse_policy(out.policy_document()).map_err(|e| {
                bad(
                    GET_ROLE_POLICY.action,
                    format!("policy {policy} of {role}: {e}"),
                )
            })?;
            Ok(Policy {
                name: policy,
                document,
            })
        }
    }))
    .await;
    collect_all(read)
}

async fn attached_policies(run: &Arc<Run>, role: &str) -> Result<Vec<Policy>, Unknown> {
    let attached = run
        .call(
            &LIST_ATTACHED_ROLE_POLICIES,
            run.c
                .iam
                .list_attached_role_policies()
                .role_name(role)
                .max_items(1000)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )
        .await?;
    let arns: Vec<String> = attached
        .iter()
        .filter_map(|p| p.policy_arn().map(str::to_string))
        .collect();
    let read = all(arns.into_iter().map(|arn| {
        let run = run.clone();
        async move { managed_policy(&run, &arn).await }
    }))
    .await;
    collect_all(read)
}

/// A managed policy's default version, read once per run however many roles use it.
async fn managed_policy(run: &Arc<Run>, arn: &str) -> Result<Policy, Unknown> {
    let cell = {
        let mut cache = run.policies.lock().unwrap_or_else(|p| p.into_inner());
        cache.entry(arn.to_string()).or_default().clone()
    };
    let document = cell
        .get_or_init(|| read_managed_policy(run, arn))
        .await
        .clone()?;
    Ok(Policy {
        name: arn.to_string(),
        document,
    })
}

async fn read_managed_policy(run: &Run, arn: &str) -> Result<Value, Unknown> {
    let Some(head) = policy_head(run, arn).await? else {
        return Err(bad(
            GET_POLICY.action,
            format!("NoSuchEntity: policy {arn} does not exist"),
        ));
    };
    let version = head
        .default_version
        .ok_or_else(|| bad(GET_POLICY.action, format!("{arn} has no default version")))?;
    let out = run
        .call(
            &GET_POLICY_VERSION,
            run.c
                .iam
                .get_policy_version()
                .policy_arn(arn)
                .version_id(&version)
                .send(),
        )
        .await?;
    let doc = out
        .policy_version()
        .and_then(|v| v.document())
        .ok_or_else(|| {
            bad(
                GET_POLICY_VERSION.action,
                format!("{arn} {version} has no document"),
            )
        })?;
    parse_policy(doc).map_err(|e| bad(GET_POLICY_VERSION.action, format!("{arn} {version}: {e}")))
}

/// What `iam:GetPolicy` says about a managed policy.
#[derive(Debug, Clone)]
pub struct PolicyHead {
    pub default_version: Option<String>,
}

/// `iam:GetPolicy`, read once per run however many readers ask. `None`: NoSuchEntity.
async fn policy_head(run: &Run, arn: &str) -> Result<Option<PolicyHead>, Unknown> {
    let cell = {
        let mut cache = run.policy_heads.lock().unwrap_or_else(|p| p.into_inner());
        cache.entry(arn.to_string()).or_default().clone()
    };
    cell.get_or_init(|| async {
        let got = run
            .call_or_missing(
                &GET_POLICY,
                run.c.iam.get_policy().policy_arn(arn).send(),
                |e| {
                    has_code(e, &["NoSuchEntity", "NoSuchEntityException"])
                        || e.as_service_error()
                            .is_some_and(|s| s.is_no_such_entity_exception())
                },
            )
            .await?;
        Ok(got.map(|out| PolicyHead {
            default_version: out
                .policy()
                .and_then(|p| p.default_version_id())
                .map(str::to_string),
        }))
    })
    .await
    .clone()
}

/// Whether each managed policy exists (`iam:GetPolicy`), by ARN.
pub async fn policies_exist(
    run: &Arc<Run>,
    arns: BTreeSet<String>,
) -> BTreeMap<String, Fact<bool>> {
    by_key(arns, |arn| {
        let run = run.clone();
        async move { Fact::from(policy_head(&run, &arn).await.map(|h| h.is_some())) }
    })
    .await
}

/// Each session policy's default version document (`iam:GetPolicy` +
/// `GetPolicyVersion`), by ARN; `None`: NoSuchEntity.
pub async fn session_policies(
    run: &Arc<Run>,
    arns: BTreeSet<String>,
) -> BTreeMap<String, Fact<Option<Value>>> {
    by_key(arns, |arn| {
        let run = run.clone();
        async move {
            let doc = match policy_head(&run, &arn).await {
                Err(u) => Err(u),
                Ok(None) => Ok(None),
                Ok(Some(_)) => managed_policy(&run, &arn).await.map(|p| Some(p.document)),
            };
            Fact::from(doc)
        }
    })
    .await
}

/// Parse an IAM policy document: URL-encoded as IAM returns it, or already plain
/// JSON (some endpoints, e.g. moto's policy versions, return it decoded).
pub fn parse_policy(text: &str) -> Result<Value, String> {
    let text = text.trim();
    let decoded = if text.starts_with('{') {
        text.to_string()
    } else {
        percent_decode_str(text)
            .decode_utf8()
            .map_err(|e| format!("policy document is not valid UTF-8 once decoded: {e}"))?
            .into_owned()
    };
    serde_json::from_str(&decoded).map_err(|e| format!("policy document is not valid JSON: {e}"))
}

fn bad(action: &str, message: String) -> Unknown {
    Unknown::new(UnknownKind::ServiceError, action, message)
}
