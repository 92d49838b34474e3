//! # LF007 lakeformation-hybrid-opt-in
//!
//! **What it checks.** For each `--table DATABASE.TABLE` whose covering Lake
//! Formation registration (LF004) is in hybrid access mode
//! (`ListResources` → `HybridAccessEnabled`), each `--user` or one of their groups
//! is opted in on the table or on its database
//! (`lakeformation:ListLakeFormationOptIns`). Without `--user`, any Identity
//! Center user or group opted in counts; add `--user <name>` for a precise answer.
//! A location that is not in hybrid access mode passes. A warning.
//!
//! **Why it matters.** In hybrid access mode Lake Formation enforces its
//! permissions only for principals opted in on the resource; everyone else keeps
//! IAM (and IAMAllowedPrincipals) access. An Identity Center user has no IAM
//! policies of their own, so without an opt-in the Lake Formation grants checked
//! by LF002 may not give them the table.
//!
//! **How to fix.** Opt the user or group in. Console: Lake Formation → Permissions
//! → Hybrid access mode → Add → the principal (IAM Identity Center) and the table
//! or database → Add. CLI (the report fills in the ids):
//! `aws lakeformation create-lake-formation-opt-in --region <REGION> --principal
//! DataLakePrincipalIdentifier=arn:aws:identitystore:::user/<USER_ID> --resource
//! '{"Table":{"CatalogId":"<ACCOUNT_ID>","DatabaseName":"<DB>","Name":"<TABLE>"}}'`.
//! Or, once every consumer has Lake Formation permissions, turn hybrid access mode
//! off for the location.
//!
//! **Evidence.** Documented (hybrid-access-mode: opt-in makes Lake Formation permissions
//! effective for the chosen principals) and the API model (`HybridAccessEnabled`,
//! `ListLakeFormationOptIns`). Inferred: that an Identity Center user without an
//! opt-in is not served by Lake Formation in hybrid mode (not documented for
//! Identity Center principals); hence a warning.
//!
//! **References.**
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/hybrid-access-mode.html
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/notes-hybrid.html
//! - https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_CreateLakeFormationOptIn.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::{Ctx, Principals};
use crate::facts::{LfOptIn, LfResource};
use crate::fix::{Action, Kind};
use crate::idc::{groups_note, user_label};
use crate::lf::{self, is_idc, is_users, table_label, user_arn};
use serde_json::json;

pub const META: Meta = Meta {
    id: "LF007",
    name: "lakeformation-hybrid-opt-in",
    area: Area::LakeFormation,
    severity: Severity::Warning,
    title: "In hybrid access mode, the user (or a group) is opted in",
    // IC003: an unknown or disabled --user is reported there, once.
    depends_on: &["LF004", "IC003"],
    hop: crate::check::Hop::Read,
    entitlement: true,
    fixes: &[
        ("lakeformation:CreateLakeFormationOptIn", Kind::Ready),
        ("lakeformation:CreateLakeFormationOptIn", Kind::NeedsInput),
    ],
    needs: &[
        Need::Caller,
        Need::GlueTables,
        Need::LfResources,
        Need::LfOptIns,
        Need::Users,
    ],
    docs: &[
        "https://docs.aws.amazon.com/lake-formation/latest/dg/hybrid-access-mode.html",
        "https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_CreateLakeFormationOptIn.html",
    ],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    lf::each_split_table(ctx, "its hybrid access opt-ins", |name, db, table| {
        let label = table_label(name);
        let r = match lf::registration(ctx, name) {
            Ok((_, r)) => r,
            Err(o) => return vec![*o],
        };
        lf::per_user(ctx, &label, |p| judge(ctx, r, p, name, db, table))
    })
}

fn judge(
    ctx: &Ctx,
    r: &LfResource,
    p: Option<&Principals>,
    name: &str,
    db: &str,
    table: &str,
) -> Outcome {
    let label = table_label(name);
    if !r.hybrid_access_enabled {
        return Outcome::pass(
            &label,
            format!(
                "{} (covering {label}) is not in hybrid access mode: Lake Formation permissions apply to every principal",
                r.resource_arn
            ),
        );
    }
    let opt_ins = match ctx.facts.lake_formation.opt_ins.known() {
        Ok(o) => o,
        Err(u) => return Outcome::unknown(&label, "the Lake Formation opt-ins", u),
    };
    let applies = |o: &&LfOptIn| o.database == db && o.table.as_deref().is_none_or(|t| t == table);
    let found = opt_ins.iter().filter(applies).find(|o| match p {
        Some(p) => is_users(p, &o.principal),
        None => is_idc(&o.principal),
    });
    if let Some(o) = found {
        let what = match &o.table {
            Some(_) => "the table".to_string(),
            None => format!("database {db}"),
        };
        let subject = match p {
            Some(p) => format!("{} is opted in {}", user_label(p), lf::via(p, &o.principal)),
            None => format!(
                "{} is opted in (--user <name> gives a precise answer)",
                o.principal
            ),
        };
        return Outcome::pass(
            &label,
            format!(
                "{} (covering {label}) is in hybrid access mode and {subject} on {what}",
                r.resource_arn
            ),
        );
    }
    let subject = match p {
        Some(p) => format!(
            "{} is not opted in on it or on database {db}, directly or through a group{}",
            user_label(p),
            groups_note(p)
        ),
        None => format!("no Identity Center user or group is opted in on it or on database {db}"),
    };
    Outcome::fail(
        &label,
        format!(
            "{} (covering {label}) is in hybrid access mode and {subject}: Lake Formation may not enforce its grants for them, and an Identity Center user has no IAM access to fall back on (inferred)",
            r.resource_arn
        ),
    )
    .fix(fix(ctx, p, db, table))
}

