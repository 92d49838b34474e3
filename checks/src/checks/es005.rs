//! # ES005 (being written)
use crate::check::{Area, Meta, Outcome, Severity};
use crate::ctx::Ctx;

pub const META: Meta = Meta {
    id: "ES005",
    name: "es005",
    area: Area::EmrStudio,
    severity: Severity::Error,
    title: "TEMP",
    depends_on: &[],
    needs: &[],
    docs: &[],
};

pub fn run(_ctx: &Ctx) -> Vec<Outcome> {
    Vec::new()
}
