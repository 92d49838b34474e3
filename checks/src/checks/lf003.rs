//! # LF003 lakeformation-describe
//!
//! **What it checks.** For each `--table DATABASE.TABLE` and each `--user`, the user
//! or one of their groups can see the table and its database in Lake Formation
//! (`lakeformation:ListPermissions`):
//! - on the table: `DESCRIBE`, `SELECT` or `ALL`, granted on the table, on all
//!   tables of its database (table wildcard), on one of its data cells filters,
//!   or through an LF-Tag expression on `TABLE` resources that the table's tags
//!   match (matched as LF002 describes);
//! - on the database: `DESCRIBE` or `ALL`, granted on the database itself or
//!   through an LF-Tag expression on `DATABASE` resources that the database's
//!   tags match (`lakeformation:GetResourceLFTags`).
//!
//! A grant through a saved LF-Tag expression (or one with a `*` value) is not
//! evaluated: the warning then says the answer is not certain.
//!
//! Without `--user`, any Identity Center user or group counts; add `--user <name>`
//! for a precise answer. Without `--table` there is nothing to check. A warning.
//!
//! **Why it matters.** The Athena SQL editor in EMR Studio lists databases and
//! tables through the Glue Data Catalog, which Lake Formation filters by the
//! signed-in user's permissions: without `DESCRIBE` the database or table does not
//! show up, even when a query naming it would run. Lake Formation grants `DESCRIBE` on the database
//! implicitly when all tables of it are granted, but the docs say so for IAM
//! principals in the same account only, so studio-doctor asks for an explicit
//! grant.
//!
//! **How to fix.** Console: Lake Formation → Permissions → Data lake permissions →
//! Grant → **IAM Identity Center** → the user or group → the database (Database
//! permissions **Describe**) and the table (Table permissions **Describe**).
//! CLI (the report fills in the ids):
//! `aws lakeformation grant-permissions --region <REGION> --catalog-id <ACCOUNT_ID>
//! --principal DataLakePrincipalIdentifier=arn:aws:identitystore:::user/<USER_ID>
//! --permissions DESCRIBE --resource '{"Database":{"Name":"<DB>"}}'` and the same
//! with `--resource '{"Table":{"DatabaseName":"<DB>","Name":"<TABLE>"}}'`.
//!
//! **Evidence.** Documented: DESCRIBE per resource type (lf-permissions-reference),
//! implicit database DESCRIBE for IAM principals only (granting-catalog-permissions),
//! LF-Tag expression matching (managing-tag-expressions, TBAC-assigning-tags).
//! Observed in practice: DESCRIBE granted next to SELECT. Inferred: that a missing
//! DESCRIBE hides the database or table in the Studio's SQL editor; hence a
//! warning.
//!
//! **References.**
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/lf-permissions-reference.html
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/granting-catalog-permissions.html
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/grant-permissions-sso.html
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/managing-tag-expressions.html
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/TBAC-assigning-tags.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::{Ctx, Principals};
use crate::each::each_table_grants;
use crate::facts::LfPermission;
use crate::fix::{Action, Kind};
use crate::idc::{groups_note, user_label};
use crate::lf::{
    self, Access, database_resource, is_idc, is_users, table_label, table_resource, user_arn,
};

pub const META: Meta = Meta {
    id: "LF003",
    name: "lakeformation-describe",
    area: Area::LakeFormation,
    severity: Severity::Warning,
    title: "The user (or a group) has DESCRIBE on the table and its database",
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
        Need::Users,
    ],
    docs: &[
        "https://docs.aws.amazon.com/lake-formation/latest/dg/lf-permissions-reference.html",
        "https://docs.aws.amazon.com/lake-formation/latest/dg/grant-permissions-sso.html",
    ],
};

const ON_TABLE: &[&str] = &["DESCRIBE", "SELECT"];
const ON_DATABASE: &[&str] = &["DESCRIBE"];

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_table_grants(ctx, |name, db, table, perms| {
        lf::per_user(ctx, &table_label(name), |p| {
            judge(ctx, perms, p, name, db, table)
        })
    })
}

