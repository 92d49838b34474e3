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
/// profile): 3 attempts with exponential backoff by default, in the SDK's
/// adaptive mode (which also slows the request rate of a client that is being
/// throttled) unless `AWS_RETRY_MODE` names another mode.
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
    if let Some(p) = &settings.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &settings.region {
        loader = loader.region(Region::new(r.clone()));
    }
    let mut sdk = loader.load().await;
    if std::env::var_os("AWS_RETRY_MODE").is_none()
        && let Some(retry) = sdk.retry_config()
        && retry.mode() == aws_config::retry::RetryMode::Standard
    {
        let adaptive = aws_config::retry::RetryConfig::adaptive()
            .with_max_attempts(retry.max_attempts())
            .with_initial_backoff(retry.initial_backoff())
            .with_max_backoff(retry.max_backoff());
        sdk = sdk.into_builder().retry_config(adaptive).build();
    }
    // Credentials first: a missing `--profile` shows up here, by name.
    check_credentials(&sdk, settings.profile.as_deref(), settings.timeout).await?;
    if sdk.region().is_none_or(|r| r.as_ref().is_empty()) {
        return Err(SetupError::NoRegion);
    }
    Ok(sdk)
}

/// Resolve credentials once, up front, so a missing login is a clear exit-2 error.
async fn check_credentials(
    sdk: &SdkConfig,
    profile: Option<&str>,
    limit: Duration,
) -> Result<(), SetupError> {
    let Some(provider) = sdk.credentials_provider() else {
        return Err(SetupError::NoCredentials(
            "no credentials provider configured".into(),
        ));
    };
    match tokio::time::timeout(limit, provider.provide_credentials()).await {
        Ok(Ok(_)) => Ok(()),
        // Redact before shortening, so no cut-off secret survives.
        Ok(Err(e)) => Err(SetupError::NoCredentials(redact(&reason(
            &redact(&chain(&e)),
            profile,
        )))),
        Err(_) => Err(SetupError::NoCredentials(format!(
            "timed out after {}s looking for them",
            limit.as_secs()
        ))),
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
    use super::reason;

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
