//! A fix as data: one [`Action`] per AWS call it takes, named after the API
//! operation, with the operation's own parameters. The report's CLI commands,
//! the plan script and the simulation are all derived from these, so they can
//! never disagree.
//!
//! A string field may hold a `<NAME>` placeholder: a value a person must supply
//! (see [`crate::fix::inputs`]). JSON documents are kept as JSON.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One AWS API call a fix makes. Serialized with `"action": "<service>:<Operation>"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "action", deny_unknown_fields)]
pub enum Action {
    #[serde(rename = "iam:CreateRole")]
    CreateRole {
        role_name: String,
        /// `/path/` (IAM's default `/` when absent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        path: Option<String>,
        assume_role_policy_document: Value,
    },
    #[serde(rename = "iam:UpdateAssumeRolePolicy")]
    UpdateAssumeRolePolicy {
        role_name: String,
        policy_document: Value,
    },
    #[serde(rename = "iam:PutRolePolicy")]
    PutRolePolicy {
        role_name: String,
        policy_name: String,
        policy_document: Value,
    },
    #[serde(rename = "iam:AttachRolePolicy")]
    AttachRolePolicy {
        role_name: String,
        policy_arn: String,
    },
    #[serde(rename = "iam:CreatePolicy")]
    CreatePolicy {
        policy_name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        path: Option<String>,
        policy_document: Value,
    },
    #[serde(rename = "iam:CreatePolicyVersion")]
    CreatePolicyVersion {
        policy_arn: String,
        policy_document: Value,
        set_as_default: bool,
    },
    /// A Studio with Identity Center authentication, trusted identity
    /// propagation and user assignment required.
    #[serde(rename = "emr:CreateStudio")]
    CreateStudio {
        region: String,
        name: String,
        vpc_id: String,
        subnet_ids: Vec<String>,
        service_role: String,
        user_role: String,
        workspace_security_group_id: String,
        engine_security_group_id: String,
        default_s3_location: String,
        idc_instance_arn: String,
    },
    #[serde(rename = "emr:DeleteStudio")]
    DeleteStudio { region: String, studio_id: String },
    #[serde(rename = "emr:UpdateStudio")]
    UpdateStudio {
        region: String,
        studio_id: String,
        default_s3_location: String,
    },
    #[serde(rename = "emr:CreateStudioSessionMapping")]
    CreateStudioSessionMapping {
        region: String,
        studio_id: String,
        /// `USER` or `GROUP`.
        identity_type: String,
        identity_id: String,
        session_policy_arn: String,
    },
    #[serde(rename = "emr:UpdateStudioSessionMapping")]
    UpdateStudioSessionMapping {
        region: String,
        studio_id: String,
        identity_type: String,
        identity_id: String,
        session_policy_arn: String,
    },
    #[serde(rename = "athena:CreateWorkGroup")]
    CreateWorkGroup {
        region: String,
        name: String,
        configuration: Value,
    },
    /// `configuration_updates` and/or `state`.
    #[serde(rename = "athena:UpdateWorkGroup")]
    UpdateWorkGroup {
        region: String,
        work_group: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        configuration_updates: Option<Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        state: Option<String>,
    },
    #[serde(rename = "s3:CreateBucket")]
    CreateBucket { region: String, bucket: String },
    #[serde(rename = "s3control:CreateAccessGrantsInstance")]
    CreateAccessGrantsInstance {
        region: String,
        account_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        identity_center_arn: Option<String>,
    },
    #[serde(rename = "s3control:AssociateAccessGrantsIdentityCenter")]
    AssociateAccessGrantsIdentityCenter {
        region: String,
        account_id: String,
        identity_center_arn: String,
    },
    #[serde(rename = "s3control:DissociateAccessGrantsIdentityCenter")]
    DissociateAccessGrantsIdentityCenter { region: String, account_id: String },
    #[serde(rename = "s3control:CreateAccessGrantsLocation")]
    CreateAccessGrantsLocation {
        region: String,
        account_id: String,
        location_scope: String,
        iam_role_arn: String,
    },
    #[serde(rename = "s3control:UpdateAccessGrantsLocation")]
    UpdateAccessGrantsLocation {
        region: String,
        account_id: String,
        access_grants_location_id: String,
        iam_role_arn: String,
    },
    #[serde(rename = "s3control:CreateAccessGrant")]
    CreateAccessGrant {
        region: String,
        account_id: String,
        /// A location id, or `default` for the location `s3://`.
        access_grants_location_id: String,
        s3_sub_prefix: String,
        /// `IAM`, `DIRECTORY_USER` or `DIRECTORY_GROUP`.
        grantee_type: String,
        grantee_identifier: String,
        /// `READ`, `WRITE` or `READWRITE`.
        permission: String,
    },
    /// `resource` is Lake Formation's `Resource` structure.
    #[serde(rename = "lakeformation:GrantPermissions")]
    GrantPermissions {
        region: String,
        catalog_id: String,
        principal: String,
        permissions: Vec<String>,
        resource: Value,
    },
    #[serde(rename = "lakeformation:RevokePermissions")]
    RevokePermissions {
        region: String,
        catalog_id: String,
        principal: String,
        permissions: Vec<String>,
        resource: Value,
    },
    /// The whole `DataLakeSettings` structure: it replaces the current one.
    #[serde(rename = "lakeformation:PutDataLakeSettings")]
    PutDataLakeSettings {
        region: String,
        catalog_id: String,
        data_lake_settings: Value,
    },
    #[serde(rename = "lakeformation:RegisterResource")]
    RegisterResource {
        region: String,
        resource_arn: String,
        role_arn: String,
        /// `HybridAccessEnabled` (false when absent).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        hybrid_access_enabled: bool,
    },
    /// Set a registration's role again (Lake Formation checks the role when it
    /// is set).
    #[serde(rename = "lakeformation:UpdateResource")]
    UpdateResource {
        region: String,
        resource_arn: String,
        role_arn: String,
        /// `HybridAccessEnabled` (false when absent).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        hybrid_access_enabled: bool,
    },
    #[serde(rename = "lakeformation:DeregisterResource")]
    DeregisterResource {
        region: String,
        resource_arn: String,
    },
    #[serde(rename = "lakeformation:CreateLakeFormationIdentityCenterConfiguration")]
    CreateLakeFormationIdentityCenterConfiguration {
        region: String,
        catalog_id: String,
        instance_arn: String,
    },
    #[serde(rename = "lakeformation:DeleteLakeFormationIdentityCenterConfiguration")]
    DeleteLakeFormationIdentityCenterConfiguration { region: String, catalog_id: String },
    #[serde(rename = "lakeformation:CreateLakeFormationOptIn")]
    CreateLakeFormationOptIn {
        region: String,
        principal: String,
        resource: Value,
    },
    #[serde(rename = "sso:CreateInstance")]
    CreateInstance { region: String },
    #[serde(rename = "sso:DeleteInstance")]
    DeleteInstance {
        region: String,
        instance_arn: String,
    },
    /// Replicate an organization instance (called in its primary region).
    #[serde(rename = "sso:AddRegion")]
    AddRegion {
        region: String,
        instance_arn: String,
        region_name: String,
    },
    /// Set the instance's KMS key: `encryption_configuration` is the
    /// `EncryptionConfiguration` structure (`KeyType`, `KmsKeyArn`).
    #[serde(rename = "sso:UpdateInstance")]
    UpdateInstance {
        region: String,
        instance_arn: String,
        encryption_configuration: Value,
    },
    #[serde(rename = "sso:CreateApplicationAssignment")]
    CreateApplicationAssignment {
        region: String,
        application_arn: String,
        principal_id: String,
        /// `USER` or `GROUP`.
        principal_type: String,
    },
    #[serde(rename = "sso:PutApplicationAssignmentConfiguration")]
    PutApplicationAssignmentConfiguration {
        region: String,
        application_arn: String,
        assignment_required: bool,
    },
}

