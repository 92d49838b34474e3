//! Did-you-mean: the name closest to one that does not exist, and a short list
//! of the names that do.

/// The name in `names` closest to `name` (a typo, a different case, a prefix).
pub fn closest<'a>(name: &str, names: &'a [String]) -> Option<&'a str> {
    let lower = name.to_lowercase();
    names
        .iter()
        .map(|n| {
            let other = n.to_lowercase();
            let prefix = other.starts_with(&lower) || lower.starts_with(&other);
            let score = strsim::jaro_winkler(&lower, &other) + if prefix { 0.2 } else { 0.0 };
            (score, n.as_str())
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n)
}

/// The first `max` names, comma-separated, then how many more there are.
pub fn some(names: &[String], max: usize) -> String {
    let mut s = names
        .iter()
        .take(max)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > max {
        s.push_str(&format!(" and {} more", names.len() - max));
    }
    s
}

/// A fix that leads with the suggestion: "`first`; otherwise, `rest`".
pub fn first_try(first: &str, rest: &str) -> String {
    let mut chars = rest.chars();
    let rest = match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    };
    format!("{first}; otherwise, {rest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn closest_finds_typos_case_and_prefixes() {
        let names = v(&["alice", "bob", "alice.smith@example.com"]);
        assert_eq!(closest("alcie", &names), Some("alice"));
        assert_eq!(closest("BOB", &names), Some("bob"));
        assert_eq!(
            closest("alice.smith", &names),
            Some("alice.smith@example.com")
        );
        assert_eq!(closest("zzzz", &names), None);
        assert_eq!(closest("x", &[]), None);
    }

    #[test]
    fn some_lists_a_few_and_counts_the_rest() {
        assert_eq!(some(&v(&["a", "b"]), 5), "a, b");
        assert_eq!(some(&v(&["a", "b", "c"]), 2), "a, b and 1 more");
        assert_eq!(first_try("Pass x", "Check y"), "Pass x; otherwise, check y");
    }
}
