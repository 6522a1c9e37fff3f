//! A [`Document`] as Markdown, HTML (self-contained, loads nothing) and PDF (typst). All
//! three print the same model in the same order.

use crate::{Document, DossierError};
use minijinja::{context, Environment, UndefinedBehavior, Value};
use std::path::Path;
use tekigo_report::{typeset, TypstDocument, STYLESHEET};

const HTML_NAME: &str = "templates/dossier.html";
const HTML: &str = include_str!("../templates/dossier.html");
const TYP_NAME: &str = "templates/dossier.typ";
const TYP: &str = include_str!("../templates/dossier.typ");

/// Text from the project inside Markdown: characters that would start markup (HTML tags,
/// links, emphasis, table cells) are escaped and line breaks become spaces, so the reader
/// sees the characters as typed.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

pub fn markdown(d: &Document) -> String {
    let mut o = format!("# {}\n\n", md(&d.title));
    o.push_str(&format!(
        "**{}**: {}  \n",
        md(&d.labels.basis),
        md(&d.basis)
    ));
    o.push_str(&format!(
        "**{}**: {}\n\n",
        md(&d.labels.generated),
        md(&d.generated)
    ));
    o.push_str(&format!("> {}\n\n", md(&d.notice)));
    for s in &d.sections {
        let number = if s.number.is_empty() {
            String::new()
        } else {
            format!("{} ", md(&s.number))
        };
        o.push_str(&format!("## {number}{}\n\n", md(&s.heading)));
        if !s.quote.is_empty() {
            o.push_str(&format!(
                "> *{}*: {}\n\n",
                md(&d.labels.quoted),
                md(&s.quote)
            ));
        }
        for f in &s.facts {
            o.push_str(&format!("- **{}**: {}\n", md(&f.label), md(&f.value)));
        }
        if !s.facts.is_empty() {
            o.push('\n');
        }
        if let Some(t) = &s.table {
            if !t.rows.is_empty() {
                let cells = |row: &[String]| {
                    let v: Vec<String> = row.iter().map(|c| md(c)).collect();
                    format!("| {} |\n", v.join(" | "))
                };
                o.push_str(&cells(&t.header));
                o.push_str(&format!("|{}\n", "---|".repeat(t.header.len())));
                for r in &t.rows {
                    o.push_str(&cells(r));
                }
                o.push('\n');
            }
        }
        if !s.gaps.is_empty() {
            o.push_str(&format!("**{}**\n\n", md(&d.labels.gaps)));
            for g in &s.gaps {
                o.push_str(&format!("- [ ] {}\n", md(g)));
            }
            o.push('\n');
        }
    }
    o.push_str(&format!("## {}\n\n", md(&d.labels.all_gaps)));
    if d.gaps.is_empty() {
        o.push_str(&format!("{}\n", md(&d.labels.no_gaps)));
    }
    for g in &d.gaps {
        o.push_str(&format!("- [ ] {}: {}\n", md(&g.section), md(&g.text)));
    }
    o
}

fn template_error(name: &str) -> impl Fn(minijinja::Error) -> DossierError + '_ {
    move |e| DossierError::Template {
        name: name.into(),
        message: format!("{e:#}"),
    }
}

/// One HTML file: the shared report stylesheet inline, a content security policy that
/// forbids loading anything, every value escaped by minijinja (the template's name ends
/// in `.html`).
pub fn html(d: &Document) -> Result<String, DossierError> {
    let err = template_error(HTML_NAME);
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_template(HTML_NAME, HTML).map_err(&err)?;
    env.get_template(HTML_NAME)
        .map_err(&err)?
        .render(context! {
            d => d,
            stylesheet => Value::from_safe_string(STYLESHEET.to_string()),
        })
        .map_err(&err)
}

/// The PDF, typeset by tekigo-report's `typeset` (fonts from `font_dir`, the system, then
/// the Noto Sans CJK JP subset tekigo carries).
pub fn pdf(d: &Document, font_dir: Option<&Path>) -> Result<Vec<u8>, DossierError> {
    let data = serde_json::to_value(d).map_err(|e| DossierError::Template {
        name: TYP_NAME.into(),
        message: e.to_string(),
    })?;
    Ok(typeset(
        &TypstDocument {
            name: TYP_NAME,
            source: TYP,
            data: &data,
            files: &[],
            lang: d.lang,
        },
        font_dir,
    )?)
}

#[cfg(test)]
mod tests {
    use super::md;

    #[test]
    fn markdown_escapes_markup_from_the_project() {
        assert_eq!(
            md("<script>x</script> [a](b) *c* | d\ne"),
            "&lt;script&gt;x&lt;/script&gt; \\[a\\](b) \\*c\\* \\| d e"
        );
    }
}
