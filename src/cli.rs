//! Command-line interface (clap derive). Usage errors exit with code 2.

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "studio-doctor",
    version,
    about = "Preflight linter for EMR Studio + IAM Identity Center + Athena + Lake Formation + S3 Access Grants",
    long_about = "Reads an AWS account (read-only) and reports every trap on the path from an IAM Identity \
                  Center user to an Athena query under Lake Formation authorization, with the exact fix.\n\n\
                  Exit codes: 0 nothing failed, 1 a check at or above --fail-on failed, \
                  2 usage or input error, 3 nothing failed but some check could not be evaluated \
                  (an error, or a check skipped behind a failure that is waived or below --fail-on)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the checks against a live account (or a saved facts file).
    Check(Box<CheckArgs>),
    /// Read the account (or a facts file) and print the plan that fixes its findings;
    /// `--simulate` shows its effect, `--output-dir` writes it as a script. Never changes AWS.
    Fix(Box<FixArgs>),
    /// Run the checks on the example account embedded in the binary (offline).
    Demo(ReportArgs),
    /// List every check: id, name, area, severity, title.
    List(ListArgs),
    /// Print the full documentation of one check.
    Explain(ExplainArgs),
    /// Print the least-privilege IAM policy studio-doctor needs to run every check
    /// (`--caller`, `--trust-policy`: the policies of a run over several accounts).
    Permissions(crate::permissions::PermissionsArgs),
    /// Print a shell completion script (e.g. `studio-doctor completions bash > /etc/bash_completion.d/studio-doctor`).
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Plan only for these checks' findings (comma-separated ids or names; repeatable).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub only: Vec<String>,
    /// Leave these checks' findings out of the plan (comma-separated ids or names; repeatable).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub skip: Vec<String>,
    /// Apply the plan to the facts (not to AWS) and show the checks before and after.
    #[arg(long)]
    pub simulate: bool,
    /// A value the plan needs, for --simulate: NAME=VALUE (repeatable).
    #[arg(long = "input", value_name = "NAME=VALUE")]
    pub inputs: Vec<String>,
    /// Write the plan to DIR: plan.sh, plan.json and policies/*.json (DIR must be new or empty).
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Text for people, or the plan as JSON.
    #[arg(long, value_enum, default_value_t = CatalogFormat::Table)]
    pub format: CatalogFormat,
    /// No progress output on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// What to read: a live account (and which parts of it) or a facts file.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Run on a saved facts file instead of reading AWS; a directory replays every
    /// `*.json` in it, one target each (repeatable: one report over every target).
    #[arg(long, value_name = "FILE|DIR")]
    pub facts: Vec<PathBuf>,
    /// Write the facts this run used to FILE (JSON); with several targets (or an
    /// existing directory), one `<account>-<region>.json` per target into that directory.
    #[arg(long, value_name = "FILE|DIR")]
    pub save_facts: Option<PathBuf>,
    /// AWS region of the Studio, workgroup and S3 Access Grants (default: the AWS config chain).
    #[arg(long, conflicts_with = "regions")]
    pub region: Option<String>,
    /// Check each of these regions (comma-separated; repeatable): one target per
    /// account and region.
    #[arg(long, value_name = "REGIONS", value_delimiter = ',')]
    pub regions: Vec<String>,
    /// Check these accounts (12-digit ids, comma-separated; repeatable), each read
    /// through `sts:AssumeRole` of --role-name; the caller's own account is read
    /// with the caller's credentials.
    #[arg(
        long,
        value_name = "IDS",
        value_delimiter = ',',
        conflicts_with = "organization"
    )]
    pub accounts: Vec<String>,
    /// Check every ACTIVE account of the caller's organization
    /// (`organizations:ListAccounts`), each through --role-name.
    #[arg(long)]
    pub organization: bool,
    /// With --organization: only the accounts with this tag (TAG=VALUE; repeatable:
    /// every filter must match).
    #[arg(long = "accounts-filter", value_name = "TAG=VALUE")]
    pub accounts_filter: Vec<String>,
    /// The audit role to assume in each account of --accounts / --organization.
    #[arg(long, value_name = "NAME")]
    pub role_name: Option<String>,
    /// The external id the audit role's trust policy asks for.
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
    /// Read IAM Identity Center (instances, users, groups, applications,
    /// assignments) with this profile: the management or delegated administrator account.
    #[arg(
        long,
        value_name = "PROFILE",
        conflicts_with = "identity_center_role_arn"
    )]
    pub identity_center_profile: Option<String>,
    /// Read IAM Identity Center through this role, assumed with the caller's credentials.
    #[arg(long, value_name = "ARN")]
    pub identity_center_role_arn: Option<String>,
    /// Targets (account and region) read at once (1-256).
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub target_concurrency: u16,
    /// AWS shared-config profile to use.
    #[arg(long)]
    pub profile: Option<String>,
    /// Check only this EMR Studio (id or name). Default: every Studio in the region.
    #[arg(long, value_name = "ID|NAME")]
    pub studio: Option<String>,
    /// Check only this Athena workgroup. Default: every Identity-Center-enabled workgroup.
    #[arg(long, value_name = "NAME")]
    pub workgroup: Option<String>,
    /// Identity Center user name to check end to end (repeatable).
    #[arg(long = "user", value_name = "USER_NAME")]
    pub users: Vec<String>,
    /// Glue table to check Lake Formation access to, as DATABASE.TABLE (repeatable).
    #[arg(long = "table", value_name = "DB.TABLE", value_parser = parse_table)]
    pub tables: Vec<String>,
    /// Give up on AWS reads after this many seconds in total.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub timeout: u64,
    /// Give up on one AWS call (retries included) after this many seconds
    /// (default: 30, or --timeout when that is shorter).
    #[arg(long, value_name = "SECONDS")]
    pub call_timeout: Option<u64>,
    /// Calls in flight to one AWS service at most (1-256). Throttled calls are
    /// retried with backoff, and a throttling service gets fewer calls at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Read defaults from this config file (default: ./studio-doctor.toml when it exists).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore ./studio-doctor.toml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
}

