//! SDK configuration: the standard credential/region chain, the ring TLS client,
//! retries and timeouts, and one client per service.

use super::Settings;
use super::error::{SetupError, chain, short};
use super::ops::{OpLog, Recorder};
use super::run::Clients;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_s3control::config::endpoint::{
    DefaultResolver, Endpoint, EndpointFuture, Params, ResolveEndpoint,
};
use aws_sdk_sts::config::{ProvideCredentials, SharedInterceptor};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use std::time::Duration;

/// The SDK's own default connect timeout.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);

/// Load the SDK config from the standard chain (env, shared files, `--profile`,
/// SSO, web identity, container/instance metadata), with `--region` on top.
/// Retries come from the chain too (`AWS_MAX_ATTEMPTS`, `AWS_RETRY_MODE`,
/// profile): 3 attempts with exponential backoff by default (standard mode).
/// Throttling also halves the service's pool of call slots (`run::Pool`). The
/// SDK's adaptive mode stays available through `AWS_RETRY_MODE=adaptive`; its
/// client-side rate limiter made a short run under throttling several times
/// slower (scripts/bench --throttle-rate), so it is not the default.
pub async fn load(settings: &Settings) -> Result<SdkConfig, SetupError> {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_timeout(settings.call_timeout)
                .build(),
        );
    let profile = settings
        .profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
    if let Some(name) = &profile {
        check_profile(name, &profile_files())?;
    }
    if let Some(p) = &settings.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &settings.region {
        loader = loader.region(Region::new(r.clone()));
    }
    let sdk = loader.load().await;
    let credentials = check_credentials(&sdk, profile.as_deref(), settings.timeout).await;
    let no_region = sdk.region().is_none_or(|r| r.as_ref().is_empty());
    match (credentials, no_region) {
        (Ok(()), false) => Ok(sdk),
        (Ok(()), true) => Err(SetupError::NoRegion { profile }),
        (Err(why), false) => Err(SetupError::NoCredentials { why, profile }),
        (Err(why), true) => Err(SetupError::NoCredentialsOrRegion { why, profile }),
    }
}

/// The shared config and credentials files, as the SDK finds them.
fn profile_files() -> Vec<std::path::PathBuf> {
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(std::path::PathBuf::from);
    let file = |var: &str, default: &str| {
        std::env::var_os(var)
            .map(std::path::PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".aws").join(default)))
    };
    [
        file("AWS_CONFIG_FILE", "config"),
        file("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A named profile must be defined in one of `files`: otherwise the SDK falls
/// through to instance metadata and reports an unrelated error.
fn check_profile(name: &str, files: &[std::path::PathBuf]) -> Result<(), SetupError> {
    let mut defined: Vec<String> = Vec::new();
    for (i, path) in files.iter().enumerate() {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        defined.extend(profile_names(&text, i == 0));
    }
    defined.sort();
    defined.dedup();
    if defined.iter().any(|d| d == name) {
        return Ok(());
    }
    Err(SetupError::UnknownProfile {
        name: name.to_string(),
        defined,
    })
}

/// The profiles an AWS config file (`[profile x]`, `[default]`) or credentials
/// file (`[x]`) defines.
fn profile_names(text: &str, config_file: bool) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix('[')?
                .split_once(']')
                .map(|(h, _)| h.trim())
        })
        .filter_map(|header| {
            if header == "default" {
                return Some("default".to_string());
            }
            if !config_file {
                return Some(header.to_string());
            }
            let (kind, name) = header.split_once(char::is_whitespace)?;
            (kind == "profile").then(|| name.trim().to_string())
        })
        .collect()
}

/// Resolve credentials once, up front, so a missing login is a clear exit-2 error.
/// The reason, never a secret, when there are none.
async fn check_credentials(
    sdk: &SdkConfig,
    profile: Option<&str>,
    limit: Duration,
) -> Result<(), String> {
    let Some(provider) = sdk.credentials_provider() else {
        return Err("no credentials provider configured".into());
    };
    match tokio::time::timeout(limit, provider.provide_credentials()).await {
        Ok(Ok(_)) => Ok(()),
        // Redact before shortening, so no cut-off secret survives.
        Ok(Err(e)) => Err(redact(&reason(&redact(&chain(&e)), profile))),
        Err(_) => Err(format!(
            "timed out after {}s looking for them",
            limit.as_secs()
        )),
    }
}

