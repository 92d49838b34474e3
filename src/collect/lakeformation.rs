//! Lake Formation: the Identity Center configuration, data lake settings,
//! permissions on the `--table`s and their databases, registered locations and
//! hybrid access opt-ins.

use super::error::{SdkError, has_code};
use super::ops::{
    DESCRIBE_LF_IDENTITY_CENTER, GET_DATA_LAKE_SETTINGS, GET_RESOURCE_LF_TAGS,
    LIST_DATA_CELLS_FILTER, LIST_LF_OPT_INS, LIST_PERMISSIONS, LIST_RESOURCES,
};
use super::run::{Run, all, collect_all};
use aws_sdk_lakeformation::operation::list_data_cells_filter::ListDataCellsFilterError;
use aws_sdk_lakeformation::operation::list_lake_formation_opt_ins::ListLakeFormationOptInsError;
use aws_sdk_lakeformation::operation::list_permissions::ListPermissionsError;
use aws_sdk_lakeformation::operation::list_resources::ListResourcesError;
use aws_sdk_lakeformation::types::{
    DataCellsFilterResource, DataLakePrincipal, DataLakeResourceType, DatabaseResource,
    LakeFormationOptInsInfo, LfTagPair, PrincipalPermissions, PrincipalResourcePermissions,
    Resource, ResourceInfo, TableResource, TableWildcard,
};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;
use studio_doctor_checks::facts::{
    DataLakeSettings, LfColumnTags, LfFilterPermission, LfIdentityCenter, LfOptIn, LfPermission,
    LfResource, LfTableTags, LfTag, LfTagPermission,
};
use studio_doctor_checks::lf::split_table;
use studio_doctor_checks::modes::VerificationStatus;
use studio_doctor_checks::{Fact, Unknown, UnknownKind};

/// `DescribeLakeFormationIdentityCenterConfiguration` for the account's catalog.
/// `null`: no integration (EntityNotFoundException).
pub async fn identity_center(
    run: &Run,
    account: Result<&str, &Unknown>,
) -> Fact<Option<LfIdentityCenter>> {
    let account = match account {
        Ok(a) => a,
        Err(u) => return Fact::Unknown(u.clone()),
    };
    let got = run
        .call_or_missing(
            &DESCRIBE_LF_IDENTITY_CENTER,
            run.c
                .lf
                .describe_lake_formation_identity_center_configuration()
                .catalog_id(account)
                .send(),
            |e| {
                has_code(e, &["EntityNotFoundException"])
                    || e.as_service_error()
                        .is_some_and(|s| s.is_entity_not_found_exception())
            },
        )
        .await;
    got.map(|out| {
        out.map(|o| LfIdentityCenter {
            instance_arn: o.instance_arn().unwrap_or_default().to_string(),
            application_arn: o
                .application_arn()
                .filter(|a| !a.is_empty())
                .map(str::to_string),
        })
    })
    .into()
}

/// `GetDataLakeSettings`: the data lake administrators and read-only
/// administrators, and the whole settings structure (a fix writes it back).
pub async fn settings(run: &Run) -> Fact<DataLakeSettings> {
    let out = run
        .call(
            &GET_DATA_LAKE_SETTINGS,
            run.c.lf.get_data_lake_settings().send(),
        )
        .await;
    out.map(|o| {
        let ids = |list: &[DataLakePrincipal]| -> Vec<String> {
            list.iter()
                .filter_map(|p| p.data_lake_principal_identifier())
                .map(str::to_string)
                .collect()
        };
        match o.data_lake_settings() {
            Some(s) => DataLakeSettings {
                data_lake_admins: ids(s.data_lake_admins()),
                read_only_admins: ids(s.read_only_admins()),
                document: Some(settings_document(s)),
            },
            None => DataLakeSettings::default(),
        }
    })
    .into()
}

