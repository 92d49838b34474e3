//! AWS enum values the facts hold (a Studio's auth mode, a workgroup's state,
//! ...), typed. Each is written in the facts file exactly as AWS returns it; a
//! value AWS adds later loads as `Other` and keeps its text, so no fact is lost.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

macro_rules! aws_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $v,)*
            /// A value studio-doctor does not know, as AWS wrote it.
            Other(String),
        }

        impl $name {
            /// The value as AWS writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$v => $s,)*
                    $name::Other(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($s => $name::$v,)*
                    other => $name::Other(other.to_string()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok($name::from(String::deserialize(d)?.as_str()))
            }
        }
    };
}

aws_enum!(
    /// An EMR Studio's `AuthMode`.
    AuthMode {
        /// IAM Identity Center authentication.
        Sso = "SSO",
        Iam = "IAM",
    }
);

aws_enum!(
    /// An EMR Studio's `IdcUserAssignment`.
    UserAssignment {
        Required = "REQUIRED",
        Optional = "OPTIONAL",
    }
);

aws_enum!(
    /// The kind of an Identity Center identity: a session mapping's
    /// `IdentityType`, an application assignment's `PrincipalType`.
    IdentityType {
        User = "USER",
        Group = "GROUP",
    }
);

aws_enum!(
    /// An Athena workgroup's `State`.
    WorkGroupState {
        Enabled = "ENABLED",
        Disabled = "DISABLED",
    }
);

aws_enum!(
    /// An Athena workgroup's `EncryptionConfiguration.EncryptionOption`.
    EncryptionOption {
        SseS3 = "SSE_S3",
        SseKms = "SSE_KMS",
        CseKms = "CSE_KMS",
    }
);

aws_enum!(
    /// An S3 Access Grants grant's `Grantee.GranteeType`.
    GranteeType {
        DirectoryUser = "DIRECTORY_USER",
        DirectoryGroup = "DIRECTORY_GROUP",
        Iam = "IAM",
    }
);

aws_enum!(
    /// An S3 Access Grants grant's `Permission`.
    GrantPermission {
        Read = "READ",
        Write = "WRITE",
        ReadWrite = "READWRITE",
    }
);

aws_enum!(
    /// An IAM Identity Center instance's `Status`.
    InstanceStatus {
        Active = "ACTIVE",
        CreateInProgress = "CREATE_IN_PROGRESS",
        CreateFailed = "CREATE_FAILED",
        DeleteInProgress = "DELETE_IN_PROGRESS",
    }
);

aws_enum!(
    /// The `Status` of an additional region of an IAM Identity Center instance.
    RegionStatus {
        Active = "ACTIVE",
        Adding = "ADDING",
        Removing = "REMOVING",
    }
);

aws_enum!(
    /// An IAM Identity Center instance's `EncryptionConfigurationDetails.KeyType`.
    KeyType {
        AwsOwned = "AWS_OWNED_KMS_KEY",
        CustomerManaged = "CUSTOMER_MANAGED_KEY",
    }
);

aws_enum!(
    /// An Identity Center user's `UserStatus`.
    UserStatus {
        Enabled = "ENABLED",
        Disabled = "DISABLED",
    }
);

aws_enum!(
    /// A Lake Formation registration's `VerificationStatus`.
    VerificationStatus {
        Verified = "VERIFIED",
        VerificationFailed = "VERIFICATION_FAILED",
        NotVerified = "NOT_VERIFIED",
    }
);

impl GranteeType {
    /// The Identity Center identity kind of a directory grantee.
    pub fn identity(&self) -> Option<IdentityType> {
        match self {
            GranteeType::DirectoryUser => Some(IdentityType::User),
            GranteeType::DirectoryGroup => Some(IdentityType::Group),
            GranteeType::Iam | GranteeType::Other(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_as_aws_writes_them() {
        let m: AuthMode = serde_json::from_str("\"SSO\"").unwrap();
        assert_eq!(m, AuthMode::Sso);
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"SSO\"");
        // A value AWS adds later loads and is written back unchanged.
        let m: AuthMode = serde_json::from_str("\"PASSKEY\"").unwrap();
        assert_eq!(m, AuthMode::Other("PASSKEY".into()));
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"PASSKEY\"");
        assert_eq!(
            GranteeType::from("DIRECTORY_GROUP").to_string(),
            "DIRECTORY_GROUP"
        );
        assert_eq!(EncryptionOption::from("CSE_KMS"), EncryptionOption::CseKms);
    }
}
