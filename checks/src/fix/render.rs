//! [`Cmd`] to POSIX shell text: as the report prints it (JSON inline, a
//! placeholder quoted as written) and as a plan script runs it (JSON in files,
//! placeholders as shell variables).

use super::action::{Arg, Cmd};
use super::inputs::placeholders;
use serde_json::Value;

/// The command as the report prints it: pastes into `sh` and runs once every
/// `<PLACEHOLDER>` is replaced.
pub fn inline(cmd: &Cmd) -> String {
    render(cmd, &mut |_, v| quote(&v.to_string()), &mut quote)
}

/// The command as a plan script runs it: `json(flag, value)` gives the shell
/// word for a JSON argument (a file), and each `<NAME>` becomes `${NAME}`.
pub fn script(cmd: &Cmd, json: &mut dyn FnMut(&'static str, &Value) -> String) -> String {
    render(cmd, json, &mut script_word)
}

fn render(
    cmd: &Cmd,
    json: &mut dyn FnMut(&'static str, &Value) -> String,
    word: &mut dyn FnMut(&str) -> String,
) -> String {
    let mut out = format!("aws {} {}", cmd.service, cmd.operation);
    for (flag, arg) in &cmd.args {
        out.push(' ');
        out.push_str(flag);
        match arg {
            Arg::Flag => {}
            Arg::Text(v) => {
                out.push(' ');
                out.push_str(&word(v));
            }
            Arg::Words(vs) => {
                for v in vs {
                    out.push(' ');
                    out.push_str(&word(v));
                }
            }
            Arg::Json(v) => {
                out.push(' ');
                out.push_str(&json(flag, v));
            }
        }
    }
    out
}

/// A shell word for `s`: bare when it holds only characters the shell leaves
/// alone, else single-quoted.
pub fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./:=,@%+-".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// A shell word for `s` in which each `<NAME>` is the variable `${NAME}`.
pub fn script_word(s: &str) -> String {
    if placeholders(s).is_empty() {
        return quote(s);
    }
    let mut out = String::from('"');
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        let (before, from) = rest.split_at(i);
        out.push_str(&escape_double(before));
        match from[1..].split_once('>') {
            Some((name, after)) if super::inputs::is_name(name) => {
                out.push_str(&format!("${{{name}}}"));
                rest = after;
            }
            _ => {
                out.push('<');
                rest = &from[1..];
            }
        }
    }
    out.push_str(&escape_double(rest));
    out.push('"');
    out
}

fn escape_double(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '"' | '\\' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::Action;
    use crate::shell::words;
    use serde_json::json;

    #[test]
    fn words_are_quoted_only_when_the_shell_would_change_them() {
        assert_eq!(
            quote("arn:aws:iam::1:role/x-y_z"),
            "arn:aws:iam::1:role/x-y_z"
        );
        assert_eq!(quote("b/p/*"), "'b/p/*'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("<VPC_ID>"), "'<VPC_ID>'");
    }

    #[test]
    fn inline_commands_split_back_into_their_values() {
        let a = Action::PutRolePolicy {
            role_name: "R".into(),
            policy_name: "P".into(),
            policy_document: json!({"Statement": [{"Sid": "it's <X>"}]}),
        };
        let c = inline(&a.command());
        assert_eq!(
            c,
            r#"aws iam put-role-policy --role-name R --policy-name P --policy-document '{"Statement":[{"Sid":"it'\''s <X>"}]}'"#
        );
        let w = words(&c).unwrap();
        assert_eq!(w[8].value, r#"{"Statement":[{"Sid":"it's <X>"}]}"#);
        assert!(w.iter().all(|w| !w.operator));
    }

    #[test]
    fn script_words_turn_placeholders_into_variables() {
        assert_eq!(
            script_word("arn:aws:iam::1:role/<ROLE_NAME>"),
            r#""arn:aws:iam::1:role/${ROLE_NAME}""#
        );
        assert_eq!(script_word("a$b <x> <Y>"), r#""a\$b <x> ${Y}""#);
        assert_eq!(script_word("plain"), "plain");
    }
}
