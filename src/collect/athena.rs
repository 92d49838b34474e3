//! Athena workgroups (`ListWorkGroups` + `GetWorkGroup`).

use super::error::SdkError;
use super::ops::{GET_WORK_GROUP, LIST_WORK_GROUPS};
use super::run::{Run, all};
use aws_sdk_athena::operation::list_work_groups::ListWorkGroupsError;
use aws_sdk_athena::types::{WorkGroup as AwsWorkGroup, WorkGroupSummary};
use std::sync::Arc;
use studio_doctor_checks::facts::{ResultsAccessGrants, WorkGroup};
use studio_doctor_checks::modes::{EncryptionOption, WorkGroupState};
use studio_doctor_checks::{Fact, Unknown, UnknownKind};

/// The workgroups in the region, or only `select`. `GetWorkGroup` describes only
/// what a check judges: `select`, else the Identity-Center-enabled workgroups
/// (`ListWorkGroups` names their application). Regular workgroups beside them
/// keep only their listing (name, state). With no Identity-Center-enabled
/// workgroup at all, every workgroup is described (WG001's fix copies one).
pub async fn workgroups(run: &Arc<Run>, select: Option<&str>) -> Fact<Vec<WorkGroup>> {
    let listed = run
        .call(&LIST_WORK_GROUPS, async {
            let mut pages = run
                .c
                .athena
                .list_work_groups()
                .max_results(50)
                .into_paginator()
                .send();
            let mut out: Vec<WorkGroupSummary> = Vec::new();
            while let Some(page) = pages.next().await {
                out.extend(page?.work_groups().iter().cloned());
            }
            Ok::<_, SdkError<ListWorkGroupsError>>(out)
        })
        .await;
    let summaries = match listed {
        Ok(v) => v,
        Err(u) => return Fact::Unknown(u),
    };
    let wanted: Vec<(String, Option<String>, Option<WorkGroupState>)> = summaries
        .iter()
        .filter_map(|s| {
            let state = s.state().map(|x| WorkGroupState::from(x.as_str()));
            let app = s.identity_center_application_arn().map(str::to_string);
            Some((s.name()?.to_string(), app, state))
        })
        .filter(|(name, _, _)| select.is_none_or(|sel| name == sel))
        .collect();
    if let Some(sel) = select
        && wanted.is_empty()
    {
        let names = summaries
            .iter()
            .filter_map(|s| s.name().map(str::to_string));
        run.not_found("--workgroup", sel, names.collect());
    }
    let any_idc = select.is_none() && wanted.iter().any(|(_, app, _)| app.is_some());
    // Regular workgroups beside Identity Center ones keep their listing; only
    // the others get a task (and a GetWorkGroup).
    let (listed, described): (Vec<_>, Vec<_>) = wanted
        .into_iter()
        .enumerate()
        .partition(|(_, (_, app, _))| any_idc && app.is_none());
    let mut out: Vec<(usize, WorkGroup)> = listed
        .into_iter()
        .map(|(i, (name, _, state))| (i, listed_only(name, state, None)))
        .collect();
    out.extend(
        all(described.into_iter().map(|(i, (name, app, state))| {
            let run = run.clone();
            async move {
                let w = get(&run, &name, app.as_deref())
                    .await
                    .unwrap_or_else(|u| WorkGroup {
                        unreadable: Some(u),
                        ..listed_only(name.clone(), state, app)
                    });
                (i, w)
            }
        }))
        .await,
    );
    out.sort_by_key(|(i, _)| *i);
    Fact::Known(out.into_iter().map(|(_, w)| w).collect())
}

/// A regular workgroup as `ListWorkGroups` shows it, not described further.
fn listed_only(name: String, state: Option<WorkGroupState>, app: Option<String>) -> WorkGroup {
    WorkGroup {
        name,
        state,
        identity_center_application_arn: app,
        enable_identity_center: None,
        identity_center_instance_arn: None,
        execution_role: None,
        output_location: None,
        encryption_option: None,
        enforce_workgroup_configuration: None,
        s3_access_grants: None,
        effective_engine_version: None,
        expected_bucket_owner: None,
        managed_query_results: None,
        unreadable: None,
    }
}

async fn get(run: &Run, name: &str, summary_app: Option<&str>) -> Result<WorkGroup, Unknown> {
    let out = run
        .call(
            &GET_WORK_GROUP,
            run.c.athena.get_work_group().work_group(name).send(),
        )
        .await?;
    let wg = out.work_group().ok_or_else(|| {
        Unknown::new(
            UnknownKind::ServiceError,
            GET_WORK_GROUP.action,
            format!("GetWorkGroup returned no workgroup for {name}"),
        )
    })?;
    Ok(to_fact(wg, summary_app))
}

pub fn to_fact(wg: &AwsWorkGroup, summary_app: Option<&str>) -> WorkGroup {
    let text = |v: Option<&str>| v.filter(|s| !s.is_empty()).map(str::to_string);
    let conf = wg.configuration();
    let idc = conf.and_then(|c| c.identity_center_configuration());
    let results = conf.and_then(|c| c.result_configuration());
    WorkGroup {
        name: wg.name().to_string(),
        state: wg.state().map(|s| WorkGroupState::from(s.as_str())),
        identity_center_application_arn: text(wg.identity_center_application_arn())
            .or_else(|| text(summary_app)),
        enable_identity_center: idc.and_then(|i| i.enable_identity_center()),
        identity_center_instance_arn: text(idc.and_then(|i| i.identity_center_instance_arn())),
        execution_role: text(conf.and_then(|c| c.execution_role())),
        output_location: text(results.and_then(|r| r.output_location())),
        encryption_option: results
            .and_then(|r| r.encryption_configuration())
            .map(|e| EncryptionOption::from(e.encryption_option().as_str())),
        expected_bucket_owner: text(results.and_then(|r| r.expected_bucket_owner())),
        managed_query_results: conf
            .and_then(|c| c.managed_query_results_configuration())
            .map(|m| m.enabled()),
        enforce_workgroup_configuration: conf.and_then(|c| c.enforce_work_group_configuration()),
        s3_access_grants: conf
            .and_then(|c| c.query_results_s3_access_grants_configuration())
            .map(|g| ResultsAccessGrants {
                enable_s3_access_grants: g.enable_s3_access_grants(),
                create_user_level_prefix: g.create_user_level_prefix().unwrap_or(false),
                authentication_type: Some(g.authentication_type().as_str().to_string())
                    .filter(|s| !s.is_empty()),
            }),
        effective_engine_version: text(
            conf.and_then(|c| c.engine_version())
                .and_then(|e| e.effective_engine_version()),
        ),
        unreadable: None,
    }
}
