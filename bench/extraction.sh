#!/usr/bin/env bash
# Article extraction on whole saved web pages, scored on the public article-extraction-benchmark
# (181 news and blog pages with their hand-made article bodies).
#
#   bench/extraction.sh [DATASET]
#
# DATASET is a checkout of scrapinghub/article-extraction-benchmark (html/*.html.gz,
# ground-truth.json, evaluate.py). Without it the benchmark is cloned at a fixed commit into
# ${XDG_CACHE_HOME:-~/.cache}/postbook-bench/. The pages are converted with
# `postbook convert -t text` and scored by bench/extraction_score.py with the benchmark's own
# evaluate.py (word 4-shingles F1/precision/recall); its module doc says how a text file maps
# to `articleBody`. Needs git (without DATASET), gzip, python3 and a release build
# (built here if `target/release/postbook` is missing; POSTBOOK=path picks another binary).
set -euo pipefail

REPO=https://github.com/scrapinghub/article-extraction-benchmark
COMMIT=4a3bc979f76c0df73cb95fe272e2fc1b96f9f010
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")

data=${1:-}
if [ -z "$data" ]; then
    data=${XDG_CACHE_HOME:-$HOME/.cache}/postbook-bench/article-extraction-benchmark
    if [ ! -d "$data/.git" ]; then
        mkdir -p "$(dirname "$data")"
        git clone --quiet "$REPO" "$data"
    fi
    git -C "$data" checkout --quiet "$COMMIT"
fi
for f in ground-truth.json evaluate.py html; do
    [ -e "$data/$f" ] || { echo "$data has no $f: not the article-extraction-benchmark" >&2; exit 2; }
done

bin=${POSTBOOK:-${CARGO_TARGET_DIR:-$ROOT/target}/release/postbook}
if [ ! -x "$bin" ]; then
    (cd "$ROOT" && cargo build --release --quiet)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/pages"
for page in "$data"/html/*.html.gz; do
    gzip -dc "$page" > "$work/pages/$(basename "$page" .gz)"
done
echo "$(ls "$work/pages" | wc -l) pages from $data"

# postbook exits 1 when some page fails; the failures are scored as empty bodies.
start=$(date +%s.%N)
"$bin" convert -t text --no-config --color never -o "$work/text" --report "$work/report.json" \
    "$work/pages" 2> "$work/stderr" || true
end=$(date +%s.%N)
tail -n 1 "$work/stderr"
printf 'conversion: %.2f s wall\n\n' "$(echo "$end - $start" | bc)"

python3 "$HERE/extraction_score.py" "$data" "$work/report.json" "${@:2}"
