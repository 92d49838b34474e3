//! What each subcommand does. Errors returned here are one-line input errors (exit 2).

use crate::cli::{
    CatalogFormat, CheckArgs, Cli, Command, FailOnArg, Format, ListArgs, ReportArgs, TargetArgs,
};
use crate::config::Config;
use crate::timing::Timings;
use crate::{collect, config, date, render, select};
use clap::{CommandFactory, ValueEnum};
use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;
use studio_doctor_checks::Report;
use studio_doctor_checks::facts::{FACTS_VERSION, Target};
use studio_doctor_checks::{Check, Facts, FailOn, Need, RunOptions, Severity, registry};

/// The demo account, embedded so `demo` works anywhere.
const DEMO_FACTS: &str = include_str!("../examples/demo-account.json");

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub fn run(command: Command) -> Result<u8, String> {
    match command {
        Command::Check(args) => check(*args),
        Command::Fix(args) => crate::fix::run(*args),
        Command::Demo(report) => {
            let facts = Facts::from_json(DEMO_FACTS).map_err(|e| format!("embedded demo: {e}"))?;
            let plan = Plan::new(&report, None)?;
            let report =
                studio_doctor_checks::run_with(&facts, &plan.checks, VERSION, &plan.options);
            emit(&report, &plan, None)
        }
        Command::List(args) => {
            print(&list(&args));
            Ok(0)
        }
        Command::Explain(args) => {
            let check = select::resolve(&args.id)?;
            print(&match args.format {
                CatalogFormat::Table => explain(check),
                CatalogFormat::Json => explain_json(check),
            });
            Ok(0)
        }
        Command::Completions(args) => {
            let mut script = Vec::new();
            clap_complete::generate(
                args.shell,
                &mut Cli::command(),
                "studio-doctor",
                &mut script,
            );
            print(&String::from_utf8_lossy(&script));
            Ok(0)
        }
        Command::Permissions(args) => {
            let policy = crate::permissions::document(&args)?;
            print(&format!(
                "{}\n",
                serde_json::to_string_pretty(&policy).unwrap_or_default()
            ));
            Ok(0)
        }
    }
}

/// What a run does, from the flags and the config file (flags win).
struct Plan {
    checks: Vec<&'static Check>,
    /// The report on stdout: none when `--output FILE` sends it to a file.
    stdout: Option<Format>,
    /// `--output`: each file and the format written to it.
    files: Vec<(Format, PathBuf)>,
    fail_on: FailOn,
    options: RunOptions,
    verbose: bool,
    /// The config file used, if any (SARIF results point at it).
    config: Option<PathBuf>,
}

impl Plan {
    fn new(args: &ReportArgs, config: Option<&Config>) -> Result<Plan, String> {
        let from_file = |pick: fn(&Config) -> &Vec<String>| config.map(pick).cloned();
        if !args.only.is_empty() && args.only.iter().all(|v| v.trim().is_empty()) {
            return Err("--only: no check given (an empty value selects nothing)".to_string());
        }
        let only = pick_list(&args.only, from_file(|c| &c.only));
        let skip = pick_list(&args.skip, from_file(|c| &c.skip));
        let checks = select::select(&only, &skip)?;
        if checks.is_empty() {
            return Err(
                "no check left to run: --only and --skip (or the config file) exclude every check"
                    .to_string(),
            );
        }
        let format = args
            .format
            .or(config.and_then(|c| c.format))
            .unwrap_or(Format::Table);
        let fail_on = match args
            .fail_on
            .or(config.and_then(|c| c.fail_on))
            .unwrap_or(FailOnArg::Error)
        {
            FailOnArg::Error => FailOn::Error,
            FailOnArg::Warning => FailOn::Warning,
            FailOnArg::Never => FailOn::Never,
        };
        let options = run_options(config, fail_on, &args.severity)?;
        let mut stdout = Some(format);
        let mut files: Vec<(Format, PathBuf)> = Vec::new();
        for value in &args.output {
            let (named, path) = parse_output(value)?;
            if named.is_none() {
                stdout = None;
            }
            if files.iter().any(|(_, p)| *p == path) {
                return Err(format!("--output: {} is given twice", path.display()));
            }
            check_writable(&path)?;
            files.push((named.unwrap_or(format), path));
        }
        Ok(Plan {
            checks,
            stdout,
            files,
            fail_on,
            options,
            verbose: args.verbose,
            config: config.map(|c| c.path.clone()),
        })
    }
}

