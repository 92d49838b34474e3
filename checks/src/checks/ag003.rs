//! # AG003 access-grants-location-covers-results
//!
//! **What it checks.** Each target workgroup (every Identity-Center-enabled one,
//! or `--workgroup`) has a query result location
//! (`ResultConfiguration.OutputLocation`) in a bucket that exists, is in the
//! target region and belongs to this account, and a registered S3 Access Grants
//! location covers it (`ListAccessGrantsLocations` → `LocationScope`: `s3://`
//! covers every bucket, `s3://bucket` one bucket, `s3://bucket/prefix` that
//! prefix at a `/` boundary). The pass names the most specific covering location
//! and its IAM role.
//!
//! The bucket is read with `s3:GetBucketLocation` sent with `ExpectedBucketOwner`
//! set to this account: S3 answers a bucket owned by another account with 403
//! AccessDenied, so such a bucket never passes (the result is an error naming
//! the cause). A bucket in another region fails (when S3 redirects the request
//! to the bucket's region, it is asked again there, so the owner is still
//! judged). A workgroup whose
//! `ResultConfiguration.ExpectedBucketOwner` names another account than the
//! bucket's (this one) fails: Athena's writes would be refused. A workgroup that
//! keeps its results in Athena-managed storage (`ManagedQueryResultsConfiguration`)
//! has no S3 results location: it passes here with that said (WG006 warns).
//!
//! **Why it matters.** Identity Center users write query results through S3
//! Access Grants. A grant can only be made inside a registered location, and S3
//! Access Grants reaches the bucket by assuming the location's IAM role. Without a
//! location over the results prefix, no grant can exist and every query fails
//! while writing its results. S3 Access Grants serves only data in its own
//! region, and the recommended default location `s3://` covers only this
//! account's buckets in that region.
//!
//! **How to fix.** No result location: console: Amazon Athena → Workgroups → the
//! workgroup → Edit → Query result configuration; CLI: `aws athena
//! update-work-group --work-group <WG> --configuration-updates
//! '{"ResultConfigurationUpdates":{"OutputLocation":"s3://<BUCKET>/<PREFIX>/"}}'`.
//! No covering location: console: Amazon S3 → Access Grants → the region's
//! instance → Locations → **Register location** → `s3://` (or the results bucket)
//! with the location role; CLI: `aws s3control create-access-grants-location
//! --region <REGION> --account-id <ACCOUNT_ID> --location-scope s3://
//! --iam-role-arn arn:aws:iam::<ACCOUNT_ID>:role/<S3AG_LOCATION_ROLE>`. The role
//! must trust `access-grants.s3.amazonaws.com` for `sts:AssumeRole` and
//! `sts:SetContext` (and `sts:SetSourceIdentity` for IAM grantees), and allow
//! S3 read and write on the results bucket; registering it needs `iam:PassRole`.
//! The results bucket must be in the same region as the S3 Access Grants instance.
//!
//! A results bucket that does not exist: create it under the name the workgroup
//! uses (`aws s3api create-bucket --region <REGION> --bucket <bucket>
//! --create-bucket-configuration LocationConstraint=<REGION>`). A results
//! bucket in another region or account: create one in this region
//! (`aws s3api create-bucket --region <REGION> --bucket <RESULTS_BUCKET>
//! --create-bucket-configuration LocationConstraint=<REGION>`) and point the
//! workgroup at it (`ResultConfigurationUpdates.OutputLocation`); the fix also
//! lets the workgroup's execution role call `s3:GetBucketLocation` on the new
//! bucket, which the role needs on its results bucket (WG005). A wrong
//! expected owner: `'{"ResultConfigurationUpdates":{"ExpectedBucketOwner":"<ACCOUNT_ID>"}}'`.
//!
//! **Evidence.** Documented: S3 access-grants-location-register (location
//! scopes and the location role; "The location at the default S3 path (s3://)
//! covers access to all of your S3 buckets in that AWS Region of your account";
//! the buckets "must be located in the same AWS Region as your S3 Access Grants
//! instance"); CreateAccessGrantsLocation ("Your S3 data must be in the same
//! Region as your S3 Access Grants instance"); S3 bucket owner condition (a
//! mismatched `ExpectedBucketOwner` is refused with 403 Access Denied); Athena
//! `ResultConfiguration.ExpectedBucketOwner` (a mismatch makes Athena's S3 calls
//! fail with a permissions error); Athena workgroups-identity-center (results go
//! through S3 Access Grants). Observed in practice: queries fail writing results
//! until a location covers the results.
//!
//! **References.**
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-location-register.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_CreateAccessGrantsLocation.html
//! - https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html
//! - https://docs.aws.amazon.com/athena/latest/APIReference/API_ResultConfiguration.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/tip-tutorial-s3.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::{Ctx, workgroup_label};
use crate::each::each_workgroup;
use crate::fact::{Fact, Unknown, UnknownKind};
use crate::facts::WorkGroup;
use crate::facts::role_name;
use crate::fix::{Action, Kind};
use crate::fixes::{create_default_location, output_fix, update_work_group_action};
use crate::grants::{managed_pass, managed_results, results_location};
use crate::policy::{allow_document, unused_policy_name};
use crate::s3;
use serde_json::json;