fn judge(
    ctx: &Ctx,
    perms: &[LfPermission],
    p: Option<&Principals>,
    name: &str,
    db: &str,
    table: &str,
) -> Outcome {
    let label = table_label(name);
    let who = |x: &str| match p {
        Some(p) => is_users(p, x),
        None => is_idc(x),
    };
    let on_table = lf::table_access(ctx, perms, &who, name, db, table, ON_TABLE);
    let on_db = lf::database_access(ctx, perms, &who, name, db, ON_DATABASE);
    let subject = match p {
        Some(p) => user_label(p),
        None => "any Identity Center user or group".to_string(),
    };
    let how = |x: &str| match p {
        Some(p) => lf::via(p, x),
        None => format!("(granted to {x})"),
    };
    if on_table.found() && on_db.found() {
        let hint = if p.is_none() {
            "; --user <name> gives a precise answer"
        } else {
            ""
        };
        return Outcome::pass(
            &label,
            format!(
                "{subject} can see {label}: {}, and {}{hint}",
                on_table.describe(db, &how),
                on_db.describe(db, &how)
            ),
        );
    }
    for a in [&on_table, &on_db] {
        if let Access::Unread(what, u) = a {
            return Outcome::unknown(&label, what, u);
        }
    }
    let mut missing = Vec::new();
    let mut unsure = Vec::new();
    let mut actions = Vec::new();
    let principal = p
        .map(|p| user_arn(p.user_id))
        .unwrap_or_else(|| "arn:aws:identitystore:::user/<IDC_USER_ID>".into());
    if !on_db.found() {
        missing.push(format!("DESCRIBE on database {db}"));
        actions.push(lf::grant(
            ctx,
            &principal,
            &["DESCRIBE"],
            database_resource(db),
        ));
    }
    if !on_table.found() {
        missing.push(format!("DESCRIBE (or SELECT) on {label}"));
        actions.push(lf::grant(
            ctx,
            &principal,
            &["DESCRIBE"],
            table_resource(db, table),
        ));
    }
    for a in [&on_db, &on_table] {
        if let Access::NotEvaluated(w) = a {
            unsure.push(w.clone());
        }
    }
    if !unsure.is_empty() {
        return Outcome::warn(
            &label,
            format!(
                "{subject} has no {} through a grant studio-doctor evaluates; not evaluated: {}, so whether the Studio's SQL editor lists it is not certain",
                missing.join(" and no "),
                unsure.join("; ")
            ),
        )
        .fix(fix(actions));
    }
    let message = match p {
        Some(p) => format!(
            "{} has no {}, directly or through a group{}, so the Studio's SQL editor may not list it (inferred)",
            user_label(p),
            missing.join(" and no "),
            groups_note(p)
        ),
        None => format!(
            "no Identity Center user or group has {}, so the Studio's SQL editor may not list it (inferred)",
            missing.join(" or ")
        ),
    };
    Outcome::fail(&label, message).fix(fix(actions))
}

fn fix(actions: Vec<Action>) -> Remediation {
    Remediation::new(
        "Grant DESCRIBE on the database and the table to the Identity Center user or one of their groups (console: Lake Formation → Permissions → Data lake permissions → Grant → IAM Identity Center); Identity Center entitlement changes can take up to an hour to apply",
        actions,
        META.docs,
    )
}

#[cfg(test)]
mod tests {
    use super::run;
    use crate::check::Status;
    use crate::ctx::Ctx;
    use crate::fact::{Fact, Unknown, UnknownKind};
    use crate::testkit::{healthy, lf_permissions, only, skipped};

    const U: &str = "arn:aws:identitystore:::user/97a4f8e8-30c1-70d2-1a2b-3c4d5e6f7a8b";

    #[test]
    fn passes_on_healthy() {
        let r = only("LF003", &healthy());
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(
            r.message.contains("through group analysts"),
            "{}",
            r.message
        );
        assert!(
            r.message.contains("database flightdata_db"),
            "{}",
            r.message
        );
    }

    #[test]
    fn select_without_describe_counts_on_the_table() {
        let mut f = healthy();
        lf_permissions(&mut f)[0].permissions = vec!["SELECT".into()];
        assert_eq!(only("LF003", &f).status, Status::Pass);
    }

