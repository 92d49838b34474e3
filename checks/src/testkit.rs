//! Test helpers: the shipped example accounts, a one-check runner, and handles on
//! the parts of the healthy account that tests mutate.

use crate::check::Status;
use crate::fact::{Fact, Unknown, UnknownKind};
use crate::facts::{
    AccessGrantsLocation, Facts, IdcInstance, LfPermission, LfResource, Policy, Role, Studio,
    WorkGroup,
};
use crate::registry;
use crate::report::{CheckResult, Report};
use crate::run::{RunOptions, run, run_with};
use crate::waivers::{Date, Waiver};
use serde_json::Value;

pub fn healthy() -> Facts {
    Facts::from_json(include_str!("../../examples/healthy-account.json")).unwrap()
}

/// Run one check (with its prerequisites evaluated, unreported) on these facts.
pub fn results(id: &str, facts: &Facts) -> Vec<CheckResult> {
    let check = registry::find(id).expect("known check id");
    let mut results = run(facts, &[check], "test").results;
    // Prerequisites that caused a skip are reported too; tests look at `id` only.
    results.retain(|r| r.id == check.meta.id);
    results
}

pub fn statuses(id: &str, facts: &Facts) -> Vec<Status> {
    results(id, facts).iter().map(|r| r.status).collect()
}

/// The single result of a check that yields one; panics otherwise.
pub fn only(id: &str, facts: &Facts) -> CheckResult {
    let mut r = results(id, facts);
    assert_eq!(r.len(), 1, "{id} gave {r:#?}");
    r.remove(0)
}

/// The single result of a check, asserted to be a skip whose message names
/// `because` (the prerequisite that failed, or "nothing to check").
pub fn skipped(id: &str, facts: &Facts, because: &str) -> CheckResult {
    let r = only(id, facts);
    assert_eq!(r.status, Status::Skip, "{r:#?}");
    assert!(r.message.contains(because), "{}", r.message);
    r
}

/// The report of a run of these checks (prerequisites unreported unless they
/// cause a skip).
pub fn report_of(ids: &[&str], facts: &Facts) -> Report {
    report_with(ids, facts, &RunOptions::default())
}

/// [`report_of`] with severity overrides, waivers or a date.
pub fn report_with(ids: &[&str], facts: &Facts, options: &RunOptions) -> Report {
    let sel: Vec<_> = ids.iter().map(|i| registry::find(i).unwrap()).collect();
    run_with(facts, &sel, "test", options)
}

pub fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// A waiver with the reason "accepted".
pub fn waiver(check: &str, resource: Option<&str>, expires: Option<&str>) -> Waiver {
    Waiver {
        check: check.into(),
        resource: resource.map(str::to_string),
        reason: "accepted".into(),
        expires: expires.map(date),
        errors: false,
    }
}

/// AG001 fails (error severity) for the whole region.
pub fn no_access_grants() -> Facts {
    let mut f = healthy();
    f.access_grants.instance = Fact::Known(None);
    f
}

/// An AccessDenied reason for a fact, naming the action.
pub fn denied(action: &str) -> Unknown {
    Unknown::new(UnknownKind::AccessDenied, action, "no")
}

/// No `--user`: the per-user checks ask whether anyone is assigned.
pub fn without_user(f: &mut Facts) {
    f.users.clear();
    f.target.users.clear();
}

/// The first Studio (healthy: "analytics").
pub fn studio(f: &mut Facts) -> &mut Studio {
    match &mut f.studios {
        Fact::Known(v) => &mut v[0],
        Fact::Unknown(_) => panic!("studios unknown"),
    }
}

/// The healthy account's Identity Center workgroup, "idc-wg".
pub fn idc_wg(f: &mut Facts) -> &mut WorkGroup {
    match &mut f.workgroups {
        Fact::Known(v) => v.iter_mut().find(|w| w.name == "idc-wg").unwrap(),
        Fact::Unknown(_) => panic!("workgroups unknown"),
    }
}

