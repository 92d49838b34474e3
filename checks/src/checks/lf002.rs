//! # LF002 lakeformation-table-select
//!
//! **What it checks.** For each `--table DATABASE.TABLE` and each `--user`, the user
//! or one of their groups holds `SELECT` (or `ALL`) on the table in Lake Formation,
//! through any of the grant paths Lake Formation evaluates:
//! - a named grant on the table, on all tables of its database (table wildcard),
//!   or on some of its columns (`lakeformation:ListPermissions` on the table, its
//!   table wildcard and its database);
//! - a grant on one of the table's data cells filters
//!   (`lakeformation:ListDataCellsFilter`, then `ListPermissions` on each filter):
//!   the user can query the table, limited to the filter's rows and columns;
//! - a grant through an LF-Tag expression on `TABLE` resources
//!   (`ListPermissions` with `ResourceType` `LF_TAG_POLICY`) that the table's
//!   LF-Tags match (`lakeformation:GetResourceLFTags`): keys are combined with AND,
//!   the values of a key with OR; a table inherits its database's tags unless it
//!   assigns its own value to the key, and a column its table's; an expression
//!   that matches only some columns gives those columns.
//!
//! Principals are the Identity Center ARNs `arn:aws:identitystore:::user/<user id>`
//! and `arn:aws:identitystore:::group/<group id>`. Without `--user`, it passes when
//! any Identity Center user or group holds `SELECT`; add `--user <name>` for a
//! precise answer. Without `--table` there is nothing to check.
//!
//! What is not evaluated is never a failure: a grant through a saved (named)
//! LF-Tag expression, or an expression with a `*` value, gives a warning that
//! names it ("not certain"), and a grant path whose facts could not be read (the
//! LF-Tag grants, the table's tags, the filter grants) gives an error when no
//! other grant decides. When the caller is not a Lake Formation administrator
//! or read-only administrator (LF009), a missing grant may only be hidden from
//! it (`ListPermissions` is "filtered by the permissions of the caller"), so it
//! is a warning too.
//!
//! How `ALL` on the **database** is read: Lake Formation lists `ALL` (Super),
//! `ALTER`, `CREATE_TABLE`, `DESCRIBE` and `DROP` as the permissions of a database
//! resource, and `SELECT` as a permission of a table resource; the docs do not say
//! that database Super reaches the tables (an AWS re:Post answer says it "is not
//! enough" for table operations). So database-level `ALL` alone gives a warning
//! asking for a table grant, not a pass and not a failure.
//!
//! **Why it matters.** In an Identity-Center-enabled workgroup Athena reads the
//! table as the signed-in user: Lake Formation checks that user's (and their
//! groups') permissions, not the IAM roles'. Without `SELECT` the query fails
//! with an access error even when every role has AdministratorAccess.
//!
//! **How to fix.** Console: Lake Formation → Permissions → Data lake permissions →
//! Grant → **IAM Identity Center** → the user or group → Named Data Catalog
//! resources → the database and table → Table permissions **Select** and
//! **Describe** → Grant. CLI (the report fills in the ids):
//! `aws lakeformation grant-permissions --region <REGION> --catalog-id <ACCOUNT_ID>
//! --principal DataLakePrincipalIdentifier=arn:aws:identitystore:::user/<USER_ID>
//! --permissions SELECT DESCRIBE --resource
//! '{"Table":{"DatabaseName":"<DB>","Name":"<TABLE>"}}'` (or `group/<GROUP_ID>`).
//! Granting to Identity Center principals needs the Identity Center integration
//! first (LF001). Entitlement changes can take up to an hour to apply.
//!
//! **Evidence.** Documented: the principal format (grant-permissions-sso), the
//! permissions per resource type (lf-permissions-reference), how LF-Tag
//! expressions match (managing-tag-expressions: keys AND, values OR;
//! TBAC-assigning-tags: inherited values can be overridden; lf-tag-considerations:
//! one value per key on a resource, and access to the matching databases, tables
//! and columns), data cells filters (data-filtering) and the `ListPermissions` /
//! `GetResourceLFTags` / `ListDataCellsFilter` API models. Observed in practice:
//! `SELECT` and `DESCRIBE` granted on the table make the Studio's Athena queries
//! work. Inferred: database-level `ALL` is not counted as `SELECT` (warning).
//!
//! **References.**
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/grant-permissions-sso.html
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/lf-permissions-reference.html
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/granting-catalog-permissions.html
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/tag-based-access-control.html
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/managing-tag-expressions.html
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/TBAC-assigning-tags.html
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/lf-tag-considerations.html
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/data-filtering.html
//! - https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_ListPermissions.html
//! - https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_GetResourceLFTags.html
//! - https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity, Verdict};
use crate::ctx::{Ctx, Principals};
use crate::each::each_table_grants;
use crate::fact::Unknown;
use crate::facts::LfPermission;
use crate::fix::Kind;
use crate::idc::{groups_note, user_label};
use crate::lf::{
    self, Access, Location, Select, caller_admin, is_idc, is_users, table_label, table_resource,
    user_arn,
};

