//! Every AWS operation the collectors can send, the IAM action it needs, and a
//! recorder that logs each operation actually sent.

use super::run::Pool;
use super::timing::current_area;
use aws_sdk_sts::config::interceptors::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_sdk_sts::config::{Intercept, RuntimeComponents};
use aws_sdk_sts::error::BoxError;
use aws_smithy_types::config_bag::ConfigBag;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, LockResult, Mutex, MutexGuard};
use studio_doctor_checks::{Area, Need};

/// One AWS API call the collectors may make. (Only `action` is used outside the
/// tests, which prove the collectors send nothing else.)
#[derive(Debug)]
#[cfg_attr(not(test), allow(dead_code))]
pub struct Operation {
    /// The client that sends it: `sts`, `emr`, `athena`, `ssoadmin`, `identitystore`, `iam`,
    /// `s3control`, `lakeformation`, `glue`, `s3`.
    pub service: &'static str,
    /// The API operation name, e.g. `DescribeStudio`.
    pub operation: &'static str,
    /// The IAM action it needs, e.g. `elasticmapreduce:DescribeStudio`.
    pub action: &'static str,
    /// The needs that make the collectors send it.
    pub needs: &'static [Need],
}

#[cfg_attr(not(test), allow(dead_code))]
impl Operation {
    /// `service.Operation`, as the recorder logs it.
    pub fn key(&self) -> String {
        format!("{}.{}", self.service, self.operation)
    }
}

const fn op(
    service: &'static str,
    operation: &'static str,
    action: &'static str,
    needs: &'static [Need],
) -> Operation {
    Operation {
        service,
        operation,
        action,
        needs,
    }
}

use Need::*;
const ROLES: &[Need] = &[
    UserRole,
    UserRolePolicies,
    ServiceRolePolicies,
    ExecutionRole,
    ExecutionRolePolicies,
    LocationRole,
    LocationRolePolicies,
    LfLocationRole,
];
const POLICIES: &[Need] = &[
    UserRolePolicies,
    ServiceRolePolicies,
    ExecutionRolePolicies,
    LocationRolePolicies,
];
const STUDIOS: &[Need] = &[
    Studios,
    SessionMappings,
    SessionPolicies,
    UserRole,
    UserRolePolicies,
    ServiceRolePolicies,
    StudioApplications,
];
const WORKGROUPS: &[Need] = &[
    Workgroups,
    WorkgroupAssignments,
    ExecutionRole,
    ExecutionRolePolicies,
    ResultsBucket,
];

pub const GET_CALLER_IDENTITY: Operation = op(
    "sts",
    "GetCallerIdentity",
    "sts:GetCallerIdentity",
    &[
        Caller,
        Organization,
        AccessGrantsInstance,
        AccessGrantsLocations,
        AccessGrants,
        LocationRole,
        LocationRolePolicies,
        LfIdentityCenter,
        LfApplicationAssignments,
        StudioApplications,
        ResultsBucket,
    ],
);
pub const DESCRIBE_ORGANIZATION: Operation = op(
    "organizations",
    "DescribeOrganization",
    "organizations:DescribeOrganization",
    &[Organization],
);
pub const LIST_INSTANCES: Operation = op(
    "ssoadmin",
    "ListInstances",
    "sso:ListInstances",
    &[IdcInstances, Users, IdcInstanceDetails],
);
pub const DESCRIBE_INSTANCE: Operation = op(
    "ssoadmin",
    "DescribeInstance",
    "sso:DescribeInstance",
    &[IdcInstanceDetails],
);
pub const GET_USER_ID: Operation = op(
    "identitystore",
    "GetUserId",
    "identitystore:GetUserId",
    &[Users],
);
/// Read only when a `--user` is not found, to suggest the closest name.
pub const LIST_USERS: Operation = op(
    "identitystore",
    "ListUsers",
    "identitystore:ListUsers",
    &[Users],
);
pub const DESCRIBE_USER: Operation = op(
    "identitystore",
    "DescribeUser",
    "identitystore:DescribeUser",
    &[Users],
);
pub const LIST_GROUP_MEMBERSHIPS: Operation = op(
    "identitystore",
    "ListGroupMembershipsForMember",
    "identitystore:ListGroupMembershipsForMember",
    &[Users],
);
pub const DESCRIBE_GROUP: Operation = op(
    "identitystore",
    "DescribeGroup",
    "identitystore:DescribeGroup",
    &[Users],
);
pub const LIST_STUDIOS: Operation = op(
    "emr",
    "ListStudios",
    "elasticmapreduce:ListStudios",
    STUDIOS,
);
pub const DESCRIBE_STUDIO: Operation = op(
    "emr",
    "DescribeStudio",
    "elasticmapreduce:DescribeStudio",
    STUDIOS,
);
pub const LIST_SESSION_MAPPINGS: Operation = op(
    "emr",
    "ListStudioSessionMappings",
    "elasticmapreduce:ListStudioSessionMappings",
    &[SessionMappings, SessionPolicies],
);
pub const LIST_WORK_GROUPS: Operation = op(
    "athena",
    "ListWorkGroups",
    "athena:ListWorkGroups",
    WORKGROUPS,
);
pub const GET_WORK_GROUP: Operation =
    op("athena", "GetWorkGroup", "athena:GetWorkGroup", WORKGROUPS);
