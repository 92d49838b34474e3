//! What each [`Action`] does to the facts, as AWS documents the call: the model
//! the simulation runs a plan on. An action whose target the facts do not hold,
//! or whose effect they cannot represent, is an error saying why; nothing is
//! guessed.
//!
//! Where AWS does not document the effect, the model takes the observable end
//! state and says so here:
//! - a new Identity Center application requires assignments ("true (default
//!   value)", PutApplicationAssignmentConfiguration), except Lake Formation's,
//!   whose default is documented as not required;
//! - instances and their regions are modelled once settled (`ACTIVE`),
//!   not while AWS is still creating them;
//! - a registration is `VERIFIED` when its role exists, else
//!   `VERIFICATION_FAILED` (inferred); a later policy change does not re-verify
//!   it;
//! - ids AWS generates (Studio, application, location, grant, instance) are
//!   derived from the call's values, so a simulation is repeatable.

use super::Action;
use crate::fact::Fact;
use crate::facts::{
    AccessGrant, AccessGrantsInstance, AccessGrantsLocation, Application, Bucket, Facts,
    IdcInstance, IdcRegion, LfIdentityCenter, LfOptIn, LfPermission, LfResource, Policy,
    ResultsAccessGrants, Role, SessionMapping, Studio, WorkGroup,
};
use crate::modes::{
    AuthMode, EncryptionOption, InstanceStatus, KeyType, RegionStatus, UserAssignment,
    VerificationStatus, WorkGroupState,
};
use serde_json::Value;

