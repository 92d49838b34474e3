//! # ES005 studio-user-role-permissions
//!
//! **What it checks.** For every EMR Studio in scope that uses IAM Identity Center
//! authentication, the user role's inline and attached policies (limited by its
//! permissions boundary, if any) allow what the Athena SQL editor needs:
//! - `athena:StartQueryExecution`, `GetQueryExecution`, `GetQueryResults`,
//!   `StopQueryExecution`, `GetWorkGroup` on each target workgroup
//!   (`arn:aws:athena:<region>:<account>:workgroup/<name>`; `workgroup/*` when no
//!   workgroup is selected), and `athena:ListWorkGroups` on `*`;
//! - `glue:GetDatabase`, `GetDatabases`, `GetTable`, `GetTables`, `GetPartitions`
//!   on `arn:aws:glue:<region>:<account>:catalog`;
//! - `lakeformation:GetDataAccess` on `*`;
//! - `secretsmanager:TagResource` on an `emr-studio-*` secret (checked on
//!   `arn:aws:secretsmanager:<region>:<account>:secret:emr-studio-example`, granted
//!   on `...:secret:emr-studio-*`);
//! - `iam:PassRole` on the Studio's service role.
//!
//! One result per Studio lists every missing action. Deny statements win;
//! conditions on keys studio-doctor knows (`aws:PrincipalArn`,
//! `aws:PrincipalAccount`, `aws:ResourceAccount`) are evaluated, any other
//! condition gives a warning naming it. This is the identity-policy view: service
//! control policies, session policies (the Studio's session mappings) and resource
//! policies are not included.
//!
//! **Why it matters.** With trusted identity propagation the Studio runs Athena
//! queries with the user role's session, scoped to the Identity Center user.
//! Without these permissions the Athena SQL editor cannot list workgroups, start
//! queries or read the Glue catalog. The seed's author had to add
//! `secretsmanager:TagResource` on `emr-studio-*` and `iam:PassRole` on the
//! service role before the Studio worked (trap 2-4).
//!
//! **How to fix.** Add an inline policy with exactly the missing actions.
//! Console: IAM → Roles → (the user role) → Add permissions → Create inline policy
//! → JSON, paste the document from the report.
//! CLI (the report fills in the role, the actions and the resources):
//! `aws iam put-role-policy --role-name <USER_ROLE> --policy-name StudioAthenaTip
//! --policy-document '{"Version":"2012-10-17","Statement":[...]}'`. The report
//! picks a policy name the role does not use yet (`StudioAthenaTip2`, ...), so the
//! command adds a policy and never replaces one. An explicit Deny must be removed
//! by hand; a permissions boundary must allow the actions too.
//!
//! **Permissions needed.** `elasticmapreduce:ListStudios`,
//! `elasticmapreduce:DescribeStudio`, `athena:ListWorkGroups`,
//! `athena:GetWorkGroup`, `iam:GetRole`, `iam:ListRolePolicies`,
//! `iam:GetRolePolicy`, `iam:ListAttachedRolePolicies`, `iam:GetPolicy`,
//! `iam:GetPolicyVersion`, `sts:GetCallerIdentity`.
//!
//! **Evidence.** DOC (setting-up-tip-emr: the example user-role policy for Athena
//! workgroups; emr-studio-user-permissions: "your permissions policy must include"
//! `secretsmanager:TagResource` and `iam:PassRole`, and the Athena SQL editor
//! column; emr-studio-athena) and BLOG (trap 2-4). The action list is the subset
//! both documents share; the resources are the narrowest ones the documents allow.
//!
//! **References.**
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/setting-up-tip-emr.html
//! - https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-user-permissions.html
//! - https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-athena.html
//! - https://docs.aws.amazon.com/cli/latest/reference/iam/put-role-policy.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity, remedy};
use crate::checks::es003::not_sso;
use crate::checks::es004;
use crate::ctx::{Ctx, studio_label, studio_scope};
use crate::fact::{Fact, Unknown};
use crate::facts::{Role, Studio, role_name};
use crate::policy::{self, Context, Decision, allow_document, arn_account, unused_policy_name};

pub const META: Meta = Meta {
    id: "ES005",
    name: "studio-user-role-permissions",
    area: Area::EmrStudio,
    severity: Severity::Error,
    title: "Studio user role allows Athena, Glue, Lake Formation, secret tagging and PassRole",
    depends_on: &["ES003"],
    needs: &[
        Need::Caller,
        Need::Studios,
        Need::Workgroups,
        Need::UserRolePolicies,
    ],
    docs: &[
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/setting-up-tip-emr.html",
        "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-user-permissions.html",
        "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-athena.html",
    ],
};

