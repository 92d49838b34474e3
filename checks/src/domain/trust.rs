//! The request context of a service's role assumption, which trust policy
//! conditions are judged in, and how a trust policy's decisions are listed.

use crate::policy::{Context, Decision};

/// Identity Center's context provider: the value of `sts:RequestContextProviders`
/// when a service sets an Identity Center user's context on a role session, as in
/// the documented trust policies (`"ForAllValues:ArnEquals":
/// {"sts:RequestContextProviders": "arn:aws:iam::aws:contextProvider/IdentityCenter"}`).
pub(crate) const IDC_PROVIDER: &str = "arn:aws:iam::aws:contextProvider/IdentityCenter";

/// The keys a service's role assumption for trusted identity propagation adds to
/// `base` (its `aws:Source*` keys) for `action`:
/// - `sts:SetContext`: `sts:RequestContextProviders` = [`IDC_PROVIDER`] and
///   `sts:RequestContext/identitycenter:InstanceArn` = the Identity Center
///   instance, when known (IAM Identity Center's STS context keys page: "the ARN
///   of the instance of IAM Identity Center that issued the context assertion").
/// - `sts:AssumeRole`: the providers key is present when the service passes the
///   user's context with the call and absent when it does not; a condition on it
///   is decided only when both agree.
/// - any other action (`sts:SetSourceIdentity`): no context provider.
pub(crate) fn tip_trust_context(base: &Context, action: &str, instance: Option<&str>) -> Context {
    match action {
        "sts:SetContext" => {
            let c = base
                .clone()
                .with_values("sts:RequestContextProviders", vec![IDC_PROVIDER.into()]);
            match instance {
                Some(i) => c.with("sts:RequestContext/identitycenter:InstanceArn", i),
                None => c,
            }
        }
        "sts:AssumeRole" => base.clone().with_either(
            "sts:RequestContextProviders",
            vec![vec![], vec![IDC_PROVIDER.into()]],
            "the key is present only when the service passes the user's Identity Center context with the call",
        ),
        _ => base
            .clone()
            .with_values("sts:RequestContextProviders", vec![]),
    }
}

/// `aws:SourceArn` of a service whose documentation does not say which of its
/// ARNs it sends: the `likely` one (the Studio, the workgroup) or another ARN of
/// the same service, region and account. A trust policy pinned to the likely
/// ARN is then undecided, never a pass; one pinned elsewhere is denied.
pub(crate) fn source_arn_undocumented(c: Context, likely: &str) -> Context {
    let parts: Vec<&str> = likely.splitn(6, ':').collect();
    let other = match parts.as_slice() {
        ["arn", partition, service, region, account, _] => {
            format!("arn:{partition}:{service}:{region}:{account}:another-resource")
        }
        _ => return c,
    };
    let why = format!(
        "AWS does not document which ARN the calling service sends as aws:SourceArn ({likely} is only the likely one)"
    );
    c.with_either(
        "aws:SourceArn",
        vec![vec![likely.to_string()], vec![other]],
        &why,
    )
}

/// `action (why)` for each action the trust policy denies.
pub(crate) fn denied(decisions: &[(&str, Decision)]) -> Vec<String> {
    decisions
        .iter()
        .filter(|(_, d)| d.is_denied())
        .map(|(a, d)| format!("{a} ({})", d.describe()))
        .collect()
}

/// `action: reason` for each action the evaluator could not decide.
pub(crate) fn undecided(decisions: &[(&str, Decision)]) -> Vec<String> {
    decisions
        .iter()
        .filter_map(|(a, d)| match d {
            Decision::Undecided { reason } => Some(format!("{a}: {reason}")),
            _ => None,
        })
        .collect()
}
