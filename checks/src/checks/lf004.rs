//! # LF004 lakeformation-location-registered
//!
//! **What it checks.** For each `--table DATABASE.TABLE`, the table's S3 location
//! (`glue:GetTable` → `Table.StorageDescriptor.Location`) is inside a data location
//! registered with Lake Formation (`lakeformation:ListResources` →
//! `ResourceInfoList[].ResourceArn`; `s3://bucket/prefix` is
//! `arn:aws:s3:::bucket/prefix`, the longest registered prefix at a `/` boundary
//! wins). A table Glue does not know, or one without an S3 location, is reported
//! too: then the first page of the database's table names (`glue:GetTables`,
//! names only) is read, and the message suggests the closest one and lists a few,
//! or says that the database does not exist. Without `--table` there is nothing
//! to check. A warning.
//!
//! **Why it matters.** For a registered location Lake Formation vends temporary
//! credentials scoped to the signed-in user's permissions, "removing the need to
//! include S3 permissions in the service role" (the Athena workgroup's execution
//! role). For a location that is not registered, the query reads S3 with the
//! execution role's own IAM permissions: it needs `s3:GetObject` and
//! `s3:ListBucket` on the table location, and per-user Lake Formation control of
//! the data stops at the catalog.
//!
//! **How to fix.** Console: Lake Formation → Administration → **Data lake
//! locations** → Register location → the S3 path → a custom IAM role (not the
//! service-linked role: LF005) → Register location. CLI (the report fills in the
//! path): the role of an existing custom registration is reused and gets an
//! inline policy of its own with S3 read and write on the location (`aws iam
//! put-role-policy`); without one, a new role `LakeFormationTipLocationRole` is
//! created with that trust and policy (`aws iam create-role`); then `aws
//! lakeformation register-resource --region <REGION> --resource-arn
//! arn:aws:s3:::<BUCKET>/<PREFIX> --role-arn arn:aws:iam::<ACCOUNT_ID>:role/<ROLE>`.
//! The role must trust `lakeformation.amazonaws.com` for `sts:AssumeRole` and
//! `sts:SetContext` (LF005) and read and write the location; registering needs
//! `iam:PassRole` on it. Alternatively, give the execution role S3 read on the
//! table location.
//!
//! **Evidence.** Documented (tip-tutorial-lf: registering lets Lake Formation vend
//! credentials; register-location) and the API model (`ListResources`, `GetTable`;
//! `GetTables` with `AttributesToGet` `NAME` returns the names only, at most 100 a
//! page, and answers `EntityNotFoundException` for a database that does not exist).
//!
//! **References.**
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/register-location.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/tip-tutorial-lf.html
//! - https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_ListResources.html
//! - https://docs.aws.amazon.com/glue/latest/webapi/API_GetTables.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::Ctx;
use crate::fix::Kind;
use crate::lf::{
    self, Location, SUGGESTED_ROLE, covering_resource, is_service_linked, s3_to_arn, table_label,
};
use crate::names::{closest, first_try, some};

pub const META: Meta = Meta {
    id: "LF004",
    name: "lakeformation-location-registered",
    area: Area::LakeFormation,
    severity: Severity::Warning,
    title: "The table's S3 location is registered with Lake Formation",
    depends_on: &[],
    hop: crate::check::Hop::Read,
    entitlement: false,
    fixes: &[
        ("iam:CreateRole", Kind::Ready),
        ("iam:PutRolePolicy", Kind::Ready),
        ("lakeformation:RegisterResource", Kind::Ready),
    ],
    needs: &[Need::Caller, Need::GlueTables, Need::LfResources],
    docs: &[
        "https://docs.aws.amazon.com/lake-formation/latest/dg/register-location.html",
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/tip-tutorial-lf.html",
    ],
};

