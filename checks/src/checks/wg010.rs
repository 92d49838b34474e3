//! # WG010 workgroup-results-encryption
//!
//! **What it checks.** For each target workgroup whose query results are encrypted
//! with a KMS key (`ResultConfiguration.EncryptionConfiguration.EncryptionOption`
//! = `SSE_KMS` or `CSE_KMS`), an S3 Access Grant gives the workgroup's execution
//! role itself (`GranteeType` `IAM`, `GranteeIdentifier` = the execution role's
//! ARN) READWRITE on the query result location (`GrantScope` covering every
//! object under `OutputLocation`: a sub-prefix covers the keys under it only
//! with a trailing `*`, as documented for `AccessGrantsLocationConfiguration`;
//! see AG005). `SSE_S3` (the console default) or no
//! encryption option passes: no such grant is needed. So does a workgroup with
//! Athena-managed results (no S3 results location; WG006 warns about it).
//!
//! **Why it matters.** The Athena console says it when the workgroup is created:
//! "To use SSE-KMS and CSE-KMS with query result location, provide grants to the
//! Service role for IAM Identity Center from Amazon S3 Access Grants". Grants to
//! Identity Center users (AG005) are not enough then: queries fail writing or
//! reading their encrypted results.
//!
//! **How to fix.** Console: Amazon S3 → Access Grants → the region's instance →
//! **Create grant** → the location, sub-prefix `<bucket>/<prefix>/*` (for the
//! `s3://` location), permission **Read and write**, grantee type **IAM
//! principal**, the execution role's ARN. CLI (the report fills in the covering
//! location, the sub-prefix and the role): `aws s3control create-access-grant
//! --region <REGION> --account-id <ACCOUNT_ID> --access-grants-location-id default
//! --access-grants-location-configuration 'S3SubPrefix=<BUCKET>/<PREFIX>/*'
//! --grantee GranteeType=IAM,GranteeIdentifier=<EXECUTION_ROLE_ARN> --permission
//! READWRITE`. Also let the execution role and the S3 Access Grants location role
//! use the key (`kms:Decrypt`, `kms:GenerateDataKey`), and trust
//! `sts:SetSourceIdentity` on the location role for IAM grantees (AG004); neither
//! is checked here. Or switch the workgroup to `SSE_S3`.
//!
//! **Evidence.** Documented: workgroups-identity-center, workgroup creation
//! ("provide grants to the Service role for IAM Identity Center from Amazon S3
//! Access Grants"); Quick Suite's Athena trusted identity propagation page (both
//! roles need KMS permissions); S3 `AccessGrantsLocationConfiguration` (the
//! trailing `*` of a grant scope). Inferred: the permission READWRITE (the doc
//! does not say which; Athena writes the results and reads them back). A
//! warning.
//!
//! **References.**
//! - https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html
//! - https://docs.aws.amazon.com/athena/latest/APIReference/API_EncryptionConfiguration.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-grant-create.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_AccessGrantsLocationConfiguration.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::{Ctx, workgroup_label};
use crate::each::each_workgroup;
use crate::facts::{AccessGrant, WorkGroup, role_name};
use crate::fix::Kind;
use crate::fixes::{create_grant, output_fix};
use crate::grants::{managed_pass, managed_results, results_location};
use crate::modes::{EncryptionOption, GrantPermission, GranteeType};
use crate::policy::arn_account;
use crate::roles::execution_role_arn;
use crate::s3;

pub const META: Meta = Meta {
    id: "WG010",
    name: "workgroup-results-encryption",
    area: Area::AthenaWorkgroup,
    severity: Severity::Warning,
    title: "KMS-encrypted results have an S3 Access Grant for the execution role",
    depends_on: &["WG006"],
    hop: crate::check::Hop::Write,
    entitlement: false,
    fixes: &[
        ("s3control:CreateAccessGrant", Kind::Ready),
        ("s3control:CreateAccessGrant", Kind::NeedsInput),
        ("athena:UpdateWorkGroup", Kind::NeedsInput),
    ],
    needs: &[
        Need::Caller,
        Need::Workgroups,
        Need::AccessGrants,
        Need::AccessGrantsLocations,
    ],
    docs: &[
        "https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-grant-create.html",
    ],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_workgroup(ctx, |w| vec![one(ctx, w)])
}

