//! S3 URL and scope matching for the S3 Access Grants checks.
//!
//! Paths are S3 URLs (`s3://bucket/key`) or the same text without the scheme
//! (`bucket/key`). A path that ends in `/` stands for every object under that
//! prefix, so "covers `s3://b/results/`" means "covers every object Athena can
//! write under `s3://b/results/`".
//!
//! Two kinds of scope are matched here:
//! - a registered **location scope** (`ListAccessGrantsLocations` →
//!   `LocationScope`): `s3://` (everything), `s3://bucket` or `s3://bucket/prefix`.
//!   These forms are documented (API `CreateAccessGrantsLocation`).
//! - a **grant scope** (`ListAccessGrants` → `GrantScope`): the grant's location
//!   scope with its `S3SubPrefix` appended (documented, API
//!   `AccessGrantsLocationConfiguration`). The same page settles what a trailing
//!   `*` means: "If the S3SubPrefix includes a prefix, append the wildcard
//!   character * after the prefix to indicate that you want to include all object
//!   key names in the bucket that start with that prefix." So `s3://b/prefix*`
//!   covers every key that starts with `prefix` (a text match, so also
//!   `prefix-2/...`), while a sub-prefix without `*` (`s3://b/prefix`,
//!   `s3://b/prefix/`) covers that one key only (`S3PrefixType` `Object` is the
//!   documented way to grant one object), not the keys under it. A grant made on
//!   a location without a sub-prefix has the location's own scope, and covers what
//!   the location covers.
//!   <https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_AccessGrantsLocationConfiguration.html>

use crate::facts::{AccessGrant, AccessGrantsLocation};

const SCHEME: &str = "s3://";

/// A parsed `s3://bucket/key` URL. `bucket` is empty for the bare `s3://`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Url<'a> {
    pub bucket: &'a str,
    /// The key or prefix after the bucket, without the leading `/`; may be empty.
    pub key: &'a str,
}

/// Parse `s3://bucket/key`, `s3://bucket` or `s3://`. None: not an `s3://` URL.
pub fn parse(url: &str) -> Option<S3Url<'_>> {
    let rest = url.strip_prefix(SCHEME)?;
    Some(split(rest))
}

/// `bucket/key` → bucket and key (the scheme, if any, is removed first).
fn split(path: &str) -> S3Url<'_> {
    let rest = strip_scheme(path);
    match rest.split_once('/') {
        Some((bucket, key)) => S3Url { bucket, key },
        None => S3Url {
            bucket: rest,
            key: "",
        },
    }
}

/// The text after `s3://`, or the text itself.
pub fn strip_scheme(path: &str) -> &str {
    path.strip_prefix(SCHEME).unwrap_or(path)
}

/// An S3 URL as a prefix that ends in `/` (`s3://b/results` → `s3://b/results/`).
pub fn as_dir(url: &str) -> String {
    if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    }
}

/// Whether a registered location scope covers `path` (documented forms):
/// `s3://` covers everything, `s3://bucket` the whole bucket, and
/// `s3://bucket/prefix` the prefix at a path boundary (`prefix` and `prefix/...`,
/// not `prefix-other/...`).
pub fn location_covers(scope: &str, path: &str) -> bool {
    let Some(scope) = parse(scope) else {
        return false;
    };
    if scope.bucket.is_empty() {
        return true;
    }
    let path = split(path);
    if path.bucket != scope.bucket {
        return false;
    }
    let prefix = scope.key.trim_end_matches('/');
    prefix.is_empty() || under(path.key, prefix)
}

/// Whether a grant scope covers `path` (see the module doc): `s3://` is stripped
/// from both; a trailing `*` matches any path that starts with the text before
/// it; a scope equal to `location_scope` (the scope of the grant's own location,
/// when known) covers what the location covers; any other scope without `*`
/// names one object and covers only that exact key, never a directory.
pub fn grant_covers(grant_scope: &str, location_scope: Option<&str>, path: &str) -> bool {
    let scope = strip_scheme(grant_scope);
    let path = strip_scheme(path);
    if let Some(head) = scope.strip_suffix('*') {
        return path.starts_with(head);
    }
    if let Some(loc) = location_scope.filter(|l| same_scope(l, grant_scope)) {
        return location_covers(loc, path);
    }
    !path.ends_with('/') && path == scope
}