pub const META: Meta = Meta {
    id: "LF002",
    name: "lakeformation-table-select",
    area: Area::LakeFormation,
    severity: Severity::Error,
    title: "The user (or a group) has SELECT on the table in Lake Formation",
    // IC003: an unknown or disabled --user is reported there, once.
    depends_on: &["LF001", "IC003"],
    hop: crate::check::Hop::Read,
    entitlement: true,
    fixes: &[
        ("lakeformation:GrantPermissions", Kind::Ready),
        ("lakeformation:GrantPermissions", Kind::NeedsInput),
    ],
    needs: &[
        Need::Caller,
        Need::LfPermissions,
        Need::LfTagGrants,
        Need::LfDataFilters,
        Need::LfSettings,
        Need::Users,
        Need::GlueTables,
    ],
    docs: &[
        "https://docs.aws.amazon.com/lake-formation/latest/dg/grant-permissions-sso.html",
        "https://docs.aws.amazon.com/lake-formation/latest/dg/lf-permissions-reference.html",
        "https://docs.aws.amazon.com/lake-formation/latest/dg/managing-tag-expressions.html",
        "https://docs.aws.amazon.com/athena/latest/ug/workgroups-identity-center.html",
    ],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_table_grants(ctx, |name, db, table, perms| {
        lf::per_user(ctx, &table_label(name), |p| match p {
            None => anyone(ctx, perms, name, db, table),
            Some(p) => user(ctx, perms, p, name, db, table),
        })
    })
}

fn anyone(ctx: &Ctx, perms: &[LfPermission], name: &str, db: &str, table: &str) -> Outcome {
    let label = table_label(name);
    let how = |x: &str| format!("(granted to {x})");
    match lf::table_access(ctx, perms, &is_idc, name, db, table, &["SELECT"]) {
        a if a.found() => Outcome::pass(
            &label,
            format!(
                "an Identity Center principal holds {} ({label}); --user <name> gives a precise answer",
                a.describe(db, &how)
            ),
        ),
        Access::Unread(what, u) => unread(&label, &what, &u),
        other => match lf::select_on(perms, is_idc, db, table) {
            Select::DatabaseAll(p) => database_all(ctx, &label, db, table, &p.principal, None),
            _ => match other {
                Access::NotEvaluated(what) => not_evaluated(
                    ctx,
                    &label,
                    "no Identity Center user or group holds SELECT through a grant studio-doctor evaluates",
                    &what,
                    db,
                    table,
                    None,
                ),
                _ => hidden(
                    ctx,
                    Outcome::fail(
                    &label,
                    format!(
                        "no Identity Center user or group holds SELECT on {label} in Lake Formation (named grants, data cells filters and LF-Tag expressions read), so no Identity Center user can query it{}",
                        absent_note(ctx, name)
                    ),
                )
                .fix(fix(ctx, db, table, None))
                ),
            },
        },
    }
}