pub const GET_ASSIGNMENT_CONFIGURATION: Operation = op(
    "ssoadmin",
    "GetApplicationAssignmentConfiguration",
    "sso:GetApplicationAssignmentConfiguration",
    &[
        WorkgroupAssignments,
        LfApplicationAssignments,
        StudioApplications,
    ],
);
pub const LIST_APPLICATION_ASSIGNMENTS: Operation = op(
    "ssoadmin",
    "ListApplicationAssignments",
    "sso:ListApplicationAssignments",
    &[
        WorkgroupAssignments,
        LfApplicationAssignments,
        StudioApplications,
    ],
);
pub const LIST_ASSIGNMENTS_FOR_PRINCIPAL: Operation = op(
    "ssoadmin",
    "ListApplicationAssignmentsForPrincipal",
    "sso:ListApplicationAssignmentsForPrincipal",
    &[
        WorkgroupAssignments,
        LfApplicationAssignments,
        StudioApplications,
    ],
);
pub const LIST_APPLICATIONS: Operation = op(
    "ssoadmin",
    "ListApplications",
    "sso:ListApplications",
    &[StudioApplications],
);
pub const GET_ROLE: Operation = op("iam", "GetRole", "iam:GetRole", ROLES);
pub const LIST_ROLE_POLICIES: Operation =
    op("iam", "ListRolePolicies", "iam:ListRolePolicies", POLICIES);
pub const GET_ROLE_POLICY: Operation = op("iam", "GetRolePolicy", "iam:GetRolePolicy", POLICIES);
pub const LIST_ATTACHED_ROLE_POLICIES: Operation = op(
    "iam",
    "ListAttachedRolePolicies",
    "iam:ListAttachedRolePolicies",
    POLICIES,
);
pub const GET_POLICY: Operation = op(
    "iam",
    "GetPolicy",
    "iam:GetPolicy",
    &[
        UserRolePolicies,
        ServiceRolePolicies,
        ExecutionRolePolicies,
        LocationRolePolicies,
        SessionPolicies,
    ],
);
pub const GET_POLICY_VERSION: Operation = op(
    "iam",
    "GetPolicyVersion",
    "iam:GetPolicyVersion",
    &[
        UserRolePolicies,
        ServiceRolePolicies,
        ExecutionRolePolicies,
        LocationRolePolicies,
        SessionPolicies,
    ],
);
pub const GET_ACCESS_GRANTS_INSTANCE: Operation = op(
    "s3control",
    "GetAccessGrantsInstance",
    "s3:GetAccessGrantsInstance",
    &[AccessGrantsInstance],
);
pub const LIST_ACCESS_GRANTS_LOCATIONS: Operation = op(
    "s3control",
    "ListAccessGrantsLocations",
    "s3:ListAccessGrantsLocations",
    &[AccessGrantsLocations, LocationRole, LocationRolePolicies],
);
pub const LIST_ACCESS_GRANTS: Operation = op(
    "s3control",
    "ListAccessGrants",
    "s3:ListAccessGrants",
    &[AccessGrants],
);
pub const DESCRIBE_LF_IDENTITY_CENTER: Operation = op(
    "lakeformation",
    "DescribeLakeFormationIdentityCenterConfiguration",
    "lakeformation:DescribeLakeFormationIdentityCenterConfiguration",
    &[LfIdentityCenter, LfApplicationAssignments],
);
pub const GET_DATA_LAKE_SETTINGS: Operation = op(
    "lakeformation",
    "GetDataLakeSettings",
    "lakeformation:GetDataLakeSettings",
    &[LfSettings],
);
pub const LIST_PERMISSIONS: Operation = op(
    "lakeformation",
    "ListPermissions",
    "lakeformation:ListPermissions",
    &[LfPermissions, LfTagGrants, LfDataFilters],
);
pub const GET_RESOURCE_LF_TAGS: Operation = op(
    "lakeformation",
    "GetResourceLFTags",
    "lakeformation:GetResourceLFTags",
    &[LfTagGrants],
);
pub const LIST_DATA_CELLS_FILTER: Operation = op(
    "lakeformation",
    "ListDataCellsFilter",
    "lakeformation:ListDataCellsFilter",
    &[LfDataFilters],
);
pub const LIST_RESOURCES: Operation = op(
    "lakeformation",
    "ListResources",
    "lakeformation:ListResources",
    &[LfResources, LfLocationRole],
);
pub const LIST_LF_OPT_INS: Operation = op(
    "lakeformation",
    "ListLakeFormationOptIns",
    "lakeformation:ListLakeFormationOptIns",
    &[LfOptIns],
);
pub const GET_TABLE: Operation = op(
    "glue",
    "GetTable",
    "glue:GetTable",
    &[GlueTables, LfLocationRole],
);
/// Read only when a `--table` is not found, to suggest the closest name.
pub const GET_TABLES: Operation = op("glue", "GetTables", "glue:GetTables", &[GlueTables]);

