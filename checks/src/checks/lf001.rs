//! # LF001 lakeformation-identity-center
//!
//! **What it checks.** Lake Formation in the target region has an IAM Identity
//! Center configuration
//! (`lakeformation:DescribeLakeFormationIdentityCenterConfiguration` answers
//! rather than `EntityNotFoundException`), and it uses the region's Identity
//! Center instance (its `InstanceArn` is one that `sso:ListInstances` lists).
//!
//! **Why it matters.** Athena workgroups with IAM Identity Center "require Lake
//! Formation to be configured to use IAM Identity Center identities". Without the
//! configuration, Lake Formation cannot take grants to Identity Center users and
//! groups (`arn:aws:identitystore:::user/...`) nor evaluate them, so the signed-in
//! user's query cannot read any table. On another instance, the user and group ids
//! in the queries are not the ones Lake Formation knows.
//!
//! **How to fix.** Console: Lake Formation → Administration → **IAM Identity
//! Center integration** → Create → choose the instance → Submit.
//! CLI (the report fills in the account and the instance):
//! `aws lakeformation create-lake-formation-identity-center-configuration
//! --region <REGION> --catalog-id <ACCOUNT_ID> --instance-arn
//! arn:aws:sso:::instance/ssoins-...`. The instance cannot be changed in place
//! (`UpdateLakeFormationIdentityCenterConfiguration` has no `InstanceArn`): delete
//! the configuration (`delete-lake-formation-identity-center-configuration`) and
//! create it again, then grant the users and groups of the right instance again.
//! The integration must exist before any grant to Identity Center principals.
//!
//! **Evidence.** Documented (Athena workgroups-identity-center: IdC workgroups require
//! Lake Formation configured with Identity Center; Lake Formation
//! connect-lf-identity-center and prerequisites-identity-center) and the API model
//! (`EntityNotFoundException`; no `InstanceArn` in the Update call). Inferred: that
//! the instance must be the region's (the one the workgroup and Studio use).
//!
//! **References.**
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/connect-lf-identity-center.html
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/identity-center-integration.html
//! - https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html
//! - https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_DescribeLakeFormationIdentityCenterConfiguration.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::Ctx;
use crate::fix::{Action, Kind};
use crate::idc::region_idc_instance;

