//! One module per command. Handlers stay thin: parse, call the library, print.

mod catalog;
mod checklist;

use crate::cli::{Cli, Command};
use crate::context::Context;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Catalog(cmd) => catalog::run(&cli.global, cmd),
        Command::Checklist(args) => checklist::run(&Context::new(&cli.global)?, args),
    }
}
