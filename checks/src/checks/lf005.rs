//! # LF005 lakeformation-location-role
//!
//! **What it checks.** For each `--table`, the IAM role of the Lake Formation
//! registration that covers the table's location (`ListResources` → `RoleArn`,
//! the longest registered prefix, see LF004):
//! - is not Lake Formation's service-linked role
//!   (`aws-service-role/lakeformation.amazonaws.com/AWSServiceRoleForLakeFormationDataAccess`);
//! - exists in IAM, and its trust policy lets `lakeformation.amazonaws.com`
//!   perform `sts:AssumeRole` and `sts:SetContext` (Deny statements and conditions
//!   honoured; `aws:SourceAccount` is the account; for `sts:SetContext`
//!   `sts:RequestContextProviders` is Identity Center's context provider and
//!   `sts:RequestContext/identitycenter:InstanceArn` the instance of Lake
//!   Formation's integration; `aws:SourceArn` is not documented for Lake
//!   Formation, so a condition on it, like any condition studio-doctor
//!   cannot evaluate, gives a warning naming it, and the fix keeps it).
//!
//! **Why it matters.** With trusted identity propagation Lake Formation assumes
//! the location role with the Identity Center user's context, which needs
//! `sts:SetContext`. "Do not select the service linked role if you want to use it
//! with trusted identity propagation": the role the console wizard creates is the
//! service-linked role, it "does not include sts:SetContext", and it cannot be
//! edited. The query then fails reading the table's files.
//!
//! **How to fix.** Service-linked role: create a custom role, then deregister the
//! location and register it again with that role (an SLR registration cannot be
//! switched in place). Console: Lake Formation → Administration → Data lake
//! locations → the location → Remove, then Register location with the custom role.
//! CLI (the report fills in the ARNs): `aws iam create-role --role-name
//! LakeFormationTipLocationRole --assume-role-policy-document '<trust below>'`,
//! `aws iam put-role-policy ...` (S3 read and write on the location),
//! `aws lakeformation deregister-resource --resource-arn arn:aws:s3:::<B>/<P>`,
//! `aws lakeformation register-resource --resource-arn arn:aws:s3:::<B>/<P>
//! --role-arn arn:aws:iam::<ACCOUNT_ID>:role/LakeFormationTipLocationRole`
//! (with `--hybrid-access-enabled` when the registration was in hybrid access
//! mode, so that only the role changes). Queries on the location fail between
//! the two Lake Formation calls.
//! Custom role with the wrong trust: `aws iam update-assume-role-policy
//! --role-name <ROLE> --policy-document
//! '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lakeformation.amazonaws.com"},"Action":["sts:AssumeRole","sts:SetContext"]}]}'`
//! (the report's fix keeps the trust policy's statements about other principals:
//! `update-assume-role-policy` replaces the whole document).
//!
//! **Evidence.** Documented (tip-tutorial-lf: not the service-linked role, trust with
//! `sts:AssumeRole` + `sts:SetContext`; notes-hybrid: SLR registrations cannot be
//! edited) and the API model (`ListResources` → `RoleArn`).
//!
//! **References.**
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/condition-context-keys-sts-idc.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/tip-tutorial-lf.html
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/register-location.html
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/registration-role.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::Ctx;
use crate::each::each_registration;
use crate::facts::{LfResource, Role};
use crate::fix::{Action, Kind};
use crate::fixes::{self, replace_trust_fix};
use crate::lf::{self, LF_SERVICE, LOCATION_TRUST, SUGGESTED_ROLE, is_service_linked};
use crate::policy::{Context, Decision, trust_allows};
use crate::trust;

pub const META: Meta = Meta {
    id: "LF005",
    name: "lakeformation-location-role",
    area: Area::LakeFormation,
    severity: Severity::Error,
    title: "Lake Formation location role is custom and trusts sts:SetContext",
    depends_on: &["LF004"],
    hop: crate::check::Hop::Read,
    entitlement: false,
    fixes: &[
        ("iam:CreateRole", Kind::Ready),
        ("iam:PutRolePolicy", Kind::Ready),
        ("iam:UpdateAssumeRolePolicy", Kind::Replaces),
        ("iam:CreateRole", Kind::Replaces),
        ("iam:PutRolePolicy", Kind::Replaces),
        ("lakeformation:DeregisterResource", Kind::Replaces),
        ("lakeformation:RegisterResource", Kind::Replaces),
    ],
    needs: &[
        Need::Caller,
        Need::GlueTables,
        Need::LfResources,
        Need::LfLocationRole,
    ],
    docs: &[
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/tip-tutorial-lf.html",
        "https://docs.aws.amazon.com/lake-formation/latest/dg/register-location.html",
    ],
};

