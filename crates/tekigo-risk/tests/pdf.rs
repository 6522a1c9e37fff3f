//! The drawing in a PDF: typst (the PDF engine of tekigo-report) places the SVG as an image,
//! and the page it makes shows the zones, not a blank box.
//!
//! tekigo-report has no public way yet to add an SVG to its PDF; this test makes sure the
//! drawing is ready for it, with a minimal typst world that reads nothing but the drawing.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;
use tekigo_catalog::Lang;
use tekigo_risk::derive;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::layout::PagedDocument;
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::fonts::{FontSearcher, Fonts};

struct Drawing {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Fonts,
    main: Source,
    svg: Bytes,
}

fn id(path: &str) -> FileId {
    FileId::new(None, VirtualPath::new(path))
}

impl World for Drawing {
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
        if file == id("/zones.svg") {
            Ok(self.svg.clone())
        } else {
            Err(FileError::NotFound(file.vpath().as_rooted_path().into()))
        }
    }
    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index)?.get()
    }
    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        None
    }
}

fn pdf_of(svg: &str) -> Vec<u8> {
    let fonts = FontSearcher::new().include_system_fonts(true).search();
    let world = Drawing {
        library: LazyHash::new(Library::builder().build()),
        book: LazyHash::new(fonts.book.clone()),
        fonts,
        main: Source::new(
            id("/main.typ"),
            "#set page(width: auto, height: auto, margin: 1cm)\n#image(\"/zones.svg\")\n".into(),
        ),
        svg: Bytes::new(svg.as_bytes().to_vec()),
    };
    let compiled = typst::compile::<PagedDocument>(&world);
    let document = compiled.output.unwrap_or_else(|e| {
        panic!(
            "typst: {:?}",
            e.iter().map(|d| d.message.clone()).collect::<Vec<_>>()
        )
    });
    assert_eq!(document.pages.len(), 1);
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).expect("PDF")
}

/// The PDF's first page as PNG (poppler's pdftoppm, installed by scripts/setup/50-report.sh).
fn raster(dir: &Path, pdf: &[u8], name: &str) -> u64 {
    let file = dir.join(format!("{name}.pdf"));
    std::fs::write(&file, pdf).unwrap();
    let status = Command::new("pdftoppm")
        .args(["-r", "50", "-png", "-singlefile"])
        .arg(&file)
        .arg(dir.join(name))
        .status()
        .expect("pdftoppm (poppler-utils) is needed: run scripts/setup/50-report.sh");
    assert!(status.success());
    std::fs::metadata(dir.join(format!("{name}.png")))
        .unwrap()
        .len()
}

#[test]
fn typst_places_the_drawing_in_a_pdf() {
    let doc = parse(&example_text());
    let d = derive(&doc.model);
    let dir = tempfile::tempdir().unwrap();
    for lang in [Lang::En, Lang::Ja] {
        let svg = tekigo_risk::draw::svg(&doc.model, &d, lang).unwrap();
        let pdf = pdf_of(&svg);
        assert!(pdf.starts_with(b"%PDF-"));
        // The same page size with nothing drawn on it.
        let width = svg
            .split("width=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let height = svg
            .split("height=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let blank = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\"><rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/></svg>"
        );
        let name = format!("{lang:?}");
        let drawn = raster(dir.path(), &pdf, &name);
        let empty = raster(dir.path(), &pdf_of(&blank), &format!("{name}-blank"));
        assert!(
            drawn > 4 * empty,
            "{name}: drawing {drawn} bytes, blank page {empty} bytes"
        );
    }
}
