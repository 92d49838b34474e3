//! # ES004 studio-user-role-trust-set-context
//!
//! **What it checks.** For every EMR Studio in scope that uses IAM Identity Center
//! authentication, the user role's trust policy (`iam:GetRole` →
//! `Role.AssumeRolePolicyDocument`) lets the service principal
//! `elasticmapreduce.amazonaws.com` perform both `sts:AssumeRole` and
//! `sts:SetContext` (`sts:*` and `*` count). Deny statements and conditions are
//! honoured, with what EMR sends: `aws:SourceAccount` (the account);
//! `aws:SourceArn`, which the EMR Studio service-role page shows only as an EMR
//! ARN of the region and account
//! (`arn:aws:elasticmapreduce:<region>:<account>:*` passes, another
//! region or account fails, and a trust pinned to the Studio's own ARN is a
//! warning, never a pass); for `sts:SetContext` `sts:RequestContextProviders` =
//! `arn:aws:iam::aws:contextProvider/IdentityCenter` and
//! `sts:RequestContext/identitycenter:InstanceArn` = the Studio's Identity Center
//! instance (on `sts:AssumeRole` the provider key may be present or not: decided
//! only when both agree). A condition on any other key, or an operator
//! studio-doctor does not evaluate, gives a warning naming the condition instead
//! of a guess, and the fix keeps it. A user role that IAM does not know fails.
//!
//! **Why it matters.** With trusted identity propagation, EMR Studio assumes the
//! user role on behalf of the signed-in Identity Center user and sets the user's
//! identity context on the session with `sts:SetContext`. A trust policy that only
//! allows `sts:AssumeRole` (the usual service-role shape) makes opening the Studio
//! fail with an error naming the missing `sts:SetContext`.
//!
//! **How to fix.** Replace the user role's trust policy.
//! Console: IAM → Roles → (the user role) → Trust relationships → Edit trust
//! policy, paste the JSON below, Update policy.
//! CLI (the report fills in the role name):
//! `aws iam update-assume-role-policy --role-name <USER_ROLE> --policy-document
//! '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"elasticmapreduce.amazonaws.com"},"Action":["sts:AssumeRole","sts:SetContext"]}]}'`.
//! This replaces the whole trust policy: add back any other statement the role
//! still needs. If the role does not exist, the report gives the
//! `aws iam create-role` command with the same document.
//!
//! **Evidence.** Documented (emr-studio-user-permissions, "Create an EMR Studio user role
//! for IAM Identity Center authentication mode", lists `sts:AssumeRole` and
//! `sts:SetContext`; setting-up-tip-emr: the user role starts the trusted identity
//! propagation workflow) and observed in practice. Inferred: the principal. The
//! documented JSON has no `Principal` (it names the service role ARN as a
//! `Resource`), so studio-doctor expects the service principal
//! `elasticmapreduce.amazonaws.com`, as in the older user-role page and in working setups.
//! When the actions are granted only to the Studio's service role ARN as an AWS
//! principal, the check warns instead of failing.
//!
//! **References.**
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
//! - https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-service-role.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/condition-context-keys-sts-idc.html
//! - https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-user-permissions.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/setting-up-tip-emr.html
//! - https://docs.aws.amazon.com/cli/latest/reference/iam/update-assume-role-policy.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::{Ctx, studio_label};
use crate::each::each_studio;
use crate::facts::{Role, Studio, role_name};
use crate::fix::Kind;
use crate::fixes::{self, USER_ROLE_TRUST, create_role, replace_trust_fix};
use crate::policy::{Context, Decision, Principal, trust_allows, trust_allows_principal};
use crate::roles::{account_of, role_arn, sso_user_role};
use crate::trust;

pub const META: Meta = Meta {
    id: "ES004",
    name: "studio-user-role-trust-set-context",
    area: Area::EmrStudio,
    severity: Severity::Error,
    title: "Studio user role trusts EMR with sts:AssumeRole and sts:SetContext",
    depends_on: &["ES003"],
    hop: crate::check::Hop::UserRole,
    entitlement: false,
    fixes: &[
        ("iam:CreateRole", Kind::Ready),
        ("iam:UpdateAssumeRolePolicy", Kind::Replaces),
        ("emr:CreateStudio", Kind::Recreates),
        ("emr:DeleteStudio", Kind::Recreates),
    ],
    needs: &[Need::Caller, Need::Studios, Need::UserRole],
    docs: &[
        "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-user-permissions.html",
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/setting-up-tip-emr.html",
        "https://docs.aws.amazon.com/cli/latest/reference/iam/update-assume-role-policy.html",
    ],
};

const EMR: &str = "elasticmapreduce.amazonaws.com";
const ACTIONS: [&str; 2] = ["sts:AssumeRole", "sts:SetContext"];

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_studio(ctx, |s| vec![one(ctx, s)])
}