fn user(
    ctx: &Ctx,
    perms: &[LfPermission],
    p: &Principals,
    name: &str,
    db: &str,
    table: &str,
) -> Outcome {
    let label = table_label(name);
    let mine = |x: &str| is_users(p, x);
    let how = |x: &str| lf::via(p, x);
    match lf::table_access(ctx, perms, &mine, name, db, table, &["SELECT"]) {
        a if a.found() => Outcome::pass(
            &label,
            format!("{} holds {} ({label})", user_label(p), a.describe(db, &how)),
        ),
        Access::Unread(what, u) => unread(&label, &what, &u),
        other => match lf::select_on(perms, mine, db, table) {
            Select::DatabaseAll(g) => database_all(ctx, &label, db, table, &g.principal, Some(p)),
            _ => match other {
                Access::NotEvaluated(what) => not_evaluated(
                    ctx,
                    &label,
                    &format!(
                        "{} holds no SELECT on {label} through a grant studio-doctor evaluates",
                        user_label(p)
                    ),
                    &what,
                    db,
                    table,
                    Some(p),
                ),
                _ => hidden(
                    ctx,
                    Outcome::fail(
                    &label,
                    format!(
                        "{} holds no SELECT on {label} in Lake Formation, directly or through a group{} (named grants, data cells filters and LF-Tag expressions read{}), so their queries on it fail{}",
                        user_label(p),
                        groups_note(p),
                        lf::unmatched_tags(ctx, &mine, name, &["SELECT"]),
                        absent_note(ctx, name)
                    ),
                )
                .fix(fix(ctx, db, table, Some(p)))
                ),
            },
        },
    }
}

/// A missing grant seen by a caller that is no Lake Formation administrator may be
/// hidden from it (`ListPermissions` is filtered by the caller's permissions):
/// then the failure is a warning that says so.
fn hidden(ctx: &Ctx, o: Outcome) -> Outcome {
    match caller_admin(ctx) {
        Ok((principal, None)) => Outcome {
            verdict: Verdict::Warn,
            message: format!(
                "{}; but the caller {principal} is not a Lake Formation administrator, and Lake Formation filters the grants it lists by the caller's permissions, so a grant may be hidden (see LF009)",
                o.message
            ),
            ..o
        },
        _ => o,
    }
}

/// A fact needed to rule out a grant path could not be read: an error, not a failure.
fn unread(label: &str, what: &str, u: &Unknown) -> Outcome {
    Outcome::unknown(
        label,
        &format!("{what} (no named grant gives SELECT on the table, so access depends on it)"),
        u,
    )
}

/// No grant found, but a grant path exists that is not evaluated: warn.
#[allow(clippy::too_many_arguments)]
fn not_evaluated(
    ctx: &Ctx,
    label: &str,
    lead: &str,
    what: &str,
    db: &str,
    table: &str,
    p: Option<&Principals>,
) -> Outcome {
    Outcome::warn(
        label,
        format!("{lead}; not evaluated: {what}, so access is not certain"),
    )
    .fix(fix(ctx, db, table, p))
}

/// Only `ALL` on the database: warn (see the doc comment).
fn database_all(
    ctx: &Ctx,
    label: &str,
    db: &str,
    table: &str,
    principal: &str,
    p: Option<&Principals>,
) -> Outcome {
    let who = match p {
        Some(p) => format!(
            "{} holds ALL on database {db} {}",
            user_label(p),
            lf::via(p, principal)
        ),
        None => format!("{principal} holds ALL on database {db}"),
    };
    Outcome::warn(
        label,
        format!(
            "{who} but no SELECT on {label}: in Lake Formation database Super covers the database's permissions, and the docs do not say it reaches its tables (inferred); grant SELECT on the table to be sure"
        ),
    )
    .fix(fix(ctx, db, table, p))
}

fn fix(ctx: &Ctx, db: &str, table: &str, p: Option<&Principals>) -> Remediation {
    let who = p
        .map(|p| user_arn(p.user_id))
        .unwrap_or_else(|| "arn:aws:identitystore:::user/<IDC_USER_ID>".to_string());
    let actions = vec![lf::grant(
        ctx,
        &who,
        &["SELECT", "DESCRIBE"],
        table_resource(db, table),
    )];
    let mut summary = format!(
        "Grant SELECT and DESCRIBE on {db}.{table} to the Identity Center user (console: Lake Formation → Permissions → Data lake permissions → Grant → IAM Identity Center)"
    );
    match p.and_then(|p| p.groups.first()) {
        Some(g) => summary.push_str(&format!(
            ", or to their group {} with --principal DataLakePrincipalIdentifier={}",
            g.display_name.as_deref().unwrap_or(&g.group_id),
            lf::group_arn(&g.group_id)
        )),
        None if p.is_none() => summary.push_str(
            ", or to a group with --principal DataLakePrincipalIdentifier=arn:aws:identitystore:::group/<IDC_GROUP_ID>",
        ),
        None => {}
    }
    summary.push_str("; Identity Center entitlement changes can take up to an hour to apply");
    Remediation::new(summary, actions, META.docs)
}

