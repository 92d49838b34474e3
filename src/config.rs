//! The config file, `studio-doctor.toml`: the defaults a team commits (target,
//! selected checks, severity overrides, waivers). Command-line flags win over it.
//! Every mistake in it is an error naming the file, line and column.

use crate::cli::{FailOnArg, Format};
use crate::select;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use studio_doctor_checks::facts::Target;
use studio_doctor_checks::{Date, Severity, Waiver};
use toml::Spanned;

/// Looked for in the working directory unless `--config` or `--no-config` is given.
pub const FILE_NAME: &str = "studio-doctor.toml";

/// The file as written (unknown keys and wrong types are rejected by serde).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    region: Option<String>,
    #[serde(default)]
    regions: Vec<String>,
    #[serde(default)]
    accounts: Vec<String>,
    #[serde(default)]
    organization: bool,
    #[serde(default)]
    accounts_filter: Vec<String>,
    role_name: Option<String>,
    external_id: Option<String>,
    identity_center_profile: Option<String>,
    identity_center_role_arn: Option<String>,
    profile: Option<String>,
    studio: Option<String>,
    workgroup: Option<String>,
    #[serde(default)]
    users: Vec<String>,
    #[serde(default)]
    tables: Vec<Spanned<String>>,
    #[serde(default)]
    only: Vec<Spanned<String>>,
    #[serde(default)]
    skip: Vec<Spanned<String>>,
    fail_on: Option<FailOnArg>,
    format: Option<Format>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Severity>,
    #[serde(default)]
    waiver: Vec<RawWaiver>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    check: Spanned<String>,
    resource: Option<String>,
    reason: Spanned<String>,
    /// `"2026-06-30"` or a TOML date `2026-06-30`.
    expires: Option<Spanned<toml::Value>>,
    /// Also waive `error` results (could not be evaluated).
    #[serde(default)]
    errors: bool,
}

/// The checked config: check ids are canonical (aliases and names resolved).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// The file it came from, as given (for messages).
    pub path: PathBuf,
    pub region: Option<String>,
    pub regions: Vec<String>,
    pub accounts: Vec<String>,
    pub organization: bool,
    pub accounts_filter: Vec<String>,
    pub role_name: Option<String>,
    pub external_id: Option<String>,
    pub identity_center_profile: Option<String>,
    pub identity_center_role_arn: Option<String>,
    pub profile: Option<String>,
    pub studio: Option<String>,
    pub workgroup: Option<String>,
    pub users: Vec<String>,
    pub tables: Vec<String>,
    pub only: Vec<String>,
    pub skip: Vec<String>,
    pub fail_on: Option<FailOnArg>,
    pub format: Option<Format>,
    pub severity: BTreeMap<String, Severity>,
    pub waivers: Vec<Waiver>,
}

/// The config to use: `--config FILE` (must exist), else `./studio-doctor.toml`
/// when it exists, else none; `--no-config` ignores both.
pub fn load(explicit: Option<&Path>, no_config: bool) -> Result<Option<Config>, String> {
    if no_config {
        return Ok(None);
    }
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None if Path::new(FILE_NAME).is_file() => PathBuf::from(FILE_NAME),
        None => return Ok(None),
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
    parse(&text, &path).map(Some)
}