fn one(ctx: &Ctx, s: &Studio) -> Outcome {
    let user = match sso_user_role(ctx, s) {
        Ok(u) => u,
        Err(o) => return *o,
    };
    let label = studio_label(s);
    let arn = role_arn(&account_of(ctx, s.studio_arn.as_deref()), user);
    match ctx.role(user) {
        Err(u) => Outcome::unknown(&arn, &format!("user role {arn} of {label}"), &u),
        Ok(None) => Outcome::fail(
            &arn,
            format!("{label}: its user role {arn} does not exist in IAM (NoSuchEntity), so EMR Studio cannot assume it"),
        )
        .fix(Remediation::new(
            format!(
                "Create the user role {} with a trust policy for elasticmapreduce.amazonaws.com (sts:AssumeRole + sts:SetContext), then give it the permissions ES005 lists",
                role_name(user)
            ),
            vec![create_role(&arn, USER_ROLE_TRUST)],
            META.docs,
        )),
        Ok(Some(role)) => judge(ctx, s, role),
    }
}

fn judge(ctx: &Ctx, s: &Studio, role: &Role) -> Outcome {
    let label = studio_label(s);
    let arn = &role.arn;
    let c = |a: &str| trust_context(ctx, s, a);
    let results: Vec<(&str, Decision)> = ACTIONS
        .iter()
        .map(|a| (*a, trust_allows(&role.trust_policy, EMR, a, &c(a))))
        .collect();
    let denied: Vec<&(&str, Decision)> = results.iter().filter(|(_, d)| d.is_denied()).collect();
    let undecided = trust::undecided(&results);
    if denied.is_empty() && undecided.is_empty() {
        return Outcome::pass(
            arn,
            format!("{label}: user role {arn} trusts {EMR} with sts:AssumeRole and sts:SetContext"),
        );
    }
    if denied.is_empty() {
        return Outcome::warn(
            arn,
            format!(
                "{label}: could not decide whether the trust policy of user role {arn} lets {EMR} call sts:AssumeRole and sts:SetContext ({})",
                undecided.join("; ")
            ),
        )
        .fix(trust_fix(role, &fixes::undecided_trust_verb("opening the Studio fails")));
    }
    let what = trust::denied(&results);
    let mut also = String::new();
    if !undecided.is_empty() {
        also = format!("; undecided: {}", undecided.join("; "));
    }
    // INFERRED principal: the documented JSON names the service role, not EMR.
    let service_arn = s
        .service_role
        .as_deref()
        .map(|r| role_arn(&account_of(ctx, Some(arn)), r));
    if let Some(svc) = &service_arn
        && denied.iter().all(|(a, _)| {
            trust_allows_principal(&role.trust_policy, Principal::Aws(svc), a, &c(a)).is_allowed()
        })
    {
        return Outcome::warn(
            arn,
            format!(
                "{label}: the trust policy of user role {arn} grants {} to the service role {svc} but not to the service principal {EMR}; the EMR documentation's sample is ambiguous here, and studio-doctor expects {EMR} (inferred){also}",
                denied.iter().map(|(a, _)| *a).collect::<Vec<_>>().join(" and ")
            ),
        )
        .fix(trust_fix(role, "If opening the Studio fails, replace"));
    }
    Outcome::fail(
        arn,
        format!(
            "{label}: the trust policy of user role {arn} does not let {EMR} call {}{also}. EMR Studio needs sts:AssumeRole and sts:SetContext on the user role to carry the Identity Center user's identity; without them opening the Studio fails",
            what.join(" and ")
        ),
    )
    .fix(trust_fix(role, "Replace"))
}

/// What EMR's request for `action` carries, as far as the facts tell:
/// `aws:SourceAccount` (the account), `aws:SourceArn` (an EMR ARN of this region
/// and account; which one is not documented, the Studio's is likely), and the
/// trusted identity propagation keys of [`trust::tip_trust_context`] with the
/// Studio's Identity Center instance.
fn trust_context(ctx: &Ctx, s: &Studio, action: &str) -> Context {
    let mut c = Context::new();
    let account = account_of(ctx, s.studio_arn.as_deref());
    if !account.starts_with('<') {
        c = c.with("aws:SourceAccount", account);
    }
    if let Some(a) = &s.studio_arn {
        c = trust::source_arn_undocumented(c, a);
    }
    trust::tip_trust_context(&c, action, s.idc_instance_arn.as_deref())
}

