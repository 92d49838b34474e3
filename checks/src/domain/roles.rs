//! The roles the query path uses: role ARNs and accounts, a Studio's user and
//! service roles, a workgroup's execution role; and the replacement of a
//! workgroup whose immutable settings are wrong.

use crate::check::{Outcome, Remediation};
use crate::ctx::{Ctx, studio_label, workgroup_label};
use crate::fact::{Fact, Unknown, UnknownKind};
use crate::facts::{Studio, WorkGroup};
use crate::fix::Action;
use crate::fixes::{
    EXECUTION_ROLE_DOCS, create_fix, create_role, execution_trust, recreate_fix,
    update_work_group_action,
};
use crate::modes::AuthMode;
use crate::policy::arn_account;

/// The account: the caller's, else the one in `arn`, else a placeholder.
pub(crate) fn account_of(ctx: &Ctx, arn: Option<&str>) -> String {
    match (&ctx.facts.caller, arn.and_then(arn_account)) {
        (Fact::Known(c), _) => c.account_id.clone(),
        (_, Some(a)) => a.to_string(),
        _ => ctx.account().to_string(),
    }
}

/// A role ARN from what DescribeStudio or GetWorkGroup returned (a name or an ARN).
pub(crate) fn role_arn(account: &str, name_or_arn: &str) -> String {
    if name_or_arn.starts_with("arn:") {
        name_or_arn.to_string()
    } else {
        format!("arn:aws:iam::{account}:role/{name_or_arn}")
    }
}

/// The ARN of a role DescribeStudio or GetWorkGroup names (a name or an ARN), with
/// the role's real path: GetRole's ARN when the facts have the role. A bare name
/// whose role could not be read gives an ARN without a path and the reason the
/// path is not known (a role under `/service-role/` has that in its ARN, and IAM
/// matches `iam:PassRole` on the full ARN).
pub(crate) fn real_role_arn(
    ctx: &Ctx,
    account: &str,
    name_or_arn: &str,
) -> (String, Option<Unknown>) {
    if name_or_arn.starts_with("arn:") {
        return (name_or_arn.to_string(), None);
    }
    match ctx.role(name_or_arn) {
        Ok(Some(r)) => (r.arn.clone(), None),
        Ok(None) => (role_arn(account, name_or_arn), None),
        Err(u) => (role_arn(account, name_or_arn), Some(u)),
    }
}

/// The user role of an Identity Center Studio, or the outcome to report instead:
/// a Studio without Identity Center authentication (ES001 fails it) or without a
/// user role (ES003 fails it). The runner skips both; they are complete all the same.
pub(crate) fn sso_user_role<'a>(ctx: &Ctx, s: &'a Studio) -> Result<&'a str, Box<Outcome>> {
    if s.auth_mode != Some(AuthMode::Sso) {
        return Err(Box::new(not_sso(ctx, s)));
    }
    s.user_role
        .as_deref()
        .filter(|r| !r.is_empty())
        .ok_or_else(|| {
            let label = studio_label(s);
            Box::new(
                Outcome::fail(&label, format!("{label} has no user role (see ES003)")).fix(
                    recreate_fix(
                        ctx,
                        Some(s),
                        "Create a separate user role and a new Studio that uses it (see ES003)",
                    ),
                ),
            )
        })
}

/// The Studio's service role, or an error outcome when DescribeStudio gave none.
pub(crate) fn service_role(s: &Studio) -> Result<&str, Box<Outcome>> {
    s.service_role
        .as_deref()
        .filter(|r| !r.is_empty())
        .ok_or_else(|| {
            let label = studio_label(s);
            let u = Unknown::new(
                UnknownKind::ServiceError,
                "elasticmapreduce:DescribeStudio",
                "DescribeStudio returned no ServiceRole",
            );
            Box::new(Outcome::unknown(
                &label,
                &format!("the service role of {label}"),
                &u,
            ))
        })
}

/// The outcome for a Studio without Identity Center authentication. ES001 fails
/// it, so the runner turns this into a skip; it is complete all the same.
pub(crate) fn not_sso(ctx: &Ctx, s: &Studio) -> Outcome {
    let label = studio_label(s);
    Outcome::fail(
        &label,
        format!("{label} does not use IAM Identity Center authentication (see ES001)"),
    )
    .fix(recreate_fix(
        ctx,
        Some(s),
        "Create a new Studio with IAM Identity Center authentication, then delete the old one",
    ))
}