/// Apply `a` to `f`. On error `f` may be partly changed only where noted (it is
/// not: every action checks before it writes).
pub fn apply(f: &mut Facts, a: &Action) -> Result<(), String> {
    if let Some(n) = super::inputs::of_action(a).first() {
        return Err(format!("{} still holds the placeholder <{n}>", a.name()));
    }
    use Action::*;
    match a {
        CreateRole {
            role_name,
            path,
            assume_role_policy_document,
        } => {
            if let Some(Fact::Known(Some(_))) = f.roles.get(role_name) {
                return Err(format!("role {role_name} already exists"));
            }
            let account = account(f)?;
            let path = path.as_deref().unwrap_or("/");
            f.roles.insert(
                role_name.clone(),
                Fact::Known(Some(Role {
                    role_name: role_name.clone(),
                    arn: format!("arn:aws:iam::{account}:role{path}{role_name}"),
                    trust_policy: assume_role_policy_document.clone(),
                    inline_policies: Fact::Known(Vec::new()),
                    attached_policies: Fact::Known(Vec::new()),
                    permissions_boundary: None,
                })),
            );
        }
        UpdateAssumeRolePolicy {
            role_name,
            policy_document,
        } => role_mut(f, role_name)?.trust_policy = policy_document.clone(),
        PutRolePolicy {
            role_name,
            policy_name,
            policy_document,
        } => {
            let role = role_mut(f, role_name)?;
            let list = known_mut(&mut role.inline_policies, "the role's inline policies")?;
            let p = Policy {
                name: policy_name.clone(),
                document: policy_document.clone(),
            };
            match list.iter_mut().find(|p| &p.name == policy_name) {
                Some(old) => *old = p,
                None => list.push(p),
            }
        }
        AttachRolePolicy {
            role_name,
            policy_arn,
        } => {
            let document = match f.session_policies.get(policy_arn) {
                Some(Fact::Known(Some(d))) => d.clone(),
                Some(Fact::Known(None)) => return Err(format!("no managed policy {policy_arn}")),
                _ => {
                    return Err(format!(
                        "the facts do not hold the document of managed policy {policy_arn}"
                    ));
                }
            };
            let role = role_mut(f, role_name)?;
            let list = known_mut(&mut role.attached_policies, "the role's attached policies")?;
            if !list.iter().any(|p| &p.name == policy_arn) {
                list.push(Policy {
                    name: policy_arn.clone(),
                    document,
                });
            }
        }
        CreatePolicy {
            policy_name,
            path,
            policy_document,
        } => {
            let account = account(f)?;
            let path = path.as_deref().unwrap_or("/");
            let arn = format!("arn:aws:iam::{account}:policy{path}{policy_name}");
            if let Some(Fact::Known(true)) = f.managed_policies.get(&arn) {
                return Err(format!("policy {arn} already exists"));
            }
            f.managed_policies.insert(arn.clone(), Fact::Known(true));
            f.session_policies
                .insert(arn, Fact::Known(Some(policy_document.clone())));
        }
        CreatePolicyVersion {
            policy_arn,
            policy_document,
            set_as_default,
        } => match f.session_policies.get_mut(policy_arn) {
            Some(Fact::Known(Some(d))) => {
                if *set_as_default {
                    *d = policy_document.clone();
                }
            }
            Some(Fact::Known(None)) => return Err(format!("no managed policy {policy_arn}")),
            _ => {
                return Err(format!("the facts do not hold managed policy {policy_arn}"));
            }
        },
        CreateStudio {
            region,
            name,
            vpc_id,
            subnet_ids,
            service_role,
            user_role,
            workspace_security_group_id,
            engine_security_group_id,
            default_s3_location,
            idc_instance_arn,
        } => {
            in_region(f, region)?;
            let account = account(f)?;
            let app = new_application(idc_instance_arn, &account, &format!("studio:{name}"));
            let studios = known_mut(&mut f.studios, "the Studios")?;
            if studios.iter().any(|s| &s.name == name) {
                return Err(format!("a Studio named {name} already exists"));
            }
            let id = format!("es-{}", hex(&format!("studio:{name}"), 25).to_uppercase());
            studios.push(Studio {
                studio_arn: Some(format!(
                    "arn:aws:elasticmapreduce:{region}:{account}:studio/{id}"
                )),
                url: Some(format!(
                    "https://{id}.emrstudio-prod.{region}.amazonaws.com"
                )),
                studio_id: id,
                name: name.clone(),
                auth_mode: Some(AuthMode::Sso),
                service_role: Some(service_role.clone()),
                user_role: Some(user_role.clone()),
                idc_instance_arn: Some(idc_instance_arn.clone()),
                trusted_identity_propagation_enabled: Some(true),
                idc_user_assignment: Some(UserAssignment::Required),
                default_s3_location: Some(default_s3_location.clone()),
                encryption_key_arn: None,
                vpc_id: Some(vpc_id.clone()),
                subnet_ids: subnet_ids.clone(),
                workspace_security_group_id: Some(workspace_security_group_id.clone()),
                engine_security_group_id: Some(engine_security_group_id.clone()),
                session_mappings: Fact::Known(Vec::new()),
                unreadable: None,
                application_arn: Fact::Known(Some(app.clone())),
            });
            // EMR creates the Studio's application with user assignment required.
            f.applications.insert(app, new_app(true));
        }
        DeleteStudio { region, studio_id } => {
            in_region(f, region)?;
            let studios = known_mut(&mut f.studios, "the Studios")?;
            let before = studios.len();
            studios.retain(|s| &s.studio_id != studio_id);
            if studios.len() == before {
                return Err(format!("no Studio {studio_id}"));
            }
        }
        UpdateStudio {
            region,
            studio_id,
            default_s3_location,
        } => {
            in_region(f, region)?;
            studio_mut(f, studio_id)?.default_s3_location = Some(default_s3_location.clone());
        }
        CreateStudioSessionMapping {
            region,
            studio_id,
            identity_type,
            identity_id,
            session_policy_arn,
        } => {
            in_region(f, region)?;
            let identity_name = identity_name(f, identity_id);
            let s = studio_mut(f, studio_id)?;
            let list = known_mut(&mut s.session_mappings, "the Studio's session mappings")?;
            if list
                .iter()
                .any(|m| &m.identity_id == identity_id && m.identity_type.as_str() == identity_type)
            {
                return Err(format!(
                    "Studio {studio_id} already maps {identity_type} {identity_id}"
                ));
            }
            list.push(SessionMapping {
                identity_id: identity_id.clone(),
                identity_name,
                identity_type: identity_type.as_str().into(),
                session_policy_arn: Some(session_policy_arn.clone()),
            });
        }
        UpdateStudioSessionMapping {
            region,
            studio_id,
            identity_type,
            identity_id,
            session_policy_arn,
        } => {
            in_region(f, region)?;
            let s = studio_mut(f, studio_id)?;
            let list = known_mut(&mut s.session_mappings, "the Studio's session mappings")?;
            let m = list
                .iter_mut()
                .find(|m| &m.identity_id == identity_id && m.identity_type.as_str() == identity_type)
                .ok_or_else(|| {
                    format!("Studio {studio_id} has no session mapping for {identity_type} {identity_id}")
                })?;
            m.session_policy_arn = Some(session_policy_arn.clone());
        }
        CreateWorkGroup {
            region,
            name,
            configuration,
        } => {
            in_region(f, region)?;
            let account = account(f)?;
            if known_mut(&mut f.workgroups, "the workgroups")?
                .iter()
                .any(|w| &w.name == name)
            {
                return Err(format!("workgroup {name} already exists"));
            }
            let mut w = WorkGroup {
                name: name.clone(),
                state: Some(WorkGroupState::Enabled),
                identity_center_application_arn: None,
                enable_identity_center: Some(false),
                identity_center_instance_arn: None,
                execution_role: None,
                output_location: None,
                encryption_option: None,
                expected_bucket_owner: None,
                managed_query_results: None,
                enforce_workgroup_configuration: Some(true),
                s3_access_grants: None,
                effective_engine_version: Some(ENGINE_3.into()),
                unreadable: None,
            };
            configure(&mut w, configuration, false)?;
            if let Some(idc) = configuration.get("IdentityCenterConfiguration") {
                let on = bool_at(idc, "EnableIdentityCenter")?.unwrap_or(false);
                w.enable_identity_center = Some(on);
                if on {
                    let instance = str_at(idc, "IdentityCenterInstanceArn")?
                        .ok_or("IdentityCenterConfiguration without IdentityCenterInstanceArn")?;
                    let app = new_application(&instance, &account, &format!("workgroup:{name}"));
                    w.identity_center_instance_arn = Some(instance);
                    w.identity_center_application_arn = Some(app.clone());
                    f.applications.insert(app, new_app(true));
                }
            }
            known_mut(&mut f.workgroups, "the workgroups")?.push(w);
        }
        UpdateWorkGroup {
            region,
            work_group,
            configuration_updates,
            state,
        } => {
            in_region(f, region)?;
            let wgs = known_mut(&mut f.workgroups, "the workgroups")?;
            let w = wgs
                .iter_mut()
                .find(|w| &w.name == work_group)
                .ok_or_else(|| format!("no workgroup {work_group}"))?;
            if let Some(u) = &w.unreadable {
                return Err(format!(
                    "workgroup {work_group}'s configuration is unknown: {u}"
                ));
            }
            let mut new = w.clone();
            if let Some(u) = configuration_updates {
                configure(&mut new, u, true)?;
            }
            if let Some(s) = state {
                new.state = Some(s.as_str().into());
            }
            *w = new;
        }
        CreateBucket { region, bucket } => {
            if let Some(Fact::Known(Some(_))) = f.buckets.get(bucket) {
                return Err(format!("bucket {bucket} already exists"));
            }
            f.buckets.insert(
                bucket.clone(),
                Fact::Known(Some(Bucket {
                    region: region.clone(),
                })),
            );
        }
        CreateAccessGrantsInstance {
            region,
            account_id,
            identity_center_arn,
        } => {
            in_region(f, region)?;
            same_account(f, account_id)?;
            match &f.access_grants.instance {
                Fact::Known(None) => {}
                Fact::Known(Some(_)) => {
                    return Err(format!("an S3 Access Grants instance exists in {region}"));
                }
                Fact::Unknown(u) => {
                    return Err(format!("the S3 Access Grants instance is unknown: {u}"));
                }
            }
            let application = identity_center_arn
                .as_ref()
                .map(|i| new_application(i, account_id, "access-grants"));
            f.access_grants.instance = Fact::Known(Some(AccessGrantsInstance {
                access_grants_instance_arn: format!(
                    "arn:aws:s3:{region}:{account_id}:access-grants/default"
                ),
                identity_center_instance_arn: identity_center_arn.clone(),
                identity_center_application_arn: application,
            }));
            // A new instance has no locations and no grants.
            f.access_grants.locations = Fact::Known(Vec::new());
            f.access_grants.grants = Fact::Known(Vec::new());
        }
        AssociateAccessGrantsIdentityCenter {
            region,
            account_id,
            identity_center_arn,
        } => {
            in_region(f, region)?;
            same_account(f, account_id)?;
            let i = ag_instance(f)?;
            if let Some(old) = &i.identity_center_instance_arn {
                return Err(format!(
                    "the S3 Access Grants instance is already associated with {old}"
                ));
            }
            i.identity_center_instance_arn = Some(identity_center_arn.clone());
            i.identity_center_application_arn = Some(new_application(
                identity_center_arn,
                account_id,
                "access-grants",
            ));
        }
        DissociateAccessGrantsIdentityCenter { region, account_id } => {
            in_region(f, region)?;
            same_account(f, account_id)?;
            let i = ag_instance(f)?;
            i.identity_center_instance_arn = None;
            i.identity_center_application_arn = None;
        }
        CreateAccessGrantsLocation {
            region,
            account_id,
            location_scope,
            iam_role_arn,
        } => {
            in_region(f, region)?;
            same_account(f, account_id)?;
            ag_instance(f)?;
            let list = known_mut(
                &mut f.access_grants.locations,
                "the S3 Access Grants locations",
            )?;
            if list.iter().any(|l| &l.location_scope == location_scope) {
                return Err(format!("location {location_scope} is already registered"));
            }
            // The default location `s3://` always has the id `default`.
            let id = if location_scope == "s3://" {
                "default".to_string()
            } else {
                uuid(&format!("location:{location_scope}"))
            };
            list.push(AccessGrantsLocation {
                access_grants_location_id: id,
                location_scope: location_scope.clone(),
                iam_role_arn: Some(iam_role_arn.clone()),
            });
        }
        UpdateAccessGrantsLocation {
            region,
            account_id,
            access_grants_location_id,
            iam_role_arn,
        } => {
            in_region(f, region)?;
            same_account(f, account_id)?;
            let list = known_mut(
                &mut f.access_grants.locations,
                "the S3 Access Grants locations",
            )?;
            let l = list
                .iter_mut()
                .find(|l| &l.access_grants_location_id == access_grants_location_id)
                .ok_or_else(|| {
                    format!("no S3 Access Grants location {access_grants_location_id}")
                })?;
            l.iam_role_arn = Some(iam_role_arn.clone());
        }
        CreateAccessGrant {
            region,
            account_id,
            access_grants_location_id,
            s3_sub_prefix,
            grantee_type,
            grantee_identifier,
            permission,
        } => {
            in_region(f, region)?;
            same_account(f, account_id)?;
            ag_instance(f)?;
            let scope = known_mut(
                &mut f.access_grants.locations,
                "the S3 Access Grants locations",
            )?
            .iter()
            .find(|l| &l.access_grants_location_id == access_grants_location_id)
            .map(|l| l.location_scope.clone())
            .ok_or_else(|| format!("no S3 Access Grants location {access_grants_location_id}"))?;
            let grant_scope = if scope == "s3://" {
                format!("s3://{s3_sub_prefix}")
            } else {
                format!("{}/{s3_sub_prefix}", scope.trim_end_matches('/'))
            };
            let grants = known_mut(&mut f.access_grants.grants, "the S3 Access Grants grants")?;
            if grants.iter().any(|g| {
                g.grant_scope == grant_scope
                    && g.grantee_type.as_str() == grantee_type
                    && &g.grantee_identifier == grantee_identifier
                    && g.permission.as_str() == permission
                    && g.application_arn.is_none()
            }) {
                return Err(format!("the grant on {grant_scope} already exists"));
            }
            grants.push(AccessGrant {
                access_grant_id: uuid(&format!(
                    "grant:{grant_scope}:{grantee_type}:{grantee_identifier}:{permission}"
                )),
                grantee_type: grantee_type.as_str().into(),
                grantee_identifier: grantee_identifier.clone(),
                permission: permission.as_str().into(),
                access_grants_location_id: access_grants_location_id.clone(),
                grant_scope,
                application_arn: None,
            });
        }
        GrantPermissions {
            region,
            catalog_id,
            principal,
            permissions,
            resource,
        } => {
            in_region(f, region)?;
            same_account(f, catalog_id)?;
            let (database, table, table_wildcard) = lf_resource(resource)?;
            let list = known_mut(
                &mut f.lake_formation.permissions,
                "the Lake Formation grants",
            )?;
            let same = |p: &LfPermission| {
                &p.principal == principal
                    && p.database == database
                    && p.table == table
                    && p.table_wildcard == table_wildcard
            };
            match list.iter_mut().find(|p| same(p)) {
                Some(p) => {
                    for x in permissions {
                        if !p.permissions.contains(x) {
                            p.permissions.push(x.clone());
                        }
                    }
                }
                None => list.push(LfPermission {
                    principal: principal.clone(),
                    database,
                    table,
                    table_wildcard,
                    permissions: permissions.clone(),
                }),
            }
        }
        RevokePermissions {
            region,
            catalog_id,
            principal,
            permissions,
            resource,
        } => {
            in_region(f, region)?;
            same_account(f, catalog_id)?;
            let (database, table, table_wildcard) = lf_resource(resource)?;
            let list = known_mut(
                &mut f.lake_formation.permissions,
                "the Lake Formation grants",
            )?;
            let p = list
                .iter_mut()
                .find(|p| {
                    &p.principal == principal
                        && p.database == database
                        && p.table == table
                        && p.table_wildcard == table_wildcard
                })
                .ok_or_else(|| format!("{principal} holds no grant on that resource"))?;
            p.permissions.retain(|x| !permissions.contains(x));
            list.retain(|p| !p.permissions.is_empty());
        }
        PutDataLakeSettings {
            region,
            catalog_id,
            data_lake_settings,
        } => {
            in_region(f, region)?;
            same_account(f, catalog_id)?;
            let s = known_mut(&mut f.lake_formation.settings, "the data lake settings")?;
            s.data_lake_admins = principals(data_lake_settings, "DataLakeAdmins")?;
            s.read_only_admins = principals(data_lake_settings, "ReadOnlyAdmins")?;
            s.document = Some(data_lake_settings.clone());
        }
        RegisterResource {
            region,
            resource_arn,
            role_arn,
            hybrid_access_enabled,
        } => {
            in_region(f, region)?;
            let status = verification(f, role_arn);
            let list = known_mut(
                &mut f.lake_formation.resources,
                "the Lake Formation registrations",
            )?;
            if list.iter().any(|r| &r.resource_arn == resource_arn) {
                return Err(format!("{resource_arn} is already registered"));
            }
            list.push(LfResource {
                resource_arn: resource_arn.clone(),
                role_arn: Some(role_arn.clone()),
                hybrid_access_enabled: *hybrid_access_enabled,
                verification_status: Some(status),
            });
        }
        UpdateResource {
            region,
            resource_arn,
            role_arn,
            hybrid_access_enabled,
        } => {
            in_region(f, region)?;
            let status = verification(f, role_arn);
            let list = known_mut(
                &mut f.lake_formation.resources,
                "the Lake Formation registrations",
            )?;
            let r = list
                .iter_mut()
                .find(|r| &r.resource_arn == resource_arn)
                .ok_or_else(|| format!("{resource_arn} is not registered"))?;
            r.role_arn = Some(role_arn.clone());
            r.hybrid_access_enabled = *hybrid_access_enabled;
            r.verification_status = Some(status);
        }
        DeregisterResource {
            region,
            resource_arn,
        } => {
            in_region(f, region)?;
            let list = known_mut(
                &mut f.lake_formation.resources,
                "the Lake Formation registrations",
            )?;
            let before = list.len();
            list.retain(|r| &r.resource_arn != resource_arn);
            if list.len() == before {
                return Err(format!("{resource_arn} is not registered"));
            }
        }
        CreateLakeFormationIdentityCenterConfiguration {
            region,
            catalog_id,
            instance_arn,
        } => {
            in_region(f, region)?;
            same_account(f, catalog_id)?;
            match &f.lake_formation.identity_center {
                Fact::Known(None) => {}
                Fact::Known(Some(c)) => {
                    return Err(format!(
                        "Lake Formation already has an Identity Center configuration ({})",
                        c.instance_arn
                    ));
                }
                Fact::Unknown(u) => {
                    return Err(format!(
                        "Lake Formation's Identity Center configuration is unknown: {u}"
                    ));
                }
            }
            let app = new_application(instance_arn, catalog_id, "lakeformation");
            f.lake_formation.identity_center = Fact::Known(Some(LfIdentityCenter {
                instance_arn: instance_arn.clone(),
                application_arn: Some(app.clone()),
            }));
            f.applications.insert(app, new_app(false));
        }
        DeleteLakeFormationIdentityCenterConfiguration { region, catalog_id } => {
            in_region(f, region)?;
            same_account(f, catalog_id)?;
            match &f.lake_formation.identity_center {
                Fact::Known(Some(_)) => f.lake_formation.identity_center = Fact::Known(None),
                Fact::Known(None) => {
                    return Err("Lake Formation has no Identity Center configuration".into());
                }
                Fact::Unknown(u) => {
                    return Err(format!(
                        "Lake Formation's Identity Center configuration is unknown: {u}"
                    ));
                }
            }
        }
        CreateLakeFormationOptIn {
            region,
            principal,
            resource,
        } => {
            in_region(f, region)?;
            let (database, table, wildcard) = lf_resource(resource)?;
            if wildcard {
                return Err("an opt-in on a table wildcard is not in the facts model".into());
            }
            let list = known_mut(&mut f.lake_formation.opt_ins, "the Lake Formation opt-ins")?;
            let o = LfOptIn {
                principal: principal.clone(),
                database,
                table,
            };
            if !list.contains(&o) {
                list.push(o);
            }
        }
        CreateInstance { region } => {
            in_region(f, region)?;
            let account = account(f)?;
            let list = known_mut(
                &mut f.identity_center_instances,
                "the Identity Center instances",
            )?;
            if let Some(i) = list.first() {
                return Err(format!(
                    "an Identity Center instance exists: {}",
                    i.instance_arn
                ));
            }
            list.push(IdcInstance {
                instance_arn: format!("arn:aws:sso:::instance/ssoins-{}", hex(&account, 16)),
                identity_store_id: format!("d-{}", hex(&format!("store:{account}"), 10)),
                owner_account_id: Some(account),
                name: None,
                status: Some(InstanceStatus::Active),
                primary_region: Some(region.clone()),
                regions: vec![IdcRegion {
                    region_name: region.clone(),
                    status: Some(RegionStatus::Active),
                }],
                key_type: Fact::Known(Some(KeyType::AwsOwned)),
            });
        }
        DeleteInstance {
            region,
            instance_arn,
        } => {
            in_region(f, region)?;
            let list = known_mut(
                &mut f.identity_center_instances,
                "the Identity Center instances",
            )?;
            let before = list.len();
            list.retain(|i| &i.instance_arn != instance_arn);
            if list.len() == before {
                return Err(format!("no Identity Center instance {instance_arn}"));
            }
        }
        AddRegion {
            region,
            instance_arn,
            region_name,
        } => {
            in_instance_region(f, region, instance_arn)?;
            let target = f.target.region.clone();
            let list = known_mut(
                &mut f.identity_center_instances,
                "the Identity Center instances",
            )?;
            let i = list
                .iter_mut()
                .find(|i| &i.instance_arn == instance_arn)
                .ok_or_else(|| {
                    format!("Identity Center instance {instance_arn} is not listed in {target}")
                })?;
            if i.regions.iter().any(|r| &r.region_name == region_name) {
                return Err(format!("{instance_arn} is already in {region_name}"));
            }
            i.regions.push(IdcRegion {
                region_name: region_name.clone(),
                status: Some(RegionStatus::Active),
            });
        }
        UpdateInstance {
            region,
            instance_arn,
            encryption_configuration,
        } => {
            in_instance_region(f, region, instance_arn)?;
            let key = str_at(encryption_configuration, "KeyType")?
                .ok_or("EncryptionConfiguration without KeyType")?;
            let list = known_mut(
                &mut f.identity_center_instances,
                "the Identity Center instances",
            )?;
            let i = list
                .iter_mut()
                .find(|i| &i.instance_arn == instance_arn)
                .ok_or_else(|| format!("no Identity Center instance {instance_arn}"))?;
            i.key_type = Fact::Known(Some(KeyType::from(key.as_str())));
        }
        CreateApplicationAssignment {
            region,
            application_arn,
            principal_id,
            principal_type,
        } => {
            in_sso_region(f, region)?;
            let app = application_mut(f, application_arn)?;
            if app.assignments_of.is_some() {
                // Read per principal: record it among the principals read.
                let of = app.assignments_of.get_or_insert_with(Vec::new);
                if !of.contains(principal_id) {
                    of.push(principal_id.clone());
                }
            }
            let list = known_mut(&mut app.assignments, "the application's assignments")?;
            if !list.iter().any(|x| &x.principal_id == principal_id) {
                list.push(crate::facts::Assignment {
                    principal_id: principal_id.clone(),
                    principal_type: principal_type.as_str().into(),
                });
            }
        }
        PutApplicationAssignmentConfiguration {
            region,
            application_arn,
            assignment_required,
        } => {
            in_sso_region(f, region)?;
            application_mut(f, application_arn)?.assignment_required =
                Fact::Known(*assignment_required);
        }
    }
    Ok(())
}