/// A short reason for a credentials failure, from the provider chain's error text.
fn reason(text: &str, profile: Option<&str>) -> String {
    let named = profile
        .map(str::to_string)
        .or_else(|| std::env::var("AWS_PROFILE").ok());
    let profile = named.clone().unwrap_or_else(|| "default".into());
    if let Some(rest) = text.split("profile `").nth(1)
        && let Some((name, tail)) = rest.split_once('`')
        && tail.starts_with(" was not defined")
    {
        return format!("profile `{name}` is not defined in the AWS config files");
    }
    let lower = text.to_ascii_lowercase();
    if lower.contains("sso") && lower.contains("token") {
        return format!(
            "the SSO login of profile `{profile}` has expired or was never made: \
             run `aws sso login --profile {profile}`"
        );
    }
    if lower.contains("no credentials found in chain")
        && let Some(name) = named
    {
        return format!(
            "profile `{name}` gave none: it is not defined in the AWS config files, or has no credentials"
        );
    }
    if lower.contains("no credentials found in chain") {
        return "none found in the environment, the AWS config and credentials files, \
                web identity, or container/instance metadata"
            .into();
    }
    let text = short(text);
    match text.char_indices().nth(200) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text,
    }
}

/// Blank out any secret from the environment that an error text might quote.
fn redact(text: &str) -> String {
    let mut out = text.to_string();
    for var in [
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_ACCESS_KEY_ID",
    ] {
        if let Ok(v) = std::env::var(var)
            && v.len() >= 8
        {
            out = out.replace(&v, "***");
        }
    }
    out
}

/// One client per service from `sdk`, each with the recorder (and any `extra`
/// interceptors, e.g. test mocks) installed.
pub fn clients(
    sdk: &SdkConfig,
    log: &OpLog,
    extra: &dyn Fn(&'static str) -> Vec<SharedInterceptor>,
) -> Clients {
    macro_rules! client {
        ($krate:ident, $name:literal $(, $more:ident($arg:expr))?) => {{
            let mut b = $krate::config::Builder::from(sdk).interceptor(Recorder::new($name, log));
            for i in extra($name) {
                b.push_interceptor(i);
            }
            $(let b = b.$more($arg);)?
            $krate::Client::from_conf(b.build())
        }};
    }
    Clients {
        sts: client!(aws_sdk_sts, "sts"),
        emr: client!(aws_sdk_emr, "emr"),
        athena: client!(aws_sdk_athena, "athena"),
        sso: client!(aws_sdk_ssoadmin, "ssoadmin"),
        ids: client!(aws_sdk_identitystore, "identitystore"),
        iam: client!(aws_sdk_iam, "iam"),
        s3c: client!(
            aws_sdk_s3control,
            "s3control",
            endpoint_resolver(EndpointAsGiven::default())
        ),
        lf: client!(aws_sdk_lakeformation, "lakeformation"),
        glue: client!(aws_sdk_glue, "glue"),
        org: client!(aws_sdk_organizations, "organizations"),
        s3: client!(
            aws_sdk_s3,
            "s3",
            endpoint_resolver(PathStyleWhenGiven::default())
        ),
    }
}

/// S3 addresses buckets as `<bucket>.<host>` by default, which a custom or
/// loopback endpoint (e.g. an emulator) cannot serve. When an endpoint is
/// configured for S3 (resolved by the SDK into `Params::endpoint`), address the
/// bucket in the path instead; otherwise the standard rules apply.
#[derive(Debug, Default)]
pub struct PathStyleWhenGiven {
    rules: aws_sdk_s3::config::endpoint::DefaultResolver,
}

impl aws_sdk_s3::config::endpoint::ResolveEndpoint for PathStyleWhenGiven {
    fn resolve_endpoint<'a>(
        &'a self,
        params: &'a aws_sdk_s3::config::endpoint::Params,
    ) -> aws_sdk_s3::config::endpoint::EndpointFuture<'a> {
        use aws_sdk_s3::config::endpoint::{EndpointFuture, Params, ResolveEndpoint};
        if params.endpoint().is_none() || params.force_path_style() == Some(true) {
            return ResolveEndpoint::resolve_endpoint(&self.rules, params);
        }
        let path_style = Params::builder()
            .set_bucket(params.bucket().map(str::to_string))
            .set_region(params.region().map(str::to_string))
            .set_use_fips(params.use_fips())
            .set_use_dual_stack(params.use_dual_stack())
            .set_endpoint(params.endpoint().map(str::to_string))
            .force_path_style(true)
            .build();
        match path_style {
            Ok(p) => EndpointFuture::new(async move {
                ResolveEndpoint::resolve_endpoint(&self.rules, &p).await
            }),
            Err(_) => ResolveEndpoint::resolve_endpoint(&self.rules, params),
        }
    }
}