/// ` (Glue has no such table)` when GetTable said so.
fn absent_note(ctx: &Ctx, name: &str) -> &'static str {
    match lf::table_location(ctx, name) {
        Location::NoTable => " (and Glue has no such table, see LF004)",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::run;
    use crate::check::{Status, Verdict};
    use crate::ctx::Ctx;
    use crate::fact::{Fact, Unknown};
    use crate::facts::LfPermission;
    use crate::facts::{LfFilterPermission, LfTableTags, LfTag, LfTagPermission};
    use crate::scope::Scope;
    use crate::testkit::{denied, healthy, lf_grant, lf_permissions, only, results, skipped};

    fn tag(key: &str, values: &[&str]) -> LfTag {
        LfTag {
            key: key.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    /// A SELECT grant to the group through an LF-Tag expression, and nothing named.
    fn tag_grant(f: &mut crate::facts::Facts, expression: Vec<LfTag>, name: Option<&str>) {
        lf_permissions(f)[0].permissions = vec!["DESCRIBE".into()];
        f.lake_formation.tag_permissions = Fact::Known(vec![LfTagPermission {
            principal: G.into(),
            resource_type: "TABLE".into(),
            expression,
            expression_name: name.map(Into::into),
            permissions: vec!["SELECT".into(), "DESCRIBE".into()],
        }]);
    }

    fn tags(f: &mut crate::facts::Facts) -> &mut LfTableTags {
        match f
            .lake_formation
            .table_tags
            .get_mut("flightdata_db.flightdata")
        {
            Some(Fact::Known(t)) => t,
            _ => panic!("no tags"),
        }
    }

    const G: &str = "arn:aws:identitystore:::group/e7b4d8a8-6041-7011-9c2d-0a1b2c3d4e5f";
    const U: &str = "arn:aws:identitystore:::user/97a4f8e8-30c1-70d2-1a2b-3c4d5e6f7a8b";

    #[test]
    fn passes_through_the_group() {
        let r = only("LF002", &healthy());
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(r.message.contains("user \"alice\""), "{}", r.message);
        assert!(
            r.message.contains("through group analysts"),
            "{}",
            r.message
        );
        assert!(r.message.contains("on the table"), "{}", r.message);
    }

    #[test]
    fn scopes_by_table_and_user() {
        let out = run(&Ctx::new(&healthy()));
        assert_eq!(out.len(), 1);
        let mut scope = out[0].scope.clone();
        scope.sort();
        assert_eq!(
            scope,
            [
                Scope::User("alice".into()),
                Scope::Table("flightdata_db.flightdata".into())
            ]
        );
    }

    #[test]
    fn fails_with_describe_only() {
        let mut f = healthy();
        lf_permissions(&mut f)[0].permissions = vec!["DESCRIBE".into()];
        let r = only("LF002", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.message.contains("user \"alice\" (97a4f8e8"),
            "{}",
            r.message
        );
        assert!(r.message.contains("groups: analysts"), "{}", r.message);
        let fix = r.remediation.unwrap();
        assert_eq!(
            fix.commands[0],
            format!(
                "aws lakeformation grant-permissions --region ap-northeast-1 --catalog-id 111122223333 --principal DataLakePrincipalIdentifier={U} --permissions SELECT DESCRIBE --resource '{{\"Table\":{{\"DatabaseName\":\"flightdata_db\",\"Name\":\"flightdata\"}}}}'"
            )
        );
        assert_eq!(fix.commands.len(), 1);
        assert!(fix.summary.contains(G), "{}", fix.summary);
        assert!(fix.summary.contains("up to an hour"));
    }

    #[test]
    fn counts_all_wildcards_and_direct_grants() {
        let mut f = healthy();
        lf_permissions(&mut f)[0].permissions = vec!["ALL".into()];
        assert_eq!(only("LF002", &f).status, Status::Pass);

        let mut f = healthy();
        *lf_permissions(&mut f) = vec![lf_grant(G, None, true, &["SELECT"])];
        let r = only("LF002", &f);
        assert_eq!(r.status, Status::Pass);
        assert!(r.message.contains("table wildcard"), "{}", r.message);

        let mut f = healthy();
        *lf_permissions(&mut f) = vec![lf_grant(U, Some("flightdata"), false, &["SELECT"])];
        let r = only("LF002", &f);
        assert_eq!(r.status, Status::Pass);
        assert!(r.message.contains("directly"), "{}", r.message);

        // Another user's grant, or another table's, does not count.
        let mut f = healthy();
        *lf_permissions(&mut f) = vec![
            lf_grant(
                "arn:aws:identitystore:::user/other",
                Some("flightdata"),
                false,
                &["SELECT"],
            ),
            lf_grant(G, Some("other"), false, &["SELECT"]),
        ];
        assert_eq!(only("LF002", &f).status, Status::Fail);
    }

    #[test]
    fn a_matching_lf_tag_expression_gives_access() {
        // The healthy database carries domain=flights; the table inherits it.
        let mut f = healthy();
        tag_grant(&mut f, vec![tag("domain", &["flights", "weather"])], None);
        let r = only("LF002", &f);
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(
            r.message
                .contains("LF-Tag expression (domain=flights|weather)"),
            "{}",
            r.message
        );
        // Every key must match: a second key the table lacks fails it.
        tag_grant(
            &mut f,
            vec![tag("domain", &["flights"]), tag("level", &["public"])],
            None,
        );
        let r = only("LF002", &f);
        assert_eq!(r.status, Status::Fail, "{}", r.message);
        assert!(
            r.message.contains("LF-Tag expressions read"),
            "{}",
            r.message
        );
        assert!(
            r.message.contains(
                "LF-Tag expression (domain=flights AND level=public) does not match its tags (domain=flights)"
            ),
            "{}",
            r.message
        );
        // The table's own value overrides the database's.
        tags(&mut f).table = vec![tag("level", &["public"])];
        assert_eq!(only("LF002", &f).status, Status::Pass);
        tags(&mut f).table = vec![tag("domain", &["finance"]), tag("level", &["public"])];
        assert_eq!(only("LF002", &f).status, Status::Fail);
    }

    #[test]
    fn a_column_match_gives_those_columns() {
        let mut f = healthy();
        tag_grant(&mut f, vec![tag("level", &["public"])], None);
        tags(&mut f).columns = vec![crate::facts::LfColumnTags {
            name: "carrier".into(),
            tags: vec![tag("level", &["public"])],
        }];
        let r = only("LF002", &f);
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(
            r.message.contains("on columns carrier only"),
            "{}",
            r.message
        );
    }

    #[test]
    fn a_saved_expression_is_not_evaluated_and_warns() {
        let mut f = healthy();
        tag_grant(&mut f, vec![], Some("flight-readers"));
        let r = only("LF002", &f);
        assert_eq!(r.status, Status::Warn, "{}", r.message);
        assert!(r.message.contains("\"flight-readers\""), "{}", r.message);
        assert!(r.message.contains("not certain"), "{}", r.message);
        // The printed fix (a named grant) makes it certain.
        let fix = r.remediation.unwrap();
        assert!(fix.commands[0].contains("--permissions SELECT DESCRIBE"));
        lf_permissions(&mut f).push(lf_grant(
            U,
            Some("flightdata"),
            false,
            &["SELECT", "DESCRIBE"],
        ));
        assert_eq!(only("LF002", &f).status, Status::Pass);
    }

    #[test]
    fn unreadable_tags_are_an_error_not_a_failure() {
        let mut f = healthy();
        tag_grant(&mut f, vec![tag("domain", &["flights"])], None);
        f.lake_formation.table_tags.insert(
            "flightdata_db.flightdata".into(),
            Fact::Unknown(denied("lakeformation:GetResourceLFTags")),
        );
        let r = only("LF002", &f);
        assert_eq!(r.status, Status::Error, "{}", r.message);
        assert!(r.message.contains("GetResourceLFTags"), "{}", r.message);
        // Without a named grant, unreadable LF-Tag grants are an error too.
        let mut f = healthy();
        lf_permissions(&mut f)[0].permissions = vec!["DESCRIBE".into()];
        f.lake_formation.tag_permissions = Fact::Unknown(Unknown::not_collected());
        assert_eq!(only("LF002", &f).status, Status::Error);
        // With a named grant they do not matter.
        let mut f = healthy();
        f.lake_formation.tag_permissions = Fact::Unknown(Unknown::not_collected());
        f.lake_formation.filter_permissions = Fact::Unknown(Unknown::not_collected());
        assert_eq!(only("LF002", &f).status, Status::Pass);
    }

    #[test]
    fn a_data_cells_filter_grant_gives_access() {
        let mut f = healthy();
        lf_permissions(&mut f)[0].permissions = vec!["DESCRIBE".into()];
        let grant = LfFilterPermission {
            principal: G.into(),
            database: "flightdata_db".into(),
            table: "flightdata".into(),
            filter: "domestic-only".into(),
            permissions: vec!["SELECT".into()],
        };
        f.lake_formation.filter_permissions = Fact::Known(vec![grant.clone()]);
        let r = only("LF002", &f);
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(
            r.message.contains("data cells filter \"domestic-only\""),
            "{}",
            r.message
        );
        // A filter on another table does not count.
        f.lake_formation.filter_permissions = Fact::Known(vec![LfFilterPermission {
            table: "other".into(),
            ..grant
        }]);
        assert_eq!(only("LF002", &f).status, Status::Fail);
    }

    #[test]
    fn a_not_certain_answer_makes_the_access_path_not_certain() {
        let mut f = healthy();
        tag_grant(&mut f, vec![], Some("flight-readers"));
        let all: Vec<_> = crate::registry::ALL.iter().collect();
        let p = &crate::run(&f, &all, "test").access_path[0];
        assert_eq!(p.hops[4].status, Status::Warn);
        assert_eq!(p.status, Status::Warn, "{p:#?}");
    }

    #[test]
    fn a_missing_grant_seen_by_a_non_administrator_warns() {
        let mut f = healthy();
        lf_permissions(&mut f)[0].permissions = vec!["DESCRIBE".into()];
        f.lake_formation.settings = Fact::Known(crate::facts::DataLakeSettings {
            data_lake_admins: vec!["arn:aws:iam::111122223333:role/Admin".into()],
            read_only_admins: vec![],
            document: None,
        });
        let r = only("LF002", &f);
        assert_eq!(r.status, Status::Warn, "{}", r.message);
        assert!(r.message.contains("may be hidden"), "{}", r.message);
        assert!(r.remediation.is_some());
    }

    #[test]
    fn database_all_alone_warns() {
        let mut f = healthy();
        *lf_permissions(&mut f) = vec![lf_grant(G, None, false, &["ALL"])];
        let r = only("LF002", &f);
        assert_eq!(r.status, Status::Warn, "{}", r.message);
        assert!(
            r.message.contains("ALL on database flightdata_db"),
            "{}",
            r.message
        );
        assert!(r.remediation.is_some());
    }

    #[test]
    fn without_user_any_identity_center_grant_passes() {
        let mut f = healthy();
        f.target.users.clear();
        f.users.clear();
        let r = only("LF002", &f);
        assert_eq!(r.status, Status::Pass);
        assert!(r.message.contains("--user"), "{}", r.message);
        // IAM principals do not count.
        *lf_permissions(&mut f) = vec![LfPermission {
            principal: "arn:aws:iam::111122223333:role/Analyst".into(),
            ..lf_grant(G, Some("flightdata"), false, &["SELECT"])
        }];
        let r = only("LF002", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.remediation.unwrap().commands[0].contains("user/<IDC_USER_ID>"));
    }

    #[test]
    fn nothing_to_check_without_a_table() {
        let mut f = healthy();
        f.target.tables.clear();
        assert!(run(&Ctx::new(&f)).is_empty());
        skipped("LF002", &f, "nothing to check");
    }

    #[test]
    fn skips_an_unknown_user() {
        let mut f = healthy();
        f.users[0].user = Fact::Known(None);
        skipped("LF002", &f, "IC003");
        // Judged alone, it fails naming the user.
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Fail);
        assert!(out[0].message.contains("\"alice\""));
    }

    #[test]
    fn skips_when_lf001_fails() {
        let mut f = healthy();
        f.lake_formation.identity_center = Fact::Known(None);
        skipped("LF002", &f, "LF001");
    }

    #[test]
    fn errors_when_permissions_are_unreadable() {
        let mut f = healthy();
        f.lake_formation.permissions = Fact::Unknown(denied("lakeformation:ListPermissions"));
        let r = only("LF002", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("lakeformation:ListPermissions"));
        // And an unreadable user's groups are an error too.
        let mut f = healthy();
        f.users[0].groups = Fact::Unknown(Unknown::not_collected());
        let r = results("LF002", &f);
        assert!(r.iter().all(|x| x.status != Status::Pass), "{r:#?}");
    }
}
