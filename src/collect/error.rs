//! Turning SDK errors into `Unknown` facts, and the setup errors that stop a run.

use aws_sdk_sts::config::http::HttpResponse;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::error::Error;
use std::fmt;
use studio_doctor_checks::names::closest;
use studio_doctor_checks::{Unknown, UnknownKind};

/// The SDK's error type, the same in every service crate.
pub type SdkError<E> = aws_sdk_sts::error::SdkError<E, HttpResponse>;

/// Why a live run cannot start at all (exit 2). `profile`: the profile named by
/// `--profile` (or the config file) or `AWS_PROFILE`, so a hint never suggests
/// what the user already did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupError {
    NoRegion {
        profile: Option<String>,
    },
    /// No usable credentials; the text says why (never a secret).
    NoCredentials {
        why: String,
        profile: Option<String>,
    },
    /// Neither credentials nor a region: both in one message.
    NoCredentialsOrRegion {
        why: String,
        profile: Option<String>,
    },
    /// `--studio` or `--workgroup` names nothing in the region.
    NotFound {
        flag: &'static str,
        name: String,
        region: String,
        /// The names that do exist.
        found: Vec<String>,
    },
    /// A run over several targets cannot start (the text says why).
    Fleet(String),
    /// The named profile is in neither AWS config file.
    UnknownProfile {
        name: String,
        /// The profiles that are defined, sorted.
        defined: Vec<String>,
    },
}

impl SetupError {
    fn credentials_hint(profile: &Option<String>) -> String {
        match profile {
            Some(p) => format!(
                "check profile `{p}` in the AWS config files; for an SSO profile run \
                 `aws sso login --profile {p}`"
            ),
            None => "set AWS_PROFILE or pass --profile, or set AWS_ACCESS_KEY_ID and \
                     AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN); for an SSO profile run \
                     `aws sso login --profile <name>`"
                .to_string(),
        }
    }

    fn region_hint(profile: &Option<String>) -> String {
        match profile {
            Some(p) => format!("pass --region, set AWS_REGION, or set region in profile `{p}`"),
            None => "pass --region or set AWS_REGION / a profile region".to_string(),
        }
    }
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetupError::NoRegion { profile } => {
                write!(f, "no AWS region: {}", SetupError::region_hint(profile))
            }
            SetupError::NoCredentials { why, profile } => write!(
                f,
                "no AWS credentials ({why}): {}",
                SetupError::credentials_hint(profile)
            ),
            SetupError::NoCredentialsOrRegion { why, profile } => write!(
                f,
                "no AWS credentials ({why}) and no AWS region: {}; and {}",
                SetupError::credentials_hint(profile),
                SetupError::region_hint(profile)
            ),
            SetupError::NotFound {
                flag,
                name,
                region,
                found,
            } => {
                let what = flag.trim_start_matches('-');
                write!(f, "{flag} {name}: no {what} of that name in {region}")?;
                if found.is_empty() {
                    return write!(f, " (there is none: check --region)");
                }
                if let Some(close) = closest(name, found) {
                    write!(f, " (did you mean {close}?)")?;
                }
                write!(f, "; {what}s found: {}", found.join(", "))
            }
            SetupError::Fleet(why) => f.write_str(why),
            SetupError::UnknownProfile { name, defined } => {
                write!(f, "profile `{name}` is not defined in the AWS config files")?;
                if defined.is_empty() {
                    return f.write_str(" (none are: run `aws configure` to create one)");
                }
                if let Some(d) = closest(name, defined) {
                    write!(f, " (did you mean `{d}`?)")?;
                }
                write!(f, "; defined profiles: {}", defined.join(", "))
            }
        }
    }
}

impl Error for SetupError {}

const ACCESS_DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedException",
    "AuthorizationError",
];

