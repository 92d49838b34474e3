//! Collectors: read AWS into facts.
//!
//! [`collect`] reads exactly what the selected checks need, each read at most once,
//! independent reads concurrently (bounded), every list to the end. A read that
//! fails becomes an `Unknown` fact carrying the reason; "not found" answers are facts.

mod athena;
mod config;
mod emr;
mod error;
mod glue;
mod iam;
mod lakeformation;
mod ops;
mod run;
mod s3control;
mod sso;
mod sts;
#[cfg(test)]
mod tests;
mod timing;

pub use error::SetupError;
pub use ops::permissions_policy;
pub use timing::{AreaTiming, Timings};

use run::Run;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;
use studio_doctor_checks::ctx::idc_enabled;
use studio_doctor_checks::facts::{
    AccessGrants, FACTS_VERSION, LakeFormation, Studio, Table, Target, WorkGroup, role_name,
};
use studio_doctor_checks::lf::covering_resource;
use studio_doctor_checks::{Area, Fact, Facts, Need};
use timing::in_area;

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

/// Read the facts `needs` asks for about `target`, and how long each area's reads
/// took (kept out of the facts, which must replay byte for byte). `progress` is
/// told what is being read as reads start.
pub async fn collect_timed(
    settings: &Settings,
    mut target: Target,
    needs: &BTreeSet<Need>,
    progress: &dyn Fn(&str),
) -> Result<(Facts, Timings), SetupError> {
    let started = tokio::time::Instant::now();
    progress("loading AWS configuration");
    let sdk = config::load(settings).await?;
    target.region = sdk.region().map(|r| r.to_string()).unwrap_or_default();
    let log = ops::OpLog::default();
    let clients = config::clients(&sdk, &log, &|_| Vec::new());
    let run = Run::new(clients, log, started, settings.timeout);
    let facts = read(&run, target, needs, progress).await;
    let unmatched = run.unmatched.lock().ok().and_then(|mut u| u.take());
    if let Some((flag, name, found)) = unmatched {
        return Err(SetupError::NotFound {
            flag,
            name,
            region: facts.target.region.clone(),
            found,
        });
    }
    Ok((facts, run.timings()))
}