/// What Athena reports for a workgroup on the current engine.
const ENGINE_3: &str = "Athena engine version 3";

fn known_mut<'a, T>(fact: &'a mut Fact<T>, what: &str) -> Result<&'a mut T, String> {
    match fact {
        Fact::Known(v) => Ok(v),
        Fact::Unknown(u) => Err(format!("{what}: not known ({u})")),
    }
}

fn account(f: &Facts) -> Result<String, String> {
    f.caller
        .known()
        .map(|c| c.account_id.clone())
        .map_err(|u| format!("the account id is not known ({u})"))
}

fn same_account(f: &Facts, id: &str) -> Result<(), String> {
    let a = account(f)?;
    if a == id {
        Ok(())
    } else {
        Err(format!(
            "account {id} is not the account the facts describe ({a})"
        ))
    }
}

/// The facts describe the target region only.
fn in_region(f: &Facts, region: &str) -> Result<(), String> {
    if region == f.target.region {
        Ok(())
    } else {
        Err(format!(
            "the call is in {region}; the facts describe {} only",
            f.target.region
        ))
    }
}

/// Identity Center calls about an instance go to its primary region (or, for
/// a single-Region instance that reports none, the region it is listed in).
fn in_instance_region(f: &Facts, region: &str, instance_arn: &str) -> Result<(), String> {
    let primary = f
        .identity_center_instances
        .known()
        .ok()
        .and_then(|l| l.iter().find(|i| i.instance_arn == instance_arn))
        .and_then(|i| i.primary_region.clone());
    match primary {
        Some(p) if p != region => Err(format!(
            "the call is in {region}; instance {instance_arn}'s primary region is {p}"
        )),
        Some(_) => Ok(()),
        None => in_region(f, region),
    }
}

