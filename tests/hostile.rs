//! Hostile and malformed input: facts files and config files of any bytes give a
//! one-line error and exit 2 (or a report, when they happen to be valid), never a
//! panic; oversized and deeply nested files are refused cleanly.

use assert_cmd::Command;
use proptest::prelude::*;
use serde_json::Value;
use std::path::Path;

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Run the binary; (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("studio-doctor")
        .unwrap()
        .args(args)
        .env_remove("AWS_PROFILE")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A usage or input error: exit 2, one line on stderr, nothing on stdout, no panic.
fn assert_clean_refusal(code: i32, stdout: &str, stderr: &str, what: &str) {
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    assert_eq!(code, 2, "{what}: {stderr}");
    assert!(stdout.is_empty(), "{what}: {stdout}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{what}: {stderr}");
}

fn check_facts_bytes(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("facts.json");
    std::fs::write(&path, bytes).unwrap();
    let (code, out, err) = run(&["check", "--facts", path.to_str().unwrap(), "-q"]);
    assert!(!err.contains("panicked"), "{err}");
    if code == 2 {
        assert_clean_refusal(code, &out, &err, "facts");
    } else {
        assert!([0, 1, 3].contains(&code), "exit {code}: {err}");
    }
}

/// The healthy facts with one value somewhere replaced by `with`.
fn mutate(v: &mut Value, path: &[usize], with: Value) {
    let Some((i, rest)) = path.split_first() else {
        *v = with;
        return;
    };
    match v {
        Value::Object(m) if !m.is_empty() => {
            let k = m.keys().nth(i % m.len()).unwrap().clone();
            mutate(m.get_mut(&k).unwrap(), rest, with)
        }
        Value::Array(a) if !a.is_empty() => {
            let n = a.len();
            mutate(&mut a[i % n], rest, with)
        }
        _ => *v = with,
    }
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        Just(serde_json::json!({"unknown": {"kind": "access_denied"}})),
        Just(serde_json::json!({"unknown": {"kind": "nope"}})),
        Just(serde_json::json!([])),
        Just(serde_json::json!({})),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_as_a_facts_file(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        check_facts_bytes(&bytes);
    }

    #[test]
    fn the_healthy_facts_with_one_value_changed(
        path in proptest::collection::vec(any::<usize>(), 1..7),
        with in json_leaf(),
    ) {
        let mut v: Value = serde_json::from_str(
            &std::fs::read_to_string(example("healthy-account.json")).unwrap(),
        )
        .unwrap();
        mutate(&mut v, &path, with);
        check_facts_bytes(v.to_string().as_bytes());
    }

    #[test]
    fn arbitrary_text_as_a_config_file(text in "[a-z_=\\[\\]\"'0-9 .,{}\\n#-]{0,120}") {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("studio-doctor.toml");
        std::fs::write(&path, &text).unwrap();
        let (code, out, err) = run(&[
            "check", "--config", path.to_str().unwrap(),
            "--facts", &example("healthy-account.json"), "-q",
        ]);
        prop_assert!(!err.contains("panicked"), "{}", err);
        if code == 2 {
            assert_clean_refusal(code, &out, &err, &text);
        } else {
            prop_assert!([0, 1, 3].contains(&code), "exit {}: {}", code, err);
        }
    }
}

#[test]
fn an_oversized_facts_file_is_refused_without_reading_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    let mut text =
        String::from("{\"facts_version\": 1, \"target\": {\"region\": \"x\"}, \"pad\": \"");
    text.push_str(&"x".repeat(50 << 20));
    text.push_str("\"}");
    std::fs::write(&path, text).unwrap();
    let (code, out, err) = run(&["check", "--facts", path.to_str().unwrap()]);
    assert_clean_refusal(code, &out, &err, "50 MB");
    assert!(err.contains("larger than 32 MiB"), "{err}");
}

#[test]
fn a_deeply_nested_facts_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep.json");
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    // Where the facts take a list of records, and where they take any JSON (a
    // policy document), which is read as a tree up to the parser's depth limit.
    for (at, value) in [
        ("studios", deep.clone()),
        (
            "session_policies",
            format!("{{\"arn:aws:iam::1:policy/p\": {deep}}}"),
        ),
    ] {
        let text = format!(
            "{{\"facts_version\": 1, \"target\": {{\"region\": \"x\"}}, \"{at}\": {value}}}"
        );
        std::fs::write(&path, text).unwrap();
        let (code, out, err) = run(&["check", "--facts", path.to_str().unwrap()]);
        assert_clean_refusal(code, &out, &err, "10,000 deep");
        if at == "session_policies" {
            assert!(err.contains("recursion limit"), "{err}");
        }
    }
}

/// A group display name holding terminal escapes and a right-to-left override
/// reaches no output as itself: every format shows it escaped or not at all.
#[test]
fn names_from_the_account_cannot_drive_the_terminal() {
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(example("healthy-account.json")).unwrap())
            .unwrap();
    v["users"][0]["groups"][0]["display_name"] = Value::from("\x1b[2J\x1b[32m✓ all good\u{202e}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("facts.json");
    std::fs::write(&path, v.to_string()).unwrap();
    let mut escaped = 0;
    for format in [
        "table",
        "json",
        "json-lines",
        "sarif",
        "junit",
        "markdown",
        "github",
    ] {
        let (code, out, err) = run(&[
            "check",
            "--facts",
            path.to_str().unwrap(),
            "-v",
            "--format",
            format,
        ]);
        assert_eq!(code, 0, "{format}: {err}");
        for text in [&out, &err] {
            assert!(
                !text.contains('\x1b') && !text.contains('\u{202e}'),
                "{format}: {text}"
            );
        }
        escaped += out.matches("\\u{001B}[2J").count();
    }
    assert!(
        escaped > 0,
        "the name never appeared, so nothing was proven"
    );
}
