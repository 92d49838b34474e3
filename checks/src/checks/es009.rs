//! # ES009 studio-session-policies
//!
//! **What it checks.** For every EMR Studio in scope that uses IAM Identity Center
//! authentication, each session policy named by its session mappings
//! (`ListStudioSessionMappings` → `SessionPolicyArn`) is a managed policy that
//! exists (`iam:GetPolicy`) and is attached to the Studio's user role
//! (`iam:ListAttachedRolePolicies`). One result per distinct session policy, naming
//! the users and groups mapped to it. A Studio without session mappings passes
//! here (ES008 checks that users are assigned). Studios with IAM authentication
//! are ES001's failures and are skipped. This is a warning. What each session
//! policy allows is judged by ES005, which intersects it with the user role.
//!
//! **Why it matters.** With Identity Center authentication, a session mapping
//! assigns a user or group to the Studio together with a session policy, which
//! refines the user role's permissions for that user's Studio sessions. The EMR
//! documentation says to attach session policies to the Studio user role; a
//! mapping whose policy was deleted, or never attached, is expected to give that
//! user's sessions missing permissions or a failed sign-in.
//!
//! **How to fix.** Attach the policy to the user role.
//! Console: IAM → Roles → (the user role) → Add permissions → Attach policies →
//! the session policy. CLI (the report fills in the role and the policy ARN):
//! `aws iam attach-role-policy --role-name <USER_ROLE> --policy-arn
//! arn:aws:iam::<account>:policy/<SESSION_POLICY>`. A policy that does not exist:
//! create it (`aws iam create-policy --policy-name <SESSION_POLICY>
//! --policy-document ...`; the report proposes a document with what the Athena SQL
//! editor needs, with `iam:PassRole` on the service role's full ARN as `iam:GetRole`
//! gives it, review it), then attach it; or point the mapping at an existing
//! attached policy with `aws emr update-studio-session-mapping`.
//!
//! **Evidence.** Inferred, hence a warning: the rule "every session policy exists
//! and is attached to the user role" is inferred from the EMR documentation's
//! "You must attach session policies to your EMR Studio user role" (the older
//! emr-studio-user-role page) and the CreateStudioSessionMapping reference
//! ("applies a session policy to refine Studio permissions for that user or
//! group"). What exactly fails when a policy is missing was not verified against a
//! live account. The fields are as the EMR API model documents them
//! (`SessionPolicyArn` is required).
//!
//! **References.**
//! - https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-user-permissions.html
//! - https://docs.aws.amazon.com/emr/latest/APIReference/API_CreateStudioSessionMapping.html
//! - https://docs.aws.amazon.com/cli/latest/reference/iam/attach-role-policy.html
//! - https://docs.aws.amazon.com/cli/latest/reference/emr/update-studio-session-mapping.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::{Ctx, studio_label};
use crate::each::each_studio;
use crate::fact::{Fact, Unknown, UnknownKind};
use crate::facts::{SessionMapping, Studio, role_name};
use crate::fix::{Action, Kind};
use crate::fixes::{USER_ROLE_TRUST, create_role};
use crate::idc;
use crate::policy::allow_document;
use crate::roles::{account_of, real_role_arn, role_arn, sso_user_role};
use std::collections::BTreeMap;

pub const META: Meta = Meta {
    id: "ES009",
    name: "studio-session-policies",
    area: Area::EmrStudio,
    severity: Severity::Warning,
    title: "Studio session policies exist and are attached to the user role",
    depends_on: &["ES003"],
    hop: crate::check::Hop::UserRole,
    entitlement: false,
    fixes: &[
        ("iam:CreatePolicy", Kind::Ready),
        ("iam:AttachRolePolicy", Kind::Ready),
        ("iam:CreateRole", Kind::Ready),
        ("emr:CreateStudio", Kind::Recreates),
        ("emr:DeleteStudio", Kind::Recreates),
    ],
    needs: &[
        Need::Caller,
        Need::Studios,
        Need::SessionMappings,
        Need::UserRolePolicies,
        Need::SessionPolicies,
    ],
    docs: &[
        "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-user-permissions.html",
        "https://docs.aws.amazon.com/emr/latest/APIReference/API_CreateStudioSessionMapping.html",
    ],
};

const WHY: &str = "the EMR documentation says session policies must be attached to the Studio user role (inferred check: not verified against a live account)";

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_studio(ctx, |s| one(ctx, s))
}

