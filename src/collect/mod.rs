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
mod organizations;
mod run;
mod s3;
mod s3control;
mod sso;
mod sts;
mod targets;
#[cfg(test)]
mod tests;
mod timing;

pub use ops::permissions_policy;
pub use targets::{Accounts, Fleet, IdcVia, Progress, collect_all};

use run::Run;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;
use studio_doctor_checks::ctx::idc_enabled;
use studio_doctor_checks::facts::{
    AccessGrants, FACTS_VERSION, LakeFormation, Studio, Table, Target, UserFacts, WorkGroup,
    role_name,
};
use studio_doctor_checks::lf::covering_resource;
use studio_doctor_checks::modes::AuthMode;
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
    /// Calls in flight to one service at once (`--concurrency`).
    pub concurrency: usize,
}

/// Read the facts with the clients in `run`: five independent groups at once
/// (caller and S3 Access Grants, Identity Center instances, Studios, workgroups,
/// Lake Formation and Glue), then the IAM roles and session policies they name
/// and the `--user`s, in the identity store of the instance those groups use.
/// Each group's calls count for its area; each role's for the area that first
/// named it; the session policies' for EMR Studio.
async fn read(
    run: &Arc<Run>,
    target: Target,
    needs: &BTreeSet<Need>,
    progress: &(dyn Fn(&str) + Sync),
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
    // With --user, application assignments are read for the users' principals
    // once they are known, not listed in full.
    let per_user = want_users;

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
            return Fact::default();
        }
        progress("reading IAM Identity Center instances");
        let mut instances = sso::instances(run).await;
        if details {
            let described = sso::details(run, &instances).await;
            sso::apply_details(&mut instances, described);
        }
        instances
    };

    let studios = async {
        let want_mappings = has(N::SessionMappings) || has(N::SessionPolicies);
        let roles = has(N::UserRole) || has(N::UserRolePolicies) || has(N::ServiceRolePolicies);
        let want_apps = has(N::StudioApplications);
        if !has(N::Studios) && !want_mappings && !roles && !want_apps {
            return (Fact::default(), BTreeMap::new());
        }
        progress("reading EMR Studios");
        let mut studios = emr::studios(run, target.studio.as_deref()).await;
        if let Fact::Known(list) = &mut studios
            && want_mappings
        {
            // Session mappings exist only for Identity Center authentication
            // (CreateStudioSessionMapping); a Studio with IAM authentication keeps
            // the fact "not collected", and no check reads it.
            progress("reading EMR Studio session mappings");
            let sso: Vec<usize> = (0..list.len())
                .filter(|&i| {
                    list[i].auth_mode == Some(AuthMode::Sso) && list[i].unreadable.is_none()
                })
                .collect();
            let ids = sso.iter().map(|&i| list[i].studio_id.clone()).collect();
            let mappings = emr::session_mappings(run, ids).await;
            for (&i, m) in sso.iter().zip(mappings) {
                list[i].session_mappings = m;
            }
        }
        let mut apps = BTreeMap::new();
        if let Fact::Known(list) = &mut studios
            && want_apps
        {
            progress("reading EMR Studio Identity Center applications");
            let caller = sts::caller(run).await;
            let account = caller.known().ok().map(|c| c.account_id.as_str());
            // Studios with Identity Center authentication, an instance and a URL.
            let sso: Vec<usize> = (0..list.len())
                .filter(|&i| {
                    let s = &list[i];
                    s.auth_mode == Some(AuthMode::Sso)
                        && s.idc_instance_arn.is_some()
                        && s.url.is_some()
                })
                .collect();
            let keys: Vec<(String, String)> = sso
                .iter()
                .map(|&i| {
                    let s = &list[i];
                    (
                        s.idc_instance_arn.clone().unwrap_or_default(),
                        s.url.clone().unwrap_or_default(),
                    )
                })
                .collect();
            let found = sso::studio_applications(run, account, &keys).await;
            for (&i, f) in sso.iter().zip(found) {
                list[i].application_arn = f;
            }
            let arns: BTreeSet<String> = list
                .iter()
                .filter_map(|s| s.application_arn.known().ok().cloned().flatten())
                .collect();
            if !arns.is_empty() {
                apps = sso::applications(run, arns, !per_user).await;
            }
        }
        (studios, apps)
    };

    let workgroups = async {
        let roles = has(N::ExecutionRole) || has(N::ExecutionRolePolicies);
        if !has(N::Workgroups) && !has(N::WorkgroupAssignments) && !roles && !has(N::ResultsBucket)
        {
            return (Fact::default(), BTreeMap::new());
        }
        progress("reading Athena workgroups");
        let workgroups = athena::workgroups(run, target.workgroup.as_deref()).await;
        let arns: BTreeSet<String> = match &workgroups {
            Fact::Known(list) if has(N::WorkgroupAssignments) => list
                .iter()
                .filter(|w| w.unreadable.is_none())
                .filter_map(|w| w.identity_center_application_arn.clone())
                .collect(),
            _ => BTreeSet::new(),
        };
        if arns.is_empty() {
            return (workgroups, BTreeMap::new());
        }
        progress("reading workgroup application assignments");
        (workgroups, sso::applications(run, arns, !per_user).await)
    };

    // Boxed: the group's state is large, and a debug build's test thread stack small.
    let lake = Box::pin(async {
        let want_resources = has(N::LfResources) || has(N::LfLocationRole);
        let want_tables = has(N::GlueTables) || has(N::LfLocationRole);
        let identity_center = async {
            if !has(N::LfIdentityCenter) && !has(N::LfApplicationAssignments) {
                return (Fact::default(), BTreeMap::new());
            }
            progress("reading Lake Formation");
            let caller = sts::caller(run).await;
            let account = caller.known().map(|c| c.account_id.as_str());
            let config = lakeformation::identity_center(run, account).await;
            let app = match &config {
                Fact::Known(Some(c)) if has(N::LfApplicationAssignments) => {
                    c.application_arn.clone()
                }
                _ => None,
            };
            let Some(app) = app else {
                return (config, BTreeMap::new());
            };
            progress("reading Lake Formation application assignments");
            (
                config,
                sso::applications(run, [app].into(), !per_user).await,
            )
        };
        let tag_permissions = async {
            if !has(N::LfTagGrants) {
                return Fact::default();
            }
            progress("reading Lake Formation LF-Tag grants");
            lakeformation::tag_permissions(run).await
        };
        let table_tags = async {
            if !has(N::LfTagGrants) {
                return BTreeMap::new();
            }
            lakeformation::table_tags(run, &target.tables).await
        };
        let filter_permissions = async {
            if !has(N::LfDataFilters) {
                return Fact::default();
            }
            progress("reading Lake Formation data cells filters");
            lakeformation::filter_permissions(run, &target.tables).await
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
                return (BTreeMap::new(), BTreeMap::new());
            }
            progress("reading Glue tables");
            let tables = glue::tables(run, &target.tables).await;
            let missing = glue::missing_databases(&tables);
            if !has(N::GlueTables) || missing.is_empty() {
                return (tables, BTreeMap::new());
            }
            (tables, glue::table_names(run, missing).await)
        };
        let (
            (identity_center, lf_apps),
            settings,
            permissions,
            resources,
            opt_ins,
            (tables, table_names),
            (tag_permissions, table_tags, filter_permissions),
        ) = tokio::join!(
            identity_center,
            settings,
            permissions,
            resources,
            opt_ins,
            tables,
            async { tokio::join!(tag_permissions, table_tags, filter_permissions) }
        );
        let lake = LakeFormation {
            identity_center,
            settings,
            permissions,
            resources,
            opt_ins,
            tag_permissions,
            table_tags,
            filter_permissions,
        };
        (lake, tables, table_names, lf_apps)
    });

    let organization = async {
        if !has(N::Organization) {
            return Fact::default();
        }
        progress("reading the organization");
        organizations::describe(run, &run.c.org).await
    };

    let (
        access_grants,
        (instances, organization),
        (studios, studio_apps),
        (workgroups, mut apps),
        (lake_formation, tables, table_names, lf_apps),
    ) = tokio::join!(
        in_area(Some(Area::S3AccessGrants), caller_and_grants),
        in_area(
            Some(Area::IdentityCenter),
            Box::pin(async { tokio::join!(identity_center, organization) })
        ),
        in_area(Some(Area::EmrStudio), Box::pin(studios)),
        in_area(Some(Area::AthenaWorkgroup), workgroups),
        in_area(Some(Area::LakeFormation), lake)
    );

    apps.extend(lf_apps);
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
            return (BTreeMap::new(), BTreeMap::new());
        }
        progress("reading EMR Studio session policies");
        in_area(Some(Area::EmrStudio), async {
            tokio::join!(
                iam::policies_exist(run, session_policies.clone()),
                iam::session_policies(run, session_policies.clone())
            )
        })
        .await
    };
    let bucket_names = if has(N::ResultsBucket) {
        results_buckets(&workgroups, target.workgroup.is_some())
    } else {
        BTreeSet::new()
    };
    let buckets = async {
        if bucket_names.is_empty() {
            return BTreeMap::new();
        }
        progress("reading the query results buckets");
        let caller = sts::caller(run).await;
        let account = caller.known().map(|c| c.account_id.as_str());
        in_area(
            Some(Area::S3AccessGrants),
            s3::buckets(run, account, bucket_names),
        )
        .await
    };
    apps.extend(studio_apps);
    let mut facts = Facts {
        facts_version: FACTS_VERSION,
        target,
        caller: run.caller.get().cloned().unwrap_or_default(),
        identity_center_instances: instances,
        users: Vec::new(),
        users_identity_store_id: None,
        store_user_names: Fact::default(),
        studios,
        workgroups,
        applications: apps,
        roles: BTreeMap::new(),
        access_grants,
        buckets: BTreeMap::new(),
        managed_policies: BTreeMap::new(),
        session_policies: BTreeMap::new(),
        lake_formation,
        tables,
        table_names,
        organization,
        identity_center_source: None,
    };
    // Users are looked up in the store of the instance the resources read above
    // use: with an account instance beside the organization instance, the first
    // one listed may be the wrong one.
    let store = want_users.then(|| sso::user_store(&facts));
    if let Some(Ok(Some(s))) = &store {
        facts.users_identity_store_id = Some(s.clone());
    }
    let names = facts.target.users.clone();
    let users = async {
        let Some(store) = store else {
            return (Vec::new(), Fact::default());
        };
        progress("reading Identity Center users and groups");
        in_area(Some(Area::IdentityCenter), async {
            let known = store.clone().ok().flatten();
            let users = sso::users(run, store, &names).await;
            let missing = users.iter().any(|u| matches!(u.user, Fact::Known(None)));
            let names = match known {
                Some(store) if missing => sso::user_names(run, &store).await,
                _ => Fact::default(),
            };
            (users, names)
        })
        .await
    };
    let apps: Vec<String> = match per_user {
        true => facts.applications.keys().cloned().collect(),
        false => Vec::new(),
    };
    let instance = assignments_instance(&facts);
    // Boxed, like the Lake Formation group: a debug build's test thread stack is small.
    let users = Box::pin(async {
        let (users, names) = users.await;
        if apps.is_empty() {
            return (users, names, Vec::new(), None);
        }
        progress("reading the users' application assignments");
        in_area(Some(Area::IdentityCenter), async {
            let (read, of) = match &instance {
                Some(instance) => {
                    let principals = principals(&users);
                    let of = principals.iter().map(|(_, id)| id.clone()).collect();
                    let read = sso::principal_assignments(run, instance, &principals, &apps).await;
                    (read, Some(of))
                }
                None => (sso::list_assignments(run, apps.clone()).await, None),
            };
            (users, names, read, of)
        })
        .await
    });
    let (roles, (managed_policies, session_policies), (users, user_names, read, of), buckets) =
        tokio::join!(roles, managed_policies, users, buckets);
    for (arn, assignments) in apps.iter().zip(read) {
        if let Some(app) = facts.applications.get_mut(arn) {
            app.assignments = assignments;
            app.assignments_of.clone_from(&of);
        }
    }
    facts.roles = roles;
    facts.buckets = buckets;
    facts.managed_policies = managed_policies;
    facts.session_policies = session_policies;
    facts.users = users;
    facts.store_user_names = user_names;
    facts
}

