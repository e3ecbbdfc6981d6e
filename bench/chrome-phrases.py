#!/usr/bin/env python3
"""How many corpus posts still show site chrome after conversion, per phrase kind.

Usage: bench/chrome-phrases.py POSTS_DIR OUTPUT_DIR...  (each OUTPUT_DIR a `convert` output:
Markdown/text notes, or EPUBs whose chapters are searched). A post "had" a phrase when its source
contains it; it is "cleaned" when no output made from it does. The report's `posts[].outputs`
maps posts to outputs (run convert with --report OUTPUT_DIR/report.json)."""
import json, os, re, sys, zipfile, html

PHRASES = {
    "newsletter box (訂閱《早安世界》電子報 … 請輸入正確的電子信箱格式)": ["請輸入正確的電子信箱格式", "每天3分鐘掌握10件天下事"],
    "newsletter line (订阅NYT简报)": ["NYT简报"],
    "read-more list (延伸閱讀 + headlines)": ["延伸閱讀"],
    "read-more link (延伸阅读：title)": ["延伸阅读"],
    "related (相关阅读： / 您可能感兴趣的文章)": ["相关阅读：", "您可能感兴趣的文章"],
    "share bar (分享到 / 共享此文章)": ["共享此文章", "分享到："],
    "click to enlarge (点击查看大图)": ["点击查看大图"],
    "mirror footer (获取更多RSS：feedx.net)": ["获取更多RSS"],
}

def text_of_output(path, cache={}):
    if path in cache:
        return cache[path]
    if path.endswith(".epub"):
        chapters = {}
        with zipfile.ZipFile(path) as z:
            for n in z.namelist():
                if n.endswith(".xhtml") and "/post-" in n:
                    chapters[n] = html.unescape(z.read(n).decode("utf-8"))
        cache[path] = chapters
    else:
        cache[path] = {path: open(path, encoding="utf-8").read()}
    return cache[path]

def main():
    posts, outs = sys.argv[1], sys.argv[2:]
    for out in outs:
        report = json.load(open(os.path.join(out, "report.json")))
        print(f"== {out}")
        for kind, needles in PHRASES.items():
            had = cleaned = 0
            for rec in report["posts"]:
                src = open(rec["input"], encoding="utf-8").read()
                found = [n for n in needles if n in src]
                if not found:
                    continue
                had += 1
                title = rec.get("title", "")
                left = False
                seen = False
                for o in rec.get("outputs", []):
                    for name, text in text_of_output(o).items():
                        # An EPUB holds many posts: look only in this post's chapter.
                        if o.endswith(".epub") and title and title not in text:
                            continue
                        seen = True
                        if any(n in text for n in found):
                            left = True
                # A post whose output was not found counts as not cleaned.
                cleaned += seen and not left
            if had:
                print(f"  {kind}: {cleaned}/{had} posts cleaned ({100*cleaned/had:.0f}%)")

main()