/// The `DataLakeSettings` structure as the API model spells it: each field the
/// answer carried, in the model's order (`Parameters` sorted by key).
fn settings_document(s: &aws_sdk_lakeformation::types::DataLakeSettings) -> Value {
    let principal = |p: &DataLakePrincipal| json!({"DataLakePrincipalIdentifier": p.data_lake_principal_identifier()});
    let principals = |l: &[DataLakePrincipal]| -> Value { l.iter().map(principal).collect() };
    let defaults = |l: &[PrincipalPermissions]| -> Value {
        l.iter()
            .map(|p| {
                let mut o = Map::new();
                if let Some(x) = p.principal() {
                    o.insert("Principal".into(), principal(x));
                }
                if let Some(x) = &p.permissions {
                    let names: Vec<&str> = x.iter().map(|p| p.as_str()).collect();
                    o.insert("Permissions".into(), json!(names));
                }
                Value::Object(o)
            })
            .collect()
    };
    let mut o = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            o.insert(k.to_string(), v);
        }
    };
    put(
        "DataLakeAdmins",
        s.data_lake_admins.as_deref().map(principals),
    );
    put(
        "ReadOnlyAdmins",
        s.read_only_admins.as_deref().map(principals),
    );
    put(
        "CreateDatabaseDefaultPermissions",
        s.create_database_default_permissions
            .as_deref()
            .map(defaults),
    );
    put(
        "CreateTableDefaultPermissions",
        s.create_table_default_permissions.as_deref().map(defaults),
    );
    put(
        "Parameters",
        s.parameters
            .as_ref()
            .map(|m| json!(m.iter().collect::<BTreeMap<_, _>>())),
    );
    put(
        "TrustedResourceOwners",
        s.trusted_resource_owners.as_ref().map(|l| json!(l)),
    );
    put(
        "AllowExternalDataFiltering",
        s.allow_external_data_filtering.map(Value::Bool),
    );
    put(
        "AllowFullTableExternalDataAccess",
        s.allow_full_table_external_data_access.map(Value::Bool),
    );
    put(
        "ExternalDataFilteringAllowList",
        s.external_data_filtering_allow_list
            .as_deref()
            .map(principals),
    );
    put(
        "AuthorizedSessionTagValueList",
        s.authorized_session_tag_value_list
            .as_ref()
            .map(|l| json!(l)),
    );
    Value::Object(o)
}

/// One `ListPermissions` resource filter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum On {
    Table(String, String),
    AllTables(String),
    Database(String),
}

impl On {
    fn resource(&self) -> Result<Resource, String> {
        let table = |db: &str, name: Option<&str>| {
            let b = TableResource::builder().database_name(db);
            match name {
                Some(n) => b.name(n),
                None => b.table_wildcard(TableWildcard::builder().build()),
            }
            .build()
        };
        let built = match self {
            On::Table(db, t) => table(db, Some(t)).map(|t| Resource::builder().table(t)),
            On::AllTables(db) => table(db, None).map(|t| Resource::builder().table(t)),
            On::Database(db) => DatabaseResource::builder()
                .name(db)
                .build()
                .map(|d| Resource::builder().database(d)),
        };
        built.map(|b| b.build()).map_err(|e| e.to_string())
    }
}

/// Every principal's permissions on each `db.table`, on all tables of its
/// database (table wildcard) and on the database itself; identical entries once.
/// No tables: nothing to list.
pub async fn permissions(run: &Arc<Run>, tables: &[String]) -> Fact<Vec<LfPermission>> {
    let mut wanted: BTreeSet<On> = BTreeSet::new();
    for (db, table) in tables.iter().filter_map(|t| split_table(t)) {
        wanted.insert(On::Table(db.to_string(), table.to_string()));
        wanted.insert(On::AllTables(db.to_string()));
        wanted.insert(On::Database(db.to_string()));
    }
    let read = all(wanted.into_iter().map(|on| {
        let run = run.clone();
        async move { list_permissions(&run, &on).await }
    }))
    .await;
    let pages = match collect_all(read) {
        Ok(p) => p,
        Err(u) => return Fact::Unknown(u),
    };
    Fact::Known(first_of_each(pages))
}

