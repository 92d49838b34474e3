//! Lake Formation helpers shared by the LF checks: Identity Center principal
//! ARNs, what a permission list grants on a table, the registered location that
//! covers a table's S3 location, and the per-table loop.
//!
//! Permission semantics (how studio-doctor reads `ListPermissions`):
//! - A grant reaches a table through the table itself (`Table{DatabaseName, Name}`)
//!   or through a table wildcard on its database (`Table{DatabaseName,
//!   TableWildcard}`, "All tables" in the console). `ALL` (Super) on either counts
//!   as every table permission.
//! - A database-level grant (`Database{Name}`) carries database permissions only
//!   (`ALL`, `ALTER`, `CREATE_TABLE`, `DESCRIBE`, `DROP`: lf-permissions-reference
//!   lists them per resource type). `ALL` on the database is reported separately
//!   ([`Select::DatabaseAll`]) so that checks can warn instead of passing: the
//!   docs do not say it reaches the tables, and an AWS re:Post answer says database
//!   Super "is not enough" for table operations.
//! - A grant on a data cells filter of the table (`DataCellsFilter`) gives its
//!   permissions on the table, limited to the filter's rows and columns.
//! - A grant through an LF-Tag expression (`LFTagPolicy`) reaches a table whose
//!   tags match the expression: every key of the expression has, on the table,
//!   one of the expression's values. A table inherits its database's tags and a
//!   column its table's, unless the table (column) assigns its own value to the
//!   key. A `TABLE` expression that matches only some columns gives those columns.
//!   A grant through a saved (named) LF-Tag expression, or with a `*` value, is
//!   not evaluated: the checks warn instead of deciding.

use crate::check::{Outcome, Remediation};
use crate::ctx::{Ctx, Principals};
use crate::fact::{Fact, Unknown, UnknownKind};
use crate::facts::{
    LfFilterPermission, LfPermission, LfResource, LfTableTags, LfTag, LfTagPermission, role_name,
};
use crate::fix::Action;
use crate::fixes::{create_role, put_location_policy};
use crate::idc::{Who, missing_user, who};
use crate::policy::arn_account;
use crate::s3;
use crate::scope::Scope;
use serde_json::{Value, json};

/// The prefix of Identity Center principals in Lake Formation.
pub const IDC_PREFIX: &str = "arn:aws:identitystore:::";
/// The virtual group of every IAM principal (IAM-only access control).
pub const IAM_ALLOWED_PRINCIPALS: &str = "IAM_ALLOWED_PRINCIPALS";
/// The Lake Formation service principal (location role trust).
pub const LF_SERVICE: &str = "lakeformation.amazonaws.com";
/// The service-linked role Lake Formation offers when registering a location.
pub const SLR_NAME: &str = "AWSServiceRoleForLakeFormationDataAccess";
/// The role name studio-doctor suggests for a new location role.
pub const SUGGESTED_ROLE: &str = "LakeFormationTipLocationRole";
/// The inline policy name studio-doctor gives a location role's S3 access.
pub const LOCATION_POLICY: &str = "LakeFormationLocationAccess";
/// The location role trust policy trusted identity propagation needs.
pub const LOCATION_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lakeformation.amazonaws.com"},"Action":["sts:AssumeRole","sts:SetContext"]}]}"#;

/// `arn:aws:identitystore:::user/<id>`.
pub fn user_arn(id: &str) -> String {
    format!("{IDC_PREFIX}user/{id}")
}

/// `arn:aws:identitystore:::group/<id>`.
pub fn group_arn(id: &str) -> String {
    format!("{IDC_PREFIX}group/{id}")
}

/// Whether a Lake Formation principal is an Identity Center user or group.
pub fn is_idc(principal: &str) -> bool {
    principal.starts_with(IDC_PREFIX)
}

/// Whether `principal` is this user or one of their groups.
pub fn is_users(p: &Principals, principal: &str) -> bool {
    principal == user_arn(p.user_id) || p.groups.iter().any(|g| principal == group_arn(&g.group_id))
}

/// How a principal reaches the user: `directly` / `through group analysts (id)`.
pub fn via(p: &Principals, principal: &str) -> String {
    match principal.strip_prefix(IDC_PREFIX) {
        Some(rest) if rest.starts_with("group/") => {
            let id = &rest["group/".len()..];
            format!("through group {} ({id})", p.group_name(id))
        }
        _ => "directly".into(),
    }
}

/// The instance Lake Formation is integrated with (to name its identity store).
pub fn lf_instance<'a>(ctx: &Ctx<'a>) -> Option<&'a str> {
    match ctx.facts.lake_formation.identity_center.known() {
        Ok(Some(c)) => Some(c.instance_arn.as_str()),
        _ => None,
    }
}

/// `db.table` → (`db`, `table`), split at the first dot.
pub fn split_table(name: &str) -> Option<(&str, &str)> {
    name.split_once('.')
        .filter(|(d, t)| !d.is_empty() && !t.is_empty())
}

