//! Accounts as the image defines them: `/etc/passwd`, `/etc/shadow`, `/etc/group`.

use std::rc::Rc;

use crate::ctx::{Ctx, TextFile, Unreadable};
use crate::model::Evidence;

#[derive(Debug, Clone)]
pub struct User {
    pub name: String,
    pub uid: u32,
    pub shell: String,
    /// 1-based line in /etc/passwd.
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct Shadow {
    pub name: String,
    pub hash: String,
    /// Day of the last password change; 0 forces a change at the next login.
    pub last_change: Option<i64>,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    pub gid: u32,
}

/// The account database. `shadow` is an error when it exists but cannot be read (a scan
/// without root privileges), so that checks needing it say so instead of guessing.
#[derive(Debug)]
pub struct Accounts {
    pub passwd: Option<Rc<TextFile>>,
    pub users: Vec<User>,
    pub shadow_file: Result<Option<Rc<TextFile>>, Unreadable>,
    pub shadow: Vec<Shadow>,
    pub group_file: Option<Rc<TextFile>>,
    pub groups: Vec<Group>,
}

/// Shells that cannot run commands: accounts with them cannot log in interactively.
const NO_LOGIN_SHELLS: [&str; 5] = ["nologin", "false", "sync", "shutdown", "halt"];

impl User {
    pub fn can_log_in(&self) -> bool {
        let base = self.shell.rsplit('/').next().unwrap_or("");
        !self.shell.is_empty() && !NO_LOGIN_SHELLS.contains(&base)
    }
}

impl Shadow {
    /// The hash is one a password can match: not locked (`!`, `*`) and not empty.
    pub fn usable(&self) -> bool {
        !self.hash.is_empty() && !self.hash.starts_with('!') && !self.hash.starts_with('*')
    }
}

impl Accounts {
    pub(crate) fn read(ctx: &Ctx) -> Result<Accounts, Unreadable> {
        let passwd = ctx.text("/etc/passwd")?;
        let users = passwd
            .as_ref()
            .map(|f| {
                records(&f.text)
                    .filter_map(|(line, p)| {
                        Some(User {
                            name: p.first()?.to_string(),
                            uid: p.get(2)?.parse().ok()?,
                            shell: p.get(6).unwrap_or(&"").to_string(),
                            line,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let shadow_file = ctx.text("/etc/shadow");
        let shadow = match &shadow_file {
            Ok(Some(f)) => records(&f.text)
                .filter_map(|(line, p)| {
                    Some(Shadow {
                        name: p.first()?.to_string(),
                        hash: p.get(1)?.to_string(),
                        last_change: p.get(2).and_then(|v| v.parse().ok()),
                        line,
                    })
                })
                .collect(),
            _ => Vec::new(),
        };
        let group_file = ctx.text("/etc/group")?;
        let groups = group_file
            .as_ref()
            .map(|f| {
                records(&f.text)
                    .filter_map(|(_, p)| {
                        Some(Group {
                            name: p.first()?.to_string(),
                            gid: p.get(2)?.parse().ok()?,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Accounts {
            passwd,
            users,
            shadow_file,
            shadow,
            group_file,
            groups,
        })
    }

    pub fn user(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|u| u.name == name)
    }

    pub fn uid_of(&self, name: &str) -> Option<u32> {
        self.user(name).map(|u| u.uid)
    }

    pub fn gid_of(&self, name: &str) -> Option<u32> {
        self.groups.iter().find(|g| g.name == name).map(|g| g.gid)
    }

    pub fn user_name(&self, uid: u32) -> Option<&str> {
        self.users
            .iter()
            .find(|u| u.uid == uid)
            .map(|u| u.name.as_str())
    }

    pub fn group_name(&self, gid: u32) -> Option<&str> {
        self.groups
            .iter()
            .find(|g| g.gid == gid)
            .map(|g| g.name.as_str())
    }

    /// Evidence naming /etc/shadow and its hash (empty when it could not be read).
    pub fn shadow_evidence(&self) -> Evidence {
        match &self.shadow_file {
            Ok(Some(f)) => f.evidence(),
            _ => Evidence::default(),
        }
    }

    /// Evidence of a passwd line.
    pub fn passwd_line(&self, user: &User) -> Evidence {
        let file = self.passwd.as_ref().expect("users come from passwd");
        let text = file.text.lines().nth(user.line - 1).unwrap_or("");
        file.evidence().with_line(user.line, text)
    }

    /// Evidence of a shadow line with the hash replaced by its scheme: hashes are secrets.
    pub fn shadow_line(&self, entry: &Shadow) -> Option<Evidence> {
        let Ok(Some(file)) = &self.shadow_file else {
            return None;
        };
        let text = file.text.lines().nth(entry.line - 1).unwrap_or("");
        let masked = mask_hash(text);
        Some(file.evidence().with_line(entry.line, masked))
    }
}

/// Replaces the second field of a shadow line with a placeholder naming the scheme.
pub fn mask_hash(line: &str) -> String {
    let mut fields: Vec<&str> = line.split(':').collect();
    let placeholder;
    if let Some(hash) = fields.get(1) {
        placeholder = format!("<{} hash>", crate::crypt::Scheme::of(hash).name());
        fields[1] = &placeholder;
    }
    fields.join(":")
}

/// Colon-separated records with line numbers, skipping comments and blank lines.
fn records(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines().enumerate().filter_map(|(i, l)| {
        let l = l.trim_end();
        (!l.is_empty() && !l.starts_with('#')).then(|| (i + 1, l.split(':').collect()))
    })
}
