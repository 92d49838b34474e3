//! # AG004 access-grants-location-role-trust
//!
//! **What it checks.** For each target workgroup, the IAM role of the S3 Access
//! Grants location that serves its query results (`ListAccessGrantsLocations` →
//! `IAMRoleArn`) exists, and its trust policy lets the service principal
//! `access-grants.s3.amazonaws.com` call `sts:AssumeRole` and `sts:SetContext`.
//! The location is the one the matching grant belongs to (the grant's
//! `AccessGrantsLocationId`; the grant AG005 matches for each `--user`, or every
//! matching grant without `--user`): S3 Access Grants assumes that location's
//! role, not the role of the most specific location covering the results. When
//! no grant matches yet, the most specific covering location is judged (AG005's
//! fix creates the grant there). A workgroup with Athena-managed results has no
//! S3 results location: it passes here with that said (WG006 warns about it).
//! `sts:SetSourceIdentity` is looked for too; without it the result is a warning.
//! Conditions are evaluated with what S3 Access Grants sends: `aws:SourceAccount`
//! (the account), `aws:SourceArn` (the instance,
//! `arn:aws:s3:<region>:<account>:access-grants/default`) and, for
//! `sts:SetContext`, `sts:RequestContextProviders` =
//! `arn:aws:iam::aws:contextProvider/IdentityCenter` and
//! `sts:RequestContext/identitycenter:InstanceArn` = the Identity Center instance
//! associated with S3 Access Grants (on `sts:AssumeRole` the provider key is
//! present for directory users and absent for IAM grantees: decided only when
//! both agree). A condition on any other key, or an operator studio-doctor does
//! not evaluate, gives a warning naming it, and the fix keeps it. The documented
//! trust policy (below) passes.
//!
//! **Why it matters.** S3 Access Grants reaches the bucket by assuming the
//! location's role. For an Identity Center user it also sets the user's identity
//! on the session with `sts:SetContext`; without that, every grant to a
//! directory user or group is useless and Athena fails writing query results.
//! `sts:SetSourceIdentity` serves grants to IAM principals (e.g. the execution
//! role's grant that KMS-encrypted results need, WG010).
//!
//! **How to fix.** Console: IAM → Roles → the location role → Trust relationships
//! → Edit trust policy. CLI (the report fills in the role, account and region):
//! `aws iam update-assume-role-policy --role-name <S3AG_LOCATION_ROLE>
//! --policy-document '{"Version":"2012-10-17","Statement":[{"Sid":"AccessGrantsTrustPolicy","Effect":"Allow","Principal":{"Service":"access-grants.s3.amazonaws.com"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"],"Condition":{"StringEquals":{"aws:SourceAccount":"<ACCOUNT_ID>","aws:SourceArn":"arn:aws:s3:<REGION>:<ACCOUNT_ID>:access-grants/default"}}},{"Sid":"AccessGrantsTrustPolicyWithIDCContext","Effect":"Allow","Principal":{"Service":"access-grants.s3.amazonaws.com"},"Action":"sts:SetContext","Condition":{"StringEquals":{"aws:SourceAccount":"<ACCOUNT_ID>","aws:SourceArn":"arn:aws:s3:<REGION>:<ACCOUNT_ID>:access-grants/default"},"ForAllValues:ArnEquals":{"sts:RequestContextProviders":"arn:aws:iam::aws:contextProvider/IdentityCenter"}}}]}'`.
//! This replaces the whole trust policy. A location without a role: `aws
//! s3control update-access-grants-location --access-grants-location-id <ID>
//! --iam-role-arn <ROLE_ARN>`.
//!
//! **Evidence.** Documented: tip-tutorial-s3 and S3 access-grants-location-register
//! (the trust policy above; a location maps a scope to the IAM role "S3 Access
//! Grants assumes ... to vend temporary credentials to the grantee that is
//! accessing that particular location"); `ListAccessGrantEntry`
//! (`AccessGrantsLocationId`: the location a grant belongs to); GetDataAccess (the
//! role's trust must allow
//! "sts:AssumeRole, for directory users or groups sts:SetContext, and for IAM
//! users or roles sts:SetSourceIdentity"; Quick Suite's Athena page: "should have
//! the STS:SetContext action in its trust policy for identity propagation").
//!
//! **References.**
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/condition-context-keys-sts-idc.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-location-register.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/tip-tutorial-s3.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_GetDataAccess.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_ListAccessGrantEntry.html
//! - https://docs.aws.amazon.com/cli/latest/reference/iam/update-assume-role-policy.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::Ctx;
use crate::each::each_workgroup;
use crate::facts::{Role, WorkGroup, role_name};
use crate::fix::Kind;
use crate::fixes::{self, create_role, location_trust, replace_trust_fix};
use crate::grants::{
    Serving, instance_arn, location_role, managed_pass, managed_results, serving_locations,
};
use crate::policy::{Context, trust_allows};
use crate::roles::account_of;
use crate::trust;

