//! A fix plan as text for people, as a bash script with its policy files, and
//! as JSON.

use std::collections::BTreeMap;
use studio_doctor_checks::fix::inputs;
use studio_doctor_checks::fix::plan::{Finding, Plan, Step};
use studio_doctor_checks::fix::render::{inline, quote, script};
use studio_doctor_checks::fix::simulate::Simulation;
use studio_doctor_checks::fix::{Action, Kind};
use studio_doctor_checks::report::Summary;
use studio_doctor_checks::text::printable;

/// The plan for people (also what `fix` prints before `--output-dir` writes it).
pub fn text(plan: &Plan) -> String {
    let mut out = String::new();
    let findings = closed_findings(plan);
    out.push_str(&format!(
        "Fix plan for {}, region {}: {} for {}.\n",
        plan.account_id
            .as_deref()
            .map_or("this account".to_string(), |a| format!("account {a}")),
        plan.region,
        count(plan.steps.len(), "step"),
        count(findings, "finding"),
    ));
    if plan.steps.is_empty() && plan.manual.is_empty() {
        out.push_str("Nothing to fix: no check failed or warned.\n");
        return out;
    }
    out.push_str(
        "Nothing has been changed. Review the plan; `--output-dir DIR` writes it as DIR/plan.sh.\n",
    );
    if !plan.inputs.is_empty() {
        out.push_str("\nValues to supply first (environment variables of plan.sh):\n");
        let width = plan.inputs.iter().map(|i| i.name.len()).max().unwrap_or(0);
        for i in &plan.inputs {
            out.push_str(&format!("  {:width$}  {}\n", i.name, printable(&i.what)));
        }
    }
    for (n, step) in plan.steps.iter().enumerate() {
        out.push_str(&format!("\n{:>2}. {}", n + 1, step.action.name()));
        out.push_str(&match step.applicability {
            Kind::Ready => String::new(),
            Kind::NeedsInput => " (needs input)".to_string(),
            Kind::Replaces => " (replaces)".to_string(),
            Kind::Recreates => " (recreates: not run by plan.sh)".to_string(),
            Kind::Manual => String::new(),
        });
        out.push('\n');
        out.push_str(&format!("    closes {}\n", closes(&step.closes)));
        if let Some(k) = &step.kept {
            out.push_str(&format!("    keeps {}\n", printable(k)));
        }
        if let Some(r) = &step.reason {
            out.push_str(&format!("    why {}\n", printable(r)));
        }
        out.push_str(&format!(
            "    $ {}\n",
            printable(&inline(&step.action.command()))
        ));
    }
    if !plan.manual.is_empty() {
        out.push_str("\nNo automatic fix; to do by hand:\n");
        for m in &plan.manual {
            out.push_str(&format!(
                "  {} {}: {}\n",
                m.finding.check,
                printable(&m.finding.resource),
                printable(&m.summary)
            ));
            for d in &m.docs {
                out.push_str(&format!("    doc: {d}\n"));
            }
        }
    }
    out
}

/// What `fix --simulate` prints: the checks before and after the plan, applied
/// to the facts (never to AWS), and every gap the simulation found.
pub fn simulation(sim: &Simulation) -> String {
    let line = |s: &Summary| {
        format!(
            "{} pass, {} fail, {} warn, {} skip, {} error",
            s.pass, s.fail, s.warn, s.skip, s.error
        )
    };
    let mut out = String::from(
        "Simulation: the plan applied to the facts read (AWS is not changed).
",
    );
    out.push_str(&format!(
        "  before the plan: {}
",
        line(&sim.before)
    ));
    out.push_str(&format!(
        "  after the plan:  {}
",
        line(&sim.after)
    ));
    out.push_str(&format!(
        "  {} of {} applied
",
        count(sim.applied.len(), "step"),
        sim.plan.steps.len()
    ));
    if !sim.retargeted.is_empty() {
        out.push_str(&format!(
            "  judged after the plan with {} (what it creates)
",
            sim.retargeted.join(" ")
        ));
    }
    for n in &sim.not_applied {
        out.push_str(&format!(
            "  not applied: step {} {}: {}
",
            n.step + 1,
            n.action,
            printable(&n.why)
        ));
    }
    for n in &sim.failed {
        out.push_str(&format!(
            "  could not be simulated: step {} {}: {}
",
            n.step + 1,
            n.action,
            printable(&n.why)
        ));
    }
    for u in &sim.unfixed {
        out.push_str(&format!(
            "  still open: {} ({}) after {}: {}\n",
            u.finding.check,
            printable(&u.finding.resource),
            u.steps.join(", "),
            printable(&u.message)
        ));
    }
    for f in &sim.introduced {
        out.push_str(&format!(
            "  next: {} {} ({}) on what the plan creates\n",
            f.check,
            f.status.as_str(),
            printable(&f.resource)
        ));
    }
    for f in &sim.regressed {
        out.push_str(&format!(
            "  broken by the plan: {} ({}) passed before, now {}\n",
            f.check,
            printable(&f.resource),
            f.status.as_str()
        ));
    }
    if sim.unfixed.is_empty() && sim.regressed.is_empty() && sim.failed.is_empty() {
        out.push_str("  every finding the applied steps claim passes afterwards, and nothing that passed breaks.\n");
    }
    out
}