fn fix(ctx: &Ctx, p: Option<&Principals>, db: &str, table: &str) -> Remediation {
    let principal = p
        .map(|p| user_arn(p.user_id))
        .unwrap_or_else(|| "arn:aws:identitystore:::user/<IDC_USER_ID>".into());
    let mut summary = "Opt the Identity Center user in on the table (console: Lake Formation → Permissions → Hybrid access mode → Add)".to_string();
    if let Some(g) = p.and_then(|p| p.groups.first()) {
        summary.push_str(&format!(
            ", or their group {} with --principal DataLakePrincipalIdentifier={}",
            g.display_name.as_deref().unwrap_or(&g.group_id),
            lf::group_arn(&g.group_id)
        ));
    }
    summary.push_str(", or turn hybrid access mode off for the location once every consumer has Lake Formation permissions");
    Remediation::new(
        summary,
        vec![Action::CreateLakeFormationOptIn {
            region: ctx.region().to_string(),
            principal,
            resource: json!({"Table": {"CatalogId": ctx.account(), "DatabaseName": db, "Name": table}}),
        }],
        META.docs,
    )
}

#[cfg(test)]
mod tests {
    use super::run;
    use crate::check::Status;
    use crate::ctx::Ctx;
    use crate::fact::Fact;
    use crate::facts::{Facts, LfOptIn};
    use crate::testkit::{denied, healthy, lf_resources, only, skipped};

    const G: &str = "arn:aws:identitystore:::group/e7b4d8a8-6041-7011-9c2d-0a1b2c3d4e5f";

    fn hybrid(f: &mut Facts) {
        lf_resources(f)[0].hybrid_access_enabled = true;
    }

    fn opt_in(f: &mut Facts, principal: &str, table: Option<&str>) {
        f.lake_formation.opt_ins = Fact::Known(vec![LfOptIn {
            principal: principal.into(),
            database: "flightdata_db".into(),
            table: table.map(Into::into),
        }]);
    }

    #[test]
    fn passes_when_not_hybrid() {
        let r = only("LF007", &healthy());
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(r.message.contains("not in hybrid access mode"));
    }

    #[test]
    fn warns_when_hybrid_without_opt_in() {
        let mut f = healthy();
        hybrid(&mut f);
        let r = only("LF007", &f);
        assert_eq!(r.status, Status::Warn, "{}", r.message);
        assert!(r.message.contains("user \"alice\"") && r.message.contains("inferred"));
        let fix = r.remediation.unwrap();
        assert_eq!(
            fix.commands,
            vec![
                "aws lakeformation create-lake-formation-opt-in --region ap-northeast-1 --principal DataLakePrincipalIdentifier=arn:aws:identitystore:::user/97a4f8e8-30c1-70d2-1a2b-3c4d5e6f7a8b --resource '{\"Table\":{\"CatalogId\":\"111122223333\",\"DatabaseName\":\"flightdata_db\",\"Name\":\"flightdata\"}}'"
            ]
        );
        assert!(fix.summary.contains(G));
    }

    #[test]
    fn a_group_opt_in_on_the_table_or_database_passes() {
        let mut f = healthy();
        hybrid(&mut f);
        opt_in(&mut f, G, Some("flightdata"));
        let r = only("LF007", &f);
        assert_eq!(r.status, Status::Pass);
        assert!(
            r.message.contains("through group analysts"),
            "{}",
            r.message
        );
        opt_in(&mut f, G, None);
        assert_eq!(only("LF007", &f).status, Status::Pass);
        opt_in(&mut f, G, Some("other"));
        assert_eq!(only("LF007", &f).status, Status::Warn);
        opt_in(&mut f, "arn:aws:identitystore:::user/someone-else", None);
        assert_eq!(only("LF007", &f).status, Status::Warn);
    }

    #[test]
    fn without_user_any_identity_center_opt_in_counts() {
        let mut f = healthy();
        f.target.users.clear();
        f.users.clear();
        hybrid(&mut f);
        assert_eq!(only("LF007", &f).status, Status::Warn);
        opt_in(&mut f, "arn:aws:identitystore:::user/someone", None);
        let r = only("LF007", &f);
        assert_eq!(r.status, Status::Pass);
        assert!(r.message.contains("--user"));
        opt_in(&mut f, "arn:aws:iam::111122223333:role/Etl", None);
        assert_eq!(only("LF007", &f).status, Status::Warn);
    }

    #[test]
    fn skips_when_lf004_warns() {
        let mut f = healthy();
        hybrid(&mut f);
        f.lake_formation.resources = Fact::Known(vec![]);
        skipped("LF007", &f, "LF004");
    }

    #[test]
    fn errors_when_opt_ins_are_unreadable_in_hybrid_mode() {
        let mut f = healthy();
        f.lake_formation.opt_ins = Fact::Unknown(denied("lakeformation:ListLakeFormationOptIns"));
        // Not hybrid: opt-ins are not needed.
        assert_eq!(only("LF007", &f).status, Status::Pass);
        hybrid(&mut f);
        let r = only("LF007", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("ListLakeFormationOptIns"));
        let mut f = healthy();
        f.target.tables.clear();
        assert!(run(&Ctx::new(&f)).is_empty());
    }
}
