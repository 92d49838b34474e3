//! S3 Access Grants: the instance, its locations and its grants (S3 Control).

use super::error::{SdkError, s3control_not_found};
use super::ops::{GET_ACCESS_GRANTS_INSTANCE, LIST_ACCESS_GRANTS, LIST_ACCESS_GRANTS_LOCATIONS};
use super::run::Run;
use aws_sdk_s3control::operation::list_access_grants::ListAccessGrantsError;
use aws_sdk_s3control::operation::list_access_grants_locations::ListAccessGrantsLocationsError;
use aws_sdk_s3control::types::{ListAccessGrantEntry, ListAccessGrantsLocationsEntry};
use studio_doctor_checks::facts::{
    AccessGrant, AccessGrants, AccessGrantsInstance, AccessGrantsLocation,
};
use studio_doctor_checks::modes::{GrantPermission, GranteeType};
use studio_doctor_checks::{Fact, Unknown};

/// What to read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Want {
    pub instance: bool,
    pub locations: bool,
    pub grants: bool,
}

fn fail<T>(on: bool, why: &Unknown) -> Fact<T> {
    if on {
        Fact::Unknown(why.clone())
    } else {
        Fact::default()
    }
}

/// Read what `want` asks for in `account` (from `sts:GetCallerIdentity`).
pub async fn access_grants(run: &Run, account: Result<&str, &Unknown>, want: Want) -> AccessGrants {
    let account = match account {
        Ok(a) => a,
        Err(u) => {
            return AccessGrants {
                instance: fail(want.instance, u),
                locations: fail(want.locations, u),
                grants: fail(want.grants, u),
            };
        }
    };
    let instance = async {
        if want.instance {
            instance(run, account).await
        } else {
            Fact::default()
        }
    };
    let locations = async {
        if want.locations {
            locations(run, account).await
        } else {
            Fact::default()
        }
    };
    let grants = async {
        if want.grants {
            grants(run, account).await
        } else {
            Fact::default()
        }
    };
    let (instance, locations, grants) = tokio::join!(instance, locations, grants);
    AccessGrants {
        instance,
        locations,
        grants,
    }
}

async fn instance(run: &Run, account: &str) -> Fact<Option<AccessGrantsInstance>> {
    let got = run
        .call_or_missing(
            &GET_ACCESS_GRANTS_INSTANCE,
            run.c
                .s3c
                .get_access_grants_instance()
                .account_id(account)
                .send(),
            s3control_not_found,
        )
        .await;
    got.map(|o| {
        o.map(|o| AccessGrantsInstance {
            access_grants_instance_arn: o
                .access_grants_instance_arn()
                .unwrap_or_default()
                .to_string(),
            identity_center_instance_arn: o.identity_center_instance_arn().map(str::to_string),
            identity_center_application_arn: o
                .identity_center_application_arn()
                .map(str::to_string),
        })
    })
    .into()
}

async fn locations(run: &Run, account: &str) -> Fact<Vec<AccessGrantsLocation>> {
    let listed = run
        .call_or_missing(
            &LIST_ACCESS_GRANTS_LOCATIONS,
            async {
                let mut pages = run
                    .c
                    .s3c
                    .list_access_grants_locations()
                    .account_id(account)
                    .max_results(1000)
                    .into_paginator()
                    .send();
                let mut out: Vec<ListAccessGrantsLocationsEntry> = Vec::new();
                while let Some(page) = pages.next().await {
                    out.extend(page?.access_grants_locations_list().iter().cloned());
                }
                Ok::<_, SdkError<ListAccessGrantsLocationsError>>(out)
            },
            s3control_not_found,
        )
        .await;
    listed
        .map(|v| {
            v.unwrap_or_default()
                .iter()
                .map(|l| AccessGrantsLocation {
                    access_grants_location_id: l
                        .access_grants_location_id()
                        .unwrap_or_default()
                        .to_string(),
                    location_scope: l.location_scope().unwrap_or_default().to_string(),
                    iam_role_arn: l.iam_role_arn().map(str::to_string),
                })
                .collect()
        })
        .into()
}

async fn grants(run: &Run, account: &str) -> Fact<Vec<AccessGrant>> {
    let listed = run
        .call_or_missing(
            &LIST_ACCESS_GRANTS,
            async {
                let mut pages = run
                    .c
                    .s3c
                    .list_access_grants()
                    .account_id(account)
                    .max_results(1000)
                    .into_paginator()
                    .send();
                // Each page kept as facts only.
                let mut out: Vec<AccessGrant> = Vec::new();
                while let Some(page) = pages.next().await {
                    out.extend(page?.access_grants_list().iter().map(grant));
                }
                Ok::<_, SdkError<ListAccessGrantsError>>(out)
            },
            s3control_not_found,
        )
        .await;
    listed.map(Option::unwrap_or_default).into()
}

fn grant(g: &ListAccessGrantEntry) -> AccessGrant {
    let grantee = g.grantee();
    AccessGrant {
        access_grant_id: g.access_grant_id().unwrap_or_default().to_string(),
        grantee_type: GranteeType::from(
            grantee
                .and_then(|e| e.grantee_type())
                .map_or("", |t| t.as_str()),
        ),
        grantee_identifier: grantee
            .and_then(|e| e.grantee_identifier())
            .unwrap_or_default()
            .to_string(),
        permission: GrantPermission::from(g.permission().map_or("", |p| p.as_str())),
        access_grants_location_id: g
            .access_grants_location_id()
            .unwrap_or_default()
            .to_string(),
        grant_scope: g.grant_scope().unwrap_or_default().to_string(),
        application_arn: g
            .application_arn()
            .map(str::to_string)
            .filter(|a| !a.is_empty()),
    }
}
