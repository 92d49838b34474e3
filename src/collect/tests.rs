//! Collector tests over mocked AWS (aws-smithy-mocks; wire-format bodies where the
//! protocol's error parsing matters).

use super::ops::{OPERATIONS, OpLog};
use super::run::Run;
use super::{config, read};
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_sts::config::{
    Credentials, Intercept, RuntimeComponents, SharedCredentialsProvider, SharedInterceptor,
};
use aws_sdk_sts::error::BoxError;
use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use studio_doctor_checks::facts::{Assignment, Target};
use studio_doctor_checks::modes::{
    AuthMode, EncryptionOption, GrantPermission, GranteeType, UserStatus, VerificationStatus,
};
use studio_doctor_checks::{Area, Fact, Facts, Need, UnknownKind};

const ACCOUNT: &str = "111122223333";
const APP: &str = "arn:aws:sso::111122223333:application/ssoins-1/apl-1";
const SHARED: &str = "arn:aws:iam::aws:policy/Shared";
const BOUNDARY: &str = "arn:aws:iam::111122223333:policy/Boundary";
const SESSION: &str = "arn:aws:iam::111122223333:policy/Session";
const TABLE: &str = "sales.orders";
const GROUP: &str = "arn:aws:identitystore:::group/g-1";
const USER: &str = "arn:aws:identitystore:::user/u-1";
const SLR: &str = "arn:aws:iam::111122223333:role/aws-service-role/lakeformation.amazonaws.com/AWSServiceRoleForLakeFormationDataAccess";

type Rules = Vec<(&'static str, Rule)>;

/// Records, per attempt, the SDK's own operation name and the request URI as sent
/// (`.0`), and the SDK's service name, operation name and the request body (`.1`).
#[derive(Debug, Clone, Default)]
struct Seen(
    Arc<Mutex<Vec<(String, String)>>>,
    Arc<Mutex<Vec<(String, String, String)>>>,
);

impl Intercept for Seen {
    fn name(&self) -> &'static str {
        "seen"
    }
    fn read_before_transmit(
        &self,
        ctx: &BeforeTransmitInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let op = cfg.load::<Metadata>().map(|m| m.name().to_string());
        let service = cfg.load::<Metadata>().map(|m| m.service().to_string());
        let uri = ctx.request().uri().to_string();
        let body = ctx.request().body().bytes().unwrap_or_default();
        let body = String::from_utf8_lossy(body).into_owned();
        self.0
            .lock()
            .unwrap()
            .push((op.clone().unwrap_or_default(), uri));
        self.1
            .lock()
            .unwrap()
            .push((service.unwrap_or_default(), op.unwrap_or_default(), body));
        Ok(())
    }
}

struct Harness {
    run: Arc<Run>,
    seen: Seen,
}

impl Harness {
    fn new(rules: &Rules) -> Harness {
        Harness::with(rules, None, Duration::from_secs(60))
    }

    fn with(rules: &Rules, endpoint: Option<&str>, limit: Duration) -> Harness {
        let mut sdk = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("ap-northeast-1"))
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "AKIDTEST",
                "SECRETTEST",
                None,
                None,
                "test",
            )))
            .http_client(create_mock_http_client())
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(3)
                    .with_initial_backoff(Duration::from_millis(1)),
            );
        if let Some(e) = endpoint {
            sdk = sdk.endpoint_url(e);
        }
        let seen = Seen::default();
        let log = OpLog::default();
        let clients = config::clients(&sdk.build(), &log, &|svc| {
            let mut m = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
            for (s, r) in rules {
                if *s == svc {
                    m = m.with_rule(r);
                }
            }
            vec![
                SharedInterceptor::new(m),
                SharedInterceptor::new(seen.clone()),
            ]
        });
        let run = Run::new(clients, log, tokio::time::Instant::now(), limit);
        Harness { run, seen }
    }

    async fn read(&self, needs: &[Need]) -> Facts {
        let target = Target {
            account_id: None,
            region: "ap-northeast-1".into(),
            users: vec!["alice".into()],
            tables: vec![TABLE.into()],
            ..Target::default()
        };
        let needs: BTreeSet<Need> = needs.iter().copied().collect();
        // Boxed: the whole read is a large future, and a test thread's stack small.
        Box::pin(read(&self.run, target, &needs, &|_| {})).await
    }

    fn count(&self, key: &str) -> usize {
        self.run.sent().iter().filter(|k| *k == key).count()
    }
}

fn http(status: u16, body: &str) -> HttpResponse {
    HttpResponse::new(
        StatusCode::try_from(status).unwrap(),
        SdkBody::from(body.to_string()),
    )
}

fn json_ok(body: serde_json::Value) -> impl Fn() -> HttpResponse + Send + Sync + 'static {
    let text = body.to_string();
    move || http(200, &text)
}