/// `table flightdata_db.flightdata`.
pub fn table_label(name: &str) -> String {
    format!("table {name}")
}

/// One call per `--table`, its outcomes scoped `table:<db.table>`. No `--table`:
/// no outcomes, and the runner reports "nothing to check".
pub fn each_table(ctx: &Ctx, f: impl Fn(&str) -> Vec<Outcome>) -> Vec<Outcome> {
    ctx.facts
        .target
        .tables
        .iter()
        .flat_map(|t| f(t).into_iter().map(|o| o.scope(Scope::table(t))))
        .collect()
}

/// Like [`each_table`], for checks that need the database and table names: a
/// `--table` that is not `DATABASE.TABLE` fails with a fix.
pub fn each_split_table(
    ctx: &Ctx,
    resource_what: &str,
    f: impl Fn(&str, &str, &str) -> Vec<Outcome>,
) -> Vec<Outcome> {
    each_table(ctx, |name| match split_table(name) {
        Some((db, table)) => f(name, db, table),
        None => vec![bad_table_name(name, resource_what)],
    })
}

fn bad_table_name(name: &str, what: &str) -> Outcome {
    Outcome::fail(
        table_label(name),
        format!("--table {name} is not DATABASE.TABLE, so {what} cannot be checked"),
    )
    .fix(Remediation::new(
        "Name the table as the Glue database and table joined by a dot: `--table <DATABASE>.<TABLE>`",
        Vec::new(),
        &["https://docs.aws.amazon.com/glue/latest/dg/tables-described.html"],
    ))
}

/// The `--user` a per-user outcome is about, if any: its resource names the user
/// and it gets the `user:<name>` scope.
pub fn for_user(mut o: Outcome, user: Option<&str>) -> Outcome {
    match user {
        Some(u) => {
            o.resource = format!("{}, user \"{u}\"", o.resource);
            o.scope(Scope::user(u))
        }
        None => o,
    }
}

/// One outcome per `--user`, or one about "anyone" without `--user`: `judge` gets
/// the user's principals, or `None`. A `--user` the identity store does not know,
/// or whose lookup is unknown, is reported here. Each outcome gets the user's scope.
pub fn per_user(
    ctx: &Ctx,
    resource: &str,
    judge: impl Fn(Option<&Principals>) -> Outcome,
) -> Vec<Outcome> {
    who(ctx)
        .into_iter()
        .map(|w| {
            let name = who_name(&w);
            let o = match w {
                Who::Anyone => judge(None),
                Who::User(p) => judge(Some(&p)),
                Who::Missing(n) => missing_user(ctx, n, resource),
                Who::Unread(n, u) => {
                    Outcome::unknown(resource, &format!("Identity Center user \"{n}\""), &u)
                }
            };
            for_user(o, name)
        })
        .collect()
}

/// The user name a per-user check is asking about (`None` without `--user`).
fn who_name<'a>(w: &Who<'a>) -> Option<&'a str> {
    match w {
        Who::Anyone => None,
        Who::User(p) => Some(p.user_name),
        Who::Missing(n) | Who::Unread(n, _) => Some(n),
    }
}

/// How a table-level grant reaches the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// A grant on the table itself.
    Table,
    /// A grant on all tables of its database (`TableWildcard`).
    AllTables,
    /// A grant on the database itself (database permissions only).
    Database,
}

impl Reach {
    pub fn describe(self, db: &str) -> String {
        match self {
            Reach::Table => "on the table".into(),
            Reach::AllTables => format!("on all tables of {db} (table wildcard)"),
            Reach::Database => format!("on database {db}"),
        }
    }
}

/// Whether a grant is on this table, directly or through a table wildcard.
pub fn reach(p: &LfPermission, db: &str, table: &str) -> Option<Reach> {
    if p.database != db {
        return None;
    }
    if p.table_wildcard {
        return Some(Reach::AllTables);
    }
    match &p.table {
        Some(t) if t == table => Some(Reach::Table),
        _ => None,
    }
}

/// Whether a grant is on the database itself (not on its tables).
pub fn on_database(p: &LfPermission, db: &str) -> bool {
    p.database == db && p.table.is_none() && !p.table_wildcard
}

/// Whether the grant holds one of `wanted`; `ALL` counts as every permission.
pub fn holds(p: &LfPermission, wanted: &[&str]) -> bool {
    p.permissions
        .iter()
        .any(|x| x == "ALL" || wanted.contains(&x.as_str()))
}

/// A table-level grant to a principal `who` accepts, holding one of `wanted`.
pub fn table_grant<'a>(
    perms: &'a [LfPermission],
    who: impl Fn(&str) -> bool,
    db: &str,
    table: &str,
    wanted: &[&str],
) -> Option<(&'a LfPermission, Reach)> {
    let mut found: Vec<(&LfPermission, Reach)> = perms
        .iter()
        .filter(|p| who(&p.principal) && holds(p, wanted))
        .filter_map(|p| reach(p, db, table).map(|r| (p, r)))
        .collect();
    // Name the most specific grant: the table's own before a wildcard.
    found.sort_by_key(|(_, r)| *r != Reach::Table);
    found.into_iter().next()
}

