//! The one way tekigo turns a typst template into a PDF: the assessment report and the zone
//! and conduit report (tekigo-risk) both call [`typeset`].
//!
//! The template is compiled in a closed world: it can read exactly the files it is given,
//! itself, `/data.json` (the document's model), `/fonts.json` (the font families to use,
//! best first, as a JSON array) and the extra files of [`TypstDocument::files`] (drawings as
//! SVG), and nothing from disk or the network. Everything a user typed reaches typst inside
//! `/data.json` as JSON strings that the template prints, never as markup, so a name holding
//! typst syntax prints as the characters it holds.
//!
//! Fonts come from the system font directories or a directory the user names, and after
//! them from the binary itself: a subset of Noto Sans CJK JP Regular (SIL Open Font
//! License, `fonts/LICENSE-OFL.txt`; 2.3 MB, made by `scripts/fonts/subset.py`) that covers
//! Latin text, kana and the kanji of JIS X 0208/Windows-31J. So a PDF renders on a machine
//! with no fonts at all, and a font the system or `--font-dir` offers still comes first.
//! typst subsets whatever font it uses into each PDF.

use crate::ReportError;
use std::path::Path;
use tekigo_catalog::Lang;
use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::layout::PagedDocument;
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_kit::fonts::{FontSearcher, Fonts};

/// The font every PDF can fall back on (see the module docs).
const EMBEDDED_FONT: &[u8] = include_bytes!("../fonts/NotoSansCJKjp-Regular-subset.otf");

const MAIN: &str = "/main.typ";
const DATA: &str = "/data.json";
const FONTS: &str = "/fonts.json";

/// Families tried for Latin text, best first; any font covering Latin is the last resort.
const LATIN: [&str; 5] = [
    "Noto Sans",
    "DejaVu Sans",
    "Liberation Sans",
    "Noto Sans CJK JP",
    "Noto Serif",
];

/// A typst document to typeset: the template, the data it prints and the files it embeds.
pub struct TypstDocument<'a> {
    /// Where the template lives in tekigo's source tree (`templates/report.typ`), so that an
    /// error in it names the file and line to fix.
    pub name: &'a str,
    /// The template's typst source.
    pub source: &'a str,
    /// The model the template reads with `json("/data.json")`.
    pub data: &'a serde_json::Value,
    /// Further files the template may read, by absolute path (`/zones.svg`).
    pub files: &'a [(&'a str, &'a [u8])],
    /// The document's language: a Japanese document needs a CJK font even when every string
    /// in it happens to be ASCII.
    pub lang: Lang,
}

/// Typesets `doc` into PDF bytes. `font_dir` adds a directory of fonts (searched
/// recursively) to the system's, for machines where Noto Sans CJK is not installed
/// system-wide. The same inputs give the same bytes: the document has no clock.
pub fn typeset(doc: &TypstDocument, font_dir: Option<&Path>) -> Result<Vec<u8>, ReportError> {
    let data = serde_json::to_vec(doc.data).map_err(|e| ReportError::Template {
        name: doc.name.into(),
        message: e.to_string(),
    })?;
    let needs_cjk = doc.lang == Lang::Ja
        || has_cjk(&String::from_utf8_lossy(&data))
        || doc
            .files
            .iter()
            .any(|(_, bytes)| has_cjk(&String::from_utf8_lossy(bytes)));
    let fonts = search_fonts(font_dir)?;
    let mut book = fonts.book.clone();
    for font in embedded_fonts() {
        book.push(font.info().clone());
    }
    let families = choose_families(&book, needs_cjk, font_dir)?;
    let families = serde_json::to_vec(&families).map_err(|e| ReportError::Template {
        name: doc.name.into(),
        message: e.to_string(),
    })?;
    let world = ClosedWorld::new(doc, fonts, book, data, families);
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

/// The fonts carried in the binary, parsed once per process.
fn embedded_fonts() -> &'static [Font] {
    static FONTS: std::sync::OnceLock<Vec<Font>> = std::sync::OnceLock::new();
    FONTS.get_or_init(|| Font::iter(Bytes::new(EMBEDDED_FONT)).collect())
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

/// A typst world that holds the template, its data and its files, and nothing else.
struct ClosedWorld<'a> {
    name: &'a str,
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Fonts,
    main: Source,
    files: Vec<(FileId, Bytes)>,
}

