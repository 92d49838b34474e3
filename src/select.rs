//! `--only` / `--skip`: resolving check ids and names, with a did-you-mean.

use studio_doctor_checks::{Check, registry};

/// The checks to run, in registry order.
pub fn select(only: &[String], skip: &[String]) -> Result<Vec<&'static Check>, String> {
    let only = resolve_all(only)?;
    let skip = resolve_all(skip)?;
    Ok(registry::ALL
        .iter()
        .filter(|c| only.is_empty() || only.iter().any(|o| o.meta.id == c.meta.id))
        .filter(|c| !skip.iter().any(|s| s.meta.id == c.meta.id))
        .collect())
}

fn resolve_all(list: &[String]) -> Result<Vec<&'static Check>, String> {
    list.iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(resolve)
        .collect()
}

/// A check by id (any case), renamed id (`registry::ALIASES`) or kebab-case name.
pub fn resolve(word: &str) -> Result<&'static Check, String> {
    resolve_in(word, registry::ALIASES)
}

/// [`resolve`] with another alias table (for tests of the mechanism).
pub fn resolve_in(word: &str, aliases: &[(&str, &str)]) -> Result<&'static Check, String> {
    if let Some(c) = registry::find_in(word, aliases) {
        return Ok(c);
    }
    if let Some(c) = registry::ALL.iter().find(|c| c.meta.name == word) {
        return Ok(c);
    }
    // The start of a name suggests the names it starts.
    let lower = word.to_ascii_lowercase();
    let starts: Vec<&str> = registry::ALL
        .iter()
        .map(|c| c.meta.name)
        .filter(|n| lower.len() >= 3 && n.starts_with(&lower))
        .collect();
    if !starts.is_empty() {
        let shown: Vec<&str> = starts.iter().take(3).copied().collect();
        let more = if starts.len() > 3 { ", ..." } else { "" };
        return Err(format!(
            "unknown check id \"{word}\" (did you mean {}{more}?)",
            shown.join(" or ")
        ));
    }
    let best = registry::ALL
        .iter()
        .flat_map(|c| [c.meta.id, c.meta.name])
        .map(|cand| {
            let score =
                strsim::jaro_winkler(&word.to_ascii_uppercase(), &cand.to_ascii_uppercase());
            (score, cand)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let hint = match best {
        Some((score, cand)) if score > 0.75 => format!(" (did you mean {cand}?)"),
        _ => " (see `studio-doctor list`)".to_string(),
    };
    Err(format!("unknown check id \"{word}\"{hint}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_resolve_case_insensitively() {
        assert_eq!(resolve("es004").unwrap().meta.id, "ES004");
        assert_eq!(
            resolve("studio-auth-mode-identity-center").unwrap().meta.id,
            "ES001"
        );
    }

    #[test]
    fn unknown_id_suggests_the_closest() {
        let e = resolve("ES04").err().unwrap();
        assert!(
            e.contains("did you mean ES004") || e.contains("did you mean ES001"),
            "{e}"
        );
        assert!(
            resolve("zzzzzz")
                .err()
                .unwrap()
                .contains("studio-doctor list")
        );
    }

    #[test]
    fn the_start_of_a_name_suggests_that_name() {
        let e = resolve("studio-user-role-trust").err().unwrap();
        assert!(
            e.contains("did you mean studio-user-role-trust-set-context?"),
            "{e}"
        );
        let e = resolve("lakeformation-location").err().unwrap();
        assert!(
            e.contains("lakeformation-location-registered or lakeformation-location-role"),
            "{e}"
        );
    }

    #[test]
    fn renamed_ids_resolve_to_the_new_check() {
        let aliases = [("ES099", "ES001"), ("WG999", "WG003")];
        assert_eq!(resolve_in("es099", &aliases).unwrap().meta.id, "ES001");
        assert_eq!(resolve_in("WG999", &aliases).unwrap().meta.id, "WG003");
        assert_eq!(
            resolve_in("studio-auth-mode-identity-center", &aliases)
                .unwrap()
                .meta
                .id,
            "ES001"
        );
        assert!(resolve_in("ES099", &[]).is_err());
    }

    #[test]
    fn only_and_skip_combine() {
        let s = select(&["ES001".into(), "ES003".into()], &["es003".into()]).unwrap();
        assert_eq!(s.iter().map(|c| c.meta.id).collect::<Vec<_>>(), ["ES001"]);
        assert_eq!(select(&[], &[]).unwrap().len(), registry::ALL.len());
    }
}
