//! # ES007 studio-service-role-default-s3
//!
//! **What it checks.** For every EMR Studio in scope (any authentication mode),
//! the Studio's service role (`DescribeStudio` → `Studio.ServiceRole`) may read
//! and write the Studio's default S3 location (`Studio.DefaultS3Location`), by
//! its inline and attached policies within its permissions boundary:
//! - `s3:GetObject`, `s3:PutObject`, `s3:DeleteObject` on the objects under the
//!   location (checked on a sample key,
//!   `arn:aws:s3:::<bucket>/<prefix>/studio-doctor-example`; the fix grants
//!   `arn:aws:s3:::<bucket>/<prefix>/*`);
//! - `s3:ListBucket`, `s3:GetEncryptionConfiguration` on the bucket
//!   (`arn:aws:s3:::<bucket>`).
//!
//! A Studio without a default S3 location fails. Deny statements win.
//! Which policy forms make the result a warning instead of a verdict: a
//! condition on a key studio-doctor does not know, an operator it does not
//! evaluate (`IpAddress`, `Numeric*`, `Date*`, ...), a policy variable whose value
//! is not known, a wildcard in the service or resource-type part of a `Resource`
//! ARN (`arn:aws:secretsmanager:*:*:s*:name`, which the IAM documentation calls
//! incorrect usage), and a malformed statement; the fix then keeps those conditions.
//! Policy variables count only under `"Version": "2012-10-17"` and after the fifth
//! colon of an ARN (elsewhere they are literal text, as IAM treats them). Keys
//! every request carries are evaluated: `aws:PrincipalArn`,
//! `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:ResourceAccount` (not for S3
//! buckets and objects) and `aws:RequestedRegion` (the target region; not for S3
//! buckets and objects). This is the
//! identity-policy view: bucket policies, SCPs and KMS key policies are not
//! included, and the KMS permissions an encrypted Studio also needs are named
//! but not checked.
//!
//! **Why it matters.** EMR Studio keeps Workspaces, notebooks and the Athena SQL
//! editor's saved state in the default S3 location, through the service role.
//! The trusted identity propagation setup guide gives the service role exactly
//! these five actions; without them the Studio cannot save or open Workspaces.
//! If the Studio (`EncryptionKeyArn`) or the bucket uses a KMS key, the service
//! role also needs `kms:Decrypt`, `kms:GenerateDataKey`, `kms:ReEncrypt*` and
//! `kms:DescribeKey` on it.
//!
//! **How to fix.** Add an inline policy with the missing actions.
//! Console: IAM → Roles → (the service role) → Add permissions → Create inline
//! policy → JSON, paste the document from the report.
//! CLI (the report fills in the role, the bucket, the prefix and a policy name the
//! role does not use yet): `aws iam put-role-policy --role-name <SERVICE_ROLE>
//! --policy-name StudioDefaultS3 --policy-document
//! '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::<bucket>/<prefix>/*"},{"Effect":"Allow","Action":["s3:ListBucket","s3:GetEncryptionConfiguration"],"Resource":"arn:aws:s3:::<bucket>"}]}'`.
//! No default S3 location: `aws emr update-studio --studio-id <ID>
//! --default-s3-location s3://<BUCKET>/<PREFIX>/` (console: Studio → Edit), then the
//! policy above on that location (the report gives both).
//!
//! **Evidence.** Documented (setting-up-tip-emr step 1: the service role policy with
//! `s3:PutObject`, `s3:GetObject`, `s3:DeleteObject` on the bucket's objects and
//! `s3:ListBucket`, `s3:GetEncryptionConfiguration` on the bucket;
//! emr-studio-service-role: the KMS actions for an encrypted bucket) and the API model
//! (`DefaultS3Location` is required by CreateStudio and updatable by UpdateStudio).
//!
//! **References.**
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/setting-up-tip-emr.html
//! - https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-service-role.html
//! - https://docs.aws.amazon.com/cli/latest/reference/emr/update-studio.html
//! - https://docs.aws.amazon.com/cli/latest/reference/iam/put-role-policy.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::{Ctx, studio_label};
use crate::each::each_studio;
use crate::facts::{Studio, role_name};
use crate::fix::{Action, Kind};
use crate::fixes::{create_role, service_trust, undecided_grant_summary};
use crate::policy::unused_policy_name;
use crate::review::{IfMissing, RoleCheck, Want, grant_fix};
use crate::roles::{account_of, role_arn, service_role};
use crate::s3;