/// The pages as one list, each grant once (the first), in order. Deduplicated
/// by reference, not by copies: at 20,000 grants a set of clones was the
/// largest thing alive.
fn first_of_each(pages: Vec<Vec<LfPermission>>) -> Vec<LfPermission> {
    // The first list grows to hold the others, each freed once it is moved.
    let mut pages = pages.into_iter();
    let mut out = pages.next().unwrap_or_default();
    out.reserve_exact(pages.as_slice().iter().map(Vec::len).sum());
    for page in pages {
        out.extend(page);
    }
    let keep: Vec<bool> = {
        let mut seen: HashSet<&LfPermission> = HashSet::with_capacity(out.len());
        out.iter().map(|p| seen.insert(p)).collect()
    };
    let mut keep = keep.into_iter();
    out.retain(|_| keep.next().unwrap_or(true));
    out
}

/// `ListPermissions` on one resource, every page.
async fn list_permissions(run: &Run, on: &On) -> Result<Vec<LfPermission>, Unknown> {
    let resource = on.resource().map_err(|e| {
        Unknown::new(
            UnknownKind::ServiceError,
            LIST_PERMISSIONS.action,
            format!("cannot build the resource {on:?}: {e}"),
        )
    })?;
    list_pages(run, Some(resource), None, permission).await
}

/// `ListPermissions` with a resource or a resource type, every page (NextToken
/// by hand: the operation has no item paginator).
async fn list_pages<T>(
    run: &Run,
    resource: Option<Resource>,
    kind: Option<DataLakeResourceType>,
    keep: impl Fn(&PrincipalResourcePermissions) -> Option<T>,
) -> Result<Vec<T>, Unknown> {
    run.call(&LIST_PERMISSIONS, async {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        let mut seen: HashSet<String> = HashSet::new();
        loop {
            let page = run
                .c
                .lf
                .list_permissions()
                .max_results(1000)
                .set_resource(resource.clone())
                .set_resource_type(kind.clone())
                .set_next_token(token.take())
                .send()
                .await?;
            // Each page kept as facts only: a large account's answers are not held whole.
            out.extend(
                page.principal_resource_permissions()
                    .iter()
                    .filter_map(&keep),
            );
            match page.next_token().filter(|t| !t.is_empty()) {
                // A repeated token would loop forever: stop there.
                Some(t) if seen.insert(t.to_string()) => token = Some(t.to_string()),
                _ => break,
            }
        }
        // Without the growth slack: the lists are held until all are read.
        out.shrink_to_fit();
        Ok::<_, SdkError<ListPermissionsError>>(out)
    })
    .await
}

/// One entry as a fact; `None` for resources other than tables and databases.
fn permission(p: &PrincipalResourcePermissions) -> Option<LfPermission> {
    let principal = p.principal()?.data_lake_principal_identifier()?.to_string();
    let (database, table, table_wildcard) = place(p.resource()?)?;
    Some(LfPermission {
        principal,
        database,
        table,
        table_wildcard,
        permissions: p
            .permissions()
            .iter()
            .map(|x| x.as_str().to_string())
            .collect(),
    })
}

/// The database, table (`None`: the database itself or all its tables) and
/// whether it is a table wildcard. A column-level grant counts as a table grant.
fn place(r: &Resource) -> Option<(String, Option<String>, bool)> {
    if let Some(t) = r.table() {
        let wildcard = t.table_wildcard().is_some();
        let name = t.name().filter(|n| !wildcard && !n.is_empty());
        return Some((
            t.database_name().to_string(),
            name.map(str::to_string),
            wildcard,
        ));
    }
    if let Some(t) = r.table_with_columns() {
        return Some((
            t.database_name().to_string(),
            Some(t.name().to_string()),
            false,
        ));
    }
    r.database().map(|d| (d.name().to_string(), None, false))
}

