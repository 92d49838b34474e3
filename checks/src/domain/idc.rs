//! Identity Center principals the checks share: whom a per-user check asks
//! about, how a user or group is named and reached, the user lookup fix, the
//! region's instance, and an application's assignments.

use crate::check::{Outcome, Remediation};
use crate::ctx::{Ctx, Principals};
use crate::fact::{Unknown, UnknownKind};
use crate::facts::{Assignment, IdcInstance, SessionMapping};
use crate::modes::{IdentityType, InstanceStatus};
use crate::scope::Scope;

/// What a user lookup's fix cites: the IAM Identity Center user docs.
pub(crate) const USER_DOCS: &[&str] = &[
    "https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_GetUserId.html",
    "https://docs.aws.amazon.com/singlesignon/latest/userguide/disableuser.html",
    "https://docs.aws.amazon.com/singlesignon/latest/userguide/provision-automatically.html",
];

/// Whom a per-user check asks about.
pub(crate) enum Who<'a> {
    /// No `--user`: is anyone assigned at all?
    Anyone,
    User(Principals<'a>),
    /// `--user` names nobody in the identity store.
    Missing(&'a str),
    /// The user's facts could not be read.
    Unread(&'a str, Unknown),
}

impl Who<'_> {
    /// `user:<name>` for a `--user`; `None` for `Anyone`.
    pub(crate) fn scope(&self) -> Option<Scope> {
        match self {
            Who::Anyone => None,
            Who::User(p) => Some(Scope::user(p.user_name)),
            Who::Missing(n) | Who::Unread(n, _) => Some(Scope::user(n)),
        }
    }
}

/// Add the user's scope, if any, to a per-user outcome.
pub(crate) fn scoped(o: Outcome, scope: Option<Scope>) -> Outcome {
    match scope {
        Some(s) => o.scope(s),
        None => o,
    }
}

/// One entry per `--user`, or `Anyone` without `--user`.
pub(crate) fn who<'a>(ctx: &Ctx<'a>) -> Vec<Who<'a>> {
    let users = ctx.users();
    let asked = &ctx.facts.target.users;
    if users.is_empty() && asked.is_empty() {
        return vec![Who::Anyone];
    }
    let mut out: Vec<Who> = users
        .iter()
        .map(|u| match ctx.principals(u) {
            Ok(Some(p)) => Who::User(p),
            Ok(None) => Who::Missing(&u.user_name),
            Err(e) => Who::Unread(&u.user_name, e.clone()),
        })
        .collect();
    // A `--user` whose lookup is missing from the facts must not pass silently.
    for name in asked {
        if !users.iter().any(|u| &u.user_name == name) {
            out.push(Who::Unread(
                name,
                Unknown::new(
                    UnknownKind::NotCollected,
                    "identitystore:GetUserId",
                    format!("user {name} is not in the facts"),
                ),
            ));
        }
    }
    out
}

/// `user "alice" (97a4...)`.
pub(crate) fn user_label(p: &Principals) -> String {
    format!("user \"{}\" ({})", p.user_name, p.user_id)
}

/// How a matching principal reaches the user: `directly` / `through group analysts`.
pub(crate) fn via(p: &Principals, kind: &IdentityType, id: &str) -> String {
    if *kind == IdentityType::User {
        "directly".into()
    } else {
        format!("through group {} ({id})", p.group_name(id))
    }
}

/// ` (groups: analysts)` or ` (the user is in no group)`.
pub(crate) fn groups_note(p: &Principals) -> String {
    if p.groups.is_empty() {
        return " (the user is in no group)".into();
    }
    let names: Vec<_> = p.groups.iter().map(|g| p.group_name(&g.group_id)).collect();
    format!(" (groups: {})", names.join(", "))
}

/// A `--user` the identity store does not know.
pub(crate) fn missing_user(ctx: &Ctx, name: &str, resource: &str) -> Outcome {
    let store = looked_up_in(ctx);
    Outcome::fail(
        resource,
        format!("no Identity Center user named \"{name}\" in identity store {store}, so {resource} cannot be checked for them"),
    )
    .fix(find_user_fix(ctx, name, store))
}