pub const META: Meta = Meta {
    id: "LF001",
    name: "lakeformation-identity-center",
    area: Area::LakeFormation,
    severity: Severity::Error,
    title: "Lake Formation is integrated with the Identity Center instance",
    // IC001: without an instance in the region there is nothing to compare with.
    depends_on: &["IC001"],
    hop: crate::check::Hop::Read,
    entitlement: false,
    fixes: &[
        (
            "lakeformation:CreateLakeFormationIdentityCenterConfiguration",
            Kind::Ready,
        ),
        (
            "lakeformation:CreateLakeFormationIdentityCenterConfiguration",
            Kind::NeedsInput,
        ),
        (
            "lakeformation:DeleteLakeFormationIdentityCenterConfiguration",
            Kind::Recreates,
        ),
        (
            "lakeformation:CreateLakeFormationIdentityCenterConfiguration",
            Kind::Recreates,
        ),
    ],
    needs: &[Need::Caller, Need::IdcInstances, Need::LfIdentityCenter],
    docs: &[
        "https://docs.aws.amazon.com/lake-formation/latest/dg/connect-lf-identity-center.html",
        "https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html",
        "https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_DescribeLakeFormationIdentityCenterConfiguration.html",
    ],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    let resource = format!("Lake Formation in {}", ctx.region());
    let config = match ctx.facts.lake_formation.identity_center.known() {
        Ok(c) => c,
        Err(u) => {
            return vec![Outcome::unknown(
                resource,
                "the Lake Formation Identity Center configuration",
                u,
            )];
        }
    };
    let instances = match ctx.facts.identity_center_instances.known() {
        Ok(l) => l,
        Err(u) => {
            return vec![Outcome::unknown(
                resource,
                "the IAM Identity Center instances",
                u,
            )];
        }
    };
    let region_instance = region_idc_instance(ctx);
    let wanted = region_instance.unwrap_or("<IDENTITY_CENTER_INSTANCE_ARN>");
    let create = Action::CreateLakeFormationIdentityCenterConfiguration {
        region: ctx.region().to_string(),
        catalog_id: ctx.account().to_string(),
        instance_arn: wanted.to_string(),
    };
    let Some(config) = config else {
        return vec![
            Outcome::fail(
                &resource,
                format!(
                    "Lake Formation in {} (catalog {}) has no IAM Identity Center configuration, so it cannot grant tables to Identity Center users or evaluate their queries",
                    ctx.region(),
                    ctx.account()
                ),
            )
            .fix(Remediation::new(
                format!(
                    "Integrate Lake Formation with the IAM Identity Center instance {wanted} (console: Lake Formation → Administration → IAM Identity Center integration → Create), then grant the users and groups (LF002)"
                ),
                vec![create],
                META.docs,
            )),
        ];
    };
    let arn = &config.instance_arn;
    if instances.iter().any(|i| &i.instance_arn == arn) {
        let app = config
            .application_arn
            .as_deref()
            .map(|a| format!(", application {a}"))
            .unwrap_or_default();
        return vec![Outcome::pass(
            &resource,
            format!(
                "Lake Formation in {} is integrated with IAM Identity Center instance {arn}{app}",
                ctx.region()
            ),
        )];
    }
    let listed = match region_instance {
        Some(i) => format!("the region's instance is {i}"),
        None => format!(
            "no IAM Identity Center instance is visible in {} (see IC001)",
            ctx.region()
        ),
    };
    vec![
        Outcome::fail(
            &resource,
            format!(
                "Lake Formation in {} is integrated with IAM Identity Center instance {arn}, but {listed}: the users and groups of the Studio and workgroup are not the ones Lake Formation knows",
                ctx.region()
            ),
        )
        .fix(
            Remediation::new(
                format!(
                    "The instance cannot be changed in place: delete the Lake Formation Identity Center configuration and create it on {wanted}, then grant that instance's users and groups again (grants to the old instance's ids do not carry over)"
                ),
                vec![
                    Action::DeleteLakeFormationIdentityCenterConfiguration {
                        region: ctx.region().to_string(),
                        catalog_id: ctx.account().to_string(),
                    },
                    create,
                ],
                META.docs,
            )
            .recreates(format!(
                "UpdateLakeFormationIdentityCenterConfiguration cannot change the Identity Center instance ({arn}): the configuration is deleted and created again on {wanted}, and Lake Formation grants to the old instance's users and groups no longer apply"
            )),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::run;
    use crate::check::{Status, Verdict};
    use crate::ctx::Ctx;
    use crate::fact::Fact;
    use crate::facts::LfIdentityCenter;
    use crate::testkit::{denied, healthy, only, results, skipped};

    const I: &str = "arn:aws:sso:::instance/ssoins-7758a1b2c3d4e5f6";

    #[test]
    fn passes_on_the_regions_instance() {
        let r = only("LF001", &healthy());
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(r.message.contains(I), "{}", r.message);
        assert!(r.message.contains("apl-7a8b9c0d1e2f3a4b"), "{}", r.message);
    }

    #[test]
    fn fails_without_a_configuration() {
        let mut f = healthy();
        f.lake_formation.identity_center = Fact::Known(None);
        let r = only("LF001", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("no IAM Identity Center configuration"));
        assert!(r.message.contains("111122223333") && r.message.contains("ap-northeast-1"));
        assert_eq!(
            r.remediation.unwrap().commands,
            vec![format!(
                "aws lakeformation create-lake-formation-identity-center-configuration --region ap-northeast-1 --catalog-id 111122223333 --instance-arn {I}"
            )]
        );
    }

    #[test]
    fn fails_on_another_instance() {
        let mut f = healthy();
        f.lake_formation.identity_center = Fact::Known(Some(LfIdentityCenter {
            instance_arn: "arn:aws:sso:::instance/ssoins-0000000000000000".into(),
            application_arn: None,
        }));
        let r = only("LF001", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("ssoins-0000000000000000") && r.message.contains(I));
        let fix = r.remediation.unwrap();
        // The instance cannot be changed in place: delete, then create.
        assert_eq!(fix.applicability.kind, crate::fix::Kind::Recreates);
        assert!(
            fix.applicability
                .reason
                .unwrap()
                .contains("UpdateLakeFormationIdentityCenterConfiguration")
        );
        let c = fix.commands;
        assert_eq!(c.len(), 2);
        assert!(c[0].starts_with(
            "aws lakeformation delete-lake-formation-identity-center-configuration --region ap-northeast-1 --catalog-id 111122223333"
        ));
        assert!(c[1].ends_with(I));
    }

    #[test]
    fn skips_without_an_instance_in_the_region() {
        let mut f = healthy();
        f.identity_center_instances = Fact::Known(vec![]);
        skipped("LF001", &f, "IC001");
        // Judged alone, it still names the cause.
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Fail);
        assert!(out[0].message.contains("IC001"));
    }

    #[test]
    fn errors_when_the_configuration_is_unreadable() {
        let mut f = healthy();
        f.lake_formation.identity_center = Fact::Unknown(denied(
            "lakeformation:DescribeLakeFormationIdentityCenterConfiguration",
        ));
        let r = only("LF001", &f);
        assert_eq!(r.status, Status::Error);
        assert!(
            r.message
                .contains("DescribeLakeFormationIdentityCenterConfiguration")
        );
    }

    #[test]
    fn dependants_skip_when_it_fails() {
        let mut f = healthy();
        f.lake_formation.identity_center = Fact::Known(None);
        for id in ["LF002", "LF003"] {
            let r = results(id, &f);
            assert!(r.iter().all(|x| x.status == Status::Skip), "{id}: {r:#?}");
            assert!(r[0].message.contains("LF001"), "{}", r[0].message);
        }
    }
}