/// Whether a grant scope covers at least one whole directory under `dir` or
/// `dir` itself (a grant on a user's sub-prefix reaches the results location; so
/// does a grant on the whole bucket). A scope without `*` that is not its
/// location's scope names one object and reaches no directory.
pub fn grant_reaches(grant_scope: &str, location_scope: Option<&str>, dir: &str) -> bool {
    let scope = strip_scheme(grant_scope);
    let dir = as_dir(strip_scheme(dir));
    let head = match (scope.strip_suffix('*'), location_scope) {
        (Some(head), _) => head.to_string(),
        (None, Some(loc)) if same_scope(loc, grant_scope) => {
            as_dir(strip_scheme(loc).trim_end_matches('/'))
        }
        _ => return false,
    };
    let head = if head == "/" { String::new() } else { head };
    head.starts_with(&dir) || dir.starts_with(&head)
}

/// A grant's location among `locations` (by `AccessGrantsLocationId`).
pub fn grant_location<'a>(
    g: &AccessGrant,
    locations: &'a [AccessGrantsLocation],
) -> Option<&'a AccessGrantsLocation> {
    locations
        .iter()
        .find(|l| l.access_grants_location_id == g.access_grants_location_id)
}

/// [`grant_covers`] for a listed grant, with its location looked up (a grant
/// scope lies inside its location's scope, so the location must cover `path` too).
pub fn covers(g: &AccessGrant, locations: &[AccessGrantsLocation], path: &str) -> bool {
    let loc = grant_location(g, locations).map(|l| l.location_scope.as_str());
    grant_covers(&g.grant_scope, loc, path) && loc.is_none_or(|l| location_covers(l, path))
}

/// [`grant_reaches`] for a listed grant, with its location looked up.
pub fn reaches(g: &AccessGrant, locations: &[AccessGrantsLocation], dir: &str) -> bool {
    let loc = grant_location(g, locations).map(|l| l.location_scope.as_str());
    grant_reaches(&g.grant_scope, loc, dir)
}

/// A grant scope without `*` whose text is a directory at or above `path`: the
/// common mistake of leaving out the `*` (it then covers one key only).
pub fn missing_star(grant_scope: &str, path: &str) -> bool {
    let scope = strip_scheme(grant_scope);
    !scope.ends_with('*') && {
        let head = scope.trim_end_matches('/');
        let path = strip_scheme(path);
        !head.is_empty() && (path == head || path.starts_with(&format!("{head}/")))
    }
}

/// Two scopes that name the same place, ignoring the scheme and trailing `/`.
fn same_scope(a: &str, b: &str) -> bool {
    strip_scheme(a).trim_end_matches('/') == strip_scheme(b).trim_end_matches('/')
}

/// The most specific registered location that covers `path`.
pub fn covering_location<'a>(
    locations: &'a [AccessGrantsLocation],
    path: &str,
) -> Option<&'a AccessGrantsLocation> {
    locations
        .iter()
        .filter(|l| location_covers(&l.location_scope, path))
        .max_by_key(|l| l.location_scope.trim_end_matches('/').len())
}

/// The `S3SubPrefix` that grants every object under `dir` within a location:
/// `dir` relative to the location scope, followed by `*`. For the default
/// location `s3://` that is `bucket/prefix/*`. None: the location does not cover `dir`.
pub fn sub_prefix(location_scope: &str, dir: &str) -> Option<String> {
    if !location_covers(location_scope, dir) {
        return None;
    }
    let dir = as_dir(strip_scheme(dir));
    let loc = strip_scheme(location_scope).trim_end_matches('/');
    let rel = if loc.is_empty() {
        dir.as_str()
    } else {
        dir.strip_prefix(loc)?.trim_start_matches('/')
    };
    Some(format!("{rel}*"))
}

