//! Facts derived from the target that several checks share, each computed once per scan:
//! accounts, PAM stacks, sshd's effective configuration, the OpenSSH version, the
//! filesystem inventory from the one walk.

pub mod accounts;
pub mod inventory;
pub mod pam;
pub mod sshd;

use std::cell::OnceCell;
use std::rc::Rc;

use crate::ctx::{Ctx, Unreadable};

type Shared<T> = OnceCell<Result<Rc<T>, Unreadable>>;

/// Lazily computed facts; see [`Ctx`].
#[derive(Default)]
pub struct Facts {
    accounts: Shared<accounts::Accounts>,
    sshd: Shared<Option<sshd::SshdConfig>>,
    openssh: Shared<Option<sshd::OpensshVersion>>,
    inventory: Shared<inventory::Inventory>,
    dpkg: Shared<Option<Dpkg>>,
}

fn get<T>(
    cell: &Shared<T>,
    make: impl FnOnce() -> Result<T, Unreadable>,
) -> Result<Rc<T>, Unreadable> {
    cell.get_or_init(|| make().map(Rc::new)).clone()
}

impl Ctx<'_> {
    pub fn accounts(&self) -> Result<Rc<accounts::Accounts>, Unreadable> {
        get(&self.facts.accounts, || accounts::Accounts::read(self))
    }

    /// sshd's configuration, `None` when the device has no OpenSSH server.
    pub fn sshd(&self) -> Result<Rc<Option<sshd::SshdConfig>>, Unreadable> {
        get(&self.facts.sshd, || sshd::SshdConfig::read(self))
    }

    pub fn openssh_version(&self) -> Result<Rc<Option<sshd::OpensshVersion>>, Unreadable> {
        get(&self.facts.openssh, || sshd::OpensshVersion::detect(self))
    }

    pub fn inventory(&self) -> Result<Rc<inventory::Inventory>, Unreadable> {
        get(&self.facts.inventory, || {
            Ok(inventory::Inventory::collect(self))
        })
    }

    /// The dpkg database, `None` on a device without dpkg.
    pub fn dpkg(&self) -> Result<Rc<Option<Dpkg>>, Unreadable> {
        get(&self.facts.dpkg, || Dpkg::read(self))
    }
}

/// The installed packages of a dpkg database, minimally: name, version, status.
#[derive(Debug)]
pub struct Dpkg {
    pub path: String,
    pub sha256: String,
    /// (name, version, line number of the `Package:` field), installed packages only.
    pub packages: Vec<(String, String, usize)>,
}

impl Dpkg {
    fn read(ctx: &Ctx) -> Result<Option<Dpkg>, Unreadable> {
        let Some(file) = ctx.text("/var/lib/dpkg/status")? else {
            return Ok(None);
        };
        let mut packages = Vec::new();
        for stanza in split_stanzas(&file.text) {
            let field = |name: &str| {
                stanza.iter().find_map(|(_, l)| {
                    l.strip_prefix(name)
                        .and_then(|r| r.strip_prefix(':'))
                        .map(|v| v.trim().to_string())
                })
            };
            let installed = field("Status").is_some_and(|s| s.ends_with(" installed"));
            if let (true, Some(name), Some(version)) =
                (installed, field("Package"), field("Version"))
            {
                let line = stanza
                    .iter()
                    .find(|(_, l)| l.starts_with("Package:"))
                    .map_or(0, |(n, _)| *n);
                packages.push((name, version, line));
            }
        }
        Ok(Some(Dpkg {
            path: file.path.clone(),
            sha256: file.sha256.clone(),
            packages,
        }))
    }

    pub fn version(&self, name: &str) -> Option<(&str, usize)> {
        self.packages
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, v, l)| (v.as_str(), *l))
    }
}

/// Paragraphs of an RFC 822-style file, with 1-based line numbers.
fn split_stanzas(text: &str) -> Vec<Vec<(usize, &str)>> {
    let mut out = vec![Vec::new()];
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            if out.last().is_some_and(|s: &Vec<_>| !s.is_empty()) {
                out.push(Vec::new());
            }
        } else {
            out.last_mut().expect("never empty").push((i + 1, line));
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// Lines of a configuration file without comments (`#` to the end of the line) and
/// without blank lines, with 1-based numbers.
pub fn config_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter_map(|(i, l)| {
        let content = l.split('#').next().unwrap_or("").trim();
        (!content.is_empty()).then_some((i + 1, content))
    })
}
