//! # WG009 workgroup-region-supported
//!
//! **What it checks.** The target region is one where Athena supports trusted
//! identity propagation (IAM Identity Center enabled workgroups). The list of
//! regions is data, kept in `checks/src/tip_regions.rs` with the documentation
//! URL it comes from and the date it was copied; the message quotes both. Nothing
//! is read from AWS.
//!
//! **Why it matters.** Outside these regions an Identity Center enabled workgroup
//! cannot be used for trusted identity propagation, so no amount of configuration
//! of the Studio, Lake Formation or S3 Access Grants makes the path work there.
//!
//! **How to fix.** Build the setup in a supported region: the Identity Center
//! instance (enable it there, or replicate a multi-Region instance to it, see
//! IC002), the EMR Studio, the Athena workgroup, the Lake Formation configuration
//! and the S3 Access Grants instance. The report suggests supported regions close
//! to the target region (same area first) and fills in `aws sso-admin
//! list-instances` for the first one. The fix has no automatic action: moving
//! the setup to another region is a decision for a person, and nothing done in
//! the target region makes this check pass. If the
//! list looks out of date, check the Athena page and update
//! `checks/src/tip_regions.rs`.
//!
//! **Evidence.** Documented (Athena, "Use IAM Identity Center enabled Athena
//! workgroups", Considerations and limitations: the supported Regions).
//!
//! **References.**
//! - https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/trustedidentitypropagation-overall-prerequisites.html

use crate::check::{Area, Meta, Outcome, Remediation, Severity};
use crate::ctx::Ctx;
use crate::tip_regions::{ATHENA_TIP_REGIONS, READ_ON, SOURCE_URL, athena_supports};

pub const META: Meta = Meta {
    id: "WG009",
    name: "workgroup-region-supported",
    area: Area::AthenaWorkgroup,
    severity: Severity::Error,
    title: "Athena supports trusted identity propagation in the region",
    depends_on: &[],
    hop: crate::check::Hop::Workgroup,
    entitlement: false,
    fixes: &[],
    needs: &[],
    docs: &[
        "https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html",
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/trustedidentitypropagation-overall-prerequisites.html",
    ],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    let region = ctx.region();
    let res = format!("region {region}");
    let source = format!(
        "the {} regions listed at {SOURCE_URL} (copied {READ_ON})",
        ATHENA_TIP_REGIONS.len()
    );
    if athena_supports(region) {
        return vec![Outcome::pass(
            &res,
            format!(
                "Athena supports trusted identity propagation in {region}: it is among {source}"
            ),
        )];
    }
    let near = suggest(region);
    let to = near[0];
    vec![
        Outcome::fail(
            &res,
            format!(
                "Athena does not support trusted identity propagation in {region}: it is not among {source}; supported regions nearby: {}",
                near.join(", ")
            ),
        )
        .fix(Remediation::new(
            format!(
                "Build the Identity Center setup in a supported region such as {to}: an Identity Center instance visible there (enable it, or replicate a multi-Region instance, IC002; `aws sso-admin list-instances --region {to}` lists the instances there), then the EMR Studio, the Athena workgroup (as WG001's fix creates it, with --region {to}), Lake Formation and S3 Access Grants in {to}, and run studio-doctor again with --region {to}. Moving the setup to another region is a decision to take, not an action studio-doctor can take here"
            ),
            Vec::new(),
            META.docs,
        )),
    ]
}

/// Up to three supported regions close to `region`, sorted: same area
/// (`ap-southeast`), else same continent code (`ap`), else the US.
fn suggest(region: &str) -> Vec<&'static str> {
    let area = region.rsplit_once('-').map_or(region, |(a, _)| a);
    let continent = region.split('-').next().unwrap_or(region);
    let pick = |f: &dyn Fn(&str) -> bool| -> Vec<&'static str> {
        let mut v: Vec<&'static str> = ATHENA_TIP_REGIONS
            .iter()
            .copied()
            .filter(|r| f(r))
            .collect();
        v.sort_unstable();
        v.truncate(3);
        v
    };
    let mut v = pick(&|r| r.rsplit_once('-').is_some_and(|(a, _)| a == area));
    if v.is_empty() {
        v = pick(&|r| r.split('-').next() == Some(continent));
    }
    if v.is_empty() {
        v = vec!["us-east-1", "us-west-2", "eu-west-1"];
    }
    v
}

#[cfg(test)]
mod tests {
    use super::{run, suggest};
    use crate::check::{Status, Verdict};
    use crate::ctx::Ctx;
    use crate::testkit::{healthy, only};

    #[test]
    fn passes_in_a_supported_region() {
        let r = only("WG009", &healthy());
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(r.message.contains("workgroups-identity-center.html"));
        assert!(r.message.contains(crate::tip_regions::READ_ON));
    }

    #[test]
    fn fails_in_an_unsupported_region_and_suggests_nearby_ones() {
        let mut f = healthy();
        f.target.region = "ap-southeast-5".into();
        let r = only("WG009", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.message
                .contains("nearby: ap-southeast-1, ap-southeast-2, ap-southeast-3"),
            "{}",
            r.message
        );
        let fix = r.remediation.unwrap();
        assert!(
            fix.summary
                .contains("`aws sso-admin list-instances --region ap-southeast-1`")
        );
        // Moving regions is a person's decision: no action.
        assert!(fix.commands.is_empty() && fix.actions.is_empty());
        assert_eq!(fix.applicability.kind, crate::fix::Kind::Manual);
        assert!(!fix.docs.is_empty());
    }

    #[test]
    fn suggestions_fall_back_to_the_continent_then_the_us() {
        assert_eq!(
            suggest("mx-central-1"),
            vec!["us-east-1", "us-west-2", "eu-west-1"]
        );
        assert_eq!(suggest("me-central-1"), vec!["me-south-1"]);
        assert_eq!(suggest("ca-west-1"), vec!["ca-central-1"]);
        assert_eq!(suggest("eu-south-2"), vec!["eu-south-1"]);
        assert_eq!(
            suggest("il-central-1"),
            vec!["us-east-1", "us-west-2", "eu-west-1"]
        );
    }

    #[test]
    fn has_no_prerequisite_and_reads_no_fact() {
        // Nothing can be unknown: even facts with nothing collected give a verdict.
        let mut f = healthy();
        f.workgroups = crate::fact::Fact::Unknown(crate::fact::Unknown::not_collected());
        f.target.region = "ap-southeast-5".into();
        let out = run(&Ctx::new(&f));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].verdict, Verdict::Fail);
        assert!(super::META.depends_on.is_empty() && super::META.needs.is_empty());
    }
}