/// A database-level grant to a principal `who` accepts, holding one of `wanted`.
pub fn database_grant<'a>(
    perms: &'a [LfPermission],
    who: impl Fn(&str) -> bool,
    db: &str,
    wanted: &[&str],
) -> Option<&'a LfPermission> {
    perms
        .iter()
        .find(|p| who(&p.principal) && on_database(p, db) && holds(p, wanted))
}

/// What the permission list says about SELECT on `db.table`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Select<'a> {
    /// `SELECT` or `ALL` on the table or all its database's tables.
    Granted(&'a LfPermission, Reach),
    /// Only `ALL` on the database: does not document SELECT on its tables.
    DatabaseAll(&'a LfPermission),
    Missing,
}

/// Does this permission list give a principal `who` accepts SELECT on `db.table`?
pub fn select_on<'a>(
    perms: &'a [LfPermission],
    who: impl Fn(&str) -> bool,
    db: &str,
    table: &str,
) -> Select<'a> {
    if let Some((p, r)) = table_grant(perms, &who, db, table, &["SELECT"]) {
        return Select::Granted(p, r);
    }
    match database_grant(perms, &who, db, &[]) {
        Some(p) => Select::DatabaseAll(p),
        None => Select::Missing,
    }
}

/// How principals reach a table (or its database) with one of the wanted
/// permissions, every grant path considered.
#[derive(Debug, Clone, PartialEq)]
pub enum Access<'a> {
    /// A named grant on the table (or the database, for [`database_access`]).
    Named(&'a LfPermission, Reach),
    /// A grant on one of the table's data cells filters.
    Filter(&'a LfFilterPermission),
    /// A grant through a matching LF-Tag expression; the columns when only
    /// some columns match.
    Tag(&'a LfTagPermission, Vec<String>),
    /// No grant found, but grants exist that studio-doctor does not evaluate.
    NotEvaluated(String),
    /// A fact needed to decide could not be read: what, and why.
    Unread(String, Unknown),
    Missing,
}

impl Access<'_> {
    /// `SELECT+DESCRIBE on the table` / `... through data cells filter "f"` /
    /// `... through LF-Tag expression (k=v)`, followed by how it reaches the user.
    pub fn describe(&self, db: &str, how: &dyn Fn(&str) -> String) -> String {
        match self {
            Access::Named(g, r) => format!(
                "{} {} {}",
                g.permissions.join("+"),
                r.describe(db),
                how(&g.principal)
            ),
            Access::Filter(g) => format!(
                "{} through data cells filter \"{}\" (the filter limits the rows and columns returned) {}",
                g.permissions.join("+"),
                g.filter,
                how(&g.principal)
            ),
            Access::Tag(g, cols) => {
                let on = if cols.is_empty() {
                    String::new()
                } else {
                    format!(" on columns {} only", cols.join(", "))
                };
                format!(
                    "{} through LF-Tag expression {}{on} {}",
                    g.permissions.join("+"),
                    expression_text(g),
                    how(&g.principal)
                )
            }
            Access::NotEvaluated(w) => format!("not evaluated: {w}"),
            Access::Unread(w, u) => format!("could not read {w}: {u}"),
            Access::Missing => "no grant".into(),
        }
    }

    pub fn found(&self) -> bool {
        matches!(
            self,
            Access::Named(..) | Access::Filter(_) | Access::Tag(..)
        )
    }
}

/// `(module=sales|orders AND level=public)`, or the saved expression's name.
pub fn expression_text(g: &LfTagPermission) -> String {
    if g.expression.is_empty() {
        return format!("\"{}\"", g.expression_name.as_deref().unwrap_or("?"));
    }
    let parts: Vec<String> = g
        .expression
        .iter()
        .map(|t| format!("{}={}", t.key, t.values.join("|")))
        .collect();
    format!("({})", parts.join(" AND "))
}

/// The tags that apply: `base` with each key `own` assigns replaced by its value.
pub fn effective_tags(base: &[LfTag], own: &[LfTag]) -> Vec<LfTag> {
    let mut out: Vec<LfTag> = base
        .iter()
        .filter(|b| !own.iter().any(|o| o.key.eq_ignore_ascii_case(&b.key)))
        .cloned()
        .collect();
    out.extend(own.iter().cloned());
    out
}

/// Whether a resource with these tags matches the expression: each key of the
/// expression has one of its values on the resource.
pub fn tags_match(expression: &[LfTag], tags: &[LfTag]) -> bool {
    !expression.is_empty()
        && expression.iter().all(|e| {
            tags.iter().any(|t| {
                t.key.eq_ignore_ascii_case(&e.key) && t.values.iter().any(|v| e.values.contains(v))
            })
        })
}

/// A `TABLE` expression against a table: `Some(vec![])` when the table matches,
/// `Some(columns)` when only those columns match, `None` when nothing does.
fn table_match(expression: &[LfTag], tags: &LfTableTags) -> Option<Vec<String>> {
    let table = effective_tags(&tags.database, &tags.table);
    if tags_match(expression, &table) {
        return Some(Vec::new());
    }
    let cols: Vec<String> = tags
        .columns
        .iter()
        .filter(|c| tags_match(expression, &effective_tags(&table, &c.tags)))
        .map(|c| c.name.clone())
        .collect();
    (!cols.is_empty()).then_some(cols)
}

/// The LF-Tags of a `--table`, as collected.
fn table_tags<'a>(ctx: &Ctx<'a>, name: &str) -> Result<&'a LfTableTags, Unknown> {
    match ctx.facts.lake_formation.table_tags.get(name) {
        Some(Fact::Known(t)) => Ok(t),
        Some(Fact::Unknown(u)) => Err(u.clone()),
        None => Err(Unknown::new(
            UnknownKind::NotCollected,
            "lakeformation:GetResourceLFTags",
            format!("the LF-Tags of {name} are not in the facts"),
        )),
    }
}

