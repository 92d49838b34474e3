//! The AWS emulator the live tests run the binary against: moto server plus the
//! stub in `tests/aws/` (which serves what moto lacks and injects faults), and
//! the binary pointed at it. Shared by `tests/live.rs`, `tests/fix_live.rs` and
//! `tests/org_live.rs` (an organisation: several accounts, each with its data).
#![allow(dead_code)] // each test file uses a part

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn python() -> PathBuf {
    if let Ok(p) = std::env::var("STUDIO_DOCTOR_TEST_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = root().join(".venv/bin/python");
    assert!(
        venv.exists(),
        "the live tests need moto: run them with scripts/test (it installs moto into .venv)"
    );
    venv
}

/// One stub (and its moto server) per test: tests never share state.
pub struct Stub {
    child: Child,
    _stdin: ChildStdin,
    pub port: u16,
    pub region: String,
    pub dir: tempfile::TempDir,
}

impl Drop for Stub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An organization the stub created (see [`Stub::organization`]).
pub struct Org {
    pub id: String,
    pub management: String,
    pub members: Vec<String>,
    pub closed: Vec<String>,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!("stdout is not JSON ({e}): {}\n{}", self.stdout, self.stderr)
        })
    }
}

impl Stub {
    pub fn start() -> Stub {
        let mut child = Command::new(python())
            .arg(root().join("tests/aws/stub.py"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start tests/aws/stub.py");
        let stdin = child.stdin.take().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .strip_prefix("READY ")
            .and_then(|r| r.split_whitespace().next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("stub did not start: {line:?}"));
        Stub {
            child,
            _stdin: stdin,
            port,
            region: String::new(),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn http(&self, method: &str, path: &str, body: &str) -> Value {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap();
        assert!(
            head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200"),
            "{path}: {raw}"
        );
        serde_json::from_str(body).unwrap_or(Value::Null)
    }

    /// Seed moto and the stub from a facts file; returns the facts rewritten to the
    /// ids moto generated (what the live run should find).
    pub fn load(&mut self, facts: &Value) -> Value {
        let answer = self.http("POST", "/_stub/scenario", &facts.to_string());
        self.region = answer["region"].as_str().unwrap().to_string();
        answer["facts"].clone()
    }

    /// Reset moto and drop every account's data (before an organisation is built).
    pub fn reset_all(&self) {
        self.http("POST", "/_stub/reset_all", "");
    }

    /// An organization in moto's default account (its management account) with
    /// `members` ACTIVE member accounts and `closed` SUSPENDED ones.
    pub fn organization(&self, members: u32, closed: u32) -> Org {
        self.tagged_organization(members, closed, json!([]))
    }

    /// [`Stub::organization`] with `member_tags`: beside the members, each one's
    /// tags as `{"key": "value"}`.
    pub fn tagged_organization(&self, members: u32, closed: u32, member_tags: Value) -> Org {
        let body = json!({ "members": members, "closed": closed, "member_tags": member_tags });
        let v = self.http("POST", "/_stub/organization", &body.to_string());
        let ids = |k: &str| -> Vec<String> { serde_json::from_value(v[k].clone()).unwrap() };
        Org {
            id: v["organization_id"].as_str().unwrap().to_string(),
            management: v["management_account_id"].as_str().unwrap().to_string(),
            members: ids("members"),
            closed: ids("closed"),
        }
    }

    /// An IAM role in `account` trusting the management account's root; its ARN.
    pub fn role(&self, account: &str, name: &str) -> String {
        let v = self.http(
            "POST",
            "/_stub/role",
            &json!({ "account": account, "name": name }).to_string(),
        );
        v["arn"].as_str().unwrap().to_string()
    }

    /// Seed a facts file into `account` in `region`, keeping the other accounts'
    /// data; with `identity_center_account`, the facts' Identity Center instance
    /// and identity store are that account's. Returns the facts rewritten to what
    /// a live run in that account should find; the region becomes the default.
    pub fn load_into(
        &mut self,
        facts: &Value,
        account: &str,
        region: &str,
        identity_center_account: Option<&str>,
    ) -> Value {
        let mut path = format!("/_stub/scenario?account={account}&region={region}");
        if let Some(m) = identity_center_account {
            path.push_str(&format!("&identity_center_account={m}"));
        }
        let answer = self.http("POST", &path, &facts.to_string());
        self.region = region.to_string();
        answer["facts"].clone()
    }

    /// `check --format json` with these arguments only (no target from a facts file).
    pub fn check_args(&self, args: &[&str]) -> Run {
        let mut all = vec!["check", "--format", "json"];
        all.extend(args);
        self.studio_doctor(&all, 1)
    }

    pub fn faults(&self, rules: Value) {
        self.http(
            "POST",
            "/_stub/faults",
            &json!({ "rules": rules }).to_string(),
        );
    }

    pub fn page_size(&self, n: u32) {
        self.http("POST", "/_stub/page_size", &json!({ "n": n }).to_string());
    }

    pub fn calls(&self) -> Vec<String> {
        serde_json::from_value(self.http("GET", "/_stub/calls", "")).unwrap()
    }

    /// Clear the call log (and the fault rules and page size).
    pub fn reset_calls(&self) {
        self.http("POST", "/_stub/reset", "");
    }

    /// The binary, pointed at the stub with test credentials and nothing from the host.
    pub fn studio_doctor(&self, args: &[&str], max_attempts: u32) -> Run {
        self.studio_doctor_with(args, max_attempts, &[])
    }

    /// [`Stub::studio_doctor`] with extra environment (set last, so it wins).
    pub fn studio_doctor_with(
        &self,
        args: &[&str],
        max_attempts: u32,
        env: &[(&str, &str)],
    ) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_studio-doctor"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env(
                "AWS_ENDPOINT_URL",
                format!("http://127.0.0.1:{}", self.port),
            )
            .env("AWS_REGION", &self.region)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", self.dir.path().join("config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.dir.path().join("credentials"),
            )
            .env("AWS_MAX_ATTEMPTS", max_attempts.to_string())
            .envs(env.iter().copied())
            .output()
            .unwrap();
        Run {
            code: out.status.code().unwrap(),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }

    /// `check --format json` with the target the facts file records.
    pub fn check(&self, facts: &Value, extra: &[&str], max_attempts: u32) -> Run {
        self.check_with(facts, extra, max_attempts, &[])
    }

    /// [`Stub::check`] with extra environment.
    pub fn check_with(
        &self,
        facts: &Value,
        extra: &[&str],
        max_attempts: u32,
        env: &[(&str, &str)],
    ) -> Run {
        let mut args: Vec<String> = vec!["check".into(), "--format".into(), "json".into()];
        args.extend(target_args(facts));
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.studio_doctor_with(&args, max_attempts, env)
    }

    /// The report an offline run gives on these facts.
    pub fn offline(&self, facts: &Value, extra: &[&str]) -> Run {
        let path = self.dir.path().join("expected.json");
        std::fs::write(&path, facts.to_string()).unwrap();
        let mut args = vec![
            "check",
            "--format",
            "json",
            "--facts",
            path.to_str().unwrap(),
        ];
        args.extend(extra);
        self.studio_doctor(&args, 1)
    }
}

/// The check flags naming the target the facts file records: `--user`,
/// `--table`, `--studio`, `--workgroup`.
pub fn target_args(facts: &Value) -> Vec<String> {
    let mut args = Vec::new();
    for u in facts["target"]["users"].as_array().into_iter().flatten() {
        args.extend(["--user".into(), u.as_str().unwrap().into()]);
    }
    for t in facts["target"]["tables"].as_array().into_iter().flatten() {
        args.extend(["--table".into(), t.as_str().unwrap().into()]);
    }
    for flag in ["studio", "workgroup"] {
        if let Some(v) = facts["target"][flag].as_str() {
            args.extend([format!("--{flag}"), v.into()]);
        }
    }
    args
}

pub fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn results(report: &Value) -> &Vec<Value> {
    report["results"].as_array().unwrap()
}
