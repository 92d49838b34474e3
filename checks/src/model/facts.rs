//! The facts model: everything the checks know about an account, and nothing else.
//!
//! Facts are the only contract between the collectors (which read AWS) and the
//! checks (which judge). They serialize to the documented, versioned facts file
//! (`--save-facts` / `--facts`). Field names follow the AWS API fields they come
//! from, in snake_case. Every value that comes from a call that can fail is a
//! [`Fact`]; a fact that was not collected is absent from the file.

use crate::fact::{Fact, Unknown, not_collected};
use crate::modes::{
    AuthMode, EncryptionOption, GrantPermission, GranteeType, IdentityType, InstanceStatus,
    KeyType, RegionStatus, UserAssignment, UserStatus, VerificationStatus, WorkGroupState,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The version of the facts file format. Bump on incompatible change.
pub const FACTS_VERSION: u32 = 1;

/// The largest facts file read (32 MiB): an account with tens of thousands of
/// grants and assignments saves to a few MiB; anything larger is refused, not read.
pub const MAX_FACTS_BYTES: u64 = 32 << 20;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    pub facts_version: u32,
    /// The question the run asked: region and the optional narrowing flags.
    pub target: Target,
    /// `sts:GetCallerIdentity`.
    #[serde(default, skip_serializing_if = "not_collected")]
    pub caller: Fact<Caller>,
    /// `sso:ListInstances` in the target region.
    #[serde(default, skip_serializing_if = "not_collected")]
    pub identity_center_instances: Fact<Vec<IdcInstance>>,
    /// One entry per `--user`: the Identity Store lookup and the user's groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<UserFacts>,
    /// The identity store every `--user` was looked up in: that of the Identity
    /// Center instance the Studio, workgroup, Lake Formation and S3 Access Grants
    /// use (`Ctx::idc_instance`). Absent when no user was looked up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users_identity_store_id: Option<String>,
    /// `identitystore:ListUsers` in that store, read only when a `--user` was not
    /// found: the `UserName`s of the first page (at most 100), sorted, to suggest
    /// the closest one.
    #[serde(default, skip_serializing_if = "not_collected")]
    pub store_user_names: Fact<Vec<String>>,
    /// `elasticmapreduce:ListStudios` + `DescribeStudio` for each Studio checked.
    #[serde(default, skip_serializing_if = "not_collected")]
    pub studios: Fact<Vec<Studio>>,
    /// `athena:ListWorkGroups` + `GetWorkGroup` for each workgroup a check judges:
    /// `--workgroup`, else the Identity-Center-enabled ones; regular workgroups
    /// beside those keep only their listing (name, state). With no
    /// Identity-Center-enabled workgroup, every workgroup is described.
    #[serde(default, skip_serializing_if = "not_collected")]
    pub workgroups: Fact<Vec<WorkGroup>>,
    /// Identity Center applications (workgroup and Studio applications) by ARN.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub applications: BTreeMap<String, Application>,
    /// IAM roles by role name. `null` means IAM answered NoSuchEntity.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub roles: BTreeMap<String, Fact<Option<Role>>>,
    /// S3 Access Grants in the target region.
    #[serde(default, skip_serializing_if = "AccessGrants::is_empty")]
    pub access_grants: AccessGrants,
    /// `s3:GetBucketLocation` of each target workgroup's results bucket, by bucket
    /// name, sent with `ExpectedBucketOwner` = the caller's account: a known
    /// bucket is owned by that account (S3 answers 403 AccessDenied for a bucket
    /// owned elsewhere). `null`: no such bucket (NoSuchBucket).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub buckets: BTreeMap<String, Fact<Option<Bucket>>>,
    /// `iam:GetPolicy` for managed policies named by session mappings, by ARN:
    /// whether the policy exists.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub managed_policies: BTreeMap<String, Fact<bool>>,
    /// `iam:GetPolicy` + `GetPolicyVersion` for the same session policies, by ARN:
    /// the default version's document, URL-decoded and parsed. `null`: no such
    /// policy. Absent from files saved before it was collected.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub session_policies: BTreeMap<String, Fact<Option<Value>>>,
    /// Lake Formation in the target region.
    #[serde(default, skip_serializing_if = "LakeFormation::is_empty")]
    pub lake_formation: LakeFormation,
    /// `glue:GetTable` for each `--table`, by `db.table`. `null`: no such table.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tables: BTreeMap<String, Fact<Option<Table>>>,
    /// `glue:GetTables` (names only, first page of at most 100, sorted) of the
    /// database of each `--table` that `GetTable` did not find, by database name.
    /// `null`: no such database.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub table_names: BTreeMap<String, Fact<Option<Vec<String>>>>,
    /// `organizations:DescribeOrganization` in the target account. `null`: the
    /// account is not in an organization (AWSOrganizationsNotInUseException).
    #[serde(default, skip_serializing_if = "not_collected")]
    pub organization: Fact<Option<Organization>>,
    /// Where the Identity Center facts (instances, users, groups, applications,
    /// assignments) were read when not in the target account
    /// (`--identity-center-profile` / `--identity-center-role-arn`). Absent: read
    /// in the target account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_center_source: Option<IdcSource>,
}