/// Whether an expression matches: `Some(columns)` (empty: the whole resource).
type Matcher = dyn Fn(&[LfTag], &LfTableTags) -> Option<Vec<String>>;

/// The LF-Tag grants of kind `kind` (`TABLE` / `DATABASE`) to a principal `who`
/// accepts, holding one of `wanted`, matched against `matches`.
fn tag_access<'a>(
    ctx: &Ctx<'a>,
    who: &dyn Fn(&str) -> bool,
    name: &str,
    kind: &str,
    wanted: &[&str],
    matches: &Matcher,
) -> Access<'a> {
    let grants = match ctx.facts.lake_formation.tag_permissions.known() {
        Ok(g) => g,
        Err(u) => return Access::Unread("the LF-Tag grants".into(), u.clone()),
    };
    let mine: Vec<&LfTagPermission> = grants
        .iter()
        .filter(|g| who(&g.principal) && g.resource_type == kind)
        .filter(|g| {
            g.permissions
                .iter()
                .any(|x| x == "ALL" || wanted.contains(&x.as_str()))
        })
        .collect();
    // A saved expression (no body here) or a `*` value is not evaluated.
    let (with_body, named): (Vec<&LfTagPermission>, Vec<&LfTagPermission>) =
        mine.into_iter().partition(|g| {
            !g.expression.is_empty()
                && !g
                    .expression
                    .iter()
                    .flat_map(|t| &t.values)
                    .any(|v| v.contains('*'))
        });
    if !with_body.is_empty() {
        let tags = match table_tags(ctx, name) {
            Ok(t) => t,
            Err(u) => return Access::Unread(format!("the LF-Tags of {name}"), u),
        };
        let mut found: Vec<(&LfTagPermission, Vec<String>)> = with_body
            .into_iter()
            .filter_map(|g| matches(&g.expression, tags).map(|c| (g, c)))
            .collect();
        // A whole-table match before a column match.
        found.sort_by_key(|(_, c)| !c.is_empty());
        if let Some((g, c)) = found.into_iter().next() {
            return Access::Tag(g, c);
        }
    }
    if named.is_empty() {
        return Access::Missing;
    }
    let names: Vec<String> = named.iter().map(|g| expression_text(g)).collect();
    Access::NotEvaluated(format!(
        "{} grant(s) through the LF-Tag expression(s) {} (saved expressions and `*` values are not evaluated)",
        names.len(),
        names.join(", ")
    ))
}

/// The first of several answers that decides, in order of certainty: a grant
/// found, then an unreadable fact, then a grant path not evaluated.
fn first<'a>(answers: Vec<Access<'a>>) -> Access<'a> {
    let rank = |a: &Access| match a {
        Access::Named(..) => 0,
        Access::Filter(_) => 1,
        Access::Tag(..) => 2,
        Access::Unread(..) => 3,
        Access::NotEvaluated(_) => 4,
        Access::Missing => 5,
    };
    answers
        .into_iter()
        .min_by_key(|a| rank(a))
        .unwrap_or(Access::Missing)
}

/// For a failure message: the principal's `TABLE` LF-Tag expressions holding one of
/// `wanted` that do not match the table, and the table's tags
/// (`; LF-Tag expression (k=v) does not match its tags (k=w)`), or nothing.
pub fn unmatched_tags(
    ctx: &Ctx,
    who: &dyn Fn(&str) -> bool,
    name: &str,
    wanted: &[&str],
) -> String {
    let Ok(grants) = ctx.facts.lake_formation.tag_permissions.known() else {
        return String::new();
    };
    let exprs: Vec<String> = grants
        .iter()
        .filter(|g| who(&g.principal) && g.resource_type == "TABLE" && !g.expression.is_empty())
        .filter(|g| {
            g.permissions
                .iter()
                .any(|x| x == "ALL" || wanted.contains(&x.as_str()))
        })
        .map(expression_text)
        .collect();
    let Ok(tags) = table_tags(ctx, name) else {
        return String::new();
    };
    if exprs.is_empty() {
        return String::new();
    }
    let on: Vec<String> = effective_tags(&tags.database, &tags.table)
        .iter()
        .map(|t| format!("{}={}", t.key, t.values.join("|")))
        .collect();
    format!(
        "; LF-Tag expression {} does not match its tags ({})",
        exprs.join(", "),
        if on.is_empty() {
            "none".to_string()
        } else {
            on.join(", ")
        }
    )
}