pub const META: Meta = Meta {
    id: "AG003",
    name: "access-grants-location-covers-results",
    area: Area::S3AccessGrants,
    severity: Severity::Error,
    title: "An S3 Access Grants location covers the query result location",
    depends_on: &["AG001", "WG001"],
    hop: crate::check::Hop::Write,
    entitlement: false,
    fixes: &[
        ("iam:PutRolePolicy", Kind::Ready),
        ("iam:PutRolePolicy", Kind::NeedsInput),
        ("athena:UpdateWorkGroup", Kind::Ready),
        ("athena:UpdateWorkGroup", Kind::NeedsInput),
        ("s3:CreateBucket", Kind::Ready),
        ("s3:CreateBucket", Kind::NeedsInput),
        ("s3control:CreateAccessGrantsLocation", Kind::NeedsInput),
    ],
    needs: &[
        Need::Caller,
        Need::Workgroups,
        Need::AccessGrantsInstance,
        Need::AccessGrantsLocations,
        Need::ResultsBucket,
    ],
    docs: &[
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-location-register.html",
        "https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html",
    ],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_workgroup(ctx, |w| vec![check(ctx, w)])
}

fn check(ctx: &Ctx, w: &WorkGroup) -> Outcome {
    let label = workgroup_label(w);
    if managed_results(w) {
        return managed_pass(w);
    }
    let out = match results_location(w) {
        Ok(out) => out,
        Err(why) => {
            return Outcome::fail(
                &label,
                format!("{label} {why}, so S3 Access Grants has nothing to grant"),
            )
            .fix(output_fix(ctx, w, META.docs));
        }
    };
    if let Err(o) = bucket_ok(ctx, w, out) {
        return *o;
    }
    let locations = match ctx.facts.access_grants.locations.known() {
        Ok(l) => l,
        Err(u) => return Outcome::unknown(&label, "the S3 Access Grants locations", u),
    };
    match s3::covering_location(locations, &s3::as_dir(out)) {
        Some(l) => Outcome::pass(
            &label,
            format!(
                "{label}'s query result location {out} is covered by S3 Access Grants location {} ({}), role {}",
                l.access_grants_location_id,
                l.location_scope,
                l.iam_role_arn.as_deref().unwrap_or("(none reported)")
            ),
        ),
        None => {
            let have = if locations.is_empty() {
                "no location is registered".to_string()
            } else {
                let scopes: Vec<&str> = locations
                    .iter()
                    .map(|l| l.location_scope.as_str())
                    .collect();
                format!("registered: {}", scopes.join(", "))
            };
            Outcome::fail(
                &label,
                format!(
                    "no S3 Access Grants location covers {label}'s query result location {out} ({have}), so no grant can give Identity Center users the results prefix"
                ),
            )
            .fix(location_fix(ctx))
        }
    }
}