pub const META: Meta = Meta {
    id: "AG004",
    name: "access-grants-location-role-trust",
    area: Area::S3AccessGrants,
    severity: Severity::Error,
    title: "Access Grants location role trusts S3 with AssumeRole and SetContext",
    depends_on: &["AG003"],
    hop: crate::check::Hop::Write,
    entitlement: false,
    fixes: &[
        ("iam:CreateRole", Kind::Ready),
        ("iam:UpdateAssumeRolePolicy", Kind::Replaces),
        ("athena:UpdateWorkGroup", Kind::NeedsInput),
        ("s3control:CreateAccessGrantsLocation", Kind::NeedsInput),
        ("s3control:UpdateAccessGrantsLocation", Kind::NeedsInput),
    ],
    needs: &[
        Need::Caller,
        Need::Workgroups,
        Need::AccessGrantsLocations,
        Need::AccessGrants,
        Need::Users,
        Need::LocationRole,
    ],
    docs: &[
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-location-register.html",
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/tip-tutorial-s3.html",
        "https://docs.aws.amazon.com/cli/latest/reference/iam/update-assume-role-policy.html",
    ],
};

const S3AG: &str = "access-grants.s3.amazonaws.com";

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_workgroup(ctx, |w| one(ctx, w))
}

fn one(ctx: &Ctx, w: &WorkGroup) -> Vec<Outcome> {
    if managed_results(w) {
        return vec![managed_pass(w)];
    }
    match serving_locations(ctx, w, META.docs) {
        Ok(serving) => serving.iter().map(|s| judge_location(ctx, s)).collect(),
        Err(o) => vec![*o],
    }
}

fn judge_location(ctx: &Ctx, s: &Serving) -> Outcome {
    let arn = match location_role(ctx, s, META.docs) {
        Ok(a) => a,
        Err(o) => return *o,
    };
    let account = account_of(ctx, Some(arn));
    let instance = instance_arn(ctx, &account);
    let what = format!(
        "location role {arn} (S3 Access Grants location {}, {}, {})",
        s.loc.access_grants_location_id, s.loc.location_scope, s.why
    );
    match ctx.role(arn) {
        Err(u) => Outcome::unknown(arn, &what, &u),
        Ok(None) => Outcome::fail(arn, format!("{what} does not exist in IAM (NoSuchEntity)"))
            .fix(Remediation::new(
                format!(
                    "Create the role {} with the documented trust policy, then give it the permissions AG006 checks",
                    role_name(arn)
                ),
                vec![create_role(arn, &location_trust(&account, &instance))],
                META.docs,
            )),
        Ok(Some(role)) => judge(ctx, role, &what, &account, &instance),
    }
}