/// `key` is `prefix` or below it, at a `/` boundary. An empty prefix covers all.
fn under(key: &str, prefix: &str) -> bool {
    prefix.is_empty()
        || key == prefix
        || key
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(id: &str, scope: &str) -> AccessGrantsLocation {
        AccessGrantsLocation {
            access_grants_location_id: id.into(),
            location_scope: scope.into(),
            iam_role_arn: None,
        }
    }

    #[test]
    fn parses_s3_urls() {
        assert_eq!(
            parse("s3://b/p/q/"),
            Some(S3Url {
                bucket: "b",
                key: "p/q/"
            })
        );
        assert_eq!(
            parse("s3://b"),
            Some(S3Url {
                bucket: "b",
                key: ""
            })
        );
        assert_eq!(
            parse("s3://"),
            Some(S3Url {
                bucket: "",
                key: ""
            })
        );
        assert_eq!(parse("https://b.s3.amazonaws.com/p"), None);
        assert_eq!(parse("b/p"), None);
    }

    #[test]
    fn default_location_covers_everything() {
        assert!(location_covers("s3://", "s3://any-bucket/any/key"));
        assert!(location_covers("s3://", "s3://any-bucket"));
    }

    #[test]
    fn bucket_location_covers_only_that_bucket() {
        assert!(location_covers("s3://b", "s3://b/results/"));
        assert!(location_covers("s3://b/", "s3://b/results/"));
        assert!(location_covers("s3://b", "s3://b"));
        assert!(!location_covers("s3://b", "s3://b2/results/"));
        assert!(!location_covers("s3://b2", "s3://b/results/"));
    }

    #[test]
    fn prefix_location_stops_at_a_path_boundary() {
        assert!(location_covers("s3://b/results", "s3://b/results/x.csv"));
        assert!(location_covers("s3://b/results/", "s3://b/results/u/"));
        assert!(location_covers("s3://b/results", "s3://b/results"));
        assert!(!location_covers("s3://b/results", "s3://b/results-old/x"));
        assert!(!location_covers("s3://b/results/u", "s3://b/results/"));
        assert!(!location_covers("s3://c/results", "s3://b/results/x"));
        assert!(!location_covers("not-a-url", "s3://b/results/x"));
        // Paths may come without the scheme.
        assert!(location_covers("s3://b/results", "b/results/x"));
    }

    #[test]
    fn star_grant_is_a_text_prefix_match() {
        let covers = |scope, path| grant_covers(scope, None, path);
        assert!(covers("s3://b/results/u1/*", "s3://b/results/u1/"));
        assert!(covers("s3://b/results/u1/*", "s3://b/results/u1/q.csv"));
        assert!(!covers("s3://b/results/u1/*", "s3://b/results/u2/q.csv"));
        assert!(!covers("s3://b/results/u1/*", "s3://b/results/"));
        // Before `*` it is text, not a directory: `prefix*` covers `prefix-2/`.
        assert!(covers("s3://b/results*", "s3://b/results-2/x"));
        assert!(covers("s3://b/results/u*", "s3://b/results/u1/"));
        assert!(covers("s3://b/*", "b/anything"));
        assert!(covers("s3://*", "s3://b/x"));
    }

    #[test]
    fn a_sub_prefix_without_star_is_one_key() {
        // Documented: append `*` to include the keys that start with the prefix.
        let covers = |scope, path| grant_covers(scope, None, path);
        assert!(!covers("s3://b/results", "s3://b/results/u1/"));
        assert!(!covers("s3://b/results/", "s3://b/results/u1/"));
        assert!(!covers("s3://b/results/u1/", "s3://b/results/u1/"));
        assert!(!covers("s3://b/results", "s3://b/results/u1/x.csv"));
        assert!(!covers("s3://b", "s3://b/results/u1/x"));
        assert!(covers("s3://b/results/u1/x.csv", "s3://b/results/u1/x.csv"));
        assert!(!covers("s3://b/results/u1/x.csv", "s3://b/results/u1/"));
        assert!(missing_star("s3://b/results", "s3://b/results/u1/"));
        assert!(missing_star("s3://b/results/u1/", "s3://b/results/u1/"));
        assert!(!missing_star("s3://b/results/*", "s3://b/results/u1/"));
        assert!(!missing_star("s3://b/other", "s3://b/results/u1/"));
    }

    #[test]
    fn a_grant_on_a_whole_location_covers_the_location() {
        // No sub-prefix: the grant scope is the location scope.
        assert!(grant_covers("s3://b", Some("s3://b"), "s3://b/results/u1/"));
        assert!(grant_covers(
            "s3://b/results/",
            Some("s3://b/results"),
            "s3://b/results/u1/x"
        ));
        assert!(!grant_covers(
            "s3://b/results",
            Some("s3://b/results"),
            "s3://b/results-2/x"
        ));
        assert!(!grant_covers("s3://b", Some("s3://b"), "s3://b2/x/"));
        // The location of another grant does not count.
        assert!(!grant_covers(
            "s3://b/results",
            Some("s3://b"),
            "s3://b/results/u1/"
        ));
        assert!(grant_reaches("s3://b", Some("s3://b"), "s3://b/results/"));
        assert!(!grant_reaches(
            "s3://b/results/u1",
            Some("s3://b"),
            "s3://b/results/"
        ));
    }

    #[test]
    fn a_grant_on_one_object_does_not_cover_its_directory() {
        assert!(!grant_covers(
            "s3://b/results/u1/e*",
            None,
            "s3://b/results/u1/"
        ));
        assert!(grant_covers(
            "s3://b/results/u1/e*",
            None,
            "s3://b/results/u1/e.csv"
        ));
    }

    #[test]
    fn reaching_a_directory() {
        let reaches = |scope, dir| grant_reaches(scope, None, dir);
        assert!(reaches("s3://b/results/u1/*", "s3://b/results/"));
        assert!(reaches("s3://b/*", "s3://b/results/"));
        assert!(reaches("s3://b/res*", "s3://b/results/"));
        assert!(!reaches("s3://b/results/u1", "s3://b/results"));
        assert!(!reaches("s3://b", "s3://b/results/"));
        assert!(!reaches("s3://b/other/*", "s3://b/results/"));
        assert!(!reaches("s3://b/results-2/*", "s3://b/results/"));
        assert!(!reaches("s3://b2/results/*", "s3://b/results/"));
    }

    #[test]
    fn most_specific_location_wins() {
        let locs = [
            loc("default", "s3://"),
            loc("l-b", "s3://b"),
            loc("l-bp", "s3://b/results"),
            loc("l-c", "s3://c"),
        ];
        let id = |p| covering_location(&locs, p).map(|l| l.access_grants_location_id.as_str());
        assert_eq!(id("s3://b/results/x"), Some("l-bp"));
        assert_eq!(id("s3://b/other/x"), Some("l-b"));
        assert_eq!(id("s3://z/x"), Some("default"));
        assert_eq!(covering_location(&locs[1..2], "s3://z/x"), None);
    }

    #[test]
    fn sub_prefix_is_relative_to_the_location() {
        assert_eq!(
            sub_prefix("s3://", "s3://b/results/u1/").as_deref(),
            Some("b/results/u1/*")
        );
        assert_eq!(
            sub_prefix("s3://b", "s3://b/results/u1").as_deref(),
            Some("results/u1/*")
        );
        assert_eq!(
            sub_prefix("s3://b/results/", "s3://b/results/u1/").as_deref(),
            Some("u1/*")
        );
        assert_eq!(
            sub_prefix("s3://b/results", "s3://b/results/").as_deref(),
            Some("*")
        );
        assert_eq!(sub_prefix("s3://c", "s3://b/results/"), None);
    }
}