/// Read the facts with the clients in `run`: five independent groups at once
/// (caller and S3 Access Grants, Identity Center, Studios, workgroups, Lake
/// Formation and Glue), then the IAM roles and session policies they name.
/// Each group's calls count for its area; each role's for the area that first
/// named it; the session policies' for EMR Studio.
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
        locations: has(N::AccessGrantsLocations)
            || has(N::LocationRole)
            || has(N::LocationRolePolicies),
        grants: has(N::AccessGrants),
    };
    let want_grants = grants.instance || grants.locations || grants.grants;
    let want_users = has(N::Users) && !target.users.is_empty();

    let caller_and_grants = async {
        if has(N::Caller) {
            progress("reading the caller identity");
            sts::caller(run).await;
        }
        if !want_grants {
            return AccessGrants::default();
        }
        progress("reading S3 Access Grants");
        let caller = sts::caller(run).await;
        let account = caller.known().map(|c| c.account_id.as_str());
        s3control::access_grants(run, account, grants).await
    };

    let identity_center = async {
        let details = has(N::IdcInstanceDetails);
        if !has(N::IdcInstances) && !want_users && !details {
            return (Fact::default(), Vec::new());
        }
        progress("reading IAM Identity Center instances");
        let mut instances = sso::instances(run).await;
        let users = async {
            if !want_users {
                return Vec::new();
            }
            progress("reading Identity Center users and groups");
            sso::users(run, &instances, &target.users).await
        };
        let described = async {
            if !details {
                return Vec::new();
            }
            sso::details(run, &instances).await
        };
        let (users, described) = tokio::join!(users, described);
        sso::apply_details(&mut instances, described);
        (instances, users)
    };

    let studios = async {
        let want_mappings = has(N::SessionMappings) || has(N::SessionPolicies);
        let roles = has(N::UserRole) || has(N::UserRolePolicies) || has(N::ServiceRolePolicies);
        if !has(N::Studios) && !want_mappings && !roles {
            return Fact::default();
        }
        progress("reading EMR Studios");
        let mut studios = emr::studios(run, target.studio.as_deref()).await;
        if let Fact::Known(list) = &mut studios
            && want_mappings
        {
            progress("reading EMR Studio session mappings");
            let ids = list.iter().map(|s| s.studio_id.clone()).collect();
            let mappings = emr::session_mappings(run, ids).await;
            for (studio, m) in list.iter_mut().zip(mappings) {
                studio.session_mappings = m;
            }
        }
        studios
    };

    let workgroups = async {
        let roles = has(N::ExecutionRole) || has(N::ExecutionRolePolicies);
        if !has(N::Workgroups) && !has(N::WorkgroupAssignments) && !roles {
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

    let lake = async {
        let want_resources = has(N::LfResources) || has(N::LfLocationRole);
        let want_tables = has(N::GlueTables) || has(N::LfLocationRole);
        let identity_center = async {
            if !has(N::LfIdentityCenter) {
                return Fact::default();
            }
            progress("reading Lake Formation");
            let caller = sts::caller(run).await;
            let account = caller.known().map(|c| c.account_id.as_str());
            lakeformation::identity_center(run, account).await
        };
        let settings = async {
            if !has(N::LfSettings) {
                return Fact::default();
            }
            progress("reading Lake Formation");
            lakeformation::settings(run).await
        };
        let permissions = async {
            if !has(N::LfPermissions) {
                return Fact::default();
            }
            progress("reading Lake Formation permissions");
            lakeformation::permissions(run, &target.tables).await
        };
        let resources = async {
            if !want_resources {
                return Fact::default();
            }
            progress("reading Lake Formation data locations");
            lakeformation::resources(run).await
        };
        let opt_ins = async {
            if !has(N::LfOptIns) {
                return Fact::default();
            }
            progress("reading Lake Formation opt-ins");
            lakeformation::opt_ins(run).await
        };
        let tables = async {
            if !want_tables || target.tables.is_empty() {
                return BTreeMap::new();
            }
            progress("reading Glue tables");
            glue::tables(run, &target.tables).await
        };
        let (identity_center, settings, permissions, resources, opt_ins, tables) = tokio::join!(
            identity_center,
            settings,
            permissions,
            resources,
            opt_ins,
            tables
        );
        let lake = LakeFormation {
            identity_center,
            settings,
            permissions,
            resources,
            opt_ins,
        };
        (lake, tables)
    };

    let (access_grants, (instances, users), studios, (workgroups, apps), (lake_formation, tables)) = tokio::join!(
        in_area(Some(Area::S3AccessGrants), caller_and_grants),
        in_area(Some(Area::IdentityCenter), identity_center),
        in_area(Some(Area::EmrStudio), studios),
        in_area(Some(Area::AthenaWorkgroup), workgroups),
        in_area(Some(Area::LakeFormation), lake)
    );

    let plan = RolePlan::new(needs)
        .studios(&studios)
        .workgroups(&workgroups, target.workgroup.is_some())
        .locations(&access_grants)
        .lake_formation(&lake_formation, &tables);
    let session_policies = if has(N::SessionPolicies) {
        session_policy_arns(&studios)
    } else {
        BTreeSet::new()
    };
    let roles = async {
        if plan.roles.is_empty() {
            return BTreeMap::new();
        }
        progress("reading IAM roles and policies");
        iam::roles(run, plan.roles).await
    };
    let managed_policies = async {
        if session_policies.is_empty() {
            return BTreeMap::new();
        }
        progress("reading EMR Studio session policies");
        in_area(
            Some(Area::EmrStudio),
            iam::policies_exist(run, session_policies),
        )
        .await
    };
    let (roles, managed_policies) = tokio::join!(roles, managed_policies);

    Facts {
        facts_version: FACTS_VERSION,
        target,
        caller: run.caller.get().cloned().unwrap_or_default(),
        identity_center_instances: instances,
        users,
        studios,
        workgroups,
        applications: apps,
        roles,
        access_grants,
        managed_policies,
        lake_formation,
        tables,
    }
}

/// The roles to read, by role name, each once: whether its policies are needed
/// too (the union over every source that names it), and the area of the first
/// source that names it (its reads count for that area).
struct RolePlan<'a> {
    needs: &'a BTreeSet<Need>,
    roles: BTreeMap<String, iam::Plan>,
}