/// Identity Center application calls: the target region or the primary region
/// of an instance listed there.
fn in_sso_region(f: &Facts, region: &str) -> Result<(), String> {
    let primary = f.identity_center_instances.known().is_ok_and(|l| {
        l.iter()
            .any(|i| i.primary_region.as_deref() == Some(region))
    });
    if primary {
        Ok(())
    } else {
        in_region(f, region)
    }
}

fn role_mut<'a>(f: &'a mut Facts, name_or_arn: &str) -> Result<&'a mut Role, String> {
    let name = crate::facts::role_name(name_or_arn);
    match f.roles.get_mut(name) {
        Some(Fact::Known(Some(r))) => Ok(r),
        Some(Fact::Known(None)) => Err(format!("no role {name}")),
        Some(Fact::Unknown(u)) => Err(format!("role {name}: not known ({u})")),
        None => Err(format!("the facts do not hold role {name}")),
    }
}

fn studio_mut<'a>(f: &'a mut Facts, id: &str) -> Result<&'a mut Studio, String> {
    let s = known_mut(&mut f.studios, "the Studios")?
        .iter_mut()
        .find(|s| s.studio_id == id)
        .ok_or_else(|| format!("no Studio {id}"))?;
    match &s.unreadable {
        Some(u) => Err(format!("Studio {id} is not known ({u})")),
        None => Ok(s),
    }
}

fn application_mut<'a>(f: &'a mut Facts, arn: &str) -> Result<&'a mut Application, String> {
    f.applications
        .get_mut(arn)
        .ok_or_else(|| format!("the facts do not hold application {arn}"))
}

fn ag_instance(f: &mut Facts) -> Result<&mut AccessGrantsInstance, String> {
    match &mut f.access_grants.instance {
        Fact::Known(Some(i)) => Ok(i),
        Fact::Known(None) => Err("no S3 Access Grants instance in the region".into()),
        Fact::Unknown(u) => Err(format!("the S3 Access Grants instance is unknown: {u}")),
    }
}

/// A group's or user's display name, when the facts know the identity.
fn identity_name(f: &Facts, id: &str) -> Option<String> {
    f.users.iter().find_map(|u| {
        if let Ok(Some(user)) = u.user.known()
            && user.user_id == id
        {
            return Some(u.user_name.clone());
        }
        u.groups
            .known()
            .ok()?
            .iter()
            .find(|g| g.group_id == id)
            .and_then(|g| g.display_name.clone())
    })
}

fn new_app(assignment_required: bool) -> Application {
    Application {
        assignment_required: Fact::Known(assignment_required),
        assignments: Fact::Known(Vec::new()),
        assignments_of: None,
    }
}

/// A new application's ARN on `instance` (deterministic, from `seed`).
fn new_application(instance: &str, account: &str, seed: &str) -> String {
    let id = instance.rsplit('/').next().unwrap_or(instance);
    format!(
        "arn:aws:sso::{account}:application/{id}/apl-{}",
        hex(&format!("{instance}:{seed}"), 16)
    )
}

/// `n` lower-case hex digits derived from `seed` (FNV-1a, repeated).
fn hex(seed: &str, n: usize) -> String {
    let mut out = String::new();
    let mut round = 0u64;
    while out.len() < n {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ round;
        for b in seed.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        out.push_str(&format!("{h:016x}"));
        round += 1;
    }
    out.truncate(n);
    out
}

/// A UUID-shaped id derived from `seed`.
fn uuid(seed: &str) -> String {
    let h = hex(seed, 32);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn str_at(v: &Value, key: &str) -> Result<Option<String>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(x) => Err(format!("{key} is not a string: {x}")),
    }
}

fn bool_at(v: &Value, key: &str) -> Result<Option<bool>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(x) => Err(format!("{key} is not a boolean: {x}")),
    }
}

/// Fields of `WorkGroupConfiguration(Updates)` that the facts do not model and
/// that do not change what the checks judge.
const UNMODELLED: &[&str] = &[
    "PublishCloudWatchMetricsEnabled",
    "BytesScannedCutoffPerQuery",
    "RemoveBytesScannedCutoffPerQuery",
    "RequesterPaysEnabled",
    "AdditionalConfiguration",
    "MonitoringConfiguration",
    "EngineConfiguration",
    "CustomerContentEncryptionConfiguration",
    "RemoveCustomerContentEncryptionConfiguration",
    "EnableMinimumEncryptionConfiguration",
    "SystemTableStatuses",
];

