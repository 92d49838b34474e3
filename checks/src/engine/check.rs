//! What a check is, what it says, and the vocabulary of results.

use crate::ctx::Ctx;
use crate::fact::Unknown;
use crate::fix::{Action, Applicability, Kind};
use crate::scope::Scope;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Area {
    Account,
    IdentityCenter,
    EmrStudio,
    AthenaWorkgroup,
    S3AccessGrants,
    LakeFormation,
}

impl Area {
    pub const ALL: [Area; 6] = [
        Area::Account,
        Area::IdentityCenter,
        Area::EmrStudio,
        Area::AthenaWorkgroup,
        Area::S3AccessGrants,
        Area::LakeFormation,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Area::Account => "AWS account",
            Area::IdentityCenter => "IAM Identity Center",
            Area::EmrStudio => "EMR Studio",
            Area::AthenaWorkgroup => "Athena workgroup",
            Area::S3AccessGrants => "S3 Access Grants",
            Area::LakeFormation => "Lake Formation",
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Warn,
    Skip,
    Error,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Pass,
        Status::Fail,
        Status::Warn,
        Status::Skip,
        Status::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Warn => "warn",
            Status::Skip => "skip",
            Status::Error => "error",
        }
    }
}

/// A fact the check reads. The collectors read the union of the selected checks' needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Need {
    /// `sts:GetCallerIdentity`: the account id (for ARNs and fix commands).
    Caller,
    /// `sso:ListInstances`.
    IdcInstances,
    /// `organizations:DescribeOrganization` in the target account (and in the
    /// account Identity Center is read from, when that is another).
    Organization,
    /// `identitystore` lookups of each `--user` and their groups.
    Users,
    /// EMR Studios (list + describe).
    Studios,
    /// EMR Studio session mappings.
    SessionMappings,
    /// Athena workgroups (list + get).
    Workgroups,
    /// Assignment configuration and assignments of each workgroup's application.
    WorkgroupAssignments,
    /// The Studio user role's trust policy.
    UserRole,
    /// The Studio user role's permission policies.
    UserRolePolicies,
    /// The Studio service role's permission policies.
    ServiceRolePolicies,
    /// `s3:GetAccessGrantsInstance`.
    AccessGrantsInstance,
    /// `s3:ListAccessGrantsLocations`.
    AccessGrantsLocations,
    /// `s3:ListAccessGrants`.
    AccessGrants,
    /// `sso:DescribeInstance`: the instance's encryption key type.
    IdcInstanceDetails,
    /// `iam:GetPolicy` for each session mapping's policy (+ `GetPolicyVersion`: its document).
    SessionPolicies,
    /// The workgroups' execution roles (trust policy).
    ExecutionRole,
    /// The workgroups' execution roles' permission policies.
    ExecutionRolePolicies,
    /// The S3 Access Grants locations' IAM roles (trust policy).
    LocationRole,
    /// The S3 Access Grants locations' IAM roles' permission policies.
    LocationRolePolicies,
    /// `lakeformation:DescribeLakeFormationIdentityCenterConfiguration`.
    LfIdentityCenter,
    /// `lakeformation:GetDataLakeSettings`.
    LfSettings,
    /// `lakeformation:ListPermissions` for each `--table` and its database.
    LfPermissions,
    /// `lakeformation:ListResources`.
    LfResources,
    /// `lakeformation:ListLakeFormationOptIns`.
    LfOptIns,
    /// The roles of the Lake Formation registrations covering the tables (trust policy).
    LfLocationRole,
    /// `glue:GetTable` for each `--table`.
    GlueTables,
    /// Grants through LF-Tag expressions, and each `--table`'s LF-Tags.
    LfTagGrants,
    /// Grants on each `--table`'s data cells filters.
    LfDataFilters,
    /// Assignment configuration and assignments of Lake Formation's Identity Center application.
    LfApplicationAssignments,
    /// The Identity Center application of each Identity Center Studio
    /// (`sso:ListApplications`), its assignment configuration and assignments.
    StudioApplications,
    /// `s3:GetBucketLocation` of the target workgroups' results buckets.
    ResultsBucket,
}

impl Need {
    /// Every need, in declaration order.
    pub const ALL: [Need; 32] = [
        Need::Caller,
        Need::IdcInstances,
        Need::Users,
        Need::Studios,
        Need::SessionMappings,
        Need::Workgroups,
        Need::WorkgroupAssignments,
        Need::UserRole,
        Need::UserRolePolicies,
        Need::ServiceRolePolicies,
        Need::AccessGrantsInstance,
        Need::AccessGrantsLocations,
        Need::AccessGrants,
        Need::IdcInstanceDetails,
        Need::SessionPolicies,
        Need::ExecutionRole,
        Need::ExecutionRolePolicies,
        Need::LocationRole,
        Need::LocationRolePolicies,
        Need::LfIdentityCenter,
        Need::LfSettings,
        Need::LfPermissions,
        Need::LfResources,
        Need::LfOptIns,
        Need::LfLocationRole,
        Need::GlueTables,
        Need::LfTagGrants,
        Need::LfDataFilters,
        Need::LfApplicationAssignments,
        Need::StudioApplications,
        Need::ResultsBucket,
        Need::Organization,
    ];
}

