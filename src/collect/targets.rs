//! Several targets in one run: each account (`--accounts`, `--organization`, read
//! through its audit role) in each region (`--regions`), with Identity Center
//! optionally read from another account (`--identity-center-profile`,
//! `--identity-center-role-arn`).

use super::config;
use super::error::{SetupError, chain};
use super::ops::OpLog;
use super::run::{Run, all};
use super::{Settings, organizations, read, sts};
use crate::timing::Timings;
use aws_config::{Region, SdkConfig};
use aws_sdk_sts::config::{Credentials, ProvideCredentials, SharedCredentialsProvider};
use std::collections::BTreeSet;
use std::sync::Arc;
use studio_doctor_checks::facts::{IdcSource, Target};
use studio_doctor_checks::{Fact, Facts, Need, Unknown, UnknownKind};
use tokio::time::Instant;

/// Which accounts to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accounts {
    /// The account of the credentials.
    Own,
    /// These account ids, each through the audit role.
    List(Vec<String>),
    /// Every ACTIVE account of the caller's organization that has every one
    /// of these tags (key, value).
    Organization(Vec<(String, String)>),
}

/// Where Identity Center is read when not in each target account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdcVia {
    Profile(String),
    RoleArn(String),
}

/// What to fan out over.
#[derive(Debug, Clone)]
pub struct Fleet {
    /// Empty: the region of `--region` or the AWS config chain.
    pub regions: Vec<String>,
    pub accounts: Accounts,
    pub role_name: Option<String>,
    pub external_id: Option<String>,
    pub identity_center: Option<IdcVia>,
    /// Targets read at once.
    pub concurrency: usize,
}

/// The session name of every role the tool assumes.
const SESSION: &str = "studio-doctor";

/// Progress messages, shared by the targets read at once.
pub type Progress = Arc<dyn Fn(&str) + Send + Sync>;

/// Read every target: facts in account-then-region order (sorted), and the per-area
/// timings when there is one target. A target whose role cannot be assumed gets
/// facts that say so (AC001 reports them); a run that cannot start is an error.
pub async fn collect_all(
    settings: &Settings,
    fleet: &Fleet,
    template: Target,
    needs: &BTreeSet<Need>,
    progress: Progress,
) -> Result<(Vec<Facts>, Option<Timings>), SetupError> {
    let started = Instant::now();
    progress("loading AWS configuration");
    let mut settings = settings.clone();
    if settings.region.is_none() {
        settings.region = fleet.regions.first().cloned();
    }
    let base = config::load(&settings).await?;
    let home = base.region().map(|r| r.to_string()).unwrap_or_default();
    let regions = match fleet.regions.is_empty() {
        true => vec![home],
        false => fleet.regions.clone(),
    };
    let accounts = accounts(&base, &settings, fleet, &progress, started).await?;
    let idc = match &fleet.identity_center {
        Some(via) => {
            progress("reading Identity Center's account");
            Some(identity_center(&base, &settings, via, needs, started).await?)
        }
        None => None,
    };
    let mut jobs = Vec::new();
    for (account, access) in accounts {
        for region in &regions {
            jobs.push((account.clone(), region.clone(), access.clone()));
        }
    }
    // In account, then region order: the order a saved directory replays in.
    jobs.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let single = jobs.len() == 1;
    let total = jobs.len();
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let common = Arc::new(Common {
        slots: tokio::sync::Semaphore::new(fleet.concurrency.max(1)),
        base,
        settings,
        needs: needs.clone(),
        template,
        idc,
        single,
        started,
    });
    let results = all(jobs.into_iter().map(|(account, region, access)| {
        let (common, progress, done) = (common.clone(), progress.clone(), done.clone());
        async move {
            let read = read_target(&common, account, region, access, &progress);
            let out = Box::pin(read).await;
            if !single {
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                progress(&format!("{n} of {total} targets (account and region) read"));
            }
            out
        }
    }))
    .await;
    let mut facts = Vec::new();
    let mut timings = None;
    for target in results {
        let (f, t) = target?;
        timings = t;
        facts.push(f);
    }
    Ok((facts, if single { timings } else { None }))
}

/// The facts of a target whose account could not be reached.
fn unreached(target: Target, why: Unknown) -> Facts {
    Facts {
        facts_version: studio_doctor_checks::facts::FACTS_VERSION,
        target,
        caller: Fact::Unknown(why),
        ..Facts::default()
    }
}

type Access = Result<SharedCredentialsProvider, Unknown>;

