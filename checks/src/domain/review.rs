//! The review of a role's permission policies: the actions (and resources) a
//! role must be allowed, the request context they are evaluated in, what is
//! missing or undecided, the `put-role-policy` fix, and how a review becomes an
//! outcome.

use crate::check::{Outcome, Remediation};
use crate::ctx::Ctx;
use crate::fact::{Fact, Unknown};
use crate::facts::{Role, role_name};
use crate::fix::Action;
use crate::fixes::create_role;
use crate::lf;
use crate::policy::{self, Context, Decision, allow_document, arn_account, unused_policy_name};

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

    /// The outcome of a role review on `resource`: a pass with `pass` when
    /// nothing is missing or undecided; a warning when only undecided; else a
    /// failure. `undecided` and `missing` give the message and the fix.
    pub(crate) fn outcome(
        &self,
        resource: &str,
        pass: impl FnOnce() -> String,
        undecided: impl FnOnce(&Self) -> (String, Remediation),
        missing: impl FnOnce(&Self) -> (String, Remediation),
    ) -> Outcome {
        if self.is_clean() {
            return Outcome::pass(resource, pass());
        }
        if self.missing.is_empty() {
            let (message, fix) = undecided(self);
            return Outcome::warn(resource, message).fix(fix);
        }
        let (message, fix) = missing(self);
        Outcome::fail(resource, message).fix(fix)
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
                fix.actions.insert(0, create_role(arn, &missing.trust));
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

/// `iam:PutRolePolicy` adding one inline policy `policy_name` that grants
/// exactly these wants (each action on the resource its want grants).
pub(crate) fn grant_fix(
    role: &str,
    policy_name: &str,
    wants: &[&Want],
    summary: String,
    docs: &[&str],
) -> Remediation {
    let grants: Vec<(&str, &str)> = wants.iter().map(|w| (w.action, w.grant.as_str())).collect();
    Remediation::new(
        summary,
        vec![Action::PutRolePolicy {
            role_name: role.to_string(),
            policy_name: policy_name.to_string(),
            policy_document: allow_document(&grants),
        }],
        docs,
    )
}

/// Several fixes as one: their summaries joined with `sep`, their actions in
/// order, their docs without repeats; what each replaces or recreates is kept,
/// so the strongest applicability wins.
pub(crate) fn merge(parts: Vec<Remediation>, sep: &str) -> Remediation {
    let mut out = Remediation::new(String::new(), Vec::new(), &[]);
    let mut summaries = Vec::new();
    let mut kept: Vec<String> = Vec::new();
    let mut reasons: Vec<String> = Vec::new();
    for p in parts {
        summaries.push(p.summary);
        out.actions.extend(p.actions);
        for d in p.docs {
            if !out.docs.contains(&d) {
                out.docs.push(d);
            }
        }
        kept.extend(p.applicability.kept);
        reasons.extend(p.applicability.reason);
    }
    out.summary = summaries.join(sep);
    out.applicability.kept = (!kept.is_empty()).then(|| kept.join("; "));
    out.applicability.reason = (!reasons.is_empty()).then(|| reasons.join("; "));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::healthy;

    #[test]
    fn merged_fixes_keep_every_action_and_the_strongest_applicability() {
        let put = |role: &str| {
            let w = Want::new("athena:GetWorkGroup", "*");
            grant_fix(role, "P", &[&w], format!("grant {role}"), &["d1"])
        };
        let replacing = put("B").replaces("the old statements");
        let m = merge(vec![put("A"), replacing], ". Then: ");
        assert_eq!(m.summary, "grant A. Then: grant B");
        assert_eq!(m.actions.len(), 2);
        assert_eq!(m.docs, ["d1"]);
        let o = Outcome::fail("r", "m").fix(m);
        let fix = o.fix.unwrap();
        assert_eq!(fix.applicability.kind, crate::fix::Kind::Replaces);
        assert_eq!(
            fix.applicability.kept.as_deref(),
            Some("the old statements")
        );
        assert_eq!(fix.commands.len(), 2);
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
}
