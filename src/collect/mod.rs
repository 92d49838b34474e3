//! Collectors: read AWS into facts.
//!
//! [`collect`] reads exactly what the selected checks need, each read at most once,
//! independent reads concurrently (bounded), every list to the end. A read that
//! fails becomes an `Unknown` fact carrying the reason; "not found" answers are facts.

mod athena;
mod config;
mod emr;
mod error;
mod iam;
mod ops;
mod run;
mod s3control;
mod sso;
mod sts;
#[cfg(test)]
mod tests;

pub use error::SetupError;
pub use ops::permissions_policy;

use run::Run;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;
use studio_doctor_checks::facts::{AccessGrants, FACTS_VERSION, Studio, Target};
use studio_doctor_checks::{Fact, Facts, Need};

/// How to reach AWS.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `--region`; else the standard chain.
    pub region: Option<String>,
    /// `--profile`; else the standard chain.
    pub profile: Option<String>,
    /// The whole run's time limit.
    pub timeout: Duration,
    /// Each call's limit, retries included.
    pub call_timeout: Duration,
}

/// Read the facts `needs` asks for about `target`. `progress` is told what is
/// being read as reads start.
pub async fn collect(
    settings: &Settings,
    target: Target,
    needs: &BTreeSet<Need>,
    progress: &dyn Fn(&str),
) -> Result<Facts, SetupError> {
    collect_recorded(settings, target, needs, progress)
        .await
        .map(|(facts, _)| facts)
}

/// [`collect`], also returning every operation sent, as `service.Operation`.
pub async fn collect_recorded(
    settings: &Settings,
    mut target: Target,
    needs: &BTreeSet<Need>,
    progress: &dyn Fn(&str),
) -> Result<(Facts, Vec<String>), SetupError> {
    let started = tokio::time::Instant::now();
    progress("loading AWS configuration");
    let sdk = config::load(settings).await?;
    target.region = sdk.region().map(|r| r.to_string()).unwrap_or_default();
    let log = ops::OpLog::default();
    let clients = config::clients(&sdk, &log, &|_| Vec::new());
    let run = Run::new(clients, log, started, settings.timeout);
    let facts = read(&run, target, needs, progress).await;
    Ok((facts, run.sent()))
}

/// Read the facts with the clients in `run`.
async fn read(
    run: &Arc<Run>,
    target: Target,
    needs: &BTreeSet<Need>,
    progress: &dyn Fn(&str),
) -> Facts {
    use Need as N;
    let has = |n: Need| needs.contains(&n);
    let grants = s3control::Want {
        instance: has(N::AccessGrantsInstance),
        locations: has(N::AccessGrantsLocations),
        grants: has(N::AccessGrants),
    };
    let want_grants = grants.instance || grants.locations || grants.grants;
    let want_users = has(N::Users) && !target.users.is_empty();

    let caller_and_grants = async {
        if !has(N::Caller) && !want_grants {
            return (Fact::default(), AccessGrants::default());
        }
        progress("reading the caller identity");
        let caller = sts::caller(run).await;
        if !want_grants {
            return (caller, AccessGrants::default());
        }
        progress("reading S3 Access Grants");
        let account = caller.known().map(|c| c.account_id.as_str());
        let ag = s3control::access_grants(run, account, grants).await;
        (caller, ag)
    };

    let identity_center = async {
        if !has(N::IdcInstances) && !want_users {
            return (Fact::default(), Vec::new());
        }
        progress("reading IAM Identity Center instances");
        let instances = sso::instances(run).await;
        if !want_users {
            return (instances, Vec::new());
        }
        progress("reading Identity Center users and groups");
        let users = sso::users(run, &instances, &target.users).await;
        (instances, users)
    };

    let studios = async {
        let roles_wanted =
            has(N::UserRole) || has(N::UserRolePolicies) || has(N::ServiceRolePolicies);
        if !has(N::Studios) && !has(N::SessionMappings) && !roles_wanted {
            return (Fact::default(), BTreeMap::new());
        }
        progress("reading EMR Studios");
        let mut studios = emr::studios(run, target.studio.as_deref()).await;
        let Fact::Known(list) = &mut studios else {
            return (studios, BTreeMap::new());
        };
        let plan = role_plan(list, needs);
        let mappings = async {
            if !has(N::SessionMappings) {
                return Vec::new();
            }
            progress("reading EMR Studio session mappings");
            let ids = list.iter().map(|s| s.studio_id.clone()).collect();
            emr::session_mappings(run, ids).await
        };
        let roles = async {
            if plan.is_empty() {
                return BTreeMap::new();
            }
            progress("reading IAM roles and policies");
            iam::roles(run, plan).await
        };
        let (mappings, roles) = tokio::join!(mappings, roles);
        for (studio, m) in list.iter_mut().zip(mappings) {
            studio.session_mappings = m;
        }
        (studios, roles)
    };

    let workgroups = async {
        if !has(N::Workgroups) && !has(N::WorkgroupAssignments) {
            return (Fact::default(), BTreeMap::new());
        }
        progress("reading Athena workgroups");
        let workgroups = athena::workgroups(run, target.workgroup.as_deref()).await;
        let arns: BTreeSet<String> = match &workgroups {
            Fact::Known(list) if has(N::WorkgroupAssignments) => list
                .iter()
                .filter_map(|w| w.identity_center_application_arn.clone())
                .collect(),
            _ => BTreeSet::new(),
        };
        if arns.is_empty() {
            return (workgroups, BTreeMap::new());
        }
        progress("reading workgroup application assignments");
        (workgroups, sso::applications(run, arns).await)
    };

    let ((caller, access_grants), (instances, users), (studios, roles), (workgroups, apps)) =
        tokio::join!(caller_and_grants, identity_center, studios, workgroups);
    Facts {
        facts_version: FACTS_VERSION,
        target,
        caller,
        identity_center_instances: instances,
        users,
        studios,
        workgroups,
        applications: apps,
        roles,
        access_grants,
    }
}

/// The roles the Studios name, by role name, each once: true when its policies are needed.
fn role_plan(studios: &[Studio], needs: &BTreeSet<Need>) -> BTreeMap<String, bool> {
    let has = |n: Need| needs.contains(&n);
    let mut plan: BTreeMap<String, bool> = BTreeMap::new();
    let mut add = |role: &Option<String>, policies: bool| {
        if let Some(r) = role.as_deref().filter(|r| !r.is_empty()) {
            let name = studio_doctor_checks::facts::role_name(r).to_string();
            let entry = plan.entry(name).or_insert(false);
            *entry |= policies;
        }
    };
    for s in studios {
        if has(Need::UserRole) || has(Need::UserRolePolicies) {
            add(&s.user_role, has(Need::UserRolePolicies));
        }
        if has(Need::ServiceRolePolicies) {
            add(&s.service_role, true);
        }
    }
    plan
}
