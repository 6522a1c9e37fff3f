//! What every command needs: the catalog in use, the data directory, the language.

use crate::cli::Global;
use anyhow::Result;
use std::path::PathBuf;
use tekigo_catalog::licensed::LicensedText;
use tekigo_catalog::{Catalog, Lang};

pub struct Context {
    pub catalog: Catalog,
    pub data_dir: PathBuf,
    pub lang: Lang,
    /// Whether the user chose the language; otherwise a project's own language wins.
    #[cfg(feature = "full")]
    pub lang_given: bool,
}

impl Context {
    pub fn new(global: &Global) -> Result<Context> {
        let catalog = match &global.catalog_dir {
            Some(dir) => Catalog::from_dir(dir)?,
            None => Catalog::builtin()?.clone(),
        };
        let data_dir = match &global.data_dir {
            Some(dir) => dir.clone(),
            None => dirs::data_dir()
                .map(|d| d.join("tekigo"))
                .ok_or_else(|| crate::i18n::UserError::new("error.no_data_dir", &[]))?,
        };
        Ok(Context {
            catalog,
            data_dir,
            lang: lang(global.lang),
            #[cfg(feature = "full")]
            lang_given: global.lang.is_some(),
        })
    }

    pub fn licensed(&self) -> Result<LicensedText> {
        Ok(LicensedText::load(&self.data_dir)?)
    }
}

/// The person running the command, for the records that name who answered or decided: the
/// value given on the command line, else `$TEKIGO_USER`, else the older `$TEKIGO_ASSESSOR`
/// (still honoured, with a note in `lang` that it is deprecated), else `$USER`.
#[cfg(feature = "full")]
pub fn user(given: Option<String>, lang: Lang) -> Option<String> {
    let var = |k: &str| {
        std::env::var(k)
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    given
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .or_else(|| var("TEKIGO_USER"))
        .or_else(|| {
            let old = var("TEKIGO_ASSESSOR")?;
            eprintln!(
                "{}: {}",
                crate::i18n::tr(lang, "error.note"),
                crate::i18n::tr(lang, "user.assessor_deprecated")
            );
            Some(old)
        })
        .or_else(|| var("USER"))
}

/// The language a person reads: the one given (`--lang`, `TEKIGO_LANG`), else the
/// language of the project the command runs in, else English. A team that set
/// `language: ja` in tekigo.yaml reads Japanese without saying so each time.
pub fn lang(given: Option<Lang>) -> Lang {
    given
        .or_else(|| {
            let cwd = std::env::current_dir().ok()?;
            Some(tekigo_assess::Project::discover(&cwd).ok()?.config.language)
        })
        .unwrap_or(Lang::En)
}
