#!/usr/bin/env bash
# Benchmark postbook against pandoc (and calibre, when installed) on a folder of Jekyll/Hugo posts.
#
# Usage: bench/compare.sh [CORPUS_DIR]
#   CORPUS_DIR         folder of posts (default: ../shared/corpus/posts, relative to the repo root)
# Environment:
#   RUNS=5             runs per measurement (rounds); the median wall time is reported
#   PANDOC_EPUB_POSTS=100
#                      pandoc builds its EPUB from the first N posts only (by file name): on the
#                      full corpus it needs tens of GB of RAM. Its time is scaled linearly to the
#                      full corpus for the ratio (an estimate: pandoc's time and memory grow
#                      worse than linearly on large inputs).
#   NO_BUILD=1         skip `cargo build --release` and use the existing target/release/postbook
#   POSTBOOK=PATH      use this postbook binary (implies NO_BUILD=1)
#   KEEP_TMP=1         keep the temporary output folder (its path is printed)
#
# Tasks:
#   markdown  postbook `convert -t markdown` vs pandoc `-f markdown -t gfm`, one file per post,
#             pandoc run in parallel with xargs -P"$(nproc)"
#   epub      postbook `convert -t epub --group-by none` (one book of the whole corpus) vs pandoc
#             making one EPUB of the first N posts, images removed by a Lua filter so that pandoc
#             does not go to the network, and vs calibre's `ebook-convert` making one EPUB of the
#             same N posts (calibre takes one input: an index page linking one HTML page per
#             post, front matter stripped)
# The measurements run in RUNS interleaved rounds (each tool once per round, the other tool
# before postbook), so that all meet the machine in the same state.
# Peak RSS is GNU time's %M: the largest single process (for xargs runs, the largest pandoc).
# Exit status: 0, or 1 when an argument is bad or a measured command exited non-zero (the table
# is still printed).
set -euo pipefail

die() { printf 'compare.sh: %s\n' "$*" >&2; exit 1; }

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
root=$(cd -- "$script_dir/.." && pwd)

corpus=${1:-$root/../shared/corpus/posts}
[ -d "$corpus" ] || die "corpus folder not found: $corpus"
corpus=$(cd -- "$corpus" && pwd)

