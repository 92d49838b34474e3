//! Data: the AWS Regions where Athena supports trusted identity propagation
//! (IAM Identity Center enabled workgroups). Kept apart from the code because it
//! changes: update the list, the date and nothing else.
//!
//! Source: the "Considerations and limitations" section of the Athena page below,
//! as transcribed there (23 Regions).
//! Copied on the date in [`READ_ON`]; re-read the page when AWS opens new Regions.

/// Where the list comes from.
pub const SOURCE_URL: &str =
    "https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html";

/// When the list was copied from the source.
pub const READ_ON: &str = "2026-11-28";

/// Region codes, in the order the page lists them.
pub const ATHENA_TIP_REGIONS: &[&str] = &[
    "us-east-2",
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ap-east-1",
    "ap-southeast-3",
    "ap-south-1",
    "ap-northeast-3",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ca-central-1",
    "eu-central-1",
    "eu-central-2",
    "eu-west-1",
    "eu-west-2",
    "eu-south-1",
    "eu-west-3",
    "eu-north-1",
    "me-south-1",
    "sa-east-1",
];

/// Whether Athena supports trusted identity propagation in `region`.
pub fn athena_supports(region: &str) -> bool {
    ATHENA_TIP_REGIONS.contains(&region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_the_documented_one() {
        assert_eq!(ATHENA_TIP_REGIONS.len(), 23);
        let mut sorted = ATHENA_TIP_REGIONS.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 23, "no duplicates");
        assert!(athena_supports("ap-northeast-1"));
        assert!(!athena_supports("ap-southeast-5"));
        assert!(!athena_supports(""));
    }
}