/// `ListResources`: every registered data location.
pub async fn resources(run: &Run) -> Fact<Vec<LfResource>> {
    let listed = run
        .call(&LIST_RESOURCES, async {
            let mut pages = run
                .c
                .lf
                .list_resources()
                .max_results(1000)
                .into_paginator()
                .send();
            let mut out: Vec<ResourceInfo> = Vec::new();
            while let Some(page) = pages.next().await {
                out.extend(page?.resource_info_list().iter().cloned());
            }
            Ok::<_, SdkError<ListResourcesError>>(out)
        })
        .await;
    listed
        .map(|v| {
            v.iter()
                .map(|r| LfResource {
                    resource_arn: r.resource_arn().unwrap_or_default().to_string(),
                    role_arn: r.role_arn().filter(|a| !a.is_empty()).map(str::to_string),
                    hybrid_access_enabled: r.hybrid_access_enabled().unwrap_or(false),
                    verification_status: r
                        .verification_status()
                        .map(|s| VerificationStatus::from(s.as_str())),
                })
                .collect()
        })
        .into()
}

/// `ListLakeFormationOptIns`: hybrid access mode opt-ins on tables and databases.
pub async fn opt_ins(run: &Run) -> Fact<Vec<LfOptIn>> {
    let listed = run
        .call(&LIST_LF_OPT_INS, async {
            let mut pages = run
                .c
                .lf
                .list_lake_formation_opt_ins()
                .max_results(1000)
                .into_paginator()
                .send();
            let mut out: Vec<LakeFormationOptInsInfo> = Vec::new();
            while let Some(page) = pages.next().await {
                out.extend(page?.lake_formation_opt_ins_info_list().iter().cloned());
            }
            Ok::<_, SdkError<ListLakeFormationOptInsError>>(out)
        })
        .await;
    listed
        .map(|v| {
            v.iter()
                .filter_map(|o| {
                    let principal = o.principal()?.data_lake_principal_identifier()?;
                    let (database, table, _) = place(o.resource()?)?;
                    Some(LfOptIn {
                        principal: principal.to_string(),
                        database,
                        table,
                    })
                })
                .collect()
        })
        .into()
}

/// `ListPermissions` with `ResourceType` `LF_TAG_POLICY`: every grant made through
/// an LF-Tag expression.
pub async fn tag_permissions(run: &Run) -> Fact<Vec<LfTagPermission>> {
    let listed = list_pages(run, None, Some(DataLakeResourceType::LfTagPolicy), |p| {
        Some(p.clone())
    })
    .await;
    listed
        .map(|v| {
            v.iter()
                .filter_map(|p| {
                    let principal = p.principal()?.data_lake_principal_identifier()?;
                    let policy = p.resource()?.lf_tag_policy()?;
                    Some(LfTagPermission {
                        principal: principal.to_string(),
                        resource_type: policy.resource_type().as_str().to_string(),
                        expression: policy
                            .expression()
                            .iter()
                            .map(|t| LfTag {
                                key: t.tag_key().to_string(),
                                values: t.tag_values().to_vec(),
                            })
                            .collect(),
                        expression_name: policy
                            .expression_name()
                            .filter(|n| !n.is_empty())
                            .map(str::to_string),
                        permissions: p
                            .permissions()
                            .iter()
                            .map(|x| x.as_str().to_string())
                            .collect(),
                    })
                })
                .collect()
        })
        .into()
}