runs=${RUNS:-5}
epub_n=${PANDOC_EPUB_POSTS:-100}
case $runs in '' | *[!0-9]* | 0) die "RUNS must be a positive integer, got '$runs'" ;; esac
case $epub_n in '' | *[!0-9]* | 0) die "PANDOC_EPUB_POSTS must be a positive integer, got '$epub_n'" ;; esac
jobs=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/postbook-bench.XXXXXX")
# pandoc's and calibre's own temporary files (calibre makes and deletes hundreds per book) go to
# a RAM disk when there is one: deleted on the disk, they would slow the file creation of the
# next tool measured (see run_rounds).
tool_tmp=$tmp
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    tool_tmp=$(mktemp -d /dev/shm/postbook-bench.XXXXXX)
fi
cleanup() {
    if [ "${KEEP_TMP:-0}" = 1 ]; then
        printf 'kept temporary folder: %s\n' "$tmp" >&2
    else
        rm -rf -- "$tmp"
    fi
    [ "$tool_tmp" = "$tmp" ] || rm -rf -- "$tool_tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The posts, NUL-separated and sorted by name so that "the first N" is reproducible.
find "$corpus" -type f \( -name '*.md' -o -name '*.markdown' \) -print0 | LC_ALL=C sort -z >"$tmp/posts.list"
total=$(tr -cd '\0' <"$tmp/posts.list" | wc -c | tr -d ' ')
[ "$total" -gt 0 ] || die "no .md or .markdown posts in $corpus"
[ "$epub_n" -le "$total" ] || epub_n=$total
# (awk reads all its input: `head` would close the pipe early and pipefail would stop the script.)
tr '\0' '\n' <"$tmp/posts.list" | awk -v n="$epub_n" 'NR <= n' | tr '\n' '\0' >"$tmp/epub-posts.list"

if [ -x /usr/bin/time ] && /usr/bin/time -f '%e %M' -o "$tmp/probe" "$BASH" -c : 2>/dev/null; then
    have_gnu_time=1
else
    have_gnu_time=0
fi

# run_timed LOG OUTFILE CMD...: runs CMD once, appends "seconds rss_kb" to OUTFILE (rss "-" when
# unknown), CMD's output goes to LOG. Returns CMD's exit status.
run_timed() {
    local log=$1 out=$2 status=0
    shift 2
    if [ "$have_gnu_time" = 1 ]; then
        /usr/bin/time -f '%e %M' -o "$tmp/time.one" "$@" >>"$log" 2>&1 || status=$?
        # GNU time prefixes "Command exited with non-zero status N" on failure: keep the last line.
        tail -n 1 "$tmp/time.one" >>"$out"
    else
        local TIMEFORMAT='%R'
        { time "$@" >>"$log" 2>&1 || status=$?; } 2>"$tmp/time.one"
        printf '%s -\n' "$(tail -n 1 "$tmp/time.one")" >>"$out"
    fi
    return "$status"
}

median() { # median of the first column of a file
    awk '{ print $1 }' "$1" | sort -n | awk '
        { v[NR] = $1 }
        END {
            if (NR == 0) { print "-"; exit }
            if (NR % 2) printf "%.2f\n", v[(NR + 1) / 2]
            else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2
        }'
}

max_rss() { # largest second column of a file, in MB
    awk '$2 ~ /^[0-9]+$/ { if ($2 > m) m = $2; seen = 1 }
         END { if (seen) printf "%.0f MB\n", m / 1024; else print "-" }' "$1"
}

# plan NAME OUTDIR CMD...: adds a measurement of CMD, which writes into OUTDIR. Planned
# measurements run in rounds (see run_rounds); results go to $tmp/NAME.times.
planned=()
plan() {
    local name=$1
    shift
    printf '%s\0' "$@" >"$tmp/$name.cmd"
    : >"$tmp/$name.times"
    : >"$tmp/$name.log"
    planned+=("$name")
}

# run_rounds: RUNS rounds, each running every planned measurement once, in the order planned.
# Interleaved rather than one tool's runs back to back, so that every tool meets the machine
# and the file system in the same state: ext4 makes new files skip recently deleted inodes with
# a scan of the inode bitmap (`recently_deleted` in the kernel), which made writing 1,500 files
# right after 1,500 were deleted take 1.3 s of kernel time instead of 0.1 s. For the same reason
# a run's output is moved aside, not deleted; everything is deleted at the end.
run_rounds() {
    local i name outdir args
    for ((i = 1; i <= runs; i++)); do
        for name in "${planned[@]}"; do
            mapfile -d '' -t args <"$tmp/$name.cmd"
            outdir=${args[0]}
            [ ! -e "$outdir" ] || mv -- "$outdir" "$outdir.previous.$i"
            mkdir -p -- "$outdir"
            : >"$tmp/run.log"
            printf '  %-16s run %d/%d ... ' "$name" "$i" "$runs" >&2
            if run_timed "$tmp/run.log" "$tmp/$name.times" "${args[@]:1}"; then
                printf '%ss\n' "$(tail -n 1 "$tmp/$name.times" | awk '{ print $1 }')" >&2
            else
                : >"$tmp/$name.failed"
                printf 'FAILED (non-zero exit); last lines of its output:\n' >&2
                tail -n 20 "$tmp/run.log" | sed 's/^/    | /' >&2
            fi
            cat "$tmp/run.log" >>"$tmp/$name.log"
        done
    done
    for name in "${planned[@]}"; do
        if [ -e "$tmp/$name.failed" ]; then
            notes+=("$name: the command exited non-zero (timings kept, output may be partial)")
            any_failed=1
        fi
    done
}

notes=()
any_failed=0
postbook_ok=0
pandoc_ok=0

# ---------------------------------------------------------------- postbook
postbook=${POSTBOOK:-$root/target/release/postbook}
if [ -z "${POSTBOOK:-}" ] && [ "${NO_BUILD:-0}" != 1 ]; then
    if command -v cargo >/dev/null 2>&1; then
        printf 'building postbook (cargo build --release) ...\n' >&2
        (cd -- "$root" && cargo build --release --quiet) || die "cargo build --release failed"
    else
        notes+=("cargo not found: not rebuilding postbook")
    fi
fi
if [ -x "$postbook" ]; then
    postbook_ok=1
else
    notes+=("postbook binary not found at $postbook: postbook columns skipped")
fi

if command -v pandoc >/dev/null 2>&1; then
    pandoc_ok=1
    pandoc_version=$(pandoc --version | awk 'NR == 1')
else
    notes+=("pandoc is not installed: pandoc columns skipped")
    pandoc_version="(none)"
fi

printf 'corpus: %s (%d posts), runs: %d, jobs: %d, %s\n' "$corpus" "$total" "$runs" "$jobs" "$pandoc_version" >&2

# ---------------------------------------------------------------- markdown
if [ "$pandoc_ok" = 1 ]; then
    # One pandoc process per post, up to 50 posts per sh (fewer on a small corpus, so that every
    # job gets work), $jobs shells at once. A post that pandoc rejects makes xargs exit 123
    # (reported as a failed run) without stopping the others.
    batch=$(((total + jobs - 1) / jobs))
    [ "$batch" -le 50 ] || batch=50
    cat >"$tmp/pandoc-md.sh" <<'EOF'
#!/bin/sh
# usage: pandoc-md.sh POSTS_LIST(NUL-separated) OUT_DIR JOBS BATCH
OUT=$2 xargs -0 -P"$3" -n "$4" sh -c '
    st=0
    for f; do pandoc -f markdown -t gfm "$f" -o "$OUT/$(basename "$f")" || st=1; done
    exit $st' _ <"$1"
EOF
    plan pandoc-md "$tmp/pandoc-md" env TMPDIR="$tool_tmp" sh "$tmp/pandoc-md.sh" "$tmp/posts.list" "$tmp/pandoc-md" "$jobs" "$batch"
fi
if [ "$postbook_ok" = 1 ]; then
    plan postbook-md "$tmp/md" "$postbook" convert -t markdown "$corpus" -o "$tmp/md" -q
fi

# ---------------------------------------------------------------- epub
if [ "$pandoc_ok" = 1 ]; then
    cat >"$tmp/no-images.lua" <<'EOF'
-- Drop every image so that pandoc's EPUB writer does not try to fetch it over the network.
function Image(el) return {} end
-- Raw HTML <img>/<source>/<video>/... tags are fetched by the EPUB writer too: drop them as well.
local media = { "<img", "<source", "<video", "<audio", "<iframe", "<embed", "<picture" }
local function strip(el)
  if el.format:match("html") then
    local t = el.text:lower()
    for _, tag in ipairs(media) do
      if t:find(tag, 1, true) then return {} end
    end
  end
end
RawInline = strip
RawBlock = strip
EOF
    # pandoc takes its inputs on the command line; read them into an array (names have spaces).
    epub_inputs=()
    while IFS= read -r -d '' f; do epub_inputs+=("$f"); done <"$tmp/epub-posts.list"
    plan pandoc-epub "$tmp/pandoc-epub" env TMPDIR="$tool_tmp" pandoc -f markdown --lua-filter "$tmp/no-images.lua" \
        --metadata title=bench -o "$tmp/pandoc-epub/bench.epub" "${epub_inputs[@]}"
fi

calibre_ok=0
if command -v ebook-convert >/dev/null 2>&1; then
    calibre_ok=1
    # calibre takes one input: an index page linking one HTML page per post (its title as a
    # heading, its body with the front matter stripped; the bodies are raw HTML with a few
    # Markdown lines), which calibre follows. Measured slower alternatives: all posts in one
    # HTML page (7x), or in one Markdown file through its Markdown input (15x).
    mkdir -p "$tmp/calibre-input"
    i=0
    printf '<html><head><meta charset="utf-8"><title>bench</title></head><body>\n' >"$tmp/calibre-input/index.html"
    while IFS= read -r -d '' f; do
        i=$((i + 1))
        {
            printf '<html><head><meta charset="utf-8"><title>%d</title></head><body>\n' "$i"
            awk 'NR == 1 && /^---$/ { fm = 1; next }
                 fm && /^---$/ { fm = 0; next }
                 fm && /^title:/ { sub(/^title:[ ]*/, ""); gsub(/^["\x27]|["\x27]$/, ""); print "<h1>" $0 "</h1>"; next }
                 !fm { print }' "$f"
            printf '</body></html>\n'
        } >"$tmp/calibre-input/p$i.html"
        printf '<p><a href="p%d.html">%d</a></p>\n' "$i" "$i" >>"$tmp/calibre-input/index.html"
    done <"$tmp/epub-posts.list"
    printf '</body></html>\n' >>"$tmp/calibre-input/index.html"
    plan calibre-epub "$tmp/calibre-epub" env QT_QPA_PLATFORM=offscreen TMPDIR="$tool_tmp" ebook-convert \
        "$tmp/calibre-input/index.html" "$tmp/calibre-epub/bench.epub" --epub-version 3
else
    notes+=("calibre (ebook-convert) is not installed: calibre row skipped")
fi
if [ "$postbook_ok" = 1 ]; then
    plan postbook-epub "$tmp/epub" "$postbook" convert -t epub --group-by none "$corpus" -o "$tmp/epub" -q
fi

run_rounds

# ---------------------------------------------------------------- report
cell() { [ -s "$tmp/$1.times" ] && median "$tmp/$1.times" || echo "-"; }
rss() { [ -s "$tmp/$1.times" ] && max_rss "$tmp/$1.times" || echo "-"; }
ratio() { # ratio PANDOC POSTBOOK
    awk -v p="$1" -v b="$2" 'BEGIN {
        if (p == "-" || b == "-") { print "-"; exit }
        if (b + 0 == 0) b = 0.005   # below time resolution: use half the last digit
        printf "%.1fx\n", p / b }'
}

