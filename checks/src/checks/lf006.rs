//! # LF006 lakeformation-iam-allowed-principals
//!
//! **What it checks.** For each `--table DATABASE.TABLE`, the virtual group
//! `IAM_ALLOWED_PRINCIPALS` (IAMAllowedPrincipals) holds no `ALL` on the table or
//! on all tables of its database (table wildcard)
//! (`lakeformation:ListPermissions`). Without `--table` there is nothing to check.
//! A warning.
//!
//! `ALL` on the **database** alone does not count against the table: `Super`
//! "enables a principal to perform every supported Lake Formation operation on
//! the database or table on which it is granted", and the upgrade guide revokes it
//! "on each table and database" separately, so a table without its own grant is
//! under Lake Formation permissions. The finding then passes and names the
//! database grant: tables created later in that database get their own
//! IAMAllowedPrincipals grant while the database's "Use only IAM access control
//! for new tables in this database" default is on.
//!
//! A pass needs a complete list: `ListPermissions` is "filtered by the permissions
//! of the caller", so when the caller is not a Lake Formation data lake
//! administrator or read-only administrator (LF009) a grant to
//! IAMAllowedPrincipals may be hidden, and the result is a warning saying so.
//!
//! **Why it matters.** `ALL` for IAMAllowedPrincipals is Lake Formation's default
//! for compatibility with IAM-only access control: "If this permissions exists on
//! a database or table, all principals will be granted access to the database or
//! table", and Lake Formation keeps it on new tables of a database whose default
//! says "Use only IAM access control". While it is there, per-user Lake Formation
//! permissions are not what decides access, so the grants LF002 and LF003 look at
//! may not be enforced for the Identity Center user.
//!
//! **How to fix.** Revoke it, once every IAM principal that relies on it has the
//! Lake Formation permissions it needs (jobs, crawlers and roles that read the
//! table through IAM policies lose access). Console: Lake Formation → Permissions
//! → Data lake permissions → filter on IAMAllowedPrincipals → Revoke; for the
//! database also clear "Use only IAM access control for new tables in this
//! database" (Databases → the database → Edit). CLI (the report fills in the
//! resource): `aws lakeformation revoke-permissions --region <REGION> --catalog-id
//! <ACCOUNT_ID> --principal DataLakePrincipalIdentifier=IAM_ALLOWED_PRINCIPALS
//! --permissions ALL --resource '{"Table":{"DatabaseName":"<DB>","Name":"<TABLE>"}}'`
//! (or `{"Database":{"Name":"<DB>"}}`).
//!
//! **Evidence.** Documented (metadata-permissions: IAMAllowedPrincipal default and its
//! effect; QuickSight catalog-integration-glue-tip: with Super to
//! IAMAllowedPrincipals "Lake Formation does not enforce per-user permissions",
//! an analogous integration; change-settings and upgrade-glue-lake-formation:
//! Super applies to the database or table it is granted on, and is revoked per
//! table and per database) and the API model (`IAM_ALLOWED_PRINCIPALS`; `ListPermissions`
//! "filtered by the permissions of the caller").
//!
//! **References.**
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/metadata-permissions.html
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/upgrade-glue-lake-formation.html
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/change-settings.html
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/upgrade-glue-lake-formation-background.html
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/lf-permissions-reference.html
//! - https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_ListPermissions.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::Ctx;
use crate::each::each_table_grants;
use crate::facts::LfPermission;
use crate::fix::{Action, Kind};
use crate::lf::{self, IAM_ALLOWED_PRINCIPALS, caller_admin, table_label};

pub const META: Meta = Meta {
    id: "LF006",
    name: "lakeformation-iam-allowed-principals",
    area: Area::LakeFormation,
    severity: Severity::Warning,
    title: "IAMAllowedPrincipals holds no ALL on the table",
    // LF009: a caller that is no Lake Formation administrator may not see the grants.
    depends_on: &["LF009"],
    hop: crate::check::Hop::Read,
    entitlement: false,
    fixes: &[("lakeformation:RevokePermissions", Kind::Replaces)],
    needs: &[Need::Caller, Need::LfPermissions, Need::LfSettings],
    docs: &[
        "https://docs.aws.amazon.com/lake-formation/latest/dg/metadata-permissions.html",
        "https://docs.aws.amazon.com/lake-formation/latest/dg/upgrade-glue-lake-formation.html",
        "https://docs.aws.amazon.com/lake-formation/latest/dg/change-settings.html",
    ],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_table_grants(ctx, |name, db, table, perms| {
        vec![one(ctx, perms, name, db, table)]
    })
}

