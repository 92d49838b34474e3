//! `studio-doctor fix`: the plan that fixes the findings, its simulation on the
//! facts, and the script that applies it. studio-doctor itself changes nothing.

use crate::app::{VERSION, pick_list, print, read, run_options};
use crate::cli::{CatalogFormat, FixArgs};
use crate::{config, render, select};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;
use studio_doctor_checks::fix::plan::plan;
use studio_doctor_checks::fix::simulate::simulate_checks;
use studio_doctor_checks::{FailOn, Status};

pub fn run(args: FixArgs) -> Result<u8, String> {
    let config = config::load(args.target.config.as_deref(), args.target.no_config)?;
    let only = pick_list(&args.only, config.as_ref().map(|c| c.only.clone()));
    let skip = pick_list(&args.skip, config.as_ref().map(|c| c.skip.clone()));
    let checks = select::select(&only, &skip)?;
    if checks.is_empty() {
        return Err("no check left: --only and --skip exclude every check".to_string());
    }
    let values = parse_inputs(&args.inputs)?;
    if let Some(dir) = &args.output_dir {
        check_output_dir(dir)?;
    }
    let options = run_options(config.as_ref(), FailOn::Error, &[])?;
    let progress =
        args.format == CatalogFormat::Table && !args.quiet && std::io::stderr().is_terminal();
    let (facts, _) = read(&args.target, config.as_ref(), &checks, progress)?;
    let report = studio_doctor_checks::run_with(&facts, &checks, VERSION, &options);
    let plan = plan(&report, &facts);
    let mut out = match args.format {
        CatalogFormat::Table => render::plan::text(&plan),
        CatalogFormat::Json => render::plan::json(&plan),
    };
    if args.simulate {
        let sim = simulate_checks(&facts, &checks, &options, &values);
        if args.format == CatalogFormat::Table {
            out.push('\n');
            out.push_str(&render::plan::simulation(&sim));
        }
    }
    if let Some(dir) = &args.output_dir {
        write_dir(dir, &render::plan::script_files(&plan, VERSION))?;
        if args.format == CatalogFormat::Table {
            out.push_str(&format!(
                "\nWrote {0}/plan.sh, {0}/plan.json and the policy documents in {0}/policies.\n",
                dir.display()
            ));
        }
    }
    print(&out);
    // Checks that could not be evaluated may hide findings the plan does not cover.
    let unknown = report.results.iter().any(|r| r.status == Status::Error);
    Ok(if unknown { 3 } else { 0 })
}

/// `--input NAME=VALUE`.
fn parse_inputs(values: &[String]) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for v in values {
        let Some((name, value)) = v.split_once('=') else {
            return Err(format!(
                "--input {v}: expected NAME=VALUE, e.g. VPC_ID=vpc-0abc"
            ));
        };
        if !studio_doctor_checks::fix::inputs::is_name(name) {
            return Err(format!(
                "--input {v}: \"{name}\" is not an input name (upper case, digits and _)"
            ));
        }
        out.insert(name.to_string(), value.to_string());
    }
    Ok(out)
}

/// The plan goes into a new or empty directory: never mixed with an older plan.
fn check_output_dir(dir: &Path) -> Result<(), String> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map_err(|e| format!("--output-dir {}: {e}", dir.display()))?
            .next()
            .is_none();
        if !empty {
            return Err(format!(
                "--output-dir {}: the directory is not empty (give a new or empty one)",
                dir.display()
            ));
        }
    }
    Ok(())
}

fn write_dir(dir: &Path, files: &[(String, String)]) -> Result<(), String> {
    for (name, text) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let script = dir.join("plan.sh");
        let _ = std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_name_equals_value() {
        let v = parse_inputs(&["VPC_ID=vpc-1".into(), "X=a=b".into()]).unwrap();
        assert_eq!(v["VPC_ID"], "vpc-1");
        assert_eq!(v["X"], "a=b");
        assert!(
            parse_inputs(&["vpc=1".into()])
                .unwrap_err()
                .contains("not an input name")
        );
        assert!(
            parse_inputs(&["VPC".into()])
                .unwrap_err()
                .contains("NAME=VALUE")
        );
    }

    #[test]
    fn the_output_directory_must_be_new_or_empty() {
        let d = tempfile::tempdir().unwrap();
        assert!(check_output_dir(d.path()).is_ok());
        assert!(check_output_dir(&d.path().join("new")).is_ok());
        std::fs::write(d.path().join("x"), "").unwrap();
        assert!(
            check_output_dir(d.path())
                .unwrap_err()
                .contains("not empty")
        );
    }
}