pub const META: Meta = Meta {
    id: "ES007",
    name: "studio-service-role-default-s3",
    area: Area::EmrStudio,
    severity: Severity::Error,
    title: "Studio service role can read and write the default S3 location",
    depends_on: &[],
    hop: crate::check::Hop::SignIn,
    entitlement: false,
    fixes: &[
        ("iam:CreateRole", Kind::Ready),
        ("iam:PutRolePolicy", Kind::Ready),
        ("emr:UpdateStudio", Kind::NeedsInput),
        ("iam:CreateRole", Kind::NeedsInput),
        ("iam:PutRolePolicy", Kind::NeedsInput),
    ],
    needs: &[Need::Caller, Need::Studios, Need::ServiceRolePolicies],
    docs: &[
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/setting-up-tip-emr.html",
        "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-service-role.html",
    ],
};

const OBJECT_ACTIONS: [&str; 3] = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"];
const BUCKET_ACTIONS: [&str; 2] = ["s3:ListBucket", "s3:GetEncryptionConfiguration"];
/// The object key (under the location's prefix) the object actions are checked on.
const SAMPLE: &str = "studio-doctor-example";
const POLICY: &str = "StudioDefaultS3";
const VIEW: &str = "identity-policy view: bucket policies and SCPs are not included";

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_studio(ctx, |s| vec![one(ctx, s)])
}

fn one(ctx: &Ctx, s: &Studio) -> Outcome {
    let label = studio_label(s);
    let svc = match service_role(s) {
        Ok(r) => r,
        Err(o) => return *o,
    };
    let loc = s.default_s3_location.as_deref().filter(|l| !l.is_empty());
    let Some((loc, url)) = loc.and_then(|l| {
        s3::parse(l)
            .filter(|u| !u.bucket.is_empty())
            .map(|u| (l, u))
    }) else {
        let why = match loc {
            None => "has no default S3 location (DefaultS3Location)".to_string(),
            Some(l) => {
                format!("has a default S3 location that is not an s3://bucket/prefix URL ({l})")
            }
        };
        return Outcome::fail(
            &label,
            format!("{label} {why}; EMR Studio keeps Workspaces and notebooks there"),
        )
        .fix(location_fix(ctx, s, svc));
    };
    let account = account_of(ctx, s.studio_arn.as_deref());
    let arn = role_arn(&account, svc);
    let wants = wants(url.bucket, url.key);
    let kms = kms_note(s);
    let check = RoleCheck {
        owner: &label,
        kind: "service role",
        name: svc,
        arn: &arn,
        policy: POLICY,
        docs: META.docs,
    };
    let missing = IfMissing {
        why: "NoSuchEntity",
        summary: format!(
            "Create the service role {} (trusted by elasticmapreduce.amazonaws.com), then grant it the default S3 location {loc}",
            role_name(svc)
        ),
        trust: service_trust(ctx, &account),
    };
    let (role, review) = match check.review(ctx, &wants, missing) {
        Ok(x) => x,
        Err(o) => return *o,
    };
    let sample = format!(
        "object actions checked on the sample key {}",
        wants[0].resource
    );
    review.outcome(
        &role.arn,
        || {
            format!(
                "{label}: service role {} can read, write and delete objects under the default S3 location {loc} and list the bucket{kms} ({VIEW})",
                role.arn
            )
        },
        |r| {
            let msg = format!(
                "{label}: could not decide whether service role {} may use the default S3 location {loc}: {} ({sample}){kms} ({VIEW})",
                role.arn,
                r.undecided_list()
            );
            let summary = undecided_grant_summary(
                &role.role_name,
                "saving or opening a Workspace fails with an access error on the location",
            );
            (msg, check.fix(role, r, summary))
        },
        |r| {
            let msg = format!(
                "{label}: service role {} cannot use the default S3 location {loc}, so the Studio cannot save or open Workspaces; missing {} ({sample}){}{kms} ({VIEW})",
                role.arn,
                r.missing_list(),
                r.undecided_note()
            );
            (msg, check.fix(role, r, r.summary(role)))
        },
    )
}

/// The five actions the setup guide gives the service role on the location.
fn wants(bucket: &str, key: &str) -> Vec<Want> {
    let dir = if key.is_empty() {
        String::new()
    } else {
        s3::as_dir(key)
    };
    let objects = format!("arn:aws:s3:::{bucket}/{dir}");
    let mut v: Vec<Want> = OBJECT_ACTIONS
        .iter()
        .map(|&a| Want {
            action: a,
            resource: format!("{objects}{SAMPLE}"),
            grant: format!("{objects}*"),
        })
        .collect();
    for a in BUCKET_ACTIONS {
        v.push(Want::new(a, &format!("arn:aws:s3:::{bucket}")));
    }
    v
}

