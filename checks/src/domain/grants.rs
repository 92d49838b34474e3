//! S3 Access Grants on a workgroup's query results: the results location, the
//! grants that serve it, and the locations (and their roles) S3 Access Grants
//! uses for it.

use crate::check::{Outcome, Remediation};
use crate::ctx::{Ctx, workgroup_label};
use crate::facts::{AccessGrant, AccessGrantsInstance, AccessGrantsLocation, WorkGroup};
use crate::fix::Action;
use crate::fixes::{create_default_location, output_fix};
use crate::idc::region_idc_instance;
use crate::modes::GrantPermission;
use crate::s3;

/// What a new S3 Access Grants instance's fix cites (AG001's documentation).
pub(crate) const INSTANCE_DOCS: &[&str] = &[
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-instance-create.html",
    "https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html",
];

/// The region's S3 Access Grants instance, or the outcome to report instead:
/// none (a failure with the fix that creates it) or unreadable (an error).
pub(crate) fn instance<'a>(ctx: &Ctx<'a>) -> Result<&'a AccessGrantsInstance, Box<Outcome>> {
    let resource = format!("S3 Access Grants in {}", ctx.region());
    match ctx.facts.access_grants.instance.known() {
        Ok(Some(i)) => Ok(i),
        Err(u) => Err(Box::new(Outcome::unknown(
            resource,
            "the S3 Access Grants instance",
            u,
        ))),
        Ok(None) => {
            let idc = region_idc_instance(ctx).unwrap_or("<IDENTITY_CENTER_INSTANCE_ARN>");
            Err(Box::new(
                Outcome::fail(
                    resource,
                    format!(
                        "no S3 Access Grants instance in {} (account {}): Athena cannot write query results for Identity Center users, so queries fail even with AdministratorAccess",
                        ctx.region(),
                        ctx.account()
                    ),
                )
                .fix(Remediation::new(
                    "Create the S3 Access Grants instance associated with the region's IAM Identity Center instance, then register a location (AG003) and grant the results prefix (AG005)",
                    vec![Action::CreateAccessGrantsInstance {
                        region: ctx.region().to_string(),
                        account_id: ctx.account().to_string(),
                        identity_center_arn: Some(idc.to_string()),
                    }],
                    INSTANCE_DOCS,
                )),
            ))
        }
    }
}

/// Whether the workgroup keeps query results in Athena-owned storage
/// (`ManagedQueryResultsConfiguration.Enabled`): then there is no S3 results
/// location for S3 Access Grants to govern.
pub(crate) fn managed_results(w: &WorkGroup) -> bool {
    w.managed_query_results == Some(true)
}

/// The outcome of the S3 Access Grants checks for a workgroup with managed
/// results: nothing in S3 to govern (WG006 warns about the setting).
pub(crate) fn managed_pass(w: &WorkGroup) -> Outcome {
    let label = workgroup_label(w);
    Outcome::pass(
        &label,
        format!(
            "{label} keeps query results in Athena-managed storage, not in S3: S3 Access Grants has no results location to govern (WG006 judges that setting)"
        ),
    )
}

/// The workgroup's query result location as an `s3://bucket/...` URL, or why not.
pub(crate) fn results_location(w: &WorkGroup) -> Result<&str, String> {
    match w.output_location.as_deref().filter(|o| !o.is_empty()) {
        None => Err("has no query result location (ResultConfiguration.OutputLocation)".into()),
        Some(o) if s3::parse(o).is_some_and(|u| !u.bucket.is_empty()) => Ok(o),
        Some(o) => Err(format!(
            "has a query result location that is not an s3://bucket/prefix URL ({o})"
        )),
    }
}

/// An S3 Access Grants location whose role serves a workgroup's results, and why.
pub(crate) struct Serving<'a> {
    pub loc: &'a AccessGrantsLocation,
    pub why: String,
}

/// The locations whose roles serve a workgroup's results. S3 Access Grants
/// assumes the role of the location the matching grant belongs to
/// (`AccessGrantsLocationId`), so: the location of each grant AG005 matches
/// (per `--user`); when none matches yet, the most specific location covering
/// the results (where AG005's fix creates the grant). Err: the outcome to
/// report instead (AG003 fails the first two cases, so they are skipped).
/// Used by AG004 and AG006. (Boxed: an `Outcome` is large.)
pub(crate) fn serving_locations<'a>(
    ctx: &Ctx<'a>,
    w: &WorkGroup,
    docs: &[&str],
) -> Result<Vec<Serving<'a>>, Box<Outcome>> {
    let label = workgroup_label(w);
    let out = results_location(w).map_err(|why| {
        Outcome::fail(&label, format!("{label} {why} (see AG003)")).fix(output_fix(ctx, w, docs))
    })?;
    let locations = ctx
        .facts
        .access_grants
        .locations
        .known()
        .map_err(|u| Outcome::unknown(&label, "the S3 Access Grants locations", u))?;
    let mut serving: Vec<Serving<'a>> = Vec::new();
    for m in matched_grants(ctx, w) {
        let Some(loc) = s3::grant_location(m.grant, locations) else {
            continue;
        };
        if serving
            .iter()
            .any(|s| s.loc.access_grants_location_id == loc.access_grants_location_id)
        {
            continue;
        }
        serving.push(Serving {
            loc,
            why: format!(
                "the location of grant {}, which serves {} on {label}'s results",
                m.grant.access_grant_id, m.who
            ),
        });
    }
    if !serving.is_empty() {
        return Ok(serving);
    }
    let l = s3::covering_location(locations, &s3::as_dir(out)).ok_or_else(|| {
        Outcome::fail(
            &label,
            format!("no S3 Access Grants location covers {label}'s query result location {out} (see AG003)"),
        )
        .fix(Remediation::new(
            "Register the default location s3:// with a role that trusts access-grants.s3.amazonaws.com (see AG003)",
            vec![create_default_location(ctx)],
            docs,
        ))
    })?;
    Ok(vec![Serving {
        loc: l,
        why: format!(
            "covering {label}'s results, where a grant would be made: no grant gives them yet (AG005)"
        ),
    }])
}

