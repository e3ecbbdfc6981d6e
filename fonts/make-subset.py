#!/usr/bin/env python3
"""Rebuilds fonts/NotoSansCJKsc-Bold-subset.otf, the font postbook draws generated covers with.

Source: Noto Sans CJK SC Bold 2.004 (SIL OFL 1.1), face 2 of NotoSansCJK-Bold.ttc from the
Debian package fonts-noto-cjk 1:20220127+repack1-1
(/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc; upstream https://github.com/googlefonts/noto-cjk).
Tool: fonttools' pyftsubset (`pip install fonttools`; made with fonttools 4.68.0).

The subset keeps what a book title needs: ASCII, Latin-1, general punctuation, CJK symbols
and punctuation, kana, fullwidth forms, and every character encodable in GB2312 (simplified
Chinese), Big5 (traditional Chinese) and JIS X 0208 (Japanese), enumerated with Python's codecs.
Layout tables (GSUB/GPOS) and hinting are dropped: covers are rasterized glyph by glyph at large
sizes, without shaping.

Usage: python3 fonts/make-subset.py [SOURCE.ttc]   (run from the repository root)
"""

import subprocess
import sys
from pathlib import Path

SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
FONT_NUMBER = 2  # Noto Sans CJK SC Bold within the collection
OUT = Path(__file__).resolve().parent / "NotoSansCJKsc-Bold-subset.otf"

RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 Supplement
    (0x2000, 0x206F),  # General Punctuation (– — ‘ ’ “ ” … ‧)
    (0x3000, 0x303F),  # CJK Symbols and Punctuation (、。《》「」【】〜)
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms (，：？！（）)
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


def characters():
    chars = set()
    for lo, hi in RANGES:
        chars.update(chr(c) for c in range(lo, hi + 1))
    euc = range(0xA1, 0xFF)
    chars |= double_byte("gb2312", euc, euc)
    chars |= double_byte("big5", range(0x81, 0xFF), [*range(0x40, 0x7F), *range(0xA1, 0xFF)])
    chars |= double_byte("euc_jp", euc, euc)  # two-byte EUC-JP is exactly JIS X 0208
    return sorted(ord(c) for c in chars if c.isprintable() or c == "\u3000")


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else SOURCE
    unicodes = ",".join(f"U+{c:04X}" for c in characters())
    cmd = [
        sys.executable, "-m", "fontTools.subset", source,
        f"--font-number={FONT_NUMBER}",
        f"--unicodes={unicodes}",
        "--layout-features=",
        "--no-hinting",
        "--name-IDs=*",
        "--name-languages=*",
        "--notdef-outline",
        "--drop-tables+=BASE,VORG,vhea,vmtx,GSUB,GPOS,GDEF",
        f"--output-file={OUT}",
    ]
    subprocess.run(cmd, check=True)
    print(f"{OUT.name}: {len(characters())} characters requested, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
