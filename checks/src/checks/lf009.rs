//! # LF009 lakeformation-caller-admin
//!
//! **What it checks.** The identity running studio-doctor
//! (`sts:GetCallerIdentity` → `Arn`) is a Lake Formation data lake administrator
//! or read-only administrator in the region (`lakeformation:GetDataLakeSettings` →
//! `DataLakeAdmins`, `ReadOnlyAdmins`). An assumed-role session
//! (`arn:aws:sts::<ACCOUNT_ID>:assumed-role/<ROLE>/<SESSION>`) counts as its role
//! (`arn:aws:iam::<ACCOUNT_ID>:role/<ROLE>`, any path); an IAM user as itself. A
//! warning.
//!
//! **Why it matters.** `ListPermissions` results are "filtered by the permissions
//! of the caller", and Glue reads can be filtered by Lake Formation too. A caller
//! that is not an administrator may see only part of the grants, so LF002, LF003,
//! LF006 and LF007 could report a grant as missing when it exists (or miss an
//! IAMAllowedPrincipals grant). While this check fails, LF006 is skipped (it could
//! pass on an incomplete list) and a grant LF002 finds missing is a warning.
//!
//! **How to fix.** Make the role studio-doctor runs as a read-only administrator:
//! it can see every permission and change nothing. Console: Lake Formation →
//! Administration → **Administrative roles and tasks** → Data lake
//! administrators → Add → Access type **Read-only administrator** → the role →
//! Confirm. CLI: `put-data-lake-settings` replaces the whole settings document
//! (administrators, default permissions, external filtering...), so the report's
//! command writes back the complete settings studio-doctor read
//! (`GetDataLakeSettings`) with only the role added to `ReadOnlyAdmins`: run it
//! before anyone else changes the settings. From facts read before studio-doctor
//! kept the whole document, the report says to read it first, add the role to
//! `ReadOnlyAdmins`, review the file, and write it back: `aws lakeformation
//! get-data-lake-settings --catalog-id <ACCOUNT_ID> --query DataLakeSettings
//! --output json > settings.json`, edit it, then `aws lakeformation
//! put-data-lake-settings --catalog-id <ACCOUNT_ID> --data-lake-settings
//! file://settings.json`. Only a data lake administrator can change the
//! settings. Or run studio-doctor as an existing administrator.
//!
//! **Evidence.** The API model (`ListPermissions`: "filtered by the permissions of the
//! caller"; `DataLakeSettings.ReadOnlyAdmins`) and documented (implicit-permissions:
//! data lake administrators can see every resource; Lake Formation guidance to run
//! Glue reads as an administrator).
//!
//! **References.**
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/initial-lf-config.html
//! - https://docs.aws.amazon.com/lake-formation/latest/dg/implicit-permissions.html
//! - https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_ListPermissions.html
//! - https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_PutDataLakeSettings.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::Ctx;
use crate::facts::DataLakeSettings;
use crate::fix::{Action, Kind};
use crate::lf::caller_admin;
use serde_json::{Value, json};

pub const META: Meta = Meta {
    id: "LF009",
    name: "lakeformation-caller-admin",
    area: Area::LakeFormation,
    severity: Severity::Warning,
    title: "studio-doctor runs as a Lake Formation (read-only) administrator",
    depends_on: &[],
    hop: crate::check::Hop::Read,
    entitlement: false,
    fixes: &[("lakeformation:PutDataLakeSettings", Kind::Replaces)],
    needs: &[Need::Caller, Need::LfSettings],
    docs: &[
        "https://docs.aws.amazon.com/lake-formation/latest/dg/initial-lf-config.html",
        "https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_ListPermissions.html",
        "https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_PutDataLakeSettings.html",
    ],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    let (principal, role) = match caller_admin(ctx) {
        Ok(x) => x,
        Err(o) => return vec![*o],
    };
    let region = ctx.region();
    if let Some(role) = role {
        return vec![Outcome::pass(
            &principal,
            format!("the caller {principal} is a Lake Formation {role} in {region}"),
        )];
    }
    vec![
        Outcome::fail(
            &principal,
            format!(
                "the caller {principal} is neither a data lake administrator nor a read-only administrator of Lake Formation in {region}: Lake Formation may hide permissions from it, so the Lake Formation checks may report a grant as missing when it exists"
            ),
        )
        .fix(fix(ctx, &principal)),
    ]
}