pb_md=$(cell postbook-md)
pd_md=$(cell pandoc-md)
pb_ep=$(cell postbook-epub)
pd_ep=$(cell pandoc-epub)
pd_ep_scaled=-
if [ "$pd_ep" != "-" ]; then
    pd_ep_scaled=$(awk -v t="$pd_ep" -v n="$epub_n" -v total="$total" 'BEGIN { printf "%.2f\n", t * total / n }')
fi

printf '\n'
fmt='%-34s %12s %12s %10s %14s %14s\n'
# shellcheck disable=SC2059
printf "$fmt" task "postbook s" "pandoc s" ratio "postbook RSS" "pandoc RSS"
# shellcheck disable=SC2059
printf "$fmt" "markdown ($total posts)" "$pb_md" "$pd_md" "$(ratio "$pd_md" "$pb_md")" \
    "$(rss postbook-md)" "$(rss pandoc-md)"
if [ "$epub_n" -lt "$total" ] && [ "$pd_ep" != "-" ]; then
    # shellcheck disable=SC2059
    printf "$fmt" "epub ($total posts; pandoc $epub_n)" "$pb_ep" "$pd_ep_scaled*" \
        "$(ratio "$pd_ep_scaled" "$pb_ep")" "$(rss postbook-epub)" "$(rss pandoc-epub)"
    printf '\n* pandoc built its EPUB from the first %d of %d posts in %s s (median); that time is\n' \
        "$epub_n" "$total" "$pd_ep"
    printf '  scaled linearly (x %s) to the full corpus for the table and the ratio. Its RSS is for\n' \
        "$(awk -v n="$epub_n" -v t="$total" 'BEGIN { printf "%.2f", t / n }')"
    printf '  %d posts only. Linear scaling is an estimate: for a small N pandoc'"'"'s start-up cost inflates\n' \
        "$epub_n"
    printf '  it, for a large N pandoc'"'"'s worse-than-linear growth in time and memory is not counted.\n'
