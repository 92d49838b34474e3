//! Helpers the check files share: the per-Studio and per-workgroup loops, the
//! review of a role's permission policies and its `put-role-policy` fix, trust
//! policy fixes, and the fix commands several checks repeat.

use crate::check::{Outcome, Remediation, remedy};
use crate::checks::es001::recreate_fix;
use crate::checks::es003::not_sso;
use crate::checks::es004::create_role_command;
use crate::ctx::{Ctx, studio_label, studio_scope, workgroup_label, workgroup_scope};
use crate::fact::{Fact, Unknown, UnknownKind};
use crate::facts::{Assignment, LfPermission, LfResource, Role, Studio, WorkGroup, role_name};
use crate::lf::{self, table_label};
use crate::policy::{self, Context, Decision, allow_document, arn_account, unused_policy_name};
use crate::s3;

// ---- targets ----------------------------------------------------------------

/// One call per Studio in scope, its outcomes scoped `studio:<id>`.
pub(crate) fn each_studio<'a>(
    ctx: &Ctx<'a>,
    f: impl Fn(&'a Studio) -> Vec<Outcome>,
) -> Vec<Outcome> {
    match ctx.studios() {
        Ok(studios) => studios
            .into_iter()
            .flat_map(|s| {
                let out = match &s.unreadable {
                    Some(u) => vec![unreadable(studio_label(s), u)],
                    None => f(s),
                };
                out.into_iter().map(move |o| o.scope(studio_scope(s)))
            })
            .collect(),
        Err(u) => vec![Outcome::unknown("EMR Studios", "the EMR Studios", u)],
    }
}

/// The outcome for one Studio or workgroup that could not be described.
pub(crate) fn unreadable(label: String, u: &Unknown) -> Outcome {
    Outcome::unknown(&label, &label, u)
}

/// `f`'s outcomes for a readable workgroup; an error for an unreadable one.
fn judge_workgroup<'a>(
    w: &'a WorkGroup,
    f: &impl Fn(&'a WorkGroup) -> Vec<Outcome>,
) -> Vec<Outcome> {
    match &w.unreadable {
        Some(u) => vec![unreadable(workgroup_label(w), u)],
        None => f(w),
    }
}

/// One call per target workgroup (`Ctx::workgroups`), its outcomes scoped
/// `workgroup:<name>`.
pub(crate) fn each_workgroup<'a>(
    ctx: &Ctx<'a>,
    f: impl Fn(&'a WorkGroup) -> Vec<Outcome>,
) -> Vec<Outcome> {
    match ctx.workgroups() {
        Ok(workgroups) => workgroups
            .into_iter()
            .flat_map(|w| {
                judge_workgroup(w, &f)
                    .into_iter()
                    .map(move |o| o.scope(workgroup_scope(w)))
            })
            .collect(),
        Err(u) => vec![unknown_workgroups(u)],
    }
}

/// Like [`each_workgroup`], over `Ctx::target_workgroups`: a regular workgroup
/// named by `--workgroup` included.
pub(crate) fn each_target_workgroup<'a>(
    ctx: &Ctx<'a>,
    f: impl Fn(&'a WorkGroup) -> Vec<Outcome>,
) -> Vec<Outcome> {
    match ctx.target_workgroups() {
        Ok(workgroups) => workgroups
            .into_iter()
            .flat_map(|w| {
                judge_workgroup(w, &f)
                    .into_iter()
                    .map(move |o| o.scope(workgroup_scope(w)))
            })
            .collect(),
        Err(u) => vec![unknown_workgroups(u)],
    }
}

/// The outcome when the workgroups could not be read.
pub(crate) fn unknown_workgroups(u: &Unknown) -> Outcome {
    Outcome::unknown("Athena workgroups", "the Athena workgroups", u)
}

/// Like [`lf::each_split_table`], with the Lake Formation permission list read
/// (an error outcome per table when it cannot be).
pub(crate) fn each_table_grants<'a>(
    ctx: &Ctx<'a>,
    f: impl Fn(&str, &str, &str, &'a [LfPermission]) -> Vec<Outcome>,
) -> Vec<Outcome> {
    lf::each_split_table(
        ctx,
        "its Lake Formation grants",
        |name, db, table| match ctx.facts.lake_formation.permissions.known() {
            Ok(perms) => f(name, db, table, perms),
            Err(u) => vec![Outcome::unknown(
                table_label(name),
                "the Lake Formation permissions",
                u,
            )],
        },
    )
}

