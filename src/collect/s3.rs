//! The target workgroups' results buckets: region and owner (`GetBucketLocation`).

use super::error::{SdkError, classify, has_code};
use super::ops::GET_BUCKET_LOCATION;
use super::run::{Run, by_key};
use aws_config::Region;
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
    by_key(names, |name| {
        let (run, account) = (run.clone(), account.clone());
        async move { location(&run, &name, &account).await }
    })
    .await
}

/// `GetBucketLocation` in the client's region; when S3 redirects to the
/// bucket's own region (`x-amz-bucket-region` on a 301 or 400 answer), asked
/// once more there, so the owner condition is judged by the bucket's region.
async fn location(run: &Run, name: &str, account: &str) -> Fact<Option<Bucket>> {
    let mut region: Option<String> = None;
    loop {
        let mut req = run
            .c
            .s3
            .get_bucket_location()
            .bucket(name)
            .expected_bucket_owner(account)
            .customize();
        if let Some(r) = &region {
            req = req.config_override(
                aws_sdk_s3::config::Builder::default().region(Region::new(r.clone())),
            );
        }
        let err = match run.send(&GET_BUCKET_LOCATION, req.send()).await {
            Err(u) => return Fact::Unknown(u),
            Ok(Ok(o)) => {
                return Fact::Known(Some(Bucket {
                    region: region_of(o.location_constraint().map(|c| c.as_str())),
                }));
            }
            Ok(Err(e)) => e,
        };
        if has_code(&err, &["NoSuchBucket"]) {
            return Fact::Known(None);
        }
        match (region.is_none(), redirect(&err)) {
            (true, Some(r)) => region = Some(r),
            _ => return Fact::Unknown(classify(&err, GET_BUCKET_LOCATION.action)),
        }
    }
}

/// The bucket's region from a redirect (301, or 400 for a wrong signing
/// region) that names it in `x-amz-bucket-region`.
fn redirect<E>(err: &SdkError<E>) -> Option<String> {
    let raw = err.raw_response()?;
    if !matches!(raw.status().as_u16(), 301 | 307 | 400) {
        return None;
    }
    raw.headers()
        .get("x-amz-bucket-region")
        .filter(|r| !r.is_empty())
        .map(str::to_string)
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
