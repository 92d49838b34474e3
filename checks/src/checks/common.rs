//! Helpers the check files share: the per-Studio and per-workgroup loops, the
//! review of a role's permission policies and its `put-role-policy` fix, trust
//! policy fixes, and the fix commands several checks repeat.

use crate::check::{Outcome, Remediation, remedy};
use crate::checks::es001::recreate_fix;
use crate::checks::es003::not_sso;
use crate::checks::es004::create_role_command;
use crate::ctx::{Ctx, studio_label, studio_scope, workgroup_scope};
use crate::fact::{Fact, Unknown, UnknownKind};
use crate::facts::{LfPermission, LfResource, Role, Studio, WorkGroup, role_name};
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
            .flat_map(|s| f(s).into_iter().map(move |o| o.scope(studio_scope(s))))
            .collect(),
        Err(u) => vec![Outcome::unknown("EMR Studios", "the EMR Studios", u)],
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
            .flat_map(|w| f(w).into_iter().map(move |o| o.scope(workgroup_scope(w))))
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
            .flat_map(|w| f(w).into_iter().map(move |o| o.scope(workgroup_scope(w))))
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

    /// The fix summary: add a policy, and what a new policy cannot fix.
    pub(crate) fn summary(&self, role: &Role) -> String {
        let name = &role.role_name;
        let mut s = format!(
            "Add an inline policy to {name} granting the missing actions (console: IAM → Roles → {name} → Add permissions → Create inline policy → JSON)"
        );
        let mut denies: Vec<&str> = Vec::new();
        let mut boundary = None;
        for (_, d) in &self.missing {
            match d {
                Decision::ExplicitDeny { statement } if !denies.contains(&statement.as_str()) => {
                    denies.push(statement)
                }
                Decision::OutsideBoundary { boundary: b } => boundary = Some(b.as_str()),
                _ => {}
            }
        }
        if !denies.is_empty() {
            s.push_str(&format!(
                "; an Allow does not override a Deny: also remove or narrow {}",
                denies.join(", ")
            ));
        }
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
pub(crate) fn review<'a>(role: &Role, wants: &'a [Want]) -> Result<Review<'a>, Unknown> {
    review_in(role, wants, |w| request_context(role, &w.resource))
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

/// The request-context keys the facts tell for a role's own request.
fn request_context(role: &Role, resource: &str) -> Context {
    let mut c = Context::new().with("aws:PrincipalArn", role.arn.clone());
    if let Some(a) = arn_account(&role.arn) {
        c = c.with("aws:PrincipalAccount", a);
    }
    if let Some(a) = arn_account(resource) {
        c = c.with("aws:ResourceAccount", a);
    }
    c
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
        match review(role, wants) {
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