/// How the checks are judged: the config file's severities and waivers, then
/// the `--severity` flags; today's date when a waiver may have expired.
pub(crate) fn run_options(
    config: Option<&Config>,
    fail_on: FailOn,
    severity: &[String],
) -> Result<RunOptions, String> {
    let mut options = RunOptions {
        fail_on,
        ..RunOptions::default()
    };
    if let Some(c) = config {
        options.severity = c.severity.clone();
        options.waivers = c.waivers.clone();
    }
    for value in severity.iter().filter(|v| !v.trim().is_empty()) {
        let (id, level) = parse_severity(value)?;
        options.severity.insert(id, level);
    }
    if !options.waivers.is_empty() {
        options.today = Some(date::today()?);
    }
    Ok(options)
}

/// A list flag given on the command line replaces the config file's list.
pub(crate) fn pick_list(flag: &[String], file: Option<Vec<String>>) -> Vec<String> {
    let given: Vec<String> = flag
        .iter()
        .filter(|s| !s.trim().is_empty())
        .cloned()
        .collect();
    if given.is_empty() {
        file.unwrap_or_default()
    } else {
        given
    }
}

/// `--severity ID=error|warning|info`.
fn parse_severity(value: &str) -> Result<(String, Severity), String> {
    let Some((id, level)) = value.split_once('=') else {
        return Err(format!(
            "--severity {value}: expected ID=LEVEL, e.g. ES006=error (levels: error, warning, info)"
        ));
    };
    let check = select::resolve(id.trim())?;
    let level = match level.trim().to_ascii_lowercase().as_str() {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        "info" => Severity::Info,
        _ => {
            return Err(format!(
                "--severity {value}: unknown level \"{}\" (expected error, warning or info)",
                level.trim()
            ));
        }
    };
    Ok((check.meta.id.to_string(), level))
}

