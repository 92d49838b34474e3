//! What each [`Need`] costs in IAM permissions: the actions of the operations
//! its collector sends. `explain` derives a check's "Permissions needed" from
//! its `needs`; a test of the binary ties this table to the operations table
//! the collectors use (`src/collect/ops.rs`) in both directions.

use crate::check::{Meta, Need};
use std::collections::BTreeSet;

impl Need {
    /// The IAM actions the collectors may call to read this need, sorted.
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            Need::Caller => &["sts:GetCallerIdentity"],
            Need::IdcInstances => &["sso:ListInstances"],
            Need::Users => &[
                "identitystore:DescribeGroup",
                "identitystore:DescribeUser",
                "identitystore:GetUserId",
                "identitystore:ListGroupMembershipsForMember",
                "identitystore:ListUsers",
                "sso:ListInstances",
            ],
            Need::Studios => &[
                "elasticmapreduce:DescribeStudio",
                "elasticmapreduce:ListStudios",
            ],
            Need::SessionMappings => &[
                "elasticmapreduce:DescribeStudio",
                "elasticmapreduce:ListStudioSessionMappings",
                "elasticmapreduce:ListStudios",
            ],
            Need::Workgroups => &["athena:GetWorkGroup", "athena:ListWorkGroups"],
            Need::WorkgroupAssignments => &[
                "athena:GetWorkGroup",
                "athena:ListWorkGroups",
                "sso:GetApplicationAssignmentConfiguration",
                "sso:ListApplicationAssignments",
            ],
            Need::UserRole => &[
                "elasticmapreduce:DescribeStudio",
                "elasticmapreduce:ListStudios",
                "iam:GetRole",
            ],
            Need::UserRolePolicies => &[
                "elasticmapreduce:DescribeStudio",
                "elasticmapreduce:ListStudios",
                "iam:GetPolicy",
                "iam:GetPolicyVersion",
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:ListAttachedRolePolicies",
                "iam:ListRolePolicies",
            ],
            Need::ServiceRolePolicies => &[
                "elasticmapreduce:DescribeStudio",
                "elasticmapreduce:ListStudios",
                "iam:GetPolicy",
                "iam:GetPolicyVersion",
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:ListAttachedRolePolicies",
                "iam:ListRolePolicies",
            ],
            Need::AccessGrantsInstance => &["s3:GetAccessGrantsInstance", "sts:GetCallerIdentity"],
            Need::AccessGrantsLocations => {
                &["s3:ListAccessGrantsLocations", "sts:GetCallerIdentity"]
            }
            Need::AccessGrants => &["s3:ListAccessGrants", "sts:GetCallerIdentity"],
            Need::IdcInstanceDetails => &["sso:DescribeInstance", "sso:ListInstances"],
            Need::SessionPolicies => &[
                "elasticmapreduce:DescribeStudio",
                "elasticmapreduce:ListStudioSessionMappings",
                "elasticmapreduce:ListStudios",
                "iam:GetPolicy",
                "iam:GetPolicyVersion",
            ],
            Need::ExecutionRole => &[
                "athena:GetWorkGroup",
                "athena:ListWorkGroups",
                "iam:GetRole",
            ],
            Need::ExecutionRolePolicies => &[
                "athena:GetWorkGroup",
                "athena:ListWorkGroups",
                "iam:GetPolicy",
                "iam:GetPolicyVersion",
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:ListAttachedRolePolicies",
                "iam:ListRolePolicies",
            ],
            Need::LocationRole => &[
                "iam:GetRole",
                "s3:ListAccessGrantsLocations",
                "sts:GetCallerIdentity",
            ],
            Need::LocationRolePolicies => &[
                "iam:GetPolicy",
                "iam:GetPolicyVersion",
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:ListAttachedRolePolicies",
                "iam:ListRolePolicies",
                "s3:ListAccessGrantsLocations",
                "sts:GetCallerIdentity",
            ],
            Need::LfIdentityCenter => &[
                "lakeformation:DescribeLakeFormationIdentityCenterConfiguration",
                "sts:GetCallerIdentity",
            ],
            Need::LfSettings => &["lakeformation:GetDataLakeSettings"],
            Need::LfPermissions => &["lakeformation:ListPermissions"],
            Need::LfResources => &["lakeformation:ListResources"],
            Need::LfOptIns => &["lakeformation:ListLakeFormationOptIns"],
            Need::LfLocationRole => &[
                "glue:GetTable",
                "iam:GetRole",
                "lakeformation:ListResources",
            ],
            Need::GlueTables => &["glue:GetTable", "glue:GetTables"],
            Need::LfTagGrants => &[
                "lakeformation:GetResourceLFTags",
                "lakeformation:ListPermissions",
            ],
            Need::LfDataFilters => &[
                "lakeformation:ListDataCellsFilter",
                "lakeformation:ListPermissions",
            ],
            Need::LfApplicationAssignments => &[
                "lakeformation:DescribeLakeFormationIdentityCenterConfiguration",
                "sso:GetApplicationAssignmentConfiguration",
                "sso:ListApplicationAssignments",
                "sts:GetCallerIdentity",
            ],
            Need::StudioApplications => &[
                "elasticmapreduce:DescribeStudio",
                "elasticmapreduce:ListStudios",
                "sso:GetApplicationAssignmentConfiguration",
                "sso:ListApplicationAssignments",
                "sso:ListApplications",
                "sts:GetCallerIdentity",
            ],
            Need::ResultsBucket => &[
                "athena:GetWorkGroup",
                "athena:ListWorkGroups",
                "s3:GetBucketLocation",
                "sts:GetCallerIdentity",
            ],
        }
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
    meta.needs
        .iter()
        .flat_map(|n| n.actions())
        .copied()
        .collect()
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