const THROTTLING: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Classify a failed call to `action` (e.g. `iam:GetRole`) as an `Unknown` reason.
pub fn classify<E>(err: &SdkError<E>, action: &str) -> Unknown
where
    E: ProvideErrorMetadata + Error + 'static,
{
    let status = err.raw_response().map(|r| r.status().as_u16());
    let (kind, message) = match err {
        SdkError::TimeoutError(_) => (UnknownKind::Timeout, chain(err)),
        SdkError::DispatchFailure(d) if d.is_timeout() => (UnknownKind::Timeout, chain(err)),
        SdkError::DispatchFailure(_) => (UnknownKind::Network, chain(err)),
        SdkError::ConstructionFailure(_) => (UnknownKind::ServiceError, chain(err)),
        _ => match err.code() {
            Some(code) if ACCESS_DENIED.contains(&code) => {
                (UnknownKind::AccessDenied, with_code(code, err.message()))
            }
            Some(code) if THROTTLING.contains(&code) => {
                (UnknownKind::Throttled, with_code(code, err.message()))
            }
            Some(code) => (UnknownKind::ServiceError, with_code(code, err.message())),
            None => match status {
                Some(403) => (UnknownKind::AccessDenied, format!("HTTP 403 from {action}")),
                Some(429) => (UnknownKind::Throttled, "HTTP 429".to_string()),
                Some(s @ (404 | 405 | 500 | 501)) => (
                    UnknownKind::Unsupported,
                    format!(
                        "the endpoint does not implement {action} (HTTP {s}, no AWS error code)"
                    ),
                ),
                Some(s) => (
                    UnknownKind::ServiceError,
                    format!("HTTP {s}: {}", chain(err)),
                ),
                None => (UnknownKind::ServiceError, chain(err)),
            },
        },
    };
    Unknown::new(kind, action, short(&message))
}

/// True when the error's code is one of `codes`.
pub fn has_code<E: ProvideErrorMetadata>(err: &SdkError<E>, codes: &[&str]) -> bool {
    err.code().is_some_and(|c| codes.contains(&c))
}

/// S3 Control's "nothing here": a code naming NotExist/NotFound, or HTTP 404
/// with an AWS error code (a 404 without one is an endpoint that lacks the call).
pub fn s3control_not_found<E: ProvideErrorMetadata>(err: &SdkError<E>) -> bool {
    match err.code() {
        Some(code) => {
            code.contains("NotExist")
                || code.contains("NotFound")
                || err
                    .raw_response()
                    .is_some_and(|r| r.status().as_u16() == 404)
        }
        None => false,
    }
}

fn with_code(code: &str, message: Option<&str>) -> String {
    match message {
        Some(m) if !m.is_empty() => format!("{code}: {m}"),
        _ => code.to_string(),
    }
}

/// The error's message chain (`a: b: c`), without the debug dump
/// `DisplayErrorContext` appends, and without repeated links.
pub fn chain(err: &(dyn Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn Error + 'static)> = Some(err);
    while let Some(e) = cur {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = e.source();
    }
    parts.join(": ")
}

/// One line, at most 300 characters.
pub fn short(text: &str) -> String {
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() <= 300 {
        one
    } else {
        let cut: String = one.chars().take(297).collect();
        format!("{cut}...")
    }
}

/// The run's own time limit ran out before `action` could complete.
pub fn deadline(action: &str, limit: std::time::Duration) -> Unknown {
    Unknown::new(
        UnknownKind::Timeout,
        action,
        format!(
            "the run's time limit ({}s, --timeout) ran out",
            limit.as_secs()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_errors_are_one_line_and_name_what_to_set() {
        let r = SetupError::NoRegion { profile: None }.to_string();
        assert!(r.contains("--region") && r.contains("AWS_REGION"));
        let c = SetupError::NoCredentials {
            why: "no provider".into(),
            profile: None,
        }
        .to_string();
        assert!(!c.contains('\n'));
        for w in ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "aws sso login"] {
            assert!(c.contains(w), "{c}");
        }
    }

    #[test]
    fn a_name_that_is_not_there_lists_the_names_that_are() {
        let e = SetupError::NotFound {
            flag: "--workgroup",
            name: "flightdata".into(),
            region: "ap-northeast-1".into(),
            found: vec!["flightdata-wg".into(), "primary".into()],
        };
        assert_eq!(
            e.to_string(),
            "--workgroup flightdata: no workgroup of that name in ap-northeast-1 (did you mean flightdata-wg?); workgroups found: flightdata-wg, primary"
        );
        let none = SetupError::NotFound {
            flag: "--studio",
            name: "x".into(),
            region: "us-east-1".into(),
            found: vec![],
        };
        assert!(
            none.to_string()
                .ends_with("(there is none: check --region)")
        );
    }

    #[test]
    fn short_is_one_line_and_bounded() {
        assert_eq!(short("a\n  b"), "a b");
        let long = "x".repeat(1000);
        assert_eq!(short(&long).chars().count(), 300);
    }
}