/// What the user role's attached policies are: their ARNs, or why not known.
enum Attached<'a> {
    Arns(Vec<&'a str>),
    NoRole,
    Unread(Unknown),
}

fn one(ctx: &Ctx, s: &Studio) -> Vec<Outcome> {
    let user = match sso_user_role(ctx, s) {
        Ok(u) => u,
        Err(o) => return vec![*o],
    };
    let label = studio_label(s);
    let mappings = match s.session_mappings.known() {
        Ok(m) => m,
        Err(u) => {
            return vec![Outcome::unknown(
                &label,
                &format!("the session mappings of {label}"),
                u,
            )];
        }
    };
    let mut by_policy: BTreeMap<&str, Vec<&SessionMapping>> = BTreeMap::new();
    for m in mappings {
        if let Some(p) = m.session_policy_arn.as_deref().filter(|p| !p.is_empty()) {
            by_policy.entry(p).or_default().push(m);
        }
    }
    if by_policy.is_empty() {
        let what = if mappings.is_empty() {
            "has no session mappings"
        } else {
            "has no session mapping that names a session policy"
        };
        return vec![Outcome::pass(
            &label,
            format!(
                "{label} {what}, so there is no session policy to check (ES008 checks that users are assigned)"
            ),
        )];
    }
    let account = account_of(ctx, s.studio_arn.as_deref());
    let role = role_arn(&account, user);
    let attached = match ctx.role(user) {
        Err(u) => Attached::Unread(u),
        Ok(None) => Attached::NoRole,
        Ok(Some(r)) => match r.attached_policies.known() {
            Ok(p) => Attached::Arns(p.iter().map(|p| p.name.as_str()).collect()),
            Err(u) => Attached::Unread(u.clone()),
        },
    };
    let p = Place {
        ctx,
        label: &label,
        role: &role,
        service: s
            .service_role
            .as_deref()
            .filter(|r| !r.is_empty())
            .map(|r| real_role_arn(ctx, &account, r).0),
    };
    by_policy
        .into_iter()
        .map(|(policy, maps)| judge(&p, policy, &maps, &attached))
        .collect()
}

/// Where a session policy is checked: the Studio and its roles.
struct Place<'a> {
    ctx: &'a Ctx<'a>,
    label: &'a str,
    /// The user role's ARN.
    role: &'a str,
    /// The service role's ARN, for the proposed policy document.
    service: Option<String>,
}

fn judge(p: &Place, policy: &str, maps: &[&SessionMapping], attached: &Attached) -> Outcome {
    let who = idc::mapping_names(maps);
    let label = p.label;
    let exists = match p.ctx.facts.managed_policies.get(policy) {
        None => Fact::Unknown(Unknown::new(
            UnknownKind::NotCollected,
            "iam:GetPolicy",
            format!("policy {policy} is not in the facts"),
        )),
        Some(f) => f.clone(),
    };
    match exists {
        Fact::Unknown(u) => {
            return Outcome::unknown(
                policy,
                &format!("whether session policy {policy} exists"),
                &u,
            );
        }
        Fact::Known(false) => {
            return Outcome::fail(
                policy,
                format!(
                    "{label}: the session policy {policy} of the mapping(s) for {who} does not exist in IAM (NoSuchEntity), so their Studio sessions cannot use it; {WHY}"
                ),
            )
            .fix(create_fix(p, policy, &who));
        }
        Fact::Known(true) => {}
    }
    let role = p.role;
    match attached {
        Attached::Unread(u) => Outcome::unknown(
            policy,
            &format!("the attached policies of user role {role}"),
            u,
        ),
        Attached::NoRole => {
            let mut fix = attach_fix(p, policy, &who);
            fix.summary = format!(
                "Create the user role {} (see ES004 and ES005), then attach the session policy {policy} to it",
                role_name(role)
            );
            fix.actions.insert(0, create_role(role, USER_ROLE_TRUST));
            Outcome::fail(
                policy,
                format!("{label}: its user role {role} does not exist in IAM (NoSuchEntity), so the session policy {policy} of {who} is attached to nothing"),
            )
            .fix(fix)
        }
        Attached::Arns(arns) if arns.contains(&policy) => Outcome::pass(
            policy,
            format!("{label}: session policy {policy} of {who} exists and is attached to user role {role}"),
        ),
        Attached::Arns(_) => Outcome::fail(
            policy,
            format!(
                "{label}: session policy {policy} of the mapping(s) for {who} is not attached to user role {role}; {WHY}"
            ),
        )
        .fix(attach_fix(p, policy, &who)),
    }
}

