//! # WG008 workgroup-engine-version
//!
//! **What it checks.** Each target workgroup (every Identity-Center-enabled one,
//! or `--workgroup`) runs on Athena engine version 3
//! (`Configuration.EngineVersion.EffectiveEngineVersion == "Athena engine
//! version 3"`). Another engine is a warning; so is an engine Athena did not
//! report. This is a warning.
//!
//! **Why it matters.** "Trusted identity propagation with Amazon Athena requires
//! the use of Trino", and Athena engine version 3 is the Trino-based SQL engine.
//! A workgroup pinned to an older engine (or an Apache Spark workgroup, which
//! trusted identity propagation does not support) is expected to reject or fail
//! Identity Center queries.
//!
//! **How to fix.** Select engine version 3.
//! Console: Athena → Workgroups → the workgroup → Edit → Query engine version →
//! **Manual** → Athena engine version 3 → Save.
//! CLI (the report fills in the region and the workgroup):
//! `aws athena update-work-group --region <REGION> --work-group <WG>
//! --configuration-updates '{"EngineVersion":{"SelectedEngineVersion":"Athena
//! engine version 3"}}'`. An Apache Spark workgroup cannot become a SQL workgroup:
//! create a new Identity Center SQL workgroup instead (the report gives
//! `aws athena create-work-group`). Changing the engine needs
//! `athena:ListEngineVersions`.
//!
//! **Evidence.** Documented (tip-usecase-ate: "Trusted identity propagation with Amazon
//! Athena requires the use of Trino"; Apache Spark is not supported) and inferred
//! (the mapping "Trino" = `Athena engine version 3`; hence a warning). The API model for
//! `EngineVersion.EffectiveEngineVersion` / `SelectedEngineVersion`.
//!
//! **References.**
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/tip-usecase-ate.html
//! - https://docs.aws.amazon.com/athena/latest/ug/engine-versions-changing.html
//! - https://docs.aws.amazon.com/athena/latest/ug/engine-versions-reference-0003.html
//! - https://docs.aws.amazon.com/cli/latest/reference/athena/update-work-group.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::{Ctx, workgroup_label};
use crate::each::each_workgroup;
use crate::facts::WorkGroup;
use crate::fix::Kind;
use crate::fixes::update_work_group_action;
use crate::roles::replace_fix;

pub const META: Meta = Meta {
    id: "WG008",
    name: "workgroup-engine-version",
    area: Area::AthenaWorkgroup,
    severity: Severity::Warning,
    title: "Athena workgroup runs on engine version 3 (Trino)",
    depends_on: &["WG001"],
    hop: crate::check::Hop::Workgroup,
    entitlement: false,
    fixes: &[
        ("athena:UpdateWorkGroup", Kind::Ready),
        ("iam:CreateRole", Kind::Recreates),
        ("athena:CreateWorkGroup", Kind::Recreates),
    ],
    needs: &[Need::Workgroups],
    docs: &[
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/tip-usecase-ate.html",
        "https://docs.aws.amazon.com/athena/latest/ug/engine-versions-changing.html",
    ],
};

const V3: &str = "Athena engine version 3";
/// Why a Spark workgroup is replaced (inferred: the analytics engine is chosen
/// when a workgroup is created, and its authentication method cannot change).
const SPARK: &str = "an Apache Spark workgroup is not turned into a SQL one in place (inferred: the analytics engine is chosen when the workgroup is created), and a workgroup's authentication method cannot be changed after it is created: a new workgroup replaces it, and the old one is deleted once its users and saved queries have moved to the new one";
const WHY: &str = "trusted identity propagation with Athena requires Trino, which is Athena engine version 3 (inferred mapping)";

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_workgroup(ctx, |w| vec![one(ctx, w)])
}

