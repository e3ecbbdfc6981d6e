#!/usr/bin/env bash
# Scale benchmark: a synthetic archive of N posts (default 100,000) made from the corpus, dated
# over 20 years (about 400 posts a month), converted to Markdown and to monthly EPUBs; then, for
# each format, an incremental re-run over the unchanged archive and one after editing a single
# post. Prints wall time and peak RSS (GNU time). The archive is generated in a temporary folder,
# never committed.
#
# First, postbook, pandoc and calibre (when installed) side by side on the same synthetic posts:
# bench/compare.sh on the archive's first COMPARE_POSTS posts (pandoc takes about 44 ms of CPU
# per post to Markdown, so the whole archive would take it about 40 minutes on 2 cores).
#
# Usage: bench/scale.sh [CORPUS_DIR]    (default ../shared/corpus/posts)
# Environment: POSTS=100000, NO_BUILD=1 (use the existing release binary; CARGO_TARGET_DIR is
# honoured), KEEP_TMP=1, ARCHIVE=DIR (generate the archive there once and reuse it afterwards),
# COMPARE_POSTS=2000 (0 skips the side-by-side comparison)
set -euo pipefail
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
corpus=${1:-$root/../shared/corpus/posts}
posts=${POSTS:-100000}
compare_posts=${COMPARE_POSTS:-2000}
case $compare_posts in '' | *[!0-9]*) echo "COMPARE_POSTS must be a number" >&2; exit 1 ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/postbook-scale.XXXXXX")
[ "${KEEP_TMP:-0}" = 1 ] && echo "keeping $tmp" >&2 || trap 'rm -rf -- "$tmp"' EXIT
[ "${NO_BUILD:-0}" = 1 ] || (cd "$root" && cargo build --release -q)
postbook=${CARGO_TARGET_DIR:-$root/target}/release/postbook
archive=${ARCHIVE:-$tmp/archive}

[ -d "$archive" ] || python3 "$root/bench/synth.py" "$corpus" "$archive.part" "$posts"
[ -d "$archive" ] || mv "$archive.part" "$archive"
if [ "$compare_posts" -gt 0 ]; then
    printf 'Side by side on the first %d posts of the archive (bench/compare.sh):\n' "$compare_posts"
    mkdir -p "$tmp/sample"
    # Hard links where possible: the same files, not copies.
    find "$archive" -type f -name '*.md' | LC_ALL=C sort | awk -v n="$compare_posts" 'NR <= n' |
        while IFS= read -r f; do ln "$f" "$tmp/sample/" 2>/dev/null || cp "$f" "$tmp/sample/"; done
    # Before the scale runs: they delete 100,000 files, which slows file creation for minutes
    # (see bench/README.md, "Markdown, and the file system").
    POSTBOOK=$postbook bash "$root/bench/compare.sh" "$tmp/sample" || echo "compare.sh failed" >&2
    echo
fi
size=$(du -sm "$archive" | cut -f1)
printf '%d posts, %d MB on disk\n\n%-32s %10s %12s %8s %9s\n' "$(find "$archive" -type f | wc -l)" "$size" task "wall s" "peak RSS" outputs rendered
# run NAME FRESH ARGS…: FRESH=1 starts from an empty output folder, 0 re-runs into it.
run() {
    local name=$1 fresh=$2; shift 2
    [ "$fresh" = 0 ] || rm -rf "$tmp/out"
    /usr/bin/time -f '%e %M' -o "$tmp/time" "$postbook" "$@" -q "$archive" -o "$tmp/out" --report "$tmp/report.json"
    read -r secs kb <"$tmp/time"
    local rendered
    rendered=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["outputs"]-s["skipped"])' "$tmp/report.json")
    printf '%-32s %10s %9d MB %8d %9s\n' "$name" "$secs" $((kb / 1024)) "$(find "$tmp/out" -type f ! -name '.*' | wc -l)" "$rendered"
}
# The post edited between runs (its body grows by one paragraph; restored at the end).
edited=$(find "$archive" -type f -name '2016-05-*' | sort | head -1)
cp -p "$edited" "$tmp/edited.orig"
trap 'cp -p "$tmp/edited.orig" "$edited"; [ "${KEEP_TMP:-0}" = 1 ] || rm -rf -- "$tmp"' EXIT
for format in markdown "epub -g month"; do
    cp -p "$tmp/edited.orig" "$edited"
    run "$format" 1 convert -t $format
    run "$format, again (unchanged)" 0 convert -t $format
    printf '\nOne more paragraph.\n' >>"$edited"
    run "$format, one post edited" 0 convert -t $format
done