pub const GET_BUCKET_LOCATION: Operation = op(
    "s3",
    "GetBucketLocation",
    "s3:GetBucketLocation",
    &[ResultsBucket],
);

/// Every operation the collectors can send. All are read-only.
pub const OPERATIONS: &[Operation] = &[
    GET_CALLER_IDENTITY,
    DESCRIBE_ORGANIZATION,
    LIST_INSTANCES,
    DESCRIBE_INSTANCE,
    GET_USER_ID,
    DESCRIBE_USER,
    LIST_USERS,
    LIST_GROUP_MEMBERSHIPS,
    DESCRIBE_GROUP,
    LIST_STUDIOS,
    DESCRIBE_STUDIO,
    LIST_SESSION_MAPPINGS,
    LIST_WORK_GROUPS,
    GET_WORK_GROUP,
    GET_ASSIGNMENT_CONFIGURATION,
    LIST_APPLICATION_ASSIGNMENTS,
    LIST_ASSIGNMENTS_FOR_PRINCIPAL,
    LIST_APPLICATIONS,
    GET_ROLE,
    LIST_ROLE_POLICIES,
    GET_ROLE_POLICY,
    LIST_ATTACHED_ROLE_POLICIES,
    GET_POLICY,
    GET_POLICY_VERSION,
    GET_ACCESS_GRANTS_INSTANCE,
    LIST_ACCESS_GRANTS_LOCATIONS,
    LIST_ACCESS_GRANTS,
    DESCRIBE_LF_IDENTITY_CENTER,
    GET_DATA_LAKE_SETTINGS,
    LIST_PERMISSIONS,
    LIST_RESOURCES,
    LIST_LF_OPT_INS,
    GET_RESOURCE_LF_TAGS,
    LIST_DATA_CELLS_FILTER,
    GET_TABLE,
    GET_TABLES,
    GET_BUCKET_LOCATION,
];

/// The least-privilege IAM policy that lets studio-doctor run every check.
pub fn permissions_policy() -> Value {
    let actions: BTreeSet<&str> = OPERATIONS.iter().map(|o| o.action).collect();
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "StudioDoctorReadOnly",
            "Effect": "Allow",
            "Action": actions.into_iter().collect::<Vec<_>>(),
            "Resource": "*"
        }]
    })
}

/// One operation sent: `service.Operation`, and the area it was sent for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub key: String,
    pub area: Option<Area>,
}

/// The operations sent during a run, in the order sent, and the throttling
/// answers each service gave (retries included).
#[derive(Clone, Debug, Default)]
pub struct OpLog {
    sent: Arc<Mutex<Vec<Sent>>>,
    throttled: Arc<Mutex<HashMap<&'static str, u64>>>,
    /// Each service's pool of call slots, cut as soon as the service throttles.
    pools: Arc<Mutex<HashMap<&'static str, Arc<Pool>>>>,
}