fn one(ctx: &Ctx, w: &WorkGroup) -> Outcome {
    let label = workgroup_label(w);
    match w.effective_engine_version.as_deref().filter(|v| !v.is_empty()) {
        Some(V3) => Outcome::pass(&label, format!("{label} runs on {V3} (Trino)")),
        Some(v) if v.to_ascii_lowercase().contains("spark") => Outcome::fail(
            &label,
            format!("{label} is an Apache Spark workgroup ({v}); {WHY}, and Apache Spark is not supported"),
        )
        .fix(replace_fix(
            ctx,
            &format!("{}-sql", w.name),
            Some(w),
            "An Apache Spark workgroup cannot run SQL with trusted identity propagation: create an Identity Center SQL workgroup on engine version 3, then assign its users (WG003)",
            SPARK,
        )),
        Some(v) => Outcome::fail(
            &label,
            format!("{label} runs on \"{v}\"; {WHY}"),
        )
        .fix(engine_fix(ctx, w)),
        None => Outcome::warn(
            &label,
            format!("{label}: Athena reported no effective engine version (unknown engine); {WHY}"),
        )
        .fix(engine_fix(ctx, w)),
    }
}

fn engine_fix(ctx: &Ctx, w: &WorkGroup) -> Remediation {
    Remediation::new(
        format!(
            "Select {V3} for {} (console: Athena → Workgroups → {} → Edit → Query engine version → Manual)",
            workgroup_label(w),
            w.name
        ),
        vec![update_work_group_action(
            ctx,
            w,
            serde_json::json!({"EngineVersion": {"SelectedEngineVersion": V3}}),
        )],
        META.docs,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Status, Verdict};
    use crate::fact::Fact;
    use crate::testkit::{denied, healthy, idc_wg, only, skipped};

    #[test]
    fn passes_on_healthy() {
        let r = only("WG008", &healthy());
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert!(r.message.contains("Athena engine version 3"));
    }

    #[test]
    fn an_older_engine_warns_with_the_update_command() {
        let mut f = healthy();
        idc_wg(&mut f).effective_engine_version = Some("Athena engine version 2".into());
        let r = only("WG008", &f);
        // Warning severity: Verdict::Fail shows as warn.
        assert_eq!(r.status, Status::Warn, "{r:#?}");
        assert!(r.message.contains("\"Athena engine version 2\""));
        assert!(r.message.contains("inferred"));
        let fix = r.remediation.unwrap();
        assert_eq!(
            fix.commands,
            [
                r#"aws athena update-work-group --region ap-northeast-1 --work-group idc-wg --configuration-updates '{"EngineVersion":{"SelectedEngineVersion":"Athena engine version 3"}}'"#
            ]
        );
        // A partial update: only the engine version changes.
        assert_eq!(fix.applicability.kind, Kind::Ready);
        assert_eq!(run(&Ctx::new(&f))[0].verdict, Verdict::Fail);
    }

    #[test]
    fn spark_needs_a_new_sql_workgroup() {
        let mut f = healthy();
        idc_wg(&mut f).effective_engine_version = Some("PySpark engine version 3".into());
        let r = only("WG008", &f);
        assert_eq!(r.status, Status::Warn);
        assert!(r.message.contains("Apache Spark"));
        let fix = r.remediation.unwrap();
        let c = &fix.commands[0];
        assert!(
            c.starts_with("aws athena create-work-group --region ap-northeast-1 --name idc-wg-sql")
        );
        assert!(c.contains("Athena engine version 3"));
        assert_eq!(fix.applicability.kind, Kind::Recreates);
        assert_eq!(fix.applicability.reason.as_deref(), Some(SPARK));
    }

    #[test]
    fn unknown_engine_is_a_warning_not_a_pass() {
        let mut f = healthy();
        idc_wg(&mut f).effective_engine_version = None;
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Warn);
        assert!(out[0].message.contains("unknown engine"));
        assert!(out[0].fix.is_some());
    }

    #[test]
    fn skips_when_wg001_fails() {
        let mut f = healthy();
        f.target.workgroup = Some("nope".into());
        skipped("WG008", &f, "WG001");
    }

    #[test]
    fn unknown_workgroups_are_an_error() {
        let mut f = healthy();
        f.workgroups = Fact::Unknown(denied("athena:GetWorkGroup"));
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Error);
        assert!(out[0].message.contains("athena:GetWorkGroup"));
    }
}