/// Each account to read (None: the credentials' own) and how: the caller's
/// credentials for its own account, the audit role's for the others.
async fn accounts(
    base: &SdkConfig,
    settings: &Settings,
    fleet: &Fleet,
    progress: &Progress,
    started: Instant,
) -> Result<Vec<(Option<String>, Access)>, SetupError> {
    let own = base
        .credentials_provider()
        .ok_or_else(|| SetupError::Fleet("no credentials provider".into()))?;
    let ids = match &fleet.accounts {
        Accounts::Own => return Ok(vec![(None, Ok(own))]),
        Accounts::List(ids) => ids.clone(),
        Accounts::Organization(tags) => {
            progress("listing the organization's accounts");
            list_accounts(base, tags).await?
        }
    };
    let Some(role) = &fleet.role_name else {
        return Err(SetupError::Fleet(
            "--role-name is needed with --accounts or --organization: the audit role to assume in each account".into(),
        ));
    };
    let run = caller_run(base, settings, started);
    let me = match sts::caller(&run).await {
        Fact::Known(c) => c.account_id.clone(),
        Fact::Unknown(u) => {
            return Err(SetupError::Fleet(format!(
                "cannot read the caller's identity: {u}"
            )));
        }
    };
    progress("assuming the audit role in each account");
    // All at once (bounded): each is a round trip to STS before its targets start.
    let slots = Arc::new(tokio::sync::Semaphore::new(fleet.concurrency.max(1)));
    Ok(all(ids.into_iter().map(|id| {
        let arn = format!("arn:aws:iam::{id}:role/{role}");
        let (base, settings, slots) = (base.clone(), settings.clone(), slots.clone());
        let (external_id, own, me) = (fleet.external_id.clone(), own.clone(), me.clone());
        async move {
            if id == me {
                return (Some(id), Ok(own));
            }
            let _slot = slots.acquire_owned().await;
            let access = assume(&base, &arn, external_id.as_deref(), &settings).await;
            (Some(id), access)
        }
    }))
    .await)
}

/// A run on the base configuration, for the caller's own reads.
fn caller_run(base: &SdkConfig, settings: &Settings, started: Instant) -> Arc<Run> {
    let log = OpLog::default();
    let clients = config::clients(base, &log, &|_| Vec::new());
    Run::with_concurrency(
        clients,
        log,
        started,
        settings.timeout,
        settings.concurrency,
    )
}

/// `organizations:ListAccounts`, every page: the ACTIVE accounts' ids, sorted;
/// with `tags`, only those whose tags (`ListTagsForResource`) hold every one.
async fn list_accounts(
    base: &SdkConfig,
    tags: &[(String, String)],
) -> Result<Vec<String>, SetupError> {
    use aws_sdk_organizations::types::{AccountState, AccountStatus};
    let client = aws_sdk_organizations::Client::new(base);
    let mut pages = client.list_accounts().into_paginator().send();
    let mut ids = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            SetupError::Fleet(format!(
                "--organization: cannot list the organization's accounts (organizations:ListAccounts): {}",
                super::error::short(&chain(&e))
            ))
        })?;
        for a in page.accounts() {
            // `State` replaces the deprecated `Status`; either may be present.
            let active = match (a.state(), a.status()) {
                (Some(s), _) => *s == AccountState::Active,
                (None, Some(s)) => *s == AccountStatus::Active,
                (None, None) => false,
            };
            if active && let Some(id) = a.id() {
                ids.push(id.to_string());
            }
        }
    }
    ids.sort();
    ids.dedup();
    if tags.is_empty() {
        return Ok(ids);
    }
    let slots = Arc::new(tokio::sync::Semaphore::new(16));
    let reads = all(ids.into_iter().map(|id| {
        let (client, slots) = (client.clone(), slots.clone());
        async move {
            let _slot = slots.acquire_owned().await;
            let listed = client
                .list_tags_for_resource()
                .resource_id(&id)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>()
                .await;
            (id, listed)
        }
    }))
    .await;
    let mut kept = Vec::new();
    for (id, listed) in reads {
        let listed = listed.map_err(|e| {
            SetupError::Fleet(format!(
                "--accounts-filter: cannot read the tags of account {id} \
                 (organizations:ListTagsForResource): {}",
                super::error::short(&chain(&e))
            ))
        })?;
        let has = |(k, v): &(String, String)| listed.iter().any(|t| t.key() == k && t.value() == v);
        if tags.iter().all(has) {
            kept.push(id);
        }
    }
    Ok(kept)
}

/// Credentials of `role_arn`, assumed once with the caller's credentials.
async fn assume(
    base: &SdkConfig,
    role_arn: &str,
    external_id: Option<&str>,
    settings: &Settings,
) -> Access {
    let mut builder = aws_config::sts::AssumeRoleProvider::builder(role_arn)
        .session_name(SESSION)
        .configure(base);
    if let Some(id) = external_id {
        builder = builder.external_id(id);
    }
    let provider = builder.build().await;
    let failed = |kind, message: String| Unknown::new(kind, "sts:AssumeRole", message);
    match tokio::time::timeout(settings.call_timeout, provider.provide_credentials()).await {
        Ok(Ok(c)) => Ok(SharedCredentialsProvider::new(Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            c.session_token().map(str::to_string),
            c.expiry(),
            "studio-doctor-assume-role",
        ))),
        Ok(Err(e)) => {
            let text = super::error::short(&chain(&e));
            let kind = match text.contains("AccessDenied") || text.contains("not authorized") {
                true => UnknownKind::AccessDenied,
                false => UnknownKind::ServiceError,
            };
            Err(failed(kind, format!("{role_arn}: {text}")))
        }
        Err(_) => Err(failed(
            UnknownKind::Timeout,
            format!(
                "{role_arn}: no answer within {}s",
                settings.call_timeout.as_secs()
            ),
        )),
    }
}

