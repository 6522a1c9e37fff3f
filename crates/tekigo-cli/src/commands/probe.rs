//! `tekigo probe`: behavioural tests of a running device from the network, in the scan
//! report format. Exit code 0 when nothing is a finding, 1 when a check failed or found a
//! mechanism absent, 2 when the probe could not run (no such host, no route, nothing open,
//! bad arguments).

use anyhow::{bail, Context as _, Result};
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use tekigo_probe::{discover::parse_ports, Login, ProbeOptions};

use crate::cli::Global;
use crate::commands::scan::{render_report, ScanFormat};
use crate::output::{emit, json};

#[derive(Args)]
pub struct ProbeArgs {
    /// The device: a host name or an address. Nothing else is contacted; a name with several
    /// addresses is probed on one (the report says which).
    #[arg(long, value_name = "HOST")]
    pub target: String,
    /// TCP ports to probe: `22,80,443`, `1-1024`, or both. Default: all 65535.
    #[arg(long, value_name = "LIST", default_value = "1-65535")]
    pub ports: String,
    /// Also probe SNMP v1/v2c on UDP 161 with the default communities.
    #[arg(long)]
    pub udp: bool,
    /// New connections per second, at most.
    #[arg(long, default_value_t = 500, value_name = "N")]
    pub rate: u32,
    /// Connections open at once while discovering ports, at most.
    #[arg(long, default_value_t = 64, value_name = "N")]
    pub concurrency: usize,
    /// Stop everything after this many seconds; what did not run is reported as such.
    #[arg(long, default_value_t = 900, value_name = "SECONDS")]
    pub max_time: u64,
    /// One connect or one read, at most.
    #[arg(long, default_value_t = 3, value_name = "SECONDS")]
    pub timeout: u64,
    /// Default passwords tried per account and service (a short fixed list, never a
    /// dictionary).
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub max_tries: usize,
    /// An account on the device, for the lockout, idle-session and session-limit tests and
    /// the configuration scan over SSH.
    #[arg(long, value_name = "USER", requires = "ssh_password_file")]
    pub ssh_user: Option<String>,
    /// A file whose first line is that account's password (never given on the command line).
    #[arg(long, value_name = "FILE", requires = "ssh_user")]
    pub ssh_password_file: Option<PathBuf>,
    /// Run the lockout test: it sends wrong passwords for --ssh-user and LOCKS THE ACCOUNT
    /// for the device's lock period.
    #[arg(long)]
    pub allow_lockout_test: bool,
    /// Wrong passwords the lockout test sends.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub lockout_attempts: u32,
    /// Idle-session test: keep a shell open without input for this long and expect the
    /// device to end it.
    #[arg(long, value_name = "SECONDS")]
    pub idle_wait: Option<u64>,
    /// Session-limit test: the device should refuse the session after the N-th.
    #[arg(long, value_name = "N")]
    pub session_limit: Option<u32>,
    /// Ports the component is meant to have open; any other open port is a finding (CR 7.7).
    #[arg(long, value_name = "LIST", conflicts_with = "project")]
    pub declared_ports: Option<String>,
    /// A tekigo project whose component declares its ports (components[].ports).
    #[arg(long, value_name = "DIR")]
    pub project: Option<PathBuf>,
    /// The component of --project (needed when the project has more than one).
    #[arg(long, value_name = "NAME", requires = "project")]
    pub component: Option<String>,
    /// A static tekigo binary (scripts/build-static.sh) to copy to the device over SSH, run
    /// as `tekigo scan` and remove: configuration and behaviour in one report.
    #[arg(long, value_name = "BINARY", requires = "ssh_user")]
    pub scanner: Option<PathBuf>,
    /// Print what would be sent, and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long, value_enum, default_value_t = ScanFormat::Text)]
    pub format: ScanFormat,
    /// Write here instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

pub fn run(global: &Global, args: ProbeArgs) -> Result<ExitCode> {
    let mut options = ProbeOptions::new(&args.target);
    options.ports = parse_ports(&args.ports).map_err(|e| anyhow::anyhow!("--ports: {e}"))?;
    options.udp = args.udp;
    options.rate = args.rate;
    options.concurrency = args.concurrency;
    options.max_time = Duration::from_secs(args.max_time);
    options.timeout = Duration::from_secs(args.timeout.max(1));
    options.max_tries = args.max_tries;
    options.allow_lockout_test = args.allow_lockout_test;
    options.lockout_attempts = args.lockout_attempts;
    options.idle_wait = args.idle_wait.map(Duration::from_secs);
    options.session_limit = args.session_limit;
    options.scanner = args.scanner.clone();
    if let (Some(user), Some(file)) = (&args.ssh_user, &args.ssh_password_file) {
        options.login = Some(Login {
            user: user.clone(),
            password: read_password(file)?,
        });
    }
    if let Some(list) = &args.declared_ports {
        options.declared_ports =
            Some(parse_ports(list).map_err(|e| anyhow::anyhow!("--declared-ports: {e}"))?);
    }
    if let Some(dir) = &args.project {
        let (ports, source) = project_ports(dir, args.component.as_deref())?;
        options.declared_ports = Some(ports);
        options.declared_source = Some(source);
    }
    if args.dry_run {
        let steps = tekigo_probe::plan(&options, crate::context::lang(global.lang))?;
        let bytes = match args.format {
            ScanFormat::Json => json(&serde_json::json!({"dry_run": true, "steps": steps}))?,
            _ => format!("{}\n", steps.join("\n")).into_bytes(),
        };
        emit(&bytes, args.output.as_deref(), false)?;
        return Ok(ExitCode::SUCCESS);
    }
    let report = tekigo_probe::probe(&options)?;
    let bytes = render_report(&report, args.format, crate::context::lang(global.lang))?;
    emit(&bytes, args.output.as_deref(), false)?;
    Ok(ExitCode::from(u8::from(report.has_findings())))
}

/// The first line of `path`, which must not be empty.
fn read_password(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path).with_context(|| {
        crate::i18n::UserError::new("error.cannot_read", &[("path", path.display().to_string())])
    })?;
    let line = text.lines().next().unwrap_or("").to_string();
    if line.is_empty() {
        bail!(crate::i18n::UserError::new(
            "error.empty_password",
            &[("path", path.display().to_string())]
        ));
    }
    Ok(line)
}

/// The declared ports of a project's component, and where they come from.
fn project_ports(dir: &Path, component: Option<&str>) -> Result<(Vec<u16>, String)> {
    let project = tekigo_assess::project::Project::open(dir)?;
    let file = dir.join("tekigo.yaml");
    let components = &project.config.components;
    let chosen = match component {
        Some(name) => components
            .iter()
            .find(|c| c.name == name)
            .with_context(|| {
                format!(
                    "{}: no component {name:?} (components: {})",
                    file.display(),
                    components
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?,
        None => match components.as_slice() {
            [one] => one,
            _ => bail!(
                "{}: {} components; say which with --component",
                file.display(),
                components.len()
            ),
        },
    };
    if chosen.ports.is_empty() {
        bail!(
            "{}: component {:?} declares no ports (add `ports: [22, 443]` under it)",
            file.display(),
            chosen.name
        );
    }
    Ok((
        chosen.ports.clone(),
        format!("{} components[{}].ports", file.display(), chosen.name),
    ))
}
