//! Glue tables (`GetTable`) for each `--table`.

use super::error::has_code;
use super::ops::GET_TABLE;
use super::run::{Run, all};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use studio_doctor_checks::facts::Table;
use studio_doctor_checks::lf::split_table;
use studio_doctor_checks::{Fact, Unknown, UnknownKind};

/// `glue:GetTable` for each `db.table`, by name. `null`: no such table.
pub async fn tables(run: &Arc<Run>, names: &[String]) -> BTreeMap<String, Fact<Option<Table>>> {
    let names: BTreeSet<String> = names.iter().cloned().collect();
    let read = all(names.into_iter().map(|name| {
        let run = run.clone();
        async move {
            let table = table(&run, &name).await;
            (name, table)
        }
    }))
    .await;
    read.into_iter().collect()
}

async fn table(run: &Run, name: &str) -> Fact<Option<Table>> {
    let Some((db, table)) = split_table(name) else {
        return Fact::Unknown(Unknown::new(
            UnknownKind::ServiceError,
            GET_TABLE.action,
            format!("{name} is not DATABASE.TABLE"),
        ));
    };
    let got = run
        .call_or_missing(
            &GET_TABLE,
            run.c.glue.get_table().database_name(db).name(table).send(),
            |e| {
                has_code(e, &["EntityNotFoundException"])
                    || e.as_service_error()
                        .is_some_and(|s| s.is_entity_not_found_exception())
            },
        )
        .await;
    got.map(|out| {
        out.map(|o| Table {
            location: o
                .table()
                .and_then(|t| t.storage_descriptor())
                .and_then(|s| s.location())
                .filter(|l| !l.is_empty())
                .map(str::to_string),
        })
    })
    .into()
}