/// The results bucket is in this region and owned by this account (the
/// `ExpectedBucketOwner` sent with `GetBucketLocation` proves the owner), and
/// the workgroup does not expect another owner. Err: the outcome to report.
fn bucket_ok(ctx: &Ctx, w: &WorkGroup, out: &str) -> Result<(), Box<Outcome>> {
    let label = workgroup_label(w);
    let name = s3::parse(out).map(|u| u.bucket).unwrap_or_default();
    let region = ctx.region();
    let what = format!(
        "the region of {label}'s results bucket {name} (s3:GetBucketLocation, asked with ExpectedBucketOwner = this account; S3 answers AccessDenied also when another account owns the bucket)"
    );
    let bucket = match ctx.facts.buckets.get(name) {
        None => {
            let u = Unknown::new(
                UnknownKind::NotCollected,
                "s3:GetBucketLocation",
                format!("bucket {name} is not in the facts"),
            );
            return Err(Box::new(Outcome::unknown(&label, &what, &u)));
        }
        Some(Fact::Unknown(u)) => return Err(Box::new(Outcome::unknown(&label, &what, u))),
        Some(Fact::Known(b)) => b,
    };
    let Some(bucket) = bucket else {
        return Err(Box::new(
            Outcome::fail(
                &label,
                format!(
                    "{label}'s results bucket {name} does not exist (NoSuchBucket), so every query fails writing its results"
                ),
            )
            .fix(missing_bucket_fix(ctx, w, name)),
        ));
    };
    if bucket.region != region {
        return Err(Box::new(
            Outcome::fail(
                &label,
                format!(
                    "{label}'s results bucket {name} is in {}, but S3 Access Grants only serves data in its own region ({region}): no location can cover it, so Identity Center users' queries fail writing results",
                    bucket.region
                ),
            )
            .fix(new_bucket_fix(ctx, w, "<RESULTS_BUCKET>")),
        ));
    }
    let account = ctx.account();
    if let Some(expected) = w.expected_bucket_owner.as_deref()
        && expected != account
        && !account.starts_with('<')
    {
        return Err(Box::new(
            Outcome::fail(
                &label,
                format!(
                    "{label} expects its results bucket to be owned by account {expected} (ResultConfiguration.ExpectedBucketOwner), but {name} belongs to this account {account}: Athena's writes to it fail with a permissions error"
                ),
            )
            .fix(Remediation::new(
                "Expect this account as the results bucket's owner",
                vec![update_work_group_action(
                    ctx,
                    w,
                    json!({"ResultConfigurationUpdates": {"ExpectedBucketOwner": account}}),
                )],
                META.docs,
            )),
        ));
    }
    Ok(())
}

/// The results bucket does not exist: create it (in this region, in this
/// account) under the name the workgroup already uses.
fn missing_bucket_fix(ctx: &Ctx, w: &WorkGroup, bucket: &str) -> Remediation {
    let region = ctx.region();
    Remediation::new(
        format!(
            "Create the results bucket {bucket} in {region} in this account, where {} already writes its query results",
            workgroup_label(w)
        ),
        vec![Action::CreateBucket {
            region: region.to_string(),
            bucket: bucket.to_string(),
        }],
        META.docs,
    )
}

/// Create a results bucket in this region and point the workgroup at it.
fn new_bucket_fix(ctx: &Ctx, w: &WorkGroup, bucket: &str) -> Remediation {
    let region = ctx.region();
    let mut actions = vec![
        Action::CreateBucket {
            region: region.to_string(),
            bucket: bucket.to_string(),
        },
        update_work_group_action(
            ctx,
            w,
            json!({"ResultConfigurationUpdates": {"OutputLocation": format!("s3://{bucket}/{}/", w.name)}}),
        ),
    ];
    let mut summary = format!(
        "Create a results bucket in {region} in this account and set it as {}'s query result location",
        workgroup_label(w)
    );
    // The execution role looks up the results bucket's region (WG005): on the new bucket too.
    if let Some(arn) = w.execution_role.as_deref() {
        let policy_name = match ctx.role(arn) {
            Ok(Some(r)) => unused_policy_name(r, "AthenaResultsBucket"),
            _ => "AthenaResultsBucket".to_string(),
        };
        actions.push(Action::PutRolePolicy {
            role_name: role_name(arn).to_string(),
            policy_name,
            policy_document: allow_document(&[(
                "s3:GetBucketLocation",
                &format!("arn:aws:s3:::{bucket}"),
            )]),
        });
        summary
            .push_str(", and let its execution role call s3:GetBucketLocation on the new bucket");
    }
    Remediation::new(summary, actions, META.docs)
}

fn location_fix(ctx: &Ctx) -> Remediation {
    Remediation::new(
        "Register the default location s3:// with an IAM role that trusts access-grants.s3.amazonaws.com for sts:AssumeRole and sts:SetContext and can read and write the results bucket",
        vec![create_default_location(ctx)],
        META.docs,
    )
}

#[cfg(test)]
mod tests {
    use super::run;
    use crate::check::{Status, Verdict};
    use crate::ctx::Ctx;
    use crate::fact::{Fact, Unknown};
    use crate::facts::{AccessGrantsLocation, Bucket, Facts};
    use crate::testkit::{denied, healthy, idc_wg, only, results, skipped};