/// The role ARN of a serving location, or the failure when it reports none.
pub(crate) fn location_role<'a>(
    ctx: &Ctx,
    s: &Serving<'a>,
    docs: &[&str],
) -> Result<&'a str, Box<Outcome>> {
    let l = s.loc;
    match l.iam_role_arn.as_deref().filter(|r| !r.is_empty()) {
        Some(role) => Ok(role),
        None => Err(Box::new(Outcome::fail(
            format!("S3 Access Grants location {}", l.access_grants_location_id),
            format!(
                "S3 Access Grants location {} ({}), {}, reports no IAM role, so S3 Access Grants cannot reach the bucket",
                l.access_grants_location_id, l.location_scope, s.why
            ),
        )
        .fix(
            Remediation::new(
                "Give the location a role that trusts access-grants.s3.amazonaws.com and can read and write the results bucket",
                vec![Action::UpdateAccessGrantsLocation {
                    region: ctx.region().to_string(),
                    account_id: ctx.account().to_string(),
                    access_grants_location_id: l.access_grants_location_id.clone(),
                    iam_role_arn: format!(
                        "arn:aws:iam::{}:role/<S3AG_LOCATION_ROLE>",
                        ctx.account()
                    ),
                }],
                docs,
            )
            .replaces(LOCATION_KEEPS),
        ))),
    }
}

/// What a location keeps when `UpdateAccessGrantsLocation` changes its role.
pub(crate) const LOCATION_KEEPS: &str =
    "the location keeps its scope and its grants: only its IAM role changes";

/// `arn:aws:s3:<region>:<account>:access-grants/default` (one instance per
/// region and account, always `default`).
pub(crate) fn instance_arn(ctx: &Ctx, account: &str) -> String {
    format!(
        "arn:aws:s3:{}:{account}:access-grants/default",
        ctx.region()
    )
}

/// Where a grant's `ApplicationArn` pins it (a pinned grant is served "only
/// through this application").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pin {
    /// Not pinned.
    None,
    /// Pinned to the workgroup's own Identity Center application.
    Workgroup,
    /// Pinned to some other application.
    Other,
}

pub(crate) fn pin(g: &AccessGrant, w: &WorkGroup) -> Pin {
    match g.application_arn.as_deref().filter(|a| !a.is_empty()) {
        None => Pin::None,
        Some(a) if w.identity_center_application_arn.as_deref() == Some(a) => Pin::Workgroup,
        Some(_) => Pin::Other,
    }
}

pub(crate) fn per_user(w: &WorkGroup) -> bool {
    w.s3_access_grants
        .as_ref()
        .is_some_and(|c| c.create_user_level_prefix)
}

/// The prefix Athena writes one user's results under.
pub(crate) fn user_prefix(dir: &str, per_user: bool, user_id: &str) -> String {
    if per_user {
        format!("{dir}{user_id}/")
    } else {
        dir.to_string()
    }
}

pub(crate) fn locations<'a>(ctx: &Ctx<'a>) -> &'a [AccessGrantsLocation] {
    ctx.facts
        .access_grants
        .locations
        .known()
        .map(Vec::as_slice)
        .unwrap_or_default()
}

pub(crate) fn directory(g: &AccessGrant) -> bool {
    g.grantee_type.identity().is_some()
}

/// A grant this check accepts (or warns on) for a workgroup's results, and whom
/// it serves. AG004 and AG006 judge the role of its location: S3 Access Grants
/// assumes the role of the location the matched grant belongs to.
pub(crate) struct Matched<'a> {
    pub grant: &'a AccessGrant,
    pub who: String,
}

/// The READWRITE grants (not pinned to another application) that give each
/// `--user` the results prefix (one per user, an unpinned one first), or without
/// `--user` every such grant to a directory identity. Empty when the facts do
/// not tell (AG005 then reports why).
pub(crate) fn matched_grants<'a>(ctx: &Ctx<'a>, w: &WorkGroup) -> Vec<Matched<'a>> {
    let (Ok(grants), Ok(out)) = (ctx.facts.access_grants.grants.known(), results_location(w))
    else {
        return Vec::new();
    };
    let dir = s3::as_dir(out);
    let locs = locations(ctx);
    let ok =
        |g: &&AccessGrant| g.permission == GrantPermission::ReadWrite && pin(g, w) != Pin::Other;
    if ctx.users().is_empty() {
        return grants
            .iter()
            .filter(|g| directory(g))
            .filter(ok)
            .filter(|g| {
                if per_user(w) {
                    s3::reaches(g, locs, &dir)
                } else {
                    s3::covers(g, locs, &dir)
                }
            })
            .map(|g| Matched {
                grant: g,
                who: format!("{} {}", g.grantee_type, g.grantee_identifier),
            })
            .collect();
    }
    ctx.users()
        .iter()
        .filter_map(|u| {
            let p = ctx.principals(u).ok().flatten()?;
            let prefix = user_prefix(&dir, per_user(w), p.user_id);
            let g = grants
                .iter()
                .filter(ok)
                .filter(|g| p.matches_grantee(g))
                .filter(|g| s3::covers(g, locs, &prefix))
                .min_by_key(|g| pin(g, w) != Pin::None)?;
            Some(Matched {
                grant: g,
                who: format!("user \"{}\"", p.user_name),
            })
        })
        .collect()
}