impl OpLog {
    pub fn lock(&self) -> LockResult<MutexGuard<'_, Vec<Sent>>> {
        self.sent.lock()
    }

    /// How many throttling answers `service` has given so far.
    pub fn throttled(&self, service: &str) -> u64 {
        let t = self.throttled.lock().unwrap_or_else(|e| e.into_inner());
        t.get(service).copied().unwrap_or(0)
    }

    fn throttle(&self, service: &'static str) {
        let mut t = self.throttled.lock().unwrap_or_else(|e| e.into_inner());
        *t.entry(service).or_default() += 1;
        drop(t);
        if let Some(pool) = self.pools.lock().ok().and_then(|p| p.get(service).cloned()) {
            pool.cut();
        }
    }

    /// The service's pool of call slots, made with `max` slots on first use.
    pub fn pool(&self, service: &'static str, max: usize) -> Arc<Pool> {
        let mut pools = self.pools.lock().unwrap_or_else(|e| e.into_inner());
        pools
            .entry(service)
            .or_insert_with(|| Arc::new(Pool::new(max)))
            .clone()
    }
}

/// Whether an answer is AWS saying "slow down": HTTP 429, or an error whose code
/// is one of the throttling codes the SDKs retry as throttling.
pub fn is_throttling(status: u16, body: &[u8]) -> bool {
    const CODES: [&str; 8] = [
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
        "RequestThrottled",
        "ProvisionedThroughputExceededException",
    ];
    if status == 429 {
        return true;
    }
    if !(400..600).contains(&status) {
        return false;
    }
    let text = String::from_utf8_lossy(body);
    CODES.iter().any(|c| {
        text.contains(&format!("\"{c}\""))
            || text.contains(&format!("<Code>{c}</Code>"))
            || text.contains(&format!("#{c}\""))
    })
}

/// An SDK interceptor that appends `service.Operation` (and the area the call is
/// for, see [`current_area`]) to an [`OpLog`] for every operation a client
/// serializes (once per operation, not per retry).
///
/// The operation name is read from the request on the wire: the `X-Amz-Target`
/// header (JSON protocols), the `Action=` form field (query protocols: IAM, STS),
/// or the method and path (S3 Control's REST-XML; S3's `GET ...?location`; Lake
/// Formation's REST-JSON, which posts to `/<Operation>`).
#[derive(Debug, Clone)]
pub struct Recorder {
    service: &'static str,
    log: OpLog,
}

impl Recorder {
    pub fn new(service: &'static str, log: &OpLog) -> Self {
        Recorder {
            service,
            log: log.clone(),
        }
    }
}

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "studio-doctor operation recorder"
    }

    fn read_after_serialization(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let req = context.request();
        let name = operation_name(
            req.method(),
            req.uri(),
            req.headers().get("x-amz-target"),
            req.body().bytes(),
        );
        if let Ok(mut log) = self.log.lock() {
            log.push(Sent {
                key: format!("{}.{}", self.service, name),
                area: current_area(),
            });
        }
        Ok(())
    }

    fn read_before_deserialization(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let resp = context.response();
        let body = resp.body().bytes().unwrap_or_default();
        if is_throttling(resp.status().as_u16(), body) {
            self.log.throttle(self.service);
        }
        Ok(())
    }
}

/// The operation a serialized request calls.
pub fn operation_name(
    method: &str,
    uri: &str,
    target: Option<&str>,
    body: Option<&[u8]>,
) -> String {
    if let Some(t) = target {
        return t.rsplit('.').next().unwrap_or(t).to_string();
    }
    if let Some(body) = body
        && let Ok(text) = std::str::from_utf8(body)
        && let Some(action) = text.split('&').find_map(|p| p.strip_prefix("Action="))
    {
        return action.to_string();
    }
    let path = uri
        .split_once("://")
        .map_or(uri, |(_, rest)| rest.find('/').map_or("/", |i| &rest[i..]));
    let query = path.split_once('?').map_or("", |(_, q)| q);
    if method == "GET"
        && query
            .split('&')
            .any(|p| p == "location" || p == "location=")
    {
        return "GetBucketLocation".into();
    }
    let path = path.split('?').next().unwrap_or(path).trim_end_matches('/');
    match (method, path) {
        ("GET", "/v20180820/accessgrantsinstance") => "GetAccessGrantsInstance".into(),
        ("GET", "/v20180820/accessgrantsinstance/locations") => "ListAccessGrantsLocations".into(),
        ("GET", "/v20180820/accessgrantsinstance/grants") => "ListAccessGrants".into(),
        ("POST", p) if is_operation_path(p) => p[1..].to_string(),
        _ => format!("{method} {path}"),
    }
}

