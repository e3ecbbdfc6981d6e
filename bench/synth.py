#!/usr/bin/env python3
"""Writes a synthetic archive of N posts made from a corpus of real ones, for the scale benchmarks.

Post i is corpus post i % len(corpus) with its date replaced, dated over 20 years (about 400
posts a month at 100,000): bench/scale.sh and bench/hugo.sh measure on the same archive.

Usage: synth.py CORPUS_DIR DEST_DIR N
"""
import os
import re
import sys

src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(dst)
texts = [open(os.path.join(src, f), encoding="utf-8").read() for f in sorted(os.listdir(src))
         if f.endswith((".md", ".markdown"))]
date = re.compile(r"^date:.*$", re.M)
for i in range(n):
    y, m, d = 2006 + i % 20, 1 + (i // 20) % 12, 1 + (i // 240) % 28
    day = f"{y}-{m:02d}-{d:02d}"
    text = date.sub(f"date: {day}", texts[i % len(texts)], count=1)
    with open(os.path.join(dst, f"{day}-p{i}.md"), "w", encoding="utf-8") as f:
        f.write(text)