/// Add the caller as a read-only administrator. `PutDataLakeSettings` replaces
/// the whole settings structure, so the action carries the settings as read
/// plus that one change; without them the fix stays a manual one.
fn fix(ctx: &Ctx, principal: &str) -> Remediation {
    let (region, account) = (ctx.region(), ctx.account());
    // The role's own ARN (with its path) when IAM told us.
    let principal = match ctx.role(principal) {
        Ok(Some(r)) if principal.contains(":role/") => r.arn.clone(),
        _ => principal.to_string(),
    };
    let console = "console: Lake Formation → Administration → Administrative roles and tasks → Data lake administrators → Add → Read-only administrator";
    let settings = ctx.facts.lake_formation.settings.known().ok();
    let Some(document) = settings.and_then(|s| with_read_only_admin(s, &principal)) else {
        return Remediation::new(
            format!(
                "Add {principal} as a read-only administrator ({console}), or run studio-doctor as an administrator. put-data-lake-settings replaces the WHOLE settings (admins, default permissions, ...): as a data lake administrator, save the current settings (`aws lakeformation get-data-lake-settings --region {region} --catalog-id {account} --query DataLakeSettings --output json > settings.json`), add only {{\"DataLakePrincipalIdentifier\":\"{principal}\"}} to ReadOnlyAdmins, review the file, then write it back with put-data-lake-settings"
            ),
            Vec::new(),
            META.docs,
        );
    };
    Remediation::new(
        format!(
            "Add {principal} as a read-only administrator ({console}), or run studio-doctor as an administrator. put-data-lake-settings replaces the WHOLE settings: the command writes back the settings as studio-doctor read them with only this read-only administrator added, so run it as a data lake administrator before anyone else changes the settings"
        ),
        vec![Action::PutDataLakeSettings {
            region: region.to_string(),
            catalog_id: account.to_string(),
            data_lake_settings: document,
        }],
        META.docs,
    )
    .replaces(
        "every data lake setting as read (administrators, read-only administrators, default permissions for new databases and tables, external data filtering, trusted resource owners, parameters); only the read-only administrator is added",
    )
}

/// The settings document as read, its administrators those the check judged,
/// with `principal` added to `ReadOnlyAdmins`. None: the document was not read.
fn with_read_only_admin(s: &DataLakeSettings, principal: &str) -> Option<Value> {
    let mut document = s.document.clone()?;
    let fields = document.as_object_mut()?;
    let list = |ids: &[String]| -> Value {
        ids.iter()
            .map(|id| json!({"DataLakePrincipalIdentifier": id}))
            .collect()
    };
    let mut read_only = s.read_only_admins.clone();
    read_only.push(principal.to_string());
    fields.insert("DataLakeAdmins".into(), list(&s.data_lake_admins));
    fields.insert("ReadOnlyAdmins".into(), list(&read_only));
    Some(document)
}

#[cfg(test)]
mod tests {
    use crate::check::Status;
    use crate::fact::{Fact, Unknown};
    use crate::facts::DataLakeSettings;
    use crate::fix::{Action, Kind};
    use crate::testkit::{denied, healthy, only};
    use serde_json::json;

    const ROLE: &str = "arn:aws:iam::111122223333:role/studio-doctor-readonly";

    #[test]
    fn passes_as_data_lake_admin() {
        let r = only("LF009", &healthy());
        assert_eq!(r.status, Status::Pass, "{}", r.message);
        assert!(r.message.contains(ROLE) && r.message.contains("data lake administrator"));
    }

