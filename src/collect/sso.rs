//! IAM Identity Center: instances and application assignments (sso-admin), and
//! users and their groups (identitystore).

use super::error::has_code;
use super::ops::{
    DESCRIBE_GROUP, DESCRIBE_INSTANCE, DESCRIBE_USER, GET_ASSIGNMENT_CONFIGURATION, GET_USER_ID,
    LIST_APPLICATION_ASSIGNMENTS, LIST_APPLICATIONS, LIST_ASSIGNMENTS_FOR_PRINCIPAL,
    LIST_GROUP_MEMBERSHIPS, LIST_INSTANCES, LIST_USERS,
};
use super::run::{Run, all, by_key};
use aws_sdk_identitystore::types::{AlternateIdentifier, MemberId, UniqueAttribute};
use aws_sdk_ssoadmin::types::PrincipalType;
use aws_smithy_types::Document;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use studio_doctor_checks::Facts;
use studio_doctor_checks::ctx::Ctx;
use studio_doctor_checks::facts::{
    Application, Assignment, IdcGroup, IdcInstance, IdcRegion, IdcUser, UserFacts,
};
use studio_doctor_checks::modes::{
    IdentityType, InstanceStatus, KeyType, RegionStatus, UserStatus,
};
use studio_doctor_checks::{Fact, Unknown, UnknownKind};

/// `sso:ListInstances`.
pub async fn instances(run: &Run) -> Fact<Vec<IdcInstance>> {
    run.idc_once("ListInstances".into(), Box::pin(list_instances(run)))
        .await
}

async fn list_instances(run: &Run) -> Fact<Vec<IdcInstance>> {
    let listed = run
        .call(
            &LIST_INSTANCES,
            run.c
                .sso
                .list_instances()
                .max_results(100)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )
        .await;
    listed
        .map(|v| {
            v.iter()
                .map(|i| IdcInstance {
                    instance_arn: i.instance_arn().unwrap_or_default().to_string(),
                    identity_store_id: i.identity_store_id().unwrap_or_default().to_string(),
                    owner_account_id: i.owner_account_id().map(str::to_string),
                    name: i.name().map(str::to_string),
                    status: i.status().map(|s| InstanceStatus::from(s.as_str())),
                    primary_region: i.primary_region().map(str::to_string),
                    regions: regions(i.regions()),
                    key_type: Fact::default(),
                })
                .collect()
        })
        .into()
}

/// What `sso:DescribeInstance` adds to one instance.
#[derive(Clone)]
pub struct Details {
    key_type: Fact<Option<KeyType>>,
    primary_region: Option<String>,
    regions: Vec<IdcRegion>,
}

/// `sso:DescribeInstance` for each listed instance, in order (none when the list is unknown).
pub async fn details(run: &Arc<Run>, instances: &Fact<Vec<IdcInstance>>) -> Vec<Details> {
    let Ok(list) = instances.known() else {
        return Vec::new();
    };
    all(list.iter().map(|i| {
        let (run, arn) = (run.clone(), i.instance_arn.clone());
        async move { describe_instance(&run, &arn).await }
    }))
    .await
}

async fn describe_instance(run: &Run, arn: &str) -> Details {
    run.idc_once(
        format!("DescribeInstance {arn}"),
        Box::pin(read_instance(run, arn)),
    )
    .await
}

async fn read_instance(run: &Run, arn: &str) -> Details {
    let out = run
        .call(
            &DESCRIBE_INSTANCE,
            run.c.sso.describe_instance().instance_arn(arn).send(),
        )
        .await;
    match out {
        Ok(o) => Details {
            key_type: Fact::Known(
                o.encryption_configuration_details()
                    .and_then(|e| e.key_type())
                    .map(|k| KeyType::from(k.as_str())),
            ),
            primary_region: o.primary_region().map(str::to_string),
            regions: regions(o.regions()),
        },
        Err(u) => Details {
            key_type: Fact::Unknown(u),
            primary_region: None,
            regions: Vec::new(),
        },
    }
}

/// Add what `DescribeInstance` said to the listed instances (regions only where
/// `ListInstances` left them out).
pub fn apply_details(instances: &mut Fact<Vec<IdcInstance>>, details: Vec<Details>) {
    let Fact::Known(list) = instances else {
        return;
    };
    for (i, d) in list.iter_mut().zip(details) {
        i.key_type = d.key_type;
        if i.primary_region.is_none() {
            i.primary_region = d.primary_region;
        }
        if i.regions.is_empty() {
            i.regions = d.regions;
        }
    }
}