/// The instance to ask `ListApplicationAssignmentsForPrincipal` without a filter:
/// the users' instance when this account owns it (the API needs a filter per
/// application from a member account on an organization instance). `None`: list
/// each application's assignments instead.
fn assignments_instance(facts: &Facts) -> Option<String> {
    let store = facts.users_identity_store_id.as_deref()?;
    let account = &facts.caller.known().ok()?.account_id;
    facts
        .identity_center_instances
        .known()
        .ok()?
        .iter()
        .find(|i| i.identity_store_id == store && i.owner_account_id.as_ref() == Some(account))
        .map(|i| i.instance_arn.clone())
}

/// The principals of the users found: each user and each of their groups.
fn principals(users: &[UserFacts]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for u in users {
        if let (Fact::Known(Some(user)), Fact::Known(groups)) = (&u.user, &u.groups) {
            out.push(("USER".to_string(), user.user_id.clone()));
            out.extend(
                groups
                    .iter()
                    .map(|g| ("GROUP".to_string(), g.group_id.clone())),
            );
        }
    }
    out.sort();
    out.dedup();
    out
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
            // The user role's iam:PassRole is judged on the service role's real ARN.
            if service || user_policies {
                self.add(Area::EmrStudio, s.service_role.as_deref(), service);
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

/// The results buckets of the target workgroups (`--workgroup`, else the
/// Identity-Center-enabled ones) that write to S3.
fn results_buckets(workgroups: &Fact<Vec<WorkGroup>>, selected: bool) -> BTreeSet<String> {
    workgroups
        .known()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|w| selected || idc_enabled(w))
        .filter(|w| w.managed_query_results != Some(true))
        .filter_map(|w| studio_doctor_checks::s3::parse(w.output_location.as_deref()?))
        .map(|u| u.bucket.to_string())
        .filter(|b| !b.is_empty())
        .collect()
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
