//! What each [`Need`] costs in IAM permissions: the actions of the operations
//! its collector sends. `explain` derives a check's "Permissions needed" from
//! its `needs`; a test of the binary ties this table to the operations table
//! the collectors use (`src/collect/ops.rs`) in both directions.

use crate::check::{Meta, Need};
use std::collections::BTreeSet;

// The actions, in the groups the collectors send them in.
const CALLER: &[&str] = &["sts:GetCallerIdentity"];
const INSTANCES: &[&str] = &["sso:ListInstances"];
const USERS: &[&str] = &[
    "identitystore:DescribeGroup",
    "identitystore:DescribeUser",
    "identitystore:GetUserId",
    "identitystore:ListGroupMembershipsForMember",
    "identitystore:ListUsers",
];
const STUDIOS: &[&str] = &[
    "elasticmapreduce:DescribeStudio",
    "elasticmapreduce:ListStudios",
];
const MAPPINGS: &[&str] = &["elasticmapreduce:ListStudioSessionMappings"];
const WORKGROUPS: &[&str] = &["athena:GetWorkGroup", "athena:ListWorkGroups"];
const ASSIGNMENTS: &[&str] = &[
    "sso:GetApplicationAssignmentConfiguration",
    "sso:ListApplicationAssignments",
    "sso:ListApplicationAssignmentsForPrincipal",
];
const ROLE: &[&str] = &["iam:GetRole"];
/// A role's inline policies and the list of its attached ones.
const ROLE_POLICIES: &[&str] = &[
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:ListRolePolicies",
];
/// A managed policy and its default version's document.
const POLICIES: &[&str] = &["iam:GetPolicy", "iam:GetPolicyVersion"];
const LOCATIONS: &[&str] = &["s3:ListAccessGrantsLocations"];
const LF_IDENTITY_CENTER: &[&str] =
    &["lakeformation:DescribeLakeFormationIdentityCenterConfiguration"];
const LF_PERMISSIONS: &[&str] = &["lakeformation:ListPermissions"];
const LF_RESOURCES: &[&str] = &["lakeformation:ListResources"];
const TABLE: &[&str] = &["glue:GetTable"];

impl Need {
    /// The IAM actions the collectors may call to read this need.
    pub fn actions(self) -> BTreeSet<&'static str> {
        let groups: &[&[&str]] = match self {
            Need::Caller => &[CALLER],
            Need::IdcInstances => &[INSTANCES],
            Need::Organization => &[CALLER, &["organizations:DescribeOrganization"]],
            Need::Users => &[INSTANCES, USERS],
            Need::Studios => &[STUDIOS],
            Need::SessionMappings => &[STUDIOS, MAPPINGS],
            Need::Workgroups => &[WORKGROUPS],
            Need::WorkgroupAssignments => &[WORKGROUPS, ASSIGNMENTS],
            Need::UserRole => &[STUDIOS, ROLE],
            Need::UserRolePolicies | Need::ServiceRolePolicies => {
                &[STUDIOS, ROLE, ROLE_POLICIES, POLICIES]
            }
            Need::AccessGrantsInstance => &[CALLER, &["s3:GetAccessGrantsInstance"]],
            Need::AccessGrantsLocations => &[CALLER, LOCATIONS],
            Need::AccessGrants => &[CALLER, &["s3:ListAccessGrants"]],
            Need::IdcInstanceDetails => &[INSTANCES, &["sso:DescribeInstance"]],
            Need::SessionPolicies => &[STUDIOS, MAPPINGS, POLICIES],
            Need::ExecutionRole => &[WORKGROUPS, ROLE],
            Need::ExecutionRolePolicies => &[WORKGROUPS, ROLE, ROLE_POLICIES, POLICIES],
            Need::LocationRole => &[CALLER, LOCATIONS, ROLE],
            Need::LocationRolePolicies => &[CALLER, LOCATIONS, ROLE, ROLE_POLICIES, POLICIES],
            Need::LfIdentityCenter => &[CALLER, LF_IDENTITY_CENTER],
            Need::LfSettings => &[&["lakeformation:GetDataLakeSettings"]],
            Need::LfPermissions => &[LF_PERMISSIONS],
            Need::LfResources => &[LF_RESOURCES],
            Need::LfOptIns => &[&["lakeformation:ListLakeFormationOptIns"]],
            Need::LfLocationRole => &[LF_RESOURCES, TABLE, ROLE],
            Need::GlueTables => &[TABLE, &["glue:GetTables"]],
            Need::LfTagGrants => &[LF_PERMISSIONS, &["lakeformation:GetResourceLFTags"]],
            Need::LfDataFilters => &[LF_PERMISSIONS, &["lakeformation:ListDataCellsFilter"]],
            Need::LfApplicationAssignments => &[CALLER, LF_IDENTITY_CENTER, ASSIGNMENTS],
            Need::StudioApplications => &[CALLER, STUDIOS, &["sso:ListApplications"], ASSIGNMENTS],
            Need::ResultsBucket => &[CALLER, WORKGROUPS, &["s3:GetBucketLocation"]],
        };
        groups.iter().flat_map(|g| g.iter().copied()).collect()
    }
}