impl<'a> ClosedWorld<'a> {
    /// `book` describes the searched `fonts` first and then [`embedded_fonts`], in that
    /// order, which is how [`World::font`] numbers them.
    fn new(
        doc: &TypstDocument<'a>,
        fonts: Fonts,
        book: FontBook,
        data: Vec<u8>,
        families: Vec<u8>,
    ) -> ClosedWorld<'a> {
        let mut files = vec![
            (id(DATA), Bytes::new(data)),
            (id(FONTS), Bytes::new(families)),
            (id(MAIN), Bytes::new(doc.source.as_bytes().to_vec())),
        ];
        files.extend(
            doc.files
                .iter()
                .map(|(path, bytes)| (id(path), Bytes::new(bytes.to_vec()))),
        );
        ClosedWorld {
            name: doc.name,
            library: LazyHash::new(Library::builder().build()),
            book: LazyHash::new(book),
            fonts,
            main: Source::new(id(MAIN), doc.source.to_string()),
            files,
        }
    }

    /// Diagnostics with the template line they point at. An error here is a bug in the
    /// template or in tekigo, never in the user's data (which the template only reads).
    fn describe(&self, errors: &[SourceDiagnostic]) -> String {
        let text = self.main.text();
        errors
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| {
                let line = self
                    .range(d.span)
                    .filter(|_| d.span.id() == Some(self.main.id()))
                    .map(|r| text[..r.start.min(text.len())].lines().count().max(1));
                let hints: String = d.hints.iter().map(|h| format!(" (hint: {h})")).collect();
                match line {
                    Some(line) => format!("{}:{line}: {}{hints}", self.name, d.message),
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

impl World for ClosedWorld<'_> {
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
        self.files
            .iter()
            .find(|(id, _)| *id == file)
            .map(|(_, bytes)| bytes.clone())
            .ok_or_else(|| FileError::NotFound(file.vpath().as_rooted_path().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        match self.fonts.fonts.get(index) {
            Some(slot) => slot.get(),
            None => embedded_fonts()
                .get(index - self.fonts.fonts.len())
                .cloned(),
        }
    }

    /// Templates print the timestamp they are given, never the clock.
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

    /// Every character a report can print from tekigo's own data has a glyph in the
    /// embedded font, so a machine without fonts never shows a missing glyph for them.
    #[test]
    fn the_embedded_font_covers_every_catalog_and_label_character() {
        let font = &embedded_fonts()[0];
        assert_eq!(font.info().family, "Noto Sans CJK JP");
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = vec![root.join("crates/tekigo-report/i18n/labels.yaml")];
        for dir in [
            "catalogs",
            "crates/tekigo-risk/data",
            "crates/tekigo-scan/checks",
        ] {
            let mut stack = vec![root.join(dir)];
            while let Some(d) = stack.pop() {
                for e in std::fs::read_dir(&d).unwrap().map(Result::unwrap) {
                    let p = e.path();
                    if p.is_dir() {
                        stack.push(p);
                    } else if p.extension().is_some_and(|x| x == "yaml") {
                        files.push(p);
                    }
                }
            }
        }
        assert!(files.len() > 10);
        let mut missing = std::collections::BTreeSet::new();
        for f in &files {
            for c in std::fs::read_to_string(f).unwrap().chars() {
                if !c.is_control() && !font.info().coverage.contains(u32::from(c)) {
                    missing.insert((c, f.strip_prefix(&root).unwrap().display().to_string()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "no glyph for {missing:?}: run scripts/fonts/subset.py"
        );
        for c in "適合評価 目標 達成 充足 ①✓○〇×△ÄéØ€—…→".chars() {
            assert!(font.info().coverage.contains(u32::from(c)), "{c}");
        }
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

    fn doc<'a>(
        source: &'a str,
        data: &'a serde_json::Value,
        files: &'a [(&'a str, &'a [u8])],
    ) -> TypstDocument<'a> {
        TypstDocument {
            name: "templates/test.typ",
            source,
            data,
            files,
            lang: Lang::En,
        }
    }

    #[test]
    fn a_template_error_names_the_template_and_line() {
        let data = serde_json::json!({});
        let err = typeset(&doc("Hello\n#let x = \n", &data, &[]), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("templates/test.typ:2:"), "{err}");
    }

    #[test]
    fn the_world_is_closed() {
        let data = serde_json::json!({});
        for path in ["/etc/passwd", "/etc/hostname", "../Cargo.toml"] {
            let source = format!("#read(\"{path}\")");
            let err = typeset(&doc(&source, &data, &[]), None)
                .unwrap_err()
                .to_string();
            assert!(err.contains("not found"), "{path}: {err}");
        }
    }

    #[test]
    fn data_and_files_are_read_and_typst_syntax_in_data_stays_text() {
        let data = serde_json::json!({"name": "#panic(\"boom\")"});
        let svg: &[u8] = b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>";
        let source = "#set text(font: json(\"/fonts.json\"))\n\
                      #json(\"/data.json\").name\n#image(\"/d.svg\")\n";
        let pdf = typeset(&doc(source, &data, &[("/d.svg", svg)]), None).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let err = typeset(&doc(source, &data, &[]), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("/d.svg"), "{err}");
    }
}
