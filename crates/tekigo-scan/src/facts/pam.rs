//! PAM service stacks, resolved the way libpam reads them: `include` and `substack` pull
//! in the lines of one type from another file, Debian's `@include` pulls in a whole file
//! (the `common-*` files), `-type` lines are skipped silently when the module is missing.

use std::rc::Rc;

use crate::ctx::{Ctx, TextFile, Unreadable};
use crate::model::Evidence;

pub const PAM_DIR: &str = "/etc/pam.d";
const MAX_DEPTH: usize = 16;

/// One module line of a resolved stack.
#[derive(Debug, Clone)]
pub struct PamLine {
    /// auth, account, password or session.
    pub ty: String,
    /// File name of the module (`pam_unix.so`), without its directory.
    pub module: String,
    /// As written, which may include a directory.
    pub module_path: String,
    pub args: Vec<String>,
    pub file: Rc<TextFile>,
    pub number: usize,
    pub text: String,
}

impl PamLine {
    /// The value of `name=value` among the arguments, or `Some("")` for a bare `name`.
    pub fn arg(&self, name: &str) -> Option<&str> {
        self.args.iter().find_map(|a| {
            if a == name {
                Some("")
            } else {
                a.strip_prefix(name).and_then(|r| r.strip_prefix('='))
            }
        })
    }

    pub fn evidence(&self) -> Evidence {
        self.file
            .evidence()
            .with_line(self.number, self.text.clone())
    }
}

/// Problems met while resolving (a missing include target, a loop), kept as evidence.
#[derive(Debug, Default)]
pub struct Resolution {
    pub lines: Vec<PamLine>,
    pub notes: Vec<String>,
}

/// Whether the device uses PAM at all.
pub fn has_pam(ctx: &Ctx) -> Result<bool, Unreadable> {
    Ok(ctx.metadata(PAM_DIR)?.is_some_and(|m| m.is_dir()))
}

/// The services configured in /etc/pam.d, by file name.
pub fn services(ctx: &Ctx) -> Result<Vec<String>, Unreadable> {
    Ok(ctx
        .dir_files(PAM_DIR, "*")?
        .into_iter()
        .filter_map(|p| p.rsplit('/').next().map(String::from))
        .collect())
}

/// The resolved stack of `service`, `None` when the service has no file.
pub fn resolve(ctx: &Ctx, service: &str) -> Result<Option<Resolution>, Unreadable> {
    let path = target_path(service);
    if ctx.text(&path)?.is_none() {
        return Ok(None);
    }
    let mut res = Resolution::default();
    let mut chain = Vec::new();
    expand(ctx, &path, None, &mut chain, &mut res)?;
    Ok(Some(res))
}

fn target_path(name: &str) -> String {
    if name.starts_with('/') {
        name.to_string()
    } else {
        format!("{PAM_DIR}/{name}")
    }
}

fn expand(
    ctx: &Ctx,
    path: &str,
    only: Option<&str>,
    chain: &mut Vec<String>,
    res: &mut Resolution,
) -> Result<(), Unreadable> {
    if chain.len() >= MAX_DEPTH || chain.iter().any(|p| p == path) {
        res.notes.push(format!(
            "{path}: include loop or nesting too deep, not followed"
        ));
        return Ok(());
    }
    let Some(file) = ctx.text(path)? else {
        res.notes.push(format!(
            "{path}: included but missing (libpam fails the stack)"
        ));
        return Ok(());
    };
    chain.push(path.to_string());
    for (number, text) in logical_lines(&file.text) {
        let content = text.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        if let Some(rest) = content.strip_prefix("@include") {
            expand(ctx, &target_path(rest.trim()), only, chain, res)?;
            continue;
        }
        let Some(parsed) = parse_line(content) else {
            res.notes
                .push(format!("{path}:{number}: not a PAM line, ignored"));
            continue;
        };
        let (ty, control, module_path, args) = parsed;
        if only.is_some_and(|o| o != ty) {
            continue;
        }
        if control == "include" || control == "substack" {
            expand(ctx, &target_path(&module_path), Some(&ty), chain, res)?;
            continue;
        }
        let module = module_path
            .rsplit('/')
            .next()
            .unwrap_or(&module_path)
            .to_string();
        res.lines.push(PamLine {
            ty,
            module,
            module_path,
            args,
            file: file.clone(),
            number,
            text: text.trim().to_string(),
        });
    }
    chain.pop();
    Ok(())
}