/// One outcome per `--table`, judged on the Lake Formation registration that
/// covers its location; without one, what [`lf::registration`] reports (LF004
/// fails or errors on the same table, so the runner skips it).
pub(crate) fn each_registration<'a>(
    ctx: &Ctx<'a>,
    f: impl Fn(&str, &'a LfResource) -> Outcome,
) -> Vec<Outcome> {
    lf::each_table(ctx, |name| {
        vec![match lf::registration(ctx, name) {
            Ok((_, r)) => f(name, r),
            Err(o) => *o,
        }]
    })
}

// ---- Studio roles -----------------------------------------------------------

/// The user role of an Identity Center Studio, or the outcome to report instead:
/// a Studio without Identity Center authentication (ES001 fails it) or without a
/// user role (ES003 fails it). The runner skips both; they are complete all the same.
pub(crate) fn sso_user_role<'a>(ctx: &Ctx, s: &'a Studio) -> Result<&'a str, Box<Outcome>> {
    if s.auth_mode.as_deref() != Some("SSO") {
        return Err(Box::new(not_sso(ctx, s)));
    }
    s.user_role
        .as_deref()
        .filter(|r| !r.is_empty())
        .ok_or_else(|| {
            let label = studio_label(s);
            Box::new(
                Outcome::fail(&label, format!("{label} has no user role (see ES003)")).fix(
                    recreate_fix(
                        ctx,
                        Some(s),
                        "Create a separate user role and a new Studio that uses it (see ES003)",
                    ),
                ),
            )
        })
}

/// The Studio's service role, or an error outcome when DescribeStudio gave none.
pub(crate) fn service_role(s: &Studio) -> Result<&str, Box<Outcome>> {
    s.service_role
        .as_deref()
        .filter(|r| !r.is_empty())
        .ok_or_else(|| {
            let label = studio_label(s);
            let u = Unknown::new(
                UnknownKind::ServiceError,
                "elasticmapreduce:DescribeStudio",
                "DescribeStudio returned no ServiceRole",
            );
            Box::new(Outcome::unknown(
                &label,
                &format!("the service role of {label}"),
                &u,
            ))
        })
}

/// The documented EMR Studio service role trust policy, with this account's values.
pub(crate) fn service_trust(ctx: &Ctx, account: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"elasticmapreduce.amazonaws.com"}},"Action":"sts:AssumeRole","Condition":{{"StringEquals":{{"aws:SourceAccount":"{account}"}},"ArnLike":{{"aws:SourceArn":"arn:aws:elasticmapreduce:{}:{account}:*"}}}}}}]}}"#,
        ctx.region()
    )
}

/// The account: the caller's, else the one in `arn`, else a placeholder.
pub(crate) fn account_of(ctx: &Ctx, arn: Option<&str>) -> String {
    match (&ctx.facts.caller, arn.and_then(arn_account)) {
        (Fact::Known(c), _) => c.account_id.clone(),
        (_, Some(a)) => a.to_string(),
        _ => ctx.account().to_string(),
    }
}

/// A role ARN from what DescribeStudio or GetWorkGroup returned (a name or an ARN).
pub(crate) fn role_arn(account: &str, name_or_arn: &str) -> String {
    if name_or_arn.starts_with("arn:") {
        name_or_arn.to_string()
    } else {
        format!("arn:aws:iam::{account}:role/{name_or_arn}")
    }
}

/// The ARN of a role DescribeStudio or GetWorkGroup names (a name or an ARN), with
/// the role's real path: GetRole's ARN when the facts have the role. A bare name
/// whose role could not be read gives an ARN without a path and the reason the
/// path is not known (a role under `/service-role/` has that in its ARN, and IAM
/// matches `iam:PassRole` on the full ARN).
pub(crate) fn real_role_arn(
    ctx: &Ctx,
    account: &str,
    name_or_arn: &str,
) -> (String, Option<Unknown>) {
    if name_or_arn.starts_with("arn:") {
        return (name_or_arn.to_string(), None);
    }
    match ctx.role(name_or_arn) {
        Ok(Some(r)) => (r.arn.clone(), None),
        Ok(None) => (role_arn(account, name_or_arn), None),
        Err(u) => (role_arn(account, name_or_arn), Some(u)),
    }
}

/// The ARNs of the workgroups this run checks; `workgroup/*` and a note when none
/// is known.
pub(crate) fn workgroup_arns(ctx: &Ctx, account: &str) -> (Vec<String>, Option<String>) {
    let arn = |n: &str| format!("arn:aws:athena:{}:{account}:workgroup/{n}", ctx.region());
    match ctx.workgroups() {
        Ok(w) if !w.is_empty() => (w.iter().map(|w| arn(&w.name)).collect(), None),
        Ok(_) => (
            vec![arn("*")],
            Some("no Identity Center workgroup is selected, so the Athena actions were checked on workgroup/*".into()),
        ),
        Err(u) => (
            vec![arn("*")],
            Some(format!(
                "the workgroups could not be read ({u}), so the Athena actions were checked on workgroup/*"
            )),
        ),
    }
}