/// What S3 Access Grants' request for `action` carries: the documented
/// `aws:SourceAccount` (the account) and `aws:SourceArn` (the instance,
/// `arn:aws:s3:<region>:<account>:access-grants/default`), and the trusted
/// identity propagation keys of [`trust::tip_trust_context`] with the Identity
/// Center instance associated with S3 Access Grants.
fn trust_context(ctx: &Ctx, account: &str, instance: &str, action: &str) -> Context {
    let mut c = Context::new().with("aws:SourceArn", instance);
    if !account.starts_with('<') {
        c = c.with("aws:SourceAccount", account);
    }
    let idc = match ctx.facts.access_grants.instance.known() {
        Ok(Some(i)) => i.identity_center_instance_arn.as_deref(),
        _ => None,
    };
    trust::tip_trust_context(&c, action, idc)
}

fn judge(ctx: &Ctx, role: &Role, what: &str, account: &str, instance: &str) -> Outcome {
    let arn = &role.arn;
    let t = &role.trust_policy;
    let allows = |a: &str| trust_allows(t, S3AG, a, &trust_context(ctx, account, instance, a));
    let needed = [
        ("sts:AssumeRole", allows("sts:AssumeRole")),
        ("sts:SetContext", allows("sts:SetContext")),
    ];
    let source = allows("sts:SetSourceIdentity");
    let fix = |verb: &str| trust_fix(role, account, instance, verb);
    let denied = trust::denied(&needed);
    let checked = [
        needed.as_slice(),
        &[("sts:SetSourceIdentity", source.clone())],
    ]
    .concat();
    let undecided = trust::undecided(&checked);
    let also = if undecided.is_empty() {
        String::new()
    } else {
        format!("; undecided: {}", undecided.join("; "))
    };
    if !denied.is_empty() {
        return Outcome::fail(
            arn,
            format!(
                "the trust policy of {what} does not let {S3AG} call {}{also}. S3 Access Grants needs sts:AssumeRole and, to act for Identity Center users, sts:SetContext; without them Athena fails writing query results",
                denied.join(" and ")
            ),
        )
        .fix(fix("Replace"));
    }
    if !undecided.is_empty() {
        return Outcome::warn(
            arn,
            format!(
                "could not decide whether the trust policy of {what} lets {S3AG} call what it needs ({})",
                undecided.join("; ")
            ),
        )
        .fix(fix(&fixes::undecided_trust_verb("writing query results fails")));
    }
    if source.is_denied() {
        return Outcome::warn(
            arn,
            format!(
                "{what} trusts {S3AG} with sts:AssumeRole and sts:SetContext but not sts:SetSourceIdentity ({}), which grants to IAM principals need (e.g. the execution role's grant for KMS-encrypted results, WG010)",
                source.describe()
            ),
        )
        .fix(fix("To serve IAM grantees too, replace"));
    }
    Outcome::pass(
        arn,
        format!(
            "{what} trusts {S3AG} with sts:AssumeRole, sts:SetContext and sts:SetSourceIdentity"
        ),
    )
}