/// S3 Control's endpoint rules put `<account>.` in front of the host, even for a
/// custom endpoint, which breaks loopback and custom endpoints. When an endpoint
/// is configured for S3 Control (`AWS_ENDPOINT_URL_S3_CONTROL`, `AWS_ENDPOINT_URL`,
/// or the config file's `endpoint_url` / `services` section; the SDK resolves
/// which one into `Params::endpoint`), use that URL as given, keeping the signing
/// properties the rules compute. Otherwise the standard rules apply.
#[derive(Debug, Default)]
pub struct EndpointAsGiven {
    rules: DefaultResolver,
}

impl ResolveEndpoint for EndpointAsGiven {
    fn resolve_endpoint<'a>(&'a self, params: &'a Params) -> EndpointFuture<'a> {
        let Some(url) = params.endpoint() else {
            return ResolveEndpoint::resolve_endpoint(&self.rules, params);
        };
        EndpointFuture::new(async move {
            let endpoint = match ResolveEndpoint::resolve_endpoint(&self.rules, params).await {
                Ok(ruled) => ruled.into_builder().url(url.to_string()).build(),
                Err(_) => Endpoint::builder().url(url.to_string()).build(),
            };
            Ok(endpoint)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{SetupError, check_profile, profile_names, reason};

    #[test]
    fn profiles_come_from_both_files_and_a_typo_lists_them() {
        let config =
            "[default]\nregion = us-east-1\n[profile audit]\n[sso-session corp]\n[services s]\n";
        assert_eq!(profile_names(config, true), ["default", "audit"]);
        assert_eq!(profile_names("[ci]\n[default]\n", false), ["ci", "default"]);
        let dir = tempfile::tempdir().unwrap();
        let (c, k) = (dir.path().join("config"), dir.path().join("credentials"));
        std::fs::write(&c, config).unwrap();
        std::fs::write(&k, "[ci]\naws_access_key_id = x\n").unwrap();
        let files = [c, k];
        assert!(check_profile("audit", &files).is_ok());
        assert!(check_profile("ci", &files).is_ok());
        let e = check_profile("audti", &files).unwrap_err();
        assert_eq!(
            e.to_string(),
            "profile `audti` is not defined in the AWS config files (did you mean `audit`?); defined profiles: audit, ci, default"
        );
        let none = check_profile("x", &[dir.path().join("missing")]).unwrap_err();
        assert!(none.to_string().contains("aws configure"), "{none}");
    }

    #[test]
    fn a_hint_never_suggests_the_flag_already_given_and_both_problems_show() {
        let named = Some("audit".to_string());
        let e = SetupError::NoCredentials {
            why: "expired".into(),
            profile: named.clone(),
        };
        assert!(!e.to_string().contains("pass --profile"), "{e}");
        assert!(
            e.to_string().contains("aws sso login --profile audit"),
            "{e}"
        );
        let both = SetupError::NoCredentialsOrRegion {
            why: "none found".into(),
            profile: None,
        }
        .to_string();
        assert!(
            both.starts_with("no AWS credentials (none found) and no AWS region:"),
            "{both}"
        );
        assert!(
            both.contains("--region") && both.contains("--profile"),
            "{both}"
        );
    }

    #[test]
    fn credential_failures_get_a_short_reason() {
        let missing = "the credential provider was not enabled: no credentials found in chain. \
                       Attempted: Environment: ... Profile: the credential provider was not enabled: \
                       profile `nope` was not defined: could not find source profile nope";
        assert_eq!(
            reason(missing, Some("nope")),
            "profile `nope` is not defined in the AWS config files"
        );
        let sso = "an error occurred while loading credentials: an error occurred while loading \
                   an access token: failed to load the cached SSO token";
        assert!(reason(sso, Some("dev")).contains("aws sso login --profile dev"));
        let none = "the credential provider was not enabled: no credentials found in chain. Attempted: ...";
        assert!(reason(none, None).starts_with("none found in the environment"));
        assert!(reason(&"x".repeat(500), None).len() < 210);
    }
}
