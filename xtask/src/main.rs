//! Project chores, run as `cargo xtask <command>` (the alias is in `.cargo/config.toml`).
//! Std only, so it builds in seconds and never pulls in the AWS SDK.

mod new_check;
mod template;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  new-check <ID> <kebab-name> --area <area> --hop <hop> [--severity error|warning] [--title \"...\"]
      write checks/src/checks/<id>.rs from the template, register it and add its trap
      to examples/generate.py, then print what is left to do by hand
      area: account (AC), identity-center (IC), emr-studio (ES), athena-workgroup (WG),
            s3-access-grants (AG), lake-formation (LF)
      hop:  identity, sign-in, user-role, workgroup, read, write
      severity: warning (the default) until the documentation settles the rule
  readme
      regenerate the README's table of checks
      (UPDATE_README=1 cargo test -p studio-doctor-checks --test readme)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("new-check") => root().and_then(|r| new_check::main(&r, &args[1..])),
        Some("readme") => root().and_then(|r| readme(&r)),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!(
            "unknown command {other:?} (cargo xtask --help lists the commands)"
        )),
        None => Err("no command (cargo xtask --help lists the commands)".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", e.replace('\n', " "));
            ExitCode::from(2)
        }
    }
}

/// The repository root: the current directory or the nearest parent holding the checks.
fn root() -> Result<PathBuf, String> {
    let cwd = std::env::current_dir().map_err(|e| format!("current directory: {e}"))?;
    cwd.ancestors()
        .find(|d| d.join("checks/src/checks/mod.rs").is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            format!(
                "{} is not inside the studio-doctor repository (no checks/src/checks/mod.rs)",
                cwd.display()
            )
        })
}

/// What `UPDATE_README=1 cargo test -p studio-doctor-checks --test readme` does.
fn readme(root: &Path) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "test",
            "--quiet",
            "-p",
            "studio-doctor-checks",
            "--test",
            "readme",
        ])
        .env("UPDATE_README", "1")
        .current_dir(root)
        .status()
        .map_err(|e| format!("running cargo: {e}"))?;
    if status.success() {
        println!("README.md: the table of checks matches the registry");
        Ok(())
    } else {
        Err("the readme test failed (see above)".into())
    }
}