const ACTIONS: [&str; 2] = ["sts:AssumeRole", "sts:SetContext"];

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_registration(ctx, |name, r| one(ctx, name, r))
}

fn one(ctx: &Ctx, name: &str, r: &LfResource) -> Outcome {
    let reg = format!("registration {}", r.resource_arn);
    let Some(arn) = r.role_arn.as_deref().filter(|a| !a.is_empty()) else {
        return Outcome::warn(
            &reg,
            format!(
                "ListResources reported no role for {reg} (covering table {name}), so studio-doctor cannot tell whether it is the service-linked role"
            ),
        )
        .fix(reregister_fix(ctx, r, "If queries fail reading the table, re-register"));
    };
    if is_service_linked(arn) {
        return Outcome::fail(
            arn,
            format!(
                "{reg} (covering table {name}) uses Lake Formation's service-linked role {arn}, which has no sts:SetContext and cannot be edited: Lake Formation cannot carry the Identity Center user's identity to S3"
            ),
        )
        .fix(reregister_fix(ctx, r, "Re-register"));
    }
    match ctx.role(arn) {
        Err(u) => Outcome::unknown(arn, &format!("the location role {arn}"), &u),
        Ok(None) => Outcome::fail(
            arn,
            format!("{reg} (covering table {name}) uses role {arn}, which does not exist in IAM (NoSuchEntity)"),
        )
        .fix(Remediation::new(
            format!(
                "Create the role {} with a trust policy for {LF_SERVICE} (sts:AssumeRole + sts:SetContext) and S3 read and write on the location",
                crate::facts::role_name(arn)
            ),
            vec![
                fixes::create_role(arn, LOCATION_TRUST),
                fixes::put_location_policy(crate::facts::role_name(arn), lf::LOCATION_POLICY, r),
            ],
            META.docs,
        )),
        Ok(Some(role)) => judge(ctx, name, &reg, role),
    }
}

fn judge(ctx: &Ctx, name: &str, reg: &str, role: &Role) -> Outcome {
    let arn = &role.arn;
    let results: Vec<(&str, Decision)> = ACTIONS
        .iter()
        .map(|a| {
            let c = trust_context(ctx, a);
            (*a, trust_allows(&role.trust_policy, LF_SERVICE, a, &c))
        })
        .collect();
    let denied = trust::denied(&results);
    let undecided = trust::undecided(&results);
    if denied.is_empty() && undecided.is_empty() {
        return Outcome::pass(
            arn,
            format!(
                "{reg} (covering table {name}) uses role {arn}, which trusts {LF_SERVICE} with sts:AssumeRole and sts:SetContext"
            ),
        );
    }
    if denied.is_empty() {
        return Outcome::warn(
            arn,
            format!(
                "could not decide whether the trust policy of {arn} ({reg}, covering table {name}) lets {LF_SERVICE} call sts:AssumeRole and sts:SetContext ({})",
                undecided.join("; ")
            ),
        )
        .fix(trust_fix(
            role,
            &fixes::undecided_trust_verb("queries fail reading the table"),
        ));
    }
    Outcome::fail(
        arn,
        format!(
            "the trust policy of {arn} ({reg}, covering table {name}) does not let {LF_SERVICE} call {}: Lake Formation cannot assume it with the Identity Center user's context",
            denied.join(" and ")
        ),
    )
    .fix(trust_fix(role, "Replace"))
}

/// What Lake Formation's request for `action` carries, as far as the facts tell:
/// `aws:SourceAccount` (the account; `aws:SourceArn` is not documented for Lake
/// Formation, so a condition on it is a warning) and the trusted identity
/// propagation keys of [`trust::tip_trust_context`] with the Identity Center
/// instance of Lake Formation's integration.
fn trust_context(ctx: &Ctx, action: &str) -> Context {
    let mut c = Context::new();
    if !ctx.account().starts_with('<') {
        c = c.with("aws:SourceAccount", ctx.account());
    }
    let instance = match ctx.facts.lake_formation.identity_center.known() {
        Ok(Some(i)) => Some(i.instance_arn.as_str()),
        _ => None,
    };
    trust::tip_trust_context(&c, action, instance)
}