fn one(ctx: &Ctx, w: &WorkGroup) -> Outcome {
    let label = workgroup_label(w);
    if managed_results(w) {
        return managed_pass(w);
    }
    let enc = match &w.encryption_option {
        Some(e @ (EncryptionOption::SseKms | EncryptionOption::CseKms)) => e.as_str(),
        Some(e) => {
            return Outcome::pass(
                &label,
                format!(
                    "{label} encrypts query results with {e}: no S3 Access Grant for the execution role is needed"
                ),
            );
        }
        None => {
            return Outcome::pass(
                &label,
                format!(
                    "{label} sets no KMS encryption for query results: no S3 Access Grant for the execution role is needed"
                ),
            );
        }
    };
    let dir = match results_location(w) {
        Ok(o) => s3::as_dir(o),
        Err(why) => {
            return Outcome::fail(&label, format!("{label} {why} (see WG006)"))
                .fix(output_fix(ctx, w, META.docs));
        }
    };
    let Some(role) = execution_role_arn(ctx, w) else {
        return Outcome::fail(
            &label,
            format!("{label} encrypts query results with {enc} but has no execution role to grant them to (see WG004)"),
        )
        .fix(grant_fix(ctx, &dir, "<EXECUTION_ROLE_ARN>", enc));
    };
    let grants = match ctx.facts.access_grants.grants.known() {
        Ok(g) => g,
        Err(u) => return Outcome::unknown(&label, "the S3 Access Grants grants", u),
    };
    let locations = ctx
        .facts
        .access_grants
        .locations
        .known()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mine: Vec<&AccessGrant> = grants
        .iter()
        .filter(|g| g.grantee_type == GranteeType::Iam && same_role(&g.grantee_identifier, &role))
        .collect();
    if let Some(g) = mine
        .iter()
        .find(|g| g.permission == GrantPermission::ReadWrite && s3::covers(g, locations, &dir))
    {
        return Outcome::pass(
            &label,
            format!(
                "{label} encrypts query results with {enc}, and grant {} gives its execution role {role} READWRITE on {}",
                g.access_grant_id, g.grant_scope
            ),
        );
    }
    let mut msg = format!(
        "{label} encrypts query results with {enc}, but no S3 Access Grant gives its execution role {role} (GranteeType IAM) READWRITE on {dir}; Athena needs one to write and read KMS-encrypted results for Identity Center users"
    );
    if !mine.is_empty() {
        let have: Vec<String> = mine
            .iter()
            .map(|g| {
                format!(
                    "grant {} ({} on {})",
                    g.access_grant_id, g.permission, g.grant_scope
                )
            })
            .collect();
        msg.push_str(&format!("; the role has {}", have.join(", ")));
    }
    Outcome::fail(&label, msg).fix(grant_fix(ctx, &dir, &role, enc))
}

/// The same IAM role: equal ARNs, or the same account and role name (IAM role
/// names are unique in an account, whatever their path).
fn same_role(a: &str, b: &str) -> bool {
    a == b
        || (a.contains(":role/")
            && b.contains(":role/")
            && arn_account(a) == arn_account(b)
            && role_name(a) == role_name(b))
}

