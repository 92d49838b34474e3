//! `organizations:DescribeOrganization` (which organization an account is in)
//! and `organizations:ListAccounts` (the accounts of `--organization`).

use super::ops::DESCRIBE_ORGANIZATION;
use super::run::Run;
use aws_sdk_organizations::error::ProvideErrorMetadata;
use studio_doctor_checks::Fact;
use studio_doctor_checks::facts::Organization;

/// The organization of the account `client` belongs to. `None`: the account is
/// not in one (AWSOrganizationsNotInUseException).
pub async fn describe(
    run: &Run,
    client: &aws_sdk_organizations::Client,
) -> Fact<Option<Organization>> {
    let out = run
        .call_or_missing(
            &DESCRIBE_ORGANIZATION,
            client.describe_organization().send(),
            |e| e.code() == Some("AWSOrganizationsNotInUseException"),
        )
        .await;
    out.map(|o| {
        o.and_then(|o| o.organization).map(|org| Organization {
            id: org.id.unwrap_or_default(),
            management_account_id: org.master_account_id.unwrap_or_default(),
        })
    })
    .into()
}
