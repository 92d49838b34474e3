//! Command-line interface (clap derive). Usage errors exit with code 2.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "studio-doctor",
    version,
    about = "Preflight linter for EMR Studio + IAM Identity Center + Athena + Lake Formation + S3 Access Grants",
    long_about = "Reads an AWS account (read-only) and reports every trap on the path from an IAM Identity \
                  Center user to an Athena query under Lake Formation authorization, with the exact fix.\n\n\
                  Exit codes: 0 nothing failed, 1 a check at or above --fail-on failed, \
                  2 usage or input error, 3 nothing failed but some check could not be evaluated."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the checks against a live account (or a saved facts file).
    Check(CheckArgs),
    /// Run the checks on the example account embedded in the binary (offline).
    Demo(ReportArgs),
    /// List every check: id, name, area, severity, title.
    List(ListArgs),
    /// Print the full documentation of one check.
    Explain(ExplainArgs),
    /// Print the least-privilege IAM policy studio-doctor needs to run every check.
    Permissions,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Run on a saved facts file instead of reading AWS.
    #[arg(long, value_name = "FILE")]
    pub facts: Option<PathBuf>,
    /// Write the facts this run used to FILE (JSON).
    #[arg(long, value_name = "FILE")]
    pub save_facts: Option<PathBuf>,
    /// AWS region of the Studio, workgroup and S3 Access Grants (default: the AWS config chain).
    #[arg(long)]
    pub region: Option<String>,
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
    #[command(flatten)]
    pub report: ReportArgs,
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
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Lowest severity whose failure makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOnArg::Error)]
    pub fail_on: FailOnArg,
    /// Run only these checks (comma-separated ids or names; repeatable).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub only: Vec<String>,
    /// Do not run these checks (comma-separated ids or names; repeatable).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub skip: Vec<String>,
    /// Show details for passing checks too.
    #[arg(short, long)]
    pub verbose: bool,
    /// No progress output on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Check id (e.g. ES004) or name.
    pub id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable report.
    Table,
    /// The versioned JSON report (only JSON on stdout).
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    Error,
    Warning,
    Never,
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
        assert_eq!(args.tables, ["flightdata_db.flightdata", "db.t"]);
        for bad in ["flightdata", "db.", ".t", "db. t", ""] {
            let err = Cli::try_parse_from(["studio-doctor", "check", "--table", bad]).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad}");
            assert!(err.to_string().contains("DATABASE.TABLE"), "{err}");
        }
    }
}
