//! The PDF report, typeset by typst from `templates/report.typ`.
//!
//! The template is compiled in a closed world: it can read exactly three files, the template
//! itself, `/data.json` (the report model) and `/chart.svg`, and nothing from disk or the
//! network. Fonts come from the system font directories or a directory the user names; a
//! Japanese report (or any report holding Japanese text) needs a CJK font, and without one
//! the error says which package to install.

use crate::data;
use crate::{ReportError, ReportInput};
use std::path::Path;
use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::layout::PagedDocument;
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_kit::fonts::{FontSearcher, Fonts};

const TEMPLATE: &str = include_str!("../templates/report.typ");
const MAIN: &str = "/report.typ";
const DATA: &str = "/data.json";
const CHART: &str = "/chart.svg";

/// Families tried for Latin text, best first; any font covering Latin is the last resort.
const LATIN: [&str; 5] = [
    "Noto Sans",
    "DejaVu Sans",
    "Liberation Sans",
    "Noto Sans CJK JP",
    "Noto Serif",
];

/// The PDF report. `font_dir` adds a directory of fonts (searched recursively) to the
/// system's, for machines where Noto Sans CJK is not installed system-wide.
pub fn pdf(input: &ReportInput, font_dir: Option<&Path>) -> Result<Vec<u8>, ReportError> {
    let data = data::build(input)?;
    let mut json = serde_json::to_value(&data).map_err(|e| ReportError::Template {
        name: DATA.into(),
        message: e.to_string(),
    })?;
    let needs_cjk = input.lang == tekigo_catalog::Lang::Ja || has_cjk(&json.to_string());
    let fonts = search_fonts(font_dir)?;
    let families = choose_families(&fonts.book, needs_cjk, font_dir)?;
    json["fonts"] = families.into();
    let world = ReportWorld::new(
        fonts,
        json.to_string().into_bytes(),
        data.chart_svg.map(String::into_bytes),
    );
    let document = typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|errors| ReportError::Typst(world.describe(&errors)))?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|errors| ReportError::Typst(world.describe(&errors)))
}

fn search_fonts(font_dir: Option<&Path>) -> Result<Fonts, ReportError> {
    if let Some(dir) = font_dir {
        if !dir.is_dir() {
            return Err(ReportError::Fonts(format!(
                "font directory {} does not exist or is not a directory",
                dir.display()
            )));
        }
    }
    Ok(FontSearcher::new()
        .include_system_fonts(true)
        .search_with(font_dir))
}

/// Hiragana, katakana, CJK ideographs or full-width forms: text a Latin font cannot show.
fn has_cjk(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(u32::from(c), 0x3000..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
    })
}

/// The font families the template sets, in fallback order.
fn choose_families(
    book: &FontBook,
    needs_cjk: bool,
    font_dir: Option<&Path>,
) -> Result<Vec<String>, ReportError> {
    let covers = |family: &str, c: char| {
        book.select_family(&family.to_lowercase())
            .filter_map(|i| book.info(i))
            .any(|info| info.coverage.contains(u32::from(c)))
    };
    let families: Vec<&str> = book.families().map(|(name, _)| name).collect();
    let cjk = families
        .iter()
        .filter(|f| covers(f, 'あ') && covers(f, '適'))
        .min_by_key(|f| {
            (
                !f.contains("CJK JP"),
                !f.contains("JP"),
                !f.contains("Sans"),
                f.len(),
            )
        })
        .map(|f| f.to_string());
    let latin = LATIN
        .iter()
        .find(|f| book.contains_family(&f.to_lowercase()) && covers(f, 'A'))
        .map(|f| f.to_string())
        .or_else(|| {
            families
                .iter()
                .find(|f| !f.contains("Mono") && covers(f, 'A') && covers(f, 'z'))
                .map(|f| f.to_string())
        });
    let searched = match font_dir {
        Some(dir) => format!("the system font directories and {}", dir.display()),
        None => "the system font directories".to_string(),
    };
    match (needs_cjk, cjk, latin) {
        (true, Some(cjk), latin) => Ok([Some(cjk), latin].into_iter().flatten().collect()),
        (true, None, _) => Err(ReportError::Fonts(format!(
            "no font with Japanese glyphs in {searched}: install Noto Sans CJK \
             (Debian/Ubuntu: apt-get install fonts-noto-cjk) or give --font-dir DIR with \
             NotoSansCJK-*.ttc in it"
        ))),
        (false, cjk, Some(latin)) => Ok([Some(latin), cjk].into_iter().flatten().collect()),
        (false, Some(cjk), None) => Ok(vec![cjk]),
        (false, None, None) => Err(ReportError::Fonts(format!(
            "no usable font in {searched}: install fonts-noto-cjk (or fonts-dejavu-core), or \
             give --font-dir DIR with .ttf/.otf/.ttc fonts in it"
        ))),
    }
}