/// The hop of the query path a check proves (the report's access path).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Hop {
    /// The user is found in Identity Center.
    Identity,
    /// The user signs in to the Studio (including the Studio's service role).
    SignIn,
    /// The Studio assumes the user role.
    UserRole,
    /// The query runs in the workgroup.
    Workgroup,
    /// Lake Formation lets the query read the table.
    Read,
    /// S3 Access Grants lets the query write its results.
    Write,
}

/// Static description of a check: the catalog entry.
#[derive(Debug)]
pub struct Meta {
    /// Short stable code, e.g. `ES004`. Never reused for another meaning.
    pub id: &'static str,
    /// kebab-case name, e.g. `studio-user-role-trust-set-context`.
    pub name: &'static str,
    pub area: Area,
    pub severity: Severity,
    pub title: &'static str,
    /// Checks that must not have failed for this one to be meaningful.
    pub depends_on: &'static [&'static str],
    /// The hop of the access path this check proves.
    pub hop: Hop,
    /// About assignments or grants: a failure gets the note that entitlement
    /// changes can take up to an hour to apply.
    pub entitlement: bool,
    /// The actions the check's fixes take (`service:Operation`), each with the
    /// applicability of the fix it is part of. `explain` prints them; a test
    /// checks them against the fixes on every example account.
    pub fixes: &'static [(&'static str, crate::fix::Kind)],
    pub needs: &'static [Need],
    /// AWS documentation for the fix.
    pub docs: &'static [&'static str],
}

/// A registered check: its metadata, its function, and its source (for `explain`).
pub struct Check {
    pub meta: &'static Meta,
    pub run: fn(&Ctx) -> Vec<Outcome>,
    pub source: &'static str,
}

impl Check {
    /// The check's documentation: the `//!` doc comment at the top of its file,
    /// with the permissions derived from its needs before the Evidence section.
    pub fn explanation(&self) -> String {
        let mut out = String::new();
        for line in self.source.lines() {
            let Some(rest) = line.strip_prefix("//!") else {
                break;
            };
            out.push_str(rest.strip_prefix(' ').unwrap_or(rest));
            out.push('\n');
        }
        let doc = out.trim_end();
        let permissions = format!(
            "{}\n\n{}\n",
            crate::need::permissions_section(self.meta).trim_end(),
            self.actions_section()
        );
        match doc.find("\n\n**Evidence.**") {
            Some(i) => format!("{}\n\n{permissions}{}", &doc[..i], &doc[i..]),
            None => format!("{doc}\n\n{permissions}"),
        }
    }
}

impl Check {
    /// The `**Fix actions.**` section of `explain`: the AWS calls the check's
    /// fixes make (what `studio-doctor fix` plans), each with its applicability.
    pub fn actions_section(&self) -> String {
        if self.meta.fixes.is_empty() {
            return "**Fix actions.** None: a person makes the fix (see How to fix); `studio-doctor fix` lists it under the work to do by hand.".to_string();
        }
        let mut out =
            String::from("**Fix actions.** What `studio-doctor fix` plans for a finding:");
        for (action, kind) in self.meta.fixes {
            let kind = match kind {
                Kind::Ready => "ready: runs as planned",
                Kind::NeedsInput => "needs input: a value a person supplies",
                Kind::Replaces => {
                    "replaces an existing document or setting, keeping what the plan names"
                }
                Kind::Recreates => {
                    "recreates: a new resource replaces one whose setting cannot change; not run by the plan script"
                }
                Kind::Manual => "by hand",
            };
            out.push_str(&format!("\n- `{action}` ({kind})"));
        }
        out
    }
}

/// The fix for a finding: a one-line summary, the typed actions, the exact CLI
/// commands (rendered from the actions), how it applies, doc links.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Remediation {
    pub summary: String,
    pub commands: Vec<String>,
    /// The AWS calls the fix makes, in order; `commands` are rendered from them.
    #[serde(default)]
    pub actions: Vec<Action>,
    pub applicability: Applicability,
    pub docs: Vec<String>,
}

impl Remediation {
    /// A fix made of `actions`.
    pub fn new(summary: impl Into<String>, actions: Vec<Action>, docs: &[&str]) -> Remediation {
        Remediation {
            summary: summary.into(),
            commands: Vec::new(),
            actions,
            applicability: Applicability::default(),
            docs: docs.iter().map(|d| d.to_string()).collect(),
        }
    }