fn attach_fix(p: &Place, policy: &str, who: &str) -> Remediation {
    let name = role_name(p.role);
    Remediation::new(
        format!(
            "Attach the session policy {policy} (used by {who}) to the user role {name} (console: IAM → Roles → {name} → Add permissions → Attach policies)"
        ),
        vec![Action::AttachRolePolicy {
            role_name: name.to_string(),
            policy_arn: policy.to_string(),
        }],
        &[
            "https://docs.aws.amazon.com/cli/latest/reference/iam/attach-role-policy.html",
            META.docs[0],
        ],
    )
}

/// Create the missing policy (name and path from its ARN), then attach it.
fn create_fix(p: &Place, policy: &str, who: &str) -> Remediation {
    let (path, name) = match policy.split_once(":policy/") {
        Some((_, rest)) => match rest.rsplit_once('/') {
            Some((path, name)) => (Some(format!("/{path}/")), name),
            None => (None, rest),
        },
        None => (None, policy),
    };
    let region = p.ctx.region();
    let account = crate::policy::arn_account(p.role).unwrap_or(p.ctx.account());
    let secrets = format!("arn:aws:secretsmanager:{region}:{account}:secret:emr-studio-*");
    let mut grants = vec![
        ("athena:*", "*"),
        ("glue:Get*", "*"),
        ("lakeformation:GetDataAccess", "*"),
        ("secretsmanager:TagResource", secrets.as_str()),
    ];
    if let Some(svc) = &p.service {
        grants.push(("iam:PassRole", svc.as_str()));
    }
    let doc = allow_document(&grants);
    let mut fix = attach_fix(p, policy, who);
    fix.summary = format!(
        "Create the session policy {name} (review the proposed document: for {who} it limits what the user role allows), then attach it to the user role {}; or point the mapping(s) at an existing attached policy with aws emr update-studio-session-mapping",
        role_name(p.role)
    );
    fix.actions.insert(
        0,
        Action::CreatePolicy {
            policy_name: name.to_string(),
            path,
            policy_document: doc,
        },
    );
    fix.docs.push(
        "https://docs.aws.amazon.com/cli/latest/reference/emr/update-studio-session-mapping.html"
            .into(),
    );
    fix
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Status, Verdict};
    use crate::facts::{Facts, Role};
    use crate::testkit::{denied, healthy, only, results, role, skipped, studio};

    const POLICY: &str = "arn:aws:iam::111122223333:policy/EMRStudio-SessionPolicy";
    const ROLE: &str = "arn:aws:iam::111122223333:role/EMRStudio-UserRole";

    fn user_role(f: &mut Facts) -> &mut Role {
        role(f, "EMRStudio-UserRole")
    }

    fn detach(f: &mut Facts) {
        if let Fact::Known(p) = &mut user_role(f).attached_policies {
            p.clear();
        }
    }

    #[test]
    fn passes_on_healthy() {
        let r = only("ES009", &healthy());
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert!(r.message.contains(POLICY) && r.message.contains(ROLE));
        assert!(
            r.message
                .contains("GROUP analysts (e7b4d8a8-6041-7011-9c2d-0a1b2c3d4e5f)")
        );
    }

    #[test]
    fn warns_when_not_attached_and_the_fix_attaches_it() {
        let mut f = healthy();
        detach(&mut f);
        let r = only("ES009", &f);
        // Warning severity: a failure shows as warn.
        assert_eq!(r.status, Status::Warn, "{r:#?}");
        assert!(r.message.contains("is not attached to user role"));
        assert!(r.message.contains("inferred"));
        let fix = r.remediation.unwrap();
        assert_eq!(
            fix.commands,
            [format!(
                "aws iam attach-role-policy --role-name EMRStudio-UserRole --policy-arn {POLICY}"
            )]
        );
        // The runner keeps it a warning: Verdict::Fail, not Verdict::Warn.
        assert_eq!(run(&Ctx::new(&f))[0].verdict, Verdict::Fail);
    }

    #[test]
    fn warns_when_the_policy_does_not_exist() {
        let mut f = healthy();
        f.managed_policies.insert(
            "arn:aws:iam::111122223333:policy/team/Gone".into(),
            Fact::Known(false),
        );
        studio(&mut f).session_mappings = Fact::Known(vec![SessionMapping {
            identity_id: "97a4f8e8-30c1-70d2-1a2b-3c4d5e6f7a8b".into(),
            identity_name: None,
            identity_type: "USER".into(),
            session_policy_arn: Some("arn:aws:iam::111122223333:policy/team/Gone".into()),
        }]);
        let r = only("ES009", &f);
        assert_eq!(r.status, Status::Warn, "{r:#?}");
        assert!(r.message.contains("does not exist in IAM"));
        assert!(
            r.message
                .contains("USER 97a4f8e8-30c1-70d2-1a2b-3c4d5e6f7a8b")
        );
        let c = r.remediation.unwrap().commands;
        assert!(
            c[0].starts_with(
                "aws iam create-policy --policy-name Gone --path /team/ --policy-document '"
            ),
            "{}",
            c[0]
        );
        assert!(
            c[0].contains("arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:emr-studio-*")
        );
        assert!(c[0].contains("arn:aws:iam::111122223333:role/EMRStudio-ServiceRole"));
        assert_eq!(
            c[1],
            "aws iam attach-role-policy --role-name EMRStudio-UserRole --policy-arn arn:aws:iam::111122223333:policy/team/Gone"
        );
    }

    #[test]
    fn the_proposed_policy_passes_the_service_role_by_its_real_path() {
        let mut f = healthy();
        role(&mut f, "EMRStudio-ServiceRole").arn =
            "arn:aws:iam::111122223333:role/service-role/EMRStudio-ServiceRole".into();
        studio(&mut f).service_role = Some("EMRStudio-ServiceRole".into());
        f.managed_policies.insert(POLICY.into(), Fact::Known(false));
        let r = only("ES009", &f);
        let c = &r.remediation.unwrap().commands[0];
        assert!(
            c.contains("arn:aws:iam::111122223333:role/service-role/EMRStudio-ServiceRole"),
            "{c}"
        );
    }

    #[test]
    fn one_result_per_policy() {
        let mut f = healthy();
        let other = "arn:aws:iam::111122223333:policy/Other";
        f.managed_policies.insert(other.into(), Fact::Known(true));
        if let Fact::Known(m) = &mut studio(&mut f).session_mappings {
            let mut extra = m[0].clone();
            extra.identity_type = "USER".into();
            extra.identity_name = Some("alice".into());
            extra.session_policy_arn = Some(other.into());
            m.push(extra);
        }
        let r = results("ES009", &f);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].status, Status::Pass);
        assert_eq!(r[1].resource, other);
        assert_eq!(r[1].status, Status::Warn);
        assert!(r[1].message.contains("USER alice"));
    }

    #[test]
    fn no_mappings_pass_here() {
        let mut f = healthy();
        studio(&mut f).session_mappings = Fact::Known(vec![]);
        let r = only("ES009", &f);
        assert_eq!(r.status, Status::Pass);
        assert!(r.message.contains("no session mappings"));
    }

    #[test]
    fn skips_when_es003_fails() {
        let mut f = healthy();
        studio(&mut f).user_role = None;
        skipped("ES009", &f, "ES003");
    }

    #[test]
    fn a_missing_user_role_is_created_then_attached() {
        let mut f = healthy();
        f.roles
            .insert("EMRStudio-UserRole".into(), Fact::Known(None));
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Fail);
        let c = &out[0].fix.as_ref().unwrap().commands;
        assert!(c[0].starts_with("aws iam create-role --role-name EMRStudio-UserRole"));
        assert!(c[1].starts_with("aws iam attach-role-policy"));
    }

    #[test]
    fn unknown_facts_are_errors_not_passes() {
        // Existence unknown.
        let mut f = healthy();
        f.managed_policies
            .insert(POLICY.into(), Fact::Unknown(denied("iam:GetPolicy")));
        let r = only("ES009", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("iam:GetPolicy"));
        // Existence not collected at all.
        let mut f = healthy();
        f.managed_policies.clear();
        let r = only("ES009", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("not collected"), "{}", r.message);
        // Attached policies unreadable.
        let mut f = healthy();
        user_role(&mut f).attached_policies = Fact::Unknown(denied("iam:ListAttachedRolePolicies"));
        let r = only("ES009", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains(ROLE));
        // Session mappings unreadable.
        let mut f = healthy();
        studio(&mut f).session_mappings =
            Fact::Unknown(denied("elasticmapreduce:ListStudioSessionMappings"));
        assert_eq!(only("ES009", &f).status, Status::Error);
    }
}
