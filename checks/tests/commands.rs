//! Every command a fix prints, for every shipped example account, pastes into a
//! POSIX shell as plain words and names a real AWS CLI operation with real
//! parameters (`data/aws-cli.json`, written from the AWS API models by
//! `scripts/aws-cli-table.py`).

use serde_json::Value;
use std::path::{Path, PathBuf};
use studio_doctor_checks::shell::words;
use studio_doctor_checks::{Facts, registry, run};

/// Options the AWS CLI accepts on every operation.
const GLOBAL: &[&str] = &[
    "region",
    "output",
    "query",
    "profile",
    "endpoint-url",
    "no-cli-pager",
    "cli-input-json",
    "no-paginate",
];

fn examples() -> Vec<PathBuf> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples"));
    let mut v = vec![
        dir.join("healthy-account.json"),
        dir.join("demo-account.json"),
    ];
    let mut traps: Vec<_> = std::fs::read_dir(dir.join("traps"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    traps.sort();
    v.extend(traps);
    v
}

fn commands(path: &Path) -> Vec<String> {
    let facts = Facts::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
    let all: Vec<_> = registry::ALL.iter().collect();
    run(&facts, &all, "test")
        .results
        .into_iter()
        .filter_map(|r| r.remediation)
        .flat_map(|f| f.commands)
        .collect()
}

/// Why `cmd` is not a plain, real AWS CLI (or studio-doctor) call, if it is not.
fn problem(cli: &Value, cmd: &str) -> Option<String> {
    let w = match words(cmd) {
        Ok(w) => w,
        Err(e) => return Some(e),
    };
    // A redirection is allowed only as `> FILE` at the end of a call that prints
    // JSON: an `aws ... --output json` or a `jq` filter.
    let mut body = &w[..];
    if w.len() >= 2 && w[w.len() - 2].value == ">" {
        if !cmd.contains("--output json") && w[0].value != "jq" {
            return Some("writes a file without --output json".into());
        }
        body = &w[..w.len() - 2];
    }
    if let Some(bad) = body.iter().find(|w| w.operator) {
        return Some(format!("unquoted shell operator in {:?}", bad.value));
    }
    let v: Vec<&str> = body.iter().map(|w| w.value.as_str()).collect();
    match v.as_slice() {
        ["jq", filter, file] => (filter.is_empty() || !file.ends_with(".json"))
            .then(|| "jq needs a filter and a JSON file".into()),
        ["studio-doctor", sub, ..] => (!["check", "explain", "list", "permissions"].contains(sub))
            .then(|| format!("no studio-doctor subcommand {sub}")),
        ["aws", service, op, rest @ ..] => {
            let Some(params) = cli.get(*service).and_then(|s| s.get(*op)) else {
                return Some(format!("no AWS CLI operation `aws {service} {op}`"));
            };
            let params: Vec<&str> = params
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect();
            for flag in rest.iter().filter_map(|a| a.strip_prefix("--")) {
                if !params.contains(&flag) && !GLOBAL.contains(&flag) {
                    return Some(format!("`aws {service} {op}` has no option --{flag}"));
                }
            }
            None
        }
        _ => Some("not an `aws`, `jq` or `studio-doctor` command".into()),
    }
}

#[test]
fn every_printed_command_is_a_real_aws_cli_call() {
    let cli: Value = serde_json::from_str(include_str!("data/aws-cli.json")).unwrap();
    let mut bad = Vec::new();
    let mut seen = 0;
    for path in examples() {
        for cmd in commands(&path) {
            seen += 1;
            if let Some(why) = problem(&cli, &cmd) {
                bad.push(format!(
                    "{}: {why}\n    {cmd}",
                    path.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    assert!(seen > 50, "only {seen} commands");
    bad.sort();
    bad.dedup();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_checker_rejects_what_a_shell_would_not_run() {
    let cli: Value = serde_json::from_str(include_str!("data/aws-cli.json")).unwrap();
    for cmd in [
        "aws iam get-role --role-name <R>",
        "aws iam get-role --role-name 'x",
        "aws iam get-rol --role-name x",
        "aws iam get-role --role x",
        "aws lakeformation get-data-lake-settings > s.json",
        "aws iam get-role --role-name x; rm -rf y",
    ] {
        assert!(problem(&cli, cmd).is_some(), "{cmd}");
    }
    for cmd in [
        "aws iam get-role --role-name '<R>'",
        "aws lakeformation get-data-lake-settings --output json > s.json",
        "aws athena create-work-group --name x --configuration '{}' --region r",
    ] {
        assert_eq!(problem(&cli, cmd), None, "{cmd}");
    }
}