/// `GetResourceLFTags` on each `db.table`: the tags of its database, the table and
/// its columns.
pub async fn table_tags(run: &Arc<Run>, tables: &[String]) -> BTreeMap<String, Fact<LfTableTags>> {
    let read = all(tables
        .iter()
        .filter(|t| split_table(t).is_some())
        .map(|name| {
            let (run, name) = (run.clone(), name.clone());
            async move {
                let (db, table) = split_table(&name).unwrap_or_default();
                let resource = TableResource::builder()
                    .database_name(db)
                    .name(table)
                    .build()
                    .map(|t| Resource::builder().table(t).build());
                let fact = match resource {
                    Err(e) => Fact::Unknown(Unknown::new(
                        UnknownKind::ServiceError,
                        GET_RESOURCE_LF_TAGS.action,
                        e.to_string(),
                    )),
                    Ok(r) => run
                        .call(
                            &GET_RESOURCE_LF_TAGS,
                            run.c.lf.get_resource_lf_tags().resource(r).send(),
                        )
                        .await
                        .map(|o| LfTableTags {
                            database: tags(o.lf_tag_on_database()),
                            table: tags(o.lf_tags_on_table()),
                            columns: o
                                .lf_tags_on_columns()
                                .iter()
                                .map(|c| LfColumnTags {
                                    name: c.name().unwrap_or_default().to_string(),
                                    tags: tags(c.lf_tags()),
                                })
                                .collect(),
                        })
                        .into(),
                };
                (name, fact)
            }
        }))
    .await;
    read.into_iter().collect()
}

fn tags(list: &[LfTagPair]) -> Vec<LfTag> {
    list.iter()
        .map(|t| LfTag {
            key: t.tag_key().to_string(),
            values: t.tag_values().to_vec(),
        })
        .collect()
}

/// `ListDataCellsFilter` on each `db.table`, then `ListPermissions` on each filter.
pub async fn filter_permissions(
    run: &Arc<Run>,
    tables: &[String],
) -> Fact<Vec<LfFilterPermission>> {
    let listed = all(tables.iter().filter_map(|t| split_table(t)).map(|(db, t)| {
        let (run, db, t) = (run.clone(), db.to_string(), t.to_string());
        async move { filters_of(&run, &db, &t).await }
    }))
    .await;
    let filters: Vec<(String, String, String)> = match collect_all(listed) {
        Ok(v) => v.into_iter().flatten().collect(),
        Err(u) => return Fact::Unknown(u),
    };
    let read = all(filters.into_iter().map(|(db, t, name)| {
        let run = run.clone();
        async move {
            let resource = Resource::builder()
                .data_cells_filter(
                    DataCellsFilterResource::builder()
                        .database_name(&db)
                        .table_name(&t)
                        .name(&name)
                        .build(),
                )
                .build();
            list_pages(&run, Some(resource), None, |p| Some(p.clone()))
                .await
                .map(|v| {
                    v.iter()
                        .filter_map(|p| {
                            Some(LfFilterPermission {
                                principal: p
                                    .principal()?
                                    .data_lake_principal_identifier()?
                                    .to_string(),
                                database: db.clone(),
                                table: t.clone(),
                                filter: name.clone(),
                                permissions: p
                                    .permissions()
                                    .iter()
                                    .map(|x| x.as_str().to_string())
                                    .collect(),
                            })
                        })
                        .collect::<Vec<_>>()
                })
        }
    }))
    .await;
    match collect_all(read) {
        Ok(v) => Fact::Known(v.into_iter().flatten().collect()),
        Err(u) => Fact::Unknown(u),
    }
}

/// The data cells filters of one table, as (database, table, filter name).
async fn filters_of(
    run: &Run,
    db: &str,
    table: &str,
) -> Result<Vec<(String, String, String)>, Unknown> {
    let resource = TableResource::builder()
        .database_name(db)
        .name(table)
        .build()
        .map_err(|e| {
            Unknown::new(
                UnknownKind::ServiceError,
                LIST_DATA_CELLS_FILTER.action,
                e.to_string(),
            )
        })?;
    run.call(&LIST_DATA_CELLS_FILTER, async {
        let mut pages = run
            .c
            .lf
            .list_data_cells_filter()
            .table(resource.clone())
            .max_results(1000)
            .into_paginator()
            .send();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            for f in page?.data_cells_filters() {
                out.push((db.to_string(), table.to_string(), f.name().to_string()));
            }
        }
        Ok::<_, SdkError<ListDataCellsFilterError>>(out)
    })
    .await
}
