//! What the checks share about AWS: the check context, the per-target loops, IAM
//! policy evaluation, Identity Center principals, roles, trust, fixes, Lake
//! Formation, S3 and S3 Access Grants.

pub mod ctx;
pub(crate) mod each;
pub(crate) mod fixes;
pub(crate) mod grants;
pub(crate) mod idc;
pub mod lf;
pub mod policy;
pub(crate) mod review;
pub(crate) mod roles;
pub mod s3;
pub mod tip_regions;
pub(crate) mod trust;