/// `organizations:DescribeOrganization` → `Organization`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// `Id`, e.g. `o-exampleorgid`.
    pub id: String,
    /// `MasterAccountId`: the organization's management account.
    pub management_account_id: String,
}

/// The account the Identity Center facts were read from, when not the target's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdcSource {
    /// `sts:GetCallerIdentity` of the Identity Center credentials.
    pub account_id: String,
    /// `organizations:DescribeOrganization` from that account (`null`: none).
    #[serde(default, skip_serializing_if = "not_collected")]
    pub organization: Fact<Option<Organization>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The account asked for (`--accounts`, `--organization`). None: the account
    /// of the credentials used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    pub region: String,
    /// `--studio`: a Studio id or name. None: every Studio in the region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub studio: Option<String>,
    /// `--workgroup`. None: every Identity-Center-enabled workgroup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workgroup: Option<String>,
    /// `--user`: Identity Center user names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
    /// `--table`: Glue tables as `database.table`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Caller {
    pub account_id: String,
    pub arn: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdcInstance {
    pub instance_arn: String,
    pub identity_store_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `ACTIVE`, `CREATE_IN_PROGRESS`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<InstanceStatus>,
    /// The instance's primary region (multi-Region instances).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_region: Option<String>,
    /// The regions the instance is replicated to, primary included.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<IdcRegion>,
    /// `sso:DescribeInstance` → `EncryptionConfigurationDetails.KeyType`
    /// (`AWS_OWNED_KMS_KEY` or `CUSTOMER_MANAGED_KEY`).
    #[serde(default, skip_serializing_if = "not_collected")]
    pub key_type: Fact<Option<KeyType>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdcRegion {
    pub region_name: String,
    /// `ACTIVE`, `ADDING` or `REMOVING`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<RegionStatus>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserFacts {
    /// The user name as given on the command line.
    pub user_name: String,
    /// `identitystore:GetUserId` (+ `DescribeUser`). `null`: no such user.
    #[serde(default, skip_serializing_if = "not_collected")]
    pub user: Fact<Option<IdcUser>>,
    /// `identitystore:ListGroupMembershipsForMember` (+ `DescribeGroup` for names).
    #[serde(default, skip_serializing_if = "not_collected")]
    pub groups: Fact<Vec<IdcGroup>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdcUser {
    pub user_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `ENABLED` or `DISABLED`, when the store reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<UserStatus>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdcGroup {
    pub group_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Studio {
    pub studio_id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub studio_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `SSO` or `IAM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_mode: Option<AuthMode>,
    /// As DescribeStudio returns it: a role name or an ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idc_instance_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_identity_propagation_enabled: Option<bool>,
    /// `REQUIRED` or `OPTIONAL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idc_user_assignment: Option<UserAssignment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_s3_location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_key_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnet_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_security_group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_security_group_id: Option<String>,
    /// `elasticmapreduce:ListStudioSessionMappings`.
    #[serde(default, skip_serializing_if = "not_collected")]
    pub session_mappings: Fact<Vec<SessionMapping>>,
    /// `DescribeStudio` failed for this Studio: only what `ListStudios` returns
    /// (id, name, URL, authentication mode, VPC) is known, and the checks that
    /// judge the rest of it end in `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<Unknown>,
    /// The Studio's Identity Center application: `sso:ListApplications` on the
    /// Studio's instance (this account's applications), the one whose
    /// `PortalOptions.SignInOptions.ApplicationUrl` is the Studio's `Url`
    /// (DescribeStudio names no application). `null`: none matched.
    #[serde(default, skip_serializing_if = "not_collected")]
    pub application_arn: Fact<Option<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionMapping {
    pub identity_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_name: Option<String>,
    /// `USER` or `GROUP`.
    pub identity_type: IdentityType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_policy_arn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkGroup {
    pub name: String,
    /// `ENABLED` or `DISABLED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<WorkGroupState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_center_application_arn: Option<String>,
    /// `Configuration.IdentityCenterConfiguration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_identity_center: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_center_instance_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_role: Option<String>,
    /// `Configuration.ResultConfiguration.OutputLocation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_location: Option<String>,
    /// `SSE_S3`, `SSE_KMS` or `CSE_KMS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_option: Option<EncryptionOption>,
    /// `Configuration.ResultConfiguration.ExpectedBucketOwner`: the account Athena
    /// requires to own the results bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_bucket_owner: Option<String>,
    /// `Configuration.ManagedQueryResultsConfiguration.Enabled`: results are kept
    /// in Athena-owned storage (such a workgroup has no `OutputLocation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_query_results: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforce_workgroup_configuration: Option<bool>,
    /// `Configuration.QueryResultsS3AccessGrantsConfiguration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_access_grants: Option<ResultsAccessGrants>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_engine_version: Option<String>,
    /// `GetWorkGroup` failed for this workgroup: only what `ListWorkGroups`
    /// returns (name, state, Identity Center application) is known, and the checks
    /// that judge the rest of it end in `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<Unknown>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultsAccessGrants {
    pub enable_s3_access_grants: bool,
    #[serde(default)]
    pub create_user_level_prefix: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_type: Option<String>,
}

/// An Identity Center application (`sso:GetApplicationAssignmentConfiguration`,
/// `sso:ListApplicationAssignments`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Application {
    #[serde(default, skip_serializing_if = "not_collected")]
    pub assignment_required: Fact<bool>,
    #[serde(default, skip_serializing_if = "not_collected")]
    pub assignments: Fact<Vec<Assignment>>,
    /// Set when `assignments` was read per principal
    /// (`sso:ListApplicationAssignmentsForPrincipal`) for these principal ids only
    /// (the `--user`s and their groups): complete for them, silent on anyone else.
    /// Absent: `assignments` is every assignment (`sso:ListApplicationAssignments`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignments_of: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    pub principal_id: String,
    /// `USER` or `GROUP`.
    pub principal_type: IdentityType,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub role_name: String,
    pub arn: String,
    /// `AssumeRolePolicyDocument`, URL-decoded and parsed.
    pub trust_policy: Value,
    /// `iam:ListRolePolicies` + `GetRolePolicy`.
    #[serde(default, skip_serializing_if = "not_collected")]
    pub inline_policies: Fact<Vec<Policy>>,
    /// `iam:ListAttachedRolePolicies` + `GetPolicy` + `GetPolicyVersion`.
    #[serde(default, skip_serializing_if = "not_collected")]
    pub attached_policies: Fact<Vec<Policy>>,
    /// The permissions boundary's ARN and document, when one is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<Fact<Policy>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The inline policy name or the managed policy ARN.
    pub name: String,
    pub document: Value,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessGrants {
    /// `s3:GetAccessGrantsInstance`. `null`: no instance in the region.
    #[serde(default, skip_serializing_if = "not_collected")]
    pub instance: Fact<Option<AccessGrantsInstance>>,
    /// `s3:ListAccessGrantsLocations`.
    #[serde(default, skip_serializing_if = "not_collected")]
    pub locations: Fact<Vec<AccessGrantsLocation>>,
    /// `s3:ListAccessGrants`.
    #[serde(default, skip_serializing_if = "not_collected")]
    pub grants: Fact<Vec<AccessGrant>>,
}

impl AccessGrants {
    pub fn is_empty(&self) -> bool {
        !self.instance.is_collected()
            && !self.locations.is_collected()
            && !self.grants.is_collected()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessGrantsInstance {
    pub access_grants_instance_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_center_instance_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_center_application_arn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessGrantsLocation {
    pub access_grants_location_id: String,
    /// `s3://`, `s3://bucket` or `s3://bucket/prefix`.
    pub location_scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam_role_arn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessGrant {
    pub access_grant_id: String,
    /// `DIRECTORY_USER`, `DIRECTORY_GROUP` or `IAM`.
    pub grantee_type: GranteeType,
    pub grantee_identifier: String,
    /// `READ`, `WRITE` or `READWRITE`.
    pub permission: GrantPermission,
    pub access_grants_location_id: String,
    /// The full scope, e.g. `s3://bucket/prefix/*`.
    pub grant_scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_arn: Option<String>,
}

/// An S3 bucket the caller's account owns (`s3:GetBucketLocation`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    /// The bucket's region (`LocationConstraint`; an empty one is `us-east-1`,
    /// the legacy `EU` is `eu-west-1`).
    pub region: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LakeFormation {
    /// `lakeformation:DescribeLakeFormationIdentityCenterConfiguration`.
    /// `null`: no Identity Center configuration (EntityNotFoundException).
    #[serde(default, skip_serializing_if = "not_collected")]
    pub identity_center: Fact<Option<LfIdentityCenter>>,
    /// `lakeformation:GetDataLakeSettings`.
    #[serde(default, skip_serializing_if = "not_collected")]
    pub settings: Fact<DataLakeSettings>,
    /// `lakeformation:ListPermissions` on each `--table`, its table wildcard and its
    /// database (all principals).
    #[serde(default, skip_serializing_if = "not_collected")]
    pub permissions: Fact<Vec<LfPermission>>,
    /// `lakeformation:ListResources`: registered data locations.
    #[serde(default, skip_serializing_if = "not_collected")]
    pub resources: Fact<Vec<LfResource>>,
    /// `lakeformation:ListLakeFormationOptIns` (hybrid access mode).
    #[serde(default, skip_serializing_if = "not_collected")]
    pub opt_ins: Fact<Vec<LfOptIn>>,
    /// `lakeformation:ListPermissions` with `ResourceType` `LF_TAG_POLICY`: grants
    /// made through LF-Tag expressions (all principals).
    #[serde(default, skip_serializing_if = "not_collected")]
    pub tag_permissions: Fact<Vec<LfTagPermission>>,
    /// `lakeformation:GetResourceLFTags` on each `--table`, by `db.table`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub table_tags: BTreeMap<String, Fact<LfTableTags>>,
    /// `lakeformation:ListDataCellsFilter` on each `--table`, then `ListPermissions`
    /// on each filter: the grants on the tables' data cells filters.
    #[serde(default, skip_serializing_if = "not_collected")]
    pub filter_permissions: Fact<Vec<LfFilterPermission>>,
}

impl LakeFormation {
    pub fn is_empty(&self) -> bool {
        !self.identity_center.is_collected()
            && !self.settings.is_collected()
            && !self.permissions.is_collected()
            && !self.resources.is_collected()
            && !self.opt_ins.is_collected()
            && !self.tag_permissions.is_collected()
            && self.table_tags.is_empty()
            && !self.filter_permissions.is_collected()
    }
}

/// One LF-Tag (`LFTag` / `LFTagPair`): a key and its values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LfTag {
    pub key: String,
    pub values: Vec<String>,
}

/// One grant on an `LFTagPolicy` resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LfTagPermission {
    pub principal: String,
    /// `DATABASE` or `TABLE`: the kind of resource the expression selects.
    pub resource_type: String,
    /// The expression: every key must match one of its values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expression: Vec<LfTag>,
    /// A saved (named) LF-Tag expression the grant refers to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression_name: Option<String>,
    pub permissions: Vec<String>,
}

/// `GetResourceLFTags` on a table: the tags on its database, on the table, and on
/// its columns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LfTableTags {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub database: Vec<LfTag>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub table: Vec<LfTag>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<LfColumnTags>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LfColumnTags {
    pub name: String,
    pub tags: Vec<LfTag>,
}

/// One grant on a `DataCellsFilter` resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LfFilterPermission {
    pub principal: String,
    pub database: String,
    pub table: String,
    /// The data cells filter's name.
    pub filter: String,
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LfIdentityCenter {
    pub instance_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_arn: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataLakeSettings {
    /// `DataLakeAdmins[].DataLakePrincipalIdentifier`.
    #[serde(default)]
    pub data_lake_admins: Vec<String>,
    /// `ReadOnlyAdmins[].DataLakePrincipalIdentifier`.
    #[serde(default)]
    pub read_only_admins: Vec<String>,
    /// The whole `DataLakeSettings` structure as read, each field of the API
    /// model that was present: `PutDataLakeSettings` replaces it all, so a fix
    /// writes this back with its one change. Absent in older facts files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<Value>,
}

/// One `PrincipalResourcePermissions` entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LfPermission {
    /// `arn:aws:identitystore:::user/<id>`, `...group/<id>`, `IAM_ALLOWED_PRINCIPALS`, an IAM ARN.
    pub principal: String,
    pub database: String,
    /// The table name; `None` for a database-level grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// The grant is on every table of the database (`TableWildcard`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub table_wildcard: bool,
    /// `ALL`, `SELECT`, `DESCRIBE`, ...
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LfResource {
    /// `arn:aws:s3:::bucket/prefix`.
    pub resource_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default)]
    pub hybrid_access_enabled: bool,
    /// `VERIFIED`, `VERIFICATION_FAILED` or `NOT_VERIFIED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_status: Option<VerificationStatus>,
}

/// One `LakeFormationOptInsInfo` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LfOptIn {
    pub principal: String,
    pub database: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
}

/// `glue:GetTable`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// `StorageDescriptor.Location`, e.g. `s3://bucket/prefix/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

impl Facts {
    /// The target's account: the one asked for (`--accounts`, `--organization`),
    /// else the one the credentials read; `None` when neither is known.
    pub fn account_id(&self) -> Option<&str> {
        match (&self.target.account_id, &self.caller) {
            (Some(a), _) => Some(a),
            (None, Fact::Known(c)) => Some(&c.account_id),
            (None, Fact::Unknown(_)) => None,
        }
    }

    /// The target's account could not be reached: its audit role could not be
    /// assumed, so no fact was read.
    pub fn unreachable(&self) -> bool {
        matches!(&self.caller, Fact::Unknown(u) if u.action == "sts:AssumeRole")
    }

    /// Parse a facts file, with a one-line error on failure.
    pub fn from_json(text: &str) -> Result<Facts, String> {
        if text.len() as u64 > MAX_FACTS_BYTES {
            return Err(format!(
                "larger than {} MiB: not a facts file studio-doctor reads",
                MAX_FACTS_BYTES >> 20
            ));
        }
        // The version first (the rest skipped, not held), then the facts straight
        // from the text: a large file is never held as a JSON tree as well.
        #[derive(Deserialize)]
        struct Head {
            facts_version: Option<Value>,
        }
        let head: Head = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
        match head.facts_version.as_ref().and_then(Value::as_u64) {
            Some(v) if v == u64::from(FACTS_VERSION) => {}
            Some(v) => {
                return Err(format!(
                    "facts_version {v} is not supported (this studio-doctor reads version {FACTS_VERSION})"
                ));
            }
            None => return Err("missing \"facts_version\": not a studio-doctor facts file".into()),
        }
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    /// The role with this name (or ARN), as collected.
    pub fn role(&self, name_or_arn: &str) -> Option<&Fact<Option<Role>>> {
        self.roles.get(role_name(name_or_arn))
    }
}

/// The role name in a role name or ARN (`arn:aws:iam::1:role/path/name` -> `name`).
pub fn role_name(name_or_arn: &str) -> &str {
    if name_or_arn.starts_with("arn:") {
        name_or_arn.rsplit('/').next().unwrap_or(name_or_arn)
    } else {
        name_or_arn
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_come_out_of_arns() {
        assert_eq!(role_name("arn:aws:iam::1:role/service-role/X"), "X");
        assert_eq!(role_name("Plain"), "Plain");
    }

    #[test]
    fn version_is_checked() {
        assert!(
            Facts::from_json("{}")
                .unwrap_err()
                .contains("facts_version")
        );
        assert!(
            Facts::from_json(r#"{"facts_version": 9, "target": {"region": "x"}}"#)
                .unwrap_err()
                .contains("not supported")
        );
        assert!(
            Facts::from_json("nope")
                .unwrap_err()
                .starts_with("not valid JSON")
        );
        let f = Facts::from_json(r#"{"facts_version": 1, "target": {"region": "x"}}"#).unwrap();
        assert!(!f.studios.is_collected());
    }
}