fn trust_fix(role: &Role, account: &str, instance: &str, verb: &str) -> Remediation {
    let what = format!("the documented one for {S3AG}");
    replace_trust_fix(
        role,
        verb,
        &what,
        &location_trust(account, instance),
        META.docs,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Status, Verdict};
    use crate::fact::Fact;
    use crate::facts::{AccessGrantsLocation, Facts};
    use crate::testkit::{
        denied, healthy, idc_wg, only, role, skipped, two_locations, without_user,
    };
    use serde_json::{Value, json};

    const ARN: &str = "arn:aws:iam::111122223333:role/S3AccessGrantsLocationRole";
    const INSTANCE: &str = "arn:aws:s3:ap-northeast-1:111122223333:access-grants/default";

    fn trust_of(f: &mut Facts) -> &mut Value {
        &mut role(f, "S3AccessGrantsLocationRole").trust_policy
    }

    fn statements(f: &mut Facts) -> &mut Vec<Value> {
        trust_of(f)["Statement"].as_array_mut().unwrap()
    }

    fn location(f: &mut Facts) -> &mut AccessGrantsLocation {
        match &mut f.access_grants.locations {
            Fact::Known(l) => &mut l[0],
            Fact::Unknown(_) => unreachable!(),
        }
    }

    #[test]
    fn judges_the_location_of_the_matching_grant() {
        // The grant is in `default`, whose role lacks sts:SetContext; the more
        // specific bucket location is healthy but serves no grant.
        let mut f = healthy();
        two_locations(&mut f, "BrokenRole", "S3AccessGrantsLocationRole");
        let r = only("AG004", &f);
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(r.message.contains("role/BrokenRole"), "{}", r.message);
        assert!(
            r.message
                .contains("location default, s3://, the location of grant a1b2c3d4"),
            "{}",
            r.message
        );
        assert!(r.remediation.unwrap().commands[0].contains("--role-name BrokenRole"));
        // The reverse passes: the grant's location role is healthy.
        let mut f = healthy();
        two_locations(&mut f, "S3AccessGrantsLocationRole", "BrokenRole");
        let r = only("AG004", &f);
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        // Per --user: the user's grant decides; without --user, every matching grant.
        let mut f = healthy();
        without_user(&mut f);
        two_locations(&mut f, "BrokenRole", "S3AccessGrantsLocationRole");
        assert_eq!(only("AG004", &f).status, Status::Fail);
        // No grant yet: the covering location, where AG005's fix makes one.
        let mut f = healthy();
        f.access_grants.grants = Fact::Known(vec![]);
        two_locations(&mut f, "S3AccessGrantsLocationRole", "BrokenRole");
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Fail, "{out:#?}");
        assert!(
            out[0].message.contains("no grant gives them yet"),
            "{}",
            out[0].message
        );
    }

    #[test]
    fn passes_on_healthy_with_the_documented_trust() {
        let r = only("AG004", &healthy());
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert_eq!(r.resource, ARN);
        assert!(
            r.message.contains("location default, s3://")
                && r.message.contains("workgroup \"idc-wg\""),
            "{}",
            r.message
        );
        // The trust the fix writes is the same document, and passes too.
        let mut f = healthy();
        *trust_of(&mut f) =
            serde_json::from_str(&location_trust("111122223333", INSTANCE)).unwrap();
        assert_eq!(only("AG004", &f).status, Status::Pass);
    }

    #[test]
    fn fails_without_the_set_context_statement() {
        let mut f = healthy();
        statements(&mut f).retain(|s| s["Sid"] != "AccessGrantsTrustPolicyWithIDCContext");
        let r = only("AG004", &f);
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(
            r.message
                .contains("sts:SetContext (not allowed by any statement)"),
            "{}",
            r.message
        );
        assert!(!r.message.contains("sts:AssumeRole ("), "{}", r.message);
        let fix = r.remediation.unwrap();
        assert_eq!(
            fix.commands,
            vec![format!(
                "aws iam update-assume-role-policy --role-name S3AccessGrantsLocationRole --policy-document '{}'",
                location_trust("111122223333", INSTANCE)
            )]
        );
        assert!(fix.commands[0].contains(INSTANCE));
    }

    #[test]
    fn fails_when_source_arn_names_another_instance() {
        let mut f = healthy();
        for s in statements(&mut f) {
            s["Condition"]["StringEquals"]["aws:SourceArn"] =
                json!("arn:aws:s3:us-east-1:111122223333:access-grants/default");
        }
        assert_eq!(only("AG004", &f).status, Status::Fail);
    }

    #[test]
    fn set_context_for_another_provider_only_fails() {
        let mut f = healthy();
        statements(&mut f)[1]["Condition"]["ForAllValues:ArnEquals"]["sts:RequestContextProviders"] =
            json!("arn:aws:iam::aws:contextProvider/Other");
        assert_eq!(only("AG004", &f).status, Status::Fail);
    }

    #[test]
    fn missing_set_source_identity_is_a_warning() {
        let mut f = healthy();
        statements(&mut f)[0]["Action"] = json!("sts:AssumeRole");
        let r = only("AG004", &f);
        assert_eq!(r.status, Status::Warn, "{r:#?}");
        assert!(
            r.message.contains("not sts:SetSourceIdentity"),
            "{}",
            r.message
        );
    }

    #[test]
    fn set_context_names_the_identity_center_instance() {
        // IAM Identity Center's STS context keys: identitycenter:InstanceArn is
        // "the ARN of the instance of IAM Identity Center that issued the context
        // assertion", here the instance associated with S3 Access Grants.
        let mut f = healthy();
        let idc = match &f.access_grants.instance {
            Fact::Known(Some(i)) => i.identity_center_instance_arn.clone().unwrap(),
            _ => unreachable!(),
        };
        statements(&mut f)[1]["Condition"]["ArnEquals"] =
            json!({"sts:RequestContext/identitycenter:InstanceArn": idc});
        assert_eq!(only("AG004", &f).status, Status::Pass);
        statements(&mut f)[1]["Condition"]["ArnEquals"] = json!({"sts:RequestContext/identitycenter:InstanceArn": "arn:aws:sso:::instance/ssoins-other"});
        assert_eq!(only("AG004", &f).status, Status::Fail);
    }

    #[test]
    fn warns_on_a_condition_it_cannot_evaluate() {
        let mut f = healthy();
        statements(&mut f)[1]["Condition"]["StringEquals"]["sts:ExternalId"] = json!("x");
        let r = only("AG004", &f);
        assert_eq!(r.status, Status::Warn, "{r:#?}");
        assert!(r.message.contains("sts:ExternalId"), "{}", r.message);
    }

    #[test]
    fn fails_when_the_role_is_missing_or_not_reported() {
        let mut f = healthy();
        f.roles
            .insert("S3AccessGrantsLocationRole".into(), Fact::Known(None));
        let r = only("AG004", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("does not exist") && r.message.contains(ARN));
        assert!(r.remediation.unwrap().commands[0].starts_with(
            "aws iam create-role --role-name S3AccessGrantsLocationRole --assume-role-policy-document"
        ));

        let mut f = healthy();
        location(&mut f).iam_role_arn = None;
        let r = only("AG004", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("reports no IAM role"), "{}", r.message);
        let fix = r.remediation.unwrap();
        assert_eq!(
            fix.commands,
            vec![
                "aws s3control update-access-grants-location --region ap-northeast-1 --account-id 111122223333 --access-grants-location-id default --iam-role-arn 'arn:aws:iam::111122223333:role/<S3AG_LOCATION_ROLE>'"
            ]
        );
        // The role is a person's choice; the location keeps its scope and grants.
        assert_eq!(fix.applicability.kind, Kind::NeedsInput);
        assert_eq!(fix.applicability.inputs[0].name, "S3AG_LOCATION_ROLE");
        assert!(
            fix.applicability
                .kept
                .unwrap()
                .contains("scope and its grants")
        );
    }

    #[test]
    fn gaps_ag003_reports_still_carry_fixes() {
        let mut f = healthy();
        location(&mut f).location_scope = "s3://data-lake-111122223333".into();
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Fail);
        assert!(out[0].fix.as_ref().unwrap().commands[0].starts_with("aws s3control create-access-grants-location --region ap-northeast-1 --account-id 111122223333 --location-scope s3://"));
        let mut f = healthy();
        idc_wg(&mut f).output_location = None;
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Fail);
        assert!(out[0].fix.as_ref().unwrap().commands[0].starts_with(
            "aws athena update-work-group --region ap-northeast-1 --work-group idc-wg"
        ));
    }

    #[test]
    fn skips_when_ag003_fails() {
        let mut f = healthy();
        location(&mut f).location_scope = "s3://data-lake-111122223333".into();
        skipped("AG004", &f, "AG003");
    }

    #[test]
    fn unknown_facts_are_errors() {
        let mut f = healthy();
        f.roles.insert(
            "S3AccessGrantsLocationRole".into(),
            Fact::Unknown(denied("iam:GetRole")),
        );
        let r = only("AG004", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("iam:GetRole") && r.message.contains(ARN));
        let mut f = healthy();
        f.access_grants.locations = Fact::Unknown(denied("s3:ListAccessGrantsLocations"));
        assert_eq!(run(&Ctx::new(&f))[0].verdict, Verdict::Error);
    }
}