/// One argument of a CLI command.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// `--flag` alone.
    Flag,
    /// `--flag value`.
    Text(String),
    /// `--flag a b c`.
    Words(Vec<String>),
    /// `--flag '<json>'` (a file in a plan).
    Json(Value),
}

/// An AWS CLI command: `aws <service> <operation> --arg ...`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cmd {
    pub service: &'static str,
    pub operation: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

impl Cmd {
    fn new(service: &'static str, operation: &'static str) -> Cmd {
        Cmd {
            service,
            operation,
            args: Vec::new(),
        }
    }

    fn text(mut self, flag: &'static str, v: &str) -> Cmd {
        self.args.push((flag, Arg::Text(v.to_string())));
        self
    }

    fn opt(self, flag: &'static str, v: &Option<String>) -> Cmd {
        match v {
            Some(v) => self.text(flag, v),
            None => self,
        }
    }

    fn flag(mut self, flag: &'static str) -> Cmd {
        self.args.push((flag, Arg::Flag));
        self
    }

    fn words(mut self, flag: &'static str, v: &[String]) -> Cmd {
        self.args.push((flag, Arg::Words(v.to_vec())));
        self
    }

    fn json(mut self, flag: &'static str, v: &Value) -> Cmd {
        self.args.push((flag, Arg::Json(v.clone())));
        self
    }