/// Apply a `WorkGroupConfiguration` (`update` false) or
/// `WorkGroupConfigurationUpdates` (`update` true) to `w`.
fn configure(w: &mut WorkGroup, c: &Value, update: bool) -> Result<(), String> {
    let Value::Object(map) = c else {
        return Err(format!("the workgroup configuration is not an object: {c}"));
    };
    let (results_key, managed_key) = if update {
        (
            "ResultConfigurationUpdates",
            "ManagedQueryResultsConfigurationUpdates",
        )
    } else {
        ("ResultConfiguration", "ManagedQueryResultsConfiguration")
    };
    for (k, v) in map {
        match k.as_str() {
            "EnforceWorkGroupConfiguration" => {
                w.enforce_workgroup_configuration = bool_at(c, k)?;
            }
            "ExecutionRole" => w.execution_role = str_at(c, k)?,
            "EngineVersion" => {
                if let Some(e) = str_at(v, "SelectedEngineVersion")? {
                    w.effective_engine_version =
                        Some(if e == "AUTO" { ENGINE_3.into() } else { e });
                }
            }
            "IdentityCenterConfiguration" if !update => {}
            "QueryResultsS3AccessGrantsConfiguration" => {
                w.s3_access_grants = Some(ResultsAccessGrants {
                    enable_s3_access_grants: bool_at(v, "EnableS3AccessGrants")?.ok_or(
                        "QueryResultsS3AccessGrantsConfiguration needs EnableS3AccessGrants",
                    )?,
                    create_user_level_prefix: bool_at(v, "CreateUserLevelPrefix")?.unwrap_or(false),
                    authentication_type: str_at(v, "AuthenticationType")?,
                });
            }
            k if k == managed_key => {
                if let Some(on) = bool_at(v, "Enabled")? {
                    w.managed_query_results = Some(on);
                }
            }
            k if k == results_key => results(w, v)?,
            k if UNMODELLED.contains(&k) => {}
            other => {
                return Err(format!(
                    "the workgroup configuration field {other} is not in the facts model"
                ));
            }
        }
    }
    Ok(())
}

fn results(w: &mut WorkGroup, r: &Value) -> Result<(), String> {
    if let Some(o) = str_at(r, "OutputLocation")? {
        w.output_location = Some(o);
    }
    if bool_at(r, "RemoveOutputLocation")? == Some(true) {
        w.output_location = None;
    }
    if let Some(e) = r.get("EncryptionConfiguration") {
        w.encryption_option =
            str_at(e, "EncryptionOption")?.map(|s| EncryptionOption::from(s.as_str()));
    }
    if bool_at(r, "RemoveEncryptionConfiguration")? == Some(true) {
        w.encryption_option = None;
    }
    if let Some(o) = str_at(r, "ExpectedBucketOwner")? {
        w.expected_bucket_owner = Some(o);
    }
    if bool_at(r, "RemoveExpectedBucketOwner")? == Some(true) {
        w.expected_bucket_owner = None;
    }
    Ok(())
}

/// A Lake Formation `Resource` the facts model: a database, a table or a
/// table wildcard. (database, table, table wildcard).
fn lf_resource(r: &Value) -> Result<(String, Option<String>, bool), String> {
    if let Some(db) = r.get("Database") {
        let name = str_at(db, "Name")?.ok_or("Database resource without Name")?;
        return Ok((name, None, false));
    }
    if let Some(t) = r.get("Table") {
        let db = str_at(t, "DatabaseName")?.ok_or("Table resource without DatabaseName")?;
        if t.get("TableWildcard").is_some() {
            return Ok((db, None, true));
        }
        let name = str_at(t, "Name")?.ok_or("Table resource without Name or TableWildcard")?;
        return Ok((db, Some(name), false));
    }
    Err(format!(
        "the Lake Formation resource {r} is not in the facts model (databases and tables only)"
    ))
}

/// `DataLakeSettings.<key>[].DataLakePrincipalIdentifier`.
fn principals(s: &Value, key: &str) -> Result<Vec<String>, String> {
    match s.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|p| {
                str_at(p, "DataLakePrincipalIdentifier")?
                    .ok_or_else(|| format!("{key} entry without DataLakePrincipalIdentifier"))
            })
            .collect(),
        Some(x) => Err(format!("{key} is not a list: {x}")),
    }
}

