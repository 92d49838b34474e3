//! `permissions`: the read-only policy of the audit role (and of the caller in a
//! single-account run), the caller's extra statements for a run over several
//! accounts, and the audit role's trust policy.

use crate::collect::permissions_policy;
use clap::Args;
use serde_json::{Value, json};

/// The audit role's name when `--role-name` is not given.
pub const DEFAULT_ROLE_NAME: &str = "StudioDoctorAudit";

#[derive(Debug, Args)]
pub struct PermissionsArgs {
    /// Print instead the extra statements the identity that runs a run over several
    /// accounts needs: sts:AssumeRole of the audit role, organizations:ListAccounts
    /// and organizations:DescribeOrganization.
    #[arg(long, conflicts_with = "trust_policy")]
    pub caller: bool,
    /// With --caller: the audit role's name in each account [default: StudioDoctorAudit].
    #[arg(
        long,
        value_name = "NAME",
        requires = "caller",
        conflicts_with = "trust_policy"
    )]
    pub role_name: Option<String>,
    /// Print instead the audit role's trust policy, which lets --caller-arn assume it.
    #[arg(long, requires = "caller_arn")]
    pub trust_policy: bool,
    /// With --trust-policy: the principal that runs studio-doctor, as
    /// arn:aws:iam::ACCOUNT:role/NAME, :user/NAME or :root, or a 12-digit account id.
    #[arg(
        long,
        value_name = "ARN|ACCOUNT",
        requires = "trust_policy",
        conflicts_with = "caller"
    )]
    pub caller_arn: Option<String>,
    /// With --trust-policy: the external id the caller must pass to sts:AssumeRole.
    #[arg(
        long,
        value_name = "ID",
        requires = "trust_policy",
        conflicts_with = "caller"
    )]
    pub external_id: Option<String>,
}

/// The policy document the flags ask for, or a one-line input error.
pub fn document(args: &PermissionsArgs) -> Result<Value, String> {
    if args.caller {
        let name = args.role_name.as_deref().unwrap_or(DEFAULT_ROLE_NAME);
        return Ok(caller_policy(&role_name(name)?));
    }
    if let Some(arn) = &args.caller_arn {
        let external_id = args.external_id.as_deref().map(external_id).transpose()?;
        return Ok(trust_policy(&principal_arn(arn)?, external_id));
    }
    Ok(permissions_policy())
}

/// What the caller needs besides the read-only policy (which it needs too for its
/// own account): assume the audit role in every account, list the organization.
pub fn caller_policy(role_name: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "StudioDoctorAssumeAuditRole",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": format!("arn:aws:iam::*:role/{role_name}")
            },
            {
                "Sid": "StudioDoctorListAccounts",
                "Effect": "Allow",
                "Action": ["organizations:ListAccounts", "organizations:ListTagsForResource"],
                "Resource": "*"
            },
            {
                "Sid": "StudioDoctorDescribeOrganization",
                "Effect": "Allow",
                "Action": "organizations:DescribeOrganization",
                "Resource": "*"
            }
        ]
    })
}

/// The audit role's trust policy: `principal` may assume it (with the external id
/// as a condition when one is given).
pub fn trust_policy(principal: &str, external_id: Option<&str>) -> Value {
    let mut statement = json!({
        "Sid": "StudioDoctorCaller",
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "sts:AssumeRole"
    });
    if let Some(id) = external_id {
        statement["Condition"] = json!({"StringEquals": {"sts:ExternalId": id}});
    }
    json!({"Version": "2012-10-17", "Statement": [statement]})
}

/// Whether `value`'s length is in `len` and it holds only ASCII letters, digits
/// and the `extra` characters (the shape of IAM's name patterns).
fn fits(value: &str, len: std::ops::RangeInclusive<usize>, extra: &[u8]) -> bool {
    len.contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
}

/// A 12-digit AWS account id.
pub(crate) fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// `arn:<partition>:iam::<12-digit account>:role/<name>`.
pub(crate) fn is_role_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(&parts[..], ["arn", partition, "iam", "", account, resource]
        if partition.starts_with("aws")
            && is_account(account)
            && resource.strip_prefix("role/").is_some_and(|n| !n.is_empty()))
}