/// `create-access-grant` for the execution role on `dir`.
fn grant_fix(ctx: &Ctx, dir: &str, role: &str, enc: &str) -> Remediation {
    Remediation::new(
        format!(
            "Grant the execution role READWRITE on the results location (console: Amazon S3 → Access Grants → Create grant → grantee type IAM principal), and let the execution role and the S3 Access Grants location role use the {enc} key (kms:Decrypt, kms:GenerateDataKey; not checked). Or switch the workgroup to SSE_S3"
        ),
        vec![create_grant(ctx, dir, "IAM", role)],
        META.docs,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Status, Verdict};
    use crate::fact::{Fact, Unknown};
    use crate::facts::Facts;
    use crate::testkit::{denied, healthy, idc_wg, only, results};

    const ROLE: &str = "arn:aws:iam::111122223333:role/service-role/AWSAthenaSQLRole-idc-wg";

    fn kms(f: &mut Facts) {
        idc_wg(f).encryption_option = Some("SSE_KMS".into());
    }

    fn add_grant(f: &mut Facts, who: &str, permission: &str, scope: &str) {
        match &mut f.access_grants.grants {
            Fact::Known(g) => g.push(AccessGrant {
                access_grant_id: "iam-grant".into(),
                grantee_type: "IAM".into(),
                grantee_identifier: who.into(),
                permission: permission.into(),
                access_grants_location_id: "default".into(),
                grant_scope: scope.into(),
                application_arn: None,
            }),
            Fact::Unknown(_) => unreachable!(),
        }
    }

    #[test]
    fn passes_on_healthy_sse_s3() {
        let r = only("WG010", &healthy());
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert!(r.message.contains("SSE_S3"), "{}", r.message);
        let mut f = healthy();
        idc_wg(&mut f).encryption_option = None;
        assert_eq!(only("WG010", &f).status, Status::Pass);
    }

    #[test]
    fn warns_on_kms_without_an_iam_grant() {
        let mut f = healthy();
        kms(&mut f);
        let r = only("WG010", &f);
        assert_eq!(r.status, Status::Warn, "{r:#?}");
        assert!(
            r.message.contains("SSE_KMS")
                && r.message.contains(ROLE)
                && r.message
                    .contains("s3://athena-results-111122223333/idc-wg/"),
            "{}",
            r.message
        );
        assert_eq!(
            r.remediation.unwrap().commands,
            vec![format!(
                "aws s3control create-access-grant --region ap-northeast-1 --account-id 111122223333 --access-grants-location-id default --access-grants-location-configuration 'S3SubPrefix=athena-results-111122223333/idc-wg/*' --grantee GranteeType=IAM,GranteeIdentifier={ROLE} --permission READWRITE"
            )]
        );
    }

    #[test]
    fn passes_with_a_readwrite_grant_to_the_role() {
        let mut f = healthy();
        idc_wg(&mut f).encryption_option = Some("CSE_KMS".into());
        add_grant(
            &mut f,
            ROLE,
            "READWRITE",
            "s3://athena-results-111122223333/idc-wg/*",
        );
        let r = only("WG010", &f);
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert!(r.message.contains("iam-grant"));
        // A role ARN without its path names the same role.
        let mut f = healthy();
        kms(&mut f);
        add_grant(
            &mut f,
            "arn:aws:iam::111122223333:role/AWSAthenaSQLRole-idc-wg",
            "READWRITE",
            "s3://athena-results-111122223333/*",
        );
        assert_eq!(only("WG010", &f).status, Status::Pass);
    }

    #[test]
    fn a_read_only_or_misplaced_grant_is_not_enough() {
        let mut f = healthy();
        kms(&mut f);
        add_grant(
            &mut f,
            ROLE,
            "READ",
            "s3://athena-results-111122223333/idc-wg/*",
        );
        let r = only("WG010", &f);
        assert_eq!(r.status, Status::Warn);
        assert!(
            r.message.contains("the role has grant iam-grant (READ on"),
            "{}",
            r.message
        );
        let mut f = healthy();
        kms(&mut f);
        add_grant(
            &mut f,
            ROLE,
            "READWRITE",
            "s3://athena-results-111122223333/primary/*",
        );
        assert_eq!(only("WG010", &f).status, Status::Warn);
        // A DIRECTORY grant to users does not count.
        let mut f = healthy();
        kms(&mut f);
        add_grant(
            &mut f,
            "arn:aws:iam::111122223333:role/Other",
            "READWRITE",
            "s3://*",
        );
        assert_eq!(only("WG010", &f).status, Status::Warn);
    }

    #[test]
    fn a_sub_prefix_without_star_covers_one_key_only() {
        // Documented: without a trailing `*` the sub-prefix is not a prefix match.
        let mut f = healthy();
        kms(&mut f);
        add_grant(
            &mut f,
            ROLE,
            "READWRITE",
            "s3://athena-results-111122223333/idc-wg/",
        );
        assert_eq!(only("WG010", &f).status, Status::Warn);
        // The printed fix (the same prefix with `*`) passes.
        let mut f = healthy();
        kms(&mut f);
        add_grant(
            &mut f,
            ROLE,
            "READWRITE",
            "s3://athena-results-111122223333/idc-wg/*",
        );
        assert_eq!(only("WG010", &f).status, Status::Pass);
    }

    #[test]
    fn skips_when_wg006_fails() {
        let mut f = healthy();
        kms(&mut f);
        idc_wg(&mut f).s3_access_grants = None;
        let r = results("WG010", &f);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].status, Status::Skip, "{r:#?}");
        assert!(r[0].message.contains("WG006"), "{}", r[0].message);
    }

    #[test]
    fn unknown_grants_are_an_error() {
        let mut f = healthy();
        kms(&mut f);
        f.access_grants.grants = Fact::Unknown(denied("s3:ListAccessGrants"));
        let r = only("WG010", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("s3:ListAccessGrants"), "{}", r.message);
        // Without KMS the grants are not needed, so not read.
        f.access_grants.grants = Fact::Unknown(Unknown::not_collected());
        idc_wg(&mut f).encryption_option = Some("SSE_S3".into());
        assert_eq!(run(&Ctx::new(&f))[0].verdict, Verdict::Pass);
        f.workgroups = Fact::Unknown(Unknown::not_collected());
        assert_eq!(run(&Ctx::new(&f))[0].verdict, Verdict::Error);
    }
}