fn regions(list: &[aws_sdk_ssoadmin::types::RegionMetadata]) -> Vec<IdcRegion> {
    list.iter()
        .map(|r| IdcRegion {
            region_name: r.region_name().unwrap_or_default().to_string(),
            status: r.status().map(|s| RegionStatus::from(s.as_str())),
        })
        .collect()
}

/// The identity store to look users up in: that of the Identity Center instance
/// the Studio, workgroup, Lake Formation and S3 Access Grants in `facts` use (the
/// checks' own rule, `Ctx::idc_instance`), not whichever instance is listed first.
/// `Ok(None)`: no instance in the region.
pub fn user_store(facts: &Facts) -> Result<Option<String>, Unknown> {
    facts
        .identity_center_instances
        .known()
        .map_err(Clone::clone)?;
    let ctx = Ctx::new(facts);
    let Some(choice) = ctx.idc_instance() else {
        return Ok(None);
    };
    match ctx.identity_store() {
        Some(store) => Ok(Some(store.to_string())),
        None => Err(Unknown::new(
            UnknownKind::ServiceError,
            GET_USER_ID.action,
            format!(
                "the Identity Center instance the resources use ({}) is not among the instances sso:ListInstances shows, so its identity store is unknown",
                choice.arn
            ),
        )),
    }
}

/// One `UserFacts` per user name, in order, looked up in `store` ([`user_store`]).
pub async fn users(
    run: &Arc<Run>,
    store: Result<Option<String>, Unknown>,
    names: &[String],
) -> Vec<UserFacts> {
    let store = match store {
        Ok(Some(store)) => store,
        Ok(None) => {
            let u = Unknown::new(
                UnknownKind::ServiceError,
                GET_USER_ID.action,
                "no IAM Identity Center instance in this region to look the user up in",
            );
            return names.iter().map(|n| failed_user(n, &u)).collect();
        }
        Err(u) => return names.iter().map(|n| failed_user(n, &u)).collect(),
    };
    all(names.iter().map(|name| {
        let (run, store, name) = (run.clone(), store.clone(), name.clone());
        async move { user(&run, &store, name).await }
    }))
    .await
}

/// The user names of the store's first `ListUsers` page (at most 100), sorted:
/// read only when a `--user` is not found, to suggest the closest name.
pub async fn user_names(run: &Run, store: &str) -> Fact<Vec<String>> {
    run.idc_once(
        format!("ListUsers {store}"),
        Box::pin(list_user_names(run, store)),
    )
    .await
}

async fn list_user_names(run: &Run, store: &str) -> Fact<Vec<String>> {
    run.call(
        &LIST_USERS,
        run.c
            .ids
            .list_users()
            .identity_store_id(store)
            .max_results(100)
            .send(),
    )
    .await
    .map(|out| {
        let names: BTreeSet<String> = out
            .users()
            .iter()
            .filter_map(|u| u.user_name())
            .map(str::to_string)
            .collect();
        names.into_iter().collect()
    })
    .into()
}

fn failed_user(name: &str, why: &Unknown) -> UserFacts {
    UserFacts {
        user_name: name.to_string(),
        user: Fact::Unknown(why.clone()),
        groups: Fact::Unknown(why.clone()),
    }
}

async fn user(run: &Arc<Run>, store: &str, name: String) -> UserFacts {
    let key = format!("user {store} {name}");
    run.idc_once(key, Box::pin(read_user(run, store, name)))
        .await
}

async fn read_user(run: &Arc<Run>, store: &str, name: String) -> UserFacts {
    let id = UniqueAttribute::builder()
        .attribute_path("userName")
        .attribute_value(Document::String(name.clone()))
        .build()
        .map(AlternateIdentifier::UniqueAttribute);
    let id = match id {
        Ok(id) => id,
        Err(e) => {
            let u = Unknown::new(UnknownKind::ServiceError, GET_USER_ID.action, e.to_string());
            return failed_user(&name, &u);
        }
    };
    let found = run
        .call_or_missing(
            &GET_USER_ID,
            run.c
                .ids
                .get_user_id()
                .identity_store_id(store)
                .alternate_identifier(id)
                .send(),
            |e| {
                has_code(e, &["ResourceNotFoundException"])
                    || e.as_service_error()
                        .is_some_and(|s| s.is_resource_not_found_exception())
            },
        )
        .await;
    let user_id = match found {
        Err(u) => return failed_user(&name, &u),
        Ok(None) => {
            return UserFacts {
                user_name: name,
                user: Fact::Known(None),
                groups: Fact::default(),
            };
        }
        Ok(Some(out)) => out.user_id().to_string(),
    };
    let described = run.call(
        &DESCRIBE_USER,
        run.c
            .ids
            .describe_user()
            .identity_store_id(store)
            .user_id(&user_id)
            .send(),
    );
    let (described, groups) = tokio::join!(described, groups(run, store, &user_id));
    let user = described.map(|d| {
        Some(IdcUser {
            user_id: user_id.clone(),
            display_name: d.display_name().map(str::to_string),
            status: d.user_status().map(|s| UserStatus::from(s.as_str())),
        })
    });
    UserFacts {
        user_name: name,
        user: user.into(),
        groups,
    }
}