/// The plan as JSON (`plan.json`).
pub fn json(plan: &Plan) -> String {
    format!(
        "{}\n",
        serde_json::to_string_pretty(plan).unwrap_or_default()
    )
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// How many distinct findings the steps close.
fn closed_findings(plan: &Plan) -> usize {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for s in &plan.steps {
        for f in &s.closes {
            if !seen.contains(&(f.check.as_str(), f.resource.as_str())) {
                seen.push((&f.check, &f.resource));
            }
        }
    }
    seen.len()
}

fn closes(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("{} ({})", f.check, printable(&f.resource)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `plan.sh` and the files it reads (`policies/<name>.json`), as (relative path, text).
pub fn script_files(plan: &Plan, version: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut sh = String::new();
    let comment = |s: &str| printable(s).replace('\n', " ");
    sh.push_str("#!/usr/bin/env bash\n");
    sh.push_str(&format!(
        "# Fix plan written by studio-doctor {version} for {}, region {}.\n",
        plan.account_id
            .as_deref()
            .map_or("the account it read".to_string(), |a| format!(
                "account {a}"
            )),
        plan.region
    ));
    sh.push_str("# Review every step before running it: bash plan.sh\n");
    sh.push_str("# Each step names the findings it closes. Steps that recreate a resource are\n");
    sh.push_str("# commented out: run them by hand once users can move to the new resource.\n");
    sh.push_str("set -euo pipefail\ncd \"$(dirname \"$0\")\"\n");
    if !plan.inputs.is_empty() {
        // Only the steps the script runs need their values; the others are comments.
        let run: Vec<String> = plan
            .steps
            .iter()
            .filter(|s| s.applicability != Kind::Recreates)
            .flat_map(|s| inputs::of_action(&s.action))
            .collect();
        let required = |name: &str| run.iter().any(|n| n == name);
        sh.push_str(
            "\n# Values to supply: set them in the environment (or here) before running.\n",
        );
        for i in &plan.inputs {
            let only = if required(&i.name) {
                ""
            } else {
                " (only for the steps not run below)"
            };
            sh.push_str(&format!(
                "{n}=\"${{{n}:-}}\"  # {}{only}\n",
                comment(&i.what),
                n = i.name
            ));
        }
        sh.push_str("missing=()\n");
        for i in plan.inputs.iter().filter(|i| required(&i.name)) {
            sh.push_str(&format!("[ -n \"${n}\" ] || missing+=({n})\n", n = i.name));
        }
        sh.push_str("if [ ${#missing[@]} -gt 0 ]; then\n  echo \"plan.sh: set ${missing[*]} first (see the top of this file)\" >&2\n  exit 2\nfi\n");
    }
    // AWS CLI v2 reads AWS_REGION, v1 only AWS_DEFAULT_REGION.
    sh.push_str(&format!(
        "\nexport AWS_REGION={r} AWS_DEFAULT_REGION={r}\n",
        r = quote(&plan.region)
    ));
    if let Some(account) = &plan.account_id {
        sh.push_str(&format!(
            "\n# This plan is for account {account} only.\nACCOUNT_ID={account}\nactual=$(aws sts get-caller-identity --query Account --output text)\nif [ \"$actual\" != \"$ACCOUNT_ID\" ]; then\n  echo \"plan.sh: this plan is for account $ACCOUNT_ID, the credentials are for account $actual\" >&2\n  exit 2\nfi\n"
        ));
    }
    // Policy files with the inputs filled in, in a directory removed on exit.
    sh.push_str("\nDOCS=$(mktemp -d)\ntrap 'rm -rf \"$DOCS\"' EXIT\n");
    sh.push_str("# policies/NAME with each <INPUT> replaced by its value; prints file://PATH.\ndoc() {\n  local text\n  text=$(cat \"policies/$1\")\n");
    for i in &plan.inputs {
        sh.push_str(&format!(
            "  text=\"${{text//\"<{n}>\"/\"${n}\"}}\"\n",
            n = i.name
        ));
    }
    sh.push_str("  printf '%s' \"$text\" > \"$DOCS/$1\"\n  echo \"file://$DOCS/$1\"\n}\n");
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    for (n, step) in plan.steps.iter().enumerate() {
        let number = n + 1;
        sh.push_str(&format!("\n# Step {number}: {}", step.action.name()));
        sh.push_str(&format!(" - closes {}\n", comment(&closes(&step.closes))));
        if let Some(k) = &step.kept {
            sh.push_str(&format!("# Replaces what is there; keeps {}\n", comment(k)));
        }
        let mut command = script(&step.action.command(), &mut |flag, value| {
            let base = format!("{number:02}-{}", flag.trim_start_matches('-'));
            let seen = names.entry(base.clone()).or_insert(0);
            *seen += 1;
            let name = if *seen == 1 {
                format!("{base}.json")
            } else {
                format!("{base}-{seen}.json")
            };
            let text = serde_json::to_string_pretty(value).unwrap_or_default();
            files.push((format!("policies/{name}"), format!("{text}\n")));
            format!("\"$(doc {name})\"")
        });
        command = with_guard(step, plan.account_id.as_deref(), command);
        if step.applicability == Kind::Recreates {
            if let Some(r) = &step.reason {
                sh.push_str(&format!("# Not run: {}\n", comment(r)));
            }
            for line in command.lines() {
                sh.push_str(&format!("# {line}\n"));
            }
        } else {
            sh.push_str(&command);
            sh.push('\n');
        }
    }
    if !plan.manual.is_empty() {
        sh.push_str("\n# No automatic fix; to do by hand:\n");
        for m in &plan.manual {
            sh.push_str(&format!(
                "# {} {}: {}\n",
                m.finding.check,
                comment(&m.finding.resource),
                comment(&m.summary)
            ));
        }
    }
    sh.push_str("\necho \"plan.sh: done. Run studio-doctor check again to confirm.\"\n");
    files.insert(0, ("plan.sh".to_string(), sh));
    files.insert(1, ("plan.json".to_string(), json(plan)));
    files
}

/// The step, run only when what it creates does not exist yet (where AWS has a
/// read that tells).
fn with_guard(step: &Step, account: Option<&str>, command: String) -> String {
    let Some((probe, what)) = exists(&step.action, account) else {
        return command;
    };
    format!(
        "if {probe} >/dev/null 2>&1; then\n  echo {}\nelse\n  {command}\nfi",
        quote(&format!("{what} exists already: step skipped"))
    )
}

/// A read-only command that succeeds when what `a` creates exists already, and
/// what that is.
fn exists(a: &Action, account: Option<&str>) -> Option<(String, String)> {
    let q = |s: &str| studio_doctor_checks::fix::render::script_word(s);
    Some(match a {
        Action::CreatePolicy {
            policy_name, path, ..
        } => {
            let arn = format!(
                "arn:aws:iam::{}:policy{}{policy_name}",
                account?,
                path.as_deref().unwrap_or("/")
            );
            (
                format!("aws iam get-policy --policy-arn {}", q(&arn)),
                format!("policy {policy_name}"),
            )
        }
        Action::CreateStudioSessionMapping {
            region,
            studio_id,
            identity_type,
            identity_id,
            ..
        } => (
            format!(
                "aws emr get-studio-session-mapping --region {} --studio-id {} --identity-type {} --identity-id {}",
                q(region),
                q(studio_id),
                q(identity_type),
                q(identity_id)
            ),
            format!("the session mapping of {identity_type} {identity_id}"),
        ),
        Action::CreateApplicationAssignment {
            region,
            application_arn,
            principal_id,
            principal_type,
        } => (
            format!(
                "aws sso-admin describe-application-assignment --region {} --application-arn {} --principal-id {} --principal-type {}",
                q(region),
                q(application_arn),
                q(principal_id),
                q(principal_type)
            ),
            format!("the assignment of {principal_type} {principal_id}"),
        ),
        Action::RegisterResource {
            region,
            resource_arn,
            ..
        } => (
            format!(
                "aws lakeformation describe-resource --region {} --resource-arn {}",
                q(region),
                q(resource_arn)
            ),
            format!("the registration of {resource_arn}"),
        ),
        Action::CreateRole { role_name, .. } => (
            format!("aws iam get-role --role-name {}", q(role_name)),
            format!("role {role_name}"),
        ),
        Action::CreateBucket { bucket, .. } => (
            format!("aws s3api head-bucket --bucket {}", q(bucket)),
            format!("bucket {bucket}"),
        ),
        Action::CreateWorkGroup { region, name, .. } => (
            format!(
                "aws athena get-work-group --region {} --work-group {}",
                q(region),
                q(name)
            ),
            format!("workgroup {name}"),
        ),
        Action::CreateAccessGrantsInstance {
            region, account_id, ..
        } => (
            format!(
                "aws s3control get-access-grants-instance --region {} --account-id {}",
                q(region),
                q(account_id)
            ),
            "the S3 Access Grants instance".to_string(),
        ),
        Action::CreateLakeFormationIdentityCenterConfiguration {
            region, catalog_id, ..
        } => (
            format!(
                "aws lakeformation describe-lake-formation-identity-center-configuration --region {} --catalog-id {}",
                q(region),
                q(catalog_id)
            ),
            "the Lake Formation Identity Center configuration".to_string(),
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use studio_doctor_checks::Status;
    use studio_doctor_checks::fix::Input;
    use studio_doctor_checks::fix::plan::Manual;

    fn finding(check: &str, resource: &str) -> Finding {
        Finding {
            check: check.into(),
            resource: resource.into(),
            status: Status::Fail,
        }
    }

    fn step(action: Action, applicability: Kind, closes: Vec<Finding>) -> Step {
        Step {
            action,
            applicability,
            kept: None,
            reason: None,
            closes,
        }
    }

    fn sample() -> Plan {
        Plan {
            plan_version: 1,
            region: "ap-northeast-1".into(),
            account_id: Some("111122223333".into()),
            steps: vec![
                step(
                    Action::CreateRole {
                        role_name: "R".into(),
                        path: None,
                        assume_role_policy_document: json!({"Statement": []}),
                    },
                    Kind::Ready,
                    vec![finding("ES004", "arn:aws:iam::111122223333:role/R")],
                ),
                step(
                    Action::PutRolePolicy {
                        role_name: "R".into(),
                        policy_name: "P".into(),
                        policy_document: json!({"Resource": "arn:aws:s3:::<RESULTS_BUCKET>/*"}),
                    },
                    Kind::NeedsInput,
                    vec![finding("ES005", "arn:aws:iam::111122223333:role/R")],
                ),
                Step {
                    reason: Some("immutable".into()),
                    ..step(
                        Action::DeleteStudio {
                            region: "ap-northeast-1".into(),
                            studio_id: "es-1".into(),
                        },
                        Kind::Recreates,
                        vec![finding("ES001", "es-1")],
                    )
                },
            ],
            inputs: vec![Input {
                name: "RESULTS_BUCKET".into(),
                what: "the bucket".into(),
            }],
            manual: vec![Manual {
                finding: finding("LF006", "db.t"),
                summary: "Ask the data owner".into(),
                docs: vec![],
            }],
        }
    }

    #[test]
    fn the_script_checks_inputs_and_account_guards_creates_and_comments_out_recreates() {
        let files = script_files(&sample(), "0.1.0");
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "plan.sh",
                "plan.json",
                "policies/01-assume-role-policy-document.json",
                "policies/02-policy-document.json"
            ]
        );
        let sh = &files[0].1;
        assert!(sh.contains("set -euo pipefail"));
        assert!(sh.contains("RESULTS_BUCKET=\"${RESULTS_BUCKET:-}\"  # the bucket"));
        assert!(sh.contains("[ -n \"$RESULTS_BUCKET\" ] || missing+=(RESULTS_BUCKET)"));
        assert!(sh.contains("ACCOUNT_ID=111122223333"));
        assert!(sh.contains("if aws iam get-role --role-name R >/dev/null 2>&1; then"));
        assert!(sh.contains(
            "aws iam put-role-policy --role-name R --policy-name P --policy-document \"$(doc 02-policy-document.json)\""
        ));
        assert!(sh.contains("# Not run: immutable\n# aws emr delete-studio"));
        assert!(sh.contains("# LF006 db.t: Ask the data owner"));
        assert!(files[3].1.contains("<RESULTS_BUCKET>"));
    }

    #[test]
    fn the_script_runs_in_bash_up_to_the_missing_input() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in script_files(&sample(), "0.1.0") {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let out = std::process::Command::new("bash")
            .arg(dir.path().join("plan.sh"))
            .env_remove("RESULTS_BUCKET")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "plan.sh: set RESULTS_BUCKET first (see the top of this file)\n"
        );
        let syntax = std::process::Command::new("bash")
            .arg("-n")
            .arg(dir.path().join("plan.sh"))
            .output()
            .unwrap();
        assert!(syntax.status.success(), "{syntax:?}");
    }

    #[test]
    fn the_text_names_steps_findings_inputs_and_manual_work() {
        let t = text(&sample());
        assert!(t.starts_with(
            "Fix plan for account 111122223333, region ap-northeast-1: 3 steps for 3 findings.\n"
        ));
        assert!(t.contains(" 2. iam:PutRolePolicy (needs input)\n    closes ES005 (arn:aws:iam::111122223333:role/R)\n"));
        assert!(t.contains(" 3. emr:DeleteStudio (recreates: not run by plan.sh)\n"));
        assert!(t.contains("  RESULTS_BUCKET  the bucket\n"));
        assert!(t.contains("  LF006 db.t: Ask the data owner\n"));
    }
}