fn trust_fix(role: &Role, verb: &str) -> Remediation {
    let what = format!("one that lets {LF_SERVICE} call sts:AssumeRole and sts:SetContext");
    replace_trust_fix(role, verb, &what, LOCATION_TRUST, META.docs)
}

/// Replace a registration's role with a new custom one: deregister, then
/// register the same location (in the same access mode) with that role.
fn reregister_fix(ctx: &Ctx, r: &LfResource, verb: &str) -> Remediation {
    let role_arn = format!("arn:aws:iam::{}:role/{SUGGESTED_ROLE}", ctx.account());
    let mut actions = lf::location_role_actions(&role_arn, &r.resource_arn, true);
    actions.push(Action::DeregisterResource {
        region: ctx.region().to_string(),
        resource_arn: r.resource_arn.clone(),
    });
    actions.push(lf::register(
        ctx,
        &r.resource_arn,
        &role_arn,
        r.hybrid_access_enabled,
    ));
    let mode = if r.hybrid_access_enabled {
        "in hybrid access mode, as it was"
    } else {
        "in Lake Formation access mode, as it was"
    };
    Remediation::new(
        format!(
            "{verb} {} with a custom role trusted by {LF_SERVICE} for sts:AssumeRole and sts:SetContext (a service-linked registration cannot be switched in place: deregister, then register again; console: Lake Formation → Administration → Data lake locations). Registering needs iam:PassRole on the role; queries on the location fail between the two calls",
            r.resource_arn
        ),
        actions,
        META.docs,
    )
    .replaces(format!(
        "the registered location {} {mode}; only its role changes, to {role_arn}",
        r.resource_arn
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;
    use crate::fact::Fact;
    use crate::facts::Facts;
    use crate::testkit::{denied, healthy, lf_resources, only, role, skipped};
    use serde_json::json;

    const SLR: &str = "arn:aws:iam::111122223333:role/aws-service-role/lakeformation.amazonaws.com/AWSServiceRoleForLakeFormationDataAccess";
    const ROLE: &str = "arn:aws:iam::111122223333:role/LakeFormationTipRole";

    fn reg(f: &mut Facts) -> &mut LfResource {
        &mut lf_resources(f)[0]
    }

    fn trust(f: &mut Facts) -> &mut serde_json::Value {
        &mut role(f, "LakeFormationTipRole").trust_policy
    }

    #[test]
    fn passes_on_healthy() {
        let r = only("LF005", &healthy());
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert_eq!(r.resource, ROLE);
        assert!(r.message.contains("sts:SetContext"));
    }

    #[test]
    fn fails_on_the_service_linked_role() {
        let mut f = healthy();
        reg(&mut f).role_arn = Some(SLR.into());
        let r = only("LF005", &f);
        assert_eq!(r.status, Status::Fail, "{}", r.message);
        assert!(r.message.contains("service-linked role"));
        let c = r.remediation.unwrap().commands;
        assert_eq!(c.len(), 4);
        assert!(c[0].starts_with("aws iam create-role --role-name LakeFormationTipLocationRole "));
        assert!(
            c[1].contains(r#""Resource":"arn:aws:s3:::data-lake-111122223333/flightdata/*""#),
            "{}",
            c[1]
        );
        assert!(
            c[1].contains(r#""Resource":"arn:aws:s3:::data-lake-111122223333"}"#),
            "{}",
            c[1]
        );
        assert_eq!(
            c[2],
            "aws lakeformation deregister-resource --region ap-northeast-1 --resource-arn arn:aws:s3:::data-lake-111122223333/flightdata"
        );
        assert!(
            c[3].ends_with(
                "--role-arn arn:aws:iam::111122223333:role/LakeFormationTipLocationRole"
            )
        );
    }

    #[test]
    fn re_registering_replaces_only_the_role_and_keeps_hybrid_access_mode() {
        let mut f = healthy();
        reg(&mut f).role_arn = Some(SLR.into());
        let fix = only("LF005", &f).remediation.unwrap();
        assert_eq!(fix.applicability.kind, Kind::Replaces);
        let kept = fix.applicability.kept.unwrap();
        assert!(kept.contains("Lake Formation access mode"), "{kept}");
        reg(&mut f).hybrid_access_enabled = true;
        let fix = only("LF005", &f).remediation.unwrap();
        assert!(
            fix.applicability
                .kept
                .unwrap()
                .contains("hybrid access mode"),
            "kept"
        );
        assert!(
            fix.commands[3].ends_with(
                "--role-arn arn:aws:iam::111122223333:role/LakeFormationTipLocationRole --hybrid-access-enabled"
            ),
            "{}",
            fix.commands[3]
        );
        assert!(matches!(
            fix.actions.last(),
            Some(Action::RegisterResource {
                hybrid_access_enabled: true,
                ..
            })
        ));
    }

    #[test]
    fn fails_without_set_context() {
        let mut f = healthy();
        trust(&mut f)["Statement"][0]["Action"] = json!("sts:AssumeRole");
        let r = only("LF005", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.message.contains("sts:SetContext (not allowed"),
            "{}",
            r.message
        );
        assert_eq!(
            r.remediation.unwrap().commands,
            vec![format!(
                "aws iam update-assume-role-policy --role-name LakeFormationTipRole --policy-document '{LOCATION_TRUST}'"
            )]
        );
    }

    #[test]
    fn set_context_carries_the_identity_center_context() {
        // The documented trust statements for trusted identity propagation limit
        // sts:SetContext with "ForAllValues:ArnEquals": {"sts:RequestContextProviders":
        // "arn:aws:iam::aws:contextProvider/IdentityCenter"}; the instance is the one
        // that issued the context (IAM Identity Center's STS context keys page).
        let mut f = healthy();
        let instance = match &f.lake_formation.identity_center {
            crate::fact::Fact::Known(Some(i)) => i.instance_arn.clone(),
            _ => unreachable!(),
        };
        trust(&mut f)["Statement"] = json!([
            {"Effect": "Allow", "Principal": {"Service": LF_SERVICE}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"Service": LF_SERVICE}, "Action": "sts:SetContext",
             "Condition": {"ForAllValues:ArnEquals": {"sts:RequestContextProviders": trust::IDC_PROVIDER},
                           "ArnEquals": {"sts:RequestContext/identitycenter:InstanceArn": instance}}}]);
        assert_eq!(only("LF005", &f).status, Status::Pass);
        let r = {
            trust(&mut f)["Statement"][1]["Condition"] =
                json!({"StringEquals": {"sts:ExternalId": "x"}});
            only("LF005", &f)
        };
        assert_eq!(r.status, Status::Warn);
        assert!(
            r.remediation
                .unwrap()
                .summary
                .contains("keep it if it holds")
        );
    }

    #[test]
    fn warns_on_an_undecidable_condition() {
        let mut f = healthy();
        trust(&mut f)["Statement"][0]["Condition"] =
            json!({"StringEquals": {"sts:ExternalId": "x"}});
        assert_eq!(only("LF005", &f).status, Status::Warn);
        // aws:SourceAccount is known.
        trust(&mut f)["Statement"][0]["Condition"] =
            json!({"StringEquals": {"aws:SourceAccount": "111122223333"}});
        assert_eq!(only("LF005", &f).status, Status::Pass);
    }

    #[test]
    fn fails_when_the_role_is_gone() {
        let mut f = healthy();
        f.roles
            .insert("LakeFormationTipRole".into(), Fact::Known(None));
        let r = only("LF005", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("does not exist"));
        assert!(
            r.remediation.unwrap().commands[0]
                .starts_with("aws iam create-role --role-name LakeFormationTipRole ")
        );
    }

    #[test]
    fn skips_when_lf004_warns() {
        let mut f = healthy();
        reg(&mut f).resource_arn = "arn:aws:s3:::elsewhere".into();
        skipped("LF005", &f, "LF004");
    }

    #[test]
    fn errors_when_the_role_is_unreadable() {
        let mut f = healthy();
        f.roles.insert(
            "LakeFormationTipRole".into(),
            Fact::Unknown(denied("iam:GetRole")),
        );
        let r = only("LF005", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("iam:GetRole"));
        let mut f = healthy();
        f.roles.clear();
        assert_eq!(only("LF005", &f).status, Status::Error);
    }
}