/// Parse and check a config file's text; `path` names it in errors.
pub fn parse(text: &str, path: &Path) -> Result<Config, String> {
    let at = |span: Option<Range<usize>>, message: &str| match span {
        Some(span) => {
            let (line, col) = line_col(text, span.start);
            format!("{}:{line}:{col}: {message}", path.display())
        }
        None => format!("{}: {message}", path.display()),
    };
    let raw: Raw = toml::from_str(text).map_err(|e| at(e.span(), e.message().trim()))?;
    let id = |word: &Spanned<String>| -> Result<String, String> {
        select::resolve(word.get_ref().trim())
            .map(|c| c.meta.id.to_string())
            .map_err(|e| at(Some(word.span()), &e))
    };
    let ids = |list: &[Spanned<String>]| list.iter().map(id).collect::<Result<Vec<_>, _>>();
    let mut tables = Vec::new();
    for t in &raw.tables {
        let name = t.get_ref();
        if studio_doctor_checks::lf::split_table(name).is_none()
            || name.contains(char::is_whitespace)
        {
            return Err(at(
                Some(t.span()),
                &format!(
                    "tables: expected DATABASE.TABLE (e.g. flightdata_db.flightdata), got \"{name}\""
                ),
            ));
        }
        tables.push(name.clone());
    }
    let mut severity = BTreeMap::new();
    for (check, level) in &raw.severity {
        severity.insert(id(check)?, *level);
    }
    let mut waivers = Vec::new();
    for w in &raw.waiver {
        let reason = w.reason.get_ref().trim();
        if reason.is_empty() {
            return Err(at(
                Some(w.reason.span()),
                "waiver: reason must not be empty",
            ));
        }
        let expires = match &w.expires {
            None => None,
            Some(value) => Some(expiry(value).map_err(|m| at(Some(value.span()), &m))?),
        };
        waivers.push(Waiver {
            check: id(&w.check)?,
            resource: w.resource.clone().filter(|r| !r.is_empty()),
            reason: reason.to_string(),
            expires,
            errors: w.errors,
        });
    }
    Ok(Config {
        path: path.to_path_buf(),
        region: raw.region,
        regions: raw.regions,
        accounts: raw.accounts,
        organization: raw.organization,
        accounts_filter: raw.accounts_filter,
        role_name: raw.role_name,
        external_id: raw.external_id,
        identity_center_profile: raw.identity_center_profile,
        identity_center_role_arn: raw.identity_center_role_arn,
        profile: raw.profile,
        studio: raw.studio,
        workgroup: raw.workgroup,
        users: raw.users,
        tables,
        only: ids(&raw.only)?,
        skip: ids(&raw.skip)?,
        fail_on: raw.fail_on,
        format: raw.format,
        severity,
        waivers,
    })
}

