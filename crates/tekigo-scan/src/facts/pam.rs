//! PAM service stacks, resolved the way libpam reads them: `include` and `substack` pull
//! in the lines of one type from another file, Debian's `@include` pulls in a whole file
//! (the `common-*` files), `-type` lines are skipped silently when the module is missing.
//!
//! A module listed in a stack is not necessarily run: control values jump over modules
//! (`[success=2 default=ignore]`), end the stack (`requisite`, `sufficient`, `die`,
//! `done`). [`bypassed`] walks every path through a stack to tell whether it can end in
//! success without running a given module.

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
    /// The control as written, lower case: `required` or `[success=1 default=ignore]`.
    pub control: String,
    /// The `substack` lines this line is nested in, outermost first, by an id per line.
    substacks: Rc<[usize]>,
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
    /// How many `substack` lines were met: the ids of [`PamLine`]'s nesting.
    substack_count: usize,
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
    expand(ctx, &path, None, &Rc::from([]), &mut chain, &mut res)?;
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
    substacks: &Rc<[usize]>,
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
            expand(ctx, &target_path(rest.trim()), only, substacks, chain, res)?;
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
        if control == "include" {
            expand(
                ctx,
                &target_path(&module_path),
                Some(&ty),
                substacks,
                chain,
                res,
            )?;
            continue;
        }
        if control == "substack" {
            // Jumps and `die`/`done` inside stay inside; the parent sees one result.
            res.substack_count += 1;
            let inner: Rc<[usize]> = substacks
                .iter()
                .copied()
                .chain([res.substack_count])
                .collect();
            expand(
                ctx,
                &target_path(&module_path),
                Some(&ty),
                &inner,
                chain,
                res,
            )?;
            continue;
        }
        let module = module_path
            .rsplit('/')
            .next()
            .unwrap_or(&module_path)
            .to_string();
        res.lines.push(PamLine {
            ty,
            control: control.to_ascii_lowercase(),
            substacks: substacks.clone(),
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

/// What libpam does after a module returned: the actions of control values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Ignore,
    Ok,
    Done,
    Bad,
    Die,
    Reset,
    /// Skip this many following modules (a substack counts as one).
    Jump(usize),
}

/// What a module can return, as far as control values tell apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ret {
    Success,
    /// PAM_IGNORE: `ok` and `done` leave the stack's state as it is.
    Ignore,
    Error,
}

/// The actions a control value allows for each kind of return. A bracketed control maps
/// return values to actions; `default` covers the values not named (success included),
/// and without `default` they are `bad`. The keywords are shorthands for such maps.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Control {
    success: Action,
    ignore: Action,
    /// Every action some error return can take: `default` and each error value named.
    error: Vec<Action>,
}

impl Control {
    fn parse(control: &str) -> Option<Control> {
        let c = |success, ignore, error| {
            Some(Control {
                success,
                ignore,
                error: vec![error],
            })
        };
        match control {
            "required" => return c(Action::Ok, Action::Ignore, Action::Bad),
            "requisite" => return c(Action::Ok, Action::Ignore, Action::Die),
            "sufficient" => return c(Action::Done, Action::Ignore, Action::Ignore),
            "optional" => return c(Action::Ok, Action::Ignore, Action::Ignore),
            _ => {}
        }
        let inner = control.strip_prefix('[')?.strip_suffix(']')?;
        let mut named: Vec<(&str, Action)> = Vec::new();
        let mut default = Action::Bad;
        for pair in inner.split_whitespace() {
            let (key, value) = pair.split_once('=')?;
            let action = match value {
                "ignore" => Action::Ignore,
                "ok" => Action::Ok,
                "done" => Action::Done,
                "bad" => Action::Bad,
                "die" => Action::Die,
                "reset" => Action::Reset,
                n => Action::Jump(n.parse().ok()?),
            };
            if key == "default" {
                default = action;
            } else {
                named.push((key, action));
            }
        }
        let get = |k: &str| named.iter().find(|(n, _)| *n == k).map_or(default, |p| p.1);
        let mut error = vec![default];
        for (key, action) in &named {
            if !["success", "ignore"].contains(key) && !error.contains(action) {
                error.push(*action);
            }
        }
        Some(Control {
            success: get("success"),
            ignore: get("ignore"),
            error,
        })
    }