/// Glue actions that act on a table (the others act on a database).
const GLUE_TABLE_ACTIONS: [&str; 5] = [
    "glue:GetTable",
    "glue:GetTables",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:BatchGetPartition",
];

/// Each Glue action on the Data Catalog resources a query of the target tables
/// touches, and a note when no `--table` names them. A Data Catalog action needs
/// permission on the resource and all its ancestors: a database action on the
/// catalog and `database/<db>`, a table action on those and `table/<db>/<table>`.
/// Without `--table` (or with none in `DATABASE.TABLE` form): `database/*` and
/// `table/*/*`.
pub(crate) fn glue_wants(
    ctx: &Ctx,
    account: &str,
    actions: &[&'static str],
) -> (Vec<Want>, Option<String>) {
    let base = format!("arn:aws:glue:{}:{account}", ctx.region());
    let mut tables: Vec<(&str, &str)> = ctx
        .facts
        .target
        .tables
        .iter()
        .filter_map(|t| lf::split_table(t))
        .collect();
    let note = if tables.is_empty() {
        tables.push(("*", "*"));
        Some("no --table names a table, so the Glue actions were checked on every database and table (database/*, table/*/*)".to_string())
    } else {
        None
    };
    let mut v: Vec<Want> = actions
        .iter()
        .map(|a| Want::new(a, &format!("{base}:catalog")))
        .collect();
    for (db, table) in tables {
        for a in actions {
            let mut arns = vec![format!("{base}:database/{db}")];
            if GLUE_TABLE_ACTIONS.contains(a) {
                arns.push(format!("{base}:table/{db}/{table}"));
            }
            for arn in arns {
                let w = Want::new(a, &arn);
                if !v.contains(&w) {
                    v.push(w);
                }
            }
        }
    }
    (v, note)
}

// ---- permission policies ------------------------------------------------------

/// An action a role must be allowed on a resource, and the resource a fix grants
/// (a pattern when the resource checked is only an example).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Want {
    pub action: &'static str,
    pub resource: String,
    pub grant: String,
}

impl Want {
    pub(crate) fn new(action: &'static str, resource: &str) -> Want {
        Want {
            action,
            resource: resource.to_string(),
            grant: resource.to_string(),
        }
    }

    pub(crate) fn granting(mut self, pattern: String) -> Want {
        self.grant = pattern;
        self
    }
}

/// What a role's policies say about a list of wants: the ones not allowed (with
/// why) and the ones that depend on something studio-doctor cannot evaluate.
pub(crate) struct Review<'a> {
    pub missing: Vec<(&'a Want, Decision)>,
    pub undecided: Vec<(&'a Want, String)>,
}

impl<'a> Review<'a> {
    pub(crate) fn is_clean(&self) -> bool {
        self.missing.is_empty() && self.undecided.is_empty()
    }

    pub(crate) fn all(&self) -> Vec<&'a Want> {
        self.missing
            .iter()
            .map(|(w, _)| *w)
            .chain(self.undecided.iter().map(|(w, _)| *w))
            .collect()
    }

    pub(crate) fn missing_list(&self) -> String {
        self.missing
            .iter()
            .map(|(w, d)| format!("{} on {} ({})", w.action, w.resource, d.describe()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub(crate) fn undecided_list(&self) -> String {
        self.undecided
            .iter()
            .map(|(w, why)| format!("{} on {} ({why})", w.action, w.resource))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `; undecided: ...` after a list of what is missing, or nothing.
    pub(crate) fn undecided_note(&self) -> String {
        if self.undecided.is_empty() {
            String::new()
        } else {
            format!("; undecided: {}", self.undecided_list())
        }
    }

    /// "; an Allow does not override a Deny: also remove or narrow ..." naming each
    /// statement that explicitly denies a missing action once; empty when none does.
    pub(crate) fn deny_note(&self) -> String {
        let mut denies: Vec<&str> = Vec::new();
        for (_, d) in &self.missing {
            if let Decision::ExplicitDeny { statement } = d
                && !denies.contains(&statement.as_str())
            {
                denies.push(statement);
            }
        }
        if denies.is_empty() {
            return String::new();
        }
        format!(
            "; an Allow does not override a Deny: also remove or narrow {}",
            denies.join(", ")
        )
    }

    /// The fix summary: add a policy, and what a new policy cannot fix.
    pub(crate) fn summary(&self, role: &Role) -> String {
        let name = &role.role_name;
        let mut s = format!(
            "Add an inline policy to {name} granting the missing actions (console: IAM → Roles → {name} → Add permissions → Create inline policy → JSON)"
        );
        s.push_str(&self.deny_note());
        let boundary = self.missing.iter().find_map(|(_, d)| match d {
            Decision::OutsideBoundary { boundary: b } => Some(b.as_str()),
            _ => None,
        });
        if let Some(b) = boundary.or(match &role.permissions_boundary {
            Some(Fact::Known(p)) => Some(p.name.as_str()),
            _ => None,
        }) {
            s.push_str(&format!(
                "; the permissions boundary {b} must allow these actions too"
            ));
        }
        s
    }
}

/// Evaluate each want against the role's policies, in the request context the
/// facts tell for the role's own request.
pub(crate) fn review<'a>(ctx: &Ctx, role: &Role, wants: &'a [Want]) -> Result<Review<'a>, Unknown> {
    review_in(role, wants, |w| request_context(ctx, role, w))
}

/// Evaluate each want against the role's policies, in the context `context` gives it.
pub(crate) fn review_in<'a>(
    role: &Role,
    wants: &'a [Want],
    context: impl Fn(&Want) -> Context,
) -> Result<Review<'a>, Unknown> {
    let mut r = Review {
        missing: Vec::new(),
        undecided: Vec::new(),
    };
    for w in wants {
        match policy::evaluate_role(role, w.action, &w.resource, &context(w))? {
            Decision::Allowed => {}
            Decision::Undecided { reason } => r.undecided.push((w, reason)),
            d => r.missing.push((w, d)),
        }
    }
    Ok(r)
}