/// A waiver's `expires`: a `YYYY-MM-DD` string or a TOML local date.
fn expiry(value: &Spanned<toml::Value>) -> Result<Date, String> {
    let text = match value.get_ref() {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(d) => d.to_string(),
        other => {
            return Err(format!(
                "waiver: expires must be a date (YYYY-MM-DD), got a {}",
                other.type_str()
            ));
        }
    };
    Date::parse(text.trim())
        .ok_or_else(|| format!("waiver: expires = \"{text}\" is not a date (expected YYYY-MM-DD)"))
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

impl Config {
    /// With `--facts`, the file's target keys must agree with the target the facts
    /// were saved with: a facts file answers only the question it was saved for.
    /// `profile` only picks credentials, which a facts file does not need: ignored.
    pub fn check_target(&self, target: &Target, facts: &Path) -> Result<(), String> {
        let sorted = |v: &[String]| {
            let mut v = v.to_vec();
            v.sort();
            v
        };
        let differs = |key: &str, mine: String, theirs: String| {
            Err(format!(
                "{} sets {key} = {mine}, but facts file {} was saved with {key} {theirs}: \
                 a facts file replays the target it was saved with (remove the key, or use --no-config)",
                self.path.display(),
                facts.display()
            ))
        };
        let quote = |v: Option<&String>| v.map_or("(none)".to_string(), |s| format!("\"{s}\""));
        if let Some(r) = &self.region
            && *r != target.region
        {
            return differs("region", quote(Some(r)), quote(Some(&target.region)));
        }
        if !self.regions.is_empty() && !self.regions.contains(&target.region) {
            return differs(
                "regions",
                format!("{:?}", self.regions),
                quote(Some(&target.region)),
            );
        }
        if let Some(account) = &target.account_id
            && !self.accounts.is_empty()
            && !self.accounts.contains(account)
        {
            return differs(
                "accounts",
                format!("{:?}", self.accounts),
                quote(Some(account)),
            );
        }
        for (key, mine, theirs) in [
            ("studio", &self.studio, &target.studio),
            ("workgroup", &self.workgroup, &target.workgroup),
        ] {
            if mine.is_some() && mine != theirs {
                return differs(key, quote(mine.as_ref()), quote(theirs.as_ref()));
            }
        }
        for (key, mine, theirs) in [
            ("users", &self.users, &target.users),
            ("tables", &self.tables, &target.tables),
        ] {
            if !mine.is_empty() && sorted(mine) != sorted(theirs) {
                return differs(key, format!("{mine:?}"), format!("{theirs:?}"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Config {
        parse(text, Path::new("studio-doctor.toml")).unwrap()
    }

    fn err(text: &str) -> String {
        parse(text, Path::new("studio-doctor.toml")).unwrap_err()
    }

    const FULL: &str = r#"
region = "ap-northeast-1"
profile = "audit"
studio = "analytics"
workgroup = "idc-wg"
users = ["alice"]
tables = ["flightdata_db.flightdata"]
only = ["ES001", "studio-user-role-trust-set-context"]
skip = ["lf009"]
fail_on = "warning"
format = "json-lines"

[severity]
ES006 = "error"
lf009 = "info"

[[waiver]]
check = "WG008"
resource = "workgroup *"
reason = "engine upgrade planned"
expires = "2030-06-30"

[[waiver]]
check = "es009"
reason = "no session policies on purpose"
expires = 2031-01-31
"#;

    #[test]
    fn every_key_is_read_and_check_ids_are_canonical() {
        let c = ok(FULL);
        assert_eq!(c.region.as_deref(), Some("ap-northeast-1"));
        assert_eq!(c.profile.as_deref(), Some("audit"));
        assert_eq!(c.studio.as_deref(), Some("analytics"));
        assert_eq!(c.workgroup.as_deref(), Some("idc-wg"));
        assert_eq!(c.users, ["alice"]);
        assert_eq!(c.tables, ["flightdata_db.flightdata"]);
        assert_eq!(c.only, ["ES001", "ES004"]);
        assert_eq!(c.skip, ["LF009"]);
        assert_eq!(c.fail_on, Some(FailOnArg::Warning));
        assert_eq!(c.format, Some(Format::JsonLines));
        assert_eq!(c.severity["ES006"], Severity::Error);
        assert_eq!(c.severity["LF009"], Severity::Info);
        assert_eq!(c.waivers.len(), 2);
        assert_eq!(c.waivers[0].check, "WG008");
        assert_eq!(c.waivers[0].resource.as_deref(), Some("workgroup *"));
        assert_eq!(c.waivers[0].expires.unwrap().to_string(), "2030-06-30");
        assert_eq!(c.waivers[1].check, "ES009");
        assert_eq!(c.waivers[1].resource, None);
        assert_eq!(c.waivers[1].expires.unwrap().to_string(), "2031-01-31");
    }

    #[test]
    fn an_empty_file_is_a_config_with_nothing_set() {
        let c = ok("# nothing yet\n");
        assert_eq!(
            c,
            Config {
                path: PathBuf::from("studio-doctor.toml"),
                ..Config::default()
            }
        );
    }

    #[test]
    fn mistakes_name_the_file_line_and_column() {
        let cases = [
            (
                "region = \"x\"\nregoin = \"y\"\n",
                "studio-doctor.toml:2:1: unknown field `regoin`",
            ),
            (
                "users = \"alice\"\n",
                "studio-doctor.toml:1:9: invalid type: string \"alice\", expected a sequence",
            ),
            (
                "fail_on = \"sometimes\"\n",
                "studio-doctor.toml:1:11: unknown variant `sometimes`",
            ),
            (
                "format = \"yaml\"\n",
                "studio-doctor.toml:1:10: unknown variant `yaml`",
            ),
            (
                "only = [\"ES001\", \"ES04\"]\n",
                "studio-doctor.toml:1:18: unknown check id \"ES04\" (did you mean",
            ),
            (
                "\n[severity]\nXX999 = \"error\"\n",
                "studio-doctor.toml:3:1: unknown check id \"XX999\"",
            ),
            (
                "[severity]\nES006 = \"fatal\"\n",
                "studio-doctor.toml:2:9: unknown variant `fatal`",
            ),
            (
                "tables = [\"flightdata\"]\n",
                "studio-doctor.toml:1:11: tables: expected DATABASE.TABLE",
            ),
            (
                "[[waiver]]\ncheck = \"ES006\"\n",
                "studio-doctor.toml:1:1: missing field `reason`",
            ),
            (
                "[[waiver]]\ncheck = \"ES006\"\nreason = \"  \"\n",
                "studio-doctor.toml:3:10: waiver: reason must not be empty",
            ),
            (
                "[[waiver]]\ncheck = \"ES006\"\nreason = \"r\"\nexpires = \"2030-02-30\"\n",
                "studio-doctor.toml:4:11: waiver: expires = \"2030-02-30\" is not a date",
            ),
            (
                "[[waiver]]\ncheck = \"ES006\"\nreason = \"r\"\nexpires = 2030-01-01T10:00:00Z\n",
                "studio-doctor.toml:4:11: waiver: expires = \"2030-01-01T10:00:00Z\" is not a date",
            ),
            (
                "[[waiver]]\ncheck = \"ES006\"\nreason = \"r\"\nexpires = 20300101\n",
                "studio-doctor.toml:4:11: waiver: expires must be a date",
            ),
            (
                "[[waiver]]\ncheck = \"ES006\"\nreason = \"r\"\nowner = \"me\"\n",
                "studio-doctor.toml:4:1: unknown field `owner`",
            ),
            (
                "[[waiver]]\ncheck = \"nope\"\nreason = \"r\"\n",
                "studio-doctor.toml:2:9: unknown check id \"nope\"",
            ),
            ("region = \n", "studio-doctor.toml:1:10:"),
        ];
        for (text, want) in cases {
            let e = err(text);
            assert!(e.starts_with(want), "{text:?}:\n  got  {e}\n  want {want}");
            assert_eq!(e.lines().count(), 1, "{e}");
        }
    }

    #[test]
    fn lines_and_columns_count_characters() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("é\nx", 3), (2, 1));
        assert_eq!(line_col("ab", 99), (1, 3));
    }

    #[test]
    fn with_facts_the_target_keys_must_agree_with_the_saved_target() {
        let target = Target {
            account_id: None,
            region: "ap-northeast-1".into(),
            studio: None,
            workgroup: Some("idc-wg".into()),
            users: vec!["bob".into(), "alice".into()],
            tables: vec![],
        };
        let facts = Path::new("facts.json");
        let agree = Config {
            region: Some("ap-northeast-1".into()),
            profile: Some("ignored".into()),
            workgroup: Some("idc-wg".into()),
            users: vec!["alice".into(), "bob".into()],
            ..Config::default()
        };
        agree.check_target(&target, facts).unwrap();
        Config::default().check_target(&target, facts).unwrap();
        let cases = [
            (
                Config {
                    region: Some("us-east-1".into()),
                    ..Config::default()
                },
                "sets region = \"us-east-1\", but facts file facts.json was saved with region \"ap-northeast-1\"",
            ),
            (
                Config {
                    studio: Some("analytics".into()),
                    ..Config::default()
                },
                "sets studio = \"analytics\", but facts file facts.json was saved with studio (none)",
            ),
            (
                Config {
                    users: vec!["alice".into()],
                    ..Config::default()
                },
                "sets users = [\"alice\"]",
            ),
        ];
        for (config, want) in cases {
            let e = config.check_target(&target, facts).unwrap_err();
            assert!(e.contains(want), "{e}");
        }
    }

    #[test]
    fn the_readme_example_is_a_valid_config() {
        let readme = include_str!("../README.md");
        let start = readme.find("## Config file").unwrap();
        let block = &readme[start..];
        let body = &block[block.find("```toml\n").unwrap() + 8..];
        let body = &body[..body.find("```").unwrap()];
        let c = ok(body);
        assert_eq!(c.skip, ["LF009"]);
        assert_eq!(c.waivers.len(), 1);
        assert!(c.waivers[0].expires.is_some() && c.waivers[0].resource.is_some());
    }
}

#[cfg(test)]
mod target_tests {
    use super::*;

    #[test]
    fn the_many_target_keys_are_read() {
        let c = parse(
            r#"
regions = ["ap-northeast-1", "us-east-1"]
accounts = ["111122223333", "444455556666"]
role_name = "StudioDoctorAudit"
external_id = "ext-1"
identity_center_profile = "idc-admin"
"#,
            Path::new("studio-doctor.toml"),
        )
        .unwrap();
        assert_eq!(c.regions, ["ap-northeast-1", "us-east-1"]);
        assert_eq!(c.accounts, ["111122223333", "444455556666"]);
        assert_eq!(c.role_name.as_deref(), Some("StudioDoctorAudit"));
        assert_eq!(c.external_id.as_deref(), Some("ext-1"));
        assert_eq!(c.identity_center_profile.as_deref(), Some("idc-admin"));
        assert!(!c.organization);
        let org = parse(
            "organization = true\nidentity_center_role_arn = \"arn:aws:iam::111122223333:role/R\"\n",
            Path::new("studio-doctor.toml"),
        )
        .unwrap();
        assert!(org.organization);
        assert!(org.identity_center_role_arn.is_some());
    }

    #[test]
    fn a_replayed_target_must_be_one_of_the_files_regions_and_accounts() {
        let target = Target {
            account_id: Some("444455556666".into()),
            region: "us-east-1".into(),
            ..Target::default()
        };
        let facts = Path::new("facts.json");
        let ok = Config {
            regions: vec!["ap-northeast-1".into(), "us-east-1".into()],
            accounts: vec!["444455556666".into()],
            ..Config::default()
        };
        ok.check_target(&target, facts).unwrap();
        let region = Config {
            regions: vec!["ap-northeast-1".into()],
            ..Config::default()
        };
        let e = region.check_target(&target, facts).unwrap_err();
        assert!(e.contains("sets regions"), "{e}");
        let account = Config {
            accounts: vec!["111122223333".into()],
            ..Config::default()
        };
        let e = account.check_target(&target, facts).unwrap_err();
        assert!(e.contains("sets accounts"), "{e}");
    }
}
