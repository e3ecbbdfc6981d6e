#!/usr/bin/env python3
"""Scores postbook's plain text of the article-extraction-benchmark pages.

Usage: extraction_score.py DATASET REPORT.json [--n-bootstrap N] [--json OUT]

DATASET is a checkout of scrapinghub/article-extraction-benchmark (ground-truth.json,
evaluate.py); REPORT.json is `postbook convert -t text --report` over its pages, which maps
each page (`<id>.html`) to its text file. The scoring is the benchmark's own: its evaluate.py
is imported, so tokenization, 4-word shingles, per-page normalization, the means and the
bootstrap are exactly those of the published table.

How a text file maps to `articleBody`: the text writer opens with a header (title, then a
dateline/author line and the source URL), ended by the first blank line; only what follows is
scored, since the benchmark scores the article body, not the headline or metadata. Link and
picture targets, which the writer adds as `<url>` after their text, are dropped too: they are
not text of the page (Readability.js and the others emit link text only). Nothing else is
touched.
"""

import argparse
import importlib.util
import json
import re
import sys
from pathlib import Path

# Published figures (the benchmark's README, latest evaluation): F1, precision, recall.
# rs_trafilatura's is for git 9261e08 (0.1.0), an earlier build than the crate postbook uses.
PUBLISHED = [
    ("rs_trafilatura 9261e08", 0.970, 0.951, 0.990),
    ("trafilatura 2.0.0", 0.958, 0.938, 0.978),
    ("Readability.js", 0.947, 0.914, 0.982),
    ("html-text (all words)", 0.665, 0.500, 0.994),
]

URL_IN_BRACKETS = re.compile(r" ?<[a-zA-Z][a-zA-Z0-9+.-]*:[^<>\s]*>")


def article_body(text: str) -> str:
    """The part of a text file that stands for `articleBody` (see the module doc)."""
    _header, _, body = text.partition("\n\n")
    return URL_IN_BRACKETS.sub("", body)


def load_evaluate(dataset: Path):
    spec = importlib.util.spec_from_file_location("aeb_evaluate", dataset / "evaluate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("dataset", type=Path)
    parser.add_argument("report", type=Path)
    parser.add_argument("--n-bootstrap", type=int, default=1000)
    parser.add_argument("--json", type=Path, help="write postbook's predictions here")
    parser.add_argument("--worst", type=int, default=0, help="list the N worst pages by F1")
    args = parser.parse_args()

    evaluate = load_evaluate(args.dataset)
    truth = evaluate.load_json(args.dataset / "ground-truth.json")
    report = json.loads(args.report.read_text(encoding="utf8"))
    base = args.report.parent

    prediction = {key: {"articleBody": ""} for key in truth}
    for output in report["outputs"]:
        for post in output["posts"]:
            key = Path(post).name.removesuffix(".html")
            if key in prediction:
                path = Path(output["path"])
                if not path.is_absolute() and not path.exists():
                    path = base / path
                prediction[key]["articleBody"] = article_body(path.read_text(encoding="utf8"))
    missing = [k for k in truth if not prediction[k]["articleBody"]]
    if missing:
        print(f"{len(missing)} pages without output (scored as empty)", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(prediction, ensure_ascii=False, indent=1))

    m = evaluate.evaluate(truth, prediction, args.n_bootstrap)
    print(f'{"":<22} {"F1":<13}  {"precision":<13}  {"recall":<13}')
    print(
        f'{"postbook (measured)":<22} {m["f1"]:.3f} ± {m["f1_std"]:.3f}  '
        f'{m["precision"]:.3f} ± {m["precision_std"]:.3f}  '
        f'{m["recall"]:.3f} ± {m["recall_std"]:.3f}'
    )
    for name, f1, p, r in PUBLISHED:
        print(f"{name:<22} {f1:.3f}          {p:.3f}          {r:.3f}          (published)")
    if args.worst:
        rows = []
        for key, (tp, fp, fn) in zip(truth.keys(), m["tp_fp_fns"]):
            p = evaluate.precision_score(tp, fp, fn)
            r = evaluate.recall_score(tp, fp, fn)
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            rows.append((f1, p, r, key))
        print(f"\nworst {args.worst} pages (F1, precision, recall):")
        for f1, p, r, key in sorted(rows)[: args.worst]:
            print(f"  {f1:.3f} {p:.3f} {r:.3f}  {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