fn one(ctx: &Ctx, perms: &[LfPermission], name: &str, db: &str, table: &str) -> Outcome {
    let label = table_label(name);
    let found: Vec<&LfPermission> = perms
        .iter()
        .filter(|p| p.principal == IAM_ALLOWED_PRINCIPALS)
        .filter(|p| p.permissions.iter().any(|x| x == "ALL"))
        .filter(|p| lf::reach(p, db, table).is_some())
        .collect();
    if found.is_empty() {
        return none_found(ctx, perms, &label, db);
    }
    let on: Vec<String> = found.iter().map(|p| what(p, name)).collect();
    let actions = found
        .iter()
        .map(|p| Action::RevokePermissions {
            region: ctx.region().to_string(),
            catalog_id: ctx.account().to_string(),
            principal: IAM_ALLOWED_PRINCIPALS.to_string(),
            permissions: vec!["ALL".to_string()],
            resource: lf::resource_of(p),
        })
        .collect();
    Outcome::fail(
        &label,
        format!(
            "IAMAllowedPrincipals holds ALL on {}: IAM-only access control still applies there, so Lake Formation may not enforce the Identity Center user's permissions on {label}",
            on.join(" and ")
        ),
    )
    .fix(
        Remediation::new(
            format!(
                "Revoke ALL from IAMAllowedPrincipals on {}. Impact: IAM users, roles, jobs and crawlers that read {name} through IAM policies alone lose access: grant them Lake Formation permissions first (console: Lake Formation → Permissions → Data lake permissions → IAMAllowedPrincipals → Revoke; for the database also clear \"Use only IAM access control for new tables\")",
                on.join(" and ")
            ),
            actions,
            META.docs,
        )
        .replaces(
            "every other Lake Formation grant; only IAMAllowedPrincipals' ALL is revoked, so IAM principals that relied on it need Lake Formation grants of their own",
        ),
    )
}

/// No grant reaches the table: a pass when the caller sees every grant.
fn none_found(ctx: &Ctx, perms: &[LfPermission], label: &str, db: &str) -> Outcome {
    let on_db = perms.iter().any(|p| {
        p.principal == IAM_ALLOWED_PRINCIPALS
            && lf::on_database(p, db)
            && p.permissions.iter().any(|x| x == "ALL")
    });
    let note = if on_db {
        format!(
            "; it holds ALL on database {db}, which applies to the database itself, not to its existing tables (tables created later get their own grant while the database's \"Use only IAM access control for new tables\" default is on)"
        )
    } else {
        String::new()
    };
    match caller_admin(ctx) {
        Err(o) => *o,
        Ok((principal, Some(role))) => Outcome::pass(
            label,
            format!(
                "IAMAllowedPrincipals holds no ALL on {label} or on all tables of {db}, as seen by {principal}, a Lake Formation {role}{note}"
            ),
        ),
        Ok((principal, None)) => Outcome::warn(
            label,
            format!(
                "no ALL for IAMAllowedPrincipals on {label} is visible, but the caller {principal} is not a Lake Formation administrator, and ListPermissions is filtered by the caller's permissions, so such a grant may be hidden (see LF009){note}"
            ),
        ),
    }
}

fn what(p: &LfPermission, name: &str) -> String {
    if p.table_wildcard {
        format!("all tables of database {}", p.database)
    } else if p.table.is_some() {
        format!("table {name}")
    } else {
        format!("database {}", p.database)
    }
}

#[cfg(test)]
mod tests {
    use super::run;
    use crate::check::{Status, Verdict};
    use crate::ctx::Ctx;
    use crate::fact::Fact;
    use crate::facts::{DataLakeSettings, Facts};
    use crate::testkit::{denied, healthy, lf_grant, lf_permissions, only, skipped, statuses};

    fn add(f: &mut Facts, table: Option<&str>, wild: bool, p: &[&str]) {
        lf_permissions(f).push(lf_grant("IAM_ALLOWED_PRINCIPALS", table, wild, p));
    }

