//! # WG004 workgroup-execution-role
//!
//! **What it checks.** Each target workgroup (every Identity-Center-enabled one, or
//! `--workgroup`) has an execution role (`GetWorkGroup` →
//! `Configuration.ExecutionRole`, the console's "Service role for IAM Identity
//! Center access"), the role exists in IAM, and its trust policy (`iam:GetRole` →
//! `AssumeRolePolicyDocument`) lets the service principal `athena.amazonaws.com`
//! call `sts:AssumeRole`. It also looks for `sts:SetContext` for the same
//! principal: a trust without it is a warning, not a failure (see Evidence).
//! Deny statements and conditions are honoured, with what Athena sends:
//! `aws:SourceAccount` (the account); `aws:SourceArn`, an Athena ARN of the region
//! and account whose exact value no AWS page gives (`arn:aws:athena:<region>:<account>:*`
//! passes; a trust pinned to the workgroup's ARN,
//! `arn:aws:athena:<region>:<account>:workgroup/<name>`, is a warning, never a
//! pass); for `sts:SetContext` `sts:RequestContextProviders` = Identity Center's
//! context provider and `sts:RequestContext/identitycenter:InstanceArn` = the
//! workgroup's instance. A condition on any other key, or an operator
//! studio-doctor does not evaluate, gives a warning naming it instead of a guess,
//! and the fix keeps it.
//!
//! **Why it matters.** An Identity Center workgroup runs each query with its
//! execution role, carrying the signed-in user's identity: Athena uses it to ask
//! Lake Formation for table data and S3 Access Grants for the results prefix. The
//! API documents the role as "required for IAM Identity Center enabled
//! workgroups". A role Athena cannot assume (e.g. one created for another
//! service) makes every query fail before it reads anything.
//!
//! **How to fix.** No role, or the role does not exist: create it and set it on
//! the workgroup (the report fills in the names):
//! `aws iam create-role --role-name AWSAthenaSQLRole-<WG> --path /service-role/
//! --assume-role-policy-document '<TRUST>'`, then `aws athena update-work-group
//! --region <REGION> --work-group <WG> --configuration-updates
//! '{"ExecutionRole":"arn:aws:iam::<ACCOUNT_ID>:role/service-role/AWSAthenaSQLRole-<WG>"}'`,
//! and give it the permissions WG005 lists. Wrong trust: console: IAM → Roles →
//! the role → Trust relationships → Edit trust policy; CLI: `aws iam
//! update-assume-role-policy --role-name <ROLE> --policy-document
//! '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"athena.amazonaws.com"},"Action":["sts:AssumeRole","sts:SetContext"],"Condition":{"StringEquals":{"aws:SourceAccount":"<ACCOUNT_ID>"}}}]}'`.
//! This replaces the whole trust policy: add back any other statement the role
//! still needs.
//!
//! **Evidence.** The API model (`WorkGroupConfiguration.ExecutionRole`: "required for IAM
//! Identity Center enabled workgroups"; updatable with `UpdateWorkGroup`), documented
//! (workgroups-identity-center: the console's "Service role for IAM Identity
//! Center access") and observed in practice (the trust of a console-generated `AWSAthenaSQLRole-*`
//! role: `athena.amazonaws.com`, `sts:AssumeRole`). Inferred: `sts:SetContext`.
//! No AWS document found says the execution role needs it (the console-generated
//! role seen has only `sts:AssumeRole`), but the other roles on the trusted
//! identity propagation path do; so its absence is only a warning.
//!
//! **References.**
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/condition-context-keys-sts-idc.html
//! - https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html
//! - https://docs.aws.amazon.com/athena/latest/APIReference/API_WorkGroupConfiguration.html
//! - https://docs.aws.amazon.com/athena/latest/APIReference/API_WorkGroupConfigurationUpdates.html
//! - https://docs.aws.amazon.com/cli/latest/reference/iam/update-assume-role-policy.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::{Ctx, workgroup_label};
use crate::each::each_workgroup;
use crate::facts::{Role, WorkGroup, role_name};
use crate::fix::Kind;
use crate::fixes::{self, create_role, execution_trust, replace_trust_fix};
use crate::policy::{Context, Decision, trust_allows};
use crate::roles::{account_of, execution_role_arn, no_role, workgroup_arn};
use crate::trust;