/// What the Permissions section says about some actions.
const NOTES: &[(&str, &str)] = &[
    // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
    (
        "sts:GetCallerIdentity",
        "needs no permission: AWS allows it even when a policy denies it",
    ),
    (
        "identitystore:ListUsers",
        "is called only when a `--user` is not found, to suggest the closest name",
    ),
    (
        "glue:GetTables",
        "is called only when a `--table` is not found, to suggest the closest name",
    ),
    (
        "lakeformation:ListPermissions",
        "returns only what the caller may see: run studio-doctor as a Lake Formation \
         data lake administrator or read-only administrator (LF009)",
    ),
];

/// The IAM actions a check's own reads need: the union over its `needs`.
pub fn actions(meta: &Meta) -> BTreeSet<&'static str> {
    meta.needs.iter().flat_map(|n| n.actions()).collect()
}

/// The check's "Permissions needed" paragraph (Markdown), derived from its
/// needs and, for a run of it alone, its prerequisites' needs.
pub fn permissions_section(meta: &'static Meta) -> String {
    let own = actions(meta);
    let list = |set: &BTreeSet<&str>| {
        set.iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = String::from("**Permissions needed.** ");
    if own.is_empty() {
        out.push_str("None: it reads nothing from AWS.");
    } else {
        out.push_str(&format!("{}.", list(&own)));
    }
    let this: Vec<_> = crate::registry::find(meta.id).into_iter().collect();
    let before: BTreeSet<&str> = crate::registry::with_prerequisites(&this)
        .iter()
        .flat_map(|c| actions(c.meta))
        .filter(|a| !own.contains(a))
        .collect();
    if !before.is_empty() {
        out.push_str(&format!(
            " Run alone (`--only {}`), it also reads what its prerequisites need: {}.",
            meta.id,
            list(&before)
        ));
    }
    for (action, note) in NOTES {
        if own.contains(action) || before.contains(action) {
            out.push_str(&format!(" `{action}` {note}."));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{actions, permissions_section};
    use crate::registry::{self, find};

    fn section(id: &str) -> String {
        permissions_section(find(id).unwrap().meta)
    }

    #[test]
    fn explain_prints_the_derived_permissions_once_before_the_evidence() {
        for c in registry::ALL {
            let id = c.meta.id;
            assert!(
                !c.source.contains("**Permissions needed.**"),
                "{id}: the permissions are derived from its needs, not written by hand"
            );
            let doc = c.explanation();
            assert_eq!(doc.matches("**Permissions needed.**").count(), 1, "{id}");
            let at = doc.find("**Permissions needed.**").unwrap();
            assert!(at < doc.find("**Evidence.**").unwrap(), "{id}");
            assert!(doc.find("**How to fix.**").unwrap() < at, "{id}");
            for a in actions(c.meta) {
                assert!(doc[at..].contains(&format!("`{a}`")), "{id} lacks {a}");
            }
        }
    }

    #[test]
    fn every_action_a_check_reads_is_named() {
        // Written by hand, these lacked the group lookup and the inline policies.
        let ic003 = section("IC003");
        assert!(ic003.contains("`identitystore:ListGroupMembershipsForMember`"));
        assert!(
            ic003.contains("`elasticmapreduce:DescribeStudio`"),
            "{ic003}"
        );
        let es009 = section("ES009");
        assert!(es009.contains("`iam:GetRolePolicy`") && es009.contains("`iam:ListRolePolicies`"));
        assert_eq!(
            section("WG009"),
            "**Permissions needed.** None: it reads nothing from AWS."
        );
    }

    #[test]
    fn a_check_run_alone_also_needs_its_prerequisites_reads() {
        // ES004 needs ES003, which needs ES001: ES001 reads the instances.
        let es004 = section("ES004");
        let (own, before) = es004.split_once("Run alone (`--only ES004`)").unwrap();
        assert!(!own.contains("sso:ListInstances"), "{es004}");
        assert!(before.contains("`sso:ListInstances`"), "{es004}");
        assert!(!section("ES001").contains("Run alone"));
    }

    #[test]
    fn notes_follow_the_actions_they_are_about() {
        let note = "returns only what the caller may see";
        assert!(section("LF006").contains(note));
        assert!(!section("LF009").contains(note));
        assert!(section("LF004").contains("`glue:GetTables` is called only when"));
        assert!(!section("IC001").contains("sts:GetCallerIdentity"));
    }
}