    #[test]
    fn passes_on_healthy() {
        let r = only("LF006", &healthy());
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(r.message.contains("flightdata_db.flightdata"));
    }

    #[test]
    fn database_all_alone_does_not_reach_the_table() {
        let mut f = healthy();
        add(&mut f, None, false, &["ALL"]);
        let r = only("LF006", &f);
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(
            r.message.contains("ALL on database flightdata_db"),
            "{}",
            r.message
        );
        assert!(r.message.contains("not to its existing tables"));
        // With the table's own grant (the default settings' pair) it warns on the table.
        add(&mut f, Some("flightdata"), false, &["ALL"]);
        let r = only("LF006", &f);
        assert_eq!(r.status, Status::Warn, "{}", r.message);
        let fix = r.remediation.unwrap();
        assert!(fix.summary.contains("Impact"));
        // Revoking changes who can read the table: reviewed like a replacement.
        assert_eq!(fix.applicability.kind, crate::fix::Kind::Replaces);
        assert_eq!(
            fix.commands,
            vec![
                "aws lakeformation revoke-permissions --region ap-northeast-1 --catalog-id 111122223333 --principal DataLakePrincipalIdentifier=IAM_ALLOWED_PRINCIPALS --permissions ALL --resource '{\"Table\":{\"DatabaseName\":\"flightdata_db\",\"Name\":\"flightdata\"}}'"
            ]
        );
        // The printed fix applied: the table's grant revoked, the check passes.
        lf_permissions(&mut f)
            .retain(|p| !(p.principal == "IAM_ALLOWED_PRINCIPALS" && p.table.is_some()));
        assert_eq!(only("LF006", &f).status, Status::Pass);
    }

    #[test]
    fn does_not_pass_when_the_caller_may_not_see_every_grant() {
        let mut f = healthy();
        f.lake_formation.settings = Fact::Known(DataLakeSettings {
            data_lake_admins: vec!["arn:aws:iam::111122223333:role/Admin".into()],
            read_only_admins: vec![],
            document: None,
        });
        skipped("LF006", &f, "LF009");
        // Judged alone, it warns instead of passing.
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Warn, "{}", out[0].message);
        assert!(
            out[0].message.contains("may be hidden"),
            "{}",
            out[0].message
        );
        assert!(out[0].message.contains("LF009"), "{}", out[0].message);
        // A grant it can see is still reported as found.
        add(&mut f, Some("flightdata"), false, &["ALL"]);
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Fail, "{}", out[0].message);
        // Unknown settings: no pass either.
        let mut f = healthy();
        f.lake_formation.settings = Fact::Unknown(denied("lakeformation:GetDataLakeSettings"));
        assert_eq!(run(&Ctx::new(&f))[0].verdict, Verdict::Error);
    }

    #[test]
    fn warns_on_table_and_wildcard_all() {
        let mut f = healthy();
        add(&mut f, Some("flightdata"), false, &["ALL"]);
        add(&mut f, None, true, &["ALL"]);
        let r = only("LF006", &f);
        assert_eq!(r.status, Status::Warn);
        let c = r.remediation.unwrap().commands;
        assert_eq!(c.len(), 2);
        assert!(
            c[0].ends_with(r#"'{"Table":{"DatabaseName":"flightdata_db","Name":"flightdata"}}'"#)
        );
        assert!(
            c[1].ends_with(r#"'{"Table":{"DatabaseName":"flightdata_db","TableWildcard":{}}}'"#)
        );
    }

    #[test]
    fn other_grants_do_not_count() {
        let mut f = healthy();
        add(&mut f, Some("flightdata"), false, &["DESCRIBE"]);
        add(&mut f, Some("other"), false, &["ALL"]);
        assert_eq!(only("LF006", &f).status, Status::Pass);
    }

    #[test]
    fn errors_when_permissions_are_unreadable() {
        let mut f = healthy();
        f.lake_formation.permissions = Fact::Unknown(denied("lakeformation:ListPermissions"));
        assert_eq!(only("LF006", &f).status, Status::Error);
    }

    #[test]
    fn nothing_to_check_without_a_table() {
        let mut f = healthy();
        f.target.tables.clear();
        assert!(run(&Ctx::new(&f)).is_empty());
        assert_eq!(statuses("LF006", &f), [Status::Skip]);
    }
}