pub const META: Meta = Meta {
    id: "WG004",
    name: "workgroup-execution-role",
    area: Area::AthenaWorkgroup,
    severity: Severity::Error,
    title: "Workgroup has an execution role athena.amazonaws.com can assume",
    depends_on: &["WG001"],
    hop: crate::check::Hop::Workgroup,
    entitlement: false,
    fixes: &[
        ("iam:CreateRole", Kind::Ready),
        ("athena:UpdateWorkGroup", Kind::Ready),
        ("iam:UpdateAssumeRolePolicy", Kind::Replaces),
    ],
    needs: &[Need::Caller, Need::Workgroups, Need::ExecutionRole],
    docs: fixes::EXECUTION_ROLE_DOCS,
};

const ATHENA: &str = "athena.amazonaws.com";

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_workgroup(ctx, |w| vec![one(ctx, w)])
}

fn one(ctx: &Ctx, w: &WorkGroup) -> Outcome {
    let label = workgroup_label(w);
    let Some(arn) = execution_role_arn(ctx, w) else {
        return no_role(ctx, w);
    };
    match ctx.role(&arn) {
        Err(u) => Outcome::unknown(&arn, &format!("execution role {arn} of {label}"), &u),
        Ok(None) => {
            let account = account_of(ctx, Some(&arn));
            Outcome::fail(
                &arn,
                format!("{label}: its execution role {arn} does not exist in IAM (NoSuchEntity), so Athena cannot run queries in it"),
            )
            .fix(Remediation::new(
                format!(
                    "Create the role {} with a trust policy for {ATHENA}, then give it the permissions WG005 lists",
                    role_name(&arn)
                ),
                vec![create_role(&arn, &execution_trust(&account))],
                META.docs,
            ))
        }
        Ok(Some(role)) => judge(ctx, w, role),
    }
}

fn judge(ctx: &Ctx, w: &WorkGroup, role: &Role) -> Outcome {
    let label = workgroup_label(w);
    let arn = &role.arn;
    let account = account_of(ctx, Some(arn));
    let c = |a: &str| trust_context(ctx, w, &account, a);
    let assume = trust_allows(
        &role.trust_policy,
        ATHENA,
        "sts:AssumeRole",
        &c("sts:AssumeRole"),
    );
    let set = trust_allows(
        &role.trust_policy,
        ATHENA,
        "sts:SetContext",
        &c("sts:SetContext"),
    );
    let fix = |verb: &str| trust_fix(role, &account, verb);
    if assume.is_denied() {
        return Outcome::fail(
            arn,
            format!(
                "{label}: the trust policy of execution role {arn} does not let {ATHENA} call sts:AssumeRole ({}), so Athena cannot run queries in the workgroup",
                assume.describe()
            ),
        )
        .fix(fix("Replace"));
    }
    if let Decision::Undecided { reason } = &assume {
        return Outcome::warn(
            arn,
            format!("{label}: could not decide whether the trust policy of execution role {arn} lets {ATHENA} call sts:AssumeRole ({reason})"),
        )
        .fix(fix(&fixes::undecided_trust_verb("queries fail")));
    }
    match set {
        Decision::Allowed => Outcome::pass(
            arn,
            format!("{label}: execution role {arn} trusts {ATHENA} with sts:AssumeRole and sts:SetContext"),
        ),
        Decision::Undecided { reason } => Outcome::warn(
            arn,
            format!("{label}: execution role {arn} trusts {ATHENA} with sts:AssumeRole; could not decide sts:SetContext ({reason})"),
        )
        .fix(fix(&fixes::undecided_trust_verb("queries fail to carry the user's identity"))),
        d => Outcome::warn(
            arn,
            format!(
                "{label}: execution role {arn} trusts {ATHENA} with sts:AssumeRole but not sts:SetContext ({}). No AWS document found requires it for the execution role, but every other role on the identity propagation path needs it (inferred: if queries fail to carry the user's identity, add it)",
                d.describe()
            ),
        )
        .fix(fix("If queries fail to carry the user's identity, replace")),
    }
}