/// The keys AWS sends with the role's own request for `w.action` on
/// `w.resource` in the target region, as far as the facts tell:
/// - `aws:PrincipalArn` (for a role session "the ARN of the role"),
///   `aws:PrincipalAccount`, `aws:PrincipalType` (`AssumedRole`): always sent.
/// - `aws:ResourceAccount`, "the AWS account ID for the account with the resources
///   evaluated in the request": the account in the resource ARN; for `*` (list
///   actions, `lakeformation:GetDataAccess`) the role's own account, whose
///   resources the request reads. Not set for S3 bucket and object ARNs, which
///   carry no account (the bucket owner is not in the facts).
/// - `aws:RequestedRegion`: the target region, where the Studio, workgroup and
///   catalog are. For S3 the region in the ARN (S3 Access Grants); not set for a
///   bucket or object, whose region is not in the facts. For
///   `iam:PassRole`, which "the service then checks" inside its own regional
///   request, AWS does not document whether the region is that service's or IAM's
///   `us-east-1`: a condition on it is decided only when both agree.
/// - `iam:PassedToService` for `iam:PassRole` of a Studio's service role:
///   `elasticmapreduce.amazonaws.com`, the service the role is passed to.
fn request_context(ctx: &Ctx, role: &Role, w: &Want) -> Context {
    let mut c = Context::new()
        .with("aws:PrincipalArn", role.arn.clone())
        .with("aws:PrincipalType", "AssumedRole");
    let own = arn_account(&role.arn);
    if let Some(a) = own {
        c = c.with("aws:PrincipalAccount", a);
    }
    let service = w
        .action
        .split(':')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let account = match w.resource.as_str() {
        "*" => own,
        r => arn_account(r),
    };
    if let Some(a) = account {
        c = c.with("aws:ResourceAccount", a);
    }
    let region = ctx.region().to_string();
    let arn_region = w.resource.split(':').nth(3).filter(|r| !r.is_empty());
    match service.as_str() {
        "s3" => {
            if let Some(r) = arn_region {
                c = c.with("aws:RequestedRegion", r);
            }
        }
        "iam" if region != "us-east-1" => {
            c = c.with_either(
                "aws:RequestedRegion",
                vec![vec![region], vec!["us-east-1".into()]],
                "AWS does not document whether aws:RequestedRegion for iam:PassRole is the region of the calling service or us-east-1, where IAM's endpoint is",
            );
        }
        _ => c = c.with("aws:RequestedRegion", region),
    }
    if w.action.eq_ignore_ascii_case("iam:PassRole") && passed_to_emr(ctx, &w.resource) {
        c = c.with("iam:PassedToService", "elasticmapreduce.amazonaws.com");
    }
    c
}

/// Is this role the service role of a Studio in scope (so `iam:PassRole` passes
/// it to EMR Studio)?
fn passed_to_emr(ctx: &Ctx, role_arn: &str) -> bool {
    ctx.studios().is_ok_and(|studios| {
        studios.iter().any(|s| {
            s.service_role
                .as_deref()
                .is_some_and(|r| role_name(r) == role_name(role_arn))
        })
    })
}

