//! One module per command. Handlers stay thin: parse, call the library, print.

#[cfg(feature = "full")]
pub mod assess;
mod catalog;
mod checklist;
#[cfg(feature = "full")]
pub mod layers;
#[cfg(feature = "probe")]
pub mod probe;
#[cfg(feature = "full")]
pub mod regime;
#[cfg(feature = "full")]
pub mod release;
#[cfg(feature = "full")]
pub mod report;
#[cfg(feature = "full")]
pub mod risk;
#[cfg(feature = "scan")]
pub mod scan;
#[cfg(feature = "server")]
pub mod serve;
#[cfg(feature = "full")]
pub mod sign;
#[cfg(feature = "full")]
pub mod upkeep;
#[cfg(feature = "full")]
pub mod vex;
#[cfg(feature = "full")]
pub mod vuln;

use crate::cli::{Cli, Command};
use crate::context::Context;
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Catalog(cmd) => catalog::run(&cli.global, cmd),
        Command::Checklist(args) => checklist::run(&Context::new(&cli.global)?, args),
        #[cfg(feature = "full")]
        Command::Init(args) => assess::init(&Context::new(&cli.global)?, args),
        #[cfg(feature = "full")]
        Command::Assess(cmd) => assess::run(&Context::new(&cli.global)?, cmd),
        #[cfg(feature = "full")]
        Command::Component(cmd) => layers::component(&Context::new(&cli.global)?, cmd),
        #[cfg(feature = "full")]
        Command::Regime(cmd) => regime::run(&Context::new(&cli.global)?, cmd),
        #[cfg(feature = "full")]
        Command::Report(args) => report::run(&Context::new(&cli.global)?, args),
        #[cfg(feature = "full")]
        Command::Keygen(args) => sign::keygen(args, crate::context::lang(cli.global.lang)),
        #[cfg(feature = "full")]
        Command::Verify(args) => sign::verify(args, crate::context::lang(cli.global.lang)),
        #[cfg(feature = "full")]
        Command::Vulndb(cmd) => vuln::run_vulndb(&cli.global, cmd),
        #[cfg(feature = "full")]
        Command::Vuln(cmd) => vuln::run_vuln(&cli.global, cmd),
        #[cfg(feature = "full")]
        Command::Kconfig(cmd) => vuln::run_kconfig(&cli.global, cmd),
        #[cfg(feature = "full")]
        Command::Vex(cmd) => vex::run(cmd, cli.global.lang),
        #[cfg(feature = "scan")]
        Command::Scan(args) => scan::run(&cli.global, args),
        #[cfg(feature = "probe")]
        Command::Probe(args) => probe::run(&cli.global, args),
        #[cfg(feature = "server")]
        Command::Serve(args) => serve::serve(args),
        #[cfg(feature = "server")]
        Command::Server(cmd) => serve::server(cmd),
        #[cfg(feature = "server")]
        Command::Audit(cmd) => serve::audit(cmd),
        #[cfg(feature = "full")]
        Command::Release(cmd) => release::run(&Context::new(&cli.global)?, &cli.global, cmd),
        #[cfg(feature = "full")]
        Command::Cert(cmd) => upkeep::cert(&Context::new(&cli.global)?, cmd),
        #[cfg(feature = "full")]
        Command::Upkeep(args) => upkeep::upkeep(&Context::new(&cli.global)?, args),
        #[cfg(feature = "full")]
        Command::Cra(cmd) => upkeep::cra(&Context::new(&cli.global)?, cmd),
        #[cfg(feature = "full")]
        Command::Risk(cmd) => risk::run(&Context::new(&cli.global)?, cmd),
    }
}
