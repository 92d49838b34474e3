//! POSIX shell words, for the commands a fix prints.
//!
//! A printed command must paste into `sh`/`bash` and run as shown: a placeholder
//! such as `<USER_ROLE_NAME>` left unquoted is read as a redirection ("No such
//! file or directory"). The renderer (`fix::render`) quotes such words;
//! [`words`] splits a command the way the shell does, so tests can prove every
//! command is plain words.

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
    let mut out = Vec::new();
    let mut chars = cmd.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut value = String::new();
        let mut operator = false;
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            match c {
                '\'' => loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(q) => value.push(q),
                        None => return Err(format!("unbalanced ' in: {cmd}")),
                    }
                },
                '"' => loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(e) if matches!(e, '"' | '\\' | '$' | '`') => value.push(e),
                            Some(e) => {
                                value.push('\\');
                                value.push(e);
                            }
                            None => return Err(format!("unbalanced \" in: {cmd}")),
                        },
                        Some(q) => {
                            if matches!(q, '$' | '`') {
                                operator = true;
                            }
                            value.push(q)
                        }
                        None => return Err(format!("unbalanced \" in: {cmd}")),
                    }
                },
                '\\' => match chars.next() {
                    Some(e) => value.push(e),
                    None => return Err(format!("trailing backslash in: {cmd}")),
                },
                '<' | '>' | '|' | ';' | '&' | '(' | ')' | '`' | '$' => {
                    operator = true;
                    value.push(c);
                }
                _ => value.push(c),
            }
        }
        out.push(Word { value, operator });
    }
    Ok(out)
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
}