/// The user's groups; a failed `DescribeGroup` only loses the group's name.
async fn groups(run: &Arc<Run>, store: &str, user_id: &str) -> Fact<Vec<IdcGroup>> {
    let listed = run
        .call(
            &LIST_GROUP_MEMBERSHIPS,
            run.c
                .ids
                .list_group_memberships_for_member()
                .identity_store_id(store)
                .member_id(MemberId::UserId(user_id.to_string()))
                .max_results(100)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )
        .await;
    let ids: BTreeSet<String> = match listed {
        Ok(v) => v
            .iter()
            .filter_map(|m| m.group_id().map(str::to_string))
            .collect(),
        Err(u) => return Fact::Unknown(u),
    };
    let named = all(ids.into_iter().map(|group_id| {
        let (run, store) = (run.clone(), store.to_string());
        async move {
            let out = run
                .call(
                    &DESCRIBE_GROUP,
                    run.c
                        .ids
                        .describe_group()
                        .identity_store_id(&store)
                        .group_id(&group_id)
                        .send(),
                )
                .await;
            IdcGroup {
                display_name: out.ok().and_then(|d| d.display_name().map(str::to_string)),
                group_id,
            }
        }
    }))
    .await;
    Fact::Known(named)
}

/// Assignment configuration and assignments of each Identity Center application.
/// Each application's assignment configuration, and with `list` its every
/// assignment (without: left for [`principal_assignments`] or [`list_assignments`]).
pub async fn applications(
    run: &Arc<Run>,
    arns: BTreeSet<String>,
    list: bool,
) -> BTreeMap<String, Application> {
    by_key(arns, |arn| {
        let run = run.clone();
        async move { application(&run, &arn, list).await }
    })
    .await
}

async fn application(run: &Run, arn: &str, list: bool) -> Application {
    let key = format!("application {arn} {list}");
    run.idc_once(key, Box::pin(read_application(run, arn, list)))
        .await
}

async fn read_application(run: &Run, arn: &str, list: bool) -> Application {
    let required = run.call(
        &GET_ASSIGNMENT_CONFIGURATION,
        run.c
            .sso
            .get_application_assignment_configuration()
            .application_arn(arn)
            .send(),
    );
    let assignments = async {
        match list {
            true => assignments(run, arn).await,
            false => Fact::default(),
        }
    };
    let (required, assignments) = tokio::join!(required, assignments);
    Application {
        assignment_required: required.map(|o| o.assignment_required()).into(),
        assignments,
        assignments_of: None,
    }
}

/// Every assignment of one application (`ListApplicationAssignments`).
async fn assignments(run: &Run, arn: &str) -> Fact<Vec<Assignment>> {
    run.idc_once(
        format!("ListApplicationAssignments {arn}"),
        Box::pin(list_app_assignments(run, arn)),
    )
    .await
}

async fn list_app_assignments(run: &Run, arn: &str) -> Fact<Vec<Assignment>> {
    run.call(
        &LIST_APPLICATION_ASSIGNMENTS,
        run.c
            .sso
            .list_application_assignments()
            .application_arn(arn)
            .max_results(100)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>(),
    )
    .await
    .map(|v| {
        v.iter()
            .map(|a| Assignment {
                principal_id: a.principal_id().to_string(),
                principal_type: IdentityType::from(a.principal_type().as_str()),
            })
            .collect()
    })
    .into()
}

/// The assignments of each application, listed in full: the way when the
/// per-principal call needs a filter per application.
pub async fn list_assignments(run: &Arc<Run>, arns: Vec<String>) -> Vec<Fact<Vec<Assignment>>> {
    all(arns.into_iter().map(|arn| {
        let run = run.clone();
        async move { assignments(&run, &arn).await }
    }))
    .await
}