struct ReportWorld {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Fonts,
    main: Source,
    data: Bytes,
    chart: Option<Bytes>,
}

impl ReportWorld {
    fn new(fonts: Fonts, data: Vec<u8>, chart: Option<Vec<u8>>) -> ReportWorld {
        ReportWorld {
            library: LazyHash::new(Library::builder().build()),
            book: LazyHash::new(fonts.book.clone()),
            fonts,
            main: Source::new(id(MAIN), TEMPLATE.to_string()),
            data: Bytes::new(data),
            chart: chart.map(Bytes::new),
        }
    }

    /// Diagnostics with the template line they point at. An error here is a bug in the
    /// template or in tekigo, never in the user's data (which the template only reads).
    fn describe(&self, errors: &[SourceDiagnostic]) -> String {
        errors
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| {
                let line = self
                    .range(d.span)
                    .filter(|_| d.span.id() == Some(self.main.id()))
                    .map(|r| {
                        TEMPLATE[..r.start.min(TEMPLATE.len())]
                            .lines()
                            .count()
                            .max(1)
                    });
                let hints: String = d.hints.iter().map(|h| format!(" (hint: {h})")).collect();
                match line {
                    Some(line) => format!("templates/report.typ:{line}: {}{hints}", d.message),
                    None => format!("{}{hints}", d.message),
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn id(path: &str) -> FileId {
    FileId::new(None, VirtualPath::new(path))
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, file: FileId) -> FileResult<Source> {
        if file == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, file: FileId) -> FileResult<Bytes> {
        if file == id(DATA) {
            Ok(self.data.clone())
        } else if file == id(CHART) {
            self.chart
                .clone()
                .ok_or_else(|| FileError::NotFound(CHART.into()))
        } else if file == self.main.id() {
            Ok(Bytes::new(TEMPLATE.as_bytes().to_vec()))
        } else {
            Err(FileError::NotFound(file.vpath().as_rooted_path().into()))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index)?.get()
    }

    /// The template prints the report's own timestamp, never the clock.
    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_text_is_detected() {
        assert!(has_cjk("理由: ログを確認"));
        assert!(has_cjk("カタカナ"));
        assert!(!has_cjk("Plain English, café, naïve"));
    }

    #[test]
    fn an_empty_font_book_gives_the_install_hint() {
        let book = FontBook::new();
        let err = choose_families(&book, true, Some(Path::new("/nowhere")))
            .unwrap_err()
            .to_string();
        assert!(err.contains("apt-get install fonts-noto-cjk"), "{err}");
        assert!(
            err.contains("--font-dir") && err.contains("/nowhere"),
            "{err}"
        );
        let err = choose_families(&book, false, None).unwrap_err().to_string();
        assert!(err.contains("no usable font"), "{err}");
    }

    #[test]
    fn a_missing_font_dir_is_named() {
        let err = search_fonts(Some(Path::new("/no/such/fonts")))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("/no/such/fonts"), "{err}");
    }
}