/// `/ListPermissions`: one path segment naming an operation (REST-JSON services
/// whose every operation is `POST /<Operation>`).
fn is_operation_path(path: &str) -> bool {
    path.strip_prefix('/').is_some_and(|name| {
        name.starts_with(|c: char| c.is_ascii_uppercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn throttling_answers_are_recognised_in_every_protocol() {
        use super::is_throttling;
        assert!(is_throttling(429, b""));
        assert!(is_throttling(
            400,
            br#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#
        ));
        assert!(is_throttling(
            400,
            br#"{"__type":"com.amazon#TooManyRequestsException"}"#
        ));
        assert!(is_throttling(
            400,
            b"<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>"
        ));
        assert!(is_throttling(503, b"<Error><Code>SlowDown</Code></Error>"));
        assert!(!is_throttling(
            400,
            br#"{"__type":"AccessDeniedException"}"#
        ));
        assert!(!is_throttling(200, br#"{"__type":"ThrottlingException"}"#));
    }

    use super::*;

    #[test]
    fn every_operation_is_read_only() {
        for o in OPERATIONS {
            let (_, action) = o.action.split_once(':').unwrap();
            assert!(
                ["Get", "List", "Describe"]
                    .iter()
                    .any(|p| action.starts_with(p)),
                "{} is not read-only",
                o.action
            );
            assert!(
                ["Get", "List", "Describe"]
                    .iter()
                    .any(|p| o.operation.starts_with(p)),
                "{} is not read-only",
                o.operation
            );
            assert!(!o.needs.is_empty(), "{} serves no need", o.operation);
        }
    }

    /// `explain` derives a check's permissions from `Need::actions` (checks
    /// crate): each need names exactly the actions of the operations serving it.
    #[test]
    fn each_need_names_the_actions_of_the_operations_that_serve_it() {
        for need in Need::ALL {
            let served: BTreeSet<&str> = OPERATIONS
                .iter()
                .filter(|o| o.needs.contains(&need))
                .map(|o| o.action)
                .collect();
            let named = need.actions();
            assert_eq!(named, served, "{need:?}");
        }
    }

    #[test]
    fn operations_are_unique() {
        let keys: BTreeSet<String> = OPERATIONS.iter().map(Operation::key).collect();
        assert_eq!(keys.len(), OPERATIONS.len());
    }

    #[test]
    fn policy_lists_every_action_once_sorted() {
        let p = permissions_policy();
        assert_eq!(p["Version"], "2012-10-17");
        let st = &p["Statement"][0];
        assert_eq!(st["Effect"], "Allow");
        assert_eq!(st["Resource"], "*");
        let actions: Vec<&str> = st["Action"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let mut sorted = actions.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(actions, sorted);
        let want: BTreeSet<&str> = OPERATIONS.iter().map(|o| o.action).collect();
        assert_eq!(actions.into_iter().collect::<BTreeSet<_>>(), want);
        assert!(want.contains("iam:GetRole") && want.contains("s3:ListAccessGrants"));
        assert!(want.contains("lakeformation:ListPermissions") && want.contains("glue:GetTable"));
        assert!(want.contains("s3:GetBucketLocation"));
        assert!(want.contains("identitystore:ListUsers") && want.contains("glue:GetTables"));
    }

    #[test]
    fn operation_names_come_from_the_wire() {
        let t = Some("ElasticMapReduce.DescribeStudio");
        assert_eq!(
            operation_name("POST", "https://x/", t, None),
            "DescribeStudio"
        );
        let body = b"Action=GetRole&Version=2010-05-08&RoleName=r".as_slice();
        assert_eq!(
            operation_name("POST", "https://iam/", None, Some(body)),
            "GetRole"
        );
        let uri = "https://1.s3-control.us-east-1.amazonaws.com/v20180820/accessgrantsinstance/grants?maxResults=1";
        assert_eq!(operation_name("GET", uri, None, None), "ListAccessGrants");
        let uri = "http://127.0.0.1:5055/v20180820/accessgrantsinstance";
        assert_eq!(
            operation_name("GET", uri, None, None),
            "GetAccessGrantsInstance"
        );
        let uri = "http://127.0.0.1:5055/athena-results-1/?location";
        assert_eq!(operation_name("GET", uri, None, None), "GetBucketLocation");
        let uri = "https://b.s3.ap-northeast-1.amazonaws.com/?location";
        assert_eq!(operation_name("GET", uri, None, None), "GetBucketLocation");
        let uri = "https://lakeformation.ap-northeast-1.amazonaws.com/ListPermissions";
        assert_eq!(operation_name("POST", uri, None, None), "ListPermissions");
        let t = Some("AWSGlue.GetTable");
        assert_eq!(operation_name("POST", "https://x/", t, None), "GetTable");
        let uri = "http://127.0.0.1:5055/v20180820/accessgrantsinstance";
        assert_eq!(
            operation_name("DELETE", uri, None, None),
            "DELETE /v20180820/accessgrantsinstance"
        );
    }
}
