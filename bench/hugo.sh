#!/usr/bin/env bash
# postbook beside Hugo, the fastest static site generator people use, on the same synthetic posts
# (bench/synth.py, as bench/scale.sh makes them), in one run of interleaved rounds; then what
# crossing postbook's in-memory threshold costs per post (4,000 posts are held in memory, 6,000
# are streamed; posts 4,001–6,000 are other posts, so the same 4,000 are also run streamed with
# --low-memory, which measures the streaming path alone).
#
# Hugo builds a minimal site of the posts: them in content/posts, a one-line single.html
# (`{{ .Content }}`), goldmark with `unsafe = true` so their raw HTML is kept, no taxonomies,
# feeds or sitemap. It passes the posts' HTML through unparsed; postbook parses, cleans and
# re-writes every post. Inputs and outputs are on a RAM disk when there is one.
#
# Usage: bench/hugo.sh [CORPUS_DIR]     (default ../shared/corpus/posts)
# Environment: POSTS=10000 RUNS=5 NO_BUILD=1 POSTBOOK=PATH THRESHOLD=0 (skip the 4,000/6,000
# comparison) KEEP_TMP=1. Hugo is installed from Debian when missing and possible; without it
# the Hugo rows say why and postbook is still measured.
set -euo pipefail
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
corpus=${1:-$root/../shared/corpus/posts}
posts=${POSTS:-10000}
runs=${RUNS:-5}
case $posts$runs in *[!0-9]*) echo "POSTS and RUNS must be numbers" >&2; exit 1 ;; esac
base=${TMPDIR:-/tmp}
[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
tmp=$(mktemp -d "$base/postbook-hugo.XXXXXX")
[ "${KEEP_TMP:-0}" = 1 ] && echo "keeping $tmp" >&2 || trap 'rm -rf -- "$tmp"' EXIT
if [ -n "${POSTBOOK:-}" ]; then
    postbook=$POSTBOOK
else
    [ "${NO_BUILD:-0}" = 1 ] || (cd "$root" && cargo build --release -q)
    postbook=${CARGO_TARGET_DIR:-$root/target}/release/postbook
fi
if ! command -v hugo >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hugo) >/dev/null 2>&1 || true
fi
hugo_missing=""
command -v hugo >/dev/null || hugo_missing="hugo is not installed (apt-get install hugo)"

python3 "$root/bench/synth.py" "$corpus" "$tmp/posts" "$posts"

# The Hugo site: the same files, hard-linked.
site=$tmp/site
mkdir -p "$site/content/posts" "$site/layouts/_default"
ln "$tmp/posts"/*.md "$site/content/posts/" 2>/dev/null || cp "$tmp/posts"/*.md "$site/content/posts/"
cat >"$site/hugo.toml" <<'TOML'
baseURL = "https://example.org/"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[markup.goldmark.renderer]
unsafe = true
TOML
echo '{{ .Content }}' >"$site/layouts/_default/single.html"
echo '{{ .Title }}' >"$site/layouts/_default/list.html"

# measure NAME COMMAND…: one run; appends "NAME wall cpu rss_mb status" to $tmp/results.
measure() {
    local name=$1 status=0; shift
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" || status=$?
    read -r wall user sys kb <"$tmp/time"
    echo "$name $wall $(echo "$user + $sys" | bc) $((kb / 1024)) $status" >>"$tmp/results"
    [ "$status" = 0 ] || { echo "$name exited $status:" >&2; tail -5 "$tmp/err" >&2; }
}
# subset N: the first N posts of the archive, hard-linked into their own folder.
subset() {
    local dir=$tmp/first$1
    [ -d "$dir" ] || { mkdir "$dir"; find "$tmp/posts" -name '*.md' | LC_ALL=C sort | head -n "$1" |
        xargs -I{} ln {} "$dir/"; }
    echo "$dir"
}
threshold=${THRESHOLD:-1}
if [ "$threshold" = 1 ] && [ "$posts" -ge 6000 ]; then small=$(subset 4000); large=$(subset 6000); fi

: >"$tmp/results"
for round in $(seq "$runs"); do
    [ -n "$hugo_missing" ] || { rm -rf "$tmp/hugo-out"; measure hugo hugo --quiet -s "$site" -d "$tmp/hugo-out"; }
    rm -rf "$tmp/md"; measure "postbook-md" "$postbook" convert -q -t markdown "$tmp/posts" -o "$tmp/md"
    rm -rf "$tmp/epub"; measure "postbook-epub" "$postbook" convert -q -t epub -g month "$tmp/posts" -o "$tmp/epub"
    if [ -n "${small:-}" ]; then
        for n in 4000 6000; do
            dir=$tmp/first$n
            rm -rf "$tmp/t"; measure "md-$n" "$postbook" convert -q -t markdown "$dir" -o "$tmp/t"
            rm -rf "$tmp/t"; measure "epub-$n" "$postbook" convert -q -t epub -g month "$dir" -o "$tmp/t"
        done
        # The same 4,000 posts streamed: the cost of the path itself, without the other posts'.
        rm -rf "$tmp/t"; measure "md-4000-streamed" "$postbook" convert -q -t markdown --low-memory "$small" -o "$tmp/t"
        rm -rf "$tmp/t"; measure "epub-4000-streamed" "$postbook" convert -q -t epub -g month --low-memory "$small" -o "$tmp/t"
    fi
done

python3 - "$tmp/results" "$posts" "$runs" "$hugo_missing" <<'PY'
import statistics as st, sys
rows = [l.split() for l in open(sys.argv[1])]
posts, runs, missing = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
by = {}
for name, wall, cpu, rss, status in rows:
    by.setdefault(name, []).append((float(wall), float(cpu), int(rss), int(status)))
med = {k: (st.median(w for w, _, _, _ in v), st.median(c for _, c, _, _ in v),
           max(r for _, _, r, _ in v), any(s for *_, s in v)) for k, v in by.items()}
print(f"{posts} synthetic posts, medians of {runs} interleaved rounds")
print(f"{'task':<34}{'wall s':>8}{'CPU s':>8}{'peak MB':>9}  vs Hugo CPU")
labels = {"hugo": "Hugo: build the site", "postbook-md": "postbook → Markdown",
          "postbook-epub": "postbook → monthly EPUBs"}
hugo_cpu = med["hugo"][1] if "hugo" in med else None
for key in ("hugo", "postbook-md", "postbook-epub"):
    if key not in med:
        print(f"{labels[key]:<34}  ({missing})")
        continue
    wall, cpu, rss, failed = med[key]
    ratio = f"{cpu / hugo_cpu:.2f}×" if hugo_cpu else "–"
    print(f"{labels[key]:<34}{wall:>8.2f}{cpu:>8.2f}{rss:>9}  {ratio}{'  (a run failed)' if failed else ''}")
if "md-4000" in med:
    print("\nCrossing the in-memory threshold (CPU per post; 4,000 in memory, 6,000 streamed):")
    for fmt in ("md", "epub"):
        a, b = med[f"{fmt}-4000"][1] / 4000 * 1e3, med[f"{fmt}-6000"][1] / 6000 * 1e3
        print(f"  {fmt:<5} {a:.3f} ms → {b:.3f} ms a post: {b / a - 1:+.1%}")
    print("The same 4,000 posts, in memory and streamed (--low-memory), CPU:")
    for fmt in ("md", "epub"):
        a, b = med[f"{fmt}-4000"][1], med[f"{fmt}-4000-streamed"][1]
        print(f"  {fmt:<5} {a:.2f} s → {b:.2f} s: {b / a - 1:+.1%}")
PY