fn trust_fix(role: &Role, verb: &str) -> Remediation {
    let what = format!("one that lets {EMR} call sts:AssumeRole and sts:SetContext");
    replace_trust_fix(role, verb, &what, USER_ROLE_TRUST, META.docs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Status, Verdict};
    use crate::fact::Fact;
    use crate::facts::Facts;
    use crate::testkit::{denied, healthy, only, role, skipped, studio};
    use serde_json::{Value, json};

    const ARN: &str = "arn:aws:iam::111122223333:role/EMRStudio-UserRole";

    fn trust(f: &mut Facts) -> &mut Value {
        &mut role(f, "EMRStudio-UserRole").trust_policy
    }

    #[test]
    fn passes_on_healthy() {
        let r = only("ES004", &healthy());
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert!(r.message.contains(ARN) && r.message.contains("sts:SetContext"));
        assert_eq!(r.resource, ARN);
    }

    #[test]
    fn fails_without_set_context_and_fixes_the_named_role() {
        let mut f = healthy();
        trust(&mut f)["Statement"][0]["Action"] = json!("sts:AssumeRole");
        let r = only("ES004", &f);
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(
            r.message
                .contains("sts:SetContext (not allowed by any statement)")
        );
        assert!(!r.message.contains("sts:AssumeRole ("));
        assert!(r.message.contains(ARN) && r.message.contains("es-D1A2B3C4D5E6F7A8B9C0D1E2F"));
        let fix = r.remediation.unwrap();
        assert_eq!(
            fix.commands,
            vec![format!(
                "aws iam update-assume-role-policy --role-name EMRStudio-UserRole --policy-document '{USER_ROLE_TRUST}'"
            )]
        );
        assert!(
            fix.summary
                .contains("statements about other principals are kept")
        );
        assert_eq!(fix.applicability.kind, crate::fix::Kind::Replaces);
    }

    #[test]
    fn the_recommended_trust_passes() {
        let mut f = healthy();
        *trust(&mut f) = serde_json::from_str(USER_ROLE_TRUST).unwrap();
        assert_eq!(only("ES004", &f).status, Status::Pass);
    }

    #[test]
    fn fails_on_an_explicit_deny() {
        let mut f = healthy();
        trust(&mut f)["Statement"]
            .as_array_mut()
            .unwrap()
            .push(json!({"Sid": "NoContext", "Effect": "Deny", "Principal": "*", "Action": "sts:SetContext"}));
        let r = only("ES004", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.message
                .contains("explicitly denied by statement \"NoContext\""),
            "{}",
            r.message
        );
    }

    #[test]
    fn evaluates_source_account_and_arn_conditions() {
        let mut f = healthy();
        trust(&mut f)["Statement"][0]["Condition"] = json!({
            "StringEquals": {"aws:SourceAccount": "111122223333"},
            "ArnLike": {"aws:SourceArn": "arn:aws:elasticmapreduce:ap-northeast-1:111122223333:*"}
        });
        assert_eq!(only("ES004", &f).status, Status::Pass);
        trust(&mut f)["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"] =
            json!("444455556666");
        assert_eq!(only("ES004", &f).status, Status::Fail);
    }

    #[test]
    fn warns_naming_a_condition_it_cannot_evaluate() {
        let mut f = healthy();
        trust(&mut f)["Statement"][0]["Condition"] =
            json!({"StringEquals": {"sts:ExternalId": "x"}});
        let r = only("ES004", &f);
        assert_eq!(r.status, Status::Warn, "{r:#?}");
        assert!(
            r.message.contains("StringEquals on sts:ExternalId"),
            "{}",
            r.message
        );
        assert!(r.remediation.is_some());
        // Without the Studio ARN, a SourceArn condition is undecided too.
        let mut f = healthy();
        trust(&mut f)["Statement"][0]["Condition"] =
            json!({"ArnLike": {"aws:SourceArn": "arn:aws:elasticmapreduce:*:111122223333:*"}});
        studio(&mut f).studio_arn = None;
        assert_eq!(only("ES004", &f).status, Status::Warn);
    }

    #[test]
    fn a_source_arn_pinned_to_the_studio_is_not_a_pass() {
        // IAM User Guide, aws:SourceArn: the calling service "must pass the ARN of
        // the original resource"; the EMR documentation only shows
        // `arn:aws:elasticmapreduce:<region>:<account>:*`, not which ARN EMR
        // Studio sends when it assumes the user role. Pinned to the Studio's own
        // ARN: a warning, never a pass.
        let studio_arn = studio(&mut healthy()).studio_arn.clone().unwrap();
        let mut f = healthy();
        trust(&mut f)["Statement"][0]["Condition"] =
            json!({"ArnEquals": {"aws:SourceArn": studio_arn}});
        let r = only("ES004", &f);
        assert_eq!(r.status, Status::Warn, "{r:#?}");
        assert!(
            r.message.contains("does not document which ARN"),
            "{}",
            r.message
        );
        // The fix keeps the condition studio-doctor could not evaluate.
        let fix = r.remediation.unwrap();
        assert!(
            fix.summary.contains("does not make it wrong: keep it"),
            "{}",
            fix.summary
        );
        // Pinned to a Studio in another region: AWS never sends that, so it fails.
        trust(&mut f)["Statement"][0]["Condition"] = json!({"ArnLike": {"aws:SourceArn":
            "arn:aws:elasticmapreduce:us-east-1:111122223333:*"}});
        assert_eq!(only("ES004", &f).status, Status::Fail);
    }

    #[test]
    fn set_context_carries_the_identity_center_context() {
        // The documented trust statements for trusted identity propagation limit
        // sts:SetContext with "ForAllValues:ArnEquals": {"sts:RequestContextProviders":
        // "arn:aws:iam::aws:contextProvider/IdentityCenter"}; IAM Identity Center's
        // STS context keys include identitycenter:InstanceArn, "the ARN of the
        // instance of IAM Identity Center that issued the context assertion".
        let instance = studio(&mut healthy()).idc_instance_arn.clone().unwrap();
        let mut f = healthy();
        trust(&mut f)["Statement"] = json!([
            {"Effect": "Allow", "Principal": {"Service": EMR}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"Service": EMR}, "Action": "sts:SetContext",
             "Condition": {"ForAllValues:ArnEquals": {"sts:RequestContextProviders": trust::IDC_PROVIDER},
                           "Null": {"sts:RequestContextProviders": "false"},
                           "StringEquals": {"sts:RequestContext/identitycenter:InstanceArn": instance}}}]);
        assert_eq!(
            only("ES004", &f).status,
            Status::Pass,
            "{:#?}",
            only("ES004", &f)
        );
        trust(&mut f)["Statement"][1]["Condition"]["StringEquals"]["sts:RequestContext/identitycenter:InstanceArn"] =
            json!("arn:aws:sso:::instance/ssoins-other");
        assert_eq!(only("ES004", &f).status, Status::Fail);
        // On sts:AssumeRole the provider key may be present or not: decided only
        // when both give the same answer.
        let mut f = healthy();
        trust(&mut f)["Statement"][0]["Condition"] = json!({"ForAnyValue:ArnEquals":
            {"sts:RequestContextProviders": trust::IDC_PROVIDER}});
        assert_eq!(only("ES004", &f).status, Status::Warn);
    }

    #[test]
    fn warns_when_granted_to_the_service_role_arn_only() {
        let mut f = healthy();
        trust(&mut f)["Statement"][0]["Principal"] =
            json!({"AWS": "arn:aws:iam::111122223333:role/EMRStudio-ServiceRole"});
        let r = only("ES004", &f);
        assert_eq!(r.status, Status::Warn, "{r:#?}");
        assert!(r.message.contains("inferred"));
    }

    #[test]
    fn fails_when_the_role_does_not_exist() {
        let mut f = healthy();
        f.roles
            .insert("EMRStudio-UserRole".into(), Fact::Known(None));
        let r = only("ES004", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("does not exist") && r.message.contains(ARN));
        let fix = r.remediation.unwrap();
        assert!(fix.commands[0].starts_with(
            "aws iam create-role --role-name EMRStudio-UserRole --assume-role-policy-document"
        ));
        assert_eq!(fix.applicability.kind, crate::fix::Kind::Ready);
    }

    #[test]
    fn create_role_keeps_the_path() {
        let c = crate::fix::render::inline(
            &create_role("arn:aws:iam::1:role/service-role/X", USER_ROLE_TRUST).command(),
        );
        assert!(
            c.starts_with("aws iam create-role --role-name X --path /service-role/ "),
            "{c}"
        );
    }

    #[test]
    fn skips_when_es003_fails() {
        let mut f = healthy();
        studio(&mut f).user_role = None;
        let r = skipped("ES004", &f, "ES003");
        assert!(r.message.contains("failed"), "{}", r.message);
        let mut f = healthy();
        studio(&mut f).auth_mode = Some("IAM".into());
        let r = skipped("ES004", &f, "ES001");
        assert!(r.message.contains("failed"), "{}", r.message);
    }

    #[test]
    fn an_unreadable_role_is_an_error() {
        let mut f = healthy();
        f.roles.insert(
            "EMRStudio-UserRole".into(),
            Fact::Unknown(denied("iam:GetRole")),
        );
        let r = only("ES004", &f);
        assert_eq!(r.status, Status::Error);
        assert!(
            r.message.contains("iam:GetRole") && r.message.contains(ARN),
            "{}",
            r.message
        );
        // A role that was not collected at all is an error too, never a pass.
        let mut f = healthy();
        f.roles.clear();
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Error);
    }
}
