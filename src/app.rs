//! What each subcommand does. Errors returned here are one-line input errors (exit 2).

use crate::cli::{CheckArgs, Command, FailOnArg, Format, ListArgs, ReportArgs};
use crate::{collect, render, select};
use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::time::Duration;
use studio_doctor_checks::facts::{FACTS_VERSION, Target};
use studio_doctor_checks::{Check, Facts, FailOn, Need, registry};

/// The blog account, embedded so `demo` works anywhere.
const DEMO_FACTS: &str = include_str!("../examples/blog-account.json");

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub fn run(command: Command) -> Result<u8, String> {
    match command {
        Command::Check(args) => check(args),
        Command::Demo(report) => {
            let facts = Facts::from_json(DEMO_FACTS).map_err(|e| format!("embedded demo: {e}"))?;
            let checks = select::select(&report.only, &report.skip)?;
            Ok(emit(&facts, &checks, &report))
        }
        Command::List(args) => {
            print(&list(&args));
            Ok(0)
        }
        Command::Explain(args) => {
            let check = select::resolve(&args.id)?;
            print(&explain(check));
            Ok(0)
        }
        Command::Permissions => {
            let policy = collect::permissions_policy();
            print(&format!(
                "{}\n",
                serde_json::to_string_pretty(&policy).unwrap_or_default()
            ));
            Ok(0)
        }
    }
}

fn check(args: CheckArgs) -> Result<u8, String> {
    let checks = select::select(&args.report.only, &args.report.skip)?;
    let facts = match &args.facts {
        Some(path) => {
            for (flag, given) in [
                ("--region", args.region.is_some()),
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
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read facts file {}: {e}", path.display()))?;
            Facts::from_json(&text)
                .map_err(|e| format!("{} is not a valid facts file: {e}", path.display()))?
        }
        None => collect_live(&args, &checks)?,
    };
    if let Some(path) = &args.save_facts {
        let mut text = serde_json::to_string_pretty(&facts).map_err(|e| e.to_string())?;
        text.push('\n');
        std::fs::write(path, text)
            .map_err(|e| format!("cannot write facts file {}: {e}", path.display()))?;
    }
    Ok(emit(&facts, &checks, &args.report))
}

fn collect_live(args: &CheckArgs, checks: &[&'static Check]) -> Result<Facts, String> {
    let needs: BTreeSet<Need> = registry::with_prerequisites(checks)
        .iter()
        .flat_map(|c| c.meta.needs.iter().copied())
        .collect();
    let settings = collect::Settings {
        region: args.region.clone(),
        profile: args.profile.clone(),
        timeout: Duration::from_secs(args.timeout.max(1)),
        call_timeout: Duration::from_secs(args.timeout.clamp(1, 30)),
    };
    let target = Target {
        region: String::new(),
        studio: args.studio.clone(),
        workgroup: args.workgroup.clone(),
        users: args.users.clone(),
        tables: args.tables.clone(),
    };
    let spinner = progress_bar(args.report.format == Format::Table && !args.report.quiet);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let progress = |what: &str| {
        if let Some(s) = &spinner {
            s.set_message(what.to_string());
        }
    };
    let result = runtime.block_on(collect::collect(&settings, target, &needs, &progress));
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    let facts = result.map_err(|e| e.to_string())?;
    debug_assert_eq!(facts.facts_version, FACTS_VERSION);
    Ok(facts)
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

/// Run the checks, print the report, return the exit code.
fn emit(facts: &Facts, checks: &[&'static Check], args: &ReportArgs) -> u8 {
    let report = studio_doctor_checks::run(facts, checks, VERSION);
    let text = match args.format {
        Format::Json => render::json::render(&report),
        Format::Table => {
            render::human::render(&report, &render::human::HumanOptions::detect(args.verbose))
        }
    };
    print(&text);
    let fail_on = match args.fail_on {
        FailOnArg::Error => FailOn::Error,
        FailOnArg::Warning => FailOn::Warning,
        FailOnArg::Never => FailOn::Never,
    };
    report.exit_code(fail_on) as u8
}

fn list(args: &ListArgs) -> String {
    match args.format {
        Format::Json => {
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
        Format::Table => {
            let mut t = comfy_table::Table::new();
            t.load_preset(comfy_table::presets::NOTHING);
            t.set_header(["ID", "NAME", "AREA", "SEVERITY", "TITLE"]);
            for c in registry::ALL {
                t.add_row([
                    c.meta.id,
                    c.meta.name,
                    c.meta.area.title(),
                    &c.meta.severity.to_string(),
                    c.meta.title,
                ]);
            }
            format!("{}\n", t.trim_fmt())
        }
    }
}

fn explain(check: &Check) -> String {
    let m = check.meta;
    let mut out = check.explanation();
    out.push_str(&format!(
        "\n\nArea: {}. Severity: {}. Depends on: {}.\nExample: examples/traps/{}.json\n",
        m.area.title(),
        m.severity,
        if m.depends_on.is_empty() {
            "nothing".to_string()
        } else {
            m.depends_on.join(", ")
        },
        m.id
    ));
    out
}

/// Print to stdout; a closed pipe (`| head`) is not an error worth a panic.
fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}
