//! studio-doctor: preflight linter for EMR Studio + IAM Identity Center + Athena +
//! Lake Formation + S3 Access Grants.

mod app;
mod cli;
mod collect;
mod config;
mod date;
mod fix;
mod permissions;
mod render;
mod select;
mod timing;

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::parse();
    match app::run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("studio-doctor: error: {message}");
            ExitCode::from(2)
        }
    }
}
