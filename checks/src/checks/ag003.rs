//! # AG003 access-grants-location-covers-results
//!
//! **What it checks.** Each target workgroup (every Identity-Center-enabled one,
//! or `--workgroup`) has a query result location
//! (`ResultConfiguration.OutputLocation`), and a registered S3 Access Grants
//! location covers it (`ListAccessGrantsLocations` → `LocationScope`: `s3://`
//! covers every bucket, `s3://bucket` one bucket, `s3://bucket/prefix` that prefix
//! at a `/` boundary). The pass names the most specific covering location and
//! its IAM role.
//!
//! **Why it matters.** Identity Center users write query results through S3
//! Access Grants. A grant can only be made inside a registered location, and S3
//! Access Grants reaches the bucket by assuming the location's IAM role. Without a
//! location over the results prefix, no grant can exist and every query fails
//! while writing its results.
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
//! **Permissions needed.** `athena:ListWorkGroups`, `athena:GetWorkGroup`,
//! `s3:ListAccessGrantsLocations`.
//!
//! **Evidence.** Documented (S3 access-grants-location-register and
//! CreateAccessGrantsLocation: location scopes and the location role; Athena
//! workgroups-identity-center: results go through S3 Access Grants) and observed in practice
//! (queries fail writing their results until a location covers them).
//!
//! **References.**
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-location-register.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_CreateAccessGrantsLocation.html
//! - https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/tip-tutorial-s3.html

use crate::check::{Area, Meta, Need, Outcome, Severity, remedy};
use crate::checks::common::{self, create_default_location_command};
use crate::checks::wg004::output_fix;
use crate::ctx::{Ctx, workgroup_label};
use crate::facts::WorkGroup;
use crate::s3;

pub const META: Meta = Meta {
    id: "AG003",
    name: "access-grants-location-covers-results",
    area: Area::S3AccessGrants,
    severity: Severity::Error,
    title: "An S3 Access Grants location covers the workgroup's query result location",
    depends_on: &["AG001", "WG001"],
    needs: &[
        Need::Caller,
        Need::Workgroups,
        Need::AccessGrantsInstance,
        Need::AccessGrantsLocations,
    ],
    docs: &[
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-location-register.html",
        "https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html",
    ],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    common::each_workgroup(ctx, |w| vec![check(ctx, w)])
}

fn check(ctx: &Ctx, w: &WorkGroup) -> Outcome {
    let label = workgroup_label(w);
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

/// The workgroup's query result location as an `s3://bucket/...` URL, or why not.
pub fn results_location(w: &WorkGroup) -> Result<&str, String> {
    match w.output_location.as_deref().filter(|o| !o.is_empty()) {
        None => Err("has no query result location (ResultConfiguration.OutputLocation)".into()),
        Some(o) if s3::parse(o).is_some_and(|u| !u.bucket.is_empty()) => Ok(o),
        Some(o) => Err(format!(
            "has a query result location that is not an s3://bucket/prefix URL ({o})"
        )),
    }
}

fn location_fix(ctx: &Ctx) -> crate::Remediation {
    remedy(
        "Register the default location s3:// with an IAM role that trusts access-grants.s3.amazonaws.com for sts:AssumeRole and sts:SetContext and can read and write the results bucket",
        vec![create_default_location_command(ctx)],
        META.docs,
    )
}

#[cfg(test)]
mod tests {
    use super::run;
    use crate::check::{Status, Verdict};
    use crate::ctx::Ctx;
    use crate::fact::{Fact, Unknown};
    use crate::facts::{AccessGrantsLocation, Facts};
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