    #[test]
    fn warns_without_database_describe() {
        let mut f = healthy();
        lf_permissions(&mut f).remove(1);
        let r = only("LF003", &f);
        assert_eq!(r.status, Status::Warn, "{}", r.message);
        assert!(
            r.message.contains("no DESCRIBE on database flightdata_db"),
            "{}",
            r.message
        );
        assert!(!r.message.contains("on table"), "{}", r.message);
        let fix = r.remediation.unwrap();
        assert_eq!(
            fix.commands,
            vec![format!(
                "aws lakeformation grant-permissions --region ap-northeast-1 --catalog-id 111122223333 --principal DataLakePrincipalIdentifier={U} --permissions DESCRIBE --resource '{{\"Database\":{{\"Name\":\"flightdata_db\"}}}}'"
            )]
        );
    }

    #[test]
    fn database_all_counts_for_the_database_only() {
        let mut f = healthy();
        lf_permissions(&mut f)[1].permissions = vec!["ALL".into()];
        assert_eq!(only("LF003", &f).status, Status::Pass);
        lf_permissions(&mut f).remove(0);
        let r = only("LF003", &f);
        assert_eq!(r.status, Status::Warn);
        assert!(
            r.message.contains("on table flightdata_db.flightdata"),
            "{}",
            r.message
        );
        assert_eq!(r.remediation.unwrap().commands.len(), 1);
    }

    #[test]
    fn without_user_any_identity_center_principal_counts() {
        let mut f = healthy();
        f.target.users.clear();
        f.users.clear();
        let r = only("LF003", &f);
        assert_eq!(r.status, Status::Pass);
        assert!(r.message.contains("--user"), "{}", r.message);
        lf_permissions(&mut f).clear();
        let r = only("LF003", &f);
        assert_eq!(r.status, Status::Warn);
        assert!(
            r.message
                .starts_with("no Identity Center user or group has DESCRIBE"),
            "{}",
            r.message
        );
        assert_eq!(r.remediation.unwrap().commands.len(), 2);
    }

    #[test]
    fn lf_tag_grants_count_on_the_table_and_the_database() {
        use crate::facts::{LfTag, LfTagPermission};
        let g = "arn:aws:identitystore:::group/e7b4d8a8-6041-7011-9c2d-0a1b2c3d4e5f";
        let grant = |kind: &str| LfTagPermission {
            principal: g.into(),
            resource_type: kind.into(),
            expression: vec![LfTag {
                key: "domain".into(),
                values: vec!["flights".into()],
            }],
            expression_name: None,
            permissions: vec!["DESCRIBE".into()],
        };
        let mut f = healthy();
        lf_permissions(&mut f).clear();
        f.lake_formation.tag_permissions = Fact::Known(vec![grant("TABLE"), grant("DATABASE")]);
        let r = only("LF003", &f);
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(
            r.message.contains("LF-Tag expression (domain=flights)"),
            "{}",
            r.message
        );
        // Only the TABLE expression: the database is missing.
        f.lake_formation.tag_permissions = Fact::Known(vec![grant("TABLE")]);
        let r = only("LF003", &f);
        assert_eq!(r.status, Status::Warn, "{}", r.message);
        assert!(r.message.contains("DESCRIBE on database"), "{}", r.message);
        // A saved expression is not evaluated: still a warning, saying so.
        f.lake_formation.tag_permissions = Fact::Known(vec![LfTagPermission {
            expression: vec![],
            expression_name: Some("readers".into()),
            ..grant("DATABASE")
        }]);
        let r = only("LF003", &f);
        assert!(r.message.contains("not evaluated"), "{}", r.message);
    }

    #[test]
    fn skips_when_lf001_fails() {
        let mut f = healthy();
        f.lake_formation.identity_center = Fact::Known(None);
        skipped("LF003", &f, "LF001");
    }

    #[test]
    fn errors_when_permissions_are_unreadable() {
        let mut f = healthy();
        f.lake_formation.permissions = Fact::Unknown(Unknown::new(
            UnknownKind::Throttled,
            "lakeformation:ListPermissions",
            "",
        ));
        let r = only("LF003", &f);
        assert_eq!(r.status, Status::Error);
        let mut f = healthy();
        f.target.tables.clear();
        assert!(run(&Ctx::new(&f)).is_empty());
    }
}