const ATHENA_ON_WORKGROUP: [&str; 5] = [
    "athena:StartQueryExecution",
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
    "athena:StopQueryExecution",
    "athena:GetWorkGroup",
];

const GLUE_READ: [&str; 5] = [
    "glue:GetDatabase",
    "glue:GetDatabases",
    "glue:GetTable",
    "glue:GetTables",
    "glue:GetPartitions",
];

const VIEW: &str =
    "identity-policy view: SCPs, session policies and resource policies are not included";

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    let studios = match ctx.studios() {
        Ok(s) => s,
        Err(u) => return vec![Outcome::unknown("EMR Studios", "the EMR Studios", u)],
    };
    studios
        .into_iter()
        .map(|s| one(ctx, s).scope(studio_scope(s)))
        .collect()
}

fn one(ctx: &Ctx, s: &Studio) -> Outcome {
    if s.auth_mode.as_deref() != Some("SSO") {
        return not_sso(ctx, s);
    }
    let label = studio_label(s);
    let Some(user) = s.user_role.as_deref().filter(|r| !r.is_empty()) else {
        return Outcome::fail(&label, format!("{label} has no user role (see ES003)")).fix(
            crate::checks::es001::recreate_fix(
                ctx,
                Some(s),
                "Create a separate user role and a new Studio that uses it (see ES003)",
            ),
        );
    };
    let account = account_of(ctx, s.studio_arn.as_deref());
    let arn = role_arn(&account, user);
    let (wants, note) = wants(ctx, s, &account);
    let role = match ctx.role(user) {
        Err(u) => {
            return Outcome::unknown(&arn, &format!("the policies of user role {arn}"), &u);
        }
        Ok(None) => {
            let all: Vec<&Want> = wants.iter().collect();
            let mut fix = grant_fix(
                role_name(user),
                "StudioAthenaTip",
                &all,
                format!(
                    "Create the user role {} (see ES004), then grant it what the Athena SQL editor needs",
                    role_name(user)
                ),
                META.docs,
            );
            fix.commands
                .insert(0, es004::create_role_command(&arn, es004::TRUST));
            return Outcome::fail(
                &arn,
                format!("{label}: its user role {arn} does not exist in IAM (NoSuchEntity)"),
            )
            .fix(fix);
        }
        Ok(Some(r)) => r,
    };
    let review = match review(role, &wants) {
        Ok(r) => r,
        Err(u) => {
            return Outcome::unknown(
                &role.arn,
                &format!("the policies of user role {}", role.arn),
                &u,
            );
        }
    };
    let note = note.map(|n| format!(" ({n})")).unwrap_or_default();
    if review.is_clean() {
        return Outcome::pass(
            &role.arn,
            format!(
                "{label}: user role {} allows the {} Athena, Glue, Lake Formation, Secrets Manager and iam:PassRole permissions the Athena SQL editor needs{note} ({VIEW})",
                role.arn,
                wants.len()
            ),
        );
    }
    let pname = unused_policy_name(role, "StudioAthenaTip");
    if review.missing.is_empty() {
        return Outcome::warn(
            &role.arn,
            format!(
                "{label}: could not decide whether user role {} allows {}{note} ({VIEW})",
                role.arn,
                review.undecided_list()
            ),
        )
        .fix(grant_fix(
            &role.role_name,
            &pname,
            &review.all(),
            format!(
                "studio-doctor could not evaluate some conditions; if the Athena SQL editor fails, grant these to {} without conditions",
                role.role_name
            ),
            META.docs,
        ));
    }
    let mut msg = format!(
        "{label}: user role {} is missing {} permission(s) the Athena SQL editor needs: {}{note}",
        role.arn,
        review.missing.len(),
        review.missing_list()
    );
    if !review.undecided.is_empty() {
        msg.push_str(&format!("; undecided: {}", review.undecided_list()));
    }
    msg.push_str(&format!(" ({VIEW})"));
    Outcome::fail(&role.arn, msg).fix(grant_fix(
        &role.role_name,
        &pname,
        &review.all(),
        review.summary(role),
        META.docs,
    ))
}

/// Everything the user role needs, and a note when no target workgroup is known.
fn wants(ctx: &Ctx, s: &Studio, account: &str) -> (Vec<Want>, Option<String>) {
    let region = ctx.region();
    let (workgroups, note) = workgroup_arns(ctx, account);
    let mut v = Vec::new();
    for wg in &workgroups {
        for a in ATHENA_ON_WORKGROUP {
            v.push(Want::new(a, wg));
        }
    }
    v.push(Want::new("athena:ListWorkGroups", "*"));
    for a in GLUE_READ {
        v.push(Want::new(
            a,
            &format!("arn:aws:glue:{region}:{account}:catalog"),
        ));
    }
    v.push(Want::new("lakeformation:GetDataAccess", "*"));
    let secrets = format!("arn:aws:secretsmanager:{region}:{account}:secret:emr-studio-");
    v.push(
        Want::new("secretsmanager:TagResource", &format!("{secrets}example"))
            .granting(format!("{secrets}*")),
    );
    if let Some(svc) = s.service_role.as_deref().filter(|r| !r.is_empty()) {
        v.push(Want::new("iam:PassRole", &role_arn(account, svc)));
    }
    (v, note)
}