/// `--table`: `database.table`, both parts non-empty, no spaces.
fn parse_table(value: &str) -> Result<String, String> {
    match studio_doctor_checks::lf::split_table(value) {
        Some(_) if !value.contains(char::is_whitespace) => Ok(value.to_string()),
        _ => Err(format!(
            "expected DATABASE.TABLE (e.g. flightdata_db.flightdata), got `{value}`"
        )),
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format on stdout [default: table].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the report to FILE instead of stdout; FORMAT=FILE writes that format to
    /// FILE as well as the report on stdout (repeatable: `--output sarif=results.sarif`).
    #[arg(long, value_name = "[FORMAT=]FILE")]
    pub output: Vec<String>,
    /// Lowest severity whose failure makes the exit code 1 [default: error]; `never`
    /// still exits 3 when a check could not be evaluated.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOnArg>,
    /// Use this severity for a check: ID=error|warning|info (comma-separated; repeatable).
    #[arg(long, value_name = "ID=LEVEL", value_delimiter = ',')]
    pub severity: Vec<String>,
    /// Run only these checks (comma-separated ids or names; repeatable).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub only: Vec<String>,
    /// Do not run these checks (comma-separated ids or names; repeatable).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub skip: Vec<String>,
    /// Show details for passing checks too, and each check a failure kept from running.
    #[arg(short, long)]
    pub verbose: bool,
    /// No progress output on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Text for people, or JSON for tools.
    #[arg(long, value_enum, default_value_t = CatalogFormat::Table)]
    pub format: CatalogFormat,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Check id (e.g. ES004) or name.
    pub id: String,
    /// Text for people, or JSON for tools.
    #[arg(long, value_enum, default_value_t = CatalogFormat::Table)]
    pub format: CatalogFormat,
}

/// The report formats (`--format`, `--output FORMAT=FILE`, `format` in the config file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Human-readable report.
    Table,
    /// The versioned JSON report (only JSON on stdout).
    Json,
    /// One JSON object per result, one per line.
    #[value(alias = "jsonl")]
    JsonLines,
    /// SARIF 2.1.0, for code scanning (GitHub) and SARIF viewers.
    Sarif,
    /// JUnit XML, for CI test reports (GitLab, Jenkins, Buildkite).
    Junit,
    /// Markdown, for a pull-request comment or a job summary.
    #[value(alias = "md")]
    Markdown,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// `list` and `explain`: text for people, JSON for tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogFormat {
    /// Text.
    #[value(alias = "text")]
    Table,
    /// JSON.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOnArg {
    Error,
    Warning,
    Never,
}

/// Parse the command line. Help and version print as usual; a usage error is one
/// line on stderr (like every other input error) and exit code 2.
pub fn parse() -> Cli {
    match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e)
            if !e.use_stderr()
                || e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand =>
        {
            e.exit()
        }
        Err(e) => {
            eprintln!(
                "studio-doctor: error: {}",
                one_line(&e.render().to_string())
            );
            std::process::exit(2);
        }
    }
}

/// clap's multi-line error as one line: the message, its hints, no usage.
fn one_line(rendered: &str) -> String {
    let mut out = String::new();
    for line in rendered.lines().map(str::trim) {
        if line.starts_with("Usage:") || line.starts_with("For more information") {
            break;
        }
        if line.is_empty() {
            continue;
        }
        let line = line.strip_prefix("error: ").unwrap_or(line);
        if !out.is_empty() {
            out.push_str(if out.ends_with(':') || line.starts_with('[') {
                " "
            } else {
                "; "
            });
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_database_dot_table() {
        let ok = Cli::try_parse_from([
            "studio-doctor",
            "check",
            "--table",
            "flightdata_db.flightdata",
            "--table",
            "db.t",
        ])
        .unwrap();
        let Command::Check(args) = ok.command else {
            panic!("not check")
        };
        assert_eq!(args.target.tables, ["flightdata_db.flightdata", "db.t"]);
        for bad in ["flightdata", "db.", ".t", "db. t", ""] {
            let err = Cli::try_parse_from(["studio-doctor", "check", "--table", bad]).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad}");
            assert!(err.to_string().contains("DATABASE.TABLE"), "{err}");
        }
    }

    #[test]
    fn usage_errors_fold_into_one_line() {
        let e = Cli::try_parse_from(["studio-doctor", "check", "--format", "yaml"]).unwrap_err();
        let line = one_line(&e.render().to_string());
        assert!(
            line.starts_with("invalid value 'yaml' for '--format <FORMAT>' [possible values: table, json, json-lines, sarif, junit, markdown, github]"),
            "{line}"
        );
        let e = Cli::try_parse_from(["studio-doctor", "check", "--ouput", "x"]).unwrap_err();
        let line = one_line(&e.render().to_string());
        assert!(
            line.starts_with("unexpected argument '--ouput' found; tip:"),
            "{line}"
        );
        assert!(!line.contains("Usage"), "{line}");
        let e = Cli::try_parse_from(["studio-doctor", "explain"]).unwrap_err();
        assert_eq!(
            one_line(&e.render().to_string()),
            "the following required arguments were not provided: <ID>"
        );
    }

    #[test]
    fn config_and_no_config_conflict() {
        let e = Cli::try_parse_from([
            "studio-doctor",
            "check",
            "--config",
            "a.toml",
            "--no-config",
        ])
        .unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }
}