    fn region(self, region: &str) -> Cmd {
        self.text("--region", region)
    }
}

impl Action {
    /// The AWS CLI command that makes this call.
    pub fn command(&self) -> Cmd {
        use Action::*;
        match self {
            CreateRole {
                role_name,
                path,
                assume_role_policy_document,
            } => Cmd::new("iam", "create-role")
                .text("--role-name", role_name)
                .opt("--path", path)
                .json("--assume-role-policy-document", assume_role_policy_document),
            UpdateAssumeRolePolicy {
                role_name,
                policy_document,
            } => Cmd::new("iam", "update-assume-role-policy")
                .text("--role-name", role_name)
                .json("--policy-document", policy_document),
            PutRolePolicy {
                role_name,
                policy_name,
                policy_document,
            } => Cmd::new("iam", "put-role-policy")
                .text("--role-name", role_name)
                .text("--policy-name", policy_name)
                .json("--policy-document", policy_document),
            AttachRolePolicy {
                role_name,
                policy_arn,
            } => Cmd::new("iam", "attach-role-policy")
                .text("--role-name", role_name)
                .text("--policy-arn", policy_arn),
            CreatePolicy {
                policy_name,
                path,
                policy_document,
            } => Cmd::new("iam", "create-policy")
                .text("--policy-name", policy_name)
                .opt("--path", path)
                .json("--policy-document", policy_document),
            CreatePolicyVersion {
                policy_arn,
                policy_document,
                set_as_default,
            } => {
                let c = Cmd::new("iam", "create-policy-version").text("--policy-arn", policy_arn);
                let c = if *set_as_default {
                    c.flag("--set-as-default")
                } else {
                    c
                };
                c.json("--policy-document", policy_document)
            }
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
            } => Cmd::new("emr", "create-studio")
                .region(region)
                .text("--name", name)
                .text("--auth-mode", "SSO")
                .text("--vpc-id", vpc_id)
                .words("--subnet-ids", subnet_ids)
                .text("--service-role", service_role)
                .text("--user-role", user_role)
                .text("--workspace-security-group-id", workspace_security_group_id)
                .text("--engine-security-group-id", engine_security_group_id)
                .text("--default-s3-location", default_s3_location)
                .flag("--trusted-identity-propagation-enabled")
                .text("--idc-user-assignment", "REQUIRED")
                .text("--idc-instance-arn", idc_instance_arn),
            DeleteStudio { region, studio_id } => Cmd::new("emr", "delete-studio")
                .region(region)
                .text("--studio-id", studio_id),
            UpdateStudio {
                region,
                studio_id,
                default_s3_location,
            } => Cmd::new("emr", "update-studio")
                .region(region)
                .text("--studio-id", studio_id)
                .text("--default-s3-location", default_s3_location),
            CreateStudioSessionMapping {
                region,
                studio_id,
                identity_type,
                identity_id,
                session_policy_arn,
            } => session_mapping(
                "create-studio-session-mapping",
                region,
                studio_id,
                identity_type,
                identity_id,
                session_policy_arn,
            ),
            UpdateStudioSessionMapping {
                region,
                studio_id,
                identity_type,
                identity_id,
                session_policy_arn,
            } => session_mapping(
                "update-studio-session-mapping",
                region,
                studio_id,
                identity_type,
                identity_id,
                session_policy_arn,
            ),
            CreateWorkGroup {
                region,
                name,
                configuration,
            } => Cmd::new("athena", "create-work-group")
                .region(region)
                .text("--name", name)
                .json("--configuration", configuration),
            UpdateWorkGroup {
                region,
                work_group,
                configuration_updates,
                state,
            } => {
                let c = Cmd::new("athena", "update-work-group")
                    .region(region)
                    .text("--work-group", work_group);
                let c = match configuration_updates {
                    Some(u) => c.json("--configuration-updates", u),
                    None => c,
                };
                c.opt("--state", state)
            }
            CreateBucket { region, bucket } => {
                let c = Cmd::new("s3api", "create-bucket")
                    .region(region)
                    .text("--bucket", bucket);
                // us-east-1 takes no location constraint (CreateBucketConfiguration).
                if region == "us-east-1" {
                    c
                } else {
                    c.text(
                        "--create-bucket-configuration",
                        &format!("LocationConstraint={region}"),
                    )
                }
            }
            CreateAccessGrantsInstance {
                region,
                account_id,
                identity_center_arn,
            } => Cmd::new("s3control", "create-access-grants-instance")
                .region(region)
                .text("--account-id", account_id)
                .opt("--identity-center-arn", identity_center_arn),
            AssociateAccessGrantsIdentityCenter {
                region,
                account_id,
                identity_center_arn,
            } => Cmd::new("s3control", "associate-access-grants-identity-center")
                .region(region)
                .text("--account-id", account_id)
                .text("--identity-center-arn", identity_center_arn),
            DissociateAccessGrantsIdentityCenter { region, account_id } => {
                Cmd::new("s3control", "dissociate-access-grants-identity-center")
                    .region(region)
                    .text("--account-id", account_id)
            }
            CreateAccessGrantsLocation {
                region,
                account_id,
                location_scope,
                iam_role_arn,
            } => Cmd::new("s3control", "create-access-grants-location")
                .region(region)
                .text("--account-id", account_id)
                .text("--location-scope", location_scope)
                .text("--iam-role-arn", iam_role_arn),
            UpdateAccessGrantsLocation {
                region,
                account_id,
                access_grants_location_id,
                iam_role_arn,
            } => Cmd::new("s3control", "update-access-grants-location")
                .region(region)
                .text("--account-id", account_id)
                .text("--access-grants-location-id", access_grants_location_id)
                .text("--iam-role-arn", iam_role_arn),
            CreateAccessGrant {
                region,
                account_id,
                access_grants_location_id,
                s3_sub_prefix,
                grantee_type,
                grantee_identifier,
                permission,
            } => Cmd::new("s3control", "create-access-grant")
                .region(region)
                .text("--account-id", account_id)
                .text("--access-grants-location-id", access_grants_location_id)
                .text(
                    "--access-grants-location-configuration",
                    &format!("S3SubPrefix={s3_sub_prefix}"),
                )
                .text(
                    "--grantee",
                    &format!("GranteeType={grantee_type},GranteeIdentifier={grantee_identifier}"),
                )
                .text("--permission", permission),
            GrantPermissions {
                region,
                catalog_id,
                principal,
                permissions,
                resource,
            } => lf_permissions(
                "grant-permissions",
                region,
                catalog_id,
                principal,
                permissions,
                resource,
            ),
            RevokePermissions {
                region,
                catalog_id,
                principal,
                permissions,
                resource,
            } => lf_permissions(
                "revoke-permissions",
                region,
                catalog_id,
                principal,
                permissions,
                resource,
            ),
            PutDataLakeSettings {
                region,
                catalog_id,
                data_lake_settings,
            } => Cmd::new("lakeformation", "put-data-lake-settings")
                .region(region)
                .text("--catalog-id", catalog_id)
                .json("--data-lake-settings", data_lake_settings),
            RegisterResource {
                region,
                resource_arn,
                role_arn,
                hybrid_access_enabled,
            } => registration(
                Cmd::new("lakeformation", "register-resource")
                    .region(region)
                    .text("--resource-arn", resource_arn)
                    .text("--role-arn", role_arn),
                *hybrid_access_enabled,
            ),
            UpdateResource {
                region,
                resource_arn,
                role_arn,
                hybrid_access_enabled,
            } => registration(
                Cmd::new("lakeformation", "update-resource")
                    .region(region)
                    .text("--role-arn", role_arn)
                    .text("--resource-arn", resource_arn),
                *hybrid_access_enabled,
            ),
            DeregisterResource {
                region,
                resource_arn,
            } => Cmd::new("lakeformation", "deregister-resource")
                .region(region)
                .text("--resource-arn", resource_arn),
            CreateLakeFormationIdentityCenterConfiguration {
                region,
                catalog_id,
                instance_arn,
            } => Cmd::new(
                "lakeformation",
                "create-lake-formation-identity-center-configuration",
            )
            .region(region)
            .text("--catalog-id", catalog_id)
            .text("--instance-arn", instance_arn),
            DeleteLakeFormationIdentityCenterConfiguration { region, catalog_id } => Cmd::new(
                "lakeformation",
                "delete-lake-formation-identity-center-configuration",
            )
            .region(region)
            .text("--catalog-id", catalog_id),
            CreateLakeFormationOptIn {
                region,
                principal,
                resource,
            } => Cmd::new("lakeformation", "create-lake-formation-opt-in")
                .region(region)
                .text(
                    "--principal",
                    &format!("DataLakePrincipalIdentifier={principal}"),
                )
                .json("--resource", resource),
            CreateInstance { region } => Cmd::new("sso-admin", "create-instance").region(region),
            DeleteInstance {
                region,
                instance_arn,
            } => Cmd::new("sso-admin", "delete-instance")
                .region(region)
                .text("--instance-arn", instance_arn),
            AddRegion {
                region,
                instance_arn,
                region_name,
            } => Cmd::new("sso-admin", "add-region")
                .region(region)
                .text("--instance-arn", instance_arn)
                .text("--region-name", region_name),
            UpdateInstance {
                region,
                instance_arn,
                encryption_configuration,
            } => Cmd::new("sso-admin", "update-instance")
                .region(region)
                .text("--instance-arn", instance_arn)
                .json("--encryption-configuration", encryption_configuration),
            CreateApplicationAssignment {
                region,
                application_arn,
                principal_id,
                principal_type,
            } => Cmd::new("sso-admin", "create-application-assignment")
                .region(region)
                .text("--application-arn", application_arn)
                .text("--principal-id", principal_id)
                .text("--principal-type", principal_type),
            PutApplicationAssignmentConfiguration {
                region,
                application_arn,
                assignment_required,
            } => Cmd::new("sso-admin", "put-application-assignment-configuration")
                .region(region)
                .text("--application-arn", application_arn)
                .flag(if *assignment_required {
                    "--assignment-required"
                } else {
                    "--no-assignment-required"
                }),
        }
    }

    /// The `<service>:<Operation>` name (service as the AWS CLI names it).
    pub fn name(&self) -> String {
        match serde_json::to_value(self) {
            Ok(Value::Object(m)) => m
                .get("action")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            _ => String::new(),
        }
    }
}

/// A registration command, in hybrid access mode when asked.
fn registration(c: Cmd, hybrid_access_enabled: bool) -> Cmd {
    if hybrid_access_enabled {
        c.flag("--hybrid-access-enabled")
    } else {
        c
    }
}

fn session_mapping(
    operation: &'static str,
    region: &str,
    studio_id: &str,
    identity_type: &str,
    identity_id: &str,
    session_policy_arn: &str,
) -> Cmd {
    Cmd::new("emr", operation)
        .region(region)
        .text("--studio-id", studio_id)
        .text("--identity-type", identity_type)
        .text("--identity-id", identity_id)
        .text("--session-policy-arn", session_policy_arn)
}

fn lf_permissions(
    operation: &'static str,
    region: &str,
    catalog_id: &str,
    principal: &str,
    permissions: &[String],
    resource: &Value,
) -> Cmd {
    Cmd::new("lakeformation", operation)
        .region(region)
        .text("--catalog-id", catalog_id)
        .text(
            "--principal",
            &format!("DataLakePrincipalIdentifier={principal}"),
        )
        .words("--permissions", permissions)
        .json("--resource", resource)
}
