//! Glue tables (`GetTable`) for each `--table`.

use super::error::has_code;
use super::ops::{GET_TABLE, GET_TABLES};
use super::run::{Run, by_key};
use aws_sdk_glue::types::TableAttributes;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use studio_doctor_checks::facts::Table;
use studio_doctor_checks::lf::split_table;
use studio_doctor_checks::{Fact, Unknown, UnknownKind};

/// `glue:GetTable` for each `db.table`, by name. `null`: no such table.
pub async fn tables(run: &Arc<Run>, names: &[String]) -> BTreeMap<String, Fact<Option<Table>>> {
    let names: BTreeSet<String> = names.iter().cloned().collect();
    by_key(names, |name| {
        let run = run.clone();
        async move { table(&run, &name).await }
    })
    .await
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

/// The databases of the `--table`s Glue does not know (`null` in `tables`).
pub fn missing_databases(tables: &BTreeMap<String, Fact<Option<Table>>>) -> BTreeSet<String> {
    tables
        .iter()
        .filter(|(_, t)| matches!(t, Fact::Known(None)))
        .filter_map(|(name, _)| split_table(name).map(|(db, _)| db.to_string()))
        .collect()
}

/// `glue:GetTables` (names only, the first page of at most 100, sorted) of each
/// database, by name: read only when a `--table` is not found, to suggest the
/// closest name. `null`: no such database.
pub async fn table_names(
    run: &Arc<Run>,
    dbs: BTreeSet<String>,
) -> BTreeMap<String, Fact<Option<Vec<String>>>> {
    by_key(dbs, |db| {
        let run = run.clone();
        async move { names(&run, &db).await }
    })
    .await
}

async fn names(run: &Run, db: &str) -> Fact<Option<Vec<String>>> {
    let got = run
        .call_or_missing(
            &GET_TABLES,
            run.c
                .glue
                .get_tables()
                .database_name(db)
                .attributes_to_get(TableAttributes::Name)
                .max_results(100)
                .send(),
            |e| {
                has_code(e, &["EntityNotFoundException"])
                    || e.as_service_error()
                        .is_some_and(|s| s.is_entity_not_found_exception())
            },
        )
        .await;
    got.map(|out| {
        out.map(|o| {
            let names: BTreeSet<String> = o
                .table_list()
                .iter()
                .map(|t| t.name().to_string())
                .collect();
            names.into_iter().collect()
        })
    })
    .into()
}