fn json_err(code: &str) -> String {
    format!(r#"{{"__type":"com.amazon.coral.service#{code}","message":"{code} happened"}}"#)
}

fn query_err(status: u16, code: &str) -> HttpResponse {
    http(
        status,
        &format!(
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type>\
             <Code>{code}</Code><Message>{code}: not authorized to perform this</Message></Error>\
             <RequestId>r-1</RequestId></ErrorResponse>"
        ),
    )
}

/// A REST-JSON (Lake Formation) error: the code is in the `x-amzn-ErrorType` header.
fn rest_err(status: u16, code: &str) -> HttpResponse {
    let mut r = http(status, &format!(r#"{{"Message":"{code} happened"}}"#));
    r.headers_mut().insert(
        "x-amzn-errortype",
        format!("{code}:http://internal.amazon.com/coral/com.amazonaws.lakeformation/"),
    );
    r
}

/// One `PrincipalResourcePermissions` entry in wire form.
fn lf_perm(principal: &str, resource: serde_json::Value, perms: &[&str]) -> serde_json::Value {
    json!({"Principal": {"DataLakePrincipalIdentifier": principal}, "Resource": resource,
           "Permissions": perms, "PermissionsWithGrantOption": []})
}

const HTML: &str = "<!doctype html><html><body>Not Implemented</body></html>";

fn all_needs() -> Vec<Need> {
    Need::ALL.to_vec()
}

fn trust(service: &str) -> String {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": service}, "Action": ["sts:AssumeRole", "sts:SetContext"]}]})
    .to_string()
}

fn encoded(text: &str) -> String {
    utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
}

fn iam_role(name: &str, trust: String, boundary: Option<&str>) -> aws_sdk_iam::types::Role {
    let mut b = aws_sdk_iam::types::Role::builder()
        .path("/")
        .role_name(name)
        .role_id("AROA1")
        .arn(format!("arn:aws:iam::{ACCOUNT}:role/{name}"))
        .create_date(aws_smithy_types::DateTime::from_secs(0))
        .assume_role_policy_document(trust);
    if let Some(arn) = boundary {
        b = b.permissions_boundary(
            aws_sdk_iam::types::AttachedPermissionsBoundary::builder()
                .permissions_boundary_arn(arn)
                .build(),
        );
    }
    b.build().unwrap()
}

/// A healthy account, answering every operation the collectors send.
fn healthy() -> Rules {
    use aws_sdk_emr::Client as Emr;
    use aws_sdk_iam::Client as Iam;
    use aws_sdk_lakeformation::Client as Lf;
    use aws_sdk_s3control::Client as S3c;
    use aws_sdk_s3control::types::{Grantee, GranteeType, ListAccessGrantEntry, Permission};
    let grant = |id: &str| {
        ListAccessGrantEntry::builder()
            .access_grant_id(id)
            .grantee(
                Grantee::builder()
                    .grantee_type(GranteeType::DirectoryGroup)
                    .grantee_identifier("g-1")
                    .build(),
            )
            .permission(Permission::Readwrite)
            .access_grants_location_id("loc-1")
            .grant_scope("s3://results/*")
            .build()
    };
    let (g1, g2) = (grant("grant-1"), grant("grant-2"));
    vec![
        ("sts", mock!(aws_sdk_sts::Client::get_caller_identity).then_output(|| {
            aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput::builder()
                .account(ACCOUNT)
                .arn(format!("arn:aws:sts::{ACCOUNT}:assumed-role/ro/ci"))
                .build()
        })),
        ("organizations", mock!(aws_sdk_organizations::Client::describe_organization).then_output(|| {
            aws_sdk_organizations::operation::describe_organization::DescribeOrganizationOutput::builder()
                .organization(
                    aws_sdk_organizations::types::Organization::builder()
                        .id("o-exampleorgid")
                        .master_account_id(ACCOUNT)
                        .build(),
                )
                .build()
        })),
        ("ssoadmin", mock!(aws_sdk_ssoadmin::Client::list_instances).then_http_response(json_ok(json!({
            "Instances": [{"InstanceArn": "arn:aws:sso:::instance/ssoins-1", "IdentityStoreId": "d-1",
                           "Status": "ACTIVE", "OwnerAccountId": ACCOUNT}]})))),
        ("ssoadmin", mock!(aws_sdk_ssoadmin::Client::get_application_assignment_configuration)
            .then_http_response(json_ok(json!({"AssignmentRequired": true})))),
        ("ssoadmin", mock!(aws_sdk_ssoadmin::Client::list_application_assignments)
            .match_requests(|r| r.next_token().is_none())
            .then_http_response(json_ok(json!({"NextToken": "n2", "ApplicationAssignments": [
                {"ApplicationArn": APP, "PrincipalId": "g-1", "PrincipalType": "GROUP"}]})))),
        ("ssoadmin", mock!(aws_sdk_ssoadmin::Client::list_application_assignments)
            .match_requests(|r| r.next_token() == Some("n2"))
            .then_http_response(json_ok(json!({"ApplicationAssignments": [
                {"ApplicationArn": APP, "PrincipalId": "u-1", "PrincipalType": "USER"}]})))),
        ("ssoadmin", mock!(aws_sdk_ssoadmin::Client::list_application_assignments_for_principal)
            .match_requests(|r| r.principal_id() == Some("u-1") && r.next_token().is_none())
            .then_http_response(json_ok(json!({"NextToken": "a2", "ApplicationAssignments": [
                {"ApplicationArn": "arn:aws:sso::111122223333:application/ssoins-1/apl-other",
                 "PrincipalId": "u-1", "PrincipalType": "USER"}]})))),
        ("ssoadmin", mock!(aws_sdk_ssoadmin::Client::list_application_assignments_for_principal)
            .match_requests(|r| r.principal_id() == Some("u-1") && r.next_token() == Some("a2"))
            .then_http_response(json_ok(json!({"ApplicationAssignments": [
                {"ApplicationArn": APP, "PrincipalId": "u-1", "PrincipalType": "USER"}]})))),
        ("ssoadmin", mock!(aws_sdk_ssoadmin::Client::list_application_assignments_for_principal)
            .match_requests(|r| r.principal_id() == Some("g-1"))
            .then_http_response(json_ok(json!({"ApplicationAssignments": [
                {"ApplicationArn": APP, "PrincipalId": "g-1", "PrincipalType": "GROUP"}]})))),
        ("ssoadmin", mock!(aws_sdk_ssoadmin::Client::list_application_assignments_for_principal)
            .match_requests(|r| r.principal_id() == Some("g-2"))
            .then_http_response(json_ok(json!({"ApplicationAssignments": []})))),
        ("identitystore", mock!(aws_sdk_identitystore::Client::get_user_id)
            .then_http_response(json_ok(json!({"IdentityStoreId": "d-1", "UserId": "u-1"})))),
        ("identitystore", mock!(aws_sdk_identitystore::Client::describe_user)
            .then_http_response(json_ok(json!({"IdentityStoreId": "d-1", "UserId": "u-1",
                "UserName": "alice", "DisplayName": "Alice Example", "UserStatus": "ENABLED"})))),
        ("identitystore", mock!(aws_sdk_identitystore::Client::list_group_memberships_for_member)
            .then_http_response(json_ok(json!({"GroupMemberships": [
                {"IdentityStoreId": "d-1", "MembershipId": "m-1", "GroupId": "g-1", "MemberId": {"UserId": "u-1"}},
                {"IdentityStoreId": "d-1", "MembershipId": "m-2", "GroupId": "g-2", "MemberId": {"UserId": "u-1"}}]})))),
        ("identitystore", mock!(aws_sdk_identitystore::Client::describe_group)
            .match_requests(|r| r.group_id() == Some("g-1"))
            .then_http_response(json_ok(json!({"IdentityStoreId": "d-1", "GroupId": "g-1", "DisplayName": "analysts"})))),
        ("identitystore", mock!(aws_sdk_identitystore::Client::describe_group)
            .match_requests(|r| r.group_id() == Some("g-2"))
            .then_http_response(|| http(400, &json_err("AccessDeniedException")))),
        ("identitystore", mock!(aws_sdk_identitystore::Client::list_users)
            .then_http_response(json_ok(json!({"Users": [
                {"IdentityStoreId": "d-1", "UserId": "u-1", "UserName": "alice"}]})))),
        ("emr", mock!(Emr::list_studios)
            .match_requests(|r| r.marker().is_none())
            .then_http_response(json_ok(json!({"Marker": "m2", "Studios": [{"StudioId": "es-1", "Name": "analytics"}]})))),
        ("emr", mock!(Emr::list_studios)
            .match_requests(|r| r.marker() == Some("m2"))
            .then_http_response(json_ok(json!({"Studios": [{"StudioId": "es-2", "Name": "other"}]})))),
        ("emr", mock!(Emr::describe_studio)
            .match_requests(|r| r.studio_id() == Some("es-1"))
            .then_http_response(json_ok(json!({"Studio": {"StudioId": "es-1", "Name": "analytics",
                "AuthMode": "SSO", "UserRole": format!("arn:aws:iam::{ACCOUNT}:role/UserRole"),
                "ServiceRole": "ServiceRole", "IdcInstanceArn": "arn:aws:sso:::instance/ssoins-1",
                "TrustedIdentityPropagationEnabled": true, "IdcUserAssignment": "REQUIRED",
                "SubnetIds": ["subnet-1"]}})))),
        ("emr", mock!(Emr::describe_studio)
            .match_requests(|r| r.studio_id() == Some("es-2"))
            .then_http_response(json_ok(json!({"Studio": {"StudioId": "es-2", "Name": "other",
                "AuthMode": "IAM", "ServiceRole": format!("arn:aws:iam::{ACCOUNT}:role/service-role/ServiceRole")}})))),
        ("emr", mock!(Emr::list_studio_session_mappings)
            .then_http_response(json_ok(json!({"SessionMappings": [{"StudioId": "es-1",
                "IdentityId": "g-1", "IdentityName": "analysts", "IdentityType": "GROUP",
                "SessionPolicyArn": "arn:aws:iam::111122223333:policy/Session"}]})))),
        ("athena", mock!(aws_sdk_athena::Client::list_work_groups)
            .match_requests(|r| r.next_token().is_none())
            .then_http_response(json_ok(json!({"NextToken": "t2", "WorkGroups": [{"Name": "primary", "State": "ENABLED"}]})))),
        ("athena", mock!(aws_sdk_athena::Client::list_work_groups)
            .match_requests(|r| r.next_token() == Some("t2"))
            .then_http_response(json_ok(json!({"WorkGroups": [
                {"Name": "idc-wg", "State": "ENABLED", "IdentityCenterApplicationArn": APP}]})))),
        ("athena", mock!(aws_sdk_athena::Client::get_work_group)
            .match_requests(|r| r.work_group() == Some("primary"))
            .then_http_response(json_ok(json!({"WorkGroup": {"Name": "primary", "State": "ENABLED",
                "Configuration": {"ResultConfiguration": {"OutputLocation": "s3://results/primary/"},
                    "EnforceWorkGroupConfiguration": false,
                    "EngineVersion": {"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"}}}})))),
        ("athena", mock!(aws_sdk_athena::Client::get_work_group)
            .match_requests(|r| r.work_group() == Some("idc-wg"))
            .then_http_response(json_ok(json!({"WorkGroup": {"Name": "idc-wg", "State": "ENABLED",
                "Configuration": {"ExecutionRole": "arn:aws:iam::111122223333:role/AthenaRole",
                    "IdentityCenterConfiguration": {"EnableIdentityCenter": true,
                        "IdentityCenterInstanceArn": "arn:aws:sso:::instance/ssoins-1"},
                    "ResultConfiguration": {"OutputLocation": "s3://results/idc/",
                        "EncryptionConfiguration": {"EncryptionOption": "SSE_S3"}},
                    "EnforceWorkGroupConfiguration": true,
                    "QueryResultsS3AccessGrantsConfiguration": {"EnableS3AccessGrants": true,
                        "CreateUserLevelPrefix": true, "AuthenticationType": "DIRECTORY_IDENTITY"}}}})))),
        ("s3", mock!(aws_sdk_s3::Client::get_bucket_location)
            .match_requests(|r| r.bucket() == Some("results") && r.expected_bucket_owner() == Some(ACCOUNT))
            .then_http_response(|| http(200, r#"<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">ap-northeast-1</LocationConstraint>"#))),
        ("iam", mock!(Iam::get_role)
            .match_requests(|r| r.role_name() == Some("UserRole"))
            .then_output(|| aws_sdk_iam::operation::get_role::GetRoleOutput::builder()
                .role(iam_role("UserRole", encoded(&trust("elasticmapreduce.amazonaws.com")), None))
                .build())),
        ("iam", mock!(Iam::get_role)
            .match_requests(|r| r.role_name() == Some("ServiceRole"))
            .then_output(|| aws_sdk_iam::operation::get_role::GetRoleOutput::builder()
                .role(iam_role("ServiceRole", trust("elasticmapreduce.amazonaws.com"), Some(BOUNDARY)))
                .build())),
        ("iam", mock!(Iam::list_role_policies).then_output(|| {
            aws_sdk_iam::operation::list_role_policies::ListRolePoliciesOutput::builder()
                .policy_names("inline1")
                .is_truncated(false)
                .build()
                .unwrap()
        })),
        ("iam", mock!(Iam::get_role_policy).then_compute_output(|r| {
            aws_sdk_iam::operation::get_role_policy::GetRolePolicyOutput::builder()
                .role_name(r.role_name().unwrap_or_default())
                .policy_name("inline1")
                .policy_document(encoded(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#))
                .build()
                .unwrap()
        })),
        ("iam", mock!(Iam::list_attached_role_policies).then_output(|| {
            aws_sdk_iam::operation::list_attached_role_policies::ListAttachedRolePoliciesOutput::builder()
                .attached_policies(aws_sdk_iam::types::AttachedPolicy::builder().policy_arn(SHARED).build())
                .is_truncated(false)
                .build()
        })),
        ("iam", mock!(Iam::get_policy).then_compute_output(|r| {
            aws_sdk_iam::operation::get_policy::GetPolicyOutput::builder()
                .policy(aws_sdk_iam::types::Policy::builder()
                    .arn(r.policy_arn().unwrap_or_default())
                    .default_version_id("v3")
                    .build())
                .build()
        })),
        ("iam", mock!(Iam::get_policy_version)
            .match_requests(|r| r.version_id() == Some("v3"))
            .then_output(|| {
                aws_sdk_iam::operation::get_policy_version::GetPolicyVersionOutput::builder()
                    .policy_version(aws_sdk_iam::types::PolicyVersion::builder()
                        .document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
                        .build())
                    .build()
            })),
        ("s3control", mock!(S3c::get_access_grants_instance).then_output(|| {
            aws_sdk_s3control::operation::get_access_grants_instance::GetAccessGrantsInstanceOutput::builder()
                .access_grants_instance_arn(format!("arn:aws:s3:ap-northeast-1:{ACCOUNT}:access-grants/default"))
                .identity_center_application_arn("arn:aws:sso::111122223333:application/ssoins-1/apl-s3")
                .build()
        })),
        ("s3control", mock!(S3c::list_access_grants_locations).then_output(|| {
            aws_sdk_s3control::operation::list_access_grants_locations::ListAccessGrantsLocationsOutput::builder()
                .access_grants_locations_list(aws_sdk_s3control::types::ListAccessGrantsLocationsEntry::builder()
                    .access_grants_location_id("loc-1")
                    .location_scope("s3://results")
                    .iam_role_arn("arn:aws:iam::111122223333:role/LocationRole")
                    .build())
                .build()
        })),
        ("ssoadmin", mock!(aws_sdk_ssoadmin::Client::describe_instance)
            .then_http_response(json_ok(json!({"InstanceArn": "arn:aws:sso:::instance/ssoins-1",
                "IdentityStoreId": "d-1", "Status": "ACTIVE", "PrimaryRegion": "ap-northeast-1",
                "Regions": [{"RegionName": "ap-northeast-1", "Status": "ACTIVE", "IsPrimaryRegion": true}],
                "EncryptionConfigurationDetails": {"KeyType": "CUSTOMER_MANAGED_KEY",
                    "KmsKeyArn": "arn:aws:kms:ap-northeast-1:111122223333:key/k-1"}})))),
        ("iam", mock!(Iam::get_role).then_compute_output(|r| {
            let name = r.role_name().unwrap_or_default();
            aws_sdk_iam::operation::get_role::GetRoleOutput::builder()
                .role(iam_role(name, encoded(&trust("athena.amazonaws.com")), None))
                .build()
        })),
        ("lakeformation", mock!(Lf::describe_lake_formation_identity_center_configuration)
            .match_requests(|r| r.catalog_id() == Some(ACCOUNT))
            .then_http_response(json_ok(json!({"CatalogId": ACCOUNT,
                "InstanceArn": "arn:aws:sso:::instance/ssoins-1",
                "ApplicationArn": "arn:aws:sso::111122223333:application/ssoins-1/apl-lf"})))),
        ("lakeformation", mock!(Lf::get_data_lake_settings)
            .then_http_response(json_ok(json!({"DataLakeSettings": {
                "DataLakeAdmins": [{"DataLakePrincipalIdentifier": format!("arn:aws:iam::{ACCOUNT}:role/admin")}],
                "ReadOnlyAdmins": [{"DataLakePrincipalIdentifier": format!("arn:aws:iam::{ACCOUNT}:role/ro")}]}})))),
        ("lakeformation", mock!(Lf::list_permissions)
            .match_requests(|r| on_table(r, Some("orders")) && r.next_token().is_none())
            .then_http_response(json_ok(json!({"NextToken": "p2", "PrincipalResourcePermissions": [
                lf_perm(GROUP, json!({"Table": {"CatalogId": ACCOUNT, "DatabaseName": "sales", "Name": "orders"}}), &["SELECT"]),
                lf_perm("IAM_ALLOWED_PRINCIPALS", json!({"Table": {"DatabaseName": "sales", "Name": "orders"}}), &["ALL"])]})))),
        ("lakeformation", mock!(Lf::list_permissions)
            .match_requests(|r| on_table(r, Some("orders")) && r.next_token() == Some("p2"))
            .then_http_response(json_ok(json!({"PrincipalResourcePermissions": [
                lf_perm(USER, json!({"TableWithColumns": {"DatabaseName": "sales", "Name": "orders",
                    "ColumnNames": ["id"]}}), &["SELECT"]),
                lf_perm(GROUP, json!({"Table": {"CatalogId": ACCOUNT, "DatabaseName": "sales", "Name": "orders"}}), &["SELECT"])]})))),
        ("lakeformation", mock!(Lf::list_permissions)
            .match_requests(|r| on_table(r, None))
            .then_http_response(json_ok(json!({"PrincipalResourcePermissions": [
                lf_perm(GROUP, json!({"Table": {"DatabaseName": "sales", "TableWildcard": {}}}), &["DESCRIBE"])]})))),
        ("lakeformation", mock!(Lf::list_permissions)
            .match_requests(|r| r.resource().and_then(|x| x.database()).is_some_and(|d| d.name() == "sales"))
            .then_http_response(json_ok(json!({"PrincipalResourcePermissions": [
                lf_perm(GROUP, json!({"Database": {"Name": "sales"}}), &["DESCRIBE"]),
                lf_perm(USER, json!({"DataLocation": {"ResourceArn": "arn:aws:s3:::lake"}}), &["DATA_LOCATION_ACCESS"])]})))),
        ("lakeformation", mock!(Lf::list_permissions)
            .match_requests(|r| r.resource_type() == Some(&aws_sdk_lakeformation::types::DataLakeResourceType::LfTagPolicy))
            .then_http_response(json_ok(json!({"PrincipalResourcePermissions": [
                lf_perm(GROUP, json!({"LFTagPolicy": {"CatalogId": ACCOUNT, "ResourceType": "TABLE",
                    "Expression": [{"TagKey": "domain", "TagValues": ["sales", "ops"]}]}}), &["SELECT"]),
                lf_perm(USER, json!({"LFTagPolicy": {"ResourceType": "DATABASE", "ExpressionName": "readers"}}), &["DESCRIBE"])]})))),
        ("lakeformation", mock!(Lf::list_permissions)
            .match_requests(|r| r.resource().and_then(|x| x.data_cells_filter()).is_some_and(|f| f.name() == Some("f1")))
            .then_http_response(json_ok(json!({"PrincipalResourcePermissions": [
                lf_perm(USER, json!({"DataCellsFilter": {"TableCatalogId": ACCOUNT, "DatabaseName": "sales",
                    "TableName": "orders", "Name": "f1"}}), &["SELECT"])]})))),
        ("lakeformation", mock!(Lf::get_resource_lf_tags)
            .match_requests(|r| r.resource().and_then(|x| x.table()).is_some_and(|t| t.name() == Some("orders")))
            .then_http_response(json_ok(json!({
                "LFTagOnDatabase": [{"CatalogId": ACCOUNT, "TagKey": "domain", "TagValues": ["sales"]}],
                "LFTagsOnTable": [{"TagKey": "level", "TagValues": ["internal"]}],
                "LFTagsOnColumns": [{"Name": "card", "LFTags": [{"TagKey": "level", "TagValues": ["secret"]}]}]})))),
        ("lakeformation", mock!(Lf::list_data_cells_filter)
            .then_http_response(json_ok(json!({"DataCellsFilters": [
                {"TableCatalogId": ACCOUNT, "DatabaseName": "sales", "TableName": "orders", "Name": "f1",
                 "ColumnWildcard": {}}]})))),
        ("lakeformation", mock!(Lf::list_resources)
            .match_requests(|r| r.next_token().is_none())
            .then_http_response(json_ok(json!({"NextToken": "r2", "ResourceInfoList": [
                {"ResourceArn": "arn:aws:s3:::lake", "RoleArn": SLR, "VerificationStatus": "VERIFIED"}]})))),
        ("lakeformation", mock!(Lf::list_resources)
            .match_requests(|r| r.next_token() == Some("r2"))
            .then_http_response(json_ok(json!({"ResourceInfoList": [
                {"ResourceArn": "arn:aws:s3:::lake/sales", "RoleArn": format!("arn:aws:iam::{ACCOUNT}:role/LfRole"),
                 "HybridAccessEnabled": true, "VerificationStatus": "VERIFICATION_FAILED"}]})))),
        ("lakeformation", mock!(Lf::list_lake_formation_opt_ins)
            .then_http_response(json_ok(json!({"LakeFormationOptInsInfoList": [
                {"Resource": {"Table": {"DatabaseName": "sales", "Name": "orders"}}, "Principal": {"DataLakePrincipalIdentifier": GROUP}},
                {"Resource": {"Database": {"Name": "sales"}}, "Principal": {"DataLakePrincipalIdentifier": USER}},
                {"Resource": {"DataLocation": {"ResourceArn": "arn:aws:s3:::lake"}}, "Principal": {"DataLakePrincipalIdentifier": USER}}]})))),
        ("glue", mock!(aws_sdk_glue::Client::get_table)
            .match_requests(|r| r.database_name() == Some("sales") && r.name() == Some("orders"))
            .then_http_response(json_ok(json!({"Table": {"Name": "orders", "DatabaseName": "sales",
                "StorageDescriptor": {"Location": "s3://lake/sales/orders/"}}})))),
        ("glue", mock!(aws_sdk_glue::Client::get_tables)
            .then_http_response(json_ok(json!({"TableList": [{"Name": "orders"}]})))),
        ("s3control", mock!(S3c::list_access_grants)
            .match_requests(|r| r.next_token().is_none())
            .then_output(move || {
                aws_sdk_s3control::operation::list_access_grants::ListAccessGrantsOutput::builder()
                    .access_grants_list(g1.clone())
                    .next_token("g2")
                    .build()
            })),
        ("s3control", mock!(S3c::list_access_grants)
            .match_requests(|r| r.next_token() == Some("g2"))
            .then_output(move || {
                aws_sdk_s3control::operation::list_access_grants::ListAccessGrantsOutput::builder()
                    .access_grants_list(g2.clone())
                    .build()
            })),
    ]
}

/// A `ListPermissions` request on a table of `sales`: by name, or the wildcard (`None`).
fn on_table(
    r: &aws_sdk_lakeformation::operation::list_permissions::ListPermissionsInput,
    name: Option<&str>,
) -> bool {
    r.resource().and_then(|x| x.table()).is_some_and(|t| {
        t.database_name() == "sales"
            && match name {
                Some(n) => t.name() == Some(n) && t.table_wildcard().is_none(),
                None => t.table_wildcard().is_some() && t.name().is_none(),
            }
    })
}

/// `overrides` take precedence over the healthy answers.
fn with(overrides: Rules) -> Rules {
    overrides.into_iter().chain(healthy()).collect()
}

fn unknown<T: std::fmt::Debug>(f: &Fact<T>) -> &studio_doctor_checks::Unknown {
    f.known().expect_err("expected an unknown fact")
}

#[tokio::test]
async fn healthy_account_reads_every_fact() {
    let h = Harness::new(&healthy());
    let f = h.read(&all_needs()).await;
    assert_eq!(f.caller.known().unwrap().account_id, ACCOUNT);
    assert_eq!(
        f.identity_center_instances.known().unwrap()[0].identity_store_id,
        "d-1"
    );

    let alice = &f.users[0];
    let user = alice.user.known().unwrap().as_ref().unwrap();
    assert_eq!(
        (user.user_id.as_str(), user.status.as_ref()),
        ("u-1", Some(&UserStatus::Enabled))
    );
    let groups = alice.groups.known().unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].display_name.as_deref(), Some("analysts"));
    assert_eq!(
        groups[1].display_name, None,
        "a failed DescribeGroup only loses the name"
    );

    let studios = f.studios.known().unwrap();
    assert_eq!(studios.len(), 2, "both pages of ListStudios");
    assert_eq!(studios[0].auth_mode, Some(AuthMode::Sso));
    assert_eq!(
        studios[0].session_mappings.known().unwrap()[0].identity_id,
        "g-1"
    );

    let wgs = f.workgroups.known().unwrap();
    assert_eq!(wgs.len(), 2, "both pages of ListWorkGroups");
    let idc = &wgs[1];
    assert_eq!(
        idc.identity_center_application_arn.as_deref(),
        Some(APP),
        "from the summary"
    );
    assert_eq!(idc.enable_identity_center, Some(true));
    assert_eq!(idc.encryption_option, Some(EncryptionOption::SseS3));
    let ag = idc.s3_access_grants.as_ref().unwrap();
    assert!(ag.enable_s3_access_grants && ag.create_user_level_prefix);
    assert_eq!(
        ag.authentication_type.as_deref(),
        Some("DIRECTORY_IDENTITY")
    );
    // A regular workgroup beside an Identity Center one is listed, not described.
    assert_eq!(wgs[0].effective_engine_version, None);
    assert_eq!(wgs[0].enable_identity_center, None);

    let app = &f.applications[APP];
    assert_eq!(app.assignment_required, Fact::Known(true));
    // With --user: the user's and their groups' assignments, both pages, other
    // applications left out.
    assert_eq!(
        app.assignments.known().unwrap(),
        &[
            Assignment {
                principal_id: "g-1".into(),
                principal_type: "GROUP".into()
            },
            Assignment {
                principal_id: "u-1".into(),
                principal_type: "USER".into()
            }
        ]
    );
    assert_eq!(
        app.assignments_of,
        Some(vec!["g-1".into(), "g-2".into(), "u-1".into()])
    );
    assert_eq!(h.count("ssoadmin.ListApplicationAssignments"), 0);

    let user_role = f.roles["UserRole"].known().unwrap().as_ref().unwrap();
    assert_eq!(
        user_role.trust_policy["Statement"][0]["Principal"]["Service"],
        "elasticmapreduce.amazonaws.com",
        "URL-encoded trust policy decoded"
    );
    let inline = user_role.inline_policies.known().unwrap();
    assert_eq!(inline[0].document["Statement"][0]["Action"], "s3:GetObject");
    let service = f.roles["ServiceRole"].known().unwrap().as_ref().unwrap();
    assert_eq!(service.attached_policies.known().unwrap()[0].name, SHARED);
    let boundary = service
        .permissions_boundary
        .as_ref()
        .unwrap()
        .known()
        .unwrap();
    assert_eq!(boundary.name, BOUNDARY);
    assert_eq!(
        boundary.document["Statement"][0]["Action"], "*",
        "raw JSON version tolerated"
    );

    assert!(f.access_grants.instance.known().unwrap().is_some());
    assert_eq!(
        f.access_grants.locations.known().unwrap()[0].location_scope,
        "s3://results"
    );
    let grants = f.access_grants.grants.known().unwrap();
    assert_eq!(grants.len(), 2, "both pages of ListAccessGrants");
    assert_eq!(grants[0].grantee_type, GranteeType::DirectoryGroup);
    assert_eq!(grants[0].permission, GrantPermission::ReadWrite);

    // The results bucket of the target (Identity Center) workgroup, asked with
    // this account as the expected owner.
    assert_eq!(
        f.buckets.keys().collect::<Vec<_>>(),
        ["results"],
        "one read for the bucket"
    );
    assert_eq!(
        f.buckets["results"]
            .known()
            .unwrap()
            .as_ref()
            .unwrap()
            .region,
        "ap-northeast-1"
    );

    // Issue 4 facts.
    let instance = &f.identity_center_instances.known().unwrap()[0];
    assert_eq!(
        instance.key_type,
        Fact::Known(Some("CUSTOMER_MANAGED_KEY".into()))
    );
    assert_eq!(
        instance.primary_region.as_deref(),
        Some("ap-northeast-1"),
        "from DescribeInstance when ListInstances leaves it out"
    );
    assert_eq!(f.managed_policies[SESSION], Fact::Known(true));
    for role in ["AthenaRole", "LocationRole", "LfRole"] {
        assert!(f.roles[role].known().unwrap().is_some(), "{role}");
    }
    let athena = f.roles["AthenaRole"].known().unwrap().as_ref().unwrap();
    assert!(
        athena.attached_policies.known().is_ok(),
        "execution role policies"
    );
    let lf_role = f.roles["LfRole"].known().unwrap().as_ref().unwrap();
    assert!(
        !lf_role.attached_policies.is_collected(),
        "the Lake Formation location role: trust only"
    );
    assert!(
        !f.roles
            .contains_key("AWSServiceRoleForLakeFormationDataAccess"),
        "the longest registered prefix covers the table, not the bucket's SLR registration"
    );
    let lf = &f.lake_formation;
    let idc = lf.identity_center.known().unwrap().as_ref().unwrap();
    assert_eq!(idc.instance_arn, "arn:aws:sso:::instance/ssoins-1");
    assert!(idc.application_arn.as_deref().unwrap().ends_with("apl-lf"));
    let settings = lf.settings.known().unwrap();
    assert_eq!(
        settings.data_lake_admins,
        [format!("arn:aws:iam::{ACCOUNT}:role/admin")]
    );
    assert_eq!(
        settings.read_only_admins,
        [format!("arn:aws:iam::{ACCOUNT}:role/ro")]
    );
    let resources = lf.resources.known().unwrap();
    assert_eq!(resources.len(), 2, "both pages of ListResources");
    assert!(resources[1].hybrid_access_enabled);
    assert_eq!(
        resources[1].verification_status,
        Some(VerificationStatus::VerificationFailed)
    );
    let opt_ins = lf.opt_ins.known().unwrap();
    assert_eq!(opt_ins.len(), 2, "the data location opt-in is ignored");
    assert_eq!(
        (opt_ins[0].principal.as_str(), opt_ins[0].table.as_deref()),
        (GROUP, Some("orders"))
    );
    assert_eq!(
        (opt_ins[1].database.as_str(), opt_ins[1].table.as_deref()),
        ("sales", None)
    );
    let table = f.tables[TABLE].known().unwrap().as_ref().unwrap();
    assert_eq!(table.location.as_deref(), Some("s3://lake/sales/orders/"));
    let tagged = lf.tag_permissions.known().unwrap();
    assert_eq!(tagged.len(), 2);
    assert_eq!(
        (
            tagged[0].resource_type.as_str(),
            tagged[0].expression[0].values.len()
        ),
        ("TABLE", 2)
    );
    assert_eq!(tagged[1].expression_name.as_deref(), Some("readers"));
    let tags = lf.table_tags[TABLE].known().unwrap();
    assert_eq!(tags.database[0].key, "domain");
    assert_eq!(tags.table[0].values, ["internal"]);
    assert_eq!(tags.columns[0].name, "card");
    let filtered = lf.filter_permissions.known().unwrap();
    assert_eq!(
        (
            filtered[0].principal.as_str(),
            filtered[0].filter.as_str(),
            filtered[0].table.as_str()
        ),
        (USER, "f1", "orders")
    );
    // Lake Formation's own application is read with the workgroups'.
    let lf_app = &f.applications["arn:aws:sso::111122223333:application/ssoins-1/apl-lf"];
    assert_eq!(lf_app.assignment_required, Fact::Known(true));
}

#[tokio::test]
async fn lf_permissions_read_every_page_of_each_resource() {
    use studio_doctor_checks::facts::LfPermission;
    let h = Harness::new(&healthy());
    let f = h.read(&[Need::LfPermissions]).await;
    let perm = |principal: &str, table: Option<&str>, wildcard: bool, p: &[&str]| LfPermission {
        principal: principal.into(),
        database: "sales".into(),
        table: table.map(Into::into),
        table_wildcard: wildcard,
        permissions: p.iter().map(|x| x.to_string()).collect(),
    };
    assert_eq!(
        f.lake_formation.permissions.known().unwrap(),
        &vec![
            // The table, page 1.
            perm(GROUP, Some("orders"), false, &["SELECT"]),
            perm("IAM_ALLOWED_PRINCIPALS", Some("orders"), false, &["ALL"]),
            // Page 2: a column-level grant counts as a table grant; the repeated
            // group grant is kept once.
            perm(USER, Some("orders"), false, &["SELECT"]),
            // All tables of the database, then the database itself.
            perm(GROUP, None, true, &["DESCRIBE"]),
            perm(GROUP, None, false, &["DESCRIBE"]),
        ],
        "the data location grant is not a table or database grant"
    );
    assert_eq!(
        h.count("lakeformation.ListPermissions"),
        4,
        "two pages + wildcard + database"
    );
}

#[tokio::test]
async fn lf_permissions_without_tables_is_an_empty_list() {
    let h = Harness::new(&healthy());
    let target = Target {
        region: "ap-northeast-1".into(),
        ..Target::default()
    };
    let needs = [Need::LfPermissions, Need::GlueTables].into();
    let f = read(&h.run, target, &needs, &|_| {}).await;
    assert_eq!(f.lake_formation.permissions, Fact::Known(vec![]));
    assert!(f.tables.is_empty());
    assert!(h.run.sent().is_empty());
}

#[tokio::test]
async fn lf_permissions_for_two_tables_of_one_database_list_the_database_once() {
    let h = Harness::new(&with(vec![(
        "lakeformation",
        mock!(aws_sdk_lakeformation::Client::list_permissions)
            .match_requests(|r| on_table(r, Some("items")))
            .then_http_response(json_ok(json!({"PrincipalResourcePermissions": [
                lf_perm(USER, json!({"Table": {"DatabaseName": "sales", "Name": "items"}}), &["SELECT"])]}))),
    )]));
    let target = Target {
        region: "ap-northeast-1".into(),
        tables: vec![TABLE.into(), "sales.items".into(), TABLE.into()],
        ..Target::default()
    };
    let f = read(&h.run, target, &[Need::LfPermissions].into(), &|_| {}).await;
    let perms = f.lake_formation.permissions.known().unwrap();
    assert!(perms.iter().any(|p| p.table.as_deref() == Some("items")));
    assert_eq!(
        h.count("lakeformation.ListPermissions"),
        5,
        "orders (2 pages), items, the wildcard and the database once each"
    );
}

#[tokio::test]
async fn lf_identity_center_not_found_is_null_and_errors_name_the_action() {
    use aws_sdk_lakeformation::Client as Lf;
    let h = Harness::new(&with(vec![
        (
            "lakeformation",
            mock!(Lf::describe_lake_formation_identity_center_configuration)
                .then_http_response(|| rest_err(400, "EntityNotFoundException")),
        ),
        (
            "lakeformation",
            mock!(Lf::list_resources).then_http_response(|| rest_err(403, "AccessDeniedException")),
        ),
        (
            "lakeformation",
            mock!(Lf::get_data_lake_settings).then_http_response(|| http(404, HTML)),
        ),
    ]));
    let f = h
        .read(&[
            Need::LfIdentityCenter,
            Need::LfResources,
            Need::LfSettings,
            Need::LfLocationRole,
        ])
        .await;
    assert_eq!(f.lake_formation.identity_center, Fact::Known(None));
    let u = unknown(&f.lake_formation.resources);
    assert_eq!(
        (u.kind.clone(), u.action.as_str()),
        (UnknownKind::AccessDenied, "lakeformation:ListResources")
    );
    let s = unknown(&f.lake_formation.settings);
    assert_eq!(
        (s.kind.clone(), s.action.as_str()),
        (
            UnknownKind::Unsupported,
            "lakeformation:GetDataLakeSettings"
        )
    );
    assert!(
        f.roles.is_empty(),
        "no registration, no location role to read"
    );
    assert_eq!(h.count("iam.GetRole"), 0);
}

#[tokio::test]
async fn a_missing_or_foreign_results_bucket_is_a_fact_or_unknown() {
    // NoSuchBucket: null. 403 (another owner, or no permission): unknown.
    for (status, code, want) in [
        (404, "NoSuchBucket", None),
        (403, "AccessDenied", Some(UnknownKind::AccessDenied)),
    ] {
        let body = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>no</Message><BucketName>results</BucketName></Error>"#
        );
        let h = Harness::new(&with(vec![(
            "s3",
            mock!(aws_sdk_s3::Client::get_bucket_location)
                .then_http_response(move || http(status, &body)),
        )]));
        let f = h.read(&[Need::ResultsBucket]).await;
        match want {
            None => assert_eq!(f.buckets["results"], Fact::Known(None)),
            Some(kind) => {
                let u = unknown(&f.buckets["results"]);
                assert_eq!(u.kind, kind, "{u:?}");
                assert_eq!(u.action, "s3:GetBucketLocation");
            }
        }
    }
}

#[tokio::test]
async fn a_results_bucket_in_another_region_is_asked_again_there() {
    // S3 redirects a request sent to the wrong region, naming the bucket's.
    let h = Harness::new(&with(vec![(
        "s3",
        mock!(aws_sdk_s3::Client::get_bucket_location)
            .sequence()
            .http_response(|| {
                let mut r = http(
                    301,
                    r#"<?xml version="1.0" encoding="UTF-8"?><Error><Code>PermanentRedirect</Code><Message>moved</Message></Error>"#,
                );
                r.headers_mut().insert("x-amz-bucket-region", "us-east-1");
                r
            })
            .http_response(|| {
                http(
                    200,
                    r#"<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>"#,
                )
            })
            .build(),
    )]));
    let f = h.read(&[Need::ResultsBucket]).await;
    assert_eq!(
        f.buckets["results"]
            .known()
            .unwrap()
            .as_ref()
            .unwrap()
            .region,
        "us-east-1"
    );
    let uris: Vec<String> = h
        .seen
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|(op, _)| op == "GetBucketLocation")
        .map(|(_, uri)| uri.clone())
        .collect();
    assert_eq!(uris.len(), 2, "{uris:?}");
    assert!(
        uris[1].contains("us-east-1"),
        "asked again in the bucket's region: {uris:?}"
    );
}

#[tokio::test]
async fn glue_table_not_found_is_null() {
    let h = Harness::new(&with(vec![(
        "glue",
        mock!(aws_sdk_glue::Client::get_table)
            .then_http_response(|| http(400, &json_err("EntityNotFoundException"))),
    )]));
    let f = h.read(&[Need::GlueTables, Need::LfLocationRole]).await;
    assert_eq!(f.tables[TABLE], Fact::Known(None));
    assert!(f.roles.is_empty());

    let h = Harness::new(&with(vec![(
        "glue",
        mock!(aws_sdk_glue::Client::get_table)
            .then_http_response(|| http(400, &json_err("AccessDeniedException"))),
    )]));
    let f = h.read(&[Need::GlueTables]).await;
    let u = unknown(&f.tables[TABLE]);
    assert_eq!(
        (u.kind.clone(), u.action.as_str()),
        (UnknownKind::AccessDenied, "glue:GetTable")
    );
}

/// The request body of the first `op` sent.
fn body_of(h: &Harness, op: &str) -> String {
    let seen = h.seen.1.lock().unwrap().clone();
    seen.into_iter()
        .find(|(_, o, _)| o == op)
        .map(|(_, _, b)| b)
        .unwrap_or_else(|| panic!("{op} not sent"))
}

#[tokio::test]
async fn a_missing_table_reads_the_table_names_of_its_database() {
    use aws_sdk_glue::Client as Glue;
    let missing = || {
        mock!(Glue::get_table)
            .then_http_response(|| http(400, &json_err("EntityNotFoundException")))
    };
    let h = Harness::new(&with(vec![
        ("glue", missing()),
        (
            "glue",
            mock!(Glue::get_tables).then_http_response(json_ok(json!({"TableList": [
            {"Name": "orders_v2"}, {"Name": "customers"}], "NextToken": "more"}))),
        ),
    ]));
    let f = h.read(&[Need::GlueTables]).await;
    assert_eq!(f.tables[TABLE], Fact::Known(None));
    let names = Some(vec!["customers".to_string(), "orders_v2".to_string()]);
    assert_eq!(f.table_names["sales"], Fact::Known(names));
    assert_eq!(h.count("glue.GetTables"), 1, "the first page only");
    let body: serde_json::Value = serde_json::from_str(&body_of(&h, "GetTables")).unwrap();
    assert_eq!(body["DatabaseName"], "sales");
    assert_eq!(body["AttributesToGet"], json!(["NAME"]));
    assert_eq!(body["MaxResults"], 100);

    // No such database: null.
    let h = Harness::new(&with(vec![
        ("glue", missing()),
        (
            "glue",
            mock!(Glue::get_tables)
                .then_http_response(|| http(400, &json_err("EntityNotFoundException"))),
        ),
    ]));
    let f = h.read(&[Need::GlueTables]).await;
    assert_eq!(f.table_names["sales"], Fact::Known(None));

    // A table that exists: no GetTables.
    let h = Harness::new(&healthy());
    let f = h.read(&[Need::GlueTables]).await;
    assert!(f.table_names.is_empty());
    assert_eq!(h.count("glue.GetTables"), 0);
}

#[tokio::test]
async fn a_missing_user_reads_the_user_names_of_the_store() {
    use aws_sdk_identitystore::Client as Ids;
    let h = Harness::new(&with(vec![
        (
            "identitystore",
            mock!(Ids::get_user_id)
                .then_http_response(|| http(400, &json_err("ResourceNotFoundException"))),
        ),
        (
            "identitystore",
            mock!(Ids::list_users).then_http_response(json_ok(json!({"Users": [
            {"IdentityStoreId": "d-1", "UserId": "u-2", "UserName": "bob"},
            {"IdentityStoreId": "d-1", "UserId": "u-1", "UserName": "alice.smith"}],
            "NextToken": "more"}))),
        ),
    ]));
    let f = h.read(&[Need::Users]).await;
    assert_eq!(f.users[0].user, Fact::Known(None));
    let names = vec!["alice.smith".to_string(), "bob".to_string()];
    assert_eq!(f.store_user_names, Fact::Known(names));
    assert_eq!(h.count("identitystore.ListUsers"), 1, "the first page only");
    let body: serde_json::Value = serde_json::from_str(&body_of(&h, "ListUsers")).unwrap();
    assert_eq!(body["IdentityStoreId"], "d-1");
    assert_eq!(body["MaxResults"], 100);
    assert!(
        body.get("Filters").is_none(),
        "Filters is deprecated: {body}"
    );

    // Denied: the user is still not found; only the suggestion is lost.
    let h = Harness::new(&with(vec![
        (
            "identitystore",
            mock!(Ids::get_user_id)
                .then_http_response(|| http(400, &json_err("ResourceNotFoundException"))),
        ),
        (
            "identitystore",
            mock!(Ids::list_users)
                .then_http_response(|| http(400, &json_err("AccessDeniedException"))),
        ),
    ]));
    let f = h.read(&[Need::Users]).await;
    assert_eq!(f.users[0].user, Fact::Known(None));
    assert_eq!(
        unknown(&f.store_user_names).action,
        "identitystore:ListUsers"
    );

    // A user that exists: no ListUsers.
    let h = Harness::new(&healthy());
    let f = h.read(&[Need::Users]).await;
    assert!(!f.store_user_names.is_collected());
    assert_eq!(h.count("identitystore.ListUsers"), 0);
}

#[tokio::test]
async fn describe_instance_reads_the_key_type_of_each_instance() {
    use aws_sdk_ssoadmin::Client as Sso;
    let h = Harness::new(&with(vec![
        ("ssoadmin", mock!(Sso::list_instances).then_http_response(json_ok(json!({"Instances": [
            {"InstanceArn": "arn:aws:sso:::instance/ssoins-1", "IdentityStoreId": "d-1", "Status": "ACTIVE",
             "PrimaryRegion": "us-east-1", "Regions": [{"RegionName": "us-east-1", "Status": "ACTIVE"},
                 {"RegionName": "ap-northeast-1", "Status": "ACTIVE"}]},
            {"InstanceArn": "arn:aws:sso:::instance/ssoins-2", "IdentityStoreId": "d-2", "Status": "ACTIVE"},
            {"InstanceArn": "arn:aws:sso:::instance/ssoins-3", "IdentityStoreId": "d-3", "Status": "ACTIVE"}]})))),
        ("ssoadmin", mock!(Sso::describe_instance)
            .match_requests(|r| r.instance_arn() == Some("arn:aws:sso:::instance/ssoins-2"))
            .then_http_response(json_ok(json!({"InstanceArn": "arn:aws:sso:::instance/ssoins-2",
                "Status": "ACTIVE"})))),
        ("ssoadmin", mock!(Sso::describe_instance)
            .match_requests(|r| r.instance_arn() == Some("arn:aws:sso:::instance/ssoins-3"))
            .then_http_response(|| http(400, &json_err("AccessDeniedException")))),
    ]));
    let f = h.read(&[Need::IdcInstanceDetails]).await;
    let list = f.identity_center_instances.known().unwrap();
    assert_eq!(
        list[0].key_type,
        Fact::Known(Some("CUSTOMER_MANAGED_KEY".into()))
    );
    assert_eq!(
        list[0].primary_region.as_deref(),
        Some("us-east-1"),
        "ListInstances' own answer is kept"
    );
    assert_eq!(list[0].regions.len(), 2);
    assert_eq!(list[1].key_type, Fact::Known(None), "no encryption details");
    assert_eq!(unknown(&list[2].key_type).action, "sso:DescribeInstance");
    assert_eq!(h.count("ssoadmin.DescribeInstance"), 3);

    let h = Harness::new(&healthy());
    let f = h.read(&[Need::IdcInstances]).await;
    let i = &f.identity_center_instances.known().unwrap()[0];
    assert!(
        !i.key_type.is_collected(),
        "DescribeInstance only when needed"
    );
    assert_eq!(h.count("ssoadmin.DescribeInstance"), 0);
}

#[tokio::test]
async fn session_policies_exist_or_not() {
    let h = Harness::new(&with(vec![
        ("emr", mock!(aws_sdk_emr::Client::list_studio_session_mappings)
            .then_http_response(json_ok(json!({"SessionMappings": [
                {"StudioId": "es-1", "IdentityId": "g-1", "IdentityType": "GROUP", "SessionPolicyArn": SESSION},
                {"StudioId": "es-1", "IdentityId": "u-1", "IdentityType": "USER", "SessionPolicyArn": SESSION},
                {"StudioId": "es-1", "IdentityId": "u-2", "IdentityType": "USER",
                 "SessionPolicyArn": "arn:aws:iam::111122223333:policy/Gone"}]})))),
        ("iam", mock!(aws_sdk_iam::Client::get_policy)
            .match_requests(|r| r.policy_arn() == Some("arn:aws:iam::111122223333:policy/Gone"))
            .then_http_response(|| query_err(404, "NoSuchEntity"))),
    ]));
    let f = h.read(&[Need::SessionPolicies]).await;
    assert_eq!(f.managed_policies[SESSION], Fact::Known(true));
    assert_eq!(
        f.managed_policies["arn:aws:iam::111122223333:policy/Gone"],
        Fact::Known(false)
    );
    assert_eq!(
        h.count("iam.GetPolicy"),
        2,
        "each distinct policy once, across both Studios"
    );
    // The documents: the default version of each policy that exists, read once.
    assert_eq!(h.count("iam.GetPolicyVersion"), 1);
    assert!(
        matches!(&f.session_policies[SESSION], Fact::Known(Some(d)) if d["Statement"].is_array())
    );
    assert_eq!(
        f.session_policies["arn:aws:iam::111122223333:policy/Gone"],
        Fact::Known(None)
    );

    let h = Harness::new(&with(vec![(
        "iam",
        mock!(aws_sdk_iam::Client::get_policy)
            .then_http_response(|| query_err(403, "AccessDenied")),
    )]));
    let f = h.read(&[Need::SessionPolicies]).await;
    assert_eq!(
        unknown(&f.managed_policies[SESSION]).action,
        "iam:GetPolicy"
    );
    assert_eq!(
        unknown(&f.session_policies[SESSION]).action,
        "iam:GetPolicy"
    );
}

#[tokio::test]
async fn roles_named_by_several_sources_are_read_once_with_the_union_of_needs() {
    use aws_sdk_athena::Client as Athena;
    use aws_sdk_s3control::Client as S3c;
    let user_role = format!("arn:aws:iam::{ACCOUNT}:role/UserRole");
    let exec = user_role.clone();
    let h = Harness::new(&with(vec![
        ("athena", mock!(Athena::get_work_group)
            .match_requests(|r| r.work_group() == Some("idc-wg"))
            .then_http_response(move || http(200, &json!({"WorkGroup": {"Name": "idc-wg", "State": "ENABLED",
                "Configuration": {"ExecutionRole": exec,
                    "IdentityCenterConfiguration": {"EnableIdentityCenter": true}}}}).to_string()))),
        ("s3control", mock!(S3c::list_access_grants_locations).then_output(|| {
            aws_sdk_s3control::operation::list_access_grants_locations::ListAccessGrantsLocationsOutput::builder()
                .access_grants_locations_list(aws_sdk_s3control::types::ListAccessGrantsLocationsEntry::builder()
                    .access_grants_location_id("loc-1")
                    .location_scope("s3://results")
                    .iam_role_arn("arn:aws:iam::111122223333:role/service-role/ServiceRole")
                    .build())
                .build()
        })),
        ("lakeformation", mock!(aws_sdk_lakeformation::Client::list_resources)
            .then_http_response(json_ok(json!({"ResourceInfoList": [
                {"ResourceArn": "arn:aws:s3:::lake/sales", "RoleArn": format!("arn:aws:iam::{ACCOUNT}:role/UserRole")}]})))),
        ("emr", mock!(aws_sdk_emr::Client::list_studio_session_mappings)
            .then_http_response(json_ok(json!({"SessionMappings": [
                {"StudioId": "es-1", "IdentityId": "g-1", "IdentityType": "GROUP", "SessionPolicyArn": SHARED}]})))),
    ]));
    let f = h.read(&all_needs()).await;
    assert_eq!(
        h.count("iam.GetRole"),
        2,
        "UserRole (Studio, execution, Lake Formation) and ServiceRole (Studio, location)"
    );
    assert_eq!(f.roles.len(), 2);
    assert_eq!(
        h.count("iam.GetPolicy"),
        2,
        "Shared (attached, and a session policy) + Boundary"
    );
    assert_eq!(f.managed_policies[SHARED], Fact::Known(true));

    // Trust from the Studio, policies from the workgroup: one read, with policies.
    let h = Harness::new(&with(vec![(
        "athena",
        mock!(Athena::get_work_group)
            .match_requests(|r| r.work_group() == Some("idc-wg"))
            .then_http_response(move || {
                http(
                    200,
                    &json!({"WorkGroup": {"Name": "idc-wg",
                "Configuration": {"ExecutionRole": user_role,
                    "IdentityCenterConfiguration": {"EnableIdentityCenter": true}}}})
                    .to_string(),
                )
            }),
    )]));
    let f = h.read(&[Need::UserRole, Need::ExecutionRolePolicies]).await;
    assert_eq!(h.count("iam.GetRole"), 1);
    let role = f.roles["UserRole"].known().unwrap().as_ref().unwrap();
    assert!(role.attached_policies.known().is_ok());
    assert!(!f.roles.contains_key("ServiceRole"));
}

#[tokio::test]
async fn the_user_role_policies_bring_the_service_roles_real_arn() {
    // ES005 judges iam:PassRole on the service role's ARN as GetRole gives it.
    let h = Harness::new(&with(vec![]));
    let f = h.read(&[Need::UserRolePolicies]).await;
    let service = f.roles["ServiceRole"].known().unwrap().as_ref().unwrap();
    assert_eq!(
        service.arn,
        format!("arn:aws:iam::{ACCOUNT}:role/ServiceRole")
    );
    assert!(
        !service.attached_policies.is_collected(),
        "trust only: its own policies are not needed"
    );
    assert!(
        f.roles["UserRole"]
            .known()
            .unwrap()
            .as_ref()
            .unwrap()
            .attached_policies
            .known()
            .is_ok()
    );
}

#[tokio::test]
async fn execution_roles_are_the_target_workgroups() {
    use aws_sdk_athena::Client as Athena;
    let h = Harness::new(&with(vec![(
        "athena",
        mock!(Athena::get_work_group)
            .match_requests(|r| r.work_group() == Some("primary"))
            .then_http_response(json_ok(json!({"WorkGroup": {"Name": "primary",
                "Configuration": {"ExecutionRole": "arn:aws:iam::111122223333:role/PlainRole"}}}))),
    )]));
    let f = h.read(&[Need::ExecutionRole]).await;
    assert!(f.roles.contains_key("AthenaRole"));
    assert!(
        !f.roles.contains_key("PlainRole"),
        "a workgroup without Identity Center is not a target"
    );
    let role = f.roles["AthenaRole"].known().unwrap().as_ref().unwrap();
    assert!(!role.attached_policies.is_collected(), "trust only");

    let h = Harness::new(&with(vec![(
        "athena",
        mock!(Athena::get_work_group)
            .match_requests(|r| r.work_group() == Some("primary"))
            .then_http_response(json_ok(json!({"WorkGroup": {"Name": "primary",
                "Configuration": {"ExecutionRole": "arn:aws:iam::111122223333:role/PlainRole"}}}))),
    )]));
    let target = Target {
        region: "ap-northeast-1".into(),
        workgroup: Some("primary".into()),
        ..Target::default()
    };
    let f = read(&h.run, target, &[Need::ExecutionRole].into(), &|_| {}).await;
    assert_eq!(
        f.roles.keys().collect::<Vec<_>>(),
        ["PlainRole"],
        "--workgroup selects it"
    );
}

#[tokio::test]
async fn each_read_happens_once_and_only_listed_operations_are_sent() {
    let h = Harness::new(&healthy());
    h.read(&all_needs()).await;
    let sent = h.run.sent();
    let known: BTreeSet<String> = OPERATIONS.iter().map(|o| o.key()).collect();
    for key in &sent {
        assert!(known.contains(key), "{key} is not in OPERATIONS");
    }
    // Roles named twice (by name and by ARN) are read once; a managed policy
    // attached to both roles is read once.
    // UserRole, ServiceRole, AthenaRole (execution), LocationRole (S3 Access
    // Grants), LfRole (Lake Formation).
    assert_eq!(h.count("iam.GetRole"), 5);
    assert_eq!(
        h.count("iam.GetPolicy"),
        3,
        "Shared once + Boundary once + Session once"
    );
    assert_eq!(h.count("lakeformation.ListResources"), 2, "two pages");
    assert_eq!(h.count("glue.GetTable"), 1);
    assert_eq!(h.count("emr.ListStudios"), 2, "two pages");
    assert_eq!(h.count("s3control.ListAccessGrants"), 2, "two pages");
    assert_eq!(h.count("sts.GetCallerIdentity"), 1);
    // The recorder's names are the SDK's own operation names.
    let mut from_wire: Vec<String> = sent
        .iter()
        .map(|k| k.split_once('.').unwrap().1.to_string())
        .collect();
    let mut from_sdk: Vec<String> = h
        .seen
        .0
        .lock()
        .unwrap()
        .iter()
        .map(|(o, _)| o.clone())
        .collect();
    from_wire.sort();
    from_sdk.sort();
    assert_eq!(from_wire, from_sdk);
}

#[tokio::test]
async fn each_need_reads_only_what_it_requires() {
    for need in all_needs() {
        let h = Harness::new(&healthy());
        h.read(&[need]).await;
        let sent = h.run.sent();
        assert!(!sent.is_empty(), "{need:?} read nothing");
        for key in sent {
            let op = OPERATIONS.iter().find(|o| o.key() == key).unwrap();
            assert!(op.needs.contains(&need), "{need:?} sent {key}");
        }
    }
    // `--only ES001` does not touch S3 Access Grants (or IAM, Athena, Identity Store).
    let h = Harness::new(&healthy());
    let f = h
        .read(&[Need::Caller, Need::Studios, Need::IdcInstances])
        .await;
    let services: BTreeSet<String> = h
        .run
        .sent()
        .iter()
        .map(|k| k.split('.').next().unwrap().to_string())
        .collect();
    assert_eq!(
        services,
        ["emr", "ssoadmin", "sts"].map(String::from).into()
    );
    assert!(f.access_grants.is_empty() && f.roles.is_empty() && f.users.is_empty());
}

#[tokio::test]
async fn access_denied_in_each_wire_protocol_names_the_action() {
    use aws_sdk_s3control::Client as S3c;
    let h = Harness::new(&with(vec![
        ("iam", mock!(aws_sdk_iam::Client::get_role).then_http_response(|| query_err(403, "AccessDenied"))),
        ("emr", mock!(aws_sdk_emr::Client::list_studio_session_mappings)
            .then_http_response(|| http(400, &json_err("AccessDeniedException")))),
        ("s3control", mock!(S3c::list_access_grants).then_http_response(|| {
            http(403, "<ErrorResponse><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error></ErrorResponse>")
        })),
        ("ssoadmin", mock!(aws_sdk_ssoadmin::Client::list_application_assignments_for_principal)
            .then_http_response(|| http(400, &json_err("AccessDeniedException")))),
    ]));
    let f = h.read(&all_needs()).await;
    let role = unknown(&f.roles["UserRole"]);
    assert_eq!(
        (role.kind.clone(), role.action.as_str()),
        (UnknownKind::AccessDenied, "iam:GetRole")
    );
    assert!(role.message.contains("not authorized"), "{role}");
    let m = unknown(&f.studios.known().unwrap()[0].session_mappings);
    assert_eq!(
        (m.kind.clone(), m.action.as_str()),
        (
            UnknownKind::AccessDenied,
            "elasticmapreduce:ListStudioSessionMappings"
        )
    );
    let g = unknown(&f.access_grants.grants);
    assert_eq!(
        (g.kind.clone(), g.action.as_str()),
        (UnknownKind::AccessDenied, "s3:ListAccessGrants")
    );
    let a = unknown(&f.applications[APP].assignments);
    assert_eq!(a.action, "sso:ListApplicationAssignmentsForPrincipal");
    // Nothing else is lost.
    assert!(f.access_grants.locations.known().is_ok());
    assert_eq!(f.applications[APP].assignment_required, Fact::Known(true));
}

#[tokio::test]
async fn describe_failure_makes_only_that_studio_unreadable() {
    let h = Harness::new(&with(vec![(
        "emr",
        mock!(aws_sdk_emr::Client::describe_studio)
            .match_requests(|r| r.studio_id() == Some("es-2"))
            .then_http_response(|| http(400, &json_err("AccessDeniedException"))),
    )]));
    let f = h.read(&[Need::Studios]).await;
    let studios = f.studios.known().unwrap();
    let other = studios.iter().find(|s| s.studio_id == "es-2").unwrap();
    let u = other.unreadable.as_ref().unwrap();
    assert!(
        u.to_string()
            .starts_with("AccessDenied on elasticmapreduce:DescribeStudio"),
        "{u}"
    );
    assert_eq!(other.name, "other", "the listing is kept");
    let analytics = studios.iter().find(|s| s.studio_id == "es-1").unwrap();
    assert_eq!(analytics.unreadable, None);
    assert_eq!(analytics.auth_mode, Some(AuthMode::Sso), "described");
}

/// From a member account, an organization instance needs a filter per
/// application on the per-principal call: each application is listed instead.
#[tokio::test]
async fn assignments_are_listed_when_the_instance_is_another_accounts() {
    let h = Harness::new(&with(vec![(
        "ssoadmin",
        mock!(aws_sdk_ssoadmin::Client::list_instances).then_http_response(json_ok(json!({
            "Instances": [{"InstanceArn": "arn:aws:sso:::instance/ssoins-1", "IdentityStoreId": "d-1",
                           "Status": "ACTIVE", "OwnerAccountId": "999999999999"}]}))),
    )]));
    let f = h.read(&all_needs()).await;
    let app = &f.applications[APP];
    assert_eq!(app.assignments.known().unwrap().len(), 2, "both pages");
    assert_eq!(app.assignments_of, None);
    assert_eq!(
        h.count("ssoadmin.ListApplicationAssignmentsForPrincipal"),
        0
    );
}

#[tokio::test]
async fn throttling_recovers_with_retries_or_ends_throttled() {
    let rule = mock!(aws_sdk_emr::Client::list_studios)
        .sequence()
        .http_response(|| http(400, &json_err("ThrottlingException")))
        .times(2)
        .http_response(json_ok(
            json!({"Studios": [{"StudioId": "es-1", "Name": "analytics"}]}),
        ))
        .build();
    let h = Harness::new(&with(vec![("emr", rule.clone())]));
    let f = h.read(&[Need::Studios]).await;
    assert_eq!(f.studios.known().unwrap().len(), 1);
    assert_eq!(rule.num_calls(), 3);

    let h = Harness::new(&with(vec![(
        "athena",
        mock!(aws_sdk_athena::Client::list_work_groups)
            .then_http_response(|| http(400, &json_err("ThrottlingException"))),
    )]));
    let f = h.read(&[Need::Workgroups]).await;
    let u = unknown(&f.workgroups);
    assert_eq!(
        (u.kind.clone(), u.action.as_str()),
        (UnknownKind::Throttled, "athena:ListWorkGroups")
    );
}

#[tokio::test]
async fn html_404_or_500_is_unsupported() {
    let h = Harness::new(&with(vec![
        (
            "emr",
            mock!(aws_sdk_emr::Client::list_studios).then_http_response(|| http(500, HTML)),
        ),
        (
            "s3control",
            mock!(aws_sdk_s3control::Client::get_access_grants_instance)
                .then_http_response(|| http(404, HTML)),
        ),
    ]));
    let f = h.read(&[Need::Studios, Need::AccessGrantsInstance]).await;
    let u = unknown(&f.studios);
    assert_eq!(
        (u.kind.clone(), u.action.as_str()),
        (UnknownKind::Unsupported, "elasticmapreduce:ListStudios")
    );
    let i = unknown(&f.access_grants.instance);
    assert_eq!(
        i.kind,
        UnknownKind::Unsupported,
        "a 404 without an AWS code is not 'no instance'"
    );
    assert!(!i.message.contains('\n'));
}

#[tokio::test]
async fn not_found_answers_are_facts() {
    let h = Harness::new(&with(vec![
        ("iam", mock!(aws_sdk_iam::Client::get_role)
            .match_requests(|r| r.role_name() == Some("UserRole"))
            .then_http_response(|| query_err(404, "NoSuchEntity"))),
        ("identitystore", mock!(aws_sdk_identitystore::Client::get_user_id)
            .then_http_response(|| http(400, &json_err("ResourceNotFoundException")))),
        ("s3control", mock!(aws_sdk_s3control::Client::get_access_grants_instance).then_http_response(|| {
            http(404, "<ErrorResponse><Error><Code>AccessGrantsInstanceNotExistsError</Code><Message>no</Message></Error></ErrorResponse>")
        })),
    ]));
    let f = h
        .read(&[Need::UserRole, Need::Users, Need::AccessGrantsInstance])
        .await;
    assert_eq!(f.roles["UserRole"], Fact::Known(None));
    assert_eq!(f.users[0].user, Fact::Known(None));
    assert!(!f.users[0].groups.is_collected());
    assert_eq!(f.access_grants.instance, Fact::Known(None));
    assert_eq!(h.count("identitystore.DescribeUser"), 0);
}

#[tokio::test]
async fn policies_are_read_only_when_needed() {
    let h = Harness::new(&healthy());
    let f = h.read(&[Need::UserRole]).await;
    assert_eq!(f.roles.len(), 1, "only the user role");
    let role = f.roles["UserRole"].known().unwrap().as_ref().unwrap();
    assert!(!role.inline_policies.is_collected() && !role.attached_policies.is_collected());
    assert_eq!(h.count("iam.ListRolePolicies"), 0);
}

#[tokio::test]
async fn s3control_uses_a_configured_endpoint_as_given() {
    let rules = healthy();
    let h = Harness::with(
        &rules,
        Some("http://127.0.0.1:5055"),
        Duration::from_secs(60),
    );
    let f = h.read(&[Need::AccessGrantsInstance]).await;
    assert!(f.access_grants.instance.known().is_ok());
    let seen = h.seen.0.lock().unwrap().clone();
    let (_, uri) = seen
        .iter()
        .find(|(op, _)| op == "GetAccessGrantsInstance")
        .unwrap();
    assert!(
        uri.starts_with("http://127.0.0.1:5055/v20180820/accessgrantsinstance"),
        "{uri}"
    );

    let h = Harness::new(&rules);
    h.read(&[Need::AccessGrantsInstance]).await;
    let seen = h.seen.0.lock().unwrap().clone();
    let (_, uri) = seen
        .iter()
        .find(|(op, _)| op == "GetAccessGrantsInstance")
        .unwrap();
    assert!(
        uri.starts_with(&format!(
            "https://{ACCOUNT}.s3-control.ap-northeast-1.amazonaws.com/"
        )),
        "{uri}"
    );
}

#[tokio::test]
async fn the_run_deadline_stops_every_read() {
    let h = Harness::with(&healthy(), None, Duration::ZERO);
    let f = h.read(&all_needs()).await;
    let u = unknown(&f.caller);
    assert_eq!(u.kind, UnknownKind::Timeout);
    assert!(u.message.contains("--timeout"));
    assert_eq!(unknown(&f.studios).kind, UnknownKind::Timeout);
    assert_eq!(
        unknown(&f.access_grants.grants).action,
        "sts:GetCallerIdentity"
    );
    assert!(
        h.run.sent().is_empty(),
        "nothing is sent after the deadline"
    );
}

#[test]
fn policy_documents_decode_or_pass_through() {
    use super::iam::parse_policy;
    let doc = r#"{"Version":"2012-10-17","Statement":[]}"#;
    assert_eq!(
        parse_policy(&encoded(doc)).unwrap()["Version"],
        "2012-10-17"
    );
    assert_eq!(parse_policy(doc).unwrap()["Version"], "2012-10-17");
    assert_eq!(
        parse_policy(" {\"a\": \"100%\"}").unwrap()["a"],
        "100%",
        "plain JSON is not percent-decoded"
    );
    assert!(parse_policy("%7Bnot json").is_err());
}

/// The area a request sent for the healthy account is for, judged from the request
/// alone: the service, and for IAM the role or policy it names. `None`: STS.
fn area_of(service: &str, op: &str, body: &str) -> Option<Area> {
    let param = |name: &str| {
        body.split('&')
            .find_map(|p| p.strip_prefix(name)?.strip_prefix('='))
            .map(|v| v.replace("%2F", "/"))
    };
    Some(match service.to_ascii_lowercase().as_str() {
        "sts" => return None,
        "emr" => Area::EmrStudio,
        "athena" => Area::AthenaWorkgroup,
        "identitystore" | "organizations" => Area::IdentityCenter,
        // The users' assignments are read with the users, for every application.
        "sso admin" | "ssoadmin" if op == "ListApplicationAssignmentsForPrincipal" => {
            Area::IdentityCenter
        }
        // Lake Formation's application is read with Lake Formation, the workgroups' with them.
        "sso admin" | "ssoadmin" if op.contains("Application") && body.contains("apl-lf") => {
            Area::LakeFormation
        }
        "sso admin" | "ssoadmin" if op.contains("Application") => Area::AthenaWorkgroup,
        "sso admin" | "ssoadmin" => Area::IdentityCenter,
        "s3 control" | "s3control" => Area::S3AccessGrants,
        // The results bucket's region is read for AG003.
        "s3" => Area::S3AccessGrants,
        "lakeformation" | "glue" => Area::LakeFormation,
        "iam" => match (param("RoleName").as_deref(), param("PolicyArn")) {
            (Some("UserRole" | "ServiceRole"), _) => Area::EmrStudio,
            (Some("AthenaRole"), _) => Area::AthenaWorkgroup,
            (Some("LocationRole"), _) => Area::S3AccessGrants,
            (Some("LfRole"), _) => Area::LakeFormation,
            // Only UserRole attaches it; ServiceRole's boundary; the session policy.
            (None, Some(p))
                if ["Shared", "Boundary", "Session"]
                    .iter()
                    .any(|n| p.ends_with(n)) =>
            {
                Area::EmrStudio
            }
            other => panic!("unexpected IAM request {op} {other:?}: {body}"),
        },
        other => panic!("unexpected service {other}"),
    })
}

#[tokio::test]
async fn each_area_counts_the_calls_sent_for_it() {
    use aws_sdk_iam::Client as Iam;
    // Only UserRole attaches the shared managed policy, so that policy's reads
    // count for EMR Studio alone (a policy attached across areas counts for
    // whichever area reads it first).
    let h = Harness::new(&with(vec![(
        "iam",
        mock!(Iam::list_attached_role_policies)
            .match_requests(|r| r.role_name() != Some("UserRole"))
            .then_output(|| {
                aws_sdk_iam::operation::list_attached_role_policies::ListAttachedRolePoliciesOutput::builder()
                    .is_truncated(false)
                    .build()
            }),
    )]));
    h.read(&all_needs()).await;
    let seen = h.seen.1.lock().unwrap().clone();
    let mut want: BTreeMap<Area, usize> = BTreeMap::new();
    for (service, op, body) in &seen {
        if let Some(area) = area_of(service, op, body) {
            *want.entry(area).or_default() += 1;
        }
    }
    assert_eq!(want.len(), 5, "every area sent something: {want:?}");
    assert_eq!(h.run.sent().len(), seen.len(), "no retries");
    let timings = h.run.timings();
    let got: BTreeMap<Area, usize> = timings.iter().map(|(a, t)| (*a, t.calls)).collect();
    assert_eq!(got, want);
    // STS counts for no area.
    let sts = h.count("sts.GetCallerIdentity");
    assert_eq!(sts, 1);
    assert_eq!(got.values().sum::<usize>() + sts, seen.len());
    for (area, t) in &timings {
        assert!(t.elapsed > Duration::ZERO, "{area:?} took no time");
    }
}

#[tokio::test]
async fn the_studio_application_is_the_one_with_the_studio_url() {
    const URL: &str = "https://es-1.emrstudio-prod.ap-northeast-1.amazonaws.com";
    const STUDIO_APP: &str = "arn:aws:sso::111122223333:application/ssoins-1/apl-studio";
    let h = Harness::new(&with(vec![
        ("emr", mock!(aws_sdk_emr::Client::describe_studio)
            .match_requests(|r| r.studio_id() == Some("es-1"))
            .then_http_response(json_ok(json!({"Studio": {"StudioId": "es-1", "Name": "analytics",
                "AuthMode": "SSO", "Url": URL, "IdcInstanceArn": "arn:aws:sso:::instance/ssoins-1"}})))),
        ("ssoadmin", mock!(aws_sdk_ssoadmin::Client::list_applications)
            .match_requests(|r| {
                r.instance_arn() == Some("arn:aws:sso:::instance/ssoins-1")
                    && r.filter().and_then(|f| f.application_account()) == Some(ACCOUNT)
            })
            .then_http_response(json_ok(json!({"Applications": [
                {"ApplicationArn": APP, "PortalOptions": {"SignInOptions": {"Origin": "IDENTITY_CENTER"}}},
                {"ApplicationArn": STUDIO_APP, "PortalOptions": {"SignInOptions":
                    {"Origin": "APPLICATION", "ApplicationUrl": format!("{URL}/")}}}]})))),
    ]));
    let f = h.read(&[Need::StudioApplications]).await;
    let studios = f.studios.known().unwrap();
    let analytics = studios.iter().find(|s| s.studio_id == "es-1").unwrap();
    assert_eq!(
        analytics.application_arn,
        Fact::Known(Some(STUDIO_APP.into()))
    );
    // An IAM Studio has no Identity Center application to look for.
    let other = studios.iter().find(|s| s.studio_id == "es-2").unwrap();
    assert!(!other.application_arn.is_collected());
    let app = &f.applications[STUDIO_APP];
    assert_eq!(app.assignment_required, Fact::Known(true));
    assert_eq!(app.assignments.known().unwrap().len(), 2);
    assert_eq!(h.count("ssoadmin.ListApplications"), 1);
}

#[tokio::test]
async fn no_application_with_the_studio_url_is_known_none_and_a_denied_list_is_unknown() {
    let h = Harness::new(&with(vec![
        ("emr", mock!(aws_sdk_emr::Client::describe_studio)
            .match_requests(|r| r.studio_id() == Some("es-1"))
            .then_http_response(json_ok(json!({"Studio": {"StudioId": "es-1", "Name": "analytics",
                "AuthMode": "SSO", "Url": "https://es-1.example", "IdcInstanceArn": "arn:aws:sso:::instance/ssoins-1"}})))),
        ("ssoadmin", mock!(aws_sdk_ssoadmin::Client::list_applications)
            .then_http_response(json_ok(json!({"Applications": [
                {"ApplicationArn": APP, "PortalOptions": {"SignInOptions": {"Origin": "IDENTITY_CENTER"}}}]})))),
    ]));
    let f = h.read(&[Need::StudioApplications]).await;
    let s = &f.studios.known().unwrap()[0];
    assert_eq!(s.application_arn, Fact::Known(None));

    let h = Harness::new(&with(vec![
        ("emr", mock!(aws_sdk_emr::Client::describe_studio)
            .match_requests(|r| r.studio_id() == Some("es-1"))
            .then_http_response(json_ok(json!({"Studio": {"StudioId": "es-1", "Name": "analytics",
                "AuthMode": "SSO", "Url": "https://es-1.example", "IdcInstanceArn": "arn:aws:sso:::instance/ssoins-1"}})))),
        ("ssoadmin", mock!(aws_sdk_ssoadmin::Client::list_applications)
            .then_http_response(|| http(400, &json_err("AccessDeniedException")))),
    ]));
    let f = h.read(&[Need::StudioApplications]).await;
    let s = &f.studios.known().unwrap()[0];
    assert_eq!(unknown(&s.application_arn).action, "sso:ListApplications");
}

/// Lists ask for the largest page each API allows (fewer calls on large accounts).
#[tokio::test]
async fn lists_ask_for_the_largest_page_the_api_allows() {
    let h = Harness::new(&healthy());
    h.read(&all_needs()).await;
    let json = |op: &str| -> serde_json::Value { serde_json::from_str(&body_of(&h, op)).unwrap() };
    assert_eq!(json("ListPermissions")["MaxResults"], 1000);
    assert_eq!(json("ListResources")["MaxResults"], 1000);
    assert_eq!(json("ListWorkGroups")["MaxResults"], 50);
    assert_eq!(
        json("ListApplicationAssignmentsForPrincipal")["MaxResults"],
        100
    );
    assert_eq!(json("ListInstances")["MaxResults"], 100);
    assert_eq!(json("ListGroupMembershipsForMember")["MaxResults"], 100);
    assert!(body_of(&h, "ListRolePolicies").contains("MaxItems=1000"));
    assert!(body_of(&h, "ListAttachedRolePolicies").contains("MaxItems=1000"));
}

/// Targets that read Identity Center from one account share its reads: the
/// second target sends none of the instance, user and assignment reads the first
/// made, and gets the same facts.
#[tokio::test]
async fn identity_center_read_elsewhere_is_read_once_for_every_target() {
    let shared = Arc::new(super::run::IdcShared::default());
    let (first, second) = (Harness::new(&healthy()), Harness::new(&healthy()));
    for h in [&first, &second] {
        let _ = h.run.shared_idc.set(shared.clone());
    }
    let needs = all_needs();
    let a = first.read(&needs).await;
    let b = second.read(&needs).await;
    assert_eq!(a.identity_center_instances, b.identity_center_instances);
    assert_eq!(a.users, b.users);
    assert_eq!(a.applications, b.applications);
    for op in [
        "ssoadmin.ListInstances",
        "ssoadmin.DescribeInstance",
        "identitystore.GetUserId",
        "identitystore.ListGroupMembershipsForMember",
        "ssoadmin.GetApplicationAssignmentConfiguration",
    ] {
        assert!(first.count(op) >= 1, "{op}");
        assert_eq!(second.count(op), 0, "{op}");
    }
    // Reads of the target's own account are not shared.
    assert!(first.count("emr.ListStudios") > 0);
    assert_eq!(
        second.count("emr.ListStudios"),
        first.count("emr.ListStudios")
    );
}

/// An organization can deny its member accounts' Identity Center reads: a denied
/// identity-store read in the target account says how to read it elsewhere; read
/// from another account, it does not.
#[tokio::test]
async fn a_denied_identity_store_read_says_to_read_identity_center_elsewhere() {
    use aws_sdk_identitystore::Client as Ids;
    let denied = || {
        with(vec![(
            "identitystore",
            mock!(Ids::get_user_id)
                .then_http_response(|| http(400, &json_err("AccessDeniedException"))),
        )])
    };
    let here = Harness::new(&denied());
    let f = here.read(&[Need::Users]).await;
    let u = unknown(&f.users[0].user);
    assert_eq!(u.kind, UnknownKind::AccessDenied);
    assert!(u.message.contains("--identity-center-profile"), "{u}");

    let elsewhere = Harness::new(&denied());
    elsewhere
        .run
        .identity_center_here
        .store(false, std::sync::atomic::Ordering::Relaxed);
    let f = elsewhere.read(&[Need::Users]).await;
    let u = unknown(&f.users[0].user);
    assert!(!u.message.contains("--identity-center-profile"), "{u}");
    // Other services' denials carry no such hint.
    let iam = Harness::new(&with(vec![(
        "iam",
        mock!(aws_sdk_iam::Client::get_role).then_http_response(|| query_err(403, "AccessDenied")),
    )]));
    let f = iam.read(&[Need::UserRole]).await;
    assert!(
        !unknown(&f.roles["UserRole"])
            .message
            .contains("--identity-center")
    );
}