/// Whether a principal `who` accepts holds one of `wanted` on `db.table` through
/// a named grant, a data cells filter of the table, or an LF-Tag expression.
pub fn table_access<'a>(
    ctx: &Ctx<'a>,
    perms: &'a [LfPermission],
    who: &dyn Fn(&str) -> bool,
    name: &str,
    db: &str,
    table: &str,
    wanted: &[&str],
) -> Access<'a> {
    if let Some((g, r)) = table_grant(perms, who, db, table, wanted) {
        return Access::Named(g, r);
    }
    let filter = match ctx.facts.lake_formation.filter_permissions.known() {
        Ok(list) => list
            .iter()
            .find(|g| {
                who(&g.principal)
                    && g.database == db
                    && g.table == table
                    && g.permissions
                        .iter()
                        .any(|x| x == "ALL" || wanted.contains(&x.as_str()))
            })
            .map_or(Access::Missing, Access::Filter),
        Err(u) => Access::Unread("the grants on data cells filters".into(), u.clone()),
    };
    let tag = tag_access(ctx, who, name, "TABLE", wanted, &table_match);
    first(vec![filter, tag])
}

/// Whether a principal `who` accepts holds one of `wanted` on database `db`
/// through a named grant on it or an LF-Tag expression matching its tags.
pub fn database_access<'a>(
    ctx: &Ctx<'a>,
    perms: &'a [LfPermission],
    who: &dyn Fn(&str) -> bool,
    name: &str,
    db: &str,
    wanted: &[&str],
) -> Access<'a> {
    if let Some(g) = database_grant(perms, who, db, wanted) {
        return Access::Named(g, Reach::Database);
    }
    let db_match = |e: &[LfTag], t: &LfTableTags| tags_match(e, &t.database).then(Vec::new);
    tag_access(ctx, who, name, "DATABASE", wanted, &db_match)
}

/// The `Resource` of a grant: the table, all tables of the database, or the database.
pub fn resource_of(p: &LfPermission) -> Value {
    if p.table_wildcard {
        json!({"Table": {"DatabaseName": p.database, "TableWildcard": {}}})
    } else {
        match &p.table {
            Some(t) => table_resource(&p.database, t),
            None => database_resource(&p.database),
        }
    }
}

/// Lake Formation's `Resource` for a table.
pub fn table_resource(db: &str, table: &str) -> Value {
    json!({"Table": {"DatabaseName": db, "Name": table}})
}

/// Lake Formation's `Resource` for a database.
pub fn database_resource(db: &str) -> Value {
    json!({"Database": {"Name": db}})
}

/// `lakeformation:GrantPermissions` of `permissions` on `resource` to one principal.
pub fn grant(ctx: &Ctx, principal: &str, permissions: &[&str], resource: Value) -> Action {
    Action::GrantPermissions {
        region: ctx.region().to_string(),
        catalog_id: ctx.account().to_string(),
        principal: principal.to_string(),
        permissions: permissions.iter().map(|p| p.to_string()).collect(),
        resource,
    }
}

/// The actions that give `role_arn` S3 read and write on `resource_arn`: a new
/// role (trusted as [`LOCATION_TRUST`]) with that policy when `create`, else an
/// inline policy named after the location, so that it replaces none of the
/// role's policies (the checks that call this do not read the role's policies).
pub fn location_role_actions(role_arn: &str, resource_arn: &str, create: bool) -> Vec<Action> {
    let location = LfResource {
        resource_arn: resource_arn.to_string(),
        role_arn: None,
        hybrid_access_enabled: false,
        verification_status: None,
    };
    let mut actions = Vec::new();
    let policy = if create {
        actions.push(create_role(role_arn, LOCATION_TRUST));
        LOCATION_POLICY.to_string()
    } else {
        location_policy_name(resource_arn)
    };
    actions.push(put_location_policy(role_name(role_arn), &policy, &location));
    actions
}