/// The workgroup's execution role as an ARN (a bare name is put in the account).
/// None: the workgroup has none.
pub(crate) fn execution_role_arn(ctx: &Ctx, w: &WorkGroup) -> Option<String> {
    w.execution_role
        .as_deref()
        .filter(|r| !r.is_empty())
        .map(|r| role_arn(&account_of(ctx, None), r))
}

/// `arn:aws:athena:<region>:<account>:workgroup/<name>`.
pub(crate) fn workgroup_arn(ctx: &Ctx, account: &str, w: &WorkGroup) -> String {
    format!(
        "arn:aws:athena:{}:{account}:workgroup/{}",
        ctx.region(),
        w.name
    )
}

/// A workgroup without an execution role: fail with the fix (WG004).
pub(crate) fn no_role(ctx: &Ctx, w: &WorkGroup) -> Outcome {
    no_role_then(ctx, w, |_| Vec::new())
}

/// [`no_role`], the fix going on with `then(new role ARN)`'s actions (WG005
/// grants the new role its permissions).
pub(crate) fn no_role_then(
    ctx: &Ctx,
    w: &WorkGroup,
    then: impl FnOnce(&str) -> Vec<Action>,
) -> Outcome {
    let label = workgroup_label(w);
    let account = account_of(ctx, None);
    let arn = format!(
        "arn:aws:iam::{account}:role/service-role/AWSAthenaSQLRole-{}",
        w.name
    );
    Outcome::fail(
        &label,
        format!("{label} has no execution role (Configuration.ExecutionRole), which Identity Center workgroups require: Athena runs each query with it to reach Lake Formation, Glue and S3 Access Grants for the signed-in user"),
    )
    .fix({
        let more = then(&arn);
        let grant = if more.is_empty() {
            "then give it the permissions WG005 lists"
        } else {
            "and give it the permissions WG005 lists (the last command)"
        };
        let mut actions = vec![
            create_role(&arn, &execution_trust(&account)),
            update_work_group_action(ctx, w, serde_json::json!({"ExecutionRole": arn})),
        ];
        actions.extend(more);
        Remediation::new(
            format!(
                "Create an execution role that trusts athena.amazonaws.com, set it on the workgroup (console: Athena → Workgroups → {} → Edit → Service role for IAM Identity Center access), {grant}",
                w.name
            ),
            actions,
            EXECUTION_ROLE_DOCS,
        )
    })
}

/// Why a workgroup is replaced rather than updated: `UpdateWorkGroup`'s
/// `WorkGroupConfigurationUpdates` has no `IdentityCenterConfiguration`, and the
/// Athena guide says the authentication method cannot change after creation.
pub(crate) const IDC_IMMUTABLE: &str = "a workgroup's authentication method (IAM Identity Center or IAM) cannot be changed after it is created (UpdateWorkGroup takes no IdentityCenterConfiguration): a new workgroup replaces it, and the old one is deleted once its users and saved queries have moved to the new one";

/// [`create_fix`] for a new workgroup that replaces `old` (if any) because of
/// `reason`: `recreates` when there is an old workgroup that can be deleted
/// (the primary workgroup cannot be), else a plain creation.
pub(crate) fn replace_fix(
    ctx: &Ctx,
    name: &str,
    old: Option<&WorkGroup>,
    summary: &str,
    reason: &str,
) -> Remediation {
    let fix = create_fix(ctx, name, old, summary);
    match old {
        Some(w) if w.name != "primary" => fix.recreates(reason),
        _ => fix,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fact::Unknown;
    use crate::testkit::healthy;

    #[test]
    fn role_arns_and_accounts() {
        assert_eq!(role_arn("1", "R"), "arn:aws:iam::1:role/R");
        assert_eq!(
            role_arn("1", "arn:aws:iam::2:role/p/R"),
            "arn:aws:iam::2:role/p/R"
        );
        let mut f = healthy();
        f.caller = Fact::Unknown(Unknown::not_collected());
        let ctx = Ctx::new(&f);
        let arn = "arn:aws:iam::111122223333:role/EMRStudio-UserRole";
        assert_eq!(account_of(&ctx, Some(arn)), "111122223333");
        assert_eq!(account_of(&ctx, None), "<ACCOUNT_ID>");
    }
}