/// `aws iam put-role-policy` granting exactly these wants as `policy_name`.
pub(crate) fn grant_fix(
    role: &str,
    policy_name: &str,
    wants: &[&Want],
    summary: String,
    docs: &[&str],
) -> Remediation {
    let grants: Vec<(&str, &str)> = wants.iter().map(|w| (w.action, w.grant.as_str())).collect();
    let doc = allow_document(&grants);
    remedy(
        summary,
        vec![format!(
            "aws iam put-role-policy --role-name {role} --policy-name {policy_name} --policy-document '{doc}'"
        )],
        docs,
    )
}

/// A role whose permission policies a check reviews against a list of wants.
pub(crate) struct RoleCheck<'a> {
    /// The Studio or workgroup label the role belongs to, for messages.
    pub owner: &'a str,
    /// How messages call the role: `user role`, `service role`, `execution role`.
    pub kind: &'a str,
    /// The role name or ARN as the facts give it, and its ARN.
    pub name: &'a str,
    pub arn: &'a str,
    /// The inline policy a fix adds (on an existing role, a name it does not use yet).
    pub policy: &'a str,
    pub docs: &'a [&'a str],
}

/// How to report a role IAM does not know: the message ends `(why)`; the fix
/// (`summary`) creates it with the `trust` policy, then grants every want.
pub(crate) struct IfMissing<'a> {
    pub why: &'a str,
    pub summary: String,
    pub trust: String,
}

impl RoleCheck<'_> {
    /// Look the role up and review `wants` against its policies; or the outcome to
    /// report instead: the role does not exist (a failure with a fix), or it or its
    /// policies could not be read (an error).
    pub(crate) fn review<'r, 'w>(
        &self,
        ctx: &Ctx<'r>,
        wants: &'w [Want],
        missing: IfMissing,
    ) -> Result<(&'r Role, Review<'w>), Box<Outcome>> {
        let (owner, kind, arn) = (self.owner, self.kind, self.arn);
        let role = match ctx.role(self.name) {
            Err(u) => {
                return Err(Box::new(Outcome::unknown(
                    arn,
                    &format!("the policies of {kind} {arn}"),
                    &u,
                )));
            }
            Ok(None) => {
                let all: Vec<&Want> = wants.iter().collect();
                let mut fix = grant_fix(
                    role_name(self.name),
                    self.policy,
                    &all,
                    missing.summary,
                    self.docs,
                );
                fix.commands
                    .insert(0, create_role_command(arn, &missing.trust));
                return Err(Box::new(
                    Outcome::fail(
                        arn,
                        format!(
                            "{owner}: its {kind} {arn} does not exist in IAM ({})",
                            missing.why
                        ),
                    )
                    .fix(fix),
                ));
            }
            Ok(Some(r)) => r,
        };
        match review(ctx, role, wants) {
            Ok(r) => Ok((role, r)),
            Err(u) => Err(Box::new(Outcome::unknown(
                &role.arn,
                &format!("the policies of {kind} {}", role.arn),
                &u,
            ))),
        }
    }

    /// `put-role-policy` granting what the review found missing or undecided.
    pub(crate) fn fix(&self, role: &Role, review: &Review, summary: String) -> Remediation {
        grant_fix(
            &role.role_name,
            &unused_policy_name(role, self.policy),
            &review.all(),
            summary,
            self.docs,
        )
    }
}

// ---- trust policies ---------------------------------------------------------

/// Identity Center's context provider: the value of `sts:RequestContextProviders`
/// when a service sets an Identity Center user's context on a role session, as in
/// the documented trust policies (`"ForAllValues:ArnEquals":
/// {"sts:RequestContextProviders": "arn:aws:iam::aws:contextProvider/IdentityCenter"}`).
pub(crate) const IDC_PROVIDER: &str = "arn:aws:iam::aws:contextProvider/IdentityCenter";

/// The keys a service's role assumption for trusted identity propagation adds to
/// `base` (its `aws:Source*` keys) for `action`:
/// - `sts:SetContext`: `sts:RequestContextProviders` = [`IDC_PROVIDER`] and
///   `sts:RequestContext/identitycenter:InstanceArn` = the Identity Center
///   instance, when known (IAM Identity Center's STS context keys page: "the ARN
///   of the instance of IAM Identity Center that issued the context assertion").
/// - `sts:AssumeRole`: the providers key is present when the service passes the
///   user's context with the call and absent when it does not; a condition on it
///   is decided only when both agree.
/// - any other action (`sts:SetSourceIdentity`): no context provider.
pub(crate) fn tip_trust_context(base: &Context, action: &str, instance: Option<&str>) -> Context {
    match action {
        "sts:SetContext" => {
            let c = base
                .clone()
                .with_values("sts:RequestContextProviders", vec![IDC_PROVIDER.into()]);
            match instance {
                Some(i) => c.with("sts:RequestContext/identitycenter:InstanceArn", i),
                None => c,
            }
        }
        "sts:AssumeRole" => base.clone().with_either(
            "sts:RequestContextProviders",
            vec![vec![], vec![IDC_PROVIDER.into()]],
            "the key is present only when the service passes the user's Identity Center context with the call",
        ),
        _ => base
            .clone()
            .with_values("sts:RequestContextProviders", vec![]),
    }
}