/// The first Identity Center instance (healthy: the region's only one).
pub fn instance(f: &mut Facts) -> &mut IdcInstance {
    match &mut f.identity_center_instances {
        Fact::Known(v) => &mut v[0],
        Fact::Unknown(_) => panic!("instances unknown"),
    }
}

/// The Lake Formation permission list.
pub fn lf_permissions(f: &mut Facts) -> &mut Vec<LfPermission> {
    match &mut f.lake_formation.permissions {
        Fact::Known(p) => p,
        Fact::Unknown(_) => panic!("permissions unknown"),
    }
}

/// A grant of `permissions` on `flightdata_db`: on `table`, on all its tables
/// (`wildcard`), or on the database itself.
pub fn lf_grant(
    principal: &str,
    table: Option<&str>,
    wildcard: bool,
    permissions: &[&str],
) -> LfPermission {
    LfPermission {
        principal: principal.into(),
        database: "flightdata_db".into(),
        table: table.map(Into::into),
        table_wildcard: wildcard,
        permissions: permissions.iter().map(|s| s.to_string()).collect(),
    }
}

/// The Lake Formation registered locations.
pub fn lf_resources(f: &mut Facts) -> &mut Vec<LfResource> {
    match &mut f.lake_formation.resources {
        Fact::Known(r) => r,
        Fact::Unknown(_) => panic!("resources unknown"),
    }
}

/// The role with this name; it must be known to exist.
pub fn role<'a>(f: &'a mut Facts, name: &str) -> &'a mut Role {
    match f.roles.get_mut(name) {
        Some(Fact::Known(Some(r))) => r,
        _ => panic!("no role {name}"),
    }
}

/// The role's inline policies; they must be known.
pub fn inline<'a>(f: &'a mut Facts, role_name: &str) -> &'a mut Vec<Policy> {
    match &mut role(f, role_name).inline_policies {
        Fact::Known(p) => p,
        Fact::Unknown(_) => panic!("inline policies of {role_name} unknown"),
    }
}

/// The statements of the role's first inline policy.
pub fn statements<'a>(f: &'a mut Facts, role_name: &str) -> &'a mut Vec<Value> {
    inline(f, role_name)[0].document["Statement"]
        .as_array_mut()
        .unwrap()
}

/// The quoted JSON argument of `flag` in a command that ends with it, e.g. the
/// `--policy-document '...'` of a put-role-policy command.
pub fn json_arg(cmd: &str, flag: &str) -> Value {
    let head = format!("{flag} '");
    let start = cmd.find(&head).unwrap() + head.len();
    serde_json::from_str(&cmd[start..cmd.len() - 1]).unwrap()
}

/// Two locations over the results: `default` (`s3://`, where the healthy
/// grant is) with `default_role`, and `loc-b` (the results bucket, more
/// specific) with `bucket_role`. "BrokenRole" is the healthy location role
/// without the sts:SetContext trust statement and without policies.
pub fn two_locations(f: &mut Facts, default_role: &str, bucket_role: &str) {
    let mut broken = role(f, "S3AccessGrantsLocationRole").clone();
    broken.role_name = "BrokenRole".into();
    broken.arn = "arn:aws:iam::111122223333:role/BrokenRole".into();
    broken.trust_policy["Statement"]
        .as_array_mut()
        .unwrap()
        .retain(|s| s["Sid"] != "AccessGrantsTrustPolicyWithIDCContext");
    broken.inline_policies = Fact::Known(vec![]);
    broken.attached_policies = Fact::Known(vec![]);
    f.roles
        .insert("BrokenRole".into(), Fact::Known(Some(broken)));
    let loc = |id: &str, scope: &str, r: &str| AccessGrantsLocation {
        access_grants_location_id: id.into(),
        location_scope: scope.into(),
        iam_role_arn: Some(format!("arn:aws:iam::111122223333:role/{r}")),
    };
    f.access_grants.locations = Fact::Known(vec![
        loc("default", "s3://", default_role),
        loc("loc-b", "s3://athena-results-111122223333", bucket_role),
    ]);
}
