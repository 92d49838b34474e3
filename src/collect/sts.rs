//! `sts:GetCallerIdentity`.

use super::ops::GET_CALLER_IDENTITY;
use super::run::Run;
use studio_doctor_checks::Fact;
use studio_doctor_checks::facts::Caller;

/// The caller, read once per run (S3 Access Grants and Lake Formation need the account).
pub async fn caller(run: &Run) -> &Fact<Caller> {
    run.caller.get_or_init(|| read(run)).await
}

async fn read(run: &Run) -> Fact<Caller> {
    let out = run
        .call(&GET_CALLER_IDENTITY, run.c.sts.get_caller_identity().send())
        .await;
    out.map(|o| Caller {
        account_id: o.account().unwrap_or_default().to_string(),
        arn: o.arn().unwrap_or_default().to_string(),
    })
    .into()
}