    fn set_locations(f: &mut Facts, scopes: &[(&str, &str)]) {
        f.access_grants.locations = Fact::Known(
            scopes
                .iter()
                .map(|(id, scope)| AccessGrantsLocation {
                    access_grants_location_id: id.to_string(),
                    location_scope: scope.to_string(),
                    iam_role_arn: Some(format!("arn:aws:iam::111122223333:role/Role-{id}")),
                })
                .collect(),
        );
    }

    #[test]
    fn passes_with_the_default_location() {
        let r = only("AG003", &healthy());
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(
            r.message.contains("location default (s3://)"),
            "{}",
            r.message
        );
        assert!(
            r.message.contains("role/S3AccessGrantsLocationRole"),
            "{}",
            r.message
        );
    }

    #[test]
    fn fails_when_the_location_is_another_bucket() {
        let mut f = healthy();
        set_locations(&mut f, &[("data", "s3://data-lake-111122223333")]);
        let r = only("AG003", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("workgroup \"idc-wg\""), "{}", r.message);
        assert!(
            r.message
                .contains("s3://athena-results-111122223333/idc-wg/"),
            "{}",
            r.message
        );
        assert!(
            r.message
                .contains("registered: s3://data-lake-111122223333"),
            "{}",
            r.message
        );
        assert_eq!(
            r.remediation.unwrap().commands,
            vec![
                "aws s3control create-access-grants-location --region ap-northeast-1 --account-id 111122223333 \
                 --location-scope s3:// --iam-role-arn 'arn:aws:iam::111122223333:role/<S3AG_LOCATION_ROLE>'"
            ]
        );
    }

    #[test]
    fn fails_when_no_location_is_registered() {
        let mut f = healthy();
        set_locations(&mut f, &[]);
        let r = only("AG003", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.message.contains("no location is registered"),
            "{}",
            r.message
        );
    }

    #[test]
    fn prefix_locations_match_at_a_path_boundary() {
        let mut f = healthy();
        set_locations(&mut f, &[("p", "s3://athena-results-111122223333/idc")]);
        assert_eq!(only("AG003", &f).status, Status::Fail);
        set_locations(&mut f, &[("p", "s3://athena-results-111122223333/idc-wg")]);
        assert_eq!(only("AG003", &f).status, Status::Pass);
    }

    #[test]
    fn names_the_most_specific_location() {
        let mut f = healthy();
        set_locations(
            &mut f,
            &[
                ("default", "s3://"),
                ("bucket", "s3://athena-results-111122223333"),
            ],
        );
        let r = only("AG003", &f);
        assert_eq!(r.status, Status::Pass);
        assert!(r.message.contains("location bucket (s3://athena-results-111122223333), role arn:aws:iam::111122223333:role/Role-bucket"), "{}", r.message);
    }