/// A reminder of the KMS permissions when the Studio has its own key.
fn kms_note(s: &Studio) -> String {
    match s.encryption_key_arn.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => format!(
            "; the Studio is encrypted with {k}: the service role also needs kms:Decrypt, kms:GenerateDataKey, kms:ReEncrypt* and kms:DescribeKey on it (not checked)"
        ),
        None => String::new(),
    }
}

/// Set a default S3 location a person chooses, and let the service role use it
/// (creating the role first when IAM does not have it).
fn location_fix(ctx: &Ctx, s: &Studio, svc: &str) -> Remediation {
    let mut actions = vec![Action::UpdateStudio {
        region: ctx.region().to_string(),
        studio_id: s.studio_id.clone(),
        default_s3_location: "s3://<BUCKET>/<PREFIX>/".into(),
    }];
    let wants = wants("<BUCKET>", "<PREFIX>/");
    let all: Vec<&Want> = wants.iter().collect();
    let grant = |name: &str, policy: &str| {
        grant_fix(name, policy, &all, String::new(), &[])
            .actions
            .remove(0)
    };
    let role = match ctx.role(svc) {
        Ok(Some(r)) => {
            actions.push(grant(&r.role_name, &unused_policy_name(r, POLICY)));
            "then the policy below lets its service role read and write it".to_string()
        }
        Ok(None) => {
            let account = account_of(ctx, s.studio_arn.as_deref());
            let arn = role_arn(&account, svc);
            actions.push(create_role(&arn, &service_trust(ctx, &account)));
            actions.push(grant(role_name(svc), POLICY));
            format!(
                "then create its service role {} (it does not exist in IAM) and let it read and write the location",
                role_name(svc)
            )
        }
        Err(_) => "then let its service role read and write it".to_string(),
    };
    Remediation::new(
        format!(
            "Set a default S3 location for {} (console: Amazon EMR → EMR Studio → Studios → the Studio → Edit), {role}",
            studio_label(s)
        ),
        actions,
        &[
            "https://docs.aws.amazon.com/cli/latest/reference/emr/update-studio.html",
            META.docs[0],
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Status, Verdict};
    use crate::fact::Fact;
    use crate::facts::{Facts, Policy, Role};
    use crate::testkit::{denied, healthy, inline, json_arg, only, role, statements, studio};
    use serde_json::{Value, json};

    const ARN: &str = "arn:aws:iam::111122223333:role/EMRStudio-ServiceRole";
    const SERVICE_ROLE: &str = "EMRStudio-ServiceRole";

    fn service_role(f: &mut Facts) -> &mut Role {
        role(f, SERVICE_ROLE)
    }

    /// The statements of the healthy StudioServiceS3 policy.
    fn s3_statements(f: &mut Facts) -> &mut Vec<Value> {
        statements(f, SERVICE_ROLE)
    }

    #[test]
    fn passes_on_healthy() {
        let r = only("ES007", &healthy());
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert!(r.message.contains(ARN));
        assert!(
            r.message
                .contains("s3://analytics-studio-111122223333/studio/")
        );
    }

    #[test]
    fn fails_when_objects_are_granted_on_the_bucket_arn_and_the_fix_works() {
        let mut f = healthy();
        // The classic mistake: object actions on the bucket ARN, not its objects.
        s3_statements(&mut f)[0]["Resource"] = json!("arn:aws:s3:::analytics-studio-111122223333");
        let r = only("ES007", &f);
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(r.message.contains(
            "s3:GetObject on arn:aws:s3:::analytics-studio-111122223333/studio/studio-doctor-example"
        ), "{}", r.message);
        assert!(!r.message.contains("s3:ListBucket on"));
        let cmd = &r.remediation.unwrap().commands[0];
        assert!(cmd.starts_with(
            "aws iam put-role-policy --role-name EMRStudio-ServiceRole --policy-name StudioDefaultS3 "
        ), "{cmd}");
        let doc = json_arg(cmd, "--policy-document");
        assert_eq!(
            doc["Statement"][0]["Resource"],
            "arn:aws:s3:::analytics-studio-111122223333/studio/*"
        );
        assert_eq!(
            doc["Statement"][0]["Action"],
            json!(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"])
        );
        inline(&mut f, SERVICE_ROLE).push(Policy {
            name: "StudioDefaultS3".into(),
            document: doc,
        });
        assert_eq!(only("ES007", &f).status, Status::Pass);
    }

    #[test]
    fn a_grant_on_another_prefix_does_not_count() {
        let mut f = healthy();
        s3_statements(&mut f)[0]["Resource"] =
            json!("arn:aws:s3:::analytics-studio-111122223333/other/*");
        s3_statements(&mut f)[1]["Action"] = json!("s3:ListBucket");
        let r = only("ES007", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.message.contains(
                "s3:GetEncryptionConfiguration on arn:aws:s3:::analytics-studio-111122223333 "
            ),
            "{}",
            r.message
        );
        // A location on the bucket root is checked and granted on bucket/*.
        let w = wants("b", "");
        assert_eq!(w[0].resource, "arn:aws:s3:::b/studio-doctor-example");
        assert_eq!(w[0].grant, "arn:aws:s3:::b/*");
        assert_eq!(wants("b", "p")[0].grant, "arn:aws:s3:::b/p/*");
    }

    #[test]
    fn fails_without_default_location() {
        let mut f = healthy();
        studio(&mut f).default_s3_location = None;
        let r = only("ES007", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("has no default S3 location"));
        assert!(r.message.contains("es-D1A2B3C4D5E6F7A8B9C0D1E2F"));
        let fix = r.remediation.unwrap();
        assert_eq!(
            fix.commands[0],
            "aws emr update-studio --region ap-northeast-1 --studio-id es-D1A2B3C4D5E6F7A8B9C0D1E2F --default-s3-location 's3://<BUCKET>/<PREFIX>/'"
        );
        assert_eq!(fix.applicability.kind, crate::fix::Kind::NeedsInput);
        // Applied with a bucket and prefix: the service role may use the new location.
        let fill = |t: &str| {
            t.replace("<BUCKET>", "new-bucket")
                .replace("<PREFIX>", "notes")
        };
        let doc: Value = serde_json::from_str(&fill(
            &json_arg(&fix.commands[1], "--policy-document").to_string(),
        ))
        .unwrap();
        let mut fixed = f.clone();
        studio(&mut fixed).default_s3_location = Some(fill("s3://<BUCKET>/<PREFIX>/"));
        inline(&mut fixed, SERVICE_ROLE).push(Policy {
            name: "StudioDefaultS3".into(),
            document: doc,
        });
        assert_eq!(only("ES007", &fixed).status, Status::Pass);
        studio(&mut f).default_s3_location = Some("https://example.com/x".into());
        assert!(
            only("ES007", &f)
                .message
                .contains("not an s3://bucket/prefix URL")
        );
    }

    #[test]
    fn undecided_is_a_warning_and_kms_is_named() {
        let mut f = healthy();
        s3_statements(&mut f)[0]["Condition"] =
            json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}});
        studio(&mut f).encryption_key_arn =
            Some("arn:aws:kms:ap-northeast-1:111122223333:key/abcd".into());
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Warn, "{out:#?}");
        assert!(out[0].message.contains("IpAddress on aws:SourceIp"));
        assert!(
            out[0]
                .message
                .contains("key/abcd: the service role also needs kms:Decrypt")
        );
        assert!(out[0].fix.is_some());
    }

    #[test]
    fn a_missing_role_is_created_and_granted() {
        let mut f = healthy();
        f.roles.insert(SERVICE_ROLE.into(), Fact::Known(None));
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Fail);
        let c = &out[0].fix.as_ref().unwrap().commands;
        assert!(c[0].starts_with("aws iam create-role --role-name EMRStudio-ServiceRole"));
        assert!(c[1].contains("--policy-name StudioDefaultS3 ") && c[1].contains("s3:ListBucket"));
    }

    #[test]
    fn no_studio_is_nothing_to_check() {
        let mut f = healthy();
        f.studios = Fact::Known(vec![]);
        assert_eq!(only("ES007", &f).status, Status::Skip);
    }

    #[test]
    fn unreadable_policies_are_an_error() {
        let mut f = healthy();
        service_role(&mut f).attached_policies =
            Fact::Unknown(denied("iam:ListAttachedRolePolicies"));
        let r = only("ES007", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("iam:ListAttachedRolePolicies") && r.message.contains(ARN));
        let mut f = healthy();
        f.roles.remove(SERVICE_ROLE);
        assert_eq!(only("ES007", &f).status, Status::Error);
    }
}
