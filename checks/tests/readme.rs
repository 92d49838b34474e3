//! The README's table of checks is generated from the registry: this test fails
//! when it is stale, and rewrites it when run with `UPDATE_README=1`
//! (`UPDATE_README=1 cargo test -p studio-doctor-checks --test readme`).

use std::path::Path;
use studio_doctor_checks::registry;

const START: &str = "<!-- checks:start -->\n";
const END: &str = "<!-- checks:end -->";

fn table() -> String {
    let mut t = String::from("| id | name | area | severity | title |\n|---|---|---|---|---|\n");
    for c in registry::ALL {
        let m = c.meta;
        t.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            m.id,
            m.name,
            m.area.title(),
            m.severity,
            m.title.replace('|', "\\|")
        ));
    }
    t
}

#[test]
fn the_readme_lists_every_check_as_the_registry_does() {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"));
    let text = std::fs::read_to_string(path).unwrap();
    let start = text.find(START).expect("README has <!-- checks:start -->") + START.len();
    let end = text.find(END).expect("README has <!-- checks:end -->");
    let want = table();
    if text[start..end] == want {
        return;
    }
    if std::env::var_os("UPDATE_README").is_some() {
        std::fs::write(path, format!("{}{want}{}", &text[..start], &text[end..])).unwrap();
        return;
    }
    panic!(
        "the README's check table is stale: run UPDATE_README=1 cargo test -p studio-doctor-checks --test readme\n{want}"
    );
}