/// A `--table` Glue does not know: the closest table of its database (the
/// database's table names are read only then), or that the database is missing.
fn no_table(ctx: &Ctx, name: &str) -> Outcome {
    let label = table_label(name);
    let (region, account) = (ctx.region(), ctx.account());
    let (db, table) = lf::split_table(name).unwrap_or(("<DATABASE>", "<TABLE>"));
    let listed = ctx.facts.table_names.get(db).and_then(|f| f.known().ok());
    if let Some(None) = listed {
        return Outcome::fail(
            &label,
            format!(
                "Glue has no database {db} in account {account} ({region}): glue:GetTables answered EntityNotFound"
            ),
        )
        .fix(Remediation::new(
            format!(
                "Check the database name in --table DATABASE.TABLE (as Glue spells it) and the region; the databases: `aws glue get-databases --region {region} --catalog-id {account} --query 'DatabaseList[].Name'`"
            ),
            Vec::new(),
            META.docs,
        ));
    }
    let mut message = format!(
        "Glue has no table {name} in account {account} ({region}): glue:GetTable answered EntityNotFound"
    );
    let mut summary =
        "Check the --table name (DATABASE.TABLE, as Glue spells it) and the region".to_string();
    if let Some(Some(names)) = listed {
        if names.is_empty() {
            message.push_str(&format!("; database {db} has no tables"));
        } else {
            if let Some(close) = closest(table, names) {
                message.push_str(&format!(" (did you mean {db}.{close}?)"));
                let pass = format!("Did you mean {db}.{close}? Pass --table {db}.{close}");
                summary = first_try(&pass, &summary);
            }
            message.push_str(&format!("; tables in {db}: {}", some(names, 5)));
        }
    }
    Outcome::fail(&label, message).fix(Remediation::new(
        format!(
            "{summary}; the database's tables: `aws glue get-tables --region {region} --catalog-id {account} --database-name {db} --query 'TableList[].Name'`"
        ),
        Vec::new(),
        META.docs,
    ))
}

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    lf::each_table(ctx, |name| vec![one(ctx, name)])
}

fn one(ctx: &Ctx, name: &str) -> Outcome {
    let label = table_label(name);
    let location = match lf::table_location(ctx, name) {
        Location::At(l) => l,
        Location::Unread(u) => {
            return Outcome::unknown(&label, &format!("the Glue table {name}"), &u);
        }
        Location::NoTable => return no_table(ctx, name),
        Location::NoLocation => {
            return Outcome::fail(
                &label,
                format!("{label} has no S3 location (StorageDescriptor.Location), so Lake Formation has no data location to vend credentials for (a view?)"),
            )
            .fix(Remediation::new(
                format!(
                    "Check that the table has a storage location in S3: `aws glue get-table --region {} --catalog-id {} --database-name {} --name {} --query Table.StorageDescriptor.Location`",
                    ctx.region(),
                    ctx.account(),
                    lf::split_table(name).map(|(d, _)| d).unwrap_or("<DATABASE>"),
                    lf::split_table(name).map(|(_, t)| t).unwrap_or("<TABLE>")
                ),
                Vec::new(),
                META.docs,
            ));
        }
    };
    let resources = match ctx.facts.lake_formation.resources.known() {
        Ok(r) => r,
        Err(u) => return Outcome::unknown(&label, "the Lake Formation registered locations", u),
    };
    if let Some(r) = covering_resource(resources, location) {
        return Outcome::pass(
            &label,
            format!(
                "{label}'s location {location} is registered with Lake Formation as {} (role {})",
                r.resource_arn,
                r.role_arn.as_deref().unwrap_or("not reported")
            ),
        );
    }
    let have = if resources.is_empty() {
        "no location is registered".to_string()
    } else {
        let arns: Vec<&str> = resources.iter().map(|r| r.resource_arn.as_str()).collect();
        format!("registered: {}", arns.join(", "))
    };
    // Reuse the role of an existing custom registration, if any; else a new one.
    let reused = resources
        .iter()
        .filter_map(|r| r.role_arn.as_deref())
        .find(|r| !r.is_empty() && !is_service_linked(r));
    let role = reused
        .map(str::to_string)
        .unwrap_or_else(|| format!("arn:aws:iam::{}:role/{SUGGESTED_ROLE}", ctx.account()));
    let arn = s3_to_arn(location);
    let mut actions = lf::location_role_actions(&role, &arn, reused.is_none());
    actions.push(lf::register(ctx, &arn, &role, false));
    let which = match reused {
        Some(_) => format!(
            "the custom role {role} of an existing registration, given S3 read and write on the location in a policy of its own"
        ),
        None => format!(
            "a new custom role {SUGGESTED_ROLE} that trusts lakeformation.amazonaws.com for sts:AssumeRole and sts:SetContext and can read and write the location"
        ),
    };
    Outcome::fail(
        &label,
        format!(
            "{label}'s location {location} is not registered with Lake Formation ({have}): Lake Formation cannot vend credentials for it, so the workgroup's execution role needs its own S3 read access to the location"
        ),
    )
    .fix(Remediation::new(
        format!(
            "Register {arn} with {which} (not the service-linked role, see LF005; console: Lake Formation → Administration → Data lake locations → Register location; registering needs iam:PassRole on the role), or give the execution role S3 read on {location}"
        ),
        actions,
        META.docs,
    ))
}