else
    # shellcheck disable=SC2059
    printf "$fmt" "epub ($total posts)" "$pb_ep" "$pd_ep" "$(ratio "$pd_ep" "$pb_ep")" \
        "$(rss postbook-epub)" "$(rss pandoc-epub)"
fi
if [ "$calibre_ok" = 1 ]; then
    cb_ep=$(cell calibre-epub)
    cb_ep_scaled=$(awk -v t="$cb_ep" -v n="$epub_n" -v total="$total" 'BEGIN { if (t == "-") print "-"; else printf "%.2f\n", t * total / n }')
    # shellcheck disable=SC2059
    printf "$fmt" "epub vs calibre (calibre $epub_n)" "$pb_ep" "$cb_ep_scaled*" \
        "$(ratio "$cb_ep_scaled" "$pb_ep")" "$(rss postbook-epub)" "$(rss calibre-epub)"
    printf '  (the "pandoc" columns of this row are calibre ebook-convert: %s s for %d posts, scaled)\n' \
        "$cb_ep" "$epub_n"
fi
printf '\nMedian of %d run(s) each; ratio = other tool / postbook (higher: postbook faster).\n' "$runs"
if [ "$have_gnu_time" = 1 ]; then
    printf 'Peak RSS: GNU time %%M, max over runs, largest single process (for xargs: one pandoc).\n'
else
    printf 'Peak RSS: not measured (/usr/bin/time is not GNU time).\n'
fi
[ "$pandoc_ok" = 0 ] || printf 'pandoc markdown: one pandoc per post, %d parallel shells (xargs -P%d -n %s).\n' "$jobs" "$jobs" "${batch:-50}"
for n in "${notes[@]+"${notes[@]}"}"; do
    printf 'note: %s\n' "$n"
done
# A benchmark whose commands failed is not a result: say so with the exit status.
[ "$any_failed" = 0 ] || exit 1
