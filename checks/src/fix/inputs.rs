//! Values a person must supply: `<NAME>` placeholders in an action's fields, and
//! what each one means (the plan script asks for them by that description).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One value a fix needs from a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Input {
    /// The placeholder's name: `VPC_ID` stands for `<VPC_ID>`.
    pub name: String,
    /// What to put there.
    pub what: String,
}

/// A placeholder name: upper case, digits and `_`.
pub fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The `<NAME>` placeholders in `s`, in order (repeats kept).
pub fn placeholders(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if let Some((name, _)) = rest.split_once('>')
            && is_name(name)
        {
            out.push(name.to_string());
        }
    }
    out
}

/// The `<NAME>` placeholders in `a`'s fields, in order (repeats kept).
pub fn of_action(a: &super::Action) -> Vec<String> {
    placeholders(&serde_json::to_string(a).unwrap_or_default())
}

/// The values `actions` need, each once, in order, with what to put there.
pub fn of_actions<'a>(actions: impl IntoIterator<Item = &'a super::Action>) -> Vec<Input> {
    let mut out: Vec<Input> = Vec::new();
    for name in actions.into_iter().flat_map(of_action) {
        if !out.iter().any(|i| i.name == name) {
            out.push(Input {
                what: describe(&name).unwrap_or_default().to_string(),
                name,
            });
        }
    }
    out
}

/// What each placeholder a fix can leave means. A fix that uses a name not
/// listed here fails the tests.
pub const KNOWN: &[(&str, &str)] = &[
    ("VPC_ID", "the VPC the new Studio runs in"),
    ("SUBNET_ID_1", "a subnet of that VPC"),
    (
        "SUBNET_ID_2",
        "a second subnet of that VPC, in another Availability Zone",
    ),
    (
        "WORKSPACE_SG_ID",
        "the security group for the Studio's Workspaces",
    ),
    ("ENGINE_SG_ID", "the security group for the Studio's engine"),
    ("STUDIO_NAME", "the name of the new Studio"),
    ("SERVICE_ROLE_NAME", "the Studio's service role"),
    ("USER_ROLE_NAME", "the Studio's user role"),
    ("BUCKET", "an S3 bucket for the Studio's notebooks"),
    ("PREFIX", "a prefix in that bucket"),
    (
        "RESULTS_BUCKET",
        "the S3 bucket for the workgroup's query results",
    ),
    (
        "IDENTITY_CENTER_INSTANCE_ARN",
        "the ARN of the IAM Identity Center instance",
    ),
    ("WORKGROUP_NAME", "the name of the new Athena workgroup"),
    (
        "S3AG_LOCATION_ROLE",
        "the IAM role S3 Access Grants assumes for the location",
    ),
    (
        "IDC_USER_ID",
        "the Identity Center user's id: `aws identitystore get-user-id --identity-store-id <store id> --alternate-identifier '{\"UniqueAttribute\":{\"AttributePath\":\"userName\",\"AttributeValue\":\"<user name>\"}}'`",
    ),
    (
        "EXECUTION_ROLE_ARN",
        "the ARN of the workgroup's execution role (WG004)",
    ),
    (
        "ACCOUNT_ID",
        "the 12-digit AWS account id: `aws sts get-caller-identity --query Account`",
    ),
    (
        "KMS_KEY_ARN",
        "the ARN of a multi-Region customer managed KMS key, replicated to the target region, whose key policy lets IAM Identity Center use it",
    ),
    (
        "SESSION_POLICY",
        "the name of a customer managed policy, attached to the Studio's user role, to use as the session policy",
    ),
];

/// The description of `name`, if it is a known placeholder.
pub fn describe(name: &str) -> Option<&'static str> {
    KNOWN.iter().find(|(n, _)| *n == name).map(|(_, w)| *w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_upper_case_names_in_angle_brackets() {
        assert_eq!(
            placeholders("s3://<BUCKET>/<PREFIX>/ <x> a<b <VPC_ID>"),
            ["BUCKET", "PREFIX", "VPC_ID"]
        );
        assert!(placeholders("a > b < c").is_empty());
    }
}
