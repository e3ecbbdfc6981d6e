#!/usr/bin/env python3
"""Rebuilds the font subsets postbook draws generated covers with (see src/write/cover.rs).

- fonts/NotoSansCJKsc-Bold-subset.otf: Noto Sans CJK SC Bold 2.004 (SIL OFL 1.1), face 2 of
  NotoSansCJK-Bold.ttc from the Debian package fonts-noto-cjk 1:20220127+repack1-1
  (/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc; upstream
  https://github.com/googlefonts/noto-cjk). Made with fonttools 4.68.0.
  It keeps ASCII, Latin-1, general punctuation, CJK symbols and punctuation, kana, fullwidth
  forms, and every character encodable in GB2312 (simplified Chinese), Big5 (traditional
  Chinese) and JIS X 0208 (Japanese), enumerated with Python's codecs.
- fonts/NotoSans-Bold-subset.ttf: Noto Sans Bold 2.004 (SIL OFL 1.1) from the Debian package
  fonts-noto-core 20201225-1 (/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf; upstream
  https://github.com/notofonts/latin-greek-cyrillic). Made with fonttools 4.38.0 (Debian's
  python3-fonttools). Noto Sans CJK has only the Latin letters of pinyin (no Č, ņ, ł, ő, ş…)
  and little Greek and Cyrillic; this font covers the Latin, Greek and Cyrillic blocks names are
  written in: Latin-1, Latin Extended-A and -B, IPA and modifier letters, combining
  diacritics, Greek (with polytonic Greek Extended), Cyrillic (with its Supplement), Latin
  Extended Additional (Vietnamese), punctuation, currency and letterlike symbols (№, ™).

Layout tables (GSUB/GPOS) and hinting are dropped: covers are rasterized glyph by glyph at large
sizes, without shaping.

Tool: fonttools' pyftsubset (`pip install fonttools`, or Debian's python3-fonttools).
Usage: python3 fonts/make-subset.py [cjk|latin ...]   (run from the repository root; default: both)
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CJK_RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 Supplement
    (0x2000, 0x206F),  # General Punctuation (– — ‘ ’ “ ” … ‧)
    (0x3000, 0x303F),  # CJK Symbols and Punctuation (、。《》「」【】〜)
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms (，：？！（）)
]

LATIN_RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x024F),  # Latin-1 Supplement, Latin Extended-A and -B
    (0x0250, 0x02FF),  # IPA Extensions, Spacing Modifier Letters (ʻ ʼ ˈ)
    (0x0300, 0x036F),  # Combining Diacritical Marks
    (0x0370, 0x03FF),  # Greek and Coptic
    (0x0400, 0x052F),  # Cyrillic, Cyrillic Supplement
    (0x1E00, 0x1FFF),  # Latin Extended Additional (Vietnamese), Greek Extended
    (0x2000, 0x206F),  # General Punctuation
    (0x20A0, 0x20CF),  # Currency Symbols
    (0x2100, 0x214F),  # Letterlike Symbols (№ ™ ℃)
]


def double_byte(codec, leads, trails):
    """Every character a double-byte codec can decode from lead × trail bytes."""
    out = set()
    for lead in leads:
        for trail in trails:
            try:
                out.update(bytes([lead, trail]).decode(codec))
            except UnicodeDecodeError:
                pass
    return out


def in_ranges(ranges):
    return {chr(c) for lo, hi in ranges for c in range(lo, hi + 1)}


def cjk_characters():
    chars = in_ranges(CJK_RANGES)
    euc = range(0xA1, 0xFF)
    chars |= double_byte("gb2312", euc, euc)
    chars |= double_byte("big5", range(0x81, 0xFF), [*range(0x40, 0x7F), *range(0xA1, 0xFF)])
    chars |= double_byte("euc_jp", euc, euc)  # two-byte EUC-JP is exactly JIS X 0208
    return chars


# name: (source, font number in a collection or None, characters, output)
FONTS = {
    "cjk": (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
        2,  # Noto Sans CJK SC Bold within the collection
        cjk_characters,
        "NotoSansCJKsc-Bold-subset.otf",
    ),
    "latin": (
        "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
        None,
        lambda: in_ranges(LATIN_RANGES),
        "NotoSans-Bold-subset.ttf",
    ),
}


def subset(name):
    source, number, characters, out = FONTS[name]
    out = HERE / out
    chars = sorted(ord(c) for c in characters() if c.isprintable() or c == "\u3000")
    unicodes = ",".join(f"U+{c:04X}" for c in chars)
    cmd = [
        sys.executable, "-m", "fontTools.subset", source,
        *([f"--font-number={number}"] if number is not None else []),
        f"--unicodes={unicodes}",
        "--layout-features=",
        "--no-hinting",
        "--name-IDs=*",
        "--name-languages=*",
        "--notdef-outline",
        "--drop-tables+=BASE,VORG,vhea,vmtx,GSUB,GPOS,GDEF,kern",
        f"--output-file={out}",
    ]
    subprocess.run(cmd, check=True)
    print(f"{out.name}: {len(chars)} characters requested, {out.stat().st_size} bytes")


def main():
    for name in sys.argv[1:] or FONTS:
        subset(name)


if __name__ == "__main__":
    main()