/// `aws:SourceArn` of a service whose documentation does not say which of its
/// ARNs it sends: the `likely` one (the Studio, the workgroup) or another ARN of
/// the same service, region and account. A trust policy pinned to the likely
/// ARN is then undecided, never a pass; one pinned elsewhere is denied.
pub(crate) fn source_arn_undocumented(c: Context, likely: &str) -> Context {
    let parts: Vec<&str> = likely.splitn(6, ':').collect();
    let other = match parts.as_slice() {
        ["arn", partition, service, region, account, _] => {
            format!("arn:{partition}:{service}:{region}:{account}:another-resource")
        }
        _ => return c,
    };
    let why = format!(
        "AWS does not document which ARN the calling service sends as aws:SourceArn ({likely} is only the likely one)"
    );
    c.with_either(
        "aws:SourceArn",
        vec![vec![likely.to_string()], vec![other]],
        &why,
    )
}

/// The start of a trust fix when only a condition could not be evaluated
/// (`replace_trust_fix` goes on with " the trust policy of ..."): studio-doctor
/// never suggests dropping a condition it merely could not evaluate.
pub(crate) fn undecided_trust_verb(symptom: &str) -> String {
    format!(
        "studio-doctor could not evaluate a condition of this trust policy, which does not make it wrong: keep it if it holds for the service's call. Only if {symptom}, replace"
    )
}

/// The fix summary when only conditions of permission policies could not be
/// evaluated: keep them; the policy below adds exactly the actions, only for
/// when `symptom` happens.
pub(crate) fn undecided_grant_summary(role: &str, symptom: &str) -> String {
    format!(
        "studio-doctor could not evaluate the conditions or resource forms of {role}'s policies named above, which does not make them wrong: keep them. Only if {symptom}, add the policy below, which grants exactly these actions on these resources"
    )
}

/// `action (why)` for each action the trust policy denies.
pub(crate) fn denied(decisions: &[(&str, Decision)]) -> Vec<String> {
    decisions
        .iter()
        .filter(|(_, d)| d.is_denied())
        .map(|(a, d)| format!("{a} ({})", d.describe()))
        .collect()
}

/// `action: reason` for each action the evaluator could not decide.
pub(crate) fn undecided(decisions: &[(&str, Decision)]) -> Vec<String> {
    decisions
        .iter()
        .filter_map(|(a, d)| match d {
            Decision::Undecided { reason } => Some(format!("{a}: {reason}")),
            _ => None,
        })
        .collect()
}

/// Replace a role's trust policy with `trust`, which is `what` (`one that lets
/// ... call ...`).
pub(crate) fn replace_trust_fix(
    role: &Role,
    verb: &str,
    what: &str,
    trust: &str,
    docs: &[&str],
) -> Remediation {
    let name = &role.role_name;
    remedy(
        format!(
            "{verb} the trust policy of {name} with {what} (console: IAM → Roles → {name} → Trust relationships → Edit trust policy). This replaces the whole trust policy: add back any other statement the role still needs"
        ),
        vec![format!(
            "aws iam update-assume-role-policy --role-name {name} --policy-document '{trust}'"
        )],
        docs,
    )
}

// ---- fix commands -------------------------------------------------------------

/// `aws athena update-work-group` with these `--configuration-updates` (JSON).
pub(crate) fn update_work_group(ctx: &Ctx, w: &WorkGroup, updates: &str) -> String {
    format!(
        "aws athena update-work-group --region {} --work-group {} --configuration-updates '{updates}'",
        ctx.region(),
        w.name
    )
}

/// `aws s3control create-access-grants-location` registering the default
/// location `s3://` with a placeholder role.
pub(crate) fn create_default_location_command(ctx: &Ctx) -> String {
    format!(
        "aws s3control create-access-grants-location --region {} --account-id {acct} --location-scope s3:// --iam-role-arn arn:aws:iam::{acct}:role/<S3AG_LOCATION_ROLE>",
        ctx.region(),
        acct = ctx.account()
    )
}