/// `LakeFormationLocationAccess-<bucket>-<prefix>`, in the characters IAM allows
/// in a policy name, at most 128 of them.
pub fn location_policy_name(resource_arn: &str) -> String {
    let path = resource_arn
        .strip_prefix("arn:aws:s3:::")
        .unwrap_or(resource_arn)
        .trim_end_matches('/');
    let clean: String = format!("{LOCATION_POLICY}-{path}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "+=,.@_-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    clean.chars().take(128).collect()
}

/// `lakeformation:RegisterResource` of `resource_arn` with `role_arn`.
pub fn register(ctx: &Ctx, resource_arn: &str, role_arn: &str, hybrid: bool) -> Action {
    Action::RegisterResource {
        region: ctx.region().to_string(),
        resource_arn: resource_arn.to_string(),
        role_arn: role_arn.to_string(),
        hybrid_access_enabled: hybrid,
    }
}

/// `arn:aws:s3:::b/p` → `s3://b/p`. None: not an S3 ARN.
pub fn arn_to_s3(arn: &str) -> Option<String> {
    arn.strip_prefix("arn:aws:s3:::")
        .or_else(|| {
            // Other partitions: arn:aws-cn:s3:::, arn:aws-us-gov:s3:::
            let rest = arn.strip_prefix("arn:")?;
            let (_, rest) = rest.split_once(':')?;
            rest.strip_prefix("s3:::")
        })
        .map(|p| format!("s3://{p}"))
}

/// `s3://b/p/` (or `s3a://`, `s3n://`) → `arn:aws:s3:::b/p`.
pub fn s3_to_arn(url: &str) -> String {
    let path = s3::strip_scheme(&normalize(url))
        .trim_end_matches('/')
        .to_string();
    format!("arn:aws:s3:::{path}")
}

/// `s3a://` and `s3n://` (Hadoop schemes some tables carry) as `s3://`.
pub fn normalize(url: &str) -> String {
    for scheme in ["s3a://", "s3n://"] {
        if let Some(rest) = url.strip_prefix(scheme) {
            return format!("s3://{rest}");
        }
    }
    url.to_string()
}

/// The registered location covering an S3 location: the longest registered prefix
/// (at a path boundary).
pub fn covering_resource<'a>(
    resources: &'a [LfResource],
    location: &str,
) -> Option<&'a LfResource> {
    let location = s3::as_dir(&normalize(location));
    resources
        .iter()
        .filter_map(|r| arn_to_s3(&r.resource_arn).map(|s| (r, s)))
        .filter(|(_, scope)| s3::parse(scope).is_some_and(|u| !u.bucket.is_empty()))
        .filter(|(_, scope)| s3::location_covers(scope, &location))
        .max_by_key(|(_, scope)| scope.trim_end_matches('/').len())
        .map(|(r, _)| r)
}

/// Whether a registration role is Lake Formation's service-linked role.
pub fn is_service_linked(role_arn: &str) -> bool {
    role_arn.contains("aws-service-role/lakeformation.amazonaws.com/")
        || crate::facts::role_name(role_arn) == SLR_NAME
}

/// What the facts say about one `--table`'s S3 location.
pub enum Location<'a> {
    At(&'a str),
    /// `glue:GetTable` answered EntityNotFound.
    NoTable,
    /// The table has no `StorageDescriptor.Location` (a view?).
    NoLocation,
    Unread(Unknown),
}

pub fn table_location<'a>(ctx: &Ctx<'a>, name: &str) -> Location<'a> {
    match ctx.facts.tables.get(name) {
        None => Location::Unread(Unknown::new(
            UnknownKind::NotCollected,
            "glue:GetTable",
            format!("table {name} is not in the facts"),
        )),
        Some(Fact::Unknown(u)) => Location::Unread(u.clone()),
        Some(Fact::Known(None)) => Location::NoTable,
        Some(Fact::Known(Some(t))) => match t.location.as_deref().filter(|l| !l.is_empty()) {
            Some(l) => Location::At(l),
            None => Location::NoLocation,
        },
    }
}

/// The registration covering a `--table`'s location, for the checks behind LF004:
/// `Ok((location, registration))`, or the outcome to report instead (LF004 fails
/// or errors on the same table, so the runner skips it).
pub fn registration<'a>(
    ctx: &Ctx<'a>,
    name: &str,
) -> Result<(&'a str, &'a LfResource), Box<Outcome>> {
    let label = table_label(name);
    let location = match table_location(ctx, name) {
        Location::At(l) => l,
        Location::Unread(u) => {
            return Err(Box::new(Outcome::unknown(
                &label,
                &format!("the Glue table {name}"),
                &u,
            )));
        }
        Location::NoTable | Location::NoLocation => {
            return Err(Box::new(Outcome::fail(
                &label,
                format!("{label} has no S3 location to check (see LF004)"),
            )));
        }
    };
    let resources = match ctx.facts.lake_formation.resources.known() {
        Ok(r) => r,
        Err(u) => {
            return Err(Box::new(Outcome::unknown(
                &label,
                "the Lake Formation registered locations",
                u,
            )));
        }
    };
    match covering_resource(resources, location) {
        Some(r) => Ok((location, r)),
        None => Err(Box::new(Outcome::fail(
            &label,
            format!("no registered Lake Formation location covers {location} (see LF004)"),
        ))),
    }
}