impl<'a> RolePlan<'a> {
    fn new(needs: &'a BTreeSet<Need>) -> Self {
        RolePlan {
            needs,
            roles: BTreeMap::new(),
        }
    }

    fn has(&self, n: Need) -> bool {
        self.needs.contains(&n)
    }

    fn add(&mut self, area: Area, role: Option<&str>, policies: bool) {
        if let Some(r) = role.filter(|r| !r.is_empty()) {
            let name = role_name(r).to_string();
            let plan = self.roles.entry(name).or_insert(iam::Plan {
                policies: false,
                area,
            });
            plan.policies |= policies;
        }
    }

    /// The Studios' user roles and service roles.
    fn studios(mut self, studios: &Fact<Vec<Studio>>) -> Self {
        let user = self.has(Need::UserRole) || self.has(Need::UserRolePolicies);
        let user_policies = self.has(Need::UserRolePolicies);
        let service = self.has(Need::ServiceRolePolicies);
        for s in studios.known().map(Vec::as_slice).unwrap_or_default() {
            if user {
                self.add(Area::EmrStudio, s.user_role.as_deref(), user_policies);
            }
            if service {
                self.add(Area::EmrStudio, s.service_role.as_deref(), true);
            }
        }
        self
    }

    /// The execution roles of the target workgroups (`--workgroup`, else the
    /// Identity-Center-enabled ones).
    fn workgroups(mut self, workgroups: &Fact<Vec<WorkGroup>>, selected: bool) -> Self {
        if !self.has(Need::ExecutionRole) && !self.has(Need::ExecutionRolePolicies) {
            return self;
        }
        let policies = self.has(Need::ExecutionRolePolicies);
        for w in workgroups.known().map(Vec::as_slice).unwrap_or_default() {
            if selected || idc_enabled(w) {
                self.add(Area::AthenaWorkgroup, w.execution_role.as_deref(), policies);
            }
        }
        self
    }

    /// The IAM roles of the S3 Access Grants locations.
    fn locations(mut self, access_grants: &AccessGrants) -> Self {
        if !self.has(Need::LocationRole) && !self.has(Need::LocationRolePolicies) {
            return self;
        }
        let policies = self.has(Need::LocationRolePolicies);
        let locations = access_grants.locations.known();
        for l in locations.map(Vec::as_slice).unwrap_or_default() {
            self.add(Area::S3AccessGrants, l.iam_role_arn.as_deref(), policies);
        }
        self
    }

    /// The roles of the Lake Formation registrations covering the tables (trust only).
    fn lake_formation(
        mut self,
        lake: &LakeFormation,
        tables: &BTreeMap<String, Fact<Option<Table>>>,
    ) -> Self {
        if !self.has(Need::LfLocationRole) {
            return self;
        }
        let Ok(resources) = lake.resources.known() else {
            return self;
        };
        for table in tables.values() {
            if let Ok(Some(Table {
                location: Some(location),
            })) = table.known()
                && let Some(r) = covering_resource(resources, location)
            {
                self.add(Area::LakeFormation, r.role_arn.as_deref(), false);
            }
        }
        self
    }
}

/// The distinct session policy ARNs of the Studios' session mappings.
fn session_policy_arns(studios: &Fact<Vec<Studio>>) -> BTreeSet<String> {
    studios
        .known()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|s| s.session_mappings.known().ok())
        .flatten()
        .filter_map(|m| m.session_policy_arn.clone())
        .filter(|a| !a.is_empty())
        .collect()
}