/// `aws s3control create-access-grant` of READWRITE on everything under `prefix`,
/// inside the most specific registered location that covers it (else the default
/// location `s3://`).
pub(crate) fn create_grant_command(
    ctx: &Ctx,
    prefix: &str,
    grantee_type: &str,
    grantee_id: &str,
) -> String {
    let locations = ctx.facts.access_grants.locations.known().ok();
    let located = locations
        .and_then(|l| s3::covering_location(l, prefix))
        .and_then(|l| {
            s3::sub_prefix(&l.location_scope, prefix)
                .map(|sub| (l.access_grants_location_id.as_str(), sub))
        });
    let (location, sub) = located.unwrap_or_else(|| {
        (
            "default",
            format!("{}*", s3::as_dir(s3::strip_scheme(prefix))),
        )
    });
    format!(
        "aws s3control create-access-grant --region {} --account-id {} --access-grants-location-id {location} --access-grants-location-configuration 'S3SubPrefix={sub}' --grantee GranteeType={grantee_type},GranteeIdentifier={grantee_id} --permission READWRITE",
        ctx.region(),
        ctx.account()
    )
}

/// An Identity Center application's assignments as the facts hold them:
/// `Ok(None)` when it does not require assignments, `Ok(Some(list))` when it
/// does; `Err` is the `error` outcome (about `label`) naming what could not be read.
pub(crate) fn required_assignments<'a>(
    ctx: &Ctx<'a>,
    label: &str,
    arn: &str,
) -> Result<Option<&'a [Assignment]>, Box<Outcome>> {
    let unread =
        |u: &Unknown, what: &str| Box::new(Outcome::unknown(label, &format!("{what}{arn}"), u));
    let Some(app) = ctx.facts.applications.get(arn) else {
        let why = Unknown::new(
            UnknownKind::NotCollected,
            "sso:GetApplicationAssignmentConfiguration",
            format!("application {arn} is not in the facts"),
        );
        return Err(unread(&why, "the assignments of "));
    };
    match app.assignment_required.known() {
        Ok(false) => return Ok(None),
        Ok(true) => {}
        Err(u) => return Err(unread(u, "the assignment configuration of ")),
    }
    match ctx.assignments(app) {
        Ok(a) => Ok(Some(a)),
        Err(u) => Err(unread(&u, "the assignments of ")),
    }
}