    #[test]
    fn passes_as_read_only_admin_with_a_role_path() {
        let mut f = healthy();
        f.lake_formation.settings = Fact::Known(DataLakeSettings {
            data_lake_admins: vec![],
            read_only_admins: vec![
                "arn:aws:iam::111122223333:role/ops/studio-doctor-readonly".into(),
            ],
            document: None,
        });
        let r = only("LF009", &f);
        assert_eq!(r.status, Status::Pass);
        assert!(r.message.contains("read-only"));
    }

    #[test]
    fn warns_when_not_an_admin() {
        let mut f = healthy();
        f.lake_formation.settings = Fact::Known(DataLakeSettings {
            data_lake_admins: vec!["arn:aws:iam::111122223333:role/Admin".into()],
            read_only_admins: vec!["arn:aws:iam::444455556666:role/studio-doctor-readonly".into()],
            document: None,
        });
        let r = only("LF009", &f);
        assert_eq!(r.status, Status::Warn, "{}", r.message);
        assert!(r.message.contains("may hide permissions"));
        let fix = r.remediation.unwrap();
        assert!(fix.summary.contains("WHOLE settings"));
        assert!(fix.summary.contains(ROLE));
        assert!(fix.commands.is_empty());
        assert_eq!(fix.applicability.kind, crate::fix::Kind::Manual);
    }

    #[test]
    fn the_fix_writes_back_every_setting_with_the_caller_added() {
        let mut f = healthy();
        let document = json!({
            "DataLakeAdmins": [{"DataLakePrincipalIdentifier": "arn:aws:iam::111122223333:role/Admin"}],
            "CreateDatabaseDefaultPermissions": [],
            "CreateTableDefaultPermissions": [],
            "Parameters": {"CROSS_ACCOUNT_VERSION": "4", "SET_CONTEXT": "TRUE"},
            "TrustedResourceOwners": ["444455556666"],
            "AllowExternalDataFiltering": true,
            "ExternalDataFilteringAllowList": [{"DataLakePrincipalIdentifier": "444455556666"}],
            "AuthorizedSessionTagValueList": ["tag"]
        });
        f.lake_formation.settings = Fact::Known(DataLakeSettings {
            data_lake_admins: vec!["arn:aws:iam::111122223333:role/Admin".into()],
            read_only_admins: vec![],
            document: Some(document.clone()),
        });
        let r = only("LF009", &f);
        assert_eq!(r.status, Status::Warn, "{}", r.message);
        let fix = r.remediation.unwrap();
        assert_eq!(fix.applicability.kind, Kind::Replaces);
        let Some(Action::PutDataLakeSettings {
            data_lake_settings, ..
        }) = fix.actions.first()
        else {
            panic!("{:?}", fix.actions)
        };
        let mut wanted = document;
        wanted["ReadOnlyAdmins"] = json!([{ "DataLakePrincipalIdentifier": ROLE }]);
        assert_eq!(data_lake_settings, &wanted);
        assert!(fix.commands[0].starts_with(
            "aws lakeformation put-data-lake-settings --region ap-northeast-1 --catalog-id 111122223333 --data-lake-settings"
        ));
        // Applied: the caller is a read-only administrator, the check passes.
        f.lake_formation.settings = Fact::Known(DataLakeSettings {
            data_lake_admins: vec!["arn:aws:iam::111122223333:role/Admin".into()],
            read_only_admins: vec![ROLE.into()],
            document: Some(wanted),
        });
        assert_eq!(only("LF009", &f).status, Status::Pass);
    }

    #[test]
    fn errors_when_settings_or_caller_are_unknown() {
        let mut f = healthy();
        f.lake_formation.settings = Fact::Unknown(denied("lakeformation:GetDataLakeSettings"));
        let r = only("LF009", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("GetDataLakeSettings"));
        let mut f = healthy();
        f.caller = Fact::Unknown(Unknown::not_collected());
        assert_eq!(only("LF009", &f).status, Status::Error);
    }
}