/// The assignments of `principals` (`(USER|GROUP, id)`) to each of `arns`, one
/// `ListApplicationAssignmentsForPrincipal` per principal without a filter, which
/// the API allows from the instance's own account. In order of `arns`.
pub async fn principal_assignments(
    run: &Arc<Run>,
    instance: &str,
    principals: &[(String, String)],
    arns: &[String],
) -> Vec<Fact<Vec<Assignment>>> {
    let read = all(principals.iter().map(|(kind, id)| {
        let run = run.clone();
        let (instance, kind, id) = (instance.to_string(), kind.clone(), id.clone());
        async move {
            let key = format!("ListApplicationAssignmentsForPrincipal {instance} {kind} {id}");
            let read = run.call(
                &LIST_ASSIGNMENTS_FOR_PRINCIPAL,
                run.c
                    .sso
                    .list_application_assignments_for_principal()
                    .instance_arn(instance)
                    .principal_id(id)
                    .principal_type(PrincipalType::from(kind.as_str()))
                    .max_results(100)
                    .into_paginator()
                    .items()
                    .send()
                    .collect::<Result<Vec<_>, _>>(),
            );
            run.idc_once(key, Box::pin(read)).await
        }
    }))
    .await;
    let mut found: Vec<(String, Assignment)> = Vec::new();
    for r in read {
        match r {
            Ok(list) => found.extend(list.iter().filter_map(|a| {
                Some((
                    a.application_arn()?.to_string(),
                    Assignment {
                        principal_id: a.principal_id()?.to_string(),
                        principal_type: IdentityType::from(a.principal_type()?.as_str()),
                    },
                ))
            })),
            Err(u) => return arns.iter().map(|_| Fact::Unknown(u.clone())).collect(),
        }
    }
    arns.iter()
        .map(|arn| {
            Fact::Known(
                found
                    .iter()
                    .filter(|(a, _)| a == arn)
                    .map(|(_, x)| x.clone())
                    .collect(),
            )
        })
        .collect()
}

/// The Identity Center application of each Studio, given as `(instance ARN, URL)`,
/// in order: `sso:ListApplications` once per instance (this account's
/// applications), then the application whose sign-in URL is the Studio's URL.
/// `Known(None)`: the list was read and no application matched.
pub async fn studio_applications(
    run: &Arc<Run>,
    account: Option<&str>,
    studios: &[(String, String)],
) -> Vec<Fact<Option<String>>> {
    let instances: Vec<String> = studios
        .iter()
        .map(|(i, _)| i.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let lists = all(instances.iter().map(|i| {
        let (run, i, account) = (run.clone(), i.clone(), account.map(str::to_string));
        async move { list_applications(&run, &i, account.as_deref()).await }
    }))
    .await;
    let by_instance: BTreeMap<&str, &Listed> = instances
        .iter()
        .map(String::as_str)
        .zip(lists.iter())
        .collect();
    let same = |a: &str, b: &str| {
        a.trim_end_matches('/')
            .eq_ignore_ascii_case(b.trim_end_matches('/'))
    };
    studios
        .iter()
        .map(|(i, url)| match by_instance[i.as_str()] {
            Ok(apps) => Fact::Known(
                apps.iter()
                    .find(|(_, u)| same(u, url))
                    .map(|(arn, _)| arn.clone()),
            ),
            Err(u) => Fact::Unknown(u.clone()),
        })
        .collect()
}

/// `(application ARN, sign-in URL)` of an instance's applications, or why not.
type Listed = Result<Vec<(String, String)>, Unknown>;

/// `(application ARN, sign-in URL)` of the instance's applications in this account.
async fn list_applications(run: &Run, instance: &str, account: Option<&str>) -> Listed {
    let mut req = run
        .c
        .sso
        .list_applications()
        .instance_arn(instance)
        .max_results(100);
    if let Some(a) = account {
        req = req.filter(
            aws_sdk_ssoadmin::types::ListApplicationsFilter::builder()
                .application_account(a)
                .build(),
        );
    }
    let listed = run
        .call(
            &LIST_APPLICATIONS,
            req.into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )
        .await?;
    Ok(listed
        .iter()
        .filter_map(|a| {
            let url = a.portal_options()?.sign_in_options()?.application_url()?;
            Some((a.application_arn()?.to_string(), url.to_string()))
        })
        .collect())
}