/// The identities of session mappings: `GROUP analysts (e7b4...), USER 97a4...`.
pub(crate) fn mapping_names(maps: &[&crate::facts::SessionMapping]) -> String {
    maps.iter()
        .map(
            |m| match m.identity_name.as_deref().filter(|n| !n.is_empty()) {
                Some(n) => format!("{} {n} ({})", m.identity_type, m.identity_id),
                None => format!("{} {}", m.identity_type, m.identity_id),
            },
        )
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::healthy;

    #[test]
    fn role_arns_and_accounts() {
        assert_eq!(role_arn("1", "R"), "arn:aws:iam::1:role/R");
        assert_eq!(
            role_arn("1", "arn:aws:iam::2:role/p/R"),
            "arn:aws:iam::2:role/p/R"
        );
        let mut f = healthy();
        f.caller = Fact::Unknown(Unknown::not_collected());
        let ctx = Ctx::new(&f);
        let arn = "arn:aws:iam::111122223333:role/EMRStudio-UserRole";
        assert_eq!(account_of(&ctx, Some(arn)), "111122223333");
        assert_eq!(account_of(&ctx, None), "<ACCOUNT_ID>");
    }

    #[test]
    fn workgroup_arns_fall_back_to_a_wildcard() {
        // Without --workgroup and no Identity Center workgroup: workgroup/*.
        let mut f = healthy();
        f.workgroups = Fact::Known(vec![]);
        let (arns, note) = workgroup_arns(&Ctx::new(&f), "1");
        assert_eq!(arns, vec!["arn:aws:athena:ap-northeast-1:1:workgroup/*"]);
        assert!(note.is_some());
    }

    const USER_ROLE: &str = "EMRStudio-UserRole";
    const SERVICE_ROLE: &str = "arn:aws:iam::111122223333:role/EMRStudio-ServiceRole";

    /// Review `wants` against the user role with `doc` as its only policy.
    fn review_with(doc: serde_json::Value, wants: &[Want]) -> (usize, usize) {
        let mut f = healthy();
        *crate::testkit::inline(&mut f, USER_ROLE) = vec![crate::facts::Policy {
            name: "P".into(),
            document: doc,
        }];
        crate::testkit::role(&mut f, USER_ROLE).attached_policies = Fact::Known(vec![]);
        let ctx = Ctx::new(&f);
        let role = ctx.role(USER_ROLE).unwrap().unwrap();
        let r = review(&ctx, role, wants).unwrap();
        (r.missing.len(), r.undecided.len())
    }

    fn conditional(action: &str, cond: serde_json::Value) -> serde_json::Value {
        serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": action, "Resource": "*", "Condition": cond}]})
    }

    #[test]
    fn keys_aws_always_sends_are_decided() {
        // IAM User Guide, global condition keys: aws:PrincipalArn,
        // aws:PrincipalAccount and aws:RequestedRegion: "This key is always
        // included in the request context"; aws:ResourceAccount: "always included
        // in the request context for most service actions", "equal to the AWS
        // account ID for the account with the resources evaluated in the request".
        let wants = [
            Want::new(
                "athena:GetWorkGroup",
                "arn:aws:athena:ap-northeast-1:111122223333:workgroup/idc-wg",
            ),
            Want::new("athena:ListWorkGroups", "*"),
            Want::new("lakeformation:GetDataAccess", "*"),
            Want::new(
                "s3:GetDataAccess",
                "arn:aws:s3:ap-northeast-1:111122223333:access-grants/default",
            ),
            Want::new(
                "glue:GetTable",
                "arn:aws:glue:ap-northeast-1:111122223333:catalog",
            ),
        ];
        let cond = |region: &str| {
            serde_json::json!({
                "StringEquals": {"aws:ResourceAccount": "111122223333",
                                 "aws:PrincipalAccount": "111122223333",
                                 "aws:RequestedRegion": region,
                                 "aws:PrincipalType": "AssumedRole"},
                "ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/EMRStudio-UserRole"}})
        };
        assert_eq!(
            review_with(conditional("*", cond("ap-northeast-1")), &wants),
            (0, 0)
        );
        assert_eq!(
            review_with(conditional("*", cond("us-east-1")), &wants),
            (5, 0)
        );
        // A data-perimeter Deny on another account does not apply.
        let doc = serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "*", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:ResourceAccount": "111122223333"}}}]});
        assert_eq!(review_with(doc, &wants), (0, 0));
        // S3 ARNs carry neither account nor region: not guessed.
        let object = [Want::new("s3:GetObject", "arn:aws:s3:::studio-bucket/x")];
        let doc = conditional(
            "s3:*",
            serde_json::json!({"StringEquals": {"aws:ResourceAccount": "111122223333"}}),
        );
        assert_eq!(review_with(doc, &object), (0, 1));
    }

    #[test]
    fn pass_role_of_the_service_role_is_passed_to_emr() {
        // IAM User Guide, iam:PassedToService: "Specifies the service principal of
        // the service to which a role can be passed"; EMR Studio's service role is
        // passed to elasticmapreduce.amazonaws.com.
        let wants = [Want::new("iam:PassRole", SERVICE_ROLE)];
        let to = |service: &str| {
            conditional(
                "iam:PassRole",
                serde_json::json!({"StringEquals": {"iam:PassedToService": service}}),
            )
        };
        assert_eq!(
            review_with(to("elasticmapreduce.amazonaws.com"), &wants),
            (0, 0)
        );
        assert_eq!(review_with(to("ec2.amazonaws.com"), &wants), (1, 0));
        // The region of a PassRole check is not documented: decided only when the
        // Studio's region and us-east-1 agree.
        let region = |r: serde_json::Value| {
            conditional(
                "iam:PassRole",
                serde_json::json!({"StringEquals": {"aws:RequestedRegion": r}}),
            )
        };
        assert_eq!(
            review_with(region(serde_json::json!("ap-northeast-1")), &wants),
            (0, 1)
        );
        assert_eq!(
            review_with(
                region(serde_json::json!(["ap-northeast-1", "us-east-1"])),
                &wants
            ),
            (0, 0)
        );
        assert_eq!(
            review_with(region(serde_json::json!("eu-west-1")), &wants),
            (1, 0)
        );
        // Another role is not passed to EMR as far as studio-doctor knows.
        let other = [Want::new(
            "iam:PassRole",
            "arn:aws:iam::111122223333:role/Other",
        )];
        assert_eq!(
            review_with(to("elasticmapreduce.amazonaws.com"), &other),
            (0, 1)
        );
    }

    #[test]
    fn grants_fall_back_to_the_default_location() {
        let mut f = healthy();
        f.access_grants.locations = Fact::Known(vec![]);
        let c = create_grant_command(&Ctx::new(&f), "s3://b/p", "IAM", "R");
        assert!(
            c.contains("--access-grants-location-id default --access-grants-location-configuration 'S3SubPrefix=b/p/*'"),
            "{c}"
        );
    }
}
