//! `tekigo`: IEC 62443 conformance from the command line.
//!
//! Exit codes, which CI relies on: 0 success, 1 findings (reserved for commands that judge
//! something), 2 an error (bad input, invalid catalog, unreadable file).

mod cli;
mod commands;
mod context;
mod output;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}
