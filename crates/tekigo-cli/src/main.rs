//! `tekigo`: IEC 62443 conformance from the command line.
//!
//! Exit codes, which CI relies on: 0 success, 1 findings (reserved for commands that judge
//! something), 2 an error (bad input, invalid catalog, unreadable file, a command line
//! clap cannot read).

mod cli;
mod commands;
mod context;
mod i18n;
mod output;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::Parser;
use std::process::ExitCode;
use tekigo_catalog::Lang;

/// Exit code after the reader of standard output went away (`tekigo ... | head`): 128 +
/// SIGPIPE, what a shell reports for other Unix tools in that case.
const BROKEN_PIPE: u8 = 141;

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    let lang = context::lang(cli.global.lang);
    i18n::choose(lang);
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::from(BROKEN_PIPE),
        Err(err) => {
            let prefix = i18n::tr(lang, "error.prefix");
            // A library's English (serde's "invalid type: ...") is told in the user's
            // language where its shape is known (`i18n::detail`).
            let text =
                |e: &(dyn std::error::Error + 'static)| match e.downcast_ref::<i18n::UserError>() {
                    Some(u) => u.render(lang),
                    None => i18n::detail(lang, &e.to_string()),
                };
            let mut chain = err.chain();
            let top = chain.next();
            // A `UserError` given as context (`.with_context(|| UserError::new(..))`) is not
            // itself in the chain, only its English text: anyhow finds it by downcasting.
            let first = match (err.downcast_ref::<i18n::UserError>(), top) {
                (Some(u), Some(t)) if u.to_string() == t.to_string() => u.render(lang),
                (_, t) => t.map(text).unwrap_or_default(),
            };
            eprintln!("{prefix}: {first}");
            let cause = i18n::tr(lang, "error.cause");
            for c in chain {
                let c = text(c);
                // A cause that only repeats what the message said adds nothing.
                if !first.contains(&c) {
                    eprintln!("  {cause}: {c}");
                }
            }
            ExitCode::from(2)
        }
    }
}

/// Whether the error is a write to standard output whose reader closed it: not a failure
/// of the command, so nothing is printed.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Rust ignores SIGPIPE, so `println!` panics when the reader of a pipe has gone. Tables
/// are printed with `println!` throughout; rather than a panic message after
/// `tekigo ... | head`, the process ends quietly with [`BROKEN_PIPE`]. SIGPIPE itself stays
/// ignored: the server and the webhook client must not be killed by a closed socket.
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(BROKEN_PIPE.into());
        }
        default(info);
    }));
}

/// A command line clap cannot read: clap's own message (it names the argument and offers
/// the nearest spelling), preceded by the gist in Japanese for a Japanese user. Help and
/// version requests print as clap prints them.
fn usage_error(e: clap::Error) -> ExitCode {
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        e.exit();
    }
    let args: Vec<String> = std::env::args().collect();
    let given = args
        .iter()
        .position(|a| a == "--lang")
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| {
            args.iter()
                .find_map(|a| a.strip_prefix("--lang=").map(str::to_string))
        })
        .and_then(|l| l.parse::<Lang>().ok());
    let lang = context::lang(given.or_else(|| std::env::var("TEKIGO_LANG").ok()?.parse().ok()));
    if lang == Lang::Ja {
        let value = |k: ContextKind| match e.get(k) {
            Some(ContextValue::String(s)) => s.clone(),
            Some(ContextValue::Strings(v)) => v.join(", "),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        let mut lines = vec![match e.kind() {
            ErrorKind::InvalidSubcommand | ErrorKind::UnknownArgument => i18n::fill(
                lang,
                "error.usage_unknown",
                &[(
                    "arg",
                    &value(ContextKind::InvalidSubcommand).max(value(ContextKind::InvalidArg)),
                )],
            ),
            ErrorKind::InvalidValue | ErrorKind::ValueValidation => i18n::fill(
                lang,
                "error.usage_invalid_value",
                &[
                    ("value", &value(ContextKind::InvalidValue)),
                    ("arg", &value(ContextKind::InvalidArg)),
                ],
            ),
            ErrorKind::MissingRequiredArgument | ErrorKind::MissingSubcommand => i18n::fill(
                lang,
                "error.usage_missing",
                &[("args", &value(ContextKind::InvalidArg))],
            ),
            _ => i18n::tr(lang, "error.usage").to_string(),
        }];
        let possible = value(ContextKind::ValidValue);
        if !possible.is_empty() {
            lines.push(i18n::fill(
                lang,
                "error.usage_possible",
                &[("values", &possible)],
            ));
        }
        let suggestion = value(ContextKind::SuggestedSubcommand)
            .max(value(ContextKind::SuggestedArg))
            .max(value(ContextKind::SuggestedValue));
        if !suggestion.is_empty() {
            lines.push(i18n::fill(
                lang,
                "error.usage_did_you_mean",
                &[("suggestion", &suggestion)],
            ));
        }
        eprintln!("{}: {}", i18n::tr(lang, "error.prefix"), lines.join(" "));
        // For these kinds clap's own words were all told above; of its text only the usage
        // line stays (the command's syntax, the same in every language). Other kinds (a
        // conflict, a value its parser refused with a reason) keep clap's whole text.
        let told = matches!(
            e.kind(),
            ErrorKind::InvalidSubcommand
                | ErrorKind::UnknownArgument
                | ErrorKind::InvalidValue
                | ErrorKind::MissingRequiredArgument
                | ErrorKind::MissingSubcommand
        );
        if !told {
            let _ = e.print();
            return ExitCode::from(2);
        }
        let rendered = e.render().to_string();
        for usage in rendered.lines().filter(|l| l.starts_with("Usage:")) {
            eprintln!("\n{usage}");
        }
        eprintln!("\n{}", i18n::tr(lang, "error.usage_more"));
        return ExitCode::from(2);
    }
    let _ = e.print();
    ExitCode::from(2)
}