/// `--caller-arn`: an IAM role, user or account root ARN, or an account id
/// (which means that account's root).
fn principal_arn(value: &str) -> Result<String, String> {
    if is_account(value) {
        return Ok(format!("arn:aws:iam::{value}:root"));
    }
    let expected = "--caller-arn: expected arn:aws:iam::<12-digit account>:role/NAME, \
                    :user/NAME or :root, or a 12-digit account id";
    if value.starts_with("arn:aws:sts::") && value.contains(":assumed-role/") {
        return Err(format!(
            "{expected}; `{value}` is a role session: give the role's ARN \
             (aws iam get-role --role-name NAME)"
        ));
    }
    let Some((account, resource)) = value
        .strip_prefix("arn:aws:iam::")
        .and_then(|rest| rest.split_once(':'))
    else {
        return Err(format!("{expected}, got `{value}`"));
    };
    let name_ok = |path: &str| !path.ends_with('/') && fits(path, 1..=512, b"_+=,.@/-");
    let resource_ok = resource == "root"
        || resource
            .strip_prefix("role/")
            .or_else(|| resource.strip_prefix("user/"))
            .is_some_and(name_ok);
    if is_account(account) && resource_ok {
        Ok(value.to_string())
    } else {
        Err(format!("{expected}, got `{value}`"))
    }
}

/// `--role-name`: IAM's role name rule (1-64 of letters, digits and `_+=,.@-`).
fn role_name(value: &str) -> Result<String, String> {
    if fits(value, 1..=64, b"_+=,.@-") {
        Ok(value.to_string())
    } else {
        Err(format!(
            "--role-name: an IAM role name is 1-64 letters, digits and _+=,.@- characters, got `{value}`"
        ))
    }
}

/// `--external-id`: the rule sts:AssumeRole applies (2-1224 of letters, digits
/// and `_+=,.@:/-`).
fn external_id(value: &str) -> Result<&str, String> {
    if fits(value, 2..=1224, b"_+=,.@:/-") {
        Ok(value)
    } else {
        Err(
            "--external-id: sts:AssumeRole accepts 2-1224 letters, digits and _+=,.@:/- characters"
                .to_string(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caller_arns_are_roles_users_roots_or_accounts() {
        for (given, want) in [
            ("111122223333", "arn:aws:iam::111122223333:root"),
            (
                "arn:aws:iam::111122223333:root",
                "arn:aws:iam::111122223333:root",
            ),
            (
                "arn:aws:iam::111122223333:role/ci/StudioDoctorRunner",
                "arn:aws:iam::111122223333:role/ci/StudioDoctorRunner",
            ),
            (
                "arn:aws:iam::111122223333:user/alice",
                "arn:aws:iam::111122223333:user/alice",
            ),
        ] {
            assert_eq!(principal_arn(given).as_deref(), Ok(want));
        }
        for bad in [
            "",
            "11112222333",
            "1111222233334",
            "arn:aws:iam::11112222333:root",
            "arn:aws:iam::111122223333:group/admins",
            "arn:aws:iam::111122223333:role/",
            "arn:aws:iam::111122223333:role/a b",
            "arn:aws:iam::111122223333:rootx",
            "arn:aws:s3:::bucket",
            "arn:aws:sts::111122223333:assumed-role/Runner/session",
        ] {
            let e = principal_arn(bad).unwrap_err();
            assert!(e.starts_with("--caller-arn: expected"), "{bad}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn role_names_and_external_ids_follow_the_aws_rules() {
        assert!(role_name("StudioDoctorAudit").is_ok());
        assert!(role_name(&"a".repeat(64)).is_ok());
        for bad in ["", "a/b", "a b", &"a".repeat(65)] {
            assert!(role_name(bad).is_err(), "{bad}");
        }
        assert!(external_id("ab").is_ok());
        assert!(external_id("x:y/z@w").is_ok());
        for bad in ["a", "a b", "a\"b", &"a".repeat(1225)] {
            assert!(external_id(bad).is_err(), "{bad}");
        }
    }
}