    #[test]
    fn fails_without_a_result_location() {
        let mut f = healthy();
        idc_wg(&mut f).output_location = None;
        let r = only("AG003", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.message.contains("no query result location"),
            "{}",
            r.message
        );
        let cmd = &r.remediation.unwrap().commands[0];
        assert!(
            cmd.starts_with(
                "aws athena update-work-group --region ap-northeast-1 --work-group idc-wg "
            ),
            "{cmd}"
        );
        assert!(
            cmd.contains(r#""OutputLocation":"s3://<RESULTS_BUCKET>/idc-wg/""#),
            "{cmd}"
        );

        idc_wg(&mut f).output_location = Some("https://example.com/x".into());
        let r = only("AG003", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.message.contains("not an s3://bucket/prefix URL"),
            "{}",
            r.message
        );
    }

    #[test]
    fn skips_a_selected_workgroup_without_identity_center() {
        // A regular workgroup writes no results through S3 Access Grants: WG001
        // warns about it, and AG003 has nothing to check.
        let mut f = healthy();
        f.target.workgroup = Some("primary".into());
        let r = results("AG003", &f);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].status, Status::Skip);
        assert!(
            r[0].message.contains("nothing to check"),
            "{}",
            r[0].message
        );
        assert!(run(&Ctx::new(&f)).is_empty());
    }

    fn bucket(f: &mut Facts) -> &mut Fact<Option<Bucket>> {
        f.buckets.get_mut("athena-results-111122223333").unwrap()
    }

    #[test]
    fn fails_when_the_results_bucket_is_in_another_region() {
        let mut f = healthy();
        *bucket(&mut f) = Fact::Known(Some(Bucket {
            region: "us-east-1".into(),
        }));
        let r = only("AG003", &f);
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(
            r.message.contains("is in us-east-1")
                && r.message.contains("own region (ap-northeast-1)"),
            "{}",
            r.message
        );
        let cmds = r.remediation.unwrap().commands;
        assert_eq!(
            cmds[0],
            "aws s3api create-bucket --region ap-northeast-1 --bucket '<RESULTS_BUCKET>' --create-bucket-configuration LocationConstraint=ap-northeast-1"
        );
        assert!(
            cmds[1].contains(r#""OutputLocation":"s3://<RESULTS_BUCKET>/idc-wg/""#),
            "{}",
            cmds[1]
        );
        // Applying the fix: a results bucket in this region passes.
        idc_wg(&mut f).output_location = Some("s3://results-here/idc-wg/".into());
        f.buckets.insert(
            "results-here".into(),
            Fact::Known(Some(Bucket {
                region: "ap-northeast-1".into(),
            })),
        );
        assert_eq!(only("AG003", &f).status, Status::Pass);
    }

    #[test]
    fn a_bucket_owned_elsewhere_or_unread_never_passes() {
        // GetBucketLocation with ExpectedBucketOwner = this account: 403 for a
        // bucket of another account.
        let mut f = healthy();
        *bucket(&mut f) = Fact::Unknown(denied("s3:GetBucketLocation"));
        let r = only("AG003", &f);
        assert_eq!(r.status, Status::Error, "{r:#?}");
        assert!(
            r.message.contains("another account owns the bucket"),
            "{}",
            r.message
        );
        // Not collected (an older facts file): an error too.
        let mut f = healthy();
        f.buckets.clear();
        assert_eq!(only("AG003", &f).status, Status::Error);
        // No such bucket.
        let mut f = healthy();
        *bucket(&mut f) = Fact::Known(None);
        let r = only("AG003", &f);
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(r.message.contains("does not exist"), "{}", r.message);
        // The fix creates the bucket the workgroup already names, nothing else.
        let fix = r.remediation.unwrap();
        assert_eq!(
            fix.commands,
            [
                "aws s3api create-bucket --region ap-northeast-1 --bucket athena-results-111122223333 --create-bucket-configuration LocationConstraint=ap-northeast-1"
            ]
        );
        assert_eq!(fix.applicability.kind, crate::fix::Kind::Ready);
        *bucket(&mut f) = Fact::Known(Some(Bucket {
            region: "ap-northeast-1".into(),
        }));
        assert_eq!(only("AG003", &f).status, Status::Pass);
    }

    #[test]
    fn fails_when_the_workgroup_expects_another_owner() {
        let mut f = healthy();
        idc_wg(&mut f).expected_bucket_owner = Some("444455556666".into());
        let r = only("AG003", &f);
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(r.message.contains("444455556666"), "{}", r.message);
        let cmd = &r.remediation.unwrap().commands[0];
        assert!(
            cmd.contains(r#""ExpectedBucketOwner":"111122223333""#),
            "{cmd}"
        );
        idc_wg(&mut f).expected_bucket_owner = Some("111122223333".into());
        assert_eq!(only("AG003", &f).status, Status::Pass);
    }

    #[test]
    fn managed_results_pass_with_nothing_to_cover() {
        let mut f = healthy();
        let w = idc_wg(&mut f);
        w.managed_query_results = Some(true);
        w.output_location = None;
        let r = only("AG003", &f);
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert!(
            r.message.contains("Athena-managed storage"),
            "{}",
            r.message
        );
        for id in ["AG004", "AG005", "AG006", "WG010"] {
            let r = only(id, &f);
            assert_eq!(r.status, Status::Pass, "{id}: {r:#?}");
        }
    }

    #[test]
    fn skips_when_there_is_no_instance() {
        let mut f = healthy();
        f.access_grants.instance = Fact::Known(None);
        skipped("AG003", &f, "AG001");
    }

    #[test]
    fn errors_when_locations_are_unknown() {
        let mut f = healthy();
        f.access_grants.locations = Fact::Unknown(denied("s3:ListAccessGrantsLocations"));
        let r = only("AG003", &f);
        assert_eq!(r.status, Status::Error);
        assert!(
            r.message.contains("s3:ListAccessGrantsLocations"),
            "{}",
            r.message
        );
    }

    #[test]
    fn errors_when_workgroups_are_unknown() {
        let mut f = healthy();
        f.workgroups = Fact::Unknown(Unknown::not_collected());
        let out = run(&Ctx::new(&f));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].verdict, Verdict::Error);
    }
}