/// The caller as an IAM principal, and which Lake Formation administrator it is
/// (`data lake administrator`, `read-only administrator`, or `None`); or the
/// outcome to report when the caller or the settings are unknown.
pub(crate) fn caller_admin(ctx: &Ctx) -> Result<(String, Option<&'static str>), Box<Outcome>> {
    let caller = match ctx.facts.caller.known() {
        Ok(c) => c,
        Err(u) => {
            return Err(Box::new(Outcome::unknown(
                "the caller",
                "the caller identity",
                u,
            )));
        }
    };
    let settings = match ctx.facts.lake_formation.settings.known() {
        Ok(s) => s,
        Err(u) => {
            return Err(Box::new(Outcome::unknown(
                &caller.arn,
                "the Lake Formation data lake settings",
                u,
            )));
        }
    };
    let principal = iam_principal(&caller.arn);
    let is = |list: &[String]| list.iter().any(|a| same(a, &principal));
    let role = if is(&settings.data_lake_admins) {
        Some("data lake administrator")
    } else if is(&settings.read_only_admins) {
        Some("read-only administrator")
    } else {
        None
    };
    Ok((principal, role))
}

/// The IAM principal behind a caller ARN: an assumed-role session becomes its role.
pub(crate) fn iam_principal(arn: &str) -> String {
    let Some(rest) = arn.split_once(":assumed-role/").map(|(_, r)| r) else {
        return arn.to_string();
    };
    let role = rest.split('/').next().unwrap_or(rest);
    let partition = arn.split(':').nth(1).unwrap_or("aws");
    let account = arn_account(arn).unwrap_or("");
    format!("arn:{partition}:iam::{account}:role/{role}")
}