    /// The actions overwrite a document or setting; `kept` says what the new one keeps.
    pub fn replaces(mut self, kept: impl Into<String>) -> Remediation {
        self.applicability.kept = Some(kept.into());
        self
    }

    /// The setting is immutable: the actions create a new resource and delete
    /// the old one; `reason` names the setting.
    pub fn recreates(mut self, reason: impl Into<String>) -> Remediation {
        self.applicability.reason = Some(reason.into());
        self
    }

    /// Render the commands from the actions and settle the applicability.
    fn finish(mut self) -> Remediation {
        self.commands = self
            .actions
            .iter()
            .map(|a| crate::fix::render::inline(&a.command()))
            .collect();
        let a = &self.applicability;
        self.applicability = Applicability::of(&self.actions, a.kept.clone(), a.reason.clone());
        self
    }
}

/// What a check concluded about one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// The trap is present. Shown as `fail` for error-severity checks, `warn` otherwise.
    Fail,
    /// Always `warn`: a weaker finding, or a condition the evaluator cannot decide.
    Warn,
    /// Could not evaluate: a fact is unknown.
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub verdict: Verdict,
    /// What the finding is about, for the reader: a Studio, a role ARN, a workgroup.
    pub resource: String,
    /// The targets this outcome belongs to (`studio:<id>`, `workgroup:<name>`,
    /// `user:<name>`, `table:<db.table>`); empty for the whole region. A dependant's
    /// outcome is skipped when a prerequisite failed on one of its scopes.
    pub scope: Vec<Scope>,
    pub message: String,
    pub fix: Option<Remediation>,
}

impl Outcome {
    fn new(verdict: Verdict, resource: impl Into<String>, message: impl Into<String>) -> Self {
        Outcome {
            verdict,
            resource: resource.into(),
            scope: Vec::new(),
            message: message.into(),
            fix: None,
        }
    }

    pub fn pass(resource: impl Into<String>, message: impl Into<String>) -> Self {
        Outcome::new(Verdict::Pass, resource, message)
    }

    pub fn fail(resource: impl Into<String>, message: impl Into<String>) -> Self {
        Outcome::new(Verdict::Fail, resource, message)
    }

    pub fn warn(resource: impl Into<String>, message: impl Into<String>) -> Self {
        Outcome::new(Verdict::Warn, resource, message)
    }

    /// Could not evaluate, for a reason `message` gives (no single unread fact).
    pub fn error(resource: impl Into<String>, message: impl Into<String>) -> Self {
        Outcome::new(Verdict::Error, resource, message)
    }

    /// A fact this check needs could not be read.
    pub fn unknown(resource: impl Into<String>, what: &str, why: &Unknown) -> Self {
        Outcome::new(
            Verdict::Error,
            resource,
            format!("could not read {what}: {why}"),
        )
    }

    /// Add a scope (may be called several times).
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope.push(scope);
        self
    }

    /// Attach the fix: its commands are rendered from its actions.
    pub fn fix(mut self, fix: Remediation) -> Self {
        self.fix = Some(fix.finish());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::Need;

    /// Exhaustive: a new variant does not compile here until it gets the next index,
    /// and then the test fails until `Need::ALL` lists it.
    fn index(n: Need) -> usize {
        match n {
            Need::Caller => 0,
            Need::IdcInstances => 1,
            Need::Users => 2,
            Need::Studios => 3,
            Need::SessionMappings => 4,
            Need::Workgroups => 5,
            Need::WorkgroupAssignments => 6,
            Need::UserRole => 7,
            Need::UserRolePolicies => 8,
            Need::ServiceRolePolicies => 9,
            Need::AccessGrantsInstance => 10,
            Need::AccessGrantsLocations => 11,
            Need::AccessGrants => 12,
            Need::IdcInstanceDetails => 13,
            Need::SessionPolicies => 14,
            Need::ExecutionRole => 15,
            Need::ExecutionRolePolicies => 16,
            Need::LocationRole => 17,
            Need::LocationRolePolicies => 18,
            Need::LfIdentityCenter => 19,
            Need::LfSettings => 20,
            Need::LfPermissions => 21,
            Need::LfResources => 22,
            Need::LfOptIns => 23,
            Need::LfLocationRole => 24,
            Need::GlueTables => 25,
            Need::LfTagGrants => 26,
            Need::LfDataFilters => 27,
            Need::LfApplicationAssignments => 28,
            Need::StudioApplications => 29,
            Need::ResultsBucket => 30,
            Need::Organization => 31,
        }
    }

    #[test]
    fn need_all_lists_every_variant_once() {
        for (i, n) in Need::ALL.iter().enumerate() {
            assert_eq!(index(*n), i, "{n:?}");
        }
        assert_eq!(Need::ALL.len(), 32);
    }
}