type Parsed = (String, String, String, Vec<String>);

/// `[-]type control module [args...]`, where control may be a bracketed list with spaces.
/// A leading `-` only tells libpam to skip the line quietly when the module is missing;
/// such a line protects nothing either way, so it is read like any other.
fn parse_line(content: &str) -> Option<Parsed> {
    let (first, rest) = content.split_once(char::is_whitespace)?;
    let ty = first.trim_start_matches('-').to_ascii_lowercase();
    if !["auth", "account", "password", "session"].contains(&ty.as_str()) {
        return None;
    }
    let rest = rest.trim_start();
    let (control, rest) = if rest.starts_with('[') {
        let end = rest.find(']')?;
        (rest[..=end].to_string(), &rest[end + 1..])
    } else {
        let (c, r) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        (c.to_ascii_lowercase(), r)
    };
    let mut words = rest.split_whitespace();
    let module = words.next()?.to_string();
    Some((ty, control, module, words.map(String::from).collect()))
}

/// Lines joined where they end in a backslash, numbered by their first physical line.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let (n, mut acc) = pending.take().unwrap_or((i + 1, String::new()));
        if let Some(cont) = line.strip_suffix('\\') {
            acc.push_str(cont);
            acc.push(' ');
            pending = Some((n, acc));
        } else {
            acc.push_str(line);
            out.push((n, acc));
        }
    }
    if let Some(p) = pending {
        out.push(p);
    }
    out
}

/// Whether the module file exists in one of the directories libpam loads from; a typo in
/// a module name makes libpam fail or (with `-`) skip the line.
pub fn module_exists(ctx: &Ctx, line: &PamLine) -> Result<bool, Unreadable> {
    if line.module_path.starts_with('/') {
        return ctx.exists(&line.module_path);
    }
    for dir in module_dirs(ctx)? {
        if ctx.exists(&format!("{dir}/{}", line.module))? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn module_dirs(ctx: &Ctx) -> Result<Vec<String>, Unreadable> {
    let mut dirs = vec![
        "/lib/security".to_string(),
        "/lib64/security".to_string(),
        "/usr/lib/security".to_string(),
        "/usr/lib64/security".to_string(),
    ];
    for base in ["/lib", "/usr/lib"] {
        let entries = match ctx.root.read_dir(base) {
            Ok(e) => e,
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e.into()),
        };
        for e in entries {
            let name = e.name.to_string_lossy();
            if name.contains("-linux-") {
                dirs.push(format!("{base}/{name}/security"));
            }
        }
    }
    Ok(dirs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bracketed_controls_and_dashes() {
        let (ty, control, module, args) =
            parse_line("-auth [success=1 default=ignore] pam_unix.so nullok").unwrap();
        assert_eq!(ty, "auth");
        assert_eq!(control, "[success=1 default=ignore]");
        assert_eq!(module, "pam_unix.so");
        assert_eq!(args, vec!["nullok"]);
        assert!(parse_line("@include common-auth").is_none());
        assert!(parse_line("bogus required pam_x.so").is_none());
    }

    #[test]
    fn joins_continued_lines() {
        let lines = logical_lines("auth required \\\n  pam_x.so a=1\nsession optional pam_y.so\n");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].0, 1);
        assert!(lines[0].1.contains("pam_x.so a=1"));
        assert_eq!(lines[1].0, 3);
    }
}