/// The identity store the users were looked up in (older facts files do not
/// say: then the store of the instance the path uses).
pub(crate) fn looked_up_in<'a>(ctx: &Ctx<'a>) -> &'a str {
    ctx.facts
        .users_identity_store_id
        .as_deref()
        .or_else(|| ctx.identity_store())
        .unwrap_or("<IDENTITY_STORE_ID>")
}

/// Look the user name up the way this check does, and list the store's user
/// names: read-only lookups, so the fix is a manual one that names them.
pub(crate) fn find_user_fix(ctx: &Ctx, name: &str, store: &str) -> Remediation {
    let region = ctx.region();
    let id = serde_json::json!({"UniqueAttribute": {"AttributePath": "userName", "AttributeValue": name}});
    Remediation::new(
        format!(
            "Check the exact userName (users synced from Entra ID usually have their UPN): `aws identitystore get-user-id --region {region} --identity-store-id {store} --alternate-identifier {}` looks it up the way studio-doctor does, and `aws identitystore list-users --region {region} --identity-store-id {store} --query 'Users[].UserName'` lists the store's user names. If the user comes from an external identity provider, check that they are in scope of SCIM provisioning and that the last provisioning cycle succeeded",
            single_quoted(&id.to_string())
        ),
        Vec::new(),
        USER_DOCS,
    )
}

/// `s` as one single-quoted shell word.
pub(crate) fn single_quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `instance "analytics-org" (arn..., identity store d-...)`.
pub(crate) fn instance_label(i: &IdcInstance) -> String {
    let name = i
        .name
        .as_deref()
        .map(|n| format!("\"{n}\" "))
        .unwrap_or_default();
    format!(
        "IAM Identity Center instance {name}({}, identity store {})",
        i.instance_arn, i.identity_store_id
    )
}

/// The region's IAM Identity Center instance, when `sso:ListInstances` was read:
/// of those listed, the one the query path uses (see [`Ctx::idc_instance`]), else
/// the first ACTIVE one, else the first one.
pub(crate) fn region_idc_instance<'a>(ctx: &Ctx<'a>) -> Option<&'a str> {
    let all = ctx.facts.identity_center_instances.known().ok()?;
    let listed = |arn: &str| all.iter().any(|i| i.instance_arn == arn);
    ctx.idc_instance()
        .map(|c| c.arn)
        .filter(|arn| listed(arn))
        .or_else(|| {
            all.iter()
                .find(|i| i.status == Some(InstanceStatus::Active))
                .or_else(|| all.first())
                .map(|i| i.instance_arn.as_str())
        })
}

/// An Identity Center application's assignments as the facts hold them:
/// `Ok(None)` when it does not require assignments, `Ok(Some(list))` when it
/// does; `Err` is the `error` outcome (about `label`) naming what could not be read.
pub(crate) fn required_assignments<'a>(
    ctx: &Ctx<'a>,
    label: &str,
    arn: &str,
) -> Result<Option<&'a [Assignment]>, Box<Outcome>> {
    let unread =
        |u: &Unknown, what: &str| Box::new(Outcome::unknown(label, &format!("{what}{arn}"), u));
    let Some(app) = ctx.facts.applications.get(arn) else {
        let why = Unknown::new(
            UnknownKind::NotCollected,
            "sso:GetApplicationAssignmentConfiguration",
            format!("application {arn} is not in the facts"),
        );
        return Err(unread(&why, "the assignments of "));
    };
    match app.assignment_required.known() {
        Ok(false) => return Ok(None),
        Ok(true) => {}
        Err(u) => return Err(unread(u, "the assignment configuration of ")),
    }
    match ctx.assignments(app) {
        Ok(a) => Ok(Some(a)),
        Err(u) => Err(unread(&u, "the assignments of ")),
    }
}

/// The identities of session mappings: `GROUP analysts (e7b4...), USER 97a4...`.
pub(crate) fn mapping_names(maps: &[&SessionMapping]) -> String {
    maps.iter()
        .map(
            |m| match m.identity_name.as_deref().filter(|n| !n.is_empty()) {
                Some(n) => format!("{} {n} ({})", m.identity_type, m.identity_id),
                None => format!("{} {}", m.identity_type, m.identity_id),
            },
        )
        .collect::<Vec<_>>()
        .join(", ")
}
