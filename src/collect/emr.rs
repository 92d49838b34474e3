//! EMR Studios (`ListStudios` + `DescribeStudio`) and their session mappings.

use super::ops::{DESCRIBE_STUDIO, LIST_SESSION_MAPPINGS, LIST_STUDIOS};
use super::run::{Run, all};
use aws_sdk_emr::types::StudioSummary;
use std::sync::Arc;
use studio_doctor_checks::facts::{SessionMapping, Studio};
use studio_doctor_checks::modes::{AuthMode, IdentityType, UserAssignment};
use studio_doctor_checks::{Fact, Unknown, UnknownKind};

/// Every Studio in the region, or only the one `select` names (id or name), described.
pub async fn studios(run: &Arc<Run>, select: Option<&str>) -> Fact<Vec<Studio>> {
    let listed = run
        .call(
            &LIST_STUDIOS,
            run.c
                .emr
                .list_studios()
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )
        .await;
    let summaries = match listed {
        Ok(v) => v,
        Err(u) => return Fact::Unknown(u),
    };
    let chosen: Vec<&StudioSummary> = summaries
        .iter()
        .filter(|s| select.is_none_or(|sel| s.studio_id() == Some(sel) || s.name() == Some(sel)))
        .filter(|s| s.studio_id().is_some())
        .collect();
    if let Some(sel) = select
        && chosen.is_empty()
    {
        let names = summaries
            .iter()
            .filter_map(|s| s.name().map(str::to_string));
        run.not_found("--studio", sel, names.collect());
    }
    // Without --studio, a region with an Identity Center Studio has the others
    // (IAM authentication) off the path: they keep their listing only.
    let sso = |s: &StudioSummary| s.auth_mode() == Some(&aws_sdk_emr::types::AuthMode::Sso);
    let some_sso = select.is_none() && chosen.iter().any(|s| sso(s));
    let (listed, chosen): (Vec<_>, Vec<_>) = chosen
        .into_iter()
        .enumerate()
        .partition(|(_, s)| some_sso && s.auth_mode().is_some() && !sso(s));
    let mut out: Vec<(usize, Studio)> = listed
        .into_iter()
        .map(|(i, s)| (i, listed_only(s)))
        .collect();
    out.extend(
        all(chosen.into_iter().map(|(i, summary)| {
            let run = run.clone();
            let listed = listed_only(summary);
            async move {
                let s = describe(&run, &listed.studio_id)
                    .await
                    .unwrap_or_else(|u| Studio {
                        unreadable: Some(u),
                        ..listed
                    });
                (i, s)
            }
        }))
        .await,
    );
    out.sort_by_key(|(i, _)| *i);
    Fact::Known(out.into_iter().map(|(_, s)| s).collect())
}

/// A Studio as `ListStudios` shows it, not described further.
fn listed_only(s: &StudioSummary) -> Studio {
    let text = |v: Option<&str>| v.map(str::to_string);
    Studio {
        studio_id: s.studio_id().unwrap_or_default().to_string(),
        name: s.name().unwrap_or_default().to_string(),
        studio_arn: None,
        url: text(s.url()),
        auth_mode: s.auth_mode().map(|m| AuthMode::from(m.as_str())),
        service_role: None,
        user_role: None,
        idc_instance_arn: None,
        trusted_identity_propagation_enabled: None,
        idc_user_assignment: None,
        default_s3_location: None,
        encryption_key_arn: None,
        vpc_id: text(s.vpc_id()),
        subnet_ids: Vec::new(),
        workspace_security_group_id: None,
        engine_security_group_id: None,
        session_mappings: Fact::default(),
        unreadable: None,
        application_arn: Fact::default(),
    }
}

async fn describe(run: &Run, id: &str) -> Result<Studio, Unknown> {
    let out = run
        .call(
            &DESCRIBE_STUDIO,
            run.c.emr.describe_studio().studio_id(id).send(),
        )
        .await?;
    let s = out.studio().ok_or_else(|| {
        Unknown::new(
            UnknownKind::ServiceError,
            DESCRIBE_STUDIO.action,
            format!("DescribeStudio returned no Studio for {id}"),
        )
    })?;
    let text = |v: Option<&str>| v.map(str::to_string);
    Ok(Studio {
        studio_id: s.studio_id().unwrap_or(id).to_string(),
        name: s.name().unwrap_or_default().to_string(),
        studio_arn: text(s.studio_arn()),
        url: text(s.url()),
        auth_mode: s.auth_mode().map(|m| AuthMode::from(m.as_str())),
        service_role: text(s.service_role()),
        user_role: text(s.user_role()),
        idc_instance_arn: text(s.idc_instance_arn()),
        trusted_identity_propagation_enabled: s.trusted_identity_propagation_enabled(),
        idc_user_assignment: s
            .idc_user_assignment()
            .map(|a| UserAssignment::from(a.as_str())),
        default_s3_location: text(s.default_s3_location()),
        encryption_key_arn: text(s.encryption_key_arn()),
        vpc_id: text(s.vpc_id()),
        subnet_ids: s.subnet_ids().to_vec(),
        workspace_security_group_id: text(s.workspace_security_group_id()),
        engine_security_group_id: text(s.engine_security_group_id()),
        session_mappings: Fact::default(),
        unreadable: None,
        application_arn: Fact::default(),
    })
}

/// `ListStudioSessionMappings` for each Studio id, in order.
pub async fn session_mappings(run: &Arc<Run>, ids: Vec<String>) -> Vec<Fact<Vec<SessionMapping>>> {
    all(ids.into_iter().map(|id| {
        let run = run.clone();
        async move { mappings(&run, &id).await }
    }))
    .await
}

async fn mappings(run: &Run, id: &str) -> Fact<Vec<SessionMapping>> {
    let listed = run
        .call(
            &LIST_SESSION_MAPPINGS,
            run.c
                .emr
                .list_studio_session_mappings()
                .studio_id(id)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )
        .await;
    listed
        .map(|v| {
            v.iter()
                .map(|m| SessionMapping {
                    identity_id: m.identity_id().unwrap_or_default().to_string(),
                    identity_name: m.identity_name().map(str::to_string),
                    identity_type: IdentityType::from(m.identity_type().map_or("", |t| t.as_str())),
                    session_policy_arn: m.session_policy_arn().map(str::to_string),
                })
                .collect()
        })
        .into()
}