/// The status Lake Formation gives a registration when its role is set: it
/// verifies by using the role, which it can when the role exists (inferred; the
/// role's policies are judged by LF008).
fn verification(f: &Facts, role_arn: &str) -> VerificationStatus {
    match f.role(role_arn) {
        Some(Fact::Known(Some(_))) => VerificationStatus::Verified,
        _ => VerificationStatus::VerificationFailed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;
    use crate::fact::Unknown;
    use crate::testkit::{healthy, idc_wg, lf_permissions, only, studio};
    use serde_json::json;

    const R: &str = "ap-northeast-1";
    const ACCOUNT: &str = "111122223333";
    const INSTANCE: &str = "arn:aws:sso:::instance/ssoins-7758a1b2c3d4e5f6";
    const USER_ROLE: &str = "EMRStudio-UserRole";

    fn ok(f: &mut Facts, a: Action) {
        apply(f, &a).unwrap_or_else(|e| panic!("{a:?}: {e}"));
    }

    fn err(f: &mut Facts, a: Action) -> String {
        let before = f.clone();
        let e = apply(f, &a).expect_err("should be refused");
        assert_eq!(*f, before, "a refused action changed the facts");
        e
    }

    fn known_role(f: &Facts, name: &str) -> Role {
        match f.roles.get(name) {
            Some(Fact::Known(Some(r))) => r.clone(),
            other => panic!("{name}: {other:?}"),
        }
    }

    fn doc(action: &str) -> Value {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})
    }

    #[test]
    fn create_role_adds_the_role_with_its_trust_and_no_policies() {
        let mut f = healthy();
        let trust = doc("sts:AssumeRole");
        ok(
            &mut f,
            Action::CreateRole {
                role_name: "New".into(),
                path: Some("/service-role/".into()),
                assume_role_policy_document: trust.clone(),
            },
        );
        let r = known_role(&f, "New");
        assert_eq!(
            r.arn,
            format!("arn:aws:iam::{ACCOUNT}:role/service-role/New")
        );
        assert_eq!(r.trust_policy, trust);
        assert_eq!(r.inline_policies, Fact::Known(vec![]));
        assert_eq!(r.attached_policies, Fact::Known(vec![]));
        let e = err(
            &mut f,
            Action::CreateRole {
                role_name: "New".into(),
                path: None,
                assume_role_policy_document: trust,
            },
        );
        assert!(e.contains("already exists"), "{e}");
    }

    #[test]
    fn put_role_policy_adds_or_replaces_that_inline_policy_only() {
        let mut f = healthy();
        let n = known_role(&f, USER_ROLE)
            .inline_policies
            .known()
            .unwrap()
            .len();
        let put = |d: Value| Action::PutRolePolicy {
            role_name: format!("arn:aws:iam::{ACCOUNT}:role/{USER_ROLE}"),
            policy_name: "Extra".into(),
            policy_document: d,
        };
        ok(&mut f, put(doc("s3:GetObject")));
        ok(&mut f, put(doc("s3:PutObject")));
        let list = known_role(&f, USER_ROLE)
            .inline_policies
            .known()
            .unwrap()
            .clone();
        assert_eq!(list.len(), n + 1);
        assert_eq!(list.last().unwrap().document, doc("s3:PutObject"));
        // A role the facts do not hold, or whose policies are unknown, is refused.
        assert!(
            err(
                &mut f,
                Action::PutRolePolicy {
                    role_name: "Nope".into(),
                    policy_name: "x".into(),
                    policy_document: doc("a:b")
                }
            )
            .contains("do not hold")
        );
        if let Some(Fact::Known(Some(r))) = f.roles.get_mut(USER_ROLE) {
            r.inline_policies = Fact::Unknown(Unknown::not_collected());
        }
        assert!(err(&mut f, put(doc("a:b"))).contains("not known"));
        f.roles.insert("Gone".into(), Fact::Known(None));
        assert!(
            err(
                &mut f,
                Action::UpdateAssumeRolePolicy {
                    role_name: "Gone".into(),
                    policy_document: doc("a:b")
                }
            )
            .contains("no role Gone")
        );
    }

    #[test]
    fn update_assume_role_policy_sets_the_trust() {
        let mut f = healthy();
        ok(
            &mut f,
            Action::UpdateAssumeRolePolicy {
                role_name: USER_ROLE.into(),
                policy_document: doc("sts:AssumeRole"),
            },
        );
        assert_eq!(
            known_role(&f, USER_ROLE).trust_policy,
            doc("sts:AssumeRole")
        );
    }

    #[test]
    fn managed_policies_are_created_versioned_and_attached() {
        let mut f = healthy();
        ok(
            &mut f,
            Action::CreatePolicy {
                policy_name: "P".into(),
                path: None,
                policy_document: doc("athena:*"),
            },
        );
        let arn = format!("arn:aws:iam::{ACCOUNT}:policy/P");
        assert_eq!(f.managed_policies[&arn], Fact::Known(true));
        ok(
            &mut f,
            Action::CreatePolicyVersion {
                policy_arn: arn.clone(),
                policy_document: doc("glue:*"),
                set_as_default: true,
            },
        );
        assert_eq!(f.session_policies[&arn], Fact::Known(Some(doc("glue:*"))));
        ok(
            &mut f,
            Action::AttachRolePolicy {
                role_name: USER_ROLE.into(),
                policy_arn: arn.clone(),
            },
        );
        let attached = known_role(&f, USER_ROLE)
            .attached_policies
            .known()
            .unwrap()
            .clone();
        assert!(
            attached
                .iter()
                .any(|p| p.name == arn && p.document == doc("glue:*"))
        );
        // An AWS managed policy's document is not in the facts.
        let e = err(
            &mut f,
            Action::AttachRolePolicy {
                role_name: USER_ROLE.into(),
                policy_arn: "arn:aws:iam::aws:policy/AmazonS3FullAccess".into(),
            },
        );
        assert!(e.contains("do not hold"), "{e}");
        let e = err(
            &mut f,
            Action::CreatePolicyVersion {
                policy_arn: "arn:aws:iam::1:policy/None".into(),
                policy_document: doc("a:b"),
                set_as_default: true,
            },
        );
        assert!(e.contains("do not hold"), "{e}");
    }

    fn create_studio(name: &str) -> Action {
        Action::CreateStudio {
            region: R.into(),
            name: name.into(),
            vpc_id: "vpc-1".into(),
            subnet_ids: vec!["subnet-1".into(), "subnet-2".into()],
            service_role: "EMRStudio-ServiceRole".into(),
            user_role: USER_ROLE.into(),
            workspace_security_group_id: "sg-1".into(),
            engine_security_group_id: "sg-2".into(),
            default_s3_location: "s3://b/p/".into(),
            idc_instance_arn: INSTANCE.into(),
        }
    }

    #[test]
    fn create_studio_adds_an_identity_center_studio_and_its_application() {
        let mut f = healthy();
        ok(&mut f, create_studio("new"));
        let again = |f: &mut Facts| {
            let mut g = healthy();
            apply(&mut g, &create_studio("new")).unwrap();
            assert_eq!(g.studios, f.studios, "the ids are deterministic");
        };
        again(&mut f);
        let s = f.studios.known().unwrap().last().unwrap().clone();
        assert!(
            s.studio_id.starts_with("es-") && s.studio_id.len() == 28,
            "{}",
            s.studio_id
        );
        assert_eq!(s.auth_mode, Some(AuthMode::Sso));
        assert_eq!(s.trusted_identity_propagation_enabled, Some(true));
        assert_eq!(s.idc_user_assignment, Some(UserAssignment::Required));
        assert_eq!(s.session_mappings, Fact::Known(vec![]));
        let Fact::Known(Some(app)) = &s.application_arn else {
            panic!()
        };
        assert!(app.starts_with(&format!(
            "arn:aws:sso::{ACCOUNT}:application/ssoins-7758a1b2c3d4e5f6/apl-"
        )));
        assert_eq!(f.applications[app].assignment_required, Fact::Known(true));
        assert_eq!(f.applications[app].assignments, Fact::Known(vec![]));
        assert!(err(&mut f, create_studio("new")).contains("already exists"));
        let mut other = create_studio("x");
        if let Action::CreateStudio { region, .. } = &mut other {
            *region = "us-east-1".into();
        }
        assert!(err(&mut f, other).contains("describe ap-northeast-1 only"));
        f.studios = Fact::Unknown(Unknown::not_collected());
        assert!(err(&mut f, create_studio("y")).contains("not known"));
    }

    #[test]
    fn studios_are_updated_mapped_and_deleted() {
        let mut f = healthy();
        let id = studio(&mut f).studio_id.clone();
        ok(
            &mut f,
            Action::UpdateStudio {
                region: R.into(),
                studio_id: id.clone(),
                default_s3_location: "s3://c/d/".into(),
            },
        );
        assert_eq!(
            studio(&mut f).default_s3_location.as_deref(),
            Some("s3://c/d/")
        );
        let user = "97a4f8e8-30c1-70d2-1a2b-3c4d5e6f7a8b";
        let map = |policy: &str, create: bool| {
            let (region, studio_id, identity_type, identity_id, session_policy_arn) = (
                R.to_string(),
                id.clone(),
                "USER".to_string(),
                user.to_string(),
                policy.to_string(),
            );
            if create {
                Action::CreateStudioSessionMapping {
                    region,
                    studio_id,
                    identity_type,
                    identity_id,
                    session_policy_arn,
                }
            } else {
                Action::UpdateStudioSessionMapping {
                    region,
                    studio_id,
                    identity_type,
                    identity_id,
                    session_policy_arn,
                }
            }
        };
        assert!(err(&mut f, map("arn:p1", false)).contains("no session mapping"));
        ok(&mut f, map("arn:p1", true));
        assert!(err(&mut f, map("arn:p1", true)).contains("already maps"));
        ok(&mut f, map("arn:p2", false));
        let m = studio(&mut f)
            .session_mappings
            .known()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(m.identity_name.as_deref(), Some("alice"));
        assert_eq!(m.session_policy_arn.as_deref(), Some("arn:p2"));
        ok(
            &mut f,
            Action::DeleteStudio {
                region: R.into(),
                studio_id: id.clone(),
            },
        );
        assert!(f.studios.known().unwrap().is_empty());
        assert!(
            err(
                &mut f,
                Action::DeleteStudio {
                    region: R.into(),
                    studio_id: id
                }
            )
            .contains("no Studio")
        );
    }

    #[test]
    fn create_work_group_reads_its_configuration() {
        let mut f = healthy();
        let config = json!({
            "ResultConfiguration": {"OutputLocation": "s3://r/wg/", "EncryptionConfiguration": {"EncryptionOption": "SSE_KMS"}, "ExpectedBucketOwner": ACCOUNT},
            "EnforceWorkGroupConfiguration": true,
            "EngineVersion": {"SelectedEngineVersion": "AUTO"},
            "ExecutionRole": "arn:aws:iam::111122223333:role/X",
            "IdentityCenterConfiguration": {"EnableIdentityCenter": true, "IdentityCenterInstanceArn": INSTANCE},
            "QueryResultsS3AccessGrantsConfiguration": {"EnableS3AccessGrants": true, "CreateUserLevelPrefix": true, "AuthenticationType": "DIRECTORY_IDENTITY"},
            "PublishCloudWatchMetricsEnabled": true
        });
        let create = |name: &str, configuration: Value| Action::CreateWorkGroup {
            region: R.into(),
            name: name.into(),
            configuration,
        };
        ok(&mut f, create("wg2", config));
        let w = f.workgroups.known().unwrap().last().unwrap().clone();
        assert_eq!(w.state, Some(WorkGroupState::Enabled));
        assert_eq!(w.output_location.as_deref(), Some("s3://r/wg/"));
        assert_eq!(w.encryption_option, Some(EncryptionOption::SseKms));
        assert_eq!(w.expected_bucket_owner.as_deref(), Some(ACCOUNT));
        assert_eq!(w.effective_engine_version.as_deref(), Some(ENGINE_3));
        assert_eq!(
            w.execution_role.as_deref(),
            Some("arn:aws:iam::111122223333:role/X")
        );
        assert_eq!(w.enable_identity_center, Some(true));
        assert_eq!(w.identity_center_instance_arn.as_deref(), Some(INSTANCE));
        let s3ag = w.s3_access_grants.unwrap();
        assert!(s3ag.enable_s3_access_grants && s3ag.create_user_level_prefix);
        let app = w.identity_center_application_arn.unwrap();
        assert_eq!(f.applications[&app].assignment_required, Fact::Known(true));
        assert!(err(&mut f, create("wg2", json!({}))).contains("already exists"));
        let e = err(&mut f, create("wg3", json!({"Bogus": 1})));
        assert!(e.contains("Bogus"), "{e}");
        ok(
            &mut f,
            create(
                "plain",
                json!({"ResultConfiguration": {"OutputLocation": "s3://r/p/"}}),
            ),
        );
        let w = f.workgroups.known().unwrap().last().unwrap().clone();
        assert_eq!(w.enable_identity_center, Some(false));
        assert!(w.identity_center_application_arn.is_none());
    }

    #[test]
    fn update_work_group_changes_only_the_fields_given() {
        let mut f = healthy();
        let before = idc_wg(&mut f).clone();
        let update = |u: Value, state: Option<&str>| Action::UpdateWorkGroup {
            region: R.into(),
            work_group: before.name.clone(),
            configuration_updates: Some(u),
            state: state.map(String::from),
        };
        ok(
            &mut f,
            update(
                json!({"ResultConfigurationUpdates": {"OutputLocation": "s3://new/x/", "RemoveExpectedBucketOwner": true}, "ManagedQueryResultsConfigurationUpdates": {"Enabled": false}}),
                Some("DISABLED"),
            ),
        );
        let w = idc_wg(&mut f).clone();
        assert_eq!(w.output_location.as_deref(), Some("s3://new/x/"));
        assert_eq!(w.expected_bucket_owner, None);
        assert_eq!(w.managed_query_results, Some(false));
        assert_eq!(w.state, Some(WorkGroupState::Disabled));
        assert_eq!(w.encryption_option, before.encryption_option);
        assert_eq!(w.execution_role, before.execution_role);
        // The Identity Center configuration cannot be updated.
        let e = err(
            &mut f,
            update(json!({"IdentityCenterConfiguration": {}}), None),
        );
        assert!(e.contains("IdentityCenterConfiguration"), "{e}");
        let e = err(
            &mut f,
            Action::UpdateWorkGroup {
                region: R.into(),
                work_group: "nope".into(),
                configuration_updates: None,
                state: None,
            },
        );
        assert!(e.contains("no workgroup"), "{e}");
    }

    #[test]
    fn create_bucket_adds_an_owned_bucket() {
        let mut f = healthy();
        ok(
            &mut f,
            Action::CreateBucket {
                region: R.into(),
                bucket: "b2".into(),
            },
        );
        assert_eq!(
            f.buckets["b2"],
            Fact::Known(Some(Bucket { region: R.into() }))
        );
        assert!(
            err(
                &mut f,
                Action::CreateBucket {
                    region: R.into(),
                    bucket: "b2".into()
                }
            )
            .contains("already exists")
        );
    }

    #[test]
    fn access_grants_instance_association_locations_and_grants() {
        let mut f = healthy();
        f.access_grants.instance = Fact::Known(None);
        f.access_grants.locations = Fact::Unknown(Unknown::not_collected());
        let role = format!("arn:aws:iam::{ACCOUNT}:role/Loc");
        let location = |scope: &str| Action::CreateAccessGrantsLocation {
            region: R.into(),
            account_id: ACCOUNT.into(),
            location_scope: scope.into(),
            iam_role_arn: role.clone(),
        };
        assert!(err(&mut f, location("s3://")).contains("no S3 Access Grants instance"));
        ok(
            &mut f,
            Action::CreateAccessGrantsInstance {
                region: R.into(),
                account_id: ACCOUNT.into(),
                identity_center_arn: None,
            },
        );
        assert!(
            err(
                &mut f,
                Action::CreateAccessGrantsInstance {
                    region: R.into(),
                    account_id: ACCOUNT.into(),
                    identity_center_arn: None
                }
            )
            .contains("exists")
        );
        assert_eq!(f.access_grants.locations, Fact::Known(vec![]));
        ok(
            &mut f,
            Action::AssociateAccessGrantsIdentityCenter {
                region: R.into(),
                account_id: ACCOUNT.into(),
                identity_center_arn: INSTANCE.into(),
            },
        );
        let Fact::Known(Some(i)) = &f.access_grants.instance else {
            panic!()
        };
        assert_eq!(i.identity_center_instance_arn.as_deref(), Some(INSTANCE));
        assert!(i.identity_center_application_arn.is_some());
        assert!(
            err(
                &mut f,
                Action::AssociateAccessGrantsIdentityCenter {
                    region: R.into(),
                    account_id: ACCOUNT.into(),
                    identity_center_arn: INSTANCE.into()
                }
            )
            .contains("already associated")
        );
        ok(
            &mut f,
            Action::DissociateAccessGrantsIdentityCenter {
                region: R.into(),
                account_id: ACCOUNT.into(),
            },
        );
        let Fact::Known(Some(i)) = &f.access_grants.instance else {
            panic!()
        };
        assert!(i.identity_center_instance_arn.is_none());
        ok(&mut f, location("s3://"));
        ok(&mut f, location("s3://bucket/data"));
        assert!(err(&mut f, location("s3://")).contains("already registered"));
        let locs = f.access_grants.locations.known().unwrap().clone();
        assert_eq!(locs[0].access_grants_location_id, "default");
        let id = locs[1].access_grants_location_id.clone();
        assert_eq!(id.len(), 36);
        ok(
            &mut f,
            Action::UpdateAccessGrantsLocation {
                region: R.into(),
                account_id: ACCOUNT.into(),
                access_grants_location_id: id.clone(),
                iam_role_arn: "arn:r2".into(),
            },
        );
        assert_eq!(
            f.access_grants.locations.known().unwrap()[1]
                .iam_role_arn
                .as_deref(),
            Some("arn:r2")
        );
        let grant = |loc: &str, sub: &str| Action::CreateAccessGrant {
            region: R.into(),
            account_id: ACCOUNT.into(),
            access_grants_location_id: loc.into(),
            s3_sub_prefix: sub.into(),
            grantee_type: "DIRECTORY_USER".into(),
            grantee_identifier: "u-1".into(),
            permission: "READWRITE".into(),
        };
        ok(&mut f, grant("default", "b/p/*"));
        ok(&mut f, grant(&id, "x/*"));
        let g = f.access_grants.grants.known().unwrap().clone();
        assert_eq!(g[0].grant_scope, "s3://b/p/*");
        assert_eq!(g[1].grant_scope, "s3://bucket/data/x/*");
        assert!(err(&mut f, grant("default", "b/p/*")).contains("already exists"));
        // A grant pinned to an application is another grant.
        if let Fact::Known(g) = &mut f.access_grants.grants {
            g[0].application_arn = Some("arn:app".into());
        }
        ok(&mut f, grant("default", "b/p/*"));
        assert!(err(&mut f, grant("nope", "b/*")).contains("no S3 Access Grants location"));
        let e = err(
            &mut f,
            Action::DissociateAccessGrantsIdentityCenter {
                region: R.into(),
                account_id: "999".into(),
            },
        );
        assert!(e.contains("not the account"), "{e}");
    }

    /// `lakeformation:RegisterResource` without hybrid access mode.
    fn register(resource_arn: String, role_arn: String) -> Action {
        serde_json::from_value(json!({
            "action": "lakeformation:RegisterResource",
            "region": R,
            "resource_arn": resource_arn,
            "role_arn": role_arn,
        }))
        .unwrap()
    }

    fn lf(grant: bool, permissions: &[&str], resource: Value) -> Action {
        let (region, catalog_id, principal) = (
            R.to_string(),
            ACCOUNT.to_string(),
            "arn:aws:identitystore:::user/u".to_string(),
        );
        let permissions = permissions.iter().map(|p| p.to_string()).collect();
        if grant {
            Action::GrantPermissions {
                region,
                catalog_id,
                principal,
                permissions,
                resource,
            }
        } else {
            Action::RevokePermissions {
                region,
                catalog_id,
                principal,
                permissions,
                resource,
            }
        }
    }

    #[test]
    fn lake_formation_grants_and_revokes_on_databases_and_tables() {
        let mut f = healthy();
        let n = lf_permissions(&mut f).len();
        let table = json!({"Table": {"DatabaseName": "db", "Name": "t"}});
        ok(&mut f, lf(true, &["SELECT"], table.clone()));
        ok(&mut f, lf(true, &["DESCRIBE", "SELECT"], table.clone()));
        ok(
            &mut f,
            lf(true, &["DESCRIBE"], json!({"Database": {"Name": "db"}})),
        );
        ok(
            &mut f,
            lf(
                true,
                &["SELECT"],
                json!({"Table": {"DatabaseName": "db", "TableWildcard": {}}}),
            ),
        );
        let p = lf_permissions(&mut f).clone();
        assert_eq!(p.len(), n + 3);
        assert_eq!(p[n].table.as_deref(), Some("t"));
        assert_eq!(p[n].permissions, ["SELECT", "DESCRIBE"]);
        assert!(p[n + 1].table.is_none() && !p[n + 1].table_wildcard);
        assert!(p[n + 2].table_wildcard);
        ok(&mut f, lf(false, &["SELECT", "DESCRIBE"], table.clone()));
        assert_eq!(lf_permissions(&mut f).len(), n + 2);
        assert!(err(&mut f, lf(false, &["SELECT"], table)).contains("holds no grant"));
        let e = err(&mut f, lf(true, &["DESCRIBE"], json!({"LFTagPolicy": {}})));
        assert!(e.contains("not in the facts model"), "{e}");
    }

    #[test]
    fn lake_formation_settings_registrations_identity_center_and_opt_ins() {
        let mut f = healthy();
        ok(
            &mut f,
            Action::PutDataLakeSettings {
                region: R.into(),
                catalog_id: ACCOUNT.into(),
                data_lake_settings: json!({"DataLakeAdmins": [{"DataLakePrincipalIdentifier": "arn:a"}], "ReadOnlyAdmins": [], "CreateTableDefaultPermissions": []}),
            },
        );
        assert_eq!(
            f.lake_formation.settings.known().unwrap().data_lake_admins,
            ["arn:a"]
        );
        let arn = "arn:aws:s3:::data-lake-111122223333/flightdata";
        assert!(err(&mut f, register(arn.into(), "arn:x".into())).contains("already registered"));
        ok(
            &mut f,
            Action::DeregisterResource {
                region: R.into(),
                resource_arn: arn.into(),
            },
        );
        assert!(
            err(
                &mut f,
                Action::DeregisterResource {
                    region: R.into(),
                    resource_arn: arn.into()
                }
            )
            .contains("not registered")
        );
        let role = format!("arn:aws:iam::{ACCOUNT}:role/LakeFormationTipRole");
        ok(&mut f, register(arn.into(), role));
        let r = f
            .lake_formation
            .resources
            .known()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(r.verification_status, Some(VerificationStatus::Verified));
        ok(
            &mut f,
            register(
                "arn:aws:s3:::other".into(),
                "arn:aws:iam::1:role/Missing".into(),
            ),
        );
        let r = f
            .lake_formation
            .resources
            .known()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(
            r.verification_status,
            Some(VerificationStatus::VerificationFailed)
        );
        let create = Action::CreateLakeFormationIdentityCenterConfiguration {
            region: R.into(),
            catalog_id: ACCOUNT.into(),
            instance_arn: INSTANCE.into(),
        };
        assert!(err(&mut f, create.clone()).contains("already has"));
        ok(
            &mut f,
            Action::DeleteLakeFormationIdentityCenterConfiguration {
                region: R.into(),
                catalog_id: ACCOUNT.into(),
            },
        );
        assert_eq!(f.lake_formation.identity_center, Fact::Known(None));
        ok(&mut f, create);
        let Fact::Known(Some(c)) = &f.lake_formation.identity_center else {
            panic!()
        };
        let app = c.application_arn.clone().unwrap();
        assert_eq!(f.applications[&app].assignment_required, Fact::Known(false));
        let opt_in = Action::CreateLakeFormationOptIn {
            region: R.into(),
            principal: "arn:p".into(),
            resource: json!({"Table": {"DatabaseName": "db", "Name": "t"}}),
        };
        ok(&mut f, opt_in.clone());
        ok(&mut f, opt_in);
        assert_eq!(f.lake_formation.opt_ins.known().unwrap().len(), 1);
    }

    #[test]
    fn identity_center_instances_regions_and_assignments() {
        let mut f = healthy();
        assert!(err(&mut f, Action::CreateInstance { region: R.into() }).contains("exists"));
        ok(
            &mut f,
            Action::AddRegion {
                region: R.into(),
                instance_arn: INSTANCE.into(),
                region_name: "us-east-1".into(),
            },
        );
        let i = f.identity_center_instances.known().unwrap()[0].clone();
        assert!(i.regions.iter().any(|r| r.region_name == "us-east-1"));
        assert!(
            err(
                &mut f,
                Action::AddRegion {
                    region: R.into(),
                    instance_arn: INSTANCE.into(),
                    region_name: "us-east-1".into()
                }
            )
            .contains("already")
        );
        // Instance calls go to the instance's primary region.
        f.target.region = "eu-west-1".into();
        ok(
            &mut f,
            Action::AddRegion {
                region: R.into(),
                instance_arn: INSTANCE.into(),
                region_name: "eu-west-1".into(),
            },
        );
        let e = err(
            &mut f,
            Action::UpdateInstance {
                region: "eu-west-1".into(),
                instance_arn: INSTANCE.into(),
                encryption_configuration: json!({"KeyType": "AWS_OWNED_KMS_KEY"}),
            },
        );
        assert!(e.contains("primary region is ap-northeast-1"), "{e}");
        f.target.region = R.into();
        ok(
            &mut f,
            Action::DeleteInstance {
                region: R.into(),
                instance_arn: INSTANCE.into(),
            },
        );
        ok(&mut f, Action::CreateInstance { region: R.into() });
        let i = f.identity_center_instances.known().unwrap()[0].clone();
        assert!(i.instance_arn.starts_with("arn:aws:sso:::instance/ssoins-"));
        let update = |key: &str| Action::UpdateInstance {
            region: R.into(),
            instance_arn: i.instance_arn.clone(),
            encryption_configuration: json!({"KeyType": key, "KmsKeyArn": "arn:aws:kms:r:1:key/mrk-1"}),
        };
        ok(&mut f, update("CUSTOMER_MANAGED_KEY"));
        let now = f.identity_center_instances.known().unwrap()[0]
            .key_type
            .clone();
        assert_eq!(now, Fact::Known(Some(KeyType::CustomerManaged)));
        assert_eq!(i.status, Some(InstanceStatus::Active));

        let mut f = healthy();
        let app = idc_wg(&mut f)
            .identity_center_application_arn
            .clone()
            .unwrap();
        ok(
            &mut f,
            Action::PutApplicationAssignmentConfiguration {
                region: R.into(),
                application_arn: app.clone(),
                assignment_required: false,
            },
        );
        assert_eq!(f.applications[&app].assignment_required, Fact::Known(false));
        let assign = Action::CreateApplicationAssignment {
            region: R.into(),
            application_arn: app.clone(),
            principal_id: "u-2".into(),
            principal_type: "USER".into(),
        };
        ok(&mut f, assign.clone());
        ok(&mut f, assign);
        assert_eq!(f.applications[&app].assignments.known().unwrap().len(), 2);
        let e = err(
            &mut f,
            Action::CreateApplicationAssignment {
                region: R.into(),
                application_arn: "arn:nope".into(),
                principal_id: "u".into(),
                principal_type: "USER".into(),
            },
        );
        assert!(e.contains("do not hold application"), "{e}");
    }

    #[test]
    fn placeholders_and_unknown_facts_are_refused() {
        let mut f = healthy();
        let e = err(
            &mut f,
            Action::CreateBucket {
                region: R.into(),
                bucket: "<RESULTS_BUCKET>".into(),
            },
        );
        assert!(e.contains("<RESULTS_BUCKET>"), "{e}");
        f.caller = Fact::Unknown(Unknown::not_collected());
        let e = err(
            &mut f,
            Action::CreateRole {
                role_name: "X".into(),
                path: None,
                assume_role_policy_document: doc("a:b"),
            },
        );
        assert!(e.contains("account id"), "{e}");
    }

    #[test]
    fn a_session_mapping_makes_es008_pass() {
        // A check judged before and after one action: the model is what the checks read.
        let mut f = healthy();
        let s = studio(&mut f);
        let id = s.studio_id.clone();
        s.session_mappings = Fact::Known(vec![]);
        assert_ne!(only("ES008", &f).status, Status::Pass);
        ok(
            &mut f,
            Action::CreateStudioSessionMapping {
                region: R.into(),
                studio_id: id,
                identity_type: "GROUP".into(),
                identity_id: "e7b4d8a8-6041-7011-9c2d-0a1b2c3d4e5f".into(),
                session_policy_arn: format!(
                    "arn:aws:iam::{ACCOUNT}:policy/EMRStudio-SessionPolicy"
                ),
            },
        );
        assert_eq!(only("ES008", &f).status, Status::Pass);
    }
}
