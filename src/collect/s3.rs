//! The target workgroups' results buckets: region and owner (`GetBucketLocation`).

use super::error::has_code;
use super::ops::GET_BUCKET_LOCATION;
use super::run::{Run, all};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use studio_doctor_checks::facts::Bucket;
use studio_doctor_checks::{Fact, Unknown};

/// Each bucket's region, asked with `ExpectedBucketOwner` = `account` (from
/// `sts:GetCallerIdentity`): S3 refuses with 403 AccessDenied when another
/// account owns the bucket, so a known bucket is this account's.
pub async fn buckets(
    run: &Arc<Run>,
    account: Result<&str, &Unknown>,
    names: BTreeSet<String>,
) -> BTreeMap<String, Fact<Option<Bucket>>> {
    let account = match account {
        Ok(a) => a.to_string(),
        Err(u) => {
            return names
                .into_iter()
                .map(|n| (n, Fact::Unknown(u.clone())))
                .collect();
        }
    };
    let read = all(names.into_iter().map(|name| {
        let run = run.clone();
        let account = account.clone();
        async move {
            let fact = location(&run, &name, &account).await;
            (name, fact)
        }
    }))
    .await;
    read.into_iter().collect()
}

async fn location(run: &Run, name: &str, account: &str) -> Fact<Option<Bucket>> {
    let got = run
        .call_or_missing(
            &GET_BUCKET_LOCATION,
            run.c
                .s3
                .get_bucket_location()
                .bucket(name)
                .expected_bucket_owner(account)
                .send(),
            |e| has_code(e, &["NoSuchBucket"]),
        )
        .await;
    got.map(|o| {
        o.map(|o| Bucket {
            region: region_of(o.location_constraint().map(|c| c.as_str())),
        })
    })
    .into()
}

/// `LocationConstraint` as a region: none or empty is `us-east-1`, the legacy
/// `EU` is `eu-west-1` (GetBucketLocation API reference).
pub fn region_of(constraint: Option<&str>) -> String {
    match constraint.unwrap_or_default() {
        "" => "us-east-1".into(),
        "EU" => "eu-west-1".into(),
        r => r.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::region_of;

    #[test]
    fn location_constraints_become_regions() {
        assert_eq!(region_of(None), "us-east-1");
        assert_eq!(region_of(Some("")), "us-east-1");
        assert_eq!(region_of(Some("EU")), "eu-west-1");
        assert_eq!(region_of(Some("ap-northeast-1")), "ap-northeast-1");
    }
}
