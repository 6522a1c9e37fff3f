use super::*;
use std::io::Write;

/// A workbook written by rust_xlsxwriter, as Excel-like writers make them.
fn written(fill: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Sheet1").unwrap();
    fill(sheet);
    book.save_to_buffer().unwrap()
}

/// A minimal workbook around one sheet's XML, zipped with `method`.
fn zipped(sheet_xml: &[u8], method: zip::CompressionMethod) -> Vec<u8> {
    let parts: [(&str, &[u8]); 5] = [
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        ("xl/worksheets/sheet1.xml", sheet_xml),
    ];
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, bytes) in parts {
        zip.start_file(name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// The error of a read that must fail (without printing a whole workbook when it does not).
fn refused(result: Result<Workbook, WorkbookError>) -> String {
    match result {
        Ok(book) => panic!("read, {} sheets", book.sheets.len()),
        Err(e) => e.to_string(),
    }
}

fn sheet_xml(cells: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{cells}</sheetData></worksheet>"#
    )
    .into_bytes()
}

fn inline(r: &str, text: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

#[test]
fn rows_keep_their_numbers_and_columns_and_merges_are_listed() {
    let bytes = written(|s| {
        s.write(0, 0, "title").unwrap();
        s.write(2, 0, "CR 1.1").unwrap();
        s.write(2, 3, "✓").unwrap();
        s.write(3, 1, 42).unwrap();
        s.merge_range(5, 0, 6, 2, "merged", &rust_xlsxwriter::Format::new())
            .unwrap();
    });
    let book = read("sheet.xlsx", &bytes).unwrap();
    assert!(book.is_workbook);
    let sheet = book.sheet("Sheet1").unwrap();
    let numbers: Vec<usize> = sheet.rows.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [1, 3, 4, 6]);
    let row = sheet.row(3).unwrap();
    assert_eq!(row.cells, ["CR 1.1", "", "", "✓"]);
    assert_eq!(row.get(3), "✓");
    assert_eq!(row.get(9), "");
    assert_eq!(sheet.row(4).unwrap().get(1), "42");
    assert_eq!(sheet.merged.len(), 1);
    assert_eq!(sheet.merged[0].to_string(), "A6:C7");
}

#[test]
fn cells_at_both_corners_of_the_grid_are_refused_not_allocated() {
    // The 1.6 KB workbook that asked calamine for a 512 GiB range.
    let bytes = written(|s| {
        s.write(0, 0, "a").unwrap();
        s.write(1_048_575, 16_383, "z").unwrap();
    });
    assert!(bytes.len() < 8_000, "{}", bytes.len());
    let err = refused(read("corners.xlsx", &bytes));
    assert!(err.starts_with("corners.xlsx: "), "{err}");
    assert!(err.contains("A1:XFD1048576"), "{err}");
    assert!(err.contains("over the limit of 2000000 cells"), "{err}");
}

#[test]
fn the_span_of_the_cells_counts_even_when_the_sheet_declares_no_dimension() {
    let cells = format!(
        "<row r=\"1\">{}</row><row r=\"1048576\">{}</row>",
        inline("A1", "a"),
        inline("XFD1048576", "z")
    );
    let bytes = zipped(&sheet_xml(&cells), zip::CompressionMethod::Deflated);
    let err = refused(read("span.xlsx", &bytes));
    assert!(err.contains("span A1:XFD1048576"), "{err}");
    // Beyond Excel's grid altogether.
    let bytes = zipped(
        &sheet_xml(&format!("<row r=\"1\">{}</row>", inline("A2000000", "x"))),
        zip::CompressionMethod::Stored,
    );
    let err = refused(read("grid.xlsx", &bytes));
    assert!(err.contains("outside Excel's grid"), "{err}");
}

#[test]
fn a_member_that_inflates_too_far_is_refused_before_calamine_reads_it() {
    // 4 MiB of white space between two cells compresses about a thousand times.
    let cells = format!(
        "<row r=\"1\">{}</row>{}<row r=\"2\">{}</row>",
        inline("A1", "x"),
        " ".repeat(4 << 20),
        inline("A2", "y")
    );
    let bytes = zipped(&sheet_xml(&cells), zip::CompressionMethod::Deflated);
    let err = refused(read("bomb.xlsx", &bytes));
    assert!(err.contains("xl/worksheets/sheet1.xml"), "{err}");
    assert!(err.contains("over the limit of 200 times"), "{err}");

    // Stored without compression, the same bytes pass the ratio and meet the size limit.
    let small = Limits {
        entry_bytes: 1 << 20,
        ..LIMITS
    };
    let bytes = zipped(&sheet_xml(&cells), zip::CompressionMethod::Stored);
    let err = refused(read_with("big.xlsx", &bytes, &small));
    assert!(err.contains("declares"), "{err}");
    assert!(err.contains("over the limit of 1 MiB"), "{err}");
    let total = Limits {
        total_bytes: 1 << 20,
        ..LIMITS
    };
    let err = refused(read_with("big.xlsx", &bytes, &total));
    assert!(err.contains("inflates to more than 1 MiB"), "{err}");
}

#[test]
fn a_member_whose_header_understates_its_size_is_measured_by_what_it_gives() {
    let cells = "<row><c t=\"inlineStr\"><is><t>x</t></is></c></row>".repeat(30_000);
    let mut bytes = zipped(&sheet_xml(&cells), zip::CompressionMethod::Stored);
    let real = sheet_xml(&cells).len() as u32;
    // Rewrite the uncompressed size in both headers to 100 bytes.
    let pattern = real.to_le_bytes();
    let mut patched = 0;
    for i in 0..bytes.len() - 4 {
        if bytes[i..i + 4] == pattern {
            // Only the uncompressed-size fields: each follows the compressed size (equal,
            // since the member is stored).
            if i >= 4 && bytes[i - 4..i] == pattern {
                bytes[i..i + 4].copy_from_slice(&100u32.to_le_bytes());
                patched += 1;
            }
        }
    }
    assert_eq!(patched, 2);
    let small = Limits {
        entry_bytes: 1 << 20,
        ..LIMITS
    };
    let err = refused(read_with("liar.xlsx", &bytes, &small));
    assert!(err.starts_with("liar.xlsx: "), "{err}");
}

#[test]
fn cell_and_text_counts_are_bounded() {
    let bytes = written(|s| {
        for r in 0..50 {
            s.write(r, 0, "CR 1.1").unwrap();
        }
    });
    let few = Limits {
        cells: 10,
        ..LIMITS
    };
    let err = refused(read_with("many.xlsx", &bytes, &few));
    assert!(err.contains("more than 10 non-empty cells"), "{err}");
    let little = Limits {
        text_bytes: 100,
        ..LIMITS
    };
    let err = refused(read_with("many.xlsx", &bytes, &little));
    assert!(err.contains("more text than allowed"), "{err}");
    let err = refused(read_with(
        "many.csv",
        "a,b\nc,d\ne,f\n".as_bytes(),
        &Limits { cells: 4, ..LIMITS },
    ));
    assert!(err.contains("more than 4 cells"), "{err}");
}

#[test]
fn what_is_not_a_workbook_says_so() {
    for (name, bytes, expected) in [
        ("a.xlsx", &b"id,text\n"[..], "not an XLSX workbook"),
        ("a.xlsx", &b"PK\x03\x04 cut short"[..], "no end record"),
        ("a.xls", &b"\xd0\xcf\x11\xe0"[..], "save the file as .xlsx"),
        ("a.pdf", &b"%PDF"[..], "unsupported file type"),
    ] {
        let err = refused(read(name, bytes));
        assert!(err.starts_with(&format!("{name}: ")), "{err}");
        assert!(err.contains(expected), "{name}: {err}");
    }
    let mut bytes = written(|s| {
        s.write(0, 0, "x").unwrap();
    });
    let len = bytes.len();
    bytes.truncate(len - 30);
    assert!(read("cut.xlsx", &bytes).is_err());
}

#[test]
fn csv_and_tsv_rows_carry_their_line_numbers() {
    let text = "\u{feff}id,text\n\"CR 1.1\",\"two\nlines\"\n,\nCR 1.2,x\n";
    let book = read("t.csv", text.as_bytes()).unwrap();
    assert!(!book.is_workbook);
    let sheet = &book.sheets[0];
    assert_eq!(sheet.name, "t.csv");
    let rows: Vec<(usize, Vec<&str>)> = sheet
        .rows
        .iter()
        .map(|r| (r.number, r.cells.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        rows,
        [
            (1, vec!["id", "text"]),
            (2, vec!["CR 1.1", "two\nlines"]),
            (5, vec!["CR 1.2", "x"])
        ]
    );
    let book = read("t.tsv", b"a\tb\n").unwrap();
    assert_eq!(book.sheets[0].rows[0].cells, ["a", "b"]);
    let err = read("bad.csv", b"a,b\n\xff\xfe,c\n").unwrap_err();
    assert_eq!(err.line, Some(2), "{err}");
}

#[test]
fn column_names_round_trip() {
    for (i, name) in [
        (0, "A"),
        (25, "Z"),
        (26, "AA"),
        (701, "ZZ"),
        (16_383, "XFD"),
    ] {
        assert_eq!(column_name(i), name);
        assert_eq!(column_index(name), Some(i));
        assert_eq!(column_index(&name.to_lowercase()), Some(i));
    }
    assert_eq!(column_index("XFE"), None);
    assert_eq!(column_index("A1"), None);
    assert_eq!(column_index(""), None);
}
