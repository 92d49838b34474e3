//! POSIX shell words, for the commands a fix prints.
//!
//! A printed command must paste into `sh`/`bash` and run as shown: a placeholder
//! such as `<USER_ROLE_NAME>` left unquoted is read as a redirection ("No such
//! file or directory"). [`quote_placeholders`] single-quotes every word that
//! holds one; [`words`] splits a command the way the shell does, so tests can
//! prove every command is plain words.

/// One shell word: its value after quote removal, and whether an unquoted shell
/// operator character (`<`, `>`, `|`, `;`, `&`, `(`, `)`, `` ` ``, `$`) stood in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub value: String,
    pub operator: bool,
}

/// Split `cmd` into words as a POSIX shell does (single quotes, double quotes,
/// backslash). Errors on an unbalanced quote or a trailing backslash.
pub fn words(cmd: &str) -> Result<Vec<Word>, String> {
    Ok(spans(cmd)?
        .into_iter()
        .map(|(_, _, w)| w)
        .collect::<Vec<_>>())
}

/// Words with their byte ranges in `cmd`.
fn spans(cmd: &str) -> Result<Vec<(usize, usize, Word)>, String> {
    let mut out = Vec::new();
    let mut chars = cmd.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut value = String::new();
        let mut operator = false;
        let mut end = start;
        while let Some(&(i, c)) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            end = i + c.len_utf8();
            match c {
                '\'' => loop {
                    match chars.next() {
                        Some((j, '\'')) => {
                            end = j + 1;
                            break;
                        }
                        Some((_, q)) => value.push(q),
                        None => return Err(format!("unbalanced ' in: {cmd}")),
                    }
                },
                '"' => loop {
                    match chars.next() {
                        Some((j, '"')) => {
                            end = j + 1;
                            break;
                        }
                        Some((_, '\\')) => match chars.next() {
                            Some((_, e)) if matches!(e, '"' | '\\' | '$' | '`') => value.push(e),
                            Some((_, e)) => {
                                value.push('\\');
                                value.push(e);
                            }
                            None => return Err(format!("unbalanced \" in: {cmd}")),
                        },
                        Some((_, q)) => {
                            if matches!(q, '$' | '`') {
                                operator = true;
                            }
                            value.push(q)
                        }
                        None => return Err(format!("unbalanced \" in: {cmd}")),
                    }
                },
                '\\' => match chars.next() {
                    Some((j, e)) => {
                        end = j + e.len_utf8();
                        value.push(e);
                    }
                    None => return Err(format!("trailing backslash in: {cmd}")),
                },
                '<' | '>' | '|' | ';' | '&' | '(' | ')' | '`' | '$' => {
                    operator = true;
                    value.push(c);
                }
                _ => value.push(c),
            }
        }
        out.push((start, end, Word { value, operator }));
    }
    Ok(out)
}

/// Single-quote each word that holds an unquoted `<PLACEHOLDER>`, so the command
/// pastes into a shell as written. Words already quoted are left alone.
pub fn quote_placeholders(cmd: &str) -> String {
    let Ok(spans) = spans(cmd) else {
        return cmd.to_string();
    };
    let mut out = String::with_capacity(cmd.len() + 8);
    let mut last = 0;
    for (start, end, _) in spans {
        let raw = &cmd[start..end];
        out.push_str(&cmd[last..start]);
        if has_placeholder(raw) && !raw.contains(['\'', '"', '\\']) {
            out.push('\'');
            out.push_str(raw);
            out.push('\'');
        } else {
            out.push_str(raw);
        }
        last = end;
    }
    out.push_str(&cmd[last..]);
    out
}

/// `<NAME>` with NAME in upper case, digits and `_`.
fn has_placeholder(raw: &str) -> bool {
    raw.split('<').skip(1).any(|rest| {
        rest.split_once('>').is_some_and(|(name, _)| {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(cmd: &str) -> Vec<String> {
        words(cmd).unwrap().into_iter().map(|w| w.value).collect()
    }

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(
            values(r#"aws iam x --doc '{"a": 1}' --n "a b" c\ d"#),
            [
                "aws",
                "iam",
                "x",
                "--doc",
                r#"{"a": 1}"#,
                "--n",
                "a b",
                "c d"
            ]
        );
        assert!(words("aws 'x").is_err());
        assert!(words("aws \"x").is_err());
        assert!(words("aws x\\").is_err());
        let w = words("aws x > out.json").unwrap();
        assert!(w[2].operator && !w[1].operator);
        assert!(words("aws --n '<A>'").unwrap().iter().all(|w| !w.operator));
    }

    #[test]
    fn placeholders_are_quoted_once() {
        let cmd = "aws emr create-studio --user-role <USER_ROLE_NAME> --service-role arn:aws:iam::1:role/<R> --doc '{\"x\":\"<IN_JSON>\"}' > out.json";
        let q = quote_placeholders(cmd);
        assert_eq!(
            q,
            "aws emr create-studio --user-role '<USER_ROLE_NAME>' --service-role 'arn:aws:iam::1:role/<R>' --doc '{\"x\":\"<IN_JSON>\"}' > out.json"
        );
        assert_eq!(quote_placeholders(&q), q);
        let w = words(&q).unwrap();
        assert_eq!(w[4].value, "<USER_ROLE_NAME>");
        assert!(!w[4].operator && w[9].operator);
        // Not a placeholder: lower case, or a lone redirection.
        assert_eq!(quote_placeholders("a <b> > c"), "a <b> > c");
    }
}
