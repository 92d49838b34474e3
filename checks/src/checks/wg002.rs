//! # WG002 workgroup-enabled
//!
//! **What it checks.** Each target workgroup (every Identity-Center-enabled one,
//! or `--workgroup`, a regular workgroup included) is enabled (`GetWorkGroup` → `WorkGroup.State == ENABLED`).
//! `DISABLED` fails; a state Athena did not report is a warning.
//!
//! **Why it matters.** "Disabling a workgroup prevents queries from running in
//! it, until you enable it. Queries sent to a disabled workgroup fail." Everything
//! else on the path can be right and the Athena SQL editor in EMR Studio still
//! cannot run a query.
//!
//! **How to fix.** Enable the workgroup.
//! Console: Athena → Workgroups → the workgroup → **Enable workgroup** → Enable.
//! CLI (the report fills in the region and the workgroup):
//! `aws athena update-work-group --region <REGION> --work-group <WG> --state ENABLED`.
//!
//! **Evidence.** The API model (`WorkGroup.State`, enum `ENABLED|DISABLED`;
//! `UpdateWorkGroup.State`) and documented (user-created-workgroups: queries sent to a
//! disabled workgroup fail; workgroups-enabled-disabled).
//!
//! **References.**
//! - https://docs.aws.amazon.com/athena/latest/ug/workgroups-enabled-disabled.html
//! - https://docs.aws.amazon.com/athena/latest/ug/user-created-workgroups.html
//! - https://docs.aws.amazon.com/cli/latest/reference/athena/update-work-group.html

use crate::check::{Area, Meta, Need, Outcome, Severity};
use crate::ctx::{Ctx, workgroup_label};
use crate::each::each_target_workgroup;
use crate::facts::WorkGroup;
use crate::fix::{Action, Kind};
use crate::modes::WorkGroupState;

pub const META: Meta = Meta {
    id: "WG002",
    name: "workgroup-enabled",
    area: Area::AthenaWorkgroup,
    severity: Severity::Error,
    title: "Athena workgroup is enabled",
    depends_on: &["WG001"],
    hop: crate::check::Hop::Workgroup,
    entitlement: false,
    fixes: &[("athena:UpdateWorkGroup", Kind::Ready)],
    needs: &[Need::Workgroups],
    docs: &[
        "https://docs.aws.amazon.com/athena/latest/ug/workgroups-enabled-disabled.html",
        "https://docs.aws.amazon.com/cli/latest/reference/athena/update-work-group.html",
    ],
};

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_target_workgroup(ctx, |w| vec![one(ctx, w)])
}

fn one(ctx: &Ctx, w: &WorkGroup) -> Outcome {
    let label = workgroup_label(w);
    match &w.state {
        Some(WorkGroupState::Enabled) => Outcome::pass(&label, format!("{label} is enabled")),
        Some(WorkGroupState::Disabled) => Outcome::fail(
            &label,
            format!("{label} is disabled (State: DISABLED), so every query sent to it fails"),
        )
        .fix(enable_fix(ctx, w)),
        other => Outcome::warn(
            &label,
            format!(
                "{label} has state {}; queries run only in an ENABLED workgroup",
                other
                    .as_ref()
                    .map_or("(not reported)".to_string(), |s| format!("\"{s}\""))
            ),
        )
        .fix(enable_fix(ctx, w)),
    }
}

fn enable_fix(ctx: &Ctx, w: &WorkGroup) -> crate::Remediation {
    crate::Remediation::new(
        format!(
            "Enable the workgroup (console: Athena → Workgroups → {} → Enable workgroup)",
            w.name
        ),
        vec![Action::UpdateWorkGroup {
            region: ctx.region().to_string(),
            work_group: w.name.clone(),
            configuration_updates: None,
            state: Some("ENABLED".into()),
        }],
        META.docs,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Status, Verdict};
    use crate::fact::Fact;
    use crate::scope::Scope;
    use crate::testkit::{denied, healthy, idc_wg, only, skipped};

    #[test]
    fn passes_on_healthy() {
        let r = only("WG002", &healthy());
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert!(r.message.contains("workgroup \"idc-wg\" is enabled"));
    }

    #[test]
    fn fails_when_disabled_with_the_enable_command() {
        let mut f = healthy();
        idc_wg(&mut f).state = Some("DISABLED".into());
        let r = only("WG002", &f);
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(r.message.contains("workgroup \"idc-wg\" is disabled"));
        let fix = r.remediation.unwrap();
        assert_eq!(
            fix.commands,
            [
                "aws athena update-work-group --region ap-northeast-1 --work-group idc-wg --state ENABLED"
            ]
        );
        assert_eq!(fix.applicability.kind, Kind::Ready);
        // Applied, the check passes.
        idc_wg(&mut f).state = Some("ENABLED".into());
        assert_eq!(only("WG002", &f).status, Status::Pass);
    }

    #[test]
    fn an_unreported_state_is_a_warning_not_a_pass() {
        let mut f = healthy();
        idc_wg(&mut f).state = None;
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Warn);
        assert!(out[0].message.contains("not reported"));
        assert_eq!(out[0].scope, [Scope::Workgroup("idc-wg".into())]);
    }

    #[test]
    fn skips_when_wg001_fails() {
        let mut f = healthy();
        f.target.workgroup = Some("nope".into());
        skipped("WG002", &f, "WG001");
    }

    #[test]
    fn unknown_workgroups_are_an_error() {
        let mut f = healthy();
        f.workgroups = Fact::Unknown(denied("athena:ListWorkGroups"));
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Error);
        assert!(out[0].message.contains("athena:ListWorkGroups"));
        assert_eq!(only("WG002", &f).status, Status::Skip);
    }
}
