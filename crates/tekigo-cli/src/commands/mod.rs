//! One module per command. Handlers stay thin: parse, call the library, print.

pub mod assess;
mod catalog;
mod checklist;
pub mod report;
pub mod risk;
pub mod scan;
pub mod sign;
pub mod vuln;

use crate::cli::{Cli, Command};
use crate::context::Context;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Catalog(cmd) => catalog::run(&cli.global, cmd),
        Command::Checklist(args) => checklist::run(&Context::new(&cli.global)?, args),
        Command::Init(args) => assess::init(&Context::new(&cli.global)?, args),
        Command::Assess(cmd) => assess::run(&Context::new(&cli.global)?, cmd),
        Command::Report(args) => report::run(&Context::new(&cli.global)?, args),
        Command::Keygen(args) => sign::keygen(args),
        Command::Verify(args) => sign::verify(args),
        Command::Vulndb(cmd) => vuln::run_vulndb(&cli.global, cmd),
        Command::Vuln(cmd) => vuln::run_vuln(&cli.global, cmd),
        Command::Scan(args) => scan::run(&cli.global, args),
        Command::Risk(cmd) => risk::run(&Context::new(&cli.global)?, cmd),
    }
}