    /// The (return, action) pairs possible for `module`: pam_permit always succeeds and
    /// pam_deny always fails; anything else may do either. pam_rootok succeeds only for a
    /// caller who already is root (`su` from root), a path no check here is about, so it
    /// counts as failing.
    fn choices(&self, module: &str) -> Vec<(Ret, Action)> {
        let mut out = Vec::new();
        if module != "pam_deny.so" && module != "pam_rootok.so" {
            out.push((Ret::Success, self.success));
        }
        if module != "pam_permit.so" {
            out.push((Ret::Ignore, self.ignore));
            out.extend(self.error.iter().map(|a| (Ret::Error, *a)));
        }
        out
    }
}

/// libpam's verdict so far in one stack: nothing yet, success, a failure that `done`
/// still returns at once (an `ok` module failed), or a failure that only `reset` undoes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum State {
    Undecided,
    Success,
    FailedOk,
    Failed,
}

/// One entry of a stack: a module, or a substack with its own lines.
enum Node<'a> {
    Module(&'a PamLine),
    Substack(Vec<Node<'a>>),
}

fn nodes<'a>(lines: &[&'a PamLine], depth: usize) -> Vec<Node<'a>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(&id) = lines[i].substacks.get(depth) else {
            out.push(Node::Module(lines[i]));
            i += 1;
            continue;
        };
        let end = lines[i..]
            .iter()
            .position(|l| l.substacks.get(depth) != Some(&id))
            .map_or(lines.len(), |p| i + p);
        out.push(Node::Substack(nodes(&lines[i..end], depth + 1)));
        i = end;
    }
    out
}

/// Whether a stack (or substack) can end in success and whether it can end in failure,
/// over every path on which no module for which `avoid` holds runs. The walk is over
/// (position, state) pairs, so it stays small however many paths there are.
fn outcomes(stack: &[Node], avoid: &dyn Fn(&PamLine) -> bool) -> (bool, bool) {
    let (mut success, mut failure) = (false, false);
    let mut seen = std::collections::HashSet::new();
    let mut todo = vec![(0usize, State::Undecided)];
    let mut finish = |state: State| {
        if state == State::Success {
            success = true;
        } else {
            failure = true;
        }
    };
    while let Some((pc, state)) = todo.pop() {
        if !seen.insert((pc, state)) {
            continue;
        }
        let Some(node) = stack.get(pc) else {
            finish(state);
            continue;
        };
        let choices = match node {
            Node::Module(line) if avoid(line) => continue,
            Node::Module(line) => match Control::parse(&line.control) {
                Some(control) => control.choices(&line.module),
                // libpam refuses a line it cannot read: the stack fails.
                None => vec![(Ret::Error, Action::Die)],
            },
            // A substack line acts as `required` on the substack's own result.
            Node::Substack(inner) => {
                let (ok, err) = outcomes(inner, avoid);
                let mut c = Vec::new();
                if ok {
                    c.push((Ret::Success, Action::Ok));
                }
                if err {
                    c.push((Ret::Error, Action::Bad));
                }
                c
            }
        };
        for (ret, action) in choices {
            let after = match (action, ret, state) {
                (Action::Ok | Action::Done, Ret::Success, State::Undecided | State::Success) => {
                    State::Success
                }
                (Action::Ok | Action::Done, Ret::Error, State::Undecided | State::Success) => {
                    State::FailedOk
                }
                (Action::Bad | Action::Die, _, _) => State::Failed,
                (Action::Reset, _, _) => State::Undecided,
                _ => state,
            };
            match action {
                Action::Die => finish(State::Failed),
                Action::Done if after != State::Failed => finish(after),
                Action::Jump(n) => todo.push((pc + 1 + n, after)),
                _ => todo.push((pc + 1, after)),
            }
        }
    }
    (success, failure)
}

/// Whether the `ty` stack of a resolved service can end in success without running any
/// module for which `target` holds: the module is listed but jumped over, or a
/// `sufficient` module before it ends the stack. `None` when the stack cannot succeed at
/// all (nobody gets in, so nobody gets past the module either).
pub fn bypassed(res: &Resolution, ty: &str, target: impl Fn(&PamLine) -> bool) -> Option<bool> {
    let lines: Vec<&PamLine> = res.lines.iter().filter(|l| l.ty == ty).collect();
    let stack = nodes(&lines, 0);
    let (can_succeed, _) = outcomes(&stack, &|_| false);
    if !can_succeed {
        return None;
    }
    Some(outcomes(&stack, &target).0)
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