// ---- shared with ES006 ----------------------------------------------------

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

    fn granting(mut self, pattern: String) -> Want {
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

/// Evaluate each want against the role's policies.
pub(crate) fn review<'a>(role: &Role, wants: &'a [Want]) -> Result<Review<'a>, Unknown> {
    let mut r = Review {
        missing: Vec::new(),
        undecided: Vec::new(),
    };
    for w in wants {
        let c = request_context(role, &w.resource);
        match policy::evaluate_role(role, w.action, &w.resource, &c)? {
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

/// `aws iam put-role-policy` granting exactly these wants, under a policy name the
/// role does not use yet.
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

/// The account: the caller's, else the one in `arn`, else a placeholder.
pub(crate) fn account_of(ctx: &Ctx, arn: Option<&str>) -> String {
    match (&ctx.facts.caller, arn.and_then(arn_account)) {
        (Fact::Known(c), _) => c.account_id.clone(),
        (_, Some(a)) => a.to_string(),
        _ => ctx.account().to_string(),
    }
}

/// A role ARN from what DescribeStudio returned (a name or an ARN).
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Status, Verdict};
    use crate::fact::UnknownKind;
    use crate::facts::{Facts, Policy};
    use crate::testkit::{healthy, only};
    use serde_json::{Value, json};

    const ARN: &str = "arn:aws:iam::111122223333:role/EMRStudio-UserRole";

    fn user_role(f: &mut Facts) -> &mut Role {
        match f.roles.get_mut("EMRStudio-UserRole") {
            Some(Fact::Known(Some(r))) => r,
            _ => panic!("no user role"),
        }
    }

    fn inline(f: &mut Facts) -> &mut Vec<Value> {
        match &mut user_role(f).inline_policies {
            Fact::Known(p) => p[0].document["Statement"].as_array_mut().unwrap(),
            Fact::Unknown(_) => panic!(),
        }
    }

    fn drop_sids(f: &mut Facts, sids: &[&str]) {
        inline(f).retain(|s| !sids.contains(&s["Sid"].as_str().unwrap_or("")));
    }

    /// The policy document in a put-role-policy command.
    fn doc_of(cmd: &str) -> Value {
        let start = cmd.find("--policy-document '").unwrap() + "--policy-document '".len();
        serde_json::from_str(&cmd[start..cmd.len() - 1]).unwrap()
    }

    #[test]
    fn passes_on_healthy() {
        let r = only("ES005", &healthy());
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert!(r.message.contains(ARN) && r.message.contains("identity-policy view"));
    }

    #[test]
    fn fails_like_the_seed_and_the_fix_grants_exactly_what_is_missing() {
        let mut f = healthy();
        drop_sids(&mut f, &["TagStudioSecrets", "PassServiceRole"]);
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(
            r.message.contains("missing 2 permission(s)"),
            "{}",
            r.message
        );
        assert!(r.message.contains(
            "secretsmanager:TagResource on arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:emr-studio-example"
        ));
        assert!(
            r.message
                .contains("iam:PassRole on arn:aws:iam::111122223333:role/EMRStudio-ServiceRole")
        );
        let fix = r.remediation.unwrap();
        let cmd = &fix.commands[0];
        // StudioAthenaTip is taken: a new name, so nothing is replaced.
        assert!(cmd.starts_with(
            "aws iam put-role-policy --role-name EMRStudio-UserRole --policy-name StudioAthenaTip2 "
        ), "{cmd}");
        let doc = doc_of(cmd);
        assert_eq!(doc["Statement"].as_array().unwrap().len(), 2);
        assert_eq!(
            doc["Statement"][0]["Resource"],
            "arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:emr-studio-*"
        );
        // Applying the fix makes the check pass.
        match &mut user_role(&mut f).inline_policies {
            Fact::Known(p) => p.push(Policy {
                name: "StudioAthenaTip2".into(),
                document: doc,
            }),
            Fact::Unknown(_) => panic!(),
        }
        assert_eq!(only("ES005", &f).status, Status::Pass);
    }

    #[test]
    fn athena_is_checked_on_the_target_workgroup() {
        let mut f = healthy();
        match &mut user_role(&mut f).attached_policies {
            Fact::Known(p) => p.clear(),
            Fact::Unknown(_) => panic!(),
        }
        inline(&mut f)[0]["Resource"] =
            json!("arn:aws:athena:ap-northeast-1:111122223333:workgroup/primary");
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains(
            "athena:StartQueryExecution on arn:aws:athena:ap-northeast-1:111122223333:workgroup/idc-wg"
        ), "{}", r.message);
        assert!(r.message.contains("athena:ListWorkGroups on *"));
        assert!(!r.message.contains("glue:"));
    }

    #[test]
    fn names_an_explicit_deny_and_a_boundary() {
        let mut f = healthy();
        inline(&mut f).push(json!({"Sid": "NoPassRole", "Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}));
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.message.contains(
                "explicitly denied by statement \"NoPassRole\" in policy StudioAthenaTip"
            )
        );
        assert!(
            r.remediation
                .unwrap()
                .summary
                .contains("remove or narrow statement \"NoPassRole\"")
        );

        let mut f = healthy();
        user_role(&mut f).permissions_boundary = Some(Fact::Known(Policy {
            name: "arn:aws:iam::111122223333:policy/DataBoundary".into(),
            document: json!({"Statement": [{"Effect": "Allow", "Action": ["athena:*", "glue:*"], "Resource": "*"}]}),
        }));
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("lakeformation:GetDataAccess on * (allowed by the role's policies but not by its permissions boundary"));
        assert!(
            r.remediation
                .unwrap()
                .summary
                .contains("DataBoundary must allow")
        );
    }

    #[test]
    fn warns_on_conditions_it_cannot_evaluate() {
        let mut f = healthy();
        let tag = inline(&mut f)
            .iter_mut()
            .find(|s| s["Sid"] == "TagStudioSecrets")
            .unwrap();
        tag["Condition"] = json!({"StringEquals": {"aws:RequestTag/for-use-with-amazon-emr-managed-policies": "true"}});
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Warn, "{r:#?}");
        assert!(r.message.contains("secretsmanager:TagResource"));
        assert!(
            r.message.contains("\"TagStudioSecrets\"") && r.message.contains("aws:RequestTag/")
        );
        assert!(r.remediation.is_some());
        // A condition on a key studio-doctor knows is decided.
        let mut f = healthy();
        let tag = inline(&mut f)
            .iter_mut()
            .find(|s| s["Sid"] == "TagStudioSecrets")
            .unwrap();
        tag["Condition"] = json!({"StringEquals": {"aws:ResourceAccount": "111122223333"}});
        assert_eq!(only("ES005", &f).status, Status::Pass);
    }

    #[test]
    fn a_missing_role_fails_with_create_and_grant() {
        let mut f = healthy();
        f.roles
            .insert("EMRStudio-UserRole".into(), Fact::Known(None));
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Fail);
        let c = r.remediation.unwrap().commands;
        assert!(c[0].starts_with("aws iam create-role --role-name EMRStudio-UserRole"));
        assert!(c[1].contains("--policy-name StudioAthenaTip ") && c[1].contains("iam:PassRole"));
    }

    #[test]
    fn skips_when_es003_fails() {
        let mut f = healthy();
        if let Fact::Known(s) = &mut f.studios {
            s[0].user_role = None;
        }
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Skip);
        assert!(r.message.contains("ES003"));
    }

    #[test]
    fn unreadable_policies_are_an_error() {
        let u = Unknown::new(
            UnknownKind::AccessDenied,
            "iam:ListAttachedRolePolicies",
            "no",
        );
        let mut f = healthy();
        user_role(&mut f).attached_policies = Fact::Unknown(u.clone());
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("iam:ListAttachedRolePolicies") && r.message.contains(ARN));
        let mut f = healthy();
        user_role(&mut f).permissions_boundary = Some(Fact::Unknown(u));
        assert_eq!(run(&Ctx::new(&f))[0].verdict, Verdict::Error);
    }

    #[test]
    fn helpers() {
        assert_eq!(role_arn("1", "R"), "arn:aws:iam::1:role/R");
        assert_eq!(
            role_arn("1", "arn:aws:iam::2:role/p/R"),
            "arn:aws:iam::2:role/p/R"
        );
        let mut f = healthy();
        f.caller = Fact::Unknown(Unknown::not_collected());
        let ctx = Ctx::new(&f);
        assert_eq!(account_of(&ctx, Some(ARN)), "111122223333");
        assert_eq!(account_of(&ctx, None), "<ACCOUNT_ID>");
        // Without --workgroup and no Identity Center workgroup: workgroup/*.
        let mut f = healthy();
        f.workgroups = Fact::Known(vec![]);
        let (arns, note) = workgroup_arns(&Ctx::new(&f), "1");
        assert_eq!(arns, vec!["arn:aws:athena:ap-northeast-1:1:workgroup/*"]);
        assert!(note.is_some());
    }
}