/// Whether an admin entry names the caller: the same ARN, or (for roles) the same
/// account and role name whatever the path (a session ARN carries no path).
pub(crate) fn same(admin: &str, principal: &str) -> bool {
    if admin == principal {
        return true;
    }
    admin.contains(":role/")
        && principal.contains(":role/")
        && arn_account(admin) == arn_account(principal)
        && role_name(admin) == role_name(principal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn perm(
        principal: &str,
        db: &str,
        table: Option<&str>,
        wild: bool,
        p: &[&str],
    ) -> LfPermission {
        LfPermission {
            principal: principal.into(),
            database: db.into(),
            table: table.map(Into::into),
            table_wildcard: wild,
            permissions: p.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn res(arn: &str) -> LfResource {
        LfResource {
            resource_arn: arn.into(),
            role_arn: None,
            hybrid_access_enabled: false,
            verification_status: None,
        }
    }

    const U: &str = "arn:aws:identitystore:::user/u1";

    #[test]
    fn principal_arns() {
        assert_eq!(user_arn("u1"), U);
        assert_eq!(group_arn("g1"), "arn:aws:identitystore:::group/g1");
        assert!(is_idc(U));
        assert!(!is_idc(IAM_ALLOWED_PRINCIPALS));
    }

    #[test]
    fn select_counts_all_and_wildcards() {
        let me = |p: &str| p == U;
        let on = |perms: &[LfPermission]| match select_on(perms, me, "db", "t") {
            Select::Granted(_, r) => Some(r),
            _ => None,
        };
        assert_eq!(
            on(&[perm(U, "db", Some("t"), false, &["SELECT"])]),
            Some(Reach::Table)
        );
        assert_eq!(
            on(&[perm(U, "db", Some("t"), false, &["ALL"])]),
            Some(Reach::Table)
        );
        assert_eq!(
            on(&[perm(U, "db", None, true, &["SELECT"])]),
            Some(Reach::AllTables)
        );
        // The table's own grant is named before a wildcard.
        assert_eq!(
            on(&[
                perm(U, "db", None, true, &["ALL"]),
                perm(U, "db", Some("t"), false, &["SELECT"])
            ]),
            Some(Reach::Table)
        );
        assert_eq!(on(&[perm(U, "db", Some("t"), false, &["DESCRIBE"])]), None);
        assert_eq!(
            on(&[perm(U, "db", Some("other"), false, &["SELECT"])]),
            None
        );
        assert_eq!(on(&[perm(U, "db2", Some("t"), false, &["SELECT"])]), None);
        assert_eq!(
            on(&[perm(
                "arn:aws:identitystore:::user/u2",
                "db",
                Some("t"),
                false,
                &["SELECT"]
            )]),
            None
        );
        // Database-level ALL is reported apart; database DESCRIBE is nothing.
        let p = [perm(U, "db", None, false, &["ALL"])];
        assert!(matches!(
            select_on(&p, me, "db", "t"),
            Select::DatabaseAll(_)
        ));
        let p = [perm(U, "db", None, false, &["DESCRIBE", "CREATE_TABLE"])];
        assert_eq!(select_on(&p, me, "db", "t"), Select::Missing);
    }

    #[test]
    fn resource_by_kind() {
        assert_eq!(
            resource_of(&perm(U, "db", Some("t"), false, &[])).to_string(),
            r#"{"Table":{"DatabaseName":"db","Name":"t"}}"#
        );
        assert_eq!(
            resource_of(&perm(U, "db", None, true, &[])).to_string(),
            r#"{"Table":{"DatabaseName":"db","TableWildcard":{}}}"#
        );
        assert_eq!(
            resource_of(&perm(U, "db", None, false, &[])).to_string(),
            r#"{"Database":{"Name":"db"}}"#
        );
    }

    #[test]
    fn s3_and_arn_forms() {
        assert_eq!(arn_to_s3("arn:aws:s3:::b/p").as_deref(), Some("s3://b/p"));
        assert_eq!(arn_to_s3("arn:aws-cn:s3:::b").as_deref(), Some("s3://b"));
        assert_eq!(arn_to_s3("arn:aws:iam::1:role/x"), None);
        assert_eq!(s3_to_arn("s3://b/p/"), "arn:aws:s3:::b/p");
        assert_eq!(s3_to_arn("s3a://b/p"), "arn:aws:s3:::b/p");
    }

    #[test]
    fn longest_registered_prefix_covers() {
        let rs = [
            res("arn:aws:s3:::b"),
            res("arn:aws:s3:::b/data"),
            res("arn:aws:s3:::c/data"),
        ];
        let arn = |l| covering_resource(&rs, l).map(|r| r.resource_arn.as_str());
        assert_eq!(arn("s3://b/data/t/"), Some("arn:aws:s3:::b/data"));
        assert_eq!(arn("s3://b/data"), Some("arn:aws:s3:::b/data"));
        assert_eq!(arn("s3://b/data-old/t/"), Some("arn:aws:s3:::b"));
        assert_eq!(arn("s3a://c/data/t"), Some("arn:aws:s3:::c/data"));
        assert_eq!(arn("s3://c/other/"), None);
        assert_eq!(arn("s3://d/x"), None);
    }

    #[test]
    fn service_linked_role() {
        assert!(is_service_linked(
            "arn:aws:iam::1:role/aws-service-role/lakeformation.amazonaws.com/AWSServiceRoleForLakeFormationDataAccess"
        ));
        assert!(is_service_linked(SLR_NAME));
        assert!(!is_service_linked(
            "arn:aws:iam::1:role/LakeFormationTipRole"
        ));
    }

    fn t(key: &str, values: &[&str]) -> LfTag {
        LfTag {
            key: key.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    #[test]
    fn lf_tag_expressions_and_keys_or_values() {
        let tags = [t("module", &["sales"]), t("division", &["consumer"])];
        assert!(tags_match(&[t("module", &["sales"])], &tags));
        assert!(tags_match(
            &[
                t("Module", &["sales"]),
                t("division", &["consumer", "commercial"])
            ],
            &tags
        ));
        assert!(!tags_match(
            &[t("module", &["sales"]), t("region", &["west"])],
            &tags
        ));
        assert!(!tags_match(&[t("module", &["orders"])], &tags));
        assert!(!tags_match(&[], &tags));
    }

    #[test]
    fn own_tags_override_inherited_ones() {
        let db = [t("module", &["sales"]), t("level", &["public"])];
        let eff = effective_tags(&db, &[t("level", &["secret"])]);
        assert!(tags_match(&[t("module", &["sales"])], &eff));
        assert!(!tags_match(&[t("level", &["public"])], &eff));
        let tags = LfTableTags {
            database: db.to_vec(),
            table: vec![t("level", &["secret"])],
            columns: vec![crate::facts::LfColumnTags {
                name: "id".into(),
                tags: vec![t("level", &["public"])],
            }],
        };
        assert_eq!(
            table_match(&[t("level", &["public"])], &tags),
            Some(vec!["id".to_string()])
        );
        assert_eq!(table_match(&[t("module", &["sales"])], &tags), Some(vec![]));
        assert_eq!(table_match(&[t("module", &["hr"])], &tags), None);
    }

    #[test]
    fn table_names_split_at_the_first_dot() {
        assert_eq!(split_table("db.t"), Some(("db", "t")));
        assert_eq!(split_table("db.t.x"), Some(("db", "t.x")));
        assert_eq!(split_table("db"), None);
        assert_eq!(split_table(".t"), None);
    }

    #[test]
    fn caller_arns_map_to_iam_principals() {
        assert_eq!(
            iam_principal("arn:aws:sts::111122223333:assumed-role/studio-doctor-readonly/ci"),
            "arn:aws:iam::111122223333:role/studio-doctor-readonly"
        );
        assert_eq!(
            iam_principal("arn:aws:iam::111122223333:user/alice"),
            "arn:aws:iam::111122223333:user/alice"
        );
        assert!(same("arn:aws:iam::1:role/a/b/R", "arn:aws:iam::1:role/R"));
        assert!(!same("arn:aws:iam::1:user/R", "arn:aws:iam::1:role/R"));
        assert!(!same("arn:aws:iam::2:role/R", "arn:aws:iam::1:role/R"));
    }
}