/// `--output FILE` or `--output FORMAT=FILE`. A word of letters and dashes before
/// the first `=` is a format; `./a=b.txt` is a file.
fn parse_output(value: &str) -> Result<(Option<Format>, PathBuf), String> {
    let names = || {
        Format::value_variants()
            .iter()
            .filter_map(|f| f.to_possible_value())
            .map(|v| v.get_name().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some((name, file)) = value.split_once('=')
        && !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        let format = Format::from_str(name, true).map_err(|_| {
            format!(
                "--output {value}: unknown format \"{name}\" (expected FORMAT=FILE with one of: {})",
                names()
            )
        })?;
        if file.is_empty() {
            return Err(format!("--output {value}: no file name after the ="));
        }
        return Ok((Some(format), PathBuf::from(file)));
    }
    if value.is_empty() {
        return Err("--output: no file name".to_string());
    }
    Ok((None, PathBuf::from(value)))
}

/// Fail before the run (which may take minutes) if a report file cannot be written.
fn check_writable(path: &Path) -> Result<(), String> {
    if path.is_dir() {
        return Err(format!(
            "cannot write {}: it is a directory",
            path.display()
        ));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(format!(
            "cannot write {}: directory {} does not exist",
            path.display(),
            parent.display()
        ));
    }
    Ok(())
}

fn check(args: CheckArgs) -> Result<u8, String> {
    let config = config::load(args.target.config.as_deref(), args.target.no_config)?;
    let plan = Plan::new(&args.report, config.as_ref())?;
    let progress = plan.stdout == Some(Format::Table) && !args.report.quiet;
    let (targets, timings) = read_all(&args.target, config.as_ref(), &plan.checks, progress)?;
    let reports = targets
        .iter()
        .map(|facts| studio_doctor_checks::run_with(facts, &plan.checks, VERSION, &plan.options))
        .collect();
    emit(&Report::combine(reports), &plan, timings.as_ref())
}

/// The facts of one target to judge (see [`read_all`]); several facts files are
/// an input error here.
pub(crate) fn read(
    args: &TargetArgs,
    config: Option<&Config>,
    checks: &[&'static Check],
    progress: bool,
) -> Result<(Facts, Option<Timings>), String> {
    if args.facts.is_empty() {
        let f = fleet(args, config)?;
        let many = match &f.accounts {
            collect::Accounts::Own => false,
            collect::Accounts::List(ids) => ids.len() > 1,
            collect::Accounts::Organization(_) => true,
        };
        if many || f.regions.len() > 1 {
            return Err(
                "this command works on one target at a time: give one account and one region"
                    .to_string(),
            );
        }
    }
    let (mut all, timings) = read_all(args, config, checks, progress)?;
    if all.len() != 1 {
        return Err(format!(
            "{} targets (account and region) given: this command works on one at a time",
            all.len()
        ));
    }
    Ok((all.remove(0), timings))
}

/// The `--facts` files: each file given, and every `*.json` of each directory
/// given (in name order).
fn facts_files(given: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for path in given {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| format!("cannot read facts directory {}: {e}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(format!(
                    "facts directory {} holds no .json file",
                    path.display()
                ));
            }
            out.extend(found);
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

/// The facts to judge: the facts files (one target each), else a live read of
/// what `checks` need (saved with `--save-facts`), and how long the live reads
/// took per area (live runs only, never in the facts).
pub(crate) fn read_all(
    args: &TargetArgs,
    config: Option<&Config>,
    checks: &[&'static Check],
    progress: bool,
) -> Result<(Vec<Facts>, Option<Timings>), String> {
    let (all, timings) = if args.facts.is_empty() {
        collect_live(args, config, checks, progress)?
    } else {
        for (flag, given) in [
            ("--region", args.region.is_some()),
            ("--regions", !args.regions.is_empty()),
            ("--accounts", !args.accounts.is_empty()),
            ("--organization", args.organization),
            ("--accounts-filter", !args.accounts_filter.is_empty()),
            ("--role-name", args.role_name.is_some()),
            ("--external-id", args.external_id.is_some()),
            (
                "--identity-center-profile",
                args.identity_center_profile.is_some(),
            ),
            (
                "--identity-center-role-arn",
                args.identity_center_role_arn.is_some(),
            ),
            ("--profile", args.profile.is_some()),
            ("--studio", args.studio.is_some()),
            ("--workgroup", args.workgroup.is_some()),
            ("--user", !args.users.is_empty()),
            ("--table", !args.tables.is_empty()),
        ] {
            if given {
                return Err(format!(
                    "{flag} cannot be combined with --facts: a facts file replays the target it was saved with"
                ));
            }
        }
        let mut all = Vec::new();
        for path in facts_files(&args.facts)? {
            let text = read_facts_file(&path)
                .map_err(|e| format!("cannot read facts file {}: {e}", path.display()))?;
            let facts = Facts::from_json(&text)
                .map_err(|e| format!("{} is not a valid facts file: {e}", path.display()))?;
            if let Some(c) = config {
                c.check_target(&facts.target, &path)?;
            }
            all.push(facts);
        }
        (all, None)
    };
    if let Some(path) = &args.save_facts {
        save_facts(path, &all)?;
    }
    Ok((all, timings))
}

/// `--save-facts`: one target to the file; several targets (or a directory
/// given) to `<account>-<region>.json` each in the directory, created if need be.
fn save_facts(path: &Path, all: &[Facts]) -> Result<(), String> {
    if let [facts] = all
        && !path.is_dir()
    {
        return write_facts(path, facts);
    }
    std::fs::create_dir_all(path).map_err(|e| {
        format!(
            "--save-facts: cannot create directory {}: {e}",
            path.display()
        )
    })?;
    for facts in all {
        let name = format!(
            "{}-{}.json",
            facts.account_id().unwrap_or("account"),
            facts.target.region
        );
        write_facts(&path.join(name), facts)?;
    }
    Ok(())
}

/// One facts file, streamed: a large account's facts are never held twice.
fn write_facts(path: &Path, facts: &Facts) -> Result<(), String> {
    let failed =
        |e: &dyn std::fmt::Display| format!("cannot write facts file {}: {e}", path.display());
    let file = std::fs::File::create(path).map_err(|e| failed(&e))?;
    let mut out = std::io::BufWriter::new(file);
    serde_json::to_writer_pretty(&mut out, facts).map_err(|e| failed(&e))?;
    std::io::Write::write_all(&mut out, b"\n")
        .and_then(|()| std::io::Write::flush(&mut out))
        .map_err(|e| failed(&e))
}

fn collect_live(
    args: &TargetArgs,
    config: Option<&Config>,
    checks: &[&'static Check],
    progress: bool,
) -> Result<(Vec<Facts>, Option<Timings>), String> {
    let needs: BTreeSet<Need> = registry::with_prerequisites(checks)
        .iter()
        .flat_map(|c| c.meta.needs.iter().copied())
        .collect();
    let file = |pick: fn(&Config) -> &Option<String>| config.and_then(|c| pick(c).clone());
    let settings = collect::Settings {
        region: args.region.clone().or_else(|| file(|c| &c.region)),
        profile: args.profile.clone().or_else(|| file(|c| &c.profile)),
        timeout: Duration::from_secs(args.timeout.max(1)),
        concurrency: usize::from(args.concurrency),
        call_timeout: Duration::from_secs(
            args.call_timeout
                .unwrap_or(30)
                .clamp(1, args.timeout.max(1)),
        ),
    };
    let fleet = fleet(args, config)?;
    let target = Target {
        account_id: None,
        region: String::new(),
        studio: args.studio.clone().or_else(|| file(|c| &c.studio)),
        workgroup: args.workgroup.clone().or_else(|| file(|c| &c.workgroup)),
        users: pick_list(&args.users, config.map(|c| c.users.clone())),
        tables: pick_list(&args.tables, config.map(|c| c.tables.clone())),
    };
    let spinner = progress_bar(progress);
    // Each target's reads run as a task: a deep future, so roomy worker stacks.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_stack_size(8 << 20)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let bar = spinner.clone();
    let progress: collect::Progress = std::sync::Arc::new(move |what: &str| {
        if let Some(s) = &bar {
            s.set_message(what.to_string());
        }
    });
    let result = runtime.block_on(collect::collect_all(
        &settings, &fleet, target, &needs, progress,
    ));
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    let (all, timings) = result.map_err(|e| e.to_string())?;
    debug_assert!(all.iter().all(|f| f.facts_version == FACTS_VERSION));
    Ok((all, timings))
}

/// The targets of a live run, from the flags and the config file (flags win).
fn fleet(args: &TargetArgs, config: Option<&Config>) -> Result<collect::Fleet, String> {
    let file = |pick: fn(&Config) -> &Option<String>| config.and_then(|c| pick(c).clone());
    let regions = pick_list(&args.regions, config.map(|c| c.regions.clone()));
    for r in &regions {
        if r.is_empty()
            || !r
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(format!(
                "--regions: `{r}` is not an AWS region name (e.g. us-east-1)"
            ));
        }
    }
    let mut regions_seen = BTreeSet::new();
    let regions: Vec<String> = regions
        .into_iter()
        .filter(|r| regions_seen.insert(r.clone()))
        .collect();
    let listed = pick_list(&args.accounts, config.map(|c| c.accounts.clone()));
    let organization =
        args.organization || (listed.is_empty() && config.is_some_and(|c| c.organization));
    if organization && !listed.is_empty() {
        return Err("--accounts and --organization: give one of them".to_string());
    }
    let mut ids = Vec::new();
    for id in &listed {
        if !crate::permissions::is_account(id) {
            return Err(format!(
                "--accounts: `{id}` is not a 12-digit AWS account id"
            ));
        }
        if !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    let filters = pick_list(
        &args.accounts_filter,
        config.map(|c| c.accounts_filter.clone()),
    );
    if !filters.is_empty() && !organization {
        return Err("--accounts-filter: only with --organization".to_string());
    }
    let mut tags = Vec::new();
    for f in &filters {
        match f.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                tags.push((k.trim().to_string(), v.to_string()))
            }
            _ => {
                return Err(format!(
                    "--accounts-filter {f}: expected TAG=VALUE (e.g. team=data)"
                ));
            }
        }
    }
    let accounts = match (organization, ids.is_empty()) {
        (true, _) => collect::Accounts::Organization(tags),
        (false, false) => collect::Accounts::List(ids),
        (false, true) => collect::Accounts::Own,
    };
    let role_name = args.role_name.clone().or_else(|| file(|c| &c.role_name));
    if accounts != collect::Accounts::Own && role_name.is_none() {
        return Err(
            "--role-name is needed with --accounts or --organization: the audit role to assume in each account"
                .to_string(),
        );
    }
    let profile = args
        .identity_center_profile
        .clone()
        .or_else(|| file(|c| &c.identity_center_profile));
    let role_arn = args
        .identity_center_role_arn
        .clone()
        .or_else(|| file(|c| &c.identity_center_role_arn));
    let identity_center = match (profile, role_arn) {
        (Some(_), Some(_)) => {
            return Err(
                "--identity-center-profile and --identity-center-role-arn: give one of them"
                    .to_string(),
            );
        }
        (Some(p), None) => Some(collect::IdcVia::Profile(p)),
        (None, Some(arn)) => {
            if !crate::permissions::is_role_arn(&arn) {
                return Err(format!(
                    "--identity-center-role-arn: `{arn}` is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)"
                ));
            }
            Some(collect::IdcVia::RoleArn(arn))
        }
        (None, None) => None,
    };
    Ok(collect::Fleet {
        regions,
        accounts,
        role_name,
        external_id: args
            .external_id
            .clone()
            .or_else(|| file(|c| &c.external_id)),
        identity_center,
        concurrency: usize::from(args.target_concurrency),
    })
}

fn progress_bar(wanted: bool) -> Option<indicatif::ProgressBar> {
    if !wanted || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.enable_steady_tick(Duration::from_millis(100));
    bar.set_message("reading the account");
    Some(bar)
}

/// Run the checks, write the report files, print the report, return the exit code.
/// `timings`: how long a live run's reads took per area (none offline).
fn emit(report: &Report, plan: &Plan, timings: Option<&Timings>) -> Result<u8, String> {
    let render = |format, stdout| render_as(report, format, plan, stdout, timings);
    for (format, path) in &plan.files {
        std::fs::write(path, render(*format, false))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if let Some(format) = plan.stdout {
        print(&render(format, true));
    }
    Ok(report.exit_code(plan.fail_on) as u8)
}

/// The report in one format; `stdout`: for this process's stdout (colour allowed);
/// `timings` show in the verbose human report only.
fn render_as(
    report: &Report,
    format: Format,
    plan: &Plan,
    stdout: bool,
    timings: Option<&Timings>,
) -> String {
    match format {
        Format::Table => {
            let mut options = render::human::HumanOptions::detect(plan.verbose);
            options.color &= stdout;
            render::human::render_with_timings(report, &options, timings)
        }
        Format::Json => render::json::render(report),
        Format::JsonLines => render::jsonl::render(report),
        Format::Sarif => render::sarif::render_with(report, plan.config.as_deref()),
        Format::Junit => render::junit::render(report),
        Format::Markdown => render::markdown::render(report),
        Format::Github => render::github::render(report),
    }
}

fn list(args: &ListArgs) -> String {
    match args.format {
        CatalogFormat::Json => {
            let rows: Vec<_> = registry::ALL
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "id": c.meta.id,
                        "name": c.meta.name,
                        "area": c.meta.area,
                        "severity": c.meta.severity,
                        "title": c.meta.title,
                        "depends_on": c.meta.depends_on,
                        "docs": c.meta.docs,
                    })
                })
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&rows).unwrap_or_default()
            )
        }
        CatalogFormat::Table => {
            let o = render::human::HumanOptions::detect(false);
            render::terminal::catalog(registry::ALL, o.width, o.color)
        }
    }
}

