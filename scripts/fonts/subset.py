#!/usr/bin/python3
"""Makes crates/tekigo-report/fonts/NotoSansCJKjp-Regular-subset.otf, the font the tekigo
binary carries so that PDFs render on a machine without fonts.

Source: Noto Sans CJK JP Regular from Debian's fonts-noto-cjk (NotoSansCJK-Regular.ttc),
SIL Open Font License 1.1 (fonts/LICENSE-OFL.txt next to the font). The subset keeps what
Japanese and English reports print: ASCII and Latin-1, general punctuation, arrows and
symbols, CJK punctuation, kana, the JIS X 0208 / Windows-31J (cp932) repertoire (6,879 kanji
and symbols, everything a Japanese keyboard types in practice), and every character of the
repository's catalogs and label files. Needs python3-fonttools (Debian).

Usage: scripts/fonts/subset.py [TTC]   (run from the repository root)
"""
import pathlib
import sys

from fontTools import subset
from fontTools.ttLib import TTCollection

ttc = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
out = pathlib.Path("crates/tekigo-report/fonts/NotoSansCJKjp-Regular-subset.otf")

chars = set()
for lo, hi in [(0x20, 0x7E), (0xA0, 0x17F), (0x2000, 0x206F), (0x20A0, 0x20CF), (0x2100, 0x22FF),
               (0x2460, 0x24FF), (0x2500, 0x27BF), (0x3000, 0x30FF), (0x31F0, 0x31FF),
               (0xFF00, 0xFFEF)]:
    chars.update(range(lo, hi + 1))
for b1 in range(0x81, 0xFD):
    for b2 in range(0x40, 0xFD):
        try:
            chars.update(ord(c) for c in bytes([b1, b2]).decode("cp932"))
        except UnicodeDecodeError:
            pass
for pattern in ["catalogs/**/*.yaml", "crates/*/i18n/*.yaml", "crates/*/data/*.yaml",
                "crates/tekigo-scan/checks/*.yaml", "crates/*/templates/*"]:
    for path in pathlib.Path(".").glob(pattern):
        chars.update(ord(c) for c in path.read_text(encoding="utf-8"))

font = next(f for f in TTCollection(ttc).fonts
            if f["name"].getDebugName(1) == "Noto Sans CJK JP")
options = subset.Options()
options.layout_features = ["kern"]  # no glyph alternates (locl pulls in other regions' forms)
options.name_IDs = ["*"]
options.name_languages = ["*"]
options.notdef_outline = True
options.desubroutinize = False
subsetter = subset.Subsetter(options)
subsetter.populate(unicodes=sorted(chars))
subsetter.subset(font)
out.parent.mkdir(parents=True, exist_ok=True)
font.save(out)
print(f"{out}: {out.stat().st_size} bytes, {len(font.getGlyphOrder())} glyphs")