/// Identity Center's account: its configuration (regions are set per target),
/// and what the facts record about it.
pub struct IdcAccount {
    sdk: SdkConfig,
    source: IdcSource,
    /// Its reads, made once for every target of a region.
    shared: Arc<super::run::IdcShared>,
}

async fn identity_center(
    base: &SdkConfig,
    settings: &Settings,
    via: &IdcVia,
    needs: &BTreeSet<Need>,
    started: Instant,
) -> Result<IdcAccount, SetupError> {
    let sdk = match via {
        IdcVia::Profile(p) => {
            let mut s = settings.clone();
            s.profile = Some(p.clone());
            config::load(&s)
                .await
                .map_err(|e| SetupError::Fleet(format!("--identity-center-profile {p}: {e}")))?
        }
        IdcVia::RoleArn(arn) => {
            let creds = assume(base, arn, None, settings).await.map_err(|u| {
                SetupError::Fleet(format!("--identity-center-role-arn: cannot assume {u}"))
            })?;
            base.to_builder().credentials_provider(creds).build()
        }
    };
    let run = caller_run(&sdk, settings, started);
    let account_id = match sts::caller(&run).await {
        Fact::Known(c) => c.account_id.clone(),
        Fact::Unknown(u) => {
            return Err(SetupError::Fleet(format!(
                "cannot read the identity of Identity Center's credentials: {u}"
            )));
        }
    };
    let organization = match needs.contains(&Need::Organization) {
        true => organizations::describe(&run, &run.c.org).await,
        false => Fact::default(),
    };
    Ok(IdcAccount {
        sdk,
        source: IdcSource {
            account_id,
            organization,
        },
        shared: Arc::default(),
    })
}

/// Everything the targets share.
struct Common {
    /// Targets read at once.
    slots: tokio::sync::Semaphore,
    base: SdkConfig,
    settings: Settings,
    needs: BTreeSet<Need>,
    /// The target flags every target shares.
    template: Target,
    idc: Option<IdcAccount>,
    /// The run has one target (a `--studio` that names nothing is then an error).
    single: bool,
    started: Instant,
}

/// One target's facts (and its reads' timings), once a slot is free.
async fn read_target(
    common: &Common,
    account: Option<String>,
    region: String,
    access: Access,
    progress: &Progress,
) -> Result<(Facts, Option<Timings>), SetupError> {
    let _slot = common.slots.acquire().await;
    let Common {
        base,
        settings,
        needs,
        template,
        idc,
        single,
        started,
        ..
    } = common;
    let (single, started) = (*single, *started);
    let mut target = template.clone();
    target.account_id = account;
    target.region = region.clone();
    let creds = match access {
        Ok(c) => c,
        Err(why) => return Ok((unreached(target, why), None)),
    };
    let sdk = base
        .to_builder()
        .region(Region::new(region.clone()))
        .credentials_provider(creds)
        .build();
    let log = OpLog::default();
    let mut clients = config::clients(&sdk, &log, &|_| Vec::new());
    if let Some(idc) = idc {
        let at = idc.sdk.to_builder().region(Region::new(region)).build();
        let theirs = config::clients(&at, &log, &|_| Vec::new());
        clients.sso = theirs.sso;
        clients.ids = theirs.ids;
    }
    let run = Run::with_concurrency(
        clients,
        log,
        started,
        settings.timeout,
        settings.concurrency,
    );
    run.identity_center_here
        .store(idc.is_none(), std::sync::atomic::Ordering::Relaxed);
    if let Some(idc) = idc {
        let _ = run.shared_idc.set(idc.shared.clone());
    }
    let mut facts = read(&run, target, needs, &**progress).await;
    facts.identity_center_source = idc.as_ref().map(|i| i.source.clone());
    let unmatched = run.unmatched.lock().ok().and_then(|mut u| u.take());
    if let (true, Some((flag, name, found))) = (single, unmatched) {
        return Err(SetupError::NotFound {
            flag,
            name,
            region: facts.target.region.clone(),
            found,
        });
    }
    Ok((facts, Some(run.timings())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An unreached target's facts are a facts file like any other: saved and
    /// replayed, they report the same one AC001 error.
    #[test]
    fn an_unreached_targets_facts_replay() {
        let target = Target {
            account_id: Some("444455556666".into()),
            region: "us-east-1".into(),
            ..Target::default()
        };
        let why = Unknown::new(UnknownKind::AccessDenied, "sts:AssumeRole", "AccessDenied");
        let facts = unreached(target, why);
        let text = serde_json::to_string(&facts).unwrap();
        let back = Facts::from_json(&text).unwrap();
        assert_eq!(back, facts);
        assert!(back.unreachable());
    }
}