/// `explain`: the check's documentation as terminal text within the width.
fn explain(check: &Check) -> String {
    let m = check.meta;
    let mut doc = check.explanation();
    doc.push_str(&format!(
        "\n\nArea: {}. Severity: {}. Depends on: {}. Example account with this problem: `examples/traps/{}.json`.\n",
        m.area.title(),
        m.severity,
        if m.depends_on.is_empty() {
            "nothing".to_string()
        } else {
            m.depends_on.join(", ")
        },
        m.id
    ));
    let o = render::human::HumanOptions::detect(false);
    render::terminal::markdown(&doc, o.width, o.color)
}

/// `explain --format json`: the catalog entry and the documentation.
fn explain_json(check: &Check) -> String {
    let m = check.meta;
    let entry = serde_json::json!({
        "id": m.id,
        "name": m.name,
        "area": m.area,
        "severity": m.severity,
        "title": m.title,
        "depends_on": m.depends_on,
        "docs": m.docs,
        "explanation": check.explanation(),
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&entry).unwrap_or_default()
    )
}

/// Print to stdout; a closed pipe (`| head`) is not an error worth a panic.
pub(crate) fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// A facts file's text, read no further than one byte past the size limit (so
/// `Facts::from_json` refuses it without reading a huge file or a device whole).
fn read_facts_file(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(studio_doctor_checks::facts::MAX_FACTS_BYTES + 1)
        .read_to_string(&mut text)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_values_are_a_file_or_format_equals_file() {
        let out = |v: &str| parse_output(v).unwrap();
        assert_eq!(out("r.sarif"), (None, PathBuf::from("r.sarif")));
        assert_eq!(
            out("sarif=out/r.sarif"),
            (Some(Format::Sarif), PathBuf::from("out/r.sarif"))
        );
        assert_eq!(
            out("JSONL=r.jsonl"),
            (Some(Format::JsonLines), PathBuf::from("r.jsonl"))
        );
        assert_eq!(
            out("md=a=b.md"),
            (Some(Format::Markdown), PathBuf::from("a=b.md"))
        );
        // Not a format word before the `=`: a file name.
        assert_eq!(out("./a=b.txt"), (None, PathBuf::from("./a=b.txt")));
        assert_eq!(out("out.d/x=1"), (None, PathBuf::from("out.d/x=1")));
        assert!(
            parse_output("xml=r.xml")
                .unwrap_err()
                .contains("unknown format \"xml\"")
        );
        assert!(parse_output("").is_err());
        assert!(parse_output("junit=").is_err());
    }

    #[test]
    fn severity_values_resolve_ids_and_levels() {
        assert_eq!(
            parse_severity("es006=Error").unwrap(),
            ("ES006".to_string(), Severity::Error)
        );
        assert_eq!(
            parse_severity(" studio-service-role-athena = info ").unwrap(),
            ("ES006".to_string(), Severity::Info)
        );
        assert!(
            parse_severity("ES006=warn")
                .unwrap_err()
                .contains("unknown level")
        );
        assert!(parse_severity("ES006").unwrap_err().contains("ID=LEVEL"));
        assert!(
            parse_severity("XX1=error")
                .unwrap_err()
                .contains("unknown check id")
        );
    }

    #[test]
    fn flag_lists_replace_file_lists() {
        let file = Some(vec!["ES001".to_string()]);
        assert_eq!(pick_list(&[], file.clone()), ["ES001"]);
        assert_eq!(pick_list(&[" ".into()], file.clone()), ["ES001"]);
        assert_eq!(pick_list(&["WG001".into()], file), ["WG001"]);
        assert!(pick_list(&[], None).is_empty());
    }
}