#[cfg(test)]
mod tests {
    use super::run;
    use crate::check::Status;
    use crate::ctx::Ctx;
    use crate::fact::Fact;
    use crate::facts::Table;
    use crate::fix::Kind;
    use crate::scope::Scope;
    use crate::testkit::{denied, healthy, lf_resources, only, statuses};

    const T: &str = "flightdata_db.flightdata";

    /// `--table` names `name`, which Glue does not know; `listed` is what
    /// `GetTables` said about its database.
    fn mistyped(name: &str, listed: Fact<Option<Vec<String>>>) -> crate::facts::Facts {
        let mut f = healthy();
        f.target.tables = vec![name.into()];
        f.tables.clear();
        f.tables.insert(name.into(), Fact::Known(None));
        let db = name.split('.').next().unwrap();
        f.table_names.insert(db.into(), listed);
        f
    }

    #[test]
    fn a_mistyped_table_suggests_the_closest_table_of_its_database() {
        let names = vec!["flightdata".to_string(), "weather".to_string()];
        let f = mistyped("flightdata_db.flightdat", Fact::Known(Some(names)));
        let r = only("LF004", &f);
        assert_eq!(r.status, Status::Warn);
        assert!(
            r.message
                .contains("(did you mean flightdata_db.flightdata?)")
                && r.message
                    .contains("tables in flightdata_db: flightdata, weather"),
            "{}",
            r.message
        );
        let fix = r.remediation.unwrap();
        assert!(
            fix.summary
                .contains("Pass --table flightdata_db.flightdata;"),
            "{}",
            fix.summary
        );
        // The fix: --table with the suggested name, which Glue knows.
        let suggested = "flightdata_db.flightdata";
        let mut fixed = f.clone();
        fixed.target.tables = vec![suggested.into()];
        fixed.tables = healthy().tables;
        assert_eq!(only("LF004", &fixed).status, Status::Pass);

        let f = mistyped("flightdata_db.flightdat", Fact::Known(Some(vec![])));
        let r = only("LF004", &f);
        assert!(
            r.message
                .ends_with("; database flightdata_db has no tables"),
            "{}",
            r.message
        );

        // Not read (or denied): the message says only what GetTable said.
        let f = mistyped(
            "flightdata_db.flightdat",
            Fact::Unknown(denied("glue:GetTables")),
        );
        let r = only("LF004", &f);
        assert!(r.message.ends_with("EntityNotFound"), "{}", r.message);
    }

    #[test]
    fn a_table_in_a_database_that_does_not_exist_says_so() {
        let f = mistyped("flightdata.flightdata", Fact::Known(None));
        let r = only("LF004", &f);
        assert_eq!(r.status, Status::Warn);
        assert!(
            r.message
                .starts_with("Glue has no database flightdata in account"),
            "{}",
            r.message
        );
        let fix = r.remediation.unwrap();
        assert!(fix.commands.is_empty(), "{:?}", fix.commands);
        assert_eq!(fix.applicability.kind, Kind::Manual);
        assert!(
            fix.summary.contains("`aws glue get-databases --region"),
            "{}",
            fix.summary
        );
    }

    #[test]
    fn passes_on_healthy() {
        let r = only("LF004", &healthy());
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(
            r.message
                .contains("arn:aws:s3:::data-lake-111122223333/flightdata")
        );
        assert!(r.message.contains("LakeFormationTipRole"));
        let out = run(&Ctx::new(&healthy()));
        assert_eq!(out[0].scope, [Scope::table(T)]);
    }