/// What Athena's request for `action` carries, as far as the facts tell:
/// `aws:SourceAccount` (the account), `aws:SourceArn` (an Athena ARN of this
/// region and account; which one is not documented, the workgroup's is likely),
/// and the trusted identity propagation keys of [`trust::tip_trust_context`]
/// with the workgroup's Identity Center instance.
fn trust_context(ctx: &Ctx, w: &WorkGroup, account: &str, action: &str) -> Context {
    let mut c = Context::new();
    if !account.starts_with('<') {
        c = c.with("aws:SourceAccount", account);
        c = trust::source_arn_undocumented(c, &workgroup_arn(ctx, account, w));
    }
    trust::tip_trust_context(&c, action, w.identity_center_instance_arn.as_deref())
}

fn trust_fix(role: &Role, account: &str, verb: &str) -> Remediation {
    let what = format!("one that lets {ATHENA} call sts:AssumeRole and sts:SetContext");
    replace_trust_fix(role, verb, &what, &execution_trust(account), META.docs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Status, Verdict};
    use crate::fact::{Fact, Unknown};
    use crate::facts::Facts;
    use crate::testkit::{denied, healthy, idc_wg, only, results, role};
    use serde_json::{Value, json};

    const ARN: &str = "arn:aws:iam::111122223333:role/service-role/AWSAthenaSQLRole-idc-wg";

    fn trust_of(f: &mut Facts) -> &mut Value {
        &mut role(f, "AWSAthenaSQLRole-idc-wg").trust_policy
    }

    #[test]
    fn passes_on_healthy() {
        let r = only("WG004", &healthy());
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert_eq!(r.resource, ARN);
        assert!(r.message.contains("workgroup \"idc-wg\""), "{}", r.message);
    }

    #[test]
    fn the_recommended_trust_passes() {
        let mut f = healthy();
        *trust_of(&mut f) = serde_json::from_str(&execution_trust("111122223333")).unwrap();
        assert_eq!(only("WG004", &f).status, Status::Pass);
    }

    #[test]
    fn fails_when_another_service_is_trusted() {
        let mut f = healthy();
        trust_of(&mut f)["Statement"][0]["Principal"] = json!({"Service": "glue.amazonaws.com"});
        let r = only("WG004", &f);
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(r.message.contains(ARN) && r.message.contains("sts:AssumeRole"));
        let fix = r.remediation.unwrap();
        // The statement for Glue is kept after the recommended one.
        let mut want: serde_json::Value =
            serde_json::from_str(&execution_trust("111122223333")).unwrap();
        let glue = trust_of(&mut f)["Statement"][0].clone();
        want["Statement"].as_array_mut().unwrap().push(glue);
        assert_eq!(
            fix.commands,
            vec![format!(
                "aws iam update-assume-role-policy --role-name AWSAthenaSQLRole-idc-wg --policy-document '{want}'"
            )]
        );
        assert!(fix.commands[0].contains("\"aws:SourceAccount\":\"111122223333\""));
    }

    #[test]
    fn missing_set_context_is_only_a_warning() {
        let mut f = healthy();
        trust_of(&mut f)["Statement"][0]["Action"] = json!("sts:AssumeRole");
        let r = only("WG004", &f);
        assert_eq!(r.status, Status::Warn, "{r:#?}");
        assert!(
            r.message.contains("not sts:SetContext") && r.message.contains("inferred"),
            "{}",
            r.message
        );
        assert!(r.remediation.is_some());
    }

    #[test]
    fn a_source_arn_pinned_to_the_workgroup_is_not_a_pass() {
        // IAM User Guide, aws:SourceArn: the calling service "must pass the ARN of
        // the original resource"; no Athena page says which ARN Athena sends when
        // it assumes the execution role. Any Athena ARN of the account and region
        // passes; one pinned to the workgroup is a warning, never a pass.
        let mut f = healthy();
        trust_of(&mut f)["Statement"][0]["Condition"]["ArnLike"] = json!({
            "aws:SourceArn": "arn:aws:athena:ap-northeast-1:111122223333:*"
        });
        assert_eq!(only("WG004", &f).status, Status::Pass);
        trust_of(&mut f)["Statement"][0]["Condition"]["ArnLike"]["aws:SourceArn"] =
            json!("arn:aws:athena:ap-northeast-1:111122223333:workgroup/idc-*");
        let r = only("WG004", &f);
        assert_eq!(r.status, Status::Warn, "{r:#?}");
        assert!(
            r.message.contains("does not document which ARN"),
            "{}",
            r.message
        );
        let fix = r.remediation.unwrap();
        assert!(
            fix.summary.contains("keep it if it holds"),
            "{}",
            fix.summary
        );
        trust_of(&mut f)["Statement"][0]["Condition"]["ArnLike"]["aws:SourceArn"] =
            json!("arn:aws:athena:ap-northeast-1:111122223333:workgroup/other");
        assert_eq!(only("WG004", &f).status, Status::Fail);
    }

    #[test]
    fn set_context_carries_the_identity_center_context() {
        // The documented trust statements for trusted identity propagation limit
        // sts:SetContext with "ForAllValues:ArnEquals": {"sts:RequestContextProviders":
        // "arn:aws:iam::aws:contextProvider/IdentityCenter"}.
        let mut f = healthy();
        trust_of(&mut f)["Statement"] = json!([
            {"Effect": "Allow", "Principal": {"Service": ATHENA}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"Service": ATHENA}, "Action": "sts:SetContext",
             "Condition": {"ForAnyValue:ArnEquals": {"sts:RequestContextProviders": trust::IDC_PROVIDER}}}]);
        assert_eq!(only("WG004", &f).status, Status::Pass);
    }

    #[test]
    fn warns_on_a_condition_it_cannot_evaluate() {
        let mut f = healthy();
        trust_of(&mut f)["Statement"][0]["Condition"] =
            json!({"StringEquals": {"sts:ExternalId": "x"}});
        let r = only("WG004", &f);
        assert_eq!(r.status, Status::Warn, "{r:#?}");
        assert!(r.message.contains("sts:ExternalId"), "{}", r.message);
    }

    #[test]
    fn fails_without_an_execution_role() {
        let mut f = healthy();
        idc_wg(&mut f).execution_role = None;
        let r = only("WG004", &f);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(r.resource, "workgroup \"idc-wg\"");
        assert!(r.message.contains("no execution role"), "{}", r.message);
        let cmds = r.remediation.unwrap().commands;
        assert!(
            cmds[0].starts_with(
                "aws iam create-role --role-name AWSAthenaSQLRole-idc-wg --path /service-role/ "
            ),
            "{}",
            cmds[0]
        );
        assert_eq!(
            cmds[1],
            format!(
                "aws athena update-work-group --region ap-northeast-1 --work-group idc-wg --configuration-updates '{{\"ExecutionRole\":\"{ARN}\"}}'"
            )
        );
    }

    #[test]
    fn fails_when_the_role_does_not_exist() {
        let mut f = healthy();
        f.roles
            .insert("AWSAthenaSQLRole-idc-wg".into(), Fact::Known(None));
        let r = only("WG004", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("does not exist") && r.message.contains(ARN));
        assert!(r.remediation.unwrap().commands[0].starts_with("aws iam create-role"));
    }

    #[test]
    fn skips_when_the_workgroup_has_no_identity_center() {
        let mut f = healthy();
        // A regular workgroup has no execution role to judge: WG001 warns about it.
        f.target.workgroup = Some("primary".into());
        let r = results("WG004", &f);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].status, Status::Skip);
        assert!(
            r[0].message.contains("nothing to check"),
            "{}",
            r[0].message
        );
    }

    #[test]
    fn an_unreadable_role_is_an_error() {
        let mut f = healthy();
        f.roles.insert(
            "AWSAthenaSQLRole-idc-wg".into(),
            Fact::Unknown(denied("iam:GetRole")),
        );
        let r = only("WG004", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("iam:GetRole") && r.message.contains(ARN));
        let mut f = healthy();
        f.roles.clear();
        assert_eq!(run(&Ctx::new(&f))[0].verdict, Verdict::Error);
        f.workgroups = Fact::Unknown(Unknown::not_collected());
        assert_eq!(run(&Ctx::new(&f))[0].verdict, Verdict::Error);
    }
}