    #[test]
    fn warns_when_another_prefix_is_registered() {
        let mut f = healthy();
        lf_resources(&mut f)[0].resource_arn =
            "arn:aws:s3:::data-lake-111122223333/flightdata-old".into();
        let r = only("LF004", &f);
        assert_eq!(r.status, Status::Warn, "{}", r.message);
        assert!(
            r.message
                .contains("s3://data-lake-111122223333/flightdata/")
        );
        assert!(
            r.message
                .contains("registered: arn:aws:s3:::data-lake-111122223333/flightdata-old")
        );
        // The existing registration's role gets a policy of its own for the
        // location: its other policies are not read, so none is replaced.
        let fix = r.remediation.unwrap();
        assert_eq!(fix.applicability.kind, Kind::Ready);
        assert_eq!(fix.commands.len(), 2, "{:?}", fix.commands);
        assert!(
            fix.commands[0].starts_with(
                "aws iam put-role-policy --role-name LakeFormationTipRole --policy-name LakeFormationLocationAccess-data-lake-111122223333-flightdata --policy-document"
            ) && fix.commands[0].contains("arn:aws:s3:::data-lake-111122223333/flightdata/*"),
            "{}",
            fix.commands[0]
        );
        assert_eq!(
            fix.commands[1],
            "aws lakeformation register-resource --region ap-northeast-1 --resource-arn arn:aws:s3:::data-lake-111122223333/flightdata --role-arn arn:aws:iam::111122223333:role/LakeFormationTipRole"
        );
    }

    #[test]
    fn a_bucket_registration_covers_the_table() {
        let mut f = healthy();
        lf_resources(&mut f)[0].resource_arn = "arn:aws:s3:::data-lake-111122223333".into();
        assert_eq!(only("LF004", &f).status, Status::Pass);
    }

    #[test]
    fn warns_with_nothing_registered_and_creates_a_location_role() {
        let mut f = healthy();
        lf_resources(&mut f).clear();
        let r = only("LF004", &f);
        assert_eq!(r.status, Status::Warn);
        assert!(r.message.contains("no location is registered"));
        let fix = r.remediation.unwrap();
        assert_eq!(fix.applicability.kind, Kind::Ready);
        let names: Vec<String> = fix.actions.iter().map(|a| a.name()).collect();
        assert_eq!(
            names,
            [
                "iam:CreateRole",
                "iam:PutRolePolicy",
                "lakeformation:RegisterResource"
            ]
        );
        assert!(
            fix.commands[0].starts_with(
                "aws iam create-role --role-name LakeFormationTipLocationRole --assume-role-policy-document"
            ) && fix.commands[0].contains("sts:SetContext"),
            "{}",
            fix.commands[0]
        );
        assert!(
            fix.commands[2].ends_with(
                "--role-arn arn:aws:iam::111122223333:role/LakeFormationTipLocationRole"
            ),
            "{}",
            fix.commands[2]
        );
    }

    #[test]
    fn a_missing_table_warns_and_skips_dependants() {
        let mut f = healthy();
        f.tables.insert(T.into(), Fact::Known(None));
        let r = only("LF004", &f);
        assert_eq!(r.status, Status::Warn);
        assert!(
            r.message.contains("no table flightdata_db.flightdata"),
            "{}",
            r.message
        );
        for id in ["LF005", "LF007", "LF008"] {
            assert_eq!(statuses(id, &f), [Status::Skip], "{id}");
        }
        f.tables
            .insert(T.into(), Fact::Known(Some(Table { location: None })));
        let r = only("LF004", &f);
        assert_eq!(r.status, Status::Warn);
        assert!(r.message.contains("no S3 location"), "{}", r.message);
    }

    #[test]
    fn errors_when_facts_are_unknown() {
        let mut f = healthy();
        f.lake_formation.resources = Fact::Unknown(denied("lakeformation:ListResources"));
        assert_eq!(only("LF004", &f).status, Status::Error);
        let mut f = healthy();
        f.tables.clear();
        let r = only("LF004", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("not collected"), "{}", r.message);
    }

    #[test]
    fn nothing_to_check_without_a_table() {
        let mut f = healthy();
        f.target.tables.clear();
        assert!(run(&Ctx::new(&f)).is_empty());
        assert_eq!(statuses("LF004", &f), [Status::Skip]);
    }
}
